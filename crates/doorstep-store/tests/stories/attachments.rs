//! Photos and documents: chunked, content-addressed, checked on every read.

use doorstep_store::{
    ATTACHMENT_CHUNK_BYTES, MAXIMUM_ATTACHMENT_BYTES, StoreError, attachment_address,
};
use sha2::{Digest, Sha256};

use crate::common::*;

fn photo(length: usize, seed: u64) -> Vec<u8> {
    let mut rng = fastrand::Rng::with_seed(seed);
    (0..length).map(|_| rng.u8(..)).collect()
}

#[test]
fn attachments_round_trip_in_chunks_and_identical_files_are_stored_once() {
    let (_temp, data_dir) = fresh_data_dir();
    let mut store = open(&data_dir);
    let bytes = photo(600 * 1024, 1);
    let sha256 = store.put_attachment(&bytes, "image/jpeg").unwrap();
    assert_eq!(sha256, hex::encode(Sha256::digest(&bytes)));
    assert_eq!(sha256, attachment_address(&bytes));

    let info = store.attachment_info(&sha256).unwrap();
    assert_eq!(info.size, 600 * 1024);
    assert_eq!(info.media_type, "image/jpeg");
    assert_eq!(info.chunk_count, 3);
    let conn = raw_connection(&data_dir);
    let sizes: Vec<i64> = conn
        .prepare("SELECT length(bytes) FROM attachment_chunks WHERE sha256 = ?1 ORDER BY idx")
        .unwrap()
        .query_map([&sha256], |row| row.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let chunk = ATTACHMENT_CHUNK_BYTES as i64;
    assert_eq!(sizes, [chunk, chunk, 600 * 1024 - 2 * chunk]);

    assert_eq!(store.attachment(&sha256).unwrap(), bytes);
    store.close().unwrap();
    let mut store = open(&data_dir);
    assert_eq!(
        store.attachment(&sha256).unwrap(),
        bytes,
        "and after a restart"
    );

    assert_eq!(store.put_attachment(&bytes, "image/jpeg").unwrap(), sha256);
    assert_eq!(count(&conn, "SELECT count(*) FROM attachments"), 1);
    assert_eq!(count(&conn, "SELECT count(*) FROM attachment_chunks"), 3);

    for (length, chunks) in [
        (1, 1),
        (ATTACHMENT_CHUNK_BYTES, 1),
        (ATTACHMENT_CHUNK_BYTES + 1, 2),
    ] {
        let bytes = photo(length, length as u64 + 7);
        let sha256 = store.put_attachment(&bytes, "application/pdf").unwrap();
        assert_eq!(
            store.attachment_info(&sha256).unwrap().chunk_count,
            chunks,
            "{length} bytes"
        );
        assert_eq!(store.attachment(&sha256).unwrap(), bytes);
    }
}

#[test]
fn an_attachment_over_the_limit_is_refused_and_nothing_is_stored() {
    let (_temp, data_dir) = fresh_data_dir();
    let mut store = open(&data_dir);
    let too_big = vec![7u8; MAXIMUM_ATTACHMENT_BYTES + 1];
    let error = store.put_attachment(&too_big, "video/mp4").unwrap_err();
    assert!(
        matches!(error, StoreError::AttachmentTooLarge { .. }),
        "{error:?}"
    );
    let message = error.to_string();
    assert!(
        message.contains(&format!("{} bytes", MAXIMUM_ATTACHMENT_BYTES + 1)),
        "{message}"
    );
    assert!(message.contains("50 MiB"), "{message}");
    assert!(message.contains("Make it smaller"), "{message}");
    assert_eq!(
        count(
            &raw_connection(&data_dir),
            "SELECT count(*) FROM attachments"
        ),
        0
    );
}

#[test]
fn empty_files_bad_media_types_and_unknown_addresses_are_refused_clearly() {
    let (_temp, data_dir) = fresh_data_dir();
    let mut store = open(&data_dir);
    assert!(matches!(
        store.put_attachment(b"", "image/png"),
        Err(StoreError::EmptyAttachment)
    ));
    let error = store.put_attachment(b"hello", "a photo").unwrap_err();
    assert!(matches!(error, StoreError::InvalidMediaType(_)));
    assert!(error.to_string().contains("image/jpeg"));
    let unknown = attachment_address(b"never stored");
    assert!(matches!(
        store.attachment(&unknown),
        Err(StoreError::AttachmentNotFound(_))
    ));
    assert!(matches!(
        store.attachment("not-a-hash"),
        Err(StoreError::AttachmentNotFound(_))
    ));
}

#[test]
fn a_damaged_attachment_is_never_handed_out() {
    let (_temp, data_dir) = fresh_data_dir();
    let mut store = open(&data_dir);
    let bytes = photo(300 * 1024, 3);
    let sha256 = store.put_attachment(&bytes, "image/jpeg").unwrap();
    let conn = raw_connection(&data_dir);

    // One flipped byte inside the second piece.
    let mut piece: Vec<u8> = conn
        .query_row(
            "SELECT bytes FROM attachment_chunks WHERE sha256 = ?1 AND idx = 1",
            [&sha256],
            |r| r.get(0),
        )
        .unwrap();
    piece[10] ^= 0xff;
    conn.execute(
        "UPDATE attachment_chunks SET bytes = ?2 WHERE sha256 = ?1 AND idx = 1",
        rusqlite::params![sha256, piece],
    )
    .unwrap();
    let error = store.attachment(&sha256).unwrap_err();
    assert!(
        matches!(error, StoreError::AttachmentDamaged { .. }),
        "{error:?}"
    );
    assert!(
        error.to_string().contains("do not match its fingerprint"),
        "{error}"
    );

    // A missing piece.
    conn.execute(
        "DELETE FROM attachment_chunks WHERE sha256 = ?1 AND idx = 0",
        [&sha256],
    )
    .unwrap();
    let error = store.attachment(&sha256).unwrap_err();
    assert!(error.to_string().contains("piece 0 is missing"), "{error}");
}
