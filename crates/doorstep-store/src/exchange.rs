//! What the sync engine asks of the store: who is signed in, what to send,
//! and applying the server's answer in one transaction.
//!
//! The rules that keep work safe live here, next to the data:
//! - a change leaves the outbox only when the server acknowledged heads that
//!   contain it;
//! - changes from the server are merged into the case, never written over it;
//! - a case's sync badge follows from its outbox and the server's answer;
//! - a case leaves the device only when nothing of it is waiting to be sent.

use std::collections::HashSet;
use std::str::FromStr;

use automerge::ChangeHash;
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};
use serde::Serialize;

use doorstep_core::case::{CaseDocument, CaseProjection};
use doorstep_core::dates::Timestamp;

use crate::audit::{self, AuditAction, AuditEvent};
use crate::error::{StoreError, damaged, db};
use crate::store::{
    DeviceStore, NewChanges, StoredDocument, load_document, new_changes, open_stored_document,
    read_stored_document, store_new_changes, tick_clock, write_projection,
};
use crate::sync::{SyncState, heads_from_json, heads_to_json};

/// Who this device is signed in as, on which server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SyncSession {
    pub server_url: String,
    pub user: String,
    pub role: String,
    pub team: Option<String>,
    /// The id the server gave this device at its first sign-in.
    pub device_id: String,
    pub signed_in: bool,
    pub signed_in_at: Timestamp,
}

/// How far this device has read a server's change feed, and how the last sync went.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SyncProgressRecord {
    pub cursor: i64,
    pub last_sync_at: Option<Timestamp>,
    pub last_attempt_at: Option<Timestamp>,
    pub last_error: Option<String>,
}

/// One case's changes, ready to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutgoingChanges {
    pub case_id: String,
    /// Automerge bytes: a whole save, the changes after what the server
    /// acknowledged, or (for a case too large for one message) the first
    /// part of them in causal order.
    pub bytes: Vec<u8>,
    /// True when more of this case's changes wait for the next message.
    pub partial: bool,
}

/// A case as the server sent it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceivedCase {
    pub case_id: String,
    pub cursor: i64,
    pub chunks: Vec<Vec<u8>>,
}

/// A push the server refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefusedPush {
    pub case_id: String,
    pub code: String,
    pub message: String,
}

/// Everything one sync response asks the store to record.
#[derive(Debug, Clone)]
pub struct ServerAnswer {
    pub server_url: String,
    pub user: String,
    pub cursor: i64,
    pub acknowledged: Vec<(String, Vec<ChangeHash>)>,
    pub refused: Vec<RefusedPush>,
    pub received: Vec<ReceivedCase>,
    /// Cases the server asked this device to remove (its user may no longer see them).
    pub removed: Vec<String>,
    pub at: Timestamp,
}

/// What applying a server answer did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AnswerReport {
    pub received: usize,
    pub new_cases: usize,
    pub acknowledged: usize,
    pub refused: usize,
    pub removed: usize,
    /// Cases whose removal waits until their changes are acknowledged.
    pub removal_deferred: usize,
    /// Outbox entries the server's acknowledgements covered.
    pub outbox_cleared: usize,
    /// Downloads that could not be read; they are asked for whole next time.
    pub unreadable: Vec<String>,
}

/// The server refusal code for changes whose earlier changes it lacks.
pub const MISSING_DEPENDENCIES: &str = "missing_dependencies";

/// Runs automerge on bytes from the network so that a panic inside its
/// decoder (seen with automerge 0.12 on malformed input) becomes an error.
fn guarded<T>(work: impl FnOnce() -> Result<T, String>) -> Result<T, String> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(work))
        .unwrap_or_else(|_| Err("the automerge decoder could not read it".to_owned()))
}

impl DeviceStore {
    // ----- session ---------------------------------------------------------

    pub fn sync_session(&self) -> Result<Option<SyncSession>, StoreError> {
        self.conn
            .query_row(
                "SELECT server_url, user, role, team, device_id, signed_in, signed_in_at
                 FROM sync_session WHERE id = 1",
                [],
                |row| {
                    Ok(SyncSession {
                        server_url: row.get(0)?,
                        user: row.get(1)?,
                        role: row.get(2)?,
                        team: row.get(3)?,
                        device_id: row.get(4)?,
                        signed_in: row.get::<_, i64>(5)? == 1,
                        signed_in_at: Timestamp(row.get(6)?),
                    })
                },
            )
            .optional()
            .map_err(db("reading who is signed in"))
    }

    /// Records a sign-in. When a different person signs in on this device,
    /// the cases the previous person held leave it first (audited), but only
    /// if none of their changes still wait to be sent.
    pub fn record_sign_in(
        &mut self,
        session: &SyncSession,
        event: &AuditEvent,
    ) -> Result<(), StoreError> {
        audit::check_event(event)?;
        let node = &self.node;
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(db("recording the sign-in"))?;
        let previous: Option<(String, String)> = tx
            .query_row(
                "SELECT user, server_url FROM sync_session WHERE id = 1",
                [],
                |row| Ok((row.get(0)?, row.get(1)?)),
            )
            .optional()
            .map_err(db("recording the sign-in"))?;
        let someone_else = previous.as_ref().is_some_and(|(user, server)| {
            !user.eq_ignore_ascii_case(&session.user) || *server != session.server_url
        });
        let held: i64 = tx
            .query_row("SELECT count(*) FROM case_documents", [], |row| row.get(0))
            .map_err(db("recording the sign-in"))?;
        if someone_else && held > 0 {
            let files: i64 = tx
                .query_row("SELECT count(*) FROM attachment_uploads", [], |row| {
                    row.get(0)
                })
                .map_err(db("recording the sign-in"))?;
            let waiting = outbox_count(&tx)? + files;
            if waiting > 0 {
                let (user, _) = previous.unwrap_or_default();
                return Err(StoreError::OtherPersonsChangesWaiting { user, waiting });
            }
            tx.execute("DELETE FROM case_documents", [])
                .map_err(db("clearing the previous person's cases"))?;
            for table in [
                "sync_refetch",
                "sync_removals",
                "attachment_uploads",
                "attachment_wanted",
                "attachment_download_pieces",
                "attachments",
            ] {
                tx.execute(&format!("DELETE FROM {table}"), [])
                    .map_err(db("clearing the previous person's cases"))?;
            }
        }
        if someone_else {
            tx.execute("DELETE FROM sync_cursor", [])
                .map_err(db("recording the sign-in"))?;
        }
        tx.execute(
            "INSERT INTO sync_session (id, server_url, user, role, team, device_id, signed_in, signed_in_at)
             VALUES (1, ?1, ?2, ?3, ?4, ?5, 1, ?6)
             ON CONFLICT (id) DO UPDATE SET server_url = excluded.server_url, user = excluded.user,
                 role = excluded.role, team = excluded.team, device_id = excluded.device_id,
                 signed_in = 1, signed_in_at = excluded.signed_in_at",
            params![
                session.server_url,
                session.user,
                session.role,
                session.team,
                session.device_id,
                session.signed_in_at.millis()
            ],
        )
        .map_err(db("recording the sign-in"))?;
        let hlc = tick_clock(&tx, node, event.device_time)?;
        let mut event = event.clone();
        if someone_else && held > 0 {
            event.detail = format!(
                "{}; the {held} cases held for the previous person were removed from this device",
                event.detail
            );
        }
        audit::append(&tx, &event, None, &hlc)?;
        tx.commit().map_err(db("recording the sign-in"))
    }

    /// Marks the session ended. The data and the outbox stay.
    pub fn record_sign_out(&mut self, event: &AuditEvent) -> Result<(), StoreError> {
        audit::check_event(event)?;
        let node = &self.node;
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(db("recording the sign-out"))?;
        tx.execute("UPDATE sync_session SET signed_in = 0 WHERE id = 1", [])
            .map_err(db("recording the sign-out"))?;
        let hlc = tick_clock(&tx, node, event.device_time)?;
        audit::append(&tx, event, None, &hlc)?;
        tx.commit().map_err(db("recording the sign-out"))
    }

    // ----- progress ------------------------------------------------------------

    pub fn sync_progress(&self, server_url: &str) -> Result<SyncProgressRecord, StoreError> {
        let row = self
            .conn
            .query_row(
                "SELECT cursor, last_sync_at, last_attempt_at, last_error
                 FROM sync_cursor WHERE server_url = ?1",
                [server_url],
                |row| {
                    Ok(SyncProgressRecord {
                        cursor: row.get(0)?,
                        last_sync_at: row.get::<_, Option<i64>>(1)?.map(Timestamp),
                        last_attempt_at: row.get::<_, Option<i64>>(2)?.map(Timestamp),
                        last_error: row.get(3)?,
                    })
                },
            )
            .optional()
            .map_err(db("reading how far this device has synced"))?;
        Ok(row.unwrap_or(SyncProgressRecord {
            cursor: 0,
            last_sync_at: None,
            last_attempt_at: None,
            last_error: None,
        }))
    }

    /// Records how a sync attempt ended: `error` is `None` when it completed.
    pub fn record_sync_attempt(
        &mut self,
        server_url: &str,
        at: Timestamp,
        error: Option<&str>,
    ) -> Result<(), StoreError> {
        let error = error.map(|text| text.chars().take(500).collect::<String>());
        self.conn
            .execute(
                "INSERT INTO sync_cursor (server_url, cursor, last_sync_at, last_attempt_at, last_error)
                 VALUES (?1, 0, CASE WHEN ?3 IS NULL THEN ?2 END, ?2, ?3)
                 ON CONFLICT (server_url) DO UPDATE SET
                     last_attempt_at = ?2,
                     last_sync_at = CASE WHEN ?3 IS NULL THEN ?2 ELSE last_sync_at END,
                     last_error = ?3",
                params![server_url, at.millis(), error],
            )
            .map_err(db("recording the sync attempt"))?;
        Ok(())
    }

    // ----- outgoing ------------------------------------------------------------

    /// Cases with changes the server has not acknowledged and has not
    /// refused, oldest change first. A refused case is sent again only after
    /// a new edit to it.
    pub fn cases_to_send(&self) -> Result<Vec<String>, StoreError> {
        let mut statement = self
            .conn
            .prepare(
                "SELECT o.case_id FROM outbox o JOIN sync_state s ON s.case_id = o.case_id
                 WHERE s.state <> 'rejected'
                 GROUP BY o.case_id ORDER BY min(o.id)",
            )
            .map_err(db("reading the outbox"))?;
        let rows = statement
            .query_map([], |row| row.get(0))
            .map_err(db("reading the outbox"))?;
        rows.collect::<Result<Vec<String>, _>>()
            .map_err(db("reading the outbox"))
    }

    /// The changes of `case_id` the server lacks, at most `budget` bytes of
    /// them. A case with more is split into parts in causal order, so each
    /// part builds only on parts sent before it.
    pub fn outgoing_changes(
        &self,
        case_id: &str,
        budget: usize,
    ) -> Result<OutgoingChanges, StoreError> {
        let mut case = load_document(&self.conn, &self.actor, case_id)?;
        let acknowledged = self.sync_state(case_id)?.acknowledged_heads;
        let doc = case.automerge_mut();
        // The server's heads may include others' changes not yet received here.
        let known: Vec<ChangeHash> = acknowledged
            .into_iter()
            .filter(|head| doc.get_change_by_hash(head).is_some())
            .collect();
        let whole = if known.is_empty() {
            doc.save()
        } else {
            doc.save_after(&known)
        };
        if whole.len() <= budget {
            return Ok(OutgoingChanges {
                case_id: case_id.to_owned(),
                bytes: whole,
                partial: false,
            });
        }
        let mut bytes = Vec::new();
        let mut partial = false;
        for change in doc.get_changes(&known) {
            let raw = change.raw_bytes();
            if !bytes.is_empty() && bytes.len() + raw.len() > budget {
                partial = true;
                break;
            }
            bytes.extend_from_slice(raw);
        }
        Ok(OutgoingChanges {
            case_id: case_id.to_owned(),
            bytes,
            partial,
        })
    }

    /// Shows the cases being sent as "uploading".
    pub fn mark_uploading(&mut self, case_ids: &[String], at: Timestamp) -> Result<(), StoreError> {
        let tx = self
            .conn
            .transaction()
            .map_err(db("saving the sync state"))?;
        for case_id in case_ids {
            tx.execute(
                "UPDATE sync_state SET state = 'uploading', updated_at = ?2
                 WHERE case_id = ?1 AND state IN ('local_only', 'queued')",
                params![case_id, at.millis()],
            )
            .map_err(db("saving the sync state"))?;
        }
        tx.commit().map_err(db("saving the sync state"))
    }

    /// Cases to ask the server for whole, at most `limit`.
    pub fn cases_to_fetch_whole(&self, limit: usize) -> Result<Vec<String>, StoreError> {
        let mut statement = self
            .conn
            .prepare("SELECT case_id FROM sync_refetch ORDER BY created_at, case_id LIMIT ?1")
            .map_err(db("reading the cases to fetch"))?;
        let rows = statement
            .query_map([i64::try_from(limit).unwrap_or(i64::MAX)], |row| row.get(0))
            .map_err(db("reading the cases to fetch"))?;
        rows.collect::<Result<Vec<String>, _>>()
            .map_err(db("reading the cases to fetch"))
    }

    /// True when the server has acknowledged every change made on this
    /// device: the laptop can be handed in without losing anything.
    pub fn everything_acknowledged(&self) -> Result<bool, StoreError> {
        Ok(outbox_count(&self.conn)? == 0 && self.pending_upload_count()? == 0)
    }

    // ----- the server's answer -------------------------------------------------

    /// Applies one sync response in one transaction: merges the cases
    /// received, records acknowledgements (clearing the outbox entries they
    /// cover) and refusals, removes cases the user may no longer see (once
    /// nothing of theirs waits to be sent), and advances the cursor. If
    /// anything fails, none of it is recorded, and the next sync repeats it.
    pub fn apply_server_answer(
        &mut self,
        answer: &ServerAnswer,
    ) -> Result<AnswerReport, StoreError> {
        let mut report = AnswerReport::default();
        let node = self.node.clone();
        let actor = self.actor.clone();
        let at = answer.at.millis();
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(db("saving what the server sent"))?;
        let mut touched: Vec<String> = Vec::new();

        prepare_cases(&tx, &actor, &answer.received, |index, prepared| {
            let received = &answer.received[index];
            match store_received(&tx, received, prepared, at)? {
                Received::Unchanged => {}
                Received::Merged => {
                    report.received += 1;
                    touched.push(received.case_id.clone());
                }
                Received::New => {
                    report.received += 1;
                    report.new_cases += 1;
                }
                Received::Unreadable(reason) => {
                    tx.execute(
                        "INSERT INTO sync_refetch (case_id, reason, attempts, created_at)
                         VALUES (?1, ?2, 1, ?3)
                         ON CONFLICT (case_id) DO UPDATE SET reason = excluded.reason,
                             attempts = attempts + 1",
                        params![received.case_id, reason, at],
                    )
                    .map_err(db("saving what the server sent"))?;
                    tracing::info!(case_id = %received.case_id, %reason, "a case from the server will be fetched whole");
                    report.unreadable.push(received.case_id.clone());
                }
            }
            Ok(())
        })?;

        for (case_id, heads) in &answer.acknowledged {
            if !exists(&tx, case_id)? {
                continue;
            }
            report.acknowledged += 1;
            report.outbox_cleared += acknowledge(&tx, &actor, case_id, heads, at)?;
            touched.push(case_id.clone());
        }

        let mut refused_now: HashSet<&str> = HashSet::new();
        for refusal in &answer.refused {
            if !exists(&tx, &refusal.case_id)? {
                // A whole-case request for a case this user may not see.
                tx.execute(
                    "DELETE FROM sync_refetch WHERE case_id = ?1",
                    [&refusal.case_id],
                )
                .map_err(db("saving what the server sent"))?;
                continue;
            }
            report.refused += 1;
            if refusal.code == MISSING_DEPENDENCIES {
                // The server lacks changes it once acknowledged (restored
                // from a backup, say): send the whole case next time.
                tx.execute(
                    "UPDATE sync_state SET acknowledged_heads = NULL WHERE case_id = ?1",
                    [&refusal.case_id],
                )
                .map_err(db("saving what the server sent"))?;
                touched.push(refusal.case_id.clone());
                continue;
            }
            refused_now.insert(refusal.case_id.as_str());
            let reason: String = refusal
                .message
                .chars()
                .take(audit::MAXIMUM_AUDIT_DETAIL_CHARACTERS)
                .collect();
            tx.execute(
                "UPDATE sync_state SET state = 'rejected', rejection_reason = ?2, updated_at = ?3
                 WHERE case_id = ?1",
                params![refusal.case_id, reason, at],
            )
            .map_err(db("saving what the server sent"))?;
        }

        touched.sort();
        touched.dedup();
        for case_id in &touched {
            if !refused_now.contains(case_id.as_str()) {
                settle_state(&tx, case_id, at)?;
            }
        }

        // A case received again is visible again: it no longer has to go.
        for received in &answer.received {
            tx.execute(
                "DELETE FROM sync_removals WHERE case_id = ?1",
                [&received.case_id],
            )
            .map_err(db("saving what the server sent"))?;
        }
        for case_id in &answer.removed {
            if exists(&tx, case_id)? {
                tx.execute(
                    "INSERT OR IGNORE INTO sync_removals (case_id, created_at) VALUES (?1, ?2)",
                    params![case_id, at],
                )
                .map_err(db("saving what the server sent"))?;
            }
        }
        let leaving: Vec<String> = {
            let mut statement = tx
                .prepare("SELECT case_id FROM sync_removals ORDER BY case_id")
                .map_err(db("reading the cases to remove"))?;
            let rows = statement
                .query_map([], |row| row.get(0))
                .map_err(db("reading the cases to remove"))?;
            rows.collect::<Result<Vec<_>, _>>()
                .map_err(db("reading the cases to remove"))?
        };
        let mut removed_now = Vec::new();
        for case_id in &leaving {
            if outbox_count_for(&tx, case_id)? > 0 {
                // Its changes go up first; it leaves after they are acknowledged.
                report.removal_deferred += 1;
                continue;
            }
            tx.execute("DELETE FROM case_documents WHERE case_id = ?1", [case_id])
                .map_err(db("removing a case from this device"))?;
            tx.execute("DELETE FROM sync_removals WHERE case_id = ?1", [case_id])
                .map_err(db("removing a case from this device"))?;
            report.removed += 1;
            removed_now.push(case_id.clone());
        }

        tx.execute(
            "INSERT INTO sync_cursor (server_url, cursor) VALUES (?1, ?2)
             ON CONFLICT (server_url) DO UPDATE SET cursor = max(cursor, excluded.cursor)",
            params![answer.server_url, answer.cursor.max(0)],
        )
        .map_err(db("saving how far this device has synced"))?;

        for case_id in &removed_now {
            let hlc = tick_clock(&tx, &node, answer.at)?;
            audit::append(
                &tx,
                &AuditEvent {
                    user: answer.user.clone(),
                    action: AuditAction::Removed,
                    case_id: Some(case_id.clone()),
                    detail: "Removed from this device: the server says this person may no longer see the case; every change made here had reached the server".into(),
                    device_time: answer.at,
                },
                Some(case_id),
                &hlc,
            )?;
        }
        if report.received > 0 || report.acknowledged > 0 || report.refused > 0 {
            // One event per round, not per case: a first sync brings thousands.
            let hlc = tick_clock(&tx, &node, answer.at)?;
            audit::append(
                &tx,
                &AuditEvent {
                    user: answer.user.clone(),
                    action: AuditAction::Synced,
                    case_id: None,
                    detail: format!(
                        "Received {} cases ({} new); the server acknowledged {} and refused {}",
                        report.received, report.new_cases, report.acknowledged, report.refused
                    ),
                    device_time: answer.at,
                },
                None,
                &hlc,
            )?;
        }
        tx.commit().map_err(db("saving what the server sent"))?;
        Ok(report)
    }

    /// Removes cases the user may no longer see that have nothing waiting to
    /// be sent, such as closed cases past their keep period. Returns how many left.
    pub fn remove_cases(
        &mut self,
        case_ids: &[String],
        user: &str,
        reason: &str,
        at: Timestamp,
    ) -> Result<usize, StoreError> {
        let node = self.node.clone();
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(db("removing cases from this device"))?;
        let mut removed = 0;
        for case_id in case_ids {
            if !exists(&tx, case_id)? || outbox_count_for(&tx, case_id)? > 0 {
                continue;
            }
            tx.execute("DELETE FROM case_documents WHERE case_id = ?1", [case_id])
                .map_err(db("removing a case from this device"))?;
            let hlc = tick_clock(&tx, &node, at)?;
            audit::append(
                &tx,
                &AuditEvent {
                    user: user.to_owned(),
                    action: AuditAction::Removed,
                    case_id: Some(case_id.clone()),
                    detail: reason.chars().take(500).collect(),
                    device_time: at,
                },
                Some(case_id),
                &hlc,
            )?;
            removed += 1;
        }
        tx.commit().map_err(db("removing cases from this device"))?;
        Ok(removed)
    }

    /// Closed cases last changed before `cutoff`, from the status index, so
    /// the check costs the same however many open cases the device holds.
    pub fn closed_cases_before(&self, cutoff: Timestamp) -> Result<Vec<String>, StoreError> {
        let mut statement = self
            .conn
            .prepare(
                "SELECT case_id FROM case_projection
                 WHERE status = 'closed' AND updated_at < ?1 ORDER BY updated_at",
            )
            .map_err(db("listing closed cases"))?;
        let rows = statement
            .query_map([cutoff.millis()], |row| row.get(0))
            .map_err(db("listing closed cases"))?;
        rows.collect::<Result<Vec<String>, _>>()
            .map_err(db("listing closed cases"))
    }

    /// Every case id on this device.
    pub fn case_ids(&self) -> Result<Vec<String>, StoreError> {
        let mut statement = self
            .conn
            .prepare("SELECT case_id FROM case_documents ORDER BY case_id")
            .map_err(db("listing cases"))?;
        let rows = statement
            .query_map([], |row| row.get(0))
            .map_err(db("listing cases"))?;
        rows.collect::<Result<Vec<String>, _>>()
            .map_err(db("listing cases"))
    }

    /// The cases the server refused, with its reasons.
    pub fn refused_cases(&self) -> Result<Vec<(String, String)>, StoreError> {
        let mut statement = self
            .conn
            .prepare(
                "SELECT case_id, coalesce(rejection_reason, '') FROM sync_state
                 WHERE state = 'rejected' ORDER BY case_id",
            )
            .map_err(db("reading the sync state"))?;
        let rows = statement
            .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))
            .map_err(db("reading the sync state"))?;
        rows.collect::<Result<Vec<_>, _>>()
            .map_err(db("reading the sync state"))
    }
}

enum Received {
    Unchanged,
    Merged,
    New,
    Unreadable(String),
}

pub(crate) fn exists(tx: &Connection, case_id: &str) -> Result<bool, StoreError> {
    tx.prepare_cached("SELECT EXISTS (SELECT 1 FROM case_documents WHERE case_id = ?1)")
        .and_then(|mut statement| statement.query_row([case_id], |row| row.get(0)))
        .map_err(db("looking up the case"))
}

pub(crate) fn outbox_count(conn: &Connection) -> Result<i64, StoreError> {
    conn.query_row("SELECT count(*) FROM outbox", [], |row| row.get(0))
        .map_err(db("counting unsynced changes"))
}

fn outbox_count_for(conn: &Connection, case_id: &str) -> Result<i64, StoreError> {
    conn.query_row(
        "SELECT count(*) FROM outbox WHERE case_id = ?1",
        [case_id],
        |row| row.get(0),
    )
    .map_err(db("counting unsynced changes"))
}

fn sorted(mut heads: Vec<ChangeHash>) -> Vec<ChangeHash> {
    heads.sort();
    heads
}

/// A case from the server, read and merged away from the database, so that
/// many are worked on at once on every core: a first sync brings thousands,
/// and reading automerge documents and building their list rows is most of
/// its work.
enum Prepared {
    /// A case new to this device.
    New {
        bytes: Vec<u8>,
        heads: String,
        projection: CaseProjection,
        files: Vec<(String, u64, String)>,
    },
    /// A case held here, with the server's changes merged in.
    Merged {
        changes: NewChanges,
        heads: String,
        projection: CaseProjection,
        files: Vec<(String, u64, String)>,
    },
    /// A case held here that the server's changes did not change.
    Unchanged,
    /// Why the case cannot be used as sent; it will be fetched whole.
    Unreadable(String),
}

/// A received case with what this device already stores of it.
struct ToPrepare<'a> {
    received: &'a ReceivedCase,
    stored: Option<StoredDocument>,
}

/// Reads a received case into its new stored form. No database work.
fn prepare_case(
    actor: &automerge::ActorId,
    received: &ReceivedCase,
    stored: Option<&StoredDocument>,
) -> Result<Prepared, StoreError> {
    let Some(stored) = stored else {
        return Ok(prepare_new_case(actor, received));
    };
    let mut case = open_stored_document(actor, &received.case_id, stored)?;
    let merged = guarded(|| {
        for chunk in &received.chunks {
            case.apply_bytes(chunk).map_err(|error| error.to_string())?;
        }
        if !case.automerge_mut().get_missing_deps(&[]).is_empty() {
            return Err("earlier changes it builds on are missing".to_owned());
        }
        let heads = sorted(case.heads());
        if heads == stored.heads {
            return Ok(Prepared::Unchanged);
        }
        Ok(Prepared::Merged {
            changes: new_changes(&mut case, &stored.heads, stored.chunks),
            heads: heads_to_json(&heads),
            projection: case.projection(),
            files: case.attachment_files(),
        })
    });
    Ok(merged.unwrap_or_else(Prepared::Unreadable))
}

fn prepare_new_case(actor: &automerge::ActorId, received: &ReceivedCase) -> Prepared {
    let bytes: Vec<u8> = received.chunks.concat();
    let read = guarded(|| {
        let mut case =
            CaseDocument::load(&bytes, actor.clone()).map_err(|error| error.to_string())?;
        if !case.automerge_mut().get_missing_deps(&[]).is_empty() {
            return Err("earlier changes it builds on are missing".to_owned());
        }
        if case.id() != received.case_id {
            return Err(format!("it holds case {} instead", case.id()));
        }
        Ok((
            heads_to_json(&sorted(case.heads())),
            case.projection(),
            case.attachment_files(),
        ))
    });
    match read {
        Ok((heads, projection, files)) => Prepared::New {
            bytes,
            heads,
            projection,
            files,
        },
        Err(reason) => Prepared::Unreadable(reason),
    }
}

/// Prepares every received case that carries changes, on every core, and
/// hands each to `record` (on this thread) with its place in `received`.
fn prepare_cases(
    tx: &Connection,
    actor: &automerge::ActorId,
    received: &[ReceivedCase],
    mut record: impl FnMut(usize, Prepared) -> Result<(), StoreError>,
) -> Result<(), StoreError> {
    let mut work: Vec<(usize, ToPrepare<'_>)> = Vec::new();
    let mut seen: HashSet<&str> = HashSet::new();
    for (index, case) in received.iter().enumerate() {
        // A case sent twice in one answer (the server never does) is
        // merged once; the second copy adds nothing the first did not.
        if case.chunks.is_empty() || !seen.insert(case.case_id.as_str()) {
            continue;
        }
        let stored = match read_stored_document(tx, &case.case_id) {
            Ok(stored) => Some(stored),
            Err(StoreError::CaseNotFound(_)) => None,
            Err(error) => return Err(error),
        };
        work.push((
            index,
            ToPrepare {
                received: case,
                stored,
            },
        ));
    }
    let readers = std::thread::available_parallelism()
        .map_or(1, usize::from)
        .min(work.len().div_ceil(MIN_CASES_PER_READER))
        .max(1);
    // Cases are handed out in turn (reader k takes k, k + readers, ...), and
    // each is recorded as soon as it is ready, so the database writes on
    // this thread overlap the reading on the others.
    std::thread::scope(|scope| {
        let (ready, arrivals) = std::sync::mpsc::sync_channel(MIN_CASES_PER_READER * readers);
        let work = &work;
        let handles: Vec<_> = (0..readers)
            .map(|reader| {
                let ready = ready.clone();
                scope.spawn(move || {
                    for (index, case) in work.iter().skip(reader).step_by(readers) {
                        let prepared = prepare_case(actor, case.received, case.stored.as_ref());
                        let failed = prepared.is_err();
                        // The receiver stops listening when recording fails.
                        if ready.send((*index, prepared)).is_err() || failed {
                            return;
                        }
                    }
                })
            })
            .collect();
        drop(ready);
        let recorded = arrivals.iter().try_fold(0, |recorded, (index, prepared)| {
            record(index, prepared?).map(|()| recorded + 1)
        });
        // Readers still sending see the channel closed and stop.
        drop(arrivals);
        // Every reader is joined, so a panic in one is an error here.
        let joined: Vec<bool> = handles
            .into_iter()
            .map(|handle| handle.join().is_ok())
            .collect();
        let readers_finished = joined.iter().all(|&ok| ok);
        if recorded? < work.len() || !readers_finished {
            // prepare_case catches the decoder's panics, so this is a bug.
            return Err(damaged("a case from the server", "reading it failed"));
        }
        Ok(())
    })
}

/// Fewer cases than this are read on one thread: starting another costs
/// more than it saves.
const MIN_CASES_PER_READER: usize = 16;

/// Records one prepared case.
fn store_received(
    tx: &Connection,
    received: &ReceivedCase,
    prepared: Prepared,
    at: i64,
) -> Result<Received, StoreError> {
    let case_id = received.case_id.as_str();
    let forget_refetch = || {
        tx.prepare_cached("DELETE FROM sync_refetch WHERE case_id = ?1")
            .and_then(|mut delete| delete.execute([case_id]))
            .map_err(db("saving a case from the server"))
    };
    let note_cursor = || {
        tx.prepare_cached(
            "UPDATE sync_state SET server_cursor = max(coalesce(server_cursor, 0), ?2)
             WHERE case_id = ?1",
        )
        .and_then(|mut update| update.execute(params![case_id, received.cursor]))
        .map_err(db("saving a case from the server"))
    };
    match prepared {
        Prepared::Unreadable(reason) => Ok(Received::Unreadable(reason)),
        Prepared::Unchanged => {
            note_cursor()?;
            forget_refetch()?;
            Ok(Received::Unchanged)
        }
        Prepared::Merged {
            changes,
            heads,
            projection,
            files,
        } => {
            note_cursor()?;
            forget_refetch()?;
            store_new_changes(tx, case_id, &changes, &heads, at)?;
            write_projection(tx, &projection)?;
            crate::transfers::want_missing_files(tx, &files, at)?;
            Ok(Received::Merged)
        }
        Prepared::New {
            bytes,
            heads,
            projection,
            files,
        } => {
            crate::transfers::want_missing_files(tx, &files, at)?;
            tx.prepare_cached(
                "INSERT INTO case_documents (case_id, base, base_heads, heads, updated_at)
                 VALUES (?1, ?2, ?3, ?3, ?4)",
            )
            .and_then(|mut insert| insert.execute(params![case_id, bytes, heads, at]))
            .map_err(db("saving a case from the server"))?;
            write_projection(tx, &projection)?;
            let state = if projection.conflict_count == 0 {
                SyncState::Acknowledged
            } else {
                SyncState::Conflict
            };
            tx.prepare_cached(
                "INSERT INTO sync_state (case_id, state, acknowledged_heads, server_cursor, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
            )
            .and_then(|mut insert| {
                insert.execute(params![case_id, state.as_str(), heads, received.cursor, at])
            })
            .map_err(db("saving a case from the server"))?;
            forget_refetch()?;
            Ok(Received::New)
        }
    }
}

/// Records that the server stored `heads` of a case, and clears the outbox
/// entries whose edits those heads contain. Returns how many it cleared.
fn acknowledge(
    tx: &Connection,
    actor: &automerge::ActorId,
    case_id: &str,
    heads: &[ChangeHash],
    at: i64,
) -> Result<usize, StoreError> {
    let mut case = load_document(tx, actor, case_id)?;
    let doc = case.automerge_mut();
    let known: Vec<ChangeHash> = heads
        .iter()
        .copied()
        .filter(|head| doc.get_change_by_hash(head).is_some())
        .collect();
    // Everything here that the acknowledged heads do not contain.
    let not_on_server: HashSet<ChangeHash> = if known.is_empty() {
        doc.get_changes(&[])
            .iter()
            .map(|change| change.hash())
            .collect()
    } else {
        doc.get_changes(&known)
            .iter()
            .map(|change| change.hash())
            .collect()
    };
    let entries: Vec<(i64, String)> = {
        let mut statement = tx
            .prepare("SELECT id, heads FROM outbox WHERE case_id = ?1 ORDER BY id")
            .map_err(db("reading the outbox"))?;
        let rows = statement
            .query_map([case_id], |row| Ok((row.get(0)?, row.get(1)?)))
            .map_err(db("reading the outbox"))?;
        rows.collect::<Result<Vec<_>, _>>()
            .map_err(db("reading the outbox"))?
    };
    let mut cleared = 0;
    for (id, entry_heads) in entries {
        let entry_heads = heads_from_json("the outbox", &entry_heads)?;
        let on_server = !entry_heads.is_empty()
            && entry_heads.iter().all(|head| {
                doc.get_change_by_hash(head).is_some() && !not_on_server.contains(head)
            });
        if on_server {
            tx.execute("DELETE FROM outbox WHERE id = ?1", [id])
                .map_err(db("clearing acknowledged changes"))?;
            cleared += 1;
        }
    }
    tx.execute(
        "UPDATE sync_state SET acknowledged_heads = ?2, updated_at = ?3 WHERE case_id = ?1",
        params![case_id, heads_to_json(&sorted(heads.to_vec())), at],
    )
    .map_err(db("saving the acknowledgement"))?;
    Ok(cleared)
}

/// Sets a case's badge from what is true now: changes waiting (local only or
/// queued), an unresolved conflict, or acknowledged.
fn settle_state(tx: &Connection, case_id: &str, at: i64) -> Result<(), StoreError> {
    let waiting = outbox_count_for(tx, case_id)?;
    let (current, acknowledged, conflicts): (String, Option<String>, i64) = tx
        .query_row(
            "SELECT s.state, s.acknowledged_heads, coalesce(p.conflict_count, 0)
             FROM sync_state s LEFT JOIN case_projection p ON p.case_id = s.case_id
             WHERE s.case_id = ?1",
            [case_id],
            |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
        )
        .map_err(db("reading the sync state"))?;
    // Refused changes stay marked, with the reason, until a new edit or an
    // acknowledgement covers them.
    if current == SyncState::Rejected.as_str() && waiting > 0 {
        return Ok(());
    }
    let never_acknowledged = acknowledged.as_deref().is_none_or(|text| text == "[]");
    let state = if waiting > 0 {
        if never_acknowledged {
            SyncState::LocalOnly
        } else {
            SyncState::Queued
        }
    } else if conflicts > 0 {
        SyncState::Conflict
    } else {
        SyncState::Acknowledged
    };
    tx.execute(
        "UPDATE sync_state SET state = ?2, rejection_reason = NULL, updated_at = ?3
         WHERE case_id = ?1",
        params![case_id, state.as_str(), at],
    )
    .map_err(db("saving the sync state"))?;
    Ok(())
}

/// Parses hex change hashes from the server; a malformed one is refused.
pub fn parse_heads(heads: &[String]) -> Result<Vec<ChangeHash>, StoreError> {
    heads
        .iter()
        .map(|hash| {
            ChangeHash::from_str(hash)
                .map_err(|error| damaged("the server's acknowledgement", error))
        })
        .collect()
}
