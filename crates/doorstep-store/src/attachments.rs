//! Photos and documents, inside the encrypted database.
//!
//! An attachment is addressed by the SHA-256 of its plain bytes (so the same
//! photo attached twice is stored once, and the server can dedupe and resume
//! uploads), split into chunks of [`ATTACHMENT_CHUNK_BYTES`], and checked
//! against its hash every time it is read. Because the chunks are rows of the
//! SQLCipher database, they are encrypted with the device key like everything
//! else, and never exist as files in the camera roll or a downloads folder.

use rusqlite::{Connection, OptionalExtension, params};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::error::{StoreError, db};

/// The size of each stored piece, and of each resumable upload later.
pub const ATTACHMENT_CHUNK_BYTES: usize = 256 * 1024;

/// The largest attachment accepted: a long scanned document or a large photo.
/// Anything larger is refused with [`StoreError::AttachmentTooLarge`].
pub const MAXIMUM_ATTACHMENT_BYTES: usize = 50 * 1024 * 1024;

/// What the store knows about an attachment without reading its bytes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StoredAttachment {
    pub sha256: String,
    pub size: u64,
    pub media_type: String,
    pub chunk_count: u32,
}

/// The hex SHA-256 that addresses these bytes.
pub fn attachment_address(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// `type/subtype` with optional parameters, printable ASCII, at most 127 characters.
fn check_media_type(media_type: &str) -> Result<(), StoreError> {
    let essence = media_type.split(';').next().unwrap_or_default().trim();
    let token = |part: &str| {
        !part.is_empty()
            && part
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"!#$&-^_.+".contains(&b))
    };
    let ok = media_type.len() <= 127
        && media_type.bytes().all(|b| (0x20..0x7f).contains(&b))
        && essence
            .split_once('/')
            .is_some_and(|(kind, subtype)| token(kind) && token(subtype));
    if ok {
        Ok(())
    } else {
        Err(StoreError::InvalidMediaType(
            media_type.chars().take(80).collect(),
        ))
    }
}

pub(crate) fn put(
    conn: &mut Connection,
    bytes: &[u8],
    media_type: &str,
) -> Result<String, StoreError> {
    if bytes.is_empty() {
        return Err(StoreError::EmptyAttachment);
    }
    if bytes.len() > MAXIMUM_ATTACHMENT_BYTES {
        return Err(StoreError::AttachmentTooLarge {
            size: bytes.len(),
            limit: MAXIMUM_ATTACHMENT_BYTES,
            limit_mib: MAXIMUM_ATTACHMENT_BYTES / (1024 * 1024),
        });
    }
    check_media_type(media_type)?;
    let sha256 = attachment_address(bytes);
    let fail = || db("saving the attachment");
    let tx = conn
        .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
        .map_err(fail())?;
    let already: Option<i64> = tx
        .query_row(
            "SELECT size FROM attachments WHERE sha256 = ?1",
            [&sha256],
            |row| row.get(0),
        )
        .optional()
        .map_err(fail())?;
    if already.is_some() {
        // Same bytes, same address: stored once. (A damaged copy is found on read.)
        return Ok(sha256);
    }
    let chunks: Vec<&[u8]> = bytes.chunks(ATTACHMENT_CHUNK_BYTES).collect();
    tx.execute(
        "INSERT INTO attachments (sha256, size, media_type, chunk_count) VALUES (?1, ?2, ?3, ?4)",
        params![sha256, bytes.len() as i64, media_type, chunks.len() as i64],
    )
    .map_err(fail())?;
    {
        let mut insert = tx
            .prepare("INSERT INTO attachment_chunks (sha256, idx, bytes) VALUES (?1, ?2, ?3)")
            .map_err(fail())?;
        for (index, chunk) in chunks.iter().enumerate() {
            insert
                .execute(params![sha256, index as i64, chunk])
                .map_err(fail())?;
        }
    }
    tx.commit().map_err(fail())?;
    Ok(sha256)
}

pub(crate) fn info(conn: &Connection, sha256: &str) -> Result<StoredAttachment, StoreError> {
    conn.query_row(
        "SELECT sha256, size, media_type, chunk_count FROM attachments WHERE sha256 = ?1",
        [sha256],
        |row| {
            Ok(StoredAttachment {
                sha256: row.get(0)?,
                size: u64::try_from(row.get::<_, i64>(1)?).unwrap_or(0),
                media_type: row.get(2)?,
                chunk_count: u32::try_from(row.get::<_, i64>(3)?).unwrap_or(0),
            })
        },
    )
    .optional()
    .map_err(db("reading the attachment"))?
    .ok_or_else(|| StoreError::AttachmentNotFound(sha256.chars().take(64).collect()))
}

pub(crate) fn read(conn: &Connection, sha256: &str) -> Result<Vec<u8>, StoreError> {
    let stored = info(conn, sha256)?;
    let damaged = |detail: String| StoreError::AttachmentDamaged {
        sha256: stored.sha256.clone(),
        detail,
    };
    let size = usize::try_from(stored.size).unwrap_or(usize::MAX);
    if size > MAXIMUM_ATTACHMENT_BYTES {
        return Err(damaged(format!("it claims to be {size} bytes")));
    }
    let mut bytes = Vec::with_capacity(size);
    let mut statement = conn
        .prepare("SELECT idx, bytes FROM attachment_chunks WHERE sha256 = ?1 ORDER BY idx")
        .map_err(db("reading the attachment"))?;
    let mut rows = statement
        .query([&stored.sha256])
        .map_err(db("reading the attachment"))?;
    let mut expected = 0i64;
    while let Some(row) = rows.next().map_err(db("reading the attachment"))? {
        let index: i64 = row.get(0).map_err(db("reading the attachment"))?;
        if index != expected {
            return Err(damaged(format!("piece {expected} is missing")));
        }
        let chunk = row
            .get_ref(1)
            .and_then(|value| value.as_blob().map_err(Into::into))
            .map_err(db("reading the attachment"))?;
        if chunk.len() > ATTACHMENT_CHUNK_BYTES || bytes.len() + chunk.len() > size {
            return Err(damaged(format!("piece {index} is too long")));
        }
        bytes.extend_from_slice(chunk);
        expected += 1;
    }
    if expected != i64::from(stored.chunk_count) || bytes.len() != size {
        return Err(damaged(format!(
            "{expected} of {} pieces, {} of {size} bytes",
            stored.chunk_count,
            bytes.len()
        )));
    }
    if attachment_address(&bytes) != stored.sha256 {
        return Err(damaged("its contents do not match its fingerprint".into()));
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn media_types_are_checked_for_shape() {
        for good in [
            "image/jpeg",
            "application/pdf",
            "text/plain; charset=utf-8",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ] {
            assert!(check_media_type(good).is_ok(), "{good}");
        }
        for bad in [
            "",
            "jpeg",
            "image/",
            "/jpeg",
            "image/jpeg\n",
            "ima ge/jpeg",
            "image/jpég",
        ] {
            assert!(check_media_type(bad).is_err(), "{bad:?}");
        }
        assert!(check_media_type(&format!("image/{}", "x".repeat(130))).is_err());
    }

    #[test]
    fn the_address_is_the_sha256_of_the_plain_bytes() {
        assert_eq!(
            attachment_address(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
