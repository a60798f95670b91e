//! Golden and exhaustive tests of the Vietnamese lunar calendar (regulations.md §6.2).

use chrono::NaiveDate;
use motcua_domain::calendar::{
    CalendarError, LunarDate, leap_month, lunar_to_solar, month_length, solar_to_lunar,
};

fn date(text: &str) -> NaiveDate {
    text.parse()
        .unwrap_or_else(|e| panic!("fixture date {text}: {e}"))
}

fn lunar(year: i32, month: u8, day: u8, leap: bool) -> LunarDate {
    LunarDate {
        year,
        month,
        day,
        leap,
    }
}

/// Year, Tết (lunar 1/1), Giỗ Tổ (lunar 10/3), leap month and its first day.
type GoldenRow = (i32, &'static str, &'static str, Option<(u8, &'static str)>);

/// The table of regulations.md §6.2.
const GOLDEN: [GoldenRow; 36] = [
    (2000, "2000-02-05", "2000-04-14", None),
    (2001, "2001-01-24", "2001-04-03", Some((4, "2001-05-23"))),
    (2002, "2002-02-12", "2002-04-22", None),
    (2003, "2003-02-01", "2003-04-11", None),
    (2004, "2004-01-22", "2004-04-28", Some((2, "2004-03-21"))),
    (2005, "2005-02-09", "2005-04-18", None),
    (2006, "2006-01-29", "2006-04-07", Some((7, "2006-08-24"))),
    (2007, "2007-02-17", "2007-04-26", None),
    (2008, "2008-02-07", "2008-04-15", None),
    (2009, "2009-01-26", "2009-04-04", Some((5, "2009-06-23"))),
    (2010, "2010-02-14", "2010-04-23", None),
    (2011, "2011-02-03", "2011-04-12", None),
    (2012, "2012-01-23", "2012-03-31", Some((4, "2012-05-21"))),
    (2013, "2013-02-10", "2013-04-19", None),
    (2014, "2014-01-31", "2014-04-09", Some((9, "2014-10-24"))),
    (2015, "2015-02-19", "2015-04-28", None),
    (2016, "2016-02-08", "2016-04-16", None),
    (2017, "2017-01-28", "2017-04-06", Some((6, "2017-07-23"))),
    (2018, "2018-02-16", "2018-04-25", None),
    (2019, "2019-02-05", "2019-04-14", None),
    (2020, "2020-01-25", "2020-04-02", Some((4, "2020-05-23"))),
    (2021, "2021-02-12", "2021-04-21", None),
    (2022, "2022-02-01", "2022-04-10", None),
    (2023, "2023-01-22", "2023-04-29", Some((2, "2023-03-22"))),
    (2024, "2024-02-10", "2024-04-18", None),
    (2025, "2025-01-29", "2025-04-07", Some((6, "2025-07-25"))),
    (2026, "2026-02-17", "2026-04-26", None),
    (2027, "2027-02-06", "2027-04-16", None),
    (2028, "2028-01-26", "2028-04-04", Some((5, "2028-06-23"))),
    (2029, "2029-02-13", "2029-04-23", None),
    (2030, "2030-02-02", "2030-04-12", None),
    (2031, "2031-01-23", "2031-04-01", Some((3, "2031-04-21"))),
    (2032, "2032-02-11", "2032-04-19", None),
    (2033, "2033-01-31", "2033-04-09", Some((11, "2033-12-22"))),
    (2034, "2034-02-19", "2034-04-28", None),
    (2035, "2035-02-08", "2035-04-17", None),
];

#[test]
fn tet_gio_to_and_leap_months_match_the_2000_to_2035_table() {
    for (year, tet, hung_kings, leap) in GOLDEN {
        assert_eq!(
            lunar_to_solar(lunar(year, 1, 1, false)).unwrap(),
            date(tet),
            "Tết {year}"
        );
        assert_eq!(
            solar_to_lunar(date(tet)).unwrap(),
            lunar(year, 1, 1, false),
            "Tết {year}"
        );
        assert_eq!(
            lunar_to_solar(lunar(year, 3, 10, false)).unwrap(),
            date(hung_kings),
            "Giỗ Tổ {year}"
        );
        assert_eq!(
            leap_month(year).unwrap(),
            leap.map(|(month, _)| month),
            "leap month {year}"
        );
        if let Some((month, start)) = leap {
            assert_eq!(
                lunar_to_solar(lunar(year, month, 1, true)).unwrap(),
                date(start),
                "leap {year}"
            );
            assert_eq!(
                solar_to_lunar(date(start)).unwrap(),
                lunar(year, month, 1, true),
                "leap {year}"
            );
        }
    }
}

#[test]
fn tet_differs_from_the_chinese_calendar_in_1985_2007_2030_2053() {
    for (year, tet) in [
        (1985, "1985-01-21"),
        (2007, "2007-02-17"),
        (2030, "2030-02-02"),
        (2053, "2053-02-18"),
    ] {
        assert_eq!(
            lunar_to_solar(lunar(year, 1, 1, false)).unwrap(),
            date(tet),
            "Tết {year}"
        );
    }
}

#[test]
fn the_day_before_tet_is_the_last_day_of_the_lunar_year() {
    let eve = solar_to_lunar(date("2026-02-16")).unwrap();
    assert_eq!((eve.year, eve.month, eve.leap), (2025, 12, false));
    assert_eq!(month_length(2025, 12, false).unwrap(), eve.day);
}

/// Every day of 1900-01-31..=2199-12-31 converts to a lunar date and back to itself, and the
/// lunar dates run on without gaps: days count up within a month, months have 29 or 30 days,
/// month numbers follow each other with at most one leap month (repeating the previous
/// number) per lunar year, and the year changes at month 1.
#[test]
fn every_day_round_trips_and_lunar_months_are_consistent() {
    let first = date("1900-01-31");
    let last = date("2199-12-31");
    let mut previous = lunar(1899, 12, 30, false);
    let mut leap_seen_in_year = None;
    for day in first.iter_days().take_while(|d| *d <= last) {
        let l = solar_to_lunar(day).unwrap();
        assert_eq!(lunar_to_solar(l).unwrap(), day, "{day} -> {l}");
        if day == first {
            assert_eq!(l, lunar(1900, 1, 1, false));
        } else if l.day != 1 {
            assert_eq!(
                l,
                LunarDate {
                    day: previous.day + 1,
                    ..previous
                },
                "{day}"
            );
        } else {
            assert!(
                matches!(previous.day, 29 | 30),
                "{day}: month {previous} ends on day {}",
                previous.day
            );
            assert_eq!(
                month_length(previous.year, previous.month, previous.leap).unwrap(),
                previous.day
            );
            let entering_leap =
                l.leap && !previous.leap && l.month == previous.month && l.year == previous.year;
            let next_month = !l.leap && l.month == previous.month % 12 + 1;
            assert!(entering_leap || next_month, "{day}: {previous} -> {l}");
            let expected_year = if l.month == 1 && !l.leap {
                previous.year + 1
            } else {
                previous.year
            };
            assert_eq!(l.year, expected_year, "{day}: {previous} -> {l}");
            if l.leap {
                assert_ne!(
                    leap_seen_in_year,
                    Some(l.year),
                    "two leap months in {}",
                    l.year
                );
                leap_seen_in_year = Some(l.year);
                assert_eq!(leap_month(l.year).unwrap(), Some(l.month), "{}", l.year);
            }
        }
        previous = l;
    }
    assert_eq!(previous.year, 2199);
}

#[test]
fn month_lengths_are_29_or_30_and_leap_months_exist_only_where_announced() {
    for year in 1900..=2198 {
        let leap = leap_month(year).unwrap();
        for month in 1..=12 {
            assert!(
                matches!(month_length(year, month, false).unwrap(), 29 | 30),
                "{year}-{month}"
            );
            let leap_length = month_length(year, month, true);
            if leap == Some(month) {
                assert!(matches!(leap_length.unwrap(), 29 | 30));
            } else {
                assert_eq!(
                    leap_length,
                    Err(CalendarError::NoSuchLeapMonth { year, month })
                );
            }
        }
    }
}

#[test]
fn nonexistent_dates_are_refused_with_a_reason() {
    // Lunar 2024 has no leap month; its month 12 (ending 2025-01-28, no "30 Tết") has 29 days.
    assert_eq!(
        lunar_to_solar(lunar(2024, 4, 1, true)),
        Err(CalendarError::NoSuchLeapMonth {
            year: 2024,
            month: 4
        })
    );
    assert_eq!(month_length(2024, 12, false).unwrap(), 29);
    let err = lunar_to_solar(lunar(2024, 12, 30, false)).unwrap_err();
    assert_eq!(
        err,
        CalendarError::DayNotInMonth {
            date: lunar(2024, 12, 30, false),
            length: 29
        }
    );
    assert_eq!(
        err.to_string(),
        "Tháng 12 năm âm lịch 2024 chỉ có 29 ngày, không có ngày 30 / Lunar month 12 of 2024 has only 29 days, not day 30"
    );
    assert!(matches!(
        lunar_to_solar(lunar(2026, 13, 1, false)),
        Err(CalendarError::InvalidLunarMonth { month: 13 })
    ));
    assert!(matches!(
        lunar_to_solar(lunar(2026, 1, 0, false)),
        Err(CalendarError::InvalidLunarDay { day: 0 })
    ));
}

#[test]
fn dates_outside_1900_to_2199_are_refused() {
    assert!(matches!(
        solar_to_lunar(date("1900-01-30")),
        Err(CalendarError::DateOutOfRange { .. })
    ));
    assert!(matches!(
        solar_to_lunar(date("2200-01-01")),
        Err(CalendarError::DateOutOfRange { .. })
    ));
    assert!(matches!(
        lunar_to_solar(lunar(1899, 12, 1, false)),
        Err(CalendarError::LunarYearOutOfRange { year: 1899 })
    ));
    assert!(matches!(
        lunar_to_solar(lunar(2200, 1, 1, false)),
        Err(CalendarError::LunarYearOutOfRange { year: 2200 })
    ));
    // The last lunar months of 2199 fall in 2200.
    assert!(matches!(
        lunar_to_solar(lunar(2199, 12, 29, false)),
        Err(CalendarError::DateOutOfRange { .. })
    ));
    assert_eq!(solar_to_lunar(date("2199-12-31")).unwrap().year, 2199);
    assert!(leap_month(1899).is_err() && leap_month(2200).is_err());
}

#[test]
fn text_form_parses_and_prints_leap_months() {
    let l: LunarDate = "2025-06-01L".parse().unwrap();
    assert_eq!(l, lunar(2025, 6, 1, true));
    assert_eq!(l.to_string(), "2025-06-01L");
    assert_eq!(lunar_to_solar(l).unwrap(), date("2025-07-25"));
    assert_eq!(
        solar_to_lunar(date("2025-07-25")).unwrap().to_string(),
        "2025-06-01L"
    );
    assert!("2025-06-01l".parse::<LunarDate>().is_err());
}
