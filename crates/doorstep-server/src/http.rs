//! HTTP routes. Handlers are thin: they translate between HTTP and the storage trait.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use doorstep_protocol::{HealthReport, HealthStatus, ReadinessReport, StorageReadiness};
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

use crate::storage::Storage;

/// A request that takes longer than this is answered 408 rather than left hanging.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

pub fn router<S: Storage>(storage: Arc<S>) -> Router {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz::<S>))
        .layer(TraceLayer::new_for_http())
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            REQUEST_TIMEOUT,
        ))
        .with_state(storage)
}

async fn healthz() -> Json<HealthReport> {
    Json(HealthReport::ok())
}

async fn readyz<S: Storage>(State(storage): State<Arc<S>>) -> (StatusCode, Json<ReadinessReport>) {
    let outcome = storage.check_ready().await;
    if let Err(error) = &outcome {
        tracing::warn!(%error, "storage is not ready");
    }
    let ready = outcome.is_ok();
    let report = ReadinessReport {
        status: if ready {
            HealthStatus::Ok
        } else {
            HealthStatus::Unavailable
        },
        storage: StorageReadiness {
            backend: storage.backend().to_owned(),
            ready,
            problem: outcome.err().map(|error| error.to_string()),
        },
    };
    let status = if ready {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (status, Json(report))
}
