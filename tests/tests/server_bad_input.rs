#![allow(clippy::unwrap_used)] // test helpers may unwrap, like #[test] functions (clippy.toml)
//! Bad input gets a clear 4xx and changes nothing: oversized bodies, broken
//! JSON, unknown fields, wrong content types and malformed automerge bytes.

use doorstep_stories::{
    ServerProcess, base64, new_case, post_json, request, server_admin, server_with_people, sign_in,
};
use serde_json::json;

const PASSWORD: &str = "a long council password";

fn setup() -> (tempfile::TempDir, ServerProcess, doorstep_stories::Session) {
    let (dir, server) = server_with_people(&[("amy", "caseworker", Some("North"))], PASSWORD);
    let session = sign_in(server.address, "amy", PASSWORD, "laptop-17");
    (dir, server, session)
}

fn stored_cases(server: &ServerProcess, session: &doorstep_stories::Session) -> usize {
    let listed = request(
        server.address,
        "GET",
        "/v1/cases",
        Some(&session.access),
        None,
        b"",
    );
    listed.json()["cases"].as_array().unwrap().len()
}

#[test]
fn each_kind_of_bad_request_gets_its_own_clear_refusal_and_nothing_is_stored() {
    let (dir, server, session) = setup();
    let token = Some(session.access.as_str());
    let good_case = new_case(
        "GOOD-1",
        "housing",
        "Damp in the kitchen",
        "amy",
        Some("North"),
        Some("amy"),
    )
    .save();

    // (what, body, content type, status, error code, words in the message)
    type BadRequest<'a> = (&'a str, Vec<u8>, Option<&'a str>, u16, &'a str, &'a str);
    let cases: Vec<BadRequest> = vec![
        (
            "not JSON",
            b"{\"protocol\": 1, ".to_vec(),
            Some("application/json"),
            400,
            "bad_request",
            "not valid JSON",
        ),
        (
            "an unknown field",
            json!({ "protocol": 1, "since": 0, "sneaky": true }).to_string().into_bytes(),
            Some("application/json"),
            400,
            "bad_request",
            "unknown field",
        ),
        (
            "the wrong content type",
            json!({ "protocol": 1, "since": 0 }).to_string().into_bytes(),
            Some("text/plain"),
            415,
            "unsupported_media_type",
            "Content-Type: application/json",
        ),
        (
            "bytes that are not automerge",
            json!({ "protocol": 1, "since": 0, "push": [
                { "case_id": "GOOD-1", "changes": base64(&good_case) },
                { "case_id": "BAD-1", "changes": base64(b"definitely not automerge") },
            ]})
            .to_string()
            .into_bytes(),
            Some("application/json"),
            400,
            "bad_request",
            "not valid automerge data",
        ),
        (
            "bytes that are not base64",
            json!({ "protocol": 1, "since": 0, "push": [{ "case_id": "GOOD-1", "changes": "!!!" }] })
                .to_string()
                .into_bytes(),
            Some("application/json"),
            400,
            "bad_request",
            "not valid base64",
        ),
        (
            "a case id that is not one",
            json!({ "protocol": 1, "since": 0, "push": [{ "case_id": "../../etc/passwd", "changes": base64(&good_case) }] })
                .to_string()
                .into_bytes(),
            Some("application/json"),
            400,
            "bad_request",
            "is not a case id",
        ),
        (
            "a device time that is not a time",
            json!({ "protocol": 1, "since": 0, "device_time": "yesterday teatime" }).to_string().into_bytes(),
            Some("application/json"),
            400,
            "bad_request",
            "RFC 3339",
        ),
        (
            "a protocol from the future",
            json!({ "protocol": 99, "since": 0 }).to_string().into_bytes(),
            Some("application/json"),
            400,
            "unsupported_protocol",
            "Update Doorstep",
        ),
        (
            "a body over the size limit",
            {
                let mut body = b"{\"protocol\":1,\"since\":0,\"full\":[\"".to_vec();
                body.extend(std::iter::repeat_n(b'A', 9 * 1024 * 1024));
                body.extend(b"\"]}");
                body
            },
            Some("application/json"),
            413,
            "payload_too_large",
            "limit of 8 MiB",
        ),
    ];
    for (what, body, content_type, status, code, words) in cases {
        let response = request(
            server.address,
            "POST",
            "/v1/sync",
            token,
            content_type,
            &body,
        );
        assert_eq!(response.status, status, "{what}: {}", response.body);
        let answer = response.json();
        assert_eq!(answer["error"], code, "{what}: {}", response.body);
        assert!(
            answer["message"].as_str().unwrap().contains(words),
            "{what}: {}",
            response.body
        );
        assert_eq!(
            stored_cases(&server, &session),
            0,
            "{what} stored something"
        );
    }

    // A document that is automerge but not a case is refused for that case only.
    let mut not_a_case = automerge::AutoCommit::new();
    automerge::transaction::Transactable::put(&mut not_a_case, automerge::ROOT, "hello", "world")
        .unwrap();
    let response = doorstep_stories::push(server.address, &session, "ODD-1", &not_a_case.save());
    assert_eq!(response.status, 200);
    assert_eq!(response.json()["rejected"][0]["code"], "not_a_case");
    assert_eq!(stored_cases(&server, &session), 0);

    // Regression: bytes that made automerge's decoder panic (found by cargo fuzz)
    // are refused like any other bad bytes, and the server carries on.
    let regressions = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../crates/doorstep-server/fuzz/regressions/pushed_changes");
    let mut replayed = 0;
    for entry in std::fs::read_dir(regressions).unwrap() {
        let bytes = std::fs::read(entry.unwrap().path()).unwrap();
        let response = doorstep_stories::push(server.address, &session, "CRASH-1", &bytes);
        assert_eq!(response.status, 400, "{}", response.body);
        assert!(
            response.json()["message"]
                .as_str()
                .unwrap()
                .contains("not valid automerge data")
        );
        replayed += 1;
    }
    assert!(replayed >= 1);
    assert_eq!(stored_cases(&server, &session), 0);
    assert_eq!(
        request(server.address, "GET", "/healthz", None, None, b"").status,
        200
    );

    // Sign-in with a malformed body gets the same treatment.
    let response = post_json(
        server.address,
        "/v1/session",
        None,
        &json!({ "user": "amy" }),
    );
    assert_eq!(response.status, 400, "{}", response.body);
    assert!(
        response.json()["message"]
            .as_str()
            .unwrap()
            .contains("missing field")
    );

    // An unknown path answers in JSON too.
    let response = request(server.address, "GET", "/v1/nothing-here", token, None, b"");
    assert_eq!(response.status, 404);
    assert_eq!(response.json()["error"], "not_found");

    let (code, out, err) = server_admin(dir.path(), None, &["audit", "verify"], None);
    assert_eq!(code, Some(0), "{err}");
    assert!(out.contains("intact"));
}
