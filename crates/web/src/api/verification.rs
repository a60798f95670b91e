//! `/verifications`: checking a sealed document without an account, by its verification code
//! or by its bytes, as the public page `/xac-minh` does
//! ([`motcua_service::Services::verify_code`], [`motcua_service::Services::verify_file`]).

use axum::Json;
use axum::body::Body;
use axum::extract::{Path, State};
use chrono::{DateTime, Utc};
use motcua_domain::document::{DocumentKind, Verdict};
use motcua_service::documents::{Verification, VerifyChannel};
use motcua_service::files::MAX_FILE_BYTES;
use serde::Serialize;
use utoipa::ToSchema;

use super::extract::invalid;
use crate::AppState;
use crate::error::{ApiError, Problem};

/// A document as the public may see it: who issued what and when; nothing about the person.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct VerifiedDocument {
    /// The verification code.
    pub code: String,
    /// `result` or `certified_copy`.
    pub kind: String,
    /// Its title.
    pub title: String,
    /// Its number.
    pub number: Option<String>,
    /// The issuing agency's code.
    pub agency: String,
    /// The issuing agency's name.
    pub agency_name: String,
    /// When it was issued.
    pub issued_at: DateTime<Utc>,
    /// The certificate that sealed it (its subject).
    pub signer: String,
    /// SHA-256 of that certificate.
    pub certificate_sha256: String,
    /// SHA-256 of the PDF.
    pub sha256: String,
}

/// The answer to a verification.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct VerificationResult {
    /// `genuine`, `revoked`, `not_genuine` or `unknown`.
    pub status: String,
    /// Why it is not genuine, or why it was revoked.
    pub reason: Option<String>,
    /// When it was revoked.
    pub revoked_at: Option<DateTime<Utc>>,
    /// The document, when one has this code or these bytes.
    pub document: Option<VerifiedDocument>,
}

fn result(v: Verification) -> VerificationResult {
    let (reason, revoked_at) = match &v.verdict {
        Verdict::Revoked { at, reason } => (Some(reason.clone()), Some(*at)),
        Verdict::NotGenuine { reason } => (Some(reason.clone()), None),
        Verdict::Genuine | Verdict::Unknown => (None, None),
    };
    VerificationResult {
        status: v.verdict.as_str().to_owned(),
        reason,
        revoked_at,
        document: v.document.map(|d| VerifiedDocument {
            code: d.code,
            kind: match d.kind {
                DocumentKind::Result => "result",
                DocumentKind::CertifiedCopy => "certified_copy",
            }
            .to_owned(),
            title: d.title,
            number: d.number,
            agency: d.agency,
            agency_name: d.agency_name,
            issued_at: d.issued_at,
            signer: d.signer,
            certificate_sha256: d.certificate,
            sha256: d.sha256,
        }),
    }
}

/// Verify a document by its code.
///
/// The code is printed under the document's QR code (`XXXX-XXXX-XXXX`; case, dashes, O/0 and
/// I/1 do not matter). Every check is logged for the document's owner to see.
#[utoipa::path(
    get,
    path = "/verifications/{code}",
    tag = "documents",
    operation_id = "verify_document_code",
    params(("code" = String, Path, description = "The verification code")),
    responses(
        (status = 200, description = "What the check found (`unknown` for a code no document has)", body = VerificationResult),
        (status = 422, description = "Not a verification code", body = Problem, content_type = "application/problem+json"),
    ),
    security(()),
)]
pub async fn verify_document_code(
    State(state): State<AppState>,
    Path(code): Path<String>,
) -> Result<Json<VerificationResult>, ApiError> {
    let found = state
        .services
        .verify_code(None, &code, VerifyChannel::Api)
        .await
        .map_err(|e| match e {
            motcua_service::ServiceError::Invalid(_) => invalid(
                "code",
                "mã xác minh gồm 12 chữ và số, dạng XXXX-XXXX-XXXX",
                "a verification code has 12 letters and digits, as XXXX-XXXX-XXXX",
            ),
            other => other.into(),
        })?;
    Ok(Json(result(found)))
}

/// Verify a document by its bytes.
///
/// The body is the PDF as received (`application/pdf`, at most 10 MB). It is genuine when it
/// is, byte for byte, a document that was issued, its seal verifies and it was not revoked.
#[utoipa::path(
    post,
    path = "/verifications",
    tag = "documents",
    operation_id = "verify_document_file",
    request_body(content = Vec<u8>, content_type = "application/pdf", description = "The document's bytes"),
    responses(
        (status = 200, description = "What the check found (`unknown` for bytes no document has)", body = VerificationResult),
        (status = 422, description = "Empty or over 10 MB", body = Problem, content_type = "application/problem+json"),
    ),
    security(()),
)]
pub async fn verify_document_file(
    State(state): State<AppState>,
    body: Body,
) -> Result<Json<VerificationResult>, ApiError> {
    // Read up to one byte past the limit, so an oversized file is named as such.
    let limit = usize::try_from(MAX_FILE_BYTES).unwrap_or(usize::MAX);
    let body = axum::body::to_bytes(body, limit + 1)
        .await
        .unwrap_or_default();
    if body.is_empty() || body.len() > limit {
        return Err(invalid(
            "body",
            "gửi tệp PDF cần kiểm tra, tối đa 10 MB",
            "send the PDF to check, at most 10 MB",
        ));
    }
    let found = state
        .services
        .verify_file(None, &body, VerifyChannel::Api)
        .await?;
    Ok(Json(result(found)))
}
