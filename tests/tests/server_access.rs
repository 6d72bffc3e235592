#![allow(clippy::unwrap_used)] // test helpers may unwrap, like #[test] functions (clippy.toml)
//! Who may see and change which case, checked end to end on a real server:
//! every case and attachment endpoint × every role × own team, other team and
//! unassigned cases × list, read, write and sync, on SQLite and on PostgreSQL.
//!
//! The expected answers are written out by hand below rather than computed
//! with the server's own rules, so a wrong rule cannot agree with itself.

use std::collections::{BTreeMap, BTreeSet};

use doorstep_stories::{
    ScratchPostgres, ServerProcess, Session, add_team, add_user, new_case, post_json, push,
    request, sign_in, unbase64,
};
use serde_json::json;

const PASSWORD: &str = "a long council password";

/// (name, role, team)
const PEOPLE: &[(&str, &str, Option<&str>)] = &[
    ("cal", "caseworker", Some("North")),
    ("cat", "caseworker", Some("North")),
    ("nora", "team-lead", Some("North")),
    ("sid", "caseworker", Some("South")),
    ("sol", "team-lead", Some("South")),
    ("ida", "admin", None),
];

/// (case id, case type, team, assignee, who opens it)
const CASES: &[(&str, &str, &str, Option<&str>, &str)] = &[
    (
        "N-CAL-ASC",
        "adult_social_care",
        "North",
        Some("cal"),
        "cal",
    ),
    (
        "N-CAT-ASC",
        "adult_social_care",
        "North",
        Some("cat"),
        "cat",
    ),
    ("N-CAT-HOU", "housing", "North", Some("cat"), "cat"),
    ("N-NONE-CHI", "childrens_services", "North", None, "nora"),
    ("N-NONE-WEL", "welfare", "North", None, "nora"),
    (
        "S-SID-ASC",
        "adult_social_care",
        "South",
        Some("sid"),
        "sid",
    ),
    ("S-SID-HOU", "housing", "South", Some("sid"), "sid"),
];

/// Who may see what. Caseworkers: their own cases and their team's shared
/// types (housing, welfare). Leads: their whole team. Admins: nothing.
fn expected_visible(person: &str) -> BTreeSet<&'static str> {
    let ids: &[&str] = match person {
        "cal" => &["N-CAL-ASC", "N-CAT-HOU", "N-NONE-WEL"],
        "cat" => &["N-CAT-ASC", "N-CAT-HOU", "N-NONE-WEL"],
        "nora" => &[
            "N-CAL-ASC",
            "N-CAT-ASC",
            "N-CAT-HOU",
            "N-NONE-CHI",
            "N-NONE-WEL",
        ],
        "sid" => &["S-SID-ASC", "S-SID-HOU"],
        "sol" => &["S-SID-ASC", "S-SID-HOU"],
        "ida" => &[],
        other => panic!("no expectations for {other}"),
    };
    ids.iter().copied().collect()
}

/// A small file attached to each case by whoever opened it.
fn case_file(case_id: &str) -> Vec<u8> {
    format!("Scanned letter for {case_id}").into_bytes()
}

fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(bytes))
}

/// Uploads `bytes` to a case in one piece.
fn attach(
    address: std::net::SocketAddr,
    session: &Session,
    case_id: &str,
    bytes: &[u8],
) -> doorstep_stories::RawResponse {
    request(
        address,
        "PUT",
        &format!(
            "/v1/attachments/{}?case_id={case_id}&size={}&offset=0",
            sha256_hex(bytes),
            bytes.len()
        ),
        Some(&session.access),
        Some("application/octet-stream"),
        bytes,
    )
}

fn secret_summary(case_id: &str) -> String {
    format!("Private details of {case_id} zq{}", case_id.len())
}

struct World {
    _dir: tempfile::TempDir,
    _postgres: Option<ScratchPostgres>,
    server: ServerProcess,
    sessions: BTreeMap<&'static str, Session>,
    documents: BTreeMap<&'static str, Vec<u8>>,
}

fn build_world(postgres: Option<ScratchPostgres>) -> World {
    let dir = tempfile::tempdir().unwrap();
    let url = postgres.as_ref().map(|p| p.url.as_str());
    add_team(dir.path(), url, "North");
    add_team(dir.path(), url, "South");
    for (name, role, team) in PEOPLE {
        add_user(dir.path(), url, name, role, *team, PASSWORD);
    }
    let server = ServerProcess::start_with(dir.path(), url);
    let sessions: BTreeMap<_, _> = PEOPLE
        .iter()
        .map(|(name, _, _)| {
            (
                *name,
                sign_in(server.address, name, PASSWORD, &format!("{name}-laptop")),
            )
        })
        .collect();
    let mut documents = BTreeMap::new();
    for (case_id, case_type, team, assignee, opener) in CASES {
        let mut case = new_case(
            case_id,
            case_type,
            &secret_summary(case_id),
            opener,
            Some(team),
            *assignee,
        );
        let bytes = case.save();
        let response = push(server.address, &sessions[opener], case_id, &bytes);
        assert_eq!(
            response.status, 200,
            "{opener} opens {case_id}: {}",
            response.body
        );
        assert_eq!(
            response.json()["acknowledged"].as_array().unwrap().len(),
            1,
            "{opener} opens {case_id}: {}",
            response.body
        );
        documents.insert(*case_id, bytes);
        let attached = attach(
            server.address,
            &sessions[opener],
            case_id,
            &case_file(case_id),
        );
        assert_eq!(
            attached.json()["complete"],
            true,
            "{opener} attaches to {case_id}: {}",
            attached.body
        );
    }
    World {
        _dir: dir,
        _postgres: postgres,
        server,
        sessions,
        documents,
    }
}

fn assert_no_leak(person: &str, what: &str, body: &str) {
    let visible = expected_visible(person);
    for (case_id, ..) in CASES {
        if !visible.contains(case_id) {
            assert!(
                !body.contains(&secret_summary(case_id)) && !body.contains(case_id),
                "{what} for {person} leaks {case_id}: {body}"
            );
        }
    }
}

fn case_ids(cases: &serde_json::Value) -> BTreeSet<String> {
    cases
        .as_array()
        .unwrap()
        .iter()
        .map(|case| case["case_id"].as_str().unwrap().to_owned())
        .collect()
}

fn as_strings(ids: &BTreeSet<&str>) -> BTreeSet<String> {
    ids.iter().map(|id| (*id).to_owned()).collect()
}

fn server_heads(world: &World, case_id: &str) -> serde_json::Value {
    let response = request(
        world.server.address,
        "GET",
        &format!("/v1/cases/{case_id}"),
        Some(&world.sessions["nora"].access),
        None,
        b"",
    );
    if response.status == 404 {
        let response = request(
            world.server.address,
            "GET",
            &format!("/v1/cases/{case_id}"),
            Some(&world.sessions["sol"].access),
            None,
            b"",
        );
        return response.json()["heads"].clone();
    }
    response.json()["heads"].clone()
}

fn run_matrix(world: &World) {
    let address = world.server.address;
    let mut checked = 0;
    for (person, _, _) in PEOPLE {
        let session = &world.sessions[person];
        let visible = expected_visible(person);

        // list
        let listed = request(
            address,
            "GET",
            "/v1/cases",
            Some(&session.access),
            None,
            b"",
        );
        assert_eq!(listed.status, 200, "list for {person}: {}", listed.body);
        assert_eq!(
            case_ids(&listed.json()["cases"]),
            as_strings(&visible),
            "list for {person}"
        );
        assert_no_leak(person, "list", &listed.body);

        // sync: everything changed since the beginning
        let synced = post_json(
            address,
            "/v1/sync",
            Some(&session.access),
            &json!({ "protocol": 1, "since": 0 }),
        );
        assert_eq!(synced.status, 200, "sync for {person}: {}", synced.body);
        let downloaded = case_ids(&synced.json()["cases"]);
        // A first sync brings everything the person may see, their own cases included.
        let expected_download = as_strings(&visible);
        assert_eq!(downloaded, expected_download, "sync for {person}");
        assert_no_leak(person, "sync", &synced.body);

        for (case_id, ..) in CASES {
            let may_see = visible.contains(case_id);

            // read
            let read = request(
                address,
                "GET",
                &format!("/v1/cases/{case_id}"),
                Some(&session.access),
                None,
                b"",
            );
            if may_see {
                assert_eq!(read.status, 200, "{person} reads {case_id}: {}", read.body);
                let bytes = unbase64(read.json()["document"].as_str().unwrap());
                let view =
                    doorstep_core::case::CaseDocument::load(&bytes, automerge::ActorId::random())
                        .unwrap()
                        .view();
                assert_eq!(view.text("summary"), Some(secret_summary(case_id).as_str()));
            } else {
                assert_eq!(read.status, 404, "{person} reads {case_id}: {}", read.body);
                assert_no_leak(person, "read", &read.body.replace(case_id, ""));
            }

            // sync: asking for the whole case by id
            let whole = post_json(
                address,
                "/v1/sync",
                Some(&session.access),
                &json!({ "protocol": 1, "since": i64::MAX / 2, "full": [case_id] }),
            );
            assert_eq!(
                whole.status, 200,
                "{person} asks for {case_id}: {}",
                whole.body
            );
            let body = whole.json();
            if may_see {
                assert_eq!(
                    case_ids(&body["cases"]),
                    as_strings(&BTreeSet::from([*case_id]))
                );
            } else {
                assert!(
                    body["cases"].as_array().unwrap().is_empty(),
                    "{person} got {case_id}"
                );
                assert_eq!(body["rejected"][0]["code"], "not_your_case");
                assert!(!whole.body.contains(&secret_summary(case_id)));
            }

            // read: the case's attachment
            let file = request(
                address,
                "GET",
                &format!("/v1/attachments/{}", sha256_hex(&case_file(case_id))),
                Some(&session.access),
                None,
                b"",
            );
            if may_see {
                assert_eq!(file.status, 200, "{person} downloads {case_id}'s file");
                assert_eq!(file.body.as_bytes(), case_file(case_id).as_slice());
            } else {
                assert_eq!(
                    file.status, 404,
                    "{person} downloads {case_id}'s file: {}",
                    file.body
                );
                assert!(!file.body.contains("Scanned letter"));
            }

            checked += 3;
        }
        checked += 2;
    }
    // Writes come after every read, so nobody's edit changes what another download expects.
    for (person, _, _) in PEOPLE {
        let session = &world.sessions[person];
        let visible = expected_visible(person);
        for (case_id, ..) in CASES {
            let may_see = visible.contains(case_id);
            // write: an edit made on a copy of the document
            let before = server_heads(world, case_id);
            let mut copy = doorstep_core::case::CaseDocument::load(
                &world.documents[case_id],
                automerge::ActorId::random(),
            )
            .unwrap();
            let heads = copy.heads();
            copy.set_field(
                &doorstep_core::case::FieldPath::case("due_date"),
                "2027-03-01",
                &doorstep_core::case::Editor::new(
                    *person,
                    doorstep_core::dates::Timestamp(1_795_000_100_000),
                ),
            )
            .unwrap();
            let change = copy.automerge_mut().save_after(&heads);
            let written = push(address, session, case_id, &change);
            assert_eq!(
                written.status, 200,
                "{person} writes {case_id}: {}",
                written.body
            );
            let body = written.json();
            let may_write = may_see && *person != "ida";
            if may_write {
                assert_eq!(
                    body["acknowledged"][0]["case_id"], *case_id,
                    "{person} writes {case_id}"
                );
                assert_ne!(server_heads(world, case_id), before);
            } else {
                assert!(body["acknowledged"].as_array().unwrap().is_empty());
                assert_eq!(body["rejected"][0]["case_id"], *case_id);
                assert_eq!(
                    server_heads(world, case_id),
                    before,
                    "a refused write stores nothing"
                );
                assert!(!written.body.contains(&secret_summary(case_id)));
            }

            // write: attaching a new file
            let note = format!("{person}'s photo for {case_id}").into_bytes();
            let attached = attach(address, session, case_id, &note);
            if may_write {
                assert_eq!(
                    attached.json()["complete"],
                    true,
                    "{person} attaches to {case_id}: {}",
                    attached.body
                );
            } else {
                assert_eq!(
                    attached.status, 404,
                    "{person} attaches to {case_id}: {}",
                    attached.body
                );
                let stored = request(
                    address,
                    "GET",
                    &format!("/v1/attachments/{}", sha256_hex(&note)),
                    Some(&world.sessions["nora"].access),
                    None,
                    b"",
                );
                assert_eq!(stored.status, 404, "a refused upload stores nothing");
            }
            checked += 2;
        }
    }
    assert_eq!(checked, PEOPLE.len() * (CASES.len() * 5 + 2));

    // Without a token, no case endpoint answers with anything but 401.
    let any_file = format!("/v1/attachments/{}", sha256_hex(&case_file("N-CAL-ASC")));
    let any_status = format!("{any_file}/status?case_id=N-CAL-ASC");
    for (method, path) in [
        ("GET", any_file.as_str()),
        ("PUT", any_file.as_str()),
        ("GET", any_status.as_str()),
        ("GET", "/v1/cases"),
        ("GET", "/v1/cases/N-CAL-ASC"),
        ("POST", "/v1/sync"),
        ("DELETE", "/v1/session"),
    ] {
        let response = request(address, method, path, None, Some("application/json"), b"{}");
        assert_eq!(response.status, 401, "{method} {path}: {}", response.body);
    }
}

#[test]
fn nothing_leaks_across_roles_teams_or_assignments_on_sqlite() {
    let world = build_world(None);
    run_matrix(&world);
}

#[test]
fn nothing_leaks_across_roles_teams_or_assignments_on_postgres() {
    let world = build_world(Some(ScratchPostgres::create("access")));
    run_matrix(&world);
}

#[test]
fn only_a_team_lead_reassigns_and_nobody_moves_a_case_to_another_team() {
    let world = build_world(None);
    let address = world.server.address;
    let reassign = |person: &str, field: &str, value: &str| {
        let mut copy = doorstep_core::case::CaseDocument::load(
            &world.documents["N-CAL-ASC"],
            automerge::ActorId::random(),
        )
        .unwrap();
        let heads = copy.heads();
        copy.set_field(
            &doorstep_core::case::FieldPath::case(field),
            value,
            &doorstep_core::case::Editor::new(
                person,
                doorstep_core::dates::Timestamp(1_795_000_200_000),
            ),
        )
        .unwrap();
        push(
            address,
            &world.sessions[person],
            "N-CAL-ASC",
            &copy.automerge_mut().save_after(&heads),
        )
        .json()
    };
    let by_cal = reassign("cal", "assigned_to", "cat");
    assert_eq!(by_cal["rejected"][0]["code"], "only_leads_reassign");
    let to_south = reassign("nora", "team", "South");
    assert_eq!(to_south["rejected"][0]["code"], "other_team");
    let by_nora = reassign("nora", "assigned_to", "cat");
    assert_eq!(by_nora["acknowledged"][0]["case_id"], "N-CAL-ASC");

    let listed = |person: &str| {
        case_ids(
            &request(
                address,
                "GET",
                "/v1/cases",
                Some(&world.sessions[person].access),
                None,
                b"",
            )
            .json()["cases"],
        )
    };
    assert!(
        !listed("cal").contains("N-CAL-ASC"),
        "reassigned away from cal"
    );
    assert!(listed("cat").contains("N-CAL-ASC"), "now cat's case");
}
