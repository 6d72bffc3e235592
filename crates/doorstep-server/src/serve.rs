//! Running the server: bind, serve, and stop cleanly when asked.

use std::net::SocketAddr;
use std::sync::Arc;

use tokio::net::TcpListener;

use crate::config::Settings;
use crate::http;
use crate::storage::postgres::PostgresStorage;
use crate::storage::sqlite::SqliteStorage;
use crate::storage::{Storage, StorageError};
use crate::tls::{PeerAddress, TlsError, TlsListener, load_config};

pub type ServeOptions = Settings;

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
    #[error(transparent)]
    Tls(#[from] TlsError),
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
    match options.database_url.clone() {
        Some(url) => {
            let storage = PostgresStorage::connect(&url).await?;
            tracing::info!(backend = "postgres", "storage ready");
            run(storage, &options, on_listening).await
        }
        None => {
            let storage = open_sqlite(&options.data_dir).await?;
            tracing::info!(database = %storage.path().display(), backend = "sqlite", "storage ready");
            run(storage, &options, on_listening).await
        }
    }
}

/// Opens the embedded database off the async runtime (it may run migrations).
pub async fn open_sqlite(data_dir: &std::path::Path) -> Result<SqliteStorage, StorageError> {
    let data_dir = data_dir.to_owned();
    tokio::task::spawn_blocking(move || SqliteStorage::open(&data_dir))
        .await
        .map_err(|error| StorageError::Unavailable(error.to_string()))?
}

async fn run<S: Storage>(
    storage: S,
    options: &ServeOptions,
    on_listening: impl FnOnce(SocketAddr),
) -> Result<(), ServeError> {
    let listen = options.listen;
    let tls = options.tls.as_ref().map(load_config).transpose()?;
    // Take over SIGTERM and Ctrl-C before saying we are listening: a stop
    // that arrives a moment after start must still be a clean stop.
    let shutdown = shutdown_requested()?;
    let listener = TcpListener::bind(listen)
        .await
        .map_err(|source| ServeError::Bind {
            address: listen,
            source,
        })?;
    let address = listener.local_addr()?;
    tracing::info!(
        %address,
        tls = tls.is_some(),
        version = doorstep_core::DOORSTEP_VERSION,
        "listening"
    );
    on_listening(address);

    let storage = Arc::new(storage);
    let sender = crate::alerts::AlertSender::new(options.lone_working.clone())
        .map_err(|error| ServeError::Io(std::io::Error::other(error)))?;
    let watcher = tokio::spawn(crate::alerts::watch(Arc::clone(&storage), sender));
    let mut state = http::AppState::new(storage);
    state.tokens = options.tokens;
    let app = http::router(state);
    match tls {
        Some(config) => {
            axum::serve(
                TlsListener::new(listener, config)?,
                app.into_make_service_with_connect_info::<PeerAddress>(),
            )
            .with_graceful_shutdown(shutdown)
            .await?
        }
        None => {
            axum::serve(
                listener,
                app.into_make_service_with_connect_info::<PeerAddress>(),
            )
            .with_graceful_shutdown(shutdown)
            .await?
        }
    }
    watcher.abort();
    tracing::info!("stopped cleanly; every in-flight request was answered");
    Ok(())
}

/// Installs the signal handlers now, and resolves when a stop is requested.
fn shutdown_requested() -> Result<impl std::future::Future<Output = ()>, ServeError> {
    #[cfg(unix)]
    let mut terminate = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
    #[cfg(unix)]
    let mut interrupt = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::interrupt())?;
    Ok(async move {
        #[cfg(unix)]
        tokio::select! {
            _ = interrupt.recv() => tracing::info!("Ctrl-C received; finishing in-flight requests"),
            _ = terminate.recv() => tracing::info!("SIGTERM received; finishing in-flight requests"),
        }
        #[cfg(not(unix))]
        if tokio::signal::ctrl_c().await.is_ok() {
            tracing::info!("Ctrl-C received; finishing in-flight requests");
        }
    })
}
