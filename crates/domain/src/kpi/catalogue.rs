//! The catalogue's figures a reform report cites (issue 5 §1; regulations §1.3 group 1 and 3,
//! §10): procedures published, public and internal; offered online, full-process or
//! partial; published with every mandatory part (766 indicator 1.3); with their time limit
//! cut, by a local commitment or by an approved simplification plan; and the plans by state.
//!
//! Counted as of now, not per period, as the formula document counts 1.3 ("computed as of
//! now"): the catalogue holds each procedure's current version, not a history per unit.
//! Which procedures belong to a unit is read from their levels (cấp thực hiện), the only
//! link between the national catalogue and a unit: a province's are those performed at
//! province or commune level, a commune's those performed at commune level.

use serde::{Deserialize, Serialize};

use super::Ratio;
use super::counts::ProcedureFlow;
use super::index766::Indicator;
use crate::catalog::simplification::{PlanState, SimplificationPlan};
use crate::catalog::{Level, LifecycleState, OnlineLevel, Procedure, ProcedureKind, TimeLimit};

/// The catalogue's counts for one set of levels.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CatalogueFigures {
    /// Public procedures in force (published).
    pub published_public: u64,
    /// Internal procedures between State bodies in force (Decision 1085/QĐ-TTg).
    pub published_internal: u64,
    /// Of the public ones, offered as a full-process online service (toàn trình).
    pub full_process: u64,
    /// Of the public ones, offered as a partial online service (một phần).
    pub partial: u64,
    /// Of the public ones, published with every mandatory part ([`is_published_in_full`]).
    pub published_in_full: u64,
    /// Of the public ones, with a local time limit shorter than the statutory one.
    pub local_limit_cut: u64,
    /// Simplification plans of these procedures awaiting a decision.
    pub plans_proposed: u64,
    /// Plans approved (not yet implemented).
    pub plans_approved: u64,
    /// Plans implemented.
    pub plans_implemented: u64,
    /// Plans rejected.
    pub plans_rejected: u64,
    /// Procedures with an approved or implemented plan that shortens the time limit.
    pub plans_cutting_time: u64,
    /// Of the public ones, with fee information (766 indicators 3.5 and 3.5b divide by it).
    #[serde(default)]
    pub with_fee_information: u64,
    /// Of the public ones, open to individuals (766 indicator 4.5a divides by it).
    #[serde(default)]
    pub open_to_individuals: u64,
}

impl CatalogueFigures {
    /// 766 indicator 1.3: published with every mandatory part ÷ published (public).
    pub fn published_in_full_ratio(&self) -> Ratio {
        Ratio::new(self.published_in_full, self.published_public)
    }

    /// 766 indicator 3.1: offered online, partial or full-process (each procedure once, at
    /// its level) ÷ public procedures in force.
    pub fn online_offered_ratio(&self) -> Ratio {
        Ratio::new(self.full_process + self.partial, self.published_public)
    }

    /// The 766 indicators that count procedures, from how many procedures of the unit had
    /// each [`ProcedureFlow`] in the period (`used`, in [`ProcedureFlow::ALL`] order), each
    /// over its set in force now:
    ///
    /// - 3.2: online services with a dossier received online ÷ online services (as 3.1's
    ///   numerator: each procedure once, not per agency offering it, since the catalogue
    ///   does not say which agency offers which service, 🔶);
    /// - 3.5: procedures with a dossier asked to pay a non-zero amount (its fee data) ÷
    ///   procedures with fee information;
    /// - 3.5b: procedures with a dossier paid online ÷ the same;
    /// - 4.5a: procedures with an individual's dossier authenticated with e-ID or taking a
    ///   component from the applicant's data store ÷ procedures open to individuals.
    ///
    /// A procedure counts as used where it was in the set when its dossier was created; one
    /// taken out of the set since would count above the set in force, so a numerator is
    /// capped at its denominator (🔶).
    pub fn used_ratios(&self, used: [i64; 4]) -> [(Indicator, Ratio); 4] {
        let ratio = |flow: ProcedureFlow, of: u64| {
            let n = u64::try_from(used[flow.index()]).unwrap_or(0);
            Ratio::new(n.min(of), of)
        };
        [
            (
                Indicator::OnlineServicesUsed,
                ratio(ProcedureFlow::Online, self.full_process + self.partial),
            ),
            (
                Indicator::FeesIntegrated,
                ratio(ProcedureFlow::FeeAsked, self.with_fee_information),
            ),
            (
                Indicator::FeesPaidOnline,
                ratio(ProcedureFlow::PaidOnline, self.with_fee_information),
            ),
            (
                Indicator::PopulationDataProcedures,
                ratio(ProcedureFlow::PopulationData, self.open_to_individuals),
            ),
        ]
    }

    /// Plans approved or implemented.
    pub fn plans_approved_in_all(&self) -> u64 {
        self.plans_approved + self.plans_implemented
    }
}

/// The levels whose procedures count for a unit: a province (or a ministry) counts its own
/// and its communes', a commune its own.
pub fn levels_of(commune: bool) -> &'static [Level] {
    if commune {
        &[Level::Commune]
    } else {
        &[Level::Province, Level::Commune]
    }
}

/// Whether a procedure carries every part Decree 63/2010/NĐ-CP art. 8(2) makes mandatory in
/// a publication that the catalogue records: its name, how it is performed (a channel), its
/// dossier components, its time limit, who may apply and who carries it out. The sequence
/// of steps (trình tự) is not a field of the catalogue, so it is not checked.
pub fn is_published_in_full(p: &Procedure) -> bool {
    !p.name.trim().is_empty()
        && !p.channels.is_empty()
        && !p.components.is_empty()
        && p.time_limit.is_some()
        && !p.applicants.is_empty()
        && !p.implementing_agencies.is_empty()
}

/// Whether `new` is a shorter limit than `old` in the same unit.
fn shorter(old: Option<&TimeLimit>, new: Option<&TimeLimit>) -> bool {
    match (old, new) {
        (Some(old), Some(new)) => old.unit == new.unit && new.value < old.value,
        _ => false,
    }
}

/// The figures of the procedures performed at any of `levels`, from the current version of
/// each procedure and every simplification plan (plans of other procedures are ignored).
pub fn catalogue_figures<'a>(
    procedures: impl IntoIterator<Item = &'a Procedure>,
    plans: &[SimplificationPlan],
    levels: &[Level],
) -> CatalogueFigures {
    let mut out = CatalogueFigures::default();
    let mut counted = std::collections::BTreeSet::new();
    for p in procedures {
        if p.state != LifecycleState::Published || !p.levels.iter().any(|l| levels.contains(l)) {
            continue;
        }
        counted.insert(&p.code);
        if p.kind == ProcedureKind::Internal {
            out.published_internal += 1;
            continue;
        }
        out.published_public += 1;
        match p.online_level {
            OnlineLevel::FullProcess => out.full_process += 1,
            OnlineLevel::Partial => out.partial += 1,
            OnlineLevel::None => {}
        }
        out.with_fee_information += u64::from(p.has_fee_information());
        out.open_to_individuals += u64::from(p.open_to_individuals());
        out.published_in_full += u64::from(is_published_in_full(p));
        out.local_limit_cut +=
            u64::from(shorter(p.time_limit.as_ref(), p.local_time_limit.as_ref()));
    }
    let mut cutting = std::collections::BTreeSet::new();
    for plan in plans
        .iter()
        .filter(|plan| counted.contains(&plan.procedure))
    {
        match plan.state {
            PlanState::Proposed => out.plans_proposed += 1,
            PlanState::Approved => out.plans_approved += 1,
            PlanState::Implemented => out.plans_implemented += 1,
            PlanState::Rejected => out.plans_rejected += 1,
        }
        let adopted = matches!(plan.state, PlanState::Approved | PlanState::Implemented);
        if adopted
            && shorter(
                plan.before.time_limit.as_ref(),
                plan.after.time_limit.as_ref(),
            )
        {
            cutting.insert(&plan.procedure);
        }
    }
    out.plans_cutting_time = cutting.len() as u64;
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::simplification::PlanSnapshot;
    use crate::catalog::{
        AgencyRef, ApplicantType, Channel, DossierComponent, Fee, FeeSchedule, TimeUnit,
    };

    fn limit(days: u32) -> TimeLimit {
        TimeLimit {
            value: crate::catalog::TimeValue::whole(days),
            unit: TimeUnit::WorkingDays,
        }
    }

    fn procedure(code: &str, level: Level) -> Procedure {
        let mut p = Procedure::draft(code.parse().unwrap(), format!("Thủ tục {code}"));
        p.levels = vec![level];
        p.state = LifecycleState::Published;
        p.channels = vec![Channel::InPerson];
        p.components = vec![DossierComponent {
            name: "Tờ khai".into(),
            originals: 1,
            copies: 0,
            required: true,
            form: None,
        }];
        p.time_limit = Some(limit(10));
        p.applicants = vec![ApplicantType::Citizen];
        p.implementing_agencies = vec![AgencyRef::Name("Sở Tư pháp".into())];
        p
    }

    fn plan(code: &str, state: PlanState, before: u32, after: u32) -> SimplificationPlan {
        SimplificationPlan {
            procedure: code.parse().unwrap(),
            description: "Rút ngắn thời hạn".into(),
            before: PlanSnapshot {
                time_limit: Some(limit(before)),
                ..PlanSnapshot::default()
            },
            after: PlanSnapshot {
                time_limit: Some(limit(after)),
                ..PlanSnapshot::default()
            },
            state,
            decision_no: None,
            cost_before: None,
            cost_after: None,
        }
    }

    #[test]
    fn a_hand_counted_catalogue() {
        let mut procedures = vec![
            procedure("1.000001", Level::Province),
            procedure("1.000002", Level::Province),
            procedure("1.000003", Level::Commune),
            procedure("1.000004", Level::Province),
            procedure("1.000005", Level::Ministry),
            procedure("1.000006", Level::Province),
        ];
        procedures[0].online_level = OnlineLevel::FullProcess;
        procedures[1].online_level = OnlineLevel::Partial;
        procedures[1].components.clear(); // not in full
        procedures[2].local_time_limit = Some(limit(7)); // cut locally
        procedures[3].kind = ProcedureKind::Internal;
        procedures[5].state = LifecycleState::Draft; // not in force
        procedures[1].applicants = vec![ApplicantType::Business]; // not open to individuals
        let charged = FeeSchedule::Charged(vec![Fee {
            name: "Lệ phí".into(),
            amount_vnd: Some(50_000),
            note: None,
        }]);
        procedures[0].fees = charged.clone();
        procedures[2].fees = charged.clone();
        procedures[3].fees = charged; // internal: none of the sets
        procedures[1].fees = FeeSchedule::Free; // free is no fee information
        let plans = [
            plan("1.000001", PlanState::Approved, 10, 5),
            plan("1.000001", PlanState::Implemented, 10, 8), // same procedure: counted once
            plan("1.000002", PlanState::Proposed, 10, 5),    // not adopted
            plan("1.000003", PlanState::Rejected, 10, 5),
            plan("1.000005", PlanState::Approved, 10, 5), // ministry level: not the province's
        ];
        let province = catalogue_figures(&procedures, &plans, levels_of(false));
        assert_eq!(
            province,
            CatalogueFigures {
                published_public: 3,
                published_internal: 1,
                full_process: 1,
                partial: 1,
                published_in_full: 2,
                local_limit_cut: 1,
                plans_proposed: 1,
                plans_approved: 1,
                plans_implemented: 1,
                plans_rejected: 1,
                plans_cutting_time: 1,
                with_fee_information: 2,
                open_to_individuals: 2,
            }
        );
        assert_eq!(province.published_in_full_ratio(), Ratio::new(2, 3));
        assert_eq!(province.online_offered_ratio(), Ratio::new(2, 3));
        // Procedures used, in ProcedureFlow::ALL order: online, population data, fee asked,
        // paid online; a numerator above its set (a procedure since taken out) is capped.
        assert_eq!(
            province.used_ratios([1, 3, 2, 0]),
            [
                (Indicator::OnlineServicesUsed, Ratio::new(1, 2)),
                (Indicator::FeesIntegrated, Ratio::new(2, 2)),
                (Indicator::FeesPaidOnline, Ratio::new(0, 2)),
                (Indicator::PopulationDataProcedures, Ratio::new(2, 2)),
            ]
        );
        let none = CatalogueFigures::default().used_ratios([0; 4]);
        assert!(none.iter().all(|(_, r)| r.value().is_none()));
        let commune = catalogue_figures(&procedures, &plans, levels_of(true));
        assert_eq!(commune.published_public, 1);
        assert_eq!(commune.local_limit_cut, 1);
        assert_eq!(commune.plans_rejected, 1);
        assert_eq!(commune.online_offered_ratio(), Ratio::new(0, 1));
    }

    #[test]
    fn an_empty_catalogue_leaves_the_ratios_undefined() {
        let none = catalogue_figures(&[], &[], levels_of(false));
        assert_eq!(none, CatalogueFigures::default());
        assert_eq!(none.published_in_full_ratio().value(), None);
    }

    #[test]
    fn a_longer_or_differently_counted_limit_is_no_cut() {
        let days = TimeLimit {
            value: crate::catalog::TimeValue::whole(5),
            unit: TimeUnit::Days,
        };
        assert!(!shorter(Some(&limit(10)), Some(&days)));
        assert!(!shorter(Some(&limit(5)), Some(&limit(10))));
        assert!(!shorter(None, Some(&limit(1))));
        assert!(shorter(Some(&limit(5)), Some(&limit(4))));
    }
}
