//! Electronic certified copies from originals, on SQLite and PostgreSQL: a dossier of
//! `2.000815` received at the desk with the original's scan is due the same day (or the next working day after 15:00), its certifier makes
//! the copy, which is numbered in the year's register, sealed by the certifier and the
//! agency together, charged by its pages, and verifies for anyone; a copy cannot be made
//! twice, by a specialist, or for another procedure.
#![expect(clippy::unwrap_used, reason = "a failed step fails the test")]

use chrono::{Datelike as _, FixedOffset, Timelike as _};
use motcua_domain::document::{CertificationFees, DocumentKind, Verdict};
use motcua_domain::dossier::{Applicant, ApplicantId, Component, DossierCode, ResultForm};
use motcua_domain::event::{Channel, Role};
use motcua_domain::kpi::index766::Indicator;
use motcua_service::ServiceError;
use motcua_service::certification::CopyRequest;
use motcua_service::documents::VerifyChannel;
use motcua_service::dossiers::NewDossier;
use motcua_service::files::Upload;
use motcua_service::office::{IntakeDecision, procedure_ref};
use motcua_storage::Store;
use motcua_test_support::{contract_tests, scan_png};

mod common;

fn vietnam() -> FixedOffset {
    FixedOffset::east_opt(7 * 3600).unwrap()
}

use common::*;

fn upload(name: &str, bytes: Vec<u8>) -> Upload {
    Upload {
        name: name.into(),
        size: bytes.len() as u64,
        bytes,
    }
}

/// Citizen A brings the original of `procedure` to the desk, which scans it and receives the
/// dossier.
async fn received(f: &Fixture, procedure: &str) -> DossierCode {
    let s = &f.services;
    let scan = s
        .store_upload("Bản chính", upload("khai-sinh.png", scan_png()))
        .await
        .unwrap();
    let found = s.procedure_in_force(procedure).await.unwrap();
    let new = NewDossier {
        agency: KINH_BAC.into(),
        procedure: procedure_ref(&found),
        applicant: Applicant {
            id: ApplicantId::Person(CITIZEN_A.parse().unwrap()),
            name: "Trần Thị Bình".into(),
            phone: None,
            email: None,
            address: None,
        },
        channel: Channel::Desk,
        components: vec![Component {
            name: "Bản chính giấy tờ".into(),
            has_file: true,
            reused: false,
            from_data_store: false,
            files: vec![scan],
        }],
        eid_verified: false,
    };
    s.desk_intake(
        &staff(Role::DeskOfficer, KINH_BAC),
        new,
        IntakeDecision::Receive,
    )
    .await
    .unwrap()
    .code()
    .clone()
}

fn request(original: &str) -> CopyRequest {
    CopyRequest {
        original: original.into(),
        scans: Vec::new(),
    }
}

async fn a_certified_copy_is_numbered_sealed_twice_and_verifies(store: &Store) {
    let f = fixture(store).await;
    let s = &f.services;
    let leader = staff(Role::Leader, KINH_BAC);
    let code = received(&f, "2.000815").await;
    // Received at 09:00 on a Monday: due the same day, at the end of office hours.
    let due = s.find_dossier(&code).await.unwrap().due.unwrap();
    let due = due.with_timezone(&vietnam());
    assert_eq!((due.day(), due.hour()), (23, 17), "{due}");

    let err = s
        .certify_copy(
            &staff(Role::Specialist, KINH_BAC),
            &code,
            request("Giấy khai sinh"),
            None,
        )
        .await
        .unwrap_err();
    assert!(matches!(err, ServiceError::Forbidden(_)), "{err:?}");
    let err = s
        .certify_copy(&leader, &code, request("  "), None)
        .await
        .unwrap_err();
    assert!(
        matches!(&err, ServiceError::Invalid(m) if m.contains("original")),
        "{err:?}"
    );

    // 766 indicator 4.6: the ward (the province's one commune) provides no e-copies yet.
    let copies_rate = |unit: &'static str| async move {
        s.kpi_report(
            &motcua_service::Acting::cli("test"),
            unit,
            s.current_month(),
        )
        .await
        .unwrap()
        .index
        .indicator(Indicator::ElectronicCertifiedCopies)
        .and_then(|i| i.ratio)
        .map(|r| (r.numerator, r.denominator))
    };
    assert_eq!(copies_rate(KINH_BAC).await, Some((0, 1)));
    assert_eq!(copies_rate("24").await, Some((0, 1)));
    assert_eq!(copies_rate(JUSTICE).await, None, "not a commune");
    let (dossier, copy) = s
        .certify_copy(&leader, &code, request("Giấy khai sinh"), None)
        .await
        .unwrap();
    assert_eq!(copies_rate(KINH_BAC).await, Some((1, 1)));
    assert_eq!(copies_rate("24").await, Some((1, 1)));
    // The month's figures count the copy issued, at the ward and in the province.
    for unit in [KINH_BAC, "24"] {
        let month = s
            .kpi_report(
                &motcua_service::Acting::cli("test"),
                unit,
                s.current_month(),
            )
            .await
            .unwrap();
        assert_eq!(
            (month.documents.certified_copies, month.documents.results),
            (1, 0),
            "{unit}"
        );
    }
    assert_eq!(dossier.result.map(|r| r.0), Some(ResultForm::Electronic));
    assert_eq!(copy.issue.kind, DocumentKind::CertifiedCopy);
    let entry = copy.issue.certification.clone().unwrap();
    assert_eq!(
        (entry.register_number, entry.register_book.as_str()),
        (1, "01/2026-SCT/BSĐT")
    );
    assert_eq!((entry.pages, entry.fee), (1, 2_000));
    assert_eq!(entry.original, "Giấy khai sinh");
    assert_eq!(
        copy.issue.number.as_deref(),
        Some("1, quyển số 01/2026-SCT/BSĐT")
    );
    let kinds: Vec<String> = s
        .dossier_history(&code)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.kind)
        .collect();
    assert!(
        kinds.ends_with(&["processing_finished".into(), "result_issued".into()]),
        "{kinds:?}"
    );

    // The scan and the statement page; the seal is the certifier's and the agency's.
    let (_, pdf) = s
        .dossier_file(&leader, &code, &copy.issue.file.sha256)
        .await
        .unwrap();
    assert_eq!(motcua_pdf::page_count(&pdf).unwrap(), 2);
    let (_, p7s) = s
        .dossier_file(&leader, &code, &copy.issue.seal.sha256)
        .await
        .unwrap();
    let roots = s.trusted_roots().await.unwrap();
    let mut signers: Vec<String> =
        motcua_signing::seal::verify_jointly(&pdf, &p7s, &roots, s.now())
            .unwrap()
            .into_iter()
            .map(|sealed| sealed.signer.fingerprint)
            .collect();
    signers.sort();
    let mut expected = vec![
        copy.issue.certificate.clone(),
        entry.certifier_certificate.clone(),
    ];
    expected.sort();
    assert_eq!(signers, expected);
    let keys = s.signing_keys().await.unwrap();
    assert!(
        keys.iter().any(
            |k| k.owner.starts_with("account:") && k.fingerprint == entry.certifier_certificate
        ),
        "{keys:?}"
    );
    let checked = s
        .verify_code(None, &copy.issue.code, VerifyChannel::Code)
        .await
        .unwrap();
    assert_eq!(checked.verdict, Verdict::Genuine);
    assert_eq!(checked.document.unwrap().kind, DocumentKind::CertifiedCopy);

    // Once per dossier; the next dossier takes the next number.
    let err = s
        .certify_copy(&leader, &code, request("Giấy khai sinh"), None)
        .await
        .unwrap_err();
    assert!(matches!(err, ServiceError::Refused(_)), "{err:?}");
    let second = received(&f, "2.000815").await;
    let (_, next) = s
        .certify_copy(
            &leader,
            &second,
            CopyRequest {
                original: "Bằng tốt nghiệp".into(),
                // The certifier scans the original anew: two pages.
                scans: vec![
                    upload("trang-1.png", scan_png()),
                    upload("trang-2.png", scan_png()),
                ],
            },
            None,
        )
        .await
        .unwrap();
    let entry = next.issue.certification.unwrap();
    assert_eq!(
        (entry.register_number, entry.pages, entry.fee),
        (2, 2, 4_000)
    );

    // Not a certification procedure: no copy.
    let other = received(&f, "1.001193").await;
    let err = s
        .certify_copy(&leader, &other, request("Giấy phép"), None)
        .await
        .unwrap_err();
    assert!(
        matches!(&err, ServiceError::Refused(m) if m.contains("1.001193")),
        "{err:?}"
    );
}

async fn a_late_request_is_due_the_next_working_day_and_fees_are_configurable(store: &Store) {
    let f = fixture(store).await;
    // Monday 23/11/2026, 15:30: after the cut-off.
    f.clock.set(vn(2026, 11, 23, 15, 30));
    let s = f.services.clone().with_certification_fees(
        "first_pages=1,first_price=3000,later_price=1500"
            .parse::<CertificationFees>()
            .unwrap(),
    );
    let code = received(&f, "2.000815").await;
    let due = s
        .find_dossier(&code)
        .await
        .unwrap()
        .due
        .unwrap()
        .with_timezone(&vietnam());
    // Tuesday 24/11 is Vietnam Culture Day, a holiday from 2026: Wednesday.
    assert_eq!((due.day(), due.hour()), (25, 17), "{due}");
    let (_, copy) = s
        .certify_copy(
            &staff(Role::Leader, KINH_BAC),
            &code,
            CopyRequest {
                original: "Giấy khai sinh".into(),
                scans: vec![
                    upload("1.png", scan_png()),
                    upload("2.png", scan_png()),
                    upload("3.png", scan_png()),
                ],
            },
            None,
        )
        .await
        .unwrap();
    assert_eq!(copy.issue.certification.unwrap().fee, 3_000 + 2 * 1_500);
    // A file that is not a scan is named, not signed.
    let second = received(&f, "2.000815").await;
    let err = s
        .certify_copy(
            &staff(Role::Leader, KINH_BAC),
            &second,
            CopyRequest {
                original: "Giấy khai sinh".into(),
                scans: vec![upload("x.png", b"not an image".to_vec())],
            },
            None,
        )
        .await
        .unwrap_err();
    assert!(matches!(err, ServiceError::Invalid(_)), "{err:?}");
}

contract_tests!(
    a_certified_copy_is_numbered_sealed_twice_and_verifies,
    a_late_request_is_due_the_next_working_day_and_fees_are_configurable,
);
