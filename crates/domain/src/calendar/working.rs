//! The working-day calendar and deadline arithmetic.
//!
//! Instants are `DateTime<FixedOffset>`. Any offset is accepted; every result is expressed
//! at the calendar's offset (+07:00 by default), whose local date and time decide working
//! days and sessions. Vietnam has no daylight saving time, so a fixed offset is exact.
//!
//! Working time is the union of the sessions of working days, each session closed at both
//! ends: 11:30 still counts as inside the morning session, so a result that lands exactly on a
//! session's end stays there instead of jumping to the next session.

use std::collections::BTreeMap;

use chrono::{
    DateTime, Datelike, Days, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, TimeDelta,
    TimeZone, Weekday, WeekdaySet,
};

use super::lunar::{MAX_LUNAR_YEAR, MAX_SOLAR_DATE, MIN_LUNAR_YEAR};
use super::{CalendarError, DayInfo, DayOff, HolidayRules, WorkingHours, YearSchedule};

/// First day the calendar covers.
const FIRST_DAY: NaiveDate = match NaiveDate::from_ymd_opt(MIN_LUNAR_YEAR, 1, 1) {
    Some(d) => d,
    None => NaiveDate::MIN,
};

/// Vietnam's offset from UTC, +07:00.
const VIETNAM_OFFSET: FixedOffset = match FixedOffset::east_opt(7 * 3600) {
    Some(offset) => offset,
    None => unreachable!(),
};

/// When, in the due day, a deadline counted in working days falls.
///
/// No national rule settles half days or the hour of a deadline (regulations.md §2.7 ❌), so
/// this is configuration. In both conventions the start is first moved to working time (an
/// instant outside office hours moves to the start of the next session) and the receipt day
/// is not counted: the due day is the n-th working day after it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum DueTimeRule {
    /// Due at the same time of day as the (moved) start, n working days later: 3 working
    /// days from Monday 10:00 are due Thursday 10:00. Every working day has the same
    /// sessions, so this is exactly n days' worth of working time.
    #[default]
    SameTimeOfDay,
    /// Due at the close of the last session of the n-th working day: 3 working days from
    /// Monday 10:00 are due Thursday 17:00.
    EndOfDay,
}

/// Everything configurable about a calendar; [`Default`] is the national public-sector one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CalendarConfig {
    /// Office hours of every working day.
    pub working_hours: WorkingHours,
    /// Weekly rest days (nghỉ hằng tuần, Labour Code 2019 art. 111). Default Saturday and
    /// Sunday, the public sector's 40-hour five-day week (🔶 Decision 188/1999/QĐ-TTg).
    pub weekly_rest: WeekdaySet,
    /// Offset of local time from UTC. Default +07:00.
    pub offset: FixedOffset,
    /// Holiday rules for years without an official schedule.
    pub rules: HolidayRules,
    /// When in the due day a deadline in working days falls.
    pub due_time: DueTimeRule,
    /// A certification request received after this time is due the next working day.
    /// Default 15:00 (Decree 23/2015/NĐ-CP art. 7, 🔶 article number not re-verified).
    pub certification_cutoff: NaiveTime,
    /// Whether a submission outside office hours counts as received at the start of the next
    /// working session (🔶 common provincial-portal practice, no legal text found; default on).
    pub receipt_at_next_session: bool,
}

impl Default for CalendarConfig {
    fn default() -> Self {
        Self {
            working_hours: WorkingHours::default(),
            weekly_rest: WeekdaySet::from_array([Weekday::Sat, Weekday::Sun]),
            offset: VIETNAM_OFFSET,
            rules: HolidayRules::default(),
            due_time: DueTimeRule::default(),
            certification_cutoff: NaiveTime::from_hms_opt(15, 0, 0).unwrap_or(NaiveTime::MIN),
            receipt_at_next_session: true,
        }
    }
}

/// The working-day calendar of 1900-01-01..=2199-12-31: official schedules where given, the
/// holiday rules elsewhere, weekly rest days and office hours.
///
/// Built once (a few milliseconds) and then answered from a bit set, so deadline
/// computations only walk the days they span.
#[derive(Debug, Clone)]
pub struct Calendar {
    config: CalendarConfig,
    special: BTreeMap<NaiveDate, DayOff>,
    official_years: Vec<i32>,
    /// Bit `i` is set when day `FIRST_DAY + i` is not worked.
    off: Vec<u64>,
    day_count: usize,
}

impl Calendar {
    /// Builds the calendar; a year with an official schedule uses that schedule alone.
    ///
    /// The usual call is `Calendar::new(CalendarConfig::default(), bundled_schedules())`.
    ///
    /// # Errors
    /// Every weekday a rest day, two schedules for one year, or invalid holiday rules.
    pub fn new(
        config: CalendarConfig,
        schedules: Vec<YearSchedule>,
    ) -> Result<Self, CalendarError> {
        if config.weekly_rest == WeekdaySet::ALL {
            return Err(CalendarError::NoWorkingWeekday);
        }
        let mut official = BTreeMap::new();
        for schedule in schedules {
            let year = schedule.year();
            if official.insert(year, schedule).is_some() {
                return Err(CalendarError::DuplicateSchedule { year });
            }
        }
        let mut special = BTreeMap::new();
        for year in MIN_LUNAR_YEAR..=MAX_LUNAR_YEAR {
            if let Some(schedule) = official.get(&year) {
                special.extend(schedule.days().iter().map(|d| (d.date, d.clone())));
                continue;
            }
            for day in config.rules.days_off(year, config.weekly_rest)? {
                // A rule-made day (say a compensatory day spilling into January) never
                // changes a year that has an official schedule.
                if !official.contains_key(&day.date.year()) {
                    special.entry(day.date).or_insert(day);
                }
            }
        }

        let day_count = usize::try_from((MAX_SOLAR_DATE - FIRST_DAY).num_days() + 1).unwrap_or(0);
        let mut off = vec![0_u64; day_count.div_ceil(64)];
        let mut set = |i: usize, is_off: bool| {
            if let Some(word) = off.get_mut(i / 64) {
                let bit = 1_u64 << (i % 64);
                if is_off { *word |= bit } else { *word &= !bit }
            }
        };
        for (i, date) in FIRST_DAY.iter_days().take(day_count).enumerate() {
            set(i, config.weekly_rest.contains(date.weekday()));
        }
        for (date, day) in &special {
            if let Some(i) = index_in_range(*date, day_count) {
                set(i, !day.is_working());
            }
        }
        Ok(Self {
            config,
            special,
            official_years: official.into_keys().collect(),
            off,
            day_count,
        })
    }

    /// The configuration the calendar was built with.
    pub fn config(&self) -> &CalendarConfig {
        &self.config
    }

    /// Whether `year` uses an official schedule (rather than the holiday rules).
    pub fn has_official_schedule(&self, year: i32) -> bool {
        self.official_years.binary_search(&year).is_ok()
    }

    /// Whether `date` is a working day. Dates outside 1900–2199 are not.
    pub fn is_working_day(&self, date: NaiveDate) -> bool {
        self.index(date).is_some_and(|i| !self.is_off(i))
    }

    /// Whether `date` is worked and, for a special day, why (name and kind).
    ///
    /// # Errors
    /// A date outside 1900-01-01..=2199-12-31.
    pub fn day_info(&self, date: NaiveDate) -> Result<DayInfo, CalendarError> {
        self.checked_index(date)?;
        Ok(match self.special.get(&date) {
            Some(day) => DayInfo::Special(day.clone()),
            None if self.config.weekly_rest.contains(date.weekday()) => DayInfo::WeeklyRest,
            None => DayInfo::Working,
        })
    }

    /// The special days of a year, sorted: holidays (also those on a weekend),
    /// compensatory, swapped and extra days off, and make-up working days (flagged as
    /// working). Ordinary weekends are not listed.
    ///
    /// # Errors
    /// A year outside 1900–2199.
    pub fn non_working_days(&self, year: i32) -> Result<Vec<DayOff>, CalendarError> {
        let bounds = NaiveDate::from_ymd_opt(year, 1, 1).zip(NaiveDate::from_ymd_opt(year, 12, 31));
        match bounds {
            Some((first, last)) if (MIN_LUNAR_YEAR..=MAX_LUNAR_YEAR).contains(&year) => Ok(self
                .special
                .range(first..=last)
                .map(|(_, day)| day.clone())
                .collect()),
            _ => Err(CalendarError::YearOutOfRange { year }),
        }
    }

    /// Moves an instant to working time: unchanged if it lies in a session of a working day
    /// (ends included), otherwise the start of the next session.
    ///
    /// # Errors
    /// An instant, or a result, outside the calendar's range.
    pub fn to_working_time(
        &self,
        t: DateTime<FixedOffset>,
    ) -> Result<DateTime<FixedOffset>, CalendarError> {
        let local = self.to_working_local(self.local(t)?)?;
        self.instant(local)
    }

    /// Adds `n` working days to an instant, with the convention of
    /// [`CalendarConfig::due_time`] (default: same time of day, n working days later).
    ///
    /// This is how a time limit stated in working days (ngày làm việc) runs from the receipt
    /// of a complete dossier (regulations.md §2.7); the receipt day itself is not counted.
    ///
    /// # Errors
    /// A start or a result outside the calendar's range.
    pub fn add_working_days(
        &self,
        from: DateTime<FixedOffset>,
        n: u32,
    ) -> Result<DateTime<FixedOffset>, CalendarError> {
        let start = self.to_working_local(self.local(from)?)?;
        let day = self.nth_working_day_after(start.date(), u64::from(n))?;
        let time = match self.config.due_time {
            DueTimeRule::SameTimeOfDay => start.time(),
            DueTimeRule::EndOfDay => self.config.working_hours.last_end(),
        };
        self.instant(day.and_time(time))
    }

    /// Adds an amount of working time, walking session by session across working days.
    ///
    /// The start is first moved to working time. A result that lands exactly at the end of a
    /// session stays there (07:30 + 4 h is 11:30, not 13:30).
    ///
    /// # Errors
    /// A negative amount, or a start or result outside the calendar's range.
    pub fn add_working_time(
        &self,
        from: DateTime<FixedOffset>,
        amount: TimeDelta,
    ) -> Result<DateTime<FixedOffset>, CalendarError> {
        if amount < TimeDelta::zero() {
            return Err(CalendarError::NegativeDuration);
        }
        let start = self.to_working_local(self.local(from)?)?;
        if amount.is_zero() {
            return self.instant(start);
        }
        let hours = &self.config.working_hours;
        let daily = hours
            .daily_total()
            .num_nanoseconds()
            .unwrap_or(i64::MAX)
            .max(1);
        // Target position, in working time since the opening of the start day.
        let target = amount
            .num_nanoseconds()
            .and_then(|a| {
                hours
                    .elapsed_at(start.time())
                    .num_nanoseconds()?
                    .checked_add(a)
            })
            .ok_or_else(beyond_range)?;
        // Whole days to skip, leaving a position in (0, daily] on the due day.
        let days = (target - 1) / daily;
        let position = TimeDelta::nanoseconds(target - days * daily);
        let day =
            self.nth_working_day_after(start.date(), u64::try_from(days).unwrap_or(u64::MAX))?;
        self.instant(day.and_time(time_at_position(hours, position)))
    }

    /// Adds whole working hours; see [`Calendar::add_working_time`].
    ///
    /// # Errors
    /// A start or result outside the calendar's range.
    pub fn add_working_hours(
        &self,
        from: DateTime<FixedOffset>,
        hours: u32,
    ) -> Result<DateTime<FixedOffset>, CalendarError> {
        self.add_working_time(from, TimeDelta::hours(i64::from(hours)))
    }

    /// Working time in `[a, b)`; zero if `b` is not after `a`. Used to pause a dossier's clock
    /// (e.g. while waiting for a supplement) and to measure time spent in a step.
    ///
    /// # Errors
    /// An instant outside the calendar's range.
    pub fn working_time_between(
        &self,
        a: DateTime<FixedOffset>,
        b: DateTime<FixedOffset>,
    ) -> Result<TimeDelta, CalendarError> {
        let (a, b) = (self.local(a)?, self.local(b)?);
        if b <= a {
            return Ok(TimeDelta::zero());
        }
        let hours = &self.config.working_hours;
        let elapsed = |t: NaiveDateTime| {
            if self.is_working_day(t.date()) {
                hours.elapsed_at(t.time())
            } else {
                TimeDelta::zero()
            }
        };
        // Working time from the start of a's day to b, minus that from the start of a's day to a.
        let days = self.working_days_between(a.date(), b.date())?;
        let whole = i32::try_from(days)
            .ok()
            .and_then(|d| hours.daily_total().checked_mul(d))
            .ok_or_else(beyond_range)?;
        Ok(whole + elapsed(b) - elapsed(a))
    }

    /// Number of working days `d` with `a <= d < b` (zero if `b <= a`).
    ///
    /// # Errors
    /// A date outside 1900-01-01..=2199-12-31.
    pub fn working_days_between(&self, a: NaiveDate, b: NaiveDate) -> Result<u32, CalendarError> {
        let (from, to) = (self.checked_index(a)?, self.checked_index(b)?);
        let count = (from..to).filter(|&i| !self.is_off(i)).count();
        Ok(u32::try_from(count).unwrap_or(u32::MAX))
    }

    /// Due instant of a certification request (chứng thực bản sao, chữ ký, hợp đồng).
    ///
    /// Decree 23/2015/NĐ-CP art. 7 (🔶 article not re-verified; regulations.md §2.7, §4):
    /// certification is done the same working day; a request received after the cut-off
    /// ([`CalendarConfig::certification_cutoff`], 15:00) is done the next working day. Electronic
    /// copies from originals follow the same limit (Decree 45/2020/NĐ-CP). The result is due at
    /// the close of that day; a request received on a day off is due the next working day.
    ///
    /// # Errors
    /// An instant or a result outside the calendar's range.
    pub fn certification_due(
        &self,
        received: DateTime<FixedOffset>,
    ) -> Result<DateTime<FixedOffset>, CalendarError> {
        let local = self.local(received)?;
        let date = local.date();
        let day = if self.is_working_day(date) && local.time() <= self.config.certification_cutoff {
            date
        } else {
            self.nth_working_day_after(date, 1)?
        };
        self.instant(day.and_time(self.config.working_hours.last_end()))
    }

    /// The instant a deadline given as a date ends: the close of that day's office hours, or,
    /// when the day is off, of the next working day. 🔶 Civil Code 2015 art. 148(2) ends a
    /// period whose last day is a weekend or a holiday at the end of the next working day;
    /// regulations.md §10 gives no rule of its own for assigned tasks.
    ///
    /// # Errors
    /// A date or a result outside the calendar's range.
    pub fn deadline_due(&self, date: NaiveDate) -> Result<DateTime<FixedOffset>, CalendarError> {
        self.checked_index(date)?;
        let day = if self.is_working_day(date) {
            date
        } else {
            self.nth_working_day_after(date, 1)?
        };
        self.instant(day.and_time(self.config.working_hours.last_end()))
    }

    /// When a submission counts as received: with [`CalendarConfig::receipt_at_next_session`]
    /// (default on), one outside office hours counts from the start of the next working
    /// session (🔶 common provincial practice, regulations.md §2.7); otherwise it is the
    /// submission instant itself (at the calendar's offset).
    ///
    /// # Errors
    /// An instant or a result outside the calendar's range.
    pub fn effective_receipt(
        &self,
        submitted: DateTime<FixedOffset>,
    ) -> Result<DateTime<FixedOffset>, CalendarError> {
        let local = self.local(submitted)?;
        if self.config.receipt_at_next_session {
            self.instant(self.to_working_local(local)?)
        } else {
            self.instant(local)
        }
    }

    fn index(&self, date: NaiveDate) -> Option<usize> {
        index_in_range(date, self.day_count)
    }

    fn checked_index(&self, date: NaiveDate) -> Result<usize, CalendarError> {
        self.index(date).ok_or_else(|| out_of_range(date))
    }

    fn is_off(&self, i: usize) -> bool {
        self.off
            .get(i / 64)
            .is_none_or(|word| word >> (i % 64) & 1 == 1)
    }

    /// The `n`-th working day after `date` (`date` itself when `n` is 0).
    fn nth_working_day_after(&self, date: NaiveDate, n: u64) -> Result<NaiveDate, CalendarError> {
        let start = self.checked_index(date)?;
        if n == 0 {
            return Ok(date);
        }
        let mut remaining = n;
        for i in start + 1..self.day_count {
            if !self.is_off(i) {
                remaining -= 1;
                if remaining == 0 {
                    return FIRST_DAY
                        .checked_add_days(Days::new(i as u64))
                        .ok_or_else(beyond_range);
                }
            }
        }
        Err(beyond_range())
    }

    fn to_working_local(&self, t: NaiveDateTime) -> Result<NaiveDateTime, CalendarError> {
        let (date, time) = (t.date(), t.time());
        if self.is_working_day(date) {
            for session in self.config.working_hours.sessions() {
                if time < session.start {
                    return Ok(date.and_time(session.start));
                }
                if time <= session.end {
                    return Ok(t);
                }
            }
        }
        Ok(self
            .nth_working_day_after(date, 1)?
            .and_time(self.config.working_hours.first_start()))
    }

    /// Local date and time of an instant at the calendar's offset, checked against the range.
    fn local(&self, t: DateTime<FixedOffset>) -> Result<NaiveDateTime, CalendarError> {
        let local = t.with_timezone(&self.config.offset).naive_local();
        self.checked_index(local.date())?;
        Ok(local)
    }

    fn instant(&self, local: NaiveDateTime) -> Result<DateTime<FixedOffset>, CalendarError> {
        self.config
            .offset
            .from_local_datetime(&local)
            .single()
            .ok_or_else(|| out_of_range(local.date()))
    }
}

fn index_in_range(date: NaiveDate, day_count: usize) -> Option<usize> {
    usize::try_from((date - FIRST_DAY).num_days())
        .ok()
        .filter(|&i| i < day_count)
}

/// The earliest time of a working day at which `position` of working time has elapsed, for a
/// position in (0, daily total]: a position at a session's end gives that end.
fn time_at_position(hours: &WorkingHours, position: TimeDelta) -> NaiveTime {
    let mut before = TimeDelta::zero();
    for session in hours.sessions() {
        let length = session.end - session.start;
        if position <= before + length {
            return session.start + (position - before);
        }
        before += length;
    }
    hours.last_end()
}

pub(super) fn out_of_range(date: NaiveDate) -> CalendarError {
    CalendarError::DateOutOfRange {
        date,
        min: FIRST_DAY,
        max: MAX_SOLAR_DATE,
    }
}

/// The error for a result that would fall after the last supported day.
pub(super) fn beyond_range() -> CalendarError {
    out_of_range(MAX_SOLAR_DATE.succ_opt().unwrap_or(MAX_SOLAR_DATE))
}
