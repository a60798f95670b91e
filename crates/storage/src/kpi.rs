//! The operations centre's counters: flows per agency and local month, a column per metric
//! (`kpi_months`), stock trees per agency and node, a column per stock (`kpi_stocks`), and
//! the dossiers behind the 766 indicators counting procedures per scope, period and
//! procedure (`kpi_procedure_uses`, with `kpi_procedures_used` kept by trigger), moved by
//! [`crate::dossiers::record`] in the transaction of each dossier change, read here for
//! reports, and rebuilt from the log in one transaction; and the figures imported from
//! elsewhere (`kpi_imported`, the projection of the `kpi_import` streams).

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};
use motcua_domain::event::EventMeta;
use motcua_domain::kpi::counts::{
    Counters, Metric, Month, Node, ProcedureFlow, ProcedureUses, ProceduresUsed, Stock,
};
use motcua_domain::kpi::imported::ImportedFigure;
use motcua_domain::kpi::period::Period;
use sqlx::Row;

use crate::{StoreError, StoreResult, Tx, events, on_pool, on_tx, push_in};

/// Counters by agency.
pub type AgencyCounters = BTreeMap<String, Counters>;

/// The flow columns of `kpi_months`, in [`Metric::ALL`] order.
pub(crate) fn metric_columns() -> String {
    Metric::ALL.map(Metric::key).join(", ")
}

/// The flow columns of `kpi_procedure_uses` and `kpi_procedures_used`, in
/// [`ProcedureFlow::ALL`] order.
fn flow_columns() -> String {
    ProcedureFlow::ALL.map(ProcedureFlow::key).join(", ")
}

/// The upsert adding `values` (rows of scope, period, procedure and the flows) to
/// `kpi_procedure_uses`; its trigger moves `kpi_procedures_used`.
pub(crate) fn uses_upsert(values: &str) -> String {
    let sums: Vec<String> = ProcedureFlow::ALL
        .iter()
        .map(|f| format!("{k} = kpi_procedure_uses.{k} + excluded.{k}", k = f.key()))
        .collect();
    format!(
        "INSERT INTO kpi_procedure_uses (scope, period, procedure_code, {}) VALUES {values} \
         ON CONFLICT (scope, period, procedure_code) DO UPDATE SET {}",
        flow_columns(),
        sums.join(", ")
    )
}

/// One `kpi_procedure_uses` row: scope, period, procedure, then the flows.
type UseRow = (String, String, String, i64, i64, i64, i64);

/// One `kpi_procedures_used` row: scope, period, then the flows.
type UsedRow = (String, String, i64, i64, i64, i64);

/// A node's number as the table stores it.
pub(crate) fn node_column(node: Node) -> i32 {
    i32::from(node.index())
}

/// One `kpi_months` row: agency, month, then the flows in [`Metric::ALL`] order.
pub(crate) type MonthRow = (String, String, Vec<i64>);

/// One `kpi_stocks` row: agency, node, open, overdue.
pub(crate) type StockRow = (String, i32, i64, i64);

/// One agency's `kpi_months` row: month, then the flows in [`Metric::ALL`] order.
pub(crate) type MonthValues = (Month, Vec<i64>);

/// One agency's `kpi_stocks` row: node, open, overdue.
pub(crate) type NodeValues = (i32, i64, i64);

/// The rows of one agency's counters.
pub(crate) fn rows_of(counters: &Counters) -> (Vec<MonthValues>, Vec<NodeValues>) {
    let mut months: BTreeMap<Month, Vec<i64>> = BTreeMap::new();
    for ((month, metric), n) in &counters.counts {
        let row = months
            .entry(*month)
            .or_insert_with(|| vec![0; Metric::ALL.len()]);
        if let Some(i) = Metric::ALL.iter().position(|m| m == metric) {
            row[i] += n;
        }
    }
    let mut nodes: BTreeMap<Node, (i64, i64)> = BTreeMap::new();
    for ((stock, node), n) in &counters.stocks {
        let row = nodes.entry(*node).or_insert((0, 0));
        match stock {
            Stock::Open => row.0 += n,
            Stock::Overdue => row.1 += n,
        }
    }
    (
        months.into_iter().collect(),
        nodes
            .into_iter()
            .map(|(node, (open, overdue))| (node_column(node), open, overdue))
            .collect(),
    )
}

/// Adds stored month rows to `out`; a month the domain cannot read is corruption.
fn add_months(out: &mut AgencyCounters, rows: Vec<MonthRow>) -> StoreResult<()> {
    for (agency, month, values) in rows {
        let month: Month = month
            .parse()
            .map_err(|e: String| StoreError::Corrupt(format!("kpi_months {agency}: {e}")))?;
        let counters = out.entry(agency).or_default();
        for (metric, n) in Metric::ALL.into_iter().zip(values) {
            if n != 0 {
                counters.add_flow(month, metric, n);
            }
        }
    }
    Ok(())
}

/// Adds stored stock rows to `out`.
fn add_stocks(out: &mut AgencyCounters, rows: Vec<StockRow>) -> StoreResult<()> {
    for (agency, node, open, overdue) in rows {
        let node = Node::from_index(i64::from(node))
            .ok_or_else(|| StoreError::Corrupt(format!("kpi_stocks {agency}: node {node}")))?;
        let counters = out.entry(agency).or_default();
        for (stock, n) in [(Stock::Open, open), (Stock::Overdue, overdue)] {
            if n != 0 {
                *counters.stocks.entry((stock, node)).or_insert(0) += n;
            }
        }
    }
    Ok(())
}

/// Reads month rows of either engine: agency, month, then the metric columns.
macro_rules! month_rows {
    ($rows:expr) => {
        $rows
            .into_iter()
            .map(|r| {
                let values = (0..Metric::ALL.len())
                    .map(|i| r.try_get::<i64, _>(i + 2))
                    .collect::<Result<Vec<i64>, sqlx::Error>>()?;
                Ok((
                    r.try_get::<String, _>(0)?,
                    r.try_get::<String, _>(1)?,
                    values,
                ))
            })
            .collect::<Result<Vec<MonthRow>, sqlx::Error>>()?
    };
}

impl crate::Store {
    /// Every agency's counters, all of them (to compare with the log).
    pub async fn all_kpi_counters(&self) -> StoreResult<AgencyCounters> {
        let months = format!("SELECT agency, month, {} FROM kpi_months", metric_columns());
        const STOCKS: &str = "SELECT agency, node, stock_open, stock_overdue FROM kpi_stocks";
        let (months, stocks) = on_pool!(self, pool => {
            let rows = sqlx::query(sqlx::AssertSqlSafe(months)).fetch_all(pool).await?;
            (month_rows!(rows), sqlx::query_as(STOCKS).fetch_all(pool).await?)
        });
        let mut out = AgencyCounters::new();
        add_months(&mut out, months)?;
        add_stocks(&mut out, stocks)?;
        Ok(out)
    }

    /// The counters of some agencies that reports over `months` need: the flows of those
    /// months and the stock `nodes` (see [`motcua_domain::kpi::counts::nodes_for`]). Two
    /// statements, each one index range or a few seeks per agency: the cost depends on the
    /// months asked and the agencies, never on how much history the counters hold.
    pub async fn kpi_counters_of(
        &self,
        agencies: &[String],
        months: Period,
        nodes: &BTreeSet<Node>,
    ) -> StoreResult<AgencyCounters> {
        let mut out = AgencyCounters::new();
        if agencies.is_empty() {
            return Ok(out);
        }
        let select_months = format!(
            "SELECT agency, month, {} FROM kpi_months WHERE month >= ",
            metric_columns()
        );
        // One statement for all of them: a province has a hundred agencies.
        let (months, stocks) = on_pool!(self, pool => {
            let mut select = sqlx::QueryBuilder::new(select_months);
            select
                .push_bind(months.first().to_string())
                .push(" AND month <= ")
                .push_bind(months.last().to_string())
                .push(" AND agency IN (");
            push_in!(select, agencies.iter().cloned());
            let rows = select.build().fetch_all(pool).await?;
            let months = month_rows!(rows);
            let mut stocks: Vec<StockRow> = Vec::new();
            if !nodes.is_empty() {
                let mut select = sqlx::QueryBuilder::new(
                    "SELECT agency, node, stock_open, stock_overdue FROM kpi_stocks WHERE agency IN (",
                );
                push_in!(select, agencies.iter().cloned());
                select.push(" AND node IN (");
                push_in!(select, nodes.iter().map(|n| node_column(*n)));
                stocks = select.build_query_as().fetch_all(pool).await?;
            }
            (months, stocks)
        });
        add_months(&mut out, months)?;
        add_stocks(&mut out, stocks)?;
        Ok(out)
    }

    /// The counters of `agencies` summed by the database (a unit's), for reports over
    /// `months`: what [`Store::kpi_counters_of`] reads, added up before it leaves the
    /// engine, so a province's hundred agencies come back as one agency's rows.
    ///
    /// [`Store::kpi_counters_of`]: crate::Store::kpi_counters_of
    pub async fn kpi_counters_summed(
        &self,
        agencies: &[String],
        months: Period,
        nodes: &BTreeSet<Node>,
    ) -> StoreResult<Counters> {
        let mut out = AgencyCounters::new();
        if agencies.is_empty() {
            return Ok(Counters::default());
        }
        let sums = Metric::ALL
            .map(|m| format!("CAST(SUM({}) AS BIGINT)", m.key()))
            .join(", ");
        let select_months = format!("SELECT '', month, {sums} FROM kpi_months WHERE month >= ");
        let (months, stocks) = on_pool!(self, pool => {
            let mut select = sqlx::QueryBuilder::new(select_months);
            select
                .push_bind(months.first().to_string())
                .push(" AND month <= ")
                .push_bind(months.last().to_string())
                .push(" AND agency IN (");
            push_in!(select, agencies.iter().cloned());
            select.push(" GROUP BY month");
            let rows = select.build().fetch_all(pool).await?;
            let months = month_rows!(rows);
            let mut stocks: Vec<StockRow> = Vec::new();
            if !nodes.is_empty() {
                let mut select = sqlx::QueryBuilder::new(
                    "SELECT '', node, CAST(SUM(stock_open) AS BIGINT), \
                     CAST(SUM(stock_overdue) AS BIGINT) FROM kpi_stocks WHERE agency IN (",
                );
                push_in!(select, agencies.iter().cloned());
                select.push(" AND node IN (");
                push_in!(select, nodes.iter().map(|n| node_column(*n)));
                select.push(" GROUP BY node");
                stocks = select.build_query_as().fetch_all(pool).await?;
            }
            (months, stocks)
        });
        add_months(&mut out, months)?;
        add_stocks(&mut out, stocks)?;
        Ok(out.remove("").unwrap_or_default())
    }

    /// How many procedures each of `scopes` used in the period of `period_key` (a month, a
    /// quarter or a year: [`motcua_domain::kpi::counts::period_key`]), flows in
    /// [`ProcedureFlow::ALL`] order; a scope that used none is absent.
    pub async fn procedures_used(
        &self,
        period_key: &str,
        scopes: &[String],
    ) -> StoreResult<BTreeMap<String, [i64; 4]>> {
        let mut out = BTreeMap::new();
        if scopes.is_empty() {
            return Ok(out);
        }
        let select = format!(
            "SELECT scope, {} FROM kpi_procedures_used WHERE period = ",
            flow_columns()
        );
        let rows: Vec<(String, i64, i64, i64, i64)> = on_pool!(self, pool => {
            let mut select = sqlx::QueryBuilder::new(select.as_str());
            select.push_bind(period_key).push(" AND scope IN (");
            push_in!(select, scopes.iter().cloned());
            select.build_query_as().fetch_all(pool).await?
        });
        for (scope, a, b, c, d) in rows {
            out.insert(scope, [a, b, c, d]);
        }
        Ok(out)
    }

    /// Every `kpi_procedure_uses` row and every `kpi_procedures_used` row, all-zero rows left
    /// out: to compare with those recomputed from the log.
    pub async fn all_procedure_uses(&self) -> StoreResult<(ProcedureUses, ProceduresUsed)> {
        let uses = format!(
            "SELECT scope, period, procedure_code, {} FROM kpi_procedure_uses",
            flow_columns()
        );
        let used = format!(
            "SELECT scope, period, {} FROM kpi_procedures_used",
            flow_columns()
        );
        let (uses, used): (Vec<UseRow>, Vec<UsedRow>) = on_pool!(self, pool => (
            sqlx::query_as(sqlx::AssertSqlSafe(uses)).fetch_all(pool).await?,
            sqlx::query_as(sqlx::AssertSqlSafe(used)).fetch_all(pool).await?,
        ));
        let uses = uses
            .into_iter()
            .map(|(s, p, c, a, b, f, d)| ((s, p, c), [a, b, f, d]))
            .filter(|(_, row)| row.iter().any(|n| *n != 0))
            .collect();
        let used = used
            .into_iter()
            .map(|(s, p, a, b, f, d)| ((s, p), [a, b, f, d]))
            .filter(|(_, row)| row.iter().any(|n| *n != 0))
            .collect();
        Ok((uses, used))
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
        sqlx::query(
            "LOCK TABLE kpi_months, kpi_stocks, kpi_procedure_uses, kpi_procedures_used \
             IN EXCLUSIVE MODE",
        )
        .execute(&mut **t)
        .await?;
    }
    Ok(())
}

/// Rows written per statement by [`replace_counts`] (at most 21 parameters each, far below
/// either engine's limit).
const ROWS_PER_INSERT: usize = 200;

/// Replaces every counter with `counters` and the procedures used with `uses` (recomputed
/// from the log; `kpi_procedures_used` follows by trigger) and marks them complete.
pub async fn replace_counts(
    tx: &mut Tx,
    counters: &AgencyCounters,
    uses: &ProcedureUses,
) -> StoreResult<()> {
    let mut months: Vec<(&str, String, Vec<i64>)> = Vec::new();
    let mut stocks: Vec<(&str, i32, i64, i64)> = Vec::new();
    for (agency, c) in counters {
        let (m, s) = rows_of(c);
        months.extend(
            m.into_iter()
                .map(|(month, values)| (agency.as_str(), month.to_string(), values)),
        );
        stocks.extend(
            s.into_iter()
                .map(|(node, open, overdue)| (agency.as_str(), node, open, overdue)),
        );
    }
    let insert_months = format!(
        "INSERT INTO kpi_months (agency, month, {}) ",
        metric_columns()
    );
    let insert_uses = format!(
        "INSERT INTO kpi_procedure_uses (scope, period, procedure_code, {}) ",
        flow_columns()
    );
    on_tx!(tx, conn => {
        sqlx::query("DELETE FROM kpi_months").execute(&mut *conn).await?;
        sqlx::query("DELETE FROM kpi_stocks").execute(&mut *conn).await?;
        sqlx::query("DELETE FROM kpi_procedures_used").execute(&mut *conn).await?;
        sqlx::query("DELETE FROM kpi_procedure_uses").execute(&mut *conn).await?;
        for chunk in months.chunks(ROWS_PER_INSERT) {
            let mut insert = sqlx::QueryBuilder::new(insert_months.as_str());
            insert.push_values(chunk, |mut row, (agency, month, values)| {
                row.push_bind(*agency).push_bind(month.as_str());
                for n in values {
                    row.push_bind(*n);
                }
            });
            insert.build().execute(&mut *conn).await?;
        }
        for chunk in stocks.chunks(ROWS_PER_INSERT) {
            let mut insert = sqlx::QueryBuilder::new(
                "INSERT INTO kpi_stocks (agency, node, stock_open, stock_overdue) ",
            );
            insert.push_values(chunk, |mut row, (agency, node, open, overdue)| {
                row.push_bind(*agency).push_bind(*node).push_bind(*open).push_bind(*overdue);
            });
            insert.build().execute(&mut *conn).await?;
        }
        for chunk in uses.iter().collect::<Vec<_>>().chunks(ROWS_PER_INSERT) {
            let mut insert = sqlx::QueryBuilder::new(insert_uses.as_str());
            insert.push_values(chunk, |mut row, ((scope, period, procedure), values)| {
                row.push_bind(scope.as_str())
                    .push_bind(period.as_str())
                    .push_bind(procedure.as_str());
                for n in values.iter() {
                    row.push_bind(*n);
                }
            });
            insert.build().execute(&mut *conn).await?;
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

/// A `kpi_imported` row: unit, month, key, name, value, measure, source.
type ImportedRow = (String, String, String, String, f64, String, String);

/// The figure of a stored row; a month the domain cannot read is corruption.
fn imported_figure(row: ImportedRow) -> StoreResult<ImportedFigure> {
    let (unit, month, key, name, value, measure, source) = row;
    let month = month
        .parse()
        .map_err(|e: String| StoreError::Corrupt(format!("kpi_imported {unit}: {e}")))?;
    Ok(ImportedFigure {
        unit,
        month,
        key,
        name,
        value,
        measure,
        source,
    })
}

/// An imported figure as stored, with when it was imported.
pub type StoredImport = (ImportedFigure, DateTime<Utc>);

impl crate::Store {
    /// The figures imported for `unit` in the months `first` to `last`, by month then key.
    pub async fn imported_figures(
        &self,
        unit: &str,
        first: Month,
        last: Month,
    ) -> StoreResult<Vec<StoredImport>> {
        // Months are stored as YYYY-MM, which sorts as the months do.
        const SQL: &str = "SELECT month, key, name, value, measure, source, imported_at \
             FROM kpi_imported WHERE unit = $1 AND month >= $2 AND month <= $3 \
             ORDER BY month, key";
        type Row = (String, String, String, f64, String, String, DateTime<Utc>);
        let rows: Vec<Row> = on_pool!(self, pool => {
            sqlx::query_as(SQL)
                .bind(unit)
                .bind(first.to_string())
                .bind(last.to_string())
                .fetch_all(pool)
                .await?
        });
        rows.into_iter()
            .map(|(month, key, name, value, measure, source, at)| {
                let row = (unit.to_owned(), month, key, name, value, measure, source);
                Ok((imported_figure(row)?, at))
            })
            .collect()
    }

    /// The imported parts of 766 indicators (keys beginning with
    /// [`motcua_domain::kpi::imported::INDEX_PREFIX`]) of every unit in the months `first`
    /// to `last`, by unit: a few rows per unit and month at most.
    pub async fn imported_index_figures(
        &self,
        first: Month,
        last: Month,
    ) -> StoreResult<BTreeMap<String, Vec<ImportedFigure>>> {
        const SQL: &str = "SELECT unit, month, key, name, value, measure, source \
             FROM kpi_imported WHERE month >= $1 AND month <= $2 AND key LIKE $3";
        // `_` matches any character here; the caller reads only the exact keys.
        let prefix = format!("{}%", motcua_domain::kpi::imported::INDEX_PREFIX);
        let rows: Vec<ImportedRow> = on_pool!(self, pool => {
            sqlx::query_as(SQL)
                .bind(first.to_string())
                .bind(last.to_string())
                .bind(&prefix)
                .fetch_all(pool)
                .await?
        });
        let mut out: BTreeMap<String, Vec<ImportedFigure>> = BTreeMap::new();
        for row in rows {
            let figure = imported_figure(row)?;
            out.entry(figure.unit.clone()).or_default().push(figure);
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    //! Migration 0011 on counters written under 0010: the rows of each metric become one row
    //! per month, and the old `due` and `due_ended:…` rows also the stock trees the domain
    //! computes from the same monthly changes.

    use std::str::FromStr;

    use motcua_domain::kpi::counts::{Counters, Metric, Month, Stock};
    use sqlx::Connection;
    use sqlx::migrate::Migrator;
    use sqlx::postgres::{PgConnectOptions, PgConnection};

    use crate::{Store, StoreConfig};

    fn m(s: &str) -> Month {
        s.parse().unwrap()
    }

    /// Old-style rows of one agency (month, metric, value): three dossiers received at the
    /// desk in January, two online in February; two resolved early in February, one late in
    /// March. Appointments: two in January (one ended in January, one in February), three
    /// in February (one ended in February, one in March, one still open).
    const OLD: [(&str, &str, i64); 10] = [
        ("2026-01", "received_desk", 3),
        ("2026-02", "received_online", 2),
        ("2026-02", "resolved_early", 2),
        ("2026-03", "resolved_late", 1),
        ("2026-01", "due", 2),
        ("2026-02", "due", 3),
        ("2026-01", "due_ended:2026-01", 1),
        ("2026-01", "due_ended:2026-02", 1),
        ("2026-02", "due_ended:2026-02", 1),
        ("2026-02", "due_ended:2026-03", 1),
    ];

    /// The migrations up to 0010 of `folder`, copied apart so that a migrator stops there.
    async fn migrator_until_0010(folder: &str) -> (tempfile::TempDir, Migrator) {
        let dir = tempfile::tempdir().unwrap();
        let source = format!("{}/migrations/{folder}", env!("CARGO_MANIFEST_DIR"));
        for entry in std::fs::read_dir(source).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            if name.as_str() < "0011" {
                std::fs::copy(&path, dir.path().join(&name)).unwrap();
            }
        }
        let migrator = Migrator::new(dir.path()).await.unwrap();
        (dir, migrator)
    }

    async fn write_old_rows(store: &Store) {
        let mut tx = store.begin().await.unwrap();
        crate::on_tx!(&mut tx, conn => {
            for (month, metric, value) in OLD {
                sqlx::query(
                    "INSERT INTO kpi_counts (agency, month, metric, value) VALUES ('A', $1, $2, $3)",
                )
                .bind(month)
                .bind(metric)
                .bind(value)
                .execute(&mut *conn)
                .await
                .unwrap();
            }
        });
        tx.commit().await.unwrap();
    }

    async fn check_upgraded(store: &Store) {
        let read = store.all_kpi_counters().await.unwrap();
        let got = &read["A"];
        let mut wanted = Counters::default();
        // Open: +3 in January, +2 − 2 in February, −1 in March.
        wanted.add_stock_change(Stock::Open, m("2026-01"), 3);
        wanted.add_stock_change(Stock::Open, m("2026-03"), -1);
        // Overdue: January +2 − 1 (ended in January); February +3 − 1 − 1 (the January
        // dossier ended in February, one February dossier too); March −1.
        wanted.add_stock_change(Stock::Overdue, m("2026-01"), 1);
        wanted.add_stock_change(Stock::Overdue, m("2026-02"), 1);
        wanted.add_stock_change(Stock::Overdue, m("2026-03"), -1);
        wanted.retain_non_zero();
        assert_eq!(got.stocks, wanted.stocks);
        // What the old counters said, read from the trees.
        assert_eq!(got.stock(Stock::Overdue, m("2026-01")), 1);
        assert_eq!(got.stock(Stock::Overdue, m("2026-02")), 2);
        assert_eq!(got.stock(Stock::Overdue, m("2026-03")), 1);
        assert_eq!(got.stock(Stock::Open, m("2026-02")), 3);
        // The flows stay, one row per month; `due_ended:…` became due_ended in the later of
        // the appointment's month and the month the dossier ended.
        let flow = |month: &str, metric: Metric| got.counts.get(&(m(month), metric)).copied();
        assert_eq!(flow("2026-01", Metric::ReceivedDesk), Some(3));
        assert_eq!(flow("2026-02", Metric::ResolvedEarly), Some(2));
        assert_eq!(flow("2026-02", Metric::Due), Some(3));
        assert_eq!(flow("2026-01", Metric::DueEnded), Some(1));
        assert_eq!(flow("2026-02", Metric::DueEnded), Some(2));
        assert_eq!(flow("2026-03", Metric::DueEnded), Some(1));
        assert_eq!(got.counts.len(), 9);
    }

    #[tokio::test]
    async fn the_upgrade_turns_old_counters_into_stock_trees_on_sqlite() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::connect(&StoreConfig {
            url: format!("sqlite://{}/old.sqlite", dir.path().display()),
            ..StoreConfig::default()
        })
        .await
        .unwrap();
        let (_keep, old) = migrator_until_0010("sqlite").await;
        let Store::Sqlite(s) = &store else {
            unreachable!()
        };
        old.run(&s.writer).await.unwrap();
        write_old_rows(&store).await;
        store.migrate().await.unwrap();
        check_upgraded(&store).await;
        store.close().await;
    }

    #[tokio::test]
    async fn the_upgrade_turns_old_counters_into_stock_trees_on_postgres() {
        let url = std::env::var("MOTCUA_TEST_POSTGRES_URL")
            .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into());
        let schema = format!("t_upgrade_{}", std::process::id());
        let mut admin = PgConnection::connect(&url).await.unwrap_or_else(|e| {
            panic!("PostgreSQL is not reachable at {url}: {e}; the suite never skips")
        });
        let script = format!("DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE SCHEMA {schema}");
        sqlx::raw_sql(sqlx::AssertSqlSafe(script))
            .execute(&mut admin)
            .await
            .unwrap();
        let options = PgConnectOptions::from_str(&url)
            .unwrap()
            .options([("search_path", schema.as_str())]);
        let store = Store::connect_postgres(options, 2).await.unwrap();
        let (_keep, old) = migrator_until_0010("postgres").await;
        let Store::Postgres(p) = &store else {
            unreachable!()
        };
        old.run(&p.pool).await.unwrap();
        write_old_rows(&store).await;
        store.migrate().await.unwrap();
        check_upgraded(&store).await;
        store.close().await;
        let drop = format!("DROP SCHEMA IF EXISTS {schema} CASCADE");
        sqlx::raw_sql(sqlx::AssertSqlSafe(drop))
            .execute(&mut admin)
            .await
            .unwrap();
    }
}
