//! A caseworker submits a case and their team lead reviews it, offline, on
//! their own laptops, through the real `doorstep` CLI against a real server
//! on loopback. The server checks the lead's role again when the decision
//! syncs, so a lead who lost the role meanwhile is refused and the case stays
//! as it was.

#![allow(clippy::unwrap_used)] // test helpers may unwrap, like #[test] functions (clippy.toml)

use doorstep_stories::{Laptop, server_admin, server_with_people};
use serde_json::Value;

const PASSWORD: &str = "correct horse battery staple";

fn north_team() -> (tempfile::TempDir, doorstep_stories::ServerProcess) {
    server_with_people(
        &[
            ("amy", "caseworker", Some("North")),
            ("sam", "team-lead", Some("North")),
        ],
        PASSWORD,
    )
}

fn signed_in(url: &str, person: &str) -> Laptop {
    let laptop = Laptop::new();
    laptop.sign_in(url, person, PASSWORD);
    laptop
}

fn status_of(laptop: &Laptop, id: &str) -> String {
    laptop.json(&["case", "show", id])["fields"]["status"]["value"]
        .as_str()
        .unwrap()
        .to_owned()
}

fn reviews_of(laptop: &Laptop, id: &str) -> Vec<Value> {
    laptop.json(&["case", "show", id])["reviews"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

/// Amy opens a housing case, submits it and syncs.
fn submitted_case(amy: &Laptop) -> String {
    let id = amy.new_case("housing", "Damp in the back bedroom");
    amy.json(&[
        "case",
        "note",
        &id,
        "Mould behind the wardrobe; photos taken",
    ]);
    amy.json(&["case", "submit", &id]);
    amy.synced();
    id
}

#[test]
fn a_lead_returns_a_case_with_comments_offline_then_approves_it_and_the_caseworker_sees_both() {
    let (_server_dir, server) = north_team();
    let amy = signed_in(&server.url(), "amy");
    let sam = signed_in(&server.url(), "sam");
    let id = submitted_case(&amy);

    sam.synced();
    let queue = sam.json(&["case", "queue"]);
    assert_eq!(queue.as_array().unwrap().len(), 1, "{queue}");
    assert_eq!(queue[0]["caseId"], id.as_str());
    assert_eq!(queue[0]["submittedBy"], "amy");

    // Returning needs a comment; without one nothing changes.
    let bare = sam.run(&["case", "review", &id, "--return"]);
    assert_eq!(bare.code, Some(1));
    assert!(bare.stderr.contains("Enter comments"), "{}", bare.stderr);
    assert_eq!(status_of(&sam, &id), "awaiting_review");

    // Sam decides on the train, with no signal: saved at once, sent later.
    sam.json(&[
        "case",
        "review",
        &id,
        "--return",
        "--comment",
        "Add the landlord's response before we close this.",
    ]);
    assert_eq!(status_of(&sam, &id), "in_progress");
    assert_eq!(sam.json(&["case", "queue"]).as_array().unwrap().len(), 0);
    sam.synced();

    amy.synced();
    assert_eq!(status_of(&amy, &id), "in_progress");
    let reviews = reviews_of(&amy, &id);
    assert_eq!(reviews.len(), 1);
    assert_eq!(reviews[0]["decision"], "returned");
    assert_eq!(reviews[0]["by"], "sam");
    assert_eq!(
        reviews[0]["comment"],
        "Add the landlord's response before we close this."
    );

    // A caseworker cannot approve their own work, even offline.
    amy.json(&[
        "case",
        "note",
        &id,
        "Landlord will treat the wall on Friday",
    ]);
    amy.json(&["case", "submit", &id]);
    let self_approval = amy.run(&["case", "review", &id, "--approve"]);
    assert_eq!(self_approval.code, Some(1));
    assert!(
        self_approval
            .stderr
            .contains("Only team leads review cases"),
        "{}",
        self_approval.stderr
    );
    amy.synced();

    sam.synced();
    sam.json(&["case", "review", &id, "--approve"]);
    sam.synced();
    amy.synced();
    assert_eq!(status_of(&amy, &id), "closed");
    let reviews = reviews_of(&amy, &id);
    let decisions: Vec<&str> = reviews
        .iter()
        .map(|review| review["decision"].as_str().unwrap())
        .collect();
    assert_eq!(decisions, ["returned", "approved"]);
}

#[test]
fn a_decision_by_someone_who_lost_the_lead_role_meanwhile_is_refused_and_the_case_is_unchanged() {
    let (server_dir, server) = north_team();
    let amy = signed_in(&server.url(), "amy");
    let sam = signed_in(&server.url(), "sam");
    let id = submitted_case(&amy);
    sam.synced();

    // Offline, Sam approves; meanwhile IT makes Sam a caseworker again.
    sam.json(&["case", "review", &id, "--approve"]);
    let (code, _, stderr) = server_admin(
        server_dir.path(),
        None,
        &["user", "set-role", "sam", "--role", "caseworker"],
        None,
    );
    assert_eq!(code, Some(0), "{stderr}");

    let refused = sam.sync();
    assert_eq!(refused.code, Some(1), "{}", refused.stderr);
    let outcome: Value = serde_json::from_str(&refused.stdout).unwrap();
    assert_eq!(outcome["refused"][0]["caseId"], id.as_str());
    let reason = outcome["refused"][0]["reason"].as_str().unwrap();
    assert!(reason.contains("Only a team lead"), "{reason}");
    // Sam's decision stays on Sam's laptop, visible, not silently dropped.
    assert_eq!(status_of(&sam, &id), "closed");
    assert_eq!(sam.json(&["status"])["refusedCases"], 1);

    // On the server, and so on Amy's laptop, the case still waits for review.
    amy.synced();
    assert_eq!(status_of(&amy, &id), "awaiting_review");
    assert!(reviews_of(&amy, &id).is_empty());

    // The refusal is in the server's audit log.
    let (code, audit, stderr) = server_admin(server_dir.path(), None, &["audit", "export"], None);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(
        audit.lines().any(|line| line.contains("change_refused")
            && line.contains("only_leads_review")
            && line.contains(&id)),
        "{audit}"
    );
    assert!(audit.contains("admin_user_role_changed"), "{audit}");
}
