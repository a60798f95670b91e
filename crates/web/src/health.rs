//! Liveness and readiness probes.

use axum::extract::State;
use axum::http::StatusCode;

use crate::AppState;

/// `/healthz`: the process answers.
pub async fn healthz() -> &'static str {
    "ok"
}

/// `/readyz`: the database answers too.
pub async fn readyz(State(state): State<AppState>) -> (StatusCode, &'static str) {
    match state.services.store().ping().await {
        Ok(()) => (StatusCode::OK, "ready"),
        Err(e) => {
            tracing::warn!(error = %e, "readiness check failed");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable")
        }
    }
}
