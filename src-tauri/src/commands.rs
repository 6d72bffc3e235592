//! Tauri commands: wrappers only. Behaviour lives in `doorstep-client`.

use doorstep_client::DeviceSettings;
use doorstep_client::api::{self, AppInfo};

#[tauri::command]
pub fn app_info(settings: tauri::State<'_, DeviceSettings>) -> AppInfo {
    api::app_info(&settings)
}
