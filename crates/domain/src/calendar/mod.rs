//! The Vietnamese working-day calendar: lunar calendar, public holidays, official yearly
//! schedules, office hours and deadline arithmetic.
//!
//! - [`lunar`]: solar ⇄ lunar conversion at UTC+7 (1900–2199), used for Tết and Giỗ Tổ.
//! - [`holidays`]: the statutory holidays by rule (Labour Code 2019 art. 111–112), the
//!   fallback for years without an official schedule.
//! - [`schedule`]: the official yearly schedule as a CSV file (`data/calendar/vn-YYYY.csv`),
//!   which replaces the rules for its year because only the yearly notice fixes Tết days,
//!   swaps and make-up Saturdays.
//! - [`hours`]: office hours (sessions per working day).
//! - [`working`]: [`Calendar`], which combines them and computes due instants.
//!
//! Everything is pure: no clock, no I/O (the bundled schedules are compiled in).

pub mod days;
pub mod holidays;
pub mod hours;
mod limit;
pub mod lunar;
pub mod schedule;
pub mod working;

use chrono::{NaiveDate, NaiveTime};

pub use days::{DayInfo, DayKind, DayOff};
pub use holidays::{HolidayRules, NationalDayAdjacent};
pub use hours::{Session, WorkingHours};
pub use lunar::{LunarDate, leap_month, lunar_to_solar, month_length, solar_to_lunar};
pub use schedule::{
    ScheduleError, ScheduleField, ScheduleProblem, YearSchedule, bundled_schedules, parse_schedule,
};
pub use working::{Calendar, CalendarConfig, DueTimeRule};

/// Why a calendar computation or configuration was refused. Messages are Vietnamese, then
/// English.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CalendarError {
    /// A solar date (or the local date of an instant, or a computed result) is outside the
    /// range this calendar knows.
    #[error(
        "Ngày {date} nằm ngoài phạm vi lịch hỗ trợ ({min} đến {max}) / Date {date} is outside the supported calendar range ({min} to {max})"
    )]
    DateOutOfRange {
        /// The offending date.
        date: NaiveDate,
        /// First supported date.
        min: NaiveDate,
        /// Last supported date.
        max: NaiveDate,
    },
    /// A solar year outside 1900–2199.
    #[error(
        "Năm {year} nằm ngoài phạm vi hỗ trợ 1900–2199 / Year {year} is outside the supported range 1900–2199"
    )]
    YearOutOfRange {
        /// The year asked for.
        year: i32,
    },
    /// A lunar year outside 1900–2199.
    #[error(
        "Năm âm lịch {year} nằm ngoài phạm vi hỗ trợ 1900–2199 / Lunar year {year} is outside the supported range 1900–2199"
    )]
    LunarYearOutOfRange {
        /// The year asked for.
        year: i32,
    },
    /// A lunar month number other than 1–12.
    #[error(
        "Tháng âm lịch {month} không hợp lệ (phải từ 1 đến 12) / Lunar month {month} is invalid (must be 1 to 12)"
    )]
    InvalidLunarMonth {
        /// The month number given.
        month: u8,
    },
    /// A lunar day number other than 1–30.
    #[error(
        "Ngày âm lịch {day} không hợp lệ (phải từ 1 đến 30) / Lunar day {day} is invalid (must be 1 to 30)"
    )]
    InvalidLunarDay {
        /// The day number given.
        day: u8,
    },
    /// A leap month that the lunar year does not have.
    #[error(
        "Tháng {month} nhuận không có trong năm âm lịch {year} / Lunar year {year} has no leap month {month}"
    )]
    NoSuchLeapMonth {
        /// Lunar year.
        year: i32,
        /// Month number asked for as leap.
        month: u8,
    },
    /// Day 30 of a 29-day lunar month.
    #[error(
        "Tháng {}{} năm âm lịch {} chỉ có {length} ngày, không có ngày {} / {}unar month {} of {} has only {length} days, not day {}",
        date.month, if date.leap { " nhuận" } else { "" }, date.year, date.day,
        if date.leap { "Leap l" } else { "L" }, date.month, date.year, date.day
    )]
    DayNotInMonth {
        /// The date asked for.
        date: LunarDate,
        /// Length of that month (29).
        length: u8,
    },
    /// Text that is not `YYYY-MM-DD` with an optional trailing `L`.
    #[error(
        "«{input}» không phải ngày âm lịch dạng YYYY-MM-DD (thêm L nếu là tháng nhuận) / “{input}” is not a lunar date of the form YYYY-MM-DD (with a trailing L for a leap month)"
    )]
    InvalidLunarText {
        /// The text given.
        input: String,
    },
    /// Working hours without any session.
    #[error("Giờ làm việc phải có ít nhất một buổi / Working hours need at least one session")]
    NoSessions,
    /// A session that does not end after it starts.
    #[error(
        "Buổi làm việc {start}–{end} phải kết thúc sau khi bắt đầu / Session {start}–{end} must end after it starts"
    )]
    EmptySession {
        /// Session start.
        start: NaiveTime,
        /// Session end.
        end: NaiveTime,
    },
    /// Two sessions out of order or overlapping.
    #[error(
        "Buổi làm việc bắt đầu lúc {next_start} phải sau buổi trước kết thúc lúc {previous_end} / Session starting at {next_start} must come after the previous one ends at {previous_end}"
    )]
    SessionsOverlap {
        /// End of the earlier session.
        previous_end: NaiveTime,
        /// Start of the later session.
        next_start: NaiveTime,
    },
    /// Every day of the week was configured as a weekly rest day.
    #[error(
        "Phải có ít nhất một ngày làm việc trong tuần / At least one weekday must be a working day"
    )]
    NoWorkingWeekday,
    /// More than five Tết days before lunar New Year's day were configured.
    #[error(
        "Số ngày nghỉ Tết trước mùng 1 là {days}, tối đa 5 / {days} Tết days before lunar New Year's day were configured, at most 5"
    )]
    TooManyTetDaysBefore {
        /// The configured number.
        days: u8,
    },
    /// Two official schedules for the same year.
    #[error(
        "Có hai lịch nghỉ chính thức cho năm {year} / Two official schedules were given for year {year}"
    )]
    DuplicateSchedule {
        /// The year.
        year: i32,
    },
    /// A negative amount of working time to add.
    #[error(
        "Thời lượng làm việc cần cộng không được âm / The working time to add must not be negative"
    )]
    NegativeDuration,
}
