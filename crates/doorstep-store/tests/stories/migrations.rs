//! Schema upgrades: forward only, one step at a time, never onto a newer database.

use doorstep_store::{
    DeviceStore, KeyVault, MIGRATIONS, Secret, StoreError, current_schema_version, key_account,
};

use crate::common::*;

/// The schema as SQLite describes it, for comparing databases.
fn schema(conn: &rusqlite::Connection) -> Vec<(String, String, String)> {
    let mut statement = conn
        .prepare(
            "SELECT type, name, coalesce(sql, '') FROM sqlite_master
             WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name",
        )
        .unwrap();
    statement
        .query_map([], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

/// A device database that an older Doorstep left at `version`.
fn database_at_version(data_dir: &std::path::Path, version: usize) {
    std::fs::create_dir_all(data_dir).unwrap();
    let key = Secret::random(32).unwrap();
    vault()
        .set(
            &key_account(data_dir).unwrap(),
            &Secret::new(hex::encode(key.expose()).into_bytes()),
        )
        .unwrap();
    let conn = raw_connection(data_dir);
    for (index, migration) in MIGRATIONS.iter().take(version).enumerate() {
        conn.execute_batch(migration.sql).unwrap();
        conn.pragma_update(None, "user_version", index as i64 + 1)
            .unwrap();
    }
    let found: i64 = conn
        .query_row("PRAGMA user_version", [], |row| row.get(0))
        .unwrap();
    assert_eq!(found, version as i64);
}

#[test]
fn every_schema_step_applies_to_a_database_left_at_the_step_before() {
    let (_fresh_temp, fresh_dir) = fresh_data_dir();
    open(&fresh_dir).close().unwrap();
    let current = schema(&raw_connection(&fresh_dir));
    assert!(current.iter().any(|(_, name, _)| name == "case_search"));

    for version in 0..MIGRATIONS.len() {
        let (_temp, data_dir) = fresh_data_dir();
        database_at_version(&data_dir, version);
        let mut store = DeviceStore::open(&data_dir, &vault()).unwrap();
        assert_eq!(
            store.schema_version().unwrap(),
            current_schema_version(),
            "from {version}"
        );
        create_case(&mut store, "case-1", "housing", "After the upgrade", 0);
        assert_eq!(store.case_count().unwrap(), 1);
        store.close().unwrap();
        assert_eq!(
            schema(&raw_connection(&data_dir)),
            current,
            "upgraded from {version}"
        );
    }
}

#[test]
fn a_database_from_a_newer_doorstep_is_refused_and_left_alone() {
    let (_temp, data_dir) = fresh_data_dir();
    open(&data_dir).close().unwrap();
    let newer = current_schema_version() + 5;
    raw_connection(&data_dir)
        .pragma_update(None, "user_version", newer)
        .unwrap();

    let error = DeviceStore::open(&data_dir, &vault()).unwrap_err();
    assert!(
        matches!(error, StoreError::SchemaTooNew { found, .. } if found == newer),
        "{error:?}"
    );
    assert!(error.to_string().contains("Update Doorstep"), "{error}");
    let found: i64 = raw_connection(&data_dir)
        .query_row("PRAGMA user_version", [], |row| row.get(0))
        .unwrap();
    assert_eq!(found, newer);
}

#[test]
fn every_migration_file_is_registered_in_order() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../migrations/device");
    let mut files: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".sql"))
        .collect();
    files.sort();
    let registered: Vec<String> = MIGRATIONS
        .iter()
        .map(|m| format!("{}.sql", m.name))
        .collect();
    assert_eq!(files, registered);
    for (index, migration) in MIGRATIONS.iter().enumerate() {
        assert!(
            migration.name.starts_with(&format!("{:04}_", index + 1)),
            "{}",
            migration.name
        );
    }
}

#[test]
fn list_columns_added_by_an_upgrade_are_filled_in_from_the_documents_on_opening() {
    let (_temp, data_dir) = fresh_data_dir();
    let mut store = open(&data_dir);
    create_case(&mut store, "case-1", "housing", "Before the upgrade", 0);
    store.close().unwrap();
    // As schema step 4 leaves a row written by an older Doorstep.
    raw_connection(&data_dir)
        .execute(
            "UPDATE case_projection SET status_changed_at = NULL, open_task_due_dates = NULL",
            [],
        )
        .unwrap();

    open(&data_dir).close().unwrap();

    let conn = raw_connection(&data_dir);
    assert_eq!(
        count(
            &conn,
            "SELECT count(*) FROM case_projection
             WHERE status_changed_at = created_at AND open_task_due_dates = '[]'"
        ),
        1
    );
}
