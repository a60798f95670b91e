//! Feedback and petitions (phản ánh, kiến nghị): the public form, the sender's view by code
//! (with the reply to a request for more information), "my petitions", the published
//! answers, and the staff pages of the addressed agency under `/can-bo/phan-anh`.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use motcua_domain::petition::{
    Petition, PetitionAbout, PetitionClass, PetitionCommand, PetitionContact, PetitionStatus,
    PetitionStep,
};
use motcua_service::petitions::{AboutInput, NewPetition, public_acting};
use motcua_service::{Acting, ServiceError};
use serde::Deserialize;

use super::track::agency_name;
use super::{PAGE_SIZE, Pager, form_message, page_number, private};
use crate::auth::{CsrfForm, CsrfToken, CurrentUser, MaybeUser, Staff};
use crate::error::{AppError, PageError};
use crate::i18n::{Lang, Tr};
use crate::ui::account::FormErrors;
use crate::ui::{Chrome, render};
use crate::{AppState, REQUEST_ID};

fn request_id(headers: &HeaderMap) -> Option<String> {
    headers
        .get(&REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

fn status_name(t: &Tr, s: PetitionStatus) -> &'static str {
    match t.lang {
        Lang::Vi => s.name_vi(),
        Lang::En => s.name_en(),
    }
}

fn not_found(code: &str) -> PageError {
    PageError(AppError::NotFound(format!(
        "không tìm thấy phản ánh {code} / petition {code} not found"
    )))
}

/// An agency to address.
#[derive(Debug, Clone)]
pub struct AgencyOption {
    code: String,
    name: String,
    selected: bool,
}

/// The petition form's values, as typed.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct PetitionForm {
    #[serde(default)]
    agency: String,
    #[serde(default)]
    class: String,
    #[serde(default)]
    about: String,
    #[serde(default)]
    procedure: String,
    #[serde(default)]
    officer: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    content: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    phone: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    address: String,
}

/// The petition form.
#[derive(Template)]
#[template(path = "portal/petition_new.html")]
pub struct PetitionNewPage {
    chrome: Chrome,
    csrf: String,
    agencies: Vec<AgencyOption>,
    form: PetitionForm,
    errors: FormErrors,
}

/// Query of a page reached right after a creation.
#[derive(Deserialize)]
pub struct NewQuery {
    procedure: Option<String>,
}

async fn agency_options(state: &AppState, selected: &str) -> Result<Vec<AgencyOption>, PageError> {
    Ok(state
        .services
        .petition_agencies()
        .await?
        .into_iter()
        .map(|a| AgencyOption {
            selected: a.code.as_str() == selected,
            code: a.code.as_str().to_owned(),
            name: a.name,
        })
        .collect())
}

/// `GET /phan-anh`: the form; a signed-in sender's name and phone are filled in.
pub async fn new_form(
    State(state): State<AppState>,
    chrome: Chrome,
    MaybeUser(user): MaybeUser,
    csrf: CsrfToken,
    Query(query): Query<NewQuery>,
) -> Result<Response, PageError> {
    let mut form = PetitionForm {
        class: "procedure".into(),
        about: "procedure".into(),
        ..PetitionForm::default()
    };
    if let Some(code) = query.procedure.filter(|c| !c.trim().is_empty()) {
        form.procedure = code.trim().to_owned();
    }
    if let Some(user) = &user {
        form.name = user.account().name.clone();
        form.phone = user.account().phone.clone().unwrap_or_default();
    }
    let html = render(&PetitionNewPage {
        csrf: csrf.value().to_owned(),
        agencies: agency_options(&state, "").await?,
        form,
        errors: FormErrors::default(),
        chrome,
    })?;
    Ok(private(StatusCode::OK, Some(csrf), html))
}

/// `POST /phan-anh`: receives the petition, then shows its code.
pub async fn submit(
    State(state): State<AppState>,
    chrome: Chrome,
    MaybeUser(user): MaybeUser,
    csrf: CsrfToken,
    headers: HeaderMap,
    CsrfForm(form): CsrfForm<PetitionForm>,
) -> Result<Response, PageError> {
    let t = chrome.t;
    let mut errors = FormErrors::default();
    let class = PetitionClass::parse(form.class.trim());
    if class.is_none() {
        errors.push("class-procedure", t.t("portal.petition.error.class"));
    }
    let about = match form.about.trim() {
        "procedure" => Some(AboutInput::Procedure(form.procedure.clone())),
        "officer" => Some(AboutInput::Officer(form.officer.clone())),
        "agency" => Some(AboutInput::Agency),
        _ => {
            errors.push("about-procedure", t.t("portal.petition.error.about"));
            None
        }
    };
    let optional = |s: &str| Some(s.trim().to_owned()).filter(|s| !s.is_empty());
    if let (Some(class), Some(about)) = (class, about) {
        let new = NewPetition {
            agency: form.agency.clone(),
            class,
            about,
            title: form.title.clone(),
            content: form.content.clone(),
            contact: PetitionContact {
                name: form.name.clone(),
                phone: optional(&form.phone),
                email: optional(&form.email),
                address: optional(&form.address),
            },
        };
        for p in state.services.check_petition(&new).await? {
            errors.push(p.field, if t.lang == Lang::Vi { p.vi } else { p.en });
        }
        if errors.is_empty() {
            let acting = match &user {
                Some(user) => user.acting.clone(),
                None => public_acting(request_id(&headers)),
            };
            match state.services.submit_petition(&acting, new).await {
                Ok(p) => {
                    return Ok(
                        Redirect::to(&format!("/phan-anh/ma/{}?moi=1", p.code())).into_response()
                    );
                }
                Err(e) => match form_message(t.lang, &e) {
                    Some(m) => errors.push("", m),
                    None => return Err(e.into()),
                },
            }
        }
    }
    let html = render(&PetitionNewPage {
        csrf: csrf.value().to_owned(),
        agencies: agency_options(&state, form.agency.trim()).await?,
        form,
        errors,
        chrome,
    })?;
    Ok(private(StatusCode::UNPROCESSABLE_ENTITY, Some(csrf), html))
}

/// A request for more information and its reply.
#[derive(Debug, Clone)]
pub struct RoundView {
    reasons: String,
    requested: String,
    reply: String,
    replied: String,
}

/// A deadline step.
#[derive(Debug, Clone)]
pub struct StepView {
    key: String,
    due: String,
    done: String,
    punctuality_key: String,
    late: bool,
}

/// A petition as shown to its sender, the public (once published) and staff.
#[derive(Debug, Clone)]
pub struct PetitionView {
    code: String,
    version: i64,
    status: &'static str,
    agency: String,
    class_key: String,
    about: String,
    title: String,
    content: String,
    received: String,
    answer_due: String,
    rejected: Option<String>,
    rounds: Vec<RoundView>,
    awaiting_reply: bool,
    answer: Option<String>,
    answered: String,
    published: String,
    steps: Vec<StepView>,
}

fn step_key(step: PetitionStep) -> String {
    format!("portal.petition.step.{}", step.as_str())
}

async fn view(state: &AppState, t: &Tr, p: &Petition) -> PetitionView {
    let s = &p.submission;
    let about = match &s.about {
        PetitionAbout::Procedure { code, name } => {
            format!("{} {code} — {name}", t.t("portal.petition.about.procedure"))
        }
        PetitionAbout::Officer { name } => {
            format!("{}: {name}", t.t("portal.petition.about.officer"))
        }
        PetitionAbout::Agency => t.t("portal.petition.about.agency").to_owned(),
    };
    let now = state.services.now();
    PetitionView {
        code: p.code().to_owned(),
        version: p.version,
        status: status_name(t, p.status),
        agency: agency_name(state, &s.agency).await,
        class_key: format!("portal.petition.class.{}", s.class.as_str()),
        about,
        title: s.title.clone(),
        content: s.content.clone(),
        received: t.datetime(&p.received_at),
        answer_due: t.datetime(&p.deadlines.answer_due),
        rejected: p.rejected.as_ref().map(|(r, _)| r.clone()),
        rounds: p
            .supplements
            .iter()
            .map(|r| RoundView {
                reasons: r.reasons.clone(),
                requested: t.datetime(&r.requested_at),
                reply: r.reply.clone().unwrap_or_default(),
                replied: t.opt_datetime(&r.replied_at),
            })
            .collect(),
        awaiting_reply: p.status == PetitionStatus::SupplementRequested,
        answer: p.answer.as_ref().map(|(a, _)| a.clone()),
        answered: t.opt_datetime(&p.answer.as_ref().map(|(_, at)| *at)),
        published: t.opt_datetime(&p.published_at),
        steps: p
            .steps(now)
            .into_iter()
            .map(|st| StepView {
                key: step_key(st.step),
                due: t.datetime(&st.due),
                done: t.opt_datetime(&st.done_at),
                punctuality_key: format!("portal.petition.punctuality.{}", st.punctuality.as_str()),
                late: matches!(
                    st.punctuality,
                    motcua_domain::petition::Punctuality::Late
                        | motcua_domain::petition::Punctuality::Overdue
                ),
            })
            .collect(),
    }
}

/// The sender's view of a petition, by its code.
#[derive(Template)]
#[template(path = "portal/petition_show.html")]
pub struct PetitionShowPage {
    chrome: Chrome,
    csrf: String,
    p: PetitionView,
    new: bool,
    replied: bool,
    reply: String,
    errors: FormErrors,
}

/// The markers of a petition page after sending or replying.
#[derive(Deserialize)]
pub struct ShowQuery {
    moi: Option<String>,
    #[serde(rename = "da-bo-sung")]
    replied: Option<String>,
}

/// `GET /phan-anh/ma/{code}`: whoever holds the code sees the petition and its answer
/// (never the sender's contact details).
pub async fn show(
    State(state): State<AppState>,
    chrome: Chrome,
    csrf: CsrfToken,
    Path(code): Path<String>,
    Query(query): Query<ShowQuery>,
) -> Result<Response, PageError> {
    let p = match state.services.petition_by_code(&code).await {
        Ok(p) => p,
        Err(ServiceError::Store(motcua_storage::StoreError::NotFound { .. })) => {
            return Err(not_found(&code));
        }
        Err(e) => return Err(e.into()),
    };
    let t = chrome.t;
    let html = render(&PetitionShowPage {
        csrf: csrf.value().to_owned(),
        p: view(&state, &t, &p).await,
        new: query.moi.is_some(),
        replied: query.replied.is_some(),
        reply: String::new(),
        errors: FormErrors::default(),
        chrome,
    })?;
    Ok(private(StatusCode::OK, Some(csrf), html))
}

/// The reply form.
#[derive(Deserialize)]
pub struct ReplyForm {
    #[serde(default)]
    text: String,
}

/// `POST /phan-anh/ma/{code}/bo-sung`: the sender gives the information asked for.
pub async fn reply(
    State(state): State<AppState>,
    chrome: Chrome,
    MaybeUser(user): MaybeUser,
    csrf: CsrfToken,
    headers: HeaderMap,
    Path(code): Path<String>,
    CsrfForm(form): CsrfForm<ReplyForm>,
) -> Result<Response, PageError> {
    let t = chrome.t;
    let acting: Acting = match &user {
        Some(user) => user.acting.clone(),
        None => public_acting(request_id(&headers)),
    };
    let mut errors = FormErrors::default();
    if form.text.trim().is_empty() {
        errors.push("text", t.t("portal.petition.error.reply"));
    } else {
        match state
            .services
            .provide_petition_supplement(&acting, &code, &form.text)
            .await
        {
            Ok(p) => {
                return Ok(
                    Redirect::to(&format!("/phan-anh/ma/{}?da-bo-sung=1", p.code()))
                        .into_response(),
                );
            }
            Err(ServiceError::Store(motcua_storage::StoreError::NotFound { .. })) => {
                return Err(not_found(&code));
            }
            Err(e) => match form_message(t.lang, &e) {
                Some(m) => errors.push("", m),
                None => return Err(e.into()),
            },
        }
    }
    let p = state.services.petition_by_code(&code).await?;
    let html = render(&PetitionShowPage {
        csrf: csrf.value().to_owned(),
        p: view(&state, &t, &p).await,
        new: false,
        replied: false,
        reply: form.text,
        errors,
        chrome,
    })?;
    Ok(private(StatusCode::UNPROCESSABLE_ENTITY, Some(csrf), html))
}

/// The lookup form.
#[derive(Template)]
#[template(path = "portal/petition_lookup.html")]
pub struct PetitionLookupPage {
    chrome: Chrome,
    code: String,
    errors: FormErrors,
}

/// The code typed in the lookup form.
#[derive(Deserialize)]
pub struct LookupQuery {
    ma: Option<String>,
}

/// `GET /phan-anh/tra-cuu?ma=…`: finds a petition by its code.
pub async fn lookup(
    State(state): State<AppState>,
    chrome: Chrome,
    Query(query): Query<LookupQuery>,
) -> Result<Response, PageError> {
    let code = query.ma.unwrap_or_default().trim().to_uppercase();
    let mut errors = FormErrors::default();
    let mut status = StatusCode::OK;
    if !code.is_empty() {
        match state.services.petition_by_code(&code).await {
            Ok(p) => return Ok(Redirect::to(&format!("/phan-anh/ma/{}", p.code())).into_response()),
            Err(ServiceError::Store(motcua_storage::StoreError::NotFound { .. })) => {
                errors.push("ma", chrome.t.t("portal.petition.not_found"));
                status = StatusCode::NOT_FOUND;
            }
            Err(e) => return Err(e.into()),
        }
    }
    let html = render(&PetitionLookupPage {
        code,
        errors,
        chrome,
    })?;
    Ok(private(status, None, html))
}

/// A row of a list of petitions.
#[derive(Debug, Clone)]
pub struct PetitionRow {
    code: String,
    title: String,
    agency: String,
    class_key: String,
    status: &'static str,
    received: String,
    answer_due: String,
    late: bool,
}

async fn rows(state: &AppState, t: &Tr, list: &[Petition]) -> Vec<PetitionRow> {
    let now = state.services.now();
    let mut out = Vec::with_capacity(list.len());
    for p in list {
        out.push(PetitionRow {
            code: p.code().to_owned(),
            title: p.submission.title.clone(),
            agency: agency_name(state, &p.submission.agency).await,
            class_key: format!("portal.petition.class.{}", p.submission.class.as_str()),
            status: status_name(t, p.status),
            received: t.datetime(&p.received_at),
            answer_due: t.datetime(&p.deadlines.answer_due),
            late: !p.on_time(now),
        });
    }
    out
}

/// "My petitions".
#[derive(Template)]
#[template(path = "portal/petitions_mine.html")]
pub struct PetitionsMinePage {
    chrome: Chrome,
    rows: Vec<PetitionRow>,
    pager: Pager,
}

/// Which page of a list (and, for staff, which status).
#[derive(Deserialize)]
pub struct PageQuery {
    trang: Option<String>,
    trang_thai: Option<String>,
}

/// `GET /phan-anh/cua-toi`
pub async fn mine(
    State(state): State<AppState>,
    chrome: Chrome,
    user: CurrentUser,
    Query(query): Query<PageQuery>,
) -> Result<Response, PageError> {
    let page = page_number(query.trang.as_deref())?;
    let (list, total) = state
        .services
        .petitions_of(
            &user.acting,
            &[],
            i64::from(PAGE_SIZE),
            i64::from(page - 1) * i64::from(PAGE_SIZE),
        )
        .await?;
    let t = chrome.t;
    let html = render(&PetitionsMinePage {
        rows: rows(&state, &t, &list).await,
        pager: Pager::new(
            "/phan-anh/cua-toi?",
            page,
            u64::try_from(total).unwrap_or(0),
            PAGE_SIZE,
        ),
        chrome,
    })?;
    Ok(private(StatusCode::OK, None, html))
}

/// The published answers.
#[derive(Template)]
#[template(path = "portal/petitions_public.html")]
pub struct PetitionsPublicPage {
    chrome: Chrome,
    items: Vec<PetitionView>,
    total: String,
    pager: Pager,
}

/// `GET /phan-anh/cong-khai?trang=…`: every published answer, most recent first.
pub async fn public(
    State(state): State<AppState>,
    chrome: Chrome,
    Query(query): Query<PageQuery>,
) -> Result<Response, PageError> {
    let page = page_number(query.trang.as_deref())?;
    let (list, total) = state
        .services
        .published_petitions(
            i64::from(PAGE_SIZE),
            i64::from(page - 1) * i64::from(PAGE_SIZE),
        )
        .await?;
    let t = chrome.t;
    let mut items = Vec::with_capacity(list.len());
    for p in &list {
        items.push(view(&state, &t, p).await);
    }
    let total = u64::try_from(total).unwrap_or(0);
    let html = render(&PetitionsPublicPage {
        items,
        total: t.num(total),
        pager: Pager::new("/phan-anh/cong-khai?", page, total, PAGE_SIZE),
        chrome,
    })?;
    Ok(html.into_response())
}

/// A status filter option.
#[derive(Debug, Clone)]
pub struct StatusOption {
    value: &'static str,
    label: &'static str,
    selected: bool,
}

/// The staff list of an agency's petitions.
#[derive(Template)]
#[template(path = "portal/staff_petitions.html")]
pub struct StaffListPage {
    chrome: Chrome,
    rows: Vec<PetitionRow>,
    total: String,
    statuses: Vec<StatusOption>,
    pager: Pager,
}

/// `GET /can-bo/phan-anh?trang_thai=…&trang=…`: the petitions addressed to the staff
/// member's agency, oldest deadline first.
pub async fn staff_list(
    State(state): State<AppState>,
    chrome: Chrome,
    staff: Staff,
    Query(query): Query<PageQuery>,
) -> Result<Response, PageError> {
    let page = page_number(query.trang.as_deref())?;
    let status = match query.trang_thai.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(s) => Some(PetitionStatus::parse(s).ok_or_else(|| {
            PageError(AppError::invalid(
                "trang_thai",
                "trạng thái không hợp lệ",
                "the status is invalid",
            ))
        })?),
    };
    let statuses: Vec<PetitionStatus> = status.into_iter().collect();
    let (list, total) = state
        .services
        .agency_petitions(
            &staff.acting,
            &statuses,
            i64::from(PAGE_SIZE),
            i64::from(page - 1) * i64::from(PAGE_SIZE),
        )
        .await?;
    let t = chrome.t;
    let total = u64::try_from(total).unwrap_or(0);
    let base = match status {
        Some(s) => format!("/can-bo/phan-anh?trang_thai={}&", s.as_str()),
        None => "/can-bo/phan-anh?".to_owned(),
    };
    let html = render(&StaffListPage {
        rows: rows(&state, &t, &list).await,
        total: t.num(total),
        statuses: PetitionStatus::ALL
            .iter()
            .map(|s| StatusOption {
                value: s.as_str(),
                label: status_name(&t, *s),
                selected: status == Some(*s),
            })
            .collect(),
        pager: Pager::new(&base, page, total, PAGE_SIZE),
        chrome,
    })?;
    Ok(private(StatusCode::OK, None, html))
}

/// A petition as staff see it: with the sender's contact details and the forms to act.
#[derive(Template)]
#[template(path = "portal/staff_petition.html")]
pub struct StaffShowPage {
    chrome: Chrome,
    csrf: String,
    p: PetitionView,
    contact: PetitionContact,
    can_reject: bool,
    can_ask: bool,
    can_answer: bool,
    can_publish: bool,
    text: String,
    errors: FormErrors,
    saved: bool,
}

fn staff_page(
    chrome: Chrome,
    csrf: &str,
    p: &Petition,
    view: PetitionView,
    text: String,
    errors: FormErrors,
    saved: bool,
) -> StaffShowPage {
    use PetitionStatus::*;
    StaffShowPage {
        csrf: csrf.to_owned(),
        contact: p.submission.contact.clone(),
        can_reject: p.status == Received,
        can_ask: matches!(p.status, Received | SupplementProvided),
        can_answer: matches!(
            p.status,
            Received | SupplementRequested | SupplementProvided
        ),
        can_publish: p.status == Answered,
        p: view,
        text,
        errors,
        saved,
        chrome,
    }
}

/// The "saved" marker of a redirect after a save.
#[derive(Deserialize)]
pub struct SavedQuery {
    #[serde(rename = "da-luu")]
    saved: Option<String>,
}

/// `GET /can-bo/phan-anh/{code}`: out of the staff member's scope, 404.
pub async fn staff_show(
    State(state): State<AppState>,
    chrome: Chrome,
    staff: Staff,
    Path(code): Path<String>,
    Query(query): Query<SavedQuery>,
) -> Result<Response, PageError> {
    let p = state
        .services
        .petition_for_staff(&staff.acting, &code)
        .await?;
    let t = chrome.t;
    let v = view(&state, &t, &p).await;
    let page = staff_page(
        chrome,
        staff.csrf(),
        &p,
        v,
        String::new(),
        FormErrors::default(),
        query.saved.is_some(),
    );
    Ok(private(StatusCode::OK, None, render(&page)?))
}

/// The staff form: what to do, the text, and the version shown.
#[derive(Deserialize)]
pub struct StaffForm {
    #[serde(default)]
    action: String,
    #[serde(default)]
    text: String,
    version: Option<i64>,
}

/// `POST /can-bo/phan-anh/{code}`: reject, ask for more information, answer or publish.
pub async fn staff_act(
    State(state): State<AppState>,
    chrome: Chrome,
    staff: Staff,
    Path(code): Path<String>,
    CsrfForm(form): CsrfForm<StaffForm>,
) -> Result<Response, PageError> {
    let t = chrome.t;
    let text = form.text.clone();
    let command = match form.action.as_str() {
        "reject" => PetitionCommand::Reject { reasons: text },
        "ask" => PetitionCommand::RequestSupplement { reasons: text },
        "answer" => PetitionCommand::Answer { answer: text },
        "publish" => PetitionCommand::Publish,
        _ => {
            return Err(PageError(AppError::invalid(
                "action",
                "thao tác không hợp lệ",
                "the action is invalid",
            )));
        }
    };
    let mut errors = FormErrors::default();
    match state
        .services
        .act_on_petition(&staff.acting, &code, command, form.version)
        .await
    {
        Ok(p) => {
            return Ok(
                Redirect::to(&format!("/can-bo/phan-anh/{}?da-luu=1", p.code())).into_response(),
            );
        }
        Err(e) => match form_message(t.lang, &e) {
            Some(m) => errors.push("text", m),
            None => return Err(e.into()),
        },
    }
    let p = state
        .services
        .petition_for_staff(&staff.acting, &code)
        .await?;
    let v = view(&state, &t, &p).await;
    let page = staff_page(chrome, staff.csrf(), &p, v, form.text, errors, false);
    Ok(private(
        StatusCode::UNPROCESSABLE_ENTITY,
        None,
        render(&page)?,
    ))
}
