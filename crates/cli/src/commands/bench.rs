//! `motcua bench`: throughput of the dossier engine, reported against the raw rate of the
//! same database measured in the same run; `motcua bench kpi`: the operations centre's reads
//! at scale ([`super::bench_kpi`]).

use std::io::Write;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use clap::{Args, Subcommand, ValueEnum};
use motcua_service::bench::{self, Rate};
use motcua_service::{Services, SystemClock};
use motcua_storage::{Durability, Store, StoreConfig};
use serde_json::json;

/// Options of `motcua bench`, or a subcommand.
#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct BenchArgs {
    #[command(subcommand)]
    command: Option<BenchCommand>,
    /// Seconds per measurement, split over the rounds.
    #[arg(long, default_value_t = 10)]
    seconds: u64,
    /// Alternating rounds per measurement (raw then motcua); the ratio is their median.
    #[arg(long, default_value_t = 5)]
    rounds: usize,
    /// Concurrent writers for the concurrent measurements.
    #[arg(long, default_value_t = 8)]
    writers: usize,
    /// Which databases to measure.
    #[arg(long, value_enum, default_value_t = Backends::All)]
    backend: Backends,
    /// PostgreSQL server for the PostgreSQL measurements (a scratch schema is created and
    /// dropped).
    #[arg(
        long,
        env = "MOTCUA_TEST_POSTGRES_URL",
        default_value = "postgres://postgres@127.0.0.1:5432/test"
    )]
    postgres_url: String,
    /// Print JSON for machines.
    #[arg(long)]
    json: bool,
}

/// Other measurements.
#[derive(Debug, Subcommand)]
pub enum BenchCommand {
    /// The operations centre's reads over millions of dossiers (the month's 766 index of
    /// every unit, a twelve-month trend) against a GROUP BY over the dossiers projection of
    /// the same database: the projection is filled synthetically and the counters derived
    /// from it. Uses --database (a scratch schema on PostgreSQL), or a temporary SQLite file.
    Kpi(super::bench_kpi::KpiBenchArgs),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Backends {
    All,
    Sqlite,
    Postgres,
}

/// One configuration measured in alternating rounds: raw, ours, raw, ours, …
struct Pair {
    writers: usize,
    group_commit: bool,
    raw: Rate,
    ours: Rate,
    /// Ratio of each round (ours ÷ the raw rate measured just before it), sorted.
    ratios: Vec<f64>,
}

impl Pair {
    /// The median of the rounds' ratios: robust to a burst of load on a shared machine.
    fn ratio(&self) -> f64 {
        match self.ratios.len() {
            0 => 0.0,
            n if n % 2 == 1 => self.ratios[n / 2],
            n => (self.ratios[n / 2 - 1] + self.ratios[n / 2]) / 2.0,
        }
    }
}

fn sum(a: Rate, b: Rate) -> Rate {
    Rate {
        operations: a.operations + b.operations,
        seconds: a.seconds + b.seconds,
    }
}

async fn measure(store: &Store, args: &BenchArgs, bytes: usize) -> anyhow::Result<Vec<Pair>> {
    let services = Services::new(store.clone(), Arc::new(SystemClock));
    bench::prepare(&services).await?;
    let duration = Duration::from_secs(args.seconds.max(1));
    let mut pairs = Vec::new();
    let writers = args.writers.max(1);
    let first_day = chrono::NaiveDate::from_ymd_opt(2027, 3, 1).context("date")?;
    let rounds = args.rounds.max(1);
    let slice = duration / u32::try_from(rounds).unwrap_or(1);
    let runs = [(1, false), (writers, false), (writers, true)];
    let mut day = first_day;
    for (writers, group_commit) in runs {
        let zero = Rate {
            operations: 0,
            seconds: 0.0,
        };
        let mut pair = Pair {
            writers,
            group_commit,
            raw: zero,
            ours: zero,
            ratios: Vec::with_capacity(rounds),
        };
        // The reference is re-measured just before each round of ours: the machine is shared
        // and its load changes from second to second.
        for _ in 0..rounds {
            let raw = bench::raw_insert_rate(store, writers, slice, bytes).await?;
            let ours = bench::intake_rate(store, writers, slice, group_commit, day).await?;
            day = day + chrono::Days::new(1);
            if raw.per_second() > 0.0 {
                pair.ratios.push(ours.per_second() / raw.per_second());
            }
            pair.raw = sum(pair.raw, raw);
            pair.ours = sum(pair.ours, ours);
        }
        pair.ratios.sort_by(f64::total_cmp);
        pairs.push(pair);
    }
    Ok(pairs)
}

/// Runs the benchmark and prints the figures.
pub async fn run(args: BenchArgs, config: &StoreConfig) -> anyhow::Result<()> {
    if let Some(BenchCommand::Kpi(kpi)) = args.command {
        return super::bench_kpi::run(kpi, config).await;
    }
    let durability = config.durability;
    let now = chrono::DateTime::parse_from_rfc3339("2026-11-23T09:00:00+07:00")?.to_utc();
    let bytes = bench::intake_payload_bytes(&bench::sample_dossier()?, now)?;
    let apply =
        tokio::task::spawn_blocking(move || bench::apply_rate(Duration::from_secs(2))).await??;
    let mut results = Vec::new();
    if args.backend != Backends::Postgres {
        let dir = tempfile::tempdir().context("temporary directory")?;
        let config = StoreConfig {
            url: format!("sqlite://{}/bench.sqlite", dir.path().display()),
            durability,
            ..StoreConfig::default()
        };
        let store = Store::open(&config).await?;
        let pairs = measure(&store, &args, bytes).await?;
        store.close().await;
        let label = match durability {
            Durability::Full => "SQLite (WAL, synchronous=FULL)",
            Durability::Normal => "SQLite (WAL, synchronous=NORMAL)",
        };
        results.push((label, pairs));
    }
    if args.backend != Backends::Sqlite {
        let (store, schema) = motcua_storage::bench::open_postgres_scratch(
            &args.postgres_url,
            args.writers as u32 + 2,
        )
        .await
        .with_context(|| {
            format!(
                "không kết nối được PostgreSQL / cannot reach PostgreSQL at {}",
                motcua_storage::redact_url(&args.postgres_url)
            )
        })?;
        let pairs = measure(&store, &args, bytes).await;
        store.close().await;
        motcua_storage::bench::drop_postgres_scratch(&args.postgres_url, &schema).await?;
        results.push(("PostgreSQL", pairs?));
    }
    let mut out = std::io::stdout().lock();
    if args.json {
        let doc = json!({
            "payload_bytes": bytes,
            "seconds_per_measurement": args.seconds,
            "apply_events_per_second": apply.per_second(),
            "backends": results.iter().map(|(label, pairs)| json!({
                "backend": label,
                "measurements": pairs.iter().map(|p| json!({
                    "writers": p.writers,
                    "group_commit": p.group_commit,
                    "raw_inserts_per_second": p.raw.per_second(),
                    "intake_events_per_second": p.ours.per_second(),
                    "ratio_median": p.ratio(),
                    "ratios": p.ratios,
                })).collect::<Vec<_>>(),
            })).collect::<Vec<_>>(),
        });
        serde_json::to_writer_pretty(&mut out, &doc)?;
        writeln!(out)?;
        return Ok(());
    }
    writeln!(
        out,
        "Sự kiện hồ sơ áp dụng trong bộ nhớ / dossier events applied in memory: {:.0}/s",
        apply.per_second()
    )?;
    writeln!(
        out,
        "Tiếp nhận bền vững: 1 sự kiện mỗi giao dịch, so với chèn thô {bytes} byte cùng độ bền / durable intake: one event per transaction, against raw {bytes}-byte inserts at the same durability"
    )?;
    for (label, pairs) in &results {
        writeln!(out, "{label}")?;
        for p in pairs {
            writeln!(
                out,
                "  {:>2} writer(s){}: raw {:>9.0}/s   motcua {:>9.0}/s   ratio (median of {} rounds) {:>5.1} %",
                p.writers,
                if p.group_commit {
                    ", group commit"
                } else {
                    "              "
                },
                p.raw.per_second(),
                p.ours.per_second(),
                p.ratios.len(),
                p.ratio() * 100.0
            )?;
        }
    }
    Ok(())
}
