//! `/dieu-hanh`: a unit's published results of a period (a month, a quarter, a year or a run
//! of months), open to everyone (the reform plan asks for monthly publication): the Biểu 06
//! figures, both on-time rates, the Decision 766
//! index with the counts behind each ratio, twelve months of trend as a chart that prints
//! without JavaScript, and the ranking of the unit's communes; its print version
//! (`/dieu-hanh/in`) and its tables as files (`xuat.xlsx`, `xuat.csv?bang=…`, and the
//! Biểu 06 form `bieu-06.xlsx`, built by [`crate::export`]).

use askama::Template;
use axum::extract::{Query, State};
use axum::http::{HeaderValue, header};
use axum::response::{Html, IntoResponse, Response};
use motcua_domain::kpi::Ratio;
use motcua_domain::kpi::catalogue::CatalogueFigures;
use motcua_domain::kpi::index766::{Indicator, Score};
use motcua_domain::kpi::period::{Period, Span};
use motcua_domain::kpi::petitions::PetitionCounts;
use motcua_service::kpi::imports::ImportedRow;
use motcua_service::kpi::{IssuedDocuments, KpiBoard, OnMap, UnitMap};
use serde::Deserialize;

use crate::AppState;
use crate::auth::encode_component;
use crate::error::{AppError, PageError};
use crate::export::{self, Export, ExportError, Published, Table};
use crate::i18n::{Lang, Tr};
use crate::ui::{Chrome, month_text, period_label, period_param, render};

/// The query: every parameter is text so a bad one gets a clear 422.
#[derive(Debug, Deserialize)]
pub struct BoardQuery {
    /// Unit or agency code.
    #[serde(rename = "don-vi")]
    unit: Option<String>,
    /// The period: a month YYYY-MM, a quarter YYYY-Qn, a year YYYY or YYYY-MM..YYYY-MM.
    thang: Option<String>,
    /// The table of a CSV export: `bieu06`, `chi-so`, `xu-huong`, `xep-hang`,
    /// `so-lieu-nhap` or `nhiem-vu`.
    bang: Option<String>,
    /// The same, under its own name (`ky`, kỳ); wins over `thang` when both are given.
    ky: Option<String>,
    /// The map of units: `hien-nay` (today's, the default) or `ky` (the period's).
    #[serde(rename = "ban-do")]
    map: Option<String>,
}

/// One headline figure.
struct Figure {
    label: &'static str,
    value: String,
    why: String,
}

/// One indicator row of the 766 table.
struct IndicatorRow {
    code: &'static str,
    name: &'static str,
    why: String,
    score: String,
    /// Its figures were imported from elsewhere, not counted.
    imported: bool,
}

/// One bar of the trend chart, in SVG user units.
struct Bar {
    x: u32,
    y: u32,
    height: u32,
    label: String,
    value: String,
}

/// One figure imported from elsewhere, marked as such.
struct ImportedLine {
    name: String,
    month: String,
    value: String,
    source: String,
    at: String,
}

/// The imported figures as the page shows them.
fn imported_lines(t: &Tr, rows: &[motcua_service::kpi::imports::ImportedRow]) -> Vec<ImportedLine> {
    rows.iter()
        .map(|(f, at)| ImportedLine {
            name: f.name.clone(),
            month: month_text(f.month),
            value: if f.measure.is_empty() {
                t.decimal(f.value)
            } else {
                format!("{} {}", t.decimal(f.value), f.measure)
            },
            source: f.source.clone(),
            at: t.datetime(at),
        })
        .collect()
}

/// One row of the communes' ranking.
struct RankRow {
    rank: usize,
    name: String,
    total: String,
}

/// The page.
#[derive(Template)]
#[template(path = "portal/board.html")]
pub struct BoardPage {
    chrome: Chrome,
    /// `don-vi=…&ky=…`, for the links to the exports and the print version.
    query: String,
    unit: String,
    month: String,
    /// Whether the period's map was asked for.
    period_map: bool,
    found: Option<Board>,
}

/// What the page shows of a unit once found.
struct Board {
    name: String,
    period: String,
    live: bool,
    /// What "in progress" says: a month or another period.
    live_key: &'static str,
    at: String,
    figures: Vec<Figure>,
    rows: Vec<(&'static str, String)>,
    indicators: Vec<IndicatorRow>,
    groups: Vec<(String, String)>,
    total: String,
    not_measured: usize,
    bars: Vec<Bar>,
    ranking: Vec<RankRow>,
    imported: Vec<ImportedLine>,
    /// The catalogue's figures (as of now), when the unit's procedures are known.
    catalogue: Vec<(&'static str, String)>,
    /// The period's feedback and petitions.
    petitions: Vec<(&'static str, String)>,
    /// The sealed documents issued in the period.
    documents: Vec<(&'static str, String)>,
    /// The results of the tasks of plans whose results are public, when there are any.
    tasks: Option<TaskResults>,
    /// The day of the past map the unit was read on.
    map_day: Option<String>,
    /// Agencies not counted: their area lay only partly in the unit on that map.
    straddling: String,
}

/// One line of the published task results: a plan, or all of them.
struct TaskResultLine {
    name: String,
    assigned: String,
    counts: [String; 4],
    on_time: String,
}

/// The task results of the plans published (issue 7 §2): by plan, and all together.
struct TaskResults {
    lines: Vec<TaskResultLine>,
    total: TaskResultLine,
}

fn task_results(t: &Tr, f: &motcua_service::steering::TaskFigures) -> Option<TaskResults> {
    use motcua_domain::task::TaskStatus;
    let line = |name: String, c: &motcua_domain::kpi::tasks::TaskCounts| TaskResultLine {
        name,
        assigned: t.num(c.assigned()),
        counts: TaskStatus::ALL.map(|s| t.num(c.count(s))),
        on_time: format!(
            "{} ({} / {})",
            t.pct(c.on_time_rate().value()),
            t.num(c.on_time_rate().numerator),
            t.num(c.on_time_rate().denominator)
        ),
    };
    (f.total.assigned() > 0).then(|| TaskResults {
        lines: f
            .by_plan
            .iter()
            .map(|r| line(r.name.clone(), &r.counts))
            .collect(),
        total: line(t.t("portal.export.total").to_owned(), &f.total),
    })
}

/// The catalogue's figures as label and value rows.
pub(crate) fn catalogue_rows(t: &Tr, c: &CatalogueFigures) -> Vec<(&'static str, String)> {
    vec![
        ("portal.board.cat_public", t.num(c.published_public)),
        ("portal.board.cat_internal", t.num(c.published_internal)),
        ("portal.board.cat_full_process", t.num(c.full_process)),
        ("portal.board.cat_partial", t.num(c.partial)),
        ("portal.board.cat_in_full", t.num(c.published_in_full)),
        ("portal.board.cat_local_cut", t.num(c.local_limit_cut)),
        ("portal.board.cat_plans_proposed", t.num(c.plans_proposed)),
        (
            "portal.board.cat_plans_approved",
            t.num(c.plans_approved_in_all()),
        ),
        ("portal.board.cat_plans_cut", t.num(c.plans_cutting_time)),
    ]
}

/// The sealed documents issued in the period as label and value rows.
pub(crate) fn document_rows(t: &Tr, d: &IssuedDocuments) -> Vec<(&'static str, String)> {
    vec![
        ("portal.board.doc_results", t.num(d.results)),
        ("portal.board.doc_copies", t.num(d.certified_copies)),
    ]
}

/// The period's petitions as label and value rows.
pub(crate) fn petition_rows(t: &Tr, p: &PetitionCounts) -> Vec<(&'static str, String)> {
    let share = |r: Ratio| {
        format!(
            "{} ({} / {})",
            t.pct(r.value()),
            t.num(r.numerator),
            t.num(r.denominator)
        )
    };
    vec![
        ("portal.board.pet_received", t.num(p.received)),
        ("portal.board.pet_procedures", t.num(p.about_procedures)),
        ("portal.board.pet_staff", t.num(p.about_staff)),
        ("portal.board.pet_on_time", share(p.on_time_ratio())),
        (
            "portal.board.pet_satisfaction",
            share(p.satisfaction_ratio()),
        ),
    ]
}

/// A ratio as a percentage, and its counts ("97.300/100.000").
fn figure(t: &Tr, label: &'static str, r: Ratio) -> Figure {
    Figure {
        label,
        value: t.pct(r.value()),
        why: format!("{} / {}", t.num(r.numerator), t.num(r.denominator)),
    }
}

/// Chart geometry: 12 bars of 40 units in a 520 × 200 box, 0–100 % upwards.
const BAR_WIDTH: u32 = 40;
const CHART_HEIGHT: u32 = 160;

fn board(
    t: &Tr,
    b: &motcua_service::kpi::KpiBoard,
    imported: &[motcua_service::kpi::imports::ImportedRow],
) -> Board {
    let r = &b.report;
    let row = &r.report06;
    let c = &row.counts;
    let figures = vec![
        figure(t, "portal.board.on_time_766", row.on_time_766()),
        figure(t, "portal.board.on_time_resolved", row.on_time_resolved()),
        figure(t, "portal.board.overdue_766", row.overdue_766()),
        figure(t, "portal.board.online", row.online_share()),
    ];
    let rows = vec![
        ("portal.board.received", t.num(row.received)),
        ("portal.board.carried_over", t.num(c.carried_over)),
        ("portal.board.online_new", t.num(c.online)),
        ("portal.board.desk_new", t.num(c.in_person)),
        ("portal.board.post_new", t.num(c.postal)),
        ("portal.board.resolved", t.num(row.resolved)),
        ("portal.board.early", t.num(c.early)),
        ("portal.board.on_time", t.num(c.on_time)),
        ("portal.board.late", t.num(c.late)),
        ("portal.board.in_progress", t.num(row.in_progress)),
        ("portal.board.within_time", t.num(c.within_time)),
        ("portal.board.overdue", t.num(c.overdue)),
        ("portal.board.unclassified", t.num(r.unclassified)),
    ];
    let name = |i: Indicator| match t.lang {
        Lang::Vi => i.spec().name_vi,
        Lang::En => i.spec().name_en,
    };
    let points = |p: motcua_domain::kpi::index766::Points| match t.lang {
        Lang::Vi => p.format_vi(),
        Lang::En => p.to_string(),
    };
    let indicators = r
        .index
        .indicators
        .iter()
        .map(|s| IndicatorRow {
            code: s.indicator.code(),
            name: name(s.indicator),
            why: s.ratio.map_or_else(String::new, |q| {
                format!(
                    "{} ({} / {})",
                    t.pct(q.value()),
                    t.num(q.numerator),
                    t.num(q.denominator)
                )
            }),
            score: match s.score.points() {
                Some(p) => format!("{} / {}", points(p), points(s.max)),
                None if s.score == Score::NotMeasured => {
                    t.t("portal.board.not_measured").to_owned()
                }
                None => t.t("portal.board.excluded").to_owned(),
            },
            imported: s.imported,
        })
        .collect();
    let groups = r
        .index
        .groups
        .iter()
        .map(|g| {
            let label = match t.lang {
                Lang::Vi => g.group.name_vi(),
                Lang::En => g.group.name_en(),
            };
            (
                format!("{}. {label}", g.group.number()),
                format!("{} / {}", points(g.points), points(g.out_of)),
            )
        })
        .collect();
    let bars = b
        .trend
        .iter()
        .zip(0u32..)
        .map(|((m, row), i)| {
            let share = row.on_time_766().value().unwrap_or(0.0).clamp(0.0, 1.0);
            // Rounded to whole chart units; the exact figure is in the label.
            let height = (share * f64::from(CHART_HEIGHT)).round() as u32;
            Bar {
                x: 20 + i * (BAR_WIDTH + 4),
                y: 20 + CHART_HEIGHT - height,
                height,
                label: format!("{:02}/{:02}", m.month(), m.year() % 100),
                value: t.pct(row.on_time_766().value()),
            }
        })
        .collect();
    let ranking = b
        .ranking
        .iter()
        .map(|(rank, name, a)| RankRow {
            rank: *rank,
            name: name.clone(),
            total: format!("{} / {}", points(a.total.points), points(a.total.out_of)),
        })
        .collect();
    Board {
        name: r.name.clone(),
        period: period_label(*t, r.period),
        live: r.live,
        live_key: if r.period.span() == Span::Month {
            "portal.board.live"
        } else {
            "portal.board.live_period"
        },
        at: t.datetime(&r.at),
        figures,
        rows,
        indicators,
        groups,
        total: format!(
            "{} / {}",
            points(r.index.total.points),
            points(r.index.total.out_of)
        ),
        not_measured: r.index.total.not_measured.len(),
        bars,
        ranking,
        imported: imported_lines(t, imported),
        catalogue: r
            .catalogue
            .as_ref()
            .map(|c| catalogue_rows(t, c))
            .unwrap_or_default(),
        petitions: petition_rows(t, &r.petitions),
        documents: document_rows(t, &r.documents),
        tasks: None,
        map_day: r.map_day.map(|d| t.date(d)),
        straddling: r.straddling.join("; "),
    }
}

/// The period asked for (`ky` or `thang`, default the month in progress): a bad one is the
/// 422 every `/dieu-hanh` address gives.
fn period_of(state: &AppState, query: &BoardQuery) -> Result<Period, PageError> {
    period_param(state, query.ky.as_deref(), query.thang.as_deref())
}

/// The map asked for (`ban-do`, default today's): a bad one is a 422 naming the field.
fn map_of(query: &BoardQuery) -> Result<UnitMap, PageError> {
    map_param(query.map.as_deref())
}

/// A `ban-do` parameter (default today's map); a bad one is a 422 naming the field.
pub(crate) fn map_param(value: Option<&str>) -> Result<UnitMap, PageError> {
    match value.map(str::trim) {
        None | Some("") => Ok(UnitMap::Today),
        Some(m) => m.parse().map_err(|_| {
            PageError(AppError::invalid(
                "ban-do",
                "bản đồ phải là hien-nay (hiện nay) hoặc ky (của kỳ)",
                "the map must be hien-nay (today's) or ky (the period's)",
            ))
        }),
    }
}

/// The unit asked for (`don-vi`), trimmed; empty when absent.
fn unit_of(query: &BoardQuery) -> String {
    query.unit.as_deref().unwrap_or_default().trim().to_owned()
}

/// The unit an export or the print version is of: required.
fn required_unit(query: &BoardQuery) -> Result<String, PageError> {
    let unit = unit_of(query);
    if unit.is_empty() {
        return Err(PageError(AppError::invalid(
            "don-vi",
            "hãy nhập mã đơn vị hoặc cơ quan",
            "enter a unit or agency code",
        )));
    }
    Ok(unit)
}

/// The query of the page's other addresses (exports, print version) for `unit` and `period`
/// on `map`.
fn query_of(unit: &str, period: Period, map: UnitMap) -> String {
    format!(
        "don-vi={}&ky={period}{}",
        encode_component(unit),
        map_suffix(map)
    )
}

/// What an address adds to ask for `map`: nothing for today's, the default.
pub(crate) fn map_suffix(map: UnitMap) -> &'static str {
    if map == UnitMap::Period {
        "&ban-do=ky"
    } else {
        ""
    }
}

/// What the page shows of `unit` and `period` on `map`: the published figures and those
/// imported.
async fn published(
    state: &AppState,
    unit: &str,
    period: Period,
    map: UnitMap,
) -> Result<Shown, PageError> {
    let board = state
        .services
        .published_kpi(OnMap::new(unit, map), period)
        .await?;
    let imported = state.services.imported_kpi(unit, period).await?;
    let tasks = state.services.public_task_figures(unit, period).await?;
    Ok(Shown {
        board,
        imported,
        tasks,
    })
}

/// What the page and its files show of a unit and period.
struct Shown {
    board: KpiBoard,
    imported: Vec<ImportedRow>,
    tasks: motcua_service::steering::TaskFigures,
}

impl Shown {
    /// The page's content, in the reader's language.
    fn board(&self, t: &Tr) -> Board {
        let mut found = board(t, &self.board, &self.imported);
        found.tasks = task_results(t, &self.tasks);
        found
    }

    /// The page's tables, for its files.
    fn files(&self) -> Published<'_> {
        Published {
            board: &self.board,
            imported: &self.imported,
            tasks: &self.tasks,
        }
    }
}

/// `GET /dieu-hanh?don-vi=CODE&thang=PERIOD` (or `ky=PERIOD`): a month `2026-10`, a
/// quarter `2026-Q3`, a year `2026` or months `2026-01..2026-06`.
pub async fn page(
    State(state): State<AppState>,
    chrome: Chrome,
    Query(query): Query<BoardQuery>,
) -> Result<Html<String>, PageError> {
    let unit = unit_of(&query);
    let period = period_of(&state, &query)?;
    let map = map_of(&query)?;
    let found = if unit.is_empty() {
        None
    } else {
        Some(
            published(&state, &unit, period, map)
                .await?
                .board(&chrome.t),
        )
    };
    let page = BoardPage {
        chrome,
        query: query_of(&unit, period, map),
        unit,
        month: period.to_string(),
        period_map: map == UnitMap::Period,
        found,
    };
    render(&page)
}

/// The print version: the page's figures, chart and tables without its form, for A4.
#[derive(Template)]
#[template(path = "portal/board_print.html")]
pub struct BoardPrintPage {
    chrome: Chrome,
    query: String,
    b: Board,
}

/// `GET /dieu-hanh/in?don-vi=CODE&ky=PERIOD`.
pub async fn print(
    State(state): State<AppState>,
    chrome: Chrome,
    Query(query): Query<BoardQuery>,
) -> Result<Html<String>, PageError> {
    let unit = required_unit(&query)?;
    let period = period_of(&state, &query)?;
    let map = map_of(&query)?;
    let shown = published(&state, &unit, period, map).await?;
    let page = BoardPrintPage {
        b: shown.board(&chrome.t),
        chrome,
        query: query_of(&unit, period, map),
    };
    render(&page)
}

/// A file as a download: its media type, and its name in ASCII and in Vietnamese.
pub(crate) fn download(file: Result<Export, ExportError>) -> Result<Response, PageError> {
    let file = file.map_err(|e| PageError(AppError::Internal(e.to_string())))?;
    let disposition = HeaderValue::from_str(&file.content_disposition())
        .map_err(|e| PageError(AppError::Internal(format!("content-disposition: {e}"))))?;
    Ok((
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static(file.content_type),
            ),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        file.bytes,
    )
        .into_response())
}

/// `GET /dieu-hanh/xuat.xlsx?don-vi=CODE&ky=PERIOD`: every table of the page, a sheet
/// each.
pub async fn xlsx(
    State(state): State<AppState>,
    Query(query): Query<BoardQuery>,
) -> Result<Response, PageError> {
    let unit = required_unit(&query)?;
    let period = period_of(&state, &query)?;
    let shown = published(&state, &unit, period, map_of(&query)?).await?;
    download(export::workbook(shown.files()))
}

/// `GET /dieu-hanh/xuat.csv?don-vi=CODE&thang=YYYY-MM&bang=bieu06|chi-so|xu-huong|xep-hang|so-lieu-nhap|nhiem-vu`.
pub async fn csv(
    State(state): State<AppState>,
    Query(query): Query<BoardQuery>,
) -> Result<Response, PageError> {
    let unit = required_unit(&query)?;
    let period = period_of(&state, &query)?;
    let table = Table::parse(query.bang.as_deref().unwrap_or_default()).ok_or_else(|| {
        PageError(AppError::invalid(
            "bang",
            "bảng phải là bieu06, chi-so, xu-huong, xep-hang, so-lieu-nhap hoặc nhiem-vu",
            "the table must be bieu06, chi-so, xu-huong, xep-hang, so-lieu-nhap or nhiem-vu",
        ))
    })?;
    let shown = published(&state, &unit, period, map_of(&query)?).await?;
    download(export::csv(shown.files(), table))
}

/// `GET /dieu-hanh/bieu-06.xlsx?don-vi=CODE&ky=PERIOD`: the Biểu số 06/VPCP/KSTT report
/// in the form's layout, a row per agency.
pub async fn form06(
    State(state): State<AppState>,
    Query(query): Query<BoardQuery>,
) -> Result<Response, PageError> {
    let unit = required_unit(&query)?;
    let period = period_of(&state, &query)?;
    let on = OnMap::new(&unit, map_of(&query)?);
    let report = state.services.published_report06(on, period).await?;
    download(export::form06(&report))
}
