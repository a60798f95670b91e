//! `motcua loadtest`: a load generator against the served portal (issue 4 §7).
//!
//! A fixed number of simulated clients, each with one HTTP/1.1 keep-alive connection, send
//! requests for a fixed time per scenario, either back to back (closed loop, the default:
//! the server's most) or at a fixed total rate (`--rate`, open loop: a request's latency runs
//! from when it was due, so a server that falls behind is charged for the wait, as wrk2
//! does). The scenarios: tracking a dossier by
//! its code and second factor, a signed-in officer's worklist page, a procedure search and
//! an online submission by a signed-in citizen — through the same HTML forms a browser
//! posts, CSRF tokens included. Every latency is kept, so the percentiles are exact.
//!
//! The machine is shared and noisy, so every scenario is preceded by the same load on
//! `GET /healthz` (the HTTP stack and middleware without the database), and the table
//! reports each scenario's throughput and p99 also as ratios to that reference measured
//! seconds before it.
//!
//! The data a scenario needs is read from the database of `--database` (which must be the
//! one served): dossier codes sampled across the table with their lookup secrets, the demo
//! accounts (signed in with the demo password), and a procedure submitted online with the
//! agencies receiving it. The submission scenario writes: it adds dossiers, and a few
//! citizen accounts (the demo citizen plus sampled applicants) so that no account reaches
//! its limit of open drafts.

use std::collections::BTreeSet;
use std::io::Write;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context as _, anyhow, bail};
use clap::{Args, ValueEnum};
use http_body_util::{BodyExt as _, Full};
use hyper::body::Bytes;
use hyper::client::conn::http1::SendRequest;
use hyper::header::{self, HeaderMap, HeaderValue};
use hyper::{Method, Request, StatusCode};
use hyper_util::rt::TokioIo;
use motcua_domain::dossier::{ApplicantId, DossierCode};
use motcua_domain::event::Role;
use motcua_service::accounts::{DEMO_PASSWORD, NewAccount, Password};
use motcua_service::{Acting, Services};
use motcua_storage::StoreConfig;
use motcua_web::auth::{CSRF_COOKIE, SESSION_COOKIE, encode_component};
use motcua_web::{AppState, WebConfig};
use rand::rngs::StdRng;
use rand::{Rng as _, SeedableRng as _};
use serde_json::json;

/// The target of issue 4 §7 for reads: p99 under 10 ms.
const READ_P99_TARGET: Duration = Duration::from_millis(10);

/// Most submissions one citizen has in flight at once: each is a draft until it is
/// submitted, and an account may hold 50 drafts (`motcua_service::drafts::MAX_DRAFTS`).
const CLIENTS_PER_CITIZEN: usize = 20;

/// Searches of the procedure scenario: with and without diacritics, one word to a phrase.
const QUERIES: [&str; 8] = [
    "khai sinh",
    "đăng ký kết hôn",
    "dang ky ket hon",
    "chứng thực bản sao",
    "giay phep xay dung",
    "hộ kinh doanh",
    "đất đai",
    "thuong tru",
];

/// The smallest valid PDF, uploaded for every required component.
const PDF: &[u8] = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n\
2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n";

/// Separates the parts of a submission (never found in the parts themselves).
const BOUNDARY: &str = "motcua-loadtest-0f6c2a9e";

/// Options of `motcua loadtest`.
#[derive(Debug, Args)]
pub struct LoadtestArgs {
    /// A running server to load (`http://HOST:PORT`; plain HTTP). Without it, the database
    /// of --database is served in-process on an ephemeral port. Either way --database must
    /// be the served database: codes and accounts are read from it.
    #[arg(long)]
    url: Option<String>,
    /// Concurrent keep-alive connections (simulated clients).
    #[arg(long, default_value_t = 64, value_parser = clap::value_parser!(u16).range(1..=4096))]
    connections: u16,
    /// Requests per second offered by all connections together (open loop). Without it, each
    /// connection sends its next request as soon as the answer arrives (closed loop).
    #[arg(long)]
    rate: Option<f64>,
    /// Seconds measured per scenario (and again for its reference).
    #[arg(long, default_value_t = 10.0)]
    duration: f64,
    /// Seconds of unmeasured load before each measurement (connections, caches).
    #[arg(long, default_value_t = 1.0)]
    warmup: f64,
    /// Scenarios to run, comma-separated (default: all); the reference always runs.
    #[arg(long, value_enum, value_delimiter = ',')]
    scenario: Vec<Scenario>,
    /// Dossier codes sampled for tracking.
    #[arg(long, default_value_t = 2000)]
    samples: usize,
    /// Seed of the sampling.
    #[arg(long, default_value_t = 2026)]
    seed: u64,
    /// Print JSON for machines.
    #[arg(long)]
    json: bool,
}

/// What the simulated clients do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, ValueEnum)]
enum Scenario {
    /// `POST /tra-cuu`: a dossier by its code and lookup secret (anonymous).
    Track,
    /// `GET /can-bo/ho-so`: the first pages of a desk officer's or specialist's worklist.
    Worklist,
    /// `GET /thu-tuc?q=…`: procedure search, with and without diacritics.
    Search,
    /// `POST /ho-so-nhap`: an online submission by a signed-in citizen (multipart).
    Submit,
}

impl Scenario {
    const ALL: [Scenario; 4] = [
        Scenario::Track,
        Scenario::Worklist,
        Scenario::Search,
        Scenario::Submit,
    ];

    fn name(self) -> &'static str {
        match self {
            Scenario::Track => "track",
            Scenario::Worklist => "worklist",
            Scenario::Search => "search",
            Scenario::Submit => "submit",
        }
    }

    fn is_read(self) -> bool {
        self != Scenario::Submit
    }
}

/// What a request is: the reference or a scenario.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Load {
    Reference,
    Scenario(Scenario),
}

/// Where the requests go.
#[derive(Debug)]
struct Target {
    addr: SocketAddr,
    /// The `Host` header.
    host: String,
}

impl Target {
    /// `http://HOST:PORT[/…]`, resolved once.
    async fn parse(url: &str) -> anyhow::Result<Target> {
        let rest = url.strip_prefix("http://").ok_or_else(|| {
            anyhow!(
                "--url phải là http://HOST:PORT (cổng HTTP thường, không TLS) / \
                 --url must be http://HOST:PORT (the plain HTTP port, no TLS): {url}"
            )
        })?;
        let host = rest.split('/').next().unwrap_or_default().to_owned();
        let with_port = if host.contains(':') {
            host.clone()
        } else {
            format!("{host}:80")
        };
        let addr = tokio::net::lookup_host(&with_port)
            .await
            .with_context(|| format!("không phân giải được / cannot resolve {host}"))?
            .next()
            .ok_or_else(|| anyhow!("không phân giải được / cannot resolve {host}"))?;
        Ok(Target { addr, host })
    }
}

/// A response, read whole.
struct Answer {
    status: StatusCode,
    headers: HeaderMap,
    body: Bytes,
}

/// One simulated client's connection, opened again if the server closes it.
struct Connection {
    target: Arc<Target>,
    sender: Option<SendRequest<Full<Bytes>>>,
}

impl Connection {
    fn new(target: Arc<Target>) -> Connection {
        Connection {
            target,
            sender: None,
        }
    }

    async fn connect(target: &Target) -> anyhow::Result<SendRequest<Full<Bytes>>> {
        let stream = tokio::net::TcpStream::connect(target.addr)
            .await
            .with_context(|| format!("không kết nối được / cannot connect to {}", target.addr))?;
        // Small requests and answers: without this, Nagle's algorithm adds its delay.
        stream.set_nodelay(true)?;
        let (sender, connection) =
            hyper::client::conn::http1::handshake(TokioIo::new(stream)).await?;
        tokio::spawn(async move {
            if let Err(e) = connection.await {
                tracing::debug!(error = %e, "load test connection ended");
            }
        });
        Ok(sender)
    }

    /// Sends `request` and reads the whole answer.
    async fn send(&mut self, mut request: Request<Full<Bytes>>) -> anyhow::Result<Answer> {
        if self.sender.as_ref().is_none_or(SendRequest::is_closed) {
            self.sender = Some(Connection::connect(&self.target).await?);
        }
        let Some(sender) = self.sender.as_mut() else {
            bail!("no connection");
        };
        if let Ok(host) = HeaderValue::from_str(&self.target.host) {
            request.headers_mut().insert(header::HOST, host);
        }
        let answer = async {
            sender.ready().await?;
            let response = sender.send_request(request).await?;
            let (parts, body) = response.into_parts();
            let body = body.collect().await?.to_bytes();
            anyhow::Ok(Answer {
                status: parts.status,
                headers: parts.headers,
                body,
            })
        }
        .await;
        if answer.is_err() {
            self.sender = None;
        }
        answer
    }
}

/// What a good answer looks like.
#[derive(Debug, Clone, Copy)]
enum Expect {
    /// This status.
    Status(StatusCode),
    /// `303 See Other` to an address starting with this.
    RedirectTo(&'static str),
}

impl Expect {
    fn check(self, answer: &Answer) -> Result<(), String> {
        let ok = match self {
            Expect::Status(status) => answer.status == status,
            Expect::RedirectTo(prefix) => {
                answer.status == StatusCode::SEE_OTHER && location(answer).starts_with(prefix)
            }
        };
        if ok {
            return Ok(());
        }
        Err(format!(
            "HTTP {} {}{}",
            answer.status.as_u16(),
            location(answer),
            page_error(&answer.body)
        ))
    }
}

fn location(answer: &Answer) -> &str {
    answer
        .headers
        .get(header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
}

/// The first error message of a page, to say why a request failed.
fn page_error(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let Some(at) = text.find("class=\"error\"") else {
        return String::new();
    };
    let rest = &text[at..];
    let start = rest.find('>').map_or(0, |i| i + 1);
    let end = rest[start..].find('<').map_or(rest.len(), |i| start + i);
    format!(": {}", rest[start..end].trim())
}

/// A dossier to track: its code and the second factor printed on its receipt.
#[derive(Debug, Clone)]
struct Tracked {
    code: String,
    factor: String,
}

/// A signed-in citizen: the session cookie, its CSRF token and the name to submit under.
#[derive(Debug, Clone)]
struct Citizen {
    session: String,
    csrf: String,
    name: String,
}

/// The procedure submitted online.
#[derive(Debug, Clone)]
struct Submission {
    procedure: String,
    /// The agencies receiving it (submissions go round them: each numbers at most 9,999
    /// dossiers a day).
    agencies: Vec<String>,
    /// The components needing a file.
    required: Vec<usize>,
}

/// Everything the requests are made of, read and signed in before the measurements.
#[derive(Debug)]
struct Fixtures {
    connections: usize,
    /// The anonymous double-submit CSRF token (cookie and field).
    anonymous_csrf: String,
    tracked: Vec<Tracked>,
    /// Session cookies of officers.
    officers: Vec<String>,
    citizens: Vec<Citizen>,
    submission: Option<Submission>,
}

impl Fixtures {
    /// The `n`th request of client `client`.
    fn request(
        &self,
        load: Load,
        client: usize,
        n: usize,
    ) -> anyhow::Result<(Request<Full<Bytes>>, Expect)> {
        // Clients interleave, so together they walk the samples in order.
        let i = client + n * self.connections;
        let ok = Expect::Status(StatusCode::OK);
        let scenario = match load {
            Load::Reference => return Ok((get("/healthz", None)?, ok)),
            Load::Scenario(s) => s,
        };
        match scenario {
            Scenario::Track => {
                let t = &self.tracked[i % self.tracked.len()];
                let body = format!(
                    "csrf={}&ma={}&xac_minh={}",
                    self.anonymous_csrf,
                    encode_component(&t.code),
                    encode_component(&t.factor)
                );
                let cookie = format!("{CSRF_COOKIE}={}", self.anonymous_csrf);
                Ok((form_post("/tra-cuu", &cookie, body)?, ok))
            }
            Scenario::Worklist => {
                let session = &self.officers[client % self.officers.len()];
                let page = n % 3 + 1;
                let path = if page == 1 {
                    "/can-bo/ho-so".to_owned()
                } else {
                    format!("/can-bo/ho-so?trang={page}")
                };
                let cookie = format!("{SESSION_COOKIE}={session}");
                Ok((get(&path, Some(&cookie))?, ok))
            }
            Scenario::Search => {
                let q = QUERIES[i % QUERIES.len()];
                let path = format!("/thu-tuc?q={}", encode_component(q));
                Ok((get(&path, None)?, ok))
            }
            Scenario::Submit => {
                let submission = self
                    .submission
                    .as_ref()
                    .ok_or_else(|| anyhow!("no procedure to submit"))?;
                let citizen = &self.citizens[client % self.citizens.len()];
                let agency = &submission.agencies[i % submission.agencies.len()];
                let body = submission_body(submission, citizen, agency);
                let request = Request::builder()
                    .method(Method::POST)
                    .uri("/ho-so-nhap")
                    .header(
                        header::CONTENT_TYPE,
                        format!("multipart/form-data; boundary={BOUNDARY}"),
                    )
                    .header(
                        header::COOKIE,
                        format!("{SESSION_COOKIE}={}", citizen.session),
                    )
                    .body(Full::new(Bytes::from(body)))?;
                Ok((request, Expect::RedirectTo("/ho-so-cua-toi/")))
            }
        }
    }
}

fn get(path: &str, cookie: Option<&str>) -> anyhow::Result<Request<Full<Bytes>>> {
    let mut builder = Request::builder().method(Method::GET).uri(path);
    if let Some(cookie) = cookie {
        builder = builder.header(header::COOKIE, cookie);
    }
    Ok(builder.body(Full::new(Bytes::new()))?)
}

fn form_post(path: &str, cookie: &str, body: String) -> anyhow::Result<Request<Full<Bytes>>> {
    Ok(Request::builder()
        .method(Method::POST)
        .uri(path)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::COOKIE, cookie)
        .body(Full::new(Bytes::from(body)))?)
}

/// The multipart body of the submission form with "submit" pressed.
fn submission_body(s: &Submission, citizen: &Citizen, agency: &str) -> Vec<u8> {
    let mut body = Vec::with_capacity(1024 + s.required.len() * (PDF.len() + 200));
    let mut text = |name: &str, value: &str| {
        body.extend_from_slice(
            format!(
                "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .as_bytes(),
        );
    };
    text("csrf", &citizen.csrf);
    text("procedure", &s.procedure);
    text("draft_id", "");
    text("version", "0");
    text("name", &citizen.name);
    text("phone", "0912345678");
    text("email", "");
    text("address", "");
    text("agency", agency);
    text("action", "submit");
    for i in &s.required {
        body.extend_from_slice(
            format!(
                "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file-{i}\"; \
                 filename=\"thanh-phan-{i}.pdf\"\r\nContent-Type: application/pdf\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(PDF);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    body
}

/// The figures of one measurement.
#[derive(Debug, Clone, Default)]
struct Figures {
    /// Latencies of the requests started in the window, in microseconds, sorted.
    micros: Vec<u64>,
    seconds: f64,
    errors: u64,
    first_error: Option<String>,
}

impl Figures {
    fn requests(&self) -> u64 {
        self.micros.len() as u64
    }

    fn rps(&self) -> f64 {
        self.requests() as f64 / self.seconds.max(1e-9)
    }

    /// The `q` quantile (nearest rank), in milliseconds.
    fn quantile_ms(&self, q: f64) -> f64 {
        if self.micros.is_empty() {
            return 0.0;
        }
        let rank = (q * self.micros.len() as f64).ceil() as usize;
        let index = rank.clamp(1, self.micros.len()) - 1;
        self.micros[index] as f64 / 1000.0
    }

    fn max_ms(&self) -> f64 {
        self.micros.last().map_or(0.0, |m| *m as f64 / 1000.0)
    }

    fn merge(&mut self, other: &Figures) {
        self.micros.extend_from_slice(&other.micros);
        self.micros.sort_unstable();
        self.seconds += other.seconds;
        self.errors += other.errors;
        if self.first_error.is_none() {
            self.first_error.clone_from(&other.first_error);
        }
    }
}

/// What one client measured.
struct ClientResult {
    micros: Vec<u64>,
    /// When its last measured answer arrived.
    last: Instant,
    errors: u64,
    first_error: Option<String>,
}

/// When each client sends: back to back, or at a fixed total rate.
#[derive(Debug, Clone, Copy)]
enum Pace {
    Closed,
    /// Open loop: each client sends every `connections / rate` seconds, the clients evenly
    /// staggered.
    Rate(f64),
}

/// Runs `load` on `connections` clients: `warmup` unmeasured, then `duration` measured.
async fn measure(
    target: &Arc<Target>,
    fixtures: &Arc<Fixtures>,
    load: Load,
    pace: Pace,
    warmup: Duration,
    duration: Duration,
) -> anyhow::Result<Figures> {
    let start = Instant::now();
    let measure_from = start + warmup;
    let until = measure_from + duration;
    let connections = fixtures.connections;
    let mut clients = tokio::task::JoinSet::new();
    for client in 0..connections {
        let target = Arc::clone(target);
        let fixtures = Arc::clone(fixtures);
        clients.spawn(async move {
            let mut connection = Connection::new(target);
            let mut result = ClientResult {
                micros: Vec::new(),
                last: measure_from,
                errors: 0,
                first_error: None,
            };
            let interval = match pace {
                Pace::Closed => None,
                Pace::Rate(rate) => Some(connections as f64 / rate),
            };
            for n in 0.. {
                // `due`: when the request should go. `sent`: where its latency starts.
                let (due, sent) = match interval {
                    None => {
                        let now = Instant::now();
                        (now, now)
                    }
                    Some(every) => {
                        let offset = every * (n as f64 + client as f64 / connections as f64);
                        let due = start + Duration::from_secs_f64(offset);
                        let now = Instant::now();
                        if now < due {
                            tokio::time::sleep_until(due.into()).await;
                            // On time: the timer's own lateness (up to a millisecond) is
                            // the generator's, not the server's.
                            (due, Instant::now())
                        } else {
                            // Behind: the server kept us waiting, so the wait counts.
                            (due, due)
                        }
                    }
                };
                if due >= until {
                    break;
                }
                let (request, expect) = fixtures.request(load, client, n)?;
                let outcome = match connection.send(request).await {
                    Ok(answer) => expect.check(&answer),
                    Err(e) => Err(format!("{e:#}")),
                };
                let done = Instant::now();
                // Closed loop: every answer that arrives in the window counts, also of a
                // request sent during the warm-up (a request slower than the warm-up must
                // still show). Open loop: every request due in the window.
                let counted = match pace {
                    Pace::Closed => done >= measure_from,
                    Pace::Rate(_) => due >= measure_from,
                };
                if counted {
                    let micros = u64::try_from((done - sent).as_micros()).unwrap_or(u64::MAX);
                    result.micros.push(micros);
                    result.last = result.last.max(done);
                }
                // An error counts wherever it happens: the run must have none.
                if let Err(message) = outcome {
                    result.errors += 1;
                    result.first_error.get_or_insert(message);
                }
            }
            anyhow::Ok(result)
        });
    }
    let mut figures = Figures::default();
    // The window ends when the last answer sent in it arrived (not before its end).
    let mut last = until;
    while let Some(joined) = clients.join_next().await {
        let result = joined.context("load test client")??;
        last = last.max(result.last);
        figures.micros.extend(result.micros);
        figures.errors += result.errors;
        if figures.first_error.is_none() {
            figures.first_error = result.first_error;
        }
    }
    figures.seconds = (last - measure_from).as_secs_f64();
    figures.micros.sort_unstable();
    Ok(figures)
}

/// A random 64-hex-digit token, the shape of the server's CSRF tokens.
fn random_token(rng: &mut StdRng) -> String {
    (0..32)
        .map(|_| format!("{:02x}", rng.random::<u8>()))
        .collect()
}

/// The cookie `name` set by an answer.
fn set_cookie(answer: &Answer, name: &str) -> Option<String> {
    answer
        .headers
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|v| {
            let (k, rest) = v.split_once('=')?;
            (k.trim() == name).then(|| rest.split(';').next().unwrap_or("").to_owned())
        })
}

/// Signs `login` in through the sign-in form; returns the session cookie's value.
async fn sign_in(
    connection: &mut Connection,
    anonymous_csrf: &str,
    login: &str,
    password: &str,
) -> anyhow::Result<String> {
    let body = format!(
        "csrf={anonymous_csrf}&login={}&password={}",
        encode_component(login),
        encode_component(password)
    );
    let cookie = format!("{CSRF_COOKIE}={anonymous_csrf}");
    let answer = connection
        .send(form_post(motcua_web::auth::SIGN_IN_PATH, &cookie, body)?)
        .await?;
    set_cookie(&answer, SESSION_COOKIE)
        .filter(|s| !s.is_empty())
        .ok_or_else(|| {
            anyhow!(
                "không đăng nhập được {login} (mật khẩu mẫu {DEMO_PASSWORD}) / \
                 cannot sign in {login} (demo password {DEMO_PASSWORD}): HTTP {}{}",
                answer.status.as_u16(),
                page_error(&answer.body)
            )
        })
}

/// The session's CSRF token, read from the hidden field of a page of `path`.
async fn session_csrf(
    connection: &mut Connection,
    session: &str,
    path: &str,
) -> anyhow::Result<String> {
    let answer = connection
        .send(get(path, Some(&format!("{SESSION_COOKIE}={session}")))?)
        .await?;
    let text = String::from_utf8_lossy(&answer.body);
    let marker = "name=\"csrf\" value=\"";
    text.find(marker)
        .map(|at| &text[at + marker.len()..])
        .and_then(|rest| rest.split('"').next())
        .filter(|token| !token.is_empty())
        .map(str::to_owned)
        .ok_or_else(|| {
            anyhow!(
                "trang {path} không có mã bảo vệ biểu mẫu / the page {path} has no CSRF token: HTTP {}{}",
                answer.status.as_u16(),
                page_error(&answer.body)
            )
        })
}

/// Dossier codes spread over the whole table, each with its second factor: random probes
/// `{agency}-{YYMMDD}` (an agency and a day of the last 13 months) and the first code after
/// each, so sampling costs one index seek per code however large the table.
async fn sample_tracked(
    services: &Services,
    samples: usize,
    rng: &mut StdRng,
) -> anyhow::Result<Vec<(Tracked, motcua_domain::dossier::Dossier)>> {
    let agencies: Vec<String> = services
        .agencies(None)
        .await?
        .into_iter()
        .map(|a| a.agency.code.to_string())
        .collect();
    if agencies.is_empty() {
        bail!(
            "cơ sở dữ liệu chưa có cơ quan nào: hãy dựng tỉnh mẫu trước (motcua demo --no-serve) / \
             the database has no agencies: build the demo province first (motcua demo --no-serve)"
        );
    }
    let today = services.now().date_naive();
    let mut seen = BTreeSet::new();
    let mut out = Vec::new();
    // Probes that land after the last code or on a dossier without a factor find nothing;
    // give up after a generous number of them (a tiny database has few codes).
    for _ in 0..samples.saturating_mul(4).max(64) {
        if out.len() >= samples {
            break;
        }
        let agency = &agencies[rng.random_range(0..agencies.len())];
        let day = today - chrono::Days::new(rng.random_range(0..400));
        let probe = format!("{agency}-{}", day.format("%y%m%d"));
        let Some(code) = services
            .store()
            .dossier_codes_after(&probe, 1)
            .await?
            .into_iter()
            .next()
        else {
            continue;
        };
        if !seen.insert(code.clone()) {
            continue;
        }
        let Ok(parsed) = code.parse::<DossierCode>() else {
            continue;
        };
        let dossier = services.find_dossier(&parsed).await?;
        let secret = &dossier.submission.lookup_secret;
        let factor = if secret.is_empty() {
            dossier.submission.applicant.phone.clone()
        } else {
            Some(secret.clone())
        };
        if let Some(factor) = factor {
            out.push((Tracked { code, factor }, dossier));
        }
    }
    if out.is_empty() {
        bail!(
            "không tìm được hồ sơ nào để tra cứu: hãy dựng tỉnh mẫu có hồ sơ / \
             no dossier to track was found: build the demo province with dossiers"
        );
    }
    Ok(out)
}

/// The procedure of the sampled dossiers that is submitted online to the most agencies
/// (fewest required files on a tie).
async fn choose_submission(
    services: &Services,
    dossiers: &[motcua_domain::dossier::Dossier],
) -> anyhow::Result<Submission> {
    let codes: BTreeSet<&str> = dossiers
        .iter()
        .map(|d| d.submission.procedure.code.as_str())
        .take(200)
        .collect();
    let mut best: Option<Submission> = None;
    for code in codes {
        let Ok(offer) = services.offer_for(code).await else {
            continue;
        };
        let candidate = Submission {
            procedure: offer.reference.code.clone(),
            agencies: offer
                .agencies
                .iter()
                .map(|a| a.code.as_str().to_owned())
                .collect(),
            required: offer
                .components
                .iter()
                .enumerate()
                .filter(|(_, c)| c.required)
                .map(|(i, _)| i)
                .collect(),
        };
        let better = best.as_ref().is_none_or(|b| {
            (
                candidate.agencies.len(),
                std::cmp::Reverse(candidate.required.len()),
            ) > (b.agencies.len(), std::cmp::Reverse(b.required.len()))
        });
        if better {
            best = Some(candidate);
        }
    }
    best.ok_or_else(|| {
        anyhow!(
            "không có thủ tục nào nhận hồ sơ trực tuyến trong các hồ sơ mẫu / \
             no procedure of the sampled dossiers is submitted online"
        )
    })
}

/// Citizen logins for the submissions: the demo citizen, then applicants of sampled
/// dossiers given an account with the demo password (created once, found afterwards).
async fn citizen_logins(
    services: &Services,
    demo_citizen: Option<(String, String)>,
    dossiers: &[motcua_domain::dossier::Dossier],
    wanted: usize,
) -> anyhow::Result<Vec<(String, String)>> {
    let acting = Acting::cli("loadtest");
    let mut logins: Vec<(String, String)> = demo_citizen.into_iter().collect();
    for d in dossiers {
        if logins.len() >= wanted {
            break;
        }
        let ApplicantId::Person(id) = &d.submission.applicant.id else {
            continue;
        };
        let login = id.to_string();
        if logins.iter().any(|(l, _)| *l == login) {
            continue;
        }
        let name = d.submission.applicant.name.clone();
        if services.find_account_by_login(&login).await?.is_none() {
            services
                .create_account(
                    &acting,
                    NewAccount::Citizen {
                        personal_id: login.clone(),
                        name: name.clone(),
                        phone: None,
                        password: Password::new(DEMO_PASSWORD),
                    },
                )
                .await
                .with_context(|| {
                    format!("không tạo được tài khoản / cannot create the account {login}")
                })?;
        }
        logins.push((login, name));
    }
    Ok(logins)
}

/// Reads the samples, signs the accounts in and picks the procedure to submit.
async fn prepare(
    services: &Services,
    target: &Arc<Target>,
    args: &LoadtestArgs,
    scenarios: &[Scenario],
) -> anyhow::Result<Fixtures> {
    let mut rng = StdRng::seed_from_u64(args.seed);
    let connections = usize::from(args.connections);
    let anonymous_csrf = random_token(&mut rng);
    let sampled = sample_tracked(services, args.samples.max(1), &mut rng).await?;
    let accounts = services
        .create_demo_accounts(&Acting::cli("loadtest"))
        .await
        .context(
            "không tạo được tài khoản mẫu: hãy dựng tỉnh mẫu trước / \
             cannot create the demo accounts: build the demo province first",
        )?;
    let mut connection = Connection::new(Arc::clone(target));
    let mut officers = Vec::new();
    if scenarios.contains(&Scenario::Worklist) {
        for a in accounts
            .iter()
            .filter(|a| matches!(a.role, Role::DeskOfficer | Role::Specialist))
        {
            officers.push(sign_in(&mut connection, &anonymous_csrf, &a.login, a.password).await?);
        }
    }
    let mut citizens = Vec::new();
    let mut submission = None;
    if scenarios.contains(&Scenario::Submit) {
        let dossiers: Vec<_> = sampled.iter().map(|(_, d)| d.clone()).collect();
        let chosen = choose_submission(services, &dossiers).await?;
        let demo_citizen = accounts
            .iter()
            .find(|a| a.role == Role::Citizen)
            .map(|a| (a.login.clone(), a.name.clone()));
        let wanted = connections.div_ceil(CLIENTS_PER_CITIZEN).max(1);
        let form = format!("/thu-tuc/{}/nop-truc-tuyen", chosen.procedure);
        for (login, name) in citizen_logins(services, demo_citizen, &dossiers, wanted).await? {
            let session = sign_in(&mut connection, &anonymous_csrf, &login, DEMO_PASSWORD).await?;
            let csrf = session_csrf(&mut connection, &session, &form).await?;
            citizens.push(Citizen {
                session,
                csrf,
                name,
            });
        }
        submission = Some(chosen);
    }
    Ok(Fixtures {
        connections,
        anonymous_csrf,
        tracked: sampled.into_iter().map(|(t, _)| t).collect(),
        officers,
        citizens,
        submission,
    })
}

/// One scenario with the reference measured just before it.
struct Row {
    scenario: Scenario,
    figures: Figures,
    reference: Figures,
}

impl Row {
    fn rps_ratio(&self) -> f64 {
        self.figures.rps() / self.reference.rps().max(1e-9)
    }

    fn p99_ratio(&self) -> f64 {
        self.figures.quantile_ms(0.99) / self.reference.quantile_ms(0.99).max(1e-6)
    }
}

/// Runs the load test and prints the table; fails if any request failed.
pub async fn run(args: LoadtestArgs, config: &StoreConfig) -> anyhow::Result<()> {
    if !(args.duration.is_finite() && args.duration > 0.0) {
        bail!("--duration phải dương / must be positive");
    }
    if !(args.warmup.is_finite() && args.warmup >= 0.0) {
        bail!("--warmup không được âm / must not be negative");
    }
    let pace = match args.rate {
        None => Pace::Closed,
        Some(rate) if rate.is_finite() && rate > 0.0 => Pace::Rate(rate),
        Some(rate) => bail!("--rate phải là số dương / must be a positive number: {rate}"),
    };
    let scenarios: Vec<Scenario> = if args.scenario.is_empty() {
        Scenario::ALL.to_vec()
    } else {
        args.scenario
            .iter()
            .copied()
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect()
    };
    let services = crate::services(config).await?;
    let (shutdown, server, url) = match &args.url {
        Some(url) => (None, None, url.clone()),
        None => {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
                .await
                .context("không mở được cổng / cannot listen")?;
            let address = listener.local_addr()?;
            let web = WebConfig {
                listen: address.to_string(),
                public_url: format!("http://{address}"),
                ..WebConfig::default()
            };
            let state = AppState::new(services.clone(), web);
            let (tx, rx) = tokio::sync::oneshot::channel::<()>();
            let server = tokio::spawn(motcua_web::serve(listener, state, async {
                let _ = rx.await;
            }));
            (Some(tx), Some(server), format!("http://{address}"))
        }
    };
    let target = Arc::new(Target::parse(&url).await?);
    let fixtures = Arc::new(prepare(&services, &target, &args, &scenarios).await?);
    let warmup = Duration::from_secs_f64(args.warmup);
    let duration = Duration::from_secs_f64(args.duration);
    let mut rows = Vec::new();
    for scenario in scenarios {
        let reference =
            measure(&target, &fixtures, Load::Reference, pace, warmup, duration).await?;
        let figures = measure(
            &target,
            &fixtures,
            Load::Scenario(scenario),
            pace,
            warmup,
            duration,
        )
        .await?;
        rows.push(Row {
            scenario,
            figures,
            reference,
        });
    }
    if let Some(tx) = shutdown {
        let _ = tx.send(());
    }
    if let Some(server) = server {
        // Clients have dropped their connections; a server still draining one is not worth
        // waiting for.
        let _ = tokio::time::timeout(Duration::from_secs(5), server).await;
    }
    services.store().close().await;

    let mut out = std::io::stdout().lock();
    if args.json {
        print_json(&mut out, &args, &url, &rows)?;
    } else {
        print_table(&mut out, &args, &url, &rows)?;
    }
    let failed: u64 = rows
        .iter()
        .map(|r| r.figures.errors + r.reference.errors)
        .sum();
    for row in &rows {
        for (what, f) in [
            ("healthz", &row.reference),
            (row.scenario.name(), &row.figures),
        ] {
            if let Some(e) = &f.first_error {
                eprintln!(
                    "{what}: {} lỗi, lỗi đầu tiên / errors, the first: {e}",
                    f.errors
                );
            }
        }
    }
    if failed > 0 {
        bail!("{failed} yêu cầu thất bại / requests failed");
    }
    Ok(())
}

fn print_table(
    out: &mut impl Write,
    args: &LoadtestArgs,
    url: &str,
    rows: &[Row],
) -> std::io::Result<()> {
    writeln!(
        out,
        "Tải / load: {} kết nối giữ mở / keep-alive connections, {} s mỗi phép đo / per measurement (+{} s khởi động / warm-up), {url}",
        args.connections, args.duration, args.warmup
    )?;
    match args.rate {
        Some(rate) => writeln!(
            out,
            "Vòng mở / open loop: {rate} yêu cầu/giây đưa vào / requests per second offered; độ trễ tính từ lúc đến hạn gửi / latency from when each request was due"
        )?,
        None => writeln!(
            out,
            "Vòng kín / closed loop: mỗi kết nối gửi ngay khi nhận trả lời / each connection sends as soon as its answer arrives"
        )?,
    }
    writeln!(
        out,
        "Tham chiếu / reference: GET /healthz cùng tải, đo ngay trước mỗi kịch bản / under the same load, measured just before each scenario"
    )?;
    writeln!(
        out,
        "{:<10} {:>9} {:>9} {:>8} {:>8} {:>8} {:>6} {:>9} {:>8} {:>8} {:>8}",
        "scenario",
        "requests",
        "rps",
        "p50 ms",
        "p99 ms",
        "max ms",
        "errors",
        "ref rps",
        "ref p99",
        "rps/ref",
        "p99/ref"
    )?;
    for row in rows {
        let (f, r) = (&row.figures, &row.reference);
        writeln!(
            out,
            "{:<10} {:>9} {:>9.0} {:>8.2} {:>8.2} {:>8.1} {:>6} {:>9.0} {:>8.2} {:>8.3} {:>8.1}",
            row.scenario.name(),
            f.requests(),
            f.rps(),
            f.quantile_ms(0.5),
            f.quantile_ms(0.99),
            f.max_ms(),
            f.errors,
            r.rps(),
            r.quantile_ms(0.99),
            row.rps_ratio(),
            row.p99_ratio()
        )?;
    }
    let mut all = Figures::default();
    for row in rows {
        all.merge(&row.reference);
    }
    writeln!(
        out,
        "{:<10} {:>9} {:>9.0} {:>8.2} {:>8.2} {:>8.1} {:>6}",
        "healthz",
        all.requests(),
        all.rps(),
        all.quantile_ms(0.5),
        all.quantile_ms(0.99),
        all.max_ms(),
        all.errors
    )?;
    let reads: Vec<&Row> = rows.iter().filter(|r| r.scenario.is_read()).collect();
    if !reads.is_empty() {
        let target_ms = READ_P99_TARGET.as_secs_f64() * 1000.0;
        let missed: Vec<&str> = reads
            .iter()
            .filter(|r| r.figures.quantile_ms(0.99) >= target_ms)
            .map(|r| r.scenario.name())
            .collect();
        if missed.is_empty() {
            writeln!(
                out,
                "Đọc: p99 dưới {target_ms} ms / reads: p99 under {target_ms} ms"
            )?;
        } else {
            writeln!(
                out,
                "Đọc vượt p99 {target_ms} ms / reads over the {target_ms} ms p99: {}",
                missed.join(", ")
            )?;
        }
    }
    Ok(())
}

fn print_json(
    out: &mut impl Write,
    args: &LoadtestArgs,
    url: &str,
    rows: &[Row],
) -> anyhow::Result<()> {
    let figures = |f: &Figures| {
        json!({
            "requests": f.requests(),
            "seconds": f.seconds,
            "rps": f.rps(),
            "p50_ms": f.quantile_ms(0.5),
            "p99_ms": f.quantile_ms(0.99),
            "max_ms": f.max_ms(),
            "errors": f.errors,
        })
    };
    let doc = json!({
        "url": url,
        "connections": args.connections,
        "offered_rps": args.rate,
        "duration_seconds": args.duration,
        "warmup_seconds": args.warmup,
        "reference": "GET /healthz",
        "scenarios": rows.iter().map(|r| json!({
            "scenario": r.scenario.name(),
            "figures": figures(&r.figures),
            "reference": figures(&r.reference),
            "rps_ratio": r.rps_ratio(),
            "p99_ratio": r.p99_ratio(),
        })).collect::<Vec<_>>(),
    });
    serde_json::to_writer_pretty(&mut *out, &doc)?;
    writeln!(out)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_are_nearest_rank() {
        let f = Figures {
            micros: (1..=100).map(|m| m * 1000).collect(),
            seconds: 2.0,
            ..Figures::default()
        };
        assert_eq!(f.quantile_ms(0.5), 50.0);
        assert_eq!(f.quantile_ms(0.99), 99.0);
        assert_eq!(f.max_ms(), 100.0);
        assert_eq!(f.rps(), 50.0);
        assert_eq!(Figures::default().quantile_ms(0.99), 0.0);
    }

    #[test]
    fn a_page_error_is_quoted() {
        assert_eq!(
            page_error(b"<p class=\"error\" id=\"x\"> t\xc3\xaan sai </p>"),
            ": tên sai"
        );
        assert_eq!(page_error(b"<p>ok</p>"), "");
    }
}
