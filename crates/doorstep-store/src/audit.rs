//! The device's tamper-evident audit log.
//!
//! Every event carries device time and a hybrid logical clock reading, and a
//! SHA-256 hash over its own fields and the previous event's hash. Changing,
//! removing or re-ordering any event breaks the chain from that event on, and
//! [`crate::DeviceStore::verify_audit`] names the first broken event.
//!
//! What the chain cannot show on its own: someone holding the database key
//! could rewrite every event after the one they change, or drop the newest
//! events. Anchoring the chain's head on the server at each sync closes that
//! gap (the sync issue).

use rusqlite::{Connection, OptionalExtension, params};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use doorstep_core::dates::Timestamp;
use doorstep_core::hlc::HlcTimestamp;

use crate::error::{StoreError, db};

/// The `prev_hash` of the first event.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Audit details are short descriptions, not documents.
pub const MAXIMUM_AUDIT_DETAIL_CHARACTERS: usize = 2_000;

/// What a person did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AuditAction {
    Created,
    Edited,
    Resolved,
    Viewed,
    Exported,
    Imported,
    Attached,
    SignedIn,
    SignedOut,
    /// Changes exchanged with the server.
    Synced,
    /// A case left this device because its user may no longer see it.
    Removed,
}

impl AuditAction {
    pub const ALL: [AuditAction; 11] = [
        AuditAction::Created,
        AuditAction::Edited,
        AuditAction::Resolved,
        AuditAction::Viewed,
        AuditAction::Exported,
        AuditAction::Imported,
        AuditAction::Attached,
        AuditAction::SignedIn,
        AuditAction::SignedOut,
        AuditAction::Synced,
        AuditAction::Removed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            AuditAction::Created => "created",
            AuditAction::Edited => "edited",
            AuditAction::Resolved => "resolved",
            AuditAction::Viewed => "viewed",
            AuditAction::Exported => "exported",
            AuditAction::Imported => "imported",
            AuditAction::Attached => "attached",
            AuditAction::SignedIn => "signed_in",
            AuditAction::SignedOut => "signed_out",
            AuditAction::Synced => "synced",
            AuditAction::Removed => "removed",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|action| action.as_str() == text)
    }
}

/// One thing a person did, as the caller describes it. The store adds the
/// sequence number, the clock reading and the hashes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEvent {
    pub user: String,
    pub action: AuditAction,
    pub case_id: Option<String>,
    pub detail: String,
    /// When it happened by this device's clock.
    pub device_time: Timestamp,
}

/// One event as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuditRecord {
    pub seq: u64,
    pub device_time: Timestamp,
    /// The hybrid logical clock reading, in its text form (sorts in clock order).
    pub hlc: String,
    pub user: String,
    /// An [`AuditAction`] name; kept as text so that events written by a newer
    /// version still verify.
    pub action: String,
    pub case_id: Option<String>,
    pub detail: String,
    pub prev_hash: String,
    pub hash: String,
}

impl AuditRecord {
    /// SHA-256 over a length-prefixed encoding of every field but `hash`,
    /// so no two different events can encode alike.
    pub fn compute_hash(&self) -> String {
        let mut hasher = Sha256::new();
        hasher.update(b"doorstep-audit-v1\0");
        hasher.update(self.seq.to_be_bytes());
        hasher.update(self.device_time.millis().to_be_bytes());
        let mut text = |value: &str| {
            hasher.update((value.len() as u64).to_be_bytes());
            hasher.update(value.as_bytes());
        };
        text(&self.hlc);
        text(&self.user);
        text(&self.action);
        match &self.case_id {
            Some(case_id) => {
                text("1");
                text(case_id);
            }
            None => text("0"),
        }
        text(&self.detail);
        text(&self.prev_hash);
        hex::encode(hasher.finalize())
    }
}

/// The result of walking the chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuditReport {
    /// How many events the log holds.
    pub events: u64,
    /// The hash of the newest event, to compare with a copy kept elsewhere.
    pub head_hash: Option<String>,
    /// The first event where the chain breaks, if it does.
    pub broken: Option<AuditBreak>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuditBreak {
    pub seq: u64,
    pub reason: String,
}

impl AuditReport {
    pub fn is_intact(&self) -> bool {
        self.broken.is_none()
    }

    /// The sequence number of the first event that does not verify.
    pub fn first_broken_seq(&self) -> Option<u64> {
        self.broken.as_ref().map(|broken| broken.seq)
    }
}

pub(crate) fn check_event(event: &AuditEvent) -> Result<(), StoreError> {
    if event.user.trim().is_empty() {
        return Err(StoreError::InvalidAuditEvent(
            "it does not say who did it; sign in again".into(),
        ));
    }
    let length = event.detail.chars().count();
    if length > MAXIMUM_AUDIT_DETAIL_CHARACTERS {
        return Err(StoreError::InvalidAuditEvent(format!(
            "its description is {length} characters; the limit is {MAXIMUM_AUDIT_DETAIL_CHARACTERS}"
        )));
    }
    Ok(())
}

/// Appends one event inside the caller's transaction; returns its sequence number.
pub(crate) fn append(
    tx: &Connection,
    event: &AuditEvent,
    case_id: Option<&str>,
    hlc: &HlcTimestamp,
) -> Result<u64, StoreError> {
    let last: Option<(i64, String)> = tx
        .query_row(
            "SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1",
            [],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )
        .optional()
        .map_err(db("reading the audit log"))?;
    let (last_seq, prev_hash) = last.unwrap_or((0, GENESIS_HASH.to_owned()));
    let mut record = AuditRecord {
        seq: u64::try_from(last_seq).unwrap_or(0) + 1,
        device_time: event.device_time,
        hlc: hlc.to_string(),
        user: event.user.clone(),
        action: event.action.as_str().to_owned(),
        case_id: case_id.map(str::to_owned),
        detail: event.detail.clone(),
        prev_hash,
        hash: String::new(),
    };
    record.hash = record.compute_hash();
    tx.execute(
        "INSERT INTO audit_log (seq, device_time, hlc, user, action, case_id, detail, prev_hash, hash)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        params![
            record.seq as i64,
            record.device_time.millis(),
            record.hlc,
            record.user,
            record.action,
            record.case_id,
            record.detail,
            record.prev_hash,
            record.hash,
        ],
    )
    .map_err(db("recording the action in the audit log"))?;
    Ok(record.seq)
}

fn read_record(row: &rusqlite::Row<'_>) -> rusqlite::Result<AuditRecord> {
    Ok(AuditRecord {
        seq: u64::try_from(row.get::<_, i64>(0)?).unwrap_or(0),
        device_time: Timestamp(row.get(1)?),
        hlc: row.get(2)?,
        user: row.get(3)?,
        action: row.get(4)?,
        case_id: row.get(5)?,
        detail: row.get(6)?,
        prev_hash: row.get(7)?,
        hash: row.get(8)?,
    })
}

const RECORD_COLUMNS: &str =
    "seq, device_time, hlc, user, action, case_id, detail, prev_hash, hash";

pub(crate) fn records(
    conn: &Connection,
    case_id: Option<&str>,
) -> Result<Vec<AuditRecord>, StoreError> {
    let fail = db("reading the audit log");
    let sql = match case_id {
        Some(_) => {
            format!("SELECT {RECORD_COLUMNS} FROM audit_log WHERE case_id = ?1 ORDER BY seq")
        }
        None => format!("SELECT {RECORD_COLUMNS} FROM audit_log ORDER BY seq"),
    };
    let mut statement = conn.prepare(&sql).map_err(db("reading the audit log"))?;
    let rows = match case_id {
        Some(case_id) => statement.query_map([case_id], read_record),
        None => statement.query_map([], read_record),
    }
    .map_err(db("reading the audit log"))?;
    rows.collect::<Result<Vec<_>, _>>().map_err(fail)
}

/// Events after `after_seq`, oldest first, at most `limit`.
pub(crate) fn records_after(
    conn: &Connection,
    after_seq: u64,
    limit: usize,
) -> Result<Vec<AuditRecord>, StoreError> {
    let fail = db("reading the audit log");
    let mut statement = conn
        .prepare_cached(&format!(
            "SELECT {RECORD_COLUMNS} FROM audit_log WHERE seq > ?1 ORDER BY seq LIMIT ?2"
        ))
        .map_err(db("reading the audit log"))?;
    let rows = statement
        .query_map(
            rusqlite::params![
                i64::try_from(after_seq).unwrap_or(i64::MAX),
                i64::try_from(limit).unwrap_or(i64::MAX)
            ],
            read_record,
        )
        .map_err(db("reading the audit log"))?;
    rows.collect::<Result<Vec<_>, _>>().map_err(fail)
}

/// Walks the whole chain, oldest first, and stops at the first break.
pub(crate) fn verify(conn: &Connection) -> Result<AuditReport, StoreError> {
    let fail = || db("checking the audit log");
    let events: i64 = conn
        .query_row("SELECT count(*) FROM audit_log", [], |row| row.get(0))
        .map_err(fail())?;
    let mut statement = conn
        .prepare(&format!(
            "SELECT {RECORD_COLUMNS} FROM audit_log ORDER BY seq"
        ))
        .map_err(fail())?;
    let mut rows = statement.query([]).map_err(fail())?;
    let mut expected_seq = 1u64;
    let mut prev_hash = GENESIS_HASH.to_owned();
    let mut broken = None;
    while let Some(row) = rows.next().map_err(fail())? {
        let record = read_record(row).map_err(fail())?;
        let problem = if record.seq != expected_seq {
            Some((
                expected_seq,
                format!(
                    "event {expected_seq} is missing: the log goes from event {} to event {}",
                    expected_seq - 1,
                    record.seq
                ),
            ))
        } else if record.prev_hash != prev_hash {
            Some((
                record.seq,
                format!(
                    "event {} does not follow on from event {}: an event was removed, inserted or replaced",
                    record.seq,
                    record.seq - 1
                ),
            ))
        } else if record.compute_hash() != record.hash {
            Some((
                record.seq,
                format!("event {} was changed after it was recorded", record.seq),
            ))
        } else {
            None
        };
        if let Some((seq, reason)) = problem {
            broken = Some(AuditBreak { seq, reason });
            break;
        }
        prev_hash = record.hash;
        expected_seq += 1;
    }
    drop(rows);
    let head_hash = conn
        .query_row(
            "SELECT hash FROM audit_log ORDER BY seq DESC LIMIT 1",
            [],
            |row| row.get(0),
        )
        .optional()
        .map_err(fail())?;
    Ok(AuditReport {
        events: u64::try_from(events).unwrap_or(0),
        head_hash,
        broken,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record() -> AuditRecord {
        AuditRecord {
            seq: 1,
            device_time: Timestamp(1_795_874_709_123),
            hlc: "001795874709123-00000000-abc".into(),
            user: "a.khan".into(),
            action: "viewed".into(),
            case_id: Some("case-1".into()),
            detail: "Viewed the case".into(),
            prev_hash: GENESIS_HASH.into(),
            hash: String::new(),
        }
    }

    #[test]
    fn every_field_is_covered_by_the_hash() {
        let original = record().compute_hash();
        assert_eq!(original.len(), 64);
        let changes: [fn(&mut AuditRecord); 9] = [
            |r| r.seq = 2,
            |r| r.device_time = Timestamp(1),
            |r| r.hlc.push('x'),
            |r| r.user = "b.jones".into(),
            |r| r.action = "exported".into(),
            |r| r.case_id = None,
            |r| r.case_id = Some("case-2".into()),
            |r| r.detail.push('!'),
            |r| r.prev_hash = "1".repeat(64),
        ];
        for change in changes {
            let mut changed = record();
            change(&mut changed);
            assert_ne!(changed.compute_hash(), original);
        }
    }

    #[test]
    fn fields_cannot_be_shifted_into_each_other() {
        let mut a = record();
        a.user = "ab".into();
        a.action = "c".into();
        let mut b = record();
        b.user = "a".into();
        b.action = "bc".into();
        assert_ne!(a.compute_hash(), b.compute_hash());
        let mut none = record();
        none.case_id = None;
        none.detail = "1case-1Viewed the case".into();
        assert_ne!(none.compute_hash(), record().compute_hash());
    }

    #[test]
    fn actions_have_stable_names() {
        for action in AuditAction::ALL {
            assert_eq!(AuditAction::parse(action.as_str()), Some(action));
        }
        assert_eq!(AuditAction::parse("deleted"), None);
    }
}
