//! The desktop app syncs by itself: it notices it is offline, keeps the
//! caseworker's edits, and sends them once the network is back, reporting
//! each step. This drives the same `BackgroundSync` the app starts, against
//! a real server behind a real proxy that can be cut off.

#![allow(clippy::unwrap_used)] // test helpers may unwrap, like #[test] functions (clippy.toml)

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use doorstep_client::background::{BackgroundSync, Connection, SyncStatus};
use doorstep_client::settings::{SettingsSource, parse_server_url};
use doorstep_client::{Device, DeviceSettings};
use doorstep_stories::proxy::FaultyProxy;
use doorstep_stories::{Laptop, server_with_people};
use doorstep_sync::schedule::ScheduleConfig;

const PASSWORD: &str = "correct horse battery staple";

fn wait_until(statuses: &Mutex<Vec<SyncStatus>>, what: &str, test: impl Fn(&SyncStatus) -> bool) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline {
        if statuses.lock().unwrap().last().is_some_and(&test) {
            return;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    panic!("never {what}: {:#?}", statuses.lock().unwrap().last());
}

#[test]
fn the_app_keeps_edits_while_offline_and_sends_them_by_itself_when_the_network_returns() {
    let (_dir, server) = server_with_people(
        &[
            ("amy", "caseworker", Some("North")),
            ("ben", "caseworker", Some("North")),
        ],
        PASSWORD,
    );
    let proxy = FaultyProxy::start(server.address, 1);
    proxy.set_faulty(false);
    let laptop = tempfile::tempdir().unwrap();
    let settings = DeviceSettings::resolve(SettingsSource {
        data_dir: Some(laptop.path().to_owned()),
        ..SettingsSource::default()
    })
    .unwrap();
    let mut window = Device::open(&settings).unwrap();
    window
        .sign_in(&parse_server_url(&proxy.url()).unwrap(), "amy", PASSWORD)
        .unwrap();

    // Out of coverage: the proxy now leads nowhere.
    let nowhere = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    proxy.set_upstream(nowhere);
    let statuses = Arc::new(Mutex::new(Vec::new()));
    let heard = statuses.clone();
    let background = BackgroundSync::start(
        settings,
        ScheduleConfig {
            debounce: Duration::from_millis(200),
            longest_debounce: Duration::from_secs(2),
            period: Duration::from_secs(3600),
            first_retry: Duration::from_millis(100),
            longest_retry: Duration::from_millis(400),
        },
        move |status| heard.lock().unwrap().push(status.clone()),
    );
    wait_until(&statuses, "offline", |status| {
        status.connection == Connection::Offline
    });

    // The caseworker carries on; the window saves and tells sync.
    let case = window
        .create_case("housing", "Written in a basement flat")
        .unwrap();
    window.add_note(&case, "No signal down here.").unwrap();
    background.edited();
    wait_until(&statuses, "waiting with the edits", |status| {
        status.connection == Connection::Offline && status.unsynced_changes == 2
    });
    assert!(!background.status().everything_acknowledged);

    // Back in coverage.
    proxy.set_upstream(server.address);
    background.online();
    wait_until(&statuses, "synced", |status| {
        status.connection == Connection::Online && status.everything_acknowledged
    });
    let seen = statuses.lock().unwrap().clone();
    assert!(
        seen.iter()
            .any(|status| status.connection == Connection::Syncing)
    );
    assert!(
        seen.iter().any(|status| status.progress.is_some()),
        "progress is reported"
    );
    assert!(background.status().last_synced_at.is_some());

    let ben = Laptop::new();
    ben.sign_in(&server.url(), "ben", PASSWORD);
    ben.synced();
    let notes = ben.json(&["case", "show", &case])["notes"].to_string();
    assert!(notes.contains("No signal down here."), "{notes}");
    drop(background);
}
