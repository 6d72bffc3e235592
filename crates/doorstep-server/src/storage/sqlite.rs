//! Embedded SQLite: the default backend, so `serve --data-dir DIR` just works.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use rusqlite::Connection;

use super::{Storage, StorageError};

/// The database file inside the server's data folder.
pub const DATABASE_FILE_NAME: &str = "doorstep-server.sqlite3";

/// Applied in order; a database's `user_version` is the count already applied.
const MIGRATIONS: &[(&str, &str)] = &[(
    "0001_server_instance",
    include_str!("../../../../migrations/server-sqlite/0001_server_instance.sql"),
)];

#[derive(Debug, Clone)]
pub struct SqliteStorage {
    path: PathBuf,
    // One writer at a time is SQLite's own rule; the mutex makes it ours too.
    connection: Arc<Mutex<Connection>>,
}

impl SqliteStorage {
    /// Opens the database in `data_dir`, creating the folder and the schema on first start.
    pub fn open(data_dir: &Path) -> Result<Self, StorageError> {
        std::fs::create_dir_all(data_dir).map_err(|source| StorageError::CreateDataDir {
            path: data_dir.to_owned(),
            source,
        })?;
        let path = data_dir.join(DATABASE_FILE_NAME);
        let open_error = |source| StorageError::Open {
            path: path.clone(),
            source,
        };
        let mut connection = Connection::open(&path).map_err(open_error)?;
        connection
            .execute_batch(
                "PRAGMA journal_mode = WAL;
                 PRAGMA synchronous = FULL;
                 PRAGMA foreign_keys = ON;
                 PRAGMA busy_timeout = 5000;",
            )
            .map_err(open_error)?;
        migrate(&mut connection)?;
        Ok(Self {
            path,
            connection: Arc::new(Mutex::new(connection)),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The schema version: how many migrations this database has applied.
    pub fn schema_version(&self) -> Result<i64, StorageError> {
        let connection = self.lock()?;
        user_version(&connection)
    }

    fn lock(&self) -> Result<std::sync::MutexGuard<'_, Connection>, StorageError> {
        self.connection.lock().map_err(|_| {
            StorageError::Unavailable(
                "a previous request crashed while holding the database".into(),
            )
        })
    }
}

impl Storage for SqliteStorage {
    fn backend(&self) -> &'static str {
        "sqlite"
    }

    async fn check_ready(&self) -> Result<(), StorageError> {
        let storage = self.clone();
        // SQLite calls block; keep them off the async runtime's worker threads.
        tokio::task::spawn_blocking(move || {
            let connection = storage.lock()?;
            connection
                .query_row("SELECT count(*) FROM server_instance", [], |row| {
                    row.get::<_, i64>(0)
                })
                .map_err(|error| StorageError::Unavailable(error.to_string()))?;
            Ok(())
        })
        .await
        .map_err(|error| StorageError::Unavailable(error.to_string()))?
    }
}

fn user_version(connection: &Connection) -> Result<i64, StorageError> {
    connection
        .query_row("PRAGMA user_version", [], |row| row.get(0))
        .map_err(|error| StorageError::Unavailable(error.to_string()))
}

fn migrate(connection: &mut Connection) -> Result<(), StorageError> {
    let known = i64::try_from(MIGRATIONS.len()).unwrap_or(i64::MAX);
    let applied = user_version(connection)?;
    if applied > known {
        return Err(StorageError::SchemaTooNew {
            found: applied,
            known,
        });
    }
    for (index, (name, sql)) in MIGRATIONS.iter().enumerate().skip(applied as usize) {
        let failed = |source| StorageError::Migration { name, source };
        // Each migration and its version bump commit together, or not at all.
        let transaction = connection.transaction().map_err(failed)?;
        transaction.execute_batch(sql).map_err(failed)?;
        transaction
            .pragma_update(None, "user_version", index as i64 + 1)
            .map_err(failed)?;
        transaction.commit().map_err(failed)?;
        tracing::info!(migration = name, "applied database migration");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn first_start_creates_the_database_and_a_restart_reuses_it() {
        let dir = tempfile::tempdir().unwrap();
        let data_dir = dir.path().join("not-yet-there");

        let storage = SqliteStorage::open(&data_dir).unwrap();
        assert!(storage.path().exists());
        assert_eq!(storage.schema_version().unwrap(), MIGRATIONS.len() as i64);
        storage.check_ready().await.unwrap();
        let instance = |storage: &SqliteStorage| -> String {
            storage
                .lock()
                .unwrap()
                .query_row("SELECT id FROM server_instance", [], |row| row.get(0))
                .unwrap()
        };
        let first_id = instance(&storage);
        drop(storage);

        let reopened = SqliteStorage::open(&data_dir).unwrap();
        assert_eq!(
            instance(&reopened),
            first_id,
            "a restart must not reset the instance"
        );
    }

    #[test]
    fn a_database_from_a_newer_server_is_refused_and_left_alone() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(DATABASE_FILE_NAME);
        Connection::open(&path)
            .unwrap()
            .pragma_update(None, "user_version", 99)
            .unwrap();

        let error = SqliteStorage::open(dir.path()).unwrap_err();
        assert!(matches!(
            error,
            StorageError::SchemaTooNew { found: 99, .. }
        ));
        assert!(error.to_string().contains("Run the newer server"));
        let version: i64 = Connection::open(&path)
            .unwrap()
            .query_row("PRAGMA user_version", [], |row| row.get(0))
            .unwrap();
        assert_eq!(version, 99);
    }

    #[test]
    fn a_data_dir_that_cannot_be_created_gets_a_clear_error() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("a-file");
        std::fs::write(&file, b"").unwrap();

        let error = SqliteStorage::open(&file.join("data")).unwrap_err();
        assert!(matches!(error, StorageError::CreateDataDir { .. }));
        assert!(error.to_string().contains("may write to it"));
    }
}
