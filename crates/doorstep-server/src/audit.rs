//! The server's audit log: append-only and hash-chained. Each event's hash
//! covers the previous event's hash and every field of its own, so altering
//! or deleting any row breaks the chain from that row on, and the stored tip
//! catches a deleted tail.

use serde::Serialize;
use sha2::{Digest, Sha256};

/// Something worth recording, before the chain gives it a place.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditEvent {
    pub device_time: Option<String>,
    pub actor: Option<String>,
    pub device_id: Option<String>,
    pub action: String,
    pub case_id: Option<String>,
    /// A JSON object with what else matters: counts, reasons, names.
    pub detail: String,
}

impl AuditEvent {
    pub fn new(action: impl Into<String>) -> Self {
        Self {
            action: action.into(),
            detail: "{}".into(),
            ..Self::default()
        }
    }

    pub fn by(mut self, actor: impl Into<String>) -> Self {
        self.actor = Some(actor.into());
        self
    }

    pub fn device(mut self, device_id: impl Into<String>, device_time: Option<String>) -> Self {
        self.device_id = Some(device_id.into());
        self.device_time = device_time;
        self
    }

    pub fn case(mut self, case_id: impl Into<String>) -> Self {
        self.case_id = Some(case_id.into());
        self
    }

    pub fn detail(mut self, detail: serde_json::Value) -> Self {
        self.detail = detail.to_string();
        self
    }

    /// Places the event after `prev_hash` at `seq`, stamped with the server's time.
    pub fn chained(self, seq: i64, server_time: String, prev_hash: &str) -> AuditRecord {
        let mut record = AuditRecord {
            seq,
            server_time,
            device_time: self.device_time,
            actor: self.actor,
            device_id: self.device_id,
            action: self.action,
            case_id: self.case_id,
            detail: self.detail,
            prev_hash: prev_hash.to_owned(),
            hash: String::new(),
        };
        record.hash = record.expected_hash();
        record
    }
}

/// One row of the log, as stored and as exported (one JSON object a line).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditRecord {
    pub seq: i64,
    pub server_time: String,
    pub device_time: Option<String>,
    pub actor: Option<String>,
    pub device_id: Option<String>,
    pub action: String,
    pub case_id: Option<String>,
    pub detail: String,
    pub prev_hash: String,
    pub hash: String,
}

impl AuditRecord {
    pub fn expected_hash(&self) -> String {
        let mut hasher = Sha256::new();
        // Length-prefixed fields, so no two different rows hash the same text.
        let mut field = |value: Option<&str>| match value {
            None => hasher.update(b"-"),
            Some(text) => {
                hasher.update(text.len().to_string().as_bytes());
                hasher.update(b":");
                hasher.update(text.as_bytes());
            }
        };
        field(Some(&self.seq.to_string()));
        field(Some(&self.server_time));
        field(self.device_time.as_deref());
        field(self.actor.as_deref());
        field(self.device_id.as_deref());
        field(Some(&self.action));
        field(self.case_id.as_deref());
        field(Some(&self.detail));
        field(Some(&self.prev_hash));
        hex::encode(hasher.finalize())
    }
}

/// What `admin audit verify` found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditVerdict {
    pub events: i64,
    pub intact: bool,
    /// Where the chain first breaks, and how, in words IT can act on.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub problem: Option<String>,
}

/// Walks the chain in order; `tip` is the stored (seq, hash) of the newest event.
pub fn verify_chain(
    records: impl IntoIterator<Item = AuditRecord>,
    tip: (i64, String),
) -> AuditVerdict {
    let mut previous_hash = String::new();
    let mut count = 0;
    let broken = |count, problem: String| AuditVerdict {
        events: count,
        intact: false,
        problem: Some(problem),
    };
    for (expected_seq, record) in (1..).zip(records) {
        if record.seq != expected_seq {
            return broken(
                count,
                format!(
                    "Event {expected_seq} is missing (the next one is {}): rows were deleted.",
                    record.seq
                ),
            );
        }
        if record.prev_hash != previous_hash {
            return broken(
                count,
                format!(
                    "Event {} does not follow event {}: a row before it was altered or removed.",
                    record.seq,
                    record.seq - 1
                ),
            );
        }
        if record.expected_hash() != record.hash {
            return broken(
                count,
                format!("Event {} was altered after it was written.", record.seq),
            );
        }
        previous_hash = record.hash;
        count += 1;
    }
    if tip.0 != count || tip.1 != previous_hash {
        return broken(
            count,
            format!(
                "The log ends at event {count}, but {} events were written: the newest were deleted or altered.",
                tip.0
            ),
        );
    }
    AuditVerdict {
        events: count,
        intact: true,
        problem: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain(n: i64) -> Vec<AuditRecord> {
        let mut previous = String::new();
        (1..=n)
            .map(|seq| {
                let record = AuditEvent::new("signed_in").by("amy").chained(
                    seq,
                    format!("2026-11-28T10:00:0{seq}Z"),
                    &previous,
                );
                previous = record.hash.clone();
                record
            })
            .collect()
    }

    fn tip(records: &[AuditRecord]) -> (i64, String) {
        records
            .last()
            .map(|r| (r.seq, r.hash.clone()))
            .unwrap_or((0, String::new()))
    }

    #[test]
    fn an_untouched_chain_verifies() {
        let records = chain(5);
        let verdict = verify_chain(records.clone(), tip(&records));
        assert!(verdict.intact, "{verdict:?}");
        assert_eq!(verdict.events, 5);
    }

    #[test]
    fn an_altered_row_is_found() {
        let mut records = chain(5);
        let original_tip = tip(&records);
        records[2].actor = Some("mallory".into());
        let verdict = verify_chain(records, original_tip);
        assert!(!verdict.intact);
        assert!(verdict.problem.unwrap().contains("Event 3 was altered"));
    }

    #[test]
    fn a_deleted_row_or_a_deleted_tail_is_found() {
        let mut records = chain(5);
        let original_tip = tip(&records);
        records.remove(1);
        let verdict = verify_chain(records, original_tip.clone());
        assert!(verdict.problem.unwrap().contains("Event 2 is missing"));

        let mut records = chain(5);
        records.truncate(3);
        let verdict = verify_chain(records, original_tip);
        assert!(verdict.problem.unwrap().contains("newest were deleted"));
    }

    #[test]
    fn a_rehashed_row_still_breaks_the_link_to_the_next() {
        let mut records = chain(4);
        let original_tip = tip(&records);
        records[1].detail = "{\"forged\":true}".into();
        records[1].hash = records[1].expected_hash();
        let verdict = verify_chain(records, original_tip);
        assert!(verdict.problem.unwrap().contains("Event 3 does not follow"));
    }
}
