//! `POST /files`: a document for an online submission, checked and stored as the portal's
//! upload is ([`motcua_service::Services::store_upload`]).

use axum::Json;
use axum::extract::{Request, State};
use axum::http::StatusCode;
use http_body_util::{BodyExt, LengthLimitError, Limited};
use motcua_service::api_tokens::ApiScope;
use motcua_service::files::{MAX_FILE_BYTES, Upload};
use serde::Deserialize;
use utoipa::IntoParams;

use super::dossiers::FileView;
use super::extract::{ApiQuery, given, invalid};
use crate::AppState;
use crate::auth::ApiCaller;
use crate::error::{ApiError, AppError, Problem};

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
/// not only its name). The answer's `sha256` goes into `files` of `POST /dossiers`.
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
        (status = 403, description = "Scope `dossiers:write` missing", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Over 10 MB", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Empty, or not a PDF, JPEG or PNG; or `name` missing", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["dossiers:write"]), ("session" = [])),
)]
pub async fn create_file(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiQuery(params): ApiQuery<UploadParams>,
    request: Request,
) -> Result<(StatusCode, Json<FileView>), ApiError> {
    caller.require_scope(ApiScope::DossiersWrite)?;
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
    Ok((
        StatusCode::CREATED,
        Json(FileView {
            sha256: file.sha256,
            name: file.name,
            media_type: file.media_type,
            size: file.size,
        }),
    ))
}
