//! Read-only shapes of a case: the full view for `case show` and the case
//! page, and the projection row the device store indexes. Both are derived
//! from the document and never edited directly.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::fields::{CaseStatus, FieldPath, FieldValue};
use crate::dates::Timestamp;

/// One value of one field, with who set it and when (device time).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldEntry {
    pub value: FieldValue,
    pub by: String,
    pub at: Timestamp,
}

/// A field two or more people set concurrently. Every value is kept until a person chooses.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldConflict {
    pub path: FieldPath,
    /// Oldest first.
    pub values: Vec<FieldEntry>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ItemView {
    pub id: String,
    pub added_by: String,
    pub added_at: Timestamp,
    pub fields: BTreeMap<String, FieldEntry>,
}

impl ItemView {
    pub fn text(&self, field: &str) -> Option<&str> {
        self.fields
            .get(field)
            .and_then(|entry| entry.value.as_text())
    }

    pub fn flag(&self, field: &str) -> Option<bool> {
        self.fields
            .get(field)
            .and_then(|entry| entry.value.as_flag())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NoteRevision {
    pub text: String,
    pub by: String,
    pub at: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NoteView {
    pub id: String,
    pub author: String,
    pub created_at: Timestamp,
    /// The latest revision's text.
    pub text: String,
    /// Every version of the note, oldest first: notes are append-only.
    pub revisions: Vec<NoteRevision>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AttachmentMeta {
    /// Hex SHA-256 of the plain bytes: the attachment's address in the store.
    pub sha256: String,
    pub name: String,
    pub media_type: String,
    pub size: u64,
    pub added_by: String,
    pub added_at: Timestamp,
}

/// A team lead's decision on a case submitted for review.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReviewDecision {
    /// The work is done: the case closes.
    Approved,
    /// More work is needed: the case goes back to in progress, with comments.
    Returned,
}

impl ReviewDecision {
    pub fn as_str(self) -> &'static str {
        match self {
            ReviewDecision::Approved => "approved",
            ReviewDecision::Returned => "returned",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text.trim().to_ascii_lowercase().as_str() {
            "approved" | "approve" => Some(ReviewDecision::Approved),
            "returned" | "return" => Some(ReviewDecision::Returned),
            _ => None,
        }
    }

    /// The status a case takes when this decision is made.
    pub fn resulting_status(self) -> CaseStatus {
        match self {
            ReviewDecision::Approved => CaseStatus::Closed,
            ReviewDecision::Returned => CaseStatus::InProgress,
        }
    }
}

/// One review of the case, kept for ever: decisions are never edited.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewView {
    pub id: String,
    pub decision: ReviewDecision,
    pub comment: String,
    pub by: String,
    pub at: Timestamp,
}

/// Everything in a case. `case show --json` prints this, and `case import` reads it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CaseView {
    pub id: String,
    pub schema_version: i64,
    pub created_by: String,
    pub created_at: Timestamp,
    pub fields: BTreeMap<String, FieldEntry>,
    pub narrative: String,
    /// Who last edited the narrative, and when.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub narrative_edited: Option<FieldEntry>,
    #[serde(default)]
    pub people: Vec<ItemView>,
    #[serde(default)]
    pub visits: Vec<ItemView>,
    #[serde(default)]
    pub tasks: Vec<ItemView>,
    #[serde(default)]
    pub consents: Vec<ItemView>,
    #[serde(default)]
    pub risks: Vec<ItemView>,
    #[serde(default)]
    pub notes: Vec<NoteView>,
    #[serde(default)]
    pub attachments: Vec<AttachmentMeta>,
    /// Team leads' decisions, oldest first.
    #[serde(default)]
    pub reviews: Vec<ReviewView>,
    #[serde(default)]
    pub conflicts: Vec<FieldConflict>,
}

/// A visit checked in and not yet checked out: someone may be alone in a
/// stranger's home until `expected_end`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OpenVisit {
    pub visit_id: String,
    /// Who checked in.
    pub worker: String,
    pub checked_in_at: String,
    /// RFC 3339, as stored.
    pub expected_end: String,
}

impl CaseView {
    /// Visits under way that have an expected end, the soonest end first.
    pub fn open_visits(&self) -> Vec<OpenVisit> {
        let mut open: Vec<OpenVisit> = self
            .visits
            .iter()
            .filter(|visit| visit.text("checked_out_at").is_none())
            .filter_map(|visit| {
                let checked_in = visit.fields.get("checked_in_at")?;
                Some(OpenVisit {
                    visit_id: visit.id.clone(),
                    worker: checked_in.by.clone(),
                    checked_in_at: checked_in.value.to_string(),
                    expected_end: visit.text("expected_end")?.to_owned(),
                })
            })
            .collect();
        open.sort_by(|a, b| (&a.expected_end, &a.visit_id).cmp(&(&b.expected_end, &b.visit_id)));
        open
    }

    pub fn text(&self, field: &str) -> Option<&str> {
        self.fields
            .get(field)
            .and_then(|entry| entry.value.as_text())
    }

    pub fn status_label(&self) -> &'static str {
        self.text("status")
            .and_then(CaseStatus::parse)
            .unwrap_or(CaseStatus::Open)
            .label()
    }
}

/// The indexed row behind My cases: enough to list, filter, sort and search
/// without opening documents. Always rebuilt from the document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CaseProjection {
    pub case_id: String,
    pub reference: Option<String>,
    pub case_type: String,
    pub status: CaseStatus,
    pub summary: String,
    pub assigned_to: Option<String>,
    pub team: Option<String>,
    pub due_date: Option<String>,
    /// Active risk warnings, shown before a visit.
    pub risk_warnings: Vec<String>,
    pub people_names: Vec<String>,
    pub narrative: String,
    /// The current text of every note, for full-text search.
    pub notes_text: String,
    pub note_count: usize,
    pub open_task_count: usize,
    /// The due dates (YYYY-MM-DD) of unfinished tasks that have one, earliest first.
    pub open_task_due_dates: Vec<String>,
    /// The next visit not yet checked in, by planned time.
    pub next_visit_at: Option<String>,
    /// Visits checked in but not out: the expected end of the earliest, for lone-worker alerts.
    pub open_visit_expected_end: Option<String>,
    pub conflict_count: usize,
    pub created_by: String,
    pub created_at: Timestamp,
    pub updated_by: String,
    pub updated_at: Timestamp,
    /// When the status last changed (when it was closed, for a closed case);
    /// the creation time for a case whose status was never set again.
    pub status_changed_at: Timestamp,
}

impl CaseProjection {
    pub fn from_view(view: &CaseView) -> Self {
        let owned = |field: &str| view.text(field).map(str::to_owned);
        let mut updated = (view.created_at, view.created_by.clone());
        let mut consider = |at: Timestamp, by: &str| {
            if at > updated.0 {
                updated = (at, by.to_owned());
            }
        };
        for entry in view.fields.values().chain(&view.narrative_edited) {
            consider(entry.at, &entry.by);
        }
        for item in view
            .people
            .iter()
            .chain(&view.visits)
            .chain(&view.tasks)
            .chain(&view.consents)
            .chain(&view.risks)
        {
            consider(item.added_at, &item.added_by);
            for entry in item.fields.values() {
                consider(entry.at, &entry.by);
            }
        }
        for revision in view.notes.iter().flat_map(|note| &note.revisions) {
            consider(revision.at, &revision.by);
        }
        for attachment in &view.attachments {
            consider(attachment.added_at, &attachment.added_by);
        }
        let next_visit_at = view
            .visits
            .iter()
            .filter(|visit| visit.text("checked_in_at").is_none())
            .filter_map(|visit| visit.text("planned_at"))
            .min()
            .map(str::to_owned);
        let open_visit_expected_end = view
            .visits
            .iter()
            .filter(|visit| {
                visit.text("checked_in_at").is_some() && visit.text("checked_out_at").is_none()
            })
            .filter_map(|visit| visit.text("expected_end"))
            .min()
            .map(str::to_owned);
        Self {
            case_id: view.id.clone(),
            reference: owned("reference"),
            case_type: owned("case_type").unwrap_or_default(),
            status: view
                .text("status")
                .and_then(CaseStatus::parse)
                .unwrap_or(CaseStatus::Open),
            summary: owned("summary").unwrap_or_default(),
            assigned_to: owned("assigned_to"),
            team: owned("team"),
            due_date: owned("due_date"),
            risk_warnings: view
                .risks
                .iter()
                .filter(|risk| risk.flag("active").unwrap_or(true))
                .filter_map(|risk| risk.text("text").map(str::to_owned))
                .collect(),
            people_names: view
                .people
                .iter()
                .filter_map(|person| person.text("name").map(str::to_owned))
                .collect(),
            narrative: view.narrative.clone(),
            notes_text: view
                .notes
                .iter()
                .map(|note| note.text.as_str())
                .collect::<Vec<_>>()
                .join("\n"),
            note_count: view.notes.len(),
            open_task_count: view
                .tasks
                .iter()
                .filter(|task| !task.flag("done").unwrap_or(false))
                .count(),
            open_task_due_dates: {
                let mut dates: Vec<String> = view
                    .tasks
                    .iter()
                    .filter(|task| !task.flag("done").unwrap_or(false))
                    .filter_map(|task| task.text("due_date").map(str::to_owned))
                    .collect();
                dates.sort();
                dates
            },
            next_visit_at,
            open_visit_expected_end,
            conflict_count: view.conflicts.len(),
            created_by: view.created_by.clone(),
            created_at: view.created_at,
            updated_by: updated.1,
            updated_at: updated.0,
            status_changed_at: view
                .fields
                .get("status")
                .map_or(view.created_at, |entry| entry.at.max(view.created_at)),
        }
    }
}
