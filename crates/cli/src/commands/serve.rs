//! `motcua serve`: the portal, the back office and the JSON API.

use anyhow::Context as _;
use clap::Args;
use motcua_storage::StoreConfig;
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
    let services = crate::services(config).await?;
    let listener = tokio::net::TcpListener::bind(&args.listen)
        .await
        .with_context(|| format!("không mở được cổng / cannot listen on {}", args.listen))?;
    let address = listener.local_addr()?;
    let web = WebConfig {
        listen: address.to_string(),
        public_url: args
            .public_url
            .unwrap_or_else(|| format!("http://{address}")),
        ..WebConfig::default()
    };
    println!(
        "motcua đang phục vụ tại / is serving at http://{address}  (Ctrl-C để dừng / to stop)"
    );
    motcua_web::serve(listener, AppState::new(services, web), shutdown_signal()).await?;
    Ok(())
}
