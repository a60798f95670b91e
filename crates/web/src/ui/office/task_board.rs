//! `/can-bo/dieu-hanh/nhiem-vu…`: the task figures on the operations centre (issue 7 §2).
//! A unit's tasks in a period — assigned, done on time, done late, open within time, open
//! and overdue, the rates — by lead agency and by plan, each count a link to the tasks
//! behind it; a stacked bar per agency that prints; the workbook; and an A4 report.
//! Readers need the right to read the unit's statistics.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;
use motcua_domain::kpi::Ratio;
use motcua_domain::kpi::period::Period;
use motcua_domain::kpi::tasks::TaskCounts;
use motcua_domain::task::TaskStatus;
use motcua_service::steering::{ListedTask, TaskFigureRow, TaskFigures};
use serde::Deserialize;

use super::tasks::{Names, Row, party_codes, rows, status_key, title};
use super::{OfficeNav, private};
use crate::AppState;
use crate::auth::{Staff, encode_component};
use crate::error::{AppError, PageError};
use crate::export::{self, TaskLine};
use crate::i18n::Tr;
use crate::ui::portal::board::download;
use crate::ui::{Chrome, period_label, period_param, render};

/// The query of these pages; every parameter is text so a bad one gets a clear 422.
#[derive(Debug, Deserialize, Default)]
pub struct BoardQuery {
    #[serde(rename = "don-vi")]
    unit: Option<String>,
    ky: Option<String>,
    thang: Option<String>,
    #[serde(rename = "ke-hoach")]
    plan: Option<String>,
    #[serde(rename = "trang-thai")]
    status: Option<String>,
}

fn blank(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

/// The unit asked for (the officer's by default, [`super::home_unit`]) and the period.
async fn unit_period(
    state: &AppState,
    staff: &Staff,
    query: &BoardQuery,
) -> Result<(String, Period), PageError> {
    let period = period_param(state, blank(&query.ky), blank(&query.thang))?;
    let unit = super::home_unit(state, staff, blank(&query.unit)).await?;
    Ok((unit, period))
}

/// A count and where its tasks are listed.
pub struct Count {
    n: String,
    href: String,
}

/// A rate with its counts.
pub struct Rate {
    value: String,
    of: String,
}

fn rate(t: Tr, r: Ratio) -> Rate {
    Rate {
        value: t.pct(r.value()),
        of: format!("{} / {}", t.num(r.numerator), t.num(r.denominator)),
    }
}

/// One line of a figures table.
pub struct Line {
    name: String,
    assigned: Count,
    statuses: Vec<Count>,
    on_time: Rate,
    late: Rate,
    /// Bar segments: (x, width, class) over 300 units.
    bar: Vec<(u32, u32, &'static str)>,
}

const BAR_CLASSES: [&str; 4] = ["s-on-time", "s-late", "s-open", "s-overdue"];

fn line(
    t: Tr,
    name: String,
    counts: &TaskCounts,
    list: &dyn Fn(Option<TaskStatus>) -> String,
) -> Line {
    let total = counts.assigned();
    let mut x = 0;
    let mut bar = Vec::new();
    for (status, class) in TaskStatus::ALL.into_iter().zip(BAR_CLASSES) {
        let n = counts.count(status);
        if total > 0 && n > 0 {
            // Rounded to whole chart units; the counts are in the table.
            let width = u32::try_from(n * 300 / total).unwrap_or(300).max(1);
            bar.push((x, width, class));
            x += width;
        }
    }
    Line {
        name,
        assigned: Count {
            n: t.num(total),
            href: list(None),
        },
        statuses: TaskStatus::ALL
            .into_iter()
            .map(|s| Count {
                n: t.num(counts.count(s)),
                href: list(Some(s)),
            })
            .collect(),
        on_time: rate(t, counts.on_time_rate()),
        late: rate(t, counts.late_rate()),
        bar,
    }
}

/// The address of the tasks behind a count.
fn list_href(unit: &str, period: Period, plan: Option<&str>, status: Option<TaskStatus>) -> String {
    let mut href = format!(
        "/can-bo/dieu-hanh/nhiem-vu/danh-sach?don-vi={}&ky={period}",
        encode_component(unit)
    );
    if let Some(p) = plan {
        href.push_str(&format!(
            "&ke-hoach={}",
            encode_component(if p.is_empty() { "-" } else { p })
        ));
    }
    if let Some(s) = status {
        href.push_str(&format!("&trang-thai={}", s.as_str()));
    }
    href
}

/// What the figures page and its print version show.
struct Board {
    unit: String,
    period_value: String,
    period: String,
    name: String,
    at: String,
    total: Line,
    /// The four statuses' catalogue keys, in the columns' order.
    status_keys: [&'static str; 4],
    /// By lead agency, then by plan: (caption key, first column's key, lines).
    tables: Vec<(&'static str, &'static str, Vec<Line>)>,
    xlsx: String,
    print: String,
}

fn board(t: Tr, figures: &TaskFigures) -> Board {
    let unit = figures.unit.clone();
    let period = figures.period;
    let lines = |rows: &[TaskFigureRow], by_plan: bool| {
        rows.iter()
            .map(|r| {
                let name = if by_plan && r.key.is_empty() {
                    t.t("steering.figures.no_plan").to_owned()
                } else {
                    r.name.clone()
                };
                if by_plan {
                    line(t, name, &r.counts, &|s| {
                        list_href(&unit, period, Some(&r.key), s)
                    })
                } else {
                    line(t, name, &r.counts, &|s| list_href(&r.key, period, None, s))
                }
            })
            .collect::<Vec<_>>()
    };
    let query = format!("don-vi={}&ky={period}", encode_component(&unit));
    Board {
        total: line(t, figures.name.clone(), &figures.total, &|s| {
            list_href(&unit, period, None, s)
        }),
        status_keys: TaskStatus::ALL.map(|s| status_key(Some(s))),
        tables: vec![
            (
                "steering.figures.by_lead",
                "steering.task.lead",
                lines(&figures.by_lead, false),
            ),
            (
                "steering.figures.by_plan",
                "steering.task.plan",
                lines(&figures.by_plan, true),
            ),
        ],
        xlsx: format!("/can-bo/dieu-hanh/nhiem-vu.xlsx?{query}"),
        print: format!("/can-bo/dieu-hanh/nhiem-vu/in?{query}"),
        period_value: period.to_string(),
        period: period_label(t, period),
        name: figures.name.clone(),
        at: t.datetime(&figures.at),
        unit,
    }
}

/// The headline of a unit's task figures for the operations centre's main page: each
/// count with the tasks behind it, the rates with their counts, and the page of figures.
pub(super) fn summary(
    t: Tr,
    figures: &TaskFigures,
) -> (Vec<(&'static str, String, String)>, String) {
    let (unit, period) = (&figures.unit, figures.period);
    let total = &figures.total;
    let mut items = vec![(
        "steering.figures.assigned",
        t.num(total.assigned()),
        list_href(unit, period, None, None),
    )];
    for s in TaskStatus::ALL {
        items.push((
            status_key(Some(s)),
            t.num(total.count(s)),
            list_href(unit, period, None, Some(s)),
        ));
    }
    for (key, r) in [
        ("steering.figures.on_time_rate", total.on_time_rate()),
        ("steering.figures.late_rate", total.late_rate()),
    ] {
        let r = rate(t, r);
        items.push((key, format!("{} ({})", r.value, r.of), String::new()));
    }
    let page = format!(
        "/can-bo/dieu-hanh/nhiem-vu?don-vi={}&ky={period}",
        encode_component(unit)
    );
    (items, page)
}

/// `/can-bo/dieu-hanh/nhiem-vu`.
#[derive(Template)]
#[template(path = "office/task_board.html")]
pub struct BoardPage {
    chrome: Chrome,
    nav: OfficeNav,
    b: Board,
}

/// `/can-bo/dieu-hanh/nhiem-vu/in`: the printable report.
#[derive(Template)]
#[template(path = "office/task_board_print.html")]
pub struct BoardPrint {
    chrome: Chrome,
    b: Board,
}

/// `GET /can-bo/dieu-hanh/nhiem-vu?don-vi=&ky=`.
pub async fn page(
    State(state): State<AppState>,
    chrome: Chrome,
    staff: Staff,
    Query(query): Query<BoardQuery>,
) -> Result<Response, PageError> {
    let (unit, period) = unit_period(&state, &staff, &query).await?;
    let figures = state
        .services
        .task_figures(&staff.acting, &unit, period)
        .await?;
    let page = BoardPage {
        nav: OfficeNav::of(&staff),
        b: board(chrome.t, &figures),
        chrome,
    };
    Ok(private(StatusCode::OK, render(&page)?))
}

/// `GET /can-bo/dieu-hanh/nhiem-vu/in?don-vi=&ky=`.
pub async fn print(
    State(state): State<AppState>,
    chrome: Chrome,
    staff: Staff,
    Query(query): Query<BoardQuery>,
) -> Result<Response, PageError> {
    let (unit, period) = unit_period(&state, &staff, &query).await?;
    let figures = state
        .services
        .task_figures(&staff.acting, &unit, period)
        .await?;
    let page = BoardPrint {
        b: board(chrome.t, &figures),
        chrome,
    };
    Ok(private(StatusCode::OK, render(&page)?))
}

/// The plan and status of a list's query: `-` is "no plan".
fn list_filters(query: &BoardQuery) -> Result<(Option<String>, Option<TaskStatus>), PageError> {
    let plan = blank(&query.plan).map(|p| {
        if p == "-" {
            String::new()
        } else {
            p.to_owned()
        }
    });
    let status = match blank(&query.status) {
        None => None,
        Some(s) => Some(TaskStatus::parse(s).ok_or_else(|| {
            PageError(AppError::invalid(
                "trang-thai",
                "tình trạng phải là done_on_time, done_late, open_within_time hoặc open_overdue",
                "the status must be done_on_time, done_late, open_within_time or open_overdue",
            ))
        })?),
    };
    Ok((plan, status))
}

/// `/can-bo/dieu-hanh/nhiem-vu/danh-sach`.
#[derive(Template)]
#[template(path = "office/task_board_list.html")]
pub struct ListPage {
    chrome: Chrome,
    nav: OfficeNav,
    heading: String,
    back: String,
    rows: Vec<Row>,
}

/// `GET /can-bo/dieu-hanh/nhiem-vu/danh-sach?don-vi=&ky=&ke-hoach=&trang-thai=`: the tasks
/// behind a count, classified as the figures classify them.
pub async fn list(
    State(state): State<AppState>,
    chrome: Chrome,
    staff: Staff,
    Query(query): Query<BoardQuery>,
) -> Result<Response, PageError> {
    let t = chrome.t;
    let (unit, period) = unit_period(&state, &staff, &query).await?;
    let (plan, status) = list_filters(&query)?;
    let tasks = state
        .services
        .tasks_behind_figure(&staff.acting, &unit, period, plan.as_deref(), status)
        .await?;
    let what = status.map_or_else(
        || t.t("steering.figures.assigned").to_owned(),
        |s| t.t(status_key(Some(s))).to_owned(),
    );
    let page = ListPage {
        nav: OfficeNav::of(&staff),
        heading: format!("{what} — {unit} — {}", period_label(t, period)),
        back: format!(
            "/can-bo/dieu-hanh/nhiem-vu?don-vi={}&ky={period}",
            encode_component(&unit)
        ),
        rows: rows(&state, t, &tasks).await?,
        chrome,
    };
    Ok(private(StatusCode::OK, render(&page)?))
}

/// The lines of the workbook's list sheet.
async fn lines(state: &AppState, t: Tr, tasks: &[ListedTask]) -> Result<Vec<TaskLine>, PageError> {
    let names = Names::of(state, party_codes(tasks)).await?;
    Ok(tasks
        .iter()
        .filter_map(|l| {
            let task = &l.task;
            Some(TaskLine {
                id: task.id.clone(),
                title: title(task),
                lead: names.get(&task.assignment.lead),
                assigner: names.get(&task.assignment.assigner),
                plan: task.assignment.plan.clone().unwrap_or_default(),
                deadline: t.date(task.deadline),
                done: task
                    .completed_at
                    .map(|d| t.datetime(&d))
                    .unwrap_or_default(),
                status: l.status?,
                progress: task.progress,
            })
        })
        .collect())
}

/// `GET /can-bo/dieu-hanh/nhiem-vu.xlsx?don-vi=&ky=`.
pub async fn xlsx(
    State(state): State<AppState>,
    chrome: Chrome,
    staff: Staff,
    Query(query): Query<BoardQuery>,
) -> Result<Response, PageError> {
    let (unit, period) = unit_period(&state, &staff, &query).await?;
    let figures = state
        .services
        .task_figures(&staff.acting, &unit, period)
        .await?;
    let tasks = state
        .services
        .tasks_behind_figure(&staff.acting, &unit, period, None, None)
        .await?;
    let lines = lines(&state, chrome.t, &tasks).await?;
    let mut response = download(export::tasks_workbook(&figures, &lines))?;
    // Figures for leaders, not the public: never kept by a cache.
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}
