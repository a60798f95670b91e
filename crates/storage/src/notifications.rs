//! Notifications of tasks sent by e-mail or webhook: the operator's subscriptions (stream
//! `notification_subscription`) and the outbox (stream `notification`), each with its
//! projection, written with their events in one transaction (ADR 0004).
//!
//! A notification is queued in the transaction of the change it reports; a worker reads the
//! due ones ([`Store::due_notifications`]) and records each attempt.

use chrono::{DateTime, Utc};
use motcua_domain::event::EventMeta;
use motcua_domain::notification::{
    Notification, NotificationEvent, Subscription, SubscriptionEvent,
};
use sqlx::types::Json;

use crate::{Store, StoreError, StoreResult, Tx, events, on_pool, on_tx, push_in};

/// Stream type of subscriptions (id = the subscription's id).
pub const SUBSCRIPTION_STREAM: &str = "notification_subscription";
/// Stream type of notifications (id = the notification's id).
pub const NOTIFICATION_STREAM: &str = "notification";

/// A subscription as stored: the domain value and when it began and ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredSubscription {
    /// The subscription.
    pub subscription: Subscription,
    /// When it was made.
    pub created_at: DateTime<Utc>,
    /// When it ended, if it did.
    pub ended_at: Option<DateTime<Utc>>,
    /// Events applied.
    pub version: i64,
}

/// Records a new subscription.
pub async fn subscribe(
    tx: &mut Tx,
    subscription: &Subscription,
    meta: &EventMeta,
) -> StoreResult<()> {
    const SQL: &str = "INSERT INTO notification_subscriptions (id, agency, channel, address, \
         created_at, ended_at, version, state) VALUES ($1, $2, $3, $4, $5, NULL, $6, $7)";
    let event = SubscriptionEvent::Subscribed(Box::new(subscription.clone()));
    let version = events::append(
        tx,
        SUBSCRIPTION_STREAM,
        &subscription.id,
        0,
        &[("subscribed", serde_json::to_value(&event)?)],
        meta,
    )
    .await?;
    on_tx!(tx, conn => {
        sqlx::query(SQL)
            .bind(&subscription.id)
            .bind(subscription.agency.as_deref())
            .bind(subscription.channel.as_str())
            .bind(&subscription.address)
            .bind(meta.at)
            .bind(version)
            .bind(Json(subscription))
            .execute(conn)
            .await?;
    });
    Ok(())
}

/// Ends a subscription at version `expected_version`.
pub async fn unsubscribe(
    tx: &mut Tx,
    id: &str,
    expected_version: i64,
    meta: &EventMeta,
) -> StoreResult<()> {
    const SQL: &str = "UPDATE notification_subscriptions SET ended_at = $2, version = $3 \
         WHERE id = $1 AND version = $4 AND ended_at IS NULL";
    let version = events::append(
        tx,
        SUBSCRIPTION_STREAM,
        id,
        expected_version,
        &[(
            "unsubscribed",
            serde_json::to_value(SubscriptionEvent::Unsubscribed)?,
        )],
        meta,
    )
    .await?;
    let affected = on_tx!(tx, conn => {
        sqlx::query(SQL)
            .bind(id)
            .bind(meta.at)
            .bind(version)
            .bind(expected_version)
            .execute(conn)
            .await?
            .rows_affected()
    });
    crate::error::ensure_written(affected, 1, expected_version, || {
        format!("đăng ký nhận thông báo / subscription {id}")
    })
}

type SubscriptionRow = (
    Json<Subscription>,
    DateTime<Utc>,
    Option<DateTime<Utc>>,
    i64,
);

fn stored((state, created_at, ended_at, version): SubscriptionRow) -> StoredSubscription {
    StoredSubscription {
        subscription: state.0,
        created_at,
        ended_at,
        version,
    }
}

/// The subscriptions in force for news of `agency`: its own and those for every agency.
pub async fn active_for(tx: &mut Tx, agency: &str) -> StoreResult<Vec<Subscription>> {
    const SQL: &str = "SELECT state FROM notification_subscriptions WHERE ended_at IS NULL \
         AND (agency IS NULL OR agency = $1) ORDER BY id";
    let rows: Vec<Json<Subscription>> = on_tx!(tx, conn => {
        sqlx::query_scalar(SQL).bind(agency).fetch_all(conn).await?
    });
    Ok(rows.into_iter().map(|r| r.0).collect())
}

/// Whether a notification with dedupe key `key` is queued already.
pub async fn is_queued(tx: &mut Tx, key: &str) -> StoreResult<bool> {
    const EXISTS: &str = "SELECT COUNT(*) FROM notifications WHERE dedupe_key = $1";
    let exists: i64 = on_tx!(tx, conn => {
        sqlx::query_scalar(EXISTS).bind(key).fetch_one(conn).await?
    });
    Ok(exists > 0)
}

/// Queues `notification` unless one with its key is already queued; whether it was.
pub async fn queue(
    tx: &mut Tx,
    notification: &Notification,
    meta: &EventMeta,
) -> StoreResult<bool> {
    if is_queued(tx, &notification.key).await? {
        return Ok(false);
    }
    let event = NotificationEvent::Queued(Box::new(notification.clone()));
    let state =
        motcua_domain::notification::apply(None, &event, meta.at).map_err(StoreError::Corrupt)?;
    record(tx, 0, &[event], &state, meta).await?;
    Ok(true)
}

/// Records events of one notification and its new state. `expected_version` is the version
/// the change was based on (0 for a new one).
pub async fn record(
    tx: &mut Tx,
    expected_version: i64,
    events: &[NotificationEvent],
    state: &Notification,
    meta: &EventMeta,
) -> StoreResult<()> {
    const INSERT: &str = "INSERT INTO notifications (id, dedupe_key, task_id, agency, \
         subscription, channel, status, queued_at, next_attempt_at, attempts, version, state) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)";
    const UPDATE: &str = "UPDATE notifications SET status = $2, next_attempt_at = $3, \
         attempts = $4, version = $5, state = $6 WHERE id = $1 AND version = $7";
    let payloads = events
        .iter()
        .map(|e| Ok((e.kind(), serde_json::to_value(e)?)))
        .collect::<StoreResult<Vec<_>>>()?;
    let version = events::append(
        tx,
        NOTIFICATION_STREAM,
        &state.id,
        expected_version,
        &payloads,
        meta,
    )
    .await?;
    let attempts = i32::try_from(state.attempts).unwrap_or(i32::MAX);
    let affected = if expected_version == 0 {
        on_tx!(tx, conn => {
            sqlx::query(INSERT)
                .bind(&state.id)
                .bind(&state.key)
                .bind(&state.task)
                .bind(&state.agency)
                .bind(&state.subscription)
                .bind(state.channel.as_str())
                .bind(state.status().as_str())
                .bind(state.queued_at)
                .bind(state.next_attempt_at)
                .bind(attempts)
                .bind(version)
                .bind(Json(state))
                .execute(conn)
                .await?
                .rows_affected()
        })
    } else {
        on_tx!(tx, conn => {
            sqlx::query(UPDATE)
                .bind(&state.id)
                .bind(state.status().as_str())
                .bind(state.next_attempt_at)
                .bind(attempts)
                .bind(version)
                .bind(Json(state))
                .bind(expected_version)
                .execute(conn)
                .await?
                .rows_affected()
        })
    };
    crate::error::ensure_written(affected, 1, expected_version, || {
        format!("thông báo / notification {}", state.id)
    })
}

/// Reads a notification inside a write transaction.
pub async fn find_in(tx: &mut Tx, id: &str) -> StoreResult<Option<Notification>> {
    const SQL: &str = "SELECT state FROM notifications WHERE id = $1";
    let state: Option<Json<Notification>> = on_tx!(tx, conn => {
        sqlx::query_scalar(SQL).bind(id).fetch_optional(conn).await?
    });
    Ok(state.map(|s| s.0))
}

/// Which notifications a list shows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NotificationQuery {
    /// Only those for this agency.
    pub agency: Option<String>,
    /// Only those about this task.
    pub task: Option<String>,
    /// Only those with this status (`pending`, `delivered`, `abandoned`).
    pub status: Option<String>,
    /// Page size.
    pub limit: i64,
    /// Rows to skip.
    pub offset: i64,
}

impl Store {
    /// Every subscription, ended ones too, newest first.
    pub async fn subscriptions(&self) -> StoreResult<Vec<StoredSubscription>> {
        const SQL: &str = "SELECT state, created_at, ended_at, version \
             FROM notification_subscriptions ORDER BY created_at DESC, id DESC";
        let rows: Vec<SubscriptionRow> =
            on_pool!(self, pool => sqlx::query_as(SQL).fetch_all(pool).await?);
        Ok(rows.into_iter().map(stored).collect())
    }

    /// One subscription.
    pub async fn find_subscription(&self, id: &str) -> StoreResult<Option<StoredSubscription>> {
        const SQL: &str = "SELECT state, created_at, ended_at, version \
             FROM notification_subscriptions WHERE id = $1";
        let row: Option<SubscriptionRow> =
            on_pool!(self, pool => sqlx::query_as(SQL).bind(id).fetch_optional(pool).await?);
        Ok(row.map(stored))
    }

    /// How many of `keys` (dedupe keys) are queued already.
    pub async fn notifications_queued(&self, keys: &[String]) -> StoreResult<usize> {
        if keys.is_empty() {
            return Ok(0);
        }
        let n: i64 = on_pool!(self, pool => {
            let mut count = sqlx::QueryBuilder::new("SELECT COUNT(*) FROM notifications WHERE dedupe_key IN (");
            push_in!(count, keys);
            count.build_query_scalar().fetch_one(pool).await?
        });
        Ok(usize::try_from(n).unwrap_or(0))
    }

    /// Up to `limit` notifications whose next attempt is due at `now`, oldest due first.
    pub async fn due_notifications(
        &self,
        now: DateTime<Utc>,
        limit: i64,
    ) -> StoreResult<Vec<Notification>> {
        const SQL: &str = "SELECT state FROM notifications WHERE status = 'pending' \
             AND next_attempt_at <= $1 ORDER BY next_attempt_at, id LIMIT $2";
        let rows: Vec<Json<Notification>> = on_pool!(self, pool => {
            sqlx::query_scalar(SQL).bind(now).bind(limit).fetch_all(pool).await?
        });
        Ok(rows.into_iter().map(|r| r.0).collect())
    }

    /// One notification.
    pub async fn find_notification(&self, id: &str) -> StoreResult<Option<Notification>> {
        const SQL: &str = "SELECT state FROM notifications WHERE id = $1";
        let state: Option<Json<Notification>> =
            on_pool!(self, pool => sqlx::query_scalar(SQL).bind(id).fetch_optional(pool).await?);
        Ok(state.map(|s| s.0))
    }

    /// A page of notifications matching `query`, newest first, and how many match in all.
    pub async fn list_notifications(
        &self,
        query: &NotificationQuery,
    ) -> StoreResult<(Vec<Notification>, i64)> {
        macro_rules! filters {
            ($b:expr) => {{
                let b = $b;
                b.push(" WHERE 1 = 1");
                if let Some(agency) = &query.agency {
                    b.push(" AND agency = ").push_bind(agency.clone());
                }
                if let Some(task) = &query.task {
                    b.push(" AND task_id = ").push_bind(task.clone());
                }
                if let Some(status) = &query.status {
                    b.push(" AND status = ").push_bind(status.clone());
                }
            }};
        }
        let (rows, total) = on_pool!(self, pool => {
            let mut select = sqlx::QueryBuilder::new("SELECT state FROM notifications");
            filters!(&mut select);
            select.push(" ORDER BY queued_at DESC, id DESC LIMIT ")
                .push_bind(query.limit.clamp(1, 500))
                .push(" OFFSET ")
                .push_bind(query.offset.max(0));
            let rows: Vec<Json<Notification>> = select.build_query_scalar().fetch_all(pool).await?;
            let mut count = sqlx::QueryBuilder::new("SELECT COUNT(*) FROM notifications");
            filters!(&mut count);
            let total: i64 = count.build_query_scalar().fetch_one(pool).await?;
            (rows, total)
        });
        Ok((rows.into_iter().map(|r| r.0).collect(), total))
    }
}
