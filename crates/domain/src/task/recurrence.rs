//! Recurring tasks ("báo cáo hằng tháng trước ngày 20"): a recurrence gives one deadline per
//! period, and each period is an ordinary task of its own — reported, extended and
//! classified like any other — that carries the [`Series`] it belongs to. Statistics then
//! count each period's report once, as the state sector counts periodic reports (🔶).
//!
//! Quarterly deadlines fall on the given day of the quarter's last month, as periodic
//! reporting regimes close a quarter's figures (🔶 Decree 09/2019/NĐ-CP on reporting
//! regimes sets the quarter's report date in its last month; configurable by the day).

use chrono::{Datelike, Months, NaiveDate};
use serde::{Deserialize, Serialize};

use super::TaskError;

/// Most periods one recurrence may create (five years of months).
pub const MAX_OCCURRENCES: usize = 60;

/// How often a task recurs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Frequency {
    /// Every month (hằng tháng).
    Monthly,
    /// Every quarter (hằng quý), in the quarter's last month.
    Quarterly,
}

impl Frequency {
    /// Identifier, as stored and in the API.
    pub fn as_str(self) -> &'static str {
        match self {
            Frequency::Monthly => "monthly",
            Frequency::Quarterly => "quarterly",
        }
    }

    /// Parses [`Frequency::as_str`].
    pub fn parse(s: &str) -> Option<Frequency> {
        match s {
            "monthly" => Some(Frequency::Monthly),
            "quarterly" => Some(Frequency::Quarterly),
            _ => None,
        }
    }
}

/// A deadline that recurs: on `day` of every month (or of every quarter's last month) from
/// `from` to `until`, both included.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Recurrence {
    /// Monthly or quarterly.
    pub frequency: Frequency,
    /// The day of the month the deadline falls on (1–31; a shorter month ends it on its
    /// last day).
    pub day: u8,
    /// No deadline before this date.
    pub from: NaiveDate,
    /// No deadline after this date.
    pub until: NaiveDate,
}

/// One period of a recurrence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Occurrence {
    /// The period, as titles write it: "tháng 01/2026", "quý I/2026".
    pub period_vi: String,
    /// The period in English: "January 2026", "Q1 2026".
    pub period_en: String,
    /// Its deadline.
    pub deadline: NaiveDate,
}

/// What a task of a series records of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Series {
    /// The series' id: the id of its first period's task.
    pub id: String,
    /// The recurrence.
    pub recurrence: Recurrence,
    /// This task's period, in Vietnamese ("tháng 01/2026").
    pub period: String,
}

const MONTHS_EN: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

const ROMAN: [&str; 4] = ["I", "II", "III", "IV"];

/// `day` of the month of `first` (the 1st), or the month's last day when it is shorter.
fn day_of(first: NaiveDate, day: u8) -> Option<NaiveDate> {
    let next = first.checked_add_months(Months::new(1))?;
    let last = next.pred_opt()?.day();
    first.with_day(u32::from(day).min(last))
}

impl Recurrence {
    /// Its deadlines, one per period, earliest first.
    ///
    /// # Errors
    /// [`TaskError::Invalid`] naming the field: a day outside 1–31, `until` before `from`, no
    /// period in the range, or more than [`MAX_OCCURRENCES`] periods.
    pub fn occurrences(&self) -> Result<Vec<Occurrence>, TaskError> {
        if !(1..=31).contains(&self.day) {
            return Err(TaskError::Invalid(
                "day: ngày trong tháng từ 1 đến 31 / the day of the month is from 1 to 31".into(),
            ));
        }
        if self.until < self.from {
            return Err(TaskError::Invalid(
                "until: ngày kết thúc phải sau ngày bắt đầu / the end must come after the start"
                    .into(),
            ));
        }
        let step = match self.frequency {
            Frequency::Monthly => 1,
            Frequency::Quarterly => 3,
        };
        let mut month = self.from.with_day(1).unwrap_or(self.from);
        if self.frequency == Frequency::Quarterly {
            // Start at the last month of `from`'s quarter.
            let last_of_quarter = (month.month0() / 3) * 3 + 3;
            month = month.with_month(last_of_quarter).unwrap_or(month);
        }
        let mut out = Vec::new();
        while let Some(deadline) = day_of(month, self.day) {
            if deadline > self.until {
                break;
            }
            if deadline >= self.from {
                if out.len() == MAX_OCCURRENCES {
                    return Err(TaskError::Invalid(format!(
                        "until: tối đa {MAX_OCCURRENCES} kỳ mỗi lần giao / at most {MAX_OCCURRENCES} periods per assignment"
                    )));
                }
                let (y, m) = (month.year(), month.month());
                out.push(match self.frequency {
                    Frequency::Monthly => Occurrence {
                        period_vi: format!("tháng {m:02}/{y}"),
                        period_en: format!("{} {y}", MONTHS_EN[month.month0() as usize]),
                        deadline,
                    },
                    Frequency::Quarterly => {
                        let q = month.month0() / 3;
                        Occurrence {
                            period_vi: format!("quý {}/{y}", ROMAN[q as usize]),
                            period_en: format!("Q{} {y}", q + 1),
                            deadline,
                        }
                    }
                });
            }
            let Some(next) = month.checked_add_months(Months::new(step)) else {
                break;
            };
            month = next;
        }
        if out.is_empty() {
            return Err(TaskError::Invalid(
                "until: không có kỳ nào trong khoảng thời gian đã chọn / no period falls between the dates given".into(),
            ));
        }
        Ok(out)
    }

    /// The rule in words: "Hằng tháng, hạn ngày 20" / "Monthly, due on the 20th".
    pub fn describe(&self) -> (String, String) {
        let day = self.day;
        let suffix = match (day % 10, day % 100) {
            (_, 11..=13) => "th",
            (1, _) => "st",
            (2, _) => "nd",
            (3, _) => "rd",
            _ => "th",
        };
        match self.frequency {
            Frequency::Monthly => (
                format!("Hằng tháng, hạn ngày {day}"),
                format!("Monthly, due on the {day}{suffix}"),
            ),
            Frequency::Quarterly => (
                format!("Hằng quý, hạn ngày {day} tháng cuối quý"),
                format!("Quarterly, due on the {day}{suffix} of the quarter's last month"),
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn a_monthly_report_by_the_20th_gives_a_deadline_per_month_in_range() {
        let r = Recurrence {
            frequency: Frequency::Monthly,
            day: 20,
            from: date(2026, 1, 21),
            until: date(2026, 6, 30),
        };
        let all = r.occurrences().unwrap();
        // January's 20th is before the start: February to June.
        assert_eq!(all.len(), 5);
        assert_eq!(all[0].deadline, date(2026, 2, 20));
        assert_eq!(all[0].period_vi, "tháng 02/2026");
        assert_eq!(all[0].period_en, "February 2026");
        assert_eq!(all[4].deadline, date(2026, 6, 20));
        assert_eq!(r.describe().0, "Hằng tháng, hạn ngày 20");
        assert_eq!(r.describe().1, "Monthly, due on the 20th");
    }

    #[test]
    fn a_day_past_a_short_month_ends_with_the_month() {
        let r = Recurrence {
            frequency: Frequency::Monthly,
            day: 31,
            from: date(2026, 1, 1),
            until: date(2026, 4, 30),
        };
        let deadlines: Vec<_> = r
            .occurrences()
            .unwrap()
            .into_iter()
            .map(|o| o.deadline)
            .collect();
        assert_eq!(
            deadlines,
            [
                date(2026, 1, 31),
                date(2026, 2, 28),
                date(2026, 3, 31),
                date(2026, 4, 30)
            ]
        );
    }

    #[test]
    fn quarterly_deadlines_fall_in_the_quarters_last_month() {
        let r = Recurrence {
            frequency: Frequency::Quarterly,
            day: 15,
            from: date(2026, 2, 1),
            until: date(2026, 12, 31),
        };
        let all = r.occurrences().unwrap();
        let deadlines: Vec<_> = all.iter().map(|o| o.deadline).collect();
        assert_eq!(
            deadlines,
            [
                date(2026, 3, 15),
                date(2026, 6, 15),
                date(2026, 9, 15),
                date(2026, 12, 15)
            ]
        );
        assert_eq!(all[3].period_vi, "quý IV/2026");
        assert_eq!(all[3].period_en, "Q4 2026");
        assert_eq!(
            r.describe().1,
            "Quarterly, due on the 15th of the quarter's last month"
        );
    }

    #[test]
    fn bad_recurrences_name_the_field() {
        let base = Recurrence {
            frequency: Frequency::Monthly,
            day: 20,
            from: date(2026, 1, 1),
            until: date(2026, 12, 31),
        };
        let err = |r: Recurrence| r.occurrences().unwrap_err().to_string();
        assert!(err(Recurrence { day: 0, ..base }).starts_with("day:"));
        assert!(err(Recurrence { day: 32, ..base }).starts_with("day:"));
        assert!(
            err(Recurrence {
                until: date(2025, 12, 1),
                ..base
            })
            .starts_with("until:")
        );
        assert!(
            err(Recurrence {
                from: date(2026, 1, 21),
                until: date(2026, 2, 10),
                ..base
            })
            .starts_with("until:")
        );
        assert!(
            err(Recurrence {
                until: date(2031, 12, 31),
                ..base
            })
            .contains("at most 60"),
            "six years of months"
        );
        assert_eq!(
            Recurrence {
                until: date(2030, 12, 31),
                ..base
            }
            .occurrences()
            .unwrap()
            .len(),
            60
        );
    }
}
