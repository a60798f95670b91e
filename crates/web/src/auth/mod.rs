//! Who is asking, and is the form really theirs: sessions and CSRF protection for the web
//! faces.
//!
//! **Extractors** (each resolves the session cookie once per request; the result is cached
//! in the request's extensions, so several extractors cost one lookup):
//!
//! - [`MaybeUser`]: anyone; `Some` when signed in.
//! - [`CurrentUser`]: signed in. Otherwise a page redirects to the sign-in page with
//!   `?next=` the requested address, and anything under `/api/` answers 401 problem+json.
//! - [`Staff`]: signed in with a staff account; a citizen or business gets 403.
//!
//! Each gives a [`SignedIn`]: the account, its [`Acting`] for the service calls (with the
//! request id), its [`Principal`] for authorization and its CSRF token for forms.
//!
//! **CSRF**: every state-changing form carries a hidden `csrf` field. [`CsrfForm`] reads an
//! `application/x-www-form-urlencoded` body and checks that field against the session's
//! token, or — for anonymous forms such as sign-in, registration and tracking — against the
//! `motcua_csrf` cookie (double submit); [`CsrfToken`] gives the value to embed and sets
//! that cookie when the browser has none. A form without a valid token gets 403.
//!
//! **Also here**: [`ApiCaller`] for API handlers (API token or session; [`tokens`]),
//! sign-in through an external e-ID provider ([`oidc`]) and the login rate limit
//! ([`rate_limit`]).
//!
//! **Cookies**: `HttpOnly; SameSite=Lax; Path=/`, plus `Secure` with
//! [`WebConfig::secure_cookies`](crate::WebConfig). The session cookie holds a random
//! 256-bit token; the database holds only its SHA-256. Rejections are logged at `debug`
//! without tokens or personal data.

use axum::body::{Body, Bytes};
use axum::extract::{FromRef, FromRequest, FromRequestParts, OriginalUri, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method, header};
use axum::response::{IntoResponse, IntoResponseParts, Redirect, Response, ResponseParts};
use motcua_domain::authz::{Action, Principal, Target};
use motcua_service::Acting;
use motcua_service::accounts::{self, Account, Session, SessionToken, tokens_match};
use serde::Deserialize;
use serde::de::DeserializeOwned;

use crate::error::{ApiError, AppError, PageError};
use crate::{AppState, REQUEST_ID};

pub mod oidc;
pub mod rate_limit;
pub mod tokens;

pub use rate_limit::{ClientIp, LoginLimiter, LoginLimits};
pub use tokens::{ApiAuthRejection, ApiCaller, Credential};

/// Name of the session cookie.
pub const SESSION_COOKIE: &str = "motcua_session";
/// Name of the anonymous forms' double-submit CSRF cookie.
pub const CSRF_COOKIE: &str = "motcua_csrf";
/// Name of the hidden form field carrying the CSRF token.
pub const CSRF_FIELD: &str = "csrf";
/// The sign-in page.
pub const SIGN_IN_PATH: &str = "/dang-nhap";

/// The message of a form refused for its CSRF token.
pub const CSRF_REFUSED: &str = "biểu mẫu đã hết hạn hoặc không hợp lệ (thiếu mã bảo vệ); hãy tải lại trang và gửi lại / \
     the form has expired or is invalid (its security token is missing or wrong); reload the page and submit it again";

/// A signed-in request: the session's account, what it does, where it may act, and the
/// token its forms carry.
#[derive(Debug, Clone)]
pub struct SignedIn {
    /// The live session (account, CSRF token, expiry).
    pub session: Session,
    /// The account acting in this request, for every service call (request id included).
    pub acting: Acting,
    /// Where the account's role applies, for [`SignedIn::authorize`].
    pub principal: Principal,
}

impl SignedIn {
    /// The signed-in account.
    pub fn account(&self) -> &Account {
        &self.session.account
    }

    /// The CSRF token to put in the hidden `csrf` field of this session's forms.
    pub fn csrf(&self) -> &str {
        &self.session.csrf
    }

    /// May this account do `action` to `target`? The answer of
    /// [`motcua_domain::authz::authorize`], as a 403 on refusal.
    ///
    /// # Errors
    /// [`AppError::Forbidden`] saying why in Vietnamese then English.
    pub fn authorize(&self, action: Action, target: &Target) -> Result<(), AppError> {
        accounts::authorize(&self.principal, action, target).map_err(AppError::from)
    }

    /// Checks a CSRF token taken from a form this extractor cannot read (multipart uploads).
    ///
    /// # Errors
    /// [`AppError::Forbidden`] with [`CSRF_REFUSED`].
    pub fn verify_csrf(&self, token: &str) -> Result<(), AppError> {
        if self.session.csrf_matches(token) {
            Ok(())
        } else {
            tracing::debug!(reason = "csrf_mismatch", "form refused");
            Err(AppError::Forbidden(CSRF_REFUSED.into()))
        }
    }
}

/// The session resolved for this request, cached in its extensions.
#[derive(Clone)]
struct Resolved(Option<SignedIn>);

/// The value of cookie `name`, if the request has it.
pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|pair| {
            let (k, v) = pair.trim().split_once('=')?;
            (k == name).then_some(v)
        })
}

/// The request's correlation id (set by the request-id layer).
fn request_id(parts: &Parts) -> Option<String> {
    parts
        .headers
        .get(&REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

/// The session of this request's cookie, looked up once and cached.
///
/// # Errors
/// [`AppError::Internal`] when the store fails.
pub async fn signed_in(parts: &mut Parts, state: &AppState) -> Result<Option<SignedIn>, AppError> {
    if let Some(Resolved(found)) = parts.extensions.get::<Resolved>() {
        return Ok(found.clone());
    }
    let found = match cookie(&parts.headers, SESSION_COOKIE) {
        None => None,
        Some(token) => state
            .services
            .find_session(token)
            .await?
            .map(|session| SignedIn {
                acting: session.acting(request_id(parts)),
                principal: session.principal(),
                session,
            }),
    };
    if found.is_none() && cookie(&parts.headers, SESSION_COOKIE).is_some() {
        tracing::debug!(
            reason = "session_unknown_or_expired",
            "session cookie ignored"
        );
    }
    parts.extensions.insert(Resolved(found.clone()));
    Ok(found)
}

/// Whether the request is for the JSON API (answered with problem+json, not pages).
fn is_api(parts: &Parts) -> bool {
    original_path(parts).starts_with("/api/")
}

fn original_path(parts: &Parts) -> &str {
    parts
        .extensions
        .get::<OriginalUri>()
        .map_or(parts.uri.path(), |u| u.0.path())
}

/// The requested path and query, for `?next=`.
fn original_path_and_query(parts: &Parts) -> String {
    let uri = parts
        .extensions
        .get::<OriginalUri>()
        .map_or(&parts.uri, |u| &u.0);
    uri.path_and_query()
        .map_or_else(|| "/".to_owned(), |pq| pq.as_str().to_owned())
}

/// The sign-in page's address that comes back to `next` afterwards.
pub fn sign_in_url(next: &str) -> String {
    if next == "/" || next.is_empty() {
        SIGN_IN_PATH.to_owned()
    } else {
        format!("{SIGN_IN_PATH}?next={}", encode_component(next))
    }
}

/// Percent-encodes everything but unreserved characters and `/`.
pub fn encode_component(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// `next` if it is a path on this site, otherwise `fallback`: a redirect to another site
/// would let others borrow our sign-in page.
pub fn local_path(next: Option<&str>, fallback: &str) -> String {
    match next {
        Some(n)
            if n.starts_with('/')
                && !n.starts_with("//")
                && !n.starts_with("/\\")
                && !n.chars().any(char::is_control) =>
        {
            n.to_owned()
        }
        _ => fallback.to_owned(),
    }
}

/// Why an authentication extractor refused a request.
#[derive(Debug)]
pub enum AuthRejection {
    /// A page that needs an account: go to the sign-in page, then come back to `next`.
    SignIn {
        /// Path and query to return to.
        next: String,
    },
    /// An HTML page refused with an error.
    Page(AppError),
    /// An API request refused with a problem document.
    Api(AppError),
}

impl AuthRejection {
    fn for_request(parts: &Parts, error: AppError) -> AuthRejection {
        if is_api(parts) {
            AuthRejection::Api(error)
        } else {
            AuthRejection::Page(error)
        }
    }
}

impl IntoResponse for AuthRejection {
    fn into_response(self) -> Response {
        match self {
            AuthRejection::SignIn { next } => {
                let mut response = Redirect::to(&sign_in_url(&next)).into_response();
                response
                    .headers_mut()
                    .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
                response
            }
            AuthRejection::Page(e) => PageError(e).into_response(),
            AuthRejection::Api(e) => ApiError(e).into_response(),
        }
    }
}

/// Anyone: the signed-in user, if any.
#[derive(Debug, Clone)]
pub struct MaybeUser(pub Option<SignedIn>);

impl<S> FromRequestParts<S> for MaybeUser
where
    S: Send + Sync,
    AppState: FromRef<S>,
{
    type Rejection = AuthRejection;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let state = AppState::from_ref(state);
        signed_in(parts, &state)
            .await
            .map(MaybeUser)
            .map_err(|e| AuthRejection::for_request(parts, e))
    }
}

/// A signed-in user; pages redirect anonymous visitors to the sign-in page, the API answers
/// 401.
#[derive(Debug, Clone)]
pub struct CurrentUser(pub SignedIn);

impl std::ops::Deref for CurrentUser {
    type Target = SignedIn;
    fn deref(&self) -> &SignedIn {
        &self.0
    }
}

impl<S> FromRequestParts<S> for CurrentUser
where
    S: Send + Sync,
    AppState: FromRef<S>,
{
    type Rejection = AuthRejection;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let MaybeUser(user) = MaybeUser::from_request_parts(parts, state).await?;
        match user {
            Some(user) => Ok(CurrentUser(user)),
            None if is_api(parts) => {
                tracing::debug!(reason = "anonymous", "API request refused");
                Err(AuthRejection::Api(AppError::Unauthenticated))
            }
            None => Err(AuthRejection::SignIn {
                next: original_path_and_query(parts),
            }),
        }
    }
}

/// A signed-in staff member (desk officer, specialist, leader, agency administrator,
/// inspector, system administrator); citizens and businesses get 403.
#[derive(Debug, Clone)]
pub struct Staff(pub SignedIn);

impl std::ops::Deref for Staff {
    type Target = SignedIn;
    fn deref(&self) -> &SignedIn {
        &self.0
    }
}

impl<S> FromRequestParts<S> for Staff
where
    S: Send + Sync,
    AppState: FromRef<S>,
{
    type Rejection = AuthRejection;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let CurrentUser(user) = CurrentUser::from_request_parts(parts, state).await?;
        if user.account().is_staff() {
            Ok(Staff(user))
        } else {
            tracing::debug!(reason = "not_staff", account.id = %user.account().id, "request refused");
            Err(AuthRejection::for_request(
                parts,
                AppError::Forbidden(
                    "trang này chỉ dành cho cán bộ, công chức / this page is for staff only".into(),
                ),
            ))
        }
    }
}

/// One `Set-Cookie` value with the flags every motcua cookie carries.
///
/// `max_age`: `None` = until the browser closes; `Some(0)` = delete now.
pub fn set_cookie(name: &str, value: &str, max_age: Option<i64>, secure: bool) -> HeaderValue {
    let mut text = format!("{name}={value}; Path=/; HttpOnly; SameSite=Lax");
    if let Some(seconds) = max_age {
        text.push_str(&format!("; Max-Age={seconds}"));
    }
    if secure {
        text.push_str("; Secure");
    }
    // Names and values are ours (hex tokens), so this cannot fail; an empty value is safe.
    HeaderValue::from_str(&text).unwrap_or_else(|_| HeaderValue::from_static(""))
}

/// The session cookie for a fresh sign-in. It has no `Max-Age`, so it goes when the
/// browser closes (public computers); the server ends the session earlier when idle.
pub fn session_cookie(token: &SessionToken, state: &AppState) -> HeaderValue {
    set_cookie(
        SESSION_COOKIE,
        token.as_str(),
        None,
        state.config.secure_cookies,
    )
}

/// The cookie that removes the session cookie.
pub fn clear_session_cookie(state: &AppState) -> HeaderValue {
    set_cookie(SESSION_COOKIE, "", Some(0), state.config.secure_cookies)
}

/// The CSRF token to embed in a form of this request: the session's when signed in,
/// otherwise the anonymous double-submit cookie's (a new one when the browser has none).
///
/// Return it with the page — `Ok((csrf, Html(..)))` — so a new cookie is set.
#[derive(Debug, Clone)]
pub struct CsrfToken {
    value: String,
    new_cookie: Option<HeaderValue>,
}

impl CsrfToken {
    /// The value of the hidden `csrf` field.
    pub fn value(&self) -> &str {
        &self.value
    }
}

impl<S> FromRequestParts<S> for CsrfToken
where
    S: Send + Sync,
    AppState: FromRef<S>,
{
    type Rejection = AuthRejection;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let app = AppState::from_ref(state);
        let MaybeUser(user) = MaybeUser::from_request_parts(parts, state).await?;
        if let Some(user) = user {
            return Ok(CsrfToken {
                value: user.csrf().to_owned(),
                new_cookie: None,
            });
        }
        if let Some(existing) = cookie(&parts.headers, CSRF_COOKIE).filter(|v| is_token(v)) {
            return Ok(CsrfToken {
                value: existing.to_owned(),
                new_cookie: None,
            });
        }
        let value = accounts::random_token()
            .map_err(|e| AuthRejection::for_request(parts, AppError::from(e)))?;
        let new_cookie = Some(set_cookie(
            CSRF_COOKIE,
            &value,
            None,
            app.config.secure_cookies,
        ));
        Ok(CsrfToken { value, new_cookie })
    }
}

impl IntoResponseParts for CsrfToken {
    type Error = std::convert::Infallible;

    fn into_response_parts(self, mut res: ResponseParts) -> Result<ResponseParts, Self::Error> {
        if let Some(cookie) = self.new_cookie {
            res.headers_mut().append(header::SET_COOKIE, cookie);
        }
        Ok(res)
    }
}

/// Whether a cookie value looks like one of our tokens (64 hex digits).
fn is_token(value: &str) -> bool {
    value.len() == 64 && value.bytes().all(|b| b.is_ascii_hexdigit())
}

#[derive(Deserialize)]
struct CsrfField {
    #[serde(default)]
    csrf: String,
}

/// A form body (`application/x-www-form-urlencoded`) whose `csrf` field matched: the
/// session's token when signed in, the `motcua_csrf` cookie otherwise. Deserializes the
/// same body into `T` (which may ignore the `csrf` field). Refused with 403 otherwise; an
/// unreadable body is 422 naming the problem.
///
/// ```ignore
/// async fn rename(user: CurrentUser, CsrfForm(form): CsrfForm<Rename>) -> Result<Redirect, PageError> {
///     user.authorize(Action::ManageAccounts, &Target::agency(&form.agency))?;
///     state.services.rename(&user.acting, &form.name).await?;
///     Ok(Redirect::to("/tai-khoan"))
/// }
/// ```
#[derive(Debug, Clone)]
pub struct CsrfForm<T>(pub T);

impl<S, T> FromRequest<S> for CsrfForm<T>
where
    S: Send + Sync,
    AppState: FromRef<S>,
    T: DeserializeOwned + Send,
{
    type Rejection = AuthRejection;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let (mut parts, body) = request.into_parts();
        let MaybeUser(user) = MaybeUser::from_request_parts(&mut parts, state).await?;
        let refuse = |parts: &Parts, e: AppError| AuthRejection::for_request(parts, e);
        let is_form = parts
            .headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
        if !is_form {
            return Err(refuse(
                &parts,
                AppError::invalid(
                    "content-type",
                    "biểu mẫu phải gửi dạng application/x-www-form-urlencoded",
                    "the form must be sent as application/x-www-form-urlencoded",
                ),
            ));
        }
        let bytes = Bytes::from_request(Request::from_parts(clone_head(&parts), body), state)
            .await
            .map_err(|e| {
                refuse(
                    &parts,
                    AppError::TooLarge(format!(
                        "không đọc được biểu mẫu / the form could not be read: {e}"
                    )),
                )
            })?;
        let CsrfField { csrf } = parse_form(bytes.clone(), state)
            .await
            .map_err(|e| refuse(&parts, e))?;
        let valid = match &user {
            Some(user) => user.session.csrf_matches(&csrf),
            None => cookie(&parts.headers, CSRF_COOKIE).is_some_and(|c| tokens_match(c, &csrf)),
        };
        if !valid {
            tracing::debug!(
                reason = "csrf_mismatch",
                signed_in = user.is_some(),
                "form refused"
            );
            return Err(refuse(&parts, AppError::Forbidden(CSRF_REFUSED.into())));
        }
        let form = parse_form(bytes, state)
            .await
            .map_err(|e| refuse(&parts, e))?;
        Ok(CsrfForm(form))
    }
}

/// A copy of the request head without its body, enough for body extractors.
fn clone_head(parts: &Parts) -> Parts {
    let mut builder = Request::builder()
        .method(parts.method.clone())
        .uri(parts.uri.clone())
        .version(parts.version);
    if let Some(headers) = builder.headers_mut() {
        *headers = parts.headers.clone();
    }
    let (head, ()) = builder
        .body(())
        .unwrap_or_else(|_| Request::new(()))
        .into_parts();
    head
}

/// Deserializes a urlencoded body with axum's own form extractor.
async fn parse_form<T, S>(bytes: Bytes, state: &S) -> Result<T, AppError>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    let request = Request::builder()
        .method(Method::POST)
        .header(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/x-www-form-urlencoded"),
        )
        .body(Body::from(bytes))
        .map_err(|e| AppError::Internal(format!("form request: {e}")))?;
    axum::Form::<T>::from_request(request, state)
        .await
        .map(|axum::Form(form)| form)
        .map_err(|e| AppError::Invalid {
            message: format!(
                "biểu mẫu không hợp lệ / the form is invalid: {}",
                e.body_text()
            ),
            field: None,
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_local_paths_are_followed() {
        assert_eq!(local_path(Some("/tai-khoan?x=1"), "/"), "/tai-khoan?x=1");
        assert_eq!(local_path(Some("//evil.example"), "/"), "/");
        assert_eq!(local_path(Some("/\\evil.example"), "/"), "/");
        assert_eq!(local_path(Some("https://evil.example"), "/"), "/");
        assert_eq!(local_path(None, "/x"), "/x");
    }

    #[test]
    fn next_is_encoded() {
        assert_eq!(
            sign_in_url("/ho-so?ma=1&x=ố"),
            "/dang-nhap?next=/ho-so%3Fma%3D1%26x%3D%E1%BB%91"
        );
        assert_eq!(sign_in_url("/"), "/dang-nhap");
    }

    #[test]
    fn cookies_carry_the_flags() {
        let c = set_cookie("a", "b", Some(10), true);
        assert_eq!(
            c.to_str().unwrap(),
            "a=b; Path=/; HttpOnly; SameSite=Lax; Max-Age=10; Secure"
        );
    }
}
