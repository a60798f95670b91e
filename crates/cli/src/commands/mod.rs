//! One module per subcommand.

pub mod bench;
pub mod bench_kpi;
pub mod calendar;
pub mod catalog;
pub mod demo;
pub mod documents;
pub mod dossier;
pub mod kpi;
pub mod loadtest;
pub mod migrate;
pub mod serve;
pub mod tasks;
pub mod units;
