//! One story, run against both storage backends: whatever IT chooses,
//! the storage API behaves the same. PostgreSQL comes from DATABASE_URL, which
//! scripts/test.sh provides (scripts/with-postgres.sh starts a throwaway
//! cluster when none is given); each run gets its own fresh database.

#![allow(clippy::unwrap_used)] // test helpers may unwrap, like #[test] functions (clippy.toml)

use doorstep_core::access::{CaseAccessFacts, CaseScope};
use doorstep_server::accounts::{PasswordDigest, Role};
use doorstep_server::audit::AuditEvent;
use doorstep_server::storage::postgres::PostgresStorage;
use doorstep_server::storage::sqlite::SqliteStorage;
use doorstep_server::storage::{
    AuditSubject, CaseWrite, CaseWriteOutcome, DeliveryOutcome, NewDevice, NewUser, OpenVisitFacts,
    PastAccess, Storage, StorageError, TokenDigests,
};

fn tokens(tag: &str) -> TokenDigests {
    TokenDigests {
        session: "ses_one".into(),
        access: format!("access-{tag}"),
        access_expires_at: i64::MAX / 2,
        refresh: format!("refresh-{tag}"),
        refresh_expires_at: i64::MAX / 2,
    }
}

fn write(
    case_id: &str,
    expected_version: Option<i64>,
    team: &str,
    assignee: &str,
    chunk: &[u8],
    compacts: bool,
) -> CaseWrite {
    CaseWrite {
        case_id: case_id.into(),
        expected_version,
        facts: CaseAccessFacts {
            case_type: "housing".into(),
            team: Some(team.into()),
            assigned_to: Some(assignee.into()),
        },
        status: "open".into(),
        summary: format!("Summary of {case_id}"),
        heads: "aa,bb".into(),
        chunk: chunk.to_vec(),
        compacts,
        device_id: Some("dev_1".into()),
        open_visit: None,
        audit: AuditEvent::new("case_changed")
            .by("amira.khan")
            .case(case_id),
    }
}

/// Devices, tokens, throttling, cases, the cursor and the audit chain, after `accounts_story`.
async fn devices_cases_and_audit_story<S: Storage>(storage: &S) {
    let amira = storage
        .credentials("amira.khan")
        .await
        .unwrap()
        .unwrap()
        .user;

    // A device registers, and its tokens lead back to it and its user.
    let device = storage
        .open_session(
            NewDevice {
                id: "dev_1".into(),
                user_id: amira.id,
                hostname: "laptop-17".into(),
                os: "Debian 12".into(),
                app_version: "0.1.0".into(),
            },
            tokens("one"),
            AuditEvent::new("signed_in").by("amira.khan"),
        )
        .await
        .unwrap();
    assert_eq!(device.user, "amira.khan");
    let holder = storage.token_holder("access-one").await.unwrap().unwrap();
    assert_eq!(holder.device.id, "dev_1");
    assert_eq!(holder.user.name, "amira.khan");
    assert!(storage.token_holder("access-none").await.unwrap().is_none());

    // A refresh token rotates once; a second use finds it spent.
    assert!(
        storage
            .rotate_tokens("refresh-one", "dev_1", tokens("two"))
            .await
            .unwrap()
    );
    assert!(
        !storage
            .rotate_tokens("refresh-one", "dev_1", tokens("three"))
            .await
            .unwrap()
    );
    assert!(
        storage
            .refresh_record("refresh-one")
            .await
            .unwrap()
            .unwrap()
            .used
    );
    assert!(
        !storage
            .refresh_record("refresh-two")
            .await
            .unwrap()
            .unwrap()
            .used
    );

    // Signing out spends every token; revoking marks the device.
    storage
        .end_session("dev_1", AuditEvent::new("signed_out"))
        .await
        .unwrap();
    assert!(storage.token_holder("access-two").await.unwrap().is_none());
    assert!(
        storage
            .refresh_record("refresh-two")
            .await
            .unwrap()
            .unwrap()
            .used
    );
    storage
        .touch_device("dev_1", Some(7), vec![AuditEvent::new("synced")])
        .await
        .unwrap();
    storage
        .touch_device("dev_1", Some(3), Vec::new())
        .await
        .unwrap();
    let touched = storage.device("dev_1").await.unwrap().unwrap();
    assert!(touched.last_sync_at.is_some());
    assert_eq!(
        touched.synced_cursor, 7,
        "the served cursor never goes back"
    );
    let revoked = storage
        .revoke_device("dev_1", AuditEvent::new("admin_device_revoked"))
        .await
        .unwrap();
    assert!(revoked.revoked_at.is_some());
    assert!(matches!(
        storage
            .revoke_device("dev_none", AuditEvent::new("admin_device_revoked"))
            .await,
        Err(StorageError::NoSuchDevice(_))
    ));
    assert_eq!(storage.devices().await.unwrap().len(), 1);

    // Failed sign-ins are counted per account and per address, and forgiven per account.
    for _ in 0..3 {
        storage
            .record_sign_in_attempt("amira.khan", "10.0.0.1")
            .await
            .unwrap();
    }
    storage
        .record_sign_in_attempt("ben", "10.0.0.1")
        .await
        .unwrap();
    let recent = storage
        .recent_sign_in_failures("amira.khan", "10.0.0.1", 0, 10)
        .await
        .unwrap();
    assert_eq!(
        (recent.for_account.len(), recent.from_address.len()),
        (3, 4)
    );
    assert!(
        recent.for_account.windows(2).all(|pair| pair[0] >= pair[1]),
        "newest first"
    );
    storage.clear_sign_in_failures("amira.khan").await.unwrap();
    let recent = storage
        .recent_sign_in_failures("amira.khan", "10.0.0.1", 0, 10)
        .await
        .unwrap();
    assert_eq!(
        (recent.for_account.len(), recent.from_address.len()),
        (0, 1)
    );

    // Cases: a new case, a change, a stale write refused, a compaction.
    let first = storage
        .write_case(write(
            "C1",
            None,
            "Adults North",
            "amira.khan",
            b"full",
            true,
        ))
        .await
        .unwrap();
    let CaseWriteOutcome::Stored { cursor: c1 } = first else {
        panic!("{first:?}")
    };
    assert_eq!(
        storage
            .write_case(write(
                "C1",
                None,
                "Adults North",
                "amira.khan",
                b"again",
                true
            ))
            .await
            .unwrap(),
        CaseWriteOutcome::VersionConflict,
        "a second create of the same case loses"
    );
    let CaseWriteOutcome::Stored { cursor: c2 } = storage
        .write_case(write("C2", None, "Housing East", "ben", b"other", true))
        .await
        .unwrap()
    else {
        panic!()
    };
    let CaseWriteOutcome::Stored { cursor: c3 } = storage
        .write_case(write(
            "C1",
            Some(1),
            "Adults North",
            "amira.khan",
            b"+change",
            false,
        ))
        .await
        .unwrap()
    else {
        panic!()
    };
    assert!(c1 < c2 && c2 < c3, "the cursor only grows: {c1} {c2} {c3}");
    assert_eq!(
        storage
            .write_case(write(
                "C1",
                Some(1),
                "Adults North",
                "amira.khan",
                b"stale",
                false
            ))
            .await
            .unwrap(),
        CaseWriteOutcome::VersionConflict
    );
    let record = storage.case_record("C1").await.unwrap().unwrap();
    assert_eq!(
        (record.version, record.cursor, record.chunk_count),
        (2, c3, 2)
    );
    assert_eq!(record.facts.team.as_deref(), Some("Adults North"));
    let chunks: Vec<Vec<u8>> = storage
        .case_chunks("C1", 0, None)
        .await
        .unwrap()
        .into_iter()
        .map(|c| c.bytes)
        .collect();
    assert_eq!(chunks, [b"full".to_vec(), b"+change".to_vec()]);
    assert_eq!(
        storage.case_chunks("C1", c1, None).await.unwrap().len(),
        1,
        "only chunks after the cursor"
    );
    assert!(
        storage
            .case_chunks("C1", 0, Some("dev_1"))
            .await
            .unwrap()
            .is_empty(),
        "a device's own chunks are skipped"
    );
    let many = storage
        .many_case_chunks(
            &["C2".to_owned(), "nope".to_owned(), "C1".to_owned()],
            0,
            None,
        )
        .await
        .unwrap();
    assert_eq!(many.len(), 3, "one answer per case asked for, in order");
    assert_eq!(
        many[0],
        storage.case_chunks("C2", 0, None).await.unwrap(),
        "the batched read gives what the single read gives"
    );
    assert!(many[1].is_empty(), "an unknown case has no chunks");
    assert_eq!(
        many[2].iter().map(|c| c.bytes.clone()).collect::<Vec<_>>(),
        [b"full".to_vec(), b"+change".to_vec()]
    );
    assert_eq!(
        storage
            .many_case_chunks(&["C1".to_owned()], c1, Some("dev_1"))
            .await
            .unwrap(),
        [storage.case_chunks("C1", c1, Some("dev_1")).await.unwrap()],
        "the cursor and the device's own chunks are honoured"
    );

    // Scopes: the SQL filter agrees with the access rules.
    let north_lead = CaseScope {
        assignee: Some("nobody".into()),
        team: Some("ADULTS NORTH".into()),
        whole_team: true,
    };
    let ids = |records: Vec<doorstep_server::storage::CaseRecord>| {
        records.into_iter().map(|r| r.case_id).collect::<Vec<_>>()
    };
    assert_eq!(
        ids(storage.cases_changed(&north_lead, 0, 10).await.unwrap()),
        ["C1"]
    );
    let ben = CaseScope {
        assignee: Some("Ben".into()),
        team: None,
        whole_team: false,
    };
    assert_eq!(
        ids(storage.cases_changed(&ben, 0, 10).await.unwrap()),
        ["C2"]
    );
    assert!(
        storage
            .cases_changed(&ben, c2, 10)
            .await
            .unwrap()
            .is_empty(),
        "nothing of ben's changed since c2"
    );
    let nobody = CaseScope {
        assignee: None,
        team: None,
        whole_team: false,
    };
    assert!(
        storage
            .cases_changed(&nobody, 0, 10)
            .await
            .unwrap()
            .is_empty()
    );

    let CaseWriteOutcome::Stored { cursor: c4 } = storage
        .write_case(write(
            "C1",
            Some(2),
            "Adults North",
            "amira.khan",
            b"snapshot",
            true,
        ))
        .await
        .unwrap()
    else {
        panic!()
    };
    let chunks = storage.case_chunks("C1", 0, None).await.unwrap();
    assert_eq!(chunks.len(), 1, "compaction leaves one snapshot");
    assert_eq!(chunks[0].cursor, c4);

    // The audit chain holds every event above, in order, and verifies.
    storage
        .record_audit(vec![AuditEvent::new("a"), AuditEvent::new("b")])
        .await
        .unwrap();
    let verdict = doorstep_server::admin::verify_audit(storage).await.unwrap();
    assert!(verdict.intact, "{verdict:?}");
    let events = storage.audit_events(0, 1000).await.unwrap();
    assert_eq!(events.len() as i64, verdict.events);
    assert_eq!(storage.audit_tip().await.unwrap().0, verdict.events);
    assert!(
        events
            .iter()
            .any(|e| e.action == "case_changed" && e.case_id.as_deref() == Some("C1"))
    );
    assert_eq!(
        storage
            .audit_events(verdict.events - 1, 10)
            .await
            .unwrap()
            .len(),
        1
    );
}

async fn accounts_story<S: Storage>(storage: &S) {
    storage.check_ready().await.unwrap();

    let team = storage.add_team("Adults North").await.unwrap();
    assert_eq!(team.name, "Adults North");
    storage.add_team("Housing East").await.unwrap();
    let duplicate = storage.add_team("  adults north ").await.unwrap_err();
    assert!(
        matches!(duplicate, StorageError::AlreadyExists(_)),
        "{duplicate:?}"
    );
    assert!(duplicate.to_string().contains("Choose another name"));
    let names: Vec<String> = storage
        .teams()
        .await
        .unwrap()
        .into_iter()
        .map(|t| t.name)
        .collect();
    assert_eq!(names, ["Adults North", "Housing East"]);

    let digest = PasswordDigest::hash("correct horse battery staple").unwrap();
    let amira = storage
        .add_user(NewUser {
            name: "amira.khan".into(),
            role: Role::Caseworker,
            team: Some("adults north".into()),
            digest: digest.clone(),
        })
        .await
        .unwrap();
    assert_eq!(amira.role, Role::Caseworker);
    assert!(!amira.disabled);

    let taken = storage
        .add_user(NewUser {
            name: "Amira.Khan".into(),
            role: Role::Admin,
            team: None,
            digest: digest.clone(),
        })
        .await
        .unwrap_err();
    assert!(matches!(taken, StorageError::AlreadyExists(_)));
    let no_team = storage
        .add_user(NewUser {
            name: "ben.jones".into(),
            role: Role::TeamLead,
            team: Some("Nowhere".into()),
            digest: digest.clone(),
        })
        .await
        .unwrap_err();
    assert!(matches!(no_team, StorageError::NotFound(_)));
    assert_eq!(
        storage.users().await.unwrap().len(),
        1,
        "refused users are not stored"
    );

    let found = storage.credentials("AMIRA.KHAN").await.unwrap().unwrap();
    assert_eq!(found.user.team.as_deref(), Some("Adults North"));
    assert!(found.digest.verify("correct horse battery staple"));
    assert!(storage.credentials("nobody").await.unwrap().is_none());

    let disabled = storage.set_user_disabled("amira.khan", true).await.unwrap();
    assert!(disabled.disabled);
    assert!(
        storage
            .credentials("amira.khan")
            .await
            .unwrap()
            .unwrap()
            .user
            .disabled
    );
    assert!(
        !storage
            .set_user_disabled("amira.khan", false)
            .await
            .unwrap()
            .disabled
    );
    // Names match ignoring case in any alphabet, the same on both backends.
    storage.add_team("Ynys Môn").await.unwrap();
    let elodie = storage
        .add_user(NewUser {
            name: "Élodie.Martin".into(),
            role: Role::Caseworker,
            team: Some("YNYS MÔN".into()),
            digest: digest.clone(),
        })
        .await
        .unwrap();
    assert_eq!(elodie.team.as_deref(), Some("YNYS MÔN"));
    assert!(
        storage
            .credentials(" élodie.martin ")
            .await
            .unwrap()
            .is_some()
    );
    let twin = storage
        .add_user(NewUser {
            name: "ÉLODIE.MARTIN".into(),
            role: Role::Caseworker,
            team: None,
            digest: digest.clone(),
        })
        .await
        .unwrap_err();
    assert!(matches!(twin, StorageError::AlreadyExists(_)), "{twin:?}");
    assert!(
        storage
            .set_user_disabled("élodie.martin", true)
            .await
            .unwrap()
            .disabled
    );

    let unknown = storage.set_user_disabled("nobody", true).await.unwrap_err();
    assert!(matches!(unknown, StorageError::NotFound(_)));
}

/// A visit runs over: one alert, its deliveries tried and retried, and the
/// alert resolved when the check-out arrives.
async fn lone_working_story<S: Storage>(storage: &S) {
    let visiting = |version: Option<i64>, end: Option<&str>| CaseWrite {
        open_visit: end.map(|end| OpenVisitFacts {
            expected_end: end.into(),
            worker: "amira.khan".into(),
        }),
        ..write("LW-1", version, "Riverside", "amira.khan", b"visit", false)
    };
    assert!(matches!(
        storage
            .write_case(visiting(None, Some("2026-12-03T10:00:00Z")))
            .await
            .unwrap(),
        CaseWriteOutcome::Stored { .. }
    ));

    let before_the_end = storage
        .raise_lone_worker_alerts("2026-12-03T09:59:59Z", &["webhook", "email"])
        .await
        .unwrap();
    assert!(before_the_end.is_empty(), "not overdue yet");
    let raised = storage
        .raise_lone_worker_alerts("2026-12-03T10:00:30Z", &["webhook", "email"])
        .await
        .unwrap();
    assert_eq!(raised.len(), 1);
    assert_eq!(
        (
            raised[0].case_id.as_str(),
            raised[0].worker.as_str(),
            raised[0].team.as_deref()
        ),
        ("LW-1", "amira.khan", Some("Riverside"))
    );
    let again = storage
        .raise_lone_worker_alerts("2026-12-03T10:01:00Z", &["webhook", "email"])
        .await
        .unwrap();
    assert!(
        again.is_empty(),
        "one alert per visit, however often the server looks"
    );

    let due = storage.due_alert_deliveries(i64::MAX - 1).await.unwrap();
    let channels: Vec<&str> = due
        .iter()
        .map(|delivery| delivery.channel.as_str())
        .collect();
    assert_eq!(channels, ["email", "webhook"]);
    let alert_id = raised[0].id;
    storage
        .record_alert_delivery(alert_id, "webhook", DeliveryOutcome::Delivered)
        .await
        .unwrap();
    storage
        .record_alert_delivery(
            alert_id,
            "email",
            DeliveryOutcome::Failed {
                error: "451 try later".into(),
                retry_at: Some(1_000),
            },
        )
        .await
        .unwrap();
    assert!(
        storage.due_alert_deliveries(999).await.unwrap().is_empty(),
        "not before its retry time"
    );
    let retry = storage.due_alert_deliveries(1_000).await.unwrap();
    assert_eq!(
        (retry.len(), retry[0].channel.as_str(), retry[0].attempts),
        (1, "email", 1)
    );

    // The check-out syncs: the case has no visit under way any more.
    let version = storage.case_record("LW-1").await.unwrap().unwrap().version;
    storage
        .write_case(visiting(Some(version), None))
        .await
        .unwrap();
    let resolved = storage
        .resolve_lone_worker_alerts("2026-12-03T10:05:00Z")
        .await
        .unwrap();
    assert_eq!(resolved.len(), 1);
    assert_eq!(
        resolved[0].resolved_at.as_deref(),
        Some("2026-12-03T10:05:00Z")
    );
    assert!(
        storage
            .due_alert_deliveries(i64::MAX - 1)
            .await
            .unwrap()
            .is_empty(),
        "a resolved alert is not sent any more"
    );
    assert!(storage.lone_worker_alerts(true).await.unwrap().is_empty());
    assert_eq!(storage.lone_worker_alerts(false).await.unwrap().len(), 1);

    // A team lead's list keeps a resolved alert for a while, with how it was sent.
    let recent = storage
        .recent_lone_worker_alerts("2026-12-03T10:04:59Z")
        .await
        .unwrap();
    assert_eq!(recent.len(), 1);
    assert!(
        storage
            .recent_lone_worker_alerts("2026-12-03T10:05:00Z")
            .await
            .unwrap()
            .is_empty(),
        "resolved before the window"
    );
    let sent = storage.alert_deliveries(vec![alert_id]).await.unwrap();
    let summary: Vec<(&str, i64, bool, Option<&str>)> = sent
        .iter()
        .map(|state| {
            (
                state.channel.as_str(),
                state.attempts,
                state.delivered_at.is_some(),
                state.last_error.as_deref(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            ("email", 1, false, Some("451 try later")),
            ("webhook", 1, true, None)
        ]
    );
    assert!(storage.alert_deliveries(vec![]).await.unwrap().is_empty());
}

/// A device's own audit events are recorded once however often they come;
/// access records read by case and by person; a change of role or team
/// takes a place in the feed with the access from before it.
async fn team_oversight_story<S: Storage>(storage: &S) {
    let event = |action: &str| {
        AuditEvent::new(action)
            .by("amira.khan")
            .device("dev_1", Some("2026-12-03T08:00:00.000Z".into()))
            .case("LW-1")
    };
    let recorded = storage
        .record_device_audit(
            "dev_1",
            vec![(1, event("device_viewed")), (2, event("device_exported"))],
        )
        .await
        .unwrap();
    assert_eq!(recorded, 2);
    // The answer was lost and the device sends them again, with one more.
    let recorded = storage
        .record_device_audit(
            "dev_1",
            vec![
                (1, event("device_viewed")),
                (2, event("device_exported")),
                (3, event("device_viewed")),
            ],
        )
        .await
        .unwrap();
    assert_eq!(recorded, 3);
    let about_the_case = storage
        .audit_trail(AuditSubject::Case("LW-1".into()), 100)
        .await
        .unwrap();
    let actions: Vec<&str> = about_the_case
        .iter()
        .map(|record| record.action.as_str())
        .filter(|action| action.starts_with("device_"))
        .collect();
    assert_eq!(
        actions,
        ["device_viewed", "device_exported", "device_viewed"],
        "newest first, each once"
    );
    assert_eq!(
        about_the_case[0].device_time.as_deref(),
        Some("2026-12-03T08:00:00.000Z")
    );
    assert!(
        about_the_case
            .windows(2)
            .all(|pair| pair[0].seq > pair[1].seq)
    );
    let by_amira = storage
        .audit_trail(AuditSubject::Actor("amira.khan".into()), 2)
        .await
        .unwrap();
    assert_eq!(by_amira.len(), 2, "the limit holds");
    assert!(
        by_amira
            .iter()
            .all(|record| record.actor.as_deref() == Some("amira.khan"))
    );
    assert!(matches!(
        storage
            .record_device_audit("dev_none", vec![(1, event("device_viewed"))])
            .await
            .unwrap_err(),
        StorageError::NoSuchDevice(_)
    ));
    let verdict = doorstep_server::admin::verify_audit(storage).await.unwrap();
    assert!(
        verdict.intact,
        "device events join the one hash chain: {verdict:?}"
    );

    // Moving amira to another team, then making her a team lead, each
    // take a place in the feed; enabling her again changes no access.
    let before = storage.feed_position().await.unwrap();
    let moved = storage
        .set_user_team("Amira.Khan", Some("housing east"))
        .await
        .unwrap();
    assert_eq!(moved.team.as_deref(), Some("Housing East"));
    storage
        .set_user_role("amira.khan", Role::TeamLead)
        .await
        .unwrap();
    storage
        .set_user_role("amira.khan", Role::TeamLead)
        .await
        .unwrap();
    storage
        .set_user_disabled("amira.khan", false)
        .await
        .unwrap();
    let after = storage.feed_position().await.unwrap();
    assert_eq!(
        after,
        before + 2,
        "only real changes of access move the feed"
    );
    let past = storage
        .user_access_changes("AMIRA.KHAN", before, after)
        .await
        .unwrap();
    assert_eq!(
        past,
        [
            PastAccess {
                role: Role::Caseworker,
                team_key: Some("adults north".into()),
            },
            PastAccess {
                role: Role::Caseworker,
                team_key: Some("housing east".into()),
            },
        ]
    );
    assert!(
        storage
            .user_access_changes("amira.khan", after, i64::MAX)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(matches!(
        storage
            .set_user_team("amira.khan", Some("Nowhere"))
            .await
            .unwrap_err(),
        StorageError::NotFound(_)
    ));
    assert!(matches!(
        storage
            .set_user_team("nobody", Some("Housing East"))
            .await
            .unwrap_err(),
        StorageError::NotFound(_)
    ));
}

#[tokio::test]
async fn the_whole_storage_api_behaves_the_same_on_embedded_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let storage = SqliteStorage::open(dir.path()).unwrap();
    accounts_story(&storage).await;
    devices_cases_and_audit_story(&storage).await;
    lone_working_story(&storage).await;
    team_oversight_story(&storage).await;
}

/// A fresh database on the server DATABASE_URL names, dropped afterwards.
struct ScratchDatabase {
    admin_url: String,
    name: String,
}

impl ScratchDatabase {
    async fn create() -> (Self, String) {
        let admin_url = std::env::var("DATABASE_URL").expect(
            "DATABASE_URL is not set: run the tests with scripts/with-postgres.sh (scripts/test.sh does), or point it at a PostgreSQL server",
        );
        let name = format!(
            "doorstep_test_{}_{}",
            std::process::id(),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_nanos()
        );
        let (client, connection) = tokio_postgres::connect(&admin_url, tokio_postgres::NoTls)
            .await
            .unwrap();
        tokio::spawn(connection);
        client
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .await
            .unwrap();
        let mut config: tokio_postgres::Config = admin_url.parse().unwrap();
        config.dbname(&name);
        let url = format!(
            "postgres://{}@{}:{}/{name}",
            config.get_user().unwrap_or("postgres"),
            match config.get_hosts().first() {
                Some(tokio_postgres::config::Host::Tcp(host)) => host.clone(),
                _ => "127.0.0.1".into(),
            },
            config.get_ports().first().copied().unwrap_or(5432),
        );
        (Self { admin_url, name }, url)
    }

    async fn drop_it(self) {
        let (client, connection) = tokio_postgres::connect(&self.admin_url, tokio_postgres::NoTls)
            .await
            .unwrap();
        tokio::spawn(connection);
        client
            .batch_execute(&format!(
                "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                self.name
            ))
            .await
            .unwrap();
    }
}

#[tokio::test]
async fn the_whole_storage_api_behaves_the_same_on_postgresql() {
    let (scratch, url) = ScratchDatabase::create().await;
    {
        let storage = PostgresStorage::connect(&url).await.unwrap();
        accounts_story(&storage).await;
        devices_cases_and_audit_story(&storage).await;
        lone_working_story(&storage).await;
        team_oversight_story(&storage).await;
        // A second node starting on the same database finds it migrated.
        let second_node = PostgresStorage::connect(&url).await.unwrap();
        assert_eq!(
            second_node.users().await.unwrap().len(),
            2,
            "amira and élodie"
        );
    }
    scratch.drop_it().await;
}

#[tokio::test]
async fn a_bad_database_url_gets_a_clear_error() {
    let error = PostgresStorage::connect("postgres://nobody@127.0.0.1:1/none")
        .await
        .unwrap_err();
    assert!(
        error.to_string().contains("Check --database-url"),
        "{error}"
    );
}

#[tokio::test]
async fn an_unusable_name_is_refused_with_what_to_type_instead() {
    let dir = tempfile::tempdir().unwrap();
    let storage = SqliteStorage::open(dir.path()).unwrap();
    let error = storage.add_team("   ").await.unwrap_err();
    assert!(
        matches!(error, StorageError::InvalidName { kind: "team", .. }),
        "{error:?}"
    );
    assert!(
        error.to_string().contains("use 1 to 100 characters"),
        "{error}"
    );
    assert!(storage.teams().await.unwrap().is_empty());
}
