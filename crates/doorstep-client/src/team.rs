//! The team lead's view of the team: caseloads per worker, visits that ran
//! past their expected end with no check-out, and weekly figures, worked out
//! from the cases on this device (for a team lead, the whole team's), so they
//! work offline and are as fresh as the last sync. Beside them, what the
//! server said at the last sync: the team's laptops and lone-worker alerts.
//! Access records are asked of the server when wanted, and need a connection.

use doorstep_core::dates::Timestamp;
use doorstep_protocol::team::{AccessEntry, TeamOverview};
use doorstep_store::{TeamKpis, WorkerCaseload};
pub use doorstep_sync::AccessSubject;
use serde::Serialize;

use crate::{ClientError, Device};

/// Weeks of opened and closed figures on the Team page.
pub const KPI_WEEKS: usize = 8;

/// The largest export a team lead saves from the Team page. Team figures
/// are a few kilobytes; this only stops a runaway.
pub const MAXIMUM_EXPORT_BYTES: usize = 5 * 1024 * 1024;

/// Where a team export was saved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SavedExport {
    pub path: String,
    /// The name used: the one asked for, or with " (1)" and so on if taken.
    pub file_name: String,
}

/// `team-caseload-2026-12-03.csv`: lower-case letters, digits and hyphens, then `.csv`.
fn usable_export_name(name: &str) -> bool {
    name.strip_suffix(".csv").is_some_and(|stem| {
        !stem.is_empty()
            && stem.len() <= 100
            && stem
                .bytes()
                .all(|byte| byte.is_ascii_lowercase() || byte.is_ascii_digit() || byte == b'-')
    })
}

/// A laptop of someone in the team, as the server knows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TeamLaptop {
    pub device_id: String,
    pub user: String,
    pub hostname: String,
    pub os: String,
    pub app_version: String,
    pub last_sync_at: Option<String>,
    pub revoked: bool,
}

/// How one way of sending an alert went.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AlertDeliveryView {
    pub channel: String,
    pub delivered: bool,
    pub attempts: i64,
    pub last_error: Option<String>,
}

/// A lone-worker alert the server raised, named from this device's cases.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LoneWorkerAlertView {
    pub id: i64,
    pub case_id: String,
    pub case_reference: Option<String>,
    pub case_summary: Option<String>,
    pub worker: String,
    pub expected_end: String,
    pub raised_at: String,
    pub resolved_at: Option<String>,
    pub deliveries: Vec<AlertDeliveryView>,
}

/// What the server said about the team at the last sync.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ServerTeamView {
    pub fetched_at: Timestamp,
    pub devices: Vec<TeamLaptop>,
    pub alerts: Vec<LoneWorkerAlertView>,
}

/// Open lone-worker alerts, for the banner on every page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OpenAlerts {
    /// When the server last told this device; None if it never has.
    pub fetched_at: Option<Timestamp>,
    pub alerts: Vec<LoneWorkerAlertView>,
}

/// One thing someone did, as the server's audit log records it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AccessEntryView {
    pub seq: i64,
    pub server_time: String,
    pub device_time: Option<String>,
    pub actor: Option<String>,
    pub device_id: Option<String>,
    pub device_name: Option<String>,
    pub action: String,
    pub case_id: Option<String>,
}

impl From<AccessEntry> for AccessEntryView {
    fn from(entry: AccessEntry) -> Self {
        Self {
            seq: entry.seq,
            server_time: entry.server_time,
            device_time: entry.device_time,
            actor: entry.actor,
            device_id: entry.device_id,
            device_name: entry.device_name,
            action: entry.action,
            case_id: entry.case_id,
        }
    }
}

/// A question for the server, ready to send; see [`Device::access_record_request`].
#[derive(Debug)]
pub struct AccessRecordRequest {
    connection: doorstep_sync::ServerConnection,
    credentials: doorstep_sync::Credentials,
    subject: AccessSubject,
}

impl AccessRecordRequest {
    /// Asks the server; newest first.
    pub fn send(self) -> Result<Vec<AccessEntryView>, ClientError> {
        let record =
            doorstep_sync::access_record(&self.connection, &self.credentials, &self.subject)?;
        Ok(record
            .entries
            .into_iter()
            .map(AccessEntryView::from)
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::usable_export_name;

    #[test]
    fn export_names_are_plain_csv_file_names() {
        assert!(usable_export_name("team-caseload-2026-12-03.csv"));
        for refused in [
            "../team.csv",
            "team.csv.exe",
            "Team.csv",
            ".csv",
            "team caseload.csv",
            "team/caseload.csv",
            "team.txt",
        ] {
            assert!(!usable_export_name(refused), "{refused}");
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CaseAccessRecord {
    pub case_id: String,
    /// Newest first.
    pub entries: Vec<AccessEntryView>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct WorkerActivity {
    pub worker: String,
    /// Newest first.
    pub entries: Vec<AccessEntryView>,
}

/// A visit checked in, not checked out, and past its expected end.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OverdueVisit {
    pub case_id: String,
    pub case_reference: Option<String>,
    pub case_summary: String,
    pub visit_id: String,
    /// Who checked in: the person who may need help.
    pub worker: String,
    pub checked_in_at: String,
    pub expected_end: String,
    pub minutes_overdue: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TeamCaseload {
    /// The moment the figures were worked out for.
    pub as_of: Timestamp,
    pub workers: Vec<WorkerCaseload>,
    /// Longest overdue first.
    pub overdue_visits: Vec<OverdueVisit>,
    pub kpis: TeamKpis,
    /// None until a sync has fetched it.
    pub from_server: Option<ServerTeamView>,
}

impl Device {
    /// Caseloads and overdue visits for the team, as of `now`. Team leads only.
    pub fn team_caseload(&self, now: Timestamp) -> Result<TeamCaseload, ClientError> {
        self.require_team_lead()?;
        let workers = self.store.caseload(now)?;
        let now_text = now.to_rfc3339();
        let mut overdue_visits = Vec::new();
        // Planned visits in an empty window: only the open ones come back.
        for case_id in self.store.cases_with_visits(now, now)? {
            let view = self.load(&case_id)?.view();
            for visit in view.open_visits() {
                if visit.expected_end >= now_text {
                    continue;
                }
                let minutes_overdue = Timestamp::parse_rfc3339(&visit.expected_end)
                    .map_or(0, |end| (now.millis() - end.millis()) / 60_000);
                overdue_visits.push(OverdueVisit {
                    case_id: view.id.clone(),
                    case_reference: view.text("reference").map(str::to_owned),
                    case_summary: view.text("summary").unwrap_or_default().to_owned(),
                    visit_id: visit.visit_id,
                    worker: visit.worker,
                    checked_in_at: visit.checked_in_at,
                    expected_end: visit.expected_end,
                    minutes_overdue,
                });
            }
        }
        overdue_visits.sort_by(|a, b| a.expected_end.cmp(&b.expected_end));
        Ok(TeamCaseload {
            as_of: now,
            workers,
            overdue_visits,
            kpis: self.store.team_kpis(now, KPI_WEEKS)?,
            from_server: self.server_team_view()?,
        })
    }

    /// Saves figures from the Team page (caseloads, weekly counts: about
    /// staff and numbers, never about the people visited) as a CSV file in
    /// `folder`, the person's Downloads folder, without replacing a file
    /// already there. Team leads only; audited.
    pub fn save_team_export(
        &mut self,
        folder: &std::path::Path,
        file_name: &str,
        contents: &str,
    ) -> Result<SavedExport, ClientError> {
        self.require_team_lead()?;
        if !usable_export_name(file_name) {
            return Err(ClientError::InvalidExportName(file_name.to_owned()));
        }
        if contents.len() > MAXIMUM_EXPORT_BYTES {
            return Err(ClientError::ExportTooLarge {
                bytes: contents.len(),
                limit: MAXIMUM_EXPORT_BYTES,
            });
        }
        let failed = |path: &std::path::Path| {
            let path = path.to_owned();
            move |source| ClientError::Export { path, source }
        };
        std::fs::create_dir_all(folder).map_err(failed(folder))?;
        let stem = file_name.trim_end_matches(".csv");
        let mut attempt = 0;
        let (path, mut file, used) = loop {
            let used = match attempt {
                0 => file_name.to_owned(),
                n => format!("{stem} ({n}).csv"),
            };
            let path = folder.join(&used);
            match std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&path)
            {
                Ok(file) => break (path, file, used),
                Err(error)
                    if error.kind() == std::io::ErrorKind::AlreadyExists && attempt < 999 =>
                {
                    attempt += 1;
                }
                Err(error) => return Err(failed(&path)(error)),
            }
        };
        use std::io::Write as _;
        file.write_all(contents.as_bytes())
            .and_then(|()| file.sync_all())
            .map_err(failed(&path))?;
        self.store.record_audit(&doorstep_store::AuditEvent {
            user: self.user.clone(),
            action: doorstep_store::AuditAction::Exported,
            case_id: None,
            detail: format!("Saved team figures as {used}"),
            device_time: crate::desktop::now(),
        })?;
        Ok(SavedExport {
            path: path.display().to_string(),
            file_name: used,
        })
    }

    /// Lone-worker alerts still open, as the server said at the last sync. Team leads only.
    pub fn open_alerts(&self) -> Result<OpenAlerts, ClientError> {
        self.require_team_lead()?;
        Ok(match self.server_team_view()? {
            Some(view) => OpenAlerts {
                fetched_at: Some(view.fetched_at),
                alerts: view
                    .alerts
                    .into_iter()
                    .filter(|alert| alert.resolved_at.is_none())
                    .collect(),
            },
            None => OpenAlerts {
                fetched_at: None,
                alerts: Vec::new(),
            },
        })
    }

    /// A question for the server about who accessed a case, or what a
    /// worker did. Team leads only. Asking it ([`AccessRecordRequest::send`])
    /// needs no device, so a slow connection holds up nothing else.
    pub fn access_record_request(
        &self,
        subject: AccessSubject,
    ) -> Result<AccessRecordRequest, ClientError> {
        self.require_team_lead()?;
        let session = self
            .store
            .sync_session()?
            .filter(|session| session.signed_in)
            .ok_or(ClientError::Sync(Box::new(
                doorstep_sync::SyncError::NotSignedIn,
            )))?;
        Ok(AccessRecordRequest {
            connection: self.connection(&session.server_url)?,
            credentials: self.credentials()?,
            subject,
        })
    }

    /// Who viewed, changed or exported a case, asked of the server now. Team leads only.
    pub fn case_access_record(&self, case_id: &str) -> Result<CaseAccessRecord, ClientError> {
        self.access_record_request(AccessSubject::Case(case_id.to_owned()))?
            .send()
            .map(|entries| CaseAccessRecord {
                case_id: case_id.to_owned(),
                entries,
            })
    }

    /// What one worker in the team did, asked of the server now. Team leads only.
    pub fn worker_activity(&self, worker: &str) -> Result<WorkerActivity, ClientError> {
        self.access_record_request(AccessSubject::Worker(worker.to_owned()))?
            .send()
            .map(|entries| WorkerActivity {
                worker: worker.to_owned(),
                entries,
            })
    }

    /// The server's view kept at the last sync, with alerts named from the cases here.
    fn server_team_view(&self) -> Result<Option<ServerTeamView>, ClientError> {
        let Some(kept) = self.store.team_overview()? else {
            return Ok(None);
        };
        let overview: TeamOverview = match serde_json::from_str(&kept.body) {
            Ok(overview) => overview,
            Err(error) => {
                // Written by this device from an answer it checked; a newer
                // format is replaced at the next sync.
                tracing::warn!(%error, "the kept team view could not be read");
                return Ok(None);
            }
        };
        let ids: Vec<&str> = overview
            .alerts
            .iter()
            .map(|alert| alert.case_id.as_str())
            .collect();
        let rows = self.store.case_rows(&ids)?;
        let row_of = |case_id: &str| rows.iter().find(|row| row.case_id == case_id);
        let alerts = overview
            .alerts
            .iter()
            .map(|alert| LoneWorkerAlertView {
                id: alert.id,
                case_id: alert.case_id.clone(),
                case_reference: row_of(&alert.case_id).and_then(|row| row.reference.clone()),
                case_summary: row_of(&alert.case_id).map(|row| row.summary.clone()),
                worker: alert.worker.clone(),
                expected_end: alert.expected_end.clone(),
                raised_at: alert.raised_at.clone(),
                resolved_at: alert.resolved_at.clone(),
                deliveries: alert
                    .deliveries
                    .iter()
                    .map(|delivery| AlertDeliveryView {
                        channel: delivery.channel.clone(),
                        delivered: delivery.delivered,
                        attempts: delivery.attempts,
                        last_error: delivery.last_error.clone(),
                    })
                    .collect(),
            })
            .collect();
        let devices = overview
            .devices
            .into_iter()
            .map(|device| TeamLaptop {
                device_id: device.device_id,
                user: device.user,
                hostname: device.hostname,
                os: device.os,
                app_version: device.app_version,
                last_sync_at: device.last_sync_at,
                revoked: device.revoked,
            })
            .collect();
        Ok(Some(ServerTeamView {
            fetched_at: kept.fetched_at,
            devices,
            alerts,
        }))
    }
}
