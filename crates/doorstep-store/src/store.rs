//! [`DeviceStore`]: one device's encrypted database and every operation on it.

use std::fs;
use std::path::{Path, PathBuf};

use automerge::{ActorId, ChangeHash};
use rusqlite::types::Type;
use rusqlite::{Connection, ErrorCode, OptionalExtension, TransactionBehavior, params};
use sha2::{Digest, Sha256};

use doorstep_core::case::{CaseDocument, CaseError, CaseProjection, CaseStatus};
use doorstep_core::dates::Timestamp;
use doorstep_core::hlc::{HlcTimestamp, HybridClock};

use crate::attachments::{self, StoredAttachment};
use crate::audit::{self, AuditAction, AuditEvent, AuditRecord, AuditReport};
use crate::error::{StoreError, damaged, db};
use crate::migrate::{self, migrate};
use crate::query::{CaseFilter, CaseSort, WorkerCaseload, list_sql};
use crate::secret::DatabaseKey;
use crate::sync::{
    CaseSyncStatus, OutboxEntry, SyncBadge, SyncState, SyncUpdate, heads_from_json, heads_to_json,
};
use crate::vault::{KeyVault, KeyringVault};

/// The database file inside a device's data folder. SQLite keeps `-wal` and
/// `-shm` files beside it while it is open; both hold only encrypted pages or
/// page indexes.
pub const DATABASE_FILE_NAME: &str = "doorstep-device.sqlite3";

/// Once a case has this many saved change chunks, the next edit folds them
/// into one new full save, so loading stays fast.
pub const COMPACT_AFTER_CHUNKS: i64 = 64;

/// Outbox descriptions, like audit details, are short.
pub const MAXIMUM_DESCRIPTION_CHARACTERS: usize = 500;

/// The keyring account that holds the database key of the device whose data
/// folder is `data_dir`: `database-key/` and the first 16 hex digits of the
/// SHA-256 of the folder's canonical path, so each data folder is its own
/// device with its own key. The folder must exist.
pub fn key_account(data_dir: &Path) -> Result<String, StoreError> {
    let canonical = fs::canonicalize(data_dir).map_err(|source| StoreError::DataDir {
        path: data_dir.to_owned(),
        source,
    })?;
    Ok(account_for(&canonical))
}

fn account_for(canonical_dir: &Path) -> String {
    let digest = Sha256::digest(canonical_dir.as_os_str().as_encoded_bytes());
    let hex = hex::encode(digest);
    format!("database-key/{}", &hex[..16])
}

/// One device's local store: a SQLCipher database in the data folder, keyed
/// with a random 256-bit key kept in the OS keyring.
///
/// Calls block (SQLite, automerge); async callers use `spawn_blocking`. Reads
/// take `&self`, writes `&mut self`; wrap the store in a mutex to share it.
/// Several processes (the app and the CLI) may open the same folder: SQLite
/// serialises their writes, and an edit based on a stale copy of a case is
/// refused with [`StoreError::CaseChangedElsewhere`] rather than saved wrongly.
#[derive(Debug)]
pub struct DeviceStore {
    pub(crate) conn: Connection,
    data_dir: PathBuf,
    database_path: PathBuf,
    pub(crate) actor: ActorId,
    /// The actor id in hex: this device's name in hybrid logical clock readings.
    pub(crate) node: String,
}

impl DeviceStore {
    /// Opens the device in `data_dir` with its key from the OS keyring.
    ///
    /// On first use this creates the folder (private to the user), a random
    /// key in `vault`, and the database. If the database already holds data
    /// but the key is missing, nothing is created or changed:
    /// [`StoreError::KeyMissing`]. A key that does not open the database gives
    /// [`StoreError::WrongKey`].
    pub fn open(data_dir: &Path, vault: &dyn KeyVault) -> Result<Self, StoreError> {
        create_data_dir(data_dir)?;
        let dir = fs::canonicalize(data_dir).map_err(|source| StoreError::DataDir {
            path: data_dir.to_owned(),
            source,
        })?;
        let account = account_for(&dir);
        let database_path = dir.join(DATABASE_FILE_NAME);
        // Two processes starting on a new folder at once (the app and the CLI)
        // must not both make a key: the second would replace the first's key
        // in the keyring while the first writes with it. An exclusive lock
        // serialises opening; the OS drops it if the process dies.
        let opening = lock_for_opening(&dir)?;
        let vault_name = vault.name();
        let keyring = |source| StoreError::Keyring {
            vault: vault_name.clone(),
            source,
        };
        let key = match vault.get(&account).map_err(keyring)? {
            Some(text) => {
                DatabaseKey::from_keyring_text(&text).ok_or_else(|| StoreError::MalformedKey {
                    vault: vault_name.clone(),
                    account: account.clone(),
                })?
            }
            None if holds_data(&database_path) => {
                return Err(StoreError::KeyMissing {
                    path: database_path,
                    vault: vault_name,
                });
            }
            None => {
                let key = DatabaseKey::generate()?;
                vault
                    .set(&account, &key.to_keyring_text())
                    .map_err(keyring)?;
                // A keyring that answers Ok but keeps nothing would lose every
                // change made with this key: read it back before using it.
                let kept = vault
                    .get(&account)
                    .map_err(keyring)?
                    .and_then(|text| DatabaseKey::from_keyring_text(&text));
                if !kept.is_some_and(|kept| kept.same_as(&key)) {
                    return Err(StoreError::KeyNotKept { vault: vault_name });
                }
                tracing::info!(%account, "created the database key for a new device");
                key
            }
        };
        let mut conn = open_keyed(&database_path, &key, &vault_name)?;
        drop(key);
        migrate(&mut conn)?;
        drop(opening);
        Self::from_connection(conn, dir, database_path)
    }

    /// [`DeviceStore::open`] with the platform keyring ([`KeyringVault::system`]).
    pub fn open_with_os_keyring(data_dir: &Path) -> Result<Self, StoreError> {
        let vault = KeyringVault::system().map_err(|source| StoreError::Keyring {
            vault: "the system keyring".into(),
            source,
        })?;
        Self::open(data_dir, &vault)
    }

    /// **Benchmarks only**: the same store on plain, unencrypted SQLite, to
    /// measure what encryption costs. It uses its own file name
    /// ([`BENCHMARK_PLAIN_DATABASE_FILE_NAME`]), never touches the keyring,
    /// and refuses a folder that holds a real device database. The app never
    /// calls it.
    #[doc(hidden)]
    pub fn open_unencrypted_for_benchmark(data_dir: &Path) -> Result<Self, StoreError> {
        create_data_dir(data_dir)?;
        let dir = fs::canonicalize(data_dir).map_err(|source| StoreError::DataDir {
            path: data_dir.to_owned(),
            source,
        })?;
        if holds_data(&dir.join(DATABASE_FILE_NAME)) {
            return Err(StoreError::DataDir {
                path: dir,
                source: std::io::Error::other("it holds a real device database"),
            });
        }
        let database_path = dir.join(BENCHMARK_PLAIN_DATABASE_FILE_NAME);
        let mut conn = Connection::open(&database_path).map_err(db("opening the database"))?;
        configure(&conn)?;
        migrate(&mut conn)?;
        Self::from_connection(conn, dir, database_path)
    }

    fn from_connection(
        conn: Connection,
        data_dir: PathBuf,
        database_path: PathBuf,
    ) -> Result<Self, StoreError> {
        let actor_bytes: Vec<u8> = conn
            .query_row("SELECT actor_id FROM device WHERE id = 1", [], |row| {
                row.get(0)
            })
            .map_err(db("reading this device's identity"))?;
        let actor = ActorId::from(actor_bytes);
        let mut store = Self {
            node: actor.to_hex_string(),
            conn,
            data_dir,
            database_path,
            actor,
        };
        // Rows from before a list column existed are filled in from the documents.
        let stale: bool = store
            .conn
            .query_row(
                "SELECT EXISTS (SELECT 1 FROM case_projection WHERE status_changed_at IS NULL)",
                [],
                |row| row.get(0),
            )
            .map_err(db("checking the case list"))?;
        if stale {
            let rebuilt = store.rebuild_projections()?;
            tracing::info!(
                rebuilt,
                "filled in the case list from the documents after an upgrade"
            );
        }
        Ok(store)
    }

    /// Closes the database, folding the write-ahead log back into the file.
    pub fn close(self) -> Result<(), StoreError> {
        self.conn
            .close()
            .map_err(|(_, error)| db("closing the database")(error))
    }

    /// The automerge actor that writes every change made on this device.
    pub fn device_actor(&self) -> ActorId {
        self.actor.clone()
    }

    /// This device's id: its actor id in hex.
    pub fn device_id(&self) -> &str {
        &self.node
    }

    /// The canonical data folder.
    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    pub fn database_path(&self) -> &Path {
        &self.database_path
    }

    /// How many migrations the database has applied.
    pub fn schema_version(&self) -> Result<i64, StoreError> {
        migrate::user_version(&self.conn)
    }

    /// Checks every page's authentication code, SQLite's structure, foreign
    /// keys and the search index. Returns the problems found; empty means healthy.
    pub fn integrity_check(&self) -> Result<Vec<String>, StoreError> {
        let mut problems = Vec::new();
        let lines = |sql: &str| -> Result<Vec<String>, StoreError> {
            let mut statement = self
                .conn
                .prepare(sql)
                .map_err(db("checking the database"))?;
            let rows = statement
                .query_map([], |row| {
                    let value: rusqlite::types::Value = row.get(0)?;
                    Ok(match value {
                        rusqlite::types::Value::Text(text) => text,
                        other => format!("{other:?}"),
                    })
                })
                .map_err(db("checking the database"))?;
            rows.collect::<Result<Vec<_>, _>>()
                .map_err(db("checking the database"))
        };
        problems.extend(lines("PRAGMA cipher_integrity_check")?);
        problems.extend(
            lines("PRAGMA integrity_check")?
                .into_iter()
                .filter(|line| line != "ok"),
        );
        problems.extend(
            lines("PRAGMA foreign_key_check")?
                .into_iter()
                .map(|table| format!("a row in {table} refers to something missing")),
        );
        if let Err(error) = self.conn.execute(
            "INSERT INTO case_search (case_search, rank) VALUES ('integrity-check', 1)",
            [],
        ) {
            problems.push(format!(
                "the search index does not match the cases: {error}"
            ));
        }
        Ok(problems)
    }

    // ----- cases -------------------------------------------------------------

    /// Saves a new case: its document, projection, search entry, an outbox
    /// entry, its sync badge (`local_only` until the server first acknowledges
    /// it) and the audit event, all in one transaction.
    pub fn create_case(
        &mut self,
        case: &mut CaseDocument,
        event: &AuditEvent,
    ) -> Result<(), StoreError> {
        self.create_cases(std::slice::from_mut(case), event)
    }

    /// Saves several new cases in one transaction: all of them, or none (an
    /// import). Each case gets its own outbox entry and audit event (with
    /// `event`'s user, action and detail).
    pub fn create_cases(
        &mut self,
        cases: &mut [CaseDocument],
        event: &AuditEvent,
    ) -> Result<(), StoreError> {
        audit::check_event(event)?;
        for case in cases.iter() {
            check_event_case(event, case.id())?;
        }
        let description = match event.action {
            AuditAction::Imported => "Imported the case",
            _ => "Opened the case",
        };
        let node = &self.node;
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(db("starting to save the case"))?;
        for case in cases.iter_mut() {
            let case_id = case.id().to_owned();
            let exists: bool = tx
                .query_row(
                    "SELECT EXISTS (SELECT 1 FROM case_documents WHERE case_id = ?1)",
                    [&case_id],
                    |row| row.get(0),
                )
                .map_err(db("saving the case"))?;
            if exists {
                return Err(StoreError::CaseExists(case_id));
            }
            let mut heads = case.heads();
            heads.sort();
            let heads = heads_to_json(&heads);
            let base = case.save();
            tx.execute(
                "INSERT INTO case_documents (case_id, base, base_heads, heads, updated_at)
                 VALUES (?1, ?2, ?3, ?3, ?4)",
                params![case_id, base, heads, event.device_time.millis()],
            )
            .map_err(db("saving the case"))?;
            write_projection(&tx, &case.projection())?;
            let hlc = tick_clock(&tx, node, event.device_time)?;
            add_outbox(&tx, &case_id, description, event.device_time, &hlc, &heads)?;
            tx.execute(
                "INSERT INTO sync_state (case_id, state, updated_at) VALUES (?1, 'local_only', ?2)",
                params![case_id, event.device_time.millis()],
            )
            .map_err(db("saving the case"))?;
            audit::append(&tx, event, Some(&case_id), &hlc)?;
        }
        tx.commit().map_err(db("saving the case"))
    }

    /// Makes an edit durable: the document's new changes, the projection, the
    /// search entry, an outbox entry, the sync badge (`queued`, or still
    /// `local_only` if the server has never had the case), the clock and the
    /// audit event, in one transaction. Only when this returns `Ok` is the
    /// edit saved.
    ///
    /// On `Err`, nothing of the edit is on disk, but `case` in memory still
    /// holds it: discard it and [`DeviceStore::load_case`] again, so the screen
    /// shows what is saved, and tell the person the change was not saved. (If
    /// the caller keeps using `case` anyway, nothing is corrupted: the next
    /// successful commit also saves the earlier change, because the store
    /// saves everything after the heads that are on disk, not after the
    /// document's own save marker.)
    ///
    /// A document with no change since it was loaded saves nothing and returns `Ok`.
    pub fn commit_edit(
        &mut self,
        case: &mut CaseDocument,
        description: &str,
        event: &AuditEvent,
    ) -> Result<(), StoreError> {
        audit::check_event(event)?;
        check_event_case(event, case.id())?;
        let description = description.trim();
        if description.is_empty() || description.chars().count() > MAXIMUM_DESCRIPTION_CHARACTERS {
            return Err(StoreError::InvalidAuditEvent(format!(
                "the change needs a description of 1 to {MAXIMUM_DESCRIPTION_CHARACTERS} characters"
            )));
        }
        let case_id = case.id().to_owned();
        let node = &self.node;
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(db("starting to save the change"))?;
        let stored: Option<String> = tx
            .query_row(
                "SELECT heads FROM case_documents WHERE case_id = ?1",
                [&case_id],
                |row| row.get(0),
            )
            .optional()
            .map_err(db("saving the change"))?;
        let stored_heads = match stored {
            Some(text) => heads_from_json(&format!("case {case_id}"), &text)?,
            None => return Err(StoreError::CaseNotFound(case_id)),
        };
        let doc = case.automerge_mut();
        if stored_heads
            .iter()
            .any(|head| doc.get_change_by_hash(head).is_none())
        {
            return Err(StoreError::CaseChangedElsewhere(case_id));
        }
        let mut heads = doc.get_heads();
        heads.sort();
        if heads == stored_heads {
            return Ok(());
        }
        let heads_json = heads_to_json(&heads);
        let at = event.device_time.millis();
        save_new_changes(&tx, case, &stored_heads, &heads_json, at)?;
        write_projection(&tx, &case.projection())?;
        let hlc = tick_clock(&tx, node, event.device_time)?;
        add_outbox(
            &tx,
            &case_id,
            description,
            event.device_time,
            &hlc,
            &heads_json,
        )?;
        tx.execute(
            "UPDATE sync_state
             SET state = CASE state WHEN 'local_only' THEN 'local_only' ELSE 'queued' END,
                 updated_at = ?2
             WHERE case_id = ?1",
            params![case_id, at],
        )
        .map_err(db("saving the change"))?;
        audit::append(&tx, event, Some(&case_id), &hlc)?;
        tx.commit().map_err(db("saving the change"))
    }

    /// The case as saved: its full save plus every change saved since, checked
    /// against the heads recorded with the last commit.
    pub fn load_case(&self, case_id: &str) -> Result<CaseDocument, StoreError> {
        load_document(&self.conn, &self.actor, case_id)
    }

    pub fn has_case(&self, case_id: &str) -> Result<bool, StoreError> {
        crate::exchange::exists(&self.conn, case_id)
    }

    pub fn case_count(&self) -> Result<usize, StoreError> {
        let count: i64 = self
            .conn
            .query_row("SELECT count(*) FROM case_documents", [], |row| row.get(0))
            .map_err(db("counting cases"))?;
        Ok(usize::try_from(count).unwrap_or(0))
    }

    /// My cases: the projection rows that pass `filter`, in its order.
    pub fn list_cases(&self, filter: &CaseFilter) -> Result<Vec<CaseProjection>, StoreError> {
        let (sql, values) = list_sql(filter, PROJECTION_COLUMNS);
        let mut statement = self.conn.prepare(&sql).map_err(db("listing cases"))?;
        let rows = statement
            .query_map(rusqlite::params_from_iter(values), read_projection)
            .map_err(db("listing cases"))?;
        rows.collect::<Result<Vec<_>, _>>()
            .map_err(db("listing cases"))
    }

    /// The list rows of `case_ids`, in the same order, leaving out any case
    /// not on this device: the outbox and refusals name their cases from these
    /// without loading a single document.
    pub fn case_rows(&self, case_ids: &[&str]) -> Result<Vec<CaseProjection>, StoreError> {
        let sql =
            format!("SELECT {PROJECTION_COLUMNS} FROM case_projection p WHERE p.case_id = ?1");
        let mut statement = self
            .conn
            .prepare_cached(&sql)
            .map_err(db("reading case rows"))?;
        let mut rows = Vec::with_capacity(case_ids.len());
        for case_id in case_ids {
            if let Some(row) = statement
                .query_row([case_id], read_projection)
                .optional()
                .map_err(db("reading case rows"))?
            {
                rows.push(row);
            }
        }
        Ok(rows)
    }

    /// How many cases match `filter`, whatever its order, limit and offset:
    /// the height of the window's virtual list and its "N cases".
    pub fn count_cases(&self, filter: &CaseFilter) -> Result<usize, StoreError> {
        let every_match = CaseFilter {
            sort: CaseSort::Updated,
            limit: None,
            offset: 0,
            ..filter.clone()
        };
        let (sql, values) = list_sql(&every_match, "count(*)");
        let count: i64 = self
            .conn
            .prepare_cached(&sql)
            .and_then(|mut statement| {
                statement.query_row(rusqlite::params_from_iter(values), |row| row.get(0))
            })
            .map_err(db("counting cases"))?;
        Ok(usize::try_from(count).unwrap_or(0))
    }

    /// Cases with a visit planned in `[from, to)` and not yet started, or a
    /// visit checked in and not yet out, soonest first. Instants are compared
    /// as the RFC 3339 text every visit field is stored in.
    pub fn cases_with_visits(
        &self,
        from: Timestamp,
        to: Timestamp,
    ) -> Result<Vec<String>, StoreError> {
        let mut statement = self
            .conn
            .prepare_cached(
                "SELECT case_id FROM case_projection
                 WHERE (next_visit_at >= ?1 AND next_visit_at < ?2)
                    OR open_visit_expected_end IS NOT NULL
                 ORDER BY coalesce(open_visit_expected_end, next_visit_at), case_id",
            )
            .map_err(db("finding today's visits"))?;
        let rows = statement
            .query_map(params![from.to_rfc3339(), to.to_rfc3339()], |row| {
                row.get(0)
            })
            .map_err(db("finding today's visits"))?;
        rows.collect::<Result<Vec<_>, _>>()
            .map_err(db("finding today's visits"))
    }

    /// Each worker's caseload among the cases on this device (a team lead's
    /// device holds the whole team's), by assignee, unassigned last. Visits
    /// are overdue when checked in with an expected end before `now` and no
    /// check-out; cases when due before `now`'s date and not closed.
    pub fn caseload(&self, now: Timestamp) -> Result<Vec<WorkerCaseload>, StoreError> {
        let now_text = now.to_rfc3339();
        let today = now_text.get(..10).unwrap_or_default().to_owned();
        let mut statement = self
            .conn
            .prepare_cached(
                "SELECT assigned_to,
                        sum(status <> 'closed'),
                        sum(status = 'in_progress'),
                        sum(status = 'awaiting_review'),
                        sum(open_visit_expected_end IS NOT NULL),
                        sum(open_visit_expected_end IS NOT NULL AND open_visit_expected_end < ?1),
                        sum(status <> 'closed' AND due_date IS NOT NULL AND due_date < ?2),
                        sum(conflict_count > 0),
                        sum(CASE WHEN status <> 'closed' THEN open_task_count ELSE 0 END),
                        sum(CASE WHEN status <> 'closed' THEN
                            (SELECT count(*) FROM json_each(open_task_due_dates) WHERE value < ?2)
                            ELSE 0 END)
                 FROM case_projection
                 GROUP BY assigned_to
                 ORDER BY assigned_to IS NULL, lower(assigned_to)",
            )
            .map_err(db("adding up caseloads"))?;
        let count = |row: &rusqlite::Row<'_>, index: usize| -> rusqlite::Result<usize> {
            Ok(usize::try_from(row.get::<_, i64>(index)?).unwrap_or(0))
        };
        let rows = statement
            .query_map(params![now_text, today], |row| {
                Ok(WorkerCaseload {
                    worker: row.get(0)?,
                    open_cases: count(row, 1)?,
                    in_progress: count(row, 2)?,
                    awaiting_review: count(row, 3)?,
                    visits_under_way: count(row, 4)?,
                    overdue_visits: count(row, 5)?,
                    overdue_cases: count(row, 6)?,
                    cases_with_conflicts: count(row, 7)?,
                    open_tasks: count(row, 8)?,
                    overdue_tasks: count(row, 9)?,
                })
            })
            .map_err(db("adding up caseloads"))?;
        rows.collect::<Result<Vec<_>, _>>()
            .map_err(db("adding up caseloads"))
    }

    /// The sync badge of each case in `case_ids`, in the same order.
    pub fn sync_badges(&self, case_ids: &[&str]) -> Result<Vec<SyncBadge>, StoreError> {
        let mut statement = self
            .conn
            .prepare_cached(
                "SELECT s.state, s.rejection_reason,
                        (SELECT count(*) FROM outbox o WHERE o.case_id = s.case_id)
                 FROM sync_state s WHERE s.case_id = ?1",
            )
            .map_err(db("reading the sync state"))?;
        case_ids
            .iter()
            .map(|case_id| {
                let (state, rejection_reason, waiting): (String, Option<String>, i64) = statement
                    .query_row([case_id], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))
                    .optional()
                    .map_err(db("reading the sync state"))?
                    .ok_or_else(|| StoreError::CaseNotFound((*case_id).to_owned()))?;
                Ok(SyncBadge {
                    state: SyncState::parse(&state).ok_or_else(|| {
                        damaged(format!("the sync state of case {case_id}"), &state)
                    })?,
                    unsynced_changes: usize::try_from(waiting).unwrap_or(0),
                    rejection_reason,
                })
            })
            .collect()
    }

    /// Re-derives every projection row and the whole search index from the
    /// documents, in one transaction. Returns how many cases it rebuilt.
    pub fn rebuild_projections(&mut self) -> Result<usize, StoreError> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(db("rebuilding the case list"))?;
        let ids: Vec<String> = {
            let mut statement = tx
                .prepare("SELECT case_id FROM case_documents ORDER BY case_id")
                .map_err(db("rebuilding the case list"))?;
            let rows = statement
                .query_map([], |row| row.get(0))
                .map_err(db("rebuilding the case list"))?;
            rows.collect::<Result<Vec<_>, _>>()
                .map_err(db("rebuilding the case list"))?
        };
        for case_id in &ids {
            let case = load_document(&tx, &self.actor, case_id)?;
            write_projection(&tx, &case.projection())?;
        }
        tx.execute(
            "DELETE FROM case_projection WHERE case_id NOT IN (SELECT case_id FROM case_documents)",
            [],
        )
        .map_err(db("rebuilding the case list"))?;
        tx.execute(
            "INSERT INTO case_search (case_search) VALUES ('rebuild')",
            [],
        )
        .map_err(db("rebuilding the search index"))?;
        tx.commit().map_err(db("rebuilding the case list"))?;
        Ok(ids.len())
    }

    // ----- outbox and sync state -----------------------------------------------

    /// Every edit not yet acknowledged by the server, oldest first.
    pub fn outbox(&self) -> Result<Vec<OutboxEntry>, StoreError> {
        let mut statement = self
            .conn
            .prepare(
                "SELECT id, case_id, description, created_at, hlc, heads FROM outbox ORDER BY id",
            )
            .map_err(db("reading the outbox"))?;
        let rows = statement
            .query_map([], |row| {
                Ok((
                    row.get::<_, i64>(0)?,
                    row.get::<_, String>(1)?,
                    row.get::<_, String>(2)?,
                    row.get::<_, i64>(3)?,
                    row.get::<_, String>(4)?,
                    row.get::<_, String>(5)?,
                ))
            })
            .map_err(db("reading the outbox"))?;
        let mut entries = Vec::new();
        for row in rows {
            let (id, case_id, description, created_at, hlc, heads) =
                row.map_err(db("reading the outbox"))?;
            entries.push(OutboxEntry {
                heads: heads_from_json("the outbox", &heads)?,
                id,
                case_id,
                description,
                created_at: Timestamp(created_at),
                hlc,
            });
        }
        Ok(entries)
    }

    pub fn unsynced_change_count(&self) -> Result<usize, StoreError> {
        Ok(usize::try_from(crate::exchange::outbox_count(&self.conn)?).unwrap_or(0))
    }

    pub fn sync_state(&self, case_id: &str) -> Result<CaseSyncStatus, StoreError> {
        let row: Option<(String, Option<String>, Option<String>, i64)> = self
            .conn
            .query_row(
                "SELECT state, acknowledged_heads, rejection_reason, updated_at
                 FROM sync_state WHERE case_id = ?1",
                [case_id],
                |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?)),
            )
            .optional()
            .map_err(db("reading the sync state"))?;
        let (state, acknowledged, rejection_reason, updated_at) =
            row.ok_or_else(|| StoreError::CaseNotFound(case_id.to_owned()))?;
        let what = format!("the sync state of case {case_id}");
        Ok(CaseSyncStatus {
            case_id: case_id.to_owned(),
            state: SyncState::parse(&state).ok_or_else(|| damaged(what.clone(), &state))?,
            acknowledged_heads: match acknowledged {
                Some(text) => heads_from_json(&what, &text)?,
                None => Vec::new(),
            },
            rejection_reason,
            updated_at: Timestamp(updated_at),
        })
    }

    /// Moves a case's sync badge. Acknowledged heads are kept until the next
    /// acknowledgement; a rejection reason only while the case is rejected.
    pub fn set_sync_state(
        &mut self,
        case_id: &str,
        update: SyncUpdate<'_>,
        at: Timestamp,
    ) -> Result<(), StoreError> {
        let mut acknowledged: Option<String> = None;
        let mut reason: Option<String> = None;
        match update {
            SyncUpdate::Acknowledged { heads } => {
                let mut heads = heads.to_vec();
                heads.sort();
                acknowledged = Some(heads_to_json(&heads));
            }
            SyncUpdate::Rejected { reason: text } => {
                let text = text.trim();
                if text.is_empty() || text.chars().count() > audit::MAXIMUM_AUDIT_DETAIL_CHARACTERS
                {
                    return Err(StoreError::InvalidAuditEvent(
                        "a rejection needs the server's reason".into(),
                    ));
                }
                reason = Some(text.to_owned());
            }
            _ => {}
        }
        let changed = self
            .conn
            .execute(
                "UPDATE sync_state
                 SET state = ?2, acknowledged_heads = coalesce(?3, acknowledged_heads),
                     rejection_reason = ?4, updated_at = ?5
                 WHERE case_id = ?1",
                params![
                    case_id,
                    update.state().as_str(),
                    acknowledged,
                    reason,
                    at.millis()
                ],
            )
            .map_err(db("saving the sync state"))?;
        if changed == 0 {
            return Err(StoreError::CaseNotFound(case_id.to_owned()));
        }
        Ok(())
    }

    // ----- audit -------------------------------------------------------------

    /// Records an action that changes no case data, such as viewing or exporting.
    pub fn record_audit(&mut self, event: &AuditEvent) -> Result<(), StoreError> {
        audit::check_event(event)?;
        let node = &self.node;
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(db("recording the action in the audit log"))?;
        let hlc = tick_clock(&tx, node, event.device_time)?;
        audit::append(&tx, event, event.case_id.as_deref(), &hlc)?;
        tx.commit()
            .map_err(db("recording the action in the audit log"))
    }

    /// Walks the audit chain and names the first event that does not verify.
    pub fn verify_audit(&self) -> Result<AuditReport, StoreError> {
        audit::verify(&self.conn)
    }

    /// The audit log, oldest first; only one case's events when `case_id` is given.
    pub fn audit_log(&self, case_id: Option<&str>) -> Result<Vec<AuditRecord>, StoreError> {
        audit::records(&self.conn, case_id)
    }

    // ----- attachments ---------------------------------------------------------

    /// Stores a file's bytes, encrypted inside the database, and returns its
    /// address (hex SHA-256). Storing the same bytes again stores nothing new.
    /// Refused over [`crate::MAXIMUM_ATTACHMENT_BYTES`].
    pub fn put_attachment(&mut self, bytes: &[u8], media_type: &str) -> Result<String, StoreError> {
        attachments::put(&mut self.conn, bytes, media_type)
    }

    /// A file's bytes, checked against their address before they are returned.
    pub fn attachment(&self, sha256: &str) -> Result<Vec<u8>, StoreError> {
        attachments::read(&self.conn, sha256)
    }

    pub fn attachment_info(&self, sha256: &str) -> Result<StoredAttachment, StoreError> {
        attachments::info(&self.conn, sha256)
    }
}

fn check_event_case(event: &AuditEvent, case_id: &str) -> Result<(), StoreError> {
    match &event.case_id {
        Some(named) if named != case_id => Err(StoreError::InvalidAuditEvent(format!(
            "it names case {named}, but the change is to case {case_id}"
        ))),
        _ => Ok(()),
    }
}

#[cfg(unix)]
fn create_data_dir(data_dir: &Path) -> Result<(), StoreError> {
    use std::os::unix::fs::DirBuilderExt;
    fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(data_dir)
        .map_err(|source| StoreError::DataDir {
            path: data_dir.to_owned(),
            source,
        })
}

#[cfg(not(unix))]
fn create_data_dir(data_dir: &Path) -> Result<(), StoreError> {
    fs::create_dir_all(data_dir).map_err(|source| StoreError::DataDir {
        path: data_dir.to_owned(),
        source,
    })
}

/// The database file of [`DeviceStore::open_unencrypted_for_benchmark`].
#[doc(hidden)]
pub const BENCHMARK_PLAIN_DATABASE_FILE_NAME: &str = "UNENCRYPTED-BENCHMARK-ONLY.sqlite3";

/// The file whose lock is held while a process opens the device; it stays empty.
pub const OPEN_LOCK_FILE_NAME: &str = "doorstep-device.lock";

pub(crate) fn lock_for_opening(dir: &Path) -> Result<fs::File, StoreError> {
    let path = dir.join(OPEN_LOCK_FILE_NAME);
    let failed = |source| StoreError::DataDir {
        path: path.clone(),
        source,
    };
    let file = fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(failed)?;
    file.lock().map_err(failed)?;
    Ok(file)
}

/// Whether the database file (or its write-ahead log) holds anything yet.
fn holds_data(database_path: &Path) -> bool {
    let non_empty = |path: &Path| fs::metadata(path).is_ok_and(|meta| meta.len() > 0);
    let mut wal = database_path.as_os_str().to_owned();
    wal.push("-wal");
    non_empty(database_path) || non_empty(Path::new(&wal))
}

fn open_keyed(path: &Path, key: &DatabaseKey, vault: &str) -> Result<Connection, StoreError> {
    let conn = Connection::open(path).map_err(db("opening the database"))?;
    // The key must be the first statement on the connection.
    conn.execute_batch(&key.pragma())
        .map_err(db("unlocking the database"))?;
    conn.execute_batch("PRAGMA cipher_log_level = NONE;")
        .map_err(db("unlocking the database"))?;
    // SQLCipher only finds out whether the key fits when it first reads a page.
    match conn.query_row("SELECT count(*) FROM sqlite_master", [], |row| {
        row.get::<_, i64>(0)
    }) {
        Ok(_) => {}
        Err(error) if error.sqlite_error_code() == Some(ErrorCode::NotADatabase) => {
            return Err(StoreError::WrongKey {
                path: path.to_owned(),
                vault: vault.to_owned(),
            });
        }
        Err(error) => return Err(db("unlocking the database")(error)),
    }
    configure(&conn)?;
    Ok(conn)
}

fn configure(conn: &Connection) -> Result<(), StoreError> {
    // Room for every statement a sync round repeats per case.
    conn.set_prepared_statement_cache_capacity(64);
    let mode: String = conn
        .query_row("PRAGMA journal_mode = WAL", [], |row| row.get(0))
        .map_err(db("setting up the database"))?;
    if !mode.eq_ignore_ascii_case("wal") {
        tracing::warn!(%mode, "the device database could not use write-ahead logging");
    }
    // FULL: a committed edit survives a power cut. secure_delete: deleted
    // content is overwritten. temp_store: sorting and temporary tables never
    // spill to files outside the encrypted database. cache_size: 16 MiB of
    // pages, so a sync round of hundreds of cases is written once, not
    // decrypted and encrypted again as it spills.
    conn.execute_batch(
        "PRAGMA synchronous = FULL;
         PRAGMA foreign_keys = ON;
         PRAGMA busy_timeout = 5000;
         PRAGMA secure_delete = ON;
         PRAGMA temp_store = MEMORY;
         PRAGMA cache_size = -16384;",
    )
    .map_err(db("setting up the database"))
}

/// What a case holds beyond its stored heads, in the form it is stored.
pub(crate) enum NewChanges {
    /// One more change chunk.
    Chunk(Vec<u8>),
    /// A new full save that replaces the base and every chunk.
    Compacted(Vec<u8>),
}

/// What `case` holds beyond `stored_heads`, as one more change chunk, or,
/// once a case has [`COMPACT_AFTER_CHUNKS`] chunks, everything folded into a
/// new full save, so loading stays fast.
pub(crate) fn new_changes(
    case: &mut CaseDocument,
    stored_heads: &[ChangeHash],
    stored_chunks: i64,
) -> NewChanges {
    if stored_chunks >= COMPACT_AFTER_CHUNKS {
        NewChanges::Compacted(case.save())
    } else {
        NewChanges::Chunk(case.automerge_mut().save_after(stored_heads))
    }
}

fn stored_chunk_count(tx: &Connection, case_id: &str) -> Result<i64, StoreError> {
    tx.prepare_cached("SELECT count(*) FROM case_changes WHERE case_id = ?1")
        .and_then(|mut count| count.query_row([case_id], |row| row.get(0)))
        .map_err(db("saving the change"))
}

/// Stores what `case` holds beyond `stored_heads` (see [`new_changes`]).
pub(crate) fn save_new_changes(
    tx: &Connection,
    case: &mut CaseDocument,
    stored_heads: &[ChangeHash],
    heads_json: &str,
    at: i64,
) -> Result<(), StoreError> {
    let case_id = case.id().to_owned();
    let changes = new_changes(case, stored_heads, stored_chunk_count(tx, &case_id)?);
    store_new_changes(tx, &case_id, &changes, heads_json, at)
}

pub(crate) fn store_new_changes(
    tx: &Connection,
    case_id: &str,
    changes: &NewChanges,
    heads_json: &str,
    at: i64,
) -> Result<(), StoreError> {
    match changes {
        NewChanges::Compacted(base) => {
            tx.prepare_cached(
                "UPDATE case_documents SET base = ?2, base_heads = ?3, heads = ?3, updated_at = ?4
                 WHERE case_id = ?1",
            )
            .and_then(|mut update| update.execute(params![case_id, base, heads_json, at]))
            .map_err(db("saving the change"))?;
            tx.prepare_cached("DELETE FROM case_changes WHERE case_id = ?1")
                .and_then(|mut delete| delete.execute([case_id]))
                .map_err(db("saving the change"))?;
        }
        NewChanges::Chunk(chunk) => {
            tx.prepare_cached(
                "INSERT INTO case_changes (case_id, seq, bytes)
                 SELECT ?1, coalesce(max(seq), 0) + 1, ?2 FROM case_changes WHERE case_id = ?1",
            )
            .and_then(|mut insert| insert.execute(params![case_id, chunk]))
            .map_err(db("saving the change"))?;
            tx.prepare_cached(
                "UPDATE case_documents SET heads = ?2, updated_at = ?3 WHERE case_id = ?1",
            )
            .and_then(|mut update| update.execute(params![case_id, heads_json, at]))
            .map_err(db("saving the change"))?;
        }
    }
    Ok(())
}

/// A case as this device stores it: every saved byte, the heads they must
/// come to, and how many change chunks follow the base.
pub(crate) struct StoredDocument {
    pub(crate) bytes: Vec<u8>,
    pub(crate) heads: Vec<ChangeHash>,
    pub(crate) chunks: i64,
}

pub(crate) fn read_stored_document(
    conn: &Connection,
    case_id: &str,
) -> Result<StoredDocument, StoreError> {
    let what = || format!("case {case_id}");
    let row: Option<(Vec<u8>, String)> = conn
        .prepare_cached("SELECT base, heads FROM case_documents WHERE case_id = ?1")
        .and_then(|mut select| {
            select
                .query_row([case_id], |row| Ok((row.get(0)?, row.get(1)?)))
                .optional()
        })
        .map_err(db("opening the case"))?;
    let (mut bytes, heads) = row.ok_or_else(|| StoreError::CaseNotFound(case_id.to_owned()))?;
    let heads = heads_from_json(&what(), &heads)?;
    let mut statement = conn
        .prepare_cached("SELECT bytes FROM case_changes WHERE case_id = ?1 ORDER BY seq")
        .map_err(db("opening the case"))?;
    let mut rows = statement.query([case_id]).map_err(db("opening the case"))?;
    let mut chunks = 0;
    while let Some(row) = rows.next().map_err(db("opening the case"))? {
        let chunk = row
            .get_ref(0)
            .and_then(|value| value.as_blob().map_err(Into::into))
            .map_err(db("opening the case"))?;
        bytes.extend_from_slice(chunk);
        chunks += 1;
    }
    Ok(StoredDocument {
        bytes,
        heads,
        chunks,
    })
}

/// Loads a stored case and checks it is the case it should be, whole.
pub(crate) fn open_stored_document(
    actor: &ActorId,
    case_id: &str,
    stored: &StoredDocument,
) -> Result<CaseDocument, StoreError> {
    let what = || format!("case {case_id}");
    let mut case =
        CaseDocument::load(&stored.bytes, actor.clone()).map_err(|error| match error {
            // A newer app wrote it: say "update Doorstep", not "damaged".
            CaseError::NewerSchema { .. } => StoreError::Case(error),
            other => damaged(what(), other),
        })?;
    if case.id() != case_id {
        return Err(damaged(what(), format!("it holds case {}", case.id())));
    }
    let mut heads: Vec<ChangeHash> = case.heads();
    heads.sort();
    if heads != stored.heads {
        return Err(damaged(what(), "some of its saved changes are missing"));
    }
    Ok(case)
}

pub(crate) fn load_document(
    conn: &Connection,
    actor: &ActorId,
    case_id: &str,
) -> Result<CaseDocument, StoreError> {
    open_stored_document(actor, case_id, &read_stored_document(conn, case_id)?)
}

pub(crate) fn tick_clock(
    tx: &Connection,
    node: &str,
    now: Timestamp,
) -> Result<HlcTimestamp, StoreError> {
    // Read inside the transaction, so two processes on one device still
    // hand out strictly increasing readings.
    let last: Option<String> = tx
        .query_row("SELECT last_hlc FROM device WHERE id = 1", [], |row| {
            row.get(0)
        })
        .map_err(db("reading the device clock"))?;
    let last = match last {
        Some(text) => {
            Some(HlcTimestamp::parse(&text).ok_or_else(|| damaged("the device clock", &text))?)
        }
        None => None,
    };
    let reading = HybridClock::resume(node, last.as_ref()).tick(now);
    tx.execute(
        "UPDATE device SET last_hlc = ?1 WHERE id = 1",
        [reading.to_string()],
    )
    .map_err(db("saving the device clock"))?;
    Ok(reading)
}

fn add_outbox(
    tx: &Connection,
    case_id: &str,
    description: &str,
    at: Timestamp,
    hlc: &HlcTimestamp,
    heads_json: &str,
) -> Result<(), StoreError> {
    tx.execute(
        "INSERT INTO outbox (case_id, description, created_at, hlc, heads) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![case_id, description, at.millis(), hlc.to_string(), heads_json],
    )
    .map_err(db("adding the change to the outbox"))?;
    Ok(())
}

const PROJECTION_COLUMNS: &str = "p.case_id, p.reference, p.case_type, p.status, p.summary, \
    p.assigned_to, p.team, p.due_date, p.risk_warnings, p.people_names, p.narrative, \
    p.notes_text, p.note_count, p.open_task_count, p.next_visit_at, p.open_visit_expected_end, \
    p.conflict_count, p.created_by, p.created_at, p.updated_by, p.updated_at, \
    coalesce(p.status_changed_at, p.created_at), coalesce(p.open_task_due_dates, '[]')";

pub(crate) fn write_projection(tx: &Connection, p: &CaseProjection) -> Result<(), StoreError> {
    let json = |list: &[String]| serde_json::Value::from(list.to_vec()).to_string();
    let count = |n: usize| i64::try_from(n).unwrap_or(i64::MAX);
    let mut upsert = tx
        .prepare_cached(
        "INSERT INTO case_projection (case_id, reference, case_type, status, summary, assigned_to,
             team, due_date, risk_warnings, people_names, narrative, notes_text, note_count,
             open_task_count, next_visit_at, open_visit_expected_end, conflict_count, created_by,
             created_at, updated_by, updated_at, status_changed_at, open_task_due_dates)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18,
             ?19, ?20, ?21, ?22, ?23)
         ON CONFLICT (case_id) DO UPDATE SET
             reference = excluded.reference, case_type = excluded.case_type,
             status = excluded.status, summary = excluded.summary,
             assigned_to = excluded.assigned_to, team = excluded.team,
             due_date = excluded.due_date, risk_warnings = excluded.risk_warnings,
             people_names = excluded.people_names, narrative = excluded.narrative,
             notes_text = excluded.notes_text, note_count = excluded.note_count,
             open_task_count = excluded.open_task_count, next_visit_at = excluded.next_visit_at,
             open_visit_expected_end = excluded.open_visit_expected_end,
             conflict_count = excluded.conflict_count, created_by = excluded.created_by,
             created_at = excluded.created_at, updated_by = excluded.updated_by,
             updated_at = excluded.updated_at, status_changed_at = excluded.status_changed_at,
             open_task_due_dates = excluded.open_task_due_dates",
        )
        .map_err(db("updating the case list"))?;
    upsert
        .execute(params![
            p.case_id,
            p.reference,
            p.case_type,
            p.status.as_str(),
            p.summary,
            p.assigned_to,
            p.team,
            p.due_date,
            json(&p.risk_warnings),
            json(&p.people_names),
            p.narrative,
            p.notes_text,
            count(p.note_count),
            count(p.open_task_count),
            p.next_visit_at,
            p.open_visit_expected_end,
            count(p.conflict_count),
            p.created_by,
            p.created_at.millis(),
            p.updated_by,
            p.updated_at.millis(),
            p.status_changed_at.millis(),
            json(&p.open_task_due_dates),
        ])
        .map_err(db("updating the case list"))?;
    Ok(())
}

fn read_projection(row: &rusqlite::Row<'_>) -> rusqlite::Result<CaseProjection> {
    let bad = |index: usize, detail: String| {
        rusqlite::Error::FromSqlConversionFailure(index, Type::Text, detail.into())
    };
    let list = |index: usize| -> rusqlite::Result<Vec<String>> {
        let text: String = row.get(index)?;
        serde_json::from_str(&text).map_err(|error| bad(index, error.to_string()))
    };
    let count = |index: usize| -> rusqlite::Result<usize> {
        let n: i64 = row.get(index)?;
        usize::try_from(n).map_err(|error| bad(index, error.to_string()))
    };
    let status: String = row.get(3)?;
    Ok(CaseProjection {
        case_id: row.get(0)?,
        reference: row.get(1)?,
        case_type: row.get(2)?,
        status: CaseStatus::parse(&status)
            .ok_or_else(|| bad(3, format!("unknown status {status}")))?,
        summary: row.get(4)?,
        assigned_to: row.get(5)?,
        team: row.get(6)?,
        due_date: row.get(7)?,
        risk_warnings: list(8)?,
        people_names: list(9)?,
        narrative: row.get(10)?,
        notes_text: row.get(11)?,
        note_count: count(12)?,
        open_task_count: count(13)?,
        next_visit_at: row.get(14)?,
        open_visit_expected_end: row.get(15)?,
        conflict_count: count(16)?,
        created_by: row.get(17)?,
        created_at: Timestamp(row.get(18)?),
        updated_by: row.get(19)?,
        updated_at: Timestamp(row.get(20)?),
        status_changed_at: Timestamp(row.get(21)?),
        open_task_due_dates: list(22)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_data_folder_has_its_own_key_account() {
        let a = account_for(Path::new("/home/ak/.local/share/uk.org.doorstep.desktop"));
        let b = account_for(Path::new("/home/ak/doorstep-training"));
        assert!(a.starts_with("database-key/"));
        assert_eq!(a.len(), "database-key/".len() + 16);
        assert_ne!(a, b);
        assert_eq!(
            a,
            account_for(Path::new("/home/ak/.local/share/uk.org.doorstep.desktop"))
        );
    }
}
