//! Sign-in through an external e-ID provider over OpenID Connect: the national e-ID
//! (VNeID) or any standard provider, named by its issuer URL.
//!
//! **Flow** (authorization code with PKCE S256, `state` and `nonce`):
//!
//! 1. `GET /dang-nhap/eid?next=…` discovers the provider
//!    (`{issuer}/.well-known/openid-configuration`, cached for an hour), keeps the `state`,
//!    `nonce`, PKCE verifier and `next` in a short-lived `HttpOnly` cookie (`motcua_eid`,
//!    10 minutes) and sends the browser to the provider.
//! 2. The provider sends it back to `GET /dang-nhap/eid/ve?code=…&state=…`. The `state` must
//!    equal the cookie's (so nobody can make a victim's browser complete a sign-in they
//!    started); the code is exchanged with the PKCE verifier and the client credentials; the
//!    ID token's signature (the provider's JWKS; RS256, ES256 or PS256 only), issuer,
//!    audience, expiry and nonce are verified, and its `at_hash` when present.
//! 3. Its claims become an [`ExternalIdentity`]: the personal identification number from the
//!    configured claim ([`OidcConfig::personal_id_claim`], falling back to `sub` only when
//!    `sub` itself is a valid 12-digit number), the name, and e-ID level 2 when the configured
//!    claim holds one of the configured values (else level 1). The service links or creates
//!    the citizen account and opens a normal session ([`Services::sign_in_with_eid`]), which
//!    records `signed_in` with the method and issuer — never a token.
//!
//! Every failure — consent refused, `state` mismatch or missing cookie, a bad or tampered
//! token, an unreachable provider — ends on a bilingual error page with a 4xx or 502 status,
//! never a 500. The HTTP client follows no redirects (the library's advice against SSRF)
//! and gives up after 10 seconds. Nothing here logs a token, a code or a personal number.
//!
//! [`Services::sign_in_with_eid`]: motcua_service::Services::sign_in_with_eid

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use motcua_service::ServiceError;
use motcua_service::accounts::{ExternalIdentity, tokens_match};
use openidconnect::core::{
    CoreAuthDisplay, CoreAuthPrompt, CoreAuthenticationFlow, CoreErrorResponseType,
    CoreGenderClaim, CoreJsonWebKey, CoreJweContentEncryptionAlgorithm, CoreJwsSigningAlgorithm,
    CoreProviderMetadata, CoreRevocableToken, CoreRevocationErrorResponse,
    CoreTokenIntrospectionResponse, CoreTokenType,
};
use openidconnect::{
    AccessTokenHash, AdditionalClaims, AuthorizationCode, Client, ClientId, ClientSecret,
    CsrfToken, EmptyExtraTokenFields, EndpointMaybeSet, EndpointNotSet, EndpointSet, IdTokenFields,
    IssuerUrl, Nonce, OAuth2TokenResponse, PkceCodeChallenge, PkceCodeVerifier, RedirectUrl,
    RequestTokenError, Scope, StandardErrorResponse, StandardTokenResponse, TokenResponse, reqwest,
};
use serde::{Deserialize, Serialize};
use tokio::sync::Mutex;

use crate::AppState;
use crate::auth::{self, SESSION_COOKIE};
use crate::error::{AppError, PageError};
use crate::ui::ErrorPage;

/// Where the e-ID sign-in starts.
pub const START_PATH: &str = "/dang-nhap/eid";
/// Where the provider sends the browser back (register `{public_url}/dang-nhap/eid/ve` as
/// the client's redirect URI at the provider).
pub const CALLBACK_PATH: &str = "/dang-nhap/eid/ve";
/// The cookie that carries one sign-in attempt's `state`, `nonce`, PKCE verifier and `next`.
pub const FLOW_COOKIE: &str = "motcua_eid";

/// How long a started sign-in may take at the provider.
const FLOW_SECONDS: i64 = 600;
/// How long discovery (metadata and keys) is reused before it is fetched again.
const DISCOVERY_TTL: Duration = Duration::from_secs(3600);
/// Time limit of each request to the provider.
const HTTP_TIMEOUT: Duration = Duration::from_secs(10);
/// Where a sign-in goes when it was not sent from elsewhere.
const AFTER_SIGN_IN: &str = "/tai-khoan";

/// The client secret: `Debug` hides it and it is never serialized.
#[derive(Clone, PartialEq, Eq, Default, Deserialize)]
pub struct OidcSecret(String);

impl OidcSecret {
    /// Wraps a secret.
    pub fn new(secret: impl Into<String>) -> OidcSecret {
        OidcSecret(secret.into())
    }
}

impl std::fmt::Debug for OidcSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("OidcSecret(***)")
    }
}

impl Serialize for OidcSecret {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str("***")
    }
}

/// How to reach and read an OpenID provider. Configured with `motcua serve --oidc-*` or the
/// `MOTCUA_OIDC_*` environment variables.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OidcConfig {
    /// The provider's issuer URL (discovery reads `{issuer}/.well-known/openid-configuration`
    /// and ID tokens must name exactly this issuer).
    pub issuer: String,
    /// This installation's client id at the provider.
    pub client_id: String,
    /// The client secret (sent with HTTP Basic authentication to the token endpoint); `None`
    /// for a public client, which then relies on PKCE alone.
    pub client_secret: Option<OidcSecret>,
    /// The full URL of [`CALLBACK_PATH`] on this installation, as registered at the provider.
    pub redirect_url: String,
    /// Scopes asked for besides `openid` (default `profile`).
    pub scopes: Vec<String>,
    /// The claim with the 12-digit personal identification number (default `personal_id`).
    /// When absent, `sub` is used if it is itself a valid number.
    pub personal_id_claim: String,
    /// The claim with the person's full name (default `name`).
    pub name_claim: String,
    /// The claim that tells the e-ID level (default `acr`).
    pub level_claim: String,
    /// Values of [`OidcConfig::level_claim`] that mean e-ID level 2 (default `2`); anything
    /// else, or no claim, is level 1.
    pub level2_values: Vec<String>,
}

impl OidcConfig {
    /// Checks the URLs and the claim names.
    ///
    /// # Errors
    /// What is wrong, in English (for the operator starting the server).
    pub fn validate(&self) -> Result<(), String> {
        IssuerUrl::new(self.issuer.clone()).map_err(|e| format!("OIDC issuer URL: {e}"))?;
        RedirectUrl::new(self.redirect_url.clone())
            .map_err(|e| format!("OIDC redirect URL: {e}"))?;
        if self.client_id.is_empty() {
            return Err("OIDC client id is empty".into());
        }
        for (what, claim) in [
            ("personal ID claim", &self.personal_id_claim),
            ("name claim", &self.name_claim),
            ("level claim", &self.level_claim),
        ] {
            if claim.is_empty() {
                return Err(format!("OIDC {what} is empty"));
            }
        }
        Ok(())
    }

    /// A configuration with the default claim mapping.
    pub fn new(
        issuer: impl Into<String>,
        client_id: impl Into<String>,
        client_secret: Option<OidcSecret>,
        redirect_url: impl Into<String>,
    ) -> OidcConfig {
        OidcConfig {
            issuer: issuer.into(),
            client_id: client_id.into(),
            client_secret,
            redirect_url: redirect_url.into(),
            scopes: vec!["profile".into()],
            personal_id_claim: "personal_id".into(),
            name_claim: "name".into(),
            level_claim: "acr".into(),
            level2_values: vec!["2".into()],
        }
    }
}

/// Every claim of the ID token beyond the standard ones, so any configured claim name can
/// be read.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct AllClaims {
    #[serde(flatten)]
    extra: HashMap<String, serde_json::Value>,
}

impl AdditionalClaims for AllClaims {}

type TokenFields = IdTokenFields<
    AllClaims,
    EmptyExtraTokenFields,
    CoreGenderClaim,
    CoreJweContentEncryptionAlgorithm,
    CoreJwsSigningAlgorithm,
>;
type Tokens = StandardTokenResponse<TokenFields, CoreTokenType>;
type OidcClient = Client<
    AllClaims,
    CoreAuthDisplay,
    CoreGenderClaim,
    CoreJweContentEncryptionAlgorithm,
    CoreJsonWebKey,
    CoreAuthPrompt,
    StandardErrorResponse<CoreErrorResponseType>,
    Tokens,
    CoreTokenIntrospectionResponse,
    CoreRevocableToken,
    CoreRevocationErrorResponse,
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointMaybeSet,
    EndpointMaybeSet,
>;

/// The relying party at run time: the configuration, an HTTP client and the discovered
/// provider (fetched on first use, so the server starts even when the provider is down).
pub struct Oidc {
    config: OidcConfig,
    http: reqwest::Client,
    discovered: Mutex<Option<(Instant, Arc<OidcClient>)>>,
}

impl std::fmt::Debug for Oidc {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Oidc")
            .field("issuer", &self.config.issuer)
            .finish_non_exhaustive()
    }
}

/// Why an e-ID sign-in did not complete; each is a bilingual page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OidcError {
    /// Sign-in with e-ID is not configured on this installation.
    NotConfigured,
    /// The person declined at the provider (or the provider refused the request).
    Denied,
    /// The `state` does not match, or the attempt's cookie is missing or expired.
    StateMismatch,
    /// The token exchange failed or the ID token is invalid (signature, issuer, audience,
    /// expiry, nonce).
    BadToken,
    /// The provider could not be reached or answered nonsense.
    Unavailable,
    /// The identity cannot be used (no valid personal ID, disabled account, …): the
    /// service's bilingual message.
    Refused(String),
    /// A fault on our side (the store failed): logged, answered as any other.
    App(AppError),
}

impl OidcError {
    fn status(&self) -> StatusCode {
        match self {
            OidcError::NotConfigured => StatusCode::NOT_FOUND,
            OidcError::Denied | OidcError::Refused(_) => StatusCode::FORBIDDEN,
            OidcError::StateMismatch | OidcError::BadToken => StatusCode::BAD_REQUEST,
            OidcError::Unavailable => StatusCode::BAD_GATEWAY,
            OidcError::App(e) => e.status(),
        }
    }

    fn message(&self) -> String {
        match self {
            OidcError::NotConfigured => "đăng nhập bằng định danh điện tử chưa được cấu hình / \
                 sign-in with e-ID is not configured"
                .into(),
            OidcError::Denied => "bạn đã không đồng ý chia sẻ thông tin định danh, nên chưa \
                 đăng nhập; bạn có thể thử lại hoặc đăng nhập bằng mật khẩu / you did not agree \
                 to share your identity, so you are not signed in; try again or sign in with a \
                 password"
                .into(),
            OidcError::StateMismatch => "phiên đăng nhập bằng định danh điện tử đã hết hạn \
                 hoặc không khớp; hãy bắt đầu lại từ trang đăng nhập / the e-ID sign-in has \
                 expired or does not match; start again from the sign-in page"
                .into(),
            OidcError::BadToken => "không xác thực được thông tin từ nhà cung cấp định danh; \
                 hãy thử lại / the identity provider's answer could not be verified; try again"
                .into(),
            OidcError::Unavailable => "không kết nối được nhà cung cấp định danh điện tử; hãy \
                 thử lại sau / the e-ID provider cannot be reached; try again later"
                .into(),
            OidcError::Refused(message) => message.clone(),
            OidcError::App(e) => e.public_message(),
        }
    }
}

impl IntoResponse for OidcError {
    fn into_response(self) -> Response {
        if let OidcError::App(e) = self {
            return PageError(e).into_response();
        }
        let status = self.status();
        let page = ErrorPage::new(status, &self.message());
        let mut response = (status, Html(page.render_html())).into_response();
        response
            .headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        response
    }
}

/// One sign-in attempt, as the flow cookie carries it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Flow {
    state: String,
    nonce: String,
    verifier: String,
    next: String,
}

impl Flow {
    /// `state.nonce.verifier.hex(next)`: the first three are base64url, so `.` separates.
    fn encode(&self) -> String {
        let next: String = self.next.bytes().map(|b| format!("{b:02x}")).collect();
        format!("{}.{}.{}.{next}", self.state, self.nonce, self.verifier)
    }

    fn decode(text: &str) -> Option<Flow> {
        let mut parts = text.split('.');
        let (state, nonce, verifier, next) =
            (parts.next()?, parts.next()?, parts.next()?, parts.next()?);
        let safe = |s: &str| {
            !s.is_empty()
                && s.len() <= 256
                && s.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        };
        if parts.next().is_some() || !safe(state) || !safe(nonce) || !safe(verifier) {
            return None;
        }
        let bytes = (0..next.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(next.get(i..i + 2)?, 16).ok())
            .collect::<Option<Vec<u8>>>()?;
        Some(Flow {
            state: state.to_owned(),
            nonce: nonce.to_owned(),
            verifier: verifier.to_owned(),
            next: String::from_utf8(bytes).ok()?,
        })
    }
}

impl Oidc {
    /// The relying party for `config`.
    ///
    /// # Errors
    /// A message when the HTTP client cannot be built (no TLS roots) or a URL is invalid.
    pub fn new(config: OidcConfig) -> Result<Oidc, String> {
        config.validate()?;
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(HTTP_TIMEOUT)
            .build()
            .map_err(|e| format!("OIDC HTTP client: {e}"))?;
        Ok(Oidc {
            config,
            http,
            discovered: Mutex::new(None),
        })
    }

    /// The configuration.
    pub fn config(&self) -> &OidcConfig {
        &self.config
    }

    /// The discovered client, fetched again when older than an hour or when `refresh`.
    async fn client(&self, refresh: bool) -> Result<Arc<OidcClient>, OidcError> {
        let mut cached = self.discovered.lock().await;
        if let Some((at, client)) = cached.as_ref()
            && !refresh
            && at.elapsed() < DISCOVERY_TTL
        {
            return Ok(client.clone());
        }
        let issuer = IssuerUrl::new(self.config.issuer.clone()).map_err(|e| {
            tracing::error!(error = %e, "OIDC issuer URL invalid");
            OidcError::Unavailable
        })?;
        let metadata = CoreProviderMetadata::discover_async(issuer, &self.http)
            .await
            .map_err(|e| {
                tracing::warn!(error = %e, "OIDC discovery failed");
                OidcError::Unavailable
            })?;
        let redirect = RedirectUrl::new(self.config.redirect_url.clone()).map_err(|e| {
            tracing::error!(error = %e, "OIDC redirect URL invalid");
            OidcError::Unavailable
        })?;
        let client = OidcClient::from_provider_metadata(
            metadata,
            ClientId::new(self.config.client_id.clone()),
            self.config
                .client_secret
                .as_ref()
                .map(|s| ClientSecret::new(s.0.clone())),
        )
        .set_redirect_uri(redirect);
        let client = Arc::new(client);
        *cached = Some((Instant::now(), client.clone()));
        Ok(client)
    }

    /// Reads the identity out of verified claims.
    fn identity(&self, claims: &serde_json::Value) -> Result<ExternalIdentity, OidcError> {
        let text = |name: &str| -> Option<String> {
            match claims.get(name)? {
                serde_json::Value::String(s) => Some(s.trim().to_owned()),
                serde_json::Value::Number(n) => Some(n.to_string()),
                _ => None,
            }
        };
        let is_personal_id = |s: &str| s.parse::<motcua_domain::ids::PersonalId>().is_ok();
        let subject = text("sub").unwrap_or_default();
        let issuer = text("iss").unwrap_or_default();
        let personal_id = text(&self.config.personal_id_claim)
            .filter(|s| is_personal_id(s))
            .or_else(|| Some(subject.clone()).filter(|s| is_personal_id(s)))
            .ok_or_else(|| {
                tracing::info!(
                    claim = %self.config.personal_id_claim,
                    "e-ID sign-in refused: no valid personal ID in the ID token"
                );
                OidcError::Refused(
                    "nhà cung cấp định danh không trả về số định danh cá nhân hợp lệ / \
                     the identity provider did not return a valid personal identification number"
                        .into(),
                )
            })?;
        let level_values: Vec<String> = match claims.get(&self.config.level_claim) {
            Some(serde_json::Value::Array(items)) => items
                .iter()
                .filter_map(|v| match v {
                    serde_json::Value::String(s) => Some(s.clone()),
                    serde_json::Value::Number(n) => Some(n.to_string()),
                    _ => None,
                })
                .collect(),
            _ => text(&self.config.level_claim).into_iter().collect(),
        };
        let level2 = level_values
            .iter()
            .any(|v| self.config.level2_values.iter().any(|l| l == v));
        Ok(ExternalIdentity {
            issuer,
            subject,
            personal_id,
            name: text(&self.config.name_claim).filter(|n| !n.is_empty()),
            eid_level: if level2 { 2 } else { 1 },
        })
    }
}

#[derive(Deserialize)]
pub(crate) struct StartQuery {
    next: Option<String>,
}

/// `GET /dang-nhap/eid`: sends the browser to the provider.
pub(crate) async fn start(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(query): Query<StartQuery>,
) -> Result<Response, OidcError> {
    let oidc = state.oidc.as_ref().ok_or(OidcError::NotConfigured)?;
    let next = auth::local_path(query.next.as_deref(), AFTER_SIGN_IN);
    if let Some(token) = auth::cookie(&headers, SESSION_COOKIE)
        && let Ok(Some(_)) = state.services.find_session(token).await
    {
        return Ok(Redirect::to(&next).into_response());
    }
    let client = oidc.client(false).await?;
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let mut request = client
        .authorize_url(
            CoreAuthenticationFlow::AuthorizationCode,
            CsrfToken::new_random,
            Nonce::new_random,
        )
        .set_pkce_challenge(challenge);
    for scope in &oidc.config.scopes {
        request = request.add_scope(Scope::new(scope.clone()));
    }
    let (url, csrf, nonce) = request.url();
    let flow = Flow {
        state: csrf.secret().clone(),
        nonce: nonce.secret().clone(),
        verifier: verifier.secret().clone(),
        next,
    };
    let mut response = Redirect::to(url.as_str()).into_response();
    response.headers_mut().append(
        header::SET_COOKIE,
        auth::set_cookie(
            FLOW_COOKIE,
            &flow.encode(),
            Some(FLOW_SECONDS),
            state.config.secure_cookies,
        ),
    );
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}

#[derive(Deserialize)]
pub(crate) struct CallbackQuery {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
}

/// `GET /dang-nhap/eid/ve`: completes the sign-in. The attempt's cookie is removed whatever
/// the outcome (an attempt is used once).
pub(crate) async fn callback(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(query): Query<CallbackQuery>,
) -> Response {
    let clear = auth::set_cookie(FLOW_COOKIE, "", Some(0), state.config.secure_cookies);
    let mut response = match complete(&state, &headers, query).await {
        Ok(response) => response,
        Err(e) => e.into_response(),
    };
    response.headers_mut().append(header::SET_COOKIE, clear);
    response
}

async fn complete(
    state: &AppState,
    headers: &HeaderMap,
    query: CallbackQuery,
) -> Result<Response, OidcError> {
    let oidc = state.oidc.as_ref().ok_or(OidcError::NotConfigured)?;
    let flow = auth::cookie(headers, FLOW_COOKIE)
        .and_then(Flow::decode)
        .ok_or_else(|| {
            tracing::info!(reason = "no_flow_cookie", "e-ID sign-in refused");
            OidcError::StateMismatch
        })?;
    let state_matches = query
        .state
        .as_deref()
        .is_some_and(|s| tokens_match(s, &flow.state));
    if !state_matches {
        tracing::info!(reason = "state_mismatch", "e-ID sign-in refused");
        return Err(OidcError::StateMismatch);
    }
    if let Some(error) = &query.error {
        // Only the provider's error code is logged, as a known word or "other".
        let code = match error.as_str() {
            "access_denied" | "login_required" | "consent_required" | "interaction_required" => {
                error.as_str()
            }
            _ => "other",
        };
        tracing::info!(
            reason = "provider_error",
            error = code,
            "e-ID sign-in refused"
        );
        return Err(OidcError::Denied);
    }
    let code = query.code.filter(|c| !c.is_empty()).ok_or_else(|| {
        tracing::info!(reason = "no_code", "e-ID sign-in refused");
        OidcError::BadToken
    })?;
    let client = oidc.client(false).await?;
    let tokens = client
        .exchange_code(AuthorizationCode::new(code))
        .map_err(|e| {
            tracing::error!(error = %e, "OIDC provider has no token endpoint");
            OidcError::Unavailable
        })?
        .set_pkce_verifier(PkceCodeVerifier::new(flow.verifier.clone()))
        .request_async(&oidc.http)
        .await
        .map_err(|e| match e {
            RequestTokenError::ServerResponse(r) => {
                tracing::info!(reason = "token_refused", error = %r.error(), "e-ID sign-in refused");
                OidcError::BadToken
            }
            other => {
                tracing::warn!(error = %other, "OIDC token request failed");
                OidcError::Unavailable
            }
        })?;
    let claims = match verified_claims(state, &client, &tokens, &flow) {
        Ok(claims) => claims,
        // The provider may have rotated its keys since discovery: fetch them once more.
        Err(Retry::NewKeys) => {
            let client = oidc.client(true).await?;
            verified_claims(state, &client, &tokens, &flow).map_err(|_| OidcError::BadToken)?
        }
        Err(Retry::No) => return Err(OidcError::BadToken),
    };
    let identity = oidc.identity(&claims)?;
    let request_id = headers
        .get(&crate::REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let (token, _) = state
        .services
        .sign_in_with_eid(&identity, &state.config.sessions, request_id.clone())
        .await
        .map_err(|e| match e {
            ServiceError::Refused(message) => OidcError::Refused(message),
            other => OidcError::App(other.into()),
        })?;
    // A new session replaces whatever this browser had (no session fixation).
    if let Some(old) = auth::cookie(headers, SESSION_COOKIE)
        && let Err(e) = state.services.close_session(old, request_id).await
    {
        tracing::warn!(error = %e, "closing the previous session failed");
    }
    let next = auth::local_path(Some(&flow.next), AFTER_SIGN_IN);
    let mut response = Redirect::to(&next).into_response();
    response
        .headers_mut()
        .append(header::SET_COOKIE, auth::session_cookie(&token, state));
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}

/// Whether a failed verification is worth another try with freshly fetched keys.
enum Retry {
    NewKeys,
    No,
}

/// The ID token's claims as JSON, after every check.
fn verified_claims(
    state: &AppState,
    client: &OidcClient,
    tokens: &Tokens,
    flow: &Flow,
) -> Result<serde_json::Value, Retry> {
    let Some(id_token) = tokens.id_token() else {
        tracing::info!(reason = "no_id_token", "e-ID sign-in refused");
        return Err(Retry::No);
    };
    let services = state.services.clone();
    let verifier = client
        .id_token_verifier()
        .set_allowed_algs([
            CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha256,
            CoreJwsSigningAlgorithm::EcdsaP256Sha256,
            CoreJwsSigningAlgorithm::RsaSsaPssSha256,
        ])
        .set_time_fn(move || services.now());
    let nonce = Nonce::new(flow.nonce.clone());
    let claims = id_token.claims(&verifier, &nonce).map_err(|e| {
        use openidconnect::ClaimsVerificationError as E;
        let (reason, retry) = match &e {
            E::SignatureVerification(_) => ("signature", Retry::NewKeys),
            E::Expired(_) => ("expired", Retry::No),
            E::InvalidAudience(_) => ("audience", Retry::No),
            E::InvalidIssuer(_) => ("issuer", Retry::No),
            E::InvalidNonce(_) => ("nonce", Retry::No),
            _ => ("other", Retry::No),
        };
        tracing::info!(reason, "e-ID sign-in refused: ID token invalid");
        retry
    })?;
    if let Some(expected) = claims.access_token_hash() {
        let actual = id_token
            .signing_alg()
            .ok()
            .zip(id_token.signing_key(&verifier).ok())
            .and_then(|(alg, key)| {
                AccessTokenHash::from_token(tokens.access_token(), alg, key).ok()
            });
        if actual.as_ref() != Some(expected) {
            tracing::info!(reason = "at_hash", "e-ID sign-in refused: ID token invalid");
            return Err(Retry::No);
        }
    }
    serde_json::to_value(claims).map_err(|e| {
        tracing::error!(error = %e, "ID token claims could not be read");
        Retry::No
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_flow_cookie_round_trips_and_refuses_junk() {
        let flow = Flow {
            state: "abc-_1".into(),
            nonce: "n0nce".into(),
            verifier: "v".repeat(43),
            next: "/tai-khoan?x=ố&y=1".into(),
        };
        assert_eq!(Flow::decode(&flow.encode()), Some(flow));
        assert_eq!(Flow::decode("a.b.c"), None);
        assert_eq!(Flow::decode("a.b.c.zz"), None);
        assert_eq!(Flow::decode("a;b.b.c."), None);
        assert_eq!(Flow::decode("a.b.c..x"), None);
    }

    fn oidc() -> Oidc {
        Oidc::new(OidcConfig::new(
            "https://id.example.vn",
            "motcua",
            None,
            "https://dichvucong.example.vn/dang-nhap/eid/ve",
        ))
        .unwrap()
    }

    #[test]
    fn claims_map_to_an_identity_with_sub_as_a_fallback_only_when_valid() {
        let oidc = oidc();
        let claims = serde_json::json!({
            "iss": "https://id.example.vn", "sub": "abc", "personal_id": "027190123456",
            "name": "Trần Thị Bình", "acr": "2",
        });
        let id = oidc.identity(&claims).unwrap();
        assert_eq!(id.personal_id, "027190123456");
        assert_eq!(id.subject, "abc");
        assert_eq!(id.name.as_deref(), Some("Trần Thị Bình"));
        assert_eq!(id.eid_level, 2);
        let by_sub = serde_json::json!({"iss": "i", "sub": "027190123456", "acr": ["1"]});
        let id = oidc.identity(&by_sub).unwrap();
        assert_eq!((id.personal_id.as_str(), id.eid_level), ("027190123456", 1));
        assert!(id.name.is_none());
        let neither = serde_json::json!({"iss": "i", "sub": "abc", "personal_id": "12"});
        assert!(matches!(
            oidc.identity(&neither),
            Err(OidcError::Refused(_))
        ));
    }

    #[test]
    fn the_secret_is_hidden() {
        let secret = OidcSecret::new("s3cret");
        assert_eq!(format!("{secret:?}"), "OidcSecret(***)");
        assert_eq!(serde_json::to_string(&secret).unwrap(), "\"***\"");
    }
}
