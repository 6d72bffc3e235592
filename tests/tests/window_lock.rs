//! The window locks when left, opens again with the caseworker's PIN with no
//! signal, and after too many wrong PINs needs the council password: the
//! work made before stays. Drives the same `DesktopApp` the app's commands
//! call, against a real server process and the real OS keyring.

#![allow(clippy::unwrap_used)] // test helpers may unwrap, like #[test] functions (clippy.toml)

use doorstep_client::DeviceSettings;
use doorstep_client::desktop::{CaseQuery, DesktopApp};
use doorstep_client::settings::{SettingsSource, parse_server_url};
use doorstep_client::unlock::MAXIMUM_FAILED_UNLOCKS;
use doorstep_stories::server_with_people;

const PASSWORD: &str = "correct horse battery staple";
const PIN: &str = "271828";

fn window(laptop: &std::path::Path, idle_lock_minutes: &str) -> std::sync::Arc<DesktopApp> {
    DesktopApp::new(
        DeviceSettings::resolve(SettingsSource {
            data_dir: Some(laptop.to_owned()),
            idle_lock_minutes: Some(idle_lock_minutes.into()),
            ..SettingsSource::default()
        })
        .unwrap(),
    )
}

#[test]
fn a_locked_window_opens_with_the_pin_and_too_many_wrong_pins_need_the_password() {
    let (_dir, server) = server_with_people(&[("amy", "caseworker", Some("North"))], PASSWORD);
    let url = parse_server_url(&server.url()).unwrap();
    let laptop = tempfile::tempdir().unwrap();
    let app = window(laptop.path(), "15");

    let status = app.lock_status().unwrap();
    assert!(!status.locked && !status.pin_set && !status.signed_in);
    let no_pin_yet = app
        .run_blocking(|device| device.set_unlock_pin(PIN))
        .unwrap_err();
    assert_eq!(
        no_pin_yet.code, "not_signed_in",
        "only a signed-in person sets a PIN"
    );

    app.run_blocking({
        let url = url.clone();
        move |device| device.sign_in(&url, "amy", PASSWORD)
    })
    .unwrap();
    let weak = app
        .run_blocking(|device| device.set_unlock_pin("111111"))
        .unwrap_err();
    assert_eq!(
        (weak.code.as_str(), weak.field.as_deref()),
        ("invalid_field", Some("pin"))
    );
    app.run_blocking(|device| device.set_unlock_pin(PIN))
        .unwrap();
    let case = app
        .run_blocking(|device| device.create_case("housing", "Damp in the back bedroom"))
        .unwrap();

    // Stepping away: the caseworker presses Lock; case data is refused.
    app.lock_now().unwrap();
    let refused = app
        .run_blocking(|device| device.case_list(&CaseQuery::default()))
        .unwrap_err();
    assert_eq!(refused.code, "locked");
    let wrong = app.unlock("314159").unwrap_err();
    assert_eq!(
        (wrong.code.as_str(), wrong.field.as_deref()),
        ("invalid_field", Some("pin"))
    );
    assert!(wrong.message.contains("4 more times"), "{}", wrong.message);
    app.unlock(PIN).unwrap();
    assert_eq!(
        app.lock_status().unwrap().attempts_left,
        MAXIMUM_FAILED_UNLOCKS
    );

    // Restarting the app does not skip the lock.
    drop(app);
    let app = window(laptop.path(), "15");
    assert!(app.lock_status().unwrap().locked);
    for _ in 1..MAXIMUM_FAILED_UNLOCKS {
        app.unlock("000001").unwrap_err();
    }
    drop(app);
    let app = window(laptop.path(), "15");
    assert_eq!(
        app.lock_status().unwrap().attempts_left,
        1,
        "wrong PINs are counted on disk, so a restart does not reset them"
    );
    let locked_out = app.unlock("000001").unwrap_err();
    assert_eq!(locked_out.code, "pin_locked_out");
    let after = app.lock_status().unwrap();
    assert!(!after.pin_set && !after.signed_in, "{after:?}");
    assert_eq!(
        app.unlock(PIN).unwrap_err().code,
        "no_pin",
        "even the right PIN no longer opens it"
    );

    // Only the council password, checked by the server, opens it again; the work is there.
    app.sign_in(&url, "amy", PASSWORD).unwrap();
    let cases = app
        .run_blocking(|device| device.case_list(&CaseQuery::default()))
        .unwrap();
    assert_eq!(cases.rows[0].case_id, case);
}

#[test]
fn the_window_locks_after_the_idle_time_and_asking_about_the_lock_does_not_keep_it_open() {
    let (_dir, server) = server_with_people(&[("amy", "caseworker", Some("North"))], PASSWORD);
    let url = parse_server_url(&server.url()).unwrap();
    let laptop = tempfile::tempdir().unwrap();
    let settings = DeviceSettings::resolve(SettingsSource {
        data_dir: Some(laptop.path().to_owned()),
        ..SettingsSource::default()
    })
    .unwrap();
    let idle = std::time::Duration::from_millis(600);
    let app = DesktopApp::with_idle_lock(settings, idle);
    app.sign_in(&url, "amy", PASSWORD).unwrap();
    app.run_blocking(|device| device.set_unlock_pin(PIN))
        .unwrap();

    // The window polls while the caseworker reads a case without touching anything.
    let last_used = std::time::Instant::now();
    app.run_blocking(|device| device.case_list(&CaseQuery::default()))
        .unwrap();
    // It counts down, so the window can warn before it locks.
    let mut time_left = Vec::new();
    while last_used.elapsed() < idle / 2 {
        let status = app.lock_status().unwrap();
        assert!(!status.locked);
        time_left.push(status.millis_until_lock.expect("a PIN is set"));
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    assert!(
        time_left.windows(2).all(|pair| pair[1] <= pair[0]),
        "the time left only falls while nobody uses the window: {time_left:?}"
    );
    assert!(time_left.iter().all(|&left| left <= 600));
    std::thread::sleep(idle);
    let status = app.lock_status().unwrap();
    assert!(status.locked, "polling did not keep the window open");
    assert_eq!(status.millis_until_lock, None, "nothing to count down to");
    assert_eq!(
        app.run_blocking(|device| device.case_list(&CaseQuery::default()))
            .unwrap_err()
            .code,
        "locked"
    );
    app.unlock(PIN).unwrap();

    // Typing keeps it open past the idle time.
    for _ in 0..4 {
        std::thread::sleep(idle / 3);
        app.user_active();
    }
    let status = app.lock_status().unwrap();
    assert!(!status.locked, "someone working is not locked out");
    assert!(
        status.millis_until_lock.unwrap() > 400,
        "staying active (the warning's button) puts the lock back to the full idle time: {status:?}"
    );
}
