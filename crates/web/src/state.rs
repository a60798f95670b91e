//! What every handler shares: the services and the web configuration.

use std::sync::Arc;

use motcua_service::Services;
use motcua_service::accounts::SessionPolicy;
use serde::{Deserialize, Serialize};

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
}

impl AppState {
    /// State over `services` with `config`.
    pub fn new(services: Services, config: WebConfig) -> AppState {
        AppState {
            services,
            config: Arc::new(config),
        }
    }
}
