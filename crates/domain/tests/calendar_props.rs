//! Property tests of the deadline arithmetic of the working-day calendar.

use std::sync::LazyLock;

use chrono::{DateTime, FixedOffset, TimeDelta};
use motcua_domain::calendar::{Calendar, CalendarConfig, DueTimeRule, bundled_schedules};
use proptest::prelude::*;

static SAME_TIME: LazyLock<Calendar> = LazyLock::new(|| build(DueTimeRule::SameTimeOfDay));
static END_OF_DAY: LazyLock<Calendar> = LazyLock::new(|| build(DueTimeRule::EndOfDay));

fn build(due_time: DueTimeRule) -> Calendar {
    let config = CalendarConfig {
        due_time,
        ..CalendarConfig::default()
    };
    Calendar::new(config, bundled_schedules()).unwrap_or_else(|e| panic!("{e}"))
}

fn calendar(end_of_day: bool) -> &'static Calendar {
    if end_of_day { &END_OF_DAY } else { &SAME_TIME }
}

/// Instants from 2018 to 2030 (across official and rule-based years), at +07:00, UTC or
/// −05:00, to the second.
fn instant() -> impl Strategy<Value = DateTime<FixedOffset>> {
    let start = 1_514_739_600_i64; // 2018-01-01T00:00:00+07:00
    let span = 13 * 366 * 86_400_i64;
    let offsets = [7 * 3600, 0, -5 * 3600]
        .map(|s| FixedOffset::east_opt(s).unwrap_or_else(|| panic!("offset {s}")));
    (0..span, prop::sample::select(offsets.to_vec())).prop_map(move |(secs, offset)| {
        (DateTime::UNIX_EPOCH + TimeDelta::seconds(start + secs)).with_timezone(&offset)
    })
}

/// Whether an instant lies inside a session (ends included) of a working day.
fn in_session(cal: &Calendar, t: DateTime<FixedOffset>) -> bool {
    let local = t.with_timezone(&cal.config().offset);
    cal.is_working_day(local.date_naive())
        && cal
            .config()
            .working_hours
            .sessions()
            .iter()
            .any(|s| s.start <= local.time() && local.time() <= s.end)
}

proptest! {
    #[test]
    fn add_working_days_is_monotonic_in_n(t in instant(), a in 0_u32..40, b in 0_u32..40, end_of_day: bool) {
        let cal = calendar(end_of_day);
        let (low, high) = (a.min(b), a.max(b));
        prop_assert!(cal.add_working_days(t, low).unwrap() <= cal.add_working_days(t, high).unwrap());
    }

    #[test]
    fn add_working_days_is_monotonic_in_from(a in instant(), b in instant(), n in 0_u32..40, end_of_day: bool) {
        let cal = calendar(end_of_day);
        let (early, late) = if a <= b { (a, b) } else { (b, a) };
        prop_assert!(cal.add_working_days(early, n).unwrap() <= cal.add_working_days(late, n).unwrap());
    }

    #[test]
    fn add_working_days_then_measure_gives_n_days(t in instant(), n in 0_u32..60) {
        let cal = calendar(false);
        let due = cal.add_working_days(t, n).unwrap();
        let start = cal.to_working_time(t).unwrap();
        let daily = cal.config().working_hours.daily_total();
        prop_assert_eq!(cal.working_time_between(t, due).unwrap(), daily * i32::try_from(n).unwrap());
        prop_assert_eq!(cal.working_days_between(start.date_naive(), due.date_naive()).unwrap(), n);
        prop_assert!(start <= due);
    }

    #[test]
    fn add_working_time_then_measure_gives_the_time_back(t in instant(), minutes in 0_i64..20_000) {
        let cal = calendar(false);
        let amount = TimeDelta::minutes(minutes);
        let due = cal.add_working_time(t, amount).unwrap();
        prop_assert_eq!(cal.working_time_between(t, due).unwrap(), amount);
    }

    #[test]
    fn add_working_time_is_additive_and_monotonic(t in instant(), a in 0_i64..5_000, b in 0_i64..5_000) {
        let cal = calendar(false);
        let (a, b) = (TimeDelta::minutes(a), TimeDelta::minutes(b));
        let step = cal.add_working_time(t, a).unwrap();
        let whole = cal.add_working_time(t, a + b).unwrap();
        prop_assert_eq!(cal.add_working_time(step, b).unwrap(), whole);
        prop_assert!(step <= whole);
    }

    #[test]
    fn results_land_inside_a_working_session(t in instant(), n in 0_u32..40, hours in 0_u32..100, end_of_day: bool) {
        let cal = calendar(end_of_day);
        for result in [
            cal.add_working_days(t, n).unwrap(),
            cal.add_working_hours(t, hours).unwrap(),
            cal.to_working_time(t).unwrap(),
            cal.effective_receipt(t).unwrap(),
            cal.certification_due(t).unwrap(),
        ] {
            prop_assert!(in_session(cal, result), "{} from {}", result, t);
            prop_assert!(cal.is_working_day(result.date_naive()));
            prop_assert_eq!(result.offset(), &cal.config().offset);
        }
    }

    #[test]
    fn to_working_time_is_idempotent_and_never_goes_back(t in instant()) {
        let cal = calendar(false);
        let moved = cal.to_working_time(t).unwrap();
        prop_assert!(moved >= t);
        prop_assert_eq!(cal.to_working_time(moved).unwrap(), moved);
        prop_assert_eq!(cal.working_time_between(t, moved).unwrap(), TimeDelta::zero());
    }

    #[test]
    fn certification_is_due_the_same_or_next_working_day(t in instant()) {
        let cal = calendar(false);
        let due = cal.certification_due(t).unwrap();
        prop_assert!(due > t);
        let start = cal.to_working_time(t).unwrap();
        let days = cal.working_days_between(start.date_naive(), due.date_naive()).unwrap();
        prop_assert!(days <= 1, "{} -> {}", t, due);
    }
}
