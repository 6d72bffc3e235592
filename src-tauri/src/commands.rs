//! Tauri commands: wrappers only. Behaviour lives in `doorstep-client`.

use doorstep_client::DeviceSettings;
use doorstep_client::api::{self, AppInfo};
use doorstep_client::background::{BackgroundSync, SyncStatus};

#[tauri::command]
pub fn app_info(settings: tauri::State<'_, DeviceSettings>) -> AppInfo {
    api::app_info(&settings)
}

/// Offline, online or syncing; when it last synced; progress; "safe to hand in".
#[tauri::command]
pub fn sync_status(sync: tauri::State<'_, BackgroundSync>) -> SyncStatus {
    sync.status()
}

/// "Sync now": returns at once; progress arrives as `sync-status` events.
#[tauri::command]
pub fn sync_now(sync: tauri::State<'_, BackgroundSync>) {
    sync.sync_now();
}

/// The window saw the network come back (the browser's `online` event).
#[tauri::command]
pub fn network_online(sync: tauri::State<'_, BackgroundSync>) {
    sync.online();
}

/// A change was saved in the window: sync once the person pauses.
#[tauri::command]
pub fn change_saved(sync: tauri::State<'_, BackgroundSync>) {
    sync.edited();
}
