//! Statutory public holidays by rule: the fallback for years without an official schedule.
//!
//! Only the yearly notice (a Prime Minister decision or a Ministry of Home Affairs notice)
//! fixes Tết days, swaps and make-up Saturdays, so these rules are a proposal, exact for the
//! fixed-date holidays and an approximation for the Prime Minister's choices (Tết days and
//! the day next to 2 September). The rules follow the Labour Code 2019 (45/2019/QH14, in force
//! from 01/01/2021) and the Labour Code 2012 (10/2012/QH13) for the one-day National Day
//! before 2021; holiday lists before 2013 (Labour Code 1994) are not modelled.

use chrono::{Datelike, NaiveDate, TimeDelta, WeekdaySet};

use super::lunar::{self, LunarDate};
use super::{CalendarError, DayKind, DayOff};

/// Which day next to National Day (2 September) is the second day off.
///
/// Labour Code 2019 art. 112(1)(đ) grants "2 September and one adjacent day before or after";
/// art. 112(3) lets the Prime Minister choose it each year, so the choice is configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum NationalDayAdjacent {
    /// Always 1 September.
    Before,
    /// Always 3 September.
    After,
    /// The adjacent working day that joins 2 September to the weekly rest: 3 September when
    /// 2 September is a Sunday, Monday or Thursday, otherwise 1 September (also when neither
    /// side touches the weekend, e.g. a Wednesday). This reproduces every notice of
    /// 2021–2026: 3/9/2021 (Thu), 1/9/2022 (Fri), 1/9/2023 (Sat), 3/9/2024 (Mon),
    /// 1/9/2025 (Tue), 1/9/2026 (Wed).
    #[default]
    JoinWeekend,
}

/// The statutory-holiday rules with their configurable choices.
///
/// Defaults follow the law in force and the practice of the 2019–2026 notices.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HolidayRules {
    /// How many of the five Tết days (Labour Code 2019 art. 112(1)(b)) come before lunar
    /// New Year's day; the rest start on it. Default 1 (the last day of the lunar year, then
    /// days 1–4), as in every notice of 2019–2026; art. 112(3) leaves it to the Prime Minister.
    /// At most 5.
    pub tet_days_before: u8,
    /// The second National Day holiday (art. 112(1)(đ)).
    pub national_day_adjacent: NationalDayAdjacent,
    /// First year with two National Day holidays: 2021, when Labour Code 2019 came into force
    /// (art. 220(1)); before, Labour Code 2012 art. 115(1)(đ) gave 2 September alone.
    pub national_day_two_days_from: i32,
    /// Date from which 24 November, Vietnam Culture Day, is a paid holiday: 2026-07-01 by
    /// Resolution 28/2026/QH16 art. 2(1) (🟡 secondary sources). `None` disables it.
    pub culture_day_from: Option<NaiveDate>,
}

impl Default for HolidayRules {
    fn default() -> Self {
        Self {
            tet_days_before: 1,
            national_day_adjacent: NationalDayAdjacent::default(),
            national_day_two_days_from: 2021,
            culture_day_from: NaiveDate::from_ymd_opt(2026, 7, 1),
        }
    }
}

impl HolidayRules {
    /// The holidays and compensatory days off of a solar year under these rules, sorted.
    ///
    /// Holidays that fall on a day of `weekly_rest` are listed too (they explain the
    /// compensatory day that follows). Two holidays on the same date make one day off with
    /// both names: the law grants no extra day for that case.
    ///
    /// # Errors
    /// A year outside 1900–2199 (from the lunar conversion), or more than five Tết days
    /// before New Year's day.
    pub fn days_off(
        &self,
        year: i32,
        weekly_rest: WeekdaySet,
    ) -> Result<Vec<DayOff>, CalendarError> {
        if self.tet_days_before > 5 {
            return Err(CalendarError::TooManyTetDaysBefore {
                days: self.tet_days_before,
            });
        }
        let mut days = Vec::new();
        let mut holiday = |date: Option<NaiveDate>, vi: &str, en: &str| {
            if let Some(date) = date {
                days.push(DayOff {
                    date,
                    kind: DayKind::Statutory,
                    name_vi: vi.to_owned(),
                    name_en: en.to_owned(),
                });
            }
        };
        let ymd = |month, day| NaiveDate::from_ymd_opt(year, month, day);

        // Labour Code 2019 art. 112(1)(a): New Year's Day, 1 January.
        holiday(ymd(1, 1), "Tết Dương lịch", "New Year's Day");
        // Art. 112(1)(b): five Tết days around lunar New Year's day (days chosen under 112(3)).
        let tet = lunar::lunar_to_solar(LunarDate {
            year,
            month: 1,
            day: 1,
            leap: false,
        })?;
        for offset in -i64::from(self.tet_days_before)..5 - i64::from(self.tet_days_before) {
            let (vi, en) = tet_day_name(offset);
            holiday(tet.checked_add_signed(TimeDelta::days(offset)), &vi, &en);
        }
        // Art. 112(1)(e): Hùng Kings' Commemoration Day, 10th day of the 3rd lunar month.
        let hung_kings = lunar::lunar_to_solar(LunarDate {
            year,
            month: 3,
            day: 10,
            leap: false,
        })?;
        holiday(
            Some(hung_kings),
            "Giỗ Tổ Hùng Vương",
            "Hùng Kings' Commemoration Day",
        );
        // Art. 112(1)(c): Victory Day, 30 April.
        holiday(ymd(4, 30), "Ngày Chiến thắng", "Victory Day");
        // Art. 112(1)(d): International Labour Day, 1 May.
        holiday(
            ymd(5, 1),
            "Ngày Quốc tế Lao động",
            "International Labour Day",
        );
        // Art. 112(1)(đ): National Day, 2 September, plus an adjacent day from 2021.
        if let Some(national_day) = ymd(9, 2) {
            holiday(Some(national_day), "Quốc khánh", "National Day");
            if year >= self.national_day_two_days_from {
                let adjacent = self.national_day_adjacent(national_day, weekly_rest);
                holiday(
                    adjacent,
                    "Quốc khánh (ngày liền kề)",
                    "National Day (adjacent day)",
                );
            }
        }
        // Resolution 28/2026/QH16 art. 2(1): Vietnam Culture Day, 24 November, from 1 July 2026.
        if let Some(culture_day) =
            ymd(11, 24).filter(|d| self.culture_day_from.is_some_and(|from| from <= *d))
        {
            holiday(
                Some(culture_day),
                "Ngày Văn hóa Việt Nam",
                "Vietnam Culture Day",
            );
        }

        let mut days = merge_same_date(days);
        let compensatory = compensatory_days(&days, weekly_rest);
        days.extend(compensatory);
        days.sort_by_key(|d| d.date);
        Ok(days)
    }

    fn national_day_adjacent(
        &self,
        national_day: NaiveDate,
        weekly_rest: WeekdaySet,
    ) -> Option<NaiveDate> {
        let before = national_day.pred_opt()?;
        let after = national_day.succ_opt()?;
        let works = |d: NaiveDate| !weekly_rest.contains(d.weekday());
        // A working day whose other neighbour is a rest day extends the weekend.
        let joins =
            |d: NaiveDate, beyond: Option<NaiveDate>| works(d) && beyond.is_some_and(|b| !works(b));
        Some(match self.national_day_adjacent {
            NationalDayAdjacent::Before => before,
            NationalDayAdjacent::After => after,
            NationalDayAdjacent::JoinWeekend => {
                let after_is_better = if works(before) != works(after) {
                    works(after)
                } else {
                    joins(after, after.succ_opt()) && !joins(before, before.pred_opt())
                };
                if after_is_better { after } else { before }
            }
        })
    }
}

/// Name of the Tết day `offset` days after lunar New Year's day (negative: before it).
fn tet_day_name(offset: i64) -> (String, String) {
    match offset {
        -1 => (
            "Tết Nguyên đán (ngày cuối năm âm lịch)".to_owned(),
            "Lunar New Year (last day of the lunar year)".to_owned(),
        ),
        o if o < 0 => (
            format!("Tết Nguyên đán ({} ngày trước mùng 1)", -o),
            format!("Lunar New Year ({} days before New Year's day)", -o),
        ),
        o => (
            format!("Tết Nguyên đán (mùng {})", o + 1),
            format!("Lunar New Year (day {})", o + 1),
        ),
    }
}

/// Joins holidays that fall on the same date into one entry with both names.
fn merge_same_date(mut days: Vec<DayOff>) -> Vec<DayOff> {
    days.sort_by_key(|d| d.date);
    let mut merged: Vec<DayOff> = Vec::with_capacity(days.len());
    for day in days {
        match merged.last_mut() {
            Some(last) if last.date == day.date => {
                last.name_vi = format!("{}; {}", last.name_vi, day.name_vi);
                last.name_en = format!("{}; {}", last.name_en, day.name_en);
            }
            _ => merged.push(day),
        }
    }
    merged
}

/// Compensatory days off, Labour Code 2019 art. 111(3): a holiday that falls on the weekly
/// rest day is made up on the next working day. (regulations.md §6.1 notes one secondary
/// source citing art. 112(3); that clause is the Prime Minister's choice of Tết and National
/// Day days, so 111(3), on weekly rest, is the one that applies.) Holidays are taken in date order and each
/// takes the first later day that is neither a rest day, a holiday nor already taken, so two
/// holidays on one weekend give two consecutive days (2022: Mon 2/5 and Tue 3/5).
fn compensatory_days(holidays: &[DayOff], weekly_rest: WeekdaySet) -> Vec<DayOff> {
    if weekly_rest == WeekdaySet::ALL {
        return Vec::new();
    }
    let mut taken: Vec<NaiveDate> = holidays.iter().map(|d| d.date).collect();
    let mut result = Vec::new();
    for day in holidays
        .iter()
        .filter(|d| weekly_rest.contains(d.date.weekday()))
    {
        let mut candidate = day.date.succ_opt();
        while let Some(c) =
            candidate.filter(|c| weekly_rest.contains(c.weekday()) || taken.contains(c))
        {
            candidate = c.succ_opt();
        }
        if let Some(date) = candidate {
            taken.push(date);
            result.push(DayOff {
                date,
                kind: DayKind::Compensatory,
                name_vi: format!("Nghỉ bù {}", day.name_vi),
                name_en: format!("Compensatory day off for {}", day.name_en),
            });
        }
    }
    result
}

#[cfg(test)]
mod tests {
    use chrono::Weekday;

    use super::*;

    fn public_sector() -> WeekdaySet {
        WeekdaySet::from_array([Weekday::Sat, Weekday::Sun])
    }

    fn dates(rules: &HolidayRules, year: i32) -> Vec<(String, DayKind)> {
        rules
            .days_off(year, public_sector())
            .unwrap()
            .into_iter()
            .map(|d| (d.date.to_string(), d.kind))
            .collect()
    }

    #[test]
    fn join_weekend_reproduces_the_2021_to_2026_notices() {
        let rules = HolidayRules::default();
        for (year, expected) in [
            (2021, "2021-09-03"),
            (2022, "2022-09-01"),
            (2023, "2023-09-01"),
            (2024, "2024-09-03"),
            (2025, "2025-09-01"),
            (2026, "2026-09-01"),
        ] {
            let national_day = NaiveDate::from_ymd_opt(year, 9, 2).unwrap();
            let got = rules
                .national_day_adjacent(national_day, public_sector())
                .unwrap();
            assert_eq!(got.to_string(), expected, "{year}");
        }
    }

    #[test]
    fn two_weekend_holidays_give_two_compensatory_days_2022() {
        let days = dates(&HolidayRules::default(), 2022);
        assert!(days.contains(&("2022-05-02".to_owned(), DayKind::Compensatory)));
        assert!(days.contains(&("2022-05-03".to_owned(), DayKind::Compensatory)));
    }

    #[test]
    fn rules_2026_give_giong_to_compensation_and_culture_day() {
        let days = dates(&HolidayRules::default(), 2026);
        for (date, kind) in [
            ("2026-02-16", DayKind::Statutory),
            ("2026-02-20", DayKind::Statutory),
            ("2026-04-26", DayKind::Statutory),
            ("2026-04-27", DayKind::Compensatory),
            ("2026-09-01", DayKind::Statutory),
            ("2026-11-24", DayKind::Statutory),
        ] {
            assert!(days.contains(&(date.to_owned(), kind)), "{date}");
        }
        assert_eq!(days.len(), 13);
    }

    #[test]
    fn national_day_is_one_day_before_2021_and_culture_day_starts_2026() {
        let days = dates(&HolidayRules::default(), 2020);
        assert!(
            !days
                .iter()
                .any(|(d, _)| d == "2020-09-01" || d == "2020-09-03")
        );
        let days = dates(&HolidayRules::default(), 2025);
        assert!(!days.iter().any(|(d, _)| d == "2025-11-24"));
    }

    #[test]
    fn too_many_tet_days_before_is_refused() {
        let rules = HolidayRules {
            tet_days_before: 6,
            ..HolidayRules::default()
        };
        assert!(rules.days_off(2026, public_sector()).is_err());
    }
}
