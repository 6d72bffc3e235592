//! `doorstep`: the device side of Doorstep without a window, for council IT
//! scripts, support staff and end-to-end tests. Every subcommand is one call
//! into `doorstep-client`, exactly as the desktop app makes it.
//!
//! Exit codes: 0 success, 1 the operation failed, 2 a usage error.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use doorstep_client::ClientError;
use doorstep_client::api::{self, AppInfo, ServerStatus};
use doorstep_client::settings::{DeviceSettings, SettingsSource};
use serde::Serialize;

#[derive(Debug, Parser)]
#[command(
    name = "doorstep",
    version,
    about = "Doorstep on the command line: the same device store and API as the desktop app",
    after_help = "Each --data-dir is its own device, so several can run on one machine.\n\
                  With --json, results are JSON on stdout and errors are JSON on stderr."
)]
struct Cli {
    /// This device's data folder [default: the desktop app's folder for this user]
    #[arg(long, global = true, env = "DOORSTEP_DATA_DIR")]
    data_dir: Option<PathBuf>,

    /// Print machine-readable JSON.
    #[arg(long, global = true)]
    json: bool,

    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Show this device's version, data folder and server, and check the server answers.
    Diagnostics {
        /// Check this server instead of the configured one.
        #[arg(long, env = "DOORSTEP_SERVER_URL")]
        server: Option<String>,
    },
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Diagnostics {
    app: AppInfo,
    server: Option<ServerStatus>,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let json = cli.json;
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            if json {
                let body = serde_json::json!({
                    "error": { "code": error.code(), "message": error.to_string() }
                });
                eprintln!("{body}");
            } else {
                eprintln!("error: {error}");
            }
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> Result<(), ClientError> {
    match cli.command {
        Command::Diagnostics { server } => {
            let settings = DeviceSettings::resolve(
                SettingsSource::from_environment().overridden_by(SettingsSource {
                    data_dir: cli.data_dir,
                    server_url: server,
                    ..SettingsSource::default()
                }),
            )?;
            let server = match &settings.server_url {
                Some(url) => Some(block_on(api::check_server(url))?),
                None => None,
            };
            let report = Diagnostics {
                app: api::app_info(&settings),
                server,
            };
            if cli.json {
                print_json(&report);
            } else {
                print_diagnostics(&report);
            }
            Ok(())
        }
    }
}

fn block_on<F: std::future::Future>(future: F) -> F::Output {
    // A current-thread runtime is plenty for one command and starts in microseconds.
    match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime.block_on(future),
        Err(error) => {
            eprintln!("error: could not start the async runtime: {error}");
            std::process::exit(1);
        }
    }
}

fn print_json(value: &impl Serialize) {
    match serde_json::to_string_pretty(value) {
        Ok(text) => println!("{text}"),
        Err(error) => eprintln!("error: could not write JSON: {error}"),
    }
}

fn print_diagnostics(report: &Diagnostics) {
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
