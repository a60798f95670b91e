//! Whether a dossier is early, on time or late — the figure every reform report starts from.

use chrono::{DateTime, FixedOffset, Offset, Utc};
use serde::{Deserialize, Serialize};

use super::{Dossier, PauseReason, Status};

/// Classification of a dossier at an instant (regulations §2.7–2.8).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Finished before the appointment day (trước hạn).
    Early,
    /// Finished on the appointment day, not after the appointment instant (đúng hạn).
    OnTime,
    /// Finished after the appointment (quá hạn).
    Late,
    /// Still open and not past its appointment (trong hạn).
    WithinTime,
    /// Still open and past its appointment (quá hạn).
    Overdue,
    /// Not counted: never received (submitted only, refused at intake, withdrawn before
    /// receipt), or the procedure has no time limit.
    NotCounted,
}

impl Outcome {
    /// Stable identifier.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Early => "early",
            Outcome::OnTime => "on_time",
            Outcome::Late => "late",
            Outcome::WithinTime => "within_time",
            Outcome::Overdue => "overdue",
            Outcome::NotCounted => "not_counted",
        }
    }
}

/// The rules of classification that the sources leave open; each is configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutcomeRules {
    /// Whether the apology's new appointment (Form 04) is what statistics measure against.
    /// Default `false`: the letter is only sent for a dossier that will be late, so counting
    /// it on time would hide the delay (🔶, regulations §2.5: the rule is not stated).
    pub extension_counts: bool,
    /// 766 rule 2.1: a dossier whose supplement was requested more than once during
    /// processing counts as late. Default `true`.
    pub repeated_supplement_is_late: bool,
    /// Whether waiting for a financial obligation stops the clock like a supplement does.
    /// Default `true` (🔶: the applicant's payment time is not the agency's processing time).
    pub payment_pauses_clock: bool,
    /// Offset of local time, for the appointment *day* (UTC+7 in Vietnam).
    pub utc_offset_seconds: i32,
}

impl Default for OutcomeRules {
    fn default() -> Self {
        OutcomeRules {
            extension_counts: false,
            repeated_supplement_is_late: true,
            payment_pauses_clock: true,
            utc_offset_seconds: 7 * 3600,
        }
    }
}

impl OutcomeRules {
    /// Local time, for appointment days and the months of the counters.
    pub fn offset(&self) -> FixedOffset {
        FixedOffset::east_opt(self.utc_offset_seconds).unwrap_or_else(|| Utc.fix())
    }
}

/// The facts classification needs, as a dossier's projection stores them.
///
/// Statistics read these columns instead of whole dossiers; [`Dossier::timing`] derives them
/// from the state, so both paths classify with the same function.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Timing {
    /// Receipt of the valid dossier; `None` when never received.
    pub received_at: Option<DateTime<Utc>>,
    /// End of processing (766 `NgayKetThucXuLy`).
    pub finished_at: Option<DateTime<Utc>>,
    /// Appointment in force.
    pub due: Option<DateTime<Utc>>,
    /// Appointment without the extension.
    pub statistical_due: Option<DateTime<Utc>>,
    /// Supplement requests during processing.
    pub supplement_requests: u32,
    /// The open pause, if the clock is waiting for the applicant.
    pub waiting: Option<(PauseReason, DateTime<Utc>)>,
}

impl Timing {
    /// The appointment statistics measure against under `rules`.
    pub fn measured_due(&self, rules: &OutcomeRules) -> Option<DateTime<Utc>> {
        if rules.extension_counts {
            self.due
        } else {
            self.statistical_due
        }
    }

    /// Classifies the dossier at instant `at` (which must not precede its last event).
    ///
    /// 766 rule 2.1 (regulations §2.7): the end of processing is the first of processed,
    /// stopped, refused or (for received dossiers) withdrawn; a finished dossier is early when
    /// it ended before the appointment day, on time when on that day and not after the
    /// appointment, late otherwise. An open dossier waiting for the applicant's supplement is
    /// measured at the moment the supplement was requested, so waiting never makes it late;
    /// a second supplement request makes it late outright.
    pub fn outcome_at(&self, at: DateTime<Utc>, rules: &OutcomeRules) -> Outcome {
        if self.received_at.is_none() {
            return Outcome::NotCounted;
        }
        let Some(due) = self.measured_due(rules) else {
            return Outcome::NotCounted;
        };
        let forced_late = rules.repeated_supplement_is_late && self.supplement_requests > 1;
        if let Some(end) = self.finished_at {
            if forced_late || end > due {
                return Outcome::Late;
            }
            let offset = rules.offset();
            let end_day = end.with_timezone(&offset).date_naive();
            let due_day = due.with_timezone(&offset).date_naive();
            return if end_day < due_day {
                Outcome::Early
            } else {
                Outcome::OnTime
            };
        }
        let waiting = self
            .waiting
            .filter(|(reason, _)| *reason == PauseReason::Supplement || rules.payment_pauses_clock);
        let measured_at = waiting.map_or(at, |(_, from)| from);
        if forced_late || measured_at > due {
            Outcome::Overdue
        } else {
            Outcome::WithinTime
        }
    }
}

impl Dossier {
    /// The facts that classify this dossier.
    pub fn timing(&self) -> Timing {
        Timing {
            received_at: self
                .received_at
                .filter(|_| self.status != Status::NotReceived),
            finished_at: self.finished_at,
            due: self.due,
            statistical_due: self.statistical_due,
            supplement_requests: self.supplement_requests,
            waiting: self
                .pauses
                .last()
                .filter(|p| p.until.is_none())
                .map(|p| (p.reason, p.from)),
        }
    }

    /// Classifies the dossier at instant `at`; see [`Timing::outcome_at`].
    pub fn outcome_at(&self, at: DateTime<Utc>, rules: &OutcomeRules) -> Outcome {
        self.timing().outcome_at(at, rules)
    }
}

impl super::Step {
    /// Whether this step was early, on time or late against its own budget, for the
    /// process-control slip (Form 06, Circular 01/2018/TT-VPCP): a step still open at `at` is
    /// within time or overdue; a step without a budget is not classified.
    pub fn outcome_at(&self, at: DateTime<Utc>, rules: &OutcomeRules) -> Outcome {
        let Some(due) = self.due else {
            return Outcome::NotCounted;
        };
        match self.ended_at {
            Some(end) if end > due => Outcome::Late,
            Some(end) => {
                let offset = rules.offset();
                if end.with_timezone(&offset).date_naive() < due.with_timezone(&offset).date_naive()
                {
                    Outcome::Early
                } else {
                    Outcome::OnTime
                }
            }
            None if at > due => Outcome::Overdue,
            None => Outcome::WithinTime,
        }
    }
}
