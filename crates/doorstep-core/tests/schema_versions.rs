//! A laptop that sat in a drawer still holds drafts written by an older
//! Doorstep. They must open, show and sync, and upgrade when next edited.

#![allow(clippy::unwrap_used)] // test helpers may unwrap, like #[test] functions (clippy.toml)

use automerge::transaction::Transactable;
use automerge::{ActorId, AutoCommit, ObjType, ROOT};
use doorstep_core::case::{CaseDocument, Editor, FieldPath, SCHEMA_VERSION};
use doorstep_core::dates::Timestamp;

/// A case exactly as schema 1 wrote it: no `narrative_edited`.
fn schema_1_case() -> Vec<u8> {
    let mut doc = AutoCommit::new().with_actor(ActorId::from(vec![9; 16]));
    doc.put(ROOT, "schema_version", 1_i64).unwrap();
    doc.put(ROOT, "case_id", "OLD-CASE-1").unwrap();
    doc.put(ROOT, "created_by", "amira.khan").unwrap();
    doc.put(ROOT, "created_at", 1_000_i64).unwrap();
    let fields = doc.put_object(ROOT, "fields", ObjType::Map).unwrap();
    for (field, value) in [
        ("case_type", "housing"),
        ("summary", "Damp in flat 3"),
        ("status", "open"),
    ] {
        let entry = doc.put_object(&fields, field, ObjType::Map).unwrap();
        doc.put(&entry, "value", value).unwrap();
        doc.put(&entry, "by", "amira.khan").unwrap();
        doc.put(&entry, "at", 1_000_i64).unwrap();
    }
    let narrative = doc.put_object(ROOT, "narrative", ObjType::Text).unwrap();
    doc.splice_text(&narrative, 0, 0, "Mould behind the wardrobe.")
        .unwrap();
    for collection in [
        "people",
        "visits",
        "tasks",
        "consents",
        "risks",
        "notes",
        "attachments",
    ] {
        doc.put_object(ROOT, collection, ObjType::Map).unwrap();
    }
    doc.save()
}

#[test]
fn a_draft_from_schema_1_opens_and_shows_everything_it_had() {
    let case = CaseDocument::load(&schema_1_case(), ActorId::from(vec![1; 16])).unwrap();
    assert_eq!(case.schema_version(), 1);
    let view = case.view();
    assert_eq!(view.text("summary"), Some("Damp in flat 3"));
    assert_eq!(view.narrative, "Mould behind the wardrobe.");
    assert_eq!(view.narrative_edited, None, "schema 1 never recorded it");
    assert_eq!(case.projection().updated_by, "amira.khan");
}

#[test]
fn the_first_edit_upgrades_the_draft_in_the_same_change_and_peers_follow() {
    let old_bytes = schema_1_case();
    let mut mine = CaseDocument::load(&old_bytes, ActorId::from(vec![1; 16])).unwrap();
    let mut old_peer = CaseDocument::load(&old_bytes, ActorId::from(vec![2; 16])).unwrap();

    mine.set_narrative(
        "Mould behind the wardrobe and in the bathroom.",
        &Editor::new("ben.jones", Timestamp(5_000)),
    )
    .unwrap();
    assert_eq!(mine.schema_version(), SCHEMA_VERSION);
    assert_eq!(mine.view().narrative_edited.unwrap().by, "ben.jones");

    // A peer still on the old draft edits offline; both merge cleanly.
    old_peer
        .set_field(
            &FieldPath::case("summary"),
            "Damp and mould in flat 3",
            &Editor::new("amira.khan", Timestamp(5_100)),
        )
        .unwrap();
    mine.merge(&mut old_peer).unwrap();
    old_peer.merge(&mut mine).unwrap();
    assert_eq!(mine.view(), old_peer.view());
    assert_eq!(mine.schema_version(), SCHEMA_VERSION);
    assert!(
        mine.conflicts().is_empty(),
        "both upgrades write the same version: {:?}",
        mine.conflicts()
    );
}
