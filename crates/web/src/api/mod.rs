//! The JSON API under `/api/v1`.

use axum::Router;
use axum::routing::get;

use crate::AppState;
use crate::error::{ApiError, AppError};

async fn not_found() -> ApiError {
    ApiError(AppError::NotFound(
        "không có tài nguyên này / no such resource".into(),
    ))
}

async fn root() -> axum::Json<serde_json::Value> {
    axum::Json(serde_json::json!({
        "name": "motcua",
        "version": env!("CARGO_PKG_VERSION"),
    }))
}

/// The API routes (nested under `/api/v1` by [`crate::router`]).
pub fn router() -> Router<AppState> {
    Router::new().route("/", get(root)).fallback(not_found)
}
