//! Feedback and petitions (PAKN): the stream `petition` (id = the petition code) and its
//! projection `petitions`, written in one transaction (ADR 0004).
//!
//! The domain decides ([`motcua_domain::petition::decide`]); this module records decisions
//! and reads them back.

use chrono::{DateTime, Utc};
use motcua_domain::event::EventMeta;
use motcua_domain::petition::{Petition, PetitionAbout, PetitionEvent};
use sqlx::types::Json;

use crate::{Store, StoreError, StoreResult, Tx, events, on_pool, on_tx, push_in};

/// Stream type of petition events (id = the petition code).
pub const STREAM: &str = "petition";

/// Which petitions a list shows, and which page of them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PetitionQuery {
    /// Addressed to this agency.
    pub agency: Option<String>,
    /// Sent by this account.
    pub account: Option<String>,
    /// Only these statuses (identifiers); empty for all.
    pub statuses: Vec<String>,
    /// Only those whose answer is public, most recently published first.
    pub published_only: bool,
    /// Page size.
    pub limit: i64,
    /// Rows to skip.
    pub offset: i64,
}

/// Records the events of one petition and its new state. `expected_version` is the version
/// the decision was based on (0 for a new petition); a concurrent change is
/// [`StoreError::Conflict`], a taken code [`StoreError::Duplicate`].
pub async fn record(
    tx: &mut Tx,
    expected_version: i64,
    events: &[PetitionEvent],
    state: &Petition,
    meta: &EventMeta,
) -> StoreResult<()> {
    const INSERT: &str = "INSERT INTO petitions (code, agency, account_id, class, status, \
         procedure_code, received_at, answer_due, answered_at, published_at, version, state) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)";
    const UPDATE: &str = "UPDATE petitions SET status = $2, answered_at = $3, \
         published_at = $4, version = $5, state = $6 WHERE code = $1 AND version = $7";
    let payloads = events
        .iter()
        .map(|e| Ok((e.kind(), serde_json::to_value(e)?)))
        .collect::<StoreResult<Vec<_>>>()?;
    let code = state.code();
    let version = events::append(tx, STREAM, code, expected_version, &payloads, meta)
        .await
        .map_err(|e| match e {
            StoreError::Conflict { .. } if expected_version == 0 => StoreError::Duplicate {
                what: format!("phản ánh / petition {code}"),
            },
            other => other,
        })?;
    let submission = &state.submission;
    let procedure = match &submission.about {
        PetitionAbout::Procedure { code, .. } => Some(code.as_str()),
        _ => None,
    };
    let answered_at = state.answer.as_ref().map(|(_, at)| *at);
    let affected = if expected_version == 0 {
        on_tx!(tx, conn => {
            sqlx::query(INSERT)
                .bind(code)
                .bind(&submission.agency)
                .bind(submission.account.as_deref())
                .bind(submission.class.as_str())
                .bind(state.status.as_str())
                .bind(procedure)
                .bind(state.received_at)
                .bind(state.deadlines.answer_due)
                .bind(answered_at)
                .bind(state.published_at)
                .bind(version)
                .bind(Json(state))
                .execute(conn)
                .await?
                .rows_affected()
        })
    } else {
        on_tx!(tx, conn => {
            sqlx::query(UPDATE)
                .bind(code)
                .bind(state.status.as_str())
                .bind(answered_at)
                .bind(state.published_at)
                .bind(version)
                .bind(Json(state))
                .bind(expected_version)
                .execute(conn)
                .await?
                .rows_affected()
        })
    };
    crate::error::ensure_written(affected, 1, expected_version, || {
        format!("phản ánh / petition {code}")
    })
}

/// Reads a petition inside a write transaction (the state a decision is based on).
pub async fn find_in(tx: &mut Tx, code: &str) -> StoreResult<Option<Petition>> {
    const SQL: &str = "SELECT state FROM petitions WHERE code = $1";
    let state: Option<Json<Petition>> = on_tx!(tx, conn => {
        sqlx::query_scalar(SQL).bind(code).fetch_optional(conn).await?
    });
    Ok(state.map(|s| s.0))
}

/// Appends the WHERE clause of a [`PetitionQuery`] (a macro, so one text serves both
/// engines' builders).
macro_rules! push_filters {
    ($b:expr, $query:expr) => {{
        let (b, query) = ($b, $query);
        b.push(" WHERE 1 = 1");
        if let Some(agency) = &query.agency {
            b.push(" AND agency = ").push_bind(agency.clone());
        }
        if let Some(account) = &query.account {
            b.push(" AND account_id = ").push_bind(account.clone());
        }
        if !query.statuses.is_empty() {
            b.push(" AND status IN (");
            let mut list = b.separated(", ");
            for status in &query.statuses {
                list.push_bind(status.clone());
            }
            b.push(")");
        }
        if query.published_only {
            b.push(" AND published_at IS NOT NULL");
        }
    }};
}

impl Store {
    /// One petition.
    pub async fn find_petition(&self, code: &str) -> StoreResult<Option<Petition>> {
        const SQL: &str = "SELECT state FROM petitions WHERE code = $1";
        let state: Option<Json<Petition>> =
            on_pool!(self, pool => sqlx::query_scalar(SQL).bind(code).fetch_optional(pool).await?);
        Ok(state.map(|s| s.0))
    }

    /// A page of petitions matching `query`, and how many match in all. Published answers
    /// come most recently published first; other lists oldest answer deadline first (the
    /// order to work in).
    pub async fn list_petitions(&self, query: &PetitionQuery) -> StoreResult<(Vec<Petition>, i64)> {
        let order = if query.published_only {
            " ORDER BY published_at DESC, code"
        } else if query.account.is_some() {
            " ORDER BY received_at DESC, code"
        } else {
            " ORDER BY answer_due, code"
        };
        let limit = query.limit.clamp(1, 500);
        let offset = query.offset.max(0);
        let (rows, total) = on_pool!(self, pool => {
            let mut select = sqlx::QueryBuilder::new("SELECT state FROM petitions");
            push_filters!(&mut select, query);
            select.push(order).push(" LIMIT ").push_bind(limit).push(" OFFSET ").push_bind(offset);
            let rows: Vec<Json<Petition>> = select.build_query_scalar().fetch_all(pool).await?;
            let mut count = sqlx::QueryBuilder::new("SELECT COUNT(*) FROM petitions");
            push_filters!(&mut count, query);
            let total: i64 = count.build_query_scalar().fetch_one(pool).await?;
            (rows, total)
        });
        Ok((rows.into_iter().map(|r| r.0).collect(), total))
    }

    /// The petitions of `agencies` that can count in the period `[from, to)`: received
    /// before it ends and not answered before it began. Rejected ones are read whatever
    /// their date (the projection keeps no rejection time); the domain drops those handled
    /// before the period ([`motcua_domain::kpi::petitions::petition_counts`]).
    pub async fn petitions_in_period(
        &self,
        agencies: &[String],
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> StoreResult<Vec<Petition>> {
        if agencies.is_empty() {
            return Ok(Vec::new());
        }
        let rows: Vec<Json<Petition>> = on_pool!(self, pool => {
            let mut select = sqlx::QueryBuilder::new("SELECT state FROM petitions WHERE received_at < ");
            select.push_bind(to).push(" AND (answered_at IS NULL OR answered_at >= ");
            select.push_bind(from).push(") AND agency IN (");
            push_in!(select, agencies);
            select.push(" ORDER BY received_at, code");
            select.build_query_scalar().fetch_all(pool).await?
        });
        Ok(rows.into_iter().map(|r| r.0).collect())
    }

    /// Petitions received in `[from, to)` addressed to `agency` (all agencies with `None`):
    /// the population of indicators 5.1 and 5.2.
    pub async fn petitions_received_between(
        &self,
        agency: Option<&str>,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> StoreResult<Vec<Petition>> {
        const SQL: &str = "SELECT state FROM petitions WHERE ($1 IS NULL OR agency = $1) \
             AND received_at >= $2 AND received_at < $3 ORDER BY received_at, code";
        let rows: Vec<Json<Petition>> = on_pool!(self, pool => {
            sqlx::query_scalar(SQL).bind(agency).bind(from).bind(to).fetch_all(pool).await?
        });
        Ok(rows.into_iter().map(|r| r.0).collect())
    }
}
