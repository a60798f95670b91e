//! `motcua bench kpi` end to end on a small synthetic province: it runs, the counters and
//! the GROUP BY over the projection agree on every figure, and a second run reuses the fill.
#![expect(clippy::unwrap_used, reason = "a failed step fails the test")]

use std::process::Command;

fn bench(url: &str, dossiers: &str) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_motcua"))
        .args(["--database", url, "--sqlite-durability", "normal"])
        .args(["bench", "kpi", "--dossiers", dossiers])
        .args(["--rounds", "1", "--repeats", "2", "--json"])
        .env_remove("MOTCUA_DATABASE_URL")
        .output()
        .unwrap()
}

#[test]
fn the_kpi_bench_runs_and_both_computations_agree() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/kpi.sqlite", dir.path().display());
    let out = bench(&url, "20000");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["figures_agree"], true, "{doc}");
    assert_eq!(doc["dossiers"], 20_000);
    assert_eq!(doc["reused"], false);
    assert_eq!(doc["month"], "2027-12");
    // The province, its agencies and its communes.
    assert!(doc["every_unit_reports"].as_u64().unwrap() > 200, "{doc}");
    for read in ["every_unit", "trend"] {
        for time in ["ours_ms_median", "reference_ms_median", "ratio_median"] {
            assert!(
                doc[read][time].as_f64().unwrap() > 0.0,
                "{read} {time}: {doc}"
            );
        }
    }
    assert!(doc["database_bytes"].as_u64().unwrap() > 1_000_000, "{doc}");

    // The filled database is kept and used again as it is.
    let again = bench(&url, "20000");
    assert!(again.status.success());
    let doc: serde_json::Value = serde_json::from_slice(&again.stdout).unwrap();
    assert_eq!(doc["reused"], true, "{doc}");
    // Another size on the same database is refused rather than mixed in.
    let other = bench(&url, "30000");
    let stderr = String::from_utf8_lossy(&other.stderr);
    assert!(
        !other.status.success() && stderr.contains("already holds 20000 dossiers"),
        "{stderr}"
    );
}
