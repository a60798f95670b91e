//! The HTML faces: the public portal, the one-stop desk and the back office.
//!
//! Server-rendered with askama (compile-time checked, auto-escaped), usable without
//! JavaScript. Every page carries [`Chrome`]: the translator, the language switch and the
//! page title.

use askama::Template;
use axum::Router;
use axum::extract::{FromRef, FromRequestParts, Path, Query};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;
use serde::Deserialize;

pub mod account;
pub mod documents;
pub mod office;
pub mod portal;

use crate::error::{AppError, PageError};
use crate::i18n::{Lang, Tr};
use crate::{AppState, assets};

/// Name of the cookie holding the chosen language.
pub const LANG_COOKIE: &str = "motcua_lang";

/// The value of cookie `name` in a request, if present.
pub fn cookie<'a>(parts: &'a Parts, name: &str) -> Option<&'a str> {
    parts
        .headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|pair| {
            let (k, v) = pair.trim().split_once('=')?;
            (k == name).then_some(v)
        })
}

/// What every page shows around its content.
#[derive(Debug, Clone)]
pub struct Chrome {
    /// Texts and formats in the page's language.
    pub t: Tr,
    /// The current path, for the language switch to come back to.
    pub path: String,
    /// URL of the stylesheet.
    pub css: &'static str,
    /// The signed-in user, for the header's name and sign-out button.
    pub user: Option<ChromeUser>,
}

/// The signed-in user as the page header shows them.
#[derive(Debug, Clone)]
pub struct ChromeUser {
    /// Display name.
    pub name: String,
    /// The session's CSRF token, for the sign-out form.
    pub csrf: String,
    /// Whether the account is staff.
    pub staff: bool,
}

impl Chrome {
    /// The URL of an embedded file (e.g. `portal.css`), for a page's `styles` block.
    pub fn asset(&self, name: &str) -> &'static str {
        assets::url(name)
    }

    /// The link that switches to the other language and returns here.
    pub fn switch_url(&self) -> String {
        format!(
            "/lang/{}?next={}",
            self.t.lang.other().code(),
            crate::auth::encode_component(&self.path)
        )
    }

    /// The sign-in link that comes back here.
    pub fn sign_in_url(&self) -> String {
        crate::auth::sign_in_url(&self.path)
    }
}

impl<S> FromRequestParts<S> for Chrome
where
    S: Send + Sync,
    AppState: FromRef<S>,
{
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let lang = cookie(parts, LANG_COOKIE)
            .and_then(Lang::parse)
            .unwrap_or_default();
        // A failing session store must not take every page down: show it as signed out.
        let user = match crate::auth::signed_in(parts, &AppState::from_ref(state)).await {
            Ok(user) => user.map(|u| ChromeUser {
                name: u.account().name.clone(),
                csrf: u.csrf().to_owned(),
                staff: u.account().is_staff(),
            }),
            Err(e) => {
                tracing::warn!(error = %e, "session lookup failed; page shown signed out");
                None
            }
        };
        Ok(Chrome {
            t: Tr::new(lang),
            path: return_path(parts),
            css: assets::url("app.css"),
            user,
        })
    }
}

/// Where the language switch brings the reader back: this page (with its query) for a GET;
/// after a form was posted, the page the form was on (a GET of the POST address would fail).
fn return_path(parts: &Parts) -> String {
    if parts.method == axum::http::Method::GET {
        return parts
            .uri
            .path_and_query()
            .map_or_else(|| parts.uri.path().to_owned(), |pq| pq.as_str().to_owned());
    }
    parts
        .headers
        .get(header::REFERER)
        .and_then(|v| v.to_str().ok())
        .and_then(|referer| referer.parse::<axum::http::Uri>().ok())
        .filter(|uri| {
            // Only our own pages: the Referer's host must be the request's host.
            let host = parts
                .headers
                .get(header::HOST)
                .and_then(|h| h.to_str().ok());
            uri.host().is_none() || uri.authority().map(|a| a.as_str()) == host
        })
        .and_then(|uri| uri.path_and_query().map(|pq| pq.as_str().to_owned()))
        .unwrap_or_else(|| "/".to_owned())
}

/// A month as people write it: "11/2026".
pub(crate) fn month_text(m: motcua_domain::kpi::counts::Month) -> String {
    format!("{:02}/{}", m.month(), m.year())
}

/// The period of a `ky` parameter (kỳ), or of `thang` when `ky` is absent or empty: a
/// month `2026-10`, a quarter `2026-Q3`, a year `2026` or months `2026-01..2026-06`; the
/// month in progress when both are absent. A bad one is a 422 naming the parameter.
pub(crate) fn period_param(
    state: &crate::AppState,
    ky: Option<&str>,
    thang: Option<&str>,
) -> Result<motcua_domain::kpi::period::Period, PageError> {
    fn blank(t: Option<&str>) -> Option<&str> {
        t.map(str::trim).filter(|t| !t.is_empty())
    }
    let (field, asked) = match (blank(ky), blank(thang)) {
        (Some(ky), _) => ("ky", ky),
        (None, Some(thang)) => ("thang", thang),
        (None, None) => {
            return Ok(motcua_domain::kpi::period::Period::month(
                state.services.current_month(),
            ));
        }
    };
    asked.parse().map_err(|_| {
        PageError(AppError::invalid(
            field,
            &format!(
                "kỳ «{asked}» phải có dạng YYYY-MM (tháng), YYYY-Qn (quý), YYYY (năm) hoặc YYYY-MM..YYYY-MM"
            ),
            &format!(
                "the period «{asked}» must read YYYY-MM (month), YYYY-Qn (quarter), YYYY (year) or YYYY-MM..YYYY-MM"
            ),
        ))
    })
}

/// A period's name in the page's language ("Quý IV/2026", "Q4 2026").
pub(crate) fn period_label(t: Tr, period: motcua_domain::kpi::period::Period) -> String {
    match t.lang {
        Lang::Vi => period.label_vi(),
        Lang::En => period.label_en(),
    }
}

/// Renders a template, turning a rendering failure into a logged 500.
pub fn render(page: &impl Template) -> Result<Html<String>, PageError> {
    page.render()
        .map(Html)
        .map_err(|e| PageError(AppError::Internal(format!("template: {e}"))))
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    chrome: Chrome,
}

async fn home(chrome: Chrome) -> Result<Html<String>, PageError> {
    render(&HomePage { chrome })
}

/// The error page, bilingual because service messages are.
#[derive(Template)]
#[template(path = "error.html")]
pub struct ErrorPage {
    status: u16,
    message: String,
    css: &'static str,
}

impl ErrorPage {
    /// An error page for `status` with `message`.
    pub fn new(status: StatusCode, message: &str) -> ErrorPage {
        ErrorPage {
            status: status.as_u16(),
            message: message.to_owned(),
            css: assets::url("app.css"),
        }
    }

    /// The page as HTML (plain text if the template itself fails).
    pub fn render_html(&self) -> String {
        self.render().unwrap_or_else(|_| self.message.clone())
    }
}

#[derive(Deserialize)]
struct Next {
    next: Option<String>,
}

/// `/lang/{code}?next=/path`: remembers the language in a cookie and goes back.
async fn switch_language(Path(code): Path<String>, Query(next): Query<Next>) -> Response {
    let Some(lang) = Lang::parse(&code) else {
        return PageError(AppError::invalid(
            "lang",
            "ngôn ngữ phải là vi hoặc en",
            "the language must be vi or en",
        ))
        .into_response();
    };
    // Only local paths: an open redirect would let others borrow our domain.
    let next = next
        .next
        .filter(|n| n.starts_with('/') && !n.starts_with("//"))
        .unwrap_or_else(|| "/".to_owned());
    let mut response = Redirect::to(&next).into_response();
    let cookie = format!(
        "{LANG_COOKIE}={}; Path=/; Max-Age=31536000; SameSite=Lax",
        lang.code()
    );
    if let Ok(value) = HeaderValue::from_str(&cookie) {
        response.headers_mut().insert(header::SET_COOKIE, value);
    }
    response
}

async fn not_found() -> PageError {
    PageError(AppError::NotFound(
        "không tìm thấy trang / page not found".into(),
    ))
}

/// The HTML routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(home))
        .route("/lang/{code}", get(switch_language))
        .merge(account::router())
        .merge(portal::router())
        .merge(office::router())
        .route(
            "/xac-minh",
            get(documents::form)
                .post(documents::upload)
                .layer(axum::extract::DefaultBodyLimit::disable()),
        )
        .route("/xac-minh/chung-thu-goc.pem", get(documents::roots))
        .route("/xac-minh/{code}", get(documents::by_code))
        .route(
            "/can-bo/tai-lieu/{code}/thu-hoi",
            axum::routing::post(documents::revoke),
        )
        .fallback(not_found)
}
