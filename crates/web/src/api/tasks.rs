//! Steering (issue 7) in the API: `/meetings` and `/steering-documents` record what steering
//! decided, `/tasks` assigns, reports on, decides and counts the tasks it gave, and
//! `/notifications` and `/notification-subscriptions` follow their news by e-mail and
//! webhook — thin handlers over the same use cases as the back office's pages
//! ([`motcua_service::steering`], [`motcua_service::notifications`]).
//!
//! Tokens read with `tasks:read` and change with `tasks:write`; who may do what is the
//! service's (`domain::authz`): a task, meeting or document out of the caller's reach
//! answers `404`, as on the pages.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use chrono::{DateTime, NaiveDate, Utc};
use motcua_domain::dossier::FileRef;
use motcua_domain::kpi::Ratio;
use motcua_domain::kpi::period::Period;
use motcua_domain::kpi::tasks::TaskCounts;
use motcua_domain::notification::{ChannelKind, DeliveryStatus, Notification};
use motcua_domain::steering::{DocumentKind, Meeting, SteeringDocument};
use motcua_domain::task::{
    Assignment, Frequency, MAX_FILES, Priority, Recurrence, Task, TaskCommand, TaskStatus,
};
use motcua_domain::units::AgencyCode;
use motcua_service::ServiceError;
use motcua_service::api_tokens::ApiScope;
use motcua_service::steering::{
    self, ListedTask, NewTask, TaskDetail, TaskFigureRow, TaskFigures, TaskFilter,
};
use motcua_storage::notifications::{NotificationQuery, StoredSubscription};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::dossiers::uploaded;
use super::extract::{ApiJson, ApiQuery, MAX_LIMIT, Page, PageParams, Paging, given, invalid};
use crate::AppState;
use crate::auth::ApiCaller;
use crate::error::{ApiError, AppError, Problem, field_problems};
use crate::ui::portal::mine::file_response;

// ---------------------------------------------------------------------------------------
// Shared helpers

/// A service error with `field` named when its message names none (an unknown unit, a
/// malformed code): the service names most fields itself, as the message's prefix, and
/// those are left alone.
fn naming(field: &str) -> impl Fn(ServiceError) -> ApiError {
    move |e| match AppError::from(e) {
        AppError::Invalid {
            message,
            field: None,
        } if field_problems(&message).is_empty() => ApiError(AppError::Invalid {
            message,
            field: Some(field.to_owned()),
        }),
        other => ApiError(other),
    }
}

/// A service error whose message names a field `from` (as the domain calls it), renamed
/// to `to` (as this API's body calls it): the recurrence's `day` is `recurrence.day` here.
fn renaming(e: ServiceError, renames: &[(&str, &str)]) -> ServiceError {
    match e {
        ServiceError::Invalid(message) => {
            for (from, to) in renames {
                if let Some(rest) = message.strip_prefix(&format!("{from}: ")) {
                    return ServiceError::Invalid(format!("{to}: {rest}"));
                }
            }
            ServiceError::Invalid(message)
        }
        other => other,
    }
}

/// A date `YYYY-MM-DD` of field `field`.
fn date(field: &str, text: &str) -> Result<NaiveDate, ApiError> {
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").map_err(|_| {
        invalid(
            field,
            "phải là ngày dạng YYYY-MM-DD, ví dụ 2026-12-31",
            "must be a date YYYY-MM-DD, e.g. 2026-12-31",
        )
    })
}

/// A yes/no query parameter: `true`/`false` (or `1`/`0`); absent or blank is `None`.
fn flag(field: &str, text: &Option<String>) -> Result<Option<bool>, ApiError> {
    match given(text) {
        None => Ok(None),
        Some("true" | "1") => Ok(Some(true)),
        Some("false" | "0") => Ok(Some(false)),
        Some(other) => Err(invalid(
            field,
            &format!("«{other}» phải là true hoặc false"),
            &format!("“{other}” must be true or false"),
        )),
    }
}

/// An agency code given in a body: a malformed one is named by its field here, where the
/// service could only say "agency code".
fn agency_code(field: &str, text: &str) -> Result<String, ApiError> {
    let text = text.trim();
    text.parse::<AgencyCode>()
        .map(|c| c.as_str().to_owned())
        .map_err(|_| {
            invalid(
                field,
                &format!("«{text}» không phải mã định danh cơ quan (ví dụ 000.00.10.H05)"),
                &format!("“{text}” is not an agency identifier code (e.g. 000.00.10.H05)"),
            )
        })
}

/// The agency the caller acts for: steering is recorded and tasks are assigned in its
/// name. System administrators and inspectors belong to none and may do neither.
fn own_agency(caller: &ApiCaller) -> Result<String, ApiError> {
    caller.agency().map(str::to_owned).ok_or_else(|| {
        ApiError(AppError::Forbidden(
            "chỉ cán bộ của một cơ quan ghi nhận chỉ đạo và giao nhiệm vụ, nhân danh cơ quan mình / only an agency's staff record steering and assign tasks, in their agency's name".into(),
        ))
    })
}

/// The window `paging` asks for, from a use case that pages by number: its one or two
/// pages the window overlaps, cut to it (a cursor falls between pages when a client changes
/// `limit` from one page to the next).
async fn window<T, F, Fut>(paging: Paging, mut fetch: F) -> Result<(Vec<T>, u64), ApiError>
where
    F: FnMut(u32, u32) -> Fut,
    Fut: Future<Output = Result<(Vec<T>, u64), ApiError>>,
{
    let per_page = paging.limit.max(1);
    let page = u32::try_from(paging.offset / u64::from(per_page) + 1).unwrap_or(u32::MAX);
    let skip = usize::try_from(paging.offset % u64::from(per_page)).unwrap_or(0);
    let (mut items, total) = fetch(page, per_page).await?;
    if skip > 0 && items.len() == per_page as usize {
        let (more, _) = fetch(page.saturating_add(1), per_page).await?;
        items.extend(more);
    }
    let items = items
        .into_iter()
        .skip(skip)
        .take(per_page as usize)
        .collect();
    Ok((items, total))
}

fn page_of<T>(paging: Paging, items: Vec<T>, total: u64) -> Page<T> {
    let next = paging.next(items.len(), total);
    Page { items, next, total }
}

// ---------------------------------------------------------------------------------------
// Views

/// How a task recurs, when it is one period of a series.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SeriesView {
    /// The series' id: the id of its first period's task.
    pub id: String,
    /// `monthly` or `quarterly`.
    pub frequency: String,
    /// The day of the month deadlines fall on.
    pub day: u8,
    /// No deadline before this date.
    pub from: NaiveDate,
    /// No deadline after this date.
    pub until: NaiveDate,
    /// This task's period, in Vietnamese ("tháng 01/2026").
    pub period: String,
}

/// An extension asked for and not yet decided.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PendingExtensionView {
    /// The deadline asked for.
    pub until: NaiveDate,
    /// Why.
    pub reason: String,
}

/// A task in a list.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TaskSummary {
    /// Its id.
    #[schema(example = "NV-2026-00042")]
    pub id: String,
    /// Version: pass it back as `expected_version` when acting.
    pub version: i64,
    /// Title.
    pub title: String,
    /// The assigning agency.
    pub assigner: String,
    /// The lead agency, which reports.
    pub lead: String,
    /// The coordinating agencies.
    pub coordinators: Vec<String>,
    /// The deadline in force (the assigned one, or the last extension granted).
    pub deadline: NaiveDate,
    /// When the deadline in force ends: the close of office hours of that day, or of the next
    /// working day, on the lead agency's calendar.
    pub due: DateTime<Utc>,
    /// `normal`, `high` or `urgent`.
    pub priority: String,
    /// The plan or programme it belongs to (a steering document's id).
    pub plan: Option<String>,
    /// The steering document it comes from.
    pub source: Option<String>,
    /// The task it was split from.
    pub parent: Option<String>,
    /// Its series, when it recurs.
    pub series: Option<SeriesView>,
    /// When it was assigned.
    pub assigned_at: DateTime<Utc>,
    /// Its status now: `done_on_time`, `done_late`, `open_within_time`, `open_overdue`;
    /// `null` once cancelled (a cancelled task no longer counts).
    pub status: Option<String>,
    /// Who has the next move: `lead`, `assigner` (an extension or a completion to decide)
    /// or `nobody` (done or cancelled).
    pub awaiting: String,
    /// Its deadline ends within one working day.
    pub due_soon: bool,
    /// The last progress reported, in per cent.
    pub progress: u8,
    /// When progress was last reported.
    pub progress_at: Option<DateTime<Utc>>,
    /// The progress of its sub-tasks, when it has some (in lists, and on the task).
    pub roll_up: Option<u8>,
    /// An extension asked for, awaiting the assigner.
    pub pending_extension: Option<PendingExtensionView>,
    /// When completion was reported, while the assigner has not decided.
    pub completion_reported_at: Option<DateTime<Utc>>,
    /// When it was done (the instant the accepted completion was reported).
    pub completed_at: Option<DateTime<Utc>>,
    /// When it was cancelled.
    pub cancelled_at: Option<DateTime<Utc>>,
    /// Completions returned so far.
    pub returns: u32,
}

fn status_name(status: Option<TaskStatus>) -> Option<String> {
    status.map(|s| s.as_str().to_owned())
}

impl TaskSummary {
    fn of(task: &Task, status: Option<TaskStatus>, due_soon: bool, roll_up: Option<u8>) -> Self {
        let a = &task.assignment;
        TaskSummary {
            id: task.id.clone(),
            version: task.version,
            title: a.title.clone(),
            assigner: a.assigner.clone(),
            lead: a.lead.clone(),
            coordinators: a.coordinators.clone(),
            deadline: task.deadline,
            due: task.due,
            priority: a.priority.as_str().to_owned(),
            plan: a.plan.clone(),
            source: a.source.clone(),
            parent: a.parent.clone(),
            series: a.series.as_ref().map(|s| SeriesView {
                id: s.id.clone(),
                frequency: s.recurrence.frequency.as_str().to_owned(),
                day: s.recurrence.day,
                from: s.recurrence.from,
                until: s.recurrence.until,
                period: s.period.clone(),
            }),
            assigned_at: task.assigned_at,
            status: status_name(status),
            awaiting: match task.awaiting() {
                motcua_domain::task::Awaiting::Lead => "lead",
                motcua_domain::task::Awaiting::Assigner => "assigner",
                motcua_domain::task::Awaiting::Nobody => "nobody",
            }
            .to_owned(),
            due_soon,
            progress: task.progress,
            progress_at: task.progress_at,
            roll_up,
            pending_extension: task.pending_extension.as_ref().map(|(until, reason)| {
                PendingExtensionView {
                    until: *until,
                    reason: reason.clone(),
                }
            }),
            completion_reported_at: task.completion_reported_at,
            completed_at: task.completed_at,
            cancelled_at: task.cancelled_at,
            returns: task.returns,
        }
    }

    fn listed(l: &ListedTask) -> Self {
        TaskSummary::of(&l.task, l.status, l.due_soon, l.roll_up)
    }
}

/// Another task named by this one: a sub-task, the parent, another period of the series.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TaskLink {
    /// Its id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Its lead agency.
    pub lead: String,
    /// Its deadline in force.
    pub deadline: NaiveDate,
    /// Its status now (`null` once cancelled).
    pub status: Option<String>,
    /// Its last progress, in per cent.
    pub progress: u8,
}

impl TaskLink {
    fn of(task: &Task, status: Option<TaskStatus>) -> Self {
        TaskLink {
            id: task.id.clone(),
            title: task.assignment.title.clone(),
            lead: task.assignment.lead.clone(),
            deadline: task.deadline,
            status: status_name(status),
            progress: task.progress,
        }
    }
}

/// One entry of a task's history.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TaskEventView {
    /// Position in the task's log, from 1.
    pub version: i64,
    /// What happened: `assigned`, `progress_reported`, `extension_requested`,
    /// `extension_decided`, `completion_reported`, `completion_decided`, `cancelled`.
    pub kind: String,
    /// When.
    pub at: DateTime<Utc>,
    /// Who (account or token id).
    pub actor: String,
    /// The actor's role.
    pub role: String,
    /// The actor's agency.
    pub agency: Option<String>,
    /// The channel (`web`, `api`, `cli`, …).
    pub channel: String,
    /// The event as recorded (`type` and its fields; reports list their `files`).
    #[schema(value_type = Option<Object>)]
    pub event: Option<serde_json::Value>,
}

/// What the caller may do to the task now.
#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
pub struct TaskRightsView {
    /// Report progress, ask for an extension, report completion (the lead agency).
    pub report: bool,
    /// Decide extensions and completions, cancel (the assigning agency's leaders).
    pub decide: bool,
    /// Split it into sub-tasks (`POST /tasks` with `parent`; the lead agency's leaders).
    pub split: bool,
}

/// One task: its state, relations, history and what the caller may do.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TaskDetailView {
    /// The list fields.
    #[serde(flatten)]
    pub summary: TaskSummary,
    /// What is to be done.
    pub content: String,
    /// The output expected.
    pub output: String,
    /// The task it was split from.
    pub parent_task: Option<TaskLink>,
    /// Its sub-tasks, with their statuses now.
    pub sub_tasks: Vec<TaskLink>,
    /// The other periods of its series, earliest deadline first.
    pub series_tasks: Vec<TaskLink>,
    /// Its history, oldest first.
    pub history: Vec<TaskEventView>,
    /// What the caller may do now.
    pub rights: TaskRightsView,
}

impl TaskDetailView {
    /// The view of `d`, read at `now` (the services' clock, which classified it).
    fn of(d: TaskDetail, now: DateTime<Utc>) -> Self {
        let links = |list: &[ListedTask]| {
            list.iter()
                .map(|l| TaskLink::of(&l.task, l.status))
                .collect::<Vec<_>>()
        };
        // The use case gives the parent without a status: it is classified at the same
        // instant as the task, as its own page would show it.
        let parent_task = d
            .parent
            .as_ref()
            .map(|p| TaskLink::of(p, motcua_domain::task::classify(p, now)));
        TaskDetailView {
            summary: TaskSummary::of(&d.task, d.status, d.due_soon, d.roll_up),
            content: d.task.assignment.content.clone(),
            output: d.task.assignment.output.clone(),
            parent_task,
            sub_tasks: links(&d.children),
            series_tasks: links(&d.series),
            history: d
                .history
                .into_iter()
                .map(|h| TaskEventView {
                    version: h.version,
                    kind: h.event.as_ref().map_or("unknown", |e| e.kind()).to_owned(),
                    at: h.at,
                    actor: h.actor.id,
                    role: h.actor.role.as_str().to_owned(),
                    agency: h.actor.agency,
                    channel: h.channel.as_str().to_owned(),
                    event: h.event.and_then(|e| serde_json::to_value(e).ok()),
                })
                .collect(),
            rights: TaskRightsView {
                report: d.rights.report,
                decide: d.rights.decide,
                split: d.rights.split,
            },
        }
    }
}

/// A ratio: what is counted ÷ what it is counted among.
#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
pub struct RatioView {
    /// What is counted.
    pub numerator: u64,
    /// What it is counted among.
    pub denominator: u64,
    /// The quotient (0–1), `null` when the denominator is 0.
    pub value: Option<f64>,
}

impl From<Ratio> for RatioView {
    fn from(r: Ratio) -> Self {
        RatioView {
            numerator: r.numerator,
            denominator: r.denominator,
            value: r.value(),
        }
    }
}

/// The rates of a set of tasks: each status ÷ the tasks assigned (regulations.md §10).
#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
pub struct TaskRatesView {
    /// Done on time ÷ assigned: the on-time completion rate.
    pub done_on_time: RatioView,
    /// Done late ÷ assigned.
    pub done_late: RatioView,
    /// Open within time ÷ assigned.
    pub open_within_time: RatioView,
    /// Open and overdue ÷ assigned.
    pub open_overdue: RatioView,
    /// Done, on time or late ÷ assigned.
    pub done: RatioView,
    /// Past their deadline (done late, or open and overdue) ÷ assigned.
    pub late: RatioView,
}

/// The four counts of a set of tasks, and their rates.
#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
pub struct TaskCountsView {
    /// Tasks assigned and counted: the four together.
    pub assigned: u64,
    /// Hoàn thành đúng hạn.
    pub done_on_time: u64,
    /// Hoàn thành quá hạn.
    pub done_late: u64,
    /// Chưa hoàn thành, trong hạn.
    pub open_within_time: u64,
    /// Chưa hoàn thành, quá hạn.
    pub open_overdue: u64,
    /// The rates.
    pub rates: TaskRatesView,
}

impl From<&TaskCounts> for TaskCountsView {
    fn from(c: &TaskCounts) -> Self {
        TaskCountsView {
            assigned: c.assigned(),
            done_on_time: c.done_on_time,
            done_late: c.done_late,
            open_within_time: c.open_within_time,
            open_overdue: c.open_overdue,
            rates: TaskRatesView {
                done_on_time: c.rate(TaskStatus::DoneOnTime).into(),
                done_late: c.rate(TaskStatus::DoneLate).into(),
                open_within_time: c.rate(TaskStatus::OpenWithinTime).into(),
                open_overdue: c.rate(TaskStatus::OpenOverdue).into(),
                done: c.done_rate().into(),
                late: c.late_rate().into(),
            },
        }
    }
}

/// One row of a figures table: a lead agency or a plan, and its counts.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TaskFigureRowView {
    /// The agency's code, or the plan's id (empty for tasks of no plan).
    pub key: String,
    /// The agency's name, or the plan's number and title.
    pub name: String,
    /// The counts and rates.
    #[serde(flatten)]
    pub counts: TaskCountsView,
}

impl From<&TaskFigureRow> for TaskFigureRowView {
    fn from(r: &TaskFigureRow) -> Self {
        TaskFigureRowView {
            key: r.key.clone(),
            name: r.name.clone(),
            counts: (&r.counts).into(),
        }
    }
}

/// A unit's task figures for a period.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TaskStatisticsView {
    /// The unit or agency code.
    pub unit: String,
    /// Its name.
    pub name: String,
    /// The period, as given (`2026-10`, `2026-Q3`, `2026`, `2026-01..2026-06`).
    pub period: String,
    /// The period's name, Vietnamese / English.
    pub period_label: String,
    /// The instant the tasks were classified at: the period's end, or now while it runs.
    pub at: DateTime<Utc>,
    /// All the unit's lead agencies' tasks together.
    pub total: TaskCountsView,
    /// By lead agency, most tasks first.
    pub by_lead: Vec<TaskFigureRowView>,
    /// By plan, most tasks first (`key` empty for tasks of no plan).
    pub by_plan: Vec<TaskFigureRowView>,
}

impl From<&TaskFigures> for TaskStatisticsView {
    fn from(f: &TaskFigures) -> Self {
        TaskStatisticsView {
            unit: f.unit.clone(),
            name: f.name.clone(),
            period: f.period.to_string(),
            period_label: format!("{} / {}", f.period.label_vi(), f.period.label_en()),
            at: f.at,
            total: (&f.total).into(),
            by_lead: f.by_lead.iter().map(Into::into).collect(),
            by_plan: f.by_plan.iter().map(Into::into).collect(),
        }
    }
}

/// A meeting as recorded.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MeetingView {
    /// Its id.
    #[schema(example = "HOP-2026-0003")]
    pub id: String,
    /// The agency that held and recorded it.
    pub host: String,
    /// The body that met.
    pub body: String,
    /// Title.
    pub title: String,
    /// The day it was held.
    pub date: NaiveDate,
    /// Who chaired it.
    pub chair: String,
    /// The participating agencies.
    pub participants: Vec<String>,
    /// Where.
    pub location: String,
    /// What was discussed.
    pub summary: String,
}

impl From<&Meeting> for MeetingView {
    fn from(m: &Meeting) -> Self {
        MeetingView {
            id: m.id.clone(),
            host: m.host.clone(),
            body: m.body.clone(),
            title: m.title.clone(),
            date: m.date,
            chair: m.chair.clone(),
            participants: m.participants.clone(),
            location: m.location.clone(),
            summary: m.summary.clone(),
        }
    }
}

/// A steering document as recorded.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SteeringDocumentView {
    /// Its id.
    #[schema(example = "VB-2026-0012")]
    pub id: String,
    /// The agency that recorded it and follows it up.
    pub owner: String,
    /// `conclusion`, `plan`, `directive` or `decision`.
    pub kind: String,
    /// Its number as printed.
    pub number: String,
    /// The day it was signed.
    pub date: NaiveDate,
    /// The body that issued it, as printed.
    pub issuer: String,
    /// Title (trích yếu).
    pub title: String,
    /// What it says, in short.
    pub summary: String,
    /// The meeting it concludes (its id).
    pub meeting: Option<String>,
    /// Whether the results of its tasks (as a plan) are published.
    pub public_results: bool,
}

impl From<&SteeringDocument> for SteeringDocumentView {
    fn from(d: &SteeringDocument) -> Self {
        SteeringDocumentView {
            id: d.id.clone(),
            owner: d.owner.clone(),
            kind: d.kind.as_str().to_owned(),
            number: d.number.clone(),
            date: d.date,
            issuer: d.issuer.clone(),
            title: d.title.clone(),
            summary: d.summary.clone(),
            meeting: d.meeting.clone(),
            public_results: d.public_results,
        }
    }
}

/// A meeting with the documents recorded from it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MeetingDetailView {
    /// The meeting.
    #[serde(flatten)]
    pub meeting: MeetingView,
    /// Its documents (conclusions…), latest first.
    pub documents: Vec<SteeringDocumentView>,
}

/// A steering document with its meeting and its tasks.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SteeringDocumentDetailView {
    /// The document.
    #[serde(flatten)]
    pub document: SteeringDocumentView,
    /// The meeting it concludes, as recorded.
    pub meeting_detail: Option<MeetingView>,
    /// Its tasks (assigned from it, or belonging to it as a plan) the caller may read.
    pub tasks: Vec<TaskSummary>,
    /// Their counts now.
    pub counts: TaskCountsView,
}

/// A notification and how its delivery went.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct NotificationView {
    /// Its id (also the receivers' idempotency key).
    pub id: String,
    /// The task it is about.
    pub task: String,
    /// What it tells: `assigned`, `reminder`, `extension_requested`, `extension_decided`,
    /// `completion_reported`, `completion_decided`, `cancelled`.
    pub kind: String,
    /// The news with its details (`granted`, `accepted`, the reminder).
    #[schema(value_type = Object)]
    pub news: serde_json::Value,
    /// The agency it is for.
    pub agency: String,
    /// The subscription it goes through.
    pub subscription: String,
    /// `email` or `webhook`.
    pub channel: String,
    /// The address or URL.
    pub address: String,
    /// The e-mail's subject.
    pub subject: String,
    /// The e-mail's text.
    pub body: String,
    /// `pending`, `delivered` or `abandoned`.
    pub status: String,
    /// When it was queued.
    pub queued_at: DateTime<Utc>,
    /// Attempts made so far.
    pub attempts: u32,
    /// When the next attempt is due.
    pub next_attempt_at: Option<DateTime<Utc>>,
    /// The last failure, if any.
    pub last_error: Option<String>,
    /// When it was delivered.
    pub delivered_at: Option<DateTime<Utc>>,
    /// When delivery was given up.
    pub abandoned_at: Option<DateTime<Utc>>,
    /// Version of its stream.
    pub version: i64,
}

impl From<&Notification> for NotificationView {
    fn from(n: &Notification) -> Self {
        NotificationView {
            id: n.id.clone(),
            task: n.task.clone(),
            kind: n.kind.as_str().to_owned(),
            news: serde_json::to_value(n.kind).unwrap_or(serde_json::Value::Null),
            agency: n.agency.clone(),
            subscription: n.subscription.clone(),
            channel: n.channel.as_str().to_owned(),
            address: n.address.clone(),
            subject: n.subject.clone(),
            body: n.body.clone(),
            status: n.status().as_str().to_owned(),
            queued_at: n.queued_at,
            attempts: n.attempts,
            next_attempt_at: n.next_attempt_at,
            last_error: n.last_error.clone(),
            delivered_at: n.delivered_at,
            abandoned_at: n.abandoned_at,
            version: n.version,
        }
    }
}

/// A subscription to an agency's task news.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SubscriptionView {
    /// Its id.
    #[schema(example = "DK-2026-0001")]
    pub id: String,
    /// The agency whose news it receives; `null` for every agency.
    pub agency: Option<String>,
    /// `email` or `webhook`.
    pub channel: String,
    /// The e-mail address or the URL.
    pub address: String,
    /// When it was made.
    pub created_at: DateTime<Utc>,
    /// When it ended, if it did.
    pub ended_at: Option<DateTime<Utc>>,
}

impl From<&StoredSubscription> for SubscriptionView {
    fn from(s: &StoredSubscription) -> Self {
        SubscriptionView {
            id: s.subscription.id.clone(),
            agency: s.subscription.agency.clone(),
            channel: s.subscription.channel.as_str().to_owned(),
            address: s.subscription.address.clone(),
            created_at: s.created_at,
            ended_at: s.ended_at,
        }
    }
}

// ---------------------------------------------------------------------------------------
// Tasks: the list and assignment

/// Filters of the task list.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TaskListFilter {
    /// Which of the caller's agency's tasks: `leading` (the default: its inbox), `assigned`,
    /// `coordinating`, `below` (the agencies under it) or `all` it may read. Inspectors and
    /// administrators see every task within their scope whatever the view.
    #[param(example = "leading")]
    pub view: Option<String>,
    /// Only this status now: `done_on_time`, `done_late`, `open_within_time`,
    /// `open_overdue`.
    pub status: Option<String>,
    /// Only tasks of this plan (a steering document's id).
    pub plan: Option<String>,
    /// Only tasks from this steering document.
    pub source: Option<String>,
    /// Only sub-tasks of this task.
    pub parent: Option<String>,
    /// Only tasks led by this agency, or by an agency within this administrative unit.
    pub unit: Option<String>,
    /// `true`: only tasks awaiting the assigner's decision (an extension or a completion).
    #[param(value_type = Option<bool>)]
    pub awaiting_assigner: Option<String>,
    /// `true`: only cancelled tasks; `false`: none; absent: both.
    #[param(value_type = Option<bool>)]
    pub cancelled: Option<String>,
}

fn task_status(field: &str, text: &Option<String>) -> Result<Option<TaskStatus>, ApiError> {
    given(text)
        .map(|t| {
            TaskStatus::parse(t).ok_or_else(|| {
                let all = TaskStatus::ALL.map(TaskStatus::as_str).join(", ");
                invalid(
                    field,
                    &format!("trạng thái «{t}» không tồn tại; dùng: {all}"),
                    &format!("no status “{t}”; use: {all}"),
                )
            })
        })
        .transpose()
}

/// The tasks the caller may read.
///
/// Staff: their agency's tasks as `view` says; inspectors: those led within their unit;
/// system administrators: all. Overdue first, then by deadline.
#[utoipa::path(
    get,
    path = "/tasks",
    tag = "tasks",
    operation_id = "list_tasks",
    params(TaskListFilter, PageParams),
    responses(
        (status = 200, description = "A page of tasks", body = Page<TaskSummary>),
        (status = 401, description = "No credential", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Scope `tasks:read` missing, or the role reads no task", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A filter is invalid (an unknown view, status or unit); `field` names it", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["tasks:read"]), ("session" = [])),
)]
pub async fn list_tasks(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiQuery(filter): ApiQuery<TaskListFilter>,
    ApiQuery(page): ApiQuery<PageParams>,
) -> Result<Json<Page<TaskSummary>>, ApiError> {
    caller.require_scope(ApiScope::TasksRead)?;
    let paging = page.paging(MAX_LIMIT)?;
    let view = match given(&filter.view) {
        None => steering::TaskView::default(),
        Some(text) => steering::TaskView::parse(text).ok_or_else(|| {
            let all = steering::TaskView::ALL
                .map(steering::TaskView::as_str)
                .join(", ");
            invalid(
                "view",
                &format!("cách xem «{text}» không tồn tại; dùng: {all}"),
                &format!("no view “{text}”; use: {all}"),
            )
        })?,
    };
    let base = TaskFilter {
        view,
        status: task_status("status", &filter.status)?,
        cancelled: flag("cancelled", &filter.cancelled)?,
        awaiting_assigner: flag("awaiting_assigner", &filter.awaiting_assigner)?.unwrap_or(false),
        plan: given(&filter.plan).map(str::to_owned),
        source: given(&filter.source).map(str::to_owned),
        parent: given(&filter.parent).map(str::to_owned),
        lead_within: given(&filter.unit).map(str::to_owned),
        page: 1,
        per_page: paging.limit,
    };
    let services = &state.services;
    let acting = &caller.acting;
    let (tasks, total) = window(paging, |page, per_page| {
        let filter = TaskFilter {
            page,
            per_page,
            ..base.clone()
        };
        async move {
            // The one input the service can find unknown here is the unit.
            let found = services
                .tasks_for(acting, &filter)
                .await
                .map_err(naming("unit"))?;
            Ok((found.tasks, found.total))
        }
    })
    .await?;
    let items = tasks.iter().map(TaskSummary::listed).collect();
    Ok(Json(page_of(paging, items, total)))
}

/// How urgent a new task is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PriorityInput {
    /// Ordinary (thường).
    #[default]
    Normal,
    /// Important (quan trọng).
    High,
    /// Urgent (khẩn).
    Urgent,
}

impl From<PriorityInput> for Priority {
    fn from(p: PriorityInput) -> Priority {
        match p {
            PriorityInput::Normal => Priority::Normal,
            PriorityInput::High => Priority::High,
            PriorityInput::Urgent => Priority::Urgent,
        }
    }
}

/// How often a task recurs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum FrequencyInput {
    /// Every month (hằng tháng).
    Monthly,
    /// Every quarter (hằng quý), in the quarter's last month.
    Quarterly,
}

/// A recurrence: one task per period, each with its deadline on `day`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RecurrenceInput {
    /// Monthly or quarterly.
    pub frequency: FrequencyInput,
    /// The day of the month deadlines fall on (1–31; a shorter month ends on its last day).
    #[schema(minimum = 1, maximum = 31)]
    pub day: u8,
    /// No deadline before this date (`YYYY-MM-DD`).
    #[schema(value_type = String, format = Date, example = "2027-01-01")]
    pub from: String,
    /// No deadline after this date (`YYYY-MM-DD`); at most 60 periods.
    #[schema(value_type = String, format = Date, example = "2027-12-31")]
    pub until: String,
}

/// A task to assign, in the name of the caller's agency.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewTaskRequest {
    /// Title (at most 300 characters).
    #[schema(example = "Hoàn thành số hóa sổ hộ tịch")]
    pub title: String,
    /// What is to be done.
    #[serde(default)]
    pub content: String,
    /// The lead agency's identifier code (not the caller's own).
    #[schema(example = "000.00.11.H05")]
    pub lead: String,
    /// The coordinating agencies' codes.
    #[serde(default)]
    pub coordinators: Vec<String>,
    /// The deadline (`YYYY-MM-DD`, today or later); required unless `recurrence` is given
    /// (each period then has its own).
    #[schema(value_type = Option<String>, format = Date, example = "2026-12-31")]
    pub deadline: Option<String>,
    /// The output expected, e.g. "Báo cáo kết quả".
    #[serde(default)]
    pub output: String,
    /// `normal` (default), `high` or `urgent`.
    #[serde(default)]
    pub priority: PriorityInput,
    /// The plan or programme it belongs to (a steering document of kind `plan` or
    /// `decision`).
    pub plan: Option<String>,
    /// The steering document it comes from (a conclusion, plan, directive…).
    pub source: Option<String>,
    /// The task it is split from: the caller's agency must lead it; the deadline may not
    /// be later than the parent's.
    pub parent: Option<String>,
    /// Monthly or quarterly: one task per period, created together.
    pub recurrence: Option<RecurrenceInput>,
}

/// The use case's task for `body`, assigned by `assigner`.
fn new_task(assigner: String, body: NewTaskRequest) -> Result<NewTask, ApiError> {
    let optional = |s: Option<String>| s.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty());
    let recurrence = match &body.recurrence {
        None => None,
        Some(r) => Some(Recurrence {
            frequency: match r.frequency {
                FrequencyInput::Monthly => Frequency::Monthly,
                FrequencyInput::Quarterly => Frequency::Quarterly,
            },
            day: r.day,
            from: date("recurrence.from", &r.from)?,
            until: date("recurrence.until", &r.until)?,
        }),
    };
    let deadline = match (given(&body.deadline), recurrence) {
        (Some(text), _) => date("deadline", text)?,
        // A series' tasks take their periods' deadlines; this one only bounds a sub-task's.
        (None, Some(r)) => r.until,
        (None, None) => {
            return Err(invalid(
                "deadline",
                "hãy cho biết thời hạn (YYYY-MM-DD)",
                "give the deadline (YYYY-MM-DD)",
            ));
        }
    };
    let lead = agency_code("lead", &body.lead)?;
    let coordinators = body
        .coordinators
        .iter()
        .enumerate()
        .filter(|(_, c)| !c.trim().is_empty())
        .map(|(i, c)| agency_code(&format!("coordinators[{i}]"), c))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(NewTask {
        assignment: Assignment {
            title: body.title,
            content: body.content,
            assigner,
            lead,
            coordinators,
            deadline,
            output: body.output,
            priority: body.priority.into(),
            plan: optional(body.plan),
            source: optional(body.source),
            parent: optional(body.parent),
            series: None,
        },
        recurrence,
    })
}

/// Assign a task.
///
/// In the name of the caller's agency (its leaders; a sub-task by the parent's lead
/// agency). With `recurrence`, one task per period is created, each reported and counted on
/// its own. The lead agency's subscriptions hear of it.
#[utoipa::path(
    post,
    path = "/tasks",
    tag = "tasks",
    operation_id = "create_task",
    request_body = NewTaskRequest,
    responses(
        (status = 201, description = "The tasks created: one, or one per period of a recurrence", body = Vec<TaskSummary>),
        (status = 400, description = "The body is not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No credential", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Scope `tasks:write` missing, or the role may not assign tasks", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field is invalid (a missing title, a deadline passed, an unknown agency, plan or parent…); `field` names it", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["tasks:write"]), ("session" = [])),
)]
pub async fn create_task(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiJson(body): ApiJson<NewTaskRequest>,
) -> Result<(StatusCode, Json<Vec<TaskSummary>>), ApiError> {
    caller.require_scope(ApiScope::TasksWrite)?;
    let assigner = own_agency(&caller)?;
    let new = new_task(assigner, body)?;
    let created = state
        .services
        .assign_task(&caller.acting, new)
        .await
        // The domain checks a recurrence's fields by their own names.
        .map_err(|e| {
            renaming(
                e,
                &[
                    ("day", "recurrence.day"),
                    ("from", "recurrence.from"),
                    ("until", "recurrence.until"),
                ],
            )
        })?;
    let now = state.services.now();
    let tasks = created
        .iter()
        .map(|t| TaskSummary::of(t, motcua_domain::task::classify(t, now), false, None))
        .collect();
    Ok((StatusCode::CREATED, Json(tasks)))
}

// ---------------------------------------------------------------------------------------
// One task

/// One task.
///
/// Its status now, due instant, progress, sub-tasks and their roll-up, parent, series,
/// history and what the caller may do. A task the caller may not read answers `404`, as an
/// unknown id does.
#[utoipa::path(
    get,
    path = "/tasks/{id}",
    tag = "tasks",
    operation_id = "find_task",
    params(("id" = String, Path, description = "The task's id", example = "NV-2026-00042")),
    responses(
        (status = 200, description = "The task", body = TaskDetailView),
        (status = 401, description = "No credential", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Scope `tasks:read` missing, or the role reads no task", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Unknown, or out of the caller's reach", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["tasks:read"]), ("session" = [])),
)]
pub async fn find_task(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
) -> Result<Json<TaskDetailView>, ApiError> {
    caller.require_scope(ApiScope::TasksRead)?;
    let detail = state.services.task_for(&caller.acting, id.trim()).await?;
    Ok(Json(TaskDetailView::of(detail, state.services.now())))
}

/// What to do with a task.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TaskAction {
    /// The lead agency reports progress (`percent`, `text`, `files`).
    Progress,
    /// The lead agency asks for a later deadline (`until`, `reason`).
    RequestExtension,
    /// The assigner grants or refuses the extension asked for (`granted`, `note` required
    /// when refused).
    DecideExtension,
    /// The lead agency reports the task done (`text`, `files`).
    ReportCompletion,
    /// The assigner accepts the completion or returns it (`accepted`, `note` required when
    /// returned).
    DecideCompletion,
    /// The assigner withdraws the task (`reason`).
    Cancel,
}

impl TaskAction {
    fn as_str(self) -> &'static str {
        match self {
            TaskAction::Progress => "progress",
            TaskAction::RequestExtension => "request_extension",
            TaskAction::DecideExtension => "decide_extension",
            TaskAction::ReportCompletion => "report_completion",
            TaskAction::DecideCompletion => "decide_completion",
            TaskAction::Cancel => "cancel",
        }
    }

    /// The optional fields of the body the action reads.
    fn fields(self) -> &'static [&'static str] {
        match self {
            TaskAction::Progress => &["percent", "text", "files"],
            TaskAction::RequestExtension => &["until", "reason"],
            TaskAction::DecideExtension => &["granted", "note"],
            TaskAction::ReportCompletion => &["text", "files"],
            TaskAction::DecideCompletion => &["accepted", "note"],
            TaskAction::Cancel => &["reason"],
        }
    }
}

/// A file of a report, uploaded first with `POST /files`: its `sha256`, or the `sha256`
/// with the name to show.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(untagged)]
pub enum TaskFileInput {
    /// The `sha256` `POST /files` answered; the file is then named by its hash.
    Sha256(String),
    /// The `sha256` and the file's name as it should be shown.
    Named {
        /// The `sha256` `POST /files` answered.
        sha256: String,
        /// The file's name.
        name: String,
    },
}

/// A step on a task at the version it was based on. `action` says which; the other fields
/// are those of the action (a field the action does not read is refused).
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TaskActionRequest {
    /// The step.
    pub action: TaskAction,
    /// The task's `version` the caller read; another change since gives `409`.
    pub expected_version: i64,
    /// `progress`: how far, in per cent (0–100).
    #[schema(minimum = 0, maximum = 100)]
    pub percent: Option<u8>,
    /// `progress`: what was done; `report_completion`: the result.
    pub text: Option<String>,
    /// `request_extension`: the deadline asked for (`YYYY-MM-DD`, after the current one).
    #[schema(value_type = Option<String>, format = Date, example = "2027-01-31")]
    pub until: Option<String>,
    /// `request_extension`: why; `cancel`: why.
    pub reason: Option<String>,
    /// `decide_extension`: granted (the deadline moves) or refused.
    pub granted: Option<bool>,
    /// `decide_completion`: accepted (the task is done) or returned.
    pub accepted: Option<bool>,
    /// `decide_extension`, `decide_completion`: the assigner's note (required to refuse or
    /// return).
    pub note: Option<String>,
    /// `progress`, `report_completion`: files uploaded first with `POST /files` (at most 10).
    pub files: Option<Vec<TaskFileInput>>,
}

/// The names of the optional fields `body` carries.
fn given_fields(body: &TaskActionRequest) -> Vec<&'static str> {
    [
        ("percent", body.percent.is_some()),
        ("text", body.text.is_some()),
        ("until", body.until.is_some()),
        ("reason", body.reason.is_some()),
        ("granted", body.granted.is_some()),
        ("accepted", body.accepted.is_some()),
        ("note", body.note.is_some()),
        ("files", body.files.is_some()),
    ]
    .into_iter()
    .filter_map(|(name, present)| present.then_some(name))
    .collect()
}

fn required<T>(field: &str, action: TaskAction, value: Option<T>) -> Result<T, ApiError> {
    value.ok_or_else(|| {
        invalid(
            field,
            &format!("thao tác {} cần trường này", action.as_str()),
            &format!("the action {} needs this field", action.as_str()),
        )
    })
}

/// The files of a report, looked up among the uploads; every one missing is named.
async fn report_files(
    state: &AppState,
    files: Option<Vec<TaskFileInput>>,
) -> Result<Vec<FileRef>, ApiError> {
    let files = files.unwrap_or_default();
    if files.len() > MAX_FILES {
        return Err(invalid(
            "files",
            &format!("tối đa {MAX_FILES} tệp mỗi lần báo cáo"),
            &format!("at most {MAX_FILES} files per report"),
        ));
    }
    let mut found = Vec::with_capacity(files.len());
    let mut missing = Vec::new();
    for (i, file) in files.into_iter().enumerate() {
        let (sha256, name) = match file {
            TaskFileInput::Sha256(sha256) => (sha256, None),
            TaskFileInput::Named { sha256, name } => (sha256, Some(name)),
        };
        // Hashes are kept in lower case; a client may well print them in upper case.
        let sha256 = sha256.trim().to_ascii_lowercase();
        match uploaded(state, &sha256, name.as_deref().unwrap_or_default()).await? {
            Some(mut file) => {
                if name.as_deref().is_none_or(|n| n.trim().is_empty()) {
                    // Named by its hash and type, the only things the store knows of it.
                    let extension = match file.media_type.as_str() {
                        "application/pdf" => "pdf",
                        "image/jpeg" => "jpg",
                        "image/png" => "png",
                        _ => "bin",
                    };
                    file.name =
                        format!("{}.{extension}", &file.sha256[..12.min(file.sha256.len())]);
                }
                found.push(file);
            }
            None => missing.push(format!("files[{i}]")),
        }
    }
    if let Some(first) = missing.first() {
        let message = missing
            .iter()
            .map(|f| {
                format!(
                    "{f}: không có tệp này; hãy tải lên bằng POST /files trước / no such file; upload it with POST /files first"
                )
            })
            .collect::<Vec<_>>()
            .join("; ");
        return Err(ApiError(AppError::Invalid {
            message,
            field: Some(first.clone()),
        }));
    }
    Ok(found)
}

/// The domain's command for `body`, its fields checked against its action.
async fn task_command(state: &AppState, body: TaskActionRequest) -> Result<TaskCommand, ApiError> {
    let action = body.action;
    if let Some(extra) = given_fields(&body)
        .into_iter()
        .find(|f| !action.fields().contains(f))
    {
        return Err(invalid(
            extra,
            &format!("thao tác {} không dùng trường này", action.as_str()),
            &format!("the action {} does not take this field", action.as_str()),
        ));
    }
    // Texts left out are passed empty: the domain names the field when one is required.
    Ok(match action {
        TaskAction::Progress => TaskCommand::ReportProgress {
            percent: required("percent", action, body.percent)?,
            text: body.text.unwrap_or_default(),
            files: report_files(state, body.files).await?,
        },
        TaskAction::RequestExtension => TaskCommand::RequestExtension {
            until: date("until", &required("until", action, body.until)?)?,
            reason: body.reason.unwrap_or_default(),
        },
        TaskAction::DecideExtension => TaskCommand::DecideExtension {
            granted: required("granted", action, body.granted)?,
            note: body.note.unwrap_or_default(),
        },
        TaskAction::ReportCompletion => TaskCommand::ReportCompletion {
            text: body.text.unwrap_or_default(),
            files: report_files(state, body.files).await?,
        },
        TaskAction::DecideCompletion => TaskCommand::DecideCompletion {
            accepted: required("accepted", action, body.accepted)?,
            note: body.note.unwrap_or_default(),
        },
        TaskAction::Cancel => TaskCommand::Cancel {
            reason: body.reason.unwrap_or_default(),
        },
    })
}

/// Take a step on a task.
///
/// The lead agency reports (progress, an extension asked, completion, with files uploaded
/// first through `POST /files`); the assigning agency's leaders decide or cancel — as the
/// task's page does, at the version the caller read: a change in between answers `409` and
/// changes nothing. A step the task's state does not allow answers `422 refused`.
#[utoipa::path(
    post,
    path = "/tasks/{id}/actions",
    tag = "tasks",
    operation_id = "act_on_task",
    params(("id" = String, Path, description = "The task's id")),
    request_body = TaskActionRequest,
    responses(
        (status = 200, description = "The task after the step", body = TaskDetailView),
        (status = 400, description = "The body is not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No credential", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Scope `tasks:write` missing, or the caller's agency and role may not take this step", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Unknown, or out of the caller's reach", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The task changed since `expected_version`", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field is invalid (`field` names it) or the task's state refuses the step (`code: refused`)", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["tasks:write"]), ("session" = [])),
)]
pub async fn act_on_task(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<TaskActionRequest>,
) -> Result<Json<TaskDetailView>, ApiError> {
    caller.require_scope(ApiScope::TasksWrite)?;
    let id = id.trim();
    // Out of reach is "not found" before anything else, as on the task's page.
    state.services.task_visible(&caller.acting, id).await?;
    let expected_version = body.expected_version;
    let command = task_command(&state, body).await?;
    state
        .services
        .act_on_task(&caller.acting, id, Some(expected_version), command)
        .await?;
    let detail = state.services.task_for(&caller.acting, id).await?;
    Ok(Json(TaskDetailView::of(detail, state.services.now())))
}

/// Download a file of a task's reports.
///
/// Served to whoever may read the task, with its media type and its name in
/// `Content-Disposition`; the files are those listed in the history's reports.
#[utoipa::path(
    get,
    path = "/tasks/{id}/files/{sha256}",
    tag = "tasks",
    operation_id = "find_task_file",
    params(
        ("id" = String, Path, description = "The task's id"),
        ("sha256" = String, Path, description = "The file's `sha256`, as a report lists it"),
    ),
    responses(
        (status = 200, description = "The file's bytes",
            content(("application/pdf"), ("image/jpeg"), ("image/png")),
            headers(("Content-Disposition" = String, description = "`attachment` with the file's name (`filename*` in UTF-8)"))),
        (status = 401, description = "No credential", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Scope `tasks:read` missing", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Unknown task or file, or out of the caller's reach", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["tasks:read"]), ("session" = [])),
)]
pub async fn find_task_file(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path((id, sha256)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    caller.require_scope(ApiScope::TasksRead)?;
    let sha256 = sha256.trim().to_ascii_lowercase();
    let (file, bytes) = state
        .services
        .task_file(&caller.acting, id.trim(), &sha256)
        .await?;
    Ok(file_response(&file, bytes))
}

// ---------------------------------------------------------------------------------------
// Figures

/// The unit and period of the task figures.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TaskFiguresParams {
    /// An agency's identifier code, or an administrative unit's code (its agencies as
    /// leads). Default: the caller's agency.
    #[param(example = "24")]
    pub unit: Option<String>,
    /// `YYYY-MM` (a month, the default: the current one), `YYYY-Qn`, `YYYY` or
    /// `YYYY-MM..YYYY-MM`.
    #[param(example = "2026-Q4")]
    pub period: Option<String>,
}

/// The unit and period asked for, checked.
fn unit_and_period(
    state: &AppState,
    caller: &ApiCaller,
    params: &TaskFiguresParams,
) -> Result<(String, Period), ApiError> {
    let unit = given(&params.unit)
        .or_else(|| caller.agency())
        .map(str::to_owned)
        .ok_or_else(|| {
            invalid(
                "unit",
                "hãy cho biết mã cơ quan hay đơn vị hành chính",
                "give an agency's or an administrative unit's code",
            )
        })?;
    let current = state.services.current_month();
    let period = match given(&params.period) {
        None => Period::month(current),
        Some(asked) => asked.parse::<Period>().map_err(|_| {
            invalid(
                "period",
                &format!(
                    "kỳ «{asked}» phải có dạng YYYY-MM (tháng), YYYY-Qn (quý), YYYY (năm) hoặc YYYY-MM..YYYY-MM"
                ),
                &format!(
                    "the period “{asked}” must read YYYY-MM (month), YYYY-Qn (quarter), YYYY (year) or YYYY-MM..YYYY-MM"
                ),
            )
        })?,
    };
    // Checked here as well as in the service so that the problem names `period`: the
    // service's message for it names no field, as its message for an unknown unit does not.
    if period.first() > current {
        return Err(invalid(
            "period",
            &format!("kỳ {period} ({}) chưa bắt đầu", period.label_vi()),
            &format!("the period {period} ({}) has not begun", period.label_en()),
        ));
    }
    Ok((unit, period))
}

/// Task figures of a unit.
///
/// The tasks its lead agencies had live in the period (assigned before its end, not
/// cancelled by then, not done before its start), each classified at the period's end or
/// now while it runs: the four counts and their rates (each ÷ tasks assigned), in all, by
/// lead agency and by plan. The caller must read the unit's statistics (its leaders,
/// inspectors within it, system administrators).
#[utoipa::path(
    get,
    path = "/tasks/statistics",
    tag = "tasks",
    operation_id = "find_task_statistics",
    params(TaskFiguresParams),
    responses(
        (status = 200, description = "The figures", body = TaskStatisticsView),
        (status = 401, description = "No credential", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Scope `tasks:read` missing, or the unit's statistics are not the caller's to read", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`unit` unknown or missing, or `period` malformed or not begun", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["tasks:read"]), ("session" = [])),
)]
pub async fn find_task_statistics(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiQuery(params): ApiQuery<TaskFiguresParams>,
) -> Result<Json<TaskStatisticsView>, ApiError> {
    caller.require_scope(ApiScope::TasksRead)?;
    let (unit, period) = unit_and_period(&state, &caller, &params)?;
    let figures = state
        .services
        .task_figures(&caller.acting, &unit, period)
        .await
        .map_err(naming("unit"))?;
    Ok(Json((&figures).into()))
}

/// Which tasks behind a figure.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FigureTasksParams {
    /// Only those of this plan (a document's id); `none` for tasks of no plan.
    pub plan: Option<String>,
    /// Only those with this status in the period: `done_on_time`, `done_late`,
    /// `open_within_time`, `open_overdue`.
    pub status: Option<String>,
}

/// The tasks behind a figure.
///
/// The tasks `GET /tasks/statistics` counts for the same unit and period, narrowed to a
/// plan and a status, each with the status it counts with.
#[utoipa::path(
    get,
    path = "/tasks/statistics/tasks",
    tag = "tasks",
    operation_id = "list_tasks_behind_figure",
    params(TaskFiguresParams, FigureTasksParams, PageParams),
    responses(
        (status = 200, description = "A page of the tasks counted", body = Page<TaskSummary>),
        (status = 401, description = "No credential", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Scope `tasks:read` missing, or the unit's statistics are not the caller's to read", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A parameter is invalid; `field` names it", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["tasks:read"]), ("session" = [])),
)]
pub async fn list_tasks_behind_figure(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiQuery(params): ApiQuery<TaskFiguresParams>,
    ApiQuery(figure): ApiQuery<FigureTasksParams>,
    ApiQuery(page): ApiQuery<PageParams>,
) -> Result<Json<Page<TaskSummary>>, ApiError> {
    caller.require_scope(ApiScope::TasksRead)?;
    let paging = page.paging(MAX_LIMIT)?;
    let (unit, period) = unit_and_period(&state, &caller, &params)?;
    let status = task_status("status", &figure.status)?;
    let plan = given(&figure.plan).map(|p| if p == "none" { "" } else { p });
    let tasks = state
        .services
        .tasks_behind_figure(&caller.acting, &unit, period, plan, status)
        .await
        .map_err(naming("unit"))?;
    let total = tasks.len() as u64;
    let (items, next) = paging.slice(tasks);
    Ok(Json(Page {
        items: items.iter().map(TaskSummary::listed).collect(),
        next,
        total,
    }))
}

// ---------------------------------------------------------------------------------------
// Meetings and steering documents

/// The meetings the caller may read.
///
/// Those of its province or ministry and those it took part in (every one within scope for
/// administrators and inspectors), latest first.
#[utoipa::path(
    get,
    path = "/meetings",
    tag = "tasks",
    operation_id = "list_meetings",
    params(PageParams),
    responses(
        (status = 200, description = "A page of meetings", body = Page<MeetingView>),
        (status = 401, description = "No credential", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Scope `tasks:read` missing, or the role reads no steering", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`limit` or `cursor` is invalid", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["tasks:read"]), ("session" = [])),
)]
pub async fn list_meetings(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiQuery(page): ApiQuery<PageParams>,
) -> Result<Json<Page<MeetingView>>, ApiError> {
    caller.require_scope(ApiScope::TasksRead)?;
    let paging = page.paging(MAX_LIMIT)?;
    let services = &state.services;
    let acting = &caller.acting;
    let (meetings, total) = window(paging, |page, per_page| async move {
        Ok(services.meetings_for(acting, page, per_page).await?)
    })
    .await?;
    let items = meetings.iter().map(MeetingView::from).collect();
    Ok(Json(page_of(paging, items, total)))
}

/// A meeting to record, held by the caller's agency.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewMeetingRequest {
    /// The body that met.
    #[schema(example = "Ban Chỉ đạo cải cách hành chính tỉnh Bắc Ninh")]
    pub body: String,
    /// Title.
    #[schema(example = "Phiên họp quý IV năm 2026")]
    pub title: String,
    /// The day it was held (`YYYY-MM-DD`).
    #[schema(value_type = String, format = Date, example = "2026-11-20")]
    pub date: String,
    /// Who chaired it.
    pub chair: String,
    /// The participating agencies' codes.
    #[serde(default)]
    pub participants: Vec<String>,
    /// Where.
    #[serde(default)]
    pub location: String,
    /// What was discussed.
    #[serde(default)]
    pub summary: String,
}

/// Record a meeting.
///
/// Held by the caller's agency (its leaders and specialists record it); its id is
/// allocated. Its conclusions are recorded next with `POST /steering-documents`.
#[utoipa::path(
    post,
    path = "/meetings",
    tag = "tasks",
    operation_id = "create_meeting",
    request_body = NewMeetingRequest,
    responses(
        (status = 201, description = "The meeting, as recorded", body = MeetingView),
        (status = 400, description = "The body is not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No credential", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Scope `tasks:write` missing, or the role may not record steering", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field is missing or invalid (an unknown participant…); `field` names it", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["tasks:write"]), ("session" = [])),
)]
pub async fn create_meeting(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiJson(body): ApiJson<NewMeetingRequest>,
) -> Result<(StatusCode, Json<MeetingView>), ApiError> {
    caller.require_scope(ApiScope::TasksWrite)?;
    let host = own_agency(&caller)?;
    let participants = body
        .participants
        .iter()
        .enumerate()
        .filter(|(_, p)| !p.trim().is_empty())
        .map(|(i, p)| agency_code(&format!("participants[{i}]"), p))
        .collect::<Result<Vec<_>, _>>()?;
    let meeting = Meeting {
        id: String::new(),
        host,
        body: body.body,
        title: body.title,
        date: date("date", &body.date)?,
        chair: body.chair,
        participants,
        location: body.location,
        summary: body.summary,
    };
    let recorded = state
        .services
        .record_meeting(&caller.acting, meeting)
        .await?;
    Ok((StatusCode::CREATED, Json((&recorded).into())))
}

/// One meeting, with the documents recorded from it.
#[utoipa::path(
    get,
    path = "/meetings/{id}",
    tag = "tasks",
    operation_id = "find_meeting",
    params(("id" = String, Path, description = "The meeting's id", example = "HOP-2026-0003")),
    responses(
        (status = 200, description = "The meeting", body = MeetingDetailView),
        (status = 401, description = "No credential", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Scope `tasks:read` missing", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Unknown, or out of the caller's reach", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["tasks:read"]), ("session" = [])),
)]
pub async fn find_meeting(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
) -> Result<Json<MeetingDetailView>, ApiError> {
    caller.require_scope(ApiScope::TasksRead)?;
    let detail = state
        .services
        .meeting_for(&caller.acting, id.trim())
        .await?;
    Ok(Json(MeetingDetailView {
        meeting: (&detail.meeting).into(),
        documents: detail.documents.iter().map(Into::into).collect(),
    }))
}

/// Filters of the steering documents.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SteeringDocumentFilter {
    /// `true`: only plans and programmes' decisions (what tasks may belong to).
    #[param(value_type = Option<bool>)]
    pub plans_only: Option<String>,
}

/// The steering documents the caller may read, latest first.
#[utoipa::path(
    get,
    path = "/steering-documents",
    tag = "tasks",
    operation_id = "list_steering_documents",
    params(SteeringDocumentFilter, PageParams),
    responses(
        (status = 200, description = "A page of documents", body = Page<SteeringDocumentView>),
        (status = 401, description = "No credential", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Scope `tasks:read` missing, or the role reads no steering", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A parameter is invalid; `field` names it", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["tasks:read"]), ("session" = [])),
)]
pub async fn list_steering_documents(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiQuery(filter): ApiQuery<SteeringDocumentFilter>,
    ApiQuery(page): ApiQuery<PageParams>,
) -> Result<Json<Page<SteeringDocumentView>>, ApiError> {
    caller.require_scope(ApiScope::TasksRead)?;
    let paging = page.paging(MAX_LIMIT)?;
    let plans_only = flag("plans_only", &filter.plans_only)?.unwrap_or(false);
    let documents = state
        .services
        .steering_documents_for(&caller.acting, plans_only)
        .await?;
    let total = documents.len() as u64;
    let (items, next) = paging.slice(documents);
    Ok(Json(Page {
        items: items.iter().map(Into::into).collect(),
        next,
        total,
    }))
}

/// The kind of a steering document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DocumentKindInput {
    /// A meeting's conclusion (thông báo kết luận).
    Conclusion,
    /// A plan (kế hoạch).
    Plan,
    /// A directive (chỉ thị).
    Directive,
    /// A decision, e.g. approving a programme (quyết định).
    Decision,
}

/// A steering document to record, followed up by the caller's agency.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewSteeringDocumentRequest {
    /// Conclusion, plan, directive or decision.
    pub kind: DocumentKindInput,
    /// Its number as printed.
    #[schema(example = "125/TB-UBND")]
    pub number: String,
    /// The day it was signed (`YYYY-MM-DD`).
    #[schema(value_type = String, format = Date, example = "2026-11-21")]
    pub date: String,
    /// The body that issued it, as printed.
    #[schema(example = "Ủy ban nhân dân tỉnh Bắc Ninh")]
    pub issuer: String,
    /// Title (trích yếu).
    pub title: String,
    /// What it says, in short.
    #[serde(default)]
    pub summary: String,
    /// The meeting it concludes (its id).
    pub meeting: Option<String>,
    /// Publish the results of the tasks belonging to it (as a plan) on the public monthly
    /// results.
    #[serde(default)]
    pub public_results: bool,
}

/// Record a steering document.
///
/// Followed up by the caller's agency (its leaders and specialists record it); its id is
/// allocated. Tasks name it as their `source`, or as their `plan` when it is a plan or a
/// programme's decision.
#[utoipa::path(
    post,
    path = "/steering-documents",
    tag = "tasks",
    operation_id = "create_steering_document",
    request_body = NewSteeringDocumentRequest,
    responses(
        (status = 201, description = "The document, as recorded", body = SteeringDocumentView),
        (status = 400, description = "The body is not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No credential", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Scope `tasks:write` missing, or the role may not record steering", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field is missing or invalid (an unknown meeting…); `field` names it", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["tasks:write"]), ("session" = [])),
)]
pub async fn create_steering_document(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiJson(body): ApiJson<NewSteeringDocumentRequest>,
) -> Result<(StatusCode, Json<SteeringDocumentView>), ApiError> {
    caller.require_scope(ApiScope::TasksWrite)?;
    let owner = own_agency(&caller)?;
    let document = SteeringDocument {
        id: String::new(),
        owner,
        kind: match body.kind {
            DocumentKindInput::Conclusion => DocumentKind::Conclusion,
            DocumentKindInput::Plan => DocumentKind::Plan,
            DocumentKindInput::Directive => DocumentKind::Directive,
            DocumentKindInput::Decision => DocumentKind::Decision,
        },
        number: body.number,
        date: date("date", &body.date)?,
        issuer: body.issuer,
        title: body.title,
        summary: body.summary,
        meeting: body.meeting,
        public_results: body.public_results,
    };
    let recorded = state
        .services
        .record_steering_document(&caller.acting, document)
        .await?;
    Ok((StatusCode::CREATED, Json((&recorded).into())))
}

/// One steering document, its meeting, and its tasks the caller may read with their
/// counts now.
#[utoipa::path(
    get,
    path = "/steering-documents/{id}",
    tag = "tasks",
    operation_id = "find_steering_document",
    params(("id" = String, Path, description = "The document's id", example = "VB-2026-0012")),
    responses(
        (status = 200, description = "The document", body = SteeringDocumentDetailView),
        (status = 401, description = "No credential", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Scope `tasks:read` missing", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Unknown, or out of the caller's reach", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["tasks:read"]), ("session" = [])),
)]
pub async fn find_steering_document(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
) -> Result<Json<SteeringDocumentDetailView>, ApiError> {
    caller.require_scope(ApiScope::TasksRead)?;
    let detail = state
        .services
        .steering_document_for(&caller.acting, id.trim())
        .await?;
    Ok(Json(SteeringDocumentDetailView {
        document: (&detail.document).into(),
        meeting_detail: detail.meeting.as_ref().map(Into::into),
        tasks: detail.tasks.iter().map(TaskSummary::listed).collect(),
        counts: (&detail.counts).into(),
    }))
}

// ---------------------------------------------------------------------------------------
// Notifications

/// Filters of the notifications.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct NotificationFilter {
    /// Only those about this task (for whoever may read it).
    pub task: Option<String>,
    /// Only those with this delivery status: `pending`, `delivered`, `abandoned`.
    pub status: Option<String>,
    /// Only those for this agency (system administrators; an agency's own are always its).
    pub agency: Option<String>,
}

/// Task news sent by e-mail and webhook, newest first.
///
/// With `task`, that task's (for whoever reads it); otherwise those of the agencies the
/// caller manages (its agency's administrators; every agency's for system administrators):
/// what was sent, what failed and why.
#[utoipa::path(
    get,
    path = "/notifications",
    tag = "tasks",
    operation_id = "list_notifications",
    params(NotificationFilter, PageParams),
    responses(
        (status = 200, description = "A page of notifications", body = Page<NotificationView>),
        (status = 401, description = "No credential", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Scope `tasks:read` missing, or the caller manages no notifications", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`task` unknown or out of the caller's reach", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A filter is invalid; `field` names it", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["tasks:read"]), ("session" = [])),
)]
pub async fn list_notifications(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiQuery(filter): ApiQuery<NotificationFilter>,
    ApiQuery(page): ApiQuery<PageParams>,
) -> Result<Json<Page<NotificationView>>, ApiError> {
    caller.require_scope(ApiScope::TasksRead)?;
    let paging = page.paging(MAX_LIMIT)?;
    let status = given(&filter.status)
        .map(|t| {
            DeliveryStatus::parse(t)
                .map(|s| s.as_str().to_owned())
                .ok_or_else(|| {
                    invalid(
                        "status",
                        &format!(
                            "trạng thái «{t}» không tồn tại; dùng: pending, delivered, abandoned"
                        ),
                        &format!("no status “{t}”; use: pending, delivered, abandoned"),
                    )
                })
        })
        .transpose()?;
    let query = NotificationQuery {
        agency: given(&filter.agency).map(str::to_owned),
        task: given(&filter.task).map(str::to_owned),
        status,
        limit: i64::from(paging.limit),
        offset: i64::try_from(paging.offset).unwrap_or(i64::MAX),
    };
    let (rows, total) = state
        .services
        .notifications_for(&caller.acting, query)
        .await?;
    let total = u64::try_from(total).unwrap_or(0);
    let items = rows.iter().map(NotificationView::from).collect();
    Ok(Json(page_of(paging, items, total)))
}

/// Queue again a notification that was given up.
///
/// After the address was mended: its delivery starts over. Only a notification given up
/// may be retried (`422 refused` otherwise).
#[utoipa::path(
    post,
    path = "/notifications/{id}/retry",
    tag = "tasks",
    operation_id = "retry_notification",
    params(("id" = String, Path, description = "The notification's id")),
    responses(
        (status = 200, description = "The notification, queued again", body = NotificationView),
        (status = 401, description = "No credential", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Scope `tasks:write` missing, or the caller does not manage the agency's notifications", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Unknown", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Not given up (`code: refused`)", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["tasks:write"]), ("session" = [])),
)]
pub async fn retry_notification(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
) -> Result<Json<NotificationView>, ApiError> {
    caller.require_scope(ApiScope::TasksWrite)?;
    let notification = state
        .services
        .retry_notification(&caller.acting, id.trim())
        .await?;
    Ok(Json((&notification).into()))
}

/// The subscriptions the caller manages, newest first.
///
/// Its agency's (agency administrators), or all (system administrators); ended ones too.
#[utoipa::path(
    get,
    path = "/notification-subscriptions",
    tag = "tasks",
    operation_id = "list_notification_subscriptions",
    params(PageParams),
    responses(
        (status = 200, description = "A page of subscriptions", body = Page<SubscriptionView>),
        (status = 401, description = "No credential", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Scope `tasks:read` missing, or the caller manages no notifications", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`limit` or `cursor` is invalid", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["tasks:read"]), ("session" = [])),
)]
pub async fn list_notification_subscriptions(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiQuery(page): ApiQuery<PageParams>,
) -> Result<Json<Page<SubscriptionView>>, ApiError> {
    caller.require_scope(ApiScope::TasksRead)?;
    let paging = page.paging(MAX_LIMIT)?;
    let subscriptions = state.services.subscriptions_for(&caller.acting).await?;
    let total = subscriptions.len() as u64;
    let (items, next) = paging.slice(subscriptions);
    Ok(Json(Page {
        items: items.iter().map(Into::into).collect(),
        next,
        total,
    }))
}

/// How news leaves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum NotificationChannelInput {
    /// An e-mail to an address.
    Email,
    /// An HTTP POST of JSON to a URL.
    Webhook,
}

/// An address to subscribe to an agency's task news.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewSubscriptionRequest {
    /// The agency whose news it receives; absent: the caller's agency, or every agency for
    /// a system administrator (who belongs to none).
    pub agency: Option<String>,
    /// E-mail or webhook.
    pub channel: NotificationChannelInput,
    /// The e-mail address, or the `http://` or `https://` URL.
    #[schema(example = "https://example.gov.vn/hooks/motcua")]
    pub address: String,
}

/// Subscribe an address to task news.
///
/// An agency's administrators subscribe its addresses; every change of the agency's tasks
/// (and each reminder) is then queued for it, and delivered with retries.
#[utoipa::path(
    post,
    path = "/notification-subscriptions",
    tag = "tasks",
    operation_id = "create_notification_subscription",
    request_body = NewSubscriptionRequest,
    responses(
        (status = 201, description = "The subscription", body = SubscriptionView),
        (status = 400, description = "The body is not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No credential", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Scope `tasks:write` missing, or the caller does not manage the agency's notifications", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A bad address for the channel, or an unknown agency; `field` names it", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["tasks:write"]), ("session" = [])),
)]
pub async fn create_notification_subscription(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiJson(body): ApiJson<NewSubscriptionRequest>,
) -> Result<(StatusCode, Json<SubscriptionView>), ApiError> {
    caller.require_scope(ApiScope::TasksWrite)?;
    let agency = match given(&body.agency) {
        Some(code) => Some(agency_code("agency", code)?),
        // An agency's administrator means its own agency; only a system administrator,
        // who belongs to none, subscribes to every agency's news.
        None => caller.agency().map(str::to_owned),
    };
    let channel = match body.channel {
        NotificationChannelInput::Email => ChannelKind::Email,
        NotificationChannelInput::Webhook => ChannelKind::Webhook,
    };
    let subscription = state
        .services
        .subscribe(&caller.acting, agency, channel, &body.address)
        .await?;
    // Read back for when it was made, as the list shows it.
    let stored = state
        .services
        .subscriptions_for(&caller.acting)
        .await?
        .into_iter()
        .find(|s| s.subscription.id == subscription.id);
    let view = match stored {
        Some(s) => SubscriptionView::from(&s),
        None => SubscriptionView {
            id: subscription.id,
            agency: subscription.agency,
            channel: subscription.channel.as_str().to_owned(),
            address: subscription.address,
            created_at: state.services.now(),
            ended_at: None,
        },
    };
    Ok((StatusCode::CREATED, Json(view)))
}

/// End a subscription: nothing more is queued for it.
#[utoipa::path(
    delete,
    path = "/notification-subscriptions/{id}",
    tag = "tasks",
    operation_id = "delete_notification_subscription",
    params(("id" = String, Path, description = "The subscription's id", example = "DK-2026-0001")),
    responses(
        (status = 204, description = "Ended"),
        (status = 401, description = "No credential", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Scope `tasks:write` missing, or the caller does not manage the agency's notifications", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Unknown", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Already ended (`code: refused`)", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["tasks:write"]), ("session" = [])),
)]
pub async fn delete_notification_subscription(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    caller.require_scope(ApiScope::TasksWrite)?;
    state
        .services
        .unsubscribe(&caller.acting, id.trim())
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_service_message_keeps_its_own_field_and_gets_one_otherwise() {
        let named = naming("unit")(ServiceError::Invalid(
            "lead: không có cơ quan / no agency".into(),
        ));
        // The field is read from the message when the problem is written.
        assert_eq!(named.0.field(), None);
        let unnamed = naming("unit")(ServiceError::Invalid(
            "không có đơn vị «99» / no unit «99»".into(),
        ));
        assert_eq!(unnamed.0.field(), Some("unit"));
        let renamed = renaming(
            ServiceError::Invalid("day: từ 1 đến 31 / from 1 to 31".into()),
            &[("day", "recurrence.day")],
        );
        assert!(
            renamed.to_string().starts_with("recurrence.day: "),
            "{renamed}"
        );
    }

    #[test]
    fn an_action_takes_only_its_own_fields() {
        let body: TaskActionRequest = super::super::extract::parse_json(
            br#"{"action": "cancel", "expected_version": 1, "reason": "x", "percent": 10}"#,
        )
        .unwrap();
        let extra = given_fields(&body)
            .into_iter()
            .find(|f| !body.action.fields().contains(f));
        assert_eq!(extra, Some("percent"));
        let files: TaskActionRequest = super::super::extract::parse_json(
            br#"{"action": "progress", "expected_version": 1, "percent": 5, "text": "x",
                "files": ["abc", {"sha256": "def", "name": "a.pdf"}]}"#,
        )
        .unwrap();
        assert!(matches!(
            files.files.as_deref(),
            Some([TaskFileInput::Sha256(_), TaskFileInput::Named { .. }])
        ));
        let bad = super::super::extract::parse_json::<TaskActionRequest>(
            br#"{"action": "progress", "expected_version": 1, "percent": 500}"#,
        )
        .unwrap_err();
        assert_eq!(bad.0.field(), Some("percent"));
    }

    #[test]
    fn yes_and_no_are_read_or_named() {
        assert_eq!(flag("x", &Some("true".into())).unwrap(), Some(true));
        assert_eq!(flag("x", &Some(" ".into())).unwrap(), None);
        assert_eq!(
            flag("x", &Some("oui".into())).unwrap_err().0.field(),
            Some("x")
        );
    }

    #[test]
    fn dates_are_iso() {
        assert!(date("deadline", "2026-12-31").is_ok());
        assert_eq!(
            date("deadline", "31/12/2026").unwrap_err().0.field(),
            Some("deadline")
        );
    }
}
