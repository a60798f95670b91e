//! Tasks that steering assigns (issue 7): a meeting's conclusion or a plan gives a unit a
//! task with a deadline; the lead unit reports progress, may ask for more time, and reports
//! it done with its evidence; the assigner decides on the extension and accepts or returns
//! the completion. Each is an event of the task's stream, like a dossier's.
//!
//! A task's status at an instant is one of the four the state sector reports
//! (regulations.md §10, 🟡): done on time, done late, open within its deadline, open and
//! overdue. A task split into sub-tasks shows their roll-up ([`roll_up`]).

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::dossier::FileRef;

/// Longest title kept, in characters.
pub const MAX_TITLE_CHARS: usize = 300;

/// Longest text of a report or decision kept, in characters.
pub const MAX_TEXT_CHARS: usize = 4_000;

/// How urgent a task is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Priority {
    /// Ordinary.
    #[default]
    Normal,
    /// Important (quan trọng).
    High,
    /// Urgent (khẩn).
    Urgent,
}

/// What the assigner gives: the task as assigned.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Assignment {
    /// Title, e.g. "Hoàn thành số hóa hồ sơ hộ tịch".
    pub title: String,
    /// What is to be done.
    pub content: String,
    /// The assigning unit or agency (its code).
    pub assigner: String,
    /// The lead unit or agency, which reports.
    pub lead: String,
    /// The coordinating units or agencies.
    pub coordinators: Vec<String>,
    /// The deadline, a date (its end: [`crate::calendar::Calendar::deadline_due`]).
    pub deadline: NaiveDate,
    /// The output expected, e.g. "Báo cáo kết quả".
    pub output: String,
    /// How urgent.
    pub priority: Priority,
    /// The plan or programme it belongs to, e.g. "Đề án 06".
    pub plan: Option<String>,
    /// The document it comes from (a conclusion, plan or directive), by number.
    pub source: Option<String>,
    /// The task it is a part of, when it was split from one.
    pub parent: Option<String>,
}

/// An event of a task's stream.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum TaskEvent {
    /// Assigned.
    Assigned(Box<Assignment>),
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
}

impl TaskEvent {
    /// The event kind, as stored.
    pub fn kind(&self) -> &'static str {
        match self {
            TaskEvent::Assigned(_) => "assigned",
            TaskEvent::ProgressReported { .. } => "progress_reported",
            TaskEvent::ExtensionRequested { .. } => "extension_requested",
            TaskEvent::ExtensionDecided { .. } => "extension_decided",
            TaskEvent::CompletionReported { .. } => "completion_reported",
            TaskEvent::CompletionDecided { .. } => "completion_decided",
        }
    }
}

/// A task's current state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Task {
    /// As assigned.
    pub assignment: Assignment,
    /// When it was assigned.
    pub assigned_at: DateTime<Utc>,
    /// The deadline in force (the assigned one, or the last extension granted).
    pub deadline: NaiveDate,
    /// The last progress reported, in per cent.
    pub progress: u8,
    /// An extension asked for and not yet decided: the date and the reason.
    pub pending_extension: Option<(NaiveDate, String)>,
    /// When the lead unit reported it done, while the assigner has not decided.
    pub completion_reported_at: Option<DateTime<Utc>>,
    /// When it was done: the instant the accepted completion was reported (the assigner's
    /// review time does not count against the lead unit, 🔶).
    pub completed_at: Option<DateTime<Utc>>,
    /// Events applied (the stream's version).
    pub version: i64,
}

/// Why a task change was refused; each says what, in Vietnamese and English.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TaskError {
    /// A field is missing or too long.
    #[error("{0}")]
    Invalid(String),
    /// The change cannot follow the task's state.
    #[error("{0}")]
    Rule(String),
}

fn rule(vi: &str, en: &str) -> TaskError {
    TaskError::Rule(format!("{vi} / {en}"))
}

/// Checks a text: required (`required`), at most `max` characters; the trimmed text.
fn text(value: &str, required: bool, max: usize, vi: &str, en: &str) -> Result<String, TaskError> {
    let value = value.trim();
    if required && value.is_empty() {
        return Err(TaskError::Invalid(format!("thiếu {vi} / {en} is required")));
    }
    if value.chars().count() > max {
        return Err(TaskError::Invalid(format!(
            "{vi} dài quá {max} ký tự / {en} is over {max} characters"
        )));
    }
    Ok(value.to_owned())
}

/// Checks an assignment as given: the event assigning it, its texts trimmed.
///
/// # Errors
/// [`TaskError::Invalid`] naming the field: a missing title, assigner or lead, a lead that
/// is also the assigner or a coordinator, a deadline before `today`.
pub fn assign(mut given: Assignment, today: NaiveDate) -> Result<TaskEvent, TaskError> {
    given.title = text(
        &given.title,
        true,
        MAX_TITLE_CHARS,
        "tên nhiệm vụ",
        "the title",
    )?;
    given.content = text(
        &given.content,
        false,
        MAX_TEXT_CHARS,
        "nội dung",
        "the content",
    )?;
    given.output = text(
        &given.output,
        false,
        MAX_TITLE_CHARS,
        "sản phẩm",
        "the output",
    )?;
    given.assigner = text(
        &given.assigner,
        true,
        60,
        "đơn vị giao",
        "the assigning unit",
    )?;
    given.lead = text(&given.lead, true, 60, "đơn vị chủ trì", "the lead unit")?;
    if given.lead == given.assigner {
        return Err(TaskError::Invalid(
            "lead: đơn vị chủ trì phải khác đơn vị giao / the lead unit must differ from the assigning unit".into(),
        ));
    }
    given.coordinators.retain(|c| !c.trim().is_empty());
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
    Ok(TaskEvent::Assigned(Box::new(given)))
}

/// Applies an event recorded at `at`: the one place that says what may follow what.
///
/// # Errors
/// [`TaskError`] when the event cannot follow the state.
pub fn apply(state: Option<Task>, event: &TaskEvent, at: DateTime<Utc>) -> Result<Task, TaskError> {
    let mut task = match (state, event) {
        (None, TaskEvent::Assigned(a)) => {
            return Ok(Task {
                deadline: a.deadline,
                assignment: (**a).clone(),
                assigned_at: at,
                progress: 0,
                pending_extension: None,
                completion_reported_at: None,
                completed_at: None,
                version: 1,
            });
        }
        (None, _) => {
            return Err(rule(
                "nhiệm vụ chưa được giao",
                "the task has not been assigned",
            ));
        }
        (Some(_), TaskEvent::Assigned(_)) => {
            return Err(rule(
                "nhiệm vụ đã được giao",
                "the task is already assigned",
            ));
        }
        (Some(task), _) => task,
    };
    if task.completed_at.is_some() {
        return Err(rule("nhiệm vụ đã hoàn thành", "the task is done"));
    }
    match event {
        // Handled above; a second assignment is refused there.
        TaskEvent::Assigned(_) => {
            return Err(rule(
                "nhiệm vụ đã được giao",
                "the task is already assigned",
            ));
        }
        TaskEvent::ProgressReported {
            percent, text: t, ..
        } => {
            text(t, false, MAX_TEXT_CHARS, "nội dung báo cáo", "the report")?;
            if *percent > 100 {
                return Err(TaskError::Invalid(
                    "percent: tiến độ từ 0 đến 100 / progress is from 0 to 100".into(),
                ));
            }
            task.progress = *percent;
        }
        TaskEvent::ExtensionRequested { until, reason } => {
            let reason = text(reason, true, MAX_TEXT_CHARS, "lý do gia hạn", "the reason")?;
            if task.pending_extension.is_some() {
                return Err(rule(
                    "đã có đề nghị gia hạn chờ quyết định",
                    "an extension request is awaiting a decision",
                ));
            }
            if *until <= task.deadline {
                return Err(TaskError::Invalid(
                    "until: thời hạn đề nghị phải sau thời hạn hiện tại / the date asked for must be after the current deadline".into(),
                ));
            }
            task.pending_extension = Some((*until, reason));
        }
        TaskEvent::ExtensionDecided { granted, .. } => {
            let Some((until, _)) = task.pending_extension.take() else {
                return Err(rule(
                    "không có đề nghị gia hạn nào",
                    "no extension was asked for",
                ));
            };
            if *granted {
                task.deadline = until;
            }
        }
        TaskEvent::CompletionReported { text: t, .. } => {
            text(
                t,
                true,
                MAX_TEXT_CHARS,
                "nội dung hoàn thành",
                "what was done",
            )?;
            if task.completion_reported_at.is_some() {
                return Err(rule(
                    "báo cáo hoàn thành đang chờ đơn vị giao xem xét",
                    "a completion report awaits the assigner's decision",
                ));
            }
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
            }
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
    /// Identifier, as stored and in the API.
    pub fn as_str(self) -> &'static str {
        match self {
            TaskStatus::DoneOnTime => "done_on_time",
            TaskStatus::DoneLate => "done_late",
            TaskStatus::OpenWithinTime => "open_within_time",
            TaskStatus::OpenOverdue => "open_overdue",
        }
    }
}

/// The status of `task` at instant `at`, its deadline ending at `due` (the calendar's
/// [`crate::calendar::Calendar::deadline_due`] of [`Task::deadline`]). Done at the due
/// instant itself is on time; open at it is still within time.
pub fn classify(task: &Task, due: DateTime<Utc>, at: DateTime<Utc>) -> TaskStatus {
    match task.completed_at {
        Some(done) if done <= at => {
            if done <= due {
                TaskStatus::DoneOnTime
            } else {
                TaskStatus::DoneLate
            }
        }
        _ if at <= due => TaskStatus::OpenWithinTime,
        _ => TaskStatus::OpenOverdue,
    }
}

/// The progress a parent shows of its sub-tasks: each done sub-task counts 100, each open
/// one its last report, averaged (rounded down); `None` without sub-tasks.
pub fn roll_up<'a>(children: impl IntoIterator<Item = &'a Task>) -> Option<u8> {
    let (mut sum, mut count) = (0u64, 0u64);
    for child in children {
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
    use chrono::TimeZone;

    fn at(d: u32, h: u32) -> DateTime<Utc> {
        // 07:00 UTC is 14:00 in Việt Nam.
        Utc.with_ymd_and_hms(2026, 12, d, h, 0, 0).unwrap()
    }

    fn assignment() -> Assignment {
        Assignment {
            title: "  Số hóa sổ hộ tịch  ".into(),
            content: "Số hóa toàn bộ sổ hộ tịch lưu trữ".into(),
            assigner: "24".into(),
            lead: "000.00.10.H05".into(),
            coordinators: vec!["000.00.11.H05".into(), " ".into()],
            deadline: NaiveDate::from_ymd_opt(2026, 12, 15).unwrap(),
            output: "Báo cáo kết quả".into(),
            priority: Priority::High,
            plan: Some("Đề án 06".into()),
            source: Some("15/KL-UBND".into()),
            parent: None,
        }
    }

    fn assigned() -> Task {
        let event = assign(assignment(), NaiveDate::from_ymd_opt(2026, 12, 1).unwrap()).unwrap();
        apply(None, &event, at(1, 2)).unwrap()
    }

    #[test]
    fn an_assignment_is_checked_and_trimmed() {
        let task = assigned();
        assert_eq!(task.assignment.title, "Số hóa sổ hộ tịch");
        assert_eq!(task.assignment.coordinators, ["000.00.11.H05"]);
        let today = NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
        let mut a = assignment();
        a.title = " ".into();
        assert!(
            assign(a, today)
                .unwrap_err()
                .to_string()
                .contains("the title")
        );
        let mut a = assignment();
        a.lead = "24".into();
        assert!(assign(a, today).unwrap_err().to_string().contains("lead"));
        let mut a = assignment();
        a.coordinators.push("000.00.10.H05".into());
        assert!(
            assign(a, today)
                .unwrap_err()
                .to_string()
                .contains("coordinator")
        );
        // A deadline already passed is refused; the deadline's own day is fine.
        let after = NaiveDate::from_ymd_opt(2026, 12, 16).unwrap();
        assert!(
            assign(assignment(), after)
                .unwrap_err()
                .to_string()
                .contains("deadline")
        );
        let on_the_day = NaiveDate::from_ymd_opt(2026, 12, 15).unwrap();
        assert!(assign(assignment(), on_the_day).is_ok());
    }

    #[test]
    fn an_extension_moves_the_deadline_only_when_granted() {
        let task = assigned();
        let ask = |until: u32| TaskEvent::ExtensionRequested {
            until: NaiveDate::from_ymd_opt(2026, 12, until).unwrap(),
            reason: "Chờ phần mềm".into(),
        };
        assert!(
            apply(Some(task.clone()), &ask(10), at(2, 2)).is_err(),
            "earlier"
        );
        let asked = apply(Some(task), &ask(31), at(2, 2)).unwrap();
        assert!(
            apply(Some(asked.clone()), &ask(30), at(2, 3)).is_err(),
            "one at a time"
        );
        let refused = apply(
            Some(asked.clone()),
            &TaskEvent::ExtensionDecided {
                granted: false,
                note: "Không".into(),
            },
            at(3, 2),
        )
        .unwrap();
        assert_eq!(
            refused.deadline,
            NaiveDate::from_ymd_opt(2026, 12, 15).unwrap()
        );
        let granted = apply(
            Some(asked),
            &TaskEvent::ExtensionDecided {
                granted: true,
                note: String::new(),
            },
            at(3, 2),
        )
        .unwrap();
        assert_eq!(
            granted.deadline,
            NaiveDate::from_ymd_opt(2026, 12, 31).unwrap()
        );
        assert_eq!(granted.version, 3);
    }

    #[test]
    fn a_returned_completion_leaves_the_task_open_and_an_accepted_one_closes_it() {
        let task = assigned();
        let report = TaskEvent::CompletionReported {
            text: "Đã số hóa".into(),
            files: Vec::new(),
        };
        let decide = |accepted| TaskEvent::CompletionDecided {
            accepted,
            note: String::new(),
        };
        assert!(apply(Some(task.clone()), &decide(true), at(5, 2)).is_err());
        let reported = apply(Some(task), &report, at(5, 2)).unwrap();
        assert!(apply(Some(reported.clone()), &report, at(5, 3)).is_err());
        let returned = apply(Some(reported), &decide(false), at(6, 2)).unwrap();
        assert_eq!(returned.completed_at, None);
        let again = apply(Some(returned), &report, at(14, 2)).unwrap();
        let done = apply(Some(again), &decide(true), at(17, 2)).unwrap();
        // Done when reported, not when the assigner got to it.
        assert_eq!((done.completed_at, done.progress), (Some(at(14, 2)), 100));
        let progress = TaskEvent::ProgressReported {
            percent: 50,
            text: String::new(),
            files: Vec::new(),
        };
        assert!(apply(Some(done), &progress, at(18, 2)).is_err(), "closed");
    }

    #[test]
    fn the_status_turns_on_the_due_instant() {
        let mut task = assigned();
        let due = at(15, 10);
        assert_eq!(classify(&task, due, due), TaskStatus::OpenWithinTime);
        assert_eq!(
            classify(&task, due, due + chrono::Duration::seconds(1)),
            TaskStatus::OpenOverdue
        );
        task.completed_at = Some(due);
        assert_eq!(classify(&task, due, at(20, 2)), TaskStatus::DoneOnTime);
        // Seen before it was done, it was open.
        assert_eq!(classify(&task, due, at(14, 2)), TaskStatus::OpenWithinTime);
        task.completed_at = Some(due + chrono::Duration::seconds(1));
        assert_eq!(classify(&task, due, at(20, 2)), TaskStatus::DoneLate);
    }

    #[test]
    fn a_parent_shows_the_average_of_its_sub_tasks() {
        let mut a = assigned();
        let mut b = assigned();
        a.progress = 40;
        b.completed_at = Some(at(5, 2));
        assert_eq!(roll_up([&a, &b]), Some(70));
        assert_eq!(roll_up(std::iter::empty()), None);
    }
}
