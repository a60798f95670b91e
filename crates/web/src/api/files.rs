//! Files: `POST /files` stores a document for an online submission or a supplement, checked
//! as the portal's upload is ([`motcua_service::Services::store_upload`]);
//! `GET /dossiers/{code}/files` lists a dossier's files and `…/files/{sha256}` serves one,
//! to those who may read the dossier, as the pages do (`dossier_for`,
//! `dossier_attachments_for`, `dossier_file`).

use axum::Json;
use axum::extract::{Path, Request, State};
use axum::http::StatusCode;
use axum::response::Response;
use chrono::{DateTime, Utc};
use http_body_util::{BodyExt, LengthLimitError, Limited};
use motcua_service::api_tokens::ApiScope;
use motcua_service::files::{MAX_FILE_BYTES, Upload};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::dossiers::{FileView, parse_code};
use super::extract::{ApiQuery, MAX_LIMIT, Page, PageParams, given, invalid};
use crate::AppState;
use crate::auth::ApiCaller;
use crate::error::{ApiError, AppError, Problem};
use crate::ui::portal::mine::file_response;

/// The upload's name.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UploadParams {
    /// The file's name, with its extension (`.pdf`, `.jpg`, `.png`): the content must match.
    #[param(example = "don-de-nghi.pdf")]
    pub name: Option<String>,
}

/// Upload a document.
///
/// The body is the file itself (PDF, JPEG or PNG, at most 10 MB; its content is checked,
/// not only its name). The answer's `sha256` goes into `files` of `POST /dossiers`, of
/// `POST /dossiers/{code}/supplement` or of a report on a task (`POST /tasks/{id}/actions`).
/// A token needs `dossiers:write` or `tasks:write`.
#[utoipa::path(
    post,
    path = "/files",
    tag = "dossiers",
    operation_id = "create_file",
    params(UploadParams),
    request_body(content = Vec<u8>, content_type = "application/octet-stream", description = "The file's bytes"),
    responses(
        (status = 201, description = "Stored", body = FileView),
        (status = 401, description = "No credential", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Scopes `dossiers:write` and `tasks:write` both missing", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Over 10 MB", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Empty, or not a PDF, JPEG or PNG; or `name` missing", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["dossiers:write"]), ("bearer" = ["tasks:write"]), ("session" = [])),
)]
pub async fn create_file(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiQuery(params): ApiQuery<UploadParams>,
    request: Request,
) -> Result<(StatusCode, Json<FileView>), ApiError> {
    // Files go with dossiers and with the reports on tasks: either scope uploads.
    if caller.require_scope(ApiScope::DossiersWrite).is_err()
        && caller.require_scope(ApiScope::TasksWrite).is_err()
    {
        return Err(ApiError(AppError::Forbidden(
            "khóa API thiếu phạm vi dossiers:write hoặc tasks:write / the API token lacks the scope dossiers:write or tasks:write".into(),
        )));
    }
    let Some(name) = given(&params.name).map(str::to_owned) else {
        return Err(invalid(
            "name",
            "hãy cho biết tên tệp (kèm phần mở rộng)",
            "give the file's name (with its extension)",
        ));
    };
    let limit = usize::try_from(MAX_FILE_BYTES).unwrap_or(usize::MAX);
    let bytes = match Limited::new(request.into_body(), limit).collect().await {
        Ok(collected) => collected.to_bytes().to_vec(),
        Err(e)
            if e.downcast_ref::<LengthLimitError>().is_some()
                || std::error::Error::source(&*e).is_some_and(|s| s.is::<LengthLimitError>()) =>
        {
            return Err(ApiError(AppError::TooLarge(
                "tệp vượt quá giới hạn 10 MB / the file is over the 10 MB limit".into(),
            )));
        }
        Err(_) => {
            return Err(ApiError(AppError::Malformed {
                message: "không đọc được tệp / the file could not be read".into(),
                field: Some("body".into()),
            }));
        }
    };
    let upload = Upload {
        size: bytes.len() as u64,
        name: name.clone(),
        bytes,
    };
    let file =
        state
            .services
            .store_upload(&name, upload)
            .await
            .map_err(|e| match AppError::from(e) {
                AppError::Invalid { message, .. } => ApiError(AppError::Invalid {
                    message,
                    field: Some("body".into()),
                }),
                other => ApiError(other),
            })?;
    Ok((StatusCode::CREATED, Json(FileView::from(&file))))
}

/// A file of a dossier, with where it came from.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DossierFileView {
    /// The file.
    #[serde(flatten)]
    pub file: FileView,
    /// `submission` (with a component), `supplement` (asked during processing) or
    /// `intake_supplement` (asked by the written guidance at reception).
    pub source: String,
    /// The component it was submitted with (files of the submission only).
    pub component: Option<String>,
    /// When it came in: the submission, or the supplement.
    pub received_at: DateTime<Utc>,
}

/// A dossier's files.
///
/// Those submitted with its components, then those given with supplements, oldest first.
/// Each downloads from `GET /dossiers/{code}/files/{sha256}`.
#[utoipa::path(
    get,
    path = "/dossiers/{code}/files",
    tag = "dossiers",
    operation_id = "list_dossier_files",
    params(("code" = String, Path, description = "Dossier code"), PageParams),
    responses(
        (status = 200, description = "A page of the dossier's files", body = Page<DossierFileView>),
        (status = 401, description = "No credential", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Scope `dossiers:read` missing", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Unknown, or out of the caller's scope", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`limit` or `cursor` is invalid", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["dossiers:read"]), ("session" = [])),
)]
pub async fn list_dossier_files(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(code): Path<String>,
    ApiQuery(page): ApiQuery<PageParams>,
) -> Result<Json<Page<DossierFileView>>, ApiError> {
    caller.require_scope(ApiScope::DossiersRead)?;
    let paging = page.paging(MAX_LIMIT)?;
    let code = parse_code(&code)?;
    let dossier = state.services.dossier_for(&caller.acting, &code).await?;
    let attachments = state
        .services
        .dossier_attachments_for(&caller.acting, &code)
        .await?;
    let submitted = dossier.submission.components.iter().flat_map(|c| {
        c.files.iter().map(|f| DossierFileView {
            file: FileView::from(f),
            source: "submission".to_owned(),
            component: Some(c.name.clone()),
            received_at: dossier.submitted_at,
        })
    });
    let supplemented = attachments.iter().flat_map(|a| {
        a.files.iter().map(|f| DossierFileView {
            file: FileView::from(f),
            source: a.purpose.clone(),
            component: None,
            received_at: a.attached_at,
        })
    });
    let all: Vec<DossierFileView> = submitted.chain(supplemented).collect();
    let total = all.len() as u64;
    let (items, next) = paging.slice(all);
    Ok(Json(Page { items, next, total }))
}

/// Download a file of a dossier.
///
/// Served to whoever may read the dossier (its applicant, staff in scope), with its media
/// type and its name in `Content-Disposition`; anyone else gets `404`, as for an unknown
/// dossier or a file the dossier does not have.
#[utoipa::path(
    get,
    path = "/dossiers/{code}/files/{sha256}",
    tag = "dossiers",
    operation_id = "find_dossier_file",
    params(
        ("code" = String, Path, description = "Dossier code"),
        ("sha256" = String, Path, description = "The file's `sha256`, as the dossier lists it"),
    ),
    responses(
        (status = 200, description = "The file's bytes",
            content(("application/pdf"), ("image/jpeg"), ("image/png")),
            headers(("Content-Disposition" = String, description = "`attachment` with the file's name (`filename*` in UTF-8)"))),
        (status = 401, description = "No credential", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Scope `dossiers:read` missing", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Unknown dossier or file, or out of the caller's scope", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["dossiers:read"]), ("session" = [])),
)]
pub async fn find_dossier_file(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path((code, sha256)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    caller.require_scope(ApiScope::DossiersRead)?;
    let code = parse_code(&code)?;
    // Hashes are kept in lower case; a client may well print them in upper case.
    let sha256 = sha256.trim().to_ascii_lowercase();
    let (file, bytes) = state
        .services
        .dossier_file(&caller.acting, &code, &sha256)
        .await?;
    Ok(file_response(&file, bytes))
}
