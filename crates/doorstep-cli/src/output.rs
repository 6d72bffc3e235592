//! How results look on a terminal. With `--json`, the same values are printed
//! as JSON instead, so scripts and people read the same facts.

use doorstep_client::ClientError;
use doorstep_client::device::{CaseConflicts, DeviceStatus};
use doorstep_client::types::{AuditReport, CaseProjection, CaseView, FieldConflict, ItemView};
use serde::Serialize;

use crate::Diagnostics;

/// Prints `value` as JSON, or runs `human` to print it for a person.
pub fn print(json: bool, value: &impl Serialize, human: impl FnOnce()) -> Result<(), ClientError> {
    if json {
        let text = serde_json::to_string_pretty(value)
            .map_err(|error| ClientError::Output(error.to_string()))?;
        println!("{text}");
    } else {
        human();
    }
    Ok(())
}

pub fn diagnostics(report: &Diagnostics) {
    let app = &report.app;
    println!("Doorstep {}", app.version);
    println!("Data folder: {}", app.data_dir.display());
    println!("Council:     {}", app.council.name());
    match &report.server {
        None => println!("Server:      not set (use --server URL or DOORSTEP_SERVER_URL)"),
        Some(server) => {
            println!("Server:      {}", server.url);
            println!(
                "  health:    {:?}, version {}, protocol {}",
                server.health.status, server.health.version, server.health.protocol
            );
            let storage = &server.readiness.storage;
            match &storage.problem {
                None => println!("  storage:   {} ready", storage.backend),
                Some(problem) => println!("  storage:   {} NOT ready: {problem}", storage.backend),
            }
        }
    }
}

pub fn status(status: &DeviceStatus) {
    let signed_in = if status.signed_in {
        match (&status.role, &status.team) {
            (Some(role), Some(team)) => format!("signed in ({role}, {team})"),
            (Some(role), None) => format!("signed in ({role})"),
            _ => "signed in".to_owned(),
        }
    } else {
        "signed out".to_owned()
    };
    println!("User:              {} ({signed_in})", status.user);
    println!(
        "Server:            {}",
        status.server.as_deref().unwrap_or("not set")
    );
    println!("Cases:             {}", status.cases);
    println!("Unsynced changes:  {}", status.unsynced_changes);
    if status.files_to_send > 0 {
        println!("Files to send:     {}", status.files_to_send);
    }
    if status.refused_cases > 0 {
        println!(
            "Refused by server: {} cases (their changes are kept here)",
            status.refused_cases
        );
    }
    println!("Conflicts:         {}", status.conflicts);
    println!(
        "Last sync:         {}",
        status.last_sync.as_deref().unwrap_or("never")
    );
    if let Some(error) = &status.last_sync_error {
        println!("Last attempt:      failed: {error}");
    }
    println!(
        "Safe to hand in:   {}",
        if status.everything_acknowledged {
            "yes, the server has every change made here"
        } else {
            "no, changes are waiting to sync"
        }
    );
}

pub fn audit_log(records: &[doorstep_client::types::AuditRecord]) {
    for record in records {
        println!(
            "{:>6}  {}  {:<10} {:<12} {}  {}",
            record.seq,
            record.device_time.to_rfc3339(),
            record.user,
            record.action,
            record.case_id.as_deref().unwrap_or("-"),
            record.detail
        );
    }
}

pub fn outbox(entries: &[doorstep_client::types::OutboxEntry]) {
    if entries.is_empty() {
        println!("Nothing waiting: the server has every change made on this device.");
        return;
    }
    for entry in entries {
        println!(
            "{}  case {}  {}",
            entry.created_at.to_rfc3339(),
            entry.case_id,
            entry.description
        );
    }
}

pub fn sync_outcome(outcome: &doorstep_client::sync::SyncOutcome) {
    println!(
        "Synced with {} in {} rounds: received {} cases ({} new), the server acknowledged {}, {} removed from this device.",
        outcome.server,
        outcome.rounds,
        outcome.cases_received,
        outcome.new_cases,
        outcome.cases_acknowledged,
        outcome.cases_removed
    );
    println!(
        "{} bytes sent, {} bytes received; files: {} sent, {} received{}.",
        outcome.bytes_sent,
        outcome.bytes_received,
        outcome.files_sent,
        outcome.files_received,
        if outcome.files_over_budget > 0 {
            format!(
                ", {} not fetched (this device's storage budget for files is used up)",
                outcome.files_over_budget
            )
        } else {
            String::new()
        }
    );
    for refused in &outcome.refused {
        println!(
            "Refused by the server: case {}: {}",
            refused.case_id, refused.reason
        );
    }
    if outcome.everything_acknowledged {
        println!("Every change made on this device is on the server: safe to hand in.");
    } else {
        println!(
            "{} changes and {} files are not yet on the server; they are saved on this device.",
            outcome.unsynced_changes, outcome.files_to_send
        );
    }
}

pub fn case_list(cases: &[CaseProjection]) {
    if cases.is_empty() {
        println!("No cases match.");
        return;
    }
    for case in cases {
        let risk = if case.risk_warnings.is_empty() {
            ""
        } else {
            " [risk]"
        };
        let conflict = if case.conflict_count > 0 {
            " [conflict]"
        } else {
            ""
        };
        println!(
            "{}  {:<16} {:<24} {}{risk}{conflict}",
            case.case_id,
            case.status.as_str(),
            case.case_type,
            case.summary
        );
    }
}

fn item_line(item: &ItemView) -> String {
    item.fields
        .iter()
        .filter(|(_, entry)| !entry.value.is_empty())
        .map(|(field, entry)| format!("{field}: {}", entry.value))
        .collect::<Vec<_>>()
        .join(", ")
}

pub fn case_view(view: &CaseView) {
    println!("Case {}", view.id);
    for (field, entry) in &view.fields {
        println!(
            "  {field:<12} {}  ({} at {})",
            entry.value, entry.by, entry.at
        );
    }
    if !view.risks.is_empty() {
        println!("Risk warnings:");
        for risk in &view.risks {
            println!("  ! {}", risk.text("text").unwrap_or_default());
        }
    }
    if !view.narrative.is_empty() {
        println!(
            "Assessment narrative:\n  {}",
            view.narrative.replace('\n', "\n  ")
        );
    }
    let sections = [
        ("People", &view.people),
        ("Visits", &view.visits),
        ("Tasks", &view.tasks),
        ("Consent", &view.consents),
    ];
    for (title, items) in sections {
        if !items.is_empty() {
            println!("{title}:");
            for item in items {
                println!("  {}  {}", item.id, item_line(item));
            }
        }
    }
    if !view.notes.is_empty() {
        println!("Notes:");
        for note in &view.notes {
            let edited = if note.revisions.len() > 1 {
                " (edited)"
            } else {
                ""
            };
            println!(
                "  {} {}{edited}: {}",
                note.created_at, note.author, note.text
            );
        }
    }
    if !view.attachments.is_empty() {
        println!("Attachments:");
        for attachment in &view.attachments {
            println!(
                "  {} ({}, {} bytes)",
                attachment.name, attachment.media_type, attachment.size
            );
        }
    }
    if !view.conflicts.is_empty() {
        println!(
            "CONFLICTS (resolve with `doorstep resolve {} FIELD --value VALUE`):",
            view.id
        );
        for conflict in &view.conflicts {
            print_conflict(conflict);
        }
    }
}

pub fn conflicts(cases: &[CaseConflicts]) {
    if cases.is_empty() {
        println!("No unresolved conflicts.");
        return;
    }
    for case in cases {
        println!("Case {} ({})", case.case_id, case.summary);
        for conflict in &case.conflicts {
            print_conflict(conflict);
        }
    }
}

/// Every value of a conflicted field, side by side, with who set it and when.
fn print_conflict(conflict: &FieldConflict) {
    println!("  {}:", conflict.path);
    for value in &conflict.values {
        println!(
            "    {:?}  set by {} at {}",
            value.value.to_string(),
            value.by,
            value.at
        );
    }
}

pub fn audit(report: &AuditReport) {
    match &report.broken {
        None => println!("The audit log is intact: {} events checked.", report.events),
        Some(broken) => println!(
            "The audit log was ALTERED: the chain breaks at event {} ({}).",
            broken.seq, broken.reason
        ),
    }
}
