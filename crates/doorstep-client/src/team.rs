//! The team lead's view of the team: caseloads per worker and visits that
//! ran past their expected end with no check-out. Worked out from the cases
//! on this device, which for a team lead are the whole team's, so it works
//! offline and is as fresh as the last sync (the page says when that was).

use doorstep_core::dates::Timestamp;
use doorstep_store::WorkerCaseload;
use serde::Serialize;

use crate::{ClientError, Device};

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

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TeamCaseload {
    /// The moment the figures were worked out for.
    pub as_of: Timestamp,
    pub workers: Vec<WorkerCaseload>,
    /// Longest overdue first.
    pub overdue_visits: Vec<OverdueVisit>,
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
        })
    }
}
