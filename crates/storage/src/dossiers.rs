//! Dossiers: the write path (events + projection in one transaction), code allocation and
//! reads.

use chrono::{DateTime, NaiveDate, Utc};
use motcua_domain::dossier::{ApplicantId, Dossier, DossierCode, DossierEvent, ResultForm};
use motcua_domain::event::EventMeta;
use motcua_domain::kpi::counts::Counters;
use sqlx::types::Json;

use crate::{StoreError, StoreResult, Tx, on_pool, on_tx};

/// Stream type of dossier events.
pub const STREAM: &str = "dossier";

/// The projection row of a dossier: the columns lists and statistics query, and the state.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct DossierRow {
    /// Dossier code.
    pub code: String,
    /// Responsible agency identifier code.
    pub agency: String,
    /// National procedure code.
    pub procedure_code: String,
    /// Status identifier.
    pub status: String,
    /// Channel identifier.
    pub channel: String,
    /// `person` or `organisation`.
    pub applicant_kind: String,
    /// Personal identification number or tax code (stored, never logged).
    pub applicant_number: String,
    /// Applicant phone, for lookup with the code.
    pub applicant_phone: Option<String>,
    /// Creation instant.
    pub submitted_at: DateTime<Utc>,
    /// Receipt instant.
    pub received_at: Option<DateTime<Utc>>,
    /// Appointment in force.
    pub due_at: Option<DateTime<Utc>>,
    /// Appointment for statistics.
    pub statistical_due_at: Option<DateTime<Utc>>,
    /// End of processing.
    pub finished_at: Option<DateTime<Utc>>,
    /// When the result was returned.
    pub returned_at: Option<DateTime<Utc>>,
    /// `electronic` or `paper` once issued.
    pub result_form: Option<String>,
    /// Why the clock waits for the applicant (`supplement` or `payment`), if it does.
    pub waiting_reason: Option<String>,
    /// Since when the clock waits.
    pub waiting_since: Option<DateTime<Utc>>,
    /// Supplement requests during processing.
    pub supplement_requests: i32,
    /// Whether the one extension was granted.
    pub extended: bool,
    /// The applicant's rating.
    pub rating: Option<String>,
    /// Name of the current (open) processing step.
    pub step: Option<String>,
    /// Agency handling the current step (another agency's for inter-agency procedures).
    pub step_agency: Option<String>,
    /// Stream version.
    pub version: i64,
    /// Whole state as JSON.
    pub state: Json<Dossier>,
}

fn enum_str<T: serde::Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(s)) => s,
        Ok(other) => other.to_string(),
        Err(_) => String::new(),
    }
}

impl DossierRow {
    /// The row that projects `d`.
    pub fn of(d: &Dossier) -> DossierRow {
        let (applicant_kind, applicant_number) = match &d.submission.applicant.id {
            ApplicantId::Person(id) => ("person", id.to_string()),
            ApplicantId::Organisation(tax) => ("organisation", tax.to_string()),
        };
        let waiting = d.timing().waiting;
        let current_step = d.steps.last().filter(|s| s.ended_at.is_none());
        DossierRow {
            code: d.code().to_string(),
            agency: d.submission.agency.clone(),
            procedure_code: d.submission.procedure.code.clone(),
            status: d.status.as_str().to_owned(),
            channel: d.submission.channel.as_str().to_owned(),
            applicant_kind: applicant_kind.to_owned(),
            applicant_number,
            applicant_phone: d.submission.applicant.phone.clone(),
            submitted_at: d.submitted_at,
            received_at: d.received_at,
            due_at: d.due,
            statistical_due_at: d.statistical_due,
            finished_at: d.finished_at,
            returned_at: d.returned.map(|(_, at)| at),
            result_form: d.result.map(|(form, _)| match form {
                ResultForm::Electronic => "electronic".to_owned(),
                ResultForm::Paper => "paper".to_owned(),
            }),
            waiting_reason: waiting.map(|(reason, _)| enum_str(&reason)),
            waiting_since: waiting.map(|(_, since)| since),
            supplement_requests: i32::try_from(d.supplement_requests).unwrap_or(i32::MAX),
            extended: d.extended_at.is_some(),
            rating: d.rating.map(|r| enum_str(&r)),
            step: current_step.map(|s| s.name.clone()),
            step_agency: current_step.map(|s| s.agency.clone()),
            version: d.version,
            state: Json(d.clone()),
        }
    }
}

const UPDATE: &str = "UPDATE dossiers SET agency = $2, procedure_code = $3, status = $4, \
     channel = $5, applicant_kind = $6, applicant_number = $7, applicant_phone = $8, \
     submitted_at = $9, received_at = $10, due_at = $11, statistical_due_at = $12, \
     finished_at = $13, returned_at = $14, result_form = $15, waiting_reason = $16, \
     waiting_since = $17, supplement_requests = $18, extended = $19, rating = $20, \
     step = $21, step_agency = $22, version = $23, state = $24 WHERE code = $1 AND version = $25";

const INSERT: &str = "INSERT INTO dossiers (code, agency, procedure_code, status, channel, \
     applicant_kind, applicant_number, applicant_phone, submitted_at, received_at, due_at, \
     statistical_due_at, finished_at, returned_at, result_form, waiting_reason, waiting_since, \
     supplement_requests, extended, rating, step, step_agency, version, state) VALUES ($1, $2, \
     $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, \
     $23, $24)";

/// Binds the 24 columns of a [`DossierRow`] as `$1`..`$24`, in table order.
macro_rules! bind_row {
    ($query:expr, $row:expr) => {
        $query
            .bind(&$row.code)
            .bind(&$row.agency)
            .bind(&$row.procedure_code)
            .bind(&$row.status)
            .bind(&$row.channel)
            .bind(&$row.applicant_kind)
            .bind(&$row.applicant_number)
            .bind(&$row.applicant_phone)
            .bind($row.submitted_at)
            .bind($row.received_at)
            .bind($row.due_at)
            .bind($row.statistical_due_at)
            .bind($row.finished_at)
            .bind($row.returned_at)
            .bind(&$row.result_form)
            .bind(&$row.waiting_reason)
            .bind($row.waiting_since)
            .bind($row.supplement_requests)
            .bind($row.extended)
            .bind(&$row.rating)
            .bind(&$row.step)
            .bind(&$row.step_agency)
            .bind($row.version)
            .bind(&$row.state)
    };
}

/// Allocates the next daily sequence number of `agency` on `day`, in the transaction that
/// creates the dossier (so a rolled-back intake gives its number back).
pub async fn allocate_sequence(tx: &mut Tx, agency: &str, day: NaiveDate) -> StoreResult<u32> {
    const SQL: &str = "INSERT INTO dossier_sequences (agency, day, last_value) VALUES ($1, $2, 1) \
         ON CONFLICT (agency, day) DO UPDATE SET last_value = dossier_sequences.last_value + 1 \
         RETURNING last_value";
    let value: i32 = on_tx!(tx, conn => {
        sqlx::query_scalar(SQL).bind(agency).bind(day).fetch_one(conn).await?
    });
    u32::try_from(value).map_err(|_| StoreError::Corrupt(format!("sequence {value}")))
}

/// Reads a dossier inside a write transaction (the state a decision is based on).
pub async fn find_in(tx: &mut Tx, code: &DossierCode) -> StoreResult<Option<Dossier>> {
    const SQL: &str = "SELECT state FROM dossiers WHERE code = $1";
    let code = code.to_string();
    let state: Option<Json<Dossier>> = on_tx!(tx, conn => {
        sqlx::query_scalar(SQL).bind(&code).fetch_optional(conn).await?
    });
    Ok(state.map(|s| s.0))
}

/// Records events of one dossier and its new state: the single write path of dossiers.
///
/// `expected_version` is the version the decision was based on (0 for a new dossier). The
/// projection is updated only if it is still at that version, which makes a concurrent
/// change surface as [`StoreError::Conflict`] instead of a lost update.
///
/// Events and projection go to the database in one statement round trip — a two-statement
/// batch on SQLite, a data-modifying CTE on PostgreSQL — because the round trips, not the
/// writes, are what an intake costs beyond a raw insert (see `motcua bench`).
pub async fn record(
    tx: &mut Tx,
    expected_version: i64,
    events: &[DossierEvent],
    state: &Dossier,
    meta: &EventMeta,
    counters: &Counters,
    scopes: &[String],
) -> StoreResult<()> {
    let row = DossierRow::of(state);
    let payloads = events
        .iter()
        .map(|e| Ok((e.kind(), serde_json::to_value(e)?)))
        .collect::<StoreResult<Vec<_>>>()?;
    let insert = expected_version == 0;
    // $1..$24 are the row, then the expected version for an update, then the envelope
    // (6 parameters) and 3 per event.
    let envelope = if insert { 25 } else { 26 };
    let mut values = Vec::with_capacity(payloads.len());
    for i in 0..payloads.len() {
        let p = envelope + 6 + 3 * i;
        values.push(format!(
            "('{STREAM}', $1, ${}, ${}, ${}, ${e}, ${}, ${}, ${}, ${}, ${})",
            p,
            p + 1,
            p + 2,
            envelope + 1,
            envelope + 2,
            envelope + 3,
            envelope + 4,
            envelope + 5,
            e = envelope,
        ));
    }
    let events_insert = format!(
        "INSERT INTO events (stream_type, stream_id, version, kind, payload, occurred_at, \
         actor_id, actor_role, actor_agency, channel, request_id) VALUES {}",
        values.join(", ")
    );
    let projection = if insert { INSERT } else { UPDATE };
    // The counters the change moves (`kpi_months` flows, `kpi_stocks` tree nodes keyed by
    // the agency bound as $2; `kpi_procedure_uses` rows of each scope): additions only, so
    // concurrent changes never conflict.
    let first_count = envelope + 6 + 3 * payloads.len();
    let (months, stocks) = crate::kpi::rows_of(counters);
    let width = 1 + motcua_domain::kpi::counts::Metric::ALL.len();
    let months_upsert = (!months.is_empty()).then(|| {
        let values: Vec<String> = (0..months.len())
            .map(|i| {
                let p = first_count + width * i;
                let params: Vec<String> = (p..p + width).map(|n| format!("${n}")).collect();
                format!("($2, {})", params.join(", "))
            })
            .collect();
        let columns = crate::kpi::metric_columns();
        let sums: Vec<String> = motcua_domain::kpi::counts::Metric::ALL
            .iter()
            .map(|m| format!("{k} = kpi_months.{k} + excluded.{k}", k = m.key()))
            .collect();
        format!(
            "INSERT INTO kpi_months (agency, month, {columns}) VALUES {} \
             ON CONFLICT (agency, month) DO UPDATE SET {}",
            values.join(", "),
            sums.join(", ")
        )
    });
    let first_stock = first_count + width * months.len();
    let stocks_upsert = (!stocks.is_empty()).then(|| {
        let values: Vec<String> = (0..stocks.len())
            .map(|i| {
                let p = first_stock + 3 * i;
                format!("($2, ${p}, ${}, ${})", p + 1, p + 2)
            })
            .collect();
        format!(
            "INSERT INTO kpi_stocks (agency, node, stock_open, stock_overdue) VALUES {} \
             ON CONFLICT (agency, node) DO UPDATE SET \
             stock_open = kpi_stocks.stock_open + excluded.stock_open, \
             stock_overdue = kpi_stocks.stock_overdue + excluded.stock_overdue",
            values.join(", ")
        )
    });
    // The procedures used, in each of the agency's scopes (the agency and its units).
    let uses = motcua_domain::kpi::counts::procedure_uses(counters, scopes);
    let first_use = first_stock + 3 * stocks.len();
    let uses_upsert = (!uses.is_empty()).then(|| {
        let values: Vec<String> = (0..uses.len())
            .map(|i| {
                let p = first_use + 7 * i;
                let params: Vec<String> = (p..p + 7).map(|n| format!("${n}")).collect();
                format!("({})", params.join(", "))
            })
            .collect();
        crate::kpi::uses_upsert(&values.join(", "))
    });
    let counts = &months;
    let upserts: Vec<&String> = months_upsert
        .iter()
        .chain(&stocks_upsert)
        .chain(&uses_upsert)
        .collect();
    let (sql, expected_rows) = match &*tx {
        Tx::Sqlite(_) => {
            let mut statements = vec![events_insert, projection.to_owned()];
            statements.extend(upserts.iter().map(|u| (*u).clone()));
            (
                statements.join("; "),
                (payloads.len() + 1 + counts.len() + stocks.len() + uses.len()) as u64,
            )
        }
        Tx::Postgres(_) => {
            let mut ctes = vec![format!("ev AS ({events_insert})")];
            for (i, upsert) in upserts.iter().enumerate() {
                ctes.push(format!("kc{i} AS ({upsert})"));
            }
            (format!("WITH {} {projection}", ctes.join(", ")), 1)
        }
    };
    let result = on_tx!(tx, conn => {
        let query = bind_row!(sqlx::query(sqlx::AssertSqlSafe(sql)), row);
        let mut query = if insert { query } else { query.bind(expected_version) };
        query = query
            .bind(meta.at)
            .bind(meta.actor.id.as_str())
            .bind(meta.actor.role.as_str())
            .bind(meta.actor.agency.as_deref())
            .bind(meta.channel.as_str())
            .bind(meta.request_id.as_deref());
        for (i, (kind, payload)) in payloads.iter().enumerate() {
            query = query
                .bind(expected_version + 1 + i as i64)
                .bind(*kind)
                .bind(Json(payload));
        }
        for (month, values) in counts {
            query = query.bind(month.to_string());
            for n in values {
                query = query.bind(*n);
            }
        }
        for (node, open, overdue) in &stocks {
            query = query.bind(*node).bind(*open).bind(*overdue);
        }
        for ((scope, period, procedure), values) in &uses {
            query = query.bind(scope.as_str()).bind(period.as_str()).bind(procedure.as_str());
            for n in values {
                query = query.bind(*n);
            }
        }
        query.execute(conn).await.map(|r| r.rows_affected())
    });
    let affected = match result {
        Ok(n) => n,
        Err(e) if crate::error::is_unique_violation(&e) => 0,
        Err(e) => return Err(e.into()),
    };
    // The transaction is abandoned by the caller, so nothing of this write remains.
    crate::error::ensure_written(affected, expected_rows, expected_version, || {
        format!("hồ sơ / dossier {}", row.code)
    })
}

/// Overwrites a dossier's projection with a state rebuilt from its log.
pub async fn overwrite(tx: &mut Tx, state: &Dossier) -> StoreResult<()> {
    const DELETE: &str = "DELETE FROM dossiers WHERE code = $1";
    let code = state.code().to_string();
    on_tx!(tx, conn => {
        sqlx::query(DELETE).bind(&code).execute(conn).await?;
    });
    let row = DossierRow::of(state);
    on_tx!(tx, conn => {
        bind_row!(sqlx::query(INSERT), row).execute(conn).await?;
    });
    Ok(())
}

/// A dossier's history as the public sees it: each event's kind and instant, in order.
pub type PublicHistory = Vec<(String, DateTime<Utc>)>;

impl crate::Store {
    /// The projection row of one dossier.
    pub async fn find_dossier_row(&self, code: &str) -> StoreResult<Option<DossierRow>> {
        const SQL: &str = "SELECT code, agency, procedure_code, status, channel, applicant_kind, \
             applicant_number, applicant_phone, submitted_at, received_at, due_at, \
             statistical_due_at, finished_at, returned_at, result_form, waiting_reason, \
             waiting_since, supplement_requests, extended, rating, step, step_agency, version, \
             state FROM dossiers WHERE code = $1";
        Ok(on_pool!(self, pool => sqlx::query_as(SQL).bind(code).fetch_optional(pool).await?))
    }

    /// One dossier's state and its history as the public sees it (each event's kind and
    /// instant, in order), in one row: tracking reads nothing else.
    pub async fn dossier_with_timeline(
        &self,
        code: &str,
    ) -> StoreResult<Option<(Dossier, PublicHistory)>> {
        // The history as one JSON array ordered in the aggregate (SQLite 3.44+), answered
        // from the `events_timeline` index: one row crosses to the caller, not one per event.
        const SQLITE: &str = "SELECT state, (SELECT json_group_array(json_array(kind, \
             occurred_at) ORDER BY version) FROM events WHERE stream_type = $2 \
             AND stream_id = $1) FROM dossiers WHERE code = $1";
        const POSTGRES: &str = "SELECT state, (SELECT json_agg(json_build_array(kind, \
             occurred_at) ORDER BY version) FROM events WHERE stream_type = $2 \
             AND stream_id = $1) FROM dossiers WHERE code = $1";
        type Line = (Json<Dossier>, Option<Json<PublicHistory>>);
        let line: Option<Line> = match self {
            crate::Store::Sqlite(s) => match &s.inline {
                Some(inline) => return inline_dossier_with_timeline(inline, SQLITE, code),
                None => {
                    let query = sqlx::query_as(SQLITE).bind(code).bind(STREAM);
                    query.fetch_optional(&s.reader).await?
                }
            },
            crate::Store::Postgres(p) => {
                let query = sqlx::query_as(POSTGRES).bind(code).bind(STREAM);
                query.fetch_optional(&p.pool).await?
            }
        };
        Ok(line.map(|(Json(dossier), timeline)| {
            (dossier, timeline.map(|Json(t)| t).unwrap_or_default())
        }))
    }

    /// Dossier codes in order, `limit` at a time after `after` (for replay and exports).
    pub async fn dossier_codes_after(&self, after: &str, limit: i64) -> StoreResult<Vec<String>> {
        const SQL: &str = "SELECT code FROM dossiers WHERE code > $1 ORDER BY code LIMIT $2";
        Ok(
            on_pool!(self, pool => sqlx::query_scalar(SQL).bind(after).bind(limit).fetch_all(pool).await?),
        )
    }
}

/// [`crate::Store::dossier_with_timeline`] on the calling thread ([`crate::inline`]): a
/// lookup by primary key and an indexed range of one dossier's events.
fn inline_dossier_with_timeline(
    inline: &crate::inline::InlineReader,
    sql: &str,
    code: &str,
) -> StoreResult<Option<(Dossier, PublicHistory)>> {
    use rusqlite::OptionalExtension as _;
    let line: Option<(String, Option<String>)> = inline.read(|c| {
        let mut statement = c.prepare_cached(sql)?;
        statement
            // By name: SQLite numbers `$1`-style parameters in order of appearance, not by
            // their digits as sqlx does.
            .query_row(
                rusqlite::named_params! { "$1": code, "$2": STREAM },
                |row| Ok((row.get(0)?, row.get(1)?)),
            )
            .optional()
    })?;
    let Some((state, timeline)) = line else {
        return Ok(None);
    };
    let corrupt = |e: serde_json::Error| StoreError::Corrupt(format!("dossier {code}: {e}"));
    let dossier = serde_json::from_str(&state).map_err(corrupt)?;
    let timeline = match timeline {
        Some(t) => serde_json::from_str(&t).map_err(corrupt)?,
        None => Vec::new(),
    };
    Ok(Some((dossier, timeline)))
}

/// The facts statistics read of a dossier: its classification inputs and dimensions,
/// without the JSON state.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct DossierFacts {
    /// Dossier code.
    pub code: String,
    /// Responsible agency.
    pub agency: String,
    /// National procedure code.
    pub procedure_code: String,
    /// Status identifier.
    pub status: String,
    /// Channel identifier.
    pub channel: String,
    /// Receipt instant.
    pub received_at: Option<DateTime<Utc>>,
    /// Appointment in force.
    pub due_at: Option<DateTime<Utc>>,
    /// Appointment for statistics.
    pub statistical_due_at: Option<DateTime<Utc>>,
    /// End of processing.
    pub finished_at: Option<DateTime<Utc>>,
    /// `electronic` or `paper` once issued.
    pub result_form: Option<String>,
    /// Why the clock waits, if it does.
    pub waiting_reason: Option<String>,
    /// Since when it waits.
    pub waiting_since: Option<DateTime<Utc>>,
    /// Supplement requests during processing.
    pub supplement_requests: i32,
    /// The applicant's rating.
    pub rating: Option<String>,
}

impl crate::Store {
    /// Facts of up to `limit` dossiers with codes after `after`, in code order.
    pub async fn dossier_facts_after(
        &self,
        after: &str,
        limit: i64,
    ) -> StoreResult<Vec<DossierFacts>> {
        const SQL: &str = "SELECT code, agency, procedure_code, status, channel, received_at, \
             due_at, statistical_due_at, finished_at, result_form, waiting_reason, waiting_since, \
             supplement_requests, rating FROM dossiers WHERE code > $1 ORDER BY code LIMIT $2";
        Ok(
            on_pool!(self, pool => sqlx::query_as(SQL).bind(after).bind(limit).fetch_all(pool).await?),
        )
    }
}

/// In which order a list of dossiers comes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum DossierOrder {
    /// Nearest appointment first (worklists); dossiers without one last.
    #[default]
    ByDeadline,
    /// Most recently submitted first ("my dossiers").
    NewestFirst,
}

/// Which dossiers a list shows, and which page of them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DossierQuery {
    /// Dossiers of this agency, or at a step handled by it (inter-agency procedures).
    pub agency: Option<String>,
    /// Only this procedure.
    pub procedure: Option<String>,
    /// Only these statuses (identifiers such as `in_progress`); empty for all.
    pub statuses: Vec<String>,
    /// Only dossiers whose current step has this name.
    pub step: Option<String>,
    /// Only dossiers of this applicant (personal identification number or tax code).
    pub applicant_number: Option<String>,
    /// Only dossiers whose processing has not ended.
    pub open_only: bool,
    /// Order of the list.
    pub order: DossierOrder,
    /// Page size.
    pub limit: i64,
    /// Rows to skip.
    pub offset: i64,
}

/// Appends the WHERE clause of a [`DossierQuery`] to a statement being built (a macro, so the
/// same text serves both engines' builders).
macro_rules! push_filters {
    ($b:expr, $query:expr) => {{
        let (b, query) = ($b, $query);
        b.push(" WHERE 1 = 1");
        if let Some(agency) = &query.agency {
            b.push(" AND (agency = ")
                .push_bind(agency.clone())
                .push(" OR step_agency = ")
                .push_bind(agency.clone())
                .push(")");
        }
        if let Some(procedure) = &query.procedure {
            b.push(" AND procedure_code = ")
                .push_bind(procedure.clone());
        }
        if !query.statuses.is_empty() {
            b.push(" AND status IN (");
            let mut list = b.separated(", ");
            for status in &query.statuses {
                list.push_bind(status.clone());
            }
            b.push(")");
        }
        if let Some(step) = &query.step {
            b.push(" AND step = ").push_bind(step.clone());
        }
        if let Some(number) = &query.applicant_number {
            b.push(" AND applicant_number = ").push_bind(number.clone());
        }
        if query.open_only {
            b.push(" AND finished_at IS NULL AND status NOT IN ('not_received', 'withdrawn')");
        }
    }};
}

/// Every column of a [`DossierRow`].
const SELECT_ROW: &str = "SELECT code, agency, procedure_code, status, channel, \
     applicant_kind, applicant_number, applicant_phone, submitted_at, received_at, \
     due_at, statistical_due_at, finished_at, returned_at, result_form, waiting_reason, \
     waiting_since, supplement_requests, extended, rating, step, step_agency, version, \
     state FROM dossiers";

impl crate::Store {
    /// A page of dossiers matching `query`, and how many match in all.
    pub async fn list_dossiers(&self, query: &DossierQuery) -> StoreResult<(Vec<DossierRow>, i64)> {
        let order = match query.order {
            // CASE keeps "no appointment" last on both engines (NULLS LAST is not portable).
            DossierOrder::ByDeadline => {
                " ORDER BY CASE WHEN statistical_due_at IS NULL THEN 1 ELSE 0 END, \
                 statistical_due_at, code"
            }
            DossierOrder::NewestFirst => " ORDER BY submitted_at DESC, code DESC",
        };
        let limit = query.limit.clamp(1, 500);
        let offset = query.offset.max(0);
        let (codes, total) = on_pool!(self, pool => {
            // The page's codes first, sorted on the narrow columns; then the page's rows.
            // Sorting whole rows would carry every candidate's state (kilobytes of JSON)
            // through the sorter, for a page of 25.
            let mut page = sqlx::QueryBuilder::new("SELECT code FROM dossiers");
            push_filters!(&mut page, query);
            page.push(order).push(" LIMIT ").push_bind(limit).push(" OFFSET ").push_bind(offset);
            let codes: Vec<String> = page.build_query_scalar().fetch_all(pool).await?;
            let mut count = sqlx::QueryBuilder::new("SELECT COUNT(*) FROM dossiers");
            push_filters!(&mut count, query);
            let total: i64 = count.build_query_scalar().fetch_one(pool).await?;
            (codes, total)
        });
        Ok((self.list_dossier_rows(&codes).await?, total))
    }

    /// The projection rows of `codes`, in that order; unknown codes are left out.
    pub async fn list_dossier_rows(&self, codes: &[String]) -> StoreResult<Vec<DossierRow>> {
        if codes.is_empty() {
            return Ok(Vec::new());
        }
        let mut rows: Vec<DossierRow> = on_pool!(self, pool => {
            let mut select = sqlx::QueryBuilder::new(SELECT_ROW);
            select.push(" WHERE code IN (");
            let mut list = select.separated(", ");
            for code in codes {
                list.push_bind(code.clone());
            }
            select.push(")");
            select.build_query_as().fetch_all(pool).await?
        });
        rows.sort_by_key(|r| codes.iter().position(|c| *c == r.code));
        Ok(rows)
    }

    /// The timing facts of every dossier matching `query` (its order and page ignored):
    /// the narrow columns only, never the state, for counts that classify each dossier
    /// (a worklist's overdue and due-soon figures) or for ordering a whole list before
    /// reading one page of it. Callers narrow `query` to the open statuses of one agency,
    /// which the `dossiers_by_agency_status` index finds.
    pub async fn list_dossier_facts(&self, query: &DossierQuery) -> StoreResult<Vec<DossierFacts>> {
        const SELECT: &str = "SELECT code, agency, procedure_code, status, channel, received_at, \
             due_at, statistical_due_at, finished_at, result_form, waiting_reason, waiting_since, \
             supplement_requests, rating FROM dossiers";
        Ok(on_pool!(self, pool => {
            let mut select = sqlx::QueryBuilder::new(SELECT);
            push_filters!(&mut select, query);
            select.push(" ORDER BY code");
            select.build_query_as().fetch_all(pool).await?
        }))
    }

    /// Codes of the dossiers `agency` is responsible for that were received before `to` and
    /// had not ended before `from`: every dossier that can count in the figures of a period
    /// `[from, to)` (carried over, received, resolved or in progress), in code order.
    pub async fn dossier_codes_in_period(
        &self,
        agency: &str,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> StoreResult<Vec<String>> {
        const SQL: &str = "SELECT code FROM dossiers WHERE agency = $1 AND received_at < $2 \
             AND (finished_at IS NULL OR finished_at >= $3) ORDER BY code";
        Ok(on_pool!(self, pool => {
            sqlx::query_scalar(SQL)
                .bind(agency)
                .bind(to)
                .bind(from)
                .fetch_all(pool)
                .await?
        }))
    }
}
