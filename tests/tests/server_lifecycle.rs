//! Council IT runs `doorstep-server` under systemd: it starts on an empty
//! folder, answers health checks, and on `systemctl stop` (SIGTERM) finishes
//! what it is doing and exits 0.

use std::time::Duration;

use doorstep_stories::{ServerProcess, begin_request, finish_request, get};

#[test]
fn a_new_server_creates_its_database_answers_health_checks_and_stops_cleanly_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let data_dir = dir.path().join("server-data");
    let mut server = ServerProcess::start(&data_dir);

    assert!(
        data_dir.join("doorstep-server.sqlite3").exists(),
        "the embedded database is created on first start"
    );

    let health = get(server.address, "/healthz");
    assert_eq!(health.status, 200);
    let health = health.json();
    assert_eq!(health["status"], "ok");
    assert_eq!(health["version"], env!("CARGO_PKG_VERSION"));

    let ready = get(server.address, "/readyz");
    assert_eq!(ready.status, 200);
    assert_eq!(ready.json()["storage"]["backend"], "sqlite");
    assert_eq!(ready.json()["storage"]["ready"], true);

    assert_eq!(get(server.address, "/no-such-route").status, 404);

    server.terminate();
    let status = server.wait_for_exit(Duration::from_secs(10));
    assert_eq!(status.code(), Some(0), "SIGTERM is a clean stop");
}

#[test]
fn a_request_in_flight_when_sigterm_arrives_is_still_answered() {
    let dir = tempfile::tempdir().unwrap();
    let mut server = ServerProcess::start(dir.path());

    // The server has the request line and headers but not the blank line that
    // ends them: the request is in flight when the signal arrives.
    let head = format!(
        "GET /readyz HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n",
        server.address
    );
    let in_flight = begin_request(server.address, &head);
    std::thread::sleep(Duration::from_millis(200));
    server.terminate();
    std::thread::sleep(Duration::from_millis(300));
    assert!(
        server
            .wait_for_exit_within(Duration::from_millis(10))
            .is_none(),
        "the server must wait for the unfinished request"
    );

    let response = finish_request(in_flight);
    assert_eq!(response.status, 200);
    assert_eq!(response.json()["status"], "ok");

    let status = server.wait_for_exit(Duration::from_secs(10));
    assert_eq!(status.code(), Some(0));
    assert_eq!(server.remaining_stdout(), "", "nothing else on stdout");
}

#[test]
fn a_second_start_on_the_same_folder_keeps_the_database() {
    let dir = tempfile::tempdir().unwrap();
    let database = dir.path().join("doorstep-server.sqlite3");

    let mut first = ServerProcess::start(dir.path());
    first.terminate();
    assert_eq!(first.wait_for_exit(Duration::from_secs(10)).code(), Some(0));
    let created = std::fs::metadata(&database).unwrap().len();
    assert!(created > 0);

    let second = ServerProcess::start(dir.path());
    assert_eq!(get(second.address, "/readyz").status, 200);
}

/// Regression: SIGTERM sent the moment the server said it was listening used
/// to kill it uncleanly, because the handler was installed only when serving
/// began. systemd may stop a service that fast.
#[test]
fn sigterm_straight_after_start_is_still_a_clean_stop() {
    for _ in 0..20 {
        let dir = tempfile::tempdir().unwrap();
        let mut server = ServerProcess::start(dir.path());
        server.terminate();
        let status = server.wait_for_exit(Duration::from_secs(10));
        assert_eq!(
            status.code(),
            Some(0),
            "killed by a signal instead of stopping cleanly"
        );
    }
}

#[test]
fn every_route_in_the_api_description_is_served_and_metrics_count_them() {
    let dir = tempfile::tempdir().unwrap();
    let server = ServerProcess::start(dir.path());
    let description = get(server.address, "/openapi.json").json();
    let paths = description["paths"].as_object().unwrap();
    assert!(paths.len() >= 8, "{paths:?}");
    for (path, operations) in paths {
        for method in operations.as_object().unwrap().keys() {
            let concrete = path
                .replace("{case_id}", "ANY-CASE")
                .replace("{sha256}", &"0".repeat(64));
            let response = doorstep_stories::request(
                server.address,
                &method.to_uppercase(),
                &concrete,
                None,
                Some("application/json"),
                b"{}",
            );
            let unknown_route =
                response.status == 404 && response.body.contains("There is no such endpoint");
            assert!(
                !unknown_route,
                "{method} {path} is described but not served"
            );
            assert_ne!(response.status, 405, "{method} {path}: {}", response.body);
        }
    }
    let metrics = get(server.address, "/metrics");
    assert_eq!(metrics.status, 200);
    assert!(
        metrics.body.contains(
            "doorstep_http_requests_total{method=\"GET\",route=\"/openapi.json\",status=\"200\"} 2"
        ),
        "{}",
        metrics.body
    );
    assert!(metrics.body.contains("doorstep_active_devices 0"));
    assert!(
        metrics
            .body
            .contains("doorstep_sync_bytes_total{direction=\"received\"} 0")
    );
}
