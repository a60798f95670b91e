//! `motcua verify` end to end, offline with `--ca`: a certified copy's joint seal (certifier
//! and agency) verifies with both signers named; a changed file or a stranger's root fails
//! with exit code 1 and the reason.
#![allow(clippy::unwrap_used, reason = "a failed step fails the test")]

mod common;

use chrono::{Duration, Utc};
use common::Cli;
use motcua_signing::cert::{self, Subject};
use motcua_signing::seal;

fn subject(common_name: &str, unit_code: Option<&str>) -> Subject {
    Subject {
        common_name: common_name.into(),
        organization: "UBND tỉnh Bắc Ninh".into(),
        unit_code: unit_code.map(Into::into),
    }
}

#[test]
fn a_joint_seal_verifies_offline_and_a_changed_copy_does_not() {
    // The binary judges at the wall clock: certificates around it.
    #[allow(
        clippy::disallowed_methods,
        reason = "certificates valid now, for the binary"
    )]
    let now = Utc::now();
    let (from, until) = (now - Duration::days(1), now + Duration::days(365));
    let root_subject = subject("motcua Root CA — test", None);
    let root = cert::new_authority(&root_subject, 1, from, until).unwrap();
    let agency = cert::issue(
        &root,
        &root_subject,
        &subject("UBND phường Kinh Bắc", Some("001.00.50.H05")),
        2,
        from,
        until,
    )
    .unwrap();
    let certifier = cert::issue(
        &root,
        &root_subject,
        &subject("Nguyễn Thị Hoa", None),
        3,
        from,
        until,
    )
    .unwrap();
    let copy = b"%PDF-1.7 ban sao dien tu duoc chung thuc tu ban chinh";
    let p7s = seal::seal_jointly(copy, &[(&certifier, &[]), (&agency, &[])], now).unwrap();
    let cli = Cli::new();
    std::fs::write(cli.path("copy.pdf"), copy).unwrap();
    std::fs::write(cli.path("copy.pdf.p7s"), &p7s).unwrap();
    std::fs::write(cli.path("root.pem"), cert::to_pem(&root.certificate)).unwrap();
    let file = cli.path("copy.pdf").display().to_string();
    let ca = cli.path("root.pem").display().to_string();

    let report = cli.json(&["verify", &file, "--ca", &ca, "--json"]);
    assert_eq!(report["genuine"], true, "{report}");
    let mut names: Vec<String> = report["signers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["subject"].as_str().unwrap().to_owned())
        .collect();
    names.sort();
    assert!(names[0].contains("Nguyễn Thị Hoa"), "{names:?}");
    assert!(names[1].contains("UBND phường Kinh Bắc"), "{names:?}");
    let text = cli.ok(&["verify", &file, "--ca", &ca]);
    assert_eq!(text.matches("ký bởi / signed by").count(), 2, "{text}");

    let mut changed = copy.to_vec();
    changed[9] = b'X';
    std::fs::write(cli.path("copy.pdf"), &changed).unwrap();
    let refused = cli.run(&["verify", &file, "--ca", &ca]);
    assert_eq!(refused.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(stderr.contains("changed after it was signed"), "{stderr}");

    std::fs::write(cli.path("copy.pdf"), copy).unwrap();
    let stranger = cert::new_authority(&root_subject, 9, from, until).unwrap();
    std::fs::write(cli.path("other.pem"), cert::to_pem(&stranger.certificate)).unwrap();
    let other = cli.path("other.pem").display().to_string();
    let refused = cli.run(&["verify", &file, "--ca", &other]);
    assert_eq!(refused.status.code(), Some(1));
}
