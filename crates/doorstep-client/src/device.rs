//! This laptop's Doorstep: the encrypted store, who is using it, and every
//! case operation the app and the CLI offer. Each operation is one call here.
//!
//! Operations block (SQLite, automerge); async callers run them on
//! `spawn_blocking` so the UI never waits on them.

use doorstep_core::case::{
    CaseDocument, CaseProjection, CaseView, Editor, FieldConflict, FieldPath, NewCase, SectionKind,
};
use doorstep_core::dates::Timestamp;
use doorstep_store::{AuditAction, AuditEvent, AuditReport, CaseFilter, DeviceStore};
use serde::Serialize;

use crate::{ClientError, DeviceSettings};

/// The largest `case import` file accepted in one go.
pub const MAXIMUM_IMPORT_BYTES: usize = 256 * 1024 * 1024;

#[derive(Debug)]
pub struct Device {
    pub(crate) store: DeviceStore,
    pub(crate) settings: DeviceSettings,
    /// The signed-in person, or (before the first sign-in) the name from the settings.
    pub(crate) user: String,
    /// Set once IT's revocation has wiped this device: nothing more may be done with it.
    pub(crate) wiped: bool,
}

/// A person to add to a case, as typed.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PersonInput {
    pub name: String,
    pub date_of_birth: Option<String>,
    pub nhs_number: Option<String>,
    pub ni_number: Option<String>,
    pub address: Option<String>,
    pub postcode: Option<String>,
    pub uprn: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub relationship: Option<String>,
}

/// The conflicts on one case.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CaseConflicts {
    pub case_id: String,
    pub reference: Option<String>,
    pub summary: String,
    /// Who the case is with, so a team lead knows whom to ask.
    pub assigned_to: Option<String>,
    pub conflicts: Vec<FieldConflict>,
}

/// What `doorstep status` shows.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DeviceStatus {
    pub user: String,
    pub signed_in: bool,
    pub role: Option<String>,
    pub team: Option<String>,
    pub server: Option<String>,
    pub cases: usize,
    pub unsynced_changes: usize,
    /// Files attached here that the server does not hold yet.
    pub files_to_send: usize,
    /// True when the server has acknowledged every change made here: the
    /// laptop can be handed in without losing anything.
    pub everything_acknowledged: bool,
    /// Cases whose changes the server refused; they stay here with the reason.
    pub refused_cases: usize,
    pub conflicts: usize,
    /// When the last sync completed (RFC 3339), if ever.
    pub last_sync: Option<String>,
    /// Why the last attempt failed, if it did.
    pub last_sync_error: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RebuildReport {
    pub cases: usize,
    /// True when every rebuilt row matched the row kept up to date edit by edit.
    pub identical: bool,
}

fn now() -> Timestamp {
    doorstep_store::device_now()
}

pub fn new_id() -> String {
    ulid::Ulid::generate().to_string()
}

impl Device {
    /// Opens this device's store, creating it and its key on first use.
    pub fn open(settings: &DeviceSettings) -> Result<Self, ClientError> {
        let store = DeviceStore::open_with_os_keyring(&settings.data_dir)?;
        let user = match store.sync_session()? {
            Some(session) => session.user,
            None => settings.user.clone(),
        };
        Ok(Self {
            store,
            settings: settings.clone(),
            user,
            wiped: false,
        })
    }

    pub fn status(&self) -> Result<DeviceStatus, ClientError> {
        let session = self.store.sync_session()?;
        let server = session
            .as_ref()
            .map(|session| session.server_url.clone())
            .or_else(|| self.settings.server_url.as_ref().map(ToString::to_string));
        let progress = match &server {
            Some(server) => Some(self.store.sync_progress(server)?),
            None => None,
        };
        let conflicts = self
            .store
            .list_cases(&CaseFilter {
                with_conflicts_only: true,
                limit: None,
                ..CaseFilter::default()
            })?
            .iter()
            .map(|case| case.conflict_count)
            .sum();
        let unsynced_changes = self.store.unsynced_change_count()?;
        let files_to_send = self.store.pending_upload_count()?;
        Ok(DeviceStatus {
            user: self.user.clone(),
            signed_in: session.as_ref().is_some_and(|session| session.signed_in),
            role: session.as_ref().map(|session| session.role.clone()),
            team: session.as_ref().and_then(|session| session.team.clone()),
            server,
            cases: self.store.case_count()?,
            unsynced_changes,
            files_to_send,
            everything_acknowledged: self.store.everything_acknowledged()?,
            refused_cases: self.store.refused_cases()?.len(),
            conflicts,
            last_sync: progress
                .as_ref()
                .and_then(|progress| progress.last_sync_at)
                .map(Timestamp::to_rfc3339),
            last_sync_error: progress.and_then(|progress| progress.last_error),
        })
    }

    pub fn settings(&self) -> &DeviceSettings {
        &self.settings
    }

    pub fn user(&self) -> &str {
        &self.user
    }

    fn editor(&self) -> Editor {
        Editor::new(self.user.clone(), now())
    }

    fn event(&self, action: AuditAction, case_id: &str, detail: impl Into<String>) -> AuditEvent {
        AuditEvent {
            user: self.user.clone(),
            action,
            case_id: Some(case_id.to_owned()),
            detail: detail.into(),
            device_time: now(),
        }
    }

    pub(crate) fn load(&self, case_id: &str) -> Result<CaseDocument, ClientError> {
        if self.wiped {
            return Err(ClientError::Wiped);
        }
        if !self.store.has_case(case_id)? {
            return Err(ClientError::NoSuchCase(case_id.to_owned()));
        }
        Ok(self.store.load_case(case_id)?)
    }

    /// Runs one edit on a case and makes it durable; returns only after the commit.
    pub(crate) fn edit(
        &mut self,
        case_id: &str,
        description: &str,
        change: impl FnOnce(&mut CaseDocument, &Editor) -> Result<(), doorstep_core::case::CaseError>,
    ) -> Result<(), ClientError> {
        let mut case = self.load(case_id)?;
        let editor = self.editor();
        change(&mut case, &editor)?;
        let event = self.event(AuditAction::Edited, case_id, description);
        self.store.commit_edit(&mut case, description, &event)?;
        Ok(())
    }

    pub fn create_case(&mut self, case_type: &str, summary: &str) -> Result<String, ClientError> {
        if self.wiped {
            return Err(ClientError::Wiped);
        }
        let id = new_id();
        let mut case = CaseDocument::create(
            NewCase {
                id: id.clone(),
                case_type: case_type.to_owned(),
                summary: summary.to_owned(),
            },
            &self.editor(),
            self.store.device_actor(),
        )?;
        // A case opened by a signed-in person is theirs and their team's,
        // so the server accepts it and their lead sees it.
        if let Some(session) = self.store.sync_session()? {
            let editor = self.editor();
            if let Some(team) = &session.team {
                case.set_field(&FieldPath::case("team"), team, &editor)?;
            }
            case.set_field(&FieldPath::case("assigned_to"), &session.user, &editor)?;
        }
        let event = self.event(AuditAction::Created, &id, "Opened the case");
        self.store.create_case(&mut case, &event)?;
        Ok(id)
    }

    pub fn list_cases(&self, filter: &CaseFilter) -> Result<Vec<CaseProjection>, ClientError> {
        Ok(self.store.list_cases(filter)?)
    }

    /// The whole case. Viewing is recorded in the audit log, as data protection requires.
    pub fn show_case(&mut self, case_id: &str) -> Result<CaseView, ClientError> {
        let view = self.load(case_id)?.view();
        self.store
            .record_audit(&self.event(AuditAction::Viewed, case_id, "Viewed the case"))?;
        Ok(view)
    }

    pub fn set_field(
        &mut self,
        case_id: &str,
        field: &str,
        value: &str,
    ) -> Result<(), ClientError> {
        let path = FieldPath::parse(field).map_err(doorstep_core::case::CaseError::from)?;
        let label = path.spec().map_or(field, |spec| spec.label);
        let description = format!("Changed {label}");
        self.edit(case_id, &description, |case, editor| {
            case.set_field(&path, value, editor)
        })
    }

    pub fn add_note(&mut self, case_id: &str, text: &str) -> Result<String, ClientError> {
        let note_id = new_id();
        self.edit(case_id, "Added a note", |case, editor| {
            case.add_note(&note_id, text, editor)
        })?;
        Ok(note_id)
    }

    pub fn add_person(
        &mut self,
        case_id: &str,
        person: &PersonInput,
    ) -> Result<String, ClientError> {
        let person_id = new_id();
        let optional = [
            ("date_of_birth", &person.date_of_birth),
            ("nhs_number", &person.nhs_number),
            ("ni_number", &person.ni_number),
            ("address", &person.address),
            ("postcode", &person.postcode),
            ("uprn", &person.uprn),
            ("phone", &person.phone),
            ("email", &person.email),
            ("relationship", &person.relationship),
        ];
        let mut inputs = vec![("name", person.name.as_str())];
        inputs.extend(
            optional
                .iter()
                .filter_map(|(field, value)| value.as_deref().map(|value| (*field, value))),
        );
        self.edit(case_id, "Added a person", |case, editor| {
            case.add_item(SectionKind::Person, &person_id, &inputs, editor)
        })?;
        Ok(person_id)
    }

    /// Adds a visit, task, consent record or risk warning with its fields, as typed.
    pub fn add_item(
        &mut self,
        case_id: &str,
        kind: SectionKind,
        fields: &[(&str, &str)],
    ) -> Result<String, ClientError> {
        let item_id = new_id();
        let description = format!("Added a {}", kind.noun());
        self.edit(case_id, &description, |case, editor| {
            case.add_item(kind, &item_id, fields, editor)
        })?;
        Ok(item_id)
    }

    /// Corrects a note; the earlier wording stays in its history.
    pub fn edit_note(
        &mut self,
        case_id: &str,
        note_id: &str,
        text: &str,
    ) -> Result<(), ClientError> {
        self.edit(case_id, "Corrected a note", |case, editor| {
            case.edit_note(note_id, text, editor)
        })
    }

    /// Saves the assessment narrative as the caseworker left it.
    pub fn set_narrative(&mut self, case_id: &str, text: &str) -> Result<(), ClientError> {
        self.edit(
            case_id,
            "Edited the assessment narrative",
            |case, editor| case.set_narrative(text, editor),
        )
    }

    /// Stores a photo or document encrypted on this device and attaches it to the case.
    pub fn attach(
        &mut self,
        case_id: &str,
        name: &str,
        media_type: &str,
        bytes: &[u8],
    ) -> Result<String, ClientError> {
        // Check the case first so a refused attachment leaves no orphan bytes.
        self.load(case_id)?;
        let sha256 = self.store.put_attachment(bytes, media_type)?;
        let meta = doorstep_core::case::AttachmentMeta {
            sha256: sha256.clone(),
            name: name.to_owned(),
            media_type: media_type.to_owned(),
            size: bytes.len() as u64,
            added_by: self.user.clone(),
            added_at: now(),
        };
        // Queued before the edit commits: a crash between the two leaves an
        // upload the case does not need, never a file the server never gets.
        self.store.queue_upload(&sha256, case_id, now())?;
        self.edit(case_id, "Attached a file", |case, editor| {
            case.add_attachment(&meta, editor)
        })?;
        Ok(sha256)
    }

    /// An attachment's bytes, checked against their address.
    pub fn attachment(&mut self, case_id: &str, sha256: &str) -> Result<Vec<u8>, ClientError> {
        let listed = self
            .load(case_id)?
            .view()
            .attachments
            .iter()
            .any(|attachment| attachment.sha256 == sha256);
        if !listed {
            return Err(ClientError::NoSuchAttachment(sha256.to_owned()));
        }
        let bytes = self.store.attachment(sha256)?;
        self.store.record_audit(&self.event(
            AuditAction::Viewed,
            case_id,
            format!("Opened attachment {sha256}"),
        ))?;
        Ok(bytes)
    }

    /// Who viewed, changed or exported a case on this device, oldest first.
    pub fn audit_log(
        &self,
        case_id: Option<&str>,
    ) -> Result<Vec<doorstep_store::AuditRecord>, ClientError> {
        Ok(self.store.audit_log(case_id)?)
    }

    /// Every change not yet acknowledged by the server.
    pub fn outbox(&self) -> Result<Vec<doorstep_store::OutboxEntry>, ClientError> {
        Ok(self.store.outbox()?)
    }

    /// Unresolved same-field conflicts, on one case or on every case on this device.
    pub fn conflicts(&self, case_id: Option<&str>) -> Result<Vec<CaseConflicts>, ClientError> {
        let ids: Vec<String> = match case_id {
            Some(id) => vec![id.to_owned()],
            None => self
                .store
                .list_cases(&CaseFilter {
                    with_conflicts_only: true,
                    ..CaseFilter::default()
                })?
                .into_iter()
                .map(|row| row.case_id)
                .collect(),
        };
        let mut found = Vec::new();
        for id in ids {
            let case = self.load(&id)?;
            let conflicts = case.conflicts();
            if !conflicts.is_empty() {
                let text = |field: &str| {
                    case.field(&FieldPath::case(field))
                        .map(|entry| entry.value.to_string())
                        .filter(|value| !value.is_empty())
                };
                found.push(CaseConflicts {
                    reference: text("reference"),
                    summary: text("summary").unwrap_or_default(),
                    assigned_to: text("assigned_to"),
                    case_id: id,
                    conflicts,
                });
            }
        }
        Ok(found)
    }

    pub fn resolve(&mut self, case_id: &str, field: &str, value: &str) -> Result<(), ClientError> {
        let path = FieldPath::parse(field).map_err(doorstep_core::case::CaseError::from)?;
        let mut case = self.load(case_id)?;
        case.resolve_conflict(&path, value, &self.editor())?;
        let event = self.event(
            AuditAction::Resolved,
            case_id,
            format!("Resolved a conflict in {path}"),
        );
        self.store
            .commit_edit(&mut case, &format!("Resolved a conflict in {path}"), &event)?;
        Ok(())
    }

    /// The case as JSON, in the shape `case import` reads. The export is audited.
    pub fn export_json(&mut self, case_id: &str) -> Result<CaseView, ClientError> {
        let view = self.load(case_id)?.view();
        self.store
            .record_audit(&self.event(AuditAction::Exported, case_id, "Exported as JSON"))?;
        Ok(view)
    }

    /// The standard automerge bytes, loadable by any automerge implementation. Audited.
    pub fn export_automerge(&mut self, case_id: &str) -> Result<Vec<u8>, ClientError> {
        let bytes = self.load(case_id)?.save();
        self.store.record_audit(&self.event(
            AuditAction::Exported,
            case_id,
            "Exported as automerge",
        ))?;
        Ok(bytes)
    }

    /// Creates every case in a JSON-lines file, or none: a bad line is reported
    /// with its number and nothing from the file is saved.
    pub fn import_jsonl(&mut self, text: &str) -> Result<Vec<String>, ClientError> {
        if text.len() > MAXIMUM_IMPORT_BYTES {
            return Err(ClientError::Import {
                line: 0,
                message: format!(
                    "the file is larger than {} MiB; split it into smaller files",
                    MAXIMUM_IMPORT_BYTES / (1024 * 1024)
                ),
            });
        }
        let importer = self.editor();
        let mut cases = Vec::new();
        for (index, line) in text.lines().enumerate() {
            let line_number = index + 1;
            if line.trim().is_empty() {
                continue;
            }
            let fail = |message: String| ClientError::Import {
                line: line_number,
                message,
            };
            let mut view: CaseView = serde_json::from_str(line)
                .map_err(|error| fail(format!("not a case in JSON: {error}")))?;
            if view.id.trim().is_empty() {
                view.id = new_id();
            }
            if self.store.has_case(&view.id)?
                || cases.iter().any(|c: &CaseDocument| c.id() == view.id)
            {
                return Err(fail(format!("case {} is already on this device", view.id)));
            }
            let case = CaseDocument::from_view(&view, &importer, self.store.device_actor())
                .map_err(|error| fail(error.to_string()))?;
            cases.push(case);
        }
        let ids = cases.iter().map(|case| case.id().to_owned()).collect();
        let event = AuditEvent {
            user: self.user.clone(),
            action: AuditAction::Imported,
            case_id: None,
            detail: format!("Imported {} cases", cases.len()),
            device_time: now(),
        };
        self.store.create_cases(&mut cases, &event)?;
        Ok(ids)
    }

    pub fn verify_audit(&self) -> Result<AuditReport, ClientError> {
        Ok(self.store.verify_audit()?)
    }

    /// Rebuilds every projection from the documents and checks it matches.
    pub fn rebuild_projections(&mut self) -> Result<RebuildReport, ClientError> {
        let everything = CaseFilter {
            limit: None,
            ..CaseFilter::default()
        };
        let before = self.store.list_cases(&everything)?;
        let cases = self.store.rebuild_projections()?;
        let after = self.store.list_cases(&everything)?;
        Ok(RebuildReport {
            cases,
            identical: before == after,
        })
    }
}
