//! Key performance indicators of the operations centre, from plain counts: the Decision 766
//! service-quality index ([`index766`]) and the periodic report Biểu số 06/VPCP/KSTT
//! ([`report06`]).
//!
//! What each dossier adds to the monthly counters, and a period's figures from them, are
//! [`counts`]; reporting periods (month, quarter, year, range of months) are [`period`].
//! Counting dossiers is the service's job (it classifies each one with
//! [`Timing::outcome_at`](crate::dossier::Timing::outcome_at)); this module turns the counts
//! into checked report rows, ratios, scores, ratings and ranks. Every rate is a [`Ratio`]
//! that keeps its numerator and denominator, so a page can always say why a figure is what
//! it is. Rules the sources leave open are configuration with documented defaults
//! ([`index766::Rules766`]).

pub mod catalogue;
pub mod counts;
pub mod imported;
pub mod index766;
pub mod period;
pub mod petitions;
mod ratio;
pub mod report06;
pub mod tasks;

use serde::{Deserialize, Serialize};

pub use ratio::Ratio;

/// How sure the project's research note is of a rule (regulations.md §0), so a page can mark
/// figures that rest on a reconstruction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Confidence {
    /// ✅ Read in a legal text or an official source.
    Confirmed,
    /// 🟡 From a reconstruction, practitioner code or a government-adjacent dashboard.
    Secondary,
    /// 🔶 Inferred or recalled, not re-verified.
    Inference,
    /// ❌ Not found; the value in use is a placeholder.
    NotFound,
}

impl Confidence {
    /// The note's marker: ✅, 🟡, 🔶 or ❌.
    pub fn mark(self) -> &'static str {
        match self {
            Confidence::Confirmed => "✅",
            Confidence::Secondary => "🟡",
            Confidence::Inference => "🔶",
            Confidence::NotFound => "❌",
        }
    }
}
