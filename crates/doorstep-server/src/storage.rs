//! Server storage: one trait, two backends. Embedded SQLite is the default;
//! PostgreSQL serves councils that run several server nodes. The backend is
//! chosen once, at start-up, from `--database-url`.

use std::future::Future;

use serde::Serialize;

use crate::accounts::{PasswordDigest, Role};

pub mod postgres;
pub mod sqlite;

#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    #[error(
        "Could not create the data folder {path}: {source}. Check that the folder's parent exists and that the server's user may write to it."
    )]
    CreateDataDir {
        path: std::path::PathBuf,
        source: std::io::Error,
    },
    #[error(
        "Could not open the database at {path}: {source}. Check the file's permissions, and that no other program holds it."
    )]
    Open {
        path: std::path::PathBuf,
        source: rusqlite::Error,
    },
    #[error(
        "The database was written by a newer Doorstep server (schema {found}, this build knows up to {known}). Run the newer server, or restore a backup made for this version."
    )]
    SchemaTooNew { found: i64, known: i64 },
    #[error(
        "Migration {name} failed: {message}. The database is unchanged; report this to Doorstep support."
    )]
    Migration { name: &'static str, message: String },
    #[error(
        "Could not connect to PostgreSQL: {0}. Check --database-url (postgres://USER@HOST:PORT/DATABASE), that the server is running, and that this user may connect."
    )]
    Connect(String),
    #[error("{0} already exists. Choose another name.")]
    AlreadyExists(String),
    #[error(
        "\"{name}\" is not a usable {kind} name: use 1 to 100 characters, without control characters."
    )]
    InvalidName { kind: &'static str, name: String },
    #[error("{0}. Check the name with the admin `list` commands.")]
    NotFound(String),
    #[error("The database did not answer: {0}")]
    Unavailable(String),
}

/// A team of caseworkers and their leads.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Team {
    pub id: i64,
    pub name: String,
}

/// An account, without its password digest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct User {
    pub id: i64,
    pub name: String,
    pub role: Role,
    pub team: Option<String>,
    pub disabled: bool,
}

/// What sign-in needs: the account and its password digest.
#[derive(Debug, Clone)]
pub struct Credentials {
    pub user: User,
    pub digest: PasswordDigest,
}

impl Credentials {
    /// Builds an account from its stored columns; both backends read the same ones.
    pub fn from_columns(
        id: i64,
        name: String,
        role: &str,
        team: Option<String>,
        disabled: bool,
        digest: String,
    ) -> Self {
        Self {
            user: User {
                id,
                name,
                // The table's CHECK constraint admits only known roles.
                role: Role::parse(role).unwrap_or(Role::Caseworker),
                team,
                disabled,
            },
            digest: PasswordDigest::from_stored(digest),
        }
    }
}

/// The columns [`Credentials::from_columns`] reads, in order, for both backends.
pub const USER_COLUMNS: &str = "SELECT u.id, u.name, u.role, t.name, u.disabled, u.password_digest
     FROM users u LEFT JOIN teams t ON t.id = u.team_id";

#[derive(Debug, Clone)]
pub struct NewUser {
    pub name: String,
    pub role: Role,
    pub team: Option<String>,
    pub digest: PasswordDigest,
}

/// Names people type for teams and users: trimmed, 1–100 characters, no control characters.
pub fn check_name(kind: &'static str, name: &str) -> Result<String, StorageError> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 100 || name.chars().any(char::is_control) {
        return Err(StorageError::InvalidName {
            kind,
            name: name.to_owned(),
        });
    }
    Ok(name.to_owned())
}

/// The refusals both backends give, worded once.
impl StorageError {
    pub fn team_exists(name: &str) -> Self {
        StorageError::AlreadyExists(format!("A team called {name}"))
    }

    pub fn user_exists(name: &str) -> Self {
        StorageError::AlreadyExists(format!("A user called {name}"))
    }

    pub fn no_such_team(name: &str) -> Self {
        StorageError::NotFound(format!("There is no team called {name}"))
    }

    pub fn no_such_user(name: &str) -> Self {
        StorageError::NotFound(format!("There is no user called {name}"))
    }
}

/// What the server needs from a storage backend. Every method is one
/// transaction; implementations must keep no state outside the database, so
/// several server nodes can share one PostgreSQL database.
pub trait Storage: Send + Sync + 'static {
    /// `sqlite` or `postgres`, for health reports and logs.
    fn backend(&self) -> &'static str;

    /// Answers only when the database can serve a query right now.
    fn check_ready(&self) -> impl Future<Output = Result<(), StorageError>> + Send;

    fn add_team(&self, name: &str) -> impl Future<Output = Result<Team, StorageError>> + Send;

    fn teams(&self) -> impl Future<Output = Result<Vec<Team>, StorageError>> + Send;

    /// Fails with [`StorageError::AlreadyExists`] for a taken name (ignoring case)
    /// and [`StorageError::NotFound`] for an unknown team.
    fn add_user(&self, user: NewUser) -> impl Future<Output = Result<User, StorageError>> + Send;

    fn users(&self) -> impl Future<Output = Result<Vec<User>, StorageError>> + Send;

    /// The account named `name` (ignoring case), with its password digest.
    fn credentials(
        &self,
        name: &str,
    ) -> impl Future<Output = Result<Option<Credentials>, StorageError>> + Send;

    fn set_user_disabled(
        &self,
        name: &str,
        disabled: bool,
    ) -> impl Future<Output = Result<User, StorageError>> + Send;
}

/// A migration: its name and SQL, applied in list order; its version is its position from 1.
pub type MigrationStep = (&'static str, &'static str);

/// The migrations a database at version `applied` still needs, with their
/// versions. A database from a newer server is refused rather than touched.
pub fn pending_migrations(
    all: &'static [MigrationStep],
    applied: i64,
) -> Result<Vec<(i64, &'static str, &'static str)>, StorageError> {
    let known = i64::try_from(all.len()).unwrap_or(i64::MAX);
    if applied > known {
        return Err(StorageError::SchemaTooNew {
            found: applied,
            known,
        });
    }
    Ok(all
        .iter()
        .zip(1..)
        .filter(|(_, version)| *version > applied)
        .map(|((name, sql), version)| (version, *name, *sql))
        .collect())
}

/// The current time as the server records it.
pub fn now_rfc3339() -> String {
    let millis = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|elapsed| elapsed.as_millis() as i64)
        .unwrap_or_default();
    doorstep_core::dates::Timestamp(millis).to_rfc3339()
}
