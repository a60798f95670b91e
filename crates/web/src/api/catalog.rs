//! `/procedures`: the public catalogue, as the portal's search shows it
//! ([`motcua_service::Services::find_procedures`]).

use std::sync::Arc;

use axum::Json;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use motcua_domain::catalog::{Level, OnlineLevel, Procedure};
use motcua_service::api_tokens::ApiScope;
use motcua_service::portal::{CatalogueQuery, OnlineOffer};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::extract::{ApiQuery, Page, PageParams, Paging, given, invalid, optional_caller};
use crate::AppState;
use crate::auth::{ApiAuthRejection, ApiCaller};
use crate::error::{ApiError, AppError, Problem};

/// Most procedures a page may hold: the catalogue service pages by at most 100.
const MAX_PAGE: u32 = 100;

/// Filters of the catalogue search.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ProcedureFilter {
    /// Words of the name; case and diacritics are ignored (`ho tich` finds "hộ tịch").
    pub q: Option<String>,
    /// Sector (lĩnh vực), exactly as the catalogue names it.
    pub sector: Option<String>,
    /// Level that performs it.
    #[param(value_type = Option<String>, example = "province")]
    pub level: Option<String>,
    /// Words of an implementing agency's name (case and diacritics ignored).
    pub agency: Option<String>,
    /// Online service level.
    #[param(value_type = Option<String>, example = "full_process")]
    pub online: Option<String>,
}

/// A procedure in a list.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ProcedureSummary {
    /// National procedure code.
    #[schema(example = "1.001193")]
    pub code: String,
    /// Version number.
    pub version: u32,
    /// Name.
    pub name: String,
    /// Sector (lĩnh vực).
    pub sector: String,
    /// Levels that perform it (`ministry`, `province`, `commune`, `other`).
    pub levels: Vec<String>,
    /// Online service level (`full_process`, `partial`, `none`).
    pub online_level: String,
    /// The time limit in force (the local commitment when shorter), e.g. `5 working_days`.
    pub time_limit: Option<String>,
    /// Implementing agencies, by name.
    pub implementing_agencies: Vec<String>,
}

impl From<&Procedure> for ProcedureSummary {
    fn from(p: &Procedure) -> Self {
        ProcedureSummary {
            code: p.code.to_string(),
            version: p.version,
            name: p.name.clone(),
            sector: p.sector.clone(),
            levels: p.levels.iter().map(|l| l.as_str().to_owned()).collect(),
            online_level: p.online_level.as_str().to_owned(),
            time_limit: p
                .effective_time_limit()
                .map(|l| format!("{} {}", l.value, l.unit.as_str())),
            implementing_agencies: p
                .implementing_agencies
                .iter()
                .map(|a| a.as_str().to_owned())
                .collect(),
        }
    }
}

/// A document of a procedure's dossier.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ComponentView {
    /// Document name.
    pub name: String,
    /// Originals (bản chính) to present.
    pub originals: u32,
    /// Copies (bản sao).
    pub copies: u32,
    /// Always required (`false`: only in some cases).
    pub required: bool,
    /// The form to fill in, if named.
    pub form: Option<String>,
}

/// An agency by code and name.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AgencyView {
    /// Identifier code (the prefix of its dossiers' codes).
    #[schema(example = "000.00.10.H05")]
    pub code: String,
    /// Name.
    pub name: String,
}

/// What a procedure offers online here.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OnlineOfferView {
    /// The agencies that receive it online (choose one when submitting).
    pub agencies: Vec<AgencyView>,
    /// The files to upload, by position.
    pub components: Vec<ComponentView>,
}

impl From<&OnlineOffer> for OnlineOfferView {
    fn from(o: &OnlineOffer) -> Self {
        OnlineOfferView {
            agencies: o
                .agencies
                .iter()
                .map(|a| AgencyView {
                    code: a.code.as_str().to_owned(),
                    name: a.name.clone(),
                })
                .collect(),
            components: o
                .components
                .iter()
                .map(|c| ComponentView {
                    name: c.name.clone(),
                    originals: c.originals,
                    copies: c.copies,
                    required: c.required,
                    form: c.form.clone(),
                })
                .collect(),
        }
    }
}

/// A procedure with everything the catalogue records.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ProcedureDetail {
    /// The summary fields.
    #[serde(flatten)]
    pub summary: ProcedureSummary,
    /// Documents of the dossier.
    pub components: Vec<ComponentView>,
    /// The agencies registered here that receive it.
    pub responsible_agencies: Vec<AgencyView>,
    /// The online offer, when it is submitted online here.
    pub online: Option<OnlineOfferView>,
    /// The whole record in the catalogue's JSON exchange format (fees, result, legal
    /// basis, publication…), as `motcua catalog export` writes it.
    #[schema(value_type = Object)]
    pub record: serde_json::Value,
}

/// Requires `catalog:read` from a token; the public needs nothing. The refusal, if any, is
/// a whole response: a `401` carries its `WWW-Authenticate` challenge.
fn refusal(caller: Result<ApiCaller, ApiAuthRejection>) -> Option<Response> {
    match optional_caller(caller) {
        Ok(Some(caller)) => caller
            .require_scope(ApiScope::CatalogRead)
            .err()
            .map(IntoResponse::into_response),
        Ok(None) => None,
        Err(rejection) => Some(rejection.into_response()),
    }
}

/// Search the procedures in force.
///
/// Public procedures in force today; with `q`, best match first, otherwise by code. Open to
/// everyone; a token must carry `catalog:read`.
#[utoipa::path(
    get,
    path = "/procedures",
    tag = "catalogue",
    operation_id = "list_procedures",
    params(ProcedureFilter, PageParams),
    responses(
        (status = 200, description = "A page of procedures", body = Page<ProcedureSummary>),
        (status = 422, description = "A filter is invalid; `field` names it", body = Problem, content_type = "application/problem+json"),
    ),
    security((), ("bearer" = []), ("session" = [])),
)]
pub async fn list_procedures(
    State(state): State<AppState>,
    caller: Result<ApiCaller, ApiAuthRejection>,
    ApiQuery(filter): ApiQuery<ProcedureFilter>,
    ApiQuery(page): ApiQuery<PageParams>,
) -> Result<Response, ApiError> {
    if let Some(refusal) = refusal(caller) {
        return Ok(refusal);
    }
    let paging = page.paging(MAX_PAGE)?;
    let level = match given(&filter.level) {
        None => None,
        Some(text) => Some(Level::parse_token(text).ok_or_else(|| {
            invalid(
                "level",
                &format!("cấp thực hiện phải là một trong {}", Level::tokens()),
                &format!("the level must be one of {}", Level::tokens()),
            )
        })?),
    };
    let online = match given(&filter.online) {
        None => None,
        Some(text) => Some(OnlineLevel::parse_token(text).ok_or_else(|| {
            invalid(
                "online",
                &format!(
                    "mức độ trực tuyến phải là một trong {}",
                    OnlineLevel::tokens()
                ),
                &format!("the online level must be one of {}", OnlineLevel::tokens()),
            )
        })?),
    };
    let query = CatalogueQuery {
        text: given(&filter.q).unwrap_or_default().to_owned(),
        sector: given(&filter.sector).map(str::to_owned),
        level,
        agency: given(&filter.agency).map(str::to_owned),
        online,
        page: 1,
        per_page: paging.limit,
    };
    let (items, total) = window(&state, &query, paging).await?;
    let next = paging.next(items.len(), total);
    Ok(Json(Page {
        items: items
            .iter()
            .map(|p| ProcedureSummary::from(p.as_ref()))
            .collect(),
        next,
        total,
    })
    .into_response())
}

/// The procedures from `paging.offset`, read from the service's pages of `paging.limit`
/// (a cursor need not fall on a page boundary: the next page completes the window).
async fn window(
    state: &AppState,
    query: &CatalogueQuery,
    paging: Paging,
) -> Result<(Vec<Arc<Procedure>>, u64), ApiError> {
    let per_page = u64::from(paging.limit);
    let first = u32::try_from(paging.offset / per_page + 1).map_err(|_| {
        invalid(
            "cursor",
            "con trỏ trang quá xa",
            "the cursor is out of range",
        )
    })?;
    let skip = usize::try_from(paging.offset % per_page).unwrap_or(0);
    let found = state
        .services
        .find_procedures(&CatalogueQuery {
            page: first,
            ..query.clone()
        })
        .await?;
    let total = found.total;
    let mut items: Vec<Arc<Procedure>> = found.items.into_iter().skip(skip).collect();
    if skip > 0 && first < u32::MAX {
        let rest = state
            .services
            .find_procedures(&CatalogueQuery {
                page: first + 1,
                ..query.clone()
            })
            .await?;
        items.extend(rest.items.into_iter().take(skip));
    }
    Ok((items, total))
}

/// One procedure in force.
///
/// The version in force today, with its documents, the agencies registered here that
/// receive it and its online offer. Open to everyone; a token must carry `catalog:read`.
#[utoipa::path(
    get,
    path = "/procedures/{code}",
    tag = "catalogue",
    operation_id = "find_procedure",
    params(("code" = String, Path, description = "National procedure code", example = "1.001193")),
    responses(
        (status = 200, description = "The procedure", body = ProcedureDetail),
        (status = 404, description = "No public procedure in force with this code", body = Problem, content_type = "application/problem+json"),
    ),
    security((), ("bearer" = []), ("session" = [])),
)]
pub async fn find_procedure(
    State(state): State<AppState>,
    caller: Result<ApiCaller, ApiAuthRejection>,
    Path(code): Path<String>,
) -> Result<Response, ApiError> {
    if let Some(refusal) = refusal(caller) {
        return Ok(refusal);
    }
    let procedure = state
        .services
        .public_procedure(code.trim())
        .await?
        .ok_or_else(|| {
            ApiError(AppError::NotFound(format!(
                "không có thủ tục {code} đang có hiệu lực / there is no procedure {code} in force"
            )))
        })?;
    let responsible = state.services.responsible_agencies(&procedure).await?;
    let online = state.services.online_offer(&procedure).await?;
    let record = serde_json::to_value(&procedure)
        .map_err(|e| ApiError(AppError::Internal(format!("procedure to JSON: {e}"))))?;
    Ok(Json(ProcedureDetail {
        summary: ProcedureSummary::from(&procedure),
        components: procedure
            .components
            .iter()
            .map(|c| ComponentView {
                name: c.name.clone(),
                originals: c.originals,
                copies: c.copies,
                required: c.required,
                form: c.form.clone(),
            })
            .collect(),
        responsible_agencies: responsible
            .iter()
            .map(|a| AgencyView {
                code: a.code.as_str().to_owned(),
                name: a.name.clone(),
            })
            .collect(),
        online: online.as_ref().map(OnlineOfferView::from),
        record,
    })
    .into_response())
}
