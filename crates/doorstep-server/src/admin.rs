//! What council IT does with `doorstep-server admin`: teams and accounts.
//! Each action is one call on the storage trait, so it works the same on
//! SQLite and PostgreSQL.

use serde_json::json;

use crate::accounts::{PasswordDigest, PasswordError, Role};
use crate::storage::{NewUser, Storage, StorageError};

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
    ListUsers,
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
}

/// Carries out `action`; the result is JSON for `--json` and the basis of the text output.
pub async fn run<S: Storage>(
    storage: &S,
    action: AdminAction,
) -> Result<serde_json::Value, AdminError> {
    Ok(match action {
        AdminAction::AddTeam { name } => json!({ "team": storage.add_team(&name).await? }),
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
            json!({ "user": storage.add_user(NewUser { name, role, team, digest }).await? })
        }
        AdminAction::SetUserDisabled { name, disabled } => {
            json!({ "user": storage.set_user_disabled(&name, disabled).await? })
        }
        AdminAction::ListUsers => json!({ "users": storage.users().await? }),
    })
}
