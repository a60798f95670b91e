//! Online submission: the form (one upload per component), drafts saved and resumed, and
//! the submission itself, which leads to the printable receipt.
//!
//! Every post of the form saves the draft first — valid uploads included — so a form sent
//! back with an error keeps what was typed and every file accepted (a browser cannot
//! re-fill a file input); then, when the applicant pressed "submit" and nothing is wrong,
//! the draft becomes a dossier.

use std::collections::BTreeMap;

use askama::Template;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use motcua_domain::dossier::FileRef;
use motcua_domain::ids::PersonalId;
use motcua_service::ServiceError;
use motcua_service::accounts::Account;
use motcua_service::data_store::StoreItem;
use motcua_service::drafts::{Draft, DraftForm, SaveDraft, check_draft, component_field};
use motcua_service::portal::OnlineOffer;
use motcua_storage::StoreError;
use motcua_storage::accounts::AccountKind;
use serde::Deserialize;

use super::{form_message, private, upload};
use crate::AppState;
use crate::auth::{CsrfForm, CurrentUser};
use crate::error::{AppError, PageError};
use crate::i18n::{Lang, Tr};
use crate::ui::account::{FormErrors, in_language};
use crate::ui::documents::StoreChoice;
use crate::ui::{Chrome, render};

/// An agency the applicant may choose.
#[derive(Debug, Clone)]
pub struct AgencyChoice {
    code: String,
    name: String,
    selected: bool,
}

/// One component's upload field.
#[derive(Debug, Clone)]
pub struct ComponentField {
    field: String,
    number: usize,
    name: String,
    required: bool,
    originals: u32,
    copies: u32,
    kept: Option<String>,
}

/// The submission form (new or from a draft).
#[derive(Template)]
#[template(path = "portal/submit.html")]
pub struct SubmitPage {
    chrome: Chrome,
    csrf: String,
    procedure_code: String,
    procedure_name: String,
    draft_id: String,
    version: i64,
    applicant_number: String,
    business: bool,
    name: String,
    phone: String,
    email: String,
    address: String,
    agencies: Vec<AgencyChoice>,
    single_agency: Option<AgencyChoice>,
    components: Vec<ComponentField>,
    errors: FormErrors,
    saved: bool,
    max_mb: u64,
    /// The applicant's own data store, to take a component from instead of uploading it.
    store: Vec<StoreChoice>,
}

/// A size for people: `1,5 MB`, `850 kB`.
pub(crate) fn human_size(t: &Tr, size: u64) -> String {
    let text = if size >= 1024 * 1024 {
        format!("{:.1} MB", size as f64 / (1024.0 * 1024.0))
    } else {
        format!("{} kB", size.div_ceil(1024))
    };
    match t.lang {
        Lang::Vi => text.replace('.', ","),
        Lang::En => text,
    }
}

/// The applicant's number as shown: a personal ID masked (screens are seen), a tax code
/// as it is.
fn shown_number(account: &Account) -> String {
    match account.kind {
        AccountKind::Citizen => account
            .login
            .parse::<PersonalId>()
            .map_or_else(|_| account.login.clone(), |id| id.masked()),
        AccountKind::Business | AccountKind::Staff => account.login.clone(),
    }
}

struct FormState<'a> {
    offer: &'a OnlineOffer,
    account: &'a Account,
    draft_id: String,
    version: i64,
    form: DraftForm,
    files: BTreeMap<u32, FileRef>,
    errors: FormErrors,
    saved: bool,
    store: Vec<StoreItem>,
}

fn page(chrome: Chrome, csrf: &str, s: FormState<'_>) -> SubmitPage {
    let t = chrome.t;
    let agencies: Vec<AgencyChoice> = s
        .offer
        .agencies
        .iter()
        .map(|a| AgencyChoice {
            code: a.code.as_str().to_owned(),
            name: a.name.clone(),
            selected: a.code.as_str() == s.form.agency,
        })
        .collect();
    let single_agency = match agencies.as_slice() {
        [one] => Some(one.clone()),
        _ => None,
    };
    SubmitPage {
        csrf: csrf.to_owned(),
        procedure_code: s.offer.reference.code.clone(),
        procedure_name: s.offer.reference.name.clone(),
        draft_id: s.draft_id,
        version: s.version,
        applicant_number: shown_number(s.account),
        business: s.account.kind == AccountKind::Business,
        name: s.form.name,
        phone: s.form.phone,
        email: s.form.email,
        address: s.form.address,
        agencies,
        single_agency,
        components: s
            .offer
            .components
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let index = u32::try_from(i).unwrap_or(u32::MAX);
                ComponentField {
                    field: component_field(index),
                    number: i + 1,
                    name: c.name.clone(),
                    required: c.required,
                    originals: c.originals,
                    copies: c.copies,
                    kept: s
                        .files
                        .get(&index)
                        .map(|f| format!("{} ({})", f.name, human_size(&t, f.size))),
                }
            })
            .collect(),
        errors: s.errors,
        saved: s.saved,
        max_mb: motcua_service::files::MAX_FILE_BYTES / (1024 * 1024),
        store: s
            .store
            .into_iter()
            .map(|item| StoreChoice::of(&t, item))
            .collect(),
        chrome,
    }
}

/// `GET /thu-tuc/{code}/nop-truc-tuyen`: a new, pre-filled form.
pub async fn new_form(
    State(state): State<AppState>,
    chrome: Chrome,
    user: CurrentUser,
    Path(code): Path<String>,
) -> Result<Response, PageError> {
    let account = state.services.applicant_account(&user.acting).await?;
    let offer = offer(&state, &code).await?;
    let form = state.services.new_draft_form(&user.acting, &offer).await?;
    let html = render(&page(
        chrome,
        user.csrf(),
        FormState {
            offer: &offer,
            account: &account,
            draft_id: String::new(),
            version: 0,
            form,
            files: BTreeMap::new(),
            errors: FormErrors::default(),
            saved: false,
            store: state.services.own_data_store(&user.acting).await?,
        },
    ))?;
    Ok(private(StatusCode::OK, None, html))
}

async fn offer(state: &AppState, code: &str) -> Result<OnlineOffer, PageError> {
    state.services.offer_for(code).await.map_err(|e| match e {
        ServiceError::Invalid(m) => PageError(AppError::NotFound(m)),
        other => other.into(),
    })
}

/// The "saved" marker of a redirect after a save.
#[derive(Deserialize)]
pub struct SavedQuery {
    #[serde(rename = "da-luu")]
    saved: Option<String>,
}

/// `GET /ho-so-nhap/{id}`: a draft, resumed.
pub async fn resume(
    State(state): State<AppState>,
    chrome: Chrome,
    user: CurrentUser,
    Path(id): Path<String>,
    Query(query): Query<SavedQuery>,
) -> Result<Response, PageError> {
    let account = state.services.applicant_account(&user.acting).await?;
    let draft = state.services.draft_of(&user.acting, &id).await?;
    let offer = offer(&state, &draft.procedure_code).await?;
    let html = render(&page(
        chrome,
        user.csrf(),
        FormState {
            offer: &offer,
            account: &account,
            draft_id: draft.id,
            version: draft.version,
            form: draft.form,
            files: draft.files,
            errors: FormErrors::default(),
            saved: query.saved.is_some(),
            store: state.services.own_data_store(&user.acting).await?,
        },
    ))?;
    Ok(private(StatusCode::OK, None, html))
}

/// `POST /ho-so-nhap` (multipart): saves the draft, and submits it when asked to.
pub async fn save(
    State(state): State<AppState>,
    chrome: Chrome,
    user: CurrentUser,
    multipart: Multipart,
) -> Result<Response, PageError> {
    let mut form = upload::read(multipart).await?;
    form.verify_csrf(&user)?;
    let lang = chrome.t.lang;
    let account = state.services.applicant_account(&user.acting).await?;
    let offer = offer(&state, &form.text("procedure")).await?;
    let mut errors = FormErrors::default();

    // Uploads first: each is checked and stored on its own, and named in its message.
    let mut stored = BTreeMap::new();
    for (field, file) in std::mem::take(&mut form.files) {
        let index = field
            .strip_prefix("file-")
            .and_then(|i| i.parse::<u32>().ok())
            .filter(|i| (*i as usize) < offer.components.len());
        let Some(index) = index else {
            return Err(PageError(AppError::invalid(
                &field,
                "thủ tục không có thành phần này",
                "the procedure has no such component",
            )));
        };
        let component = &offer.components[index as usize].name;
        match state.services.store_upload(component, file).await {
            Ok(file) => {
                stored.insert(index, file);
            }
            Err(ServiceError::Invalid(message)) => {
                errors.push(&component_field(index), in_language(lang, &message));
            }
            Err(e) => return Err(e.into()),
        }
    }

    // A component taken from the applicant's own data store instead of an upload; the store
    // (up to 200 dossiers) is read only when some component asks for it.
    let mut store = None;
    for index in 0..offer.components.len() {
        let index = u32::try_from(index).unwrap_or(u32::MAX);
        let chosen = form.text(&format!("store-{index}"));
        if chosen.is_empty() || stored.contains_key(&index) {
            continue;
        }
        if store.is_none() {
            store = Some(state.services.own_data_store(&user.acting).await?);
        }
        match store.iter().flatten().find(|item| item.file.sha256 == chosen) {
            Some(item) => {
                stored.insert(index, item.file.clone());
            }
            None => errors.push(
                &component_field(index),
                in_language(
                    lang,
                    "không có giấy tờ này trong kho dữ liệu của bạn / your data store has no such document",
                ),
            ),
        }
    }

    let draft_form = DraftForm {
        name: form.text("name"),
        phone: form.text("phone"),
        email: form.text("email"),
        address: form.text("address"),
        agency: form.text("agency"),
    };
    let draft_id = Some(form.text("draft_id")).filter(|id| !id.is_empty());
    let version = form.text("version").parse::<i64>().unwrap_or(0);
    let saved = state
        .services
        .save_draft(
            &user.acting,
            SaveDraft {
                id: draft_id.clone(),
                expected_version: version,
                procedure_code: offer.reference.code.clone(),
                form: draft_form.clone(),
                files: stored.clone(),
            },
        )
        .await;
    let draft = match saved {
        Ok(draft) => draft,
        Err(e) => {
            let Some(message) = form_message(lang, &e) else {
                return Err(e.into());
            };
            errors.push("", message);
            let status = match e {
                ServiceError::Store(StoreError::Conflict { .. }) => StatusCode::CONFLICT,
                _ => StatusCode::UNPROCESSABLE_ENTITY,
            };
            let store = kept_or_read(&state, &user, store).await?;
            let html = render(&page(
                chrome,
                user.csrf(),
                FormState {
                    offer: &offer,
                    account: &account,
                    draft_id: draft_id.unwrap_or_default(),
                    version,
                    form: draft_form,
                    files: stored,
                    errors,
                    saved: false,
                    store,
                },
            ))?;
            return Ok(private(status, None, html));
        }
    };

    if form.text("action") == "submit" && errors.is_empty() {
        for p in check_draft(&draft, &offer) {
            errors.push(&p.field, if lang == Lang::Vi { p.vi } else { p.en });
        }
        if errors.is_empty() {
            match state
                .services
                .submit_draft(&user.acting, &draft.id, draft.version)
                .await
            {
                Ok(dossier) => {
                    return Ok(Redirect::to(&format!(
                        "/ho-so-cua-toi/{}/bien-nhan?moi=1",
                        dossier.code()
                    ))
                    .into_response());
                }
                Err(e) => match form_message(lang, &e) {
                    Some(message) => errors.push("", message),
                    None => return Err(e.into()),
                },
            }
        }
    }
    if errors.is_empty() {
        return Ok(Redirect::to(&format!("/ho-so-nhap/{}?da-luu=1", draft.id)).into_response());
    }
    let store = kept_or_read(&state, &user, store).await?;
    let html = render(&page(
        chrome,
        user.csrf(),
        FormState {
            offer: &offer,
            account: &account,
            draft_id: draft.id.clone(),
            version: draft.version,
            form: draft.form.clone(),
            files: draft.files.clone(),
            errors,
            saved: true,
            store,
        },
    ))?;
    Ok(private(StatusCode::UNPROCESSABLE_ENTITY, None, html))
}

/// The applicant's data store, as read already for this request or read now (the form
/// offers its documents again).
async fn kept_or_read(
    state: &AppState,
    user: &CurrentUser,
    kept: Option<Vec<StoreItem>>,
) -> Result<Vec<StoreItem>, PageError> {
    match kept {
        Some(store) => Ok(store),
        None => Ok(state.services.own_data_store(&user.acting).await?),
    }
}

/// A draft as listed.
#[derive(Debug, Clone)]
pub struct DraftRow {
    id: String,
    procedure: String,
    code: String,
    updated: String,
    files: usize,
}

/// "My drafts".
#[derive(Template)]
#[template(path = "portal/drafts.html")]
pub struct DraftsPage {
    chrome: Chrome,
    csrf: String,
    drafts: Vec<DraftRow>,
    deleted: bool,
}

/// The "deleted" marker of a redirect after a deletion.
#[derive(Deserialize)]
pub struct DeletedQuery {
    #[serde(rename = "da-xoa")]
    deleted: Option<String>,
}

/// `GET /ho-so-nhap`: my drafts.
pub async fn drafts(
    State(state): State<AppState>,
    chrome: Chrome,
    user: CurrentUser,
    Query(query): Query<DeletedQuery>,
) -> Result<Response, PageError> {
    let list: Vec<Draft> = state.services.drafts_of(&user.acting).await?;
    let mut rows = Vec::with_capacity(list.len());
    for d in list {
        let procedure = state
            .services
            .public_procedure(&d.procedure_code)
            .await?
            .map_or_else(|| d.procedure_code.clone(), |p| p.name);
        rows.push(DraftRow {
            updated: chrome.t.datetime(&d.updated_at),
            files: d.files.len(),
            procedure,
            code: d.procedure_code,
            id: d.id,
        });
    }
    let html = render(&DraftsPage {
        csrf: user.csrf().to_owned(),
        drafts: rows,
        deleted: query.deleted.is_some(),
        chrome,
    })?;
    Ok(private(StatusCode::OK, None, html))
}

/// A form with nothing but its CSRF token.
#[derive(Deserialize)]
pub struct Empty {}

/// `POST /ho-so-nhap/{id}/xoa`: deletes a draft.
pub async fn delete(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    CsrfForm(Empty {}): CsrfForm<Empty>,
) -> Result<Response, PageError> {
    state.services.delete_draft(&user.acting, &id).await?;
    Ok(Redirect::to("/ho-so-nhap?da-xoa=1").into_response())
}
