//! Attachments on the server: content-addressed blobs, uploaded in chunks
//! that resume where they stopped, checked against their SHA-256 address
//! before anyone can download them, and readable only by people who may see
//! a case that refers to them.
//!
//! A case is linked to a file only when someone who may change that case has
//! uploaded every byte of it and the bytes hash to the address. Knowing a
//! file's hash is therefore never enough to reach it. The server still stores
//! each file once, however many cases upload it.

use axum::http::StatusCode;
use doorstep_protocol::attachments::{
    AttachmentStatus, MAX_ATTACHMENT_BYTES, MAX_ATTACHMENT_CHUNK_BYTES, is_sha256_address,
};
use doorstep_protocol::error::codes;
use serde::Deserialize;
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::api::ApiFailure;
use crate::audit::AuditEvent;
use crate::cases::check_case_id;
use crate::http::AppState;
use crate::sessions::Caller;
use crate::storage::{AttachmentState, Storage};

/// `PUT /v1/attachments/{sha256}?case_id=…&size=…&offset=…`
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChunkPlacement {
    pub case_id: String,
    pub size: u64,
    pub offset: u64,
}

fn not_found(sha256: &str) -> ApiFailure {
    ApiFailure::new(
        StatusCode::NOT_FOUND,
        codes::NOT_FOUND,
        format!(
            "There is no attachment {} that you may see. Check that its case is yours, and that its upload finished.",
            sha256.chars().take(64).collect::<String>()
        ),
    )
}

fn status(sha256: &str, state: AttachmentState) -> AttachmentStatus {
    AttachmentStatus {
        sha256: sha256.to_owned(),
        size: u64::try_from(state.size).unwrap_or_default(),
        received: u64::try_from(state.received).unwrap_or_default(),
        complete: state.complete,
    }
}

fn check_address(sha256: &str) -> Result<(), ApiFailure> {
    if is_sha256_address(sha256) {
        Ok(())
    } else {
        Err(ApiFailure::bad_request(
            "An attachment's address is the SHA-256 of its bytes: 64 lowercase hex digits.",
        ))
    }
}

/// Whether the caller may see at least one case that refers to the attachment.
async fn may_see<S: Storage>(
    state: &AppState<S>,
    caller: &Caller,
    sha256: &str,
) -> Result<bool, ApiFailure> {
    let reader = caller.reader();
    Ok(state
        .storage
        .attachment_cases(sha256)
        .await?
        .iter()
        .any(|facts| reader.may_see(facts)))
}

pub async fn upload_chunk<S: Storage>(
    state: &AppState<S>,
    caller: &Caller,
    sha256: &str,
    placement: ChunkPlacement,
    bytes: Vec<u8>,
) -> Result<AttachmentStatus, ApiFailure> {
    check_address(sha256)?;
    if placement.size == 0 || placement.size > MAX_ATTACHMENT_BYTES {
        return Err(ApiFailure::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            codes::PAYLOAD_TOO_LARGE,
            format!(
                "An attachment must be 1 byte to {} MiB. Make large videos smaller, or keep them in the council's document system.",
                MAX_ATTACHMENT_BYTES / (1024 * 1024)
            ),
        ));
    }
    if bytes.len() > MAX_ATTACHMENT_CHUNK_BYTES {
        return Err(ApiFailure::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            codes::PAYLOAD_TOO_LARGE,
            format!(
                "Send attachments in pieces of at most {} KiB.",
                MAX_ATTACHMENT_CHUNK_BYTES / 1024
            ),
        ));
    }
    if bytes.is_empty() || placement.offset.saturating_add(bytes.len() as u64) > placement.size {
        return Err(ApiFailure::bad_request(
            "The piece is empty or runs past the end of the file: check `offset` and `size`.",
        ));
    }
    let case = writable_case(state, caller, &placement.case_id).await?;
    let size = i64::try_from(placement.size).unwrap_or(i64::MAX);
    let offset = i64::try_from(placement.offset).unwrap_or(i64::MAX);

    if state.storage.attachment_linked(sha256, &case).await? {
        return Ok(AttachmentStatus {
            sha256: sha256.to_owned(),
            size: placement.size,
            received: placement.size,
            complete: true,
        });
    }
    let length = i64::try_from(bytes.len()).unwrap_or(i64::MAX);
    let after = state
        .storage
        .append_upload_chunk(sha256, &case, size, offset, bytes)
        .await?;
    if after.complete {
        return Ok(status(sha256, after));
    }
    if after.size != size {
        return Err(ApiFailure::new(
            StatusCode::CONFLICT,
            "upload_size_differs",
            format!(
                "An upload of this file to this case is under way with size {} bytes, not {size}. Check the file, or finish that upload.",
                after.size
            ),
        ));
    }
    if after.received != offset + length {
        return Err(ApiFailure::new(
            StatusCode::CONFLICT,
            "upload_offset",
            format!(
                "The server holds {} bytes of this file. Send the next piece from offset {}.",
                after.received, after.received
            ),
        ));
    }
    if after.received < after.size {
        return Ok(status(sha256, after));
    }
    let uploaded = state.storage.upload_bytes(sha256, &case).await?;
    let digest = tokio::task::spawn_blocking(move || hex::encode(Sha256::digest(&uploaded)))
        .await
        .map_err(|error| {
            ApiFailure::bad_request(format!("The file could not be checked: {error}"))
        })?;
    if digest != sha256 {
        // The same last piece sent twice: the first request may have finished it.
        if state.storage.attachment_linked(sha256, &case).await? {
            return Ok(status(
                sha256,
                AttachmentState {
                    complete: true,
                    ..after
                },
            ));
        }
        state.storage.discard_upload(sha256, &case).await?;
        return Err(ApiFailure::bad_request(format!(
            "The file's bytes do not match its address (they hash to {digest}). Nothing was kept; upload the file again from the start."
        )));
    }
    state
        .storage
        .finish_upload(
            sha256,
            &case,
            AuditEvent::new("attachment_uploaded")
                .by(caller.user.name.clone())
                .device(caller.device.id.clone(), caller.device_time.clone())
                .case(case.clone())
                .detail(json!({ "sha256": sha256, "size": size })),
        )
        .await?;
    Ok(status(
        sha256,
        AttachmentState {
            complete: true,
            ..after
        },
    ))
}

/// The case, if the caller may change it; otherwise it answers like a missing case.
async fn writable_case<S: Storage>(
    state: &AppState<S>,
    caller: &Caller,
    case_id: &str,
) -> Result<String, ApiFailure> {
    check_case_id(case_id)?;
    let reader = caller.reader();
    state
        .storage
        .case_record(case_id)
        .await?
        .filter(|record| {
            reader
                .may_change(Some(&record.facts), &record.facts)
                .is_ok()
        })
        .map(|record| record.case_id)
        .ok_or_else(|| ApiFailure::case_not_found(case_id))
}

/// `GET /v1/attachments/{sha256}/status?case_id=…`
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StatusQuery {
    pub case_id: String,
}

pub async fn upload_status<S: Storage>(
    state: &AppState<S>,
    caller: &Caller,
    sha256: &str,
    case_id: &str,
) -> Result<AttachmentStatus, ApiFailure> {
    check_address(sha256)?;
    let case = writable_case(state, caller, case_id).await?;
    if state.storage.attachment_linked(sha256, &case).await? {
        let size = state
            .storage
            .attachment_size(sha256)
            .await?
            .unwrap_or_default();
        return Ok(status(
            sha256,
            AttachmentState {
                size,
                received: size,
                complete: true,
            },
        ));
    }
    let current = state
        .storage
        .upload_state(sha256, &case)
        .await?
        .ok_or_else(|| not_found(sha256))?;
    Ok(status(sha256, current))
}

/// The header that carries a file's whole size with each downloaded piece.
pub const SIZE_HEADER: &str = "x-doorstep-size";

/// `GET /v1/attachments/{sha256}?offset=…&length=…`: one piece of a file,
/// so a download over a weak signal resumes where it stopped.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PieceQuery {
    #[serde(default)]
    pub offset: u64,
    #[serde(default)]
    pub length: Option<u64>,
}

/// The bytes asked for, and the whole file's size.
pub async fn download<S: Storage>(
    state: &AppState<S>,
    caller: &Caller,
    sha256: &str,
    piece: &PieceQuery,
) -> Result<(Vec<u8>, u64), ApiFailure> {
    check_address(sha256).map_err(|_| not_found(sha256))?;
    let stored = state.storage.attachment_size(sha256).await?.is_some();
    if !stored || !may_see(state, caller, sha256).await? {
        return Err(not_found(sha256));
    }
    let bytes = state.storage.attachment_bytes(sha256).await?;
    let size = bytes.len() as u64;
    if piece.offset > size || piece.length == Some(0) {
        return Err(ApiFailure::bad_request(format!(
            "The file is {size} bytes: ask for a piece that starts before its end and has a length of at least 1."
        )));
    }
    let start = usize::try_from(piece.offset).unwrap_or(usize::MAX);
    let end = match piece.length {
        Some(length) => usize::try_from(piece.offset.saturating_add(length))
            .unwrap_or(usize::MAX)
            .min(bytes.len()),
        None => bytes.len(),
    };
    // Audited once per download, at its first piece, not once per piece.
    if piece.offset == 0 {
        state
            .storage
            .record_audit(vec![
                AuditEvent::new("attachment_downloaded")
                    .by(caller.user.name.clone())
                    .device(caller.device.id.clone(), caller.device_time.clone())
                    .detail(json!({ "sha256": sha256 })),
            ])
            .await?;
    }
    let piece = bytes[start..end].to_vec();
    state
        .metrics
        .record_sync_bytes(crate::metrics::Direction::Sent, piece.len());
    Ok((piece, size))
}
