//! `motcua demo` (in progress).

use clap::Args;
use motcua_storage::StoreConfig;

/// Options of `motcua demo`.
#[derive(Debug, Args)]
pub struct DemoArgs {}

/// Builds the demo province.
pub async fn run(_args: DemoArgs, _config: &StoreConfig) -> anyhow::Result<()> {
    anyhow::bail!("not yet")
}
