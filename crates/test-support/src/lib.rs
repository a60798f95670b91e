//! Throw-away stores for tests: a fresh SQLite file, or a fresh PostgreSQL schema.
//!
//! PostgreSQL tests never skip. They use `MOTCUA_TEST_POSTGRES_URL`, defaulting to the
//! machine's server at `postgres://postgres@127.0.0.1:5432/test`, and fail with a clear
//! message when it cannot be reached. Each test gets its own schema, dropped afterwards.
//! Failing loudly is the point of this crate, so it panics instead of returning errors.
#![expect(clippy::expect_used, reason = "test fixtures fail the test loudly")]

use std::str::FromStr;
use std::sync::atomic::{AtomicU64, Ordering};

use motcua_storage::{Durability, Store, StoreConfig};
use sqlx::Connection;
use sqlx::postgres::{PgConnectOptions, PgConnection};

/// The PostgreSQL server used by tests unless `MOTCUA_TEST_POSTGRES_URL` says otherwise.
pub const DEFAULT_TEST_POSTGRES_URL: &str = "postgres://postgres@127.0.0.1:5432/test";

/// The PostgreSQL URL tests use.
pub fn postgres_url() -> String {
    std::env::var("MOTCUA_TEST_POSTGRES_URL").unwrap_or_else(|_| DEFAULT_TEST_POSTGRES_URL.into())
}

/// A migrated store that cleans up after itself.
pub struct TestDb {
    /// The store under test.
    pub store: Store,
    /// Keeps the SQLite directory alive for the test's duration.
    _dir: Option<tempfile::TempDir>,
    /// PostgreSQL schema to drop at the end.
    schema: Option<String>,
    /// URL of the SQLite file, to reopen it.
    pub url: String,
}

static COUNTER: AtomicU64 = AtomicU64::new(0);

impl TestDb {
    /// A fresh SQLite database file in a temporary directory.
    pub async fn sqlite() -> TestDb {
        let dir = tempfile::tempdir().expect("create temp dir");
        let url = format!("sqlite://{}/motcua.sqlite", dir.path().display());
        let config = StoreConfig {
            url: url.clone(),
            durability: Durability::Normal,
            max_connections: 4,
        };
        let store = Store::open(&config).await.expect("open sqlite test store");
        TestDb {
            store,
            _dir: Some(dir),
            schema: None,
            url,
        }
    }

    /// A fresh schema in the test PostgreSQL database. Panics with a clear message when the
    /// server cannot be reached: the PostgreSQL suite fails rather than skips.
    pub async fn postgres() -> TestDb {
        let url = postgres_url();
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let schema = format!("t_{}_{}", std::process::id(), n);
        let mut admin = PgConnection::connect(&url).await.unwrap_or_else(|e| {
            panic!(
                "PostgreSQL is not reachable at {url}: {e}. Start it (see .ci/run) or set \
                 MOTCUA_TEST_POSTGRES_URL; the PostgreSQL suite never skips."
            )
        });
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
            "DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE SCHEMA {schema}"
        )))
        .execute(&mut admin)
        .await
        .expect("create test schema");
        admin.close().await.ok();
        let options = PgConnectOptions::from_str(&url)
            .expect("parse postgres url")
            .options([("search_path", schema.as_str())]);
        let store = Store::connect_postgres(options, 4)
            .await
            .expect("connect test postgres");
        store.migrate().await.expect("migrate test postgres");
        TestDb {
            store,
            _dir: None,
            schema: Some(schema),
            url,
        }
    }

    /// Closes the store and drops the PostgreSQL schema.
    pub async fn cleanup(self) {
        self.store.close().await;
        if let Some(schema) = &self.schema
            && let Ok(mut admin) = PgConnection::connect(&self.url).await
        {
            sqlx::query(sqlx::AssertSqlSafe(format!(
                "DROP SCHEMA IF EXISTS {schema} CASCADE"
            )))
            .execute(&mut admin)
            .await
            .ok();
        }
    }
}

/// Declares one `#[tokio::test]` per backend for each listed `async fn(&Store)`.
///
/// ```text
/// contract_tests!(appends_events, refuses_stale_version);
/// ```
#[macro_export]
macro_rules! contract_tests {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let db = $crate::TestDb::sqlite().await;
                    super::$name(&db.store).await;
                    db.cleanup().await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let db = $crate::TestDb::postgres().await;
                    super::$name(&db.store).await;
                    db.cleanup().await;
                }
            )*
        }
    };
}

/// A PNG "scan" of a one-page original: an A4-shaped page with a dark frame and text-like
/// bars, the size a phone camera's scan is after downscaling. For certified copies.
pub fn scan_png() -> Vec<u8> {
    let page = image::RgbImage::from_fn(420, 594, |x, y| {
        let frame = x < 12 || y < 12 || x > 407 || y > 581;
        let line = (40..560).contains(&y) && y % 24 < 6 && (30..390).contains(&x);
        if frame || line {
            image::Rgb([40, 40, 60])
        } else {
            image::Rgb([236, 232, 222])
        }
    });
    let mut out = std::io::Cursor::new(Vec::new());
    // Encoding an in-memory image to PNG cannot fail but for memory exhaustion.
    #[expect(clippy::expect_used, reason = "a test fixture")]
    page.write_to(&mut out, image::ImageFormat::Png)
        .expect("encode PNG");
    out.into_inner()
}
