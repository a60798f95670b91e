//! Vietnamese identification numbers: the personal identification number and the tax code.
//!
//! Both are validated structurally on construction ([`FromStr`] / [`TryFrom`]), so a value of
//! these types is always well-formed. See `shared/domain/regulations.md` §5.
//!
//! Personal identification numbers are personal data: [`PersonalId`]'s `Debug` output is
//! masked so that the full number never reaches logs by accident; `Display` prints it in full
//! because receipts and forms must show it.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Why an identification number was refused. Messages are Vietnamese, then English.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdError {
    /// The input was empty (after trimming surrounding whitespace).
    #[error("Số định danh/mã số trống / The identification number is empty")]
    Empty,
    /// A character other than an ASCII digit (or the branch hyphen) was found.
    #[error(
        "Ký tự '{found}' ở vị trí {position} không phải là chữ số / Character '{found}' at position {position} is not a digit"
    )]
    NotADigit {
        /// 1-based character position.
        position: usize,
        /// The offending character.
        found: char,
    },
    /// The number has the wrong length.
    #[error("Cần {expected} chữ số, nhận được {found} / Expected {expected} digits, got {found}")]
    WrongLength {
        /// Accepted length(s), e.g. "12" or "10 hoặc/or 13".
        expected: &'static str,
        /// Number of characters found.
        found: usize,
    },
    /// Digits 1–3 of a personal ID are not a known place-of-birth-registration code.
    #[error(
        "Mã nơi đăng ký khai sinh '{code}' (chữ số 1–3) không có trong danh mục 63 tỉnh / Place-of-registration code '{code}' (digits 1–3) is not one of the 63 province codes"
    )]
    UnknownPlaceCode {
        /// The three digits found.
        code: String,
    },
    /// The century digit of a personal ID does not match the given birth year's century.
    #[error(
        "Chữ số thế kỷ {digit} (vị trí 4) chỉ thế kỷ {century_start}–{century_end}, không khớp năm sinh {year} / Century digit {digit} (position 4) means {century_start}–{century_end}, which does not match birth year {year}"
    )]
    CenturyMismatch {
        /// The 4th digit.
        digit: u8,
        /// First year of the century the digit encodes.
        century_start: i32,
        /// Last year of that century.
        century_end: i32,
        /// The birth year the caller gave.
        year: i32,
    },
    /// Digits 5–6 of a personal ID do not match the given birth year.
    #[error(
        "Hai chữ số năm sinh '{found:02}' (vị trí 5–6) không khớp năm sinh {year} / Year digits '{found:02}' (positions 5–6) do not match birth year {year}"
    )]
    BirthYearMismatch {
        /// Digits 5–6 as a number.
        found: u8,
        /// The birth year the caller gave.
        year: i32,
    },
    /// The tax code's 10th digit is not the check digit of the first nine.
    #[error(
        "Chữ số kiểm tra của mã số thuế sai: là {found}, phải là {expected} / Wrong tax-code check digit: found {found}, expected {expected}"
    )]
    CheckDigitMismatch {
        /// The check digit computed from digits 1–9.
        expected: u8,
        /// The 10th digit found.
        found: u8,
    },
    /// Σ mod 11 = 0 would need check digit 10, so no valid 10-digit code has these 9 digits.
    #[error(
        "Chín chữ số đầu '{first_nine}' cho số dư 0, không có chữ số kiểm tra hợp lệ / The first nine digits '{first_nine}' give remainder 0, so no check digit is valid"
    )]
    NoCheckDigit {
        /// The first nine digits.
        first_nine: String,
    },
    /// A 13-character tax code is written with something other than `-` at position 11.
    #[error(
        "Mã số thuế đơn vị phụ thuộc phải có dạng NNNNNNNNNN-NNN, ký tự thứ 11 là '{found}' / A branch tax code must look like NNNNNNNNNN-NNN; character 11 is '{found}'"
    )]
    BadBranchSeparator {
        /// The character found at position 11.
        found: char,
    },
}

fn digits_of<const N: usize>(s: &str) -> Result<[u8; N], IdError> {
    let mut out = [0_u8; N];
    let count = s.chars().count();
    for (i, c) in s.chars().enumerate() {
        let Some(d) = c.to_digit(10) else {
            return Err(IdError::NotADigit {
                position: i + 1,
                found: c,
            });
        };
        if let Some(slot) = out.get_mut(i) {
            // Lossless: to_digit(10) is at most 9.
            *slot = d as u8;
        }
    }
    if count != N {
        return Err(IdError::WrongLength {
            expected: match N {
                12 => "12",
                10 => "10",
                _ => "3",
            },
            found: count,
        });
    }
    Ok(out)
}

/// Sex encoded in digit 4 of a personal identification number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sex {
    /// Nam (even century digit).
    Male,
    /// Nữ (odd century digit).
    Female,
}

/// Province codes of birth registration, digits 1–3 of a personal ID, with province names
/// (pre-2025 list; Circular 07/2016/TT-BCA annex, quoted in regulations.md §5.1).
///
/// Numbers issued before the 2025 merger keep their code, so all 63 stay valid.
pub const PLACE_CODES: [(u16, &str); 63] = [
    (1, "Hà Nội"),
    (2, "Hà Giang"),
    (4, "Cao Bằng"),
    (6, "Bắc Kạn"),
    (8, "Tuyên Quang"),
    (10, "Lào Cai"),
    (11, "Điện Biên"),
    (12, "Lai Châu"),
    (14, "Sơn La"),
    (15, "Yên Bái"),
    (17, "Hòa Bình"),
    (19, "Thái Nguyên"),
    (20, "Lạng Sơn"),
    (22, "Quảng Ninh"),
    (24, "Bắc Giang"),
    (25, "Phú Thọ"),
    (26, "Vĩnh Phúc"),
    (27, "Bắc Ninh"),
    (30, "Hải Dương"),
    (31, "Hải Phòng"),
    (33, "Hưng Yên"),
    (34, "Thái Bình"),
    (35, "Hà Nam"),
    (36, "Nam Định"),
    (37, "Ninh Bình"),
    (38, "Thanh Hóa"),
    (40, "Nghệ An"),
    (42, "Hà Tĩnh"),
    (44, "Quảng Bình"),
    (45, "Quảng Trị"),
    (46, "Thừa Thiên Huế"),
    (48, "Đà Nẵng"),
    (49, "Quảng Nam"),
    (51, "Quảng Ngãi"),
    (52, "Bình Định"),
    (54, "Phú Yên"),
    (56, "Khánh Hòa"),
    (58, "Ninh Thuận"),
    (60, "Bình Thuận"),
    (62, "Kon Tum"),
    (64, "Gia Lai"),
    (66, "Đắk Lắk"),
    (67, "Đắk Nông"),
    (68, "Lâm Đồng"),
    (70, "Bình Phước"),
    (72, "Tây Ninh"),
    (74, "Bình Dương"),
    (75, "Đồng Nai"),
    (77, "Bà Rịa–Vũng Tàu"),
    (79, "TP Hồ Chí Minh"),
    (80, "Long An"),
    (82, "Tiền Giang"),
    (83, "Bến Tre"),
    (84, "Trà Vinh"),
    (86, "Vĩnh Long"),
    (87, "Đồng Tháp"),
    (89, "An Giang"),
    (91, "Kiên Giang"),
    (92, "Cần Thơ"),
    (93, "Hậu Giang"),
    (94, "Sóc Trăng"),
    (95, "Bạc Liêu"),
    (96, "Cà Mau"),
];

/// A personal identification number (số định danh cá nhân), 12 digits.
///
/// Structure (Decree 137/2015/NĐ-CP art. 13; Circular 07/2016/TT-BCA art. 7; Circular
/// 59/2021/TT-BCA art. 4; Law on Identification 26/2023/QH15 art. 12):
///
/// | digits | meaning |
/// |---|---|
/// | 1–3 | province of birth registration ([`PLACE_CODES`]) or country, for births abroad |
/// | 4 | century and sex: 1900s 0/1, 2000s 2/3, 2100s 4/5, 2200s 6/7, 2300s 8/9 (even = male) |
/// | 5–6 | last two digits of the year of birth |
/// | 7–12 | random |
///
/// There is no check digit, so validation is structural only. The country-code table for
/// births registered abroad was not found (regulations.md §5.1, ❌): such numbers are rejected
/// by [`FromStr`] and accepted only through [`PersonalId::parse_with_extra_codes`], where the
/// caller supplies the codes it trusts.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PersonalId([u8; 12]);

impl PersonalId {
    /// Parses a 12-digit number whose place code is one of the 63 provinces or one of
    /// `extra_place_codes` (e.g. country codes the deployment has verified).
    pub fn parse_with_extra_codes(s: &str, extra_place_codes: &[u16]) -> Result<Self, IdError> {
        let s = s.trim();
        if s.is_empty() {
            return Err(IdError::Empty);
        }
        let d: [u8; 12] = digits_of(s)?;
        let id = Self(d);
        let place = id.place_code();
        let known = PLACE_CODES.iter().any(|(c, _)| *c == place);
        if !known && !extra_place_codes.contains(&place) {
            return Err(IdError::UnknownPlaceCode {
                code: format!("{place:03}"),
            });
        }
        Ok(id)
    }

    /// Digits 1–3 as a number (e.g. `1` for Hà Nội, `38` for Thanh Hóa).
    pub fn place_code(&self) -> u16 {
        let [a, b, c, ..] = self.0;
        u16::from(a) * 100 + u16::from(b) * 10 + u16::from(c)
    }

    /// Name of the province of birth registration, if digits 1–3 are a province code.
    pub fn province_name(&self) -> Option<&'static str> {
        let code = self.place_code();
        PLACE_CODES
            .iter()
            .find(|(c, _)| *c == code)
            .map(|(_, n)| *n)
    }

    /// Sex from digit 4: even = male, odd = female.
    pub fn sex(&self) -> Sex {
        if self.0[3].is_multiple_of(2) {
            Sex::Male
        } else {
            Sex::Female
        }
    }

    /// First year of the century encoded by digit 4 (1900, 2000, …, 2300).
    pub fn century_start(&self) -> i32 {
        1900 + i32::from(self.0[3] / 2) * 100
    }

    /// Year of birth from digits 4–6 (century + last two digits).
    pub fn birth_year(&self) -> i32 {
        self.century_start() + i32::from(self.0[4]) * 10 + i32::from(self.0[5])
    }

    /// Checks digits 4–6 against a birth year known from another document.
    ///
    /// The century digit is checked first, so a wrong century is reported as such.
    pub fn check_birth_year(&self, year: i32) -> Result<(), IdError> {
        let start = self.century_start();
        if !(start..start + 100).contains(&year) {
            return Err(IdError::CenturyMismatch {
                digit: self.0[3],
                century_start: start,
                century_end: start + 99,
                year,
            });
        }
        let found = self.0[4] * 10 + self.0[5];
        if i32::from(found) != year - start {
            return Err(IdError::BirthYearMismatch { found, year });
        }
        Ok(())
    }

    /// The number with digits 4–10 hidden, e.g. `001*******45`, for logs and screens that
    /// only need to recognise it.
    pub fn masked(&self) -> String {
        self.0
            .iter()
            .enumerate()
            .map(|(i, d)| {
                if (3..10).contains(&i) {
                    '*'
                } else {
                    char::from(b'0' + d)
                }
            })
            .collect()
    }
}

impl FromStr for PersonalId {
    type Err = IdError;

    /// Parses 12 digits (surrounding whitespace ignored) with one of the 63 province codes.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse_with_extra_codes(s, &[])
    }
}

impl TryFrom<&str> for PersonalId {
    type Error = IdError;
    fn try_from(s: &str) -> Result<Self, Self::Error> {
        s.parse()
    }
}

impl TryFrom<String> for PersonalId {
    type Error = IdError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

impl fmt::Display for PersonalId {
    /// The full number: receipts and forms print it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for d in self.0 {
            write!(f, "{d}")?;
        }
        Ok(())
    }
}

impl fmt::Debug for PersonalId {
    /// Masked, so `{:?}` in logs and panics never shows the full number.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PersonalId({})", self.masked())
    }
}

impl Serialize for PersonalId {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for PersonalId {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = String::deserialize(deserializer)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// Weights for digits 1–9 of a tax code (regulations.md §5.3, 🟡 several validators agree).
const TAX_WEIGHTS: [u32; 9] = [31, 29, 23, 19, 17, 13, 7, 5, 3];

/// The check digit for the first nine digits of a tax code: `10 − (Σ dᵢ·wᵢ mod 11)`.
///
/// Returns `None` when the remainder is 0 (the formula gives 10, which is not a digit; we
/// treat such prefixes as unable to form a valid code). A remainder of 10 gives 0. A minority
/// of implementations use `11 − r` instead; we follow the majority rule (regulations.md §5.3).
pub fn tax_check_digit(first_nine: &[u8; 9]) -> Option<u8> {
    let sum: u32 = first_nine
        .iter()
        .zip(TAX_WEIGHTS)
        .map(|(d, w)| u32::from(*d) * w)
        .sum();
    let check = 10 - sum % 11;
    u8::try_from(check).ok().filter(|c| *c <= 9)
}

/// A tax code / enterprise code (mã số thuế / mã số doanh nghiệp).
///
/// Either 10 digits whose last is the check digit of the first nine ([`tax_check_digit`]),
/// or 13 characters for a dependent unit (branch, representative office): the parent's
/// valid 10-digit code, a hyphen and a 3-digit suffix with no check digit. The 13 digits may
/// also be written without the hyphen. Any 3-digit suffix is accepted (no source restricts
/// it). Individuals' tax code = personal ID from 01/07/2025 (Circular 86/2024/TT-BTC, 🔶) is
/// a [`PersonalId`], not a `TaxCode`.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TaxCode {
    parent: [u8; 10],
    branch: Option<[u8; 3]>,
}

impl TaxCode {
    /// The 10-digit parent code (the code itself when this is not a branch).
    pub fn parent(&self) -> TaxCode {
        TaxCode {
            parent: self.parent,
            branch: None,
        }
    }

    /// Whether this is a dependent unit's 13-digit code.
    pub fn is_branch(&self) -> bool {
        self.branch.is_some()
    }

    /// The 3-digit branch suffix, e.g. `"001"`.
    pub fn branch_suffix(&self) -> Option<String> {
        self.branch
            .map(|b| b.iter().map(|d| char::from(b'0' + d)).collect())
    }
}

impl FromStr for TaxCode {
    type Err = IdError;

    /// Parses `NNNNNNNNNN`, `NNNNNNNNNN-NNN` or `NNNNNNNNNNNNN` (surrounding whitespace ignored).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        if s.is_empty() {
            return Err(IdError::Empty);
        }
        let chars: Vec<char> = s.chars().collect();
        let (parent_part, branch_part): (String, Option<String>) = match chars.len() {
            10 => (s.to_owned(), None),
            13 => (
                chars.iter().take(10).collect(),
                Some(chars.iter().skip(10).collect()),
            ),
            14 => {
                let sep = chars.get(10).copied().unwrap_or('-');
                if sep != '-' {
                    return Err(if sep.is_ascii_digit() {
                        IdError::WrongLength {
                            expected: "10 hoặc/or 13",
                            found: 14,
                        }
                    } else {
                        IdError::BadBranchSeparator { found: sep }
                    });
                }
                (
                    chars.iter().take(10).collect(),
                    Some(chars.iter().skip(11).collect()),
                )
            }
            n => {
                // Report a stray character before the length, it is the more useful message.
                if let Some((i, c)) = chars
                    .iter()
                    .enumerate()
                    .find(|(_, c)| !c.is_ascii_digit() && **c != '-')
                {
                    return Err(IdError::NotADigit {
                        position: i + 1,
                        found: *c,
                    });
                }
                return Err(IdError::WrongLength {
                    expected: "10 hoặc/or 13",
                    found: n,
                });
            }
        };
        let parent: [u8; 10] = digits_of(&parent_part)?;
        let mut nine = [0_u8; 9];
        nine.copy_from_slice(&parent[..9]);
        let found = parent[9];
        match tax_check_digit(&nine) {
            None => {
                return Err(IdError::NoCheckDigit {
                    first_nine: parent_part.chars().take(9).collect(),
                });
            }
            Some(expected) if expected != found => {
                return Err(IdError::CheckDigitMismatch { expected, found });
            }
            Some(_) => {}
        }
        let branch = match branch_part {
            None => None,
            Some(b) => Some(digits_of::<3>(&b).map_err(|e| match e {
                IdError::NotADigit { position, found } => {
                    let offset = if chars.len() == 14 { 11 } else { 10 };
                    IdError::NotADigit {
                        position: position + offset,
                        found,
                    }
                }
                other => other,
            })?),
        };
        Ok(Self { parent, branch })
    }
}

impl TryFrom<&str> for TaxCode {
    type Error = IdError;
    fn try_from(s: &str) -> Result<Self, Self::Error> {
        s.parse()
    }
}

impl TryFrom<String> for TaxCode {
    type Error = IdError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

impl fmt::Display for TaxCode {
    /// `0100109106` or, for a branch, `0100109106-001`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for d in self.parent {
            write!(f, "{d}")?;
        }
        if let Some(b) = self.branch {
            f.write_str("-")?;
            for d in b {
                write!(f, "{d}")?;
            }
        }
        Ok(())
    }
}

impl fmt::Debug for TaxCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "TaxCode({self})")
    }
}

impl Serialize for TaxCode {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for TaxCode {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = String::deserialize(deserializer)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn personal_id_accessors() {
        let id: PersonalId = "001203012345".parse().unwrap();
        assert_eq!(id.place_code(), 1);
        assert_eq!(id.province_name(), Some("Hà Nội"));
        assert_eq!(id.sex(), Sex::Male);
        assert_eq!(id.birth_year(), 2003);
        assert_eq!(id.check_birth_year(2003), Ok(()));
        let f: PersonalId = "038195000001".parse().unwrap();
        assert_eq!(f.sex(), Sex::Female);
        assert_eq!(f.birth_year(), 1995);
        assert_eq!(f.province_name(), Some("Thanh Hóa"));
    }

    #[test]
    fn personal_id_never_debug_prints_the_number() {
        let id: PersonalId = " 001203012345 ".parse().unwrap();
        assert_eq!(format!("{id:?}"), "PersonalId(001*******45)");
        assert_eq!(id.masked(), "001*******45");
        assert_eq!(id.to_string(), "001203012345");
        assert!(!format!("{:?}", Some(id)).contains("2030123"));
    }

    #[test]
    fn personal_id_rejections_name_the_problem() {
        assert_eq!("".parse::<PersonalId>(), Err(IdError::Empty));
        assert_eq!(
            "00120301234".parse::<PersonalId>(),
            Err(IdError::WrongLength {
                expected: "12",
                found: 11
            })
        );
        assert_eq!(
            "00120301234x".parse::<PersonalId>(),
            Err(IdError::NotADigit {
                position: 12,
                found: 'x'
            })
        );
        assert_eq!(
            "003203012345".parse::<PersonalId>(),
            Err(IdError::UnknownPlaceCode { code: "003".into() })
        );
        // Full-width digits are digits to Unicode but not to the registry.
        assert!("００１203012345".parse::<PersonalId>().is_err());
        let err = "099203012345"
            .parse::<PersonalId>()
            .unwrap_err()
            .to_string();
        assert!(err.contains(" / "), "{err}");
        assert!(err.contains("099"), "{err}");
    }

    #[test]
    fn personal_id_extra_codes_allow_country_codes() {
        assert!("300203012345".parse::<PersonalId>().is_err());
        let id = PersonalId::parse_with_extra_codes("300203012345", &[300]).unwrap();
        assert_eq!(id.place_code(), 300);
        assert_eq!(id.province_name(), None);
    }

    #[test]
    fn personal_id_birth_year_checks() {
        let id: PersonalId = "001203012345".parse().unwrap();
        assert!(matches!(
            id.check_birth_year(1903),
            Err(IdError::CenturyMismatch {
                digit: 2,
                century_start: 2000,
                ..
            })
        ));
        assert_eq!(
            id.check_birth_year(2004),
            Err(IdError::BirthYearMismatch {
                found: 3,
                year: 2004
            })
        );
    }

    #[test]
    fn personal_id_serde_round_trip() {
        let id: PersonalId = "001203012345".parse().unwrap();
        let json = serde_json::to_string(&id).unwrap();
        assert_eq!(json, "\"001203012345\"");
        assert_eq!(serde_json::from_str::<PersonalId>(&json).unwrap(), id);
        assert!(serde_json::from_str::<PersonalId>("\"123\"").is_err());
    }

    #[test]
    fn tax_code_viettel_and_branches() {
        let t: TaxCode = "0100109106".parse().unwrap();
        assert!(!t.is_branch());
        assert_eq!(t.to_string(), "0100109106");
        let b: TaxCode = "0100109106-001".parse().unwrap();
        assert_eq!(b.to_string(), "0100109106-001");
        assert_eq!(b.parent(), t);
        assert_eq!(b.branch_suffix().as_deref(), Some("001"));
        assert_eq!("0100109106001".parse::<TaxCode>().unwrap(), b);
        assert_eq!(
            serde_json::to_string(&b).unwrap(),
            "\"0100109106-001\"".to_owned()
        );
    }

    #[test]
    fn tax_code_rejections() {
        assert_eq!(
            "0100109107".parse::<TaxCode>(),
            Err(IdError::CheckDigitMismatch {
                expected: 6,
                found: 7
            })
        );
        assert_eq!(
            "0100109107-001".parse::<TaxCode>(),
            Err(IdError::CheckDigitMismatch {
                expected: 6,
                found: 7
            })
        );
        assert_eq!(
            "0100109106_001".parse::<TaxCode>(),
            Err(IdError::BadBranchSeparator { found: '_' })
        );
        assert_eq!(
            "0100109106-0a1".parse::<TaxCode>(),
            Err(IdError::NotADigit {
                position: 13,
                found: 'a'
            })
        );
        assert!(matches!(
            "01001091".parse::<TaxCode>(),
            Err(IdError::WrongLength { found: 8, .. })
        ));
        assert_eq!(
            "010010910x".parse::<TaxCode>(),
            Err(IdError::NotADigit {
                position: 10,
                found: 'x'
            })
        );
    }

    #[test]
    fn tax_check_digit_edge_cases() {
        assert_eq!(tax_check_digit(&[0, 1, 0, 0, 1, 0, 9, 1, 0]), Some(6));
        // Σ = 11·k → remainder 0 → "10": no valid code.
        // 0,0,0,0,0,0,0,0,0 gives Σ = 0.
        assert_eq!(tax_check_digit(&[0; 9]), None);
        assert!(matches!(
            "0000000000".parse::<TaxCode>(),
            Err(IdError::NoCheckDigit { .. })
        ));
        // Remainder 10 gives check digit 0: 31·1 = 31 ≡ 9; add 3·… find one by search.
        let nine = (0..1_000_000_u32)
            .map(|n| {
                let mut d = [0_u8; 9];
                let mut x = n;
                for slot in d.iter_mut().rev() {
                    *slot = (x % 10) as u8;
                    x /= 10;
                }
                d
            })
            .find(|d| {
                d.iter()
                    .zip(TAX_WEIGHTS)
                    .map(|(a, w)| u32::from(*a) * w)
                    .sum::<u32>()
                    % 11
                    == 10
            })
            .unwrap();
        assert_eq!(tax_check_digit(&nine), Some(0));
    }
}
