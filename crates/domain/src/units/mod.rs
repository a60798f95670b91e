//! Administrative units (đơn vị hành chính), their reorganisations, and agencies (cơ quan).
//!
//! Since 1 July 2025 Vietnam has two local levels, 34 provinces and 3,321 communes
//! (Resolution 202/2025/QH15; codes in Decision 19/2025/QĐ-TTg; regulations.md §8). Old
//! dossiers and statistics still name the 63 old provinces, their districts and communes, so
//! every unit carries a validity interval and reorganisations are kept as [`Merger`] records:
//! history keeps its original unit, and [`UnitRegistry::successors_on`] re-aggregates it onto
//! today's map.
//!
//! Unit codes are reused across eras (old province `24` is Bắc Giang, new `24` is Bắc Ninh;
//! old commune `00004` is Trúc Bạch, new `00004` is Ba Đình), so a code identifies a unit only
//! together with a date. On any one date the code lengths keep levels apart: 2 digits for a
//! province, 3 for a district, 5 for a commune, letters for a ministry.
//!
//! Validity intervals are inclusive on both ends: `valid_to` is the last day the unit existed.

pub mod agency;
pub mod data;
pub mod shipped;

use std::collections::HashMap;
use std::fmt;
use std::str::FromStr;

use chrono::NaiveDate;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

pub use agency::{Agency, AgencyCode, AgencyCodeError, AgencyKind};

use crate::fold::fold;

/// The day the 2025 reform took effect: 34 provinces, no districts (Resolution 202/2025/QH15;
/// Decision 19/2025/QĐ-TTg in force 01/07/2025).
pub const REFORM_2025: NaiveDate = match NaiveDate::from_ymd_opt(2025, 7, 1) {
    Some(d) => d,
    None => panic!("invalid constant date"),
};

/// The last day of the pre-2025 map (63 provinces, districts, 10,035 communes).
pub const LAST_DAY_BEFORE_REFORM_2025: NaiveDate = match NaiveDate::from_ymd_opt(2025, 6, 30) {
    Some(d) => d,
    None => panic!("invalid constant date"),
};

/// Legal basis recorded on the province-level mergers of 1 July 2025.
pub const PROVINCE_MERGER_BASIS_2025: &str =
    "Nghị quyết 202/2025/QH15; mã theo Quyết định 19/2025/QĐ-TTg";

/// Legal basis recorded on the commune-level mergers of 1 July 2025.
pub const COMMUNE_MERGER_BASIS_2025: &str =
    "Nghị quyết 1654–1687/NQ-UBTVQH15 (2025); ánh xạ dvhcvn/20250701, cần đối chiếu";

/// Why a unit code, a unit or a lookup was refused. Messages are Vietnamese, then English.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UnitError {
    /// Not 2, 3 or 5 digits, nor 2–10 capital ASCII letters.
    #[error(
        "Mã đơn vị '{0}' không hợp lệ (cần 2, 3 hoặc 5 chữ số, hoặc 2–10 chữ cái in hoa) / Invalid unit code '{0}' (expected 2, 3 or 5 digits, or 2–10 capital letters)"
    )]
    InvalidCode(String),
    /// No unit has this code on this date.
    #[error("Không có đơn vị mã '{code}' vào ngày {date} / No unit with code '{code}' on {date}")]
    UnknownUnit {
        /// The code looked up.
        code: String,
        /// The date looked up.
        date: NaiveDate,
    },
    /// Two versions of one code overlap in time.
    #[error(
        "Mã đơn vị '{code}' có hai phiên bản hiệu lực chồng nhau / Unit code '{code}' has two versions with overlapping validity"
    )]
    OverlappingValidity {
        /// The code.
        code: String,
    },
    /// A unit names a parent code that no unit has.
    #[error(
        "Đơn vị '{code}' thuộc đơn vị cha '{parent}' không tồn tại / Unit '{code}' names parent '{parent}', which does not exist"
    )]
    UnknownParent {
        /// The child.
        code: String,
        /// The missing parent code.
        parent: String,
    },
    /// A merger names a predecessor that did not exist the day before it took effect.
    #[error(
        "Sáp nhập vào '{successor}' ngày {effective}: đơn vị cũ '{code}' không tồn tại ngày trước đó / Merger into '{successor}' on {effective}: predecessor '{code}' did not exist the day before"
    )]
    UnknownPredecessor {
        /// The predecessor code.
        code: String,
        /// The merger's successor code.
        successor: String,
        /// The merger's effective date.
        effective: NaiveDate,
    },
    /// A merger's successor does not exist on the day it takes effect.
    #[error(
        "Sáp nhập ngày {effective}: đơn vị mới '{code}' không tồn tại vào ngày đó / Merger on {effective}: successor '{code}' does not exist on that day"
    )]
    UnknownSuccessor {
        /// The successor code.
        code: String,
        /// The merger's effective date.
        effective: NaiveDate,
    },
    /// An agency belongs to a unit code that no unit has.
    #[error(
        "Cơ quan '{agency}' thuộc đơn vị '{unit}' không tồn tại / Agency '{agency}' belongs to unit '{unit}', which does not exist"
    )]
    UnknownAgencyUnit {
        /// The agency's identifier code.
        agency: String,
        /// The missing unit code.
        unit: String,
    },
    /// Two agencies share one identifier code.
    #[error("Mã định danh cơ quan '{0}' bị trùng / Agency identifier code '{0}' is used twice")]
    DuplicateAgency(String),
}

/// All problems found while building a [`UnitRegistry`], reported together.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", self.0.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n"))]
pub struct UnitErrors(pub Vec<UnitError>);

/// A unit code: 2 digits (province), 3 (old district), 5 (commune), or a capital-letter slug
/// for the country (`VN`) and ministries (`BTP`, `BCA`, …; see `data/units/README.md`).
///
/// The national portal's own ministry codes (`G01`…) were not found, so ministries use the
/// abbreviations that appear in their decision numbers (e.g. `163/QĐ-BTP`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct UnitCode(String);

impl UnitCode {
    /// The code as written.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl FromStr for UnitCode {
    type Err = UnitError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let digits = s.bytes().all(|b| b.is_ascii_digit()) && matches!(s.len(), 2 | 3 | 5);
        let slug = s.bytes().all(|b| b.is_ascii_uppercase()) && (2..=10).contains(&s.len());
        if digits || slug {
            Ok(Self(s.to_owned()))
        } else {
            Err(UnitError::InvalidCode(s.to_owned()))
        }
    }
}

impl fmt::Display for UnitCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Serialize for UnitCode {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for UnitCode {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = String::deserialize(deserializer)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// The level of a unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UnitKind {
    /// The State as a whole (trung ương).
    Country,
    /// A ministry or ministry-level agency (bộ, ngành).
    Ministry,
    /// Province or centrally-run city (tỉnh / thành phố trực thuộc trung ương).
    Province,
    /// District (huyện, quận, thị xã, thành phố thuộc tỉnh): abolished on 01/07/2025.
    District,
    /// Commune level (xã, phường, đặc khu; before 2025 also thị trấn).
    Commune,
}

/// The legal type of a unit, which also fixes its [`UnitKind`].
///
/// Serialised with the Vietnamese slugs used in `data/units/*.csv` (`tinh`, `phuong`, …).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum UnitType {
    /// The country (quốc gia).
    #[serde(rename = "quoc_gia")]
    Country,
    /// A ministry or ministry-level agency (bộ, cơ quan ngang bộ).
    #[serde(rename = "bo")]
    Ministry,
    /// Tỉnh.
    #[serde(rename = "tinh")]
    Province,
    /// Thành phố trực thuộc trung ương.
    #[serde(rename = "thanh_pho")]
    Municipality,
    /// Huyện (rural district, before 2025).
    #[serde(rename = "huyen")]
    RuralDistrict,
    /// Quận (urban district, before 2025).
    #[serde(rename = "quan")]
    UrbanDistrict,
    /// Thị xã (district-level town, before 2025).
    #[serde(rename = "thi_xa")]
    DistrictTown,
    /// Thành phố thuộc tỉnh (provincial city, before 2025).
    #[serde(rename = "thanh_pho_thuoc_tinh")]
    ProvincialCity,
    /// Xã.
    #[serde(rename = "xa")]
    Commune,
    /// Phường.
    #[serde(rename = "phuong")]
    Ward,
    /// Đặc khu (special zone, from 2025: the former island districts).
    #[serde(rename = "dac_khu")]
    SpecialZone,
    /// Thị trấn (township, before 2025).
    #[serde(rename = "thi_tran")]
    Township,
}

impl UnitType {
    /// Every type, in declaration order.
    pub const ALL: [UnitType; 12] = [
        Self::Country,
        Self::Ministry,
        Self::Province,
        Self::Municipality,
        Self::RuralDistrict,
        Self::UrbanDistrict,
        Self::DistrictTown,
        Self::ProvincialCity,
        Self::Commune,
        Self::Ward,
        Self::SpecialZone,
        Self::Township,
    ];

    /// The level this type belongs to.
    pub fn kind(self) -> UnitKind {
        match self {
            Self::Country => UnitKind::Country,
            Self::Ministry => UnitKind::Ministry,
            Self::Province | Self::Municipality => UnitKind::Province,
            Self::RuralDistrict
            | Self::UrbanDistrict
            | Self::DistrictTown
            | Self::ProvincialCity => UnitKind::District,
            Self::Commune | Self::Ward | Self::SpecialZone | Self::Township => UnitKind::Commune,
        }
    }

    /// The slug used in data files (`tinh`, `phuong`, …).
    pub fn slug(self) -> &'static str {
        match self {
            Self::Country => "quoc_gia",
            Self::Ministry => "bo",
            Self::Province => "tinh",
            Self::Municipality => "thanh_pho",
            Self::RuralDistrict => "huyen",
            Self::UrbanDistrict => "quan",
            Self::DistrictTown => "thi_xa",
            Self::ProvincialCity => "thanh_pho_thuoc_tinh",
            Self::Commune => "xa",
            Self::Ward => "phuong",
            Self::SpecialZone => "dac_khu",
            Self::Township => "thi_tran",
        }
    }

    /// Parses a slug (`tinh`, `phuong`, …).
    pub fn from_slug(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.slug() == s)
    }

    /// The Vietnamese word that prefixes the unit's full name ("Tỉnh", "Phường", …).
    pub fn label_vi(self) -> &'static str {
        match self {
            Self::Country => "Nước",
            Self::Ministry => "Bộ",
            Self::Province => "Tỉnh",
            Self::Municipality | Self::ProvincialCity => "Thành phố",
            Self::RuralDistrict => "Huyện",
            Self::UrbanDistrict => "Quận",
            Self::DistrictTown => "Thị xã",
            Self::Commune => "Xã",
            Self::Ward => "Phường",
            Self::SpecialZone => "Đặc khu",
            Self::Township => "Thị trấn",
        }
    }
}

/// One administrative unit (or ministry) in one version of the map.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdminUnit {
    /// Code, unique among units valid on the same day.
    pub code: UnitCode,
    /// Legal type; see [`AdminUnit::kind`].
    pub unit_type: UnitType,
    /// Short name ("Ba Đình", "Bắc Ninh").
    pub name: String,
    /// Full name ("Phường Ba Đình", "Tỉnh Bắc Ninh").
    pub full_name: String,
    /// English name, when the source gives one.
    pub name_en: Option<String>,
    /// The unit this one belongs to (province of a commune, country of a province).
    pub parent: Option<UnitCode>,
    /// First day of validity, inclusive; `None` = since before our data starts.
    pub valid_from: Option<NaiveDate>,
    /// Last day of validity, inclusive; `None` = still valid.
    pub valid_to: Option<NaiveDate>,
}

/// "Tỉnh Bắc Ninh" → "tỉnh Bắc Ninh": a name as it reads inside a sentence.
pub fn in_sentence(name: &str) -> String {
    let mut chars = name.chars();
    match chars.next() {
        Some(c) => c.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

impl AdminUnit {
    /// Its People's Committee's name: "Ủy ban nhân dân tỉnh Bắc Ninh".
    pub fn committee_name(&self) -> String {
        format!("Ủy ban nhân dân {}", in_sentence(&self.full_name))
    }

    /// The unit's level.
    pub fn kind(&self) -> UnitKind {
        self.unit_type.kind()
    }

    /// Whether the unit existed on `date`.
    pub fn is_valid_on(&self, date: NaiveDate) -> bool {
        self.valid_from.is_none_or(|f| f <= date) && self.valid_to.is_none_or(|t| date <= t)
    }

    fn overlaps(&self, other: &AdminUnit) -> bool {
        let starts_before_other_ends = match (self.valid_from, other.valid_to) {
            (Some(f), Some(t)) => f <= t,
            _ => true,
        };
        let other_starts_before_end = match (other.valid_from, self.valid_to) {
            (Some(f), Some(t)) => f <= t,
            _ => true,
        };
        starts_before_other_ends && other_starts_before_end
    }
}

/// How much of a predecessor went into a successor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MergeShare {
    /// Part of the old unit (it was split between several new ones).
    Partial,
    /// The whole old unit.
    Full,
}

/// One reorganisation: predecessors (valid the day before `effective`) form `successor`
/// (valid on `effective`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Merger {
    /// The new unit's code, resolved on `effective`.
    pub successor: UnitCode,
    /// The old units' codes, resolved on the day before `effective`, and their shares.
    pub predecessors: Vec<(UnitCode, MergeShare)>,
    /// First day of the new unit.
    pub effective: NaiveDate,
    /// The resolution or decision that made the change.
    pub legal_basis: String,
}

/// A unit that a historical unit maps to, from [`UnitRegistry::successors_on`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Successor<'a> {
    /// The current (or `as_of`) unit.
    pub unit: &'a AdminUnit,
    /// `Full` if the whole historical unit ended up in `unit`.
    pub share: MergeShare,
}

/// A unit that formed a given unit, from [`UnitRegistry::predecessors_of`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Predecessor<'a> {
    /// The old unit.
    pub unit: &'a AdminUnit,
    /// How much of it went into the successor.
    pub share: MergeShare,
    /// The merger that made the change.
    pub merger: &'a Merger,
}

/// Merger chains are at most a few steps; this stops a malformed cycle from looping forever.
const MAX_CHAIN: usize = 32;

/// Units, mergers and agencies, indexed for lookups by code and date.
#[derive(Debug, Clone)]
pub struct UnitRegistry {
    units: Vec<AdminUnit>,
    mergers: Vec<Merger>,
    agencies: Vec<Agency>,
    by_code: HashMap<String, Vec<usize>>,
    by_parent: HashMap<String, Vec<usize>>,
    merged_into: HashMap<String, Vec<usize>>,
    merged_from: HashMap<String, Vec<usize>>,
    agency_by_code: HashMap<String, usize>,
}

impl UnitRegistry {
    /// Builds a registry, checking that versions of a code do not overlap, that parents,
    /// merger ends and agency units exist. Reports every problem, not just the first.
    pub fn new(
        units: Vec<AdminUnit>,
        mergers: Vec<Merger>,
        agencies: Vec<Agency>,
    ) -> Result<Self, UnitErrors> {
        let mut by_code: HashMap<String, Vec<usize>> = HashMap::new();
        let mut by_parent: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, u) in units.iter().enumerate() {
            by_code.entry(u.code.0.clone()).or_default().push(i);
            if let Some(p) = &u.parent {
                by_parent.entry(p.0.clone()).or_default().push(i);
            }
        }
        let mut merged_into: HashMap<String, Vec<usize>> = HashMap::new();
        let mut merged_from: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, m) in mergers.iter().enumerate() {
            merged_from
                .entry(m.successor.0.clone())
                .or_default()
                .push(i);
            for (p, _) in &m.predecessors {
                merged_into.entry(p.0.clone()).or_default().push(i);
            }
        }
        let mut agency_by_code = HashMap::new();
        let mut errors = Vec::new();
        for (i, a) in agencies.iter().enumerate() {
            if agency_by_code
                .insert(a.code.as_str().to_owned(), i)
                .is_some()
            {
                errors.push(UnitError::DuplicateAgency(a.code.as_str().to_owned()));
            }
        }
        let registry = Self {
            units,
            mergers,
            agencies,
            by_code,
            by_parent,
            merged_into,
            merged_from,
            agency_by_code,
        };
        registry.check(&mut errors);
        if errors.is_empty() {
            Ok(registry)
        } else {
            Err(UnitErrors(errors))
        }
    }

    fn check(&self, errors: &mut Vec<UnitError>) {
        let mut codes: Vec<&String> = self.by_code.keys().collect();
        codes.sort();
        for code in codes {
            let versions = self
                .by_code
                .get(code)
                .map(Vec::as_slice)
                .unwrap_or_default();
            let overlapping = versions.iter().enumerate().any(|(n, &i)| {
                versions
                    .iter()
                    .skip(n + 1)
                    .any(|&j| self.units[i].overlaps(&self.units[j]))
            });
            if overlapping {
                errors.push(UnitError::OverlappingValidity { code: code.clone() });
            }
        }
        for u in &self.units {
            if let Some(p) = &u.parent
                && !self.by_code.contains_key(p.as_str())
            {
                errors.push(UnitError::UnknownParent {
                    code: u.code.0.clone(),
                    parent: p.0.clone(),
                });
            }
        }
        for m in &self.mergers {
            if self.resolve(m.successor.as_str(), m.effective).is_none() {
                errors.push(UnitError::UnknownSuccessor {
                    code: m.successor.0.clone(),
                    effective: m.effective,
                });
            }
            for (p, _) in &m.predecessors {
                let day_before = m.effective.pred_opt();
                if day_before
                    .and_then(|d| self.resolve(p.as_str(), d))
                    .is_none()
                {
                    errors.push(UnitError::UnknownPredecessor {
                        code: p.0.clone(),
                        successor: m.successor.0.clone(),
                        effective: m.effective,
                    });
                }
            }
        }
        for a in &self.agencies {
            if !self.by_code.contains_key(a.unit.as_str()) {
                errors.push(UnitError::UnknownAgencyUnit {
                    agency: a.code.as_str().to_owned(),
                    unit: a.unit.0.clone(),
                });
            }
        }
    }

    fn resolve(&self, code: &str, date: NaiveDate) -> Option<usize> {
        self.by_code
            .get(code)?
            .iter()
            .copied()
            .find(|&i| self.units[i].is_valid_on(date))
    }

    /// All units, every version.
    pub fn units(&self) -> &[AdminUnit] {
        &self.units
    }

    /// All mergers.
    pub fn mergers(&self) -> &[Merger] {
        &self.mergers
    }

    /// All agencies.
    pub fn agencies(&self) -> &[Agency] {
        &self.agencies
    }

    /// The unit with `code` that existed on `date`.
    pub fn unit_on(&self, code: &str, date: NaiveDate) -> Option<&AdminUnit> {
        self.resolve(code, date).map(|i| &self.units[i])
    }

    /// Every version of `code`, oldest data first.
    pub fn versions(&self, code: &str) -> Vec<&AdminUnit> {
        self.by_code
            .get(code)
            .map(|v| v.iter().map(|&i| &self.units[i]).collect())
            .unwrap_or_default()
    }

    /// Units that existed on `date`, optionally only of one kind.
    pub fn units_on(
        &self,
        date: NaiveDate,
        kind: Option<UnitKind>,
    ) -> impl Iterator<Item = &AdminUnit> + '_ {
        self.units
            .iter()
            .filter(move |u| u.is_valid_on(date) && kind.is_none_or(|k| u.kind() == k))
    }

    /// Units whose parent is `code`, both valid on `date`.
    pub fn children_on(&self, code: &str, date: NaiveDate) -> Vec<&AdminUnit> {
        self.by_parent
            .get(code)
            .map(|v| {
                v.iter()
                    .map(|&i| &self.units[i])
                    .filter(|u| u.is_valid_on(date))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Units valid on `date` whose name or full name equals `name` after [`fold`]ing
    /// (so tone-mark placement and case do not matter).
    pub fn find_by_name(&self, name: &str, date: NaiveDate) -> Vec<&AdminUnit> {
        let key = fold(name);
        self.units
            .iter()
            .filter(|u| u.is_valid_on(date) && (fold(&u.name) == key || fold(&u.full_name) == key))
            .collect()
    }

    /// The agency with this identifier code.
    pub fn agency(&self, code: &str) -> Option<&Agency> {
        self.agency_by_code.get(code).map(|&i| &self.agencies[i])
    }

    /// Agencies that belong to unit `code`.
    pub fn agencies_of(&self, unit: &str) -> Vec<&Agency> {
        self.agencies
            .iter()
            .filter(|a| a.unit.as_str() == unit)
            .collect()
    }

    /// Maps the unit that had `code` on `date` onto the latest map the registry knows.
    ///
    /// Follows every merger after `date`. A unit still valid maps to itself (`Full`). A unit
    /// that ended without a merger of its own (an old district, abolished on 01/07/2025) maps
    /// through its communes: `Full` if all of them went wholly into one unit, else `Partial`
    /// to each. A unit that ended with neither a merger nor children maps to nothing. When
    /// the result is a single unit reached only through `Full` steps the share is `Full`;
    /// otherwise each successor is `Partial`.
    pub fn successors_on(
        &self,
        code: &str,
        date: NaiveDate,
    ) -> Result<Vec<Successor<'_>>, UnitError> {
        self.successors_inner(code, date, None)
    }

    /// Like [`Self::successors_on`], but ignores mergers effective after `as_of`: the map
    /// of a past reporting period.
    pub fn successors_as_of(
        &self,
        code: &str,
        date: NaiveDate,
        as_of: NaiveDate,
    ) -> Result<Vec<Successor<'_>>, UnitError> {
        self.successors_inner(code, date, Some(as_of))
    }

    fn successors_inner(
        &self,
        code: &str,
        date: NaiveDate,
        as_of: Option<NaiveDate>,
    ) -> Result<Vec<Successor<'_>>, UnitError> {
        let start = self
            .resolve(code, date)
            .ok_or_else(|| UnitError::UnknownUnit {
                code: code.to_owned(),
                date,
            })?;
        let mut found: Vec<(usize, MergeShare)> = Vec::new();
        self.follow(start, MergeShare::Full, as_of, 0, &mut found);
        let single = found.len() == 1;
        Ok(found
            .into_iter()
            .map(|(i, share)| Successor {
                unit: &self.units[i],
                share: if single { share } else { MergeShare::Partial },
            })
            .collect())
    }

    fn follow(
        &self,
        idx: usize,
        share: MergeShare,
        as_of: Option<NaiveDate>,
        depth: usize,
        found: &mut Vec<(usize, MergeShare)>,
    ) {
        if depth > MAX_CHAIN {
            return;
        }
        let unit = &self.units[idx];
        let mut next: Vec<(usize, MergeShare)> = Vec::new();
        for &m in self
            .merged_into
            .get(unit.code.as_str())
            .into_iter()
            .flatten()
        {
            let merger = &self.mergers[m];
            if as_of.is_some_and(|a| merger.effective > a) {
                continue;
            }
            let Some(day_before) = merger.effective.pred_opt() else {
                continue;
            };
            if self.resolve(unit.code.as_str(), day_before) != Some(idx) {
                continue;
            }
            let Some(succ) = self.resolve(merger.successor.as_str(), merger.effective) else {
                continue;
            };
            for (p, s) in &merger.predecessors {
                if p == &unit.code {
                    next.push((succ, (*s).min(share)));
                }
            }
        }
        if next.is_empty() {
            let ended = unit.valid_to.filter(|t| as_of.is_none_or(|a| *t < a));
            match ended {
                None => add(found, idx, share),
                Some(last_day) => self.follow_children(unit, last_day, share, as_of, depth, found),
            }
            return;
        }
        for (succ, s) in next {
            self.follow(succ, s, as_of, depth + 1, found);
        }
    }

    fn follow_children(
        &self,
        unit: &AdminUnit,
        last_day: NaiveDate,
        share: MergeShare,
        as_of: Option<NaiveDate>,
        depth: usize,
        found: &mut Vec<(usize, MergeShare)>,
    ) {
        let mut via_children: Vec<(usize, MergeShare)> = Vec::new();
        for child in self.children_on(unit.code.as_str(), last_day) {
            if let Some(ci) = self.resolve(child.code.as_str(), last_day) {
                let mut sub = Vec::new();
                self.follow(ci, MergeShare::Full, as_of, depth + 1, &mut sub);
                if sub.len() > 1 {
                    sub.iter_mut().for_each(|(_, s)| *s = MergeShare::Partial);
                }
                for (i, s) in sub {
                    add(&mut via_children, i, s);
                }
            }
        }
        let whole =
            via_children.len() == 1 && via_children.iter().all(|(_, s)| *s == MergeShare::Full);
        for (i, _) in via_children {
            let s = if whole { share } else { MergeShare::Partial };
            add(found, i, s);
        }
    }

    /// The units that formed the unit with `code` on `date`, through the merger(s) that
    /// created it (one step back; call again on a predecessor to go further).
    pub fn predecessors_of(
        &self,
        code: &str,
        date: NaiveDate,
    ) -> Result<Vec<Predecessor<'_>>, UnitError> {
        let idx = self
            .resolve(code, date)
            .ok_or_else(|| UnitError::UnknownUnit {
                code: code.to_owned(),
                date,
            })?;
        let mut out = Vec::new();
        for &m in self.merged_from.get(code).into_iter().flatten() {
            let merger = &self.mergers[m];
            if self.resolve(code, merger.effective) != Some(idx) {
                continue;
            }
            let Some(day_before) = merger.effective.pred_opt() else {
                continue;
            };
            for (p, share) in &merger.predecessors {
                if let Some(pi) = self.resolve(p.as_str(), day_before) {
                    out.push(Predecessor {
                        unit: &self.units[pi],
                        share: *share,
                        merger,
                    });
                }
            }
        }
        Ok(out)
    }

    /// The units of `day`'s map that wholly contain the area of unit `code` (its version
    /// valid on `as_of`, else its latest), nearest first: the statistics of merged units on
    /// the map of a period, or re-aggregated on today's.
    ///
    /// A unit valid on `day` is its own area. For a day before it existed its area is the
    /// units it was formed from (through every merger back to `day`); for a day after it
    /// ended, the units it went into. The chain holds only the units containing all of that
    /// area: only the country when the area straddled provinces (a merged province's own
    /// departments on the old map), nothing when the history does not say.
    pub fn chain_on(&self, code: &str, as_of: NaiveDate, day: NaiveDate) -> Vec<&AdminUnit> {
        let Some(idx) = self.latest(code, as_of) else {
            return Vec::new();
        };
        let mut areas = Vec::new();
        self.areas_on(idx, day, 0, &mut areas);
        let chains: Vec<Vec<usize>> = areas.iter().map(|&a| self.ancestors_on(a, day)).collect();
        let Some((first, rest)) = chains.split_first() else {
            return Vec::new();
        };
        first
            .iter()
            .filter(|i| rest.iter().all(|c| c.contains(i)))
            .map(|&i| &self.units[i])
            .collect()
    }

    /// Whether part, not necessarily all, of the area of unit `code` (as in
    /// [`Self::chain_on`]) lay in unit `unit` on `day`.
    pub fn lies_partly_in(&self, code: &str, as_of: NaiveDate, day: NaiveDate, unit: &str) -> bool {
        let (Some(idx), Some(target)) = (self.latest(code, as_of), self.resolve(unit, day)) else {
            return false;
        };
        let mut areas = Vec::new();
        self.areas_on(idx, day, 0, &mut areas);
        areas
            .iter()
            .any(|&a| self.ancestors_on(a, day).contains(&target))
    }

    /// The version of `code` valid on `as_of`, else its latest.
    fn latest(&self, code: &str, as_of: NaiveDate) -> Option<usize> {
        self.resolve(code, as_of).or_else(|| {
            let versions = self.by_code.get(code)?;
            versions
                .iter()
                .copied()
                .max_by_key(|&i| self.units[i].valid_from)
        })
    }

    /// The units valid on `day` that the area of unit `idx` lay in or went into.
    fn areas_on(&self, idx: usize, day: NaiveDate, depth: usize, out: &mut Vec<usize>) {
        let unit = &self.units[idx];
        if depth > MAX_CHAIN {
            return;
        }
        if unit.is_valid_on(day) {
            if !out.contains(&idx) {
                out.push(idx);
            }
            return;
        }
        let code = unit.code.as_str();
        if let Some(from) = unit.valid_from.filter(|f| day < *f) {
            for p in self.predecessors_of(code, from).unwrap_or_default() {
                let before = p.merger.effective.pred_opt();
                if let Some(pi) = before.and_then(|d| self.resolve(p.unit.code.as_str(), d)) {
                    self.areas_on(pi, day, depth + 1, out);
                }
            }
        } else if let Some(last) = unit.valid_to {
            for s in self.successors_as_of(code, last, day).unwrap_or_default() {
                let found = s.unit.valid_from.or(s.unit.valid_to).unwrap_or(day);
                if let Some(si) = self.resolve(s.unit.code.as_str(), found) {
                    self.areas_on(si, day, depth + 1, out);
                }
            }
        }
    }

    /// Unit `idx` and the units above it on `day`, nearest first.
    fn ancestors_on(&self, idx: usize, day: NaiveDate) -> Vec<usize> {
        let mut chain = vec![idx];
        let mut current = idx;
        // Country → province → (district) → commune: never deeper than four levels.
        for _ in 0..4 {
            let parent = self.units[current].parent.as_ref();
            let Some(up) = parent.and_then(|p| self.resolve(p.as_str(), day)) else {
                break;
            };
            if chain.contains(&up) {
                break;
            }
            chain.push(up);
            current = up;
        }
        chain
    }
}

/// Adds a successor, keeping the larger share when it is reached twice.
fn add(found: &mut Vec<(usize, MergeShare)>, idx: usize, share: MergeShare) {
    if let Some(entry) = found.iter_mut().find(|(i, _)| *i == idx) {
        entry.1 = entry.1.max(share);
    } else {
        found.push((idx, share));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn unit(code: &str, t: UnitType, parent: Option<&str>, old: bool) -> AdminUnit {
        AdminUnit {
            code: code.parse().unwrap(),
            unit_type: t,
            name: code.to_owned(),
            full_name: format!("{} {code}", t.label_vi()),
            name_en: None,
            parent: parent.map(|p| p.parse().unwrap()),
            valid_from: if old { None } else { Some(REFORM_2025) },
            valid_to: if old {
                Some(LAST_DAY_BEFORE_REFORM_2025)
            } else {
                None
            },
        }
    }

    fn merger(succ: &str, preds: &[(&str, MergeShare)]) -> Merger {
        Merger {
            successor: succ.parse().unwrap(),
            predecessors: preds
                .iter()
                .map(|(c, s)| (c.parse().unwrap(), *s))
                .collect(),
            effective: REFORM_2025,
            legal_basis: "test".into(),
        }
    }

    fn sample() -> UnitRegistry {
        use MergeShare::{Full, Partial};
        let units = vec![
            unit("24", UnitType::Province, None, true),
            unit("27", UnitType::Province, None, true),
            unit("213", UnitType::RuralDistrict, Some("24"), true),
            unit("07201", UnitType::Commune, Some("213"), true),
            unit("07202", UnitType::Commune, Some("213"), true),
            unit("07203", UnitType::Commune, Some("213"), true),
            unit("24", UnitType::Province, None, false),
            unit("07201", UnitType::Commune, Some("24"), false),
            unit("07300", UnitType::Ward, Some("24"), false),
        ];
        let mergers = vec![
            merger("24", &[("24", Full), ("27", Full)]),
            merger(
                "07201",
                &[("07201", Full), ("07202", Full), ("07203", Partial)],
            ),
            merger("07300", &[("07203", Partial)]),
        ];
        UnitRegistry::new(units, mergers, vec![]).unwrap()
    }

    #[test]
    fn unit_codes() {
        for ok in ["01", "318", "00004", "VN", "BTP", "BNNMT"] {
            assert!(ok.parse::<UnitCode>().is_ok(), "{ok}");
        }
        for bad in ["1", "0001", "btp", "B", "", "01a", "ABCDEFGHIJK"] {
            assert!(bad.parse::<UnitCode>().is_err(), "{bad}");
        }
    }

    #[test]
    fn codes_resolve_by_date() {
        let r = sample();
        assert_eq!(
            r.unit_on("24", d(2024, 1, 1)).unwrap().valid_to,
            Some(d(2025, 6, 30))
        );
        assert_eq!(
            r.unit_on("24", d(2025, 7, 1)).unwrap().valid_from,
            Some(REFORM_2025)
        );
        assert!(r.unit_on("27", d(2025, 7, 1)).is_none());
        assert_eq!(r.versions("24").len(), 2);
    }

    #[test]
    fn successors_follow_mergers() {
        let r = sample();
        let s = r.successors_on("27", d(2020, 5, 5)).unwrap();
        assert_eq!(s.len(), 1);
        assert_eq!(s[0].unit.valid_from, Some(REFORM_2025));
        assert_eq!(s[0].share, MergeShare::Full);
        // A split commune maps partially to both new units.
        let s = r.successors_on("07203", d(2020, 5, 5)).unwrap();
        assert_eq!(s.len(), 2);
        assert!(s.iter().all(|x| x.share == MergeShare::Partial));
        // A current unit maps to itself.
        let s = r.successors_on("07300", d(2025, 8, 1)).unwrap();
        assert_eq!(s[0].unit.code.as_str(), "07300");
        // Before the reform took effect, the old map still applies.
        let s = r
            .successors_as_of("27", d(2020, 5, 5), d(2025, 6, 1))
            .unwrap();
        assert_eq!(s[0].unit.code.as_str(), "27");
        assert!(matches!(
            r.successors_on("27", d(2025, 8, 1)),
            Err(UnitError::UnknownUnit { .. })
        ));
    }

    #[test]
    fn abolished_district_maps_through_its_communes() {
        let r = sample();
        let s = r.successors_on("213", d(2024, 1, 1)).unwrap();
        let mut codes: Vec<_> = s.iter().map(|x| x.unit.code.as_str()).collect();
        codes.sort_unstable();
        assert_eq!(codes, ["07201", "07300"]);
        assert!(s.iter().all(|x| x.share == MergeShare::Partial));
    }

    #[test]
    fn predecessors_one_step_back() {
        let r = sample();
        let p = r.predecessors_of("07201", d(2025, 7, 1)).unwrap();
        assert_eq!(p.len(), 3);
        assert!(
            p.iter()
                .all(|x| x.unit.valid_to == Some(LAST_DAY_BEFORE_REFORM_2025))
        );
        assert!(
            r.predecessors_of("07201", d(2024, 1, 1))
                .unwrap()
                .is_empty()
        );
    }

    #[test]
    fn registry_reports_every_problem() {
        let units = vec![
            unit("24", UnitType::Province, None, false),
            unit("24", UnitType::Province, Some("99"), false),
        ];
        let mergers = vec![merger("31", &[("30", MergeShare::Full)])];
        let err = UnitRegistry::new(units, mergers, vec![]).unwrap_err();
        assert_eq!(err.0.len(), 4, "{err}");
        assert!(err.to_string().contains(" / "));
    }
}
