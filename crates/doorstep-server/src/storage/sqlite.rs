//! Embedded SQLite: the default backend, so `serve --data-dir DIR` just works.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use rusqlite::{Connection, OptionalExtension};

use doorstep_core::access::{CaseAccessFacts, CaseScope, name_key};

use super::{
    ALERT_COLUMNS, ALERT_FIELDS, AUDIT_COLUMNS, AlertDeliveryState, AttachmentState, AuditSubject,
    CASE_COLUMNS, CaseChunk, CaseRecord, CaseWrite, CaseWriteOutcome, Credentials, DEVICE_COLUMNS,
    DeliveryOutcome, Device, DueDelivery, LoneWorkerAlert, MigrationStep, NewDevice, NewUser,
    PastAccess, RefreshRecord, Storage, StorageError, Team, TokenDigests, TokenHolder,
    USER_COLUMNS, User, check_name, now_millis, now_rfc3339, pending_migrations, scope_condition,
    scope_keys,
};
use crate::accounts::{RecentFailures, Role};
use crate::audit::{AuditEvent, AuditRecord};

/// Uploads not finished within a week are cleared.
const ABANDONED_UPLOAD_MILLIS: i64 = 7 * 24 * 60 * 60 * 1000;

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
    (
        "0003_devices_cases_audit",
        include_str!("../../../../migrations/server-sqlite/0003_devices_cases_audit.sql"),
    ),
    (
        "0004_sign_in_failures",
        include_str!("../../../../migrations/server-sqlite/0004_sign_in_failures.sql"),
    ),
    (
        "0005_attachments",
        include_str!("../../../../migrations/server-sqlite/0005_attachments.sql"),
    ),
    (
        "0006_name_keys",
        include_str!("../../../../migrations/server-sqlite/0006_name_keys.sql"),
    ),
    (
        "0007_access_changes",
        include_str!("../../../../migrations/server-sqlite/0007_access_changes.sql"),
    ),
    (
        "0008_lone_working",
        include_str!("../../../../migrations/server-sqlite/0008_lone_working.sql"),
    ),
    (
        "0009_team_oversight",
        include_str!("../../../../migrations/server-sqlite/0009_team_oversight.sql"),
    ),
];

#[derive(Debug, Clone)]
pub struct SqliteStorage {
    path: PathBuf,
    // One writer at a time is SQLite's own rule; the mutex makes it ours too.
    // Write transactions begin IMMEDIATE, so an admin command writing to the
    // same file waits on busy_timeout instead of failing the request.
    connection: Arc<Mutex<Connection>>,
}

impl SqliteStorage {
    /// Sets one column of the account named `name` (ignoring case) and
    /// returns the account as it now is.
    /// Changes one column of a user. A change of role or team also takes a
    /// place in the case feed, keeping the access the user had before it, so
    /// their devices let go of cases they may no longer see.
    async fn update_user(
        &self,
        name: &str,
        column: &'static str,
        value: rusqlite::types::Value,
    ) -> Result<User, StorageError> {
        let name = name.trim().to_owned();
        let changes_access = column != "disabled";
        self.run(move |connection| {
            let transaction = connection
                .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
                .map_err(unavailable)?;
            let before = transaction
                .query_row(
                    &format!("{USER_COLUMNS} WHERE u.name_key = ?1"),
                    [name_key(&name)],
                    |row| Ok(read_user(row)?.user),
                )
                .optional()
                .map_err(unavailable)?
                .ok_or_else(|| StorageError::no_such_user(&name))?;
            transaction
                .execute(
                    &format!("UPDATE users SET {column} = ?2 WHERE name_key = ?1"),
                    rusqlite::params![name_key(&name), value],
                )
                .map_err(unavailable)?;
            let after = transaction
                .query_row(
                    &format!("{USER_COLUMNS} WHERE u.name_key = ?1"),
                    [name_key(&name)],
                    |row| Ok(read_user(row)?.user),
                )
                .map_err(unavailable)?;
            if changes_access && (before.role, &before.team) != (after.role, &after.team) {
                let cursor: i64 = transaction
                    .query_row(
                        "UPDATE case_cursor SET value = value + 1 RETURNING value",
                        [],
                        |row| row.get(0),
                    )
                    .map_err(unavailable)?;
                transaction
                    .execute(
                        "INSERT INTO user_access_changes (cursor, user_key, role, team_key)
                         VALUES (?1, ?2, ?3, ?4)",
                        rusqlite::params![
                            cursor,
                            name_key(&name),
                            before.role.as_str(),
                            before.team.as_deref().map(name_key)
                        ],
                    )
                    .map_err(unavailable)?;
            }
            transaction.commit().map_err(unavailable)?;
            Ok(after)
        })
        .await
    }

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
                "INSERT INTO teams (name, name_key, created_at) VALUES (?1, ?2, ?3)",
                rusqlite::params![name, name_key(&name), now_rfc3339()],
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
            let transaction = connection
                .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
                .map_err(unavailable)?;
            let team_id: Option<i64> = match &user.team {
                None => None,
                Some(team) => Some(
                    transaction
                        .query_row(
                            "SELECT id FROM teams WHERE name_key = ?1",
                            [name_key(team)],
                            |row| row.get(0),
                        )
                        .optional()
                        .map_err(unavailable)?
                        .ok_or_else(|| StorageError::no_such_team(team))?,
                ),
            };
            let inserted = transaction.execute(
                "INSERT INTO users (name, role, team_id, password_digest, created_at, name_key)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                rusqlite::params![
                    name,
                    user.role.as_str(),
                    team_id,
                    user.digest.as_stored(),
                    now_rfc3339(),
                    name_key(&name)
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
                    &format!("{USER_COLUMNS} WHERE u.name_key = ?1"),
                    [name_key(&name)],
                    read_user,
                )
                .optional()
                .map_err(unavailable)
        })
        .await
    }

    async fn set_user_disabled(&self, name: &str, disabled: bool) -> Result<User, StorageError> {
        self.update_user(name, "disabled", rusqlite::types::Value::from(disabled))
            .await
    }

    async fn set_user_role(&self, name: &str, role: Role) -> Result<User, StorageError> {
        self.update_user(
            name,
            "role",
            rusqlite::types::Value::from(role.as_str().to_owned()),
        )
        .await
    }

    async fn set_user_team(&self, name: &str, team: Option<&str>) -> Result<User, StorageError> {
        let team_id = match team {
            None => rusqlite::types::Value::Null,
            Some(team) => {
                let team = team.to_owned();
                let id: i64 = self
                    .run(move |connection| {
                        connection
                            .query_row(
                                "SELECT id FROM teams WHERE name_key = ?1",
                                [name_key(&team)],
                                |row| row.get(0),
                            )
                            .optional()
                            .map_err(unavailable)?
                            .ok_or_else(|| StorageError::no_such_team(team.trim()))
                    })
                    .await?;
                rusqlite::types::Value::from(id)
            }
        };
        self.update_user(name, "team_id", team_id).await
    }

    async fn record_sign_in_attempt(
        &self,
        account: &str,
        address: &str,
    ) -> Result<i64, StorageError> {
        let account = account.to_owned();
        let address = address.to_owned();
        self.run(move |connection| {
            let now = now_millis();
            connection
                .execute(
                    "DELETE FROM sign_in_failures WHERE at_millis < ?1",
                    [now - 24 * 60 * 60 * 1000],
                )
                .map_err(unavailable)?;
            connection
                .execute(
                    "INSERT INTO sign_in_failures (account, address, at_millis) VALUES (?1, ?2, ?3)",
                    rusqlite::params![account, address, now],
                )
                .map_err(unavailable)?;
            Ok(connection.last_insert_rowid())
        })
        .await
    }

    async fn forget_sign_in_attempt(&self, attempt: i64) -> Result<(), StorageError> {
        self.run(move |connection| {
            connection
                .execute("DELETE FROM sign_in_failures WHERE id = ?1", [attempt])
                .map_err(unavailable)?;
            Ok(())
        })
        .await
    }

    async fn recent_sign_in_failures(
        &self,
        account: &str,
        address: &str,
        since_millis: i64,
        limit: i64,
    ) -> Result<RecentFailures, StorageError> {
        let account = account.to_owned();
        let address = address.to_owned();
        self.run(move |connection| {
            let times = |column: &str, key: &str| -> Result<Vec<i64>, StorageError> {
                let mut statement = connection
                    .prepare(&format!(
                        "SELECT at_millis FROM sign_in_failures WHERE {column} = ?1 AND at_millis >= ?2
                         ORDER BY at_millis DESC LIMIT ?3"
                    ))
                    .map_err(unavailable)?;
                let rows = statement
                    .query_map(rusqlite::params![key, since_millis, limit], |row| row.get(0))
                    .map_err(unavailable)?;
                rows.collect::<Result<_, _>>().map_err(unavailable)
            };
            Ok(RecentFailures {
                for_account: times("account", &account)?,
                from_address: times("address", &address)?,
            })
        })
        .await
    }

    async fn clear_sign_in_failures(&self, account: &str) -> Result<(), StorageError> {
        let account = account.to_owned();
        self.run(move |connection| {
            connection
                .execute("DELETE FROM sign_in_failures WHERE account = ?1", [account])
                .map_err(unavailable)?;
            Ok(())
        })
        .await
    }

    async fn open_session(
        &self,
        device: NewDevice,
        tokens: TokenDigests,
        audit: AuditEvent,
    ) -> Result<Device, StorageError> {
        self.run(move |connection| {
            let transaction = connection.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate).map_err(unavailable)?;
            let now = now_rfc3339();
            transaction
                .execute(
                    "INSERT INTO devices (id, user_id, hostname, os, app_version, registered_at, last_seen_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)
                     ON CONFLICT (id) DO UPDATE SET hostname = excluded.hostname, os = excluded.os,
                         app_version = excluded.app_version, last_seen_at = excluded.last_seen_at
                     WHERE devices.user_id = excluded.user_id AND devices.revoked_at IS NULL",
                    rusqlite::params![device.id, device.user_id, device.hostname, device.os, device.app_version, now],
                )
                .map_err(unavailable)?;
            // The registration must be this user's and live, checked in this
            // transaction: a revocation a moment ago must win.
            let owner: Option<(i64, Option<String>)> = transaction
                .query_row(
                    "SELECT user_id, revoked_at FROM devices WHERE id = ?1",
                    [&device.id],
                    |row| Ok((row.get(0)?, row.get(1)?)),
                )
                .optional()
                .map_err(unavailable)?;
            if owner != Some((device.user_id, None)) {
                return Err(StorageError::DeviceUnavailable(device.id.clone()));
            }
            // A new sign-in replaces whatever session this device had.
            end_tokens(&transaction, &device.id)?;
            store_tokens(&transaction, &device.id, &tokens)?;
            append_audit(&transaction, audit)?;
            let stored = read_device(&transaction, &device.id)?
                .ok_or_else(|| StorageError::NoSuchDevice(device.id.clone()))?;
            transaction.commit().map_err(unavailable)?;
            Ok(stored)
        })
        .await
    }

    async fn device(&self, id: &str) -> Result<Option<Device>, StorageError> {
        let id = id.to_owned();
        self.run(move |connection| read_device(connection, &id))
            .await
    }

    async fn devices(&self) -> Result<Vec<Device>, StorageError> {
        self.run(|connection| {
            let mut statement = connection
                .prepare(&format!("{DEVICE_COLUMNS} ORDER BY d.registered_at, d.id"))
                .map_err(unavailable)?;
            let rows = statement
                .query_map([], device_from_row)
                .map_err(unavailable)?;
            rows.collect::<Result<_, _>>().map_err(unavailable)
        })
        .await
    }

    async fn token_holder(&self, access_digest: &str) -> Result<Option<TokenHolder>, StorageError> {
        let digest = access_digest.to_owned();
        self.run(move |connection| {
            let found: Option<(String, i64)> = connection
                .query_row(
                    "SELECT device_id, expires_at FROM access_tokens WHERE digest = ?1",
                    [digest],
                    |row| Ok((row.get(0)?, row.get(1)?)),
                )
                .optional()
                .map_err(unavailable)?;
            let Some((device_id, expires_at)) = found else {
                return Ok(None);
            };
            let Some(device) = read_device(connection, &device_id)? else {
                return Ok(None);
            };
            let user = connection
                .query_row(
                    &format!(
                        "{USER_COLUMNS} WHERE u.id = (SELECT user_id FROM devices WHERE id = ?1)"
                    ),
                    [&device_id],
                    |row| Ok(read_user(row)?.user),
                )
                .map_err(unavailable)?;
            Ok(Some(TokenHolder {
                user,
                device,
                expires_at,
            }))
        })
        .await
    }

    async fn refresh_record(
        &self,
        refresh_digest: &str,
    ) -> Result<Option<RefreshRecord>, StorageError> {
        let digest = refresh_digest.to_owned();
        self.run(move |connection| {
            connection
                .query_row(
                    "SELECT device_id, expires_at, used_at IS NOT NULL, session_id, rotated FROM refresh_tokens WHERE digest = ?1",
                    [digest],
                    |row| {
                        Ok(RefreshRecord {
                            device_id: row.get(0)?,
                            expires_at: row.get(1)?,
                            used: row.get(2)?,
                            session: row.get(3)?,
                            rotated: row.get(4)?,
                        })
                    },
                )
                .optional()
                .map_err(unavailable)
        })
        .await
    }

    async fn rotate_tokens(
        &self,
        old_refresh_digest: &str,
        device_id: &str,
        tokens: TokenDigests,
    ) -> Result<bool, StorageError> {
        let old = old_refresh_digest.to_owned();
        let device_id = device_id.to_owned();
        self.run(move |connection| {
            let transaction = connection
                .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
                .map_err(unavailable)?;
            let spent = transaction
                .execute(
                    "UPDATE refresh_tokens SET used_at = ?2, rotated = TRUE WHERE digest = ?1 AND used_at IS NULL",
                    rusqlite::params![old, now_millis()],
                )
                .map_err(unavailable)?;
            if spent == 0 {
                return Ok(false);
            }
            store_tokens(&transaction, &device_id, &tokens)?;
            transaction
                .execute(
                    "UPDATE devices SET last_seen_at = ?2 WHERE id = ?1",
                    rusqlite::params![device_id, now_rfc3339()],
                )
                .map_err(unavailable)?;
            transaction.commit().map_err(unavailable)?;
            Ok(true)
        })
        .await
    }

    async fn end_session(&self, device_id: &str, audit: AuditEvent) -> Result<(), StorageError> {
        let device_id = device_id.to_owned();
        self.run(move |connection| {
            let transaction = connection
                .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
                .map_err(unavailable)?;
            end_tokens(&transaction, &device_id)?;
            append_audit(&transaction, audit)?;
            transaction.commit().map_err(unavailable)
        })
        .await
    }

    async fn end_session_family(
        &self,
        session: &str,
        audit: AuditEvent,
    ) -> Result<(), StorageError> {
        let session = session.to_owned();
        self.run(move |connection| {
            let transaction = connection
                .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
                .map_err(unavailable)?;
            transaction
                .execute("DELETE FROM access_tokens WHERE session_id = ?1", [&session])
                .map_err(unavailable)?;
            transaction
                .execute(
                    "UPDATE refresh_tokens SET used_at = coalesce(used_at, ?2) WHERE session_id = ?1",
                    rusqlite::params![session, now_millis()],
                )
                .map_err(unavailable)?;
            append_audit(&transaction, audit)?;
            transaction.commit().map_err(unavailable)
        })
        .await
    }

    async fn revoke_device(
        &self,
        device_id: &str,
        audit: AuditEvent,
    ) -> Result<Device, StorageError> {
        let device_id = device_id.to_owned();
        self.run(move |connection| {
            let transaction = connection.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate).map_err(unavailable)?;
            let changed = transaction
                .execute(
                    "UPDATE devices SET revoked_at = coalesce(revoked_at, ?2), revoked_by = coalesce(revoked_by, ?3)
                     WHERE id = ?1",
                    rusqlite::params![device_id, now_rfc3339(), audit.actor],
                )
                .map_err(unavailable)?;
            if changed == 0 {
                return Err(StorageError::NoSuchDevice(device_id));
            }
            // Access tokens stay so the device's next contact is recognised
            // and told to wipe; they no longer grant anything.
            transaction
                .execute(
                    "UPDATE refresh_tokens SET used_at = coalesce(used_at, ?2) WHERE device_id = ?1",
                    rusqlite::params![device_id, now_millis()],
                )
                .map_err(unavailable)?;
            append_audit(&transaction, audit)?;
            let device = read_device(&transaction, &device_id)?
                .ok_or_else(|| StorageError::NoSuchDevice(device_id.clone()))?;
            transaction.commit().map_err(unavailable)?;
            Ok(device)
        })
        .await
    }

    async fn touch_device(
        &self,
        device_id: &str,
        synced_to: Option<i64>,
        events: Vec<AuditEvent>,
    ) -> Result<(), StorageError> {
        let device_id = device_id.to_owned();
        self.run(move |connection| {
            let now = now_rfc3339();
            let transaction = connection
                .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
                .map_err(unavailable)?;
            transaction
                .execute(
                    "UPDATE devices SET last_seen_at = ?2,
                         last_sync_at = CASE WHEN ?3 IS NOT NULL THEN ?2 ELSE last_sync_at END,
                         synced_cursor = max(synced_cursor, coalesce(?3, 0))
                     WHERE id = ?1",
                    rusqlite::params![device_id, now, synced_to],
                )
                .map_err(unavailable)?;
            for event in events {
                append_audit(&transaction, event)?;
            }
            transaction.commit().map_err(unavailable)
        })
        .await
    }

    async fn record_audit(&self, events: Vec<AuditEvent>) -> Result<(), StorageError> {
        self.run(move |connection| {
            let transaction = connection
                .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
                .map_err(unavailable)?;
            for event in events {
                append_audit(&transaction, event)?;
            }
            transaction.commit().map_err(unavailable)
        })
        .await
    }

    async fn audit_events(
        &self,
        after_seq: i64,
        limit: i64,
    ) -> Result<Vec<AuditRecord>, StorageError> {
        self.run(move |connection| {
            let mut statement = connection
                .prepare(&format!(
                    "SELECT {AUDIT_COLUMNS} FROM audit_events WHERE seq > ?1 ORDER BY seq LIMIT ?2"
                ))
                .map_err(unavailable)?;
            let rows = statement
                .query_map([after_seq, limit], read_audit_record)
                .map_err(unavailable)?;
            rows.collect::<Result<_, _>>().map_err(unavailable)
        })
        .await
    }

    async fn audit_trail(
        &self,
        about: AuditSubject,
        limit: i64,
    ) -> Result<Vec<AuditRecord>, StorageError> {
        self.run(move |connection| {
            let (column, value) = match about {
                AuditSubject::Case(case_id) => ("case_id", case_id),
                AuditSubject::Actor(actor) => ("actor", actor),
            };
            let mut statement = connection
                .prepare(&format!(
                    "SELECT {AUDIT_COLUMNS} FROM audit_events WHERE {column} = ?1
                     ORDER BY seq DESC LIMIT ?2"
                ))
                .map_err(unavailable)?;
            let rows = statement
                .query_map(rusqlite::params![value, limit], read_audit_record)
                .map_err(unavailable)?;
            rows.collect::<Result<_, _>>().map_err(unavailable)
        })
        .await
    }

    async fn record_device_audit(
        &self,
        device_id: &str,
        events: Vec<(i64, AuditEvent)>,
    ) -> Result<i64, StorageError> {
        let device_id = device_id.to_owned();
        self.run(move |connection| {
            let transaction = connection
                .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
                .map_err(unavailable)?;
            let mut recorded: i64 = transaction
                .query_row(
                    "SELECT audit_seq FROM devices WHERE id = ?1",
                    [&device_id],
                    |row| row.get(0),
                )
                .optional()
                .map_err(unavailable)?
                .ok_or_else(|| StorageError::NoSuchDevice(device_id.clone()))?;
            for (seq, event) in events {
                if seq > recorded {
                    append_audit(&transaction, event)?;
                    recorded = seq;
                }
            }
            transaction
                .execute(
                    "UPDATE devices SET audit_seq = ?2 WHERE id = ?1",
                    rusqlite::params![device_id, recorded],
                )
                .map_err(unavailable)?;
            transaction.commit().map_err(unavailable)?;
            Ok(recorded)
        })
        .await
    }

    async fn audit_tip(&self) -> Result<(i64, String), StorageError> {
        self.run(|connection| {
            connection
                .query_row("SELECT seq, hash FROM audit_head", [], |row| {
                    Ok((row.get(0)?, row.get(1)?))
                })
                .map_err(unavailable)
        })
        .await
    }

    async fn case_record(&self, case_id: &str) -> Result<Option<CaseRecord>, StorageError> {
        let case_id = case_id.to_owned();
        self.run(move |connection| {
            connection
                .prepare_cached(&format!("{CASE_COLUMNS} WHERE id = ?1"))
                .and_then(|mut select| select.query_row([case_id], case_from_row).optional())
                .map_err(unavailable)
        })
        .await
    }

    async fn case_chunks(
        &self,
        case_id: &str,
        after_cursor: i64,
        skip_device: Option<&str>,
    ) -> Result<Vec<CaseChunk>, StorageError> {
        let case_id = case_id.to_owned();
        let skip_device = skip_device.map(str::to_owned);
        self.run(move |connection| {
            let mut statement = connection
                .prepare_cached(
                    "SELECT cursor, bytes FROM case_chunks
                     WHERE case_id = ?1 AND cursor > ?2 AND (?3 IS NULL OR device_id IS NOT ?3)
                     ORDER BY cursor",
                )
                .map_err(unavailable)?;
            let rows = statement
                .query_map(
                    rusqlite::params![case_id, after_cursor, skip_device],
                    |row| {
                        Ok(CaseChunk {
                            cursor: row.get(0)?,
                            bytes: row.get(1)?,
                        })
                    },
                )
                .map_err(unavailable)?;
            rows.collect::<Result<_, _>>().map_err(unavailable)
        })
        .await
    }

    async fn many_case_chunks(
        &self,
        case_ids: &[String],
        after_cursor: i64,
        skip_device: Option<&str>,
    ) -> Result<Vec<Vec<CaseChunk>>, StorageError> {
        let case_ids = case_ids.to_vec();
        let skip_device = skip_device.map(str::to_owned);
        // One trip to the database thread; SQLite reads each case's rows by
        // index, which costs less than building an IN list.
        self.run(move |connection| {
            let mut statement = connection
                .prepare_cached(
                    "SELECT cursor, bytes FROM case_chunks
                     WHERE case_id = ?1 AND cursor > ?2 AND (?3 IS NULL OR device_id IS NOT ?3)
                     ORDER BY cursor",
                )
                .map_err(unavailable)?;
            case_ids
                .iter()
                .map(|case_id| {
                    let rows = statement
                        .query_map(
                            rusqlite::params![case_id, after_cursor, skip_device],
                            |row| {
                                Ok(CaseChunk {
                                    cursor: row.get(0)?,
                                    bytes: row.get(1)?,
                                })
                            },
                        )
                        .map_err(unavailable)?;
                    rows.collect::<Result<Vec<_>, _>>().map_err(unavailable)
                })
                .collect()
        })
        .await
    }

    async fn write_case(&self, write: CaseWrite) -> Result<CaseWriteOutcome, StorageError> {
        self.run(move |connection| {
            let transaction = connection
                .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
                .map_err(unavailable)?;
            let outcome = write_case_in(&transaction, write)?;
            if matches!(outcome, CaseWriteOutcome::Stored { .. }) {
                transaction.commit().map_err(unavailable)?;
            }
            Ok(outcome)
        })
        .await
    }

    async fn seed_cases(&self, writes: Vec<CaseWrite>) -> Result<usize, StorageError> {
        self.run(move |connection| {
            let transaction = connection
                .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
                .map_err(unavailable)?;
            let mut stored = 0;
            for write in writes {
                if matches!(
                    write_case_in(&transaction, write)?,
                    CaseWriteOutcome::Stored { .. }
                ) {
                    stored += 1;
                }
            }
            transaction.commit().map_err(unavailable)?;
            Ok(stored)
        })
        .await
    }

    async fn attachment_size(&self, sha256: &str) -> Result<Option<i64>, StorageError> {
        let sha256 = sha256.to_owned();
        self.run(move |connection| {
            connection
                .query_row(
                    "SELECT size FROM attachments WHERE sha256 = ?1",
                    [sha256],
                    |row| row.get(0),
                )
                .optional()
                .map_err(unavailable)
        })
        .await
    }

    async fn attachment_linked(&self, sha256: &str, case_id: &str) -> Result<bool, StorageError> {
        let (sha256, case_id) = (sha256.to_owned(), case_id.to_owned());
        self.run(move |connection| {
            connection
                .query_row(
                    "SELECT 1 FROM attachment_cases WHERE sha256 = ?1 AND case_id = ?2",
                    [sha256, case_id],
                    |_| Ok(()),
                )
                .optional()
                .map(|found| found.is_some())
                .map_err(unavailable)
        })
        .await
    }

    async fn upload_state(
        &self,
        sha256: &str,
        case_id: &str,
    ) -> Result<Option<AttachmentState>, StorageError> {
        let (sha256, case_id) = (sha256.to_owned(), case_id.to_owned());
        self.run(move |connection| read_upload(connection, &sha256, &case_id))
            .await
    }

    async fn append_upload_chunk(
        &self,
        sha256: &str,
        case_id: &str,
        size: i64,
        offset: i64,
        bytes: Vec<u8>,
    ) -> Result<AttachmentState, StorageError> {
        let (sha256, case_id) = (sha256.to_owned(), case_id.to_owned());
        self.run(move |connection| {
            let transaction = connection
                .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
                .map_err(unavailable)?;
            let now = now_millis();
            transaction
                .execute(
                    "DELETE FROM attachment_uploads WHERE started_at < ?1",
                    [now - ABANDONED_UPLOAD_MILLIS],
                )
                .map_err(unavailable)?;
            transaction
                .execute(
                    "INSERT INTO attachment_uploads (sha256, case_id, size, received, started_at)
                     VALUES (?1, ?2, ?3, 0, ?4) ON CONFLICT (sha256, case_id) DO NOTHING",
                    rusqlite::params![sha256, case_id, size, now],
                )
                .map_err(unavailable)?;
            let state = read_upload(&transaction, &sha256, &case_id)?
                .ok_or_else(|| StorageError::Unavailable("the upload vanished".into()))?;
            if state.received != offset || state.size != size {
                transaction.commit().map_err(unavailable)?;
                return Ok(state);
            }
            let length = i64::try_from(bytes.len()).unwrap_or(i64::MAX);
            transaction
                .execute(
                    "INSERT INTO attachment_upload_chunks (sha256, case_id, offset_bytes, bytes)
                     VALUES (?1, ?2, ?3, ?4)",
                    rusqlite::params![sha256, case_id, offset, bytes],
                )
                .map_err(unavailable)?;
            transaction
                .execute(
                    "UPDATE attachment_uploads SET received = received + ?3
                     WHERE sha256 = ?1 AND case_id = ?2",
                    rusqlite::params![sha256, case_id, length],
                )
                .map_err(unavailable)?;
            transaction.commit().map_err(unavailable)?;
            Ok(AttachmentState {
                received: state.received + length,
                ..state
            })
        })
        .await
    }

    async fn upload_bytes(&self, sha256: &str, case_id: &str) -> Result<Vec<u8>, StorageError> {
        let (sha256, case_id) = (sha256.to_owned(), case_id.to_owned());
        self.run(move |connection| {
            concatenated_bytes(
                connection,
                "SELECT bytes FROM attachment_upload_chunks WHERE sha256 = ?1 AND case_id = ?2
                 ORDER BY offset_bytes",
                rusqlite::params![sha256, case_id],
            )
        })
        .await
    }

    async fn finish_upload(
        &self,
        sha256: &str,
        case_id: &str,
        audit: AuditEvent,
    ) -> Result<(), StorageError> {
        let (sha256, case_id) = (sha256.to_owned(), case_id.to_owned());
        self.run(move |connection| {
            let transaction = connection
                .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
                .map_err(unavailable)?;
            let stored = transaction
                .execute(
                    "INSERT INTO attachments (sha256, size, created_at)
                     SELECT sha256, size, ?3 FROM attachment_uploads WHERE sha256 = ?1 AND case_id = ?2
                     ON CONFLICT (sha256) DO NOTHING",
                    rusqlite::params![sha256, case_id, now_rfc3339()],
                )
                .map_err(unavailable)?;
            if stored > 0 {
                transaction
                    .execute(
                        "INSERT INTO attachment_chunks (sha256, offset_bytes, bytes)
                         SELECT sha256, offset_bytes, bytes FROM attachment_upload_chunks
                         WHERE sha256 = ?1 AND case_id = ?2",
                        [&sha256, &case_id],
                    )
                    .map_err(unavailable)?;
            }
            transaction
                .execute(
                    "INSERT INTO attachment_cases (sha256, case_id, linked_at) VALUES (?1, ?2, ?3)
                     ON CONFLICT (sha256, case_id) DO NOTHING",
                    rusqlite::params![sha256, case_id, now_rfc3339()],
                )
                .map_err(unavailable)?;
            transaction
                .execute(
                    "DELETE FROM attachment_uploads WHERE sha256 = ?1 AND case_id = ?2",
                    [&sha256, &case_id],
                )
                .map_err(unavailable)?;
            append_audit(&transaction, audit)?;
            transaction.commit().map_err(unavailable)
        })
        .await
    }

    async fn discard_upload(&self, sha256: &str, case_id: &str) -> Result<(), StorageError> {
        let (sha256, case_id) = (sha256.to_owned(), case_id.to_owned());
        self.run(move |connection| {
            connection
                .execute(
                    "DELETE FROM attachment_uploads WHERE sha256 = ?1 AND case_id = ?2",
                    [sha256, case_id],
                )
                .map_err(unavailable)?;
            Ok(())
        })
        .await
    }

    async fn attachment_bytes(&self, sha256: &str) -> Result<Vec<u8>, StorageError> {
        let sha256 = sha256.to_owned();
        self.run(move |connection| {
            concatenated_bytes(
                connection,
                "SELECT bytes FROM attachment_chunks WHERE sha256 = ?1 ORDER BY offset_bytes",
                rusqlite::params![sha256],
            )
        })
        .await
    }

    async fn attachment_cases(&self, sha256: &str) -> Result<Vec<CaseAccessFacts>, StorageError> {
        let sha256 = sha256.to_owned();
        self.run(move |connection| {
            let mut statement = connection
                .prepare(
                    "SELECT c.case_type, c.team, c.assigned_to FROM attachment_cases a
                     JOIN cases c ON c.id = a.case_id WHERE a.sha256 = ?1",
                )
                .map_err(unavailable)?;
            let rows = statement
                .query_map([sha256], |row| {
                    Ok(CaseAccessFacts {
                        case_type: row.get(0)?,
                        team: row.get(1)?,
                        assigned_to: row.get(2)?,
                    })
                })
                .map_err(unavailable)?;
            rows.collect::<Result<_, _>>().map_err(unavailable)
        })
        .await
    }

    async fn raise_lone_worker_alerts(
        &self,
        now: &str,
        channels: &[&'static str],
    ) -> Result<Vec<LoneWorkerAlert>, StorageError> {
        let now = now.to_owned();
        let channels = channels.to_vec();
        self.run(move |connection| {
            let transaction = connection
                .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
                .map_err(unavailable)?;
            let raised: Vec<LoneWorkerAlert> = {
                let mut statement = transaction
                    .prepare(&format!(
                        "INSERT INTO lone_worker_alerts (case_id, team, worker, expected_end, raised_at)
                         SELECT id, team, open_visit_worker, open_visit_expected_end, ?1 FROM cases
                         WHERE open_visit_expected_end IS NOT NULL AND open_visit_expected_end < ?1
                           AND open_visit_worker IS NOT NULL
                         ON CONFLICT (case_id, expected_end) DO NOTHING
                         RETURNING {ALERT_FIELDS}"
                    ))
                    .map_err(unavailable)?;
                let rows = statement
                    .query_map([&now], read_alert)
                    .map_err(unavailable)?;
                rows.collect::<Result<_, _>>().map_err(unavailable)?
            };
            for alert in &raised {
                for channel in &channels {
                    transaction
                        .execute(
                            "INSERT INTO alert_deliveries (alert_id, channel, next_attempt_at)
                             VALUES (?1, ?2, ?3)",
                            rusqlite::params![alert.id, channel, now_millis()],
                        )
                        .map_err(unavailable)?;
                }
            }
            transaction.commit().map_err(unavailable)?;
            Ok(raised)
        })
        .await
    }

    async fn resolve_lone_worker_alerts(
        &self,
        now: &str,
    ) -> Result<Vec<LoneWorkerAlert>, StorageError> {
        let now = now.to_owned();
        self.run(move |connection| {
            let mut statement = connection
                .prepare(&format!(
                    "UPDATE lone_worker_alerts SET resolved_at = ?1
                     WHERE resolved_at IS NULL AND NOT EXISTS (
                         SELECT 1 FROM cases c WHERE c.id = lone_worker_alerts.case_id
                           AND c.open_visit_expected_end = lone_worker_alerts.expected_end)
                     RETURNING {ALERT_FIELDS}"
                ))
                .map_err(unavailable)?;
            let rows = statement
                .query_map([&now], read_alert)
                .map_err(unavailable)?;
            rows.collect::<Result<_, _>>().map_err(unavailable)
        })
        .await
    }

    async fn due_alert_deliveries(
        &self,
        now_millis: i64,
    ) -> Result<Vec<DueDelivery>, StorageError> {
        self.run(move |connection| {
            let mut statement = connection
                .prepare(&format!(
                    "SELECT {ALERT_COLUMNS}, d.channel, d.attempts
                     FROM alert_deliveries d JOIN lone_worker_alerts a ON a.id = d.alert_id
                     WHERE d.delivered_at IS NULL AND a.resolved_at IS NULL
                       AND d.next_attempt_at <= ?1
                     ORDER BY a.id, d.channel"
                ))
                .map_err(unavailable)?;
            let rows = statement
                .query_map([now_millis], |row| {
                    Ok(DueDelivery {
                        alert: read_alert(row)?,
                        channel: row.get(7)?,
                        attempts: row.get(8)?,
                    })
                })
                .map_err(unavailable)?;
            rows.collect::<Result<_, _>>().map_err(unavailable)
        })
        .await
    }

    async fn record_alert_delivery(
        &self,
        alert_id: i64,
        channel: &str,
        outcome: DeliveryOutcome,
    ) -> Result<(), StorageError> {
        let channel = channel.to_owned();
        self.run(move |connection| {
            let changed = match outcome {
                DeliveryOutcome::Delivered => connection.execute(
                    "UPDATE alert_deliveries SET attempts = attempts + 1, delivered_at = ?3,
                         last_error = NULL
                     WHERE alert_id = ?1 AND channel = ?2",
                    rusqlite::params![alert_id, channel, now_rfc3339()],
                ),
                DeliveryOutcome::Failed { error, retry_at } => connection.execute(
                    // Giving up: due never again.
                    "UPDATE alert_deliveries SET attempts = attempts + 1, last_error = ?3,
                         next_attempt_at = coalesce(?4, 9223372036854775807)
                     WHERE alert_id = ?1 AND channel = ?2",
                    rusqlite::params![alert_id, channel, error, retry_at],
                ),
            };
            changed.map(|_| ()).map_err(unavailable)
        })
        .await
    }

    async fn lone_worker_alerts(
        &self,
        open_only: bool,
    ) -> Result<Vec<LoneWorkerAlert>, StorageError> {
        self.run(move |connection| {
            let mut statement = connection
                .prepare(&format!(
                    "SELECT {ALERT_COLUMNS} FROM lone_worker_alerts a
                     WHERE NOT ?1 OR a.resolved_at IS NULL ORDER BY a.id DESC"
                ))
                .map_err(unavailable)?;
            let rows = statement
                .query_map([open_only], read_alert)
                .map_err(unavailable)?;
            rows.collect::<Result<_, _>>().map_err(unavailable)
        })
        .await
    }

    async fn recent_lone_worker_alerts(
        &self,
        resolved_after: &str,
    ) -> Result<Vec<LoneWorkerAlert>, StorageError> {
        let resolved_after = resolved_after.to_owned();
        self.run(move |connection| {
            let mut statement = connection
                .prepare(&format!(
                    "SELECT {ALERT_COLUMNS} FROM lone_worker_alerts a
                     WHERE a.resolved_at IS NULL OR a.resolved_at > ?1 ORDER BY a.id DESC"
                ))
                .map_err(unavailable)?;
            let rows = statement
                .query_map([resolved_after], read_alert)
                .map_err(unavailable)?;
            rows.collect::<Result<_, _>>().map_err(unavailable)
        })
        .await
    }

    async fn alert_deliveries(
        &self,
        alert_ids: Vec<i64>,
    ) -> Result<Vec<AlertDeliveryState>, StorageError> {
        self.run(move |connection| {
            let mut statement = connection
                .prepare_cached(
                    "SELECT alert_id, channel, attempts, delivered_at, last_error
                     FROM alert_deliveries WHERE alert_id = ?1 ORDER BY channel",
                )
                .map_err(unavailable)?;
            let mut states = Vec::new();
            for alert_id in alert_ids {
                let rows = statement
                    .query_map([alert_id], |row| {
                        Ok(AlertDeliveryState {
                            alert_id: row.get(0)?,
                            channel: row.get(1)?,
                            attempts: row.get(2)?,
                            delivered_at: row.get(3)?,
                            last_error: row.get(4)?,
                        })
                    })
                    .map_err(unavailable)?;
                for row in rows {
                    states.push(row.map_err(unavailable)?);
                }
            }
            Ok(states)
        })
        .await
    }

    async fn user_access_changes(
        &self,
        user: &str,
        after: i64,
        up_to: i64,
    ) -> Result<Vec<PastAccess>, StorageError> {
        let user_key = name_key(user);
        self.run(move |connection| {
            let mut statement = connection
                .prepare_cached(
                    "SELECT role, team_key FROM user_access_changes
                     WHERE user_key = ?1 AND cursor > ?2 AND cursor <= ?3 ORDER BY cursor",
                )
                .map_err(unavailable)?;
            let rows = statement
                .query_map(rusqlite::params![user_key, after, up_to], |row| {
                    let role: String = row.get(0)?;
                    Ok(PastAccess {
                        role: Role::parse(&role).unwrap_or(Role::Caseworker),
                        team_key: row.get(1)?,
                    })
                })
                .map_err(unavailable)?;
            rows.collect::<Result<_, _>>().map_err(unavailable)
        })
        .await
    }

    async fn feed_position(&self) -> Result<i64, StorageError> {
        self.run(|connection| {
            connection
                .query_row(
                    "SELECT value FROM case_cursor WHERE only_row = 1",
                    [],
                    |row| row.get(0),
                )
                .map_err(unavailable)
        })
        .await
    }

    async fn access_left_scope(
        &self,
        scope: &CaseScope,
        after: i64,
        up_to: i64,
    ) -> Result<Vec<String>, StorageError> {
        if scope.is_empty() {
            return Ok(Vec::new());
        }
        let scope = scope.clone();
        self.run(move |connection| {
            let (assignee_key, team_key) = scope_keys(&scope);
            let sql = format!(
                "SELECT DISTINCT case_id FROM case_access_changes
                 WHERE cursor > ?1 AND cursor <= ?4 AND {}",
                scope_condition(&scope, "?2", "?3")
            );
            let mut statement = connection.prepare(&sql).map_err(unavailable)?;
            let rows = statement
                .query_map(
                    rusqlite::params![after, assignee_key, team_key, up_to],
                    |row| row.get(0),
                )
                .map_err(unavailable)?;
            rows.collect::<Result<_, _>>().map_err(unavailable)
        })
        .await
    }

    async fn count_cases_changed(
        &self,
        scope: &CaseScope,
        since: i64,
    ) -> Result<i64, StorageError> {
        if scope.is_empty() {
            return Ok(0);
        }
        let scope = scope.clone();
        self.run(move |connection| {
            let (assignee_key, team_key) = scope_keys(&scope);
            let sql = format!(
                "SELECT count(*) FROM cases WHERE cursor > ?1 AND {}",
                scope_condition(&scope, "?2", "?3")
            );
            connection
                .query_row(
                    &sql,
                    rusqlite::params![since, assignee_key, team_key],
                    |row| row.get(0),
                )
                .map_err(unavailable)
        })
        .await
    }

    async fn cases_changed(
        &self,
        scope: &CaseScope,
        since: i64,
        limit: i64,
    ) -> Result<Vec<CaseRecord>, StorageError> {
        if scope.is_empty() {
            return Ok(Vec::new());
        }
        let scope = scope.clone();
        self.run(move |connection| {
            let (assignee_key, team_key) = scope_keys(&scope);
            let sql = format!(
                "{CASE_COLUMNS} WHERE cursor > ?1 AND {} ORDER BY cursor LIMIT ?4",
                scope_condition(&scope, "?2", "?3")
            );
            let mut statement = connection.prepare(&sql).map_err(unavailable)?;
            let rows = statement
                .query_map(
                    rusqlite::params![since, assignee_key, team_key, limit],
                    case_from_row,
                )
                .map_err(unavailable)?;
            rows.collect::<Result<_, _>>().map_err(unavailable)
        })
        .await
    }
}

fn read_alert(row: &rusqlite::Row<'_>) -> rusqlite::Result<LoneWorkerAlert> {
    Ok(LoneWorkerAlert {
        id: row.get(0)?,
        case_id: row.get(1)?,
        team: row.get(2)?,
        worker: row.get(3)?,
        expected_end: row.get(4)?,
        raised_at: row.get(5)?,
        resolved_at: row.get(6)?,
    })
}

/// One case write inside the caller's transaction (see [`Storage::write_case`]).
fn write_case_in(
    transaction: &rusqlite::Transaction<'_>,
    write: CaseWrite,
) -> Result<CaseWriteOutcome, StorageError> {
    let current: Option<i64> = transaction
        .query_row(
            "SELECT version FROM cases WHERE id = ?1",
            [&write.case_id],
            |row| row.get(0),
        )
        .optional()
        .map_err(unavailable)?;
    if current != write.expected_version {
        return Ok(CaseWriteOutcome::VersionConflict);
    }
    let cursor: i64 = transaction
        .query_row(
            "UPDATE case_cursor SET value = value + 1 RETURNING value",
            [],
            |row| row.get(0),
        )
        .map_err(unavailable)?;
    let now = now_rfc3339();
    let chunk_len = i64::try_from(write.chunk.len()).unwrap_or(i64::MAX);
    if current.is_none() {
        transaction
            .execute(
                "INSERT INTO cases (id, case_type, status, summary, team, assigned_to,
                     shared_with_team, heads, version, cursor, chunk_count, stored_bytes,
                     created_at, updated_at, team_key, assignee_key)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 1, ?9, 0, 0, ?10, ?10, ?11, ?12)",
                rusqlite::params![
                    write.case_id,
                    write.facts.case_type,
                    write.status,
                    write.summary,
                    write.facts.team,
                    write.facts.assigned_to,
                    write.facts.shared_with_team(),
                    write.heads,
                    cursor,
                    now,
                    write.facts.team_key(),
                    write.facts.assignee_key()
                ],
            )
            .map_err(unavailable)?;
    } else {
        transaction
            .execute(
                "INSERT INTO case_access_changes (cursor, case_id, team_key, assignee_key, shared_with_team)
                 SELECT ?2, id, team_key, assignee_key, shared_with_team FROM cases
                 WHERE id = ?1 AND (team_key IS NOT ?3 OR assignee_key IS NOT ?4
                     OR shared_with_team IS NOT ?5)",
                rusqlite::params![
                    write.case_id,
                    cursor,
                    write.facts.team_key(),
                    write.facts.assignee_key(),
                    write.facts.shared_with_team()
                ],
            )
            .map_err(unavailable)?;
        transaction
            .execute(
                "UPDATE cases SET case_type = ?2, status = ?3, summary = ?4, team = ?5,
                     assigned_to = ?6, shared_with_team = ?7, heads = ?8,
                     version = version + 1, cursor = ?9, updated_at = ?10,
                     team_key = ?11, assignee_key = ?12
                 WHERE id = ?1",
                rusqlite::params![
                    write.case_id,
                    write.facts.case_type,
                    write.status,
                    write.summary,
                    write.facts.team,
                    write.facts.assigned_to,
                    write.facts.shared_with_team(),
                    write.heads,
                    cursor,
                    now,
                    write.facts.team_key(),
                    write.facts.assignee_key()
                ],
            )
            .map_err(unavailable)?;
    }
    if write.compacts {
        transaction
            .execute(
                "DELETE FROM case_chunks WHERE case_id = ?1",
                [&write.case_id],
            )
            .map_err(unavailable)?;
    }
    transaction
        .execute(
            "INSERT INTO case_chunks (case_id, cursor, device_id, bytes) VALUES (?1, ?2, ?3, ?4)",
            rusqlite::params![write.case_id, cursor, write.device_id, write.chunk],
        )
        .map_err(unavailable)?;
    transaction
        .execute(
            "UPDATE cases SET
                 chunk_count = (SELECT count(*) FROM case_chunks WHERE case_id = ?1),
                 stored_bytes = CASE WHEN ?2 THEN ?3 ELSE stored_bytes + ?3 END,
                 open_visit_expected_end = ?4, open_visit_worker = ?5
             WHERE id = ?1",
            rusqlite::params![
                write.case_id,
                write.compacts,
                chunk_len,
                write
                    .open_visit
                    .as_ref()
                    .map(|visit| visit.expected_end.as_str()),
                write.open_visit.as_ref().map(|visit| visit.worker.as_str()),
            ],
        )
        .map_err(unavailable)?;
    append_audit(transaction, write.audit)?;
    Ok(CaseWriteOutcome::Stored { cursor })
}

fn store_tokens(
    connection: &Connection,
    device_id: &str,
    tokens: &TokenDigests,
) -> Result<(), StorageError> {
    connection
        .execute(
            "INSERT INTO access_tokens (digest, device_id, session_id, expires_at) VALUES (?1, ?2, ?3, ?4)",
            rusqlite::params![tokens.access, device_id, tokens.session, tokens.access_expires_at],
        )
        .map_err(unavailable)?;
    connection
        .execute(
            "INSERT INTO refresh_tokens (digest, device_id, session_id, expires_at) VALUES (?1, ?2, ?3, ?4)",
            rusqlite::params![tokens.refresh, device_id, tokens.session, tokens.refresh_expires_at],
        )
        .map_err(unavailable)?;
    // Expired access tokens of this device are no use to anyone.
    connection
        .execute(
            "DELETE FROM access_tokens WHERE device_id = ?1 AND expires_at < ?2",
            rusqlite::params![device_id, now_millis()],
        )
        .map_err(unavailable)?;
    Ok(())
}

fn end_tokens(connection: &Connection, device_id: &str) -> Result<(), StorageError> {
    connection
        .execute(
            "DELETE FROM access_tokens WHERE device_id = ?1",
            [device_id],
        )
        .map_err(unavailable)?;
    connection
        .execute(
            "UPDATE refresh_tokens SET used_at = coalesce(used_at, ?2) WHERE device_id = ?1",
            rusqlite::params![device_id, now_millis()],
        )
        .map_err(unavailable)?;
    Ok(())
}

/// Chains `event` onto the log inside the caller's transaction.
fn read_audit_record(row: &rusqlite::Row<'_>) -> rusqlite::Result<AuditRecord> {
    Ok(AuditRecord {
        seq: row.get(0)?,
        server_time: row.get(1)?,
        device_time: row.get(2)?,
        actor: row.get(3)?,
        device_id: row.get(4)?,
        action: row.get(5)?,
        case_id: row.get(6)?,
        detail: row.get(7)?,
        prev_hash: row.get(8)?,
        hash: row.get(9)?,
    })
}

fn append_audit(connection: &Connection, event: AuditEvent) -> Result<(), StorageError> {
    let (seq, hash): (i64, String) = connection
        .query_row("SELECT seq, hash FROM audit_head", [], |row| {
            Ok((row.get(0)?, row.get(1)?))
        })
        .map_err(unavailable)?;
    let record = event.chained(seq + 1, now_rfc3339(), &hash);
    connection
        .execute(
            "INSERT INTO audit_events (seq, server_time, device_time, actor, device_id, action,
                 case_id, detail, prev_hash, hash)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            rusqlite::params![
                record.seq,
                record.server_time,
                record.device_time,
                record.actor,
                record.device_id,
                record.action,
                record.case_id,
                record.detail,
                record.prev_hash,
                record.hash
            ],
        )
        .map_err(unavailable)?;
    connection
        .execute(
            "UPDATE audit_head SET seq = ?1, hash = ?2",
            rusqlite::params![record.seq, record.hash],
        )
        .map_err(unavailable)?;
    Ok(())
}

/// The `bytes` column of every row `sql` selects, joined in order.
fn concatenated_bytes(
    connection: &Connection,
    sql: &str,
    params: impl rusqlite::Params,
) -> Result<Vec<u8>, StorageError> {
    let mut statement = connection.prepare(sql).map_err(unavailable)?;
    let rows = statement
        .query_map(params, |row| row.get::<_, Vec<u8>>(0))
        .map_err(unavailable)?;
    let mut bytes = Vec::new();
    for row in rows {
        bytes.extend(row.map_err(unavailable)?);
    }
    Ok(bytes)
}

fn read_upload(
    connection: &Connection,
    sha256: &str,
    case_id: &str,
) -> Result<Option<AttachmentState>, StorageError> {
    connection
        .query_row(
            "SELECT size, received FROM attachment_uploads WHERE sha256 = ?1 AND case_id = ?2",
            [sha256, case_id],
            |row| {
                Ok(AttachmentState {
                    size: row.get(0)?,
                    received: row.get(1)?,
                    complete: false,
                })
            },
        )
        .optional()
        .map_err(unavailable)
}

fn read_device(connection: &Connection, id: &str) -> Result<Option<Device>, StorageError> {
    connection
        .query_row(
            &format!("{DEVICE_COLUMNS} WHERE d.id = ?1"),
            [id],
            device_from_row,
        )
        .optional()
        .map_err(unavailable)
}

fn device_from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<Device> {
    Ok(Device {
        id: row.get(0)?,
        user: row.get(1)?,
        hostname: row.get(2)?,
        os: row.get(3)?,
        app_version: row.get(4)?,
        registered_at: row.get(5)?,
        last_seen_at: row.get(6)?,
        last_sync_at: row.get(7)?,
        revoked_at: row.get(8)?,
        synced_cursor: row.get(9)?,
    })
}

fn case_from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<CaseRecord> {
    Ok(CaseRecord {
        case_id: row.get(0)?,
        facts: CaseAccessFacts {
            case_type: row.get(1)?,
            team: row.get(2)?,
            assigned_to: row.get(3)?,
        },
        status: row.get(4)?,
        summary: row.get(5)?,
        heads: row.get(6)?,
        version: row.get(7)?,
        cursor: row.get(8)?,
        chunk_count: row.get(9)?,
        updated_at: row.get(10)?,
    })
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
        let transaction = connection
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .map_err(failed)?;
        transaction.execute_batch(sql).map_err(failed)?;
        transaction
            .pragma_update(None, "user_version", version)
            .map_err(failed)?;
        transaction.commit().map_err(failed)?;
        tracing::info!(migration = name, "applied database migration");
    }
    fill_name_keys(connection)
}

/// Gives rows from before migration 0006 their name key, then makes the key unique.
fn fill_name_keys(connection: &mut Connection) -> Result<(), StorageError> {
    let failed = |source: rusqlite::Error| StorageError::Migration {
        name: "0006_name_keys",
        message: source.to_string(),
    };
    let transaction = connection
        .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
        .map_err(failed)?;
    for table in ["teams", "users"] {
        let missing: Vec<(i64, String)> = {
            let mut statement = transaction
                .prepare(&format!(
                    "SELECT id, name FROM {table} WHERE name_key IS NULL"
                ))
                .map_err(failed)?;
            let rows = statement
                .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))
                .map_err(failed)?;
            rows.collect::<Result<_, _>>().map_err(failed)?
        };
        for (id, name) in missing {
            transaction
                .execute(
                    &format!("UPDATE {table} SET name_key = ?2 WHERE id = ?1"),
                    rusqlite::params![id, name_key(&name)],
                )
                .map_err(failed)?;
        }
        let clashes: Vec<String> = {
            let mut statement = transaction
                .prepare(&format!(
                    "SELECT group_concat(name, ' and ') FROM {table}
                     GROUP BY name_key HAVING count(*) > 1 LIMIT 5"
                ))
                .map_err(failed)?;
            let rows = statement.query_map([], |row| row.get(0)).map_err(failed)?;
            rows.collect::<Result<_, _>>().map_err(failed)?
        };
        if !clashes.is_empty() {
            return Err(StorageError::Migration {
                name: "0006_name_keys",
                message: super::name_clash_advice(table, &clashes),
            });
        }
        transaction
            .execute_batch(&format!(
                "CREATE UNIQUE INDEX IF NOT EXISTS {table}_name_key ON {table} (name_key)"
            ))
            .map_err(failed)?;
    }
    transaction.commit().map_err(failed)
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

    #[tokio::test]
    async fn accounts_from_before_name_keys_get_them_on_the_next_start() {
        let dir = tempfile::tempdir().unwrap();
        let storage = SqliteStorage::open(dir.path()).unwrap();
        storage.add_team("Ynys Môn").await.unwrap();
        // As a database written before migration 0006 would be.
        storage
            .lock()
            .unwrap()
            .execute_batch("DROP INDEX teams_name_key; UPDATE teams SET name_key = NULL;")
            .unwrap();
        drop(storage);

        let reopened = SqliteStorage::open(dir.path()).unwrap();
        let key: String = reopened
            .lock()
            .unwrap()
            .query_row("SELECT name_key FROM teams", [], |row| row.get(0))
            .unwrap();
        assert_eq!(key, "ynys môn");
        assert!(matches!(
            reopened.add_team("YNYS MÔN").await,
            Err(StorageError::AlreadyExists(_))
        ));
    }

    #[test]
    fn accounts_that_differ_only_in_letter_case_stop_the_upgrade_with_their_names() {
        let dir = tempfile::tempdir().unwrap();
        drop(SqliteStorage::open(dir.path()).unwrap());
        // Before migration 0006, SQLite's lower() let these two exist side by side.
        Connection::open(dir.path().join(DATABASE_FILE_NAME))
            .unwrap()
            .execute_batch(
                "DROP INDEX users_name_key;
                 INSERT INTO users (name, role, password_digest, created_at)
                 VALUES ('Élin', 'admin', 'x', 'now'), ('élin', 'admin', 'x', 'now');",
            )
            .unwrap();
        let error = SqliteStorage::open(dir.path()).unwrap_err();
        let message = error.to_string();
        assert!(message.contains("differ only in letter case"), "{message}");
        assert!(message.contains("Élin and élin"), "{message}");
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
