//! `motcua catalog …` end to end: the built binary against a temporary SQLite file.
#![expect(clippy::unwrap_used, reason = "a failed step fails the test")]

use std::path::{Path, PathBuf};
use std::process::Output;

mod common;

use common::Cli;

use motcua_domain::catalog::codec::COLUMNS;
use motcua_domain::catalog::shipped::PROCEDURES_CSV;

/// A temporary database for `motcua catalog …` commands.
struct Db(Cli);

impl Db {
    fn new() -> Db {
        Db(Cli::new())
    }

    fn path(&self, name: &str) -> PathBuf {
        self.0.path(name)
    }

    /// Runs `motcua --database … catalog ARGS`.
    fn catalog(&self, args: &[&str]) -> Output {
        let mut all = vec!["catalog"];
        all.extend_from_slice(args);
        self.0.run(&all)
    }

    /// Runs and expects success; returns stdout.
    fn ok(&self, args: &[&str]) -> String {
        let out = self.catalog(args);
        assert!(
            out.status.success(),
            "motcua catalog {args:?} failed:\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }
}

fn path_str(p: &Path) -> &str {
    p.to_str().unwrap()
}

#[test]
fn bundled_import_exports_and_reimports_unchanged() {
    let db = Db::new();
    let first = db.ok(&["import", "--bundled"]);
    assert!(
        first.contains("2849 created, 0 revised, 0 unchanged"),
        "{first}"
    );

    // CSV export of the bundled catalogue is the shipped file, byte for byte (no BOM).
    let csv = db.path("catalogue.csv");
    db.ok(&["export", "--output", path_str(&csv)]);
    assert!(std::fs::read_to_string(&csv).unwrap() == PROCEDURES_CSV);
    let again = db.ok(&["import", path_str(&csv)]);
    assert!(
        again.contains("0 created, 0 revised, 2849 unchanged, 0 published, 0 withdrawn"),
        "{again}"
    );

    // JSON (format from the extension), and CSV with a BOM for spreadsheets.
    let json = db.path("catalogue.json");
    db.ok(&["export", "-o", path_str(&json)]);
    let parsed: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    assert_eq!(parsed.as_array().unwrap().len(), 2_849);
    assert!(
        db.ok(&["import", path_str(&json)])
            .contains("2849 unchanged")
    );
    let bom = db.path("excel.csv");
    db.ok(&["export", "--bom", "-o", path_str(&bom)]);
    assert!(
        std::fs::read_to_string(&bom)
            .unwrap()
            .starts_with('\u{feff}')
    );
    assert!(
        db.ok(&["import", path_str(&bom)])
            .contains("2849 unchanged")
    );

    // To stdout.
    let stdout = db.ok(&["export", "--format", "json"]);
    assert!(stdout.starts_with("[\n"));

    // Search ignores diacritics and case; the best match comes first.
    let found = db.ok(&["search", "thu", "tuc", "ban", "sao"]);
    let lines: Vec<&str> = found.lines().collect();
    assert!(!lines.is_empty());
    assert!(
        lines.iter().all(|l| l.to_lowercase().contains("bản sao")),
        "{found}"
    );
    assert!(found.contains("2.000908"), "{found}");
    let best = db.ok(&["search", "CHUNG THUC BAN SAO", "--limit", "1", "--json"]);
    let best: serde_json::Value = serde_json::from_str(&best).unwrap();
    assert_eq!(best[0]["code"], "2.000815");
    let none = db.ok(&["search", "xyzzy"]);
    assert!(none.contains("no procedure matches 'xyzzy'"), "{none}");

    // Show names the parts of a procedure.
    let shown = db.ok(&["show", "1.013124"]);
    for part in [
        "Thời hạn / Time limit: 30 working_days",
        "Thành phần hồ sơ / Dossier components:",
        "mẫu / form: 5-PHLCII.doc",
        "Phí, lệ phí / Fees: miễn phí / free",
        "Căn cứ pháp lý / Legal basis:",
        "12/2021/QĐ-TTg",
        "Mức độ trực tuyến / Online level: partial",
        "Cơ quan thực hiện / Implementing agencies:",
    ] {
        assert!(shown.contains(part), "missing {part:?} in\n{shown}");
    }
    let as_json: serde_json::Value =
        serde_json::from_str(&db.ok(&["show", "2.000815", "--json"])).unwrap();
    assert_eq!(as_json["code"], "2.000815");
    let missing = db.catalog(&["show", "9.999999"]);
    assert!(!missing.status.success());
    assert!(
        String::from_utf8_lossy(&missing.stderr)
            .contains("procedure 9.999999 is not in the catalogue")
    );
}

#[test]
fn a_bad_csv_lists_every_problem_and_imports_nothing() {
    let db = Db::new();
    let header = COLUMNS.join(",");
    let good = "1.000001,1,Thủ tục tốt,,,,,,,,,,15,working_days,,,,,,,,,,,,,,,";
    let bad_limit = "1.000002,1,Thủ tục hỏng,,,,,,,,,,mười,working_days,,,,,,,,,,,,,,,";
    let bad_level = "1.000003,1,Thủ tục hỏng nữa,,huyện,,,,,,,,,,,,,,,,,,,,,,,,";
    let file = db.path("bad.csv");
    std::fs::write(
        &file,
        format!("{header}\n{good}\n{bad_limit}\n{bad_level}\n"),
    )
    .unwrap();
    let out = db.catalog(&["import", path_str(&file)]);
    assert!(!out.status.success());
    let stderr = String::from_utf8(out.stderr).unwrap();
    for expected in [
        "Dòng 3, cột time_limit_value: 'mười' không phải là số nguyên hoặc nửa đơn vị",
        "Line 3, field time_limit_value: 'mười' is not a whole or half number",
        "Dòng 4, cột levels",
        "Line 4, field levels",
        "2 problems, nothing was imported",
    ] {
        assert!(
            stderr.contains(expected),
            "missing {expected:?} in\n{stderr}"
        );
    }
    let exported = db.ok(&["export"]);
    assert_eq!(exported, format!("{header}\n"));

    // A JSON file names the array index and field.
    let json = db.path("bad.json");
    std::fs::write(
        &json,
        r#"[{"code": "1.000001", "name": "A"}, {"code": "x", "name": "B"}]"#,
    )
    .unwrap();
    let out = db.catalog(&["import", path_str(&json)]);
    assert!(!out.status.success());
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.contains("Phần tử [1], trường code"), "{stderr}");
    assert!(stderr.contains("Item [1], field code"), "{stderr}");
}

#[test]
fn publication_and_plans_from_the_command_line() {
    let db = Db::new();
    let header = COLUMNS.join(",");
    let file = db.path("draft.csv");
    std::fs::write(
        &file,
        format!(
            "{header}\n2.000635,1,\"Cấp bản sao Trích lục hộ tịch, bản sao Giấy khai sinh\",Hộ tịch,,,,,,,,,4,working_days,,,,,,,,,,,,,,,\n"
        ),
    )
    .unwrap();
    db.ok(&["import", path_str(&file)]);
    let published = db.ok(&[
        "publish",
        "2.000635",
        "--decision",
        "1811/QĐ-TTPVHCC",
        "--date",
        "2025-07-01",
    ]);
    assert!(
        published.contains("published procedure 2.000635 v1"),
        "{published}"
    );
    let shown = db.ok(&["show", "2.000635", "--on", "2025-07-01"]);
    assert!(
        shown.contains("Trạng thái / State: published (1811/QĐ-TTPVHCC, 2025-07-01)"),
        "{shown}"
    );
    let again = db.catalog(&["publish", "2.000635", "--decision", "2"]);
    assert!(!again.status.success());
    assert!(
        String::from_utf8_lossy(&again.stderr)
            .contains("Cannot move a procedure from 'published' to 'published'")
    );
    let bad_date = db.catalog(&["withdraw", "2.000635", "--effective", "1/7/2026"]);
    assert!(!bad_date.status.success());
    assert!(String::from_utf8_lossy(&bad_date.stderr).contains("is not a YYYY-MM-DD date"));

    let help = db.ok(&["plan", "propose", "--help"]);
    assert!(help.contains("\"cost_before\""), "{help}");
    let proposal = db.path("plan.json");
    let cost = |vnd: u32| {
        format!(
            r#"{{"hours": 0, "service_fees_vnd": 0, "charges_vnd": 0, "other_costs_vnd": {vnd}, "times_per_year": 1, "subjects_per_year": 3228}}"#
        )
    };
    std::fs::write(
        &proposal,
        format!(
            r#"{{"procedure": "2.000635", "description": "Trả kết quả điện tử",
                "before": {{"time_limit": {{"value": 4, "unit": "working_days"}}, "fees_vnd": 8000, "components": 2, "steps": 5}},
                "after": {{"time_limit": {{"value": 3, "unit": "working_days"}}, "fees_vnd": 8000, "components": 1, "steps": 3}},
                "cost_before": {}, "cost_after": {}}}"#,
            cost(1_024_000),
            cost(231_000)
        ),
    )
    .unwrap();
    let proposed = db.ok(&["plan", "propose", path_str(&proposal)]);
    assert!(proposed.starts_with("2.000635-1  [proposed]"), "{proposed}");
    assert!(
        proposed.contains("3.305.472.000 → 745.668.000"),
        "{proposed}"
    );
    assert!(proposed.contains("= 77.44 %"), "{proposed}");
    assert!(proposed.contains("time cut: 25.00 %"), "{proposed}");
    let implement_early = db.catalog(&["plan", "implement", "2.000635-1"]);
    assert!(!implement_early.status.success());
    assert!(
        db.ok(&[
            "plan",
            "approve",
            "2.000635-1",
            "--decision",
            "1811/QĐ-TTPVHCC"
        ])
        .contains("[approved (1811/QĐ-TTPVHCC)]")
    );
    assert!(
        db.ok(&[
            "plan",
            "implement",
            "2.000635-1",
            "--procedure-version",
            "1"
        ])
        .contains("[implemented")
    );
    let listed: serde_json::Value =
        serde_json::from_str(&db.ok(&["plan", "--hourly-income", "60000", "list", "--json"]))
            .unwrap();
    assert_eq!(listed[0]["id"], "2.000635-1");
    assert_eq!(listed[0]["plan"]["state"], "implemented");
    assert_eq!(listed[0]["saving"]["saving_vnd"], 2_559_804_000_i64);
    let bad = db.path("bad-plan.json");
    std::fs::write(&bad, r#"{"procedure": "2.000635"}"#).unwrap();
    let refused = db.catalog(&["plan", "propose", path_str(&bad)]);
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("is not a valid plan proposal"));
}
