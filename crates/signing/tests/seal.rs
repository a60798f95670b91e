//! Seals made and checked: round trips, each way a check must fail, and openssl agreeing.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::process::Command;

use chrono::{DateTime, Duration, TimeZone, Utc};
use motcua_signing::cert::{self, Subject};
use motcua_signing::seal::{self, VerifyError};
use motcua_signing::{Credential, MasterKey, SigningError};

fn at(y: i32, m: u32, d: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, 3, 0, 0).unwrap()
}

fn root_subject() -> Subject {
    Subject {
        common_name: "motcua Demo Root CA — Bắc Ninh".into(),
        organization: "UBND tỉnh Bắc Ninh".into(),
        unit_code: None,
    }
}

fn agency_subject() -> Subject {
    Subject {
        common_name: "Sở Tư pháp tỉnh Bắc Ninh".into(),
        organization: "UBND tỉnh Bắc Ninh".into(),
        unit_code: Some("000.00.10.H08".into()),
    }
}

struct Pki {
    root: Credential,
    agency: Credential,
}

/// A root valid 2026–2036 and an agency certificate valid 2026–2029, with fresh keys.
fn pki() -> Pki {
    pki_valid(at(2026, 1, 1), at(2029, 1, 1))
}

fn pki_valid(from: DateTime<Utc>, until: DateTime<Utc>) -> Pki {
    let root = cert::new_authority(&root_subject(), 1, from, from + Duration::days(3650)).unwrap();
    let agency = cert::issue(&root, &root_subject(), &agency_subject(), 2, from, until).unwrap();
    Pki { root, agency }
}

const DOCUMENT: &[u8] = b"%PDF-1.7 ket qua giai quyet thu tuc hanh chinh";

#[test]
fn a_seal_verifies_and_names_its_signer_and_root() {
    let pki = pki();
    let signed_at = at(2026, 12, 3);
    let p7s = seal::seal(DOCUMENT, &pki.agency, &[], signed_at).unwrap();
    let ok = seal::verify(
        DOCUMENT,
        &p7s,
        std::slice::from_ref(&pki.root.certificate),
        at(2027, 1, 1),
    )
    .unwrap();
    assert_eq!(ok.signer.common_name, "Sở Tư pháp tỉnh Bắc Ninh");
    assert!(
        ok.signer.subject.contains("000.00.10.H08"),
        "{}",
        ok.signer.subject
    );
    assert_eq!(ok.root.common_name, "motcua Demo Root CA — Bắc Ninh");
    assert!(ok.root.is_authority && !ok.signer.is_authority);
    assert_eq!(ok.signing_time, signed_at);
    assert_eq!(seal::signer_of(&p7s).unwrap(), ok.signer);
}

#[test]
fn a_changed_document_fails_as_changed() {
    let pki = pki();
    let p7s = seal::seal(DOCUMENT, &pki.agency, &[], at(2026, 12, 3)).unwrap();
    let mut tampered = DOCUMENT.to_vec();
    tampered[10] ^= 1;
    let err = seal::verify(&tampered, &p7s, &[pki.root.certificate], at(2027, 1, 1)).unwrap_err();
    assert_eq!(err, VerifyError::ContentChanged);
    assert!(err.to_string().contains("đã bị thay đổi"));
}

#[test]
fn a_changed_signature_fails() {
    let pki = pki();
    let mut p7s = seal::seal(DOCUMENT, &pki.agency, &[], at(2026, 12, 3)).unwrap();
    // The ECDSA signature is the seal's last field; flip a byte inside it.
    let n = p7s.len();
    p7s[n - 5] ^= 0x40;
    let err = seal::verify(DOCUMENT, &p7s, &[pki.root.certificate], at(2027, 1, 1)).unwrap_err();
    assert!(
        matches!(err, VerifyError::BadSignature | VerifyError::Malformed(_)),
        "{err:?}"
    );
}

#[test]
fn an_impostor_with_the_same_names_but_other_keys_is_refused() {
    let pki = pki();
    let impostor = pki_with_same_names();
    let p7s = seal::seal(DOCUMENT, &impostor.agency, &[], at(2026, 12, 3)).unwrap();
    let err = seal::verify(DOCUMENT, &p7s, &[pki.root.certificate], at(2027, 1, 1)).unwrap_err();
    assert_eq!(err, VerifyError::BadSignature);
}

/// Certificates with the same names as [`pki`]'s, and other keys.
fn pki_with_same_names() -> Pki {
    pki()
}

#[test]
fn an_unknown_root_is_untrusted() {
    let pki = pki();
    let other = Subject {
        common_name: "Another Root".into(),
        organization: "Elsewhere".into(),
        unit_code: None,
    };
    let other_root = cert::new_authority(&other, 9, at(2026, 1, 1), at(2036, 1, 1)).unwrap();
    let p7s = seal::seal(DOCUMENT, &pki.agency, &[], at(2026, 12, 3)).unwrap();
    let err = seal::verify(DOCUMENT, &p7s, &[other_root.certificate], at(2027, 1, 1)).unwrap_err();
    assert!(matches!(err, VerifyError::Untrusted(_)), "{err:?}");
    let err = seal::verify(DOCUMENT, &p7s, &[], at(2027, 1, 1)).unwrap_err();
    assert!(matches!(err, VerifyError::Untrusted(_)), "{err:?}");
}

#[test]
fn a_certificate_expired_when_it_signed_fails_but_expiry_later_does_not() {
    let pki = pki();
    // Signed within validity, checked long after expiry: still genuine (rotation keeps
    // old documents verifiable).
    let p7s = seal::seal(DOCUMENT, &pki.agency, &[], at(2028, 12, 31)).unwrap();
    seal::verify(
        DOCUMENT,
        &p7s,
        std::slice::from_ref(&pki.root.certificate),
        at(2033, 6, 1),
    )
    .unwrap();
    // Signed after the certificate ended.
    let p7s = seal::seal(DOCUMENT, &pki.agency, &[], at(2029, 1, 2)).unwrap();
    let err = seal::verify(
        DOCUMENT,
        &p7s,
        std::slice::from_ref(&pki.root.certificate),
        at(2029, 2, 1),
    )
    .unwrap_err();
    match &err {
        VerifyError::CertificateNotValid {
            subject, not_after, ..
        } => {
            assert!(subject.contains("Sở Tư pháp"), "{subject}");
            assert_eq!(*not_after, at(2029, 1, 1));
        }
        other => panic!("{other:?}"),
    }
    // Signed before the certificate began.
    let p7s = seal::seal(DOCUMENT, &pki.agency, &[], at(2025, 12, 1)).unwrap();
    let err = seal::verify(DOCUMENT, &p7s, &[pki.root.certificate], at(2026, 2, 1)).unwrap_err();
    assert!(matches!(err, VerifyError::CertificateNotValid { .. }));
}

#[test]
fn a_signing_time_after_the_check_is_refused() {
    let pki = pki();
    let p7s = seal::seal(DOCUMENT, &pki.agency, &[], at(2026, 12, 3)).unwrap();
    let err = seal::verify(DOCUMENT, &p7s, &[pki.root.certificate], at(2026, 12, 2)).unwrap_err();
    assert!(matches!(err, VerifyError::SignedInTheFuture(_)));
}

#[test]
fn garbage_is_malformed_not_a_panic() {
    let pki = pki();
    for junk in [
        &b""[..],
        b"\x30\x03\x02\x01",
        b"-----BEGIN PKCS7-----\nxx\n-----END PKCS7-----\n",
        DOCUMENT,
    ] {
        let err = seal::verify(
            DOCUMENT,
            junk,
            std::slice::from_ref(&pki.root.certificate),
            at(2027, 1, 1),
        )
        .unwrap_err();
        assert!(matches!(err, VerifyError::Malformed(_)), "{err:?}");
    }
    // A certificate where a seal belongs.
    let err = seal::verify(DOCUMENT, &pki.root.certificate, &[], at(2027, 1, 1)).unwrap_err();
    assert!(matches!(err, VerifyError::Malformed(_)), "{err:?}");
    assert!(cert::certificate_info(b"not a certificate").is_err());
}

#[test]
fn a_key_that_is_not_the_certificates_is_refused_before_signing() {
    let pki = pki();
    let other = pki_with_same_names();
    let mixed = Credential {
        certificate: pki.agency.certificate.clone(),
        private_key: other.agency.private_key,
    };
    assert!(matches!(
        cert::check_credential(&mixed),
        Err(SigningError::KeyMismatch)
    ));
    assert!(matches!(
        seal::seal(DOCUMENT, &mixed, &[], at(2026, 12, 3)),
        Err(SigningError::KeyMismatch)
    ));
    cert::check_credential(&pki.agency).unwrap();
}

#[test]
fn wrapped_keys_open_only_with_their_master_key_and_row() {
    let master = MasterKey::generate().unwrap();
    let pki = pki();
    let wrapped = master
        .wrap(&pki.agency.private_key, "000.00.10.H08/1")
        .unwrap();
    assert_ne!(wrapped, pki.agency.private_key);
    assert_eq!(
        master.unwrap(&wrapped, "000.00.10.H08/1").unwrap(),
        pki.agency.private_key
    );
    assert!(matches!(
        master.unwrap(&wrapped, "000.00.10.H08/2"),
        Err(SigningError::Unwrap)
    ));
    let other = MasterKey::generate().unwrap();
    assert_ne!(other.id(), master.id());
    assert!(matches!(
        other.unwrap(&wrapped, "000.00.10.H08/1"),
        Err(SigningError::Unwrap)
    ));
    let mut flipped = wrapped;
    let last = flipped.len() - 1;
    flipped[last] ^= 1;
    assert!(matches!(
        master.unwrap(&flipped, "000.00.10.H08/1"),
        Err(SigningError::Unwrap)
    ));
    assert!(matches!(
        master.unwrap(&[1, 2], "x"),
        Err(SigningError::Unwrap)
    ));
    let same = MasterKey::from_bytes(&master.to_bytes()).unwrap();
    assert_eq!(same.id(), master.id());
    assert!(matches!(
        MasterKey::from_bytes(&[0; 16]),
        Err(SigningError::MasterKeyLength(16))
    ));
}

fn openssl(dir: &Path, args: &[&str]) -> std::process::Output {
    Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("openssl is needed by this test: apt-get install openssl")
}

fn write_pem(dir: &Path, name: &str, der: &[u8]) {
    std::fs::write(dir.join(name), cert::to_pem(der)).unwrap();
}

#[test]
fn openssl_verifies_our_seal_and_rejects_a_changed_document() {
    let dir = tempfile::tempdir().unwrap();
    // openssl judges validity at the wall clock's now.
    let signed_at = wall_clock();
    let pki = pki_valid(
        signed_at - Duration::days(1),
        signed_at + Duration::days(365),
    );
    let p7s = seal::seal(DOCUMENT, &pki.agency, &[], signed_at).unwrap();
    std::fs::write(dir.path().join("doc.pdf"), DOCUMENT).unwrap();
    std::fs::write(dir.path().join("doc.pdf.p7s"), &p7s).unwrap();
    write_pem(dir.path(), "root.pem", &pki.root.certificate);
    let verify = |content: &str| {
        openssl(
            dir.path(),
            &[
                "cms",
                "-verify",
                "-binary",
                "-inform",
                "DER",
                "-in",
                "doc.pdf.p7s",
                "-content",
                content,
                "-CAfile",
                "root.pem",
                "-out",
                "/dev/null",
            ],
        )
    };
    let out = verify("doc.pdf");
    assert!(
        out.status.success(),
        "openssl refused our seal: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut changed = DOCUMENT.to_vec();
    changed[0] = b'X';
    std::fs::write(dir.path().join("changed.pdf"), changed).unwrap();
    assert!(!verify("changed.pdf").status.success());
    // The agency's certificate chains to the root in openssl's eyes too.
    write_pem(dir.path(), "agency.pem", &pki.agency.certificate);
    let out = openssl(dir.path(), &["verify", "-CAfile", "root.pem", "agency.pem"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn credentials_made_by_openssl_sign_and_verify() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let run = |args: &[&str]| {
        let out = openssl(d, args);
        assert!(
            out.status.success(),
            "openssl {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    run(&[
        "ecparam",
        "-name",
        "prime256v1",
        "-genkey",
        "-noout",
        "-out",
        "ca.key",
    ]);
    run(&[
        "req",
        "-x509",
        "-new",
        "-key",
        "ca.key",
        "-subj",
        "/C=VN/O=Test CA/CN=Test Root",
        "-days",
        "3650",
        "-out",
        "ca.pem",
        "-addext",
        "basicConstraints=critical,CA:TRUE",
        "-addext",
        "keyUsage=critical,keyCertSign",
    ]);
    run(&[
        "genpkey",
        "-algorithm",
        "EC",
        "-pkeyopt",
        "ec_paramgen_curve:P-256",
        "-out",
        "agency.key",
    ]);
    run(&[
        "req",
        "-new",
        "-key",
        "agency.key",
        "-subj",
        "/C=VN/O=UBND/CN=Agency",
        "-out",
        "agency.csr",
    ]);
    run(&[
        "x509",
        "-req",
        "-in",
        "agency.csr",
        "-CA",
        "ca.pem",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-days",
        "365",
        "-out",
        "agency.pem",
    ]);
    let read = |name: &str| std::fs::read(d.join(name)).unwrap();
    let imported = Credential {
        certificate: cert::certificate_from_pem_or_der(&read("agency.pem")).unwrap(),
        private_key: cert::private_key_from_pem_or_der(&read("agency.key")).unwrap(),
    };
    cert::check_credential(&imported).unwrap();
    let root = cert::certificates_from_pem_or_der(&read("ca.pem")).unwrap();
    let now = wall_clock();
    let p7s = seal::seal(DOCUMENT, &imported, &[], now).unwrap();
    let ok = seal::verify(DOCUMENT, &p7s, &root, now + Duration::minutes(1)).unwrap();
    assert_eq!(ok.signer.common_name, "Agency");
    assert_eq!(ok.root.common_name, "Test Root");
}

/// The wall clock, for the tests that hand files to openssl (which checks validity now).
#[allow(clippy::disallowed_methods)]
fn wall_clock() -> DateTime<Utc> {
    let since = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap();
    Utc.timestamp_opt(i64::try_from(since.as_secs()).unwrap(), 0)
        .unwrap()
}

#[test]
fn a_joint_seal_carries_both_signatures_and_fails_if_either_does() {
    let pki = pki();
    let person = Subject {
        common_name: "Nguyễn Thị Hoa".into(),
        organization: "UBND phường Kinh Bắc".into(),
        unit_code: None,
    };
    let certifier = cert::issue(
        &pki.root,
        &root_subject(),
        &person,
        3,
        at(2026, 1, 1),
        at(2028, 1, 1),
    )
    .unwrap();
    let signed_at = at(2026, 12, 3);
    let p7s = seal::seal_jointly(
        DOCUMENT,
        &[(&certifier, &[]), (&pki.agency, &[])],
        signed_at,
    )
    .unwrap();
    let roots = [pki.root.certificate.clone()];
    let mut names: Vec<String> = seal::verify_jointly(DOCUMENT, &p7s, &roots, at(2027, 1, 1))
        .unwrap()
        .into_iter()
        .map(|s| s.signer.common_name)
        .collect();
    names.sort();
    assert_eq!(names, ["Nguyễn Thị Hoa", "Sở Tư pháp tỉnh Bắc Ninh"]);
    // A one-signer check refuses a joint seal rather than report half of it.
    assert!(seal::verify(DOCUMENT, &p7s, &roots, at(2027, 1, 1)).is_err());
    let mut changed = DOCUMENT.to_vec();
    changed[1] = b'Q';
    assert_eq!(
        seal::verify_jointly(&changed, &p7s, &roots, at(2027, 1, 1)).unwrap_err(),
        VerifyError::ContentChanged
    );
    // The certifier's certificate from another authority: the whole seal is untrusted.
    let stranger = crate::pki();
    let outsider = cert::issue(
        &stranger.root,
        &root_subject(),
        &person,
        4,
        at(2026, 1, 1),
        at(2028, 1, 1),
    )
    .unwrap();
    let p7s =
        seal::seal_jointly(DOCUMENT, &[(&outsider, &[]), (&pki.agency, &[])], signed_at).unwrap();
    assert!(matches!(
        seal::verify_jointly(DOCUMENT, &p7s, &roots, at(2027, 1, 1)),
        Err(VerifyError::BadSignature | VerifyError::Untrusted(_))
    ));
}

#[test]
fn openssl_verifies_a_joint_seal() {
    let dir = tempfile::tempdir().unwrap();
    let signed_at = wall_clock();
    let pki = pki_valid(
        signed_at - Duration::days(1),
        signed_at + Duration::days(365),
    );
    let certifier = cert::issue(
        &pki.root,
        &root_subject(),
        &Subject {
            common_name: "Nguyễn Thị Hoa".into(),
            organization: "UBND phường Kinh Bắc".into(),
            unit_code: None,
        },
        5,
        signed_at - Duration::days(1),
        signed_at + Duration::days(365),
    )
    .unwrap();
    let p7s = seal::seal_jointly(
        DOCUMENT,
        &[(&certifier, &[]), (&pki.agency, &[])],
        signed_at,
    )
    .unwrap();
    std::fs::write(dir.path().join("copy.pdf"), DOCUMENT).unwrap();
    std::fs::write(dir.path().join("copy.pdf.p7s"), &p7s).unwrap();
    write_pem(dir.path(), "root.pem", &pki.root.certificate);
    let out = openssl(
        dir.path(),
        &[
            "cms",
            "-verify",
            "-binary",
            "-inform",
            "DER",
            "-in",
            "copy.pdf.p7s",
            "-content",
            "copy.pdf",
            "-CAfile",
            "root.pem",
            "-out",
            "/dev/null",
        ],
    );
    assert!(
        out.status.success(),
        "openssl refused the joint seal: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = openssl(
        dir.path(),
        &[
            "cms",
            "-cmsout",
            "-print",
            "-inform",
            "DER",
            "-in",
            "copy.pdf.p7s",
            "-noout",
        ],
    );
    let printed = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        printed.matches("d.issuerAndSerialNumber:").count(),
        2,
        "{printed}"
    );
}
