//! The SQLite and PostgreSQL migrations must produce the same tables, columns and indexes.
#![expect(clippy::unwrap_used, reason = "a failed step fails the test")]

use std::collections::BTreeMap;

use motcua_storage::Store;
use motcua_test_support::TestDb;

type Schema = BTreeMap<String, Vec<String>>;

async fn sqlite_schema(store: &Store) -> (Schema, Vec<String>) {
    let Store::Sqlite(_) = store else {
        panic!("not sqlite")
    };
    let mut tx = store.begin().await.unwrap();
    let motcua_storage::Tx::Sqlite(t) = &mut tx else {
        unreachable!()
    };
    let rows: Vec<(String, String)> = sqlx::query_as(
        "SELECT m.name, p.name FROM sqlite_master m JOIN pragma_table_info(m.name) p \
         WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name <> '_sqlx_migrations' \
         ORDER BY m.name, p.name",
    )
    .fetch_all(&mut **t)
    .await
    .unwrap();
    let indexes: Vec<String> = sqlx::query_scalar(
        "SELECT name FROM sqlite_master WHERE type = 'index' AND name NOT LIKE 'sqlite_%' ORDER BY name",
    )
    .fetch_all(&mut **t)
    .await
    .unwrap();
    (group(rows), indexes)
}

async fn postgres_schema(store: &Store) -> (Schema, Vec<String>) {
    let mut tx = store.begin().await.unwrap();
    let motcua_storage::Tx::Postgres(t) = &mut tx else {
        panic!("not postgres")
    };
    let rows: Vec<(String, String)> = sqlx::query_as(
        "SELECT table_name::text, column_name::text FROM information_schema.columns \
         WHERE table_schema = current_schema() AND table_name <> '_sqlx_migrations' \
         ORDER BY table_name, column_name",
    )
    .fetch_all(&mut **t)
    .await
    .unwrap();
    // Primary-key and unique-constraint indexes are implicit in SQLite; compare named ones.
    let indexes: Vec<String> = sqlx::query_scalar(
        "SELECT indexname::text FROM pg_indexes WHERE schemaname = current_schema() \
         AND indexname NOT LIKE '%_pkey' AND indexname NOT LIKE '%_key' ORDER BY indexname",
    )
    .fetch_all(&mut **t)
    .await
    .unwrap();
    (group(rows), indexes)
}

fn group(rows: Vec<(String, String)>) -> Schema {
    let mut schema = Schema::new();
    for (table, column) in rows {
        schema.entry(table).or_default().push(column);
    }
    schema
}

#[tokio::test]
async fn both_backends_have_the_same_tables_columns_and_indexes() {
    let sqlite = TestDb::sqlite().await;
    let postgres = TestDb::postgres().await;
    let (lite_tables, lite_indexes) = sqlite_schema(&sqlite.store).await;
    let (pg_tables, pg_indexes) = postgres_schema(&postgres.store).await;
    assert!(lite_tables.contains_key("events"));
    assert_eq!(lite_tables, pg_tables);
    assert_eq!(lite_indexes, pg_indexes);
    sqlite.cleanup().await;
    postgres.cleanup().await;
}
