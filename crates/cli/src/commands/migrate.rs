//! `motcua migrate`.

use std::io::Write;

use motcua_storage::StoreConfig;

/// Applies pending migrations and prints the applied versions.
pub async fn run(config: &StoreConfig) -> anyhow::Result<()> {
    let store = crate::open_store(config).await?;
    let applied = store.applied_migrations().await?;
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "Cơ sở dữ liệu / database: {} ({:?})",
        motcua_storage::redact_url(&config.url),
        store.backend()
    )?;
    for migration in store.migrator().iter() {
        let mark = if applied.contains(&migration.version) {
            "✓"
        } else {
            " "
        };
        writeln!(
            out,
            "  {mark} {:04} {}",
            migration.version, migration.description
        )?;
    }
    store.close().await;
    Ok(())
}
