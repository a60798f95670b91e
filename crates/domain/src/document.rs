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
    /// For a certified copy: its entry in the certification register.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub certification: Option<Certification>,
}

/// A certified copy's entry in the certification register (sổ chứng thực), and what the
/// certifier signed: Decree 45/2020/NĐ-CP art. 10(3) (regulations.md §4).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Certification {
    /// The number in the register ("Số chứng thực"), from 1 in each year's book.
    pub register_number: u32,
    /// The register book ("Quyển số"), see [`register_book`].
    pub register_book: String,
    /// What the original is, as the certifier names it (e.g. "Giấy khai sinh").
    pub original: String,
    /// Pages of the copy's scan, which the fee is counted on.
    pub pages: u32,
    /// The fee charged, VND.
    pub fee: u64,
    /// The certifier, as their certificate names them.
    pub certifier: String,
    /// SHA-256 of the certifier's certificate, which signed beside the agency's.
    pub certifier_certificate: String,
}

/// The register book of electronic certified copies of `year` (one book a year).
/// 🔶 The numbering of books is local practice (Circular 01/2020/TT-BTP gives the register's
/// columns, not the book's name); this follows the paper books' "01/2026-SCT/BS".
pub fn register_book(year: i32) -> String {
    format!("01/{year}-SCT/BSĐT")
}

/// The fee for certifying a copy, by its pages: per page for the first pages, less per page
/// after, capped per copy. The default is Circular 226/2016/TT-BTC's (🔶 regulations.md §4:
/// VND 2,000 a page for pages 1–2, 1,000 from page 3, at most 200,000); provinces may set
/// their own, so it is configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct CertificationFees {
    /// How many pages cost [`CertificationFees::first_price`].
    pub first_pages: u32,
    /// Per page, VND, for the first pages.
    pub first_price: u64,
    /// Per page, VND, after them.
    pub later_price: u64,
    /// Most a copy costs, VND.
    pub cap: u64,
}

impl Default for CertificationFees {
    fn default() -> Self {
        CertificationFees {
            first_pages: 2,
            first_price: 2_000,
            later_price: 1_000,
            cap: 200_000,
        }
    }
}

impl CertificationFees {
    /// The fee for a copy of `pages` pages.
    pub fn fee(&self, pages: u32) -> u64 {
        let first = u64::from(pages.min(self.first_pages));
        let later = u64::from(pages.saturating_sub(self.first_pages));
        first
            .saturating_mul(self.first_price)
            .saturating_add(later.saturating_mul(self.later_price))
            .min(self.cap)
    }
}

impl std::str::FromStr for CertificationFees {
    type Err = String;

    /// Reads `first_pages=2,first_price=2000,later_price=1000,cap=200000`; keys left out
    /// keep their default.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let mut fees = CertificationFees::default();
        for part in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (key, value) = part
                .split_once('=')
                .ok_or_else(|| format!("“{part}”: cần dạng khóa=giá trị / expected key=value"))?;
            let number = |v: &str| {
                v.trim().parse::<u64>().map_err(|_| {
                    format!(
                        "{key}: “{v}” không phải số nguyên không âm / is not a non-negative whole number"
                    )
                })
            };
            match key.trim() {
                "first_pages" => {
                    fees.first_pages = u32::try_from(number(value)?)
                        .map_err(|_| format!("{key}: quá lớn / too large"))?;
                }
                "first_price" => fees.first_price = number(value)?,
                "later_price" => fees.later_price = number(value)?,
                "cap" => fees.cap = number(value)?,
                other => {
                    return Err(format!(
                        "“{other}”: khóa không biết, dùng first_pages, first_price, later_price, cap / unknown key, use first_pages, first_price, later_price, cap"
                    ));
                }
            }
        }
        Ok(fees)
    }
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
            certification: None,
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

    #[test]
    fn the_fee_follows_the_schedule_page_by_page_up_to_the_cap() {
        let fees = CertificationFees::default();
        let expected = [(0, 0), (1, 2_000), (2, 4_000), (3, 5_000), (10, 12_000)];
        for (pages, fee) in expected {
            assert_eq!(fees.fee(pages), fee, "{pages} pages");
        }
        // 2 × 2,000 + 196 × 1,000 = 200,000: the cap is reached at 198 pages and holds.
        assert_eq!(fees.fee(197), 199_000);
        assert_eq!(fees.fee(198), 200_000);
        assert_eq!(fees.fee(500), 200_000);
        assert_eq!(fees.fee(u32::MAX), 200_000);
    }

    #[test]
    fn a_fee_schedule_reads_from_text_and_names_what_is_wrong() {
        let fees: CertificationFees = "first_pages=1, first_price=3000,later_price=1500"
            .parse()
            .unwrap();
        assert_eq!(fees.fee(3), 6_000);
        assert_eq!(fees.cap, 200_000);
        assert_eq!(
            "".parse::<CertificationFees>(),
            Ok(CertificationFees::default())
        );
        let bad = "cap=-1".parse::<CertificationFees>().unwrap_err();
        assert!(bad.contains("cap") && bad.contains("-1"), "{bad}");
        let bad = "pages=2".parse::<CertificationFees>().unwrap_err();
        assert!(bad.contains("unknown key"), "{bad}");
        let bad = "cap".parse::<CertificationFees>().unwrap_err();
        assert!(bad.contains("key=value"), "{bad}");
    }

    #[test]
    fn the_register_book_is_the_year_s() {
        assert_eq!(register_book(2026), "01/2026-SCT/BSĐT");
    }
}
