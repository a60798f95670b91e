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
use motcua_storage::StoreError;
use serde::Deserialize;

use crate::auth::{self, CsrfForm, CsrfToken, CurrentUser, MaybeUser, SESSION_COOKIE};
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
            Err(ServiceError::Refused(message)) => errors.push("", in_language(lang, &message)),
            Err(e) => return Err(e.into()),
        }
    }
    let html = render(&AccountSignInPage {
        chrome,
        csrf: csrf.value().to_owned(),
        next,
        login: form.login.trim().to_owned(),
        errors,
    })?;
    Ok(private(StatusCode::UNPROCESSABLE_ENTITY, Some(csrf), html))
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

/// The routes of this area.
pub fn router() -> Router<AppState> {
    Router::new()
        .route(auth::SIGN_IN_PATH, get(sign_in_page).post(sign_in))
        .route("/dang-xuat", post(sign_out))
        .route("/dang-ky", get(register_page).post(register))
        .route("/tai-khoan", get(account_page))
        .route("/tai-khoan/mat-khau", post(change_password))
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
