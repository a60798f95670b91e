//! `/can-bo/nhiem-vu…`: assigned tasks (issue 7). The list of an agency's tasks — those it
//! leads (its inbox), assigned, coordinates, or those of the agencies under it — overdue
//! first, with what awaits it; the assignment form (a task, a sub-task, a recurring task);
//! and a task's page with its sub-tasks, its history from the event log, the news sent of
//! it, and the forms of whoever may act now: the lead agency reports progress, asks for
//! more time, reports it done (with files); the assigning agency decides, or cancels.
//!
//! Handlers read and change tasks only through `motcua-service`, which checks permissions;
//! a task out of the reader's reach is a page that does not exist.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::NaiveDate;
use motcua_domain::authz::{Action, role_allows};
use motcua_domain::dossier::FileRef;
use motcua_domain::notification::DeliveryStatus;
use motcua_domain::task::{
    Assignment, Awaiting, Frequency, Priority, Recurrence, TaskCommand, TaskEvent, TaskStatus,
};
use motcua_service::ServiceError;
use motcua_service::steering::{ListedTask, NewTask, TaskDetail, TaskFilter, TaskView};
use motcua_storage::StoreError;
use motcua_storage::notifications::NotificationQuery;
use serde::Deserialize;

use super::{Fields, OfficeNav, private};
use crate::AppState;
use crate::auth::{CsrfForm, Staff, encode_component};
use crate::error::{AppError, PageError};
use crate::i18n::{Lang, Tr};
use crate::ui::portal::mine::file_response;
use crate::ui::{Chrome, render};

/// Where the task pages live.
pub const TASKS: &str = "/can-bo/nhiem-vu";

/// Files a report may carry (inputs `tep1`…).
const FILE_INPUTS: [&str; 3] = ["tep1", "tep2", "tep3"];

/// The catalogue key of a status now (`None`: cancelled).
pub fn status_key(status: Option<TaskStatus>) -> &'static str {
    match status {
        Some(TaskStatus::DoneOnTime) => "steering.status.done_on_time",
        Some(TaskStatus::DoneLate) => "steering.status.done_late",
        Some(TaskStatus::OpenWithinTime) => "steering.status.open_within_time",
        Some(TaskStatus::OpenOverdue) => "steering.status.open_overdue",
        None => "steering.status.cancelled",
    }
}

/// The CSS class of a status's badge.
pub fn status_class(status: Option<TaskStatus>) -> &'static str {
    match status {
        Some(TaskStatus::DoneOnTime) => "ok",
        Some(TaskStatus::DoneLate | TaskStatus::OpenOverdue) => "bad",
        Some(TaskStatus::OpenWithinTime) | None => "plain",
    }
}

fn priority_key(p: Priority) -> &'static str {
    match p {
        Priority::Normal => "steering.priority.normal",
        Priority::High => "steering.priority.high",
        Priority::Urgent => "steering.priority.urgent",
    }
}

fn view_key(v: TaskView) -> &'static str {
    match v {
        TaskView::Leading => "steering.view.leading",
        TaskView::Assigned => "steering.view.assigned",
        TaskView::Coordinating => "steering.view.coordinating",
        TaskView::Below => "steering.view.below",
        TaskView::All => "steering.view.all",
    }
}

/// The catalogue keys of the event kinds of a task's log.
pub const EVENT_KEYS: [(&str, &str); 7] = [
    ("assigned", "steering.event.assigned"),
    ("progress_reported", "steering.event.progress_reported"),
    ("extension_requested", "steering.event.extension_requested"),
    ("extension_decided", "steering.event.extension_decided"),
    ("completion_reported", "steering.event.completion_reported"),
    ("completion_decided", "steering.event.completion_decided"),
    ("cancelled", "steering.event.cancelled"),
];

fn event_key(kind: &str) -> &'static str {
    EVENT_KEYS
        .iter()
        .find(|(k, _)| *k == kind)
        .map_or("steering.event.unknown", |(_, key)| key)
}

/// Names of agencies by code, read once per page (the services keep agencies briefly).
pub struct Names(HashMap<String, String>);

impl Names {
    /// The names of `codes`; an unknown code stands for itself.
    pub async fn of(state: &AppState, codes: Vec<String>) -> Result<Names, PageError> {
        let mut map = HashMap::new();
        for code in codes {
            if map.contains_key(&code) {
                continue;
            }
            let name = state
                .services
                .agency(&code)
                .await?
                .map_or_else(|| code.clone(), |a| a.agency.name);
            map.insert(code, name);
        }
        Ok(Names(map))
    }

    /// The name of `code`.
    pub fn get(&self, code: &str) -> String {
        self.0.get(code).cloned().unwrap_or_else(|| code.to_owned())
    }
}

/// A task's title with its period when it recurs.
pub fn title(task: &motcua_domain::task::Task) -> String {
    match &task.assignment.series {
        Some(s) => format!("{} ({})", task.assignment.title, s.period),
        None => task.assignment.title.clone(),
    }
}

/// One row of a task table.
pub struct Row {
    /// Its id.
    pub id: String,
    /// Its title (with its period).
    pub title: String,
    /// The lead agency's name.
    pub lead: String,
    /// The assigning agency's name.
    pub assigner: String,
    /// The deadline, dd/mm/yyyy.
    pub deadline: String,
    /// The status's key and badge class.
    pub status: (&'static str, &'static str),
    /// The row class and the urgency's words (overdue, due soon).
    pub urgency: (&'static str, String),
    /// Progress, and the sub-tasks' roll-up.
    pub progress: String,
    /// Who has the next move, as a catalogue key (empty when nobody).
    pub awaiting: &'static str,
}

/// The lead and assigning agencies of `tasks`, to name them.
pub fn party_codes(tasks: &[ListedTask]) -> Vec<String> {
    tasks
        .iter()
        .flat_map(|l| {
            [
                l.task.assignment.lead.clone(),
                l.task.assignment.assigner.clone(),
            ]
        })
        .collect()
}

/// The table rows of `tasks`.
pub async fn rows(state: &AppState, t: Tr, tasks: &[ListedTask]) -> Result<Vec<Row>, PageError> {
    let names = Names::of(state, party_codes(tasks)).await?;
    Ok(tasks
        .iter()
        .map(|l| {
            let task = &l.task;
            let urgency = match l.status {
                Some(TaskStatus::OpenOverdue) => {
                    ("overdue", format!("⚠ {}", t.t("office.urgency.overdue")))
                }
                _ if l.due_soon => ("due-soon", format!("⏰ {}", t.t("office.urgency.due_soon"))),
                _ => ("", String::new()),
            };
            let mut progress = format!("{} %", task.progress);
            if let Some(roll) = l.roll_up {
                progress.push_str(&format!(" · {}: {roll} %", t.t("steering.task.roll_up")));
            }
            Row {
                id: task.id.clone(),
                title: title(task),
                lead: names.get(&task.assignment.lead),
                assigner: names.get(&task.assignment.assigner),
                deadline: t.date(task.deadline),
                status: (status_key(l.status), status_class(l.status)),
                urgency,
                progress,
                awaiting: match task.awaiting() {
                    Awaiting::Lead => "steering.awaiting.lead",
                    Awaiting::Assigner => "steering.awaiting.assigner",
                    Awaiting::Nobody => "",
                },
            }
        })
        .collect())
}

/// The query of the task list; every parameter is text so a bad one gets a clear 422.
#[derive(Debug, Deserialize, Default)]
pub struct ListQuery {
    xem: Option<String>,
    #[serde(rename = "trang-thai")]
    status: Option<String>,
    #[serde(rename = "cho-quyet-dinh")]
    to_decide: Option<String>,
    #[serde(rename = "ke-hoach")]
    plan: Option<String>,
    #[serde(rename = "van-ban")]
    source: Option<String>,
    #[serde(rename = "don-vi")]
    unit: Option<String>,
    #[serde(rename = "da-thu-hoi")]
    cancelled: Option<String>,
    trang: Option<String>,
}

fn blank(value: Option<&String>) -> Option<String> {
    value.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty())
}

/// A tab of the list.
pub struct Tab {
    href: String,
    key: &'static str,
    current: bool,
}

/// A choice of a select.
pub struct Choice {
    value: String,
    label: String,
    selected: bool,
}

/// `/can-bo/nhiem-vu`.
#[derive(Template)]
#[template(path = "office/tasks.html")]
pub struct ListPage {
    chrome: Chrome,
    nav: OfficeNav,
    tabs: Vec<Tab>,
    view: &'static str,
    rows: Vec<Row>,
    total: String,
    page: u32,
    pages: u32,
    prev: Option<String>,
    next: Option<String>,
    statuses: Vec<Choice>,
    plans: Vec<Choice>,
    unit: String,
    to_decide: bool,
    cancelled: bool,
    /// Overdue, due soon, to decide, as the page writes numbers.
    todos: [String; 3],
    can_assign: bool,
    error: Option<String>,
}

/// `GET /can-bo/nhiem-vu`.
pub async fn list(
    State(state): State<AppState>,
    chrome: Chrome,
    staff: Staff,
    Query(query): Query<ListQuery>,
) -> Result<Response, PageError> {
    let t = chrome.t;
    let mut error = None;
    let view = match blank(query.xem.as_ref()) {
        None => TaskView::Leading,
        Some(v) => TaskView::parse(&v).unwrap_or_else(|| {
            error = Some(super::field_message(
                "steering.filter.view",
                "office.error.choice",
            ));
            TaskView::Leading
        }),
    };
    let status = match blank(query.status.as_ref()) {
        None => None,
        Some(s) => TaskStatus::parse(&s).or_else(|| {
            error = Some(super::field_message(
                "office.filter.status",
                "office.error.choice",
            ));
            None
        }),
    };
    let page = match blank(query.trang.as_ref()) {
        None => 1,
        Some(p) => p
            .parse::<u32>()
            .ok()
            .filter(|p| *p >= 1)
            .unwrap_or_else(|| {
                error = Some(super::field_message(
                    "office.filter.page",
                    "office.error.page",
                ));
                1
            }),
    };
    let to_decide = blank(query.to_decide.as_ref()).is_some();
    let cancelled = blank(query.cancelled.as_ref()).is_some();
    let plan = blank(query.plan.as_ref());
    let unit = blank(query.unit.as_ref());
    let filter = TaskFilter {
        view,
        status,
        cancelled: Some(cancelled),
        awaiting_assigner: to_decide,
        plan: plan.clone(),
        source: blank(query.source.as_ref()),
        parent: None,
        lead_within: unit.clone(),
        page,
        per_page: 50,
    };
    let found = match state.services.tasks_for(&staff.acting, &filter).await {
        Ok(found) => found,
        Err(ServiceError::Invalid(message)) => {
            error = Some(message);
            state
                .services
                .tasks_for(
                    &staff.acting,
                    &TaskFilter {
                        lead_within: None,
                        ..filter.clone()
                    },
                )
                .await?
        }
        Err(e) => return Err(e.into()),
    };
    let todos = state.services.task_todos(&staff.acting).await?;
    let plans = state
        .services
        .steering_documents_for(&staff.acting, true)
        .await?;
    let base = |page: u32| {
        let mut params = vec![format!("xem={}", view.as_str())];
        if let Some(s) = status {
            params.push(format!("trang-thai={}", s.as_str()));
        }
        if to_decide {
            params.push("cho-quyet-dinh=1".into());
        }
        if cancelled {
            params.push("da-thu-hoi=1".into());
        }
        if let Some(p) = &plan {
            params.push(format!("ke-hoach={}", encode_component(p)));
        }
        if let Some(u) = &unit {
            params.push(format!("don-vi={}", encode_component(u)));
        }
        params.push(format!("trang={page}"));
        format!("{TASKS}?{}", params.join("&"))
    };
    let statuses = TaskStatus::ALL
        .into_iter()
        .map(|s| Choice {
            value: s.as_str().to_owned(),
            label: t.t(status_key(Some(s))).to_owned(),
            selected: status == Some(s),
        })
        .collect();
    let plans = plans
        .into_iter()
        .map(|d| Choice {
            selected: plan.as_deref() == Some(d.id.as_str()),
            label: format!("{} — {}", d.number, d.title),
            value: d.id,
        })
        .collect();
    let scoped = matches!(
        staff.principal.scope,
        motcua_domain::authz::Scope::Agency(_)
    );
    let tabs = if scoped {
        TaskView::ALL
            .into_iter()
            .map(|v| Tab {
                href: format!("{TASKS}?xem={}", v.as_str()),
                key: view_key(v),
                current: v == view,
            })
            .collect()
    } else {
        Vec::new()
    };
    let page_view = ListPage {
        nav: OfficeNav::of(&staff),
        tabs,
        view: view.as_str(),
        rows: rows(&state, t, &found.tasks).await?,
        page: found.page,
        pages: found.pages,
        prev: (found.page > 1).then(|| base(found.page - 1)),
        next: (found.page < found.pages).then(|| base(found.page + 1)),
        statuses,
        plans,
        unit: unit.unwrap_or_default(),
        to_decide,
        cancelled,
        todos: [todos.overdue, todos.due_soon, todos.to_decide].map(|n| t.num(n)),
        total: t.num(found.total),
        can_assign: role_allows(staff.account().role, Action::AssignTask),
        error,
        chrome,
    };
    let status_code = if page_view.error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    Ok(private(status_code, render(&page_view)?))
}

/// The assignment form's values, as typed.
#[derive(Debug, Clone, Default)]
pub struct AssignForm {
    title: String,
    content: String,
    lead: String,
    coordinators: Vec<String>,
    deadline: String,
    repeat: String,
    day: String,
    from: String,
    until: String,
    output: String,
    priority: String,
    plan: String,
    source: String,
    parent: String,
}

impl AssignForm {
    fn of(fields: &Fields) -> AssignForm {
        AssignForm {
            title: fields.get("title").to_owned(),
            content: fields.get("content").to_owned(),
            lead: fields.get("lead").to_owned(),
            coordinators: fields.all("coordinators"),
            deadline: fields.get("deadline").to_owned(),
            repeat: fields.get("repeat").to_owned(),
            day: fields.get("day").to_owned(),
            from: fields.get("from").to_owned(),
            until: fields.get("until").to_owned(),
            output: fields.get("output").to_owned(),
            priority: fields.get("priority").to_owned(),
            plan: fields.get("plan").to_owned(),
            source: fields.get("source").to_owned(),
            parent: fields.get("parent").to_owned(),
        }
    }
}

/// A date typed as `yyyy-mm-dd` (the date input) or `dd/mm/yyyy`.
pub fn parse_date(text: &str) -> Option<NaiveDate> {
    let text = text.trim();
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(text, "%d/%m/%Y"))
        .ok()
}

/// `/can-bo/nhiem-vu/giao`.
#[derive(Template)]
#[template(path = "office/task_assign.html")]
pub struct AssignPage {
    chrome: Chrome,
    nav: OfficeNav,
    csrf: String,
    assigner: String,
    form: AssignForm,
    leads: Vec<Choice>,
    coordinators: Vec<Choice>,
    plans: Vec<Choice>,
    sources: Vec<Choice>,
    priorities: Vec<Choice>,
    parent: Option<(String, String, String)>,
    error: Option<String>,
}

/// The query of the assignment form: a parent to split, a document to assign from.
#[derive(Debug, Deserialize, Default)]
pub struct AssignQuery {
    cha: Option<String>,
    #[serde(rename = "van-ban")]
    source: Option<String>,
}

async fn assign_page(
    state: &AppState,
    chrome: Chrome,
    staff: &Staff,
    csrf: String,
    form: AssignForm,
    error: Option<String>,
) -> Result<AssignPage, PageError> {
    let t = chrome.t;
    let assigner = staff.account().agency.clone().unwrap_or_default();
    let today = state.services.local_today();
    let mut agencies: Vec<(String, String)> = state
        .services
        .agencies(None)
        .await?
        .into_iter()
        .filter(|a| {
            a.agency.valid_from.is_none_or(|f| f <= today)
                && a.agency.valid_to.is_none_or(|to| to >= today)
                && a.agency.code.as_str() != assigner
        })
        .map(|a| (a.agency.code.to_string(), a.agency.name))
        .collect();
    agencies.sort_by(|a, b| a.0.cmp(&b.0));
    let choices = |selected: &dyn Fn(&str) -> bool| {
        agencies
            .iter()
            .map(|(code, name)| Choice {
                value: code.clone(),
                label: format!("{name} ({code})"),
                selected: selected(code),
            })
            .collect::<Vec<_>>()
    };
    let documents = state
        .services
        .steering_documents_for(&staff.acting, false)
        .await?;
    let doc_choices = |selected: &str, plans_only: bool| {
        documents
            .iter()
            .filter(|d| !plans_only || d.kind.is_plan())
            .map(|d| Choice {
                value: d.id.clone(),
                label: format!("{} — {}", d.number, d.title),
                selected: d.id == selected,
            })
            .collect::<Vec<_>>()
    };
    let parent = if form.parent.is_empty() {
        None
    } else {
        let p = state
            .services
            .task_visible(&staff.acting, &form.parent)
            .await?;
        Some((p.id.clone(), title(&p), t.date(p.deadline)))
    };
    let priorities = Priority::ALL
        .into_iter()
        .map(|p| Choice {
            value: p.as_str().to_owned(),
            label: t.t(priority_key(p)).to_owned(),
            selected: form.priority == p.as_str(),
        })
        .collect();
    Ok(AssignPage {
        nav: OfficeNav::of(staff),
        csrf,
        assigner: Names::of(state, vec![assigner.clone()])
            .await?
            .get(&assigner),
        leads: choices(&|c| c == form.lead),
        coordinators: choices(&|c| form.coordinators.iter().any(|x| x == c)),
        plans: doc_choices(&form.plan, true),
        sources: doc_choices(&form.source, false),
        priorities,
        parent,
        form,
        error,
        chrome,
    })
}

/// `GET /can-bo/nhiem-vu/giao?cha=&van-ban=`: the assignment form.
pub async fn assign_form(
    State(state): State<AppState>,
    chrome: Chrome,
    staff: Staff,
    Query(query): Query<AssignQuery>,
) -> Result<Response, PageError> {
    if !role_allows(staff.account().role, Action::AssignTask) {
        return Err(PageError(AppError::Forbidden(
            motcua_domain::authz::Denied::Role {
                role: staff.account().role,
                action: Action::AssignTask,
            }
            .to_string(),
        )));
    }
    let source = blank(query.source.as_ref()).unwrap_or_default();
    let mut form = AssignForm {
        parent: blank(query.cha.as_ref()).unwrap_or_default(),
        priority: Priority::Normal.as_str().to_owned(),
        output: "Báo cáo kết quả thực hiện".into(),
        ..AssignForm::default()
    };
    if !source.is_empty() {
        let document = state
            .services
            .steering_document_for(&staff.acting, &source)
            .await?
            .document;
        if document.kind.is_plan() {
            form.plan = document.id.clone();
        }
        form.source = document.id;
    }
    let page = assign_page(&state, chrome, &staff, staff.csrf().to_owned(), form, None).await?;
    Ok(private(StatusCode::OK, render(&page)?))
}

fn field_error(field: &str, vi: &str, en: &str) -> String {
    format!("{field}: {vi} / {en}")
}

/// The new task of a submitted form, or the message naming what is wrong.
fn new_task(staff: &Staff, form: &AssignForm) -> Result<NewTask, String> {
    let optional = |s: &str| (!s.trim().is_empty()).then(|| s.trim().to_owned());
    let priority = Priority::parse(&form.priority)
        .ok_or_else(|| field_error("priority", "hãy chọn mức độ ưu tiên", "choose a priority"))?;
    let recurrence = match form.repeat.as_str() {
        "" | "none" => None,
        other => {
            let frequency = Frequency::parse(other).ok_or_else(|| {
                field_error("repeat", "hãy chọn cách lặp lại", "choose how it repeats")
            })?;
            let day = form.day.trim().parse::<u8>().map_err(|_| {
                field_error(
                    "day",
                    "ngày trong tháng từ 1 đến 31",
                    "the day of the month is from 1 to 31",
                )
            })?;
            let from = parse_date(&form.from).ok_or_else(|| {
                field_error(
                    "from",
                    "ngày bắt đầu không hợp lệ",
                    "the start date is invalid",
                )
            })?;
            let until = parse_date(&form.until).ok_or_else(|| {
                field_error(
                    "until",
                    "ngày kết thúc không hợp lệ",
                    "the end date is invalid",
                )
            })?;
            Some(Recurrence {
                frequency,
                day,
                from,
                until,
            })
        }
    };
    let deadline = match (parse_date(&form.deadline), recurrence) {
        (Some(d), _) => d,
        (None, Some(r)) => r.until,
        (None, None) => {
            return Err(field_error(
                "deadline",
                "hãy nhập thời hạn (ngày/tháng/năm)",
                "enter the deadline (day/month/year)",
            ));
        }
    };
    Ok(NewTask {
        assignment: Assignment {
            title: form.title.clone(),
            content: form.content.clone(),
            assigner: staff.account().agency.clone().unwrap_or_default(),
            lead: form.lead.clone(),
            coordinators: form.coordinators.clone(),
            deadline,
            output: form.output.clone(),
            priority,
            plan: optional(&form.plan),
            source: optional(&form.source),
            parent: optional(&form.parent),
            series: None,
        },
        recurrence,
    })
}

/// `POST /can-bo/nhiem-vu/giao`: assigns, then shows the (first) task.
pub async fn assign(
    State(state): State<AppState>,
    chrome: Chrome,
    staff: Staff,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let fields = Fields::new(pairs);
    let form = AssignForm::of(&fields);
    let csrf = fields.get("csrf").to_owned();
    let outcome = match new_task(&staff, &form) {
        Ok(new) => state.services.assign_task(&staff.acting, new).await,
        Err(message) => Err(ServiceError::Invalid(message)),
    };
    let message = match outcome {
        Ok(tasks) => {
            let to = match tasks.as_slice() {
                [one] => format!("{TASKS}/{}?da-luu=1", one.id),
                [first, ..] => format!("{TASKS}/{}?da-luu={}", first.id, tasks.len()),
                [] => TASKS.to_owned(),
            };
            return Ok(Redirect::to(&to).into_response());
        }
        Err(ServiceError::Invalid(m) | ServiceError::Refused(m)) => m,
        Err(e) => return Err(e.into()),
    };
    let page = assign_page(&state, chrome, &staff, csrf, form, Some(message)).await?;
    Ok(private(StatusCode::UNPROCESSABLE_ENTITY, render(&page)?))
}

/// One entry of a task's history as the page shows it.
pub struct HistoryRow {
    at: String,
    who: String,
    event: &'static str,
    details: String,
    files: Vec<(String, String)>,
}

/// A notification of the task as the page shows it.
pub struct NewsRow {
    id: String,
    kind: String,
    to: String,
    status: &'static str,
    attempts: u32,
    error: String,
}

/// `/can-bo/nhiem-vu/{id}`.
#[derive(Template)]
#[template(path = "office/task.html")]
pub struct TaskPage {
    chrome: Chrome,
    nav: OfficeNav,
    csrf: String,
    id: String,
    version: i64,
    title: String,
    status: (&'static str, &'static str),
    urgency: (&'static str, String),
    awaiting: &'static str,
    facts: Vec<(&'static str, String)>,
    links: Vec<(&'static str, String, String)>,
    progress: u8,
    pending_extension: Option<(String, String)>,
    completion_reported: Option<String>,
    children: Vec<Row>,
    roll_up: Option<u8>,
    series: Vec<Row>,
    history: Vec<HistoryRow>,
    news: Vec<NewsRow>,
    report: bool,
    decide: bool,
    split: bool,
    closed: bool,
    saved: Option<String>,
    alert: Option<String>,
    form: Fields,
}

/// The query of a task page: `da-luu` after a change (the number of tasks assigned).
#[derive(Debug, Deserialize, Default)]
pub struct TaskQuery {
    #[serde(rename = "da-luu")]
    saved: Option<String>,
}

fn file_links(id: &str, files: &[FileRef]) -> Vec<(String, String)> {
    files
        .iter()
        .map(|f| (format!("{TASKS}/{id}/tep/{}", f.sha256), f.name.clone()))
        .collect()
}

/// What an event says beyond its name.
fn event_details(t: Tr, event: &TaskEvent) -> String {
    match event {
        TaskEvent::Assigned { assignment, due } => format!(
            "{}: {} ({})",
            t.t("steering.task.deadline"),
            t.date(assignment.deadline),
            t.datetime(due)
        ),
        TaskEvent::ProgressReported { percent, text, .. } => format!("{percent} % — {text}"),
        TaskEvent::ExtensionRequested { until, reason } => {
            format!(
                "{}: {} — {reason}",
                t.t("steering.task.until"),
                t.date(*until)
            )
        }
        TaskEvent::ExtensionDecided { granted, note, .. } => {
            let verdict = if *granted {
                t.t("steering.decision.granted")
            } else {
                t.t("steering.decision.refused")
            };
            if note.is_empty() {
                verdict.to_owned()
            } else {
                format!("{verdict} — {note}")
            }
        }
        TaskEvent::CompletionReported { text, .. } => text.clone(),
        TaskEvent::CompletionDecided { accepted, note } => {
            let verdict = if *accepted {
                t.t("steering.decision.accepted")
            } else {
                t.t("steering.decision.returned")
            };
            if note.is_empty() {
                verdict.to_owned()
            } else {
                format!("{verdict} — {note}")
            }
        }
        TaskEvent::Cancelled { reason } => reason.clone(),
    }
}

async fn task_page(
    state: &AppState,
    chrome: Chrome,
    staff: &Staff,
    detail: TaskDetail,
    saved: Option<String>,
    alert: Option<String>,
    form: Fields,
) -> Result<TaskPage, PageError> {
    let t = chrome.t;
    let task = &detail.task;
    let a = &task.assignment;
    let mut codes: Vec<String> = task.parties().map(str::to_owned).collect();
    codes.extend(detail.history.iter().filter_map(|h| h.actor.agency.clone()));
    let names = Names::of(state, codes).await?;
    let mut facts = vec![
        ("steering.task.assigner", names.get(&a.assigner)),
        ("steering.task.lead", names.get(&a.lead)),
        (
            "steering.task.coordinators",
            if a.coordinators.is_empty() {
                "—".to_owned()
            } else {
                a.coordinators
                    .iter()
                    .map(|c| names.get(c))
                    .collect::<Vec<_>>()
                    .join("; ")
            },
        ),
        (
            "steering.task.deadline",
            format!(
                "{} ({} {})",
                t.date(task.deadline),
                t.t("steering.task.ends"),
                t.datetime(&task.due)
            ),
        ),
        (
            "steering.task.priority",
            t.t(priority_key(a.priority)).to_owned(),
        ),
        ("steering.task.assigned_at", t.datetime(&task.assigned_at)),
        (
            "steering.task.output",
            if a.output.is_empty() {
                "—".into()
            } else {
                a.output.clone()
            },
        ),
        (
            "steering.task.content",
            if a.content.is_empty() {
                "—".into()
            } else {
                a.content.clone()
            },
        ),
    ];
    if let Some(s) = &a.series {
        let (vi, en) = s.recurrence.describe();
        facts.push((
            "steering.task.series",
            format!(
                "{} — {}",
                s.period,
                match t.lang {
                    Lang::Vi => vi,
                    Lang::En => en,
                }
            ),
        ));
    }
    if let Some(done) = task.completed_at {
        facts.push(("steering.task.completed_at", t.datetime(&done)));
    }
    if let Some(c) = task.cancelled_at {
        facts.push(("steering.task.cancelled_at", t.datetime(&c)));
    }
    let mut links = Vec::new();
    if let Some(p) = &detail.parent {
        links.push((
            "steering.task.parent",
            format!("{TASKS}/{}", p.id),
            title(p),
        ));
    }
    if let Some(d) = &detail.source {
        links.push((
            "steering.task.source",
            format!("/can-bo/van-ban/{}", d.id),
            format!("{} — {}", d.number, d.title),
        ));
    }
    if let Some(d) = &detail.plan {
        links.push((
            "steering.task.plan",
            format!("/can-bo/van-ban/{}", d.id),
            format!("{} — {}", d.number, d.title),
        ));
    }
    let history = detail
        .history
        .iter()
        .map(|h| {
            let (event, details, files) = match &h.event {
                Some(e) => {
                    let files = match e {
                        TaskEvent::ProgressReported { files, .. }
                        | TaskEvent::CompletionReported { files, .. } => {
                            file_links(&task.id, files)
                        }
                        _ => Vec::new(),
                    };
                    (event_key(e.kind()), event_details(t, e), files)
                }
                None => ("steering.event.unknown", String::new(), Vec::new()),
            };
            let agency = h
                .actor
                .agency
                .as_deref()
                .map(|a| format!(", {}", names.get(a)))
                .unwrap_or_default();
            HistoryRow {
                at: t.datetime(&h.at),
                who: format!(
                    "{} ({}{agency})",
                    h.actor.id,
                    t.t(super::view::role_key(h.actor.role))
                ),
                event,
                details,
                files,
            }
        })
        .collect();
    let (news, _) = state
        .services
        .notifications_for(
            &staff.acting,
            NotificationQuery {
                task: Some(task.id.clone()),
                limit: 100,
                ..NotificationQuery::default()
            },
        )
        .await?;
    let news = news
        .into_iter()
        .map(|n| NewsRow {
            id: n.id.clone(),
            kind: n.subject.clone(),
            to: format!("{} — {}", names.get(&n.agency), n.address),
            status: match n.status() {
                DeliveryStatus::Pending => "steering.delivery.pending",
                DeliveryStatus::Delivered => "steering.delivery.delivered",
                DeliveryStatus::Abandoned => "steering.delivery.abandoned",
            },
            attempts: n.attempts,
            error: n.last_error.unwrap_or_default(),
        })
        .collect();
    let urgency = match detail.status {
        Some(TaskStatus::OpenOverdue) => {
            ("overdue", format!("⚠ {}", t.t("office.urgency.overdue")))
        }
        _ if detail.due_soon => ("due-soon", format!("⏰ {}", t.t("office.urgency.due_soon"))),
        _ => ("", String::new()),
    };
    Ok(TaskPage {
        nav: OfficeNav::of(staff),
        csrf: staff.csrf().to_owned(),
        id: task.id.clone(),
        version: task.version,
        title: title(task),
        status: (status_key(detail.status), status_class(detail.status)),
        urgency,
        awaiting: match task.awaiting() {
            Awaiting::Lead => "steering.awaiting.lead",
            Awaiting::Assigner => "steering.awaiting.assigner",
            Awaiting::Nobody => "",
        },
        facts,
        links,
        progress: task.progress,
        pending_extension: task
            .pending_extension
            .as_ref()
            .map(|(until, reason)| (t.date(*until), reason.clone())),
        completion_reported: task.completion_reported_at.map(|at| t.datetime(&at)),
        children: rows(state, t, &detail.children).await?,
        roll_up: detail.roll_up,
        series: rows(state, t, &detail.series).await?,
        history,
        news,
        report: detail.rights.report,
        decide: detail.rights.decide,
        split: detail.rights.split,
        closed: task.is_closed(),
        saved,
        alert,
        form,
        chrome,
    })
}

/// `GET /can-bo/nhiem-vu/{id}`.
pub async fn show(
    State(state): State<AppState>,
    chrome: Chrome,
    staff: Staff,
    Path(id): Path<String>,
    Query(query): Query<TaskQuery>,
) -> Result<Response, PageError> {
    let detail = state.services.task_for(&staff.acting, &id).await?;
    let saved = blank(query.saved.as_ref());
    let page = task_page(
        &state,
        chrome,
        &staff,
        detail,
        saved,
        None,
        Fields::default(),
    )
    .await?;
    Ok(private(StatusCode::OK, render(&page)?))
}

/// The path segments of the actions of a task page.
const SLUGS: [&str; 6] = [
    "tien-do",
    "xin-gia-han",
    "hoan-thanh",
    "quyet-dinh-gia-han",
    "quyet-dinh-hoan-thanh",
    "thu-hoi",
];

/// `POST /can-bo/nhiem-vu/{id}/{action}` (multipart: reports may carry files `tep1`…).
pub async fn act(
    State(state): State<AppState>,
    chrome: Chrome,
    staff: Staff,
    Path((id, slug)): Path<(String, String)>,
    multipart: axum::extract::Multipart,
) -> Result<Response, PageError> {
    if !SLUGS.contains(&slug.as_str()) {
        return Err(PageError(AppError::NotFound(
            "không tìm thấy trang / page not found".into(),
        )));
    }
    let mut form = crate::ui::portal::upload::read(multipart).await?;
    form.verify_csrf(&staff)?;
    // Out of reach is "not found"; not allowed is a refusal — both before anything is stored.
    let task = state.services.task_visible(&staff.acting, &id).await?;
    let (action, agency) = match slug.as_str() {
        "tien-do" | "xin-gia-han" | "hoan-thanh" => (Action::ReportTask, &task.assignment.lead),
        _ => (Action::AssignTask, &task.assignment.assigner),
    };
    staff
        .authorize(action, &motcua_domain::authz::Target::agency(agency))
        .map_err(PageError)?;
    let fields = Fields::new(
        form.fields
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect(),
    );
    let Ok(version) = fields.get("version").parse::<i64>() else {
        return Err(PageError(AppError::invalid(
            "version",
            "biểu mẫu thiếu phiên bản nhiệm vụ; hãy tải lại trang",
            "the form lacks the task's version; reload the page",
        )));
    };
    let files = if matches!(slug.as_str(), "tien-do" | "hoan-thanh") {
        report_files(&state, &mut form).await?
    } else {
        Ok(Vec::new())
    };
    let command = match files.and_then(|files| command_of(&slug, &fields, files)) {
        Ok(c) => c,
        Err(message) => {
            return again(
                &state,
                chrome,
                &staff,
                &id,
                StatusCode::UNPROCESSABLE_ENTITY,
                message,
                fields,
            )
            .await;
        }
    };
    match state
        .services
        .act_on_task(&staff.acting, &id, Some(version), command)
        .await
    {
        Ok(task) => Ok(Redirect::to(&format!("{TASKS}/{}?da-luu=1", task.id)).into_response()),
        Err(ServiceError::Store(StoreError::Conflict { .. })) => {
            let message = super::bilingual("steering.conflict");
            again(
                &state,
                chrome,
                &staff,
                &id,
                StatusCode::CONFLICT,
                message,
                fields,
            )
            .await
        }
        Err(ServiceError::Invalid(m) | ServiceError::Refused(m)) => {
            again(
                &state,
                chrome,
                &staff,
                &id,
                StatusCode::UNPROCESSABLE_ENTITY,
                m,
                fields,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

/// The files a report carries, stored: a file refused (its type, its size) is the user's
/// to mend (`Ok(Err(message))`); anything else is ours (`Err`).
async fn report_files(
    state: &AppState,
    form: &mut crate::ui::portal::upload::MultipartForm,
) -> Result<Result<Vec<FileRef>, String>, PageError> {
    let mut files = Vec::new();
    for input in FILE_INPUTS {
        if let Some(upload) = form.files.remove(input) {
            match state
                .services
                .store_upload("Tệp báo cáo / report file", upload)
                .await
            {
                Ok(stored) => files.push(stored),
                Err(ServiceError::Invalid(m)) => return Ok(Err(m)),
                Err(e) => return Err(e.into()),
            }
        }
    }
    Ok(Ok(files))
}

/// The command of action `slug` from its form and the files it carries.
fn command_of(slug: &str, fields: &Fields, files: Vec<FileRef>) -> Result<TaskCommand, String> {
    let yes = |name: &str| fields.is(name, "yes");
    Ok(match slug {
        "tien-do" => TaskCommand::ReportProgress {
            percent: fields.get("percent").parse::<u8>().map_err(|_| {
                field_error(
                    "percent",
                    "tiến độ là số từ 0 đến 100",
                    "progress is a number from 0 to 100",
                )
            })?,
            text: fields.get("text").to_owned(),
            files,
        },
        "xin-gia-han" => TaskCommand::RequestExtension {
            until: parse_date(fields.get("until")).ok_or_else(|| {
                field_error(
                    "until",
                    "hãy nhập ngày đề nghị gia hạn đến",
                    "enter the date asked for",
                )
            })?,
            reason: fields.get("reason").to_owned(),
        },
        "hoan-thanh" => TaskCommand::ReportCompletion {
            text: fields.get("text").to_owned(),
            files,
        },
        "quyet-dinh-gia-han" => TaskCommand::DecideExtension {
            granted: yes("granted"),
            note: fields.get("note").to_owned(),
        },
        "quyet-dinh-hoan-thanh" => TaskCommand::DecideCompletion {
            accepted: yes("accepted"),
            note: fields.get("note").to_owned(),
        },
        _ => TaskCommand::Cancel {
            reason: fields.get("reason").to_owned(),
        },
    })
}

/// The task's page again, with `message` at its top and the form's values kept.
async fn again(
    state: &AppState,
    chrome: Chrome,
    staff: &Staff,
    id: &str,
    status: StatusCode,
    message: String,
    fields: Fields,
) -> Result<Response, PageError> {
    let detail = state.services.task_for(&staff.acting, id).await?;
    let page = task_page(state, chrome, staff, detail, None, Some(message), fields).await?;
    Ok(private(status, render(&page)?))
}

/// `GET /can-bo/nhiem-vu/{id}/tep/{sha256}`: a file of one of the task's reports.
pub async fn file(
    State(state): State<AppState>,
    staff: Staff,
    Path((id, sha256)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let (file, bytes) = state
        .services
        .task_file(&staff.acting, &id, &sha256)
        .await?;
    Ok(file_response(&file, bytes))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::{EN, VI, parse_catalogue};

    /// Keys built in code (not literally in templates) must exist in both languages.
    #[test]
    fn every_key_built_in_code_exists() {
        let vi = parse_catalogue(VI).unwrap();
        let en = parse_catalogue(EN).unwrap();
        let mut keys: Vec<&str> = EVENT_KEYS.iter().map(|(_, k)| *k).collect();
        keys.push("steering.event.unknown");
        keys.extend(TaskStatus::ALL.map(|s| status_key(Some(s))));
        keys.push(status_key(None));
        keys.extend(Priority::ALL.map(priority_key));
        keys.extend(TaskView::ALL.map(view_key));
        let missing: Vec<_> = keys
            .iter()
            .filter(|k| !vi.contains_key(*k) || !en.contains_key(*k))
            .collect();
        assert!(missing.is_empty(), "missing keys: {missing:?}");
    }
}
