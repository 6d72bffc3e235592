//! One sync: rounds of "here is what I changed, what changed for me?" until
//! nothing is left to send or receive.
//!
//! Each round is one `POST /v1/sync`. The device sends the changes the server
//! has not acknowledged (as many cases as fit in one message, a case too large
//! for one message in parts), asks again for any case it could not read, and
//! records the whole answer (merged cases, acknowledgements, refusals,
//! removals and the new cursor) in one store transaction. A crash or a broken
//! connection at any point leaves the store as it was after the last recorded
//! round; sending the same changes again is harmless, because the server keeps
//! what it already has and acknowledges it again.

use std::collections::HashSet;
use std::fs;
use std::time::Instant;

use doorstep_protocol::sync::{MAX_CASES_PER_RESPONSE, PushedChanges, SyncRequest};
use doorstep_protocol::{Bytes, PROTOCOL_VERSION};
use doorstep_store::{
    AnswerReport, DeviceStore, ReceivedCase, RefusedPush, ServerAnswer, device_now, parse_heads,
};
use serde::Serialize;

use crate::wire::{ServerConnection, Traffic, now_rfc3339};
use crate::{Credentials, SyncError};

/// Automerge bytes sent in one message, at most. Base64 and JSON make that
/// about 7 MiB, inside the server's 8 MiB limit on a request body.
pub const PUSH_BUDGET_BYTES: usize = 5 * 1024 * 1024;

/// Rounds in one sync, at most; a first sync of 100,000 cases takes about 200.
pub const MAX_ROUNDS: usize = 10_000;

/// The file whose lock makes one sync at a time run on a device.
pub const SYNC_LOCK_FILE_NAME: &str = "doorstep-sync.lock";

/// How a long sync is going, for a progress bar.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SyncProgress {
    pub round: usize,
    /// Cases received so far in this sync.
    pub cases_received: usize,
    /// Cases still to come, when the server says.
    pub cases_remaining: Option<u64>,
    /// Cases whose changes the server acknowledged so far in this sync.
    pub cases_sent: usize,
    /// Cases with changes still to send.
    pub cases_to_send: usize,
    pub bytes_sent: u64,
    pub bytes_received: u64,
}

/// What a sync did, and whether this laptop is now safe to hand in.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SyncOutcome {
    pub server: String,
    pub rounds: usize,
    pub cases_received: usize,
    pub new_cases: usize,
    pub cases_acknowledged: usize,
    pub cases_removed: usize,
    pub bytes_sent: u64,
    pub bytes_received: u64,
    pub cursor: i64,
    /// Changes made on this device that the server has not acknowledged.
    pub unsynced_changes: usize,
    pub files_sent: usize,
    pub files_received: usize,
    /// Files attached here that the server does not hold yet.
    pub files_to_send: usize,
    /// Files not fetched because the device's storage budget is used up.
    pub files_over_budget: usize,
    /// Cases the server refused, with its reasons. Their changes stay here.
    pub refused: Vec<RefusedCase>,
    /// True only when the server has acknowledged every change made here.
    pub everything_acknowledged: bool,
    /// Time spent waiting for the server's answers to the case rounds
    /// (its work and the network), and recording them here: where a slow
    /// sync spends its time.
    pub waiting_for_server_ms: u64,
    pub recording_ms: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RefusedCase {
    pub case_id: String,
    pub reason: String,
}

/// How a sync treats files.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SyncOptions {
    /// Files held on this device stay under this many bytes: downloads that
    /// would pass it wait.
    pub attachment_budget_bytes: u64,
}

impl Default for SyncOptions {
    fn default() -> Self {
        Self {
            attachment_budget_bytes: DEFAULT_ATTACHMENT_BUDGET_BYTES,
        }
    }
}

/// 2 GiB: a year of a caseworker's photos and scans, on a laptop's disk.
pub const DEFAULT_ATTACHMENT_BUDGET_BYTES: u64 = 2 * 1024 * 1024 * 1024;

/// Files travel in pieces of this size, the server's limit.
pub const FILE_PIECE_BYTES: u64 = doorstep_protocol::attachments::MAX_ATTACHMENT_CHUNK_BYTES as u64;

/// Syncs `store` with the server it is signed in to, calling `progress`
/// after each round. Case text goes first, then files. Records the outcome
/// (or the error) as the last sync attempt. Changes made on this device are
/// never removed or altered here, whatever the server answers.
pub fn sync_now(
    store: &mut DeviceStore,
    connection: &ServerConnection,
    credentials: &Credentials,
    options: SyncOptions,
    progress: &mut dyn FnMut(&SyncProgress),
) -> Result<SyncOutcome, SyncError> {
    let session = store
        .sync_session()?
        .filter(|session| session.signed_in)
        .ok_or(SyncError::NotSignedIn)?;
    let lock_path = store.data_dir().join(SYNC_LOCK_FILE_NAME);
    let lock = fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&lock_path)
        .map_err(|source| doorstep_store::StoreError::DataDir {
            path: lock_path.clone(),
            source,
        })?;
    if lock.try_lock().is_err() {
        return Err(SyncError::AlreadySyncing);
    }
    let server = session.server_url.clone();
    let result = run_rounds(
        store,
        connection,
        credentials,
        &session.user,
        &server,
        progress,
    )
    .and_then(|(mut outcome, mut status, mut access)| {
        let mut files = FileTransfer {
            store: &mut *store,
            connection,
            credentials,
            access: &mut access,
            outcome: &mut outcome,
            status: &mut status,
            progress: &mut *progress,
        };
        files.send_files()?;
        files.fetch_files(options)?;
        crate::oversight::send_audit_log(
            store,
            connection,
            credentials,
            &mut access,
            &server,
            &session.user,
        )?;
        if doorstep_core::access::Role::parse(&session.role)
            == Some(doorstep_core::access::Role::TeamLead)
        {
            crate::oversight::fetch_team_overview(
                store,
                connection,
                credentials,
                &mut access,
                &server,
            )?;
        }
        outcome.unsynced_changes = store.unsynced_change_count()?;
        outcome.files_to_send = store.pending_upload_count()?;
        outcome.everything_acknowledged = store.everything_acknowledged()?;
        Ok(outcome)
    });
    let at = device_now();
    match &result {
        Ok(_) => store.record_sync_attempt(&server, at, None)?,
        Err(error) => {
            // A revoked device's store is about to be wiped; recording is moot.
            if !matches!(error, SyncError::Revoked { .. }) {
                store.record_sync_attempt(&server, at, Some(&error.to_string()))?;
            }
        }
    }
    drop(lock);
    result
}

fn run_rounds(
    store: &mut DeviceStore,
    connection: &ServerConnection,
    credentials: &Credentials,
    user: &str,
    server: &str,
    progress: &mut dyn FnMut(&SyncProgress),
) -> Result<(SyncOutcome, SyncProgress, String), SyncError> {
    let mut access = credentials.access_token()?.ok_or(SyncError::NotSignedIn)?;
    let mut outcome = SyncOutcome {
        server: server.to_owned(),
        ..SyncOutcome::default()
    };
    let mut status = SyncProgress::default();
    // A case whose every change went up this sync is not sent again in it,
    // even if its outbox entries are not yet cleared (the server's heads may
    // build on changes not received yet); the next sync tries again.
    let mut sent_whole: HashSet<String> = HashSet::new();
    let mut asked_whole: HashSet<String> = HashSet::new();
    // The next part of a long pull, asked for while this one is recorded.
    let mut asked_ahead: Option<Answered> = None;
    for round in 1..=MAX_ROUNDS {
        let (pushed_ids, full, (response, traffic)) = match asked_ahead.take() {
            Some(answered) => (Vec::new(), Vec::new(), answered?),
            None => {
                let (request, pushed_ids, full) = next_request(
                    store,
                    server,
                    &mut sent_whole,
                    &mut asked_whole,
                    &mut status,
                )?;
                let asked_at = Instant::now();
                let answered = exchange(connection, credentials, &mut access, &request)?;
                outcome.waiting_for_server_ms += elapsed_ms(asked_at);
                (pushed_ids, full, answered)
            }
        };
        // A pull with more to come: the server's half of the next part
        // overlaps the device's half of this one. The server already
        // records what it sent, not what the device stored, so this adds no
        // new state if the device stops before recording this part.
        let ask_next =
            (pushed_ids.is_empty() && full.is_empty() && response.more).then(|| SyncRequest {
                protocol: PROTOCOL_VERSION,
                since: response.cursor,
                push: Vec::new(),
                full: Vec::new(),
                device_time: Some(now_rfc3339()),
            });
        let recording_from = Instant::now();
        let answer = ServerAnswer {
            server_url: server.to_owned(),
            user: user.to_owned(),
            cursor: response.cursor,
            acknowledged: response
                .acknowledged
                .iter()
                .map(|ack| {
                    parse_heads(&ack.heads)
                        .map(|heads| (ack.case_id.clone(), heads))
                        .map_err(|error| SyncError::BadAnswer(error.to_string()))
                })
                .collect::<Result<_, _>>()?,
            refused: response
                .rejected
                .iter()
                .map(|rejection| RefusedPush {
                    case_id: rejection.case_id.clone(),
                    code: rejection.code.clone(),
                    message: rejection.message.clone(),
                })
                .collect(),
            received: response
                .cases
                .into_iter()
                .map(|case| ReceivedCase {
                    case_id: case.case_id,
                    cursor: case.cursor,
                    chunks: case.chunks.into_iter().map(|chunk| chunk.0).collect(),
                })
                .collect(),
            removed: response.removed.clone(),
            at: device_now(),
        };
        let report: AnswerReport = match ask_next {
            None => {
                let report = store.apply_server_answer(&answer)?;
                outcome.recording_ms += elapsed_ms(recording_from);
                report
            }
            Some(request) => {
                let mut token = access.clone();
                let (report, answered, token) = std::thread::scope(|scope| {
                    let asking = scope.spawn(move || {
                        let answered = exchange(connection, credentials, &mut token, &request);
                        (answered, token)
                    });
                    let report = store.apply_server_answer(&answer);
                    outcome.recording_ms += elapsed_ms(recording_from);
                    let waited_from = Instant::now();
                    let (answered, token) = match asking.join() {
                        Ok((answered, token)) => (answered, Some(token)),
                        // exchange does not panic; if it did, the next round says so.
                        Err(_) => (
                            Err(SyncError::BadAnswer(
                                "asking the server for the next part failed".into(),
                            )),
                            None,
                        ),
                    };
                    outcome.waiting_for_server_ms += elapsed_ms(waited_from);
                    (report, answered, token)
                });
                // The token may have been renewed on the way.
                if let Some(token) = token {
                    access = token;
                }
                asked_ahead = Some(answered);
                report?
            }
        };

        outcome.rounds = round;
        outcome.cases_received += report.received;
        outcome.new_cases += report.new_cases;
        outcome.cases_acknowledged += report.acknowledged;
        outcome.cases_removed += report.removed;
        outcome.bytes_sent += traffic.sent;
        outcome.bytes_received += traffic.received;
        outcome.cursor = response.cursor;
        status.round = round;
        status.cases_received += report.received;
        status.cases_sent += report.acknowledged;
        status.cases_remaining = response.remaining;
        status.bytes_sent += traffic.sent;
        status.bytes_received += traffic.received;
        progress(&status);

        // A case that just came into view arrives as its latest changes only;
        // the store asks for it whole, in the next round of this same sync.
        let whole_still_wanted = store
            .cases_to_fetch_whole(MAX_CASES_PER_RESPONSE)?
            .iter()
            .any(|case_id| !asked_whole.contains(case_id));
        if pushed_ids.is_empty() && full.is_empty() && !response.more && !whole_still_wanted {
            break;
        }
    }
    outcome.refused = store
        .refused_cases()?
        .into_iter()
        .map(|(case_id, reason)| RefusedCase { case_id, reason })
        .collect();
    Ok((outcome, status, access))
}

type Answered = Result<(doorstep_protocol::sync::SyncResponse, Traffic), SyncError>;

/// The next round's request: the changes the server has not acknowledged
/// (as many cases as fit in one message), and the cases to fetch whole.
/// Returns it with the cases pushed and the cases asked for whole.
fn next_request(
    store: &mut DeviceStore,
    server: &str,
    sent_whole: &mut HashSet<String>,
    asked_whole: &mut HashSet<String>,
    status: &mut SyncProgress,
) -> Result<(SyncRequest, Vec<String>, Vec<String>), SyncError> {
    let since = store.sync_progress(server)?.cursor;
    let waiting = store.cases_to_send()?;
    status.cases_to_send = waiting
        .iter()
        .filter(|case_id| !sent_whole.contains(*case_id))
        .count();
    let mut push = Vec::new();
    let mut budget = PUSH_BUDGET_BYTES;
    for case_id in waiting {
        if sent_whole.contains(&case_id) || push.len() >= MAX_CASES_PER_RESPONSE {
            continue;
        }
        let outgoing = store.outgoing_changes(&case_id, budget)?;
        if outgoing.bytes.is_empty() || (outgoing.bytes.len() > budget && !push.is_empty()) {
            continue;
        }
        budget = budget.saturating_sub(outgoing.bytes.len());
        if !outgoing.partial {
            sent_whole.insert(case_id.clone());
        }
        push.push(PushedChanges {
            case_id,
            changes: Bytes(outgoing.bytes),
        });
        if budget == 0 {
            break;
        }
    }
    let full: Vec<String> = store
        .cases_to_fetch_whole(MAX_CASES_PER_RESPONSE)?
        .into_iter()
        .filter(|case_id| asked_whole.insert(case_id.clone()))
        .collect();
    let pushed_ids: Vec<String> = push.iter().map(|p| p.case_id.clone()).collect();
    store.mark_uploading(&pushed_ids, device_now())?;
    let request = SyncRequest {
        protocol: PROTOCOL_VERSION,
        since,
        push,
        full: full.clone(),
        device_time: Some(now_rfc3339()),
    };
    Ok((request, pushed_ids, full))
}

/// The file phase of a sync, after the case text.
struct FileTransfer<'a> {
    store: &'a mut DeviceStore,
    connection: &'a ServerConnection,
    credentials: &'a Credentials,
    access: &'a mut String,
    outcome: &'a mut SyncOutcome,
    status: &'a mut SyncProgress,
    progress: &'a mut dyn FnMut(&SyncProgress),
}

impl FileTransfer<'_> {
    fn call<T>(&mut self, call: impl FnMut(&str) -> Result<T, SyncError>) -> Result<T, SyncError> {
        with_access(self.connection, self.credentials, self.access, call)
    }

    fn counted(&mut self, traffic: Traffic) {
        self.outcome.bytes_sent += traffic.sent;
        self.outcome.bytes_received += traffic.received;
        self.status.bytes_sent += traffic.sent;
        self.status.bytes_received += traffic.received;
        (self.progress)(self.status);
    }

    /// Sends the files queued here, each from where the server's copy
    /// stops. A file the server will not take now (the case moved away)
    /// waits for the next sync; a broken connection ends this one.
    fn send_files(&mut self) -> Result<(), SyncError> {
        let connection = self.connection;
        for upload in self.store.pending_uploads()? {
            let bytes = self.store.attachment(&upload.sha256)?;
            let size = bytes.len() as u64;
            let status =
                self.call(|token| connection.upload_status(token, &upload.sha256, &upload.case_id));
            let mut offset = match status {
                Ok(Some(state)) if state.complete => {
                    self.store
                        .upload_finished(&upload.sha256, &upload.case_id)?;
                    self.outcome.files_sent += 1;
                    continue;
                }
                Ok(Some(state)) => state.received,
                Ok(None) => 0,
                Err(error) if error.is_transient() => return Err(error),
                Err(error) => {
                    tracing::info!(sha256 = %upload.sha256, %error, "a file waits for the next sync");
                    continue;
                }
            };
            let mut complete = false;
            while !complete && offset < size {
                let start = usize::try_from(offset).unwrap_or(usize::MAX);
                let end = usize::try_from(offset.saturating_add(FILE_PIECE_BYTES))
                    .unwrap_or(usize::MAX)
                    .min(bytes.len());
                let piece = &bytes[start..end];
                let sent = self.call(|token| {
                    connection.upload_piece(
                        token,
                        &upload.sha256,
                        &upload.case_id,
                        size,
                        offset,
                        piece.to_vec(),
                    )
                });
                match sent {
                    Ok((state, traffic)) => {
                        offset = state.received;
                        complete = state.complete;
                        self.counted(traffic);
                    }
                    Err(SyncError::Refused { code, .. }) if code == "upload_offset" => {
                        // An earlier try got further than this one knew: ask where it stands.
                        offset = self
                            .call(|token| {
                                connection.upload_status(token, &upload.sha256, &upload.case_id)
                            })?
                            .map_or(0, |state| state.received);
                    }
                    Err(error) if error.is_transient() => return Err(error),
                    Err(error) => {
                        tracing::info!(sha256 = %upload.sha256, %error, "a file waits for the next sync");
                        break;
                    }
                }
            }
            if complete {
                self.store
                    .upload_finished(&upload.sha256, &upload.case_id)?;
                self.outcome.files_sent += 1;
            }
        }
        Ok(())
    }

    /// Fetches the files cases here refer to, smallest first, within the
    /// storage budget, each resuming where an earlier try stopped.
    fn fetch_files(&mut self, options: SyncOptions) -> Result<(), SyncError> {
        let connection = self.connection;
        let mut held = self.store.attachment_bytes_held()?;
        for wanted in self.store.wanted_files()? {
            if held.saturating_add(wanted.size) > options.attachment_budget_bytes {
                self.outcome.files_over_budget += 1;
                continue;
            }
            let mut offset = wanted.received;
            let mut fetched = true;
            while offset < wanted.size {
                let piece = self.call(|token| {
                    connection.download_piece(token, &wanted.sha256, offset, FILE_PIECE_BYTES)
                });
                match piece {
                    Ok((bytes, _, _)) if bytes.is_empty() => {
                        fetched = false;
                        break;
                    }
                    Ok((bytes, _, traffic)) => {
                        self.store
                            .keep_download_piece(&wanted.sha256, offset, &bytes)?;
                        offset += bytes.len() as u64;
                        self.counted(traffic);
                    }
                    Err(error) if error.is_transient() => return Err(error),
                    Err(error) => {
                        // Not downloadable yet (its upload is unfinished): next sync.
                        tracing::info!(sha256 = %wanted.sha256, %error, "a file waits for the next sync");
                        fetched = false;
                        break;
                    }
                }
            }
            if !fetched {
                continue;
            }
            match self
                .store
                .finish_download(&wanted.sha256, &wanted.media_type)
            {
                Ok(()) => {
                    held = held.saturating_add(wanted.size);
                    self.outcome.files_received += 1;
                }
                Err(doorstep_store::StoreError::AttachmentDamaged { .. }) => {
                    tracing::warn!(sha256 = %wanted.sha256, "a downloaded file did not match its address; it will be fetched again");
                }
                Err(error) => return Err(error.into()),
            }
        }
        Ok(())
    }
}

fn elapsed_ms(since: Instant) -> u64 {
    u64::try_from(since.elapsed().as_millis()).unwrap_or(u64::MAX)
}

/// Runs `call` with the access token, renewing it once if it expired.
pub(crate) fn with_access<T>(
    connection: &ServerConnection,
    credentials: &Credentials,
    access: &mut String,
    mut call: impl FnMut(&str) -> Result<T, SyncError>,
) -> Result<T, SyncError> {
    match call(access) {
        Err(SyncError::Refused { code, .. })
            if code == doorstep_protocol::error::codes::TOKEN_EXPIRED =>
        {
            let (renewed, _) = credentials.renew(connection, access)?;
            *access = renewed;
            call(access)
        }
        other => other,
    }
}

/// One round trip, renewing the access token once if it expired.
fn exchange(
    connection: &ServerConnection,
    credentials: &Credentials,
    access: &mut String,
    request: &SyncRequest,
) -> Result<(doorstep_protocol::sync::SyncResponse, Traffic), SyncError> {
    with_access(connection, credentials, access, |token| {
        connection.sync(token, request)
    })
}
