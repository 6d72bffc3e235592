//! After the cases and files: this device's own audit log goes to the
//! server, and a team lead's device fetches the server's view of the team.

use doorstep_protocol::team::{
    AccessRecord, DEVICE_AUDIT_ACTIONS, DeviceAuditEntry, DeviceAuditUpload,
    MAX_AUDIT_DETAIL_CHARACTERS, MAX_AUDIT_EVENTS_PER_UPLOAD,
};
use doorstep_store::{DeviceStore, KeptTeamOverview, device_now};

use crate::engine::with_access;
use crate::wire::{AccessSubject, ServerConnection};
use crate::{Credentials, SyncError};

/// Sends every event of this device's audit log the server has not
/// recorded, in batches. Events by someone other than `user` (an earlier
/// person on this laptop) and housekeeping (sign-ins, syncs, which the
/// server records itself) are passed over.
pub(crate) fn send_audit_log(
    store: &mut DeviceStore,
    connection: &ServerConnection,
    credentials: &Credentials,
    access: &mut String,
    server: &str,
    user: &str,
) -> Result<(), SyncError> {
    loop {
        let batch = store.audit_to_send(server, MAX_AUDIT_EVENTS_PER_UPLOAD)?;
        let Some(last) = batch.last().map(|record| record.seq) else {
            return Ok(());
        };
        let events: Vec<DeviceAuditEntry> = batch
            .into_iter()
            .filter(|record| {
                record.user.eq_ignore_ascii_case(user)
                    && DEVICE_AUDIT_ACTIONS.contains(&record.action.as_str())
            })
            .map(|record| DeviceAuditEntry {
                seq: i64::try_from(record.seq).unwrap_or(i64::MAX),
                device_time: record.device_time.to_rfc3339(),
                action: record.action,
                case_id: record.case_id,
                detail: record
                    .detail
                    .chars()
                    .take(MAX_AUDIT_DETAIL_CHARACTERS)
                    .collect(),
                hash: record.hash,
            })
            .collect();
        if !events.is_empty() {
            let upload = DeviceAuditUpload { events };
            with_access(connection, credentials, access, |token| {
                connection.upload_audit(token, &upload)
            })?;
        }
        store.record_audit_sent(server, last)?;
    }
}

/// Fetches the server's view of the team and keeps it for the Team page,
/// which shows it with the time it was fetched, offline too.
pub(crate) fn fetch_team_overview(
    store: &mut DeviceStore,
    connection: &ServerConnection,
    credentials: &Credentials,
    access: &mut String,
    server: &str,
) -> Result<(), SyncError> {
    let answer = with_access(connection, credentials, access, |token| {
        connection.team_overview(token)
    });
    let body = match answer {
        Ok((body, _)) => body,
        // No longer a team lead: the server decides, and the cases have synced.
        Err(SyncError::Refused { status: 403, .. }) => {
            store.forget_team_overview()?;
            return Ok(());
        }
        Err(error) => return Err(error),
    };
    store.keep_team_overview(&KeptTeamOverview {
        server_url: server.to_owned(),
        fetched_at: device_now(),
        body,
    })?;
    Ok(())
}

/// Asks the server, now, who accessed a case or what a worker did. Needs a
/// connection; the server decides whether this user may see it.
pub fn access_record(
    connection: &ServerConnection,
    credentials: &Credentials,
    subject: &AccessSubject,
) -> Result<AccessRecord, SyncError> {
    let mut access = credentials.access_token()?.ok_or(SyncError::NotSignedIn)?;
    with_access(connection, credentials, &mut access, |token| {
        connection.team_access_record(token, subject)
    })
}
