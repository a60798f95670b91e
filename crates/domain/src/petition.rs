//! Feedback and petitions (phản ánh, kiến nghị — PAKN) about administrative procedures and
//! the people who carry them out: a small aggregate of its own, event-sourced like dossiers.
//!
//! Anyone may send one (contact details required), addressed to an agency and about a
//! procedure, an officer or the agency itself, in one of the two classes Decision 766 counts
//! (indicator 5.1: rules and procedures, or staff behaviour; regulations.md §1.3 group 5).
//! The agency rejects it, asks once or more for more information, answers it, and publishes
//! the answer. [`decide`] computes every deadline on the agency's calendar and records it in
//! the events, [`apply`] is the one function that says whether an event may follow.
//!
//! # Deadlines (🟡 regulations.md §1.3, indicator 5.2)
//!
//! The 766 formula document gives: reject within 2 working days, first request for more
//! information within 5, handling within 15, publication of the answer within 2, "each counted
//! from the date sent (or forwarded)". The marker is 🟡 (a practitioner's reconstruction, not
//! the legal text), so the numbers are configuration ([`PetitionRules`]) with these defaults.
//! Receipt is the submission instant moved to working time on the agency's calendar (an
//! evening submission counts from the next session, as for online dossiers). Publication
//! cannot precede the answer, so its 2 working days are counted from the answer (🔶 our
//! reading). A request for more information does not stop the clock (🔶 the source says
//! nothing about pausing).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::calendar::Calendar;

/// The deadlines of a petition, in working days (🟡 Decision 766 formula document,
/// indicator 5.2; regulations.md §1.3 group 5). Configuration: the defaults are the
/// document's numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PetitionRules {
    /// A petition that will not be handled is rejected within this many working days of
    /// receipt (default 2).
    pub reject_working_days: u32,
    /// The first request for more information goes out within this many working days of
    /// receipt (default 5).
    pub supplement_working_days: u32,
    /// The petition is handled (answered) within this many working days of receipt
    /// (default 15).
    pub answer_working_days: u32,
    /// The answer is published within this many working days of the answer (default 2).
    pub publish_working_days: u32,
}

impl Default for PetitionRules {
    fn default() -> Self {
        PetitionRules {
            reject_working_days: 2,
            supplement_working_days: 5,
            answer_working_days: 15,
            publish_working_days: 2,
        }
    }
}

/// The class of a petition as Decision 766 indicator 5.1 counts it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PetitionClass {
    /// About rules and administrative procedures (`PETITION_CLASSIFICATION_TTHC`).
    Procedure,
    /// About the behaviour of staff (`PETITION_CLASSIFICATION_STAFF`).
    Staff,
}

impl PetitionClass {
    /// Stable identifier (as serialized).
    pub fn as_str(self) -> &'static str {
        match self {
            PetitionClass::Procedure => "procedure",
            PetitionClass::Staff => "staff",
        }
    }

    /// Parses the stable identifier.
    pub fn parse(s: &str) -> Option<PetitionClass> {
        match s {
            "procedure" => Some(PetitionClass::Procedure),
            "staff" => Some(PetitionClass::Staff),
            _ => None,
        }
    }
}

/// What a petition is about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum PetitionAbout {
    /// A procedure of the catalogue.
    Procedure {
        /// National procedure code.
        code: String,
        /// Its name when the petition was sent.
        name: String,
    },
    /// An officer of the addressed agency, by the name or description the sender gives.
    Officer {
        /// Name or description (e.g. "the officer at desk 3").
        name: String,
    },
    /// The addressed agency as a whole.
    Agency,
}

/// How to reach the sender. A name and a phone number or an e-mail address are required.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PetitionContact {
    /// Full name.
    pub name: String,
    /// Phone number, normalised to `0xxxxxxxxx`.
    pub phone: Option<String>,
    /// E-mail address.
    pub email: Option<String>,
    /// Postal address.
    pub address: Option<String>,
}

/// A petition as sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PetitionSubmission {
    /// Its code, which is also the lookup code given to the sender (unguessable).
    pub code: String,
    /// Identifier code of the addressed agency.
    pub agency: String,
    /// Rules and procedures, or staff behaviour.
    pub class: PetitionClass,
    /// What it is about.
    pub about: PetitionAbout,
    /// Short title.
    pub title: String,
    /// The petition itself.
    pub content: String,
    /// How to reach the sender.
    pub contact: PetitionContact,
    /// The sender's account id, when signed in.
    pub account: Option<String>,
}

/// Deadlines fixed at receipt.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PetitionDeadlines {
    /// The instant the deadlines count from (receipt moved to working time).
    pub counted_from: DateTime<Utc>,
    /// Latest rejection.
    pub reject_due: DateTime<Utc>,
    /// Latest first request for more information.
    pub supplement_due: DateTime<Utc>,
    /// Latest answer.
    pub answer_due: DateTime<Utc>,
}

/// Everything that can happen to a petition; the instant and actor are in the envelope.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum PetitionEvent {
    /// The petition was received; its deadlines are fixed.
    Received {
        /// What was sent.
        submission: Box<PetitionSubmission>,
        /// Its deadlines.
        deadlines: PetitionDeadlines,
    },
    /// The agency will not handle it, with reasons (e.g. not within its competence).
    Rejected {
        /// The reasons.
        reasons: String,
    },
    /// The agency asks the sender for more information.
    SupplementRequested {
        /// What is needed.
        reasons: String,
    },
    /// The sender gave more information.
    SupplementProvided {
        /// The information.
        text: String,
    },
    /// The agency answered.
    Answered {
        /// The answer.
        answer: String,
        /// Latest publication of the answer.
        publish_due: DateTime<Utc>,
    },
    /// The answer was published on the portal.
    Published,
}

impl PetitionEvent {
    /// Stable name of the event kind, as stored in the log.
    pub fn kind(&self) -> &'static str {
        match self {
            PetitionEvent::Received { .. } => "received",
            PetitionEvent::Rejected { .. } => "rejected",
            PetitionEvent::SupplementRequested { .. } => "supplement_requested",
            PetitionEvent::SupplementProvided { .. } => "supplement_provided",
            PetitionEvent::Answered { .. } => "answered",
            PetitionEvent::Published => "published",
        }
    }
}

/// Status of a petition.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PetitionStatus {
    /// Received, being handled.
    Received,
    /// Rejected with reasons (final).
    Rejected,
    /// Waiting for the sender's information.
    SupplementRequested,
    /// The sender gave more information; being handled.
    SupplementProvided,
    /// Answered, the answer not yet published.
    Answered,
    /// The answer is public (final).
    Published,
}

impl PetitionStatus {
    /// Every status.
    pub const ALL: [PetitionStatus; 6] = [
        PetitionStatus::Received,
        PetitionStatus::Rejected,
        PetitionStatus::SupplementRequested,
        PetitionStatus::SupplementProvided,
        PetitionStatus::Answered,
        PetitionStatus::Published,
    ];

    /// Stable identifier (as serialized).
    pub fn as_str(self) -> &'static str {
        match self {
            PetitionStatus::Received => "received",
            PetitionStatus::Rejected => "rejected",
            PetitionStatus::SupplementRequested => "supplement_requested",
            PetitionStatus::SupplementProvided => "supplement_provided",
            PetitionStatus::Answered => "answered",
            PetitionStatus::Published => "published",
        }
    }

    /// Parses the stable identifier.
    pub fn parse(s: &str) -> Option<PetitionStatus> {
        PetitionStatus::ALL.into_iter().find(|st| st.as_str() == s)
    }

    /// Vietnamese name.
    pub fn name_vi(self) -> &'static str {
        match self {
            PetitionStatus::Received => "Đã tiếp nhận",
            PetitionStatus::Rejected => "Từ chối xử lý",
            PetitionStatus::SupplementRequested => "Yêu cầu bổ sung thông tin",
            PetitionStatus::SupplementProvided => "Đã bổ sung thông tin",
            PetitionStatus::Answered => "Đã trả lời",
            PetitionStatus::Published => "Đã công khai",
        }
    }

    /// English name.
    pub fn name_en(self) -> &'static str {
        match self {
            PetitionStatus::Received => "Received",
            PetitionStatus::Rejected => "Rejected",
            PetitionStatus::SupplementRequested => "More information requested",
            PetitionStatus::SupplementProvided => "More information provided",
            PetitionStatus::Answered => "Answered",
            PetitionStatus::Published => "Published",
        }
    }

    /// Whether the agency may still act (reject, ask, answer).
    pub fn is_open(self) -> bool {
        matches!(
            self,
            PetitionStatus::Received
                | PetitionStatus::SupplementRequested
                | PetitionStatus::SupplementProvided
        )
    }
}

/// One request for more information and its reply.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SupplementRound {
    /// What was asked.
    pub reasons: String,
    /// When.
    pub requested_at: DateTime<Utc>,
    /// The sender's reply, if given.
    pub reply: Option<String>,
    /// When it was given.
    pub replied_at: Option<DateTime<Utc>>,
}

/// The current state of a petition: the projection of its events.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Petition {
    /// What was sent.
    pub submission: PetitionSubmission,
    /// Current status.
    pub status: PetitionStatus,
    /// Number of events applied (the stream version).
    pub version: i64,
    /// When it was received.
    pub received_at: DateTime<Utc>,
    /// Its deadlines.
    pub deadlines: PetitionDeadlines,
    /// Rejection reasons and instant.
    pub rejected: Option<(String, DateTime<Utc>)>,
    /// Requests for more information, in order.
    pub supplements: Vec<SupplementRound>,
    /// The answer and its instant.
    pub answer: Option<(String, DateTime<Utc>)>,
    /// Latest publication, once answered.
    pub publish_due: Option<DateTime<Utc>>,
    /// When the answer was published.
    pub published_at: Option<DateTime<Utc>>,
}

impl Petition {
    /// The petition's code.
    pub fn code(&self) -> &str {
        &self.submission.code
    }

    /// The deadline steps that apply to this petition so far, each with its punctuality at
    /// `now`: handling (or rejection, which replaces it), the first request for more
    /// information when there was one, and publication once answered.
    pub fn steps(&self, now: DateTime<Utc>) -> Vec<StepTiming> {
        let d = &self.deadlines;
        let mut steps = Vec::new();
        match &self.rejected {
            Some((_, at)) => steps.push(StepTiming::new(
                PetitionStep::Reject,
                d.reject_due,
                Some(*at),
                now,
            )),
            None => steps.push(StepTiming::new(
                PetitionStep::Answer,
                d.answer_due,
                self.answer.as_ref().map(|(_, at)| *at),
                now,
            )),
        }
        if let Some(first) = self.supplements.first() {
            steps.push(StepTiming::new(
                PetitionStep::FirstSupplement,
                d.supplement_due,
                Some(first.requested_at),
                now,
            ));
        }
        if let Some(due) = self.publish_due {
            steps.push(StepTiming::new(
                PetitionStep::Publish,
                due,
                self.published_at,
                now,
            ));
        }
        steps
    }

    /// Indicator 5.2 for this petition at `now`: handled on time, or still within time.
    /// `false` when any step is late or overdue.
    pub fn on_time(&self, now: DateTime<Utc>) -> bool {
        self.steps(now)
            .iter()
            .all(|s| matches!(s.punctuality, Punctuality::OnTime | Punctuality::Pending))
    }
}

/// A step with a deadline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PetitionStep {
    /// Rejection (≤ 2 working days).
    Reject,
    /// First request for more information (≤ 5 working days).
    FirstSupplement,
    /// Handling: the answer (≤ 15 working days).
    Answer,
    /// Publication of the answer (≤ 2 working days after it).
    Publish,
}

impl PetitionStep {
    /// Stable identifier.
    pub fn as_str(self) -> &'static str {
        match self {
            PetitionStep::Reject => "reject",
            PetitionStep::FirstSupplement => "first_supplement",
            PetitionStep::Answer => "answer",
            PetitionStep::Publish => "publish",
        }
    }
}

/// Whether a step met its deadline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Punctuality {
    /// Done by the deadline.
    OnTime,
    /// Done after the deadline.
    Late,
    /// Not done yet, deadline not passed.
    Pending,
    /// Not done yet, deadline passed.
    Overdue,
}

impl Punctuality {
    /// Stable identifier.
    pub fn as_str(self) -> &'static str {
        match self {
            Punctuality::OnTime => "on_time",
            Punctuality::Late => "late",
            Punctuality::Pending => "pending",
            Punctuality::Overdue => "overdue",
        }
    }
}

/// A step, its deadline and its punctuality.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepTiming {
    /// Which step.
    pub step: PetitionStep,
    /// Its deadline.
    pub due: DateTime<Utc>,
    /// When it was done.
    pub done_at: Option<DateTime<Utc>>,
    /// On time, late, pending or overdue.
    pub punctuality: Punctuality,
}

impl StepTiming {
    fn new(
        step: PetitionStep,
        due: DateTime<Utc>,
        done_at: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
    ) -> StepTiming {
        let punctuality = match done_at {
            Some(at) if at <= due => Punctuality::OnTime,
            Some(_) => Punctuality::Late,
            None if now <= due => Punctuality::Pending,
            None => Punctuality::Overdue,
        };
        StepTiming {
            step,
            due,
            done_at,
            punctuality,
        }
    }
}

/// Why a petition command or event was refused; Vietnamese, then English.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PetitionError {
    /// The input is invalid; the message names the fields.
    #[error("{0}")]
    Invalid(String),
    /// Not allowed in the current status.
    #[error(
        "không thể {action} khi phản ánh đang ở trạng thái \"{}\" / cannot {action_en} while the petition is \"{}\"",
        status.name_vi(),
        status.name_en()
    )]
    IllegalTransition {
        /// What was attempted, in Vietnamese.
        action: &'static str,
        /// What was attempted, in English.
        action_en: &'static str,
        /// The current status.
        status: PetitionStatus,
    },
    /// The petition does not exist yet, or already does.
    #[error("{0}")]
    Existence(String),
    /// A calendar computation failed.
    #[error("{0}")]
    Calendar(String),
}

/// A request to change a petition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PetitionCommand {
    /// Receive a new petition.
    Submit(Box<PetitionSubmission>),
    /// Reject it with reasons.
    Reject {
        /// The reasons.
        reasons: String,
    },
    /// Ask the sender for more information.
    RequestSupplement {
        /// What is needed.
        reasons: String,
    },
    /// The sender gives more information.
    ProvideSupplement {
        /// The information.
        text: String,
    },
    /// Answer it.
    Answer {
        /// The answer.
        answer: String,
    },
    /// Publish the answer.
    Publish,
}

/// What a decision needs besides the petition.
#[derive(Debug, Clone, Copy)]
pub struct PetitionContext<'a> {
    /// The instant of the command.
    pub now: DateTime<Utc>,
    /// The addressed agency's calendar.
    pub calendar: &'a Calendar,
    /// The deadlines in force.
    pub rules: &'a PetitionRules,
}

/// A field-level problem with a petition, in both languages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PetitionFieldError {
    /// The form field to blame: `agency`, `class`, `about`, `procedure`, `officer`, `title`,
    /// `content`, `name`, `phone`, `email`.
    pub field: &'static str,
    /// The message in Vietnamese.
    pub vi: String,
    /// The message in English.
    pub en: String,
}

/// Longest title accepted, in characters.
pub const MAX_TITLE_CHARS: usize = 200;
/// Longest petition, answer or reply accepted, in characters.
pub const MAX_TEXT_CHARS: usize = 10_000;

/// A phone number in its national form: `0` and 9 digits (mobile) or `02` and 9 digits
/// (fixed line, numbering plan of 2017, 🔶 Decision 798/QĐ-BTTTT); `+84` accepted for `0`;
/// spaces, dots and dashes ignored.
pub fn normalise_phone(text: &str) -> Option<String> {
    let compact: String = text
        .chars()
        .filter(|c| !matches!(c, ' ' | '.' | '-'))
        .collect();
    let national = match compact.strip_prefix("+84") {
        Some(rest) => format!("0{rest}"),
        None => compact,
    };
    let fits = match national.len() {
        10 => national.starts_with('0'),
        11 => national.starts_with("02"),
        _ => false,
    };
    (fits && national.bytes().all(|b| b.is_ascii_digit())).then_some(national)
}

/// Whether `text` looks like an e-mail address (something, `@`, a dotted domain).
pub fn is_email(text: &str) -> bool {
    match text.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !text.chars().any(char::is_whitespace)
        }
        None => false,
    }
}

/// Every problem with a petition as sent, so a form can show them all at once.
pub fn check_submission(s: &PetitionSubmission) -> Vec<PetitionFieldError> {
    let mut errors = Vec::new();
    let mut push = |field: &'static str, vi: &str, en: &str| {
        errors.push(PetitionFieldError {
            field,
            vi: vi.to_owned(),
            en: en.to_owned(),
        });
    };
    if s.agency.trim().is_empty() {
        push(
            "agency",
            "hãy chọn cơ quan nhận phản ánh",
            "choose the agency the petition is for",
        );
    }
    match &s.about {
        PetitionAbout::Procedure { code, .. } if code.trim().is_empty() => push(
            "procedure",
            "hãy nhập mã thủ tục được phản ánh",
            "enter the code of the procedure concerned",
        ),
        PetitionAbout::Officer { name } if name.trim().is_empty() => push(
            "officer",
            "hãy nêu tên hoặc mô tả cán bộ được phản ánh",
            "name or describe the officer concerned",
        ),
        _ => {}
    }
    if s.title.trim().is_empty() {
        push("title", "hãy nhập tiêu đề", "enter a title");
    } else if s.title.chars().count() > MAX_TITLE_CHARS {
        push(
            "title",
            "tiêu đề dài quá 200 ký tự",
            "the title is longer than 200 characters",
        );
    }
    if s.content.trim().is_empty() {
        push(
            "content",
            "hãy nhập nội dung phản ánh, kiến nghị",
            "enter the content of the petition",
        );
    } else if s.content.chars().count() > MAX_TEXT_CHARS {
        push(
            "content",
            "nội dung dài quá 10.000 ký tự",
            "the content is longer than 10,000 characters",
        );
    }
    let c = &s.contact;
    if c.name.trim().is_empty() {
        push("name", "hãy nhập họ và tên", "enter your full name");
    }
    let phone = c.phone.as_deref().map(str::trim).filter(|p| !p.is_empty());
    let email = c.email.as_deref().map(str::trim).filter(|e| !e.is_empty());
    if let Some(phone) = phone
        && normalise_phone(phone).is_none()
    {
        push(
            "phone",
            "số điện thoại không hợp lệ (10 chữ số, bắt đầu bằng 0)",
            "the phone number is invalid (10 digits starting with 0)",
        );
    }
    if let Some(email) = email
        && !is_email(email)
    {
        push(
            "email",
            "địa chỉ thư điện tử không hợp lệ",
            "the e-mail address is invalid",
        );
    }
    if phone.is_none() && email.is_none() {
        push(
            "phone",
            "hãy cho số điện thoại hoặc địa chỉ thư điện tử để cơ quan liên hệ",
            "give a phone number or an e-mail address so the agency can reach you",
        );
    }
    errors
}

fn required(text: &str, field_vi: &str, field_en: &str) -> Result<String, PetitionError> {
    let text = text.trim();
    if text.is_empty() {
        return Err(PetitionError::Invalid(format!(
            "thiếu {field_vi} / {field_en} is required"
        )));
    }
    if text.chars().count() > MAX_TEXT_CHARS {
        return Err(PetitionError::Invalid(format!(
            "{field_vi} dài quá 10.000 ký tự / the {field_en} is longer than 10,000 characters"
        )));
    }
    Ok(text.to_owned())
}

/// Decides the events a command yields on the current state, and the resulting state.
/// Deadlines are computed here, on the agency's calendar, and recorded in the events.
///
/// # Errors
/// Invalid input (naming the fields), a transition the status does not allow, a calendar
/// outside its range.
pub fn decide(
    state: Option<&Petition>,
    command: &PetitionCommand,
    ctx: &PetitionContext<'_>,
) -> Result<(Vec<PetitionEvent>, Petition), PetitionError> {
    let calendar_error = |e: crate::calendar::CalendarError| PetitionError::Calendar(e.to_string());
    let add = |from: DateTime<Utc>, days: u32| -> Result<DateTime<Utc>, PetitionError> {
        Ok(ctx
            .calendar
            .add_working_days(from.fixed_offset(), days)
            .map_err(calendar_error)?
            .to_utc())
    };
    let event = match (command, state) {
        (PetitionCommand::Submit(submission), None) => {
            let problems = check_submission(submission);
            if !problems.is_empty() {
                let text = problems
                    .iter()
                    .map(|p| format!("{}: {} / {}", p.field, p.vi, p.en))
                    .collect::<Vec<_>>()
                    .join("; ");
                return Err(PetitionError::Invalid(text));
            }
            let counted_from = ctx
                .calendar
                .effective_receipt(ctx.now.fixed_offset())
                .map_err(calendar_error)?
                .to_utc();
            let mut submission = submission.clone();
            submission.contact.phone = submission
                .contact
                .phone
                .as_deref()
                .and_then(normalise_phone);
            submission.contact.email = submission
                .contact
                .email
                .as_deref()
                .map(str::trim)
                .filter(|e| !e.is_empty())
                .map(str::to_owned);
            PetitionEvent::Received {
                submission,
                deadlines: PetitionDeadlines {
                    counted_from,
                    reject_due: add(counted_from, ctx.rules.reject_working_days)?,
                    supplement_due: add(counted_from, ctx.rules.supplement_working_days)?,
                    answer_due: add(counted_from, ctx.rules.answer_working_days)?,
                },
            }
        }
        (PetitionCommand::Submit(_), Some(p)) => {
            return Err(PetitionError::Existence(format!(
                "phản ánh {} đã tồn tại / petition {} already exists",
                p.code(),
                p.code()
            )));
        }
        (_, None) => {
            return Err(PetitionError::Existence(
                "phản ánh chưa tồn tại / the petition does not exist".into(),
            ));
        }
        (PetitionCommand::Reject { reasons }, Some(_)) => PetitionEvent::Rejected {
            reasons: required(reasons, "lý do từ chối", "reasons")?,
        },
        (PetitionCommand::RequestSupplement { reasons }, Some(_)) => {
            PetitionEvent::SupplementRequested {
                reasons: required(reasons, "nội dung cần bổ sung", "request")?,
            }
        }
        (PetitionCommand::ProvideSupplement { text }, Some(_)) => {
            PetitionEvent::SupplementProvided {
                text: required(text, "thông tin bổ sung", "information")?,
            }
        }
        (PetitionCommand::Answer { answer }, Some(_)) => PetitionEvent::Answered {
            answer: required(answer, "nội dung trả lời", "answer")?,
            publish_due: add(ctx.now, ctx.rules.publish_working_days)?,
        },
        (PetitionCommand::Publish, Some(_)) => PetitionEvent::Published,
    };
    let next = apply(state.cloned(), &event, ctx.now)?;
    Ok((vec![event], next))
}

/// Applies `event`, which happened at `at`, to `state` (`None` before the first event).
///
/// # Errors
/// The reason the event cannot follow the state.
pub fn apply(
    state: Option<Petition>,
    event: &PetitionEvent,
    at: DateTime<Utc>,
) -> Result<Petition, PetitionError> {
    let Some(mut p) = state else {
        return match event {
            PetitionEvent::Received {
                submission,
                deadlines,
            } => Ok(Petition {
                submission: (**submission).clone(),
                status: PetitionStatus::Received,
                version: 1,
                received_at: at,
                deadlines: *deadlines,
                rejected: None,
                supplements: Vec::new(),
                answer: None,
                publish_due: None,
                published_at: None,
            }),
            _ => Err(PetitionError::Existence(format!(
                "phản ánh chưa tồn tại nên không thể ghi '{}' / the petition does not exist, so '{}' cannot be recorded",
                event.kind(),
                event.kind()
            ))),
        };
    };
    use PetitionStatus::*;
    let status = p.status;
    let refuse = |action: &'static str, action_en: &'static str| {
        Err(PetitionError::IllegalTransition {
            action,
            action_en,
            status,
        })
    };
    match event {
        PetitionEvent::Received { .. } => {
            return Err(PetitionError::Existence(format!(
                "phản ánh {} đã tồn tại / petition {} already exists",
                p.code(),
                p.code()
            )));
        }
        PetitionEvent::Rejected { reasons } => {
            // Rejection comes before any handling: once more information was asked for,
            // the petition is being handled and ends with an answer.
            if status != Received {
                return refuse("từ chối xử lý", "reject the petition");
            }
            p.rejected = Some((reasons.clone(), at));
            p.status = Rejected;
        }
        PetitionEvent::SupplementRequested { reasons } => {
            if !matches!(status, Received | SupplementProvided) {
                return refuse("yêu cầu bổ sung thông tin", "request more information");
            }
            p.supplements.push(SupplementRound {
                reasons: reasons.clone(),
                requested_at: at,
                reply: None,
                replied_at: None,
            });
            p.status = SupplementRequested;
        }
        PetitionEvent::SupplementProvided { text } => {
            if status != SupplementRequested {
                return refuse("bổ sung thông tin", "provide more information");
            }
            if let Some(round) = p.supplements.last_mut() {
                round.reply = Some(text.clone());
                round.replied_at = Some(at);
            }
            p.status = SupplementProvided;
        }
        PetitionEvent::Answered {
            answer,
            publish_due,
        } => {
            if !matches!(status, Received | SupplementProvided | SupplementRequested) {
                return refuse("trả lời", "answer the petition");
            }
            p.answer = Some((answer.clone(), at));
            p.publish_due = Some(*publish_due);
            p.status = Answered;
        }
        PetitionEvent::Published => {
            if status != Answered {
                return refuse("công khai câu trả lời", "publish the answer");
            }
            p.published_at = Some(at);
            p.status = Published;
        }
    }
    p.version += 1;
    Ok(p)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "a failed step fails the test")]

    use chrono::{FixedOffset, TimeZone};

    use super::*;
    use crate::calendar::{CalendarConfig, bundled_schedules};

    fn vn(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
        FixedOffset::east_opt(7 * 3600)
            .unwrap()
            .with_ymd_and_hms(y, m, d, h, min, 0)
            .unwrap()
            .to_utc()
    }

    fn calendar() -> Calendar {
        Calendar::new(CalendarConfig::default(), bundled_schedules()).unwrap()
    }

    fn submission() -> PetitionSubmission {
        PetitionSubmission {
            code: "PA-TEST".into(),
            agency: "000.00.10.H05".into(),
            class: PetitionClass::Procedure,
            about: PetitionAbout::Procedure {
                code: "2.000815".into(),
                name: "Chứng thực bản sao".into(),
            },
            title: "Thời gian chờ quá lâu".into(),
            content: "Tôi phải chờ hai giờ.".into(),
            contact: PetitionContact {
                name: "Trần Thị Bình".into(),
                phone: Some("0912 345 678".into()),
                email: None,
                address: None,
            },
            account: None,
        }
    }

    fn run(
        state: Option<&Petition>,
        command: PetitionCommand,
        now: DateTime<Utc>,
    ) -> Result<Petition, PetitionError> {
        let calendar = calendar();
        let rules = PetitionRules::default();
        let ctx = PetitionContext {
            now,
            calendar: &calendar,
            rules: &rules,
        };
        decide(state, &command, &ctx).map(|(_, p)| p)
    }

    #[test]
    fn deadlines_count_working_days_from_receipt() {
        // Monday 23/11/2026 09:00; Tuesday 24/11 is Vietnam Culture Day (a holiday from
        // 2026): 2 working days → Thursday 26/11, 5 → Tuesday 01/12, 15 → Tuesday 15/12.
        let p = run(
            None,
            PetitionCommand::Submit(Box::new(submission())),
            vn(2026, 11, 23, 9, 0),
        )
        .unwrap();
        assert_eq!(p.deadlines.reject_due, vn(2026, 11, 26, 9, 0));
        assert_eq!(p.deadlines.supplement_due, vn(2026, 12, 1, 9, 0));
        assert_eq!(p.deadlines.answer_due, vn(2026, 12, 15, 9, 0));
        assert_eq!(p.submission.contact.phone.as_deref(), Some("0912345678"));
    }

    #[test]
    fn holidays_do_not_count() {
        // Tuesday 28/04/2026: 30/4 and 1/5 are holidays, 2–3/5 the weekend, so 2 working
        // days end on Monday 04/05 (29/4 is the first).
        let p = run(
            None,
            PetitionCommand::Submit(Box::new(submission())),
            vn(2026, 4, 28, 10, 0),
        )
        .unwrap();
        assert_eq!(p.deadlines.reject_due, vn(2026, 5, 4, 10, 0));
    }

    #[test]
    fn an_evening_petition_counts_from_the_next_session() {
        let p = run(
            None,
            PetitionCommand::Submit(Box::new(submission())),
            vn(2026, 11, 23, 20, 0),
        )
        .unwrap();
        // The next session after Monday evening is Wednesday morning (Tuesday is a holiday).
        assert_eq!(p.deadlines.counted_from, vn(2026, 11, 25, 7, 30));
    }

    #[test]
    fn the_life_cycle_and_its_punctuality() {
        let at = vn(2026, 11, 23, 9, 0);
        let p = run(None, PetitionCommand::Submit(Box::new(submission())), at).unwrap();
        let asked = run(
            Some(&p),
            PetitionCommand::RequestSupplement {
                reasons: "Ngày giờ cụ thể?".into(),
            },
            vn(2026, 11, 24, 9, 0),
        )
        .unwrap();
        assert_eq!(asked.status, PetitionStatus::SupplementRequested);
        let err = run(
            Some(&asked),
            PetitionCommand::Reject {
                reasons: "x".into(),
            },
            vn(2026, 11, 24, 10, 0),
        )
        .unwrap_err();
        assert!(err.to_string().contains("cannot reject"), "{err}");
        let replied = run(
            Some(&asked),
            PetitionCommand::ProvideSupplement {
                text: "Sáng 20/11".into(),
            },
            vn(2026, 11, 25, 9, 0),
        )
        .unwrap();
        let answered = run(
            Some(&replied),
            PetitionCommand::Answer {
                answer: "Đã chấn chỉnh.".into(),
            },
            vn(2026, 12, 16, 9, 0),
        )
        .unwrap();
        // Answered a day after the 15 working days: late; publication still pending.
        let steps = answered.steps(vn(2026, 12, 16, 10, 0));
        assert_eq!(steps[0].step, PetitionStep::Answer);
        assert_eq!(steps[0].punctuality, Punctuality::Late);
        assert_eq!(steps[1].punctuality, Punctuality::OnTime);
        assert_eq!(steps[2].punctuality, Punctuality::Pending);
        assert!(!answered.on_time(vn(2026, 12, 16, 10, 0)));
        let published = run(
            Some(&answered),
            PetitionCommand::Publish,
            vn(2026, 12, 17, 9, 0),
        )
        .unwrap();
        assert_eq!(published.status, PetitionStatus::Published);
        assert_eq!(
            published.steps(vn(2026, 12, 17, 9, 0))[2].punctuality,
            Punctuality::OnTime
        );
        assert!(
            run(
                Some(&published),
                PetitionCommand::Publish,
                vn(2026, 12, 17, 9, 0)
            )
            .is_err()
        );
    }

    #[test]
    fn missing_contact_details_are_named() {
        let mut s = submission();
        s.contact.phone = None;
        s.contact.name = " ".into();
        s.title.clear();
        let fields: Vec<_> = check_submission(&s).into_iter().map(|e| e.field).collect();
        assert_eq!(fields, ["title", "name", "phone"]);
        s.contact.email = Some("not-an-address".into());
        let fields: Vec<_> = check_submission(&s).into_iter().map(|e| e.field).collect();
        assert!(fields.contains(&"email"));
    }

    #[test]
    fn replaying_the_events_gives_the_same_state() {
        let at = vn(2026, 11, 23, 9, 0);
        let calendar = calendar();
        let rules = PetitionRules::default();
        let ctx = |now| PetitionContext {
            now,
            calendar: &calendar,
            rules: &rules,
        };
        let (e1, p1) = decide(
            None,
            &PetitionCommand::Submit(Box::new(submission())),
            &ctx(at),
        )
        .unwrap();
        let (e2, p2) = decide(
            Some(&p1),
            &PetitionCommand::Answer {
                answer: "Đã xử lý".into(),
            },
            &ctx(vn(2026, 11, 24, 9, 0)),
        )
        .unwrap();
        let replayed = apply(
            Some(apply(None, &e1[0], at).unwrap()),
            &e2[0],
            vn(2026, 11, 24, 9, 0),
        )
        .unwrap();
        assert_eq!(replayed, p2);
        assert_eq!(p2.version, 2);
    }
}
