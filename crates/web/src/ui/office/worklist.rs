//! `/can-bo/ho-so`: the officer's worklist — open dossiers of the agency and those at a step
//! of it, nearest deadline first, overdue and due-soon rows marked, with filters and pages.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use motcua_domain::authz::Scope;
use motcua_domain::dossier::Status;
use motcua_service::office::{OPEN_STATUSES, WorklistFilter};
use serde::Deserialize;

use super::{OfficeNav, field_message, private, view};
use crate::AppState;
use crate::auth::Staff;
use crate::auth::encode_component;
use crate::error::PageError;
use crate::ui::{Chrome, render};

/// The query of a worklist page; every parameter is text so a bad one gets a clear 422.
#[derive(Debug, Deserialize, Default)]
pub struct WorklistQuery {
    #[serde(rename = "co-quan")]
    agency: Option<String>,
    #[serde(rename = "thu-tuc")]
    procedure: Option<String>,
    #[serde(rename = "buoc")]
    step: Option<String>,
    #[serde(rename = "trang-thai")]
    status: Option<String>,
    #[serde(rename = "trang")]
    page: Option<String>,
}

/// One row as the table shows it.
#[derive(Debug)]
pub struct Row {
    code: String,
    procedure: String,
    applicant: String,
    status: String,
    channel: &'static str,
    received: String,
    due: String,
    step: String,
    step_outcome: Option<&'static str>,
    class: &'static str,
    mark: String,
}

/// A choice of a filter's select.
#[derive(Debug)]
pub struct Choice {
    value: String,
    label: String,
    selected: bool,
}

/// The worklist page.
#[derive(Template)]
#[template(path = "office/worklist.html")]
pub struct WorklistPage {
    chrome: Chrome,
    nav: OfficeNav,
    rows: Vec<Row>,
    total: u64,
    overdue: u64,
    due_soon: u64,
    page: u32,
    pages: u32,
    agencies: Vec<Choice>,
    statuses: Vec<Choice>,
    procedure: String,
    step: String,
    prev: Option<String>,
    next: Option<String>,
    error: Option<String>,
}

fn blank(value: Option<String>) -> Option<String> {
    value.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty())
}

/// The page's address with `page`, keeping the filters.
fn page_url(filter: &WorklistFilter, page: u32) -> String {
    let mut params = Vec::new();
    if let Some(a) = &filter.agency {
        params.push(format!("co-quan={}", encode_component(a)));
    }
    if let Some(p) = &filter.procedure {
        params.push(format!("thu-tuc={}", encode_component(p)));
    }
    if let Some(s) = &filter.step {
        params.push(format!("buoc={}", encode_component(s)));
    }
    if let Some(s) = filter.status {
        params.push(format!("trang-thai={}", s.as_str()));
    }
    params.push(format!("trang={page}"));
    format!("/can-bo/ho-so?{}", params.join("&"))
}

/// Reads the query into a filter; a bad status or page names the parameter.
fn filter_of(query: WorklistQuery) -> Result<WorklistFilter, String> {
    let status = match blank(query.status) {
        None => None,
        Some(s) => Some(
            Status::parse(&s)
                .ok_or_else(|| field_message("office.filter.status", "office.error.choice"))?,
        ),
    };
    let page = match blank(query.page) {
        None => 1,
        Some(p) => p
            .parse::<u32>()
            .ok()
            .filter(|p| *p >= 1)
            .ok_or_else(|| field_message("office.filter.page", "office.error.page"))?,
    };
    Ok(WorklistFilter {
        agency: blank(query.agency),
        procedure: blank(query.procedure),
        step: blank(query.step),
        status,
        page,
    })
}

/// `GET /can-bo/ho-so`.
pub async fn page(
    State(state): State<AppState>,
    chrome: Chrome,
    staff: Staff,
    Query(query): Query<WorklistQuery>,
) -> Result<Response, PageError> {
    let t = chrome.t;
    let (filter, error) = match filter_of(query) {
        Ok(filter) => (filter, None),
        Err(message) => (WorklistFilter::default(), Some(message)),
    };
    let list = state.services.worklist(&staff.acting, &filter).await?;
    // Only those who see every agency choose one; staff always see their own.
    let agencies = if staff.principal.scope == Scope::Everywhere {
        state
            .services
            .agencies(None)
            .await?
            .into_iter()
            .map(|a| Choice {
                selected: filter.agency.as_deref() == Some(a.agency.code.as_str()),
                value: a.agency.code.to_string(),
                label: format!("{} — {}", a.agency.code, a.agency.name),
            })
            .collect()
    } else {
        Vec::new()
    };
    let statuses = OPEN_STATUSES
        .iter()
        .chain(Status::ALL.iter().filter(|s| !OPEN_STATUSES.contains(s)))
        .map(|s| Choice {
            value: s.as_str().to_owned(),
            label: view::status(t, *s),
            selected: filter.status == Some(*s),
        })
        .collect();
    let rows = list
        .rows
        .iter()
        .map(|row| {
            let d = &row.dossier;
            let (class, mark) = view::urgency(t, row.urgency);
            let step = d
                .steps
                .last()
                .filter(|s| s.ended_at.is_none())
                .map_or_else(String::new, |s| format!("{} ({})", s.name, s.agency));
            Row {
                code: d.code().to_string(),
                procedure: format!(
                    "{} — {}",
                    d.submission.procedure.code, d.submission.procedure.name
                ),
                applicant: d.submission.applicant.name.clone(),
                status: view::status(t, d.status),
                channel: view::channel_key(d.submission.channel),
                received: view::when(t, d.received_at),
                due: view::when(t, d.statistical_due),
                step,
                step_outcome: row.step_outcome.map(view::outcome_key),
                class,
                mark,
            }
        })
        .collect();
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let html = render(&WorklistPage {
        nav: OfficeNav::of(&staff),
        rows,
        total: list.total,
        overdue: list.overdue,
        due_soon: list.due_soon,
        page: list.page,
        pages: list.pages,
        agencies,
        statuses,
        procedure: filter.procedure.clone().unwrap_or_default(),
        step: filter.step.clone().unwrap_or_default(),
        prev: (list.page > 1).then(|| page_url(&filter, list.page - 1)),
        next: (list.page < list.pages).then(|| page_url(&filter, list.page + 1)),
        error,
        chrome,
    })?;
    Ok(private(status, html))
}
