//! One edit, one transaction: everything about it is saved, or none of it.

use doorstep_core::case::{CaseDocument, FieldPath};
use doorstep_core::hlc::HlcTimestamp;
use doorstep_store::{
    AuditAction, COMPACT_AFTER_CHUNKS, CaseFilter, StoreError, SyncState, SyncUpdate,
};

use crate::common::*;

fn search(store: &doorstep_store::DeviceStore, text: &str) -> Vec<String> {
    store
        .list_cases(&CaseFilter {
            text: Some(text.into()),
            ..CaseFilter::default()
        })
        .unwrap()
        .into_iter()
        .map(|row| row.case_id)
        .collect()
}

#[test]
fn an_edit_saves_document_projection_search_outbox_and_audit_together() {
    let (_temp, data_dir) = fresh_data_dir();
    let mut store = open(&data_dir);
    let mut case = create_case(&mut store, "case-1", "housing", "Damp in the bedroom", 0);
    add_person(
        &mut store,
        &mut case,
        "p1",
        &[("name", "Margaret Ellery"), ("nhs_number", "943 476 5919")],
        5,
    );
    add_note(
        &mut store,
        &mut case,
        "n1",
        "Black mould behind the wardrobe",
        10,
    );
    case.set_narrative("Ventilation in the flat is poor.", &editor("a.khan", 12))
        .unwrap();
    store
        .commit_edit(
            &mut case,
            "Edited the assessment narrative",
            &event(
                "a.khan",
                AuditAction::Edited,
                "case-1",
                "Edited the narrative",
                12,
            ),
        )
        .unwrap();
    let heads_now = {
        let mut heads = case.heads();
        heads.sort();
        heads
    };
    store.close().unwrap();

    // Everything is there after a restart.
    let store = open(&data_dir);
    let loaded = store.load_case("case-1").unwrap();
    let view = loaded.view();
    assert_eq!(view.people[0].text("name"), Some("Margaret Ellery"));
    assert_eq!(view.people[0].text("nhs_number"), Some("9434765919"));
    assert_eq!(view.notes[0].text, "Black mould behind the wardrobe");
    assert_eq!(view.narrative, "Ventilation in the flat is poor.");

    let rows = store.list_cases(&CaseFilter::default()).unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(
        rows[0],
        loaded.projection(),
        "the projection is the document's"
    );
    assert_eq!(rows[0].people_names, vec!["Margaret Ellery".to_string()]);
    assert_eq!(rows[0].note_count, 1);
    // The narrative edit at 12 was the last change, so it dates the case.
    assert_eq!(rows[0].updated_at, at(12));

    assert_eq!(search(&store, "wardrobe"), vec!["case-1"]);
    assert_eq!(search(&store, "Ellery"), vec!["case-1"]);
    assert_eq!(search(&store, "ventilation"), vec!["case-1"]);

    let outbox = store.outbox().unwrap();
    let descriptions: Vec<&str> = outbox.iter().map(|e| e.description.as_str()).collect();
    assert_eq!(
        descriptions,
        [
            "Opened the case",
            "Added a person",
            "Added a note",
            "Edited the assessment narrative"
        ]
    );
    assert_eq!(store.unsynced_change_count().unwrap(), 4);
    assert_eq!(outbox.last().unwrap().heads, heads_now);
    assert_eq!(outbox.last().unwrap().created_at, at(12));
    assert!(outbox.windows(2).all(|w| w[0].hlc < w[1].hlc));

    let log = store.audit_log(Some("case-1")).unwrap();
    let actions: Vec<&str> = log.iter().map(|r| r.action.as_str()).collect();
    assert_eq!(actions, ["created", "edited", "edited", "edited"]);
    assert_eq!(
        log.iter().map(|r| r.hlc.clone()).collect::<Vec<_>>(),
        outbox.iter().map(|e| e.hlc.clone()).collect::<Vec<_>>(),
        "each edit's outbox entry and audit event share one clock reading"
    );
    assert!(store.verify_audit().unwrap().is_intact());
    assert_eq!(
        store.sync_state("case-1").unwrap().state,
        SyncState::LocalOnly
    );
    assert!(store.integrity_check().unwrap().is_empty());
}

/// Snapshot of every place an edit writes to.
#[derive(Debug, PartialEq)]
struct Footprint {
    chunks: i64,
    document_heads: String,
    projection: String,
    search_hits: i64,
    outbox: i64,
    audit: i64,
    last_hlc: String,
    sync: String,
}

fn footprint(data_dir: &std::path::Path, word: &str) -> Footprint {
    let conn = raw_connection(data_dir);
    let text = |sql: &str| -> String { conn.query_row(sql, [], |row| row.get(0)).unwrap() };
    Footprint {
        chunks: count(&conn, "SELECT count(*) FROM case_changes"),
        document_heads: text("SELECT heads FROM case_documents"),
        projection: text("SELECT notes_text || note_count || updated_at FROM case_projection"),
        search_hits: conn
            .query_row(
                "SELECT count(*) FROM case_search WHERE case_search MATCH ?1",
                [word],
                |row| row.get(0),
            )
            .unwrap(),
        outbox: count(&conn, "SELECT count(*) FROM outbox"),
        audit: count(&conn, "SELECT count(*) FROM audit_log"),
        last_hlc: text("SELECT last_hlc FROM device"),
        sync: text("SELECT state || updated_at FROM sync_state"),
    }
}

#[test]
fn a_failure_midway_through_an_edit_leaves_nothing_of_it() {
    let (_temp, data_dir) = fresh_data_dir();
    let mut store = open(&data_dir);
    let mut case = create_case(&mut store, "case-1", "housing", "Damp in the bedroom", 0);
    add_note(&mut store, &mut case, "n1", "First visit done", 1);
    let before = footprint(&data_dir, "gasleak");

    // Make the last write of an edit fail: the audit row is inserted after
    // the document chunk, projection, search entry, outbox entry, sync badge
    // and clock, so everything else has already been written when it fails.
    raw_connection(&data_dir)
        .execute_batch(
            "CREATE TRIGGER fail_audit BEFORE INSERT ON audit_log WHEN new.detail = 'boom'
             BEGIN SELECT RAISE(ABORT, 'injected failure'); END;",
        )
        .unwrap();
    case.add_note(
        "n2",
        "Smell of gasleak in the hallway",
        &editor("a.khan", 2),
    )
    .unwrap();
    let error = store
        .commit_edit(
            &mut case,
            "Added a note",
            &event("a.khan", AuditAction::Edited, "case-1", "boom", 2),
        )
        .unwrap_err();
    assert!(matches!(error, StoreError::Database { .. }), "{error:?}");
    assert!(error.to_string().contains("injected failure"), "{error}");
    assert!(error.to_string().contains("try again"), "{error}");

    assert_eq!(
        footprint(&data_dir, "gasleak"),
        before,
        "nothing of the failed edit remains"
    );
    assert_eq!(before.search_hits, 0);
    let saved = store.load_case("case-1").unwrap();
    assert_eq!(
        saved.view().notes.len(),
        1,
        "the saved case does not have the note"
    );
    assert_eq!(
        case.view().notes.len(),
        2,
        "the copy in memory still does: reload it"
    );
    assert!(store.verify_audit().unwrap().is_intact());

    // What the caller is told to do: reload, and the store carries on.
    raw_connection(&data_dir)
        .execute_batch("DROP TRIGGER fail_audit;")
        .unwrap();
    let mut reloaded = store.load_case("case-1").unwrap();
    add_note(&mut store, &mut reloaded, "n3", "Called the landlord", 3);
    let after = footprint(&data_dir, "landlord");
    assert_eq!(after.outbox, before.outbox + 1);
    assert_eq!(after.audit, before.audit + 1);
    assert_eq!(after.search_hits, 1);
    assert!(store.verify_audit().unwrap().is_intact());
    assert!(store.integrity_check().unwrap().is_empty());
}

#[test]
fn after_a_failed_commit_the_same_document_saves_both_changes_next_time() {
    // The store saves everything after the heads on disk, not after the
    // document's own save marker, so a caller that keeps the copy in memory
    // after a failure loses nothing and corrupts nothing.
    let (_temp, data_dir) = fresh_data_dir();
    let mut store = open(&data_dir);
    let mut case = create_case(&mut store, "case-1", "housing", "Damp in the bedroom", 0);
    raw_connection(&data_dir)
        .execute_batch(
            "CREATE TRIGGER fail_outbox BEFORE INSERT ON outbox
             BEGIN SELECT RAISE(ABORT, 'injected failure'); END;",
        )
        .unwrap();
    case.add_note("n1", "First note", &editor("a.khan", 1))
        .unwrap();
    assert!(
        store
            .commit_edit(
                &mut case,
                "Added a note",
                &event("a.khan", AuditAction::Edited, "case-1", "x", 1)
            )
            .is_err()
    );
    raw_connection(&data_dir)
        .execute_batch("DROP TRIGGER fail_outbox;")
        .unwrap();
    add_note(&mut store, &mut case, "n2", "Second note", 2);

    let loaded = store.load_case("case-1").unwrap();
    let notes: Vec<String> = loaded.view().notes.into_iter().map(|n| n.text).collect();
    assert_eq!(notes, ["First note", "Second note"]);
    assert_eq!(
        store.list_cases(&CaseFilter::default()).unwrap()[0].note_count,
        2
    );
}

#[test]
fn a_new_case_stays_local_only_until_the_server_has_it_and_edits_queue_it_after() {
    let (_temp, data_dir) = fresh_data_dir();
    let mut store = open(&data_dir);
    let mut case = create_case(&mut store, "case-1", "housing", "Damp in the bedroom", 0);
    add_note(&mut store, &mut case, "n1", "First note", 1);
    let status = store.sync_state("case-1").unwrap();
    assert_eq!(status.state, SyncState::LocalOnly);
    assert!(status.acknowledged_heads.is_empty());

    store
        .set_sync_state("case-1", SyncUpdate::Uploading, at(2))
        .unwrap();
    assert_eq!(
        store.sync_state("case-1").unwrap().state,
        SyncState::Uploading
    );
    let heads = case.heads();
    store
        .set_sync_state("case-1", SyncUpdate::Acknowledged { heads: &heads }, at(3))
        .unwrap();
    let status = store.sync_state("case-1").unwrap();
    assert_eq!(status.state, SyncState::Acknowledged);
    assert_eq!(status.acknowledged_heads.len(), heads.len());
    assert_eq!(status.updated_at, at(3));

    add_note(&mut store, &mut case, "n2", "Second note", 4);
    let status = store.sync_state("case-1").unwrap();
    assert_eq!(
        status.state,
        SyncState::Queued,
        "an edit after an acknowledgement is queued"
    );
    assert_eq!(
        status.acknowledged_heads.len(),
        heads.len(),
        "the last acknowledgement is kept"
    );

    store
        .set_sync_state(
            "case-1",
            SyncUpdate::Rejected {
                reason: "You no longer have access",
            },
            at(5),
        )
        .unwrap();
    let status = store.sync_state("case-1").unwrap();
    assert_eq!(status.state, SyncState::Rejected);
    assert_eq!(
        status.rejection_reason.as_deref(),
        Some("You no longer have access")
    );
    store
        .set_sync_state("case-1", SyncUpdate::Conflict, at(6))
        .unwrap();
    assert_eq!(store.sync_state("case-1").unwrap().rejection_reason, None);

    assert!(matches!(
        store.set_sync_state("case-1", SyncUpdate::Rejected { reason: " " }, at(7)),
        Err(StoreError::InvalidAuditEvent(_))
    ));
    assert!(matches!(
        store.set_sync_state("nope", SyncUpdate::Queued, at(7)),
        Err(StoreError::CaseNotFound(_))
    ));
    assert!(matches!(
        store.sync_state("nope"),
        Err(StoreError::CaseNotFound(_))
    ));
    let bad = raw_connection(&data_dir).execute("UPDATE sync_state SET state = 'synced'", []);
    assert!(bad.is_err(), "the database allows only the six states");
}

#[test]
fn a_case_is_created_once_and_an_import_saves_all_of_its_cases_or_none() {
    let (_temp, data_dir) = fresh_data_dir();
    let mut store = open(&data_dir);
    create_case(&mut store, "case-1", "housing", "Damp in the bedroom", 0);
    let mut again = CaseDocument::create(
        doorstep_core::case::NewCase {
            id: "case-1".into(),
            case_type: "housing".into(),
            summary: "Again".into(),
        },
        &editor("a.khan", 1),
        store.device_actor(),
    )
    .unwrap();
    let error = store
        .create_case(
            &mut again,
            &event("a.khan", AuditAction::Created, "case-1", "Opened", 1),
        )
        .unwrap_err();
    assert!(matches!(error, StoreError::CaseExists(_)), "{error:?}");

    let actor = store.device_actor();
    let new = |id: &str| {
        CaseDocument::create(
            doorstep_core::case::NewCase {
                id: id.into(),
                case_type: "housing".into(),
                summary: format!("Imported {id}"),
            },
            &editor("importer", 2),
            actor.clone(),
        )
        .unwrap()
    };
    let import = doorstep_store::AuditEvent {
        user: "importer".into(),
        action: AuditAction::Imported,
        case_id: None,
        detail: "Imported from the old system".into(),
        device_time: at(2),
    };
    let mut batch = vec![new("case-2"), new("case-3"), again];
    assert!(matches!(
        store.create_cases(&mut batch, &import),
        Err(StoreError::CaseExists(_))
    ));
    assert_eq!(
        store.case_count().unwrap(),
        1,
        "none of the batch was saved"
    );
    assert_eq!(store.unsynced_change_count().unwrap(), 1);

    let mut batch = vec![new("case-2"), new("case-3")];
    store.create_cases(&mut batch, &import).unwrap();
    assert_eq!(store.case_count().unwrap(), 3);
    let imported: Vec<_> = store
        .audit_log(None)
        .unwrap()
        .into_iter()
        .filter(|r| r.action == "imported")
        .map(|r| r.case_id.unwrap())
        .collect();
    assert_eq!(
        imported,
        ["case-2", "case-3"],
        "one audit event per imported case"
    );
    assert_eq!(store.outbox().unwrap()[2].description, "Imported the case");
}

#[test]
fn an_edit_made_on_a_stale_copy_is_refused_rather_than_saved_wrongly() {
    let (_temp, data_dir) = fresh_data_dir();
    let mut store = open(&data_dir);
    create_case(&mut store, "case-1", "housing", "Damp in the bedroom", 0);
    // The app and the CLI each loaded the case.
    let mut in_app = store.load_case("case-1").unwrap();
    let mut in_cli = store.load_case("case-1").unwrap();
    add_note(&mut store, &mut in_app, "n1", "Written in the app", 1);
    in_cli
        .add_note("n2", "Written in the CLI", &editor("a.khan", 2))
        .unwrap();
    let error = store
        .commit_edit(
            &mut in_cli,
            "Added a note",
            &event("a.khan", AuditAction::Edited, "case-1", "x", 2),
        )
        .unwrap_err();
    assert!(
        matches!(error, StoreError::CaseChangedElsewhere(_)),
        "{error:?}"
    );
    assert!(
        error
            .to_string()
            .contains("Open the case again and redo the change")
    );
    let notes: Vec<String> = store
        .load_case("case-1")
        .unwrap()
        .view()
        .notes
        .into_iter()
        .map(|n| n.text)
        .collect();
    assert_eq!(notes, ["Written in the app"]);
}

#[test]
fn many_edits_fold_into_a_new_full_save_and_load_back_the_same() {
    let (_temp, data_dir) = fresh_data_dir();
    let mut store = open(&data_dir);
    let mut case = create_case(&mut store, "case-1", "housing", "Damp in the bedroom", 0);
    let edits = 2 * COMPACT_AFTER_CHUNKS + 10;
    for n in 0..edits {
        add_note(
            &mut store,
            &mut case,
            &format!("n{n}"),
            &format!("note {n}"),
            n,
        );
    }
    let conn = raw_connection(&data_dir);
    let chunks = count(&conn, "SELECT count(*) FROM case_changes");
    assert!(chunks <= COMPACT_AFTER_CHUNKS, "{chunks} chunks");
    let (base_heads, heads): (String, String) = conn
        .query_row("SELECT base_heads, heads FROM case_documents", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .unwrap();
    assert_ne!(
        base_heads, heads,
        "some edits since the last fold are still separate chunks"
    );

    let loaded = store.load_case("case-1").unwrap();
    assert_eq!(loaded.view().notes.len() as i64, edits);
    assert_eq!(loaded.view(), case.view());
    let (mut a, mut b) = (loaded, case);
    let (mut ha, mut hb) = (a.heads(), b.heads());
    ha.sort();
    hb.sort();
    assert_eq!(ha, hb);
}

#[test]
fn a_missing_saved_change_is_reported_as_damage_not_silently_dropped() {
    let (_temp, data_dir) = fresh_data_dir();
    let mut store = open(&data_dir);
    let mut case = create_case(&mut store, "case-1", "housing", "Damp in the bedroom", 0);
    add_note(&mut store, &mut case, "n1", "note one", 1);
    add_note(&mut store, &mut case, "n2", "note two", 2);
    raw_connection(&data_dir)
        .execute("DELETE FROM case_changes WHERE seq = 2", [])
        .unwrap();
    let error = store.load_case("case-1").unwrap_err();
    assert!(matches!(error, StoreError::Damaged { .. }), "{error:?}");
    assert!(
        error
            .to_string()
            .contains("some of its saved changes are missing"),
        "{error}"
    );
}

#[test]
fn the_clock_keeps_order_when_the_device_clock_goes_back_and_across_restarts() {
    let (_temp, data_dir) = fresh_data_dir();
    let mut store = open(&data_dir);
    let mut case = create_case(&mut store, "case-1", "housing", "Damp", 30);
    // The laptop's clock is corrected backwards by 20 minutes.
    add_note(&mut store, &mut case, "n1", "after the correction", 10);
    store
        .record_audit(&event(
            "a.khan",
            AuditAction::Viewed,
            "case-1",
            "Viewed",
            10,
        ))
        .unwrap();
    store.close().unwrap();
    let mut store = open(&data_dir);
    store
        .record_audit(&event("a.khan", AuditAction::Viewed, "case-1", "Viewed", 5))
        .unwrap();

    let readings: Vec<HlcTimestamp> = store
        .audit_log(None)
        .unwrap()
        .iter()
        .map(|r| HlcTimestamp::parse(&r.hlc).unwrap())
        .collect();
    assert_eq!(readings.len(), 4);
    assert!(readings.windows(2).all(|w| w[0] < w[1]), "{readings:?}");
    assert!(readings.iter().all(|r| r.wall_millis == at(30).millis()));
    assert!(readings.iter().all(|r| r.node == store.device_id()));
    let device_times: Vec<_> = store
        .audit_log(None)
        .unwrap()
        .iter()
        .map(|r| r.device_time)
        .collect();
    assert_eq!(
        device_times,
        [at(30), at(10), at(10), at(5)],
        "device time is kept as it was"
    );
}

#[test]
fn an_unchanged_document_saves_nothing() {
    let (_temp, data_dir) = fresh_data_dir();
    let mut store = open(&data_dir);
    let mut case = create_case(&mut store, "case-1", "housing", "Damp", 0);
    store
        .commit_edit(
            &mut case,
            "Nothing",
            &event("a.khan", AuditAction::Edited, "case-1", "x", 1),
        )
        .unwrap();
    assert_eq!(store.unsynced_change_count().unwrap(), 1);
    assert_eq!(store.audit_log(None).unwrap().len(), 1);
}

#[test]
fn an_edit_must_be_described_and_attributed_to_its_own_case() {
    let (_temp, data_dir) = fresh_data_dir();
    let mut store = open(&data_dir);
    let mut case = create_case(&mut store, "case-1", "housing", "Damp", 0);
    case.set_field(
        &FieldPath::case("team"),
        "Housing north",
        &editor("a.khan", 1),
    )
    .unwrap();
    let wrong_case = event("a.khan", AuditAction::Edited, "case-2", "Changed team", 1);
    let error = store
        .commit_edit(&mut case, "Changed team", &wrong_case)
        .unwrap_err();
    assert!(error.to_string().contains("names case case-2"), "{error}");
    let nobody = event(" ", AuditAction::Edited, "case-1", "Changed team", 1);
    assert!(
        store
            .commit_edit(&mut case, "Changed team", &nobody)
            .is_err()
    );
    let fine = event("a.khan", AuditAction::Edited, "case-1", "Changed team", 1);
    assert!(store.commit_edit(&mut case, "  ", &fine).is_err());
    let long = event(
        "a.khan",
        AuditAction::Edited,
        "case-1",
        &"x".repeat(2_001),
        1,
    );
    assert!(store.commit_edit(&mut case, "Changed team", &long).is_err());
    assert_eq!(
        store.unsynced_change_count().unwrap(),
        1,
        "none of those saved anything"
    );
    store.commit_edit(&mut case, "Changed team", &fine).unwrap();
    assert_eq!(
        store.list_cases(&CaseFilter::default()).unwrap()[0]
            .team
            .as_deref(),
        Some("Housing north")
    );
}
