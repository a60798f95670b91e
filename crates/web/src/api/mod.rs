//! The JSON API under `/api/v1`: the portal, the one-stop desk and the back office for
//! programs, described by an OpenAPI 3.1 document at `/api/v1/openapi.json`.
//!
//! - **One declaration per route.** Each handler carries its `#[utoipa::path]`, and one
//!   private list, `routes()`, registers the handlers through `utoipa_axum`'s
//!   `OpenApiRouter`: the router and the document are built from it, so a route cannot exist
//!   undocumented. `docs/api/openapi.json` is the committed copy; a test regenerates and
//!   compares it.
//! - **Thin handlers.** Each calls the same use case as the page that does the same thing;
//!   permissions are the service's, plus the token's scopes
//!   ([`crate::auth::ApiCaller::require_scope`]).
//! - **Errors** are `application/problem+json` ([`crate::error::Problem`]) with a stable
//!   `code`, a Vietnamese / English `detail` and, for bad input, the `field` to blame — never
//!   a 500 for a request's shape.
//! - **Lists** are paged with `limit` and an opaque `cursor` ([`extract::PageParams`]) and
//!   answer `{items, next, total}`.

pub mod catalog;
pub mod dossiers;
pub mod extract;
pub mod files;
pub mod imports;
pub mod petitions;
pub mod statistics;
pub mod tasks;
pub mod tracking;
pub mod verification;

use std::sync::Arc;

use axum::extract::Extension;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::{Json, Router};
use serde::Serialize;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, Http, HttpAuthScheme, SecurityScheme};
use utoipa::{Modify, OpenApi, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::error::{ApiError, AppError, FieldProblem, Problem};

/// The document's frame: what `#[utoipa::path]` declarations do not say.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "motcua API",
        description = "Thủ tục hành chính một cửa: danh mục, hồ sơ, tra cứu, phản ánh, thống kê, chỉ đạo và nhiệm vụ. \
/ The one-stop administrative-procedure service: catalogue, dossiers, tracking, petitions, statistics, steering and tasks.\n\n\
Errors are `application/problem+json` with a stable `code`, a `detail` in Vietnamese then English \
(separated by ` / `) and, for invalid input, the `field` to blame (`errors` lists every field when \
there are several). Lists take `limit` (1–200, default 50; the catalogue at most 100) and `cursor` \
(the previous page's `next`, opaque) and answer `{items, next, total}`; `next` is absent on the last page.\n\n\
Authentication: `Authorization: Bearer mct_…` (an API token of one agency with scopes), or the web \
session cookie, with the session's CSRF token in `X-CSRF-Token` on every POST and DELETE.",
        license(name = "AGPL-3.0-or-later", identifier = "AGPL-3.0-or-later"),
    ),
    servers((url = "/api/v1")),
    modifiers(&SecuritySchemes),
    components(schemas(Problem, FieldProblem)),
    tags(
        (name = "catalogue", description = "Danh mục thủ tục / the procedure catalogue"),
        (name = "dossiers", description = "Hồ sơ: nộp, tiếp nhận, xử lý, trả kết quả / dossiers: submission, intake, processing, result"),
        (name = "tracking", description = "Tra cứu không cần tài khoản / tracking without an account"),
        (name = "petitions", description = "Phản ánh, kiến nghị / feedback and petitions"),
        (name = "statistics", description = "Số liệu / statistics"),
        (name = "tasks", description = "Chỉ đạo, nhiệm vụ / steering and tasks"),
        (name = "documents", description = "Xác minh tài liệu điện tử được ký số / verifying sealed electronic documents"),
        (name = "meta", description = "Về API này / about this API"),
    ),
)]
struct ApiDoc;

/// Adds the two ways to authenticate.
struct SecuritySchemes;

impl Modify for SecuritySchemes {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        let mut bearer = Http::new(HttpAuthScheme::Bearer);
        bearer.description = Some(
            "Khóa API `mct_…` của một cơ quan, với các phạm vi dossiers:read, dossiers:write, \
             catalog:read, statistics:read, statistics:write, tasks:read, tasks:write / an API token \
             `mct_…` of one agency, with scopes"
                .into(),
        );
        components.add_security_scheme("bearer", SecurityScheme::Http(bearer));
        components.add_security_scheme(
            "session",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
                "motcua_session",
                "Phiên đăng nhập của trang web; POST và DELETE cần thêm tiêu đề X-CSRF-Token / \
                 the web session; a POST or DELETE also needs the X-CSRF-Token header",
            ))),
        );
    }
}

/// What `GET /` answers.
#[derive(Debug, Serialize, ToSchema)]
pub struct ApiRoot {
    /// `motcua`.
    pub name: &'static str,
    /// The server's version.
    pub version: &'static str,
    /// Where the OpenAPI document is.
    pub openapi: &'static str,
}

/// What the API is.
#[utoipa::path(
    get,
    path = "/",
    tag = "meta",
    operation_id = "find_root",
    responses((status = 200, description = "Name and version", body = ApiRoot)),
    security(()),
)]
async fn find_root() -> Json<ApiRoot> {
    Json(ApiRoot {
        name: "motcua",
        version: env!("CARGO_PKG_VERSION"),
        openapi: "/api/v1/openapi.json",
    })
}

/// The document, rendered once when the router is built.
#[derive(Clone)]
struct Document(Arc<String>);

/// This document.
#[utoipa::path(
    get,
    path = "/openapi.json",
    tag = "meta",
    operation_id = "find_openapi",
    responses((status = 200, description = "The OpenAPI 3.1 document of this API", content_type = "application/json", body = Object)),
    security(()),
)]
async fn find_openapi(Extension(document): Extension<Document>) -> Response {
    (
        [(header::CONTENT_TYPE, "application/json")],
        document.0.as_str().to_owned(),
    )
        .into_response()
}

/// Every route of the API with its declaration. The one list both the router and the
/// document are built from.
fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(find_root))
        .routes(routes!(find_openapi))
        .routes(routes!(catalog::list_procedures))
        .routes(routes!(catalog::find_procedure))
        .routes(routes!(dossiers::list_dossiers, dossiers::create_dossier))
        .routes(routes!(dossiers::find_dossier))
        .routes(routes!(dossiers::list_dossier_events))
        .routes(routes!(dossiers::act_on_dossier))
        .routes(routes!(dossiers::rate_dossier))
        .routes(routes!(dossiers::provide_supplement))
        .routes(routes!(files::list_dossier_files))
        .routes(routes!(files::find_dossier_file))
        .routes(routes!(files::create_file))
        .routes(routes!(tracking::track_dossier))
        .routes(routes!(tracking::rate_tracked_dossier))
        .routes(routes!(
            petitions::list_petitions,
            petitions::create_petition
        ))
        .routes(routes!(petitions::find_petition))
        .routes(routes!(petitions::act_on_petition))
        .routes(routes!(statistics::find_headline))
        .routes(routes!(verification::verify_document_code))
        .routes(routes!(verification::verify_document_file))
        .routes(routes!(
            imports::list_kpi_imports,
            imports::create_kpi_import
        ))
        .routes(routes!(tasks::list_tasks, tasks::create_task))
        .routes(routes!(tasks::find_task_statistics))
        .routes(routes!(tasks::list_tasks_behind_figure))
        .routes(routes!(tasks::find_task))
        .routes(routes!(tasks::act_on_task))
        .routes(routes!(tasks::find_task_file))
        .routes(routes!(tasks::list_meetings, tasks::create_meeting))
        .routes(routes!(tasks::find_meeting))
        .routes(routes!(
            tasks::list_steering_documents,
            tasks::create_steering_document
        ))
        .routes(routes!(tasks::find_steering_document))
        .routes(routes!(tasks::list_notifications))
        .routes(routes!(tasks::retry_notification))
        .routes(routes!(
            tasks::list_notification_subscriptions,
            tasks::create_notification_subscription
        ))
        .routes(routes!(tasks::delete_notification_subscription))
}

/// The OpenAPI document of the API, as served at `/api/v1/openapi.json`.
pub fn openapi() -> utoipa::openapi::OpenApi {
    routes().into_openapi()
}

/// The document as served and committed (`docs/api/openapi.json`): pretty JSON with a final
/// newline.
///
/// # Errors
/// Serialization failure (not expected: the document is plain data).
pub fn openapi_json() -> Result<String, serde_json::Error> {
    let mut text = openapi().to_pretty_json()?;
    text.push('\n');
    Ok(text)
}

/// Answers the refusals the server's outer layers make on their own — a body over the
/// global limit (`413`), a request that took too long (`408`) — as problem documents when the
/// request was for the API; pages keep the layers' own answers.
pub async fn problems_for_outer_refusals(
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let for_api = request.uri().path().starts_with("/api/");
    let response = next.run(request).await;
    let is_problem = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/problem+json"));
    if !for_api || is_problem {
        return response;
    }
    match response.status() {
        axum::http::StatusCode::PAYLOAD_TOO_LARGE => ApiError(AppError::TooLarge(
            "nội dung yêu cầu quá lớn / the request body is too large".into(),
        ))
        .into_response(),
        axum::http::StatusCode::REQUEST_TIMEOUT => ApiError(AppError::Timeout).into_response(),
        _ => response,
    }
}

async fn not_found() -> ApiError {
    ApiError(AppError::NotFound(
        "không có tài nguyên này / no such resource".into(),
    ))
}

async fn method_not_allowed() -> ApiError {
    ApiError(AppError::MethodNotAllowed)
}

/// The API routes (nested under `/api/v1` by [`crate::router`]).
pub fn router() -> Router<AppState> {
    let (router, document) = routes().split_for_parts();
    let rendered = match document.to_pretty_json() {
        Ok(mut text) => {
            text.push('\n');
            text
        }
        Err(e) => {
            // Not expected; the route then says so instead of serving a broken document.
            tracing::error!(error = %e, "the OpenAPI document could not be rendered");
            String::from("{}")
        }
    };
    router
        .layer(Extension(Document(Arc::new(rendered))))
        .method_not_allowed_fallback(method_not_allowed)
        .fallback(not_found)
}
