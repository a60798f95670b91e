//! `motcua calendar …` end to end: the built binary on a throw-away SQLite file.

mod common;

use common::Cli;

#[test]
fn converts_lunar_and_solar_dates_line_by_line() {
    let cli = Cli::new();
    let out = cli.run_with_input(
        &["calendar", "lunar-to-solar"],
        "2026-01-01\n2025-06-01L\n2030-01-01\n1985-01-01\n",
    );
    assert!(out.status.success());
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        "2026-02-17\n2025-07-25\n2030-02-02\n1985-01-21\n"
    );
    let out = cli.run_with_input(&["calendar", "solar-to-lunar"], "2026-02-17\n2025-07-25\n");
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        "2026-01-01\n2025-06-01L\n"
    );
}

#[test]
fn a_bad_line_stops_the_conversion_and_is_named() {
    let cli = Cli::new();
    let out = cli.run_with_input(&["calendar", "lunar-to-solar"], "2024-01-01\n2024-04-01L\n");
    assert!(!out.status.success());
    assert_eq!(String::from_utf8(out.stdout).unwrap(), "2024-02-10\n");
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("dòng 2 / line 2"), "{err}");
    assert!(err.contains("no leap month 4"), "{err}");
}

#[test]
fn lists_the_holidays_of_a_year() {
    let cli = Cli::new();
    let days = cli.json(&["calendar", "holidays", "2026", "--json"]);
    let days = days.as_array().unwrap();
    let find = |date: &str| days.iter().find(|d| d["date"] == date).unwrap();
    assert_eq!(find("2026-11-24")["kind"], "statutory");
    assert_eq!(find("2026-04-27")["kind"], "compensatory");
    assert_eq!(find("2026-08-22")["working"], true);
    let text = cli.ok(&["calendar", "holidays", "2026"]);
    assert!(text.contains("Giỗ Tổ Hùng Vương"), "{text}");
}

#[test]
fn prints_the_due_instant() {
    let cli = Cli::new();
    let due = cli.ok(&[
        "calendar",
        "due",
        "--from",
        "2026-11-23T10:00:00+07:00",
        "--working-days",
        "5",
    ]);
    assert_eq!(due.trim(), "2026-12-01T10:00:00+07:00");
    let due = cli.ok(&[
        "calendar",
        "due",
        "--from",
        "2026-11-27T16:00:00+07:00",
        "--working-hours",
        "2",
    ]);
    assert_eq!(due.trim(), "2026-11-30T08:30:00+07:00");
    let err = cli.fails(&[
        "calendar",
        "due",
        "--from",
        "27/11/2026",
        "--working-days",
        "1",
    ]);
    assert!(err.contains("--from '27/11/2026'"), "{err}");
}

#[test]
fn an_imported_schedule_replaces_the_rules_for_its_year() {
    let cli = Cli::new();
    let by_rule = cli.json(&["calendar", "holidays", "2027", "--json"]);
    assert!(by_rule.as_array().unwrap().len() > 3);
    let file = cli.path("vn-2027.csv");
    std::fs::write(
        &file,
        "# source: test notice\n\
         date,kind,name_vi,name_en\n\
         2027-01-01,statutory,Tết Dương lịch,New Year's Day\n\
         2027-09-02,statutory,Quốc khánh,National Day\n\
         2027-09-03,statutory,Quốc khánh (ngày liền kề),National Day (adjacent day)\n",
    )
    .unwrap();
    let said = cli.ok(&["calendar", "import", file.to_str().unwrap()]);
    assert!(said.contains("2027"), "{said}");
    let days = cli.json(&["calendar", "holidays", "2027", "--json"]);
    assert_eq!(days.as_array().unwrap().len(), 3);

    std::fs::write(
        &file,
        "date,kind,name_vi,name_en\n2027-01-01,statutory,Tết,New Year\n2027-02-30,statutory,X,X\n",
    )
    .unwrap();
    let err = cli.fails(&["calendar", "import", file.to_str().unwrap()]);
    assert!(err.contains("line 3"), "{err}");
    assert!(err.contains("date"), "{err}");
    // The refused file changed nothing.
    assert_eq!(
        cli.json(&["calendar", "holidays", "2027", "--json"])
            .as_array()
            .unwrap()
            .len(),
        3
    );
}
