//! `/can-bo/tiep-nhan`: a dossier brought to the desk in person or by post.
//!
//! Three steps on one page, each a plain form so nothing needs JavaScript: search the
//! procedure (GET), look the applicant up by personal ID or tax code (GET: name and contacts
//! from their latest dossier in the officer's scope), then tick the components received
//! with their originals and copies and choose: receive (Form 01), give the one-time written
//! guidance (Form 02) or refuse (Form 03) — one transaction each (`Services::desk_intake`).

use askama::Template;
use std::collections::BTreeMap;

use axum::extract::{FromRequest as _, Multipart, Query, Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use motcua_domain::authz::{Action, role_allows};
use motcua_domain::catalog::Procedure;
use motcua_domain::dossier::{Applicant, ApplicantId, Component, name_with_counts};
use motcua_domain::event::Channel;
use motcua_domain::ids::{PersonalId, TaxCode};
use motcua_service::ServiceError;
use motcua_service::dossiers::NewDossier;
use motcua_service::files::Upload;
use motcua_service::office::{IntakeDecision, procedure_ref};
use serde::Deserialize;

use super::{Fields, OfficeNav, field_message, field_problem, private, view};
use crate::AppState;
use crate::auth::{CsrfForm, Staff};
use crate::error::{AppError, PageError};
use crate::i18n::Tr;
use crate::ui::account::FormErrors;
use crate::ui::documents::StoreChoice;
use crate::ui::{Chrome, render};

/// Extra rows for components the catalogue does not list.
const EXTRA_ROWS: usize = 2;

/// Largest count of originals or copies of one component.
const MAX_COUNT: u32 = 99;

/// The query of the intake page.
#[derive(Debug, Deserialize, Default)]
pub struct IntakeQuery {
    q: Option<String>,
    #[serde(rename = "thu-tuc")]
    procedure: Option<String>,
    so: Option<String>,
}

/// A procedure found by the search.
#[derive(Debug)]
pub struct Found {
    code: String,
    name: String,
}

/// One component row of the form.
#[derive(Debug, Clone)]
pub struct ComponentRow {
    /// Field-name prefix (`c0`, `x1`…).
    id: String,
    /// Name (free text for extra rows).
    name: String,
    /// Whether the catalogue requires it.
    required: bool,
    /// Ticked as received.
    ticked: bool,
    originals: String,
    copies: String,
    /// The data store item chosen for it (a file's SHA-256), if any.
    reuse: String,
    /// An extra row, whose name the officer types.
    extra: bool,
}

/// The chosen procedure as the form shows it.
#[derive(Debug)]
pub struct ChosenProcedure {
    code: String,
    name: String,
    limit: String,
}

/// What the applicant lookup found.
#[derive(Debug)]
pub enum Lookup {
    /// Nothing asked.
    None,
    /// Found in an earlier dossier.
    Found,
    /// No earlier dossier in scope.
    Unknown,
}

/// The values of the intake form.
#[derive(Debug, Default)]
pub struct IntakeForm {
    personal_id: String,
    tax_code: String,
    name: String,
    phone: String,
    email: String,
    address: String,
    channel: String,
    reasons: String,
    components: Vec<ComponentRow>,
}

/// The intake page.
#[derive(Template)]
#[template(path = "office/intake.html")]
pub struct IntakePage {
    chrome: Chrome,
    nav: OfficeNav,
    csrf: String,
    q: String,
    results: Vec<Found>,
    searched: bool,
    procedure: Option<ChosenProcedure>,
    so: String,
    lookup: Lookup,
    form: IntakeForm,
    errors: FormErrors,
    /// The applicant's data store within the officer's reach, to reuse instead of scanning.
    store: Vec<StoreChoice>,
}

/// The applicant's data store as choices (empty for an applicant not yet known).
async fn store_choices(
    state: &AppState,
    t: Tr,
    staff: &Staff,
    id: &ApplicantId,
) -> Result<Vec<StoreChoice>, PageError> {
    Ok(state
        .services
        .data_store(&staff.acting, id)
        .await?
        .into_iter()
        .map(|item| StoreChoice::of(&t, item))
        .collect())
}

impl IntakePage {
    /// Whether field `name` has an error (for `aria-invalid`).
    fn invalid(&self, name: &str) -> bool {
        self.errors.get(name).is_some()
    }
}

fn component_rows(procedure: &Procedure) -> Vec<ComponentRow> {
    let mut rows: Vec<ComponentRow> = procedure
        .components
        .iter()
        .enumerate()
        .map(|(i, c)| ComponentRow {
            id: format!("c{i}"),
            name: c.name.clone(),
            required: c.required,
            ticked: false,
            originals: c.originals.to_string(),
            copies: c.copies.to_string(),
            reuse: String::new(),
            extra: false,
        })
        .collect();
    rows.extend((0..EXTRA_ROWS).map(|i| ComponentRow {
        id: format!("x{i}"),
        name: String::new(),
        required: false,
        ticked: false,
        originals: "1".into(),
        copies: "0".into(),
        reuse: String::new(),
        extra: true,
    }));
    rows
}

fn chosen(t: Tr, procedure: &Procedure) -> ChosenProcedure {
    ChosenProcedure {
        code: procedure.code.to_string(),
        name: procedure.name.clone(),
        limit: procedure
            .effective_time_limit()
            .map_or_else(|| "—".to_owned(), |l| view::limit(t, &l)),
    }
}

/// A personal ID (12 digits) or else a tax code, as typed in the lookup box.
fn parse_number(text: &str) -> Result<ApplicantId, String> {
    let text = text.trim();
    if text.len() == 12 && text.bytes().all(|b| b.is_ascii_digit()) {
        text.parse::<PersonalId>()
            .map(ApplicantId::Person)
            .map_err(|e| field_problem("office.field.lookup", &e.to_string()))
    } else {
        text.parse::<TaxCode>()
            .map(ApplicantId::Organisation)
            .map_err(|e| field_problem("office.field.lookup", &e.to_string()))
    }
}

/// Only those who receive dossiers use the desk.
fn require_desk(staff: &Staff) -> Result<(), PageError> {
    if role_allows(staff.account().role, Action::ReceiveDossier) {
        Ok(())
    } else {
        Err(PageError(AppError::Forbidden(
            "trang tiếp nhận dành cho cán bộ tiếp nhận hồ sơ / the intake desk is for desk officers"
                .into(),
        )))
    }
}

/// `GET /can-bo/tiep-nhan`.
pub async fn page(
    State(state): State<AppState>,
    chrome: Chrome,
    staff: Staff,
    Query(query): Query<IntakeQuery>,
) -> Result<Response, PageError> {
    require_desk(&staff)?;
    let q = query.q.unwrap_or_default().trim().to_owned();
    let results = if q.is_empty() {
        Vec::new()
    } else {
        state
            .services
            .search_procedures(&q, 20)
            .await?
            .into_iter()
            .map(|(p, _)| Found {
                code: p.code.to_string(),
                name: p.name,
            })
            .collect()
    };
    let mut errors = FormErrors::default();
    let mut form = IntakeForm {
        channel: "desk".into(),
        ..IntakeForm::default()
    };
    let mut procedure = None;
    if let Some(code) = query
        .procedure
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty())
    {
        match state.services.procedure_in_force(code).await {
            Ok(p) => {
                form.components = component_rows(&p);
                procedure = Some(chosen(chrome.t, &p));
            }
            Err(ServiceError::Invalid(_)) => errors.push(
                "q",
                field_message("office.field.procedure", "office.error.procedure_unknown"),
            ),
            Err(e) => return Err(e.into()),
        }
    }
    let so = query.so.unwrap_or_default().trim().to_owned();
    let mut lookup = Lookup::None;
    let mut store = Vec::new();
    if !so.is_empty() {
        match parse_number(&so) {
            Err(message) => errors.push("so", message),
            Ok(id) => {
                match &id {
                    ApplicantId::Person(p) => form.personal_id = p.to_string(),
                    ApplicantId::Organisation(t) => form.tax_code = t.to_string(),
                }
                store = store_choices(&state, chrome.t, &staff, &id).await?;
                match state.services.desk_applicant(&staff.acting, &id).await? {
                    Some(known) => {
                        lookup = Lookup::Found;
                        form.name = known.name;
                        form.phone = known.phone.unwrap_or_default();
                        form.email = known.email.unwrap_or_default();
                        form.address = known.address.unwrap_or_default();
                    }
                    None => lookup = Lookup::Unknown,
                }
            }
        }
    }
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let html = render(&IntakePage {
        nav: OfficeNav::of(&staff),
        csrf: staff.csrf().to_owned(),
        searched: !q.is_empty(),
        q,
        results,
        procedure,
        so,
        lookup,
        form,
        errors,
        store,
        chrome,
    })?;
    Ok(private(status, html))
}

/// A count of originals or copies; empty is 0.
fn count(text: &str) -> Option<u32> {
    if text.is_empty() {
        return Some(0);
    }
    text.parse::<u32>().ok().filter(|n| *n <= MAX_COUNT)
}

/// Reads the form; problems go to `errors`, by field.
fn read_form(fields: &Fields, procedure: &Procedure, errors: &mut FormErrors) -> IntakeForm {
    let mut components = component_rows(procedure);
    for row in &mut components {
        let id = row.id.clone();
        row.ticked = fields.has(&id) || (row.extra && fields.has(&format!("{id}-name")));
        if row.extra {
            row.name = fields.get(&format!("{id}-name")).to_owned();
        }
        row.originals = fields.get(&format!("{id}-o")).to_owned();
        row.copies = fields.get(&format!("{id}-c")).to_owned();
        row.reuse = fields.get(&format!("{id}-r")).to_owned();
        if row.ticked {
            if count(&row.originals).is_none() {
                errors.push(
                    &format!("{id}-o"),
                    format!(
                        "{} — {}",
                        row.name,
                        field_message("office.field.originals", "office.error.count")
                    ),
                );
            }
            if count(&row.copies).is_none() {
                errors.push(
                    &format!("{id}-c"),
                    format!(
                        "{} — {}",
                        row.name,
                        field_message("office.field.copies", "office.error.count")
                    ),
                );
            }
        }
    }
    IntakeForm {
        personal_id: fields.get("personal_id").to_owned(),
        tax_code: fields.get("tax_code").to_owned(),
        name: fields.get("name").to_owned(),
        phone: fields.get("phone").to_owned(),
        email: fields.get("email").to_owned(),
        address: fields.get("address").to_owned(),
        channel: fields.get("channel").to_owned(),
        reasons: fields.get("reasons").to_owned(),
        components,
    }
}

/// The applicant of the form, or the problems with its fields.
fn applicant(form: &IntakeForm, errors: &mut FormErrors) -> Option<Applicant> {
    let id = if !form.personal_id.is_empty() {
        match form.personal_id.parse::<PersonalId>() {
            Ok(id) => Some(ApplicantId::Person(id)),
            Err(e) => {
                errors.push(
                    "personal_id",
                    field_problem("office.field.personal_id", &e.to_string()),
                );
                None
            }
        }
    } else if !form.tax_code.is_empty() {
        match form.tax_code.parse::<TaxCode>() {
            Ok(tax) => Some(ApplicantId::Organisation(tax)),
            Err(e) => {
                errors.push(
                    "tax_code",
                    field_problem("office.field.tax_code", &e.to_string()),
                );
                None
            }
        }
    } else {
        errors.push(
            "personal_id",
            field_message("office.field.personal_id", "office.error.id_required"),
        );
        None
    };
    if form.name.is_empty() {
        errors.push(
            "name",
            field_message("office.field.name", "office.error.required"),
        );
    }
    let phone_digits = form.phone.chars().filter(char::is_ascii_digit).count();
    let phone_ok = form
        .phone
        .chars()
        .all(|c| c.is_ascii_digit() || " .+-".contains(c));
    if !form.phone.is_empty() && (!phone_ok || !(9..=12).contains(&phone_digits)) {
        errors.push(
            "phone",
            field_message("office.field.phone", "office.error.phone"),
        );
    }
    if !form.email.is_empty() && !form.email.contains('@') {
        errors.push(
            "email",
            field_message("office.field.email", "office.error.email"),
        );
    }
    let optional = |s: &str| (!s.is_empty()).then(|| s.to_owned());
    Some(Applicant {
        id: id?,
        name: form.name.clone(),
        phone: optional(&form.phone),
        email: optional(&form.email),
        address: optional(&form.address),
    })
}

/// The components ticked as received, with their counts in the name: each with its scan
/// (stored now: the dossier is digitized at the desk, 766 indicator 4.2) or the document of
/// the applicant's data store the officer reused instead (4.3). Problems go to `errors`.
async fn components(
    state: &AppState,
    staff: &Staff,
    form: &IntakeForm,
    applicant: Option<&ApplicantId>,
    uploads: &mut BTreeMap<String, Upload>,
    errors: &mut FormErrors,
) -> Result<Vec<Component>, PageError> {
    let mut out = Vec::new();
    for row in form
        .components
        .iter()
        .filter(|r| r.ticked && !r.name.is_empty())
    {
        let mut files = Vec::new();
        let mut reused = false;
        if let Some(upload) = uploads.remove(&format!("{}-f", row.id)) {
            match state.services.store_upload(&row.name, upload).await {
                Ok(file) => files.push(file),
                Err(ServiceError::Invalid(message)) => {
                    errors.push(&format!("{}-f", row.id), message);
                }
                Err(e) => return Err(e.into()),
            }
        } else if let (false, Some(id)) = (row.reuse.is_empty(), applicant) {
            match state
                .services
                .data_store_item(&staff.acting, id, &row.reuse)
                .await
            {
                Ok(item) => {
                    files.push(item.file);
                    reused = true;
                }
                Err(ServiceError::Store(motcua_storage::StoreError::NotFound { what })) => {
                    errors.push(&format!("{}-r", row.id), format!("{} — {what}", row.name));
                }
                Err(e) => return Err(e.into()),
            }
        }
        out.push(Component {
            name: name_with_counts(
                &row.name,
                count(&row.originals).unwrap_or(0),
                count(&row.copies).unwrap_or(0),
            ),
            has_file: !files.is_empty(),
            reused,
            from_data_store: false,
            files,
        });
    }
    Ok(out)
}

/// The fields and files of the intake form: multipart when it carries scans, else a plain
/// form (API-style clients and tests), each with its CSRF token checked.
async fn read_request(
    state: &AppState,
    staff: &Staff,
    request: Request,
) -> Result<(Fields, BTreeMap<String, Upload>), Response> {
    let multipart = request
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/form-data"));
    if multipart {
        let body = Multipart::from_request(request, state).await.map_err(|e| {
            PageError(AppError::Invalid {
                message: format!(
                    "không đọc được biểu mẫu / the form could not be read: {}",
                    e.body_text()
                ),
                field: None,
            })
            .into_response()
        })?;
        let form = crate::ui::portal::upload::read(body)
            .await
            .map_err(IntoResponse::into_response)?;
        form.verify_csrf(staff)
            .map_err(IntoResponse::into_response)?;
        Ok((Fields::new(form.fields.into_iter().collect()), form.files))
    } else {
        let CsrfForm(pairs) = CsrfForm::<Vec<(String, String)>>::from_request(request, state)
            .await
            .map_err(IntoResponse::into_response)?;
        Ok((Fields::new(pairs), BTreeMap::new()))
    }
}

/// `POST /can-bo/tiep-nhan`.
pub async fn submit(
    State(state): State<AppState>,
    chrome: Chrome,
    staff: Staff,
    request: Request,
) -> Result<Response, PageError> {
    require_desk(&staff)?;
    let (fields, mut uploads) = match read_request(&state, &staff, request).await {
        Ok(read) => read,
        Err(refused) => return Ok(refused),
    };
    let code = fields.get("procedure");
    let procedure = match state.services.procedure_in_force(code).await {
        Ok(p) => p,
        Err(ServiceError::Invalid(_)) => {
            return Err(PageError(AppError::invalid(
                "procedure",
                "hãy chọn một thủ tục đang có hiệu lực",
                "choose a procedure in force",
            )));
        }
        Err(e) => return Err(e.into()),
    };
    let mut errors = FormErrors::default();
    let form = read_form(&fields, &procedure, &mut errors);
    let applicant = applicant(&form, &mut errors);
    let channel = match form.channel.as_str() {
        "desk" => Some(Channel::Desk),
        "post" => Some(Channel::Post),
        _ => {
            errors.push(
                "channel-desk",
                field_message("office.field.channel", "office.error.choice"),
            );
            None
        }
    };
    let components = components(
        &state,
        &staff,
        &form,
        applicant.as_ref().map(|a| &a.id),
        &mut uploads,
        &mut errors,
    )
    .await?;
    let decision = match fields.get("action") {
        "receive" => {
            if components.is_empty() {
                errors.push(
                    "components",
                    field_message("office.field.components", "office.error.components"),
                );
            }
            Some(IntakeDecision::Receive)
        }
        "guide" | "refuse" if form.reasons.is_empty() => {
            errors.push(
                "reasons",
                field_message("office.field.reasons", "office.error.required"),
            );
            None
        }
        "guide" => Some(IntakeDecision::Guide {
            reasons: form.reasons.clone(),
        }),
        "refuse" => Some(IntakeDecision::Refuse {
            reasons: form.reasons.clone(),
        }),
        _ => {
            errors.push(
                "",
                field_message("office.field.action", "office.error.choice"),
            );
            None
        }
    };
    // The store the form offers again if it comes back with errors.
    let store_id = applicant.as_ref().map(|a| a.id.clone());
    let agency = staff.account().agency.clone();
    if let (true, Some(applicant), Some(channel), Some(decision), Some(agency)) =
        (errors.is_empty(), applicant, channel, decision, agency)
    {
        let slip = match &decision {
            IntakeDecision::Receive => "mau-01",
            IntakeDecision::Guide { .. } => "mau-02",
            IntakeDecision::Refuse { .. } => "mau-03",
        };
        let new = NewDossier {
            agency,
            procedure: procedure_ref(&procedure),
            applicant,
            channel,
            components,
            eid_verified: false,
        };
        // A dossier that came by post is recorded as received through the post.
        let mut acting = staff.acting.clone();
        acting.channel = channel;
        match state.services.desk_intake(&acting, new, decision).await {
            Ok(dossier) => {
                return Ok(
                    Redirect::to(&format!("/can-bo/ho-so/{}/{slip}", dossier.code()))
                        .into_response(),
                );
            }
            Err(ServiceError::Invalid(message) | ServiceError::Refused(message)) => {
                errors.push("", message);
            }
            Err(e) => return Err(e.into()),
        }
    } else if errors.is_empty() {
        // Every field was fine but the account has no agency to receive for.
        return Err(PageError(AppError::Forbidden(
            "tài khoản không thuộc cơ quan nào / the account belongs to no agency".into(),
        )));
    }
    let store = match store_id {
        Some(id) => store_choices(&state, chrome.t, &staff, &id).await?,
        None => Vec::new(),
    };
    let html = render(&IntakePage {
        store,
        nav: OfficeNav::of(&staff),
        csrf: staff.csrf().to_owned(),
        q: String::new(),
        results: Vec::new(),
        searched: false,
        procedure: Some(chosen(chrome.t, &procedure)),
        so: String::new(),
        lookup: Lookup::None,
        form,
        errors,
        chrome,
    })?;
    Ok(private(StatusCode::UNPROCESSABLE_ENTITY, html))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_lookup_box_takes_either_number() {
        assert!(matches!(
            parse_number("001099012345"),
            Ok(ApplicantId::Person(_))
        ));
        let error = parse_number("12345").unwrap_err();
        assert!(
            error.contains("Số định danh") || error.contains("Mã số"),
            "{error}"
        );
        assert!(error.contains(" / "), "{error}");
    }
}
