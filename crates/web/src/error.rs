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
    /// The request cannot be read at all (malformed JSON, a broken query string).
    #[error("{message}")]
    Malformed {
        /// What is wrong, in both languages.
        message: String,
        /// The part of the request to blame (`body`, `query`, or a JSON path).
        field: Option<String>,
    },
    /// The body is not of a media type the endpoint reads.
    #[error("{0}")]
    UnsupportedMediaType(String),
    /// The request took longer than the server allows.
    #[error("yêu cầu quá thời gian cho phép, hãy thử lại / the request took too long, try again")]
    Timeout,
    /// The path exists, but not with this method.
    #[error("phương thức không được hỗ trợ tại địa chỉ này / method not allowed at this address")]
    MethodNotAllowed,
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
            AppError::Malformed { .. } => StatusCode::BAD_REQUEST,
            AppError::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            AppError::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            AppError::Timeout => StatusCode::REQUEST_TIMEOUT,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The field to blame, if one is named.
    pub fn field(&self) -> Option<&str> {
        match self {
            AppError::Invalid { field, .. } | AppError::Malformed { field, .. } => field.as_deref(),
            _ => None,
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
            AppError::Malformed { .. } => "malformed",
            AppError::UnsupportedMediaType(_) => "unsupported_media_type",
            AppError::MethodNotAllowed => "method_not_allowed",
            AppError::Timeout => "timeout",
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
#[derive(Debug, Serialize, utoipa::ToSchema)]
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
    /// The field to blame, if any: the first of [`Problem::errors`] when there are several.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// Every field to blame with its message, when the input has several problems.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldProblem>,
}

/// One field's problem within a [`Problem`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct FieldProblem {
    /// The field (a JSON path such as `applicant.personal_id`, or a query parameter).
    pub field: String,
    /// What is wrong with it, Vietnamese then English.
    pub detail: String,
}

/// Splits a message of the service's form `field: vi / en; other: vi / en` into its field
/// problems. Services name the field as the message's prefix (the convention of
/// `ServiceError::Invalid`); a message without one yields nothing.
pub fn field_problems(message: &str) -> Vec<FieldProblem> {
    message
        .split("; ")
        .filter_map(|part| {
            let (field, detail) = part.split_once(": ")?;
            let plausible = !field.is_empty()
                && field.len() <= 64
                && field
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "_.-[]".contains(c));
            plausible.then(|| FieldProblem {
                field: field.to_owned(),
                detail: detail.to_owned(),
            })
        })
        .collect()
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
        let detail = e.public_message();
        // A program needs the field as data, not inside the text: take it from the message
        // when the service named it there.
        let errors = match &e {
            AppError::Invalid { .. } => field_problems(&detail),
            _ => Vec::new(),
        };
        let field = e
            .field()
            .map(str::to_owned)
            .or_else(|| errors.first().map(|p| p.field.clone()));
        let problem = Problem {
            kind: format!("urn:motcua:problem:{}", e.code()),
            title: e.code(),
            status: e.status().as_u16(),
            detail,
            code: e.code(),
            field,
            errors,
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_service_message_yields_its_fields() {
        let problems =
            field_problems("name: thiếu tên / the name is missing; scopes: hãy chọn / choose one");
        let fields: Vec<&str> = problems.iter().map(|p| p.field.as_str()).collect();
        assert_eq!(fields, ["name", "scopes"]);
        assert_eq!(problems[1].detail, "hãy chọn / choose one");
        // Prose before a colon is not a field.
        assert!(field_problems("Mã hồ sơ: sai / Dossier code: wrong").is_empty());
    }
}
