//! `motcua units …` end to end: the built binary on a throw-away SQLite file.

mod common;

use common::Cli;

trait Loaded {
    fn loaded() -> Cli;
}

impl Loaded for Cli {
    fn loaded() -> Cli {
        let cli = Cli::new();
        cli.ok(&["units", "load"]);
        cli
    }
}

#[test]
fn load_prints_counts_and_is_idempotent() {
    let cli = Cli::new();
    let first = cli.ok(&["units", "load"]);
    assert!(
        first.contains("14180 phiên bản đơn vị / unit versions"),
        "{first}"
    );
    assert!(first.contains("3355 sáp nhập / mergers"), "{first}");
    assert!(first.contains("34 cơ quan / agencies"), "{first}");
    let second = cli.ok(&["units", "load"]);
    assert!(second.contains("nothing written"), "{second}");
}

#[test]
fn list_filters_by_province_kind_and_day() {
    let cli = Cli::loaded();
    let bac_ninh = cli.json(&["units", "list", "--province", "24", "--json"]);
    assert_eq!(bac_ninh.as_array().unwrap().len(), 99);
    assert!(
        bac_ninh
            .as_array()
            .unwrap()
            .iter()
            .all(|u| u["parent"] == "24")
    );
    let text = cli.ok(&["units", "list", "--kind", "province"]);
    assert!(text.ends_with("# 34 đơn vị / units\n"), "{text}");
    let old = cli.json(&[
        "units",
        "list",
        "--kind",
        "province",
        "--on",
        "2024-12-31",
        "--json",
    ]);
    assert_eq!(old.as_array().unwrap().len(), 63);
    // Before the reform 24 was Bắc Giang, with districts.
    let districts = cli.json(&[
        "units",
        "list",
        "--province",
        "24",
        "--kind",
        "district",
        "--on",
        "2024-12-31",
        "--json",
    ]);
    assert_eq!(districts.as_array().unwrap().len(), 10);
}

#[test]
fn successors_map_old_units_onto_today() {
    let cli = Cli::loaded();
    let of_27 = cli.json(&["units", "successors", "27", "--json"]);
    assert_eq!(of_27.as_array().unwrap().len(), 1);
    assert_eq!(of_27[0]["unit"]["code"], "24");
    assert_eq!(of_27[0]["unit"]["full_name"], "Tỉnh Bắc Ninh");
    assert_eq!(of_27[0]["share"], "full");
    // Old Bắc Giang has the code 24 too: the day says which one is meant.
    let of_24 = cli.json(&["units", "successors", "24", "--on", "2025-06-30", "--json"]);
    assert_eq!(of_24[0]["unit"]["full_name"], "Tỉnh Bắc Ninh");
    let trúc_bạch = cli.ok(&["units", "successors", "00004", "--on", "2025-06-30"]);
    assert!(trúc_bạch.contains("Phường Ba Đình"), "{trúc_bạch}");
    let show = cli.ok(&["units", "show", "24"]);
    assert!(show.contains("Tỉnh Bắc Giang"), "{show}");
    assert!(show.contains("24@2025-07-01"), "{show}");
}

#[test]
fn agencies_are_added_listed_and_given_hours() {
    let cli = Cli::loaded();
    let added = cli.ok(&[
        "units",
        "agency",
        "add",
        "--code",
        "000.00.13.H05",
        "--name",
        "Trung tâm Phục vụ hành chính công tỉnh Bắc Ninh",
        "--kind",
        "service_centre",
        "--unit",
        "24",
        "--hours",
        "08:00-12:00,13:00-17:00",
    ]);
    assert!(added.contains("000.00.13.H05"), "{added}");
    let listed = cli.json(&["units", "agencies", "--unit", "24", "--json"]);
    let listed = listed.as_array().unwrap();
    assert_eq!(listed.len(), 2);
    let centre = listed
        .iter()
        .find(|a| a["code"] == "000.00.13.H05")
        .unwrap();
    assert_eq!(centre["kind"], "service_centre");
    assert_eq!(centre["hours"], "08:00-12:00,13:00-17:00");
    cli.ok(&["units", "agency", "hours", "000.00.13.H05", "default"]);
    let all = cli.json(&["units", "agencies", "--json"]);
    assert_eq!(all.as_array().unwrap().len(), 35);
    assert!(all.as_array().unwrap().iter().all(|a| a["hours"].is_null()));

    let taken = cli.fails(&[
        "units",
        "agency",
        "add",
        "--code",
        "000.00.13.H05",
        "--name",
        "X",
        "--kind",
        "department",
        "--unit",
        "24",
    ]);
    assert!(
        taken.contains("đã được đăng ký / agency identifier code"),
        "{taken}"
    );
}

#[test]
fn bad_input_names_the_field_in_both_languages() {
    let cli = Cli::loaded();
    let err = cli.fails(&["units", "list", "--kind", "town"]);
    assert!(err.contains("--kind"), "{err}");
    assert!(err.contains("không phải cấp đơn vị") && err.contains("is not a unit level"));
    let err = cli.fails(&["units", "list", "--on", "2025-13-01"]);
    assert!(
        err.contains("--on") && err.contains(" / is not a YYYY-MM-DD date"),
        "{err}"
    );
    let err = cli.fails(&[
        "units",
        "agency",
        "add",
        "--code",
        "H05.242",
        "--name",
        "X",
        "--kind",
        "department",
        "--unit",
        "24",
    ]);
    assert!(err.contains("--code") && err.contains("4 phần") && err.contains("4 dot-separated"));
    let err = cli.fails(&["units", "agency", "hours", "000.00.00.H05", "8-12"]);
    assert!(
        err.contains("buổi 1") && err.contains("session 1 '8-12'"),
        "{err}"
    );
    let err = cli.fails(&[
        "units",
        "agency",
        "add",
        "--code",
        "000.00.14.H05",
        "--name",
        "X",
        "--kind",
        "department",
        "--unit",
        "27",
    ]);
    assert!(err.contains("unit '27', which does not exist"), "{err}");
    let err = cli.fails(&["units", "show", "27", "--on", "2026-01-01"]);
    assert!(err.contains("Không có đơn vị mã '27'") && err.contains("No unit with code '27'"));
}
