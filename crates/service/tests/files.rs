//! Uploaded files, on SQLite and PostgreSQL: what is accepted, stored once by content,
//! attached to a dossier, read back only by those who may read the dossier.
#![expect(clippy::unwrap_used, reason = "a failed step fails the test")]

use std::collections::BTreeMap;

use motcua_domain::dossier::{Command, Status};
use motcua_domain::event::Role;
use motcua_service::drafts::{DraftForm, SaveDraft};
use motcua_service::files::{MAX_FILE_BYTES, Upload};
use motcua_service::{Acting, ServiceError};
use motcua_storage::{Store, StoreError};
use motcua_test_support::contract_tests;

mod common;

use common::*;

fn upload(name: &str, bytes: &[u8]) -> Upload {
    Upload {
        name: name.into(),
        size: bytes.len() as u64,
        bytes: bytes.to_vec(),
    }
}

async fn uploads_are_checked_and_stored_once(store: &Store) {
    let f = fixture(store).await;
    let s = &f.services;
    let first = s
        .store_upload("Tờ khai", upload("a.pdf", PDF))
        .await
        .unwrap();
    let second = s
        .store_upload("Bản sao", upload("C:\\scan\\b.PDF", PDF))
        .await
        .unwrap();
    assert_eq!(first.sha256, second.sha256, "one content, one identity");
    assert_eq!(second.name, "b.PDF");
    assert_eq!(first.media_type, "application/pdf");
    let stored = store.find_file(&first.sha256).await.unwrap().unwrap();
    assert_eq!(stored.size, PDF.len() as i64);
    assert_eq!(s.file_store().read(&first.sha256).await.unwrap(), PDF);
    let on_disk: Vec<_> = std::fs::read_dir(s.file_store().dir().join(&first.sha256[..2]))
        .unwrap()
        .collect();
    assert_eq!(on_disk.len(), 1);

    let refused = |r: Result<_, ServiceError>| match r {
        Err(ServiceError::Invalid(m)) => m,
        other => panic!("{other:?}"),
    };
    let m = refused(
        s.store_upload("Tờ khai", upload("x.exe", b"MZ\x90\x00"))
            .await,
    );
    assert!(m.contains("«Tờ khai»") && m.contains("“Tờ khai”"), "{m}");
    let m = refused(s.store_upload("Ảnh", upload("photo.jpg", PDF)).await);
    assert!(m.contains("not a valid PDF, JPEG or PNG"), "{m}");
    let big = Upload {
        name: "big.pdf".into(),
        size: MAX_FILE_BYTES + 1,
        bytes: PDF.to_vec(),
    };
    let m = refused(s.store_upload("Bản vẽ", big).await);
    assert!(m.contains("10 MB"), "{m}");
}

async fn a_dossier_s_files_are_read_by_those_who_may_read_it(store: &Store) {
    let f = fixture(store).await;
    let s = &f.services;
    let a = citizen(&f, CITIZEN_A).await;
    let b = citizen(&f, CITIZEN_B).await;
    let file = s
        .store_upload("Tờ khai", upload("to-khai.pdf", PDF))
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
                files: BTreeMap::from([(0, file.clone())]),
            },
        )
        .await
        .unwrap();
    let dossier = s.submit_draft(&a, &draft.id, 1).await.unwrap();
    let code = dossier.code().clone();
    let (found, bytes) = s.dossier_file(&a, &code, &file.sha256).await.unwrap();
    assert_eq!((found, bytes.as_slice()), (file.clone(), PDF));
    // The receiving agency's staff read it; another applicant and another agency do not.
    let desk = staff(Role::DeskOfficer, KINH_BAC);
    assert!(s.dossier_file(&desk, &code, &file.sha256).await.is_ok());
    for outsider in [b.clone(), staff(Role::DeskOfficer, JUSTICE)] {
        assert!(matches!(
            s.dossier_file(&outsider, &code, &file.sha256).await,
            Err(ServiceError::Store(StoreError::NotFound { .. }))
        ));
    }
    // A file of the store that is not the dossier's is not reachable through it.
    let other = s
        .store_upload("x", upload("x.png", b"\x89PNG\r\n\x1a\nx"))
        .await
        .unwrap();
    assert!(matches!(
        s.dossier_file(&a, &code, &other.sha256).await,
        Err(ServiceError::Store(StoreError::NotFound { .. }))
    ));

    // A supplement with files: recorded as attachments, then the supplement.
    let system = Acting::cli("test");
    s.act_on_dossier(&system, &code, Command::Receive, None)
        .await
        .unwrap();
    s.act_on_dossier(
        &system,
        &code,
        Command::RequestSupplement {
            reasons: "Thiếu giấy chứng sinh".into(),
        },
        None,
    )
    .await
    .unwrap();
    assert!(matches!(
        s.provide_supplement(&b, &code, std::slice::from_ref(&other), None)
            .await,
        Err(ServiceError::Store(StoreError::NotFound { .. }))
    ));
    let supplied = s
        .provide_supplement(&a, &code, std::slice::from_ref(&other), None)
        .await
        .unwrap();
    assert_eq!(supplied.status, Status::InProgress);
    let attached = s.dossier_attachments_for(&a, &code).await.unwrap();
    assert_eq!(attached[0].files, vec![other.clone()]);
    assert!(s.dossier_file(&a, &code, &other.sha256).await.is_ok());
    assert!(matches!(
        s.provide_supplement(&a, &code, &[], None).await,
        Err(ServiceError::Refused(m)) if m.contains("awaits no supplement")
    ));
}

contract_tests!(
    uploads_are_checked_and_stored_once,
    a_dossier_s_files_are_read_by_those_who_may_read_it,
);
