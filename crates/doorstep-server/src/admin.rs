//! What council IT does with `doorstep-server admin`: teams and accounts.
//! Each action is one call on the storage trait, so it works the same on
//! SQLite and PostgreSQL.

use serde_json::json;

use crate::accounts::{PasswordDigest, PasswordError, Role};
use crate::audit::{AuditEvent, AuditRecord, AuditVerdict, verify_chain};
use crate::storage::{NewUser, Storage, StorageError};
use doorstep_core::access::name_key;

/// Who did it, in the audit log, when IT acts through the admin CLI.
pub fn operator() -> String {
    let login = std::env::var("SUDO_USER")
        .or_else(|_| std::env::var("USER"))
        .unwrap_or_else(|_| "unknown".into());
    format!("admin-cli:{login}")
}

/// How many audit rows are read at once while verifying or exporting.
const AUDIT_PAGE: i64 = 5_000;

/// Reads the whole log in pages, oldest first, handing each page to `visit`.
pub async fn each_audit_page<S: Storage>(
    storage: &S,
    mut visit: impl FnMut(Vec<AuditRecord>),
) -> Result<(), StorageError> {
    let mut after = 0;
    loop {
        let page = storage.audit_events(after, AUDIT_PAGE).await?;
        let Some(last) = page.last() else {
            return Ok(());
        };
        after = last.seq;
        visit(page);
    }
}

/// Walks the whole chain and checks it against the stored tip.
pub async fn verify_audit<S: Storage>(storage: &S) -> Result<AuditVerdict, StorageError> {
    let tip = storage.audit_tip().await?;
    let mut records = Vec::new();
    // A running server keeps appending; check the chain up to the tip read
    // first, and events written since then are left for the next check.
    each_audit_page(storage, |page| {
        records.extend(page.into_iter().filter(|record| record.seq <= tip.0));
    })
    .await?;
    Ok(verify_chain(records, tip))
}

#[derive(Debug, Clone)]
pub enum AdminAction {
    AddTeam {
        name: String,
    },
    ListTeams,
    AddUser {
        name: String,
        role: Role,
        team: Option<String>,
        password: String,
    },
    SetUserDisabled {
        name: String,
        disabled: bool,
    },
    SetUserRole {
        name: String,
        role: Role,
    },
    /// Moves a user to another team; `None` takes them out of every team (admins only).
    SetUserTeam {
        name: String,
        team: Option<String>,
    },
    ListUsers,
    ListDevices,
    ListAlerts {
        open_only: bool,
    },
    RevokeDevice {
        id: String,
    },
    VerifyAudit,
}

#[derive(Debug, thiserror::Error)]
pub enum AdminError {
    #[error(transparent)]
    Storage(#[from] StorageError),
    #[error(transparent)]
    Password(#[from] PasswordError),
    #[error(
        "A {0} must belong to a team: add --team NAME (create it first with `admin team add NAME`)."
    )]
    TeamRequired(Role),
    #[error(
        "The audit log has been tampered with: {}. Keep this database as evidence, restore the last good backup to a new server, and report it to your information governance lead.",
        .0.problem.as_deref().unwrap_or("the chain is broken")
    )]
    AuditBroken(AuditVerdict),
}

/// Carries out `action`; the result is JSON for `--json` and the basis of the text output.
pub async fn run<S: Storage>(
    storage: &S,
    action: AdminAction,
) -> Result<serde_json::Value, AdminError> {
    Ok(match action {
        AdminAction::AddTeam { name } => {
            let team = storage.add_team(&name).await?;
            storage
                .record_audit(vec![
                    AuditEvent::new("admin_team_added")
                        .by(operator())
                        .detail(json!({ "team": team.name })),
                ])
                .await?;
            json!({ "team": team })
        }
        AdminAction::ListTeams => json!({ "teams": storage.teams().await? }),
        AdminAction::AddUser {
            name,
            role,
            team,
            password,
        } => {
            if role != Role::Admin && team.is_none() {
                return Err(AdminError::TeamRequired(role));
            }
            // Hashing is deliberately slow; keep it off the async workers.
            let digest = tokio::task::spawn_blocking(move || PasswordDigest::hash(&password))
                .await
                .map_err(|error| StorageError::Unavailable(error.to_string()))??;
            let user = storage
                .add_user(NewUser {
                    name,
                    role,
                    team,
                    digest,
                })
                .await?;
            storage
                .record_audit(vec![
                    AuditEvent::new("admin_user_added")
                        .by(operator())
                        .detail(json!({ "user": user.name, "role": user.role, "team": user.team })),
                ])
                .await?;
            json!({ "user": user })
        }
        AdminAction::SetUserDisabled { name, disabled } => {
            let user = storage.set_user_disabled(&name, disabled).await?;
            storage
                .record_audit(vec![
                    AuditEvent::new(if disabled {
                        "admin_user_disabled"
                    } else {
                        "admin_user_enabled"
                    })
                    .by(operator())
                    .detail(json!({ "user": user.name })),
                ])
                .await?;
            json!({ "user": user })
        }
        AdminAction::SetUserRole { name, role } => {
            let account = storage
                .users()
                .await?
                .into_iter()
                .find(|user| name_key(&user.name) == name_key(&name))
                .ok_or_else(|| StorageError::no_such_user(name.trim()))?;
            if role != Role::Admin && account.team.is_none() {
                return Err(AdminError::TeamRequired(role));
            }
            let user = storage.set_user_role(&name, role).await?;
            storage
                .record_audit(vec![
                    AuditEvent::new("admin_user_role_changed")
                        .by(operator())
                        .detail(json!({
                            "user": user.name,
                            "from": account.role.as_str(),
                            "to": role.as_str(),
                        })),
                ])
                .await?;
            json!({ "user": user })
        }
        AdminAction::SetUserTeam { name, team } => {
            let account = storage
                .users()
                .await?
                .into_iter()
                .find(|user| name_key(&user.name) == name_key(&name))
                .ok_or_else(|| StorageError::no_such_user(name.trim()))?;
            if account.role != Role::Admin && team.is_none() {
                return Err(AdminError::TeamRequired(account.role));
            }
            let user = storage.set_user_team(&name, team.as_deref()).await?;
            storage
                .record_audit(vec![
                    AuditEvent::new("admin_user_team_changed")
                        .by(operator())
                        .detail(json!({
                            "user": user.name,
                            "from": account.team,
                            "to": user.team,
                        })),
                ])
                .await?;
            json!({ "user": user })
        }
        AdminAction::ListUsers => json!({ "users": storage.users().await? }),
        AdminAction::ListDevices => json!({ "devices": storage.devices().await? }),
        AdminAction::ListAlerts { open_only } => {
            json!({ "alerts": storage.lone_worker_alerts(open_only).await? })
        }
        AdminAction::RevokeDevice { id } => {
            let device = storage
                .revoke_device(
                    id.trim(),
                    AuditEvent::new("admin_device_revoked")
                        .by(operator())
                        .detail(json!({ "device": id.trim() })),
                )
                .await?;
            json!({ "device": device })
        }
        AdminAction::VerifyAudit => {
            let verdict = verify_audit(storage).await?;
            if !verdict.intact {
                return Err(AdminError::AuditBroken(verdict));
            }
            json!({ "audit": verdict })
        }
    })
}
