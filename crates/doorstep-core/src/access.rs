//! Who may see and change which case. The server enforces these rules on
//! every request; they live here, with no I/O, so the rules and their tests
//! are one piece of code that the server's SQL filter is checked against.

use serde::{Deserialize, Serialize};

use crate::case::CaseStatus;

/// What a signed-in person is, for access decisions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Role {
    Caseworker,
    TeamLead,
    Admin,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Caseworker => "caseworker",
            Role::TeamLead => "team-lead",
            Role::Admin => "admin",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text.trim().to_ascii_lowercase().as_str() {
            "caseworker" => Some(Role::Caseworker),
            "team-lead" | "team_lead" | "teamlead" => Some(Role::TeamLead),
            "admin" => Some(Role::Admin),
            _ => None,
        }
    }
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Case types whose cases every caseworker in the team may open, because
/// colleagues cover each other's visits. Social care cases are not on this
/// list: they hold sensitive health and family details, so only the assigned
/// worker and the team's leads see them.
pub const TEAM_SHARED_CASE_TYPES: &[&str] = &["housing", "environmental_health", "welfare"];

pub fn case_type_is_shared_with_team(case_type: &str) -> bool {
    TEAM_SHARED_CASE_TYPES
        .iter()
        .any(|shared| shared.eq_ignore_ascii_case(case_type.trim()))
}

/// How names are compared for access: trimmed and lowercased (Unicode), the
/// same in the server's code and, through stored keys, in its SQL.
pub fn name_key(name: &str) -> String {
    name.trim().to_lowercase()
}

fn same_name(a: &Option<String>, b: &Option<String>) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => name_key(a) == name_key(b),
        _ => false,
    }
}

/// The facts about a case that decide who may see it.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct CaseAccessFacts {
    pub case_type: String,
    pub team: Option<String>,
    pub assigned_to: Option<String>,
}

impl CaseAccessFacts {
    pub fn shared_with_team(&self) -> bool {
        case_type_is_shared_with_team(&self.case_type)
    }

    /// The team's key for database lookups (see [`name_key`]).
    pub fn team_key(&self) -> Option<String> {
        self.team.as_deref().map(name_key)
    }

    pub fn assignee_key(&self) -> Option<String> {
        self.assigned_to.as_deref().map(name_key)
    }
}

/// Who is asking.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reader {
    pub user: String,
    pub role: Role,
    pub team: Option<String>,
}

/// The set of cases a reader may see, in the form a database query can use:
/// cases assigned to `assignee`, plus cases of `team` (all of them, or only
/// the team-shared types).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseScope {
    pub assignee: Option<String>,
    pub team: Option<String>,
    pub whole_team: bool,
}

impl CaseScope {
    /// Whether this scope can include any case at all.
    pub fn is_empty(&self) -> bool {
        self.assignee.is_none() && self.team.is_none()
    }

    pub fn includes(&self, case: &CaseAccessFacts) -> bool {
        same_name(&self.assignee, &case.assigned_to)
            || (same_name(&self.team, &case.team) && (self.whole_team || case.shared_with_team()))
    }
}

impl Reader {
    /// Caseworkers: their own cases and their team's shared types. Team leads:
    /// all their team's cases. Admins manage accounts and devices and read no
    /// case content.
    pub fn scope(&self) -> CaseScope {
        match self.role {
            Role::Admin => CaseScope {
                assignee: None,
                team: None,
                whole_team: false,
            },
            Role::Caseworker => CaseScope {
                assignee: Some(self.user.clone()),
                team: self.team.clone(),
                whole_team: false,
            },
            Role::TeamLead => CaseScope {
                assignee: Some(self.user.clone()),
                team: self.team.clone(),
                whole_team: true,
            },
        }
    }

    pub fn may_see(&self, case: &CaseAccessFacts) -> bool {
        self.scope().includes(case)
    }

    /// Whether this person may turn `before` (None for a new case) into `after`.
    /// Writers must see the case before and after; a case stays in the
    /// writer's team; only team leads hand a case to someone else.
    pub fn may_change(
        &self,
        before: Option<&CaseAccessFacts>,
        after: &CaseAccessFacts,
    ) -> Result<(), WriteRefusal> {
        if self.role == Role::Admin {
            return Err(WriteRefusal::AdminsDoNotEditCases);
        }
        if let Some(before) = before
            && !self.may_see(before)
        {
            return Err(WriteRefusal::NotYourCase);
        }
        let same = |a: &Option<String>, b: &Option<String>| match (a, b) {
            (None, None) => true,
            _ => same_name(a, b),
        };
        let team_is_writers = after.team.is_some() && same(&after.team, &self.team);
        let team_unchanged = before.is_some_and(|before| same(&before.team, &after.team));
        // A case from before teams were recorded may stay teamless.
        let stays_teamless = team_unchanged && after.team.is_none();
        if !(team_is_writers || stays_teamless) {
            return Err(WriteRefusal::OtherTeam);
        }
        let assignee_unchanged =
            before.is_some_and(|before| same(&before.assigned_to, &after.assigned_to));
        let assigned_to_self = same(&after.assigned_to, &Some(self.user.clone()));
        if self.role == Role::Caseworker && !assignee_unchanged && !assigned_to_self {
            return Err(WriteRefusal::OnlyLeadsReassign);
        }
        if self.role == Role::Caseworker && !self.may_see(after) {
            return Err(WriteRefusal::OnlyLeadsReassign);
        }
        Ok(())
    }
}

/// What a push does to a case's review workflow, as the server sees it
/// after merging: the status before (None for a new case) and after, and
/// how many review decisions the case held before and after.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WorkflowChange {
    pub status_before: Option<CaseStatus>,
    pub status_after: CaseStatus,
    pub reviews_before: usize,
    pub reviews_after: usize,
}

impl WorkflowChange {
    /// Records a review decision, or closes the case (which only approving
    /// a review does).
    pub fn decides_a_review(&self) -> bool {
        let closes = self.status_after == CaseStatus::Closed
            && self.status_before != Some(CaseStatus::Closed);
        self.reviews_after > self.reviews_before || closes
    }
}

impl Reader {
    /// Only team leads approve or return cases. Checked on every push, so a
    /// decision made offline by someone who has since lost the role is
    /// refused and the case stays as it was on the server. A caseworker may
    /// still take their own submission back (awaiting review to in
    /// progress): that decides nothing.
    pub fn may_change_workflow(&self, change: &WorkflowChange) -> Result<(), WriteRefusal> {
        if change.decides_a_review() && self.role != Role::TeamLead {
            return Err(WriteRefusal::OnlyLeadsReview);
        }
        Ok(())
    }
}

/// Why a change to a case was refused. The server sends the message to the
/// device, which keeps the change and shows this reason beside it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum WriteRefusal {
    #[error("Administrators manage accounts and devices but do not edit cases.")]
    AdminsDoNotEditCases,
    #[error("This case is not assigned to you or shared with your team. Ask your team lead.")]
    NotYourCase,
    #[error("A case must belong to your own team. Set the team to yours, or ask your team lead.")]
    OtherTeam,
    #[error(
        "Only a team lead can assign a case to someone else. Ask your team lead to reassign it."
    )]
    OnlyLeadsReassign,
    #[error(
        "Only a team lead can approve or return a case. Your decision is kept on this laptop; ask a team lead to review the case."
    )]
    OnlyLeadsReview,
}

impl WriteRefusal {
    /// A stable code for machines.
    pub fn code(self) -> &'static str {
        match self {
            WriteRefusal::AdminsDoNotEditCases => "admins_do_not_edit_cases",
            WriteRefusal::NotYourCase => "not_your_case",
            WriteRefusal::OtherTeam => "other_team",
            WriteRefusal::OnlyLeadsReassign => "only_leads_reassign",
            WriteRefusal::OnlyLeadsReview => "only_leads_review",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn case(case_type: &str, team: Option<&str>, assigned_to: Option<&str>) -> CaseAccessFacts {
        CaseAccessFacts {
            case_type: case_type.into(),
            team: team.map(Into::into),
            assigned_to: assigned_to.map(Into::into),
        }
    }

    fn person(user: &str, role: Role, team: Option<&str>) -> Reader {
        Reader {
            user: user.into(),
            role,
            team: team.map(Into::into),
        }
    }

    #[test]
    fn names_match_ignoring_case_in_any_alphabet_and_surrounding_spaces() {
        let elin = person("Élin", Role::Caseworker, Some("Ynys Môn"));
        assert!(elin.may_see(&case("adult_social_care", Some("YNYS MÔN"), Some(" élin "))));
        assert!(elin.may_see(&case("housing", Some("ynys môn "), None)));
        assert!(!elin.may_see(&case("housing", Some("Ynys Mon"), None)));
    }

    #[test]
    fn a_caseworker_sees_their_own_cases_and_only_the_shared_types_of_their_team() {
        let amy = person("amy", Role::Caseworker, Some("North"));
        assert!(amy.may_see(&case("adult_social_care", Some("North"), Some("AMY"))));
        assert!(amy.may_see(&case("housing", Some("North"), Some("ben"))));
        assert!(amy.may_see(&case("housing", Some("north"), None)));
        assert!(!amy.may_see(&case("adult_social_care", Some("North"), Some("ben"))));
        assert!(!amy.may_see(&case("housing", Some("South"), Some("ben"))));
        assert!(!amy.may_see(&case("housing", None, None)));
    }

    fn workflow(
        before: Option<CaseStatus>,
        after: CaseStatus,
        reviews: (usize, usize),
    ) -> WorkflowChange {
        WorkflowChange {
            status_before: before,
            status_after: after,
            reviews_before: reviews.0,
            reviews_after: reviews.1,
        }
    }

    #[test]
    fn only_a_team_lead_approves_or_returns_a_case() {
        use CaseStatus::*;
        let amy = person("amy", Role::Caseworker, Some("North"));
        let lee = person("lee", Role::TeamLead, Some("North"));
        let approve = workflow(Some(AwaitingReview), Closed, (0, 1));
        let send_back = workflow(Some(AwaitingReview), InProgress, (1, 2));
        for decision in [approve, send_back] {
            assert_eq!(lee.may_change_workflow(&decision), Ok(()));
            assert_eq!(
                amy.may_change_workflow(&decision),
                Err(WriteRefusal::OnlyLeadsReview)
            );
        }
        assert_eq!(
            amy.may_change_workflow(&workflow(Some(InProgress), Closed, (0, 0))),
            Err(WriteRefusal::OnlyLeadsReview),
            "closing without a review is still a decision"
        );
        assert_eq!(
            amy.may_change_workflow(&workflow(None, Closed, (0, 0))),
            Err(WriteRefusal::OnlyLeadsReview),
            "nor can a new case arrive closed"
        );
    }

    #[test]
    fn a_caseworker_submits_takes_back_reopens_and_edits_without_deciding_anything() {
        use CaseStatus::*;
        let amy = person("amy", Role::Caseworker, Some("North"));
        for change in [
            workflow(Some(InProgress), AwaitingReview, (0, 0)),
            workflow(Some(AwaitingReview), InProgress, (0, 0)),
            workflow(Some(Closed), Open, (1, 1)),
            workflow(Some(Closed), Closed, (1, 1)),
            workflow(None, AwaitingReview, (0, 0)),
        ] {
            assert_eq!(amy.may_change_workflow(&change), Ok(()), "{change:?}");
        }
    }

    #[test]
    fn a_team_lead_sees_every_case_of_their_team_and_no_other() {
        let lee = person("lee", Role::TeamLead, Some("North"));
        assert!(lee.may_see(&case("childrens_services", Some("North"), Some("amy"))));
        assert!(lee.may_see(&case("adult_social_care", Some("North"), None)));
        assert!(!lee.may_see(&case("housing", Some("South"), Some("sam"))));
    }

    #[test]
    fn an_admin_sees_no_case_content() {
        let ida = person("ida", Role::Admin, None);
        assert!(ida.scope().is_empty());
        assert!(!ida.may_see(&case("housing", None, Some("ida"))));
        assert_eq!(
            ida.may_change(None, &case("housing", None, Some("ida"))),
            Err(WriteRefusal::AdminsDoNotEditCases)
        );
    }

    #[test]
    fn a_caseworker_opens_cases_in_their_own_team_only() {
        let amy = person("amy", Role::Caseworker, Some("North"));
        assert_eq!(
            amy.may_change(None, &case("housing", Some("North"), Some("amy"))),
            Ok(())
        );
        assert_eq!(
            amy.may_change(None, &case("housing", Some("South"), Some("amy"))),
            Err(WriteRefusal::OtherTeam)
        );
        assert_eq!(
            amy.may_change(None, &case("housing", None, Some("amy"))),
            Err(WriteRefusal::OtherTeam)
        );
    }

    #[test]
    fn only_a_team_lead_hands_a_case_to_someone_else() {
        let amy = person("amy", Role::Caseworker, Some("North"));
        let lee = person("lee", Role::TeamLead, Some("North"));
        let before = case("adult_social_care", Some("North"), Some("amy"));
        let to_ben = case("adult_social_care", Some("North"), Some("ben"));
        assert_eq!(
            amy.may_change(Some(&before), &to_ben),
            Err(WriteRefusal::OnlyLeadsReassign)
        );
        assert_eq!(lee.may_change(Some(&before), &to_ben), Ok(()));
        let to_south = case("adult_social_care", Some("South"), Some("ben"));
        assert_eq!(
            lee.may_change(Some(&before), &to_south),
            Err(WriteRefusal::OtherTeam)
        );
    }

    #[test]
    fn a_caseworker_may_edit_a_shared_case_assigned_to_a_colleague_without_taking_it() {
        let amy = person("amy", Role::Caseworker, Some("North"));
        let bens = case("housing", Some("North"), Some("ben"));
        assert_eq!(amy.may_change(Some(&bens), &bens), Ok(()));
        let restricted = case("adult_social_care", Some("North"), Some("ben"));
        assert_eq!(
            amy.may_change(Some(&restricted), &restricted),
            Err(WriteRefusal::NotYourCase)
        );
    }
}
