//! CSV and JSON import/export of procedures.
//!
//! Import is all-or-nothing: [`import_csv`] and [`import_json`] read the whole input and
//! return either every procedure or every problem, each naming the CSV line (or JSON array
//! index) and the field. [`CsvRecords`] and [`JsonRecords`] expose the same parsing one
//! record at a time, with progress, for command-line progress bars.
//!
//! The layout is documented in `data/catalogue/README.md`; in short (columns in order,
//! see [`COLUMNS`]):
//!
//! - one row per procedure version, header row required, columns in any order; only
//!   `code` and `name` are required, a missing column reads as empty;
//! - lists of simple values (`levels`, `applicants`, `implementing_agencies`, `channels`,
//!   `result_codes`) are joined with `|`; a literal `|` or `\` inside an item is written
//!   `\|` or `\\`;
//! - structured lists (`components`, `legal_basis`, and `fees` when charged) are a JSON
//!   array in one cell; `fees` is empty (unknown), `free`, or that array;
//! - dates are `YYYY-MM-DD`; booleans `true`/`false`; enumerations use the snake_case tokens
//!   of [`super::Level`] etc. (Vietnamese labels such as "Cấp tỉnh" are accepted on input).
//!
//! Export writes the columns in [`COLUMNS`] order with LF line ends and quotes a field only
//! when it contains a comma, a quote or a line break, so export → import → export is
//! byte-identical.

use std::collections::HashMap;
use std::fmt;

use chrono::NaiveDate;
use serde::Deserialize;
use serde_json::Value;

use super::{
    AgencyRef, ApplicantType, Channel, DossierComponent, Fee, FeeSchedule, LegalDocument, Level,
    LifecycleState, OnlineLevel, Problem, Procedure, ProcedureCode, ProcedureKind, ProcedureResult,
    Publication, TimeLimit, TimeUnit, TimeValue,
};

/// The CSV columns, in export order.
pub const COLUMNS: [&str; 29] = [
    "code",
    "version",
    "name",
    "sector",
    "levels",
    "kind",
    "procedure_type",
    "applicants",
    "issuing_agency",
    "competent_authority",
    "implementing_agencies",
    "channels",
    "time_limit_value",
    "time_limit_unit",
    "local_time_limit_value",
    "local_time_limit_unit",
    "online_level",
    "fees",
    "components",
    "result_name",
    "result_codes",
    "result_document_required",
    "legal_basis",
    "decision_no",
    "decision_date",
    "state",
    "valid_from",
    "valid_to",
    "source_url",
];

/// Columns that must be present in a CSV header.
pub const REQUIRED_COLUMNS: [&str; 2] = ["code", "name"];

/// The fields of a JSON procedure object (see [`Procedure`]).
pub const JSON_FIELDS: [&str; 24] = [
    "code",
    "version",
    "name",
    "sector",
    "levels",
    "kind",
    "procedure_type",
    "applicants",
    "issuing_agency",
    "competent_authority",
    "implementing_agencies",
    "channels",
    "time_limit",
    "local_time_limit",
    "online_level",
    "fees",
    "components",
    "result",
    "legal_basis",
    "publication",
    "state",
    "valid_from",
    "valid_to",
    "source_url",
];

/// Where a problem is: a CSV line or a JSON array index.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Location {
    /// 1-based line where the CSV record (or the JSON syntax error) starts; 1 = header.
    Line(u64),
    /// 0-based index in the JSON array.
    Index(usize),
}

impl fmt::Display for Location {
    /// Both languages, e.g. `dòng/line 12` or `phần tử/item [3]`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Line(n) => write!(f, "dòng/line {n}"),
            Self::Index(i) => write!(f, "phần tử/item [{i}]"),
        }
    }
}

/// One import problem: where, which field, what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordError {
    /// The CSV line or JSON index.
    pub location: Location,
    /// Column (CSV) or field (JSON) name; `*` for the whole record.
    pub field: String,
    /// What is wrong.
    pub problem: Problem,
}

impl fmt::Display for RecordError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (vi, en) = match self.location {
            Location::Line(n) => (format!("Dòng {n}, cột"), format!("Line {n}, field")),
            Location::Index(i) => (
                format!("Phần tử [{i}], trường"),
                format!("Item [{i}], field"),
            ),
        };
        write!(
            f,
            "{vi} {}: {} / {en} {}: {}",
            self.field,
            self.problem.vi(),
            self.field,
            self.problem.en()
        )
    }
}

impl std::error::Error for RecordError {}

/// Every problem of a refused import, in input order. Nothing was imported.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", self.errors.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n"))]
pub struct ImportError {
    /// The problems.
    pub errors: Vec<RecordError>,
}

/// Export failed: a value could not be written as JSON (not expected for valid procedures).
#[derive(Debug, thiserror::Error)]
#[error("Không xuất được JSON ({0}) / Could not write JSON ({0})")]
pub struct ExportError(#[from] serde_json::Error);

/// How far an import has got. For CSV `done`/`total` are bytes; for JSON, array items.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    /// Records parsed so far (valid or not).
    pub records: usize,
    /// Bytes (CSV) or items (JSON) consumed.
    pub done: u64,
    /// Total bytes (CSV) or items (JSON).
    pub total: u64,
}

// ---------------------------------------------------------------------------------------------
// Lists inside one CSV cell
// ---------------------------------------------------------------------------------------------

/// Escapes one item of a `|`-separated cell.
fn escape_item(item: &str) -> String {
    item.replace('\\', "\\\\").replace('|', "\\|")
}

fn join_items<'a>(items: impl IntoIterator<Item = &'a str>) -> String {
    items
        .into_iter()
        .map(escape_item)
        .collect::<Vec<_>>()
        .join("|")
}

/// Splits a `|`-separated cell; `\|` and `\\` are literal, any other backslash is kept.
fn split_items(cell: &str) -> Result<Vec<String>, Problem> {
    if cell.is_empty() {
        return Ok(Vec::new());
    }
    let mut items = Vec::new();
    let mut current = String::new();
    let mut chars = cell.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.peek() {
                Some(&next @ ('\\' | '|')) => {
                    current.push(next);
                    chars.next();
                }
                _ => current.push('\\'),
            },
            '|' => items.push(std::mem::take(&mut current)),
            _ => current.push(c),
        }
    }
    items.push(current);
    if items.iter().any(String::is_empty) {
        return Err(Problem::EmptyItem);
    }
    Ok(items)
}

// ---------------------------------------------------------------------------------------------
// CSV cells → Procedure
// ---------------------------------------------------------------------------------------------

/// Collects field problems while a record is parsed.
struct Fields<'a> {
    cells: &'a HashMap<&'a str, &'a str>,
    errors: Vec<(String, Problem)>,
}

impl<'a> Fields<'a> {
    fn cell(&self, column: &str) -> &'a str {
        self.cells.get(column).copied().unwrap_or_default()
    }

    fn take<T>(&mut self, column: &str, r: Result<T, Problem>) -> Option<T> {
        match r {
            Ok(v) => Some(v),
            Err(p) => {
                self.errors.push((column.to_owned(), p));
                None
            }
        }
    }

    fn required(&mut self, column: &str) -> Option<String> {
        let v = self.cell(column);
        if v.trim().is_empty() {
            self.errors.push((column.to_owned(), Problem::Empty));
            None
        } else {
            Some(v.to_owned())
        }
    }

    fn text(&self, column: &str) -> Option<String> {
        Some(self.cell(column))
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
    }

    fn tokens<T: std::str::FromStr<Err = Problem>>(&mut self, column: &str) -> Vec<T> {
        let r = split_items(self.cell(column)).and_then(|items| {
            items
                .iter()
                .map(|i| i.parse())
                .collect::<Result<Vec<T>, _>>()
        });
        self.take(column, r).unwrap_or_default()
    }

    fn token<T: std::str::FromStr<Err = Problem> + Default>(&mut self, column: &str) -> T {
        let v = self.cell(column);
        if v.is_empty() {
            return T::default();
        }
        let r = v.parse();
        self.take(column, r).unwrap_or_default()
    }

    fn date(&mut self, column: &str) -> Option<NaiveDate> {
        let v = self.cell(column);
        if v.is_empty() {
            return None;
        }
        let r = NaiveDate::parse_from_str(v, "%Y-%m-%d")
            .map_err(|_| Problem::InvalidDate(v.to_owned()));
        self.take(column, r)
    }

    fn json_list<T: for<'de> Deserialize<'de>>(&mut self, column: &str) -> Vec<T> {
        let v = self.cell(column);
        if v.is_empty() {
            return Vec::new();
        }
        let r = serde_json::from_str(v).map_err(|e| Problem::InvalidJson(e.to_string()));
        self.take(column, r).unwrap_or_default()
    }

    fn time_limit(&mut self, value_col: &str, unit_col: &str) -> Option<TimeLimit> {
        let (v, u) = (self.cell(value_col), self.cell(unit_col));
        match (v.is_empty(), u.is_empty()) {
            (true, true) => None,
            (false, true) => {
                self.errors
                    .push((unit_col.to_owned(), Problem::IncompleteTimeLimit));
                None
            }
            (true, false) => {
                self.errors
                    .push((value_col.to_owned(), Problem::IncompleteTimeLimit));
                None
            }
            (false, false) => {
                let value = v.parse::<TimeValue>();
                let value = self.take(value_col, value);
                let unit = u.parse::<TimeUnit>();
                let unit = self.take(unit_col, unit);
                Some(TimeLimit {
                    value: value?,
                    unit: unit?,
                })
            }
        }
    }

    fn fees(&mut self) -> FeeSchedule {
        let v = self.cell("fees");
        if v.is_empty() {
            FeeSchedule::Unknown
        } else if v.starts_with('[') {
            let r = serde_json::from_str::<Vec<Fee>>(v)
                .map_err(|e| Problem::InvalidJson(e.to_string()));
            self.take("fees", r)
                .map_or(FeeSchedule::Unknown, FeeSchedule::Charged)
        } else if v == "free" || crate::fold::fold(v) == "mien phi" {
            FeeSchedule::Free
        } else {
            self.errors.push((
                "fees".to_owned(),
                Problem::UnknownToken {
                    value: v.to_owned(),
                    allowed: "(trống/empty), free, [JSON]".to_owned(),
                },
            ));
            FeeSchedule::Unknown
        }
    }

    fn boolean(&mut self, column: &str) -> bool {
        let v = self.cell(column);
        match crate::fold::fold(v).as_str() {
            "true" | "co" | "yes" | "1" | "x" => true,
            "" | "false" | "khong" | "no" | "0" => false,
            _ => {
                self.errors
                    .push((column.to_owned(), Problem::NotABoolean(v.to_owned())));
                false
            }
        }
    }
}

/// Maps a [`Procedure::validate`] field to the CSV column that holds it.
fn csv_column(json_field: &str) -> &str {
    match json_field {
        "time_limit" => "time_limit_value",
        "local_time_limit" => "local_time_limit_value",
        "publication" => "decision_no",
        "result" => "result_codes",
        other => other,
    }
}

/// Builds a procedure from CSV cells by column name (a missing column reads as "").
fn procedure_from_cells(cells: &HashMap<&str, &str>) -> Result<Procedure, Vec<(String, Problem)>> {
    let mut f = Fields {
        cells,
        errors: Vec::new(),
    };
    let code = f
        .required("code")
        .and_then(|c| f.take("code", c.parse::<ProcedureCode>()));
    let version = match f.cell("version") {
        "" => Some(1),
        v => {
            let r = v
                .parse::<u32>()
                .map_err(|_| Problem::NotANumber(v.to_owned()));
            f.take("version", r)
        }
    };
    let name = f.required("name");
    let sector = f.cell("sector").to_owned();
    let levels = f.tokens::<Level>("levels");
    let kind = f.token::<ProcedureKind>("kind");
    let procedure_type = f.text("procedure_type");
    let applicants = f.tokens::<ApplicantType>("applicants");
    let issuing_agency = f.text("issuing_agency");
    let competent_authority = f.text("competent_authority");
    let agencies = split_items(f.cell("implementing_agencies"));
    let implementing_agencies = f
        .take("implementing_agencies", agencies)
        .unwrap_or_default()
        .iter()
        .map(|a| AgencyRef::parse(a))
        .collect();
    let channels = f.tokens::<Channel>("channels");
    let time_limit = f.time_limit("time_limit_value", "time_limit_unit");
    let local_time_limit = f.time_limit("local_time_limit_value", "local_time_limit_unit");
    let online_level = f.token::<OnlineLevel>("online_level");
    let fees = f.fees();
    let components = f.json_list::<DossierComponent>("components");
    let result_codes = split_items(f.cell("result_codes"));
    let result = ProcedureResult {
        name: f.cell("result_name").to_owned(),
        codes: f.take("result_codes", result_codes).unwrap_or_default(),
        document_required: f.boolean("result_document_required"),
    };
    let legal_basis = f.json_list::<LegalDocument>("legal_basis");
    let decision_date = f.date("decision_date");
    let publication = match (f.text("decision_no"), decision_date) {
        (Some(decision_no), date) => Some(Publication { decision_no, date }),
        (None, Some(_)) => {
            f.errors
                .push(("decision_no".to_owned(), Problem::DateWithoutDecision));
            None
        }
        (None, None) => None,
    };
    let state = f.token::<LifecycleState>("state");
    let valid_from = f.date("valid_from");
    let valid_to = f.date("valid_to");
    let source_url = f.text("source_url");

    let (Some(code), Some(version), Some(name)) = (code, version, name) else {
        return Err(f.errors);
    };
    let p = Procedure {
        code,
        version,
        name,
        sector,
        levels,
        kind,
        procedure_type,
        applicants,
        issuing_agency,
        competent_authority,
        implementing_agencies,
        channels,
        time_limit,
        local_time_limit,
        online_level,
        fees,
        components,
        result,
        legal_basis,
        publication,
        state,
        valid_from,
        valid_to,
        source_url,
    };
    let mut errors = f.errors;
    for (field, problem) in p.validate() {
        let column = csv_column(field).to_owned();
        // A field already reported as unreadable is not reported again.
        if !errors.iter().any(|(c, _)| *c == column) {
            errors.push((column, problem));
        }
    }
    if errors.is_empty() {
        Ok(p)
    } else {
        Err(errors)
    }
}

// ---------------------------------------------------------------------------------------------
// CSV import
// ---------------------------------------------------------------------------------------------

/// One parsed CSV record.
#[derive(Debug, Clone, PartialEq)]
pub struct CsvRecord {
    /// 1-based line where the record starts.
    pub line: u64,
    /// Bytes of the input consumed after this record (for progress).
    pub bytes_read: u64,
    /// The procedure, or every problem of this record.
    pub result: Result<Procedure, Vec<RecordError>>,
}

/// A CSV parser that yields one procedure per record, with its line number and progress.
///
/// It checks each record on its own; duplicates across records are checked by
/// [`import_csv`] / [`import_csv_with_progress`], which also make the import all-or-nothing.
pub struct CsvRecords<'a> {
    reader: csv::Reader<&'a [u8]>,
    columns: Vec<String>,
    total: u64,
    offset: u64,
    done: bool,
}

impl fmt::Debug for CsvRecords<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CsvRecords")
            .field("columns", &self.columns)
            .field("total", &self.total)
            .finish_non_exhaustive()
    }
}

impl<'a> CsvRecords<'a> {
    /// Reads and checks the header row (unknown, duplicate or missing required columns are
    /// errors on line 1). A leading UTF-8 byte-order mark, as spreadsheets write, is skipped.
    pub fn new(input: &'a str) -> Result<Self, ImportError> {
        let body = input.strip_prefix('\u{feff}').unwrap_or(input);
        let offset = (input.len() - body.len()) as u64;
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(body.as_bytes());
        let header_error = |field: &str, problem| RecordError {
            location: Location::Line(1),
            field: field.to_owned(),
            problem,
        };
        let mut header = csv::StringRecord::new();
        match reader.read_record(&mut header) {
            Ok(true) => {}
            Ok(false) => {
                return Err(ImportError {
                    errors: vec![header_error("*", Problem::MissingColumn("code".into()))],
                });
            }
            Err(e) => {
                return Err(ImportError {
                    errors: vec![header_error("*", Problem::MalformedCsv(e.to_string()))],
                });
            }
        }
        let columns: Vec<String> = header.iter().map(str::to_owned).collect();
        let mut errors = Vec::new();
        for (i, c) in columns.iter().enumerate() {
            if !COLUMNS.contains(&c.as_str()) {
                errors.push(header_error(c, Problem::UnknownColumn(c.clone())));
            } else if columns[..i].contains(c) {
                errors.push(header_error(c, Problem::DuplicateColumn(c.clone())));
            }
        }
        for required in REQUIRED_COLUMNS {
            if !columns.iter().any(|c| c == required) {
                errors.push(header_error(
                    required,
                    Problem::MissingColumn(required.into()),
                ));
            }
        }
        if !errors.is_empty() {
            return Err(ImportError { errors });
        }
        Ok(Self {
            reader,
            columns,
            total: input.len() as u64,
            offset,
            done: false,
        })
    }

    /// Size of the whole input in bytes, for a progress bar.
    pub fn total_bytes(&self) -> u64 {
        self.total
    }

    /// The header's columns, in file order.
    pub fn columns(&self) -> &[String] {
        &self.columns
    }
}

impl Iterator for CsvRecords<'_> {
    type Item = CsvRecord;

    fn next(&mut self) -> Option<CsvRecord> {
        if self.done {
            return None;
        }
        let mut rec = csv::StringRecord::new();
        let read = self.reader.read_record(&mut rec);
        let bytes_read = self.offset + self.reader.position().byte();
        match read {
            Ok(false) => {
                self.done = true;
                None
            }
            Err(e) => {
                // A broken quote leaves the reader's position unreliable: stop here.
                self.done = true;
                let line = e.position().map_or(0, csv::Position::line);
                Some(CsvRecord {
                    line,
                    bytes_read: self.total,
                    result: Err(vec![RecordError {
                        location: Location::Line(line),
                        field: "*".into(),
                        problem: Problem::MalformedCsv(e.to_string()),
                    }]),
                })
            }
            Ok(true) => {
                let line = rec.position().map_or(0, csv::Position::line);
                let location = Location::Line(line);
                if rec.len() != self.columns.len() {
                    return Some(CsvRecord {
                        line,
                        bytes_read,
                        result: Err(vec![RecordError {
                            location,
                            field: "*".into(),
                            problem: Problem::FieldCount {
                                expected: self.columns.len(),
                                found: rec.len(),
                            },
                        }]),
                    });
                }
                let index: HashMap<&str, &str> = self
                    .columns
                    .iter()
                    .map(String::as_str)
                    .zip(rec.iter())
                    .collect();
                let result = procedure_from_cells(&index).map_err(|errs| {
                    errs.into_iter()
                        .map(|(field, problem)| RecordError {
                            location,
                            field,
                            problem,
                        })
                        .collect()
                });
                Some(CsvRecord {
                    line,
                    bytes_read,
                    result,
                })
            }
        }
    }
}

/// Collects results all-or-nothing, adding duplicate (code, version) errors.
fn collect_all(
    results: impl Iterator<Item = (Location, Result<Procedure, Vec<RecordError>>)>,
) -> Result<Vec<Procedure>, ImportError> {
    let mut procedures = Vec::new();
    let mut errors = Vec::new();
    let mut seen: HashMap<(String, u32), Location> = HashMap::new();
    for (location, result) in results {
        match result {
            Ok(p) => {
                let key = (p.code.to_string(), p.version);
                if let Some(first) = seen.get(&key) {
                    let first = first.to_string();
                    errors.push(RecordError {
                        location,
                        field: "code".into(),
                        problem: Problem::DuplicateProcedure {
                            key: format!("{} v{}", key.0, key.1),
                            first,
                        },
                    });
                } else {
                    seen.insert(key, location);
                    procedures.push(p);
                }
            }
            Err(mut e) => errors.append(&mut e),
        }
    }
    if errors.is_empty() {
        Ok(procedures)
    } else {
        Err(ImportError { errors })
    }
}

/// Imports every procedure of a CSV file, or reports every problem.
pub fn import_csv(input: &str) -> Result<Vec<Procedure>, ImportError> {
    import_csv_with_progress(input, |_| {})
}

/// Like [`import_csv`], calling `on_progress` after each record (bytes consumed / total).
pub fn import_csv_with_progress(
    input: &str,
    mut on_progress: impl FnMut(Progress),
) -> Result<Vec<Procedure>, ImportError> {
    let records = CsvRecords::new(input)?;
    let total = records.total_bytes();
    let mut count = 0;
    collect_all(records.map(|r| {
        count += 1;
        on_progress(Progress {
            records: count,
            done: r.bytes_read,
            total,
        });
        (Location::Line(r.line), r.result)
    }))
}

// ---------------------------------------------------------------------------------------------
// CSV export
// ---------------------------------------------------------------------------------------------

fn json_cell<T: serde::Serialize>(items: &[T]) -> Result<String, ExportError> {
    if items.is_empty() {
        Ok(String::new())
    } else {
        Ok(serde_json::to_string(items)?)
    }
}

/// The cells of one procedure, in [`COLUMNS`] order.
fn cells(p: &Procedure) -> Result<Vec<String>, ExportError> {
    let limit = |t: &Option<TimeLimit>| match t {
        Some(t) => (t.value.to_string(), t.unit.as_str().to_owned()),
        None => (String::new(), String::new()),
    };
    let (tv, tu) = limit(&p.time_limit);
    let (lv, lu) = limit(&p.local_time_limit);
    let opt = |o: &Option<String>| o.clone().unwrap_or_default();
    let date = |d: Option<NaiveDate>| {
        d.map(|d| d.format("%Y-%m-%d").to_string())
            .unwrap_or_default()
    };
    let fees = match &p.fees {
        FeeSchedule::Unknown => String::new(),
        FeeSchedule::Free => "free".to_owned(),
        FeeSchedule::Charged(f) => serde_json::to_string(f)?,
    };
    Ok(vec![
        p.code.to_string(),
        p.version.to_string(),
        p.name.clone(),
        p.sector.clone(),
        join_items(p.levels.iter().map(|l| l.as_str())),
        p.kind.as_str().to_owned(),
        opt(&p.procedure_type),
        join_items(p.applicants.iter().map(|a| a.as_str())),
        opt(&p.issuing_agency),
        opt(&p.competent_authority),
        join_items(p.implementing_agencies.iter().map(AgencyRef::as_str)),
        join_items(p.channels.iter().map(|c| c.as_str())),
        tv,
        tu,
        lv,
        lu,
        p.online_level.as_str().to_owned(),
        fees,
        json_cell(&p.components)?,
        p.result.name.clone(),
        join_items(p.result.codes.iter().map(String::as_str)),
        p.result.document_required.to_string(),
        json_cell(&p.legal_basis)?,
        p.publication
            .as_ref()
            .map(|x| x.decision_no.clone())
            .unwrap_or_default(),
        date(p.publication.as_ref().and_then(|x| x.date)),
        p.state.as_str().to_owned(),
        date(p.valid_from),
        date(p.valid_to),
        opt(&p.source_url),
    ])
}

/// Appends one CSV field, quoted only when it holds a comma, quote or line break.
fn push_field(out: &mut String, field: &str) {
    if field.contains([',', '"', '\n', '\r']) {
        out.push('"');
        out.push_str(&field.replace('"', "\"\""));
        out.push('"');
    } else {
        out.push_str(field);
    }
}

/// Writes procedures as CSV in the [`COLUMNS`] layout (header row, LF line ends).
pub fn export_csv(procedures: &[Procedure]) -> Result<String, ExportError> {
    let mut out = String::new();
    out.push_str(&COLUMNS.join(","));
    out.push('\n');
    for p in procedures {
        for (i, cell) in cells(p)?.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            push_field(&mut out, cell);
        }
        out.push('\n');
    }
    Ok(out)
}

// ---------------------------------------------------------------------------------------------
// JSON
// ---------------------------------------------------------------------------------------------

/// Checks each known field of a JSON object on its own, so errors can name the field.
fn check_json_fields(obj: &serde_json::Map<String, Value>, errors: &mut Vec<(String, Problem)>) {
    macro_rules! check {
        ($($field:literal => $ty:ty),+ $(,)?) => {
            $(
                if let Some(v) = obj.get($field) {
                    if let Err(e) = <$ty>::deserialize(v) {
                        errors.push(($field.to_owned(), Problem::invalid_value(&e.to_string())));
                    }
                }
            )+
        };
    }
    check! {
        "code" => ProcedureCode,
        "version" => u32,
        "name" => String,
        "sector" => String,
        "levels" => Vec<Level>,
        "kind" => ProcedureKind,
        "procedure_type" => Option<String>,
        "applicants" => Vec<ApplicantType>,
        "issuing_agency" => Option<String>,
        "competent_authority" => Option<String>,
        "implementing_agencies" => Vec<AgencyRef>,
        "channels" => Vec<Channel>,
        "time_limit" => Option<TimeLimit>,
        "local_time_limit" => Option<TimeLimit>,
        "online_level" => OnlineLevel,
        "fees" => FeeSchedule,
        "components" => Vec<DossierComponent>,
        "result" => ProcedureResult,
        "legal_basis" => Vec<LegalDocument>,
        "publication" => Option<Publication>,
        "state" => LifecycleState,
        "valid_from" => Option<NaiveDate>,
        "valid_to" => Option<NaiveDate>,
        "source_url" => Option<String>,
    }
}

/// Builds a procedure from one JSON value, naming every bad field.
fn procedure_from_json(value: &Value) -> Result<Procedure, Vec<(String, Problem)>> {
    let Some(obj) = value.as_object() else {
        return Err(vec![("*".to_owned(), Problem::NotAnObject)]);
    };
    let mut errors = Vec::new();
    for key in obj.keys() {
        if !JSON_FIELDS.contains(&key.as_str()) {
            errors.push((key.clone(), Problem::UnknownField(key.clone())));
        }
    }
    for required in ["code", "name"] {
        if !obj.contains_key(required) {
            errors.push((required.to_owned(), Problem::Empty));
        }
    }
    check_json_fields(obj, &mut errors);
    if !errors.is_empty() {
        return Err(errors);
    }
    let p = Procedure::deserialize(value)
        .map_err(|e| vec![("*".to_owned(), Problem::InvalidJson(e.to_string()))])?;
    let problems: Vec<(String, Problem)> = p
        .validate()
        .into_iter()
        .map(|(f, problem)| (f.to_owned(), problem))
        .collect();
    if problems.is_empty() {
        Ok(p)
    } else {
        Err(problems)
    }
}

/// One parsed JSON array item.
#[derive(Debug, Clone, PartialEq)]
pub struct JsonRecord {
    /// 0-based index in the array.
    pub index: usize,
    /// The procedure, or every problem of this item.
    pub result: Result<Procedure, Vec<RecordError>>,
}

/// A JSON importer that yields one procedure per array item. The syntax of the whole input
/// is checked by [`JsonRecords::new`]; items are then converted one at a time.
#[derive(Debug)]
pub struct JsonRecords {
    items: std::iter::Enumerate<std::vec::IntoIter<Value>>,
    total: usize,
}

impl JsonRecords {
    /// Parses the JSON syntax; the top level must be an array.
    pub fn new(input: &str) -> Result<Self, ImportError> {
        let input = input.strip_prefix('\u{feff}').unwrap_or(input);
        let value: Value = serde_json::from_str(input).map_err(|e| ImportError {
            errors: vec![RecordError {
                location: Location::Line(e.line() as u64),
                field: "*".into(),
                problem: Problem::InvalidJson(e.to_string()),
            }],
        })?;
        let Value::Array(items) = value else {
            return Err(ImportError {
                errors: vec![RecordError {
                    location: Location::Line(1),
                    field: "*".into(),
                    problem: Problem::NotAnArray,
                }],
            });
        };
        Ok(Self {
            total: items.len(),
            items: items.into_iter().enumerate(),
        })
    }

    /// Number of items in the array, for a progress bar.
    pub fn total_items(&self) -> usize {
        self.total
    }
}

impl Iterator for JsonRecords {
    type Item = JsonRecord;

    fn next(&mut self) -> Option<JsonRecord> {
        let (index, value) = self.items.next()?;
        let result = procedure_from_json(&value).map_err(|errs| {
            errs.into_iter()
                .map(|(field, problem)| RecordError {
                    location: Location::Index(index),
                    field,
                    problem,
                })
                .collect()
        });
        Some(JsonRecord { index, result })
    }
}

/// Imports every procedure of a JSON array, or reports every problem.
pub fn import_json(input: &str) -> Result<Vec<Procedure>, ImportError> {
    import_json_with_progress(input, |_| {})
}

/// Like [`import_json`], calling `on_progress` after each item (items done / total).
pub fn import_json_with_progress(
    input: &str,
    mut on_progress: impl FnMut(Progress),
) -> Result<Vec<Procedure>, ImportError> {
    let records = JsonRecords::new(input)?;
    let total = records.total_items() as u64;
    collect_all(records.map(|r| {
        on_progress(Progress {
            records: r.index + 1,
            done: r.index as u64 + 1,
            total,
        });
        (Location::Index(r.index), r.result)
    }))
}

/// Writes procedures as a pretty-printed JSON array (2-space indent, final newline).
pub fn export_json(procedures: &[Procedure]) -> Result<String, ExportError> {
    let mut s = serde_json::to_string_pretty(procedures)?;
    s.push('\n');
    Ok(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn item_lists_escape_and_split() {
        let items = ["a|b", "c\\d", "Sở Tư pháp"];
        let cell = join_items(items);
        assert_eq!(cell, "a\\|b|c\\\\d|Sở Tư pháp");
        assert_eq!(split_items(&cell).unwrap(), items);
        assert_eq!(split_items("").unwrap(), Vec::<String>::new());
        assert_eq!(split_items("a||b"), Err(Problem::EmptyItem));
        assert_eq!(split_items("a|"), Err(Problem::EmptyItem));
        assert_eq!(split_items("C:\\x").unwrap(), ["C:\\x"]);
    }

    #[test]
    fn fields_quoted_only_when_needed() {
        let mut s = String::new();
        push_field(&mut s, "a,b");
        push_field(&mut s, "plain");
        push_field(&mut s, "say \"hi\"");
        assert_eq!(s, "\"a,b\"plain\"say \"\"hi\"\"\"");
    }
}
