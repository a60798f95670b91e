//! `/ho-so-cua-toi`: a citizen's or business's own dossiers — the list, one dossier with
//! its files and history, the printable receipt, and what the applicant may do: provide a
//! requested supplement (with files), withdraw, rate the service.
//!
//! Every read goes through `Services::dossier_for` / `list_dossiers_for`: another
//! applicant's dossier answers 404, as if it did not exist.

use askama::Template;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use motcua_domain::dossier::{Command, Dossier, DossierCode, Status};
use motcua_service::ServiceError;
use motcua_storage::dossiers::{DossierOrder, DossierQuery};
use serde::Deserialize;

use super::submit::human_size;
use super::track::{HistoryLine, agency_name, can_rate, history, parse_rating, rating_key};
use super::{
    PAGE_SIZE, Pager, form_message, page_number, private, status_name, status_other, upload, when,
};
use crate::AppState;
use crate::auth::{CsrfForm, CurrentUser, encode_component};
use crate::error::{AppError, PageError};
use crate::i18n::Tr;
use crate::ui::account::{FormErrors, in_language};
use crate::ui::{Chrome, render};

/// Supplement uploads offered at once; the API takes at most as many files per supplement.
pub(crate) const SUPPLEMENT_FILES: u32 = 3;

fn not_found(code: &str) -> PageError {
    PageError(AppError::NotFound(format!(
        "không tìm thấy hồ sơ {code} / dossier {code} not found"
    )))
}

/// A dossier code from the path; a malformed one is simply not found.
fn parse_code(code: &str) -> Result<DossierCode, PageError> {
    code.parse().map_err(|_| not_found(code))
}

/// One row of "my dossiers".
#[derive(Debug, Clone)]
pub struct MineRow {
    code: String,
    procedure: String,
    submitted: String,
    status: &'static str,
    due: String,
}

/// "My dossiers".
#[derive(Template)]
#[template(path = "portal/mine.html")]
pub struct MinePage {
    chrome: Chrome,
    rows: Vec<MineRow>,
    total: String,
    pager: Pager,
}

/// Which page of a list (and, for staff, which status).
#[derive(Deserialize)]
pub struct PageQuery {
    trang: Option<String>,
}

/// `GET /ho-so-cua-toi?trang=…`: newest first.
pub async fn list(
    State(state): State<AppState>,
    chrome: Chrome,
    user: CurrentUser,
    Query(query): Query<PageQuery>,
) -> Result<Response, PageError> {
    state.services.applicant_account(&user.acting).await?;
    let page = page_number(query.trang.as_deref())?;
    let (rows, total) = state
        .services
        .list_dossiers_for(
            &user.acting,
            DossierQuery {
                order: DossierOrder::NewestFirst,
                limit: i64::from(PAGE_SIZE),
                offset: i64::from(page - 1) * i64::from(PAGE_SIZE),
                ..DossierQuery::default()
            },
        )
        .await?;
    let t = chrome.t;
    let total = u64::try_from(total).unwrap_or(0);
    let html = render(&MinePage {
        rows: rows
            .into_iter()
            .map(|r| {
                let d = r.state.0;
                MineRow {
                    code: d.code().to_string(),
                    procedure: d.submission.procedure.name.clone(),
                    submitted: t.datetime(&d.submitted_at),
                    status: status_name(&t, d.status),
                    due: when(&t, d.due),
                }
            })
            .collect(),
        total: t.num(total),
        pager: Pager::new("/ho-so-cua-toi?", page, total, PAGE_SIZE),
        chrome,
    })?;
    Ok(private(StatusCode::OK, None, html))
}

/// A file as listed, with its download link.
#[derive(Debug, Clone)]
pub struct FileLink {
    pub(crate) href: String,
    pub(crate) name: String,
    pub(crate) size: String,
}

/// A component as listed.
#[derive(Debug, Clone)]
pub struct ComponentLine {
    name: String,
    files: Vec<FileLink>,
}

/// One of my dossiers.
#[derive(Template)]
#[template(path = "portal/dossier.html")]
pub struct DossierPage {
    chrome: Chrome,
    csrf: String,
    code: String,
    version: i64,
    procedure: String,
    procedure_code: String,
    agency: String,
    status_code: u8,
    status: &'static str,
    status_other: &'static str,
    submitted: String,
    received: String,
    due: String,
    finished: String,
    step: String,
    components: Vec<ComponentLine>,
    attachments: Vec<FileLink>,
    history: Vec<HistoryLine>,
    supplement_reasons: Option<String>,
    supplement_fields: Vec<(String, u32)>,
    can_withdraw: bool,
    can_rate: bool,
    rating_key: Option<&'static str>,
    reasons: String,
    errors: FormErrors,
    notice: Option<&'static str>,
    /// The sealed documents issued for it (the electronic result).
    documents: Vec<crate::ui::documents::DocumentView>,
    /// Applicants never revoke.
    can_revoke: bool,
}

/// The link to a file of dossier `code` under `base` (`/ho-so-cua-toi` for the applicant,
/// `/can-bo/ho-so` for staff; both serve [`file`], which checks who may read the dossier).
pub(crate) fn file_link(
    t: &Tr,
    base: &str,
    code: &str,
    f: &motcua_domain::dossier::FileRef,
) -> FileLink {
    FileLink {
        href: format!("{base}/{}/tep/{}", encode_component(code), f.sha256),
        name: f.name.clone(),
        size: human_size(t, f.size),
    }
}

/// The reasons of the supplement awaited, read from the log (the state keeps only that one
/// is awaited). The API's dossier view shows them too.
pub(crate) async fn awaited_supplement(
    state: &AppState,
    d: &Dossier,
) -> Result<Option<String>, ServiceError> {
    let kind = match d.status {
        Status::SupplementRequested => "supplement_requested",
        Status::Submitted
            if d.intake_supplement_at.is_some() && d.intake_supplement_provided_at.is_none() =>
        {
            "intake_supplement_requested"
        }
        _ => return Ok(None),
    };
    let events = state.services.dossier_history(d.code()).await?;
    Ok(events.iter().rev().find(|e| e.kind == kind).map(|e| {
        e.payload
            .get("reasons")
            .and_then(|r| r.as_str())
            .unwrap_or_default()
            .to_owned()
    }))
}

async fn dossier_page(
    state: &AppState,
    chrome: Chrome,
    user: &CurrentUser,
    d: &Dossier,
    errors: FormErrors,
    reasons: String,
    notice: Option<&'static str>,
) -> Result<DossierPage, PageError> {
    let t = chrome.t;
    let code = d.code().to_string();
    let attachments = state
        .services
        .dossier_attachments_for(&user.acting, d.code())
        .await?;
    let step = match d.steps.last().filter(|s| s.ended_at.is_none()) {
        Some(s) => format!("{} — {}", s.name, agency_name(state, &s.agency).await),
        None => String::new(),
    };
    let supplement_reasons = awaited_supplement(state, d).await?;
    let documents =
        crate::ui::documents::dossier_documents(state, &t, &user.acting, MINE_PATH, d.code())
            .await?;
    Ok(DossierPage {
        documents,
        can_revoke: false,
        csrf: user.csrf().to_owned(),
        version: d.version,
        procedure: d.submission.procedure.name.clone(),
        procedure_code: d.submission.procedure.code.clone(),
        agency: agency_name(state, &d.submission.agency).await,
        status_code: d.status.national_code(),
        status: status_name(&t, d.status),
        status_other: status_other(&t, d.status),
        submitted: t.datetime(&d.submitted_at),
        received: when(&t, d.received_at),
        due: when(&t, d.due),
        finished: when(&t, d.finished_at),
        step,
        components: d
            .submission
            .components
            .iter()
            .map(|c| ComponentLine {
                name: c.name.clone(),
                files: c
                    .files
                    .iter()
                    .map(|f| file_link(&t, MINE_PATH, &code, f))
                    .collect(),
            })
            .collect(),
        attachments: attachments
            .iter()
            .flat_map(|a| a.files.iter().map(|f| file_link(&t, MINE_PATH, &code, f)))
            .collect(),
        history: history(state, &t, d).await?,
        supplement_fields: if supplement_reasons.is_some() {
            (0..SUPPLEMENT_FILES)
                .map(|i| (format!("file-{i}"), i + 1))
                .collect()
        } else {
            Vec::new()
        },
        supplement_reasons,
        can_withdraw: matches!(
            d.status,
            Status::Submitted
                | Status::Received
                | Status::InProgress
                | Status::SupplementRequested
                | Status::AwaitingPayment
        ),
        can_rate: can_rate(d),
        rating_key: d.rating.map(rating_key),
        reasons,
        errors,
        notice,
        code,
        chrome,
    })
}

/// The markers of a redirect after an action on a dossier.
#[derive(Deserialize)]
pub struct DoneQuery {
    #[serde(rename = "da-bo-sung")]
    supplemented: Option<String>,
    #[serde(rename = "da-rut")]
    withdrawn: Option<String>,
    #[serde(rename = "da-danh-gia")]
    rated: Option<String>,
}

/// `GET /ho-so-cua-toi/{code}`
pub async fn show(
    State(state): State<AppState>,
    chrome: Chrome,
    user: CurrentUser,
    Path(code): Path<String>,
    Query(done): Query<DoneQuery>,
) -> Result<Response, PageError> {
    let d = state
        .services
        .dossier_for(&user.acting, &parse_code(&code)?)
        .await?;
    let notice = if done.supplemented.is_some() {
        Some("portal.mine.supplemented")
    } else if done.withdrawn.is_some() {
        Some("portal.mine.withdrawn")
    } else if done.rated.is_some() {
        Some("portal.rating.thanks")
    } else {
        None
    };
    let page = dossier_page(
        &state,
        chrome,
        &user,
        &d,
        FormErrors::default(),
        String::new(),
        notice,
    )
    .await?;
    Ok(private(StatusCode::OK, None, render(&page)?))
}

/// The printable receipt.
#[derive(Template)]
#[template(path = "portal/receipt.html")]
pub struct ReceiptPage {
    chrome: Chrome,
    code: String,
    procedure: String,
    agency: String,
    applicant: String,
    submitted: String,
    due: String,
    secret: String,
    status: &'static str,
    new: bool,
    public_url: String,
}

/// Query of a page reached right after a creation.
#[derive(Deserialize)]
pub struct NewQuery {
    moi: Option<String>,
}

/// `GET /ho-so-cua-toi/{code}/bien-nhan`: the confirmation and receipt, with the lookup
/// secret that lets anyone holding it follow the dossier.
pub async fn receipt(
    State(state): State<AppState>,
    chrome: Chrome,
    user: CurrentUser,
    Path(code): Path<String>,
    Query(query): Query<NewQuery>,
) -> Result<Response, PageError> {
    let d = state
        .services
        .dossier_for(&user.acting, &parse_code(&code)?)
        .await?;
    let t = chrome.t;
    let page = ReceiptPage {
        code: d.code().to_string(),
        procedure: d.submission.procedure.name.clone(),
        agency: agency_name(&state, &d.submission.agency).await,
        applicant: d.submission.applicant.name.clone(),
        submitted: t.datetime(&d.submitted_at),
        due: d.due.map(|at| t.datetime(&at)).unwrap_or_default(),
        secret: d.submission.lookup_secret.clone(),
        status: status_name(&t, d.status),
        new: query.moi.is_some(),
        public_url: state.config.public_url.clone(),
        chrome,
    };
    Ok(private(StatusCode::OK, None, render(&page)?))
}

/// `POST /ho-so-cua-toi/{code}/bo-sung` (multipart): the supplement, with files.
pub async fn supplement(
    State(state): State<AppState>,
    chrome: Chrome,
    user: CurrentUser,
    Path(code): Path<String>,
    multipart: Multipart,
) -> Result<Response, PageError> {
    let mut form = upload::read(multipart).await?;
    form.verify_csrf(&user)?;
    let code = parse_code(&code)?;
    let lang = chrome.t.lang;
    let label = chrome.t.t("portal.mine.supplement_file").to_owned();
    let mut errors = FormErrors::default();
    let mut files = Vec::new();
    for (field, file) in std::mem::take(&mut form.files) {
        let number = field
            .strip_prefix("file-")
            .and_then(|i| i.parse::<u32>().ok())
            .filter(|i| *i < SUPPLEMENT_FILES);
        let Some(number) = number else {
            return Err(PageError(AppError::invalid(
                &field,
                "không có trường tệp này",
                "there is no such file field",
            )));
        };
        let component = format!("{label} {}", number + 1);
        match state.services.store_upload(&component, file).await {
            Ok(file) => files.push(file),
            Err(ServiceError::Invalid(m)) => errors.push(&field, in_language(lang, &m)),
            Err(e) => return Err(e.into()),
        }
    }
    let version = form.text("version").parse::<i64>().ok();
    if errors.is_empty() {
        match state
            .services
            .provide_supplement(&user.acting, &code, &files, version)
            .await
        {
            Ok(_) => {
                return Ok(
                    Redirect::to(&format!("/ho-so-cua-toi/{code}?da-bo-sung=1")).into_response()
                );
            }
            Err(e) => match form_message(lang, &e) {
                Some(m) => errors.push("", m),
                None => return Err(e.into()),
            },
        }
    }
    refused(&state, chrome, &user, &code, errors, String::new()).await
}

async fn refused(
    state: &AppState,
    chrome: Chrome,
    user: &CurrentUser,
    code: &DossierCode,
    errors: FormErrors,
    reasons: String,
) -> Result<Response, PageError> {
    let d = state.services.dossier_for(&user.acting, code).await?;
    let page = dossier_page(state, chrome, user, &d, errors, reasons, None).await?;
    Ok(private(
        StatusCode::UNPROCESSABLE_ENTITY,
        None,
        render(&page)?,
    ))
}

/// The withdrawal form.
#[derive(Deserialize)]
pub struct WithdrawForm {
    #[serde(default)]
    ly_do: String,
    version: Option<i64>,
}

/// `POST /ho-so-cua-toi/{code}/rut`: withdraws, with reasons.
pub async fn withdraw(
    State(state): State<AppState>,
    chrome: Chrome,
    user: CurrentUser,
    Path(code): Path<String>,
    CsrfForm(form): CsrfForm<WithdrawForm>,
) -> Result<Response, PageError> {
    let code = parse_code(&code)?;
    let lang = chrome.t.lang;
    let mut errors = FormErrors::default();
    let reasons = form.ly_do.trim().to_owned();
    if reasons.is_empty() {
        errors.push("ly_do", chrome.t.t("portal.mine.reasons_required"));
    } else {
        match state
            .services
            .act_on_dossier(
                &user.acting,
                &code,
                Command::Withdraw {
                    reasons: reasons.clone(),
                },
                form.version,
            )
            .await
        {
            Ok(_) => {
                return Ok(Redirect::to(&format!("/ho-so-cua-toi/{code}?da-rut=1")).into_response());
            }
            Err(ServiceError::Forbidden(_)) => return Err(not_found(&code.to_string())),
            Err(e) => match form_message(lang, &e) {
                Some(m) => errors.push("", m),
                None => return Err(e.into()),
            },
        }
    }
    refused(&state, chrome, &user, &code, errors, reasons).await
}

/// The rating form.
#[derive(Deserialize)]
pub struct RateForm {
    #[serde(default)]
    muc: String,
    version: Option<i64>,
}

/// `POST /ho-so-cua-toi/{code}/danh-gia`: rates the service after the result.
pub async fn rate(
    State(state): State<AppState>,
    chrome: Chrome,
    user: CurrentUser,
    Path(code): Path<String>,
    CsrfForm(form): CsrfForm<RateForm>,
) -> Result<Response, PageError> {
    let code = parse_code(&code)?;
    let lang = chrome.t.lang;
    let mut errors = FormErrors::default();
    match parse_rating(&form.muc) {
        None => errors.push("muc-satisfied", chrome.t.t("portal.rating.required")),
        Some(rating) => match state
            .services
            .act_on_dossier(&user.acting, &code, Command::Rate { rating }, form.version)
            .await
        {
            Ok(_) => {
                return Ok(
                    Redirect::to(&format!("/ho-so-cua-toi/{code}?da-danh-gia=1")).into_response(),
                );
            }
            Err(ServiceError::Forbidden(_)) => return Err(not_found(&code.to_string())),
            Err(e) => match form_message(lang, &e) {
                Some(m) => errors.push("", m),
                None => return Err(e.into()),
            },
        },
    }
    refused(&state, chrome, &user, &code, errors, String::new()).await
}

/// `GET /ho-so-cua-toi/{code}/tep/{sha256}`: a file of one's own dossier, as an attachment
/// (never rendered inline: what a browser would do with it is not ours to decide).
/// Where an applicant's dossiers are listed.
const MINE_PATH: &str = "/ho-so-cua-toi";

/// Serves a file of a dossier to whoever may read that dossier (its applicant, or staff in
/// scope); anyone else gets 404.
pub async fn file(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((code, sha256)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let code = parse_code(&code)?;
    let (file, bytes) = state
        .services
        .dossier_file(&user.acting, &code, &sha256)
        .await?;
    Ok(file_response(&file, bytes))
}

/// A dossier's file as a download: its media type, its name in `Content-Disposition` (ASCII
/// and UTF-8), never cached. The pages and the API serve files through this one answer.
pub(crate) fn file_response(file: &motcua_domain::dossier::FileRef, bytes: Vec<u8>) -> Response {
    let mut response = bytes.into_response();
    let headers = response.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&file.media_type) {
        headers.insert(header::CONTENT_TYPE, v);
    }
    let ascii: String = file
        .name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "._-".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    let disposition = format!(
        "attachment; filename=\"{ascii}\"; filename*=UTF-8''{}",
        encode_component(&file.name).replace('/', "%2F")
    );
    if let Ok(v) = HeaderValue::from_str(&disposition) {
        headers.insert(header::CONTENT_DISPOSITION, v);
    }
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// An item of the data store as its page lists it.
#[derive(Debug)]
pub struct StoreRow {
    kind: &'static str,
    name: String,
    procedure: String,
    dossier: String,
    at: String,
    file: FileLink,
}

/// "My data store".
#[derive(Template)]
#[template(path = "portal/store.html")]
pub struct StorePage {
    chrome: Chrome,
    items: Vec<StoreRow>,
}

/// `GET /kho-du-lieu`: the signed-in applicant's data store, newest first.
pub async fn data_store(
    State(state): State<AppState>,
    chrome: Chrome,
    user: CurrentUser,
) -> Result<Response, PageError> {
    use motcua_service::data_store::ItemKind;
    let t = chrome.t;
    let items = state
        .services
        .own_data_store(&user.acting)
        .await?
        .into_iter()
        .map(|item| StoreRow {
            kind: match item.kind {
                ItemKind::Digitized => "portal.store.digitized",
                ItemKind::Result => "portal.store.result",
                ItemKind::ScannedResult => "portal.store.scanned_result",
                ItemKind::CertifiedCopy => "portal.store.certified_copy",
            },
            file: file_link(&t, MINE_PATH, &item.dossier, &item.file),
            name: item.name,
            procedure: item.procedure,
            at: t.datetime(&item.at),
            dossier: item.dossier,
        })
        .collect();
    let html = render(&StorePage { chrome, items })?;
    Ok(private(StatusCode::OK, None, html))
}
