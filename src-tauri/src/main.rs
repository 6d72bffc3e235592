//! The Doorstep desktop app. This crate only wires Tauri to `doorstep-client`:
//! each command is a one-line call into the shared API.

#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

mod commands;

use doorstep_client::background::BackgroundSync;
use doorstep_client::desktop::DesktopApp;
use doorstep_client::settings::{DeviceSettings, SettingsSource};
use tauri::{Emitter, Manager};

/// The event the window listens to for sync status changes.
const SYNC_STATUS_EVENT: &str = "sync-status";

fn main() {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("DOORSTEP_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .init();

    let settings = match DeviceSettings::resolve(SettingsSource::from_environment()) {
        Ok(settings) => settings,
        Err(error) => {
            // The window would be useless without its settings; say why on stderr
            // and in the system log rather than opening a broken app.
            tracing::error!(code = error.code(), %error, "Doorstep cannot start");
            eprintln!("error: {error}");
            std::process::exit(1);
        }
    };
    tracing::info!(data_dir = %settings.data_dir.display(), "Doorstep starting");

    let outcome = tauri::Builder::default()
        .manage(settings.clone())
        .manage(DesktopApp::new(settings.clone()))
        .setup(move |app| {
            // Sync runs on its own thread from the start: the window never
            // waits for the network, and a long first sync reports progress.
            let handle = app.handle().clone();
            let background = BackgroundSync::start(settings, Default::default(), move |status| {
                if let Err(error) = handle.emit(SYNC_STATUS_EVENT, status) {
                    tracing::debug!(%error, "could not tell the window about sync");
                }
            });
            app.manage(background);
            Ok(())
        })
        .invoke_handler(tauri::generate_handler![
            commands::app_info,
            commands::sync_status,
            commands::sync_now,
            commands::network_online,
            commands::change_saved,
            commands::device_status,
            commands::sign_in,
            commands::sign_out,
            commands::list_cases,
            commands::todays_visits,
            commands::show_case,
            commands::create_case,
            commands::set_field,
            commands::add_note,
            commands::edit_note,
            commands::set_narrative,
            commands::add_person,
            commands::add_item,
            commands::check_in,
            commands::check_out,
            commands::submit_for_review,
            commands::review_queue,
            commands::review_case,
            commands::team_caseload,
            commands::team_alerts,
            commands::case_access_record,
            commands::worker_activity,
            commands::save_export,
            commands::outbox,
            commands::conflicts,
            commands::resolve_conflict,
            commands::lock_status,
            commands::lock,
            commands::unlock,
            commands::set_pin,
            commands::user_active,
            commands::attach_file,
            commands::attachment
        ])
        .run(tauri::generate_context!());
    if let Err(error) = outcome {
        tracing::error!(%error, "Doorstep stopped with an error");
        eprintln!("error: Doorstep stopped: {error}");
        std::process::exit(1);
    }
}
