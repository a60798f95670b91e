//! Dossier codes (mã số hồ sơ).
//!
//! Circular 01/2018/TT-VPCP art. 19: `{identifier code of the receiving agency}-{YYMMDD}-{XXXX}`,
//! where `YYMMDD` is the date the dossier was created and `XXXX` its 4-digit sequence among the
//! dossiers of that agency on that day. Circular 03/2025/TT-VPCP keeps the code; we assume its
//! structure is unchanged (regulations §2.6, 🔶). The sequence is allocated by storage in the
//! same transaction as the dossier, which keeps it unique and gap-free.

use std::fmt;
use std::str::FromStr;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use super::DossierError;

/// Largest daily sequence the 4-digit field can hold.
pub const MAX_DAILY_SEQUENCE: u32 = 9999;

/// A dossier code such as `000.00.13.H05-261127-0001`.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DossierCode {
    agency: String,
    date: NaiveDate,
    sequence: u32,
}

impl DossierCode {
    /// Builds the code of the `sequence`-th dossier created by `agency` on `date`.
    pub fn new(agency: &str, date: NaiveDate, sequence: u32) -> Result<DossierCode, DossierError> {
        if agency.is_empty() || agency.contains(char::is_whitespace) || agency.contains('-') {
            return Err(DossierError::InvalidCode(format!(
                "mã định danh cơ quan '{agency}' không hợp lệ / invalid agency identifier '{agency}'"
            )));
        }
        if !(1..=MAX_DAILY_SEQUENCE).contains(&sequence) {
            return Err(DossierError::SequenceExhausted {
                agency: agency.to_owned(),
                date,
            });
        }
        if !(2000..=2099).contains(&date.year()) {
            return Err(DossierError::InvalidCode(format!(
                "năm {} nằm ngoài 2000–2099 mà YYMMDD biểu diễn được / year {} is outside 2000–2099, which YYMMDD can express",
                date.year(),
                date.year()
            )));
        }
        Ok(DossierCode {
            agency: agency.to_owned(),
            date,
            sequence,
        })
    }

    /// Identifier code of the receiving agency.
    pub fn agency(&self) -> &str {
        &self.agency
    }

    /// Date the dossier was created.
    pub fn date(&self) -> NaiveDate {
        self.date
    }

    /// Sequence within the agency's day, from 1.
    pub fn sequence(&self) -> u32 {
        self.sequence
    }
}

impl fmt::Display for DossierCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}-{:02}{:02}{:02}-{:04}",
            self.agency,
            self.date.year() % 100,
            self.date.month(),
            self.date.day(),
            self.sequence
        )
    }
}

impl fmt::Debug for DossierCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DossierCode({self})")
    }
}

impl FromStr for DossierCode {
    type Err = DossierError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = |why: &str| {
            DossierError::InvalidCode(format!(
                "mã hồ sơ '{s}' không đúng dạng {{mã cơ quan}}-YYMMDD-XXXX / dossier code '{s}' is not of the form {{agency}}-YYMMDD-XXXX: {why}"
            ))
        };
        let mut parts = s.trim().rsplitn(3, '-');
        let (Some(seq), Some(date), Some(agency)) = (parts.next(), parts.next(), parts.next())
        else {
            return Err(bad("thiếu dấu '-' / missing '-' separators"));
        };
        if seq.len() != 4 || !seq.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad(
                "số thứ tự phải có 4 chữ số / the sequence must be 4 digits",
            ));
        }
        if date.len() != 6 || !date.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad("ngày phải có dạng YYMMDD / the date must be YYMMDD"));
        }
        let num = |r: std::ops::Range<usize>| date[r].parse::<u32>().unwrap_or(0);
        let day = NaiveDate::from_ymd_opt(2000 + num(0..2) as i32, num(2..4), num(4..6))
            .ok_or_else(|| bad("ngày không tồn tại / no such date"))?;
        let sequence = seq
            .parse::<u32>()
            .map_err(|_| bad("số thứ tự / sequence"))?;
        DossierCode::new(agency, day, sequence)
    }
}

impl Serialize for DossierCode {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for DossierCode {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_as_circular_01_2018_article_19() {
        let code = DossierCode::new(
            "000.00.13.H05",
            NaiveDate::from_ymd_opt(2026, 11, 27).unwrap(),
            7,
        )
        .unwrap();
        assert_eq!(code.to_string(), "000.00.13.H05-261127-0007");
        assert_eq!(
            "000.00.13.H05-261127-0007".parse::<DossierCode>().unwrap(),
            code
        );
    }

    #[test]
    fn refuses_malformed_codes_with_a_reason() {
        for bad in [
            "",
            "H05-261127-7",
            "H05-261332-0001",
            "H05-2611270-0001",
            "-261127-0001",
            "H05-261127-0000",
        ] {
            assert!(bad.parse::<DossierCode>().is_err(), "{bad}");
        }
    }

    #[test]
    fn the_daily_sequence_has_four_digits() {
        let day = NaiveDate::from_ymd_opt(2026, 1, 2).unwrap();
        assert!(DossierCode::new("H05", day, 9999).is_ok());
        assert!(matches!(
            DossierCode::new("H05", day, 10000),
            Err(DossierError::SequenceExhausted { .. })
        ));
    }
}
