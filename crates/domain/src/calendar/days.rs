//! What a day is: a working day, a weekly rest day or a special day (holiday, compensatory,
//! swapped or extra day off, make-up working day).

use chrono::NaiveDate;
use serde::ser::SerializeStruct;
use serde::{Serialize, Serializer};

/// Why a day differs from an ordinary weekday or weekend.
///
/// Serialised in `snake_case`; the same words are the `kind` column of the schedule files.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DayKind {
    /// Paid public holiday (ngày nghỉ lễ, Tết), Labour Code 2019 art. 112(1); it may fall on a
    /// weekly rest day, in which case a compensatory day follows.
    Statutory,
    /// Compensatory day off (nghỉ bù) for a holiday that fell on a weekly rest day,
    /// Labour Code 2019 art. 111(3).
    Compensatory,
    /// Working day turned into a day off in exchange for a make-up Saturday (hoán đổi ngày
    /// làm việc), by the yearly notice.
    SwappedDayOff,
    /// Any other day off granted by an official decision (nghỉ thêm).
    ExtraDayOff,
    /// Weekly rest day worked to make up for a swapped day off (ngày làm việc bù).
    MakeUpWorkingDay,
}

impl DayKind {
    /// All kinds, in declaration order (to parse the `kind` column).
    pub(crate) const ALL: [DayKind; 5] = [
        DayKind::Statutory,
        DayKind::Compensatory,
        DayKind::SwappedDayOff,
        DayKind::ExtraDayOff,
        DayKind::MakeUpWorkingDay,
    ];

    /// The `snake_case` word used in files and JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            DayKind::Statutory => "statutory",
            DayKind::Compensatory => "compensatory",
            DayKind::SwappedDayOff => "swapped_day_off",
            DayKind::ExtraDayOff => "extra_day_off",
            DayKind::MakeUpWorkingDay => "make_up_working_day",
        }
    }

    /// True when a day of this kind is worked (only make-up working days).
    pub fn is_working(self) -> bool {
        self == DayKind::MakeUpWorkingDay
    }
}

/// A special day with its kind and its name in Vietnamese and English.
///
/// The name is kept because receipts and the `holidays` listing must say why a day is off.
/// JSON carries an extra `working` field (true only for make-up working days).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DayOff {
    /// The solar date.
    pub date: NaiveDate,
    /// What kind of special day it is.
    pub kind: DayKind,
    /// Vietnamese name, e.g. "Giỗ Tổ Hùng Vương".
    pub name_vi: String,
    /// English name, e.g. "Hùng Kings' Commemoration Day".
    pub name_en: String,
}

impl DayOff {
    /// True when the day is worked (a make-up working day).
    pub fn is_working(&self) -> bool {
        self.kind.is_working()
    }
}

impl Serialize for DayOff {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut s = serializer.serialize_struct("DayOff", 5)?;
        s.serialize_field("date", &self.date)?;
        s.serialize_field("kind", &self.kind)?;
        s.serialize_field("working", &self.is_working())?;
        s.serialize_field("name_vi", &self.name_vi)?;
        s.serialize_field("name_en", &self.name_en)?;
        s.end()
    }
}

/// What the calendar says about one date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum DayInfo {
    /// An ordinary working day.
    Working,
    /// An ordinary weekly rest day (Saturday or Sunday in the public sector).
    WeeklyRest,
    /// A special day; it is worked only if its kind is [`DayKind::MakeUpWorkingDay`].
    Special(DayOff),
}

impl DayInfo {
    /// True when the day is worked.
    pub fn is_working(&self) -> bool {
        match self {
            DayInfo::Working => true,
            DayInfo::WeeklyRest => false,
            DayInfo::Special(day) => day.is_working(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn day_info_json_is_tagged_by_status() {
        let day = DayOff {
            date: NaiveDate::from_ymd_opt(2026, 8, 22).unwrap(),
            kind: DayKind::MakeUpWorkingDay,
            name_vi: "Làm việc bù".to_owned(),
            name_en: "Make-up working day".to_owned(),
        };
        let json = serde_json::to_value(DayInfo::Special(day)).unwrap();
        assert_eq!(
            json,
            serde_json::json!({
                "status": "special", "date": "2026-08-22", "kind": "make_up_working_day",
                "working": true, "name_vi": "Làm việc bù", "name_en": "Make-up working day"
            })
        );
        assert_eq!(
            serde_json::to_value(DayInfo::WeeklyRest).unwrap(),
            serde_json::json!({"status": "weekly_rest"})
        );
    }
}
