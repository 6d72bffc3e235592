//! The smallest Tauri 2 window: the same runtime, window size and WebKitGTK
//! as Doorstep, showing an empty page, with no commands and no store. The
//! app measurement (`ui/scripts/measure-app.mjs`) runs it beside Doorstep so
//! Doorstep's own memory is told apart from what any Tauri window costs.

use tauri::Manager;

fn main() {
    let outcome = tauri::Builder::default()
        .setup(|app| {
            if let Some(window) = app.get_webview_window("main") {
                window.navigate("about:blank".parse()?)?;
                window.set_title("Minimal Tauri window")?;
            }
            Ok(())
        })
        .run(tauri::generate_context!());
    if let Err(error) = outcome {
        eprintln!("error: the minimal window stopped: {error}");
        std::process::exit(1);
    }
}
