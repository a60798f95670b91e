//! Task news by e-mail and webhook (issue 7 §2): the operator subscribes an agency's
//! addresses; each change of a task queues its news for the agencies concerned in the
//! change's own transaction; reminders are queued as deadlines approach
//! ([`Services::queue_reminders`]); a worker delivers what is due
//! ([`Services::deliver_notifications`]) through [`motcua_notify::Transports`], recording
//! each attempt, and failures are retried with growing delays until delivered or given up.
//!
//! In the app, reminders need no queue: the task pages mark what is due soon or overdue
//! from the tasks themselves ([`Services::task_todos`]).

use chrono::{Datelike, TimeDelta};
use motcua_domain::authz::{Action, Scope, Target};
use motcua_domain::event::EventMeta;
use motcua_domain::notification::{
    ChannelKind, DeliveryStatus, Notification, NotificationEvent, NotificationKind, RetryRules,
    Subscription, apply, check_address,
};
use motcua_domain::task::Task;
use motcua_domain::task::reminder::{Reminder, ReminderRules, due_reminder};
use motcua_notify::{Destination, Message, Transports};
use motcua_storage::notifications::{self as store, NotificationQuery, StoredSubscription};
use motcua_storage::steering::allocate_number;
use motcua_storage::{StoreError, Tx};

use crate::accounts::authorize;
use crate::portal::VIETNAM;
use crate::{Acting, ServiceError, ServiceResult, Services};

/// When reminders are due, how failed deliveries are retried, and where webhooks may go.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NotificationSettings {
    /// Reminders before and after deadlines (default: 3 and 1 working days, and overdue).
    pub reminders: ReminderRules,
    /// Retries of failed deliveries.
    pub retry: RetryRules,
    /// Whether webhooks may be subscribed on this machine or a private network (the
    /// operator's choice, off by default: request forgery).
    pub allow_private_webhooks: bool,
}

/// What one delivery round did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct DeliveryRound {
    /// Delivered.
    pub delivered: u64,
    /// Failed and to be retried.
    pub retrying: u64,
    /// Failed and given up.
    pub abandoned: u64,
}

/// The agencies that hear of `kind` about `task`.
fn recipients(task: &Task, kind: NotificationKind) -> Vec<&str> {
    let a = &task.assignment;
    let lead_and_coordinators = || {
        std::iter::once(a.lead.as_str())
            .chain(a.coordinators.iter().map(String::as_str))
            .collect()
    };
    match kind {
        NotificationKind::Assigned | NotificationKind::Cancelled => lead_and_coordinators(),
        NotificationKind::ExtensionRequested | NotificationKind::CompletionReported => {
            vec![a.assigner.as_str()]
        }
        NotificationKind::Reminder {
            reminder: Reminder::Overdue,
        } => vec![a.lead.as_str(), a.assigner.as_str()],
        NotificationKind::Reminder { .. }
        | NotificationKind::ExtensionDecided { .. }
        | NotificationKind::CompletionDecided { .. } => vec![a.lead.as_str()],
    }
}

/// What identifies the news `kind` of `task`: a change by the version it made, a reminder by
/// its kind and the deadline it is about.
fn news_of(task: &Task, kind: NotificationKind) -> String {
    match kind {
        NotificationKind::Reminder { reminder } => reminder.key(&task.id, task.deadline),
        _ => format!("{}:{}:v{}", task.id, kind.as_str(), task.version),
    }
}

/// A notification's dedupe key: one per news, subscription and agency.
fn news_key(news: &str, subscription: &str, agency: &str) -> String {
    format!("{news}:{subscription}:{agency}")
}

/// What the news says, Vietnamese then English.
fn headline(kind: NotificationKind) -> (String, String) {
    let (vi, en) = match kind {
        NotificationKind::Assigned => ("Nhiệm vụ mới được giao", "New task assigned"),
        NotificationKind::Reminder {
            reminder: Reminder::DueWithin(days),
        } => {
            return (
                format!("Nhiệm vụ sắp đến hạn (còn {days} ngày làm việc)"),
                format!("Task due within {days} working day(s)"),
            );
        }
        NotificationKind::Reminder {
            reminder: Reminder::Overdue,
        } => ("Nhiệm vụ đã quá hạn", "Task overdue"),
        NotificationKind::ExtensionRequested => ("Đề nghị gia hạn nhiệm vụ", "Extension requested"),
        NotificationKind::ExtensionDecided { granted: true } => {
            ("Đồng ý gia hạn nhiệm vụ", "Extension granted")
        }
        NotificationKind::ExtensionDecided { granted: false } => {
            ("Không đồng ý gia hạn nhiệm vụ", "Extension refused")
        }
        NotificationKind::CompletionReported => (
            "Báo cáo hoàn thành nhiệm vụ chờ xem xét",
            "Completion reported, awaiting review",
        ),
        NotificationKind::CompletionDecided { accepted: true } => {
            ("Công nhận hoàn thành nhiệm vụ", "Completion accepted")
        }
        NotificationKind::CompletionDecided { accepted: false } => {
            ("Trả lại báo cáo hoàn thành", "Completion returned")
        }
        NotificationKind::Cancelled => ("Nhiệm vụ đã được thu hồi", "Task cancelled"),
    };
    (vi.to_owned(), en.to_owned())
}

impl Services {
    /// The same services with other reminder and retry settings.
    pub fn with_notification_settings(mut self, settings: NotificationSettings) -> Services {
        self.notifications = std::sync::Arc::new(settings);
        self
    }

    /// The reminder and retry settings in force.
    pub fn notification_settings(&self) -> &NotificationSettings {
        &self.notifications
    }

    /// The name of an agency, or its code when unknown.
    async fn agency_display_name(&self, code: &str) -> ServiceResult<String> {
        Ok(self
            .agency(code)
            .await?
            .map_or_else(|| code.to_owned(), |a| a.agency.name))
    }

    /// Queues the news `kind` of `task` for every subscription of the agencies that hear of
    /// it, in the change's transaction `tx`; how many were queued (one per task, news and
    /// subscription: queuing again does nothing).
    pub(crate) async fn queue_task_news(
        &self,
        tx: &mut Tx,
        task: &Task,
        kind: NotificationKind,
        meta: &EventMeta,
    ) -> ServiceResult<u64> {
        let which = news_of(task, kind);
        let (title_vi, title_en) = headline(kind);
        let a = &task.assignment;
        let (lead, assigner) = (
            self.agency_display_name(&a.lead).await?,
            self.agency_display_name(&a.assigner).await?,
        );
        let deadline = task.deadline.format("%d/%m/%Y").to_string();
        let url = format!("{}/can-bo/nhiem-vu/{}", self.signing.public_url(), task.id);
        let subject = format!("[motcua] {title_vi}: {} / {title_en}", a.title);
        let body = format!(
            "{title_vi}\n\nNhiệm vụ {id}: {title}\nĐơn vị giao: {assigner}\nĐơn vị chủ trì: {lead}\n\
             Thời hạn: {deadline}\nTiến độ: {progress} %\nXem: {url}\n\n---\n{title_en}\n\n\
             Task {id}: {title}\nAssigned by: {assigner}\nLead: {lead}\nDeadline: {deadline}\n\
             Progress: {progress} %\nOpen: {url}\n",
            id = task.id,
            title = a.title,
            progress = task.progress,
        );
        let payload = serde_json::json!({
            "news": kind,
            "title": {"vi": title_vi, "en": title_en},
            "task": {
                "id": task.id,
                "title": a.title,
                "assigner": a.assigner,
                "lead": a.lead,
                "coordinators": a.coordinators,
                "deadline": task.deadline,
                "due": task.due,
                "progress": task.progress,
                "version": task.version,
                "url": url,
            },
        });
        let year = meta.at.with_timezone(&VIETNAM).year();
        let mut queued = 0;
        let mut agencies = recipients(task, kind);
        agencies.dedup();
        for agency in agencies {
            for sub in store::active_for(tx, agency).await? {
                let key = news_key(&which, &sub.id, agency);
                // Queued once; a number is taken only for what is new.
                if store::is_queued(tx, &key).await? {
                    continue;
                }
                let n = allocate_number(tx, "TB", year).await?;
                let notification = Notification {
                    id: format!("TB-{year}-{n:06}"),
                    key,
                    task: task.id.clone(),
                    kind,
                    agency: agency.to_owned(),
                    subscription: sub.id.clone(),
                    channel: sub.channel,
                    address: sub.address.clone(),
                    subject: subject.clone(),
                    body: body.clone(),
                    payload: payload.clone(),
                    queued_at: meta.at,
                    attempts: 0,
                    next_attempt_at: None,
                    last_error: None,
                    delivered_at: None,
                    abandoned_at: None,
                    version: 0,
                };
                if store::queue(tx, &notification, meta).await? {
                    queued += 1;
                }
            }
        }
        Ok(queued)
    }

    /// Subscribes an address to the task news of `agency` (of every agency with `None`).
    ///
    /// # Errors
    /// [`ServiceError::Invalid`] for a bad address or an unknown agency;
    /// [`ServiceError::Forbidden`] without [`Action::ManageNotifications`] for the agency
    /// (for every agency: system administrators only).
    pub async fn subscribe(
        &self,
        acting: &Acting,
        agency: Option<String>,
        channel: ChannelKind,
        address: &str,
    ) -> ServiceResult<Subscription> {
        let address = check_address(channel, address).map_err(ServiceError::Invalid)?;
        if channel == ChannelKind::Webhook
            && !self.notifications.allow_private_webhooks
            && motcua_notify::is_private_url(&address)
        {
            return Err(ServiceError::Invalid(format!(
                "address: «{address}» là địa chỉ nội bộ; chỉ gửi webhook đến địa chỉ công khai / «{address}» is a private address; webhooks go to public addresses only"
            )));
        }
        let agency = agency
            .map(|a| a.trim().to_owned())
            .filter(|a| !a.is_empty());
        let principal = self.principal(acting).await?;
        let target = match &agency {
            Some(code) => {
                if self.agency(code).await?.is_none() {
                    return Err(ServiceError::Invalid(format!(
                        "agency: không có cơ quan mã «{code}» / there is no agency «{code}»"
                    )));
                }
                Target::agency(code)
            }
            None => Target::INSTALLATION,
        };
        authorize(&principal, Action::ManageNotifications, &target)?;
        let year = self.now().with_timezone(&VIETNAM).year();
        let mut tx = self.store().begin().await?;
        let n = allocate_number(&mut tx, "DK", year).await?;
        let subscription = Subscription {
            id: format!("DK-{year}-{n:04}"),
            agency,
            channel,
            address,
        };
        store::subscribe(&mut tx, &subscription, &self.meta(acting)).await?;
        tx.commit().await?;
        Ok(subscription)
    }

    fn subscription_target(subscription: &Subscription) -> Target {
        subscription
            .agency
            .as_deref()
            .map_or(Target::INSTALLATION, Target::agency)
    }

    /// Ends a subscription: nothing more is queued for it.
    ///
    /// # Errors
    /// Not found; [`ServiceError::Forbidden`]; [`ServiceError::Refused`] when it already
    /// ended.
    pub async fn unsubscribe(&self, acting: &Acting, id: &str) -> ServiceResult<()> {
        let found = self.store().find_subscription(id).await?.ok_or_else(|| {
            ServiceError::Store(StoreError::NotFound {
                what: format!("đăng ký nhận thông báo / subscription {id}"),
            })
        })?;
        let principal = self.principal(acting).await?;
        // Another agency's subscription does not exist for the reader.
        if motcua_domain::authz::authorize(
            &principal,
            Action::ManageNotifications,
            &Self::subscription_target(&found.subscription),
        )
        .is_err()
        {
            return Err(ServiceError::Store(StoreError::NotFound {
                what: format!("đăng ký nhận thông báo / subscription {id}"),
            }));
        }
        if found.ended_at.is_some() {
            return Err(ServiceError::Refused(format!(
                "đăng ký {id} đã kết thúc / subscription {id} has ended"
            )));
        }
        let mut tx = self.store().begin().await?;
        store::unsubscribe(&mut tx, id, found.version, &self.meta(acting)).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The subscriptions `acting` manages: its agency's, or all for a system administrator.
    ///
    /// # Errors
    /// [`ServiceError::Forbidden`] without [`Action::ManageNotifications`].
    pub async fn subscriptions_for(
        &self,
        acting: &Acting,
    ) -> ServiceResult<Vec<StoredSubscription>> {
        let principal = self.principal(acting).await?;
        let own = match &principal.scope {
            Scope::Agency(a) => Target::agency(a),
            _ => Target::INSTALLATION,
        };
        authorize(&principal, Action::ManageNotifications, &own)?;
        Ok(self
            .store()
            .subscriptions()
            .await?
            .into_iter()
            .filter(|s| {
                motcua_domain::authz::authorize(
                    &principal,
                    Action::ManageNotifications,
                    &Self::subscription_target(&s.subscription),
                )
                .is_ok()
            })
            .collect())
    }

    /// A page of the notifications `acting` may follow, newest first: with a task, that
    /// task's (for whoever reads the task); otherwise those of the agencies it manages.
    ///
    /// # Errors
    /// [`ServiceError::Forbidden`]; not found for a task out of scope.
    pub async fn notifications_for(
        &self,
        acting: &Acting,
        mut query: NotificationQuery,
    ) -> ServiceResult<(Vec<Notification>, i64)> {
        let principal = self.principal(acting).await?;
        if let Some(task) = query.task.clone() {
            self.task_visible(acting, &task).await?;
        } else {
            match &principal.scope {
                Scope::Agency(a) => {
                    authorize(&principal, Action::ManageNotifications, &Target::agency(a))?;
                    query.agency = Some(a.clone());
                }
                _ => {
                    let target = query
                        .agency
                        .as_deref()
                        .map_or(Target::INSTALLATION, Target::agency);
                    authorize(&principal, Action::ManageNotifications, &target)?;
                }
            }
        }
        let (mut found, total) = self.store().list_notifications(&query).await?;
        // Where an agency's news goes (addresses, URLs that may carry tokens) and why it
        // failed are for those who manage that agency's subscriptions.
        for n in &mut found {
            let manages = motcua_domain::authz::authorize(
                &principal,
                Action::ManageNotifications,
                &Target::agency(&n.agency),
            )
            .is_ok();
            if !manages {
                n.address = String::new();
                n.last_error = None;
                n.payload = serde_json::Value::Null;
            }
        }
        Ok((found, total))
    }

    /// Queues again a notification that was given up (after the address was mended).
    ///
    /// # Errors
    /// Not found; [`ServiceError::Forbidden`]; [`ServiceError::Refused`] when it was not
    /// given up.
    pub async fn retry_notification(
        &self,
        acting: &Acting,
        id: &str,
    ) -> ServiceResult<Notification> {
        let not_found = || {
            ServiceError::Store(StoreError::NotFound {
                what: format!("thông báo / notification {id}"),
            })
        };
        let found = self
            .store()
            .find_notification(id)
            .await?
            .ok_or_else(not_found)?;
        let principal = self.principal(acting).await?;
        if motcua_domain::authz::authorize(
            &principal,
            Action::ManageNotifications,
            &Target::agency(&found.agency),
        )
        .is_err()
        {
            return Err(not_found());
        }
        let meta = self.meta(acting);
        let mut tx = self.store().begin().await?;
        let current = store::find_in(&mut tx, id).await?.ok_or_else(not_found)?;
        let event = NotificationEvent::Retried;
        let next = apply(Some(current.clone()), &event, meta.at).map_err(ServiceError::Refused)?;
        store::record(&mut tx, current.version, &[event], &next, &meta).await?;
        tx.commit().await?;
        Ok(next)
    }

    /// Queues the reminders due now for every open task whose deadline is near or passed
    /// (the settings' rules), once each; how many were queued. Run by the server's worker
    /// every minute, and by `motcua reminders run`.
    ///
    /// # Errors
    /// Storage failures.
    pub async fn queue_reminders(&self) -> ServiceResult<u64> {
        let rules = &self.notifications.reminders;
        if rules.before.is_empty() && !rules.overdue {
            return Ok(0);
        }
        let now = self.now();
        // A calendar day and a half per working day, plus a fortnight for Tết, bounds the
        // tasks a "within N working days" reminder can be due for.
        let most = i64::from(rules.before.iter().copied().max().unwrap_or(0));
        let horizon = now + TimeDelta::hours(36 * most) + TimeDelta::days(14);
        // Read first, write only what is new: the scan runs every minute, and on SQLite a
        // write transaction holds the one writer.
        let subscriptions: Vec<_> = self
            .store()
            .subscriptions()
            .await?
            .into_iter()
            .filter(|s| s.ended_at.is_none())
            .map(|s| s.subscription)
            .collect();
        if subscriptions.is_empty() {
            return Ok(0);
        }
        let acting = Acting::cli("reminders");
        let meta = self.meta(&acting);
        let mut queued = 0;
        for task in self.store().open_tasks_due_before(horizon).await? {
            let calendar = self
                .agency_calendar_or_default(&task.assignment.lead)
                .await?;
            let reminder = due_reminder(&task, &calendar, now, rules)
                .map_err(|e| ServiceError::Internal(format!("calendar: {e}")))?;
            let Some(reminder) = reminder else {
                continue;
            };
            let kind = NotificationKind::Reminder { reminder };
            let news = news_of(&task, kind);
            let keys: Vec<String> = recipients(&task, kind)
                .into_iter()
                .flat_map(|agency| {
                    let news = &news;
                    subscriptions
                        .iter()
                        .filter(move |s| s.agency.as_deref().is_none_or(|a| a == agency))
                        .map(move |s| news_key(news, &s.id, agency))
                })
                .collect();
            if keys.is_empty() || self.store().notifications_queued(&keys).await? == keys.len() {
                continue;
            }
            let mut tx = self.store().begin().await?;
            // As it stands now: reported or closed since it was read, it needs no reminder.
            let current = motcua_storage::steering::find_task_in(&mut tx, &task.id).await?;
            if current.is_none_or(|t| t.version != task.version) {
                continue;
            }
            queued += self.queue_task_news(&mut tx, &task, kind, &meta).await?;
            tx.commit().await?;
        }
        if queued > 0 {
            tracing::info!(queued, "queued task reminders");
        }
        Ok(queued)
    }

    /// Delivers up to `limit` notifications whose attempt is due, recording each attempt;
    /// a failure is retried later or, when permanent or too frequent, given up.
    ///
    /// # Errors
    /// Storage failures (a delivery failure is recorded, not returned).
    pub async fn deliver_notifications(
        &self,
        transports: &Transports,
        limit: i64,
    ) -> ServiceResult<DeliveryRound> {
        let mut round = DeliveryRound::default();
        let acting = Acting::cli("notifier");
        for n in self.store().due_notifications(self.now(), limit).await? {
            let to = match n.channel {
                ChannelKind::Email => Destination::Email(n.address.clone()),
                ChannelKind::Webhook => Destination::Webhook(n.address.clone()),
            };
            let message = Message {
                id: n.id.clone(),
                subject: n.subject.clone(),
                body: n.body.clone(),
                payload: n.payload.clone(),
            };
            // A subscription ended since: its news stops here, recorded as given up.
            let ended = self
                .store()
                .find_subscription(&n.subscription)
                .await?
                .is_none_or(|s| s.ended_at.is_some());
            let result = if ended {
                Err(None)
            } else {
                transports.send(&to, &message).await.map_err(Some)
            };
            let at = self.now();
            let event = match result {
                Err(None) => NotificationEvent::AttemptFailed {
                    error: format!(
                        "đăng ký {} đã kết thúc / subscription {} has ended",
                        n.subscription, n.subscription
                    ),
                    next_attempt_at: None,
                },
                Ok(delivered) => NotificationEvent::Delivered {
                    detail: delivered.detail,
                },
                Err(Some(e)) => NotificationEvent::AttemptFailed {
                    error: e.to_string(),
                    next_attempt_at: self.notifications.retry.next_attempt(
                        n.attempts + 1,
                        e.is_permanent(),
                        at,
                    ),
                },
            };
            let meta = self.meta(&acting);
            let mut tx = self.store().begin().await?;
            let Some(current) = store::find_in(&mut tx, &n.id).await? else {
                continue;
            };
            // Another worker got to it first.
            if current.version != n.version {
                continue;
            }
            let next =
                apply(Some(current.clone()), &event, meta.at).map_err(ServiceError::Internal)?;
            store::record(&mut tx, current.version, &[event], &next, &meta).await?;
            tx.commit().await?;
            match next.status() {
                DeliveryStatus::Delivered => round.delivered += 1,
                DeliveryStatus::Pending => round.retrying += 1,
                DeliveryStatus::Abandoned => {
                    tracing::warn!(notification.id = %next.id, error = next.last_error.as_deref().unwrap_or(""), "gave up delivering a notification");
                    round.abandoned += 1;
                }
            }
        }
        Ok(round)
    }

    /// The notifier: every `every`, queues the reminders due and delivers what is due,
    /// until the future is dropped. Failures are logged and tried again at the next round;
    /// they never stop the loop.
    pub async fn run_notifier(&self, transports: Transports, every: std::time::Duration) {
        let mut tick = tokio::time::interval(every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            if let Err(e) = self.queue_reminders().await {
                tracing::warn!(error = %e, "could not queue task reminders");
            }
            // Deliver in rounds of 50 until nothing due is left (or a round makes no progress).
            loop {
                match self.deliver_notifications(&transports, 50).await {
                    Ok(round) if round.delivered + round.retrying + round.abandoned == 50 => {}
                    Ok(_) => break,
                    Err(e) => {
                        tracing::warn!(error = %e, "could not deliver notifications");
                        break;
                    }
                }
            }
        }
    }
}
