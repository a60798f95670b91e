//! The outbound transports of motcua's reminders: one message through one channel — an e-mail
//! over SMTP or a webhook (a JSON POST, optionally signed) — and a report of success or of a
//! clear, bilingual error.
//!
//! The crate knows nothing of dossiers or deadlines: the caller builds the subject, body and
//! webhook payload. It neither retries nor stores anything; the delivery worker does both,
//! and [`NotifyError::is_permanent`] tells it whether another attempt can succeed.
//!
//! ```no_run
//! # async fn demo() -> Result<(), motcua_notify::NotifyError> {
//! use motcua_notify::{Destination, Message, SmtpSettings, TransportSettings, Transports};
//!
//! let transports = Transports::new(TransportSettings {
//!     smtp: Some(SmtpSettings {
//!         url: "smtp://user:pass@smtp.example.vn:587?tls=required".into(),
//!         from: "Motcua <no-reply@example.vn>".into(),
//!     }),
//!     ..TransportSettings::default()
//! })?;
//! let message = Message {
//!     id: "0190f3c2-7b1e-7c4d-9a55-3f0e6b2d1a10".into(),
//!     subject: "Hồ sơ sắp đến hạn / Dossier due soon".into(),
//!     body: "Hồ sơ 000.00.10.H08-250101-0001 đến hạn ngày 15/01/2025.".into(),
//!     payload: serde_json::json!({ "dossier": "000.00.10.H08-250101-0001" }),
//! };
//! let delivered = transports
//!     .send(&Destination::Email("can-bo@example.vn".into()), &message)
//!     .await?;
//! println!("{}", delivered.detail);
//! # Ok(())
//! # }
//! ```

mod email;
mod private;
mod webhook;

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

pub use private::{is_private_ip, is_private_url};
pub use webhook::{NOTIFICATION_HEADER, SIGNATURE_HEADER};

/// One message to deliver; the caller fills every field, this crate only carries them.
#[derive(Debug, Clone, PartialEq)]
pub struct Message {
    /// Stable id of the notification, the same on every attempt: receivers use it to drop
    /// duplicates (the webhook's `X-Motcua-Notification` header, the e-mail's Message-ID).
    pub id: String,
    /// The e-mail's subject (Vietnamese then English, written by the caller).
    pub subject: String,
    /// The e-mail's plain-text body (UTF-8; diacritics are encoded for transport).
    pub body: String,
    /// The JSON document a webhook receives, exactly as the caller built it.
    pub payload: serde_json::Value,
}

/// Where one message goes.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Destination {
    /// An e-mail address such as `can-bo@example.vn`.
    Email(String),
    /// An `https://` (or `http://`) URL that receives a POST.
    Webhook(String),
}

impl Destination {
    /// The channel this destination is reached through.
    pub fn channel(&self) -> Channel {
        match self {
            Destination::Email(_) => Channel::Email,
            Destination::Webhook(_) => Channel::Webhook,
        }
    }
}

/// A way of delivering a message; errors carry it so their text names the peer correctly.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Channel {
    /// E-mail over SMTP.
    Email,
    /// An HTTP POST of the payload.
    Webhook,
}

impl Channel {
    fn peer_vi(self) -> &'static str {
        match self {
            Channel::Email => "máy chủ thư",
            Channel::Webhook => "máy nhận webhook",
        }
    }

    fn peer_en(self) -> &'static str {
        match self {
            Channel::Email => "the mail server",
            Channel::Webhook => "the webhook receiver",
        }
    }

    fn address_vi(self) -> &'static str {
        match self {
            Channel::Email => "địa chỉ thư điện tử",
            Channel::Webhook => "địa chỉ webhook",
        }
    }

    fn address_en(self) -> &'static str {
        match self {
            Channel::Email => "e-mail address",
            Channel::Webhook => "webhook URL",
        }
    }

    fn thing_vi(self) -> &'static str {
        match self {
            Channel::Email => "thư",
            Channel::Webhook => "yêu cầu webhook",
        }
    }

    fn thing_en(self) -> &'static str {
        match self {
            Channel::Email => "e-mail",
            Channel::Webhook => "webhook request",
        }
    }
}

/// How the transports are set up, read once at start-up.
#[derive(Clone, PartialEq, Eq)]
pub struct TransportSettings {
    /// The mail server; `None` leaves e-mail off, and e-mail destinations then fail with
    /// [`NotifyError::NotConfigured`] rather than at start-up.
    pub smtp: Option<SmtpSettings>,
    /// When set, each webhook POST carries `X-Motcua-Signature: sha256=<hex HMAC-SHA256 of
    /// the body>`, so a receiver can tell motcua's requests from forged ones.
    pub webhook_secret: Option<String>,
    /// The longest one attempt may take, connecting included (default 10 s): the worker's
    /// queue must not stall on a peer that never answers.
    pub timeout: Duration,
    /// Whether webhooks may go to this machine or a private network ([`is_private_url`]);
    /// off by default (request forgery), on for a receiver on the same network.
    pub allow_private: bool,
}

impl Default for TransportSettings {
    fn default() -> Self {
        TransportSettings {
            smtp: None,
            webhook_secret: None,
            timeout: Duration::from_secs(10),
            allow_private: false,
        }
    }
}

// Hand-written so that a logged configuration never shows the secret.
impl fmt::Debug for TransportSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TransportSettings")
            .field("smtp", &self.smtp)
            .field(
                "webhook_secret",
                &self.webhook_secret.as_ref().map(|_| "<hidden>"),
            )
            .field("timeout", &self.timeout)
            .field("allow_private", &self.allow_private)
            .finish()
    }
}

/// The mail server and the sender.
#[derive(Clone, PartialEq, Eq)]
pub struct SmtpSettings {
    /// `smtp://user:pass@host:port?tls=required` (STARTTLS), `smtps://user:pass@host:port`
    /// (TLS from the start) or `smtp://host:port` (plain, for a relay on the same machine).
    /// Credentials are percent-encoded.
    pub url: String,
    /// The `From` mailbox, such as `Motcua <no-reply@example.vn>`; its domain also ends the
    /// Message-ID.
    pub from: String,
}

// Hand-written: the URL may hold the mail account's password.
impl fmt::Debug for SmtpSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SmtpSettings")
            .field("server", &email::server_name(&self.url))
            .field("from", &self.from)
            .finish()
    }
}

/// The transports, built once at start-up and shared: cloning is cheap (an `Arc`).
#[derive(Clone)]
pub struct Transports {
    inner: Arc<Inner>,
}

struct Inner {
    smtp: Option<email::Smtp>,
    webhook: webhook::Webhook,
    timeout: Duration,
}

impl fmt::Debug for Transports {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Transports")
            .field("smtp", &self.inner.smtp.as_ref().map(email::Smtp::server))
            .field("webhook_signed", &self.inner.webhook.signed())
            .field("timeout", &self.inner.timeout)
            .finish()
    }
}

impl Transports {
    /// Checks the settings and builds the transports; connects to nothing yet, so a mail
    /// server that is down at start-up shows up on the first send, as a retryable error.
    ///
    /// # Errors
    ///
    /// [`NotifyError::InvalidSetting`] naming the setting (`smtp.url`, `smtp.from`,
    /// `webhook_secret`, `timeout`), or [`NotifyError::Setup`] if the HTTP client cannot be made.
    pub fn new(settings: TransportSettings) -> Result<Transports, NotifyError> {
        if settings.timeout.is_zero() {
            return Err(NotifyError::InvalidSetting {
                setting: "timeout",
                detail: "must be longer than zero".into(),
            });
        }
        let smtp = settings
            .smtp
            .as_ref()
            .map(|smtp| email::Smtp::new(smtp, settings.timeout))
            .transpose()?;
        let webhook = webhook::Webhook::new(
            settings.webhook_secret.as_deref(),
            settings.timeout,
            settings.allow_private,
        )?;
        Ok(Transports {
            inner: Arc::new(Inner {
                smtp,
                webhook,
                timeout: settings.timeout,
            }),
        })
    }

    /// Makes one attempt to deliver `message` to `to`.
    ///
    /// # Errors
    ///
    /// A [`NotifyError`] that says what went wrong and, through
    /// [`is_permanent`](NotifyError::is_permanent), whether trying again can help.
    pub async fn send(
        &self,
        to: &Destination,
        message: &Message,
    ) -> Result<Delivered, NotifyError> {
        if message.id.is_empty() {
            return Err(NotifyError::InvalidMessage {
                channel: to.channel(),
                detail: "the notification id is empty".into(),
            });
        }
        match to {
            Destination::Email(address) => match &self.inner.smtp {
                Some(smtp) => smtp.send(address, message, self.inner.timeout).await,
                None => Err(NotifyError::NotConfigured { setting: "smtp" }),
            },
            Destination::Webhook(url) => {
                self.inner
                    .webhook
                    .send(url, message, self.inner.timeout)
                    .await
            }
        }
    }
}

/// A delivered message: the peer accepted it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivered {
    /// What the peer answered, for the attempt's record: `HTTP 204 No Content`, or the SMTP
    /// server's reply such as `SMTP 250 2.0.0 Ok: queued as 4F1A2`.
    pub detail: String,
}

/// Why one attempt failed. Each message is Vietnamese, then English after " / ", and names
/// the setting, address or peer at fault; URLs are shown by host only, never with secrets.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NotifyError {
    /// A setting given to [`Transports::new`] cannot be used.
    #[error("cấu hình {setting} không hợp lệ / invalid setting {setting}: {detail}")]
    InvalidSetting {
        /// The setting, as named in [`TransportSettings`] (`smtp.url`, `smtp.from`…).
        setting: &'static str,
        /// What is wrong with it.
        detail: String,
    },
    /// The HTTP client could not be made (its TLS set-up failed).
    #[error("không khởi tạo được máy khách HTTP / could not set up the HTTP client: {0}")]
    Setup(String),
    /// An e-mail destination while no mail server is configured.
    #[error(
        "chưa cấu hình máy chủ thư ({setting}) nên không gửi được thư điện tử / no mail server is configured ({setting}), so no e-mail can be sent"
    )]
    NotConfigured {
        /// The missing setting.
        setting: &'static str,
    },
    /// The destination is not an address of its channel.
    #[error("{} không hợp lệ / invalid {}: {detail}", .channel.address_vi(), .channel.address_en())]
    InvalidDestination {
        /// The destination's channel.
        channel: Channel,
        /// What is wrong with it.
        detail: String,
    },
    /// The message cannot be sent as given (an empty id, an id unusable in a header…).
    #[error(
        "không tạo được {} từ thông báo / could not build the {} from the notification: {detail}",
        .channel.thing_vi(), .channel.thing_en()
    )]
    InvalidMessage {
        /// The destination's channel.
        channel: Channel,
        /// What is wrong with the message.
        detail: String,
    },
    /// The peer answered and refused: an HTTP status other than 2xx, or an SMTP 4xx/5xx reply.
    #[error("{} {peer} từ chối / {} {peer} refused: {reply}", .channel.peer_vi(), .channel.peer_en())]
    Rejected {
        /// The destination's channel.
        channel: Channel,
        /// The peer, as `host:port`.
        peer: String,
        /// The HTTP status or the SMTP reply code.
        code: u16,
        /// Whether the same request can never succeed (see [`NotifyError::is_permanent`]).
        permanent: bool,
        /// The answer: `HTTP 410 Gone: <first 200 characters of the body>`, or the SMTP reply.
        reply: String,
    },
    /// The peer could not be reached: name resolution, connection or TLS failed.
    #[error("không kết nối được {} {peer} / could not connect to {} {peer}: {detail}", .channel.peer_vi(), .channel.peer_en())]
    Unreachable {
        /// The destination's channel.
        channel: Channel,
        /// The peer, as `host:port`.
        peer: String,
        /// The underlying error.
        detail: String,
    },
    /// The attempt took longer than the timeout. Kept apart from `Unreachable` because the
    /// peer may have processed the message anyway: the retry relies on the notification id.
    #[error(
        "{} {peer} không trả lời trong {} giây / {} {peer} did not answer within {} s",
        .channel.peer_vi(), seconds_vi(*.after), .channel.peer_en(), seconds_en(*.after)
    )]
    TimedOut {
        /// The destination's channel.
        channel: Channel,
        /// The peer, as `host:port`.
        peer: String,
        /// The timeout that ran out.
        after: Duration,
    },
    /// The peer was reached but the exchange broke off or did not follow the protocol.
    #[error("trao đổi với {} {peer} bị lỗi / the exchange with {} {peer} failed: {detail}", .channel.peer_vi(), .channel.peer_en())]
    Protocol {
        /// The destination's channel.
        channel: Channel,
        /// The peer, as `host:port`.
        peer: String,
        /// The underlying error.
        detail: String,
    },
}

impl NotifyError {
    /// Whether another attempt with the same settings, destination and message is bound to
    /// fail the same way, so the worker should stop retrying.
    ///
    /// Permanent: invalid settings, no mail server configured, an invalid destination or
    /// message, HTTP 3xx (redirects are not followed) and 4xx except 408, 425 and 429, SMTP
    /// 5xx. Not permanent: HTTP 5xx, 408, 425, 429, SMTP 4xx, unreachable peers, timeouts and
    /// broken exchanges.
    pub fn is_permanent(&self) -> bool {
        match self {
            NotifyError::InvalidSetting { .. }
            | NotifyError::Setup(_)
            | NotifyError::NotConfigured { .. }
            | NotifyError::InvalidDestination { .. }
            | NotifyError::InvalidMessage { .. } => true,
            NotifyError::Rejected { permanent, .. } => *permanent,
            NotifyError::Unreachable { .. }
            | NotifyError::TimedOut { .. }
            | NotifyError::Protocol { .. } => false,
        }
    }
}

/// Seconds as Vietnamese write them, with a decimal comma (`0,2`).
fn seconds_vi(duration: Duration) -> String {
    seconds_en(duration).replace('.', ",")
}

/// Seconds with a decimal point (`0.2`, `10`).
fn seconds_en(duration: Duration) -> String {
    duration.as_secs_f64().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_are_vietnamese_then_english() {
        let error = NotifyError::Unreachable {
            channel: Channel::Email,
            peer: "smtp.example.vn:587".into(),
            detail: "Connection refused".into(),
        };
        assert_eq!(
            error.to_string(),
            "không kết nối được máy chủ thư smtp.example.vn:587 / could not connect to the mail server smtp.example.vn:587: Connection refused"
        );
        let error = NotifyError::TimedOut {
            channel: Channel::Webhook,
            peer: "hooks.example.vn:443".into(),
            after: Duration::from_millis(200),
        };
        assert_eq!(
            error.to_string(),
            "máy nhận webhook hooks.example.vn:443 không trả lời trong 0,2 giây / the webhook receiver hooks.example.vn:443 did not answer within 0.2 s"
        );
        assert!(!error.is_permanent());
    }

    #[test]
    fn settings_do_not_show_secrets() {
        let settings = TransportSettings {
            smtp: Some(SmtpSettings {
                url: "smtps://user:hunter2@smtp.example.vn".into(),
                from: "Motcua <no-reply@example.vn>".into(),
            }),
            webhook_secret: Some("s3cr3t".into()),
            ..TransportSettings::default()
        };
        let shown = format!("{settings:?}");
        assert!(
            !shown.contains("hunter2") && !shown.contains("s3cr3t"),
            "{shown}"
        );
        assert!(shown.contains("smtp.example.vn:465"), "{shown}");
        let transports = Transports::new(settings).unwrap();
        let shown = format!("{transports:?}");
        assert!(
            !shown.contains("hunter2") && !shown.contains("s3cr3t"),
            "{shown}"
        );
    }

    #[test]
    fn bad_settings_name_the_setting() {
        let with = |url: &str, from: &str| {
            Transports::new(TransportSettings {
                smtp: Some(SmtpSettings {
                    url: url.into(),
                    from: from.into(),
                }),
                ..TransportSettings::default()
            })
        };
        for url in [
            "smtp://user:p%40ss@smtp.example.vn:587?tls=required",
            "smtps://user:pass@smtp.example.vn",
            "smtp://127.0.0.1:25",
        ] {
            with(url, "Motcua <no-reply@example.vn>").unwrap();
        }
        let error = with("smtp.example.vn:587", "Motcua <no-reply@example.vn>").unwrap_err();
        assert!(
            matches!(
                error,
                NotifyError::InvalidSetting {
                    setting: "smtp.url",
                    ..
                }
            ),
            "{error}"
        );
        let error = with("http://smtp.example.vn", "Motcua <no-reply@example.vn>").unwrap_err();
        assert!(
            matches!(
                error,
                NotifyError::InvalidSetting {
                    setting: "smtp.url",
                    ..
                }
            ),
            "{error}"
        );
        let error = with("smtp://smtp.example.vn:25", "no-reply at example.vn").unwrap_err();
        assert!(
            matches!(
                error,
                NotifyError::InvalidSetting {
                    setting: "smtp.from",
                    ..
                }
            ),
            "{error}"
        );
        assert!(
            error
                .to_string()
                .starts_with("cấu hình smtp.from không hợp lệ / invalid setting smtp.from: "),
            "{error}"
        );
        let error = Transports::new(TransportSettings {
            webhook_secret: Some(String::new()),
            ..TransportSettings::default()
        })
        .unwrap_err();
        assert!(
            matches!(
                error,
                NotifyError::InvalidSetting {
                    setting: "webhook_secret",
                    ..
                }
            ),
            "{error}"
        );
        let error = Transports::new(TransportSettings {
            timeout: Duration::ZERO,
            ..TransportSettings::default()
        })
        .unwrap_err();
        assert!(
            matches!(
                error,
                NotifyError::InvalidSetting {
                    setting: "timeout",
                    ..
                }
            ),
            "{error}"
        );
    }
}
