//! Helpers shared by the store's stories. Everything here uses the real parts:
//! the OS keyring through Secret Service (run the tests inside
//! `scripts/with-keyring.sh`) and real SQLCipher files in temporary folders.

use std::path::{Path, PathBuf};

use doorstep_core::case::{CaseDocument, Editor, NewCase, SectionKind};
use doorstep_core::dates::Timestamp;
use doorstep_store::{
    AuditAction, AuditEvent, DATABASE_FILE_NAME, DeviceStore, KeyVault, KeyringVault, key_account,
};
use tempfile::TempDir;

/// 2026-11-28T09:00:00Z, the morning the stories happen.
pub const MORNING: i64 = 1_795_856_400_000;

pub fn at(minutes: i64) -> Timestamp {
    Timestamp(MORNING + minutes * 60_000)
}

/// The real OS keyring.
pub fn vault() -> KeyringVault {
    assert!(
        std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_some(),
        "these stories use the real OS keyring; run them inside a throwaway one: \
         scripts/with-keyring.sh cargo nextest run -p doorstep-store"
    );
    KeyringVault::system().expect("the test keyring (Secret Service) should answer")
}

/// A fresh data folder (not yet created) inside a temporary directory.
pub fn fresh_data_dir() -> (TempDir, PathBuf) {
    let temp = tempfile::tempdir().unwrap();
    let data_dir = temp.path().join("device");
    (temp, data_dir)
}

pub fn open(data_dir: &Path) -> DeviceStore {
    DeviceStore::open(data_dir, &vault()).unwrap()
}

pub fn database_path(data_dir: &Path) -> PathBuf {
    data_dir.join(DATABASE_FILE_NAME)
}

/// The key as the keyring holds it (64 hex characters).
pub fn key_hex(data_dir: &Path) -> String {
    let account = key_account(data_dir).unwrap();
    let secret = vault()
        .get(&account)
        .unwrap()
        .expect("a key in the keyring");
    String::from_utf8(secret.expose().to_vec()).unwrap()
}

/// A second, raw connection to the device database, keyed like the store's:
/// what someone holding the key could do behind the store's back.
pub fn raw_connection(data_dir: &Path) -> rusqlite::Connection {
    let conn = rusqlite::Connection::open(database_path(data_dir)).unwrap();
    conn.execute_batch(&format!("PRAGMA key = \"x'{}'\";", key_hex(data_dir)))
        .unwrap();
    conn.execute_batch("PRAGMA cipher_log_level = NONE; PRAGMA busy_timeout = 5000;")
        .unwrap();
    conn
}

pub fn count(conn: &rusqlite::Connection, sql: &str) -> i64 {
    conn.query_row(sql, [], |row| row.get(0)).unwrap()
}

pub fn editor(user: &str, minutes: i64) -> Editor {
    Editor::new(user, at(minutes))
}

pub fn event(
    user: &str,
    action: AuditAction,
    case_id: &str,
    detail: &str,
    minutes: i64,
) -> AuditEvent {
    AuditEvent {
        user: user.to_owned(),
        action,
        case_id: Some(case_id.to_owned()),
        detail: detail.to_owned(),
        device_time: at(minutes),
    }
}

/// Opens and saves a new case written by this device.
pub fn create_case(
    store: &mut DeviceStore,
    id: &str,
    case_type: &str,
    summary: &str,
    minutes: i64,
) -> CaseDocument {
    let mut case = CaseDocument::create(
        NewCase {
            id: id.to_owned(),
            case_type: case_type.to_owned(),
            summary: summary.to_owned(),
        },
        &editor("a.khan", minutes),
        store.device_actor(),
    )
    .unwrap();
    store
        .create_case(
            &mut case,
            &event(
                "a.khan",
                AuditAction::Created,
                id,
                "Opened the case",
                minutes,
            ),
        )
        .unwrap();
    case
}

/// Adds a note and commits it.
pub fn add_note(
    store: &mut DeviceStore,
    case: &mut CaseDocument,
    note_id: &str,
    text: &str,
    minutes: i64,
) {
    case.add_note(note_id, text, &editor("a.khan", minutes))
        .unwrap();
    let case_id = case.id().to_owned();
    store
        .commit_edit(
            case,
            "Added a note",
            &event(
                "a.khan",
                AuditAction::Edited,
                &case_id,
                "Added a note",
                minutes,
            ),
        )
        .unwrap();
}

/// Adds a person and commits it.
pub fn add_person(
    store: &mut DeviceStore,
    case: &mut CaseDocument,
    person_id: &str,
    fields: &[(&str, &str)],
    minutes: i64,
) {
    case.add_item(
        SectionKind::Person,
        person_id,
        fields,
        &editor("a.khan", minutes),
    )
    .unwrap();
    let case_id = case.id().to_owned();
    store
        .commit_edit(
            case,
            "Added a person",
            &event(
                "a.khan",
                AuditAction::Edited,
                &case_id,
                "Added a person",
                minutes,
            ),
        )
        .unwrap();
}

/// Sets case fields (`summary`, `team`, `people.ID.name` …) one commit each.
pub fn set_fields(
    store: &mut DeviceStore,
    case: &mut CaseDocument,
    fields: &[(&str, &str)],
    minutes: i64,
) {
    for (field, value) in fields {
        let path = doorstep_core::case::FieldPath::parse(field).unwrap();
        case.set_field(&path, value, &editor("a.khan", minutes))
            .unwrap();
        let case_id = case.id().to_owned();
        store
            .commit_edit(
                case,
                &format!("Changed {field}"),
                &event(
                    "a.khan",
                    AuditAction::Edited,
                    &case_id,
                    &format!("Changed {field}"),
                    minutes,
                ),
            )
            .unwrap();
    }
}
