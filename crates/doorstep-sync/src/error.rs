//! Why a sync, sign-in or sign-out did not complete. Every message says what
//! to do, and none suggests that local work is at risk, because it is not.

use doorstep_store::{StoreError, VaultError};

#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    #[error(
        "Could not reach the Doorstep server at {url}: {reason}. Your work is saved on this device and will sync when the connection is back"
    )]
    Unreachable { url: String, reason: String },

    #[error(
        "The server is busy or unavailable ({message}). Your work is saved on this device; Doorstep will try again shortly"
    )]
    Unavailable { status: u16, message: String },

    #[error(
        "Your sign-in has ended ({message}). Sign in again to sync; your work is saved on this device"
    )]
    SessionEnded { message: String },

    #[error(
        "This device is not signed in. Sign in with `doorstep login` (or in the app) to sync; your work is saved on this device"
    )]
    NotSignedIn,

    #[error("IT has revoked this device, so its Doorstep data has been removed from it. {message}")]
    Revoked { message: String },

    #[error("{message}")]
    Refused {
        status: u16,
        code: String,
        message: String,
    },

    #[error(
        "The server sent an answer Doorstep cannot use ({0}). Nothing was changed on this device; try again later, and tell IT if it keeps happening"
    )]
    BadAnswer(String),

    #[error("Another sync on this device is running. Wait for it to finish; nothing needs doing")]
    AlreadySyncing,

    #[error(
        "Doorstep could not use the keyring, where it keeps this device's sign-in ({0}). Check that your keyring is running and unlocked, then try again; your work is saved on this device"
    )]
    Keyring(#[from] VaultError),

    #[error(transparent)]
    Store(Box<StoreError>),
}

impl From<StoreError> for SyncError {
    fn from(error: StoreError) -> Self {
        SyncError::Store(Box::new(error))
    }
}

impl SyncError {
    /// A stable code for front ends and `--json` output.
    pub fn code(&self) -> &str {
        match self {
            SyncError::Unreachable { .. } => "server_unreachable",
            SyncError::Unavailable { .. } => "server_unavailable",
            SyncError::SessionEnded { .. } => "session_ended",
            SyncError::NotSignedIn => "not_signed_in",
            SyncError::Revoked { .. } => "device_revoked",
            SyncError::Refused { code, .. } => code,
            SyncError::BadAnswer(_) => "bad_answer",
            SyncError::AlreadySyncing => "already_syncing",
            SyncError::Keyring(_) => "keyring_error",
            SyncError::Store(_) => "store_error",
        }
    }

    /// Worth trying again later without anyone doing anything: the network
    /// or the server, not the request.
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            SyncError::Unreachable { .. }
                | SyncError::Unavailable { .. }
                | SyncError::BadAnswer(_)
                | SyncError::AlreadySyncing
        )
    }
}
