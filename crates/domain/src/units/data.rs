//! Parsers for the reference files in `data/units/` (layouts in `data/units/README.md`).
//!
//! Pure functions from text to values. Each reports every problem it finds, naming the
//! file, the line (1 = header) and the column, so a maintainer can fix a file in one pass.

use std::collections::HashMap;
use std::fmt;

use super::{
    AdminUnit, Agency, AgencyCode, AgencyKind, COMMUNE_MERGER_BASIS_2025,
    LAST_DAY_BEFORE_REFORM_2025, MergeShare, Merger, PROVINCE_MERGER_BASIS_2025, REFORM_2025,
    UnitCode, UnitErrors, UnitRegistry, UnitType,
};

/// What is wrong with one field of a reference file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DataProblem {
    /// The CSV itself is broken (quoting, encoding).
    Malformed(String),
    /// The header row is not the expected one.
    BadHeader {
        /// The expected header, comma-joined.
        expected: String,
        /// The header found.
        found: String,
    },
    /// A row has the wrong number of fields.
    FieldCount {
        /// Fields in the header.
        expected: usize,
        /// Fields in this row.
        found: usize,
    },
    /// A required field is empty.
    Empty,
    /// Not a valid unit code (see [`UnitCode`]).
    InvalidUnitCode(String),
    /// Not one of the allowed values.
    UnknownValue {
        /// The value found.
        value: String,
        /// The allowed values, comma-joined.
        allowed: &'static str,
    },
    /// The full name does not start with a known unit-type word.
    UnknownNamePrefix(String),
    /// Not a valid agency code; carries the bilingual reason.
    InvalidAgencyCode(String),
    /// The same key appears twice.
    Duplicate(String),
}

impl DataProblem {
    fn vi(&self) -> String {
        match self {
            Self::Malformed(m) => format!("CSV hỏng ({m})"),
            Self::BadHeader { expected, found } => {
                format!("dòng tiêu đề là '{found}', cần '{expected}'")
            }
            Self::FieldCount { expected, found } => {
                format!("có {found} cột, cần {expected}")
            }
            Self::Empty => "không được để trống".to_owned(),
            Self::InvalidUnitCode(v) => format!("'{v}' không phải là mã đơn vị hợp lệ"),
            Self::UnknownValue { value, allowed } => {
                format!("'{value}' không thuộc các giá trị cho phép ({allowed})")
            }
            Self::UnknownNamePrefix(v) => {
                format!("tên '{v}' không bắt đầu bằng loại đơn vị đã biết")
            }
            Self::InvalidAgencyCode(m) => format!("mã định danh không hợp lệ: {m}"),
            Self::Duplicate(m) => format!("'{m}' bị trùng"),
        }
    }

    fn en(&self) -> String {
        match self {
            Self::Malformed(m) => format!("malformed CSV ({m})"),
            Self::BadHeader { expected, found } => {
                format!("header is '{found}', expected '{expected}'")
            }
            Self::FieldCount { expected, found } => {
                format!("{found} fields, expected {expected}")
            }
            Self::Empty => "must not be empty".to_owned(),
            Self::InvalidUnitCode(v) => format!("'{v}' is not a valid unit code"),
            Self::UnknownValue { value, allowed } => {
                format!("'{value}' is not one of the allowed values ({allowed})")
            }
            Self::UnknownNamePrefix(v) => {
                format!("name '{v}' does not start with a known unit type")
            }
            Self::InvalidAgencyCode(m) => format!("invalid identifier code: {m}"),
            Self::Duplicate(m) => format!("'{m}' appears twice"),
        }
    }
}

/// One problem in a reference file: file, line, column and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataError {
    /// File name, e.g. `communes.csv`.
    pub file: String,
    /// 1-based line where the record starts (1 = header).
    pub line: u64,
    /// Column name, or `*` for the whole row.
    pub field: String,
    /// What is wrong.
    pub problem: DataProblem,
}

impl fmt::Display for DataError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Tệp {}, dòng {}, cột {}: {} / File {}, line {}, field {}: {}",
            self.file,
            self.line,
            self.field,
            self.problem.vi(),
            self.file,
            self.line,
            self.field,
            self.problem.en()
        )
    }
}

impl std::error::Error for DataError {}

/// Every problem found in one or more reference files.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", self.0.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n"))]
pub struct DataErrors(pub Vec<DataError>);

/// Why [`load`] failed: bad files, or files that parse but do not fit together.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LoadError {
    /// Field-level problems in the files.
    #[error("{0}")]
    Data(DataErrors),
    /// The parsed units, mergers and agencies are inconsistent.
    #[error("{0}")]
    Registry(UnitErrors),
}

/// File names used in error messages (and in `data/units/`).
pub mod files {
    /// The 34 provinces since 01/07/2025.
    pub const PROVINCES: &str = "provinces.csv";
    /// The 3,321 communes since 01/07/2025.
    pub const COMMUNES: &str = "communes.csv";
    /// The 63 provinces before 01/07/2025.
    pub const PROVINCES_PRE2025: &str = "provinces-pre2025.csv";
    /// The districts before 01/07/2025.
    pub const DISTRICTS_PRE2025: &str = "districts-pre2025.csv";
    /// The communes before 01/07/2025.
    pub const COMMUNES_PRE2025: &str = "communes-pre2025.csv";
    /// New commune ← old commune mapping of 01/07/2025.
    pub const COMMUNE_MERGES_2025: &str = "commune-merges-2025.csv";
    /// Ministries and ministry-level agencies.
    pub const MINISTRIES: &str = "ministries.csv";
    /// DVCQG `Hxx` codes of the provincial People's Committees.
    pub const PROVINCE_AGENCY_CODES: &str = "dvcqg-province-agency-codes.csv";
}

/// The text of every unit reference file, as read (or embedded) by the caller.
#[derive(Debug, Clone, Copy)]
pub struct ReferenceData<'a> {
    /// `provinces.csv`.
    pub provinces: &'a str,
    /// `communes.csv`.
    pub communes: &'a str,
    /// `provinces-pre2025.csv`.
    pub provinces_pre2025: &'a str,
    /// `districts-pre2025.csv`.
    pub districts_pre2025: &'a str,
    /// `communes-pre2025.csv`.
    pub communes_pre2025: &'a str,
    /// `commune-merges-2025.csv`.
    pub commune_merges_2025: &'a str,
    /// `ministries.csv`.
    pub ministries: &'a str,
    /// `dvcqg-province-agency-codes.csv`.
    pub province_agency_codes: &'a str,
}

/// Code of the country unit, the parent of provinces and ministries.
pub const COUNTRY_CODE: &str = "VN";

/// The country unit (not in any file: it never changes).
pub fn country() -> AdminUnit {
    AdminUnit {
        code: UnitCode(COUNTRY_CODE.to_owned()),
        unit_type: UnitType::Country,
        name: "Việt Nam".to_owned(),
        full_name: "Cộng hòa xã hội chủ nghĩa Việt Nam".to_owned(),
        name_en: Some("Viet Nam".to_owned()),
        parent: None,
        valid_from: None,
        valid_to: None,
    }
}

/// Parses every file and builds the registry: country, ministries, the pre-2025 and the
/// current map, the province- and commune-level mergers of 01/07/2025, and the provincial
/// People's Committees with their identifier codes.
pub fn load(files: &ReferenceData<'_>) -> Result<UnitRegistry, LoadError> {
    let mut errors = Vec::new();
    let mut units = vec![country()];
    let mut mergers = Vec::new();
    let mut collect = |r: Result<Vec<AdminUnit>, DataErrors>, units: &mut Vec<AdminUnit>| match r {
        Ok(mut u) => units.append(&mut u),
        Err(DataErrors(mut e)) => errors.append(&mut e),
    };
    collect(parse_ministries(files.ministries), &mut units);
    collect(parse_provinces_pre2025(files.provinces_pre2025), &mut units);
    collect(parse_districts_pre2025(files.districts_pre2025), &mut units);
    collect(parse_communes_pre2025(files.communes_pre2025), &mut units);
    let provinces = match parse_provinces(files.provinces) {
        Ok((p, mut m)) => {
            mergers.append(&mut m);
            p
        }
        Err(DataErrors(mut e)) => {
            errors.append(&mut e);
            Vec::new()
        }
    };
    let agencies = match parse_province_agencies(files.province_agency_codes, &provinces) {
        Ok(a) => a,
        Err(DataErrors(mut e)) => {
            errors.append(&mut e);
            Vec::new()
        }
    };
    units.extend(provinces);
    match parse_communes(files.communes) {
        Ok(mut c) => units.append(&mut c),
        Err(DataErrors(mut e)) => errors.append(&mut e),
    }
    match parse_commune_merges(files.commune_merges_2025) {
        Ok(mut m) => mergers.append(&mut m),
        Err(DataErrors(mut e)) => errors.append(&mut e),
    }
    if !errors.is_empty() {
        return Err(LoadError::Data(DataErrors(errors)));
    }
    UnitRegistry::new(units, mergers, agencies).map_err(LoadError::Registry)
}

/// Reads a table whose header must be exactly `header`; returns the (line, record) pairs of
/// well-formed rows and the problems of the others. A wrong header stops reading.
fn read_table(
    file: &str,
    text: &str,
    header: &[&str],
) -> (Vec<(u64, csv::StringRecord)>, Vec<DataError>) {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut errors = Vec::new();
    let mut rows = Vec::new();
    let mut first = true;
    for result in reader.records() {
        let rec = match result {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map_or(0, csv::Position::line);
                errors.push(DataError {
                    file: file.to_owned(),
                    line,
                    field: "*".to_owned(),
                    problem: DataProblem::Malformed(e.to_string()),
                });
                continue;
            }
        };
        let line = rec.position().map_or(0, csv::Position::line);
        if first {
            first = false;
            if rec.iter().ne(header.iter().copied()) {
                errors.push(DataError {
                    file: file.to_owned(),
                    line,
                    field: "*".to_owned(),
                    problem: DataProblem::BadHeader {
                        expected: header.join(","),
                        found: rec.iter().collect::<Vec<_>>().join(","),
                    },
                });
                return (Vec::new(), errors);
            }
            continue;
        }
        if rec.len() != header.len() {
            errors.push(DataError {
                file: file.to_owned(),
                line,
                field: "*".to_owned(),
                problem: DataProblem::FieldCount {
                    expected: header.len(),
                    found: rec.len(),
                },
            });
            continue;
        }
        rows.push((line, rec));
    }
    if first {
        errors.push(DataError {
            file: file.to_owned(),
            line: 1,
            field: "*".to_owned(),
            problem: DataProblem::BadHeader {
                expected: header.join(","),
                found: String::new(),
            },
        });
    }
    (rows, errors)
}

/// Field access for one row, recording problems instead of stopping at the first.
struct Row<'a> {
    file: &'a str,
    line: u64,
    header: &'a [&'a str],
    rec: &'a csv::StringRecord,
    errors: &'a mut Vec<DataError>,
}

impl Row<'_> {
    fn fail(&mut self, i: usize, problem: DataProblem) {
        self.errors.push(DataError {
            file: self.file.to_owned(),
            line: self.line,
            field: self.header.get(i).copied().unwrap_or("*").to_owned(),
            problem,
        });
    }

    fn raw(&self, i: usize) -> &str {
        self.rec.get(i).unwrap_or_default()
    }

    fn text(&mut self, i: usize) -> Option<String> {
        let v = self.raw(i).to_owned();
        if v.trim().is_empty() {
            self.fail(i, DataProblem::Empty);
            return None;
        }
        Some(v)
    }

    fn optional(&self, i: usize) -> Option<String> {
        Some(self.raw(i).to_owned()).filter(|v| !v.trim().is_empty())
    }

    fn code(&mut self, i: usize) -> Option<UnitCode> {
        let v = self.text(i)?;
        match v.parse() {
            Ok(c) => Some(c),
            Err(_) => {
                self.fail(i, DataProblem::InvalidUnitCode(v));
                None
            }
        }
    }

    fn optional_code(&mut self, i: usize) -> Option<Option<UnitCode>> {
        if self.raw(i).is_empty() {
            return Some(None);
        }
        self.code(i).map(Some)
    }

    fn unit_type(&mut self, i: usize, allowed: &'static str) -> Option<UnitType> {
        let v = self.text(i)?;
        let t = UnitType::from_slug(&v).filter(|t| allowed.split(", ").any(|a| a == t.slug()));
        if t.is_none() {
            self.fail(i, DataProblem::UnknownValue { value: v, allowed });
        }
        t
    }

    /// Splits a full name ("Huyện Gia Lâm") into its type and short name.
    fn typed_name(&mut self, i: usize, types: &[UnitType]) -> Option<(UnitType, String, String)> {
        let full = self.text(i)?;
        for t in types {
            if let Some(rest) = full
                .strip_prefix(t.label_vi())
                .and_then(|r| r.strip_prefix(' '))
            {
                return Some((*t, rest.to_owned(), full.clone()));
            }
        }
        self.fail(i, DataProblem::UnknownNamePrefix(full));
        None
    }
}

/// Runs `f` on every row of a table, collecting values and problems.
fn parse_rows<T>(
    file: &str,
    text: &str,
    header: &[&str],
    mut f: impl FnMut(&mut Row<'_>) -> Option<T>,
) -> Result<Vec<T>, DataErrors> {
    let (rows, mut errors) = read_table(file, text, header);
    let mut out = Vec::with_capacity(rows.len());
    let mut seen: HashMap<String, u64> = HashMap::new();
    for (line, rec) in &rows {
        let key = rec.get(0).unwrap_or_default().to_owned();
        let mut row = Row {
            file,
            line: *line,
            header,
            rec,
            errors: &mut errors,
        };
        // Column 0 is the key of every file except the merges (checked separately).
        if header.first() == Some(&"code") && seen.insert(key.clone(), *line).is_some() {
            row.fail(0, DataProblem::Duplicate(key));
            continue;
        }
        if let Some(v) = f(&mut row) {
            out.push(v);
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        errors.sort_by_key(|e| e.line);
        Err(DataErrors(errors))
    }
}

fn country_code() -> UnitCode {
    UnitCode(COUNTRY_CODE.to_owned())
}

/// Parses `provinces.csv` (`code,name,name_en,type,formed_from`): the 34 provinces valid
/// from 01/07/2025, and one [`Merger`] each from the old provinces in `formed_from`
/// (`|`-separated old codes; whole provinces were merged, so every share is `Full`).
pub fn parse_provinces(text: &str) -> Result<(Vec<AdminUnit>, Vec<Merger>), DataErrors> {
    const HEADER: [&str; 5] = ["code", "name", "name_en", "type", "formed_from"];
    let pairs = parse_rows(files::PROVINCES, text, &HEADER, |row| {
        let code = row.code(0);
        let name = row.text(1);
        let name_en = row.optional(2);
        let unit_type = row.unit_type(3, "tinh, thanh_pho");
        let formed = row.text(4).unwrap_or_default();
        let mut predecessors = Vec::new();
        for part in formed.split('|') {
            match part.parse::<UnitCode>() {
                Ok(c) => predecessors.push((c, MergeShare::Full)),
                Err(_) => row.fail(4, DataProblem::InvalidUnitCode(part.to_owned())),
            }
        }
        let (code, name, unit_type) = (code?, name?, unit_type?);
        let unit = AdminUnit {
            full_name: format!("{} {name}", unit_type.label_vi()),
            code: code.clone(),
            unit_type,
            name,
            name_en,
            parent: Some(country_code()),
            valid_from: Some(REFORM_2025),
            valid_to: None,
        };
        let merger = Merger {
            successor: code,
            predecessors,
            effective: REFORM_2025,
            legal_basis: PROVINCE_MERGER_BASIS_2025.to_owned(),
        };
        Some((unit, merger))
    })?;
    Ok(pairs.into_iter().unzip())
}

/// Parses `communes.csv` (`code,name,name_en,type,province_code`): communes, wards and
/// special zones valid from 01/07/2025.
pub fn parse_communes(text: &str) -> Result<Vec<AdminUnit>, DataErrors> {
    const HEADER: [&str; 5] = ["code", "name", "name_en", "type", "province_code"];
    parse_rows(files::COMMUNES, text, &HEADER, |row| {
        let code = row.code(0);
        let name = row.text(1);
        let name_en = row.optional(2);
        let unit_type = row.unit_type(3, "xa, phuong, dac_khu");
        let parent = row.code(4);
        let (code, name, unit_type, parent) = (code?, name?, unit_type?, parent?);
        Some(AdminUnit {
            full_name: format!("{} {name}", unit_type.label_vi()),
            code,
            unit_type,
            name,
            name_en,
            parent: Some(parent),
            valid_from: Some(REFORM_2025),
            valid_to: None,
        })
    })
}

fn old_unit(code: UnitCode, typed: (UnitType, String, String), parent: UnitCode) -> AdminUnit {
    let (unit_type, name, full_name) = typed;
    AdminUnit {
        code,
        unit_type,
        name,
        full_name,
        name_en: None,
        parent: Some(parent),
        valid_from: None,
        valid_to: Some(LAST_DAY_BEFORE_REFORM_2025),
    }
}

/// Parses `provinces-pre2025.csv` (`code,full_name`): the 63 provinces, valid until
/// 30/06/2025.
pub fn parse_provinces_pre2025(text: &str) -> Result<Vec<AdminUnit>, DataErrors> {
    const HEADER: [&str; 2] = ["code", "full_name"];
    parse_rows(files::PROVINCES_PRE2025, text, &HEADER, |row| {
        let code = row.code(0);
        let typed = row.typed_name(1, &[UnitType::Province, UnitType::Municipality]);
        Some(old_unit(code?, typed?, country_code()))
    })
}

/// Parses `districts-pre2025.csv` (`code,full_name,province_code`): districts, valid until
/// 30/06/2025, when the district level was abolished.
pub fn parse_districts_pre2025(text: &str) -> Result<Vec<AdminUnit>, DataErrors> {
    const HEADER: [&str; 3] = ["code", "full_name", "province_code"];
    parse_rows(files::DISTRICTS_PRE2025, text, &HEADER, |row| {
        let code = row.code(0);
        let typed = row.typed_name(
            1,
            &[
                UnitType::RuralDistrict,
                UnitType::UrbanDistrict,
                UnitType::DistrictTown,
                UnitType::ProvincialCity,
            ],
        );
        let parent = row.code(2);
        Some(old_unit(code?, typed?, parent?))
    })
}

/// Parses `communes-pre2025.csv` (`code,full_name,type,district_code,province_code`):
/// communes valid until 30/06/2025. The parent is the district, or the province when the
/// district is unknown (12 communes known only from the merges file).
pub fn parse_communes_pre2025(text: &str) -> Result<Vec<AdminUnit>, DataErrors> {
    const HEADER: [&str; 5] = [
        "code",
        "full_name",
        "type",
        "district_code",
        "province_code",
    ];
    parse_rows(files::COMMUNES_PRE2025, text, &HEADER, |row| {
        let code = row.code(0);
        let full = row.text(1);
        let unit_type = row.unit_type(2, "xa, phuong, thi_tran");
        let district = row.optional_code(3);
        let province = row.code(4);
        let (code, full, unit_type, district, province) =
            (code?, full?, unit_type?, district?, province?);
        let name = full
            .strip_prefix(unit_type.label_vi())
            .and_then(|r| r.strip_prefix(' '))
            .unwrap_or(&full)
            .to_owned();
        Some(old_unit(
            code,
            (unit_type, name, full),
            district.unwrap_or(province),
        ))
    })
}

/// Parses `commune-merges-2025.csv` (`new_code,old_code,share`) into one [`Merger`] per new
/// commune, effective 01/07/2025. `old_code` is usually an old commune; the five island
/// districts that became special zones appear with their 3-digit district code.
pub fn parse_commune_merges(text: &str) -> Result<Vec<Merger>, DataErrors> {
    const HEADER: [&str; 3] = ["new_code", "old_code", "share"];
    let mut seen: HashMap<(String, String), u64> = HashMap::new();
    let rows = parse_rows(files::COMMUNE_MERGES_2025, text, &HEADER, |row| {
        let new = row.code(0);
        let old = row.code(1);
        let share = match row.text(2).as_deref() {
            Some("full") => Some(MergeShare::Full),
            Some("partial") => Some(MergeShare::Partial),
            Some(other) => {
                row.fail(
                    2,
                    DataProblem::UnknownValue {
                        value: other.to_owned(),
                        allowed: "full, partial",
                    },
                );
                None
            }
            None => None,
        };
        let (new, old, share) = (new?, old?, share?);
        let key = (new.0.clone(), old.0.clone());
        if seen.insert(key, row.line).is_some() {
            row.fail(1, DataProblem::Duplicate(format!("{new} ← {old}")));
            return None;
        }
        Some((new, old, share))
    })?;
    let mut order: Vec<UnitCode> = Vec::new();
    let mut groups: HashMap<UnitCode, Vec<(UnitCode, MergeShare)>> = HashMap::new();
    for (new, old, share) in rows {
        let entry = groups.entry(new.clone()).or_default();
        if entry.is_empty() {
            order.push(new);
        }
        entry.push((old, share));
    }
    Ok(order
        .into_iter()
        .map(|successor| Merger {
            predecessors: groups.remove(&successor).unwrap_or_default(),
            successor,
            effective: REFORM_2025,
            legal_basis: COMMUNE_MERGER_BASIS_2025.to_owned(),
        })
        .collect())
}

/// Parses `ministries.csv` (`code,name,name_en`): ministries and ministry-level agencies,
/// children of the country unit, with no known validity dates.
pub fn parse_ministries(text: &str) -> Result<Vec<AdminUnit>, DataErrors> {
    const HEADER: [&str; 3] = ["code", "name", "name_en"];
    parse_rows(files::MINISTRIES, text, &HEADER, |row| {
        let code = row.code(0);
        let name = row.text(1);
        let name_en = row.optional(2);
        let (code, name) = (code?, name?);
        Some(AdminUnit {
            code,
            unit_type: UnitType::Ministry,
            full_name: name.clone(),
            name,
            name_en,
            parent: Some(country_code()),
            valid_from: None,
            valid_to: None,
        })
    })
}

/// Parses `dvcqg-province-agency-codes.csv` (`dvcqg_code,province_code,portal_name`) into
/// the provincial People's Committees, identifier `000.00.00.{dvcqg_code}`.
///
/// The name is built from the province in `provinces` ("Ủy ban nhân dân tỉnh Bắc Ninh")
/// when it is there, else from the portal's label with "UBND" spelled out.
pub fn parse_province_agencies(
    text: &str,
    provinces: &[AdminUnit],
) -> Result<Vec<Agency>, DataErrors> {
    const HEADER: [&str; 3] = ["dvcqg_code", "province_code", "portal_name"];
    parse_rows(files::PROVINCE_AGENCY_CODES, text, &HEADER, |row| {
        let top = row.text(0);
        let unit = row.code(1);
        let portal = row.text(2);
        let code = match top.as_deref().map(AgencyCode::top_level_of) {
            Some(Ok(c)) => Some(c),
            Some(Err(e)) => {
                row.fail(0, DataProblem::InvalidAgencyCode(e.to_string()));
                None
            }
            None => None,
        };
        let (code, unit, portal) = (code?, unit?, portal?);
        let name = provinces
            .iter()
            .find(|p| p.code == unit)
            .map(AdminUnit::committee_name)
            .unwrap_or_else(|| portal.replacen("UBND", "Ủy ban nhân dân", 1));
        Some(Agency {
            code,
            name,
            kind: AgencyKind::ProvincialPeoplesCommittee,
            unit,
            valid_from: None,
            valid_to: None,
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_name_file_line_and_field() {
        let text = "code,name,name_en,type,province_code\n\
                    00004,Ba Đình,Ba Dinh,phuong,01\n\
                    0004,Ngọc Hà,Ngoc Ha,phuong,01\n\
                    00025,,Giang Vo,quan,01\n\
                    00026,X\n";
        let err = parse_communes(text).unwrap_err();
        let msgs: Vec<String> = err.0.iter().map(ToString::to_string).collect();
        assert_eq!(msgs.len(), 4, "{msgs:#?}");
        assert!(
            msgs[0].starts_with("Tệp communes.csv, dòng 3, cột code:"),
            "{}",
            msgs[0]
        );
        assert!(msgs[0].contains(" / File communes.csv, line 3, field code:"));
        assert!(
            msgs[1].contains("dòng 4, cột name: không được để trống"),
            "{}",
            msgs[1]
        );
        assert!(
            msgs[2].contains("line 4, field type: 'quan' is not one of"),
            "{}",
            msgs[2]
        );
        assert!(
            msgs[3].contains("line 5, field *: 2 fields, expected 5"),
            "{}",
            msgs[3]
        );
    }

    #[test]
    fn header_must_match() {
        let err = parse_ministries("ma,ten\nBTP,Bộ Tư pháp\n").unwrap_err();
        assert!(matches!(err.0[0].problem, DataProblem::BadHeader { .. }));
        assert!(parse_ministries("").is_err());
    }

    #[test]
    fn duplicates_are_reported() {
        let err =
            parse_commune_merges("new_code,old_code,share\n00004,00001,full\n00004,00001,full\n")
                .unwrap_err();
        assert_eq!(err.0[0].line, 3);
        let err = parse_ministries("code,name,name_en\nBTP,A,\nBTP,B,\n").unwrap_err();
        assert_eq!(err.0[0].field, "code");
    }

    #[test]
    fn district_names_split_into_type_and_name() {
        let units = parse_districts_pre2025(
            "code,full_name,province_code\n018,Huyện Gia Lâm,01\n009,Quận Thanh Xuân,01\n\
             040,Thị xã Sơn Tây,01\n116,Thành phố Lào Cai,10\n",
        )
        .unwrap();
        let got: Vec<_> = units
            .iter()
            .map(|u| (u.unit_type, u.name.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                (UnitType::RuralDistrict, "Gia Lâm"),
                (UnitType::UrbanDistrict, "Thanh Xuân"),
                (UnitType::DistrictTown, "Sơn Tây"),
                (UnitType::ProvincialCity, "Lào Cai"),
            ]
        );
    }
}
