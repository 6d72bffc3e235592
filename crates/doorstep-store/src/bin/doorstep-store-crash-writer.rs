//! Test helper for `tests/crash.rs`, not part of the product: opens the store
//! in the data folder given as the only argument (with the OS keyring, so run
//! it inside `scripts/with-keyring.sh`), then adds notes until it is killed.
//!
//! Edit number `n` (counted across runs as the number of edits already in the
//! outbox) goes to case `crash-<n / 50>`: the first edit of each case creates
//! it, every other edit adds the note `note <n>` with id `n<n>`. After each
//! commit returns Ok, and only then, it prints `saved <n>` and flushes stdout.
//! It stops by itself after 60 seconds, so it never outlives a broken test.

use std::io::Write;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use doorstep_core::case::{CaseDocument, Editor, NewCase};
use doorstep_core::dates::Timestamp;
use doorstep_store::{AuditAction, AuditEvent, DeviceStore};

/// Edits per case, so documents stay small and each run starts quickly.
const EDITS_PER_CASE: usize = 50;

fn now() -> Timestamp {
    doorstep_store::device_now()
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let data_dir = std::env::args_os()
        .nth(1)
        .map(PathBuf::from)
        .ok_or("usage: doorstep-store-crash-writer DATA_DIR")?;
    let mut store = DeviceStore::open_with_os_keyring(&data_dir)?;
    let mut stdout = std::io::stdout().lock();
    writeln!(stdout, "ready")?;
    stdout.flush()?;
    let mut n = store.unsynced_change_count()?;
    let mut current: Option<CaseDocument> = None;
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(60) {
        let case_id = format!("crash-{}", n / EDITS_PER_CASE);
        let editor = Editor::new("crash.writer", now());
        let event = |action: AuditAction, detail: String| AuditEvent {
            user: editor.user.clone(),
            action,
            case_id: Some(case_id.clone()),
            detail,
            device_time: editor.at,
        };
        let mut case = match current.take() {
            Some(case) if case.id() == case_id => case,
            _ if store.has_case(&case_id)? => store.load_case(&case_id)?,
            _ => {
                let mut case = CaseDocument::create(
                    NewCase {
                        id: case_id.clone(),
                        case_type: "crash_test".into(),
                        summary: format!("Crash test case {}", n / EDITS_PER_CASE),
                    },
                    &editor,
                    store.device_actor(),
                )?;
                store.create_case(&mut case, &event(AuditAction::Created, "Opened".into()))?;
                writeln!(stdout, "saved {n}")?;
                stdout.flush()?;
                n += 1;
                current = Some(case);
                continue;
            }
        };
        case.add_note(&format!("n{n}"), &format!("note {n}"), &editor)?;
        store.commit_edit(
            &mut case,
            "Added a note",
            &event(AuditAction::Edited, format!("Added note {n}")),
        )?;
        writeln!(stdout, "saved {n}")?;
        stdout.flush()?;
        n += 1;
        current = Some(case);
    }
    Ok(())
}
