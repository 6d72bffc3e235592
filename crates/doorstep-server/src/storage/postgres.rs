//! PostgreSQL: for councils that run several stateless server nodes on one
//! database (with the database replicated for high availability).

use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod};
use tokio_postgres::NoTls;
use tokio_postgres::error::SqlState;

use super::{
    Credentials, MigrationStep, NewUser, Storage, StorageError, Team, USER_COLUMNS, User,
    check_name, now_rfc3339, pending_migrations,
};

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
];

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
                "INSERT INTO teams (name, created_at) VALUES ($1, $2) RETURNING id",
                &[&name, &now_rfc3339()],
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
                        "SELECT id FROM teams WHERE lower(name) = lower($1)",
                        &[team],
                    )
                    .await
                    .map_err(unavailable)?
                    .ok_or_else(|| StorageError::no_such_team(team))?
                    .get(0),
            ),
        };
        let inserted = transaction
            .query_one(
                "INSERT INTO users (name, role, team_id, password_digest, created_at)
                 VALUES ($1, $2, $3, $4, $5) RETURNING id",
                &[
                    &name,
                    &user.role.as_str(),
                    &team_id,
                    &user.digest.as_stored(),
                    &now_rfc3339(),
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
                &format!("{USER_COLUMNS} WHERE lower(u.name) = lower($1)"),
                &[&name.trim()],
            )
            .await
            .map_err(unavailable)?;
        Ok(row.as_ref().map(read_user))
    }

    async fn set_user_disabled(&self, name: &str, disabled: bool) -> Result<User, StorageError> {
        let client = self.client().await?;
        let changed = client
            .execute(
                "UPDATE users SET disabled = $2 WHERE lower(name) = lower($1)",
                &[&name.trim(), &disabled],
            )
            .await
            .map_err(unavailable)?;
        if changed == 0 {
            return Err(StorageError::no_such_user(name.trim()));
        }
        let row = client
            .query_one(
                &format!("{USER_COLUMNS} WHERE lower(u.name) = lower($1)"),
                &[&name.trim()],
            )
            .await
            .map_err(unavailable)?;
        Ok(read_user(&row).user)
    }
}
