//! PostgreSQL: for councils that run several stateless server nodes on one
//! database (with the database replicated for high availability).

use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod};
use tokio_postgres::NoTls;
use tokio_postgres::error::SqlState;

use doorstep_core::access::{CaseAccessFacts, CaseScope, name_key};
use tokio_postgres::Transaction;

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

/// Applied in order and recorded in `schema_migrations`.
const MIGRATIONS: &[MigrationStep] = &[
    (
        "0001_server_instance",
        include_str!("../../../../migrations/server-postgres/0001_server_instance.sql"),
    ),
    (
        "0002_accounts",
        include_str!("../../../../migrations/server-postgres/0002_accounts.sql"),
    ),
    (
        "0003_devices_cases_audit",
        include_str!("../../../../migrations/server-postgres/0003_devices_cases_audit.sql"),
    ),
    (
        "0004_sign_in_failures",
        include_str!("../../../../migrations/server-postgres/0004_sign_in_failures.sql"),
    ),
    (
        "0005_attachments",
        include_str!("../../../../migrations/server-postgres/0005_attachments.sql"),
    ),
    (
        "0006_name_keys",
        include_str!("../../../../migrations/server-postgres/0006_name_keys.sql"),
    ),
    (
        "0007_access_changes",
        include_str!("../../../../migrations/server-postgres/0007_access_changes.sql"),
    ),
    (
        "0008_lone_working",
        include_str!("../../../../migrations/server-postgres/0008_lone_working.sql"),
    ),
    (
        "0009_team_oversight",
        include_str!("../../../../migrations/server-postgres/0009_team_oversight.sql"),
    ),
];

/// Uploads not finished within a week are cleared.
const ABANDONED_UPLOAD_MILLIS: i64 = 7 * 24 * 60 * 60 * 1000;

/// Chosen so that a node never holds more than a share of PostgreSQL's
/// default 100 connections when a few nodes share one database.
const POOL_SIZE: usize = 16;

/// Serialises migrations when several nodes start at once.
const MIGRATION_LOCK_ID: i64 = 0x646f_6f72_7374_6570; // "doorstep"

#[derive(Clone)]
pub struct PostgresStorage {
    pool: Pool,
}

impl std::fmt::Debug for PostgresStorage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The URL may carry a password; never print it.
        f.write_str("PostgresStorage")
    }
}

fn unavailable(error: impl std::fmt::Display) -> StorageError {
    StorageError::Unavailable(error.to_string())
}

fn is_unique_violation(error: &tokio_postgres::Error) -> bool {
    error.code() == Some(&SqlState::UNIQUE_VIOLATION)
}

impl PostgresStorage {
    /// Sets one column of the account named `name` (ignoring case) and
    /// returns the account as it now is.
    /// Changes one column of a user. A change of role or team also takes a
    /// place in the case feed, keeping the access the user had before it, so
    /// their devices let go of cases they may no longer see.
    async fn update_user(
        &self,
        name: &str,
        column: &'static str,
        value: &(dyn tokio_postgres::types::ToSql + Sync),
    ) -> Result<User, StorageError> {
        let mut client = self.client().await?;
        let transaction = client.transaction().await.map_err(unavailable)?;
        // The feed's cursor first, as case writes take it, so the two never wait on each other in turn.
        let changes_access = column != "disabled";
        let cursor: Option<i64> = if changes_access {
            let row = transaction
                .query_one(
                    "UPDATE case_cursor SET value = value + 1 RETURNING value",
                    &[],
                )
                .await
                .map_err(unavailable)?;
            Some(row.get(0))
        } else {
            None
        };
        let read = format!("{USER_COLUMNS} WHERE u.name_key = $1");
        let before = transaction
            .query_opt(&read, &[&name_key(name)])
            .await
            .map_err(unavailable)?
            .map(|row| read_user(&row).user)
            .ok_or_else(|| StorageError::no_such_user(name.trim()))?;
        transaction
            .execute(
                &format!("UPDATE users SET {column} = $2 WHERE name_key = $1"),
                &[&name_key(name), value],
            )
            .await
            .map_err(unavailable)?;
        let after = read_user(
            &transaction
                .query_one(&read, &[&name_key(name)])
                .await
                .map_err(unavailable)?,
        )
        .user;
        match cursor {
            Some(cursor) if (before.role, &before.team) != (after.role, &after.team) => {
                transaction
                    .execute(
                        "INSERT INTO user_access_changes (cursor, user_key, role, team_key)
                         VALUES ($1, $2, $3, $4)",
                        &[
                            &cursor,
                            &name_key(name),
                            &before.role.as_str(),
                            &before.team.as_deref().map(name_key),
                        ],
                    )
                    .await
                    .map_err(unavailable)?;
                transaction.commit().await.map_err(unavailable)?;
            }
            // Nothing about access changed: leave the feed as it was.
            Some(_) => {
                transaction.rollback().await.map_err(unavailable)?;
                return Ok(after);
            }
            None => transaction.commit().await.map_err(unavailable)?,
        }
        Ok(after)
    }

    /// Connects, and applies any migrations this database has not had yet.
    pub async fn connect(url: &str) -> Result<Self, StorageError> {
        let config: tokio_postgres::Config = url
            .parse()
            .map_err(|error: tokio_postgres::Error| StorageError::Connect(error.to_string()))?;
        let manager = Manager::from_config(
            config,
            NoTls,
            ManagerConfig {
                recycling_method: RecyclingMethod::Fast,
            },
        );
        let pool = Pool::builder(manager)
            .max_size(POOL_SIZE)
            .build()
            .map_err(|error| StorageError::Connect(error.to_string()))?;
        let storage = Self { pool };
        storage.migrate().await?;
        Ok(storage)
    }

    async fn client(&self) -> Result<deadpool_postgres::Object, StorageError> {
        self.pool
            .get()
            .await
            .map_err(|error| StorageError::Connect(error.to_string()))
    }

    async fn migrate(&self) -> Result<(), StorageError> {
        let mut client = self.client().await?;
        let transaction = client.transaction().await.map_err(unavailable)?;
        transaction
            .execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK_ID])
            .await
            .map_err(unavailable)?;
        transaction
            .batch_execute(
                "CREATE TABLE IF NOT EXISTS schema_migrations (
                     version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)",
            )
            .await
            .map_err(unavailable)?;
        let applied: i64 = transaction
            .query_one(
                "SELECT coalesce(max(version), 0) FROM schema_migrations",
                &[],
            )
            .await
            .map_err(unavailable)?
            .get(0);
        for (version, name, sql) in pending_migrations(MIGRATIONS, applied)? {
            let failed = |error: tokio_postgres::Error| StorageError::Migration {
                name,
                message: error.to_string(),
            };
            transaction.batch_execute(sql).await.map_err(failed)?;
            transaction
                .execute(
                    "INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)",
                    &[&version, &name, &now_rfc3339()],
                )
                .await
                .map_err(failed)?;
            tracing::info!(migration = name, "applied database migration");
        }
        // Rows from before migration 0006 get their name key, under the same lock.
        for table in ["teams", "users"] {
            let missing = transaction
                .query(
                    &format!("SELECT id, name FROM {table} WHERE name_key IS NULL"),
                    &[],
                )
                .await
                .map_err(unavailable)?;
            for row in missing {
                let id: i64 = row.get(0);
                let name: String = row.get(1);
                transaction
                    .execute(
                        &format!("UPDATE {table} SET name_key = $2 WHERE id = $1"),
                        &[&id, &name_key(&name)],
                    )
                    .await
                    .map_err(unavailable)?;
            }
            let clashes: Vec<String> = transaction
                .query(
                    &format!(
                        "SELECT string_agg(name, ' and ') FROM {table}
                         GROUP BY name_key HAVING count(*) > 1 LIMIT 5"
                    ),
                    &[],
                )
                .await
                .map_err(unavailable)?
                .iter()
                .map(|row| row.get(0))
                .collect();
            if !clashes.is_empty() {
                return Err(StorageError::Migration {
                    name: "0006_name_keys",
                    message: super::name_clash_advice(table, &clashes),
                });
            }
            transaction
                .batch_execute(&format!(
                    "CREATE UNIQUE INDEX IF NOT EXISTS {table}_name_key ON {table} (name_key)"
                ))
                .await
                .map_err(unavailable)?;
        }
        transaction.commit().await.map_err(unavailable)
    }
}

fn read_user(row: &tokio_postgres::Row) -> Credentials {
    let role: String = row.get(2);
    Credentials::from_columns(
        row.get(0),
        row.get(1),
        &role,
        row.get(3),
        row.get(4),
        row.get(5),
    )
}

impl Storage for PostgresStorage {
    fn backend(&self) -> &'static str {
        "postgres"
    }

    async fn check_ready(&self) -> Result<(), StorageError> {
        let client = self.client().await?;
        client
            .query_one("SELECT count(*) FROM server_instance", &[])
            .await
            .map_err(unavailable)?;
        Ok(())
    }

    async fn add_team(&self, name: &str) -> Result<Team, StorageError> {
        let name = check_name("team", name)?;
        let client = self.client().await?;
        match client
            .query_one(
                "INSERT INTO teams (name, name_key, created_at) VALUES ($1, $2, $3) RETURNING id",
                &[&name, &name_key(&name), &now_rfc3339()],
            )
            .await
        {
            Ok(row) => Ok(Team {
                id: row.get(0),
                name,
            }),
            Err(error) if is_unique_violation(&error) => Err(StorageError::team_exists(&name)),
            Err(error) => Err(unavailable(error)),
        }
    }

    async fn teams(&self) -> Result<Vec<Team>, StorageError> {
        let client = self.client().await?;
        let rows = client
            .query("SELECT id, name FROM teams ORDER BY lower(name)", &[])
            .await
            .map_err(unavailable)?;
        Ok(rows
            .iter()
            .map(|row| Team {
                id: row.get(0),
                name: row.get(1),
            })
            .collect())
    }

    async fn add_user(&self, user: NewUser) -> Result<User, StorageError> {
        let name = check_name("user", &user.name)?;
        let mut client = self.client().await?;
        let transaction = client.transaction().await.map_err(unavailable)?;
        let team_id: Option<i64> = match &user.team {
            None => None,
            Some(team) => Some(
                transaction
                    .query_opt(
                        "SELECT id FROM teams WHERE name_key = $1",
                        &[&name_key(team)],
                    )
                    .await
                    .map_err(unavailable)?
                    .ok_or_else(|| StorageError::no_such_team(team))?
                    .get(0),
            ),
        };
        let inserted = transaction
            .query_one(
                "INSERT INTO users (name, role, team_id, password_digest, created_at, name_key)
                 VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
                &[
                    &name,
                    &user.role.as_str(),
                    &team_id,
                    &user.digest.as_stored(),
                    &now_rfc3339(),
                    &name_key(&name),
                ],
            )
            .await;
        let id: i64 = match inserted {
            Ok(row) => row.get(0),
            Err(error) if is_unique_violation(&error) => {
                return Err(StorageError::user_exists(&name));
            }
            Err(error) => return Err(unavailable(error)),
        };
        transaction.commit().await.map_err(unavailable)?;
        Ok(User {
            id,
            name,
            role: user.role,
            team: user.team,
            disabled: false,
        })
    }

    async fn users(&self) -> Result<Vec<User>, StorageError> {
        let client = self.client().await?;
        let rows = client
            .query(&format!("{USER_COLUMNS} ORDER BY lower(u.name)"), &[])
            .await
            .map_err(unavailable)?;
        Ok(rows.iter().map(|row| read_user(row).user).collect())
    }

    async fn credentials(&self, name: &str) -> Result<Option<Credentials>, StorageError> {
        let client = self.client().await?;
        let row = client
            .query_opt(
                &format!("{USER_COLUMNS} WHERE u.name_key = $1"),
                &[&name_key(name)],
            )
            .await
            .map_err(unavailable)?;
        Ok(row.as_ref().map(read_user))
    }

    async fn set_user_disabled(&self, name: &str, disabled: bool) -> Result<User, StorageError> {
        self.update_user(name, "disabled", &disabled).await
    }

    async fn set_user_role(&self, name: &str, role: Role) -> Result<User, StorageError> {
        self.update_user(name, "role", &role.as_str()).await
    }

    async fn set_user_team(&self, name: &str, team: Option<&str>) -> Result<User, StorageError> {
        let team_id: Option<i64> = match team {
            None => None,
            Some(team) => Some(
                self.client()
                    .await?
                    .query_opt(
                        "SELECT id FROM teams WHERE name_key = $1",
                        &[&name_key(team)],
                    )
                    .await
                    .map_err(unavailable)?
                    .ok_or_else(|| StorageError::no_such_team(team.trim()))?
                    .get(0),
            ),
        };
        self.update_user(name, "team_id", &team_id).await
    }

    async fn record_sign_in_attempt(
        &self,
        account: &str,
        address: &str,
    ) -> Result<i64, StorageError> {
        let client = self.client().await?;
        let now = now_millis();
        client
            .execute(
                "DELETE FROM sign_in_failures WHERE at_millis < $1",
                &[&(now - 24 * 60 * 60 * 1000)],
            )
            .await
            .map_err(unavailable)?;
        let row = client
            .query_one(
                "INSERT INTO sign_in_failures (account, address, at_millis) VALUES ($1, $2, $3)
                 RETURNING id",
                &[&account, &address, &now],
            )
            .await
            .map_err(unavailable)?;
        Ok(row.get(0))
    }

    async fn forget_sign_in_attempt(&self, attempt: i64) -> Result<(), StorageError> {
        let client = self.client().await?;
        client
            .execute("DELETE FROM sign_in_failures WHERE id = $1", &[&attempt])
            .await
            .map_err(unavailable)?;
        Ok(())
    }

    async fn recent_sign_in_failures(
        &self,
        account: &str,
        address: &str,
        since_millis: i64,
        limit: i64,
    ) -> Result<RecentFailures, StorageError> {
        let client = self.client().await?;
        let mut recent = RecentFailures::default();
        for (column, key, into) in [
            ("account", account, &mut recent.for_account),
            ("address", address, &mut recent.from_address),
        ] {
            let rows = client
                .query(
                    &format!(
                        "SELECT at_millis FROM sign_in_failures WHERE {column} = $1 AND at_millis >= $2
                         ORDER BY at_millis DESC LIMIT $3"
                    ),
                    &[&key, &since_millis, &limit],
                )
                .await
                .map_err(unavailable)?;
            *into = rows.iter().map(|row| row.get(0)).collect();
        }
        Ok(recent)
    }

    async fn clear_sign_in_failures(&self, account: &str) -> Result<(), StorageError> {
        let client = self.client().await?;
        client
            .execute(
                "DELETE FROM sign_in_failures WHERE account = $1",
                &[&account],
            )
            .await
            .map_err(unavailable)?;
        Ok(())
    }

    async fn open_session(
        &self,
        device: NewDevice,
        tokens: TokenDigests,
        audit: AuditEvent,
    ) -> Result<Device, StorageError> {
        let mut client = self.client().await?;
        let transaction = client.transaction().await.map_err(unavailable)?;
        transaction
            .execute(
                "INSERT INTO devices (id, user_id, hostname, os, app_version, registered_at, last_seen_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $6)
                 ON CONFLICT (id) DO UPDATE SET hostname = excluded.hostname, os = excluded.os,
                     app_version = excluded.app_version, last_seen_at = excluded.last_seen_at
                 WHERE devices.user_id = excluded.user_id AND devices.revoked_at IS NULL",
                &[&device.id, &device.user_id, &device.hostname, &device.os, &device.app_version, &now_rfc3339()],
            )
            .await
            .map_err(unavailable)?;
        // The registration must be this user's and live, checked under the
        // row's lock: a revocation a moment ago must win.
        let owner = transaction
            .query_opt(
                "SELECT user_id, revoked_at FROM devices WHERE id = $1 FOR UPDATE",
                &[&device.id],
            )
            .await
            .map_err(unavailable)?
            .map(|row| (row.get::<_, i64>(0), row.get::<_, Option<String>>(1)));
        if owner != Some((device.user_id, None)) {
            return Err(StorageError::DeviceUnavailable(device.id.clone()));
        }
        // A new sign-in replaces whatever session this device had.
        transaction
            .execute(
                "DELETE FROM access_tokens WHERE device_id = $1",
                &[&device.id],
            )
            .await
            .map_err(unavailable)?;
        spend_refresh_tokens(&transaction, &device.id).await?;
        store_tokens(&transaction, &device.id, &tokens).await?;
        append_audit(&transaction, audit).await?;
        let stored = read_device(&transaction, &device.id)
            .await?
            .ok_or_else(|| StorageError::NoSuchDevice(device.id.clone()))?;
        transaction.commit().await.map_err(unavailable)?;
        Ok(stored)
    }

    async fn device(&self, id: &str) -> Result<Option<Device>, StorageError> {
        let mut client = self.client().await?;
        let transaction = client.transaction().await.map_err(unavailable)?;
        read_device(&transaction, id).await
    }

    async fn devices(&self) -> Result<Vec<Device>, StorageError> {
        let client = self.client().await?;
        let rows = client
            .query(
                &format!("{DEVICE_COLUMNS} ORDER BY d.registered_at, d.id"),
                &[],
            )
            .await
            .map_err(unavailable)?;
        Ok(rows.iter().map(device_from_row).collect())
    }

    async fn token_holder(&self, access_digest: &str) -> Result<Option<TokenHolder>, StorageError> {
        let mut client = self.client().await?;
        let transaction = client.transaction().await.map_err(unavailable)?;
        let Some(row) = transaction
            .query_opt(
                "SELECT device_id, expires_at FROM access_tokens WHERE digest = $1",
                &[&access_digest],
            )
            .await
            .map_err(unavailable)?
        else {
            return Ok(None);
        };
        let device_id: String = row.get(0);
        let expires_at: i64 = row.get(1);
        let Some(device) = read_device(&transaction, &device_id).await? else {
            return Ok(None);
        };
        let user_row = transaction
            .query_one(
                &format!("{USER_COLUMNS} WHERE u.id = (SELECT user_id FROM devices WHERE id = $1)"),
                &[&device_id],
            )
            .await
            .map_err(unavailable)?;
        Ok(Some(TokenHolder {
            user: read_user(&user_row).user,
            device,
            expires_at,
        }))
    }

    async fn refresh_record(
        &self,
        refresh_digest: &str,
    ) -> Result<Option<RefreshRecord>, StorageError> {
        let client = self.client().await?;
        let row = client
            .query_opt(
                "SELECT device_id, expires_at, used_at IS NOT NULL, session_id, rotated FROM refresh_tokens WHERE digest = $1",
                &[&refresh_digest],
            )
            .await
            .map_err(unavailable)?;
        Ok(row.map(|row| RefreshRecord {
            device_id: row.get(0),
            expires_at: row.get(1),
            used: row.get(2),
            session: row.get(3),
            rotated: row.get(4),
        }))
    }

    async fn rotate_tokens(
        &self,
        old_refresh_digest: &str,
        device_id: &str,
        tokens: TokenDigests,
    ) -> Result<bool, StorageError> {
        let mut client = self.client().await?;
        let transaction = client.transaction().await.map_err(unavailable)?;
        let spent = transaction
            .execute(
                "UPDATE refresh_tokens SET used_at = $2, rotated = TRUE WHERE digest = $1 AND used_at IS NULL",
                &[&old_refresh_digest, &now_millis()],
            )
            .await
            .map_err(unavailable)?;
        if spent == 0 {
            return Ok(false);
        }
        store_tokens(&transaction, device_id, &tokens).await?;
        transaction
            .execute(
                "UPDATE devices SET last_seen_at = $2 WHERE id = $1",
                &[&device_id, &now_rfc3339()],
            )
            .await
            .map_err(unavailable)?;
        transaction.commit().await.map_err(unavailable)?;
        Ok(true)
    }

    async fn end_session(&self, device_id: &str, audit: AuditEvent) -> Result<(), StorageError> {
        let mut client = self.client().await?;
        let transaction = client.transaction().await.map_err(unavailable)?;
        transaction
            .execute(
                "DELETE FROM access_tokens WHERE device_id = $1",
                &[&device_id],
            )
            .await
            .map_err(unavailable)?;
        spend_refresh_tokens(&transaction, device_id).await?;
        append_audit(&transaction, audit).await?;
        transaction.commit().await.map_err(unavailable)
    }

    async fn end_session_family(
        &self,
        session: &str,
        audit: AuditEvent,
    ) -> Result<(), StorageError> {
        let mut client = self.client().await?;
        let transaction = client.transaction().await.map_err(unavailable)?;
        transaction
            .execute(
                "DELETE FROM access_tokens WHERE session_id = $1",
                &[&session],
            )
            .await
            .map_err(unavailable)?;
        transaction
            .execute(
                "UPDATE refresh_tokens SET used_at = coalesce(used_at, $2) WHERE session_id = $1",
                &[&session, &now_millis()],
            )
            .await
            .map_err(unavailable)?;
        append_audit(&transaction, audit).await?;
        transaction.commit().await.map_err(unavailable)
    }

    async fn revoke_device(
        &self,
        device_id: &str,
        audit: AuditEvent,
    ) -> Result<Device, StorageError> {
        let mut client = self.client().await?;
        let transaction = client.transaction().await.map_err(unavailable)?;
        let changed = transaction
            .execute(
                "UPDATE devices SET revoked_at = coalesce(revoked_at, $2), revoked_by = coalesce(revoked_by, $3)
                 WHERE id = $1",
                &[&device_id, &now_rfc3339(), &audit.actor],
            )
            .await
            .map_err(unavailable)?;
        if changed == 0 {
            return Err(StorageError::NoSuchDevice(device_id.to_owned()));
        }
        spend_refresh_tokens(&transaction, device_id).await?;
        append_audit(&transaction, audit).await?;
        let device = read_device(&transaction, device_id)
            .await?
            .ok_or_else(|| StorageError::NoSuchDevice(device_id.to_owned()))?;
        transaction.commit().await.map_err(unavailable)?;
        Ok(device)
    }

    async fn touch_device(
        &self,
        device_id: &str,
        synced_to: Option<i64>,
        events: Vec<AuditEvent>,
    ) -> Result<(), StorageError> {
        let mut client = self.client().await?;
        let transaction = client.transaction().await.map_err(unavailable)?;
        transaction
            .execute(
                "UPDATE devices SET last_seen_at = $2,
                     last_sync_at = CASE WHEN $3::BIGINT IS NOT NULL THEN $2 ELSE last_sync_at END,
                     synced_cursor = GREATEST(synced_cursor, coalesce($3::BIGINT, 0))
                 WHERE id = $1",
                &[&device_id, &now_rfc3339(), &synced_to],
            )
            .await
            .map_err(unavailable)?;
        for event in events {
            append_audit(&transaction, event).await?;
        }
        transaction.commit().await.map_err(unavailable)
    }

    async fn record_audit(&self, events: Vec<AuditEvent>) -> Result<(), StorageError> {
        let mut client = self.client().await?;
        let transaction = client.transaction().await.map_err(unavailable)?;
        for event in events {
            append_audit(&transaction, event).await?;
        }
        transaction.commit().await.map_err(unavailable)
    }

    async fn audit_events(
        &self,
        after_seq: i64,
        limit: i64,
    ) -> Result<Vec<AuditRecord>, StorageError> {
        let client = self.client().await?;
        let rows = client
            .query(
                &format!(
                    "SELECT {AUDIT_COLUMNS} FROM audit_events WHERE seq > $1 ORDER BY seq LIMIT $2"
                ),
                &[&after_seq, &limit],
            )
            .await
            .map_err(unavailable)?;
        Ok(rows.iter().map(read_audit_record).collect())
    }

    async fn audit_trail(
        &self,
        about: AuditSubject,
        limit: i64,
    ) -> Result<Vec<AuditRecord>, StorageError> {
        let (column, value) = match about {
            AuditSubject::Case(case_id) => ("case_id", case_id),
            AuditSubject::Actor(actor) => ("actor", actor),
        };
        let client = self.client().await?;
        let rows = client
            .query(
                &format!(
                    "SELECT {AUDIT_COLUMNS} FROM audit_events WHERE {column} = $1
                     ORDER BY seq DESC LIMIT $2"
                ),
                &[&value, &limit],
            )
            .await
            .map_err(unavailable)?;
        Ok(rows.iter().map(read_audit_record).collect())
    }

    async fn record_device_audit(
        &self,
        device_id: &str,
        events: Vec<(i64, AuditEvent)>,
    ) -> Result<i64, StorageError> {
        let mut client = self.client().await?;
        let transaction = client.transaction().await.map_err(unavailable)?;
        let mut recorded: i64 = transaction
            .query_opt(
                "SELECT audit_seq FROM devices WHERE id = $1 FOR UPDATE",
                &[&device_id],
            )
            .await
            .map_err(unavailable)?
            .ok_or_else(|| StorageError::NoSuchDevice(device_id.to_owned()))?
            .get(0);
        for (seq, event) in events {
            if seq > recorded {
                append_audit(&transaction, event).await?;
                recorded = seq;
            }
        }
        transaction
            .execute(
                "UPDATE devices SET audit_seq = $2 WHERE id = $1",
                &[&device_id, &recorded],
            )
            .await
            .map_err(unavailable)?;
        transaction.commit().await.map_err(unavailable)?;
        Ok(recorded)
    }

    async fn audit_tip(&self) -> Result<(i64, String), StorageError> {
        let client = self.client().await?;
        let row = client
            .query_one("SELECT seq, hash FROM audit_head", &[])
            .await
            .map_err(unavailable)?;
        Ok((row.get(0), row.get(1)))
    }

    async fn case_record(&self, case_id: &str) -> Result<Option<CaseRecord>, StorageError> {
        let client = self.client().await?;
        let statement = client
            .prepare_cached(&format!("{CASE_COLUMNS} WHERE id = $1"))
            .await
            .map_err(unavailable)?;
        let row = client
            .query_opt(&statement, &[&case_id])
            .await
            .map_err(unavailable)?;
        Ok(row.as_ref().map(case_from_row))
    }

    async fn case_chunks(
        &self,
        case_id: &str,
        after_cursor: i64,
        skip_device: Option<&str>,
    ) -> Result<Vec<CaseChunk>, StorageError> {
        let client = self.client().await?;
        // Prepared once per pooled connection: a sync answer reads hundreds
        // of cases, and preparing each time doubles the round trips.
        let statement = client
            .prepare_cached(
                "SELECT cursor, bytes FROM case_chunks
                 WHERE case_id = $1 AND cursor > $2
                   AND ($3::TEXT IS NULL OR device_id IS DISTINCT FROM $3::TEXT)
                 ORDER BY cursor",
            )
            .await
            .map_err(unavailable)?;
        let rows = client
            .query(&statement, &[&case_id, &after_cursor, &skip_device])
            .await
            .map_err(unavailable)?;
        Ok(rows
            .iter()
            .map(|row| CaseChunk {
                cursor: row.get(0),
                bytes: row.get(1),
            })
            .collect())
    }

    async fn many_case_chunks(
        &self,
        case_ids: &[String],
        after_cursor: i64,
        skip_device: Option<&str>,
    ) -> Result<Vec<Vec<CaseChunk>>, StorageError> {
        let client = self.client().await?;
        let statement = client
            .prepare_cached(
                "SELECT case_id, cursor, bytes FROM case_chunks
                 WHERE case_id = ANY($1) AND cursor > $2
                   AND ($3::TEXT IS NULL OR device_id IS DISTINCT FROM $3::TEXT)
                 ORDER BY case_id, cursor",
            )
            .await
            .map_err(unavailable)?;
        let rows = client
            .query(&statement, &[&case_ids, &after_cursor, &skip_device])
            .await
            .map_err(unavailable)?;
        let mut by_case: std::collections::HashMap<String, Vec<CaseChunk>> =
            std::collections::HashMap::with_capacity(case_ids.len());
        for row in &rows {
            by_case.entry(row.get(0)).or_default().push(CaseChunk {
                cursor: row.get(1),
                bytes: row.get(2),
            });
        }
        Ok(case_ids
            .iter()
            .map(|case_id| by_case.remove(case_id).unwrap_or_default())
            .collect())
    }

    async fn write_case(&self, write: CaseWrite) -> Result<CaseWriteOutcome, StorageError> {
        let mut client = self.client().await?;
        let transaction = client.transaction().await.map_err(unavailable)?;
        let outcome = write_case_in(&transaction, write).await?;
        if matches!(outcome, CaseWriteOutcome::Stored { .. }) {
            transaction.commit().await.map_err(unavailable)?;
        }
        Ok(outcome)
    }

    async fn seed_cases(&self, writes: Vec<CaseWrite>) -> Result<usize, StorageError> {
        let mut client = self.client().await?;
        let transaction = client.transaction().await.map_err(unavailable)?;
        let mut stored = 0;
        for write in writes {
            if matches!(
                write_case_in(&transaction, write).await?,
                CaseWriteOutcome::Stored { .. }
            ) {
                stored += 1;
            }
        }
        transaction.commit().await.map_err(unavailable)?;
        Ok(stored)
    }

    async fn attachment_size(&self, sha256: &str) -> Result<Option<i64>, StorageError> {
        let client = self.client().await?;
        let row = client
            .query_opt("SELECT size FROM attachments WHERE sha256 = $1", &[&sha256])
            .await
            .map_err(unavailable)?;
        Ok(row.map(|row| row.get(0)))
    }

    async fn attachment_linked(&self, sha256: &str, case_id: &str) -> Result<bool, StorageError> {
        let client = self.client().await?;
        let row = client
            .query_opt(
                "SELECT 1 FROM attachment_cases WHERE sha256 = $1 AND case_id = $2",
                &[&sha256, &case_id],
            )
            .await
            .map_err(unavailable)?;
        Ok(row.is_some())
    }

    async fn upload_state(
        &self,
        sha256: &str,
        case_id: &str,
    ) -> Result<Option<AttachmentState>, StorageError> {
        let client = self.client().await?;
        let row = client
            .query_opt(
                "SELECT size, received FROM attachment_uploads WHERE sha256 = $1 AND case_id = $2",
                &[&sha256, &case_id],
            )
            .await
            .map_err(unavailable)?;
        Ok(row.map(|row| AttachmentState {
            size: row.get(0),
            received: row.get(1),
            complete: false,
        }))
    }

    async fn append_upload_chunk(
        &self,
        sha256: &str,
        case_id: &str,
        size: i64,
        offset: i64,
        bytes: Vec<u8>,
    ) -> Result<AttachmentState, StorageError> {
        let mut client = self.client().await?;
        let transaction = client.transaction().await.map_err(unavailable)?;
        let now = now_millis();
        transaction
            .execute(
                "DELETE FROM attachment_uploads WHERE started_at < $1",
                &[&(now - ABANDONED_UPLOAD_MILLIS)],
            )
            .await
            .map_err(unavailable)?;
        transaction
            .execute(
                "INSERT INTO attachment_uploads (sha256, case_id, size, received, started_at)
                 VALUES ($1, $2, $3, 0, $4) ON CONFLICT (sha256, case_id) DO NOTHING",
                &[&sha256, &case_id, &size, &now],
            )
            .await
            .map_err(unavailable)?;
        // The row lock makes concurrent pieces of one upload take turns.
        let Some(row) = transaction
            .query_opt(
                "SELECT size, received FROM attachment_uploads
                 WHERE sha256 = $1 AND case_id = $2 FOR UPDATE",
                &[&sha256, &case_id],
            )
            .await
            .map_err(unavailable)?
        else {
            // A concurrent request finished this upload a moment ago.
            return Ok(AttachmentState {
                size,
                received: size,
                complete: true,
            });
        };
        let state = AttachmentState {
            size: row.get(0),
            received: row.get(1),
            complete: false,
        };
        if state.received != offset || state.size != size {
            transaction.commit().await.map_err(unavailable)?;
            return Ok(state);
        }
        let length = i64::try_from(bytes.len()).unwrap_or(i64::MAX);
        transaction
            .execute(
                "INSERT INTO attachment_upload_chunks (sha256, case_id, offset_bytes, bytes)
                 VALUES ($1, $2, $3, $4)",
                &[&sha256, &case_id, &offset, &bytes],
            )
            .await
            .map_err(unavailable)?;
        transaction
            .execute(
                "UPDATE attachment_uploads SET received = received + $3
                 WHERE sha256 = $1 AND case_id = $2",
                &[&sha256, &case_id, &length],
            )
            .await
            .map_err(unavailable)?;
        transaction.commit().await.map_err(unavailable)?;
        Ok(AttachmentState {
            received: state.received + length,
            ..state
        })
    }

    async fn upload_bytes(&self, sha256: &str, case_id: &str) -> Result<Vec<u8>, StorageError> {
        let client = self.client().await?;
        let rows = client
            .query(
                "SELECT bytes FROM attachment_upload_chunks WHERE sha256 = $1 AND case_id = $2
                 ORDER BY offset_bytes",
                &[&sha256, &case_id],
            )
            .await
            .map_err(unavailable)?;
        Ok(rows
            .iter()
            .flat_map(|row| row.get::<_, Vec<u8>>(0))
            .collect())
    }

    async fn finish_upload(
        &self,
        sha256: &str,
        case_id: &str,
        audit: AuditEvent,
    ) -> Result<(), StorageError> {
        let mut client = self.client().await?;
        let transaction = client.transaction().await.map_err(unavailable)?;
        let stored = transaction
            .execute(
                "INSERT INTO attachments (sha256, size, created_at)
                 SELECT sha256, size, $3 FROM attachment_uploads WHERE sha256 = $1 AND case_id = $2
                 ON CONFLICT (sha256) DO NOTHING",
                &[&sha256, &case_id, &now_rfc3339()],
            )
            .await
            .map_err(unavailable)?;
        if stored > 0 {
            transaction
                .execute(
                    "INSERT INTO attachment_chunks (sha256, offset_bytes, bytes)
                     SELECT sha256, offset_bytes, bytes FROM attachment_upload_chunks
                     WHERE sha256 = $1 AND case_id = $2",
                    &[&sha256, &case_id],
                )
                .await
                .map_err(unavailable)?;
        }
        transaction
            .execute(
                "INSERT INTO attachment_cases (sha256, case_id, linked_at) VALUES ($1, $2, $3)
                 ON CONFLICT (sha256, case_id) DO NOTHING",
                &[&sha256, &case_id, &now_rfc3339()],
            )
            .await
            .map_err(unavailable)?;
        transaction
            .execute(
                "DELETE FROM attachment_uploads WHERE sha256 = $1 AND case_id = $2",
                &[&sha256, &case_id],
            )
            .await
            .map_err(unavailable)?;
        append_audit(&transaction, audit).await?;
        transaction.commit().await.map_err(unavailable)
    }

    async fn discard_upload(&self, sha256: &str, case_id: &str) -> Result<(), StorageError> {
        let client = self.client().await?;
        client
            .execute(
                "DELETE FROM attachment_uploads WHERE sha256 = $1 AND case_id = $2",
                &[&sha256, &case_id],
            )
            .await
            .map_err(unavailable)?;
        Ok(())
    }

    async fn attachment_bytes(&self, sha256: &str) -> Result<Vec<u8>, StorageError> {
        let client = self.client().await?;
        let rows = client
            .query(
                "SELECT bytes FROM attachment_chunks WHERE sha256 = $1 ORDER BY offset_bytes",
                &[&sha256],
            )
            .await
            .map_err(unavailable)?;
        Ok(rows
            .iter()
            .flat_map(|row| row.get::<_, Vec<u8>>(0))
            .collect())
    }

    async fn attachment_cases(&self, sha256: &str) -> Result<Vec<CaseAccessFacts>, StorageError> {
        let client = self.client().await?;
        let rows = client
            .query(
                "SELECT c.case_type, c.team, c.assigned_to FROM attachment_cases a
                 JOIN cases c ON c.id = a.case_id WHERE a.sha256 = $1",
                &[&sha256],
            )
            .await
            .map_err(unavailable)?;
        Ok(rows
            .iter()
            .map(|row| CaseAccessFacts {
                case_type: row.get(0),
                team: row.get(1),
                assigned_to: row.get(2),
            })
            .collect())
    }

    async fn raise_lone_worker_alerts(
        &self,
        now: &str,
        channels: &[&'static str],
    ) -> Result<Vec<LoneWorkerAlert>, StorageError> {
        let mut client = self.client().await?;
        let transaction = client.transaction().await.map_err(unavailable)?;
        let rows = transaction
            .query(
                &format!(
                    "INSERT INTO lone_worker_alerts (case_id, team, worker, expected_end, raised_at)
                     SELECT id, team, open_visit_worker, open_visit_expected_end, $1 FROM cases
                     WHERE open_visit_expected_end IS NOT NULL AND open_visit_expected_end < $1
                       AND open_visit_worker IS NOT NULL
                     ON CONFLICT (case_id, expected_end) DO NOTHING
                     RETURNING {ALERT_FIELDS}"
                ),
                &[&now],
            )
            .await
            .map_err(unavailable)?;
        let raised: Vec<LoneWorkerAlert> = rows.iter().map(read_alert).collect();
        for alert in &raised {
            for channel in channels {
                transaction
                    .execute(
                        "INSERT INTO alert_deliveries (alert_id, channel, next_attempt_at)
                         VALUES ($1, $2, $3)",
                        &[&alert.id, channel, &now_millis()],
                    )
                    .await
                    .map_err(unavailable)?;
            }
        }
        transaction.commit().await.map_err(unavailable)?;
        Ok(raised)
    }

    async fn resolve_lone_worker_alerts(
        &self,
        now: &str,
    ) -> Result<Vec<LoneWorkerAlert>, StorageError> {
        let client = self.client().await?;
        let rows = client
            .query(
                &format!(
                    "UPDATE lone_worker_alerts SET resolved_at = $1
                     WHERE resolved_at IS NULL AND NOT EXISTS (
                         SELECT 1 FROM cases c WHERE c.id = lone_worker_alerts.case_id
                           AND c.open_visit_expected_end = lone_worker_alerts.expected_end)
                     RETURNING {ALERT_FIELDS}"
                ),
                &[&now],
            )
            .await
            .map_err(unavailable)?;
        Ok(rows.iter().map(read_alert).collect())
    }

    async fn due_alert_deliveries(
        &self,
        now_millis: i64,
    ) -> Result<Vec<DueDelivery>, StorageError> {
        let client = self.client().await?;
        let rows = client
            .query(
                &format!(
                    "SELECT {ALERT_COLUMNS}, d.channel, d.attempts
                     FROM alert_deliveries d JOIN lone_worker_alerts a ON a.id = d.alert_id
                     WHERE d.delivered_at IS NULL AND a.resolved_at IS NULL
                       AND d.next_attempt_at <= $1
                     ORDER BY a.id, d.channel"
                ),
                &[&now_millis],
            )
            .await
            .map_err(unavailable)?;
        Ok(rows
            .iter()
            .map(|row| DueDelivery {
                alert: read_alert(row),
                channel: row.get(7),
                attempts: row.get(8),
            })
            .collect())
    }

    async fn record_alert_delivery(
        &self,
        alert_id: i64,
        channel: &str,
        outcome: DeliveryOutcome,
    ) -> Result<(), StorageError> {
        let client = self.client().await?;
        let changed =
            match outcome {
                DeliveryOutcome::Delivered => client
                    .execute(
                        "UPDATE alert_deliveries SET attempts = attempts + 1, delivered_at = $3,
                             last_error = NULL
                         WHERE alert_id = $1 AND channel = $2",
                        &[&alert_id, &channel, &now_rfc3339()],
                    )
                    .await,
                DeliveryOutcome::Failed { error, retry_at } => {
                    client
                        .execute(
                            // Giving up: due never again.
                            "UPDATE alert_deliveries SET attempts = attempts + 1, last_error = $3,
                             next_attempt_at = coalesce($4, 9223372036854775807)
                         WHERE alert_id = $1 AND channel = $2",
                            &[&alert_id, &channel, &error, &retry_at],
                        )
                        .await
                }
            };
        changed.map(|_| ()).map_err(unavailable)
    }

    async fn lone_worker_alerts(
        &self,
        open_only: bool,
    ) -> Result<Vec<LoneWorkerAlert>, StorageError> {
        let client = self.client().await?;
        let rows = client
            .query(
                &format!(
                    "SELECT {ALERT_COLUMNS} FROM lone_worker_alerts a
                     WHERE NOT $1 OR a.resolved_at IS NULL ORDER BY a.id DESC"
                ),
                &[&open_only],
            )
            .await
            .map_err(unavailable)?;
        Ok(rows.iter().map(read_alert).collect())
    }

    async fn recent_lone_worker_alerts(
        &self,
        resolved_after: &str,
    ) -> Result<Vec<LoneWorkerAlert>, StorageError> {
        let client = self.client().await?;
        let rows = client
            .query(
                &format!(
                    "SELECT {ALERT_COLUMNS} FROM lone_worker_alerts a
                     WHERE a.resolved_at IS NULL OR a.resolved_at > $1 ORDER BY a.id DESC"
                ),
                &[&resolved_after],
            )
            .await
            .map_err(unavailable)?;
        Ok(rows.iter().map(read_alert).collect())
    }

    async fn alert_deliveries(
        &self,
        alert_ids: Vec<i64>,
    ) -> Result<Vec<AlertDeliveryState>, StorageError> {
        let client = self.client().await?;
        let rows = client
            .query(
                "SELECT alert_id, channel, attempts, delivered_at, last_error
                 FROM alert_deliveries WHERE alert_id = ANY($1) ORDER BY alert_id DESC, channel",
                &[&alert_ids],
            )
            .await
            .map_err(unavailable)?;
        Ok(rows
            .iter()
            .map(|row| AlertDeliveryState {
                alert_id: row.get(0),
                channel: row.get(1),
                attempts: row.get(2),
                delivered_at: row.get(3),
                last_error: row.get(4),
            })
            .collect())
    }

    async fn user_access_changes(
        &self,
        user: &str,
        after: i64,
        up_to: i64,
    ) -> Result<Vec<PastAccess>, StorageError> {
        let client = self.client().await?;
        let rows = client
            .query(
                "SELECT role, team_key FROM user_access_changes
                 WHERE user_key = $1 AND cursor > $2 AND cursor <= $3 ORDER BY cursor",
                &[&name_key(user), &after, &up_to],
            )
            .await
            .map_err(unavailable)?;
        Ok(rows
            .iter()
            .map(|row| PastAccess {
                role: Role::parse(row.get(0)).unwrap_or(Role::Caseworker),
                team_key: row.get(1),
            })
            .collect())
    }

    async fn feed_position(&self) -> Result<i64, StorageError> {
        let client = self.client().await?;
        let row = client
            .query_one("SELECT value FROM case_cursor WHERE only_row = 1", &[])
            .await
            .map_err(unavailable)?;
        Ok(row.get(0))
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
        let client = self.client().await?;
        let (assignee_key, team_key) = scope_keys(scope);
        let sql = format!(
            "SELECT DISTINCT case_id FROM case_access_changes
             WHERE cursor > $1 AND cursor <= $4 AND {}",
            scope_condition(scope, "$2::TEXT", "$3::TEXT")
        );
        let rows = client
            .query(&sql, &[&after, &assignee_key, &team_key, &up_to])
            .await
            .map_err(unavailable)?;
        Ok(rows.iter().map(|row| row.get(0)).collect())
    }

    async fn count_cases_changed(
        &self,
        scope: &CaseScope,
        since: i64,
    ) -> Result<i64, StorageError> {
        if scope.is_empty() {
            return Ok(0);
        }
        let client = self.client().await?;
        let (assignee_key, team_key) = scope_keys(scope);
        let sql = format!(
            "SELECT count(*) FROM cases WHERE cursor > $1 AND {}",
            scope_condition(scope, "$2::TEXT", "$3::TEXT")
        );
        let row = client
            .query_one(&sql, &[&since, &assignee_key, &team_key])
            .await
            .map_err(unavailable)?;
        Ok(row.get(0))
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
        let client = self.client().await?;
        let (assignee_key, team_key) = scope_keys(scope);
        let sql = format!(
            "{CASE_COLUMNS} WHERE cursor > $1 AND {} ORDER BY cursor LIMIT $4",
            scope_condition(scope, "$2::TEXT", "$3::TEXT")
        );
        let rows = client
            .query(&sql, &[&since, &assignee_key, &team_key, &limit])
            .await
            .map_err(unavailable)?;
        Ok(rows.iter().map(case_from_row).collect())
    }
}

/// One case write inside the caller's transaction (see [`Storage::write_case`]).
async fn write_case_in(
    transaction: &Transaction<'_>,
    write: CaseWrite,
) -> Result<CaseWriteOutcome, StorageError> {
    let current: Option<i64> = transaction
        .query_opt(
            "SELECT version FROM cases WHERE id = $1 FOR UPDATE",
            &[&write.case_id],
        )
        .await
        .map_err(unavailable)?
        .map(|row| row.get(0));
    if current != write.expected_version {
        return Ok(CaseWriteOutcome::VersionConflict);
    }
    // Taking the cursor row's lock last keeps the time writes wait on each
    // other short, and makes them commit in cursor order.
    let cursor: i64 = transaction
        .query_one(
            "UPDATE case_cursor SET value = value + 1 RETURNING value",
            &[],
        )
        .await
        .map_err(unavailable)?
        .get(0);
    let now = now_rfc3339();
    let shared = write.facts.shared_with_team();
    if current.is_none() {
        let inserted = transaction
            .execute(
                "INSERT INTO cases (id, case_type, status, summary, team, assigned_to,
                     shared_with_team, heads, version, cursor, chunk_count, stored_bytes,
                     created_at, updated_at, team_key, assignee_key)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 1, $9, 0, 0, $10, $10, $11, $12)",
                &[
                    &write.case_id,
                    &write.facts.case_type,
                    &write.status,
                    &write.summary,
                    &write.facts.team,
                    &write.facts.assigned_to,
                    &shared,
                    &write.heads,
                    &cursor,
                    &now,
                    &write.facts.team_key(),
                    &write.facts.assignee_key(),
                ],
            )
            .await;
        match inserted {
            Ok(_) => {}
            // Another node created the same case a moment ago.
            Err(error) if is_unique_violation(&error) => {
                return Ok(CaseWriteOutcome::VersionConflict);
            }
            Err(error) => return Err(unavailable(error)),
        }
    } else {
        transaction
            .execute(
                "INSERT INTO case_access_changes (cursor, case_id, team_key, assignee_key, shared_with_team)
                 SELECT $2, id, team_key, assignee_key, shared_with_team FROM cases
                 WHERE id = $1 AND (team_key IS DISTINCT FROM $3 OR assignee_key IS DISTINCT FROM $4
                     OR shared_with_team IS DISTINCT FROM $5)",
                &[
                    &write.case_id,
                    &cursor,
                    &write.facts.team_key(),
                    &write.facts.assignee_key(),
                    &shared,
                ],
            )
            .await
            .map_err(unavailable)?;
        transaction
            .execute(
                "UPDATE cases SET case_type = $2, status = $3, summary = $4, team = $5,
                     assigned_to = $6, shared_with_team = $7, heads = $8,
                     version = version + 1, cursor = $9, updated_at = $10,
                     team_key = $11, assignee_key = $12
                 WHERE id = $1",
                &[
                    &write.case_id,
                    &write.facts.case_type,
                    &write.status,
                    &write.summary,
                    &write.facts.team,
                    &write.facts.assigned_to,
                    &shared,
                    &write.heads,
                    &cursor,
                    &now,
                    &write.facts.team_key(),
                    &write.facts.assignee_key(),
                ],
            )
            .await
            .map_err(unavailable)?;
    }
    if write.compacts {
        transaction
            .execute(
                "DELETE FROM case_chunks WHERE case_id = $1",
                &[&write.case_id],
            )
            .await
            .map_err(unavailable)?;
    }
    transaction
        .execute(
            "INSERT INTO case_chunks (case_id, cursor, device_id, bytes) VALUES ($1, $2, $3, $4)",
            &[&write.case_id, &cursor, &write.device_id, &write.chunk],
        )
        .await
        .map_err(unavailable)?;
    let chunk_len = i64::try_from(write.chunk.len()).unwrap_or(i64::MAX);
    transaction
        .execute(
            "UPDATE cases SET
                 chunk_count = (SELECT count(*) FROM case_chunks WHERE case_id = $1),
                 stored_bytes = CASE WHEN $2 THEN $3 ELSE stored_bytes + $3 END,
                 open_visit_expected_end = $4, open_visit_worker = $5
             WHERE id = $1",
            &[
                &write.case_id,
                &write.compacts,
                &chunk_len,
                &write
                    .open_visit
                    .as_ref()
                    .map(|visit| visit.expected_end.as_str()),
                &write.open_visit.as_ref().map(|visit| visit.worker.as_str()),
            ],
        )
        .await
        .map_err(unavailable)?;
    append_audit(transaction, write.audit).await?;
    Ok(CaseWriteOutcome::Stored { cursor })
}

async fn store_tokens(
    transaction: &Transaction<'_>,
    device_id: &str,
    tokens: &TokenDigests,
) -> Result<(), StorageError> {
    transaction
        .execute(
            "INSERT INTO access_tokens (digest, device_id, session_id, expires_at) VALUES ($1, $2, $3, $4)",
            &[&tokens.access, &device_id, &tokens.session, &tokens.access_expires_at],
        )
        .await
        .map_err(unavailable)?;
    transaction
        .execute(
            "INSERT INTO refresh_tokens (digest, device_id, session_id, expires_at) VALUES ($1, $2, $3, $4)",
            &[&tokens.refresh, &device_id, &tokens.session, &tokens.refresh_expires_at],
        )
        .await
        .map_err(unavailable)?;
    transaction
        .execute(
            "DELETE FROM access_tokens WHERE device_id = $1 AND expires_at < $2",
            &[&device_id, &now_millis()],
        )
        .await
        .map_err(unavailable)?;
    Ok(())
}

async fn spend_refresh_tokens(
    transaction: &Transaction<'_>,
    device_id: &str,
) -> Result<(), StorageError> {
    transaction
        .execute(
            "UPDATE refresh_tokens SET used_at = coalesce(used_at, $2) WHERE device_id = $1",
            &[&device_id, &now_millis()],
        )
        .await
        .map_err(unavailable)?;
    Ok(())
}

fn read_alert(row: &tokio_postgres::Row) -> LoneWorkerAlert {
    LoneWorkerAlert {
        id: row.get(0),
        case_id: row.get(1),
        team: row.get(2),
        worker: row.get(3),
        expected_end: row.get(4),
        raised_at: row.get(5),
        resolved_at: row.get(6),
    }
}

/// Chains `event` onto the log inside the caller's transaction. Locking the
/// tip row serialises appends across every server node.
fn read_audit_record(row: &tokio_postgres::Row) -> AuditRecord {
    AuditRecord {
        seq: row.get(0),
        server_time: row.get(1),
        device_time: row.get(2),
        actor: row.get(3),
        device_id: row.get(4),
        action: row.get(5),
        case_id: row.get(6),
        detail: row.get(7),
        prev_hash: row.get(8),
        hash: row.get(9),
    }
}

async fn append_audit(
    transaction: &Transaction<'_>,
    event: AuditEvent,
) -> Result<(), StorageError> {
    let tip = transaction
        .query_one("SELECT seq, hash FROM audit_head FOR UPDATE", &[])
        .await
        .map_err(unavailable)?;
    let seq: i64 = tip.get(0);
    let hash: String = tip.get(1);
    let record = event.chained(seq + 1, now_rfc3339(), &hash);
    transaction
        .execute(
            "INSERT INTO audit_events (seq, server_time, device_time, actor, device_id, action,
                 case_id, detail, prev_hash, hash)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
            &[
                &record.seq,
                &record.server_time,
                &record.device_time,
                &record.actor,
                &record.device_id,
                &record.action,
                &record.case_id,
                &record.detail,
                &record.prev_hash,
                &record.hash,
            ],
        )
        .await
        .map_err(unavailable)?;
    transaction
        .execute(
            "UPDATE audit_head SET seq = $1, hash = $2",
            &[&record.seq, &record.hash],
        )
        .await
        .map_err(unavailable)?;
    Ok(())
}

async fn read_device(
    transaction: &Transaction<'_>,
    id: &str,
) -> Result<Option<Device>, StorageError> {
    let row = transaction
        .query_opt(&format!("{DEVICE_COLUMNS} WHERE d.id = $1"), &[&id])
        .await
        .map_err(unavailable)?;
    Ok(row.as_ref().map(device_from_row))
}

fn device_from_row(row: &tokio_postgres::Row) -> Device {
    Device {
        id: row.get(0),
        user: row.get(1),
        hostname: row.get(2),
        os: row.get(3),
        app_version: row.get(4),
        registered_at: row.get(5),
        last_seen_at: row.get(6),
        last_sync_at: row.get(7),
        revoked_at: row.get(8),
        synced_cursor: row.get(9),
    }
}

fn case_from_row(row: &tokio_postgres::Row) -> CaseRecord {
    CaseRecord {
        case_id: row.get(0),
        facts: CaseAccessFacts {
            case_type: row.get(1),
            team: row.get(2),
            assigned_to: row.get(3),
        },
        status: row.get(4),
        summary: row.get(5),
        heads: row.get(6),
        version: row.get(7),
        cursor: row.get(8),
        chunk_count: row.get(9),
        updated_at: row.get(10),
    }
}
