//! The one-stop desk and the back office, under `/can-bo/…` (issue "web application", §4).
//!
//! - `/can-bo/ho-so`: the officer's worklist, nearest deadline first, overdue and due-soon
//!   dossiers marked ([`worklist`]).
//! - `/can-bo/tiep-nhan`: desk intake of a dossier brought in person or by post — receive
//!   (Form 01), guide (Form 02) or refuse (Form 03) ([`intake`]).
//! - `/can-bo/ho-so/{code}`: everything about one dossier, its history from the event log
//!   and the actions the officer's role may take now, each a form ([`dossier`]).
//! - `/can-bo/dieu-hanh`: the leaders' dashboard — alerts per agency and the drill-down from
//!   a unit's figures to its agencies, procedures and the dossiers behind each ratio
//!   ([`dashboard`]).
//! - `/can-bo/ho-so/{code}/mau-01` … `mau-05` and `/phieu-kiem-soat` (Form 06): the
//!   printable forms of Circular 01/2018/TT-VPCP and Circular 03/2025/TT-VPCP ([`forms`]).
//! - `/can-bo/nhiem-vu`: assigned tasks — the agency's inbox and the tasks it gave, the
//!   assignment form, a task's page with its reports and decisions ([`tasks`]);
//!   `/can-bo/hop`, `/can-bo/van-ban`: steering meetings and documents ([`steering`]);
//!   `/can-bo/dieu-hanh/nhiem-vu`: the task figures of the operations centre
//!   ([`task_board`]).
//!
//! Every page needs a [`Staff`](crate::auth::Staff) account and works without JavaScript;
//! every POST carries the CSRF token and the dossier version it was based on. Handlers read
//! and change dossiers only through `motcua-service`, which checks permissions and scope;
//! pages of dossiers out of scope answer 404. Pages carry personal data, so none is cached.

mod dashboard;
mod dossier;
mod forms;
mod intake;
mod notifications;
mod steering;
mod task_board;
mod tasks;
mod view;
mod worklist;

use axum::Router;
use axum::extract::Path;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;
use motcua_domain::authz::{Action, role_allows};
use motcua_domain::dossier::DossierCode;

use crate::AppState;
use crate::auth::SignedIn;
use crate::error::{AppError, PageError};
use crate::i18n::{Lang, Tr};

/// A submitted form as its name–value pairs, in order (a checkbox group repeats a name).
#[derive(Debug, Clone, Default)]
pub struct Fields(Vec<(String, String)>);

impl Fields {
    /// Wraps the pairs of a form.
    pub fn new(pairs: Vec<(String, String)>) -> Fields {
        Fields(pairs)
    }

    /// The first value of `name`, trimmed; empty when absent.
    pub fn get(&self, name: &str) -> &str {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map_or("", |(_, v)| v.trim())
    }

    /// Every non-empty value of `name`, trimmed, in order (a multiple select).
    pub fn all(&self, name: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.trim().to_owned())
            .filter(|v| !v.is_empty())
            .collect()
    }

    /// Whether `name` was sent with a non-empty value (a ticked checkbox).
    pub fn has(&self, name: &str) -> bool {
        !self.get(name).is_empty()
    }

    /// Whether radio `name` holds `value`.
    pub fn is(&self, name: &str, value: &str) -> bool {
        self.get(name) == value
    }
}

/// The text of `key` in Vietnamese, then in English: field errors name the field in both
/// languages, whatever the page's language (a message copied into a complaint stays clear).
pub fn bilingual(key: &str) -> String {
    let vi = Tr::new(Lang::Vi).t(key);
    let en = Tr::new(Lang::En).t(key);
    format!("{vi} / {en}")
}

/// "label: problem" in Vietnamese, then in English, for a field whose label is
/// `label_key` and a problem already written `vi / en` (e.g. a `motcua_domain::ids` error).
pub fn field_problem(label_key: &str, problem: &str) -> String {
    let (vi, en) = problem.split_once(" / ").unwrap_or((problem, problem));
    format!(
        "{}: {vi} / {}: {en}",
        Tr::new(Lang::Vi).t(label_key),
        Tr::new(Lang::En).t(label_key)
    )
}

/// "label: problem" in both languages, both parts from the catalogue.
pub fn field_message(label_key: &str, problem_key: &str) -> String {
    format!(
        "{}: {} / {}: {}",
        Tr::new(Lang::Vi).t(label_key),
        Tr::new(Lang::Vi).t(problem_key),
        Tr::new(Lang::En).t(label_key),
        Tr::new(Lang::En).t(problem_key)
    )
}

/// A back-office page: never stored by a cache (it shows personal data).
pub fn private(status: StatusCode, html: Html<String>) -> Response {
    let mut response = (status, html).into_response();
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// A dossier code from the path; a malformed one is a page that does not exist.
pub fn parse_code(code: &str) -> Result<DossierCode, PageError> {
    code.parse().map_err(|_| {
        PageError(AppError::NotFound(format!(
            "không tìm thấy hồ sơ / dossier not found: {code}"
        )))
    })
}

/// What the back-office navigation offers the signed-in officer.
#[derive(Debug, Clone)]
pub struct OfficeNav {
    /// The role receives dossiers at the desk.
    pub can_receive: bool,
    /// The role reads statistics (the dashboard).
    pub can_read_statistics: bool,
    /// The role reads assigned tasks.
    pub can_read_tasks: bool,
    /// The role manages notification subscriptions.
    pub can_manage_notifications: bool,
}

impl OfficeNav {
    /// The navigation of `user`.
    pub fn of(user: &SignedIn) -> OfficeNav {
        let role = user.account().role;
        OfficeNav {
            can_receive: role_allows(role, Action::ReceiveDossier),
            can_read_statistics: role_allows(role, Action::ReadStatistics),
            can_read_tasks: role_allows(role, Action::ReadTasks),
            can_manage_notifications: role_allows(role, Action::ManageNotifications),
        }
    }
}

/// The unit the dashboards show: the one asked for, else the reader's: an inspector's
/// unit, the province of a provincial People's Committee (which steers all of it and
/// receives few dossiers itself), or the reader's own agency.
pub async fn home_unit(
    state: &AppState,
    user: &SignedIn,
    asked: Option<&str>,
) -> Result<String, PageError> {
    if let Some(asked) = asked.map(str::trim).filter(|a| !a.is_empty()) {
        return Ok(asked.to_owned());
    }
    let account = user.account();
    if let Some(unit) = &account.unit {
        return Ok(unit.clone());
    }
    let Some(agency) = &account.agency else {
        return Err(PageError(AppError::invalid(
            "don-vi",
            "chọn đơn vị hoặc cơ quan",
            "choose a unit or an agency",
        )));
    };
    let committee =
        state.services.agency(agency).await?.filter(|a| {
            a.agency.kind == motcua_domain::units::AgencyKind::ProvincialPeoplesCommittee
        });
    Ok(committee.map_or_else(|| agency.clone(), |a| a.agency.unit.to_string()))
}

/// The routes of this area.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/can-bo", get(|| async { Redirect::to("/can-bo/ho-so") }))
        .route("/can-bo/ho-so", get(worklist::page))
        .route(
            "/can-bo/tiep-nhan",
            get(intake::page)
                .post(intake::submit)
                .layer(axum::extract::DefaultBodyLimit::disable()),
        )
        .route("/can-bo/dieu-hanh", get(dashboard::page))
        .route("/can-bo/dieu-hanh/xuat.xlsx", get(dashboard::unit_xlsx))
        .route("/can-bo/dieu-hanh/xuat.csv", get(dashboard::unit_csv))
        .route("/can-bo/dieu-hanh/co-quan", get(dashboard::agency))
        .route(
            "/can-bo/dieu-hanh/co-quan.xlsx",
            get(dashboard::agency_xlsx),
        )
        .route("/can-bo/dieu-hanh/co-quan.csv", get(dashboard::agency_csv))
        .route("/can-bo/dieu-hanh/ho-so", get(dashboard::dossiers))
        .route(
            "/can-bo/dieu-hanh/ho-so.xlsx",
            get(dashboard::dossiers_xlsx),
        )
        .route("/can-bo/dieu-hanh/ho-so.csv", get(dashboard::dossiers_csv))
        .route("/can-bo/nhiem-vu", get(tasks::list))
        .route(
            "/can-bo/nhiem-vu/giao",
            get(tasks::assign_form).post(tasks::assign),
        )
        .route("/can-bo/nhiem-vu/{id}", get(tasks::show))
        .route("/can-bo/nhiem-vu/{id}/tep/{sha256}", get(tasks::file))
        .route(
            "/can-bo/nhiem-vu/{id}/{action}",
            get(|Path((id, _)): Path<(String, String)>| async move {
                Redirect::to(&format!(
                    "/can-bo/nhiem-vu/{}",
                    crate::auth::encode_component(&id)
                ))
            })
            .post(tasks::act)
            .layer(axum::extract::DefaultBodyLimit::disable()),
        )
        .route("/can-bo/hop", get(steering::meetings))
        .route(
            "/can-bo/hop/moi",
            get(steering::meeting_new).post(steering::meeting_create),
        )
        .route("/can-bo/hop/{id}", get(steering::meeting))
        .route(
            "/can-bo/van-ban/moi",
            get(steering::document_new).post(steering::document_create),
        )
        .route("/can-bo/van-ban/{id}", get(steering::document))
        .route("/can-bo/thong-bao", get(notifications::page))
        .route(
            "/can-bo/thong-bao/dang-ky",
            axum::routing::post(notifications::subscribe),
        )
        .route(
            "/can-bo/thong-bao/dang-ky/{id}/huy",
            axum::routing::post(notifications::unsubscribe),
        )
        .route(
            "/can-bo/thong-bao/{id}/gui-lai",
            axum::routing::post(notifications::retry),
        )
        .route("/can-bo/dieu-hanh/nhiem-vu", get(task_board::page))
        .route("/can-bo/dieu-hanh/nhiem-vu.xlsx", get(task_board::xlsx))
        .route("/can-bo/dieu-hanh/nhiem-vu/in", get(task_board::print))
        .route(
            "/can-bo/dieu-hanh/nhiem-vu/danh-sach",
            get(task_board::list),
        )
        .route("/can-bo/ho-so/{code}", get(dossier::page))
        .route(
            "/can-bo/ho-so/{code}/tep/{sha256}",
            get(crate::ui::portal::mine::file),
        )
        .route("/can-bo/ho-so/{code}/mau-01", get(forms::receipt))
        .route("/can-bo/ho-so/{code}/mau-02", get(forms::guidance))
        .route("/can-bo/ho-so/{code}/mau-03", get(forms::refusal))
        .route("/can-bo/ho-so/{code}/mau-04", get(forms::apology))
        .route("/can-bo/ho-so/{code}/mau-05", get(forms::stop_notice))
        .route(
            "/can-bo/ho-so/{code}/quet-ket-qua",
            axum::routing::post(dossier::scan_result)
                .layer(axum::extract::DefaultBodyLimit::disable()),
        )
        .route(
            "/can-bo/ho-so/{code}/chung-thuc",
            axum::routing::post(dossier::certify).layer(axum::extract::DefaultBodyLimit::disable()),
        )
        .route(
            "/can-bo/ho-so/{code}/phieu-kiem-soat",
            get(forms::control_slip),
        )
        // GET comes here when the language is switched on a page an action answered (a 409
        // or a 422): back to the dossier, not a 405.
        .route(
            "/can-bo/ho-so/{code}/{action}",
            get(|Path((code, _)): Path<(String, String)>| async move {
                Redirect::to(&format!(
                    "/can-bo/ho-so/{}",
                    crate::auth::encode_component(&code)
                ))
            })
            .post(dossier::act),
        )
}
