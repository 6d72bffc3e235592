//! The offline-unlock PIN's record: its hash and the failed attempts. The
//! hashing and the attempt limit are the client's; this only keeps them.

use doorstep_core::dates::Timestamp;
use rusqlite::{OptionalExtension, params};

use crate::error::{StoreError, db};
use crate::store::DeviceStore;

/// The PIN as stored: a PHC hash string and the failed attempts since the last success.
#[derive(Clone, PartialEq, Eq)]
pub struct StoredPin {
    pub hash: String,
    pub failed_attempts: u32,
}

impl std::fmt::Debug for StoredPin {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("StoredPin")
            .field("hash", &"<redacted>")
            .field("failed_attempts", &self.failed_attempts)
            .finish()
    }
}

impl DeviceStore {
    pub fn unlock_pin(&self) -> Result<Option<StoredPin>, StoreError> {
        self.conn
            .query_row(
                "SELECT pin_hash, failed_attempts FROM device_unlock WHERE id = 1",
                [],
                |row| {
                    Ok(StoredPin {
                        hash: row.get(0)?,
                        failed_attempts: row.get(1)?,
                    })
                },
            )
            .optional()
            .map_err(db("reading the unlock PIN"))
    }

    /// Replaces the PIN; the count of failed attempts starts again.
    pub fn set_unlock_pin(&mut self, hash: &str, at: Timestamp) -> Result<(), StoreError> {
        self.conn
            .execute(
                "INSERT INTO device_unlock (id, pin_hash, failed_attempts, set_at)
                 VALUES (1, ?1, 0, ?2)
                 ON CONFLICT (id) DO UPDATE
                 SET pin_hash = excluded.pin_hash, failed_attempts = 0, set_at = excluded.set_at",
                params![hash, at.millis()],
            )
            .map_err(db("saving the unlock PIN"))?;
        Ok(())
    }

    /// Counts one more wrong PIN, durably, and returns the new count, so
    /// restarting the app does not reset the limit.
    pub fn record_failed_unlock(&mut self) -> Result<u32, StoreError> {
        self.conn
            .query_row(
                "UPDATE device_unlock SET failed_attempts = failed_attempts + 1
                 WHERE id = 1 RETURNING failed_attempts",
                [],
                |row| row.get(0),
            )
            .optional()
            .map_err(db("counting a wrong PIN"))
            .map(Option::unwrap_or_default)
    }

    pub fn record_successful_unlock(&mut self) -> Result<(), StoreError> {
        self.conn
            .execute(
                "UPDATE device_unlock SET failed_attempts = 0 WHERE id = 1",
                [],
            )
            .map_err(db("recording the unlock"))?;
        Ok(())
    }

    /// Forgets the PIN: the next unlock needs a full sign-in.
    pub fn forget_unlock_pin(&mut self) -> Result<(), StoreError> {
        self.conn
            .execute("DELETE FROM device_unlock", [])
            .map_err(db("forgetting the unlock PIN"))?;
        Ok(())
    }
}
