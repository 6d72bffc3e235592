//! The outbox (edits not yet acknowledged by the server) and each case's sync badge.

use std::str::FromStr;

use automerge::ChangeHash;
use serde::{Deserialize, Serialize};

use doorstep_core::dates::Timestamp;

use crate::error::{StoreError, damaged};

/// The badge on a case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SyncState {
    /// On this device only: the server has never acknowledged it.
    LocalOnly,
    /// The server has an earlier version; newer edits wait to be sent.
    Queued,
    Uploading,
    /// The server acknowledged the heads this device holds ("synced").
    Acknowledged,
    Conflict,
    Rejected,
}

impl SyncState {
    pub const ALL: [SyncState; 6] = [
        SyncState::LocalOnly,
        SyncState::Queued,
        SyncState::Uploading,
        SyncState::Acknowledged,
        SyncState::Conflict,
        SyncState::Rejected,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            SyncState::LocalOnly => "local_only",
            SyncState::Queued => "queued",
            SyncState::Uploading => "uploading",
            SyncState::Acknowledged => "acknowledged",
            SyncState::Conflict => "conflict",
            SyncState::Rejected => "rejected",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|state| state.as_str() == text)
    }
}

/// A change to a case's sync badge, as the sync engine reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SyncUpdate<'a> {
    Queued,
    Uploading,
    /// The server durably stored the document up to these heads.
    Acknowledged {
        heads: &'a [ChangeHash],
    },
    Conflict,
    /// The server refused the changes; the reason is shown to the caseworker.
    Rejected {
        reason: &'a str,
    },
}

impl SyncUpdate<'_> {
    pub fn state(&self) -> SyncState {
        match self {
            SyncUpdate::Queued => SyncState::Queued,
            SyncUpdate::Uploading => SyncState::Uploading,
            SyncUpdate::Acknowledged { .. } => SyncState::Acknowledged,
            SyncUpdate::Conflict => SyncState::Conflict,
            SyncUpdate::Rejected { .. } => SyncState::Rejected,
        }
    }
}

/// One case's sync badge and what the server last acknowledged.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CaseSyncStatus {
    pub case_id: String,
    pub state: SyncState,
    /// The heads the server last acknowledged; empty if never.
    #[serde(with = "hash_list")]
    pub acknowledged_heads: Vec<ChangeHash>,
    pub rejection_reason: Option<String>,
    pub updated_at: Timestamp,
}

/// What a case's badge in the window shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncBadge {
    pub state: SyncState,
    /// Edits to the case the server has not acknowledged yet.
    pub unsynced_changes: usize,
    /// The server's reason, while it refuses the case's changes.
    pub rejection_reason: Option<String>,
}

/// One edit not yet acknowledged by the server: the outbox shows these.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OutboxEntry {
    pub id: i64,
    pub case_id: String,
    pub description: String,
    pub created_at: Timestamp,
    /// The hybrid logical clock reading of the edit, in its text form.
    pub hlc: String,
    /// The document's heads right after this edit.
    #[serde(with = "hash_list")]
    pub heads: Vec<ChangeHash>,
}

/// Change hashes as stored: a JSON array of hex strings, sorted.
pub(crate) fn heads_to_json(heads: &[ChangeHash]) -> String {
    let mut hex: Vec<String> = heads.iter().map(ToString::to_string).collect();
    hex.sort();
    serde_json::Value::from(hex).to_string()
}

pub(crate) fn heads_from_json(what: &str, text: &str) -> Result<Vec<ChangeHash>, StoreError> {
    let hex: Vec<String> = serde_json::from_str(text).map_err(|error| damaged(what, error))?;
    let mut heads = hex
        .iter()
        .map(|hash| ChangeHash::from_str(hash).map_err(|error| damaged(what, error)))
        .collect::<Result<Vec<_>, _>>()?;
    heads.sort();
    Ok(heads)
}

mod hash_list {
    use std::str::FromStr;

    use automerge::ChangeHash;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(
        heads: &[ChangeHash],
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(heads.iter().map(ToString::to_string))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Vec<ChangeHash>, D::Error> {
        let hex = Vec::<String>::deserialize(deserializer)?;
        hex.iter()
            .map(|hash| ChangeHash::from_str(hash).map_err(serde::de::Error::custom))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn states_have_the_names_the_database_allows() {
        for state in SyncState::ALL {
            assert_eq!(SyncState::parse(state.as_str()), Some(state));
        }
        let migration = include_str!("../../../migrations/device/0001_device_store.sql");
        for state in SyncState::ALL {
            assert!(migration.contains(&format!("'{}'", state.as_str())));
        }
    }

    #[test]
    fn heads_round_trip_through_their_stored_form() {
        let a = ChangeHash([7; 32]);
        let b = ChangeHash([1; 32]);
        let text = heads_to_json(&[a, b]);
        assert_eq!(heads_from_json("test", &text).unwrap(), vec![b, a]);
        assert_eq!(heads_from_json("test", "[]").unwrap(), vec![]);
        assert!(heads_from_json("test", "[\"zz\"]").is_err());
        assert!(heads_from_json("test", "nonsense").is_err());
    }
}
