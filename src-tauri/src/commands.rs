//! Tauri commands: wrappers only. Behaviour lives in `doorstep-client`; each
//! command is one call into the API the CLI and the tests share.

use std::collections::BTreeMap;
use std::sync::Arc;

use doorstep_client::DeviceSettings;
use doorstep_client::api::{self, AppInfo};
use doorstep_client::background::{BackgroundSync, SyncStatus};
use doorstep_client::desktop::{
    AppError, CaseList, CasePage, CaseQuery, DesktopApp, ItemKind, LockStatus, Outbox, VisitRow,
};
use doorstep_client::device::{CaseConflicts, DeviceStatus, PersonInput};
use doorstep_client::review::ReviewQueueEntry;
use doorstep_client::settings::parse_server_url;
use doorstep_client::sync::SignedIn;
use doorstep_client::team::{
    AccessSubject, CaseAccessRecord, OpenAlerts, SavedExport, TeamCaseload, WorkerActivity,
};
use doorstep_client::types::ReviewDecision;
use tauri::State;
use tauri::ipc::{InvokeBody, Request, Response};

type App<'a> = State<'a, Arc<DesktopApp>>;

#[tauri::command]
pub fn app_info(settings: State<'_, DeviceSettings>) -> AppInfo {
    api::app_info(&settings)
}

/// Offline, online or syncing; when it last synced; progress; "safe to hand in".
#[tauri::command]
pub fn sync_status(sync: State<'_, BackgroundSync>) -> SyncStatus {
    sync.status()
}

/// "Sync now": returns at once; progress arrives as `sync-status` events.
#[tauri::command]
pub fn sync_now(sync: State<'_, BackgroundSync>) {
    sync.sync_now();
}

/// The window saw the network come back (the browser's `online` event).
#[tauri::command]
pub fn network_online(sync: State<'_, BackgroundSync>) {
    sync.online();
}

/// A change was saved in the window: sync once the person pauses.
#[tauri::command]
pub fn change_saved(sync: State<'_, BackgroundSync>) {
    sync.edited();
}

#[tauri::command]
pub async fn device_status(app: App<'_>) -> Result<DeviceStatus, AppError> {
    // Counts and the account name only: the header shows them on the lock screen too.
    app.run_while_locked(|device| device.status()).await
}

#[tauri::command]
pub fn lock_status(app: App<'_>) -> Result<LockStatus, AppError> {
    app.lock_status()
}

#[tauri::command]
pub fn lock(app: App<'_>) -> Result<(), AppError> {
    app.lock_now()
}

#[tauri::command]
pub async fn unlock(app: App<'_>, pin: String) -> Result<(), AppError> {
    let app = Arc::clone(&app);
    tauri::async_runtime::spawn_blocking(move || app.unlock(&pin))
        .await
        .map_err(|error| AppError::internal(&error))?
}

#[tauri::command]
pub async fn set_pin(app: App<'_>, pin: String) -> Result<(), AppError> {
    app.run(move |device| device.set_unlock_pin(&pin)).await
}

/// The person typed or clicked: the idle lock waits.
#[tauri::command]
pub fn user_active(app: App<'_>) {
    app.user_active();
}

/// Signs in, then syncs at once so the caseworker's cases arrive.
#[tauri::command]
pub async fn sign_in(
    app: App<'_>,
    sync: State<'_, BackgroundSync>,
    server: String,
    username: String,
    password: String,
) -> Result<SignedIn, AppError> {
    let url = parse_server_url(&server).map_err(AppError::from)?;
    let app = Arc::clone(&app);
    let signed_in =
        tauri::async_runtime::spawn_blocking(move || app.sign_in(&url, &username, &password))
            .await
            .map_err(|error| AppError::internal(&error))??;
    sync.sync_now();
    Ok(signed_in)
}

/// Signs out, keeping the encrypted data unless the person chose to remove it.
#[tauri::command]
pub async fn sign_out(app: App<'_>, remove_data: bool) -> Result<(), AppError> {
    if remove_data {
        app.run(|device| device.sign_out_and_remove_data()).await
    } else {
        // "Not you?" on the lock screen: the data stays, encrypted.
        app.run_while_locked(|device| device.sign_out()).await
    }
}

#[tauri::command]
pub async fn list_cases(app: App<'_>, query: CaseQuery) -> Result<CaseList, AppError> {
    app.run(move |device| device.case_list(&query)).await
}

#[tauri::command]
pub async fn todays_visits(app: App<'_>) -> Result<Vec<VisitRow>, AppError> {
    app.run(|device| device.todays_visits(doorstep_client::desktop::now()))
        .await
}

#[tauri::command]
pub async fn show_case(app: App<'_>, case_id: String) -> Result<CasePage, AppError> {
    app.run(move |device| device.case_page(&case_id)).await
}

#[tauri::command]
pub async fn create_case(
    app: App<'_>,
    case_type: String,
    summary: String,
) -> Result<String, AppError> {
    app.run(move |device| device.create_case(&case_type, &summary))
        .await
}

#[tauri::command]
pub async fn set_field(
    app: App<'_>,
    case_id: String,
    field: String,
    value: String,
) -> Result<(), AppError> {
    app.run(move |device| device.set_field(&case_id, &field, &value))
        .await
}

#[tauri::command]
pub async fn add_note(app: App<'_>, case_id: String, text: String) -> Result<String, AppError> {
    app.run(move |device| device.add_note(&case_id, &text))
        .await
}

#[tauri::command]
pub async fn edit_note(
    app: App<'_>,
    case_id: String,
    note_id: String,
    text: String,
) -> Result<(), AppError> {
    app.run(move |device| device.edit_note(&case_id, &note_id, &text))
        .await
}

#[tauri::command]
pub async fn set_narrative(app: App<'_>, case_id: String, text: String) -> Result<(), AppError> {
    app.run(move |device| device.set_narrative(&case_id, &text))
        .await
}

#[tauri::command]
pub async fn add_person(
    app: App<'_>,
    case_id: String,
    person: PersonInput,
) -> Result<String, AppError> {
    app.run(move |device| device.add_person(&case_id, &person))
        .await
}

#[tauri::command]
pub async fn add_item(
    app: App<'_>,
    case_id: String,
    kind: ItemKind,
    fields: BTreeMap<String, String>,
) -> Result<String, AppError> {
    app.run(move |device| device.add_form_item(&case_id, kind, &fields))
        .await
}

#[tauri::command]
pub async fn check_in(
    app: App<'_>,
    case_id: String,
    visit_id: String,
    expected_end: String,
) -> Result<(), AppError> {
    app.run(move |device| device.check_in(&case_id, &visit_id, &expected_end))
        .await
}

#[tauri::command]
pub async fn check_out(
    app: App<'_>,
    case_id: String,
    visit_id: String,
    outcome: String,
) -> Result<(), AppError> {
    app.run(move |device| device.check_out(&case_id, &visit_id, &outcome))
        .await
}

#[tauri::command]
pub async fn submit_for_review(app: App<'_>, case_id: String) -> Result<(), AppError> {
    app.run(move |device| device.submit_for_review(&case_id))
        .await
}

/// Team leads: cases awaiting review, oldest submission first.
#[tauri::command]
pub async fn review_queue(app: App<'_>) -> Result<Vec<ReviewQueueEntry>, AppError> {
    app.run(|device| device.review_queue()).await
}

/// Team leads: approve, or return with comments. Problems with the comment
/// name the comment box, so the error summary links to it.
#[tauri::command]
pub async fn review_case(
    app: App<'_>,
    case_id: String,
    decision: ReviewDecision,
    comment: String,
) -> Result<String, AppError> {
    app.run(move |device| device.review_case(&case_id, decision, &comment))
        .await
        .map_err(AppError::about_review_comment)
}

/// Team leads: caseloads per worker and overdue visits, from this laptop's cases.
#[tauri::command]
pub async fn team_caseload(app: App<'_>) -> Result<TeamCaseload, AppError> {
    app.run(|device| device.team_caseload(doorstep_client::desktop::now()))
        .await
}

/// Team leads: open lone-worker alerts, as the server said at the last sync.
#[tauri::command]
pub async fn team_alerts(app: App<'_>) -> Result<OpenAlerts, AppError> {
    app.run(|device| device.open_alerts()).await
}

/// Team leads: who viewed, changed or exported a case. Asks the server now.
#[tauri::command]
pub async fn case_access_record(
    app: App<'_>,
    case_id: String,
) -> Result<CaseAccessRecord, AppError> {
    let subject = AccessSubject::Case(case_id.clone());
    let request = app
        .run(move |device| device.access_record_request(subject))
        .await?;
    let entries = app.run_off_device(move || request.send()).await?;
    Ok(CaseAccessRecord { case_id, entries })
}

/// Team leads: what one worker in the team did. Asks the server now.
#[tauri::command]
pub async fn worker_activity(app: App<'_>, worker: String) -> Result<WorkerActivity, AppError> {
    let subject = AccessSubject::Worker(worker.clone());
    let request = app
        .run(move |device| device.access_record_request(subject))
        .await?;
    let entries = app.run_off_device(move || request.send()).await?;
    Ok(WorkerActivity { worker, entries })
}

/// Team leads: saves Team page figures as a CSV file in the Downloads
/// folder. The window cannot download a `blob:` link itself in WebKitGTK.
#[tauri::command]
pub async fn save_export(
    app: App<'_>,
    window: tauri::Window,
    file_name: String,
    contents: String,
) -> Result<SavedExport, AppError> {
    use tauri::Manager as _;
    let folder = window
        .path()
        .download_dir()
        .or_else(|_| window.path().home_dir().map(|home| home.join("Downloads")))
        .map_err(|error| AppError::internal(&error))?;
    app.run(move |device| device.save_team_export(&folder, &file_name, &contents))
        .await
}

#[tauri::command]
pub async fn outbox(app: App<'_>) -> Result<Outbox, AppError> {
    app.run(|device| device.outbox_page()).await
}

#[tauri::command]
pub async fn conflicts(app: App<'_>) -> Result<Vec<CaseConflicts>, AppError> {
    app.run(|device| device.conflicts(None)).await
}

#[tauri::command]
pub async fn resolve_conflict(
    app: App<'_>,
    case_id: String,
    field: String,
    value: String,
) -> Result<(), AppError> {
    app.run(move |device| device.resolve(&case_id, &field, &value))
        .await
}

/// The headers `attach_file` reads; the file's bytes are the raw body.
const CASE_ID_HEADER: &str = "doorstep-case-id";
const FILE_NAME_HEADER: &str = "doorstep-file-name";
const MEDIA_TYPE_HEADER: &str = "doorstep-media-type";

/// Attaches a photo or document chosen in the file picker. The bytes come as
/// the raw body, not JSON, so a 20 MB photo is not turned into numbers.
#[tauri::command]
pub async fn attach_file(app: App<'_>, request: Request<'_>) -> Result<String, AppError> {
    let InvokeBody::Raw(bytes) = request.body() else {
        return Err(AppError {
            code: "bad_request".to_owned(),
            message: "Doorstep could not read the file. Choose it again".to_owned(),
            field: Some("file".to_owned()),
        });
    };
    let header = |name: &str| {
        request
            .headers()
            .get(name)
            .and_then(|value| value.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    let (case_id, name, media_type) = (
        header(CASE_ID_HEADER),
        header(FILE_NAME_HEADER),
        header(MEDIA_TYPE_HEADER),
    );
    let bytes = bytes.clone();
    app.run(move |device| device.attach_from_window(&case_id, &name, &media_type, &bytes))
        .await
}

/// An attachment's bytes, checked against their address, as a raw body.
#[tauri::command]
pub async fn attachment(
    app: App<'_>,
    case_id: String,
    sha256: String,
) -> Result<Response, AppError> {
    let bytes = app
        .run(move |device| device.attachment(&case_id, &sha256))
        .await?;
    Ok(Response::new(bytes))
}
