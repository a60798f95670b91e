//! Headline figures of the dossiers: what a reform meeting cites first.
//!
//! Computed from the projection's columns (never from whole dossier states), with the same
//! classification function as a single dossier ([`Timing::outcome_at`]).

use chrono::{DateTime, Utc};
use motcua_domain::dossier::{Outcome, PauseReason, Timing};
use motcua_storage::dossiers::DossierFacts;
use serde::Serialize;

use crate::{ServiceError, ServiceResult, Services};

/// Counts of the dossiers received in a period, classified at an instant.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Headline {
    /// Dossiers received (valid dossiers; not those refused at intake or never received).
    pub received: u64,
    /// Of which submitted online.
    pub online: u64,
    /// Of which at the desk.
    pub desk: u64,
    /// Of which by post.
    pub post: u64,
    /// Resolved: processing ended (processed, refused, stopped, withdrawn after receipt).
    pub resolved: u64,
    /// Resolved before the appointment day.
    pub early: u64,
    /// Resolved on the appointment day.
    pub on_time: u64,
    /// Resolved after the appointment.
    pub late: u64,
    /// Still in progress.
    pub in_progress: u64,
    /// In progress, within time.
    pub within_time: u64,
    /// In progress, past the appointment.
    pub overdue: u64,
    /// Received dossiers of procedures without a time limit (not classified).
    pub without_limit: u64,
    /// Results issued electronically.
    pub electronic_results: u64,
}

fn ratio(numerator: u64, denominator: u64) -> Option<f64> {
    (denominator > 0).then(|| numerator as f64 / denominator as f64)
}

impl Headline {
    /// On-time rate, "766" family (whole system): (early + on time + in progress within
    /// time) ÷ classified received (regulations §2.8, 766 indicator 2.1).
    pub fn on_time_rate_766(&self) -> Option<f64> {
        ratio(
            self.early + self.on_time + self.within_time,
            self.early + self.on_time + self.late + self.within_time + self.overdue,
        )
    }

    /// On-time rate, "Circular 01" family (completed only): (early + on time) ÷ resolved.
    pub fn on_time_rate_resolved(&self) -> Option<f64> {
        ratio(
            self.early + self.on_time,
            self.early + self.on_time + self.late,
        )
    }

    /// Overdue rate, "766" family: (late + in progress overdue) ÷ classified received.
    pub fn overdue_rate_766(&self) -> Option<f64> {
        ratio(
            self.late + self.overdue,
            self.early + self.on_time + self.late + self.within_time + self.overdue,
        )
    }

    /// Overdue rate, "Circular 01" family: late ÷ resolved.
    pub fn overdue_rate_resolved(&self) -> Option<f64> {
        ratio(self.late, self.early + self.on_time + self.late)
    }

    /// Online rate: dossiers received online ÷ received (new dossiers of the period).
    pub fn online_rate(&self) -> Option<f64> {
        ratio(self.online, self.received)
    }
}

/// The classification inputs of a dossier from its projection columns, as
/// [`motcua_domain::dossier::Dossier::timing`] gives them from its state.
///
/// # Errors
/// [`ServiceError::Invalid`] for a negative supplement count.
pub(crate) fn timing_of(f: &DossierFacts) -> ServiceResult<Timing> {
    let waiting = match (pause_reason(f.waiting_reason.as_deref()), f.waiting_since) {
        (Some(reason), Some(since)) => Some((reason, since)),
        _ => None,
    };
    Ok(Timing {
        received_at: f.received_at.filter(|_| f.status != "not_received"),
        finished_at: f.finished_at,
        due: f.due_at,
        statistical_due: f.statistical_due_at,
        supplement_requests: u32::try_from(f.supplement_requests)
            .map_err(|_| ServiceError::Invalid(format!("{}: supplement_requests", f.code)))?,
        waiting,
    })
}

/// A pause reason as the projection stores it.
pub(crate) fn pause_reason(text: Option<&str>) -> Option<PauseReason> {
    match text? {
        "supplement" => Some(PauseReason::Supplement),
        "payment" => Some(PauseReason::Payment),
        _ => None,
    }
}

impl Services {
    /// Headline figures of dossiers received in `[from, to)` (all when `None`), classified
    /// at instant `at`.
    pub async fn headline(
        &self,
        from: Option<DateTime<Utc>>,
        to: Option<DateTime<Utc>>,
        at: DateTime<Utc>,
    ) -> ServiceResult<Headline> {
        let rules = self.rules().outcome;
        let mut h = Headline::default();
        let mut after = String::new();
        loop {
            let page = self.store().dossier_facts_after(&after, 5000).await?;
            let Some(last) = page.last() else { break };
            after = last.code.clone();
            for f in page {
                let Some(received) = f.received_at else {
                    continue;
                };
                if f.status == "not_received"
                    || from.is_some_and(|from| received < from)
                    || to.is_some_and(|to| received >= to)
                {
                    continue;
                }
                h.received += 1;
                match f.channel.as_str() {
                    "online" => h.online += 1,
                    "post" => h.post += 1,
                    _ => h.desk += 1,
                }
                if f.result_form.as_deref() == Some("electronic") {
                    h.electronic_results += 1;
                }
                if f.finished_at.is_some() {
                    h.resolved += 1;
                } else {
                    h.in_progress += 1;
                }
                let timing = timing_of(&f)?;
                match timing.outcome_at(at, &rules) {
                    Outcome::Early => h.early += 1,
                    Outcome::OnTime => h.on_time += 1,
                    Outcome::Late => h.late += 1,
                    Outcome::WithinTime => h.within_time += 1,
                    Outcome::Overdue => h.overdue += 1,
                    Outcome::NotCounted => h.without_limit += 1,
                }
            }
        }
        Ok(h)
    }
}
