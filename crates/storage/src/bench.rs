//! Support for `motcua bench`: scratch databases and the raw-insert reference.
//!
//! (The key is `INTEGER PRIMARY KEY`: the rowid itself in SQLite, as cheap as a key can be.)
//!
//! Our write path is reported as a ratio to the raw rate of the same database doing plain
//! inserts of the same size at the same durability, measured in the same run, so the figure
//! says what motcua costs on top of the engine rather than how fast the machine is.

use std::str::FromStr;

use sqlx::Connection;
use sqlx::postgres::{PgConnectOptions, PgConnection};

use crate::{Store, StoreResult, Tx, on_tx};

pub mod kpi;

/// Creates the reference table (a key and a payload; no other index).
pub async fn create_raw_table(store: &Store) -> StoreResult<()> {
    const SQL: &str =
        "CREATE TABLE IF NOT EXISTS bench_raw (id INTEGER PRIMARY KEY, payload TEXT NOT NULL)";
    let mut tx = store.begin().await?;
    on_tx!(&mut tx, conn => {
        sqlx::query(SQL).execute(conn).await?;
    });
    tx.commit().await
}

/// Inserts one reference row in its own transaction.
pub async fn insert_raw(store: &Store, id: i32, payload: &str) -> StoreResult<()> {
    const SQL: &str = "INSERT INTO bench_raw (id, payload) VALUES ($1, $2)";
    let mut tx: Tx = store.begin().await?;
    on_tx!(&mut tx, conn => {
        sqlx::query(SQL).bind(id).bind(payload).execute(conn).await?;
    });
    tx.commit().await
}

/// A migrated store in a new PostgreSQL schema, for a benchmark run; returns the schema name
/// to drop afterwards.
pub async fn open_postgres_scratch(
    url: &str,
    max_connections: u32,
) -> StoreResult<(Store, String)> {
    let schema = format!("motcua_bench_{}", std::process::id());
    let mut admin = PgConnection::connect(url).await?;
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
        "DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE SCHEMA {schema}"
    )))
    .execute(&mut admin)
    .await?;
    admin.close().await?;
    let options = PgConnectOptions::from_str(url)?.options([("search_path", schema.as_str())]);
    let store = Store::connect_postgres(options, max_connections).await?;
    store.migrate().await?;
    Ok((store, schema))
}

/// Drops a scratch schema made by [`open_postgres_scratch`].
pub async fn drop_postgres_scratch(url: &str, schema: &str) -> StoreResult<()> {
    let mut admin = PgConnection::connect(url).await?;
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
        "DROP SCHEMA IF EXISTS {schema} CASCADE"
    )))
    .execute(&mut admin)
    .await?;
    admin.close().await?;
    Ok(())
}

/// Highest id in the reference table (0 when empty).
pub async fn max_raw_id(store: &Store) -> StoreResult<i32> {
    const SQL: &str = "SELECT COALESCE(MAX(id), 0) FROM bench_raw";
    let mut tx = store.begin().await?;
    let id: i32 = on_tx!(&mut tx, conn => sqlx::query_scalar(SQL).fetch_one(conn).await?);
    tx.commit().await?;
    Ok(id)
}
