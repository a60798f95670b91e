//! Simplification plans (phương án đơn giản hóa) and compliance cost (chi phí tuân thủ).
//!
//! A plan proposes a cheaper, faster version of a procedure: shorter time limit, lower
//! fees, fewer dossier components or steps. Its value is measured with the compliance-cost
//! method of Circular 02/2017/TT-VPCP (regulations.md §7) and the time-cut ratio reported
//! in reform reports (regulations.md §10).
//!
//! The formula below is the one recalled in regulations.md §7 (🔶): the income divisor and
//! the official spreadsheet (Biểu mẫu 03/SCM-KSTT) were not found, so every parameter is an
//! input, never a constant.

use serde::{Deserialize, Serialize};

use super::{ProcedureCode, TimeLimit};

/// Why a plan computation or transition was refused. Messages are Vietnamese, then English.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PlanError {
    /// A plan state change that the approval process does not allow.
    #[error(
        "Không thể chuyển phương án từ '{from:?}' sang '{to:?}' (chỉ: proposed → approved | rejected, approved → implemented) / Cannot move a plan from '{from:?}' to '{to:?}' (only proposed → approved | rejected, approved → implemented)"
    )]
    Transition {
        /// Current state.
        from: PlanState,
        /// Requested state.
        to: PlanState,
    },
    /// Time limits in different units cannot be compared.
    #[error(
        "Không so sánh được thời hạn {old} với {new} (khác đơn vị) / Cannot compare time limits {old} and {new} (different units)"
    )]
    DifferentUnits {
        /// The old limit.
        old: String,
        /// The new limit.
        new: String,
    },
    /// The base of a ratio is zero.
    #[error(
        "Giá trị trước đơn giản hóa của '{0}' bằng 0, không tính được tỷ lệ / The before value of '{0}' is 0, so no ratio can be computed"
    )]
    ZeroBase(&'static str),
    /// An input is negative, not finite, or too large.
    #[error(
        "Tham số '{name}' = {value} không hợp lệ (phải là số hữu hạn, không âm) / Parameter '{name}' = {value} is invalid (must be finite and not negative)"
    )]
    InvalidInput {
        /// The parameter.
        name: &'static str,
        /// Its value.
        value: f64,
    },
}

/// Approval state of a plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PlanState {
    /// Proposed by the drafting body, awaiting a decision.
    #[default]
    Proposed,
    /// Approved (phê duyệt) by the competent authority.
    Approved,
    /// Rejected.
    Rejected,
    /// Carried out: the procedure has been re-published in its simplified form.
    Implemented,
}

impl PlanState {
    /// Whether `self → to` is allowed: proposed → approved or rejected; approved →
    /// implemented. Rejected and implemented are final.
    pub fn can_transition_to(self, to: PlanState) -> bool {
        matches!(
            (self, to),
            (Self::Proposed, Self::Approved | Self::Rejected) | (Self::Approved, Self::Implemented)
        )
    }

    /// The new state, or an error naming both states.
    pub fn transition(self, to: PlanState) -> Result<PlanState, PlanError> {
        if self.can_transition_to(to) {
            Ok(to)
        } else {
            Err(PlanError::Transition { from: self, to })
        }
    }
}

/// The measurable shape of a procedure before or after simplification.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct PlanSnapshot {
    /// Statutory time limit.
    pub time_limit: Option<TimeLimit>,
    /// Fees and charges per performance, in đồng.
    pub fees_vnd: u64,
    /// Number of dossier components.
    pub components: u32,
    /// Number of steps (trình tự thực hiện).
    pub steps: u32,
}

/// A simplification plan for one procedure.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SimplificationPlan {
    /// The procedure simplified.
    pub procedure: ProcedureCode,
    /// What changes and why.
    pub description: String,
    /// The procedure today.
    pub before: PlanSnapshot,
    /// The procedure as proposed.
    pub after: PlanSnapshot,
    /// Approval state.
    pub state: PlanState,
    /// The approving decision, once approved.
    pub decision_no: Option<String>,
    /// Compliance-cost inputs before, if assessed.
    pub cost_before: Option<ComplianceCostInput>,
    /// Compliance-cost inputs after, if assessed.
    pub cost_after: Option<ComplianceCostInput>,
}

impl SimplificationPlan {
    /// Moves the plan to `to`, refusing illegal steps.
    pub fn transition(&mut self, to: PlanState) -> Result<(), PlanError> {
        self.state = self.state.transition(to)?;
        Ok(())
    }

    /// Time cut ratio, `None` when either snapshot has no time limit.
    pub fn time_cut_ratio(&self) -> Result<Option<f64>, PlanError> {
        match (&self.before.time_limit, &self.after.time_limit) {
            (Some(old), Some(new)) => time_cut_ratio(old, new).map(Some),
            _ => Ok(None),
        }
    }

    /// Compliance-cost saving, `None` unless both cost inputs are present.
    pub fn saving(&self, params: &ComplianceCostParams) -> Result<Option<CostSaving>, PlanError> {
        let (Some(before), Some(after)) = (&self.cost_before, &self.cost_after) else {
            return Ok(None);
        };
        let b = compliance_cost(before, params)?;
        let a = compliance_cost(after, params)?;
        saving(b.annual_vnd, a.annual_vnd).map(Some)
    }
}

/// Share of the time limit removed: `(old − new) ÷ old` (regulations.md §10, 🔶).
///
/// Both limits must use the same unit (working days are not convertible to calendar days
/// without a calendar). Negative when the new limit is longer.
pub fn time_cut_ratio(old: &TimeLimit, new: &TimeLimit) -> Result<f64, PlanError> {
    if old.unit != new.unit {
        return Err(PlanError::DifferentUnits {
            old: old.to_string(),
            new: new.to_string(),
        });
    }
    let (o, n) = (old.value.as_f64(), new.value.as_f64());
    if o == 0.0 {
        return Err(PlanError::ZeroBase("time_limit"));
    }
    Ok((o - n) / o)
}

/// Parameters of the compliance-cost calculation (Circular 02/2017/TT-VPCP, 🔶).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ComplianceCostParams {
    /// Average income per hour, in đồng, used to value the applicant's time. The Circular
    /// derives it from GDP or GRDP per capita ÷ working hours per year (exact divisor not
    /// found; see [`ComplianceCostParams::from_annual_income`]).
    pub hourly_income_vnd: f64,
}

impl ComplianceCostParams {
    /// Hourly income from annual income per head and working hours per year, e.g. GRDP per
    /// capita ÷ (working days × 8 hours). Both are inputs because the official divisor was
    /// not found (regulations.md §7, ❌).
    pub fn from_annual_income(
        annual_income_vnd: f64,
        working_hours_per_year: f64,
    ) -> Result<Self, PlanError> {
        check("annual_income_vnd", annual_income_vnd)?;
        check("working_hours_per_year", working_hours_per_year)?;
        if working_hours_per_year == 0.0 {
            return Err(PlanError::ZeroBase("working_hours_per_year"));
        }
        Ok(Self {
            hourly_income_vnd: annual_income_vnd / working_hours_per_year,
        })
    }
}

/// What one performance of a procedure costs an applicant, and how often it happens.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct ComplianceCostInput {
    /// Hours the applicant spends per performance (preparing, travelling, waiting).
    pub hours: f64,
    /// Consultant or service fees per performance, in đồng.
    pub service_fees_vnd: f64,
    /// Fees and charges (phí, lệ phí) per performance, in đồng.
    pub charges_vnd: f64,
    /// Other costs per performance (travel, copies, postage), in đồng.
    pub other_costs_vnd: f64,
    /// Times one subject performs it per year.
    pub times_per_year: f64,
    /// Number of subjects performing it per year.
    pub subjects_per_year: f64,
}

/// Result of [`compliance_cost`], in đồng (rounded to the nearest đồng).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ComplianceCost {
    /// Hours × hourly income.
    pub time_cost_vnd: u64,
    /// Time cost + service fees + charges + other costs.
    pub per_performance_vnd: u64,
    /// Per performance × times per year × subjects per year.
    pub annual_vnd: u64,
}

fn check(name: &'static str, value: f64) -> Result<f64, PlanError> {
    if value.is_finite() && value >= 0.0 {
        Ok(value)
    } else {
        Err(PlanError::InvalidInput { name, value })
    }
}

/// Rounds a checked, non-negative amount to whole đồng. Values beyond u64 saturate, which
/// only happens with absurd inputs (more than 1.8 × 10¹⁹ đồng).
fn to_vnd(x: f64) -> u64 {
    // `as` saturates for out-of-range floats; inputs are finite and non-negative (checked).
    x.round() as u64
}

/// Compliance cost of a procedure (Circular 02/2017/TT-VPCP, as recalled in
/// regulations.md §7, 🔶):
///
/// ```text
/// time cost       = hours × hourly income
/// per performance = time cost + service fees + charges + other costs
/// annual          = per performance × times per year × subjects per year
/// ```
pub fn compliance_cost(
    input: &ComplianceCostInput,
    params: &ComplianceCostParams,
) -> Result<ComplianceCost, PlanError> {
    let hourly = check("hourly_income_vnd", params.hourly_income_vnd)?;
    let hours = check("hours", input.hours)?;
    let service = check("service_fees_vnd", input.service_fees_vnd)?;
    let charges = check("charges_vnd", input.charges_vnd)?;
    let other = check("other_costs_vnd", input.other_costs_vnd)?;
    let times = check("times_per_year", input.times_per_year)?;
    let subjects = check("subjects_per_year", input.subjects_per_year)?;
    let time_cost = (hours * hourly).round();
    let per = time_cost + service.round() + charges.round() + other.round();
    let annual = per * times * subjects;
    Ok(ComplianceCost {
        time_cost_vnd: to_vnd(time_cost),
        per_performance_vnd: to_vnd(per),
        annual_vnd: to_vnd(annual),
    })
}

/// A cost saving: `saving = before − after`, `rate = saving ÷ before`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct CostSaving {
    /// Cost before, in đồng.
    pub before_vnd: u64,
    /// Cost after, in đồng.
    pub after_vnd: u64,
    /// Before − after (negative if the plan costs more).
    pub saving_vnd: i128,
    /// Saving ÷ before, as a fraction (0.7744 = 77.44 %).
    pub rate: f64,
}

impl CostSaving {
    /// The rate as a percentage rounded to two decimals (77.44), as reports print it.
    pub fn rate_percent(&self) -> f64 {
        (self.rate * 10_000.0).round() / 100.0
    }
}

/// Saving from simplification (regulations.md §7, ✅): `before − after` and
/// `(before − after) ÷ before`. Works on per-dossier or annual amounts alike.
pub fn saving(before_vnd: u64, after_vnd: u64) -> Result<CostSaving, PlanError> {
    if before_vnd == 0 {
        return Err(PlanError::ZeroBase("cost"));
    }
    let saving = i128::from(before_vnd) - i128::from(after_vnd);
    Ok(CostSaving {
        before_vnd,
        after_vnd,
        saving_vnd: saving,
        // Precision loss only above 2⁵³ đồng, far beyond any budget.
        rate: saving as f64 / before_vnd as f64,
    })
}

#[cfg(test)]
mod tests {
    use super::super::{TimeUnit, TimeValue};
    use super::*;

    fn limit(v: u32, unit: TimeUnit) -> TimeLimit {
        TimeLimit {
            value: TimeValue::whole(v),
            unit,
        }
    }

    #[test]
    fn ha_noi_restructuring_plan() {
        // Decision 1811/QĐ-TTPVHCC, TTHC 2.000635: 1,024,000 → 231,000 đồng per dossier,
        // 3,228 subjects per year (regulations.md §7).
        let s = saving(1_024_000, 231_000).unwrap();
        assert_eq!(s.saving_vnd, 793_000);
        assert_eq!(s.rate_percent(), 77.44);
        let params = ComplianceCostParams {
            hourly_income_vnd: 0.0,
        };
        let per_dossier = |vnd: f64| ComplianceCostInput {
            other_costs_vnd: vnd,
            times_per_year: 1.0,
            subjects_per_year: 3_228.0,
            ..ComplianceCostInput::default()
        };
        let before = compliance_cost(&per_dossier(1_024_000.0), &params).unwrap();
        let after = compliance_cost(&per_dossier(231_000.0), &params).unwrap();
        assert_eq!(before.annual_vnd, 3_305_472_000);
        assert_eq!(after.annual_vnd, 745_668_000);
        let annual = saving(before.annual_vnd, after.annual_vnd).unwrap();
        assert_eq!(annual.saving_vnd, 2_559_804_000);
        assert_eq!(annual.rate_percent(), 77.44);
    }

    #[test]
    fn cost_formula_parts() {
        let params = ComplianceCostParams::from_annual_income(120_000_000.0, 2_000.0).unwrap();
        assert_eq!(params.hourly_income_vnd, 60_000.0);
        let input = ComplianceCostInput {
            hours: 2.5,
            service_fees_vnd: 100_000.0,
            charges_vnd: 50_000.0,
            other_costs_vnd: 20_000.0,
            times_per_year: 2.0,
            subjects_per_year: 1_000.0,
        };
        let c = compliance_cost(&input, &params).unwrap();
        assert_eq!(c.time_cost_vnd, 150_000);
        assert_eq!(c.per_performance_vnd, 320_000);
        assert_eq!(c.annual_vnd, 640_000_000);
        let bad = ComplianceCostInput {
            hours: f64::NAN,
            ..input
        };
        assert!(matches!(
            compliance_cost(&bad, &params),
            Err(PlanError::InvalidInput { name: "hours", .. })
        ));
        assert!(ComplianceCostParams::from_annual_income(1.0, 0.0).is_err());
        assert!(saving(0, 0).is_err());
    }

    #[test]
    fn time_cut() {
        let r = time_cut_ratio(
            &limit(20, TimeUnit::WorkingDays),
            &limit(15, TimeUnit::WorkingDays),
        )
        .unwrap();
        assert_eq!(r, 0.25);
        let half = TimeLimit {
            value: TimeValue::from_halves(3),
            unit: TimeUnit::WorkingDays,
        };
        assert_eq!(
            time_cut_ratio(&limit(3, TimeUnit::WorkingDays), &half).unwrap(),
            0.5
        );
        let err = time_cut_ratio(
            &limit(20, TimeUnit::WorkingDays),
            &limit(15, TimeUnit::Days),
        )
        .unwrap_err();
        assert!(err.to_string().contains("different units"), "{err}");
    }

    #[test]
    fn plan_states() {
        use PlanState::{Approved, Implemented, Proposed, Rejected};
        assert!(Proposed.transition(Approved).is_ok());
        assert!(Proposed.transition(Rejected).is_ok());
        assert!(Approved.transition(Implemented).is_ok());
        for (a, b) in [
            (Proposed, Implemented),
            (Rejected, Approved),
            (Implemented, Proposed),
            (Approved, Rejected),
        ] {
            assert!(a.transition(b).is_err(), "{a:?} → {b:?}");
        }
        let mut plan = SimplificationPlan {
            procedure: "2.000635".parse().unwrap(),
            description: "Cắt giảm thời hạn".into(),
            before: PlanSnapshot {
                time_limit: Some(limit(10, TimeUnit::WorkingDays)),
                fees_vnd: 50_000,
                components: 4,
                steps: 5,
            },
            after: PlanSnapshot {
                time_limit: Some(limit(7, TimeUnit::WorkingDays)),
                fees_vnd: 50_000,
                components: 3,
                steps: 4,
            },
            state: Proposed,
            decision_no: None,
            cost_before: None,
            cost_after: None,
        };
        assert!(plan.transition(Implemented).is_err());
        plan.transition(Approved).unwrap();
        assert_eq!(plan.time_cut_ratio().unwrap(), Some(0.3));
        assert_eq!(
            plan.saving(&ComplianceCostParams {
                hourly_income_vnd: 1.0
            })
            .unwrap(),
            None
        );
    }
}
