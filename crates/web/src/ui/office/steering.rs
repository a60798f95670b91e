//! `/can-bo/hop…` and `/can-bo/van-ban…`: steering meetings and the documents that assign
//! tasks (issue 7 §1). The list of meetings and documents of the reader's province or
//! ministry; the forms that record a meeting and a document (a conclusion of a meeting, a
//! plan, a directive, a decision); a meeting's page with its documents; a document's page
//! with its tasks and their counts, from which a leader assigns further tasks.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use motcua_domain::authz::{Action, role_allows};
use motcua_domain::steering::{DocumentKind, Meeting, SteeringDocument};
use motcua_domain::task::TaskStatus;
use motcua_service::ServiceError;
use serde::Deserialize;

use super::tasks::{Names, Row, parse_date, rows};
use super::{Fields, OfficeNav, private};
use crate::AppState;
use crate::auth::{CsrfForm, Staff};
use crate::error::PageError;
use crate::ui::{Chrome, render};

/// The catalogue key of a document kind.
pub fn kind_key(kind: DocumentKind) -> &'static str {
    match kind {
        DocumentKind::Conclusion => "steering.kind.conclusion",
        DocumentKind::Plan => "steering.kind.plan",
        DocumentKind::Directive => "steering.kind.directive",
        DocumentKind::Decision => "steering.kind.decision",
    }
}

/// A meeting as lists show it.
pub struct MeetingRow {
    id: String,
    date: String,
    title: String,
    body: String,
    host: String,
}

/// A document as lists show it.
pub struct DocumentRow {
    id: String,
    kind: &'static str,
    number: String,
    date: String,
    title: String,
    issuer: String,
    public: bool,
}

fn document_row(t: crate::i18n::Tr, d: &SteeringDocument) -> DocumentRow {
    DocumentRow {
        id: d.id.clone(),
        kind: kind_key(d.kind),
        number: d.number.clone(),
        date: t.date(d.date),
        title: d.title.clone(),
        issuer: d.issuer.clone(),
        public: d.public_results,
    }
}

/// `/can-bo/hop`.
#[derive(Template)]
#[template(path = "office/meetings.html")]
pub struct MeetingsPage {
    chrome: Chrome,
    nav: OfficeNav,
    meetings: Vec<MeetingRow>,
    documents: Vec<DocumentRow>,
    can_record: bool,
}

/// `GET /can-bo/hop`: the meetings and documents the reader may see, latest first.
pub async fn meetings(
    State(state): State<AppState>,
    chrome: Chrome,
    staff: Staff,
) -> Result<Response, PageError> {
    let t = chrome.t;
    let (found, _) = state.services.meetings_for(&staff.acting, 1, 200).await?;
    let names = Names::of(&state, found.iter().map(|m| m.host.clone()).collect()).await?;
    let meetings = found
        .iter()
        .map(|m| MeetingRow {
            id: m.id.clone(),
            date: t.date(m.date),
            title: m.title.clone(),
            body: m.body.clone(),
            host: names.get(&m.host),
        })
        .collect();
    let documents = state
        .services
        .steering_documents_for(&staff.acting, false)
        .await?
        .iter()
        .map(|d| document_row(t, d))
        .collect();
    let page = MeetingsPage {
        nav: OfficeNav::of(&staff),
        meetings,
        documents,
        can_record: role_allows(staff.account().role, Action::RecordSteering),
        chrome,
    };
    Ok(private(StatusCode::OK, render(&page)?))
}

/// A choice of a select.
pub struct Choice {
    value: String,
    label: String,
    selected: bool,
}

/// Every agency valid today but `except`, as choices, `selected` marking some.
async fn agency_choices(
    state: &AppState,
    except: &str,
    selected: &[String],
) -> Result<Vec<Choice>, PageError> {
    let today = state.services.local_today();
    let mut out: Vec<Choice> = state
        .services
        .agencies(None)
        .await?
        .into_iter()
        .filter(|a| {
            a.agency.valid_from.is_none_or(|f| f <= today)
                && a.agency.valid_to.is_none_or(|to| to >= today)
                && a.agency.code.as_str() != except
        })
        .map(|a| {
            let code = a.agency.code.to_string();
            Choice {
                selected: selected.contains(&code),
                label: format!("{} ({code})", a.agency.name),
                value: code,
            }
        })
        .collect();
    out.sort_by(|a, b| a.value.cmp(&b.value));
    Ok(out)
}

/// `/can-bo/hop/moi`.
#[derive(Template)]
#[template(path = "office/meeting_new.html")]
pub struct MeetingForm {
    chrome: Chrome,
    nav: OfficeNav,
    csrf: String,
    host: String,
    form: Fields,
    participants: Vec<Choice>,
    error: Option<String>,
}

async fn meeting_form_page(
    state: &AppState,
    chrome: Chrome,
    staff: &Staff,
    form: Fields,
    error: Option<String>,
) -> Result<MeetingForm, PageError> {
    let host = staff.account().agency.clone().unwrap_or_default();
    Ok(MeetingForm {
        nav: OfficeNav::of(staff),
        csrf: staff.csrf().to_owned(),
        participants: agency_choices(state, &host, &form.all("participants")).await?,
        host: Names::of(state, vec![host.clone()]).await?.get(&host),
        form,
        error,
        chrome,
    })
}

/// `GET /can-bo/hop/moi`.
pub async fn meeting_new(
    State(state): State<AppState>,
    chrome: Chrome,
    staff: Staff,
) -> Result<Response, PageError> {
    let page = meeting_form_page(&state, chrome, &staff, Fields::default(), None).await?;
    Ok(private(StatusCode::OK, render(&page)?))
}

/// `POST /can-bo/hop/moi`: records the meeting and shows it.
pub async fn meeting_create(
    State(state): State<AppState>,
    chrome: Chrome,
    staff: Staff,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let fields = Fields::new(pairs);
    let outcome = match parse_date(fields.get("date")) {
        Some(date) => {
            let meeting = Meeting {
                id: String::new(),
                host: staff.account().agency.clone().unwrap_or_default(),
                body: fields.get("body").to_owned(),
                title: fields.get("title").to_owned(),
                date,
                chair: fields.get("chair").to_owned(),
                participants: fields.all("participants"),
                location: fields.get("location").to_owned(),
                summary: fields.get("summary").to_owned(),
            };
            state.services.record_meeting(&staff.acting, meeting).await
        }
        None => Err(ServiceError::Invalid(
            "date: hãy nhập ngày họp (ngày/tháng/năm) / enter the meeting's date (day/month/year)"
                .into(),
        )),
    };
    let message = match outcome {
        Ok(m) => return Ok(Redirect::to(&format!("/can-bo/hop/{}", m.id)).into_response()),
        Err(ServiceError::Invalid(m) | ServiceError::Refused(m)) => m,
        Err(e) => return Err(e.into()),
    };
    let page = meeting_form_page(&state, chrome, &staff, fields, Some(message)).await?;
    Ok(private(StatusCode::UNPROCESSABLE_ENTITY, render(&page)?))
}

/// `/can-bo/hop/{id}`.
#[derive(Template)]
#[template(path = "office/meeting.html")]
pub struct MeetingPage {
    chrome: Chrome,
    nav: OfficeNav,
    id: String,
    facts: Vec<(&'static str, String)>,
    summary: String,
    documents: Vec<DocumentRow>,
    can_record: bool,
}

/// `GET /can-bo/hop/{id}`.
pub async fn meeting(
    State(state): State<AppState>,
    chrome: Chrome,
    staff: Staff,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let t = chrome.t;
    let detail = state.services.meeting_for(&staff.acting, &id).await?;
    let m = &detail.meeting;
    let mut codes = vec![m.host.clone()];
    codes.extend(m.participants.iter().cloned());
    let names = Names::of(&state, codes).await?;
    let facts = vec![
        ("steering.meeting.body", m.body.clone()),
        ("steering.meeting.title", m.title.clone()),
        ("steering.meeting.date", t.date(m.date)),
        ("steering.meeting.chair", m.chair.clone()),
        ("steering.meeting.host", names.get(&m.host)),
        (
            "steering.meeting.participants",
            m.participants
                .iter()
                .map(|p| names.get(p))
                .collect::<Vec<_>>()
                .join("; "),
        ),
        ("steering.meeting.location", m.location.clone()),
    ];
    let can_record = staff.account().agency.as_deref() == Some(m.host.as_str())
        && role_allows(staff.account().role, Action::RecordSteering);
    let page = MeetingPage {
        nav: OfficeNav::of(&staff),
        id: m.id.clone(),
        facts,
        summary: m.summary.clone(),
        documents: detail
            .documents
            .iter()
            .map(|d| document_row(t, d))
            .collect(),
        can_record,
        chrome,
    };
    Ok(private(StatusCode::OK, render(&page)?))
}

/// The query of the document form: the meeting it concludes.
#[derive(Debug, Deserialize, Default)]
pub struct DocumentQuery {
    hop: Option<String>,
}

/// `/can-bo/van-ban/moi`.
#[derive(Template)]
#[template(path = "office/document_new.html")]
pub struct DocumentForm {
    chrome: Chrome,
    nav: OfficeNav,
    csrf: String,
    form: Fields,
    kinds: Vec<Choice>,
    meetings: Vec<Choice>,
    error: Option<String>,
}

async fn document_form_page(
    state: &AppState,
    chrome: Chrome,
    staff: &Staff,
    form: Fields,
    error: Option<String>,
) -> Result<DocumentForm, PageError> {
    let t = chrome.t;
    let (meetings, _) = state.services.meetings_for(&staff.acting, 1, 200).await?;
    let kinds = DocumentKind::ALL
        .into_iter()
        .map(|k| Choice {
            value: k.as_str().to_owned(),
            label: t.t(kind_key(k)).to_owned(),
            selected: form.get("kind") == k.as_str(),
        })
        .collect();
    let meetings = meetings
        .into_iter()
        .map(|m| Choice {
            selected: form.get("meeting") == m.id,
            label: format!("{} — {} ({})", m.id, m.title, t.date(m.date)),
            value: m.id,
        })
        .collect();
    Ok(DocumentForm {
        nav: OfficeNav::of(staff),
        csrf: staff.csrf().to_owned(),
        form,
        kinds,
        meetings,
        error,
        chrome,
    })
}

/// `GET /can-bo/van-ban/moi?hop=`.
pub async fn document_new(
    State(state): State<AppState>,
    chrome: Chrome,
    staff: Staff,
    Query(query): Query<DocumentQuery>,
) -> Result<Response, PageError> {
    let agency = staff.account().agency.clone().unwrap_or_default();
    let issuer = Names::of(&state, vec![agency.clone()]).await?.get(&agency);
    let mut pairs = vec![("issuer".to_owned(), issuer)];
    if let Some(m) = query.hop.filter(|m| !m.trim().is_empty()) {
        pairs.push(("meeting".into(), m));
        pairs.push(("kind".into(), DocumentKind::Conclusion.as_str().into()));
    }
    let page = document_form_page(&state, chrome, &staff, Fields::new(pairs), None).await?;
    Ok(private(StatusCode::OK, render(&page)?))
}

/// `POST /can-bo/van-ban/moi`: records the document and shows it.
pub async fn document_create(
    State(state): State<AppState>,
    chrome: Chrome,
    staff: Staff,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let fields = Fields::new(pairs);
    let outcome = match (
        DocumentKind::parse(fields.get("kind")),
        parse_date(fields.get("date")),
    ) {
        (None, _) => Err(ServiceError::Invalid(
            "kind: hãy chọn loại văn bản / choose the kind of document".into(),
        )),
        (_, None) => Err(ServiceError::Invalid(
            "date: hãy nhập ngày ký văn bản (ngày/tháng/năm) / enter the date it was signed (day/month/year)".into(),
        )),
        (Some(kind), Some(date)) => {
            let document = SteeringDocument {
                id: String::new(),
                owner: staff.account().agency.clone().unwrap_or_default(),
                kind,
                number: fields.get("number").to_owned(),
                date,
                issuer: fields.get("issuer").to_owned(),
                title: fields.get("title").to_owned(),
                summary: fields.get("summary").to_owned(),
                meeting: Some(fields.get("meeting").to_owned()).filter(|m| !m.is_empty()),
                public_results: fields.has("public_results"),
            };
            state
                .services
                .record_steering_document(&staff.acting, document)
                .await
        }
    };
    let message = match outcome {
        Ok(d) => return Ok(Redirect::to(&format!("/can-bo/van-ban/{}", d.id)).into_response()),
        Err(ServiceError::Invalid(m) | ServiceError::Refused(m)) => m,
        Err(e) => return Err(e.into()),
    };
    let page = document_form_page(&state, chrome, &staff, fields, Some(message)).await?;
    Ok(private(StatusCode::UNPROCESSABLE_ENTITY, render(&page)?))
}

/// `/can-bo/van-ban/{id}`.
#[derive(Template)]
#[template(path = "office/document.html")]
pub struct DocumentPage {
    chrome: Chrome,
    nav: OfficeNav,
    id: String,
    title: String,
    facts: Vec<(&'static str, String)>,
    meeting: Option<(String, String)>,
    summary: String,
    tasks: Vec<Row>,
    /// The four statuses' counts, as the page writes numbers.
    counts: [String; 4],
    can_assign: bool,
}

/// `GET /can-bo/van-ban/{id}`.
pub async fn document(
    State(state): State<AppState>,
    chrome: Chrome,
    staff: Staff,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let t = chrome.t;
    let detail = state
        .services
        .steering_document_for(&staff.acting, &id)
        .await?;
    let d = &detail.document;
    let facts = vec![
        ("steering.document.kind", t.t(kind_key(d.kind)).to_owned()),
        ("steering.document.number", d.number.clone()),
        ("steering.document.date", t.date(d.date)),
        ("steering.document.issuer", d.issuer.clone()),
        (
            "steering.document.public_results",
            t.t(if d.public_results {
                "steering.document.yes"
            } else {
                "steering.document.no"
            })
            .to_owned(),
        ),
    ];
    let page = DocumentPage {
        nav: OfficeNav::of(&staff),
        id: d.id.clone(),
        title: d.title.clone(),
        facts,
        meeting: detail
            .meeting
            .as_ref()
            .map(|m| (m.id.clone(), format!("{} ({})", m.title, t.date(m.date)))),
        summary: d.summary.clone(),
        tasks: rows(&state, t, &detail.tasks).await?,
        counts: TaskStatus::ALL.map(|s| t.num(detail.counts.count(s))),
        can_assign: role_allows(staff.account().role, Action::AssignTask),
        chrome,
    };
    Ok(private(StatusCode::OK, render(&page)?))
}
