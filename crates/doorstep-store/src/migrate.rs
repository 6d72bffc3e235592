//! Forward-only schema migrations, keyed on `PRAGMA user_version`.

use rusqlite::Connection;

use crate::error::{StoreError, db};

/// One schema step, embedded in the binary.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Migration {
    pub name: &'static str,
    pub sql: &'static str,
}

/// Applied in order; a database's `user_version` is how many it has applied.
/// Never edit a released step: add the next one.
pub const MIGRATIONS: &[Migration] = &[
    Migration {
        name: "0001_device_store",
        sql: include_str!("../../../migrations/device/0001_device_store.sql"),
    },
    Migration {
        name: "0002_sync",
        sql: include_str!("../../../migrations/device/0002_sync.sql"),
    },
    Migration {
        name: "0003_unlock",
        sql: include_str!("../../../migrations/device/0003_unlock.sql"),
    },
    Migration {
        name: "0004_team_oversight",
        sql: include_str!("../../../migrations/device/0004_team_oversight.sql"),
    },
];

/// The schema version this build writes.
pub fn current_schema_version() -> i64 {
    i64::try_from(MIGRATIONS.len()).unwrap_or(i64::MAX)
}

pub(crate) fn user_version(conn: &Connection) -> Result<i64, StoreError> {
    conn.query_row("PRAGMA user_version", [], |row| row.get(0))
        .map_err(db("reading the database's schema version"))
}

/// Brings the database up to this build's schema. Each step commits together
/// with its version bump, or not at all; a database from a newer version is
/// refused and left untouched.
pub(crate) fn migrate(conn: &mut Connection) -> Result<(), StoreError> {
    let known = current_schema_version();
    let applied = user_version(conn)?;
    if applied > known {
        return Err(StoreError::SchemaTooNew {
            found: applied,
            known,
        });
    }
    let start = usize::try_from(applied).unwrap_or(0);
    for (index, migration) in MIGRATIONS.iter().enumerate().skip(start) {
        let failed = |source| StoreError::Migration {
            name: migration.name,
            source,
        };
        let tx = conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .map_err(failed)?;
        // Another process may have migrated while this one waited for the lock.
        let now_applied: i64 = tx
            .query_row("PRAGMA user_version", [], |row| row.get(0))
            .map_err(failed)?;
        if now_applied > index as i64 {
            continue;
        }
        tx.execute_batch(migration.sql).map_err(failed)?;
        tx.pragma_update(None, "user_version", index as i64 + 1)
            .map_err(failed)?;
        tx.commit().map_err(failed)?;
        tracing::info!(
            migration = migration.name,
            "applied device database migration"
        );
    }
    Ok(())
}
