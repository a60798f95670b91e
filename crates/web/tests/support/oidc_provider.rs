//! A small OpenID provider for tests, served by axum on `127.0.0.1:0`.
//!
//! - `GET /.well-known/openid-configuration`: discovery.
//! - `GET /jwks`: the public key (RS256).
//! - `GET /authorize`: checks the client, redirect URI and PKCE method, then redirects back
//!   at once with a code for the configured test user (or with `error=access_denied`).
//! - `POST /token`: checks HTTP Basic client authentication, the code, the redirect URI and
//!   the PKCE verifier, and answers with an ID token signed with RS256 — or a deliberately
//!   bad one ([`Tamper`]), so tests can check that the relying party refuses it.
//!
//! **Key material**: a 2048-bit RSA key generated when the tests start (never committed);
//! a second one signs the "unknown key" case.
#![allow(
    dead_code,
    reason = "each test binary uses a different part of the support code"
)]
#![allow(clippy::unwrap_used, reason = "test support fails the test loudly")]
#![allow(clippy::expect_used, reason = "test support fails the test loudly")]

use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex};

use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Json, Router};
use chrono::{DateTime, TimeDelta, Utc};
use openidconnect::core::{
    CoreGenderClaim, CoreJsonWebKeySet, CoreJweContentEncryptionAlgorithm, CoreJwsSigningAlgorithm,
    CoreProviderMetadata, CoreResponseType, CoreRsaPrivateSigningKey, CoreSubjectIdentifierType,
};
use openidconnect::{
    AccessToken, AdditionalClaims, Audience, AuthUrl, AuthenticationContextClass,
    EmptyAdditionalProviderMetadata, IdToken, IdTokenClaims, IssuerUrl, JsonWebKeyId,
    JsonWebKeySetUrl, Nonce, PrivateSigningKey, ResponseTypes, StandardClaims, SubjectIdentifier,
    TokenUrl,
};
use rsa::pkcs1::{EncodeRsaPrivateKey, LineEnding};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The client the tests register at the provider.
pub const CLIENT_ID: &str = "motcua-test";
/// Its secret (a test value, nothing real).
pub const CLIENT_SECRET: &str = "test-only-client-secret";
/// The address the provider sends browsers back to: the app under test runs in-process, so
/// only the path matters.
pub const REDIRECT_URL: &str = "http://motcua.test/dang-nhap/eid/ve";

/// Two RSA keys in PKCS#1 PEM, made once per test binary: the provider's, and a stranger's.
static KEYS: LazyLock<(String, String)> = LazyLock::new(|| {
    let make = || {
        rsa::RsaPrivateKey::new(&mut rand_08::thread_rng(), 2048)
            .expect("generate an RSA test key")
            .to_pkcs1_pem(LineEnding::LF)
            .expect("encode the RSA test key")
            .to_string()
    };
    (make(), make())
});

/// Claims beyond the standard ones (the personal ID, and the name as a plain string).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct TestClaims(HashMap<String, serde_json::Value>);

impl AdditionalClaims for TestClaims {}

type TestIdToken = IdToken<
    TestClaims,
    CoreGenderClaim,
    CoreJweContentEncryptionAlgorithm,
    CoreJwsSigningAlgorithm,
>;

/// What is wrong with the ID token the provider hands out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tamper {
    /// Nothing: a valid token.
    None,
    /// The payload of a token for someone else under this token's signature.
    Payload,
    /// A nonce other than the one the client sent.
    Nonce,
    /// Issued to another client.
    Audience,
    /// Issued by another issuer.
    Issuer,
    /// Expired an hour before the provider's clock.
    Expired,
    /// Signed with a key that is not in the JWKS.
    UnknownKey,
}

/// The person who signs in.
#[derive(Debug, Clone)]
pub struct TestUser {
    /// `sub`.
    pub subject: String,
    /// The `personal_id` claim, if any.
    pub personal_id: Option<String>,
    /// The `name` claim, if any.
    pub name: Option<String>,
    /// The `acr` claim, if any.
    pub acr: Option<String>,
}

/// How the provider behaves; change it between steps with [`TestProvider::set`].
#[derive(Debug, Clone)]
pub struct Settings {
    /// The user who signs in.
    pub user: TestUser,
    /// The provider's clock (the app under test has a fixed clock too).
    pub now: DateTime<Utc>,
    /// Refuse consent: redirect back with `error=access_denied`.
    pub deny: bool,
    /// Hand out a bad ID token.
    pub tamper: Tamper,
}

struct Pending {
    nonce: String,
    challenge: String,
    redirect_uri: String,
}

struct Shared {
    issuer: String,
    settings: Mutex<Settings>,
    codes: Mutex<HashMap<String, Pending>>,
    key: CoreRsaPrivateSigningKey,
    stranger: CoreRsaPrivateSigningKey,
    /// Requests to the token endpoint, for assertions.
    token_requests: Mutex<u32>,
}

/// A running test provider.
pub struct TestProvider {
    /// Its issuer URL (`http://127.0.0.1:PORT`).
    pub issuer: String,
    shared: Arc<Shared>,
    server: tokio::task::JoinHandle<()>,
}

impl Drop for TestProvider {
    fn drop(&mut self) {
        self.server.abort();
    }
}

impl TestProvider {
    /// Starts a provider on `127.0.0.1:0` whose user is `user` and whose clock reads `now`.
    pub async fn start(user: TestUser, now: DateTime<Utc>) -> TestProvider {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let issuer = format!("http://{}", listener.local_addr().unwrap());
        let (pem, stranger_pem) = &*KEYS;
        let shared = Arc::new(Shared {
            issuer: issuer.clone(),
            settings: Mutex::new(Settings {
                user,
                now,
                deny: false,
                tamper: Tamper::None,
            }),
            codes: Mutex::new(HashMap::new()),
            key: CoreRsaPrivateSigningKey::from_pem(pem, Some(JsonWebKeyId::new("test-1".into())))
                .unwrap(),
            stranger: CoreRsaPrivateSigningKey::from_pem(
                stranger_pem,
                Some(JsonWebKeyId::new("test-1".into())),
            )
            .unwrap(),
            token_requests: Mutex::new(0),
        });
        let app = Router::new()
            .route("/.well-known/openid-configuration", get(discovery))
            .route("/jwks", get(jwks))
            .route("/authorize", get(authorize))
            .route("/token", post(token))
            .with_state(shared.clone());
        let server = tokio::spawn(async move {
            axum::serve(listener, app).await.unwrap();
        });
        TestProvider {
            issuer,
            shared,
            server,
        }
    }

    /// Changes how the provider behaves.
    pub fn set(&self, change: impl FnOnce(&mut Settings)) {
        change(&mut self.shared.settings.lock().unwrap());
    }

    /// How many token requests it answered.
    pub fn token_requests(&self) -> u32 {
        *self.shared.token_requests.lock().unwrap()
    }

    /// What the browser does at the provider: GET the authorization URL and return where
    /// the provider redirects it (the callback URL on the app under test).
    pub async fn visit(&self, authorize_url: &str) -> String {
        let client = openidconnect::reqwest::Client::builder()
            .redirect(openidconnect::reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        let response = client.get(authorize_url).send().await.unwrap();
        assert_eq!(
            response.status(),
            StatusCode::SEE_OTHER,
            "{}",
            response.text().await.unwrap_or_default()
        );
        response
            .headers()
            .get(header::LOCATION)
            .unwrap()
            .to_str()
            .unwrap()
            .to_owned()
    }
}

async fn discovery(State(shared): State<Arc<Shared>>) -> Json<serde_json::Value> {
    let issuer = &shared.issuer;
    let metadata = CoreProviderMetadata::new(
        IssuerUrl::new(issuer.clone()).unwrap(),
        AuthUrl::new(format!("{issuer}/authorize")).unwrap(),
        JsonWebKeySetUrl::new(format!("{issuer}/jwks")).unwrap(),
        vec![ResponseTypes::new(vec![CoreResponseType::Code])],
        vec![CoreSubjectIdentifierType::Public],
        vec![CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha256],
        EmptyAdditionalProviderMetadata {},
    )
    .set_token_endpoint(Some(TokenUrl::new(format!("{issuer}/token")).unwrap()));
    Json(serde_json::to_value(metadata).unwrap())
}

async fn jwks(State(shared): State<Arc<Shared>>) -> Json<serde_json::Value> {
    let set = CoreJsonWebKeySet::new(vec![shared.key.as_verification_key()]);
    Json(serde_json::to_value(set).unwrap())
}

fn bad_request(what: &str) -> Response {
    (StatusCode::BAD_REQUEST, what.to_owned()).into_response()
}

async fn authorize(
    State(shared): State<Arc<Shared>>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let field = |name: &str| q.get(name).cloned().unwrap_or_default();
    if field("response_type") != "code" {
        return bad_request("response_type must be code");
    }
    if field("client_id") != CLIENT_ID {
        return bad_request("unknown client");
    }
    if field("redirect_uri") != REDIRECT_URL {
        return bad_request("redirect_uri not registered");
    }
    if field("code_challenge_method") != "S256" || field("code_challenge").is_empty() {
        return bad_request("PKCE S256 required");
    }
    if field("state").is_empty() || field("nonce").is_empty() {
        return bad_request("state and nonce required");
    }
    if !field("scope").split(' ').any(|s| s == "openid") {
        return bad_request("scope openid required");
    }
    let mut back = openidconnect::url::Url::parse(REDIRECT_URL).unwrap();
    if shared.settings.lock().unwrap().deny {
        back.query_pairs_mut()
            .append_pair("error", "access_denied")
            .append_pair("state", &field("state"));
        return Redirect::to(back.as_str()).into_response();
    }
    let code = format!("code-{}", hex(&Sha256::digest(field("nonce").as_bytes())));
    shared.codes.lock().unwrap().insert(
        code.clone(),
        Pending {
            nonce: field("nonce"),
            challenge: field("code_challenge"),
            redirect_uri: field("redirect_uri"),
        },
    );
    back.query_pairs_mut()
        .append_pair("code", &code)
        .append_pair("state", &field("state"));
    Redirect::to(back.as_str()).into_response()
}

fn oauth_error(status: StatusCode, error: &str) -> Response {
    (status, Json(serde_json::json!({ "error": error }))).into_response()
}

async fn token(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    *shared.token_requests.lock().unwrap() += 1;
    let field = |name: &str| form.get(name).cloned().unwrap_or_default();
    // HTTP Basic with the form-urlencoded id and secret (RFC 6749 §2.3.1).
    let expected = format!(
        "Basic {}",
        base64(format!("{CLIENT_ID}:{CLIENT_SECRET}").as_bytes(), STANDARD)
    );
    let sent = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    if sent != Some(expected.as_str()) {
        return oauth_error(StatusCode::UNAUTHORIZED, "invalid_client");
    }
    if field("grant_type") != "authorization_code" {
        return oauth_error(StatusCode::BAD_REQUEST, "unsupported_grant_type");
    }
    // A code is used once.
    let Some(pending) = shared.codes.lock().unwrap().remove(&field("code")) else {
        return oauth_error(StatusCode::BAD_REQUEST, "invalid_grant");
    };
    if field("redirect_uri") != pending.redirect_uri {
        return oauth_error(StatusCode::BAD_REQUEST, "invalid_grant");
    }
    let challenge = base64(&Sha256::digest(field("code_verifier").as_bytes()), URL_SAFE);
    if challenge != pending.challenge {
        return oauth_error(StatusCode::BAD_REQUEST, "invalid_grant");
    }
    let settings = shared.settings.lock().unwrap().clone();
    let access_token = AccessToken::new(format!("at-{}", &challenge[..16]));
    let id_token = match settings.tamper {
        Tamper::Payload => {
            // This token's header and signature around someone else's claims.
            let genuine = sign(&shared, &settings, &pending.nonce, &access_token).to_string();
            let mut other = settings;
            other.user.personal_id = Some("024085000123".into());
            other.user.subject = "someone-else".into();
            let forged = sign(&shared, &other, &pending.nonce, &access_token).to_string();
            let g: Vec<&str> = genuine.split('.').collect();
            let f: Vec<&str> = forged.split('.').collect();
            format!("{}.{}.{}", g[0], f[1], g[2])
        }
        _ => sign(&shared, &settings, &pending.nonce, &access_token).to_string(),
    };
    Json(serde_json::json!({
        "access_token": access_token.secret(),
        "token_type": "Bearer",
        "expires_in": 300,
        "id_token": id_token,
    }))
    .into_response()
}

/// An ID token for the settings' user, spoiled as the settings say.
fn sign(
    shared: &Shared,
    settings: &Settings,
    nonce: &str,
    access_token: &AccessToken,
) -> TestIdToken {
    let user = &settings.user;
    let issuer = match settings.tamper {
        Tamper::Issuer => "http://issuer.invalid".to_owned(),
        _ => shared.issuer.clone(),
    };
    let audience = match settings.tamper {
        Tamper::Audience => "another-client",
        _ => CLIENT_ID,
    };
    let nonce = match settings.tamper {
        Tamper::Nonce => "not-the-nonce-you-sent".to_owned(),
        _ => nonce.to_owned(),
    };
    let (issued, expires) = match settings.tamper {
        Tamper::Expired => (
            settings.now - TimeDelta::hours(2),
            settings.now - TimeDelta::hours(1),
        ),
        _ => (settings.now, settings.now + TimeDelta::minutes(5)),
    };
    let mut extra = HashMap::new();
    if let Some(id) = &user.personal_id {
        extra.insert("personal_id".to_owned(), serde_json::json!(id));
    }
    if let Some(name) = &user.name {
        extra.insert("name".to_owned(), serde_json::json!(name));
    }
    let claims = IdTokenClaims::new(
        IssuerUrl::new(issuer).unwrap(),
        vec![Audience::new(audience.to_owned())],
        expires,
        issued,
        StandardClaims::new(SubjectIdentifier::new(user.subject.clone())),
        TestClaims(extra),
    )
    .set_nonce(Some(Nonce::new(nonce)))
    .set_auth_context_ref(user.acr.clone().map(AuthenticationContextClass::new));
    let key = match settings.tamper {
        Tamper::UnknownKey => &shared.stranger,
        _ => &shared.key,
    };
    TestIdToken::new(
        claims,
        key,
        CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha256,
        Some(access_token),
        None,
    )
    .unwrap()
}

const STANDARD: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const URL_SAFE: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// Base64 with `alphabet`: padded for the standard one, unpadded for the URL-safe one (as
/// HTTP Basic and PKCE want them).
fn base64(bytes: &[u8], alphabet: &[u8; 64]) -> String {
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..=chunk.len() {
            out.push(char::from(alphabet[((n >> (18 - 6 * i)) & 63) as usize]));
        }
        if alphabet == STANDARD {
            for _ in chunk.len()..3 {
                out.push('=');
            }
        }
    }
    out
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[test]
fn base64_matches_the_rfc_4648_examples() {
    assert_eq!(base64(b"foobar", STANDARD), "Zm9vYmFy");
    assert_eq!(base64(b"fooba", STANDARD), "Zm9vYmE=");
    assert_eq!(base64(b"foob", STANDARD), "Zm9vYg==");
    assert_eq!(base64(&[0xfb, 0xff], URL_SAFE), "-_8");
}
