//! `/petitions`: feedback and petitions (phản ánh, kiến nghị) — sent by anyone, read by
//! whoever holds the code, listed for their senders and for the addressed agency's staff,
//! handled by that staff — over the portal's use cases
//! ([`motcua_service::Services::submit_petition`], `petition_by_code`, `petitions_of`,
//! `agency_petitions`, `act_on_petition`).

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use motcua_domain::petition::{
    Petition, PetitionAbout, PetitionClass, PetitionCommand, PetitionContact, PetitionStatus,
};
use motcua_service::api_tokens::ApiScope;
use motcua_service::petitions::{AboutInput, NewPetition, public_acting};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::dossiers::is_applicant;
use super::extract::{
    ApiJson, ApiQuery, MAX_LIMIT, Page, PageParams, given, invalid, optional_caller,
};
use crate::auth::{ApiAuthRejection, ApiCaller};
use crate::error::{ApiError, AppError, Problem};
use crate::{AppState, REQUEST_ID};

/// What a petition is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AboutKind {
    /// A procedure (give `procedure`).
    Procedure,
    /// An officer (give `officer`).
    Officer,
    /// The agency itself.
    Agency,
}

/// The class of a petition.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ClassInput {
    /// About rules and procedures.
    Procedure,
    /// About staff behaviour.
    Staff,
}

/// How to reach the sender.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ContactInput {
    /// Name.
    pub name: String,
    /// Phone.
    pub phone: Option<String>,
    /// E-mail.
    pub email: Option<String>,
    /// Postal address.
    pub address: Option<String>,
}

/// A new petition.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewPetitionRequest {
    /// The addressed agency's identifier code.
    pub agency: String,
    /// Rules and procedures, or staff behaviour.
    pub class: ClassInput,
    /// What it is about.
    pub about: AboutKind,
    /// The procedure's code, when about a procedure.
    pub procedure: Option<String>,
    /// The officer's name or description, when about an officer.
    pub officer: Option<String>,
    /// Short title.
    pub title: String,
    /// The petition.
    pub content: String,
    /// How to reach the sender.
    pub contact: ContactInput,
}

/// A petition as whoever holds its code sees it (never the sender's contact details).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PetitionView {
    /// Its code: the key to follow it.
    pub code: String,
    /// Version: pass it back as `expected_version` when handling it.
    pub version: i64,
    /// `received`, `rejected`, `supplement_requested`, `supplement_provided`, `answered`,
    /// `published`.
    pub status: String,
    /// The addressed agency.
    pub agency: String,
    /// `procedure` or `staff`.
    pub class: String,
    /// What it is about, as recorded.
    #[schema(value_type = Object)]
    pub about: serde_json::Value,
    /// Title.
    pub title: String,
    /// Content.
    pub content: String,
    /// Received.
    pub received_at: DateTime<Utc>,
    /// When the answer is due.
    pub answer_due: DateTime<Utc>,
    /// The reasons of a rejection.
    pub rejected: Option<String>,
    /// The answer.
    pub answer: Option<String>,
    /// When it was answered.
    pub answered_at: Option<DateTime<Utc>>,
    /// When the answer was published.
    pub published_at: Option<DateTime<Utc>>,
    /// A step missed its deadline, or is overdue now.
    pub late: bool,
}

fn view(p: &Petition, now: DateTime<Utc>) -> PetitionView {
    let about: &PetitionAbout = &p.submission.about;
    PetitionView {
        code: p.code().to_owned(),
        version: p.version,
        status: p.status.as_str().to_owned(),
        agency: p.submission.agency.clone(),
        class: p.submission.class.as_str().to_owned(),
        about: serde_json::to_value(about).unwrap_or(serde_json::Value::Null),
        title: p.submission.title.clone(),
        content: p.submission.content.clone(),
        received_at: p.received_at,
        answer_due: p.deadlines.answer_due,
        rejected: p.rejected.as_ref().map(|(r, _)| r.clone()),
        answer: p.answer.as_ref().map(|(a, _)| a.clone()),
        answered_at: p.answer.as_ref().map(|(_, at)| *at),
        published_at: p.published_at,
        late: !p.on_time(now),
    }
}

/// Send a petition.
///
/// Open to everyone; sent with a session, it is listed among the account's petitions.
#[utoipa::path(
    post,
    path = "/petitions",
    tag = "petitions",
    operation_id = "create_petition",
    request_body = NewPetitionRequest,
    responses(
        (status = 201, description = "Received; keep the code to follow it", body = PetitionView),
        (status = 422, description = "A field is invalid; `field` and `errors` name them", body = Problem, content_type = "application/problem+json"),
    ),
    security((), ("session" = [])),
)]
pub async fn create_petition(
    State(state): State<AppState>,
    caller: Result<ApiCaller, ApiAuthRejection>,
    headers: HeaderMap,
    ApiJson(body): ApiJson<NewPetitionRequest>,
) -> Result<Response, ApiError> {
    let caller = match optional_caller(caller) {
        Ok(caller) => caller,
        Err(rejection) => return Ok(rejection.into_response()),
    };
    let optional = |s: &Option<String>| {
        s.as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
    };
    let new = NewPetition {
        agency: body.agency.clone(),
        class: match body.class {
            ClassInput::Procedure => PetitionClass::Procedure,
            ClassInput::Staff => PetitionClass::Staff,
        },
        about: match body.about {
            AboutKind::Procedure => {
                AboutInput::Procedure(body.procedure.clone().unwrap_or_default())
            }
            AboutKind::Officer => AboutInput::Officer(body.officer.clone().unwrap_or_default()),
            AboutKind::Agency => AboutInput::Agency,
        },
        title: body.title.clone(),
        content: body.content.clone(),
        contact: PetitionContact {
            name: body.contact.name.clone(),
            phone: optional(&body.contact.phone),
            email: optional(&body.contact.email),
            address: optional(&body.contact.address),
        },
    };
    // The domain's checks, by field, renamed to this body's fields.
    let problems = state.services.check_petition(&new).await?;
    if let Some(first) = problems.first() {
        let rename = |f: &str| match f {
            "name" | "phone" | "email" => format!("contact.{f}"),
            other => other.to_owned(),
        };
        let message = problems
            .iter()
            .map(|p| format!("{}: {} / {}", rename(p.field), p.vi, p.en))
            .collect::<Vec<_>>()
            .join("; ");
        return Err(ApiError(AppError::Invalid {
            message,
            field: Some(rename(first.field)),
        }));
    }
    let acting = match &caller {
        // A token acts for an agency, not for a sender: it sends nothing on anyone's behalf.
        Some(caller) if caller.token().is_some() => {
            return Err(ApiError(AppError::Forbidden(
                "khóa API không gửi phản ánh thay người dân / an API token does not send petitions for people".into(),
            )));
        }
        Some(caller) => caller.acting.clone(),
        None => public_acting(
            headers
                .get(&REQUEST_ID)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned),
        ),
    };
    let petition = state.services.submit_petition(&acting, new).await?;
    Ok((
        StatusCode::CREATED,
        Json(view(&petition, state.services.now())),
    )
        .into_response())
}

/// Filters of the petition list.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PetitionFilter {
    /// Statuses, comma-separated (`received,supplement_provided`), or `all` (the default).
    #[param(example = "received,supplement_provided")]
    pub status: Option<String>,
}

/// The statuses asked for: none for all.
fn statuses(filter: &PetitionFilter) -> Result<Vec<PetitionStatus>, ApiError> {
    let Some(text) = given(&filter.status).filter(|t| *t != "all") else {
        return Ok(Vec::new());
    };
    text.split(',')
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(|token| {
            PetitionStatus::parse(token).ok_or_else(|| {
                let all = PetitionStatus::ALL.map(PetitionStatus::as_str).join(", ");
                invalid(
                    "status",
                    &format!("trạng thái «{token}» không tồn tại; dùng: {all}"),
                    &format!("no status “{token}”; use: {all}"),
                )
            })
        })
        .collect()
}

/// The caller's petitions.
///
/// Staff (and API tokens): the petitions addressed to their agency, oldest answer deadline
/// first, as the staff list shows them (every agency's for a system administrator).
/// Citizens and businesses: those they sent signed in, newest first. Tokens need the
/// scope `dossiers:read`.
#[utoipa::path(
    get,
    path = "/petitions",
    tag = "petitions",
    operation_id = "list_petitions",
    params(PetitionFilter, PageParams),
    responses(
        (status = 200, description = "A page of petitions", body = Page<PetitionView>),
        (status = 401, description = "No credential", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Scope `dossiers:read` missing, or the role has no list of petitions", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A filter is invalid; `field` names it", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["dossiers:read"]), ("session" = [])),
)]
pub async fn list_petitions(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiQuery(filter): ApiQuery<PetitionFilter>,
    ApiQuery(page): ApiQuery<PageParams>,
) -> Result<Json<Page<PetitionView>>, ApiError> {
    caller.require_scope(ApiScope::DossiersRead)?;
    let paging = page.paging(MAX_LIMIT)?;
    let statuses = statuses(&filter)?;
    let limit = i64::from(paging.limit);
    let offset = i64::try_from(paging.offset).unwrap_or(i64::MAX);
    let (list, total) = if is_applicant(&caller) {
        state
            .services
            .petitions_of(&caller.acting, &statuses, limit, offset)
            .await?
    } else {
        state
            .services
            .agency_petitions(&caller.acting, &statuses, limit, offset)
            .await?
    };
    let total = u64::try_from(total).unwrap_or(0);
    let next = paging.next(list.len(), total);
    let now = state.services.now();
    Ok(Json(Page {
        items: list.iter().map(|p| view(p, now)).collect(),
        next,
        total,
    }))
}

/// A petition by its code.
///
/// Whoever holds the code sees the petition and its answer, never the sender's contact.
#[utoipa::path(
    get,
    path = "/petitions/{code}",
    tag = "petitions",
    operation_id = "find_petition",
    params(("code" = String, Path, description = "The petition's code")),
    responses(
        (status = 200, description = "The petition", body = PetitionView),
        (status = 404, description = "No petition with this code", body = Problem, content_type = "application/problem+json"),
    ),
    security(()),
)]
pub async fn find_petition(
    State(state): State<AppState>,
    Path(code): Path<String>,
) -> Result<Json<PetitionView>, ApiError> {
    let petition = state.services.petition_by_code(&code).await?;
    Ok(Json(view(&petition, state.services.now())))
}

/// What staff do with a petition.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(tag = "action", rename_all = "snake_case", deny_unknown_fields)]
pub enum PetitionActionInput {
    /// Reject it with reasons.
    Reject {
        /// The reasons.
        reasons: String,
    },
    /// Ask the sender for more information.
    RequestSupplement {
        /// What is needed.
        reasons: String,
    },
    /// Answer it.
    Answer {
        /// The answer.
        answer: String,
    },
    /// Publish the answer.
    Publish,
}

/// A step on a petition at the version read.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PetitionActionRequest {
    /// The petition's `version` the caller read.
    pub expected_version: i64,
    /// The step.
    pub command: PetitionActionInput,
}

/// Handle a petition (staff of the addressed agency).
///
/// Reject, ask for more information, answer, publish — as the staff pages do.
#[utoipa::path(
    post,
    path = "/petitions/{code}/actions",
    tag = "petitions",
    operation_id = "act_on_petition",
    params(("code" = String, Path, description = "The petition's code")),
    request_body = PetitionActionRequest,
    responses(
        (status = 200, description = "The petition after the step", body = PetitionView),
        (status = 401, description = "No credential", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Scope `dossiers:write` missing, or the role may not handle petitions", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Unknown, or addressed to another agency", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Changed since `expected_version`", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field is invalid or a rule refuses the step", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["dossiers:write"]), ("session" = [])),
)]
pub async fn act_on_petition(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(code): Path<String>,
    ApiJson(body): ApiJson<PetitionActionRequest>,
) -> Result<Json<PetitionView>, ApiError> {
    caller.require_scope(ApiScope::DossiersWrite)?;
    let command = match body.command {
        PetitionActionInput::Reject { reasons } => PetitionCommand::Reject { reasons },
        PetitionActionInput::RequestSupplement { reasons } => {
            PetitionCommand::RequestSupplement { reasons }
        }
        PetitionActionInput::Answer { answer } => PetitionCommand::Answer { answer },
        PetitionActionInput::Publish => PetitionCommand::Publish,
    };
    let petition = state
        .services
        .act_on_petition(&caller.acting, &code, command, Some(body.expected_version))
        .await?;
    Ok(Json(view(&petition, state.services.now())))
}
