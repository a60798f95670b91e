//! `/thu-tuc`: searching the procedure catalogue, and one procedure's page.

use std::sync::Arc;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{Html, IntoResponse, Response};
use motcua_domain::catalog::{
    AgencyRef, Channel as CatalogueChannel, FeeSchedule, Level, OnlineLevel, Procedure,
};
use serde::Deserialize;

use super::{Pager, encode, level_key, limit_text, online_key, page_number};
use crate::AppState;
use crate::error::{AppError, PageError};
use crate::ui::{Chrome, render};
use motcua_service::portal::CatalogueQuery;

/// The query of the search page, as typed (parsed by hand so a bad value gets a message
/// naming its field, not a bare 400).
#[derive(Debug, Default, Deserialize)]
pub struct SearchParams {
    q: Option<String>,
    linh_vuc: Option<String>,
    cap: Option<String>,
    co_quan: Option<String>,
    truc_tuyen: Option<String>,
    trang: Option<String>,
}

/// One result row.
#[derive(Debug, Clone)]
pub struct ResultRow {
    code: String,
    name: String,
    levels: Vec<String>,
    limit: String,
    online: String,
}

/// An option of a filter's select.
#[derive(Debug, Clone)]
pub struct Choice {
    value: String,
    label_key: String,
    selected: bool,
}

/// The search page.
#[derive(Template)]
#[template(path = "portal/search.html")]
pub struct SearchPage {
    chrome: Chrome,
    q: String,
    /// Every sector (shared with the catalogue snapshot: the list is long).
    sectors: Arc<[String]>,
    /// The sector chosen, empty for any.
    sector: String,
    levels: Vec<Choice>,
    agency: String,
    online: Vec<Choice>,
    rows: Vec<ResultRow>,
    total: String,
    pager: Pager,
    searched: bool,
}

fn none_if_empty(text: Option<String>) -> Option<String> {
    text.map(|t| t.trim().to_owned()).filter(|t| !t.is_empty())
}

/// `GET /thu-tuc?q=…&linh_vuc=…&cap=…&co_quan=…&truc_tuyen=…&trang=…`
pub async fn search(
    State(state): State<AppState>,
    chrome: Chrome,
    Query(params): Query<SearchParams>,
) -> Result<Html<String>, PageError> {
    let q = params.q.unwrap_or_default().trim().to_owned();
    let sector = none_if_empty(params.linh_vuc);
    let agency = none_if_empty(params.co_quan);
    let level = match none_if_empty(params.cap) {
        None => None,
        Some(text) => Some(Level::parse_token(&text).ok_or_else(|| {
            PageError(AppError::invalid(
                "cap",
                "cấp thực hiện phải là ministry, province, commune hoặc other",
                "the level must be ministry, province, commune or other",
            ))
        })?),
    };
    let online = match none_if_empty(params.truc_tuyen) {
        None => None,
        Some(text) => Some(OnlineLevel::parse_token(&text).ok_or_else(|| {
            PageError(AppError::invalid(
                "truc_tuyen",
                "mức dịch vụ trực tuyến phải là full_process, partial hoặc none",
                "the online level must be full_process, partial or none",
            ))
        })?),
    };
    let page = page_number(params.trang.as_deref())?;
    let query = CatalogueQuery {
        text: q.clone(),
        sector: sector.clone(),
        level,
        agency: agency.clone(),
        online,
        page,
        per_page: super::PAGE_SIZE,
    };
    let found = state.services.find_procedures(&query).await?;
    let sectors = state.services.procedure_sectors().await?;
    let t = chrome.t;
    let rows = found
        .items
        .iter()
        .map(|p| ResultRow {
            code: p.code.to_string(),
            name: p.name.clone(),
            levels: p.levels.iter().map(|l| level_key(*l)).collect(),
            limit: limit_text(&t, p.effective_time_limit()),
            online: online_key(p.online_level),
        })
        .collect();
    let mut base = String::from("/thu-tuc?");
    for (key, value) in [
        ("q", Some(q.as_str())),
        ("linh_vuc", sector.as_deref()),
        ("cap", level.map(|l| l.as_str())),
        ("co_quan", agency.as_deref()),
        ("truc_tuyen", online.map(|o| o.as_str())),
    ] {
        if let Some(v) = value.filter(|v| !v.is_empty()) {
            base.push_str(&format!("{key}={}&", encode(v)));
        }
    }
    let page = SearchPage {
        searched: !q.is_empty()
            || sector.is_some()
            || level.is_some()
            || agency.is_some()
            || online.is_some(),
        total: t.num(found.total),
        pager: Pager::new(&base, found.page, found.total, found.per_page),
        sectors,
        sector: sector.clone().unwrap_or_default(),
        levels: Level::ALL
            .iter()
            .map(|l| Choice {
                value: l.as_str().to_owned(),
                label_key: level_key(*l),
                selected: level == Some(*l),
            })
            .collect(),
        online: OnlineLevel::ALL
            .iter()
            .map(|o| Choice {
                value: o.as_str().to_owned(),
                label_key: online_key(*o),
                selected: online == Some(*o),
            })
            .collect(),
        agency: agency.unwrap_or_default(),
        q,
        rows,
        chrome,
    };
    render(&page)
}

/// A fee line as shown.
#[derive(Debug, Clone)]
pub struct FeeRow {
    name: String,
    amount: String,
    note: String,
}

/// A component as shown.
#[derive(Debug, Clone)]
pub struct ComponentRow {
    name: String,
    originals: u32,
    copies: u32,
    required: bool,
    form: String,
}

/// A legal document as shown.
#[derive(Debug, Clone)]
pub struct LegalRow {
    number: String,
    summary: String,
    date: String,
}

/// One procedure's page.
#[derive(Template)]
#[template(path = "portal/procedure.html")]
pub struct ProcedurePage {
    chrome: Chrome,
    code: String,
    name: String,
    sector: String,
    levels: Vec<String>,
    limit: String,
    statutory_limit: String,
    has_local_limit: bool,
    agencies: Vec<String>,
    competent: String,
    channels: Vec<String>,
    online: String,
    free: bool,
    fees_unknown: bool,
    fees: Vec<FeeRow>,
    components: Vec<ComponentRow>,
    result: String,
    legal: Vec<LegalRow>,
    decision: String,
    submit_online: bool,
    receiving: Vec<String>,
    source_url: String,
}

fn channel_key(c: CatalogueChannel) -> String {
    format!("portal.channel.{}", c.as_str())
}

/// `GET /thu-tuc/{code}`
pub async fn procedure(
    State(state): State<AppState>,
    chrome: Chrome,
    Path(code): Path<String>,
) -> Result<Response, PageError> {
    let Some(p) = state.services.public_procedure(&code).await? else {
        return Err(PageError(AppError::NotFound(format!(
            "không có thủ tục {code} đang có hiệu lực / there is no procedure {code} in force"
        ))));
    };
    let offer = state.services.online_offer(&p).await?;
    let t = chrome.t;
    let page = ProcedurePage {
        code: p.code.to_string(),
        name: p.name.clone(),
        sector: p.sector.clone(),
        levels: p.levels.iter().map(|l| level_key(*l)).collect(),
        limit: limit_text(&t, p.effective_time_limit()),
        statutory_limit: limit_text(&t, p.time_limit),
        has_local_limit: p.local_time_limit.is_some(),
        agencies: p
            .implementing_agencies
            .iter()
            .map(|a| match a {
                AgencyRef::Code(c) => c.as_str().to_owned(),
                AgencyRef::Name(n) => n.clone(),
            })
            .collect(),
        competent: p.competent_authority.clone().unwrap_or_default(),
        channels: p.channels.iter().map(|c| channel_key(*c)).collect(),
        online: online_key(p.online_level),
        free: matches!(p.fees, FeeSchedule::Free),
        fees_unknown: matches!(p.fees, FeeSchedule::Unknown),
        fees: fee_rows(&t, &p),
        components: p
            .components
            .iter()
            .map(|c| ComponentRow {
                name: c.name.clone(),
                originals: c.originals,
                copies: c.copies,
                required: c.required,
                form: c.form.clone().unwrap_or_default(),
            })
            .collect(),
        result: p.result.name.clone(),
        legal: p
            .legal_basis
            .iter()
            .map(|d| LegalRow {
                number: d.number.clone(),
                summary: d.summary.clone(),
                date: d.date.map(|d| t.date(d)).unwrap_or_default(),
            })
            .collect(),
        decision: p
            .publication
            .as_ref()
            .map(|d| match d.date {
                Some(date) => format!("{} ({})", d.decision_no, t.date(date)),
                None => d.decision_no.clone(),
            })
            .unwrap_or_default(),
        submit_online: offer.is_some(),
        receiving: offer
            .map(|o| match o.agencies.as_slice() {
                [one] => vec![one.name.clone()],
                many => vec![format!(
                    "{} ({})",
                    t.t("portal.procedure.commune_committees"),
                    t.num(many.len() as u64)
                )],
            })
            .unwrap_or_default(),
        source_url: p
            .source_url
            .clone()
            .filter(|u| u.starts_with("https://"))
            .unwrap_or_default(),
        chrome,
    };
    Ok(render(&page)?.into_response())
}

fn fee_rows(t: &crate::i18n::Tr, p: &Procedure) -> Vec<FeeRow> {
    match &p.fees {
        FeeSchedule::Charged(fees) => fees
            .iter()
            .map(|f| FeeRow {
                name: f.name.clone(),
                amount: f.amount_vnd.map(|a| t.vnd(a)).unwrap_or_default(),
                note: f.note.clone().unwrap_or_default(),
            })
            .collect(),
        FeeSchedule::Free | FeeSchedule::Unknown => Vec::new(),
    }
}
