//! The procedure catalogue: administrative procedures (thủ tục hành chính, TTHC) as
//! published, versioned records, and plans to simplify them.
//!
//! A [`Procedure`] is one version of one procedure as announced in a publication decision
//! (quyết định công bố): what the applicant files, who decides, how long it may take, what it
//! costs, what the result is. The mandatory parts follow Decree 63/2010/NĐ-CP art. 8(2)
//! (name, sequence, method, dossier components, time limit, applicant type, implementing
//! agency; regulations.md §1.3, indicator 1.3).
//!
//! - [`codec`]: CSV and JSON import/export, all-or-nothing, with line/field errors.
//! - [`simplification`]: simplification plans and compliance cost (Circular 02/2017/TT-VPCP).
//! - [`shipped`]: the national catalogue sample shipped in `data/catalogue/`.

use std::fmt;
use std::str::FromStr;

use chrono::NaiveDate;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::units::AgencyCode;

/// Defines a closed set of values with a stable snake_case token (used in CSV and JSON) and
/// optional Vietnamese aliases accepted on input (compared after [`crate::fold::fold`]).
macro_rules! token_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident = $token:literal $(| $alias:literal)* ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name {
            $( $(#[$vmeta])* $variant ),+
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The stable token written to CSV and JSON.
            pub const fn as_str(self) -> &'static str {
                match self { $($name::$variant => $token),+ }
            }

            /// Parses the token or a Vietnamese alias, ignoring case and diacritics.
            pub fn parse_token(s: &str) -> Option<Self> {
                let folded = crate::fold::fold(s);
                $(
                    if folded == $token $(|| folded == crate::fold::fold($alias))* {
                        return Some($name::$variant);
                    }
                )+
                None
            }

            /// The accepted tokens, comma-separated, for error messages.
            pub fn tokens() -> String {
                Self::ALL.iter().map(|v| v.as_str()).collect::<Vec<_>>().join(", ")
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl FromStr for $name {
            type Err = Problem;
            fn from_str(s: &str) -> Result<Self, Problem> {
                Self::parse_token(s).ok_or_else(|| Problem::UnknownToken {
                    value: s.to_owned(),
                    allowed: Self::tokens(),
                })
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let s = String::deserialize(deserializer)?;
                s.parse().map_err(serde::de::Error::custom)
            }
        }
    };
}

pub mod codec;
pub mod shipped;
pub mod simplification;

/// What is wrong with one field of a procedure. Each variant has a Vietnamese and an English
/// message; [`codec::RecordError`] adds the line (or array index) and the field name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{} / {}", self.vi(), self.en())]
pub enum Problem {
    /// A required value is empty.
    Empty,
    /// A present optional text is blank (leave it out / empty instead).
    BlankText,
    /// Expected a whole number.
    NotANumber(String),
    /// Expected a positive whole or half number (e.g. `15`, `1.5`).
    NotAHalfNumber(String),
    /// Must be greater than zero.
    NotPositive(String),
    /// Not one of the allowed tokens.
    UnknownToken {
        /// The value found.
        value: String,
        /// Accepted tokens, comma-separated.
        allowed: String,
    },
    /// Not a `YYYY-MM-DD` date.
    InvalidDate(String),
    /// Not a procedure code (`D.DDDDDD`, optionally `.` + agency identifier code).
    InvalidProcedureCode(String),
    /// Not `true` or `false`.
    NotABoolean(String),
    /// A JSON cell or value could not be read; carries the parser's message.
    InvalidJson(String),
    /// A value was refused by its type; carries the reason in both languages (split from a
    /// bilingual "vi / en" message when the reason has one).
    InvalidValue {
        /// Reason in Vietnamese.
        vi: String,
        /// Reason in English.
        en: String,
    },
    /// An item of a `|`-separated list is empty.
    EmptyItem,
    /// The same item is listed twice.
    DuplicateItem(String),
    /// A list that must have items is empty.
    EmptyList,
    /// A time-limit value without a unit, or a unit without a value.
    IncompleteTimeLimit,
    /// `valid_to` is before `valid_from`.
    DateOrder {
        /// `valid_from`.
        from: NaiveDate,
        /// `valid_to`.
        to: NaiveDate,
    },
    /// The local commitment is longer than the statutory limit.
    LocalLimitLonger {
        /// Local limit as written.
        local: String,
        /// Statutory limit as written.
        statutory: String,
    },
    /// A publication date without a decision number.
    DateWithoutDecision,
    /// A published or withdrawn procedure must name its publication decision.
    MissingDecision,
    /// The same code and version appear twice in one import.
    DuplicateProcedure {
        /// `code` + version.
        key: String,
        /// Where it first appeared (line number or array index).
        first: String,
    },
    /// The CSV file is malformed (quoting, encoding); carries the parser's message.
    MalformedCsv(String),
    /// A column name that is not part of the layout.
    UnknownColumn(String),
    /// A column appears twice in the header.
    DuplicateColumn(String),
    /// A required column is missing from the header.
    MissingColumn(String),
    /// A row has more or fewer fields than the header.
    FieldCount {
        /// Fields in the header.
        expected: usize,
        /// Fields in the row.
        found: usize,
    },
    /// A JSON import must be an array of objects.
    NotAnObject,
    /// The top level of a JSON import must be an array.
    NotAnArray,
    /// An unknown key in a JSON object.
    UnknownField(String),
}

impl Problem {
    /// Wraps a type's refusal message; a bilingual "vi / en" message is split in two.
    pub fn invalid_value(message: &str) -> Self {
        let (vi, en) = message.split_once(" / ").unwrap_or((message, message));
        Self::InvalidValue {
            vi: vi.to_owned(),
            en: en.to_owned(),
        }
    }

    /// The message in Vietnamese.
    pub fn vi(&self) -> String {
        match self {
            Self::Empty => "không được để trống".into(),
            Self::BlankText => "giá trị chỉ có khoảng trắng; hãy để trống".into(),
            Self::NotANumber(v) => format!("'{v}' không phải là số nguyên"),
            Self::NotAHalfNumber(v) => {
                format!("'{v}' không phải là số nguyên hoặc nửa đơn vị (như 15 hay 1.5)")
            }
            Self::NotPositive(v) => format!("'{v}' phải lớn hơn 0"),
            Self::UnknownToken { value, allowed } => {
                format!("'{value}' không thuộc các giá trị cho phép ({allowed})")
            }
            Self::InvalidDate(v) => format!("'{v}' không phải là ngày dạng YYYY-MM-DD"),
            Self::InvalidProcedureCode(v) => format!(
                "'{v}' không phải là mã thủ tục (dạng 2.000815, hoặc 2.000815.000.00.00.H55)"
            ),
            Self::NotABoolean(v) => format!("'{v}' phải là true hoặc false"),
            Self::InvalidJson(m) => format!("JSON không hợp lệ: {m}"),
            Self::InvalidValue { vi, .. } => format!("giá trị không hợp lệ: {vi}"),
            Self::EmptyItem => "danh sách có phần tử trống (thừa dấu |)".into(),
            Self::DuplicateItem(v) => format!("'{v}' bị liệt kê hai lần"),
            Self::EmptyList => "danh sách không được rỗng".into(),
            Self::IncompleteTimeLimit => "thời hạn cần cả giá trị và đơn vị".into(),
            Self::DateOrder { from, to } => {
                format!("ngày hết hiệu lực {to} trước ngày có hiệu lực {from}")
            }
            Self::LocalLimitLonger { local, statutory } => {
                format!("thời hạn cam kết {local} dài hơn thời hạn luật định {statutory}")
            }
            Self::DateWithoutDecision => "có ngày công bố nhưng thiếu số quyết định".into(),
            Self::MissingDecision => {
                "thủ tục đã công bố hoặc bãi bỏ phải có số quyết định công bố".into()
            }
            Self::DuplicateProcedure { key, first } => {
                format!("thủ tục {key} đã có ở {first}")
            }
            Self::MalformedCsv(m) => format!("CSV hỏng: {m}"),
            Self::UnknownColumn(c) => format!("cột '{c}' không có trong bố cục"),
            Self::DuplicateColumn(c) => format!("cột '{c}' xuất hiện hai lần"),
            Self::MissingColumn(c) => format!("thiếu cột bắt buộc '{c}'"),
            Self::FieldCount { expected, found } => {
                format!("có {found} ô, dòng tiêu đề có {expected}")
            }
            Self::NotAnObject => "phải là một đối tượng JSON".into(),
            Self::NotAnArray => "tệp JSON phải là một mảng các thủ tục".into(),
            Self::UnknownField(k) => format!("trường '{k}' không có trong bố cục"),
        }
    }

    /// The message in English.
    pub fn en(&self) -> String {
        match self {
            Self::Empty => "must not be empty".into(),
            Self::BlankText => "value is only whitespace; leave it empty".into(),
            Self::NotANumber(v) => format!("'{v}' is not a number"),
            Self::NotAHalfNumber(v) => {
                format!("'{v}' is not a whole or half number (like 15 or 1.5)")
            }
            Self::NotPositive(v) => format!("'{v}' must be greater than 0"),
            Self::UnknownToken { value, allowed } => {
                format!("'{value}' is not one of the allowed values ({allowed})")
            }
            Self::InvalidDate(v) => format!("'{v}' is not a YYYY-MM-DD date"),
            Self::InvalidProcedureCode(v) => {
                format!("'{v}' is not a procedure code (like 2.000815, or 2.000815.000.00.00.H55)")
            }
            Self::NotABoolean(v) => format!("'{v}' must be true or false"),
            Self::InvalidJson(m) => format!("invalid JSON: {m}"),
            Self::InvalidValue { en, .. } => format!("invalid value: {en}"),
            Self::EmptyItem => "the list has an empty item (extra |)".into(),
            Self::DuplicateItem(v) => format!("'{v}' is listed twice"),
            Self::EmptyList => "the list must not be empty".into(),
            Self::IncompleteTimeLimit => "a time limit needs both a value and a unit".into(),
            Self::DateOrder { from, to } => format!("valid_to {to} is before valid_from {from}"),
            Self::LocalLimitLonger { local, statutory } => {
                format!("the local commitment {local} is longer than the statutory {statutory}")
            }
            Self::DateWithoutDecision => "a decision date without a decision number".into(),
            Self::MissingDecision => {
                "a published or withdrawn procedure needs its publication decision number".into()
            }
            Self::DuplicateProcedure { key, first } => {
                format!("procedure {key} already appears at {first}")
            }
            Self::MalformedCsv(m) => format!("malformed CSV: {m}"),
            Self::UnknownColumn(c) => format!("column '{c}' is not part of the layout"),
            Self::DuplicateColumn(c) => format!("column '{c}' appears twice"),
            Self::MissingColumn(c) => format!("required column '{c}' is missing"),
            Self::FieldCount { expected, found } => {
                format!("{found} fields, the header has {expected}")
            }
            Self::NotAnObject => "must be a JSON object".into(),
            Self::NotAnArray => "the JSON file must be an array of procedures".into(),
            Self::UnknownField(k) => format!("field '{k}' is not part of the layout"),
        }
    }
}

/// A procedure code: the national code `D.DDDDDD` (e.g. `2.000815`), optionally followed by
/// `.` and the identifier code of the agency that localised it (`2.000815.000.00.00.H55`,
/// regulations.md §2.6, 🟡).
///
/// Online-service variants (`….H55.02`) are not procedure codes and are refused.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ProcedureCode {
    national: String,
    local: Option<AgencyCode>,
}

impl ProcedureCode {
    /// The national part, `D.DDDDDD`.
    pub fn national(&self) -> &str {
        &self.national
    }

    /// The localising agency, if any.
    pub fn local_agency(&self) -> Option<&AgencyCode> {
        self.local.as_ref()
    }
}

impl FromStr for ProcedureCode {
    type Err = Problem;
    fn from_str(s: &str) -> Result<Self, Problem> {
        let bad = || Problem::InvalidProcedureCode(s.to_owned());
        let b = s.as_bytes();
        let national_ok = b.len() >= 8
            && b[0].is_ascii_digit()
            && b[1] == b'.'
            && b[2..8].iter().all(u8::is_ascii_digit);
        if !national_ok {
            return Err(bad());
        }
        let (national, rest) = s.split_at(8);
        let local = match rest {
            "" => None,
            _ => {
                let agency = rest.strip_prefix('.').ok_or_else(bad)?;
                Some(agency.parse::<AgencyCode>().map_err(|_| bad())?)
            }
        };
        Ok(Self {
            national: national.to_owned(),
            local,
        })
    }
}

impl fmt::Display for ProcedureCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.national)?;
        if let Some(a) = &self.local {
            write!(f, ".{a}")?;
        }
        Ok(())
    }
}

impl fmt::Debug for ProcedureCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ProcedureCode({self})")
    }
}

impl Serialize for ProcedureCode {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for ProcedureCode {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = String::deserialize(deserializer)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

token_enum! {
    /// The level of government that performs a procedure (cấp thực hiện). A procedure may
    /// have several. There is no district level since 01/07/2025.
    pub enum Level {
        /// Cấp bộ: a ministry or ministry-level agency.
        Ministry = "ministry" | "Cấp bộ",
        /// Cấp tỉnh.
        Province = "province" | "Cấp tỉnh",
        /// Cấp xã.
        Commune = "commune" | "Cấp xã",
        /// Cơ quan khác: another body (e.g. a court, a police unit).
        Other = "other" | "Cơ quan khác",
    }
}

token_enum! {
    /// Whether a procedure concerns citizens and businesses, or only State bodies.
    #[derive(Default)]
    pub enum ProcedureKind {
        /// Thủ tục hành chính: performed by citizens, businesses, organisations.
        #[default]
        Public = "public" | "công khai",
        /// Thủ tục hành chính nội bộ: between State bodies (Decision 1085/QĐ-TTg, 🔶).
        Internal = "internal" | "nội bộ",
    }
}

token_enum! {
    /// Who may apply (đối tượng thực hiện), as categorised by the national portal.
    pub enum ApplicantType {
        /// Công dân Việt Nam.
        Citizen = "citizen" | "Công dân Việt Nam",
        /// Người Việt Nam định cư ở nước ngoài.
        OverseasVietnamese = "overseas_vietnamese" | "Người Việt Nam định cư ở nước ngoài",
        /// Người nước ngoài.
        Foreigner = "foreigner" | "Người nước ngoài",
        /// Doanh nghiệp.
        Business = "business" | "Doanh nghiệp",
        /// Doanh nghiệp có vốn đầu tư nước ngoài.
        ForeignInvestedBusiness = "foreign_invested_business" | "Doanh nghiệp có vốn đầu tư nước ngoài",
        /// Hợp tác xã.
        Cooperative = "cooperative" | "Hợp tác xã",
        /// Tổ chức (không bao gồm doanh nghiệp, HTX).
        Organisation = "organisation" | "Tổ chức",
        /// Tổ chức nước ngoài.
        ForeignOrganisation = "foreign_organisation" | "Tổ chức nước ngoài",
        /// Cán bộ, công chức, viên chức.
        PublicServant = "public_servant" | "Cán bộ, công chức, viên chức",
        /// Đảng viên.
        PartyMember = "party_member" | "Đảng viên",
        /// Tổ chức Đảng.
        PartyOrganisation = "party_organisation" | "Tổ chức Đảng",
    }
}

impl ApplicantType {
    /// Whether it is a person (cá nhân) rather than an organisation.
    pub fn is_individual(self) -> bool {
        matches!(
            self,
            ApplicantType::Citizen
                | ApplicantType::OverseasVietnamese
                | ApplicantType::Foreigner
                | ApplicantType::PublicServant
                | ApplicantType::PartyMember
        )
    }
}

token_enum! {
    /// How a dossier can be submitted (cách thức thực hiện).
    pub enum Channel {
        /// Trực tiếp: at the one-stop desk.
        InPerson = "in_person" | "Trực tiếp",
        /// Trực tuyến: on the public service portal.
        Online = "online" | "Trực tuyến",
        /// Dịch vụ bưu chính: by post.
        Postal = "postal" | "Dịch vụ bưu chính",
    }
}

token_enum! {
    /// The unit of a time limit (thời hạn giải quyết).
    pub enum TimeUnit {
        /// Ngày làm việc: working days, counted on the working-day calendar.
        WorkingDays = "working_days" | "Ngày làm việc",
        /// Giờ: hours. The portal does not say whether these are working hours; we count
        /// them as working hours (office hours), the usual practice for one-stop desks (🔶).
        WorkingHours = "working_hours" | "Giờ" | "Giờ làm việc",
        /// Ngày: calendar days.
        Days = "days" | "Ngày",
        /// Tháng: calendar months.
        Months = "months" | "Tháng",
    }
}

token_enum! {
    /// Online public service level (Decree 42/2022/NĐ-CP art. 11, 🟡): whether the whole
    /// procedure or only part of it can be done online.
    #[derive(Default)]
    pub enum OnlineLevel {
        /// Dịch vụ công trực tuyến toàn trình: everything online, result included.
        FullProcess = "full_process" | "toàn trình",
        /// Dịch vụ công trực tuyến một phần: some steps need presence or paper.
        Partial = "partial" | "một phần",
        /// Not offered online (information only).
        #[default]
        None = "none" | "không",
    }
}

token_enum! {
    /// Life cycle of a procedure version: draft → published → withdrawn.
    #[derive(Default)]
    pub enum LifecycleState {
        /// Being prepared; not yet in a publication decision.
        #[default]
        Draft = "draft" | "dự thảo",
        /// Announced in a publication decision (công bố); dossiers may be received.
        Published = "published" | "đã công bố",
        /// Withdrawn or replaced (bãi bỏ / thay thế); kept for history.
        Withdrawn = "withdrawn" | "bãi bỏ",
    }
}

/// A refused life-cycle transition.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "Không thể chuyển thủ tục từ '{from}' sang '{to}' (chỉ: draft → published → withdrawn) / Cannot move a procedure from '{from}' to '{to}' (only draft → published → withdrawn)"
)]
pub struct LifecycleError {
    /// Current state.
    pub from: LifecycleState,
    /// Requested state.
    pub to: LifecycleState,
}

impl LifecycleState {
    /// Whether `self → to` is allowed: draft → published, published → withdrawn.
    ///
    /// A draft cannot be "withdrawn" (it was never in force; discard it instead), and a
    /// withdrawn version never comes back: a re-issued procedure is a new version.
    pub fn can_transition_to(self, to: LifecycleState) -> bool {
        matches!(
            (self, to),
            (Self::Draft, Self::Published) | (Self::Published, Self::Withdrawn)
        )
    }

    /// The new state, or an error naming both states.
    pub fn transition(self, to: LifecycleState) -> Result<LifecycleState, LifecycleError> {
        if self.can_transition_to(to) {
            Ok(to)
        } else {
            Err(LifecycleError { from: self, to })
        }
    }
}

/// A time-limit amount in whole or half units (`15`, `1.5`).
///
/// Half units exist in the catalogue (e.g. 1.5 working days, procedure 1.013097) and match
/// the morning/afternoon session split of a working day; finer fractions are refused so the
/// deadline engine never has to round. Stored as a count of halves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TimeValue {
    halves: u32,
}

impl TimeValue {
    /// A whole number of units.
    pub const fn whole(units: u32) -> Self {
        Self {
            halves: units.saturating_mul(2),
        }
    }

    /// From a count of half units (3 = 1.5).
    pub const fn from_halves(halves: u32) -> Self {
        Self { halves }
    }

    /// The amount as a count of half units.
    pub const fn halves(self) -> u32 {
        self.halves
    }

    /// The whole units, if the amount has no half.
    pub const fn as_whole(self) -> Option<u32> {
        if self.halves.is_multiple_of(2) {
            Some(self.halves / 2)
        } else {
            None
        }
    }

    /// The amount as a float (exact: halves are representable).
    pub fn as_f64(self) -> f64 {
        f64::from(self.halves) / 2.0
    }
}

impl FromStr for TimeValue {
    type Err = Problem;

    /// Parses `15`, `07`, `1.5`, `1,5` or `2.0`; refuses zero, negatives and other fractions.
    fn from_str(s: &str) -> Result<Self, Problem> {
        let bad = || Problem::NotAHalfNumber(s.to_owned());
        let (whole, frac) = match s.split_once(['.', ',']) {
            Some((w, f)) => (w, Some(f)),
            None => (s, None),
        };
        if whole.is_empty() || !whole.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        let whole: u32 = whole.parse().map_err(|_| bad())?;
        let half = match frac {
            None | Some("0") => 0,
            Some("5") => 1,
            Some(_) => return Err(bad()),
        };
        let halves = whole
            .checked_mul(2)
            .and_then(|h| h.checked_add(half))
            .ok_or_else(bad)?;
        if halves == 0 {
            return Err(Problem::NotPositive(s.to_owned()));
        }
        Ok(Self { halves })
    }
}

impl fmt::Display for TimeValue {
    /// `15` or `1.5`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.halves / 2)?;
        if self.halves % 2 == 1 {
            f.write_str(".5")?;
        }
        Ok(())
    }
}

impl Serialize for TimeValue {
    /// A JSON number: integer when whole, `x.5` otherwise.
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self.as_whole() {
            Some(w) => serializer.serialize_u32(w),
            None => serializer.serialize_f64(self.as_f64()),
        }
    }
}

impl<'de> Deserialize<'de> for TimeValue {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = TimeValue;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a positive whole or half number")
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<TimeValue, E> {
                v.to_string().parse().map_err(E::custom)
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<TimeValue, E> {
                v.to_string().parse().map_err(E::custom)
            }
            fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<TimeValue, E> {
                let halves = v * 2.0;
                if halves.fract() != 0.0 || !(1.0..=f64::from(u32::MAX)).contains(&halves) {
                    return Err(E::custom(Problem::NotAHalfNumber(v.to_string())));
                }
                // Exact: `halves` is a whole number within u32 range (checked above).
                Ok(TimeValue::from_halves(halves as u32))
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<TimeValue, E> {
                v.parse().map_err(E::custom)
            }
        }
        deserializer.deserialize_any(V)
    }
}

/// A time limit: an amount and its unit (e.g. 15 working days).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TimeLimit {
    /// The amount.
    pub value: TimeValue,
    /// The unit.
    pub unit: TimeUnit,
}

impl fmt::Display for TimeLimit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.value, self.unit)
    }
}

/// Either an agency identifier code or a free-text agency name.
///
/// The national catalogue names implementing agencies by role ("Sở Tư pháp", "Ủy ban nhân
/// dân cấp xã"); a province's local catalogue can name its agencies by code instead.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum AgencyRef {
    /// A concrete agency by identifier code.
    Code(AgencyCode),
    /// A name or role description.
    Name(String),
}

impl AgencyRef {
    /// Reads a code when the text is a valid identifier code, else keeps it as a name.
    pub fn parse(s: &str) -> Self {
        match s.parse::<AgencyCode>() {
            Ok(c) => Self::Code(c),
            Err(_) => Self::Name(s.to_owned()),
        }
    }

    /// The text as written.
    pub fn as_str(&self) -> &str {
        match self {
            Self::Code(c) => c.as_str(),
            Self::Name(n) => n,
        }
    }
}

impl Serialize for AgencyRef {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for AgencyRef {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Ok(Self::parse(&String::deserialize(deserializer)?))
    }
}

/// One document of the dossier (thành phần hồ sơ).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DossierComponent {
    /// Document name.
    pub name: String,
    /// Number of originals (bản chính).
    pub originals: u32,
    /// Number of copies (bản sao).
    pub copies: u32,
    /// Whether it is always required; `false` for documents needed only in some cases
    /// ("nếu có").
    pub required: bool,
    /// The form (mẫu đơn, tờ khai) to fill in, e.g. a file name or "Mẫu số 01".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub form: Option<String>,
}

/// One fee or charge (phí, lệ phí).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Fee {
    /// What is charged ("Phí", "Lệ phí", "Phí thẩm định …").
    pub name: String,
    /// Amount in đồng, when fixed; `None` when set elsewhere or in another currency
    /// (see `note`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount_vnd: Option<u64>,
    /// Conditions, other amounts, the legal source.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// The fees of a procedure: unknown, free ("Miễn phí"), or a list.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FeeSchedule {
    /// Not stated in the source.
    #[default]
    Unknown,
    /// Miễn phí: nothing to pay.
    Free,
    /// One or more fees or charges.
    Charged(Vec<Fee>),
}

impl FeeSchedule {
    /// The sum of the fixed amounts (0 when free or unknown). Saturates on overflow.
    pub fn fixed_total_vnd(&self) -> u64 {
        match self {
            Self::Charged(fees) => fees
                .iter()
                .filter_map(|f| f.amount_vnd)
                .fold(0_u64, u64::saturating_add),
            Self::Free | Self::Unknown => 0,
        }
    }
}

/// What the procedure produces (kết quả thực hiện).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProcedureResult {
    /// Result document name(s), as published.
    #[serde(default)]
    pub name: String,
    /// Result codes in the national database, e.g. `KQ.G01.000023`.
    #[serde(default)]
    pub codes: Vec<String>,
    /// Whether the result is a document (giấy tờ) that must also be issued electronically
    /// for a dossier to count as online (Decision 766 indicator 3.3, regulations.md §1.3).
    #[serde(default)]
    pub document_required: bool,
}

/// One legal document the procedure rests on (căn cứ pháp lý).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LegalDocument {
    /// Number and symbol, e.g. `103/2025/TT-BQP`.
    pub number: String,
    /// Summary (trích yếu).
    #[serde(default)]
    pub summary: String,
    /// Date of issue.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<NaiveDate>,
    /// Issuing body.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issuer: Option<String>,
}

/// The publication decision (quyết định công bố) that announced this version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Publication {
    /// Decision number, e.g. `163/QĐ-BTP`.
    pub decision_no: String,
    /// Date of the decision, when known.
    #[serde(default)]
    pub date: Option<NaiveDate>,
}

fn first_version() -> u32 {
    1
}

/// One version of one administrative procedure.
///
/// Serialised (JSON) with these field names; the CSV layout is in [`codec`] and
/// `data/catalogue/README.md`. Only `code` and `name` are required on input.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Procedure {
    /// National (or localised) procedure code.
    pub code: ProcedureCode,
    /// Version number, from 1; a new publication of the same code is a new version.
    #[serde(default = "first_version")]
    pub version: u32,
    /// Procedure name.
    pub name: String,
    /// Sector (lĩnh vực), by name: no official sector codes were found.
    #[serde(default)]
    pub sector: String,
    /// Levels that perform it.
    #[serde(default)]
    pub levels: Vec<Level>,
    /// Public or internal procedure.
    #[serde(default)]
    pub kind: ProcedureKind,
    /// Loại thủ tục as published (e.g. "TTHC được giao luật quy định chi tiết").
    #[serde(default)]
    pub procedure_type: Option<String>,
    /// Who may apply.
    #[serde(default)]
    pub applicants: Vec<ApplicantType>,
    /// The body that published the procedure (cơ quan ban hành).
    #[serde(default)]
    pub issuing_agency: Option<String>,
    /// The body with decision power (cơ quan có thẩm quyền).
    #[serde(default)]
    pub competent_authority: Option<String>,
    /// The bodies that carry it out (cơ quan thực hiện).
    #[serde(default)]
    pub implementing_agencies: Vec<AgencyRef>,
    /// Submission channels.
    #[serde(default)]
    pub channels: Vec<Channel>,
    /// Statutory time limit; `None` when the source gives none we could read (the deadline
    /// engine must then ask for one).
    #[serde(default)]
    pub time_limit: Option<TimeLimit>,
    /// A shorter limit committed locally (e.g. by a province's service charter).
    #[serde(default)]
    pub local_time_limit: Option<TimeLimit>,
    /// Online public service level.
    #[serde(default)]
    pub online_level: OnlineLevel,
    /// Fees and charges.
    #[serde(default)]
    pub fees: FeeSchedule,
    /// Required dossier documents.
    #[serde(default)]
    pub components: Vec<DossierComponent>,
    /// The result.
    #[serde(default)]
    pub result: ProcedureResult,
    /// Legal basis.
    #[serde(default)]
    pub legal_basis: Vec<LegalDocument>,
    /// The publication decision, once there is one.
    #[serde(default)]
    pub publication: Option<Publication>,
    /// Life-cycle state.
    #[serde(default)]
    pub state: LifecycleState,
    /// First day this version applies, inclusive.
    #[serde(default)]
    pub valid_from: Option<NaiveDate>,
    /// Last day this version applies, inclusive.
    #[serde(default)]
    pub valid_to: Option<NaiveDate>,
    /// Where the record came from (e.g. the portal page).
    #[serde(default)]
    pub source_url: Option<String>,
}

impl Procedure {
    /// A new draft with only code and name set.
    pub fn draft(code: ProcedureCode, name: impl Into<String>) -> Self {
        Self {
            code,
            version: 1,
            name: name.into(),
            sector: String::new(),
            levels: Vec::new(),
            kind: ProcedureKind::Public,
            procedure_type: None,
            applicants: Vec::new(),
            issuing_agency: None,
            competent_authority: None,
            implementing_agencies: Vec::new(),
            channels: Vec::new(),
            time_limit: None,
            local_time_limit: None,
            online_level: OnlineLevel::None,
            fees: FeeSchedule::Unknown,
            components: Vec::new(),
            result: ProcedureResult::default(),
            legal_basis: Vec::new(),
            publication: None,
            state: LifecycleState::Draft,
            valid_from: None,
            valid_to: None,
            source_url: None,
        }
    }

    /// Whether it is offered as an online service, partial or full-process (766 indicators
    /// 3.1 and 3.2).
    pub fn offered_online(&self) -> bool {
        self.online_level != OnlineLevel::None
    }

    /// Whether the catalogue lists fees or charges for it: 766 indicators 3.5 and 3.5b count
    /// the procedures "with fee information" (free or unstated is none, 🔶).
    pub fn has_fee_information(&self) -> bool {
        matches!(&self.fees, FeeSchedule::Charged(fees) if !fees.is_empty())
    }

    /// Whether individuals may apply for it (766 indicator 4.5a: "TTHC có đối tượng là cá
    /// nhân").
    pub fn open_to_individuals(&self) -> bool {
        self.applicants.iter().any(|a| a.is_individual())
    }

    /// The limit the engine should count: the local commitment when there is one, else the
    /// statutory limit.
    pub fn effective_time_limit(&self) -> Option<TimeLimit> {
        self.local_time_limit.or(self.time_limit)
    }

    /// Whether this version applies on `date` (ignores the life-cycle state).
    pub fn is_valid_on(&self, date: NaiveDate) -> bool {
        self.valid_from.is_none_or(|f| f <= date) && self.valid_to.is_none_or(|t| date <= t)
    }

    /// Publishes a draft under `publication`; the version applies from the decision date
    /// unless `valid_from` was already set.
    pub fn publish(&mut self, publication: Publication) -> Result<(), LifecycleError> {
        self.state = self.state.transition(LifecycleState::Published)?;
        if self.valid_from.is_none() {
            self.valid_from = publication.date;
        }
        self.publication = Some(publication);
        Ok(())
    }

    /// Withdraws a published version: it no longer applies from `effective` (so `valid_to`
    /// becomes the day before).
    pub fn withdraw(&mut self, effective: NaiveDate) -> Result<(), LifecycleError> {
        self.state = self.state.transition(LifecycleState::Withdrawn)?;
        self.valid_to = effective.pred_opt();
        Ok(())
    }

    /// Checks the rules that span fields. Returns (field, problem) pairs; the field is the
    /// JSON field name (`time_limit`, `publication`, …).
    pub fn validate(&self) -> Vec<(&'static str, Problem)> {
        let mut out = Vec::new();
        if self.name.trim().is_empty() {
            out.push(("name", Problem::Empty));
        }
        if self.version == 0 {
            out.push(("version", Problem::NotPositive("0".into())));
        }
        let optional_texts = [
            ("procedure_type", &self.procedure_type),
            ("issuing_agency", &self.issuing_agency),
            ("competent_authority", &self.competent_authority),
            ("source_url", &self.source_url),
        ];
        for (field, value) in optional_texts {
            if value.as_ref().is_some_and(|v| v.trim().is_empty()) {
                out.push((field, Problem::BlankText));
            }
        }
        duplicates("levels", &self.levels, &mut out);
        duplicates("applicants", &self.applicants, &mut out);
        duplicates("channels", &self.channels, &mut out);
        if self
            .implementing_agencies
            .iter()
            .any(|a| a.as_str().trim().is_empty())
        {
            out.push(("implementing_agencies", Problem::EmptyItem));
        }
        if self.result.codes.iter().any(|c| c.trim().is_empty()) {
            out.push(("result", Problem::EmptyItem));
        }
        if let (Some(local), Some(statutory)) = (self.local_time_limit, self.time_limit)
            && local.unit == statutory.unit
            && local.value > statutory.value
        {
            out.push((
                "local_time_limit",
                Problem::LocalLimitLonger {
                    local: local.to_string(),
                    statutory: statutory.to_string(),
                },
            ));
        }
        match &self.fees {
            FeeSchedule::Charged(fees) if fees.is_empty() => out.push(("fees", Problem::EmptyList)),
            FeeSchedule::Charged(fees) if fees.iter().any(|f| f.name.trim().is_empty()) => {
                out.push(("fees", Problem::EmptyItem));
            }
            _ => {}
        }
        if self.components.iter().any(|c| c.name.trim().is_empty()) {
            out.push(("components", Problem::EmptyItem));
        }
        if self.legal_basis.iter().any(|l| l.number.trim().is_empty()) {
            out.push(("legal_basis", Problem::EmptyItem));
        }
        match &self.publication {
            Some(p) if p.decision_no.trim().is_empty() => {
                let problem = if p.date.is_some() {
                    Problem::DateWithoutDecision
                } else {
                    Problem::Empty
                };
                out.push(("publication", problem));
            }
            None if self.state != LifecycleState::Draft => {
                out.push(("publication", Problem::MissingDecision));
            }
            _ => {}
        }
        if let (Some(from), Some(to)) = (self.valid_from, self.valid_to)
            && to < from
        {
            out.push(("valid_to", Problem::DateOrder { from, to }));
        }
        out
    }
}

fn duplicates<T: PartialEq + fmt::Display>(
    field: &'static str,
    items: &[T],
    out: &mut Vec<(&'static str, Problem)>,
) {
    for (i, item) in items.iter().enumerate() {
        if items[..i].contains(item) {
            out.push((field, Problem::DuplicateItem(item.to_string())));
        }
    }
}

/// The version of `code` that applies on `date` among `versions` (published or withdrawn
/// versions only; drafts never apply).
pub fn version_on<'a>(
    versions: &'a [Procedure],
    code: &ProcedureCode,
    date: NaiveDate,
) -> Option<&'a Procedure> {
    versions
        .iter()
        .filter(|p| &p.code == code && p.state != LifecycleState::Draft && p.is_valid_on(date))
        .max_by_key(|p| p.version)
}

/// Whether `procedure` is a certification due the same working day, or the next working day
/// when requested after 15:00: certifying copies from originals (paper or electronic copies),
/// signatures and translators' signatures (Decree 23/2015/NĐ-CP art. 7, 🔶 article not
/// re-verified; regulations.md §2.7 and §4). Codes 2.000815, 2.000884, 2.000992, 2.001008 in
/// the shipped catalogue.
///
/// Read from the name because the catalogue has no such flag. Certifying contracts and
/// transactions (up to 2 working days) and copies from master registers are not same-day.
pub fn is_same_day_certification(procedure: &Procedure) -> bool {
    let name = crate::fold::fold(&procedure.name);
    let name = name.strip_prefix("thu tuc ").unwrap_or(&name);
    name.starts_with("chung thuc ban sao") || name.starts_with("chung thuc chu ky")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_day_certification_is_copies_and_signatures() {
        let named = |c: &str, n: &str| Procedure::draft(code(c), n);
        for (c, n) in [
            (
                "2.000815",
                "Chứng thực bản sao từ bản chính giấy tờ, văn bản do cơ quan, tổ chức có thẩm quyền của Việt Nam cấp",
            ),
            ("2.000884", "Chứng thực chữ ký trong các giấy tờ, văn bản"),
            (
                "2.001008",
                "Chứng thực chữ ký người dịch mà người dịch không phải là cộng tác viên dịch thuật",
            ),
            (
                "2.000975",
                "Thủ tục chứng thực chữ ký người dịch không phải viên chức ngoại giao",
            ),
            ("2.000816", "CHUNG THUC BAN SAO dien tu tu ban chinh"),
        ] {
            assert!(is_same_day_certification(&named(c, n)), "{c}");
        }
        for (c, n) in [
            (
                "2.001035",
                "Chứng thực giao dịch liên quan đến tài sản là động sản, quyền sử dụng đất, nhà ở",
            ),
            ("2.000908", "Thủ tục cấp bản sao từ sổ gốc"),
            (
                "2.000942",
                "Cấp bản sao có chứng thực từ bản chính giao dịch đã được chứng thực",
            ),
            ("1.001193", "Thủ tục đăng ký khai sinh"),
        ] {
            assert!(!is_same_day_certification(&named(c, n)), "{c}");
        }
    }

    fn code(s: &str) -> ProcedureCode {
        s.parse().unwrap()
    }

    #[test]
    fn procedure_codes() {
        assert_eq!(code("2.000815").national(), "2.000815");
        let local = code("2.000815.000.00.00.H55");
        assert_eq!(local.local_agency().unwrap().as_str(), "000.00.00.H55");
        assert_eq!(local.to_string(), "2.000815.000.00.00.H55");
        for bad in [
            "2000815",
            "2.00081",
            "2.000815.",
            "2.000815.H55",
            "2.000815.000.00.00.H55.02",
            "a.000815",
            "",
        ] {
            assert!(bad.parse::<ProcedureCode>().is_err(), "{bad}");
        }
    }

    #[test]
    fn time_values() {
        assert_eq!("15".parse::<TimeValue>().unwrap(), TimeValue::whole(15));
        assert_eq!("07".parse::<TimeValue>().unwrap().to_string(), "7");
        assert_eq!("1.5".parse::<TimeValue>().unwrap().halves(), 3);
        assert_eq!("1,5".parse::<TimeValue>().unwrap().to_string(), "1.5");
        assert_eq!("0.5".parse::<TimeValue>().unwrap().as_f64(), 0.5);
        assert!(matches!(
            "0".parse::<TimeValue>(),
            Err(Problem::NotPositive(_))
        ));
        for bad in ["", "mười", "1.25", "-1", "1.", ".5", "99999999999"] {
            assert!(bad.parse::<TimeValue>().is_err(), "{bad}");
        }
        let json = serde_json::to_string(&TimeValue::from_halves(3)).unwrap();
        assert_eq!(json, "1.5");
        assert_eq!(
            serde_json::from_str::<TimeValue>("1.5").unwrap().halves(),
            3
        );
        assert_eq!(
            serde_json::from_str::<TimeValue>("15").unwrap().halves(),
            30
        );
        assert!(serde_json::from_str::<TimeValue>("1.2").is_err());
        assert!(serde_json::from_str::<TimeValue>("-2").is_err());
    }

    #[test]
    fn tokens_accept_vietnamese_aliases() {
        assert_eq!(Level::parse_token("Cấp tỉnh"), Some(Level::Province));
        assert_eq!(Level::parse_token("CAP TINH"), Some(Level::Province));
        assert_eq!(
            TimeUnit::parse_token("Ngày làm việc"),
            Some(TimeUnit::WorkingDays)
        );
        assert_eq!(TimeUnit::parse_token("Ngày"), Some(TimeUnit::Days));
        assert_eq!(Channel::parse_token("in_person"), Some(Channel::InPerson));
        let err = "bogus".parse::<Level>().unwrap_err().to_string();
        assert!(err.contains("ministry, province, commune, other"), "{err}");
    }

    #[test]
    fn lifecycle_transitions() {
        use LifecycleState::{Draft, Published, Withdrawn};
        assert_eq!(Draft.transition(Published), Ok(Published));
        assert_eq!(Published.transition(Withdrawn), Ok(Withdrawn));
        for (from, to) in [
            (Draft, Withdrawn),
            (Published, Draft),
            (Withdrawn, Published),
            (Draft, Draft),
        ] {
            let err = from.transition(to).unwrap_err();
            assert!(err.to_string().contains(" / Cannot move"), "{err}");
        }
        let mut p = Procedure::draft(code("2.000815"), "Chứng thực bản sao từ bản chính");
        let day = NaiveDate::from_ymd_opt(2025, 7, 1).unwrap();
        assert!(p.withdraw(day).is_err());
        p.publish(Publication {
            decision_no: "1/QĐ-BTP".into(),
            date: Some(day),
        })
        .unwrap();
        assert_eq!(p.valid_from, Some(day));
        assert!(
            p.publish(Publication {
                decision_no: "2".into(),
                date: None
            })
            .is_err()
        );
        p.withdraw(NaiveDate::from_ymd_opt(2026, 1, 1).unwrap())
            .unwrap();
        assert_eq!(p.valid_to, NaiveDate::from_ymd_opt(2025, 12, 31));
        assert!(p.validate().is_empty(), "{:?}", p.validate());
    }

    #[test]
    fn validation_names_fields() {
        let mut p = Procedure::draft(code("2.000815"), " ");
        p.levels = vec![Level::Province, Level::Province];
        p.state = LifecycleState::Published;
        p.time_limit = Some(TimeLimit {
            value: TimeValue::whole(5),
            unit: TimeUnit::WorkingDays,
        });
        p.local_time_limit = Some(TimeLimit {
            value: TimeValue::whole(7),
            unit: TimeUnit::WorkingDays,
        });
        p.fees = FeeSchedule::Charged(vec![]);
        p.valid_from = NaiveDate::from_ymd_opt(2025, 2, 1);
        p.valid_to = NaiveDate::from_ymd_opt(2025, 1, 1);
        let fields: Vec<_> = p.validate().into_iter().map(|(f, _)| f).collect();
        assert_eq!(
            fields,
            [
                "name",
                "levels",
                "local_time_limit",
                "fees",
                "publication",
                "valid_to"
            ]
        );
    }

    #[test]
    fn version_lookup() {
        let c = code("2.000815");
        let mut v1 = Procedure::draft(c.clone(), "A");
        v1.state = LifecycleState::Withdrawn;
        v1.valid_to = NaiveDate::from_ymd_opt(2024, 12, 31);
        let mut v2 = Procedure::draft(c.clone(), "B");
        v2.version = 2;
        v2.state = LifecycleState::Published;
        v2.valid_from = NaiveDate::from_ymd_opt(2025, 1, 1);
        let all = [v1, v2];
        assert_eq!(
            version_on(&all, &c, NaiveDate::from_ymd_opt(2024, 6, 1).unwrap())
                .unwrap()
                .name,
            "A"
        );
        assert_eq!(
            version_on(&all, &c, NaiveDate::from_ymd_opt(2025, 6, 1).unwrap())
                .unwrap()
                .name,
            "B"
        );
    }
}
