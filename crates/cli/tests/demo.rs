//! `motcua demo` end to end: the built binary on a throw-away SQLite file.
#![expect(clippy::unwrap_used, reason = "a failed step fails the test")]

use std::process::Command;

use calamine::{Data, DataType, Reader, Xlsx, open_workbook};
use chrono::Datelike;
use motcua_web::export::{FORM06_FIRST_ROW, FORM06_SHEET, Table};

fn motcua(url: &str, args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_motcua"))
        .args(["--database", url, "--sqlite-durability", "normal"])
        .args(args)
        .env_remove("MOTCUA_DATABASE_URL")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// The numbers of the English line starting with `label`, e.g. `Received: 1,234 (online 5, …)`.
fn numbers(text: &str, label: &str) -> Vec<u64> {
    let line = text
        .lines()
        .find(|l| l.starts_with(label))
        .unwrap_or_else(|| panic!("no line '{label}' in:\n{text}"));
    line.split(|c: char| !(c.is_ascii_digit() || c == ','))
        .map(|w| w.replace(',', ""))
        .filter(|w| !w.is_empty())
        .map(|w| w.parse().unwrap())
        .collect()
}

#[test]
fn demo_builds_prints_the_headline_and_is_not_built_twice() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/demo.sqlite", dir.path().display());
    let out = motcua(
        &url,
        &["demo", "--no-serve", "--dossiers", "200", "--seed", "3"],
    );

    assert!(
        out.contains("200 hồ sơ") && out.contains("200 dossiers"),
        "{out}"
    );
    let received = numbers(&out, "Received:");
    let [total, online, desk, post] = received[..] else {
        panic!("{received:?}")
    };
    assert_eq!(total, online + desk + post);
    assert!((150..=200).contains(&total), "{out}");
    let resolved = numbers(&out, "Resolved:");
    let [resolved, early, on_time, late] = resolved[..] else {
        panic!("{resolved:?}")
    };
    assert!(early + on_time + late <= resolved);
    let in_progress = numbers(&out, "In progress:");
    assert_eq!(total, resolved + in_progress[0], "{out}");
    // Open dossiers of procedures without a time limit are not classified.
    assert!(in_progress[1] + in_progress[2] <= in_progress[0], "{out}");
    // Both families of rates, each labelled, Vietnamese style then English style.
    for label in [
        "Tỷ lệ đúng hạn (766: (trước hạn + đúng hạn + đang giải quyết trong hạn) ÷ đã tiếp nhận): ",
        "On-time rate (766: (early + on time + in progress within time) ÷ received): ",
        "Tỷ lệ đúng hạn (Thông tư 01: (trước hạn + đúng hạn) ÷ đã giải quyết): ",
        "On-time rate (Circular 01: (early + on time) ÷ resolved): ",
        "Overdue rate (766: (late + in progress overdue) ÷ received): ",
        "Overdue rate (Circular 01: late ÷ resolved): ",
        "Online rate (online ÷ received): ",
        "Electronic-result rate (electronic results ÷ resolved): ",
    ] {
        let line = out
            .lines()
            .find(|l| l.starts_with(label))
            .unwrap_or_else(|| panic!("no '{label}' in:\n{out}"));
        // Each language's own number style: "99,49 %" in Vietnamese, "99.49%" in English.
        if label.starts_with("Tỷ lệ") {
            assert!(
                line.contains(',') && line.contains(" %"),
                "decimal comma: {line}"
            );
        } else {
            assert!(
                line.contains('.') && line.contains("%"),
                "decimal point: {line}"
            );
        }
    }
    assert!(out.contains("dossiers/s"), "{out}");

    // The suggested dossier exists.
    let code = out
        .lines()
        .find_map(|l| l.split("motcua dossier show ").nth(1))
        .unwrap()
        .trim()
        .to_owned();
    let shown = motcua(&url, &["dossier", "show", &code]);
    assert!(shown.contains(&code), "{shown}");

    // The operations centre's figures come from the counters the demo kept while it wrote:
    // they match the log, and the months' newly received dossiers add up to the headline.
    let check = motcua(&url, &["kpi", "check"]);
    assert!(check.contains("the counters match the log"), "{check}");
    // The history's first and last local days, from "… dossiers from 2025-12-03 to 2026-12-02 …".
    let span = out
        .lines()
        .find_map(|l| l.strip_prefix("Demo province of Bắc Ninh:"))
        .and_then(|l| l.split(" from ").nth(1))
        .unwrap();
    let day = |text: &str| chrono::NaiveDate::parse_from_str(&text[..10], "%Y-%m-%d").unwrap();
    let (first, last) = (day(span), day(span.split(" to ").nth(1).unwrap()));
    let mut counted = 0;
    let mut month = first.with_day(1).unwrap();
    while month <= last {
        let period = month.format("%Y-%m").to_string();
        let json = motcua(
            &url,
            &["kpi", "--unit", "24", "--period", &period, "--json"],
        );
        let doc: serde_json::Value = serde_json::from_str(&json).unwrap();
        let row = &doc["report06"];
        let c = &row["counts"];
        let n = |v: &serde_json::Value| v.as_u64().unwrap();
        let newly = n(&c["online"]) + n(&c["in_person"]) + n(&c["postal"]);
        assert_eq!(
            n(&row["received"]),
            n(&c["carried_over"]) + newly,
            "{period}"
        );
        assert_eq!(
            n(&row["received"]),
            n(&row["resolved"]) + n(&row["in_progress"]),
            "{period}"
        );
        counted += newly + n(&doc["unclassified"]);
        month = month.checked_add_months(chrono::Months::new(1)).unwrap();
    }
    assert_eq!(counted, total);

    // The published page's files, written by the CLI for a closed month: the workbook of
    // every table, one table as CSV, and the Biểu 06 form; their figures are the report's.
    let period = first
        .with_day(1)
        .unwrap()
        .checked_add_months(chrono::Months::new(1))
        .unwrap()
        .format("%Y-%m")
        .to_string();
    let doc: serde_json::Value = serde_json::from_str(&motcua(
        &url,
        &["kpi", "--unit", "24", "--period", &period, "--json"],
    ))
    .unwrap();
    let figure = |key: &str| doc["report06"][key].as_u64().unwrap();
    let (book, form, csv) = (
        dir.path().join("ket-qua.xlsx"),
        dir.path().join("bieu-06.xlsx"),
        dir.path().join("chi-so.csv"),
    );
    let path = |p: &std::path::Path| p.to_str().unwrap().to_owned();
    let wrote = motcua(
        &url,
        &[
            "kpi",
            "--unit",
            "24",
            "--period",
            &period,
            "--xlsx",
            &path(&book),
            "--form06",
            &path(&form),
            "--csv",
            &path(&csv),
            "--table",
            "chi-so",
        ],
    );
    assert_eq!(wrote.matches("wrote").count(), 3, "{wrote}");
    let mut workbook: Xlsx<_> = open_workbook(&book).unwrap();
    let sheets: Vec<&str> = Table::ALL.iter().map(|t| t.sheet_name()).collect();
    assert_eq!(workbook.sheet_names(), sheets);
    let sheet = workbook
        .worksheet_range(Table::Report06.sheet_name())
        .unwrap();
    let count = |key: &str| {
        let row = (0..40)
            .find(|r| sheet.get_value((*r, 0)) == Some(&Data::String(key.into())))
            .unwrap_or_else(|| panic!("no row {key}"));
        sheet.get_value((row, 3)).and_then(Data::as_f64).unwrap() as u64
    };
    assert_eq!(count("received"), figure("received"));
    assert!(count("received") > 0, "{period}");
    assert_eq!(count("received"), count("resolved") + count("in_progress"));
    assert_eq!(count("resolved"), figure("resolved"));
    let mut form06: Xlsx<_> = open_workbook(&form).unwrap();
    let sheet = form06.worksheet_range(FORM06_SHEET).unwrap();
    let cell = |col| {
        sheet
            .get_value((FORM06_FIRST_ROW, col))
            .and_then(Data::as_f64)
            .unwrap() as u64
    };
    assert_eq!(cell(2), figure("received"));
    assert_eq!(cell(2), cell(6) + cell(10), "(3) = (7) + (11)");
    let text = std::fs::read_to_string(&csv).unwrap();
    assert!(text.starts_with("\u{feff}Loại,Mã,Chỉ số,"), "{text}");
    // The whole history as one run of months, and as years: the same dossiers received,
    // nothing carried over into its first month, its figures at now.
    let whole = format!("{}..{}", first.format("%Y-%m"), last.format("%Y-%m"));
    let years: Vec<String> = (first.year()..=last.year())
        .map(|y| y.to_string())
        .collect();
    let mut by_year = 0;
    for period in std::iter::once(&whole).chain(&years) {
        let json = motcua(&url, &["kpi", "--unit", "24", "--period", period, "--json"]);
        let doc: serde_json::Value = serde_json::from_str(&json).unwrap();
        let n = |v: &serde_json::Value| v.as_u64().unwrap();
        let (row, c) = (&doc["report06"], &doc["report06"]["counts"]);
        assert_eq!(doc["period"], period.as_str(), "{json}");
        assert_eq!(
            n(&row["received"]),
            n(&row["resolved"]) + n(&row["in_progress"]),
            "{period}"
        );
        let newly = n(&c["online"]) + n(&c["in_person"]) + n(&c["postal"]);
        if period == &whole {
            assert_eq!(n(&c["carried_over"]), 0, "{period}");
            assert_eq!(newly + n(&doc["unclassified"]), total, "{period}");
            assert!(
                doc["period_vi"].as_str().unwrap().starts_with("Từ "),
                "{json}"
            );
        } else {
            by_year += newly + n(&doc["unclassified"]);
        }
    }
    assert_eq!(by_year, total);
    let quarter = motcua(&url, &["kpi", "--unit", "24", "--period", "2026-Q3"]);
    assert!(
        quarter.contains("Quý III/2026 / Q3 2026 (2026-Q3)"),
        "{quarter}"
    );
    let text = motcua(&url, &["kpi", "--unit", "24"]);
    assert!(
        text.contains("Biểu 06/VPCP/KSTT") && text.contains("Decision 766 index"),
        "{text}"
    );
    for (args, wanted) in [
        (
            &["kpi", "--unit", "99999"][..],
            "no agency or administrative unit",
        ),
        (
            &["kpi", "--unit", "24", "--period", "2026-13"],
            "a period must read YYYY-MM (month), YYYY-Qn (quarter), YYYY (year) or YYYY-MM..YYYY-MM (months), got «2026-13»",
        ),
        (
            &["kpi", "--unit", "24", "--period", "2026-06..2026-01"],
            "the first month comes after the last",
        ),
        (&["kpi"], "--unit (a unit or agency code) is missing"),
        (
            &["kpi", "--unit", "24", "--map", "x"],
            "the map must be today or period, not «x»",
        ),
        (
            &["kpi", "--unit", "27", "--period", "2026-10"],
            "an old unit: read it on the period's map",
        ),
        (
            &["kpi", "--unit", "24", "--csv", "x.csv", "--table", "x"],
            "the table must be bieu06, chi-so, xu-huong, xep-hang, so-lieu-nhap or nhiem-vu",
        ),
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_motcua"))
            .args(["--database", &url])
            .args(args)
            .env_remove("MOTCUA_DATABASE_URL")
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            !out.status.success() && stderr.contains(wanted),
            "{args:?}: {stderr}"
        );
    }

    // Figures from elsewhere come in from CSV, all or none, the wrong line named.
    let csv = dir.path().join("vneid.csv");
    std::fs::write(
        &csv,
        "\u{feff}don_vi,thang,ma,ten,gia_tri,don_vi_tinh,nguon\n\
         24,2026-10,vneid.kich_hoat,Tài khoản VNeID được kích hoạt,152340,tài khoản,Công an tỉnh\n",
    )
    .unwrap();
    let imported = motcua(&url, &["kpi", "import", csv.to_str().unwrap()]);
    assert!(imported.contains("imported 1 figures"), "{imported}");
    std::fs::write(
        &csv,
        "don_vi,thang,ma,ten,gia_tri,don_vi_tinh,nguon\n24,2026-10,a,A,many,,X\n",
    )
    .unwrap();
    let bad = Command::new(env!("CARGO_BIN_EXE_motcua"))
        .args(["--database", &url, "kpi", "import", csv.to_str().unwrap()])
        .env_remove("MOTCUA_DATABASE_URL")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&bad.stderr);
    assert!(
        !bad.status.success() && stderr.contains("line 2, gia_tri"),
        "{stderr}"
    );

    // A second run only prints the figures.
    let again = motcua(
        &url,
        &["demo", "--no-serve", "--dossiers", "200", "--seed", "3"],
    );
    assert!(again.contains("already in the database"), "{again}");
    assert_eq!(numbers(&again, "Received:"), received);
}
