//! The Doorstep API: the single surface the desktop app, the `doorstep` CLI
//! and the end-to-end tests call. Callers are thin; behaviour lives here.

pub mod api;
pub mod background;
pub mod desktop;
pub mod device;
pub mod error;
pub mod review;
pub mod settings;
pub mod sync;
pub mod team;
pub mod unlock;

pub use device::Device;
pub use error::ClientError;
pub use settings::DeviceSettings;

/// The domain and store types that callers of the API see.
pub mod types {
    pub use doorstep_core::case::SectionKind;
    pub use doorstep_core::case::{
        AttachmentMeta, CaseProjection, CaseStatus, CaseView, FieldConflict, FieldEntry,
        FieldValue, ItemView, NoteView, ReviewDecision, ReviewView,
    };
    pub use doorstep_store::{AuditRecord, AuditReport, CaseFilter, CaseSort, OutboxEntry};
}
