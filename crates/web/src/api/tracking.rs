//! `/tracking`: following a dossier without an account — its code and the receipt's lookup
//! secret or the applicant's phone — and rating it once the result is out, as the portal's
//! tracking page does ([`motcua_service::Services::track_dossier`]).

use axum::Json;
use axum::extract::State;
use axum::http::HeaderMap;
use chrono::{DateTime, Utc};
use motcua_domain::dossier::{Dossier, Status};
use motcua_service::portal::TimelineEntry;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::dossiers::RatingInput;
use super::extract::{ApiJson, invalid};
use crate::error::{ApiError, Problem};
use crate::ui::portal::mask_name;
use crate::{AppState, REQUEST_ID};

/// A dossier's code and the second factor from its receipt.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TrackingRequest {
    /// The dossier's code.
    #[schema(example = "000.00.10.H05-261123-0001")]
    pub code: String,
    /// The lookup secret printed on the receipt, or the phone number given at submission.
    pub factor: String,
}

/// A rating through the receipt.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TrackedRatingRequest {
    /// The dossier's code.
    pub code: String,
    /// The lookup secret or phone number.
    pub factor: String,
    /// The rating.
    pub rating: RatingInput,
}

/// One line of the public history: what happened and when, never who.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TimelineView {
    /// What happened (`submitted`, `received`, …).
    pub kind: String,
    /// When.
    pub at: DateTime<Utc>,
}

/// What tracking shows: nothing personal but the applicant's masked name.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TrackedDossier {
    /// The code.
    pub code: String,
    /// The procedure's name.
    pub procedure_name: String,
    /// The applicant's name with all but initials hidden.
    pub applicant: String,
    /// Status identifier.
    pub status: String,
    /// National status number 1–10.
    pub status_code: u8,
    /// Status in Vietnamese.
    pub status_vi: String,
    /// Status in English.
    pub status_en: String,
    /// Submitted.
    pub submitted_at: DateTime<Utc>,
    /// Received.
    pub received_at: Option<DateTime<Utc>>,
    /// The appointment.
    pub due: Option<DateTime<Utc>>,
    /// Processing finished.
    pub finished_at: Option<DateTime<Utc>>,
    /// The current step's name, while one is open.
    pub current_step: Option<String>,
    /// The history.
    pub history: Vec<TimelineView>,
    /// Whether it may be rated now.
    pub can_rate: bool,
    /// The rating given.
    pub rating: Option<String>,
}

async fn tracked(state: &AppState, d: &Dossier) -> Result<TrackedDossier, ApiError> {
    let timeline = state.services.dossier_timeline(d).await?;
    Ok(tracked_with(d, timeline))
}

/// The public view of a dossier whose timeline is already read.
fn tracked_with(d: &Dossier, timeline: Vec<TimelineEntry>) -> TrackedDossier {
    let history = timeline
        .into_iter()
        .map(|e| TimelineView {
            kind: e.kind,
            at: e.at,
        })
        .collect();
    TrackedDossier {
        code: d.code().to_string(),
        procedure_name: d.submission.procedure.name.clone(),
        applicant: mask_name(&d.submission.applicant.name),
        status: d.status.as_str().to_owned(),
        status_code: d.status.national_code(),
        status_vi: d.status.name_vi().to_owned(),
        status_en: d.status.name_en().to_owned(),
        submitted_at: d.submitted_at,
        received_at: d.received_at,
        due: d.due,
        finished_at: d.finished_at,
        current_step: d
            .steps
            .last()
            .filter(|s| s.ended_at.is_none())
            .map(|s| s.name.clone()),
        history,
        can_rate: matches!(d.status, Status::Processed | Status::Returned) && d.rating.is_none(),
        rating: d.rating.map(|r| match r {
            motcua_domain::dossier::Rating::Satisfied => "satisfied".to_owned(),
            motcua_domain::dossier::Rating::Acceptable => "acceptable".to_owned(),
            motcua_domain::dossier::Rating::Dissatisfied => "dissatisfied".to_owned(),
        }),
    }
}

fn check(code: &str, factor: &str) -> Result<(), ApiError> {
    if code.trim().is_empty() {
        return Err(invalid(
            "code",
            "hãy nhập mã hồ sơ",
            "enter the dossier code",
        ));
    }
    if factor.trim().is_empty() {
        return Err(invalid(
            "factor",
            "hãy nhập mã tra cứu trên giấy hẹn hoặc số điện thoại",
            "enter the receipt's lookup code or the phone number",
        ));
    }
    Ok(())
}

/// Track a dossier without an account.
///
/// A `POST` so the phone number or secret stays out of URLs and logs. A wrong code and a
/// wrong second factor get the same `404`.
#[utoipa::path(
    post,
    path = "/tracking",
    tag = "tracking",
    operation_id = "track_dossier",
    request_body = TrackingRequest,
    responses(
        (status = 200, description = "The dossier as the public sees it", body = TrackedDossier),
        (status = 404, description = "No dossier with this code and second factor", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field is missing or malformed", body = Problem, content_type = "application/problem+json"),
    ),
    security(()),
)]
pub async fn track_dossier(
    State(state): State<AppState>,
    ApiJson(body): ApiJson<TrackingRequest>,
) -> Result<Json<TrackedDossier>, ApiError> {
    check(&body.code, &body.factor)?;
    let (dossier, timeline) = state
        .services
        .track_dossier_with_timeline(&body.code, &body.factor)
        .await
        .map_err(|e| named(e, "code"))?;
    Ok(Json(tracked_with(&dossier, timeline)))
}

/// Rate a finished dossier through its receipt.
///
/// Once, after processing (766 group 5), with the same two factors as tracking.
#[utoipa::path(
    post,
    path = "/tracking/rating",
    tag = "tracking",
    operation_id = "rate_tracked_dossier",
    request_body = TrackedRatingRequest,
    responses(
        (status = 200, description = "The dossier, rated", body = TrackedDossier),
        (status = 404, description = "No dossier with this code and second factor", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Not finished, already rated, or an invalid field", body = Problem, content_type = "application/problem+json"),
    ),
    security(()),
)]
pub async fn rate_tracked_dossier(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiJson(body): ApiJson<TrackedRatingRequest>,
) -> Result<Json<TrackedDossier>, ApiError> {
    check(&body.code, &body.factor)?;
    let request_id = headers
        .get(&REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let dossier = state
        .services
        .rate_tracked_dossier(&body.code, &body.factor, body.rating.into(), request_id)
        .await
        .map_err(|e| named(e, "code"))?;
    Ok(Json(tracked(&state, &dossier).await?))
}

/// An invalid-input error from the service names `field` (a malformed code).
fn named(e: motcua_service::ServiceError, field: &str) -> ApiError {
    match crate::error::AppError::from(e) {
        crate::error::AppError::Invalid {
            message,
            field: None,
        } => ApiError(crate::error::AppError::Invalid {
            message,
            field: Some(field.to_owned()),
        }),
        other => ApiError(other),
    }
}
