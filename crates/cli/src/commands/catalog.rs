//! `motcua catalog …` (in progress).

use clap::Subcommand;
use motcua_storage::StoreConfig;

/// Procedure catalogue commands.
#[derive(Debug, Subcommand)]
pub enum CatalogCommand {}

/// Runs a catalog command.
pub async fn run(command: CatalogCommand, _config: &StoreConfig) -> anyhow::Result<()> {
    match command {}
}
