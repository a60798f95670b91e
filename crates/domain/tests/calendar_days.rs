//! Example tests of the working-day calendar against known dates (2019–2027).

use chrono::{DateTime, FixedOffset, NaiveDate, TimeDelta, Weekday, WeekdaySet};
use motcua_domain::calendar::{
    Calendar, CalendarConfig, CalendarError, DayInfo, DayKind, DueTimeRule, HolidayRules,
    bundled_schedules,
};

fn calendar() -> Calendar {
    Calendar::new(CalendarConfig::default(), bundled_schedules()).unwrap_or_else(|e| panic!("{e}"))
}

fn date(text: &str) -> NaiveDate {
    text.parse()
        .unwrap_or_else(|e| panic!("fixture date {text}: {e}"))
}

fn at(text: &str) -> DateTime<FixedOffset> {
    DateTime::parse_from_rfc3339(text).unwrap_or_else(|e| panic!("fixture instant {text}: {e}"))
}

fn kind_of(calendar: &Calendar, day: &str) -> Option<DayKind> {
    match calendar
        .day_info(date(day))
        .unwrap_or_else(|e| panic!("{e}"))
    {
        DayInfo::Special(day) => Some(day.kind),
        DayInfo::Working | DayInfo::WeeklyRest => None,
    }
}

#[test]
fn tet_2026_is_off_from_16_to_20_february() {
    let cal = calendar();
    for day in [
        "2026-02-16",
        "2026-02-17",
        "2026-02-18",
        "2026-02-19",
        "2026-02-20",
    ] {
        assert!(!cal.is_working_day(date(day)), "{day}");
        assert_eq!(kind_of(&cal, day), Some(DayKind::Statutory), "{day}");
    }
    assert_eq!(
        cal.day_info(date("2026-02-14")).unwrap(),
        DayInfo::WeeklyRest
    );
    assert_eq!(cal.day_info(date("2026-02-13")).unwrap(), DayInfo::Working);
    assert!(cal.is_working_day(date("2026-02-23")));
}

#[test]
fn gio_to_2026_on_sunday_is_made_up_on_monday_27_april() {
    let cal = calendar();
    assert_eq!(kind_of(&cal, "2026-04-26"), Some(DayKind::Statutory));
    assert_eq!(kind_of(&cal, "2026-04-27"), Some(DayKind::Compensatory));
    assert!(!cal.is_working_day(date("2026-04-27")));
}

#[test]
fn national_day_2026_swaps_monday_31_august_for_saturday_22_august() {
    let cal = calendar();
    assert!(cal.is_working_day(date("2026-08-22")));
    assert_eq!(kind_of(&cal, "2026-08-22"), Some(DayKind::MakeUpWorkingDay));
    for day in ["2026-08-31", "2026-09-01", "2026-09-02"] {
        assert!(!cal.is_working_day(date(day)), "{day}");
    }
    assert_eq!(kind_of(&cal, "2026-08-31"), Some(DayKind::SwappedDayOff));
}

#[test]
fn culture_day_24_november_2026_is_off() {
    let cal = calendar();
    assert!(!cal.is_working_day(date("2026-11-24")));
    assert!(cal.is_working_day(date("2025-11-24")));
}

#[test]
fn official_schedules_of_2019_and_2025_are_used() {
    let cal = calendar();
    assert!(!cal.is_working_day(date("2025-09-01")));
    assert!(cal.is_working_day(date("2025-04-26")));
    assert!(!cal.is_working_day(date("2025-05-02")));
    assert!(cal.is_working_day(date("2019-01-05")));
    // 2019: Labour Code 2012, one National Day holiday.
    assert!(cal.is_working_day(date("2019-09-03")));
    assert!((2019..=2026).all(|y| cal.has_official_schedule(y)));
    assert!(!cal.has_official_schedule(2027));
}

#[test]
fn years_without_schedule_fall_back_to_the_rules() {
    let cal = calendar();
    // Tết 2027 is Saturday 6 February: 5 Feb (last day of the lunar year) to 9 Feb, and the
    // Saturday and Sunday holidays are made up on Wednesday 10 and Thursday 11.
    for day in [
        "2027-02-05",
        "2027-02-08",
        "2027-02-09",
        "2027-02-10",
        "2027-02-11",
    ] {
        assert!(!cal.is_working_day(date(day)), "{day}");
    }
    assert_eq!(kind_of(&cal, "2027-02-11"), Some(DayKind::Compensatory));
    assert!(cal.is_working_day(date("2027-02-12")));
    // 2/9/2027 is a Thursday: the adjacent day is Friday 3 September.
    assert!(!cal.is_working_day(date("2027-09-03")));
    assert!(!cal.is_working_day(date("2027-11-24")));
}

#[test]
fn the_national_day_rule_reproduces_every_bundled_notice_since_2021() {
    let rules = HolidayRules::default();
    let rest = WeekdaySet::from_array([Weekday::Sat, Weekday::Sun]);
    for schedule in bundled_schedules().into_iter().filter(|s| s.year() >= 2021) {
        let adjacent: Vec<NaiveDate> = rules
            .days_off(schedule.year(), rest)
            .unwrap()
            .into_iter()
            .filter(|d| d.name_en == "National Day (adjacent day)")
            .map(|d| d.date)
            .collect();
        assert_eq!(adjacent.len(), 1);
        assert!(
            schedule
                .days()
                .iter()
                .any(|d| d.date == adjacent[0] && !d.is_working()),
            "{}",
            schedule.year()
        );
    }
}

#[test]
fn non_working_days_lists_the_year_sorted_with_make_up_days_flagged() {
    let cal = calendar();
    let days = cal.non_working_days(2026).unwrap();
    assert_eq!(days.len(), 15);
    assert!(days.windows(2).all(|w| w[0].date < w[1].date));
    let working: Vec<String> = days
        .iter()
        .filter(|d| d.is_working())
        .map(|d| d.date.to_string())
        .collect();
    assert_eq!(working, ["2026-08-22"]);
    let json = serde_json::to_value(&days[0]).unwrap();
    assert_eq!(
        json,
        serde_json::json!({
            "date": "2026-01-01", "kind": "statutory", "working": false,
            "name_vi": "Tết Dương lịch", "name_en": "New Year's Day"
        })
    );
    let make_up = serde_json::to_value(&days[10]).unwrap();
    assert_eq!(
        (make_up["kind"].as_str(), make_up["working"].as_bool()),
        (Some("make_up_working_day"), Some(true))
    );
    assert_eq!(
        cal.non_working_days(2200),
        Err(CalendarError::YearOutOfRange { year: 2200 })
    );
}

#[test]
fn working_days_keep_the_time_of_day() {
    let cal = calendar();
    assert_eq!(
        cal.add_working_days(at("2026-03-02T10:00:00+07:00"), 3)
            .unwrap(),
        at("2026-03-05T10:00:00+07:00")
    );
    // Across Tết: Friday 13 February + 1 working day is Monday 23 February.
    assert_eq!(
        cal.add_working_days(at("2026-02-13T10:00:00+07:00"), 1)
            .unwrap(),
        at("2026-02-23T10:00:00+07:00")
    );
    // Outside office hours the count starts at the next session.
    assert_eq!(
        cal.add_working_days(at("2026-03-07T09:00:00+07:00"), 1)
            .unwrap(),
        at("2026-03-10T07:30:00+07:00")
    );
    assert_eq!(
        cal.add_working_days(at("2026-03-02T12:00:00+07:00"), 1)
            .unwrap(),
        at("2026-03-03T13:30:00+07:00")
    );
    assert_eq!(
        cal.add_working_days(at("2026-03-02T11:30:00+07:00"), 1)
            .unwrap(),
        at("2026-03-03T11:30:00+07:00")
    );
    assert_eq!(
        cal.add_working_days(at("2026-03-02T10:00:00+07:00"), 0)
            .unwrap(),
        at("2026-03-02T10:00:00+07:00")
    );
    // Any offset is accepted; results are at +07:00.
    let result = cal.add_working_days(at("2026-03-02T03:00:00Z"), 3).unwrap();
    assert_eq!(result.to_rfc3339(), "2026-03-05T10:00:00+07:00");
}

#[test]
fn end_of_day_convention_is_due_at_the_close_of_the_nth_day() {
    let config = CalendarConfig {
        due_time: DueTimeRule::EndOfDay,
        ..CalendarConfig::default()
    };
    let cal = Calendar::new(config, bundled_schedules()).unwrap();
    assert_eq!(
        cal.add_working_days(at("2026-03-02T10:00:00+07:00"), 3)
            .unwrap(),
        at("2026-03-05T17:00:00+07:00")
    );
    assert_eq!(
        cal.add_working_days(at("2026-03-02T18:00:00+07:00"), 0)
            .unwrap(),
        at("2026-03-03T17:00:00+07:00")
    );
}

#[test]
fn working_hours_walk_sessions_across_days() {
    let cal = calendar();
    assert_eq!(
        cal.add_working_hours(at("2026-03-02T10:00:00+07:00"), 8)
            .unwrap(),
        at("2026-03-03T10:30:00+07:00")
    );
    assert_eq!(
        cal.add_working_hours(at("2026-03-02T07:30:00+07:00"), 4)
            .unwrap(),
        at("2026-03-02T11:30:00+07:00")
    );
    assert_eq!(
        cal.add_working_time(at("2026-03-02T07:30:00+07:00"), TimeDelta::minutes(450))
            .unwrap(),
        at("2026-03-02T17:00:00+07:00")
    );
    // Friday afternoon before Tết 2026 + 2 h lands on Monday 23 February.
    assert_eq!(
        cal.add_working_hours(at("2026-02-13T16:00:00+07:00"), 2)
            .unwrap(),
        at("2026-02-23T08:30:00+07:00")
    );
    assert_eq!(
        cal.add_working_time(at("2026-03-02T10:00:00+07:00"), TimeDelta::minutes(-1)),
        Err(CalendarError::NegativeDuration)
    );
}

#[test]
fn working_time_between_skips_nights_weekends_and_holidays() {
    let cal = calendar();
    let between = |a, b| cal.working_time_between(at(a), at(b)).unwrap();
    assert_eq!(
        between("2026-03-02T10:00:00+07:00", "2026-03-03T10:30:00+07:00"),
        TimeDelta::hours(8)
    );
    assert_eq!(
        between("2026-03-02T12:00:00+07:00", "2026-03-02T13:00:00+07:00"),
        TimeDelta::zero()
    );
    assert_eq!(
        between("2026-02-13T16:00:00+07:00", "2026-02-23T08:30:00+07:00"),
        TimeDelta::hours(2)
    );
    assert_eq!(
        between("2026-03-03T10:00:00+07:00", "2026-03-02T10:00:00+07:00"),
        TimeDelta::zero()
    );
    // March 2026: 22 working days of 7.5 hours.
    assert_eq!(
        between("2026-03-01T00:00:00+07:00", "2026-04-01T00:00:00+07:00"),
        TimeDelta::minutes(22 * 450)
    );
    assert_eq!(
        cal.working_days_between(date("2026-02-13"), date("2026-02-24"))
            .unwrap(),
        2
    );
}

#[test]
fn certification_after_15_00_is_due_the_next_working_day() {
    let cal = calendar();
    let due = |t| cal.certification_due(at(t)).unwrap();
    assert_eq!(
        due("2026-03-02T14:59:00+07:00"),
        at("2026-03-02T17:00:00+07:00")
    );
    assert_eq!(
        due("2026-03-02T15:00:00+07:00"),
        at("2026-03-02T17:00:00+07:00")
    );
    assert_eq!(
        due("2026-03-02T15:01:00+07:00"),
        at("2026-03-03T17:00:00+07:00")
    );
    assert_eq!(
        due("2026-03-02T06:00:00+07:00"),
        at("2026-03-02T17:00:00+07:00")
    );
    assert_eq!(
        due("2026-02-13T16:00:00+07:00"),
        at("2026-02-23T17:00:00+07:00")
    );
    assert_eq!(
        due("2026-03-07T10:00:00+07:00"),
        at("2026-03-09T17:00:00+07:00")
    );
}

#[test]
fn online_submission_outside_hours_counts_from_the_next_session() {
    let cal = calendar();
    assert_eq!(
        cal.effective_receipt(at("2026-03-07T22:00:00+07:00"))
            .unwrap(),
        at("2026-03-09T07:30:00+07:00")
    );
    assert_eq!(
        cal.effective_receipt(at("2026-03-09T09:00:00+07:00"))
            .unwrap(),
        at("2026-03-09T09:00:00+07:00")
    );
    let config = CalendarConfig {
        receipt_at_next_session: false,
        ..CalendarConfig::default()
    };
    let literal = Calendar::new(config, bundled_schedules()).unwrap();
    assert_eq!(
        literal
            .effective_receipt(at("2026-03-07T15:00:00Z"))
            .unwrap(),
        at("2026-03-07T22:00:00+07:00")
    );
}

#[test]
fn instants_outside_1900_to_2199_are_refused() {
    let cal = calendar();
    assert!(matches!(
        cal.add_working_days(at("1899-12-31T10:00:00+07:00"), 1),
        Err(CalendarError::DateOutOfRange { .. })
    ));
    assert!(matches!(
        cal.add_working_days(at("2199-12-30T10:00:00+07:00"), 5),
        Err(CalendarError::DateOutOfRange { .. })
    ));
    assert!(
        cal.add_working_days(at("2026-03-02T10:00:00+07:00"), u32::MAX)
            .is_err()
    );
    assert!(
        cal.add_working_time(at("2026-03-02T10:00:00+07:00"), TimeDelta::MAX)
            .is_err()
    );
    assert!(cal.day_info(date("2200-01-01")).is_err());
    assert!(!cal.is_working_day(date("1899-12-29")));
}

#[test]
fn invalid_configurations_are_refused() {
    let config = CalendarConfig {
        weekly_rest: WeekdaySet::ALL,
        ..CalendarConfig::default()
    };
    assert_eq!(
        Calendar::new(config, vec![]).unwrap_err(),
        CalendarError::NoWorkingWeekday
    );
    let mut twice = bundled_schedules();
    twice.extend(bundled_schedules());
    assert_eq!(
        Calendar::new(CalendarConfig::default(), twice).unwrap_err(),
        CalendarError::DuplicateSchedule { year: 2019 }
    );
}

#[test]
fn a_deadline_on_a_day_off_ends_with_the_next_working_day() {
    let cal = calendar();
    let day = |y, m, d| chrono::NaiveDate::from_ymd_opt(y, m, d).unwrap();
    // A working Monday: the close of its office hours.
    assert_eq!(
        cal.deadline_due(day(2026, 11, 23)).unwrap(),
        at("2026-11-23T17:00:00+07:00")
    );
    // Tuesday 24/11/2026 is Vietnam Culture Day, a holiday from 2026.
    assert_eq!(
        cal.deadline_due(day(2026, 11, 24)).unwrap(),
        at("2026-11-25T17:00:00+07:00")
    );
    // A Saturday: the Monday after.
    assert_eq!(
        cal.deadline_due(day(2026, 11, 28)).unwrap(),
        at("2026-11-30T17:00:00+07:00")
    );
}
