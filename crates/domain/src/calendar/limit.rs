//! Time limits of procedures (thời hạn giải quyết) applied to the calendar: the one place a
//! dossier's appointment is computed.

use chrono::{DateTime, Days, FixedOffset, Months, NaiveDate, TimeDelta};

use super::working::{beyond_range, out_of_range};
use super::{Calendar, CalendarError};
use crate::catalog::{TimeLimit, TimeUnit};

impl Calendar {
    /// Midnight at the start of `date`, at the calendar's offset.
    fn start_of_day(&self, date: NaiveDate) -> Result<DateTime<FixedOffset>, CalendarError> {
        date.and_time(chrono::NaiveTime::MIN)
            .and_local_timezone(self.config().offset)
            .single()
            .ok_or_else(|| out_of_range(date))
    }

    /// The close of the last session of `date`, or of the first working day after it.
    ///
    /// # Errors
    /// A date, or the working day found, outside the calendar's range.
    pub fn end_of_working_day_on_or_after(
        &self,
        date: NaiveDate,
    ) -> Result<DateTime<FixedOffset>, CalendarError> {
        self.day_info(date)?;
        let day = if self.is_working_day(date) {
            date
        } else {
            self.add_working_days(self.start_of_day(date)?, 1)?
                .date_naive()
        };
        self.start_of_day(day)?;
        day.and_time(self.config().working_hours.last_end())
            .and_local_timezone(self.config().offset)
            .single()
            .ok_or_else(|| out_of_range(day))
    }

    /// Adds a procedure's time limit to the instant its clock starts.
    ///
    /// - Working days (ngày làm việc): [`Calendar::add_working_days`]; a half day is half of
    ///   a working day's office time (the catalogue has limits such as 1.5 days).
    /// - Hours (giờ): working hours, [`Calendar::add_working_time`] (🔶 the portal does not
    ///   say whether its hours are working hours; one-stop practice counts office hours).
    /// - Days (ngày) and months (tháng): calendar time under the Civil Code 2015
    ///   (91/2015/QH13) art. 148 — the limit ends at the end of its last day, and when that day
    ///   is a day off, at the end of the next working day (🔶 clause not re-verified). A half
    ///   unit rounds up to the whole day or month.
    ///
    /// # Errors
    /// A start or result outside the calendar's range.
    pub fn add_limit(
        &self,
        from: DateTime<FixedOffset>,
        limit: &TimeLimit,
    ) -> Result<DateTime<FixedOffset>, CalendarError> {
        let halves = limit.value.halves();
        match limit.unit {
            TimeUnit::WorkingDays => {
                let due = self.add_working_days(from, halves / 2)?;
                if halves % 2 == 1 {
                    self.add_working_time(due, self.config().working_hours.daily_total() / 2)
                } else {
                    Ok(due)
                }
            }
            TimeUnit::WorkingHours => {
                self.add_working_time(from, TimeDelta::minutes(i64::from(halves) * 30))
            }
            TimeUnit::Days | TimeUnit::Months => {
                let start = from.with_timezone(&self.config().offset).date_naive();
                let whole = halves.div_ceil(2);
                let last = if limit.unit == TimeUnit::Days {
                    start.checked_add_days(Days::new(u64::from(whole)))
                } else {
                    start.checked_add_months(Months::new(whole))
                };
                let last = last.ok_or_else(beyond_range)?;
                self.end_of_working_day_on_or_after(last)
            }
        }
    }
}
