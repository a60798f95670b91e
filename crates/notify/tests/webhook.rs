//! Webhooks against a real HTTP receiver on 127.0.0.1: what it receives, and each way an
//! attempt fails.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::Path;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::routing::post;
use hmac::{Hmac, Mac};
use motcua_notify::{
    Channel, Destination, Message, NOTIFICATION_HEADER, NotifyError, SIGNATURE_HEADER,
    TransportSettings, Transports,
};
use sha2::Sha256;

const SECRET: &str = "bí-mật-chung-của-webhook";

/// One request as the receiver saw it.
struct Received {
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
}

type Log = Arc<Mutex<Vec<Received>>>;

/// A receiver on a free port: `/hook` answers 204, `/status/{code}` answers that code with a
/// long body, `/silent` never answers. Returns its base URL and what it received.
async fn receiver() -> (String, Log) {
    let log: Log = Arc::default();
    let record = {
        let log = Arc::clone(&log);
        move |uri: Uri, headers: HeaderMap, body: Bytes| {
            log.lock().unwrap().push(Received { uri, headers, body });
        }
    };
    let hook = {
        let record = record.clone();
        move |uri: Uri, headers: HeaderMap, body: Bytes| async move {
            record(uri, headers, body);
            StatusCode::NO_CONTENT
        }
    };
    let status = {
        let record = record.clone();
        move |Path(code): Path<u16>, uri: Uri, headers: HeaderMap, body: Bytes| async move {
            record(uri, headers, body);
            let reply = format!("lỗi {code}:\n  {}", "x".repeat(1000));
            (StatusCode::from_u16(code).unwrap(), reply)
        }
    };
    let silent = || std::future::pending::<StatusCode>();
    let app = Router::new()
        .route("/hook", post(hook))
        .route("/status/{code}", post(status))
        .route("/silent", post(silent));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (format!("http://{address}"), log)
}

fn transports(secret: Option<&str>, timeout: Duration) -> Transports {
    Transports::new(TransportSettings {
        webhook_secret: secret.map(str::to_owned),
        timeout,
        // The receivers of these tests listen on 127.0.0.1.
        allow_private: true,
        ..TransportSettings::default()
    })
    .unwrap()
}

fn message() -> Message {
    Message {
        id: "0190f3c2-7b1e-7c4d-9a55-3f0e6b2d1a10".into(),
        subject: "Hồ sơ sắp đến hạn / Dossier due soon".into(),
        body: "không dùng cho webhook".into(),
        payload: serde_json::json!({
            "kind": "dossier.due_soon",
            "dossier": "000.00.10.H08-250101-0001",
            "title": "Cấp phiếu lý lịch tư pháp",
            "due": "2025-01-15T17:00:00+07:00",
        }),
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

#[tokio::test]
async fn posts_the_payload_with_its_id_and_signature() {
    let (base, log) = receiver().await;
    let url = format!("{base}/hook?token=t0ken");
    let delivered = transports(Some(SECRET), Duration::from_secs(5))
        .send(&Destination::Webhook(url), &message())
        .await
        .unwrap();
    assert_eq!(delivered.detail, "HTTP 204 No Content");

    let log = log.lock().unwrap();
    assert_eq!(log.len(), 1);
    let request = &log[0];
    assert_eq!(request.uri.path(), "/hook");
    assert_eq!(request.uri.query(), Some("token=t0ken"));
    let received: serde_json::Value = serde_json::from_slice(&request.body).unwrap();
    assert_eq!(received, message().payload);
    assert_eq!(request.headers["content-type"], "application/json");
    assert_eq!(
        request.headers[NOTIFICATION_HEADER],
        "0190f3c2-7b1e-7c4d-9a55-3f0e6b2d1a10"
    );
    // The receiver's check: HMAC-SHA256 of the exact bytes received, with the shared secret.
    let mut mac = Hmac::<Sha256>::new_from_slice(SECRET.as_bytes()).unwrap();
    mac.update(&request.body);
    let expected = format!("sha256={}", hex(&mac.finalize().into_bytes()));
    assert_eq!(request.headers[SIGNATURE_HEADER], expected.as_str());
}

#[tokio::test]
async fn without_a_secret_nothing_is_signed() {
    let (base, log) = receiver().await;
    transports(None, Duration::from_secs(5))
        .send(&Destination::Webhook(format!("{base}/hook")), &message())
        .await
        .unwrap();
    let log = log.lock().unwrap();
    assert!(log[0].headers.get(SIGNATURE_HEADER).is_none());
    assert!(log[0].headers.get(NOTIFICATION_HEADER).is_some());
}

#[tokio::test]
async fn refusals_say_whether_to_retry() {
    let (base, log) = receiver().await;
    let transports = transports(Some(SECRET), Duration::from_secs(5));
    for (code, permanent) in [
        (500, false),
        (503, false),
        (429, false),
        (410, true),
        (404, true),
        (400, true),
        (308, true),
    ] {
        let url = format!("{base}/status/{code}?token=t0ken");
        let error = transports
            .send(&Destination::Webhook(url), &message())
            .await
            .unwrap_err();
        let NotifyError::Rejected {
            channel,
            code: got,
            permanent: got_permanent,
            ref reply,
            ..
        } = error
        else {
            panic!("{code}: expected a refusal, got {error}");
        };
        assert_eq!(channel, Channel::Webhook);
        assert_eq!(got, code);
        assert_eq!(got_permanent, permanent, "{code}");
        assert_eq!(error.is_permanent(), permanent, "{code}");
        // The status, then the body's first 200 characters on one line.
        let status = StatusCode::from_u16(code).unwrap();
        let quoted: String = format!("lỗi {code}: {}", "x".repeat(1000))
            .chars()
            .take(200)
            .collect();
        assert_eq!(reply, &format!("HTTP {status}: {quoted}"));
        let text = error.to_string();
        assert!(
            text.starts_with(&format!(
                "máy nhận webhook {} từ chối / the webhook receiver",
                &base["http://".len()..]
            )),
            "{text}"
        );
        assert!(!text.contains("t0ken"), "the URL's token leaked: {text}");
    }
    // A redirect is reported, not followed: the receiver saw each request once.
    assert_eq!(log.lock().unwrap().len(), 7);
}

#[tokio::test]
async fn a_closed_port_is_unreachable() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    drop(listener);
    let error = transports(None, Duration::from_secs(5))
        .send(
            &Destination::Webhook(format!("http://{address}/hook?token=t0ken")),
            &message(),
        )
        .await
        .unwrap_err();
    assert!(matches!(error, NotifyError::Unreachable { .. }), "{error}");
    assert!(!error.is_permanent());
    let text = error.to_string();
    assert!(
        text.starts_with(&format!(
            "không kết nối được máy nhận webhook {address} / could not connect to the webhook receiver {address}: "
        )),
        "{text}"
    );
    assert!(!text.contains("t0ken"), "the URL's token leaked: {text}");
}

#[tokio::test]
async fn a_silent_receiver_times_out() {
    let (base, _log) = receiver().await;
    let started = std::time::Instant::now();
    let error = transports(None, Duration::from_millis(300))
        .send(&Destination::Webhook(format!("{base}/silent")), &message())
        .await
        .unwrap_err();
    assert!(
        matches!(error, NotifyError::TimedOut { after, .. } if after == Duration::from_millis(300)),
        "{error}"
    );
    assert!(!error.is_permanent());
    assert!(started.elapsed() < Duration::from_secs(5));
    assert!(
        error
            .to_string()
            .contains("không trả lời trong 0,3 giây / "),
        "{error}"
    );
}

#[tokio::test]
async fn invalid_destinations_and_messages_are_permanent() {
    let transports = transports(None, Duration::from_secs(5));
    for url in ["ftp://hooks.example.vn/x", "not a url", "https://"] {
        let error = transports
            .send(&Destination::Webhook(url.into()), &message())
            .await
            .unwrap_err();
        assert!(
            matches!(
                error,
                NotifyError::InvalidDestination {
                    channel: Channel::Webhook,
                    ..
                }
            ),
            "{url}: {error}"
        );
        assert!(error.is_permanent());
        assert!(
            error
                .to_string()
                .starts_with("địa chỉ webhook không hợp lệ / invalid webhook URL: "),
            "{error}"
        );
    }
    let (base, log) = receiver().await;
    for id in ["", "dòng\nmới"] {
        let error = transports
            .send(
                &Destination::Webhook(format!("{base}/hook")),
                &Message {
                    id: id.into(),
                    ..message()
                },
            )
            .await
            .unwrap_err();
        assert!(
            matches!(error, NotifyError::InvalidMessage { .. }),
            "{id:?}: {error}"
        );
        assert!(error.is_permanent());
    }
    assert!(log.lock().unwrap().is_empty());
}
