#![allow(clippy::unwrap_used)] // test helpers may unwrap, like #[test] functions (clippy.toml)
//! Two server nodes on one PostgreSQL database, as a council runs them behind
//! a load balancer. Devices talk to whichever node answers, edit the same
//! cases at the same time, and everything converges: every device and the
//! database end with identical documents, with no note lost, and one intact
//! audit chain.

use std::sync::Arc;

use doorstep_core::case::{CaseDocument, Editor};
use doorstep_core::dates::Timestamp;
use doorstep_stories::{
    ScratchPostgres, ServerProcess, Session, add_team, add_user, new_case, post_json, push,
    request, server_admin, sign_in, unbase64,
};
use serde_json::json;

const PASSWORD: &str = "a long council password";
const CASES: usize = 4;
const ROUNDS: usize = 12;

struct Device {
    session: Session,
    documents: Vec<CaseDocument>,
    cursor: i64,
}

impl Device {
    /// Pulls everything new from `node` and applies it.
    fn pull(&mut self, node: std::net::SocketAddr) {
        loop {
            let response = post_json(
                node,
                "/v1/sync",
                Some(&self.session.access),
                &json!({ "protocol": 1, "since": self.cursor }),
            );
            assert_eq!(response.status, 200, "{}", response.body);
            let body = response.json();
            for case in body["cases"].as_array().unwrap() {
                let index = self
                    .documents
                    .iter()
                    .position(|doc| doc.id() == case["case_id"].as_str().unwrap())
                    .unwrap();
                for chunk in case["chunks"].as_array().unwrap() {
                    self.documents[index]
                        .apply_bytes(&unbase64(chunk.as_str().unwrap()))
                        .unwrap();
                }
            }
            self.cursor = body["cursor"].as_i64().unwrap();
            if body["more"] != true {
                return;
            }
        }
    }
}

#[test]
fn devices_spread_over_two_nodes_on_one_database_converge() {
    let postgres = ScratchPostgres::create("two_nodes");
    let dir = tempfile::tempdir().unwrap();
    let url = Some(postgres.url.as_str());
    add_team(dir.path(), url, "North");
    let people = ["amy", "ben", "cal"];
    add_user(dir.path(), url, "sam", "team-lead", Some("North"), PASSWORD);
    for person in people {
        add_user(
            dir.path(),
            url,
            person,
            "caseworker",
            Some("North"),
            PASSWORD,
        );
    }
    let node_a = ServerProcess::start_with(&dir.path().join("a"), url);
    let node_b = ServerProcess::start_with(&dir.path().join("b"), url);
    let nodes = [node_a.address, node_b.address];

    // The lead opens shared housing cases through node A.
    let lead = sign_in(nodes[0], "sam", PASSWORD, "sam-laptop");
    let originals: Vec<Vec<u8>> = (0..CASES)
        .map(|n| {
            let id = format!("SHARED-{n}");
            let bytes = new_case(
                &id,
                "housing",
                &format!("Shared case {n}"),
                "sam",
                Some("North"),
                Some("sam"),
            )
            .save();
            assert_eq!(push(nodes[0], &lead, &id, &bytes).status, 200);
            bytes
        })
        .collect();
    let originals = Arc::new(originals);

    // Each caseworker signs in on a different node: a token from one node works on the other.
    let workers: Vec<_> = people
        .iter()
        .enumerate()
        .map(|(index, person)| {
            let session = sign_in(
                nodes[index % 2],
                person,
                PASSWORD,
                &format!("{person}-laptop"),
            );
            let listed = request(
                nodes[(index + 1) % 2],
                "GET",
                "/v1/cases",
                Some(&session.access),
                None,
                b"",
            );
            assert_eq!(
                listed.status, 200,
                "a token from one node works on the other"
            );
            let originals = Arc::clone(&originals);
            let person = (*person).to_owned();
            std::thread::spawn(move || {
                let mut device = Device {
                    session,
                    documents: originals
                        .iter()
                        .map(|bytes| {
                            CaseDocument::load(bytes, automerge::ActorId::random()).unwrap()
                        })
                        .collect(),
                    cursor: 0,
                };
                for round in 0..ROUNDS {
                    let node = nodes[(round + index) % 2];
                    let case = &mut device.documents[(round + index) % CASES];
                    let before = case.heads();
                    case.add_note(
                        &format!("{person}-{round}"),
                        &format!("{person} visited, round {round}."),
                        &Editor::new(
                            &person,
                            Timestamp(1_795_000_000_000 + round as i64 * 60_000),
                        ),
                    )
                    .unwrap();
                    let id = case.id().to_owned();
                    let change = case.automerge_mut().save_after(&before);
                    let response = push(node, &device.session, &id, &change);
                    assert_eq!(response.status, 200, "{}", response.body);
                    assert_eq!(
                        response.json()["acknowledged"][0]["case_id"],
                        id.as_str(),
                        "{}",
                        response.body
                    );
                    device.pull(nodes[(round + index + 1) % 2]);
                }
                device
            })
        })
        .collect();
    let mut devices: Vec<Device> = workers
        .into_iter()
        .map(|worker| worker.join().unwrap())
        .collect();

    // A final pull from either node brings every device to the same place.
    for (index, device) in devices.iter_mut().enumerate() {
        device.pull(nodes[index % 2]);
    }
    for case in 0..CASES {
        let id = format!("SHARED-{case}");
        let reference = request(
            nodes[1],
            "GET",
            &format!("/v1/cases/{id}"),
            Some(&lead.access),
            None,
            b"",
        )
        .json();
        let mut on_server = CaseDocument::load(
            &unbase64(reference["document"].as_str().unwrap()),
            automerge::ActorId::random(),
        )
        .unwrap();
        let server_heads = on_server.heads();
        let expected_notes: usize = (0..people.len())
            .map(|index| {
                (0..ROUNDS)
                    .filter(|round| (round + index) % CASES == case)
                    .count()
            })
            .sum();
        assert_eq!(
            on_server.view().notes.len(),
            expected_notes,
            "no note lost on {id}"
        );
        for device in &mut devices {
            assert_eq!(
                device.documents[case].heads(),
                server_heads,
                "device converged on {id}"
            );
        }
    }

    let (code, out, err) = server_admin(dir.path(), url, &["audit", "verify"], None);
    assert_eq!(code, Some(0), "{err}");
    assert!(out.contains("intact"), "{out}");
}
