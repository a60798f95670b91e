//! Issued documents: an electronic result (766 indicator 4.1) or an electronic certified copy
//! from an original (Decree 45/2020/NĐ-CP art. 10; 766 group 6), sealed by the issuing
//! agency and verifiable by anyone through its verification code (regulations.md §3, §4).
//!
//! A document is a small aggregate of its own: `issued` (with the PDF's and the seal's
//! SHA-256 and the certificate that signed, so the signing itself is in the log), then at most
//! one `revoked`, with a reason. Its bytes never change; a corrected document is a new one.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::dossier::FileRef;

/// What an issued document is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DocumentKind {
    /// The result of a dossier, issued electronically.
    Result,
    /// An electronic copy certified from a paper original.
    CertifiedCopy,
}

impl DocumentKind {
    /// Identifier, as stored.
    pub fn as_str(self) -> &'static str {
        match self {
            DocumentKind::Result => "result",
            DocumentKind::CertifiedCopy => "certified_copy",
        }
    }

    /// Parses [`DocumentKind::as_str`].
    pub fn parse(s: &str) -> Option<DocumentKind> {
        match s {
            "result" => Some(DocumentKind::Result),
            "certified_copy" => Some(DocumentKind::CertifiedCopy),
            _ => None,
        }
    }
}

/// What the issuing agency recorded when it sealed a document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Issue {
    /// The verification code printed on the document and in its QR code.
    pub code: String,
    /// Result or certified copy.
    pub kind: DocumentKind,
    /// Identifier code of the issuing agency.
    pub agency: String,
    /// The dossier it settles, if any.
    pub dossier: Option<String>,
    /// The title printed on it.
    pub title: String,
    /// Its number (số văn bản, or the certification register's number).
    pub number: Option<String>,
    /// The PDF.
    pub file: FileRef,
    /// The detached CMS seal over the PDF (the `.p7s`).
    pub seal: FileRef,
    /// SHA-256 of the certificate that signed.
    pub certificate: String,
    /// The certificate's subject, as people read it.
    pub signer: String,
}

/// An event of a document's stream.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum DocumentEvent {
    /// Sealed and issued.
    Issued(Box<Issue>),
    /// Revoked by the issuing agency; verification says so from then on.
    Revoked {
        /// Why, as the agency wrote it.
        reason: String,
    },
}

impl DocumentEvent {
    /// The event kind, as stored.
    pub fn kind(&self) -> &'static str {
        match self {
            DocumentEvent::Issued(_) => "issued",
            DocumentEvent::Revoked { .. } => "revoked",
        }
    }
}

/// A revocation as recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Revocation {
    /// When.
    pub at: DateTime<Utc>,
    /// By which account.
    pub by: String,
    /// Why.
    pub reason: String,
}

/// A document's current state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Document {
    /// What was issued.
    pub issue: Issue,
    /// When it was issued.
    pub issued_at: DateTime<Utc>,
    /// The account that issued it.
    pub issued_by: String,
    /// Its revocation, if revoked.
    pub revocation: Option<Revocation>,
    /// Events applied (the stream's version).
    pub version: i64,
}

/// Why a document change was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DocumentError {
    /// The reason for a revocation is missing or too long.
    #[error(
        "cần ghi lý do thu hồi (tối đa {MAX_REASON_CHARS} ký tự) / a reason for the revocation is required (at most {MAX_REASON_CHARS} characters)"
    )]
    Reason,
    /// Already revoked.
    #[error("tài liệu {0} đã bị thu hồi / document {0} is already revoked")]
    AlreadyRevoked(String),
    /// An event that cannot follow the state.
    #[error("sự kiện {0} không áp dụng được / event {0} does not apply here")]
    Invalid(&'static str),
}

/// Longest revocation reason kept.
pub const MAX_REASON_CHARS: usize = 500;

/// The event revoking `document` for `reason`.
pub fn revoke(document: &Document, reason: &str) -> Result<DocumentEvent, DocumentError> {
    let reason = reason.trim();
    if reason.is_empty() || reason.chars().count() > MAX_REASON_CHARS {
        return Err(DocumentError::Reason);
    }
    if document.revocation.is_some() {
        return Err(DocumentError::AlreadyRevoked(document.issue.code.clone()));
    }
    Ok(DocumentEvent::Revoked {
        reason: reason.to_owned(),
    })
}

/// Applies an event recorded at `at` by `actor`: the one place that says what may follow
/// what.
pub fn apply(
    state: Option<Document>,
    event: &DocumentEvent,
    at: DateTime<Utc>,
    actor: &str,
) -> Result<Document, DocumentError> {
    match (state, event) {
        (None, DocumentEvent::Issued(issue)) => Ok(Document {
            issue: (**issue).clone(),
            issued_at: at,
            issued_by: actor.to_owned(),
            revocation: None,
            version: 1,
        }),
        (Some(mut doc), DocumentEvent::Revoked { reason }) if doc.revocation.is_none() => {
            doc.revocation = Some(Revocation {
                at,
                by: actor.to_owned(),
                reason: reason.clone(),
            });
            doc.version += 1;
            Ok(doc)
        }
        (_, e) => Err(DocumentError::Invalid(e.kind())),
    }
}

/// Letters of a verification code: Crockford's base 32 (no I, L, O, U), read aloud and typed
/// without confusion.
const CODE_ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// Characters of a verification code, without its dashes: 12 × 5 = 60 random bits, so codes
/// cannot be guessed to find other people's documents.
pub const CODE_CHARS: usize = 12;

/// A verification code from 12 random values (each taken modulo 32), written `XXXX-XXXX-XXXX`.
pub fn verification_code(random: [u8; CODE_CHARS]) -> String {
    let mut out = String::with_capacity(CODE_CHARS + 2);
    for (i, r) in random.iter().enumerate() {
        if i > 0 && i % 4 == 0 {
            out.push('-');
        }
        out.push(char::from(CODE_ALPHABET[usize::from(r % 32)]));
    }
    out
}

/// Reads a verification code as a person may type it: any case, with or without dashes or
/// spaces, O for 0 and I or L for 1. `None` if it cannot be one.
pub fn parse_verification_code(input: &str) -> Option<String> {
    let mut chars = Vec::with_capacity(CODE_CHARS);
    for c in input.chars() {
        let c = match c.to_ascii_uppercase() {
            '-' | ' ' => continue,
            'O' => '0',
            'I' | 'L' => '1',
            c => c,
        };
        if !c.is_ascii() || !CODE_ALPHABET.contains(&(c as u8)) {
            return None;
        }
        chars.push(c as u8);
    }
    if chars.len() != CODE_CHARS {
        return None;
    }
    let mut random = [0u8; CODE_CHARS];
    for (slot, c) in random.iter_mut().zip(&chars) {
        let index = CODE_ALPHABET.iter().position(|a| a == c)?;
        *slot = u8::try_from(index).ok()?;
    }
    Some(verification_code(random))
}

/// What a verification found, in the order a person checking a document cares about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum Verdict {
    /// Issued by the agency, sealed, unchanged, not revoked.
    Genuine,
    /// Issued and sealed, then revoked.
    Revoked {
        /// When.
        at: DateTime<Utc>,
        /// Why.
        reason: String,
    },
    /// The file is not the one issued under this code, or its seal does not verify.
    NotGenuine {
        /// What failed, in Vietnamese and English.
        reason: String,
    },
    /// No document has this code or these bytes.
    Unknown,
}

impl Verdict {
    /// Identifier, as logged.
    pub fn as_str(&self) -> &'static str {
        match self {
            Verdict::Genuine => "genuine",
            Verdict::Revoked { .. } => "revoked",
            Verdict::NotGenuine { .. } => "not_genuine",
            Verdict::Unknown => "unknown",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn issued() -> Document {
        let issue = Issue {
            code: verification_code([7; CODE_CHARS]),
            kind: DocumentKind::Result,
            agency: "000.00.10.H08".into(),
            dossier: Some("000.00.10.H08-261203-0001".into()),
            title: "Giấy phép".into(),
            number: Some("12/GP".into()),
            file: FileRef {
                sha256: "a".repeat(64),
                name: "ket-qua.pdf".into(),
                media_type: "application/pdf".into(),
                size: 10,
            },
            seal: FileRef {
                sha256: "b".repeat(64),
                name: "ket-qua.pdf.p7s".into(),
                media_type: "application/pkcs7-signature".into(),
                size: 10,
            },
            certificate: "c".repeat(64),
            signer: "CN=Sở Tư pháp".into(),
        };
        let at = Utc.with_ymd_and_hms(2026, 12, 3, 2, 0, 0).unwrap();
        apply(None, &DocumentEvent::Issued(Box::new(issue)), at, "lanhdao").unwrap()
    }

    #[test]
    fn a_document_is_revoked_once_with_a_reason() {
        let doc = issued();
        assert_eq!(revoke(&doc, "  "), Err(DocumentError::Reason));
        assert_eq!(revoke(&doc, &"x".repeat(501)), Err(DocumentError::Reason));
        let event = revoke(&doc, " Cấp nhầm người ").unwrap();
        assert_eq!(
            event,
            DocumentEvent::Revoked {
                reason: "Cấp nhầm người".into()
            }
        );
        let at = Utc.with_ymd_and_hms(2026, 12, 4, 2, 0, 0).unwrap();
        let revoked = apply(Some(doc), &event, at, "lanhdao").unwrap();
        assert_eq!(revoked.version, 2);
        assert_eq!(revoked.revocation.as_ref().map(|r| r.at), Some(at));
        assert!(matches!(
            revoke(&revoked, "again"),
            Err(DocumentError::AlreadyRevoked(_))
        ));
        assert!(apply(Some(revoked), &event, at, "x").is_err());
        assert!(apply(None, &event, at, "x").is_err());
    }

    #[test]
    fn codes_read_back_however_they_are_typed() {
        let code = verification_code([0, 1, 2, 3, 4, 5, 6, 7, 8, 31, 32, 255]);
        assert_eq!(code, "0123-4567-8Z0Z");
        assert_eq!(
            parse_verification_code("o123 4567 8z0z"),
            Some(code.clone())
        );
        assert_eq!(
            parse_verification_code("0I23-4567-8Z0Z"),
            Some(code.clone())
        );
        assert_eq!(parse_verification_code(&code), Some(code));
        assert_eq!(parse_verification_code("0123-4567-8Z0"), None);
        assert_eq!(parse_verification_code("0123-4567-8Z0U"), None);
        assert_eq!(parse_verification_code("0123-4567-8Z0Ư"), None);
        assert_eq!(parse_verification_code(""), None);
    }
}
