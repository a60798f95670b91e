//! `/tra-cuu`: following a dossier without an account — its code and the lookup secret
//! printed on the receipt, or the phone number given at submission — and rating it once
//! the result is out.

use askama::Template;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Redirect, Response};
use motcua_domain::dossier::{Dossier, Rating, Status};
use motcua_service::ServiceError;
use motcua_service::portal::TimelineEntry;
use motcua_storage::StoreError;
use serde::Deserialize;

use super::{mask_name, private, status_name, status_other, when};
use crate::auth::{CsrfForm, CsrfToken};
use crate::error::PageError;
use crate::i18n::Tr;
use crate::ui::account::{FormErrors, in_language};
use crate::ui::{Chrome, render};
use crate::{AppState, REQUEST_ID};

/// A line of the history summary.
#[derive(Debug, Clone)]
pub struct HistoryLine {
    /// When.
    pub at: String,
    /// Catalogue key of what happened.
    pub key: String,
}

/// What the tracking page shows of a dossier: nothing personal but the applicant's name
/// masked.
#[derive(Debug, Clone)]
pub struct TrackedView {
    code: String,
    procedure: String,
    applicant: String,
    status_code: u8,
    status: &'static str,
    status_other: &'static str,
    submitted: String,
    received: String,
    due: String,
    finished: String,
    step: String,
    history: Vec<HistoryLine>,
    can_rate: bool,
    rating_key: Option<&'static str>,
}

/// Catalogue key of a rating.
pub(crate) fn rating_key(rating: Rating) -> &'static str {
    match rating {
        Rating::Satisfied => "portal.rating.satisfied",
        Rating::Acceptable => "portal.rating.acceptable",
        Rating::Dissatisfied => "portal.rating.dissatisfied",
    }
}

/// Parses a rating as the forms send it.
pub(crate) fn parse_rating(text: &str) -> Option<Rating> {
    match text {
        "satisfied" => Some(Rating::Satisfied),
        "acceptable" => Some(Rating::Acceptable),
        "dissatisfied" => Some(Rating::Dissatisfied),
        _ => None,
    }
}

/// Whether the applicant may rate now (766 group 5: after processing, once).
pub(crate) fn can_rate(d: &Dossier) -> bool {
    matches!(d.status, Status::Processed | Status::Returned) && d.rating.is_none()
}

/// The history summary: what happened and when, never who.
pub(crate) async fn history(
    state: &AppState,
    t: &Tr,
    d: &Dossier,
) -> Result<Vec<HistoryLine>, PageError> {
    Ok(history_lines(t, state.services.dossier_timeline(d).await?))
}

/// The history summary of a timeline already read.
fn history_lines(t: &Tr, timeline: Vec<TimelineEntry>) -> Vec<HistoryLine> {
    timeline
        .into_iter()
        .map(|e| HistoryLine {
            at: t.datetime(&e.at),
            key: format!("portal.event.{}", e.kind),
        })
        .collect()
}

/// The name of an agency, or its code when it is not registered.
pub(crate) async fn agency_name(state: &AppState, code: &str) -> String {
    match state.services.agency(code).await {
        Ok(Some(a)) => a.agency.name,
        _ => code.to_owned(),
    }
}

async fn view(
    state: &AppState,
    t: &Tr,
    d: &Dossier,
    timeline: Vec<TimelineEntry>,
) -> Result<TrackedView, PageError> {
    let step = match d.steps.last().filter(|s| s.ended_at.is_none()) {
        Some(s) => format!("{} — {}", s.name, agency_name(state, &s.agency).await),
        None => String::new(),
    };
    Ok(TrackedView {
        code: d.code().to_string(),
        procedure: d.submission.procedure.name.clone(),
        applicant: mask_name(&d.submission.applicant.name),
        status_code: d.status.national_code(),
        status: status_name(t, d.status),
        status_other: status_other(t, d.status),
        submitted: t.datetime(&d.submitted_at),
        received: when(t, d.received_at),
        due: when(t, d.due),
        finished: when(t, d.finished_at),
        step,
        history: history_lines(t, timeline),
        can_rate: can_rate(d),
        rating_key: d.rating.map(rating_key),
    })
}

/// The tracking page: the form, and the dossier once found.
#[derive(Template)]
#[template(path = "portal/track.html")]
pub struct TrackPage {
    chrome: Chrome,
    csrf: String,
    code: String,
    factor: String,
    errors: FormErrors,
    found: Option<TrackedView>,
    rated: bool,
}

/// `GET /tra-cuu`
pub async fn form(chrome: Chrome, csrf: CsrfToken) -> Result<Response, PageError> {
    let html = render(&TrackPage {
        csrf: csrf.value().to_owned(),
        code: String::new(),
        factor: String::new(),
        errors: FormErrors::default(),
        found: None,
        rated: false,
        chrome,
    })?;
    Ok(private(StatusCode::OK, Some(csrf), html))
}

/// The tracking form.
#[derive(Deserialize)]
pub struct LookupForm {
    #[serde(default)]
    ma: String,
    #[serde(default)]
    xac_minh: String,
    #[serde(default)]
    muc: String,
}

/// `POST /tra-cuu`
pub async fn lookup(
    State(state): State<AppState>,
    chrome: Chrome,
    csrf: CsrfToken,
    CsrfForm(form): CsrfForm<LookupForm>,
) -> Result<Response, PageError> {
    let result = state
        .services
        .track_dossier_with_timeline(&form.ma, &form.xac_minh)
        .await;
    answer(&state, chrome, csrf, form, result, false).await
}

/// `GET /tra-cuu/danh-gia`: the address the answer to a rating is shown at, reached again by
/// a reload or by the language switch of a page posted from it. It leads back to the
/// tracking form (the two factors never go in a URL) instead of a 405.
pub async fn rate_page() -> Redirect {
    Redirect::to("/tra-cuu")
}

/// `POST /tra-cuu/danh-gia`: rating from the tracking page, with the same two factors.
pub async fn rate(
    State(state): State<AppState>,
    chrome: Chrome,
    csrf: CsrfToken,
    headers: HeaderMap,
    CsrfForm(form): CsrfForm<LookupForm>,
) -> Result<Response, PageError> {
    let Some(rating) = parse_rating(&form.muc) else {
        let result = state
            .services
            .track_dossier_with_timeline(&form.ma, &form.xac_minh)
            .await;
        let mut response = answer(&state, chrome, csrf, form, result, false).await?;
        *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
        return Ok(response);
    };
    let request_id = headers
        .get(&REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let result = state
        .services
        .rate_tracked_dossier(&form.ma, &form.xac_minh, rating, request_id)
        .await;
    let result = match result {
        Ok(d) => {
            let timeline = state.services.dossier_timeline(&d).await?;
            Ok((d, timeline))
        }
        Err(e) => Err(e),
    };
    answer(&state, chrome, csrf, form, result, true).await
}

async fn answer(
    state: &AppState,
    chrome: Chrome,
    csrf: CsrfToken,
    form: LookupForm,
    result: Result<(Dossier, Vec<TimelineEntry>), ServiceError>,
    rating: bool,
) -> Result<Response, PageError> {
    let t = chrome.t;
    let mut errors = FormErrors::default();
    let (status, found) = match result {
        Ok((d, timeline)) => (StatusCode::OK, Some(view(state, &t, &d, timeline).await?)),
        Err(ServiceError::Store(StoreError::NotFound { .. })) => {
            // One message for a wrong code and a wrong second factor alike.
            errors.push("ma", t.t("portal.track.not_found"));
            (StatusCode::NOT_FOUND, None)
        }
        Err(ServiceError::Invalid(m)) => {
            errors.push("ma", in_language(t.lang, &m));
            (StatusCode::UNPROCESSABLE_ENTITY, None)
        }
        Err(ServiceError::Refused(m)) if rating => {
            errors.push("", in_language(t.lang, &m));
            (StatusCode::UNPROCESSABLE_ENTITY, None)
        }
        Err(e) => return Err(e.into()),
    };
    let html = render(&TrackPage {
        csrf: csrf.value().to_owned(),
        code: form.ma.trim().to_owned(),
        factor: if found.is_some() {
            form.xac_minh.trim().to_owned()
        } else {
            String::new()
        },
        rated: rating && found.is_some(),
        errors,
        found,
        chrome,
    })?;
    Ok(private(status, Some(csrf), html))
}
