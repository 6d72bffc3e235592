//! Support staff and IT scripts drive the device side with `doorstep`.

use doorstep_stories::{ServerProcess, doorstep};

#[test]
fn doorstep_version_and_help_follow_the_cli_contract() {
    let version = doorstep(&["--version"]);
    assert_eq!(version.code, Some(0));
    assert_eq!(
        version.stdout.trim(),
        format!("doorstep {}", env!("CARGO_PKG_VERSION"))
    );

    let help = doorstep(&["--help"]);
    assert_eq!(help.code, Some(0));
    for flag in ["--data-dir", "--json", "--version", "--help", "diagnostics"] {
        assert!(
            help.stdout.contains(flag),
            "help mentions {flag}:\n{}",
            help.stdout
        );
    }
}

#[test]
fn a_usage_mistake_exits_2_and_says_what_was_wrong() {
    let output = doorstep(&["no-such-command"]);
    assert_eq!(output.code, Some(2));
    assert!(
        output.stderr.contains("no-such-command"),
        "{}",
        output.stderr
    );
}

#[test]
fn diagnostics_reports_the_device_and_a_healthy_server_as_json() {
    let server_dir = tempfile::tempdir().unwrap();
    let device_dir = tempfile::tempdir().unwrap();
    let server = ServerProcess::start(server_dir.path());

    let output = doorstep(&[
        "--json",
        "--data-dir",
        device_dir.path().to_str().unwrap(),
        "diagnostics",
        "--server",
        &server.url(),
    ]);
    assert_eq!(output.code, Some(0), "stderr: {}", output.stderr);
    let report: serde_json::Value = serde_json::from_str(&output.stdout).unwrap();
    assert_eq!(report["app"]["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(
        report["app"]["dataDir"],
        device_dir.path().to_str().unwrap()
    );
    assert_eq!(report["server"]["health"]["status"], "ok");
    assert_eq!(report["server"]["readiness"]["storage"]["ready"], true);
}

#[test]
fn diagnostics_against_a_stopped_server_fails_with_advice_and_json_error() {
    let device_dir = tempfile::tempdir().unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();

    let output = doorstep(&[
        "--json",
        "--data-dir",
        device_dir.path().to_str().unwrap(),
        "diagnostics",
        "--server",
        &format!("http://127.0.0.1:{port}"),
    ]);
    assert_eq!(output.code, Some(1));
    assert_eq!(
        output.stdout, "",
        "nothing on stdout when the command fails"
    );
    let error: serde_json::Value = serde_json::from_str(output.stderr.trim()).unwrap();
    assert_eq!(error["error"]["code"], "server_unreachable");
    assert!(
        error["error"]["message"]
            .as_str()
            .unwrap()
            .contains("your work stays safe on this device")
    );
}

#[test]
fn an_invalid_server_address_is_refused_without_touching_the_network() {
    let device_dir = tempfile::tempdir().unwrap();
    let output = doorstep(&[
        "--data-dir",
        device_dir.path().to_str().unwrap(),
        "diagnostics",
        "--server",
        "doorstep.example.gov.uk",
    ]);
    assert_eq!(output.code, Some(1));
    assert!(
        output.stderr.contains("Write it in full"),
        "{}",
        output.stderr
    );
}
