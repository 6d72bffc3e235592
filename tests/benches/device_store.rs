//! Device-store benchmark: the local targets of product.md, on realistic
//! invented cases, with SQLCipher encryption and with plain SQLite side by side.
//!
//!     cargo bench -p doorstep-stories --bench device_store              # 100,000 cases
//!     cargo bench -p doorstep-stories --bench device_store -- --cases 10000
//!
//! It prints a Markdown table (the README keeps the latest one). The key
//! comes from an in-memory vault rather than the OS keyring: the keyring is
//! read once per open and is not what this measures.

#![allow(clippy::unwrap_used)] // a benchmark fails loudly rather than reporting half a result

use std::path::Path;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use automerge::ActorId;
use doorstep_core::case::{CaseDocument, CaseStatus, Editor};
use doorstep_core::dates::Timestamp;
use doorstep_core::demo::{DemoRandom, DemoShape, demo_case};
use doorstep_store::{
    AuditAction, AuditEvent, CaseFilter, DeviceStore, KeyVault, Secret, VaultError,
};

/// Keeps the key in memory for the benchmark's lifetime only.
#[derive(Default)]
struct MemoryVault(Mutex<std::collections::HashMap<String, Secret>>);

impl KeyVault for MemoryVault {
    fn name(&self) -> String {
        "an in-memory benchmark vault".into()
    }
    fn get(&self, account: &str) -> Result<Option<Secret>, VaultError> {
        Ok(self.0.lock().unwrap().get(account).cloned())
    }
    fn set(&self, account: &str, secret: &Secret) -> Result<(), VaultError> {
        self.0
            .lock()
            .unwrap()
            .insert(account.into(), secret.clone());
        Ok(())
    }
    fn delete(&self, account: &str) -> Result<bool, VaultError> {
        Ok(self.0.lock().unwrap().remove(account).is_some())
    }
}

const WORKERS: &[&str] = &["amira.khan", "ben.jones", "chloe.evans", "dev.sharma"];
const SEARCH_WORDS: &[&str] = &[
    "grab rail",
    "damp",
    "Patel",
    "occupational",
    "noise",
    "Okafor",
    "benefits",
    "Mill Lane",
    "medication",
    "warm home",
];

fn percentile(samples: &mut [Duration], p: f64) -> Duration {
    samples.sort();
    let index = ((samples.len() as f64 - 1.0) * p).round() as usize;
    samples[index]
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

fn event(user: &str, action: AuditAction, case_id: &str) -> AuditEvent {
    AuditEvent {
        user: user.into(),
        action,
        case_id: Some(case_id.into()),
        detail: "benchmark".into(),
        device_time: Timestamp(1_795_000_000_000),
    }
}

/// Invents `count` cases on both cores; the same seed gives the same cases.
fn invent(count: usize) -> Vec<Vec<u8>> {
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
    let per_thread = count.div_ceil(threads);
    std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|thread| {
                scope.spawn(move || {
                    let mut random = DemoRandom::new(42 + thread as u64);
                    let start = thread * per_thread;
                    let end = ((thread + 1) * per_thread).min(count);
                    (start..end)
                        .map(|index| {
                            let worker = WORKERS[index % WORKERS.len()];
                            demo_case(
                                &mut random,
                                index,
                                worker,
                                "Adults North",
                                DemoShape::default(),
                                Timestamp(1_795_000_000_000 + index as i64 * 1000),
                                ActorId::from(vec![thread as u8 + 1; 16]),
                            )
                            .unwrap()
                            .save()
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect()
    })
}

struct Row {
    label: &'static str,
    encrypted: String,
    plain: String,
    target: &'static str,
}

fn measure(dir: &Path, encrypted: bool, cases: &[Vec<u8>]) -> Vec<String> {
    let vault = MemoryVault::default();
    let mut store = if encrypted {
        DeviceStore::open(dir, &vault).unwrap()
    } else {
        DeviceStore::open_unencrypted_for_benchmark(dir).unwrap()
    };
    let actor = store.device_actor();
    let load_started = Instant::now();
    for batch in cases.chunks(1_000) {
        let mut documents: Vec<CaseDocument> = batch
            .iter()
            .map(|bytes| CaseDocument::load(bytes, actor.clone()).unwrap())
            .collect();
        store
            .create_cases(
                &mut documents,
                &AuditEvent {
                    case_id: None,
                    ..event("importer", AuditAction::Imported, "")
                },
            )
            .unwrap();
    }
    let load_time = load_started.elapsed();

    // My cases: a caseworker's open cases, newest first, one screenful.
    let mut list = Vec::new();
    for round in 0..200 {
        let filter = CaseFilter {
            status: Some(if round % 2 == 0 {
                CaseStatus::InProgress
            } else {
                CaseStatus::Open
            }),
            assigned_to: Some(WORKERS[round % WORKERS.len()].into()),
            limit: Some(50),
            ..CaseFilter::default()
        };
        let started = Instant::now();
        let rows = store.list_cases(&filter).unwrap();
        list.push(started.elapsed());
        assert!(!rows.is_empty());
    }

    let mut search = Vec::new();
    for round in 0..200 {
        let filter = CaseFilter {
            text: Some(SEARCH_WORDS[round % SEARCH_WORDS.len()].into()),
            limit: Some(50),
            ..CaseFilter::default()
        };
        let started = Instant::now();
        store.list_cases(&filter).unwrap();
        search.push(started.elapsed());
    }

    // A long-running case with 1,000 notes.
    let mut random = DemoRandom::new(7);
    let mut long = demo_case(
        &mut random,
        cases.len() + 1,
        "amira.khan",
        "Adults North",
        DemoShape {
            notes: 1_000,
            ..DemoShape::default()
        },
        Timestamp(1_795_000_000_000),
        actor.clone(),
    )
    .unwrap();
    let long_id = long.id().to_owned();
    store
        .create_case(
            &mut long,
            &event("amira.khan", AuditAction::Created, &long_id),
        )
        .unwrap();
    let mut open = Vec::new();
    for _ in 0..50 {
        let started = Instant::now();
        let view = store.load_case(&long_id).unwrap().view();
        open.push(started.elapsed());
        assert_eq!(view.notes.len(), 1_000);
    }

    // Durable edits: a note on a random case, committed with synchronous=FULL.
    let mut edits = Vec::new();
    let ids: Vec<String> = store
        .list_cases(&CaseFilter {
            limit: Some(500),
            ..CaseFilter::default()
        })
        .unwrap()
        .into_iter()
        .map(|row| row.case_id)
        .collect();
    for (n, id) in ids.iter().enumerate() {
        let started = Instant::now();
        let mut case = store.load_case(id).unwrap();
        let editor = Editor::new("amira.khan", Timestamp(1_796_000_000_000 + n as i64));
        case.add_note(
            &format!("BENCH{n}"),
            "Phoned to confirm the visit.",
            &editor,
        )
        .unwrap();
        store
            .commit_edit(
                &mut case,
                "Added a note",
                &event("amira.khan", AuditAction::Edited, id),
            )
            .unwrap();
        edits.push(started.elapsed());
    }

    let total_cases = cases.len() + 1;
    store.close().unwrap();
    let bytes: u64 = std::fs::read_dir(dir)
        .unwrap()
        .filter_map(Result::ok)
        .filter_map(|entry| entry.metadata().ok())
        .map(|meta| meta.len())
        .sum();

    vec![
        format!("{:.1} s", load_time.as_secs_f64()),
        ms(percentile(&mut list, 0.5)),
        ms(percentile(&mut list, 0.95)),
        ms(percentile(&mut search, 0.5)),
        ms(percentile(&mut search, 0.95)),
        ms(percentile(&mut open, 0.5)),
        ms(percentile(&mut open, 0.95)),
        ms(percentile(&mut edits, 0.5)),
        ms(percentile(&mut edits, 0.95)),
        format!("{:.0} bytes", bytes as f64 / total_cases as f64),
    ]
}

fn main() {
    let mut args = std::env::args().skip(1);
    let mut count = 100_000usize;
    while let Some(arg) = args.next() {
        if arg == "--cases" {
            count = args.next().and_then(|n| n.parse().ok()).expect("--cases N");
        }
    }
    eprintln!("inventing {count} realistic cases (about 30 fields and 20 notes each)…");
    let started = Instant::now();
    let cases = invent(count);
    eprintln!("invented in {:.1} s", started.elapsed().as_secs_f64());

    let encrypted_dir = tempfile::tempdir().unwrap();
    let plain_dir = tempfile::tempdir().unwrap();
    eprintln!("measuring SQLCipher…");
    let encrypted = measure(encrypted_dir.path(), true, &cases);
    eprintln!("measuring plain SQLite…");
    let plain = measure(plain_dir.path(), false, &cases);

    let labels: [(&str, &str); 10] = [
        ("store all cases (batches of 1,000)", "—"),
        ("list + filter, p50", "—"),
        ("list + filter, p95", "≤ 50 ms"),
        ("full-text search, p50", "—"),
        ("full-text search, p95", "≤ 50 ms"),
        ("open a case with 1,000 notes, p50", "—"),
        ("open a case with 1,000 notes, p95", "≤ 30 ms"),
        ("durable edit (load, add note, commit), p50", "—"),
        ("durable edit (load, add note, commit), p95", "≤ 10 ms"),
        ("bytes on disk per case", "—"),
    ];
    let rows: Vec<Row> = labels
        .iter()
        .zip(encrypted.into_iter().zip(plain))
        .map(|((label, target), (encrypted, plain))| Row {
            label,
            encrypted,
            plain,
            target,
        })
        .collect();
    println!(
        "\n{count} cases, {} cores\n",
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );
    println!("| measure | SQLCipher | plain SQLite | target |");
    println!("|---|---|---|---|");
    for row in rows {
        println!(
            "| {} | {} | {} | {} |",
            row.label, row.encrypted, row.plain, row.target
        );
    }
}
