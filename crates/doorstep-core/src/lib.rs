//! Doorstep's domain: the rules a council's casework follows, with no I/O.
//!
//! Everything here is pure so that the desktop app, the CLI, the server and
//! the tests all apply exactly the same rules.

pub mod access;
pub mod branding;
pub mod case;
pub mod dates;
pub mod demo;
pub mod hlc;
pub mod identifiers;

/// The version of Doorstep this build belongs to; every crate shares it.
pub const DOORSTEP_VERSION: &str = env!("CARGO_PKG_VERSION");
