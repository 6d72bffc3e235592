//! Where the database key lives: the operating system's keyring.
//!
//! [`KeyVault`] is the small seam between the store and the keyring. The real
//! one is [`KeyringVault`], over `keyring-core` and the platform's own store:
//! the Secret Service (GNOME Keyring, KWallet) on Linux, the Credential Manager
//! on Windows, the login Keychain on macOS. The kernel keyutils store is not
//! used: it keeps secrets in RAM only, and a key lost at reboot would lock the
//! caseworker out of every unsynced change.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use keyring_core::{CredentialStore, Entry};

use crate::secret::Secret;

/// The keyring service every Doorstep secret on a device is filed under.
pub const KEYRING_SERVICE: &str = "uk.org.doorstep.desktop";

/// Why the keyring could not do what was asked. Messages never include secret bytes.
#[derive(Debug, thiserror::Error)]
pub enum VaultError {
    #[error("the keyring is locked or refused access ({0})")]
    Locked(String),
    #[error("the keyring service could not be reached ({0})")]
    Unavailable(String),
    #[error("the keyring holds several entries named {0}; remove the extra ones")]
    Ambiguous(String),
    #[error("{0}")]
    Failed(String),
}

/// Secrets filed by account name, e.g. `database-key/<data folder id>`.
pub trait KeyVault: Send + Sync {
    /// What to call this vault in messages, such as "the system keyring (Secret Service)".
    fn name(&self) -> String;
    /// The secret for `account`, or `None` if there is none.
    fn get(&self, account: &str) -> Result<Option<Secret>, VaultError>;
    /// Creates or replaces the secret for `account`.
    fn set(&self, account: &str, secret: &Secret) -> Result<(), VaultError>;
    /// Removes the secret for `account`; `false` if there was none.
    fn delete(&self, account: &str) -> Result<bool, VaultError>;
}

/// The OS keyring, through a `keyring-core` credential store.
#[derive(Debug, Clone)]
pub struct KeyringVault {
    store: Arc<CredentialStore>,
    flavour: Flavour,
}

/// Store-specific entry options, chosen from the store's vendor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Flavour {
    /// Items get a label a person recognises in Seahorse or KWallet.
    SecretService,
    /// Credentials are kept `Local`: the default, `Enterprise`, roams with the
    /// user's profile to other machines, and a device key must stay on its device.
    WindowsCredentialManager,
    Plain,
}

// Serialises installing keyring-core's process-wide default store.
static INSTALL_DEFAULT_STORE: Mutex<()> = Mutex::new(());

impl KeyringVault {
    /// The platform keyring. The first call installs it as keyring-core's
    /// process-wide default store (`keyring_core::set_default_store`), so the
    /// rest of the app reaches the same keyring with `keyring_core::Entry::new`;
    /// if a default store is already installed, that one is used.
    ///
    /// The default store is global to the process: tests that install a
    /// different one must not share a process (nextest runs each test in its own).
    pub fn system() -> Result<Self, VaultError> {
        let _installing = INSTALL_DEFAULT_STORE
            .lock()
            .map_err(|_| VaultError::Failed("an earlier keyring set-up crashed".into()))?;
        let store = match keyring_core::get_default_store() {
            Some(store) => store,
            None => {
                let store = platform_store()?;
                keyring_core::set_default_store(store.clone());
                store
            }
        };
        Ok(Self::with_store(store))
    }

    /// A vault over any `keyring-core` store, without touching the process-wide default.
    pub fn with_store(store: Arc<CredentialStore>) -> Self {
        let vendor = store.vendor();
        let flavour = if vendor.contains("Secret Service") {
            Flavour::SecretService
        } else if vendor.contains("Windows Credential Manager") {
            Flavour::WindowsCredentialManager
        } else {
            Flavour::Plain
        };
        Self { store, flavour }
    }

    fn entry(&self, account: &str) -> Result<Entry, VaultError> {
        let label = format!("Doorstep device data key ({account})");
        let modifiers: HashMap<&str, &str> = match self.flavour {
            Flavour::SecretService => HashMap::from([("label", label.as_str())]),
            Flavour::WindowsCredentialManager => HashMap::from([("persistence", "Local")]),
            Flavour::Plain => HashMap::new(),
        };
        let entry = if modifiers.is_empty() {
            Entry::new_in_store(&self.store, KEYRING_SERVICE, account)
        } else {
            Entry::new_in_store_with_modifiers(&self.store, KEYRING_SERVICE, account, &modifiers)
        };
        entry.map_err(|error| vault_error(error, account))
    }
}

impl KeyVault for KeyringVault {
    fn name(&self) -> String {
        let vendor = self.store.vendor();
        let kind = if vendor.contains("Secret Service") {
            "Secret Service: GNOME Keyring or KWallet"
        } else if vendor.contains("Windows") {
            "Windows Credential Manager"
        } else if vendor.contains("macOS") {
            "macOS Keychain"
        } else {
            vendor.split(',').next().unwrap_or("keyring")
        };
        format!("the system keyring ({kind})")
    }

    fn get(&self, account: &str) -> Result<Option<Secret>, VaultError> {
        match self.entry(account)?.get_secret() {
            Ok(bytes) => Ok(Some(Secret::new(bytes))),
            Err(keyring_core::Error::NoEntry) => Ok(None),
            Err(error) => Err(vault_error(error, account)),
        }
    }

    fn set(&self, account: &str, secret: &Secret) -> Result<(), VaultError> {
        self.entry(account)?
            .set_secret(secret.expose())
            .map_err(|error| vault_error(error, account))
    }

    fn delete(&self, account: &str) -> Result<bool, VaultError> {
        match self.entry(account)?.delete_credential() {
            Ok(()) => Ok(true),
            Err(keyring_core::Error::NoEntry) => Ok(false),
            Err(error) => Err(vault_error(error, account)),
        }
    }
}

/// keyring-core's errors, without the payloads that can carry secret bytes
/// (`BadEncoding` and `BadDataFormat` hold the stored value itself).
fn vault_error(error: keyring_core::Error, account: &str) -> VaultError {
    use keyring_core::Error as K;
    match error {
        K::NoStorageAccess(source) => VaultError::Locked(source.to_string()),
        K::PlatformFailure(source) => VaultError::Unavailable(source.to_string()),
        K::NoDefaultStore => VaultError::Unavailable("no keyring store is set up".into()),
        K::Ambiguous(_) => VaultError::Ambiguous(account.to_owned()),
        K::BadEncoding(_) | K::BadDataFormat(..) => {
            VaultError::Failed(format!("the keyring entry {account} holds malformed data"))
        }
        K::BadStoreFormat(reason) => {
            VaultError::Failed(format!("the keyring's own data is damaged: {reason}"))
        }
        K::TooLong(name, limit) => VaultError::Failed(format!(
            "{name} is longer than the keyring's limit of {limit}"
        )),
        K::Invalid(name, reason) => VaultError::Failed(format!("{name} is not valid: {reason}")),
        K::NotSupportedByStore(reason) => VaultError::Failed(reason),
        other => VaultError::Failed(other.to_string()),
    }
}

#[cfg(any(
    target_os = "linux",
    target_os = "freebsd",
    target_os = "openbsd",
    target_os = "netbsd"
))]
fn platform_store() -> Result<Arc<CredentialStore>, VaultError> {
    // Creating the store holds no secret, so its error text is safe to show.
    let store = zbus_secret_service_keyring_store::Store::new().map_err(|error| {
        VaultError::Unavailable(format!(
            "there is no Secret Service in this session ({error}); Doorstep needs a desktop session with GNOME Keyring or KWallet"
        ))
    })?;
    Ok(store)
}

#[cfg(target_os = "windows")]
fn platform_store() -> Result<Arc<CredentialStore>, VaultError> {
    let store = windows_native_keyring_store::Store::new()
        .map_err(|error| VaultError::Unavailable(error.to_string()))?;
    Ok(store)
}

#[cfg(target_os = "macos")]
fn platform_store() -> Result<Arc<CredentialStore>, VaultError> {
    let store = apple_native_keyring_store::keychain::Store::new()
        .map_err(|error| VaultError::Unavailable(error.to_string()))?;
    Ok(store)
}

#[cfg(not(any(
    target_os = "linux",
    target_os = "freebsd",
    target_os = "openbsd",
    target_os = "netbsd",
    target_os = "windows",
    target_os = "macos"
)))]
fn platform_store() -> Result<Arc<CredentialStore>, VaultError> {
    Err(VaultError::Unavailable(
        "Doorstep has no keyring support on this operating system".into(),
    ))
}
