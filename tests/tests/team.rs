//! The team lead's caseload view, worked out on the lead's own laptop from
//! what the team's laptops synced: caseloads per worker, and a visit that
//! ran past its expected end with no check-out. Real server process, real
//! encrypted stores, real keyring; the same `DesktopApp` the window calls.

#![allow(clippy::unwrap_used)] // test helpers may unwrap, like #[test] functions (clippy.toml)

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use doorstep_client::DeviceSettings;
use doorstep_client::desktop::{DesktopApp, ItemKind, now};
use doorstep_client::settings::{SettingsSource, parse_server_url};
use doorstep_core::dates::Timestamp;
use doorstep_stories::server_with_people;

const PASSWORD: &str = "correct horse battery staple";

fn laptop_signed_in(dir: &std::path::Path, server: &str, person: &str) -> Arc<DesktopApp> {
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

fn sync(app: &DesktopApp) {
    app.run_blocking(|device| device.sync(&mut |_| {})).unwrap();
}

#[test]
fn a_visit_past_its_expected_end_with_no_check_out_shows_on_the_leads_caseload() {
    let (_server_dir, server) = server_with_people(
        &[
            ("amy", "caseworker", Some("North")),
            ("ben", "caseworker", Some("North")),
            ("sam", "team-lead", Some("North")),
        ],
        PASSWORD,
    );
    let (amy_dir, ben_dir, sam_dir) = (
        tempfile::tempdir().unwrap(),
        tempfile::tempdir().unwrap(),
        tempfile::tempdir().unwrap(),
    );
    let amy = laptop_signed_in(amy_dir.path(), &server.url(), "amy");
    let ben = laptop_signed_in(ben_dir.path(), &server.url(), "ben");
    let sam = laptop_signed_in(sam_dir.path(), &server.url(), "sam");

    // Amy starts a visit expected to take a moment, then loses signal, but
    // her check-in synced first.
    let expected_end = Timestamp(now().millis() + 1_500).to_rfc3339();
    let visited = amy
        .run_blocking(move |device| {
            let case = device.create_case("housing", "Damp in the back bedroom")?;
            let planned = BTreeMap::from([("planned_at".to_owned(), now().to_rfc3339())]);
            let visit = device.add_form_item(&case, ItemKind::Visit, &planned)?;
            device.check_in(&case, &visit, &expected_end)?;
            Ok(case)
        })
        .unwrap();
    sync(&amy);
    ben.run_blocking(|device| {
        let case = device.create_case("welfare", "Benefit appeal paperwork")?;
        device.submit_for_review(&case)
    })
    .unwrap();
    sync(&ben);

    sync(&sam);
    std::thread::sleep(Duration::from_millis(2_000));
    let team = sam
        .run_blocking(|device| device.team_caseload(now()))
        .unwrap();

    assert_eq!(team.overdue_visits.len(), 1, "{team:?}");
    let overdue = &team.overdue_visits[0];
    assert_eq!(overdue.case_id, visited);
    assert_eq!(overdue.worker, "amy");
    assert_eq!(overdue.case_summary, "Damp in the back bedroom");

    let load = |worker: &str| {
        team.workers
            .iter()
            .find(|load| load.worker.as_deref() == Some(worker))
            .unwrap_or_else(|| panic!("{worker} has a row: {team:?}"))
            .clone()
    };
    let (amy_load, ben_load) = (load("amy"), load("ben"));
    assert_eq!((amy_load.open_cases, amy_load.overdue_visits), (1, 1));
    assert_eq!(
        (amy_load.visits_under_way, amy_load.awaiting_review),
        (1, 0)
    );
    assert_eq!((ben_load.open_cases, ben_load.awaiting_review), (1, 1));
    assert_eq!(ben_load.overdue_visits, 0);

    // Amy checks out; once that syncs, the lead's view clears.
    amy.run_blocking(move |device| {
        let visit = device
            .todays_visits(now())?
            .into_iter()
            .find(|visit| visit.case_id == visited)
            .unwrap();
        device.check_out(&visit.case_id, &visit.visit_id, "All well; left at 3pm")
    })
    .unwrap();
    sync(&amy);
    sync(&sam);
    let team = sam
        .run_blocking(|device| device.team_caseload(now()))
        .unwrap();
    assert!(team.overdue_visits.is_empty(), "{team:?}");

    // A caseworker has no team view.
    let refused = amy
        .run_blocking(|device| device.team_caseload(now()))
        .unwrap_err();
    assert_eq!(refused.code, "not_a_team_lead");
}
