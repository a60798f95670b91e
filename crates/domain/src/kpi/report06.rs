//! The periodic report Biểu số 06/VPCP/KSTT (Circular 01/2020/TT-VPCP): "Tình hình, kết quả
//! giải quyết TTHC tại cơ quan, đơn vị trực tiếp giải quyết TTHC" — one row per field or
//! agency, and the two families of on-time and overdue rates computed from it.
//!
//! A row (regulations.md §2.8, ✅ the form's columns; 🟡 the identities, from a
//! practitioner's validator and consistent with the form):
//!
//! | received (nhận giải quyết) | resolved (đã giải quyết) | in progress (đang giải quyết) |
//! |---|---|---|
//! | carried over + online + in person + postal | early + on time + late | within time + overdue |
//!
//! and received = resolved + in progress: each dossier to resolve in the period ends it
//! either resolved or still in progress. "Received" counts dossiers with a national status
//! of 2 and 4–10 ([`crate::dossier::Status::counts_as_received`]); "resolved" are those whose
//! processing ended (processed, result returned, stopped, withdrawn after receipt); the
//! columns come from [`crate::dossier::Outcome`]. A dossier of a procedure without a time
//! limit can be neither early nor late; the form does not say where it goes, so the counts
//! given here decide, and both sides must treat it alike for the balance to hold.

use serde::{Deserialize, Serialize};

use super::Ratio;

/// The counts a row is built from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub struct Report06Counts {
    /// Still to resolve at the start of the period (từ kỳ trước).
    pub carried_over: u64,
    /// Newly received online in the period (trực tuyến).
    pub online: u64,
    /// Newly received at the desk (trực tiếp).
    pub in_person: u64,
    /// Newly received by public postal service (bưu chính công ích).
    pub postal: u64,
    /// Resolved before the appointment day (trước hạn).
    pub early: u64,
    /// Resolved on the appointment day (đúng hạn).
    pub on_time: u64,
    /// Resolved after the appointment (quá hạn).
    pub late: u64,
    /// In progress at the end of the period, within time (trong hạn).
    pub within_time: u64,
    /// In progress at the end of the period, past the appointment (quá hạn).
    pub overdue: u64,
}

/// One row of the form, with its three totals as stated.
///
/// [`Report06Row::from_counts`] computes the totals; a row read from elsewhere (an imported
/// report, a sum of rows) states them, and [`Report06Row::check`] verifies the identities.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub struct Report06Row {
    /// The parts.
    pub counts: Report06Counts,
    /// Total to resolve (tổng số nhận giải quyết).
    pub received: u64,
    /// Total resolved (tổng số đã giải quyết).
    pub resolved: u64,
    /// Total in progress (tổng số đang giải quyết).
    pub in_progress: u64,
}

/// An identity of the form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Identity {
    /// received = carried over + online + in person + postal.
    ReceivedParts,
    /// resolved = early + on time + late.
    ResolvedParts,
    /// in progress = within time + overdue.
    InProgressParts,
    /// received = resolved + in progress.
    Balance,
}

impl Identity {
    /// Every identity, in the order [`Report06Row::check`] tests them.
    pub const ALL: [Identity; 4] = [
        Identity::ReceivedParts,
        Identity::ResolvedParts,
        Identity::InProgressParts,
        Identity::Balance,
    ];

    /// The identity in Vietnamese.
    pub fn describe_vi(self) -> &'static str {
        match self {
            Identity::ReceivedParts => {
                "tổng số nhận giải quyết = từ kỳ trước + trực tuyến + trực tiếp + bưu chính"
            }
            Identity::ResolvedParts => "tổng số đã giải quyết = trước hạn + đúng hạn + quá hạn",
            Identity::InProgressParts => "tổng số đang giải quyết = trong hạn + quá hạn",
            Identity::Balance => "tổng số nhận giải quyết = đã giải quyết + đang giải quyết",
        }
    }

    /// The identity in English.
    pub fn describe_en(self) -> &'static str {
        match self {
            Identity::ReceivedParts => {
                "received total = carried over + online + in person + postal"
            }
            Identity::ResolvedParts => "resolved total = early + on time + late",
            Identity::InProgressParts => "in progress total = within time + overdue",
            Identity::Balance => "received total = resolved + in progress",
        }
    }
}

/// An identity that does not hold: its left side and the sum on its right side.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, thiserror::Error)]
#[error(
    "Biểu số 06/VPCP/KSTT: không khớp {} ({left} ≠ {right}) / Form 06/VPCP/KSTT: {} does not hold ({left} ≠ {right})",
    identity.describe_vi(),
    identity.describe_en()
)]
pub struct Mismatch {
    /// The identity.
    pub identity: Identity,
    /// The stated total.
    pub left: u64,
    /// The sum of its parts (wide, so a sum of huge counts cannot overflow).
    pub right: u128,
}

impl Report06Row {
    /// The row of `counts`, its totals summed from their parts (saturating, far beyond any
    /// real count). The balance identity holds only if the counts agree.
    pub fn from_counts(counts: Report06Counts) -> Self {
        let c = counts;
        Report06Row {
            counts,
            received: c
                .carried_over
                .saturating_add(c.online)
                .saturating_add(c.in_person)
                .saturating_add(c.postal),
            resolved: c.early.saturating_add(c.on_time).saturating_add(c.late),
            in_progress: c.within_time.saturating_add(c.overdue),
        }
    }

    /// The sum of `rows`, field by field: the subtotal row of a level or of the whole report.
    pub fn total<'a>(rows: impl IntoIterator<Item = &'a Report06Row>) -> Report06Row {
        rows.into_iter().fold(Report06Row::default(), |acc, r| {
            let (a, b) = (acc.counts, r.counts);
            Report06Row {
                counts: Report06Counts {
                    carried_over: a.carried_over.saturating_add(b.carried_over),
                    online: a.online.saturating_add(b.online),
                    in_person: a.in_person.saturating_add(b.in_person),
                    postal: a.postal.saturating_add(b.postal),
                    early: a.early.saturating_add(b.early),
                    on_time: a.on_time.saturating_add(b.on_time),
                    late: a.late.saturating_add(b.late),
                    within_time: a.within_time.saturating_add(b.within_time),
                    overdue: a.overdue.saturating_add(b.overdue),
                },
                received: acc.received.saturating_add(r.received),
                resolved: acc.resolved.saturating_add(r.resolved),
                in_progress: acc.in_progress.saturating_add(r.in_progress),
            }
        })
    }

    /// Both sides of `identity`.
    fn sides(&self, identity: Identity) -> (u64, u128) {
        let c = &self.counts;
        let sum = |parts: &[u64]| parts.iter().copied().map(u128::from).sum::<u128>();
        match identity {
            Identity::ReceivedParts => (
                self.received,
                sum(&[c.carried_over, c.online, c.in_person, c.postal]),
            ),
            Identity::ResolvedParts => (self.resolved, sum(&[c.early, c.on_time, c.late])),
            Identity::InProgressParts => (self.in_progress, sum(&[c.within_time, c.overdue])),
            Identity::Balance => (self.received, sum(&[self.resolved, self.in_progress])),
        }
    }

    /// Verifies the four identities; on failure, every one that does not hold.
    pub fn check(&self) -> Result<(), Vec<Mismatch>> {
        let failed: Vec<Mismatch> = Identity::ALL
            .into_iter()
            .filter_map(|identity| {
                let (left, right) = self.sides(identity);
                (u128::from(left) != right).then_some(Mismatch {
                    identity,
                    left,
                    right,
                })
            })
            .collect();
        if failed.is_empty() {
            Ok(())
        } else {
            Err(failed)
        }
    }

    /// Newly received in the period: online + in person + postal.
    pub fn newly_received(&self) -> u64 {
        let c = &self.counts;
        c.online
            .saturating_add(c.in_person)
            .saturating_add(c.postal)
    }

    /// The form's "trực tiếp và qua bưu chính công ích" column: in person + postal.
    pub fn in_person_and_postal(&self) -> u64 {
        self.counts.in_person.saturating_add(self.counts.postal)
    }

    /// On-time rate, "766" family (whole system, 766 indicator 2.1): (early + on time + in
    /// progress within time) ÷ received. Dossiers still in progress count when within time,
    /// so a unit is not rewarded for leaving hard dossiers open (🟡 regulations §1.3, §2.8).
    pub fn on_time_766(&self) -> Ratio {
        let c = &self.counts;
        Ratio::new(
            c.early
                .saturating_add(c.on_time)
                .saturating_add(c.within_time),
            self.received,
        )
    }

    /// Overdue rate, "766" family: (resolved late + in progress overdue) ÷ received.
    pub fn overdue_766(&self) -> Ratio {
        let c = &self.counts;
        Ratio::new(c.late.saturating_add(c.overdue), self.received)
    }

    /// On-time rate, "Circular 01" family (resolved dossiers only, the report's own rate):
    /// (early + on time) ÷ resolved. Ignores open dossiers, however late they are.
    pub fn on_time_resolved(&self) -> Ratio {
        let c = &self.counts;
        Ratio::new(c.early.saturating_add(c.on_time), self.resolved)
    }

    /// Overdue rate, "Circular 01" family: resolved late ÷ resolved.
    pub fn overdue_resolved(&self) -> Ratio {
        Ratio::new(self.counts.late, self.resolved)
    }

    /// In progress within time ÷ in progress: the second sub-ratio of 766 indicator 2.1 in
    /// the METRICS sheet (🟡 regulations §1.3).
    pub fn within_time_in_progress(&self) -> Ratio {
        Ratio::new(self.counts.within_time, self.in_progress)
    }

    /// Online share, "Circular 01" family: online ÷ newly received (carried-over dossiers
    /// excluded). Not 766 indicator 3.3, which also requires an electronic result where one
    /// is due and multiplies by the sync ratio (regulations §2.8).
    pub fn online_share(&self) -> Ratio {
        Ratio::new(self.counts.online, self.newly_received())
    }
}
