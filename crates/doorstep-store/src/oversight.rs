//! What a team lead's laptop keeps for oversight: weekly opened and closed
//! figures worked out from the cases it holds, the server's view of the team
//! from the last sync, and how far this laptop's own audit log has reached
//! the server.

use rusqlite::{OptionalExtension, params};
use serde::{Deserialize, Serialize};

use doorstep_core::dates::Timestamp;

use crate::audit::{self, AuditRecord};
use crate::error::{StoreError, db};
use crate::store::DeviceStore;

const DAY_MILLIS: i64 = 86_400_000;

/// One week's new and closed cases among those on this device.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WeekFigures {
    /// The Monday the week starts on (UTC), as YYYY-MM-DD.
    pub week_starting: String,
    pub opened: usize,
    pub closed: usize,
}

/// Performance figures over recent weeks.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TeamKpis {
    /// Oldest first; the last is the week containing `now`.
    pub weeks: Vec<WeekFigures>,
    /// Cases closed within those weeks.
    pub closed_in_period: usize,
    /// Days from opening to closing, over the cases closed within those
    /// weeks, to one decimal place; None when none closed.
    pub median_days_to_close: Option<f64>,
}

/// The server's view of the team, as it sent it, and when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeptTeamOverview {
    pub server_url: String,
    pub fetched_at: Timestamp,
    /// The server's JSON answer.
    pub body: String,
}

/// The Monday on or before `at`, at 00:00 UTC.
fn week_start(at: Timestamp) -> Timestamp {
    let day = at.millis().div_euclid(DAY_MILLIS);
    // 1970-01-01 was a Thursday: day 0 is 3 days after a Monday.
    Timestamp((day - (day + 3).rem_euclid(7)) * DAY_MILLIS)
}

impl DeviceStore {
    /// Opened and closed cases per week for the `weeks` weeks up to `now`,
    /// and the median time to close of those closed in that time.
    pub fn team_kpis(&self, now: Timestamp, weeks: usize) -> Result<TeamKpis, StoreError> {
        let weeks = weeks.max(1);
        let span = i64::try_from(weeks).unwrap_or(i64::MAX);
        let first = Timestamp(week_start(now).millis() - (span - 1) * 7 * DAY_MILLIS);
        let mut figures: Vec<WeekFigures> = (0..span)
            .map(|index| WeekFigures {
                week_starting: Timestamp(first.millis() + index * 7 * DAY_MILLIS)
                    .to_rfc3339()
                    .get(..10)
                    .unwrap_or_default()
                    .to_owned(),
                opened: 0,
                closed: 0,
            })
            .collect();
        let week_of = |at: i64| -> Option<usize> {
            (at >= first.millis() && at <= now.millis())
                .then(|| usize::try_from((at - first.millis()) / (7 * DAY_MILLIS)).ok())
                .flatten()
        };
        let fail = || db("adding up weekly figures");
        let mut opened = self
            .conn
            .prepare_cached("SELECT created_at FROM case_projection WHERE created_at >= ?1")
            .map_err(fail())?;
        let rows = opened
            .query_map([first.millis()], |row| row.get::<_, i64>(0))
            .map_err(fail())?;
        for at in rows {
            if let Some(week) = week_of(at.map_err(fail())?) {
                figures[week].opened += 1;
            }
        }
        let mut closed = self
            .conn
            .prepare_cached(
                "SELECT status_changed_at, created_at FROM case_projection
                 WHERE status = 'closed' AND status_changed_at >= ?1",
            )
            .map_err(fail())?;
        let rows = closed
            .query_map([first.millis()], |row| {
                Ok((row.get::<_, i64>(0)?, row.get::<_, i64>(1)?))
            })
            .map_err(fail())?;
        let mut days_to_close = Vec::new();
        for row in rows {
            let (closed_at, created_at) = row.map_err(fail())?;
            if let Some(week) = week_of(closed_at) {
                figures[week].closed += 1;
                days_to_close.push((closed_at - created_at).max(0));
            }
        }
        days_to_close.sort_unstable();
        let median_days_to_close = match days_to_close.len() {
            0 => None,
            n if n % 2 == 1 => Some(days_to_close[n / 2] as f64),
            n => Some((days_to_close[n / 2 - 1] + days_to_close[n / 2]) as f64 / 2.0),
        }
        .map(|millis| (millis / DAY_MILLIS as f64 * 10.0).round() / 10.0);
        Ok(TeamKpis {
            closed_in_period: days_to_close.len(),
            weeks: figures,
            median_days_to_close,
        })
    }

    /// Keeps the server's latest view of the team, replacing the one before.
    pub fn keep_team_overview(&mut self, kept: &KeptTeamOverview) -> Result<(), StoreError> {
        self.conn
            .execute(
                "INSERT INTO team_overview (only_row, server_url, fetched_at, body)
                 VALUES (1, ?1, ?2, ?3)
                 ON CONFLICT (only_row) DO UPDATE SET
                     server_url = excluded.server_url, fetched_at = excluded.fetched_at,
                     body = excluded.body",
                params![kept.server_url, kept.fetched_at.millis(), kept.body],
            )
            .map_err(db("keeping the team's view from the server"))?;
        Ok(())
    }

    /// Drops the server's view of the team: this person no longer leads one.
    pub fn forget_team_overview(&mut self) -> Result<(), StoreError> {
        self.conn
            .execute("DELETE FROM team_overview", [])
            .map_err(db("forgetting the team's view from the server"))?;
        Ok(())
    }

    /// The server's view of the team from the last sync that fetched it.
    pub fn team_overview(&self) -> Result<Option<KeptTeamOverview>, StoreError> {
        self.conn
            .query_row(
                "SELECT server_url, fetched_at, body FROM team_overview WHERE only_row = 1",
                [],
                |row| {
                    Ok(KeptTeamOverview {
                        server_url: row.get(0)?,
                        fetched_at: Timestamp(row.get(1)?),
                        body: row.get(2)?,
                    })
                },
            )
            .optional()
            .map_err(db("reading the team's view from the server"))
    }

    /// Events of this device's audit log that `server_url` has not recorded
    /// yet, oldest first, at most `limit`.
    pub fn audit_to_send(
        &self,
        server_url: &str,
        limit: usize,
    ) -> Result<Vec<AuditRecord>, StoreError> {
        let sent: i64 = self
            .conn
            .query_row(
                "SELECT audit_sent_seq FROM sync_cursor WHERE server_url = ?1",
                [server_url],
                |row| row.get(0),
            )
            .optional()
            .map_err(db("reading how far the audit log was sent"))?
            .unwrap_or(0);
        audit::records_after(&self.conn, u64::try_from(sent).unwrap_or(0), limit)
    }

    /// Records that `server_url` holds this device's audit log up to `seq`.
    pub fn record_audit_sent(&mut self, server_url: &str, seq: u64) -> Result<(), StoreError> {
        let seq = i64::try_from(seq).unwrap_or(i64::MAX);
        self.conn
            .execute(
                "INSERT INTO sync_cursor (server_url, cursor, audit_sent_seq) VALUES (?1, 0, ?2)
                 ON CONFLICT (server_url) DO UPDATE SET
                     audit_sent_seq = max(audit_sent_seq, excluded.audit_sent_seq)",
                params![server_url, seq],
            )
            .map_err(db("recording how far the audit log was sent"))?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weeks_start_on_monday() {
        // Thursday 1970-01-01 belongs to the week of Monday 1969-12-29.
        assert_eq!(
            week_start(Timestamp(0)).to_rfc3339(),
            "1969-12-29T00:00:00.000Z"
        );
        // Thursday 2026-12-03 14:00 belongs to the week of Monday 2026-11-30.
        let thursday = Timestamp::parse_rfc3339("2026-12-03T14:00:00Z").expect("a time");
        assert_eq!(
            week_start(thursday).to_rfc3339(),
            "2026-11-30T00:00:00.000Z"
        );
        let monday = Timestamp::parse_rfc3339("2026-11-30T00:00:00Z").expect("a time");
        assert_eq!(week_start(monday), monday);
    }
}
