//! `/can-bo/thong-bao`: where an agency's task news is sent by e-mail or webhook, and how
//! each delivery went (issue 7 §2: "delivery failures are retried and visible"). Agency
//! administrators manage their agency's subscriptions; system administrators every one,
//! including those for every agency. A notification given up can be queued again.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use motcua_domain::authz::Scope;
use motcua_domain::notification::{ChannelKind, DeliveryStatus};
use motcua_service::ServiceError;
use motcua_storage::notifications::NotificationQuery;
use serde::Deserialize;

use super::tasks::Names;
use super::{Fields, OfficeNav, private};
use crate::AppState;
use crate::auth::{CsrfForm, Staff};
use crate::error::{AppError, PageError};
use crate::ui::{Chrome, render};

const PAGE: &str = "/can-bo/thong-bao";

/// A subscription as the page lists it.
pub struct SubscriptionRow {
    id: String,
    agency: String,
    channel: &'static str,
    address: String,
    since: String,
    ended: String,
}

/// A notification as the page lists it.
pub struct DeliveryRow {
    id: String,
    task: String,
    subject: String,
    to: String,
    status: &'static str,
    abandoned: bool,
    attempts: u32,
    next: String,
    error: String,
}

fn channel_key(c: ChannelKind) -> &'static str {
    match c {
        ChannelKind::Email => "steering.channel.email",
        ChannelKind::Webhook => "steering.channel.webhook",
    }
}

/// `/can-bo/thong-bao`.
#[derive(Template)]
#[template(path = "office/notifications.html")]
pub struct NotificationsPage {
    chrome: Chrome,
    nav: OfficeNav,
    csrf: String,
    subscriptions: Vec<SubscriptionRow>,
    deliveries: Vec<DeliveryRow>,
    total: i64,
    status: String,
    /// Whether the reader may subscribe for any agency (else only its own).
    everywhere: bool,
    own_agency: String,
    form: Fields,
    error: Option<String>,
    saved: bool,
}

/// The query of the page.
#[derive(Debug, Deserialize, Default)]
pub struct PageQuery {
    #[serde(rename = "trang-thai")]
    status: Option<String>,
    #[serde(rename = "da-luu")]
    saved: Option<String>,
}

async fn build(
    state: &AppState,
    chrome: Chrome,
    staff: &Staff,
    status: Option<String>,
    form: Fields,
    error: Option<String>,
    saved: bool,
) -> Result<NotificationsPage, PageError> {
    let t = chrome.t;
    let subscriptions = state.services.subscriptions_for(&staff.acting).await?;
    let (deliveries, total) = state
        .services
        .notifications_for(
            &staff.acting,
            NotificationQuery {
                status: status.clone(),
                limit: 200,
                ..NotificationQuery::default()
            },
        )
        .await?;
    let codes = subscriptions
        .iter()
        .filter_map(|s| s.subscription.agency.clone())
        .chain(deliveries.iter().map(|d| d.agency.clone()))
        .collect();
    let names = Names::of(state, codes).await?;
    let subscriptions = subscriptions
        .iter()
        .map(|s| SubscriptionRow {
            id: s.subscription.id.clone(),
            agency: s.subscription.agency.as_deref().map_or_else(
                || t.t("steering.notifications.every_agency").to_owned(),
                |a| names.get(a),
            ),
            channel: channel_key(s.subscription.channel),
            address: s.subscription.address.clone(),
            since: t.datetime(&s.created_at),
            ended: s.ended_at.map(|e| t.datetime(&e)).unwrap_or_default(),
        })
        .collect();
    let deliveries = deliveries
        .iter()
        .map(|n| DeliveryRow {
            id: n.id.clone(),
            task: n.task.clone(),
            subject: n.subject.clone(),
            to: format!("{} — {}", names.get(&n.agency), n.address),
            status: match n.status() {
                DeliveryStatus::Pending => "steering.delivery.pending",
                DeliveryStatus::Delivered => "steering.delivery.delivered",
                DeliveryStatus::Abandoned => "steering.delivery.abandoned",
            },
            abandoned: n.status() == DeliveryStatus::Abandoned,
            attempts: n.attempts,
            next: n
                .next_attempt_at
                .map(|at| t.datetime(&at))
                .unwrap_or_default(),
            error: n.last_error.clone().unwrap_or_default(),
        })
        .collect();
    let own_agency = staff.account().agency.clone().unwrap_or_default();
    Ok(NotificationsPage {
        nav: OfficeNav::of(staff),
        csrf: staff.csrf().to_owned(),
        subscriptions,
        deliveries,
        total,
        status: status.unwrap_or_default(),
        everywhere: matches!(staff.principal.scope, Scope::Everywhere),
        own_agency,
        form,
        error,
        saved,
        chrome,
    })
}

/// `GET /can-bo/thong-bao?trang-thai=`.
pub async fn page(
    State(state): State<AppState>,
    chrome: Chrome,
    staff: Staff,
    Query(query): Query<PageQuery>,
) -> Result<Response, PageError> {
    let status = query
        .status
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty());
    if let Some(s) = &status
        && DeliveryStatus::parse(s).is_none()
    {
        return Err(PageError(AppError::invalid(
            "trang-thai",
            "tình trạng phải là pending, delivered hoặc abandoned",
            "the status must be pending, delivered or abandoned",
        )));
    }
    let saved = query.saved.is_some();
    let page = build(
        &state,
        chrome,
        &staff,
        status,
        Fields::default(),
        None,
        saved,
    )
    .await?;
    Ok(private(StatusCode::OK, render(&page)?))
}

/// `POST /can-bo/thong-bao/dang-ky`: a new subscription.
pub async fn subscribe(
    State(state): State<AppState>,
    chrome: Chrome,
    staff: Staff,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let fields = Fields::new(pairs);
    let outcome = match ChannelKind::parse(fields.get("channel")) {
        None => Err(ServiceError::Invalid(
            "channel: hãy chọn thư điện tử hoặc webhook / choose e-mail or webhook".into(),
        )),
        Some(channel) => {
            let agency = Some(fields.get("agency").to_owned()).filter(|a| !a.is_empty());
            state
                .services
                .subscribe(&staff.acting, agency, channel, fields.get("address"))
                .await
        }
    };
    match outcome {
        Ok(_) => Ok(Redirect::to(&format!("{PAGE}?da-luu=1")).into_response()),
        Err(ServiceError::Invalid(m) | ServiceError::Refused(m)) => {
            let page = build(&state, chrome, &staff, None, fields, Some(m), false).await?;
            Ok(private(StatusCode::UNPROCESSABLE_ENTITY, render(&page)?))
        }
        Err(e) => Err(e.into()),
    }
}

/// `POST /can-bo/thong-bao/dang-ky/{id}/huy`: ends a subscription.
pub async fn unsubscribe(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
    CsrfForm(_): CsrfForm<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    state.services.unsubscribe(&staff.acting, &id).await?;
    Ok(Redirect::to(&format!("{PAGE}?da-luu=1")).into_response())
}

/// `POST /can-bo/thong-bao/{id}/gui-lai`: queues a notification given up again.
pub async fn retry(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
    CsrfForm(_): CsrfForm<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    state
        .services
        .retry_notification(&staff.acting, &id)
        .await?;
    Ok(Redirect::to(&format!("{PAGE}?da-luu=1")).into_response())
}
