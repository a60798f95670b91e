//! Electronic results, sealed and verified, on SQLite and PostgreSQL: issuing one makes the
//! agency's key (and the installation's root) once, the seal verifies with the stored roots,
//! an uploaded copy is recognised byte for byte, a changed file is not, revocation shows,
//! every check is logged for the owner, and a rotated key keeps old documents verifiable.
#![expect(clippy::unwrap_used, reason = "a failed step fails the test")]

use std::collections::BTreeMap;

use motcua_domain::document::{DocumentKind, Verdict};
use motcua_domain::dossier::{Command, Decision, DossierCode, ResultForm};
use motcua_domain::event::Role;
use motcua_service::documents::VerifyChannel;
use motcua_service::drafts::{DraftForm, SaveDraft};
use motcua_service::files::Upload;
use motcua_service::{Acting, ServiceError};
use motcua_storage::Store;
use motcua_test_support::contract_tests;

mod common;

use common::*;

/// A dossier of citizen A at phường Kinh Bắc, received and approved.
async fn approved_dossier(f: &Fixture) -> DossierCode {
    let s = &f.services;
    let a = citizen(f, CITIZEN_A).await;
    let form = s
        .store_upload(
            "Đơn",
            Upload {
                name: "don.pdf".into(),
                size: PDF.len() as u64,
                bytes: PDF.to_vec(),
            },
        )
        .await
        .unwrap();
    let draft = s
        .save_draft(
            &a,
            SaveDraft {
                id: None,
                expected_version: 0,
                procedure_code: "1.001193".into(),
                form: DraftForm {
                    name: "Trần Thị Bình".into(),
                    agency: KINH_BAC.into(),
                    ..DraftForm::default()
                },
                files: BTreeMap::from([(0, form)]),
            },
        )
        .await
        .unwrap();
    let code = s
        .submit_draft(&a, &draft.id, 1)
        .await
        .unwrap()
        .code()
        .clone();
    let desk = staff(Role::DeskOfficer, KINH_BAC);
    let leader = staff(Role::Leader, KINH_BAC);
    s.act_on_dossier(&desk, &code, Command::Receive, None)
        .await
        .unwrap();
    s.act_on_dossier(
        &leader,
        &code,
        Command::Finish {
            decision: Decision::Approved,
        },
        None,
    )
    .await
    .unwrap();
    code
}

async fn an_electronic_result_is_sealed_and_verifies(store: &Store) {
    let f = fixture(store).await;
    let s = &f.services;
    let code = approved_dossier(&f).await;
    let leader = staff(Role::Leader, KINH_BAC);
    // A specialist may not sign.
    let err = s
        .issue_electronic_result(&staff(Role::Specialist, KINH_BAC), &code, None, "", None)
        .await
        .unwrap_err();
    assert!(matches!(err, ServiceError::Forbidden(_)), "{err:?}");
    let (dossier, doc) = s
        .issue_electronic_result(
            &leader,
            &code,
            Some("15/GCN".into()),
            "Có hiệu lực ngay.",
            None,
        )
        .await
        .unwrap();
    assert_eq!(dossier.result.map(|r| r.0), Some(ResultForm::Electronic));
    assert_eq!(doc.issue.kind, DocumentKind::Result);
    assert_eq!(
        doc.issue.dossier.as_deref(),
        Some(code.to_string().as_str())
    );
    assert!(
        doc.issue.signer.contains("phường Kinh Bắc"),
        "{}",
        doc.issue.signer
    );
    // The dossier's result and the document's issue are in the log.
    let history = s.dossier_history(&code).await.unwrap();
    assert_eq!(history.last().unwrap().kind, "result_issued");
    let stream = store
        .load_stream("document", &doc.issue.code)
        .await
        .unwrap();
    assert_eq!(stream.len(), 1);
    assert_eq!(stream[0].kind, "issued");
    // One root and one agency key were made, the private keys wrapped.
    let keys = s.signing_keys().await.unwrap();
    assert_eq!(keys.len(), 2, "{keys:?}");
    assert!(keys.iter().all(|k| k.wrapped_key.is_some()));
    assert!(keys.iter().any(|k| k.owner == KINH_BAC));

    // The PDF and its seal are files of the dossier for its applicant.
    let a = citizen(&f, CITIZEN_A).await;
    let (_, pdf) = s
        .dossier_file(&a, &code, &doc.issue.file.sha256)
        .await
        .unwrap();
    assert!(pdf.starts_with(b"%PDF-"));
    let (_, p7s) = s
        .dossier_file(&a, &code, &doc.issue.seal.sha256)
        .await
        .unwrap();
    let roots = s.trusted_roots().await.unwrap();
    let sealed = motcua_signing::seal::verify(&pdf, &p7s, &roots, s.now()).unwrap();
    assert_eq!(sealed.signer.fingerprint, doc.issue.certificate);

    // Verification by code (typed loosely), by the same bytes, and a changed file.
    let typed = doc.issue.code.to_lowercase().replace('-', " ");
    let by_code = s
        .verify_code(None, &typed, VerifyChannel::Code)
        .await
        .unwrap();
    assert_eq!(by_code.verdict, Verdict::Genuine);
    let public = by_code.document.unwrap();
    assert_eq!(public.agency_name, "Ủy ban nhân dân phường Kinh Bắc");
    assert_eq!(public.number.as_deref(), Some("15/GCN"));
    f.clock.set(s.now() + chrono::TimeDelta::minutes(1));
    let by_file = s
        .verify_file(Some(&a), &pdf, VerifyChannel::File)
        .await
        .unwrap();
    assert_eq!(by_file.verdict, Verdict::Genuine);
    let mut changed = pdf.clone();
    let at = changed.len() / 2;
    changed[at] ^= 1;
    let unknown = s
        .verify_file(None, &changed, VerifyChannel::File)
        .await
        .unwrap();
    assert_eq!(
        (unknown.verdict, unknown.document),
        (Verdict::Unknown, None)
    );
    assert!(matches!(
        s.verify_code(None, "not a code", VerifyChannel::Code).await,
        Err(ServiceError::Invalid(m)) if m.contains("XXXX-XXXX-XXXX")
    ));
    let nobody = s
        .verify_code(None, "0000-0000-0000", VerifyChannel::Api)
        .await
        .unwrap();
    assert_eq!(nobody.verdict, Verdict::Unknown);

    // The owner sees the two checks of the document, the signed-in one with its account.
    let (checks, total) = s
        .document_verifications(&a, &doc.issue.code, 10)
        .await
        .unwrap();
    assert_eq!(total, 2);
    assert_eq!(checks[0].channel, "file");
    assert_eq!(checks[0].account_id.as_deref(), Some(a.actor.id.as_str()));
    assert_eq!(checks[1].account_id, None);
    let b = citizen(&f, CITIZEN_B).await;
    assert!(
        s.document_verifications(&b, &doc.issue.code, 10)
            .await
            .is_err()
    );

    // Revocation: a reason is required; only the agency's leader; verification says so.
    assert!(matches!(
        s.revoke_document(&leader, &doc.issue.code, " ").await,
        Err(ServiceError::Invalid(_))
    ));
    assert!(matches!(
        s.revoke_document(&staff(Role::Leader, JUSTICE), &doc.issue.code, "Sai")
            .await,
        Err(ServiceError::Forbidden(_))
    ));
    let revoked = s
        .revoke_document(&leader, &doc.issue.code, "Cấp nhầm số")
        .await
        .unwrap();
    assert_eq!(revoked.version, 2);
    let after = s
        .verify_file(None, &pdf, VerifyChannel::File)
        .await
        .unwrap();
    assert!(
        matches!(&after.verdict, Verdict::Revoked { reason, .. } if reason == "Cấp nhầm số"),
        "{:?}",
        after.verdict
    );
}

async fn a_rotated_key_keeps_old_documents_verifiable(store: &Store) {
    let f = fixture(store).await;
    let s = &f.services;
    let leader = staff(Role::Leader, KINH_BAC);
    let first = approved_dossier(&f).await;
    let (_, old) = s
        .issue_electronic_result(&leader, &first, None, "", None)
        .await
        .unwrap();
    // Only the system administrator rotates keys.
    assert!(matches!(
        s.rotate_signing_key(&leader, KINH_BAC).await,
        Err(ServiceError::Forbidden(_))
    ));
    let rotated = s
        .rotate_signing_key(&Acting::cli("test"), KINH_BAC)
        .await
        .unwrap();
    assert_ne!(rotated.fingerprint, old.issue.certificate);
    let second = approved_dossier(&f).await;
    let (_, new) = s
        .issue_electronic_result(&leader, &second, None, "", None)
        .await
        .unwrap();
    assert_eq!(new.issue.certificate, rotated.fingerprint);
    for doc in [&old, &new] {
        let checked = s
            .verify_code(None, &doc.issue.code, VerifyChannel::Api)
            .await
            .unwrap();
        assert_eq!(checked.verdict, Verdict::Genuine, "{}", doc.issue.code);
    }
    let keys = s.signing_keys().await.unwrap();
    assert_eq!(keys.iter().filter(|k| k.owner == KINH_BAC).count(), 2);
    assert_eq!(
        keys.iter()
            .filter(|k| k.owner == KINH_BAC && k.retired_at.is_some())
            .count(),
        1
    );
}

async fn a_wrong_master_key_is_named_not_used(store: &Store) {
    let f = fixture(store).await;
    let s = &f.services;
    let leader = staff(Role::Leader, KINH_BAC);
    let code = approved_dossier(&f).await;
    s.issue_electronic_result(&leader, &code, None, "", None)
        .await
        .unwrap();
    // The same database with another master key (another machine's key file).
    let other = tempfile::tempdir().unwrap();
    let elsewhere =
        motcua_service::Services::new(store.clone(), std::sync::Arc::new(f.clock.clone()))
            .with_files_dir(other.path().join("files"));
    let second = approved_dossier(&f).await;
    let err = elsewhere
        .issue_electronic_result(&leader, &second, None, "", None)
        .await
        .unwrap_err();
    assert!(
        matches!(&err, ServiceError::Internal(m) if m.contains("another master key")),
        "{err:?}"
    );
}

contract_tests!(
    an_electronic_result_is_sealed_and_verifies,
    a_rotated_key_keeps_old_documents_verifiable,
    a_wrong_master_key_is_named_not_used,
);
