//! What stays on a laptop: a change leaves the outbox only when the server
//! acknowledged it, and a case leaves the laptop only when nothing of it
//! waits to be sent; both are recorded in the audit log.

use doorstep_core::case::FieldPath;
use doorstep_store::{AuditAction, RefusedPush, ServerAnswer, SyncState};

use crate::common::*;

const DAY: i64 = 24 * 60;

fn answer(acknowledged: Vec<(String, Vec<automerge::ChangeHash>)>) -> ServerAnswer {
    ServerAnswer {
        server_url: "https://doorstep.example.gov.uk/".into(),
        user: "a.khan".into(),
        cursor: 10,
        acknowledged,
        refused: Vec::new(),
        received: Vec::new(),
        removed: Vec::new(),
        at: at(0),
    }
}

#[test]
fn a_closed_case_leaves_the_laptop_after_its_keep_period_only_once_the_server_has_it() {
    let (_temp, dir) = fresh_data_dir();
    let mut store = open(&dir);
    let old = -40 * DAY;
    let mut closed = create_case(&mut store, "CLOSED-1", "housing", "Repairs done", old);
    for status in ["in_progress", "awaiting_review", "closed"] {
        closed
            .set_field(&FieldPath::case("status"), status, &editor("a.khan", old))
            .unwrap();
    }
    store
        .commit_edit(
            &mut closed,
            "Closed the case",
            &event("a.khan", AuditAction::Edited, "CLOSED-1", "Closed", old),
        )
        .unwrap();
    create_case(&mut store, "OPEN-1", "housing", "Still going", old);
    let cutoff = at(-30 * DAY);
    assert_eq!(store.closed_cases_before(cutoff).unwrap(), ["CLOSED-1"]);

    // Its changes have not reached the server: it stays.
    let ids = vec!["CLOSED-1".to_owned()];
    assert_eq!(
        store
            .remove_cases(&ids, "a.khan", "keep period", at(0))
            .unwrap(),
        0
    );
    assert!(store.has_case("CLOSED-1").unwrap());

    // The server acknowledges everything; the outbox empties; then it may go.
    let heads = closed.heads();
    let report = store
        .apply_server_answer(&answer(vec![("CLOSED-1".into(), heads)]))
        .unwrap();
    assert_eq!(report.outbox_cleared, 2);
    assert_eq!(
        store.sync_state("CLOSED-1").unwrap().state,
        SyncState::Acknowledged
    );
    assert_eq!(
        store
            .remove_cases(&ids, "a.khan", "keep period", at(0))
            .unwrap(),
        1
    );
    assert!(!store.has_case("CLOSED-1").unwrap());
    assert!(store.has_case("OPEN-1").unwrap());
    let audit = store.audit_log(Some("CLOSED-1")).unwrap();
    assert_eq!(audit.last().unwrap().action, "removed");
    assert!(store.verify_audit().unwrap().is_intact());
}

#[test]
fn an_acknowledgement_clears_only_the_edits_it_contains_and_a_refusal_keeps_the_rest() {
    let (_temp, dir) = fresh_data_dir();
    let mut store = open(&dir);
    let mut case = create_case(&mut store, "CASE-1", "housing", "Damp", 0);
    let first_heads = case.heads();
    add_note(
        &mut store,
        &mut case,
        "N1",
        "A note the server has not seen",
        1,
    );
    assert_eq!(store.outbox().unwrap().len(), 2);

    // The server stored the case as first sent, not the note.
    let report = store
        .apply_server_answer(&answer(vec![("CASE-1".into(), first_heads)]))
        .unwrap();
    assert_eq!(report.outbox_cleared, 1);
    let waiting = store.outbox().unwrap();
    assert_eq!(waiting.len(), 1);
    assert_eq!(waiting[0].description, "Added a note");
    assert_eq!(store.sync_state("CASE-1").unwrap().state, SyncState::Queued);
    assert!(!store.everything_acknowledged().unwrap());

    // A refusal keeps the note, marks the case, and says why.
    let mut refused = answer(Vec::new());
    refused.refused.push(RefusedPush {
        case_id: "CASE-1".into(),
        code: "not_your_case".into(),
        message: "This case is no longer yours.".into(),
    });
    store.apply_server_answer(&refused).unwrap();
    let state = store.sync_state("CASE-1").unwrap();
    assert_eq!(state.state, SyncState::Rejected);
    assert_eq!(
        state.rejection_reason.as_deref(),
        Some("This case is no longer yours.")
    );
    assert_eq!(store.outbox().unwrap().len(), 1);
    assert!(
        store.cases_to_send().unwrap().is_empty(),
        "not resent until edited again"
    );

    // The server names it removed: it stays while the note waits.
    let mut removed = answer(Vec::new());
    removed.removed.push("CASE-1".into());
    let report = store.apply_server_answer(&removed).unwrap();
    assert_eq!((report.removed, report.removal_deferred), (0, 1));
    assert!(store.has_case("CASE-1").unwrap());
}
