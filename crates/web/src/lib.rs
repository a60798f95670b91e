//! The web faces of motcua: the public portal, the one-stop desk and back office
//! (server-rendered HTML) and the JSON API under `/api/v1`.
//!
//! Handlers are thin: extract, call `motcua-service`, render. No SQL and no business rules
//! here; errors meet HTTP statuses in one place ([`error`]).

pub mod api;
pub mod assets;
pub mod auth;
pub mod error;
pub mod export;
pub mod health;
pub mod i18n;
mod state;
pub mod ui;

use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::MatchedPath;
use axum::http::{HeaderName, HeaderValue, Request, header};
use axum::routing::get;
use tower::ServiceBuilder;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

pub use state::{AppState, WebConfig};

/// The header carrying each request's id (set if absent, echoed in the response).
pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// Content Security Policy: our own files only, no inline script, no framing.
const CSP: &str = "default-src 'self'; img-src 'self' data:; style-src 'self'; \
     script-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// The span of a request: method, route template (never the raw path, which may carry a
/// dossier code or a phone number) and request id.
fn request_span(request: &Request<Body>) -> tracing::Span {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or("unmatched", MatchedPath::as_str);
    let id = request
        .headers()
        .get(&REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("-");
    tracing::info_span!("request", http.method = %request.method(), http.route = route, request.id = id)
}

/// The whole application: pages, API, assets, probes and the middleware around them.
pub fn router(state: AppState) -> Router {
    let config = state.config.clone();
    let headers = [
        (header::CONTENT_SECURITY_POLICY, CSP),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::REFERRER_POLICY, "same-origin"),
        (header::X_FRAME_OPTIONS, "DENY"),
        (
            HeaderName::from_static("permissions-policy"),
            "camera=(), microphone=(), geolocation=()",
        ),
    ];
    let mut security = Router::new()
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .route("/static/{version}/{name}", get(assets::serve))
        .nest("/api/v1", api::router())
        .merge(ui::router())
        .with_state(state);
    for (name, value) in headers {
        security = security.layer(SetResponseHeaderLayer::if_not_present(
            name,
            HeaderValue::from_static(value),
        ));
    }
    security.layer(
        ServiceBuilder::new()
            .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
            .layer(TraceLayer::new_for_http().make_span_with(request_span))
            .layer(PropagateRequestIdLayer::new(REQUEST_ID))
            // Outside the limit and the timeout, so their refusals of API requests become
            // problem documents too.
            .layer(axum::middleware::from_fn(api::problems_for_outer_refusals))
            .layer(CatchPanicLayer::custom(|_| {
                error::ApiError(error::AppError::Internal("panic".into())).into_response_now()
            }))
            .layer(TimeoutLayer::with_status_code(
                axum::http::StatusCode::REQUEST_TIMEOUT,
                Duration::from_secs(config.request_timeout_secs),
            ))
            .layer(RequestBodyLimitLayer::new(config.max_body_bytes)),
    )
}

/// Serves the application on `listener` until `shutdown` resolves, then finishes the
/// requests in flight.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    // The peer's address feeds the per-address login limit (`auth::rate_limit`).
    axum::serve(
        listener,
        router(state).into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await
}
