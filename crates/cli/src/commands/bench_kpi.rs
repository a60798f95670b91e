//! `motcua bench kpi`: the operations centre's reads over millions of dossiers, against a
//! `GROUP BY` over the `dossiers` projection of the same database, measured in the same run.

use std::io::Write;
use std::sync::Arc;

use anyhow::Context as _;
use clap::Args;
use motcua_service::bench::kpi::{self, Measured};
use motcua_service::{FixedClock, Services};
use motcua_storage::{DEFAULT_DATABASE_URL, Store, StoreConfig};
use serde_json::json;

/// Options of `motcua bench kpi`.
#[derive(Debug, Args)]
pub struct KpiBenchArgs {
    /// Synthetic dossiers in the projection (30 months of the demo province's agencies).
    #[arg(long, default_value_t = 1_000_000)]
    dossiers: u64,
    /// Rounds: the reference once, then ours `--repeats` times; the ratio is their median.
    #[arg(long, default_value_t = 5)]
    rounds: usize,
    /// Times our read runs in each round (the round takes its median).
    #[arg(long, default_value_t = 20)]
    repeats: usize,
    /// Print JSON for machines.
    #[arg(long)]
    json: bool,
}

fn describe(label: &str, m: &Measured) -> String {
    format!(
        "{label}: motcua {:.2} ms (first read after units change {:.2} ms), GROUP BY {:.0} ms, ratio {:.0}× (median of {} rounds)",
        kpi::median(&m.ours_ms),
        kpi::median(&m.ours_cold_ms),
        kpi::median(&m.reference_ms),
        m.ratio(),
        m.ratios.len()
    )
}

fn measured_json(m: &Measured) -> serde_json::Value {
    json!({
        "ours_ms_median": kpi::median(&m.ours_ms),
        "ours_cold_ms_median": kpi::median(&m.ours_cold_ms),
        "reference_ms_median": kpi::median(&m.reference_ms),
        "ratio_median": m.ratio(),
        "ours_ms": m.ours_ms,
        "reference_ms": m.reference_ms,
        "ratios": m.ratios,
    })
}

/// Runs the benchmark on `config`'s database, or on a temporary SQLite file when none was
/// given (the default URL is the demo's file, which the bench must not fill). A PostgreSQL
/// URL gets a scratch schema, dropped afterwards; an SQLite file is kept for the next run.
pub async fn run(args: KpiBenchArgs, config: &StoreConfig) -> anyhow::Result<()> {
    let temporary = (config.url == DEFAULT_DATABASE_URL)
        .then(tempfile::tempdir)
        .transpose()
        .context("temporary directory")?;
    let postgres = config.url.starts_with("postgres");
    let (store, schema, label, url) = if let Some(dir) = &temporary {
        let url = format!("sqlite://{}/kpi.sqlite", dir.path().display());
        let store = Store::open(&StoreConfig {
            url: url.clone(),
            ..config.clone()
        })
        .await?;
        (store, None, "SQLite (temporary file)".to_owned(), url)
    } else if postgres {
        let (store, schema) = motcua_storage::bench::open_postgres_scratch(&config.url, 4)
            .await
            .with_context(|| {
                format!(
                    "không kết nối được PostgreSQL / cannot reach PostgreSQL at {}",
                    motcua_storage::redact_url(&config.url)
                )
            })?;
        (
            store,
            Some(schema),
            "PostgreSQL (scratch schema)".to_owned(),
            config.url.clone(),
        )
    } else {
        let store = crate::open_store(config).await?;
        (
            store,
            None,
            format!("SQLite {}", config.url),
            config.url.clone(),
        )
    };
    let services = Services::new(store.clone(), Arc::new(FixedClock::new(kpi::bench_now())));
    let bar = indicatif::ProgressBar::new(args.dossiers);
    let result = async {
        let filled = kpi::fill(&services, args.dossiers, |done, _| bar.set_position(done)).await?;
        bar.finish_and_clear();
        let report = kpi::measure(&services, args.rounds, args.repeats).await?;
        anyhow::Ok((filled, report))
    }
    .await;
    let bytes = sqlite_bytes(&url);
    store.close().await;
    if let Some(schema) = &schema {
        motcua_storage::bench::drop_postgres_scratch(&config.url, schema).await?;
    }
    drop(temporary);
    let (filled, report) = result?;

    let mut out = std::io::stdout().lock();
    if args.json {
        let doc = json!({
            "database": label,
            "database_bytes": bytes,
            "dossiers": filled.dossiers,
            "reused": filled.reused,
            "fill_seconds": filled.fill_seconds,
            "derive_seconds": filled.derive_seconds,
            "agencies": report.agencies,
            "units": report.units,
            "unit": report.unit,
            "month": report.month.to_string(),
            "figures_agree": true,
            "every_unit": measured_json(&report.every_unit),
            "every_unit_reports": report.reports,
            "trend": measured_json(&report.trend),
        });
        serde_json::to_writer_pretty(&mut out, &doc)?;
        writeln!(out)?;
        return Ok(());
    }
    writeln!(
        out,
        "Số liệu điều hành trên {n} hồ sơ / operations-centre reads over {n} dossiers — {label}{size}",
        n = filled.dossiers,
        size = bytes.map_or_else(String::new, |b| format!(", {:.2} GB", b as f64 / 1e9)),
    )?;
    if filled.reused {
        writeln!(out, "  (dữ liệu có sẵn / filled earlier)")?;
    } else {
        writeln!(
            out,
            "  ghi {:.0} s, dẫn xuất bộ đếm {:.0} s / filled in {:.0} s, counters derived in {:.0} s",
            filled.fill_seconds, filled.derive_seconds, filled.fill_seconds, filled.derive_seconds
        )?;
    }
    writeln!(
        out,
        "  hai cách tính khớp nhau / both computations agree: {} reports of {} ({} agencies, {} units), 12 months",
        report.reports, report.month, report.agencies, report.units
    )?;
    writeln!(
        out,
        "  {}",
        describe(
            &format!("766 + Biểu 06, mọi đơn vị / every unit, {}", report.month),
            &report.every_unit
        )
    )?;
    writeln!(
        out,
        "  {}",
        describe(
            &format!("xu hướng 12 tháng / 12-month trend of {}", report.unit),
            &report.trend
        )
    )?;
    Ok(())
}

/// The size of an SQLite database's files (database and write-ahead log), if `url` names
/// one.
fn sqlite_bytes(url: &str) -> Option<u64> {
    let path = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?
        .split('?')
        .next()?;
    let size = |p: &str| std::fs::metadata(p).map(|m| m.len()).unwrap_or(0);
    Some(size(path) + size(&format!("{path}-wal")))
}
