//! The append-only event log shared by every aggregate (dossiers, procedures, schedules, …).
//!
//! A stream is identified by `(stream_type, stream_id)`; its events are numbered 1, 2, 3, …
//! without gaps. Appending with an expected version gives optimistic concurrency: two writers
//! that read version 4 cannot both write version 5 — the second gets [`StoreError::Conflict`].
//! Nothing in motcua updates or deletes an event; the database refuses it too (triggers).

use chrono::{DateTime, Utc};
use motcua_domain::event::{Actor, Channel, EventMeta, Role};
use serde_json::Value;
use sqlx::types::Json;

use crate::error::is_unique_violation;
use crate::{StoreError, StoreResult, Tx, on_pool, on_tx};

/// One event as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordedEvent {
    /// Global position in the log (increasing in commit order per backend).
    pub id: i64,
    /// Aggregate type, e.g. `dossier`.
    pub stream_type: String,
    /// Aggregate id within its type.
    pub stream_id: String,
    /// Position within the stream, from 1.
    pub version: i64,
    /// Event kind, e.g. `received`.
    pub kind: String,
    /// The event body as JSON.
    pub payload: Value,
    /// Who, when, through which channel.
    pub meta: EventMeta,
}

#[derive(sqlx::FromRow)]
struct EventRow {
    id: i64,
    stream_type: String,
    stream_id: String,
    version: i64,
    kind: String,
    payload: Json<Value>,
    occurred_at: DateTime<Utc>,
    actor_id: String,
    actor_role: String,
    actor_agency: Option<String>,
    channel: String,
    request_id: Option<String>,
}

impl EventRow {
    fn into_event(self) -> StoreResult<RecordedEvent> {
        let role = Role::parse(&self.actor_role).ok_or_else(|| {
            StoreError::Corrupt(format!(
                "event {}: unknown role {}",
                self.id, self.actor_role
            ))
        })?;
        let channel = Channel::parse(&self.channel).ok_or_else(|| {
            StoreError::Corrupt(format!(
                "event {}: unknown channel {}",
                self.id, self.channel
            ))
        })?;
        Ok(RecordedEvent {
            id: self.id,
            stream_type: self.stream_type,
            stream_id: self.stream_id,
            version: self.version,
            kind: self.kind,
            payload: self.payload.0,
            meta: EventMeta {
                at: self.occurred_at,
                actor: Actor {
                    id: self.actor_id,
                    role,
                    agency: self.actor_agency,
                },
                channel,
                request_id: self.request_id,
            },
        })
    }
}

/// The events columns an insert writes, in order.
const INSERT_COLUMNS: &str = "INSERT INTO events (stream_type, stream_id, version, kind, payload, \
     occurred_at, actor_id, actor_role, actor_agency, channel, request_id) ";

/// Rows per multi-row insert: 11 parameters each stays far below both engines' limits.
const BATCH_ROWS: usize = 500;

/// One event of a batch written by [`append_many`].
#[derive(Debug, Clone, Copy)]
pub struct BatchEvent<'a> {
    /// Aggregate type.
    pub stream_type: &'a str,
    /// Aggregate id.
    pub stream_id: &'a str,
    /// Position in the stream.
    pub version: i64,
    /// Event kind.
    pub kind: &'a str,
    /// Event body.
    pub payload: &'a Value,
}

/// Inserts many events, of one or many streams, with multi-row statements, all with the same
/// envelope. The caller has checked the streams' versions in this transaction; a lost race
/// still surfaces as [`StoreError::Conflict`] naming the first stream of the failing chunk.
pub async fn append_many(
    tx: &mut Tx,
    events: &[BatchEvent<'_>],
    meta: &EventMeta,
) -> StoreResult<()> {
    for chunk in events.chunks(BATCH_ROWS) {
        let result = on_tx!(tx, conn => {
            let mut q = sqlx::QueryBuilder::new(INSERT_COLUMNS);
            q.push_values(chunk, |mut b, e| {
                b.push_bind(e.stream_type)
                    .push_bind(e.stream_id)
                    .push_bind(e.version)
                    .push_bind(e.kind)
                    .push_bind(Json(e.payload))
                    .push_bind(meta.at)
                    .push_bind(meta.actor.id.as_str())
                    .push_bind(meta.actor.role.as_str())
                    .push_bind(meta.actor.agency.as_deref())
                    .push_bind(meta.channel.as_str())
                    .push_bind(meta.request_id.as_deref());
            });
            q.build().execute(conn).await.map(|r| r.rows_affected())
        });
        if let Err(e) = result {
            return Err(match chunk.first() {
                Some(first) if is_unique_violation(&e) => conflict(
                    first.stream_type,
                    first.stream_id,
                    first.version - 1,
                    first.version,
                ),
                _ => e.into(),
            });
        }
    }
    Ok(())
}

/// Appends `events` (kind, JSON body) to a stream whose current version the caller read as
/// `expected_version` (0 for a new stream). Returns the stream's new version.
///
/// Must run inside the transaction that also updates the stream's projections.
pub async fn append(
    tx: &mut Tx,
    stream_type: &str,
    stream_id: &str,
    expected_version: i64,
    events: &[(&str, Value)],
    meta: &EventMeta,
) -> StoreResult<i64> {
    const CURRENT: &str =
        "SELECT COALESCE(MAX(version), 0) FROM events WHERE stream_type = $1 AND stream_id = $2";
    let actual: i64 = on_tx!(tx, conn => {
        sqlx::query_scalar(CURRENT).bind(stream_type).bind(stream_id).fetch_one(conn).await?
    });
    if actual != expected_version {
        return Err(conflict(stream_type, stream_id, expected_version, actual));
    }
    append_unchecked(tx, stream_type, stream_id, expected_version, events, meta).await
}

/// Appends without reading the stream's current version first.
///
/// For callers that already verified the version in the same transaction (for example by a
/// conditional update of the projection row); the unique key on `(stream, version)` still
/// turns a lost race into [`StoreError::Conflict`].
pub async fn append_unchecked(
    tx: &mut Tx,
    stream_type: &str,
    stream_id: &str,
    expected_version: i64,
    events: &[(&str, Value)],
    meta: &EventMeta,
) -> StoreResult<i64> {
    const INSERT: &str = "INSERT INTO events (stream_type, stream_id, version, kind, payload, \
         occurred_at, actor_id, actor_role, actor_agency, channel, request_id) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)";
    let mut version = expected_version;
    for (kind, payload) in events {
        version += 1;
        let result = on_tx!(tx, conn => {
            sqlx::query(INSERT)
                .bind(stream_type)
                .bind(stream_id)
                .bind(version)
                .bind(*kind)
                .bind(Json(payload))
                .bind(meta.at)
                .bind(&meta.actor.id)
                .bind(meta.actor.role.as_str())
                .bind(meta.actor.agency.as_deref())
                .bind(meta.channel.as_str())
                .bind(meta.request_id.as_deref())
                .execute(conn)
                .await
                .map(|r| r.rows_affected())
        });
        if let Err(e) = result {
            return Err(if is_unique_violation(&e) {
                conflict(stream_type, stream_id, expected_version, version)
            } else {
                e.into()
            });
        }
    }
    Ok(version)
}

fn conflict(stream_type: &str, stream_id: &str, expected: i64, actual: i64) -> StoreError {
    StoreError::Conflict {
        what: format!("{stream_type} {stream_id}"),
        expected,
        actual,
    }
}

impl crate::Store {
    /// The highest event id (0 for an empty log): it grows with every change to anything,
    /// so a read model computed at one value is current while it stays. One index probe.
    pub async fn last_event_id(&self) -> StoreResult<i64> {
        const SQL: &str = "SELECT COALESCE(MAX(id), 0) FROM events";
        Ok(on_pool!(self, pool => sqlx::query_scalar(SQL).fetch_one(pool).await?))
    }

    /// The kind and instant of each event of one stream, in order: a history as the public
    /// sees it, without reading the payloads.
    pub async fn stream_timeline(
        &self,
        stream_type: &str,
        stream_id: &str,
    ) -> StoreResult<Vec<(String, DateTime<Utc>)>> {
        const SQL: &str = "SELECT kind, occurred_at FROM events \
             WHERE stream_type = $1 AND stream_id = $2 ORDER BY version";
        Ok(on_pool!(self, pool => {
            sqlx::query_as(SQL).bind(stream_type).bind(stream_id).fetch_all(pool).await?
        }))
    }

    /// All events of one stream, in order.
    pub async fn load_stream(
        &self,
        stream_type: &str,
        stream_id: &str,
    ) -> StoreResult<Vec<RecordedEvent>> {
        const SQL: &str = "SELECT id, stream_type, stream_id, version, kind, payload, occurred_at, \
             actor_id, actor_role, actor_agency, channel, request_id FROM events \
             WHERE stream_type = $1 AND stream_id = $2 ORDER BY version";
        let rows: Vec<EventRow> = on_pool!(self, pool => {
            sqlx::query_as(SQL).bind(stream_type).bind(stream_id).fetch_all(pool).await?
        });
        rows.into_iter().map(EventRow::into_event).collect()
    }

    /// Up to `limit` events of a stream type with a global position above `after`, in order
    /// of position: the way to replay the whole log in pages.
    pub async fn events_after(
        &self,
        stream_type: &str,
        after: i64,
        limit: i64,
    ) -> StoreResult<Vec<RecordedEvent>> {
        const SQL: &str = "SELECT id, stream_type, stream_id, version, kind, payload, occurred_at, \
             actor_id, actor_role, actor_agency, channel, request_id FROM events \
             WHERE stream_type = $1 AND id > $2 ORDER BY id LIMIT $3";
        let rows: Vec<EventRow> = on_pool!(self, pool => {
            sqlx::query_as(SQL).bind(stream_type).bind(after).bind(limit).fetch_all(pool).await?
        });
        rows.into_iter().map(EventRow::into_event).collect()
    }

    /// Number of events in the log (all streams).
    pub async fn count_events(&self) -> StoreResult<i64> {
        let n: i64 = on_pool!(self, pool => {
            sqlx::query_scalar("SELECT COUNT(*) FROM events").fetch_one(pool).await?
        });
        Ok(n)
    }
}
