//! Server storage: one trait, with embedded SQLite as the default backend.

use std::future::Future;

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
        "Migration {name} failed: {source}. The database is unchanged; report this to Doorstep support."
    )]
    Migration {
        name: &'static str,
        source: rusqlite::Error,
    },
    #[error("The database did not answer: {0}")]
    Unavailable(String),
}

/// What the HTTP layer needs from a storage backend.
pub trait Storage: Send + Sync + 'static {
    /// `sqlite` or `postgres`, for health reports and logs.
    fn backend(&self) -> &'static str;

    /// Answers only when the database can serve a query right now.
    fn check_ready(&self) -> impl Future<Output = Result<(), StorageError>> + Send;
}
