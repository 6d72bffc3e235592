fn main() {
    // Declaring the app's commands makes each one need an explicit permission
    // in capabilities/, so the window can call exactly what it uses.
    let commands = tauri_build::AppManifest::new().commands(&["app_info"]);
    if let Err(error) =
        tauri_build::try_build(tauri_build::Attributes::new().app_manifest(commands))
    {
        eprintln!("error: tauri build configuration is invalid: {error:#}");
        std::process::exit(1);
    }
}
