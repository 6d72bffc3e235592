//! Stories about one case edited on several laptops, offline, then merged.

#![allow(clippy::unwrap_used)] // test helpers may unwrap, like #[test] functions (clippy.toml)

use automerge::ActorId;
use doorstep_core::case::{
    AttachmentMeta, CaseDocument, CaseError, CaseStatus, Editor, FieldPath, FieldValue, NewCase,
    SectionKind,
};
use doorstep_core::dates::Timestamp;

fn laptop(n: u8) -> ActorId {
    ActorId::from(vec![n; 16])
}

fn amira(at: i64) -> Editor {
    Editor::new("amira.khan", Timestamp(at))
}

fn ben(at: i64) -> Editor {
    Editor::new("ben.jones", Timestamp(at))
}

fn new_case() -> CaseDocument {
    CaseDocument::create(
        NewCase {
            id: "01JCASE0000000000000000001".into(),
            case_type: "adult_social_care".into(),
            summary: "Mrs Patel, 84: falls at home".into(),
        },
        &amira(1_000),
        laptop(1),
    )
    .unwrap()
}

/// A second laptop that has synced the case once.
fn copy_on(doc: &mut CaseDocument, actor: u8) -> CaseDocument {
    CaseDocument::load(&doc.save(), laptop(actor)).unwrap()
}

fn path(text: &str) -> FieldPath {
    FieldPath::parse(text).unwrap()
}

#[test]
fn a_new_case_is_open_with_its_type_and_summary_and_who_opened_it() {
    let case = new_case();
    let view = case.view();
    assert_eq!(view.text("status"), Some("open"));
    assert_eq!(view.text("case_type"), Some("adult_social_care"));
    assert_eq!(view.created_by, "amira.khan");
    assert_eq!(view.fields["summary"].by, "amira.khan");
    assert_eq!(view.schema_version, doorstep_core::case::SCHEMA_VERSION);
    assert!(view.conflicts.is_empty());
}

#[test]
fn two_caseworkers_edit_different_fields_offline_and_both_edits_survive_the_merge() {
    let mut mine = new_case();
    let mut theirs = copy_on(&mut mine, 2);

    mine.set_field(&path("assigned_to"), "amira.khan", &amira(2_000))
        .unwrap();
    theirs
        .set_field(&path("due_date"), "2026-12-15", &ben(2_100))
        .unwrap();
    mine.merge(&mut theirs).unwrap();
    theirs.merge(&mut mine).unwrap();

    for case in [&mine, &theirs] {
        let view = case.view();
        assert_eq!(view.text("assigned_to"), Some("amira.khan"));
        assert_eq!(view.text("due_date"), Some("2026-12-15"));
        assert!(view.conflicts.is_empty());
    }
    assert_eq!(mine.view(), theirs.view());
}

#[test]
fn the_same_field_changed_on_two_laptops_keeps_both_values_until_a_person_resolves_it() {
    let mut mine = new_case();
    let mut theirs = copy_on(&mut mine, 2);

    mine.set_field(
        &path("summary"),
        "Falls at home; carer visits twice a day",
        &amira(5_000),
    )
    .unwrap();
    theirs
        .set_field(
            &path("summary"),
            "Falls at home; needs a grab rail",
            &ben(4_000),
        )
        .unwrap();
    mine.merge(&mut theirs).unwrap();
    theirs.merge(&mut mine).unwrap();

    let conflicts = mine.conflicts();
    assert_eq!(
        conflicts,
        theirs.conflicts(),
        "every laptop sees the same conflict"
    );
    assert_eq!(conflicts.len(), 1);
    let conflict = &conflicts[0];
    assert_eq!(conflict.path, path("summary"));
    let values: Vec<(&str, &str, i64)> = conflict
        .values
        .iter()
        .map(|entry| {
            (
                entry.value.as_text().unwrap(),
                entry.by.as_str(),
                entry.at.millis(),
            )
        })
        .collect();
    assert_eq!(
        values,
        vec![
            ("Falls at home; needs a grab rail", "ben.jones", 4_000),
            (
                "Falls at home; carer visits twice a day",
                "amira.khan",
                5_000
            ),
        ]
    );
    assert_eq!(mine.projection().conflict_count, 1);

    // Only an explicit choice settles it, and the choice syncs like any edit.
    mine.resolve_conflict(
        &path("summary"),
        "Falls at home; carer twice a day; needs a grab rail",
        &amira(6_000),
    )
    .unwrap();
    theirs.merge(&mut mine).unwrap();
    assert!(theirs.conflicts().is_empty());
    assert_eq!(
        theirs.view().text("summary"),
        Some("Falls at home; carer twice a day; needs a grab rail")
    );
}

#[test]
fn resolving_a_field_that_is_not_in_conflict_is_refused() {
    let mut case = new_case();
    let error = case
        .resolve_conflict(&path("summary"), "x", &amira(2_000))
        .unwrap_err();
    assert!(matches!(error, CaseError::NoConflict(_)));
}

#[test]
fn notes_written_on_both_laptops_are_all_kept_and_a_corrected_note_keeps_its_history() {
    let mut mine = new_case();
    let mut theirs = copy_on(&mut mine, 2);

    mine.add_note(
        "NOTE-A",
        "Visited; Mrs Patel was in good spirits.",
        &amira(2_000),
    )
    .unwrap();
    theirs
        .add_note(
            "NOTE-B",
            "Phoned daughter about the grab rail.",
            &ben(2_500),
        )
        .unwrap();
    mine.merge(&mut theirs).unwrap();
    mine.edit_note(
        "NOTE-A",
        "Visited; Mrs Patel was in good spirits. Kitchen tidy.",
        &amira(3_000),
    )
    .unwrap();

    let notes = mine.view().notes;
    assert_eq!(notes.len(), 2);
    assert_eq!(notes[0].id, "NOTE-A");
    assert_eq!(
        notes[0].text,
        "Visited; Mrs Patel was in good spirits. Kitchen tidy."
    );
    assert_eq!(notes[0].revisions.len(), 2, "the original wording is kept");
    assert_eq!(
        notes[0].revisions[0].text,
        "Visited; Mrs Patel was in good spirits."
    );
    assert_eq!(notes[1].author, "ben.jones");
}

#[test]
fn concurrent_typing_in_the_narrative_merges_character_by_character() {
    let mut mine = new_case();
    mine.set_narrative("Lives alone. Uses a frame.", &amira(2_000))
        .unwrap();
    let mut theirs = copy_on(&mut mine, 2);

    mine.splice_narrative(0, 0, "Mrs Patel ", &amira(3_000))
        .unwrap();
    theirs
        .set_narrative("Lives alone. Uses a frame indoors.", &ben(3_100))
        .unwrap();
    mine.merge(&mut theirs).unwrap();
    theirs.merge(&mut mine).unwrap();

    assert_eq!(
        mine.narrative(),
        "Mrs Patel Lives alone. Uses a frame indoors."
    );
    assert_eq!(theirs.narrative(), mine.narrative());
}

#[test]
fn the_workflow_refuses_illegal_steps_and_changes_nothing() {
    let mut case = new_case();
    let before = case.save();
    let error = case
        .set_field(&path("status"), "closed", &amira(2_000))
        .unwrap_err();
    assert!(matches!(
        error,
        CaseError::IllegalTransition {
            from: CaseStatus::Open,
            to: CaseStatus::Closed
        }
    ));
    assert!(error.to_string().contains("Start work on it first"));
    assert_eq!(case.save(), before, "a refused edit leaves no trace");

    for step in [
        "in_progress",
        "awaiting_review",
        "in_progress",
        "awaiting_review",
        "closed",
        "open",
    ] {
        case.set_field(&path("status"), step, &amira(3_000))
            .unwrap();
        assert_eq!(case.status().as_str(), step);
    }
}

#[test]
fn people_with_invalid_identifiers_are_refused_and_nothing_is_saved() {
    let mut case = new_case();
    let before = case.save();
    let error = case
        .add_item(
            SectionKind::Person,
            "PERSON-1",
            &[("name", "Asha Patel"), ("nhs_number", "943 476 5918")],
            &amira(2_000),
        )
        .unwrap_err();
    assert!(error.to_string().contains("NHS number"), "{error}");
    assert_eq!(case.save(), before);

    case.add_item(
        SectionKind::Person,
        "PERSON-1",
        &[
            ("name", "Asha Patel"),
            ("date_of_birth", "1942-05-01"),
            ("nhs_number", "943 476 5919"),
            ("ni_number", "ab 12 34 56 c"),
            ("postcode", "le1 5ww"),
            ("uprn", "000012345678"),
            ("relationship", "Subject of the case"),
        ],
        &amira(2_000),
    )
    .unwrap();
    let person = &case.view().people[0];
    assert_eq!(person.text("nhs_number"), Some("9434765919"));
    assert_eq!(person.text("ni_number"), Some("AB123456C"));
    assert_eq!(person.text("postcode"), Some("LE1 5WW"));
    assert_eq!(person.text("uprn"), Some("000012345678"));

    let error = case
        .set_field(&path("people.PERSON-1.postcode"), "QQ1 1AA", &amira(3_000))
        .unwrap_err();
    assert!(error.to_string().contains("Enter a real postcode"));
    let missing = case
        .set_field(&path("people.NOBODY.name"), "X", &amira(3_000))
        .unwrap_err();
    assert!(matches!(
        missing,
        CaseError::NoSuchItem { noun: "person", .. }
    ));
}

#[test]
fn a_visit_checked_in_but_not_out_shows_its_expected_end_for_lone_working() {
    let mut case = new_case();
    case.add_item(
        SectionKind::Visit,
        "VISIT-1",
        &[("planned_at", "2026-11-28T10:00:00Z")],
        &amira(2_000),
    )
    .unwrap();
    assert_eq!(
        case.projection().next_visit_at.as_deref(),
        Some("2026-11-28T10:00:00.000Z")
    );
    case.set_field(
        &path("visits.VISIT-1.checked_in_at"),
        "2026-11-28T10:02:00Z",
        &amira(3_000),
    )
    .unwrap();
    case.set_field(
        &path("visits.VISIT-1.expected_end"),
        "2026-11-28T11:00:00Z",
        &amira(3_000),
    )
    .unwrap();
    let projection = case.projection();
    assert_eq!(projection.next_visit_at, None);
    assert_eq!(
        projection.open_visit_expected_end.as_deref(),
        Some("2026-11-28T11:00:00.000Z")
    );
    case.set_field(
        &path("visits.VISIT-1.checked_out_at"),
        "2026-11-28T10:55:00Z",
        &amira(4_000),
    )
    .unwrap();
    assert_eq!(case.projection().open_visit_expected_end, None);
}

#[test]
fn tasks_consent_risks_and_attachments_appear_in_the_view_and_projection() {
    let mut case = new_case();
    case.add_item(
        SectionKind::Task,
        "TASK-1",
        &[("title", "Order grab rail"), ("due_date", "2026-12-01")],
        &amira(2_000),
    )
    .unwrap();
    case.add_item(
        SectionKind::Task,
        "TASK-2",
        &[("title", "Call GP"), ("done", "yes")],
        &amira(2_000),
    )
    .unwrap();
    case.add_item(
        SectionKind::Consent,
        "CONSENT-1",
        &[
            ("person", "PERSON-1"),
            ("purpose", "Share assessment with GP"),
            ("decision", "given"),
            ("recorded_at", "2026-11-28T10:30:00Z"),
            ("typed_signature", "Asha Patel"),
        ],
        &amira(2_000),
    )
    .unwrap();
    case.add_item(
        SectionKind::Risk,
        "RISK-1",
        &[("text", "Dog on premises"), ("active", "yes")],
        &amira(2_000),
    )
    .unwrap();
    case.add_attachment(
        &AttachmentMeta {
            sha256: "a".repeat(64),
            name: "hallway.jpg".into(),
            media_type: "image/jpeg".into(),
            size: 123_456,
            added_by: "amira.khan".into(),
            added_at: Timestamp(2_000),
        },
        &amira(2_000),
    )
    .unwrap();

    let projection = case.projection();
    assert_eq!(projection.open_task_count, 1);
    assert_eq!(projection.risk_warnings, vec!["Dog on premises"]);
    let view = case.view();
    assert_eq!(view.consents[0].text("decision"), Some("given"));
    assert_eq!(view.attachments[0].size, 123_456);

    let refused = case
        .add_item(
            SectionKind::Consent,
            "CONSENT-2",
            &[("purpose", "x")],
            &amira(2_000),
        )
        .unwrap_err();
    assert!(
        refused.to_string().contains("cannot be left empty"),
        "{refused}"
    );
}

#[test]
fn the_reference_is_issued_by_the_server_not_typed() {
    let mut case = new_case();
    let error = case
        .set_field(&path("reference"), "DS-1", &amira(2_000))
        .unwrap_err();
    assert!(matches!(error, CaseError::SetByServer(_)));
    case.set_reference("DS-2026-000123", &Editor::new("server", Timestamp(3_000)))
        .unwrap();
    assert_eq!(
        case.projection().reference.as_deref(),
        Some("DS-2026-000123")
    );
}

#[test]
fn a_saved_case_loads_again_and_incremental_saves_carry_only_new_changes() {
    let mut case = new_case();
    let full = case.save();
    case.add_note("NOTE-1", "First visit booked.", &amira(2_000))
        .unwrap();
    let increment = case.save_incremental();
    assert!(!increment.is_empty());
    assert!(
        increment.len() < case.save().len(),
        "an increment is smaller than a full save"
    );

    let mut copy = CaseDocument::load(&full, laptop(3)).unwrap();
    copy.apply_bytes(&increment).unwrap();
    assert_eq!(copy.view(), case.view());
    assert_eq!(copy.heads(), case.heads());
}

#[test]
fn bytes_that_are_not_a_case_are_refused_with_a_clear_error() {
    assert!(matches!(
        CaseDocument::load(b"not automerge", laptop(1)),
        Err(CaseError::Automerge(_))
    ));
    let mut other = automerge::AutoCommit::new();
    use automerge::transaction::Transactable;
    other.put(automerge::ROOT, "hello", "world").unwrap();
    let error = CaseDocument::load(&other.save(), laptop(1)).unwrap_err();
    assert!(matches!(error, CaseError::NotACase(_)));
}

#[test]
fn a_case_from_a_newer_doorstep_is_refused_rather_than_misread() {
    let mut case = new_case();
    let automerge = case.automerge_mut();
    use automerge::transaction::Transactable;
    automerge
        .put(automerge::ROOT, "schema_version", 99_i64)
        .unwrap();
    automerge.commit();
    let error = CaseDocument::load(&case.save(), laptop(2)).unwrap_err();
    assert!(matches!(
        error,
        CaseError::NewerSchema {
            found: 99,
            known: doorstep_core::case::SCHEMA_VERSION
        }
    ));
    assert!(error.to_string().contains("Update Doorstep"));
}

#[test]
fn an_empty_optional_field_clears_it() {
    let mut case = new_case();
    case.set_field(&path("team"), "Adults North", &amira(2_000))
        .unwrap();
    case.set_field(&path("team"), "", &amira(3_000)).unwrap();
    assert_eq!(case.view().fields["team"].value, FieldValue::Empty);
    assert_eq!(case.projection().team, None);
}

#[test]
fn a_case_exported_as_json_imports_into_an_identical_case_on_another_device() {
    let mut case = new_case();
    case.set_field(&path("status"), "in_progress", &amira(2_000))
        .unwrap();
    case.set_field(&path("due_date"), "2027-01-31", &ben(2_100))
        .unwrap();
    case.set_narrative("Lives alone.", &amira(2_200)).unwrap();
    case.add_item(
        SectionKind::Person,
        "PERSON-1",
        &[("name", "Asha Patel"), ("nhs_number", "9434765919")],
        &amira(2_300),
    )
    .unwrap();
    case.add_note("NOTE-1", "First wording", &amira(2_400))
        .unwrap();
    case.edit_note("NOTE-1", "Second wording", &ben(2_500))
        .unwrap();

    let exported = serde_json::to_string(&case.view()).unwrap();
    let view: doorstep_core::case::CaseView = serde_json::from_str(&exported).unwrap();
    let imported =
        CaseDocument::from_view(&view, &Editor::new("importer", Timestamp(9_000)), laptop(5))
            .unwrap();

    let (original, copy) = (case.view(), imported.view());
    assert_eq!(
        copy.fields, original.fields,
        "values, who and when survive the round trip"
    );
    assert_eq!(copy.people, original.people);
    assert_eq!(copy.notes, original.notes, "note history survives");
    assert_eq!(copy.narrative, original.narrative);
    assert_eq!(copy.status_label(), "In progress");
}

#[test]
fn an_imported_case_with_an_invalid_identifier_is_refused() {
    let mut view = new_case().view();
    let mut person = doorstep_core::case::ItemView {
        id: "P1".into(),
        added_by: "legacy".into(),
        added_at: Timestamp(5),
        fields: Default::default(),
    };
    for (field, value) in [("name", "X"), ("ni_number", "ZZ123456A")] {
        person.fields.insert(
            field.into(),
            doorstep_core::case::FieldEntry {
                value: FieldValue::Text(value.into()),
                by: "legacy".into(),
                at: Timestamp(5),
            },
        );
    }
    view.people.push(person);
    let error = CaseDocument::from_view(&view, &amira(9_000), laptop(5)).unwrap_err();
    assert!(error.to_string().contains("National Insurance"), "{error}");
}

#[test]
fn editing_the_narrative_records_who_and_when_so_the_case_moves_up_my_cases() {
    let mut case = new_case();
    case.set_narrative("Lives alone.", &ben(7_000)).unwrap();
    let projection = case.projection();
    assert_eq!(projection.updated_by, "ben.jones");
    assert_eq!(projection.updated_at, Timestamp(7_000));
    case.splice_narrative(0, 0, "Mrs Patel ", &amira(8_000))
        .unwrap();
    assert_eq!(case.view().narrative_edited.unwrap().by, "amira.khan");
}
