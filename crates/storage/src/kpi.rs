//! The operations centre's counters (`kpi_counts`): per agency, local month and metric,
//! moved by [`crate::dossiers::record`] in the transaction of each dossier change, read
//! here for reports, and rebuilt from the log in one transaction.

use std::collections::BTreeMap;

use motcua_domain::kpi::counts::{Counts, Metric, Month};

use crate::{StoreError, StoreResult, Tx, on_pool, on_tx};

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
