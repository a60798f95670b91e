//! Support for `motcua bench kpi`: a `dossiers` projection filled synthetically with SQL, the
//! counters derived from the same rows, and the reference that computes the same figures by
//! scanning the projection with `GROUP BY`.
//!
//! Driving ten million dossiers through the engine would take hours, so the bench writes
//! projection rows directly: agencies, procedures (time limits included), channels, receipt
//! instants in office hours (online at any hour), appointments, ends of processing (early,
//! on the appointment day, late, never), electronic or paper results, supplement requests
//! and ratings, drawn with the engine's `random()`. Only the columns statistics read are
//! meaningful; the JSON state is `{}` and nothing is written to the event log, so such a
//! database is for the bench alone.
//!
//! The classification of a finished dossier is the one of
//! [`Timing::outcome_at`](motcua_domain::dossier::Timing::outcome_at) under the default
//! rules: late when it ended after its appointment or had two supplement requests, early
//! when it ended on an earlier local day, on time otherwise ([`class_sql`]).

use chrono::{DateTime, Utc};
use motcua_domain::kpi::counts::Month;

use crate::{Store, StoreError, StoreResult, on_pool, on_tx};

/// Code prefix of the synthetic dossiers.
pub const CODE_PREFIX: &str = "BENCH-";

/// Slots of the weighted draws: an agency or procedure with weight w takes about
/// `w × SLOTS / Σ weights` of them.
pub const SLOTS: usize = 1000;

/// What the fill draws from.
#[derive(Debug, Clone)]
pub struct FillPlan {
    /// Agencies and their weights.
    pub agencies: Vec<(String, u32)>,
    /// Procedure codes, their time limits in seconds (`None`: no time limit), and weights.
    pub procedures: Vec<(String, Option<i64>, u32)>,
    /// Local midnight of the first day of receipt.
    pub first_day: DateTime<Utc>,
    /// Days of receipt.
    pub days: i64,
    /// Nothing ends after this instant: dossiers whose end would come later are open.
    pub now: DateTime<Utc>,
}

/// Spreads weighted items over [`SLOTS`] slots (every item at least one while slots last).
fn slots<T: Clone>(items: &[(T, u32)]) -> Vec<T> {
    let total: u64 = items.iter().map(|(_, w)| u64::from(*w)).sum::<u64>().max(1);
    let mut out = Vec::with_capacity(SLOTS);
    for (item, w) in items {
        let n = (u64::from(*w) * SLOTS as u64 / total).max(1);
        for _ in 0..n {
            if out.len() < SLOTS {
                out.push(item.clone());
            }
        }
    }
    let mut i = 0;
    while out.len() < SLOTS && !items.is_empty() {
        out.push(items[i % items.len()].0.clone());
        i += 1;
    }
    out
}

/// Writes the draw tables of `plan` (replacing earlier ones).
pub async fn write_plan(store: &Store, plan: &FillPlan) -> StoreResult<()> {
    let agencies = slots(&plan.agencies);
    let procedures = slots(
        &plan
            .procedures
            .iter()
            .map(|(code, limit, w)| ((code.clone(), *limit), *w))
            .collect::<Vec<_>>(),
    );
    let mut tx = store.begin().await?;
    on_tx!(&mut tx, conn => {
        for sql in [
            "DROP TABLE IF EXISTS bench_agency_slots",
            "DROP TABLE IF EXISTS bench_procedure_slots",
            "CREATE TABLE bench_agency_slots (slot INTEGER PRIMARY KEY, agency TEXT NOT NULL)",
            "CREATE TABLE bench_procedure_slots (slot INTEGER PRIMARY KEY, code TEXT NOT NULL, \
             limit_s BIGINT)",
        ] {
            sqlx::query(sql).execute(&mut *conn).await?;
        }
        for (slot, agency) in agencies.iter().enumerate() {
            sqlx::query("INSERT INTO bench_agency_slots (slot, agency) VALUES ($1, $2)")
                .bind(slot as i64)
                .bind(agency)
                .execute(&mut *conn)
                .await?;
        }
        for (slot, (code, limit)) in procedures.iter().enumerate() {
            sqlx::query(
                "INSERT INTO bench_procedure_slots (slot, code, limit_s) VALUES ($1, $2, $3)",
            )
            .bind(slot as i64)
            .bind(code)
            .bind(*limit)
            .execute(&mut *conn)
            .await?;
        }
    });
    tx.commit().await
}

/// The projection's secondary indexes, dropped for a bulk fill; returns their definitions
/// for [`create_indexes`]. Rebuilding an index from sorted rows is much faster than
/// inserting ten million random keys into it.
pub async fn drop_dossier_indexes(store: &Store) -> StoreResult<Vec<String>> {
    let (names, ddl): (Vec<String>, Vec<String>) = match store {
        Store::Sqlite(s) => {
            let rows: Vec<(String, String)> = sqlx::query_as(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' \
                 AND tbl_name = 'dossiers' AND sql IS NOT NULL",
            )
            .fetch_all(&s.writer)
            .await?;
            rows.into_iter().unzip()
        }
        Store::Postgres(p) => {
            let rows: Vec<(String, String)> = sqlx::query_as(
                "SELECT indexname::text, indexdef::text FROM pg_indexes \
                 WHERE schemaname = current_schema() AND tablename = 'dossiers' \
                 AND indexname NOT LIKE '%_pkey'",
            )
            .fetch_all(&p.pool)
            .await?;
            rows.into_iter().unzip()
        }
    };
    let mut tx = store.begin().await?;
    on_tx!(&mut tx, conn => {
        for name in &names {
            sqlx::raw_sql(sqlx::AssertSqlSafe(format!("DROP INDEX {name}")))
                .execute(&mut *conn)
                .await?;
        }
    });
    tx.commit().await?;
    Ok(ddl)
}

/// Recreates indexes from their definitions.
pub async fn create_indexes(store: &Store, ddl: &[String]) -> StoreResult<()> {
    let mut tx = store.begin().await?;
    on_tx!(&mut tx, conn => {
        for sql in ddl {
            sqlx::raw_sql(sqlx::AssertSqlSafe(sql.clone())).execute(&mut *conn).await?;
        }
    });
    tx.commit().await
}

/// Brings the filled tables to the state a database in service is in: on PostgreSQL,
/// vacuumed and analysed, so that the measured rounds do not race autovacuum over the ten
/// million rows just written (SQLite keeps no such state).
pub async fn settle(store: &Store) -> StoreResult<()> {
    if let Store::Postgres(p) = store {
        sqlx::raw_sql(
            "VACUUM ANALYZE dossiers, kpi_months, kpi_stocks, kpi_procedure_uses, \
             kpi_procedures_used",
        )
        .execute(&p.pool)
        .await?;
    }
    Ok(())
}

/// The synthetic dossiers numbered `from..to`, in one transaction.
pub async fn fill_dossiers(store: &Store, plan: &FillPlan, from: u64, to: u64) -> StoreResult<()> {
    const SQLITE: &str = "
WITH RECURSIVE seq (i) AS (
    SELECT $1 WHERE $1 < $2
    UNION ALL
    SELECT i + 1 FROM seq WHERE i + 1 < $2
),
draw AS MATERIALIZED (
    SELECT i,
           (random() & 1073741823) % 1000 AS a,
           (random() & 1073741823) % 1000 AS p,
           (random() & 1073741823) % 100 AS ch,
           (random() & 1073741823) % $4 AS day,
           (random() & 1073741823) % 86400 AS any_time,
           27000 + (random() & 1073741823) % 34200 AS office_time,
           (random() & 1073741823) % 10000 AS u,
           (random() & 1073741823) % 10000 AS f,
           (random() & 1073741823) % 1000 AS r,
           (random() & 1073741823) % 100 AS rf
      FROM seq
),
timed AS MATERIALIZED (
    SELECT d.i, s.agency, q.code, q.limit_s, d.ch, d.u, d.f, d.r, d.rf,
           $3 + d.day * 86400 + CASE WHEN d.ch < 45 THEN d.any_time ELSE d.office_time END
               AS recv
      FROM draw d
      JOIN bench_agency_slots s ON s.slot = d.a
      JOIN bench_procedure_slots q ON q.slot = d.p
),
ended AS MATERIALIZED (
    SELECT t.*,
           CASE WHEN t.limit_s IS NULL THEN NULL ELSE t.recv + t.limit_s END AS due,
           CASE
               WHEN t.limit_s IS NULL THEN t.recv + 3600 + t.f * 259
               WHEN t.u < 30 THEN NULL
               WHEN t.u < 130 THEN t.recv + t.limit_s + 600 + t.f * 86
               ELSE t.recv + 600 + (t.limit_s - 600) * (300 + t.f * 97 / 100) / 10000
           END AS fin0
      FROM timed t
),
facts AS (
    SELECT e.*, CASE WHEN e.fin0 <= $5 THEN e.fin0 END AS fin FROM ended e
)
INSERT INTO dossiers (code, agency, procedure_code, status, channel, applicant_kind,
    applicant_number, applicant_phone, submitted_at, received_at, due_at, statistical_due_at,
    finished_at, returned_at, result_form, waiting_reason, waiting_since, supplement_requests,
    extended, rating, step, step_agency, version, state)
SELECT 'BENCH-' || printf('%09d', i), agency, code,
       CASE WHEN fin IS NULL THEN 'in_progress' ELSE 'returned' END,
       CASE WHEN ch < 45 THEN 'online' WHEN ch < 95 THEN 'desk' ELSE 'post' END,
       'person', printf('%012d', i), NULL,
       strftime('%Y-%m-%dT%H:%M:%S+00:00', recv, 'unixepoch'),
       strftime('%Y-%m-%dT%H:%M:%S+00:00', recv, 'unixepoch'),
       strftime('%Y-%m-%dT%H:%M:%S+00:00', due, 'unixepoch'),
       strftime('%Y-%m-%dT%H:%M:%S+00:00', due, 'unixepoch'),
       strftime('%Y-%m-%dT%H:%M:%S+00:00', fin, 'unixepoch'),
       strftime('%Y-%m-%dT%H:%M:%S+00:00', fin, 'unixepoch'),
       CASE WHEN fin IS NULL THEN NULL WHEN rf < 80 THEN 'electronic' ELSE 'paper' END,
       NULL, NULL,
       CASE WHEN u >= 130 AND u < 150 THEN 2 WHEN u >= 150 AND u < 1000 THEN 1 ELSE 0 END,
       FALSE,
       CASE WHEN fin IS NULL OR r >= 300 THEN NULL
            WHEN r < 255 THEN 'satisfied' WHEN r < 291 THEN 'acceptable' ELSE 'dissatisfied' END,
       NULL, NULL, 1, '{}'
  FROM facts";
    const POSTGRES: &str = "
WITH draw AS MATERIALIZED (
    SELECT i,
           floor(random() * 1000)::int AS a,
           floor(random() * 1000)::int AS p,
           floor(random() * 100)::int AS ch,
           floor(random() * $4)::bigint AS day,
           floor(random() * 86400)::bigint AS any_time,
           27000 + floor(random() * 34200)::bigint AS office_time,
           floor(random() * 10000)::bigint AS u,
           floor(random() * 10000)::bigint AS f,
           floor(random() * 1000)::int AS r,
           floor(random() * 100)::int AS rf
      FROM generate_series($1::bigint, $2::bigint - 1) AS i
),
timed AS MATERIALIZED (
    SELECT d.i, s.agency, q.code, q.limit_s, d.ch, d.u, d.f, d.r, d.rf,
           $3 + d.day * 86400 + CASE WHEN d.ch < 45 THEN d.any_time ELSE d.office_time END
               AS recv
      FROM draw d
      JOIN bench_agency_slots s ON s.slot = d.a
      JOIN bench_procedure_slots q ON q.slot = d.p
),
ended AS MATERIALIZED (
    SELECT t.*,
           CASE WHEN t.limit_s IS NULL THEN NULL ELSE t.recv + t.limit_s END AS due,
           CASE
               WHEN t.limit_s IS NULL THEN t.recv + 3600 + t.f * 259
               WHEN t.u < 30 THEN NULL
               WHEN t.u < 130 THEN t.recv + t.limit_s + 600 + t.f * 86
               ELSE t.recv + 600 + (t.limit_s - 600) * (300 + t.f * 97 / 100) / 10000
           END AS fin0
      FROM timed t
),
facts AS (
    SELECT e.*, CASE WHEN e.fin0 <= $5 THEN e.fin0 END AS fin FROM ended e
)
INSERT INTO dossiers (code, agency, procedure_code, status, channel, applicant_kind,
    applicant_number, applicant_phone, submitted_at, received_at, due_at, statistical_due_at,
    finished_at, returned_at, result_form, waiting_reason, waiting_since, supplement_requests,
    extended, rating, step, step_agency, version, state)
SELECT 'BENCH-' || lpad(i::text, 9, '0'), agency, code,
       CASE WHEN fin IS NULL THEN 'in_progress' ELSE 'returned' END,
       CASE WHEN ch < 45 THEN 'online' WHEN ch < 95 THEN 'desk' ELSE 'post' END,
       'person', lpad(i::text, 12, '0'), NULL,
       to_timestamp(recv), to_timestamp(recv), to_timestamp(due), to_timestamp(due),
       to_timestamp(fin), to_timestamp(fin),
       CASE WHEN fin IS NULL THEN NULL WHEN rf < 80 THEN 'electronic' ELSE 'paper' END,
       NULL, NULL,
       CASE WHEN u >= 130 AND u < 150 THEN 2 WHEN u >= 150 AND u < 1000 THEN 1 ELSE 0 END,
       FALSE,
       CASE WHEN fin IS NULL OR r >= 300 THEN NULL
            WHEN r < 255 THEN 'satisfied' WHEN r < 291 THEN 'acceptable' ELSE 'dissatisfied' END,
       NULL, NULL, 1, '{}'::jsonb
  FROM facts";
    let (from, to) = (as_i64(from)?, as_i64(to)?);
    let (first, now) = (plan.first_day.timestamp(), plan.now.timestamp());
    let mut tx = store.begin().await?;
    on_tx!(&mut tx, conn => {
        let sql = if store.backend() == crate::Backend::Sqlite { SQLITE } else { POSTGRES };
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(from)
            .bind(to)
            .bind(first)
            .bind(plan.days.max(1))
            .bind(now)
            .execute(&mut *conn)
            .await?;
    });
    tx.commit().await
}

fn as_i64(n: u64) -> StoreResult<i64> {
    i64::try_from(n).map_err(|_| StoreError::Corrupt(format!("{n} dossiers")))
}

/// How many synthetic dossiers the projection holds, and how many dossiers in all.
pub async fn count_dossiers(store: &Store) -> StoreResult<(i64, i64)> {
    const SQL: &str = "SELECT COUNT(*), COALESCE(SUM(CASE WHEN code LIKE 'BENCH-%' THEN 1 ELSE 0 END), 0) \
         FROM dossiers";
    let (all, synthetic): (i64, i64) =
        on_pool!(store, pool => sqlx::query_as(SQL).fetch_one(pool).await?);
    Ok((synthetic, all))
}

/// SQL of a timestamp column's local (UTC+7) month, `YYYY-MM`.
fn month_sql(store: &Store, column: &str) -> String {
    match store {
        Store::Sqlite(_) => format!("strftime('%Y-%m', {column}, '+7 hours')"),
        Store::Postgres(_) => {
            format!("to_char(({column} AT TIME ZONE 'UTC') + interval '7 hours', 'YYYY-MM')")
        }
    }
}

/// SQL of a timestamp column's local (UTC+7) day.
fn day_sql(store: &Store, column: &str) -> String {
    match store {
        Store::Sqlite(_) => format!("date({column}, '+7 hours')"),
        Store::Postgres(_) => format!("(({column} AT TIME ZONE 'UTC') + interval '7 hours')::date"),
    }
}

/// SQL of a finished, classified dossier's class: 0 early, 1 on time, 2 late (766 rule 2.1,
/// default rules: measured against `statistical_due_at`; two supplement requests are late).
pub fn class_sql(store: &Store) -> String {
    format!(
        "CASE WHEN finished_at > statistical_due_at OR supplement_requests > 1 THEN 2 \
         WHEN {} < {} THEN 0 ELSE 1 END",
        day_sql(store, "finished_at"),
        day_sql(store, "statistical_due_at")
    )
}

/// A cell of the dossiers' histogram: dossiers alike in agency (when grouped by it), local
/// months of receipt, appointment and end, channel and class.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cell {
    /// Agency, or empty when not grouped by agency.
    pub agency: String,
    /// Month received.
    pub received: Month,
    /// Month of the appointment; `None` without a time limit.
    pub due: Option<Month>,
    /// Month processing ended; `None` while open.
    pub ended: Option<Month>,
    /// `online`, `post` or `desk` (every other channel).
    pub channel: String,
    /// 0 early, 1 on time, 2 late; `None` while open or without a time limit.
    pub class: Option<i32>,
    /// Dossiers in the cell.
    pub count: i64,
    /// Of them, with an electronic result.
    pub electronic: i64,
    /// Rated satisfied, acceptable, not satisfied.
    pub ratings: [i64; 3],
    /// Late or rated not satisfied (classified ones).
    pub late_or_dissatisfied: i64,
}

type CellRow = (
    String,
    String,
    Option<String>,
    Option<String>,
    String,
    Option<i32>,
    i64,
    i64,
    i64,
    i64,
    i64,
    i64,
);

fn month_of(text: &str) -> StoreResult<Month> {
    text.parse()
        .map_err(|e: String| StoreError::Corrupt(format!("bench histogram: {e}")))
}

/// The dossiers received online per agency, local month of receipt and procedure: the
/// per-procedure flow the write path keeps for 766 indicator 3.2 (the synthetic dossiers
/// carry no fees or e-ID, so the other per-procedure flows stay empty).
pub async fn online_by_procedure(store: &Store) -> StoreResult<Vec<(String, Month, String, i64)>> {
    let sql = format!(
        "SELECT agency, {received}, procedure_code, COUNT(*) FROM dossiers \
          WHERE received_at IS NOT NULL AND status <> 'not_received' AND channel = 'online' \
          GROUP BY 1, 2, 3",
        received = month_sql(store, "received_at"),
    );
    let rows: Vec<(String, String, String, i64)> = on_pool!(store, pool => {
        sqlx::query_as(sqlx::AssertSqlSafe(sql)).fetch_all(pool).await?
    });
    rows.into_iter()
        .map(|(agency, month, procedure, n)| Ok((agency, month_of(&month)?, procedure, n)))
        .collect()
}

/// The received dossiers in histogram cells, grouped by agency when `agencies` is `None`,
/// else summed over those agencies: one scan of the projection.
pub async fn histogram(store: &Store, agencies: Option<&[String]>) -> StoreResult<Vec<Cell>> {
    let class = class_sql(store);
    let group_agency = agencies.is_none();
    let sql = format!(
        "SELECT {agency}, {received}, {due}, {ended}, \
                CASE WHEN channel IN ('online', 'post') THEN channel ELSE 'desk' END, \
                CASE WHEN finished_at IS NULL OR statistical_due_at IS NULL THEN NULL ELSE {class} END, \
                COUNT(*), \
                SUM(CASE WHEN finished_at IS NOT NULL AND result_form = 'electronic' THEN 1 ELSE 0 END), \
                SUM(CASE WHEN finished_at IS NOT NULL AND rating = 'satisfied' THEN 1 ELSE 0 END), \
                SUM(CASE WHEN finished_at IS NOT NULL AND rating = 'acceptable' THEN 1 ELSE 0 END), \
                SUM(CASE WHEN finished_at IS NOT NULL AND rating = 'dissatisfied' THEN 1 ELSE 0 END), \
                SUM(CASE WHEN finished_at IS NOT NULL AND statistical_due_at IS NOT NULL \
                          AND ({class} = 2 OR rating = 'dissatisfied') THEN 1 ELSE 0 END) \
           FROM dossiers WHERE received_at IS NOT NULL AND status <> 'not_received'{filter} \
          GROUP BY 1, 2, 3, 4, 5, 6",
        agency = if group_agency { "agency" } else { "''" },
        received = month_sql(store, "received_at"),
        due = month_sql(store, "statistical_due_at"),
        ended = month_sql(store, "finished_at"),
        filter = match agencies {
            None => String::new(),
            Some(list) => format!(
                " AND agency IN ({})",
                (1..=list.len())
                    .map(|i| format!("${i}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        },
    );
    let rows: Vec<CellRow> = on_pool!(store, pool => {
        let mut query = sqlx::query_as(sqlx::AssertSqlSafe(sql));
        for agency in agencies.unwrap_or_default() {
            query = query.bind(agency);
        }
        query.fetch_all(pool).await?
    });
    rows.into_iter()
        .map(|r| {
            Ok(Cell {
                agency: r.0,
                received: month_of(&r.1)?,
                due: r.2.as_deref().map(month_of).transpose()?,
                ended: r.3.as_deref().map(month_of).transpose()?,
                channel: r.4,
                class: r.5,
                count: r.6,
                electronic: r.7,
                ratings: [r.8, r.9, r.10],
                late_or_dissatisfied: r.11,
            })
        })
        .collect()
}

/// One agency's figures for `[start, end)` computed by the reference scan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct MonthFigures {
    /// Received online, at the desk, by post in the period (classified dossiers).
    pub received: [i64; 3],
    /// Open at the start (classified dossiers received before it).
    pub carried_over: i64,
    /// Resolved early, on time, late in the period.
    pub resolved: [i64; 3],
    /// Open at the end.
    pub open_at_end: i64,
    /// Of them, past their appointment at the end.
    pub overdue: i64,
    /// Received in the period without a time limit.
    pub unclassified: i64,
    /// Ended in the period (every synthetic procedure has a document result).
    pub ended: i64,
    /// Of them, with an electronic result.
    pub electronic: i64,
    /// Resolved in the period late or rated not satisfied.
    pub late_or_dissatisfied: i64,
}

/// Each agency's procedures with a dossier received online in `[start, end)`: the
/// reference of 766 indicator 3.2's numerator, by one `DISTINCT` scan of the projection.
pub async fn online_procedures_between(
    store: &Store,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
) -> StoreResult<Vec<(String, String)>> {
    const SQL: &str = "SELECT DISTINCT agency, procedure_code FROM dossiers \
         WHERE received_at >= $1 AND received_at < $2 AND status <> 'not_received' \
         AND channel = 'online'";
    Ok(on_pool!(store, pool => {
        sqlx::query_as(SQL).bind(start).bind(end).fetch_all(pool).await?
    }))
}

/// Every agency's figures of `[start, end)` by one `GROUP BY agency` scan of the projection,
/// comparing instants directly (the reference of the month's figures of every unit).
pub async fn month_by_agency(
    store: &Store,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
) -> StoreResult<Vec<(String, MonthFigures)>> {
    let class = class_sql(store);
    let sql = format!(
        "SELECT agency, \
           SUM(CASE WHEN statistical_due_at IS NOT NULL AND received_at >= $1 AND received_at < $2 AND channel = 'online' THEN 1 ELSE 0 END), \
           SUM(CASE WHEN statistical_due_at IS NOT NULL AND received_at >= $1 AND received_at < $2 AND channel NOT IN ('online', 'post') THEN 1 ELSE 0 END), \
           SUM(CASE WHEN statistical_due_at IS NOT NULL AND received_at >= $1 AND received_at < $2 AND channel = 'post' THEN 1 ELSE 0 END), \
           SUM(CASE WHEN statistical_due_at IS NOT NULL AND received_at < $1 AND (finished_at IS NULL OR finished_at >= $1) THEN 1 ELSE 0 END), \
           SUM(CASE WHEN statistical_due_at IS NOT NULL AND finished_at >= $1 AND finished_at < $2 AND {class} = 0 THEN 1 ELSE 0 END), \
           SUM(CASE WHEN statistical_due_at IS NOT NULL AND finished_at >= $1 AND finished_at < $2 AND {class} = 1 THEN 1 ELSE 0 END), \
           SUM(CASE WHEN statistical_due_at IS NOT NULL AND finished_at >= $1 AND finished_at < $2 AND {class} = 2 THEN 1 ELSE 0 END), \
           SUM(CASE WHEN statistical_due_at IS NOT NULL AND received_at < $2 AND (finished_at IS NULL OR finished_at >= $2) THEN 1 ELSE 0 END), \
           SUM(CASE WHEN statistical_due_at IS NOT NULL AND received_at < $2 AND (finished_at IS NULL OR finished_at >= $2) AND statistical_due_at < $2 THEN 1 ELSE 0 END), \
           SUM(CASE WHEN statistical_due_at IS NULL AND received_at >= $1 AND received_at < $2 THEN 1 ELSE 0 END), \
           SUM(CASE WHEN finished_at >= $1 AND finished_at < $2 THEN 1 ELSE 0 END), \
           SUM(CASE WHEN finished_at >= $1 AND finished_at < $2 AND result_form = 'electronic' THEN 1 ELSE 0 END), \
           SUM(CASE WHEN statistical_due_at IS NOT NULL AND finished_at >= $1 AND finished_at < $2 AND ({class} = 2 OR rating = 'dissatisfied') THEN 1 ELSE 0 END) \
         FROM dossiers WHERE received_at IS NOT NULL AND status <> 'not_received' GROUP BY agency"
    );
    type Row = (
        String,
        i64,
        i64,
        i64,
        i64,
        i64,
        i64,
        i64,
        i64,
        i64,
        i64,
        i64,
        i64,
        i64,
    );
    let rows: Vec<Row> = on_pool!(store, pool => {
        sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(start)
            .bind(end)
            .fetch_all(pool)
            .await?
    });
    Ok(rows
        .into_iter()
        .map(|r| {
            (
                r.0,
                MonthFigures {
                    received: [r.1, r.2, r.3],
                    carried_over: r.4,
                    resolved: [r.5, r.6, r.7],
                    open_at_end: r.8,
                    overdue: r.9,
                    unclassified: r.10,
                    ended: r.11,
                    electronic: r.12,
                    late_or_dissatisfied: r.13,
                },
            )
        })
        .collect())
}
