//! Steering (issue 7): record a meeting and the documents it produced, assign their tasks
//! down the line (province → department → commune), report on them, decide extensions and
//! completions, and count them for the operations centre.
//!
//! The rules are the domain's ([`motcua_domain::task`], [`motcua_domain::steering`]); this
//! module adds who may do what ([`Action::RecordSteering`], [`Action::AssignTask`] for the
//! assigning agency, [`Action::ReportTask`] for the lead agency, [`Action::ReadTasks`] for
//! the parties and the agencies above them), numbers, calendars and storage, and queues the
//! news of each change for e-mail and webhooks in the same transaction
//! ([`crate::notifications`]).

use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, Utc};
use motcua_domain::authz::{Action, Principal, Scope, Target};
use motcua_domain::event::{Actor, Channel};
use motcua_domain::kpi::period::Period;
use motcua_domain::kpi::tasks::{TaskCounts, period_status};
use motcua_domain::notification::NotificationKind;
use motcua_domain::steering::{
    Meeting, SteeringDocument, SteeringError, check_document, check_meeting,
};
use motcua_domain::task::{
    Assignment, Awaiting, Recurrence, Series, Task, TaskCommand, TaskContext, TaskError, TaskEvent,
    TaskStatus, classify, decide, roll_up,
};
use motcua_storage::StoreError;
use motcua_storage::steering::{self as store, Relation, TaskQuery};

use crate::accounts::authorize;
use crate::portal::VIETNAM;
use crate::{Acting, ServiceError, ServiceResult, Services};

impl From<TaskError> for ServiceError {
    fn from(e: TaskError) -> Self {
        match e {
            TaskError::Invalid(m) => ServiceError::Invalid(m),
            TaskError::Rule(m) => ServiceError::Refused(m),
            TaskError::Calendar(m) => ServiceError::Invalid(m),
        }
    }
}

impl From<SteeringError> for ServiceError {
    fn from(e: SteeringError) -> Self {
        ServiceError::Invalid(e.to_string())
    }
}

/// A task to assign: the assignment, and how it recurs when it does (then one task per
/// period, the assignment's deadline ignored).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewTask {
    /// The task as assigned.
    pub assignment: Assignment,
    /// Monthly or quarterly, when it recurs.
    pub recurrence: Option<Recurrence>,
}

/// Which tasks of the reader's agency a list shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum TaskView {
    /// The tasks it assigned (a leader's "tasks I gave").
    Assigned,
    /// The tasks it leads (its inbox).
    #[default]
    Leading,
    /// The tasks it coordinates.
    Coordinating,
    /// The tasks of the agencies under it.
    Below,
    /// All it may read.
    All,
}

impl TaskView {
    /// Every view, in the order pages offer them.
    pub const ALL: [TaskView; 5] = [
        TaskView::Leading,
        TaskView::Assigned,
        TaskView::Coordinating,
        TaskView::Below,
        TaskView::All,
    ];

    /// Identifier, as addresses and the API write it.
    pub fn as_str(self) -> &'static str {
        match self {
            TaskView::Assigned => "assigned",
            TaskView::Leading => "leading",
            TaskView::Coordinating => "coordinating",
            TaskView::Below => "below",
            TaskView::All => "all",
        }
    }

    /// Parses [`TaskView::as_str`].
    pub fn parse(s: &str) -> Option<TaskView> {
        TaskView::ALL.into_iter().find(|v| v.as_str() == s)
    }

    fn relations(self) -> Vec<Relation> {
        match self {
            TaskView::Assigned => vec![Relation::Assigner],
            TaskView::Leading => vec![Relation::Lead],
            TaskView::Coordinating => vec![Relation::Coordinator],
            TaskView::Below => vec![Relation::Above],
            TaskView::All => Vec::new(),
        }
    }
}

/// Which tasks a list shows; every filter narrows what the reader may see.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TaskFilter {
    /// Which of the reader's agency's tasks (staff only; inspectors and administrators see
    /// every task within their scope).
    pub view: TaskView,
    /// Only this status now.
    pub status: Option<TaskStatus>,
    /// Only cancelled tasks (`Some(true)`), or none (`Some(false)`, the default of pages).
    pub cancelled: Option<bool>,
    /// Only tasks awaiting the assigner's decision.
    pub awaiting_assigner: bool,
    /// Only tasks of this plan (a document id).
    pub plan: Option<String>,
    /// Only tasks from this document.
    pub source: Option<String>,
    /// Only sub-tasks of this task.
    pub parent: Option<String>,
    /// Only tasks led by this agency, or by an agency within this unit.
    pub lead_within: Option<String>,
    /// Page, from 1.
    pub page: u32,
    /// Tasks per page (at most 200).
    pub per_page: u32,
}

/// A page of tasks.
#[derive(Debug, Clone, PartialEq)]
pub struct TaskPage {
    /// The tasks, overdue first, then by deadline.
    pub tasks: Vec<ListedTask>,
    /// How many match in all.
    pub total: u64,
    /// This page, from 1.
    pub page: u32,
    /// Pages in all (at least 1).
    pub pages: u32,
}

/// A task as lists show it.
#[derive(Debug, Clone, PartialEq)]
pub struct ListedTask {
    /// The task.
    pub task: Task,
    /// Its status now (`None` when cancelled).
    pub status: Option<TaskStatus>,
    /// Its deadline ends within one working day (and has not passed).
    pub due_soon: bool,
    /// The roll-up of its sub-tasks, if it has any.
    pub roll_up: Option<u8>,
}

/// One entry of a task's history: the event and who recorded it.
#[derive(Debug, Clone, PartialEq)]
pub struct TaskHistoryEntry {
    /// Position in the stream, from 1.
    pub version: i64,
    /// When.
    pub at: DateTime<Utc>,
    /// Who, in which role and agency.
    pub actor: Actor,
    /// Through which channel.
    pub channel: Channel,
    /// The event (`None` if it no longer reads as one).
    pub event: Option<TaskEvent>,
}

/// What the reader may do to a task now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct TaskRights {
    /// Report progress, ask for an extension, report completion (the lead agency).
    pub report: bool,
    /// Decide extensions and completions, cancel (the assigning agency).
    pub decide: bool,
    /// Split it into sub-tasks for agencies further down (the lead agency's leaders).
    pub split: bool,
}

/// Everything about one task.
#[derive(Debug, Clone, PartialEq)]
pub struct TaskDetail {
    /// The task.
    pub task: Task,
    /// Its status now.
    pub status: Option<TaskStatus>,
    /// Its deadline ends within one working day.
    pub due_soon: bool,
    /// The task it was split from.
    pub parent: Option<Task>,
    /// Its sub-tasks, with their statuses now.
    pub children: Vec<ListedTask>,
    /// The progress of its sub-tasks.
    pub roll_up: Option<u8>,
    /// The other periods of its series, when it recurs.
    pub series: Vec<ListedTask>,
    /// The document it comes from.
    pub source: Option<SteeringDocument>,
    /// The plan it belongs to.
    pub plan: Option<SteeringDocument>,
    /// Its history, oldest first.
    pub history: Vec<TaskHistoryEntry>,
    /// What the reader may do now.
    pub rights: TaskRights,
}

/// A meeting with the documents recorded from it.
#[derive(Debug, Clone, PartialEq)]
pub struct MeetingDetail {
    /// The meeting.
    pub meeting: Meeting,
    /// Its documents (conclusions…), latest first.
    pub documents: Vec<SteeringDocument>,
}

/// A steering document with the tasks assigned from it or belonging to it.
#[derive(Debug, Clone, PartialEq)]
pub struct DocumentDetail {
    /// The document.
    pub document: SteeringDocument,
    /// The meeting it concludes.
    pub meeting: Option<Meeting>,
    /// Its tasks (from it, or of it as a plan) the reader may see, with their statuses.
    pub tasks: Vec<ListedTask>,
    /// Their counts now.
    pub counts: TaskCounts,
}

/// One row of a figures table: who (a lead agency or a plan) and its counts.
#[derive(Debug, Clone, PartialEq)]
pub struct TaskFigureRow {
    /// Agency code or plan id (empty for tasks of no plan).
    pub key: String,
    /// Its name, or the plan's number and title.
    pub name: String,
    /// The counts.
    pub counts: TaskCounts,
}

/// A unit's task figures for a period (issue 7 §2): all its lead agencies' tasks together,
/// by lead agency and by plan.
#[derive(Debug, Clone, PartialEq)]
pub struct TaskFigures {
    /// The unit or agency code.
    pub unit: String,
    /// Its name.
    pub name: String,
    /// The period.
    pub period: Period,
    /// The instant the tasks were classified at (the period's end, or now).
    pub at: DateTime<Utc>,
    /// All together.
    pub total: TaskCounts,
    /// By lead agency, most tasks first.
    pub by_lead: Vec<TaskFigureRow>,
    /// By plan, most tasks first.
    pub by_plan: Vec<TaskFigureRow>,
}

/// What awaits the reader's agency: for the nav and the inbox's reminders.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct TaskTodos {
    /// Tasks it leads that are open and overdue.
    pub overdue: u64,
    /// Tasks it leads whose deadline ends within the reminders' first window.
    pub due_soon: u64,
    /// Extensions and completions of tasks it assigned, awaiting its decision.
    pub to_decide: u64,
}

fn not_found(what_vi: &str, what_en: &str, id: &str) -> ServiceError {
    ServiceError::Store(StoreError::NotFound {
        what: format!("{what_vi} / {what_en} {id}"),
    })
}

/// The 1st-level body over agency `code` (`000.00.00.H05` for every agency of `H05`).
fn top_level_of(code: &str) -> Option<String> {
    code.parse::<motcua_domain::units::AgencyCode>()
        .ok()
        .and_then(|c| motcua_domain::units::AgencyCode::top_level_of(c.top_level()).ok())
        .map(|c| c.as_str().to_owned())
}

/// `NV-2026-00042`: the series, the year and the number.
fn numbered(series: &str, year: i32, n: u32, width: usize) -> String {
    format!("{series}-{year}-{n:0width$}")
}

impl Services {
    /// The local year now, which numbers new meetings, documents and tasks.
    fn local_year(&self) -> i32 {
        self.now().with_timezone(&VIETNAM).year()
    }

    /// Checks that every code of `codes` names a registered agency; the first that does not
    /// is an error naming `field`.
    async fn check_agencies(&self, field: &str, codes: &[&str]) -> ServiceResult<()> {
        for code in codes {
            if self.agency(code).await?.is_none() {
                return Err(ServiceError::Invalid(format!(
                    "{field}: không có cơ quan mã «{code}» / there is no agency «{code}»"
                )));
            }
        }
        Ok(())
    }

    /// A target's units for inspectors: those of `agency` when it is registered.
    async fn within_agency(&self, target: Target, agency: &str) -> ServiceResult<Target> {
        match self.agency_target(agency).await {
            Ok(t) => Ok(target.within(t.units)),
            Err(ServiceError::Store(StoreError::NotFound { .. })) => Ok(target),
            Err(e) => Err(e),
        }
    }

    /// The permission target of `task`: its parties and the agencies above them, within the
    /// units of its lead and assigner.
    pub async fn task_target(&self, task: &Task) -> ServiceResult<Target> {
        let target = Target::of_task(task);
        let target = self.within_agency(target, &task.assignment.lead).await?;
        self.within_agency(target, &task.assignment.assigner).await
    }

    /// Whether `principal` may read `task`.
    async fn may_read(&self, principal: &Principal, task: &Task) -> ServiceResult<bool> {
        let target = self.task_target(task).await?;
        Ok(motcua_domain::authz::authorize(principal, Action::ReadTasks, &target).is_ok())
    }

    async fn steering_target(&self, owner: &str, others: &[String]) -> ServiceResult<Target> {
        self.within_agency(Target::of_steering(owner, others), owner)
            .await
    }

    /// Records a meeting held by `meeting.host` (the id is allocated).
    ///
    /// # Errors
    /// [`ServiceError::Invalid`] naming the field (an unknown host or participant);
    /// [`ServiceError::Forbidden`] without [`Action::RecordSteering`] for the host.
    pub async fn record_meeting(
        &self,
        acting: &Acting,
        meeting: Meeting,
    ) -> ServiceResult<Meeting> {
        let mut meeting = check_meeting(meeting)?;
        let principal = self.principal(acting).await?;
        authorize(
            &principal,
            Action::RecordSteering,
            &Target::agency(&meeting.host),
        )?;
        let mut codes = vec![meeting.host.as_str()];
        codes.extend(meeting.participants.iter().map(String::as_str));
        self.check_agencies("participants", &codes[1..]).await?;
        self.check_agencies("host", &codes[..1]).await?;
        let year = meeting.date.year();
        let mut tx = self.store().begin().await?;
        let n = store::allocate_number(&mut tx, "HOP", year).await?;
        meeting.id = numbered("HOP", year, n, 4);
        store::record_meeting(&mut tx, &meeting, &self.meta(acting)).await?;
        tx.commit().await?;
        tracing::info!(meeting.id = %meeting.id, "recorded a meeting");
        Ok(meeting)
    }

    /// Records a steering document owned by `document.owner` (the id is allocated).
    ///
    /// # Errors
    /// [`ServiceError::Invalid`] naming the field (an unknown owner or meeting);
    /// [`ServiceError::Forbidden`] without [`Action::RecordSteering`] for the owner.
    pub async fn record_steering_document(
        &self,
        acting: &Acting,
        document: SteeringDocument,
    ) -> ServiceResult<SteeringDocument> {
        let mut document = check_document(document)?;
        let principal = self.principal(acting).await?;
        authorize(
            &principal,
            Action::RecordSteering,
            &Target::agency(&document.owner),
        )?;
        self.check_agencies("owner", &[document.owner.as_str()])
            .await?;
        if document.public_results && !document.kind.is_plan() {
            return Err(ServiceError::Invalid(
                "public_results: chỉ công khai kết quả của kế hoạch hoặc chương trình / only a plan's or a programme's results are published".into(),
            ));
        }
        if let Some(id) = &document.meeting {
            // A meeting the recorder may not read is as good as none.
            let readable = match self.store().find_meeting(id).await? {
                Some(m) => {
                    let target = self.steering_target(&m.host, &m.participants).await?;
                    motcua_domain::authz::authorize(&principal, Action::ReadTasks, &target).is_ok()
                }
                None => false,
            };
            if !readable {
                return Err(ServiceError::Invalid(format!(
                    "meeting: không có cuộc họp «{id}» / there is no meeting «{id}»"
                )));
            }
        }
        let year = document.date.year();
        let mut tx = self.store().begin().await?;
        let n = store::allocate_number(&mut tx, "VB", year).await?;
        document.id = numbered("VB", year, n, 4);
        store::record_document(&mut tx, &document, &self.meta(acting)).await?;
        tx.commit().await?;
        tracing::info!(document.id = %document.id, "recorded a steering document");
        Ok(document)
    }

    /// The meetings `acting` may read, latest first: those of its province or ministry and
    /// those it took part in (every one within scope for administrators and inspectors).
    /// Steering meets a few times a month, so the meetings are read whole and filtered here.
    ///
    /// # Errors
    /// [`ServiceError::Forbidden`] for a role that reads no task.
    pub async fn meetings_for(
        &self,
        acting: &Acting,
        page: u32,
        per_page: u32,
    ) -> ServiceResult<(Vec<Meeting>, u64)> {
        let principal = self.reader_of_tasks(acting).await?;
        let (all, _) = self.store().list_meetings(&[], 100_000, 0).await?;
        let mut visible = Vec::new();
        for m in all {
            let target = self.steering_target(&m.host, &m.participants).await?;
            if motcua_domain::authz::authorize(&principal, Action::ReadTasks, &target).is_ok() {
                visible.push(m);
            }
        }
        let total = visible.len() as u64;
        let per_page = per_page.clamp(1, 200) as usize;
        let skip = (page.max(1) as usize - 1) * per_page;
        Ok((
            visible.into_iter().skip(skip).take(per_page).collect(),
            total,
        ))
    }

    /// The principal of `acting`, refused when its role reads no task.
    async fn reader_of_tasks(&self, acting: &Acting) -> ServiceResult<Principal> {
        let principal = self.principal(acting).await?;
        if !motcua_domain::authz::role_allows(principal.role, Action::ReadTasks) {
            authorize(&principal, Action::ReadTasks, &Target::INSTALLATION)?;
        }
        Ok(principal)
    }

    /// One meeting with its documents, for a reader of its province or ministry.
    ///
    /// # Errors
    /// Not found (also when out of the reader's scope).
    pub async fn meeting_for(&self, acting: &Acting, id: &str) -> ServiceResult<MeetingDetail> {
        let meeting = self
            .store()
            .find_meeting(id)
            .await?
            .ok_or_else(|| not_found("cuộc họp", "meeting", id))?;
        let principal = self.principal(acting).await?;
        let target = self
            .steering_target(&meeting.host, &meeting.participants)
            .await?;
        if motcua_domain::authz::authorize(&principal, Action::ReadTasks, &target).is_err() {
            return Err(not_found("cuộc họp", "meeting", id));
        }
        let mut documents = Vec::new();
        for d in self
            .store()
            .list_steering_documents(&[], Some(&meeting.id))
            .await?
        {
            let target = self.steering_target(&d.owner, &[]).await?;
            if motcua_domain::authz::authorize(&principal, Action::ReadTasks, &target).is_ok() {
                documents.push(d);
            }
        }
        Ok(MeetingDetail { meeting, documents })
    }

    /// The steering documents `acting` may read, latest first; only plans (and programmes)
    /// with `plans_only`.
    ///
    /// # Errors
    /// [`ServiceError::Forbidden`] without [`Action::ReadTasks`].
    pub async fn steering_documents_for(
        &self,
        acting: &Acting,
        plans_only: bool,
    ) -> ServiceResult<Vec<SteeringDocument>> {
        let principal = self.reader_of_tasks(acting).await?;
        let mut out = Vec::new();
        for d in self.store().list_steering_documents(&[], None).await? {
            if plans_only && !d.kind.is_plan() {
                continue;
            }
            let target = self.steering_target(&d.owner, &[]).await?;
            if motcua_domain::authz::authorize(&principal, Action::ReadTasks, &target).is_ok() {
                out.push(d);
            }
        }
        Ok(out)
    }

    /// One steering document, its meeting and the tasks of it the reader may see.
    ///
    /// # Errors
    /// Not found (also when out of the reader's scope).
    pub async fn steering_document_for(
        &self,
        acting: &Acting,
        id: &str,
    ) -> ServiceResult<DocumentDetail> {
        let document = self
            .store()
            .find_steering_document(id)
            .await?
            .ok_or_else(|| not_found("văn bản", "document", id))?;
        let principal = self.principal(acting).await?;
        let target = self.steering_target(&document.owner, &[]).await?;
        if motcua_domain::authz::authorize(&principal, Action::ReadTasks, &target).is_err() {
            return Err(not_found("văn bản", "document", id));
        }
        let meeting = match &document.meeting {
            Some(m) => self.store().find_meeting(m).await?,
            None => None,
        };
        let now = self.now();
        let mut seen = std::collections::HashSet::new();
        let mut tasks = Vec::new();
        let mut counts = TaskCounts::default();
        for by_plan in [false, true] {
            let mut query = TaskQuery::all(now);
            query.limit = 1_000;
            if by_plan {
                query.plan = Some(document.id.clone());
            } else {
                query.source = Some(document.id.clone());
            }
            let (found, _) = self.store().list_tasks(&query).await?;
            for task in found {
                if !seen.insert(task.id.clone()) {
                    continue;
                }
                if self.may_read(&principal, &task).await? {
                    let listed = self.listed(task, now).await?;
                    if let Some(s) = listed.status {
                        counts.add(s);
                    }
                    tasks.push(listed);
                }
            }
        }
        Ok(DocumentDetail {
            document,
            meeting,
            tasks,
            counts,
        })
    }

    /// Whether `task`'s deadline ends within one working day of its lead's calendar.
    async fn due_soon(&self, task: &Task, now: DateTime<Utc>) -> ServiceResult<bool> {
        if task.is_closed() || now > task.due {
            return Ok(false);
        }
        let calendar = self
            .agency_calendar_or_default(&task.assignment.lead)
            .await?;
        let left = calendar
            .working_time_between(now.fixed_offset(), task.due.fixed_offset())
            .map_err(|e| ServiceError::Internal(format!("calendar: {e}")))?;
        Ok(left <= calendar.config().working_hours.daily_total())
    }

    /// An agency's calendar; the installation's for an agency no longer registered.
    pub(crate) async fn agency_calendar_or_default(
        &self,
        agency: &str,
    ) -> ServiceResult<std::sync::Arc<motcua_domain::calendar::Calendar>> {
        match self.agency_calendar(agency).await {
            Ok(c) => Ok(c),
            Err(ServiceError::Store(StoreError::NotFound { .. })) => {
                Ok(std::sync::Arc::new(self.calendar().await?))
            }
            Err(e) => Err(e),
        }
    }

    async fn listed(&self, task: Task, now: DateTime<Utc>) -> ServiceResult<ListedTask> {
        let due_soon = self.due_soon(&task, now).await?;
        Ok(ListedTask {
            status: classify(&task, now),
            due_soon,
            roll_up: None,
            task,
        })
    }

    /// Assigns a task, or a recurring task's periods (one task each), in one transaction.
    /// A sub-task (with a parent) is assigned by the parent's lead agency, no later than the
    /// parent's deadline, and belongs to the parent's plan unless it names its own.
    ///
    /// # Errors
    /// [`ServiceError::Invalid`] naming the field: unknown agencies, plan, document or
    /// parent, a deadline passed or after the parent's, a bad recurrence;
    /// [`ServiceError::Forbidden`] without [`Action::AssignTask`] for the assigner.
    pub async fn assign_task(&self, acting: &Acting, new: NewTask) -> ServiceResult<Vec<Task>> {
        let NewTask {
            assignment,
            recurrence,
        } = new;
        // The fields first, so a missing one is named before any lookup.
        let mut assignment = motcua_domain::task::check_assignment(assignment, self.local_today())?;
        assignment.assigner = assignment.assigner.trim().to_owned();
        let principal = self.principal(acting).await?;
        authorize(
            &principal,
            Action::AssignTask,
            &Target::agency(&assignment.assigner),
        )?;
        let mut codes = vec![assignment.assigner.as_str(), assignment.lead.as_str()];
        codes.extend(assignment.coordinators.iter().map(String::as_str));
        self.check_agencies("lead", &codes[1..2]).await?;
        self.check_agencies("coordinators", &codes[2..]).await?;
        self.check_agencies("assigner", &codes[..1]).await?;
        // Down the line only: an agency assigns to those under it by code; a task's lead
        // splits it to agencies of its province or ministry (a department to communes).
        let reach = if assignment.parent.is_some() {
            top_level_of(&assignment.assigner)
        } else {
            Some(assignment.assigner.clone())
        };
        for (field, code) in std::iter::once(("lead", &assignment.lead))
            .chain(assignment.coordinators.iter().map(|c| ("coordinators", c)))
        {
            if !reach
                .as_deref()
                .is_some_and(|top| motcua_domain::authz::at_or_under(code, top))
            {
                return Err(ServiceError::Invalid(format!(
                    "{field}: cơ quan {code} không thuộc phạm vi giao việc của {assigner} / agency {code} is not one {assigner} assigns tasks to",
                    assigner = assignment.assigner
                )));
            }
        }
        if let Some(parent_id) = assignment.parent.clone() {
            let parent = self.store().find_task(&parent_id).await?.ok_or_else(|| {
                ServiceError::Invalid(format!(
                    "parent: không có nhiệm vụ «{parent_id}» / there is no task «{parent_id}»"
                ))
            })?;
            if parent.assignment.lead != assignment.assigner {
                return Err(ServiceError::Invalid(format!(
                    "parent: chỉ đơn vị chủ trì nhiệm vụ {parent_id} mới giao nhiệm vụ con / only the lead unit of task {parent_id} splits it"
                )));
            }
            if parent.is_closed() {
                return Err(ServiceError::Refused(format!(
                    "nhiệm vụ {parent_id} đã kết thúc / task {parent_id} is closed"
                )));
            }
            let last = recurrence.map_or(assignment.deadline, |r| r.until);
            if last > parent.deadline {
                return Err(ServiceError::Invalid(format!(
                    "deadline: không sau thời hạn của nhiệm vụ cha ({}) / not after the parent task's deadline ({})",
                    parent.deadline.format("%d/%m/%Y"),
                    parent.deadline.format("%d/%m/%Y")
                )));
            }
            if assignment.plan.is_none() {
                assignment.plan = parent.assignment.plan.clone();
            }
            if assignment.source.is_none() {
                assignment.source = parent.assignment.source;
            }
        }
        for (field, id, must_be_plan) in [
            ("plan", assignment.plan.clone(), true),
            ("source", assignment.source.clone(), false),
        ] {
            let Some(id) = id.filter(|i| !i.trim().is_empty()) else {
                continue;
            };
            // A document the assigner may not read is as good as none.
            let found = match self.store().find_steering_document(&id).await? {
                Some(d) => {
                    let target = self.steering_target(&d.owner, &[]).await?;
                    motcua_domain::authz::authorize(&principal, Action::ReadTasks, &target)
                        .is_ok()
                        .then_some(d)
                }
                None => None,
            };
            match found {
                Some(d) if must_be_plan && !d.kind.is_plan() => {
                    return Err(ServiceError::Invalid(format!(
                        "{field}: văn bản {id} không phải kế hoạch hay quyết định phê duyệt chương trình / document {id} is not a plan or a programme's decision"
                    )));
                }
                Some(_) => {}
                None => {
                    return Err(ServiceError::Invalid(format!(
                        "{field}: không có văn bản «{id}» / there is no document «{id}»"
                    )));
                }
            }
        }
        let calendar = self.agency_calendar(&assignment.lead).await?;
        let ctx = TaskContext {
            now: self.now(),
            calendar: &calendar,
        };
        // One assignment per period of a recurrence, each with its own deadline.
        let periods: Vec<(Assignment, Option<String>)> = match recurrence {
            None => vec![(assignment.clone(), None)],
            Some(r) => {
                let occurrences = r.occurrences()?;
                if occurrences
                    .first()
                    .is_some_and(|o| o.deadline < self.local_today())
                {
                    return Err(ServiceError::Invalid(
                        "from: kỳ đầu tiên đã qua hạn; hãy bắt đầu từ hôm nay / the first period is already past; start from today".into(),
                    ));
                }
                occurrences
                    .into_iter()
                    .map(|o| {
                        let mut a = assignment.clone();
                        a.deadline = o.deadline;
                        (a, Some(o.period_vi))
                    })
                    .collect()
            }
        };
        let meta = self.meta(acting);
        let year = self.local_year();
        let mut tx = self.store().begin().await?;
        // The parent as it stands now: it may have closed since it was read.
        if let Some(parent) = &assignment.parent
            && store::find_task_in(&mut tx, parent)
                .await?
                .is_none_or(|p| p.is_closed())
        {
            return Err(ServiceError::Refused(format!(
                "nhiệm vụ {parent} đã kết thúc / task {parent} is closed"
            )));
        }
        let mut created = Vec::new();
        let mut series_id = None;
        for (mut a, period) in periods {
            let n = store::allocate_number(&mut tx, "NV", year).await?;
            let id = numbered("NV", year, n, 5);
            if let (Some(r), Some(period)) = (recurrence, period) {
                let series = series_id.get_or_insert_with(|| id.clone()).clone();
                a.series = Some(Series {
                    id: series,
                    recurrence: r,
                    period,
                });
            }
            let (events, state) = decide(&id, None, &TaskCommand::Assign(Box::new(a)), &ctx)?;
            store::record_task(&mut tx, 0, &events, &state, &meta).await?;
            self.queue_task_news(&mut tx, &state, NotificationKind::Assigned, &meta)
                .await?;
            created.push(state);
        }
        tx.commit().await?;
        tracing::info!(tasks = created.len(), "assigned tasks");
        Ok(created)
    }

    /// Acts on a task: the lead agency reports (progress, an extension asked, completion),
    /// the assigning agency decides (extension, completion) or cancels. `expected_version`
    /// is the version the reader saw.
    ///
    /// # Errors
    /// Not found when the reader may not see the task; [`ServiceError::Forbidden`] without
    /// the action's permission; a version conflict; the domain's refusals.
    pub async fn act_on_task(
        &self,
        acting: &Acting,
        id: &str,
        expected_version: Option<i64>,
        command: TaskCommand,
    ) -> ServiceResult<Task> {
        if matches!(command, TaskCommand::Assign(_)) {
            return Err(ServiceError::Invalid(
                "command: hãy giao nhiệm vụ mới bằng chức năng giao / assign a new task with the assignment".into(),
            ));
        }
        let current = self.task_visible(acting, id).await?;
        let principal = self.principal(acting).await?;
        let (action, agency) = match command {
            TaskCommand::ReportProgress { .. }
            | TaskCommand::RequestExtension { .. }
            | TaskCommand::ReportCompletion { .. } => {
                (Action::ReportTask, current.assignment.lead.clone())
            }
            _ => (Action::AssignTask, current.assignment.assigner.clone()),
        };
        authorize(&principal, action, &Target::agency(&agency))?;
        let calendar = self
            .agency_calendar_or_default(&current.assignment.lead)
            .await?;
        let meta = self.meta(acting);
        let mut tx = self.store().begin().await?;
        let current = store::find_task_in(&mut tx, id)
            .await?
            .ok_or_else(|| not_found("nhiệm vụ", "task", id))?;
        if let Some(expected) = expected_version
            && expected != current.version
        {
            return Err(ServiceError::Store(StoreError::Conflict {
                what: format!("nhiệm vụ / task {id}"),
                expected,
                actual: current.version,
            }));
        }
        // A task is done, or withdrawn, only when its sub-tasks are.
        if matches!(
            command,
            TaskCommand::ReportCompletion { .. } | TaskCommand::Cancel { .. }
        ) {
            let mut query = TaskQuery::all(self.now());
            query.parent = Some(id.to_owned());
            query.cancelled = Some(false);
            query.limit = 1_000;
            let open = self
                .store()
                .list_tasks(&query)
                .await?
                .0
                .iter()
                .filter(|t| t.completed_at.is_none())
                .count();
            if open > 0 {
                return Err(ServiceError::Refused(format!(
                    "còn {open} nhiệm vụ con chưa hoàn thành / {open} sub-task(s) are still open"
                )));
            }
        }
        let ctx = TaskContext {
            now: self.now(),
            calendar: &calendar,
        };
        let (events, state) = decide(id, Some(&current), &command, &ctx)?;
        store::record_task(&mut tx, current.version, &events, &state, &meta).await?;
        let news = match &events[0] {
            TaskEvent::ExtensionRequested { .. } => Some(NotificationKind::ExtensionRequested),
            TaskEvent::ExtensionDecided { granted, .. } => {
                Some(NotificationKind::ExtensionDecided { granted: *granted })
            }
            TaskEvent::CompletionReported { .. } => Some(NotificationKind::CompletionReported),
            TaskEvent::CompletionDecided { accepted, .. } => {
                Some(NotificationKind::CompletionDecided {
                    accepted: *accepted,
                })
            }
            TaskEvent::Cancelled { .. } => Some(NotificationKind::Cancelled),
            TaskEvent::Assigned { .. } | TaskEvent::ProgressReported { .. } => None,
        };
        if let Some(kind) = news {
            self.queue_task_news(&mut tx, &state, kind, &meta).await?;
        }
        tx.commit().await?;
        tracing::info!(task.id = %id, event = events[0].kind(), "recorded a task change");
        Ok(state)
    }

    /// A task `acting` may read; not found otherwise (a task out of scope does not exist
    /// for the reader).
    ///
    /// # Errors
    /// Not found; [`ServiceError::Forbidden`] for a role that reads no task.
    pub async fn task_visible(&self, acting: &Acting, id: &str) -> ServiceResult<Task> {
        let task = self
            .store()
            .find_task(id)
            .await?
            .ok_or_else(|| not_found("nhiệm vụ", "task", id))?;
        let principal = self.reader_of_tasks(acting).await?;
        let target = self.task_target(&task).await?;
        if motcua_domain::authz::authorize(&principal, Action::ReadTasks, &target).is_err() {
            return Err(not_found("nhiệm vụ", "task", id));
        }
        Ok(task)
    }

    /// A file attached to one of a task's reports, for a reader of the task: its reference
    /// and bytes.
    ///
    /// # Errors
    /// Not found when the task is out of reach or has no such file.
    pub async fn task_file(
        &self,
        acting: &Acting,
        id: &str,
        sha256: &str,
    ) -> ServiceResult<(motcua_domain::dossier::FileRef, Vec<u8>)> {
        let task = self.task_visible(acting, id).await?;
        let found = self
            .store()
            .load_stream(store::TASK_STREAM, &task.id)
            .await?
            .into_iter()
            .filter_map(|e| serde_json::from_value::<TaskEvent>(e.payload).ok())
            .flat_map(|e| match e {
                TaskEvent::ProgressReported { files, .. }
                | TaskEvent::CompletionReported { files, .. } => files,
                _ => Vec::new(),
            })
            .find(|f| f.sha256 == sha256)
            .ok_or_else(|| not_found("tệp của nhiệm vụ", "file of task", id))?;
        let bytes = self.file_store().read(&found.sha256).await?;
        Ok((found, bytes))
    }

    fn rights(principal: &Principal, task: &Task) -> TaskRights {
        let may = |action, agency: &str| {
            !task.is_closed()
                && motcua_domain::authz::authorize(principal, action, &Target::agency(agency))
                    .is_ok()
        };
        let lead = &task.assignment.lead;
        TaskRights {
            report: may(Action::ReportTask, lead),
            decide: may(Action::AssignTask, &task.assignment.assigner),
            split: may(Action::AssignTask, lead),
        }
    }

    /// Everything about a task for a reader who may see it.
    ///
    /// # Errors
    /// As [`Services::task_visible`].
    pub async fn task_for(&self, acting: &Acting, id: &str) -> ServiceResult<TaskDetail> {
        let task = self.task_visible(acting, id).await?;
        let principal = self.principal(acting).await?;
        let now = self.now();
        let mut query = TaskQuery::all(now);
        query.parent = Some(task.id.clone());
        query.limit = 1_000;
        let (children, _) = self.store().list_tasks(&query).await?;
        let roll = roll_up(children.iter());
        // The roll-up counts every sub-task; the list shows those the reader may open.
        let mut listed_children = Vec::with_capacity(children.len());
        for child in children {
            if self.may_read(&principal, &child).await? {
                listed_children.push(self.listed(child, now).await?);
            }
        }
        let series = match &task.assignment.series {
            Some(s) => {
                let ids = self.store().task_ids_of_series(&s.id).await?;
                let mut out = Vec::new();
                for t in self.store().find_tasks(&ids).await? {
                    if t.id != task.id {
                        out.push(self.listed(t, now).await?);
                    }
                }
                out.sort_by_key(|l| l.task.deadline);
                out
            }
            None => Vec::new(),
        };
        // The parent only for those who may read it: a commune given a sub-task need not
        // see its department's task.
        let parent = match &task.assignment.parent {
            Some(p) => match self.store().find_task(p).await? {
                Some(parent) if self.may_read(&principal, &parent).await? => Some(parent),
                _ => None,
            },
            None => None,
        };
        let document = |id: &Option<String>| {
            let id = id.clone();
            async move {
                match id {
                    Some(id) => self.store().find_steering_document(&id).await,
                    None => Ok(None),
                }
            }
        };
        let source = document(&task.assignment.source).await?;
        let plan = document(&task.assignment.plan).await?;
        let history = self
            .store()
            .load_stream(store::TASK_STREAM, &task.id)
            .await?
            .into_iter()
            .map(|e| TaskHistoryEntry {
                version: e.version,
                at: e.meta.at,
                actor: e.meta.actor,
                channel: e.meta.channel,
                event: serde_json::from_value(e.payload).ok(),
            })
            .collect();
        Ok(TaskDetail {
            status: classify(&task, now),
            due_soon: self.due_soon(&task, now).await?,
            rights: Self::rights(&principal, &task),
            parent,
            children: listed_children,
            roll_up: roll,
            series,
            source,
            plan,
            history,
            task,
        })
    }

    /// A page of the tasks `acting` may read, filtered: staff by their agency's relation to
    /// the task ([`TaskView`]), inspectors by the agencies within their unit, administrators
    /// everything.
    ///
    /// # Errors
    /// [`ServiceError::Forbidden`] for a role that reads no task; an unknown unit of
    /// `lead_within`.
    pub async fn tasks_for(&self, acting: &Acting, filter: &TaskFilter) -> ServiceResult<TaskPage> {
        let principal = self.reader_of_tasks(acting).await?;
        let now = self.now();
        let per_page = filter.per_page.clamp(1, 200);
        let page = filter.page.max(1);
        let mut query = TaskQuery::all(now);
        query.status = filter.status;
        query.cancelled = filter.cancelled;
        query.awaiting_assigner = filter.awaiting_assigner;
        query.plan = filter.plan.clone();
        query.source = filter.source.clone();
        query.parent = filter.parent.clone();
        query.limit = i64::from(per_page);
        query.offset = i64::from(page - 1) * i64::from(per_page);
        if let Some(within) = &filter.lead_within {
            let (_, _, agencies) = self.unit_agencies(within).await?;
            query.leads = agencies.into_iter().map(|(code, _)| code).collect();
            if query.leads.is_empty() {
                return Ok(TaskPage {
                    tasks: Vec::new(),
                    total: 0,
                    page,
                    pages: 1,
                });
            }
        }
        match &principal.scope {
            Scope::Agency(agency) => {
                query.agency = Some(agency.clone());
                query.relations = filter.view.relations();
            }
            Scope::Unit(unit) => {
                let (_, _, agencies) = self.unit_agencies(unit).await?;
                let mine: Vec<String> = agencies.into_iter().map(|(code, _)| code).collect();
                query.leads = if query.leads.is_empty() {
                    mine
                } else {
                    query
                        .leads
                        .into_iter()
                        .filter(|l| mine.contains(l))
                        .collect()
                };
                if query.leads.is_empty() {
                    return Ok(TaskPage {
                        tasks: Vec::new(),
                        total: 0,
                        page,
                        pages: 1,
                    });
                }
            }
            Scope::Everywhere => {}
            Scope::Applicant(_) | Scope::AnyApplicant | Scope::Nowhere => {
                return Ok(TaskPage {
                    tasks: Vec::new(),
                    total: 0,
                    page,
                    pages: 1,
                });
            }
        }
        let (tasks, total) = self.store().list_tasks(&query).await?;
        let total = u64::try_from(total).unwrap_or(0);
        let rolls = self.roll_ups(&tasks, now).await?;
        let mut listed = Vec::with_capacity(tasks.len());
        for task in tasks {
            let roll = rolls.get(&task.id).copied().flatten();
            let mut l = self.listed(task, now).await?;
            l.roll_up = roll;
            listed.push(l);
        }
        Ok(TaskPage {
            tasks: listed,
            total,
            page,
            pages: u32::try_from(total.div_ceil(u64::from(per_page)))
                .unwrap_or(u32::MAX)
                .max(1),
        })
    }

    /// The roll-up of each of `tasks` that has sub-tasks.
    async fn roll_ups(
        &self,
        tasks: &[Task],
        now: DateTime<Utc>,
    ) -> ServiceResult<BTreeMap<String, Option<u8>>> {
        let mut out = BTreeMap::new();
        for task in tasks {
            let mut query = TaskQuery::all(now);
            query.parent = Some(task.id.clone());
            query.limit = 1_000;
            let (children, total) = self.store().list_tasks(&query).await?;
            if total > 0 {
                out.insert(task.id.clone(), roll_up(children.iter()));
            }
        }
        Ok(out)
    }

    /// What awaits the reader's agency now (staff only; zeros otherwise).
    ///
    /// # Errors
    /// Storage failures.
    pub async fn task_todos(&self, acting: &Acting) -> ServiceResult<TaskTodos> {
        let principal = self.principal(acting).await?;
        let Scope::Agency(agency) = &principal.scope else {
            return Ok(TaskTodos::default());
        };
        if !motcua_domain::authz::role_allows(principal.role, Action::ReadTasks) {
            return Ok(TaskTodos::default());
        }
        let now = self.now();
        let mut todos = TaskTodos::default();
        let mut query = TaskQuery::all(now);
        query.agency = Some(agency.clone());
        query.relations = vec![Relation::Lead];
        query.cancelled = Some(false);
        query.limit = 1_000;
        query.status = Some(TaskStatus::OpenOverdue);
        todos.overdue = u64::try_from(self.store().list_tasks(&query).await?.1).unwrap_or(0);
        query.status = Some(TaskStatus::OpenWithinTime);
        for task in self.store().list_tasks(&query).await?.0 {
            if task.awaiting() == Awaiting::Lead && self.due_soon(&task, now).await? {
                todos.due_soon += 1;
            }
        }
        if motcua_domain::authz::role_allows(principal.role, Action::AssignTask) {
            let mut query = TaskQuery::all(now);
            query.agency = Some(agency.clone());
            query.relations = vec![Relation::Assigner];
            query.awaiting_assigner = true;
            query.limit = 1;
            todos.to_decide = u64::try_from(self.store().list_tasks(&query).await?.1).unwrap_or(0);
        }
        Ok(todos)
    }

    /// The task figures of `unit` (an agency's code, or an administrative unit's: its
    /// agencies as leads) for `period`, by lead agency and by plan. Needs
    /// [`Action::ReadStatistics`] on the unit.
    ///
    /// # Errors
    /// [`ServiceError::Invalid`] for an unknown unit or a period not begun;
    /// [`ServiceError::Forbidden`].
    pub async fn task_figures(
        &self,
        acting: &Acting,
        unit: &str,
        period: Period,
    ) -> ServiceResult<TaskFigures> {
        let (_, target, _) = self.unit_agencies(unit).await?;
        let principal = self.principal(acting).await?;
        authorize(&principal, Action::ReadStatistics, &target)?;
        self.figures_of_tasks(unit, period, None).await
    }

    /// The figures of `unit`'s tasks that belong to a plan whose results are public, for the
    /// published monthly results: open to everyone.
    ///
    /// # Errors
    /// As [`Services::task_figures`], without the permission check.
    pub async fn public_task_figures(
        &self,
        unit: &str,
        period: Period,
    ) -> ServiceResult<TaskFigures> {
        let plans: Vec<String> = self
            .store()
            .public_plans()
            .await?
            .into_iter()
            .map(|d| d.id)
            .collect();
        self.figures_of_tasks(unit, period, Some(&plans)).await
    }

    /// The tasks behind a figure: those of `unit` counted in `period` (of `plan` when
    /// given, `""` for no plan), with `status` when given, that the reader may open. Needs
    /// [`Action::ReadStatistics`] on the unit.
    ///
    /// # Errors
    /// As [`Services::task_figures`].
    pub async fn tasks_behind_figure(
        &self,
        acting: &Acting,
        unit: &str,
        period: Period,
        plan: Option<&str>,
        status: Option<TaskStatus>,
    ) -> ServiceResult<Vec<ListedTask>> {
        let (_, target, agencies) = self.unit_agencies(unit).await?;
        let principal = self.principal(acting).await?;
        authorize(&principal, Action::ReadStatistics, &target)?;
        let (from, to, at) = self.task_period(period)?;
        let leads: Vec<String> = agencies.into_iter().map(|(c, _)| c).collect();
        let mut out = Vec::new();
        for task in self.store().tasks_in_period(Some(&leads), from, to).await? {
            let Some(s) = period_status(&task, from, to, at) else {
                continue;
            };
            if status.is_some_and(|want| want != s) {
                continue;
            }
            if let Some(plan) = plan
                && task.assignment.plan.as_deref().unwrap_or("") != plan
            {
                continue;
            }
            // Counted in the figures, listed only to those who may open it.
            if !self.may_read(&principal, &task).await? {
                continue;
            }
            let due_soon = self.due_soon(&task, self.now()).await?;
            out.push(ListedTask {
                status: Some(s),
                due_soon,
                roll_up: None,
                task,
            });
        }
        Ok(out)
    }

    /// A period's bounds and the instant its tasks are classified at: its end, or now while
    /// it runs.
    fn task_period(
        &self,
        period: Period,
    ) -> ServiceResult<(DateTime<Utc>, DateTime<Utc>, DateTime<Utc>)> {
        self.check_begun(period)?;
        let (from, to) = crate::kpi::dashboard::period_bounds(period)?;
        let now = self.now();
        Ok((from, to, now.min(to - chrono::Duration::seconds(1))))
    }

    async fn figures_of_tasks(
        &self,
        unit: &str,
        period: Period,
        plans: Option<&[String]>,
    ) -> ServiceResult<TaskFigures> {
        let (name, _, agencies) = self.unit_agencies(unit).await?;
        let (from, to, at) = self.task_period(period)?;
        let leads: Vec<String> = agencies.iter().map(|(c, _)| c.clone()).collect();
        let mut total = TaskCounts::default();
        let mut by_lead: BTreeMap<String, TaskCounts> = BTreeMap::new();
        let mut by_plan: BTreeMap<String, TaskCounts> = BTreeMap::new();
        for task in self.store().tasks_in_period(Some(&leads), from, to).await? {
            let plan = task.assignment.plan.clone().unwrap_or_default();
            if plans.is_some_and(|p| !p.contains(&plan)) {
                continue;
            }
            let Some(status) = period_status(&task, from, to, self.now()) else {
                continue;
            };
            total.add(status);
            by_lead
                .entry(task.assignment.lead.clone())
                .or_default()
                .add(status);
            by_plan.entry(plan).or_default().add(status);
        }
        let name_of = |code: &str| {
            agencies
                .iter()
                .find(|(c, _)| c == code)
                .map_or_else(|| code.to_owned(), |(_, n)| n.clone())
        };
        let mut by_lead: Vec<TaskFigureRow> = by_lead
            .into_iter()
            .map(|(key, counts)| TaskFigureRow {
                name: name_of(&key),
                key,
                counts,
            })
            .collect();
        by_lead.sort_by(|a, b| {
            b.counts
                .assigned()
                .cmp(&a.counts.assigned())
                .then_with(|| a.name.cmp(&b.name))
        });
        let mut plan_rows = Vec::with_capacity(by_plan.len());
        for (key, counts) in by_plan {
            let name = if key.is_empty() {
                String::new()
            } else {
                match self.store().find_steering_document(&key).await? {
                    Some(d) => format!("{} — {}", d.number, d.title),
                    None => key.clone(),
                }
            };
            plan_rows.push(TaskFigureRow { key, name, counts });
        }
        plan_rows.sort_by(|a, b| {
            b.counts
                .assigned()
                .cmp(&a.counts.assigned())
                .then_with(|| a.key.cmp(&b.key))
        });
        Ok(TaskFigures {
            unit: unit.trim().to_owned(),
            name,
            period,
            at,
            total,
            by_lead,
            by_plan: plan_rows,
        })
    }
}
