//! `motcua serve`: the portal, the back office and the JSON API.

use anyhow::Context as _;
use clap::Args;
use motcua_storage::StoreConfig;
use motcua_web::auth::LoginLimits;
use motcua_web::auth::oidc::{CALLBACK_PATH, OidcConfig, OidcSecret};
use motcua_web::{AppState, WebConfig};

/// Options of `motcua serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "MOTCUA_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: String,
    /// Public base URL printed on slips and QR codes (default: http://LISTEN).
    #[arg(long, env = "MOTCUA_PUBLIC_URL")]
    pub public_url: Option<String>,
    /// Sign-in through an external e-ID provider (OpenID Connect).
    #[command(flatten)]
    pub oidc: OidcArgs,
    /// The header a trusted reverse proxy puts the client's address in (e.g.
    /// x-forwarded-for; its last entry is used). Without it, the TCP peer's address is used
    /// for the login rate limit. Set it only if clients cannot bypass the proxy.
    #[arg(long, env = "MOTCUA_CLIENT_IP_HEADER")]
    pub client_ip_header: Option<String>,
    /// Failed sign-ins allowed per login within the window.
    #[arg(long, env = "MOTCUA_LOGIN_LIMIT_PER_LOGIN", default_value_t = LoginLimits::default().per_login)]
    pub login_limit_per_login: u32,
    /// Failed sign-ins allowed per client address within the window.
    #[arg(long, env = "MOTCUA_LOGIN_LIMIT_PER_IP", default_value_t = LoginLimits::default().per_ip)]
    pub login_limit_per_ip: u32,
    /// The fee schedule of electronic certified copies, e.g.
    /// first_pages=2,first_price=2000,later_price=1000,cap=200000 (the default, Circular
    /// 226/2016/TT-BTC); keys left out keep their default.
    #[arg(long, env = "MOTCUA_CERTIFICATION_FEES")]
    pub certification_fees: Option<motcua_domain::document::CertificationFees>,
    /// The window of the login limits, in seconds.
    #[arg(long, env = "MOTCUA_LOGIN_LIMIT_WINDOW_SECS", default_value_t = LoginLimits::default().window_secs)]
    pub login_limit_window_secs: i64,
    /// Task news by e-mail and webhook, and reminders.
    #[command(flatten)]
    pub notify: NotifyArgs,
}

/// How task news and reminders leave: `motcua serve` and `motcua reminders run`.
#[derive(Debug, Args)]
pub struct NotifyArgs {
    /// The mail server for task news, e.g. smtp://user:password@mail.example.vn:587
    /// (STARTTLS) or smtps://…:465; without it, e-mail subscriptions fail and are shown so.
    /// Prefer the environment variable: a command line is visible to other users.
    #[arg(long, env = "MOTCUA_SMTP_URL", hide_env_values = true)]
    pub smtp_url: Option<String>,
    /// The sender of task news.
    #[arg(
        long,
        env = "MOTCUA_MAIL_FROM",
        default_value = "motcua <no-reply@localhost>"
    )]
    pub mail_from: String,
    /// A secret that signs each webhook body (HMAC-SHA256 in X-Motcua-Signature).
    #[arg(long, env = "MOTCUA_WEBHOOK_SECRET", hide_env_values = true)]
    pub webhook_secret: Option<String>,
    /// When to remind of a task's deadline: working days before it, and `overdue` for once
    /// after it (🔶 no rule applies; empty reminds of nothing).
    #[arg(long, env = "MOTCUA_TASK_REMINDERS", default_value = "3,1,overdue")]
    pub task_reminders: String,
    /// Let webhooks go to this machine or a private network (off by default: whoever
    /// subscribes a webhook could otherwise make the server call internal services).
    #[arg(long, env = "MOTCUA_WEBHOOK_ALLOW_PRIVATE")]
    pub webhook_allow_private: bool,
    /// Seconds between two rounds of reminders and deliveries.
    #[arg(long, env = "MOTCUA_NOTIFY_INTERVAL_SECS", default_value_t = 30,
          value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub notify_interval_secs: u64,
}

impl NotifyArgs {
    /// The services with these reminder rules, and the transports.
    pub fn apply(
        &self,
        services: motcua_service::Services,
    ) -> anyhow::Result<(motcua_service::Services, motcua_notify::Transports)> {
        let reminders = motcua_domain::task::reminder::ReminderRules::parse(&self.task_reminders)
            .map_err(|e| anyhow::anyhow!("--task-reminders: {e}"))?;
        let settings = motcua_service::notifications::NotificationSettings {
            reminders,
            allow_private_webhooks: self.webhook_allow_private,
            ..Default::default()
        };
        let transports = motcua_notify::Transports::new(motcua_notify::TransportSettings {
            smtp: self
                .smtp_url
                .clone()
                .map(|url| motcua_notify::SmtpSettings {
                    url,
                    from: self.mail_from.clone(),
                }),
            webhook_secret: self.webhook_secret.clone(),
            timeout: std::time::Duration::from_secs(10),
            allow_private: self.webhook_allow_private,
        })
        .map_err(|e| anyhow::anyhow!("{e}"))?;
        Ok((services.with_notification_settings(settings), transports))
    }
}

/// The e-ID provider options of `motcua serve`; e-ID sign-in is on when the issuer is set.
#[derive(Debug, Args)]
pub struct OidcArgs {
    /// The provider's issuer URL (discovery at ISSUER/.well-known/openid-configuration).
    #[arg(long = "oidc-issuer", env = "MOTCUA_OIDC_ISSUER")]
    pub issuer: Option<String>,
    /// This installation's client id at the provider.
    #[arg(long = "oidc-client-id", env = "MOTCUA_OIDC_CLIENT_ID")]
    pub client_id: Option<String>,
    /// The client secret. Prefer the environment variable: a command line is visible to
    /// other users of the machine.
    #[arg(
        long = "oidc-client-secret",
        env = "MOTCUA_OIDC_CLIENT_SECRET",
        hide_env_values = true
    )]
    pub client_secret: Option<String>,
    /// The redirect URL registered at the provider (default: PUBLIC_URL/dang-nhap/eid/ve).
    #[arg(long = "oidc-redirect-url", env = "MOTCUA_OIDC_REDIRECT_URL")]
    pub redirect_url: Option<String>,
    /// Scopes asked for besides openid, comma-separated.
    #[arg(
        long = "oidc-scopes",
        env = "MOTCUA_OIDC_SCOPES",
        value_delimiter = ',',
        default_value = "profile"
    )]
    pub scopes: Vec<String>,
    /// The claim with the 12-digit personal identification number.
    #[arg(
        long = "oidc-personal-id-claim",
        env = "MOTCUA_OIDC_PERSONAL_ID_CLAIM",
        default_value = "personal_id"
    )]
    pub personal_id_claim: String,
    /// The claim with the person's full name.
    #[arg(
        long = "oidc-name-claim",
        env = "MOTCUA_OIDC_NAME_CLAIM",
        default_value = "name"
    )]
    pub name_claim: String,
    /// The claim that tells the e-ID level.
    #[arg(
        long = "oidc-level-claim",
        env = "MOTCUA_OIDC_LEVEL_CLAIM",
        default_value = "acr"
    )]
    pub level_claim: String,
    /// Values of the level claim that mean e-ID level 2, comma-separated.
    #[arg(
        long = "oidc-level2-values",
        env = "MOTCUA_OIDC_LEVEL2_VALUES",
        value_delimiter = ',',
        default_value = "2"
    )]
    pub level2_values: Vec<String>,
}

impl OidcArgs {
    /// The configuration, when an issuer is given.
    fn config(self, public_url: &str) -> anyhow::Result<Option<OidcConfig>> {
        let Some(issuer) = self.issuer else {
            return Ok(None);
        };
        let client_id = self.client_id.context(
            "--oidc-client-id (MOTCUA_OIDC_CLIENT_ID) là bắt buộc khi có --oidc-issuer / \
             is required with --oidc-issuer",
        )?;
        let redirect_url = self
            .redirect_url
            .unwrap_or_else(|| format!("{}{CALLBACK_PATH}", public_url.trim_end_matches('/')));
        let config = OidcConfig {
            scopes: self.scopes,
            personal_id_claim: self.personal_id_claim,
            name_claim: self.name_claim,
            level_claim: self.level_claim,
            level2_values: self.level2_values,
            ..OidcConfig::new(
                issuer,
                client_id,
                self.client_secret.map(OidcSecret::new),
                redirect_url,
            )
        };
        config.validate().map_err(|e| {
            anyhow::anyhow!("cấu hình OIDC không hợp lệ / invalid OIDC configuration: {e}")
        })?;
        Ok(Some(config))
    }
}

/// Waits for Ctrl-C or SIGTERM.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down: finishing requests in flight");
}

/// Serves until Ctrl-C or SIGTERM.
pub async fn run(args: ServeArgs, config: &StoreConfig) -> anyhow::Result<()> {
    let mut services = crate::services(config).await?;
    if let Some(fees) = args.certification_fees {
        services = services.with_certification_fees(fees);
    }
    let (services, transports) = args.notify.apply(services)?;
    let listener = tokio::net::TcpListener::bind(&args.listen)
        .await
        .with_context(|| format!("không mở được cổng / cannot listen on {}", args.listen))?;
    let address = listener.local_addr()?;
    let public_url = args
        .public_url
        .unwrap_or_else(|| format!("http://{address}"));
    let oidc = args.oidc.config(&public_url)?;
    let web = WebConfig {
        listen: address.to_string(),
        // Behind TLS (an https public URL), cookies are sent over TLS only.
        secure_cookies: public_url.starts_with("https://"),
        public_url,
        oidc,
        login_limits: LoginLimits {
            per_login: args.login_limit_per_login,
            per_ip: args.login_limit_per_ip,
            window_secs: args.login_limit_window_secs,
        },
        client_ip_header: args.client_ip_header,
        ..WebConfig::default()
    };
    println!(
        "motcua đang phục vụ tại / is serving at http://{address}  (Ctrl-C để dừng / to stop)"
    );
    let state = AppState::new(services, web);
    // Reminders and deliveries beside the requests; dropped with the server.
    let notifier = {
        let services = state.services.clone();
        let every = std::time::Duration::from_secs(args.notify.notify_interval_secs);
        tokio::spawn(async move { services.run_notifier(transports, every).await })
    };
    let served = motcua_web::serve(listener, state, shutdown_signal()).await;
    notifier.abort();
    served?;
    Ok(())
}
