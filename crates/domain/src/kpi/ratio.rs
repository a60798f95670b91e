//! A ratio that keeps what it divides, so every percentage on a dashboard can be explained.

use serde::{Deserialize, Serialize};

/// `numerator ÷ denominator` of two counts.
///
/// The counts are kept, not the quotient: the page can say "973 of 1,000 dossiers" under
/// 97.30 %, and a ratio of zero dossiers stays visibly undefined instead of becoming 0 % or
/// a division by zero. A numerator above the denominator is kept as given (bad source data,
/// or the substituted denominator of 766 indicator 1.4); [`Ratio::value`] then exceeds 1 and
/// the 766 scoring caps it at full points.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub struct Ratio {
    /// What is counted (e.g. dossiers resolved on time).
    pub numerator: u64,
    /// What it is counted among (e.g. dossiers received); 0 makes the ratio undefined.
    pub denominator: u64,
}

/// Percentages are formatted with at most this many decimals (exact integer arithmetic
/// stays within `u128`).
const MAX_DECIMALS: u32 = 9;

impl Ratio {
    /// `numerator ÷ denominator`.
    pub const fn new(numerator: u64, denominator: u64) -> Self {
        Ratio {
            numerator,
            denominator,
        }
    }

    /// Whether the denominator is 0, so there is no value.
    pub const fn is_undefined(self) -> bool {
        self.denominator == 0
    }

    /// The quotient, `None` when the denominator is 0.
    pub fn value(self) -> Option<f64> {
        // Precision loss only above 2⁵³ dossiers.
        (self.denominator > 0).then(|| self.numerator as f64 / self.denominator as f64)
    }

    /// The quotient × 100, `None` when the denominator is 0.
    pub fn percent(self) -> Option<f64> {
        self.value().map(|v| v * 100.0)
    }

    /// Whether the ratio reaches `basis_points` ÷ 10,000 (8,000 = 80 %), compared exactly;
    /// `false` when undefined.
    pub fn reaches(self, basis_points: u32) -> bool {
        self.denominator > 0
            && u128::from(self.numerator) * 10_000
                >= u128::from(basis_points) * u128::from(self.denominator)
    }

    /// The percentage in units of 10^-`decimals` %, rounded half up, computed on integers so
    /// that 99.995 % prints as 100.00 % and never as 99.99 %.
    fn scaled_percent(self, decimals: u32) -> Option<(u128, u32)> {
        if self.denominator == 0 {
            return None;
        }
        let decimals = decimals.min(MAX_DECIMALS);
        let scale = 100 * 10u128.pow(decimals);
        let (n, d) = (u128::from(self.numerator), u128::from(self.denominator));
        Some(((2 * n * scale + d) / (2 * d), decimals))
    }

    fn format_percent(self, decimals: u32, thousands: char, point: char) -> Option<String> {
        let (scaled, decimals) = self.scaled_percent(decimals)?;
        let unit = 10u128.pow(decimals);
        let mut text = group_digits(scaled / unit, thousands);
        if decimals > 0 {
            text.push(point);
            text.push_str(&format!(
                "{:0width$}",
                scaled % unit,
                width = decimals as usize
            ));
        }
        Some(text)
    }

    /// Vietnamese percentage, e.g. `97,30 %` (comma decimal, space before the sign, as
    /// Vietnamese reports print it); `None` when undefined. At most 9 decimals.
    pub fn percent_vi(self, decimals: u32) -> Option<String> {
        self.format_percent(decimals, '.', ',')
            .map(|t| format!("{t} %"))
    }

    /// English percentage, e.g. `97.30%`; `None` when undefined. At most 9 decimals.
    pub fn percent_en(self, decimals: u32) -> Option<String> {
        self.format_percent(decimals, ',', '.')
            .map(|t| format!("{t}%"))
    }

    /// The figure with its counts, e.g. `973/1.000 = 97,30 %`, or `0/0: không xác định`.
    pub fn explain_vi(self) -> String {
        let counts = format!(
            "{}/{}",
            group_digits(self.numerator.into(), '.'),
            group_digits(self.denominator.into(), '.')
        );
        match self.percent_vi(2) {
            Some(p) => format!("{counts} = {p}"),
            None => format!("{counts}: không xác định"),
        }
    }

    /// The figure with its counts, e.g. `973/1,000 = 97.30%`, or `0/0: undefined`.
    pub fn explain_en(self) -> String {
        let counts = format!(
            "{}/{}",
            group_digits(self.numerator.into(), ','),
            group_digits(self.denominator.into(), ',')
        );
        match self.percent_en(2) {
            Some(p) => format!("{counts} = {p}"),
            None => format!("{counts}: undefined"),
        }
    }
}

/// `1234567` → `1.234.567` with `sep = '.'`.
fn group_digits(n: u128, sep: char) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(sep);
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_both_languages_and_rounds_half_up_exactly() {
        let r = Ratio::new(973, 1_000);
        assert_eq!(r.percent_vi(2).unwrap(), "97,30 %");
        assert_eq!(r.percent_en(1).unwrap(), "97.3%");
        assert_eq!(r.explain_vi(), "973/1.000 = 97,30 %");
        assert_eq!(r.explain_en(), "973/1,000 = 97.30%");
        // 19,999/20,000 = 99.995 %: half up, which binary floats get wrong.
        assert_eq!(Ratio::new(19_999, 20_000).percent_en(2).unwrap(), "100.00%");
        assert_eq!(Ratio::new(1, 3).percent_en(0).unwrap(), "33%");
        assert_eq!(Ratio::new(2, 3).percent_vi(3).unwrap(), "66,667 %");
        assert_eq!(Ratio::new(150, 1).percent_en(0).unwrap(), "15,000%");
        let max = Ratio::new(u64::MAX, 1).percent_en(20).unwrap();
        assert!(max.ends_with(".000000000%"), "{max}");
    }

    #[test]
    fn zero_denominator_is_undefined_not_zero() {
        let r = Ratio::new(0, 0);
        assert!(r.is_undefined());
        assert_eq!(r.value(), None);
        assert_eq!(r.percent_vi(2), None);
        assert!(!r.reaches(0));
        assert_eq!(r.explain_vi(), "0/0: không xác định");
        assert_eq!(r.explain_en(), "0/0: undefined");
        assert_eq!(Ratio::new(1, 4).value(), Some(0.25));
    }

    #[test]
    fn reaches_compares_exactly() {
        assert!(Ratio::new(4, 5).reaches(8_000));
        assert!(!Ratio::new(7_999_999, 10_000_000).reaches(8_000));
        assert!(Ratio::new(0, 7).reaches(0));
    }
}
