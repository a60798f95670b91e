//! Vietnamese first, English one click away: the message catalogue and local formats.
//!
//! Embedded files `i18n/{vi,en}/{area}.txt` hold `key = text` lines, one file per area of the
//! application (so areas are edited independently); a test keeps the two languages' keys
//! identical and checks that every key a template uses exists. Vietnamese has no
//! grammatical plural, so a flat catalogue is all it needs (../shared/deps.md §1.3).

use std::collections::HashMap;
use std::sync::LazyLock;

use chrono::{DateTime, FixedOffset, NaiveDate, Utc};

/// A language of the interface.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Lang {
    /// Tiếng Việt (default).
    #[default]
    Vi,
    /// English.
    En,
}

impl Lang {
    /// The language code (`vi`, `en`), as in `<html lang>` and `?lang=`.
    pub fn code(self) -> &'static str {
        match self {
            Lang::Vi => "vi",
            Lang::En => "en",
        }
    }

    /// Parses a language code; anything else is `None`.
    pub fn parse(code: &str) -> Option<Lang> {
        match code.trim() {
            "vi" => Some(Lang::Vi),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    /// The other language, for the switch link.
    pub fn other(self) -> Lang {
        match self {
            Lang::Vi => Lang::En,
            Lang::En => Lang::Vi,
        }
    }
}

/// Parses catalogue files: `key = text`, `#` comments, blank lines; a key appears once.
pub(crate) fn parse_catalogue(
    files: &[(&str, &'static str)],
) -> Result<HashMap<&'static str, &'static str>, String> {
    let mut map = HashMap::new();
    for (name, text) in files {
        for (n, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let (key, value) = line
                .split_once(" = ")
                .ok_or_else(|| format!("{name} line {}: expected `key = text`", n + 1))?;
            if map.insert(key.trim(), value.trim()).is_some() {
                return Err(format!(
                    "{name} line {}: duplicate key {}",
                    n + 1,
                    key.trim()
                ));
            }
        }
    }
    Ok(map)
}

/// Declares the catalogue files of one language, one per area.
macro_rules! catalogue {
    ($lang:literal: $($area:literal),*) => {
        &[$(($area, include_str!(concat!("../i18n/", $lang, "/", $area, ".txt")))),*]
    };
}

/// The Vietnamese catalogue files.
pub(crate) const VI: &[(&str, &str)] =
    catalogue!("vi": "common", "account", "portal", "office", "api", "documents", "steering");
/// The English catalogue files.
pub(crate) const EN: &[(&str, &str)] =
    catalogue!("en": "common", "account", "portal", "office", "api", "documents", "steering");

static CATALOGUES: LazyLock<[HashMap<&'static str, &'static str>; 2]> = LazyLock::new(|| {
    // The files are checked by tests; a broken file must not take the server down.
    [
        parse_catalogue(VI).unwrap_or_default(),
        parse_catalogue(EN).unwrap_or_default(),
    ]
});

/// Offset of Vietnamese local time.
const VIETNAM: FixedOffset = match FixedOffset::east_opt(7 * 3600) {
    Some(offset) => offset,
    None => unreachable!(),
};

/// The translator handed to every template: texts and local number and date formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Tr {
    /// The language in use.
    pub lang: Lang,
}

impl Tr {
    /// A translator for `lang`.
    pub fn new(lang: Lang) -> Tr {
        Tr { lang }
    }

    /// The text of `key` (the key itself if it is missing, which tests forbid).
    pub fn t<'a>(&self, key: &'a str) -> &'a str {
        let index = match self.lang {
            Lang::Vi => 0,
            Lang::En => 1,
        };
        CATALOGUES[index].get(key).copied().unwrap_or(key)
    }

    /// A date as `dd/mm/yyyy` (the Vietnamese administrative form, used in both languages).
    pub fn date(&self, date: NaiveDate) -> String {
        date.format("%d/%m/%Y").to_string()
    }

    /// An instant in Vietnamese local time, `dd/mm/yyyy HH:MM`.
    pub fn datetime(&self, t: &DateTime<Utc>) -> String {
        t.with_timezone(&VIETNAM)
            .format("%d/%m/%Y %H:%M")
            .to_string()
    }

    /// An optional instant, or a dash.
    pub fn opt_datetime(&self, t: &Option<DateTime<Utc>>) -> String {
        t.as_ref()
            .map_or_else(|| "—".to_owned(), |t| self.datetime(t))
    }

    /// A whole number with thousands separators: `1.234.567` in Vietnamese, `1,234,567` in
    /// English.
    pub fn num(&self, n: u64) -> String {
        let digits = n.to_string();
        let sep = match self.lang {
            Lang::Vi => '.',
            Lang::En => ',',
        };
        let mut out = String::with_capacity(digits.len() + digits.len() / 3);
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i).is_multiple_of(3) {
                out.push(sep);
            }
            out.push(c);
        }
        out
    }

    /// Any number, grouped like [`Tr::num`], with up to three decimals and the language's
    /// decimal mark: `-1.234,5` in Vietnamese, `-1,234.5` in English.
    pub fn decimal(&self, x: f64) -> String {
        let text = format!("{:.3}", x.abs());
        let (whole, fraction) = text.split_once('.').unwrap_or((&text, ""));
        let fraction = fraction.trim_end_matches('0');
        let mut out = if x < 0.0 && text.bytes().any(|b| b.is_ascii_digit() && b != b'0') {
            "-".to_owned()
        } else {
            String::new()
        };
        out.push_str(&self.num(whole.parse().unwrap_or(0)));
        if !fraction.is_empty() {
            out.push(match self.lang {
                Lang::Vi => ',',
                Lang::En => '.',
            });
            out.push_str(fraction);
        }
        out
    }

    /// A ratio as a percentage with two decimals: `99,62 %` in Vietnamese, `99.62%` in English.
    pub fn pct(&self, ratio: Option<f64>) -> String {
        let Some(r) = ratio else {
            return "—".to_owned();
        };
        let text = format!("{:.2}", r * 100.0);
        match self.lang {
            Lang::Vi => format!("{} %", text.replace('.', ",")),
            Lang::En => format!("{text}%"),
        }
    }

    /// An amount of money in đồng: `150.000 ₫`.
    pub fn vnd(&self, amount: u64) -> String {
        format!("{} ₫", self.num(amount))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals_use_the_languages_marks() {
        let (vi, en) = (Tr::new(Lang::Vi), Tr::new(Lang::En));
        assert_eq!(vi.decimal(1_234_567.25), "1.234.567,25");
        assert_eq!(en.decimal(1_234_567.25), "1,234,567.25");
        assert_eq!(vi.decimal(152_340.0), "152.340");
        assert_eq!(vi.decimal(-61.5), "-61,5");
        assert_eq!(vi.decimal(-0.0001), "0");
    }

    #[test]
    fn both_catalogues_parse_and_have_the_same_keys() {
        let vi = parse_catalogue(VI).unwrap();
        let en = parse_catalogue(EN).unwrap();
        let mut only_vi: Vec<_> = vi.keys().filter(|k| !en.contains_key(*k)).collect();
        let mut only_en: Vec<_> = en.keys().filter(|k| !vi.contains_key(*k)).collect();
        only_vi.sort();
        only_en.sort();
        assert!(only_vi.is_empty(), "missing in en.txt: {only_vi:?}");
        assert!(only_en.is_empty(), "missing in vi.txt: {only_en:?}");
        assert!(vi.values().chain(en.values()).all(|v| !v.is_empty()));
    }

    #[test]
    fn every_key_the_templates_use_exists() {
        let vi = parse_catalogue(VI).unwrap();
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("templates");
        let mut missing = Vec::new();
        let mut stack = vec![dir];
        while let Some(dir) = stack.pop() {
            for entry in std::fs::read_dir(dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    stack.push(path);
                    continue;
                }
                let text = std::fs::read_to_string(&path).unwrap();
                for piece in text.split("t.t(\"").skip(1) {
                    let key = piece.split('"').next().unwrap();
                    if !vi.contains_key(key) {
                        missing.push(format!("{}: {key}", path.display()));
                    }
                }
            }
        }
        assert!(
            missing.is_empty(),
            "keys missing from the catalogue: {missing:?}"
        );
    }

    #[test]
    fn numbers_and_percentages_follow_each_language() {
        let vi = Tr::new(Lang::Vi);
        let en = Tr::new(Lang::En);
        assert_eq!(vi.num(1_234_567), "1.234.567");
        assert_eq!(en.num(1_234_567), "1,234,567");
        assert_eq!(vi.num(999), "999");
        assert_eq!(vi.pct(Some(0.996_251)), "99,63 %");
        assert_eq!(en.pct(Some(0.996_251)), "99.63%");
        assert_eq!(vi.pct(None), "—");
        assert_eq!(
            vi.date(NaiveDate::from_ymd_opt(2026, 2, 17).unwrap()),
            "17/02/2026"
        );
    }
}
