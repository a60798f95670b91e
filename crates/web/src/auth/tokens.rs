//! Who is calling the JSON API: a machine client with an API token, or a person with the
//! session cookie of the web pages. [`ApiCaller`] is the extractor API handlers use.
//!
//! - `Authorization: Bearer mct_…` → the token's principal: its role in its agency, limited
//!   to its scopes ([`ApiCaller::require_scope`]); what it changes is recorded with the
//!   token's id as the actor and channel `api`. A bearer header, when present, is the only
//!   credential looked at.
//! - Otherwise the session cookie → the signed-in account, with every scope (its role and
//!   scope still decide, as on the pages). A state-changing request (`POST`, `PUT`, `PATCH`,
//!   `DELETE`) with a cookie must also carry the session's CSRF token in `X-CSRF-Token`, or a
//!   page elsewhere could make the browser call the API.
//! - Neither, or a token unknown, expired or revoked → `401` problem+json with
//!   `WWW-Authenticate: Bearer realm="motcua"` (`error="invalid_token"` when a token was
//!   sent). A missing scope → `403` problem+json naming it.
//!
//! ```ignore
//! use motcua_service::api_tokens::ApiScope;
//! use motcua_web::auth::ApiCaller;
//!
//! async fn worklist(
//!     State(state): State<AppState>,
//!     caller: ApiCaller,
//!     Path(agency): Path<String>,
//! ) -> Result<Json<Vec<Row>>, ApiError> {
//!     caller.require_scope(ApiScope::DossiersRead)?;
//!     // The service checks role and agency as for any actor (`caller.acting`).
//!     let rows = state.services.worklist(&caller.acting, &agency).await?;
//!     Ok(Json(rows))
//! }
//! ```

use axum::extract::{FromRef, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{HeaderValue, Method, header};
use axum::response::{IntoResponse, Response};
use motcua_domain::authz::{Action, Principal, Target};
use motcua_service::Acting;
use motcua_service::accounts;
use motcua_service::api_tokens::{ApiScope, ApiToken};

use crate::auth::{SignedIn, signed_in};
use crate::error::{ApiError, AppError};
use crate::{AppState, REQUEST_ID};

/// The header a cookie-authenticated API request that changes something must carry the
/// session's CSRF token in.
pub const CSRF_HEADER: &str = "x-csrf-token";

/// What authenticated an API request.
#[derive(Debug, Clone)]
pub enum Credential {
    /// An API token (machine client).
    Token(ApiToken),
    /// A web session (a person using the API from the browser or a script with the cookie).
    Session(SignedIn),
}

/// The caller of an API request. See the module documentation.
#[derive(Debug, Clone)]
pub struct ApiCaller {
    /// Who acts, through which channel, for every service call (request id included).
    pub acting: Acting,
    /// Where the caller's role applies, for [`ApiCaller::authorize`].
    pub principal: Principal,
    /// The token or session behind it.
    pub credential: Credential,
}

impl ApiCaller {
    /// Requires `scope`: always granted to sessions (their role decides), to tokens only if
    /// issued with it.
    ///
    /// # Errors
    /// `403` problem+json naming the missing scope.
    pub fn require_scope(&self, scope: ApiScope) -> Result<(), ApiError> {
        match &self.credential {
            Credential::Session(_) => Ok(()),
            Credential::Token(token) if token.has_scope(scope) => Ok(()),
            Credential::Token(token) => {
                tracing::debug!(api_token.id = %token.id, scope = scope.as_str(), "scope missing");
                Err(ApiError(AppError::Forbidden(format!(
                    "khóa API thiếu phạm vi {scope} / the API token lacks the scope {scope}"
                ))))
            }
        }
    }

    /// May the caller do `action` to `target`? ([`motcua_domain::authz::authorize`]).
    ///
    /// # Errors
    /// `403` problem+json saying why.
    pub fn authorize(&self, action: Action, target: &Target) -> Result<(), ApiError> {
        accounts::authorize(&self.principal, action, target)
            .map_err(|e| ApiError(AppError::from(e)))
    }

    /// The agency the caller acts for, if any (always one for a token).
    pub fn agency(&self) -> Option<&str> {
        self.acting.actor.agency.as_deref()
    }

    /// The token, when the caller is a machine client.
    pub fn token(&self) -> Option<&ApiToken> {
        match &self.credential {
            Credential::Token(token) => Some(token),
            Credential::Session(_) => None,
        }
    }
}

/// Why [`ApiCaller`] refused a request.
#[derive(Debug)]
pub enum ApiAuthRejection {
    /// No credential (`invalid_token` false) or a token that is unknown, expired or revoked.
    Unauthenticated {
        /// Whether a bearer token was sent (and refused).
        invalid_token: bool,
    },
    /// A cookie-authenticated request that changes something without the CSRF header.
    Csrf,
    /// The lookup failed.
    Failed(AppError),
}

impl IntoResponse for ApiAuthRejection {
    fn into_response(self) -> Response {
        match self {
            ApiAuthRejection::Unauthenticated { invalid_token } => {
                let mut response = ApiError(AppError::Unauthenticated).into_response();
                let challenge = if invalid_token {
                    "Bearer realm=\"motcua\", error=\"invalid_token\""
                } else {
                    "Bearer realm=\"motcua\""
                };
                response.headers_mut().insert(
                    header::WWW_AUTHENTICATE,
                    HeaderValue::from_static(challenge),
                );
                response
            }
            ApiAuthRejection::Csrf => ApiError(AppError::Forbidden(format!(
                "yêu cầu thay đổi dữ liệu bằng cookie phiên phải kèm tiêu đề {CSRF_HEADER} / \
                 a request that changes data with the session cookie must carry the {CSRF_HEADER} header"
            )))
            .into_response(),
            ApiAuthRejection::Failed(e) => ApiError(e).into_response(),
        }
    }
}

/// The `Authorization: Bearer` value, if the request has one (`Some("")` for a bearer
/// header without a token).
fn bearer(parts: &Parts) -> Option<&str> {
    let value = parts.headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ').unwrap_or((value, ""));
    scheme
        .eq_ignore_ascii_case("bearer")
        .then_some(token.trim())
}

/// The caller resolved for this request, cached in its extensions.
#[derive(Clone)]
struct Resolved(ApiCaller);

impl<S> FromRequestParts<S> for ApiCaller
where
    S: Send + Sync,
    AppState: FromRef<S>,
{
    type Rejection = ApiAuthRejection;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        if let Some(Resolved(caller)) = parts.extensions.get::<Resolved>() {
            return Ok(caller.clone());
        }
        let state = AppState::from_ref(state);
        let request_id = parts
            .headers
            .get(&REQUEST_ID)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let caller = if let Some(secret) = bearer(parts) {
            let token = state
                .services
                .authenticate_api_token(secret)
                .await
                .map_err(|e| ApiAuthRejection::Failed(e.into()))?
                .ok_or(ApiAuthRejection::Unauthenticated {
                    invalid_token: true,
                })?;
            ApiCaller {
                acting: token.acting(request_id),
                principal: token.principal(),
                credential: Credential::Token(token),
            }
        } else {
            let user = signed_in(parts, &state)
                .await
                .map_err(ApiAuthRejection::Failed)?
                .ok_or(ApiAuthRejection::Unauthenticated {
                    invalid_token: false,
                })?;
            let safe = matches!(
                parts.method,
                Method::GET | Method::HEAD | Method::OPTIONS | Method::TRACE
            );
            let header_ok = parts
                .headers
                .get(CSRF_HEADER)
                .and_then(|v| v.to_str().ok())
                .is_some_and(|v| user.session.csrf_matches(v));
            if !safe && !header_ok {
                tracing::debug!(reason = "csrf_header_missing", "API request refused");
                return Err(ApiAuthRejection::Csrf);
            }
            ApiCaller {
                acting: user.acting.clone(),
                principal: user.principal.clone(),
                credential: Credential::Session(user),
            }
        };
        parts.extensions.insert(Resolved(caller.clone()));
        Ok(caller)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::Request;

    fn parts(authorization: &str) -> Parts {
        Request::get("/api/v1/x")
            .header(header::AUTHORIZATION, authorization)
            .body(())
            .unwrap()
            .into_parts()
            .0
    }

    #[test]
    fn the_bearer_scheme_is_case_insensitive_and_others_are_ignored() {
        assert_eq!(bearer(&parts("Bearer mct_abc")), Some("mct_abc"));
        assert_eq!(bearer(&parts("bearer  mct_abc ")), Some("mct_abc"));
        assert_eq!(bearer(&parts("Bearer")), Some(""));
        assert_eq!(bearer(&parts("Basic dXNlcjpwdw==")), None);
    }
}
