#![allow(clippy::unwrap_used)] // test helpers may unwrap, like #[test] functions (clippy.toml)
//! Replays the fuzz corpus and every crash the fuzzer ever found, on stable
//! Rust in every test run, and mutates each seed a few hundred ways. Each
//! decoder must answer Ok or a clear error: a panic would drop a request, or
//! worse, a device's changes.

use std::path::{Path, PathBuf};

use doorstep_server::decode;

fn fuzz_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz")
}

/// Runs the decoder a fuzz target drives.
fn decode_as(target: &str, data: &[u8]) {
    match target {
        "sync_request" => drop(decode::sync_request(data)),
        "sign_in_request" => drop(decode::sign_in_request(data)),
        "refresh_request" => drop(decode::refresh_request(data)),
        "config_file" => drop(decode::config_file(data)),
        "pushed_changes" => {
            drop(decode::pushed_changes("FUZZ-1", &[], data));
            drop(decode::pushed_changes(
                "FUZZ-1",
                decode::fuzz_stored_case(),
                data,
            ));
        }
        other => panic!("no decoder for fuzz target {other}"),
    }
}

const TARGETS: &[&str] = &[
    "sync_request",
    "sign_in_request",
    "refresh_request",
    "config_file",
    "pushed_changes",
];

fn files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(|e| e.ok())
                .map(|e| e.path())
                .filter(|p| p.is_file())
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    files
}

#[test]
fn every_target_has_a_corpus_and_every_saved_input_decodes_without_panicking() {
    for target in TARGETS {
        let corpus = files(&fuzz_dir().join("corpus").join(target));
        assert!(!corpus.is_empty(), "fuzz/corpus/{target} has no seeds");
        let regressions = files(&fuzz_dir().join("regressions").join(target));
        for path in corpus.iter().chain(&regressions) {
            decode_as(target, &std::fs::read(path).unwrap());
        }
    }
}

#[test]
fn the_good_seeds_decode_to_something() {
    let seed = |target: &str, name: &str| {
        std::fs::read(fuzz_dir().join("corpus").join(target).join(name)).unwrap()
    };
    assert!(decode::sync_request(&seed("sync_request", "push-and-pull.json")).is_ok());
    assert!(decode::sign_in_request(&seed("sign_in_request", "sign-in.json")).is_ok());
    assert!(decode::refresh_request(&seed("refresh_request", "refresh.json")).is_ok());
    assert!(decode::config_file(&seed("config_file", "server.toml")).is_ok());
    assert!(
        decode::pushed_changes(
            "FUZZ-1",
            &[],
            &seed("pushed_changes", "whole-case.automerge")
        )
        .is_ok()
    );
    assert!(
        decode::pushed_changes(
            "FUZZ-1",
            decode::fuzz_stored_case(),
            &seed("pushed_changes", "one-change.automerge")
        )
        .is_ok()
    );
}

/// A small, deterministic mutator: flips, truncations, duplications and
/// insertions of the seeds, so CI explores beyond them without nightly Rust.
#[test]
fn seeds_mutated_hundreds_of_ways_never_panic_a_decoder() {
    let mut state: u64 = 0x5EED_D002_57E9 ^ 0x1234_5678;
    let mut next = move || {
        state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    };
    let mut runs = 0;
    for target in TARGETS {
        for path in files(&fuzz_dir().join("corpus").join(target)) {
            let seed = std::fs::read(&path).unwrap();
            for _ in 0..200 {
                let mut data = seed.clone();
                for _ in 0..(1 + next() % 4) {
                    let at = if data.is_empty() {
                        0
                    } else {
                        (next() as usize) % data.len()
                    };
                    match next() % 5 {
                        0 if !data.is_empty() => data[at] ^= 1 << (next() % 8),
                        1 => data.truncate(at),
                        2 => data.insert(at, next() as u8),
                        3 if !data.is_empty() => {
                            let end = (at + 1 + (next() as usize) % 16).min(data.len());
                            let copy = data[at..end].to_vec();
                            data.splice(at..at, copy);
                        }
                        _ if !data.is_empty() => data[at] = next() as u8,
                        _ => data.push(next() as u8),
                    }
                }
                decode_as(target, &data);
                runs += 1;
            }
        }
    }
    assert!(runs >= 1000, "only {runs} mutations ran");
}

/// Writes the seed corpus: `cargo test -p doorstep-server --test fuzz_regressions -- --ignored`.
#[test]
#[ignore = "run by hand to regenerate the seed corpus"]
fn write_seed_corpus() {
    let write = |target: &str, name: &str, bytes: &[u8]| {
        let dir = fuzz_dir().join("corpus").join(target);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join(name), bytes).unwrap();
    };
    let stored = decode::fuzz_stored_case();
    let mut case = doorstep_core::case::CaseDocument::load(
        stored,
        automerge::ActorId::from(b"seed".as_slice()),
    )
    .unwrap();
    let heads = case.heads();
    case.add_note(
        "N1",
        "Visited; all well.",
        &doorstep_core::case::Editor::new(
            "seed",
            doorstep_core::dates::Timestamp(1_795_000_060_000),
        ),
    )
    .unwrap();
    let change = case.automerge_mut().save_after(&heads);
    write("pushed_changes", "whole-case.automerge", stored);
    write("pushed_changes", "one-change.automerge", &change);
    use base64::Engine;
    let b64 = base64::engine::general_purpose::STANDARD.encode(&change);
    write(
        "sync_request",
        "push-and-pull.json",
        format!("{{\"protocol\":1,\"since\":42,\"push\":[{{\"case_id\":\"FUZZ-1\",\"changes\":\"{b64}\"}}],\"full\":[\"C-2\"],\"device_time\":\"2026-11-28T10:00:00Z\"}}").as_bytes(),
    );
    write(
        "sync_request",
        "pull-only.json",
        b"{\"protocol\":1,\"since\":0}",
    );
    write(
        "sign_in_request",
        "sign-in.json",
        b"{\"user\":\"amy\",\"password\":\"a long council password\",\"device\":{\"id\":null,\"hostname\":\"laptop-17\",\"os\":\"Debian 12\",\"app_version\":\"0.1.0\"},\"device_time\":\"2026-11-28T09:00:00Z\"}",
    );
    write(
        "refresh_request",
        "refresh.json",
        b"{\"refresh_token\":\"dsr_abc\",\"device_time\":null}",
    );
    write(
        "config_file",
        "server.toml",
        b"listen = \"127.0.0.1:8787\"\ndata_dir = \"/var/lib/doorstep\"\ndatabase_url = \"postgres://doorstep@db/doorstep\"\ntls_cert = \"/etc/doorstep/cert.pem\"\ntls_key = \"/etc/doorstep/key.pem\"\naccess_token_minutes = 15\n",
    );
}
