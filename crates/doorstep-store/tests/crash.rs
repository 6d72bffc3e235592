#![allow(clippy::unwrap_used)] // test helpers may unwrap, like #[test] functions (clippy.toml)
//! A laptop's power or the app dies mid-edit, hundreds of times: every edit
//! the app was told was saved is still there, nothing is half-saved, and the
//! database and audit chain are intact.
//!
//! The writer is a separate process (`doorstep-store-crash-writer`) killed
//! with SIGKILL after a random 1–80 ms, so kills land while it opens the
//! keyring and database, while it migrates the first time, and inside commits.
//! It needs the real OS keyring: run inside `scripts/with-keyring.sh`.
//! Set DOORSTEP_CRASH_SEED to replay a run; the seed is printed.

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader, Read};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use doorstep_store::{CaseFilter, DeviceStore, KeyringVault};

const KILLS: usize = 220;
const EDITS_PER_CASE: usize = 50;

#[test]
fn every_edit_reported_saved_survives_being_killed_at_random_moments() {
    assert!(
        std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_some(),
        "this story uses the real OS keyring; run it with scripts/with-keyring.sh"
    );
    let temp = tempfile::tempdir().unwrap();
    let data_dir = temp.path().join("device");
    let writer = env!("CARGO_BIN_EXE_doorstep-store-crash-writer");
    let seed = std::env::var("DOORSTEP_CRASH_SEED")
        .ok()
        .and_then(|seed| seed.parse().ok())
        .unwrap_or_else(|| fastrand::u64(..));
    println!("DOORSTEP_CRASH_SEED={seed}");
    let mut rng = fastrand::Rng::with_seed(seed);

    let started = Instant::now();
    let mut saved: BTreeSet<usize> = BTreeSet::new();
    let (mut killed_before_ready, mut killed_while_editing) = (0, 0);
    for run in 0..KILLS {
        let mut child = Command::new(writer)
            .arg(&data_dir)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        let mut text = String::new();
        // Opening (keyring, key, migrations) takes longer than most edits, so
        // one run in four counts its 1–80 ms from the start, to kill it there;
        // the others count from the moment the store is open.
        if run % 4 != 0 {
            stdout.read_line(&mut text).unwrap();
        }
        std::thread::sleep(Duration::from_millis(rng.u64(1..=80)));
        let _ = child.kill(); // SIGKILL; it may already have failed by itself
        stdout.read_to_string(&mut text).unwrap();
        let mut stderr = String::new();
        child
            .stderr
            .take()
            .unwrap()
            .read_to_string(&mut stderr)
            .unwrap();
        let status = child.wait().unwrap();
        assert!(
            status.code().is_none(),
            "run {run}: the writer stopped by itself ({status:?}) instead of being killed:\n{text}\n{stderr}"
        );
        if text.lines().any(|line| line == "ready") {
            killed_while_editing += 1;
        } else {
            killed_before_ready += 1;
        }
        for line in text.lines() {
            if let Some(n) = line.strip_prefix("saved ") {
                assert!(
                    saved.insert(n.parse().unwrap()),
                    "run {run}: edit {n} reported twice"
                );
            }
        }
    }
    let killing = started.elapsed();

    let vault = KeyringVault::system().unwrap();
    let store = DeviceStore::open(&data_dir, &vault).unwrap();
    assert_eq!(store.integrity_check().unwrap(), Vec::<String>::new());
    let audit = store.verify_audit().unwrap();
    assert!(audit.is_intact(), "{audit:?}");

    // Every edit is counted exactly once in the outbox and once in the audit
    // log, and the numbers the writer used run from 0 without a gap.
    let edits = store.unsynced_change_count().unwrap();
    assert_eq!(audit.events as usize, edits);
    let reported_last = saved.iter().next_back().copied().unwrap_or(0);
    assert!(
        edits > reported_last,
        "edit {reported_last} was reported saved but {edits} edits are stored"
    );
    let mut present = BTreeSet::new();
    for index in 0..edits.div_ceil(EDITS_PER_CASE) {
        let case = store.load_case(&format!("crash-{index}")).unwrap();
        let view = case.view();
        present.insert(index * EDITS_PER_CASE); // the edit that created it
        for note in &view.notes {
            let n: usize = note.id.trim_start_matches('n').parse().unwrap();
            assert_eq!(note.text, format!("note {n}"));
            assert_eq!(
                n / EDITS_PER_CASE,
                index,
                "note {n} is in the case it was written to"
            );
            assert!(present.insert(n), "note {n} stored twice");
        }
    }
    assert_eq!(
        present,
        (0..edits).collect::<BTreeSet<_>>(),
        "no edit is half-saved or missing"
    );
    let lost: Vec<_> = saved.difference(&present).collect();
    assert!(lost.is_empty(), "reported saved but lost: {lost:?}");

    // The derived rows agree with the documents after all that.
    for row in store.list_cases(&CaseFilter::default()).unwrap() {
        assert_eq!(row, store.load_case(&row.case_id).unwrap().projection());
    }
    println!(
        "{KILLS} kills in {killing:.1?} ({killed_before_ready} before the store was open, \
         {killed_while_editing} while editing); {} edits reported saved, {edits} stored",
        saved.len()
    );
    // Not a vacuous run, even on a loaded 2-core machine (alone, it saves
    // more edits than there are kills).
    assert!(
        saved.len() >= KILLS / 4,
        "the writer got real work done between kills"
    );
    assert!(
        killed_while_editing >= KILLS / 2,
        "most kills land while editing"
    );
    assert!(
        killed_before_ready > 0,
        "some kills land while the store opens"
    );
}
