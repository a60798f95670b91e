//! The application in-process, and a cookie-keeping browser, for HTTP tests.
#![allow(
    dead_code,
    reason = "each test binary uses a different part of the harness"
)]
#![allow(clippy::unwrap_used, reason = "a failed step fails the test")]

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, Response, StatusCode, header};
use chrono::{TimeZone, Utc};
use http_body_util::BodyExt;
use motcua_service::{FixedClock, Services};
use motcua_storage::Store;
use motcua_web::{AppState, WebConfig};
use tower::ServiceExt;

/// A browser: its cookies, sent with every request.
#[derive(Default, Clone)]
pub struct Browser {
    /// Cookies by name.
    pub cookies: BTreeMap<String, String>,
}

/// A response, read whole.
pub struct Page {
    /// Status.
    pub status: StatusCode,
    /// Headers.
    pub headers: axum::http::HeaderMap,
    /// Body as text.
    pub body: String,
    /// Body as sent (a file).
    pub bytes: Vec<u8>,
}

impl Page {
    /// The `Location` header.
    pub fn location(&self) -> &str {
        self.headers
            .get(header::LOCATION)
            .map_or("", |v| v.to_str().unwrap())
    }

    /// Every `Set-Cookie` header.
    pub fn set_cookies(&self) -> Vec<String> {
        self.headers
            .get_all(header::SET_COOKIE)
            .iter()
            .map(|v| v.to_str().unwrap().to_owned())
            .collect()
    }

    /// The `Set-Cookie` header of cookie `name`.
    pub fn set_cookie(&self, name: &str) -> Option<String> {
        self.set_cookies()
            .into_iter()
            .find(|c| c.starts_with(&format!("{name}=")))
    }

    /// The value of the first hidden `csrf` field.
    pub fn csrf(&self) -> String {
        let start = self.body.find("name=\"csrf\" value=\"").unwrap() + 19;
        self.body[start..].split('"').next().unwrap().to_owned()
    }
}

impl Browser {
    /// Sends a request with the browser's cookies kept up to date.
    pub async fn send(&mut self, app: &Router, request: Request<Body>) -> Page {
        let response: Response<Body> = app.clone().oneshot(request).await.unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let body = response.into_body().collect().await.unwrap().to_bytes();
        let page = Page {
            status,
            headers,
            body: String::from_utf8_lossy(&body).into_owned(),
            bytes: body.to_vec(),
        };
        for cookie in page.set_cookies() {
            let (pair, attributes) = cookie.split_once(';').unwrap_or((&cookie, ""));
            let (name, value) = pair.split_once('=').unwrap();
            if value.is_empty() || attributes.contains("Max-Age=0") {
                self.cookies.remove(name);
            } else {
                self.cookies.insert(name.to_owned(), value.to_owned());
            }
        }
        page
    }

    /// The `Cookie` header the browser sends.
    pub fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    /// GET with cookies.
    pub async fn get(&mut self, app: &Router, uri: &str) -> Page {
        let request = Request::get(uri)
            .header(header::COOKIE, self.cookie_header())
            .body(Body::empty())
            .unwrap();
        self.send(app, request).await
    }

    /// POST a urlencoded form with cookies.
    pub async fn post(&mut self, app: &Router, uri: &str, form: &[(&str, &str)]) -> Page {
        let body = form
            .iter()
            .map(|(k, v)| format!("{k}={}", encode(v)))
            .collect::<Vec<_>>()
            .join("&");
        let request = Request::post(uri)
            .header(header::COOKIE, self.cookie_header())
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(body))
            .unwrap();
        self.send(app, request).await
    }

    /// Signs in through the form; returns the redirect.
    pub async fn sign_in(&mut self, app: &Router, login: &str, password: &str) -> Page {
        let form = self.get(app, "/dang-nhap").await;
        assert_eq!(form.status, StatusCode::OK, "{}", form.body);
        let csrf = form.csrf();
        self.post(
            app,
            "/dang-nhap",
            &[("csrf", &csrf), ("login", login), ("password", password)],
        )
        .await
    }
}

/// Percent-encodes a form value.
pub fn encode(text: &str) -> String {
    let mut out = String::new();
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The application under test.
pub struct App {
    /// The router, as the server runs it.
    pub router: Router,
    /// The services behind it.
    pub services: Services,
    /// Its state.
    pub state: AppState,
}

/// The application over `store`, its clock stopped at Monday 23/11/2026 09:00 (UTC+7).
pub async fn app_with(store: &Store, config: WebConfig) -> App {
    let clock = FixedClock::new(Utc.with_ymd_and_hms(2026, 11, 23, 2, 0, 0).unwrap());
    let services = Services::new(store.clone(), Arc::new(clock));
    let state = AppState::new(services.clone(), config);
    App {
        router: motcua_web::router(state.clone()),
        services,
        state,
    }
}

// ---------------------------------------------------------------------------------------
// The public portal's fixture: a province with agencies, part of the bundled catalogue,
// accounts, and a file store of its own. Added for tests/portal.rs.

/// A tiny valid PDF.
pub const PDF: &[u8] = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n\
2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n";

/// A valid 1×1 grey PNG.
pub const PNG: &[u8] = b"\x89\x50\x4e\x47\x0d\x0a\x1a\x0a\x00\x00\x00\x0d\x49\x48\x44\x52\x00\x00\x00\x01\
\x00\x00\x00\x01\x08\x00\x00\x00\x00\x3a\x7e\x9b\x55\x00\x00\x00\x0a\x49\x44\x41\x54\x78\x9c\x63\x60\x00\x00\
\x00\x02\x00\x01\x48\xaf\xa4\x71\x00\x00\x00\x00\x49\x45\x4e\x44\xae\x42\x60\x82";

/// The password of every portal fixture account.
pub const PORTAL_PASSWORD: &str = "mat-khau-dai-1";
/// A citizen with a phone number.
pub const CITIZEN_A: &str = "027190123456";
/// Another citizen.
pub const CITIZEN_B: &str = "024085000123";
/// Sở Tư pháp of the demo province.
pub const JUSTICE: &str = "000.00.10.H05";
/// Sở Tài chính of the demo province.
pub const FINANCE: &str = "000.00.11.H05";
/// The People's Committee of phường Kinh Bắc.
pub const KINH_BAC: &str = "001.00.50.H05";
/// The People's Committee of phường Đa Mai.
pub const DA_MAI: &str = "002.00.50.H05";

/// The People's Committee of Bắc Ninh (the shipped registry's code), which steers.
pub const PROVINCE_COMMITTEE: &str = "000.00.00.H05";

/// Registers [`PROVINCE_COMMITTEE`] in the merged province 24.
pub async fn register_province_committee(services: &Services) {
    let agency = motcua_domain::units::Agency {
        code: PROVINCE_COMMITTEE.parse().unwrap(),
        name: "Ủy ban nhân dân tỉnh Bắc Ninh".into(),
        kind: motcua_domain::units::AgencyKind::ProvincialPeoplesCommittee,
        unit: "24".parse().unwrap(),
        valid_from: chrono::NaiveDate::from_ymd_opt(2025, 7, 1),
        valid_to: None,
    };
    services
        .register_agency(&motcua_service::Acting::cli("test"), agency, None)
        .await
        .unwrap();
}

/// A directory removed when dropped.
pub struct TempDir(pub std::path::PathBuf);

impl TempDir {
    /// A new empty directory under the system's temporary directory.
    pub fn new(prefix: &str) -> TempDir {
        use std::sync::atomic::{AtomicU64, Ordering};
        static N: AtomicU64 = AtomicU64::new(0);
        let path = std::env::temp_dir().join(format!(
            "{prefix}-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&path).unwrap();
        TempDir(path)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The procedures of the bundled catalogue issued by the Ministry of Justice (271: civil
/// status, certification, lawyers, notaries…): enough to search, filter and page through,
/// quick to import on both backends.
pub fn justice_procedures() -> Vec<motcua_domain::catalog::Procedure> {
    motcua_domain::catalog::shipped::procedures()
        .unwrap()
        .into_iter()
        .filter(|p| {
            p.issuing_agency
                .as_deref()
                .is_some_and(|i| i.to_lowercase().starts_with("bộ tư pháp"))
        })
        .collect()
}

/// The portal over a store, with its clock and file directory.
pub struct Portal {
    /// The application.
    pub app: App,
    /// Its clock, to move time.
    pub clock: FixedClock,
    /// Keeps the uploaded files' directory for the test's duration.
    pub files: TempDir,
}

/// The portal's fixture: Bắc Ninh with two wards, Sở Tư pháp, Sở Tài chính and the wards'
/// People's Committees; the Ministry of Justice's procedures; two citizens (one with a
/// phone); a desk officer and a leader of Sở Tư pháp and a specialist of Sở Tài chính.
/// Clock: Monday 23/11/2026 09:00 (UTC+7).
pub async fn portal(store: &Store) -> Portal {
    use motcua_domain::event::Role;
    use motcua_domain::units::{AdminUnit, Agency, AgencyKind, UnitType};
    use motcua_service::Acting;
    use motcua_service::accounts::{NewAccount, Password};

    let clock = FixedClock::new(Utc.with_ymd_and_hms(2026, 11, 23, 2, 0, 0).unwrap());
    let files = TempDir::new("motcua-portal-files");
    let services =
        Services::new(store.clone(), Arc::new(clock.clone())).with_files_dir(files.0.clone());
    let state = AppState::new(services.clone(), WebConfig::default());
    let app = App {
        router: motcua_web::router(state.clone()),
        services,
        state,
    };
    let admin = Acting::cli("test");
    let day = |y, m, d| chrono::NaiveDate::from_ymd_opt(y, m, d).unwrap();
    let unit = |code: &str, unit_type, name: &str, parent: Option<&str>| AdminUnit {
        code: code.parse().unwrap(),
        unit_type,
        name: name.into(),
        full_name: name.into(),
        name_en: None,
        parent: parent.map(|p| p.parse().unwrap()),
        valid_from: Some(day(2025, 7, 1)),
        valid_to: None,
    };
    let s = &app.services;
    s.record_unit(
        &admin,
        unit("24", UnitType::Province, "Tỉnh Bắc Ninh", None),
    )
    .await
    .unwrap();
    s.record_unit(
        &admin,
        unit("09187", UnitType::Ward, "Phường Kinh Bắc", Some("24")),
    )
    .await
    .unwrap();
    s.record_unit(
        &admin,
        unit("07228", UnitType::Ward, "Phường Đa Mai", Some("24")),
    )
    .await
    .unwrap();
    for (code, name, kind, unit) in [
        (
            JUSTICE,
            "Sở Tư pháp tỉnh Bắc Ninh",
            AgencyKind::Department,
            "24",
        ),
        (
            FINANCE,
            "Sở Tài chính tỉnh Bắc Ninh",
            AgencyKind::Department,
            "24",
        ),
        (
            KINH_BAC,
            "Ủy ban nhân dân phường Kinh Bắc",
            AgencyKind::CommunePeoplesCommittee,
            "09187",
        ),
        (
            DA_MAI,
            "Ủy ban nhân dân phường Đa Mai",
            AgencyKind::CommunePeoplesCommittee,
            "07228",
        ),
    ] {
        let agency = Agency {
            code: code.parse().unwrap(),
            name: name.into(),
            kind,
            unit: unit.parse().unwrap(),
            valid_from: Some(day(2025, 7, 1)),
            valid_to: None,
        };
        s.register_agency(&admin, agency, None).await.unwrap();
    }
    s.import_catalogue(&admin, justice_procedures())
        .await
        .unwrap();
    for (id, name, phone) in [
        (CITIZEN_A, "Trần Thị Bình", Some("0912345678")),
        (CITIZEN_B, "Lê Văn Cường", None),
    ] {
        s.register_citizen(
            NewAccount::Citizen {
                personal_id: id.into(),
                name: name.into(),
                phone: phone.map(str::to_owned),
                password: Password::new(PORTAL_PASSWORD),
            },
            None,
        )
        .await
        .unwrap();
    }
    for (login, role, agency) in [
        ("motcua.stp", Role::DeskOfficer, JUSTICE),
        ("lanhdao.stp", Role::Leader, JUSTICE),
        ("chuyenvien.stc", Role::Specialist, FINANCE),
    ] {
        s.create_account(
            &admin,
            NewAccount::Staff {
                login: login.into(),
                name: format!("Cán bộ {login}"),
                phone: None,
                role,
                agency: Some(agency.into()),
                unit: None,
                password: Password::new(PORTAL_PASSWORD),
            },
        )
        .await
        .unwrap();
    }
    Portal { app, clock, files }
}

/// A part of a multipart form: a text field, or a file with its name.
pub enum Part<'a> {
    /// `name`, value.
    Text(&'a str, &'a str),
    /// `name`, file name, bytes.
    File(&'a str, &'a str, &'a [u8]),
}

impl Browser {
    /// POST a `multipart/form-data` form with cookies.
    pub async fn post_multipart(&mut self, app: &Router, uri: &str, parts: &[Part<'_>]) -> Page {
        const BOUNDARY: &str = "----motcua-test-boundary-7MA4YWxkTrZu0gW";
        let mut body = Vec::new();
        for part in parts {
            body.extend_from_slice(format!("--{BOUNDARY}\r\n").as_bytes());
            match part {
                Part::Text(name, value) => {
                    body.extend_from_slice(
                        format!("Content-Disposition: form-data; name=\"{name}\"\r\n\r\n")
                            .as_bytes(),
                    );
                    body.extend_from_slice(value.as_bytes());
                }
                Part::File(name, file_name, bytes) => {
                    body.extend_from_slice(
                        format!(
                            "Content-Disposition: form-data; name=\"{name}\"; filename=\"{file_name}\"\r\n\
                             Content-Type: application/octet-stream\r\n\r\n"
                        )
                        .as_bytes(),
                    );
                    body.extend_from_slice(bytes);
                }
            }
            body.extend_from_slice(b"\r\n");
        }
        body.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
        let request = Request::post(uri)
            .header(header::COOKIE, self.cookie_header())
            .header(
                header::CONTENT_TYPE,
                format!("multipart/form-data; boundary={BOUNDARY}"),
            )
            .body(Body::from(body))
            .unwrap();
        self.send(app, request).await
    }
}
