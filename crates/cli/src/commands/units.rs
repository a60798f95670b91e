//! `motcua units …` (in progress).

use clap::Subcommand;
use motcua_storage::StoreConfig;

/// Administrative units and agencies commands.
#[derive(Debug, Subcommand)]
pub enum UnitsCommand {}

/// Runs a units command.
pub async fn run(command: UnitsCommand, _config: &StoreConfig) -> anyhow::Result<()> {
    match command {}
}
