//! The device's half of Doorstep sync (protocol in `docs/sync-protocol.md`).
//!
//! - [`wire`]: one HTTP exchange with the server: gzip both ways, size
//!   limits, and the server's refusals turned into [`SyncError`]s.
//! - [`credentials`]: the session's tokens, kept in the OS keyring, and the
//!   refresh that rotates them (serialised across processes on one device).
//! - [`engine`]: a sync, as rounds of push and pull until nothing is left,
//!   each round recorded in one store transaction.
//! - [`schedule`]: when to sync in the background: on start, after edits,
//!   on reconnect and periodically, backing off with jitter after failures.
//!
//! Calls block (HTTP and SQLite); the desktop app runs them on their own
//! thread, so the window never waits on the network.

pub mod credentials;
pub mod engine;
pub mod error;
pub mod oversight;
pub mod schedule;
pub mod wire;

pub use credentials::Credentials;
pub use engine::{SyncOptions, SyncOutcome, SyncProgress, sync_now};
pub use error::SyncError;
pub use oversight::access_record;
pub use wire::{AccessSubject, ServerConnection};
