#![allow(clippy::unwrap_used)] // test helpers may unwrap, like #[test] functions (clippy.toml)
//! Cases on the server: devices push changes, the server keeps them as
//! chunks with a cursor, unchanged cases cost nothing, concurrent edits keep
//! both values, and the audit log notices tampering.

use doorstep_core::case::{CaseDocument, Editor, FieldPath};
use doorstep_core::dates::Timestamp;
use doorstep_stories::{
    ServerProcess, Session, new_case, post_json, push, server_admin, server_with_people, sign_in,
    unbase64,
};
use serde_json::json;

const PASSWORD: &str = "a long council password";

fn setup() -> (tempfile::TempDir, ServerProcess) {
    server_with_people(
        &[
            ("amy", "caseworker", Some("North")),
            ("sam", "team-lead", Some("North")),
        ],
        PASSWORD,
    )
}

fn sync(server: &ServerProcess, session: &Session, since: i64) -> serde_json::Value {
    let response = post_json(
        server.address,
        "/v1/sync",
        Some(&session.access),
        &json!({ "protocol": 1, "since": since }),
    );
    assert_eq!(response.status, 200, "{}", response.body);
    response.json()
}

fn editor(user: &str, minute: i64) -> Editor {
    Editor::new(user, Timestamp(1_795_000_000_000 + minute * 60_000))
}

/// Applies every chunk the server sent for `case_id` to `document`.
fn apply(document: &mut CaseDocument, response: &serde_json::Value, case_id: &str) {
    let case = response["cases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|case| case["case_id"] == case_id)
        .unwrap_or_else(|| panic!("{case_id} not in {response}"));
    for chunk in case["chunks"].as_array().unwrap() {
        document
            .apply_bytes(&unbase64(chunk.as_str().unwrap()))
            .unwrap();
    }
}

#[test]
fn a_cursor_brings_only_the_cases_that_changed_and_only_their_new_changes() {
    let (_dir, server) = setup();
    let amy = sign_in(server.address, "amy", PASSWORD, "amy-laptop");
    let sam = sign_in(server.address, "sam", PASSWORD, "sam-laptop");

    let mut amys: Vec<CaseDocument> = (0..30)
        .map(|n| {
            new_case(
                &format!("C{n:03}"),
                "housing",
                &format!("Case {n}"),
                "amy",
                Some("North"),
                Some("amy"),
            )
        })
        .collect();
    for case in &mut amys {
        let id = case.id().to_owned();
        let response = push(server.address, &amy, &id, &case.save()).json();
        let heads: Vec<String> = case.heads().iter().map(ToString::to_string).collect();
        assert_eq!(
            response["acknowledged"][0]["heads"],
            json!(heads),
            "the server stored exactly amy's heads"
        );
    }

    // The team lead's new device gets all 30 in its first sync.
    let first = sync(&server, &sam, 0);
    assert_eq!(first["cases"].as_array().unwrap().len(), 30);
    assert_eq!(first["more"], false);
    let cursor = first["cursor"].as_i64().unwrap();
    let mut sams_copy = CaseDocument::load(&amys[7].save(), automerge::ActorId::random()).unwrap();

    // Amy changes one case.
    let before = amys[7].heads();
    amys[7]
        .add_note(
            "N1",
            "Visited; the damp is worse in the back bedroom.",
            &editor("amy", 5),
        )
        .unwrap();
    let change = amys[7].automerge_mut().save_after(&before);
    assert_eq!(push(server.address, &amy, "C007", &change).status, 200);

    let next = sync(&server, &sam, cursor);
    let cases = next["cases"].as_array().unwrap();
    assert_eq!(cases.len(), 1, "only the changed case comes down: {next}");
    assert_eq!(cases[0]["case_id"], "C007");
    assert_eq!(
        cases[0]["chunks"].as_array().unwrap().len(),
        1,
        "only the new change"
    );
    apply(&mut sams_copy, &next, "C007");
    assert_eq!(sams_copy.heads(), amys[7].heads());
    assert_eq!(sams_copy.view().notes.len(), 1);

    // Nothing changed since: nothing comes down, and the cursor holds.
    let idle = sync(&server, &sam, next["cursor"].as_i64().unwrap());
    assert!(idle["cases"].as_array().unwrap().is_empty());
    assert_eq!(idle["cursor"], next["cursor"]);

    // Amy's own device is not sent back what it pushed since it last synced...
    let own = sync(&server, &amy, cursor);
    assert!(own["cases"].as_array().unwrap().is_empty(), "{own}");
    // ...but a device starting from nothing (its data lost) gets everything.
    let fresh = sync(&server, &amy, 0);
    assert_eq!(fresh["cases"].as_array().unwrap().len(), 30);
}

#[test]
fn many_small_edits_are_compacted_and_a_new_device_still_gets_the_whole_case() {
    let (_dir, server) = setup();
    let amy = sign_in(server.address, "amy", PASSWORD, "amy-laptop");
    let sam = sign_in(server.address, "sam", PASSWORD, "sam-laptop");
    let mut case = new_case(
        "LONG-1",
        "housing",
        "Noisy neighbours",
        "amy",
        Some("North"),
        Some("amy"),
    );
    assert_eq!(
        push(server.address, &amy, "LONG-1", &case.save()).status,
        200
    );
    let mut cursor_mid = 0;
    for n in 0..70 {
        let before = case.heads();
        case.add_note(
            &format!("N{n:03}"),
            &format!("Call number {n} logged."),
            &editor("amy", n),
        )
        .unwrap();
        let response = push(
            server.address,
            &amy,
            "LONG-1",
            &case.automerge_mut().save_after(&before),
        );
        assert_eq!(response.status, 200, "{}", response.body);
        if n == 40 {
            cursor_mid = sync(&server, &sam, 0)["cursor"].as_i64().unwrap();
        }
    }
    // A new device: the whole case, in few chunks however many edits it took.
    let fresh = sync(&server, &sam, 0);
    let chunks = fresh["cases"][0]["chunks"].as_array().unwrap().len();
    assert!(chunks <= 32, "{chunks} chunks: compaction did not run");
    let mut copy = CaseDocument::load(
        &unbase64(fresh["cases"][0]["chunks"][0].as_str().unwrap()),
        automerge::ActorId::random(),
    )
    .unwrap();
    apply(&mut copy, &fresh, "LONG-1");
    assert_eq!(copy.heads(), case.heads());
    assert_eq!(copy.view().notes.len(), 70);

    // A device that synced mid-way catches up across the compaction.
    let mut midway = CaseDocument::load(&case.save(), automerge::ActorId::random()).unwrap();
    let catch_up = sync(&server, &sam, cursor_mid);
    apply(&mut midway, &catch_up, "LONG-1");
    assert_eq!(midway.heads(), case.heads());
}

#[test]
fn two_people_changing_the_same_field_offline_both_keep_their_value_on_the_server() {
    let (_dir, server) = setup();
    let amy = sign_in(server.address, "amy", PASSWORD, "amy-laptop");
    let sam = sign_in(server.address, "sam", PASSWORD, "sam-laptop");
    let mut amys = new_case(
        "SAME-1",
        "housing",
        "Broken boiler",
        "amy",
        Some("North"),
        Some("amy"),
    );
    push(server.address, &amy, "SAME-1", &amys.save());
    let mut sams = CaseDocument::load(&amys.save(), automerge::ActorId::random()).unwrap();

    let base = amys.heads();
    amys.set_field(
        &FieldPath::case("summary"),
        "Boiler replaced, awaiting check",
        &editor("amy", 10),
    )
    .unwrap();
    sams.set_field(
        &FieldPath::case("summary"),
        "Boiler condemned by engineer",
        &editor("sam", 11),
    )
    .unwrap();
    push(
        server.address,
        &amy,
        "SAME-1",
        &amys.automerge_mut().save_after(&base),
    );
    let sams_push = push(
        server.address,
        &sam,
        "SAME-1",
        &sams.automerge_mut().save_after(&base),
    );
    assert_eq!(sams_push.json()["acknowledged"][0]["case_id"], "SAME-1");

    let fresh = sync(
        &server,
        &sign_in(server.address, "sam", PASSWORD, "spare-laptop"),
        0,
    );
    let mut merged = CaseDocument::load(
        &unbase64(fresh["cases"][0]["chunks"][0].as_str().unwrap()),
        automerge::ActorId::random(),
    )
    .unwrap();
    apply(&mut merged, &fresh, "SAME-1");
    let conflicts = merged.conflicts();
    assert_eq!(conflicts.len(), 1, "{conflicts:?}");
    let values: Vec<String> = conflicts[0]
        .values
        .iter()
        .filter_map(|entry| entry.value.as_text().map(str::to_owned))
        .collect();
    assert!(
        values.contains(&"Boiler replaced, awaiting check".to_owned()),
        "{values:?}"
    );
    assert!(
        values.contains(&"Boiler condemned by engineer".to_owned()),
        "{values:?}"
    );
}

#[test]
fn the_audit_log_records_who_did_what_and_notices_an_altered_or_deleted_row() {
    let (dir, server) = setup();
    let amy = sign_in(server.address, "amy", PASSWORD, "amy-laptop");
    push(
        server.address,
        &amy,
        "AUD-1",
        &new_case(
            "AUD-1",
            "housing",
            "Audit me",
            "amy",
            Some("North"),
            Some("amy"),
        )
        .save(),
    );
    sync(&server, &amy, 0);
    drop(server);

    let (code, out, err) = server_admin(dir.path(), None, &["audit", "export"], None);
    assert_eq!(code, Some(0), "{err}");
    let events: Vec<serde_json::Value> = out
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    let created = events
        .iter()
        .find(|e| e["action"] == "case_created")
        .expect("case_created");
    assert_eq!(created["actor"], "amy");
    assert_eq!(created["case_id"], "AUD-1");
    assert!(created["server_time"].as_str().unwrap().starts_with("20"));
    assert!(events.iter().any(|e| e["action"] == "synced"));
    assert!(events.iter().any(|e| e["action"] == "admin_user_added"));

    let (code, out, _) = server_admin(dir.path(), None, &["audit", "verify"], None);
    assert_eq!(code, Some(0));
    assert!(out.contains("intact"), "{out}");
    let (_, again, _) = server_admin(dir.path(), None, &["audit", "export"], None);
    assert!(
        again.contains("\"action\":\"admin_audit_exported\""),
        "the first export was recorded"
    );

    // Someone with access to the database file edits a row behind the server's back.
    let database = dir.path().join("doorstep-server.sqlite3");
    let connection = rusqlite::Connection::open(&database).unwrap();
    connection
        .execute_batch(
            "DROP TRIGGER audit_events_no_update;
             UPDATE audit_events SET actor = 'mallory' WHERE seq = 3;",
        )
        .unwrap();
    let (code, _, err) = server_admin(dir.path(), None, &["audit", "verify"], None);
    assert_eq!(code, Some(1), "{err}");
    assert!(err.contains("Event 3 was altered"), "{err}");

    let restored = dir.path().join("copy");
    std::fs::create_dir(&restored).unwrap();
    connection
        .execute_batch(
            "UPDATE audit_events SET actor = (SELECT actor FROM audit_events WHERE seq = 2) WHERE seq = 3;
             DROP TRIGGER audit_events_no_delete;
             DELETE FROM audit_events WHERE seq = (SELECT max(seq) FROM audit_events);",
        )
        .unwrap();
    let (code, _, err) = server_admin(dir.path(), None, &["audit", "verify"], None);
    assert_eq!(code, Some(1), "{err}");
    assert!(
        err.contains("newest were deleted") || err.contains("altered"),
        "{err}"
    );
}

/// Regression: a compaction triggered by one device's push folds in other
/// devices' changes; that device must still receive them, even though the
/// snapshot was written during its own push.
#[test]
fn the_device_whose_push_compacts_a_case_still_receives_everyone_elses_changes() {
    let (_dir, server) = setup();
    let amy = sign_in(server.address, "amy", PASSWORD, "amy-laptop");
    let sam = sign_in(server.address, "sam", PASSWORD, "sam-laptop");
    let mut amys = new_case(
        "FOLD-1",
        "housing",
        "Many visits",
        "amy",
        Some("North"),
        Some("amy"),
    );
    push(server.address, &amy, "FOLD-1", &amys.save());
    let sams_first = sync(&server, &sam, 0);
    let mut sams = CaseDocument::load(
        &unbase64(sams_first["cases"][0]["chunks"][0].as_str().unwrap()),
        automerge::ActorId::random(),
    )
    .unwrap();
    let sams_cursor = sams_first["cursor"].as_i64().unwrap();

    for n in 0..30 {
        let before = amys.heads();
        amys.add_note(
            &format!("A{n:02}"),
            &format!("Amy's visit {n}."),
            &editor("amy", n),
        )
        .unwrap();
        push(
            server.address,
            &amy,
            "FOLD-1",
            &amys.automerge_mut().save_after(&before),
        );
    }
    // Sam, who has not pulled since, adds one note: this push is the 32nd chunk.
    let before = sams.heads();
    sams.add_note("S00", "Lead's review note.", &editor("sam", 40))
        .unwrap();
    let response = push(
        server.address,
        &sam,
        "FOLD-1",
        &sams.automerge_mut().save_after(&before),
    );
    assert_eq!(response.json()["acknowledged"][0]["case_id"], "FOLD-1");

    let catch_up = sync(&server, &sam, sams_cursor);
    apply(&mut sams, &catch_up, "FOLD-1");
    assert_eq!(
        sams.view().notes.len(),
        31,
        "sam has all of amy's notes and his own"
    );
    let amy_catch_up = sync(&server, &amy, 0);
    apply(&mut amys, &amy_catch_up, "FOLD-1");
    assert_eq!(amys.heads(), sams.heads());
}

#[test]
fn names_that_decide_access_are_matched_however_they_were_typed() {
    let (_dir, server) = setup();
    let amy = sign_in(server.address, "amy", PASSWORD, "amy-laptop");
    let sam = sign_in(server.address, "sam", PASSWORD, "sam-laptop");
    let case = new_case(
        "SPACES-1",
        "adult_social_care",
        "Typed in a hurry",
        "amy",
        Some("  north "),
        Some(" AMY"),
    )
    .save();
    let response = push(server.address, &amy, "SPACES-1", &case).json();
    assert_eq!(
        response["acknowledged"][0]["case_id"], "SPACES-1",
        "{response}"
    );
    let listed = doorstep_stories::request(
        server.address,
        "GET",
        "/v1/cases",
        Some(&sam.access),
        None,
        b"",
    )
    .json();
    assert_eq!(
        listed["cases"][0]["case_id"], "SPACES-1",
        "the lead sees it: {listed}"
    );
    assert_eq!(listed["cases"][0]["team"], "north", "stored trimmed");
}
