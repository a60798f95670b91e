//! Steering (chỉ đạo, điều hành): the meetings of a steering committee or a People's
//! Committee, and the documents that assign tasks — a meeting's conclusion (thông báo kết
//! luận), a plan (kế hoạch), a directive (chỉ thị), a decision approving a programme (quyết
//! định, e.g. Project 06). Tasks ([`crate::task`]) name the document they come from and the
//! plan they belong to.
//!
//! Each meeting and each document is a stream of its own with one event, `recorded`; the
//! agency that recorded it owns it. A document issued elsewhere (the Prime Minister's
//! conclusion, a ministry's plan) is recorded by the agency that carries it out, with its
//! issuer's name as printed.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// Longest title kept, in characters.
pub const MAX_TITLE_CHARS: usize = 300;

/// Longest summary kept, in characters.
pub const MAX_SUMMARY_CHARS: usize = 8_000;

/// Longest name (a chair, an issuer, a place), in characters.
pub const MAX_NAME_CHARS: usize = 200;

/// Most participating agencies recorded for a meeting.
pub const MAX_PARTICIPANTS: usize = 200;

/// A meeting as recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Meeting {
    /// Its identifier, e.g. `HOP-2026-0003`.
    pub id: String,
    /// The agency that held and recorded it (its identifier code).
    pub host: String,
    /// The body that met, e.g. "Ban Chỉ đạo cải cách hành chính tỉnh Bắc Ninh".
    pub body: String,
    /// Title, e.g. "Phiên họp thứ ba năm 2026".
    pub title: String,
    /// The day it was held.
    pub date: NaiveDate,
    /// Who chaired it, e.g. "Đồng chí Chủ tịch UBND tỉnh".
    pub chair: String,
    /// The participating agencies (identifier codes).
    pub participants: Vec<String>,
    /// Where.
    pub location: String,
    /// What was discussed.
    pub summary: String,
}

/// The kind of a steering document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DocumentKind {
    /// A meeting's conclusion (thông báo kết luận).
    Conclusion,
    /// A plan (kế hoạch), e.g. the year's administrative reform plan.
    Plan,
    /// A directive (chỉ thị).
    Directive,
    /// A decision, e.g. approving a programme such as Project 06 (quyết định).
    Decision,
}

impl DocumentKind {
    /// Every kind.
    pub const ALL: [DocumentKind; 4] = [
        DocumentKind::Conclusion,
        DocumentKind::Plan,
        DocumentKind::Directive,
        DocumentKind::Decision,
    ];

    /// Identifier, as stored and in the API.
    pub fn as_str(self) -> &'static str {
        match self {
            DocumentKind::Conclusion => "conclusion",
            DocumentKind::Plan => "plan",
            DocumentKind::Directive => "directive",
            DocumentKind::Decision => "decision",
        }
    }

    /// Parses [`DocumentKind::as_str`].
    pub fn parse(s: &str) -> Option<DocumentKind> {
        DocumentKind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// Whether tasks may belong to documents of this kind as to a plan or programme.
    pub fn is_plan(self) -> bool {
        matches!(self, DocumentKind::Plan | DocumentKind::Decision)
    }
}

/// A steering document as recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SteeringDocument {
    /// Its identifier, e.g. `VB-2026-0012`.
    pub id: String,
    /// The agency that recorded it and follows it up (identifier code).
    pub owner: String,
    /// Conclusion, plan, directive or decision.
    pub kind: DocumentKind,
    /// Its number as printed, e.g. "125/TB-UBND".
    pub number: String,
    /// The day it was signed.
    pub date: NaiveDate,
    /// The body that issued it, as printed, e.g. "Ủy ban nhân dân tỉnh Bắc Ninh".
    pub issuer: String,
    /// Title (trích yếu).
    pub title: String,
    /// What it says, in short.
    pub summary: String,
    /// The meeting it concludes, if any (its id).
    pub meeting: Option<String>,
    /// Whether the results of the tasks belonging to it (as a plan) are published on the
    /// public monthly results page.
    pub public_results: bool,
}

/// Why a meeting or document was refused, naming the field, in Vietnamese and English.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {vi} / {en}")]
pub struct SteeringError {
    /// The field to blame.
    pub field: &'static str,
    /// The problem in Vietnamese.
    pub vi: String,
    /// The problem in English.
    pub en: String,
}

fn text(
    value: &mut String,
    field: &'static str,
    required: bool,
    max: usize,
    (vi, en): (&str, &str),
) -> Result<(), SteeringError> {
    *value = value.trim().to_owned();
    if required && value.is_empty() {
        return Err(SteeringError {
            field,
            vi: format!("thiếu {vi}"),
            en: format!("{en} is required"),
        });
    }
    if value.chars().count() > max {
        return Err(SteeringError {
            field,
            vi: format!("{vi} dài quá {max} ký tự"),
            en: format!("{en} is over {max} characters"),
        });
    }
    Ok(())
}

/// Checks a meeting as given (its id aside) and trims its texts; participants are kept
/// once each, in order.
///
/// # Errors
/// The first field that is missing or too long, or too many participants.
pub fn check_meeting(mut m: Meeting) -> Result<Meeting, SteeringError> {
    text(
        &mut m.host,
        "host",
        true,
        60,
        ("cơ quan chủ trì", "the host"),
    )?;
    text(
        &mut m.body,
        "body",
        true,
        MAX_NAME_CHARS,
        ("tên ban chỉ đạo / cơ quan họp", "the body that met"),
    )?;
    text(
        &mut m.title,
        "title",
        true,
        MAX_TITLE_CHARS,
        ("tên cuộc họp", "the title"),
    )?;
    text(
        &mut m.chair,
        "chair",
        true,
        MAX_NAME_CHARS,
        ("người chủ trì", "the chair"),
    )?;
    text(
        &mut m.location,
        "location",
        false,
        MAX_NAME_CHARS,
        ("địa điểm", "the place"),
    )?;
    text(
        &mut m.summary,
        "summary",
        false,
        MAX_SUMMARY_CHARS,
        ("nội dung", "the summary"),
    )?;
    let mut seen = std::collections::HashSet::new();
    m.participants = m
        .participants
        .iter()
        .map(|p| p.trim().to_owned())
        .filter(|p| !p.is_empty() && seen.insert(p.clone()))
        .collect();
    if m.participants.len() > MAX_PARTICIPANTS {
        return Err(SteeringError {
            field: "participants",
            vi: format!("tối đa {MAX_PARTICIPANTS} đơn vị dự họp"),
            en: format!("at most {MAX_PARTICIPANTS} participating units"),
        });
    }
    Ok(m)
}

/// Checks a document as given (its id aside) and trims its texts.
///
/// # Errors
/// The first field that is missing or too long.
pub fn check_document(mut d: SteeringDocument) -> Result<SteeringDocument, SteeringError> {
    text(
        &mut d.owner,
        "owner",
        true,
        60,
        ("cơ quan theo dõi", "the owning agency"),
    )?;
    text(
        &mut d.number,
        "number",
        true,
        60,
        ("số, ký hiệu văn bản", "the document's number"),
    )?;
    text(
        &mut d.issuer,
        "issuer",
        true,
        MAX_NAME_CHARS,
        ("cơ quan ban hành", "the issuing body"),
    )?;
    text(
        &mut d.title,
        "title",
        true,
        MAX_TITLE_CHARS,
        ("trích yếu", "the title"),
    )?;
    text(
        &mut d.summary,
        "summary",
        false,
        MAX_SUMMARY_CHARS,
        ("nội dung", "the summary"),
    )?;
    if let Some(meeting) = &mut d.meeting {
        *meeting = meeting.trim().to_owned();
    }
    d.meeting = d.meeting.filter(|m| !m.is_empty());
    Ok(d)
}

/// The event of a meeting's stream.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum MeetingEvent {
    /// Recorded.
    Recorded(Box<Meeting>),
}

/// The event of a steering document's stream.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum DocumentEvent {
    /// Recorded.
    Recorded(Box<SteeringDocument>),
}

#[cfg(test)]
mod tests {
    use super::*;

    fn meeting() -> Meeting {
        Meeting {
            id: String::new(),
            host: "000.00.00.H05".into(),
            body: " Ban Chỉ đạo cải cách hành chính tỉnh Bắc Ninh ".into(),
            title: "Phiên họp quý IV năm 2026".into(),
            date: NaiveDate::from_ymd_opt(2026, 12, 4).unwrap(),
            chair: "Chủ tịch UBND tỉnh".into(),
            participants: vec![
                "000.00.10.H05".into(),
                " 000.00.10.H05".into(),
                "".into(),
                "000.00.20.H05".into(),
            ],
            location: String::new(),
            summary: String::new(),
        }
    }

    #[test]
    fn a_meeting_is_trimmed_and_keeps_each_participant_once() {
        let m = check_meeting(meeting()).unwrap();
        assert_eq!(m.body, "Ban Chỉ đạo cải cách hành chính tỉnh Bắc Ninh");
        assert_eq!(m.participants, ["000.00.10.H05", "000.00.20.H05"]);
        let mut bad = meeting();
        bad.chair = " ".into();
        let err = check_meeting(bad).unwrap_err().to_string();
        assert!(
            err.starts_with("chair: thiếu") && err.contains("is required"),
            "{err}"
        );
    }

    #[test]
    fn a_document_needs_its_number_issuer_and_title() {
        let d = SteeringDocument {
            id: String::new(),
            owner: "000.00.00.H05".into(),
            kind: DocumentKind::Conclusion,
            number: "".into(),
            date: NaiveDate::from_ymd_opt(2026, 12, 5).unwrap(),
            issuer: "UBND tỉnh Bắc Ninh".into(),
            title: "Kết luận phiên họp".into(),
            summary: String::new(),
            meeting: Some(" ".into()),
            public_results: false,
        };
        assert!(
            check_document(d.clone())
                .unwrap_err()
                .to_string()
                .starts_with("number:")
        );
        let ok = check_document(SteeringDocument {
            number: "125/TB-UBND".into(),
            ..d
        })
        .unwrap();
        assert_eq!(ok.meeting, None);
        assert!(DocumentKind::Decision.is_plan() && !DocumentKind::Conclusion.is_plan());
        assert_eq!(
            DocumentKind::parse("directive"),
            Some(DocumentKind::Directive)
        );
    }
}
