//! Reminders as a task's deadline approaches, and once it has passed.
//!
//! Which reminders and when are not set by any rule found (regulations.md §10 ❌), so they
//! are configuration ([`ReminderRules`]) with a default of three and one working days
//! before the deadline ends, and once when it is overdue. A reminder is identified by its
//! task, its kind and the deadline it is about ([`Reminder::key`]), so it is sent once
//! however often the reminders are looked for, and again after an extension moves the
//! deadline.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::Task;
use crate::calendar::{Calendar, CalendarError};

/// When reminders are due.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReminderRules {
    /// Working days before the deadline ends at which to remind, e.g. `[3, 1]`.
    pub before: Vec<u32>,
    /// Remind once when the deadline has passed.
    pub overdue: bool,
}

impl Default for ReminderRules {
    fn default() -> Self {
        ReminderRules {
            before: vec![3, 1],
            overdue: true,
        }
    }
}

impl ReminderRules {
    /// Parses `3,1,overdue` (working days before, and `overdue` to remind after the
    /// deadline); an empty text reminds of nothing.
    ///
    /// # Errors
    /// A message naming the part that is neither a number of days (1–30) nor `overdue`.
    pub fn parse(text: &str) -> Result<ReminderRules, String> {
        let mut rules = ReminderRules {
            before: Vec::new(),
            overdue: false,
        };
        for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            if part == "overdue" {
                rules.overdue = true;
                continue;
            }
            match part.parse::<u32>() {
                Ok(days @ 1..=30) => rules.before.push(days),
                _ => {
                    return Err(format!(
                        "«{part}» phải là số ngày làm việc (1–30) hoặc overdue / «{part}» must be a number of working days (1–30) or overdue"
                    ));
                }
            }
        }
        rules.before.sort_unstable();
        rules.before.dedup();
        Ok(rules)
    }
}

/// A reminder about one task.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", content = "days", rename_all = "snake_case")]
pub enum Reminder {
    /// The deadline ends within this many working days.
    DueWithin(u32),
    /// The deadline has passed.
    Overdue,
}

impl Reminder {
    /// What identifies it for task `task` with deadline `deadline`: sent once.
    pub fn key(self, task: &str, deadline: NaiveDate) -> String {
        match self {
            Reminder::DueWithin(days) => format!("{task}:due-within-{days}:{deadline}"),
            Reminder::Overdue => format!("{task}:overdue:{deadline}"),
        }
    }
}

/// The reminder due for `task` at `now`, if any: the closest to its deadline whose time has
/// come (after a pause in reminding, only that one is sent, not every one missed). Closed
/// tasks, and tasks whose completion awaits the assigner, get none.
///
/// # Errors
/// An instant outside the calendar's range.
pub fn due_reminder(
    task: &Task,
    calendar: &Calendar,
    now: DateTime<Utc>,
    rules: &ReminderRules,
) -> Result<Option<Reminder>, CalendarError> {
    if task.is_closed() || task.completion_reported_at.is_some() || now < task.assigned_at {
        return Ok(None);
    }
    if now > task.due {
        return Ok(rules.overdue.then_some(Reminder::Overdue));
    }
    let left = calendar.working_time_between(now.fixed_offset(), task.due.fixed_offset())?;
    let daily = calendar.config().working_hours.daily_total();
    Ok(rules
        .before
        .iter()
        .copied()
        .filter(|days| left <= daily * i32::try_from(*days).unwrap_or(i32::MAX))
        .min()
        .map(Reminder::DueWithin))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::{CalendarConfig, bundled_schedules};
    use crate::task::{Assignment, Priority, TaskCommand, TaskContext, decide};
    use chrono::TimeZone;

    fn at(d: u32, h: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, d, h, 0, 0).unwrap()
    }

    fn task(calendar: &Calendar) -> Task {
        let assignment = Assignment {
            title: "Báo cáo".into(),
            content: String::new(),
            assigner: "000.00.00.H05".into(),
            lead: "000.00.10.H05".into(),
            coordinators: Vec::new(),
            deadline: NaiveDate::from_ymd_opt(2026, 12, 15).unwrap(),
            output: String::new(),
            priority: Priority::Normal,
            plan: None,
            source: None,
            parent: None,
            series: None,
        };
        let ctx = TaskContext {
            now: at(1, 2),
            calendar,
        };
        decide(
            "NV-1",
            None,
            &TaskCommand::Assign(Box::new(assignment)),
            &ctx,
        )
        .unwrap()
        .1
    }

    #[test]
    fn reminders_come_three_and_one_working_days_before_and_once_overdue() {
        let calendar = Calendar::new(CalendarConfig::default(), bundled_schedules()).unwrap();
        let task = task(&calendar);
        let rules = ReminderRules::default();
        let due = |now| due_reminder(&task, &calendar, now, &rules).unwrap();
        // Due Tuesday 15/12 17:00 local (10:00 UTC).
        assert_eq!(
            due(at(8, 2)),
            None,
            "Tuesday before: five working days left"
        );
        // Thursday 10/12 17:00 local: three working days left (Fri, Mon, Tue).
        assert_eq!(due(at(10, 10)), Some(Reminder::DueWithin(3)));
        assert_eq!(due(at(14, 10)), Some(Reminder::DueWithin(1)));
        assert_eq!(
            due(at(15, 10)),
            Some(Reminder::DueWithin(1)),
            "at the due instant"
        );
        assert_eq!(due(at(15, 11)), Some(Reminder::Overdue));
        let quiet = ReminderRules::parse("").unwrap();
        assert_eq!(
            due_reminder(&task, &calendar, at(15, 11), &quiet).unwrap(),
            None
        );
        let mut done = task.clone();
        done.completion_reported_at = Some(at(14, 2));
        assert_eq!(
            due_reminder(&done, &calendar, at(15, 11), &rules).unwrap(),
            None
        );
        let d = NaiveDate::from_ymd_opt(2026, 12, 15).unwrap();
        assert_eq!(
            Reminder::DueWithin(3).key("NV-1", d),
            "NV-1:due-within-3:2026-12-15"
        );
    }

    #[test]
    fn rules_parse_from_a_list() {
        let rules = ReminderRules::parse("1, 5,overdue,1").unwrap();
        assert_eq!(rules.before, [1, 5]);
        assert!(rules.overdue);
        let err = ReminderRules::parse("3,soon").unwrap_err();
        assert!(err.contains("«soon»"), "{err}");
        assert!(ReminderRules::parse("0").is_err());
    }
}
