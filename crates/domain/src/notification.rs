//! Notifications that leave motcua: a task's news (assigned, a reminder as its deadline
//! approaches, an extension or a completion to decide, the decision) sent by e-mail or to
//! a webhook that the operator subscribed for an agency.
//!
//! A notification is queued in the transaction of the change it reports (an outbox), then
//! delivered by a worker; each attempt is an event of its stream, so what was sent, what
//! failed and why stays visible. A failed attempt is retried later with a growing delay
//! ([`RetryRules`]) until it is delivered, fails permanently, or runs out of attempts.

use chrono::{DateTime, TimeDelta, Utc};
use serde::{Deserialize, Serialize};

use crate::task::reminder::Reminder;

/// How a notification leaves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChannelKind {
    /// An e-mail to an address.
    Email,
    /// An HTTP POST of JSON to a URL.
    Webhook,
}

impl ChannelKind {
    /// Identifier, as stored and in the API.
    pub fn as_str(self) -> &'static str {
        match self {
            ChannelKind::Email => "email",
            ChannelKind::Webhook => "webhook",
        }
    }

    /// Parses [`ChannelKind::as_str`].
    pub fn parse(s: &str) -> Option<ChannelKind> {
        match s {
            "email" => Some(ChannelKind::Email),
            "webhook" => Some(ChannelKind::Webhook),
            _ => None,
        }
    }
}

/// Where the operator wants an agency's task news sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Subscription {
    /// Its identifier, e.g. `DK-0001`.
    pub id: String,
    /// The agency whose news it receives; `None` for every agency.
    pub agency: Option<String>,
    /// E-mail or webhook.
    pub channel: ChannelKind,
    /// The e-mail address or the URL.
    pub address: String,
}

/// An event of a subscription's stream.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum SubscriptionEvent {
    /// Subscribed.
    Subscribed(Box<Subscription>),
    /// Ended: nothing more is queued for it.
    Unsubscribed,
}

/// The host of an `http(s)://` URL, without user information or port.
fn url_host(address: &str) -> Option<&str> {
    let rest = address
        .strip_prefix("https://")
        .or_else(|| address.strip_prefix("http://"))?;
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let host = if host_port.starts_with('[') {
        host_port.split_once(']').map_or(host_port, |(h, _)| h)
    } else {
        host_port.split(':').next().unwrap_or_default()
    };
    (!host.is_empty()).then_some(host)
}

/// Checks a subscription's address for its channel and trims it. Whether a webhook's host
/// may be private is the service's question (`motcua_notify::is_private_url`).
///
/// # Errors
/// A message naming `address`: an e-mail address without one `@` and a dotted domain, or a
/// URL that is not `http://` or `https://` with a host.
pub fn check_address(channel: ChannelKind, address: &str) -> Result<String, String> {
    let address = address.trim();
    let ok = match channel {
        ChannelKind::Email => match address.split_once('@') {
            Some((local, domain)) => {
                !local.is_empty()
                    && domain.contains('.')
                    && !domain.starts_with('.')
                    && !domain.ends_with('.')
                    && !address.contains(char::is_whitespace)
                    && !domain.contains('@')
                    && address.len() <= 254
            }
            None => false,
        },
        ChannelKind::Webhook => {
            url_host(address).is_some()
                && !address.contains(char::is_whitespace)
                && address.len() <= 2_000
        }
    };
    if ok {
        Ok(address.to_owned())
    } else {
        Err(match channel {
            ChannelKind::Email => format!(
                "address: «{address}» không phải địa chỉ thư điện tử / «{address}» is not an e-mail address"
            ),
            ChannelKind::Webhook => format!(
                "address: «{address}» phải là địa chỉ http:// hoặc https:// / «{address}» must be an http:// or https:// URL"
            ),
        })
    }
}

/// What a notification tells.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum NotificationKind {
    /// A task was assigned to the agency (sent to the lead).
    Assigned,
    /// A reminder of the deadline (sent to the lead; an overdue one to the assigner too).
    Reminder {
        /// Which.
        reminder: Reminder,
    },
    /// An extension was asked for (sent to the assigner).
    ExtensionRequested,
    /// The extension was decided (sent to the lead).
    ExtensionDecided {
        /// Granted or refused.
        granted: bool,
    },
    /// The task was reported done (sent to the assigner).
    CompletionReported,
    /// The completion was accepted or returned (sent to the lead).
    CompletionDecided {
        /// Accepted or returned.
        accepted: bool,
    },
    /// The task was cancelled (sent to the lead).
    Cancelled,
}

impl NotificationKind {
    /// Identifier of the kind alone, for lists and filters.
    pub fn as_str(self) -> &'static str {
        match self {
            NotificationKind::Assigned => "assigned",
            NotificationKind::Reminder { .. } => "reminder",
            NotificationKind::ExtensionRequested => "extension_requested",
            NotificationKind::ExtensionDecided { .. } => "extension_decided",
            NotificationKind::CompletionReported => "completion_reported",
            NotificationKind::CompletionDecided { .. } => "completion_decided",
            NotificationKind::Cancelled => "cancelled",
        }
    }
}

/// A notification and how its delivery went.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notification {
    /// Its identifier (also the receivers' idempotency key).
    pub id: String,
    /// What makes it unique: one per task, news, and subscription.
    pub key: String,
    /// The task it is about.
    pub task: String,
    /// What it tells.
    pub kind: NotificationKind,
    /// The agency it is for.
    pub agency: String,
    /// The subscription it goes through.
    pub subscription: String,
    /// E-mail or webhook.
    pub channel: ChannelKind,
    /// The address or URL.
    pub address: String,
    /// The e-mail's subject.
    pub subject: String,
    /// The e-mail's text.
    pub body: String,
    /// What a webhook receives.
    pub payload: serde_json::Value,
    /// When it was queued.
    pub queued_at: DateTime<Utc>,
    /// Attempts made so far.
    pub attempts: u32,
    /// When the next attempt is due; `None` once delivered or abandoned.
    pub next_attempt_at: Option<DateTime<Utc>>,
    /// The last failure, if any.
    pub last_error: Option<String>,
    /// When it was delivered.
    pub delivered_at: Option<DateTime<Utc>>,
    /// When delivery was given up.
    pub abandoned_at: Option<DateTime<Utc>>,
    /// Events applied.
    pub version: i64,
}

/// Where a notification's delivery stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryStatus {
    /// Waiting for its next attempt.
    Pending,
    /// Delivered.
    Delivered,
    /// Given up: failed permanently or too often.
    Abandoned,
}

impl DeliveryStatus {
    /// Identifier, as stored and in the API.
    pub fn as_str(self) -> &'static str {
        match self {
            DeliveryStatus::Pending => "pending",
            DeliveryStatus::Delivered => "delivered",
            DeliveryStatus::Abandoned => "abandoned",
        }
    }

    /// Parses [`DeliveryStatus::as_str`].
    pub fn parse(s: &str) -> Option<DeliveryStatus> {
        match s {
            "pending" => Some(DeliveryStatus::Pending),
            "delivered" => Some(DeliveryStatus::Delivered),
            "abandoned" => Some(DeliveryStatus::Abandoned),
            _ => None,
        }
    }
}

impl Notification {
    /// Where its delivery stands.
    pub fn status(&self) -> DeliveryStatus {
        if self.delivered_at.is_some() {
            DeliveryStatus::Delivered
        } else if self.abandoned_at.is_some() {
            DeliveryStatus::Abandoned
        } else {
            DeliveryStatus::Pending
        }
    }
}

/// An event of a notification's stream.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum NotificationEvent {
    /// Queued for delivery.
    Queued(Box<Notification>),
    /// An attempt failed; retried at `next_attempt_at`, or given up when `None`.
    AttemptFailed {
        /// What went wrong.
        error: String,
        /// When to try again.
        next_attempt_at: Option<DateTime<Utc>>,
    },
    /// Delivered.
    Delivered {
        /// What the receiver answered.
        detail: String,
    },
    /// Queued again by hand after it was given up.
    Retried,
}

impl NotificationEvent {
    /// The event kind, as stored.
    pub fn kind(&self) -> &'static str {
        match self {
            NotificationEvent::Queued(_) => "queued",
            NotificationEvent::AttemptFailed { .. } => "attempt_failed",
            NotificationEvent::Delivered { .. } => "delivered",
            NotificationEvent::Retried => "retried",
        }
    }
}

/// How failed deliveries are retried: after `first_delay`, then twice as long each time up
/// to `max_delay`, at most `max_attempts` attempts in all. 🔶 No rule applies; the
/// defaults (1 minute, 6 hours, 14 attempts: the last about 32 hours after the first) are
/// configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct RetryRules {
    /// Delay after the first failure.
    pub first_delay: TimeDelta,
    /// Longest delay between two attempts.
    pub max_delay: TimeDelta,
    /// Attempts before giving up.
    pub max_attempts: u32,
}

impl Default for RetryRules {
    fn default() -> Self {
        RetryRules {
            first_delay: TimeDelta::minutes(1),
            max_delay: TimeDelta::hours(6),
            max_attempts: 14,
        }
    }
}

impl RetryRules {
    /// When to try again after attempt number `attempts` (1 = the first) failed at `at`;
    /// `None` to give up (a permanent failure, or no attempt left).
    pub fn next_attempt(
        &self,
        attempts: u32,
        permanent: bool,
        at: DateTime<Utc>,
    ) -> Option<DateTime<Utc>> {
        if permanent || attempts >= self.max_attempts {
            return None;
        }
        let doublings = attempts.saturating_sub(1).min(30);
        let delay = self
            .first_delay
            .checked_mul(1_i32 << doublings)
            .unwrap_or(self.max_delay)
            .min(self.max_delay);
        Some(at + delay)
    }
}

/// Applies an event recorded at `at`.
///
/// # Errors
/// A message (Vietnamese / English) when the event cannot follow the state: anything but
/// `queued` first, an attempt on a delivered or abandoned notification, a retry of one that
/// was not given up.
pub fn apply(
    state: Option<Notification>,
    event: &NotificationEvent,
    at: DateTime<Utc>,
) -> Result<Notification, String> {
    let mut n = match (state, event) {
        (None, NotificationEvent::Queued(n)) => {
            let mut n = (**n).clone();
            n.queued_at = at;
            n.next_attempt_at = Some(at);
            n.version = 1;
            return Ok(n);
        }
        (Some(n), NotificationEvent::Queued(_)) => {
            return Err(format!(
                "thông báo {} đã có / notification {} exists",
                n.id, n.id
            ));
        }
        (None, _) => {
            return Err("thông báo chưa có / no such notification".into());
        }
        (Some(n), _) => n,
    };
    match event {
        NotificationEvent::Queued(_) => {}
        NotificationEvent::AttemptFailed {
            error,
            next_attempt_at,
        } => {
            if n.status() != DeliveryStatus::Pending {
                return Err("thông báo không chờ gửi / the notification is not pending".into());
            }
            n.attempts += 1;
            n.last_error = Some(error.clone());
            n.next_attempt_at = *next_attempt_at;
            if next_attempt_at.is_none() {
                n.abandoned_at = Some(at);
            }
        }
        NotificationEvent::Delivered { .. } => {
            if n.status() != DeliveryStatus::Pending {
                return Err("thông báo không chờ gửi / the notification is not pending".into());
            }
            n.attempts += 1;
            n.delivered_at = Some(at);
            n.next_attempt_at = None;
        }
        NotificationEvent::Retried => {
            if n.status() != DeliveryStatus::Abandoned {
                return Err(
                    "chỉ gửi lại thông báo đã dừng gửi / only a notification given up can be retried"
                        .into(),
                );
            }
            n.abandoned_at = None;
            n.attempts = 0;
            n.next_attempt_at = Some(at);
        }
    }
    n.version += 1;
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(h: u32, m: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, 7, h, m, 0).unwrap()
    }

    fn queued() -> Notification {
        let n = Notification {
            id: "TB-1".into(),
            key: "NV-1:assigned:DK-1".into(),
            task: "NV-1".into(),
            kind: NotificationKind::Assigned,
            agency: "000.00.10.H05".into(),
            subscription: "DK-1".into(),
            channel: ChannelKind::Webhook,
            address: "https://example.vn/hook".into(),
            subject: "Nhiệm vụ mới".into(),
            body: "…".into(),
            payload: serde_json::json!({"task": "NV-1"}),
            queued_at: at(0, 0),
            attempts: 0,
            next_attempt_at: None,
            last_error: None,
            delivered_at: None,
            abandoned_at: None,
            version: 0,
        };
        apply(None, &NotificationEvent::Queued(Box::new(n)), at(1, 0)).unwrap()
    }

    #[test]
    fn failures_are_retried_with_growing_delays_then_given_up() {
        let rules = RetryRules::default();
        assert_eq!(rules.next_attempt(1, false, at(1, 0)), Some(at(1, 1)));
        assert_eq!(rules.next_attempt(2, false, at(1, 0)), Some(at(1, 2)));
        assert_eq!(rules.next_attempt(4, false, at(1, 0)), Some(at(1, 8)));
        assert_eq!(rules.next_attempt(9, false, at(1, 0)), Some(at(5, 16)));
        assert_eq!(
            rules.next_attempt(12, false, at(1, 0)),
            Some(at(7, 0)),
            "capped"
        );
        assert_eq!(
            rules.next_attempt(14, false, at(1, 0)),
            None,
            "out of attempts"
        );
        assert_eq!(rules.next_attempt(1, true, at(1, 0)), None, "permanent");
    }

    #[test]
    fn a_notification_goes_pending_failed_given_up_retried_delivered() {
        let n = queued();
        assert_eq!(
            (n.status(), n.next_attempt_at),
            (DeliveryStatus::Pending, Some(at(1, 0)))
        );
        let failed = apply(
            Some(n),
            &NotificationEvent::AttemptFailed {
                error: "HTTP 500".into(),
                next_attempt_at: Some(at(1, 1)),
            },
            at(1, 0),
        )
        .unwrap();
        assert_eq!(
            (failed.attempts, failed.status()),
            (1, DeliveryStatus::Pending)
        );
        assert!(apply(Some(failed.clone()), &NotificationEvent::Retried, at(1, 0)).is_err());
        let given_up = apply(
            Some(failed),
            &NotificationEvent::AttemptFailed {
                error: "HTTP 410".into(),
                next_attempt_at: None,
            },
            at(1, 1),
        )
        .unwrap();
        assert_eq!(given_up.status(), DeliveryStatus::Abandoned);
        assert_eq!(given_up.last_error.as_deref(), Some("HTTP 410"));
        let retried = apply(Some(given_up), &NotificationEvent::Retried, at(2, 0)).unwrap();
        assert_eq!(
            (retried.status(), retried.attempts),
            (DeliveryStatus::Pending, 0)
        );
        let delivered = apply(
            Some(retried),
            &NotificationEvent::Delivered {
                detail: "HTTP 204".into(),
            },
            at(2, 0),
        )
        .unwrap();
        assert_eq!(delivered.status(), DeliveryStatus::Delivered);
        assert_eq!(delivered.version, 5);
        assert!(
            apply(
                Some(delivered),
                &NotificationEvent::Delivered {
                    detail: "again".into()
                },
                at(2, 1)
            )
            .is_err()
        );
    }

    #[test]
    fn addresses_are_checked_for_their_channel() {
        assert_eq!(
            check_address(ChannelKind::Email, " vanthu@stp.bacninh.gov.vn ").unwrap(),
            "vanthu@stp.bacninh.gov.vn"
        );
        for bad in ["vanthu", "a@b", "@x.vn", "a b@x.vn", "a@x.vn."] {
            assert!(check_address(ChannelKind::Email, bad).is_err(), "{bad}");
        }
        let hook = |a: &str| check_address(ChannelKind::Webhook, a);
        assert!(hook("https://chat.example.vn/hooks/1").is_ok());
        assert!(hook("https://user:token@chat.example.vn:8443/h").is_ok());
        assert!(hook("http://[::1]:8080/h").is_ok());
        let err = hook("ftp://x").unwrap_err();
        assert!(err.starts_with("address:"), "{err}");
        assert!(hook("https://").is_err());
        assert!(hook("https://a b/").is_err());
    }
}
