//! What every handler shares: the services and the web configuration.

use std::sync::Arc;

use motcua_service::Services;
use motcua_service::accounts::SessionPolicy;
use serde::{Deserialize, Serialize};

use crate::auth::oidc::{Oidc, OidcConfig};
use crate::auth::rate_limit::{LoginLimiter, LoginLimits};

/// Configuration of the web faces.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct WebConfig {
    /// Address to listen on.
    pub listen: String,
    /// Public base URL, for links in printed slips (e.g. `https://dichvucong.bacninh.gov.vn`).
    pub public_url: String,
    /// Largest request body accepted, in bytes (uploads included).
    pub max_body_bytes: usize,
    /// Seconds a request may take before it is answered with a timeout.
    pub request_timeout_secs: u64,
    /// Serve cookies with `Secure` (behind TLS).
    pub secure_cookies: bool,
    /// How long sessions last.
    pub sessions: SessionPolicy,
    /// Sign-in through an external e-ID provider (OpenID Connect); `None` hides the e-ID
    /// button.
    #[serde(default)]
    pub oidc: Option<OidcConfig>,
    /// Limits of failed sign-ins per login and per client address.
    #[serde(default)]
    pub login_limits: LoginLimits,
    /// The header a trusted reverse proxy puts the client's address in (e.g.
    /// `x-forwarded-for`; its last entry is used). `None`: the TCP peer's address. Set it only
    /// when clients cannot reach the server except through that proxy, or they could forge it.
    #[serde(default)]
    pub client_ip_header: Option<String>,
}

impl Default for WebConfig {
    fn default() -> Self {
        WebConfig {
            listen: "127.0.0.1:8080".into(),
            public_url: "http://127.0.0.1:8080".into(),
            max_body_bytes: 20 * 1024 * 1024,
            request_timeout_secs: 30,
            secure_cookies: false,
            sessions: SessionPolicy::default(),
            oidc: None,
            login_limits: LoginLimits::default(),
            client_ip_header: None,
        }
    }
}

/// The state of the web application; cheap to clone.
#[derive(Debug, Clone)]
pub struct AppState {
    /// The use cases.
    pub services: Services,
    /// The web configuration.
    pub config: Arc<WebConfig>,
    /// The e-ID relying party, when [`WebConfig::oidc`] is set (and valid).
    pub oidc: Option<Arc<Oidc>>,
    /// Failed sign-ins, per login and per client address.
    pub login_limiter: Arc<LoginLimiter>,
}

impl AppState {
    /// State over `services` with `config`.
    ///
    /// An invalid [`WebConfig::oidc`] is logged and leaves e-ID sign-in off; check it first
    /// with [`OidcConfig::validate`] to refuse to start instead (`motcua serve` does). The
    /// services print [`WebConfig::public_url`] in verification QR codes.
    pub fn new(services: Services, config: WebConfig) -> AppState {
        let services = services.with_public_url(&config.public_url);
        let oidc = config.oidc.clone().and_then(|c| match Oidc::new(c) {
            Ok(oidc) => Some(Arc::new(oidc)),
            Err(e) => {
                tracing::error!(error = %e, "e-ID sign-in disabled: invalid configuration");
                None
            }
        });
        let login_limiter = Arc::new(LoginLimiter::new(config.login_limits));
        AppState {
            services,
            config: Arc::new(config),
            oidc,
            login_limiter,
        }
    }
}
