//! `motcua tasks` and `motcua reminders` on the demo province: the year of steering the
//! demo records, listed and shown; a webhook subscribed, a round of reminders and
//! deliveries run (the webhook unreachable: the failure is kept for a retry).

mod common;

use common::Cli;

#[test]
fn the_demo_s_tasks_are_listed_shown_and_remind_through_a_webhook() {
    let cli = Cli::new();
    let out = cli.ok(&["demo", "--no-serve", "--dossiers", "200", "--seed", "3"]);
    let line = out
        .lines()
        .find(|l| l.starts_with("Steering:"))
        .unwrap_or_else(|| panic!("no steering line in:\n{out}"));
    assert!(
        line.contains("meetings") && line.contains("assigned tasks"),
        "{line}"
    );

    let list = cli.json(&["tasks", "list", "--json"]);
    let tasks = list["tasks"].as_array().unwrap();
    assert!(tasks.len() >= 40, "{}", tasks.len());
    assert_eq!(list["total"].as_u64().unwrap() as usize, tasks.len());
    // A mix: some done, some still open, some split down to communes.
    assert!(tasks.iter().any(|t| !t["completed_at"].is_null()));
    assert!(tasks.iter().any(|t| t["completed_at"].is_null()));
    assert!(tasks.iter().any(|t| !t["assignment"]["parent"].is_null()));
    let overdue = cli.ok(&["tasks", "list", "--status", "open_overdue"]);
    assert!(overdue.contains("open_overdue"), "{overdue}");
    let err = cli.fails(&["tasks", "list", "--status", "late"]);
    assert!(err.contains("--status"), "{err}");

    let id = tasks[0]["id"].as_str().unwrap();
    let shown = cli.ok(&["tasks", "show", id]);
    assert!(shown.contains(id) && shown.contains("assigned"), "{shown}");

    // A webhook nobody listens to: the round records the failure for a later attempt.
    let err = cli.fails(&["reminders", "subscribe", "--webhook", "ftp://x"]);
    assert!(err.contains("address"), "{err}");
    // A private address needs the operator's leave.
    let private = [
        "reminders",
        "subscribe",
        "--agency",
        "000.00.10.H05",
        "--webhook",
        "http://127.0.0.1:9/hook",
    ];
    let err = cli.fails(&private);
    assert!(err.contains("private address"), "{err}");
    let subscribed = cli.ok(&[&private[..], &["--webhook-allow-private"]].concat());
    assert!(subscribed.contains("DK-"), "{subscribed}");
    assert!(
        cli.ok(&["reminders", "list"])
            .contains("http://127.0.0.1:9/hook")
    );
    let round = cli.ok(&["reminders", "run", "--webhook-allow-private"]);
    assert!(round.contains("reminders queued:"), "{round}");
    assert!(
        round.contains("to retry: ") && !round.contains("to retry: 0;"),
        "{round}"
    );
}
