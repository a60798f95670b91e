//! `motcua`: the one binary of motcua, with subcommands for people and scripts.
//!
//! Commands parse arguments, call `motcua-service` and print; they hold no SQL and no rules.

use std::process::ExitCode;

use clap::{Parser, Subcommand};
use motcua_storage::{DEFAULT_DATABASE_URL, Durability, Store, StoreConfig};

mod commands;

/// motcua — một cửa: thủ tục hành chính và cải cách hành chính / the one-stop shop.
#[derive(Debug, Parser)]
#[command(name = "motcua", version, about, long_about = None)]
struct Cli {
    /// Database URL: sqlite://FILE (default, created on first use) or postgres://…
    #[arg(long, global = true, env = "MOTCUA_DATABASE_URL", default_value = DEFAULT_DATABASE_URL)]
    database: String,
    /// SQLite commit durability: full (survives power loss) or normal (survives a crash).
    #[arg(
        long,
        global = true,
        env = "MOTCUA_SQLITE_DURABILITY",
        default_value = "full"
    )]
    sqlite_durability: Durability,
    /// Pooled database connections: SQLite's readers (beside its one writer), or all of
    /// PostgreSQL's.
    #[arg(
        long,
        global = true,
        env = "MOTCUA_DB_CONNECTIONS",
        default_value_t = StoreConfig::default().max_connections,
        value_parser = clap::value_parser!(u32).range(1..=1024)
    )]
    db_connections: u32,
    /// Log format: text or json.
    #[arg(long, global = true, env = "MOTCUA_LOG_FORMAT", default_value = "text")]
    log_format: LogFormat,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum LogFormat {
    Text,
    Json,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Build the demo province (Bắc Ninh) through the real engine and print its figures.
    Demo(commands::demo::DemoArgs),
    /// Apply pending database migrations and list them.
    Migrate,
    /// Serve the public portal, the one-stop desk and back office, and the JSON API.
    Serve(commands::serve::ServeArgs),
    /// Measure the dossier engine: events in memory, durable intake against raw inserts;
    /// `bench kpi`: the operations centre's reads at scale against a GROUP BY.
    Bench(commands::bench::BenchArgs),
    /// Load the served portal: tracking, worklist, search and online submission, against
    /// /healthz measured under the same load.
    Loadtest(commands::loadtest::LoadtestArgs),
    /// Working-day calendar: holidays, lunar dates, due dates, official schedules.
    #[command(subcommand)]
    Calendar(commands::calendar::CalendarCommand),
    /// Procedure catalogue: import, export, search.
    #[command(subcommand)]
    Catalog(commands::catalog::CatalogCommand),
    /// Dossiers: show one with its whole history.
    #[command(subcommand)]
    Dossier(commands::dossier::DossierCommand),
    /// A unit's monthly figures: the Biểu 06 report and the Decision 766 index, from the
    /// counters; `rebuild` and `check` them against the event log.
    Kpi(commands::kpi::KpiArgs),
    /// Administrative units, reorganizations and agencies.
    #[command(subcommand)]
    Units(commands::units::UnitsCommand),
    /// Check a sealed document offline: FILE, its FILE.p7s and the trusted roots.
    Verify(commands::documents::VerifyArgs),
    /// The agencies' signing keys: list, rotate, import a licensed authority's certificate.
    #[command(subcommand)]
    Keys(commands::documents::KeysCommand),
    /// Assigned tasks: list them, show one with its history.
    #[command(subcommand)]
    Tasks(commands::tasks::TasksCommand),
    /// Task news by e-mail and webhook: a round of reminders and deliveries, subscriptions.
    #[command(subcommand)]
    Reminders(commands::tasks::RemindersCommand),
}

impl Cli {
    fn store_config(&self) -> StoreConfig {
        StoreConfig {
            url: self.database.clone(),
            durability: self.sqlite_durability,
            max_connections: self.db_connections,
        }
    }
}

/// Services over the configured store and the system clock.
pub(crate) async fn services(config: &StoreConfig) -> anyhow::Result<motcua_service::Services> {
    let store = open_store(config).await?;
    Ok(motcua_service::Services::new(
        store,
        std::sync::Arc::new(motcua_service::SystemClock),
    ))
}

/// Opens (creating and migrating if needed) the configured store.
pub(crate) async fn open_store(config: &StoreConfig) -> anyhow::Result<Store> {
    use anyhow::Context as _;
    Store::open(config).await.with_context(|| {
        format!(
            "không mở được cơ sở dữ liệu / cannot open the database {}",
            motcua_storage::redact_url(&config.url)
        )
    })
}

/// Logs to stderr at `RUST_LOG` (default `default`).
fn init_logging(format: LogFormat, default: &str) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    match format {
        LogFormat::Text => builder.init(),
        LogFormat::Json => builder.json().init(),
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    // A benchmark's reference scans are slow on purpose: sqlx's slow-statement warnings
    // would bury its figures.
    let default = match cli.command {
        Command::Bench(_) => "warn,sqlx::query=error",
        _ => "warn",
    };
    init_logging(cli.log_format, default);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("lỗi / error: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("lỗi / error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    let config = cli.store_config();
    match cli.command {
        Command::Demo(args) => commands::demo::run(args, &config).await,
        Command::Migrate => commands::migrate::run(&config).await,
        Command::Serve(args) => commands::serve::run(args, &config).await,
        Command::Bench(args) => commands::bench::run(args, &config).await,
        Command::Loadtest(args) => commands::loadtest::run(args, &config).await,
        Command::Calendar(cmd) => commands::calendar::run(cmd, &config).await,
        Command::Catalog(cmd) => commands::catalog::run(cmd, &config).await,
        Command::Dossier(cmd) => commands::dossier::run(cmd, &config).await,
        Command::Kpi(args) => commands::kpi::run(args, &config).await,
        Command::Units(cmd) => commands::units::run(cmd, &config).await,
        Command::Verify(args) => commands::documents::verify(args, &config).await,
        Command::Keys(cmd) => commands::documents::keys(cmd, &config).await,
        Command::Tasks(cmd) => commands::tasks::run(cmd, &config).await,
        Command::Reminders(cmd) => commands::tasks::reminders(cmd, &config).await,
    }
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    #[test]
    fn verify_cli() {
        super::Cli::command().debug_assert();
    }
}
