//! A team lead's oversight from the server: the team's laptops and when
//! each last synced, lone-worker alerts and how they were sent, and the
//! access record of a case or a worker. Devices also send their own audit
//! events here, so that reading a case offline reaches the council's record.

use std::collections::HashMap;

use axum::http::StatusCode;
use doorstep_core::access::{Role, name_key};
use doorstep_core::dates::Timestamp;
use doorstep_protocol::error::codes;
use doorstep_protocol::team::{
    AccessEntry, AccessRecord, AlertDelivery, DEVICE_AUDIT_ACTIONS, DeviceAuditReceipt,
    DeviceAuditUpload, MAX_ACCESS_ENTRIES, MAX_AUDIT_DETAIL_CHARACTERS,
    MAX_AUDIT_EVENTS_PER_UPLOAD, RECENT_ALERT_DAYS, TeamAlert, TeamDevice, TeamOverview,
};
use serde::Deserialize;
use serde_json::json;

use crate::api::ApiFailure;
use crate::audit::{AuditEvent, AuditRecord};
use crate::cases::check_case_id;
use crate::http::AppState;
use crate::sessions::{Caller, check_device_time};
use crate::storage::{AuditSubject, Storage, User, now_millis, now_rfc3339};

/// `GET /v1/team/audit`: one of `case_id` or `worker`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccessQuery {
    pub case_id: Option<String>,
    pub worker: Option<String>,
    pub limit: Option<i64>,
}

/// Records a device's own audit events (see [`DeviceAuditUpload`]). Every
/// event is checked first, so a bad one records nothing.
pub async fn record_device_audit<S: Storage>(
    state: &AppState<S>,
    caller: &Caller,
    upload: DeviceAuditUpload,
) -> Result<DeviceAuditReceipt, ApiFailure> {
    if upload.events.len() > MAX_AUDIT_EVENTS_PER_UPLOAD {
        return Err(ApiFailure::bad_request(format!(
            "Send at most {MAX_AUDIT_EVENTS_PER_UPLOAD} audit events at once, and the rest in the next request."
        )));
    }
    let mut previous = 0;
    let mut events = Vec::with_capacity(upload.events.len());
    for entry in upload.events {
        let place = format!("Audit event {}", entry.seq);
        if entry.seq <= previous {
            return Err(ApiFailure::bad_request(format!(
                "{place}: events must come oldest first, each with a larger `seq` than the one before, starting above 0."
            )));
        }
        previous = entry.seq;
        if !DEVICE_AUDIT_ACTIONS.contains(&entry.action.as_str()) {
            return Err(ApiFailure::bad_request(format!(
                "{place}: `action` must be one of {}.",
                DEVICE_AUDIT_ACTIONS.join(", ")
            )));
        }
        let device_time = check_device_time(Some(&entry.device_time)).map_err(|failure| {
            ApiFailure::bad_request(format!("{place}: {}", failure.body.message))
        })?;
        if let Some(case_id) = &entry.case_id {
            check_case_id(case_id)?;
        }
        if entry.detail.chars().count() > MAX_AUDIT_DETAIL_CHARACTERS {
            return Err(ApiFailure::bad_request(format!(
                "{place}: `detail` is longer than {MAX_AUDIT_DETAIL_CHARACTERS} characters."
            )));
        }
        if entry.hash.len() != 64 || !entry.hash.bytes().all(|byte| byte.is_ascii_hexdigit()) {
            return Err(ApiFailure::bad_request(format!(
                "{place}: `hash` must be the device chain's SHA-256, as 64 hex digits."
            )));
        }
        let mut event = AuditEvent::new(format!("device_{}", entry.action))
            .by(caller.user.name.clone())
            .device(caller.device.id.clone(), device_time)
            .detail(json!({
                "device_seq": entry.seq,
                "device_hash": entry.hash,
                "detail": entry.detail,
            }));
        if let Some(case_id) = entry.case_id {
            event = event.case(case_id);
        }
        events.push((entry.seq, event));
    }
    let recorded_to = state
        .storage
        .record_device_audit(&caller.device.id, events)
        .await?;
    Ok(DeviceAuditReceipt { recorded_to })
}

/// The caller's team, if they lead one.
fn led_team(caller: &Caller) -> Result<Option<String>, ApiFailure> {
    if caller.user.role != Role::TeamLead {
        return Err(ApiFailure::new(
            StatusCode::FORBIDDEN,
            codes::FORBIDDEN,
            "Only team leads can see their team's laptops, alerts and access records. Ask IT if your role should change.",
        ));
    }
    Ok(caller.user.team.clone())
}

fn in_team(team: &Option<String>, other: &Option<String>) -> bool {
    match (team, other) {
        (Some(team), Some(other)) => name_key(team) == name_key(other),
        _ => false,
    }
}

/// `GET /v1/team`.
pub async fn overview<S: Storage>(
    state: &AppState<S>,
    caller: &Caller,
) -> Result<TeamOverview, ApiFailure> {
    let team = led_team(caller)?;
    let members: HashMap<String, User> = state
        .storage
        .users()
        .await?
        .into_iter()
        .filter(|user| in_team(&team, &user.team))
        .map(|user| (name_key(&user.name), user))
        .collect();
    let devices = state
        .storage
        .devices()
        .await?
        .into_iter()
        .filter(|device| members.contains_key(&name_key(&device.user)))
        .map(|device| TeamDevice {
            device_id: device.id,
            user: device.user,
            hostname: device.hostname,
            os: device.os,
            app_version: device.app_version,
            last_sync_at: device.last_sync_at,
            revoked: device.revoked_at.is_some(),
        })
        .collect();
    let since = Timestamp(now_millis() - RECENT_ALERT_DAYS * 24 * 60 * 60 * 1000).to_rfc3339();
    let alerts: Vec<_> = state
        .storage
        .recent_lone_worker_alerts(&since)
        .await?
        .into_iter()
        .filter(|alert| in_team(&team, &alert.team))
        .collect();
    let mut deliveries: HashMap<i64, Vec<AlertDelivery>> = HashMap::new();
    for delivery in state
        .storage
        .alert_deliveries(alerts.iter().map(|alert| alert.id).collect())
        .await?
    {
        deliveries
            .entry(delivery.alert_id)
            .or_default()
            .push(AlertDelivery {
                channel: delivery.channel,
                delivered: delivery.delivered_at.is_some(),
                attempts: delivery.attempts,
                last_error: delivery.last_error,
            });
    }
    let alerts = alerts
        .into_iter()
        .map(|alert| TeamAlert {
            deliveries: deliveries.remove(&alert.id).unwrap_or_default(),
            id: alert.id,
            case_id: alert.case_id,
            worker: alert.worker,
            expected_end: alert.expected_end,
            raised_at: alert.raised_at,
            resolved_at: alert.resolved_at,
        })
        .collect();
    Ok(TeamOverview {
        team,
        devices,
        alerts,
        server_time: now_rfc3339(),
    })
}

/// `GET /v1/team/audit`: who viewed, changed or exported a case of the
/// lead's team, or what a worker in the team did. Reading it is audited too.
pub async fn access_record<S: Storage>(
    state: &AppState<S>,
    caller: &Caller,
    query: AccessQuery,
) -> Result<AccessRecord, ApiFailure> {
    let team = led_team(caller)?;
    let limit = query
        .limit
        .unwrap_or(200)
        .clamp(1, i64::try_from(MAX_ACCESS_ENTRIES).unwrap_or(i64::MAX));
    let reader = caller.reader();
    let mut case_visible: HashMap<String, bool> = HashMap::new();
    let (subject, audit) = match (query.case_id, query.worker) {
        (Some(case_id), None) => {
            check_case_id(&case_id)?;
            let visible = state
                .storage
                .case_record(&case_id)
                .await?
                .is_some_and(|record| reader.may_see(&record.facts));
            if !visible {
                return Err(ApiFailure::case_not_found(&case_id));
            }
            (
                AuditSubject::Case(case_id.clone()),
                AuditEvent::new("access_record_read").case(case_id),
            )
        }
        (None, Some(worker)) => {
            let user = state
                .storage
                .users()
                .await?
                .into_iter()
                .find(|user| name_key(&user.name) == name_key(&worker) && in_team(&team, &user.team))
                .ok_or_else(|| {
                    ApiFailure::new(
                        StatusCode::NOT_FOUND,
                        codes::NOT_FOUND,
                        format!("There is no one called {worker} in your team. Check the name on the Team page."),
                    )
                })?;
            (
                AuditSubject::Actor(user.name.clone()),
                AuditEvent::new("access_record_read").detail(json!({ "worker": user.name })),
            )
        }
        _ => {
            return Err(ApiFailure::bad_request(
                "Ask for one case (?case_id=…) or one worker (?worker=…).",
            ));
        }
    };
    let records = state.storage.audit_trail(subject, limit).await?;
    let mut device_names: HashMap<String, Option<String>> = HashMap::new();
    let mut entries = Vec::with_capacity(records.len());
    for record in records {
        // Syncs are the device's housekeeping, not access to anything.
        if record.action == "synced" {
            continue;
        }
        if let Some(case_id) = &record.case_id
            && !may_see_case(state, &reader, &mut case_visible, case_id).await?
        {
            continue;
        }
        let device_name = match &record.device_id {
            Some(id) => match device_names.get(id) {
                Some(name) => name.clone(),
                None => {
                    let name = state
                        .storage
                        .device(id)
                        .await?
                        .map(|device| device.hostname);
                    device_names.insert(id.clone(), name.clone());
                    name
                }
            },
            None => None,
        };
        entries.push(entry(record, device_name));
    }
    state
        .storage
        .record_audit(vec![
            audit
                .by(caller.user.name.clone())
                .device(caller.device.id.clone(), caller.device_time.clone()),
        ])
        .await?;
    Ok(AccessRecord { entries })
}

async fn may_see_case<S: Storage>(
    state: &AppState<S>,
    reader: &doorstep_core::access::Reader,
    known: &mut HashMap<String, bool>,
    case_id: &str,
) -> Result<bool, ApiFailure> {
    if let Some(visible) = known.get(case_id) {
        return Ok(*visible);
    }
    let visible = state
        .storage
        .case_record(case_id)
        .await?
        .is_some_and(|record| reader.may_see(&record.facts));
    known.insert(case_id.to_owned(), visible);
    Ok(visible)
}

fn entry(record: AuditRecord, device_name: Option<String>) -> AccessEntry {
    AccessEntry {
        seq: record.seq,
        server_time: record.server_time,
        device_time: record.device_time,
        actor: record.actor,
        device_id: record.device_id,
        device_name,
        action: record.action,
        case_id: record.case_id,
    }
}
