//! The database key: made on first use, kept in the OS keyring, never guessed.

use std::sync::Mutex;

use doorstep_store::{
    DeviceStore, KEYRING_SERVICE, KeyVault, KeyringVault, Secret, StoreError, VaultError,
    key_account,
};
use sha2::{Digest, Sha256};

use crate::common::*;

fn file_digest(path: &std::path::Path) -> String {
    hex::encode(Sha256::digest(std::fs::read(path).unwrap()))
}

#[test]
fn the_first_open_makes_a_key_and_a_database_and_a_reopen_uses_them() {
    let (_temp, data_dir) = fresh_data_dir();
    assert!(!data_dir.exists());

    let mut store = open(&data_dir);
    assert!(database_path(&data_dir).exists());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&data_dir).unwrap().permissions().mode();
        assert_eq!(
            mode & 0o777,
            0o700,
            "the data folder is private to its user"
        );
    }
    let account = key_account(&data_dir).unwrap();
    assert!(account.starts_with("database-key/"));
    let key = key_hex(&data_dir);
    assert_eq!(key.len(), 64);
    assert!(key.bytes().all(|b| b.is_ascii_hexdigit()));
    let actor = store.device_actor();
    create_case(&mut store, "case-1", "housing", "Damp in the bedroom", 0);
    store.close().unwrap();

    let reopened = open(&data_dir);
    assert_eq!(
        reopened.device_actor(),
        actor,
        "the device keeps its identity"
    );
    assert_eq!(reopened.device_id(), actor.to_hex_string());
    assert_eq!(key_hex(&data_dir), key, "a reopen must not replace the key");
    let case = reopened.load_case("case-1").unwrap();
    assert_eq!(case.view().text("summary"), Some("Damp in the bedroom"));
}

#[test]
fn the_database_file_is_unreadable_without_the_key() {
    let (_temp, data_dir) = fresh_data_dir();
    let mut store = open(&data_dir);
    create_case(&mut store, "case-1", "housing", "Damp in the bedroom", 0);
    store.close().unwrap();

    let bytes = std::fs::read(database_path(&data_dir)).unwrap();
    assert!(
        !bytes.starts_with(b"SQLite format 3\0"),
        "not even the header is plain"
    );
    let plain = rusqlite::Connection::open(database_path(&data_dir)).unwrap();
    let error = plain
        .query_row("SELECT count(*) FROM sqlite_master", [], |row| {
            row.get::<_, i64>(0)
        })
        .unwrap_err();
    assert!(
        error.to_string().contains("file is not a database"),
        "unexpected: {error}"
    );
}

#[test]
fn a_key_that_does_not_fit_gives_a_clear_error_and_changes_nothing() {
    let (_temp, data_dir) = fresh_data_dir();
    let mut store = open(&data_dir);
    create_case(&mut store, "case-1", "housing", "Damp in the bedroom", 0);
    store.close().unwrap();
    let before = file_digest(&database_path(&data_dir));

    // The keyring now holds some other key for this folder (restored from
    // another laptop's backup, say).
    let account = key_account(&data_dir).unwrap();
    let other = Secret::new("ab".repeat(32).into_bytes());
    vault().set(&account, &other).unwrap();

    let error = DeviceStore::open(&data_dir, &vault()).unwrap_err();
    assert!(matches!(error, StoreError::WrongKey { .. }), "{error:?}");
    let message = error.to_string();
    assert!(
        message.contains("cannot be opened with the key"),
        "{message}"
    );
    assert!(message.contains("Nothing has been changed"), "{message}");
    assert!(
        message.contains("system keyring (Secret Service"),
        "{message}"
    );
    assert!(
        !message.contains(&"ab".repeat(32)),
        "the key never appears in messages"
    );
    assert_eq!(file_digest(&database_path(&data_dir)), before);
    assert_eq!(
        key_hex(&data_dir),
        "ab".repeat(32),
        "the keyring entry is left alone"
    );
}

#[test]
fn a_missing_key_for_existing_data_is_an_error_and_no_new_key_is_made() {
    let (_temp, data_dir) = fresh_data_dir();
    let mut store = open(&data_dir);
    create_case(&mut store, "case-1", "housing", "Damp in the bedroom", 0);
    store.close().unwrap();
    let before = file_digest(&database_path(&data_dir));
    let account = key_account(&data_dir).unwrap();
    let key = vault().get(&account).unwrap().unwrap();

    assert!(vault().delete(&account).unwrap());
    let error = DeviceStore::open(&data_dir, &vault()).unwrap_err();
    assert!(matches!(error, StoreError::KeyMissing { .. }), "{error:?}");
    let message = error.to_string();
    assert!(message.contains("its key is missing"), "{message}");
    assert!(message.contains("no new key was made"), "{message}");
    assert!(message.contains("sign in again"), "{message}");
    assert!(
        vault().get(&account).unwrap().is_none(),
        "no new key was made"
    );
    assert_eq!(file_digest(&database_path(&data_dir)), before);

    // With the key back (IT restored the keyring), everything is there.
    vault().set(&account, &key).unwrap();
    let store = open(&data_dir);
    assert!(store.has_case("case-1").unwrap());
}

#[test]
fn a_malformed_key_in_the_keyring_is_reported_not_replaced() {
    let (_temp, data_dir) = fresh_data_dir();
    open(&data_dir).close().unwrap();
    let account = key_account(&data_dir).unwrap();
    vault()
        .set(
            &account,
            &Secret::new(b"correct horse battery staple".to_vec()),
        )
        .unwrap();
    let error = DeviceStore::open(&data_dir, &vault()).unwrap_err();
    assert!(
        matches!(error, StoreError::MalformedKey { .. }),
        "{error:?}"
    );
    assert!(error.to_string().contains(&account));
    assert!(!error.to_string().contains("horse"));
}

#[test]
fn each_data_folder_is_its_own_device_with_its_own_key() {
    let (_a, first) = fresh_data_dir();
    let (_b, second) = fresh_data_dir();
    let one = open(&first);
    let two = open(&second);
    assert_ne!(key_account(&first).unwrap(), key_account(&second).unwrap());
    assert_ne!(key_hex(&first), key_hex(&second));
    assert_ne!(one.device_actor(), two.device_actor());
}

#[test]
fn the_key_never_appears_in_debug_output_or_errors() {
    let (_temp, data_dir) = fresh_data_dir();
    let store = open(&data_dir);
    let key = key_hex(&data_dir);
    let debug = format!("{store:?}");
    assert!(!debug.to_lowercase().contains(&key));
    let secret = vault()
        .get(&key_account(&data_dir).unwrap())
        .unwrap()
        .unwrap();
    assert_eq!(
        format!("{secret:?} {secret}"),
        "Secret([redacted]) [redacted]"
    );
}

/// A vault whose behaviour a test scripts. The real keyring cannot be made to
/// fail on demand without breaking the other tests that share the test
/// keyring, so these stories about the store's own logic use this instead.
#[derive(Default)]
struct ScriptedVault {
    refuse_set: bool,
    forget_everything: bool,
    stored: Mutex<Option<Vec<u8>>>,
}

impl KeyVault for ScriptedVault {
    fn name(&self) -> String {
        "the scripted test vault".into()
    }
    fn get(&self, _account: &str) -> Result<Option<Secret>, VaultError> {
        Ok(self.stored.lock().unwrap().clone().map(Secret::new))
    }
    fn set(&self, _account: &str, secret: &Secret) -> Result<(), VaultError> {
        if self.refuse_set {
            return Err(VaultError::Locked(
                "the user dismissed the unlock prompt".into(),
            ));
        }
        if !self.forget_everything {
            *self.stored.lock().unwrap() = Some(secret.expose().to_vec());
        }
        Ok(())
    }
    fn delete(&self, _account: &str) -> Result<bool, VaultError> {
        Ok(self.stored.lock().unwrap().take().is_some())
    }
}

#[test]
fn a_keyring_that_refuses_the_new_key_leaves_no_database_behind() {
    let (_temp, data_dir) = fresh_data_dir();
    let vault = ScriptedVault {
        refuse_set: true,
        ..ScriptedVault::default()
    };
    let error = DeviceStore::open(&data_dir, &vault).unwrap_err();
    assert!(matches!(error, StoreError::Keyring { .. }), "{error:?}");
    let message = error.to_string();
    assert!(message.contains("is running and unlocked"), "{message}");
    assert!(message.contains("dismissed the unlock prompt"), "{message}");
    assert!(
        !database_path(&data_dir).exists(),
        "no data without a kept key"
    );
}

#[test]
fn a_keyring_that_forgets_the_new_key_is_caught_before_any_data_is_written() {
    // keyring 3.x with no features did exactly this: Ok, and the secret was gone.
    let (_temp, data_dir) = fresh_data_dir();
    let vault = ScriptedVault {
        forget_everything: true,
        ..ScriptedVault::default()
    };
    let error = DeviceStore::open(&data_dir, &vault).unwrap_err();
    assert!(matches!(error, StoreError::KeyNotKept { .. }), "{error:?}");
    assert!(!database_path(&data_dir).exists());
}

#[test]
fn a_locked_keyring_is_reported_with_what_to_do() {
    // keyring-core's mock store, because it can inject the exact error the
    // Secret Service gives for a locked keyring (NoStorageAccess) without
    // locking the shared test keyring under the other tests. It goes through
    // KeyringVault, so our mapping of keyring-core errors is what is tested.
    let (_temp, data_dir) = fresh_data_dir();
    std::fs::create_dir_all(&data_dir).unwrap();
    let account = key_account(&data_dir).unwrap();
    let mock: std::sync::Arc<keyring_core::CredentialStore> =
        keyring_core::mock::Store::new().unwrap();
    let entry = keyring_core::Entry::new_in_store(&mock, KEYRING_SERVICE, &account).unwrap();
    let cred: &keyring_core::mock::Cred = entry.as_any().downcast_ref().unwrap();
    cred.set_error(keyring_core::Error::NoStorageAccess(
        "Prompt dismissed: the collection is locked".into(),
    ));
    let vault = KeyringVault::with_store(mock);

    let error = DeviceStore::open(&data_dir, &vault).unwrap_err();
    let StoreError::Keyring { source, .. } = &error else {
        panic!("expected a keyring error, got {error:?}");
    };
    assert!(matches!(source, VaultError::Locked(_)), "{source:?}");
    let message = error.to_string();
    assert!(message.contains("the keyring is locked"), "{message}");
    assert!(message.contains("is running and unlocked"), "{message}");
    assert!(!database_path(&data_dir).exists());

    // The error was one-off: unlocked, the same vault makes the device.
    let store = DeviceStore::open(&data_dir, &vault).unwrap();
    assert_eq!(store.case_count().unwrap(), 0);
}

#[test]
fn several_processes_opening_a_new_folder_at_once_agree_on_one_key() {
    // The app and the CLI started together on a fresh laptop. Without the
    // open lock each would make its own key and one would lose its data.
    let (_temp, data_dir) = fresh_data_dir();
    let openers: Vec<_> = (0..4)
        .map(|index| {
            let data_dir = data_dir.clone();
            std::thread::spawn(move || {
                let mut store = DeviceStore::open(&data_dir, &vault()).unwrap();
                create_case(
                    &mut store,
                    &format!("case-{index}"),
                    "housing",
                    "Opened at once",
                    0,
                );
                store.device_actor()
            })
        })
        .collect();
    let actors: Vec<_> = openers.into_iter().map(|t| t.join().unwrap()).collect();
    assert!(actors.windows(2).all(|w| w[0] == w[1]), "one device");
    let store = open(&data_dir);
    assert_eq!(store.case_count().unwrap(), 4);
    assert!(store.verify_audit().unwrap().is_intact());
}

#[test]
fn the_unencrypted_benchmark_store_never_touches_a_real_device() {
    let (_temp, data_dir) = fresh_data_dir();
    open(&data_dir).close().unwrap();
    let error = DeviceStore::open_unencrypted_for_benchmark(&data_dir).unwrap_err();
    assert!(
        error.to_string().contains("real device database"),
        "{error}"
    );

    let (_temp, plain_dir) = fresh_data_dir();
    let mut plain = DeviceStore::open_unencrypted_for_benchmark(&plain_dir).unwrap();
    create_case(&mut plain, "case-1", "housing", "Benchmark", 0);
    plain.close().unwrap();
    let file = plain_dir.join(doorstep_store::BENCHMARK_PLAIN_DATABASE_FILE_NAME);
    assert!(
        std::fs::read(file)
            .unwrap()
            .starts_with(b"SQLite format 3\0")
    );
    assert!(!database_path(&plain_dir).exists());
    let account = key_account(&plain_dir).unwrap();
    assert!(vault().get(&account).unwrap().is_none(), "no key was made");
}

#[cfg(target_os = "linux")]
#[test]
fn without_a_keyring_service_no_device_is_made_and_the_error_says_why() {
    // A process of its own, because keyring-core's default store is process-wide.
    let (_temp, data_dir) = fresh_data_dir();
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_doorstep-store-crash-writer"))
        .arg(&data_dir)
        .env(
            "DBUS_SESSION_BUS_ADDRESS",
            "unix:path=/nonexistent/doorstep-test-bus",
        )
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("there is no Secret Service in this session"),
        "{stderr}"
    );
    assert!(stderr.contains("GNOME Keyring or KWallet"), "{stderr}");
    assert!(!database_path(&data_dir).exists());
}
