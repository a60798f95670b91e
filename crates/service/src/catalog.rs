//! The procedure catalogue: import and export, search, publication and withdrawal, and
//! simplification plans with their compliance-cost saving.
//!
//! Every change is decided here against what is stored and recorded by
//! `motcua_storage::catalog` as events plus projection rows in one transaction. The
//! life-cycle rules (draft → published → withdrawn, plan approval) are the domain's.

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;
use motcua_domain::authz::Action;
use motcua_domain::catalog::simplification::{
    ComplianceCostInput, ComplianceCostParams, CostSaving, PlanSnapshot, PlanState,
    SimplificationPlan,
};
use motcua_domain::catalog::{LifecycleState, Procedure, ProcedureCode, Publication, version_on};
use motcua_domain::fold::{Query, SearchIndex};
use motcua_storage::StoreError;
use motcua_storage::catalog::{
    PlanChange, PlanEvent, ProcedureChange, ProcedureEvent, ProcedureFilter, StoredPlan,
};
use serde::{Deserialize, Serialize};

use crate::{Acting, ServiceError, ServiceResult, Services};

/// Average income per hour used to value an applicant's time when no other figure is given:
/// GDP per capita 2024 at current prices, about 114 million đồng (General Statistics Office,
/// January 2025), ÷ 2,000 working hours a year (250 working days × 8 hours), rounded.
///
/// Circular 02/2017/TT-VPCP derives the hourly income from GDP or GRDP per capita, but the
/// exact divisor was not found (regulations.md §7, ❌): treat this as an assumption and pass
/// the province's own figure where it matters.
pub const DEFAULT_HOURLY_INCOME_VND: f64 = 57_000.0;

/// The compliance-cost parameters used when the caller has none: [`DEFAULT_HOURLY_INCOME_VND`].
pub const DEFAULT_COST_PARAMS: ComplianceCostParams = ComplianceCostParams {
    hourly_income_vnd: DEFAULT_HOURLY_INCOME_VND,
};

/// What an import did, one count per procedure version of the input.
///
/// `published` and `withdrawn` count stored versions whose state the import changed (their
/// content may have changed too); `revised` counts stored versions whose content changed in
/// the same state; `created` counts versions not stored before, whatever their state.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct ImportSummary {
    /// Versions not stored before.
    pub created: usize,
    /// Stored versions with new content, same state.
    pub revised: usize,
    /// Versions identical to what is stored.
    pub unchanged: usize,
    /// Stored drafts now published.
    pub published: usize,
    /// Stored published versions now withdrawn.
    pub withdrawn: usize,
}

impl ImportSummary {
    /// Number of versions the import changed or added.
    pub fn changed(&self) -> usize {
        self.created + self.revised + self.published + self.withdrawn
    }
}

/// "Vietnamese prefix: vi / English prefix: en", splitting a bilingual "vi / en" message.
fn bilingual(prefix_vi: &str, prefix_en: &str, message: &str) -> String {
    let (vi, en) = message.split_once(" / ").unwrap_or((message, message));
    format!("{prefix_vi}: {vi} / {prefix_en}: {en}")
}

fn not_found_procedure(code: &str, version: u32) -> ServiceError {
    ServiceError::Store(StoreError::NotFound {
        what: format!("procedure {code} v{version}"),
    })
}

/// Rebuilds procedure versions from a stream's events, in order (the projection `procedures`
/// holds the same rows; this is how it can be checked or rebuilt from the log).
pub fn replay_procedure(events: &[ProcedureEvent]) -> Vec<Procedure> {
    let mut versions: BTreeMap<u32, Procedure> = BTreeMap::new();
    for event in events {
        match event {
            ProcedureEvent::Imported(p) | ProcedureEvent::Revised(p) => {
                versions.insert(p.version, p.clone());
            }
            ProcedureEvent::Published {
                version,
                publication,
                valid_from,
            } => {
                if let Some(p) = versions.get_mut(version) {
                    p.state = LifecycleState::Published;
                    p.publication = Some(publication.clone());
                    p.valid_from = *valid_from;
                }
            }
            ProcedureEvent::Withdrawn {
                version, valid_to, ..
            } => {
                if let Some(p) = versions.get_mut(version) {
                    p.state = LifecycleState::Withdrawn;
                    p.valid_to = *valid_to;
                }
            }
        }
    }
    versions.into_values().collect()
}

/// Outcome of comparing one incoming version with the stored one.
enum Diff {
    Created,
    Unchanged,
    Revised,
    StateChanged(LifecycleState),
}

/// The events that turn `current` into `target` (same code and version): a `revised` event
/// for content changes (with the stored state), then `published` or `withdrawn` for a state
/// change. Refuses a state change the life cycle does not allow.
fn diff_version(
    current: &Procedure,
    target: &Procedure,
    events: &mut Vec<ProcedureEvent>,
) -> Result<Diff, String> {
    if current == target {
        return Ok(Diff::Unchanged);
    }
    let code = &target.code;
    let v = target.version;
    if current.state != target.state {
        current.state.transition(target.state).map_err(|e| {
            bilingual(
                &format!("Thủ tục {code} v{v}"),
                &format!("Procedure {code} v{v}"),
                &e.to_string(),
            )
        })?;
    }
    let mut content = target.clone();
    content.state = current.state;
    if content != *current {
        events.push(ProcedureEvent::Revised(content));
    }
    if target.state == current.state {
        return Ok(Diff::Revised);
    }
    match target.state {
        LifecycleState::Published => {
            let publication = target.publication.clone().ok_or_else(|| {
                format!(
                    "Thủ tục {code} v{v}: thiếu quyết định công bố / Procedure {code} v{v}: the publication decision is missing"
                )
            })?;
            events.push(ProcedureEvent::Published {
                version: v,
                publication,
                valid_from: target.valid_from,
            });
        }
        LifecycleState::Withdrawn => events.push(ProcedureEvent::Withdrawn {
            version: v,
            effective: target.valid_to.and_then(|d| d.succ_opt()),
            valid_to: target.valid_to,
        }),
        // Nothing moves back to draft; `transition` refused it above.
        LifecycleState::Draft => {}
    }
    Ok(Diff::StateChanged(target.state))
}

/// A simplification plan as proposed, e.g. read from a small JSON file:
///
/// ```json
/// {
///   "procedure": "2.000635",
///   "description": "Bỏ yêu cầu nộp bản sao; giải quyết trong 7 ngày",
///   "before": {"time_limit": {"value": 10, "unit": "working_days"}, "fees_vnd": 0, "components": 4, "steps": 5},
///   "after":  {"time_limit": {"value": 7, "unit": "working_days"}, "fees_vnd": 0, "components": 3, "steps": 4},
///   "cost_before": {"hours": 0, "service_fees_vnd": 0, "charges_vnd": 0, "other_costs_vnd": 1024000, "times_per_year": 1, "subjects_per_year": 3228},
///   "cost_after":  {"hours": 0, "service_fees_vnd": 0, "charges_vnd": 0, "other_costs_vnd": 231000, "times_per_year": 1, "subjects_per_year": 3228}
/// }
/// ```
///
/// `cost_before` and `cost_after` are optional (no saving is computed without both).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlanProposal {
    /// The procedure to simplify; it must be in the catalogue.
    pub procedure: ProcedureCode,
    /// What changes and why.
    pub description: String,
    /// The procedure today.
    pub before: PlanSnapshot,
    /// The procedure as proposed.
    pub after: PlanSnapshot,
    /// Compliance-cost inputs today (Circular 02/2017/TT-VPCP).
    #[serde(default)]
    pub cost_before: Option<ComplianceCostInput>,
    /// Compliance-cost inputs as proposed.
    #[serde(default)]
    pub cost_after: Option<ComplianceCostInput>,
}

/// The decision on a proposed plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PlanDecision {
    /// Approve under a decision number.
    Approve {
        /// The approving decision, e.g. `1811/QĐ-TTPVHCC`.
        decision_no: String,
    },
    /// Reject, saying why.
    Reject {
        /// The reason.
        reason: String,
    },
}

/// A plan with what it is worth: time cut and compliance-cost saving, computed by the domain
/// with the caller's [`ComplianceCostParams`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlanView {
    /// Plan id: procedure code, `-`, sequence number for that procedure (`2.000635-1`).
    pub id: String,
    /// Stream version (number of recorded events).
    pub version: i64,
    /// The plan.
    pub plan: SimplificationPlan,
    /// Why it was rejected, if it was.
    pub reason: Option<String>,
    /// When it was proposed.
    pub proposed_at: chrono::DateTime<chrono::Utc>,
    /// When it last changed.
    pub updated_at: chrono::DateTime<chrono::Utc>,
    /// `(old − new) ÷ old` time limit, when both limits are known (regulations.md §10).
    pub time_cut: Option<f64>,
    /// Annual compliance-cost saving, when both cost inputs are known (regulations.md §7).
    pub saving: Option<CostSaving>,
}

fn plan_error(e: impl std::fmt::Display) -> ServiceError {
    ServiceError::Invalid(e.to_string())
}

fn view(stored: StoredPlan, params: &ComplianceCostParams) -> ServiceResult<PlanView> {
    let time_cut = stored.plan.time_cut_ratio().map_err(plan_error)?;
    let saving = stored.plan.saving(params).map_err(plan_error)?;
    Ok(PlanView {
        id: stored.id,
        version: stored.version,
        plan: stored.plan,
        reason: stored.reason,
        proposed_at: stored.proposed_at,
        updated_at: stored.updated_at,
        time_cut,
        saving,
    })
}

impl Services {
    /// Imports procedure versions (e.g. a parsed CSV or JSON file): all of them, or nothing.
    ///
    /// Each version is compared with the stored one of the same code and version: new
    /// versions are created, changed ones revised, identical ones left alone (re-importing a
    /// file appends no event), and a state change must follow the life cycle draft →
    /// published → withdrawn. Every problem is reported at once, naming the procedure.
    /// Versions that are stored but absent from the input are kept as they are.
    ///
    /// Needs [`Action::ManageCatalogue`]; publishing or withdrawing a stored version also
    /// needs [`Action::PublishProcedure`] (new versions that arrive already published record
    /// a decision taken elsewhere).
    pub async fn import_catalogue(
        &self,
        acting: &Acting,
        procedures: Vec<Procedure>,
    ) -> ServiceResult<ImportSummary> {
        acting.require(Action::ManageCatalogue)?;
        let mut problems = Vec::new();
        let mut by_code: BTreeMap<String, BTreeMap<u32, Procedure>> = BTreeMap::new();
        for p in procedures {
            let (code, v) = (p.code.to_string(), p.version);
            for (field, problem) in p.validate() {
                problems.push(format!(
                    "Thủ tục {code} v{v}, trường {field}: {} / Procedure {code} v{v}, field {field}: {}",
                    problem.vi(),
                    problem.en()
                ));
            }
            if by_code
                .entry(code.clone())
                .or_default()
                .insert(v, p)
                .is_some()
            {
                problems.push(format!(
                    "Thủ tục {code} v{v} xuất hiện hai lần / Procedure {code} v{v} appears twice"
                ));
            }
        }
        if !problems.is_empty() {
            return Err(ServiceError::Invalid(problems.join("\n")));
        }

        let stored: HashMap<String, _> = self
            .store()
            .procedure_streams()
            .await?
            .into_iter()
            .map(|s| (s.code.clone(), s))
            .collect();
        let mut summary = ImportSummary::default();
        let mut changes = Vec::new();
        for (code, versions) in by_code {
            let stream = stored.get(&code);
            let mut events = Vec::new();
            let mut touched = Vec::new();
            for (v, target) in versions {
                let current = stream.and_then(|s| s.versions.iter().find(|p| p.version == v));
                let diff = match current {
                    None => {
                        events.push(ProcedureEvent::Imported(target.clone()));
                        Ok(Diff::Created)
                    }
                    Some(current) => diff_version(current, &target, &mut events),
                };
                match diff {
                    Ok(Diff::Unchanged) => summary.unchanged += 1,
                    Ok(diff) => {
                        match diff {
                            Diff::Created => summary.created += 1,
                            Diff::Revised => summary.revised += 1,
                            Diff::StateChanged(LifecycleState::Withdrawn) => summary.withdrawn += 1,
                            Diff::StateChanged(_) => summary.published += 1,
                            Diff::Unchanged => {}
                        }
                        touched.push(target);
                    }
                    Err(problem) => problems.push(problem),
                }
            }
            if !events.is_empty() {
                changes.push(ProcedureChange {
                    code,
                    expected_version: stream.map_or(0, |s| s.stream_version),
                    events,
                    versions: touched,
                });
            }
        }
        if !problems.is_empty() {
            return Err(ServiceError::Refused(problems.join("\n")));
        }
        if summary.published + summary.withdrawn > 0 {
            acting.require(Action::PublishProcedure)?;
        }
        if !changes.is_empty() {
            self.store()
                .record_procedure_batch(&changes, &self.meta(acting))
                .await?;
            self.portal.forget_catalogue();
        }
        tracing::info!(
            catalog.created = summary.created,
            catalog.revised = summary.revised,
            catalog.unchanged = summary.unchanged,
            catalog.published = summary.published,
            catalog.withdrawn = summary.withdrawn,
            "imported procedures"
        );
        Ok(summary)
    }

    /// Every stored version of every procedure, by code then version: the input of an export
    /// that re-imports as "unchanged".
    pub async fn export_catalogue(&self) -> ServiceResult<Vec<Procedure>> {
        Ok(self
            .store()
            .list_procedures(&ProcedureFilter::default())
            .await?)
    }

    /// The `limit` procedures whose names best match `text`, best first, with their
    /// [`motcua_domain::fold::score`]; case and diacritics are ignored.
    ///
    /// The latest version of each code is searched. The store first narrows the names to
    /// those containing the query's (longest) folded words; the domain's index ranks them.
    pub async fn search_procedures(
        &self,
        text: &str,
        limit: usize,
    ) -> ServiceResult<Vec<(Procedure, u32)>> {
        let Some(query) = Query::new(text) else {
            return Ok(Vec::new());
        };
        if limit == 0 {
            return Ok(Vec::new());
        }
        let words: Vec<&str> = query.tokens().iter().map(String::as_str).collect();
        let names = self.store().procedure_names_containing(&words).await?;
        let index = SearchIndex::new(names.into_iter().map(|n| ((n.code, n.version), n.name)));
        let mut found = Vec::new();
        for hit in index.search(text, limit) {
            let (code, version) = hit.key;
            let version = u32::try_from(*version)
                .map_err(|_| StoreError::Corrupt(format!("procedure {code} version {version}")))?;
            let procedure = self
                .store()
                .find_procedure(code, version)
                .await?
                .ok_or_else(|| not_found_procedure(code, version))?;
            found.push((procedure, hit.score));
        }
        Ok(found)
    }

    /// The version of `code` in force on `on` (published or withdrawn, valid that day;
    /// [`version_on`]), if any.
    pub async fn procedure(&self, code: &str, on: NaiveDate) -> ServiceResult<Option<Procedure>> {
        let versions = self.procedure_versions(code).await?;
        let Some(first) = versions.first() else {
            return Ok(None);
        };
        Ok(version_on(&versions, &first.code, on).cloned())
    }

    /// Every stored version of `code`, in version order (empty when the code is unknown).
    pub async fn procedure_versions(&self, code: &str) -> ServiceResult<Vec<Procedure>> {
        Ok(self
            .store()
            .procedure_stream(code)
            .await?
            .map(|s| s.versions)
            .unwrap_or_default())
    }

    /// Publishes a draft version under a publication decision; it applies from the decision
    /// date unless it already had a first day. Needs [`Action::PublishProcedure`].
    pub async fn publish_procedure(
        &self,
        acting: &Acting,
        code: &str,
        version: u32,
        publication: Publication,
    ) -> ServiceResult<Procedure> {
        acting.require(Action::PublishProcedure)?;
        self.change_state(acting, code, version, |p| {
            p.publish(publication.clone())?;
            Ok(ProcedureEvent::Published {
                version,
                publication,
                valid_from: p.valid_from,
            })
        })
        .await
    }

    /// Withdraws a published version: it no longer applies from `effective` (its last day is
    /// the day before). Needs [`Action::PublishProcedure`].
    pub async fn withdraw_procedure(
        &self,
        acting: &Acting,
        code: &str,
        version: u32,
        effective: NaiveDate,
    ) -> ServiceResult<Procedure> {
        acting.require(Action::PublishProcedure)?;
        self.change_state(acting, code, version, |p| {
            p.withdraw(effective)?;
            Ok(ProcedureEvent::Withdrawn {
                version,
                effective: Some(effective),
                valid_to: p.valid_to,
            })
        })
        .await
    }

    /// Loads one version, lets `decide` change its state (the domain refuses illegal steps),
    /// checks the result and records the event.
    async fn change_state(
        &self,
        acting: &Acting,
        code: &str,
        version: u32,
        decide: impl FnOnce(
            &mut Procedure,
        ) -> Result<ProcedureEvent, motcua_domain::catalog::LifecycleError>,
    ) -> ServiceResult<Procedure> {
        let stream = self
            .store()
            .procedure_stream(code)
            .await?
            .ok_or_else(|| not_found_procedure(code, version))?;
        let mut procedure = stream
            .versions
            .iter()
            .find(|p| p.version == version)
            .cloned()
            .ok_or_else(|| not_found_procedure(code, version))?;
        let (prefix_vi, prefix_en) = (
            format!("Thủ tục {code} v{version}"),
            format!("Procedure {code} v{version}"),
        );
        let event = decide(&mut procedure).map_err(|e| {
            ServiceError::Refused(bilingual(&prefix_vi, &prefix_en, &e.to_string()))
        })?;
        let problems: Vec<String> = procedure
            .validate()
            .into_iter()
            .map(|(field, problem)| {
                format!(
                    "{prefix_vi}, trường {field}: {} / {prefix_en}, field {field}: {}",
                    problem.vi(),
                    problem.en()
                )
            })
            .collect();
        if !problems.is_empty() {
            return Err(ServiceError::Invalid(problems.join("\n")));
        }
        let change = ProcedureChange {
            code: stream.code,
            expected_version: stream.stream_version,
            events: vec![event],
            versions: vec![procedure.clone()],
        };
        self.store()
            .record_procedure_batch(&[change], &self.meta(acting))
            .await?;
        self.portal.forget_catalogue();
        Ok(procedure)
    }

    /// Proposes a simplification plan for a procedure of the catalogue. The plan gets the id
    /// `<code>-<n>` (its number among that procedure's plans). Inputs that the cost or
    /// time-cut formulas refuse (different units, negative amounts, a zero "before") are
    /// refused now. Needs [`Action::ManageSimplification`].
    pub async fn propose_plan(
        &self,
        acting: &Acting,
        proposal: PlanProposal,
        params: &ComplianceCostParams,
    ) -> ServiceResult<PlanView> {
        acting.require(Action::ManageSimplification)?;
        let code = proposal.procedure.to_string();
        if proposal.description.trim().is_empty() {
            return Err(ServiceError::Invalid(
                "phương án cần mô tả (description) / the plan needs a description".into(),
            ));
        }
        if self.store().procedure_stream(&code).await?.is_none() {
            return Err(ServiceError::Invalid(format!(
                "thủ tục {code} không có trong danh mục / procedure {code} is not in the catalogue"
            )));
        }
        let plan = SimplificationPlan {
            procedure: proposal.procedure,
            description: proposal.description,
            before: proposal.before,
            after: proposal.after,
            state: PlanState::Proposed,
            decision_no: None,
            cost_before: proposal.cost_before,
            cost_after: proposal.cost_after,
        };
        plan.time_cut_ratio().map_err(plan_error)?;
        plan.saving(params).map_err(plan_error)?;
        let id = format!("{code}-{}", self.store().count_plans(&code).await? + 1);
        self.store()
            .record_plan(
                &PlanChange {
                    id: id.clone(),
                    expected_version: 0,
                    events: vec![PlanEvent::Proposed(Box::new(plan.clone()))],
                    plan,
                    reason: None,
                },
                &self.meta(acting),
            )
            .await?;
        self.stored_plan(&id, params).await
    }

    /// Approves or rejects a proposed plan. Needs [`Action::ManageSimplification`].
    pub async fn decide_plan(
        &self,
        acting: &Acting,
        id: &str,
        decision: PlanDecision,
        params: &ComplianceCostParams,
    ) -> ServiceResult<PlanView> {
        acting.require(Action::ManageSimplification)?;
        let (to, event) = match decision {
            PlanDecision::Approve { decision_no } => {
                if decision_no.trim().is_empty() {
                    return Err(ServiceError::Invalid(
                        "phê duyệt cần số quyết định / approval needs a decision number".into(),
                    ));
                }
                (PlanState::Approved, PlanEvent::Approved { decision_no })
            }
            PlanDecision::Reject { reason } => {
                if reason.trim().is_empty() {
                    return Err(ServiceError::Invalid(
                        "từ chối cần nêu lý do / rejection needs a reason".into(),
                    ));
                }
                (PlanState::Rejected, PlanEvent::Rejected { reason })
            }
        };
        self.change_plan(acting, id, to, event, params).await
    }

    /// Marks an approved plan as carried out, optionally naming the procedure version that
    /// carries it (which must be stored). Needs [`Action::ManageSimplification`].
    pub async fn implement_plan(
        &self,
        acting: &Acting,
        id: &str,
        procedure_version: Option<u32>,
        params: &ComplianceCostParams,
    ) -> ServiceResult<PlanView> {
        acting.require(Action::ManageSimplification)?;
        let event = PlanEvent::Implemented { procedure_version };
        self.change_plan(acting, id, PlanState::Implemented, event, params)
            .await
    }

    /// Plans, optionally of one procedure, in the order they were proposed.
    pub async fn list_plans(
        &self,
        procedure: Option<&str>,
        params: &ComplianceCostParams,
    ) -> ServiceResult<Vec<PlanView>> {
        self.store()
            .list_plans(procedure)
            .await?
            .into_iter()
            .map(|p| view(p, params))
            .collect()
    }

    /// One plan, if it exists.
    pub async fn plan(
        &self,
        id: &str,
        params: &ComplianceCostParams,
    ) -> ServiceResult<Option<PlanView>> {
        self.store()
            .find_plan(id)
            .await?
            .map(|p| view(p, params))
            .transpose()
    }

    async fn stored_plan(
        &self,
        id: &str,
        params: &ComplianceCostParams,
    ) -> ServiceResult<PlanView> {
        self.plan(id, params).await?.ok_or_else(|| {
            ServiceError::Store(StoreError::NotFound {
                what: format!("plan {id}"),
            })
        })
    }

    async fn change_plan(
        &self,
        acting: &Acting,
        id: &str,
        to: PlanState,
        event: PlanEvent,
        params: &ComplianceCostParams,
    ) -> ServiceResult<PlanView> {
        let stored = self.store().find_plan(id).await?.ok_or_else(|| {
            ServiceError::Store(StoreError::NotFound {
                what: format!("plan {id}"),
            })
        })?;
        let mut plan = stored.plan;
        plan.transition(to).map_err(|e| {
            ServiceError::Refused(bilingual(
                &format!("Phương án {id}"),
                &format!("Plan {id}"),
                &e.to_string(),
            ))
        })?;
        let mut reason = stored.reason;
        match &event {
            PlanEvent::Approved { decision_no } => plan.decision_no = Some(decision_no.clone()),
            PlanEvent::Rejected { reason: why } => reason = Some(why.clone()),
            PlanEvent::Implemented {
                procedure_version: Some(v),
            } => {
                let code = plan.procedure.to_string();
                if self.store().find_procedure(&code, *v).await?.is_none() {
                    return Err(ServiceError::Invalid(format!(
                        "thủ tục {code} không có phiên bản {v} / procedure {code} has no version {v}"
                    )));
                }
            }
            PlanEvent::Implemented { .. } | PlanEvent::Proposed(_) => {}
        }
        self.store()
            .record_plan(
                &PlanChange {
                    id: id.to_owned(),
                    expected_version: stored.version,
                    events: vec![event],
                    plan,
                    reason,
                },
                &self.meta(acting),
            )
            .await?;
        self.stored_plan(id, params).await
    }
}
