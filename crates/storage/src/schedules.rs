//! Official yearly working-day schedules imported by operators (`motcua calendar import`).
//!
//! The text of each year's notice is kept as imported; the domain parses it. A re-import of
//! the same year appends a new event and replaces the projection, so the log shows every
//! schedule that was ever in force and who imported it.

use chrono::{DateTime, Utc};
use motcua_domain::event::EventMeta;
use serde_json::json;

use crate::{StoreResult, events, on_pool, on_tx};

/// Stream type of schedule events.
pub const STREAM: &str = "calendar_schedule";

/// A year's schedule as stored.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct StoredSchedule {
    /// Calendar year.
    pub year: i32,
    /// The schedule file as imported.
    pub body: String,
    /// Stream version (number of imports of this year).
    pub version: i64,
    /// When the current text was imported.
    pub imported_at: DateTime<Utc>,
}

impl crate::Store {
    /// Every imported schedule, by year.
    pub async fn list_schedules(&self) -> StoreResult<Vec<StoredSchedule>> {
        const SQL: &str =
            "SELECT year, body, version, imported_at FROM calendar_schedules ORDER BY year";
        Ok(on_pool!(self, pool => sqlx::query_as(SQL).fetch_all(pool).await?))
    }

    /// Records the import of a year's schedule (already validated by the caller).
    pub async fn record_schedule(
        &self,
        year: i32,
        body: &str,
        meta: &EventMeta,
    ) -> StoreResult<i64> {
        const CURRENT: &str =
            "SELECT COALESCE(MAX(version), 0) FROM calendar_schedules WHERE year = $1";
        const UPSERT: &str = "INSERT INTO calendar_schedules (year, body, version, imported_at) \
             VALUES ($1, $2, $3, $4) ON CONFLICT (year) DO UPDATE SET body = excluded.body, \
             version = excluded.version, imported_at = excluded.imported_at";
        let mut tx = self.begin().await?;
        let current: i64 = on_tx!(&mut tx, conn => {
            sqlx::query_scalar(CURRENT).bind(year).fetch_one(conn).await?
        });
        let version = events::append(
            &mut tx,
            STREAM,
            &year.to_string(),
            current,
            &[("imported", json!({ "year": year, "body": body }))],
            meta,
        )
        .await?;
        on_tx!(&mut tx, conn => {
            sqlx::query(UPSERT).bind(year).bind(body).bind(version).bind(meta.at).execute(conn).await?.rows_affected()
        });
        tx.commit().await?;
        Ok(version)
    }
}
