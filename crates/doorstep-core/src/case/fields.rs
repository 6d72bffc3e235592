//! The fields a case is made of, what each may hold, and how typed input
//! becomes a stored value. Every leaf field in a case document is written the
//! same way, so conflicts, history and validation work the same everywhere.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::dates::{CalendarDate, Timestamp};
use crate::identifiers::{NhsNumber, NiNumber, Postcode, Uprn};

/// Where a case is in its life. Reopening returns a closed case to open.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CaseStatus {
    Open,
    InProgress,
    AwaitingReview,
    Closed,
}

impl CaseStatus {
    pub const ALL: [CaseStatus; 4] = [
        CaseStatus::Open,
        CaseStatus::InProgress,
        CaseStatus::AwaitingReview,
        CaseStatus::Closed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            CaseStatus::Open => "open",
            CaseStatus::InProgress => "in_progress",
            CaseStatus::AwaitingReview => "awaiting_review",
            CaseStatus::Closed => "closed",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            CaseStatus::Open => "Open",
            CaseStatus::InProgress => "In progress",
            CaseStatus::AwaitingReview => "Awaiting review",
            CaseStatus::Closed => "Closed",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        let wanted = text.trim().to_ascii_lowercase().replace([' ', '-'], "_");
        Self::ALL
            .into_iter()
            .find(|status| status.as_str() == wanted)
    }

    /// open → in progress → awaiting review → closed; a review can return the
    /// case to in progress, and a closed case can be reopened.
    pub fn can_move_to(self, next: CaseStatus) -> bool {
        use CaseStatus::*;
        matches!(
            (self, next),
            (Open, InProgress)
                | (InProgress, AwaitingReview)
                | (AwaitingReview, InProgress)
                | (AwaitingReview, Closed)
                | (Closed, Open)
        )
    }
}

impl fmt::Display for CaseStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The parts of a case that hold fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SectionKind {
    Case,
    Person,
    Visit,
    Task,
    Consent,
    Risk,
}

impl SectionKind {
    /// The document key of the collection that holds items of this kind.
    pub fn collection(self) -> Option<&'static str> {
        match self {
            SectionKind::Case => None,
            SectionKind::Person => Some("people"),
            SectionKind::Visit => Some("visits"),
            SectionKind::Task => Some("tasks"),
            SectionKind::Consent => Some("consents"),
            SectionKind::Risk => Some("risks"),
        }
    }

    pub fn from_collection(name: &str) -> Option<Self> {
        [
            SectionKind::Person,
            SectionKind::Visit,
            SectionKind::Task,
            SectionKind::Consent,
            SectionKind::Risk,
        ]
        .into_iter()
        .find(|kind| kind.collection() == Some(name))
    }

    pub fn fields(self) -> &'static [FieldSpec] {
        match self {
            SectionKind::Case => CASE_FIELDS,
            SectionKind::Person => PERSON_FIELDS,
            SectionKind::Visit => VISIT_FIELDS,
            SectionKind::Task => TASK_FIELDS,
            SectionKind::Consent => CONSENT_FIELDS,
            SectionKind::Risk => RISK_FIELDS,
        }
    }

    pub fn field(self, name: &str) -> Option<&'static FieldSpec> {
        self.fields().iter().find(|spec| spec.name == name)
    }

    pub fn noun(self) -> &'static str {
        match self {
            SectionKind::Case => "case",
            SectionKind::Person => "person",
            SectionKind::Visit => "visit",
            SectionKind::Task => "task",
            SectionKind::Consent => "consent record",
            SectionKind::Risk => "risk warning",
        }
    }
}

/// What a field may hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldKind {
    /// Free text up to this many characters.
    Text(usize),
    Date,
    Instant,
    Flag,
    Status,
    ConsentDecision,
    NhsNumber,
    NiNumber,
    Postcode,
    Uprn,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FieldSpec {
    pub name: &'static str,
    pub label: &'static str,
    pub kind: FieldKind,
    /// A required field cannot be cleared.
    pub required: bool,
}

const fn spec(
    name: &'static str,
    label: &'static str,
    kind: FieldKind,
    required: bool,
) -> FieldSpec {
    FieldSpec {
        name,
        label,
        kind,
        required,
    }
}

const SHORT: FieldKind = FieldKind::Text(200);
const LONG: FieldKind = FieldKind::Text(4_000);

pub const CASE_FIELDS: &[FieldSpec] = &[
    spec("reference", "Reference", FieldKind::Text(40), false),
    spec("case_type", "Case type", FieldKind::Text(60), true),
    spec("status", "Status", FieldKind::Status, true),
    spec("summary", "Summary", FieldKind::Text(500), true),
    spec("assigned_to", "Assigned to", SHORT, false),
    spec("team", "Team", SHORT, false),
    spec("due_date", "Due date", FieldKind::Date, false),
];

pub const PERSON_FIELDS: &[FieldSpec] = &[
    spec("name", "Full name", SHORT, true),
    spec("date_of_birth", "Date of birth", FieldKind::Date, false),
    spec("nhs_number", "NHS number", FieldKind::NhsNumber, false),
    spec(
        "ni_number",
        "National Insurance number",
        FieldKind::NiNumber,
        false,
    ),
    spec("address", "Address", FieldKind::Text(500), false),
    spec("postcode", "Postcode", FieldKind::Postcode, false),
    spec("uprn", "UPRN", FieldKind::Uprn, false),
    spec("phone", "Phone", FieldKind::Text(40), false),
    spec("email", "Email", SHORT, false),
    spec("relationship", "Relationship to the case", SHORT, false),
];

pub const VISIT_FIELDS: &[FieldSpec] = &[
    spec("planned_at", "Planned for", FieldKind::Instant, true),
    spec("checked_in_at", "Checked in", FieldKind::Instant, false),
    spec("expected_end", "Expected end", FieldKind::Instant, false),
    spec("checked_out_at", "Checked out", FieldKind::Instant, false),
    spec("outcome", "Outcome", LONG, false),
];

pub const TASK_FIELDS: &[FieldSpec] = &[
    spec("title", "Task", SHORT, true),
    spec("due_date", "Due date", FieldKind::Date, false),
    spec("done", "Done", FieldKind::Flag, false),
    spec("assigned_to", "Assigned to", SHORT, false),
];

pub const CONSENT_FIELDS: &[FieldSpec] = &[
    spec("person", "Person", SHORT, true),
    spec("purpose", "Purpose", LONG, true),
    spec("decision", "Decision", FieldKind::ConsentDecision, true),
    spec("recorded_at", "Recorded", FieldKind::Instant, true),
    spec("typed_signature", "Typed signature", SHORT, false),
    spec(
        "signature_attachment",
        "Signature image",
        FieldKind::Text(64),
        false,
    ),
];

/// An attachment's file name, as shown on the case page.
pub const ATTACHMENT_NAME: FieldSpec = spec("name", "File name", FieldKind::Text(255), true);

pub const RISK_FIELDS: &[FieldSpec] = &[
    spec("text", "Risk warning", FieldKind::Text(300), true),
    spec("active", "Active", FieldKind::Flag, true),
];

/// A stored field value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum FieldValue {
    Empty,
    Flag(bool),
    Text(String),
}

impl FieldValue {
    pub fn as_text(&self) -> Option<&str> {
        match self {
            FieldValue::Text(text) => Some(text),
            _ => None,
        }
    }

    pub fn as_flag(&self) -> Option<bool> {
        match self {
            FieldValue::Flag(flag) => Some(*flag),
            _ => None,
        }
    }

    pub fn is_empty(&self) -> bool {
        matches!(self, FieldValue::Empty)
    }
}

impl fmt::Display for FieldValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FieldValue::Empty => Ok(()),
            FieldValue::Flag(true) => f.write_str("yes"),
            FieldValue::Flag(false) => f.write_str("no"),
            FieldValue::Text(text) => f.write_str(text),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FieldError {
    #[error("{label}: {message}")]
    Invalid {
        label: &'static str,
        message: String,
    },
    #[error("Enter {0}; it cannot be left empty")]
    Required(String),
}

impl FieldSpec {
    /// Turns what a person typed into the value stored, or says what to fix.
    pub fn parse(&self, input: &str) -> Result<FieldValue, FieldError> {
        let trimmed = input.trim();
        if trimmed.is_empty() {
            return if self.required {
                Err(FieldError::Required(self.label.to_lowercase()))
            } else {
                Ok(FieldValue::Empty)
            };
        }
        let invalid = |message: String| FieldError::Invalid {
            label: self.label,
            message,
        };
        let text = |value: String| Ok(FieldValue::Text(value));
        match self.kind {
            FieldKind::Text(limit) => {
                let length = trimmed.chars().count();
                if length > limit {
                    return Err(invalid(format!(
                        "must be {limit} characters or fewer (this is {length})"
                    )));
                }
                if trimmed
                    .chars()
                    .any(|c| c.is_control() && c != '\n' && c != '\t')
                {
                    return Err(invalid("must not contain control characters".into()));
                }
                text(trimmed.to_owned())
            }
            FieldKind::Date => CalendarDate::parse(trimmed)
                .map(|date| FieldValue::Text(date.to_string()))
                .map_err(|error| invalid(error.to_string())),
            FieldKind::Instant => Timestamp::parse_rfc3339(trimmed)
                .map(|at| FieldValue::Text(at.to_rfc3339()))
                .ok_or_else(|| invalid("enter a date and time like 2026-11-28T14:30:00Z".into())),
            FieldKind::Flag => match trimmed.to_ascii_lowercase().as_str() {
                "yes" | "true" | "y" | "1" | "done" => Ok(FieldValue::Flag(true)),
                "no" | "false" | "n" | "0" | "not done" => Ok(FieldValue::Flag(false)),
                _ => Err(invalid("answer yes or no".into())),
            },
            FieldKind::Status => CaseStatus::parse(trimmed)
                .map(|status| FieldValue::Text(status.as_str().to_owned()))
                .ok_or_else(|| {
                    invalid("choose open, in_progress, awaiting_review or closed".into())
                }),
            FieldKind::ConsentDecision => match trimmed.to_ascii_lowercase().as_str() {
                "given" | "refused" | "withdrawn" => text(trimmed.to_ascii_lowercase()),
                _ => Err(invalid("choose given, refused or withdrawn".into())),
            },
            FieldKind::NhsNumber => NhsNumber::parse(trimmed)
                .map(|n| FieldValue::Text(n.as_digits().to_owned()))
                .map_err(|error| invalid(error.to_string())),
            FieldKind::NiNumber => NiNumber::parse(trimmed)
                .map(|n| FieldValue::Text(n.as_compact().to_owned()))
                .map_err(|error| invalid(error.to_string())),
            FieldKind::Postcode => Postcode::parse(trimmed)
                .map(|p| FieldValue::Text(p.to_string()))
                .map_err(|error| invalid(error.to_string())),
            FieldKind::Uprn => Uprn::parse(trimmed)
                .map(|u| FieldValue::Text(u.to_string()))
                .map_err(|error| invalid(error.to_string())),
        }
    }
}

/// Names one field of one case: `summary`, `people.<id>.nhs_number`, `tasks.<id>.done`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct FieldPath {
    /// `None` for the case's own fields; otherwise the collection and item id.
    item: Option<(String, String)>,
    field: String,
}

impl FieldPath {
    pub fn case(field: &str) -> Self {
        Self {
            item: None,
            field: field.to_owned(),
        }
    }

    pub fn item(kind: SectionKind, id: &str, field: &str) -> Self {
        Self {
            item: kind
                .collection()
                .map(|collection| (collection.to_owned(), id.to_owned())),
            field: field.to_owned(),
        }
    }

    pub fn parse(text: &str) -> Result<Self, FieldError> {
        let unknown = || FieldError::Invalid {
            label: "Field",
            message: format!(
                "\"{text}\" is not a field. Use a case field such as summary or status, or collection.ID.field such as people.01J….nhs_number"
            ),
        };
        let parts: Vec<&str> = text.trim().split('.').collect();
        let path = match parts.as_slice() {
            [field] => Self::case(field),
            [collection, id, field] if !id.is_empty() => {
                let kind = SectionKind::from_collection(collection).ok_or_else(unknown)?;
                Self::item(kind, id, field)
            }
            _ => return Err(unknown()),
        };
        path.spec().ok_or_else(unknown)?;
        Ok(path)
    }

    pub fn section(&self) -> SectionKind {
        match &self.item {
            None => SectionKind::Case,
            Some((collection, _)) => {
                SectionKind::from_collection(collection).unwrap_or(SectionKind::Case)
            }
        }
    }

    pub fn item_id(&self) -> Option<&str> {
        self.item.as_ref().map(|(_, id)| id.as_str())
    }

    pub fn field(&self) -> &str {
        &self.field
    }

    pub fn spec(&self) -> Option<&'static FieldSpec> {
        self.section().field(&self.field)
    }
}

impl fmt::Display for FieldPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.item {
            None => f.write_str(&self.field),
            Some((collection, id)) => write!(f, "{collection}.{id}.{}", self.field),
        }
    }
}

impl TryFrom<String> for FieldPath {
    type Error = FieldError;
    fn try_from(text: String) -> Result<Self, Self::Error> {
        Self::parse(&text)
    }
}

impl From<FieldPath> for String {
    fn from(path: FieldPath) -> String {
        path.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_case_workflow_allows_only_its_own_steps() {
        use CaseStatus::*;
        let allowed: Vec<(CaseStatus, CaseStatus)> = CaseStatus::ALL
            .into_iter()
            .flat_map(|from| CaseStatus::ALL.into_iter().map(move |to| (from, to)))
            .filter(|(from, to)| from.can_move_to(*to))
            .collect();
        assert_eq!(
            allowed,
            vec![
                (Open, InProgress),
                (InProgress, AwaitingReview),
                (AwaitingReview, InProgress),
                (AwaitingReview, Closed),
                (Closed, Open),
            ]
        );
        assert_eq!(CaseStatus::parse("Awaiting review"), Some(AwaitingReview));
        assert_eq!(CaseStatus::parse("in-progress"), Some(InProgress));
        assert_eq!(CaseStatus::parse("done"), None);
    }

    #[test]
    fn typed_values_are_validated_and_stored_in_canonical_form() {
        let person = |field: &str| SectionKind::Person.field(field).unwrap();
        assert_eq!(
            person("nhs_number").parse("943 476 5919"),
            Ok(FieldValue::Text("9434765919".into()))
        );
        assert_eq!(
            person("postcode").parse("sw1a1aa"),
            Ok(FieldValue::Text("SW1A 1AA".into()))
        );
        let error = person("nhs_number").parse("943 476 5918").unwrap_err();
        assert_eq!(
            error.to_string(),
            "NHS number: Check the NHS number: it is not a valid number. The last digit does not match the others"
        );
        assert_eq!(person("phone").parse("  "), Ok(FieldValue::Empty));
        assert_eq!(
            person("name").parse(" "),
            Err(FieldError::Required("full name".into()))
        );
        let task_done = SectionKind::Task.field("done").unwrap();
        assert_eq!(task_done.parse("Yes"), Ok(FieldValue::Flag(true)));
        assert!(task_done.parse("maybe").is_err());
        let summary = SectionKind::Case.field("summary").unwrap();
        assert!(summary.parse(&"x".repeat(501)).is_err());
        assert!(summary.parse("bell\u{7}").is_err());
    }

    #[test]
    fn field_paths_name_case_and_item_fields() {
        assert_eq!(
            FieldPath::parse("summary").unwrap(),
            FieldPath::case("summary")
        );
        let path = FieldPath::parse("people.01ABC.nhs_number").unwrap();
        assert_eq!(path.section(), SectionKind::Person);
        assert_eq!(path.item_id(), Some("01ABC"));
        assert_eq!(path.to_string(), "people.01ABC.nhs_number");
        for bad in [
            "",
            "colour",
            "people.01ABC",
            "people..name",
            "pets.1.name",
            "people.1.shoe_size",
        ] {
            assert!(FieldPath::parse(bad).is_err(), "{bad}");
        }
    }
}
