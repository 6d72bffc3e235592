#![allow(clippy::unwrap_used)] // test helpers may unwrap, like #[test] functions (clippy.toml)
//! Stories about one laptop's encrypted store, told with the real OS keyring
//! (Secret Service in a throwaway session: `scripts/with-keyring.sh`) and real
//! SQLCipher files. nextest runs every test in its own process, which also
//! keeps keyring-core's process-wide default store from being shared.

mod common;

mod at_rest;
mod attachments;
mod audit_chain;
mod edits;
mod keys;
mod migrations;
mod search;
mod working_set;
