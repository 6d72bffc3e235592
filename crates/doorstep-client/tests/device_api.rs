//! The API the desktop app and the CLI share, used as a caseworker would on a
//! visit. The store is real and keyed from the real OS keyring
//! (run under scripts/with-keyring.sh, as scripts/test.sh does).

#![allow(clippy::unwrap_used)] // test helpers may unwrap, like #[test] functions (clippy.toml)

use doorstep_client::Device;
use doorstep_client::settings::{DeviceSettings, SettingsSource};
use doorstep_client::types::SectionKind;

fn laptop(dir: &std::path::Path) -> Device {
    let settings = DeviceSettings::resolve(SettingsSource {
        data_dir: Some(dir.to_owned()),
        user: Some("amira.khan".into()),
        ..SettingsSource::default()
    })
    .unwrap();
    Device::open(&settings).unwrap()
}

#[test]
fn a_visit_with_a_task_consent_a_risk_and_a_photo_is_recorded_and_audited() {
    let dir = tempfile::tempdir().unwrap();
    let mut device = laptop(dir.path());
    let case = device
        .create_case("adult_social_care", "Mrs Patel: falls at home")
        .unwrap();

    device
        .add_item(
            &case,
            SectionKind::Visit,
            &[
                ("planned_at", "2026-11-30T10:00:00Z"),
                ("checked_in_at", "2026-11-30T10:03:00Z"),
                ("expected_end", "2026-11-30T11:00:00Z"),
            ],
        )
        .unwrap();
    device
        .add_item(
            &case,
            SectionKind::Task,
            &[("title", "Order a grab rail"), ("due_date", "2026-12-07")],
        )
        .unwrap();
    device
        .add_item(
            &case,
            SectionKind::Consent,
            &[
                ("person", "Asha Patel"),
                ("purpose", "Share the assessment with her GP"),
                ("decision", "given"),
                ("recorded_at", "2026-11-30T10:20:00Z"),
                ("typed_signature", "A. Patel"),
            ],
        )
        .unwrap();
    device
        .add_item(
            &case,
            SectionKind::Risk,
            &[("text", "Dog on premises"), ("active", "yes")],
        )
        .unwrap();
    device
        .set_narrative(&case, "Lives alone; daughter visits on Sundays.")
        .unwrap();
    let photo = b"\xFF\xD8\xFF\xE0 pretend JPEG of the back step".to_vec();
    let sha256 = device
        .attach(&case, "back-step.jpg", "image/jpeg", &photo)
        .unwrap();

    let view = device.show_case(&case).unwrap();
    assert_eq!(view.visits.len(), 1);
    assert_eq!(view.tasks[0].text("title"), Some("Order a grab rail"));
    assert_eq!(view.consents[0].text("decision"), Some("given"));
    assert_eq!(view.attachments[0].name, "back-step.jpg");
    assert_eq!(view.attachments[0].size, photo.len() as u64);
    assert_eq!(view.narrative, "Lives alone; daughter visits on Sundays.");
    let row = &device.list_cases(&Default::default()).unwrap()[0];
    assert_eq!(row.risk_warnings, vec!["Dog on premises"]);
    assert_eq!(
        row.open_visit_expected_end.as_deref(),
        Some("2026-11-30T11:00:00.000Z")
    );

    assert_eq!(device.attachment(&case, &sha256).unwrap(), photo);
    let wrong = device.attachment(&case, &"0".repeat(64)).unwrap_err();
    assert_eq!(wrong.code(), "no_such_attachment");

    let actions: Vec<String> = device
        .audit_log(Some(&case))
        .unwrap()
        .iter()
        .map(|record| format!("{} {}", record.action.as_str(), record.detail))
        .collect();
    assert!(
        actions
            .iter()
            .any(|a| a.starts_with("viewed Opened attachment")),
        "{actions:?}"
    );
    assert!(
        actions
            .iter()
            .any(|a| a.starts_with("viewed Viewed the case")),
        "{actions:?}"
    );
    assert!(device.verify_audit().unwrap().is_intact());
    assert!(
        device.outbox().unwrap().len() >= 7,
        "every edit waits in the outbox"
    );
}

#[test]
fn a_refused_edit_changes_nothing_and_says_why() {
    let dir = tempfile::tempdir().unwrap();
    let mut device = laptop(dir.path());
    let case = device.create_case("housing", "Damp in flat 3").unwrap();
    let outbox_before = device.outbox().unwrap().len();

    let error = device
        .add_item(&case, SectionKind::Task, &[("due_date", "2026-02-30")])
        .unwrap_err();
    assert_eq!(error.code(), "invalid_input");
    assert!(
        error.to_string().contains("2026-02-30 does not exist"),
        "{error}"
    );
    let missing = device
        .attach("NO-SUCH-CASE", "x.pdf", "application/pdf", b"%PDF")
        .unwrap_err();
    assert_eq!(missing.code(), "no_such_case");

    assert_eq!(device.outbox().unwrap().len(), outbox_before);
    assert!(device.show_case(&case).unwrap().tasks.is_empty());
}
