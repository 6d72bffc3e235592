//! Moving files between the device and the server, after the case text.
//!
//! Uploads are queued per (file, case) when a file is attached here, and
//! cleared when the server says it holds the whole file for that case.
//! Downloads are wanted when a case arriving from the server refers to a file
//! this device lacks; each arrives in pieces kept in the encrypted database,
//! so a broken connection resumes where it stopped, and the whole file is
//! checked against its address before anyone can open it.

use rusqlite::{OptionalExtension, params};
use serde::Serialize;

use doorstep_core::dates::Timestamp;

use crate::attachments::{self, attachment_address};
use crate::error::{StoreError, db};
use crate::store::DeviceStore;

/// A file waiting to be sent for one case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PendingUpload {
    pub sha256: String,
    pub case_id: String,
    pub size: u64,
}

/// A file a case here refers to that is not on this device yet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct WantedFile {
    pub sha256: String,
    pub size: u64,
    pub media_type: String,
    /// Bytes of it already here from an interrupted download.
    pub received: u64,
}

impl DeviceStore {
    /// Queues a file attached here for upload with its case.
    pub fn queue_upload(
        &mut self,
        sha256: &str,
        case_id: &str,
        at: Timestamp,
    ) -> Result<(), StoreError> {
        self.conn
            .execute(
                "INSERT OR IGNORE INTO attachment_uploads (sha256, case_id, queued_at)
                 VALUES (?1, ?2, ?3)",
                params![sha256, case_id, at.millis()],
            )
            .map_err(db("queueing the file for upload"))?;
        Ok(())
    }

    /// Files waiting to be sent, oldest first, for cases still on this device.
    pub fn pending_uploads(&self) -> Result<Vec<PendingUpload>, StoreError> {
        let mut statement = self
            .conn
            .prepare(
                "SELECT u.sha256, u.case_id, a.size FROM attachment_uploads u
                 JOIN attachments a ON a.sha256 = u.sha256
                 JOIN case_documents c ON c.case_id = u.case_id
                 ORDER BY u.queued_at, u.sha256",
            )
            .map_err(db("reading the files to send"))?;
        let rows = statement
            .query_map([], |row| {
                Ok(PendingUpload {
                    sha256: row.get(0)?,
                    case_id: row.get(1)?,
                    size: row.get::<_, i64>(2)?.try_into().unwrap_or(0),
                })
            })
            .map_err(db("reading the files to send"))?;
        rows.collect::<Result<Vec<_>, _>>()
            .map_err(db("reading the files to send"))
    }

    /// How many files wait to be sent.
    pub fn pending_upload_count(&self) -> Result<usize, StoreError> {
        let count: i64 = self
            .conn
            .query_row("SELECT count(*) FROM attachment_uploads", [], |row| {
                row.get(0)
            })
            .map_err(db("counting the files to send"))?;
        Ok(usize::try_from(count).unwrap_or(0))
    }

    /// The server holds the whole file for this case.
    pub fn upload_finished(&mut self, sha256: &str, case_id: &str) -> Result<(), StoreError> {
        self.conn
            .execute(
                "DELETE FROM attachment_uploads WHERE sha256 = ?1 AND case_id = ?2",
                params![sha256, case_id],
            )
            .map_err(db("recording the upload"))?;
        Ok(())
    }

    /// Files wanted here, smallest first (so many photos arrive before one
    /// large scan), with what has arrived of each.
    pub fn wanted_files(&self) -> Result<Vec<WantedFile>, StoreError> {
        let mut statement = self
            .conn
            .prepare(
                "SELECT w.sha256, w.size, w.media_type,
                        coalesce((SELECT sum(length(bytes)) FROM attachment_download_pieces p
                                  WHERE p.sha256 = w.sha256), 0)
                 FROM attachment_wanted w
                 WHERE NOT EXISTS (SELECT 1 FROM attachments a WHERE a.sha256 = w.sha256)
                 ORDER BY w.size, w.sha256",
            )
            .map_err(db("reading the files to fetch"))?;
        let rows = statement
            .query_map([], |row| {
                Ok(WantedFile {
                    sha256: row.get(0)?,
                    size: row.get::<_, i64>(1)?.try_into().unwrap_or(0),
                    media_type: row.get(2)?,
                    received: row.get::<_, i64>(3)?.try_into().unwrap_or(0),
                })
            })
            .map_err(db("reading the files to fetch"))?;
        rows.collect::<Result<Vec<_>, _>>()
            .map_err(db("reading the files to fetch"))
    }

    /// Bytes of files held on this device (for its storage budget).
    pub fn attachment_bytes_held(&self) -> Result<u64, StoreError> {
        let held: i64 = self
            .conn
            .query_row(
                "SELECT coalesce(sum(size), 0) FROM attachments",
                [],
                |row| row.get(0),
            )
            .map_err(db("measuring the files on this device"))?;
        Ok(u64::try_from(held).unwrap_or(0))
    }

    /// Keeps one downloaded piece. Pieces must arrive in order.
    pub fn keep_download_piece(
        &mut self,
        sha256: &str,
        offset: u64,
        bytes: &[u8],
    ) -> Result<(), StoreError> {
        self.conn
            .execute(
                "INSERT OR REPLACE INTO attachment_download_pieces (sha256, offset_bytes, bytes)
                 VALUES (?1, ?2, ?3)",
                params![sha256, i64::try_from(offset).unwrap_or(i64::MAX), bytes],
            )
            .map_err(db("saving part of a file"))?;
        Ok(())
    }

    /// Puts a fully downloaded file together and stores it, if its bytes
    /// match its address. Otherwise the pieces are discarded, to be fetched
    /// again, and [`StoreError::AttachmentDamaged`] says so.
    pub fn finish_download(&mut self, sha256: &str, media_type: &str) -> Result<(), StoreError> {
        let mut bytes = Vec::new();
        {
            let mut statement = self
                .conn
                .prepare(
                    "SELECT bytes FROM attachment_download_pieces WHERE sha256 = ?1
                     ORDER BY offset_bytes",
                )
                .map_err(db("putting the file together"))?;
            let mut rows = statement
                .query([sha256])
                .map_err(db("putting the file together"))?;
            while let Some(row) = rows.next().map_err(db("putting the file together"))? {
                let piece = row
                    .get_ref(0)
                    .and_then(|value| value.as_blob().map_err(Into::into))
                    .map_err(db("putting the file together"))?;
                bytes.extend_from_slice(piece);
            }
        }
        let matches = attachment_address(&bytes) == sha256;
        if matches {
            attachments::put(&mut self.conn, &bytes, media_type)?;
        }
        self.conn
            .execute(
                "DELETE FROM attachment_download_pieces WHERE sha256 = ?1",
                [sha256],
            )
            .map_err(db("putting the file together"))?;
        if !matches {
            return Err(StoreError::AttachmentDamaged {
                sha256: sha256.to_owned(),
                detail: "the downloaded bytes do not match the file's address".into(),
            });
        }
        self.conn
            .execute("DELETE FROM attachment_wanted WHERE sha256 = ?1", [sha256])
            .map_err(db("putting the file together"))?;
        Ok(())
    }

    /// Whether the file's bytes are on this device.
    pub fn has_attachment(&self, sha256: &str) -> Result<bool, StoreError> {
        self.conn
            .query_row(
                "SELECT 1 FROM attachments WHERE sha256 = ?1",
                [sha256],
                |_| Ok(()),
            )
            .optional()
            .map(|found| found.is_some())
            .map_err(db("looking up the file"))
    }
}

/// Notes the files a case refers to that this device does not hold.
pub(crate) fn want_missing_files(
    tx: &rusqlite::Connection,
    files: &[(String, u64, String)],
    at: i64,
) -> Result<(), StoreError> {
    for (sha256, size, media_type) in files {
        if sha256.len() != 64 {
            continue;
        }
        tx.prepare_cached(
            "INSERT OR IGNORE INTO attachment_wanted (sha256, size, media_type, wanted_at)
             SELECT ?1, ?2, ?3, ?4
             WHERE NOT EXISTS (SELECT 1 FROM attachments WHERE sha256 = ?1)",
        )
        .and_then(|mut insert| {
            insert.execute(params![
                sha256,
                i64::try_from(*size).unwrap_or(i64::MAX),
                media_type,
                at
            ])
        })
        .map_err(db("noting the files to fetch"))?;
    }
    Ok(())
}
