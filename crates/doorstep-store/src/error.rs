//! What can go wrong in the device store, said so that a caseworker or IT
//! knows what to do next. No message ever contains key material.

use std::path::PathBuf;

use crate::vault::VaultError;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error(
        "Doorstep could not create or use its data folder {path}: {source}. Check that the folder's parent exists and that you may write to it"
    )]
    DataDir {
        path: PathBuf,
        source: std::io::Error,
    },

    #[error(
        "Doorstep could not use {vault}, where it keeps this device's database key: {source}. Check that your keyring is running and unlocked (sign in to the desktop session again, or open the keyring app), then try again. Nothing has been changed"
    )]
    Keyring { vault: String, source: VaultError },

    #[error(
        "{vault} accepted this device's new database key but did not give it back, so Doorstep stopped before storing anything with it. Check that the keyring is set up and unlocked, then try again"
    )]
    KeyNotKept { vault: String },

    #[error(
        "The data in {path} is encrypted, but its key is missing from {vault}, so it cannot be opened. Nothing has been changed and no new key was made. If the keyring was reset or replaced, ask IT to move this data folder aside, then sign in again so Doorstep fetches your cases from the council's server; changes that never synced cannot be read without the old key"
    )]
    KeyMissing { path: PathBuf, vault: String },

    #[error(
        "The database in {path} cannot be opened with the key in {vault}: either the key belongs to another copy of this data or the file is damaged. Nothing has been changed. Ask IT to restore the keyring entry for this folder, or move the folder aside and sign in again to fetch your cases from the server"
    )]
    WrongKey { path: PathBuf, vault: String },

    #[error(
        "The database key for this device in {vault} is not in the form Doorstep writes (64 hexadecimal characters). Nothing has been changed. Ask IT to check the keyring entry \"{account}\""
    )]
    MalformedKey { vault: String, account: String },

    #[error(
        "This computer could not produce random numbers for a new key or identifier ({0}). Restart the computer and try again; if it persists, contact IT"
    )]
    Random(String),

    #[error(
        "This device's data was written by a newer version of Doorstep (database schema {found}; this version knows up to {known}). Update Doorstep to open it; nothing has been changed"
    )]
    SchemaTooNew { found: i64, known: i64 },

    #[error(
        "Doorstep could not upgrade this device's database (step {name}): {source}. Nothing has been changed; the previous version of Doorstep can still open it. Contact IT with this message"
    )]
    Migration {
        name: &'static str,
        source: rusqlite::Error,
    },

    #[error(
        "Another Doorstep window or command is using this device's data right now. Wait a moment and try again; nothing was lost"
    )]
    Busy,

    #[error("The disk is full, so the change was not saved. Free some space and try again")]
    DiskFull,

    #[error(
        "The device database failed while {doing}: {source}. Anything not yet saved was not saved; try again, and if it keeps happening restart Doorstep and contact IT"
    )]
    Database {
        doing: &'static str,
        source: rusqlite::Error,
    },

    #[error(
        "Stored data for {what} is damaged or in an unknown form ({detail}). Contact IT; run `doorstep diagnostics` to check the whole database"
    )]
    Damaged { what: String, detail: String },

    #[error(
        "There is no case {0} on this device. It may not have synced here yet; sync and try again"
    )]
    CaseNotFound(String),

    #[error("Case {0} is already on this device; open it instead of creating it again")]
    CaseExists(String),

    #[error(
        "Case {0} was changed by another Doorstep window or command on this device while you were editing it, so this change was not saved. Open the case again and redo the change"
    )]
    CaseChangedElsewhere(String),

    #[error(
        "{waiting} changes made by {user} on this device have not reached the server yet, so another person cannot sign in here. Ask {user} to sign in and sync first; nothing has been changed"
    )]
    OtherPersonsChangesWaiting { user: String, waiting: i64 },

    #[error(transparent)]
    Case(#[from] doorstep_core::case::CaseError),

    #[error("This action cannot be recorded in the audit log: {0}")]
    InvalidAuditEvent(String),

    #[error(
        "The file is {size} bytes; the largest attachment Doorstep accepts is {limit} bytes ({limit_mib} MiB). Make it smaller (for example, take the photo at a lower resolution) or split the document"
    )]
    AttachmentTooLarge {
        size: usize,
        limit: usize,
        limit_mib: usize,
    },

    #[error("The file is empty; choose the file again")]
    EmptyAttachment,

    #[error("\"{0}\" is not a media type. Use a type such as image/jpeg or application/pdf")]
    InvalidMediaType(String),

    #[error("There is no attachment {0} on this device. It may not have synced here yet")]
    AttachmentNotFound(String),

    #[error(
        "The attachment {sha256} on this device is damaged ({detail}). If it was synced, it will be fetched again from the server; otherwise ask the person who added it to attach it again"
    )]
    AttachmentDamaged { sha256: String, detail: String },
}

/// Maps a SQLite failure to the error a person can act on.
pub(crate) fn db(doing: &'static str) -> impl FnOnce(rusqlite::Error) -> StoreError {
    move |source| match source.sqlite_error_code() {
        Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked) => {
            StoreError::Busy
        }
        Some(rusqlite::ErrorCode::DiskFull) => StoreError::DiskFull,
        _ => StoreError::Database { doing, source },
    }
}

pub(crate) fn damaged(what: impl Into<String>, detail: impl ToString) -> StoreError {
    StoreError::Damaged {
        what: what.into(),
        detail: detail.to_string(),
    }
}
