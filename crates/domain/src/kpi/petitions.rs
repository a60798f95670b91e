//! What feedback and petitions (phản ánh, kiến nghị, PAKN) add to Decision 766 group 5
//! (regulations §1.3): indicator 5.1 (the share by class, monitored), 5.2 (handled on time)
//! and 5.3 (satisfaction with the handling). Each petition adds 0 or 1 to each count, so
//! an agency's counts are the sum of its petitions' and a unit's the sum of its agencies'.
//!
//! 5.3 subtracts from the petitions received those with more dislikes than likes, those
//! overdue and those complained about again. motcua records neither votes on answers nor
//! repeated complaints, so only the overdue ones are subtracted; the page says so.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::Ratio;
use crate::petition::{Petition, PetitionClass};

/// Counts of a set of petitions for one period.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PetitionCounts {
    /// Received in the period (5.1 and 5.3 denominator).
    pub received: u64,
    /// Of those, about rules and procedures (5.1a).
    pub about_procedures: u64,
    /// Of those, about the behaviour of staff (5.1b).
    pub about_staff: u64,
    /// Of those, not overdue at the period's end (5.3 numerator).
    pub received_not_overdue: u64,
    /// Received before the period ends and not handled before it began (5.2 denominator).
    pub handled_or_open: u64,
    /// Of those, every step so far done or still due on time at the period's end (5.2
    /// numerator).
    pub on_time: u64,
}

impl PetitionCounts {
    /// Adds `other` into these counts.
    pub fn add(&mut self, other: &PetitionCounts) {
        self.received += other.received;
        self.about_procedures += other.about_procedures;
        self.about_staff += other.about_staff;
        self.received_not_overdue += other.received_not_overdue;
        self.handled_or_open += other.handled_or_open;
        self.on_time += other.on_time;
    }

    /// 5.1a: about procedures ÷ received.
    pub fn about_procedures_ratio(&self) -> Ratio {
        Ratio::new(self.about_procedures, self.received)
    }

    /// 5.1b: about staff ÷ received.
    pub fn about_staff_ratio(&self) -> Ratio {
        Ratio::new(self.about_staff, self.received)
    }

    /// 5.2: handled on time or within time ÷ received or handled in the period.
    pub fn on_time_ratio(&self) -> Ratio {
        Ratio::new(self.on_time, self.handled_or_open)
    }

    /// 5.3: received, less those overdue, ÷ received.
    pub fn satisfaction_ratio(&self) -> Ratio {
        Ratio::new(self.received_not_overdue, self.received)
    }
}

/// When a petition was handled: answered or rejected.
fn handled_at(p: &Petition) -> Option<DateTime<Utc>> {
    p.answer
        .as_ref()
        .map(|(_, at)| *at)
        .or(p.rejected.as_ref().map(|(_, at)| *at))
}

/// What one petition adds to the counts of the period `[from, to)`, its deadlines judged at
/// `at` (the period's end, or now while the period is in progress).
pub fn petition_counts(
    p: &Petition,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    at: DateTime<Utc>,
) -> PetitionCounts {
    let mut out = PetitionCounts::default();
    if p.received_at >= to {
        return out;
    }
    let on_time = p.on_time(at);
    if p.received_at >= from {
        out.received = 1;
        match p.submission.class {
            PetitionClass::Procedure => out.about_procedures = 1,
            PetitionClass::Staff => out.about_staff = 1,
        }
        out.received_not_overdue = u64::from(on_time);
    }
    if handled_at(p).is_none_or(|handled| handled >= from) {
        out.handled_or_open = 1;
        out.on_time = u64::from(on_time);
    }
    out
}

/// The counts of `petitions` for the period `[from, to)` judged at `at`.
pub fn tally<'a>(
    petitions: impl IntoIterator<Item = &'a Petition>,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    at: DateTime<Utc>,
) -> PetitionCounts {
    let mut out = PetitionCounts::default();
    for p in petitions {
        out.add(&petition_counts(p, from, to, at));
    }
    out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "a failed step fails the test")]

    use chrono::{FixedOffset, TimeZone};

    use super::*;
    use crate::calendar::{Calendar, CalendarConfig, bundled_schedules};
    use crate::petition::{
        PetitionAbout, PetitionCommand, PetitionContact, PetitionContext, PetitionRules,
        PetitionSubmission, decide,
    };

    fn vn(y: i32, m: u32, d: u32) -> DateTime<Utc> {
        FixedOffset::east_opt(7 * 3600)
            .unwrap()
            .with_ymd_and_hms(y, m, d, 9, 0, 0)
            .unwrap()
            .to_utc()
    }

    /// A petition received at `at`, then each of `steps` at its instant.
    fn petition(
        class: PetitionClass,
        at: DateTime<Utc>,
        steps: &[(PetitionCommand, DateTime<Utc>)],
    ) -> Petition {
        let calendar = Calendar::new(CalendarConfig::default(), bundled_schedules()).unwrap();
        let rules = PetitionRules::default();
        let submission = PetitionSubmission {
            code: format!("PA-{}", at.timestamp()),
            agency: "000.00.10.H05".into(),
            class,
            about: PetitionAbout::Procedure {
                code: "2.000815".into(),
                name: "Chứng thực bản sao".into(),
            },
            title: "Thời gian chờ quá lâu".into(),
            content: "Tôi phải chờ hai giờ.".into(),
            contact: PetitionContact {
                name: "Trần Thị Bình".into(),
                phone: Some("0912345678".into()),
                email: None,
                address: None,
            },
            account: None,
        };
        let step = |state: Option<&Petition>, command: &PetitionCommand, now| {
            let ctx = PetitionContext {
                now,
                calendar: &calendar,
                rules: &rules,
            };
            decide(state, command, &ctx).unwrap().1
        };
        let mut p = step(None, &PetitionCommand::Submit(Box::new(submission)), at);
        for (command, now) in steps {
            p = step(Some(&p), command, *now);
        }
        p
    }

    fn answer() -> PetitionCommand {
        PetitionCommand::Answer {
            answer: "Đã chấn chỉnh.".into(),
        }
    }

    #[test]
    fn october_counted_by_hand() {
        let (from, to) = (vn(2026, 10, 1), vn(2026, 11, 1));
        let petitions = [
            // Handled before October: not in October's figures.
            petition(
                PetitionClass::Procedure,
                vn(2026, 9, 21),
                &[(answer(), vn(2026, 9, 25))],
            ),
            // Carried over, answered and published on time in October: 5.2 only.
            petition(
                PetitionClass::Procedure,
                vn(2026, 9, 28),
                &[
                    (answer(), vn(2026, 10, 2)),
                    (PetitionCommand::Publish, vn(2026, 10, 5)),
                ],
            ),
            // Answered on time but its answer never published (due two working days
            // after): late at the month's end.
            petition(
                PetitionClass::Procedure,
                vn(2026, 9, 29),
                &[(answer(), vn(2026, 10, 2))],
            ),
            // About staff, received 05/10, answer due 26/10 (15 working days), still open on
            // 01/11: overdue.
            petition(PetitionClass::Staff, vn(2026, 10, 5), &[]),
            // Rejected the next working day: handled on time.
            petition(
                PetitionClass::Procedure,
                vn(2026, 10, 20),
                &[(
                    PetitionCommand::Reject {
                        reasons: "Không thuộc thẩm quyền.".into(),
                    },
                    vn(2026, 10, 21),
                )],
            ),
            // November's.
            petition(PetitionClass::Staff, vn(2026, 11, 2), &[]),
        ];
        let got = tally(&petitions, from, to, to);
        assert_eq!(
            got,
            PetitionCounts {
                received: 2,
                about_procedures: 1,
                about_staff: 1,
                received_not_overdue: 1,
                handled_or_open: 4,
                on_time: 2,
            }
        );
        assert_eq!(got.on_time_ratio(), Ratio::new(2, 4));
        assert_eq!(got.satisfaction_ratio(), Ratio::new(1, 2));
        assert_eq!(got.about_staff_ratio(), Ratio::new(1, 2));
        // Judged on 20/10 (the month in progress), the staff petition is still within time.
        let live = tally(&petitions, from, to, vn(2026, 10, 20));
        assert_eq!((live.on_time, live.received_not_overdue), (3, 2));
    }

    #[test]
    fn no_petitions_leave_the_ratios_undefined() {
        let none = tally(&[], vn(2026, 10, 1), vn(2026, 11, 1), vn(2026, 11, 1));
        assert_eq!(none, PetitionCounts::default());
        assert_eq!(none.on_time_ratio().value(), None);
    }
}
