//! Account pages: sign in, sign out, register a citizen account (e-ID level 1), my account
//! and change of password.
//!
//! One sign-in form for everyone: a citizen types the 12-digit personal identification
//! number, a business its tax code, staff their login name — the three shapes never collide,
//! so no tab is needed (and none needs JavaScript). Every form carries a CSRF token
//! ([`CsrfForm`]); pages with account data are `Cache-Control: no-store`.

use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use motcua_domain::event::Role;
use motcua_domain::ids::PersonalId;
use motcua_service::ServiceError;
use motcua_service::accounts::{self, AccountKind, FieldError, NewAccount, Password};
use motcua_service::api_tokens::{ApiScope, NewApiToken, TOKEN_ROLES};
use motcua_storage::StoreError;
use serde::Deserialize;

use crate::auth::rate_limit::RetryAfter;
use crate::auth::{self, ClientIp, CsrfForm, CsrfToken, CurrentUser, MaybeUser, SESSION_COOKIE};
use crate::error::PageError;
use crate::i18n::{Lang, Tr};
use crate::ui::{Chrome, render};
use crate::{AppState, REQUEST_ID};

/// Where a sign-in goes when it was not sent from elsewhere.
const AFTER_SIGN_IN: &str = "/tai-khoan";

/// The problems of a submitted form: by field (`""` for the form as a whole), already in
/// the page's language.
#[derive(Debug, Clone, Default)]
pub struct FormErrors {
    items: Vec<(String, String)>,
}

impl FormErrors {
    /// Adds a problem with `field`.
    pub fn push(&mut self, field: &str, message: impl Into<String>) {
        self.items.push((field.to_owned(), message.into()));
    }

    /// Adds a service's field error in `lang`.
    pub fn push_field(&mut self, lang: Lang, error: &FieldError) {
        let message = match lang {
            Lang::Vi => &error.vi,
            Lang::En => &error.en,
        };
        self.push(error.field, message.clone());
    }

    /// The first problem with `field`.
    pub fn get(&self, field: &str) -> Option<&str> {
        self.items
            .iter()
            .find(|(f, _)| f == field)
            .map(|(_, m)| m.as_str())
    }

    /// Whether there is any problem.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// Every problem, in order: (field, message).
    pub fn items(&self) -> &[(String, String)] {
        &self.items
    }
}

/// One language's half of a bilingual `vi / en` message.
pub fn in_language(lang: Lang, message: &str) -> String {
    match message.split_once(" / ") {
        Some((vi, en)) => match lang {
            Lang::Vi => vi.to_owned(),
            Lang::En => en.to_owned(),
        },
        None => message.to_owned(),
    }
}

fn request_id(headers: &HeaderMap) -> Option<String> {
    headers
        .get(&REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

/// A page of account data: never kept in a shared cache or the browser's history cache.
fn private(status: StatusCode, csrf: Option<CsrfToken>, html: Html<String>) -> Response {
    let mut response = match csrf {
        Some(csrf) => (status, csrf, html).into_response(),
        None => (status, html).into_response(),
    };
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// A 303 to `to` that also sets `cookie`.
fn redirect_with_cookie(to: &str, cookie: HeaderValue) -> Response {
    let mut response = Redirect::to(to).into_response();
    response.headers_mut().append(header::SET_COOKIE, cookie);
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

// ---------------------------------------------------------------------------------------
// Sign in.

/// The sign-in page.
#[derive(Template)]
#[template(path = "account/sign_in.html")]
pub struct AccountSignInPage {
    chrome: Chrome,
    csrf: String,
    next: String,
    login: String,
    errors: FormErrors,
    /// The e-ID button's address (with `next`), when e-ID sign-in is configured.
    eid_url: Option<String>,
}

/// The address of the e-ID sign-in that comes back to `next`, when it is configured.
fn eid_url(state: &AppState, next: &str) -> Option<String> {
    state.oidc.as_ref().map(|_| {
        if next == AFTER_SIGN_IN {
            auth::oidc::START_PATH.to_owned()
        } else {
            format!(
                "{}?next={}",
                auth::oidc::START_PATH,
                auth::encode_component(next)
            )
        }
    })
}

#[derive(Deserialize)]
struct NextQuery {
    next: Option<String>,
}

#[derive(Deserialize)]
struct SignInForm {
    #[serde(default)]
    login: String,
    #[serde(default)]
    password: String,
    next: Option<String>,
}

async fn sign_in_page(
    State(state): State<AppState>,
    chrome: Chrome,
    MaybeUser(user): MaybeUser,
    csrf: CsrfToken,
    Query(query): Query<NextQuery>,
) -> Result<Response, PageError> {
    let next = auth::local_path(query.next.as_deref(), AFTER_SIGN_IN);
    if user.is_some() {
        return Ok(Redirect::to(&next).into_response());
    }
    let html = render(&AccountSignInPage {
        chrome,
        csrf: csrf.value().to_owned(),
        eid_url: eid_url(&state, &next),
        next,
        login: String::new(),
        errors: FormErrors::default(),
    })?;
    Ok(private(StatusCode::OK, Some(csrf), html))
}

async fn sign_in(
    State(state): State<AppState>,
    chrome: Chrome,
    headers: HeaderMap,
    ClientIp(ip): ClientIp,
    csrf: CsrfToken,
    CsrfForm(form): CsrfForm<SignInForm>,
) -> Result<Response, PageError> {
    let lang = chrome.t.lang;
    let t = chrome.t;
    let next = auth::local_path(form.next.as_deref(), AFTER_SIGN_IN);
    let mut errors = FormErrors::default();
    if form.login.trim().is_empty() {
        errors.push("login", t.t("account.error.login_required"));
    }
    if form.password.is_empty() {
        errors.push("password", t.t("account.error.password_required"));
    }
    // Failed sign-ins are limited per login and per address (`auth::rate_limit`).
    let limited_login = accounts::normalise_login(&form.login);
    let now = state.services.now();
    let mut retry_after = None;
    if errors.is_empty()
        && let Err(RetryAfter(seconds)) = state.login_limiter.check(now, &limited_login, ip)
    {
        tracing::info!(reason = "rate_limited", "sign-in refused");
        let minutes = seconds.div_ceil(60).to_string();
        errors.push(
            "",
            t.t("account.error.too_many").replace("{minutes}", &minutes),
        );
        retry_after = Some(seconds);
    }
    if errors.is_empty() {
        let password = Password::new(form.password);
        match state
            .services
            .sign_in(
                &form.login,
                &password,
                &state.config.sessions,
                request_id(&headers),
            )
            .await
        {
            Ok((token, _)) => {
                state.login_limiter.record_success(&limited_login);
                // The new session replaces any other this browser had: a token is never
                // reused across sign-ins (no session fixation).
                if let Some(old) = auth::cookie(&headers, SESSION_COOKIE) {
                    state
                        .services
                        .close_session(old, request_id(&headers))
                        .await?;
                }
                return Ok(redirect_with_cookie(
                    &next,
                    auth::session_cookie(&token, &state),
                ));
            }
            Err(ServiceError::Refused(message)) => {
                state.login_limiter.record_failure(now, &limited_login, ip);
                errors.push("", in_language(lang, &message));
            }
            Err(e) => return Err(e.into()),
        }
    }
    let html = render(&AccountSignInPage {
        chrome,
        csrf: csrf.value().to_owned(),
        eid_url: eid_url(&state, &next),
        next,
        login: form.login.trim().to_owned(),
        errors,
    })?;
    let Some(seconds) = retry_after else {
        return Ok(private(StatusCode::UNPROCESSABLE_ENTITY, Some(csrf), html));
    };
    let mut response = private(StatusCode::TOO_MANY_REQUESTS, Some(csrf), html);
    response
        .headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
    Ok(response)
}

#[derive(Deserialize)]
struct Empty {}

async fn sign_out(
    State(state): State<AppState>,
    headers: HeaderMap,
    CsrfForm(Empty {}): CsrfForm<Empty>,
) -> Result<Response, PageError> {
    if let Some(token) = auth::cookie(&headers, SESSION_COOKIE) {
        state
            .services
            .close_session(token, request_id(&headers))
            .await?;
    }
    Ok(redirect_with_cookie(
        "/",
        auth::clear_session_cookie(&state),
    ))
}

// ---------------------------------------------------------------------------------------
// Register.

/// The citizen registration page.
#[derive(Template)]
#[template(path = "account/register.html")]
pub struct AccountRegisterPage {
    chrome: Chrome,
    csrf: String,
    personal_id: String,
    name: String,
    phone: String,
    errors: FormErrors,
}

#[derive(Deserialize)]
struct RegisterForm {
    #[serde(default)]
    personal_id: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    phone: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    password_confirm: String,
}

async fn register_page(
    chrome: Chrome,
    MaybeUser(user): MaybeUser,
    csrf: CsrfToken,
) -> Result<Response, PageError> {
    if user.is_some() {
        return Ok(Redirect::to(AFTER_SIGN_IN).into_response());
    }
    let html = render(&AccountRegisterPage {
        chrome,
        csrf: csrf.value().to_owned(),
        personal_id: String::new(),
        name: String::new(),
        phone: String::new(),
        errors: FormErrors::default(),
    })?;
    Ok(private(StatusCode::OK, Some(csrf), html))
}

async fn register(
    State(state): State<AppState>,
    chrome: Chrome,
    headers: HeaderMap,
    csrf: CsrfToken,
    CsrfForm(form): CsrfForm<RegisterForm>,
) -> Result<Response, PageError> {
    let lang = chrome.t.lang;
    let new = NewAccount::Citizen {
        personal_id: form.personal_id.clone(),
        name: form.name.clone(),
        phone: Some(form.phone.clone()),
        password: Password::new(form.password.clone()),
    };
    let mut errors = FormErrors::default();
    for e in accounts::check_new_account(&new) {
        errors.push_field(lang, &e);
    }
    if errors.get("password").is_none() && form.password != form.password_confirm {
        errors.push(
            "password_confirm",
            chrome.t.t("account.error.password_mismatch"),
        );
    }
    if errors.is_empty() {
        let rid = request_id(&headers);
        match state.services.register_citizen(new, rid.clone()).await {
            Ok(account) => {
                let (token, _) = state
                    .services
                    .open_session(&account, &state.config.sessions, rid)
                    .await?;
                return Ok(redirect_with_cookie(
                    AFTER_SIGN_IN,
                    auth::session_cookie(&token, &state),
                ));
            }
            Err(ServiceError::Store(StoreError::Duplicate { .. })) => {
                errors.push("personal_id", chrome.t.t("account.error.taken"));
            }
            Err(ServiceError::Invalid(message)) => errors.push("", in_language(lang, &message)),
            Err(e) => return Err(e.into()),
        }
    }
    let html = render(&AccountRegisterPage {
        chrome,
        csrf: csrf.value().to_owned(),
        personal_id: form.personal_id.trim().to_owned(),
        name: form.name.trim().to_owned(),
        phone: form.phone.trim().to_owned(),
        errors,
    })?;
    Ok(private(StatusCode::UNPROCESSABLE_ENTITY, Some(csrf), html))
}

// ---------------------------------------------------------------------------------------
// My account.

/// The signed-in account's page, with the change-of-password form.
#[derive(Template)]
#[template(path = "account/show.html")]
pub struct AccountPage {
    chrome: Chrome,
    csrf: String,
    name: String,
    login: String,
    phone: String,
    role: &'static str,
    scope: String,
    eid_level: i32,
    created: String,
    changed: bool,
    errors: FormErrors,
    /// Whether the account may manage API tokens (agency and system administrators).
    manages_api_tokens: bool,
}

/// Catalogue key of a role's name.
fn role_key(role: Role) -> &'static str {
    match role {
        Role::Citizen => "account.role.citizen",
        Role::Business => "account.role.business",
        Role::DeskOfficer => "account.role.desk_officer",
        Role::Specialist => "account.role.specialist",
        Role::Leader => "account.role.leader",
        Role::AgencyAdmin => "account.role.agency_admin",
        Role::Inspector => "account.role.inspector",
        Role::SystemAdmin => "account.role.system_admin",
        Role::System => "account.role.system",
    }
}

impl AccountPage {
    fn new(
        chrome: Chrome,
        user: &auth::SignedIn,
        changed: bool,
        errors: FormErrors,
    ) -> AccountPage {
        let t: Tr = chrome.t;
        let a = user.account();
        // A citizen's number is shown masked: it is personal data, and screens are seen.
        let login = match a.kind {
            AccountKind::Citizen => a
                .login
                .parse::<PersonalId>()
                .map_or_else(|_| a.login.clone(), |id| id.masked()),
            AccountKind::Business | AccountKind::Staff => a.login.clone(),
        };
        let scope = match (&a.agency, &a.unit, a.kind) {
            (Some(agency), _, _) => format!("{} {agency}", t.t("account.scope.agency")),
            (None, Some(unit), _) => format!("{} {unit}", t.t("account.scope.unit")),
            (None, None, AccountKind::Staff) => t.t("account.scope.everywhere").to_owned(),
            (None, None, _) => t.t("account.scope.own").to_owned(),
        };
        AccountPage {
            csrf: user.csrf().to_owned(),
            name: a.name.clone(),
            login,
            phone: a.phone.clone().unwrap_or_default(),
            role: role_key(a.role),
            scope,
            eid_level: a.eid_level,
            created: t.datetime(&a.created_at),
            changed,
            errors,
            manages_api_tokens: motcua_domain::authz::role_allows(
                a.role,
                motcua_domain::authz::Action::ManageApiTokens,
            ),
            chrome,
        }
    }
}

#[derive(Deserialize)]
struct ChangedQuery {
    #[serde(rename = "da-doi")]
    changed: Option<String>,
}

async fn account_page(
    chrome: Chrome,
    user: CurrentUser,
    Query(query): Query<ChangedQuery>,
) -> Result<Response, PageError> {
    let page = AccountPage::new(
        chrome,
        &user,
        query.changed.is_some(),
        FormErrors::default(),
    );
    Ok(private(StatusCode::OK, None, render(&page)?))
}

#[derive(Deserialize)]
struct ChangePasswordForm {
    #[serde(default)]
    current_password: String,
    #[serde(default)]
    new_password: String,
    #[serde(default)]
    new_password_confirm: String,
}

async fn change_password(
    State(state): State<AppState>,
    chrome: Chrome,
    user: CurrentUser,
    CsrfForm(form): CsrfForm<ChangePasswordForm>,
) -> Result<Response, PageError> {
    let lang = chrome.t.lang;
    let new = Password::new(form.new_password.clone());
    let mut errors = FormErrors::default();
    if form.current_password.is_empty() {
        errors.push(
            "current_password",
            chrome.t.t("account.error.password_required"),
        );
    }
    for mut e in accounts::check_password(&new, &user.account().login) {
        e.field = "new_password";
        errors.push_field(lang, &e);
    }
    if errors.get("new_password").is_none() && form.new_password != form.new_password_confirm {
        errors.push(
            "new_password_confirm",
            chrome.t.t("account.error.password_mismatch"),
        );
    }
    if errors.is_empty() {
        let current = Password::new(form.current_password);
        match state
            .services
            .change_password(
                &user.session,
                &current,
                &new,
                user.acting.request_id.clone(),
            )
            .await
        {
            Ok(_) => return Ok(Redirect::to("/tai-khoan?da-doi=1").into_response()),
            // The only invalid input left is the current password.
            Err(ServiceError::Invalid(message)) => {
                errors.push("current_password", in_language(lang, &message));
            }
            Err(e) => return Err(e.into()),
        }
    }
    let page = AccountPage::new(chrome, &user, false, errors);
    Ok(private(
        StatusCode::UNPROCESSABLE_ENTITY,
        None,
        render(&page)?,
    ))
}

// ---------------------------------------------------------------------------------------
// API tokens (agency and system administrators).

/// The API tokens page.
const API_TOKENS_PATH: &str = "/tai-khoan/khoa-api";
/// Where the revoke buttons post.
const API_TOKENS_REVOKE_PATH: &str = "/tai-khoan/khoa-api/thu-hoi";
/// Validity offered by default on the form, in days.
const DEFAULT_VALID_DAYS: i64 = 90;

/// One token as the page lists it.
pub struct TokenLine {
    id: String,
    name: String,
    agency: String,
    role: &'static str,
    scopes: String,
    created: String,
    expires: String,
    last_used: String,
    status: &'static str,
    live: bool,
}

/// A scope on the form: its name and whether it is ticked.
pub struct ScopeChoice {
    name: &'static str,
    checked: bool,
}

/// A role on the form: its catalogue key, identifier and whether it is chosen.
pub struct RoleChoice {
    key: &'static str,
    value: &'static str,
    selected: bool,
}

/// The API tokens page: the agency's tokens (every agency's for a system administrator),
/// the form to issue one and, right after issuing, the secret, shown this once.
#[derive(Template)]
#[template(path = "account/api_tokens.html")]
pub struct ApiTokensPage {
    chrome: Chrome,
    csrf: String,
    /// The agency of an agency administrator (fixed); `None` lets a system administrator
    /// type one.
    own_agency: Option<String>,
    tokens: Vec<TokenLine>,
    scopes: Vec<ScopeChoice>,
    roles: Vec<RoleChoice>,
    name: String,
    agency: String,
    valid_days: String,
    errors: FormErrors,
    /// The secret of the token just issued.
    secret: Option<String>,
    revoked: bool,
}

#[derive(Deserialize)]
struct RevokedQuery {
    #[serde(rename = "da-thu-hoi")]
    revoked: Option<String>,
}

/// The form as typed, to show again with its errors.
#[derive(Default)]
struct TokenForm {
    name: String,
    agency: String,
    role: String,
    scopes: Vec<String>,
    valid_days: String,
}

impl ApiTokensPage {
    async fn load(
        state: &AppState,
        chrome: Chrome,
        user: &auth::SignedIn,
        form: TokenForm,
        errors: FormErrors,
    ) -> Result<ApiTokensPage, PageError> {
        let t = chrome.t;
        let a = user.account();
        let own_agency = match a.role {
            Role::SystemAdmin => None,
            _ => a.agency.clone(),
        };
        let tokens = state
            .services
            .list_api_tokens(&user.acting, own_agency.as_deref())
            .await?;
        let now = state.services.now();
        let tokens = tokens
            .into_iter()
            .map(|token| {
                let status = if token.revoked_at.is_some() {
                    "account.tokens.status.revoked"
                } else if !token.is_live(now) {
                    "account.tokens.status.expired"
                } else {
                    "account.tokens.status.live"
                };
                TokenLine {
                    live: token.is_live(now),
                    status,
                    scopes: token
                        .scopes
                        .iter()
                        .map(|s| s.as_str())
                        .collect::<Vec<_>>()
                        .join(" "),
                    role: role_key(token.role),
                    created: t.datetime(&token.created_at),
                    expires: t.datetime(&token.expires_at),
                    last_used: t.opt_datetime(&token.last_used_at),
                    id: token.id,
                    name: token.name,
                    agency: token.agency,
                }
            })
            .collect();
        let role = if form.role.is_empty() {
            Role::DeskOfficer.as_str().to_owned()
        } else {
            form.role.clone()
        };
        Ok(ApiTokensPage {
            csrf: user.csrf().to_owned(),
            agency: if form.agency.is_empty() {
                own_agency.clone().unwrap_or_default()
            } else {
                form.agency
            },
            own_agency,
            tokens,
            scopes: ApiScope::ALL
                .into_iter()
                .map(|s| ScopeChoice {
                    name: s.as_str(),
                    checked: form.scopes.iter().any(|c| c == s.as_str()),
                })
                .collect(),
            roles: TOKEN_ROLES
                .into_iter()
                .map(|r| RoleChoice {
                    key: role_key(r),
                    value: r.as_str(),
                    selected: r.as_str() == role,
                })
                .collect(),
            name: form.name,
            valid_days: if form.valid_days.is_empty() {
                DEFAULT_VALID_DAYS.to_string()
            } else {
                form.valid_days
            },
            errors,
            secret: None,
            revoked: false,
            chrome,
        })
    }
}

async fn api_tokens_page(
    State(state): State<AppState>,
    chrome: Chrome,
    user: CurrentUser,
    Query(query): Query<RevokedQuery>,
) -> Result<Response, PageError> {
    let mut page = ApiTokensPage::load(
        &state,
        chrome,
        &user,
        TokenForm::default(),
        FormErrors::default(),
    )
    .await?;
    page.revoked = query.revoked.is_some();
    Ok(private(StatusCode::OK, None, render(&page)?))
}

/// The create form, read as a map: several scope boxes share no name, so each is its own key
/// (`scope.dossiers:read=on`).
async fn create_api_token(
    State(state): State<AppState>,
    chrome: Chrome,
    user: CurrentUser,
    CsrfForm(fields): CsrfForm<std::collections::HashMap<String, String>>,
) -> Result<Response, PageError> {
    let lang = chrome.t.lang;
    let field = |name: &str| fields.get(name).map_or("", |v| v.trim()).to_owned();
    let form = TokenForm {
        name: field("name"),
        agency: match user.account().role {
            Role::SystemAdmin => field("agency"),
            _ => user.account().agency.clone().unwrap_or_default(),
        },
        role: field("role"),
        scopes: ApiScope::ALL
            .into_iter()
            .filter(|s| fields.contains_key(&format!("scope.{}", s.as_str())))
            .map(|s| s.as_str().to_owned())
            .collect(),
        valid_days: field("valid_days"),
    };
    let mut errors = FormErrors::default();
    let role = Role::parse(&form.role).filter(|r| TOKEN_ROLES.contains(r));
    if role.is_none() {
        errors.push("role", chrome.t.t("account.tokens.error.role"));
    }
    let valid_days = form.valid_days.parse::<i64>().ok();
    if valid_days.is_none() {
        errors.push("valid_days", chrome.t.t("account.tokens.error.valid_days"));
    }
    if let (Some(role), Some(valid_days)) = (role, valid_days) {
        let new = NewApiToken {
            agency: form.agency.clone(),
            role,
            name: form.name.clone(),
            scopes: form
                .scopes
                .iter()
                .filter_map(|s| ApiScope::parse(s))
                .collect(),
            valid_days,
        };
        match state.services.create_api_token(&user.acting, new).await {
            Ok((secret, _)) => {
                let mut page = ApiTokensPage::load(
                    &state,
                    chrome,
                    &user,
                    TokenForm::default(),
                    FormErrors::default(),
                )
                .await?;
                page.secret = Some(secret.expose().to_owned());
                return Ok(private(StatusCode::CREATED, None, render(&page)?));
            }
            Err(ServiceError::Invalid(message)) => {
                // "field: vi / en; field: vi / en" from the service.
                for problem in message.split("; ") {
                    let (name, text) = problem.split_once(": ").unwrap_or(("", problem));
                    errors.push(name, in_language(lang, text));
                }
            }
            Err(e) => return Err(e.into()),
        }
    }
    let page = ApiTokensPage::load(&state, chrome, &user, form, errors).await?;
    Ok(private(
        StatusCode::UNPROCESSABLE_ENTITY,
        None,
        render(&page)?,
    ))
}

#[derive(Deserialize)]
struct RevokeForm {
    #[serde(default)]
    id: String,
}

async fn revoke_api_token(
    State(state): State<AppState>,
    user: CurrentUser,
    CsrfForm(form): CsrfForm<RevokeForm>,
) -> Result<Response, PageError> {
    state
        .services
        .revoke_api_token(&user.acting, &form.id)
        .await?;
    let mut response = Redirect::to(&format!("{API_TOKENS_PATH}?da-thu-hoi=1")).into_response();
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}

/// The routes of this area.
pub fn router() -> Router<AppState> {
    Router::new()
        .route(auth::SIGN_IN_PATH, get(sign_in_page).post(sign_in))
        .route("/dang-xuat", post(sign_out))
        .route("/dang-ky", get(register_page).post(register))
        .route("/tai-khoan", get(account_page))
        .route("/tai-khoan/mat-khau", post(change_password))
        .route(auth::oidc::START_PATH, get(auth::oidc::start))
        .route(auth::oidc::CALLBACK_PATH, get(auth::oidc::callback))
        .route(API_TOKENS_PATH, get(api_tokens_page).post(create_api_token))
        .route(API_TOKENS_REVOKE_PATH, post(revoke_api_token))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bilingual_messages_are_split_by_language() {
        assert_eq!(in_language(Lang::Vi, "sai / wrong"), "sai");
        assert_eq!(in_language(Lang::En, "sai / wrong"), "wrong");
        assert_eq!(in_language(Lang::En, "only one"), "only one");
    }

    #[test]
    fn form_errors_find_their_field() {
        let mut e = FormErrors::default();
        e.push("login", "x");
        assert_eq!(e.get("login"), Some("x"));
        assert_eq!(e.get("password"), None);
    }
}
