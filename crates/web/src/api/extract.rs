//! What every API handler shares: JSON bodies and query strings that fail with a 4xx
//! naming the field, the pagination scheme, and the optional caller of public endpoints.

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Query, Request};
use axum::http::header;
use axum::http::request::Parts;
use http_body_util::{BodyExt, LengthLimitError, Limited};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::auth::{ApiAuthRejection, ApiCaller};
use crate::error::{ApiError, AppError};

/// Largest JSON body an API endpoint reads, in bytes: every body of this API is a form's
/// worth of text; files are not sent as JSON.
pub const MAX_JSON_BYTES: usize = 256 * 1024;

/// Items per page when `limit` is not given.
pub const DEFAULT_LIMIT: u32 = 50;

/// Most items a page may hold.
pub const MAX_LIMIT: u32 = 200;

/// A JSON body. Unlike `axum::Json`, every failure is a problem document: a body that is
/// not JSON → `400 malformed`, a value of the wrong type, a missing field or an unknown
/// enum value → `422 invalid_input` naming the field by its JSON path, another media type →
/// `415`, more than [`MAX_JSON_BYTES`] → `413`.
#[derive(Debug, Clone)]
pub struct ApiJson<T>(pub T);

impl<S, T> FromRequest<S> for ApiJson<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, _state: &S) -> Result<Self, Self::Rejection> {
        let media_type = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(|v| {
                v.split(';')
                    .next()
                    .unwrap_or_default()
                    .trim()
                    .to_ascii_lowercase()
            });
        let is_json = media_type.as_deref().is_some_and(|m| {
            m == "application/json" || (m.starts_with("application/") && m.ends_with("+json"))
        });
        if !is_json {
            return Err(ApiError(AppError::UnsupportedMediaType(
                "nội dung phải là JSON (Content-Type: application/json) / the body must be JSON (Content-Type: application/json)".into(),
            )));
        }
        let bytes = read_body(req).await?;
        parse_json(&bytes).map(ApiJson)
    }
}

/// The body, at most [`MAX_JSON_BYTES`] long.
async fn read_body(req: Request) -> Result<Bytes, ApiError> {
    match Limited::new(req.into_body(), MAX_JSON_BYTES)
        .collect()
        .await
    {
        Ok(collected) => Ok(collected.to_bytes()),
        Err(e) if e.downcast_ref::<LengthLimitError>().is_some() => Err(too_large()),
        // The global body limit (tower-http) reports through the same error type, wrapped.
        Err(e) if std::error::Error::source(&*e).is_some_and(|s| s.is::<LengthLimitError>()) => {
            Err(too_large())
        }
        Err(_) => Err(ApiError(AppError::Malformed {
            message: "không đọc được nội dung yêu cầu / the request body could not be read".into(),
            field: Some("body".into()),
        })),
    }
}

fn too_large() -> ApiError {
    ApiError(AppError::TooLarge(format!(
        "nội dung quá lớn (tối đa {MAX_JSON_BYTES} byte) / the body is too large (at most {MAX_JSON_BYTES} bytes)"
    )))
}

/// Deserializes `bytes` as `T`, naming the field to blame when it fails.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    let value: T = serde_path_to_error::deserialize(&mut deserializer).map_err(|e| {
        let path = e.path().to_string();
        json_problem(&path, e.inner())
    })?;
    // Trailing characters after the value: not one JSON document.
    deserializer.end().map_err(|e| json_problem(".", &e))?;
    Ok(value)
}

/// The problem for a body that failed to deserialize at `path`.
fn json_problem(path: &str, e: &serde_json::Error) -> ApiError {
    use serde_json::error::Category;
    let message = without_position(&e.to_string());
    match e.classify() {
        Category::Syntax | Category::Eof | Category::Io => ApiError(AppError::Malformed {
            message: format!(
                "nội dung không phải JSON hợp lệ / the body is not valid JSON: {message}"
            ),
            field: Some("body".into()),
        }),
        Category::Data => {
            // serde reports a missing or unknown field at its parent: name the field itself.
            let named = ["missing field `", "unknown field `"]
                .iter()
                .find_map(|prefix| message.strip_prefix(prefix))
                .and_then(|rest| rest.split('`').next());
            let field = match (path, named) {
                ("." | "", Some(name)) => name.to_owned(),
                // An unknown field is already part of the path; a missing one is not.
                (path, Some(name)) if path.rsplit('.').next() == Some(name) => path.to_owned(),
                (parent, Some(name)) => format!("{parent}.{name}"),
                ("." | "", None) => "body".to_owned(),
                (path, None) => path.to_owned(),
            };
            let vi = if message.starts_with("missing field") {
                "thiếu trường bắt buộc"
            } else if message.starts_with("unknown field") {
                "trường không được hỗ trợ"
            } else if message.starts_with("unknown variant") {
                "giá trị không nằm trong các giá trị cho phép"
            } else {
                "giá trị không hợp lệ"
            };
            ApiError(AppError::Invalid {
                message: format!("{field}: {vi} / {message}"),
                field: Some(field),
            })
        }
    }
}

/// serde_json's messages end with " at line L column C"; the field is named already.
pub fn without_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(i) => message[..i].to_owned(),
        None => message.to_owned(),
    }
}

/// A query string. The query types of this API take every parameter as text and parse it
/// themselves, so a bad value is a `422` naming the parameter; only a query string that is
/// not form-encoded at all fails here (`400`).
#[derive(Debug, Clone)]
pub struct ApiQuery<T>(pub T);

impl<S, T> FromRequestParts<S> for ApiQuery<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match Query::<T>::from_request_parts(parts, state).await {
            Ok(Query(value)) => Ok(ApiQuery(value)),
            Err(rejection) => Err(ApiError(AppError::Malformed {
                message: format!(
                    "chuỗi truy vấn không hợp lệ / the query string is invalid: {}",
                    rejection.body_text()
                ),
                field: Some("query".into()),
            })),
        }
    }
}

/// An invalid query parameter or body field.
pub fn invalid(field: &str, vi: &str, en: &str) -> ApiError {
    ApiError(AppError::invalid(field, vi, en))
}

/// `limit` and `cursor`: how every list of this API is paged.
///
/// A page holds `limit` items (1–200, default 50). Its `next` is the cursor of the next
/// page, absent on the last; pass it back unchanged as `cursor` with the same filters. A
/// cursor is opaque: its form may change between versions.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageParams {
    /// Items per page, 1–200 (default 50).
    #[param(value_type = Option<u32>, minimum = 1, maximum = 200)]
    pub limit: Option<String>,
    /// The `next` of the previous page; absent for the first page.
    pub cursor: Option<String>,
}

/// Where a page starts and how long it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Paging {
    /// Items to skip.
    pub offset: u64,
    /// Items to return.
    pub limit: u32,
}

/// The prefix of cursors: a version mark, so a later form can be told apart.
const CURSOR_PREFIX: &str = "o1.";

impl PageParams {
    /// The page asked for, with at most `max` items.
    ///
    /// # Errors
    /// `422` naming `limit` or `cursor`.
    pub fn paging(&self, max: u32) -> Result<Paging, ApiError> {
        let limit = match self.limit.as_deref().map(str::trim) {
            None | Some("") => DEFAULT_LIMIT.min(max),
            Some(text) => match text.parse::<u32>() {
                Ok(n) if (1..=max).contains(&n) => n,
                _ => {
                    return Err(invalid(
                        "limit",
                        &format!("phải là số nguyên từ 1 đến {max}"),
                        &format!("must be a whole number from 1 to {max}"),
                    ));
                }
            },
        };
        let offset = match self.cursor.as_deref().map(str::trim) {
            None | Some("") => 0,
            Some(text) => text
                .strip_prefix(CURSOR_PREFIX)
                .and_then(|n| n.parse::<u64>().ok())
                .ok_or_else(|| {
                    invalid(
                        "cursor",
                        "con trỏ trang không hợp lệ; hãy dùng giá trị next của trang trước",
                        "the cursor is invalid; pass the previous page's next unchanged",
                    )
                })?,
        };
        Ok(Paging { offset, limit })
    }
}

impl Paging {
    /// The cursor after a page of `returned` items out of `total`: `None` on the last page.
    pub fn next(&self, returned: usize, total: u64) -> Option<String> {
        let end = self.offset + returned as u64;
        (returned > 0 && end < total).then(|| format!("{CURSOR_PREFIX}{end}"))
    }

    /// The page of an in-memory list.
    pub fn slice<T>(&self, all: Vec<T>) -> (Vec<T>, Option<String>) {
        let total = all.len() as u64;
        let items: Vec<T> = all
            .into_iter()
            .skip(usize::try_from(self.offset).unwrap_or(usize::MAX))
            .take(self.limit as usize)
            .collect();
        let next = self.next(items.len(), total);
        (items, next)
    }
}

/// One page of a list.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Page<T> {
    /// The items of this page.
    pub items: Vec<T>,
    /// The cursor of the next page, absent on the last page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next: Option<String>,
    /// How many items match in all.
    pub total: u64,
}

/// The caller of an endpoint that is also open to the public: `None` without credentials; a
/// credential that is sent must be valid.
///
/// # Errors
/// The extractor's refusal for an invalid token or a failed lookup.
pub fn optional_caller(
    caller: Result<ApiCaller, ApiAuthRejection>,
) -> Result<Option<ApiCaller>, ApiAuthRejection> {
    match caller {
        Ok(caller) => Ok(Some(caller)),
        Err(ApiAuthRejection::Unauthenticated {
            invalid_token: false,
        }) => Ok(None),
        // A public endpoint reads nothing on the session's behalf: no CSRF check is needed.
        Err(ApiAuthRejection::Csrf) => Ok(None),
        Err(other) => Err(other),
    }
}

/// Text parameters: blank counts as absent.
pub fn given(text: &Option<String>) -> Option<&str> {
    text.as_deref().map(str::trim).filter(|t| !t.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[expect(dead_code, reason = "only deserialized")]
    struct Body {
        applicant: Applicant,
    }

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[expect(dead_code, reason = "only deserialized")]
    struct Applicant {
        name: String,
        age: Option<u32>,
    }

    fn field_of(json: &str) -> (u16, Option<String>) {
        let e = parse_json::<Body>(json.as_bytes()).unwrap_err().0;
        (e.status().as_u16(), e.field().map(str::to_owned))
    }

    #[test]
    fn a_bad_body_names_its_field() {
        assert_eq!(field_of("{"), (400, Some("body".into())));
        assert_eq!(
            field_of(r#"{"applicant": {"name": "A"}} x"#),
            (400, Some("body".into()))
        );
        assert_eq!(field_of("{}"), (422, Some("applicant".into())));
        assert_eq!(
            field_of(r#"{"applicant": {}}"#),
            (422, Some("applicant.name".into()))
        );
        assert_eq!(
            field_of(r#"{"applicant": {"name": "A", "age": "x"}}"#),
            (422, Some("applicant.age".into()))
        );
        assert_eq!(
            field_of(r#"{"applicant": {"name": "A", "nick": 1}}"#),
            (422, Some("applicant.nick".into()))
        );
    }

    #[test]
    fn pages_are_cut_by_limit_and_cursor() {
        let params = |limit: Option<&str>, cursor: Option<&str>| PageParams {
            limit: limit.map(str::to_owned),
            cursor: cursor.map(str::to_owned),
        };
        let first = params(None, None).paging(MAX_LIMIT).unwrap();
        assert_eq!(
            first,
            Paging {
                offset: 0,
                limit: DEFAULT_LIMIT
            }
        );
        let next = first.next(50, 120).unwrap();
        let second = params(None, Some(&next)).paging(MAX_LIMIT).unwrap();
        assert_eq!(second.offset, 50);
        assert_eq!(second.next(50, 100), None, "the last page has no next");
        assert!(params(Some("0"), None).paging(MAX_LIMIT).is_err());
        assert!(params(Some("201"), None).paging(MAX_LIMIT).is_err());
        assert!(params(Some("150"), None).paging(100).is_err());
        assert!(params(None, Some("42")).paging(MAX_LIMIT).is_err());
        let (items, next) = Paging {
            offset: 2,
            limit: 2,
        }
        .slice(vec![1, 2, 3, 4, 5]);
        assert_eq!((items, next.is_some()), (vec![3, 4], true));
    }
}
