//! The one-stop desk and the back office (issue "web application", §4): the read models that
//! need more than one store call, and the desk's intake in one transaction.
//!
//! - **Worklists** ([`Services::worklist`]): an officer's open dossiers by deadline, each
//!   classified now with [`Dossier::outcome_at`] and flagged *due within one working day* on
//!   the agency's own calendar, with the counts of overdue and due-soon dossiers over the
//!   whole list, not just the page shown.
//! - **A dossier's file** ([`Services::office_dossier`]): the dossier, its history from the
//!   event log with people's and agencies' names, each step's result (Form 06) and the
//!   actions the officer's role may take in the current status.
//! - **Applicant lookup** ([`Services::desk_applicant`]): the name and contacts of the
//!   latest dossier of a personal ID or tax code, within the desk officer's scope only.
//! - **Desk intake** ([`Services::desk_intake`]): receive (Form 01), give the one-time
//!   written guidance (Form 02) or refuse (Form 03) a dossier brought to the desk or by post.
//!
//! Every read goes through [`Services::dossier_for`] or [`Services::list_dossiers_for`], so
//! scope rules are the ones of `motcua_domain::authz`; every change goes through the dossier
//! write path. Nothing here logs personal data.

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::{DateTime, Days, FixedOffset, TimeDelta, Utc};
use motcua_domain::authz::{self, Action, Principal, Scope, Target};
use motcua_domain::calendar::Calendar;
use motcua_domain::catalog::{self, LifecycleState, OnlineLevel, Procedure, ProcedureKind};
use motcua_domain::dossier::{
    Applicant, ApplicantId, Command, Context, Decision, Dossier, DossierCode, DossierError,
    DossierEvent, FeeLine, Outcome, OutcomeRules, PauseReason, ProcedureRef, ProcedureSets,
    ResultForm, ReturnMethod, Status, Step, Timing, decide,
};
use motcua_domain::event::{Channel, Role};
use motcua_storage::dossiers::{DossierOrder, DossierQuery};

use crate::accounts::{AccountKind, authorize, is_account_id};
use crate::dossiers::NewDossier;
use crate::read_cache::{Cached, WorklistFacts};
use crate::stats::timing_of;
use crate::{Acting, ServiceError, ServiceResult, Services};

/// Dossiers on one page of a worklist.
pub const PAGE_SIZE: u32 = 25;

/// Vietnam's offset: "today" for the catalogue is the local date.
const VIETNAM: FixedOffset = match FixedOffset::east_opt(7 * 3600) {
    Some(offset) => offset,
    None => unreachable!(),
};

/// The statuses that are still someone's work: every status but the closed ones (not
/// received, withdrawn, stopped, returned). A processed dossier stays until its result is
/// issued and returned.
pub const OPEN_STATUSES: [Status; 6] = [
    Status::Submitted,
    Status::Received,
    Status::InProgress,
    Status::SupplementRequested,
    Status::AwaitingPayment,
    Status::Processed,
];

/// How pressing a dossier is, for the colours and marks of a worklist.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Urgency {
    /// Past its appointment (766 rule 2.1: the clock was not waiting for the applicant).
    Overdue,
    /// Due within one working day of the agency's calendar.
    DueSoon,
    /// Neither.
    Normal,
}

fn calendar_error(e: motcua_domain::calendar::CalendarError) -> ServiceError {
    ServiceError::Internal(format!("calendar: {e}"))
}

/// How pressing `dossier` is at `now`: overdue as [`Dossier::outcome_at`] says; due soon
/// when the appointment statistics measure against is at most one working day (the
/// agency's daily office time) away while the clock runs.
///
/// # Errors
/// An instant outside the calendar's range.
pub fn urgency(
    dossier: &Dossier,
    now: DateTime<Utc>,
    calendar: &Calendar,
    rules: &OutcomeRules,
) -> ServiceResult<Urgency> {
    timing_urgency(&dossier.timing(), now, calendar, rules)
}

/// [`urgency`] from the timing facts alone (the projection's columns), so that counting a
/// whole worklist reads no dossier state.
///
/// # Errors
/// An instant outside the calendar's range.
pub fn timing_urgency(
    timing: &Timing,
    now: DateTime<Utc>,
    calendar: &Calendar,
    rules: &OutcomeRules,
) -> ServiceResult<Urgency> {
    match timing.outcome_at(now, rules) {
        Outcome::Overdue => Ok(Urgency::Overdue),
        Outcome::WithinTime => {
            // While the clock waits for the applicant, the deadline does not come nearer.
            let waiting = timing.waiting.is_some_and(|(reason, _)| {
                reason == PauseReason::Supplement || rules.payment_pauses_clock
            });
            let Some(due) = timing.measured_due(rules).filter(|_| !waiting) else {
                return Ok(Urgency::Normal);
            };
            let left = if now < due {
                calendar
                    .working_time_between(now.fixed_offset(), due.fixed_offset())
                    .map_err(calendar_error)?
            } else {
                TimeDelta::zero()
            };
            if left <= calendar.config().working_hours.daily_total() {
                Ok(Urgency::DueSoon)
            } else {
                Ok(Urgency::Normal)
            }
        }
        _ => Ok(Urgency::Normal),
    }
}

/// Which dossiers a worklist shows; every filter only narrows the officer's scope.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WorklistFilter {
    /// One agency (system administrators choose; staff always see their own).
    pub agency: Option<String>,
    /// One procedure code.
    pub procedure: Option<String>,
    /// Dossiers whose current step has this name.
    pub step: Option<String>,
    /// One status; `None` for every open status ([`OPEN_STATUSES`]).
    pub status: Option<Status>,
    /// Page number, from 1.
    pub page: u32,
}

/// One row of a worklist.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorklistRow {
    /// The dossier.
    pub dossier: Dossier,
    /// Its classification now.
    pub outcome: Outcome,
    /// Overdue, due soon or neither.
    pub urgency: Urgency,
    /// The open step's classification against its own budget (Form 06), if a step is open.
    pub step_outcome: Option<Outcome>,
}

/// A page of a worklist and the counts over all of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Worklist {
    /// The rows of this page, nearest deadline first (no appointment last); shared with the
    /// other requests that view the same page of the same list.
    pub rows: Arc<Vec<WorklistRow>>,
    /// Dossiers matching the filters.
    pub total: u64,
    /// This page, from 1.
    pub page: u32,
    /// Number of pages (at least 1).
    pub pages: u32,
    /// Overdue dossiers among all that match (not only this page).
    pub overdue: u64,
    /// Dossiers due within one working day among all that match.
    pub due_soon: u64,
    /// The instant the list was classified at (at most
    /// [`WORKLIST_TTL`](crate::read_cache::WORKLIST_TTL) before the request while the log
    /// has not grown).
    pub now: DateTime<Utc>,
}

/// One entry of a dossier's history: the event and its envelope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryEntry {
    /// Position in the dossier's stream, from 1.
    pub version: i64,
    /// When it happened.
    pub at: DateTime<Utc>,
    /// Stable kind (`received`, `transferred`, …).
    pub kind: String,
    /// The event, when its payload reads as one (always, for a sound log).
    pub event: Option<DossierEvent>,
    /// Account id (or program name) of the actor.
    pub actor_id: String,
    /// The actor's display name, for accounts.
    pub actor_name: Option<String>,
    /// The role the actor held.
    pub role: Role,
    /// The agency the actor acted for.
    pub agency: Option<String>,
    /// The channel the action came through.
    pub channel: Channel,
}

impl HistoryEntry {
    /// The written reasons the event carries (guidance, refusal, supplement, stop,
    /// withdrawal, delay, refusal of the request), if any.
    pub fn reasons(&self) -> Option<&str> {
        match self.event.as_ref()? {
            DossierEvent::IntakeSupplementRequested { reasons }
            | DossierEvent::RefusedAtIntake { reasons }
            | DossierEvent::SupplementRequested { reasons }
            | DossierEvent::Withdrawn { reasons }
            | DossierEvent::Stopped { reasons }
            | DossierEvent::Extended { reasons, .. } => Some(reasons),
            DossierEvent::ProcessingFinished {
                decision: Decision::Refused { reasons },
            } => Some(reasons),
            _ => None,
        }
    }
}

/// A processing step and its result against its own budget (Form 06).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepView {
    /// The step.
    pub step: Step,
    /// Early, on time or late once ended; within time or overdue while open; not counted
    /// without a budget.
    pub outcome: Outcome,
}

/// Something an officer can do to a dossier from its page; each is one [`Command`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OfficeAction {
    /// Receive an online dossier waiting for receipt (or one completed after guidance).
    Receive,
    /// One-time written guidance to complete the dossier (Form 02).
    GuideIntake,
    /// The applicant brought what the guidance asked for.
    IntakeSupplied,
    /// Refuse at reception (Form 03).
    RefuseIntake,
    /// Assign or transfer to a step of this or another agency.
    Transfer,
    /// Ask for a supplement during processing (the clock pauses).
    RequestSupplement,
    /// Record the applicant's supplement (the clock resumes).
    SupplementProvided,
    /// Ask for fees or taxes.
    RequestPayment,
    /// Record the payment.
    RecordPayment,
    /// Finish: approve, or refuse with reasons.
    Finish,
    /// Issue the result document.
    IssueResult,
    /// Return the result to the applicant.
    ReturnResult,
    /// Apology and new appointment (Form 04).
    Extend,
    /// Stop processing (Form 05).
    Stop,
    /// Withdraw on the applicant's written request.
    Withdraw,
}

impl OfficeAction {
    /// Every action, in the order a page offers them.
    pub const ALL: [OfficeAction; 15] = [
        OfficeAction::Receive,
        OfficeAction::GuideIntake,
        OfficeAction::IntakeSupplied,
        OfficeAction::RefuseIntake,
        OfficeAction::Transfer,
        OfficeAction::RequestSupplement,
        OfficeAction::SupplementProvided,
        OfficeAction::RequestPayment,
        OfficeAction::RecordPayment,
        OfficeAction::Finish,
        OfficeAction::IssueResult,
        OfficeAction::ReturnResult,
        OfficeAction::Extend,
        OfficeAction::Stop,
        OfficeAction::Withdraw,
    ];

    /// The permissions the command needs, any one sufficing — the same table the write
    /// path enforces (`dossiers::actions_for`); the page only hides what would be refused.
    pub fn permissions(self) -> &'static [Action] {
        use Action::*;
        match self {
            OfficeAction::Receive
            | OfficeAction::GuideIntake
            | OfficeAction::RefuseIntake
            | OfficeAction::ReturnResult => &[ReceiveDossier],
            OfficeAction::IntakeSupplied
            | OfficeAction::SupplementProvided
            | OfficeAction::RecordPayment
            | OfficeAction::Withdraw => &[ActAsApplicant, ReceiveDossier],
            OfficeAction::Transfer
            | OfficeAction::RequestSupplement
            | OfficeAction::RequestPayment => &[ProcessDossier],
            OfficeAction::Finish
            | OfficeAction::IssueResult
            | OfficeAction::Extend
            | OfficeAction::Stop => &[DecideDossier],
        }
    }

    /// A well-formed command of this kind, to ask the engine whether the status allows it.
    fn sample(self, d: &Dossier, now: DateTime<Utc>) -> Command {
        let reasons = || "-".to_owned();
        match self {
            OfficeAction::Receive => Command::Receive,
            OfficeAction::GuideIntake => Command::RequestIntakeSupplement { reasons: reasons() },
            OfficeAction::IntakeSupplied => Command::ProvideIntakeSupplement,
            OfficeAction::RefuseIntake => Command::RefuseAtIntake { reasons: reasons() },
            OfficeAction::Transfer => Command::Transfer {
                step: reasons(),
                agency: d.submission.agency.clone(),
                assignee: None,
                budget: None,
            },
            OfficeAction::RequestSupplement => Command::RequestSupplement { reasons: reasons() },
            OfficeAction::SupplementProvided => Command::ProvideSupplement,
            OfficeAction::RequestPayment => Command::RequestPayment {
                lines: vec![FeeLine {
                    name: reasons(),
                    amount_vnd: 1,
                }],
            },
            OfficeAction::RecordPayment => Command::RecordPayment { online: false },
            OfficeAction::Finish => Command::Finish {
                decision: Decision::Approved,
            },
            OfficeAction::IssueResult => Command::IssueResult {
                form: ResultForm::Paper,
                number: None,
            },
            OfficeAction::ReturnResult => Command::ReturnResult {
                method: ReturnMethod::Desk,
            },
            OfficeAction::Extend => Command::Extend {
                reasons: reasons(),
                due: d
                    .due
                    .unwrap_or(now)
                    .checked_add_days(Days::new(30))
                    .unwrap_or(now),
            },
            OfficeAction::Stop => Command::Stop { reasons: reasons() },
            OfficeAction::Withdraw => Command::Withdraw { reasons: reasons() },
        }
    }
}

/// An action the page offers, or shows as blocked by a rule with the engine's reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActionOffer {
    /// The action.
    pub action: OfficeAction,
    /// Why the engine would refuse it now (a rule, not the status: e.g. the apology's lead
    /// time, a result not yet issued), in Vietnamese then English.
    pub blocked: Option<String>,
}

/// Everything the back office shows about one dossier.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DossierFile {
    /// The dossier.
    pub dossier: Dossier,
    /// Its whole history, oldest first.
    pub history: Vec<HistoryEntry>,
    /// Its classification now.
    pub outcome: Outcome,
    /// Overdue, due soon or neither.
    pub urgency: Urgency,
    /// Its steps with their results.
    pub steps: Vec<StepView>,
    /// What the reader's role may do in the current status.
    pub actions: Vec<ActionOffer>,
    /// Names of the agencies the dossier mentions, by identifier code.
    pub agencies: BTreeMap<String, String>,
    /// Names of the accounts the dossier mentions (actors, assignees), by account id.
    pub people: BTreeMap<String, String>,
    /// The instant the file was read at.
    pub now: DateTime<Utc>,
}

impl DossierFile {
    /// The offer of `action`, if the page offers it.
    pub fn offer(&self, action: OfficeAction) -> Option<&ActionOffer> {
        self.actions.iter().find(|a| a.action == action)
    }

    /// Whether `action` is offered and not blocked.
    pub fn allows(&self, action: OfficeAction) -> bool {
        self.offer(action).is_some_and(|a| a.blocked.is_none())
    }

    /// An agency's name, or its code when unregistered.
    pub fn agency_name<'a>(&'a self, code: &'a str) -> &'a str {
        self.agencies.get(code).map_or(code, String::as_str)
    }

    /// An account's name, or its id.
    pub fn person<'a>(&'a self, id: &'a str) -> &'a str {
        self.people.get(id).map_or(id, String::as_str)
    }

    /// The latest history entry of kind `kind`.
    pub fn last(&self, kind: &str) -> Option<&HistoryEntry> {
        self.history.iter().rev().find(|e| e.kind == kind)
    }

    /// The latest entry of any of `kinds`.
    pub fn last_of(&self, kinds: &[&str]) -> Option<&HistoryEntry> {
        self.history
            .iter()
            .rev()
            .find(|e| kinds.contains(&e.kind.as_str()))
    }
}

/// A colleague a dossier can be assigned to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Colleague {
    /// Account id (what a step records as its assignee).
    pub id: String,
    /// Display name.
    pub name: String,
    /// Role.
    pub role: Role,
}

/// What the desk does with a dossier brought in person or by post.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IntakeDecision {
    /// Complete and valid: receive it; the clock starts (Form 01).
    Receive,
    /// Incomplete: create it and give the one-time written guidance (Form 02).
    Guide {
        /// What is missing or wrong.
        reasons: String,
    },
    /// Not acceptable: create it and refuse it with written reasons (Form 03).
    Refuse {
        /// The reasons.
        reasons: String,
    },
}

/// The reference a dossier keeps of `procedure` (copied so later catalogue changes never
/// alter it): the local limit when shorter, same-day certification, document result,
/// whether it is offered as a full-process online service, and the 766 procedure sets it is in.
pub fn procedure_ref(procedure: &Procedure) -> ProcedureRef {
    ProcedureRef {
        code: procedure.code.to_string(),
        name: procedure.name.clone(),
        limit: procedure.effective_time_limit(),
        same_day_certification: catalog::is_same_day_certification(procedure),
        document_result: procedure.result.document_required,
        full_process_online: procedure.online_level == OnlineLevel::FullProcess,
        counted_in: if procedure.kind == ProcedureKind::Public
            && procedure.state == LifecycleState::Published
        {
            ProcedureSets {
                online_service: procedure.offered_online(),
                fee_information: procedure.has_fee_information(),
                for_individuals: procedure.open_to_individuals(),
            }
        } else {
            ProcedureSets::default()
        },
    }
}

impl Services {
    /// A page of the dossiers `acting` works on, nearest deadline first, and the counts of
    /// overdue and due-soon dossiers among all that match.
    ///
    /// # Errors
    /// [`ServiceError::Forbidden`] for roles without a worklist; storage failures.
    pub async fn worklist(
        &self,
        acting: &Acting,
        filter: &WorklistFilter,
    ) -> ServiceResult<Worklist> {
        let statuses = match filter.status {
            Some(status) => vec![status.as_str().to_owned()],
            None => OPEN_STATUSES
                .iter()
                .map(|s| s.as_str().to_owned())
                .collect(),
        };
        let base = DossierQuery {
            agency: filter.agency.clone(),
            procedure: filter.procedure.clone(),
            statuses,
            step: filter.step.clone(),
            order: DossierOrder::ByDeadline,
            ..DossierQuery::default()
        };
        let page = filter.page.max(1);
        let now = self.now();
        let Some(query) = self.scoped(acting, base).await? else {
            return Ok(Worklist {
                rows: Arc::default(),
                total: 0,
                page,
                pages: 1,
                overdue: 0,
                due_soon: 0,
                now,
            });
        };
        let facts = self.worklist_facts(query, now).await?;
        // Rows are classified at the instant the counts were, so the page agrees with them.
        let at = facts.classified_at;
        let rows = match facts.page(page) {
            Some(rows) => rows,
            None => {
                let codes: Vec<String> = facts
                    .codes
                    .iter()
                    .skip((page as usize - 1).saturating_mul(PAGE_SIZE as usize))
                    .take(PAGE_SIZE as usize)
                    .cloned()
                    .collect();
                let rules = self.rules().outcome;
                let mut listed = Vec::with_capacity(codes.len());
                for row in self.store().list_dossier_rows(&codes).await? {
                    let dossier = row.state.0;
                    let calendar = self.dossier_calendar(dossier.code().agency()).await?;
                    let step_outcome = dossier
                        .steps
                        .last()
                        .filter(|s| s.ended_at.is_none())
                        .map(|s| s.outcome_at(at, &rules));
                    listed.push(WorklistRow {
                        outcome: dossier.outcome_at(at, &rules),
                        urgency: urgency(&dossier, at, &calendar, &rules)?,
                        step_outcome,
                        dossier,
                    });
                }
                let rows = Arc::new(listed);
                facts.keep_page(page, Arc::clone(&rows));
                rows
            }
        };
        let total = facts.codes.len() as u64;
        let pages = u32::try_from(total.div_ceil(u64::from(PAGE_SIZE)))
            .unwrap_or(u32::MAX)
            .max(1);
        Ok(Worklist {
            rows,
            total,
            page,
            pages,
            overdue: facts.overdue,
            due_soon: facts.due_soon,
            now: at,
        })
    }

    /// The order and counts of the (already scoped) worklist `query` at `now`: shared with
    /// the other requests for the same list while the log has not grown (as read at most
    /// 100 ms ago, or changed through these services) and for at most
    /// [`WORKLIST_TTL`](crate::read_cache::WORKLIST_TTL), else read and classified anew by
    /// one request while the others wait (or, if only its time has passed, keep using it).
    async fn worklist_facts(
        &self,
        query: DossierQuery,
        now: DateTime<Utc>,
    ) -> ServiceResult<Arc<WorklistFacts>> {
        let key = format!("{query:?}");
        // The generation first: a change committed while the store is read makes it stale.
        let generation = self.worklists.generation();
        let last_event_id = match self.worklists.recent_last_event_id() {
            Some(id) => id,
            None => {
                let id = self.store().last_event_id().await?;
                self.worklists.keep_last_event_id(id);
                id
            }
        };
        let revision = (last_event_id, generation);
        let _reading = match self.worklists.get(&key, revision, now) {
            Cached::Fresh(facts) => return Ok(facts),
            Cached::Stale(facts) => match self.worklists.reading_lock(&key).try_lock_owned() {
                Ok(guard) => guard,
                Err(_) => return Ok(facts),
            },
            Cached::Missing => {
                let guard = self.worklists.reading_lock(&key).lock_owned().await;
                if let Cached::Fresh(facts) = self.worklists.get(&key, revision, now) {
                    return Ok(facts);
                }
                guard
            }
        };
        // One read of the narrow columns of every dossier the list selects gives the order
        // and the counts; the page's rows are read whole by the caller. The revision was
        // read first, so a change committed meanwhile makes this entry stale, never lost.
        let mut facts = self.store().list_dossier_facts(&query).await?;
        facts.sort_by(|a, b| {
            (
                a.statistical_due_at.is_none(),
                a.statistical_due_at,
                &a.code,
            )
                .cmp(&(
                    b.statistical_due_at.is_none(),
                    b.statistical_due_at,
                    &b.code,
                ))
        });
        // The counts cover every open dossier the filters select (only dossiers whose
        // processing has not ended can be overdue or due soon), classified from the
        // projection's timing columns with the rule a single dossier uses.
        let rules = self.rules().outcome;
        let (mut overdue, mut due_soon) = (0, 0);
        let mut calendars = BTreeMap::new();
        let open = facts.iter().filter(|f| {
            f.finished_at.is_none() && f.status != "not_received" && f.status != "withdrawn"
        });
        for f in open {
            let code: DossierCode = f.code.parse().map_err(|e: DossierError| {
                ServiceError::Internal(format!("stored dossier code {}: {e}", f.code))
            })?;
            let agency = code.agency().to_owned();
            let calendar = match calendars.get(&agency) {
                Some(calendar) => calendar,
                None => {
                    let calendar = self.dossier_calendar(&agency).await?;
                    calendars.entry(agency).or_insert(calendar)
                }
            };
            match timing_urgency(&timing_of(f)?, now, calendar, &rules)? {
                Urgency::Overdue => overdue += 1,
                Urgency::DueSoon => due_soon += 1,
                Urgency::Normal => {}
            }
        }
        let facts = Arc::new(WorklistFacts::new(
            facts.into_iter().map(|f| f.code).collect(),
            (overdue, due_soon),
            now,
            revision,
        ));
        self.worklists.put(key, Arc::clone(&facts));
        Ok(facts)
    }

    /// Everything the back office shows about a dossier `acting` may read: out of scope
    /// answers "not found", as [`Services::dossier_for`] does.
    ///
    /// # Errors
    /// [`StoreError::NotFound`] for an unknown or out-of-scope dossier; storage failures.
    pub async fn office_dossier(
        &self,
        acting: &Acting,
        code: &DossierCode,
    ) -> ServiceResult<DossierFile> {
        let dossier = self.dossier_for(acting, code).await?;
        let principal = self.principal(acting).await?;
        let target = self.dossier_target(&dossier).await?;
        let recorded = self.dossier_history(code).await?;
        let calendar = self.dossier_calendar(code.agency()).await?;
        let now = self.now();
        let rules = *self.rules();

        let mut people = BTreeMap::new();
        let mut agencies = BTreeMap::new();
        let mut history = Vec::with_capacity(recorded.len());
        for e in recorded {
            let actor = e.meta.actor;
            let actor_name = self.person_name(&mut people, &actor.id).await?;
            if let Some(agency) = &actor.agency {
                self.agency_name(&mut agencies, agency).await?;
            }
            history.push(HistoryEntry {
                version: e.version,
                at: e.meta.at,
                event: serde_json::from_value(e.payload).ok(),
                kind: e.kind,
                actor_id: actor.id,
                actor_name,
                role: actor.role,
                agency: actor.agency,
                channel: e.meta.channel,
            });
        }
        self.agency_name(&mut agencies, &dossier.submission.agency)
            .await?;
        for step in &dossier.steps {
            self.agency_name(&mut agencies, &step.agency).await?;
            if let Some(assignee) = &step.assignee {
                self.person_name(&mut people, assignee).await?;
            }
        }

        let steps = dossier
            .steps
            .iter()
            .map(|step| StepView {
                outcome: step.outcome_at(now, &rules.outcome),
                step: step.clone(),
            })
            .collect();
        let ctx = Context {
            now,
            calendar: &calendar,
            rules: &rules,
        };
        let actions = offers(&principal, &target, &dossier, &ctx);
        Ok(DossierFile {
            outcome: dossier.outcome_at(now, &rules.outcome),
            urgency: urgency(&dossier, now, &calendar, &rules.outcome)?,
            dossier,
            history,
            steps,
            actions,
            agencies,
            people,
            now,
        })
    }

    /// The display name of account `id` (kept in `cache`); `None` for programs and
    /// unknown accounts.
    async fn person_name(
        &self,
        cache: &mut BTreeMap<String, String>,
        id: &str,
    ) -> ServiceResult<Option<String>> {
        if let Some(name) = cache.get(id) {
            return Ok(Some(name.clone()));
        }
        if !is_account_id(id) {
            return Ok(None);
        }
        let name = self.find_account(id).await?.map(|a| a.name);
        if let Some(name) = &name {
            cache.insert(id.to_owned(), name.clone());
        }
        Ok(name)
    }

    /// Records the name of agency `code` in `cache` when it is registered.
    async fn agency_name(
        &self,
        cache: &mut BTreeMap<String, String>,
        code: &str,
    ) -> ServiceResult<()> {
        if !cache.contains_key(code)
            && let Some(found) = self.store().find_agency(code).await?
        {
            cache.insert(code.to_owned(), found.agency.name);
        }
        Ok(())
    }

    /// The applicant as their latest dossier within the desk officer's scope recorded them
    /// (name, phone, e-mail, address), to fill the intake form; `None` when the officer's
    /// agency has never seen them. Only roles that receive dossiers may look people up.
    ///
    /// # Errors
    /// [`ServiceError::Forbidden`] for roles that do not receive dossiers; storage failures.
    pub async fn desk_applicant(
        &self,
        acting: &Acting,
        id: &ApplicantId,
    ) -> ServiceResult<Option<Applicant>> {
        let principal = self.principal(acting).await?;
        let target = match &principal.scope {
            Scope::Agency(agency) => Target::agency(agency),
            _ => Target::INSTALLATION,
        };
        authorize(&principal, Action::ReceiveDossier, &target)?;
        let (rows, _) = self
            .list_dossiers_for(
                acting,
                DossierQuery {
                    applicant_number: Some(authz::applicant_number(id)),
                    order: DossierOrder::NewestFirst,
                    limit: 1,
                    ..DossierQuery::default()
                },
            )
            .await?;
        Ok(rows
            .into_iter()
            .next()
            .map(|row| row.state.0.submission.applicant))
    }

    /// The version of procedure `code` in force today, for a new dossier.
    ///
    /// # Errors
    /// [`ServiceError::Invalid`] naming the procedure when none is in force.
    pub async fn procedure_in_force(&self, code: &str) -> ServiceResult<Procedure> {
        let today = self.now().with_timezone(&VIETNAM).date_naive();
        self.procedure(code.trim(), today).await?.ok_or_else(|| {
            ServiceError::Invalid(format!(
                "procedure: không có thủ tục {code} đang có hiệu lực / there is no procedure {code} in force"
            ))
        })
    }

    /// Receives, guides (Form 02) or refuses (Form 03) a dossier brought to the desk or by
    /// post, in one transaction: a refused or guided dossier is recorded with its code, so
    /// the slip handed over has one and statistics count it.
    ///
    /// # Errors
    /// [`ServiceError::Invalid`] for another channel or missing reasons;
    /// [`ServiceError::Forbidden`] for roles that do not receive; the engine's refusals.
    pub async fn desk_intake(
        &self,
        acting: &Acting,
        new: NewDossier,
        decision: IntakeDecision,
    ) -> ServiceResult<Dossier> {
        if !matches!(new.channel, Channel::Desk | Channel::Post) {
            return Err(ServiceError::Invalid(
                "channel: tại quầy chỉ tiếp nhận hồ sơ trực tiếp hoặc qua bưu chính / the desk receives dossiers in person or by post only".into(),
            ));
        }
        let follow_up = match decision {
            IntakeDecision::Receive => None,
            IntakeDecision::Guide { reasons } => Some(Command::RequestIntakeSupplement { reasons }),
            IntakeDecision::Refuse { reasons } => Some(Command::RefuseAtIntake { reasons }),
        };
        if let Some(
            Command::RequestIntakeSupplement { reasons } | Command::RefuseAtIntake { reasons },
        ) = &follow_up
            && reasons.trim().is_empty()
        {
            return Err(ServiceError::Invalid(
                "reasons: thiếu lý do / the reasons are required".into(),
            ));
        }
        let now = self.now();
        let mut tx = self.dossier_tx();
        let mut dossier = tx.submit(acting, new, follow_up.is_none(), now).await?;
        if let Some(command) = follow_up {
            dossier = tx.act_on_state(acting, &dossier, command, now).await?;
        }
        tx.commit().await?;
        Ok(dossier)
    }

    /// The colleagues of `acting`'s agency a step can be assigned to (specialists and
    /// leaders, enabled accounts), by name.
    ///
    /// # Errors
    /// [`ServiceError::Forbidden`] unless `acting` processes dossiers of an agency.
    pub async fn assignees(&self, acting: &Acting) -> ServiceResult<Vec<Colleague>> {
        let principal = self.principal(acting).await?;
        let Scope::Agency(agency) = &principal.scope else {
            return Err(ServiceError::Forbidden(
                "chỉ cán bộ của một cơ quan mới phân công hồ sơ / only staff of an agency assign dossiers".into(),
            ));
        };
        authorize(&principal, Action::ProcessDossier, &Target::agency(agency))?;
        let mut colleagues: Vec<Colleague> = self
            .store()
            .list_accounts(Some(agency))
            .await?
            .into_iter()
            .filter(|a| {
                a.kind == AccountKind::Staff
                    && !a.disabled
                    && matches!(a.role, Role::Specialist | Role::Leader)
            })
            .map(|a| Colleague {
                id: a.id,
                name: a.name,
                role: a.role,
            })
            .collect();
        colleagues.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(colleagues)
    }
}

/// The actions `principal` may take on `dossier` now: the role carries the permission, and
/// the engine accepts the transition from the current status (asked with a sample command,
/// so the status rules are the engine's own). A rule that would refuse it now is shown
/// with the offer.
fn offers(
    principal: &Principal,
    target: &Target,
    dossier: &Dossier,
    ctx: &Context<'_>,
) -> Vec<ActionOffer> {
    OfficeAction::ALL
        .into_iter()
        .filter(|action| authz::authorize_any(principal, action.permissions(), target).is_ok())
        .filter_map(
            |action| match decide(Some(dossier), &action.sample(dossier, ctx.now), ctx) {
                Ok(_) | Err(DossierError::Invalid(_)) => Some(ActionOffer {
                    action,
                    blocked: None,
                }),
                Err(DossierError::Rule(reason)) => Some(ActionOffer {
                    action,
                    blocked: Some(reason),
                }),
                Err(_) => None,
            },
        )
        .collect()
}
