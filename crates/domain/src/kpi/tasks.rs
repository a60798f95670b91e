//! Figures of assigned tasks for the operations centre (issue 7): how many tasks, of which
//! done on time, done late, open within time and open overdue, and the rates — each of the
//! four ÷ the tasks assigned (regulations.md §10, 🟡).
//!
//! A period's tasks are those that were live in it: assigned before it ends, not cancelled
//! by then, and not done before it begins (as a period's petitions are). Each is classified
//! at the period's end, or now for a period still running ([`period_status`]).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::Ratio;
use crate::task::{Task, TaskStatus, classify};

/// The four counts of a set of tasks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub struct TaskCounts {
    /// Hoàn thành đúng hạn.
    pub done_on_time: u64,
    /// Hoàn thành quá hạn.
    pub done_late: u64,
    /// Chưa hoàn thành, trong hạn.
    pub open_within_time: u64,
    /// Chưa hoàn thành, quá hạn.
    pub open_overdue: u64,
}

impl TaskCounts {
    /// Counts one task of this status.
    pub fn add(&mut self, status: TaskStatus) {
        *self.count_mut(status) += 1;
    }

    /// Adds another set's counts.
    pub fn merge(&mut self, other: &TaskCounts) {
        for status in TaskStatus::ALL {
            *self.count_mut(status) += other.count(status);
        }
    }

    fn count_mut(&mut self, status: TaskStatus) -> &mut u64 {
        match status {
            TaskStatus::DoneOnTime => &mut self.done_on_time,
            TaskStatus::DoneLate => &mut self.done_late,
            TaskStatus::OpenWithinTime => &mut self.open_within_time,
            TaskStatus::OpenOverdue => &mut self.open_overdue,
        }
    }

    /// The count of one status.
    pub fn count(&self, status: TaskStatus) -> u64 {
        match status {
            TaskStatus::DoneOnTime => self.done_on_time,
            TaskStatus::DoneLate => self.done_late,
            TaskStatus::OpenWithinTime => self.open_within_time,
            TaskStatus::OpenOverdue => self.open_overdue,
        }
    }

    /// Tasks assigned (and counted): the four together.
    pub fn assigned(&self) -> u64 {
        self.done_on_time + self.done_late + self.open_within_time + self.open_overdue
    }

    /// Done, on time or late.
    pub fn done(&self) -> u64 {
        self.done_on_time + self.done_late
    }

    /// Past their deadline: done late, or open and overdue.
    pub fn late(&self) -> u64 {
        self.done_late + self.open_overdue
    }

    /// One status ÷ the tasks assigned.
    pub fn rate(&self, status: TaskStatus) -> Ratio {
        Ratio::new(self.count(status), self.assigned())
    }

    /// The on-time completion rate: done on time ÷ assigned (§10).
    pub fn on_time_rate(&self) -> Ratio {
        self.rate(TaskStatus::DoneOnTime)
    }

    /// Done, on time or late ÷ assigned.
    pub fn done_rate(&self) -> Ratio {
        Ratio::new(self.done(), self.assigned())
    }

    /// Past their deadline ÷ assigned: the tasks' overdue rate.
    pub fn late_rate(&self) -> Ratio {
        Ratio::new(self.late(), self.assigned())
    }
}

/// Whether `task` was live in the period `[from, to)`: assigned before it ends, not
/// cancelled by then, not done before it begins.
pub fn live_in(task: &Task, from: DateTime<Utc>, to: DateTime<Utc>) -> bool {
    task.assigned_at < to
        && task.cancelled_at.is_none_or(|c| c >= to)
        && task.completed_at.is_none_or(|d| d >= from)
}

/// The status `task` counts with in the period `[from, to)` seen at `now`: classified at
/// the period's end, or at `now` while it runs; `None` when it was not live in it.
pub fn period_status(
    task: &Task,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Option<TaskStatus> {
    if !live_in(task, from, to) {
        return None;
    }
    // The period's last instant is `to` minus a second: `to` itself belongs to the next.
    let at = if now < to {
        now
    } else {
        to - chrono::Duration::seconds(1)
    };
    classify(task, at)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::task::{Assignment, Priority};
    use chrono::{NaiveDate, TimeZone};

    fn at(m: u32, d: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, m, d, 3, 0, 0).unwrap()
    }

    fn task(assigned: DateTime<Utc>, due: DateTime<Utc>) -> Task {
        Task {
            id: "NV-1".into(),
            assignment: Assignment {
                title: "x".into(),
                content: String::new(),
                assigner: "A".into(),
                lead: "B".into(),
                coordinators: Vec::new(),
                deadline: due.date_naive(),
                output: String::new(),
                priority: Priority::Normal,
                plan: None,
                source: None,
                parent: None,
                series: None,
            },
            assigned_at: assigned,
            deadline: due.date_naive(),
            due,
            progress: 0,
            progress_at: None,
            pending_extension: None,
            completion_reported_at: None,
            completed_at: None,
            cancelled_at: None,
            returns: 0,
            version: 1,
        }
    }

    #[test]
    fn a_month_counts_its_live_tasks_at_its_end() {
        let (from, to) = (at(11, 1), at(12, 1));
        let now = at(12, 20);
        let mut done_early = task(at(10, 1), at(10, 20));
        done_early.completed_at = Some(at(10, 15));
        let mut done_in_month_late = task(at(10, 1), at(10, 20));
        done_in_month_late.completed_at = Some(at(11, 3));
        let overdue_at_end = task(at(10, 1), at(11, 20));
        let within = task(at(11, 5), at(12, 10));
        let next_month = task(at(12, 2), at(12, 30));
        let mut cancelled = task(at(10, 1), at(11, 20));
        cancelled.cancelled_at = Some(at(11, 10));
        let mut counts = TaskCounts::default();
        for t in [
            &done_early,
            &done_in_month_late,
            &overdue_at_end,
            &within,
            &next_month,
            &cancelled,
        ] {
            if let Some(s) = period_status(t, from, to, now) {
                counts.add(s);
            }
        }
        assert_eq!(
            counts,
            TaskCounts {
                done_on_time: 0,
                done_late: 1,
                open_within_time: 1,
                open_overdue: 1,
            }
        );
        assert_eq!(counts.assigned(), 3);
        assert_eq!(counts.late_rate(), Ratio::new(2, 3));
        assert_eq!(counts.on_time_rate(), Ratio::new(0, 3));
        assert!(TaskCounts::default().on_time_rate().is_undefined());
    }

    #[test]
    fn a_running_period_classifies_now() {
        let (from, to) = (
            at(12, 1),
            Utc.with_ymd_and_hms(2027, 1, 1, 0, 0, 0).unwrap(),
        );
        let t = task(at(11, 1), at(12, 10));
        assert_eq!(
            period_status(&t, from, to, at(12, 5)),
            Some(TaskStatus::OpenWithinTime)
        );
        assert_eq!(
            period_status(&t, from, to, at(12, 11)),
            Some(TaskStatus::OpenOverdue)
        );
        let d = NaiveDate::from_ymd_opt(2026, 12, 10).unwrap();
        assert_eq!(t.deadline, d);
    }
}
