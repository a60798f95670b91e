//! What one dossier adds to the operations centre's counters, month by month.
//!
//! The counters are a projection of the dossier log: each dossier contributes
//! [`contributions`] (a count per month and [`Metric`]) as its current state stands, so a
//! change adds `contributions(new) − contributions(old)` ([`delta`]) in the transaction that
//! records it, and summing every dossier's contributions rebuilds them from the log. Reports
//! then read a few rows per agency and month instead of the dossiers.
//!
//! Months are calendar months of Vietnamese local time. A dossier counts only once received
//! and when its procedure has a time limit (the others are [`Metric::Unclassified`]), so the
//! report's identities hold on the counted ones (Biểu 06: received = resolved + in progress).
//!
//! Dossiers still open at the end of a past month are split within time / overdue by their
//! measured appointment ([`Timing::measured_due`]) against that end: the counters keep the
//! month each appointment falls in ([`Metric::Due`]) and the month its dossier ended
//! ([`Metric::DueEndedIn`]). The pause of a dossier waiting for a supplement at that end is
//! not replayed (the current state no longer knows it); for the month in progress the
//! caller classifies the open dossiers at the instant asked.

use std::collections::BTreeMap;
use std::fmt;

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::dossier::{Dossier, Outcome, OutcomeRules, Rating, ResultForm};
use crate::event::Channel;

/// A calendar month (tháng), the bucket of the counters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Month {
    year: i32,
    month: u32,
}

impl Month {
    /// The month `year`-`month`, if `month` is 1–12.
    pub fn new(year: i32, month: u32) -> Option<Month> {
        (1..=12).contains(&month).then_some(Month { year, month })
    }

    /// The local month of an instant, at `offset` from UTC.
    pub fn of(at: DateTime<Utc>, offset: FixedOffset) -> Month {
        let local = at.with_timezone(&offset);
        Month {
            year: local.year(),
            month: local.month(),
        }
    }

    /// Year.
    pub fn year(self) -> i32 {
        self.year
    }

    /// Month of the year, 1–12.
    pub fn month(self) -> u32 {
        self.month
    }

    /// The month after this one.
    pub fn next(self) -> Month {
        if self.month == 12 {
            Month {
                year: self.year + 1,
                month: 1,
            }
        } else {
            Month {
                year: self.year,
                month: self.month + 1,
            }
        }
    }

    /// The month before this one.
    pub fn previous(self) -> Month {
        if self.month == 1 {
            Month {
                year: self.year - 1,
                month: 12,
            }
        } else {
            Month {
                year: self.year,
                month: self.month - 1,
            }
        }
    }

    /// How many months `later` comes after this one (0 when it is not later).
    pub fn months_until(self, later: Month) -> u32 {
        let months = |m: Month| i64::from(m.year) * 12 + i64::from(m.month);
        u32::try_from(months(later) - months(self)).unwrap_or(0)
    }

    /// The first local day of the month.
    pub fn first_day(self) -> Option<NaiveDate> {
        NaiveDate::from_ymd_opt(self.year, self.month, 1)
    }

    /// The instant the month starts, local midnight at `offset`.
    pub fn start(self, offset: FixedOffset) -> Option<DateTime<Utc>> {
        let midnight = self.first_day()?.and_hms_opt(0, 0, 0)?;
        Some(midnight.and_local_timezone(offset).single()?.to_utc())
    }
}

impl fmt::Display for Month {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

impl std::str::FromStr for Month {
    type Err = String;

    /// Reads `YYYY-MM`.
    fn from_str(s: &str) -> Result<Month, String> {
        let bad = || {
            format!("tháng phải có dạng YYYY-MM, nhận «{s}» / a month must read YYYY-MM, got «{s}»")
        };
        let (year, month) = s.trim().split_once('-').ok_or_else(bad)?;
        if year.len() != 4 || month.len() != 2 {
            return Err(bad());
        }
        let year = year.parse().map_err(|_| bad())?;
        let month = month.parse().map_err(|_| bad())?;
        Month::new(year, month).ok_or_else(bad)
    }
}

/// What a counter counts. Each is kept per agency and month; see [`contributions`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Metric {
    /// Newly received in the month, online (Biểu 06; 766 indicator 3.3).
    ReceivedOnline,
    /// Newly received in the month at the one-stop desk (or by the API or command line).
    ReceivedDesk,
    /// Newly received in the month by public postal service.
    ReceivedPost,
    /// Processing ended in the month before the appointment day (766 rule 2.1).
    ResolvedEarly,
    /// Processing ended in the month on the appointment day.
    ResolvedOnTime,
    /// Processing ended in the month after the appointment.
    ResolvedLate,
    /// The measured appointment falls in the month (a counted dossier's).
    Due,
    /// The measured appointment falls in the month and the dossier ended in the month
    /// given (which may be earlier or later).
    DueEndedIn(Month),
    /// Received in the month without a time limit: not classified, outside Biểu 06.
    Unclassified,
    /// Ended in the month, of a procedure whose result is a document (766 4.1 denominator).
    DocumentResult,
    /// Of those, the result was issued electronically (766 indicator 4.1).
    ElectronicResult,
    /// Received in the month with a file attached to some component (766 indicator 4.2).
    Digitized,
    /// Received in the month reusing an earlier dossier's digitized component (766 4.3).
    Reused,
    /// Received in the month with a component from the applicant's data store (766 4.4).
    FromDataStore,
    /// Received in the month by an applicant authenticated with e-ID (766 4.5b).
    EidVerified,
    /// Rated satisfied, counted in the month processing ended (766 group 5).
    RatedSatisfied,
    /// Rated acceptable.
    RatedAcceptable,
    /// Rated not satisfied.
    RatedDissatisfied,
    /// Ended in the month late or rated not satisfied (once if both; 766 indicator 5.4),
    /// a counted dossier's.
    LateOrDissatisfied,
}

impl Metric {
    /// The stable text a store keeps (`due_ended:2026-03` for [`Metric::DueEndedIn`]).
    pub fn key(self) -> String {
        let plain = match self {
            Metric::ReceivedOnline => "received_online",
            Metric::ReceivedDesk => "received_desk",
            Metric::ReceivedPost => "received_post",
            Metric::ResolvedEarly => "resolved_early",
            Metric::ResolvedOnTime => "resolved_on_time",
            Metric::ResolvedLate => "resolved_late",
            Metric::Due => "due",
            Metric::DueEndedIn(m) => return format!("due_ended:{m}"),
            Metric::Unclassified => "unclassified",
            Metric::DocumentResult => "document_result",
            Metric::ElectronicResult => "electronic_result",
            Metric::Digitized => "digitized",
            Metric::Reused => "reused",
            Metric::FromDataStore => "from_data_store",
            Metric::EidVerified => "eid_verified",
            Metric::RatedSatisfied => "rated_satisfied",
            Metric::RatedAcceptable => "rated_acceptable",
            Metric::RatedDissatisfied => "rated_dissatisfied",
            Metric::LateOrDissatisfied => "late_or_dissatisfied",
        };
        plain.to_owned()
    }

    /// The metric of a stored key, if it is one.
    pub fn parse(key: &str) -> Option<Metric> {
        if let Some(month) = key.strip_prefix("due_ended:") {
            return month.parse().ok().map(Metric::DueEndedIn);
        }
        Some(match key {
            "received_online" => Metric::ReceivedOnline,
            "received_desk" => Metric::ReceivedDesk,
            "received_post" => Metric::ReceivedPost,
            "resolved_early" => Metric::ResolvedEarly,
            "resolved_on_time" => Metric::ResolvedOnTime,
            "resolved_late" => Metric::ResolvedLate,
            "due" => Metric::Due,
            "unclassified" => Metric::Unclassified,
            "document_result" => Metric::DocumentResult,
            "electronic_result" => Metric::ElectronicResult,
            "digitized" => Metric::Digitized,
            "reused" => Metric::Reused,
            "from_data_store" => Metric::FromDataStore,
            "eid_verified" => Metric::EidVerified,
            "rated_satisfied" => Metric::RatedSatisfied,
            "rated_acceptable" => Metric::RatedAcceptable,
            "rated_dissatisfied" => Metric::RatedDissatisfied,
            "late_or_dissatisfied" => Metric::LateOrDissatisfied,
            _ => return None,
        })
    }
}

/// Counts by month and metric (of one agency, or summed over several).
pub type Counts = BTreeMap<(Month, Metric), i64>;

/// What `dossier`, as it stands, adds to the counters of its agency.
pub fn contributions(dossier: &Dossier, rules: &OutcomeRules) -> Counts {
    let mut out = Counts::new();
    let offset = rules.offset();
    let timing = dossier.timing();
    let Some(received) = timing.received_at else {
        return out;
    };
    let mut add = |month: Month, metric: Metric| *out.entry((month, metric)).or_insert(0) += 1;
    let received_in = Month::of(received, offset);
    let ended_in = timing.finished_at.map(|at| Month::of(at, offset));
    let submission = &dossier.submission;
    if submission.components.iter().any(|c| c.has_file) {
        add(received_in, Metric::Digitized);
    }
    if submission.components.iter().any(|c| c.reused) {
        add(received_in, Metric::Reused);
    }
    if submission.components.iter().any(|c| c.from_data_store) {
        add(received_in, Metric::FromDataStore);
    }
    if submission.eid_verified {
        add(received_in, Metric::EidVerified);
    }
    if let Some(ended) = ended_in {
        if submission.procedure.document_result {
            add(ended, Metric::DocumentResult);
            if matches!(dossier.result, Some((ResultForm::Electronic, _))) {
                add(ended, Metric::ElectronicResult);
            }
        }
        match dossier.rating {
            Some(Rating::Satisfied) => add(ended, Metric::RatedSatisfied),
            Some(Rating::Acceptable) => add(ended, Metric::RatedAcceptable),
            Some(Rating::Dissatisfied) => add(ended, Metric::RatedDissatisfied),
            None => {}
        }
    }
    let Some(due) = timing.measured_due(rules) else {
        add(received_in, Metric::Unclassified);
        return out;
    };
    add(
        received_in,
        match submission.channel {
            Channel::Online => Metric::ReceivedOnline,
            Channel::Post => Metric::ReceivedPost,
            _ => Metric::ReceivedDesk,
        },
    );
    let due_in = Month::of(due, offset);
    add(due_in, Metric::Due);
    if let Some(ended) = ended_in {
        add(due_in, Metric::DueEndedIn(ended));
        // A finished dossier's class does not depend on the instant asked.
        let late = match timing.outcome_at(received, rules) {
            Outcome::Early => {
                add(ended, Metric::ResolvedEarly);
                false
            }
            Outcome::OnTime => {
                add(ended, Metric::ResolvedOnTime);
                false
            }
            _ => {
                add(ended, Metric::ResolvedLate);
                true
            }
        };
        if late || dossier.rating == Some(Rating::Dissatisfied) {
            add(ended, Metric::LateOrDissatisfied);
        }
    }
    out
}

/// What changes in the counters when a dossier goes from `old` (none for a new one) to
/// `new`: the non-zero differences of their [`contributions`].
pub fn delta(old: Option<&Dossier>, new: &Dossier, rules: &OutcomeRules) -> Counts {
    let mut out = contributions(new, rules);
    if let Some(old) = old {
        for (key, n) in contributions(old, rules) {
            *out.entry(key).or_insert(0) -= n;
        }
    }
    out.retain(|_, n| *n != 0);
    out
}

/// The Biểu 06 counts of one month from counters (one agency's or several summed), with
/// the dossiers still open at the month's end split by their appointment against that end.
/// For the month in progress, the caller replaces the open split with a live one.
pub fn report06_counts(counts: &Counts, month: Month) -> super::report06::Report06Counts {
    let sum = |pred: &dyn Fn(Month, Metric) -> bool| -> u64 {
        let total: i64 = counts
            .iter()
            .filter(|((m, metric), _)| pred(*m, *metric))
            .map(|(_, n)| *n)
            .sum();
        u64::try_from(total).unwrap_or(0)
    };
    let received = |m: Month, metric: Metric| {
        matches!(
            metric,
            Metric::ReceivedOnline | Metric::ReceivedDesk | Metric::ReceivedPost
        ) && m < month
    };
    let resolved = |m: Month, metric: Metric| {
        matches!(
            metric,
            Metric::ResolvedEarly | Metric::ResolvedOnTime | Metric::ResolvedLate
        ) && m < month
    };
    let carried_over = sum(&received).saturating_sub(sum(&resolved));
    let this = |wanted: Metric| sum(&|m, metric| m == month && metric == wanted);
    let (online, in_person, postal) = (
        this(Metric::ReceivedOnline),
        this(Metric::ReceivedDesk),
        this(Metric::ReceivedPost),
    );
    let (early, on_time, late) = (
        this(Metric::ResolvedEarly),
        this(Metric::ResolvedOnTime),
        this(Metric::ResolvedLate),
    );
    let in_progress =
        (carried_over + online + in_person + postal).saturating_sub(early + on_time + late);
    // Open at the month's end with an appointment before it: due by then, not ended by then.
    let due_by_end = sum(&|m, metric| metric == Metric::Due && m <= month);
    let ended_by_end =
        sum(&|m, metric| matches!(metric, Metric::DueEndedIn(e) if e <= month) && m <= month);
    let overdue = due_by_end.saturating_sub(ended_by_end).min(in_progress);
    super::report06::Report06Counts {
        carried_over,
        online,
        in_person,
        postal,
        early,
        on_time,
        late,
        within_time: in_progress - overdue,
        overdue,
    }
}
