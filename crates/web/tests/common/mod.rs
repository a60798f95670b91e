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
