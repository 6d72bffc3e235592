//! HTTP routes. Handlers are thin: they translate between HTTP and the
//! session and case services, which do the work through the storage trait.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::{ConnectInfo, DefaultBodyLimit, MatchedPath, Path, Query, Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use doorstep_protocol::error::codes;
use doorstep_protocol::session::{RefreshRequest, SessionTokens, SignInRequest};
use doorstep_protocol::sync::{CaseList, MAX_MESSAGE_BYTES, SyncRequest, SyncResponse};
use doorstep_protocol::{HealthReport, HealthStatus, ReadinessReport, StorageReadiness};
use serde::Deserialize;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

use crate::accounts::ThrottlePolicy;
use crate::api::{ApiFailure, ApiJson};
use crate::attachments;
use crate::cases::{self, CaseDocumentResponse};
use crate::metrics::Metrics;
use crate::sessions::{self, Caller};
use crate::storage::Storage;
use crate::team;
use crate::tls::PeerAddress;
use crate::tokens::TokenLifetimes;
use doorstep_protocol::attachments::AttachmentStatus;
use doorstep_protocol::team::{AccessRecord, DeviceAuditReceipt, DeviceAuditUpload, TeamOverview};

/// A request that takes longer than this is answered 408 rather than left hanging.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// What every handler can reach. Everything that must be shared between
/// server nodes lives in storage; only metrics counters are per node.
#[derive(Debug)]
pub struct AppState<S> {
    pub storage: Arc<S>,
    pub throttle: ThrottlePolicy,
    pub tokens: TokenLifetimes,
    pub metrics: Arc<Metrics>,
}

impl<S> Clone for AppState<S> {
    fn clone(&self) -> Self {
        Self {
            storage: Arc::clone(&self.storage),
            throttle: self.throttle,
            tokens: self.tokens,
            metrics: Arc::clone(&self.metrics),
        }
    }
}

impl<S: Storage> AppState<S> {
    pub fn new(storage: Arc<S>) -> Self {
        Self {
            storage,
            throttle: ThrottlePolicy::default(),
            tokens: TokenLifetimes::default(),
            metrics: Arc::new(Metrics::default()),
        }
    }
}

/// Every route the server answers, as (method, path). `/openapi.json`
/// describes exactly these; a test holds the two together.
pub const ROUTES: &[(&str, &str)] = &[
    ("GET", "/healthz"),
    ("GET", "/readyz"),
    ("GET", "/metrics"),
    ("GET", "/openapi.json"),
    ("POST", "/v1/session"),
    ("DELETE", "/v1/session"),
    ("POST", "/v1/session/refresh"),
    ("POST", "/v1/device/wiped"),
    ("GET", "/v1/cases"),
    ("GET", "/v1/cases/{case_id}"),
    ("POST", "/v1/sync"),
    ("PUT", "/v1/attachments/{sha256}"),
    ("GET", "/v1/attachments/{sha256}"),
    ("GET", "/v1/attachments/{sha256}/status"),
    ("POST", "/v1/audit"),
    ("GET", "/v1/team"),
    ("GET", "/v1/team/audit"),
];

/// The API description, written by hand and checked against [`ROUTES`].
pub const OPENAPI: &str = include_str!("../openapi.json");

pub fn router<S: Storage>(state: AppState<S>) -> Router {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz::<S>))
        .route("/metrics", get(metrics::<S>))
        .route("/openapi.json", get(openapi))
        .route("/v1/session", post(sign_in::<S>).delete(sign_out::<S>))
        .route("/v1/session/refresh", post(refresh::<S>))
        .route("/v1/device/wiped", post(confirm_wipe::<S>))
        .route("/v1/cases", get(list_cases::<S>))
        .route("/v1/cases/{case_id}", get(read_case::<S>))
        .route("/v1/sync", post(sync::<S>))
        .route(
            "/v1/attachments/{sha256}",
            axum::routing::put(upload_attachment::<S>).get(download_attachment::<S>),
        )
        .route(
            "/v1/attachments/{sha256}/status",
            get(attachment_status::<S>),
        )
        .route("/v1/audit", post(record_device_audit::<S>))
        .route("/v1/team", get(team_overview::<S>))
        .route("/v1/team/audit", get(team_access_record::<S>))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(DefaultBodyLimit::max(MAX_MESSAGE_BYTES))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            count_request::<S>,
        ))
        // Sync bodies are gzip-compressed both ways. Decompression wraps the
        // body, so the 8 MiB limit above applies to the decompressed bytes
        // and a small "zip bomb" is refused like any oversized body.
        .layer(tower_http::decompression::RequestDecompressionLayer::new())
        .layer(tower_http::compression::CompressionLayer::new())
        .layer(TraceLayer::new_for_http())
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            REQUEST_TIMEOUT,
        ))
        .with_state(state)
}

async fn not_found() -> ApiFailure {
    ApiFailure::new(
        StatusCode::NOT_FOUND,
        codes::NOT_FOUND,
        "There is no such endpoint. The API is described at /openapi.json.",
    )
}

async fn method_not_allowed() -> ApiFailure {
    ApiFailure::new(
        StatusCode::METHOD_NOT_ALLOWED,
        codes::BAD_REQUEST,
        "This endpoint does not take that method. The API is described at /openapi.json.",
    )
}

async fn count_request<S: Storage>(
    State(state): State<AppState<S>>,
    request: Request,
    next: Next,
) -> Response {
    let started = std::time::Instant::now();
    let method = request.method().as_str().to_owned();
    // The route pattern, not the path, so case ids never become labels.
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |path| path.as_str().to_owned());
    let response = next.run(request).await;
    state.metrics.record_request(
        &method,
        &route,
        response.status().as_u16(),
        started.elapsed(),
    );
    response
}

async fn metrics<S: Storage>(State(state): State<AppState<S>>) -> Result<Response, ApiFailure> {
    let devices = state.storage.devices().await?;
    let day_ago =
        doorstep_core::dates::Timestamp(crate::storage::now_millis() - 24 * 60 * 60 * 1000)
            .to_rfc3339();
    let active = devices
        .iter()
        .filter(|device| device.revoked_at.is_none() && device.last_seen_at >= day_ago)
        .count();
    let revoked = devices
        .iter()
        .filter(|device| device.revoked_at.is_some())
        .count();
    Ok((
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        state.metrics.render(active, revoked),
    )
        .into_response())
}

async fn openapi() -> Response {
    ([(header::CONTENT_TYPE, "application/json")], OPENAPI).into_response()
}

async fn healthz() -> Json<HealthReport> {
    Json(HealthReport::ok())
}

async fn readyz<S: Storage>(
    State(state): State<AppState<S>>,
) -> (StatusCode, Json<ReadinessReport>) {
    let storage = &state.storage;
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

async fn sign_in<S: Storage>(
    State(state): State<AppState<S>>,
    ConnectInfo(PeerAddress(peer)): ConnectInfo<PeerAddress>,
    ApiJson(request): ApiJson<SignInRequest>,
) -> Result<Json<SessionTokens>, ApiFailure> {
    sessions::sign_in(&state, peer.ip(), request)
        .await
        .map(Json)
}

async fn refresh<S: Storage>(
    State(state): State<AppState<S>>,
    ApiJson(request): ApiJson<RefreshRequest>,
) -> Result<Json<SessionTokens>, ApiFailure> {
    sessions::refresh(&state, request).await.map(Json)
}

async fn confirm_wipe<S: Storage>(
    State(state): State<AppState<S>>,
    headers: axum::http::HeaderMap,
) -> Result<StatusCode, ApiFailure> {
    sessions::confirm_wipe(&state, &headers).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn sign_out<S: Storage>(
    State(state): State<AppState<S>>,
    caller: Caller,
) -> Result<StatusCode, ApiFailure> {
    let device_time = caller.device_time.clone();
    sessions::sign_out(&state, &caller, device_time).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ListQuery {
    #[serde(default)]
    after: i64,
    #[serde(default = "default_page")]
    limit: i64,
}

fn default_page() -> i64 {
    200
}

async fn list_cases<S: Storage>(
    State(state): State<AppState<S>>,
    caller: Caller,
    query: Result<Query<ListQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<CaseList>, ApiFailure> {
    let Query(query) = query.map_err(|rejection| {
        ApiFailure::bad_request(format!(
            "The query is not understood: {}. Use ?after=CURSOR&limit=N.",
            rejection.body_text()
        ))
    })?;
    cases::list(&state, &caller, query.after, query.limit)
        .await
        .map(Json)
}

async fn read_case<S: Storage>(
    State(state): State<AppState<S>>,
    caller: Caller,
    Path(case_id): Path<String>,
) -> Result<Json<CaseDocumentResponse>, ApiFailure> {
    cases::read(&state, &caller, &case_id).await.map(Json)
}

async fn record_device_audit<S: Storage>(
    State(state): State<AppState<S>>,
    caller: Caller,
    ApiJson(upload): ApiJson<DeviceAuditUpload>,
) -> Result<Json<DeviceAuditReceipt>, ApiFailure> {
    team::record_device_audit(&state, &caller, upload)
        .await
        .map(Json)
}

async fn team_overview<S: Storage>(
    State(state): State<AppState<S>>,
    caller: Caller,
) -> Result<Json<TeamOverview>, ApiFailure> {
    team::overview(&state, &caller).await.map(Json)
}

async fn team_access_record<S: Storage>(
    State(state): State<AppState<S>>,
    caller: Caller,
    query: Result<Query<team::AccessQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<AccessRecord>, ApiFailure> {
    let Query(query) = query.map_err(|rejection| {
        ApiFailure::bad_request(format!(
            "The query is not understood: {}. Use ?case_id=ID or ?worker=NAME, and optionally &limit=N.",
            rejection.body_text()
        ))
    })?;
    team::access_record(&state, &caller, query).await.map(Json)
}

async fn sync<S: Storage>(
    State(state): State<AppState<S>>,
    caller: Caller,
    ApiJson(request): ApiJson<SyncRequest>,
) -> Result<Json<SyncResponse>, ApiFailure> {
    cases::sync(&state, &caller, request).await.map(Json)
}

async fn upload_attachment<S: Storage>(
    State(state): State<AppState<S>>,
    caller: Caller,
    Path(sha256): Path<String>,
    placement: Result<Query<attachments::ChunkPlacement>, axum::extract::rejection::QueryRejection>,
    headers: axum::http::HeaderMap,
    body: Result<axum::body::Bytes, axum::extract::rejection::BytesRejection>,
) -> Result<Json<AttachmentStatus>, ApiFailure> {
    let Query(placement) = placement.map_err(|rejection| {
        ApiFailure::bad_request(format!(
            "Say where this piece goes: ?case_id=ID&size=BYTES&offset=BYTES ({}).",
            rejection.body_text()
        ))
    })?;
    let octets = headers
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.starts_with("application/octet-stream"));
    if !octets {
        return Err(ApiFailure::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            codes::UNSUPPORTED_MEDIA_TYPE,
            "Send attachment bytes with the header Content-Type: application/octet-stream.",
        ));
    }
    let body = body.map_err(|_| crate::api::too_large())?;
    attachments::upload_chunk(&state, &caller, &sha256, placement, body.to_vec())
        .await
        .map(Json)
}

async fn attachment_status<S: Storage>(
    State(state): State<AppState<S>>,
    caller: Caller,
    Path(sha256): Path<String>,
    query: Result<Query<attachments::StatusQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<AttachmentStatus>, ApiFailure> {
    let Query(query) = query.map_err(|rejection| {
        ApiFailure::bad_request(format!(
            "Say which case the upload is for: ?case_id=ID ({}).",
            rejection.body_text()
        ))
    })?;
    attachments::upload_status(&state, &caller, &sha256, &query.case_id)
        .await
        .map(Json)
}

async fn download_attachment<S: Storage>(
    State(state): State<AppState<S>>,
    caller: Caller,
    Path(sha256): Path<String>,
    query: Result<Query<attachments::PieceQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, ApiFailure> {
    let Query(piece) = query.map_err(|rejection| {
        ApiFailure::bad_request(format!(
            "`offset` and `length` must be whole numbers of bytes ({}).",
            rejection.body_text()
        ))
    })?;
    let (bytes, size) = attachments::download(&state, &caller, &sha256, &piece).await?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/octet-stream".to_owned()),
            (
                header::HeaderName::from_static(attachments::SIZE_HEADER),
                size.to_string(),
            ),
        ],
        bytes,
    )
        .into_response())
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    #[test]
    fn the_openapi_description_names_exactly_the_routes_the_router_serves() {
        let description: serde_json::Value = serde_json::from_str(OPENAPI).unwrap();
        let described: BTreeSet<(String, String)> = description["paths"]
            .as_object()
            .unwrap()
            .iter()
            .flat_map(|(path, operations)| {
                operations
                    .as_object()
                    .unwrap()
                    .keys()
                    .map(move |method| (method.to_uppercase(), path.clone()))
            })
            .collect();
        let routed: BTreeSet<(String, String)> = ROUTES
            .iter()
            .map(|(method, path)| ((*method).to_owned(), (*path).to_owned()))
            .collect();
        assert_eq!(described, routed);
    }
}
