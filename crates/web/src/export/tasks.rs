//! The task figures of the operations centre as a workbook (issue 7 §2): by lead agency, by
//! plan, and the tasks counted, written like the other tables (two header rows, ratios with
//! their numerator and denominator).

use motcua_domain::kpi::tasks::TaskCounts;
use motcua_domain::task::TaskStatus;
use motcua_service::steering::{TaskFigureRow, TaskFigures};
use rust_xlsxwriter::{DocProperties, Workbook};

use super::{
    Cell, EN, Export, ExportError, TableData, VI, XLSX, ascii_slug, file_safe, write_sheet,
};

/// One task counted in the figures, as the list sheet writes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskLine {
    /// Its id.
    pub id: String,
    /// Its title (with its period).
    pub title: String,
    /// The lead agency's name.
    pub lead: String,
    /// The assigning agency's name.
    pub assigner: String,
    /// The plan's id (`VB-…`), or empty.
    pub plan: String,
    /// The deadline, dd/mm/yyyy.
    pub deadline: String,
    /// When it was done, dd/mm/yyyy hh:mm, or empty.
    pub done: String,
    /// Its status in the period.
    pub status: TaskStatus,
    /// Its progress, in per cent.
    pub progress: u8,
}

const STATUS_KEYS: [(TaskStatus, &str); 4] = [
    (TaskStatus::DoneOnTime, "steering.status.done_on_time"),
    (TaskStatus::DoneLate, "steering.status.done_late"),
    (
        TaskStatus::OpenWithinTime,
        "steering.status.open_within_time",
    ),
    (TaskStatus::OpenOverdue, "steering.status.open_overdue"),
];

fn counts_cells(c: &TaskCounts) -> Vec<Cell> {
    let on_time = c.on_time_rate();
    let late = c.late_rate();
    vec![
        Cell::Count(c.assigned()),
        Cell::Count(c.done_on_time),
        Cell::Count(c.done_late),
        Cell::Count(c.open_within_time),
        Cell::Count(c.open_overdue),
        Cell::Rate(on_time),
        Cell::Rate(c.done_rate()),
        Cell::Rate(late),
    ]
}

const COUNT_HEADERS: [&str; 8] = [
    "steering.figures.assigned",
    "steering.status.done_on_time",
    "steering.status.done_late",
    "steering.status.open_within_time",
    "steering.status.open_overdue",
    "steering.figures.on_time_rate",
    "steering.figures.done_rate",
    "steering.figures.late_rate",
];

fn rows_table(
    sheet: &'static str,
    first: &'static str,
    rows: &[TaskFigureRow],
    total: &TaskCounts,
) -> TableData {
    let mut out: Vec<Vec<Cell>> = rows
        .iter()
        .map(|r| {
            let mut cells = vec![Cell::Text(r.key.clone()), Cell::Text(r.name.clone())];
            cells.extend(counts_cells(&r.counts));
            cells
        })
        .collect();
    let mut cells = vec![
        Cell::Empty,
        Cell::Text(format!(
            "{} / {}",
            VI.t("portal.export.total"),
            EN.t("portal.export.total")
        )),
    ];
    cells.extend(counts_cells(total));
    out.push(cells);
    let mut headers = vec!["portal.export.key", first];
    headers.extend(COUNT_HEADERS);
    let mut widths = vec![20.0, 48.0];
    widths.extend([12.0; 8]);
    TableData {
        sheet,
        headers,
        widths,
        rows: out,
    }
}

fn list_table(lines: &[TaskLine]) -> TableData {
    let status = |s: TaskStatus| {
        let key = STATUS_KEYS
            .iter()
            .find(|(k, _)| *k == s)
            .map_or("", |(_, key)| key);
        Cell::Text(format!("{} / {}", VI.t(key), EN.t(key)))
    };
    TableData {
        sheet: "Nhiệm vụ (Tasks)",
        headers: vec![
            "steering.task.id",
            "steering.task.title",
            "steering.task.lead",
            "steering.task.assigner",
            "steering.task.plan",
            "steering.task.deadline",
            "steering.task.completed_at",
            "steering.task.status",
            "steering.task.progress",
        ],
        widths: vec![16.0, 56.0, 36.0, 36.0, 18.0, 12.0, 18.0, 30.0, 10.0],
        rows: lines
            .iter()
            .map(|l| {
                vec![
                    Cell::Text(l.id.clone()),
                    Cell::Text(l.title.clone()),
                    Cell::Text(l.lead.clone()),
                    Cell::Text(l.assigner.clone()),
                    Cell::Text(l.plan.clone()),
                    Cell::Text(l.deadline.clone()),
                    Cell::Text(l.done.clone()),
                    status(l.status),
                    Cell::Count(u64::from(l.progress)),
                ]
            })
            .collect(),
    }
}

/// The public page's table of task results: the public plans' tasks by plan, and in all.
pub(super) fn public_table(figures: &TaskFigures) -> TableData {
    rows_table(
        super::Table::Tasks.sheet_name(),
        "steering.task.plan",
        &figures.by_plan,
        &figures.total,
    )
}

/// The workbook of a unit's task figures: by lead agency, by plan, and the tasks counted.
///
/// # Errors
/// [`ExportError::Xlsx`] if the writer refuses (not expected).
pub fn tasks_workbook(figures: &TaskFigures, lines: &[TaskLine]) -> Result<Export, ExportError> {
    let mut book = Workbook::new();
    book.set_properties(
        &DocProperties::new()
            .set_title(format!(
                "{} — {} {} / {}",
                VI.t("steering.figures.title"),
                figures.name,
                figures.period,
                EN.t("steering.figures.title")
            ))
            .set_subject(format!("{} {}", figures.unit, figures.period))
            .set_author("motcua"),
    );
    for table in [
        rows_table(
            "Theo đơn vị (By lead)",
            "steering.task.lead",
            &figures.by_lead,
            &figures.total,
        ),
        rows_table(
            "Theo kế hoạch (By plan)",
            "steering.task.plan",
            &figures.by_plan,
            &figures.total,
        ),
        list_table(lines),
    ] {
        write_sheet(&mut book, &table)?;
    }
    let ascii = format!("nhiem-vu-{}-{}", ascii_slug(&figures.name), figures.period);
    let name = file_safe(&format!("Nhiệm vụ {} {}", figures.name, figures.period));
    Ok(Export {
        ascii_name: format!("{ascii}.xlsx"),
        name: format!("{name}.xlsx"),
        content_type: XLSX,
        bytes: book.save_to_buffer()?,
    })
}
