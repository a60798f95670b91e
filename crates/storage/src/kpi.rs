//! The operations centre's counters: flows per agency, local month and metric
//! (`kpi_counts`), and stock trees per agency, stock and node (`kpi_stocks`), moved by
//! [`crate::dossiers::record`] in the transaction of each dossier change, read here for
//! reports, and rebuilt from the log in one transaction.

use std::collections::{BTreeMap, BTreeSet};

use motcua_domain::kpi::counts::{Counters, Metric, Month, Node, Stock};
use motcua_domain::kpi::period::Period;

use crate::{StoreError, StoreResult, Tx, on_pool, on_tx};

/// Counters by agency.
pub type AgencyCounters = BTreeMap<String, Counters>;

/// Adds stored flow rows to `out`; a row the domain does not know is corruption.
fn add_flows(
    out: &mut AgencyCounters,
    rows: Vec<(String, String, String, i64)>,
) -> StoreResult<()> {
    for (agency, month, metric, value) in rows {
        let month: Month = month
            .parse()
            .map_err(|e: String| StoreError::Corrupt(format!("kpi_counts {agency}: {e}")))?;
        let metric = Metric::parse(&metric).ok_or_else(|| {
            StoreError::Corrupt(format!("kpi_counts {agency} {month}: metric «{metric}»"))
        })?;
        if value != 0 {
            out.entry(agency)
                .or_default()
                .add_flow(month, metric, value);
        }
    }
    Ok(())
}

/// Adds stored stock rows to `out`.
fn add_stocks(out: &mut AgencyCounters, rows: Vec<(String, String, i32, i64)>) -> StoreResult<()> {
    for (agency, stock, node, value) in rows {
        let corrupt = || StoreError::Corrupt(format!("kpi_stocks {agency}: {stock} {node}"));
        let stock = Stock::parse(&stock).ok_or_else(corrupt)?;
        let node = Node::from_index(i64::from(node)).ok_or_else(corrupt)?;
        if value != 0 {
            *out.entry(agency)
                .or_default()
                .stocks
                .entry((stock, node))
                .or_insert(0) += value;
        }
    }
    Ok(())
}

/// A node's number as the table stores it.
fn node_column(node: Node) -> i32 {
    i32::from(node.index())
}

impl crate::Store {
    /// Every agency's counters, all of them (to compare with the log).
    pub async fn all_kpi_counters(&self) -> StoreResult<AgencyCounters> {
        const FLOWS: &str = "SELECT agency, month, metric, value FROM kpi_counts WHERE value <> 0";
        const STOCKS: &str = "SELECT agency, stock, node, value FROM kpi_stocks WHERE value <> 0";
        let (flows, stocks) = on_pool!(self, pool => (
            sqlx::query_as(FLOWS).fetch_all(pool).await?,
            sqlx::query_as(STOCKS).fetch_all(pool).await?,
        ));
        let mut out = AgencyCounters::new();
        add_flows(&mut out, flows)?;
        add_stocks(&mut out, stocks)?;
        Ok(out)
    }

    /// The counters of some agencies that reports over `months` need: the flows of those
    /// months and the stock `nodes` (both stocks at each; see
    /// [`motcua_domain::kpi::counts::nodes_for`]). Two statements, each a few index
    /// ranges per agency: the cost depends on the months asked and the agencies, never on
    /// how much history the counters hold.
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
        // One statement for all of them: a province has a hundred agencies.
        let (flows, stocks) = on_pool!(self, pool => {
            let mut select = sqlx::QueryBuilder::new(
                "SELECT agency, month, metric, value FROM kpi_counts WHERE month >= ",
            );
            select
                .push_bind(months.first().to_string())
                .push(" AND month <= ")
                .push_bind(months.last().to_string())
                .push(" AND value <> 0 AND agency IN (");
            let mut list = select.separated(", ");
            for agency in agencies {
                list.push_bind(agency.clone());
            }
            select.push(")");
            let flows: Vec<(String, String, String, i64)> =
                select.build_query_as().fetch_all(pool).await?;
            let mut stocks: Vec<(String, String, i32, i64)> = Vec::new();
            if !nodes.is_empty() {
                let mut select = sqlx::QueryBuilder::new(
                    "SELECT agency, stock, node, value FROM kpi_stocks WHERE agency IN (",
                );
                let mut list = select.separated(", ");
                for agency in agencies {
                    list.push_bind(agency.clone());
                }
                select.push(") AND node IN (");
                let mut list = select.separated(", ");
                for node in nodes {
                    list.push_bind(node_column(*node));
                }
                select.push(") AND value <> 0");
                stocks = select.build_query_as().fetch_all(pool).await?;
            }
            (flows, stocks)
        });
        add_flows(&mut out, flows)?;
        add_stocks(&mut out, stocks)?;
        Ok(out)
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
        sqlx::query("LOCK TABLE kpi_counts, kpi_stocks IN EXCLUSIVE MODE")
            .execute(&mut **t)
            .await?;
    }
    Ok(())
}

/// Rows written per statement by [`replace_counts`] (4 parameters each, far below either
/// engine's limit).
const ROWS_PER_INSERT: usize = 500;

/// Replaces every counter with `counters` (recomputed from the log) and marks them
/// complete.
pub async fn replace_counts(tx: &mut Tx, counters: &AgencyCounters) -> StoreResult<()> {
    let flows: Vec<(&str, String, &str, i64)> = counters
        .iter()
        .flat_map(|(agency, c)| {
            c.counts
                .iter()
                .filter(|(_, n)| **n != 0)
                .map(move |((month, metric), n)| {
                    (agency.as_str(), month.to_string(), metric.key(), *n)
                })
        })
        .collect();
    let stocks: Vec<(&str, &str, i32, i64)> = counters
        .iter()
        .flat_map(|(agency, c)| {
            c.stocks
                .iter()
                .filter(|(_, n)| **n != 0)
                .map(move |((stock, node), n)| {
                    (agency.as_str(), stock.key(), node_column(*node), *n)
                })
        })
        .collect();
    on_tx!(tx, conn => {
        sqlx::query("DELETE FROM kpi_counts").execute(&mut *conn).await?;
        sqlx::query("DELETE FROM kpi_stocks").execute(&mut *conn).await?;
        for chunk in flows.chunks(ROWS_PER_INSERT) {
            let mut insert =
                sqlx::QueryBuilder::new("INSERT INTO kpi_counts (agency, month, metric, value) ");
            insert.push_values(chunk, |mut row, (agency, month, metric, n)| {
                row.push_bind(*agency).push_bind(month.as_str()).push_bind(*metric).push_bind(*n);
            });
            insert.build().execute(&mut *conn).await?;
        }
        for chunk in stocks.chunks(ROWS_PER_INSERT) {
            let mut insert =
                sqlx::QueryBuilder::new("INSERT INTO kpi_stocks (agency, stock, node, value) ");
            insert.push_values(chunk, |mut row, (agency, stock, node, n)| {
                row.push_bind(*agency).push_bind(*stock).push_bind(*node).push_bind(*n);
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

#[cfg(test)]
mod tests {
    //! Migration 0011 on counters written under 0010: the old `due` and `due_ended:…` rows
    //! become the stock trees the domain computes from the same monthly changes.

    use std::str::FromStr;

    use motcua_domain::kpi::counts::{Counters, Month, Stock};
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
        // The flows stay; the old appointment counters are gone.
        assert_eq!(got.counts.len(), 4);
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
