//! Server storage: one trait, two backends. Embedded SQLite is the default;
//! PostgreSQL serves councils that run several server nodes. The backend is
//! chosen once, at start-up, from `--database-url`.

use std::future::Future;

use serde::Serialize;

use crate::accounts::{PasswordDigest, RecentFailures, Role};
use crate::audit::{AuditEvent, AuditRecord};
use doorstep_core::access::{CaseAccessFacts, CaseScope};

pub mod postgres;
pub mod sqlite;

#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    #[error(
        "Could not create the data folder {path}: {source}. Check that the folder's parent exists and that the server's user may write to it."
    )]
    CreateDataDir {
        path: std::path::PathBuf,
        source: std::io::Error,
    },
    #[error(
        "Could not open the database at {path}: {source}. Check the file's permissions, and that no other program holds it."
    )]
    Open {
        path: std::path::PathBuf,
        source: rusqlite::Error,
    },
    #[error(
        "The database was written by a newer Doorstep server (schema {found}, this build knows up to {known}). Run the newer server, or restore a backup made for this version."
    )]
    SchemaTooNew { found: i64, known: i64 },
    #[error(
        "Migration {name} failed: {message}. The database is unchanged; report this to Doorstep support."
    )]
    Migration { name: &'static str, message: String },
    #[error(
        "Could not connect to PostgreSQL: {0}. Check --database-url (postgres://USER@HOST:PORT/DATABASE), that the server is running, and that this user may connect."
    )]
    Connect(String),
    #[error("{0} already exists. Choose another name.")]
    AlreadyExists(String),
    #[error(
        "\"{name}\" is not a usable {kind} name: use 1 to 100 characters, without control characters."
    )]
    InvalidName { kind: &'static str, name: String },
    #[error("{0}. Check the name with the admin `list` commands.")]
    NotFound(String),
    #[error("There is no device {0}. Check the id with `admin device list`.")]
    NoSuchDevice(String),
    #[error(
        "Device {0} was revoked or belongs to another account, so it cannot be signed in to. Sign in again; a revoked device must be wiped."
    )]
    DeviceUnavailable(String),
    #[error("The database did not answer: {0}")]
    Unavailable(String),
}

/// A team of caseworkers and their leads.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Team {
    pub id: i64,
    pub name: String,
}

/// An account, without its password digest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct User {
    pub id: i64,
    pub name: String,
    pub role: Role,
    pub team: Option<String>,
    pub disabled: bool,
}

/// What sign-in needs: the account and its password digest.
#[derive(Debug, Clone)]
pub struct Credentials {
    pub user: User,
    pub digest: PasswordDigest,
}

impl Credentials {
    /// Builds an account from its stored columns; both backends read the same ones.
    pub fn from_columns(
        id: i64,
        name: String,
        role: &str,
        team: Option<String>,
        disabled: bool,
        digest: String,
    ) -> Self {
        Self {
            user: User {
                id,
                name,
                // The table's CHECK constraint admits only known roles.
                role: Role::parse(role).unwrap_or(Role::Caseworker),
                team,
                disabled,
            },
            digest: PasswordDigest::from_stored(digest),
        }
    }
}

/// The columns [`Credentials::from_columns`] reads, in order, for both backends.
pub const USER_COLUMNS: &str = "SELECT u.id, u.name, u.role, t.name, u.disabled, u.password_digest
     FROM users u LEFT JOIN teams t ON t.id = u.team_id";

#[derive(Debug, Clone)]
pub struct NewUser {
    pub name: String,
    pub role: Role,
    pub team: Option<String>,
    pub digest: PasswordDigest,
}

/// Names people type for teams and users: trimmed, 1–100 characters, no control characters.
pub fn check_name(kind: &'static str, name: &str) -> Result<String, StorageError> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 100 || name.chars().any(char::is_control) {
        return Err(StorageError::InvalidName {
            kind,
            name: name.to_owned(),
        });
    }
    Ok(name.to_owned())
}

/// One laptop's registration for one user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Device {
    pub id: String,
    pub user: String,
    pub hostname: String,
    pub os: String,
    pub app_version: String,
    pub registered_at: String,
    pub last_seen_at: String,
    pub last_sync_at: Option<String>,
    pub revoked_at: Option<String>,
    /// The cursor of the last sync answer this device was sent.
    pub synced_cursor: i64,
}

/// The device columns, in the order both backends read them.
pub const DEVICE_COLUMNS: &str = "SELECT d.id, u.name, d.hostname, d.os, d.app_version,
     d.registered_at, d.last_seen_at, d.last_sync_at, d.revoked_at, d.synced_cursor
     FROM devices d JOIN users u ON u.id = d.user_id";

/// A device registering at sign-in: `id` is new, or the device's own from an earlier sign-in.
#[derive(Debug, Clone)]
pub struct NewDevice {
    pub id: String,
    pub user_id: i64,
    pub hostname: String,
    pub os: String,
    pub app_version: String,
}

/// Token digests (never the tokens) and their expiry, in Unix milliseconds.
#[derive(Debug, Clone)]
pub struct TokenDigests {
    /// The sign-in these tokens belong to; rotation keeps it.
    pub session: String,
    pub access: String,
    pub access_expires_at: i64,
    pub refresh: String,
    pub refresh_expires_at: i64,
}

/// Who holds an access token: the account and the device it was issued to.
#[derive(Debug, Clone)]
pub struct TokenHolder {
    pub user: User,
    pub device: Device,
    pub expires_at: i64,
}

/// A refresh token as stored.
#[derive(Debug, Clone)]
pub struct RefreshRecord {
    pub device_id: String,
    pub session: String,
    pub expires_at: i64,
    pub used: bool,
    /// Spent by a refresh, so showing it again means a copy exists.
    pub rotated: bool,
}

/// The server's row for a case: what access and sync need, without the document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseRecord {
    pub case_id: String,
    pub facts: CaseAccessFacts,
    pub status: String,
    pub summary: String,
    /// Hex change hashes, comma-separated.
    pub heads: String,
    pub version: i64,
    pub cursor: i64,
    pub chunk_count: i64,
    pub updated_at: String,
}

/// A lone-worker alert's columns, in the order both backends read them.
pub const ALERT_COLUMNS: &str =
    "a.id, a.case_id, a.team, a.worker, a.expected_end, a.raised_at, a.resolved_at";
/// The same, as `RETURNING` names them.
pub const ALERT_FIELDS: &str = "id, case_id, team, worker, expected_end, raised_at, resolved_at";

/// The audit columns, in the order both backends read them into an `AuditRecord`.
pub const AUDIT_COLUMNS: &str =
    "seq, server_time, device_time, actor, device_id, action, case_id, detail, prev_hash, hash";

pub const CASE_COLUMNS: &str = "SELECT id, case_type, team, assigned_to, status, summary, heads,
     version, cursor, chunk_count, updated_at FROM cases";

/// One stored piece of a case document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseChunk {
    pub cursor: i64,
    pub bytes: Vec<u8>,
}

/// A write to one case, committed with its audit event, or not at all.
#[derive(Debug, Clone)]
pub struct CaseWrite {
    pub case_id: String,
    /// The version the writer read; `None` for a case new to the server.
    pub expected_version: Option<i64>,
    pub facts: CaseAccessFacts,
    pub status: String,
    pub summary: String,
    pub heads: String,
    pub chunk: Vec<u8>,
    /// The chunk is the whole document and replaces every earlier chunk.
    pub compacts: bool,
    pub device_id: Option<String>,
    /// The case's earliest visit under way, for lone-worker alerts.
    pub open_visit: Option<OpenVisitFacts>,
    pub audit: AuditEvent,
}

/// A visit past its expected end with no check-out, as the server saw it in
/// what devices synced.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LoneWorkerAlert {
    pub id: i64,
    pub case_id: String,
    pub team: Option<String>,
    /// Who checked in.
    pub worker: String,
    pub expected_end: String,
    pub raised_at: String,
    /// When the check-out (or a later expected end) synced.
    pub resolved_at: Option<String>,
}

/// One way of sending an alert that is due another try.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DueDelivery {
    pub alert: LoneWorkerAlert,
    pub channel: String,
    /// Tries so far.
    pub attempts: i64,
}

/// What came of one try at sending an alert.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeliveryOutcome {
    Delivered,
    /// Try again at `retry_at` (ms since the epoch), or never if None.
    Failed {
        error: String,
        retry_at: Option<i64>,
    },
}

/// How one way of sending an alert went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AlertDeliveryState {
    pub alert_id: i64,
    pub channel: String,
    pub attempts: i64,
    pub delivered_at: Option<String>,
    pub last_error: Option<String>,
}

/// Whose audit events to read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuditSubject {
    Case(String),
    /// A user's name exactly as the audit log records it.
    Actor(String),
}

/// The role and team a user had before a change to either.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PastAccess {
    pub role: Role,
    /// The team's name key (trimmed, lowercased).
    pub team_key: Option<String>,
}

/// Who is on a visit and when they expected to be done (RFC 3339).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenVisitFacts {
    pub expected_end: String,
    pub worker: String,
}

/// What came of a [`CaseWrite`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CaseWriteOutcome {
    Stored {
        cursor: i64,
    },
    /// Another write got there first; read the case again and retry.
    VersionConflict,
}

/// Where an attachment's upload stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AttachmentState {
    pub size: i64,
    pub received: i64,
    pub complete: bool,
}

/// The refusals both backends give, worded once.
impl StorageError {
    pub fn team_exists(name: &str) -> Self {
        StorageError::AlreadyExists(format!("A team called {name}"))
    }

    pub fn user_exists(name: &str) -> Self {
        StorageError::AlreadyExists(format!("A user called {name}"))
    }

    pub fn no_such_team(name: &str) -> Self {
        StorageError::NotFound(format!("There is no team called {name}"))
    }

    pub fn no_such_user(name: &str) -> Self {
        StorageError::NotFound(format!("There is no user called {name}"))
    }
}

/// What the server needs from a storage backend. Every method is one
/// transaction; implementations must keep no state outside the database, so
/// several server nodes can share one PostgreSQL database.
pub trait Storage: Send + Sync + 'static {
    /// `sqlite` or `postgres`, for health reports and logs.
    fn backend(&self) -> &'static str;

    /// Answers only when the database can serve a query right now.
    fn check_ready(&self) -> impl Future<Output = Result<(), StorageError>> + Send;

    fn add_team(&self, name: &str) -> impl Future<Output = Result<Team, StorageError>> + Send;

    fn teams(&self) -> impl Future<Output = Result<Vec<Team>, StorageError>> + Send;

    /// Fails with [`StorageError::AlreadyExists`] for a taken name (ignoring case)
    /// and [`StorageError::NotFound`] for an unknown team.
    fn add_user(&self, user: NewUser) -> impl Future<Output = Result<User, StorageError>> + Send;

    fn users(&self) -> impl Future<Output = Result<Vec<User>, StorageError>> + Send;

    /// The account named `name` (ignoring case), with its password digest.
    fn credentials(
        &self,
        name: &str,
    ) -> impl Future<Output = Result<Option<Credentials>, StorageError>> + Send;

    fn set_user_disabled(
        &self,
        name: &str,
        disabled: bool,
    ) -> impl Future<Output = Result<User, StorageError>> + Send;

    /// Gives the user a new role; their team stays. Takes effect on their
    /// next request, because every request reads the account afresh.
    fn set_user_role(
        &self,
        name: &str,
        role: Role,
    ) -> impl Future<Output = Result<User, StorageError>> + Send;

    /// Counts a sign-in attempt against the account and the address. It is
    /// recorded before the password is checked, so that guesses sent in
    /// parallel count too; a correct password then clears the account's count.
    /// Returns the attempt's id, so a refused attempt can be taken back.
    fn record_sign_in_attempt(
        &self,
        account: &str,
        address: &str,
    ) -> impl Future<Output = Result<i64, StorageError>> + Send;

    /// Takes back an attempt that was refused without checking a password,
    /// so retrying during a lock does not extend it.
    fn forget_sign_in_attempt(
        &self,
        attempt: i64,
    ) -> impl Future<Output = Result<(), StorageError>> + Send;

    /// Failures since `since_millis`, newest first, at most `limit` of each kind.
    fn recent_sign_in_failures(
        &self,
        account: &str,
        address: &str,
        since_millis: i64,
        limit: i64,
    ) -> impl Future<Output = Result<RecentFailures, StorageError>> + Send;

    /// A correct password forgives the account's own failures.
    fn clear_sign_in_failures(
        &self,
        account: &str,
    ) -> impl Future<Output = Result<(), StorageError>> + Send;

    /// Registers the device (or renews an earlier registration of the same
    /// device for the same user) and stores its first tokens, with the audit event.
    fn open_session(
        &self,
        device: NewDevice,
        tokens: TokenDigests,
        audit: AuditEvent,
    ) -> impl Future<Output = Result<Device, StorageError>> + Send;

    fn device(&self, id: &str)
    -> impl Future<Output = Result<Option<Device>, StorageError>> + Send;

    fn devices(&self) -> impl Future<Output = Result<Vec<Device>, StorageError>> + Send;

    /// The holder of an access token, found by its digest.
    fn token_holder(
        &self,
        access_digest: &str,
    ) -> impl Future<Output = Result<Option<TokenHolder>, StorageError>> + Send;

    fn refresh_record(
        &self,
        refresh_digest: &str,
    ) -> impl Future<Output = Result<Option<RefreshRecord>, StorageError>> + Send;

    /// Marks the old refresh token used and stores the new pair, if the old one
    /// was still unused; returns false when another request used it first.
    fn rotate_tokens(
        &self,
        old_refresh_digest: &str,
        device_id: &str,
        tokens: TokenDigests,
    ) -> impl Future<Output = Result<bool, StorageError>> + Send;

    /// Ends a device's session: its access tokens go, its refresh tokens are
    /// spent. The registration stays, so the device may sign in again.
    fn end_session(
        &self,
        device_id: &str,
        audit: AuditEvent,
    ) -> impl Future<Output = Result<(), StorageError>> + Send;

    /// Ends one sign-in (after a replayed refresh token): its access tokens
    /// go and its refresh tokens are spent; the device's other sessions stay.
    fn end_session_family(
        &self,
        session: &str,
        audit: AuditEvent,
    ) -> impl Future<Output = Result<(), StorageError>> + Send;

    fn revoke_device(
        &self,
        device_id: &str,
        audit: AuditEvent,
    ) -> impl Future<Output = Result<Device, StorageError>> + Send;

    /// Notes that the device was in touch, and, with `synced_to`, that it
    /// was sent the change feed up to that cursor; appends `events` to the
    /// audit chain in the same transaction (one commit per sync, not two).
    fn touch_device(
        &self,
        device_id: &str,
        synced_to: Option<i64>,
        events: Vec<AuditEvent>,
    ) -> impl Future<Output = Result<(), StorageError>> + Send;

    /// Appends events to the chain in one transaction.
    fn record_audit(
        &self,
        events: Vec<AuditEvent>,
    ) -> impl Future<Output = Result<(), StorageError>> + Send;

    /// Events after `after_seq`, oldest first, at most `limit`.
    fn audit_events(
        &self,
        after_seq: i64,
        limit: i64,
    ) -> impl Future<Output = Result<Vec<AuditRecord>, StorageError>> + Send;

    /// The stored tip of the chain: the newest event's seq and hash.
    fn audit_tip(&self) -> impl Future<Output = Result<(i64, String), StorageError>> + Send;

    fn case_record(
        &self,
        case_id: &str,
    ) -> impl Future<Output = Result<Option<CaseRecord>, StorageError>> + Send;

    /// The case's chunks stored after `after_cursor`, oldest first, leaving out
    /// the ones `skip_device` wrote itself (it has those already).
    fn case_chunks(
        &self,
        case_id: &str,
        after_cursor: i64,
        skip_device: Option<&str>,
    ) -> impl Future<Output = Result<Vec<CaseChunk>, StorageError>> + Send;

    /// [`Storage::case_chunks`] for many cases in one read, in the order of
    /// `case_ids`: a sync answer of hundreds of cases makes one round trip,
    /// not one per case.
    fn many_case_chunks(
        &self,
        case_ids: &[String],
        after_cursor: i64,
        skip_device: Option<&str>,
    ) -> impl Future<Output = Result<Vec<Vec<CaseChunk>>, StorageError>> + Send;

    fn write_case(
        &self,
        write: CaseWrite,
    ) -> impl Future<Output = Result<CaseWriteOutcome, StorageError>> + Send;

    /// Many new cases in one transaction, for demo data and migrations from
    /// legacy systems; cases the server already holds are left alone.
    /// Returns how many were stored.
    fn seed_cases(
        &self,
        writes: Vec<CaseWrite>,
    ) -> impl Future<Output = Result<usize, StorageError>> + Send;

    /// The size of a stored (complete) attachment.
    fn attachment_size(
        &self,
        sha256: &str,
    ) -> impl Future<Output = Result<Option<i64>, StorageError>> + Send;

    /// Whether the case is linked to the stored attachment.
    fn attachment_linked(
        &self,
        sha256: &str,
        case_id: &str,
    ) -> impl Future<Output = Result<bool, StorageError>> + Send;

    /// Where the case's upload of the file stands, if one is under way.
    fn upload_state(
        &self,
        sha256: &str,
        case_id: &str,
    ) -> impl Future<Output = Result<Option<AttachmentState>, StorageError>> + Send;

    /// Starts the case's upload if new (clearing uploads abandoned for a
    /// week), and appends `bytes` only if `offset` is exactly where it stands
    /// and `size` matches. Returns the state after.
    fn append_upload_chunk(
        &self,
        sha256: &str,
        case_id: &str,
        size: i64,
        offset: i64,
        bytes: Vec<u8>,
    ) -> impl Future<Output = Result<AttachmentState, StorageError>> + Send;

    /// Every byte of the case's upload so far, in order.
    fn upload_bytes(
        &self,
        sha256: &str,
        case_id: &str,
    ) -> impl Future<Output = Result<Vec<u8>, StorageError>> + Send;

    /// The upload's bytes matched their address: store the blob (unless it is
    /// already stored), link the case, and drop the upload, with the audit event.
    fn finish_upload(
        &self,
        sha256: &str,
        case_id: &str,
        audit: AuditEvent,
    ) -> impl Future<Output = Result<(), StorageError>> + Send;

    /// Drops an upload whose bytes did not match their address.
    fn discard_upload(
        &self,
        sha256: &str,
        case_id: &str,
    ) -> impl Future<Output = Result<(), StorageError>> + Send;

    /// A stored attachment's bytes, in order.
    fn attachment_bytes(
        &self,
        sha256: &str,
    ) -> impl Future<Output = Result<Vec<u8>, StorageError>> + Send;

    /// The access facts of every case that refers to the attachment.
    fn attachment_cases(
        &self,
        sha256: &str,
    ) -> impl Future<Output = Result<Vec<CaseAccessFacts>, StorageError>> + Send;

    /// Raises an alert for each case whose visit under way should have ended
    /// before `now` (RFC 3339) and has none yet, queueing one delivery per
    /// channel, due at once. Returns the new alerts.
    fn raise_lone_worker_alerts(
        &self,
        now: &str,
        channels: &[&'static str],
    ) -> impl Future<Output = Result<Vec<LoneWorkerAlert>, StorageError>> + Send;

    /// Resolves each open alert whose visit is no longer under way with that
    /// expected end (the check-out synced, or the end was moved). Returns them.
    fn resolve_lone_worker_alerts(
        &self,
        now: &str,
    ) -> impl Future<Output = Result<Vec<LoneWorkerAlert>, StorageError>> + Send;

    /// Deliveries not yet made, of alerts still open, due by `now_millis`.
    fn due_alert_deliveries(
        &self,
        now_millis: i64,
    ) -> impl Future<Output = Result<Vec<DueDelivery>, StorageError>> + Send;

    fn record_alert_delivery(
        &self,
        alert_id: i64,
        channel: &str,
        outcome: DeliveryOutcome,
    ) -> impl Future<Output = Result<(), StorageError>> + Send;

    /// Alerts, newest first; only those not yet resolved when `open_only`.
    fn lone_worker_alerts(
        &self,
        open_only: bool,
    ) -> impl Future<Output = Result<Vec<LoneWorkerAlert>, StorageError>> + Send;

    /// Alerts still open, and those resolved after `resolved_after` (RFC 3339); newest first.
    fn recent_lone_worker_alerts(
        &self,
        resolved_after: &str,
    ) -> impl Future<Output = Result<Vec<LoneWorkerAlert>, StorageError>> + Send;

    /// Every way each of these alerts is sent, and how it went.
    fn alert_deliveries(
        &self,
        alert_ids: Vec<i64>,
    ) -> impl Future<Output = Result<Vec<AlertDeliveryState>, StorageError>> + Send;

    /// Records events from a device's own audit log, each with its place in
    /// that log, skipping any at or below the place recorded before, in one
    /// transaction. Returns the highest place now recorded.
    fn record_device_audit(
        &self,
        device_id: &str,
        events: Vec<(i64, AuditEvent)>,
    ) -> impl Future<Output = Result<i64, StorageError>> + Send;

    /// Audit events about one case, or by one person, newest first.
    fn audit_trail(
        &self,
        about: AuditSubject,
        limit: i64,
    ) -> impl Future<Output = Result<Vec<AuditRecord>, StorageError>> + Send;

    /// Moves a user to another team, or out of every team (`None`).
    fn set_user_team(
        &self,
        name: &str,
        team: Option<&str>,
    ) -> impl Future<Output = Result<User, StorageError>> + Send;

    /// The access `user` had before each change of their role or team at a
    /// feed cursor in `(after, up_to]`, oldest first.
    fn user_access_changes(
        &self,
        user: &str,
        after: i64,
        up_to: i64,
    ) -> impl Future<Output = Result<Vec<PastAccess>, StorageError>> + Send;

    /// The cursor of the latest committed write. Every write at or below it
    /// has committed, because writes commit in cursor order.
    fn feed_position(&self) -> impl Future<Output = Result<i64, StorageError>> + Send;

    /// Cases that were in `scope` before a write in `(after, up_to]` changed
    /// their access. The caller checks whether each is still visible.
    fn access_left_scope(
        &self,
        scope: &CaseScope,
        after: i64,
        up_to: i64,
    ) -> impl Future<Output = Result<Vec<String>, StorageError>> + Send;

    /// How many cases in `scope` changed after `since` (for progress bars).
    fn count_cases_changed(
        &self,
        scope: &CaseScope,
        since: i64,
    ) -> impl Future<Output = Result<i64, StorageError>> + Send;

    /// Cases in `scope` whose cursor is after `since`, in cursor order, at most `limit`.
    fn cases_changed(
        &self,
        scope: &CaseScope,
        since: i64,
        limit: i64,
    ) -> impl Future<Output = Result<Vec<CaseRecord>, StorageError>> + Send;
}

/// The SQL condition for "cases in `scope`", shared by both backends; the two
/// parameters it names take [`scope_keys`], in that order.
pub fn scope_condition(scope: &CaseScope, assignee_param: &str, team_param: &str) -> String {
    let shared_only = if scope.whole_team {
        ""
    } else {
        " AND shared_with_team"
    };
    format!("(assignee_key = {assignee_param} OR (team_key = {team_param}{shared_only}))")
}

/// The assignee and team keys to bind to [`scope_condition`]'s parameters.
pub fn scope_keys(scope: &CaseScope) -> (Option<String>, Option<String>) {
    use doorstep_core::access::name_key;
    (
        scope.assignee.as_deref().map(name_key),
        scope.team.as_deref().map(name_key),
    )
}

/// Splits stored heads back into hex hashes.
pub fn split_heads(heads: &str) -> Vec<String> {
    heads
        .split(',')
        .filter(|head| !head.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Names that differ only in letter case cannot both stay once names are
/// matched ignoring case in every alphabet; say which, and what to do.
pub fn name_clash_advice(table: &str, clashes: &[String]) -> String {
    format!(
        "some {table} differ only in letter case ({}); rename one of each (UPDATE {table} SET name = … WHERE name = …), then start the server again",
        clashes.join("; ")
    )
}

/// A migration: its name and SQL, applied in list order; its version is its position from 1.
pub type MigrationStep = (&'static str, &'static str);

/// The migrations a database at version `applied` still needs, with their
/// versions. A database from a newer server is refused rather than touched.
pub fn pending_migrations(
    all: &'static [MigrationStep],
    applied: i64,
) -> Result<Vec<(i64, &'static str, &'static str)>, StorageError> {
    let known = i64::try_from(all.len()).unwrap_or(i64::MAX);
    if applied > known {
        return Err(StorageError::SchemaTooNew {
            found: applied,
            known,
        });
    }
    Ok(all
        .iter()
        .zip(1..)
        .filter(|(_, version)| *version > applied)
        .map(|((name, sql), version)| (version, *name, *sql))
        .collect())
}

/// The server's clock, in Unix milliseconds.
pub fn now_millis() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|elapsed| elapsed.as_millis() as i64)
        .unwrap_or_default()
}

/// The current time as the server records it.
pub fn now_rfc3339() -> String {
    doorstep_core::dates::Timestamp(now_millis()).to_rfc3339()
}
