//! Accounts, credentials and sessions: the storage contract on SQLite and PostgreSQL.
#![expect(clippy::unwrap_used, reason = "a failed step fails the test")]

use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use motcua_domain::event::{Actor, Channel, EventMeta, Role};
use motcua_storage::accounts::{AccountKind, AccountRow, STREAM, SessionRow};
use motcua_storage::{Store, StoreError};
use motcua_test_support::contract_tests;

const HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo";

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

fn citizen(id: &str, login: &str) -> AccountRow {
    AccountRow {
        id: id.into(),
        kind: AccountKind::Citizen,
        login: login.into(),
        name: "Trần Thị Bình".into(),
        phone: Some("0987654321".into()),
        role: Role::Citizen,
        agency: None,
        unit: None,
        eid_level: 1,
        disabled: false,
        created_at: at(0),
        version: 1,
    }
}

fn desk(id: &str, login: &str, agency: &str) -> AccountRow {
    AccountRow {
        kind: AccountKind::Staff,
        role: Role::DeskOfficer,
        agency: Some(agency.into()),
        eid_level: 0,
        phone: None,
        ..citizen(id, login)
    }
}

fn session(token_hash: &str, account: &str, minutes: i64) -> SessionRow {
    SessionRow {
        token_hash: token_hash.into(),
        account_id: account.into(),
        csrf_token: "c".repeat(64),
        created_at: at(minutes),
        last_seen_at: at(minutes),
        idle_seconds: 1800,
        idle_expires_at: at(minutes + 30),
        expires_at: at(minutes + 720),
    }
}

const A: &str = "u:00000000000000a1";
const B: &str = "u:00000000000000b2";
const C: &str = "u:00000000000000c3";

async fn creates_finds_and_lists_accounts(store: &Store) {
    let row = citizen(A, "027190123456");
    store.create_account(&row, HASH, &meta(A, 0)).await.unwrap();
    store
        .create_account(&desk(B, "motcua.a", "000.00.10.H05"), HASH, &meta(A, 0))
        .await
        .unwrap();
    store
        .create_account(&desk(C, "motcua.b", "000.00.11.H05"), HASH, &meta(A, 0))
        .await
        .unwrap();
    assert_eq!(store.find_account(A).await.unwrap(), Some(row.clone()));
    assert_eq!(
        store.find_account_by_login("027190123456").await.unwrap(),
        Some(row.clone())
    );
    assert_eq!(store.find_account("u:missing").await.unwrap(), None);
    let all = store.list_accounts(None).await.unwrap();
    let logins: Vec<_> = all.iter().map(|a| a.login.as_str()).collect();
    assert_eq!(logins, ["027190123456", "motcua.a", "motcua.b"]);
    let of_a = store.list_accounts(Some("000.00.10.H05")).await.unwrap();
    assert_eq!(of_a.len(), 1);
    assert_eq!(of_a[0].id, B);
    assert!(!format!("{row:?}").contains("027190123456"));
    assert!(!format!("{row:?}").contains("Bình"));

    let log = store.load_stream(STREAM, A).await.unwrap();
    assert_eq!(log.len(), 1);
    assert_eq!(log[0].kind, "created");
    assert_eq!(log[0].payload["login"], "027190123456");
    assert_eq!(log[0].payload["role"], "citizen");
}

async fn a_taken_login_is_a_duplicate_and_writes_nothing(store: &Store) {
    store
        .create_account(&citizen(A, "027190123456"), HASH, &meta(A, 0))
        .await
        .unwrap();
    let err = store
        .create_account(&citizen(B, "027190123456"), HASH, &meta(B, 0))
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Duplicate { .. }), "{err:?}");
    assert!(!err.to_string().contains("027190123456"), "{err}");
    assert!(store.find_account(B).await.unwrap().is_none());
    assert!(store.load_stream(STREAM, B).await.unwrap().is_empty());
    assert!(store.password_hash(B).await.unwrap().is_none());
}

async fn password_hashes_stay_out_of_the_log(store: &Store) {
    store
        .create_account(&citizen(A, "027190123456"), HASH, &meta(A, 0))
        .await
        .unwrap();
    assert_eq!(store.password_hash(A).await.unwrap().as_deref(), Some(HASH));
    store
        .open_session(&session("h1", A, 1), &meta(A, 1))
        .await
        .unwrap();
    store
        .open_session(&session("h2", A, 2), &meta(A, 2))
        .await
        .unwrap();
    let new_hash = "$argon2id$v=19$m=19456,t=2,p=1$bmV3c2FsdA$bmV3aGFzaA";
    let v = store
        .set_password(A, 3, new_hash, Some("h2"), &meta(A, 3))
        .await
        .unwrap();
    assert_eq!(v, 4);
    assert_eq!(
        store.password_hash(A).await.unwrap().as_deref(),
        Some(new_hash)
    );
    // Other sessions end; the one that changed the password stays.
    assert!(store.find_session("h1").await.unwrap().is_none());
    assert!(store.find_session("h2").await.unwrap().is_some());
    let log = store.load_stream(STREAM, A).await.unwrap();
    let kinds: Vec<_> = log.iter().map(|e| e.kind.as_str()).collect();
    assert_eq!(
        kinds,
        ["created", "signed_in", "signed_in", "password_changed"]
    );
    let text = serde_json::to_string(&log.iter().map(|e| &e.payload).collect::<Vec<_>>()).unwrap();
    assert!(!text.contains("argon2"), "{text}");
    let err = store
        .set_password(A, 3, HASH, None, &meta(A, 4))
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            StoreError::Conflict {
                expected: 3,
                actual: 4,
                ..
            }
        ),
        "{err:?}"
    );
    let err = store
        .set_password("u:missing", 1, HASH, None, &meta(A, 4))
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::NotFound { .. }), "{err:?}");
}

async fn sessions_open_touch_close_and_purge(store: &Store) {
    store
        .create_account(&citizen(A, "027190123456"), HASH, &meta(A, 0))
        .await
        .unwrap();
    let opened = session("h1", A, 10);
    assert_eq!(store.open_session(&opened, &meta(A, 10)).await.unwrap(), 2);
    let (found, account) = store.find_session("h1").await.unwrap().unwrap();
    assert_eq!(found, opened);
    assert_eq!(account.id, A);
    assert_eq!(account.version, 2);
    assert!(!format!("{found:?}").contains(&"c".repeat(64)));

    store.touch_session("h1", at(25)).await.unwrap();
    let (touched, _) = store.find_session("h1").await.unwrap().unwrap();
    assert_eq!(touched.last_seen_at, at(25));
    assert_eq!(touched.idle_expires_at, at(55));
    assert_eq!(touched.expires_at, opened.expires_at);

    assert!(store.close_session("h1", &meta(A, 30)).await.unwrap());
    assert!(!store.close_session("h1", &meta(A, 31)).await.unwrap());
    assert!(store.find_session("h1").await.unwrap().is_none());
    let log = store.load_stream(STREAM, A).await.unwrap();
    assert_eq!(log.last().unwrap().kind, "signed_out");
    assert_eq!(log.last().unwrap().version, 3);

    // Purge: one idle-expired, one absolutely expired, one alive.
    store
        .open_session(&session("idle", A, 0), &meta(A, 40))
        .await
        .unwrap();
    let mut old = session("old", A, 0);
    old.idle_expires_at = at(2000);
    old.expires_at = at(50);
    store.open_session(&old, &meta(A, 41)).await.unwrap();
    store
        .open_session(&session("alive", A, 45), &meta(A, 45))
        .await
        .unwrap();
    assert_eq!(store.count_sessions(A).await.unwrap(), 3);
    assert_eq!(store.purge_sessions(at(60)).await.unwrap(), 2);
    assert_eq!(store.count_sessions(A).await.unwrap(), 1);
    store.delete_session("alive").await.unwrap();
    assert_eq!(store.count_sessions(A).await.unwrap(), 0);
    let err = store
        .open_session(&session("x", "u:missing", 0), &meta(A, 0))
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::NotFound { .. }), "{err:?}");
}

async fn disabling_ends_every_session(store: &Store) {
    store
        .create_account(&desk(B, "motcua.a", "000.00.10.H05"), HASH, &meta(A, 0))
        .await
        .unwrap();
    store
        .open_session(&session("h1", B, 1), &meta(B, 1))
        .await
        .unwrap();
    store
        .open_session(&session("h2", B, 2), &meta(B, 2))
        .await
        .unwrap();
    let v = store
        .set_account_disabled(B, true, 3, &meta(A, 3))
        .await
        .unwrap();
    assert_eq!(v, 4);
    assert!(store.find_account(B).await.unwrap().unwrap().disabled);
    assert_eq!(store.count_sessions(B).await.unwrap(), 0);
    let v = store
        .set_account_disabled(B, false, 4, &meta(A, 4))
        .await
        .unwrap();
    assert_eq!(v, 5);
    assert!(!store.find_account(B).await.unwrap().unwrap().disabled);
    let kinds: Vec<_> = store
        .load_stream(STREAM, B)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.kind)
        .collect();
    assert_eq!(
        kinds,
        ["created", "signed_in", "signed_in", "disabled", "enabled"]
    );
    let err = store
        .set_account_disabled(B, true, 4, &meta(A, 5))
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Conflict { .. }), "{err:?}");
}

async fn no_dossiers_means_no_frequent_applicant(store: &Store) {
    assert_eq!(store.frequent_applicant("person").await.unwrap(), None);
    assert_eq!(
        store.frequent_applicant("organisation").await.unwrap(),
        None
    );
}

contract_tests!(
    creates_finds_and_lists_accounts,
    a_taken_login_is_a_duplicate_and_writes_nothing,
    password_hashes_stay_out_of_the_log,
    sessions_open_touch_close_and_purge,
    disabling_ends_every_session,
    no_dossiers_means_no_frequent_applicant,
);
