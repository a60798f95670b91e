//! Figures that come from elsewhere (issue 5 §1): e-ID accounts issued and activated, public
//! investment disbursed, any figure a leader wants on the wall. They are imported per unit
//! and month from a CSV file or the API, shown beside the computed figures and always marked
//! as imported, with their source.
//!
//! The CSV file is UTF-8 (a byte-order mark is allowed, as Excel writes one) with this
//! header, in this order:
//!
//! ```text
//! don_vi,thang,ma,ten,gia_tri,don_vi_tinh,nguon
//! 24,2026-10,vneid.kich_hoat,Tài khoản định danh điện tử được kích hoạt,152340,tài khoản,Công an tỉnh
//! ```
//!
//! `don_vi` is a unit or agency code, `thang` a month `YYYY-MM`, `ma` the figure's key
//! (lower-case letters, digits, `.`, `_`, `-`), `ten` its name, `gia_tri` a number (a
//! decimal point or a Vietnamese decimal comma in quotes), `don_vi_tinh` its unit of
//! measure (may be empty), `nguon` where it comes from.
//!
//! The Decision 766 indicators motcua cannot count from its own records come in the same
//! way, as a numerator and a denominator per unit and month under the keys of
//! [`index_key`]: 1.1 and 1.2 (publication in the National TTHC Database, whose dates the
//! catalogue does not hold) and 1.4 (dossiers synced to the national portal). They then
//! score in the unit's index, marked as imported ([`index_ratios`]). The parts are taken as
//! given: 1.4's substitute denominator when both received counts are 0
//! ([`super::index766::dossier_sync_ratio`]) is the importer's to apply.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::Ratio;
use super::counts::Month;
use super::index766::Indicator;

/// The 766 indicators a unit may import, with the code their keys carry.
pub const IMPORTABLE_INDICATORS: [(Indicator, &str); 3] = [
    (Indicator::PublishedOnTime, "1_1"),
    (Indicator::UpdatedOnTime, "1_2"),
    (Indicator::DossiersSynced, "1_4"),
];

/// Which part of an imported 766 ratio a figure is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IndexPart {
    /// Tử số: what is counted.
    Numerator,
    /// Mẫu số: what it is counted among.
    Denominator,
}

impl IndexPart {
    fn suffix(self) -> &'static str {
        match self {
            IndexPart::Numerator => "tu_so",
            IndexPart::Denominator => "mau_so",
        }
    }
}

/// The key of an imported 766 figure: `chi_so_766.1_4.tu_so` (numerator) or
/// `chi_so_766.1_4.mau_so` (denominator); `None` for an indicator that is not importable.
pub fn index_key(indicator: Indicator, part: IndexPart) -> Option<String> {
    let (_, code) = IMPORTABLE_INDICATORS
        .iter()
        .find(|(i, _)| *i == indicator)?;
    Some(format!("{INDEX_PREFIX}{code}.{}", part.suffix()))
}

/// The prefix of the keys of imported 766 figures.
pub const INDEX_PREFIX: &str = "chi_so_766.";

/// The indicator and part a key names, if it is one of [`index_key`]'s.
pub fn index_part(key: &str) -> Option<(Indicator, IndexPart)> {
    IMPORTABLE_INDICATORS.iter().find_map(|(indicator, _)| {
        [IndexPart::Numerator, IndexPart::Denominator]
            .into_iter()
            .find(|part| index_key(*indicator, *part).as_deref() == Some(key))
            .map(|part| (*indicator, part))
    })
}

/// The imported 766 ratios of one unit from its figures of a period's months: each part
/// summed over the months (🔶 a procedure counted in two months of a quarter counts twice;
/// the sources define these ratios per period, so import the quarter's parts in one month
/// of it to avoid that). An indicator counts only with both parts.
pub fn index_ratios<'a>(
    figures: impl IntoIterator<Item = &'a ImportedFigure>,
) -> BTreeMap<Indicator, Ratio> {
    let mut parts: BTreeMap<Indicator, (Option<u64>, Option<u64>)> = BTreeMap::new();
    for figure in figures {
        let Some((indicator, part)) = index_part(&figure.key) else {
            continue;
        };
        // Validated as whole and not negative on import.
        let n = figure.value.max(0.0).round() as u64;
        let entry = parts.entry(indicator).or_default();
        let slot = match part {
            IndexPart::Numerator => &mut entry.0,
            IndexPart::Denominator => &mut entry.1,
        };
        *slot = Some(slot.unwrap_or(0) + n);
    }
    parts
        .into_iter()
        .filter_map(|(indicator, parts)| match parts {
            (Some(n), Some(d)) => Some((indicator, Ratio::new(n, d))),
            _ => None,
        })
        .collect()
}

/// The CSV header, column by column.
pub const CSV_HEADER: [&str; 7] = [
    "don_vi",
    "thang",
    "ma",
    "ten",
    "gia_tri",
    "don_vi_tinh",
    "nguon",
];

/// One imported figure of a unit's month.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ImportedFigure {
    /// Unit or agency code.
    pub unit: String,
    /// The month it is the figure of.
    pub month: Month,
    /// Its key, the same for every unit and month (e.g. `vneid.kich_hoat`).
    pub key: String,
    /// Its name.
    pub name: String,
    /// Its value.
    pub value: f64,
    /// Unit of measure (empty for a plain count).
    pub measure: String,
    /// Where the figure comes from.
    pub source: String,
}

impl ImportedFigure {
    /// Checks the fields a reader could get wrong; the error names the field in Vietnamese
    /// and English.
    ///
    /// # Errors
    /// The first field that is wrong.
    pub fn validate(&self) -> Result<(), String> {
        let bad = |column: &str, vi: &str, en: &str| Err(format!("{column}: {vi} / {en}"));
        if self.unit.trim().is_empty() || self.unit.len() > 40 {
            return bad("don_vi", "thiếu mã đơn vị", "the unit code is missing");
        }
        let key_ok = !self.key.is_empty()
            && self.key.len() <= 64
            && self.key.chars().all(|c| {
                c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-')
            });
        if !key_ok {
            return bad(
                "ma",
                "mã chỉ gồm chữ thường không dấu, chữ số, dấu . _ - (tối đa 64 ký tự)",
                "a key has lower-case letters, digits, . _ - only (at most 64)",
            );
        }
        if self.name.trim().is_empty() || self.name.chars().count() > 200 {
            return bad(
                "ten",
                "tên chỉ số không được trống (tối đa 200 ký tự)",
                "the name must not be empty (at most 200 characters)",
            );
        }
        if !self.value.is_finite() {
            return bad(
                "gia_tri",
                "giá trị phải là một số",
                "the value must be a number",
            );
        }
        if self.key.starts_with(INDEX_PREFIX) {
            if index_part(&self.key).is_none() {
                return bad(
                    "ma",
                    "chỉ số 766 nhập được là chi_so_766.1_1, chi_so_766.1_2, chi_so_766.1_4, kèm .tu_so hoặc .mau_so",
                    "the importable 766 indicators are chi_so_766.1_1, chi_so_766.1_2, chi_so_766.1_4, with .tu_so or .mau_so",
                );
            }
            if self.value < 0.0 || self.value.fract() != 0.0 || self.value > 1e15 {
                return bad(
                    "gia_tri",
                    "tử số và mẫu số của chỉ số 766 là số nguyên không âm",
                    "a 766 numerator or denominator is a whole number, not negative",
                );
            }
        }
        if self.source.trim().is_empty() || self.source.chars().count() > 200 {
            return bad(
                "nguon",
                "phải ghi nguồn số liệu (tối đa 200 ký tự)",
                "the source must be given (at most 200 characters)",
            );
        }
        if self.measure.chars().count() > 40 {
            return bad(
                "don_vi_tinh",
                "đơn vị tính tối đa 40 ký tự",
                "the unit of measure has at most 40 characters",
            );
        }
        Ok(())
    }
}

/// Reads a number written either way: `1234.5`, `1234,5`, `1.234,5` or `1,234.5`.
fn number(text: &str) -> Option<f64> {
    let t = text.trim().replace([' ', '\u{a0}'], "");
    if t.is_empty() {
        return None;
    }
    let (dots, commas) = (t.matches('.').count(), t.matches(',').count());
    let plain = match (dots, commas) {
        (_, 0) if dots <= 1 => t,
        (0, 1) => t.replace(',', "."),
        // Both: the last one is the decimal separator, the other groups thousands.
        _ if t.rfind(',') > t.rfind('.') => t.replace('.', "").replace(',', "."),
        _ => t.replace(',', ""),
    };
    plain.parse::<f64>().ok().filter(|v| v.is_finite())
}

/// Reads a CSV file of figures; every line is checked, and the error names the line and
/// the column, in Vietnamese and English.
///
/// # Errors
/// A wrong header, a malformed line or an invalid field.
pub fn parse_csv(text: &str) -> Result<Vec<ImportedFigure>, String> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(false)
        .from_reader(text.as_bytes());
    let header = reader.headers().map_err(|e| {
        format!("dòng 1: không đọc được tiêu đề / line 1: cannot read the header: {e}")
    })?;
    let got: Vec<&str> = header.iter().map(str::trim).collect();
    if got != CSV_HEADER {
        return Err(format!(
            "dòng 1: tiêu đề phải là «{0}», nhận «{1}» / line 1: the header must be «{0}», got «{1}»",
            CSV_HEADER.join(","),
            got.join(",")
        ));
    }
    let mut out = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let line = i + 2;
        let record = record.map_err(|e| {
            format!("dòng {line}: không đọc được / line {line}: cannot be read: {e}")
        })?;
        let field = |n: usize| record.get(n).unwrap_or("").trim().to_owned();
        let month: Month = field(1)
            .parse()
            .map_err(|e: String| format!("dòng {line}, thang: {e} / line {line}, thang"))?;
        let value = number(&field(4)).ok_or_else(|| {
            format!(
                "dòng {line}, gia_tri: «{0}» không phải là số / line {line}, gia_tri: «{0}» is not a number",
                field(4)
            )
        })?;
        let figure = ImportedFigure {
            unit: field(0),
            month,
            key: field(2),
            name: field(3),
            value,
            measure: field(5),
            source: field(6),
        };
        figure
            .validate()
            .map_err(|e| format!("dòng {line} / line {line}: {e}"))?;
        out.push(figure);
    }
    if out.is_empty() {
        return Err("tệp không có dòng số liệu nào / the file has no figures".into());
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str = "don_vi,thang,ma,ten,gia_tri,don_vi_tinh,nguon\n";

    #[test]
    fn a_file_with_a_byte_order_mark_and_decimal_commas_is_read() {
        let text = format!(
            "\u{feff}{HEADER}24,2026-10,vneid.kich_hoat,Tài khoản VNeID kích hoạt,152340,tài khoản,Công an tỉnh\n\
             24,2026-10,dtc.giai_ngan,Giải ngân đầu tư công,\"61,5\",%,Sở Tài chính\n\
             24,2026-09,dtc.von,Vốn đầu tư công,\"1.234.567,25\",triệu đồng,Sở Tài chính\n"
        );
        let figures = parse_csv(&text).unwrap();
        assert_eq!(figures.len(), 3);
        assert_eq!(figures[0].value, 152_340.0);
        assert_eq!(figures[0].month.to_string(), "2026-10");
        assert_eq!(figures[1].value, 61.5);
        assert_eq!(figures[1].measure, "%");
        assert_eq!(figures[2].value, 1_234_567.25);
    }

    #[test]
    fn numbers_are_read_either_way() {
        for (text, value) in [
            ("12", 12.0),
            ("12.5", 12.5),
            ("12,5", 12.5),
            ("1,234.5", 1234.5),
            ("1.234,5", 1234.5),
            ("-3", -3.0),
        ] {
            assert_eq!(number(text), Some(value), "{text}");
        }
        for text in ["", "abc", "1.2.3", "NaN", "inf"] {
            assert_eq!(number(text), None, "{text}");
        }
    }

    #[test]
    fn errors_name_the_line_and_the_column_in_both_languages() {
        let cases = [
            ("don_vi,thang\n24,2026-10\n", "the header must be"),
            (
                &*format!("{HEADER}24,10-2026,a,Tên,1,,Nguồn\n"),
                "line 2, thang",
            ),
            (
                &*format!("{HEADER}24,2026-10,a,Tên,nhiều,,Nguồn\n"),
                "line 2, gia_tri: «nhiều» is not a number",
            ),
            (
                &*format!("{HEADER}24,2026-10,a,Tên,1,,Nguồn\n24,2026-10,Mã Sai,Tên,1,,Nguồn\n"),
                "line 3: ma:",
            ),
            (
                &*format!("{HEADER}24,2026-10,a,Tên,1,,\n"),
                "the source must be given",
            ),
            (
                &*format!("{HEADER}24,2026-10,a,Tên,1\n"),
                "line 2: cannot be read",
            ),
            (HEADER, "the file has no figures"),
        ];
        for (text, wanted) in cases {
            let e = parse_csv(text).unwrap_err();
            assert!(e.contains(wanted), "{wanted} in {e}");
            assert!(
                e.contains("dòng") || e.contains("tệp"),
                "Vietnamese first: {e}"
            );
        }
    }

    #[test]
    fn imported_766_parts_make_a_ratio_only_together() {
        let text = "don_vi,thang,ma,ten,gia_tri,don_vi_tinh,nguon\n\
            24,2026-10,chi_so_766.1_4.tu_so,Hồ sơ đồng bộ,950,hồ sơ,Cổng DVCQG\n\
            24,2026-10,chi_so_766.1_4.mau_so,Hồ sơ tiếp nhận,1000,hồ sơ,Cổng DVCQG\n\
            24,2026-11,chi_so_766.1_4.tu_so,Hồ sơ đồng bộ,40,hồ sơ,Cổng DVCQG\n\
            24,2026-11,chi_so_766.1_4.mau_so,Hồ sơ tiếp nhận,50,hồ sơ,Cổng DVCQG\n\
            24,2026-11,chi_so_766.1_1.tu_so,TTHC công bố đúng hạn,3,TTHC,CSDLQG\n\
            24,2026-11,vneid.kich_hoat,Tài khoản kích hoạt,10,tài khoản,Công an tỉnh\n";
        let figures = parse_csv(text).unwrap();
        let ratios = index_ratios(&figures);
        // 1.4 summed over the two months; 1.1 has no denominator, so it is not measured.
        assert_eq!(
            ratios.into_iter().collect::<Vec<_>>(),
            [(Indicator::DossiersSynced, Ratio::new(990, 1050))]
        );
        assert_eq!(
            index_ratios(figures.iter().filter(|f| f.month.month() == 11)),
            [(Indicator::DossiersSynced, Ratio::new(40, 50))].into()
        );
        assert_eq!(
            index_part("chi_so_766.1_2.mau_so"),
            Some((Indicator::UpdatedOnTime, IndexPart::Denominator))
        );
        assert_eq!(
            index_key(Indicator::ProcessedOnTime, IndexPart::Numerator),
            None
        );
    }

    #[test]
    fn a_766_figure_must_be_importable_and_whole() {
        let line = |key: &str, value: &str| {
            format!(
                "don_vi,thang,ma,ten,gia_tri,don_vi_tinh,nguon\n24,2026-10,{key},Tên,{value},,Nguồn\n"
            )
        };
        // 2.1 is counted by motcua, never imported.
        let err = parse_csv(&line("chi_so_766.2_1.tu_so", "5")).unwrap_err();
        assert!(err.contains("ma") && err.contains("importable"), "{err}");
        for value in ["-1", "\"2,5\""] {
            let err = parse_csv(&line("chi_so_766.1_4.tu_so", value)).unwrap_err();
            assert!(
                err.contains("gia_tri") && err.contains("whole number"),
                "{err}"
            );
        }
        assert!(parse_csv(&line("chi_so_766.1_4.tu_so", "7")).is_ok());
    }
}
