//! `motcua kpi …`: a unit's figures for a month, a quarter, a year or a run of months (Biểu
//! 06 and the Decision 766 index) from the counters, the counters rebuilt or checked against
//! the event log, and figures computed elsewhere imported from CSV.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use clap::{Args, Subcommand};
use motcua_domain::kpi::Ratio;
use motcua_domain::kpi::index766::Score;
use motcua_domain::kpi::period::Period;
use motcua_service::Acting;
use motcua_service::kpi::{KpiReport, OnMap, UnitMap};
use motcua_storage::StoreConfig;
use motcua_web::export::{self, Export, Published, Table};
use serde_json::json;

/// `motcua kpi --unit CODE [--period 2026-10|2026-Q3|2026|2026-01..2026-06] [--json |
/// --xlsx FILE | --csv FILE [--table T] | --form06 FILE]`, or a subcommand.
#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct KpiArgs {
    #[command(subcommand)]
    command: Option<KpiCommand>,
    /// Administrative unit code (24 for Bắc Ninh, a commune's code) or an agency's
    /// identifier code (000.00.13.H05).
    #[arg(long)]
    unit: Option<String>,
    /// The period: a month (2026-10), a quarter (2026-Q3), a year (2026) or a run of months
    /// (2026-01..2026-06); default the month in progress. A period containing the month in
    /// progress classifies its open dossiers now.
    #[arg(long)]
    period: Option<String>,
    /// The map of units: hien-nay (today's, default: an agency of a unit since merged
    /// counts in the unit it went into) or ky (the period's: a merged unit as it was then,
    /// e.g. `--unit 27 --period 2025-05 --map ky` for the old province of Bắc Ninh).
    #[arg(long, default_value = "hien-nay", value_parser = map_of)]
    map: UnitMap,
    /// Print JSON for machines.
    #[arg(long)]
    json: bool,
    /// Write the published page's tables to this xlsx workbook, a sheet per table (the
    /// file `/dieu-hanh/xuat.xlsx` serves).
    #[arg(long, value_name = "FILE")]
    xlsx: Option<PathBuf>,
    /// Write one table of the published page to this CSV file (see --table).
    #[arg(long, value_name = "FILE")]
    csv: Option<PathBuf>,
    /// The table --csv writes: bieu06, chi-so (766 index), xu-huong (trend), xep-hang
    /// (ranking), so-lieu-nhap (imported figures), nhiem-vu (the public plans' tasks).
    #[arg(long, default_value = "bieu06", requires = "csv")]
    table: String,
    /// Write the Biểu số 06/VPCP/KSTT report in the form's layout, a row per agency, to
    /// this xlsx file (the file `/dieu-hanh/bieu-06.xlsx` serves).
    #[arg(long, value_name = "FILE")]
    form06: Option<PathBuf>,
}

/// `--map`.
fn map_of(s: &str) -> Result<UnitMap, String> {
    s.parse()
}

/// Writes an export to `path` and says so.
fn save(out: &mut impl Write, path: &Path, file: &Export) -> anyhow::Result<()> {
    std::fs::write(path, &file.bytes).with_context(|| format!("{}", path.display()))?;
    writeln!(
        out,
        "Đã ghi / wrote {} ({} byte)",
        path.display(),
        file.bytes.len()
    )?;
    Ok(())
}

/// Counter maintenance.
#[derive(Debug, Subcommand)]
pub enum KpiCommand {
    /// Recompute every counter from the event log and replace the stored ones (needed once
    /// on a database that had dossiers before the counters existed).
    Rebuild,
    /// Recompute the counters from the event log and compare them with the stored ones;
    /// fails if they differ.
    Check,
    /// Import figures computed elsewhere (e-ID accounts, public investment, …) from a CSV
    /// file with the header `don_vi,thang,ma,ten,gia_tri,don_vi_tinh,nguon`, all or none.
    Import {
        /// The CSV file (UTF-8; Excel's byte-order mark is fine).
        file: std::path::PathBuf,
    },
}

fn percent(r: Option<Ratio>) -> String {
    r.map_or_else(
        || "—".to_owned(),
        |r| {
            format!(
                "{} / {}",
                r.explain_vi(),
                r.percent_en(2).unwrap_or_else(|| "—".into())
            )
        },
    )
}

fn print_report(out: &mut impl Write, r: &KpiReport) -> std::io::Result<()> {
    let row = &r.report06;
    let c = &row.counts;
    writeln!(
        out,
        "{} ({}) — {} / {} ({}){}",
        r.name,
        r.unit,
        r.period.label_vi(),
        r.period.label_en(),
        r.period,
        if r.live {
            " (đang diễn ra / in progress)"
        } else {
            ""
        }
    )?;
    writeln!(
        out,
        "Cơ quan / agencies: {}; số liệu tại / figures at {}",
        r.agencies.len(),
        r.at
    )?;
    if let Some(day) = r.map_day {
        writeln!(
            out,
            "Theo bản đồ đơn vị hành chính ngày {} / on the map of administrative units of {day}",
            day.format("%d/%m/%Y")
        )?;
    }
    if !r.straddling.is_empty() {
        writeln!(
            out,
            "Không tính (địa bàn chỉ một phần thuộc đơn vị) / not counted (their area lay only partly in the unit): {}",
            r.straddling.join("; ")
        )?;
    }
    writeln!(out, "\nBiểu 06/VPCP/KSTT")?;
    writeln!(
        out,
        "  Tiếp nhận / received: {} (kỳ trước chuyển sang / carried over {}, trực tuyến / online {}, trực tiếp / desk {}, bưu chính / post {})",
        row.received, c.carried_over, c.online, c.in_person, c.postal
    )?;
    writeln!(
        out,
        "  Đã giải quyết / resolved: {} (trước hạn / early {}, đúng hạn / on time {}, quá hạn / late {})",
        row.resolved, c.early, c.on_time, c.late
    )?;
    writeln!(
        out,
        "  Đang giải quyết / in progress: {} (trong hạn / within time {}, quá hạn / overdue {})",
        row.in_progress, c.within_time, c.overdue
    )?;
    writeln!(
        out,
        "  Không quy định thời hạn (không xếp loại) / without a time limit (not classified): {}",
        r.unclassified
    )?;
    writeln!(
        out,
        "  Đúng hạn (766) / on time (766): {}",
        percent(Some(row.on_time_766()))
    )?;
    writeln!(
        out,
        "  Đúng hạn (đã giải quyết) / on time (resolved): {}",
        percent(Some(row.on_time_resolved()))
    )?;
    let p = &r.petitions;
    writeln!(
        out,
        "\nPhản ánh, kiến nghị / feedback and petitions: {} (thủ tục / procedures {}, cán bộ / staff {}); đúng hạn / on time (5.2) {}; hài lòng / satisfaction (5.3) {}",
        p.received,
        p.about_procedures,
        p.about_staff,
        percent(Some(p.on_time_ratio())),
        percent(Some(p.satisfaction_ratio()))
    )?;
    if let Some(c) = &r.catalogue {
        writeln!(
            out,
            "Danh mục (hôm nay) / catalogue (today): công bố / published {} (nội bộ / internal {}), trực tuyến toàn trình / full-process online {}, một phần / partial {}, cắt giảm thời hạn / time limit cut {}, phương án đã duyệt / plans approved {}",
            c.published_public,
            c.published_internal,
            c.full_process,
            c.partial,
            c.local_limit_cut,
            c.plans_approved_in_all()
        )?;
    }
    writeln!(out, "\nChỉ số 766 / Decision 766 index")?;
    for s in &r.index.indicators {
        let score = match s.score.points() {
            Some(points) => format!("{} / {}", points.format_vi(), s.max.format_vi()),
            None if s.score == Score::NotMeasured => "chưa đo / not measured".to_owned(),
            None => "không tính / excluded".to_owned(),
        };
        writeln!(
            out,
            "  {:<5} {:<60} {:<28} {}{}",
            s.indicator.code(),
            s.indicator.spec().name_vi,
            score,
            percent(s.ratio),
            if s.imported {
                " (nhập / imported)"
            } else {
                ""
            }
        )?;
    }
    for g in &r.index.groups {
        writeln!(
            out,
            "  Nhóm / group {} {}: {} / {}",
            g.group.number(),
            g.group.name_vi(),
            g.points.format_vi(),
            g.out_of.format_vi()
        )?;
    }
    writeln!(
        out,
        "  Tổng / total: {} / {} ({} chỉ số chưa đo / indicators not measured)",
        r.index.total.points.format_vi(),
        r.index.total.out_of.format_vi(),
        r.index.total.not_measured.len()
    )
}

/// Runs `motcua kpi`.
pub async fn run(args: KpiArgs, config: &StoreConfig) -> anyhow::Result<()> {
    let services = crate::services(config).await?;
    let acting = Acting::cli("kpi");
    let mut out = std::io::stdout().lock();
    match args.command {
        Some(KpiCommand::Rebuild) => {
            let agencies = services.rebuild_kpi_counts(&acting).await?;
            writeln!(
                out,
                "Đã tính lại số liệu từ nhật ký cho {agencies} cơ quan / rebuilt the counters of {agencies} agencies from the log"
            )?;
        }
        Some(KpiCommand::Check) => {
            if !services.kpi_counts_match_log().await? {
                bail!(
                    "số liệu lưu khác số liệu tính lại từ nhật ký: chạy `motcua kpi rebuild` / the stored counters differ from the log's: run `motcua kpi rebuild`"
                );
            }
            writeln!(out, "Số liệu khớp với nhật ký / the counters match the log")?;
        }
        Some(KpiCommand::Import { file }) => {
            let text = std::fs::read_to_string(&file).with_context(|| {
                format!(
                    "không đọc được tệp / cannot read the file {}",
                    file.display()
                )
            })?;
            let n = services.import_kpi_csv(&acting, &text).await?;
            writeln!(
                out,
                "Đã nhập {n} số liệu từ {0} / imported {n} figures from {0}",
                file.display()
            )?;
        }
        None => {
            let Some(unit) = args.unit else {
                bail!(
                    "thiếu --unit (mã đơn vị hoặc cơ quan) / --unit (a unit or agency code) is missing"
                );
            };
            let period: Period = match args.period {
                Some(p) => p.parse().context("--period")?,
                None => Period::month(services.current_month()),
            };
            let on = OnMap::new(&unit, args.map);
            // The exports are of the published figures, open to everyone.
            if args.xlsx.is_some() || args.csv.is_some() || args.form06.is_some() {
                let table = Table::parse(&args.table).with_context(|| {
                    format!(
                        "--table: bảng phải là bieu06, chi-so, xu-huong, xep-hang, so-lieu-nhap hoặc nhiem-vu / the table must be bieu06, chi-so, xu-huong, xep-hang, so-lieu-nhap or nhiem-vu, not «{}»",
                        args.table
                    )
                })?;
                if args.xlsx.is_some() || args.csv.is_some() {
                    let board = services.published_kpi(on, period).await?;
                    let imported = services.imported_kpi(&unit, period).await?;
                    let tasks = services.public_task_figures(&unit, period).await?;
                    let page = Published {
                        board: &board,
                        imported: &imported,
                        tasks: &tasks,
                    };
                    if let Some(path) = &args.xlsx {
                        save(&mut out, path, &export::workbook(page)?)?;
                    }
                    if let Some(path) = &args.csv {
                        save(&mut out, path, &export::csv(page, table)?)?;
                    }
                }
                if let Some(path) = &args.form06 {
                    let form = services.published_report06(on, period).await?;
                    save(&mut out, path, &export::form06(&form)?)?;
                }
            } else if args.json {
                let report = services.kpi_report(&acting, on, period).await?;
                let doc = json!({
                    "unit": report.unit,
                    "name": report.name,
                    "period": report.period,
                    "period_vi": report.period.label_vi(),
                    "period_en": report.period.label_en(),
                    "first_month": report.period.first().to_string(),
                    "last_month": report.period.last().to_string(),
                    "live": report.live,
                    "at": report.at,
                    "agencies": report.agencies,
                    "report06": report.report06,
                    "unclassified": report.unclassified,
                    "on_time_766": report.report06.on_time_766(),
                    "on_time_resolved": report.report06.on_time_resolved(),
                    "index766": report.index,
                    "petitions": report.petitions,
                    "catalogue": report.catalogue,
                    "map_day": report.map_day,
                    "straddling": report.straddling,
                });
                serde_json::to_writer_pretty(&mut out, &doc)?;
                writeln!(out)?;
            } else {
                let report = services.kpi_report(&acting, on, period).await?;
                print_report(&mut out, &report)?;
            }
        }
    }
    Ok(())
}
