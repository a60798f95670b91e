//! Storage of motcua: one [`Store`] type over SQLite (embedded default) and PostgreSQL.
//!
//! Both drivers are always compiled; the backend is chosen at run time from the URL
//! (`sqlite://…` or `postgres://…`). Every public method is written once in SQL that both
//! engines accept (`$1` placeholders) and dispatched to the right pool by the `on_pool!` and
//! `on_tx!` macros, so no generic parameter leaks to callers.
//!
//! Everything with a history changes only by appending events ([`events`]) in the same
//! transaction that updates its projections. The events table refuses `UPDATE` and `DELETE`
//! (triggers in the migrations). This crate depends on `motcua-domain` only for value types;
//! it never decides a business rule.

pub mod accounts;
pub mod api_tokens;
pub mod bench;
pub mod catalog;
pub mod documents;
pub mod dossiers;
pub mod drafts;
mod error;
pub mod events;
pub mod files;
mod inline;
pub mod kpi;
pub mod notifications;
pub mod petitions;
pub mod schedules;
pub mod steering;
pub mod units;

use std::path::Path;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use sqlx::migrate::Migrator;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{PgPool, Postgres, Sqlite, SqlitePool};

pub use error::StoreError;

/// Result of a storage operation.
pub type StoreResult<T> = Result<T, StoreError>;

/// Migrations for SQLite, embedded in the binary.
pub static SQLITE_MIGRATOR: Migrator = sqlx::migrate!("migrations/sqlite");
/// Migrations for PostgreSQL, embedded in the binary.
pub static POSTGRES_MIGRATOR: Migrator = sqlx::migrate!("migrations/postgres");

/// Default location of the embedded database, relative to the working directory.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://motcua-data/motcua.sqlite";

/// How hard SQLite works to make a commit durable.
///
/// `Full` (the default) fsyncs the write-ahead log at every commit, so an acknowledged event
/// survives `kill -9` *and* a power cut. `Normal` survives `kill -9` of the process (the WAL is
/// in the OS page cache before the commit returns) but may lose the last commits on power loss.
/// See docs/adr/0003-sqlite-durability.md.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Durability {
    /// `PRAGMA synchronous = FULL`.
    #[default]
    Full,
    /// `PRAGMA synchronous = NORMAL`.
    Normal,
}

impl FromStr for Durability {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "full" => Ok(Durability::Full),
            "normal" => Ok(Durability::Normal),
            other => Err(format!(
                "độ bền '{other}' không hợp lệ, chọn full hoặc normal / durability '{other}' is invalid, use full or normal"
            )),
        }
    }
}

/// Configuration of the store.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StoreConfig {
    /// `sqlite://path/to/file.sqlite` or `postgres://user@host:port/db`.
    pub url: String,
    /// SQLite commit durability; ignored for PostgreSQL (which always fsyncs its WAL).
    pub durability: Durability,
    /// Largest number of pooled connections (readers for SQLite; all connections for PostgreSQL).
    pub max_connections: u32,
}

/// Bytes of a SQLite database file read through a memory map (address space, not memory:
/// pages stay in the operating system's cache). SQLite lowers it to its compile-time
/// maximum, 2 GiB unless raised as `.cargo/config.toml` does (`SQLITE_MAX_MMAP_SIZE`); the
/// rest of a larger file is read with a system call per page.
const SQLITE_MMAP_BYTES: u64 = 64 << 30;

/// Largest page cache of each SQLite connection, in KiB (SQLite's `cache_size`).
const SQLITE_CACHE_KIB: u64 = 32 * 1024;

impl Default for StoreConfig {
    fn default() -> Self {
        StoreConfig {
            url: DEFAULT_DATABASE_URL.to_owned(),
            durability: Durability::Full,
            max_connections: 8,
        }
    }
}

/// The SQLite backend: one writer connection and a pool of readers.
///
/// SQLite admits one writer at a time; a dedicated writer connection turns lock contention
/// into an orderly queue inside the process, and `BEGIN IMMEDIATE` covers other processes.
#[derive(Debug, Clone)]
pub struct SqliteStore {
    pub(crate) writer: SqlitePool,
    pub(crate) reader: SqlitePool,
    /// Hot point reads on the calling thread; none for an in-memory database, which other
    /// connections cannot open.
    pub(crate) inline: Option<Arc<inline::InlineReader>>,
}

/// The PostgreSQL backend.
#[derive(Debug, Clone)]
pub struct PgStore {
    pub(crate) pool: PgPool,
}

/// The store: the only way the rest of motcua reaches the database.
#[derive(Debug, Clone)]
pub enum Store {
    /// Embedded SQLite database file.
    Sqlite(SqliteStore),
    /// PostgreSQL server.
    Postgres(PgStore),
}

/// Which database engine a [`Store`] talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Backend {
    /// SQLite.
    Sqlite,
    /// PostgreSQL.
    Postgres,
}

/// A write transaction on either backend.
pub enum Tx {
    /// SQLite transaction (on the writer connection, begun IMMEDIATE).
    Sqlite(sqlx::Transaction<'static, Sqlite>),
    /// PostgreSQL transaction.
    Postgres(sqlx::Transaction<'static, Postgres>),
}

impl Tx {
    /// Commits the transaction; nothing written in it is visible before this returns.
    pub async fn commit(self) -> StoreResult<()> {
        match self {
            Tx::Sqlite(t) => t.commit().await?,
            Tx::Postgres(t) => t.commit().await?,
        }
        Ok(())
    }
}

/// Runs the same body against the read pool of whichever backend the store has.
///
/// The body is expanded once per backend, so it is type-checked against both drivers.
macro_rules! on_pool {
    ($store:expr, $pool:ident => $body:expr) => {
        match $store {
            $crate::Store::Sqlite(s) => {
                let $pool = &s.reader;
                $body
            }
            $crate::Store::Postgres(p) => {
                let $pool = &p.pool;
                $body
            }
        }
    };
}

/// Runs the same body against the connection of a write transaction.
macro_rules! on_tx {
    ($tx:expr, $conn:ident => $body:expr) => {
        match $tx {
            $crate::Tx::Sqlite(t) => {
                let $conn = &mut **t;
                $body
            }
            $crate::Tx::Postgres(t) => {
                let $conn = &mut **t;
                $body
            }
        }
    };
}

/// Appends the values of an `IN (` list already opened, and the closing `)`, to a statement
/// being built.
macro_rules! push_in {
    ($select:expr, $values:expr) => {{
        let mut list = $select.separated(", ");
        for value in $values {
            list.push_bind(value);
        }
        $select.push(")");
    }};
}

pub(crate) use {on_pool, on_tx, push_in};

/// Removes the password from a database URL so it can be shown or logged.
pub fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let userinfo = &url[scheme_end + 3..at];
            match userinfo.find(':') {
                Some(colon) => format!(
                    "{}{}:***{}",
                    &url[..scheme_end + 3],
                    &userinfo[..colon],
                    &url[at..]
                ),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

impl Store {
    /// Connects to the database named by `config.url`, creating an SQLite file (and its
    /// directory) on first use, then applies pending migrations.
    pub async fn open(config: &StoreConfig) -> StoreResult<Store> {
        let store = Store::connect(config).await?;
        store.migrate().await?;
        Ok(store)
    }

    /// Connects without migrating.
    pub async fn connect(config: &StoreConfig) -> StoreResult<Store> {
        let url = config.url.as_str();
        if url.starts_with("sqlite:") {
            Store::connect_sqlite(config).await
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let options = PgConnectOptions::from_str(url)?.application_name("motcua");
            Store::connect_postgres(options, config.max_connections).await
        } else {
            Err(StoreError::UnsupportedUrl {
                url: redact_url(url),
            })
        }
    }

    /// Connects to PostgreSQL with explicit options (tests use them to pick a schema).
    pub async fn connect_postgres(
        options: PgConnectOptions,
        max_connections: u32,
    ) -> StoreResult<Store> {
        let pool = PgPoolOptions::new()
            .max_connections(max_connections.max(1))
            .acquire_timeout(Duration::from_secs(10))
            .connect_with(options)
            .await?;
        Ok(Store::Postgres(PgStore { pool }))
    }

    async fn connect_sqlite(config: &StoreConfig) -> StoreResult<Store> {
        let options = SqliteConnectOptions::from_str(&config.url)?;
        if let Some(dir) = options.get_filename().parent()
            && !dir.as_os_str().is_empty()
        {
            std::fs::create_dir_all(dir).map_err(|e| {
                StoreError::Database(sqlx::Error::Configuration(
                    format!(
                        "không tạo được thư mục {} / cannot create directory {}: {e}",
                        dir.display(),
                        dir.display()
                    )
                    .into(),
                ))
            })?;
        }
        let inline = options
            .get_filename()
            .to_str()
            .filter(|f| !f.is_empty() && *f != ":memory:");
        let inline = inline.map(|f| Arc::new(inline::InlineReader::new(Path::new(f))));
        let options = options
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(match config.durability {
                Durability::Full => SqliteSynchronous::Full,
                Durability::Normal => SqliteSynchronous::Normal,
            })
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(30))
            // Reads through a memory map share the operating system's page cache across
            // connections; without it each connection copies pages into its own small cache
            // with a system call per page, and scans dominate under load (`motcua loadtest`).
            .pragma("mmap_size", SQLITE_MMAP_BYTES.to_string())
            // The default cache (2 MB) cannot hold the interior pages of a million-dossier
            // table, so every row lookup read them again; the cache grows only as used.
            .pragma("cache_size", format!("-{SQLITE_CACHE_KIB}"));
        let writer = SqlitePoolOptions::new()
            .max_connections(1)
            .acquire_timeout(Duration::from_secs(60))
            .connect_with(options.clone())
            .await?;
        let reader = SqlitePoolOptions::new()
            .max_connections(config.max_connections.max(1))
            .connect_with(options.read_only(true))
            .await?;
        Ok(Store::Sqlite(SqliteStore {
            writer,
            reader,
            inline,
        }))
    }

    /// Which engine this store uses.
    pub fn backend(&self) -> Backend {
        match self {
            Store::Sqlite(_) => Backend::Sqlite,
            Store::Postgres(_) => Backend::Postgres,
        }
    }

    /// The migrations of this store's backend.
    pub fn migrator(&self) -> &'static Migrator {
        match self {
            Store::Sqlite(_) => &SQLITE_MIGRATOR,
            Store::Postgres(_) => &POSTGRES_MIGRATOR,
        }
    }

    /// Applies pending migrations; refuses a database migrated by a newer motcua.
    pub async fn migrate(&self) -> StoreResult<()> {
        let known = self.migrator().iter().map(|m| m.version).max().unwrap_or(0);
        if let Some(found) = self.applied_migrations().await?.into_iter().max()
            && found > known
        {
            return Err(StoreError::SchemaTooNew { found, known });
        }
        match self {
            Store::Sqlite(s) => SQLITE_MIGRATOR.run(&s.writer).await?,
            Store::Postgres(p) => POSTGRES_MIGRATOR.run(&p.pool).await?,
        }
        Ok(())
    }

    /// Versions of the migrations already applied (empty for a new database).
    pub async fn applied_migrations(&self) -> StoreResult<Vec<i64>> {
        let exists: bool = match self {
            Store::Sqlite(s) => {
                sqlx::query_scalar(
                    "SELECT count(*) > 0 FROM sqlite_master WHERE type = 'table' AND name = '_sqlx_migrations'",
                )
                .fetch_one(&s.writer)
                .await?
            }
            Store::Postgres(p) => {
                sqlx::query_scalar("SELECT to_regclass('_sqlx_migrations') IS NOT NULL")
                    .fetch_one(&p.pool)
                    .await?
            }
        };
        if !exists {
            return Ok(Vec::new());
        }
        let versions = match self {
            Store::Sqlite(s) => {
                sqlx::query_scalar("SELECT version FROM _sqlx_migrations ORDER BY version")
                    .fetch_all(&s.writer)
                    .await?
            }
            Store::Postgres(p) => {
                sqlx::query_scalar("SELECT version FROM _sqlx_migrations ORDER BY version")
                    .fetch_all(&p.pool)
                    .await?
            }
        };
        Ok(versions)
    }

    /// Begins a write transaction.
    ///
    /// On SQLite it runs on the single writer connection with `BEGIN IMMEDIATE`, so the write
    /// lock is taken up front and a read-then-write never fails half-way on a busy database.
    pub async fn begin(&self) -> StoreResult<Tx> {
        Ok(match self {
            Store::Sqlite(s) => Tx::Sqlite(s.writer.begin_with("BEGIN IMMEDIATE").await?),
            Store::Postgres(p) => Tx::Postgres(p.pool.begin().await?),
        })
    }

    /// Checks that the database answers (used by readiness probes).
    pub async fn ping(&self) -> StoreResult<()> {
        on_pool!(self, pool => {
            sqlx::query("SELECT 1").execute(pool).await?;
        });
        Ok(())
    }

    /// Closes every connection, waiting for running queries.
    pub async fn close(&self) {
        match self {
            Store::Sqlite(s) => {
                s.writer.close().await;
                s.reader.close().await;
            }
            Store::Postgres(p) => p.pool.close().await,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redacts_password_in_urls() {
        assert_eq!(
            redact_url("postgres://motcua:secret@db:5432/motcua"),
            "postgres://motcua:***@db:5432/motcua"
        );
        assert_eq!(
            redact_url("postgres://postgres@127.0.0.1/test"),
            "postgres://postgres@127.0.0.1/test"
        );
        assert_eq!(redact_url("sqlite://a.sqlite"), "sqlite://a.sqlite");
    }

    #[test]
    fn both_backends_have_the_same_migrations() {
        let names = |m: &Migrator| {
            m.iter()
                .map(|m| (m.version, m.description.to_string()))
                .collect::<Vec<_>>()
        };
        assert_eq!(names(&SQLITE_MIGRATOR), names(&POSTGRES_MIGRATOR));
        assert!(!SQLITE_MIGRATOR.iter().any(|m| m.version <= 0));
    }

    /// SQLite silently lowers `mmap_size` to its compile-time maximum: the map must cover
    /// more than the default 2 GiB, as `.cargo/config.toml` builds it to.
    #[tokio::test]
    async fn sqlite_readers_map_the_whole_file() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("m.sqlite").display());
        let store = Store::open(&StoreConfig {
            url,
            ..StoreConfig::default()
        })
        .await
        .unwrap();
        let Store::Sqlite(s) = &store else {
            panic!("a SQLite URL opens SQLite");
        };
        let mapped: i64 = sqlx::query_scalar("PRAGMA mmap_size")
            .fetch_one(&s.reader)
            .await
            .unwrap();
        assert_eq!(u64::try_from(mapped).unwrap(), SQLITE_MMAP_BYTES);
    }
}
