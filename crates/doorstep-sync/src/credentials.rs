//! The session's tokens, kept in the OS keyring beside the database key.
//!
//! A refresh token works once: each refresh returns a new one, and the server
//! treats a spent one presented again as theft and ends the session. The app
//! and the CLI may both use one device, so a refresh holds an exclusive lock
//! on a file in the data folder, and a process that finds the access token
//! already replaced uses the new one instead of refreshing again.

use std::fs;
use std::path::{Path, PathBuf};

use doorstep_protocol::Secret as WireSecret;
use doorstep_protocol::session::{RefreshRequest, SessionTokens};
use doorstep_store::{KeyVault, KeyringVault, Secret, key_account};

use crate::SyncError;
use crate::wire::{ServerConnection, now_rfc3339};

/// The file whose lock serialises token refreshes on one device; it stays empty.
pub const REFRESH_LOCK_FILE_NAME: &str = "doorstep-session.lock";

pub struct Credentials {
    vault: Box<dyn KeyVault>,
    access_account: String,
    refresh_account: String,
    lock_path: PathBuf,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("Credentials")
            .field("vault", &self.vault.name())
            .field("access_account", &self.access_account)
            .finish_non_exhaustive()
    }
}

impl Credentials {
    /// The tokens of the device whose data folder is `data_dir` (which must
    /// exist), in `vault`.
    pub fn for_device(data_dir: &Path, vault: Box<dyn KeyVault>) -> Result<Self, SyncError> {
        let account = key_account(data_dir)?;
        let device = account.trim_start_matches("database-key/");
        Ok(Self {
            vault,
            access_account: format!("access-token/{device}"),
            refresh_account: format!("refresh-token/{device}"),
            lock_path: data_dir.join(REFRESH_LOCK_FILE_NAME),
        })
    }

    /// [`Credentials::for_device`] in the platform keyring.
    pub fn with_os_keyring(data_dir: &Path) -> Result<Self, SyncError> {
        Self::for_device(data_dir, Box::new(KeyringVault::system()?))
    }

    /// Keeps both tokens from a sign-in or refresh.
    pub fn keep(&self, tokens: &SessionTokens) -> Result<(), SyncError> {
        // The refresh token first: losing it would end the session, while a
        // stale access token only costs one refresh.
        self.vault.set(
            &self.refresh_account,
            &Secret::new(tokens.refresh_token.expose().as_bytes().to_vec()),
        )?;
        self.vault.set(
            &self.access_account,
            &Secret::new(tokens.access_token.expose().as_bytes().to_vec()),
        )?;
        Ok(())
    }

    fn read(&self, account: &str) -> Result<Option<String>, SyncError> {
        Ok(self
            .vault
            .get(account)?
            .map(|secret| String::from_utf8_lossy(secret.expose()).into_owned()))
    }

    /// The current access token, or `None` if this device is not signed in.
    pub fn access_token(&self) -> Result<Option<String>, SyncError> {
        self.read(&self.access_account)
    }

    pub fn is_signed_in(&self) -> Result<bool, SyncError> {
        Ok(self.read(&self.refresh_account)?.is_some())
    }

    /// A fresh access token to replace `expired`: another process's newer
    /// one if it already refreshed, or the result of refreshing now.
    pub fn renew(
        &self,
        connection: &ServerConnection,
        expired: &str,
    ) -> Result<(String, Option<SessionTokens>), SyncError> {
        let lock = fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&self.lock_path)
            .map_err(|error| {
                SyncError::Store(Box::new(doorstep_store::StoreError::DataDir {
                    path: self.lock_path.clone(),
                    source: error,
                }))
            })?;
        lock.lock().map_err(|error| {
            SyncError::Store(Box::new(doorstep_store::StoreError::DataDir {
                path: self.lock_path.clone(),
                source: error,
            }))
        })?;
        if let Some(current) = self.access_token()?
            && current != expired
        {
            return Ok((current, None));
        }
        let Some(refresh_token) = self.read(&self.refresh_account)? else {
            return Err(SyncError::NotSignedIn);
        };
        let tokens = connection
            .refresh(&RefreshRequest {
                refresh_token: WireSecret::new(refresh_token),
                device_time: Some(now_rfc3339()),
            })
            .map_err(|error| match error {
                SyncError::Refused { message, .. } => SyncError::SessionEnded { message },
                other => other,
            })?;
        self.keep(&tokens)?;
        drop(lock);
        Ok((tokens.access_token.expose().to_owned(), Some(tokens)))
    }

    /// Forgets both tokens (sign-out, revocation).
    pub fn forget(&self) -> Result<(), SyncError> {
        self.vault.delete(&self.access_account)?;
        self.vault.delete(&self.refresh_account)?;
        Ok(())
    }
}
