//! `/kpi/imports`: figures computed elsewhere (e-ID accounts issued, public investment
//! disbursed, …), imported per unit and month and shown beside the computed figures, marked
//! as imported ([`motcua_domain::kpi::imported`]).

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use motcua_domain::kpi::counts::Month;
use motcua_domain::kpi::imported::ImportedFigure;
use motcua_service::api_tokens::ApiScope;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::extract::{ApiJson, ApiQuery, given, invalid};
use crate::AppState;
use crate::auth::ApiCaller;
use crate::error::{ApiError, Problem};

/// One figure, as sent and as read back.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct FigureView {
    /// Unit or agency code.
    #[schema(example = "24")]
    pub unit: String,
    /// The month, `YYYY-MM`.
    #[schema(example = "2026-10")]
    pub month: String,
    /// The figure's key (lower-case letters, digits, `.`, `_`, `-`).
    #[schema(example = "vneid.kich_hoat")]
    pub key: String,
    /// Its name.
    #[schema(example = "Tài khoản định danh điện tử được kích hoạt")]
    pub name: String,
    /// Its value.
    pub value: f64,
    /// Unit of measure (may be empty).
    #[serde(default)]
    pub measure: String,
    /// Where it comes from.
    #[schema(example = "Công an tỉnh")]
    pub source: String,
    /// When it was imported (ignored when sent).
    #[serde(default, skip_deserializing)]
    pub imported_at: Option<DateTime<Utc>>,
}

/// Figures to import, all or none.
#[derive(Debug, Deserialize, ToSchema)]
pub struct NewImport {
    /// The figures (at least one).
    pub figures: Vec<FigureView>,
}

/// What an import recorded.
#[derive(Debug, Serialize, ToSchema)]
pub struct ImportDone {
    /// How many figures were recorded.
    pub imported: usize,
}

/// The unit and month whose imported figures to read.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ImportsParams {
    /// Unit or agency code.
    pub unit: Option<String>,
    /// The month, `YYYY-MM`.
    pub month: Option<String>,
}

fn month(field: &str, text: Option<&str>) -> Result<Month, ApiError> {
    text.and_then(|t| t.parse().ok()).ok_or_else(|| {
        invalid(
            field,
            "tháng phải có dạng YYYY-MM",
            "the month must read YYYY-MM",
        )
    })
}

/// Imports figures computed elsewhere for units and months.
///
/// The caller must be allowed to import the statistics of every unit named (system
/// administrators; an agency's administrators and leaders within its scope); a token needs
/// `statistics:write`. A later import of the same unit, month and key replaces the value;
/// the log keeps every import.
#[utoipa::path(
    post,
    path = "/kpi/imports",
    tag = "statistics",
    operation_id = "create_kpi_import",
    request_body = NewImport,
    responses(
        (status = 201, description = "Recorded", body = ImportDone),
        (status = 401, description = "No credential", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Scope `statistics:write` missing, or a unit not the caller's", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A figure is wrong (named), or a unit is unknown", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["statistics:write"]), ("session" = [])),
)]
pub async fn create_kpi_import(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiJson(body): ApiJson<NewImport>,
) -> Result<(StatusCode, Json<ImportDone>), ApiError> {
    caller.require_scope(ApiScope::StatisticsWrite)?;
    let mut figures = Vec::with_capacity(body.figures.len());
    for (i, f) in body.figures.into_iter().enumerate() {
        figures.push(ImportedFigure {
            month: month(&format!("figures[{i}].month"), Some(&f.month))?,
            unit: f.unit,
            key: f.key,
            name: f.name,
            value: f.value,
            measure: f.measure,
            source: f.source,
        });
    }
    let imported = state
        .services
        .import_kpi_figures(&caller.acting, &figures)
        .await?;
    Ok((StatusCode::CREATED, Json(ImportDone { imported })))
}

/// The figures imported for a unit's month, public like the month's results.
#[utoipa::path(
    get,
    path = "/kpi/imports",
    tag = "statistics",
    operation_id = "list_kpi_imports",
    params(ImportsParams),
    responses(
        (status = 200, description = "The figures, by key", body = Vec<FigureView>),
        (status = 422, description = "`unit` missing or `month` not YYYY-MM", body = Problem, content_type = "application/problem+json"),
    ),
)]
pub async fn list_kpi_imports(
    State(state): State<AppState>,
    ApiQuery(params): ApiQuery<ImportsParams>,
) -> Result<Json<Vec<FigureView>>, ApiError> {
    let unit = given(&params.unit)
        .ok_or_else(|| invalid("unit", "thiếu mã đơn vị", "the unit code is missing"))?;
    let month = month("month", given(&params.month))?;
    let rows = state.services.imported_kpi(unit, month).await?;
    Ok(Json(
        rows.into_iter()
            .map(|(f, at)| FigureView {
                unit: f.unit,
                month: f.month.to_string(),
                key: f.key,
                name: f.name,
                value: f.value,
                measure: f.measure,
                source: f.source,
                imported_at: Some(at),
            })
            .collect(),
    ))
}
