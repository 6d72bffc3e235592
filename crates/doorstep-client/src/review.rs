//! The team lead's review queue and decisions. Both work offline: a decision
//! is an edit like any other, saved here at once and sent on the next sync,
//! where the server checks again that the person is still a team lead
//! (`Reader::may_change_workflow`). If they are not, the server refuses the
//! change, the case stays as it was there, and this device shows the refusal
//! with the server's reason.

use doorstep_core::access::Role;
use doorstep_core::case::{CaseStatus, FieldPath, ReviewDecision};
use doorstep_core::dates::Timestamp;
use serde::Serialize;

use crate::desktop::{CaseQuery, CaseRow};
use crate::device::new_id;
use crate::{ClientError, Device};

/// One case waiting for a team lead, oldest submission first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ReviewQueueEntry {
    #[serde(flatten)]
    pub case: CaseRow,
    /// Who moved it to awaiting review, and when by their device's clock.
    pub submitted_by: String,
    pub submitted_at: Timestamp,
}

impl Device {
    /// Cases on this device awaiting review, oldest submission first. Only
    /// for team leads: a caseworker has nothing to decide here.
    pub fn review_queue(&self) -> Result<Vec<ReviewQueueEntry>, ClientError> {
        self.require_team_lead()?;
        let waiting = self.case_list(&CaseQuery {
            status: Some(CaseStatus::AwaitingReview),
            ..CaseQuery::default()
        })?;
        let status = FieldPath::case("status");
        let mut queue = Vec::with_capacity(waiting.rows.len());
        for row in waiting.rows {
            let case = self.load(&row.case_id)?;
            let submitted = case.field(&status);
            queue.push(ReviewQueueEntry {
                submitted_by: submitted
                    .as_ref()
                    .map(|entry| entry.by.clone())
                    .unwrap_or_default(),
                submitted_at: submitted.map_or(row.updated_at, |entry| entry.at),
                case: row,
            });
        }
        queue.sort_by(|a, b| {
            (a.submitted_at, &a.case.case_id).cmp(&(b.submitted_at, &b.case.case_id))
        });
        Ok(queue)
    }

    /// Approves a case awaiting review (it closes) or returns it to the
    /// caseworker with comments (it goes back to in progress). Saved here
    /// at once; returns the review's id.
    pub fn review_case(
        &mut self,
        case_id: &str,
        decision: ReviewDecision,
        comment: &str,
    ) -> Result<String, ClientError> {
        self.require_team_lead()?;
        let review_id = new_id();
        let description = match decision {
            ReviewDecision::Approved => "Approved the case",
            ReviewDecision::Returned => "Returned the case for more work",
        };
        self.edit(case_id, description, |case, editor| {
            case.record_review(&review_id, decision, comment, editor)
        })?;
        Ok(review_id)
    }

    /// The role this device last heard from the server. Only a hint for the
    /// screens: the server decides again on every sync.
    pub(crate) fn require_team_lead(&self) -> Result<(), ClientError> {
        // Only the session row: the full device status counts cases and outbox too.
        let role = self.store.sync_session()?.map(|session| session.role);
        match role.as_deref().and_then(Role::parse) {
            Some(Role::TeamLead) => Ok(()),
            _ => Err(ClientError::NotATeamLead {
                role: role.unwrap_or_else(|| "nobody signed in".to_owned()),
            }),
        }
    }
}
