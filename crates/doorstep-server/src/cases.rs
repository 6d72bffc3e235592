//! Cases on the server: taking in devices' changes, checking access on each
//! case, storing them as change chunks, and handing out what changed since a
//! device's cursor.
//!
//! Writes use optimistic concurrency: read the case, merge off the async
//! runtime, and store only if nobody wrote in between; otherwise read again.
//! That needs no lock outside the database, so any number of server nodes
//! can share one PostgreSQL database.

use automerge::{ActorId, AutoCommit, ChangeHash, ROOT, ReadDoc};
use axum::http::StatusCode;
use doorstep_core::access::{CaseAccessFacts, Reader, WorkflowChange};
use doorstep_core::case::CaseDocument;
use doorstep_protocol::error::codes;
use doorstep_protocol::sync::{
    CaseAck, CaseChanges, CaseList, CaseRejection, CaseSummary, MAX_CASES_PER_RESPONSE,
    MAX_MESSAGE_BYTES, PushedChanges, SyncRequest, SyncResponse,
};
use doorstep_protocol::{Bytes, PROTOCOL_VERSION};
use serde::Serialize;
use serde_json::json;

use crate::api::ApiFailure;
use crate::audit::AuditEvent;
use crate::http::AppState;
use crate::sessions::Caller;
use crate::storage::{
    CaseRecord, CaseWrite, CaseWriteOutcome, OpenVisitFacts, Storage, now_rfc3339, split_heads,
};

/// A case's chunks are folded into one snapshot when there are this many.
pub const COMPACT_AFTER_CHUNKS: i64 = 32;
/// The largest a case document may grow on the server.
pub const MAX_CASE_BYTES: usize = 16 * 1024 * 1024;
/// Attempts at a write that keeps meeting concurrent writes to the same case.
const WRITE_ATTEMPTS: usize = 8;

/// The actor the server loads documents as. It never authors changes; it
/// only loads and merges them.
pub fn server_actor() -> ActorId {
    ActorId::from(b"doorstep-server".as_slice())
}

/// Refuses a case id no device would make (the rule lives in `doorstep-core`).
pub fn check_case_id(case_id: &str) -> Result<(), ApiFailure> {
    doorstep_core::case::check_id(case_id).map_err(|_| {
        ApiFailure::bad_request(format!(
            "\"{}\" is not a case id: use 1 to 40 letters, digits, '-' or '_'.",
            case_id.chars().take(60).collect::<String>()
        ))
    })
}

/// Runs automerge's decoder so that a panic inside it (automerge 0.12's
/// column decoder `hexane` panics on some malformed input; found by
/// `cargo fuzz`, kept in fuzz/regressions/pushed_changes) becomes a refusal
/// of those bytes rather than a failed request.
fn decoding<T>(decode: impl FnOnce() -> Result<T, String>) -> Result<T, String> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(decode))
        .unwrap_or_else(|_| Err("the automerge decoder could not read them".to_owned()))
}

/// Refuses malformed automerge bytes before anything is read or stored.
pub(crate) fn check_change_bytes(push: &PushedChanges) -> Result<(), ApiFailure> {
    if push.changes.0.is_empty() {
        return Err(ApiFailure::bad_request(format!(
            "The changes for case {} are empty. Leave the case out of `push` when it has no changes.",
            push.case_id
        )));
    }
    decoding(|| {
        AutoCommit::new()
            .load_incremental(&push.changes.0)
            .map(|_| ())
            .map_err(|error| error.to_string())
    })
    .map_err(|error| {
            ApiFailure::bad_request(format!(
                "The changes for case {} are not valid automerge data ({error}). Nothing was stored; send them again from the device's own document.",
                push.case_id
            ))
        })
}

fn hex_heads(heads: &[ChangeHash]) -> Vec<String> {
    heads.iter().map(|head| head.to_string()).collect()
}

/// A name that decides access, trimmed; one nobody could type is refused.
fn usable(what: &str, value: Option<String>) -> Result<Option<String>, MergeRefusal> {
    let Some(value) = value else {
        return Ok(None);
    };
    let value = value.trim();
    if value.is_empty() {
        return Ok(None);
    }
    if value.chars().count() > 200 || value.chars().any(char::is_control) {
        return Err(MergeRefusal::NotACase(format!(
            "its {what} is not a usable name"
        )));
    }
    Ok(Some(value.to_owned()))
}

/// What merging a push produced, before access is checked.
pub(crate) struct Merged {
    after: CaseAccessFacts,
    workflow: WorkflowChange,
    open_visit: Option<OpenVisitFacts>,
    status: String,
    summary: String,
    pub(crate) heads: Vec<String>,
    /// None when the push held nothing the server lacked.
    chunk: Option<(Vec<u8>, bool)>,
}

#[derive(Debug)]
pub(crate) enum MergeRefusal {
    NotACase(String),
    MissingDependencies,
    TooLarge,
}

impl MergeRefusal {
    pub(crate) fn rejection(self, case_id: &str) -> CaseRejection {
        let (code, message) = match self {
            MergeRefusal::NotACase(why) => (
                "not_a_case",
                format!("These changes do not make a valid case document ({why}). Nothing was stored."),
            ),
            MergeRefusal::MissingDependencies => (
                "missing_dependencies",
                "The server lacks earlier changes these build on. Send the whole document for this case.".to_owned(),
            ),
            MergeRefusal::TooLarge => (
                "case_too_large",
                format!(
                    "The case would be larger than the server's limit of {} MiB. Move large files to attachments.",
                    MAX_CASE_BYTES / (1024 * 1024)
                ),
            ),
        };
        CaseRejection {
            case_id: case_id.to_owned(),
            code: code.to_owned(),
            message,
        }
    }
}

/// The visit under way that ends soonest, and who is on it. Only read from
/// the whole document when the list row says a visit is under way.
pub(crate) fn open_visit_of(document: &CaseDocument, under_way: bool) -> Option<OpenVisitFacts> {
    if !under_way {
        return None;
    }
    document
        .view()
        .open_visits()
        .into_iter()
        .next()
        .map(|visit| OpenVisitFacts {
            expected_end: visit.expected_end,
            worker: visit.worker,
        })
}

/// Loads the stored chunks, applies the push, and reads the facts access needs.
pub(crate) fn merge(
    case_id: &str,
    stored: &[Vec<u8>],
    chunk_count: i64,
    pushed: &[u8],
) -> Result<Merged, MergeRefusal> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        merge_unguarded(case_id, stored, chunk_count, pushed)
    }))
    .unwrap_or_else(|_| {
        Err(MergeRefusal::NotACase(
            "the automerge decoder could not read them".into(),
        ))
    })
}

fn merge_unguarded(
    case_id: &str,
    stored: &[Vec<u8>],
    chunk_count: i64,
    pushed: &[u8],
) -> Result<Merged, MergeRefusal> {
    let existing: Vec<u8> = stored.concat();
    let (mut document, old_heads, before) = if existing.is_empty() {
        let document = CaseDocument::load(pushed, server_actor())
            .map_err(|error| MergeRefusal::NotACase(error.to_string()))?;
        (document, Vec::new(), None)
    } else {
        let mut document = CaseDocument::load(&existing, server_actor())
            .map_err(|error| MergeRefusal::NotACase(error.to_string()))?;
        let old_heads = document.heads();
        let before = (document.status(), document.review_count());
        document
            .apply_bytes(pushed)
            .map_err(|error| MergeRefusal::NotACase(error.to_string()))?;
        (document, old_heads, Some(before))
    };
    let automerge = document.automerge_mut();
    if !automerge.get_missing_deps(&[]).is_empty() {
        return Err(MergeRefusal::MissingDependencies);
    }
    let ids = automerge
        .get_all(ROOT, "case_id")
        .map_err(|error| MergeRefusal::NotACase(error.to_string()))?;
    if ids.len() != 1 || document.id() != case_id {
        return Err(MergeRefusal::NotACase(format!(
            "it is not the document of case {case_id}"
        )));
    }
    let projection = document.projection();
    let after = CaseAccessFacts {
        case_type: usable("case type", Some(projection.case_type.clone()))?
            .ok_or_else(|| MergeRefusal::NotACase("it has no case type".into()))?,
        team: usable("team", projection.team.clone())?,
        assigned_to: usable("assignee", projection.assigned_to.clone())?,
    };
    let new_heads = document.heads();
    let chunk = if existing.is_empty() {
        Some((document.save(), true))
    } else {
        if old_heads == new_heads {
            None
        } else if chunk_count + 1 >= COMPACT_AFTER_CHUNKS {
            Some((document.save(), true))
        } else {
            Some((document.automerge_mut().save_after(&old_heads), false))
        }
    };
    if let Some((bytes, compacts)) = &chunk {
        let total = if *compacts {
            bytes.len()
        } else {
            existing.len() + bytes.len()
        };
        if total > MAX_CASE_BYTES {
            return Err(MergeRefusal::TooLarge);
        }
    }
    let workflow = WorkflowChange {
        status_before: before.map(|(status, _)| status),
        status_after: projection.status,
        reviews_before: before.map_or(0, |(_, reviews)| reviews),
        reviews_after: document.review_count(),
    };
    Ok(Merged {
        after,
        workflow,
        open_visit: open_visit_of(&document, projection.open_visit_expected_end.is_some()),
        status: projection.status.as_str().to_owned(),
        summary: projection.summary,
        heads: hex_heads(&new_heads),
        chunk,
    })
}

enum PushOutcome {
    Acknowledged(CaseAck),
    Rejected(CaseRejection),
}

async fn push_one<S: Storage>(
    state: &AppState<S>,
    caller: &Caller,
    reader: &Reader,
    push: PushedChanges,
    device_time: Option<String>,
) -> Result<PushOutcome, ApiFailure> {
    for _ in 0..WRITE_ATTEMPTS {
        let record = state.storage.case_record(&push.case_id).await?;
        let not_yours = || {
            Ok(PushOutcome::Rejected(CaseRejection {
                case_id: push.case_id.clone(),
                code: "not_your_case".into(),
                message: doorstep_core::access::WriteRefusal::NotYourCase.to_string(),
            }))
        };
        // Work done on a case before its device learned that the case was
        // taken away (reassigned, moved) still lands: the write that took it
        // lies after the feed position this device was last sent.
        let mut handover = false;
        if let Some(record) = &record
            && !reader.may_see(&record.facts)
        {
            let served = caller.device.synced_cursor;
            handover = served > 0
                && (state
                    .storage
                    .access_left_scope(&reader.scope(), served, i64::MAX)
                    .await?
                    .contains(&push.case_id)
                    || past_readers(state, reader, served, i64::MAX)
                        .await?
                        .iter()
                        .any(|before| before.may_see(&record.facts)));
            if !handover {
                return not_yours();
            }
        }
        let stored: Vec<Vec<u8>> = match &record {
            Some(_) => state
                .storage
                .case_chunks(&push.case_id, 0, None)
                .await?
                .into_iter()
                .map(|chunk| chunk.bytes)
                .collect(),
            None => Vec::new(),
        };
        let chunk_count = record.as_ref().map_or(0, |record| record.chunk_count);
        let case_id = push.case_id.clone();
        let pushed = push.changes.0.clone();
        let merged =
            tokio::task::spawn_blocking(move || merge(&case_id, &stored, chunk_count, &pushed))
                .await
                .map_err(|error| {
                    ApiFailure::bad_request(format!("The changes could not be read: {error}"))
                })?;
        let merged = match merged {
            Ok(merged) => merged,
            Err(refusal) => return Ok(PushOutcome::Rejected(refusal.rejection(&push.case_id))),
        };
        let before = record.as_ref().map(|record| &record.facts);
        if handover && before != Some(&merged.after) {
            // Landing earlier work is all a former holder may do.
            return not_yours();
        }
        // A decision needs the role now, whoever held the case before.
        let allowed = if handover {
            Ok(())
        } else {
            reader.may_change(before, &merged.after)
        }
        .and_then(|()| reader.may_change_workflow(&merged.workflow));
        if let Err(refusal) = allowed {
            state
                .storage
                .record_audit(vec![
                    AuditEvent::new("change_refused")
                        .by(caller.user.name.clone())
                        .device(caller.device.id.clone(), device_time.clone())
                        .case(push.case_id.clone())
                        .detail(json!({ "reason": refusal.code() })),
                ])
                .await?;
            return Ok(PushOutcome::Rejected(CaseRejection {
                case_id: push.case_id.clone(),
                code: refusal.code().into(),
                message: refusal.to_string(),
            }));
        }
        let Some((chunk, compacts)) = merged.chunk else {
            return Ok(PushOutcome::Acknowledged(CaseAck {
                case_id: push.case_id.clone(),
                heads: merged.heads,
            }));
        };
        let outcome = state
            .storage
            .write_case(CaseWrite {
                case_id: push.case_id.clone(),
                expected_version: record.as_ref().map(|record| record.version),
                facts: merged.after.clone(),
                status: merged.status,
                summary: merged.summary,
                heads: merged.heads.join(","),
                chunk,
                compacts,
                // A compaction snapshot holds other devices' changes too, so
                // it must reach the pushing device as well; a plain chunk
                // holds only what that device sent.
                device_id: (!compacts || record.is_none()).then(|| caller.device.id.clone()),
                open_visit: merged.open_visit.clone(),
                audit: AuditEvent::new(if record.is_some() {
                    "case_changed"
                } else {
                    "case_created"
                })
                .by(caller.user.name.clone())
                .device(caller.device.id.clone(), device_time.clone())
                .case(push.case_id.clone())
                .detail(json!({
                    "team": merged.after.team,
                    "assigned_to": merged.after.assigned_to,
                    "compacted": compacts,
                    "landed_after_handover": handover,
                })),
            })
            .await?;
        match outcome {
            CaseWriteOutcome::Stored { .. } => {
                return Ok(PushOutcome::Acknowledged(CaseAck {
                    case_id: push.case_id.clone(),
                    heads: merged.heads,
                }));
            }
            CaseWriteOutcome::VersionConflict => continue,
        }
    }
    Err(ApiFailure::new(
        StatusCode::SERVICE_UNAVAILABLE,
        codes::UNAVAILABLE,
        format!(
            "Case {} is being changed by many devices at once. Your changes are safe on your device; sync again shortly.",
            push.case_id
        ),
    ))
}

/// Cases whose chunks one storage read fetches while answering a sync.
const CHUNK_READ_BATCH: usize = 64;

/// `POST /v1/sync`: stores the device's changes, then sends what changed since its cursor.
pub async fn sync<S: Storage>(
    state: &AppState<S>,
    caller: &Caller,
    request: SyncRequest,
) -> Result<SyncResponse, ApiFailure> {
    if request.protocol != PROTOCOL_VERSION {
        return Err(ApiFailure::new(
            StatusCode::BAD_REQUEST,
            codes::UNSUPPORTED_PROTOCOL,
            format!(
                "This server speaks sync protocol {PROTOCOL_VERSION}, and the device sent {}. Update Doorstep on this device.",
                request.protocol
            ),
        ));
    }
    if request.since < 0 {
        return Err(ApiFailure::bad_request(
            "`since` must be 0 or a cursor the server sent.",
        ));
    }
    let mut seen = std::collections::HashSet::new();
    for push in &request.push {
        check_case_id(&push.case_id)?;
        if !seen.insert(push.case_id.as_str()) {
            return Err(ApiFailure::bad_request(format!(
                "Case {} appears twice in `push`. Send each case's changes once.",
                push.case_id
            )));
        }
    }
    if request.full.len() > MAX_CASES_PER_RESPONSE {
        return Err(ApiFailure::bad_request(format!(
            "Ask for at most {MAX_CASES_PER_RESPONSE} whole cases in one request, and the rest in the next."
        )));
    }
    for case_id in &request.full {
        check_case_id(case_id)?;
    }
    let device_time = match crate::sessions::check_device_time(request.device_time.as_deref())? {
        Some(time) => Some(time),
        None => caller.device_time.clone(),
    };
    // Every push is checked before any is stored, so bad input stores nothing.
    let pushes = request.push;
    let pushes = tokio::task::spawn_blocking(move || {
        pushes
            .iter()
            .try_for_each(check_change_bytes)
            .map(|()| pushes)
    })
    .await
    .map_err(|error| {
        ApiFailure::bad_request(format!("The changes could not be read: {error}"))
    })??;

    state.metrics.record_sync_bytes(
        crate::metrics::Direction::Received,
        pushes.iter().map(|push| push.changes.0.len()).sum(),
    );
    let reader = caller.reader();
    let mut response = SyncResponse {
        cursor: request.since,
        server_time: now_rfc3339(),
        ..SyncResponse::default()
    };
    for push in pushes {
        match push_one(state, caller, &reader, push, device_time.clone()).await? {
            PushOutcome::Acknowledged(ack) => response.acknowledged.push(ack),
            PushOutcome::Rejected(rejection) => response.rejected.push(rejection),
        }
    }

    let mut budget = MAX_MESSAGE_BYTES / 2;
    let mut reads = Vec::new();
    for case_id in &request.full {
        match state.storage.case_record(case_id).await? {
            Some(record) if reader.may_see(&record.facts) => {
                if budget == 0 {
                    // Out of room: the device asks again for what it did not get.
                    response.more = true;
                    continue;
                }
                let chunks = state.storage.case_chunks(case_id, 0, None).await?;
                budget = budget.saturating_sub(chunks.iter().map(|c| c.bytes.len()).sum());
                reads.push(case_id.clone());
                response.cases.push(CaseChanges {
                    case_id: case_id.clone(),
                    cursor: record.cursor,
                    chunks: chunks.into_iter().map(|chunk| Bytes(chunk.bytes)).collect(),
                });
            }
            _ => response.rejected.push(CaseRejection {
                case_id: case_id.clone(),
                code: "not_your_case".into(),
                message: "This case is not assigned to you or shared with your team, so it cannot be on this device.".into(),
            }),
        }
    }
    let limit = i64::try_from(MAX_CASES_PER_RESPONSE).unwrap_or(i64::MAX);
    // Read before the changes: every write up to here has committed, so a
    // device that has seen all of them may skip to it, past writes to cases
    // it cannot see.
    let position = state.storage.feed_position().await?;
    let changed = state
        .storage
        .cases_changed(&reader.scope(), request.since, limit + 1)
        .await?;
    // The SQL scope and the access rules agree (the conformance and matrix
    // stories check it); filtering again here means they cannot drift apart.
    let changed: Vec<CaseRecord> = changed
        .into_iter()
        .filter(|record| reader.may_see(&record.facts))
        .collect();
    // Chunks are read a batch at a time: one round trip per batch, and a
    // budget that runs out wastes at most one batch's reading.
    let skip_device = (request.since > 0).then_some(caller.device.id.as_str());
    let mut index = 0;
    'answer: for batch in changed.chunks(CHUNK_READ_BATCH) {
        if index >= MAX_CASES_PER_RESPONSE || budget == 0 {
            response.more = true;
            break;
        }
        let ids: Vec<String> = batch.iter().map(|record| record.case_id.clone()).collect();
        // A device holds what it pushed itself, unless it starts from
        // nothing (a first sync, or after losing its data): then it gets all.
        let batch_chunks = state
            .storage
            .many_case_chunks(&ids, request.since, skip_device)
            .await?;
        for (record, chunks) in batch.iter().zip(batch_chunks) {
            if index >= MAX_CASES_PER_RESPONSE || budget == 0 {
                response.more = true;
                break 'answer;
            }
            let size: usize = chunks.iter().map(|c| c.bytes.len()).sum();
            if size > budget && index > 0 {
                response.more = true;
                break 'answer;
            }
            index += 1;
            budget = budget.saturating_sub(size);
            response.cursor = record.cursor;
            if chunks.is_empty() {
                continue;
            }
            reads.push(record.case_id.clone());
            response.cases.push(CaseChanges {
                case_id: record.case_id.clone(),
                cursor: record.cursor,
                chunks: chunks.into_iter().map(|chunk| Bytes(chunk.bytes)).collect(),
            });
        }
    }

    if !response.more {
        response.cursor = response.cursor.max(position);
    }
    if request.since > 0 {
        response.removed = cases_that_left(state, &reader, &response, request.since).await?;
    }
    if response.more {
        let remaining = state
            .storage
            .count_cases_changed(&reader.scope(), response.cursor)
            .await?;
        response.remaining = u64::try_from(remaining).ok();
    }

    let mut events: Vec<AuditEvent> = reads
        .into_iter()
        .map(|case_id| {
            AuditEvent::new("case_downloaded")
                .by(caller.user.name.clone())
                .device(caller.device.id.clone(), device_time.clone())
                .case(case_id)
        })
        .collect();
    events.push(
        AuditEvent::new("synced")
            .by(caller.user.name.clone())
            .device(caller.device.id.clone(), device_time.clone())
            .detail(json!({
                "acknowledged": response.acknowledged.len(),
                "rejected": response.rejected.len(),
                "downloaded": response.cases.len(),
                "cursor": response.cursor,
            })),
    );
    state
        .storage
        .touch_device(&caller.device.id, Some(response.cursor), events)
        .await?;
    state.metrics.record_sync_bytes(
        crate::metrics::Direction::Sent,
        response
            .cases
            .iter()
            .flat_map(|case| case.chunks.iter())
            .map(|chunk| chunk.0.len())
            .sum(),
    );
    Ok(response)
}

/// Cases the caller could see before `since` and may not now: the device
/// holds them and must let them go (after sending any changes it has).
async fn cases_that_left<S: Storage>(
    state: &AppState<S>,
    reader: &Reader,
    response: &SyncResponse,
    since: i64,
) -> Result<Vec<String>, ApiFailure> {
    let candidates = state
        .storage
        .access_left_scope(&reader.scope(), since, response.cursor)
        .await?;
    let mut removed = Vec::new();
    let mut considered = std::collections::HashSet::new();
    for case_id in candidates {
        if !considered.insert(case_id.clone())
            || response.cases.iter().any(|case| case.case_id == case_id)
        {
            continue;
        }
        let still_visible = state
            .storage
            .case_record(&case_id)
            .await?
            .is_some_and(|record| reader.may_see(&record.facts));
        if !still_visible {
            removed.push(case_id);
        }
    }
    // A change of the user's own role or team: every case they could see
    // before it and may not now.
    for before in past_readers(state, reader, since, response.cursor).await? {
        for record in state
            .storage
            .cases_changed(&before.scope(), 0, i64::MAX)
            .await?
        {
            if before.may_see(&record.facts)
                && !reader.may_see(&record.facts)
                && considered.insert(record.case_id.clone())
            {
                removed.push(record.case_id);
            }
        }
    }
    Ok(removed)
}

/// The reader as they were before each change of their role or team in
/// `(after, up_to]` of the feed.
async fn past_readers<S: Storage>(
    state: &AppState<S>,
    reader: &Reader,
    after: i64,
    up_to: i64,
) -> Result<Vec<Reader>, ApiFailure> {
    Ok(state
        .storage
        .user_access_changes(&reader.user, after, up_to)
        .await?
        .into_iter()
        .map(|past| Reader {
            user: reader.user.clone(),
            role: past.role,
            team: past.team_key,
        })
        .collect())
}

fn summary(record: CaseRecord) -> CaseSummary {
    CaseSummary {
        case_id: record.case_id,
        case_type: record.facts.case_type,
        status: record.status,
        summary: record.summary,
        team: record.facts.team,
        assigned_to: record.facts.assigned_to,
        cursor: record.cursor,
        updated_at: record.updated_at,
    }
}

/// `GET /v1/cases`: the cases this caller may see, without their content.
pub async fn list<S: Storage>(
    state: &AppState<S>,
    caller: &Caller,
    after: i64,
    limit: i64,
) -> Result<CaseList, ApiFailure> {
    let limit = limit.clamp(1, 1000);
    let reader = caller.reader();
    let records: Vec<CaseRecord> = state
        .storage
        .cases_changed(&reader.scope(), after.max(0), limit)
        .await?
        .into_iter()
        .filter(|record| reader.may_see(&record.facts))
        .collect();
    state
        .storage
        .record_audit(vec![
            AuditEvent::new("cases_listed")
                .by(caller.user.name.clone())
                .device(caller.device.id.clone(), caller.device_time.clone())
                .detail(json!({ "count": records.len() })),
        ])
        .await?;
    Ok(CaseList {
        cases: records.into_iter().map(summary).collect(),
    })
}

/// `GET /v1/cases/{id}`: one whole case document.
#[derive(Debug, Serialize)]
pub struct CaseDocumentResponse {
    pub case_id: String,
    pub cursor: i64,
    pub heads: Vec<String>,
    /// The document: load it with automerge.
    pub document: Bytes,
}

pub async fn read<S: Storage>(
    state: &AppState<S>,
    caller: &Caller,
    case_id: &str,
) -> Result<CaseDocumentResponse, ApiFailure> {
    check_case_id(case_id).map_err(|_| ApiFailure::case_not_found(case_id))?;
    let record = state
        .storage
        .case_record(case_id)
        .await?
        .filter(|record| caller.reader().may_see(&record.facts))
        .ok_or_else(|| ApiFailure::case_not_found(case_id))?;
    let chunks = state.storage.case_chunks(case_id, 0, None).await?;
    state
        .storage
        .record_audit(vec![
            AuditEvent::new("case_viewed")
                .by(caller.user.name.clone())
                .device(caller.device.id.clone(), caller.device_time.clone())
                .case(case_id),
        ])
        .await?;
    Ok(CaseDocumentResponse {
        case_id: record.case_id,
        cursor: record.cursor,
        heads: split_heads(&record.heads),
        document: Bytes(chunks.into_iter().flat_map(|chunk| chunk.bytes).collect()),
    })
}
