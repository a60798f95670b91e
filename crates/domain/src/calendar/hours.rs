//! Office hours: the ordered working sessions of every working day.
//!
//! There is no national clock rule: the public sector works a 40-hour, five-day week and each
//! province or agency sets its session times (🔶), so sessions are configuration. The default
//! is the common 07:30–11:30 and 13:30–17:00 (7.5 hours).

use chrono::{NaiveTime, TimeDelta};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::CalendarError;

/// One working session, from `start` to `end` (local time, `start < end`).
///
/// Serialised as `{"start": "07:30:00", "end": "11:30:00"}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Session {
    /// When the session opens.
    pub start: NaiveTime,
    /// When the session closes.
    pub end: NaiveTime,
}

impl Session {
    fn length(self) -> TimeDelta {
        self.end - self.start
    }
}

/// The working sessions of a working day: non-empty, ordered and non-overlapping.
///
/// Serialised as the list of its sessions; deserialising validates through
/// [`WorkingHours::new`], so stored office hours can never bypass the checks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkingHours {
    sessions: Vec<Session>,
}

impl Serialize for WorkingHours {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.sessions.serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for WorkingHours {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let sessions = Vec::<Session>::deserialize(deserializer)?;
        WorkingHours::new(sessions).map_err(serde::de::Error::custom)
    }
}

impl Default for WorkingHours {
    /// Morning 07:30–11:30 and afternoon 13:30–17:00.
    fn default() -> Self {
        let at = |h, m| NaiveTime::from_hms_opt(h, m, 0).unwrap_or(NaiveTime::MIN);
        Self {
            sessions: vec![
                Session {
                    start: at(7, 30),
                    end: at(11, 30),
                },
                Session {
                    start: at(13, 30),
                    end: at(17, 0),
                },
            ],
        }
    }
}

impl WorkingHours {
    /// Validates and wraps the sessions of a working day.
    ///
    /// # Errors
    /// No session, a session that does not end after it starts, or a session that starts
    /// before the previous one ends (sessions may touch).
    pub fn new(sessions: Vec<Session>) -> Result<Self, CalendarError> {
        if sessions.is_empty() {
            return Err(CalendarError::NoSessions);
        }
        if let Some(s) = sessions.iter().find(|s| s.start >= s.end) {
            return Err(CalendarError::EmptySession {
                start: s.start,
                end: s.end,
            });
        }
        if let Some(pair) = sessions.windows(2).find(|pair| pair[1].start < pair[0].end) {
            return Err(CalendarError::SessionsOverlap {
                previous_end: pair[0].end,
                next_start: pair[1].start,
            });
        }
        Ok(Self { sessions })
    }

    /// The sessions, in order.
    pub fn sessions(&self) -> &[Session] {
        &self.sessions
    }

    /// Working time in one working day (7 h 30 min by default).
    pub fn daily_total(&self) -> TimeDelta {
        self.sessions.iter().map(|s| s.length()).sum()
    }

    /// When the first session opens.
    pub fn first_start(&self) -> NaiveTime {
        self.sessions.first().map_or(NaiveTime::MIN, |s| s.start)
    }

    /// When the last session closes.
    pub fn last_end(&self) -> NaiveTime {
        self.sessions.last().map_or(NaiveTime::MIN, |s| s.end)
    }

    /// Working time of a working day before `time` (0 before the first session, the daily
    /// total after the last).
    pub(super) fn elapsed_at(&self, time: NaiveTime) -> TimeDelta {
        self.sessions
            .iter()
            .map(|s| (time.max(s.start).min(s.end)) - s.start)
            .sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(h: u32, m: u32) -> NaiveTime {
        NaiveTime::from_hms_opt(h, m, 0).unwrap()
    }

    #[test]
    fn default_day_has_seven_and_a_half_hours() {
        assert_eq!(
            WorkingHours::default().daily_total(),
            TimeDelta::minutes(450)
        );
    }

    #[test]
    fn elapsed_time_skips_the_lunch_break() {
        let hours = WorkingHours::default();
        assert_eq!(hours.elapsed_at(t(6, 0)), TimeDelta::zero());
        assert_eq!(hours.elapsed_at(t(12, 0)), TimeDelta::hours(4));
        assert_eq!(hours.elapsed_at(t(14, 0)), TimeDelta::minutes(270));
        assert_eq!(hours.elapsed_at(t(20, 0)), TimeDelta::minutes(450));
    }

    #[test]
    fn invalid_sessions_are_refused() {
        assert_eq!(WorkingHours::new(vec![]), Err(CalendarError::NoSessions));
        let backwards = Session {
            start: t(12, 0),
            end: t(8, 0),
        };
        assert!(matches!(
            WorkingHours::new(vec![backwards]),
            Err(CalendarError::EmptySession { .. })
        ));
        let morning = Session {
            start: t(8, 0),
            end: t(12, 0),
        };
        let overlapping = Session {
            start: t(11, 0),
            end: t(17, 0),
        };
        assert!(matches!(
            WorkingHours::new(vec![morning, overlapping]),
            Err(CalendarError::SessionsOverlap { .. })
        ));
        let touching = Session {
            start: t(12, 0),
            end: t(16, 0),
        };
        assert!(WorkingHours::new(vec![morning, touching]).is_ok());
    }

    #[test]
    fn serde_round_trips_and_validates() {
        let hours = WorkingHours::default();
        let json = serde_json::to_string(&hours).unwrap();
        assert_eq!(
            json,
            r#"[{"start":"07:30:00","end":"11:30:00"},{"start":"13:30:00","end":"17:00:00"}]"#
        );
        assert_eq!(serde_json::from_str::<WorkingHours>(&json).unwrap(), hours);
        let err = serde_json::from_str::<WorkingHours>("[]").unwrap_err();
        assert!(err.to_string().contains("at least one session"), "{err}");
        let overlapping =
            r#"[{"start":"08:00:00","end":"12:00:00"},{"start":"11:00:00","end":"17:00:00"}]"#;
        assert!(serde_json::from_str::<WorkingHours>(overlapping).is_err());
    }
}
