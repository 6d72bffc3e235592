#![allow(clippy::unwrap_used)] // test helpers may unwrap, like #[test] functions (clippy.toml)
//! Caseworkers sign in, their sessions refresh and end, and IT revokes a lost laptop.

use doorstep_stories::{
    ServerProcess, post_json, request, server_admin, server_with_people, sign_in,
};
use serde_json::json;

const PASSWORD: &str = "a long council password";

fn setup() -> (tempfile::TempDir, ServerProcess) {
    server_with_people(&[("amy", "caseworker", Some("North"))], PASSWORD)
}

fn sign_in_attempt(
    server: &ServerProcess,
    user: &str,
    password: &str,
    device_id: Option<&str>,
) -> doorstep_stories::RawResponse {
    post_json(
        server.address,
        "/v1/session",
        None,
        &json!({
            "user": user,
            "password": password,
            "device": { "id": device_id, "hostname": "laptop-17", "os": "Debian 12", "app_version": "0.1.0" },
            "device_time": "2026-11-28T09:00:00Z",
        }),
    )
}

fn cases_with(server: &ServerProcess, token: &str) -> doorstep_stories::RawResponse {
    request(server.address, "GET", "/v1/cases", Some(token), None, b"")
}

#[test]
fn a_wrong_password_and_an_unknown_account_get_the_same_answer_and_repeated_failures_lock_the_account()
 {
    let (dir, server) = setup();
    let wrong = sign_in_attempt(&server, "amy", "not the password at all", None);
    let unknown = sign_in_attempt(&server, "nobody", "not the password at all", None);
    assert_eq!(wrong.status, 401);
    assert_eq!(unknown.status, 401);
    assert_eq!(
        wrong.body, unknown.body,
        "the answer must not reveal whether an account exists"
    );
    assert_eq!(wrong.json()["error"], "sign_in_failed");

    for _ in 0..4 {
        assert_eq!(
            sign_in_attempt(&server, "amy", "guess guess guess", None).status,
            401
        );
    }
    let locked = sign_in_attempt(&server, "amy", PASSWORD, None);
    assert_eq!(locked.status, 429, "{}", locked.body);
    assert_eq!(locked.json()["error"], "sign_in_locked");
    assert!(locked.json()["message"].as_str().unwrap().contains("Wait"));
    // Trying again while locked does not make the lock last longer, and the
    // lock is audited once.
    for _ in 0..10 {
        assert_eq!(sign_in_attempt(&server, "amy", PASSWORD, None).status, 429);
    }
    let (_, out, _) = server_admin(dir.path(), None, &["audit", "export"], None);
    assert_eq!(out.matches("\"action\":\"sign_in_locked\"").count(), 1);
}

#[test]
fn a_refresh_token_works_once_and_a_replayed_one_ends_the_session() {
    let (_dir, server) = setup();
    let session = sign_in(server.address, "amy", PASSWORD, "laptop-17");
    assert_eq!(cases_with(&server, &session.access).status, 200);

    let refreshed = post_json(
        server.address,
        "/v1/session/refresh",
        None,
        &json!({ "refresh_token": session.refresh }),
    );
    assert_eq!(refreshed.status, 200, "{}", refreshed.body);
    let fresh = refreshed.json();
    assert_eq!(fresh["device_id"], session.device_id.as_str());
    assert_ne!(fresh["refresh_token"], session.refresh.as_str());
    let fresh_access = fresh["access_token"].as_str().unwrap();
    assert_eq!(cases_with(&server, fresh_access).status, 200);

    // Someone replays the first refresh token: a stolen copy.
    let replay = post_json(
        server.address,
        "/v1/session/refresh",
        None,
        &json!({ "refresh_token": session.refresh }),
    );
    assert_eq!(replay.status, 401);
    assert_eq!(replay.json()["error"], "session_ended");
    // The whole session is over, for the thief and the device alike.
    let after = cases_with(&server, fresh_access);
    assert_eq!(after.status, 401, "{}", after.body);
    let rotated = post_json(
        server.address,
        "/v1/session/refresh",
        None,
        &json!({ "refresh_token": fresh["refresh_token"] }),
    );
    assert_eq!(rotated.status, 401);

    // Signing in again from the same device keeps its registration.
    let again = sign_in_attempt(&server, "amy", PASSWORD, Some(&session.device_id));
    assert_eq!(again.status, 200, "{}", again.body);
    assert_eq!(again.json()["device_id"], session.device_id.as_str());

    // An old, spent token replayed later ends nothing but its own dead session.
    let replay = post_json(
        server.address,
        "/v1/session/refresh",
        None,
        &json!({ "refresh_token": session.refresh }),
    );
    assert_eq!(replay.status, 401);
    let new_access = again.json()["access_token"].as_str().unwrap().to_owned();
    assert_eq!(
        cases_with(&server, &new_access).status,
        200,
        "the new session lives on"
    );
}

#[test]
fn signing_out_ends_the_tokens_and_requests_without_a_token_are_refused() {
    let (dir, server) = setup();
    let session = sign_in(server.address, "amy", PASSWORD, "laptop-17");
    let none = request(server.address, "GET", "/v1/cases", None, None, b"");
    assert_eq!(none.status, 401);
    assert_eq!(none.json()["error"], "token_missing");
    let forged = cases_with(&server, "dsa_forged");
    assert_eq!(forged.status, 401);

    let out = request(
        server.address,
        "DELETE",
        "/v1/session",
        Some(&session.access),
        None,
        b"",
    );
    assert_eq!(out.status, 204, "{}", out.body);
    assert_eq!(cases_with(&server, &session.access).status, 401);

    // The app refreshing after sign-out is told the session is over; that is
    // not theft, so no alarm is raised.
    let refresh = post_json(
        server.address,
        "/v1/session/refresh",
        None,
        &json!({ "refresh_token": session.refresh }),
    );
    assert_eq!(refresh.status, 401);
    assert_eq!(refresh.json()["error"], "session_ended");
    let (_, audit, _) = server_admin(dir.path(), None, &["audit", "export"], None);
    assert!(audit.contains("\"action\":\"signed_out\""));
    assert!(!audit.contains("refresh_token_reused"), "{audit}");
}

#[test]
fn it_revokes_a_lost_laptop_which_is_told_to_wipe_on_every_kind_of_contact() {
    let (dir, server) = setup();
    let lost = sign_in(server.address, "amy", PASSWORD, "laptop-lost");
    let other = sign_in(server.address, "amy", PASSWORD, "laptop-new");

    let (code, out, err) = server_admin(dir.path(), None, &["--json", "device", "list"], None);
    assert_eq!(code, Some(0), "{err}");
    let devices: serde_json::Value = serde_json::from_str(&out).unwrap();
    let listed = devices["devices"].as_array().unwrap();
    assert_eq!(listed.len(), 2);
    assert!(
        listed
            .iter()
            .any(|d| d["hostname"] == "laptop-lost" && d["user"] == "amy")
    );

    let (code, out, err) = server_admin(
        dir.path(),
        None,
        &["device", "revoke", &lost.device_id],
        None,
    );
    assert_eq!(code, Some(0), "{err}");
    assert!(out.contains("wipes its data on its next contact"), "{out}");

    let refused = cases_with(&server, &lost.access);
    assert_eq!(refused.status, 403);
    assert_eq!(refused.json()["error"], "device_revoked");
    assert_eq!(refused.json()["wipe"], true);
    let refresh = post_json(
        server.address,
        "/v1/session/refresh",
        None,
        &json!({ "refresh_token": lost.refresh }),
    );
    assert_eq!(refresh.status, 403);
    assert_eq!(refresh.json()["wipe"], true);
    let sign_in_again = sign_in_attempt(&server, "amy", PASSWORD, Some(&lost.device_id));
    assert_eq!(sign_in_again.status, 403);
    assert_eq!(sign_in_again.json()["wipe"], true);

    // The other laptop is untouched.
    assert_eq!(cases_with(&server, &other.access).status, 200);

    let (code, out, _) = server_admin(dir.path(), None, &["--json", "device", "list"], None);
    assert_eq!(code, Some(0));
    assert!(out.contains("revoked_at\": \"20"), "{out}");
    let (code, out, err) = server_admin(dir.path(), None, &["audit", "export"], None);
    assert_eq!(code, Some(0), "{err}");
    for action in ["signed_in", "admin_device_revoked", "device_told_to_wipe"] {
        assert!(
            out.contains(&format!("\"action\":\"{action}\"")),
            "{action} missing from {out}"
        );
    }
}

#[test]
fn a_disabled_account_is_refused_at_once_even_with_a_live_token() {
    let (dir, server) = setup();
    let session = sign_in(server.address, "amy", PASSWORD, "laptop-17");
    let (code, _, err) = server_admin(dir.path(), None, &["user", "disable", "amy"], None);
    assert_eq!(code, Some(0), "{err}");
    let refused = cases_with(&server, &session.access);
    assert_eq!(refused.status, 403);
    assert_eq!(refused.json()["error"], "account_disabled");
    assert_eq!(
        refused.json().get("wipe"),
        None,
        "disabling is not revoking"
    );
}

#[test]
fn guesses_sent_all_at_once_are_counted_too() {
    let (_dir, server) = setup();
    let address = server.address;
    let answers: Vec<u16> = (0..24)
        .map(|n| {
            std::thread::spawn(move || {
                post_json(
                    address,
                    "/v1/session",
                    None,
                    &json!({
                        "user": "amy",
                        "password": format!("guess number {n} of many"),
                        "device": { "hostname": "attacker", "os": "Linux", "app_version": "0.1.0" },
                    }),
                )
                .status
            })
        })
        .collect::<Vec<_>>()
        .into_iter()
        .map(|guess| guess.join().unwrap())
        .collect();
    let checked = answers.iter().filter(|status| **status == 401).count();
    let locked = answers.iter().filter(|status| **status == 429).count();
    assert_eq!(checked + locked, answers.len(), "{answers:?}");
    assert!(
        checked <= 5,
        "only 5 guesses may be checked, {checked} were: {answers:?}"
    );
    // Refused guesses do not count; the ones checked do.
    let expected = if checked == 5 { 429 } else { 200 };
    assert_eq!(
        sign_in_attempt(&server, "amy", PASSWORD, None).status,
        expected
    );
}

#[test]
fn a_user_name_nobody_could_have_is_refused_without_a_trace() {
    let (dir, server) = setup();
    let huge = "x".repeat(100_000);
    for name in [huge.as_str(), "", "amy\u{0}"] {
        let response = sign_in_attempt(&server, name, "whatever password", None);
        assert_eq!(response.status, 401);
        assert_eq!(response.json()["error"], "sign_in_failed");
    }
    let (_, out, _) = server_admin(dir.path(), None, &["audit", "export"], None);
    assert!(
        !out.contains("xxxxxxxxxx"),
        "the junk name was not written to the audit log"
    );
}
