//! `motcua loadtest` end to end on a tiny demo province: every scenario answers, the table
//! is printed and no request fails.

mod common;

use common::Cli;

#[test]
fn the_load_test_runs_every_scenario_without_errors() {
    let cli = Cli::new();
    cli.ok(&["demo", "--no-serve", "--dossiers", "300", "--seed", "5"]);
    let out = cli.ok(&[
        "loadtest",
        "--connections",
        "4",
        "--duration",
        "0.3",
        "--warmup",
        "0.1",
        "--samples",
        "50",
    ]);

    let header = out.lines().find(|l| l.starts_with("scenario")).unwrap();
    for column in ["requests", "rps", "p50 ms", "p99 ms", "errors", "rps/ref"] {
        assert!(header.contains(column), "{header}");
    }
    for scenario in ["track", "worklist", "search", "submit", "healthz"] {
        let line = out
            .lines()
            .find(|l| l.split_whitespace().next() == Some(scenario))
            .unwrap_or_else(|| panic!("no row '{scenario}' in:\n{out}"));
        let cells: Vec<&str> = line.split_whitespace().collect();
        let requests: u64 = cells[1].parse().unwrap();
        let errors: u64 = cells[6].parse().unwrap();
        assert!(requests > 0, "{line}");
        assert_eq!(errors, 0, "{line}");
    }
}

#[test]
fn the_load_test_refuses_a_database_without_the_demo() {
    let cli = Cli::new();
    let err = cli.fails(&["loadtest", "--duration", "0.1", "--scenario", "search"]);
    assert!(err.contains("demo"), "{err}");
}

#[test]
fn at_a_fixed_rate_the_load_test_sends_that_many_requests() {
    let cli = Cli::new();
    cli.ok(&["demo", "--no-serve", "--dossiers", "100", "--seed", "6"]);
    let out = cli.ok(&[
        "loadtest",
        "--connections",
        "4",
        "--rate",
        "100",
        "--duration",
        "1",
        "--warmup",
        "0.2",
        "--scenario",
        "track,search",
    ]);

    assert!(out.contains("open loop"), "{out}");
    for scenario in ["track", "search"] {
        let line = out
            .lines()
            .find(|l| l.split_whitespace().next() == Some(scenario))
            .unwrap_or_else(|| panic!("no row '{scenario}' in:\n{out}"));
        let requests: u64 = line.split_whitespace().nth(1).unwrap().parse().unwrap();
        // 100 per second for one second: a closed loop would send many times more.
        assert!((90..=110).contains(&requests), "{line}");
    }
    let err = cli.fails(&["loadtest", "--rate", "0", "--scenario", "search"]);
    assert!(err.contains("--rate"), "{err}");
}
