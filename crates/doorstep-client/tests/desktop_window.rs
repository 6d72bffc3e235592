//! What the desktop window asks of the API, as a caseworker uses it: My cases
//! in pages with badges, a visit checked in and out, a case submitted for
//! review, the outbox, and errors the window can pin to a field. The store is
//! real and keyed from the real OS keyring (run under scripts/with-keyring.sh).

#![allow(clippy::unwrap_used)] // test helpers may unwrap, like #[test] functions (clippy.toml)

use std::collections::BTreeMap;

use doorstep_client::desktop::{AppError, CaseQuery, CaseSyncState, DesktopApp, ItemKind, now};
use doorstep_client::device::PersonInput;
use doorstep_client::settings::{DeviceSettings, SettingsSource};
use doorstep_client::types::{CaseSort, CaseStatus};
use doorstep_core::dates::Timestamp;

fn settings(dir: &std::path::Path) -> DeviceSettings {
    DeviceSettings::resolve(SettingsSource {
        data_dir: Some(dir.to_owned()),
        user: Some("amira.khan".into()),
        ..SettingsSource::default()
    })
    .unwrap()
}

fn fields(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(name, value)| ((*name).to_owned(), (*value).to_owned()))
        .collect()
}

fn in_minutes(minutes: i64) -> String {
    Timestamp(now().millis() + minutes * 60_000).to_rfc3339()
}

#[test]
fn my_cases_come_in_pages_with_a_total_and_a_badge_on_each() {
    let dir = tempfile::tempdir().unwrap();
    let app = DesktopApp::new(settings(dir.path()));
    app.run_blocking(|device| {
        for n in 0..30 {
            let summary = if n % 10 == 0 {
                format!("Damp and mould in flat {n}")
            } else {
                format!("Rent arrears, flat {n}")
            };
            device.create_case("housing", &summary)?;
        }
        Ok(())
    })
    .unwrap();

    let page = app
        .run_blocking(|device| {
            device.case_list(&CaseQuery {
                offset: Some(10),
                limit: Some(15),
                ..CaseQuery::default()
            })
        })
        .unwrap();
    assert_eq!(page.total, 30);
    assert_eq!(page.rows.len(), 15);
    assert!(
        page.rows
            .iter()
            .all(|row| row.sync.state == CaseSyncState::Unsynced && row.sync.unsynced_changes == 1),
        "nothing has been synced, so every case waits to be sent"
    );

    let mould = app
        .run_blocking(|device| {
            device.case_list(&CaseQuery {
                text: Some("mou".into()),
                sort: Some(CaseSort::Relevance),
                ..CaseQuery::default()
            })
        })
        .unwrap();
    assert_eq!(mould.total, 3, "searching as you type finds the damp cases");
    assert!(mould.rows.iter().all(|row| row.summary.contains("mould")));

    let json = serde_json::to_value(&mould.rows[0]).unwrap();
    assert!(
        json.get("narrative").is_none(),
        "rows leave the long text out"
    );
    assert_eq!(json["sync"]["state"], "unsynced");
    assert_eq!(json["status"], "open");
}

#[test]
fn a_page_too_large_or_a_bad_date_is_refused_with_a_reason() {
    let dir = tempfile::tempdir().unwrap();
    let app = DesktopApp::new(settings(dir.path()));
    let too_many = app
        .run_blocking(|device| {
            device.case_list(&CaseQuery {
                limit: Some(5_000),
                ..CaseQuery::default()
            })
        })
        .unwrap_err();
    assert_eq!(too_many.code, "invalid_filter");
    assert!(
        too_many.message.contains("at most 500"),
        "{}",
        too_many.message
    );

    let bad_date = app
        .run_blocking(|device| {
            device.case_list(&CaseQuery {
                due_before: Some("31/12/2026".into()),
                ..CaseQuery::default()
            })
        })
        .unwrap_err();
    assert_eq!(bad_date.code, "invalid_filter");
    assert!(
        bad_date.message.contains("YYYY-MM-DD"),
        "{}",
        bad_date.message
    );

    let unknown: Result<CaseQuery, _> = serde_json::from_value(serde_json::json!({"limt": 5}));
    assert!(
        unknown.is_err(),
        "a misspelt filter is an error, not ignored"
    );
}

#[test]
fn a_visit_is_checked_in_and_out_and_shows_on_todays_list_meanwhile() {
    let dir = tempfile::tempdir().unwrap();
    let app = DesktopApp::new(settings(dir.path()));
    let (case, visit) = app
        .run_blocking(|device| {
            let case = device.create_case("adult_social_care", "Mr Jones: hospital discharge")?;
            device.add_person(
                &case,
                &PersonInput {
                    name: "Derek Jones".into(),
                    address: Some("4 Mill Lane".into()),
                    postcode: Some("LS6 2AB".into()),
                    ..PersonInput::default()
                },
            )?;
            device.add_form_item(
                &case,
                ItemKind::Risk,
                &fields(&[("text", "Large dog"), ("active", "yes")]),
            )?;
            let visit = device.add_form_item(
                &case,
                ItemKind::Visit,
                &fields(&[("planned_at", &in_minutes(0))]),
            )?;
            Ok((case, visit))
        })
        .unwrap();

    let today = app
        .run_blocking(|device| device.todays_visits(now()))
        .unwrap();
    assert_eq!(today.len(), 1);
    assert_eq!(today[0].visit_id, visit);
    assert_eq!(today[0].address.as_deref(), Some("4 Mill Lane, LS6 2AB"));
    assert_eq!(today[0].risk_warnings, vec!["Large dog".to_owned()]);

    let too_early = app
        .run_blocking({
            let (case, visit) = (case.clone(), visit.clone());
            move |device| device.check_in(&case, &visit, &in_minutes(-5))
        })
        .unwrap_err();
    assert_eq!(too_early.code, "invalid_field");
    assert_eq!(too_early.field.as_deref(), Some("expected_end"));

    let not_in_yet = app
        .run_blocking({
            let (case, visit) = (case.clone(), visit.clone());
            move |device| device.check_out(&case, &visit, "Seen")
        })
        .unwrap_err();
    assert!(
        not_in_yet.message.contains("check in"),
        "{}",
        not_in_yet.message
    );

    let expected_end = in_minutes(60);
    app.run_blocking({
        let (case, visit, end) = (case.clone(), visit.clone(), expected_end.clone());
        move |device| device.check_in(&case, &visit, &end)
    })
    .unwrap();
    let under_way = app
        .run_blocking(|device| device.todays_visits(now()))
        .unwrap();
    assert_eq!(under_way.len(), 1, "a visit checked in stays on the list");
    assert_eq!(
        under_way[0].expected_end.as_deref(),
        Some(expected_end.as_str())
    );
    assert!(under_way[0].checked_in_at.is_some());

    app.run_blocking({
        let (case, visit) = (case.clone(), visit.clone());
        move |device| device.check_out(&case, &visit, "Settled at home; carer starts Monday")
    })
    .unwrap();
    let page = app
        .run_blocking(move |device| device.case_page(&case))
        .unwrap();
    let recorded = &page.case.visits[0];
    assert!(recorded.text("checked_out_at").is_some());
    assert_eq!(
        recorded.text("outcome"),
        Some("Settled at home; carer starts Monday")
    );
    let today = app
        .run_blocking(|device| device.todays_visits(now()))
        .unwrap();
    assert!(
        today.is_empty(),
        "a finished visit leaves the list of visits to do"
    );
}

#[test]
fn an_open_case_is_submitted_for_review_in_one_step() {
    let dir = tempfile::tempdir().unwrap();
    let app = DesktopApp::new(settings(dir.path()));
    let page = app
        .run_blocking(|device| {
            let case = device.create_case("welfare", "Mrs Ahmed: benefits check")?;
            device.submit_for_review(&case)?;
            device.case_page(&case)
        })
        .unwrap();
    assert_eq!(
        page.case.text("status"),
        Some(CaseStatus::AwaitingReview.as_str())
    );
    assert_eq!(page.sync.state, CaseSyncState::Unsynced);
    assert_eq!(page.sync.unsynced_changes, 2);
}

#[test]
fn an_invalid_nhs_number_is_pinned_to_its_field_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let app = DesktopApp::new(settings(dir.path()));
    let case = app
        .run_blocking(|device| device.create_case("adult_social_care", "Mr Price"))
        .unwrap();
    let error: AppError = app
        .run_blocking({
            let case = case.clone();
            move |device| {
                device.add_person(
                    &case,
                    &PersonInput {
                        name: "Alan Price".into(),
                        nhs_number: Some("943 476 5918".into()),
                        ..PersonInput::default()
                    },
                )
            }
        })
        .unwrap_err();
    assert_eq!(error.code, "invalid_field");
    assert_eq!(error.field.as_deref(), Some("nhs_number"));
    assert!(error.message.starts_with("NHS number"), "{}", error.message);

    let empty_summary = app
        .run_blocking(|device| device.create_case("housing", "   "))
        .unwrap_err();
    assert_eq!(empty_summary.field.as_deref(), Some("summary"));

    let page = app
        .run_blocking(move |device| device.case_page(&case))
        .unwrap();
    assert!(page.case.people.is_empty());
    assert_eq!(
        page.sync.unsynced_changes, 1,
        "only the case's creation waits"
    );
}

#[test]
fn the_outbox_lists_every_change_and_data_is_not_removed_while_work_waits() {
    let dir = tempfile::tempdir().unwrap();
    let app = DesktopApp::new(settings(dir.path()));
    let outbox = app
        .run_blocking(|device| {
            let case = device.create_case("housing", "Leaking roof")?;
            device.add_note(&case, "Bucket under the loft hatch")?;
            device.outbox_page()
        })
        .unwrap();
    assert_eq!(outbox.cases.len(), 1, "both changes are to one case");
    let waiting = &outbox.cases[0];
    assert_eq!(
        waiting.summary, "Leaking roof",
        "the outbox names the case as My cases does"
    );
    let descriptions: Vec<&str> = waiting
        .changes
        .iter()
        .map(|entry| entry.description.as_str())
        .collect();
    assert_eq!(descriptions, ["Opened the case", "Added a note"]);
    assert_eq!(outbox.change_count(), 2);
    assert!(outbox.refused.is_empty());

    let refused = app
        .run_blocking(|device| device.sign_out_and_remove_data())
        .unwrap_err();
    assert_eq!(refused.code, "unsent_work");
    assert!(refused.message.contains("2 changes"), "{}", refused.message);
    let still_there = app
        .run_blocking(|device| device.case_list(&CaseQuery::default()))
        .unwrap();
    assert_eq!(still_there.total, 1);
}

#[test]
fn a_photo_from_the_file_picker_is_stored_encrypted_and_read_back_whole() {
    let dir = tempfile::tempdir().unwrap();
    let app = DesktopApp::new(settings(dir.path()));
    let photo = b"\x89PNG\r\n\x1a\n pretend photo of the damp patch".to_vec();
    let (case, sha256) = app
        .run_blocking({
            let photo = photo.clone();
            move |device| {
                let case = device.create_case("housing", "Damp in the back bedroom")?;
                let sha256 = device.attach_from_window(
                    &case,
                    "Bedroom%20wall%20%E2%80%93%20left.png",
                    "image/png",
                    &photo,
                )?;
                Ok((case, sha256))
            }
        })
        .unwrap();
    let page = app
        .run_blocking({
            let case = case.clone();
            move |device| device.case_page(&case)
        })
        .unwrap();
    assert_eq!(page.case.attachments[0].name, "Bedroom wall – left.png");
    assert_eq!(page.case.attachments[0].media_type, "image/png");
    let read_back = app
        .run_blocking({
            let case = case.clone();
            move |device| device.attachment(&case, &sha256)
        })
        .unwrap();
    assert_eq!(read_back, photo);

    let unnamed = app
        .run_blocking({
            let case = case.clone();
            move |device| device.attach_from_window(&case, "%E2%80", "image/png", b"x")
        })
        .unwrap_err();
    assert_eq!(unnamed.code, "invalid_field");
    let odd_type = app
        .run_blocking(move |device| {
            device.attach_from_window(&case, "notes.bin", "not a type; <script>", b"x")?;
            device.case_page(&case)
        })
        .unwrap();
    assert_eq!(
        odd_type.case.attachments[1].media_type,
        "application/octet-stream"
    );
}
