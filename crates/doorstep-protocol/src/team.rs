//! What devices tell the server about their own audit logs, and what the
//! server tells a team lead about the team: laptops, lone-worker alerts and
//! who accessed what.

use serde::{Deserialize, Serialize};

/// The most device audit events one `POST /v1/audit` carries.
pub const MAX_AUDIT_EVENTS_PER_UPLOAD: usize = 1_000;
/// The longest `detail` a device audit event may carry, in characters.
pub const MAX_AUDIT_DETAIL_CHARACTERS: usize = 2_000;
/// The most entries one access-record answer holds.
pub const MAX_ACCESS_ENTRIES: usize = 500;

/// What a device records in its own audit log and sends to the server, so
/// that reading a case offline shows up in the council's record too.
pub const DEVICE_AUDIT_ACTIONS: &[&str] = &[
    "created", "edited", "resolved", "viewed", "exported", "imported", "attached", "removed",
];

/// `POST /v1/audit`: events from the device's own hash-chained audit log,
/// oldest first. Sending the same events again records them once.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeviceAuditUpload {
    pub events: Vec<DeviceAuditEntry>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeviceAuditEntry {
    /// The event's place in the device's log; increases with every event.
    pub seq: i64,
    /// When it happened by the device's clock (RFC 3339).
    pub device_time: String,
    /// One of [`DEVICE_AUDIT_ACTIONS`].
    pub action: String,
    pub case_id: Option<String>,
    pub detail: String,
    /// The device chain's hash for this event, so the two logs can be compared.
    pub hash: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceAuditReceipt {
    /// Every event up to this device sequence number is recorded.
    pub recorded_to: i64,
}

/// `GET /v1/team`: a team lead's view of the team from the server.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TeamOverview {
    pub team: Option<String>,
    pub devices: Vec<TeamDevice>,
    /// Open alerts, and those resolved in the last [`RECENT_ALERT_DAYS`] days; newest first.
    pub alerts: Vec<TeamAlert>,
    pub server_time: String,
}

/// How long a resolved alert stays on a team lead's list.
pub const RECENT_ALERT_DAYS: i64 = 7;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TeamDevice {
    pub device_id: String,
    pub user: String,
    pub hostname: String,
    pub os: String,
    pub app_version: String,
    pub last_sync_at: Option<String>,
    pub revoked: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TeamAlert {
    pub id: i64,
    pub case_id: String,
    pub worker: String,
    pub expected_end: String,
    pub raised_at: String,
    pub resolved_at: Option<String>,
    pub deliveries: Vec<AlertDelivery>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlertDelivery {
    /// `webhook` or `email`.
    pub channel: String,
    pub delivered: bool,
    pub attempts: i64,
    pub last_error: Option<String>,
}

/// `GET /v1/team/audit?case_id=…` or `?worker=…`: newest first.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessRecord {
    pub entries: Vec<AccessEntry>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessEntry {
    pub seq: i64,
    pub server_time: String,
    pub device_time: Option<String>,
    pub actor: Option<String>,
    pub device_id: Option<String>,
    /// The laptop's hostname, when the server knows the device.
    pub device_name: Option<String>,
    /// Server actions (`case_changed`, `case_downloaded`, …) and device ones
    /// prefixed `device_` (`device_viewed`, `device_exported`, …).
    pub action: String,
    pub case_id: Option<String>,
}
