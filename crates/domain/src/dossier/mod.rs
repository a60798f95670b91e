//! The dossier (hồ sơ) engine: its events, its state and the pure rules that move it.
//!
//! A dossier changes only by events. [`decide`] turns a [`Command`] and the current state into
//! events (computing deadlines with the calendar, so the events record the facts as they were
//! decided); [`apply`] checks that an event may follow the current state and yields the next
//! state. Replaying a dossier's events through [`apply`] rebuilds it exactly, without the
//! calendar — which is what lets a rule change later without rewriting history.

mod apply;
mod code;
mod decide;
mod outcome;
mod status;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::catalog::TimeLimit;
use crate::event::Channel;
use crate::ids::{PersonalId, TaxCode};

pub use apply::apply;
pub use code::{DossierCode, MAX_DAILY_SEQUENCE};
pub use decide::{Command, Context, DossierRules, add_limit, decide};
pub use outcome::{Outcome, OutcomeRules, Timing};
pub use status::Status;

/// Why a command or event was refused. Messages are Vietnamese, then English, and say why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DossierError {
    /// The dossier code is malformed.
    #[error("{0}")]
    InvalidCode(String),
    /// An agency received more than 9,999 dossiers in one day.
    #[error(
        "cơ quan {agency} đã dùng hết 9.999 số thứ tự của ngày {date} / agency {agency} has used all 9,999 sequence numbers of {date}"
    )]
    SequenceExhausted {
        /// Agency identifier code.
        agency: String,
        /// The day.
        date: chrono::NaiveDate,
    },
    /// The transition is not allowed from the current status.
    #[error(
        "không thể {action} khi hồ sơ đang ở trạng thái \"{}\" / cannot {action_en} while the dossier is \"{}\"",
        status.name_vi(),
        status.name_en()
    )]
    IllegalTransition {
        /// What was attempted, in Vietnamese.
        action: &'static str,
        /// What was attempted, in English.
        action_en: &'static str,
        /// The current status.
        status: Status,
    },
    /// The dossier does not exist yet, or already exists.
    #[error("{0}")]
    Existence(String),
    /// A rule of the procedure or of the law forbids the change; the text says which.
    #[error("{0}")]
    Rule(String),
    /// The input is invalid; the text names the field.
    #[error("{0}")]
    Invalid(String),
}

/// Who the dossier is for: a person by personal identification number, or an organisation by
/// tax code (regulations §5).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "number", rename_all = "snake_case")]
pub enum ApplicantId {
    /// An individual (số định danh cá nhân, 12 digits).
    Person(PersonalId),
    /// A business or organisation (mã số thuế / mã số doanh nghiệp).
    Organisation(TaxCode),
}

/// The applicant (chủ hồ sơ).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Applicant {
    /// Identification number.
    pub id: ApplicantId,
    /// Full name of the person or organisation.
    pub name: String,
    /// Phone number, used with the dossier code to look it up without an account.
    pub phone: Option<String>,
    /// E-mail address.
    pub email: Option<String>,
    /// Postal address.
    pub address: Option<String>,
}

/// What the dossier asks for: the procedure as it stood when the dossier was created.
///
/// Copied into the dossier so later catalogue changes never alter an existing dossier
/// (regulations §0: a dossier keeps the rule version that applied when it was received).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProcedureRef {
    /// National procedure code, e.g. `2.000815`.
    pub code: String,
    /// Procedure name.
    pub name: String,
    /// The time limit in force (the local commitment if shorter than the statutory one).
    pub limit: Option<TimeLimit>,
    /// Same-day certification: a request after the cut-off is due the next working day
    /// (Decree 23/2015/NĐ-CP art. 7).
    pub same_day_certification: bool,
    /// Whether the procedure's result is a document (766 indicators 4.1, 4.2 count only those).
    pub document_result: bool,
    /// Whether the procedure was offered as a full-process (toàn trình) online service when
    /// the dossier was created (766 indicator 3.0); absent in older events: not offered.
    #[serde(default)]
    pub full_process_online: bool,
    /// What the 766 indicators counting procedures (3.2, 3.5, 3.5b, 4.5a) need of the
    /// procedure as it stood; absent in older events: in none of their sets.
    #[serde(default)]
    pub counted_in: ProcedureSets,
}

/// The sets of procedures a 766 indicator counting procedures divides by, that a dossier's
/// procedure was in when the dossier was created.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProcedureSets {
    /// Offered as an online service, partial or full-process (3.2).
    pub online_service: bool,
    /// With fee information in the catalogue (3.5, 3.5b).
    pub fee_information: bool,
    /// Open to individuals (4.5a).
    pub for_individuals: bool,
}

/// How a submitted component (thành phần hồ sơ) reached the dossier; feeds 766 group 6.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Component {
    /// Component name as in the procedure.
    pub name: String,
    /// A file is attached (submitted online, or scanned at the desk: 766 indicator 4.2).
    pub has_file: bool,
    /// Reused from an earlier dossier's digitized documents (766 indicator 4.3).
    pub reused: bool,
    /// Taken from the applicant's data store on the national portal (766 indicator 4.4).
    pub from_data_store: bool,
    /// The files attached to the component, by content (older events have none).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub files: Vec<FileRef>,
}

/// The component's name with its counts, as the dossier records it: the engine's component
/// has no counts, so they travel in the name ("… (bản chính: 1; bản sao: 2)").
pub fn name_with_counts(name: &str, originals: u32, copies: u32) -> String {
    format!("{name} (bản chính: {originals}; bản sao: {copies})")
}

/// Splits a recorded component name into its name and counts (see [`name_with_counts`]).
pub fn split_counts(recorded: &str) -> (&str, Option<(u32, u32)>) {
    let parsed = recorded
        .strip_suffix(')')
        .and_then(|rest| rest.rsplit_once(" (bản chính: "))
        .and_then(|(name, counts)| {
            let (o, c) = counts.split_once("; bản sao: ")?;
            Some((name, (o.parse().ok()?, c.parse().ok()?)))
        });
    match parsed {
        Some((name, counts)) => (name, Some(counts)),
        None => (recorded, None),
    }
}

/// A file in the content-addressed store: the SHA-256 of its bytes is its identity, so a
/// reference can never come to mean other bytes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileRef {
    /// SHA-256 of the content, 64 lower-case hex digits.
    pub sha256: String,
    /// The file name the applicant gave (shown, never used as a path).
    pub name: String,
    /// Media type found from the content: `application/pdf`, `image/jpeg` or `image/png`.
    pub media_type: String,
    /// Size in bytes.
    pub size: u64,
}

/// The content of a new dossier.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Submission {
    /// The dossier's code, allocated by storage.
    pub code: DossierCode,
    /// Identifier code of the agency responsible for the dossier.
    pub agency: String,
    /// The procedure.
    pub procedure: ProcedureRef,
    /// The applicant.
    pub applicant: Applicant,
    /// Channel of submission: desk, online or post (DVCQG `KenhThucHien` 1/2/3).
    pub channel: Channel,
    /// Submitted components.
    pub components: Vec<Component>,
    /// The applicant's account was authenticated with the national e-ID (766 indicator 4.5).
    pub eid_verified: bool,
    /// The secret printed on the receipt that, with the code, lets anyone holding the receipt
    /// follow the dossier without an account.
    pub lookup_secret: String,
}

/// A processing step (bước xử lý) with its own time budget; inter-agency procedures pass the
/// dossier between agencies, each step recorded like a row of the process-control slip
/// (Form 06, Circular 01/2018/TT-VPCP).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Step {
    /// Step name, e.g. "Thẩm định".
    pub name: String,
    /// Identifier code of the agency handling the step.
    pub agency: String,
    /// Account id of the assignee, if assigned.
    pub assignee: Option<String>,
    /// When the step started.
    pub started_at: DateTime<Utc>,
    /// The step's own due instant, when it has a budget.
    pub due: Option<DateTime<Utc>>,
    /// When the dossier left the step.
    pub ended_at: Option<DateTime<Utc>>,
}

/// A period during which the processing clock stood still.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pause {
    /// Why the clock stopped.
    pub reason: PauseReason,
    /// When it stopped.
    pub from: DateTime<Utc>,
    /// When it resumed.
    pub until: Option<DateTime<Utc>>,
    /// Working minutes added to the due instant on resumption.
    pub working_minutes: i64,
}

/// Why the processing clock was paused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PauseReason {
    /// Waiting for the applicant's supplement (766 rule 2.1).
    Supplement,
    /// Waiting for the applicant to pay a financial obligation.
    Payment,
}

/// The outcome of processing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Decision {
    /// The request is granted.
    Approved,
    /// The request is refused with written reasons.
    Refused {
        /// The written reasons.
        reasons: String,
    },
}

/// Form of the issued result.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ResultForm {
    /// An electronic document (766 indicator 4.1).
    Electronic,
    /// Paper only.
    Paper,
}

/// How the result reached the applicant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReturnMethod {
    /// At the one-stop desk.
    Desk,
    /// By public postal service.
    Post,
    /// Online (download, data store).
    Online,
}

/// The applicant's rating of the service (766 group 5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Rating {
    /// Hài lòng.
    Satisfied,
    /// Chấp nhận được.
    Acceptable,
    /// Không hài lòng.
    Dissatisfied,
}

/// A fee line of a financial obligation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeeLine {
    /// Name of the fee or charge.
    pub name: String,
    /// Amount in đồng.
    pub amount_vnd: u64,
}

/// Everything that can happen to a dossier. The instant and the actor are in the envelope
/// ([`crate::event::EventMeta`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum DossierEvent {
    /// The dossier was created (online submission, or the first step of a desk/post intake).
    Submitted(Box<Submission>),
    /// One-time written guidance to complete the dossier at intake (Form 02); the clock has
    /// not started (regulations §2.5).
    IntakeSupplementRequested {
        /// What is missing or wrong.
        reasons: String,
    },
    /// The applicant completed the dossier after the intake guidance.
    IntakeSupplementProvided,
    /// A complete, valid dossier was received; the clock starts (Form 01).
    Received {
        /// The instant the time limit counts from (after cut-off rules).
        clock_start: DateTime<Utc>,
        /// The appointment (ngày hẹn trả), computed by the agency's calendar; `None` when the
        /// procedure has no time limit.
        due: Option<DateTime<Utc>>,
    },
    /// Refused at reception with written reasons (Form 03).
    RefusedAtIntake {
        /// The written reasons.
        reasons: String,
    },
    /// Moved to a processing step, possibly in another agency.
    Transferred {
        /// Step name.
        step: String,
        /// Agency of the step.
        agency: String,
        /// Assignee, if any.
        assignee: Option<String>,
        /// The step's own due instant, if it has a budget.
        step_due: Option<DateTime<Utc>>,
    },
    /// A supplement was requested during processing; the clock pauses.
    SupplementRequested {
        /// What is missing or wrong.
        reasons: String,
    },
    /// The applicant supplied; the clock resumes and the due instants move by the pause.
    SupplementProvided {
        /// Working minutes the clock stood still.
        paused_minutes: i64,
        /// The new appointment in force.
        due: DateTime<Utc>,
        /// The new appointment that statistics measure against (differs from `due` only after
        /// an extension).
        statistical_due: DateTime<Utc>,
    },
    /// The applicant must pay fees or taxes before processing continues.
    PaymentRequested {
        /// What to pay.
        lines: Vec<FeeLine>,
    },
    /// The applicant paid.
    PaymentMade {
        /// Amount paid, in đồng.
        amount_vnd: u64,
        /// Paid online (766 indicator 3.6).
        online: bool,
        /// Working minutes the clock stood still while awaiting payment (0 when payment does
        /// not pause the clock).
        paused_minutes: i64,
        /// The appointment in force after the pause.
        due: DateTime<Utc>,
        /// The appointment statistics measure against, after the pause.
        statistical_due: DateTime<Utc>,
    },
    /// Processing finished (the end-of-processing instant of 766 rule 2.1).
    ProcessingFinished {
        /// Granted or refused.
        decision: Decision,
    },
    /// The result document was issued.
    ResultIssued {
        /// Electronic or paper.
        form: ResultForm,
        /// Document number, if any.
        number: Option<String>,
    },
    /// The paper result was scanned into the dossier (digitization of results, Circular
    /// 01/2023/TT-VPCP; it joins the applicant's data store).
    ResultScanned {
        /// The scan.
        file: FileRef,
    },
    /// The result reached the applicant.
    ResultReturned {
        /// How.
        method: ReturnMethod,
    },
    /// The applicant withdrew the dossier.
    Withdrawn {
        /// The applicant's reasons.
        reasons: String,
    },
    /// Processing was stopped (Form 05, Circular 03/2025/TT-VPCP).
    Stopped {
        /// The written reasons.
        reasons: String,
    },
    /// Apology letter and new appointment for a dossier about to be late (Form 04); allowed
    /// once.
    Extended {
        /// Reason for the delay.
        reasons: String,
        /// The new appointment.
        due: DateTime<Utc>,
    },
    /// The applicant rated the service.
    Rated {
        /// The rating.
        rating: Rating,
    },
}

impl DossierEvent {
    /// Stable name of the event kind, as stored in the log.
    pub fn kind(&self) -> &'static str {
        match self {
            DossierEvent::Submitted(_) => "submitted",
            DossierEvent::IntakeSupplementRequested { .. } => "intake_supplement_requested",
            DossierEvent::IntakeSupplementProvided => "intake_supplement_provided",
            DossierEvent::Received { .. } => "received",
            DossierEvent::RefusedAtIntake { .. } => "refused_at_intake",
            DossierEvent::Transferred { .. } => "transferred",
            DossierEvent::SupplementRequested { .. } => "supplement_requested",
            DossierEvent::SupplementProvided { .. } => "supplement_provided",
            DossierEvent::PaymentRequested { .. } => "payment_requested",
            DossierEvent::PaymentMade { .. } => "payment_made",
            DossierEvent::ProcessingFinished { .. } => "processing_finished",
            DossierEvent::ResultIssued { .. } => "result_issued",
            DossierEvent::ResultScanned { .. } => "result_scanned",
            DossierEvent::ResultReturned { .. } => "result_returned",
            DossierEvent::Withdrawn { .. } => "withdrawn",
            DossierEvent::Stopped { .. } => "stopped",
            DossierEvent::Extended { .. } => "extended",
            DossierEvent::Rated { .. } => "rated",
        }
    }
}

/// The current state of a dossier: the projection of its events.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Dossier {
    /// What was submitted.
    pub submission: Submission,
    /// Current status.
    pub status: Status,
    /// Number of events applied (the stream version).
    pub version: i64,
    /// When it was created.
    pub submitted_at: DateTime<Utc>,
    /// When intake guidance was given, if it was.
    pub intake_supplement_at: Option<DateTime<Utc>>,
    /// When the applicant completed the dossier after intake guidance.
    pub intake_supplement_provided_at: Option<DateTime<Utc>>,
    /// When the valid dossier was received.
    pub received_at: Option<DateTime<Utc>>,
    /// The instant the time limit counts from.
    pub clock_start: Option<DateTime<Utc>>,
    /// The first appointment.
    pub original_due: Option<DateTime<Utc>>,
    /// The appointment in force (moved by pauses and by the one extension).
    pub due: Option<DateTime<Utc>>,
    /// The appointment statistics measure against: moved by pauses, not by the extension
    /// (see [`OutcomeRules::extension_counts`]).
    pub statistical_due: Option<DateTime<Utc>>,
    /// Clock pauses, in order.
    pub pauses: Vec<Pause>,
    /// Supplement requests during processing (a second one counts the dossier late, 766).
    pub supplement_requests: u32,
    /// The apology/extension, if granted.
    pub extended_at: Option<DateTime<Utc>>,
    /// Processing steps, in order.
    pub steps: Vec<Step>,
    /// The outstanding or settled financial obligation, in đồng.
    pub payment_due_vnd: Option<u64>,
    /// Whether the obligation was paid, and online.
    pub paid_online: Option<bool>,
    /// The decision, once processing finished.
    pub decision: Option<Decision>,
    /// End of processing (766 `NgayKetThucXuLy`): processed, or stopped/refused/withdrawn.
    pub finished_at: Option<DateTime<Utc>>,
    /// Result form and when it was issued.
    pub result: Option<(ResultForm, DateTime<Utc>)>,
    /// The scan of a paper result.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result_scan: Option<FileRef>,
    /// How and when the result was returned.
    pub returned: Option<(ReturnMethod, DateTime<Utc>)>,
    /// The applicant's rating.
    pub rating: Option<Rating>,
}

impl Dossier {
    /// The dossier's code.
    pub fn code(&self) -> &DossierCode {
        &self.submission.code
    }
}

#[cfg(test)]
mod component_name_tests {
    use super::*;

    #[test]
    fn counts_travel_in_the_component_name() {
        let recorded = name_with_counts("Tờ khai (theo mẫu)", 1, 2);
        assert_eq!(recorded, "Tờ khai (theo mẫu) (bản chính: 1; bản sao: 2)");
        assert_eq!(
            split_counts(&recorded),
            ("Tờ khai (theo mẫu)", Some((1, 2)))
        );
        assert_eq!(split_counts("Giấy tờ khác"), ("Giấy tờ khác", None));
    }
}
