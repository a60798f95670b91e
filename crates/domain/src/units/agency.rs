//! Agencies (cơ quan) and their identifier codes (mã định danh).
//!
//! Every agency that receives dossiers has an identifier code under the national technical
//! standard of Circular 10/2016/TT-BTTTT. Dossier codes start with it (Circular
//! 01/2018/TT-VPCP art. 19: `V1V2V3.Z1Z2.Y1Y2.MX1X2-YYMMDD-XXXX`; regulations.md §2.6).

use std::fmt;
use std::str::FromStr;

use chrono::NaiveDate;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::UnitCode;

/// Why an agency identifier code was refused. Messages are Vietnamese, then English.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AgencyCodeError {
    /// Not four dot-separated segments.
    #[error(
        "Mã định danh '{code}' phải có 4 phần ngăn bởi dấu chấm (dạng 000.00.00.H05), có {found} / Identifier code '{code}' must have 4 dot-separated segments (like 000.00.00.H05), found {found}"
    )]
    SegmentCount {
        /// The input.
        code: String,
        /// Segments found.
        found: usize,
    },
    /// One segment has the wrong shape.
    #[error(
        "Mã định danh '{code}': phần thứ {segment} '{value}' phải là {expected_vi} / Identifier code '{code}': segment {segment} '{value}' must be {expected_en}"
    )]
    BadSegment {
        /// The input.
        code: String,
        /// 1-based segment position, left to right.
        segment: usize,
        /// The segment found.
        value: String,
        /// What was expected, in Vietnamese.
        expected_vi: &'static str,
        /// What was expected, in English.
        expected_en: &'static str,
    },
}

/// An agency identifier code (mã định danh điện tử của cơ quan), e.g. `000.00.13.H56`.
///
/// Accepted shape, from the dossier-code structure `V1V2V3.Z1Z2.Y1Y2.MX1X2` (Circular
/// 01/2018/TT-VPCP art. 19, referring to Circular 10/2016/TT-BTTTT):
///
/// | segment | shape | level |
/// |---|---|---|
/// | 1 `V1V2V3` | 3 digits | 4th level unit, `000` = none |
/// | 2 `Z1Z2` | 2 digits | 3rd level, `00` = none |
/// | 3 `Y1Y2` | 2 digits | 2nd level (e.g. a department of the province), `00` = none |
/// | 4 `MX1X2` | a capital letter + 2 digits | 1st level: `H` + 2 digits = province (`H05` Bắc Ninh), `G` + 2 digits = ministry (🔶) |
///
/// Shorter portal spellings such as `H55.242` are not accepted; convert them first.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AgencyCode(String);

impl AgencyCode {
    /// The code as written.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    fn segment(&self, n: usize) -> &str {
        self.0.split('.').nth(n).unwrap_or_default()
    }

    /// The 1st-level segment (ministry or province), e.g. `H56`.
    pub fn top_level(&self) -> &str {
        self.segment(3)
    }

    /// The letter of the 1st-level segment: `H` for provinces, `G` for ministries (🔶).
    pub fn top_level_letter(&self) -> char {
        self.top_level().chars().next().unwrap_or('?')
    }

    /// The four segments, left to right.
    pub fn segments(&self) -> [&str; 4] {
        [
            self.segment(0),
            self.segment(1),
            self.segment(2),
            self.segment(3),
        ]
    }

    /// Whether this code names a 1st-level body itself (all lower segments zero).
    pub fn is_top_level(&self) -> bool {
        self.0.starts_with("000.00.00.")
    }

    /// The code of the body one level up (the lowest non-zero segment set to zeros);
    /// `None` for a 1st-level code.
    pub fn parent(&self) -> Option<AgencyCode> {
        let [v, z, y, top] = self.segments();
        let parent = if v != "000" {
            format!("000.{z}.{y}.{top}")
        } else if z != "00" {
            format!("000.00.{y}.{top}")
        } else if y != "00" {
            format!("000.00.00.{top}")
        } else {
            return None;
        };
        Some(AgencyCode(parent))
    }

    /// The code of the 1st-level body of a province or ministry: `000.00.00.{top}`.
    ///
    /// `top` must be a capital letter and two digits (`H05`).
    pub fn top_level_of(top: &str) -> Result<AgencyCode, AgencyCodeError> {
        format!("000.00.00.{top}").parse()
    }
}

impl FromStr for AgencyCode {
    type Err = AgencyCodeError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let parts: Vec<&str> = s.split('.').collect();
        if parts.len() != 4 {
            return Err(AgencyCodeError::SegmentCount {
                code: s.to_owned(),
                found: parts.len(),
            });
        }
        let digits = |p: &str, n: usize| p.len() == n && p.bytes().all(|b| b.is_ascii_digit());
        let bad = |segment: usize, expected_vi, expected_en| AgencyCodeError::BadSegment {
            code: s.to_owned(),
            segment,
            value: parts
                .get(segment - 1)
                .copied()
                .unwrap_or_default()
                .to_owned(),
            expected_vi,
            expected_en,
        };
        if !digits(parts[0], 3) {
            return Err(bad(1, "3 chữ số", "3 digits"));
        }
        if !digits(parts[1], 2) {
            return Err(bad(2, "2 chữ số", "2 digits"));
        }
        if !digits(parts[2], 2) {
            return Err(bad(3, "2 chữ số", "2 digits"));
        }
        let top = parts[3].as_bytes();
        let top_ok = top.len() == 3
            && top[0].is_ascii_uppercase()
            && top[1].is_ascii_digit()
            && top[2].is_ascii_digit();
        if !top_ok {
            return Err(bad(
                4,
                "một chữ cái in hoa và 2 chữ số (như H05, G01)",
                "a capital letter and 2 digits (like H05, G01)",
            ));
        }
        Ok(Self(s.to_owned()))
    }
}

impl fmt::Display for AgencyCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for AgencyCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "AgencyCode({})", self.0)
    }
}

impl Serialize for AgencyCode {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for AgencyCode {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = String::deserialize(deserializer)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// What kind of body an agency is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AgencyKind {
    /// A ministry or ministry-level agency itself (bộ, cơ quan ngang bộ).
    Ministry,
    /// A unit of a ministry (cục, vụ, tổng cục, …).
    MinistryUnit,
    /// Provincial People's Committee (Ủy ban nhân dân tỉnh / thành phố).
    ProvincialPeoplesCommittee,
    /// A provincial department (sở, ban, ngành).
    Department,
    /// Provincial public administration service centre (Trung tâm Phục vụ hành chính công).
    ServiceCentre,
    /// Commune People's Committee (Ủy ban nhân dân xã / phường / đặc khu).
    CommunePeoplesCommittee,
    /// Anything else (e.g. a police or tax office with its own one-stop desk).
    Other,
}

/// A body that receives or decides dossiers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Agency {
    /// Identifier code; dossier codes start with it.
    pub code: AgencyCode,
    /// Name, e.g. "Ủy ban nhân dân tỉnh Bắc Ninh".
    pub name: String,
    /// Kind of body.
    pub kind: AgencyKind,
    /// The administrative unit (or ministry) it belongs to.
    pub unit: UnitCode,
    /// First day of validity, inclusive; `None` = unknown / always.
    pub valid_from: Option<NaiveDate>,
    /// Last day of validity, inclusive; `None` = still valid.
    pub valid_to: Option<NaiveDate>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_the_documented_shape() {
        let c: AgencyCode = "000.00.13.H56".parse().unwrap();
        assert_eq!(c.top_level(), "H56");
        assert_eq!(c.top_level_letter(), 'H');
        assert!(!c.is_top_level());
        assert_eq!(c.parent().unwrap().as_str(), "000.00.00.H56");
        assert_eq!(c.parent().unwrap().parent(), None);
        assert_eq!(
            "001.02.13.G01"
                .parse::<AgencyCode>()
                .unwrap()
                .parent()
                .unwrap()
                .as_str(),
            "000.02.13.G01"
        );
        assert_eq!(
            AgencyCode::top_level_of("H05").unwrap().as_str(),
            "000.00.00.H05"
        );
    }

    #[test]
    fn rejects_other_shapes_naming_the_segment() {
        assert!(matches!(
            "H55.242".parse::<AgencyCode>(),
            Err(AgencyCodeError::SegmentCount { found: 2, .. })
        ));
        assert!(matches!(
            "000.00.13.h56".parse::<AgencyCode>(),
            Err(AgencyCodeError::BadSegment { segment: 4, .. })
        ));
        assert!(matches!(
            "00.00.13.H56".parse::<AgencyCode>(),
            Err(AgencyCodeError::BadSegment { segment: 1, .. })
        ));
        assert!(matches!(
            "000.0A.13.H56".parse::<AgencyCode>(),
            Err(AgencyCodeError::BadSegment { segment: 2, .. })
        ));
        let msg = "000.00.1.H56"
            .parse::<AgencyCode>()
            .unwrap_err()
            .to_string();
        assert!(
            msg.contains("phần thứ 3") && msg.contains("segment 3"),
            "{msg}"
        );
        assert!("".parse::<AgencyCode>().is_err());
    }
}
