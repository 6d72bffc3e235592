//! A caseworker checks in to a visit and never checks out. From what her
//! laptop synced, the real server notices the visit has run over, raises one
//! alert, and sends it to the council's webhook and by email, trying again
//! when the first tries fail. The webhook receiver and the SMTP sink are small
//! servers this test runs on loopback; nothing is mocked inside Doorstep.

#![allow(clippy::unwrap_used)] // test helpers may unwrap, like #[test] functions (clippy.toml)

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use doorstep_client::DeviceSettings;
use doorstep_client::desktop::{DesktopApp, ItemKind, now};
use doorstep_client::settings::{SettingsSource, parse_server_url};
use doorstep_core::dates::Timestamp;
use doorstep_stories::{ServerProcess, add_team, add_user, server_admin};

const PASSWORD: &str = "correct horse battery staple";

/// Answers webhook POSTs: the first `refuse_first` with 503, then 200. Keeps every body.
fn webhook_receiver(refuse_first: usize) -> (u16, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let bodies = Arc::new(Mutex::new(Vec::new()));
    let kept = Arc::clone(&bodies);
    std::thread::spawn(move || {
        for (index, stream) in listener.incoming().enumerate() {
            let Ok(stream) = stream else { continue };
            let body = read_http_body(&stream);
            kept.lock().unwrap().push(body);
            let status = if index < refuse_first {
                "503 Service Unavailable"
            } else {
                "200 OK"
            };
            let mut stream = stream;
            let _ = write!(
                stream,
                "HTTP/1.1 {status}\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
            );
        }
    });
    (port, bodies)
}

fn read_http_body(stream: &TcpStream) -> String {
    let mut reader = BufReader::new(stream);
    let mut length = 0;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
            break;
        }
        if let Some(value) = line.to_ascii_lowercase().strip_prefix("content-length:") {
            length = value.trim().parse().unwrap_or(0);
        }
    }
    let mut body = vec![0; length];
    let _ = reader.read_exact(&mut body);
    String::from_utf8_lossy(&body).into_owned()
}

/// A plain SMTP sink on loopback: refuses the first `refuse_first` messages
/// with a temporary failure (451), then accepts, keeping each message.
fn smtp_sink(refuse_first: usize) -> (u16, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let messages = Arc::new(Mutex::new(Vec::new()));
    let kept = Arc::clone(&messages);
    std::thread::spawn(move || {
        let mut sessions = 0;
        for stream in listener.incoming() {
            let Ok(stream) = stream else { continue };
            let refuse = sessions < refuse_first;
            sessions += 1;
            let _ = smtp_session(stream, refuse, &kept);
        }
    });
    (port, messages)
}

fn smtp_session(stream: TcpStream, refuse: bool, kept: &Mutex<Vec<String>>) -> std::io::Result<()> {
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    let mut writer = stream.try_clone()?;
    let mut reader = BufReader::new(stream);
    writer.write_all(b"220 sink.test ESMTP\r\n")?;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 {
            return Ok(());
        }
        let command = line.trim_end().to_ascii_uppercase();
        if command.starts_with("EHLO") || command.starts_with("HELO") {
            writer.write_all(b"250-sink.test\r\n250 8BITMIME\r\n")?;
        } else if command.starts_with("MAIL FROM") && refuse {
            writer.write_all(b"451 4.3.0 Try again later\r\n")?;
        } else if command.starts_with("MAIL FROM") || command.starts_with("RCPT TO") {
            writer.write_all(b"250 OK\r\n")?;
        } else if command == "DATA" {
            writer.write_all(b"354 End with <CRLF>.<CRLF>\r\n")?;
            let mut message = String::new();
            loop {
                let mut data = String::new();
                if reader.read_line(&mut data)? == 0 || data == ".\r\n" {
                    break;
                }
                message.push_str(&data);
            }
            kept.lock().unwrap().push(message);
            writer.write_all(b"250 OK queued\r\n")?;
        } else if command == "QUIT" {
            writer.write_all(b"221 Bye\r\n")?;
            return Ok(());
        } else if command == "RSET" || command == "NOOP" {
            writer.write_all(b"250 OK\r\n")?;
        } else {
            writer.write_all(b"502 Not implemented\r\n")?;
        }
    }
}

fn wait_until(limit: Duration, what: &str, mut done: impl FnMut() -> bool) {
    let started = Instant::now();
    while !done() {
        assert!(started.elapsed() < limit, "{what} within {limit:?}");
        std::thread::sleep(Duration::from_millis(200));
    }
}

fn laptop_signed_in(
    dir: &std::path::Path,
    server: &str,
    person: &str,
) -> std::sync::Arc<DesktopApp> {
    let app = DesktopApp::new(
        DeviceSettings::resolve(SettingsSource {
            data_dir: Some(dir.to_owned()),
            ..SettingsSource::default()
        })
        .unwrap(),
    );
    app.sign_in(&parse_server_url(server).unwrap(), person, PASSWORD)
        .unwrap();
    app
}

#[test]
fn a_visit_that_runs_over_raises_one_alert_sent_to_the_webhook_and_by_email_with_retries() {
    let (webhook_port, webhook_bodies) = webhook_receiver(1);
    let (smtp_port, emails) = smtp_sink(1);
    let server_dir = tempfile::tempdir().unwrap();
    add_team(server_dir.path(), None, "North");
    add_user(
        server_dir.path(),
        None,
        "amy",
        "caseworker",
        Some("North"),
        PASSWORD,
    );
    add_user(
        server_dir.path(),
        None,
        "sam",
        "team-lead",
        Some("North"),
        PASSWORD,
    );
    let config = server_dir.path().join("server.toml");
    std::fs::write(
        &config,
        format!(
            "[lone_working]\ncheck_seconds = 1\nwebhook_url = \"http://127.0.0.1:{webhook_port}/doorstep\"\n\
             smtp_url = \"smtp://127.0.0.1:{smtp_port}\"\nemail_from = \"doorstep@example-council.gov.uk\"\n\
             email_to = [\"lone-working@example-council.gov.uk\"]\n"
        ),
    )
    .unwrap();
    let server = ServerProcess::start_with_args(
        server_dir.path(),
        None,
        &["--config", config.to_str().unwrap()],
    );

    // Amy checks in expecting a short visit; the check-in syncs, then nothing more.
    let laptop = tempfile::tempdir().unwrap();
    let amy = DesktopApp::new(
        DeviceSettings::resolve(SettingsSource {
            data_dir: Some(laptop.path().to_owned()),
            ..SettingsSource::default()
        })
        .unwrap(),
    );
    amy.sign_in(&parse_server_url(&server.url()).unwrap(), "amy", PASSWORD)
        .unwrap();
    let expected_end = Timestamp(now().millis() + 1_000).to_rfc3339();
    let (case_id, visit_id) = amy
        .run_blocking(move |device| {
            let case = device.create_case("housing", "Damp in the back bedroom")?;
            let planned = BTreeMap::from([("planned_at".to_owned(), now().to_rfc3339())]);
            let visit = device.add_form_item(&case, ItemKind::Visit, &planned)?;
            device.check_in(&case, &visit, &expected_end)?;
            device.sync(&mut |_| {})?;
            Ok((case, visit))
        })
        .unwrap();

    // The first webhook call and the first email are refused; the retries land.
    wait_until(
        Duration::from_secs(60),
        "the webhook accepts the alert",
        || webhook_bodies.lock().unwrap().len() >= 2,
    );
    wait_until(
        Duration::from_secs(60),
        "the mail relay accepts the alert",
        || !emails.lock().unwrap().is_empty(),
    );
    let bodies = webhook_bodies.lock().unwrap().clone();
    let alert: serde_json::Value = serde_json::from_str(&bodies[1]).unwrap();
    assert_eq!(alert["event"], "lone_worker_alert");
    assert_eq!(alert["alert"]["worker"], "amy");
    assert_eq!(alert["alert"]["case_id"], case_id.as_str());
    assert_eq!(bodies[0], bodies[1], "the retry sends the same alert");
    let email = emails.lock().unwrap()[0].clone();
    assert!(
        email.contains("Subject: Lone-worker alert: amy has not checked out"),
        "{email}"
    );
    assert!(
        email.contains("lone-working@example-council.gov.uk"),
        "{email}"
    );
    assert!(
        !email.contains("Damp in the back bedroom"),
        "nothing about the person visited goes by email: {email}"
    );

    // Sam, the team lead, syncs: the alert shows on his laptop (the banner on
    // every page reads this), with how it was sent, and Amy's laptop is on
    // the team's list with its last sync.
    let sam_laptop = tempfile::tempdir().unwrap();
    let sam = laptop_signed_in(sam_laptop.path(), &server.url(), "sam");
    let open = sam
        .run_blocking(|device| {
            device.sync(&mut |_| {})?;
            device.open_alerts()
        })
        .unwrap();
    assert!(open.fetched_at.is_some());
    assert_eq!(open.alerts.len(), 1, "{open:?}");
    let shown = &open.alerts[0];
    assert_eq!(shown.worker, "amy");
    assert_eq!(shown.case_id, case_id);
    assert_eq!(
        shown.case_summary.as_deref(),
        Some("Damp in the back bedroom")
    );
    let webhook = shown
        .deliveries
        .iter()
        .find(|delivery| delivery.channel == "webhook")
        .unwrap();
    assert!(webhook.delivered, "{shown:?}");
    assert_eq!(webhook.attempts, 2, "refused once, then sent");
    let team = sam
        .run_blocking(|device| device.team_caseload(now()))
        .unwrap()
        .from_server
        .unwrap();
    let amys = team
        .devices
        .iter()
        .find(|device| device.user == "amy")
        .unwrap();
    assert!(amys.last_sync_at.is_some() && !amys.revoked, "{amys:?}");
    // Amy is not a team lead: her laptop has no alerts to show.
    let refused = amy.run_blocking(|device| device.open_alerts()).unwrap_err();
    assert_eq!(refused.code, "not_a_team_lead");

    // Checking does not raise it twice.
    std::thread::sleep(Duration::from_secs(3));
    let (code, listed, stderr) = server_admin(
        server_dir.path(),
        None,
        &["--json", "alert", "list", "--open"],
        None,
    );
    assert_eq!(code, Some(0), "{stderr}");
    let listed: serde_json::Value = serde_json::from_str(&listed).unwrap();
    assert_eq!(listed["alerts"].as_array().unwrap().len(), 1, "{listed}");
    assert_eq!(
        webhook_bodies.lock().unwrap().len(),
        2,
        "delivered once, not again"
    );

    // Amy's check-out syncs: the alert resolves.
    amy.run_blocking(move |device| {
        device.check_out(&case_id, &visit_id, "All well; the signal was poor")?;
        device.sync(&mut |_| {})?;
        Ok(())
    })
    .unwrap();
    wait_until(
        Duration::from_secs(30),
        "the alert resolves after the check-out",
        || {
            let (_, listed, _) = server_admin(
                server_dir.path(),
                None,
                &["--json", "alert", "list", "--open"],
                None,
            );
            serde_json::from_str::<serde_json::Value>(&listed).unwrap()["alerts"]
                .as_array()
                .is_some_and(Vec::is_empty)
        },
    );

    // At Sam's next sync the banner clears; the Team page keeps the resolved alert.
    let (open, team) = sam
        .run_blocking(|device| {
            device.sync(&mut |_| {})?;
            Ok((device.open_alerts()?, device.team_caseload(now())?))
        })
        .unwrap();
    assert!(open.alerts.is_empty(), "{open:?}");
    let kept = team.from_server.unwrap();
    assert_eq!(kept.alerts.len(), 1);
    assert!(kept.alerts[0].resolved_at.is_some());

    let (_, audit, _) = server_admin(server_dir.path(), None, &["audit", "export"], None);
    for action in [
        "lone_worker_alert_raised",
        "lone_worker_alert_sent",
        "lone_worker_alert_resolved",
    ] {
        assert!(audit.contains(action), "{action} is in the audit log");
    }
}
