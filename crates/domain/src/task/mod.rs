//! Tasks that steering assigns (issue 7): a meeting's conclusion, a directive or a plan gives
//! a unit a task with a deadline; the lead unit reports progress, may ask for more time, and
//! reports it done with its evidence; the assigner decides on the extension, accepts or
//! returns the completion, or cancels the task. Each change is an event of the task's
//! stream, like a dossier's, and [`decide`] is the one function that says what may follow
//! what.
//!
//! A task's status at an instant is one of the four the state sector reports
//! (regulations.md §10, 🟡): done on time, done late, open within its deadline, open and
//! overdue ([`classify`]). A deadline is a date; it ends at the close of office hours of that
//! day, or of the next working day when it falls on a day off
//! ([`Calendar::deadline_due`]), computed when the deadline is set and recorded in the event,
//! as a dossier's appointment is. A task split into sub-tasks shows their roll-up
//! ([`roll_up`]); a recurring task is a series of ordinary tasks, one per period
//! ([`recurrence`]).

pub mod recurrence;
pub mod reminder;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::calendar::Calendar;
use crate::dossier::FileRef;
pub use recurrence::{Frequency, Occurrence, Recurrence, Series};

/// Longest title kept, in characters.
pub const MAX_TITLE_CHARS: usize = 300;

/// Longest text of a report or decision kept, in characters.
pub const MAX_TEXT_CHARS: usize = 4_000;

/// Most files attached to one report.
pub const MAX_FILES: usize = 10;

/// How urgent a task is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Priority {
    /// Ordinary (thường).
    #[default]
    Normal,
    /// Important (quan trọng).
    High,
    /// Urgent (khẩn).
    Urgent,
}

impl Priority {
    /// Every priority, least urgent first.
    pub const ALL: [Priority; 3] = [Priority::Normal, Priority::High, Priority::Urgent];

    /// Identifier, as stored and in the API.
    pub fn as_str(self) -> &'static str {
        match self {
            Priority::Normal => "normal",
            Priority::High => "high",
            Priority::Urgent => "urgent",
        }
    }

    /// Parses [`Priority::as_str`].
    pub fn parse(s: &str) -> Option<Priority> {
        Priority::ALL.into_iter().find(|p| p.as_str() == s)
    }
}

/// What the assigner gives: the task as assigned.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Assignment {
    /// Title, e.g. "Hoàn thành số hóa hồ sơ hộ tịch".
    pub title: String,
    /// What is to be done.
    pub content: String,
    /// The assigning agency (its identifier code).
    pub assigner: String,
    /// The lead agency, which reports.
    pub lead: String,
    /// The coordinating agencies.
    pub coordinators: Vec<String>,
    /// The deadline, a date (it ends at [`Calendar::deadline_due`]).
    pub deadline: NaiveDate,
    /// The output expected, e.g. "Báo cáo kết quả".
    pub output: String,
    /// How urgent.
    pub priority: Priority,
    /// The plan or programme it belongs to (a steering document's id), e.g. the year's
    /// reform plan or Project 06.
    pub plan: Option<String>,
    /// The steering document it comes from (a conclusion, plan or directive), by id.
    pub source: Option<String>,
    /// The task it is a part of, when it was split from one.
    pub parent: Option<String>,
    /// The series it is one period of, when it recurs ("monthly, by the 20th").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub series: Option<Series>,
}

/// An event of a task's stream.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum TaskEvent {
    /// Assigned.
    Assigned {
        /// The task as assigned.
        assignment: Box<Assignment>,
        /// When its deadline ends.
        due: DateTime<Utc>,
    },
    /// The lead unit reported its progress.
    ProgressReported {
        /// How far, in per cent.
        percent: u8,
        /// What was done.
        text: String,
        /// Attachments.
        files: Vec<FileRef>,
    },
    /// The lead unit asked for a later deadline.
    ExtensionRequested {
        /// The deadline asked for.
        until: NaiveDate,
        /// Why.
        reason: String,
    },
    /// The assigner decided on the extension asked for.
    ExtensionDecided {
        /// Granted (the deadline moves) or refused.
        granted: bool,
        /// The assigner's note.
        note: String,
        /// When the new deadline ends, when granted.
        due: Option<DateTime<Utc>>,
    },
    /// The lead unit reported the task done, with its evidence.
    CompletionReported {
        /// What was done.
        text: String,
        /// The evidence.
        files: Vec<FileRef>,
    },
    /// The assigner accepted the completion, or returned it to be done again.
    CompletionDecided {
        /// Accepted (the task is done) or returned.
        accepted: bool,
        /// The assigner's note.
        note: String,
    },
    /// The assigner withdrew the task (assigned in error, or overtaken by events): it no
    /// longer counts.
    Cancelled {
        /// Why.
        reason: String,
    },
}

impl TaskEvent {
    /// Every event kind, as stored, in life-cycle order.
    pub const KINDS: [&'static str; 7] = [
        "assigned",
        "progress_reported",
        "extension_requested",
        "extension_decided",
        "completion_reported",
        "completion_decided",
        "cancelled",
    ];

    /// The event kind, as stored.
    pub fn kind(&self) -> &'static str {
        match self {
            TaskEvent::Assigned { .. } => "assigned",
            TaskEvent::ProgressReported { .. } => "progress_reported",
            TaskEvent::ExtensionRequested { .. } => "extension_requested",
            TaskEvent::ExtensionDecided { .. } => "extension_decided",
            TaskEvent::CompletionReported { .. } => "completion_reported",
            TaskEvent::CompletionDecided { .. } => "completion_decided",
            TaskEvent::Cancelled { .. } => "cancelled",
        }
    }
}

/// A task's current state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Task {
    /// Its identifier, e.g. `NV-2026-00042`.
    pub id: String,
    /// As assigned.
    pub assignment: Assignment,
    /// When it was assigned.
    pub assigned_at: DateTime<Utc>,
    /// The deadline in force (the assigned one, or the last extension granted).
    pub deadline: NaiveDate,
    /// When the deadline in force ends.
    pub due: DateTime<Utc>,
    /// The last progress reported, in per cent.
    pub progress: u8,
    /// When progress was last reported.
    pub progress_at: Option<DateTime<Utc>>,
    /// An extension asked for and not yet decided: the date and the reason.
    pub pending_extension: Option<(NaiveDate, String)>,
    /// When the lead unit reported it done, while the assigner has not decided.
    pub completion_reported_at: Option<DateTime<Utc>>,
    /// When it was done: the instant the accepted completion was reported (the assigner's
    /// review time does not count against the lead unit, 🔶).
    pub completed_at: Option<DateTime<Utc>>,
    /// When the assigner cancelled it.
    pub cancelled_at: Option<DateTime<Utc>>,
    /// Completions returned so far.
    pub returns: u32,
    /// Events applied (the stream's version).
    pub version: i64,
}

/// Who has the next move on a task.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Awaiting {
    /// The lead unit works on it.
    Lead,
    /// The assigner decides an extension asked for or a completion reported.
    Assigner,
    /// Nobody: it is done or cancelled.
    Nobody,
}

impl Task {
    /// Whether it is closed: done or cancelled.
    pub fn is_closed(&self) -> bool {
        self.completed_at.is_some() || self.cancelled_at.is_some()
    }

    /// Who has the next move.
    pub fn awaiting(&self) -> Awaiting {
        if self.is_closed() {
            Awaiting::Nobody
        } else if self.pending_extension.is_some() || self.completion_reported_at.is_some() {
            Awaiting::Assigner
        } else {
            Awaiting::Lead
        }
    }

    /// The agencies party to it: the assigner, the lead, then the coordinators.
    pub fn parties(&self) -> impl Iterator<Item = &str> {
        let a = &self.assignment;
        [a.assigner.as_str(), a.lead.as_str()]
            .into_iter()
            .chain(a.coordinators.iter().map(String::as_str))
    }
}

/// Why a task change was refused; each says what, in Vietnamese and English.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TaskError {
    /// A field is missing, too long or out of range; the message starts with the field.
    #[error("{0}")]
    Invalid(String),
    /// The change cannot follow the task's state.
    #[error("{0}")]
    Rule(String),
    /// The calendar cannot place the deadline (a date outside its range).
    #[error("{0}")]
    Calendar(String),
}

fn rule(vi: &str, en: &str) -> TaskError {
    TaskError::Rule(format!("{vi} / {en}"))
}

/// Checks a text of field `field`: required (`required`), at most `max` characters; the
/// trimmed text.
fn text(
    value: &str,
    field: &str,
    required: bool,
    max: usize,
    vi: &str,
    en: &str,
) -> Result<String, TaskError> {
    let value = value.trim();
    if required && value.is_empty() {
        return Err(TaskError::Invalid(format!(
            "{field}: thiếu {vi} / {en} is required"
        )));
    }
    if value.chars().count() > max {
        return Err(TaskError::Invalid(format!(
            "{field}: {vi} dài quá {max} ký tự / {en} is over {max} characters"
        )));
    }
    Ok(value.to_owned())
}

fn files(files: &[FileRef]) -> Result<(), TaskError> {
    if files.len() > MAX_FILES {
        return Err(TaskError::Invalid(format!(
            "files: tối đa {MAX_FILES} tệp mỗi lần báo cáo / at most {MAX_FILES} files per report"
        )));
    }
    Ok(())
}

/// Checks an assignment as given and trims its texts. `today` is the assigner's date: a
/// deadline before it is refused.
///
/// # Errors
/// [`TaskError::Invalid`] naming the field: a missing title, assigner or lead, a lead that
/// is also the assigner or a coordinator, a deadline before `today`.
pub fn check_assignment(mut given: Assignment, today: NaiveDate) -> Result<Assignment, TaskError> {
    given.title = text(
        &given.title,
        "title",
        true,
        MAX_TITLE_CHARS,
        "tên nhiệm vụ",
        "the title",
    )?;
    given.content = text(
        &given.content,
        "content",
        false,
        MAX_TEXT_CHARS,
        "nội dung",
        "the content",
    )?;
    given.output = text(
        &given.output,
        "output",
        false,
        MAX_TITLE_CHARS,
        "sản phẩm",
        "the output",
    )?;
    given.assigner = text(
        &given.assigner,
        "assigner",
        true,
        60,
        "đơn vị giao",
        "the assigning unit",
    )?;
    given.lead = text(
        &given.lead,
        "lead",
        true,
        60,
        "đơn vị chủ trì",
        "the lead unit",
    )?;
    if given.lead == given.assigner {
        return Err(TaskError::Invalid(
            "lead: đơn vị chủ trì phải khác đơn vị giao / the lead unit must differ from the assigning unit".into(),
        ));
    }
    given.coordinators = given
        .coordinators
        .iter()
        .map(|c| c.trim().to_owned())
        .filter(|c| !c.is_empty())
        .collect();
    given.coordinators.sort();
    given.coordinators.dedup();
    if given.coordinators.contains(&given.lead) {
        return Err(TaskError::Invalid(
            "coordinators: đơn vị chủ trì không đồng thời là đơn vị phối hợp / the lead unit is not also a coordinator".into(),
        ));
    }
    if given.deadline < today {
        return Err(TaskError::Invalid(format!(
            "deadline: thời hạn {} đã qua / the deadline {} has passed",
            given.deadline.format("%d/%m/%Y"),
            given.deadline.format("%d/%m/%Y")
        )));
    }
    Ok(given)
}

/// A change asked of a task.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TaskCommand {
    /// Assign it (the task does not exist yet).
    Assign(Box<Assignment>),
    /// The lead unit reports its progress.
    ReportProgress {
        /// How far, in per cent (0–100).
        percent: u8,
        /// What was done.
        text: String,
        /// Attachments.
        files: Vec<FileRef>,
    },
    /// The lead unit asks for a later deadline.
    RequestExtension {
        /// The deadline asked for.
        until: NaiveDate,
        /// Why.
        reason: String,
    },
    /// The assigner grants or refuses the extension asked for.
    DecideExtension {
        /// Granted or refused.
        granted: bool,
        /// A note (required when refused).
        note: String,
    },
    /// The lead unit reports the task done.
    ReportCompletion {
        /// What was done.
        text: String,
        /// The evidence.
        files: Vec<FileRef>,
    },
    /// The assigner accepts the completion or returns it.
    DecideCompletion {
        /// Accepted or returned.
        accepted: bool,
        /// A note (required when returned).
        note: String,
    },
    /// The assigner withdraws the task.
    Cancel {
        /// Why.
        reason: String,
    },
}

/// What a decision needs besides the state: the instant and the lead unit's calendar.
#[derive(Debug, Clone, Copy)]
pub struct TaskContext<'a> {
    /// The instant of the command.
    pub now: DateTime<Utc>,
    /// The lead unit's calendar, which places deadlines.
    pub calendar: &'a Calendar,
}

impl TaskContext<'_> {
    fn due(&self, date: NaiveDate) -> Result<DateTime<Utc>, TaskError> {
        self.calendar
            .deadline_due(date)
            .map(|d| d.to_utc())
            .map_err(|e| TaskError::Calendar(format!("deadline: {e}")))
    }

    fn today(&self) -> NaiveDate {
        self.now
            .with_timezone(&self.calendar.config().offset)
            .date_naive()
    }
}

/// Decides `command` on the task `id` in `state` (`None` before it is assigned): the events
/// to record and the state after them.
///
/// # Errors
/// [`TaskError::Invalid`] for a bad field (named), [`TaskError::Rule`] when the command
/// cannot follow the state, [`TaskError::Calendar`] for a deadline outside the calendar.
pub fn decide(
    id: &str,
    state: Option<&Task>,
    command: &TaskCommand,
    ctx: &TaskContext<'_>,
) -> Result<(Vec<TaskEvent>, Task), TaskError> {
    let event = match command {
        TaskCommand::Assign(given) => {
            let assignment = check_assignment((**given).clone(), ctx.today())?;
            let due = ctx.due(assignment.deadline)?;
            TaskEvent::Assigned {
                assignment: Box::new(assignment),
                due,
            }
        }
        TaskCommand::ReportProgress {
            percent,
            text: t,
            files: f,
        } => {
            files(f)?;
            if *percent > 100 {
                return Err(TaskError::Invalid(
                    "percent: tiến độ từ 0 đến 100 / progress is from 0 to 100".into(),
                ));
            }
            TaskEvent::ProgressReported {
                percent: *percent,
                text: text(
                    t,
                    "text",
                    true,
                    MAX_TEXT_CHARS,
                    "nội dung báo cáo",
                    "the report",
                )?,
                files: f.clone(),
            }
        }
        TaskCommand::RequestExtension { until, reason } => TaskEvent::ExtensionRequested {
            // A date the calendar cannot end is refused when asked, not when granted.
            until: ctx
                .calendar
                .deadline_due(*until)
                .map(|_| *until)
                .map_err(|e| TaskError::Invalid(format!("until: {e}")))?,
            reason: text(
                reason,
                "reason",
                true,
                MAX_TEXT_CHARS,
                "lý do gia hạn",
                "the reason",
            )?,
        },
        TaskCommand::DecideExtension { granted, note } => {
            let note = text(
                note,
                "note",
                !granted,
                MAX_TEXT_CHARS,
                "lý do không gia hạn",
                "the reason for refusing",
            )?;
            let due = match (granted, state.and_then(|s| s.pending_extension.as_ref())) {
                (true, Some((until, _))) => Some(ctx.due(*until)?),
                _ => None,
            };
            TaskEvent::ExtensionDecided {
                granted: *granted,
                note,
                due,
            }
        }
        TaskCommand::ReportCompletion { text: t, files: f } => {
            files(f)?;
            TaskEvent::CompletionReported {
                text: text(
                    t,
                    "text",
                    true,
                    MAX_TEXT_CHARS,
                    "kết quả thực hiện",
                    "what was done",
                )?,
                files: f.clone(),
            }
        }
        TaskCommand::DecideCompletion { accepted, note } => TaskEvent::CompletionDecided {
            accepted: *accepted,
            note: text(
                note,
                "note",
                !accepted,
                MAX_TEXT_CHARS,
                "lý do trả lại",
                "the reason for returning it",
            )?,
        },
        TaskCommand::Cancel { reason } => TaskEvent::Cancelled {
            reason: text(
                reason,
                "reason",
                true,
                MAX_TEXT_CHARS,
                "lý do thu hồi",
                "the reason",
            )?,
        },
    };
    let next = apply(id, state.cloned(), &event, ctx.now)?;
    Ok((vec![event], next))
}

/// Applies an event recorded at `at` to the task `id`: the one place that says what may
/// follow what (replaying the log goes through it too).
///
/// # Errors
/// [`TaskError`] when the event cannot follow the state.
pub fn apply(
    id: &str,
    state: Option<Task>,
    event: &TaskEvent,
    at: DateTime<Utc>,
) -> Result<Task, TaskError> {
    let mut task = match (state, event) {
        (None, TaskEvent::Assigned { assignment, due }) => {
            return Ok(Task {
                id: id.to_owned(),
                deadline: assignment.deadline,
                due: *due,
                assignment: (**assignment).clone(),
                assigned_at: at,
                progress: 0,
                progress_at: None,
                pending_extension: None,
                completion_reported_at: None,
                completed_at: None,
                cancelled_at: None,
                returns: 0,
                version: 1,
            });
        }
        (None, _) => {
            return Err(rule(
                "nhiệm vụ chưa được giao",
                "the task has not been assigned",
            ));
        }
        (Some(task), _) => task,
    };
    if task.completed_at.is_some() {
        return Err(rule("nhiệm vụ đã hoàn thành", "the task is done"));
    }
    if task.cancelled_at.is_some() {
        return Err(rule("nhiệm vụ đã bị thu hồi", "the task was cancelled"));
    }
    match event {
        TaskEvent::Assigned { .. } => {
            return Err(rule(
                "nhiệm vụ đã được giao",
                "the task is already assigned",
            ));
        }
        TaskEvent::ProgressReported { percent, .. } => {
            if task.completion_reported_at.is_some() {
                return Err(rule(
                    "báo cáo hoàn thành đang chờ đơn vị giao xem xét",
                    "a completion report awaits the assigner's decision",
                ));
            }
            task.progress = (*percent).min(100);
            task.progress_at = Some(at);
        }
        TaskEvent::ExtensionRequested { until, reason } => {
            if task.pending_extension.is_some() {
                return Err(rule(
                    "đã có đề nghị gia hạn chờ quyết định",
                    "an extension request is awaiting a decision",
                ));
            }
            if task.completion_reported_at.is_some() {
                return Err(rule(
                    "báo cáo hoàn thành đang chờ đơn vị giao xem xét",
                    "a completion report awaits the assigner's decision",
                ));
            }
            if *until <= task.deadline {
                return Err(TaskError::Invalid(
                    "until: thời hạn đề nghị phải sau thời hạn hiện tại / the date asked for must be after the current deadline".into(),
                ));
            }
            task.pending_extension = Some((*until, reason.clone()));
        }
        TaskEvent::ExtensionDecided { granted, due, .. } => {
            let Some((until, _)) = task.pending_extension.take() else {
                return Err(rule(
                    "không có đề nghị gia hạn nào",
                    "no extension was asked for",
                ));
            };
            if *granted {
                let Some(due) = due else {
                    return Err(rule(
                        "gia hạn thiếu thời điểm hết hạn mới",
                        "a granted extension needs its new due instant",
                    ));
                };
                task.deadline = until;
                task.due = *due;
            }
        }
        TaskEvent::CompletionReported { .. } => {
            if task.completion_reported_at.is_some() {
                return Err(rule(
                    "báo cáo hoàn thành đang chờ đơn vị giao xem xét",
                    "a completion report awaits the assigner's decision",
                ));
            }
            // Reporting it done withdraws an extension still asked for.
            task.pending_extension = None;
            task.completion_reported_at = Some(at);
        }
        TaskEvent::CompletionDecided { accepted, .. } => {
            let Some(reported) = task.completion_reported_at.take() else {
                return Err(rule(
                    "chưa có báo cáo hoàn thành",
                    "no completion was reported",
                ));
            };
            if *accepted {
                task.completed_at = Some(reported);
                task.progress = 100;
            } else {
                task.returns += 1;
            }
        }
        TaskEvent::Cancelled { .. } => {
            task.pending_extension = None;
            task.completion_reported_at = None;
            task.cancelled_at = Some(at);
        }
    }
    task.version += 1;
    Ok(task)
}

/// A task's status as the state sector reports it (regulations.md §10, 🟡).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TaskStatus {
    /// Hoàn thành đúng hạn.
    DoneOnTime,
    /// Hoàn thành quá hạn.
    DoneLate,
    /// Chưa hoàn thành, trong hạn.
    OpenWithinTime,
    /// Chưa hoàn thành, quá hạn.
    OpenOverdue,
}

impl TaskStatus {
    /// The four, in the order reports list them.
    pub const ALL: [TaskStatus; 4] = [
        TaskStatus::DoneOnTime,
        TaskStatus::DoneLate,
        TaskStatus::OpenWithinTime,
        TaskStatus::OpenOverdue,
    ];

    /// Identifier, as stored and in the API.
    pub fn as_str(self) -> &'static str {
        match self {
            TaskStatus::DoneOnTime => "done_on_time",
            TaskStatus::DoneLate => "done_late",
            TaskStatus::OpenWithinTime => "open_within_time",
            TaskStatus::OpenOverdue => "open_overdue",
        }
    }

    /// Parses [`TaskStatus::as_str`].
    pub fn parse(s: &str) -> Option<TaskStatus> {
        TaskStatus::ALL.into_iter().find(|t| t.as_str() == s)
    }

    /// The name reports use, in Vietnamese.
    pub fn name_vi(self) -> &'static str {
        match self {
            TaskStatus::DoneOnTime => "Hoàn thành đúng hạn",
            TaskStatus::DoneLate => "Hoàn thành quá hạn",
            TaskStatus::OpenWithinTime => "Chưa hoàn thành, trong hạn",
            TaskStatus::OpenOverdue => "Chưa hoàn thành, quá hạn",
        }
    }

    /// The name in English.
    pub fn name_en(self) -> &'static str {
        match self {
            TaskStatus::DoneOnTime => "Done on time",
            TaskStatus::DoneLate => "Done late",
            TaskStatus::OpenWithinTime => "Open, within time",
            TaskStatus::OpenOverdue => "Open, overdue",
        }
    }

    /// Whether it is one of the two "done" statuses.
    pub fn is_done(self) -> bool {
        matches!(self, TaskStatus::DoneOnTime | TaskStatus::DoneLate)
    }
}

/// The status of `task` at instant `at`: `None` when it was not assigned yet or had been
/// cancelled by then. Done at the due instant itself is on time; open at it is still within
/// time. A deadline extended later counts as extended: the extension is the assigner's
/// decision to move it (🔶, regulations.md §10 gives no rule).
pub fn classify(task: &Task, at: DateTime<Utc>) -> Option<TaskStatus> {
    if task.assigned_at > at || task.cancelled_at.is_some_and(|c| c <= at) {
        return None;
    }
    Some(match task.completed_at {
        Some(done) if done <= at => {
            if done <= task.due {
                TaskStatus::DoneOnTime
            } else {
                TaskStatus::DoneLate
            }
        }
        _ if at <= task.due => TaskStatus::OpenWithinTime,
        _ => TaskStatus::OpenOverdue,
    })
}

/// The progress a parent shows of its sub-tasks: each done sub-task counts 100, each open
/// one its last report, averaged (rounded down); cancelled ones do not count. `None`
/// without sub-tasks that count.
pub fn roll_up<'a>(children: impl IntoIterator<Item = &'a Task>) -> Option<u8> {
    let (mut sum, mut count) = (0u64, 0u64);
    for child in children.into_iter().filter(|c| c.cancelled_at.is_none()) {
        sum += if child.completed_at.is_some() {
            100
        } else {
            u64::from(child.progress)
        };
        count += 1;
    }
    (count > 0).then(|| u8::try_from(sum / count).unwrap_or(100))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::{Calendar, CalendarConfig, bundled_schedules};
    use chrono::TimeZone;

    fn at(d: u32, h: u32) -> DateTime<Utc> {
        // 07:00 UTC is 14:00 in Việt Nam.
        Utc.with_ymd_and_hms(2026, 12, d, h, 0, 0).unwrap()
    }

    fn date(m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, m, d).unwrap()
    }

    fn calendar() -> Calendar {
        Calendar::new(CalendarConfig::default(), bundled_schedules()).unwrap()
    }

    fn assignment() -> Assignment {
        Assignment {
            title: "  Số hóa sổ hộ tịch  ".into(),
            content: "Số hóa toàn bộ sổ hộ tịch lưu trữ".into(),
            assigner: "000.00.00.H05".into(),
            lead: "000.00.10.H05".into(),
            coordinators: vec!["000.00.11.H05".into(), " ".into()],
            deadline: date(12, 15),
            output: "Báo cáo kết quả".into(),
            priority: Priority::High,
            plan: Some("VB-2026-0001".into()),
            source: Some("VB-2026-0002".into()),
            parent: None,
            series: None,
        }
    }

    fn run(
        state: Option<&Task>,
        command: TaskCommand,
        now: DateTime<Utc>,
    ) -> Result<Task, TaskError> {
        let calendar = calendar();
        let ctx = TaskContext {
            now,
            calendar: &calendar,
        };
        decide("NV-2026-00001", state, &command, &ctx).map(|(_, t)| t)
    }

    fn assigned() -> Task {
        run(None, TaskCommand::Assign(Box::new(assignment())), at(1, 2)).unwrap()
    }

    #[test]
    fn an_assignment_is_checked_and_trimmed_and_its_due_instant_recorded() {
        let task = assigned();
        assert_eq!(task.id, "NV-2026-00001");
        assert_eq!(task.assignment.title, "Số hóa sổ hộ tịch");
        assert_eq!(task.assignment.coordinators, ["000.00.11.H05"]);
        // Tuesday 15/12/2026 ends at 17:00 local = 10:00 UTC.
        assert_eq!(task.due, at(15, 10));
        let today = date(12, 1);
        let mut a = assignment();
        a.title = " ".into();
        let err = check_assignment(a, today).unwrap_err().to_string();
        assert!(
            err.starts_with("title:") && err.contains("the title"),
            "{err}"
        );
        let mut a = assignment();
        a.lead = a.assigner.clone();
        assert!(
            check_assignment(a, today)
                .unwrap_err()
                .to_string()
                .starts_with("lead:")
        );
        let mut a = assignment();
        a.coordinators.push("000.00.10.H05".into());
        assert!(
            check_assignment(a, today)
                .unwrap_err()
                .to_string()
                .starts_with("coordinators:")
        );
        // A deadline already passed is refused; the deadline's own day is fine.
        assert!(
            check_assignment(assignment(), date(12, 16))
                .unwrap_err()
                .to_string()
                .starts_with("deadline:")
        );
        assert!(check_assignment(assignment(), date(12, 15)).is_ok());
    }

    #[test]
    fn a_deadline_on_a_day_off_ends_with_the_next_working_day() {
        let mut a = assignment();
        // Saturday 19/12/2026 → Monday 21/12/2026 at 17:00 local.
        a.deadline = date(12, 19);
        let task = run(None, TaskCommand::Assign(Box::new(a)), at(1, 2)).unwrap();
        assert_eq!(task.due, at(21, 10));
        assert_eq!(task.deadline, date(12, 19));
    }

    #[test]
    fn an_extension_moves_the_deadline_only_when_granted() {
        let task = assigned();
        let ask = |until: u32| TaskCommand::RequestExtension {
            until: date(12, until),
            reason: "Chờ phần mềm".into(),
        };
        assert!(run(Some(&task), ask(10), at(2, 2)).is_err(), "earlier");
        let asked = run(Some(&task), ask(31), at(2, 2)).unwrap();
        assert_eq!(asked.awaiting(), Awaiting::Assigner);
        assert!(
            run(Some(&asked), ask(30), at(2, 3)).is_err(),
            "one at a time"
        );
        let refuse = TaskCommand::DecideExtension {
            granted: false,
            note: " ".into(),
        };
        assert!(
            run(Some(&asked), refuse, at(3, 2))
                .unwrap_err()
                .to_string()
                .starts_with("note:"),
            "a refusal says why"
        );
        let refused = run(
            Some(&asked),
            TaskCommand::DecideExtension {
                granted: false,
                note: "Không đủ căn cứ".into(),
            },
            at(3, 2),
        )
        .unwrap();
        assert_eq!((refused.deadline, refused.due), (date(12, 15), at(15, 10)));
        let granted = run(
            Some(&asked),
            TaskCommand::DecideExtension {
                granted: true,
                note: String::new(),
            },
            at(3, 2),
        )
        .unwrap();
        // 31/12/2026 is a Thursday.
        assert_eq!((granted.deadline, granted.due), (date(12, 31), at(31, 10)));
        assert_eq!(granted.version, 3);
        assert!(
            run(
                Some(&granted),
                TaskCommand::DecideExtension {
                    granted: true,
                    note: String::new()
                },
                at(4, 2)
            )
            .is_err(),
            "nothing left to decide"
        );
    }

    #[test]
    fn a_returned_completion_leaves_the_task_open_and_an_accepted_one_closes_it() {
        let task = assigned();
        let report = || TaskCommand::ReportCompletion {
            text: "Đã số hóa".into(),
            files: Vec::new(),
        };
        let decide = |accepted: bool, note: &str| TaskCommand::DecideCompletion {
            accepted,
            note: note.into(),
        };
        assert!(run(Some(&task), decide(true, ""), at(5, 2)).is_err());
        let reported = run(Some(&task), report(), at(5, 2)).unwrap();
        assert!(run(Some(&reported), report(), at(5, 3)).is_err());
        assert!(
            run(Some(&reported), decide(false, ""), at(6, 2)).is_err(),
            "why?"
        );
        let returned = run(Some(&reported), decide(false, "Thiếu số liệu"), at(6, 2)).unwrap();
        assert_eq!((returned.completed_at, returned.returns), (None, 1));
        assert_eq!(returned.awaiting(), Awaiting::Lead);
        let again = run(Some(&returned), report(), at(14, 2)).unwrap();
        let done = run(Some(&again), decide(true, ""), at(17, 2)).unwrap();
        // Done when reported, not when the assigner got to it.
        assert_eq!((done.completed_at, done.progress), (Some(at(14, 2)), 100));
        assert_eq!(done.awaiting(), Awaiting::Nobody);
        let progress = TaskCommand::ReportProgress {
            percent: 50,
            text: "Tiếp tục".into(),
            files: Vec::new(),
        };
        assert!(run(Some(&done), progress, at(18, 2)).is_err(), "closed");
    }

    #[test]
    fn progress_is_a_percentage_with_a_text() {
        let task = assigned();
        let report = |percent| TaskCommand::ReportProgress {
            percent,
            text: "Đã số hóa 60 %".into(),
            files: Vec::new(),
        };
        assert!(
            run(Some(&task), report(101), at(2, 2))
                .unwrap_err()
                .to_string()
                .starts_with("percent:")
        );
        let reported = run(Some(&task), report(60), at(2, 2)).unwrap();
        assert_eq!(
            (reported.progress, reported.progress_at),
            (60, Some(at(2, 2)))
        );
        let many = TaskCommand::ReportProgress {
            percent: 70,
            text: "x".into(),
            files: vec![
                FileRef {
                    sha256: "0".repeat(64),
                    name: "a.pdf".into(),
                    media_type: "application/pdf".into(),
                    size: 1,
                };
                MAX_FILES + 1
            ],
        };
        assert!(
            run(Some(&reported), many, at(2, 3))
                .unwrap_err()
                .to_string()
                .starts_with("files:")
        );
    }

    #[test]
    fn a_cancelled_task_takes_no_more_changes_and_no_longer_counts() {
        let task = assigned();
        assert!(
            run(
                Some(&task),
                TaskCommand::Cancel { reason: "".into() },
                at(2, 2)
            )
            .is_err(),
            "a cancellation says why"
        );
        let cancelled = run(
            Some(&task),
            TaskCommand::Cancel {
                reason: "Giao nhầm đơn vị".into(),
            },
            at(2, 2),
        )
        .unwrap();
        assert!(cancelled.is_closed());
        assert_eq!(
            classify(&cancelled, at(1, 12)),
            Some(TaskStatus::OpenWithinTime)
        );
        assert_eq!(classify(&cancelled, at(2, 2)), None);
        assert!(
            run(
                Some(&cancelled),
                TaskCommand::Cancel {
                    reason: "Lần nữa".into()
                },
                at(3, 2)
            )
            .is_err()
        );
    }

    #[test]
    fn the_status_turns_on_the_due_instant() {
        let mut task = assigned();
        let due = task.due;
        assert_eq!(classify(&task, at(1, 1)), None, "not yet assigned");
        assert_eq!(classify(&task, due), Some(TaskStatus::OpenWithinTime));
        assert_eq!(
            classify(&task, due + chrono::Duration::seconds(1)),
            Some(TaskStatus::OpenOverdue)
        );
        task.completed_at = Some(due);
        assert_eq!(classify(&task, at(20, 2)), Some(TaskStatus::DoneOnTime));
        // Seen before it was done, it was open.
        assert_eq!(classify(&task, at(14, 2)), Some(TaskStatus::OpenWithinTime));
        task.completed_at = Some(due + chrono::Duration::seconds(1));
        assert_eq!(classify(&task, at(20, 2)), Some(TaskStatus::DoneLate));
    }

    #[test]
    fn a_parent_shows_the_average_of_its_sub_tasks() {
        let mut a = assigned();
        let mut b = assigned();
        let mut c = assigned();
        a.progress = 40;
        b.completed_at = Some(at(5, 2));
        c.cancelled_at = Some(at(5, 2));
        assert_eq!(roll_up([&a, &b, &c]), Some(70));
        assert_eq!(roll_up([&c]), None);
        assert_eq!(roll_up(std::iter::empty()), None);
    }

    #[test]
    fn events_round_trip_through_json() {
        let (events, _) = decide(
            "NV-2026-00001",
            None,
            &TaskCommand::Assign(Box::new(assignment())),
            &TaskContext {
                now: at(1, 2),
                calendar: &calendar(),
            },
        )
        .unwrap();
        let json = serde_json::to_value(&events[0]).unwrap();
        assert_eq!(json["type"], "assigned");
        let back: TaskEvent = serde_json::from_value(json).unwrap();
        assert_eq!(back, events[0]);
        assert!(TaskEvent::KINDS.contains(&back.kind()));
    }
}
