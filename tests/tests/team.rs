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
use doorstep_stories::{ServerProcess, server_with_people};

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

/// A laptop signed in to the server, on a data folder that lasts as long as it does.
struct TeamLaptop {
    app: Arc<DesktopApp>,
    _data_dir: tempfile::TempDir,
}

impl std::ops::Deref for TeamLaptop {
    type Target = DesktopApp;

    fn deref(&self) -> &DesktopApp {
        &self.app
    }
}

/// A server with these people (name, role, team), and a laptop signed in
/// for each, in the same order.
fn team_on_laptops<const N: usize>(
    people: [(&str, &str, Option<&str>); N],
) -> (tempfile::TempDir, ServerProcess, [TeamLaptop; N]) {
    let (server_dir, server) = server_with_people(&people, PASSWORD);
    let laptops = people.map(|(person, _, _)| {
        let data_dir = tempfile::tempdir().unwrap();
        TeamLaptop {
            app: laptop_signed_in(data_dir.path(), &server.url(), person),
            _data_dir: data_dir,
        }
    });
    (server_dir, server, laptops)
}

fn sync(app: &DesktopApp) {
    app.run_blocking(|device| device.sync(&mut |_| {})).unwrap();
}

#[test]
fn a_visit_past_its_expected_end_with_no_check_out_shows_on_the_leads_caseload() {
    let (_server_dir, _server, [amy, ben, sam]) = team_on_laptops([
        ("amy", "caseworker", Some("North")),
        ("ben", "caseworker", Some("North")),
        ("sam", "team-lead", Some("North")),
    ]);

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
        // One task already late, one not yet due.
        let yesterday = Timestamp(now().millis() - 86_400_000).to_rfc3339()[..10].to_owned();
        let next_week = Timestamp(now().millis() + 7 * 86_400_000).to_rfc3339()[..10].to_owned();
        for (title, due) in [
            ("Send the appeal form", yesterday),
            ("Chase the GP letter", next_week),
        ] {
            let task = BTreeMap::from([
                ("title".to_owned(), title.to_owned()),
                ("due_date".to_owned(), due),
            ]);
            device.add_form_item(&case, ItemKind::Task, &task)?;
        }
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
    assert_eq!((ben_load.open_tasks, ben_load.overdue_tasks), (2, 1));
    assert_eq!(amy_load.overdue_tasks, 0);
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

fn has_case(app: &DesktopApp, case_id: &str) -> bool {
    let case_id = case_id.to_owned();
    app.run_blocking(move |device| {
        Ok(device
            .list_cases(&doorstep_client::types::CaseFilter::default())?
            .iter()
            .any(|row| row.case_id == case_id))
    })
    .unwrap()
}

#[test]
fn the_access_record_shows_who_opened_changed_and_exported_a_case_with_device_and_server_time() {
    let (_server_dir, _server, [amy, sam, tom]) = team_on_laptops([
        ("amy", "caseworker", Some("North")),
        ("sam", "team-lead", Some("North")),
        ("tom", "team-lead", Some("South")),
    ]);

    // Amy opens a case and syncs it; later, offline, she reads it again and
    // exports it. Her laptop's own audit log goes up at her next sync.
    let case_id = amy
        .run_blocking(|device| {
            let case = device.create_case("housing", "Damp in the back bedroom")?;
            device.sync(&mut |_| {})?;
            device.case_page(&case)?;
            device.export_json(&case)?;
            Ok(case)
        })
        .unwrap();
    sync(&amy);
    sync(&sam);
    let opened = case_id.clone();
    sam.run_blocking(move |device| device.case_page(&opened).map(|_| ()))
        .unwrap();
    sync(&sam);
    // Syncing again sends nothing twice.
    sync(&amy);

    let asked = case_id.clone();
    let record = sam
        .run_blocking(move |device| device.case_access_record(&asked))
        .unwrap();
    let done = |actor: &str, action: &str| {
        record
            .entries
            .iter()
            .filter(|entry| entry.actor.as_deref() == Some(actor) && entry.action == action)
            .count()
    };
    assert_eq!(done("amy", "case_created"), 1, "{record:?}");
    assert_eq!(done("amy", "device_viewed"), 1, "{record:?}");
    assert_eq!(done("amy", "device_exported"), 1, "{record:?}");
    assert_eq!(done("sam", "case_downloaded"), 1, "{record:?}");
    assert_eq!(done("sam", "device_viewed"), 1, "{record:?}");
    let viewed = record
        .entries
        .iter()
        .find(|entry| entry.actor.as_deref() == Some("amy") && entry.action == "device_viewed")
        .unwrap();
    assert!(viewed.device_time.is_some(), "the laptop's clock is kept");
    assert!(
        viewed.device_time.as_deref() < Some(viewed.server_time.as_str()),
        "read offline, recorded by the server later: {viewed:?}"
    );
    assert!(
        viewed.device_name.is_some(),
        "the laptop is named: {viewed:?}"
    );
    assert!(
        record
            .entries
            .windows(2)
            .all(|pair| pair[0].seq > pair[1].seq),
        "newest first"
    );

    // Per worker: what Amy did.
    let activity = sam
        .run_blocking(|device| device.worker_activity("amy"))
        .unwrap();
    assert!(
        activity
            .entries
            .iter()
            .any(|entry| entry.action == "device_exported"
                && entry.case_id.as_deref() == Some(case_id.as_str())),
        "{activity:?}"
    );
    assert!(
        activity
            .entries
            .iter()
            .all(|entry| entry.action != "synced")
    );

    // Another team's lead sees neither; a caseworker has no access record.
    let other = case_id.clone();
    let refused = tom
        .run_blocking(move |device| device.case_access_record(&other))
        .unwrap_err();
    assert_eq!(refused.code, "refused", "{refused:?}");
    let refused = tom
        .run_blocking(|device| device.worker_activity("amy"))
        .unwrap_err();
    assert!(refused.message.contains("no one called amy"), "{refused:?}");
    let refused = amy
        .run_blocking(move |device| device.case_access_record(&case_id))
        .unwrap_err();
    assert_eq!(refused.code, "not_a_team_lead");
}

#[test]
fn a_lead_moved_to_caseworker_keeps_their_unsent_work_and_their_laptop_then_lets_the_teams_cases_go()
 {
    let (server_dir, _server, [amy, sam]) = team_on_laptops([
        ("amy", "caseworker", Some("North")),
        ("sam", "team-lead", Some("North")),
    ]);
    let amys_case = amy
        .run_blocking(|device| {
            device.create_case("adult_social_care", "Needs assessment after a fall at home")
        })
        .unwrap();
    sync(&amy);
    sync(&sam);
    assert!(has_case(&sam, &amys_case));

    // Offline, Sam adds a note to Amy's social care case (only she and the
    // team's leads may see it). Meanwhile IT makes him a caseworker.
    let noted = amys_case.clone();
    sam.run_blocking(move |device| device.add_note(&noted, "Spoke to her GP about the fall"))
        .unwrap();
    let (code, _, stderr) = doorstep_stories::server_admin(
        server_dir.path(),
        None,
        &["user", "set-role", "sam", "--role", "caseworker"],
        None,
    );
    assert_eq!(code, Some(0), "{stderr}");

    // His note lands, because he wrote it while the case was his to see;
    // then the case leaves his laptop.
    sync(&sam);
    sync(&sam);
    assert!(
        !has_case(&sam, &amys_case),
        "the team's case left Sam's laptop"
    );
    sync(&amy);
    let read = amys_case.clone();
    let notes = amy
        .run_blocking(move |device| device.case_page(&read))
        .unwrap()
        .case
        .notes;
    assert!(
        notes
            .iter()
            .any(|note| note.text == "Spoke to her GP about the fall"),
        "{notes:?}"
    );
}

#[test]
fn the_weekly_figures_count_cases_opened_and_closed_this_week_and_the_time_to_close() {
    let (_server_dir, _server, [amy, sam]) = team_on_laptops([
        ("amy", "caseworker", Some("North")),
        ("sam", "team-lead", Some("North")),
    ]);
    let submitted = amy
        .run_blocking(|device| {
            device.create_case("welfare", "Benefit appeal paperwork")?;
            let case = device.create_case("housing", "Damp in the back bedroom")?;
            device.submit_for_review(&case)?;
            Ok(case)
        })
        .unwrap();
    sync(&amy);
    sync(&sam);
    sam.run_blocking(move |device| {
        device.review_case(
            &submitted,
            doorstep_client::types::ReviewDecision::Approved,
            "",
        )
    })
    .unwrap();

    let kpis = sam
        .run_blocking(|device| device.team_caseload(now()))
        .unwrap()
        .kpis;
    assert_eq!(kpis.weeks.len(), 8);
    let this_week = kpis.weeks.last().unwrap();
    assert_eq!((this_week.opened, this_week.closed), (2, 1), "{kpis:?}");
    assert_eq!(kpis.closed_in_period, 1);
    assert_eq!(kpis.median_days_to_close, Some(0.0));
    assert!(
        kpis.weeks[..7]
            .iter()
            .all(|week| week.opened == 0 && week.closed == 0)
    );
}

#[test]
fn the_team_conflict_queue_names_who_each_case_is_with() {
    let (_server_dir, _server, [amy, ben, sam]) = team_on_laptops([
        ("amy", "caseworker", Some("North")),
        ("ben", "caseworker", Some("North")),
        ("sam", "team-lead", Some("North")),
    ]);
    // A housing case of Amy's, which Ben may open as her teammate.
    let case_id = amy
        .run_blocking(|device| device.create_case("housing", "Damp in the back bedroom"))
        .unwrap();
    sync(&amy);
    sync(&ben);

    // Both change the summary offline, then sync.
    let (for_amy, for_ben) = (case_id.clone(), case_id.clone());
    amy.run_blocking(move |device| {
        device.set_field(&for_amy, "summary", "Damp and mould in the back bedroom")
    })
    .unwrap();
    ben.run_blocking(move |device| {
        device.set_field(&for_ben, "summary", "Damp in bedroom; child has asthma")
    })
    .unwrap();
    sync(&amy);
    sync(&ben);
    sync(&sam);

    let queue = sam.run_blocking(|device| device.conflicts(None)).unwrap();
    assert_eq!(queue.len(), 1, "{queue:?}");
    assert_eq!(queue[0].case_id, case_id);
    assert_eq!(queue[0].assigned_to.as_deref(), Some("amy"));
    let values: Vec<String> = queue[0].conflicts[0]
        .values
        .iter()
        .map(|entry| entry.value.to_string())
        .collect();
    assert_eq!(values.len(), 2, "both values stay until a person chooses");
}
