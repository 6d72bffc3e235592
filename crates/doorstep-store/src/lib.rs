//! The device store: everything a Doorstep laptop keeps, encrypted at rest.
//!
//! One SQLCipher database per data folder holds the case documents (automerge,
//! one per case), the projection rows and full-text index behind My cases, the
//! outbox of unsynced edits, each case's sync badge, the hash-chained audit
//! log, and attachments (photos and documents, chunked and content-addressed).
//! Because attachments are rows of the same database, they are encrypted with
//! the same key; nothing a caseworker records is ever a plain file on disk.
//!
//! The database key is 256 random bits, made on first use and kept only in the
//! OS keyring ([`KeyringVault`]), under the service [`KEYRING_SERVICE`] and the
//! account [`key_account`] of the data folder. Deleting that keyring entry
//! makes the folder unreadable (crypto-shredding).
//!
//! Every edit is one transaction ([`DeviceStore::commit_edit`]): the document
//! change, projection, search entry, outbox entry, sync badge, clock and audit
//! event commit together or not at all, with `synchronous = FULL` so a
//! committed edit survives a power cut. Only then may the app say "saved".

mod attachments;
mod audit;
mod error;
mod exchange;
mod migrate;
mod oversight;
mod query;
mod secret;
mod store;
mod sync;
mod transfers;
mod unlock;
mod vault;

pub use attachments::{
    ATTACHMENT_CHUNK_BYTES, MAXIMUM_ATTACHMENT_BYTES, StoredAttachment, attachment_address,
};
pub use audit::{
    AuditAction, AuditBreak, AuditEvent, AuditRecord, AuditReport, GENESIS_HASH,
    MAXIMUM_AUDIT_DETAIL_CHARACTERS,
};
pub use error::StoreError;
pub use exchange::{
    AnswerReport, MISSING_DEPENDENCIES, OutgoingChanges, ReceivedCase, RefusedPush, ServerAnswer,
    SyncProgressRecord, SyncSession, parse_heads,
};
pub use migrate::{MIGRATIONS, Migration, current_schema_version};
pub use oversight::{KeptTeamOverview, TeamKpis, WeekFigures};
pub use query::{CaseFilter, CaseSort, WorkerCaseload, fts_query};
pub use secret::Secret;
pub use store::{
    BENCHMARK_PLAIN_DATABASE_FILE_NAME, COMPACT_AFTER_CHUNKS, DATABASE_FILE_NAME, DeviceStore,
    MAXIMUM_DESCRIPTION_CHARACTERS, OPEN_LOCK_FILE_NAME, key_account,
};
pub use sync::{CaseSyncStatus, OutboxEntry, SyncBadge, SyncState, SyncUpdate};
pub use transfers::{PendingUpload, WantedFile};
pub use unlock::StoredPin;
pub use vault::{KEYRING_SERVICE, KeyVault, KeyringVault, VaultError};

/// This device's clock, as recorded on edits and audit events ("device time").
pub fn device_now() -> doorstep_core::dates::Timestamp {
    let millis = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|elapsed| i64::try_from(elapsed.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or_default();
    doorstep_core::dates::Timestamp(millis)
}
