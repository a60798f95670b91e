//! E-mail over SMTP with lettre: one connection per attempt (no pool, so a retry never
//! inherits a half-dead connection), rustls for STARTTLS and SMTPS.

use std::time::Duration;

use lettre::message::header::{ContentType, HeaderName, HeaderValue};
use lettre::message::{Mailbox, MessageBuilder};
use lettre::transport::smtp::Error as SmtpError;
use lettre::{Address, AsyncSmtpTransport, AsyncTransport, Tokio1Executor};

use crate::{Channel, Delivered, Message, NotifyError, SmtpSettings};

/// The configured mail server and sender.
pub(crate) struct Smtp {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    /// `host:port`, for messages: the URL itself may hold a password.
    server: String,
}

impl Smtp {
    pub(crate) fn new(settings: &SmtpSettings, timeout: Duration) -> Result<Smtp, NotifyError> {
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(&settings.url)
            .map_err(|error| NotifyError::InvalidSetting {
                setting: "smtp.url",
                detail: format!(
                    "{} (expected smtp://user:pass@host:port?tls=required, smtps://user:pass@host:port or smtp://host:port)",
                    url_problem(&error)
                ),
            })?
            // lettre's timeout bounds each read and write; `send` bounds the whole attempt.
            .timeout(Some(timeout))
            .build();
        let from: Mailbox = settings
            .from
            .parse()
            .map_err(|error| NotifyError::InvalidSetting {
                setting: "smtp.from",
                detail: format!(
                    "{:?} is not a mailbox such as \"Motcua <no-reply@example.vn>\": {error}",
                    settings.from
                ),
            })?;
        Ok(Smtp {
            transport,
            from,
            server: server_name(&settings.url),
        })
    }

    pub(crate) fn server(&self) -> &str {
        &self.server
    }

    pub(crate) async fn send(
        &self,
        to: &str,
        message: &Message,
        timeout: Duration,
    ) -> Result<Delivered, NotifyError> {
        let address: Address =
            to.trim()
                .parse()
                .map_err(|error| NotifyError::InvalidDestination {
                    channel: Channel::Email,
                    detail: format!("{to:?}: {error}"),
                })?;
        let email = self
            .builder(message)
            .to(Mailbox::new(None, address))
            .header(ContentType::TEXT_PLAIN)
            .body(message.body.clone())
            .map_err(|error| NotifyError::InvalidMessage {
                channel: Channel::Email,
                detail: error.to_string(),
            })?;
        match tokio::time::timeout(timeout, self.transport.send(email)).await {
            Err(_) => Err(NotifyError::TimedOut {
                channel: Channel::Email,
                peer: self.server.clone(),
                after: timeout,
            }),
            Ok(Err(error)) => Err(self.failure(&error, timeout)),
            Ok(Ok(response)) => {
                let mut detail = format!("SMTP {}", response.code());
                for line in response.message() {
                    detail.push(' ');
                    detail.push_str(line);
                }
                Ok(Delivered { detail })
            }
        }
    }

    /// The headers every reminder carries.
    fn builder(&self, message: &Message) -> MessageBuilder {
        lettre::Message::builder()
            .from(self.from.clone())
            // A line break in a subject would end the header; the caller's text is one line.
            .subject(message.subject.replace(['\r', '\n'], " "))
            .message_id(Some(message_id(&message.id, self.from.email.domain())))
            // RFC 3834: out-of-office responders do not answer automated mail.
            .raw_header(HeaderValue::new(
                HeaderName::new_from_ascii_str("Auto-Submitted"),
                "auto-generated".into(),
            ))
    }

    fn failure(&self, error: &SmtpError, timeout: Duration) -> NotifyError {
        let peer = self.server.clone();
        let channel = Channel::Email;
        if let Some(code) = error.status() {
            // The server's own words (lettre's Display adds "permanent error (550)").
            let text = std::error::Error::source(error)
                .map(ToString::to_string)
                .unwrap_or_default();
            return NotifyError::Rejected {
                channel,
                peer,
                code: u16::from(code),
                permanent: error.is_permanent(),
                reply: format!("SMTP {code} {text}").trim_end().to_owned(),
            };
        }
        if error.is_timeout() {
            return NotifyError::TimedOut {
                channel,
                peer,
                after: timeout,
            };
        }
        let detail = error.to_string();
        if error.is_client() || error.is_response() {
            NotifyError::Protocol {
                channel,
                peer,
                detail,
            }
        } else {
            NotifyError::Unreachable {
                channel,
                peer,
                detail,
            }
        }
    }
}

/// The URL parser's complaint, without lettre's generic "Connection error" prefix.
fn url_problem(error: &SmtpError) -> String {
    std::error::Error::source(error).map_or_else(|| error.to_string(), ToString::to_string)
}

/// `host:port` of an SMTP URL with lettre's default ports (25, 587 with `tls=`, 465 for
/// `smtps`), or a placeholder when the URL does not parse.
pub(crate) fn server_name(url: &str) -> String {
    let Ok(url) = reqwest::Url::parse(url) else {
        return "(invalid smtp.url)".into();
    };
    let host = url.host_str().unwrap_or("?");
    let port = url.port().unwrap_or_else(|| {
        if url.scheme() == "smtps" {
            465
        } else if url.query_pairs().any(|(key, _)| key == "tls") {
            587
        } else {
            25
        }
    });
    format!("{host}:{port}")
}

/// A Message-ID made from the notification id, the same on every attempt so that mail
/// systems can recognise a retry. Characters outside `A-Za-z0-9-_` become `=XX` (UTF-8 bytes
/// in hex), which keeps the id-left a valid dot-atom and the mapping one-to-one.
fn message_id(id: &str, domain: &str) -> String {
    let mut left = String::with_capacity(id.len() + 7);
    left.push_str("motcua.");
    for byte in id.bytes() {
        if byte.is_ascii_alphanumeric() || byte == b'-' || byte == b'_' {
            left.push(char::from(byte));
        } else {
            left.push_str(&format!("={byte:02X}"));
        }
    }
    format!("<{left}@{domain}>")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_ids_are_valid_and_distinct() {
        assert_eq!(
            message_id("0190f3c2-7b1e_a", "example.vn"),
            "<motcua.0190f3c2-7b1e_a@example.vn>"
        );
        assert_eq!(
            message_id("nhắc nhở/1.2", "example.vn"),
            "<motcua.nh=E1=BA=AFc=20nh=E1=BB=9F=2F1=2E2@example.vn>"
        );
        assert_ne!(message_id("a.b", "x.vn"), message_id("a=2Eb", "x.vn"));
    }

    #[test]
    fn server_names_use_lettre_default_ports() {
        assert_eq!(
            server_name("smtp://u:p@mail.example.vn"),
            "mail.example.vn:25"
        );
        assert_eq!(
            server_name("smtp://u:p@mail.example.vn?tls=required"),
            "mail.example.vn:587"
        );
        assert_eq!(
            server_name("smtps://mail.example.vn"),
            "mail.example.vn:465"
        );
        assert_eq!(server_name("smtp://127.0.0.1:2525"), "127.0.0.1:2525");
    }
}
