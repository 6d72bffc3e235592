//! Two caseworkers and their team lead work offline on three laptops, then
//! sync in turn through the real `doorstep` CLI against a real server on
//! loopback. Each laptop's store is a real encrypted database with its key
//! and tokens in the real OS keyring (scripts/with-keyring.sh).

#![allow(clippy::unwrap_used)] // test helpers may unwrap, like #[test] functions (clippy.toml)

use doorstep_stories::{Laptop, post_json, server_admin, server_with_people};
use serde_json::Value;

const PASSWORD: &str = "correct horse battery staple";

fn north_team() -> (tempfile::TempDir, doorstep_stories::ServerProcess) {
    server_with_people(
        &[
            ("amy", "caseworker", Some("North")),
            ("ben", "caseworker", Some("North")),
            ("sam", "team-lead", Some("North")),
        ],
        PASSWORD,
    )
}

/// One laptop per person, each signed in to the server at `url`.
fn laptops_signed_in<const N: usize>(url: &str, people: [&str; N]) -> [Laptop; N] {
    people.map(|person| {
        let laptop = Laptop::new();
        laptop.sign_in(url, person, PASSWORD);
        laptop
    })
}

fn show(laptop: &Laptop, id: &str) -> Value {
    laptop.json(&["case", "show", id])
}

/// A field's value as `case show` prints it.
fn field(case: &Value, name: &str) -> Value {
    case["fields"][name]["value"].clone()
}

/// The case exactly as a laptop holds it.
fn content(laptop: &Laptop, id: &str) -> String {
    serde_json::to_string_pretty(&show(laptop, id)).unwrap()
}

fn conflicts(laptop: &Laptop, id: &str) -> Vec<Value> {
    let all = laptop.json(&["conflicts", id]);
    all.as_array()
        .unwrap()
        .iter()
        .flat_map(|case| case["conflicts"].as_array().unwrap().clone())
        .collect()
}

#[test]
fn three_people_edit_one_case_offline_and_every_laptop_ends_with_the_same_case() {
    let (_server_dir, server) = north_team();
    let url = server.url();
    let [amy, ben, sam] = laptops_signed_in(&url, ["amy", "ben", "sam"]);

    // Amy opens a housing case (shared with her team) and syncs it up.
    let id = amy.new_case("housing", "Damp in the back bedroom");
    amy.json(&[
        "case",
        "narrative",
        &id,
        "Tenant reports black mould. Landlord informed.",
    ]);
    let before = amy.json(&["status"]);
    assert_eq!(before["everythingAcknowledged"], false);
    let first = amy.synced();
    assert_eq!(first["everythingAcknowledged"], true);
    assert_eq!(amy.json(&["status"])["unsyncedChanges"], 0);

    // The others receive it.
    for laptop in [&ben, &sam] {
        let synced = laptop.synced();
        assert_eq!(synced["newCases"], 1, "{synced}");
        assert_eq!(
            field(&show(laptop, &id), "summary"),
            "Damp in the back bedroom"
        );
    }

    // Offline: the same field three ways, different fields, notes, and the narrative.
    amy.json(&["case", "set", &id, "summary", "Damp and mould, flat 3"]);
    ben.json(&[
        "case",
        "set",
        &id,
        "summary",
        "Mould in bedroom and bathroom",
    ]);
    sam.json(&["case", "set", &id, "summary", "Housing disrepair: damp"]);
    amy.json(&["case", "set", &id, "due_date", "2026-12-20"]);
    ben.json(&["case", "set", &id, "status", "in_progress"]);
    amy.json(&[
        "case",
        "note",
        &id,
        "Amy: photographed the wall by the window.",
    ]);
    ben.json(&["case", "note", &id, "Ben: spoke to the landlord's agent."]);
    sam.json(&["case", "note", &id, "Sam: agreed an inspection this week."]);
    amy.json(&[
        "case",
        "narrative",
        &id,
        "Tenant reports black mould. Landlord informed. Child has asthma.",
    ]);
    ben.json(&[
        "case",
        "narrative",
        &id,
        "Urgent: tenant reports black mould. Landlord informed.",
    ]);

    // Sync in one order, then the other way round, as they come into coverage.
    for laptop in [&ben, &sam, &amy, &sam, &ben] {
        laptop.synced();
    }

    let agreed = content(&amy, &id);
    assert_eq!(content(&ben, &id), agreed, "Ben's copy differs");
    assert_eq!(content(&sam, &id), agreed, "Sam's copy differs");

    let case = show(&amy, &id);
    assert_eq!(field(&case, "due_date"), "2026-12-20", "{case}");
    assert_eq!(field(&case, "status"), "in_progress");
    let notes: Vec<&str> = case["notes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|note| note["text"].as_str().unwrap())
        .collect();
    for written in [
        "Amy: photographed the wall by the window.",
        "Ben: spoke to the landlord's agent.",
        "Sam: agreed an inspection this week.",
    ] {
        assert!(
            notes.contains(&written),
            "{written} is missing from {notes:?}"
        );
    }
    let narrative = case["narrative"].as_str().unwrap();
    assert_eq!(
        narrative, "Urgent: tenant reports black mould. Landlord informed. Child has asthma.",
        "both narrative edits merge, character by character"
    );

    // The same-field conflict shows on every laptop, with all three values.
    for laptop in [&amy, &ben, &sam] {
        let found = conflicts(laptop, &id);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0]["path"], "summary");
        let values: Vec<String> = found[0]["values"]
            .as_array()
            .unwrap()
            .iter()
            .map(|value| value["value"].as_str().unwrap().to_owned())
            .collect();
        for written in [
            "Damp and mould, flat 3",
            "Mould in bedroom and bathroom",
            "Housing disrepair: damp",
        ] {
            assert!(values.iter().any(|value| value == written), "{values:?}");
        }
    }

    // Sam, the lead, resolves it; after syncing, nobody has a conflict.
    sam.json(&[
        "resolve",
        &id,
        "summary",
        "--value",
        "Damp and mould, flat 3 (asthma)",
    ]);
    for laptop in [&sam, &amy, &ben] {
        laptop.synced();
    }
    for laptop in [&amy, &ben, &sam] {
        assert!(conflicts(laptop, &id).is_empty());
        assert_eq!(
            field(&show(laptop, &id), "summary"),
            "Damp and mould, flat 3 (asthma)"
        );
    }
}

#[test]
fn a_refused_change_stays_on_the_laptop_with_the_servers_reason() {
    let (_server_dir, server) = north_team();
    let amy = Laptop::new();
    amy.sign_in(&server.url(), "amy", PASSWORD);
    let id = amy.new_case("adult_social_care", "Carer assessment");
    amy.synced();

    // Only leads reassign: the server refuses Amy's change, and keeps nothing of it.
    amy.json(&["case", "set", &id, "assigned_to", "ben"]);
    let refused = amy.sync();
    assert_eq!(refused.code, Some(1), "{}", refused.stderr);
    let outcome: Value = serde_json::from_str(&refused.stdout).unwrap();
    assert_eq!(outcome["everythingAcknowledged"], false);
    assert_eq!(outcome["refused"][0]["caseId"], id.as_str());
    let reason = outcome["refused"][0]["reason"].as_str().unwrap();
    assert!(reason.to_lowercase().contains("lead"), "{reason}");

    // The change is still here, visible, and waiting.
    assert_eq!(field(&show(&amy, &id), "assigned_to"), "ben");
    let status = amy.json(&["status"]);
    assert_eq!(status["refusedCases"], 1);
    assert_eq!(status["unsyncedChanges"], 1);
    let outbox = amy.json(&["outbox"]);
    assert_eq!(outbox.as_array().unwrap().len(), 1, "{outbox}");

    // Syncing again does not quietly drop it, and it still fails honestly.
    assert_eq!(amy.sync().code, Some(1));
    assert_eq!(field(&show(&amy, &id), "assigned_to"), "ben");

    // Putting it back is a new edit, which the server accepts.
    amy.json(&["case", "set", &id, "assigned_to", "amy"]);
    let synced = amy.synced();
    assert_eq!(synced["everythingAcknowledged"], true);
    assert_eq!(amy.json(&["status"])["refusedCases"], 0);
}

#[test]
fn signing_out_keeps_unsynced_work_until_the_next_sign_in() {
    let (_server_dir, server) = north_team();
    let url = server.url();
    let [amy, ben] = laptops_signed_in(&url, ["amy", "ben"]);
    let id = amy.new_case("housing", "Noise complaint, block B");
    amy.synced();
    ben.synced();

    amy.json(&["case", "note", &id, "Written after signing out: keep me."]);
    amy.json(&["logout"]);
    let refused = amy.sync();
    assert_eq!(refused.code, Some(1));
    assert!(
        refused.stderr.contains("not_signed_in"),
        "{}",
        refused.stderr
    );
    assert_eq!(amy.json(&["status"])["unsyncedChanges"], 1);

    // Someone else cannot sign in on Amy's laptop while her work waits.
    let other = amy.try_sign_in(&url, "ben", PASSWORD);
    assert_eq!(other.code, Some(1));
    assert!(other.stderr.contains("amy"), "{}", other.stderr);

    amy.sign_in(&url, "amy", PASSWORD);
    amy.synced();
    ben.synced();
    let notes = show(&ben, &id)["notes"].clone();
    assert!(notes.to_string().contains("keep me"), "{notes}");
}

#[test]
fn a_revoked_laptop_is_wiped_on_its_next_contact_and_refused_from_then_on() {
    let (server_dir, server) = north_team();
    let url = server.url();
    let amy = Laptop::new();
    let signed_in = amy.sign_in(&url, "amy", PASSWORD);
    let device_id = signed_in["deviceId"].as_str().unwrap().to_owned();
    amy.new_case("housing", "Rent arrears");
    amy.synced();
    let database = amy.path().join("doorstep-device.sqlite3");
    assert!(database.exists());

    let (code, _, stderr) = server_admin(
        server_dir.path(),
        None,
        &["device", "revoke", &device_id],
        None,
    );
    assert_eq!(code, Some(0), "{stderr}");

    let wiped = amy.sync();
    assert_eq!(wiped.code, Some(1));
    assert!(wiped.stderr.contains("device_wiped"), "{}", wiped.stderr);
    assert!(!database.exists(), "the database file is gone");
    // The keyring key went first: a fresh start finds an empty device, signed out.
    let status = amy.json(&["status"]);
    assert_eq!(status["cases"], 0);
    assert_eq!(status["signedIn"], false);

    // The server refuses the old device for good, and its audit log shows
    // the device was told to wipe.
    let old_device = post_json(
        server.address,
        "/v1/session",
        None,
        &serde_json::json!({
            "user": "amy",
            "password": PASSWORD,
            "device": { "id": device_id, "hostname": "amy-laptop", "os": "Debian 12", "app_version": "0.1.0" },
        }),
    );
    assert_eq!(old_device.status, 403, "{}", old_device.body);
    assert_eq!(old_device.json()["wipe"], true);
    let (code, audit, _) = server_admin(server_dir.path(), None, &["audit", "export"], None);
    assert_eq!(code, Some(0));
    assert!(audit.contains("device_told_to_wipe"), "{audit}");
    let confirmed = audit
        .lines()
        .find(|line| line.contains("\"device_wiped\""))
        .unwrap_or_else(|| panic!("the laptop did not confirm its wipe: {audit}"));
    assert!(confirmed.contains(&device_id), "{confirmed}");
}

#[test]
fn a_reassigned_case_leaves_the_old_laptop_only_after_its_unsynced_work_has_landed() {
    let (server_dir, server) = north_team();
    let url = server.url();
    let [amy, ben, sam] = laptops_signed_in(&url, ["amy", "ben", "sam"]);
    // Adult social care is not shared with the team: only the assignee and the lead see it.
    let id = amy.new_case("adult_social_care", "Mr Jones, 91: carer breakdown");
    amy.synced();
    sam.synced();
    assert_eq!(ben.synced()["newCases"], 0, "Ben may not see Amy's case");

    // Amy writes up a visit with no signal; meanwhile Sam hands the case to Ben.
    amy.json(&[
        "case",
        "note",
        &id,
        "Visited: carer exhausted, respite requested.",
    ]);
    sam.json(&["case", "set", &id, "assigned_to", "ben"]);
    sam.synced();
    assert_eq!(ben.synced()["newCases"], 1);

    // Amy comes back into coverage: her note lands first, then the case leaves her laptop.
    let outcome = amy.synced();
    assert_eq!(outcome["casesAcknowledged"], 1, "{outcome}");
    assert_eq!(outcome["casesRemoved"], 1, "{outcome}");
    assert_eq!(amy.json(&["status"])["cases"], 0);
    assert_eq!(amy.run(&["case", "show", &id]).code, Some(1));
    let audit = amy.json(&["audit", "log", "--case", &id]);
    let removal = audit
        .as_array()
        .unwrap()
        .iter()
        .find(|record| record["action"] == "removed")
        .unwrap_or_else(|| panic!("no removal in {audit}"));
    assert_eq!(removal["user"], "amy");
    // The council's own record shows it too: Amy's laptop sent its audit log
    // at the end of that sync, with the laptop's time and the server's.
    let (code, exported, stderr) =
        server_admin(server_dir.path(), None, &["audit", "export"], None);
    assert_eq!(code, Some(0), "{stderr}");
    let on_the_server: Vec<Value> = exported
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .filter(|record: &Value| record["case_id"] == id.as_str())
        .collect();
    let removed = on_the_server
        .iter()
        .find(|record| record["action"] == "device_removed")
        .unwrap_or_else(|| panic!("no removal on the server in {on_the_server:?}"));
    assert_eq!(removed["actor"], "amy");
    assert!(removed["device_time"].is_string() && removed["server_time"].is_string());
    let note_landed = on_the_server
        .iter()
        .position(|record| record["action"] == "case_changed" && record["actor"] == "amy")
        .unwrap();
    let removal_recorded = on_the_server
        .iter()
        .position(|record| record["action"] == "device_removed")
        .unwrap();
    assert!(
        note_landed < removal_recorded,
        "her note landed before the case left"
    );

    // Ben, the new holder, has Amy's note.
    ben.synced();
    let notes = show(&ben, &id)["notes"].to_string();
    assert!(notes.contains("respite requested"), "{notes}");
}
