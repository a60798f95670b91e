//! `motcua tasks …` and `motcua reminders …`: assigned tasks from the command line, and the
//! reminder and delivery round a cron job can run instead of `motcua serve`'s worker.

use std::io::Write;

use clap::Subcommand;
use motcua_domain::notification::ChannelKind;
use motcua_domain::task::{TaskStatus, classify};
use motcua_service::Acting;
use motcua_storage::StoreConfig;
use motcua_storage::steering::TaskQuery;

use crate::commands::serve::NotifyArgs;

/// Task commands.
#[derive(Debug, Subcommand)]
pub enum TasksCommand {
    /// List tasks, overdue first: all, or those an agency leads.
    List {
        /// Only tasks led by this agency (identifier code).
        #[arg(long)]
        lead: Option<String>,
        /// Only tasks with this status now: done_on_time, done_late, open_within_time,
        /// open_overdue.
        #[arg(long)]
        status: Option<String>,
        /// Print JSON for machines.
        #[arg(long)]
        json: bool,
    },
    /// Print a task with its whole history (the audit trail).
    Show {
        /// Task id, e.g. NV-2026-00042.
        id: String,
        /// Print JSON for machines.
        #[arg(long)]
        json: bool,
    },
}

/// Reminder commands.
#[derive(Debug, Subcommand)]
pub enum RemindersCommand {
    /// One round: queue the reminders due now and deliver what is due (for cron, when no
    /// `motcua serve` runs the worker).
    Run(NotifyArgs),
    /// Subscribe an e-mail address or a webhook to an agency's task news (every agency's
    /// without --agency).
    Subscribe {
        /// The agency (identifier code).
        #[arg(long)]
        agency: Option<String>,
        /// An e-mail address.
        #[arg(long, conflicts_with = "webhook", required_unless_present = "webhook")]
        email: Option<String>,
        /// A webhook URL (http:// or https://).
        #[arg(long)]
        webhook: Option<String>,
        /// Accept a webhook on this machine or a private network (as `motcua serve
        /// --webhook-allow-private`).
        #[arg(long, env = "MOTCUA_WEBHOOK_ALLOW_PRIVATE")]
        webhook_allow_private: bool,
    },
    /// End a subscription.
    Unsubscribe {
        /// Its id, e.g. DK-2026-0001.
        id: String,
    },
    /// List the subscriptions.
    List,
}

/// Runs a task command.
pub async fn run(command: TasksCommand, config: &StoreConfig) -> anyhow::Result<()> {
    let services = crate::services(config).await?;
    let now = services.now();
    let mut out = std::io::stdout().lock();
    match command {
        TasksCommand::List { lead, status, json } => {
            let status = match status.as_deref() {
                None => None,
                Some(s) => Some(TaskStatus::parse(s).ok_or_else(|| {
                    anyhow::anyhow!(
                        "--status: «{s}» phải là done_on_time, done_late, open_within_time hoặc open_overdue / must be done_on_time, done_late, open_within_time or open_overdue"
                    )
                })?),
            };
            let mut query = TaskQuery::all(now);
            query.leads = lead.into_iter().collect();
            query.status = status;
            query.limit = 1_000;
            let (tasks, total) = services.store().list_tasks(&query).await?;
            if json {
                serde_json::to_writer_pretty(
                    &mut out,
                    &serde_json::json!({"total": total, "tasks": tasks}),
                )?;
                writeln!(out)?;
                return Ok(());
            }
            writeln!(out, "{total} nhiệm vụ / tasks")?;
            for t in &tasks {
                let status = classify(t, now).map_or("cancelled", TaskStatus::as_str);
                writeln!(
                    out,
                    "{}  {}  {:>3} %  {:<16}  {} → {}  {}",
                    t.id,
                    t.deadline.format("%d/%m/%Y"),
                    t.progress,
                    status,
                    t.assignment.assigner,
                    t.assignment.lead,
                    t.assignment.title
                )?;
            }
        }
        TasksCommand::Show { id, json } => {
            let acting = Acting::cli("tasks-show");
            let detail = services.task_for(&acting, &id).await?;
            let task = &detail.task;
            if json {
                let history: Vec<_> = detail
                    .history
                    .iter()
                    .map(|h| serde_json::json!({"version": h.version, "at": h.at, "actor": h.actor, "channel": h.channel, "event": h.event}))
                    .collect();
                serde_json::to_writer_pretty(
                    &mut out,
                    &serde_json::json!({
                        "task": task,
                        "status": detail.status.map(TaskStatus::as_str),
                        "children": detail.children.iter().map(|c| &c.task.id).collect::<Vec<_>>(),
                        "roll_up": detail.roll_up,
                        "history": history,
                    }),
                )?;
                writeln!(out)?;
                return Ok(());
            }
            let a = &task.assignment;
            writeln!(out, "Nhiệm vụ / task {}: {}", task.id, a.title)?;
            writeln!(
                out,
                "  giao / assigned by: {}  chủ trì / lead: {}",
                a.assigner, a.lead
            )?;
            writeln!(
                out,
                "  thời hạn / deadline: {} (hết lúc / ends {})  tình trạng / status: {}  tiến độ / progress: {} %",
                task.deadline.format("%d/%m/%Y"),
                task.due,
                detail.status.map_or("cancelled", TaskStatus::as_str),
                task.progress
            )?;
            if let Some(r) = detail.roll_up {
                writeln!(
                    out,
                    "  nhiệm vụ con / sub-tasks: {} — {r} %",
                    detail.children.len()
                )?;
            }
            for h in &detail.history {
                let kind = h.event.as_ref().map_or("?", |e| e.kind());
                writeln!(
                    out,
                    "  {}  v{}  {kind:<20} {} ({})",
                    h.at,
                    h.version,
                    h.actor.id,
                    h.actor.role.as_str()
                )?;
            }
        }
    }
    Ok(())
}

/// Runs a reminder command.
pub async fn reminders(command: RemindersCommand, config: &StoreConfig) -> anyhow::Result<()> {
    let services = crate::services(config).await?;
    let acting = Acting::cli("reminders");
    let mut out = std::io::stdout().lock();
    match command {
        RemindersCommand::Run(args) => {
            let (services, transports) = args.apply(services)?;
            let queued = services.queue_reminders().await?;
            let mut delivered = 0;
            let mut retrying = 0;
            let mut abandoned = 0;
            loop {
                let round = services.deliver_notifications(&transports, 50).await?;
                delivered += round.delivered;
                retrying += round.retrying;
                abandoned += round.abandoned;
                if round.delivered + round.retrying + round.abandoned < 50 {
                    break;
                }
            }
            writeln!(
                out,
                "nhắc hạn đã xếp / reminders queued: {queued}; đã gửi / delivered: {delivered}; sẽ gửi lại / to retry: {retrying}; dừng gửi / given up: {abandoned}"
            )?;
        }
        RemindersCommand::Subscribe {
            agency,
            email,
            webhook,
            webhook_allow_private,
        } => {
            let services = services.with_notification_settings(
                motcua_service::notifications::NotificationSettings {
                    allow_private_webhooks: webhook_allow_private,
                    ..Default::default()
                },
            );
            let (channel, address) = match (email, webhook) {
                (Some(e), _) => (ChannelKind::Email, e),
                (None, Some(w)) => (ChannelKind::Webhook, w),
                (None, None) => anyhow::bail!("--email hoặc / or --webhook"),
            };
            let s = services
                .subscribe(&acting, agency, channel, &address)
                .await?;
            writeln!(out, "đã đăng ký / subscribed: {}", s.id)?;
        }
        RemindersCommand::Unsubscribe { id } => {
            services.unsubscribe(&acting, &id).await?;
            writeln!(out, "đã hủy / ended: {id}")?;
        }
        RemindersCommand::List => {
            for s in services.subscriptions_for(&acting).await? {
                let sub = &s.subscription;
                writeln!(
                    out,
                    "{}  {:<8} {:<16} {}{}",
                    sub.id,
                    sub.channel.as_str(),
                    sub.agency.as_deref().unwrap_or("*"),
                    sub.address,
                    if s.ended_at.is_some() {
                        "  (đã hủy / ended)"
                    } else {
                        ""
                    }
                )?;
            }
        }
    }
    Ok(())
}
