//! `motcua catalog …`: import, export, search and show procedures; publish and withdraw
//! versions; simplification plans.
//!
//! The file layout (CSV and JSON) is documented in `data/catalogue/README.md`. Exported CSV
//! has no byte-order mark unless `--bom` is given, whether it goes to a file or to stdout:
//! the bytes are the same wherever they go, and an export of the bundled catalogue is
//! identical to `data/catalogue/procedures.csv`. Import accepts a BOM either way, so
//! export → import round-trips with or without it.

use std::io::{IsTerminal as _, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context as _, bail};
use chrono::{NaiveDate, TimeDelta};
use clap::{ArgGroup, Args, Subcommand, ValueEnum};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use motcua_domain::catalog::codec::{
    ExportError, ImportError, Progress, export_csv, export_json, import_csv_with_progress,
    import_json_with_progress,
};
use motcua_domain::catalog::simplification::ComplianceCostParams;
use motcua_domain::catalog::{FeeSchedule, Procedure, Publication, shipped};
use motcua_service::catalog::{
    DEFAULT_COST_PARAMS, ImportSummary, PlanDecision, PlanProposal, PlanView,
};
use motcua_service::{Acting, Services};
use motcua_storage::StoreConfig;

/// Files at least this large get a progress bar while they are parsed (when stderr is a
/// terminal); smaller ones parse faster than a bar can draw.
const PROGRESS_MIN_BYTES: usize = 512 * 1024;

/// File format of an import or export.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// CSV, one row per procedure version (data/catalogue/README.md).
    Csv,
    /// A JSON array of procedure objects.
    Json,
}

impl Format {
    /// `json` for a `.json` file name, `csv` for anything else.
    fn of_path(path: &Path) -> Format {
        match path.extension().and_then(|e| e.to_str()) {
            Some(ext) if ext.eq_ignore_ascii_case("json") => Format::Json,
            _ => Format::Csv,
        }
    }
}

/// Procedure catalogue commands.
#[derive(Debug, Subcommand)]
pub enum CatalogCommand {
    /// Import procedures from a CSV or JSON file, or the bundled national catalogue.
    ///
    /// All or nothing: a file with any bad row imports nothing and every problem is listed
    /// with its line (CSV) or array index (JSON) and field. Re-importing the same file
    /// changes nothing. Versions already stored may be revised, published or withdrawn by
    /// the file, never moved back (draft → published → withdrawn).
    #[command(group(ArgGroup::new("source").required(true).args(["file", "bundled"])))]
    Import {
        /// The file (layout: data/catalogue/README.md).
        file: Option<PathBuf>,
        /// Import the national catalogue shipped in the binary (2,849 procedures).
        #[arg(long)]
        bundled: bool,
        /// File format; by default `json` for a .json file, otherwise `csv`.
        #[arg(long, value_enum)]
        format: Option<Format>,
    },
    /// Export every stored version of every procedure, by code and version.
    ///
    /// CSV is written without a byte-order mark unless --bom is given (spreadsheets such as
    /// Excel need it to read UTF-8); import accepts both.
    Export {
        /// File format; by default `json` when --output ends in .json, otherwise `csv`.
        #[arg(long, value_enum)]
        format: Option<Format>,
        /// Write to this file instead of standard output.
        #[arg(long, short)]
        output: Option<PathBuf>,
        /// Start the CSV with a UTF-8 byte-order mark.
        #[arg(long)]
        bom: bool,
    },
    /// Search procedure names, ignoring case and diacritics ("thu tuc ban sao"), best first.
    Search {
        /// Words to look for.
        #[arg(required = true, num_args = 1..)]
        text: Vec<String>,
        /// Show at most this many procedures.
        #[arg(long, default_value_t = 10)]
        limit: usize,
        /// Print JSON for machines.
        #[arg(long)]
        json: bool,
    },
    /// Show a procedure: components, fees, time limit, agencies, legal basis, online level.
    ///
    /// By default the version in force today (Vietnam time); the latest version when none is.
    Show {
        /// Procedure code, e.g. 2.000815.
        code: String,
        /// Show this version.
        #[arg(long, conflicts_with = "on")]
        version: Option<u32>,
        /// Show the version in force on this date (YYYY-MM-DD).
        #[arg(long, value_parser = parse_date)]
        on: Option<NaiveDate>,
        /// Print JSON (the import format).
        #[arg(long)]
        json: bool,
    },
    /// Publish a draft version under a publication decision (quyết định công bố).
    Publish {
        /// Procedure code.
        code: String,
        /// Version to publish; by default the latest.
        #[arg(long)]
        version: Option<u32>,
        /// Decision number, e.g. 163/QĐ-BTP.
        #[arg(long)]
        decision: String,
        /// Decision date (YYYY-MM-DD); the version applies from it unless it has a first day.
        #[arg(long, value_parser = parse_date)]
        date: Option<NaiveDate>,
    },
    /// Withdraw a published version from a date on.
    Withdraw {
        /// Procedure code.
        code: String,
        /// Version to withdraw; by default the latest.
        #[arg(long)]
        version: Option<u32>,
        /// First day it no longer applies (YYYY-MM-DD).
        #[arg(long, value_parser = parse_date)]
        effective: NaiveDate,
    },
    /// Simplification plans (phương án đơn giản hóa) and their compliance-cost saving.
    Plan(PlanArgs),
}

/// `motcua catalog plan …`.
#[derive(Debug, Args)]
pub struct PlanArgs {
    /// Average income per hour in đồng, used to value applicants' time in compliance costs
    /// (Circular 02/2017/TT-VPCP). Default 57000: GDP per capita 2024 ÷ 2,000 working hours,
    /// an assumption; give the province's own figure.
    #[arg(long, global = true, value_name = "VND")]
    hourly_income: Option<f64>,
    #[command(subcommand)]
    command: PlanCommand,
}

/// Example proposal shown by `motcua catalog plan propose --help`.
const PROPOSAL_HELP: &str = r#"The proposal file is JSON:

  {
    "procedure": "2.000635",
    "description": "Trả kết quả điện tử, bỏ bản sao giấy khai sinh",
    "before": {"time_limit": {"value": 4, "unit": "working_days"},
               "fees_vnd": 8000, "components": 2, "steps": 5},
    "after":  {"time_limit": {"value": 3, "unit": "working_days"},
               "fees_vnd": 8000, "components": 1, "steps": 3},
    "cost_before": {"hours": 0, "service_fees_vnd": 0, "charges_vnd": 0,
                    "other_costs_vnd": 1024000, "times_per_year": 1,
                    "subjects_per_year": 3228},
    "cost_after":  {"hours": 0, "service_fees_vnd": 0, "charges_vnd": 0,
                    "other_costs_vnd": 231000, "times_per_year": 1,
                    "subjects_per_year": 3228}
  }

"before"/"after": time_limit may be null; units are working_days, working_hours, days,
months. "cost_before"/"cost_after" are optional; with both, the annual saving is
computed (cost per performance = hours × hourly income + service fees + charges + other
costs; annual = that × times per year × subjects per year). The plan gets the id
<code>-<n>, e.g. 2.000635-1."#;

/// Simplification plan commands.
#[derive(Debug, Subcommand)]
pub enum PlanCommand {
    /// Propose a plan described by a JSON file.
    #[command(after_long_help = PROPOSAL_HELP)]
    Propose {
        /// The proposal (JSON; see --help).
        file: PathBuf,
        /// Print JSON for machines.
        #[arg(long)]
        json: bool,
    },
    /// Approve a proposed plan.
    Approve {
        /// Plan id, e.g. 2.000635-1.
        id: String,
        /// Approving decision number.
        #[arg(long)]
        decision: String,
    },
    /// Reject a proposed plan.
    Reject {
        /// Plan id.
        id: String,
        /// Why.
        #[arg(long)]
        reason: String,
    },
    /// Mark an approved plan as carried out.
    Implement {
        /// Plan id.
        id: String,
        /// The procedure version that carries the simplification.
        #[arg(long)]
        procedure_version: Option<u32>,
    },
    /// List plans with their time cut and saving.
    List {
        /// Only plans of this procedure code.
        #[arg(long)]
        procedure: Option<String>,
        /// Print JSON for machines.
        #[arg(long)]
        json: bool,
    },
}

fn parse_date(text: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").map_err(|_| {
        format!("'{text}' không phải ngày YYYY-MM-DD / '{text}' is not a YYYY-MM-DD date")
    })
}

/// Today's date in Vietnam (UTC+7 all year), by the services' clock.
fn today(services: &Services) -> NaiveDate {
    (services.now() + TimeDelta::hours(7)).date_naive()
}

/// Runs a catalog command.
pub async fn run(command: CatalogCommand, config: &StoreConfig) -> anyhow::Result<()> {
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    match command {
        CatalogCommand::Import {
            file,
            bundled: _,
            format,
        } => {
            // clap makes FILE and --bundled exclusive and requires one of them.
            let procedures = match file {
                Some(file) => read_file(&file, format)?,
                None => parse(shipped::PROCEDURES_CSV, Format::Csv, "bundled catalogue")?,
            };
            let services = crate::services(config).await?;
            let spinner = spinner(
                procedures.len(),
                "Đang ghi vào cơ sở dữ liệu / Writing to the database",
            );
            let summary = services
                .import_catalogue(&Acting::cli("catalog-import"), procedures)
                .await;
            spinner.finish_and_clear();
            let summary = summary?;
            writeln!(out, "{}", summary_line(&summary))?;
        }
        CatalogCommand::Export {
            format,
            output,
            bom,
        } => {
            let format =
                format.unwrap_or_else(|| output.as_deref().map_or(Format::Csv, Format::of_path));
            if bom && format == Format::Json {
                bail!("--bom chỉ dùng cho CSV / --bom applies to CSV only");
            }
            let services = crate::services(config).await?;
            let procedures = services.export_catalogue().await?;
            let mut text = String::new();
            if bom {
                text.push('\u{feff}');
            }
            text.push_str(
                &match format {
                    Format::Csv => export_csv(&procedures),
                    Format::Json => export_json(&procedures),
                }
                .map_err(|e: ExportError| anyhow::anyhow!(e))?,
            );
            match output {
                Some(path) => {
                    std::fs::write(&path, text).with_context(|| {
                        format!("không ghi được tệp / cannot write {}", path.display())
                    })?;
                    eprintln!(
                        "Đã xuất {} phiên bản thủ tục vào {} / exported {} procedure versions to {}",
                        procedures.len(),
                        path.display(),
                        procedures.len(),
                        path.display()
                    );
                }
                None => out.write_all(text.as_bytes())?,
            }
        }
        CatalogCommand::Search { text, limit, json } => {
            let text = text.join(" ");
            let services = crate::services(config).await?;
            let hits = services.search_procedures(&text, limit).await?;
            if json {
                let rows: Vec<serde_json::Value> = hits
                    .iter()
                    .map(|(p, score)| {
                        serde_json::json!({
                            "code": p.code.to_string(),
                            "version": p.version,
                            "name": p.name,
                            "sector": p.sector,
                            "state": p.state.as_str(),
                            "score": score,
                        })
                    })
                    .collect();
                serde_json::to_writer_pretty(&mut out, &rows)?;
                writeln!(out)?;
            } else if hits.is_empty() {
                writeln!(
                    out,
                    "Không tìm thấy thủ tục nào khớp '{text}' / no procedure matches '{text}'"
                )?;
            } else {
                for (i, (p, _)) in hits.iter().enumerate() {
                    writeln!(out, "{:>2}. {}  {}", i + 1, p.code, p.name)?;
                }
            }
        }
        CatalogCommand::Show {
            code,
            version,
            on,
            json,
        } => {
            let services = crate::services(config).await?;
            let versions = services.procedure_versions(&code).await?;
            if versions.is_empty() {
                bail!(
                    "không có thủ tục {code} trong danh mục / procedure {code} is not in the catalogue"
                );
            }
            let (procedure, note) = match (version, on) {
                (Some(v), _) => (
                    versions.iter().find(|p| p.version == v).cloned().with_context(|| {
                        format!("thủ tục {code} không có phiên bản {v} / procedure {code} has no version {v}")
                    })?,
                    None,
                ),
                (None, on) => {
                    let date = on.unwrap_or_else(|| today(&services));
                    match services.procedure(&code, date).await? {
                        Some(p) => (p, None),
                        None => (
                            versions.last().cloned().with_context(|| code.clone())?,
                            Some(format!(
                                "(không có phiên bản nào có hiệu lực ngày {date}; đây là phiên bản mới nhất / no version is in force on {date}; this is the latest)"
                            )),
                        ),
                    }
                }
            };
            if json {
                serde_json::to_writer_pretty(&mut out, &procedure)?;
                writeln!(out)?;
            } else {
                if let Some(note) = note {
                    writeln!(out, "{note}")?;
                }
                write_procedure(&mut out, &procedure)?;
            }
        }
        CatalogCommand::Publish {
            code,
            version,
            decision,
            date,
        } => {
            let services = crate::services(config).await?;
            let version = version_or_latest(&services, &code, version).await?;
            let p = services
                .publish_procedure(
                    &Acting::cli("catalog-publish"),
                    &code,
                    version,
                    Publication {
                        decision_no: decision,
                        date,
                    },
                )
                .await?;
            writeln!(
                out,
                "Đã công bố thủ tục {} v{} / published procedure {} v{}",
                p.code, p.version, p.code, p.version
            )?;
        }
        CatalogCommand::Withdraw {
            code,
            version,
            effective,
        } => {
            let services = crate::services(config).await?;
            let version = version_or_latest(&services, &code, version).await?;
            let p = services
                .withdraw_procedure(&Acting::cli("catalog-withdraw"), &code, version, effective)
                .await?;
            writeln!(
                out,
                "Đã bãi bỏ thủ tục {} v{} từ ngày {effective} / withdrew procedure {} v{} from {effective}",
                p.code, p.version, p.code, p.version
            )?;
        }
        CatalogCommand::Plan(args) => run_plan(args, config, &mut out).await?,
    }
    out.flush()?;
    Ok(())
}

async fn run_plan(
    args: PlanArgs,
    config: &StoreConfig,
    out: &mut impl Write,
) -> anyhow::Result<()> {
    let params = match args.hourly_income {
        Some(hourly_income_vnd) => ComplianceCostParams { hourly_income_vnd },
        None => DEFAULT_COST_PARAMS,
    };
    let acting = Acting::cli("catalog-plan");
    let services = crate::services(config).await?;
    let (plans, json) = match args.command {
        PlanCommand::Propose { file, json } => {
            let text = std::fs::read_to_string(&file)
                .with_context(|| format!("không đọc được tệp / cannot read {}", file.display()))?;
            let proposal: PlanProposal = serde_json::from_str(&text).with_context(|| {
                format!(
                    "tệp {} không phải phương án JSON hợp lệ (xem --help) / {} is not a valid plan proposal (see --help)",
                    file.display(),
                    file.display()
                )
            })?;
            (
                vec![services.propose_plan(&acting, proposal, &params).await?],
                json,
            )
        }
        PlanCommand::Approve { id, decision } => {
            let decision = PlanDecision::Approve {
                decision_no: decision,
            };
            (
                vec![
                    services
                        .decide_plan(&acting, &id, decision, &params)
                        .await?,
                ],
                false,
            )
        }
        PlanCommand::Reject { id, reason } => {
            let decision = PlanDecision::Reject { reason };
            (
                vec![
                    services
                        .decide_plan(&acting, &id, decision, &params)
                        .await?,
                ],
                false,
            )
        }
        PlanCommand::Implement {
            id,
            procedure_version,
        } => (
            vec![
                services
                    .implement_plan(&acting, &id, procedure_version, &params)
                    .await?,
            ],
            false,
        ),
        PlanCommand::List { procedure, json } => (
            services.list_plans(procedure.as_deref(), &params).await?,
            json,
        ),
    };
    if json {
        serde_json::to_writer_pretty(&mut *out, &plans)?;
        writeln!(out)?;
    } else {
        for plan in &plans {
            write_plan(out, plan)?;
        }
    }
    Ok(())
}

async fn version_or_latest(
    services: &Services,
    code: &str,
    version: Option<u32>,
) -> anyhow::Result<u32> {
    if let Some(v) = version {
        return Ok(v);
    }
    let versions = services.procedure_versions(code).await?;
    match versions.last() {
        Some(p) => Ok(p.version),
        None => bail!(
            "không có thủ tục {code} trong danh mục / procedure {code} is not in the catalogue"
        ),
    }
}

/// Reads and parses an import file; every problem is printed to stderr before failing.
fn read_file(path: &Path, format: Option<Format>) -> anyhow::Result<Vec<Procedure>> {
    let bytes = std::fs::read(path)
        .with_context(|| format!("không đọc được tệp / cannot read {}", path.display()))?;
    let text = String::from_utf8(bytes).map_err(|e| {
        anyhow::anyhow!(
            "tệp {} không phải UTF-8 (byte {}) / {} is not UTF-8 (byte {})",
            path.display(),
            e.utf8_error().valid_up_to(),
            path.display(),
            e.utf8_error().valid_up_to()
        )
    })?;
    let format = format.unwrap_or_else(|| Format::of_path(path));
    parse(&text, format, &path.display().to_string())
}

/// Parses CSV or JSON with a progress bar for large inputs; lists every problem on stderr.
fn parse(text: &str, format: Format, name: &str) -> anyhow::Result<Vec<Procedure>> {
    let bar = if text.len() >= PROGRESS_MIN_BYTES && std::io::stderr().is_terminal() {
        let (template, len) = match format {
            Format::Csv => ("{msg} [{bar:30}] {bytes}/{total_bytes}", text.len() as u64),
            Format::Json => ("{msg} [{bar:30}] {pos}/{len}", 0),
        };
        let bar = ProgressBar::with_draw_target(Some(len), ProgressDrawTarget::stderr());
        if let Ok(style) = ProgressStyle::with_template(template) {
            bar.set_style(style.progress_chars("=> "));
        }
        bar.set_message("Đang đọc / Reading");
        bar
    } else {
        ProgressBar::hidden()
    };
    let on_progress = |p: Progress| {
        if bar.length() != Some(p.total) {
            bar.set_length(p.total);
        }
        bar.set_position(p.done);
    };
    let parsed = match format {
        Format::Csv => import_csv_with_progress(text, on_progress),
        Format::Json => import_json_with_progress(text, on_progress),
    };
    bar.finish_and_clear();
    parsed.map_err(|e: ImportError| {
        for problem in &e.errors {
            eprintln!("{problem}");
        }
        let n = e.errors.len();
        anyhow::anyhow!(
            "{name}: {n} lỗi, không nhập thủ tục nào / {n} problems, nothing was imported"
        )
    })
}

/// A spinner on stderr while a long write runs (terminals only).
fn spinner(items: usize, message: &'static str) -> ProgressBar {
    if items < 500 || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let spinner = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
    if let Ok(style) = ProgressStyle::with_template("{spinner} {msg} ({elapsed})") {
        spinner.set_style(style);
    }
    spinner.set_message(message);
    spinner.enable_steady_tick(Duration::from_millis(100));
    spinner
}

fn summary_line(s: &ImportSummary) -> String {
    let total = s.changed() + s.unchanged;
    format!(
        "Đã nhập {total} phiên bản thủ tục: {} mới, {} sửa đổi, {} không đổi, {} công bố, {} bãi bỏ / \
         imported {total} procedure versions: {} created, {} revised, {} unchanged, {} published, {} withdrawn",
        s.created,
        s.revised,
        s.unchanged,
        s.published,
        s.withdrawn,
        s.created,
        s.revised,
        s.unchanged,
        s.published,
        s.withdrawn
    )
}

fn list<T: AsRef<str>>(items: impl IntoIterator<Item = T>) -> String {
    let items: Vec<String> = items.into_iter().map(|s| s.as_ref().to_owned()).collect();
    if items.is_empty() {
        "—".into()
    } else {
        items.join(", ")
    }
}

/// Groups digits by thousands with dots, as Vietnamese amounts are written (1.024.000).
fn vnd(amount: u64) -> String {
    let digits = amount.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('.');
        }
        out.push(c);
    }
    out
}

fn write_procedure(out: &mut impl Write, p: &Procedure) -> std::io::Result<()> {
    writeln!(out, "{} v{} — {}", p.code, p.version, p.name)?;
    let publication = p
        .publication
        .as_ref()
        .map_or(String::new(), |d| match d.date {
            Some(date) => format!(" ({}, {date})", d.decision_no),
            None => format!(" ({})", d.decision_no),
        });
    writeln!(out, "Trạng thái / State: {}{publication}", p.state)?;
    let day = |d: Option<NaiveDate>| d.map_or("…".to_owned(), |d| d.to_string());
    writeln!(
        out,
        "Hiệu lực / Valid: {} → {}",
        day(p.valid_from),
        day(p.valid_to)
    )?;
    writeln!(
        out,
        "Lĩnh vực / Sector: {}",
        if p.sector.is_empty() {
            "—"
        } else {
            &p.sector
        }
    )?;
    writeln!(
        out,
        "Cấp thực hiện / Levels: {}",
        list(p.levels.iter().map(|l| l.as_str()))
    )?;
    writeln!(out, "Loại / Kind: {}", p.kind)?;
    if let Some(t) = &p.procedure_type {
        writeln!(out, "Loại thủ tục / Procedure type: {t}")?;
    }
    writeln!(
        out,
        "Đối tượng / Applicants: {}",
        list(p.applicants.iter().map(|a| a.as_str()))
    )?;
    writeln!(
        out,
        "Cơ quan ban hành / Issuing agency: {}",
        p.issuing_agency.as_deref().unwrap_or("—")
    )?;
    writeln!(
        out,
        "Cơ quan có thẩm quyền / Competent authority: {}",
        p.competent_authority.as_deref().unwrap_or("—")
    )?;
    writeln!(
        out,
        "Cơ quan thực hiện / Implementing agencies: {}",
        list(p.implementing_agencies.iter().map(|a| a.as_str()))
    )?;
    writeln!(
        out,
        "Cách thức / Channels: {}",
        list(p.channels.iter().map(|c| c.as_str()))
    )?;
    let limit = p
        .time_limit
        .map_or("không rõ / unknown".to_owned(), |t| t.to_string());
    match p.local_time_limit {
        Some(local) => writeln!(
            out,
            "Thời hạn / Time limit: {limit} (cam kết / local commitment: {local})"
        )?,
        None => writeln!(out, "Thời hạn / Time limit: {limit}")?,
    }
    writeln!(out, "Mức độ trực tuyến / Online level: {}", p.online_level)?;
    match &p.fees {
        FeeSchedule::Unknown => writeln!(out, "Phí, lệ phí / Fees: không rõ / unknown")?,
        FeeSchedule::Free => writeln!(out, "Phí, lệ phí / Fees: miễn phí / free")?,
        FeeSchedule::Charged(fees) => {
            writeln!(out, "Phí, lệ phí / Fees:")?;
            for fee in fees {
                let amount = fee
                    .amount_vnd
                    .map_or(String::new(), |a| format!(": {} đồng", vnd(a)));
                let note = fee
                    .note
                    .as_deref()
                    .map_or(String::new(), |n| format!(" ({n})"));
                writeln!(out, "  - {}{amount}{note}", fee.name)?;
            }
        }
    }
    if p.components.is_empty() {
        writeln!(
            out,
            "Thành phần hồ sơ / Dossier components: chưa liệt kê / not listed"
        )?;
    } else {
        writeln!(out, "Thành phần hồ sơ / Dossier components:")?;
        for (i, c) in p.components.iter().enumerate() {
            let optional = if c.required {
                ""
            } else {
                ", nếu có / if any"
            };
            let form = c
                .form
                .as_deref()
                .map_or(String::new(), |f| format!(", mẫu / form: {f}"));
            writeln!(
                out,
                "  {}. {} — {} bản chính / originals, {} bản sao / copies{optional}{form}",
                i + 1,
                c.name,
                c.originals,
                c.copies
            )?;
        }
    }
    if !p.result.name.is_empty() || !p.result.codes.is_empty() {
        let codes = if p.result.codes.is_empty() {
            String::new()
        } else {
            format!(" [{}]", p.result.codes.join(", "))
        };
        writeln!(out, "Kết quả / Result: {}{codes}", p.result.name)?;
    }
    if p.legal_basis.is_empty() {
        writeln!(
            out,
            "Căn cứ pháp lý / Legal basis: chưa liệt kê / not listed"
        )?;
    } else {
        writeln!(out, "Căn cứ pháp lý / Legal basis:")?;
        for l in &p.legal_basis {
            let date = l.date.map_or(String::new(), |d| format!(", {d}"));
            let issuer = l
                .issuer
                .as_deref()
                .map_or(String::new(), |i| format!(", {i}"));
            writeln!(out, "  - {}{date}{issuer}: {}", l.number, l.summary)?;
        }
    }
    if let Some(url) = &p.source_url {
        writeln!(out, "Nguồn / Source: {url}")?;
    }
    Ok(())
}

fn write_plan(out: &mut impl Write, view: &PlanView) -> std::io::Result<()> {
    let plan = &view.plan;
    let state = serde_json::to_value(plan.state)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default();
    let decision = plan
        .decision_no
        .as_deref()
        .map_or(String::new(), |d| format!(" ({d})"));
    writeln!(
        out,
        "{}  [{state}{decision}]  {}",
        view.id, plan.description
    )?;
    if let Some(reason) = &view.reason {
        writeln!(out, "  lý do / reason: {reason}")?;
    }
    if let Some(cut) = view.time_cut {
        writeln!(out, "  giảm thời hạn / time cut: {:.2} %", cut * 100.0)?;
    }
    if let Some(s) = &view.saving {
        writeln!(
            out,
            "  chi phí tuân thủ / compliance cost: {} → {} đồng/năm (year); tiết kiệm / saving {} đồng = {:.2} %",
            vnd(s.before_vnd),
            vnd(s.after_vnd),
            if s.saving_vnd < 0 {
                format!(
                    "-{}",
                    vnd(s.saving_vnd.unsigned_abs().try_into().unwrap_or(u64::MAX))
                )
            } else {
                vnd(s.saving_vnd.try_into().unwrap_or(u64::MAX))
            },
            s.rate_percent()
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_follow_the_extension() {
        assert_eq!(Format::of_path(Path::new("a.JSON")), Format::Json);
        assert_eq!(Format::of_path(Path::new("a.csv")), Format::Csv);
        assert_eq!(Format::of_path(Path::new("a")), Format::Csv);
    }

    #[test]
    fn amounts_group_by_thousands() {
        assert_eq!(vnd(0), "0");
        assert_eq!(vnd(999), "999");
        assert_eq!(vnd(1_024_000), "1.024.000");
        assert_eq!(vnd(2_559_804_000), "2.559.804.000");
    }
}
