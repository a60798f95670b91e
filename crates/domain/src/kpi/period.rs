//! Reporting periods (kỳ báo cáo): a month, a quarter, a year or any range of whole months.
//!
//! The formula document computes the 766 index per month, quarter or year (🟡 regulations
//! §1.3, "common notes"), and Biểu 06 is filed per period too; a range of months serves
//! everything else ("the first half", a fiscal span). Every period is a run of whole local
//! calendar months, so its figures are sums of the monthly counters
//! ([`super::counts::report06_counts`]).

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, FixedOffset, Utc};
use serde::{Deserialize, Serialize};

use super::counts::Month;

/// What a period was asked as; it decides how it is written and named.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Span {
    /// One month: `2026-10`, "Tháng 10/2026".
    Month,
    /// A quarter: `2026-Q3`, "Quý III/2026".
    Quarter,
    /// A calendar year: `2026`, "Năm 2026".
    Year,
    /// Any run of months: `2026-01..2026-06`, "Từ 01/2026 đến 06/2026".
    Range,
}

/// A reporting period: the months from `first` to `last`, both included.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Period {
    first: Month,
    last: Month,
    span: Span,
}

/// Why a text is not a period. Messages are Vietnamese, then English, and name the text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PeriodError {
    /// Not one of the four forms.
    #[error(
        "kỳ phải có dạng YYYY-MM (tháng), YYYY-Qn (quý), YYYY (năm) hoặc YYYY-MM..YYYY-MM (các tháng), nhận «{0}» / a period must read YYYY-MM (month), YYYY-Qn (quarter), YYYY (year) or YYYY-MM..YYYY-MM (months), got «{0}»"
    )]
    Malformed(String),
    /// A range whose first month comes after its last.
    #[error(
        "kỳ «{0}»: tháng đầu ở sau tháng cuối / period «{0}»: the first month comes after the last"
    )]
    Reversed(String),
}

const ROMAN: [&str; 4] = ["I", "II", "III", "IV"];

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

fn numeric(m: Month) -> String {
    format!("{:02}/{}", m.month(), m.year())
}

impl Period {
    /// One month.
    pub fn month(month: Month) -> Period {
        Period {
            first: month,
            last: month,
            span: Span::Month,
        }
    }

    /// Quarter `quarter` (1–4) of `year`.
    pub fn quarter(year: i32, quarter: u32) -> Option<Period> {
        if !(1..=4).contains(&quarter) {
            return None;
        }
        Some(Period {
            first: Month::new(year, 3 * quarter - 2)?,
            last: Month::new(year, 3 * quarter)?,
            span: Span::Quarter,
        })
    }

    /// The calendar year `year`.
    pub fn year(year: i32) -> Option<Period> {
        Some(Period {
            first: Month::new(year, 1)?,
            last: Month::new(year, 12)?,
            span: Span::Year,
        })
    }

    /// The months from `first` to `last`, both included; `None` when `first` is later.
    pub fn range(first: Month, last: Month) -> Option<Period> {
        (first <= last).then_some(Period {
            first,
            last,
            span: Span::Range,
        })
    }

    /// The first month.
    pub fn first(self) -> Month {
        self.first
    }

    /// The last month.
    pub fn last(self) -> Month {
        self.last
    }

    /// How the period was asked.
    pub fn span(self) -> Span {
        self.span
    }

    /// Whether `month` lies within the period.
    pub fn contains(self, month: Month) -> bool {
        self.first <= month && month <= self.last
    }

    /// The number of months (at least 1).
    pub fn len(self) -> u32 {
        self.first.months_until(self.last) + 1
    }

    /// Always false: a period has at least one month (for clippy's `len` convention).
    pub fn is_empty(self) -> bool {
        false
    }

    /// The months in order.
    pub fn months(self) -> impl Iterator<Item = Month> {
        let last = self.last;
        std::iter::successors(Some(self.first), move |m| (*m < last).then(|| m.next()))
    }

    /// The same months, ending at `last` instead if it is earlier (a period cut at the
    /// month in progress); `None` when `last` precedes the first month.
    pub fn until(self, last: Month) -> Option<Period> {
        if last >= self.last {
            return Some(self);
        }
        (last >= self.first).then_some(Period {
            first: self.first,
            last,
            span: Span::Range,
        })
    }

    /// The instant the period starts: local midnight of its first day at `offset`.
    pub fn start(self, offset: FixedOffset) -> Option<DateTime<Utc>> {
        self.first.start(offset)
    }

    /// The instant it ends: local midnight after its last day.
    pub fn end(self, offset: FixedOffset) -> Option<DateTime<Utc>> {
        self.last.next().start(offset)
    }

    /// Its name in Vietnamese: "Tháng 10/2026", "Quý III/2026", "Năm 2026",
    /// "Từ 01/2026 đến 06/2026".
    pub fn label_vi(self) -> String {
        match self.span {
            Span::Month => format!("Tháng {}", numeric(self.first)),
            Span::Quarter => format!(
                "Quý {}/{}",
                ROMAN[(self.first.month() as usize - 1) / 3],
                self.first.year()
            ),
            Span::Year => format!("Năm {}", self.first.year()),
            Span::Range => format!("Từ {} đến {}", numeric(self.first), numeric(self.last)),
        }
    }

    /// Its name in English: "October 2026", "Q3 2026", "Year 2026", "01/2026 to 06/2026".
    pub fn label_en(self) -> String {
        match self.span {
            Span::Month => format!(
                "{} {}",
                MONTHS_EN[self.first.month() as usize - 1],
                self.first.year()
            ),
            Span::Quarter => format!(
                "Q{} {}",
                (self.first.month() - 1) / 3 + 1,
                self.first.year()
            ),
            Span::Year => format!("Year {}", self.first.year()),
            Span::Range => format!("{} to {}", numeric(self.first), numeric(self.last)),
        }
    }
}

impl From<Month> for Period {
    fn from(month: Month) -> Period {
        Period::month(month)
    }
}

impl fmt::Display for Period {
    /// The form it parses from: `2026-10`, `2026-Q3`, `2026`, `2026-01..2026-06`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.span {
            Span::Month => write!(f, "{}", self.first),
            Span::Quarter => write!(
                f,
                "{:04}-Q{}",
                self.first.year(),
                (self.first.month() - 1) / 3 + 1
            ),
            Span::Year => write!(f, "{:04}", self.first.year()),
            Span::Range => write!(f, "{}..{}", self.first, self.last),
        }
    }
}

impl FromStr for Period {
    type Err = PeriodError;

    /// Reads `YYYY-MM`, `YYYY-Qn` (`q` too), `YYYY` or `YYYY-MM..YYYY-MM`.
    fn from_str(s: &str) -> Result<Period, PeriodError> {
        let text = s.trim();
        let bad = || PeriodError::Malformed(text.to_owned());
        let year = |y: &str| -> Result<i32, PeriodError> {
            if y.len() == 4 && y.bytes().all(|b| b.is_ascii_digit()) {
                y.parse().map_err(|_| bad())
            } else {
                Err(bad())
            }
        };
        if let Some((first, last)) = text.split_once("..") {
            let first: Month = first.parse().map_err(|_| bad())?;
            let last: Month = last.parse().map_err(|_| bad())?;
            return Period::range(first, last)
                .ok_or_else(|| PeriodError::Reversed(text.to_owned()));
        }
        if let Some((y, q)) = text.split_once(['-']) {
            if let Some(n) = q.strip_prefix(['Q', 'q']) {
                let n: u32 = match n {
                    "1" | "2" | "3" | "4" => n.parse().map_err(|_| bad())?,
                    _ => return Err(bad()),
                };
                return Period::quarter(year(y)?, n).ok_or_else(bad);
            }
            let month: Month = text.parse().map_err(|_| bad())?;
            return Ok(Period::month(month));
        }
        Period::year(year(text)?).ok_or_else(bad)
    }
}

impl TryFrom<String> for Period {
    type Error = PeriodError;
    fn try_from(s: String) -> Result<Period, PeriodError> {
        s.parse()
    }
}

impl From<Period> for String {
    fn from(p: Period) -> String {
        p.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(s: &str) -> Month {
        s.parse().unwrap()
    }

    #[test]
    fn the_four_forms_parse_name_and_print_back() {
        for (text, first, last, vi, en, len) in [
            (
                "2026-10",
                "2026-10",
                "2026-10",
                "Tháng 10/2026",
                "October 2026",
                1,
            ),
            (
                "2026-Q3",
                "2026-07",
                "2026-09",
                "Quý III/2026",
                "Q3 2026",
                3,
            ),
            ("2026", "2026-01", "2026-12", "Năm 2026", "Year 2026", 12),
            (
                "2026-01..2026-06",
                "2026-01",
                "2026-06",
                "Từ 01/2026 đến 06/2026",
                "01/2026 to 06/2026",
                6,
            ),
            (
                "2025-11..2026-02",
                "2025-11",
                "2026-02",
                "Từ 11/2025 đến 02/2026",
                "11/2025 to 02/2026",
                4,
            ),
        ] {
            let p: Period = text.parse().unwrap();
            assert_eq!((p.first(), p.last()), (m(first), m(last)), "{text}");
            assert_eq!(p.label_vi(), vi);
            assert_eq!(p.label_en(), en);
            assert_eq!(p.to_string(), text);
            assert_eq!(p.len(), len);
            assert_eq!(p.months().count() as u32, len);
            assert_eq!(p.months().last(), Some(p.last()));
        }
        assert_eq!("2026-q4".parse::<Period>().unwrap().to_string(), "2026-Q4");
        assert_eq!(
            " 2026-Q1 ".parse::<Period>().unwrap().label_vi(),
            "Quý I/2026"
        );
    }

    #[test]
    fn a_bad_period_is_refused_in_both_languages_naming_the_text() {
        for text in [
            "",
            "2026-13",
            "26-10",
            "2026-Q5",
            "2026-Q0",
            "2026-Q",
            "Q3-2026",
            "20266",
            "2026-1",
            "2026-10..",
            "..2026-10",
            "2026-10..2026",
            "abc",
        ] {
            let e = text.parse::<Period>().unwrap_err();
            let msg = e.to_string();
            assert!(
                msg.contains(&format!("«{}»", text.trim()))
                    && msg.contains("kỳ phải có dạng")
                    && msg.contains("a period must read"),
                "{text}: {msg}"
            );
        }
        let e = "2026-06..2026-01".parse::<Period>().unwrap_err();
        assert_eq!(e, PeriodError::Reversed("2026-06..2026-01".into()));
        assert!(
            e.to_string()
                .contains("the first month comes after the last")
        );
    }

    #[test]
    fn a_period_is_cut_at_the_month_in_progress() {
        let year: Period = "2026".parse().unwrap();
        let cut = year.until(m("2026-04")).unwrap();
        assert_eq!(
            (cut.first(), cut.last(), cut.len()),
            (m("2026-01"), m("2026-04"), 4)
        );
        assert_eq!(year.until(m("2027-02")), Some(year));
        assert_eq!(year.until(m("2025-12")), None);
        assert!(year.contains(m("2026-07")) && !year.contains(m("2027-01")));
    }

    #[test]
    fn serde_uses_the_text_form() {
        let p: Period = "2026-Q3".parse().unwrap();
        assert_eq!(serde_json::to_string(&p).unwrap(), "\"2026-Q3\"");
        let back: Period = serde_json::from_str("\"2026-01..2026-06\"").unwrap();
        assert_eq!(back.len(), 6);
    }
}
