//! The operations centre's counters (`kpi_counts`): per agency, local month and metric,
//! moved by [`crate::dossiers::record`] in the transaction of each dossier change, read
//! here for reports, and rebuilt from the log in one transaction; and the figures imported
//! from elsewhere (`kpi_imported`, the projection of the `kpi_import` streams).

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use motcua_domain::event::EventMeta;
use motcua_domain::kpi::counts::{Counts, Metric, Month};
use motcua_domain::kpi::imported::ImportedFigure;

use crate::{StoreError, StoreResult, Tx, events, on_pool, on_tx};

/// Counters by agency.
pub type AgencyCounts = BTreeMap<String, Counts>;

/// Reads stored rows into counts; a row the domain does not know is corruption.
fn group(rows: Vec<(String, String, String, i64)>) -> StoreResult<AgencyCounts> {
    let mut out = AgencyCounts::new();
    for (agency, month, metric, value) in rows {
        let month: Month = month
            .parse()
            .map_err(|e: String| StoreError::Corrupt(format!("kpi_counts {agency}: {e}")))?;
        let metric = Metric::parse(&metric).ok_or_else(|| {
            StoreError::Corrupt(format!("kpi_counts {agency} {month}: metric «{metric}»"))
        })?;
        if value != 0 {
            *out.entry(agency)
                .or_default()
                .entry((month, metric))
                .or_insert(0) += value;
        }
    }
    Ok(out)
}

impl crate::Store {
    /// Every agency's counters of the months up to `to` (inclusive): what the reports of
    /// month `to` and before need (carried-over dossiers add up from the first month).
    pub async fn kpi_counts_until(&self, to: Month) -> StoreResult<AgencyCounts> {
        const SQL: &str =
            "SELECT agency, month, metric, value FROM kpi_counts WHERE month <= $1 AND value <> 0";
        let rows = on_pool!(self, pool => {
            sqlx::query_as(SQL).bind(to.to_string()).fetch_all(pool).await?
        });
        group(rows)
    }

    /// The counters of some agencies, every month up to `to`.
    pub async fn kpi_counts_of(&self, agencies: &[String], to: Month) -> StoreResult<AgencyCounts> {
        if agencies.is_empty() {
            return Ok(AgencyCounts::new());
        }
        // One statement for all of them: a province has a hundred agencies.
        let rows = on_pool!(self, pool => {
            let mut select = sqlx::QueryBuilder::new(
                "SELECT agency, month, metric, value FROM kpi_counts WHERE month <= ",
            );
            select.push_bind(to.to_string()).push(" AND value <> 0 AND agency IN (");
            let mut list = select.separated(", ");
            for agency in agencies {
                list.push_bind(agency.clone());
            }
            select.push(")");
            select.build_query_as().fetch_all(pool).await?
        });
        group(rows)
    }

    /// Whether the counters cover every recorded dossier (false on a database that had
    /// dossiers before the counters existed, until [`replace_counts`]).
    pub async fn kpi_counts_complete(&self) -> StoreResult<bool> {
        const SQL: &str = "SELECT complete FROM kpi_state WHERE id = 1";
        let complete: Option<bool> =
            on_pool!(self, pool => sqlx::query_scalar(SQL).fetch_optional(pool).await?);
        Ok(complete.unwrap_or(false))
    }
}

/// Holds the counters still in `tx` for a rebuild: on SQLite the write transaction already
/// excludes every other writer; PostgreSQL waits for the writers that changed counters and
/// keeps new ones out until `tx` ends. Recompute from the log after this, then
/// [`replace_counts`] in the same transaction, and no change can fall between the two.
pub async fn lock_counters(tx: &mut Tx) -> StoreResult<()> {
    if let Tx::Postgres(t) = tx {
        sqlx::query("LOCK TABLE kpi_counts IN EXCLUSIVE MODE")
            .execute(&mut **t)
            .await?;
    }
    Ok(())
}

/// Replaces every counter with `counts` (recomputed from the log) and marks them
/// complete.
pub async fn replace_counts(tx: &mut Tx, counts: &AgencyCounts) -> StoreResult<()> {
    const INSERT: &str =
        "INSERT INTO kpi_counts (agency, month, metric, value) VALUES ($1, $2, $3, $4)";
    on_tx!(tx, conn => {
        sqlx::query("DELETE FROM kpi_counts").execute(&mut *conn).await?;
        for (agency, counts) in counts {
            for ((month, metric), value) in counts {
                sqlx::query(INSERT)
                    .bind(agency)
                    .bind(month.to_string())
                    .bind(metric.key())
                    .bind(*value)
                    .execute(&mut *conn)
                    .await?;
            }
        }
        sqlx::query("UPDATE kpi_state SET complete = TRUE WHERE id = 1")
            .execute(&mut *conn)
            .await?;
    });
    Ok(())
}

/// Marks the counters as not covering the log (after a projection was repaired behind
/// their back): reports then ask for a rebuild.
pub async fn mark_incomplete(tx: &mut Tx) -> StoreResult<()> {
    on_tx!(tx, conn => {
        sqlx::query("UPDATE kpi_state SET complete = FALSE WHERE id = 1")
            .execute(&mut *conn)
            .await?;
    });
    Ok(())
}

/// Stream type of imported figures (id = `unit/month`).
pub const IMPORT_STREAM: &str = "kpi_import";

/// Records imported figures: one `figure_imported` event each, on the stream of its unit
/// and month, and the projection row, the latest import of a key replacing the earlier.
pub async fn record_imported(
    tx: &mut Tx,
    figures: &[ImportedFigure],
    meta: &EventMeta,
) -> StoreResult<()> {
    const VERSION: &str =
        "SELECT COALESCE(MAX(version), 0) FROM events WHERE stream_type = $1 AND stream_id = $2";
    const UPSERT: &str = "INSERT INTO kpi_imported (unit, month, key, name, value, measure, \
         source, imported_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
         ON CONFLICT (unit, month, key) DO UPDATE SET name = excluded.name, \
         value = excluded.value, measure = excluded.measure, source = excluded.source, \
         imported_at = excluded.imported_at";
    for figure in figures {
        let stream = format!("{}/{}", figure.unit, figure.month);
        let version: i64 = on_tx!(tx, conn => {
            sqlx::query_scalar(VERSION)
                .bind(IMPORT_STREAM)
                .bind(&stream)
                .fetch_one(conn)
                .await?
        });
        let payload = serde_json::to_value(figure)?;
        events::append_unchecked(
            tx,
            IMPORT_STREAM,
            &stream,
            version,
            &[("figure_imported", payload)],
            meta,
        )
        .await?;
        on_tx!(tx, conn => {
            sqlx::query(UPSERT)
                .bind(&figure.unit)
                .bind(figure.month.to_string())
                .bind(&figure.key)
                .bind(&figure.name)
                .bind(figure.value)
                .bind(&figure.measure)
                .bind(&figure.source)
                .bind(meta.at)
                .execute(conn)
                .await?;
        });
    }
    Ok(())
}

/// An imported figure as stored, with when it was imported.
pub type StoredImport = (ImportedFigure, DateTime<Utc>);

impl crate::Store {
    /// The figures imported for `unit` and `month`, by key.
    pub async fn imported_figures(
        &self,
        unit: &str,
        month: Month,
    ) -> StoreResult<Vec<StoredImport>> {
        const SQL: &str = "SELECT key, name, value, measure, source, imported_at FROM kpi_imported \
             WHERE unit = $1 AND month = $2 ORDER BY key";
        let rows: Vec<(String, String, f64, String, String, DateTime<Utc>)> = on_pool!(self, pool => {
            sqlx::query_as(SQL).bind(unit).bind(month.to_string()).fetch_all(pool).await?
        });
        Ok(rows
            .into_iter()
            .map(|(key, name, value, measure, source, at)| {
                let figure = ImportedFigure {
                    unit: unit.to_owned(),
                    month,
                    key,
                    name,
                    value,
                    measure,
                    source,
                };
                (figure, at)
            })
            .collect())
    }
}
