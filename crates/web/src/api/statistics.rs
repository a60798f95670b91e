//! `/statistics/headline`: the figures a reform meeting cites first
//! ([`motcua_service::Services::headline`]).

use axum::Json;
use axum::extract::State;
use chrono::{DateTime, Utc};
use motcua_domain::authz::{Action, Target};
use motcua_service::api_tokens::ApiScope;
use motcua_service::stats::Headline;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::extract::{ApiQuery, given, invalid};
use crate::AppState;
use crate::auth::ApiCaller;
use crate::error::{ApiError, Problem};

/// The period of the figures.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PeriodParams {
    /// Dossiers received from this instant (RFC 3339), inclusive.
    #[param(value_type = Option<String>, format = DateTime, example = "2026-01-01T00:00:00+07:00")]
    pub from: Option<String>,
    /// Until this instant, exclusive.
    #[param(value_type = Option<String>, format = DateTime)]
    pub to: Option<String>,
}

/// Headline figures: counts and the rates of both statistical families.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct HeadlineView {
    /// The instant the figures were classified at.
    pub at: DateTime<Utc>,
    /// Dossiers received.
    pub received: u64,
    /// Of which online.
    pub online: u64,
    /// Of which at the desk.
    pub desk: u64,
    /// Of which by post.
    pub post: u64,
    /// Resolved.
    pub resolved: u64,
    /// Resolved early.
    pub early: u64,
    /// Resolved on time.
    pub on_time: u64,
    /// Resolved late.
    pub late: u64,
    /// In progress.
    pub in_progress: u64,
    /// In progress within time.
    pub within_time: u64,
    /// In progress overdue.
    pub overdue: u64,
    /// Of procedures without a time limit.
    pub without_limit: u64,
    /// Results issued electronically.
    pub electronic_results: u64,
    /// On-time rate, 766 family (0–1).
    pub on_time_rate_766: Option<f64>,
    /// On-time rate over resolved dossiers (Circular 01 family).
    pub on_time_rate_resolved: Option<f64>,
    /// Overdue rate, 766 family.
    pub overdue_rate_766: Option<f64>,
    /// Online rate.
    pub online_rate: Option<f64>,
}

fn instant(field: &str, text: Option<&str>) -> Result<Option<DateTime<Utc>>, ApiError> {
    text.map(|t| {
        DateTime::parse_from_rfc3339(t)
            .map(|d| d.to_utc())
            .map_err(|_| {
                invalid(
                    field,
                    "phải là thời điểm RFC 3339, ví dụ 2026-01-01T00:00:00+07:00",
                    "must be an RFC 3339 instant, e.g. 2026-01-01T00:00:00+07:00",
                )
            })
    })
    .transpose()
}

/// Headline figures of the installation.
///
/// Dossiers received in the period (all without one), classified now. The figures cover the
/// whole installation, so the caller must read statistics everywhere (system
/// administrators); a token needs `statistics:read` besides.
#[utoipa::path(
    get,
    path = "/statistics/headline",
    tag = "statistics",
    operation_id = "find_headline",
    params(PeriodParams),
    responses(
        (status = 200, description = "The figures", body = HeadlineView),
        (status = 401, description = "No credential", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Scope `statistics:read` missing, or statistics of the whole installation are not the caller's to read", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`from` or `to` is not an instant", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["statistics:read"]), ("session" = [])),
)]
pub async fn find_headline(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiQuery(period): ApiQuery<PeriodParams>,
) -> Result<Json<HeadlineView>, ApiError> {
    caller.require_scope(ApiScope::StatisticsRead)?;
    caller.authorize(Action::ReadStatistics, &Target::INSTALLATION)?;
    let from = instant("from", given(&period.from))?;
    let to = instant("to", given(&period.to))?;
    let at = state.services.now();
    let h: Headline = state.services.headline(from, to, at).await?;
    Ok(Json(HeadlineView {
        at,
        received: h.received,
        online: h.online,
        desk: h.desk,
        post: h.post,
        resolved: h.resolved,
        early: h.early,
        on_time: h.on_time,
        late: h.late,
        in_progress: h.in_progress,
        within_time: h.within_time,
        overdue: h.overdue,
        without_limit: h.without_limit,
        electronic_results: h.electronic_results,
        on_time_rate_766: h.on_time_rate_766(),
        on_time_rate_resolved: h.on_time_rate_resolved(),
        overdue_rate_766: h.overdue_rate_766(),
        online_rate: h.online_rate(),
    }))
}
