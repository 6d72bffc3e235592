//! One automerge document per case.
//!
//! Layout (schema version 3; see [`SCHEMA_VERSION`] for the history):
//! ```text
//! schema_version: 1
//! case_id, created_by, created_at
//! fields:      { <field>: { value, by, at } }          case fields
//! narrative:   Text                                   merges character by character
//! narrative_edited: { by, at }                        since schema 2
//! people | visits | tasks | consents | risks:
//!              { <id>: { added_by, added_at, fields: { <field>: { value, by, at } } } }
//! notes:       { <id>: { author, created_at, revisions: [ { text, by, at } ] } }
//! attachments: { <sha256>: { name, media_type, size, added_by, added_at } }
//! reviews:     { <id>: { decision, comment, by, at } }   since schema 3
//! ```
//! Every leaf field is a small map written whole, so when two devices set the
//! same field offline, automerge keeps both maps as a conflict and each still
//! says who wrote it and when. A later write by a person supersedes both.
//! All collections are created with the case, so no two devices ever create
//! the same container concurrently (which would hide one side's items). The
//! one exception is `reviews` on a case made before schema 3: the first
//! review creates it, and if two leads' devices both do so offline, readers
//! take the union of both containers, so no decision is hidden.

use std::collections::BTreeMap;

use automerge::transaction::{CommitOptions, Transactable};
use automerge::{
    ActorId, AutoCommit, ChangeHash, ObjId, ObjType, ROOT, ReadDoc, ScalarValue, Value, hydrate,
};

use super::fields::{ATTACHMENT_NAME, CaseStatus, FieldError, FieldPath, FieldValue, SectionKind};
use super::view::{
    AttachmentMeta, CaseProjection, CaseView, FieldConflict, FieldEntry, ItemView, NoteRevision,
    NoteView, ReviewDecision, ReviewView,
};
use crate::dates::Timestamp;

/// The layout this build writes.
///
/// - 1: the first layout.
/// - 2: adds `narrative_edited` (who last edited the narrative, and when).
/// - 3: adds `reviews` (team leads' decisions, with their comments).
///
/// An older document opens as it is: every reader copes with what older
/// layouts lack. Its first edit on this build upgrades it, inside that same
/// change, so a draft written offline under an older version is never lost.
pub const SCHEMA_VERSION: i64 = 3;

/// Notes are free text, but a note longer than this is almost certainly a paste by mistake.
pub const MAXIMUM_NOTE_CHARACTERS: usize = 20_000;
pub const MAXIMUM_NARRATIVE_CHARACTERS: usize = 200_000;

const ITEM_COLLECTIONS: [SectionKind; 5] = [
    SectionKind::Person,
    SectionKind::Visit,
    SectionKind::Task,
    SectionKind::Consent,
    SectionKind::Risk,
];

/// Who is making a change, and when by their device's clock.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Editor {
    pub user: String,
    pub at: Timestamp,
}

impl Editor {
    pub fn new(user: impl Into<String>, at: Timestamp) -> Self {
        Self {
            user: user.into(),
            at,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum CaseError {
    #[error(transparent)]
    Field(#[from] FieldError),
    #[error("A case cannot move from {} to {}. {}", .from.label(), .to.label(), transition_advice(*.from))]
    IllegalTransition { from: CaseStatus, to: CaseStatus },
    #[error("There is no {noun} with id {id} on this case")]
    NoSuchItem { noun: &'static str, id: String },
    #[error("{0} has no conflict to resolve; set it with `case set` instead")]
    NoConflict(FieldPath),
    #[error(
        "{0} is given by the council's server when the case first syncs and cannot be typed in"
    )]
    SetByServer(&'static str),
    #[error("\"{0}\" is not a usable id: use 1 to 40 letters, digits, - or _")]
    BadId(String),
    #[error("Enter the note's text")]
    EmptyNote,
    #[error(
        "The text is {length} characters long; the limit is {limit}. Split it into several notes or attach it as a document"
    )]
    TooLong { length: usize, limit: usize },
    #[error(
        "This case was saved by a newer version of Doorstep (schema {found}; this version reads up to {known}). Update Doorstep to open it; nothing has been changed"
    )]
    NewerSchema { found: i64, known: i64 },
    #[error("The data is not a Doorstep case document: {0}")]
    NotACase(String),
    #[error(
        "This case is {} and not waiting for review, so there is nothing to approve or return. Sync to see its latest state", .0.label().to_lowercase()
    )]
    NotAwaitingReview(CaseStatus),
    #[error("Enter comments saying what needs to change before you return the case")]
    CommentRequired,
    #[error("The case document could not be read or changed: {0}")]
    Automerge(#[from] automerge::AutomergeError),
}

fn transition_advice(from: CaseStatus) -> &'static str {
    match from {
        CaseStatus::Open => "Start work on it first (in_progress).",
        CaseStatus::InProgress => "Submit it for review first (awaiting_review).",
        CaseStatus::AwaitingReview => {
            "A reviewer can approve it (closed) or return it (in_progress)."
        }
        CaseStatus::Closed => "Reopen it first (open).",
    }
}

/// What is needed to open a new case.
#[derive(Debug, Clone)]
pub struct NewCase {
    pub id: String,
    pub case_type: String,
    pub summary: String,
}

#[derive(Debug)]
pub struct CaseDocument {
    doc: AutoCommit,
    id: String,
}

/// A case id as devices make them: 1–40 letters, digits, `-` or `_`.
pub fn check_id(id: &str) -> Result<(), CaseError> {
    let ok = !id.is_empty()
        && id.len() <= 40
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if ok {
        Ok(())
    } else {
        Err(CaseError::BadId(id.to_owned()))
    }
}

impl CaseDocument {
    /// Opens a new case: status open, created by `editor`, written by `actor` (this device).
    pub fn create(new: NewCase, editor: &Editor, actor: ActorId) -> Result<Self, CaseError> {
        check_id(&new.id)?;
        let case_type = field_value(&FieldPath::case("case_type"), &new.case_type)?;
        let summary = field_value(&FieldPath::case("summary"), &new.summary)?;
        let mut doc = AutoCommit::new().with_actor(actor);
        let result = (|| -> Result<(), CaseError> {
            doc.put(ROOT, "schema_version", SCHEMA_VERSION)?;
            doc.put(ROOT, "case_id", new.id.as_str())?;
            doc.put(ROOT, "created_by", editor.user.as_str())?;
            doc.put(ROOT, "created_at", editor.at.millis())?;
            let fields = doc.put_object(ROOT, "fields", ObjType::Map)?;
            write_entry(&mut doc, &fields, "case_type", &case_type, editor)?;
            write_entry(&mut doc, &fields, "summary", &summary, editor)?;
            let open = FieldValue::Text(CaseStatus::Open.as_str().to_owned());
            write_entry(&mut doc, &fields, "status", &open, editor)?;
            doc.put_object(ROOT, "narrative", ObjType::Text)?;
            for kind in ITEM_COLLECTIONS {
                if let Some(collection) = kind.collection() {
                    doc.put_object(ROOT, collection, ObjType::Map)?;
                }
            }
            doc.put_object(ROOT, "notes", ObjType::Map)?;
            doc.put_object(ROOT, "attachments", ObjType::Map)?;
            doc.put_object(ROOT, "reviews", ObjType::Map)?;
            Ok(())
        })();
        if let Err(error) = result {
            doc.rollback();
            return Err(error);
        }
        doc.commit_with(commit_options("Opened the case", editor));
        Ok(Self { doc, id: new.id })
    }

    /// Loads saved bytes (a full save, optionally followed by incremental saves).
    pub fn load(bytes: &[u8], actor: ActorId) -> Result<Self, CaseError> {
        let doc = AutoCommit::load(bytes)?.with_actor(actor);
        Self::from_automerge(doc)
    }

    fn from_automerge(doc: AutoCommit) -> Result<Self, CaseError> {
        let version = scalar(&doc, &ROOT, "schema_version")
            .and_then(|v| v.as_i64())
            .ok_or_else(|| CaseError::NotACase("it has no schema version".into()))?;
        if version > SCHEMA_VERSION {
            return Err(CaseError::NewerSchema {
                found: version,
                known: SCHEMA_VERSION,
            });
        }
        let id = text(&doc, &ROOT, "case_id")
            .ok_or_else(|| CaseError::NotACase("it has no case id".into()))?;
        for required in ["fields", "narrative", "notes", "attachments"] {
            if object(&doc, &ROOT, required).is_none() {
                return Err(CaseError::NotACase(format!("it has no {required}")));
            }
        }
        Ok(Self { doc, id })
    }

    pub fn id(&self) -> &str {
        &self.id
    }

    pub fn schema_version(&self) -> i64 {
        scalar(&self.doc, &ROOT, "schema_version")
            .and_then(|v| v.as_i64())
            .unwrap_or(SCHEMA_VERSION)
    }

    /// The whole document, compressed: what `case export --format automerge` writes.
    pub fn save(&mut self) -> Vec<u8> {
        self.doc.save()
    }

    /// Only the changes since the previous `save` or `save_incremental`.
    pub fn save_incremental(&mut self) -> Vec<u8> {
        self.doc.save_incremental()
    }

    /// Applies bytes from another replica's `save` or `save_incremental`.
    pub fn apply_bytes(&mut self, bytes: &[u8]) -> Result<(), CaseError> {
        self.doc.load_incremental(bytes)?;
        Ok(())
    }

    pub fn merge(&mut self, other: &mut CaseDocument) -> Result<(), CaseError> {
        self.doc.merge(&mut other.doc)?;
        Ok(())
    }

    /// The files this case refers to, as (address, size, media type):
    /// cheaper than [`CaseDocument::view`] when only the files are needed.
    pub fn attachment_files(&self) -> Vec<(String, u64, String)> {
        let Some(attachments) = object(&self.doc, &ROOT, "attachments") else {
            return Vec::new();
        };
        self.doc
            .keys(&attachments)
            .filter_map(|sha256| {
                let entry = object(&self.doc, &attachments, &sha256)?;
                let size = scalar(&self.doc, &entry, "size").and_then(|size| size.as_u64())?;
                let media_type = text(&self.doc, &entry, "media_type").unwrap_or_default();
                Some((sha256, size, media_type))
            })
            .collect()
    }

    pub fn heads(&mut self) -> Vec<ChangeHash> {
        self.doc.get_heads()
    }

    /// For the sync engine, which speaks automerge's own protocol.
    pub fn automerge_mut(&mut self) -> &mut AutoCommit {
        &mut self.doc
    }

    /// Runs one edit as one automerge change, or leaves the document untouched.
    fn edit<T>(
        &mut self,
        message: String,
        editor: &Editor,
        apply: impl FnOnce(&mut AutoCommit) -> Result<T, CaseError>,
    ) -> Result<T, CaseError> {
        let version = self.schema_version();
        let outcome = upgrade(&mut self.doc, version).and_then(|()| apply(&mut self.doc));
        match outcome {
            Ok(value) => {
                self.doc.commit_with(commit_options(&message, editor));
                Ok(value)
            }
            Err(error) => {
                self.doc.rollback();
                Err(error)
            }
        }
    }

    fn fields_object(&self, path: &FieldPath) -> Result<ObjId, CaseError> {
        let missing = || CaseError::NoSuchItem {
            noun: path.section().noun(),
            id: path.item_id().unwrap_or_default().to_owned(),
        };
        match (path.section().collection(), path.item_id()) {
            (None, _) => object(&self.doc, &ROOT, "fields")
                .ok_or_else(|| CaseError::NotACase("it has no fields".into())),
            (Some(collection), Some(id)) => {
                let items = object(&self.doc, &ROOT, collection).ok_or_else(missing)?;
                let item = object(&self.doc, &items, id).ok_or_else(missing)?;
                object(&self.doc, &item, "fields").ok_or_else(missing)
            }
            (Some(_), None) => Err(missing()),
        }
    }

    /// Sets one field from typed input, after validating it and the workflow.
    pub fn set_field(
        &mut self,
        path: &FieldPath,
        input: &str,
        editor: &Editor,
    ) -> Result<(), CaseError> {
        if path.section() == SectionKind::Case && path.field() == "reference" {
            return Err(CaseError::SetByServer("The case reference"));
        }
        self.write_field(path, input, editor)
    }

    /// Records the reference the server issued; only the sync engine calls this.
    pub fn set_reference(&mut self, reference: &str, editor: &Editor) -> Result<(), CaseError> {
        self.write_field(&FieldPath::case("reference"), reference, editor)
    }

    fn write_field(
        &mut self,
        path: &FieldPath,
        input: &str,
        editor: &Editor,
    ) -> Result<(), CaseError> {
        let value = field_value(path, input)?;
        if path.section() == SectionKind::Case && path.field() == "status" {
            let current = self.status();
            let next = value
                .as_text()
                .and_then(CaseStatus::parse)
                .unwrap_or(current);
            if next != current && !current.can_move_to(next) {
                return Err(CaseError::IllegalTransition {
                    from: current,
                    to: next,
                });
            }
        }
        let fields = self.fields_object(path)?;
        let label = path.spec().map_or("a field", |spec| spec.label);
        self.edit(format!("Changed {label}"), editor, |doc| {
            write_entry(doc, &fields, path.field(), &value, editor)
        })
    }

    /// The current value of a field (the deterministic winner if in conflict).
    pub fn field(&self, path: &FieldPath) -> Option<FieldEntry> {
        let fields = self.fields_object(path).ok()?;
        let (value, entry) = self.doc.get(&fields, path.field()).ok()??;
        matches!(value, Value::Object(ObjType::Map)).then(|| read_entry(&self.doc, &entry))
    }

    pub fn status(&self) -> CaseStatus {
        self.field(&FieldPath::case("status"))
            .and_then(|entry| entry.value.as_text().and_then(CaseStatus::parse))
            .unwrap_or(CaseStatus::Open)
    }

    /// Every field that two or more people set concurrently, with each value.
    pub fn conflicts(&self) -> Vec<FieldConflict> {
        let mut conflicts = Vec::new();
        let mut collect = |fields: &ObjId, path_for: &dyn Fn(&str) -> FieldPath| {
            for key in self.doc.keys(fields) {
                let Ok(values) = self.doc.get_all(fields, key.as_str()) else {
                    continue;
                };
                if values.len() > 1 {
                    let mut entries: Vec<FieldEntry> = values
                        .iter()
                        .filter(|(value, _)| matches!(value, Value::Object(ObjType::Map)))
                        .map(|(_, id)| read_entry(&self.doc, id))
                        .collect();
                    entries.sort_by(|a, b| (a.at, &a.by).cmp(&(b.at, &b.by)));
                    conflicts.push(FieldConflict {
                        path: path_for(&key),
                        values: entries,
                    });
                }
            }
        };
        if let Some(fields) = object(&self.doc, &ROOT, "fields") {
            collect(&fields, &|key| FieldPath::case(key));
        }
        for kind in ITEM_COLLECTIONS {
            for (id, item) in self.items(kind) {
                if let Some(fields) = object(&self.doc, &item, "fields") {
                    collect(&fields, &|key| FieldPath::item(kind, &id, key));
                }
            }
        }
        conflicts.sort_by(|a, b| a.path.cmp(&b.path));
        conflicts
    }

    /// Settles a conflict with the value a person chose; all earlier values are superseded.
    pub fn resolve_conflict(
        &mut self,
        path: &FieldPath,
        input: &str,
        editor: &Editor,
    ) -> Result<(), CaseError> {
        if !self
            .conflicts()
            .iter()
            .any(|conflict| &conflict.path == path)
        {
            return Err(CaseError::NoConflict(path.clone()));
        }
        let value = field_value(path, input)?;
        let fields = self.fields_object(path)?;
        let label = path.spec().map_or("a field", |spec| spec.label);
        self.edit(format!("Resolved a conflict in {label}"), editor, |doc| {
            write_entry(doc, &fields, path.field(), &value, editor)
        })
    }

    fn items(&self, kind: SectionKind) -> Vec<(String, ObjId)> {
        let Some(collection) = kind.collection().and_then(|c| object(&self.doc, &ROOT, c)) else {
            return Vec::new();
        };
        self.doc
            .keys(&collection)
            .filter_map(|id| object(&self.doc, &collection, &id).map(|obj| (id, obj)))
            .collect()
    }

    /// Adds a person, visit, task, consent record or risk warning with its fields.
    /// `id` is chosen by the caller (a ULID), so it is unique even offline.
    pub fn add_item(
        &mut self,
        kind: SectionKind,
        id: &str,
        inputs: &[(&str, &str)],
        editor: &Editor,
    ) -> Result<(), CaseError> {
        check_id(id)?;
        let Some(collection_name) = kind.collection() else {
            return Err(CaseError::NoSuchItem {
                noun: kind.noun(),
                id: id.to_owned(),
            });
        };
        let mut values = Vec::new();
        for (field, input) in inputs {
            let path = FieldPath::item(kind, id, field);
            if path.spec().is_none() {
                return Err(FieldPath::parse(&path.to_string())
                    .err()
                    .map(CaseError::Field)
                    .unwrap_or(CaseError::NotACase(format!("unknown field {field}"))));
            }
            let value = field_value(&path, input)?;
            if !value.is_empty() {
                values.push((*field, value));
            }
        }
        for required in kind.fields().iter().filter(|spec| spec.required) {
            if !values.iter().any(|(field, _)| *field == required.name) {
                return Err(FieldError::Required(required.label.to_lowercase()).into());
            }
        }
        let collection = object(&self.doc, &ROOT, collection_name)
            .ok_or_else(|| CaseError::NotACase(format!("it has no {collection_name}")))?;
        if object(&self.doc, &collection, id).is_some() {
            return Err(CaseError::BadId(id.to_owned()));
        }
        self.edit(format!("Added a {}", kind.noun()), editor, |doc| {
            let item = doc.put_object(&collection, id, ObjType::Map)?;
            doc.put(&item, "added_by", editor.user.as_str())?;
            doc.put(&item, "added_at", editor.at.millis())?;
            let fields = doc.put_object(&item, "fields", ObjType::Map)?;
            for (field, value) in &values {
                write_entry(doc, &fields, field, value, editor)?;
            }
            Ok(())
        })
    }

    /// Appends a note to the timeline.
    pub fn add_note(&mut self, id: &str, text: &str, editor: &Editor) -> Result<(), CaseError> {
        check_id(id)?;
        let text = note_text(text)?;
        let notes = self.collection("notes")?;
        if object(&self.doc, &notes, id).is_some() {
            return Err(CaseError::BadId(id.to_owned()));
        }
        self.edit("Added a note".into(), editor, |doc| {
            let note = doc.put_object(&notes, id, ObjType::Map)?;
            doc.put(&note, "author", editor.user.as_str())?;
            doc.put(&note, "created_at", editor.at.millis())?;
            let revisions = doc.put_object(&note, "revisions", ObjType::List)?;
            append_revision(doc, &revisions, &text, editor)
        })
    }

    /// Corrects a note. The earlier text stays in the note's history.
    pub fn edit_note(&mut self, id: &str, text: &str, editor: &Editor) -> Result<(), CaseError> {
        let text = note_text(text)?;
        let notes = self.collection("notes")?;
        let revisions = object(&self.doc, &notes, id)
            .and_then(|note| object(&self.doc, &note, "revisions"))
            .ok_or_else(|| CaseError::NoSuchItem {
                noun: "note",
                id: id.to_owned(),
            })?;
        self.edit("Corrected a note".into(), editor, |doc| {
            append_revision(doc, &revisions, &text, editor)
        })
    }

    /// Replaces the narrative, written as the smallest set of character edits
    /// so that a colleague's concurrent typing elsewhere in it survives.
    pub fn set_narrative(&mut self, text: &str, editor: &Editor) -> Result<(), CaseError> {
        let length = text.chars().count();
        if length > MAXIMUM_NARRATIVE_CHARACTERS {
            return Err(CaseError::TooLong {
                length,
                limit: MAXIMUM_NARRATIVE_CHARACTERS,
            });
        }
        let narrative = self.collection("narrative")?;
        self.edit("Edited the assessment narrative".into(), editor, |doc| {
            doc.update_text(&narrative, text)?;
            record_narrative_edit(doc, editor)
        })
    }

    /// Splices the narrative at a character position, as an editor sends keystrokes.
    pub fn splice_narrative(
        &mut self,
        position: usize,
        delete: usize,
        insert: &str,
        editor: &Editor,
    ) -> Result<(), CaseError> {
        let narrative = self.collection("narrative")?;
        let length = self.doc.length(&narrative);
        let position = position.min(length);
        let delete = delete.min(length - position);
        let new_length = length - delete + insert.chars().count();
        if new_length > MAXIMUM_NARRATIVE_CHARACTERS {
            return Err(CaseError::TooLong {
                length: new_length,
                limit: MAXIMUM_NARRATIVE_CHARACTERS,
            });
        }
        self.edit("Edited the assessment narrative".into(), editor, |doc| {
            doc.splice_text(&narrative, position, delete as isize, insert)?;
            record_narrative_edit(doc, editor)
        })
    }

    pub fn narrative(&self) -> String {
        object(&self.doc, &ROOT, "narrative")
            .and_then(|narrative| self.doc.text(&narrative).ok())
            .unwrap_or_default()
    }

    /// Records an attachment's metadata; its bytes live in the device store.
    pub fn add_attachment(
        &mut self,
        attachment: &AttachmentMeta,
        editor: &Editor,
    ) -> Result<(), CaseError> {
        let hash_ok = attachment.sha256.len() == 64
            && attachment.sha256.bytes().all(|b| b.is_ascii_hexdigit());
        if !hash_ok {
            return Err(CaseError::BadId(attachment.sha256.clone()));
        }
        let name = ATTACHMENT_NAME.parse(&attachment.name)?;
        let attachments = self.collection("attachments")?;
        self.edit("Attached a file".into(), editor, |doc| {
            let entry = doc.put_object(&attachments, attachment.sha256.as_str(), ObjType::Map)?;
            doc.put(&entry, "name", name.to_string())?;
            doc.put(&entry, "media_type", attachment.media_type.as_str())?;
            doc.put(&entry, "size", attachment.size)?;
            doc.put(&entry, "added_by", editor.user.as_str())?;
            doc.put(&entry, "added_at", editor.at.millis())?;
            Ok(())
        })
    }

    /// A team lead's decision on a case awaiting review: approving closes
    /// it; returning sends it back to in progress and needs a comment saying
    /// what to do. The decision and the status change are one change, so
    /// every device sees both or neither. Whether the person may review is
    /// the server's decision, made again when this syncs
    /// ([`crate::access::Reader::may_change_workflow`]).
    pub fn record_review(
        &mut self,
        id: &str,
        decision: ReviewDecision,
        comment: &str,
        editor: &Editor,
    ) -> Result<(), CaseError> {
        check_id(id)?;
        let status = self.status();
        if status != CaseStatus::AwaitingReview {
            return Err(CaseError::NotAwaitingReview(status));
        }
        let comment = comment.trim();
        if decision == ReviewDecision::Returned && comment.is_empty() {
            return Err(CaseError::CommentRequired);
        }
        let length = comment.chars().count();
        if length > MAXIMUM_NOTE_CHARACTERS {
            return Err(CaseError::TooLong {
                length,
                limit: MAXIMUM_NOTE_CHARACTERS,
            });
        }
        if self.review_ids().iter().any(|existing| existing == id) {
            return Err(CaseError::BadId(id.to_owned()));
        }
        let status_path = FieldPath::case("status");
        let next = FieldValue::Text(decision.resulting_status().as_str().to_owned());
        let fields = self.fields_object(&status_path)?;
        let existing_reviews = object(&self.doc, &ROOT, "reviews");
        let message = match decision {
            ReviewDecision::Approved => "Approved the case",
            ReviewDecision::Returned => "Returned the case for more work",
        };
        self.edit(message.into(), editor, |doc| {
            let reviews = match existing_reviews {
                Some(reviews) => reviews,
                None => doc.put_object(ROOT, "reviews", ObjType::Map)?,
            };
            let review = doc.put_object(&reviews, id, ObjType::Map)?;
            doc.put(&review, "decision", decision.as_str())?;
            doc.put(&review, "comment", comment)?;
            doc.put(&review, "by", editor.user.as_str())?;
            doc.put(&review, "at", editor.at.millis())?;
            write_entry(doc, &fields, "status", &next, editor)
        })
    }

    /// Every review, oldest first, from every `reviews` container the
    /// document holds (see the module notes).
    pub fn reviews(&self) -> Vec<ReviewView> {
        let mut reviews: Vec<ReviewView> = Vec::new();
        for container in self.review_containers() {
            let Ok(hydrate::Value::Map(map)) = self.doc.hydrate(&container, None) else {
                continue;
            };
            for (id, value) in map.iter() {
                let hydrate::Value::Map(review) = &value.value else {
                    continue;
                };
                let Some(decision) = h_text(review, "decision")
                    .as_deref()
                    .and_then(ReviewDecision::parse)
                else {
                    continue;
                };
                if reviews.iter().any(|seen| &seen.id == id) {
                    continue;
                }
                reviews.push(ReviewView {
                    id: id.clone(),
                    decision,
                    comment: h_text(review, "comment").unwrap_or_default(),
                    by: h_text(review, "by").unwrap_or_default(),
                    at: Timestamp(h_int(review, "at").unwrap_or_default()),
                });
            }
        }
        reviews.sort_by(|a, b| (a.at, &a.id).cmp(&(b.at, &b.id)));
        reviews
    }

    /// How many reviews the case holds: the server compares this before and
    /// after a push to see whether it records a decision.
    pub fn review_count(&self) -> usize {
        self.review_ids().len()
    }

    fn review_ids(&self) -> Vec<String> {
        let mut ids: Vec<String> = self
            .review_containers()
            .iter()
            .flat_map(|container| self.doc.keys(container).collect::<Vec<_>>())
            .collect();
        ids.sort();
        ids.dedup();
        ids
    }

    fn review_containers(&self) -> Vec<ObjId> {
        self.doc
            .get_all(ROOT, "reviews")
            .unwrap_or_default()
            .into_iter()
            .filter_map(|(value, id)| matches!(value, Value::Object(ObjType::Map)).then_some(id))
            .collect()
    }

    fn collection(&self, name: &str) -> Result<ObjId, CaseError> {
        object(&self.doc, &ROOT, name)
            .ok_or_else(|| CaseError::NotACase(format!("it has no {name}")))
    }

    /// Builds a case from its exported view, as when a council migrates from
    /// a legacy system (`case import`). Every value is validated as if typed,
    /// and keeps who set it and when; the workflow is not replayed, because the
    /// legacy system already decided the status. Conflicts in the view are not
    /// imported: the current values are.
    pub fn from_view(
        view: &CaseView,
        importer: &Editor,
        actor: ActorId,
    ) -> Result<Self, CaseError> {
        let by_entry = |entry: &FieldEntry| Editor::new(entry.by.clone(), entry.at);
        let creator = if view.created_by.is_empty() {
            importer.clone()
        } else {
            Editor::new(view.created_by.clone(), view.created_at)
        };
        let mut case = Self::create(
            NewCase {
                id: view.id.clone(),
                case_type: view.text("case_type").unwrap_or_default().to_owned(),
                summary: view.text("summary").unwrap_or_default().to_owned(),
            },
            &creator,
            actor,
        )?;
        for (field, entry) in &view.fields {
            if matches!(field.as_str(), "case_type" | "summary")
                && entry.by == creator.user
                && entry.at == creator.at
            {
                continue;
            }
            let path = FieldPath::case(field);
            let value = field_value(&path, &entry.value.to_string())?;
            let fields = case.fields_object(&path)?;
            case.edit(format!("Imported {field}"), &by_entry(entry), |doc| {
                write_entry(doc, &fields, field, &value, &by_entry(entry))
            })?;
        }
        if !view.narrative.is_empty() {
            case.set_narrative(&view.narrative, importer)?;
        }
        let collections = [
            (SectionKind::Person, &view.people),
            (SectionKind::Visit, &view.visits),
            (SectionKind::Task, &view.tasks),
            (SectionKind::Consent, &view.consents),
            (SectionKind::Risk, &view.risks),
        ];
        for (kind, items) in collections {
            for item in items {
                let inputs: Vec<(String, String)> = item
                    .fields
                    .iter()
                    .map(|(field, entry)| (field.clone(), entry.value.to_string()))
                    .collect();
                let borrowed: Vec<(&str, &str)> = inputs
                    .iter()
                    .map(|(f, v)| (f.as_str(), v.as_str()))
                    .collect();
                let adder = Editor::new(item.added_by.clone(), item.added_at);
                case.add_item(kind, &item.id, &borrowed, &adder)?;
            }
        }
        for note in &view.notes {
            let mut revisions = note.revisions.iter();
            let Some(first) = revisions.next() else {
                case.add_note(
                    &note.id,
                    &note.text,
                    &Editor::new(note.author.clone(), note.created_at),
                )?;
                continue;
            };
            case.add_note(
                &note.id,
                &first.text,
                &Editor::new(first.by.clone(), first.at),
            )?;
            for revision in revisions {
                case.edit_note(
                    &note.id,
                    &revision.text,
                    &Editor::new(revision.by.clone(), revision.at),
                )?;
            }
        }
        for attachment in &view.attachments {
            case.add_attachment(
                attachment,
                &Editor::new(attachment.added_by.clone(), attachment.added_at),
            )?;
        }
        // Past decisions are history: the imported status already says where
        // the case stands, so they are recorded without moving it.
        for review in &view.reviews {
            check_id(&review.id)?;
            let reviews = case.collection("reviews")?;
            let editor = Editor::new(review.by.clone(), review.at);
            case.edit("Imported a review".into(), &editor, |doc| {
                let entry = doc.put_object(&reviews, review.id.as_str(), ObjType::Map)?;
                doc.put(&entry, "decision", review.decision.as_str())?;
                doc.put(&entry, "comment", review.comment.as_str())?;
                doc.put(&entry, "by", review.by.as_str())?;
                doc.put(&entry, "at", review.at.millis())?;
                Ok(())
            })?;
        }
        Ok(case)
    }

    /// Everything in the case, for `case show` and the case page.
    pub fn view(&self) -> CaseView {
        // One pass over the document (hydrate) rather than a lookup per value:
        // a case with a thousand notes has tens of thousands of values.
        let root = match self.doc.hydrate(&ROOT, None) {
            Ok(hydrate::Value::Map(root)) => root,
            _ => hydrate::Map::default(),
        };
        let fields_of = |map: &hydrate::Map| -> BTreeMap<String, FieldEntry> {
            h_map(map, "fields")
                .map(|fields| {
                    fields
                        .iter()
                        .filter_map(|(key, value)| match &value.value {
                            hydrate::Value::Map(entry) => Some((key.clone(), h_entry(entry))),
                            _ => None,
                        })
                        .collect()
                })
                .unwrap_or_default()
        };
        let items = |kind: SectionKind| -> Vec<ItemView> {
            let Some(collection) = kind.collection().and_then(|name| h_map(&root, name)) else {
                return Vec::new();
            };
            let mut items: Vec<ItemView> = collection
                .iter()
                .filter_map(|(id, value)| match &value.value {
                    hydrate::Value::Map(item) => Some(ItemView {
                        id: id.clone(),
                        added_by: h_text(item, "added_by").unwrap_or_default(),
                        added_at: Timestamp(h_int(item, "added_at").unwrap_or_default()),
                        fields: fields_of(item),
                    }),
                    _ => None,
                })
                .collect();
            items.sort_by(|a, b| (a.added_at, &a.id).cmp(&(b.added_at, &b.id)));
            items
        };
        let mut notes: Vec<NoteView> = h_map(&root, "notes")
            .map(|notes| {
                notes
                    .iter()
                    .filter_map(|(id, value)| {
                        let hydrate::Value::Map(note) = &value.value else {
                            return None;
                        };
                        let revisions: Vec<NoteRevision> = match note.get("revisions") {
                            Some(hydrate::Value::List(list)) => list
                                .iter()
                                .filter_map(|item| match &item.value {
                                    hydrate::Value::Map(revision) => Some(NoteRevision {
                                        text: h_text(revision, "text").unwrap_or_default(),
                                        by: h_text(revision, "by").unwrap_or_default(),
                                        at: Timestamp(h_int(revision, "at").unwrap_or_default()),
                                    }),
                                    _ => None,
                                })
                                .collect(),
                            _ => Vec::new(),
                        };
                        Some(NoteView {
                            text: revisions.last().map(|r| r.text.clone()).unwrap_or_default(),
                            id: id.clone(),
                            author: h_text(note, "author").unwrap_or_default(),
                            created_at: Timestamp(h_int(note, "created_at").unwrap_or_default()),
                            revisions,
                        })
                    })
                    .collect()
            })
            .unwrap_or_default();
        notes.sort_by(|a, b| (a.created_at, &a.id).cmp(&(b.created_at, &b.id)));
        let mut attachments: Vec<AttachmentMeta> = h_map(&root, "attachments")
            .map(|attachments| {
                attachments
                    .iter()
                    .filter_map(|(sha256, value)| {
                        let hydrate::Value::Map(entry) = &value.value else {
                            return None;
                        };
                        Some(AttachmentMeta {
                            sha256: sha256.clone(),
                            name: h_text(entry, "name").unwrap_or_default(),
                            media_type: h_text(entry, "media_type").unwrap_or_default(),
                            size: match entry.get("size") {
                                Some(hydrate::Value::Scalar(size)) => size.as_u64().unwrap_or(0),
                                _ => 0,
                            },
                            added_by: h_text(entry, "added_by").unwrap_or_default(),
                            added_at: Timestamp(h_int(entry, "added_at").unwrap_or_default()),
                        })
                    })
                    .collect()
            })
            .unwrap_or_default();
        attachments.sort_by(|a, b| (a.added_at, &a.sha256).cmp(&(b.added_at, &b.sha256)));
        let narrative = match root.get("narrative") {
            Some(hydrate::Value::Text(text)) => text.to_string(),
            _ => String::new(),
        };
        CaseView {
            id: self.id.clone(),
            schema_version: h_int(&root, "schema_version").unwrap_or(SCHEMA_VERSION),
            created_by: h_text(&root, "created_by").unwrap_or_default(),
            created_at: Timestamp(h_int(&root, "created_at").unwrap_or_default()),
            fields: fields_of(&root),
            narrative,
            narrative_edited: h_map(&root, "narrative_edited").map(|entry| FieldEntry {
                value: FieldValue::Empty,
                by: h_text(entry, "by").unwrap_or_default(),
                at: Timestamp(h_int(entry, "at").unwrap_or_default()),
            }),
            people: items(SectionKind::Person),
            visits: items(SectionKind::Visit),
            tasks: items(SectionKind::Task),
            consents: items(SectionKind::Consent),
            risks: items(SectionKind::Risk),
            notes,
            attachments,
            reviews: self.reviews(),
            // The hydrated values already say whether any field holds two
            // values; walking the document again for them is only worth it
            // when one does (most cases have none, and a first sync reads
            // thousands).
            conflicts: if any_field_conflict(&root) {
                self.conflicts()
            } else {
                Vec::new()
            },
        }
    }

    /// The row the device store indexes for lists, filters and search.
    pub fn projection(&self) -> CaseProjection {
        CaseProjection::from_view(&self.view())
    }
}

fn commit_options(message: &str, editor: &Editor) -> CommitOptions {
    CommitOptions::default()
        .with_message(format!("{message} ({})", editor.user))
        .with_time(editor.at.millis() / 1000)
}

fn field_value(path: &FieldPath, input: &str) -> Result<FieldValue, CaseError> {
    let spec = path.spec().ok_or_else(|| {
        FieldPath::parse(&path.to_string())
            .err()
            .map(CaseError::Field)
            .unwrap_or_else(|| CaseError::NotACase(format!("unknown field {path}")))
    })?;
    Ok(spec.parse(input)?)
}

fn note_text(text: &str) -> Result<String, CaseError> {
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Err(CaseError::EmptyNote);
    }
    let length = trimmed.chars().count();
    if length > MAXIMUM_NOTE_CHARACTERS {
        return Err(CaseError::TooLong {
            length,
            limit: MAXIMUM_NOTE_CHARACTERS,
        });
    }
    Ok(trimmed.to_owned())
}

fn write_entry(
    doc: &mut AutoCommit,
    fields: &ObjId,
    field: &str,
    value: &FieldValue,
    editor: &Editor,
) -> Result<(), CaseError> {
    let entry = doc.put_object(fields, field, ObjType::Map)?;
    let scalar = match value {
        FieldValue::Empty => ScalarValue::Null,
        FieldValue::Flag(flag) => ScalarValue::Boolean(*flag),
        FieldValue::Text(text) => ScalarValue::Str(text.as_str().into()),
    };
    doc.put(&entry, "value", scalar)?;
    doc.put(&entry, "by", editor.user.as_str())?;
    doc.put(&entry, "at", editor.at.millis())?;
    Ok(())
}

/// Brings an older document up to [`SCHEMA_VERSION`], as part of the edit
/// being made. Each step only adds; nothing an older version wrote is removed.
fn upgrade(doc: &mut AutoCommit, from: i64) -> Result<(), CaseError> {
    if from < 3 {
        // Schema 2 only adds `narrative_edited`, written by the next narrative
        // edit; schema 3 adds `reviews`, made by the first review (creating it
        // here, on every device's first edit, would make clashing containers
        // far more often).
        doc.put(ROOT, "schema_version", SCHEMA_VERSION)?;
    }
    Ok(())
}

/// Who last edited the narrative and when: the text itself merges character
/// by character and carries no author, so the case records it alongside.
fn record_narrative_edit(doc: &mut AutoCommit, editor: &Editor) -> Result<(), CaseError> {
    let entry = doc.put_object(ROOT, "narrative_edited", ObjType::Map)?;
    doc.put(&entry, "by", editor.user.as_str())?;
    doc.put(&entry, "at", editor.at.millis())?;
    Ok(())
}

fn append_revision(
    doc: &mut AutoCommit,
    revisions: &ObjId,
    text: &str,
    editor: &Editor,
) -> Result<(), CaseError> {
    let index = doc.length(revisions);
    let revision = doc.insert_object(revisions, index, ObjType::Map)?;
    doc.put(&revision, "text", text)?;
    doc.put(&revision, "by", editor.user.as_str())?;
    doc.put(&revision, "at", editor.at.millis())?;
    Ok(())
}

fn read_entry(doc: &AutoCommit, entry: &ObjId) -> FieldEntry {
    let value = match scalar(doc, entry, "value") {
        Some(ScalarValue::Boolean(flag)) => FieldValue::Flag(flag),
        Some(ScalarValue::Str(text)) => FieldValue::Text(text.to_string()),
        _ => FieldValue::Empty,
    };
    FieldEntry {
        value,
        by: text(doc, entry, "by").unwrap_or_default(),
        at: Timestamp(int(doc, entry, "at").unwrap_or_default()),
    }
}

/// The test [`CaseDocument::conflicts`] makes (a field with more than one
/// value), on a hydrated document.
fn any_field_conflict(root: &hydrate::Map) -> bool {
    let fields_conflict = |map: &hydrate::Map| {
        h_map(map, "fields").is_some_and(|fields| fields.iter().any(|(_, value)| value.conflict))
    };
    fields_conflict(root)
        || ITEM_COLLECTIONS.iter().any(|kind| {
            kind.collection()
                .and_then(|name| h_map(root, name))
                .is_some_and(|collection| {
                    collection.iter().any(|(_, item)| match &item.value {
                        hydrate::Value::Map(item) => fields_conflict(item),
                        _ => false,
                    })
                })
        })
}

fn h_map<'a>(map: &'a hydrate::Map, key: &str) -> Option<&'a hydrate::Map> {
    match map.get(key) {
        Some(hydrate::Value::Map(inner)) => Some(inner),
        _ => None,
    }
}

fn h_text(map: &hydrate::Map, key: &str) -> Option<String> {
    match map.get(key) {
        Some(hydrate::Value::Scalar(ScalarValue::Str(text))) => Some(text.to_string()),
        _ => None,
    }
}

fn h_int(map: &hydrate::Map, key: &str) -> Option<i64> {
    match map.get(key) {
        Some(hydrate::Value::Scalar(value)) => value.as_i64(),
        _ => None,
    }
}

fn h_entry(entry: &hydrate::Map) -> FieldEntry {
    let value = match entry.get("value") {
        Some(hydrate::Value::Scalar(ScalarValue::Boolean(flag))) => FieldValue::Flag(*flag),
        Some(hydrate::Value::Scalar(ScalarValue::Str(text))) => FieldValue::Text(text.to_string()),
        _ => FieldValue::Empty,
    };
    FieldEntry {
        value,
        by: h_text(entry, "by").unwrap_or_default(),
        at: Timestamp(h_int(entry, "at").unwrap_or_default()),
    }
}

fn object(doc: &AutoCommit, parent: &ObjId, key: &str) -> Option<ObjId> {
    match doc.get(parent, key).ok()?? {
        (Value::Object(_), id) => Some(id),
        _ => None,
    }
}

fn scalar(doc: &AutoCommit, parent: &ObjId, key: &str) -> Option<ScalarValue> {
    match doc.get(parent, key).ok()?? {
        (Value::Scalar(value), _) => Some(value.into_owned()),
        _ => None,
    }
}

fn text(doc: &AutoCommit, parent: &ObjId, key: &str) -> Option<String> {
    match scalar(doc, parent, key)? {
        ScalarValue::Str(text) => Some(text.to_string()),
        _ => None,
    }
}

fn int(doc: &AutoCommit, parent: &ObjId, key: &str) -> Option<i64> {
    scalar(doc, parent, key).and_then(|value| value.as_i64())
}
