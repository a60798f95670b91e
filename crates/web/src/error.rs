//! The one place where domain, storage and service errors meet HTTP statuses.
//!
//! Pages answer with an HTML error page, the API with `application/problem+json` (RFC 9457)
//! carrying a stable `code` and a message in Vietnamese and English. A 5xx is logged once with
//! its cause and answered with a generic message and the request id, never the cause.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use motcua_service::ServiceError;
use motcua_storage::StoreError;
use serde::Serialize;

/// Why a request did not succeed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AppError {
    /// No such page or record.
    #[error("{0}")]
    NotFound(String),
    /// Not signed in where an account is needed.
    #[error("cần đăng nhập / sign-in required")]
    Unauthenticated,
    /// Signed in, but not allowed.
    #[error("{0}")]
    Forbidden(String),
    /// The input is invalid; the message names the field.
    #[error("{message}")]
    Invalid {
        /// What is wrong, in both languages.
        message: String,
        /// The offending field, when one is to blame.
        field: Option<String>,
    },
    /// Someone else changed the record first, or the key is taken.
    #[error("{0}")]
    Conflict(String),
    /// A rule forbids the change (illegal transition, deadline passed, …).
    #[error("{0}")]
    Refused(String),
    /// Too many attempts; try later.
    #[error("quá nhiều yêu cầu, hãy thử lại sau / too many requests, try again later")]
    TooManyRequests,
    /// The body is larger than allowed.
    #[error("{0}")]
    TooLarge(String),
    /// A fault on our side; the cause is logged, not shown.
    #[error("lỗi hệ thống, hãy thử lại / internal error, please try again")]
    Internal(String),
}

impl AppError {
    /// An invalid-input error naming `field`.
    pub fn invalid(field: &str, vi: &str, en: &str) -> AppError {
        AppError::Invalid {
            message: format!("{field}: {vi} / {en}"),
            field: Some(field.to_owned()),
        }
    }

    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        match self {
            AppError::NotFound(_) => StatusCode::NOT_FOUND,
            AppError::Unauthenticated => StatusCode::UNAUTHORIZED,
            AppError::Forbidden(_) => StatusCode::FORBIDDEN,
            AppError::Invalid { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::Conflict(_) => StatusCode::CONFLICT,
            AppError::Refused(_) => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::TooManyRequests => StatusCode::TOO_MANY_REQUESTS,
            AppError::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The stable machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            AppError::NotFound(_) => "not_found",
            AppError::Unauthenticated => "unauthenticated",
            AppError::Forbidden(_) => "forbidden",
            AppError::Invalid { .. } => "invalid_input",
            AppError::Conflict(_) => "conflict",
            AppError::Refused(_) => "refused",
            AppError::TooManyRequests => "too_many_requests",
            AppError::TooLarge(_) => "too_large",
            AppError::Internal(_) => "internal",
        }
    }

    /// The message shown to people (never the cause of a 5xx).
    pub fn public_message(&self) -> String {
        self.to_string()
    }

    fn log(&self) {
        if let AppError::Internal(cause) = self {
            tracing::error!(error.cause = %cause, "request failed");
        }
    }
}

impl From<ServiceError> for AppError {
    fn from(e: ServiceError) -> Self {
        match e {
            ServiceError::Forbidden(m) => AppError::Forbidden(m),
            ServiceError::Invalid(m) => AppError::Invalid {
                message: m,
                field: None,
            },
            ServiceError::Refused(m) => AppError::Refused(m),
            ServiceError::Internal(m) => AppError::Internal(m),
            ServiceError::Store(e) => e.into(),
        }
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound { .. } => AppError::NotFound(e.to_string()),
            StoreError::Conflict { .. } | StoreError::Duplicate { .. } => {
                AppError::Conflict(e.to_string())
            }
            other => AppError::Internal(format!("{other:?}")),
        }
    }
}

/// An RFC 9457 problem document.
#[derive(Debug, Serialize)]
pub struct Problem {
    /// A URI naming the kind of problem.
    #[serde(rename = "type")]
    pub kind: String,
    /// Short title (the code).
    pub title: &'static str,
    /// HTTP status.
    pub status: u16,
    /// Vietnamese, then English.
    pub detail: String,
    /// Stable code for programs.
    pub code: &'static str,
    /// The field to blame, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

/// An error answered as `application/problem+json` (the JSON API).
#[derive(Debug)]
pub struct ApiError(pub AppError);

impl<E: Into<AppError>> From<E> for ApiError {
    fn from(e: E) -> Self {
        ApiError(e.into())
    }
}

impl ApiError {
    /// The response, for places that need one outside a handler (the panic catcher).
    pub fn into_response_now(self) -> Response {
        self.into_response()
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let e = self.0;
        e.log();
        let problem = Problem {
            kind: format!("urn:motcua:problem:{}", e.code()),
            title: e.code(),
            status: e.status().as_u16(),
            detail: e.public_message(),
            code: e.code(),
            field: match &e {
                AppError::Invalid { field, .. } => field.clone(),
                _ => None,
            },
        };
        let body = serde_json::to_vec(&problem).unwrap_or_default();
        let mut response = (e.status(), body).into_response();
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        response
    }
}

/// An error answered as an HTML page (the portal and the back office). The message is
/// bilingual already, so the page needs no language negotiation.
#[derive(Debug)]
pub struct PageError(pub AppError);

impl<E: Into<AppError>> From<E> for PageError {
    fn from(e: E) -> Self {
        PageError(e.into())
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let e = self.0;
        e.log();
        let page = crate::ui::ErrorPage::new(e.status(), &e.public_message());
        (e.status(), Html(page.render_html())).into_response()
    }
}
