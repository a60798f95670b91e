//! One module per subcommand.

pub mod calendar;
pub mod migrate;
