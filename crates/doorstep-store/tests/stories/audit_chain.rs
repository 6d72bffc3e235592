//! The audit log: every view, change and export, chained so tampering shows.

use doorstep_store::{AuditAction, AuditEvent, AuditRecord, GENESIS_HASH};

use crate::common::*;

/// Five events: created, edited, viewed, exported, and a view of no case.
fn a_mornings_work(data_dir: &std::path::Path) -> doorstep_store::DeviceStore {
    let mut store = open(data_dir);
    let mut case = create_case(&mut store, "case-1", "housing", "Damp in the bedroom", 0);
    add_note(&mut store, &mut case, "n1", "Visited; mould confirmed", 5);
    store
        .record_audit(&event(
            "b.jones",
            AuditAction::Viewed,
            "case-1",
            "Viewed the case",
            6,
        ))
        .unwrap();
    store
        .record_audit(&event(
            "b.jones",
            AuditAction::Exported,
            "case-1",
            "Exported as JSON",
            7,
        ))
        .unwrap();
    store
        .record_audit(&AuditEvent {
            user: "b.jones".into(),
            action: AuditAction::Viewed,
            case_id: None,
            detail: "Viewed the team caseload".into(),
            device_time: at(8),
        })
        .unwrap();
    store
}

#[test]
fn every_action_is_chained_and_the_chain_verifies() {
    let (_temp, data_dir) = fresh_data_dir();
    let store = a_mornings_work(&data_dir);
    let log = store.audit_log(None).unwrap();
    let summary: Vec<(u64, &str, &str, Option<&str>)> = log
        .iter()
        .map(|r| {
            (
                r.seq,
                r.user.as_str(),
                r.action.as_str(),
                r.case_id.as_deref(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            (1, "a.khan", "created", Some("case-1")),
            (2, "a.khan", "edited", Some("case-1")),
            (3, "b.jones", "viewed", Some("case-1")),
            (4, "b.jones", "exported", Some("case-1")),
            (5, "b.jones", "viewed", None),
        ]
    );
    assert_eq!(log[0].prev_hash, GENESIS_HASH);
    for pair in log.windows(2) {
        assert_eq!(pair[1].prev_hash, pair[0].hash);
    }
    assert!(log.iter().all(|r| r.compute_hash() == r.hash));
    assert_eq!(log[3].device_time, at(7));
    assert_eq!(store.audit_log(Some("case-1")).unwrap().len(), 4);

    let report = store.verify_audit().unwrap();
    assert!(report.is_intact());
    assert_eq!(report.events, 5);
    assert_eq!(report.head_hash.as_deref(), Some(log[4].hash.as_str()));
    let json = serde_json::to_value(&report).unwrap();
    assert_eq!(json["events"], 5);
    assert_eq!(json["broken"], serde_json::Value::Null);
}

#[test]
fn the_log_refuses_changes_through_the_store_database() {
    let (_temp, data_dir) = fresh_data_dir();
    let store = a_mornings_work(&data_dir);
    let error = raw_connection(&data_dir)
        .execute("UPDATE audit_log SET detail = 'x' WHERE seq = 1", [])
        .unwrap_err();
    assert!(error.to_string().contains("append-only"), "{error}");
    let error = raw_connection(&data_dir)
        .execute("DELETE FROM audit_log WHERE seq = 1", [])
        .unwrap_err();
    assert!(error.to_string().contains("append-only"), "{error}");
    assert!(store.verify_audit().unwrap().is_intact());
}

/// Someone with the key drops the append-only triggers first.
fn tamper(data_dir: &std::path::Path, sql: &str) {
    raw_connection(data_dir)
        .execute_batch(&format!(
            "DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete; {sql}"
        ))
        .unwrap();
}

#[test]
fn changing_one_event_is_detected_and_named() {
    let (_temp, data_dir) = fresh_data_dir();
    let store = a_mornings_work(&data_dir);
    tamper(
        &data_dir,
        "UPDATE audit_log SET user = 'someone.else' WHERE seq = 3;",
    );
    let report = store.verify_audit().unwrap();
    assert!(!report.is_intact());
    assert_eq!(report.first_broken_seq(), Some(3));
    let reason = &report.broken.as_ref().unwrap().reason;
    assert!(
        reason.contains("event 3 was changed after it was recorded"),
        "{reason}"
    );
    assert_eq!(report.events, 5);
}

#[test]
fn removing_an_event_is_detected_and_named() {
    let (_temp, data_dir) = fresh_data_dir();
    let store = a_mornings_work(&data_dir);
    tamper(&data_dir, "DELETE FROM audit_log WHERE seq = 4;");
    let report = store.verify_audit().unwrap();
    assert_eq!(report.first_broken_seq(), Some(4));
    assert!(report.broken.unwrap().reason.contains("event 4 is missing"));
}

#[test]
fn an_event_rewritten_with_a_fresh_hash_breaks_the_link_to_the_next() {
    let (_temp, data_dir) = fresh_data_dir();
    let store = a_mornings_work(&data_dir);
    // A careful forger recomputes event 2's own hash.
    let mut forged: AuditRecord = store.audit_log(None).unwrap()[1].clone();
    forged.detail = "Nothing happened".into();
    forged.hash = forged.compute_hash();
    tamper(
        &data_dir,
        &format!(
            "UPDATE audit_log SET detail = 'Nothing happened', hash = '{}' WHERE seq = 2;",
            forged.hash
        ),
    );
    let report = store.verify_audit().unwrap();
    assert_eq!(report.first_broken_seq(), Some(3));
    assert!(
        report
            .broken
            .unwrap()
            .reason
            .contains("does not follow on from event 2")
    );
}

#[test]
fn new_events_after_a_restart_continue_the_same_chain() {
    let (_temp, data_dir) = fresh_data_dir();
    let store = a_mornings_work(&data_dir);
    let head = store.verify_audit().unwrap().head_hash.unwrap();
    store.close().unwrap();
    let mut store = open(&data_dir);
    store
        .record_audit(&event(
            "a.khan",
            AuditAction::Viewed,
            "case-1",
            "Viewed",
            60,
        ))
        .unwrap();
    let log = store.audit_log(None).unwrap();
    assert_eq!(log[5].seq, 6);
    assert_eq!(log[5].prev_hash, head);
    assert!(store.verify_audit().unwrap().is_intact());
}
