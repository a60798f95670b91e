//! The operations centre's published figures as files: one xlsx workbook with a sheet per
//! table of `/dieu-hanh` (imported figures included), each table as CSV, and the Biểu số 06/VPCP/KSTT report in the
//! form's own layout. Bytes only: the page's handlers and `motcua kpi --xlsx` share it.
//!
//! Every table is built once (`table_data`) and written both ways, so the workbook and the
//! CSV files cannot disagree. Headers come from the page's catalogue (`portal.board.*`,
//! `portal.export.*`): Vietnamese in the first header row, English in the second. Cells
//! hold plain numbers — counts, points, and ratios as fractions formatted `0.00%` in the
//! workbook, as percentages with a decimal point (`97.30`) in the CSV — with the numerator
//! and denominator beside every ratio, as on the page. CSV files start with a UTF-8 byte
//! order mark, without which Excel misreads Vietnamese (deps.md §1.9).

use motcua_domain::fold::fold;
use motcua_domain::kpi::Ratio;
use motcua_domain::kpi::index766::{
    Assessment, Indicator, IndicatorScore, Points, Score, UnitLevel,
};
use motcua_domain::kpi::report06::Report06Row;
use motcua_service::kpi::dashboard::{AgencyAlert, Measure};
use motcua_service::kpi::imports::ImportedRow;
use motcua_service::kpi::{KpiBoard, KpiReport, Report06ByAgency};
use rust_xlsxwriter::{
    Color, DocProperties, Format, FormatAlign, FormatBorder, Workbook, Worksheet, XlsxError,
};

use crate::i18n::{Lang, Tr};

mod tasks;
pub use tasks::{TaskLine, tasks_workbook};

/// The media type of an xlsx workbook.
pub const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
/// The media type of the CSV files.
pub const CSV: &str = "text/csv; charset=utf-8";

/// A file could not be written (never expected: the inputs are numbers and names).
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// The workbook writer refused.
    #[error("xlsx: {0}")]
    Xlsx(#[from] XlsxError),
    /// The CSV writer refused.
    #[error("csv: {0}")]
    Csv(#[from] ::csv::Error),
}

/// A file ready to send or save.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Export {
    /// Its name in ASCII (`ket-qua-tthc-tinh-bac-ninh-2026-11.xlsx`), for old clients.
    pub ascii_name: String,
    /// Its name in Vietnamese (`Kết quả TTHC Tỉnh Bắc Ninh 2026-11.xlsx`).
    pub name: String,
    /// Its media type.
    pub content_type: &'static str,
    /// The content.
    pub bytes: Vec<u8>,
}

impl Export {
    /// The `Content-Disposition` header: an ASCII `filename` and the Vietnamese one as
    /// `filename*` (RFC 6266, RFC 8187).
    pub fn content_disposition(&self) -> String {
        let mut encoded = String::with_capacity(self.name.len() * 3);
        for b in self.name.bytes() {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                encoded.push(char::from(b));
            } else {
                encoded.push_str(&format!("%{b:02X}"));
            }
        }
        format!(
            "attachment; filename=\"{}\"; filename*=UTF-8''{encoded}",
            self.ascii_name
        )
    }
}

/// A table of the published page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Table {
    /// The Biểu 06 figures and the headline rates.
    Report06,
    /// The Decision 766 indicators, groups and total.
    Index,
    /// Twelve months of Biểu 06 rows and the 766 on-time rate.
    Trend,
    /// The communes' ranking.
    Ranking,
    /// The figures imported from elsewhere, marked as such on the page.
    Imported,
    /// The assigned tasks of the plans whose results are public, by plan.
    Tasks,
}

impl Table {
    /// Every table, in the workbook's order.
    pub const ALL: [Table; 6] = [
        Table::Report06,
        Table::Index,
        Table::Trend,
        Table::Ranking,
        Table::Imported,
        Table::Tasks,
    ];

    /// The table's name in addresses (`?bang=`): `bieu06`, `chi-so`, `xu-huong`, `xep-hang`,
    /// `so-lieu-nhap`, `nhiem-vu`.
    pub fn slug(self) -> &'static str {
        match self {
            Table::Report06 => "bieu06",
            Table::Index => "chi-so",
            Table::Trend => "xu-huong",
            Table::Ranking => "xep-hang",
            Table::Imported => "so-lieu-nhap",
            Table::Tasks => "nhiem-vu",
        }
    }

    /// The table named `slug`.
    pub fn parse(slug: &str) -> Option<Table> {
        Table::ALL.into_iter().find(|t| t.slug() == slug.trim())
    }

    /// The sheet's name, Vietnamese then English (at most 31 characters).
    pub fn sheet_name(self) -> &'static str {
        match self {
            Table::Report06 => "Biểu 06 (Form 06)",
            Table::Index => "Chỉ số 766 (Index 766)",
            Table::Trend => "Xu hướng (Trend)",
            Table::Ranking => "Xếp hạng (Ranking)",
            Table::Imported => "Số liệu nhập (Imported)",
            Table::Tasks => "Nhiệm vụ (Tasks)",
        }
    }
}

/// One cell of a table.
#[derive(Debug, Clone, PartialEq)]
enum Cell {
    Text(String),
    Count(u64),
    /// A ratio's value: empty when undefined.
    Rate(Ratio),
    Points(Points),
    /// A figure imported as it was given.
    Decimal(f64),
    Empty,
}

/// A table: header keys (each gives the Vietnamese and the English header) and rows.
struct TableData {
    /// The sheet's name in a workbook.
    sheet: &'static str,
    headers: Vec<&'static str>,
    widths: Vec<f64>,
    rows: Vec<Vec<Cell>>,
}

const VI: Tr = Tr { lang: Lang::Vi };
const EN: Tr = Tr { lang: Lang::En };

/// A label's two languages as cells.
fn both(key: &'static str) -> [Cell; 2] {
    [
        Cell::Text(VI.t(key).to_owned()),
        Cell::Text(EN.t(key).to_owned()),
    ]
}

/// Why an indicator has no points, or how it got them, in both languages.
fn score_note(s: &IndicatorScore) -> Cell {
    let key = match s.score {
        Score::Computed(_) if s.imported => "portal.board.imported",
        Score::Computed(_) => return Cell::Empty,
        Score::EmptyDenominator(_) => "portal.export.empty_denominator",
        Score::Exempt(_) => "portal.export.exempt",
        Score::Excluded(_) => "portal.board.excluded",
        Score::NotMeasured => "portal.board.not_measured",
    };
    Cell::Text(format!("{} / {}", VI.t(key), EN.t(key)))
}

fn report06_table(report: &KpiReport) -> TableData {
    let row = &report.report06;
    let c = &row.counts;
    let counts = [
        ("portal.board.received", row.received),
        ("portal.board.carried_over", c.carried_over),
        ("portal.board.online_new", c.online),
        ("portal.board.desk_new", c.in_person),
        ("portal.board.post_new", c.postal),
        ("portal.board.resolved", row.resolved),
        ("portal.board.early", c.early),
        ("portal.board.on_time", c.on_time),
        ("portal.board.late", c.late),
        ("portal.board.in_progress", row.in_progress),
        ("portal.board.within_time", c.within_time),
        ("portal.board.overdue", c.overdue),
        ("portal.board.unclassified", report.unclassified),
    ];
    let rates = [
        ("portal.board.on_time_766", row.on_time_766()),
        ("portal.board.on_time_resolved", row.on_time_resolved()),
        ("portal.board.overdue_766", row.overdue_766()),
        ("portal.board.online", row.online_share()),
    ];
    // The row's stable key for programs: the label's key without its prefix (`received`).
    let head = |label: &'static str| {
        let [vi, en] = both(label);
        let key = label.strip_prefix("portal.board.").unwrap_or(label);
        vec![Cell::Text(key.to_owned()), vi, en]
    };
    let mut rows = Vec::new();
    for (label, n) in counts {
        let mut cells = head(label);
        cells.extend([Cell::Count(n), Cell::Empty, Cell::Empty, Cell::Empty]);
        rows.push(cells);
    }
    for (label, r) in rates {
        let mut cells = head(label);
        cells.extend([
            Cell::Empty,
            Cell::Rate(r),
            Cell::Count(r.numerator),
            Cell::Count(r.denominator),
        ]);
        rows.push(cells);
    }
    TableData {
        sheet: Table::Report06.sheet_name(),
        headers: vec![
            "portal.export.key",
            "portal.export.item",
            "portal.export.item_en",
            "portal.export.dossiers",
            "portal.export.rate",
            "portal.export.numerator",
            "portal.export.denominator",
        ],
        widths: vec![16.0, 48.0, 44.0, 12.0, 12.0, 12.0, 12.0],
        rows,
    }
}

fn index_table(report: &KpiReport) -> TableData {
    let index = &report.index;
    let mut rows = Vec::new();
    let kind = |key: &'static str| Cell::Text(format!("{} / {}", VI.t(key), EN.t(key)));
    for s in &index.indicators {
        let spec = s.indicator.spec();
        let (rate, numerator, denominator) = match s.ratio {
            Some(r) => (
                Cell::Rate(r),
                Cell::Count(r.numerator),
                Cell::Count(r.denominator),
            ),
            None => (Cell::Empty, Cell::Empty, Cell::Empty),
        };
        rows.push(vec![
            kind("portal.export.kind_indicator"),
            Cell::Text(spec.code.to_owned()),
            Cell::Text(spec.name_vi.to_owned()),
            Cell::Text(spec.name_en.to_owned()),
            numerator,
            denominator,
            rate,
            s.score.points().map_or(Cell::Empty, Cell::Points),
            Cell::Points(s.max),
            score_note(s),
        ]);
    }
    for g in &index.groups {
        rows.push(vec![
            kind("portal.export.kind_group"),
            Cell::Text(g.group.number().to_string()),
            Cell::Text(g.group.name_vi().to_owned()),
            Cell::Text(g.group.name_en().to_owned()),
            Cell::Empty,
            Cell::Empty,
            Cell::Empty,
            Cell::Points(g.points),
            Cell::Points(g.out_of),
            Cell::Empty,
        ]);
    }
    let [total_vi, total_en] = both("portal.export.total");
    let not_measured = index.total.not_measured.len();
    rows.push(vec![
        kind("portal.export.kind_total"),
        Cell::Empty,
        total_vi,
        total_en,
        Cell::Empty,
        Cell::Empty,
        Cell::Empty,
        Cell::Points(index.total.points),
        Cell::Points(index.total.out_of),
        Cell::Text(format!(
            "{} {not_measured} / {} {not_measured}",
            VI.t("portal.board.not_measured_count"),
            EN.t("portal.board.not_measured_count")
        )),
    ]);
    TableData {
        sheet: Table::Index.sheet_name(),
        headers: vec![
            "portal.export.kind",
            "portal.board.code",
            "portal.board.indicator",
            "portal.export.item_en",
            "portal.export.numerator",
            "portal.export.denominator",
            "portal.export.rate",
            "portal.board.score",
            "portal.export.out_of",
            "portal.export.note",
        ],
        widths: vec![16.0, 8.0, 60.0, 56.0, 12.0, 12.0, 12.0, 10.0, 12.0, 36.0],
        rows,
    }
}

/// The Biểu 06 columns of a row, in the order of the trend's headers.
fn row_cells(row: &Report06Row) -> Vec<Cell> {
    let c = &row.counts;
    [
        row.received,
        c.carried_over,
        c.online,
        c.in_person,
        c.postal,
        row.resolved,
        c.early,
        c.on_time,
        c.late,
        row.in_progress,
        c.within_time,
        c.overdue,
    ]
    .into_iter()
    .map(Cell::Count)
    .collect()
}

fn trend_table(board: &KpiBoard) -> TableData {
    let rows = board
        .trend
        .iter()
        .map(|(month, row)| {
            let rate = row.on_time_766();
            let mut cells = vec![Cell::Text(month.to_string())];
            cells.extend(row_cells(row));
            cells.extend([
                Cell::Rate(rate),
                Cell::Count(rate.numerator),
                Cell::Count(rate.denominator),
            ]);
            cells
        })
        .collect();
    let mut headers = vec!["portal.board.month"];
    headers.extend([
        "portal.board.received",
        "portal.board.carried_over",
        "portal.board.online_new",
        "portal.board.desk_new",
        "portal.board.post_new",
        "portal.board.resolved",
        "portal.board.early",
        "portal.board.on_time",
        "portal.board.late",
        "portal.board.in_progress",
        "portal.board.within_time",
        "portal.board.overdue",
        "portal.board.on_time_766",
        "portal.export.numerator",
        "portal.export.denominator",
    ]);
    let mut widths = vec![10.0];
    widths.extend([14.0; 12]);
    widths.extend([22.0, 12.0, 12.0]);
    TableData {
        sheet: Table::Trend.sheet_name(),
        headers,
        widths,
        rows,
    }
}

fn ranking_table(board: &KpiBoard) -> TableData {
    let rows = board
        .ranking
        .iter()
        .map(|(rank, name, a)| {
            vec![
                Cell::Count(u64::try_from(*rank).unwrap_or(u64::MAX)),
                Cell::Text(a.unit.clone()),
                Cell::Text(name.clone()),
                Cell::Points(a.total.points),
                Cell::Points(a.total.out_of),
            ]
        })
        .collect();
    TableData {
        sheet: Table::Ranking.sheet_name(),
        headers: vec![
            "portal.board.rank",
            "portal.export.agency_code",
            "portal.board.commune",
            "portal.board.score",
            "portal.export.out_of",
        ],
        widths: vec![8.0, 18.0, 44.0, 10.0, 12.0],
        rows,
    }
}

fn imported_table(imported: &[ImportedRow]) -> TableData {
    let rows = imported
        .iter()
        .map(|(f, at)| {
            vec![
                Cell::Text(f.key.clone()),
                Cell::Text(f.name.clone()),
                Cell::Text(f.month.to_string()),
                Cell::Decimal(f.value),
                Cell::Text(f.measure.clone()),
                Cell::Text(f.source.clone()),
                Cell::Text(VI.datetime(at)),
            ]
        })
        .collect();
    TableData {
        sheet: Table::Imported.sheet_name(),
        headers: vec![
            "portal.export.key",
            "portal.board.indicator",
            "portal.board.month",
            "portal.board.value",
            "portal.export.measure",
            "portal.board.source",
            "portal.board.imported_at",
        ],
        widths: vec![20.0, 48.0, 10.0, 14.0, 14.0, 32.0, 18.0],
        rows,
    }
}

/// What the page shows: its figures, and the figures imported for the unit and period.
#[derive(Debug, Clone, Copy)]
pub struct Published<'a> {
    /// The month's figures, trend and ranking ([`motcua_service::Services::published_kpi`]).
    pub board: &'a KpiBoard,
    /// The imported figures ([`motcua_service::Services::imported_kpi`]).
    pub imported: &'a [ImportedRow],
    /// The public plans' tasks ([`motcua_service::Services::public_task_figures`]).
    pub tasks: &'a motcua_service::steering::TaskFigures,
}

/// One table of the page.
fn table_data(page: Published<'_>, table: Table) -> TableData {
    match table {
        Table::Report06 => report06_table(&page.board.report),
        Table::Index => index_table(&page.board.report),
        Table::Trend => trend_table(page.board),
        Table::Ranking => ranking_table(page.board),
        Table::Imported => imported_table(page.imported),
        Table::Tasks => tasks::public_table(page.tasks),
    }
}

/// `Tỉnh Bắc Ninh` → `tinh-bac-ninh`: ASCII letters, digits and single dashes.
fn ascii_slug(text: &str) -> String {
    let mut out = String::new();
    for c in fold(text).chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    out.trim_end_matches('-').to_owned()
}

/// A name without the characters file systems refuse.
fn file_safe(text: &str) -> String {
    text.chars()
        .map(|c| {
            if "/\\:*?\"<>|".contains(c) || c.is_control() {
                '-'
            } else {
                c
            }
        })
        .collect()
}

/// The file names of an export of `report`: `(ascii, vietnamese)`, without extension.
fn names(prefix: (&str, &str), report: &KpiReport) -> (String, String) {
    (
        format!(
            "{}-{}-{}",
            prefix.0,
            ascii_slug(&report.name),
            report.period
        ),
        file_safe(&format!("{} {} {}", prefix.1, report.name, report.period)),
    )
}

const BOARD_NAME: (&str, &str) = ("ket-qua-tthc", "Kết quả TTHC");

/// The workbook of the page: one sheet per table, in [`Table::ALL`]'s order.
///
/// # Errors
/// [`ExportError::Xlsx`] if the writer refuses (not expected).
pub fn workbook(page: Published<'_>) -> Result<Export, ExportError> {
    let report = &page.board.report;
    let mut book = Workbook::new();
    book.set_properties(
        &DocProperties::new()
            .set_title(format!(
                "{} — {} {} / {}",
                VI.t("portal.board.title"),
                report.name,
                report.period,
                EN.t("portal.board.title")
            ))
            .set_subject(format!("{} {}", report.unit, report.period))
            .set_author("motcua"),
    );
    for table in Table::ALL.map(|t| table_data(page, t)) {
        write_sheet(&mut book, &table)?;
    }
    let (ascii, name) = names(BOARD_NAME, report);
    Ok(Export {
        ascii_name: format!("{ascii}.xlsx"),
        name: format!("{name}.xlsx"),
        content_type: XLSX,
        bytes: book.save_to_buffer()?,
    })
}

/// Adds `table` to `book` as a sheet: two header rows (Vietnamese, English) kept on every
/// printed page, ratios as `0.00%`, points as `0.00`.
fn write_sheet(book: &mut Workbook, table: &TableData) -> Result<(), ExportError> {
    let header_vi = Format::new()
        .set_bold()
        .set_text_wrap()
        .set_background_color(Color::RGB(0x00DD_E6F2))
        .set_border(FormatBorder::Thin);
    let header_en = Format::new()
        .set_italic()
        .set_text_wrap()
        .set_background_color(Color::RGB(0x00EE_F2F8))
        .set_border(FormatBorder::Thin);
    let percent = Format::new().set_num_format("0.00%");
    let points = Format::new().set_num_format("0.00");
    let sheet = book.add_worksheet();
    sheet.set_name(table.sheet)?;
    page_setup(sheet);
    sheet.set_repeat_rows(0, 1)?;
    for (col, key) in (0u16..).zip(&table.headers) {
        sheet.write_string_with_format(0, col, VI.t(key), &header_vi)?;
        sheet.write_string_with_format(1, col, EN.t(key), &header_en)?;
    }
    for (col, width) in (0u16..).zip(&table.widths) {
        sheet.set_column_width(col, *width)?;
    }
    sheet.set_freeze_panes(2, 0)?;
    for (row, cells) in (2u32..).zip(&table.rows) {
        for (col, cell) in (0u16..).zip(cells) {
            match cell {
                Cell::Text(t) => {
                    sheet.write_string(row, col, t)?;
                }
                // Counts are far below 2⁵³: the conversion is exact.
                Cell::Count(n) => {
                    sheet.write_number(row, col, *n as f64)?;
                }
                Cell::Rate(r) => {
                    if let Some(v) = r.value() {
                        sheet.write_number_with_format(row, col, v, &percent)?;
                    }
                }
                Cell::Points(p) => {
                    sheet.write_number_with_format(row, col, p.as_f64(), &points)?;
                }
                Cell::Decimal(x) => {
                    sheet.write_number(row, col, *x)?;
                }
                Cell::Empty => {}
            }
        }
    }
    Ok(())
}

/// One table of the page as CSV: a byte order mark, the Vietnamese header row, the English
/// header row, then the rows.
///
/// # Errors
/// [`ExportError::Csv`] if the writer refuses (not expected).
pub fn csv(page: Published<'_>, table: Table) -> Result<Export, ExportError> {
    let bytes = csv_bytes(&table_data(page, table))?;
    let (ascii, name) = names(BOARD_NAME, &page.board.report);
    Ok(Export {
        ascii_name: format!("{ascii}-{}.csv", table.slug()),
        name: format!("{name} {}.csv", table.slug()),
        content_type: CSV,
        bytes,
    })
}

/// `data` as CSV: a byte order mark, the Vietnamese header row, the English header row,
/// then the rows.
fn csv_bytes(data: &TableData) -> Result<Vec<u8>, ExportError> {
    let mut bytes = "\u{feff}".as_bytes().to_vec();
    {
        let mut out = ::csv::Writer::from_writer(&mut bytes);
        out.write_record(data.headers.iter().map(|k| VI.t(k)))?;
        out.write_record(data.headers.iter().map(|k| EN.t(k)))?;
        for cells in &data.rows {
            out.write_record(cells.iter().map(|cell| {
                match cell {
                    Cell::Text(t) => t.clone(),
                    Cell::Count(n) => n.to_string(),
                    // `97.30`: the English percentage, without its sign or digit groups.
                    Cell::Rate(r) => r
                        .percent_en(2)
                        .map(|p| p.replace([',', '%'], ""))
                        .unwrap_or_default(),
                    Cell::Points(p) => p.to_string(),
                    Cell::Decimal(x) => x.to_string(),
                    Cell::Empty => String::new(),
                }
            }))?;
        }
        out.flush().map_err(::csv::Error::from)?;
    }
    Ok(bytes)
}

/// One dossier of a list behind a figure of the leaders' dashboard.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListedDossier {
    /// Dossier code.
    pub code: String,
    /// Procedure code and name.
    pub procedure: String,
    /// Status in Vietnamese and in English.
    pub status: (String, String),
    /// Receipt, as the page shows it (dd/mm/yyyy hh:mm, Vietnam time).
    pub received: String,
    /// The appointment statistics measure against.
    pub due: String,
    /// End of processing.
    pub finished: String,
    /// Whether it is in the ratio's numerator (for a ratio's list; `None` for an alert's).
    pub in_numerator: Option<bool>,
}

/// A list of dossiers behind a figure: what it explains and the dossiers.
#[derive(Debug, Clone, Copy)]
pub struct DossierList<'a> {
    /// What the list is, as the page's title says it (`2.1 …: chưa đạt`).
    pub title: &'a str,
    /// Agency and period.
    pub subtitle: &'a str,
    /// The dossiers, every one (the page shows the first 500).
    pub dossiers: &'a [ListedDossier],
}

const LIST_NAME: (&str, &str) = ("ho-so", "Hồ sơ");

fn list_table(list: DossierList<'_>) -> TableData {
    let yes_no = |inside: Option<bool>| match inside {
        None => Cell::Empty,
        Some(true) => Cell::Text(format!(
            "{} / {}",
            VI.t("office.dashboard.in_numerator"),
            EN.t("office.dashboard.in_numerator")
        )),
        Some(false) => Cell::Text(format!(
            "{} / {}",
            VI.t("office.dashboard.not_in_numerator"),
            EN.t("office.dashboard.not_in_numerator")
        )),
    };
    TableData {
        sheet: "Hồ sơ (Dossiers)",
        headers: vec![
            "office.dashboard.code",
            "office.dashboard.procedure",
            "office.dashboard.status",
            "office.dashboard.received",
            "office.dashboard.due",
            "office.dashboard.finished",
            "office.dashboard.share",
        ],
        widths: vec![28.0, 48.0, 36.0, 17.0, 17.0, 17.0, 30.0],
        rows: list
            .dossiers
            .iter()
            .map(|d| {
                vec![
                    Cell::Text(d.code.clone()),
                    Cell::Text(d.procedure.clone()),
                    Cell::Text(format!("{} / {}", d.status.0, d.status.1)),
                    Cell::Text(d.received.clone()),
                    Cell::Text(d.due.clone()),
                    Cell::Text(d.finished.clone()),
                    yes_no(d.in_numerator),
                ]
            })
            .collect(),
    }
}

/// The file names of a list: its subtitle (agency and period) in ASCII and in Vietnamese.
fn list_names(list: DossierList<'_>) -> (String, String) {
    (
        format!("{}-{}", LIST_NAME.0, ascii_slug(list.subtitle)),
        file_safe(&format!("{} {}", LIST_NAME.1, list.subtitle)),
    )
}

/// The dossiers behind a figure as a workbook of one sheet.
///
/// # Errors
/// [`ExportError::Xlsx`] if the writer refuses (not expected).
pub fn dossier_list_workbook(list: DossierList<'_>) -> Result<Export, ExportError> {
    let mut book = Workbook::new();
    book.set_properties(
        &DocProperties::new()
            .set_title(format!("{} — {}", list.title, list.subtitle))
            .set_author("motcua"),
    );
    write_sheet(&mut book, &list_table(list))?;
    let (ascii, name) = list_names(list);
    Ok(Export {
        ascii_name: format!("{ascii}.xlsx"),
        name: format!("{name}.xlsx"),
        content_type: XLSX,
        bytes: book.save_to_buffer()?,
    })
}

/// The dossiers behind a figure as CSV (as [`csv`] writes a table).
///
/// # Errors
/// [`ExportError::Csv`] if the writer refuses (not expected).
pub fn dossier_list_csv(list: DossierList<'_>) -> Result<Export, ExportError> {
    let (ascii, name) = list_names(list);
    Ok(Export {
        ascii_name: format!("{ascii}.csv"),
        name: format!("{name}.csv"),
        content_type: CSV,
        bytes: csv_bytes(&list_table(list))?,
    })
}

/// The measures of a dashboard table, in its columns' order, each with the headers of its
/// numerator, denominator and rate.
const FIGURE_MEASURES: [(Measure, [&str; 3]); 5] = [
    (
        Measure::Indicator(Indicator::ProcessedOnTime),
        [
            "office.export.on_time_num",
            "office.export.on_time_den",
            "office.dashboard.on_time",
        ],
    ),
    (
        Measure::Overdue766,
        [
            "office.export.overdue_num",
            "office.export.overdue_den",
            "office.dashboard.overdue",
        ],
    ),
    (
        Measure::Indicator(Indicator::ElectronicResults),
        [
            "office.export.electronic_num",
            "office.export.electronic_den",
            "office.dashboard.electronic",
        ],
    ),
    (
        Measure::Indicator(Indicator::DigitizedDossiers),
        [
            "office.export.digitized_num",
            "office.export.digitized_den",
            "office.dashboard.digitized",
        ],
    ),
    (
        Measure::OnlineShare,
        [
            "office.export.online_num",
            "office.export.online_den",
            "office.dashboard.online",
        ],
    ),
];

/// One line of a dashboard table: an agency or a procedure and its figures.
#[derive(Debug, Clone, Copy)]
pub struct FigureLine<'a> {
    /// Agency or procedure code.
    pub code: &'a str,
    /// Its name.
    pub name: &'a str,
    /// Its Biểu 06 row.
    pub row: &'a Report06Row,
    /// Its Decision 766 assessment.
    pub index: &'a Assessment,
}

/// The tables of a dashboard page: its agencies or procedures, and (on a unit's page) the
/// alerts by agency.
#[derive(Debug, Clone, Copy)]
pub struct Figures<'a> {
    /// Unit or agency and period, as the page's heading says it.
    pub subtitle: &'a str,
    /// What the lines are.
    pub kind: LineKind,
    /// The lines.
    pub lines: &'a [FigureLine<'a>],
    /// The alerts, for a unit's page.
    pub alerts: Option<&'a [AgencyAlert]>,
}

/// What the lines of a dashboard table are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineKind {
    /// A unit's agencies.
    Agencies,
    /// An agency's procedures.
    Procedures,
}

impl LineKind {
    /// The header of the lines' names, and the sheet's name.
    fn key_and_sheet(self) -> (&'static str, &'static str) {
        match self {
            LineKind::Agencies => ("office.dashboard.agencies", "Cơ quan (Agencies)"),
            LineKind::Procedures => ("office.dashboard.procedures", "Thủ tục (Procedures)"),
        }
    }
}

/// Which table of [`Figures`] a CSV file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FigureTable {
    /// The agencies or procedures.
    Lines,
    /// The alerts.
    Alerts,
}

fn figure_lines_table(figures: Figures<'_>) -> TableData {
    let (name_key, sheet) = figures.kind.key_and_sheet();
    let mut headers = vec![
        "portal.export.key",
        name_key,
        "portal.board.received",
        "portal.board.resolved",
        "portal.board.in_progress",
    ];
    headers.extend(FIGURE_MEASURES.iter().flat_map(|(_, keys)| keys));
    headers.extend(["office.dashboard.total", "portal.export.out_of"]);
    let mut widths = vec![22.0, 56.0, 11.0, 11.0, 11.0];
    widths.extend([11.0; 15]);
    widths.extend([10.0, 10.0]);
    let rows = figures
        .lines
        .iter()
        .map(|l| {
            let input = l.index.input();
            let mut cells = vec![
                Cell::Text(l.code.to_owned()),
                Cell::Text(l.name.to_owned()),
                Cell::Count(l.row.received),
                Cell::Count(l.row.resolved),
                Cell::Count(l.row.in_progress),
            ];
            for (m, _) in FIGURE_MEASURES {
                let r = m.ratio(l.row, &input);
                cells.extend([
                    Cell::Count(r.numerator),
                    Cell::Count(r.denominator),
                    Cell::Rate(r),
                ]);
            }
            cells.extend([
                Cell::Points(l.index.total.points),
                Cell::Points(l.index.total.out_of),
            ]);
            cells
        })
        .collect();
    TableData {
        sheet,
        headers,
        widths,
        rows,
    }
}

fn alerts_table(alerts: &[AgencyAlert]) -> TableData {
    TableData {
        sheet: "Cảnh báo (Alerts)",
        headers: vec![
            "portal.export.agency_code",
            "office.dashboard.agency",
            "office.dashboard.open",
            "office.urgency.overdue",
            "office.urgency.due_soon",
        ],
        widths: vec![22.0, 56.0, 12.0, 12.0, 16.0],
        rows: alerts
            .iter()
            .map(|a| {
                vec![
                    Cell::Text(a.agency.clone()),
                    Cell::Text(a.name.clone()),
                    Cell::Count(a.open),
                    Cell::Count(a.overdue),
                    Cell::Count(a.due_soon),
                ]
            })
            .collect(),
    }
}

const FIGURES_NAME: (&str, &str) = ("dieu-hanh", "Điều hành");

fn figures_names(figures: Figures<'_>) -> (String, String) {
    (
        format!("{}-{}", FIGURES_NAME.0, ascii_slug(figures.subtitle)),
        file_safe(&format!("{} {}", FIGURES_NAME.1, figures.subtitle)),
    )
}

/// A dashboard page's tables as a workbook: the lines, then the alerts if any.
///
/// # Errors
/// [`ExportError::Xlsx`] if the writer refuses (not expected).
pub fn figures_workbook(figures: Figures<'_>) -> Result<Export, ExportError> {
    let mut book = Workbook::new();
    book.set_properties(
        &DocProperties::new()
            .set_title(format!(
                "{} / {} — {}",
                VI.t("office.dashboard.title"),
                EN.t("office.dashboard.title"),
                figures.subtitle
            ))
            .set_author("motcua"),
    );
    write_sheet(&mut book, &figure_lines_table(figures))?;
    if let Some(alerts) = figures.alerts {
        write_sheet(&mut book, &alerts_table(alerts))?;
    }
    let (ascii, name) = figures_names(figures);
    Ok(Export {
        ascii_name: format!("{ascii}.xlsx"),
        name: format!("{name}.xlsx"),
        content_type: XLSX,
        bytes: book.save_to_buffer()?,
    })
}

/// One table of a dashboard page as CSV (as [`csv`] writes a table); the alerts of a page
/// without them are an empty table.
///
/// # Errors
/// [`ExportError::Csv`] if the writer refuses (not expected).
pub fn figures_csv(figures: Figures<'_>, table: FigureTable) -> Result<Export, ExportError> {
    let (data, slug) = match table {
        FigureTable::Lines => (figure_lines_table(figures), "bang"),
        FigureTable::Alerts => (alerts_table(figures.alerts.unwrap_or_default()), "canh-bao"),
    };
    let (ascii, name) = figures_names(figures);
    Ok(Export {
        ascii_name: format!("{ascii}-{slug}.csv"),
        name: format!("{name} {slug}.csv"),
        content_type: CSV,
        bytes: csv_bytes(&data)?,
    })
}

/// A4, landscape, one page wide: how the sheets print.
fn page_setup(sheet: &mut Worksheet) {
    // Paper size 9 is A4 in the xlsx page setup.
    sheet.set_paper_size(9);
    sheet.set_landscape();
    sheet.set_print_fit_to_pages(1, 0);
}

/// The columns of the form, left to right after its first two (STT and the agency):
/// Biểu số 06/VPCP/KSTT (Circular 01/2020/TT-VPCP; regulations.md §2.8): received in all =
/// online + in person and postal + carried over; resolved = early + on time + late; in
/// progress = within time + overdue. Numbered (1) to (13) from the first column, as the
/// form numbers them (🔶 the numbering is read from the column order, not from the
/// gazette's image of the form).
fn form_cells(row: &Report06Row) -> [u64; 11] {
    let c = &row.counts;
    [
        row.received,
        c.online,
        row.in_person_and_postal(),
        c.carried_over,
        row.resolved,
        c.early,
        c.on_time,
        c.late,
        row.in_progress,
        c.within_time,
        c.overdue,
    ]
}

/// The sheet name of the Biểu 06 form.
pub const FORM06_SHEET: &str = "Biểu 06-VPCP-KSTT";
/// The row (from 0) of the form's first data line, the unit's total.
pub const FORM06_FIRST_ROW: u32 = 11;

/// The Biểu số 06/VPCP/KSTT report of a unit's month as the form lays it out: the header
/// block (reporting unit, period), the merged column groups with their numbers (1)–(13),
/// the unit's total, then its provincial agencies and its communes' People's Committees,
/// each group with its subtotal and a row per agency.
///
/// # Errors
/// [`ExportError::Xlsx`] if the writer refuses (not expected).
pub fn form06(report: &Report06ByAgency) -> Result<Export, ExportError> {
    let unit = &report.report;
    let mut book = Workbook::new();
    book.set_properties(
        &DocProperties::new()
            .set_title(format!(
                "Biểu số 06/VPCP/KSTT — {} {}",
                unit.name, unit.period
            ))
            .set_author("motcua"),
    );
    let font = |f: Format| f.set_font_name("Times New Roman").set_font_size(12);
    let plain = font(Format::new());
    let bold = font(Format::new().set_bold());
    let right_bold = font(Format::new().set_bold().set_align(FormatAlign::Right));
    let italic_right = font(Format::new().set_italic().set_align(FormatAlign::Right));
    let title = font(Format::new().set_bold().set_align(FormatAlign::Center))
        .set_font_size(14)
        .set_text_wrap();
    let centred = font(Format::new().set_align(FormatAlign::Center));
    let centred_italic = font(Format::new().set_italic().set_align(FormatAlign::Center));
    let head = font(
        Format::new()
            .set_bold()
            .set_text_wrap()
            .set_align(FormatAlign::Center)
            .set_align(FormatAlign::VerticalCenter)
            .set_border(FormatBorder::Thin),
    );
    let number_head = font(
        Format::new()
            .set_italic()
            .set_align(FormatAlign::Center)
            .set_border(FormatBorder::Thin),
    );
    let cell = font(
        Format::new()
            .set_border(FormatBorder::Thin)
            .set_num_format("#,##0"),
    );
    let cell_bold = cell.clone().set_bold();
    let text = font(Format::new().set_border(FormatBorder::Thin).set_text_wrap());
    let text_bold = text.clone().set_bold();
    let stt = font(
        Format::new()
            .set_border(FormatBorder::Thin)
            .set_align(FormatAlign::Center),
    );
    let stt_bold = stt.clone().set_bold();

    let sheet = book.add_worksheet();
    sheet.set_name(FORM06_SHEET)?;
    page_setup(sheet);
    sheet.set_repeat_rows(7, 10)?;
    sheet.set_column_width(0, 6)?;
    sheet.set_column_width(1, 44)?;
    sheet.set_column_range_width(2, 12, 12)?;

    // The header block: who reports, the form's number, the title and the period.
    let last = 12u16;
    sheet.merge_range(0, 0, 0, 6, &format!("Đơn vị báo cáo: {}", unit.name), &bold)?;
    sheet.merge_range(0, 7, 0, last, "Biểu số 06/VPCP/KSTT", &right_bold)?;
    sheet.merge_range(
        1,
        0,
        1,
        6,
        "Đơn vị nhận báo cáo: ……………………………… / Report to:",
        &plain,
    )?;
    sheet.merge_range(
        1,
        7,
        1,
        last,
        "Ban hành kèm theo Thông tư số 01/2020/TT-VPCP ngày 21/10/2020",
        &italic_right,
    )?;
    sheet.merge_range(
        3,
        0,
        3,
        last,
        "TÌNH HÌNH, KẾT QUẢ GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH TẠI CƠ QUAN, ĐƠN VỊ TRỰC TIẾP GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH",
        &title,
    )?;
    sheet.set_row_height(3, 36)?;
    let (first, last_day) = period_days(unit);
    sheet.merge_range(
        4,
        0,
        4,
        last,
        &format!(
            "Kỳ báo cáo: {} (từ ngày {first} đến ngày {last_day})",
            lower_first(&unit.period.label_vi())
        ),
        &centred,
    )?;
    let at = VI.datetime(&unit.at);
    sheet.merge_range(
        5,
        0,
        5,
        last,
        &if unit.live {
            format!(
                "Processing of administrative procedures at the agencies that resolve them, {} — kỳ đang diễn ra, số liệu tại {at} / period in progress, figures at {at}",
                unit.period.label_en()
            )
        } else {
            format!(
                "Processing of administrative procedures at the agencies that resolve them, {} — số liệu chốt tại {at} / figures closed at {at}",
                unit.period.label_en()
            )
        },
        &centred_italic,
    )?;

    // The column groups, merged as on the form; English under the Vietnamese.
    let (h1, h2, h3, numbers) = (7u32, 8u32, 9u32, 10u32);
    sheet.merge_range(h1, 0, h3, 0, "STT\nNo.", &head)?;
    sheet.merge_range(h1, 1, h3, 1, "Cơ quan, đơn vị giải quyết\nAgency", &head)?;
    sheet.merge_range(
        h1,
        2,
        h1,
        5,
        "Số hồ sơ nhận giải quyết\nDossiers to resolve",
        &head,
    )?;
    sheet.merge_range(
        h1,
        6,
        h1,
        9,
        "Kết quả giải quyết: số hồ sơ đã giải quyết\nResolved",
        &head,
    )?;
    sheet.merge_range(
        h1,
        10,
        h1,
        12,
        "Số hồ sơ đang giải quyết\nIn progress",
        &head,
    )?;
    sheet.merge_range(h2, 2, h3, 2, "Tổng số\nTotal", &head)?;
    sheet.merge_range(
        h2,
        3,
        h2,
        4,
        "Số mới tiếp nhận trong kỳ\nNewly received",
        &head,
    )?;
    sheet.write_string_with_format(h3, 3, "Trực tuyến\nOnline", &head)?;
    sheet.write_string_with_format(
        h3,
        4,
        "Trực tiếp, bưu chính công ích\nIn person, by post",
        &head,
    )?;
    sheet.merge_range(h2, 5, h3, 5, "Từ kỳ trước chuyển qua\nCarried over", &head)?;
    for (col, label) in [
        (6, "Tổng số\nTotal"),
        (7, "Trước hạn\nEarly"),
        (8, "Đúng hạn\nOn time"),
        (9, "Quá hạn\nLate"),
        (10, "Tổng số\nTotal"),
        (11, "Trong hạn\nWithin time"),
        (12, "Quá hạn\nOverdue"),
    ] {
        sheet.merge_range(h2, col, h3, col, label, &head)?;
    }
    sheet.set_row_height(h1, 32)?;
    sheet.set_row_height(h3, 48)?;
    for col in 0..=last {
        sheet.write_string_with_format(numbers, col, format!("({})", col + 1), &number_head)?;
    }

    // The rows: the unit's total, then each level's subtotal and its agencies.
    let mut row = FORM06_FIRST_ROW;
    let mut line = |sheet: &mut Worksheet,
                    number: &str,
                    name: &str,
                    r: &Report06Row,
                    strong: bool|
     -> Result<(), XlsxError> {
        let (n, t, s) = if strong {
            (&cell_bold, &text_bold, &stt_bold)
        } else {
            (&cell, &text, &stt)
        };
        sheet.write_string_with_format(row, 0, number, s)?;
        sheet.write_string_with_format(row, 1, name, t)?;
        for (col, value) in (2u16..).zip(form_cells(r)) {
            sheet.write_number_with_format(row, col, value as f64, n)?;
        }
        row += 1;
        Ok(())
    };
    line(
        sheet,
        "",
        &format!("TỔNG SỐ / TOTAL: {}", unit.name),
        &unit.report06,
        true,
    )?;
    let groups = [
        ("I", "Cấp tỉnh / Provincial agencies", UnitLevel::Province),
        (
            "II",
            "Cấp xã / Communes' People's Committees",
            UnitLevel::Commune,
        ),
    ];
    for (roman, label, level) in groups {
        let members: Vec<_> = report
            .agencies
            .iter()
            .filter(|a| a.level == level)
            .collect();
        if members.is_empty() {
            continue;
        }
        let subtotal = Report06Row::total(members.iter().map(|a| &a.row));
        line(sheet, roman, label, &subtotal, true)?;
        for (i, a) in (1..).zip(&members) {
            line(sheet, &i.to_string(), &a.name, &a.row, false)?;
        }
    }

    // The identities the columns keep, what the form leaves out, and the signatures.
    row += 1;
    let notes = [
        "(3) = (4) + (5) + (6); (7) = (8) + (9) + (10); (11) = (12) + (13); (3) = (7) + (11)"
            .to_owned(),
        format!(
            "Hồ sơ của thủ tục không quy định thời hạn (không xếp loại, ngoài biểu): {} / dossiers of procedures without a time limit (not classified, outside the form): {}",
            unit.unclassified, unit.unclassified
        ),
        format!(
            "Số liệu tính từ nhật ký hồ sơ của {} cơ quan / figures from the dossier log of {} agencies",
            unit.agencies.len(),
            unit.agencies.len()
        ),
    ];
    for note in notes {
        sheet.merge_range(row, 0, row, last, &note, &plain)?;
        row += 1;
    }
    row += 1;
    sheet.merge_range(
        row,
        0,
        row,
        4,
        "NGƯỜI LẬP BIỂU",
        &font(Format::new().set_bold().set_align(FormatAlign::Center)),
    )?;
    sheet.merge_range(
        row,
        8,
        row,
        last,
        "THỦ TRƯỞNG ĐƠN VỊ",
        &font(Format::new().set_bold().set_align(FormatAlign::Center)),
    )?;
    sheet.merge_range(
        row + 1,
        0,
        row + 1,
        4,
        "(Ký, ghi rõ họ tên)",
        &centred_italic,
    )?;
    sheet.merge_range(row + 1, 8, row + 1, last, "(Ký, đóng dấu)", &centred_italic)?;

    let (ascii, name) = names(("bieu-06-vpcp-kstt", "Biểu 06-VPCP-KSTT"), unit);
    Ok(Export {
        ascii_name: format!("{ascii}.xlsx"),
        name: format!("{name}.xlsx"),
        content_type: XLSX,
        bytes: book.save_to_buffer()?,
    })
}

/// `text` with its first letter in lower case, as a period reads inside a sentence
/// ("tháng 11/2026", "quý III/2026").
fn lower_first(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map_or_else(String::new, |c| c.to_lowercase().chain(chars).collect())
}

/// The first and last day of the report's period, `dd/mm/yyyy`.
fn period_days(report: &KpiReport) -> (String, String) {
    let first = report.period.first().first_day();
    let last = report
        .period
        .last()
        .next()
        .first_day()
        .and_then(|d| d.pred_opt());
    let show = |d: Option<chrono::NaiveDate>| d.map_or_else(String::new, |d| VI.date(d));
    (show(first), show(last))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_are_ascii_and_vietnamese() {
        assert_eq!(
            ascii_slug("Ủy ban nhân dân phường Đa Mai"),
            "uy-ban-nhan-dan-phuong-da-mai"
        );
        assert_eq!(ascii_slug("  Tỉnh «Bắc Ninh» "), "tinh-bac-ninh");
        let export = Export {
            ascii_name: "a-b.csv".into(),
            name: "Đa Mai/1.csv".into(),
            content_type: CSV,
            bytes: Vec::new(),
        };
        assert_eq!(
            export.content_disposition(),
            "attachment; filename=\"a-b.csv\"; filename*=UTF-8''%C4%90a%20Mai%2F1.csv"
        );
        assert_eq!(file_safe("Biểu 06/VPCP: \"x\""), "Biểu 06-VPCP- -x-");
    }

    #[test]
    fn every_catalogue_key_of_the_files_exists_in_both_languages() {
        let source = include_str!("export.rs");
        let keys: Vec<&str> = source
            .split('"')
            .filter(|t| {
                (t.starts_with("portal.board.") || t.starts_with("portal.export."))
                    && !t.ends_with('.')
            })
            .collect();
        assert!(keys.len() > 30, "{keys:?}");
        for key in keys {
            assert_ne!(VI.t(key), key, "missing in vi: {key}");
            assert_ne!(EN.t(key), key, "missing in en: {key}");
        }
    }

    #[test]
    fn tables_are_named_in_addresses_and_sheets() {
        for table in Table::ALL {
            assert_eq!(Table::parse(table.slug()), Some(table));
            assert!(table.sheet_name().chars().count() <= 31);
        }
        assert_eq!(Table::parse("bieu-06"), None);
    }
}
