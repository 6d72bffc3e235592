//! Running the server: bind, serve, and stop cleanly when asked.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use tokio::net::TcpListener;

use crate::http;
use crate::storage::StorageError;
use crate::storage::sqlite::SqliteStorage;

#[derive(Debug, Clone)]
pub struct ServeOptions {
    pub listen: SocketAddr,
    pub data_dir: PathBuf,
}

#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error(transparent)]
    Storage(#[from] StorageError),
    #[error(
        "Could not listen on {address}: {source}. Choose a free port with --listen, or stop the program that holds it."
    )]
    Bind {
        address: SocketAddr,
        source: std::io::Error,
    },
    #[error("The server stopped unexpectedly: {0}")]
    Io(#[from] std::io::Error),
}

/// Serves until SIGTERM or Ctrl-C, then lets in-flight requests finish and returns.
///
/// `on_listening` is told the bound address, which differs from the requested
/// one when the port was 0.
pub async fn serve(
    options: ServeOptions,
    on_listening: impl FnOnce(SocketAddr),
) -> Result<(), ServeError> {
    let data_dir = options.data_dir.clone();
    let storage = tokio::task::spawn_blocking(move || SqliteStorage::open(&data_dir))
        .await
        .map_err(|error| ServeError::Io(std::io::Error::other(error)))??;
    tracing::info!(database = %storage.path().display(), backend = "sqlite", "storage ready");

    let listener = TcpListener::bind(options.listen)
        .await
        .map_err(|source| ServeError::Bind {
            address: options.listen,
            source,
        })?;
    let address = listener.local_addr()?;
    tracing::info!(%address, version = doorstep_core::DOORSTEP_VERSION, "listening");
    on_listening(address);

    axum::serve(listener, http::router(Arc::new(storage)))
        .with_graceful_shutdown(shutdown_requested())
        .await?;
    tracing::info!("stopped cleanly; every in-flight request was answered");
    Ok(())
}

async fn shutdown_requested() {
    let interrupt = async {
        if let Err(error) = tokio::signal::ctrl_c().await {
            tracing::error!(%error, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(error) => {
                tracing::error!(%error, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();

    tokio::select! {
        () = interrupt => tracing::info!("Ctrl-C received; finishing in-flight requests"),
        () = terminate => tracing::info!("SIGTERM received; finishing in-flight requests"),
    }
}
