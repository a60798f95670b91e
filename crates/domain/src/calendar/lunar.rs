//! The Vietnamese lunisolar calendar (âm lịch), computed at UTC+7.
//!
//! Method (regulations.md §6.2, after Hồ Ngọc Đức's description, written here from the
//! formulas in Jean Meeus' *Astronomical Algorithms* and *Astronomical Formulae for
//! Calculators*, not from his code):
//!
//! - a lunar month starts on the local (UTC+7) day of a new moon;
//! - month 11 is the month that contains the December solstice;
//! - a lunar "sui" runs from one month 11 to the next; if it holds 13 months, the first month
//!   after month 11 during which the sun enters no new 30° sector (no principal solar term) is
//!   the leap month and repeats the number of the month before it.
//!
//! The Vietnamese and Chinese calendars differ only by the meridian (105°E vs 120°E), which is
//! why Tết falls on different days in 1985, 2007, 2030 and 2053. The supported range is the
//! solar days 1900-01-31 (lunar 1900-01-01) to 2199-12-31.

use std::f64::consts::{PI, TAU};
use std::fmt;
use std::str::FromStr;

use chrono::{Datelike, NaiveDate};

use super::CalendarError;

/// Hours east of UTC of the meridian the Vietnamese calendar is computed for (105°E).
const UTC_OFFSET_HOURS: f64 = 7.0;
/// Mean length of a lunation in days.
const SYNODIC_MONTH: f64 = 29.530_588_853;
/// Julian day number minus chrono's `num_days_from_ce` (JDN of 0001-01-01 is 1,721,426).
const JDN_MINUS_CE_DAYS: i64 = 1_721_425;

/// First solar day with a lunar date in range (lunar 1900-01-01, Tết 1900).
pub const MIN_LUNAR_SOLAR_DATE: NaiveDate = match NaiveDate::from_ymd_opt(1900, 1, 31) {
    Some(d) => d,
    None => NaiveDate::MIN,
};
/// Last solar day of the supported range.
pub const MAX_SOLAR_DATE: NaiveDate = match NaiveDate::from_ymd_opt(2199, 12, 31) {
    Some(d) => d,
    None => NaiveDate::MAX,
};
/// First lunar year of the supported range.
pub const MIN_LUNAR_YEAR: i32 = 1900;
/// Last lunar year of the supported range (its last months lie after 2199-12-31 and are refused).
pub const MAX_LUNAR_YEAR: i32 = 2199;

/// A date in the Vietnamese lunar calendar.
///
/// `leap` marks the intercalary month (tháng nhuận), which repeats the number of the month
/// before it. Its text form is `YYYY-MM-DD`, with a trailing `L` for a leap month
/// (`2025-06-01L` is the first day of leap month 6 of 2025).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct LunarDate {
    /// Lunar year (the year whose Tết starts it).
    pub year: i32,
    /// Month number, 1–12.
    pub month: u8,
    /// Day of the month, 1–30.
    pub day: u8,
    /// True for the leap (intercalary) month.
    pub leap: bool,
}

impl fmt::Display for LunarDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let leap = if self.leap { "L" } else { "" };
        write!(
            f,
            "{:04}-{:02}-{:02}{leap}",
            self.year, self.month, self.day
        )
    }
}

impl FromStr for LunarDate {
    type Err = CalendarError;

    /// Parses `YYYY-MM-DD` or `YYYY-MM-DDL`; checks only the shape and the month and day
    /// bounds, since whether the date exists is [`lunar_to_solar`]'s question.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || CalendarError::InvalidLunarText {
            input: s.to_owned(),
        };
        let text = s.trim();
        let (body, leap) = match text.strip_suffix('L') {
            Some(body) => (body, true),
            None => (text, false),
        };
        let mut parts = body.split('-');
        let (Some(y), Some(m), Some(d), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(bad());
        };
        let digits = |p: &str, min: usize, max: usize| {
            (min..=max).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_digit())
        };
        if !digits(y, 4, 4) || !digits(m, 1, 2) || !digits(d, 1, 2) {
            return Err(bad());
        }
        let date = LunarDate {
            year: y.parse().map_err(|_| bad())?,
            month: m.parse().map_err(|_| bad())?,
            day: d.parse().map_err(|_| bad())?,
            leap,
        };
        check_month_and_day(date.month, date.day)?;
        Ok(date)
    }
}

/// Converts a solar (Gregorian) date to the Vietnamese lunar date.
///
/// # Errors
/// [`CalendarError::DateOutOfRange`] outside 1900-01-31..=2199-12-31.
pub fn solar_to_lunar(date: NaiveDate) -> Result<LunarDate, CalendarError> {
    if !(MIN_LUNAR_SOLAR_DATE..=MAX_SOLAR_DATE).contains(&date) {
        return Err(CalendarError::DateOutOfRange {
            date,
            min: MIN_LUNAR_SOLAR_DATE,
            max: MAX_SOLAR_DATE,
        });
    }
    Ok(lunar_of_jdn(jdn(date), date.year()))
}

/// Converts a Vietnamese lunar date to the solar (Gregorian) date.
///
/// # Errors
/// An invalid month or day number, a leap month the year does not have, a day 30 in a
/// 29-day month, or a date outside the supported range; each error says which.
pub fn lunar_to_solar(date: LunarDate) -> Result<NaiveDate, CalendarError> {
    check_month_and_day(date.month, date.day)?;
    let month = find_month(date.year, date.month, date.leap)?;
    if date.day > month.length {
        return Err(CalendarError::DayNotInMonth {
            date,
            length: month.length,
        });
    }
    let solar = date_of_jdn(month.start + i64::from(date.day) - 1).unwrap_or(NaiveDate::MAX);
    if solar > MAX_SOLAR_DATE {
        return Err(CalendarError::DateOutOfRange {
            date: solar,
            min: MIN_LUNAR_SOLAR_DATE,
            max: MAX_SOLAR_DATE,
        });
    }
    Ok(solar)
}

/// The leap month of a lunar year, if it has one (e.g. `Some(6)` for 2025, `Some(11)` for 2033).
///
/// # Errors
/// [`CalendarError::LunarYearOutOfRange`] outside 1900–2199.
pub fn leap_month(year: i32) -> Result<Option<u8>, CalendarError> {
    check_lunar_year(year)?;
    // The leap month of `year` is either among its months 1–10 (the sui that starts in the
    // previous solar year) or among its months 11–12 (the sui that starts in `year`).
    Ok([Sui::of(year - 1), Sui::of(year)]
        .iter()
        .flat_map(Sui::months)
        .find(|m| m.leap && m.year == year)
        .map(|m| m.month))
}

/// Number of days (29 or 30) of a lunar month.
///
/// # Errors
/// An invalid month number, a leap month the year does not have, or a year out of range.
pub fn month_length(year: i32, month: u8, leap: bool) -> Result<u8, CalendarError> {
    check_month_and_day(month, 1)?;
    Ok(find_month(year, month, leap)?.length)
}

fn check_month_and_day(month: u8, day: u8) -> Result<(), CalendarError> {
    if !(1..=12).contains(&month) {
        return Err(CalendarError::InvalidLunarMonth { month });
    }
    if !(1..=30).contains(&day) {
        return Err(CalendarError::InvalidLunarDay { day });
    }
    Ok(())
}

fn check_lunar_year(year: i32) -> Result<(), CalendarError> {
    if (MIN_LUNAR_YEAR..=MAX_LUNAR_YEAR).contains(&year) {
        Ok(())
    } else {
        Err(CalendarError::LunarYearOutOfRange { year })
    }
}

/// One labelled lunar month: where it starts (JDN) and how long it is.
#[derive(Debug, Clone, Copy)]
struct Month {
    year: i32,
    month: u8,
    leap: bool,
    start: i64,
    length: u8,
}

fn find_month(year: i32, month: u8, leap: bool) -> Result<Month, CalendarError> {
    check_lunar_year(year)?;
    // Months 11 and 12 belong to the sui that starts in the same solar year, months 1–10 to
    // the one that started the year before.
    let sui = Sui::of(if month >= 11 { year } else { year - 1 });
    sui.months()
        .find(|m| m.year == year && m.month == month && m.leap == leap)
        .ok_or(CalendarError::NoSuchLeapMonth { year, month })
}

/// Lunar date of a Julian day number; `solar_year` is the Gregorian year of that day.
fn lunar_of_jdn(day: i64, solar_year: i32) -> LunarDate {
    let this = month11(solar_year);
    let sui = if day >= this.1 {
        Sui::between(solar_year, this, month11(solar_year + 1))
    } else {
        Sui::between(solar_year - 1, month11(solar_year - 1), this)
    };
    let month = sui.months().take_while(|m| m.start <= day).last();
    match month {
        Some(m) => LunarDate {
            year: m.year,
            month: m.month,
            // Month lengths are 29 or 30, so the offset always fits.
            day: u8::try_from(day - m.start + 1).unwrap_or(u8::MAX),
            leap: m.leap,
        },
        // Unreachable: `day` is at or after the sui's first month by construction.
        None => LunarDate {
            year: solar_year,
            month: 11,
            day: 1,
            leap: false,
        },
    }
}

/// The lunar months from one month 11 (inclusive) to the next (exclusive).
struct Sui {
    /// Solar year of the December solstice at the start of this sui.
    year: i32,
    /// Month start days (JDN); `starts[count]` is the start of the next month 11.
    starts: [i64; 14],
    /// 12, or 13 when a leap month is inserted.
    count: usize,
    /// Index of the leap month in `starts`, if any.
    leap: Option<usize>,
}

impl Sui {
    fn of(year: i32) -> Self {
        Self::between(year, month11(year), month11(year + 1))
    }

    fn between(year: i32, (k, _): (i64, i64), (next_k, _): (i64, i64)) -> Self {
        let count = usize::try_from(next_k - k).unwrap_or(12).clamp(12, 13);
        let mut starts = [0; 14];
        for (i, start) in (0_i64..).zip(starts.iter_mut()).take(count + 1) {
            *start = new_moon_day(k + i);
        }
        // The first month during which the sun enters no new sector has no principal term.
        let leap = (count == 13)
            .then(|| (1..count).find(|&i| sun_sector(starts[i]) == sun_sector(starts[i + 1])))
            .flatten();
        Self {
            year,
            starts,
            count,
            leap,
        }
    }

    fn months(&self) -> impl Iterator<Item = Month> + '_ {
        (0..self.count).map(move |i| {
            let (ordinal, leap) = match self.leap {
                Some(l) if i == l => (i - 1, true),
                Some(l) if i > l => (i - 1, false),
                _ => (i, false),
            };
            // Ordinal 0 is month 11, 1 is month 12, 2 is month 1 of the next year, …
            let month = u8::try_from((ordinal + 10) % 12 + 1).unwrap_or(1);
            Month {
                year: if ordinal < 2 {
                    self.year
                } else {
                    self.year + 1
                },
                month,
                leap,
                start: self.starts[i],
                length: u8::try_from(self.starts[i + 1] - self.starts[i]).unwrap_or(30),
            }
        })
    }
}

/// Lunation index and start day (JDN) of lunar month 11 of a solar year: the month that
/// contains the December solstice.
fn month11(year: i32) -> (i64, i64) {
    let dec31 = NaiveDate::from_ymd_opt(year, 12, 31).map_or(0, jdn);
    // Lunation index of the last mean new moon before 31 December; lunation 0 is the new
    // moon of 1900-01-01 (JD 2415021, rounded as in the published method).
    let k = ((dec31 as f64 - 2_415_021.0) / SYNODIC_MONTH).floor() as i64;
    let start = new_moon_day(k);
    // If the sun is already at 270° (sector 9) when that month starts, the solstice fell in
    // the month before, so that one is month 11.
    if sun_sector(start) >= 9 {
        (k - 1, new_moon_day(k - 1))
    } else {
        (k, start)
    }
}

/// Local (UTC+7) day number of the new moon with lunation index `k`.
fn new_moon_day(k: i64) -> i64 {
    (new_moon(k) + 0.5 + UTC_OFFSET_HOURS / 24.0).floor() as i64
}

/// Julian day (UT) of the new moon with lunation index `k` (k = 0 near 1900-01-01).
///
/// Meeus' series for the true new moon: the mean phase plus periodic terms in the sun's mean
/// anomaly `m`, the moon's mean anomaly `mp` and the moon's argument of latitude `f`, minus
/// ΔT (the polynomial valid after about AD 800).
fn new_moon(k: i64) -> f64 {
    let k = k as f64;
    let t = k / 1236.85; // Julian centuries since 1900-01-00.5
    let (t2, t3) = (t * t, t * t * t);
    let deg = PI / 180.0;
    let mean_phase = 2_415_020.759_33 + 29.530_588_68 * k + 0.000_117_8 * t2 - 0.000_000_155 * t3
        + 0.000_33 * ((166.56 + 132.87 * t - 0.009_173 * t2) * deg).sin();
    let m = (359.2242 + 29.105_356_08 * k - 0.000_033_3 * t2 - 0.000_003_47 * t3) * deg;
    let mp = (306.0253 + 385.816_918_06 * k + 0.010_730_6 * t2 + 0.000_012_36 * t3) * deg;
    let f = (21.2964 + 390.670_506_46 * k - 0.001_652_8 * t2 - 0.000_002_39 * t3) * deg;
    let periodic = (0.1734 - 0.000_393 * t) * m.sin() + 0.0021 * (2.0 * m).sin()
        - 0.4068 * mp.sin()
        + 0.0161 * (2.0 * mp).sin()
        - 0.0004 * (3.0 * mp).sin()
        + 0.0104 * (2.0 * f).sin()
        - 0.0051 * (m + mp).sin()
        - 0.0074 * (m - mp).sin()
        + 0.0004 * (2.0 * f + m).sin()
        - 0.0004 * (2.0 * f - m).sin()
        - 0.0006 * (2.0 * f + mp).sin()
        + 0.0010 * (2.0 * f - mp).sin()
        + 0.0005 * (2.0 * mp + m).sin();
    let delta_t = -0.000_278 + 0.000_265 * t + 0.000_262 * t2;
    mean_phase + periodic - delta_t
}

/// The 30° sector (0–11) of the sun's longitude at the start (local midnight) of a day.
fn sun_sector(day: i64) -> i64 {
    let midnight = day as f64 - 0.5 - UTC_OFFSET_HOURS / 24.0;
    (sun_longitude(midnight) / PI * 6.0).floor() as i64
}

/// Geometric longitude of the sun in radians, in [0, 2π), at Julian day `jd`.
///
/// Meeus ch. 25 (low accuracy): mean longitude plus the equation of centre.
fn sun_longitude(jd: f64) -> f64 {
    let t = (jd - 2_451_545.0) / 36_525.0; // Julian centuries since J2000.0
    let t2 = t * t;
    let deg = PI / 180.0;
    let m = (357.529_10 + 35_999.050_30 * t - 0.000_155_9 * t2 - 0.000_000_48 * t * t2) * deg;
    let mean_longitude = 280.466_45 + 36_000.769_83 * t + 0.000_303_2 * t2;
    let centre = (1.914_600 - 0.004_817 * t - 0.000_014 * t2) * m.sin()
        + (0.019_993 - 0.000_101 * t) * (2.0 * m).sin()
        + 0.000_290 * (3.0 * m).sin();
    ((mean_longitude + centre) * deg).rem_euclid(TAU)
}

/// Julian day number of a Gregorian date.
pub(super) fn jdn(date: NaiveDate) -> i64 {
    i64::from(date.num_days_from_ce()) + JDN_MINUS_CE_DAYS
}

fn date_of_jdn(day: i64) -> Option<NaiveDate> {
    i32::try_from(day - JDN_MINUS_CE_DAYS)
        .ok()
        .and_then(NaiveDate::from_num_days_from_ce_opt)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn ld(year: i32, month: u8, day: u8, leap: bool) -> LunarDate {
        LunarDate {
            year,
            month,
            day,
            leap,
        }
    }

    #[test]
    fn julian_day_number_of_j2000_is_2451545() {
        assert_eq!(jdn(d(2000, 1, 1)), 2_451_545);
        assert_eq!(date_of_jdn(2_451_545), Some(d(2000, 1, 1)));
    }

    #[test]
    fn first_day_of_range_is_tet_1900() {
        assert_eq!(
            solar_to_lunar(d(1900, 1, 31)).unwrap(),
            ld(1900, 1, 1, false)
        );
        assert!(solar_to_lunar(d(1900, 1, 30)).is_err());
    }

    #[test]
    fn lunar_text_round_trips() {
        for text in ["2025-06-01L", "2026-01-01", "1900-12-30"] {
            assert_eq!(text.parse::<LunarDate>().unwrap().to_string(), text);
        }
        assert_eq!(
            "2025-6-1L".parse::<LunarDate>().unwrap(),
            ld(2025, 6, 1, true)
        );
    }

    #[test]
    fn lunar_text_rejects_bad_shapes() {
        for text in [
            "",
            "2025-06",
            "25-06-01",
            "2025-13-01",
            "2025-06-31",
            "2025-06-01X",
            "2025-06-01-1",
        ] {
            assert!(text.parse::<LunarDate>().is_err(), "{text}");
        }
    }

    #[test]
    fn missing_leap_month_is_explained_in_both_languages() {
        let err = lunar_to_solar(ld(2024, 4, 1, true)).unwrap_err();
        assert_eq!(
            err.to_string(),
            "Tháng 4 nhuận không có trong năm âm lịch 2024 / Lunar year 2024 has no leap month 4"
        );
    }

    #[test]
    fn leap_month_2033_is_eleven() {
        assert_eq!(leap_month(2033).unwrap(), Some(11));
        assert_eq!(
            lunar_to_solar(ld(2033, 11, 1, true)).unwrap(),
            d(2033, 12, 22)
        );
    }
}
