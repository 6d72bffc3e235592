//! `doorstep-server`: the council's sync server. See docs in the README.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use doorstep_server::serve::{ServeOptions, serve};
use tracing_subscriber::EnvFilter;

#[derive(Debug, Parser)]
#[command(
    name = "doorstep-server",
    version,
    about = "The council's Doorstep sync server",
    long_about = "The council's Doorstep sync server. It keeps every case, decides who may see it, \
                  and exchanges changes with caseworkers' devices.\n\n\
                  Logging: set DOORSTEP_LOG (for example `info` or `doorstep_server=debug`)."
)]
struct Cli {
    /// Log as human-readable text or as one JSON object a line (for log shippers).
    #[arg(long, global = true, value_enum, default_value_t = LogFormat::Text, env = "DOORSTEP_LOG_FORMAT")]
    log_format: LogFormat,

    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum LogFormat {
    Text,
    Json,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the server until SIGTERM or Ctrl-C.
    Serve {
        /// Address and port to listen on, such as 127.0.0.1:8787 (port 0 picks a free one).
        #[arg(long, default_value = "127.0.0.1:8787")]
        listen: SocketAddr,
        /// Folder for the embedded database; created on first start.
        #[arg(long)]
        data_dir: PathBuf,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logging(cli.log_format);
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("error: could not start the async runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    let outcome = runtime.block_on(async {
        match cli.command {
            Command::Serve { listen, data_dir } => {
                serve(ServeOptions { listen, data_dir }, |address| {
                    // One stable line on stdout, so scripts that asked for port 0 learn the port.
                    println!("listening on http://{address}");
                })
                .await
            }
        }
    });
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            tracing::error!(%error, "doorstep-server stopped");
            eprintln!("error: {error}");
            ExitCode::FAILURE
        }
    }
}

fn init_logging(format: LogFormat) {
    let filter = EnvFilter::try_from_env("DOORSTEP_LOG")
        .unwrap_or_else(|_| EnvFilter::new("info,tower_http=info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    match format {
        LogFormat::Text => builder.init(),
        LogFormat::Json => builder.json().init(),
    }
}
