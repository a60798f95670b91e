//! E-mail against a minimal SMTP server on 127.0.0.1 written here: the envelope and message
//! it receives (Vietnamese intact), and each way an attempt fails.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use motcua_notify::{
    Channel, Destination, Message, NotifyError, SmtpSettings, TransportSettings, Transports,
};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

/// One mail transaction as the sink saw it.
#[derive(Debug, Default, Clone)]
struct Received {
    ehlo: String,
    mail_from: String,
    rcpt_to: Vec<String>,
    /// The message, dot-stuffing undone, without the final ".".
    data: String,
}

type Log = Arc<Mutex<Vec<Received>>>;

/// How the sink behaves.
#[derive(Clone, Copy)]
struct Behaviour {
    /// The reply to RCPT TO, with its CRLF.
    rcpt_reply: &'static str,
    /// Whether to greet at all (a silent server tests the timeout).
    greet: bool,
}

const ACCEPTING: Behaviour = Behaviour {
    rcpt_reply: "250 2.1.5 Ok\r\n",
    greet: true,
};

/// An SMTP server on a free port speaking just enough of RFC 5321: greeting, EHLO, MAIL,
/// RCPT, DATA, RSET, NOOP, QUIT. It announces no 8BITMIME, so what it receives must be 7-bit.
async fn sink(behaviour: Behaviour) -> (SocketAddr, Log) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let log: Log = Arc::default();
    let sessions = Arc::clone(&log);
    tokio::spawn(async move {
        loop {
            let (stream, _) = listener.accept().await.unwrap();
            tokio::spawn(session(stream, behaviour, Arc::clone(&sessions)));
        }
    });
    (address, log)
}

async fn session(stream: tokio::net::TcpStream, behaviour: Behaviour, log: Log) {
    let (read, mut write) = stream.into_split();
    let mut lines = BufReader::new(read);
    if !behaviour.greet {
        // Hold the connection open and say nothing.
        let mut line = String::new();
        let _ = lines.read_line(&mut line).await;
        return;
    }
    write.write_all(b"220 sink.test ESMTP\r\n").await.unwrap();
    let mut current = Received::default();
    loop {
        let mut line = String::new();
        if lines.read_line(&mut line).await.unwrap() == 0 {
            return;
        }
        let command = line.trim_end_matches(['\r', '\n']);
        let verb = command.split(' ').next().unwrap_or("").to_ascii_uppercase();
        let reply: &str = match verb.as_str() {
            "EHLO" | "HELO" => {
                current.ehlo = command[5..].to_owned();
                "250-sink.test greets you\r\n250 SIZE 1000000\r\n"
            }
            "MAIL" => {
                current.mail_from = command["MAIL FROM:".len()..].to_owned();
                "250 2.1.0 Ok\r\n"
            }
            "RCPT" => {
                current.rcpt_to.push(command["RCPT TO:".len()..].to_owned());
                behaviour.rcpt_reply
            }
            "DATA" => {
                write
                    .write_all(b"354 End data with <CR><LF>.<CR><LF>\r\n")
                    .await
                    .unwrap();
                loop {
                    let mut data_line = String::new();
                    assert!(lines.read_line(&mut data_line).await.unwrap() > 0);
                    if data_line == ".\r\n" {
                        break;
                    }
                    let unstuffed = data_line.strip_prefix('.').unwrap_or(&data_line);
                    current.data.push_str(unstuffed);
                }
                log.lock().unwrap().push(current.clone());
                "250 2.0.0 Ok: queued as 4F1A2\r\n"
            }
            "RSET" | "NOOP" => "250 2.0.0 Ok\r\n",
            "QUIT" => {
                write.write_all(b"221 2.0.0 Bye\r\n").await.unwrap();
                return;
            }
            _ => "502 5.5.2 Command not recognized\r\n",
        };
        write.write_all(reply.as_bytes()).await.unwrap();
    }
}

fn transports(address: SocketAddr, timeout: Duration) -> Transports {
    Transports::new(TransportSettings {
        smtp: Some(SmtpSettings {
            url: format!("smtp://{address}"),
            from: "Một cửa Bắc Ninh <no-reply@example.vn>".into(),
        }),
        timeout,
        ..TransportSettings::default()
    })
    .unwrap()
}

const BODY: &str = "Kính gửi ông Nguyễn Văn Đức,\n\
    \n\
    Hồ sơ 000.00.10.H08-250101-0001 (Cấp phiếu lý lịch tư pháp) sẽ đến hạn lúc 17:00 ngày 15/01/2025.\n\
    . Dòng này bắt đầu bằng dấu chấm.\n\
    Trân trọng — Bộ phận Một cửa.\n";

fn message() -> Message {
    Message {
        id: "0190f3c2-7b1e-7c4d-9a55-3f0e6b2d1a10".into(),
        subject: "Hồ sơ sắp đến hạn xử lý / Dossier due soon".into(),
        body: BODY.into(),
        payload: serde_json::Value::Null,
    }
}

#[tokio::test]
async fn sends_a_plain_text_utf8_message() {
    let (address, log) = sink(ACCEPTING).await;
    let delivered = transports(address, Duration::from_secs(5))
        .send(&Destination::Email("can-bo@example.vn".into()), &message())
        .await
        .unwrap();
    assert_eq!(delivered.detail, "SMTP 250 2.0.0 Ok: queued as 4F1A2");

    let log = log.lock().unwrap();
    assert_eq!(log.len(), 1);
    let received = &log[0];
    assert_eq!(received.mail_from, "<no-reply@example.vn>");
    assert_eq!(received.rcpt_to, ["<can-bo@example.vn>"]);
    assert!(!received.ehlo.is_empty());
    assert!(
        received.data.is_ascii(),
        "7-bit for a server without 8BITMIME"
    );

    let mail = Mail::parse(&received.data);
    assert_eq!(
        decode_words(mail.header("From")),
        "Một cửa Bắc Ninh <no-reply@example.vn>"
    );
    assert_eq!(mail.header("To"), "can-bo@example.vn");
    assert_eq!(
        decode_words(mail.header("Subject")),
        "Hồ sơ sắp đến hạn xử lý / Dossier due soon"
    );
    assert_eq!(
        mail.header("Message-ID"),
        "<motcua.0190f3c2-7b1e-7c4d-9a55-3f0e6b2d1a10@example.vn>"
    );
    assert_eq!(mail.header("Content-Type"), "text/plain; charset=utf-8");
    assert_eq!(mail.header("Auto-Submitted"), "auto-generated");
    assert!(!mail.header("Date").is_empty());
    let body = decode_body(mail.header("Content-Transfer-Encoding"), &mail.body);
    assert_eq!(body.replace("\r\n", "\n"), BODY);
}

#[tokio::test]
async fn a_refused_recipient_is_permanent_and_a_deferred_one_is_not() {
    for (reply, code, permanent) in [
        (
            "550 5.1.1 <can-bo@example.vn>: Recipient address rejected\r\n",
            550,
            true,
        ),
        (
            "450 4.2.0 <can-bo@example.vn>: Mailbox busy, try later\r\n",
            450,
            false,
        ),
    ] {
        let (address, log) = sink(Behaviour {
            rcpt_reply: reply,
            greet: true,
        })
        .await;
        let error = transports(address, Duration::from_secs(5))
            .send(&Destination::Email("can-bo@example.vn".into()), &message())
            .await
            .unwrap_err();
        let NotifyError::Rejected {
            channel,
            ref peer,
            code: got,
            ref reply,
            ..
        } = error
        else {
            panic!("expected a refusal, got {error}");
        };
        assert_eq!(channel, Channel::Email);
        assert_eq!(peer, &address.to_string());
        assert_eq!(got, code);
        assert!(reply.starts_with(&format!("SMTP {code} ")), "{reply}");
        assert!(reply.contains("can-bo@example.vn"), "{reply}");
        assert_eq!(error.is_permanent(), permanent, "{error}");
        assert!(
            error.to_string().starts_with(&format!(
                "máy chủ thư {address} từ chối / the mail server {address} refused: SMTP {code} "
            )),
            "{error}"
        );
        assert!(log.lock().unwrap().is_empty(), "no message was accepted");
    }
}

#[tokio::test]
async fn a_closed_port_is_unreachable() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    drop(listener);
    let error = transports(address, Duration::from_secs(5))
        .send(&Destination::Email("can-bo@example.vn".into()), &message())
        .await
        .unwrap_err();
    assert!(matches!(error, NotifyError::Unreachable { .. }), "{error}");
    assert!(!error.is_permanent());
    assert!(
        error.to_string().starts_with(&format!(
            "không kết nối được máy chủ thư {address} / could not connect to the mail server {address}: "
        )),
        "{error}"
    );
}

#[tokio::test]
async fn a_silent_server_times_out() {
    let (address, _log) = sink(Behaviour {
        rcpt_reply: "250 Ok\r\n",
        greet: false,
    })
    .await;
    let started = std::time::Instant::now();
    let error = transports(address, Duration::from_millis(300))
        .send(&Destination::Email("can-bo@example.vn".into()), &message())
        .await
        .unwrap_err();
    assert!(matches!(error, NotifyError::TimedOut { .. }), "{error}");
    assert!(!error.is_permanent());
    assert!(started.elapsed() < Duration::from_secs(5));
}

#[tokio::test]
async fn bad_addresses_and_missing_settings_are_permanent() {
    let (address, log) = sink(ACCEPTING).await;
    let transports = transports(address, Duration::from_secs(5));
    for bad in ["", "can-bo", "can-bo@", "Cán bộ <can-bo@example.vn>"] {
        let error = transports
            .send(&Destination::Email(bad.into()), &message())
            .await
            .unwrap_err();
        assert!(
            matches!(
                error,
                NotifyError::InvalidDestination {
                    channel: Channel::Email,
                    ..
                }
            ),
            "{bad:?}: {error}"
        );
        assert!(error.is_permanent());
        assert!(
            error
                .to_string()
                .starts_with("địa chỉ thư điện tử không hợp lệ / invalid e-mail address: "),
            "{error}"
        );
    }
    assert!(log.lock().unwrap().is_empty());

    let without_smtp = Transports::new(TransportSettings::default()).unwrap();
    let error = without_smtp
        .send(&Destination::Email("can-bo@example.vn".into()), &message())
        .await
        .unwrap_err();
    assert_eq!(error, NotifyError::NotConfigured { setting: "smtp" });
    assert!(error.is_permanent());
    assert!(
        error
            .to_string()
            .contains(" / no mail server is configured (smtp)")
    );
}

/// A received message: unfolded headers and the raw body.
struct Mail {
    headers: Vec<(String, String)>,
    body: String,
}

impl Mail {
    fn parse(data: &str) -> Mail {
        let (head, body) = data.split_once("\r\n\r\n").unwrap();
        let mut headers: Vec<(String, String)> = Vec::new();
        for line in head.split("\r\n") {
            if line.starts_with([' ', '\t']) {
                headers.last_mut().unwrap().1.push_str(line);
            } else {
                let (name, value) = line.split_once(':').unwrap();
                headers.push((name.to_owned(), value.trim_start().to_owned()));
            }
        }
        Mail {
            headers,
            body: body.to_owned(),
        }
    }

    fn header(&self, name: &str) -> &str {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map_or("", |(_, value)| value.as_str())
    }
}

/// Decodes RFC 2047 encoded words (`=?utf-8?b?…?=`, `=?utf-8?q?…?=`), dropping the
/// white space between adjacent ones as the RFC says.
fn decode_words(value: &str) -> String {
    let mut bytes = Vec::new();
    let mut rest = value;
    let mut after_word = false;
    while !rest.is_empty() {
        let start = rest.find("=?");
        let literal = &rest[..start.unwrap_or(rest.len())];
        if !(after_word && start.is_some() && literal.trim().is_empty()) {
            bytes.extend_from_slice(literal.as_bytes());
        }
        let Some(start) = start else { break };
        let word = &rest[start + 2..];
        let mut parts = word.splitn(3, '?');
        let _charset = parts.next().unwrap();
        let encoding = parts.next().unwrap().to_ascii_lowercase();
        let tail = parts.next().unwrap();
        let end = tail.find("?=").unwrap();
        let text = &tail[..end];
        match encoding.as_str() {
            "b" => bytes.extend(base64(text)),
            "q" => bytes.extend(quoted_printable(&text.replace('_', " "))),
            other => panic!("unknown encoding {other}"),
        }
        rest = &tail[end + 2..];
        after_word = true;
    }
    String::from_utf8(bytes).unwrap()
}

fn decode_body(encoding: &str, body: &str) -> String {
    let bytes = match encoding.to_ascii_lowercase().as_str() {
        "" | "7bit" | "8bit" => body.as_bytes().to_vec(),
        "base64" => base64(body),
        "quoted-printable" => quoted_printable(body),
        other => panic!("unknown transfer encoding {other}"),
    };
    String::from_utf8(bytes).unwrap()
}

fn base64(text: &str) -> Vec<u8> {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = Vec::new();
    let mut buffer = 0u32;
    let mut bits = 0;
    for byte in text
        .bytes()
        .filter(|b| !b.is_ascii_whitespace() && *b != b'=')
    {
        let value = ALPHABET.iter().position(|a| *a == byte).unwrap();
        buffer = (buffer << 6) | u32::try_from(value).unwrap();
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push(u8::try_from((buffer >> bits) & 0xff).unwrap());
        }
    }
    out
}

fn quoted_printable(text: &str) -> Vec<u8> {
    let mut out = Vec::new();
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'=' {
            if bytes[i + 1..].starts_with(b"\r\n") {
                i += 3; // soft line break
            } else {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap();
                out.push(u8::from_str_radix(hex, 16).unwrap());
                i += 3;
            }
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    out
}
