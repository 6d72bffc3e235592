//! Council IT sets up teams and accounts with `doorstep-server admin`.

use std::io::Write;
use std::process::{Command, Stdio};

use doorstep_stories::binary;

fn admin(
    data_dir: &std::path::Path,
    args: &[&str],
    stdin: Option<&str>,
) -> (Option<i32>, String, String) {
    let mut child = Command::new(binary("doorstep-server"))
        .arg("admin")
        .arg("--data-dir")
        .arg(data_dir)
        .args(args)
        .env_remove("DOORSTEP_DATABASE_URL")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("doorstep-server runs");
    if let Some(text) = stdin {
        let written = child
            .stdin
            .take()
            .expect("stdin is piped")
            .write_all(text.as_bytes());
        // A usage error exits before reading stdin; the pipe closing then is expected.
        if let Err(error) = written {
            assert_eq!(
                error.kind(),
                std::io::ErrorKind::BrokenPipe,
                "write the password: {error}"
            );
        }
    } else {
        drop(child.stdin.take());
    }
    let output = child.wait_with_output().expect("doorstep-server finishes");
    (
        output.status.code(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
fn it_creates_a_team_and_accounts_and_disables_a_leaver() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let data = dir.path();

    let (code, out, err) = admin(data, &["team", "add", "Adults North"], None);
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(out.trim(), "Created team Adults North");

    let (code, _, err) = admin(
        data,
        &[
            "user",
            "add",
            "amira.khan",
            "--role",
            "caseworker",
            "--team",
            "Adults North",
            "--password-stdin",
        ],
        Some("correct horse battery staple\n"),
    );
    assert_eq!(code, Some(0), "{err}");

    let (code, _, err) = admin(
        data,
        &[
            "user",
            "add",
            "ben.jones",
            "--role",
            "team-lead",
            "--password-stdin",
        ],
        Some("another long passphrase\n"),
    );
    assert_eq!(code, Some(1));
    assert!(err.contains("must belong to a team"), "{err}");

    let (code, _, err) = admin(
        data,
        &["user", "add", "carl", "--role", "admin", "--password-stdin"],
        Some("short\n"),
    );
    assert_eq!(code, Some(1));
    assert!(err.contains("at least 12 characters"), "{err}");

    let (code, _, err) = admin(
        data,
        &["user", "add", "dee", "--role", "wizard", "--password-stdin"],
        Some("long enough passphrase\n"),
    );
    assert_eq!(code, Some(2), "an unknown role is a usage error");
    assert!(err.contains("caseworker, team-lead or admin"), "{err}");

    let (code, _, _) = admin(data, &["user", "disable", "AMIRA.KHAN"], None);
    assert_eq!(code, Some(0));
    let (code, out, _) = admin(data, &["--json", "user", "list"], None);
    assert_eq!(code, Some(0));
    let users: serde_json::Value = serde_json::from_str(&out).expect("JSON");
    assert_eq!(
        users["users"].as_array().map(Vec::len),
        Some(1),
        "refused accounts were not created"
    );
    assert_eq!(users["users"][0]["name"], "amira.khan");
    assert_eq!(users["users"][0]["team"], "Adults North");
    assert_eq!(users["users"][0]["disabled"], true);
    assert!(
        !out.contains("argon2"),
        "password digests never leave the server"
    );

    let (code, _, err) = admin(data, &["user", "disable", "nobody"], None);
    assert_eq!(code, Some(1));
    assert!(err.contains("There is no user called nobody"), "{err}");
}
