fn main() {
    // Declaring the app's commands makes each one need an explicit permission
    // in capabilities/, so the window can call exactly what it uses.
    // The window is granted only those it uses (capabilities/main-window.json).
    let commands = tauri_build::AppManifest::new().commands(&[
        "app_info",
        "sync_status",
        "sync_now",
        "network_online",
        "change_saved",
        "device_status",
        "sign_in",
        "sign_out",
        "list_cases",
        "todays_visits",
        "show_case",
        "create_case",
        "set_field",
        "add_note",
        "edit_note",
        "set_narrative",
        "add_person",
        "add_item",
        "check_in",
        "check_out",
        "submit_for_review",
        "review_queue",
        "review_case",
        "team_caseload",
        "team_alerts",
        "case_access_record",
        "worker_activity",
        "save_export",
        "outbox",
        "conflicts",
        "resolve_conflict",
        "lock_status",
        "lock",
        "unlock",
        "set_pin",
        "user_active",
        "attach_file",
        "attachment",
    ]);
    if let Err(error) =
        tauri_build::try_build(tauri_build::Attributes::new().app_manifest(commands))
    {
        eprintln!("error: tauri build configuration is invalid: {error:#}");
        std::process::exit(1);
    }
}
