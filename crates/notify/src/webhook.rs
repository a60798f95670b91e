//! Webhooks: an HTTP POST of the caller's JSON, with the notification id and, when a secret is
//! configured, an HMAC-SHA256 signature of the exact bytes sent.

use std::error::Error as _;
use std::time::Duration;

use hmac::{Hmac, Mac};
use reqwest::header::{CONTENT_TYPE, HeaderName, HeaderValue};
use reqwest::{StatusCode, Url};
use sha2::Sha256;

use crate::{Channel, Delivered, Message, NotifyError};

/// The header carrying [`Message::id`](crate::Message::id), for receivers to drop duplicates.
pub const NOTIFICATION_HEADER: &str = "X-Motcua-Notification";

/// The header carrying `sha256=<lower-case hex of HMAC-SHA256(secret, body)>` when
/// [`TransportSettings::webhook_secret`](crate::TransportSettings::webhook_secret) is set.
pub const SIGNATURE_HEADER: &str = "X-Motcua-Signature";

/// How much of a refusal's body the error quotes.
const QUOTED_CHARS: usize = 200;

/// The HTTP client and the signing key.
pub(crate) struct Webhook {
    client: reqwest::Client,
    /// The keyed HMAC, cloned for each body so the key is checked once, at start-up.
    mac: Option<Hmac<Sha256>>,
    /// Whether private addresses may be reached ([`crate::is_private_url`]).
    allow_private: bool,
}

impl Webhook {
    pub(crate) fn new(
        secret: Option<&str>,
        timeout: Duration,
        allow_private: bool,
    ) -> Result<Webhook, NotifyError> {
        let mac = match secret {
            None => None,
            Some("") => {
                return Err(NotifyError::InvalidSetting {
                    setting: "webhook_secret",
                    detail: "empty (leave it unset to send unsigned webhooks)".into(),
                });
            }
            Some(secret) => Some(Hmac::<Sha256>::new_from_slice(secret.as_bytes()).map_err(
                |error| NotifyError::InvalidSetting {
                    setting: "webhook_secret",
                    detail: error.to_string(),
                },
            )?),
        };
        let mut builder = reqwest::Client::builder()
            // A redirected POST turns into a GET: a moved receiver is reported, not followed.
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(timeout)
            .timeout(timeout)
            .user_agent(concat!("motcua-notify/", env!("CARGO_PKG_VERSION")));
        if !allow_private {
            // A public name that resolves to a private address is not followed either.
            builder = builder.dns_resolver(std::sync::Arc::new(crate::private::PublicOnly));
        }
        let client = builder
            .build()
            .map_err(|error| NotifyError::Setup(chain(error)))?;
        Ok(Webhook {
            client,
            mac,
            allow_private,
        })
    }

    pub(crate) fn signed(&self) -> bool {
        self.mac.is_some()
    }

    pub(crate) async fn send(
        &self,
        url: &str,
        message: &Message,
        timeout: Duration,
    ) -> Result<Delivered, NotifyError> {
        let url = parse_url(url)?;
        if !self.allow_private && crate::is_private_url(url.as_str()) {
            return Err(NotifyError::InvalidDestination {
                channel: Channel::Webhook,
                detail: format!("{} là địa chỉ nội bộ / is a private address", peer(&url)),
            });
        }
        let peer = peer(&url);
        let invalid_message = |detail: String| NotifyError::InvalidMessage {
            channel: Channel::Webhook,
            detail,
        };
        let id = HeaderValue::from_str(&message.id).map_err(|_| {
            invalid_message(format!(
                "the notification id {:?} is not a valid HTTP header value",
                message.id
            ))
        })?;
        let body = serde_json::to_vec(&message.payload)
            .map_err(|error| invalid_message(error.to_string()))?;
        let mut request = self
            .client
            .post(url)
            .header(CONTENT_TYPE, HeaderValue::from_static("application/json"))
            .header(HeaderName::from_static("x-motcua-notification"), id);
        if let Some(mac) = &self.mac {
            let signature = HeaderValue::from_str(&signature(mac.clone(), &body))
                .map_err(|error| invalid_message(format!("signature header: {error}")))?;
            request = request.header(HeaderName::from_static("x-motcua-signature"), signature);
        }
        let response = request.body(body).send().await.map_err(|error| {
            if error.is_timeout() {
                NotifyError::TimedOut {
                    channel: Channel::Webhook,
                    peer: peer.clone(),
                    after: timeout,
                }
            } else {
                NotifyError::Unreachable {
                    channel: Channel::Webhook,
                    peer: peer.clone(),
                    detail: chain(error),
                }
            }
        })?;
        let status = response.status();
        if status.is_success() {
            return Ok(Delivered {
                detail: format!("HTTP {status}"),
            });
        }
        let quoted = quote_body(response).await;
        let mut reply = format!("HTTP {status}");
        if !quoted.is_empty() {
            reply.push_str(": ");
            reply.push_str(&quoted);
        }
        Err(NotifyError::Rejected {
            channel: Channel::Webhook,
            peer,
            code: status.as_u16(),
            permanent: permanent(status),
            reply,
        })
    }
}

/// An absolute `http` or `https` URL with a host.
fn parse_url(url: &str) -> Result<Url, NotifyError> {
    let invalid = |detail: String| NotifyError::InvalidDestination {
        channel: Channel::Webhook,
        detail,
    };
    let parsed = Url::parse(url.trim()).map_err(|error| invalid(error.to_string()))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(invalid(format!(
            "the scheme is {:?}, not https or http",
            parsed.scheme()
        )));
    }
    if parsed.host_str().is_none_or(str::is_empty) {
        return Err(invalid("the URL has no host".into()));
    }
    Ok(parsed)
}

/// `host:port`: enough to find the receiver, without the path or query that may hold a token.
fn peer(url: &Url) -> String {
    let host = url.host_str().unwrap_or("?");
    match url.port_or_known_default() {
        Some(port) => format!("{host}:{port}"),
        None => host.to_owned(),
    }
}

/// Whether a refusal is final: redirects and client errors are, except the ones that ask
/// to come back later (408 Request Timeout, 425 Too Early, 429 Too Many Requests).
fn permanent(status: StatusCode) -> bool {
    !(status.is_server_error()
        || matches!(
            status,
            StatusCode::REQUEST_TIMEOUT | StatusCode::TOO_EARLY | StatusCode::TOO_MANY_REQUESTS
        ))
}

/// The first characters of a refusal's body on one line, reading no more than needed (a
/// receiver may answer with a whole HTML page) and giving up quietly if the body breaks.
async fn quote_body(mut response: reqwest::Response) -> String {
    // Four bytes per character at most, so this many bytes always hold enough characters.
    const ENOUGH_BYTES: usize = QUOTED_CHARS * 4;
    let mut bytes = Vec::new();
    while bytes.len() < ENOUGH_BYTES {
        match response.chunk().await {
            Ok(Some(chunk)) => bytes.extend_from_slice(&chunk),
            Ok(None) | Err(_) => break,
        }
    }
    let text = String::from_utf8_lossy(&bytes);
    let one_line = text.split_whitespace().collect::<Vec<_>>().join(" ");
    one_line.chars().take(QUOTED_CHARS).collect()
}

/// `sha256=<hex>` of the keyed HMAC over `body`.
fn signature(mut mac: Hmac<Sha256>, body: &[u8]) -> String {
    mac.update(body);
    let digest = mac.finalize().into_bytes();
    let mut value = String::with_capacity(7 + 2 * digest.len());
    value.push_str("sha256=");
    for byte in digest {
        value.push(hex_digit(byte >> 4));
        value.push(hex_digit(byte & 0x0f));
    }
    value
}

fn hex_digit(nibble: u8) -> char {
    char::from(b"0123456789abcdef"[usize::from(nibble & 0x0f)])
}

/// An error and its causes on one line: reqwest's own message alone ("error sending
/// request") does not say whether the connection was refused or the certificate rejected.
fn chain(error: reqwest::Error) -> String {
    // The URL's path and query may hold a token; the peer is named elsewhere.
    let error = error.without_url();
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signature_matches_rfc_4231_test_case_2() {
        let mac = Hmac::<Sha256>::new_from_slice(b"Jefe").unwrap();
        assert_eq!(
            signature(mac, b"what do ya want for nothing?"),
            "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn refusals_are_permanent_unless_they_ask_to_retry() {
        for code in [301, 308, 400, 401, 403, 404, 410, 422] {
            assert!(permanent(StatusCode::from_u16(code).unwrap()), "{code}");
        }
        for code in [408, 425, 429, 500, 502, 503, 504] {
            assert!(!permanent(StatusCode::from_u16(code).unwrap()), "{code}");
        }
    }

    #[test]
    fn urls_must_be_http_with_a_host() {
        assert!(parse_url("https://hooks.example.vn/motcua?token=x").is_ok());
        assert!(parse_url("http://127.0.0.1:8080/").is_ok());
        for bad in [
            "ftp://hooks.example.vn/",
            "hooks.example.vn/x",
            "",
            "mailto:a@b.vn",
        ] {
            let error = parse_url(bad).unwrap_err();
            assert!(
                matches!(error, NotifyError::InvalidDestination { .. }),
                "{bad}: {error}"
            );
            assert!(error.is_permanent());
        }
        assert_eq!(
            peer(&parse_url("https://hooks.example.vn/a?token=secret").unwrap()),
            "hooks.example.vn:443"
        );
    }
}
