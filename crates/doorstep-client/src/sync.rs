//! Signing in and out, syncing, and what happens when IT revokes the device.

use doorstep_protocol::Secret;
use doorstep_protocol::session::{DeviceDescription, SignInRequest};
use doorstep_store::{
    AuditAction, AuditEvent, DATABASE_FILE_NAME, KeyVault, KeyringVault, SyncSession, key_account,
};
use doorstep_sync::wire::now_rfc3339;
use doorstep_sync::{Credentials, ServerConnection, SyncError};
pub use doorstep_sync::{SyncOutcome, SyncProgress};
use reqwest::Url;
use serde::Serialize;

use crate::settings::parse_server_url;
use crate::{ClientError, Device};

/// Closed cases leave the device this long after their last change, once
/// nothing of them waits to be sent. The server keeps them.
pub const KEEP_CLOSED_CASES_DAYS: i64 = 30;

/// Who signed in, as the server confirmed it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SignedIn {
    pub user: String,
    pub role: String,
    pub team: Option<String>,
    pub server: String,
    pub device_id: String,
}

fn hostname() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .or_else(|| std::env::var("COMPUTERNAME").ok())
        .or_else(|| std::env::var("HOSTNAME").ok())
        .map(|name| name.trim().to_owned())
        .filter(|name| !name.is_empty())
        .unwrap_or_else(|| "unknown".to_owned())
}

fn operating_system() -> String {
    let pretty = std::fs::read_to_string("/etc/os-release")
        .ok()
        .and_then(|text| {
            text.lines()
                .find_map(|line| line.strip_prefix("PRETTY_NAME="))
                .map(|name| name.trim_matches('"').to_owned())
        });
    pretty.unwrap_or_else(|| std::env::consts::OS.to_owned())
}

impl Device {
    pub(crate) fn credentials(&self) -> Result<Credentials, ClientError> {
        Ok(Credentials::with_os_keyring(self.store.data_dir())?)
    }

    fn session(&self) -> Result<Option<SyncSession>, ClientError> {
        Ok(self.store.sync_session()?)
    }

    pub(crate) fn connection(&self, server: &str) -> Result<ServerConnection, ClientError> {
        let url = parse_server_url(server)?;
        Ok(ServerConnection::new(&url)?)
    }

    /// Signs in to `server` and registers this device (keeping its earlier
    /// registration with that server). The tokens go to the OS keyring. If a
    /// different person used this device before, their cases leave it first;
    /// that is refused while any of their changes wait to be sent.
    pub fn sign_in(
        &mut self,
        server: &Url,
        user: &str,
        password: &str,
    ) -> Result<SignedIn, ClientError> {
        if self.wiped {
            return Err(ClientError::Wiped);
        }
        let server_text = server.to_string();
        let previous = self.session()?;
        if let Some(previous) = &previous {
            let someone_else = !previous.user.eq_ignore_ascii_case(user.trim())
                || previous.server_url != server_text;
            let waiting =
                self.store.unsynced_change_count()? + self.store.pending_upload_count()?;
            if someone_else && waiting > 0 {
                return Err(doorstep_store::StoreError::OtherPersonsChangesWaiting {
                    user: previous.user.clone(),
                    waiting: i64::try_from(waiting).unwrap_or(i64::MAX),
                }
                .into());
            }
        }
        let connection = ServerConnection::new(server)?;
        let tokens = connection
            .sign_in(&SignInRequest {
                user: user.trim().to_owned(),
                password: Secret::new(password),
                device: DeviceDescription {
                    id: previous
                        .as_ref()
                        .filter(|previous| previous.server_url == server_text)
                        .map(|previous| previous.device_id.clone()),
                    hostname: hostname(),
                    os: operating_system(),
                    app_version: doorstep_core::DOORSTEP_VERSION.to_owned(),
                },
                device_time: Some(now_rfc3339()),
            })
            .map_err(|error| match error {
                SyncError::Refused { message, .. } => ClientError::SignIn(message),
                other => other.into(),
            })?;
        self.credentials()?.keep(&tokens)?;
        let session = SyncSession {
            server_url: server_text.clone(),
            user: tokens.user.clone(),
            role: tokens.role.clone(),
            team: tokens.team.clone(),
            device_id: tokens.device_id.clone(),
            signed_in: true,
            signed_in_at: doorstep_store::device_now(),
        };
        let event = AuditEvent {
            user: tokens.user.clone(),
            action: AuditAction::SignedIn,
            case_id: None,
            detail: format!("Signed in to {server_text}"),
            device_time: doorstep_store::device_now(),
        };
        self.store.record_sign_in(&session, &event)?;
        self.user = tokens.user.clone();
        Ok(SignedIn {
            user: tokens.user,
            role: tokens.role,
            team: tokens.team,
            server: server_text,
            device_id: tokens.device_id,
        })
    }

    /// Ends the session here and on the server (if it can be reached). The
    /// cases and every unsynced change stay on this device, encrypted.
    pub fn sign_out(&mut self) -> Result<(), ClientError> {
        let Some(session) = self.session()?.filter(|session| session.signed_in) else {
            return Err(SyncError::NotSignedIn.into());
        };
        let credentials = self.credentials()?;
        if let Some(access) = credentials.access_token()?
            && let Ok(connection) = self.connection(&session.server_url)
            && let Err(error) = connection.sign_out(&access)
        {
            // Signing out must work offline; the server ends the session when
            // its tokens expire.
            tracing::info!(%error, "the server could not be told about the sign-out");
        }
        credentials.forget()?;
        self.store.record_sign_out(&AuditEvent {
            user: self.user.clone(),
            action: AuditAction::SignedOut,
            case_id: None,
            detail: "Signed out; this device's data was kept".into(),
            device_time: doorstep_store::device_now(),
        })?;
        Ok(())
    }

    /// Syncs now, reporting progress after each round. If the server says IT
    /// revoked this device, the device's data and keys are destroyed and
    /// [`ClientError::Wiped`] is returned.
    pub fn sync(
        &mut self,
        progress: &mut dyn FnMut(&SyncProgress),
    ) -> Result<SyncOutcome, ClientError> {
        if self.wiped {
            return Err(ClientError::Wiped);
        }
        let session = self
            .session()?
            .filter(|session| session.signed_in)
            .ok_or(ClientError::Sync(Box::new(SyncError::NotSignedIn)))?;
        let connection = self.connection(&session.server_url)?;
        let credentials = self.credentials()?;
        let options = doorstep_sync::SyncOptions {
            attachment_budget_bytes: self.settings.attachment_budget_bytes,
        };
        match doorstep_sync::sync_now(
            &mut self.store,
            &connection,
            &credentials,
            options,
            progress,
        ) {
            Ok(outcome) => {
                self.evict_closed_cases()?;
                Ok(outcome)
            }
            Err(SyncError::Revoked { .. }) => {
                let access = credentials.access_token().ok().flatten();
                self.wipe(&credentials)?;
                // Best effort: the data is already gone whether or not this arrives.
                if let Some(access) = access
                    && let Err(error) = connection.confirm_wipe(&access)
                {
                    tracing::info!(%error, "could not confirm the wipe to the server");
                }
                Err(ClientError::Wiped)
            }
            Err(error) => Err(error.into()),
        }
    }

    /// Closed cases past their keep period leave the device once every
    /// change to them has reached the server. Audited per case.
    fn evict_closed_cases(&mut self) -> Result<usize, ClientError> {
        let cutoff = doorstep_store::device_now().millis() - KEEP_CLOSED_CASES_DAYS * 86_400_000;
        let stale = self
            .store
            .closed_cases_before(doorstep_core::dates::Timestamp(cutoff))?;
        if stale.is_empty() {
            return Ok(0);
        }
        Ok(self.store.remove_cases(
            &stale,
            &self.user,
            &format!(
                "Removed from this device: closed for more than {KEEP_CLOSED_CASES_DAYS} days; every change made here had reached the server"
            ),
            doorstep_store::device_now(),
        )?)
    }

    /// Crypto-shreds this device: the database key and the session's tokens
    /// leave the keyring (so the data can never be read again), then the
    /// database files are deleted.
    fn wipe(&mut self, credentials: &Credentials) -> Result<(), ClientError> {
        self.shred(credentials)?;
        tracing::warn!("IT revoked this device: its data and keys were destroyed");
        Ok(())
    }

    fn shred(&mut self, credentials: &Credentials) -> Result<(), ClientError> {
        let vault = KeyringVault::system().map_err(SyncError::from)?;
        let account = key_account(self.store.data_dir())?;
        vault.delete(&account).map_err(SyncError::from)?;
        credentials.forget()?;
        self.wiped = true;
        remove_database_files(self.store.data_dir());
        Ok(())
    }

    /// "Sign out and remove this device's data": signs out, then
    /// crypto-shreds the device as a revocation would. Refused, changing
    /// nothing, while any change or file made here has not reached the server.
    pub fn sign_out_and_remove_data(&mut self) -> Result<(), ClientError> {
        if self.wiped {
            return Err(ClientError::Wiped);
        }
        let waiting = self.store.unsynced_change_count()? + self.store.pending_upload_count()?;
        if waiting > 0 {
            return Err(ClientError::UnsentWorkWouldBeLost { waiting });
        }
        match self.sign_out() {
            Ok(()) => {}
            Err(ClientError::Sync(error)) if matches!(*error, SyncError::NotSignedIn) => {}
            Err(error) => return Err(error),
        }
        self.shred(&self.credentials()?)?;
        tracing::info!("the person signed out and removed this device's Doorstep data");
        Ok(())
    }

    /// Closes the store. After a wipe, removes any database file the open
    /// connection kept alive (needed where open files cannot be deleted).
    pub fn close(self) -> Result<(), ClientError> {
        let dir = self.store.data_dir().to_owned();
        self.store.close()?;
        if self.wiped {
            remove_database_files(&dir);
        }
        Ok(())
    }

    /// True once a revocation has wiped this device.
    pub fn is_wiped(&self) -> bool {
        self.wiped
    }
}

fn remove_database_files(dir: &std::path::Path) {
    for suffix in ["", "-wal", "-shm", "-journal"] {
        let path = dir.join(format!("{DATABASE_FILE_NAME}{suffix}"));
        if let Err(error) = std::fs::remove_file(&path)
            && error.kind() != std::io::ErrorKind::NotFound
        {
            tracing::warn!(path = %path.display(), %error, "could not delete a wiped database file; its key is gone, so it cannot be read");
        }
    }
}
