//! Steering (issue 7): the streams `meeting`, `steering_document` and `task`, their
//! projections, and the yearly numbers that name them — written in one transaction with
//! their events (ADR 0004).
//!
//! The domain decides ([`motcua_domain::task::decide`]); this module records decisions and
//! reads them back. Who may read a task is kept beside it in `task_parties` (its parties and
//! every agency above them), so a unit's list is one indexed join.

use chrono::{DateTime, Utc};
use motcua_domain::authz::Target;
use motcua_domain::event::EventMeta;
use motcua_domain::steering::{DocumentEvent, Meeting, MeetingEvent, SteeringDocument};
use motcua_domain::task::{Awaiting, Task, TaskEvent, TaskStatus};
use sqlx::types::Json;

use crate::{Store, StoreError, StoreResult, Tx, events, on_pool, on_tx, push_in};

/// Stream type of meetings (id = the meeting's id).
pub const MEETING_STREAM: &str = "meeting";
/// Stream type of steering documents.
pub const DOCUMENT_STREAM: &str = "steering_document";
/// Stream type of tasks.
pub const TASK_STREAM: &str = "task";

/// The next number of `series` (e.g. `NV`) in `year`: 1, 2, 3… without gaps, taken in the
/// transaction that uses it.
pub async fn allocate_number(tx: &mut Tx, series: &str, year: i32) -> StoreResult<u32> {
    const SQL: &str = "INSERT INTO steering_sequences (series, year, last_value) VALUES ($1, $2, 1) \
         ON CONFLICT (series, year) DO UPDATE SET last_value = steering_sequences.last_value + 1 \
         RETURNING last_value";
    let value: i32 = on_tx!(tx, conn => {
        sqlx::query_scalar(SQL).bind(series).bind(year).fetch_one(conn).await?
    });
    u32::try_from(value).map_err(|_| StoreError::Corrupt(format!("sequence {series} {value}")))
}

/// Records a new meeting.
pub async fn record_meeting(tx: &mut Tx, meeting: &Meeting, meta: &EventMeta) -> StoreResult<()> {
    const SQL: &str =
        "INSERT INTO meetings (id, host, held_on, version, state) VALUES ($1, $2, $3, $4, $5)";
    let event = MeetingEvent::Recorded(Box::new(meeting.clone()));
    let version = events::append(
        tx,
        MEETING_STREAM,
        &meeting.id,
        0,
        &[("recorded", serde_json::to_value(&event)?)],
        meta,
    )
    .await?;
    on_tx!(tx, conn => {
        sqlx::query(SQL)
            .bind(&meeting.id)
            .bind(&meeting.host)
            .bind(meeting.date)
            .bind(version)
            .bind(Json(meeting))
            .execute(conn)
            .await?;
    });
    Ok(())
}

/// Records a new steering document.
pub async fn record_document(
    tx: &mut Tx,
    document: &SteeringDocument,
    meta: &EventMeta,
) -> StoreResult<()> {
    const SQL: &str = "INSERT INTO steering_documents (id, owner, kind, signed_on, meeting, \
         public_results, version, state) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)";
    let event = DocumentEvent::Recorded(Box::new(document.clone()));
    let version = events::append(
        tx,
        DOCUMENT_STREAM,
        &document.id,
        0,
        &[("recorded", serde_json::to_value(&event)?)],
        meta,
    )
    .await?;
    on_tx!(tx, conn => {
        sqlx::query(SQL)
            .bind(&document.id)
            .bind(&document.owner)
            .bind(document.kind.as_str())
            .bind(document.date)
            .bind(document.meeting.as_deref())
            .bind(document.public_results)
            .bind(version)
            .bind(Json(document))
            .execute(conn)
            .await?;
    });
    Ok(())
}

fn awaiting(task: &Task) -> &'static str {
    match task.awaiting() {
        Awaiting::Lead => "lead",
        Awaiting::Assigner => "assigner",
        Awaiting::Nobody => "nobody",
    }
}

/// How an agency stands to a task, as `task_parties` records it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Relation {
    /// It assigned the task.
    Assigner,
    /// It leads the task.
    Lead,
    /// It coordinates.
    Coordinator,
    /// It is above one of the parties (by agency code) and may read the task.
    Above,
}

impl Relation {
    /// Identifier, as stored.
    pub fn as_str(self) -> &'static str {
        match self {
            Relation::Assigner => "assigner",
            Relation::Lead => "lead",
            Relation::Coordinator => "coordinator",
            Relation::Above => "above",
        }
    }
}

/// Each agency's relations to `task`: its parties, then the agencies above them that are not
/// parties themselves.
fn relations(task: &Task) -> Vec<(String, Relation)> {
    let a = &task.assignment;
    let mut out = vec![
        (a.assigner.clone(), Relation::Assigner),
        (a.lead.clone(), Relation::Lead),
    ];
    out.extend(
        a.coordinators
            .iter()
            .map(|c| (c.clone(), Relation::Coordinator)),
    );
    for agency in Target::of_task(task).reach {
        if !out.iter().any(|(a, _)| *a == agency) {
            out.push((agency, Relation::Above));
        }
    }
    out
}

/// Records the events of one task and its new state: the single write path of tasks.
/// `expected_version` is the version the decision was based on (0 for a new task); a
/// concurrent change is [`StoreError::Conflict`].
pub async fn record_task(
    tx: &mut Tx,
    expected_version: i64,
    events: &[TaskEvent],
    state: &Task,
    meta: &EventMeta,
) -> StoreResult<()> {
    const INSERT: &str = "INSERT INTO tasks (id, assigner, lead, parent, plan, source, series, \
         priority, awaiting, assigned_at, due, completed_at, cancelled_at, version, state) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)";
    const UPDATE: &str = "UPDATE tasks SET awaiting = $2, due = $3, completed_at = $4, \
         cancelled_at = $5, version = $6, state = $7 WHERE id = $1 AND version = $8";
    const PARTY: &str = "INSERT INTO task_parties (agency, relation, task_id) VALUES ($1, $2, $3)";
    let payloads = events
        .iter()
        .map(|e| Ok((e.kind(), serde_json::to_value(e)?)))
        .collect::<StoreResult<Vec<_>>>()?;
    let id = state.id.as_str();
    let version = events::append(tx, TASK_STREAM, id, expected_version, &payloads, meta).await?;
    let a = &state.assignment;
    let affected = if expected_version == 0 {
        let affected = on_tx!(tx, conn => {
            sqlx::query(INSERT)
                .bind(id)
                .bind(&a.assigner)
                .bind(&a.lead)
                .bind(a.parent.as_deref())
                .bind(a.plan.as_deref())
                .bind(a.source.as_deref())
                .bind(a.series.as_ref().map(|s| s.id.as_str()))
                .bind(a.priority.as_str())
                .bind(awaiting(state))
                .bind(state.assigned_at)
                .bind(state.due)
                .bind(state.completed_at)
                .bind(state.cancelled_at)
                .bind(version)
                .bind(Json(state))
                .execute(conn)
                .await?
                .rows_affected()
        });
        for (agency, relation) in relations(state) {
            on_tx!(tx, conn => {
                sqlx::query(PARTY)
                    .bind(&agency)
                    .bind(relation.as_str())
                    .bind(id)
                    .execute(conn)
                    .await?;
            });
        }
        affected
    } else {
        on_tx!(tx, conn => {
            sqlx::query(UPDATE)
                .bind(id)
                .bind(awaiting(state))
                .bind(state.due)
                .bind(state.completed_at)
                .bind(state.cancelled_at)
                .bind(version)
                .bind(Json(state))
                .bind(expected_version)
                .execute(conn)
                .await?
                .rows_affected()
        })
    };
    crate::error::ensure_written(affected, 1, expected_version, || {
        format!("nhiệm vụ / task {id}")
    })
}

/// Reads a task inside a write transaction (the state a decision is based on).
pub async fn find_task_in(tx: &mut Tx, id: &str) -> StoreResult<Option<Task>> {
    const SQL: &str = "SELECT state FROM tasks WHERE id = $1";
    let state: Option<Json<Task>> = on_tx!(tx, conn => {
        sqlx::query_scalar(SQL).bind(id).fetch_optional(conn).await?
    });
    Ok(state.map(|s| s.0))
}

/// Which tasks a list shows. Every filter narrows; `now` classifies the status filter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskQuery {
    /// Only tasks this agency stands to in one of `relations` (any relation when empty).
    pub agency: Option<String>,
    /// The relations of `agency` that count.
    pub relations: Vec<Relation>,
    /// Only tasks led by one of these agencies (an inspector's unit); ignored when empty.
    pub leads: Vec<String>,
    /// Only tasks of this plan.
    pub plan: Option<String>,
    /// Only tasks from this document.
    pub source: Option<String>,
    /// Only sub-tasks of this task.
    pub parent: Option<String>,
    /// Only tasks with this status at `now`.
    pub status: Option<TaskStatus>,
    /// Only cancelled tasks (`Some(true)`), or none of them (`Some(false)`).
    pub cancelled: Option<bool>,
    /// Only tasks awaiting the assigner's decision.
    pub awaiting_assigner: bool,
    /// The instant statuses are classified at.
    pub now: DateTime<Utc>,
    /// Page size.
    pub limit: i64,
    /// Rows to skip.
    pub offset: i64,
}

impl TaskQuery {
    /// Every task, classified at `now`, first page of 50.
    pub fn all(now: DateTime<Utc>) -> TaskQuery {
        TaskQuery {
            agency: None,
            relations: Vec::new(),
            leads: Vec::new(),
            plan: None,
            source: None,
            parent: None,
            status: None,
            cancelled: None,
            awaiting_assigner: false,
            now,
            limit: 50,
            offset: 0,
        }
    }
}

/// Appends the WHERE clause of a [`TaskQuery`] (a macro, so one text serves both engines'
/// builders).
macro_rules! push_task_filters {
    ($b:expr, $query:expr) => {{
        let (b, query) = ($b, $query);
        b.push(" WHERE 1 = 1");
        if let Some(agency) = &query.agency {
            b.push(" AND t.id IN (SELECT task_id FROM task_parties WHERE agency = ")
                .push_bind(agency.clone());
            if !query.relations.is_empty() {
                b.push(" AND relation IN (");
                push_in!(b, query.relations.iter().map(|r| r.as_str()));
            }
            b.push(")");
        }
        if !query.leads.is_empty() {
            b.push(" AND t.lead IN (");
            push_in!(b, query.leads.iter().cloned());
        }
        if let Some(plan) = &query.plan {
            b.push(" AND t.plan = ").push_bind(plan.clone());
        }
        if let Some(source) = &query.source {
            b.push(" AND t.source = ").push_bind(source.clone());
        }
        if let Some(parent) = &query.parent {
            b.push(" AND t.parent = ").push_bind(parent.clone());
        }
        match query.cancelled {
            Some(true) => {
                b.push(" AND t.cancelled_at IS NOT NULL");
            }
            Some(false) => {
                b.push(" AND t.cancelled_at IS NULL");
            }
            None => {}
        }
        if query.awaiting_assigner {
            b.push(" AND t.awaiting = 'assigner'");
        }
        match query.status {
            Some(TaskStatus::DoneOnTime) => {
                b.push(" AND t.completed_at IS NOT NULL AND t.completed_at <= t.due");
            }
            Some(TaskStatus::DoneLate) => {
                b.push(" AND t.completed_at IS NOT NULL AND t.completed_at > t.due");
            }
            Some(TaskStatus::OpenWithinTime) => {
                b.push(" AND t.completed_at IS NULL AND t.cancelled_at IS NULL AND t.due >= ")
                    .push_bind(query.now);
            }
            Some(TaskStatus::OpenOverdue) => {
                b.push(" AND t.completed_at IS NULL AND t.cancelled_at IS NULL AND t.due < ")
                    .push_bind(query.now);
            }
            None => {}
        }
    }};
}

fn states(rows: Vec<Json<Task>>) -> Vec<Task> {
    rows.into_iter().map(|r| r.0).collect()
}

impl Store {
    /// One meeting.
    pub async fn find_meeting(&self, id: &str) -> StoreResult<Option<Meeting>> {
        const SQL: &str = "SELECT state FROM meetings WHERE id = $1";
        let state: Option<Json<Meeting>> =
            on_pool!(self, pool => sqlx::query_scalar(SQL).bind(id).fetch_optional(pool).await?);
        Ok(state.map(|s| s.0))
    }

    /// Meetings held by one of `hosts` (every meeting when empty), latest first, a page of
    /// them and how many in all.
    pub async fn list_meetings(
        &self,
        hosts: &[String],
        limit: i64,
        offset: i64,
    ) -> StoreResult<(Vec<Meeting>, i64)> {
        let (rows, total) = on_pool!(self, pool => {
            let mut select = sqlx::QueryBuilder::new("SELECT state FROM meetings");
            let mut count = sqlx::QueryBuilder::new("SELECT COUNT(*) FROM meetings");
            if !hosts.is_empty() {
                select.push(" WHERE host IN (");
                push_in!(select, hosts);
                count.push(" WHERE host IN (");
                push_in!(count, hosts);
            }
            select.push(" ORDER BY held_on DESC, id DESC LIMIT ").push_bind(limit.max(1))
                .push(" OFFSET ").push_bind(offset.max(0));
            let rows: Vec<Json<Meeting>> = select.build_query_scalar().fetch_all(pool).await?;
            let total: i64 = count.build_query_scalar().fetch_one(pool).await?;
            (rows, total)
        });
        Ok((rows.into_iter().map(|r| r.0).collect(), total))
    }

    /// One steering document.
    pub async fn find_steering_document(&self, id: &str) -> StoreResult<Option<SteeringDocument>> {
        const SQL: &str = "SELECT state FROM steering_documents WHERE id = $1";
        let state: Option<Json<SteeringDocument>> =
            on_pool!(self, pool => sqlx::query_scalar(SQL).bind(id).fetch_optional(pool).await?);
        Ok(state.map(|s| s.0))
    }

    /// Steering documents owned by one of `owners` (all when empty), or those of one
    /// meeting, latest first.
    pub async fn list_steering_documents(
        &self,
        owners: &[String],
        meeting: Option<&str>,
    ) -> StoreResult<Vec<SteeringDocument>> {
        let rows: Vec<Json<SteeringDocument>> = on_pool!(self, pool => {
            let mut select = sqlx::QueryBuilder::new("SELECT state FROM steering_documents WHERE 1 = 1");
            if !owners.is_empty() {
                select.push(" AND owner IN (");
                push_in!(select, owners);
            }
            if let Some(meeting) = meeting {
                select.push(" AND meeting = ").push_bind(meeting);
            }
            select.push(" ORDER BY signed_on DESC, id DESC");
            select.build_query_scalar().fetch_all(pool).await?
        });
        Ok(rows.into_iter().map(|r| r.0).collect())
    }

    /// The documents whose tasks' results are public.
    pub async fn public_plans(&self) -> StoreResult<Vec<SteeringDocument>> {
        const SQL: &str = "SELECT state FROM steering_documents WHERE public_results = $1 \
             ORDER BY signed_on DESC, id DESC";
        let rows: Vec<Json<SteeringDocument>> =
            on_pool!(self, pool => sqlx::query_scalar(SQL).bind(true).fetch_all(pool).await?);
        Ok(rows.into_iter().map(|r| r.0).collect())
    }

    /// One task.
    pub async fn find_task(&self, id: &str) -> StoreResult<Option<Task>> {
        const SQL: &str = "SELECT state FROM tasks WHERE id = $1";
        let state: Option<Json<Task>> =
            on_pool!(self, pool => sqlx::query_scalar(SQL).bind(id).fetch_optional(pool).await?);
        Ok(state.map(|s| s.0))
    }

    /// Tasks by id, in no particular order (missing ones are left out).
    pub async fn find_tasks(&self, ids: &[String]) -> StoreResult<Vec<Task>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let rows: Vec<Json<Task>> = on_pool!(self, pool => {
            let mut select = sqlx::QueryBuilder::new("SELECT state FROM tasks WHERE id IN (");
            push_in!(select, ids);
            select.build_query_scalar().fetch_all(pool).await?
        });
        Ok(states(rows))
    }

    /// The ids of the tasks of one series (a recurring task's periods), earliest first.
    pub async fn task_ids_of_series(&self, series: &str) -> StoreResult<Vec<String>> {
        const SQL: &str = "SELECT id FROM tasks WHERE series = $1 ORDER BY due, id";
        Ok(on_pool!(self, pool => sqlx::query_scalar(SQL).bind(series).fetch_all(pool).await?))
    }

    /// A page of tasks matching `query`, and how many match in all: open and overdue first,
    /// then open ones by due instant, then closed ones, latest due first.
    pub async fn list_tasks(&self, query: &TaskQuery) -> StoreResult<(Vec<Task>, i64)> {
        let limit = query.limit.clamp(1, 1_000);
        let offset = query.offset.max(0);
        let (rows, total) = on_pool!(self, pool => {
            let mut select = sqlx::QueryBuilder::new("SELECT t.state FROM tasks t");
            push_task_filters!(&mut select, query);
            select
                .push(" ORDER BY CASE WHEN t.completed_at IS NULL AND t.cancelled_at IS NULL AND t.due < ")
                .push_bind(query.now)
                .push(" THEN 0 WHEN t.completed_at IS NULL AND t.cancelled_at IS NULL THEN 1 ELSE 2 END, \
                       CASE WHEN t.completed_at IS NULL AND t.cancelled_at IS NULL THEN t.due END, \
                       t.due DESC, t.id LIMIT ")
                .push_bind(limit)
                .push(" OFFSET ")
                .push_bind(offset);
            let rows: Vec<Json<Task>> = select.build_query_scalar().fetch_all(pool).await?;
            let mut count = sqlx::QueryBuilder::new("SELECT COUNT(*) FROM tasks t");
            push_task_filters!(&mut count, query);
            let total: i64 = count.build_query_scalar().fetch_one(pool).await?;
            (rows, total)
        });
        Ok((states(rows), total))
    }

    /// The tasks led by one of `leads` (every task when `None`) that can count in the
    /// period `[from, to)`: assigned before it ends, not cancelled before it begins, not
    /// done before it begins. The domain decides the rest
    /// ([`motcua_domain::kpi::tasks::period_status`]).
    pub async fn tasks_in_period(
        &self,
        leads: Option<&[String]>,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> StoreResult<Vec<Task>> {
        if leads.is_some_and(<[String]>::is_empty) {
            return Ok(Vec::new());
        }
        let rows: Vec<Json<Task>> = on_pool!(self, pool => {
            let mut select = sqlx::QueryBuilder::new("SELECT state FROM tasks WHERE assigned_at < ");
            select.push_bind(to)
                .push(" AND (cancelled_at IS NULL OR cancelled_at >= ")
                .push_bind(from)
                .push(") AND (completed_at IS NULL OR completed_at >= ")
                .push_bind(from)
                .push(")");
            if let Some(leads) = leads {
                select.push(" AND lead IN (");
                push_in!(select, leads);
            }
            select.push(" ORDER BY due, id");
            select.build_query_scalar().fetch_all(pool).await?
        });
        Ok(states(rows))
    }

    /// Open tasks whose deadline ends before `before`: those a reminder can be due for.
    pub async fn open_tasks_due_before(&self, before: DateTime<Utc>) -> StoreResult<Vec<Task>> {
        const SQL: &str = "SELECT state FROM tasks WHERE completed_at IS NULL \
             AND cancelled_at IS NULL AND due < $1 ORDER BY due, id";
        let rows: Vec<Json<Task>> =
            on_pool!(self, pool => sqlx::query_scalar(SQL).bind(before).fetch_all(pool).await?);
        Ok(states(rows))
    }
}
