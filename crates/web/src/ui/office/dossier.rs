//! `/can-bo/ho-so/{code}`: everything about one dossier, its whole history from the event
//! log, and the actions the officer's role may take in its current status, each a form
//! that carries the version it was based on (`POST /can-bo/ho-so/{code}/{action}`).

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{NaiveDate, NaiveTime, TimeZone};
use motcua_domain::catalog::{TimeLimit, TimeUnit, TimeValue};
use motcua_domain::dossier::{Command, Decision, DossierCode, FeeLine, ResultForm, ReturnMethod};
use motcua_service::ServiceError;
use motcua_service::office::{DossierFile, OfficeAction};
use motcua_storage::StoreError;
use serde::Deserialize;

use super::{Fields, OfficeNav, field_message, field_problem, parse_code, private, view};
use crate::AppState;
use crate::auth::{CsrfForm, Staff};
use crate::error::{AppError, PageError};
use crate::i18n::Tr;
use crate::ui::portal::mine::{FileLink, file_link};
use crate::ui::{Chrome, render};
use motcua_domain::dossier::split_counts;

/// Where the back office's dossier pages live.
const OFFICE_DOSSIERS: &str = "/can-bo/ho-so";

/// Lines of a payment request the form offers.
const FEE_LINES: usize = 3;

/// The path segment and catalogue key of each action.
const ACTIONS: [(OfficeAction, &str, &str); 15] = [
    (OfficeAction::Receive, "tiep-nhan", "office.action.receive"),
    (
        OfficeAction::GuideIntake,
        "huong-dan-bo-sung",
        "office.action.guide_intake",
    ),
    (
        OfficeAction::IntakeSupplied,
        "da-bo-sung-tiep-nhan",
        "office.action.intake_supplied",
    ),
    (
        OfficeAction::RefuseIntake,
        "tu-choi-tiep-nhan",
        "office.action.refuse_intake",
    ),
    (
        OfficeAction::Transfer,
        "chuyen-xu-ly",
        "office.action.transfer",
    ),
    (
        OfficeAction::RequestSupplement,
        "yeu-cau-bo-sung",
        "office.action.request_supplement",
    ),
    (
        OfficeAction::SupplementProvided,
        "nhan-bo-sung",
        "office.action.supplement_provided",
    ),
    (
        OfficeAction::RequestPayment,
        "yeu-cau-nop-phi",
        "office.action.request_payment",
    ),
    (
        OfficeAction::RecordPayment,
        "ghi-nhan-thanh-toan",
        "office.action.record_payment",
    ),
    (
        OfficeAction::Finish,
        "ket-thuc-xu-ly",
        "office.action.finish",
    ),
    (
        OfficeAction::IssueResult,
        "ban-hanh-ket-qua",
        "office.action.issue_result",
    ),
    (
        OfficeAction::ReturnResult,
        "tra-ket-qua",
        "office.action.return_result",
    ),
    (OfficeAction::Extend, "gia-han", "office.action.extend"),
    (OfficeAction::Stop, "dung-xu-ly", "office.action.stop"),
    (
        OfficeAction::Withdraw,
        "rut-ho-so",
        "office.action.withdraw",
    ),
];

fn slug_of(action: OfficeAction) -> (&'static str, &'static str) {
    ACTIONS
        .iter()
        .find(|(a, _, _)| *a == action)
        .map_or(("", ""), |(_, slug, key)| (*slug, *key))
}

fn action_of(slug: &str) -> Option<OfficeAction> {
    ACTIONS
        .iter()
        .find(|(_, s, _)| *s == slug)
        .map(|(a, _, _)| *a)
}

/// One action as the page shows it.
#[derive(Debug)]
pub struct ActionView {
    slug: &'static str,
    title: &'static str,
    /// Why the engine would refuse it now.
    blocked: Option<String>,
    /// The problem with the last submission of this form.
    error: Option<String>,
    /// The field to blame.
    field: Option<String>,
    /// What was submitted, to show it again.
    fields: Fields,
}

impl ActionView {
    /// Whether `field` is the one to blame.
    fn invalid(&self, field: &str) -> bool {
        self.field.as_deref() == Some(field)
    }

    /// A submitted value, or `default` for a fresh form.
    fn value<'a>(&'a self, name: &str, default: &'a str) -> &'a str {
        if self.error.is_some() {
            self.fields.get(name)
        } else {
            default
        }
    }
}

/// A choice of a select.
#[derive(Debug)]
pub struct Choice {
    value: String,
    label: String,
    selected: bool,
}

/// A row of the steps table.
#[derive(Debug)]
pub struct StepRow {
    name: String,
    agency: String,
    assignee: String,
    started: String,
    due: String,
    ended: String,
    outcome: &'static str,
    class: &'static str,
}

/// A row of the pauses table.
#[derive(Debug)]
pub struct PauseRow {
    reason: &'static str,
    from: String,
    until: String,
    minutes: String,
}

/// A row of the history.
#[derive(Debug)]
pub struct HistoryRow {
    version: i64,
    at: String,
    event: String,
    details: String,
    who: String,
    role: &'static str,
    agency: String,
    channel: &'static str,
}

/// The dossier page.
#[derive(Template)]
#[template(path = "office/dossier.html")]
pub struct DossierPage {
    chrome: Chrome,
    nav: OfficeNav,
    csrf: String,
    code: String,
    version: i64,
    status: String,
    outcome: &'static str,
    outcome_class: &'static str,
    urgency_class: &'static str,
    urgency: String,
    summary: Vec<(&'static str, String)>,
    /// Each component: name, originals and copies, the files the applicant attached.
    components: Vec<(String, String, Vec<FileLink>)>,
    pauses: Vec<PauseRow>,
    steps: Vec<StepRow>,
    history: Vec<HistoryRow>,
    printable: Vec<(String, &'static str)>,
    actions: Vec<ActionView>,
    agencies: Vec<Choice>,
    colleagues: Vec<Choice>,
    fee_lines: Vec<usize>,
    saved: bool,
    alert: Option<String>,
    /// The sealed documents issued for it.
    documents: Vec<crate::ui::documents::DocumentView>,
    /// Whether this officer may revoke them (a leader of the agency).
    can_revoke: bool,
    /// The certification of an electronic copy, when the certifier may make it now.
    certify: Option<CertifyView>,
    /// The scan of a paper result: offered once a paper result is issued, to the desk and
    /// the leader; the scan kept, if any.
    scan_result: Option<Option<FileLink>>,
}

/// The form of a certified copy (a dossier of a same-day certification procedure).
#[derive(Debug, Default)]
pub struct CertifyView {
    error: Option<String>,
    original: String,
    /// The dossier's files the copy is made of when no scan is uploaded.
    files: Vec<String>,
    /// The fee schedule, as the requester is told it.
    fee: String,
}

/// File inputs of the certification form (`scan_1` …): one per file of the original.
const SCAN_INPUTS: [&str; 3] = ["scan_1", "scan_2", "scan_3"];

/// What went wrong with a submitted action, to show with the page.
struct Failure {
    action: OfficeAction,
    message: String,
    field: Option<String>,
    fields: Fields,
}

fn summary(t: Tr, file: &DossierFile) -> Vec<(&'static str, String)> {
    let d = &file.dossier;
    let s = &d.submission;
    let mut rows = vec![
        (
            "office.field.procedure",
            format!("{} — {}", s.procedure.code, s.procedure.name),
        ),
        (
            "office.field.time_limit",
            match (&s.procedure.limit, s.procedure.same_day_certification) {
                (_, true) => t.t("office.dossier.same_day").to_owned(),
                (Some(limit), false) => view::limit(t, limit),
                (None, false) => "—".to_owned(),
            },
        ),
        (
            "office.field.agency",
            format!("{} ({})", file.agency_name(&s.agency), s.agency),
        ),
        ("office.field.applicant", s.applicant.name.clone()),
        (
            "office.field.applicant_id",
            view::applicant_number(&s.applicant.id),
        ),
    ];
    for (key, value) in [
        ("office.field.phone", &s.applicant.phone),
        ("office.field.email", &s.applicant.email),
        ("office.field.address", &s.applicant.address),
    ] {
        if let Some(value) = value {
            rows.push((key, value.clone()));
        }
    }
    rows.push((
        "office.field.channel",
        t.t(view::channel_key(s.channel)).to_owned(),
    ));
    rows.push(("office.field.submitted_at", t.datetime(&d.submitted_at)));
    rows.push(("office.field.received_at", view::when(t, d.received_at)));
    rows.push(("office.dossier.due", view::when(t, d.due)));
    if d.original_due != d.due {
        rows.push(("office.dossier.original_due", view::when(t, d.original_due)));
    }
    if d.extended_at.is_some() {
        rows.push((
            "office.dossier.statistical_due",
            view::when(t, d.statistical_due),
        ));
        rows.push(("office.dossier.extended_at", view::when(t, d.extended_at)));
    }
    if let Some(amount) = d.payment_due_vnd {
        let paid = match d.paid_online {
            Some(true) => t.t("office.dossier.paid_online"),
            Some(false) => t.t("office.dossier.paid"),
            None => t.t("office.dossier.unpaid"),
        };
        rows.push((
            "office.dossier.payment",
            format!("{} — {paid}", t.vnd(amount)),
        ));
    }
    if let Some(decision) = &d.decision {
        rows.push((
            "office.dossier.decision",
            match decision {
                Decision::Approved => t.t("office.decision.approved").to_owned(),
                Decision::Refused { reasons } => {
                    format!("{}: {reasons}", t.t("office.decision.refused"))
                }
            },
        ));
    }
    rows.push(("office.dossier.finished_at", view::when(t, d.finished_at)));
    if let Some((form, at)) = d.result {
        let number = file
            .last("result_issued")
            .and_then(|e| match &e.event {
                Some(motcua_domain::dossier::DossierEvent::ResultIssued {
                    number: Some(n),
                    ..
                }) => Some(format!(", {}: {n}", t.t("office.field.result_number"))),
                _ => None,
            })
            .unwrap_or_default();
        rows.push((
            "office.dossier.result",
            format!(
                "{}{number} — {}",
                t.t(view::result_form_key(form)),
                t.datetime(&at)
            ),
        ));
    }
    if let Some((method, at)) = d.returned {
        rows.push((
            "office.dossier.returned",
            format!("{} — {}", t.t(view::return_key(method)), t.datetime(&at)),
        ));
    }
    if let Some(rating) = d.rating {
        rows.push((
            "office.dossier.rating",
            t.t(view::rating_key(rating)).to_owned(),
        ));
    }
    rows
}

/// The printable forms this dossier has.
fn printable(file: &DossierFile) -> Vec<(String, &'static str)> {
    let code = file.dossier.code();
    let mut out = Vec::new();
    let mut add = |path: &str, key: &'static str| {
        out.push((format!("/can-bo/ho-so/{code}/{path}"), key));
    };
    if file.dossier.received_at.is_some() {
        add("mau-01", "office.form01.short");
    }
    if file
        .last_of(&["intake_supplement_requested", "supplement_requested"])
        .is_some()
    {
        add("mau-02", "office.form02.short");
    }
    if file.last("refused_at_intake").is_some() {
        add("mau-03", "office.form03.short");
    }
    if file.last("extended").is_some() {
        add("mau-04", "office.form04.short");
    }
    if file.last("stopped").is_some() {
        add("mau-05", "office.form05.short");
    }
    if file.dossier.received_at.is_some() {
        add("phieu-kiem-soat", "office.form06.short");
    }
    out
}

async fn build(
    state: &AppState,
    chrome: Chrome,
    staff: &Staff,
    file: DossierFile,
    failure: Option<Failure>,
    saved: bool,
    alert: Option<String>,
) -> Result<DossierPage, PageError> {
    let t = chrome.t;
    let d = &file.dossier;
    let (urgency_class, urgency) = view::urgency(t, file.urgency);
    let mut actions: Vec<ActionView> = file
        .actions
        .iter()
        .map(|offer| {
            let (slug, title) = slug_of(offer.action);
            ActionView {
                slug,
                title,
                blocked: offer.blocked.clone(),
                error: None,
                field: None,
                fields: Fields::default(),
            }
        })
        .collect();
    if let Some(failure) = failure {
        let (slug, _) = slug_of(failure.action);
        if let Some(view) = actions.iter_mut().find(|a| a.slug == slug) {
            view.error = Some(failure.message);
            view.field = failure.field;
            view.fields = failure.fields;
        }
    }
    let transfer = file.allows(OfficeAction::Transfer);
    let agencies = if transfer {
        // The current step's agency by default, else the responsible agency.
        let current = d
            .steps
            .last()
            .map_or(d.submission.agency.as_str(), |s| s.agency.as_str());
        state
            .services
            .agencies(None)
            .await?
            .into_iter()
            .map(|a| Choice {
                selected: a.agency.code.as_str() == current,
                value: a.agency.code.to_string(),
                label: format!("{} — {}", a.agency.code, a.agency.name),
            })
            .collect()
    } else {
        Vec::new()
    };
    let colleagues = if transfer {
        // Without an agency of its own to assign within, the list is empty.
        match state.services.assignees(&staff.acting).await {
            Ok(colleagues) => colleagues,
            Err(ServiceError::Forbidden(_)) => Vec::new(),
            Err(e) => return Err(e.into()),
        }
        .into_iter()
        .map(|c| Choice {
            selected: false,
            label: format!("{} ({})", c.name, t.t(view::role_key(c.role))),
            value: c.id,
        })
        .collect()
    } else {
        Vec::new()
    };
    let steps = file
        .steps
        .iter()
        .map(|s| StepRow {
            name: s.step.name.clone(),
            agency: file.agency_name(&s.step.agency).to_owned(),
            assignee: s
                .step
                .assignee
                .as_deref()
                .map_or_else(String::new, |a| file.person(a).to_owned()),
            started: t.datetime(&s.step.started_at),
            due: view::when(t, s.step.due),
            ended: view::when(t, s.step.ended_at),
            outcome: view::outcome_key(s.outcome),
            class: view::outcome_class(s.outcome),
        })
        .collect();
    let pauses = d
        .pauses
        .iter()
        .map(|p| PauseRow {
            reason: view::pause_key(p.reason),
            from: t.datetime(&p.from),
            until: view::when(t, p.until),
            minutes: t.num(u64::try_from(p.working_minutes).unwrap_or(0)),
        })
        .collect();
    let history = file
        .history
        .iter()
        .map(|e| HistoryRow {
            version: e.version,
            at: t.datetime(&e.at),
            event: view::event_name(t, &e.kind),
            details: view::event_details(t, &file, e),
            who: e.actor_name.clone().unwrap_or_else(|| e.actor_id.clone()),
            role: view::role_key(e.role),
            agency: e
                .agency
                .as_deref()
                .map_or_else(String::new, |a| file.agency_name(a).to_owned()),
            channel: view::channel_key(e.channel),
        })
        .collect();
    let components = d
        .submission
        .components
        .iter()
        .map(|c| {
            let (name, counts) = split_counts(&c.name);
            let counts = counts.map_or_else(String::new, |(o, k)| {
                format!(
                    "{}: {o}; {}: {k}",
                    t.t("office.field.originals"),
                    t.t("office.field.copies")
                )
            });
            let code = d.code().to_string();
            let files = c
                .files
                .iter()
                .map(|f| file_link(&t, OFFICE_DOSSIERS, &code, f))
                .collect();
            (name.to_owned(), counts, files)
        })
        .collect();
    let documents = crate::ui::documents::dossier_documents(
        state,
        &t,
        &staff.acting,
        OFFICE_DOSSIERS,
        d.code(),
    )
    .await?;
    let can_revoke = staff
        .authorize(
            motcua_domain::authz::Action::DecideDossier,
            &motcua_domain::authz::Target::of_dossier(d),
        )
        .is_ok();
    let certify = (d.submission.procedure.same_day_certification
        && d.decision.is_none()
        && can_revoke
        && file.allows(OfficeAction::Finish))
    .then(|| {
        let fees = state.services.certification_fees();
        CertifyView {
            files: d
                .submission
                .components
                .iter()
                .flat_map(|c| c.files.iter().map(|f| f.name.clone()))
                .collect(),
            fee: t
                .t("documents.certify.fee")
                .replace("{first}", &t.vnd(fees.first_price))
                .replace("{pages}", &fees.first_pages.to_string())
                .replace("{later}", &t.vnd(fees.later_price))
                .replace("{cap}", &t.vnd(fees.cap)),
            ..CertifyView::default()
        }
    });
    let scan_result = (matches!(d.result, Some((ResultForm::Paper, _)))
        && may_scan_result(staff, d))
    .then(|| {
        d.result_scan
            .as_ref()
            .map(|f| file_link(&t, OFFICE_DOSSIERS, &d.code().to_string(), f))
    });
    Ok(DossierPage {
        documents,
        can_revoke,
        certify,
        scan_result,
        nav: OfficeNav::of(staff),
        csrf: staff.csrf().to_owned(),
        code: d.code().to_string(),
        version: d.version,
        status: view::status(t, d.status),
        outcome: view::outcome_key(file.outcome),
        outcome_class: view::outcome_class(file.outcome),
        urgency_class,
        urgency,
        summary: summary(t, &file),
        components,
        pauses,
        steps,
        history,
        printable: printable(&file),
        actions,
        agencies,
        colleagues,
        fee_lines: (1..=FEE_LINES).collect(),
        saved,
        alert,
        chrome,
    })
}

/// The query of a dossier page: `?da-luu=1` after a change was recorded.
#[derive(Debug, Deserialize, Default)]
pub struct SavedQuery {
    #[serde(rename = "da-luu")]
    saved: Option<String>,
}

/// `GET /can-bo/ho-so/{code}`.
pub async fn page(
    State(state): State<AppState>,
    chrome: Chrome,
    staff: Staff,
    Path(code): Path<String>,
    Query(query): Query<SavedQuery>,
) -> Result<Response, PageError> {
    let code = parse_code(&code)?;
    let file = state.services.office_dossier(&staff.acting, &code).await?;
    let page = build(
        &state,
        chrome,
        &staff,
        file,
        None,
        query.saved.is_some(),
        None,
    )
    .await?;
    Ok(private(StatusCode::OK, render(&page)?))
}

/// A problem with one field of an action's form.
type Invalid = (String, String);

fn invalid(field: &str, label_key: &str, problem_key: &str) -> Invalid {
    (field.to_owned(), field_message(label_key, problem_key))
}

fn reasons(fields: &Fields) -> Result<String, Invalid> {
    let reasons = fields.get("reasons");
    if reasons.is_empty() {
        Err(invalid(
            "reasons",
            "office.field.reasons",
            "office.error.required",
        ))
    } else {
        Ok(reasons.to_owned())
    }
}

/// An amount in đồng as typed: digits with optional thousands separators.
fn amount(text: &str) -> Option<u64> {
    let digits: String = text.chars().filter(|c| !" .,".contains(*c)).collect();
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok().filter(|a| *a > 0)
}

/// The new appointment of an apology: a local date and time (UTC+7).
fn new_due(fields: &Fields) -> Result<chrono::DateTime<chrono::Utc>, Invalid> {
    let date = NaiveDate::parse_from_str(fields.get("new_due_date"), "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(fields.get("new_due_date"), "%d/%m/%Y"))
        .map_err(|_| {
            invalid(
                "new_due_date",
                "office.field.new_due_date",
                "office.error.date",
            )
        })?;
    let time_text = match fields.get("new_due_time") {
        "" => "17:00",
        other => other,
    };
    let time = NaiveTime::parse_from_str(time_text, "%H:%M").map_err(|_| {
        invalid(
            "new_due_time",
            "office.field.new_due_time",
            "office.error.time",
        )
    })?;
    chrono::FixedOffset::east_opt(7 * 3600)
        .and_then(|vn| vn.from_local_datetime(&date.and_time(time)).single())
        .map(|t| t.to_utc())
        .ok_or_else(|| {
            invalid(
                "new_due_date",
                "office.field.new_due_date",
                "office.error.date",
            )
        })
}

/// The command a submitted form asks for, or the field to blame.
async fn command_of(
    state: &AppState,
    staff: &Staff,
    action: OfficeAction,
    fields: &Fields,
) -> Result<Command, Invalid> {
    Ok(match action {
        OfficeAction::Receive => Command::Receive,
        OfficeAction::GuideIntake => Command::RequestIntakeSupplement {
            reasons: reasons(fields)?,
        },
        OfficeAction::IntakeSupplied => Command::ProvideIntakeSupplement,
        OfficeAction::RefuseIntake => Command::RefuseAtIntake {
            reasons: reasons(fields)?,
        },
        OfficeAction::Transfer => {
            let step = fields.get("step");
            if step.is_empty() {
                return Err(invalid(
                    "step",
                    "office.field.step",
                    "office.error.required",
                ));
            }
            let agency = fields.get("agency");
            let known = match state.services.agency(agency).await {
                Ok(found) => found.is_some(),
                Err(_) => false,
            };
            if !known {
                return Err(invalid(
                    "agency",
                    "office.field.agency",
                    "office.error.agency",
                ));
            }
            let assignee = match fields.get("assignee") {
                "" => None,
                id => {
                    // Only a colleague of the officer's agency can be named here.
                    let colleagues = state
                        .services
                        .assignees(&staff.acting)
                        .await
                        .unwrap_or_default();
                    if !colleagues.iter().any(|c| c.id == id) {
                        return Err(invalid(
                            "assignee",
                            "office.field.assignee",
                            "office.error.choice",
                        ));
                    }
                    Some(id.to_owned())
                }
            };
            let budget = match fields.get("budget_value") {
                "" => None,
                text => {
                    let value = text.parse::<TimeValue>().map_err(|e| {
                        (
                            "budget_value".to_owned(),
                            field_problem(
                                "office.field.budget",
                                &format!("{} / {}", e.vi(), e.en()),
                            ),
                        )
                    })?;
                    let unit = match fields.get("budget_unit") {
                        "working_hours" => TimeUnit::WorkingHours,
                        "working_days" | "" => TimeUnit::WorkingDays,
                        _ => {
                            return Err(invalid(
                                "budget_unit",
                                "office.field.budget_unit",
                                "office.error.choice",
                            ));
                        }
                    };
                    Some(TimeLimit { value, unit })
                }
            };
            Command::Transfer {
                step: step.to_owned(),
                agency: agency.to_owned(),
                assignee,
                budget,
            }
        }
        OfficeAction::RequestSupplement => Command::RequestSupplement {
            reasons: reasons(fields)?,
        },
        OfficeAction::SupplementProvided => Command::ProvideSupplement,
        OfficeAction::RequestPayment => {
            let mut lines = Vec::new();
            for i in 1..=FEE_LINES {
                let (name_field, amount_field) =
                    (format!("fee_name_{i}"), format!("fee_amount_{i}"));
                let (name, text) = (fields.get(&name_field), fields.get(&amount_field));
                if name.is_empty() && text.is_empty() {
                    continue;
                }
                if name.is_empty() {
                    return Err(invalid(
                        &name_field,
                        "office.field.fee_name",
                        "office.error.required",
                    ));
                }
                let Some(amount_vnd) = amount(text) else {
                    return Err(invalid(
                        &amount_field,
                        "office.field.fee_amount",
                        "office.error.amount",
                    ));
                };
                lines.push(FeeLine {
                    name: name.to_owned(),
                    amount_vnd,
                });
            }
            if lines.is_empty() {
                return Err(invalid(
                    "fee_name_1",
                    "office.field.fee_name",
                    "office.error.fee_lines",
                ));
            }
            Command::RequestPayment { lines }
        }
        OfficeAction::RecordPayment => Command::RecordPayment {
            online: fields.is("paid_online", "1"),
        },
        OfficeAction::Finish => Command::Finish {
            decision: match fields.get("decision") {
                "approve" => Decision::Approved,
                "refuse" => Decision::Refused {
                    reasons: reasons(fields)?,
                },
                _ => {
                    return Err(invalid(
                        "decision-approve",
                        "office.field.decision",
                        "office.error.choice",
                    ));
                }
            },
        },
        OfficeAction::IssueResult => Command::IssueResult {
            form: match fields.get("result_form") {
                "electronic" => ResultForm::Electronic,
                "paper" => ResultForm::Paper,
                _ => {
                    return Err(invalid(
                        "result_form-electronic",
                        "office.field.result_form",
                        "office.error.choice",
                    ));
                }
            },
            number: Some(fields.get("number").to_owned()).filter(|n| !n.is_empty()),
        },
        OfficeAction::ReturnResult => Command::ReturnResult {
            method: match fields.get("method") {
                "desk" => ReturnMethod::Desk,
                "post" => ReturnMethod::Post,
                "online" => ReturnMethod::Online,
                _ => {
                    return Err(invalid(
                        "method-desk",
                        "office.field.return_method",
                        "office.error.choice",
                    ));
                }
            },
        },
        OfficeAction::Extend => Command::Extend {
            reasons: reasons(fields)?,
            due: new_due(fields)?,
        },
        OfficeAction::Stop => Command::Stop {
            reasons: reasons(fields)?,
        },
        OfficeAction::Withdraw => Command::Withdraw {
            reasons: reasons(fields)?,
        },
    })
}

/// Shows the dossier again with `failure` at its form, answered with `status`.
async fn again(
    state: &AppState,
    chrome: Chrome,
    staff: &Staff,
    code: &DossierCode,
    status: StatusCode,
    failure: Failure,
    alert: String,
) -> Result<Response, PageError> {
    let file = state.services.office_dossier(&staff.acting, code).await?;
    let page = build(
        state,
        chrome,
        staff,
        file,
        Some(failure),
        false,
        Some(alert),
    )
    .await?;
    Ok(private(status, render(&page)?))
}

/// `POST /can-bo/ho-so/{code}/{action}`.
pub async fn act(
    State(state): State<AppState>,
    chrome: Chrome,
    staff: Staff,
    Path((code, slug)): Path<(String, String)>,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let code = parse_code(&code)?;
    let Some(action) = action_of(&slug) else {
        return Err(PageError(AppError::NotFound(
            "không tìm thấy trang / page not found".into(),
        )));
    };
    // A dossier out of scope is "not found" here too, as on its page: a refusal would tell
    // a stranger that the code exists.
    state.services.dossier_for(&staff.acting, &code).await?;
    let fields = Fields::new(pairs);
    let Ok(version) = fields.get("version").parse::<i64>() else {
        return Err(PageError(AppError::invalid(
            "version",
            "biểu mẫu thiếu phiên bản hồ sơ; hãy tải lại trang",
            "the form lacks the dossier version; reload the page",
        )));
    };
    let command = match command_of(&state, &staff, action, &fields).await {
        Ok(command) => command,
        Err((field, message)) => {
            let failure = Failure {
                action,
                message: message.clone(),
                field: Some(field),
                fields,
            };
            return again(
                &state,
                chrome,
                &staff,
                &code,
                StatusCode::UNPROCESSABLE_ENTITY,
                failure,
                message,
            )
            .await;
        }
    };
    // An electronic result is a sealed document: the service renders and signs it with the
    // dossier's change.
    let done = match command {
        Command::IssueResult {
            form: ResultForm::Electronic,
            number,
        } => state
            .services
            .issue_electronic_result(
                &staff.acting,
                &code,
                number,
                fields.get("result_text"),
                Some(version),
            )
            .await
            .map(|(dossier, _)| dossier),
        command => {
            state
                .services
                .act_on_dossier(&staff.acting, &code, command, Some(version))
                .await
        }
    };
    match done {
        Ok(dossier) => {
            let code = dossier.code();
            let to = match action {
                OfficeAction::Receive => format!("/can-bo/ho-so/{code}/mau-01"),
                OfficeAction::GuideIntake => format!("/can-bo/ho-so/{code}/mau-02"),
                OfficeAction::RefuseIntake => format!("/can-bo/ho-so/{code}/mau-03"),
                _ => format!("/can-bo/ho-so/{code}?da-luu=1"),
            };
            Ok(Redirect::to(&to).into_response())
        }
        Err(ServiceError::Store(StoreError::Conflict { .. })) => {
            let message = super::bilingual("office.conflict");
            let failure = Failure {
                action,
                message: message.clone(),
                field: None,
                fields,
            };
            again(
                &state,
                chrome,
                &staff,
                &code,
                StatusCode::CONFLICT,
                failure,
                message,
            )
            .await
        }
        Err(ServiceError::Invalid(message) | ServiceError::Refused(message)) => {
            let failure = Failure {
                action,
                message: message.clone(),
                field: None,
                fields,
            };
            again(
                &state,
                chrome,
                &staff,
                &code,
                StatusCode::UNPROCESSABLE_ENTITY,
                failure,
                message,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

/// `POST /can-bo/ho-so/{code}/chung-thuc` (multipart): the certifier makes the electronic
/// certified copy, with the scans uploaded or the dossier's own files.
pub async fn certify(
    State(state): State<AppState>,
    chrome: Chrome,
    staff: Staff,
    Path(code): Path<String>,
    multipart: axum::extract::Multipart,
) -> Result<Response, PageError> {
    let (code, mut form, _, version) = section_form(&state, &staff, &code, multipart).await?;
    let original = form.text("original");
    let scans = SCAN_INPUTS
        .iter()
        .filter_map(|name| form.files.remove(*name))
        .collect();
    let request = motcua_service::certification::CopyRequest {
        original: original.clone(),
        scans,
    };
    let done = state
        .services
        .certify_copy(&staff.acting, &code, request, Some(version))
        .await
        .map(|(dossier, _)| dossier);
    let message = match form_outcome(done)? {
        Ok(saved) => return Ok(saved),
        Err(message) => message,
    };
    let mut page = page_with_alert(&state, chrome, &staff, &code, &message).await?;
    if let Some(view) = page.certify.as_mut() {
        view.error = Some(message);
        view.original = original;
    }
    Ok(private(StatusCode::UNPROCESSABLE_ENTITY, render(&page)?))
}

/// `POST /can-bo/ho-so/{code}/quet-ket-qua` (multipart, file `scan`): the scan of the issued
/// paper result, kept with the dossier.
pub async fn scan_result(
    State(state): State<AppState>,
    chrome: Chrome,
    staff: Staff,
    Path(code): Path<String>,
    multipart: axum::extract::Multipart,
) -> Result<Response, PageError> {
    let (code, mut form, dossier, version) = section_form(&state, &staff, &code, multipart).await?;
    // Nothing is stored for someone who may not record the scan.
    if !may_scan_result(&staff, &dossier) {
        return Err(PageError(AppError::Forbidden(
            "chỉ cán bộ một cửa hoặc lãnh đạo của cơ quan ghi bản quét kết quả / only the agency's desk officers and leaders record the result's scan".into(),
        )));
    }
    let stored = match form.files.remove("scan") {
        Some(upload) => {
            state
                .services
                .store_upload("Kết quả / result", upload)
                .await
        }
        None => Err(ServiceError::Invalid(
            "scan: hãy chọn tệp quét kết quả / choose the scanned result".into(),
        )),
    };
    let done = match stored {
        Ok(file) => {
            state
                .services
                .act_on_dossier(
                    &staff.acting,
                    &code,
                    Command::ScanResult { file },
                    Some(version),
                )
                .await
        }
        Err(e) => Err(e),
    };
    let message = match form_outcome(done)? {
        Ok(saved) => return Ok(saved),
        Err(message) => message,
    };
    let page = page_with_alert(&state, chrome, &staff, &code, &message).await?;
    Ok(private(StatusCode::UNPROCESSABLE_ENTITY, render(&page)?))
}

/// Whether `staff` may record the scan of the dossier's paper result: its desk officers and
/// leaders, as the write path allows `ScanResult`.
fn may_scan_result(staff: &Staff, dossier: &motcua_domain::dossier::Dossier) -> bool {
    let target = motcua_domain::authz::Target::of_dossier(dossier);
    [
        motcua_domain::authz::Action::ReceiveDossier,
        motcua_domain::authz::Action::DecideDossier,
    ]
    .into_iter()
    .any(|action| staff.authorize(action, &target).is_ok())
}

/// A multipart form of one of the page's own sections, read and checked: its CSRF token,
/// the dossier within the officer's reach (else "not found", as on the page), and the
/// dossier version the form was based on.
async fn section_form(
    state: &AppState,
    staff: &Staff,
    code: &str,
    multipart: axum::extract::Multipart,
) -> Result<SectionForm, PageError> {
    let code = parse_code(code)?;
    let form = crate::ui::portal::upload::read(multipart).await?;
    form.verify_csrf(staff)?;
    let dossier = state.services.dossier_for(&staff.acting, &code).await?;
    let version = form.text("version").parse::<i64>().map_err(|_| {
        PageError(AppError::invalid(
            "version",
            "biểu mẫu thiếu phiên bản hồ sơ; hãy tải lại trang",
            "the form lacks the dossier version; reload the page",
        ))
    })?;
    Ok((code, form, dossier, version))
}

/// What [`section_form`] read: the code, the form, the dossier, the form's version.
type SectionForm = (
    DossierCode,
    crate::ui::portal::upload::MultipartForm,
    motcua_domain::dossier::Dossier,
    i64,
);

/// What a form of the page's own sections led to: the redirect to the saved page, or the
/// message to show with it (a conflict, bad input, a refusal); anything else fails.
fn form_outcome(
    done: Result<motcua_domain::dossier::Dossier, ServiceError>,
) -> Result<Result<Response, String>, PageError> {
    match done {
        Ok(dossier) => Ok(Ok(Redirect::to(&format!(
            "/can-bo/ho-so/{}?da-luu=1",
            dossier.code()
        ))
        .into_response())),
        Err(ServiceError::Store(StoreError::Conflict { .. })) => {
            Ok(Err(super::bilingual("office.conflict")))
        }
        Err(ServiceError::Invalid(m) | ServiceError::Refused(m)) => Ok(Err(m)),
        Err(e) => Err(e.into()),
    }
}

/// The dossier's page again, with `message` at its top.
async fn page_with_alert(
    state: &AppState,
    chrome: Chrome,
    staff: &Staff,
    code: &DossierCode,
    message: &str,
) -> Result<DossierPage, PageError> {
    let file = state.services.office_dossier(&staff.acting, code).await?;
    build(
        state,
        chrome,
        staff,
        file,
        None,
        false,
        Some(message.to_owned()),
    )
    .await
}
