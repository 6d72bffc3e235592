//! The case: its fields and workflow, and its automerge document.

pub mod document;
pub mod fields;
pub mod view;

pub use document::{CaseDocument, CaseError, Editor, NewCase, SCHEMA_VERSION, check_id};
pub use fields::{
    ATTACHMENT_NAME, CaseStatus, FieldError, FieldKind, FieldPath, FieldSpec, FieldValue,
    SectionKind,
};
pub use view::{
    AttachmentMeta, CaseProjection, CaseView, FieldConflict, FieldEntry, ItemView, NoteRevision,
    NoteView, OpenVisit, ReviewDecision, ReviewView,
};
