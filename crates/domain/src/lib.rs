//! The pure domain of motcua.
//!
//! Everything here is a value or a function over values: the Vietnamese working-day and lunar
//! calendars, administrative units, the procedure catalogue, identification numbers, the
//! dossier life cycle, steering's meetings and assigned tasks. This crate must not depend on
//! any other workspace crate, on async runtimes, databases or the network, and it never reads
//! the clock: instants and calendars are always passed in. That keeps every legal rule testable on its own.

pub mod authz;
pub mod calendar;
pub mod catalog;
pub mod document;
pub mod dossier;
pub mod event;
pub mod fold;
pub mod ids;
pub mod kpi;
pub mod notification;
pub mod petition;
pub mod steering;
pub mod task;
pub mod units;
