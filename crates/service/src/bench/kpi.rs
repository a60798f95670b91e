//! `motcua bench kpi`: the operations centre's reads at the scale of a province's years,
//! against the same figures computed by scanning the `dossiers` projection with `GROUP BY`,
//! measured in the same run.
//!
//! The database is the demo province's reference data (units, catalogue, agencies) with a
//! projection filled synthetically ([`motcua_storage::bench::kpi`]) over 30 months, and the
//! counters derived from those same rows: flows and stock trees, as the write path would
//! have kept them. Two reads are timed:
//!
//! - **every unit**: the month's Biểu 06 row and 766 index of the province, of each of its
//!   agencies and of each of its communes ([`Services::kpi_every_unit`]), against one
//!   `GROUP BY agency` scan comparing instants, summed per unit;
//! - **trend**: the province's twelve monthly rows ([`Services::kpi_trend`]), against one
//!   scan grouping the province's dossiers by months of receipt, appointment and end.
//!
//! Each round times the reference once, then ours once right after the services forget what
//! they keep of units and agencies (the "cold" read, which resolves the unit's agencies and
//! communes again), then ours `repeats` times (their median: the read every request within
//! the next two seconds makes).
//!
//! Before anything is timed both computations run once and must agree on every figure of
//! every unit; the reference computes the Biểu 06 counts, the unclassified dossiers, the
//! electronic results (4.1), late or dissatisfied (5.4) and the 766 on-time ratio (2.1),
//! which are what the projection's columns hold (the components' flags behind 4.2–4.5b
//! live only in the JSON state, and the synthetic dossiers carry none).

use std::collections::{BTreeMap, BTreeSet};
use std::time::Instant;

use chrono::{DateTime, FixedOffset, NaiveDate, TimeZone, Utc};
use motcua_domain::catalog::{Level, LifecycleState, TimeLimit, TimeUnit};
use motcua_domain::kpi::Ratio;
use motcua_domain::kpi::counts::{Metric, Month, ProcedureFlow, Stock};
use motcua_domain::kpi::index766::Indicator;
use motcua_domain::kpi::report06::{Report06Counts, Report06Row};
use motcua_domain::units::AgencyKind;
use motcua_storage::bench::kpi::{self as fill, Cell, FillPlan, MonthFigures};
use motcua_storage::kpi::AgencyCounters;

use crate::demo::{DemoConfig, PROVINCE};
use crate::kpi::{KpiReport, KpiUnits};
use crate::{Acting, ServiceError, ServiceResult, Services};

/// The instant the bench stands at: its clock. Receipts run from 1 July 2025 (the merged
/// province's first day) to it, 30 months, so the last closed month is December 2027.
pub fn bench_now() -> DateTime<Utc> {
    vn(2028, 1, 1, 9)
}

fn vn(y: i32, m: u32, d: u32, h: u32) -> DateTime<Utc> {
    FixedOffset::east_opt(7 * 3600)
        .and_then(|o| o.with_ymd_and_hms(y, m, d, h, 0, 0).single())
        .map_or(DateTime::UNIX_EPOCH, |t| t.to_utc())
}

/// Dossiers written per transaction while filling.
const CHUNK: u64 = 250_000;

/// What [`fill`] did.
#[derive(Debug, Clone, PartialEq)]
pub struct Filled {
    /// Synthetic dossiers in the projection.
    pub dossiers: u64,
    /// The database already held them: nothing was written.
    pub reused: bool,
    /// Agencies the dossiers were spread over.
    pub agencies: usize,
    /// Procedures they were drawn from.
    pub procedures: usize,
    /// Seconds spent writing the projection (indexes included).
    pub fill_seconds: f64,
    /// Seconds spent deriving the counters from it.
    pub derive_seconds: f64,
}

/// A time limit as an approximate span of seconds (a working day ≈ 1.4 calendar days).
fn limit_seconds(limit: &TimeLimit) -> i64 {
    let value = limit.value.as_f64();
    let days = match limit.unit {
        TimeUnit::WorkingDays => value * 1.4,
        TimeUnit::WorkingHours => value / 8.0 * 1.4,
        TimeUnit::Days => value,
        TimeUnit::Months => value * 30.0,
    };
    (days.clamp(0.25, 120.0) * 86_400.0) as i64
}

/// Builds the database of the bench: the demo province without dossiers, `dossiers`
/// synthetic ones, and their counters. A database that already holds exactly them is used
/// as it is; any other with dossiers is refused. `progress(done, total)` follows the fill.
///
/// # Errors
/// A database with other dossiers; storage failures.
pub async fn fill(
    services: &Services,
    dossiers: u64,
    mut progress: impl FnMut(u64, u64) + Send,
) -> ServiceResult<Filled> {
    let store = services.store();
    let (synthetic, all) = fill::count_dossiers(store).await?;
    let existing = u64::try_from(all).unwrap_or(0);
    if existing > 0 {
        if synthetic == all && existing == dossiers && store.kpi_counts_complete().await? {
            return Ok(Filled {
                dossiers,
                reused: true,
                agencies: services.agencies(None).await?.len(),
                procedures: 0,
                fill_seconds: 0.0,
                derive_seconds: 0.0,
            });
        }
        return Err(ServiceError::Refused(format!(
            "cơ sở dữ liệu đã có {all} hồ sơ: hãy dùng một cơ sở dữ liệu mới cho phép đo / \
             the database already holds {all} dossiers: give the bench a new one"
        )));
    }
    services
        .build_demo(
            DemoConfig {
                dossiers: 0,
                seed: 2025,
                months: 12,
                end: Some(bench_now()),
            },
            |_| {},
        )
        .await?;
    let agencies: Vec<(String, u32)> = services
        .agencies(None)
        .await?
        .into_iter()
        .filter(|a| a.agency.kind != AgencyKind::ServiceCentre)
        .enumerate()
        .map(|(i, a)| {
            // Departments carry the heavy files; communes vary from 3 to 12.
            let weight = if a.agency.kind == AgencyKind::CommunePeoplesCommittee {
                3 + (i as u32 * 7) % 10
            } else {
                12
            };
            (a.agency.code.to_string(), weight)
        })
        .collect();
    let mut procedures: Vec<(String, Option<i64>, u32)> = Vec::new();
    let mut without_limit = 0;
    for p in services.export_catalogue().await? {
        if p.state != LifecycleState::Published
            || !p
                .levels
                .iter()
                .any(|l| matches!(l, Level::Province | Level::Commune))
        {
            continue;
        }
        let limit = p.time_limit.as_ref().map(limit_seconds);
        if limit.is_none() {
            // A few procedures without a time limit, drawn rarely (outside Biểu 06).
            if without_limit >= 5 {
                continue;
            }
            without_limit += 1;
        }
        if procedures
            .iter()
            .any(|(code, ..)| *code == p.code.to_string())
        {
            continue;
        }
        procedures.push((p.code.to_string(), limit, 0));
        if procedures.len() >= 300 {
            break;
        }
    }
    // Zipf-like: the busiest procedures take most dossiers.
    for (rank, p) in procedures.iter_mut().enumerate() {
        p.2 = if p.1.is_none() {
            2
        } else {
            u32::try_from(3000 / (rank + 1)).unwrap_or(1).max(1)
        };
    }
    let first = NaiveDate::from_ymd_opt(2025, 7, 1)
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .and_then(|t| t.and_local_timezone(crate::portal::VIETNAM).single())
        .ok_or_else(|| ServiceError::Internal("bench start".into()))?
        .to_utc();
    let plan = FillPlan {
        agencies: agencies.clone(),
        procedures: procedures.clone(),
        first_day: first,
        days: (bench_now() - first).num_days(),
        now: bench_now(),
    };
    let started = Instant::now();
    fill::write_plan(store, &plan).await?;
    let indexes = fill::drop_dossier_indexes(store).await?;
    let mut done = 0;
    while done < dossiers {
        let to = (done + CHUNK).min(dossiers);
        fill::fill_dossiers(store, &plan, done, to).await?;
        done = to;
        progress(done, dossiers);
    }
    fill::create_indexes(store, &indexes).await?;
    let fill_seconds = started.elapsed().as_secs_f64();
    let started = Instant::now();
    let mut counters = derive_counters(&fill::histogram(store, None).await?);
    // Every synthetic procedure counts as an online service (766 indicator 3.2).
    for (agency, month, procedure, n) in fill::online_by_procedure(store).await? {
        counters.entry(agency).or_default().add_procedure_flow(
            month,
            &procedure,
            ProcedureFlow::Online,
            n,
        );
    }
    let uses = services.procedure_uses_of(&counters).await?;
    let mut tx = store.begin().await?;
    motcua_storage::kpi::replace_counts(&mut tx, &counters, &uses).await?;
    tx.commit().await?;
    fill::settle(store).await?;
    Ok(Filled {
        dossiers,
        reused: false,
        agencies: agencies.len(),
        procedures: procedures.len(),
        fill_seconds,
        derive_seconds: started.elapsed().as_secs_f64(),
    })
}

/// The counters the write path would hold for the dossiers of `cells` (grouped by agency):
/// what [`motcua_domain::kpi::counts::contributions`] adds for each, cell by cell.
pub fn derive_counters(cells: &[Cell]) -> AgencyCounters {
    let mut out = AgencyCounters::new();
    for cell in cells {
        let c = out.entry(cell.agency.clone()).or_default();
        let n = cell.count;
        if let Some(ended) = cell.ended {
            // Every synthetic procedure has a document result.
            c.add_flow(ended, Metric::DocumentResult, n);
            c.add_flow(ended, Metric::ElectronicResult, cell.electronic);
            c.add_flow(ended, Metric::RatedSatisfied, cell.ratings[0]);
            c.add_flow(ended, Metric::RatedAcceptable, cell.ratings[1]);
            c.add_flow(ended, Metric::RatedDissatisfied, cell.ratings[2]);
        }
        let Some(due) = cell.due else {
            c.add_flow(cell.received, Metric::Unclassified, n);
            continue;
        };
        let channel = match cell.channel.as_str() {
            "online" => Metric::ReceivedOnline,
            "post" => Metric::ReceivedPost,
            _ => Metric::ReceivedDesk,
        };
        c.add_flow(cell.received, channel, n);
        c.add_flow(due, Metric::Due, n);
        c.add_stock_change(Stock::Open, cell.received, n);
        match cell.ended {
            Some(ended) => {
                let class = match cell.class {
                    Some(0) => Metric::ResolvedEarly,
                    Some(1) => Metric::ResolvedOnTime,
                    _ => Metric::ResolvedLate,
                };
                c.add_flow(ended, class, n);
                c.add_flow(ended, Metric::LateOrDissatisfied, cell.late_or_dissatisfied);
                c.add_flow(due.max(ended), Metric::DueEnded, n);
                c.add_stock_change(Stock::Open, ended, -n);
                if ended > due {
                    c.add_stock_change(Stock::Overdue, due, n);
                    c.add_stock_change(Stock::Overdue, ended, -n);
                }
            }
            None => c.add_stock_change(Stock::Overdue, due, n),
        }
    }
    out.retain(|_, c| {
        c.retain_non_zero();
        !c.is_empty()
    });
    out
}

/// The reference figures of a unit: its agencies' summed.
fn sum_figures(by_agency: &BTreeMap<String, MonthFigures>, agencies: &[String]) -> MonthFigures {
    let mut s = MonthFigures::default();
    for f in agencies.iter().filter_map(|a| by_agency.get(a)) {
        for i in 0..3 {
            s.received[i] += f.received[i];
            s.resolved[i] += f.resolved[i];
        }
        s.carried_over += f.carried_over;
        s.open_at_end += f.open_at_end;
        s.overdue += f.overdue;
        s.unclassified += f.unclassified;
        s.ended += f.ended;
        s.electronic += f.electronic;
        s.late_or_dissatisfied += f.late_or_dissatisfied;
    }
    s
}

fn count(n: i64) -> u64 {
    u64::try_from(n).unwrap_or(0)
}

/// The Biểu 06 counts of reference figures.
fn counts_of(f: &MonthFigures) -> Report06Counts {
    Report06Counts {
        carried_over: count(f.carried_over),
        online: count(f.received[0]),
        in_person: count(f.received[1]),
        postal: count(f.received[2]),
        early: count(f.resolved[0]),
        on_time: count(f.resolved[1]),
        late: count(f.resolved[2]),
        within_time: count(f.open_at_end - f.overdue),
        overdue: count(f.overdue),
    }
}

/// What of `report` the reference checks, or why it differs: `f` and the unit's
/// procedures with a dossier received online (3.2's numerator, capped at its set).
fn check_report(report: &KpiReport, (f, online_used): &(MonthFigures, u64)) -> Result<(), String> {
    let wanted = counts_of(f);
    let row = Report06Row::from_counts(wanted);
    let ratio = |i: Indicator| report.index.indicator(i).and_then(|s| s.ratio);
    let resolved = row.resolved;
    // Measured for the province and its communes, not for one department (no set).
    let services_used = ratio(Indicator::OnlineServicesUsed);
    let checks = [
        (
            "3.2",
            services_used.is_none_or(|r| r.numerator == (*online_used).min(r.denominator))
                && (report.unit != PROVINCE || services_used.is_some()),
        ),
        ("Biểu 06", report.report06.counts == wanted),
        ("unclassified", report.unclassified == count(f.unclassified)),
        (
            "2.1",
            ratio(Indicator::ProcessedOnTime) == Some(row.on_time_766()),
        ),
        (
            "4.1",
            ratio(Indicator::ElectronicResults)
                == Some(Ratio::new(count(f.electronic), count(f.ended))),
        ),
        (
            "5.4",
            ratio(Indicator::DossierSatisfaction)
                == Some(Ratio::new(
                    resolved.saturating_sub(count(f.late_or_dissatisfied)),
                    resolved,
                )),
        ),
    ];
    match checks.iter().find(|(_, ok)| !ok) {
        None => Ok(()),
        Some((what, _)) => Err(format!(
            "{} ({}): {what}: counters {:?}, GROUP BY {wanted:?}",
            report.unit, report.name, report.report06.counts
        )),
    }
}

/// The reference of the month's figures of every unit: one scan, summed per unit, and one
/// scan of the procedures received online, counted once per unit.
async fn reference_every_unit(
    services: &Services,
    units: &[(String, Vec<String>)],
    month: Month,
) -> ServiceResult<Vec<(MonthFigures, u64)>> {
    let offset = crate::portal::VIETNAM;
    let (start, end) = (
        month.start(offset).unwrap_or(DateTime::UNIX_EPOCH),
        month.next().start(offset).unwrap_or(DateTime::UNIX_EPOCH),
    );
    let by_agency: BTreeMap<String, MonthFigures> =
        fill::month_by_agency(services.store(), start, end)
            .await?
            .into_iter()
            .collect();
    let mut online: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (agency, procedure) in fill::online_procedures_between(services.store(), start, end).await?
    {
        online.entry(agency).or_default().push(procedure);
    }
    Ok(units
        .iter()
        .map(|(_, agencies)| {
            let used: BTreeSet<&String> = agencies
                .iter()
                .filter_map(|a| online.get(a))
                .flatten()
                .collect();
            (sum_figures(&by_agency, agencies), used.len() as u64)
        })
        .collect())
}

/// Monthly Biểu 06 counts of the histogram of one unit's dossiers.
fn rows_of_cells(cells: &[Cell], months: &[Month]) -> Vec<(Month, Report06Counts)> {
    months
        .iter()
        .map(|&m| {
            let mut c = Report06Counts::default();
            for cell in cells.iter().filter(|cell| cell.due.is_some()) {
                let n = count(cell.count);
                let open_at =
                    |month: Month| cell.received <= month && cell.ended.is_none_or(|e| e > month);
                if open_at(m.previous()) {
                    c.carried_over += n;
                }
                if cell.received == m {
                    match cell.channel.as_str() {
                        "online" => c.online += n,
                        "post" => c.postal += n,
                        _ => c.in_person += n,
                    }
                }
                if cell.ended == Some(m) {
                    match cell.class {
                        Some(0) => c.early += n,
                        Some(1) => c.on_time += n,
                        _ => c.late += n,
                    }
                }
                if open_at(m) {
                    if cell.due.is_some_and(|d| d <= m) {
                        c.overdue += n;
                    } else {
                        c.within_time += n;
                    }
                }
            }
            (m, c)
        })
        .collect()
}

/// Medians and ratios of one read, over the rounds.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Measured {
    /// Our read's time per round (the median of its repeats), milliseconds.
    pub ours_ms: Vec<f64>,
    /// Our first read of each round, after the services forgot what they keep of units
    /// and agencies (two seconds at most, or until a change): milliseconds.
    pub ours_cold_ms: Vec<f64>,
    /// The reference's time per round, milliseconds.
    pub reference_ms: Vec<f64>,
    /// Reference ÷ ours per round, sorted.
    pub ratios: Vec<f64>,
}

/// The median of `values` (0 for none).
pub fn median(values: &[f64]) -> f64 {
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    match v.len() {
        0 => 0.0,
        n if n % 2 == 1 => v[n / 2],
        n => (v[n / 2 - 1] + v[n / 2]) / 2.0,
    }
}

impl Measured {
    /// The median of the rounds' ratios.
    pub fn ratio(&self) -> f64 {
        median(&self.ratios)
    }
}

/// What [`measure`] found.
#[derive(Debug, Clone, PartialEq)]
pub struct KpiBenchReport {
    /// The unit measured (the province).
    pub unit: String,
    /// The closed month of the every-unit read, and the last month of the trend.
    pub month: Month,
    /// Figures compared in the every-unit read: the unit, its agencies and its units.
    pub reports: usize,
    /// Agencies counted in the unit.
    pub agencies: usize,
    /// Administrative units within it that have agencies.
    pub units: usize,
    /// Every unit's month.
    pub every_unit: Measured,
    /// The unit's twelve months.
    pub trend: Measured,
}

fn ms(started: Instant) -> f64 {
    started.elapsed().as_secs_f64() * 1000.0
}

/// Checks that the counters and the reference agree on every figure, then times both reads
/// in `rounds` rounds: the reference once per round, ours `repeats` times (its median).
///
/// # Errors
/// [`ServiceError::Internal`] naming the first figure that differs; storage failures.
pub async fn measure(
    services: &Services,
    rounds: usize,
    repeats: usize,
) -> ServiceResult<KpiBenchReport> {
    let acting = Acting::cli("bench");
    let unit = PROVINCE;
    let month = Month::of(bench_now(), crate::portal::VIETNAM).previous();
    let months: Vec<Month> = {
        let mut m: Vec<Month> = std::iter::successors(Some(month), |m| Some(m.previous()))
            .take(12)
            .collect();
        m.reverse();
        m
    };

    // Agreement first (and a warm-up of both).
    let ours: KpiUnits = services.kpi_every_unit(&acting, unit, month).await?;
    let reports: Vec<&KpiReport> = std::iter::once(&ours.unit)
        .chain(&ours.agencies)
        .chain(&ours.units)
        .collect();
    let scopes: Vec<(String, Vec<String>)> = reports
        .iter()
        .map(|r| (r.unit.clone(), r.agencies.clone()))
        .collect();
    let reference = reference_every_unit(services, &scopes, month).await?;
    for (report, figures) in reports.iter().zip(&reference) {
        check_report(report, figures).map_err(|e| {
            ServiceError::Internal(format!(
                "bench kpi: số liệu khác nhau / the figures differ: {e}"
            ))
        })?;
    }
    let agencies = ours.unit.agencies.clone();
    let trend = services.kpi_trend(&acting, unit, month).await?;
    let wanted = rows_of_cells(
        &fill::histogram(services.store(), Some(&agencies)).await?,
        &months,
    );
    let got: Vec<(Month, Report06Counts)> = trend.iter().map(|(m, r)| (*m, r.counts)).collect();
    if got != wanted {
        return Err(ServiceError::Internal(format!(
            "bench kpi: xu hướng khác nhau / the trends differ: counters {got:?}, GROUP BY {wanted:?}"
        )));
    }

    let mut every_unit = Measured::default();
    let mut trend_measured = Measured::default();
    for _ in 0..rounds.max(1) {
        let started = Instant::now();
        std::hint::black_box(reference_every_unit(services, &scopes, month).await?);
        let reference = ms(started);
        services.forget_units();
        let started = Instant::now();
        std::hint::black_box(services.kpi_every_unit(&acting, unit, month).await?);
        every_unit.ours_cold_ms.push(ms(started));
        let mut times = Vec::with_capacity(repeats.max(1));
        for _ in 0..repeats.max(1) {
            let started = Instant::now();
            std::hint::black_box(services.kpi_every_unit(&acting, unit, month).await?);
            times.push(ms(started));
        }
        let ours = median(&times);
        every_unit.reference_ms.push(reference);
        every_unit.ours_ms.push(ours);
        every_unit.ratios.push(reference / ours.max(1e-9));

        let started = Instant::now();
        let cells = fill::histogram(services.store(), Some(&agencies)).await?;
        std::hint::black_box(rows_of_cells(&cells, &months));
        let reference = ms(started);
        services.forget_units();
        let started = Instant::now();
        std::hint::black_box(services.kpi_trend(&acting, unit, month).await?);
        trend_measured.ours_cold_ms.push(ms(started));
        let mut times = Vec::with_capacity(repeats.max(1));
        for _ in 0..repeats.max(1) {
            let started = Instant::now();
            std::hint::black_box(services.kpi_trend(&acting, unit, month).await?);
            times.push(ms(started));
        }
        let ours = median(&times);
        trend_measured.reference_ms.push(reference);
        trend_measured.ours_ms.push(ours);
        trend_measured.ratios.push(reference / ours.max(1e-9));
    }
    every_unit.ratios.sort_by(f64::total_cmp);
    trend_measured.ratios.sort_by(f64::total_cmp);
    Ok(KpiBenchReport {
        unit: unit.to_owned(),
        month,
        reports: reports.len(),
        agencies: agencies.len(),
        units: ours.units.len(),
        every_unit,
        trend: trend_measured,
    })
}
