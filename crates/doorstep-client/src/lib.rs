//! The Doorstep API: the single surface the desktop app, the `doorstep` CLI
//! and the end-to-end tests call. Callers are thin; behaviour lives here.

pub mod api;
pub mod error;
pub mod settings;

pub use error::ClientError;
pub use settings::DeviceSettings;
