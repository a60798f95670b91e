//! The portal's storage — content-addressed files, drafts, dossier attachments, petitions —
//! on SQLite and PostgreSQL.
#![expect(clippy::unwrap_used, reason = "a failed step fails the test")]

use std::collections::BTreeMap;

use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use motcua_domain::calendar::{Calendar, CalendarConfig, bundled_schedules};
use motcua_domain::dossier::FileRef;
use motcua_domain::event::{Actor, Channel, EventMeta, Role};
use motcua_domain::petition::{
    PetitionAbout, PetitionClass, PetitionCommand, PetitionContact, PetitionContext, PetitionRules,
    PetitionSubmission, decide,
};
use motcua_storage::accounts::{AccountKind, AccountRow};
use motcua_storage::drafts::{DraftFile, DraftRow};
use motcua_storage::files::{FileStore, sha256_hex};
use motcua_storage::petitions::{self, PetitionQuery};
use motcua_storage::{Store, StoreError};
use motcua_test_support::contract_tests;

const A: &str = "u:00000000000000a1";
const B: &str = "u:00000000000000b2";
const PDF: &[u8] = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n";

fn at(minutes: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 23, 2, 0, 0).unwrap() + TimeDelta::minutes(minutes)
}

fn meta(actor: &str, minutes: i64) -> EventMeta {
    EventMeta {
        at: at(minutes),
        actor: Actor {
            id: actor.into(),
            role: Role::Citizen,
            agency: None,
        },
        channel: Channel::Online,
        request_id: None,
    }
}

async fn account(store: &Store, id: &str, login: &str) {
    let row = AccountRow {
        id: id.into(),
        kind: AccountKind::Citizen,
        login: login.into(),
        name: "Trần Thị Bình".into(),
        phone: None,
        role: Role::Citizen,
        agency: None,
        unit: None,
        eid_level: 1,
        disabled: false,
        created_at: at(0),
        version: 1,
    };
    store
        .create_account(&row, "$argon2id$v=19$x", &meta(id, 0))
        .await
        .unwrap();
}

async fn the_same_bytes_are_stored_once(store: &Store) {
    let dir = tempfile::tempdir().unwrap();
    let files = FileStore::new(dir.path().join("files"));
    let first = files
        .put(store, PDF.to_vec(), "application/pdf", at(0))
        .await
        .unwrap();
    let again = files
        .put(store, PDF.to_vec(), "application/pdf", at(5))
        .await
        .unwrap();
    assert_eq!(first.sha256, sha256_hex(PDF));
    // Same identity, same row: the second upload changed nothing, not even the instant.
    assert_eq!(again, first);
    assert_eq!(first.size, PDF.len() as i64);
    assert_eq!(files.read(&first.sha256).await.unwrap(), PDF);
    let path = files.path_of(&first.sha256).unwrap();
    assert!(path.starts_with(dir.path().join("files").join(&first.sha256[..2])));
    // Nothing is left behind in the temporary directory.
    let leftovers = std::fs::read_dir(dir.path().join("files").join("tmp"))
        .unwrap()
        .count();
    assert_eq!(leftovers, 0);
    assert!(
        files.read("../../etc/passwd").await.is_err(),
        "only SHA-256 names are ever read"
    );
    assert!(matches!(
        files.read(&sha256_hex(b"absent")).await,
        Err(StoreError::NotFound { .. })
    ));
}

async fn a_write_interrupted_by_a_crash_leaves_no_torn_file(store: &Store) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("files");
    let files = FileStore::new(&root);
    let sha = sha256_hex(PDF);
    // A crash during a write leaves a partial temporary file and nothing under the final
    // name: nobody ever reads the temporary file, and the next write completes normally.
    std::fs::create_dir_all(root.join("tmp")).unwrap();
    std::fs::write(root.join("tmp").join(format!("{sha}.1.0.part")), &PDF[..7]).unwrap();
    assert!(store.find_file(&sha).await.unwrap().is_none());
    let stored = files
        .put(store, PDF.to_vec(), "application/pdf", at(0))
        .await
        .unwrap();
    assert_eq!(files.read(&stored.sha256).await.unwrap(), PDF);

    // A crash after the rename but before the index row: the file is adopted as it is.
    let png = b"\x89PNG\r\n\x1a\n-image-".to_vec();
    let png_sha = sha256_hex(&png);
    let path = files.path_of(&png_sha).unwrap();
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, &png).unwrap();
    let adopted = files
        .put(store, png.clone(), "image/png", at(1))
        .await
        .unwrap();
    assert_eq!(adopted.sha256, png_sha);
    assert_eq!(store.find_file(&png_sha).await.unwrap(), Some(adopted));

    // Bytes damaged on disk are detected on reading, and replaced by the next upload.
    std::fs::write(&path, b"damaged").unwrap();
    assert!(matches!(
        files.read(&png_sha).await,
        Err(StoreError::Corrupt(_))
    ));
    files
        .put(store, png.clone(), "image/png", at(2))
        .await
        .unwrap();
    assert_eq!(files.read(&png_sha).await.unwrap(), png);
}

fn file_ref(bytes: &[u8], name: &str) -> FileRef {
    FileRef {
        sha256: sha256_hex(bytes),
        name: name.into(),
        media_type: "application/pdf".into(),
        size: bytes.len() as u64,
    }
}

fn draft(id: &str, account: &str) -> DraftRow {
    DraftRow {
        id: id.into(),
        account_id: account.into(),
        procedure_code: "1.001193".into(),
        form: BTreeMap::from([("name".to_owned(), "Trần Thị Bình".to_owned())]),
        files: Vec::new(),
        created_at: at(0),
        updated_at: at(0),
        version: 1,
    }
}

async fn drafts_are_saved_resumed_and_deleted_by_their_owner(store: &Store) {
    account(store, A, "027190123456").await;
    account(store, B, "001085000001").await;
    let saved = store.insert_draft(&draft("d1", A)).await.unwrap();
    assert_eq!(saved.version, 1);
    assert!(matches!(
        store.insert_draft(&draft("d1", A)).await,
        Err(StoreError::Duplicate { .. })
    ));
    let mut next = saved.clone();
    next.form.insert("phone".into(), "0912345678".into());
    next.files = vec![DraftFile {
        component: 0,
        file: file_ref(PDF, "to-khai.pdf"),
    }];
    next.updated_at = at(10);
    let updated = store.update_draft(&next, 1).await.unwrap();
    assert_eq!(updated.version, 2);
    assert_eq!(
        store.find_draft(A, "d1").await.unwrap(),
        Some(updated.clone())
    );
    // A save based on the old version is refused: no lost update between two tabs.
    assert!(matches!(
        store.update_draft(&next, 1).await,
        Err(StoreError::Conflict {
            expected: 1,
            actual: 2,
            ..
        })
    ));
    // Another account sees nothing and changes nothing.
    assert_eq!(store.find_draft(B, "d1").await.unwrap(), None);
    let mut theirs = next.clone();
    theirs.account_id = B.into();
    assert!(matches!(
        store.update_draft(&theirs, 2).await,
        Err(StoreError::NotFound { .. })
    ));
    assert!(matches!(
        store.delete_draft(B, "d1", None).await,
        Err(StoreError::NotFound { .. })
    ));
    store.insert_draft(&draft("d2", A)).await.unwrap();
    let listed: Vec<String> = store
        .list_drafts(A)
        .await
        .unwrap()
        .into_iter()
        .map(|d| d.id)
        .collect();
    assert_eq!(listed, ["d1", "d2"], "last saved first");
    assert!(matches!(
        store.delete_draft(A, "d1", Some(1)).await,
        Err(StoreError::Conflict { .. })
    ));
    store.delete_draft(A, "d1", Some(2)).await.unwrap();
    assert_eq!(store.find_draft(A, "d1").await.unwrap(), None);
    assert!(!format!("{updated:?}").contains("Bình"));
}

async fn attachments_are_recorded_in_order(store: &Store) {
    let dir = tempfile::tempdir().unwrap();
    let files = FileStore::new(dir.path());
    let code = "000.00.10.H05-261123-0001";
    let unknown = file_ref(b"never stored", "x.pdf");
    assert!(matches!(
        store
            .record_attachment(code, "supplement", &[unknown], &meta(A, 1))
            .await,
        Err(StoreError::NotFound { .. })
    ));
    files
        .put(store, PDF.to_vec(), "application/pdf", at(0))
        .await
        .unwrap();
    let first = store
        .record_attachment(code, "supplement", &[file_ref(PDF, "a.pdf")], &meta(A, 2))
        .await
        .unwrap();
    let second = store
        .record_attachment(code, "supplement", &[file_ref(PDF, "b.pdf")], &meta(A, 3))
        .await
        .unwrap();
    assert_eq!((first.version, second.version), (1, 2));
    let all = store.dossier_attachments(code).await.unwrap();
    assert_eq!(all, vec![first, second]);
    let log = store
        .load_stream(motcua_storage::files::ATTACHMENT_STREAM, code)
        .await
        .unwrap();
    assert_eq!(log.len(), 2);
    assert_eq!(log[1].payload["files"][0]["name"], "b.pdf");
}

fn submission(code: &str, agency: &str, account: Option<&str>) -> PetitionSubmission {
    PetitionSubmission {
        code: code.into(),
        agency: agency.into(),
        class: PetitionClass::Staff,
        about: PetitionAbout::Agency,
        title: "Thái độ tiếp dân".into(),
        content: "Cán bộ không hướng dẫn.".into(),
        contact: PetitionContact {
            name: "Lê Văn An".into(),
            phone: Some("0912345678".into()),
            email: None,
            address: None,
        },
        account: account.map(str::to_owned),
    }
}

async fn petitions_are_recorded_with_their_log_and_listed(store: &Store) {
    let calendar = Calendar::new(CalendarConfig::default(), bundled_schedules()).unwrap();
    let rules = PetitionRules::default();
    let ctx = |minutes| PetitionContext {
        now: at(minutes),
        calendar: &calendar,
        rules: &rules,
    };
    let mut states = Vec::new();
    for (code, agency, account) in [
        ("PA-1", "000.00.10.H05", Some(A)),
        ("PA-2", "000.00.10.H05", None),
        ("PA-3", "000.00.11.H05", None),
    ] {
        let (events, state) = decide(
            None,
            &PetitionCommand::Submit(Box::new(submission(code, agency, account))),
            &ctx(0),
        )
        .unwrap();
        let mut tx = store.begin().await.unwrap();
        petitions::record(&mut tx, 0, &events, &state, &meta(A, 0))
            .await
            .unwrap();
        tx.commit().await.unwrap();
        states.push(state);
    }
    // A code is taken once.
    let (events, state) = decide(
        None,
        &PetitionCommand::Submit(Box::new(submission("PA-1", "000.00.10.H05", None))),
        &ctx(0),
    )
    .unwrap();
    let mut tx = store.begin().await.unwrap();
    assert!(matches!(
        petitions::record(&mut tx, 0, &events, &state, &meta(A, 0)).await,
        Err(StoreError::Duplicate { .. })
    ));
    drop(tx);

    let (events, answered) = decide(
        Some(&states[0]),
        &PetitionCommand::Answer {
            answer: "Đã nhắc nhở cán bộ.".into(),
        },
        &ctx(60),
    )
    .unwrap();
    let mut tx = store.begin().await.unwrap();
    petitions::record(&mut tx, 1, &events, &answered, &meta(B, 60))
        .await
        .unwrap();
    tx.commit().await.unwrap();
    // A decision on a stale state loses.
    let mut tx = store.begin().await.unwrap();
    assert!(matches!(
        petitions::record(&mut tx, 1, &events, &answered, &meta(B, 61)).await,
        Err(StoreError::Conflict { .. })
    ));
    drop(tx);
    let (events, published) = decide(Some(&answered), &PetitionCommand::Publish, &ctx(90)).unwrap();
    let mut tx = store.begin().await.unwrap();
    petitions::record(&mut tx, 2, &events, &published, &meta(B, 90))
        .await
        .unwrap();
    tx.commit().await.unwrap();

    assert_eq!(
        store.find_petition("PA-1").await.unwrap(),
        Some(published.clone())
    );
    let log = store.load_stream(petitions::STREAM, "PA-1").await.unwrap();
    let kinds: Vec<_> = log.iter().map(|e| e.kind.as_str()).collect();
    assert_eq!(kinds, ["received", "answered", "published"]);

    let (agency, total) = store
        .list_petitions(&PetitionQuery {
            agency: Some("000.00.10.H05".into()),
            limit: 10,
            ..PetitionQuery::default()
        })
        .await
        .unwrap();
    assert_eq!(total, 2);
    assert_eq!(agency.len(), 2);
    let (mine, _) = store
        .list_petitions(&PetitionQuery {
            account: Some(A.into()),
            limit: 10,
            ..PetitionQuery::default()
        })
        .await
        .unwrap();
    assert_eq!(mine, vec![published.clone()]);
    let (public, total) = store
        .list_petitions(&PetitionQuery {
            published_only: true,
            limit: 10,
            ..PetitionQuery::default()
        })
        .await
        .unwrap();
    assert_eq!((public.len(), total), (1, 1));
    let (open, _) = store
        .list_petitions(&PetitionQuery {
            statuses: vec!["received".into()],
            limit: 1,
            offset: 1,
            ..PetitionQuery::default()
        })
        .await
        .unwrap();
    assert_eq!(open.len(), 1, "second page of the two received petitions");
    let received = store
        .petitions_received_between(Some("000.00.11.H05"), at(-1), at(1))
        .await
        .unwrap();
    assert_eq!(received.len(), 1);
}

contract_tests!(
    the_same_bytes_are_stored_once,
    a_write_interrupted_by_a_crash_leaves_no_torn_file,
    drafts_are_saved_resumed_and_deleted_by_their_owner,
    attachments_are_recorded_in_order,
    petitions_are_recorded_with_their_log_and_listed,
);
