//! The desktop window's operations, shaped for its pages: My cases as pages
//! of light rows with a badge each, a case with where it stands with the
//! server, today's visits, check-in and check-out, the outbox.
//!
//! Each is one call on [`Device`], so the CLI and the tests can call exactly
//! what the window calls. [`DesktopApp`] holds the window's device and runs
//! those calls off the UI thread; `src-tauri` only wraps them.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use doorstep_core::case::{
    ATTACHMENT_NAME, CaseError, CaseProjection, CaseStatus, CaseView, FieldError, FieldPath,
    SectionKind,
};
use doorstep_core::dates::{CalendarDate, Timestamp};
use doorstep_store::{CaseFilter, CaseSort, OutboxEntry, SyncBadge, SyncState};
use serde::{Deserialize, Serialize};

use crate::{ClientError, Device, DeviceSettings};

/// The most rows one `list_cases` call returns: a screenful many times over,
/// small enough that a scroll never waits on a large answer.
pub const MAXIMUM_ROWS_PER_PAGE: usize = 500;

/// What a command rejects with in the window: a stable code, words for the
/// person, and the input the problem belongs to, so the error summary can
/// link to it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AppError {
    pub code: String,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

impl From<ClientError> for AppError {
    fn from(error: ClientError) -> Self {
        let field = match &error {
            ClientError::Case(case) => match case.as_ref() {
                CaseError::Field(field) => field_named_by(field).map(str::to_owned),
                CaseError::EmptyNote | CaseError::TooLong { .. } => Some("text".to_owned()),
                CaseError::CommentRequired => Some("comment".to_owned()),
                _ => None,
            },
            ClientError::UnusablePin(_) | ClientError::WrongPin { .. } => Some("pin".to_owned()),
            _ => None,
        };
        AppError {
            code: if field.is_some() {
                "invalid_field".to_owned()
            } else {
                error.code().to_owned()
            },
            message: error.to_string(),
            field,
        }
    }
}

impl AppError {
    /// A review's text is its comment: a comment too long belongs to the
    /// comment box, not to a note's text box.
    pub fn about_review_comment(mut self) -> Self {
        if self.field.as_deref() == Some("text") {
            self.field = Some("comment".to_owned());
        }
        self
    }

    /// A failure of Doorstep itself, such as a panic on the worker thread.
    pub fn internal(error: &dyn std::fmt::Display) -> Self {
        AppError {
            code: "internal_error".to_owned(),
            message: format!(
                "Doorstep hit an internal error ({error}). Your saved work is safe; restart Doorstep and try again"
            ),
            field: None,
        }
    }
}

/// The field a validation message is about. Field errors carry the label
/// people read ("NHS number"); the window needs the field's name.
fn field_named_by(error: &FieldError) -> Option<&'static str> {
    let matches = |label: &str| -> Option<&'static str> {
        if label.eq_ignore_ascii_case(ATTACHMENT_NAME.label) {
            // The window's file picker, where a file's name comes from.
            return Some("file");
        }
        [
            SectionKind::Case,
            SectionKind::Person,
            SectionKind::Visit,
            SectionKind::Task,
            SectionKind::Consent,
            SectionKind::Risk,
        ]
        .into_iter()
        .flat_map(SectionKind::fields)
        .find(|spec| spec.label.eq_ignore_ascii_case(label))
        .map(|spec| spec.name)
    };
    match error {
        FieldError::Invalid { label, .. } => matches(label),
        FieldError::Required(label) => matches(label),
    }
}

/// My cases' filters, as the window sends them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CaseQuery {
    pub status: Option<CaseStatus>,
    /// `YYYY-MM-DD`: cases due strictly before it.
    pub due_before: Option<String>,
    pub has_risk: Option<bool>,
    pub conflicts_only: Option<bool>,
    pub text: Option<String>,
    pub sort: Option<CaseSort>,
    pub offset: Option<usize>,
    pub limit: Option<usize>,
}

impl CaseQuery {
    fn filter(&self) -> Result<CaseFilter, ClientError> {
        let due_before = match self.due_before.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(text) => Some(
                CalendarDate::parse(text)
                    .map_err(|error| ClientError::InvalidFilter(format!("Due before: {error}")))?,
            ),
        };
        let limit = self.limit.unwrap_or(MAXIMUM_ROWS_PER_PAGE);
        if limit > MAXIMUM_ROWS_PER_PAGE {
            return Err(ClientError::InvalidFilter(format!(
                "Ask for at most {MAXIMUM_ROWS_PER_PAGE} cases at a time (asked for {limit})"
            )));
        }
        Ok(CaseFilter {
            status: self.status,
            due_before,
            has_risk: self.has_risk,
            with_conflicts_only: self.conflicts_only.unwrap_or(false),
            text: self.text.clone().filter(|text| !text.trim().is_empty()),
            sort: self.sort.unwrap_or_default(),
            limit: Some(limit),
            offset: self.offset.unwrap_or(0),
            ..CaseFilter::default()
        })
    }
}

/// Where a case stands with the server, for its badge.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CaseSyncState {
    /// The server holds every change made here.
    Synced,
    /// Changes wait to be sent.
    Unsynced,
    /// The server refused the case's changes; they stay here with its reason.
    Refused,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CaseSync {
    pub state: CaseSyncState,
    pub unsynced_changes: usize,
    pub refused_reason: Option<String>,
}

impl From<SyncBadge> for CaseSync {
    fn from(badge: SyncBadge) -> Self {
        let state = match badge.state {
            SyncState::Rejected => CaseSyncState::Refused,
            _ if badge.unsynced_changes > 0 => CaseSyncState::Unsynced,
            SyncState::LocalOnly | SyncState::Queued | SyncState::Uploading => {
                CaseSyncState::Unsynced
            }
            SyncState::Acknowledged | SyncState::Conflict => CaseSyncState::Synced,
        };
        CaseSync {
            state,
            unsynced_changes: badge.unsynced_changes,
            refused_reason: badge.rejection_reason,
        }
    }
}

/// One row of My cases: what the list shows, without the narrative and notes
/// that the search index holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CaseRow {
    pub case_id: String,
    pub reference: Option<String>,
    pub case_type: String,
    pub status: CaseStatus,
    pub summary: String,
    pub assigned_to: Option<String>,
    pub team: Option<String>,
    pub due_date: Option<String>,
    pub risk_warnings: Vec<String>,
    pub people_names: Vec<String>,
    pub note_count: usize,
    pub open_task_count: usize,
    pub next_visit_at: Option<String>,
    pub open_visit_expected_end: Option<String>,
    pub conflict_count: usize,
    pub updated_by: String,
    pub updated_at: Timestamp,
    pub sync: CaseSync,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CaseList {
    pub total: usize,
    pub rows: Vec<CaseRow>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CasePage {
    pub case: CaseView,
    pub sync: CaseSync,
}

/// A visit on today's list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct VisitRow {
    pub case_id: String,
    pub case_reference: Option<String>,
    pub case_summary: String,
    pub visit_id: String,
    pub planned_at: String,
    pub checked_in_at: Option<String>,
    pub expected_end: Option<String>,
    pub checked_out_at: Option<String>,
    pub address: Option<String>,
    pub risk_warnings: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RefusedCase {
    pub case_id: String,
    pub reference: Option<String>,
    pub summary: String,
    pub reason: String,
}

/// One case's changes not yet acknowledged, named as My cases names it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OutboxCase {
    pub case_id: String,
    pub reference: Option<String>,
    pub summary: String,
    /// Oldest first.
    pub changes: Vec<OutboxEntry>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Outbox {
    /// Cases in the order of their oldest waiting change.
    pub cases: Vec<OutboxCase>,
    pub refused: Vec<RefusedCase>,
    pub files_to_send: usize,
}

impl Outbox {
    /// Every change waiting, over all cases.
    pub fn change_count(&self) -> usize {
        self.cases.iter().map(|case| case.changes.len()).sum()
    }
}

/// The kinds of item the window adds with a form of fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ItemKind {
    Visit,
    Task,
    Consent,
    Risk,
}

impl From<ItemKind> for SectionKind {
    fn from(kind: ItemKind) -> Self {
        match kind {
            ItemKind::Visit => SectionKind::Visit,
            ItemKind::Task => SectionKind::Task,
            ItemKind::Consent => SectionKind::Consent,
            ItemKind::Risk => SectionKind::Risk,
        }
    }
}

/// `%XX` escapes to text; `None` if they are malformed or not UTF-8.
fn percent_decode(text: &str) -> Option<String> {
    let mut bytes = Vec::with_capacity(text.len());
    let mut rest = text.as_bytes();
    while let Some((&byte, tail)) = rest.split_first() {
        if byte == b'%' {
            let hex = tail.get(..2)?;
            let value = u8::from_str_radix(std::str::from_utf8(hex).ok()?, 16).ok()?;
            bytes.push(value);
            rest = &tail[2..];
        } else {
            bytes.push(byte);
            rest = tail;
        }
    }
    String::from_utf8(bytes).ok()
}

/// The device's clock, as every edit reads it.
pub fn now() -> Timestamp {
    doorstep_store::device_now()
}

const DAY_MILLIS: i64 = 86_400_000;
/// Today's visits are taken from UTC midnight less an hour, so a visit early
/// in the morning of a British Summer Time day is on the list.
const TODAY_STARTS_BEFORE_UTC_MIDNIGHT_MILLIS: i64 = 3_600_000;

fn invalid(label: &'static str, message: &str) -> ClientError {
    field_refusal(label, message).into()
}

fn field_refusal(label: &'static str, message: &str) -> CaseError {
    CaseError::Field(FieldError::Invalid {
        label,
        message: message.to_owned(),
    })
}

/// Where a visit stands, read inside the edit that changes it, so the check
/// and the change see the same document and it is loaded once.
struct VisitState {
    checked_in: bool,
    checked_out: bool,
}

impl VisitState {
    fn of(case: &doorstep_core::case::CaseDocument, visit_id: &str) -> Result<Self, CaseError> {
        let field = |name| case.field(&FieldPath::item(SectionKind::Visit, visit_id, name));
        // Every visit has a planned time: without one, there is no such visit.
        if field("planned_at").is_none() {
            return Err(CaseError::NoSuchItem {
                noun: "visit",
                id: visit_id.to_owned(),
            });
        }
        let set = |name| field(name).is_some_and(|entry| !entry.value.is_empty());
        Ok(Self {
            checked_in: set("checked_in_at"),
            checked_out: set("checked_out_at"),
        })
    }
}

impl Device {
    /// One page of My cases and how many match in all.
    pub fn case_list(&self, query: &CaseQuery) -> Result<CaseList, ClientError> {
        let filter = query.filter()?;
        let total = self.store.count_cases(&filter)?;
        let projections = self.store.list_cases(&filter)?;
        let ids: Vec<&str> = projections.iter().map(|row| row.case_id.as_str()).collect();
        let badges = self.store.sync_badges(&ids)?;
        let rows = projections
            .into_iter()
            .zip(badges)
            .map(|(row, badge)| CaseRow {
                case_id: row.case_id,
                reference: row.reference,
                case_type: row.case_type,
                status: row.status,
                summary: row.summary,
                assigned_to: row.assigned_to,
                team: row.team,
                due_date: row.due_date,
                risk_warnings: row.risk_warnings,
                people_names: row.people_names,
                note_count: row.note_count,
                open_task_count: row.open_task_count,
                next_visit_at: row.next_visit_at,
                open_visit_expected_end: row.open_visit_expected_end,
                conflict_count: row.conflict_count,
                updated_by: row.updated_by,
                updated_at: row.updated_at,
                sync: badge.into(),
            })
            .collect();
        Ok(CaseList { total, rows })
    }

    /// The case page: the whole case and its badge. Viewing is audited.
    pub fn case_page(&mut self, case_id: &str) -> Result<CasePage, ClientError> {
        let case = self.show_case(case_id)?;
        let badge = self
            .store
            .sync_badges(&[case_id])?
            .pop()
            .ok_or_else(|| ClientError::NoSuchCase(case_id.to_owned()))?;
        Ok(CasePage {
            case,
            sync: badge.into(),
        })
    }

    /// Visits planned for today (UTC day, from an hour before its midnight)
    /// and not started, and every visit checked in and not yet out.
    pub fn todays_visits(&self, now: Timestamp) -> Result<Vec<VisitRow>, ClientError> {
        let midnight = now.millis().div_euclid(DAY_MILLIS) * DAY_MILLIS;
        let from = Timestamp(midnight - TODAY_STARTS_BEFORE_UTC_MIDNIGHT_MILLIS);
        let to = Timestamp(midnight + DAY_MILLIS);
        let (from_text, to_text) = (from.to_rfc3339(), to.to_rfc3339());
        let mut visits = Vec::new();
        for case_id in self.store.cases_with_visits(from, to)? {
            let view = self.load(&case_id)?.view();
            let first_person = view.people.first();
            let address = first_person.and_then(|person| {
                let parts: Vec<&str> = [person.text("address"), person.text("postcode")]
                    .into_iter()
                    .flatten()
                    .collect();
                (!parts.is_empty()).then(|| parts.join(", "))
            });
            let risk_warnings: Vec<String> = view
                .risks
                .iter()
                .filter(|risk| risk.flag("active") == Some(true))
                .filter_map(|risk| risk.text("text").map(str::to_owned))
                .collect();
            for visit in &view.visits {
                let Some(planned_at) = visit.text("planned_at") else {
                    continue;
                };
                let checked_in = visit.text("checked_in_at");
                let checked_out = visit.text("checked_out_at");
                let planned_today = planned_at >= from_text.as_str()
                    && planned_at < to_text.as_str()
                    && checked_in.is_none();
                let under_way = checked_in.is_some() && checked_out.is_none();
                if !(planned_today || under_way) {
                    continue;
                }
                visits.push(VisitRow {
                    case_id: view.id.clone(),
                    case_reference: view.text("reference").map(str::to_owned),
                    case_summary: view.text("summary").unwrap_or_default().to_owned(),
                    visit_id: visit.id.clone(),
                    planned_at: planned_at.to_owned(),
                    checked_in_at: checked_in.map(str::to_owned),
                    expected_end: visit.text("expected_end").map(str::to_owned),
                    checked_out_at: checked_out.map(str::to_owned),
                    address: address.clone(),
                    risk_warnings: risk_warnings.clone(),
                });
            }
        }
        visits.sort_by(|a, b| a.planned_at.cmp(&b.planned_at));
        Ok(visits)
    }

    /// Checks in to a visit, now, saying when it should end: the lone-worker
    /// alert is raised from that time if there is no check-out.
    pub fn check_in(
        &mut self,
        case_id: &str,
        visit_id: &str,
        expected_end: &str,
    ) -> Result<(), ClientError> {
        let now = now();
        let end = Timestamp::parse_rfc3339(expected_end)
            .ok_or_else(|| invalid("Expected end", "enter the time you expect to leave"))?;
        if end <= now {
            return Err(invalid(
                "Expected end",
                "the time you expect to leave must be later than now",
            ));
        }
        let path = |field| FieldPath::item(SectionKind::Visit, visit_id, field);
        self.edit(case_id, "Checked in to a visit", |case, editor| {
            let visit = VisitState::of(case, visit_id)?;
            if visit.checked_in {
                return Err(field_refusal(
                    "Checked in",
                    "you have already checked in to this visit",
                ));
            }
            case.set_field(&path("checked_in_at"), &now.to_rfc3339(), editor)?;
            case.set_field(&path("expected_end"), &end.to_rfc3339(), editor)
        })
    }

    /// Checks out of a visit, now, with what happened.
    pub fn check_out(
        &mut self,
        case_id: &str,
        visit_id: &str,
        outcome: &str,
    ) -> Result<(), ClientError> {
        let now = now().to_rfc3339();
        let path = |field| FieldPath::item(SectionKind::Visit, visit_id, field);
        self.edit(case_id, "Checked out of a visit", |case, editor| {
            let visit = VisitState::of(case, visit_id)?;
            if !visit.checked_in {
                return Err(field_refusal(
                    "Checked out",
                    "check in to this visit before checking out",
                ));
            }
            if visit.checked_out {
                return Err(field_refusal(
                    "Checked out",
                    "you have already checked out of this visit",
                ));
            }
            case.set_field(&path("checked_out_at"), &now, editor)?;
            case.set_field(&path("outcome"), outcome, editor)
        })
    }

    /// Sends a case to the team lead's review queue. An open case is started
    /// on the way, in the same edit, so the workflow's order is kept.
    pub fn submit_for_review(&mut self, case_id: &str) -> Result<(), ClientError> {
        let status = FieldPath::case("status");
        self.edit(case_id, "Submitted for review", |case, editor| {
            if case.status() == CaseStatus::Open {
                case.set_field(&status, CaseStatus::InProgress.as_str(), editor)?;
            }
            case.set_field(&status, CaseStatus::AwaitingReview.as_str(), editor)
        })
    }

    /// Adds a visit, task, consent record or risk warning from a form's fields.
    pub fn add_form_item(
        &mut self,
        case_id: &str,
        kind: ItemKind,
        fields: &BTreeMap<String, String>,
    ) -> Result<String, ClientError> {
        let pairs: Vec<(&str, &str)> = fields
            .iter()
            .map(|(name, value)| (name.as_str(), value.as_str()))
            .collect();
        self.add_item(case_id, kind.into(), &pairs)
    }

    /// Attaches a file the window read from the file picker. The name
    /// arrives percent-encoded (it travels in a header); the media type is
    /// the picker's, or `application/octet-stream` when it does not know.
    pub fn attach_from_window(
        &mut self,
        case_id: &str,
        encoded_name: &str,
        media_type: &str,
        bytes: &[u8],
    ) -> Result<String, ClientError> {
        let name = percent_decode(encoded_name)
            .map(|name| name.trim().to_owned())
            .filter(|name| !name.is_empty() && name.chars().count() <= 255)
            .ok_or_else(|| {
                invalid(
                    "File name",
                    "choose a file with a name of 1 to 255 characters",
                )
            })?;
        let media_type = media_type.trim().to_ascii_lowercase();
        let shaped = media_type.len() <= 100
            && media_type.split_once('/').is_some_and(|(kind, sub)| {
                !kind.is_empty()
                    && !sub.is_empty()
                    && media_type
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b"/+-.".contains(&b))
            });
        let media_type = if shaped {
            media_type
        } else {
            "application/octet-stream".to_owned()
        };
        if bytes.is_empty() {
            return Err(invalid(
                ATTACHMENT_NAME.label,
                "the file is empty: choose another",
            ));
        }
        self.attach(case_id, &name, &media_type, bytes)
    }

    /// The outbox page: every change the server has not acknowledged, the
    /// cases it refused with its reasons, and files waiting to go.
    pub fn outbox_page(&self) -> Result<Outbox, ClientError> {
        // A long offline spell can leave thousands of changes: group them by
        // case in one pass, in the order of each case's oldest change.
        let mut cases: Vec<OutboxCase> = Vec::new();
        let mut position: HashMap<String, usize> = HashMap::new();
        for entry in self.outbox()? {
            if let Some(&index) = position.get(&entry.case_id) {
                cases[index].changes.push(entry);
                continue;
            }
            position.insert(entry.case_id.clone(), cases.len());
            cases.push(OutboxCase {
                case_id: entry.case_id.clone(),
                reference: None,
                summary: String::new(),
                changes: vec![entry],
            });
        }
        let ids: Vec<&str> = cases.iter().map(|case| case.case_id.as_str()).collect();
        let rows = rows_by_case(self.store.case_rows(&ids)?);
        for case in &mut cases {
            if let Some(row) = rows.get(&case.case_id) {
                case.reference.clone_from(&row.reference);
                case.summary.clone_from(&row.summary);
            }
        }

        let refusals = self.store.refused_cases()?;
        let ids: Vec<&str> = refusals
            .iter()
            .map(|(case_id, _)| case_id.as_str())
            .collect();
        let rows = rows_by_case(self.store.case_rows(&ids)?);
        let refused = refusals
            .iter()
            .map(|(case_id, reason)| {
                let row = rows.get(case_id);
                RefusedCase {
                    case_id: case_id.clone(),
                    reference: row.and_then(|row| row.reference.clone()),
                    summary: row.map(|row| row.summary.clone()).unwrap_or_default(),
                    reason: reason.clone(),
                }
            })
            .collect();
        Ok(Outbox {
            cases,
            refused,
            files_to_send: self.store.pending_upload_count()?,
        })
    }
}

fn rows_by_case(rows: Vec<CaseProjection>) -> HashMap<String, CaseProjection> {
    rows.into_iter()
        .map(|row| (row.case_id.clone(), row))
        .collect()
}

/// Whether the window is locked, for the lock screen and the sign-in page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LockStatus {
    pub locked: bool,
    pub pin_set: bool,
    /// Wrong PINs allowed before a full sign-in is needed.
    pub attempts_left: u32,
    pub signed_in: bool,
    pub idle_lock_minutes: u32,
    /// While unlocked with a PIN set: how long until the idle lock, so the
    /// window can warn first and let the person stay (WCAG 2.2.1).
    pub millis_until_lock: Option<u64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Activity {
    /// A command the person's work caused.
    Used,
    /// The window asking whether it is locked.
    Polled,
}

#[derive(Debug)]
struct WindowLock {
    /// `None` until the device is first opened: then it starts locked if a PIN is set,
    /// so restarting the laptop never skips the lock.
    locked: Option<bool>,
    last_activity: Instant,
}

/// The window's own device, opened on first use; the idle lock; and the way
/// the window's calls run off the UI thread. Background sync keeps a device
/// of its own and carries on while the window is locked.
#[derive(Debug)]
pub struct DesktopApp {
    settings: DeviceSettings,
    device: Mutex<Option<Device>>,
    lock: Mutex<WindowLock>,
    idle_lock: Duration,
}

impl DesktopApp {
    pub fn new(settings: DeviceSettings) -> Arc<Self> {
        let idle_lock = Duration::from_secs(u64::from(settings.idle_lock_minutes) * 60);
        Self::with_idle_lock(settings, idle_lock)
    }

    /// As [`DesktopApp::new`] with an idle time finer than the settings'
    /// whole minutes, so tests need not wait a minute.
    pub fn with_idle_lock(settings: DeviceSettings, idle_lock: Duration) -> Arc<Self> {
        Arc::new(Self {
            settings,
            device: Mutex::new(None),
            lock: Mutex::new(WindowLock {
                locked: None,
                last_activity: Instant::now(),
            }),
            idle_lock,
        })
    }

    pub fn settings(&self) -> &DeviceSettings {
        &self.settings
    }

    /// Runs one operation on the device on a blocking thread, so SQLite, the
    /// keyring and automerge never hold up the window. Refused while the
    /// window is locked; the idle lock starts when the window has been quiet
    /// for the idle time.
    pub async fn run<T, F>(self: &Arc<Self>, operation: F) -> Result<T, AppError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Device) -> Result<T, ClientError> + Send + 'static,
    {
        let app = Arc::clone(self);
        spawn(move || app.run_blocking(operation)).await
    }

    /// Runs work that needs no device (a question for the server) on a
    /// blocking thread, so the window and other calls carry on meanwhile.
    pub async fn run_off_device<T, F>(self: &Arc<Self>, work: F) -> Result<T, AppError>
    where
        T: Send + 'static,
        F: FnOnce() -> Result<T, ClientError> + Send + 'static,
    {
        spawn(move || work().map_err(AppError::from)).await
    }

    /// What the lock screen and sign-in page may call while locked.
    pub async fn run_while_locked<T, F>(self: &Arc<Self>, operation: F) -> Result<T, AppError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Device) -> Result<T, ClientError> + Send + 'static,
    {
        let app = Arc::clone(self);
        spawn(move || app.with_device(operation)).await
    }

    /// The same as [`DesktopApp::run`], on the calling thread.
    pub fn run_blocking<T>(
        &self,
        operation: impl FnOnce(&mut Device) -> Result<T, ClientError>,
    ) -> Result<T, AppError> {
        self.with_device(|device| {
            self.lock_state(device, Activity::Used)?;
            operation(device)
        })
    }

    /// Someone is using the window (typing, clicking): the idle lock waits.
    pub fn user_active(&self) {
        let mut lock = self.window_lock();
        if lock.locked != Some(true) && lock.last_activity.elapsed() < self.idle_lock {
            lock.last_activity = Instant::now();
        }
    }

    pub fn lock_status(&self) -> Result<LockStatus, AppError> {
        self.with_device(|device| {
            // Asking is not using: the window polls this, and that must not
            // keep the idle lock away.
            let locked = self.lock_state(device, Activity::Polled).is_err();
            let pin = device.pin_state()?;
            let signed_in = device.status()?.signed_in;
            let millis_until_lock = (!locked && pin.pin_set).then(|| {
                let idle_for = self.window_lock().last_activity.elapsed();
                let left = self.idle_lock.saturating_sub(idle_for).as_millis();
                u64::try_from(left).unwrap_or(u64::MAX)
            });
            Ok(LockStatus {
                locked,
                pin_set: pin.pin_set,
                attempts_left: pin.attempts_left,
                signed_in,
                idle_lock_minutes: self.settings.idle_lock_minutes,
                millis_until_lock,
            })
        })
    }

    /// Locks the window now ("Lock" button). Needs a PIN to unlock with.
    pub fn lock_now(&self) -> Result<(), AppError> {
        self.with_device(|device| {
            if !device.pin_state()?.pin_set {
                return Err(ClientError::NoPin);
            }
            self.window_lock().locked = Some(true);
            Ok(())
        })
    }

    pub fn unlock(&self, pin: &str) -> Result<(), AppError> {
        self.with_device(|device| device.unlock_with_pin(pin))?;
        self.mark_unlocked();
        Ok(())
    }

    /// Signs in with the council password; the server's check also opens
    /// the window, whatever the lock's state.
    pub fn sign_in(
        &self,
        server: &reqwest::Url,
        user: &str,
        password: &str,
    ) -> Result<crate::sync::SignedIn, AppError> {
        let signed_in = self.with_device(|device| device.sign_in(server, user, password))?;
        self.mark_unlocked();
        Ok(signed_in)
    }

    fn mark_unlocked(&self) {
        let mut lock = self.window_lock();
        lock.locked = Some(false);
        lock.last_activity = Instant::now();
    }

    fn window_lock(&self) -> std::sync::MutexGuard<'_, WindowLock> {
        self.lock
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Whether the window is locked now, locking it if it has been idle too
    /// long. Using the window (not polling it) restarts the idle time.
    fn lock_state(&self, device: &Device, activity: Activity) -> Result<(), ClientError> {
        let mut lock = self.window_lock();
        let pin_set = || device.pin_state().map(|pin| pin.pin_set);
        let locked = match lock.locked {
            Some(true) => true,
            None => pin_set()?,
            Some(false) => lock.last_activity.elapsed() >= self.idle_lock && pin_set()?,
        };
        lock.locked = Some(locked);
        if locked {
            return Err(ClientError::Locked);
        }
        if activity == Activity::Used {
            lock.last_activity = Instant::now();
        }
        Ok(())
    }

    fn with_device<T>(
        &self,
        operation: impl FnOnce(&mut Device) -> Result<T, ClientError>,
    ) -> Result<T, AppError> {
        // A panic mid-operation leaves no half-made change behind (every
        // edit is one transaction), so the device is still good to use.
        let mut slot = self
            .device
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if slot.as_ref().is_some_and(Device::is_wiped) {
            return Err(ClientError::Wiped.into());
        }
        if slot.is_none() {
            *slot = Some(Device::open(&self.settings)?);
        }
        let device = slot.as_mut().ok_or(ClientError::Wiped)?;
        Ok(operation(device)?)
    }
}

async fn spawn<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, AppError> + Send + 'static,
) -> Result<T, AppError> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|error| AppError::internal(&error))?
}
