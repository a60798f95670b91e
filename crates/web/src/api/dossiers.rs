//! `/dossiers`: submission and desk intake, the caller's list, one dossier, its history,
//! every step of the back office and the applicant's supplement — thin handlers over the
//! same use cases as the pages (`submit_draft`, `desk_intake`, `list_dossiers_for`,
//! `dossier_for`, `office_dossier`, `act_on_dossier`, `provide_supplement`).

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use motcua_domain::catalog::{TimeLimit, TimeUnit, TimeValue};
use motcua_domain::dossier::{
    Applicant, ApplicantId, Command, Component, Decision, Dossier, DossierCode, FeeLine, FileRef,
    Rating, ResultForm, ReturnMethod, Status,
};
use motcua_domain::event::{Channel, Role};
use motcua_domain::ids::{PersonalId, TaxCode};
use motcua_service::api_tokens::ApiScope;
use motcua_service::dossiers::NewDossier;
use motcua_service::drafts::{DraftForm, SaveDraft, check_draft};
use motcua_service::office::{IntakeDecision, OPEN_STATUSES, OfficeAction, procedure_ref};
use motcua_storage::dossiers::{DossierOrder, DossierQuery};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::extract::{ApiJson, ApiQuery, Page, PageParams, given, invalid};
use crate::AppState;
use crate::auth::ApiCaller;
use crate::error::{ApiError, AppError, Problem};
use crate::ui::portal::mine::{SUPPLEMENT_FILES, awaited_supplement};

/// Most components or files one dossier may list.
const MAX_COMPONENTS: usize = 64;

/// Longest free text (reasons, names) accepted, in characters.
const MAX_TEXT_CHARS: usize = 4000;

// ---------------------------------------------------------------------------------------
// Views

/// A dossier in a list.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DossierSummary {
    /// The dossier's code (`{agency}-{YYMMDD}-{NNNN}`).
    #[schema(example = "000.00.10.H05-261123-0001")]
    pub code: String,
    /// Version: pass it back as `expected_version` when acting.
    pub version: i64,
    /// National procedure code.
    pub procedure_code: String,
    /// Procedure name.
    pub procedure_name: String,
    /// The responsible agency's identifier code.
    pub agency: String,
    /// The applicant's name.
    pub applicant_name: String,
    /// How it came in: `online`, `desk`, `post`, `api`.
    pub channel: String,
    /// Status identifier (`submitted`, `received`, `in_progress`, …).
    pub status: String,
    /// The national status number 1–10 (`TrangThaiHoSo`).
    pub status_code: u8,
    /// When it was submitted.
    pub submitted_at: DateTime<Utc>,
    /// When it was received (the clock's start).
    pub received_at: Option<DateTime<Utc>>,
    /// The appointment for the result.
    pub due: Option<DateTime<Utc>>,
    /// When processing finished.
    pub finished_at: Option<DateTime<Utc>>,
    /// Classification now: `early`, `on_time`, `late`, `within_time`, `overdue`,
    /// `not_counted` (766 rule 2.1).
    pub outcome: String,
}

impl DossierSummary {
    fn of(d: &Dossier, state: &AppState) -> DossierSummary {
        let rules = state.services.rules().outcome;
        DossierSummary {
            code: d.code().to_string(),
            version: d.version,
            procedure_code: d.submission.procedure.code.clone(),
            procedure_name: d.submission.procedure.name.clone(),
            agency: d.submission.agency.clone(),
            applicant_name: d.submission.applicant.name.clone(),
            channel: d.submission.channel.as_str().to_owned(),
            status: d.status.as_str().to_owned(),
            status_code: d.status.national_code(),
            submitted_at: d.submitted_at,
            received_at: d.received_at,
            due: d.due,
            finished_at: d.finished_at,
            outcome: d
                .outcome_at(state.services.now(), &rules)
                .as_str()
                .to_owned(),
        }
    }
}

/// The applicant of a dossier.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ApplicantView {
    /// `person` (personal identification number) or `organisation` (tax code).
    pub kind: String,
    /// The number.
    pub number: String,
    /// Name.
    pub name: String,
    /// Phone.
    pub phone: Option<String>,
    /// E-mail.
    pub email: Option<String>,
    /// Postal address.
    pub address: Option<String>,
}

/// A file of a component.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FileView {
    /// SHA-256 of the content: the file's identity.
    pub sha256: String,
    /// The name given at upload.
    pub name: String,
    /// `application/pdf`, `image/jpeg` or `image/png`.
    pub media_type: String,
    /// Size in bytes.
    pub size: u64,
}

impl From<&FileRef> for FileView {
    fn from(f: &FileRef) -> FileView {
        FileView {
            sha256: f.sha256.clone(),
            name: f.name.clone(),
            media_type: f.media_type.clone(),
            size: f.size,
        }
    }
}

/// A component of the dossier as submitted.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DossierComponentView {
    /// Its name (desk intake records the counts in it).
    pub name: String,
    /// A file (or scan) came with it.
    pub has_file: bool,
    /// Its files.
    pub files: Vec<FileView>,
}

/// A processing step.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct StepView {
    /// Step name.
    pub name: String,
    /// Agency of the step.
    pub agency: String,
    /// Assignee account id.
    pub assignee: Option<String>,
    /// Start.
    pub started_at: DateTime<Utc>,
    /// The step's own deadline.
    pub due: Option<DateTime<Utc>>,
    /// End.
    pub ended_at: Option<DateTime<Utc>>,
}

/// A pause of the clock.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PauseView {
    /// `supplement` or `payment`.
    pub reason: String,
    /// From.
    pub from: DateTime<Utc>,
    /// Until (open while waiting).
    pub until: Option<DateTime<Utc>>,
    /// Working minutes paused.
    pub working_minutes: i64,
}

/// An action the caller may take now, from `POST /dossiers/{code}/actions`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ActionOfferView {
    /// The `action` of the command.
    pub action: String,
    /// Why a rule would refuse it now (Vietnamese / English), when one would.
    pub blocked: Option<String>,
}

/// One dossier: state, timing, outcome, components and steps.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DossierView {
    /// The list fields.
    #[serde(flatten)]
    pub summary: DossierSummary,
    /// The applicant.
    pub applicant: ApplicantView,
    /// Submitted components.
    pub components: Vec<DossierComponentView>,
    /// Processing steps, oldest first.
    pub steps: Vec<StepView>,
    /// Pauses of the clock.
    pub pauses: Vec<PauseView>,
    /// The first appointment, before any extension.
    pub original_due: Option<DateTime<Utc>>,
    /// The appointment statistics measure against.
    pub statistical_due: Option<DateTime<Utc>>,
    /// When the apology and new appointment were given.
    pub extended_at: Option<DateTime<Utc>>,
    /// Supplements asked during processing.
    pub supplement_requests: u32,
    /// Fees asked, in đồng.
    pub payment_due_vnd: Option<u64>,
    /// `approved`, or `refused` with `decision_reasons`.
    pub decision: Option<String>,
    /// Reasons of a refusal.
    pub decision_reasons: Option<String>,
    /// `electronic` or `paper`, once issued.
    pub result_form: Option<String>,
    /// When the result was issued.
    pub result_issued_at: Option<DateTime<Utc>>,
    /// `desk`, `post` or `online`, once returned.
    pub returned_by: Option<String>,
    /// When the result was returned.
    pub returned_at: Option<DateTime<Utc>>,
    /// The applicant's rating: `satisfied`, `acceptable`, `dissatisfied`.
    pub rating: Option<String>,
    /// What the supplement awaited asks for, while one is (during processing, or the
    /// written guidance at reception): answer it with `POST /dossiers/{code}/supplement`.
    pub supplement_reasons: Option<String>,
    /// The actions the caller's role may take now (staff only; empty for applicants).
    pub actions: Vec<ActionOfferView>,
}

fn snake<T: Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(s)) => s,
        _ => String::new(),
    }
}

impl DossierView {
    fn of(d: &Dossier, state: &AppState, actions: Vec<ActionOfferView>) -> DossierView {
        let applicant = &d.submission.applicant;
        let (kind, number) = match &applicant.id {
            ApplicantId::Person(p) => ("person", p.to_string()),
            ApplicantId::Organisation(t) => ("organisation", t.to_string()),
        };
        let (decision, decision_reasons) = match &d.decision {
            None => (None, None),
            Some(Decision::Approved) => (Some("approved".to_owned()), None),
            Some(Decision::Refused { reasons }) => {
                (Some("refused".to_owned()), Some(reasons.clone()))
            }
        };
        DossierView {
            summary: DossierSummary::of(d, state),
            applicant: ApplicantView {
                kind: kind.to_owned(),
                number,
                name: applicant.name.clone(),
                phone: applicant.phone.clone(),
                email: applicant.email.clone(),
                address: applicant.address.clone(),
            },
            components: d
                .submission
                .components
                .iter()
                .map(|c| DossierComponentView {
                    name: c.name.clone(),
                    has_file: c.has_file,
                    files: c.files.iter().map(FileView::from).collect(),
                })
                .collect(),
            steps: d
                .steps
                .iter()
                .map(|s| StepView {
                    name: s.name.clone(),
                    agency: s.agency.clone(),
                    assignee: s.assignee.clone(),
                    started_at: s.started_at,
                    due: s.due,
                    ended_at: s.ended_at,
                })
                .collect(),
            pauses: d
                .pauses
                .iter()
                .map(|p| PauseView {
                    reason: snake(&p.reason),
                    from: p.from,
                    until: p.until,
                    working_minutes: p.working_minutes,
                })
                .collect(),
            original_due: d.original_due,
            statistical_due: d.statistical_due,
            extended_at: d.extended_at,
            supplement_requests: d.supplement_requests,
            payment_due_vnd: d.payment_due_vnd,
            decision,
            decision_reasons,
            result_form: d.result.map(|(form, _)| snake(&form)),
            result_issued_at: d.result.map(|(_, at)| at),
            returned_by: d.returned.map(|(method, _)| snake(&method)),
            returned_at: d.returned.map(|(_, at)| at),
            rating: d.rating.map(|r| snake(&r)),
            supplement_reasons: None,
            actions,
        }
    }
}

/// Whether the caller acts as an applicant (citizen or business): they see their own
/// dossiers and petitions, and their history without officers' identities.
pub(super) fn is_applicant(caller: &ApiCaller) -> bool {
    matches!(caller.acting.actor.role, Role::Citizen | Role::Business)
}

/// A dossier code from the path; a malformed one is a `404` like an unknown one.
pub(super) fn parse_code(code: &str) -> Result<DossierCode, ApiError> {
    code.trim().parse::<DossierCode>().map_err(|_| {
        ApiError(AppError::NotFound(format!(
            "không có hồ sơ {code} / no dossier {code}"
        )))
    })
}

// ---------------------------------------------------------------------------------------
// Listing

/// Filters of the dossier list.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DossierFilter {
    /// Statuses, comma-separated (`received,in_progress`), or `all`. Default: the open
    /// statuses for staff (their worklist), all for applicants ("my dossiers").
    #[param(example = "received,in_progress")]
    pub status: Option<String>,
    /// Only this procedure (national code).
    pub procedure: Option<String>,
    /// Only this agency (system administrators and inspectors; staff always see their own).
    pub agency: Option<String>,
    /// Only dossiers whose current step has this name.
    pub step: Option<String>,
}

/// The caller's dossiers.
///
/// Staff: their agency's worklist (and dossiers at a step of it); applicants: their own.
/// Nearest appointment first; dossiers without one last.
#[utoipa::path(
    get,
    path = "/dossiers",
    tag = "dossiers",
    operation_id = "list_dossiers",
    params(DossierFilter, PageParams),
    responses(
        (status = 200, description = "A page of dossiers", body = Page<DossierSummary>),
        (status = 401, description = "No credential", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Scope `dossiers:read` missing, or no worklist for this role", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A filter is invalid; `field` names it", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["dossiers:read"]), ("session" = [])),
)]
pub async fn list_dossiers(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiQuery(filter): ApiQuery<DossierFilter>,
    ApiQuery(page): ApiQuery<PageParams>,
) -> Result<Json<Page<DossierSummary>>, ApiError> {
    caller.require_scope(ApiScope::DossiersRead)?;
    let paging = page.paging(super::extract::MAX_LIMIT)?;
    let statuses = match given(&filter.status) {
        Some("all") => Vec::new(),
        Some(text) => {
            let mut statuses = Vec::new();
            for token in text.split(',').map(str::trim).filter(|t| !t.is_empty()) {
                let status = Status::parse(token).ok_or_else(|| {
                    let all = Status::ALL.map(Status::as_str).join(", ");
                    invalid(
                        "status",
                        &format!("trạng thái «{token}» không tồn tại; dùng: {all}"),
                        &format!("no status “{token}”; use: {all}"),
                    )
                })?;
                statuses.push(status.as_str().to_owned());
            }
            statuses
        }
        None if is_applicant(&caller) => Vec::new(),
        None => OPEN_STATUSES
            .iter()
            .map(|s| s.as_str().to_owned())
            .collect(),
    };
    let query = DossierQuery {
        agency: given(&filter.agency).map(str::to_owned),
        procedure: given(&filter.procedure).map(str::to_owned),
        statuses,
        step: given(&filter.step).map(str::to_owned),
        order: DossierOrder::ByDeadline,
        limit: i64::from(paging.limit),
        offset: i64::try_from(paging.offset).unwrap_or(i64::MAX),
        ..DossierQuery::default()
    };
    // The one invalid input the service reports here is a missing agency (inspectors).
    let (rows, total) = state
        .services
        .list_dossiers_for(&caller.acting, query)
        .await
        .map_err(|e| with_field(e, "agency"))?;
    let total = u64::try_from(total).unwrap_or(0);
    let next = paging.next(rows.len(), total);
    Ok(Json(Page {
        items: rows
            .iter()
            .map(|row| DossierSummary::of(&row.state.0, &state))
            .collect(),
        next,
        total,
    }))
}

// ---------------------------------------------------------------------------------------
// One dossier and its history

/// One dossier.
///
/// Out of the caller's scope answers `404`, as an unknown code does, so a code's existence
/// does not leak. Staff also get the actions their role may take now.
#[utoipa::path(
    get,
    path = "/dossiers/{code}",
    tag = "dossiers",
    operation_id = "find_dossier",
    params(("code" = String, Path, description = "Dossier code", example = "000.00.10.H05-261123-0001")),
    responses(
        (status = 200, description = "The dossier", body = DossierView),
        (status = 401, description = "No credential", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Scope `dossiers:read` missing", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Unknown, or out of the caller's scope", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["dossiers:read"]), ("session" = [])),
)]
pub async fn find_dossier(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(code): Path<String>,
) -> Result<Json<DossierView>, ApiError> {
    caller.require_scope(ApiScope::DossiersRead)?;
    let code = parse_code(&code)?;
    Ok(Json(view(&state, &caller, &code).await?))
}

async fn view(
    state: &AppState,
    caller: &ApiCaller,
    code: &DossierCode,
) -> Result<DossierView, ApiError> {
    let (dossier, actions) = if is_applicant(caller) {
        let dossier = state.services.dossier_for(&caller.acting, code).await?;
        (dossier, Vec::new())
    } else {
        let file = state.services.office_dossier(&caller.acting, code).await?;
        let actions = file
            .actions
            .iter()
            .map(|offer| ActionOfferView {
                action: action_name(offer.action).to_owned(),
                blocked: offer.blocked.clone(),
            })
            .collect();
        (file.dossier, actions)
    };
    let mut view = DossierView::of(&dossier, state, actions);
    // The state only says a supplement is awaited; what it asks for is in the log.
    view.supplement_reasons = awaited_supplement(state, &dossier).await?;
    Ok(view)
}

/// One entry of a dossier's history.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EventView {
    /// Position in the dossier's log, from 1.
    pub version: i64,
    /// What happened (`submitted`, `received`, `transferred`, …).
    pub kind: String,
    /// When.
    pub at: DateTime<Utc>,
    /// Who (account or token id); absent for applicants, who never see officers' identities.
    pub actor: Option<String>,
    /// The actor's role.
    pub role: Option<String>,
    /// The actor's agency.
    pub agency: Option<String>,
    /// The channel (`online`, `desk`, `post`, `api`, `cli`).
    pub channel: Option<String>,
    /// The event as recorded (staff only).
    #[schema(value_type = Option<Object>)]
    pub payload: Option<serde_json::Value>,
}

/// A dossier's history, oldest first.
///
/// From the append-only log: staff see who did what through which channel and the event
/// as recorded; applicants see what happened and when.
#[utoipa::path(
    get,
    path = "/dossiers/{code}/events",
    tag = "dossiers",
    operation_id = "list_dossier_events",
    params(("code" = String, Path, description = "Dossier code"), PageParams),
    responses(
        (status = 200, description = "A page of the history", body = Page<EventView>),
        (status = 401, description = "No credential", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Scope `dossiers:read` missing", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Unknown, or out of the caller's scope", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["dossiers:read"]), ("session" = [])),
)]
pub async fn list_dossier_events(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(code): Path<String>,
    ApiQuery(page): ApiQuery<PageParams>,
) -> Result<Json<Page<EventView>>, ApiError> {
    caller.require_scope(ApiScope::DossiersRead)?;
    let paging = page.paging(super::extract::MAX_LIMIT)?;
    let code = parse_code(&code)?;
    let dossier = state.services.dossier_for(&caller.acting, &code).await?;
    let events: Vec<EventView> = if is_applicant(&caller) {
        state
            .services
            .dossier_timeline(&dossier)
            .await?
            .into_iter()
            .enumerate()
            .map(|(i, e)| EventView {
                version: i64::try_from(i).unwrap_or(i64::MAX).saturating_add(1),
                kind: e.kind,
                at: e.at,
                actor: None,
                role: None,
                agency: None,
                channel: None,
                payload: None,
            })
            .collect()
    } else {
        state
            .services
            .dossier_history(&code)
            .await?
            .into_iter()
            .map(|e| EventView {
                version: e.version,
                kind: e.kind,
                at: e.meta.at,
                actor: Some(e.meta.actor.id),
                role: Some(e.meta.actor.role.as_str().to_owned()),
                agency: e.meta.actor.agency,
                channel: Some(e.meta.channel.as_str().to_owned()),
                payload: Some(e.payload),
            })
            .collect()
    };
    let total = events.len() as u64;
    let (items, next) = paging.slice(events);
    Ok(Json(Page { items, next, total }))
}

// ---------------------------------------------------------------------------------------
// Creating a dossier

/// Who the dossier is for, and how to reach them.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ApplicantInput {
    /// Personal identification number (12 digits), for a person. Online, it is the
    /// signed-in account's and may be left out.
    #[schema(example = "027190123456")]
    pub personal_id: Option<String>,
    /// Tax code, for an organisation (instead of `personal_id`).
    pub tax_code: Option<String>,
    /// Full name.
    pub name: String,
    /// Phone number.
    pub phone: Option<String>,
    /// E-mail address.
    pub email: Option<String>,
    /// Postal address.
    pub address: Option<String>,
}

/// A document received at the desk.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ComponentInput {
    /// The document's name (as the procedure lists it, or another).
    pub name: String,
    /// Originals received (default 1).
    #[serde(default = "one")]
    pub originals: u32,
    /// Copies received (default 0).
    #[serde(default)]
    pub copies: u32,
    /// Scanned into the dossier.
    #[serde(default)]
    pub scanned: bool,
}

fn one() -> u32 {
    1
}

/// A file uploaded with `POST /files`, for a component of an online submission.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FileInput {
    /// Position of the component in the procedure's online offer, from 0.
    pub component: u32,
    /// The `sha256` `POST /files` answered.
    pub sha256: String,
    /// The file's name as it should be shown.
    pub name: String,
}

/// How the dossier came in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ChannelInput {
    /// Submitted online by the signed-in applicant.
    Online,
    /// Brought to the one-stop desk.
    Desk,
    /// Received by post.
    Post,
}

/// What the desk does with it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum IntakeInput {
    /// Complete and valid: receive it; the clock starts (Form 01).
    Receive,
    /// Incomplete: record it and give the one-time written guidance (Form 02).
    Guide,
    /// Not acceptable: record it and refuse it with reasons (Form 03).
    Refuse,
}

/// A new dossier: an online submission by a signed-in citizen or business
/// (`channel: online`, with `files`), or a desk or postal intake by staff or a token with
/// `dossiers:write` (`channel: desk|post`, with `components` and `intake`).
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewDossierRequest {
    /// National procedure code (in force today).
    #[schema(example = "1.001193")]
    pub procedure: String,
    /// The receiving agency: online, one of the procedure's offer (required when it has
    /// several); at the desk, the caller's agency (the default).
    pub agency: Option<String>,
    /// How it came in.
    pub channel: ChannelInput,
    /// The applicant.
    pub applicant: ApplicantInput,
    /// Documents received at the desk.
    #[serde(default)]
    pub components: Vec<ComponentInput>,
    /// Files of an online submission.
    #[serde(default)]
    pub files: Vec<FileInput>,
    /// Desk only: receive (default), guide or refuse.
    pub intake: Option<IntakeInput>,
    /// Reasons of a guidance or a refusal.
    pub reasons: Option<String>,
}

/// Collects field problems into one `422`.
#[derive(Default)]
struct Problems(Vec<(String, String)>);

impl Problems {
    fn push(&mut self, field: impl Into<String>, vi: &str, en: &str) {
        self.0.push((field.into(), format!("{vi} / {en}")));
    }

    fn push_message(&mut self, field: impl Into<String>, message: String) {
        self.0.push((field.into(), message));
    }

    fn into_result(self) -> Result<(), ApiError> {
        let Some((first, _)) = self.0.first() else {
            return Ok(());
        };
        let field = first.clone();
        let message = self
            .0
            .iter()
            .map(|(f, m)| format!("{f}: {m}"))
            .collect::<Vec<_>>()
            .join("; ");
        Err(ApiError(AppError::Invalid {
            message,
            field: Some(field),
        }))
    }
}

fn optional(text: &Option<String>) -> Option<String> {
    given(text).map(str::to_owned)
}

fn too_long(text: &str) -> bool {
    text.chars().count() > MAX_TEXT_CHARS
}

/// Submit an online dossier, or record a desk or postal intake.
///
/// Online (a citizen or business session): the files first go up with `POST /files`;
/// the dossier awaits receipt (status `submitted`). At the desk (staff or a token with
/// `dossiers:write`): `receive` starts the clock; `guide` and `refuse` record the dossier
/// with its code and the written reasons.
#[utoipa::path(
    post,
    path = "/dossiers",
    tag = "dossiers",
    operation_id = "create_dossier",
    request_body = NewDossierRequest,
    responses(
        (status = 201, description = "The dossier, as recorded", body = DossierView),
        (status = 400, description = "The body is not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No credential", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Scope `dossiers:write` missing, or the agency is not the caller's", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field is invalid; `field` (and `errors`) name it", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["dossiers:write"]), ("session" = [])),
)]
pub async fn create_dossier(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiJson(body): ApiJson<NewDossierRequest>,
) -> Result<(StatusCode, Json<DossierView>), ApiError> {
    caller.require_scope(ApiScope::DossiersWrite)?;
    let dossier = match body.channel {
        ChannelInput::Online => submit_online(&state, &caller, body).await?,
        ChannelInput::Desk | ChannelInput::Post => desk_intake(&state, &caller, body).await?,
    };
    let view = view(&state, &caller, dossier.code()).await?;
    Ok((StatusCode::CREATED, Json(view)))
}

/// An online submission: saved as a draft and submitted, as the portal's form does.
async fn submit_online(
    state: &AppState,
    caller: &ApiCaller,
    body: NewDossierRequest,
) -> Result<Dossier, ApiError> {
    let services = &state.services;
    let mut problems = Problems::default();
    if !is_applicant(caller) {
        return Err(ApiError(AppError::Forbidden(
            "chỉ công dân và doanh nghiệp nộp hồ sơ trực tuyến; tại quầy dùng channel desk hoặc post / only citizens and businesses submit online; at the desk use channel desk or post".into(),
        )));
    }
    let account = services.applicant_account(&caller.acting).await?;
    for (field, given_number) in [
        ("applicant.personal_id", &body.applicant.personal_id),
        ("applicant.tax_code", &body.applicant.tax_code),
    ] {
        if given(given_number).is_some_and(|n| n != account.login) {
            problems.push(
                field,
                "hồ sơ trực tuyến mang số định danh của tài khoản đăng nhập",
                "an online dossier carries the signed-in account's number",
            );
        }
    }
    if !body.components.is_empty() {
        problems.push(
            "components",
            "hồ sơ trực tuyến gửi tệp qua files",
            "an online dossier sends its documents as files",
        );
    }
    let offer = services
        .offer_for(body.procedure.trim())
        .await
        .map_err(|e| with_field(e, "procedure"))?;
    let mut files = BTreeMap::new();
    for (i, file) in body.files.iter().enumerate() {
        let field = format!("files[{i}]");
        if file.component as usize >= offer.components.len() {
            problems.push(
                format!("{field}.component"),
                "thủ tục không có thành phần này",
                "the procedure has no such component",
            );
            continue;
        }
        match uploaded(state, &file.sha256, &file.name).await? {
            Some(found) => {
                files.insert(file.component, found);
            }
            None => problems.push(
                format!("{field}.sha256"),
                "không có tệp này; hãy tải lên bằng POST /files trước",
                "no such file; upload it with POST /files first",
            ),
        }
    }
    problems.into_result()?;
    let agency = match given(&body.agency) {
        Some(agency) => agency.to_owned(),
        None => match offer.agencies.as_slice() {
            [only] => only.code.as_str().to_owned(),
            _ => String::new(),
        },
    };
    let save = SaveDraft {
        id: None,
        expected_version: 0,
        procedure_code: body.procedure.trim().to_owned(),
        form: DraftForm {
            name: body.applicant.name.clone(),
            phone: optional(&body.applicant.phone).unwrap_or_default(),
            email: optional(&body.applicant.email).unwrap_or_default(),
            address: optional(&body.applicant.address).unwrap_or_default(),
            agency,
        },
        files,
    };
    let draft = services.save_draft(&caller.acting, save).await?;
    // The portal's own check, with its fields renamed to this body's.
    let problems: Vec<(String, String)> = check_draft(&draft, &offer)
        .into_iter()
        .map(|p| {
            let field = match p.field.as_str() {
                "agency" => "agency".to_owned(),
                f if f.starts_with("file-") => format!("files (component {})", &f[5..]),
                f => format!("applicant.{f}"),
            };
            (field, format!("{} / {}", p.vi, p.en))
        })
        .collect();
    if !problems.is_empty() {
        // Nothing was submitted: the draft goes, so a failed call leaves nothing behind.
        services.delete_draft(&caller.acting, &draft.id).await?;
        let mut all = Problems::default();
        for (field, message) in problems {
            all.push_message(field.replace(' ', "_").replace(['(', ')'], ""), message);
        }
        all.into_result()?;
    }
    Ok(services
        .submit_draft(&caller.acting, &draft.id, draft.version)
        .await?)
}

/// The reference of a file uploaded with `POST /files`, shown under `name`; `None` when no
/// such file was uploaded. Type and size are the store's, never the caller's word. Task
/// reports take their files the same way ([`super::tasks`]).
pub(super) async fn uploaded(
    state: &AppState,
    sha256: &str,
    name: &str,
) -> Result<Option<FileRef>, ApiError> {
    Ok(state
        .services
        .store()
        .find_file(sha256.trim())
        .await?
        .map(|stored| FileRef {
            sha256: stored.sha256,
            name: motcua_service::files::clean_name(name),
            media_type: stored.media_type,
            size: u64::try_from(stored.size).unwrap_or(0),
        }))
}

/// A desk or postal intake, as the desk's form records it.
async fn desk_intake(
    state: &AppState,
    caller: &ApiCaller,
    body: NewDossierRequest,
) -> Result<Dossier, ApiError> {
    let services = &state.services;
    let procedure = services
        .procedure_in_force(&body.procedure)
        .await
        .map_err(|e| with_field(e, "procedure"))?;
    let mut problems = Problems::default();
    let a = &body.applicant;
    let id = match (given(&a.personal_id), given(&a.tax_code)) {
        (Some(number), None) => match number.parse::<PersonalId>() {
            Ok(id) => Some(ApplicantId::Person(id)),
            Err(e) => {
                problems.push_message("applicant.personal_id", e.to_string());
                None
            }
        },
        (None, Some(number)) => match number.parse::<TaxCode>() {
            Ok(tax) => Some(ApplicantId::Organisation(tax)),
            Err(e) => {
                problems.push_message("applicant.tax_code", e.to_string());
                None
            }
        },
        (Some(_), Some(_)) => {
            problems.push(
                "applicant.tax_code",
                "chỉ ghi một trong số định danh cá nhân và mã số thuế",
                "give either a personal identification number or a tax code, not both",
            );
            None
        }
        (None, None) => {
            problems.push(
                "applicant.personal_id",
                "cần số định danh cá nhân hoặc mã số thuế",
                "a personal identification number or a tax code is required",
            );
            None
        }
    };
    if a.name.trim().is_empty() || too_long(&a.name) {
        problems.push(
            "applicant.name",
            "hãy nhập họ tên (tối đa 4000 ký tự)",
            "enter the name (at most 4000 characters)",
        );
    }
    if let Some(phone) = given(&a.phone) {
        let digits = phone.chars().filter(char::is_ascii_digit).count();
        let chars_ok = phone
            .chars()
            .all(|c| c.is_ascii_digit() || " .+-".contains(c));
        if !chars_ok || !(9..=12).contains(&digits) {
            problems.push(
                "applicant.phone",
                "số điện thoại không hợp lệ",
                "the phone number is invalid",
            );
        }
    }
    if given(&a.email).is_some_and(|e| !e.contains('@')) {
        problems.push(
            "applicant.email",
            "địa chỉ thư điện tử không hợp lệ",
            "the e-mail address is invalid",
        );
    }
    if !body.files.is_empty() {
        problems.push(
            "files",
            "tại quầy, ghi giấy tờ đã nhận trong components",
            "at the desk, list the documents received in components",
        );
    }
    if body.components.len() > MAX_COMPONENTS {
        problems.push("components", "quá nhiều thành phần", "too many components");
    }
    for (i, c) in body.components.iter().enumerate() {
        if c.name.trim().is_empty() || too_long(&c.name) {
            problems.push(
                format!("components[{i}].name"),
                "hãy ghi tên giấy tờ",
                "name the document",
            );
        }
    }
    let reasons = optional(&body.reasons).unwrap_or_default();
    let decision = match body.intake.unwrap_or(IntakeInput::Receive) {
        IntakeInput::Receive => {
            if body.components.is_empty() {
                problems.push(
                    "components",
                    "hãy ghi ít nhất một giấy tờ đã nhận",
                    "list at least one document received",
                );
            }
            IntakeDecision::Receive
        }
        IntakeInput::Guide => IntakeDecision::Guide {
            reasons: reasons.clone(),
        },
        IntakeInput::Refuse => IntakeDecision::Refuse {
            reasons: reasons.clone(),
        },
    };
    if !matches!(decision, IntakeDecision::Receive) && (reasons.is_empty() || too_long(&reasons)) {
        problems.push(
            "reasons",
            "cần lý do (tối đa 4000 ký tự)",
            "the reasons are required (at most 4000 characters)",
        );
    }
    problems.into_result()?;
    let Some(id) = id else {
        return Err(ApiError(AppError::Internal(
            "applicant id missing after validation".into(),
        )));
    };
    let Some(agency) = given(&body.agency)
        .map(str::to_owned)
        .or_else(|| caller.agency().map(str::to_owned))
    else {
        return Err(ApiError(AppError::invalid(
            "agency",
            "hãy chọn cơ quan tiếp nhận",
            "choose the receiving agency",
        )));
    };
    let channel = if body.channel == ChannelInput::Post {
        Channel::Post
    } else {
        Channel::Desk
    };
    let new = NewDossier {
        agency,
        procedure: procedure_ref(&procedure),
        applicant: Applicant {
            id,
            name: a.name.trim().to_owned(),
            phone: optional(&a.phone),
            email: optional(&a.email),
            address: optional(&a.address),
        },
        channel,
        components: body
            .components
            .iter()
            .map(|c| Component {
                name: motcua_domain::dossier::name_with_counts(
                    c.name.trim(),
                    c.originals,
                    c.copies,
                ),
                has_file: c.scanned,
                reused: false,
                from_data_store: false,
                files: Vec::new(),
            })
            .collect(),
        eid_verified: false,
    };
    // A person at the desk records a postal dossier as received by post; a token's
    // changes stay recorded as coming through the API.
    let mut acting = caller.acting.clone();
    if acting.channel != Channel::Api {
        acting.channel = channel;
    }
    Ok(services.desk_intake(&acting, new, decision).await?)
}

/// A service error with `field` named when it has none (e.g. an unknown procedure).
fn with_field(e: motcua_service::ServiceError, field: &str) -> ApiError {
    match AppError::from(e) {
        AppError::Invalid {
            message,
            field: None,
        } => ApiError(AppError::Invalid {
            message,
            field: Some(field.to_owned()),
        }),
        other => ApiError(other),
    }
}

// ---------------------------------------------------------------------------------------
// Acting on a dossier

/// A step's time budget.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BudgetInput {
    /// The amount: a whole number or a half (`1.5`).
    #[schema(example = "2")]
    pub value: String,
    /// `working_days` or `working_hours`.
    #[schema(example = "working_days")]
    pub unit: String,
}

/// A fee line.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FeeLineInput {
    /// The fee's name.
    pub name: String,
    /// Amount in đồng (at least 1).
    pub amount_vnd: u64,
}

/// The decision of `finish`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DecisionInput {
    /// Grant the request.
    Approve,
    /// Refuse it, with `reasons`.
    Refuse,
}

/// The form of a result.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ResultFormInput {
    /// An electronic document.
    Electronic,
    /// Paper.
    Paper,
}

/// How the result is handed over.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReturnMethodInput {
    /// At the desk.
    Desk,
    /// By post.
    Post,
    /// Online.
    Online,
}

/// One step of the engine. `action` says which; the other fields are its own.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(tag = "action", rename_all = "snake_case", deny_unknown_fields)]
pub enum ActionInput {
    /// Receive an online dossier (or one completed after guidance).
    Receive,
    /// One-time written guidance to complete the dossier (Form 02).
    GuideIntake {
        /// What is missing or wrong.
        reasons: String,
    },
    /// The applicant brought what the guidance asked for.
    IntakeSupplied,
    /// Refuse at reception (Form 03).
    RefuseIntake {
        /// The reasons.
        reasons: String,
    },
    /// Assign or transfer to a step of this or another agency.
    Transfer {
        /// Step name.
        step: String,
        /// The step's agency (identifier code).
        agency: String,
        /// An account of the caller's agency (a specialist or leader).
        assignee: Option<String>,
        /// The step's time budget.
        budget: Option<BudgetInput>,
    },
    /// Ask for a supplement during processing (the clock pauses).
    RequestSupplement {
        /// What is missing or wrong.
        reasons: String,
    },
    /// Record the applicant's supplement (the clock resumes).
    SupplementProvided,
    /// Ask for fees or taxes.
    RequestPayment {
        /// What to pay.
        lines: Vec<FeeLineInput>,
    },
    /// Record the payment.
    RecordPayment {
        /// Paid online.
        #[serde(default)]
        online: bool,
    },
    /// Finish processing: approve, or refuse with reasons.
    Finish {
        /// The decision. (Enumerated values inside a command are read as text, so a wrong one
        /// is named by its field.)
        #[schema(value_type = DecisionInput)]
        decision: String,
        /// Reasons of a refusal.
        reasons: Option<String>,
    },
    /// Issue the result document.
    IssueResult {
        /// Electronic or paper.
        #[schema(value_type = ResultFormInput)]
        form: String,
        /// Document number.
        number: Option<String>,
    },
    /// Hand the result to the applicant.
    ReturnResult {
        /// How.
        #[schema(value_type = ReturnMethodInput)]
        method: String,
    },
    /// Apology and new appointment (Form 04), once.
    Extend {
        /// Reason for the delay.
        reasons: String,
        /// The new appointment (RFC 3339).
        #[schema(value_type = String, format = DateTime, example = "2026-12-31T17:00:00+07:00")]
        due: String,
    },
    /// Stop processing (Form 05).
    Stop {
        /// The reasons.
        reasons: String,
    },
    /// Withdraw on the applicant's written request.
    Withdraw {
        /// The applicant's reasons.
        reasons: String,
    },
}

/// A step to take, at the version it was based on.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ActionRequest {
    /// The dossier's `version` the caller read; another change since gives `409`.
    pub expected_version: i64,
    /// The step.
    pub command: ActionInput,
}

/// The name of an action as `ActionInput` spells it.
fn action_name(action: OfficeAction) -> &'static str {
    match action {
        OfficeAction::Receive => "receive",
        OfficeAction::GuideIntake => "guide_intake",
        OfficeAction::IntakeSupplied => "intake_supplied",
        OfficeAction::RefuseIntake => "refuse_intake",
        OfficeAction::Transfer => "transfer",
        OfficeAction::RequestSupplement => "request_supplement",
        OfficeAction::SupplementProvided => "supplement_provided",
        OfficeAction::RequestPayment => "request_payment",
        OfficeAction::RecordPayment => "record_payment",
        OfficeAction::Finish => "finish",
        OfficeAction::IssueResult => "issue_result",
        OfficeAction::ReturnResult => "return_result",
        OfficeAction::Extend => "extend",
        OfficeAction::Stop => "stop",
        OfficeAction::Withdraw => "withdraw",
    }
}

/// One of an enumeration's values given as text, or a `422` naming `field` with the values
/// allowed (the enumeration's own serde names).
fn choice<T: serde::de::DeserializeOwned>(field: &str, text: &str) -> Result<T, ApiError> {
    serde_json::from_value(serde_json::Value::String(text.trim().to_owned())).map_err(|e| {
        invalid(
            field,
            "giá trị không nằm trong các giá trị cho phép",
            &super::extract::without_position(&e.to_string()),
        )
    })
}

/// Required reasons, at most [`MAX_TEXT_CHARS`].
fn reasons(text: &str) -> Result<String, ApiError> {
    let text = text.trim();
    if text.is_empty() || too_long(text) {
        return Err(invalid(
            "command.reasons",
            "cần lý do (tối đa 4000 ký tự)",
            "the reasons are required (at most 4000 characters)",
        ));
    }
    Ok(text.to_owned())
}

/// The engine's command for `input`, checked as the back office's forms check it.
async fn command_of(
    state: &AppState,
    caller: &ApiCaller,
    input: ActionInput,
) -> Result<Command, ApiError> {
    Ok(match input {
        ActionInput::Receive => Command::Receive,
        ActionInput::GuideIntake { reasons: r } => Command::RequestIntakeSupplement {
            reasons: reasons(&r)?,
        },
        ActionInput::IntakeSupplied => Command::ProvideIntakeSupplement,
        ActionInput::RefuseIntake { reasons: r } => Command::RefuseAtIntake {
            reasons: reasons(&r)?,
        },
        ActionInput::Transfer {
            step,
            agency,
            assignee,
            budget,
        } => {
            let step = step.trim();
            if step.is_empty() || too_long(step) {
                return Err(invalid(
                    "command.step",
                    "hãy ghi tên bước xử lý",
                    "name the processing step",
                ));
            }
            // A malformed code is as unknown as a missing agency here.
            let known = match state.services.agency(agency.trim()).await {
                Ok(found) => found.is_some(),
                Err(motcua_service::ServiceError::Invalid(_)) => false,
                Err(e) => return Err(e.into()),
            };
            if !known {
                return Err(invalid(
                    "command.agency",
                    "không có cơ quan này",
                    "no such agency",
                ));
            }
            let assignee = match assignee.as_deref().map(str::trim) {
                None | Some("") => None,
                Some(id) => {
                    // Only a colleague of the caller's agency can be named, as on the page.
                    let colleagues = state.services.assignees(&caller.acting).await?;
                    if !colleagues.iter().any(|c| c.id == id) {
                        return Err(invalid(
                            "command.assignee",
                            "không phải chuyên viên hay lãnh đạo của cơ quan",
                            "not a specialist or leader of the agency",
                        ));
                    }
                    Some(id.to_owned())
                }
            };
            let budget = match budget {
                None => None,
                Some(b) => {
                    let value = b
                        .value
                        .trim()
                        .parse::<TimeValue>()
                        .map_err(|e| invalid("command.budget.value", &e.vi(), &e.en()))?;
                    let unit = match b.unit.trim() {
                        "working_days" => TimeUnit::WorkingDays,
                        "working_hours" => TimeUnit::WorkingHours,
                        _ => {
                            return Err(invalid(
                                "command.budget.unit",
                                "đơn vị phải là working_days hoặc working_hours",
                                "the unit must be working_days or working_hours",
                            ));
                        }
                    };
                    Some(TimeLimit { value, unit })
                }
            };
            Command::Transfer {
                step: step.to_owned(),
                agency: agency.trim().to_owned(),
                assignee,
                budget,
            }
        }
        ActionInput::RequestSupplement { reasons: r } => Command::RequestSupplement {
            reasons: reasons(&r)?,
        },
        ActionInput::SupplementProvided => Command::ProvideSupplement,
        ActionInput::RequestPayment { lines } => {
            if lines.is_empty() || lines.len() > MAX_COMPONENTS {
                return Err(invalid(
                    "command.lines",
                    "cần từ 1 đến 64 khoản phí",
                    "1 to 64 fee lines are required",
                ));
            }
            let mut fee_lines = Vec::with_capacity(lines.len());
            for (i, line) in lines.into_iter().enumerate() {
                if line.name.trim().is_empty() || too_long(&line.name) {
                    return Err(invalid(
                        &format!("command.lines[{i}].name"),
                        "hãy ghi tên khoản phí",
                        "name the fee",
                    ));
                }
                if line.amount_vnd == 0 {
                    return Err(invalid(
                        &format!("command.lines[{i}].amount_vnd"),
                        "số tiền phải lớn hơn 0",
                        "the amount must be more than 0",
                    ));
                }
                fee_lines.push(FeeLine {
                    name: line.name.trim().to_owned(),
                    amount_vnd: line.amount_vnd,
                });
            }
            Command::RequestPayment { lines: fee_lines }
        }
        ActionInput::RecordPayment { online } => Command::RecordPayment { online },
        ActionInput::Finish {
            decision,
            reasons: r,
        } => Command::Finish {
            decision: match choice::<DecisionInput>("command.decision", &decision)? {
                DecisionInput::Approve => Decision::Approved,
                DecisionInput::Refuse => Decision::Refused {
                    reasons: reasons(r.as_deref().unwrap_or_default())?,
                },
            },
        },
        ActionInput::IssueResult { form, number } => Command::IssueResult {
            form: match choice::<ResultFormInput>("command.form", &form)? {
                ResultFormInput::Electronic => ResultForm::Electronic,
                ResultFormInput::Paper => ResultForm::Paper,
            },
            number: number
                .map(|n| n.trim().to_owned())
                .filter(|n| !n.is_empty()),
        },
        ActionInput::ReturnResult { method } => Command::ReturnResult {
            method: match choice::<ReturnMethodInput>("command.method", &method)? {
                ReturnMethodInput::Desk => ReturnMethod::Desk,
                ReturnMethodInput::Post => ReturnMethod::Post,
                ReturnMethodInput::Online => ReturnMethod::Online,
            },
        },
        ActionInput::Extend { reasons: r, due } => Command::Extend {
            reasons: reasons(&r)?,
            due: DateTime::parse_from_rfc3339(due.trim())
                .map(|d| d.to_utc())
                .map_err(|_| {
                    invalid(
                        "command.due",
                        "phải là thời điểm RFC 3339, ví dụ 2026-12-31T17:00:00+07:00",
                        "must be an RFC 3339 instant, e.g. 2026-12-31T17:00:00+07:00",
                    )
                })?,
        },
        ActionInput::Stop { reasons: r } => Command::Stop {
            reasons: reasons(&r)?,
        },
        ActionInput::Withdraw { reasons: r } => Command::Withdraw {
            reasons: reasons(&r)?,
        },
    })
}

/// Take a step of the engine.
///
/// Every step the back office takes from a dossier's page, with the version the caller
/// read: a change in between answers `409` and changes nothing. The role and scope rules
/// are the pages' own; a step the status does not allow answers `422 refused`.
#[utoipa::path(
    post,
    path = "/dossiers/{code}/actions",
    tag = "dossiers",
    operation_id = "act_on_dossier",
    params(("code" = String, Path, description = "Dossier code")),
    request_body = ActionRequest,
    responses(
        (status = 200, description = "The dossier after the step", body = DossierView),
        (status = 400, description = "The body is not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No credential", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Scope `dossiers:write` missing, or the role may not take this step", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Unknown, or out of the caller's scope", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The dossier changed since `expected_version`", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field is invalid (`field` names it) or a rule refuses the step (`code: refused`)", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["dossiers:write"]), ("session" = [])),
)]
pub async fn act_on_dossier(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(code): Path<String>,
    ApiJson(body): ApiJson<ActionRequest>,
) -> Result<Json<DossierView>, ApiError> {
    caller.require_scope(ApiScope::DossiersWrite)?;
    let code = parse_code(&code)?;
    // Out of scope is "not found" before anything else, as on the dossier's page.
    state.services.dossier_for(&caller.acting, &code).await?;
    let command = command_of(&state, &caller, body.command).await?;
    let dossier = state
        .services
        .act_on_dossier(&caller.acting, &code, command, Some(body.expected_version))
        .await?;
    Ok(Json(view(&state, &caller, dossier.code()).await?))
}

/// The applicant's rating.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RatingInput {
    /// Hài lòng.
    Satisfied,
    /// Chấp nhận được.
    Acceptable,
    /// Không hài lòng.
    Dissatisfied,
}

impl From<RatingInput> for Rating {
    fn from(r: RatingInput) -> Rating {
        match r {
            RatingInput::Satisfied => Rating::Satisfied,
            RatingInput::Acceptable => Rating::Acceptable,
            RatingInput::Dissatisfied => Rating::Dissatisfied,
        }
    }
}

/// A rating by the signed-in applicant.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RatingRequest {
    /// The rating.
    pub rating: RatingInput,
    /// The dossier's `version` the caller read.
    pub expected_version: i64,
}

/// Rate one's own finished dossier.
///
/// Once, after processing (766 group 5). Without an account, rate through
/// `POST /tracking/rating` with the receipt's second factor.
#[utoipa::path(
    post,
    path = "/dossiers/{code}/rating",
    tag = "dossiers",
    operation_id = "rate_dossier",
    params(("code" = String, Path, description = "Dossier code")),
    request_body = RatingRequest,
    responses(
        (status = 200, description = "The dossier, rated", body = DossierView),
        (status = 401, description = "No credential", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Only the applicant rates", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Unknown, or not the caller's", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The dossier changed since `expected_version`", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Not finished, already rated, or an invalid field", body = Problem, content_type = "application/problem+json"),
    ),
    security(("session" = [])),
)]
pub async fn rate_dossier(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(code): Path<String>,
    ApiJson(body): ApiJson<RatingRequest>,
) -> Result<Json<DossierView>, ApiError> {
    caller.require_scope(ApiScope::DossiersWrite)?;
    let code = parse_code(&code)?;
    state.services.dossier_for(&caller.acting, &code).await?;
    let dossier = state
        .services
        .act_on_dossier(
            &caller.acting,
            &code,
            Command::Rate {
                rating: body.rating.into(),
            },
            Some(body.expected_version),
        )
        .await?;
    Ok(Json(view(&state, &caller, dossier.code()).await?))
}

// ---------------------------------------------------------------------------------------
// The applicant's supplement

/// A file of a supplement, uploaded first with `POST /files`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SupplementFileInput {
    /// The `sha256` `POST /files` answered.
    pub sha256: String,
    /// The file's name as it should be shown.
    pub name: String,
}

/// The supplement asked for, at the version it answers.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SupplementRequest {
    /// The dossier's `version` the caller read; another change since gives `409`.
    pub expected_version: i64,
    /// The files of the supplement, at most 3, each uploaded first with `POST /files`
    /// (none when what was asked is given otherwise).
    #[serde(default)]
    pub files: Vec<SupplementFileInput>,
}

/// Provide the supplement asked for.
///
/// The applicant answers a request for a supplement during processing, or the written
/// guidance at reception (`supplement_reasons` of the dossier says what is asked), as the
/// portal's dossier page does: the files become attachments of the dossier (listed by
/// `GET /dossiers/{code}/files`) and the clock resumes. Staff record a supplement brought to
/// the desk with the action `supplement_provided` instead.
#[utoipa::path(
    post,
    path = "/dossiers/{code}/supplement",
    tag = "dossiers",
    operation_id = "provide_supplement",
    params(("code" = String, Path, description = "Dossier code")),
    request_body = SupplementRequest,
    responses(
        (status = 200, description = "The dossier with its supplement", body = DossierView),
        (status = 400, description = "The body is not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No credential", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not the applicant (staff and API tokens record supplements with an action)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Unknown, or not the caller's", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The dossier changed since `expected_version`", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field is invalid (`field` names it), or no supplement is awaited (`code: refused`)", body = Problem, content_type = "application/problem+json"),
    ),
    security(("session" = [])),
)]
pub async fn provide_supplement(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(code): Path<String>,
    ApiJson(body): ApiJson<SupplementRequest>,
) -> Result<Json<DossierView>, ApiError> {
    caller.require_scope(ApiScope::DossiersWrite)?;
    let code = parse_code(&code)?;
    // Out of scope is "not found" before anything else, as on the dossier's page.
    state.services.dossier_for(&caller.acting, &code).await?;
    if !is_applicant(&caller) {
        return Err(ApiError(AppError::Forbidden(
            "chỉ người nộp hồ sơ gửi bổ sung; cán bộ ghi nhận bổ sung bằng thao tác supplement_provided / only the applicant sends a supplement; staff record one with the action supplement_provided".into(),
        )));
    }
    let mut problems = Problems::default();
    if body.files.len() > SUPPLEMENT_FILES as usize {
        problems.push(
            "files",
            &format!("tối đa {SUPPLEMENT_FILES} tệp cho một lần bổ sung"),
            &format!("at most {SUPPLEMENT_FILES} files in one supplement"),
        );
    }
    let mut files = Vec::with_capacity(body.files.len());
    for (i, file) in body
        .files
        .iter()
        .enumerate()
        .take(SUPPLEMENT_FILES as usize)
    {
        match uploaded(&state, &file.sha256, &file.name).await? {
            Some(found) => files.push(found),
            None => problems.push(
                format!("files[{i}].sha256"),
                "không có tệp này; hãy tải lên bằng POST /files trước",
                "no such file; upload it with POST /files first",
            ),
        }
    }
    problems.into_result()?;
    let dossier = state
        .services
        .provide_supplement(&caller.acting, &code, &files, Some(body.expected_version))
        .await?;
    Ok(Json(view(&state, &caller, dossier.code()).await?))
}
