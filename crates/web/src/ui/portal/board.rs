//! `/dieu-hanh`: a unit's published results of a period (a month, a quarter, a year or a run
//! of months), open to everyone (the reform plan asks for monthly publication): the Biểu 06
//! figures, both on-time rates, the Decision 766
//! index with the counts behind each ratio, twelve months of trend as a chart that prints
//! without JavaScript, and the ranking of the unit's communes.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Html;
use motcua_domain::kpi::Ratio;
use motcua_domain::kpi::index766::{Indicator, Score};
use motcua_domain::kpi::period::{Period, Span};
use serde::Deserialize;

use crate::AppState;
use crate::error::{AppError, PageError};
use crate::i18n::{Lang, Tr};
use crate::ui::{Chrome, render};

/// The query: every parameter is text so a bad one gets a clear 422.
#[derive(Debug, Deserialize)]
pub struct BoardQuery {
    /// Unit or agency code.
    #[serde(rename = "don-vi")]
    unit: Option<String>,
    /// The period: a month YYYY-MM, a quarter YYYY-Qn, a year YYYY or YYYY-MM..YYYY-MM.
    thang: Option<String>,
    /// The same, under its own name (`ky`, kỳ); wins over `thang` when both are given.
    ky: Option<String>,
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
}

/// One bar of the trend chart, in SVG user units.
struct Bar {
    x: u32,
    y: u32,
    height: u32,
    label: String,
    value: String,
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
    unit: String,
    month: String,
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

fn board(t: &Tr, b: &motcua_service::kpi::KpiBoard) -> Board {
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
        period: match t.lang {
            Lang::Vi => r.period.label_vi(),
            Lang::En => r.period.label_en(),
        },
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
    }
}

/// `GET /dieu-hanh?don-vi=CODE&thang=PERIOD` (or `ky=PERIOD`): a month `2026-10`, a
/// quarter `2026-Q3`, a year `2026` or months `2026-01..2026-06`.
pub async fn page(
    State(state): State<AppState>,
    chrome: Chrome,
    Query(query): Query<BoardQuery>,
) -> Result<Html<String>, PageError> {
    let unit = query.unit.unwrap_or_default().trim().to_owned();
    let (field, asked) = match query.ky.filter(|k| !k.trim().is_empty()) {
        Some(ky) => ("ky", ky),
        None => ("thang", query.thang.unwrap_or_default()),
    };
    let asked = asked.trim().to_owned();
    let period: Period = if asked.is_empty() {
        Period::month(state.services.current_month())
    } else {
        asked.parse().map_err(|_| {
            PageError(AppError::invalid(
                field,
                &format!(
                    "kỳ «{asked}» phải có dạng YYYY-MM (tháng), YYYY-Qn (quý), YYYY (năm) hoặc YYYY-MM..YYYY-MM"
                ),
                &format!(
                    "the period «{asked}» must read YYYY-MM (month), YYYY-Qn (quarter), YYYY (year) or YYYY-MM..YYYY-MM"
                ),
            ))
        })?
    };
    let found = if unit.is_empty() {
        None
    } else {
        let b = state.services.published_kpi(&unit, period).await?;
        Some(board(&chrome.t, &b))
    };
    let page = BoardPage {
        chrome,
        unit,
        month: period.to_string(),
        found,
    };
    render(&page)
}
