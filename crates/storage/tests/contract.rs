//! Storage contract: every behaviour, written once, run against SQLite and PostgreSQL.
#![expect(clippy::unwrap_used, reason = "a failed step fails the test")]

use chrono::{TimeZone, Utc};
use motcua_domain::event::{Actor, Channel, EventMeta, Role};
use motcua_storage::{Store, StoreError, events};
use motcua_test_support::contract_tests;
use serde_json::json;

fn meta() -> EventMeta {
    EventMeta {
        at: Utc.with_ymd_and_hms(2026, 11, 27, 8, 0, 0).unwrap(),
        actor: Actor {
            id: "u:7".into(),
            role: Role::DeskOfficer,
            agency: Some("000.00.13.H05".into()),
        },
        channel: Channel::Desk,
        request_id: Some("req-1".into()),
    }
}

async fn appends_and_reads_back_events(store: &Store) {
    let mut tx = store.begin().await.unwrap();
    let v = events::append(
        &mut tx,
        "test",
        "a",
        0,
        &[
            ("created", json!({"n": 1})),
            ("renamed", json!({"name": "Bắc Ninh"})),
        ],
        &meta(),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(v, 2);
    let stream = store.load_stream("test", "a").await.unwrap();
    assert_eq!(stream.len(), 2);
    assert_eq!(stream[0].version, 1);
    assert_eq!(stream[1].kind, "renamed");
    assert_eq!(stream[1].payload, json!({"name": "Bắc Ninh"}));
    assert_eq!(stream[1].meta, meta());
    assert_eq!(store.count_events().await.unwrap(), 2);
}

async fn refuses_a_stale_expected_version(store: &Store) {
    let mut tx = store.begin().await.unwrap();
    events::append(&mut tx, "test", "a", 0, &[("created", json!({}))], &meta())
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let mut tx = store.begin().await.unwrap();
    let err = events::append(&mut tx, "test", "a", 0, &[("created", json!({}))], &meta())
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            StoreError::Conflict {
                expected: 0,
                actual: 1,
                ..
            }
        ),
        "{err:?}"
    );
}

async fn unchecked_append_still_detects_a_lost_race(store: &Store) {
    let mut tx = store.begin().await.unwrap();
    events::append(&mut tx, "test", "a", 0, &[("created", json!({}))], &meta())
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let mut tx = store.begin().await.unwrap();
    let err = events::append_unchecked(&mut tx, "test", "a", 0, &[("x", json!({}))], &meta())
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Conflict { .. }), "{err:?}");
}

async fn the_database_refuses_to_rewrite_history(store: &Store) {
    let mut tx = store.begin().await.unwrap();
    events::append(&mut tx, "test", "a", 0, &[("created", json!({}))], &meta())
        .await
        .unwrap();
    tx.commit().await.unwrap();
    for sql in ["UPDATE events SET kind = 'forged'", "DELETE FROM events"] {
        let mut tx = store.begin().await.unwrap();
        let result = match &mut tx {
            motcua_storage::Tx::Sqlite(t) => sqlx::query(sql).execute(&mut **t).await.map(|_| ()),
            motcua_storage::Tx::Postgres(t) => sqlx::query(sql).execute(&mut **t).await.map(|_| ()),
        };
        let err = result.unwrap_err();
        assert!(err.to_string().contains("append-only"), "{sql}: {err}");
    }
    assert_eq!(
        store.load_stream("test", "a").await.unwrap()[0].kind,
        "created"
    );
}

async fn pages_through_the_log_in_order(store: &Store) {
    for i in 0..5 {
        let mut tx = store.begin().await.unwrap();
        events::append(
            &mut tx,
            "test",
            &format!("s{i}"),
            0,
            &[("created", json!({"i": i}))],
            &meta(),
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
    }
    let first = store.events_after("test", 0, 3).await.unwrap();
    assert_eq!(first.len(), 3);
    let rest = store.events_after("test", first[2].id, 10).await.unwrap();
    assert_eq!(rest.len(), 2);
    assert_eq!(rest[1].payload, json!({"i": 4}));
}

async fn records_and_replaces_a_year_schedule(store: &Store) {
    assert!(store.list_schedules().await.unwrap().is_empty());
    assert_eq!(store.record_schedule(2027, "v1", &meta()).await.unwrap(), 1);
    assert_eq!(store.record_schedule(2027, "v2", &meta()).await.unwrap(), 2);
    let all = store.list_schedules().await.unwrap();
    assert_eq!(all.len(), 1);
    assert_eq!(all[0].body, "v2");
    assert_eq!(all[0].version, 2);
    assert_eq!(all[0].imported_at, meta().at);
    assert_eq!(
        store
            .load_stream("calendar_schedule", "2027")
            .await
            .unwrap()
            .len(),
        2
    );
}

contract_tests!(
    appends_and_reads_back_events,
    refuses_a_stale_expected_version,
    unchecked_append_still_detects_a_lost_race,
    the_database_refuses_to_rewrite_history,
    pages_through_the_log_in_order,
    records_and_replaces_a_year_schedule,
);
