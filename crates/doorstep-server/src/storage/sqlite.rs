//! Embedded SQLite: the default backend, so `serve --data-dir DIR` just works.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use rusqlite::{Connection, OptionalExtension};

use super::{
    Credentials, MigrationStep, NewUser, Storage, StorageError, Team, USER_COLUMNS, User,
    check_name, now_rfc3339, pending_migrations,
};

/// The database file inside the server's data folder.
pub const DATABASE_FILE_NAME: &str = "doorstep-server.sqlite3";

/// Applied in order; a database's `user_version` is the count already applied.
const MIGRATIONS: &[MigrationStep] = &[
    (
        "0001_server_instance",
        include_str!("../../../../migrations/server-sqlite/0001_server_instance.sql"),
    ),
    (
        "0002_accounts",
        include_str!("../../../../migrations/server-sqlite/0002_accounts.sql"),
    ),
];

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

    /// Runs blocking SQLite work off the async runtime's worker threads.
    async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce(&mut Connection) -> Result<T, StorageError> + Send + 'static,
    ) -> Result<T, StorageError> {
        let storage = self.clone();
        tokio::task::spawn_blocking(move || {
            let mut connection = storage.lock()?;
            work(&mut connection)
        })
        .await
        .map_err(|error| StorageError::Unavailable(error.to_string()))?
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
        self.run(|connection| {
            connection
                .query_row("SELECT count(*) FROM server_instance", [], |row| {
                    row.get::<_, i64>(0)
                })
                .map_err(unavailable)?;
            Ok(())
        })
        .await
    }

    async fn add_team(&self, name: &str) -> Result<Team, StorageError> {
        let name = check_name("team", name)?;
        self.run(move |connection| {
            let inserted = connection.execute(
                "INSERT INTO teams (name, created_at) VALUES (?1, ?2)",
                rusqlite::params![name, now_rfc3339()],
            );
            match inserted {
                Ok(_) => Ok(Team {
                    id: connection.last_insert_rowid(),
                    name,
                }),
                Err(error) if is_unique_violation(&error) => Err(StorageError::team_exists(&name)),
                Err(error) => Err(unavailable(error)),
            }
        })
        .await
    }

    async fn teams(&self) -> Result<Vec<Team>, StorageError> {
        self.run(|connection| {
            let mut statement = connection
                .prepare("SELECT id, name FROM teams ORDER BY lower(name)")
                .map_err(unavailable)?;
            let rows = statement
                .query_map([], |row| {
                    Ok(Team {
                        id: row.get(0)?,
                        name: row.get(1)?,
                    })
                })
                .map_err(unavailable)?;
            rows.collect::<Result<_, _>>().map_err(unavailable)
        })
        .await
    }

    async fn add_user(&self, user: NewUser) -> Result<User, StorageError> {
        let name = check_name("user", &user.name)?;
        self.run(move |connection| {
            let transaction = connection.transaction().map_err(unavailable)?;
            let team_id: Option<i64> = match &user.team {
                None => None,
                Some(team) => Some(
                    transaction
                        .query_row(
                            "SELECT id FROM teams WHERE lower(name) = lower(?1)",
                            [team],
                            |row| row.get(0),
                        )
                        .optional()
                        .map_err(unavailable)?
                        .ok_or_else(|| StorageError::no_such_team(team))?,
                ),
            };
            let inserted = transaction.execute(
                "INSERT INTO users (name, role, team_id, password_digest, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
                rusqlite::params![
                    name,
                    user.role.as_str(),
                    team_id,
                    user.digest.as_stored(),
                    now_rfc3339()
                ],
            );
            match inserted {
                Ok(_) => {}
                Err(error) if is_unique_violation(&error) => {
                    return Err(StorageError::user_exists(&name));
                }
                Err(error) => return Err(unavailable(error)),
            }
            let id = transaction.last_insert_rowid();
            transaction.commit().map_err(unavailable)?;
            Ok(User {
                id,
                name,
                role: user.role,
                team: user.team,
                disabled: false,
            })
        })
        .await
    }

    async fn users(&self) -> Result<Vec<User>, StorageError> {
        self.run(|connection| {
            let mut statement = connection
                .prepare(&format!("{USER_COLUMNS} ORDER BY lower(u.name)"))
                .map_err(unavailable)?;
            let rows = statement
                .query_map([], |row| Ok(read_user(row)?.user))
                .map_err(unavailable)?;
            rows.collect::<Result<_, _>>().map_err(unavailable)
        })
        .await
    }

    async fn credentials(&self, name: &str) -> Result<Option<Credentials>, StorageError> {
        let name = name.trim().to_owned();
        self.run(move |connection| {
            connection
                .query_row(
                    &format!("{USER_COLUMNS} WHERE lower(u.name) = lower(?1)"),
                    [name],
                    read_user,
                )
                .optional()
                .map_err(unavailable)
        })
        .await
    }

    async fn set_user_disabled(&self, name: &str, disabled: bool) -> Result<User, StorageError> {
        let name = name.trim().to_owned();
        self.run(move |connection| {
            let changed = connection
                .execute(
                    "UPDATE users SET disabled = ?2 WHERE lower(name) = lower(?1)",
                    rusqlite::params![name, disabled],
                )
                .map_err(unavailable)?;
            if changed == 0 {
                return Err(StorageError::no_such_user(&name));
            }
            connection
                .query_row(
                    &format!("{USER_COLUMNS} WHERE lower(u.name) = lower(?1)"),
                    [name],
                    |row| Ok(read_user(row)?.user),
                )
                .map_err(unavailable)
        })
        .await
    }
}

fn read_user(row: &rusqlite::Row<'_>) -> rusqlite::Result<Credentials> {
    let role: String = row.get(2)?;
    Ok(Credentials::from_columns(
        row.get(0)?,
        row.get(1)?,
        &role,
        row.get(3)?,
        row.get(4)?,
        row.get(5)?,
    ))
}

fn is_unique_violation(error: &rusqlite::Error) -> bool {
    matches!(
        error,
        rusqlite::Error::SqliteFailure(failure, _)
            if failure.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE
    )
}

fn unavailable(error: rusqlite::Error) -> StorageError {
    StorageError::Unavailable(error.to_string())
}

fn user_version(connection: &Connection) -> Result<i64, StorageError> {
    connection
        .query_row("PRAGMA user_version", [], |row| row.get(0))
        .map_err(|error| StorageError::Unavailable(error.to_string()))
}

fn migrate(connection: &mut Connection) -> Result<(), StorageError> {
    let applied = user_version(connection)?;
    for (version, name, sql) in pending_migrations(MIGRATIONS, applied)? {
        let failed = |source: rusqlite::Error| StorageError::Migration {
            name,
            message: source.to_string(),
        };
        // Each migration and its version bump commit together, or not at all.
        let transaction = connection.transaction().map_err(failed)?;
        transaction.execute_batch(sql).map_err(failed)?;
        transaction
            .pragma_update(None, "user_version", version)
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
