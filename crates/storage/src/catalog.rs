//! The procedure catalogue and simplification plans: events and projections written in one
//! transaction (ADR 0004).
//!
//! Each procedure code is one event stream (`stream_type = "procedure"`, `stream_id` = the
//! code as written, national `2.000815` or localised `2.000815.000.00.00.H55`), holding the
//! events of all its versions; [`ProcedureEvent`] is the vocabulary. The projection
//! `procedures` has one row per (code, version) with the columns lists filter on and the whole
//! [`Procedure`] as JSON (`body`). Simplification plans are streams of their own
//! (`stream_type = "simplification_plan"`, projection `simplification_plans`).
//!
//! The service layer decides (it compares an import with what is stored, applies the
//! life-cycle rules, computes costs); this module only records decisions and reads them back.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, NaiveDate, Utc};
use motcua_domain::catalog::simplification::{PlanState, SimplificationPlan};
use motcua_domain::catalog::{
    Level, LifecycleState, OnlineLevel, Procedure, ProcedureKind, Publication,
};
use motcua_domain::event::EventMeta;
use motcua_domain::fold::fold;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sqlx::types::Json;

use crate::error::is_unique_violation;
use crate::events::BatchEvent;
use crate::{StoreError, StoreResult, Tx, events, on_pool, on_tx, push_in};

/// Stream type of procedure events; the stream id is the procedure code.
pub const PROCEDURE_STREAM: &str = "procedure";
/// Stream type of simplification-plan events; the stream id is the plan id.
pub const PLAN_STREAM: &str = "simplification_plan";

/// Splits an adjacently tagged enum value `{"kind", "payload"}` into the event log's kind
/// column and JSON body.
fn split_tagged<T: Serialize>(event: &T) -> StoreResult<(String, Value)> {
    match serde_json::to_value(event)? {
        Value::Object(mut map) => {
            let kind = match map.remove("kind") {
                Some(Value::String(kind)) => kind,
                other => return Err(StoreError::Corrupt(format!("event kind {other:?}"))),
            };
            Ok((kind, map.remove("payload").unwrap_or(Value::Null)))
        }
        other => Err(StoreError::Corrupt(format!("event {other}"))),
    }
}

/// The inverse of [`split_tagged`].
fn join_tagged<T: for<'de> Deserialize<'de>>(kind: &str, payload: &Value) -> StoreResult<T> {
    let tagged = serde_json::json!({ "kind": kind, "payload": payload });
    Ok(serde_json::from_value(tagged)?)
}

/// What can happen to a procedure stream. The `version` in each event is the procedure
/// version it concerns (not the position in the stream).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "payload", rename_all = "snake_case")]
pub enum ProcedureEvent {
    /// A version recorded for the first time, with its whole content (state included).
    Imported(Procedure),
    /// New content for a recorded version; its life-cycle state is unchanged.
    Revised(Procedure),
    /// Draft → published under a publication decision (quyết định công bố).
    Published {
        /// Procedure version.
        version: u32,
        /// The decision.
        publication: Publication,
        /// First day the version applies, after publication.
        valid_from: Option<NaiveDate>,
    },
    /// Published → withdrawn (bãi bỏ / thay thế).
    Withdrawn {
        /// Procedure version.
        version: u32,
        /// First day the version no longer applies, when known.
        effective: Option<NaiveDate>,
        /// Last day it applies (the day before `effective`).
        valid_to: Option<NaiveDate>,
    },
}

impl ProcedureEvent {
    /// The procedure version the event concerns.
    pub fn version(&self) -> u32 {
        match self {
            Self::Imported(p) | Self::Revised(p) => p.version,
            Self::Published { version, .. } | Self::Withdrawn { version, .. } => *version,
        }
    }

    /// The kind stored in the log: `imported`, `revised`, `published` or `withdrawn`.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Imported(_) => "imported",
            Self::Revised(_) => "revised",
            Self::Published { .. } => "published",
            Self::Withdrawn { .. } => "withdrawn",
        }
    }

    /// Reads an event back from its stored kind and body.
    pub fn from_stored(kind: &str, payload: &Value) -> StoreResult<Self> {
        join_tagged(kind, payload)
    }
}

/// What can happen to a simplification plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "payload", rename_all = "snake_case")]
pub enum PlanEvent {
    /// The plan as proposed (state `proposed`).
    Proposed(Box<SimplificationPlan>),
    /// Approved by the competent authority's decision.
    Approved {
        /// The approving decision number.
        decision_no: String,
    },
    /// Rejected, with the reason given.
    Rejected {
        /// Why.
        reason: String,
    },
    /// Carried out, optionally by a given version of the procedure.
    Implemented {
        /// The procedure version that carries the simplification, when named.
        procedure_version: Option<u32>,
    },
}

impl PlanEvent {
    /// Reads an event back from its stored kind and body.
    pub fn from_stored(kind: &str, payload: &Value) -> StoreResult<Self> {
        join_tagged(kind, payload)
    }
}

/// A decided change of one procedure stream, ready to be recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProcedureChange {
    /// Procedure code (the stream id).
    pub code: String,
    /// The stream version the decision was based on (0 for a new code).
    pub expected_version: i64,
    /// The events, in order.
    pub events: Vec<ProcedureEvent>,
    /// Every version the events touched, as it is after them.
    pub versions: Vec<Procedure>,
}

/// All stored versions of one procedure code, with the position of its stream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProcedureStream {
    /// Procedure code.
    pub code: String,
    /// Number of events in the code's stream: the `expected_version` of the next change.
    pub stream_version: i64,
    /// Versions, in increasing version order.
    pub versions: Vec<Procedure>,
}

/// Which procedure rows a list or count returns. `Default` means every version of every code.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProcedureFilter {
    /// Only the version of each code in force on this date: published or withdrawn, valid on
    /// the date, highest version first — the SQL form of
    /// [`motcua_domain::catalog::version_on`].
    pub on: Option<NaiveDate>,
    /// Only the highest version of each code.
    pub latest: bool,
    /// Sector name, exactly.
    pub sector: Option<String>,
    /// Performed at this level.
    pub level: Option<Level>,
    /// Public or internal.
    pub kind: Option<ProcedureKind>,
    /// Life-cycle state.
    pub state: Option<LifecycleState>,
    /// Online service level.
    pub online_level: Option<OnlineLevel>,
    /// Text the name must contain, compared after [`fold`] (case and diacritics ignored).
    pub name: Option<String>,
    /// At most this many rows (lists only).
    pub limit: Option<i64>,
    /// Skip this many rows first (lists only).
    pub offset: i64,
}

/// A procedure version's code, version and name: what a search index needs.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ProcedureName {
    /// Procedure code.
    pub code: String,
    /// Procedure version.
    pub version: i64,
    /// Name as published.
    pub name: String,
}

/// The projection row of one procedure version.
struct ProcedureRow<'a> {
    code: String,
    version: i64,
    name: &'a str,
    name_folded: String,
    sector: &'a str,
    levels: String,
    kind: &'static str,
    online_level: &'static str,
    time_limit_value: Option<f64>,
    time_limit_unit: Option<&'static str>,
    state: &'static str,
    valid_from: Option<NaiveDate>,
    valid_to: Option<NaiveDate>,
    body: &'a Procedure,
}

impl<'a> ProcedureRow<'a> {
    fn of(p: &'a Procedure) -> Self {
        let levels = if p.levels.is_empty() {
            String::new()
        } else {
            let names: Vec<&str> = p.levels.iter().map(|l| l.as_str()).collect();
            format!("|{}|", names.join("|"))
        };
        ProcedureRow {
            code: p.code.to_string(),
            version: i64::from(p.version),
            name: &p.name,
            name_folded: fold(&p.name),
            sector: &p.sector,
            levels,
            kind: p.kind.as_str(),
            online_level: p.online_level.as_str(),
            time_limit_value: p.time_limit.map(|t| t.value.as_f64()),
            time_limit_unit: p.time_limit.map(|t| t.unit.as_str()),
            state: p.state.as_str(),
            valid_from: p.valid_from,
            valid_to: p.valid_to,
            body: p,
        }
    }
}

/// Rows per multi-row statement: 500 × 14 parameters stays far below SQLite's 32,766 and
/// PostgreSQL's 65,535 bound parameters.
const BATCH: usize = 500;

/// Writes projection rows, replacing rows of the same (code, version), in multi-row
/// statements (one round trip per [`BATCH`] rows instead of one per version).
async fn upsert_procedures(tx: &mut Tx, procedures: &[&Procedure]) -> StoreResult<()> {
    const INSERT: &str = "INSERT INTO procedures (code, version, name, name_folded, sector, \
         levels, kind, online_level, time_limit_value, time_limit_unit, state, valid_from, \
         valid_to, body) ";
    const UPSERT: &str = " ON CONFLICT (code, version) DO UPDATE SET name = excluded.name, \
         name_folded = excluded.name_folded, sector = excluded.sector, levels = excluded.levels, \
         kind = excluded.kind, online_level = excluded.online_level, \
         time_limit_value = excluded.time_limit_value, time_limit_unit = excluded.time_limit_unit, \
         state = excluded.state, valid_from = excluded.valid_from, valid_to = excluded.valid_to, \
         body = excluded.body";
    // One statement may not touch a row twice (PostgreSQL refuses it): the last write wins.
    let mut latest: BTreeMap<(String, u32), &Procedure> = BTreeMap::new();
    for p in procedures {
        latest.insert((p.code.to_string(), p.version), p);
    }
    let rows: Vec<ProcedureRow<'_>> = latest.into_values().map(ProcedureRow::of).collect();
    for chunk in rows.chunks(BATCH) {
        on_tx!(tx, conn => {
            let mut q = sqlx::QueryBuilder::new(INSERT);
            q.push_values(chunk, |mut b, row| {
                b.push_bind(row.code.as_str())
                    .push_bind(row.version)
                    .push_bind(row.name)
                    .push_bind(row.name_folded.as_str())
                    .push_bind(row.sector)
                    .push_bind(row.levels.as_str())
                    .push_bind(row.kind)
                    .push_bind(row.online_level)
                    .push_bind(row.time_limit_value)
                    .push_bind(row.time_limit_unit)
                    .push_bind(row.state)
                    .push_bind(row.valid_from)
                    .push_bind(row.valid_to)
                    .push_bind(Json(row.body));
            });
            q.push(UPSERT);
            q.build().execute(conn).await?;
        });
    }
    Ok(())
}

/// Current stream versions of `codes`, read in the caller's transaction (0 for a new code).
async fn stream_versions_in(tx: &mut Tx, codes: &[&str]) -> StoreResult<HashMap<String, i64>> {
    const ONE: &str =
        "SELECT COALESCE(MAX(version), 0) FROM events WHERE stream_type = $1 AND stream_id = $2";
    const ALL: &str = "SELECT stream_id, MAX(version) FROM events WHERE stream_type = $1 \
         GROUP BY stream_id";
    if let [code] = codes {
        let version: i64 = on_tx!(tx, conn => {
            sqlx::query_scalar(ONE).bind(PROCEDURE_STREAM).bind(*code).fetch_one(conn).await?
        });
        return Ok(HashMap::from([((*code).to_owned(), version)]));
    }
    // Many codes (an import): one pass over the catalogue's streams beats one query each.
    let rows: Vec<(String, i64)> = on_tx!(tx, conn => {
        sqlx::query_as(ALL).bind(PROCEDURE_STREAM).fetch_all(conn).await?
    });
    Ok(rows.into_iter().collect())
}

/// Records decided changes of procedure streams in the caller's transaction: checks every
/// `expected_version` against the log (a stale one is [`StoreError::Conflict`]), appends the
/// events and writes the touched versions' projection rows, in multi-row statements.
///
/// A writer that commits between the check and the insert still loses: the log's unique key
/// on (stream, version) turns its race into a conflict, and nothing of the batch remains.
pub async fn record_all(
    tx: &mut Tx,
    changes: &[ProcedureChange],
    meta: &EventMeta,
) -> StoreResult<()> {
    for change in changes {
        if let Some(p) = change
            .versions
            .iter()
            .find(|p| p.code.to_string() != change.code)
        {
            return Err(StoreError::Corrupt(format!(
                "procedure {} recorded in the stream of {}",
                p.code, change.code
            )));
        }
    }
    let codes: Vec<&str> = changes.iter().map(|c| c.code.as_str()).collect();
    let current = stream_versions_in(tx, &codes).await?;
    let mut rows: Vec<(&str, i64, &'static str, Value)> = Vec::new();
    for change in changes {
        let actual = current.get(&change.code).copied().unwrap_or(0);
        if actual != change.expected_version {
            return Err(StoreError::Conflict {
                what: format!("{PROCEDURE_STREAM} {}", change.code),
                expected: change.expected_version,
                actual,
            });
        }
        for (event, version) in change.events.iter().zip(change.expected_version + 1..) {
            rows.push((
                change.code.as_str(),
                version,
                event.kind(),
                split_tagged(event)?.1,
            ));
        }
    }
    let batch: Vec<BatchEvent<'_>> = rows
        .iter()
        .map(|(code, version, kind, payload)| BatchEvent {
            stream_type: PROCEDURE_STREAM,
            stream_id: code,
            version: *version,
            kind,
            payload,
        })
        .collect();
    events::append_many(tx, &batch, meta).await?;
    let touched: Vec<&Procedure> = changes.iter().flat_map(|c| &c.versions).collect();
    upsert_procedures(tx, &touched).await
}

/// Records one decided change of a procedure stream in the caller's transaction (see
/// [`record_all`]); returns the new stream version.
pub async fn record(tx: &mut Tx, change: &ProcedureChange, meta: &EventMeta) -> StoreResult<i64> {
    record_all(tx, std::slice::from_ref(change), meta).await?;
    Ok(change.expected_version + change.events.len() as i64)
}

/// A decided change of one simplification plan, ready to be recorded.
#[derive(Debug, Clone, PartialEq)]
pub struct PlanChange {
    /// Plan id (the stream id), e.g. `2.000635-1`.
    pub id: String,
    /// The stream version the decision was based on (0 for a new plan).
    pub expected_version: i64,
    /// The events, in order.
    pub events: Vec<PlanEvent>,
    /// The plan as it is after them.
    pub plan: SimplificationPlan,
    /// The rejection reason, once rejected.
    pub reason: Option<String>,
}

/// A simplification plan as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredPlan {
    /// Plan id.
    pub id: String,
    /// Stream version: the `expected_version` of the next change.
    pub version: i64,
    /// The plan.
    pub plan: SimplificationPlan,
    /// The rejection reason, once rejected.
    pub reason: Option<String>,
    /// When it was proposed.
    pub proposed_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
}

#[derive(sqlx::FromRow)]
struct PlanRow {
    id: String,
    version: i64,
    body: Json<SimplificationPlan>,
    reason: Option<String>,
    proposed_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

impl From<PlanRow> for StoredPlan {
    fn from(row: PlanRow) -> Self {
        StoredPlan {
            id: row.id,
            version: row.version,
            plan: row.body.0,
            reason: row.reason,
            proposed_at: row.proposed_at,
            updated_at: row.updated_at,
        }
    }
}

fn plan_state_str(state: PlanState) -> &'static str {
    match state {
        PlanState::Proposed => "proposed",
        PlanState::Approved => "approved",
        PlanState::Rejected => "rejected",
        PlanState::Implemented => "implemented",
    }
}

/// Records one decided change of a plan: its projection row only if still at
/// `expected_version` (else [`StoreError::Conflict`]), then its events.
pub async fn record_plan(tx: &mut Tx, change: &PlanChange, meta: &EventMeta) -> StoreResult<i64> {
    const INSERT: &str = "INSERT INTO simplification_plans (id, procedure_code, state, \
         decision_no, reason, proposed_at, updated_at, version, body) \
         VALUES ($1, $2, $3, $4, $5, $6, $6, $7, $8)";
    const UPDATE: &str = "UPDATE simplification_plans SET procedure_code = $2, state = $3, \
         decision_no = $4, reason = $5, updated_at = $6, version = $7, body = $8 \
         WHERE id = $1 AND version = $9";
    let new_version = change.expected_version + change.events.len() as i64;
    let plan = &change.plan;
    let affected = on_tx!(tx, conn => {
        let query = sqlx::query(if change.expected_version == 0 { INSERT } else { UPDATE })
            .bind(&change.id)
            .bind(plan.procedure.to_string())
            .bind(plan_state_str(plan.state))
            .bind(&plan.decision_no)
            .bind(&change.reason)
            .bind(meta.at)
            .bind(new_version)
            .bind(Json(plan));
        let query = if change.expected_version == 0 {
            query
        } else {
            query.bind(change.expected_version)
        };
        match query.execute(conn).await {
            Ok(r) => r.rows_affected(),
            Err(e) if is_unique_violation(&e) => 0,
            Err(e) => return Err(e.into()),
        }
    });
    if affected == 0 {
        return Err(StoreError::Conflict {
            what: format!("phương án / plan {}", change.id),
            expected: change.expected_version,
            actual: change.expected_version + 1,
        });
    }
    let payloads = change
        .events
        .iter()
        .map(split_tagged)
        .collect::<StoreResult<Vec<_>>>()?;
    let payloads: Vec<(&str, Value)> = payloads
        .iter()
        .map(|(kind, body)| (kind.as_str(), body.clone()))
        .collect();
    events::append_unchecked(
        tx,
        PLAN_STREAM,
        &change.id,
        change.expected_version,
        &payloads,
        meta,
    )
    .await
}

#[derive(sqlx::FromRow)]
struct StreamRow {
    code: String,
    body: Json<Procedure>,
    stream_version: i64,
}

fn group_streams(rows: Vec<StreamRow>) -> Vec<ProcedureStream> {
    let mut streams: BTreeMap<String, ProcedureStream> = BTreeMap::new();
    for row in rows {
        let stream = streams
            .entry(row.code.clone())
            .or_insert_with(|| ProcedureStream {
                code: row.code,
                stream_version: row.stream_version,
                versions: Vec::new(),
            });
        stream.versions.push(row.body.0);
    }
    let mut streams: Vec<ProcedureStream> = streams.into_values().collect();
    for s in &mut streams {
        s.versions.sort_by_key(|p| p.version);
    }
    streams
}

/// The conditions of a [`ProcedureFilter`] on `procedures p`, binding `$1`..`$8`; a macro so
/// that `concat!` can build each statement as one `&'static str`.
macro_rules! filter_sql {
    () => {
        "($1 IS NULL OR p.sector = $1) \
         AND ($2 IS NULL OR p.levels LIKE '%|' || $2 || '|%') \
         AND ($3 IS NULL OR p.kind = $3) \
         AND ($4 IS NULL OR p.state = $4) \
         AND ($5 IS NULL OR p.online_level = $5) \
         AND ($6 IS NULL OR p.name_folded LIKE $6 ESCAPE '\\') \
         AND (NOT $7 OR p.version = (SELECT MAX(q.version) FROM procedures q WHERE q.code = p.code)) \
         AND ($8 IS NULL OR (p.state <> 'draft' \
              AND (p.valid_from IS NULL OR p.valid_from <= $8) \
              AND (p.valid_to IS NULL OR p.valid_to >= $8) \
              AND NOT EXISTS (SELECT 1 FROM procedures q WHERE q.code = p.code \
                  AND q.version > p.version AND q.state <> 'draft' \
                  AND (q.valid_from IS NULL OR q.valid_from <= $8) \
                  AND (q.valid_to IS NULL OR q.valid_to >= $8))))"
    };
}

/// Binds the eight parameters of `filter_sql!` in order.
macro_rules! bind_filter {
    ($query:expr, $f:expr, $name:expr) => {
        $query
            .bind($f.sector.as_deref())
            .bind($f.level.map(|l| l.as_str()))
            .bind($f.kind.map(|k| k.as_str()))
            .bind($f.state.map(|s| s.as_str()))
            .bind($f.online_level.map(|o| o.as_str()))
            .bind($name.as_deref())
            .bind($f.latest)
            .bind($f.on)
    };
}

/// Words of a name search the store checks itself (see [`crate::Store::procedure_names_containing`]).
pub const NAME_WORDS: usize = 4;

/// The LIKE pattern "contains `folded`", with `%`, `_` and `\` escaped (`ESCAPE '\'`).
fn like_contains(folded: &str) -> String {
    let mut pattern = String::from("%");
    for c in folded.chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}

/// The LIKE pattern of a filter's `name`, folded.
fn name_pattern(filter: &ProcedureFilter) -> Option<String> {
    filter
        .name
        .as_deref()
        .map(|text| like_contains(&fold(text)))
}

/// Orders rows by code then version, in byte order on both engines (a PostgreSQL database
/// collation could otherwise order codes differently from SQLite).
fn by_code_and_version(a: &Procedure, b: &Procedure) -> std::cmp::Ordering {
    a.code
        .to_string()
        .cmp(&b.code.to_string())
        .then(a.version.cmp(&b.version))
}

impl crate::Store {
    /// Records several procedure changes in ONE transaction: all of them, or none (any error,
    /// including a [`StoreError::Conflict`] on one stream, rolls everything back).
    pub async fn record_procedure_batch(
        &self,
        changes: &[ProcedureChange],
        meta: &EventMeta,
    ) -> StoreResult<()> {
        let mut tx = self.begin().await?;
        record_all(&mut tx, changes, meta).await?;
        tx.commit().await
    }

    /// Records one plan change in its own transaction; returns the new stream version.
    pub async fn record_plan(&self, change: &PlanChange, meta: &EventMeta) -> StoreResult<i64> {
        let mut tx = self.begin().await?;
        let version = record_plan(&mut tx, change, meta).await?;
        tx.commit().await?;
        Ok(version)
    }

    /// Every stored procedure code with all its versions and its stream version, by code.
    ///
    /// One statement, so the versions and stream positions come from the same snapshot: a
    /// change decided on them and recorded with [`record`] conflicts if anything moved since.
    pub async fn procedure_streams(&self) -> StoreResult<Vec<ProcedureStream>> {
        const SQL: &str = "SELECT p.code, p.body, s.stream_version FROM procedures p \
             JOIN (SELECT stream_id, MAX(version) AS stream_version FROM events \
                   WHERE stream_type = $1 GROUP BY stream_id) s ON s.stream_id = p.code";
        let rows: Vec<StreamRow> = on_pool!(self, pool => {
            sqlx::query_as(SQL).bind(PROCEDURE_STREAM).fetch_all(pool).await?
        });
        Ok(group_streams(rows))
    }

    /// All versions of one procedure code with its stream version, if the code is stored.
    pub async fn procedure_stream(&self, code: &str) -> StoreResult<Option<ProcedureStream>> {
        const SQL: &str = "SELECT p.code, p.body, s.stream_version FROM procedures p \
             JOIN (SELECT stream_id, MAX(version) AS stream_version FROM events \
                   WHERE stream_type = $1 AND stream_id = $2 GROUP BY stream_id) s \
             ON s.stream_id = p.code WHERE p.code = $2";
        let rows: Vec<StreamRow> = on_pool!(self, pool => {
            sqlx::query_as(SQL).bind(PROCEDURE_STREAM).bind(code).fetch_all(pool).await?
        });
        Ok(group_streams(rows).into_iter().next())
    }

    /// One version of one procedure.
    pub async fn find_procedure(&self, code: &str, version: u32) -> StoreResult<Option<Procedure>> {
        const SQL: &str = "SELECT body FROM procedures WHERE code = $1 AND version = $2";
        let body: Option<Json<Procedure>> = on_pool!(self, pool => {
            sqlx::query_scalar(SQL).bind(code).bind(i64::from(version)).fetch_optional(pool).await?
        });
        Ok(body.map(|b| b.0))
    }

    /// The procedure versions selected by `filter`, by code then version.
    pub async fn list_procedures(&self, filter: &ProcedureFilter) -> StoreResult<Vec<Procedure>> {
        const SQL: &str = concat!(
            "SELECT p.body FROM procedures p WHERE ",
            filter_sql!(),
            " ORDER BY p.code, p.version LIMIT $9 OFFSET $10"
        );
        let name = name_pattern(filter);
        let rows: Vec<Json<Procedure>> = on_pool!(self, pool => {
            bind_filter!(sqlx::query_scalar(SQL), filter, name)
                .bind(filter.limit.unwrap_or(i64::MAX))
                .bind(filter.offset.max(0))
                .fetch_all(pool)
                .await?
        });
        let mut list: Vec<Procedure> = rows.into_iter().map(|b| b.0).collect();
        // Same order on both engines whatever the database collation (see by_code_and_version).
        if filter.limit.is_none() && filter.offset == 0 {
            list.sort_by(by_code_and_version);
        }
        Ok(list)
    }

    /// Code, version and name of the latest version of each code whose name contains every
    /// word of `words` after [`fold`] (case and diacritics ignored), by code: the candidates a
    /// search index ranks. The store checks at most [`NAME_WORDS`] words (the longest); the
    /// index checks them all again.
    pub async fn procedure_names_containing(
        &self,
        words: &[&str],
    ) -> StoreResult<Vec<ProcedureName>> {
        const SQL: &str = "SELECT p.code, p.version, p.name FROM procedures p \
             WHERE p.name_folded LIKE $1 ESCAPE '\\' AND p.name_folded LIKE $2 ESCAPE '\\' \
             AND p.name_folded LIKE $3 ESCAPE '\\' AND p.name_folded LIKE $4 ESCAPE '\\' \
             AND p.version = (SELECT MAX(q.version) FROM procedures q WHERE q.code = p.code)";
        let mut folded: Vec<String> = words.iter().map(|w| fold(w)).collect();
        // Longer words are rarer, so they narrow the scan most.
        folded.sort_by_key(|w| std::cmp::Reverse(w.len()));
        let mut patterns: Vec<String> = folded
            .iter()
            .take(NAME_WORDS)
            .map(|w| like_contains(w))
            .collect();
        patterns.resize(NAME_WORDS, "%".to_owned());
        let mut rows: Vec<ProcedureName> = on_pool!(self, pool => {
            sqlx::query_as(SQL)
                .bind(&patterns[0])
                .bind(&patterns[1])
                .bind(&patterns[2])
                .bind(&patterns[3])
                .fetch_all(pool)
                .await?
        });
        rows.sort_by(|a, b| a.code.cmp(&b.code).then(a.version.cmp(&b.version)));
        Ok(rows)
    }

    /// Number of procedure versions selected by `filter` (its limit and offset ignored).
    pub async fn count_procedures(&self, filter: &ProcedureFilter) -> StoreResult<i64> {
        const SQL: &str = concat!("SELECT COUNT(*) FROM procedures p WHERE ", filter_sql!());
        let name = name_pattern(filter);
        Ok(on_pool!(self, pool => {
            bind_filter!(sqlx::query_scalar(SQL), filter, name).fetch_one(pool).await?
        }))
    }

    /// A value that changes whenever the catalogue does: how many procedure events there are
    /// and the highest id among them. Every change to a procedure appends an event, and the
    /// count also moves when a transaction with a lower id commits after a higher one.
    pub async fn catalogue_revision(&self) -> StoreResult<(i64, i64)> {
        self.revision_of(&[PROCEDURE_STREAM]).await
    }

    /// As [`Store::catalogue_revision`], of the catalogue and the simplification plans
    /// together: one statement that moves when either changes.
    pub async fn catalogue_and_plans_revision(&self) -> StoreResult<(i64, i64)> {
        self.revision_of(&[PROCEDURE_STREAM, PLAN_STREAM]).await
    }

    /// How many events the streams of `stream_types` hold and the highest id among them.
    async fn revision_of(&self, stream_types: &[&str]) -> StoreResult<(i64, i64)> {
        Ok(on_pool!(self, pool => {
            let mut select = sqlx::QueryBuilder::new(
                "SELECT COUNT(*), COALESCE(MAX(id), 0) FROM events WHERE stream_type IN (",
            );
            push_in!(select, stream_types);
            select.build_query_as().fetch_one(pool).await?
        }))
    }

    /// One plan.
    pub async fn find_plan(&self, id: &str) -> StoreResult<Option<StoredPlan>> {
        const SQL: &str = "SELECT id, version, body, reason, proposed_at, updated_at \
             FROM simplification_plans WHERE id = $1";
        let row: Option<PlanRow> = on_pool!(self, pool => {
            sqlx::query_as(SQL).bind(id).fetch_optional(pool).await?
        });
        Ok(row.map(StoredPlan::from))
    }

    /// Plans, optionally of one procedure code, in the order they were proposed.
    pub async fn list_plans(&self, procedure: Option<&str>) -> StoreResult<Vec<StoredPlan>> {
        const SQL: &str = "SELECT id, version, body, reason, proposed_at, updated_at \
             FROM simplification_plans WHERE ($1 IS NULL OR procedure_code = $1) \
             ORDER BY proposed_at, id";
        let rows: Vec<PlanRow> = on_pool!(self, pool => {
            sqlx::query_as(SQL).bind(procedure).fetch_all(pool).await?
        });
        Ok(rows.into_iter().map(StoredPlan::from).collect())
    }

    /// Number of plans ever proposed for a procedure code (plans are never deleted, so this
    /// plus one numbers the next plan).
    pub async fn count_plans(&self, procedure: &str) -> StoreResult<i64> {
        const SQL: &str = "SELECT COUNT(*) FROM simplification_plans WHERE procedure_code = $1";
        Ok(on_pool!(self, pool => {
            sqlx::query_scalar(SQL).bind(procedure).fetch_one(pool).await?
        }))
    }
}
