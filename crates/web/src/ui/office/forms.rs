//! The printable forms of a dossier, A4 with the national motto and the form number in the
//! corner as on the official forms:
//!
//! - Form 01, receipt and appointment slip; Form 02, request to complete the dossier;
//!   Form 03, refusal of receipt; Form 06, process-control slip — Circular 01/2018/TT-VPCP
//!   (numbers kept by Circular 03/2025/TT-VPCP, Annex I; regulations §2.4).
//! - Form 04, apology and request to extend the time limit; Form 05, notice of stopping —
//!   Circular 03/2025/TT-VPCP, Annex I (🟡 the 2025 field lists were not read; these carry
//!   the fields of the 2018 letter and the notice's reasons).
//!
//! Each page prints without navigation (the print stylesheet hides it). Forms are written
//! in the page's language; in English a line says the Vietnamese form is the official one.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use chrono::{DateTime, FixedOffset, Utc};
use motcua_domain::dossier::{Dossier, Outcome};
use motcua_domain::event::Channel;
use motcua_service::office::{DossierFile, HistoryEntry, StepView};

use super::{parse_code, private, view};
use crate::AppState;
use crate::auth::Staff;
use crate::error::{AppError, PageError};
use crate::i18n::Tr;
use crate::ui::{Chrome, render};
use motcua_domain::dossier::split_counts;

/// Vietnamese local time, in which forms state times.
const VIETNAM: FixedOffset = match FixedOffset::east_opt(7 * 3600) {
    Some(offset) => offset,
    None => unreachable!(),
};

/// The head of a printed form: issuer, national motto, number and circular in the corner.
#[derive(Debug)]
pub struct FormHead {
    /// The issuing agency's name, in capitals as on letterheads.
    agency: String,
    /// The unit under the agency's name (the one-stop desk), if any.
    unit: Option<&'static str>,
    /// "01" … "06".
    number: &'static str,
    /// Catalogue key of the circular that sets the form.
    circular: &'static str,
    /// Catalogue key of the title.
    title: &'static str,
    /// Catalogue key of the reference line's prefix ("Số: …/HDHS"), if the form has one.
    reference: Option<&'static str>,
    /// "…, ngày 23 tháng 11 năm 2026".
    date_line: String,
    /// The dossier's code (for the links around the sheet).
    code: String,
}

/// A component row of Form 01.
#[derive(Debug)]
pub struct ComponentLine {
    name: String,
    originals: String,
    copies: String,
}

/// A form's text in the page's language, with `{x}` placeholders filled.
fn fill(t: Tr, key: &str, values: &[(&str, &str)]) -> String {
    let mut text = t.t(key).to_owned();
    for (name, value) in values {
        text = text.replace(&format!("{{{name}}}"), value);
    }
    text
}

/// "…, ngày 23 tháng 11 năm 2026" on the day of `at` (the place is written by hand).
fn date_line(t: Tr, at: DateTime<Utc>) -> String {
    let local = at.with_timezone(&VIETNAM);
    fill(
        t,
        "office.form.date_line",
        &[
            ("d", &local.format("%d").to_string()),
            ("m", &local.format("%m").to_string()),
            ("y", &local.format("%Y").to_string()),
        ],
    )
}

/// "09 giờ 00 phút, ngày 23/11/2026".
fn form_time(t: Tr, at: Option<DateTime<Utc>>) -> String {
    let Some(at) = at else {
        return "—".to_owned();
    };
    let local = at.with_timezone(&VIETNAM);
    fill(
        t,
        "office.form.time",
        &[
            ("h", &local.format("%H").to_string()),
            ("min", &local.format("%M").to_string()),
            ("date", &local.format("%d/%m/%Y").to_string()),
        ],
    )
}

fn head(
    t: Tr,
    file: &DossierFile,
    number: &'static str,
    at: DateTime<Utc>,
    desk: bool,
) -> FormHead {
    let agency = &file.dossier.submission.agency;
    let (circular, title, reference) = match number {
        "01" => ("office.form.circular_2018", "office.form01.title", None),
        "02" => (
            "office.form.circular_2018",
            "office.form02.title",
            Some("office.form02.reference"),
        ),
        "03" => ("office.form.circular_2018", "office.form03.title", None),
        "04" => (
            "office.form.circular_2025",
            "office.form04.title",
            Some("office.form.reference"),
        ),
        "05" => (
            "office.form.circular_2025",
            "office.form05.title",
            Some("office.form.reference"),
        ),
        _ => ("office.form.circular_2018", "office.form06.title", None),
    };
    FormHead {
        agency: file.agency_name(agency).to_uppercase(),
        unit: desk.then_some("office.form.desk_unit"),
        number,
        circular,
        title,
        reference,
        date_line: date_line(t, at),
        code: file.dossier.code().to_string(),
    }
}

/// The applicant's contacts as forms print them.
#[derive(Debug)]
pub struct ApplicantLines {
    name: String,
    address: String,
    phone: String,
    email: String,
}

fn applicant(d: &Dossier) -> ApplicantLines {
    let a = &d.submission.applicant;
    let or_dots = |v: &Option<String>| v.clone().unwrap_or_else(|| "……………".to_owned());
    ApplicantLines {
        name: a.name.clone(),
        address: or_dots(&a.address),
        phone: or_dots(&a.phone),
        email: or_dots(&a.email),
    }
}

fn officer(entry: Option<&HistoryEntry>) -> String {
    entry.and_then(|e| e.actor_name.clone()).unwrap_or_default()
}

fn missing_form() -> PageError {
    PageError(AppError::NotFound(
        "hồ sơ này không có phiếu này / this dossier has no such form".into(),
    ))
}

async fn file(state: &AppState, staff: &Staff, code: &str) -> Result<DossierFile, PageError> {
    let code = parse_code(code)?;
    Ok(state.services.office_dossier(&staff.acting, &code).await?)
}

/// Form 01: receipt and appointment slip (Circular 01/2018/TT-VPCP).
#[derive(Template)]
#[template(path = "office/form01.html")]
pub struct ReceiptForm {
    chrome: Chrome,
    head: FormHead,
    applicant: ApplicantLines,
    procedure: String,
    components: Vec<ComponentLine>,
    limit: String,
    received: String,
    due: String,
    return_method: &'static str,
    secret: String,
    tracking_url: String,
    officer: String,
}

/// `GET /can-bo/ho-so/{code}/mau-01`.
pub async fn receipt(
    State(state): State<AppState>,
    chrome: Chrome,
    staff: Staff,
    Path(code): Path<String>,
) -> Result<Response, PageError> {
    let file = file(&state, &staff, &code).await?;
    let t = chrome.t;
    let d = &file.dossier;
    let received_at = d.received_at.ok_or_else(missing_form)?;
    let s = &d.submission;
    let components = s
        .components
        .iter()
        .map(|c| {
            let (name, counts) = split_counts(&c.name);
            let (originals, copies) = counts.map_or_else(
                || (String::new(), String::new()),
                |(o, k)| (o.to_string(), k.to_string()),
            );
            ComponentLine {
                name: name.to_owned(),
                originals,
                copies,
            }
        })
        .collect();
    // Without a return method in the dossier, the slip states the one of its channel: the
    // desk for desk intake, the post for postal intake, online for online dossiers.
    let return_method = match s.channel {
        Channel::Post => "office.return.post",
        Channel::Online => "office.return.online",
        _ => "office.return.desk",
    };
    let page = ReceiptForm {
        head: head(t, &file, "01", received_at, true),
        applicant: applicant(d),
        procedure: format!("{} — {}", s.procedure.code, s.procedure.name),
        components,
        limit: match (&s.procedure.limit, s.procedure.same_day_certification) {
            (_, true) => t.t("office.dossier.same_day").to_owned(),
            (Some(limit), false) => view::limit(t, limit),
            (None, false) => "—".to_owned(),
        },
        received: form_time(t, Some(received_at)),
        due: form_time(t, d.due),
        return_method,
        secret: s.lookup_secret.clone(),
        tracking_url: format!("{}/tra-cuu", state.config.public_url.trim_end_matches('/')),
        officer: officer(file.last("received")),
        chrome,
    };
    Ok(private(StatusCode::OK, render(&page)?))
}

/// Form 02 (request to complete the dossier) and Form 03 (refusal of receipt): the
/// applicant, the request and the written reasons (Circular 01/2018/TT-VPCP).
#[derive(Template)]
#[template(path = "office/form_reasons.html")]
pub struct ReasonsForm {
    chrome: Chrome,
    head: FormHead,
    applicant: ApplicantLines,
    procedure: String,
    /// Catalogue key of the sentence before the reasons.
    intro: &'static str,
    reasons: String,
    /// Catalogue key of the closing sentence.
    closing: &'static str,
    /// Catalogue key of the signer's title.
    signer: &'static str,
    officer: String,
}

async fn reasons_form(
    state: AppState,
    chrome: Chrome,
    staff: Staff,
    code: String,
    number: &'static str,
) -> Result<Response, PageError> {
    let file = file(&state, &staff, &code).await?;
    let t = chrome.t;
    let (kinds, intro, closing, signer): (&[&str], _, _, _) = if number == "02" {
        (
            &["intake_supplement_requested", "supplement_requested"],
            "office.form02.intro",
            "office.form02.closing",
            "office.form02.signer",
        )
    } else {
        (
            &["refused_at_intake"],
            "office.form03.intro",
            "office.form03.closing",
            "office.form.receiver",
        )
    };
    let entry = file.last_of(kinds).ok_or_else(missing_form)?;
    let d = &file.dossier;
    let page = ReasonsForm {
        head: head(t, &file, number, entry.at, true),
        applicant: applicant(d),
        procedure: format!(
            "{} — {}",
            d.submission.procedure.code, d.submission.procedure.name
        ),
        intro,
        reasons: entry.reasons().unwrap_or_default().to_owned(),
        closing,
        signer,
        officer: officer(Some(entry)),
        chrome,
    };
    Ok(private(StatusCode::OK, render(&page)?))
}

/// `GET /can-bo/ho-so/{code}/mau-02`: the latest written request to complete the dossier.
pub async fn guidance(
    State(state): State<AppState>,
    chrome: Chrome,
    staff: Staff,
    Path(code): Path<String>,
) -> Result<Response, PageError> {
    reasons_form(state, chrome, staff, code, "02").await
}

/// `GET /can-bo/ho-so/{code}/mau-03`.
pub async fn refusal(
    State(state): State<AppState>,
    chrome: Chrome,
    staff: Staff,
    Path(code): Path<String>,
) -> Result<Response, PageError> {
    reasons_form(state, chrome, staff, code, "03").await
}

/// Form 04 (apology and request to extend the time limit) and Form 05 (notice of
/// stopping): letters of the agency to the applicant (Circular 03/2025/TT-VPCP).
#[derive(Template)]
#[template(path = "office/form_letter.html")]
pub struct LetterForm {
    chrome: Chrome,
    head: FormHead,
    applicant: String,
    /// The letter's paragraphs, already filled.
    paragraphs: Vec<String>,
    reasons: String,
    /// Catalogue key of the line before the reasons.
    reasons_label: &'static str,
    /// The paragraph after the reasons.
    closing: String,
    signer: String,
}

/// `GET /can-bo/ho-so/{code}/mau-04`.
pub async fn apology(
    State(state): State<AppState>,
    chrome: Chrome,
    staff: Staff,
    Path(code): Path<String>,
) -> Result<Response, PageError> {
    let file = file(&state, &staff, &code).await?;
    let t = chrome.t;
    let entry = file.last("extended").ok_or_else(missing_form)?;
    let d = &file.dossier;
    let new_due = match &entry.event {
        Some(motcua_domain::dossier::DossierEvent::Extended { due, .. }) => Some(*due),
        _ => d.due,
    };
    let agency = file.agency_name(&d.submission.agency).to_owned();
    let paragraphs = vec![fill(
        t,
        "office.form04.body",
        &[
            ("received", &form_time(t, d.received_at)),
            ("agency", &agency),
            ("code", &d.code().to_string()),
            ("procedure", &d.submission.procedure.name),
            // The appointment before the extension: the one statistics keep.
            ("due", &form_time(t, d.statistical_due)),
        ],
    )];
    let page = LetterForm {
        head: head(t, &file, "04", entry.at, false),
        applicant: d.submission.applicant.name.clone(),
        paragraphs,
        reasons: entry.reasons().unwrap_or_default().to_owned(),
        reasons_label: "office.form04.reasons",
        closing: fill(
            t,
            "office.form04.closing",
            &[("agency", &agency), ("due", &form_time(t, new_due))],
        ),
        signer: officer(Some(entry)),
        chrome,
    };
    Ok(private(StatusCode::OK, render(&page)?))
}

/// `GET /can-bo/ho-so/{code}/mau-05`.
pub async fn stop_notice(
    State(state): State<AppState>,
    chrome: Chrome,
    staff: Staff,
    Path(code): Path<String>,
) -> Result<Response, PageError> {
    let file = file(&state, &staff, &code).await?;
    let t = chrome.t;
    let entry = file.last("stopped").ok_or_else(missing_form)?;
    let d = &file.dossier;
    let agency = file.agency_name(&d.submission.agency).to_owned();
    let paragraphs = vec![fill(
        t,
        "office.form05.body",
        &[
            ("received", &form_time(t, d.received_at)),
            ("agency", &agency),
            ("code", &d.code().to_string()),
            ("procedure", &d.submission.procedure.name),
        ],
    )];
    let page = LetterForm {
        head: head(t, &file, "05", entry.at, false),
        applicant: d.submission.applicant.name.clone(),
        paragraphs,
        reasons: entry.reasons().unwrap_or_default().to_owned(),
        reasons_label: "office.form05.reasons",
        closing: fill(t, "office.form05.closing", &[("agency", &agency)]),
        signer: officer(Some(entry)),
        chrome,
    };
    Ok(private(StatusCode::OK, render(&page)?))
}

/// One hand-over of the process-control slip.
#[derive(Debug)]
pub struct HandOver {
    index: usize,
    from: String,
    to: String,
    at: String,
    /// Catalogue key of the giver's result; `None` when it has no budget to be measured by.
    result: Option<&'static str>,
}

/// Form 06: process-control slip (Circular 01/2018/TT-VPCP).
#[derive(Template)]
#[template(path = "office/form06.html")]
pub struct ControlSlip {
    chrome: Chrome,
    head: FormHead,
    applicant: String,
    agency: String,
    partners: String,
    rows: Vec<HandOver>,
}

/// `GET /can-bo/ho-so/{code}/phieu-kiem-soat`: one row per hand-over — from the desk to
/// the first step, between steps, back to the desk and to the applicant — each with the
/// giver's result against its own budget (`Step::outcome_at`).
pub async fn control_slip(
    State(state): State<AppState>,
    chrome: Chrome,
    staff: Staff,
    Path(code): Path<String>,
) -> Result<Response, PageError> {
    let file = file(&state, &staff, &code).await?;
    let t = chrome.t;
    let d = &file.dossier;
    let received_at = d.received_at.ok_or_else(missing_form)?;
    let receiver = officer(file.last("received"));
    let desk = if receiver.is_empty() {
        t.t("office.form.desk").to_owned()
    } else {
        format!("{} ({receiver})", t.t("office.form.desk"))
    };
    let holder = |view: &StepView| {
        let step = &view.step;
        let mut text = format!("{} — {}", step.name, file.agency_name(&step.agency));
        if let Some(assignee) = &step.assignee {
            text.push_str(&format!(" ({})", file.person(assignee)));
        }
        text
    };
    let measured = |o: Outcome| (o != Outcome::NotCounted).then(|| view::outcome_key(o));
    let mut rows = Vec::new();
    let mut previous: Option<&StepView> = None;
    for step in &file.steps {
        // The giver's result: the step handing over, measured against its own budget.
        let (from, result) = match previous {
            None => (desk.clone(), None),
            Some(before) => (holder(before), measured(before.outcome)),
        };
        rows.push(HandOver {
            index: rows.len() + 1,
            from,
            to: holder(step),
            at: form_time(t, Some(step.step.started_at)),
            result,
        });
        previous = Some(step);
    }
    if let Some(last) = file.steps.last()
        && let Some(ended) = last.step.ended_at
    {
        rows.push(HandOver {
            index: rows.len() + 1,
            from: holder(last),
            to: desk.clone(),
            at: form_time(t, Some(ended)),
            result: measured(last.outcome),
        });
    }
    if let Some((_, returned)) = d.returned {
        rows.push(HandOver {
            index: rows.len() + 1,
            from: desk,
            to: d.submission.applicant.name.clone(),
            at: form_time(t, Some(returned)),
            result: measured(file.outcome),
        });
    }
    let mut partners: Vec<&str> = file
        .steps
        .iter()
        .map(|s| s.step.agency.as_str())
        .filter(|a| *a != d.submission.agency)
        .collect();
    partners.sort_unstable();
    partners.dedup();
    let page = ControlSlip {
        head: head(t, &file, "06", received_at, false),
        applicant: d.submission.applicant.name.clone(),
        agency: file.agency_name(&d.submission.agency).to_owned(),
        partners: partners
            .iter()
            .map(|a| file.agency_name(a))
            .collect::<Vec<_>>()
            .join("; "),
        rows,
        chrome,
    };
    Ok(private(StatusCode::OK, render(&page)?))
}
