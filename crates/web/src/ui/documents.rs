//! Sealed documents in the browser: the public verification page `/xac-minh` (a code typed,
//! the QR code's address `/xac-minh/{code}`, or a file uploaded), the installation's root
//! certificate for openssl users, the documents section of a dossier's pages, and the
//! issuing agency's revocation.

use askama::Template;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use motcua_domain::document::{Document, DocumentKind, Verdict};
use motcua_service::ServiceError;
use motcua_service::documents::{Verification, VerifyChannel};
use serde::Deserialize;

use crate::AppState;
use crate::auth::{CsrfForm, CsrfToken, MaybeUser, SignedIn, Staff};
use crate::error::{AppError, PageError};
use crate::i18n::Tr;
use crate::ui::account::FormErrors;
use crate::ui::portal::mine::{FileLink, file_link};
use crate::ui::portal::private;
use crate::ui::{Chrome, render};

/// A document as a dossier's page lists it, for those who may read the dossier.
#[derive(Debug, Clone)]
pub struct DocumentView {
    /// Verification code.
    pub code: String,
    /// Title and number.
    pub title: String,
    /// When it was issued.
    pub issued: String,
    /// Who sealed it.
    pub signer: String,
    /// The PDF.
    pub pdf: FileLink,
    /// The seal.
    pub seal: FileLink,
    /// Its public verification page.
    pub verify_href: String,
    /// "Revoked on … : reason", if revoked.
    pub revoked: Option<String>,
    /// How many times it was checked, and when last.
    pub checks: String,
    /// For a certified copy: its register entry, pages, fee and certifier.
    pub certification: Option<String>,
}

/// A document of the applicant's data store as a choice of a form (desk intake, online
/// submission): its file's SHA-256, and what it is, from which dossier, when.
#[derive(Debug, Clone)]
pub struct StoreChoice {
    /// The file's SHA-256.
    pub(crate) value: String,
    /// As the list shows it.
    pub(crate) label: String,
}

impl StoreChoice {
    /// The choice of `item`.
    pub(crate) fn of(t: &Tr, item: motcua_service::data_store::StoreItem) -> StoreChoice {
        StoreChoice {
            label: format!(
                "{} — {} ({}, {}, {})",
                item.name,
                item.file.name,
                item.procedure,
                item.dossier,
                t.datetime(&item.at)
            ),
            value: item.file.sha256,
        }
    }
}

/// The documents of dossier `code` for a page under `base` (`/can-bo/ho-so` or
/// `/ho-so-cua-toi`), with how often each was checked.
pub(crate) async fn dossier_documents(
    state: &AppState,
    t: &Tr,
    acting: &motcua_service::Acting,
    base: &str,
    code: &motcua_domain::dossier::DossierCode,
) -> Result<Vec<DocumentView>, PageError> {
    let docs = state.services.dossier_documents(acting, code).await?;
    let mut views = Vec::with_capacity(docs.len());
    for doc in docs {
        let (rows, total) = state
            .services
            .document_verifications(acting, &doc.issue.code, 1)
            .await?;
        let checks = match rows.first() {
            Some(last) => format!(
                "{} ({} {})",
                t.num(u64::try_from(total).unwrap_or(0)),
                t.t("documents.last_check"),
                t.datetime(&last.verified_at)
            ),
            None => t.t("documents.never_checked").to_owned(),
        };
        views.push(view(t, base, &code.to_string(), &doc, checks));
    }
    Ok(views)
}

fn view(t: &Tr, base: &str, dossier: &str, doc: &Document, checks: String) -> DocumentView {
    let issue = &doc.issue;
    DocumentView {
        code: issue.code.clone(),
        title: match &issue.number {
            Some(n) => format!("{} — {} {n}", issue.title, t.t("documents.number")),
            None => issue.title.clone(),
        },
        issued: t.datetime(&doc.issued_at),
        signer: issue.signer.clone(),
        pdf: file_link(t, base, dossier, &issue.file),
        seal: file_link(t, base, dossier, &issue.seal),
        verify_href: format!("/xac-minh/{}", issue.code),
        revoked: doc
            .revocation
            .as_ref()
            .map(|r| format!("{} — {}", t.datetime(&r.at), r.reason)),
        checks,
        certification: issue.certification.as_ref().map(|c| {
            format!(
                "{}: {}, {} {} · {}: {} · {}: {} · {}: {}",
                t.t("documents.field.register"),
                c.register_number,
                t.t("documents.register_book"),
                c.register_book,
                t.t("documents.field.pages"),
                c.pages,
                t.t("documents.field.fee"),
                t.vnd(c.fee),
                t.t("documents.field.certifier"),
                c.certifier
            )
        }),
    }
}

/// What the verification page shows of a document: nothing about the person.
#[derive(Debug, Clone)]
pub struct CheckedView {
    code: String,
    kind: &'static str,
    title: String,
    agency: String,
    issued: String,
    signer: String,
    certificate: String,
    sha256: String,
}

/// The public verification page.
#[derive(Template)]
#[template(path = "portal/verify.html")]
pub struct VerifyPage {
    chrome: Chrome,
    csrf: String,
    code: String,
    errors: FormErrors,
    /// `genuine`, `revoked`, `not_genuine`, `unknown`, or empty before a check.
    verdict: &'static str,
    /// The catalogue key of the verdict's sentence.
    verdict_key: &'static str,
    /// The revocation or failure, as recorded.
    detail: String,
    found: Option<CheckedView>,
}

fn checked(t: &Tr, v: &Verification) -> (&'static str, String, Option<CheckedView>) {
    let detail = match &v.verdict {
        Verdict::Revoked { at, reason } => format!("{} — {reason}", t.datetime(at)),
        Verdict::NotGenuine { reason } => reason.clone(),
        Verdict::Genuine | Verdict::Unknown => String::new(),
    };
    let found = v.document.as_ref().map(|d| CheckedView {
        code: d.code.clone(),
        kind: match d.kind {
            DocumentKind::Result => "documents.kind.result",
            DocumentKind::CertifiedCopy => "documents.kind.certified_copy",
        },
        title: match &d.number {
            Some(n) => format!("{} — {} {n}", d.title, t.t("documents.number")),
            None => d.title.clone(),
        },
        agency: d.agency_name.clone(),
        issued: t.datetime(&d.issued_at),
        signer: d.signer.clone(),
        certificate: d.certificate.clone(),
        sha256: d.sha256.clone(),
    });
    (v.verdict.as_str(), detail, found)
}

fn page(chrome: Chrome, csrf: &CsrfToken, code: String) -> VerifyPage {
    VerifyPage {
        csrf: csrf.value().to_owned(),
        code,
        errors: FormErrors::default(),
        verdict: "",
        verdict_key: "",
        detail: String::new(),
        found: None,
        chrome,
    }
}

async fn answer(
    chrome: Chrome,
    csrf: CsrfToken,
    code: String,
    result: Result<Verification, ServiceError>,
    field: &str,
) -> Result<Response, PageError> {
    let mut page = page(chrome, &csrf, code);
    let status = match result {
        Ok(v) => {
            let (verdict, detail, found) = checked(&page.chrome.t, &v);
            page.verdict = verdict;
            page.verdict_key = match &v.verdict {
                Verdict::Genuine => "documents.verdict.genuine",
                Verdict::Revoked { .. } => "documents.verdict.revoked",
                Verdict::NotGenuine { .. } => "documents.verdict.not_genuine",
                Verdict::Unknown => "documents.verdict.unknown",
            };
            page.detail = detail;
            page.found = found;
            if v.document.is_some() {
                StatusCode::OK
            } else {
                StatusCode::NOT_FOUND
            }
        }
        Err(ServiceError::Invalid(message)) => {
            page.errors.push(field, message);
            StatusCode::UNPROCESSABLE_ENTITY
        }
        Err(e) => return Err(e.into()),
    };
    let html = render(&page)?;
    Ok(private(status, Some(csrf), html))
}

/// The query of `GET /xac-minh`.
#[derive(Deserialize)]
pub struct CodeQuery {
    #[serde(default)]
    ma: Option<String>,
}

/// `GET /xac-minh[?ma=CODE]`: the form, and the answer when a code is given.
pub async fn form(
    State(state): State<AppState>,
    chrome: Chrome,
    csrf: CsrfToken,
    MaybeUser(user): MaybeUser,
    Query(query): Query<CodeQuery>,
) -> Result<Response, PageError> {
    let Some(code) = query.ma.filter(|c| !c.trim().is_empty()) else {
        let html = render(&page(chrome, &csrf, String::new()))?;
        return Ok(private(StatusCode::OK, Some(csrf), html));
    };
    check_code(&state, chrome, csrf, user.as_ref(), code).await
}

/// Checks a typed or scanned code and answers with the page.
async fn check_code(
    state: &AppState,
    chrome: Chrome,
    csrf: CsrfToken,
    user: Option<&SignedIn>,
    code: String,
) -> Result<Response, PageError> {
    let result = state
        .services
        .verify_code(user.map(|u| &u.acting), &code, VerifyChannel::Code)
        .await;
    answer(chrome, csrf, code, result, "ma").await
}

/// `GET /xac-minh/{code}`: the address in a document's QR code.
pub async fn by_code(
    State(state): State<AppState>,
    chrome: Chrome,
    csrf: CsrfToken,
    MaybeUser(user): MaybeUser,
    Path(code): Path<String>,
) -> Result<Response, PageError> {
    check_code(&state, chrome, csrf, user.as_ref(), code).await
}

/// `POST /xac-minh`: a file uploaded (multipart, field `tep`).
pub async fn upload(
    State(state): State<AppState>,
    chrome: Chrome,
    csrf: CsrfToken,
    MaybeUser(user): MaybeUser,
    multipart: Multipart,
) -> Result<Response, PageError> {
    let form = crate::ui::portal::upload::read(multipart).await?;
    if form.text("csrf") != csrf.value() {
        return Err(PageError(AppError::Forbidden(
            "biểu mẫu đã hết hạn; hãy tải lại trang / the form has expired; reload the page".into(),
        )));
    }
    let result = match form.files.get("tep") {
        Some(file) if file.size > motcua_service::files::MAX_FILE_BYTES => {
            Err(ServiceError::Invalid(format!(
                "tệp lớn hơn giới hạn {} MB / the file is over the {} MB limit",
                motcua_service::files::MAX_FILE_BYTES / (1024 * 1024),
                motcua_service::files::MAX_FILE_BYTES / (1024 * 1024)
            )))
        }
        Some(file) => {
            state
                .services
                .verify_file(
                    user.as_ref().map(|u| &u.acting),
                    &file.bytes,
                    VerifyChannel::File,
                )
                .await
        }
        None => Err(ServiceError::Invalid(
            "hãy chọn tệp PDF cần kiểm tra / choose the PDF file to check".into(),
        )),
    };
    answer(chrome, csrf, String::new(), result, "tep").await
}

/// `GET /xac-minh/chung-thu-goc.pem`: the trusted root certificates, for `openssl cms -verify
/// -CAfile`.
pub async fn roots(State(state): State<AppState>) -> Result<Response, PageError> {
    let roots = state.services.trusted_roots().await?;
    let pem: String = roots
        .iter()
        .map(|der| motcua_signing::cert::to_pem(der))
        .collect();
    Ok((
        [
            (header::CONTENT_TYPE, "application/x-pem-file"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"motcua-root-ca.pem\"",
            ),
        ],
        pem,
    )
        .into_response())
}

/// The revocation form.
#[derive(Deserialize)]
pub struct RevokeForm {
    #[serde(default)]
    reason: String,
    #[serde(default)]
    dossier: String,
}

/// `POST /can-bo/tai-lieu/{code}/thu-hoi`: the issuing agency's leader revokes a document.
pub async fn revoke(
    State(state): State<AppState>,
    Staff(staff): Staff,
    Path(code): Path<String>,
    CsrfForm(form): CsrfForm<RevokeForm>,
) -> Result<Response, PageError> {
    state
        .services
        .revoke_document(&staff.acting, &code, &form.reason)
        .await?;
    let back = match form.dossier.parse::<motcua_domain::dossier::DossierCode>() {
        Ok(d) => format!("/can-bo/ho-so/{d}?da-luu=1"),
        Err(_) => format!("/xac-minh/{code}"),
    };
    Ok(Redirect::to(&back).into_response())
}
