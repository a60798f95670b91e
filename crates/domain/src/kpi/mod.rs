//! Key performance indicators of the operations centre, from plain counts.
//!
//! Counting dossiers is the service's job (it classifies each one with
//! [`Timing::outcome_at`](crate::dossier::Timing::outcome_at)); this module turns the counts
//! into figures. Every rate is a [`Ratio`] that keeps its numerator and denominator, so a
//! page can always say why a figure is what it is.

mod ratio;

pub use ratio::Ratio;
