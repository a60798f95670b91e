//! The official holiday schedule of one year, as a small CSV file.
//!
//! Each year the Prime Minister or the Ministry of Home Affairs announces the public-sector
//! days off (Labour Code 2019 art. 112(3)): which Tết days, which day next to 2 September,
//! and any swap of a working day for a Saturday. No rule yields those choices, so a year with
//! a schedule file uses that file alone; other years fall back to [`super::HolidayRules`].
//!
//! Format (UTF-8, an optional byte-order mark, `\n` or `\r\n` line ends):
//!
//! ```text
//! # Lines starting with '#' are comments; "# source: …" lines cite the notice.
//! # source: Notice 6150/TB-BLĐTBXH
//! date,kind,name_vi,name_en
//! 2025-04-26,make_up_working_day,Làm việc bù cho ngày nghỉ 02/05/2025,Make-up working day for the day off 2025-05-02
//! 2025-05-02,swapped_day_off,Nghỉ hoán đổi (làm bù thứ Bảy 26/04/2025),Day off swapped for the make-up Saturday 2025-04-26
//! ```
//!
//! `kind` is one of `statutory`, `compensatory`, `swapped_day_off`, `extra_day_off`,
//! `make_up_working_day` ([`DayKind`]). A field containing a comma is written in double
//! quotes, with `""` for a quote inside it. All dates must be in one year; a make-up working
//! day must be a Saturday or Sunday and the other days off (except `statutory`) a weekday,
//! the public-sector weekly rest being Saturday and Sunday.

use std::fmt;

use chrono::{Datelike, NaiveDate, Weekday};

use super::lunar::{MAX_LUNAR_YEAR, MIN_LUNAR_YEAR};
use super::{DayKind, DayOff};

/// The header line every schedule file starts with (after comments).
pub const HEADER: &str = "date,kind,name_vi,name_en";

/// The bundled official schedules, 2019–2026 (see `data/calendar/README.md`).
const BUNDLED: [&str; 8] = [
    include_str!("../../../../data/calendar/vn-2019.csv"),
    include_str!("../../../../data/calendar/vn-2020.csv"),
    include_str!("../../../../data/calendar/vn-2021.csv"),
    include_str!("../../../../data/calendar/vn-2022.csv"),
    include_str!("../../../../data/calendar/vn-2023.csv"),
    include_str!("../../../../data/calendar/vn-2024.csv"),
    include_str!("../../../../data/calendar/vn-2025.csv"),
    include_str!("../../../../data/calendar/vn-2026.csv"),
];

/// The official days off and make-up working days of one year.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YearSchedule {
    year: i32,
    sources: Vec<String>,
    days: Vec<DayOff>,
}

impl YearSchedule {
    /// The solar year the schedule covers.
    pub fn year(&self) -> i32 {
        self.year
    }

    /// The references given in `# source:` lines (notice numbers, laws), in file order.
    pub fn sources(&self) -> &[String] {
        &self.sources
    }

    /// The special days, sorted by date.
    pub fn days(&self) -> &[DayOff] {
        &self.days
    }
}

/// The schedules shipped with motcua, 2019–2026, parsed from `data/calendar/vn-YYYY.csv`.
///
/// The files are compiled in; a unit test parses every one, so none is ever dropped here.
pub fn bundled_schedules() -> Vec<YearSchedule> {
    BUNDLED
        .iter()
        .filter_map(|text| parse_schedule(text).ok())
        .collect()
}

/// Parses and validates one year's schedule file (format in the module documentation).
///
/// # Errors
/// The first problem found, with its 1-based line number and, where it applies, the column.
pub fn parse_schedule(text: &str) -> Result<YearSchedule, ScheduleError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut sources = Vec::new();
    let mut header_seen = false;
    let mut year = None;
    let mut days: Vec<(usize, DayOff)> = Vec::new();
    let mut last_line = 0;

    for (index, raw) in text.lines().enumerate() {
        let line = index + 1;
        last_line = line;
        let content = raw.trim();
        if content.is_empty() {
            continue;
        }
        if let Some(comment) = content.strip_prefix('#') {
            if let Some(source) = comment.trim_start().strip_prefix("source:") {
                sources.push(source.trim().to_owned());
            }
            continue;
        }
        let err = |field, problem| ScheduleError {
            line,
            field,
            problem,
        };
        if !header_seen {
            if content != HEADER {
                return Err(err(
                    None,
                    ScheduleProblem::BadHeader {
                        found: content.to_owned(),
                    },
                ));
            }
            header_seen = true;
            continue;
        }

        let fields = split_fields(content).ok_or_else(|| err(None, ScheduleProblem::BadQuotes))?;
        let [date, kind, name_vi, name_en] = <[String; 4]>::try_from(fields).map_err(|fields| {
            err(
                None,
                ScheduleProblem::FieldCount {
                    found: fields.len(),
                },
            )
        })?;

        let field = Some(ScheduleField::Date);
        let date = NaiveDate::parse_from_str(&date, "%Y-%m-%d")
            .ok()
            .filter(|_| is_iso_date_shape(&date))
            .ok_or_else(|| {
                err(
                    field,
                    ScheduleProblem::BadDate {
                        value: date.clone(),
                    },
                )
            })?;
        if !(MIN_LUNAR_YEAR..=MAX_LUNAR_YEAR).contains(&date.year()) {
            return Err(err(
                field,
                ScheduleProblem::YearOutOfRange { year: date.year() },
            ));
        }
        match year {
            None => year = Some(date.year()),
            Some(expected) if expected != date.year() => {
                return Err(err(
                    field,
                    ScheduleProblem::OtherYear {
                        year: date.year(),
                        expected,
                    },
                ));
            }
            Some(_) => {}
        }
        if let Some((first_line, _)) = days.iter().find(|(_, d)| d.date == date) {
            return Err(err(
                field,
                ScheduleProblem::DuplicateDate {
                    first_line: *first_line,
                },
            ));
        }

        let kind = DayKind::ALL
            .into_iter()
            .find(|k| k.as_str() == kind)
            .ok_or_else(|| {
                err(
                    Some(ScheduleField::Kind),
                    ScheduleProblem::BadKind {
                        value: kind.clone(),
                    },
                )
            })?;
        let weekend = matches!(date.weekday(), Weekday::Sat | Weekday::Sun);
        match kind {
            DayKind::MakeUpWorkingDay if !weekend => {
                return Err(err(
                    Some(ScheduleField::Kind),
                    ScheduleProblem::MakeUpOnWeekday {
                        weekday: date.weekday(),
                    },
                ));
            }
            DayKind::Compensatory | DayKind::SwappedDayOff | DayKind::ExtraDayOff if weekend => {
                return Err(err(
                    Some(ScheduleField::Kind),
                    ScheduleProblem::DayOffOnWeekend {
                        kind,
                        weekday: date.weekday(),
                    },
                ));
            }
            _ => {}
        }

        if name_vi.is_empty() {
            return Err(err(Some(ScheduleField::NameVi), ScheduleProblem::EmptyName));
        }
        if name_en.is_empty() {
            return Err(err(Some(ScheduleField::NameEn), ScheduleProblem::EmptyName));
        }
        days.push((
            line,
            DayOff {
                date,
                kind,
                name_vi,
                name_en,
            },
        ));
    }

    let line = last_line.max(1);
    if !header_seen {
        return Err(ScheduleError {
            line,
            field: None,
            problem: ScheduleProblem::MissingHeader,
        });
    }
    let Some(year) = year else {
        return Err(ScheduleError {
            line,
            field: None,
            problem: ScheduleProblem::NoDays,
        });
    };
    let mut days: Vec<DayOff> = days.into_iter().map(|(_, d)| d).collect();
    days.sort_by_key(|d| d.date);
    Ok(YearSchedule {
        year,
        sources,
        days,
    })
}

/// `YYYY-MM-DD` exactly (chrono alone would also accept `2026-2-3`).
fn is_iso_date_shape(text: &str) -> bool {
    let b = text.as_bytes();
    b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit())
}

/// Splits one CSV record; `None` if a quoted field is not closed or text follows its quote. Unquoted fields are trimmed.
fn split_fields(line: &str) -> Option<Vec<String>> {
    let mut fields = Vec::new();
    let mut chars = line.chars().peekable();
    loop {
        let mut field = String::new();
        while chars.peek().is_some_and(|c| *c == ' ' || *c == '\t') {
            chars.next();
        }
        if chars.peek() == Some(&'"') {
            chars.next();
            loop {
                match chars.next()? {
                    '"' if chars.peek() == Some(&'"') => {
                        chars.next();
                        field.push('"');
                    }
                    '"' => break,
                    c => field.push(c),
                }
            }
            // Only blanks may follow the closing quote.
            while let Some(c) = chars.peek().copied().filter(|c| *c != ',') {
                if !c.is_whitespace() {
                    return None;
                }
                chars.next();
            }
        } else {
            while let Some(c) = chars.peek().copied().filter(|c| *c != ',') {
                chars.next();
                field.push(c);
            }
            field = field.trim().to_owned();
        }
        fields.push(field);
        if chars.next().is_none() {
            return Some(fields);
        }
    }
}

/// A column of the schedule file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ScheduleField {
    /// `date`.
    Date,
    /// `kind`.
    Kind,
    /// `name_vi`.
    NameVi,
    /// `name_en`.
    NameEn,
}

impl fmt::Display for ScheduleField {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ScheduleField::Date => "date",
            ScheduleField::Kind => "kind",
            ScheduleField::NameVi => "name_vi",
            ScheduleField::NameEn => "name_en",
        })
    }
}

/// What is wrong with a schedule file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScheduleProblem {
    /// The first non-comment line is not [`HEADER`].
    BadHeader {
        /// The line found instead.
        found: String,
    },
    /// The file has only comments and blank lines.
    MissingHeader,
    /// The file has a header but no day.
    NoDays,
    /// A record without exactly four fields.
    FieldCount {
        /// Number of fields found.
        found: usize,
    },
    /// A double-quoted field not closed on its line, or with text after its closing quote.
    BadQuotes,
    /// Not a valid `YYYY-MM-DD` date.
    BadDate {
        /// The text found.
        value: String,
    },
    /// A year outside 1900–2199.
    YearOutOfRange {
        /// The year found.
        year: i32,
    },
    /// A date in another year than the file's first date.
    OtherYear {
        /// The year found.
        year: i32,
        /// The file's year.
        expected: i32,
    },
    /// A date listed twice.
    DuplicateDate {
        /// Line of the first occurrence.
        first_line: usize,
    },
    /// Not one of the known kinds.
    BadKind {
        /// The text found.
        value: String,
    },
    /// A make-up working day on a weekday, where it would change nothing.
    MakeUpOnWeekday {
        /// Its weekday.
        weekday: Weekday,
    },
    /// A compensatory, swapped or extra day off on a Saturday or Sunday, already a rest day.
    DayOffOnWeekend {
        /// Its kind.
        kind: DayKind,
        /// Its weekday.
        weekday: Weekday,
    },
    /// An empty name.
    EmptyName,
}

impl ScheduleProblem {
    fn vietnamese(&self) -> String {
        match self {
            ScheduleProblem::BadHeader { found } => {
                format!("cần dòng tiêu đề «{HEADER}», gặp «{found}»")
            }
            ScheduleProblem::MissingHeader => format!("thiếu dòng tiêu đề «{HEADER}»"),
            ScheduleProblem::NoDays => "tệp không có ngày nào".to_owned(),
            ScheduleProblem::FieldCount { found } => format!("cần 4 cột, có {found}"),
            ScheduleProblem::BadQuotes => "dấu ngoặc kép chưa đóng hoặc đặt sai chỗ".to_owned(),
            ScheduleProblem::BadDate { value } => {
                format!("«{value}» không phải ngày hợp lệ dạng YYYY-MM-DD")
            }
            ScheduleProblem::YearOutOfRange { year } => {
                format!("năm {year} nằm ngoài phạm vi 1900–2199")
            }
            ScheduleProblem::OtherYear { year, expected } => {
                format!("năm {year} khác năm {expected} của tệp (mỗi tệp chỉ một năm)")
            }
            ScheduleProblem::DuplicateDate { first_line } => {
                format!("ngày này đã có ở dòng {first_line}")
            }
            ScheduleProblem::BadKind { value } => format!(
                "loại ngày «{value}» không hợp lệ (cần một trong: {})",
                kinds()
            ),
            ScheduleProblem::MakeUpOnWeekday { weekday } => {
                format!(
                    "ngày làm việc bù phải là thứ Bảy hoặc Chủ nhật, không phải {}",
                    weekday_vi(*weekday)
                )
            }
            ScheduleProblem::DayOffOnWeekend { kind, weekday } => {
                format!(
                    "ngày nghỉ loại {} rơi vào {}, vốn đã là ngày nghỉ hằng tuần",
                    kind.as_str(),
                    weekday_vi(*weekday)
                )
            }
            ScheduleProblem::EmptyName => "tên ngày không được để trống".to_owned(),
        }
    }

    fn english(&self) -> String {
        match self {
            ScheduleProblem::BadHeader { found } => {
                format!("expected the header “{HEADER}”, found “{found}”")
            }
            ScheduleProblem::MissingHeader => format!("the header “{HEADER}” is missing"),
            ScheduleProblem::NoDays => "the file lists no day".to_owned(),
            ScheduleProblem::FieldCount { found } => format!("expected 4 fields, found {found}"),
            ScheduleProblem::BadQuotes => "a double quote is not closed or is misplaced".to_owned(),
            ScheduleProblem::BadDate { value } => {
                format!("“{value}” is not a valid YYYY-MM-DD date")
            }
            ScheduleProblem::YearOutOfRange { year } => format!("year {year} is outside 1900–2199"),
            ScheduleProblem::OtherYear { year, expected } => {
                format!("year {year} differs from the file's year {expected} (one year per file)")
            }
            ScheduleProblem::DuplicateDate { first_line } => {
                format!("this date is already listed on line {first_line}")
            }
            ScheduleProblem::BadKind { value } => {
                format!("unknown kind “{value}” (expected one of: {})", kinds())
            }
            ScheduleProblem::MakeUpOnWeekday { weekday } => {
                format!("a make-up working day must be a Saturday or Sunday, not a {weekday}")
            }
            ScheduleProblem::DayOffOnWeekend { kind, weekday } => {
                format!(
                    "a {} day falls on a {weekday}, already a weekly rest day",
                    kind.as_str()
                )
            }
            ScheduleProblem::EmptyName => "the name must not be empty".to_owned(),
        }
    }
}

fn kinds() -> String {
    DayKind::ALL.map(DayKind::as_str).join(", ")
}

fn weekday_vi(weekday: Weekday) -> &'static str {
    match weekday {
        Weekday::Mon => "thứ Hai",
        Weekday::Tue => "thứ Ba",
        Weekday::Wed => "thứ Tư",
        Weekday::Thu => "thứ Năm",
        Weekday::Fri => "thứ Sáu",
        Weekday::Sat => "thứ Bảy",
        Weekday::Sun => "Chủ nhật",
    }
}

/// A schedule file was refused: where (line and column) and why, in Vietnamese then English,
/// e.g. `dòng 3, cột date: … / line 3, field date: …`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScheduleError {
    /// 1-based line number.
    pub line: usize,
    /// The column at fault, if the problem is in one field.
    pub field: Option<ScheduleField>,
    /// What is wrong.
    pub problem: ScheduleProblem,
}

impl fmt::Display for ScheduleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (vi, en) = (self.problem.vietnamese(), self.problem.english());
        match self.field {
            Some(field) => write!(
                f,
                "dòng {0}, cột {field}: {vi} / line {0}, field {field}: {en}",
                self.line
            ),
            None => write!(f, "dòng {0}: {vi} / line {0}: {en}", self.line),
        }
    }
}

impl std::error::Error for ScheduleError {}

#[cfg(test)]
mod tests {
    use super::*;

    /// Input, expected line and field, and a check of the problem.
    type Case = (
        String,
        usize,
        Option<ScheduleField>,
        fn(&ScheduleProblem) -> bool,
    );

    fn error(text: &str) -> ScheduleError {
        parse_schedule(text).unwrap_err()
    }

    #[test]
    fn every_bundled_file_parses_and_covers_its_year() {
        assert_eq!(bundled_schedules().len(), BUNDLED.len());
        let years: Vec<i32> = bundled_schedules().iter().map(YearSchedule::year).collect();
        assert_eq!(years, (2019..=2026).collect::<Vec<_>>());
        assert!(bundled_schedules().iter().all(|s| !s.sources().is_empty()));
    }

    #[test]
    fn parses_comments_sources_quotes_bom_and_crlf() {
        let text = "\u{feff}# a comment\r\n# source: Notice 1/TB\r\n\r\ndate,kind,name_vi,name_en\r\n\
                    2027-02-05,extra_day_off,\"Nghỉ thêm, theo quyết định\",\"Extra \"\"day\"\" off\"\r\n";
        let schedule = parse_schedule(text).unwrap();
        assert_eq!(schedule.year(), 2027);
        assert_eq!(schedule.sources(), ["Notice 1/TB"]);
        assert_eq!(schedule.days()[0].name_vi, "Nghỉ thêm, theo quyết định");
        assert_eq!(schedule.days()[0].name_en, "Extra \"day\" off");
    }

    #[test]
    fn errors_name_line_and_field_in_both_languages() {
        let err = error(
            "date,kind,name_vi,name_en\n2026-01-01,statutory,A,B\n2026-02-30,statutory,A,B\n",
        );
        assert_eq!(
            err.to_string(),
            "dòng 3, cột date: «2026-02-30» không phải ngày hợp lệ dạng YYYY-MM-DD / \
             line 3, field date: “2026-02-30” is not a valid YYYY-MM-DD date"
        );
    }

    #[test]
    fn each_problem_is_detected() {
        let h = "date,kind,name_vi,name_en\n";
        let cases: [Case; 11] = [
            ("date,kind\n".to_owned(), 1, None, |p| {
                matches!(p, ScheduleProblem::BadHeader { .. })
            }),
            ("# only a comment\n".to_owned(), 1, None, |p| {
                matches!(p, ScheduleProblem::MissingHeader)
            }),
            (h.to_owned(), 1, None, |p| {
                matches!(p, ScheduleProblem::NoDays)
            }),
            (format!("{h}2026-01-01,statutory,A\n"), 2, None, |p| {
                matches!(p, ScheduleProblem::FieldCount { found: 3 })
            }),
            (format!("{h}2026-01-01,statutory,\"A,B\n"), 2, None, |p| {
                matches!(p, ScheduleProblem::BadQuotes)
            }),
            (
                format!("{h}2026-1-1,statutory,A,B\n"),
                2,
                Some(ScheduleField::Date),
                |p| matches!(p, ScheduleProblem::BadDate { .. }),
            ),
            (
                format!("{h}2026-01-01,statutory,A,B\n2027-01-01,statutory,A,B\n"),
                3,
                Some(ScheduleField::Date),
                |p| {
                    matches!(
                        p,
                        ScheduleProblem::OtherYear {
                            year: 2027,
                            expected: 2026
                        }
                    )
                },
            ),
            (
                format!("{h}2026-01-01,statutory,A,B\n2026-01-01,statutory,A,B\n"),
                3,
                Some(ScheduleField::Date),
                |p| matches!(p, ScheduleProblem::DuplicateDate { first_line: 2 }),
            ),
            (
                format!("{h}2026-01-01,holiday,A,B\n"),
                2,
                Some(ScheduleField::Kind),
                |p| matches!(p, ScheduleProblem::BadKind { .. }),
            ),
            (
                format!("{h}2026-08-21,make_up_working_day,A,B\n"),
                2,
                Some(ScheduleField::Kind),
                |p| {
                    matches!(
                        p,
                        ScheduleProblem::MakeUpOnWeekday {
                            weekday: Weekday::Fri
                        }
                    )
                },
            ),
            (
                format!("{h}2026-08-22,swapped_day_off,A,B\n"),
                2,
                Some(ScheduleField::Kind),
                |p| matches!(p, ScheduleProblem::DayOffOnWeekend { .. }),
            ),
        ];
        for (text, line, field, is_expected) in cases {
            let err = error(&text);
            assert_eq!((err.line, err.field), (line, field), "{text:?}: {err}");
            assert!(is_expected(&err.problem), "{text:?}: {err}");
        }
        let err = error(&format!("{h}2026-01-01,statutory,A,\n"));
        assert_eq!(
            (err.field, err.problem),
            (Some(ScheduleField::NameEn), ScheduleProblem::EmptyName)
        );
        let err = error(&format!("{h}2200-01-01,statutory,A,B\n"));
        assert_eq!(err.problem, ScheduleProblem::YearOutOfRange { year: 2200 });
    }
}
