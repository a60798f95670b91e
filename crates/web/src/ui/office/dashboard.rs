//! `/can-bo/dieu-hanh…`: the leaders' dashboard (issue 5 §3). A unit's headline figures and
//! its agencies' alerts (overdue, due within one working day) and figures; an agency's
//! figures by procedure; and the dossiers behind any ratio — its numerator, its denominator,
//! or those that keep it below 100 % — or behind an alert. Readers need the right to read
//! the unit's statistics (leaders, inspectors, agency administrators).

use askama::Template;
use axum::extract::{OriginalUri, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;
use motcua_domain::kpi::Ratio;
use motcua_domain::kpi::index766::Assessment;
use motcua_domain::kpi::period::Period;
use motcua_domain::kpi::report06::Report06Row;
use motcua_service::kpi::dashboard::{AgencyAlert, DossierLine, Measure, Part};
use motcua_service::kpi::{KpiReport, OnMap, UnitMap};
use motcua_service::office::Urgency;
use serde::Deserialize;

use super::{OfficeNav, private, view};
use crate::AppState;
use crate::auth::{Staff, encode_component};
use crate::error::{AppError, PageError};
use crate::export::{
    self, DossierList, Export, ExportError, FigureLine, FigureTable, Figures, LineKind,
    ListedDossier,
};
use crate::i18n::{Lang, Tr};
use crate::ui::portal::board::{
    catalogue_rows, document_rows, download, map_param, map_suffix, petition_rows,
};
use crate::ui::{Chrome, period_label, period_param, render};

/// The query of the dashboard pages; every parameter is text so a bad one gets a clear 422.
#[derive(Debug, Deserialize, Default)]
pub struct DashboardQuery {
    /// Unit or agency code.
    #[serde(rename = "don-vi")]
    unit: Option<String>,
    /// An agency's code.
    #[serde(rename = "co-quan")]
    agency: Option<String>,
    /// The period: a month `2026-10`, a quarter `2026-Q3`, a year `2026` or months
    /// `2026-01..2026-06`.
    ky: Option<String>,
    /// The period, as the form's field and older links name it.
    thang: Option<String>,
    /// A measure's key ([`Measure::key`]).
    #[serde(rename = "chi-so")]
    measure: Option<String>,
    /// `tu-so`, `mau-so` or `chua-dat`.
    phan: Option<String>,
    /// One procedure.
    #[serde(rename = "thu-tuc")]
    procedure: Option<String>,
    /// `qua-han` or `sap-den-han`.
    #[serde(rename = "canh-bao")]
    alert: Option<String>,
    /// The table of a CSV file: `co-quan` or `canh-bao` of a unit, `thu-tuc` of an agency.
    bang: Option<String>,
    /// The map of administrative units a unit's agencies are gathered on: `hien-nay`
    /// (today's, the default) or `ky` (the period's).
    #[serde(rename = "ban-do")]
    map: Option<String>,
}

fn blank(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

/// The period asked for, or the month in progress.
fn period_of(state: &AppState, query: &DashboardQuery) -> Result<Period, PageError> {
    period_param(state, blank(&query.ky), blank(&query.thang))
}

/// A measure's name in the catalogue.
fn measure_key(m: Measure) -> &'static str {
    match m {
        Measure::Indicator(_) => "",
        Measure::OnTimeResolved => "portal.board.on_time_resolved",
        Measure::Overdue766 => "portal.board.overdue_766",
        Measure::OnlineShare => "portal.board.online",
    }
}

fn measure_name(t: Tr, m: Measure) -> String {
    match m {
        Measure::Indicator(i) => {
            let name = match t.lang {
                Lang::Vi => i.spec().name_vi,
                Lang::En => i.spec().name_en,
            };
            format!("{} {name}", i.code())
        }
        other => t.t(measure_key(other)).to_owned(),
    }
}

/// One ratio with its counts, and where the counts' dossiers are listed.
struct Cell {
    value: String,
    numerator: String,
    denominator: String,
    /// The lists of the numerator, the denominator and the missing ones, when drillable
    /// and not empty.
    links: Option<(String, String, Option<String>)>,
}

/// The cell of measure `m` at ratio `r`; its dossiers are listed at `list`. "Why not
/// 100 %?" is asked only of a rate that should be high.
fn cell(t: Tr, m: Measure, r: Ratio, list: Option<String>) -> Cell {
    Cell {
        value: t.pct(r.value()),
        numerator: t.num(r.numerator),
        denominator: t.num(r.denominator),
        links: list.filter(|_| r.denominator > 0).map(|base| {
            (
                format!("{base}&phan=tu-so"),
                format!("{base}&phan=mau-so"),
                (m.higher_is_better() && r.denominator > r.numerator)
                    .then(|| format!("{base}&phan=chua-dat")),
            )
        }),
    }
}

/// One named card of headline figures.
struct Headline {
    name: String,
    cell: Cell,
}

/// Headlines of a figure set: every measure, drillable when `list` says where.
fn headlines(
    t: Tr,
    row: &Report06Row,
    index: &Assessment,
    list: Option<&dyn Fn(Measure) -> String>,
) -> Vec<Headline> {
    let input = index.input();
    Measure::ALL
        .into_iter()
        .map(|m| Headline {
            name: measure_name(t, m),
            cell: cell(t, m, m.ratio(row, &input), list.map(|f| f(m))),
        })
        .collect()
}

/// One line of a table of agencies or procedures.
struct Line {
    name: String,
    link: Option<String>,
    received: String,
    resolved: String,
    in_progress: String,
    on_time: Cell,
    overdue: Cell,
    electronic: Cell,
    digitized: Cell,
    online: Cell,
    total: String,
}

fn line(
    t: Tr,
    name: String,
    link: Option<String>,
    row: &Report06Row,
    index: &Assessment,
    list: Option<&dyn Fn(Measure) -> String>,
) -> Line {
    use motcua_domain::kpi::index766::Indicator;
    let input = index.input();
    let c = |m: Measure| cell(t, m, m.ratio(row, &input), list.map(|f| f(m)));
    Line {
        name,
        link,
        received: t.num(row.received),
        resolved: t.num(row.resolved),
        in_progress: t.num(row.in_progress),
        on_time: c(Measure::Indicator(Indicator::ProcessedOnTime)),
        overdue: c(Measure::Overdue766),
        electronic: c(Measure::Indicator(Indicator::ElectronicResults)),
        digitized: c(Measure::Indicator(Indicator::DigitizedDossiers)),
        online: c(Measure::OnlineShare),
        total: points(t, index),
    }
}

fn points(t: Tr, index: &Assessment) -> String {
    let p = |p: motcua_domain::kpi::index766::Points| match t.lang {
        Lang::Vi => p.format_vi(),
        Lang::En => p.to_string(),
    };
    format!("{} / {}", p(index.total.points), p(index.total.out_of))
}

/// One bar of a horizontal share chart, in SVG user units.
struct Bar {
    y: u32,
    width: u32,
    label: String,
    value: String,
}

/// Bars of the on-time share (766) of `lines`, 0–100 % across 300 units.
fn bars(t: Tr, reports: &[KpiReport]) -> Vec<Bar> {
    reports
        .iter()
        .zip(0u32..)
        .map(|(r, i)| {
            let share = r
                .report06
                .on_time_766()
                .value()
                .unwrap_or(0.0)
                .clamp(0.0, 1.0);
            Bar {
                y: i * 22,
                // Rounded to whole chart units; the exact figure is in the label.
                width: (share * 300.0).round() as u32,
                label: r.name.clone(),
                value: t.pct(r.report06.on_time_766().value()),
            }
        })
        .collect()
}

/// An alert line.
struct AlertLine {
    name: String,
    open: String,
    overdue: String,
    overdue_link: String,
    due_soon: String,
    due_soon_link: String,
}

/// `/can-bo/dieu-hanh`.
#[derive(Template)]
#[template(path = "office/dashboard.html")]
pub struct DashboardPage {
    chrome: Chrome,
    nav: OfficeNav,
    unit: String,
    month: String,
    period: String,
    name: String,
    live: bool,
    at: String,
    headlines: Vec<Headline>,
    total: String,
    alerts: Vec<AlertLine>,
    agencies: Vec<Line>,
    quiet: usize,
    bars: Vec<Bar>,
    chart_height: u32,
    public_link: String,
    /// Whether the agencies are gathered on the period's map.
    period_map: bool,
    /// The day of the map the figures are read on, when not today's.
    map_day: Option<String>,
    /// Agencies whose area straddled the unit on that map, not counted.
    straddling: String,
    /// The tables as files.
    xlsx: String,
    csv_lines: String,
    csv_alerts: String,
    petitions: Vec<(&'static str, String)>,
    documents: Vec<(&'static str, String)>,
    catalogue: Vec<(&'static str, String)>,
    /// The unit's assigned tasks in the period: (label key, value, the tasks behind it).
    tasks: Vec<(&'static str, String, String)>,
    /// The page of the task figures.
    tasks_page: String,
}

/// What a unit's dashboard shows: the unit, the period, the unit's figures, its agencies with
/// dossiers in the period (most received first), how many had none, and the alerts.
struct UnitFigures {
    unit: String,
    period: Period,
    map: UnitMap,
    report: KpiReport,
    active: Vec<KpiReport>,
    quiet: usize,
    alerts: Vec<AgencyAlert>,
}

/// [`UnitFigures`] of `query`: the unit defaults to the officer's, the period to the month in
/// progress.
async fn unit_figures(
    state: &AppState,
    staff: &Staff,
    query: &DashboardQuery,
) -> Result<UnitFigures, PageError> {
    let period = period_of(state, query)?;
    let map = map_param(query.map.as_deref())?;
    let unit = super::home_unit(state, staff, blank(&query.unit)).await?;
    let (report, agencies) = state
        .services
        .kpi_agency_reports(&staff.acting, OnMap::new(&unit, map), period)
        .await?;
    let alerts = state
        .services
        .kpi_alerts(&staff.acting, OnMap::new(&unit, map), period)
        .await?;
    let all = agencies.len();
    let mut active: Vec<KpiReport> = agencies
        .into_iter()
        .filter(|a| a.report06.received > 0 || a.unclassified > 0)
        .collect();
    active.sort_by_key(|a| std::cmp::Reverse(a.report06.received));
    Ok(UnitFigures {
        unit,
        period,
        map,
        report,
        quiet: all - active.len(),
        active,
        alerts: alerts
            .into_iter()
            .filter(|a| a.overdue > 0 || a.due_soon > 0)
            .collect(),
    })
}

/// `GET /can-bo/dieu-hanh?don-vi=CODE&ky=PERIOD` (or `thang=`) ([`unit_figures`]).
pub async fn page(
    State(state): State<AppState>,
    chrome: Chrome,
    staff: Staff,
    Query(query): Query<DashboardQuery>,
) -> Result<Response, PageError> {
    let t = chrome.t;
    let UnitFigures {
        unit,
        period,
        map,
        report,
        active,
        quiet,
        alerts,
    } = unit_figures(&state, &staff, &query).await?;
    let m = encode_component(&period.to_string());
    let alert_link = |agency: &str, kind: &str| {
        format!(
            "/can-bo/dieu-hanh/ho-so?co-quan={}&canh-bao={kind}",
            encode_component(agency)
        )
    };
    let one_agency = report.agencies.len() == 1;
    let unit_list = |measure: Measure| {
        format!(
            "/can-bo/dieu-hanh/ho-so?co-quan={}&ky={m}&chi-so={}",
            encode_component(&unit),
            measure.key()
        )
    };
    let headlines = headlines(
        t,
        &report.report06,
        &report.index,
        one_agency.then_some(&unit_list as &dyn Fn(Measure) -> String),
    );
    let lines = active
        .iter()
        .map(|a| {
            line(
                t,
                a.name.clone(),
                Some(format!(
                    "/can-bo/dieu-hanh/co-quan?co-quan={}&ky={m}",
                    encode_component(&a.unit)
                )),
                &a.report06,
                &a.index,
                None,
            )
        })
        .collect();
    let bars = bars(t, &active[..active.len().min(20)]);
    let figures = state
        .services
        .task_figures(&staff.acting, &unit, period)
        .await?;
    let (tasks, tasks_page) = super::task_board::summary(t, &figures);
    let on_map = map_suffix(map);
    let files = format!("?don-vi={}&ky={m}{on_map}", encode_component(&unit));
    let page = DashboardPage {
        nav: OfficeNav::of(&staff),
        unit: unit.clone(),
        month: period.to_string(),
        period: period_label(t, period),
        name: report.name.clone(),
        live: report.live,
        at: t.datetime(&report.at),
        headlines,
        petitions: petition_rows(&t, &report.petitions),
        documents: document_rows(&t, &report.documents),
        catalogue: report
            .catalogue
            .as_ref()
            .map(|c| catalogue_rows(&t, c))
            .unwrap_or_default(),
        total: points(t, &report.index),
        alerts: alerts
            .iter()
            .map(|a| AlertLine {
                name: a.name.clone(),
                open: t.num(a.open),
                overdue: t.num(a.overdue),
                overdue_link: alert_link(&a.agency, "qua-han"),
                due_soon: t.num(a.due_soon),
                due_soon_link: alert_link(&a.agency, "sap-den-han"),
            })
            .collect(),
        quiet,
        chart_height: u32::try_from(bars.len()).unwrap_or(0) * 22,
        bars,
        agencies: lines,
        public_link: format!(
            "/dieu-hanh?don-vi={}&ky={m}{on_map}",
            encode_component(&unit)
        ),
        period_map: map == UnitMap::Period,
        map_day: report.map_day.map(|d| t.date(d)),
        straddling: report.straddling.join("; "),
        xlsx: format!("/can-bo/dieu-hanh/xuat.xlsx{files}"),
        csv_lines: format!("/can-bo/dieu-hanh/xuat.csv{files}&bang=co-quan"),
        csv_alerts: format!("/can-bo/dieu-hanh/xuat.csv{files}&bang=canh-bao"),
        tasks,
        tasks_page,
        chrome,
    };
    Ok(private(StatusCode::OK, render(&page)?))
}

/// `/can-bo/dieu-hanh/co-quan`.
#[derive(Template)]
#[template(path = "office/dashboard_agency.html")]
pub struct AgencyPage {
    chrome: Chrome,
    nav: OfficeNav,
    name: String,
    period: String,
    live: bool,
    at: String,
    headlines: Vec<Headline>,
    procedures: Vec<Line>,
    back: String,
    /// The procedures' table as files.
    xlsx: String,
    csv: String,
}

fn agency_of(query: &DashboardQuery) -> Result<&str, PageError> {
    blank(&query.agency).ok_or_else(|| {
        PageError(AppError::invalid(
            "co-quan",
            "thiếu mã cơ quan",
            "the agency code is missing",
        ))
    })
}

/// `GET /can-bo/dieu-hanh/co-quan?co-quan=CODE&ky=PERIOD`: an agency by procedure.
pub async fn agency(
    State(state): State<AppState>,
    chrome: Chrome,
    staff: Staff,
    Query(query): Query<DashboardQuery>,
) -> Result<Response, PageError> {
    let t = chrome.t;
    let period = period_of(&state, &query)?;
    let agency = agency_of(&query)?;
    let b = state
        .services
        .kpi_breakdown(&staff.acting, agency, period)
        .await?;
    let m = encode_component(&period.to_string());
    let base = format!(
        "/can-bo/dieu-hanh/ho-so?co-quan={}&ky={m}",
        encode_component(agency)
    );
    let agency_list = |measure: Measure| format!("{base}&chi-so={}", measure.key());
    let procedures = b
        .procedures
        .iter()
        .map(|p| {
            let list = |measure: Measure| {
                format!(
                    "{base}&thu-tuc={}&chi-so={}",
                    encode_component(&p.procedure),
                    measure.key()
                )
            };
            line(
                t,
                format!("{} — {}", p.procedure, p.name),
                None,
                &p.row,
                &p.index,
                Some(&list),
            )
        })
        .collect();
    let page = AgencyPage {
        nav: OfficeNav::of(&staff),
        name: b.report.name.clone(),
        period: period_label(t, period),
        live: b.report.live,
        at: t.datetime(&b.report.at),
        headlines: headlines(t, &b.report.report06, &b.report.index, Some(&agency_list)),
        procedures,
        back: format!("/can-bo/dieu-hanh?ky={m}"),
        xlsx: format!(
            "/can-bo/dieu-hanh/co-quan.xlsx?co-quan={}&ky={m}",
            encode_component(agency)
        ),
        csv: format!(
            "/can-bo/dieu-hanh/co-quan.csv?co-quan={}&ky={m}",
            encode_component(agency)
        ),
        chrome,
    };
    Ok(private(StatusCode::OK, render(&page)?))
}

/// One dossier of a list.
struct ListRow {
    code: String,
    link: String,
    procedure: String,
    status: String,
    received: String,
    due: String,
    finished: String,
    share: String,
}

/// How many rows a list shows; the count above it says how many there are.
const LIST_LIMIT: usize = 500;

/// `/can-bo/dieu-hanh/ho-so`.
#[derive(Template)]
#[template(path = "office/dashboard_dossiers.html")]
pub struct DossiersPage {
    chrome: Chrome,
    nav: OfficeNav,
    title: String,
    subtitle: String,
    count: String,
    shown: usize,
    total: usize,
    rows: Vec<ListRow>,
    back: String,
    /// The same list as files.
    xlsx: String,
    csv: String,
}

fn list_row(t: Tr, d: &DossierLine, share: String) -> ListRow {
    ListRow {
        link: format!("/can-bo/ho-so/{}", encode_component(&d.code)),
        code: d.code.clone(),
        procedure: format!("{} — {}", d.procedure, d.procedure_name),
        status: view::status(t, d.status),
        received: view::when(t, d.received_at),
        due: view::when(t, d.due_at),
        finished: view::when(t, d.finished_at),
        share,
    }
}

/// The dossiers behind a number: what they explain, each with whether it is in the
/// ratio's numerator (none for an alert's list), and where the list leads back to.
struct Behind {
    title: String,
    subtitle: String,
    lines: Vec<(DossierLine, Option<bool>)>,
    back: String,
}

/// "Unit — period": what a list or a file of the dashboard is about.
fn heading(t: Tr, report: &KpiReport, period: Period) -> String {
    format!("{} — {}", report.name, period_label(t, period))
}

/// The list `query` asks for: `co-quan=CODE&ky=…&chi-so=…&phan=…[&thu-tuc=…]`, or
/// `co-quan=CODE&canh-bao=qua-han|sap-den-han`.
async fn behind(
    state: &AppState,
    t: Tr,
    staff: &Staff,
    query: &DashboardQuery,
) -> Result<Behind, PageError> {
    let agency = agency_of(query)?;
    let back_to_agency = |p: Period| {
        format!(
            "/can-bo/dieu-hanh/co-quan?co-quan={}&ky={}",
            encode_component(agency),
            encode_component(&p.to_string())
        )
    };
    if let Some(alert) = blank(&query.alert) {
        let (urgency, key) = match alert {
            "qua-han" => (Urgency::Overdue, "office.urgency.overdue"),
            "sap-den-han" => (Urgency::DueSoon, "office.urgency.due_soon"),
            _ => {
                return Err(PageError(AppError::invalid(
                    "canh-bao",
                    "phải là qua-han hoặc sap-den-han",
                    "must be qua-han or sap-den-han",
                )));
            }
        };
        let lines = state
            .services
            .kpi_alert_dossiers(&staff.acting, agency, urgency)
            .await?;
        return Ok(Behind {
            title: t.t(key).to_owned(),
            subtitle: agency.to_owned(),
            lines: lines.into_iter().map(|d| (d, None)).collect(),
            back: back_to_agency(Period::month(state.services.current_month())),
        });
    }
    let period = period_of(state, query)?;
    let measure = blank(&query.measure)
        .and_then(Measure::parse)
        .ok_or_else(|| {
            PageError(AppError::invalid(
                "chi-so",
                "không phải chỉ số có thể giải thích",
                "not a measure that can be explained",
            ))
        })?;
    let part = match blank(&query.phan).unwrap_or("mau-so") {
        "tu-so" => Part::Numerator,
        "mau-so" => Part::Denominator,
        "chua-dat" => Part::Missing,
        _ => {
            return Err(PageError(AppError::invalid(
                "phan",
                "phải là tu-so, mau-so hoặc chua-dat",
                "must be tu-so, mau-so or chua-dat",
            )));
        }
    };
    let procedure = blank(&query.procedure);
    let b = state
        .services
        .kpi_breakdown(&staff.acting, agency, period)
        .await?;
    let lines = b
        .dossiers
        .into_iter()
        .filter(|d| procedure.is_none_or(|p| d.line.procedure == p))
        .filter_map(|d| {
            let share = measure.ratio(&d.row, &d.input);
            part.holds(share)
                .then_some((d.line, Some(share.numerator > 0)))
        })
        .collect();
    let part_key = match part {
        Part::Numerator => "office.dashboard.numerator",
        Part::Denominator => "office.dashboard.denominator",
        Part::Missing => "office.dashboard.missing",
    };
    let mut subtitle = heading(t, &b.report, period);
    if let Some(p) = procedure {
        subtitle.push_str(&format!(" — {p}"));
    }
    Ok(Behind {
        title: format!("{}: {}", measure_name(t, measure), t.t(part_key)),
        subtitle,
        lines,
        back: back_to_agency(period),
    })
}

/// `GET /can-bo/dieu-hanh/ho-so?…` ([`behind`]): the dossiers behind a number, with links to
/// the same list as xlsx and CSV.
pub async fn dossiers(
    State(state): State<AppState>,
    chrome: Chrome,
    staff: Staff,
    Query(query): Query<DashboardQuery>,
    OriginalUri(uri): OriginalUri,
) -> Result<Response, PageError> {
    let t = chrome.t;
    let Behind {
        title,
        subtitle,
        lines,
        back,
    } = behind(&state, t, &staff, &query).await?;
    let rows: Vec<ListRow> = lines
        .iter()
        .map(|(d, inside)| {
            let mark = match inside {
                None => "",
                Some(true) => t.t("office.dashboard.in_numerator"),
                Some(false) => t.t("office.dashboard.not_in_numerator"),
            };
            list_row(t, d, mark.to_owned())
        })
        .collect();
    let asked = uri.query().map(|q| format!("?{q}")).unwrap_or_default();
    let total = rows.len();
    let page = DossiersPage {
        nav: OfficeNav::of(&staff),
        title,
        subtitle,
        count: t.num(total as u64),
        shown: total.min(LIST_LIMIT),
        total,
        rows: rows.into_iter().take(LIST_LIMIT).collect(),
        back,
        xlsx: format!("/can-bo/dieu-hanh/ho-so.xlsx{asked}"),
        csv: format!("/can-bo/dieu-hanh/ho-so.csv{asked}"),
        chrome,
    };
    Ok(private(StatusCode::OK, render(&page)?))
}

/// The list of [`behind`] as a file `write` makes of it: Vietnamese and English side by
/// side, every dossier (the page shows the first 500), never kept by a shared cache.
async fn list_file(
    state: &AppState,
    staff: &Staff,
    query: &DashboardQuery,
    write: fn(DossierList<'_>) -> Result<Export, ExportError>,
) -> Result<Response, PageError> {
    let vi = Tr { lang: Lang::Vi };
    let en = Tr { lang: Lang::En };
    let b = behind(state, vi, staff, query).await?;
    let dossiers: Vec<ListedDossier> = b
        .lines
        .iter()
        .map(|(d, inside)| ListedDossier {
            code: d.code.clone(),
            procedure: format!("{} — {}", d.procedure, d.procedure_name),
            status: (view::status(vi, d.status), view::status(en, d.status)),
            received: view::when(vi, d.received_at),
            due: view::when(vi, d.due_at),
            finished: view::when(vi, d.finished_at),
            in_numerator: *inside,
        })
        .collect();
    not_kept(write(DossierList {
        title: &b.title,
        subtitle: &b.subtitle,
        dossiers: &dossiers,
    }))
}

/// A file of the dashboard, which only its reader may keep: never a shared cache.
fn not_kept(file: Result<Export, ExportError>) -> Result<Response, PageError> {
    let mut response = download(file)?;
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}

/// `GET /can-bo/dieu-hanh/ho-so.xlsx?…`: the list of [`dossiers`] as a workbook.
pub async fn dossiers_xlsx(
    State(state): State<AppState>,
    staff: Staff,
    Query(query): Query<DashboardQuery>,
) -> Result<Response, PageError> {
    list_file(&state, &staff, &query, export::dossier_list_workbook).await
}

/// `GET /can-bo/dieu-hanh/ho-so.csv?…`: the list of [`dossiers`] as CSV.
pub async fn dossiers_csv(
    State(state): State<AppState>,
    staff: Staff,
    Query(query): Query<DashboardQuery>,
) -> Result<Response, PageError> {
    list_file(&state, &staff, &query, export::dossier_list_csv).await
}

/// The CSV table `bang=` names among `allowed` (the first when absent).
fn table_of(
    query: &DashboardQuery,
    allowed: &[(&str, FigureTable)],
) -> Result<FigureTable, PageError> {
    let asked = blank(&query.bang);
    let found = match asked {
        None => allowed.first(),
        Some(asked) => allowed.iter().find(|(slug, _)| *slug == asked),
    };
    found.map(|(_, table)| *table).ok_or_else(|| {
        let names = allowed.iter().map(|(slug, _)| *slug).collect::<Vec<_>>();
        let names = names.join(", ");
        PageError(AppError::invalid(
            "bang",
            &format!("phải là một trong: {names}"),
            &format!("must be one of: {names}"),
        ))
    })
}

/// The tables of a unit's dashboard ([`unit_figures`]) as a workbook, or the one `bang=`
/// names as CSV. Headers in Vietnamese and English; every active agency, unlike the chart.
async fn unit_file(
    state: &AppState,
    staff: &Staff,
    query: &DashboardQuery,
    csv: bool,
) -> Result<Response, PageError> {
    let table = csv
        .then(|| {
            table_of(
                query,
                &[
                    ("co-quan", FigureTable::Lines),
                    ("canh-bao", FigureTable::Alerts),
                ],
            )
        })
        .transpose()?;
    let f = unit_figures(state, staff, query).await?;
    let vi = Tr { lang: Lang::Vi };
    let mut subtitle = heading(vi, &f.report, f.period);
    if let Some(day) = f.report.map_day {
        // A file read apart from the page says which map its units are drawn on.
        subtitle = format!(
            "{subtitle} ({} {})",
            vi.t("portal.board.map_of"),
            vi.date(day)
        );
    }
    let lines: Vec<FigureLine<'_>> = f
        .active
        .iter()
        .map(|a| FigureLine {
            code: &a.unit,
            name: &a.name,
            row: &a.report06,
            index: &a.index,
        })
        .collect();
    let figures = Figures {
        subtitle: &subtitle,
        kind: LineKind::Agencies,
        lines: &lines,
        alerts: Some(&f.alerts),
    };
    figures_file(figures, table)
}

/// `figures` as CSV of `table`, or as a workbook of every table when `table` is none.
fn figures_file(figures: Figures<'_>, table: Option<FigureTable>) -> Result<Response, PageError> {
    not_kept(match table {
        Some(table) => export::figures_csv(figures, table),
        None => export::figures_workbook(figures),
    })
}

/// `GET /can-bo/dieu-hanh/xuat.xlsx?don-vi=CODE&ky=PERIOD`: the agencies' and the alerts'
/// tables of [`page`].
pub async fn unit_xlsx(
    State(state): State<AppState>,
    staff: Staff,
    Query(query): Query<DashboardQuery>,
) -> Result<Response, PageError> {
    unit_file(&state, &staff, &query, false).await
}

/// `GET /can-bo/dieu-hanh/xuat.csv?don-vi=CODE&ky=PERIOD&bang=co-quan|canh-bao`.
pub async fn unit_csv(
    State(state): State<AppState>,
    staff: Staff,
    Query(query): Query<DashboardQuery>,
) -> Result<Response, PageError> {
    unit_file(&state, &staff, &query, true).await
}

/// The procedures' table of [`agency`] as a workbook or as CSV.
async fn agency_file(
    state: &AppState,
    staff: &Staff,
    query: &DashboardQuery,
    csv: bool,
) -> Result<Response, PageError> {
    let table = csv
        .then(|| table_of(query, &[("thu-tuc", FigureTable::Lines)]))
        .transpose()?;
    let period = period_of(state, query)?;
    let agency = agency_of(query)?;
    let b = state
        .services
        .kpi_breakdown(&staff.acting, agency, period)
        .await?;
    let subtitle = heading(Tr { lang: Lang::Vi }, &b.report, period);
    let lines: Vec<FigureLine<'_>> = b
        .procedures
        .iter()
        .map(|p| FigureLine {
            code: &p.procedure,
            name: &p.name,
            row: &p.row,
            index: &p.index,
        })
        .collect();
    let figures = Figures {
        subtitle: &subtitle,
        kind: LineKind::Procedures,
        lines: &lines,
        alerts: None,
    };
    figures_file(figures, table)
}

/// `GET /can-bo/dieu-hanh/co-quan.xlsx?co-quan=CODE&ky=PERIOD`: [`agency`]'s procedures.
pub async fn agency_xlsx(
    State(state): State<AppState>,
    staff: Staff,
    Query(query): Query<DashboardQuery>,
) -> Result<Response, PageError> {
    agency_file(&state, &staff, &query, false).await
}

/// `GET /can-bo/dieu-hanh/co-quan.csv?co-quan=CODE&ky=PERIOD`.
pub async fn agency_csv(
    State(state): State<AppState>,
    staff: Staff,
    Query(query): Query<DashboardQuery>,
) -> Result<Response, PageError> {
    agency_file(&state, &staff, &query, true).await
}
