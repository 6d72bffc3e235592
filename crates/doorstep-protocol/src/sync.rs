//! Exchanging case changes: one request carries a device's new changes for
//! many cases and brings back what changed on the server since its cursor.
//!
//! Changes travel as automerge change bytes. The server keeps each case as a
//! series of change chunks; a chunk carries the server cursor at which it was
//! stored, so "what changed since N" never touches an unchanged case.

use serde::{Deserialize, Serialize};

use crate::Bytes;

/// The largest request or response body, compressed or not. A device with
/// more to send splits it across requests.
pub const MAX_MESSAGE_BYTES: usize = 8 * 1024 * 1024;
/// The most cases one sync response brings down; `more` says when there are more.
pub const MAX_CASES_PER_RESPONSE: usize = 500;

/// `POST /v1/sync`
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SyncRequest {
    pub protocol: u32,
    /// The cursor from the previous response; 0 on a first sync.
    pub since: i64,
    /// New local changes, per case.
    #[serde(default)]
    pub push: Vec<PushedChanges>,
    /// Cases this device needs whole (it has never held them, or lost them).
    #[serde(default)]
    pub full: Vec<String>,
    #[serde(default)]
    pub device_time: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PushedChanges {
    pub case_id: String,
    /// Automerge changes, as `save_after` or `save` produces them.
    pub changes: Bytes,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct SyncResponse {
    /// Pass this as `since` next time.
    pub cursor: i64,
    /// True when more changed cases wait; sync again straight away.
    pub more: bool,
    /// Pushed cases the server has durably stored, with the heads it holds.
    pub acknowledged: Vec<CaseAck>,
    /// Pushed cases the server refused. The device keeps the changes and shows the reason.
    pub rejected: Vec<CaseRejection>,
    /// Cases that changed since `since` (or were asked for whole), with their new chunks.
    pub cases: Vec<CaseChanges>,
    /// Cases this device should no longer hold: its user could see them
    /// before `since` and may not now (reassigned, moved team). The device
    /// removes each once nothing of it waits to be sent.
    #[serde(default)]
    pub removed: Vec<String>,
    /// Changed cases still to come after this answer, when the server
    /// counted them: for a progress bar on a long first sync.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remaining: Option<u64>,
    pub server_time: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseAck {
    pub case_id: String,
    /// Hex change hashes: the document heads the server stored.
    pub heads: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseRejection {
    pub case_id: String,
    pub code: String,
    pub message: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CaseChanges {
    pub case_id: String,
    pub cursor: i64,
    /// Chunks to load into the document, in order.
    pub chunks: Vec<Bytes>,
}

/// `GET /v1/cases`: the cases this user may see, without their content.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseSummary {
    pub case_id: String,
    pub case_type: String,
    pub status: String,
    pub summary: String,
    pub team: Option<String>,
    pub assigned_to: Option<String>,
    pub cursor: i64,
    pub updated_at: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseList {
    pub cases: Vec<CaseSummary>,
}
