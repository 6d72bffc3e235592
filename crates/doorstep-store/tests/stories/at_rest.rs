//! Nothing a caseworker records can be read from the disk without the key.

use std::path::{Path, PathBuf};

use doorstep_core::case::SectionKind;
use doorstep_store::{AuditAction, DeviceStore};

use crate::common::*;

const NAMES: [&str; 2] = ["Zebedee Quartermaine", "Philippa Okonkwo-Hart"];
const NHS_NUMBERS: [&str; 2] = ["9434765919", "4010232137"];
const NI_NUMBER: &str = "AB123456C";
const NOTE: &str = "The kitchen ceiling is leaking onto the fuse box";
const NARRATIVE: &str = "Mr Quartermaine disclosed that his carer withholds his medication";
const ATTACHMENT_TEXT: &str = "CONFIDENTIAL SAFEGUARDING REFERRAL FOR ZEBEDEE";

fn write_sensitive_cases(store: &mut DeviceStore) {
    for (index, (name, nhs)) in NAMES.iter().zip(NHS_NUMBERS).enumerate() {
        let id = format!("case-{index}");
        let mut case = create_case(
            store,
            &id,
            "adult_social_care",
            &format!("Support for {name}"),
            0,
        );
        add_person(
            store,
            &mut case,
            "p1",
            &[
                ("name", name),
                ("nhs_number", nhs),
                ("ni_number", NI_NUMBER),
                ("postcode", "SW1A 1AA"),
            ],
            1,
        );
        add_note(store, &mut case, "n1", NOTE, 2);
        case.set_narrative(NARRATIVE, &editor("a.khan", 3)).unwrap();
        case.add_item(
            SectionKind::Risk,
            "r1",
            &[("text", "Do not visit alone"), ("active", "yes")],
            &editor("a.khan", 3),
        )
        .unwrap();
        store
            .commit_edit(
                &mut case,
                "Assessment",
                &event("a.khan", AuditAction::Edited, &id, "Assessment", 3),
            )
            .unwrap();
    }
    let mut document = ATTACHMENT_TEXT.repeat(20).into_bytes();
    document.extend_from_slice(b"\n");
    store.put_attachment(&document, "text/plain").unwrap();
    store
        .record_audit(&event(
            "a.khan",
            AuditAction::Viewed,
            "case-0",
            &format!("Viewed {}", NAMES[0]),
            4,
        ))
        .unwrap();
}

/// Every text that must not be readable, with the key and SQLite's own markers.
fn needles(data_dir: &Path) -> Vec<String> {
    let mut needles: Vec<String> = NAMES.iter().map(|s| s.to_string()).collect();
    needles.extend(NAMES.iter().flat_map(|n| n.split(' ').map(str::to_owned)));
    needles.extend(NHS_NUMBERS.iter().map(|s| s.to_string()));
    needles.extend(
        [
            NI_NUMBER,
            NOTE,
            "fuse box",
            NARRATIVE,
            "withholds his medication",
            ATTACHMENT_TEXT,
            "Do not visit alone",
        ]
        .map(String::from),
    );
    needles.push(key_hex(data_dir));
    needles.push(key_hex(data_dir).to_uppercase());
    // If these were readable, so would be everything else.
    needles.extend(
        [
            "SQLite format 3",
            "CREATE TABLE",
            "case_projection",
            "adult_social_care",
            "a.khan",
        ]
        .map(String::from),
    );
    needles
}

fn encodings(needle: &str) -> Vec<(&'static str, Vec<u8>)> {
    vec![
        ("UTF-8", needle.as_bytes().to_vec()),
        (
            "UTF-16LE",
            needle.encode_utf16().flat_map(u16::to_le_bytes).collect(),
        ),
        (
            "UTF-16BE",
            needle.encode_utf16().flat_map(u16::to_be_bytes).collect(),
        ),
    ]
}

/// Every (file, needle, encoding) found, case-insensitively for ASCII.
fn scan(files: &[PathBuf], needles: &[String]) -> Vec<String> {
    let mut found = Vec::new();
    for file in files {
        let haystack = std::fs::read(file).unwrap().to_ascii_lowercase();
        for needle in needles {
            for (encoding, bytes) in encodings(&needle.to_lowercase()) {
                if haystack
                    .windows(bytes.len())
                    .any(|window| window == bytes.as_slice())
                {
                    found.push(format!("{needle:?} in {encoding} in {}", file.display()));
                }
            }
        }
    }
    found
}

fn every_file(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files.extend(every_file(&path));
        } else {
            files.push(path);
        }
    }
    files.sort();
    files
}

#[test]
fn the_scanner_finds_text_in_every_encoding_it_checks() {
    let temp = tempfile::tempdir().unwrap();
    for (index, (encoding, bytes)) in encodings(NAMES[0]).into_iter().enumerate() {
        let mut content = vec![0xa5u8; 100];
        content.extend(bytes);
        content.extend([0xa5u8; 100]);
        let path = temp.path().join(format!("{index}.bin"));
        std::fs::write(&path, content).unwrap();
        let found = scan(&[path], &[NAMES[0].to_string()]);
        assert_eq!(found.len(), 1, "{encoding}: {found:?}");
        assert!(found[0].contains(encoding));
    }
}

#[test]
fn nothing_readable_is_on_disk_after_a_clean_close() {
    let (_temp, data_dir) = fresh_data_dir();
    let mut store = open(&data_dir);
    write_sensitive_cases(&mut store);
    store.close().unwrap();

    let files = every_file(&data_dir);
    assert!(
        files
            .iter()
            .any(|f| f.ends_with(doorstep_store::DATABASE_FILE_NAME))
    );
    let size: u64 = files
        .iter()
        .map(|f| std::fs::metadata(f).unwrap().len())
        .sum();
    assert!(size > 100_000, "the cases were written ({size} bytes)");
    let found = scan(&files, &needles(&data_dir));
    assert!(found.is_empty(), "readable on disk: {found:#?}");
}

#[test]
fn nothing_readable_is_on_disk_while_the_store_is_open() {
    let (_temp, data_dir) = fresh_data_dir();
    let mut store = open(&data_dir);
    write_sensitive_cases(&mut store);

    let files = every_file(&data_dir);
    let wal = files
        .iter()
        .find(|f| f.to_string_lossy().ends_with("-wal"))
        .expect("a write-ahead log while the store is open");
    assert!(
        std::fs::metadata(wal).unwrap().len() > 0,
        "the recent edits are in the log"
    );
    assert!(files.iter().any(|f| f.to_string_lossy().ends_with("-shm")));
    let found = scan(&files, &needles(&data_dir));
    assert!(found.is_empty(), "readable on disk: {found:#?}");
    // Still a working store.
    assert_eq!(store.case_count().unwrap(), 2);
}

#[test]
fn the_same_cases_in_plain_sqlite_would_be_readable() {
    // The control for the two tests above: the same writes, unencrypted, and
    // the same scan finds them, so an empty scan means encrypted, not missed.
    let (_temp, plain_dir) = fresh_data_dir();
    let mut plain = DeviceStore::open_unencrypted_for_benchmark(&plain_dir).unwrap();
    write_sensitive_cases(&mut plain);
    plain.close().unwrap();
    let files = every_file(&plain_dir);
    for needle in [
        NAMES[0],
        NAMES[1],
        NHS_NUMBERS[0],
        NOTE,
        NARRATIVE,
        ATTACHMENT_TEXT,
    ] {
        let found = scan(&files, &[needle.to_string()]);
        assert!(
            !found.is_empty(),
            "{needle:?} should be readable in plain SQLite"
        );
    }
}
