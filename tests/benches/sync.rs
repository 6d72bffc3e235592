//! Sync benchmark: the sync targets of product.md, on loopback, against a real
//! `doorstep-server` process on SQLite and on PostgreSQL.
//!
//!     cargo build --release -p doorstep-server
//!     scripts/with-keyring.sh scripts/with-postgres.sh \
//!         cargo bench -p doorstep-stories --bench sync                       # 10,000 and 100,000 cases
//!     ... cargo bench -p doorstep-stories --bench sync -- --cases 10000 --backend sqlite
//!
//! For each backend and size it seeds the server with `doorstep-server demo`
//! (realistic invented cases), then measures:
//! - a first sync of every case to a new device (the team lead sees them
//!   all): time, bytes on the wire, and their ratio to the cases' compressed
//!   automerge documents;
//! - an incremental sync after another device changed 100 cases;
//! - (smallest size) 500 devices syncing at once: latency, errors, server RSS;
//! - (smallest size) a baseline that fetches the same documents with one HTTP
//!   round trip per case, speaking plain automerge sync messages to a minimal
//!   server written here for the comparison.
//!
//! The device is the real `Device` API on an encrypted store with its key in
//! the OS keyring (hence scripts/with-keyring.sh). It prints Markdown tables;
//! the README keeps the latest run.

#![allow(clippy::unwrap_used)] // a benchmark fails loudly rather than reporting half a result

use std::collections::HashMap;
use std::path::Path;
use std::process::Command;
use std::sync::{Arc, Barrier, Mutex};
use std::time::{Duration, Instant};

use automerge::sync::SyncDoc;
use doorstep_client::settings::{SettingsSource, parse_server_url};
use doorstep_client::{Device, DeviceSettings};
use doorstep_core::case::{CaseDocument, Editor, FieldPath};
use doorstep_stories::{ScratchPostgres, ServerProcess, binary};

const LEAD: &str = "sam.lead";
const LEAD_PASSWORD: &str = "demo-lead-password";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Backend {
    Sqlite,
    Postgres,
}

struct Options {
    sizes: Vec<usize>,
    backends: Vec<Backend>,
    devices: usize,
    baseline: bool,
}

fn options() -> Options {
    let args: Vec<String> = std::env::args().collect();
    let value = |name: &str| {
        args.iter()
            .position(|arg| arg == name)
            .and_then(|index| args.get(index + 1).cloned())
    };
    let sizes = value("--cases")
        .map(|text| text.split(',').map(|n| n.parse().unwrap()).collect())
        .unwrap_or_else(|| vec![10_000, 100_000]);
    let backends = match value("--backend").as_deref() {
        Some("sqlite") => vec![Backend::Sqlite],
        Some("postgres") => vec![Backend::Postgres],
        _ => vec![Backend::Sqlite, Backend::Postgres],
    };
    Options {
        sizes,
        backends,
        devices: value("--devices").map_or(500, |n| n.parse().unwrap()),
        baseline: !args.iter().any(|arg| arg == "--no-baseline"),
    }
}

/// A seeded server and what it took to seed.
struct Seeded {
    server: ServerProcess,
    dir: tempfile::TempDir,
    database: Option<ScratchPostgres>,
    seconds: f64,
}

fn seeded_server(backend: Backend, cases: usize) -> Seeded {
    let dir = tempfile::tempdir().unwrap();
    let database = (backend == Backend::Postgres).then(|| ScratchPostgres::create("bench"));
    let url = database.as_ref().map(|db| db.url.clone());
    let started = Instant::now();
    let mut demo = Command::new(binary("doorstep-server"));
    demo.args(["demo", "--data-dir"])
        .arg(dir.path())
        .args(["--cases", &cases.to_string()]);
    if let Some(url) = &url {
        demo.args(["--database-url", url]);
    }
    let status = demo.status().unwrap();
    assert!(status.success(), "seeding failed");
    let seconds = started.elapsed().as_secs_f64();
    let server = ServerProcess::start_with(dir.path(), url.as_deref());
    Seeded {
        server,
        dir,
        database,
        seconds,
    }
}

fn new_device(dir: &Path) -> Device {
    let settings = DeviceSettings::resolve(SettingsSource {
        data_dir: Some(dir.to_owned()),
        ..SettingsSource::default()
    })
    .unwrap();
    Device::open(&settings).unwrap()
}

struct FirstSync {
    seconds: f64,
    cases: usize,
    bytes_received: u64,
    bytes_sent: u64,
    documents_bytes: u64,
    search_hits: usize,
    requests: usize,
}

fn first_sync(device: &mut Device, url: &str) -> FirstSync {
    device
        .sign_in(&parse_server_url(url).unwrap(), LEAD, LEAD_PASSWORD)
        .unwrap();
    let started = Instant::now();
    let outcome = device.sync(&mut |_| {}).unwrap();
    let seconds = started.elapsed().as_secs_f64();
    eprintln!(
        "   first sync {seconds:.1} s: waiting for the server {:.1} s, recording on the device {:.1} s, {} rounds",
        outcome.waiting_for_server_ms as f64 / 1000.0,
        outcome.recording_ms as f64 / 1000.0,
        outcome.rounds
    );
    let all = doorstep_client::types::CaseFilter {
        limit: None,
        ..Default::default()
    };
    let ids: Vec<String> = device
        .list_cases(&all)
        .unwrap()
        .into_iter()
        .map(|case| case.case_id)
        .collect();
    let documents_bytes = ids
        .iter()
        .map(|id| device.export_automerge(id).unwrap().len() as u64)
        .sum();
    let search_hits = device
        .list_cases(&doorstep_client::types::CaseFilter {
            text: Some("damp".into()),
            limit: None,
            ..Default::default()
        })
        .unwrap()
        .len();
    FirstSync {
        seconds,
        cases: ids.len(),
        bytes_received: outcome.bytes_received,
        bytes_sent: outcome.bytes_sent,
        documents_bytes,
        search_hits,
        requests: outcome.rounds,
    }
}

/// Another device's session, speaking the protocol directly.
struct RawSession {
    http: reqwest::blocking::Client,
    url: String,
    access: String,
}

impl RawSession {
    fn sign_in(url: &str, hostname: &str) -> Self {
        Self::sign_in_as(url, hostname, LEAD, LEAD_PASSWORD)
    }

    fn sign_in_as(url: &str, hostname: &str, user: &str, password: &str) -> Self {
        let http = reqwest::blocking::Client::builder()
            .timeout(Duration::from_secs(120))
            .build()
            .unwrap();
        let tokens: serde_json::Value = http
            .post(format!("{url}/v1/session"))
            .json(&serde_json::json!({
                "user": user,
                "password": password,
                "device": { "hostname": hostname, "os": "bench", "app_version": "bench" },
            }))
            .send()
            .unwrap()
            .json()
            .unwrap();
        Self {
            http,
            url: url.to_owned(),
            access: tokens["access_token"].as_str().unwrap().to_owned(),
        }
    }

    fn sync(&self, body: &serde_json::Value) -> Result<serde_json::Value, String> {
        let response = self
            .http
            .post(format!("{}/v1/sync", self.url))
            .bearer_auth(&self.access)
            .json(body)
            .send()
            .map_err(|error| error.to_string())?;
        if !response.status().is_success() {
            return Err(format!("HTTP {}", response.status()));
        }
        response.json().map_err(|error| error.to_string())
    }
}

/// A change to one case as another device would push it.
fn changed_case(document: &[u8], n: usize) -> (String, String) {
    let mut case = CaseDocument::load(document, automerge::ActorId::random()).unwrap();
    let before = case.heads();
    let editor = Editor::new(
        "sam.lead",
        doorstep_core::dates::Timestamp(1_800_000_000_000),
    );
    case.set_field(
        &FieldPath::case("summary"),
        &format!("Reviewed by the lead (change {n})"),
        &editor,
    )
    .unwrap();
    let changes = case.automerge_mut().save_after(&before);
    (case.id().to_owned(), doorstep_stories::base64(&changes))
}

struct Incremental {
    seconds: f64,
    received: usize,
    bytes_received: u64,
    cursor: i64,
}

fn incremental(device: &mut Device, url: &str, ids: &[String]) -> Incremental {
    let editor = RawSession::sign_in(url, "bench-editor");
    let push: Vec<serde_json::Value> = ids
        .iter()
        .take(100)
        .enumerate()
        .map(|(n, id)| {
            let (case_id, changes) = changed_case(&device.export_automerge(id).unwrap(), n);
            serde_json::json!({ "case_id": case_id, "changes": changes })
        })
        .collect();
    let answer = editor
        .sync(&serde_json::json!({ "protocol": 1, "since": i64::MAX / 2, "push": push }))
        .unwrap();
    assert_eq!(answer["acknowledged"].as_array().unwrap().len(), 100);
    let started = Instant::now();
    let outcome = device.sync(&mut |_| {}).unwrap();
    let seconds = started.elapsed().as_secs_f64();
    eprintln!(
        "   incremental {:.0} ms: waiting for the server {} ms, recording on the device {} ms, {} rounds",
        seconds * 1000.0,
        outcome.waiting_for_server_ms,
        outcome.recording_ms,
        outcome.rounds
    );
    Incremental {
        seconds,
        received: outcome.cases_received,
        bytes_received: outcome.bytes_received,
        cursor: outcome.cursor,
    }
}

struct Crowd {
    devices: usize,
    p50_ms: f64,
    p99_ms: f64,
    max_ms: f64,
    errors: usize,
    rss_mib: f64,
    peak_rss_mib: f64,
    /// CPU time of the doorstep-server process (not PostgreSQL's) per sync.
    server_cpu_ms_per_sync: f64,
}

fn server_memory(pid: u32) -> (f64, f64) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find_map(|line| line.strip_prefix(name))
            .and_then(|rest| rest.split_whitespace().next())
            .and_then(|kib| kib.parse::<f64>().ok())
            .map_or(0.0, |kib| kib / 1024.0)
    };
    (field("VmRSS:"), field("VmHWM:"))
}

/// `devices` caseworkers, each on their own laptop and signed in, sync at
/// the same moment: each sends the visit record it just opened (a new case
/// assigned to them) and pulls what changed for them. Each has their own
/// account, as in a council, so each answer carries that person's cases only.
/// CPU seconds the process has used so far, user and system.
fn cpu_seconds(pid: u32) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // Fields after the command name, which is in parentheses and may hold spaces.
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .map_or(Vec::new(), |(_, rest)| rest.split_whitespace().collect());
    let ticks = |index: usize| fields.get(index).and_then(|f| f.parse::<f64>().ok());
    let per_second = std::process::Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|out| {
            String::from_utf8_lossy(&out.stdout)
                .trim()
                .parse::<f64>()
                .ok()
        })
        .unwrap_or(100.0);
    // utime and stime are fields 14 and 15; 11 and 12 counting from after ')'.
    (ticks(11).unwrap_or(0.0) + ticks(12).unwrap_or(0.0)) / per_second
}

fn crowd(seeded: &Seeded, devices: usize, now: i64) -> Crowd {
    let server = &seeded.server;
    let url = server.url();
    let password = "crowd caseworker password";
    let sessions: Vec<RawSession> = (0..devices)
        .map(|n| {
            let name = format!("bench.worker{n}");
            let mut args = vec!["user", "add", &name, "--role", "caseworker"];
            args.extend(["--team", "North Locality", "--password-stdin"]);
            let (code, _, stderr) = doorstep_stories::server_admin(
                seeded.dir.path(),
                seeded.database.as_ref().map(|db| db.url.as_str()),
                &args,
                Some(password),
            );
            assert_eq!(code, Some(0), "{stderr}");
            RawSession::sign_in_as(&url, &format!("bench-laptop-{n}"), &name, password)
        })
        .collect();
    let bodies: Vec<serde_json::Value> = (0..devices)
        .map(|n| {
            let worker = format!("bench.worker{n}");
            let mut case = doorstep_stories::new_case(
                &format!("CROWD-{n:04}"),
                "adult_social_care",
                "Visit record written in the car park",
                &worker,
                Some("North Locality"),
                Some(&worker),
            );
            serde_json::json!({
                "protocol": 1,
                "since": now,
                "push": [{ "case_id": case.id(), "changes": doorstep_stories::base64(&case.save()) }],
                "full": [],
            })
        })
        .collect();
    let barrier = Arc::new(Barrier::new(devices));
    let cpu_before = cpu_seconds(server.pid());
    let latencies = Arc::new(Mutex::new(Vec::new()));
    let errors = Arc::new(Mutex::new(0usize));
    std::thread::scope(|scope| {
        for (session, body) in sessions.iter().zip(bodies) {
            let barrier = barrier.clone();
            let latencies = latencies.clone();
            let errors = errors.clone();
            scope.spawn(move || {
                barrier.wait();
                let started = Instant::now();
                let result = session.sync(&body);
                let elapsed = started.elapsed().as_secs_f64() * 1000.0;
                match result {
                    Ok(answer)
                        if answer["acknowledged"]
                            .as_array()
                            .is_some_and(|a| a.len() == 1) =>
                    {
                        latencies.lock().unwrap().push(elapsed);
                    }
                    _ => *errors.lock().unwrap() += 1,
                }
            });
        }
    });
    let mut latencies = latencies.lock().unwrap().clone();
    latencies.sort_by(f64::total_cmp);
    let pick = |p: f64| {
        latencies
            .get(((latencies.len() as f64 * p).ceil() as usize).saturating_sub(1))
            .copied()
            .unwrap_or(f64::NAN)
    };
    let server_cpu_ms_per_sync = (cpu_seconds(server.pid()) - cpu_before) * 1000.0 / devices as f64;
    let (rss, peak) = server_memory(server.pid());
    let errors = *errors.lock().unwrap();
    Crowd {
        devices,
        p50_ms: pick(0.50),
        p99_ms: pick(0.99),
        max_ms: latencies.last().copied().unwrap_or(f64::NAN),
        errors,
        rss_mib: rss,
        peak_rss_mib: peak,
        server_cpu_ms_per_sync,
    }
}

struct Baseline {
    seconds: f64,
    round_trips: usize,
    bytes: u64,
}

/// The same documents fetched with one HTTP round trip per case (or more,
/// until automerge's sync protocol says both sides agree), plain automerge
/// sync messages, no batching, no compression: what "just use automerge sync
/// over HTTP" gives.
fn baseline(documents: Vec<(String, Vec<u8>)>) -> Baseline {
    let server_docs: Arc<HashMap<String, Mutex<automerge::AutoCommit>>> = Arc::new(
        documents
            .iter()
            .map(|(id, bytes)| {
                (
                    id.clone(),
                    Mutex::new(automerge::AutoCommit::load(bytes).unwrap()),
                )
            })
            .collect(),
    );
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let listener = runtime
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let address = listener.local_addr().unwrap();
    let docs = server_docs.clone();
    let app = axum::Router::new().route(
        "/doc/{id}",
        axum::routing::post(
            move |axum::extract::Path(id): axum::extract::Path<String>, body: axum::body::Bytes| {
                let docs = docs.clone();
                async move {
                    let Some(doc) = docs.get(&id) else {
                        return (axum::http::StatusCode::NOT_FOUND, Vec::new());
                    };
                    let mut doc = doc.lock().unwrap();
                    // Stateless per request, as a plain HTTP endpoint would be.
                    let mut state = automerge::sync::State::new();
                    let message = automerge::sync::Message::decode(&body).unwrap();
                    doc.sync()
                        .receive_sync_message(&mut state, message)
                        .unwrap();
                    match doc.sync().generate_sync_message(&mut state) {
                        Some(reply) => (axum::http::StatusCode::OK, reply.encode()),
                        None => (axum::http::StatusCode::NO_CONTENT, Vec::new()),
                    }
                }
            },
        ),
    );
    runtime.spawn(async move { axum::serve(listener, app).await });
    let http = reqwest::blocking::Client::new();
    let started = Instant::now();
    let mut round_trips = 0;
    let mut bytes = 0u64;
    for (id, original) in &documents {
        let mut doc = automerge::AutoCommit::new();
        let mut state = automerge::sync::State::new();
        for _ in 0..10 {
            let Some(message) = doc.sync().generate_sync_message(&mut state) else {
                break;
            };
            let encoded = message.encode();
            bytes += encoded.len() as u64;
            let response = http
                .post(format!("http://{address}/doc/{id}"))
                .body(encoded)
                .send()
                .unwrap();
            round_trips += 1;
            if response.status() == reqwest::StatusCode::NO_CONTENT {
                break;
            }
            let reply = response.bytes().unwrap();
            bytes += reply.len() as u64;
            let message = automerge::sync::Message::decode(&reply).unwrap();
            doc.sync()
                .receive_sync_message(&mut state, message)
                .unwrap();
        }
        let mut expected = automerge::AutoCommit::load(original).unwrap();
        assert_eq!(
            doc.get_heads(),
            expected.get_heads(),
            "the baseline fetched case {id} whole"
        );
    }
    let seconds = started.elapsed().as_secs_f64();
    drop(runtime);
    Baseline {
        seconds,
        round_trips,
        bytes,
    }
}

/// A TCP stream that counts the bytes crossing it, both ways.
struct Counted {
    stream: tokio::net::TcpStream,
    bytes: Arc<std::sync::atomic::AtomicU64>,
}

impl Counted {
    fn add(&self, n: usize) {
        self.bytes
            .fetch_add(n as u64, std::sync::atomic::Ordering::Relaxed);
    }
}

impl tokio::io::AsyncRead for Counted {
    fn poll_read(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
        buf: &mut tokio::io::ReadBuf<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        let before = buf.filled().len();
        let polled = std::pin::Pin::new(&mut self.stream).poll_read(cx, buf);
        let read = buf.filled().len() - before;
        self.add(read);
        polled
    }
}

impl tokio::io::AsyncWrite for Counted {
    fn poll_write(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
        buf: &[u8],
    ) -> std::task::Poll<std::io::Result<usize>> {
        let polled = std::pin::Pin::new(&mut self.stream).poll_write(cx, buf);
        if let std::task::Poll::Ready(Ok(n)) = &polled {
            self.add(*n);
        }
        polled
    }

    fn poll_flush(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        std::pin::Pin::new(&mut self.stream).poll_flush(cx)
    }

    fn poll_shutdown(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        std::pin::Pin::new(&mut self.stream).poll_shutdown(cx)
    }
}

struct Samod {
    cases: usize,
    /// Cases the new repository held when it finished or the time ran out.
    fetched: usize,
    seconds: f64,
    bytes: u64,
}

/// How long the samod comparison may run. samod 0.16 keeps, per connection,
/// a map of every document's state and clones it as each document changes,
/// so a first sync grows with the square of the cases (measured: see the
/// README); at 10,000 it does not finish in useful time.
const SAMOD_TIME_LIMIT: Duration = Duration::from_secs(120);

/// The same documents fetched with samod 0.16 (the Rust automerge-repo):
/// a repository holding every case listens on loopback TCP; a new, empty
/// repository dials it and asks for every case at once, as a device with
/// nothing would. Both keep documents in memory (samod's own storage),
/// where Doorstep's device writes each case, its list row and its search
/// entry to an encrypted database: samod does less work per case here.
fn samod_first_sync(documents: &[(String, Vec<u8>)]) -> Samod {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let server = samod::Repo::build_tokio().load().await;
        let mut ids = Vec::with_capacity(documents.len());
        for (_, bytes) in documents {
            let handle = server
                .create(automerge::Automerge::load(bytes).unwrap())
                .await
                .unwrap();
            ids.push(handle.document_id().clone());
        }
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        let acceptor = server
            .make_acceptor(samod::Url::parse(&format!("tcp://{address}")).unwrap())
            .unwrap();
        let bytes = Arc::new(std::sync::atomic::AtomicU64::new(0));
        let counter = bytes.clone();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                acceptor
                    .accept_tokio_io(Counted {
                        stream,
                        bytes: counter.clone(),
                    })
                    .unwrap();
            }
        });

        let started = Instant::now();
        let device = samod::Repo::build_tokio().load().await;
        let dialer = device
            .dial(
                samod::BackoffConfig::default(),
                Arc::new(samod::tokio_io::TcpDialer::new_host_port(
                    address.ip().to_string(),
                    address.port(),
                )),
            )
            .unwrap();
        dialer.established().await.unwrap();
        let mut finds = tokio::task::JoinSet::new();
        for id in ids {
            let find = device.find(id);
            finds.spawn(find);
        }
        let mut found = Vec::with_capacity(documents.len());
        let deadline = tokio::time::Instant::now() + SAMOD_TIME_LIMIT;
        while let Ok(Some(result)) = tokio::time::timeout_at(deadline, finds.join_next()).await {
            found.push(result.unwrap().unwrap().expect("samod found the case"));
        }
        let seconds = started.elapsed().as_secs_f64();
        let wire = bytes.load(std::sync::atomic::Ordering::Relaxed);
        if found.len() < documents.len() {
            finds.abort_all();
            return Samod {
                cases: documents.len(),
                fetched: found.len(),
                seconds,
                bytes: wire,
            };
        }
        // Every case arrived whole.
        let mut expected: Vec<Vec<automerge::ChangeHash>> = documents
            .iter()
            .map(|(_, bytes)| {
                let mut heads = automerge::Automerge::load(bytes).unwrap().get_heads();
                heads.sort();
                heads
            })
            .collect();
        let mut got: Vec<Vec<automerge::ChangeHash>> = found
            .iter()
            .map(|handle| {
                let mut heads = handle.with_document(|doc| doc.get_heads());
                heads.sort();
                heads
            })
            .collect();
        expected.sort();
        got.sort();
        assert_eq!(got, expected, "samod fetched every case whole");
        device.stop().await;
        server.stop().await;
        Samod {
            cases: documents.len(),
            fetched: found.len(),
            seconds,
            bytes: wire,
        }
    })
}

fn mib(bytes: u64) -> String {
    format!("{:.2} MiB", bytes as f64 / (1024.0 * 1024.0))
}

fn main() {
    let options = options();
    let mut rows: Vec<String> = Vec::new();
    let mut crowd_rows: Vec<String> = Vec::new();
    let mut baseline_rows: Vec<String> = Vec::new();
    for &backend in &options.backends {
        for (index, &size) in options.sizes.iter().enumerate() {
            let name = match backend {
                Backend::Sqlite => "SQLite",
                Backend::Postgres => "PostgreSQL",
            };
            eprintln!("== {name}, {size} cases: seeding");
            let seeded = seeded_server(backend, size);
            let url = seeded.server.url();
            let dir = tempfile::tempdir().unwrap();
            let mut device = new_device(dir.path());
            eprintln!(
                "== {name}, {size} cases: first sync (seeded in {:.1} s)",
                seeded.seconds
            );
            let first = first_sync(&mut device, &url);
            let ids: Vec<String> = device
                .list_cases(&doorstep_client::types::CaseFilter {
                    limit: None,
                    ..Default::default()
                })
                .unwrap()
                .into_iter()
                .map(|case| case.case_id)
                .collect();
            eprintln!("== {name}, {size} cases: incremental sync");
            let step = incremental(&mut device, &url, &ids);
            rows.push(format!(
                "| {name} | {size} | {:.2} s | {} cases | {} | {} | {:.2}× | {} | {:.0} ms ({} cases, {}) |",
                first.seconds,
                first.cases,
                mib(first.bytes_received),
                mib(first.documents_bytes),
                first.bytes_received as f64 / first.documents_bytes as f64,
                first.search_hits,
                step.seconds * 1000.0,
                step.received,
                mib(step.bytes_received),
            ));
            if index == 0 && options.devices > 0 {
                eprintln!(
                    "== {name}, {size} cases: {} devices at once",
                    options.devices
                );
                let crowd = crowd(&seeded, options.devices, step.cursor);
                crowd_rows.push(format!(
                    "| {name} | {} | {:.0} ms | {:.0} ms | {:.0} ms | {} | {:.0} MiB (peak {:.0} MiB) | {:.2} ms |",
                    crowd.devices,
                    crowd.p50_ms,
                    crowd.p99_ms,
                    crowd.max_ms,
                    crowd.errors,
                    crowd.rss_mib,
                    crowd.peak_rss_mib,
                    crowd.server_cpu_ms_per_sync
                ));
            }
            if index == 0 && options.baseline && backend == options.backends[0] {
                eprintln!("== baseline: one round trip per case, {size} cases");
                let documents: Vec<(String, Vec<u8>)> = ids
                    .iter()
                    .map(|id| (id.clone(), device.export_automerge(id).unwrap()))
                    .collect();
                let base = baseline(documents.clone());
                let samod_runs: Vec<Samod> = [1_000, 2_000, documents.len()]
                    .into_iter()
                    .filter(|&n| n <= documents.len())
                    .map(|n| {
                        eprintln!("== samod 0.16: every case at once, {n} cases");
                        samod_first_sync(&documents[..n])
                    })
                    .collect();
                baseline_rows.push(format!(
                    "| {size} | Doorstep batched sync | {:.2} s | {} | {} requests |",
                    first.seconds,
                    mib(first.bytes_received + first.bytes_sent),
                    first.requests
                ));
                baseline_rows.push(format!(
                    "| {size} | automerge sync, one case per round trip | {:.2} s | {} | {} requests |",
                    base.seconds,
                    mib(base.bytes),
                    base.round_trips
                ));
                baseline_rows.push(format!(
                    "| {size} | ratio (baseline ÷ Doorstep) | {:.1}× time | {:.2}× bytes | |",
                    base.seconds / first.seconds,
                    base.bytes as f64 / (first.bytes_received + first.bytes_sent) as f64
                ));
                let doorstep_per_case = first.seconds / first.cases.max(1) as f64;
                for samod in samod_runs {
                    let finished = samod.fetched == samod.cases;
                    baseline_rows.push(format!(
                        "| {} | samod 0.16, one TCP connection, in memory | {} | {} | one connection |",
                        samod.cases,
                        if finished {
                            format!("{:.2} s", samod.seconds)
                        } else {
                            format!(
                                "{} of {} cases in {:.0} s, then stopped",
                                samod.fetched, samod.cases, samod.seconds
                            )
                        },
                        mib(samod.bytes),
                    ));
                    if finished {
                        baseline_rows.push(format!(
                            "| {} | ratio per case (samod ÷ Doorstep at {size}) | {:.1}× time | {:.2}× bytes | |",
                            samod.cases,
                            samod.seconds / samod.cases as f64 / doorstep_per_case,
                            samod.bytes as f64 / samod.cases as f64
                                / ((first.bytes_received + first.bytes_sent) as f64
                                    / first.cases.max(1) as f64)
                        ));
                    }
                }
            }
        }
    }
    println!(
        "\n| backend | cases | first sync | stored | on the wire | compressed documents | wire ÷ documents | search \"damp\" hits | incremental: 100 changed |"
    );
    println!("|---|---|---|---|---|---|---|---|---|");
    for row in rows {
        println!("{row}");
    }
    if !crowd_rows.is_empty() {
        println!(
            "\n| backend | devices at once | p50 | p99 | slowest | errors | server RSS after | server CPU per sync |"
        );
        println!("|---|---|---|---|---|---|---|---|");
        for row in crowd_rows {
            println!("{row}");
        }
    }
    if !baseline_rows.is_empty() {
        println!("\n| cases | how | time | bytes | requests |");
        println!("|---|---|---|---|---|");
        for row in baseline_rows {
            println!("{row}");
        }
    }
}
