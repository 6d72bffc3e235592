//! `doorstep-server`: the council's sync server, and the admin commands IT
//! uses to manage teams and accounts. Exit codes: 0 success, 1 failure, 2 usage.

use std::io::Read;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand, ValueEnum};
use doorstep_server::accounts::Role;
use doorstep_server::admin::{self, AdminAction};
use doorstep_server::serve::{ServeOptions, open_sqlite, serve};
use doorstep_server::storage::postgres::PostgresStorage;
use tracing_subscriber::EnvFilter;

#[derive(Debug, Parser)]
#[command(
    name = "doorstep-server",
    version,
    about = "The council's Doorstep sync server",
    long_about = "The council's Doorstep sync server. It keeps every case, decides who may see it, and exchanges changes with caseworkers' devices.\n\nLogging: set DOORSTEP_LOG (for example `info` or `doorstep_server=debug`)."
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

#[derive(Debug, Args)]
struct StorageArgs {
    /// Folder for the embedded database; created on first start.
    #[arg(long)]
    data_dir: PathBuf,
    /// Use PostgreSQL instead of the embedded database: postgres://USER@HOST:PORT/DATABASE
    #[arg(long, env = "DOORSTEP_DATABASE_URL")]
    database_url: Option<String>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the server until SIGTERM or Ctrl-C.
    Serve {
        /// Address and port to listen on, such as 127.0.0.1:8787 (port 0 picks a free one).
        #[arg(long, default_value = "127.0.0.1:8787")]
        listen: SocketAddr,
        #[command(flatten)]
        storage: StorageArgs,
    },
    /// Manage teams and accounts.
    Admin {
        #[command(flatten)]
        storage: StorageArgs,
        /// Print machine-readable JSON.
        #[arg(long)]
        json: bool,
        #[command(subcommand)]
        command: AdminCommand,
    },
}

#[derive(Debug, Subcommand)]
enum AdminCommand {
    /// Teams of caseworkers and their leads.
    #[command(subcommand)]
    Team(TeamCommand),
    /// User accounts.
    #[command(subcommand)]
    User(UserCommand),
}

#[derive(Debug, Subcommand)]
enum TeamCommand {
    /// Create a team.
    Add { name: String },
    /// List teams.
    List,
}

#[derive(Debug, Subcommand)]
enum UserCommand {
    /// Create a user; the password is read from standard input.
    Add {
        name: String,
        /// caseworker, team-lead or admin.
        #[arg(long, value_parser = parse_role)]
        role: Role,
        /// The user's team (required for caseworkers and team leads).
        #[arg(long)]
        team: Option<String>,
        /// Read the password from standard input (required, so it never appears in shell history).
        #[arg(long, required = true)]
        password_stdin: bool,
    },
    /// Stop a user signing in; their data and audit history stay.
    Disable { name: String },
    /// Let a disabled user sign in again.
    Enable { name: String },
    /// List users.
    List,
}

fn parse_role(text: &str) -> Result<Role, String> {
    Role::parse(text)
        .ok_or_else(|| format!("\"{text}\" is not a role: use caseworker, team-lead or admin"))
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
    let outcome: Result<(), String> = runtime.block_on(async {
        match cli.command {
            Command::Serve { listen, storage } => serve(
                ServeOptions {
                    listen,
                    data_dir: storage.data_dir,
                    database_url: storage.database_url,
                },
                |address| {
                    // One stable line on stdout, so scripts that asked for port 0 learn the port.
                    println!("listening on http://{address}");
                },
            )
            .await
            .map_err(|error| error.to_string()),
            Command::Admin {
                storage,
                json,
                command,
            } => run_admin(storage, json, command).await,
        }
    });
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            tracing::error!(%message, "doorstep-server failed");
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

async fn run_admin(storage: StorageArgs, json: bool, command: AdminCommand) -> Result<(), String> {
    let action = match command {
        AdminCommand::Team(TeamCommand::Add { name }) => AdminAction::AddTeam { name },
        AdminCommand::Team(TeamCommand::List) => AdminAction::ListTeams,
        AdminCommand::User(UserCommand::Add {
            name, role, team, ..
        }) => {
            let mut password = String::new();
            std::io::stdin()
                .read_to_string(&mut password)
                .map_err(|error| {
                    format!("could not read the password from standard input: {error}")
                })?;
            let password = password.trim_end_matches(['\r', '\n']).to_owned();
            AdminAction::AddUser {
                name,
                role,
                team,
                password,
            }
        }
        AdminCommand::User(UserCommand::Disable { name }) => AdminAction::SetUserDisabled {
            name,
            disabled: true,
        },
        AdminCommand::User(UserCommand::Enable { name }) => AdminAction::SetUserDisabled {
            name,
            disabled: false,
        },
        AdminCommand::User(UserCommand::List) => AdminAction::ListUsers,
    };
    let result = match storage.database_url {
        Some(url) => {
            let storage = PostgresStorage::connect(&url)
                .await
                .map_err(|e| e.to_string())?;
            admin::run(&storage, action).await
        }
        None => {
            let storage = open_sqlite(&storage.data_dir)
                .await
                .map_err(|e| e.to_string())?;
            admin::run(&storage, action).await
        }
    }
    .map_err(|error| error.to_string())?;
    if json {
        println!(
            "{}",
            serde_json::to_string_pretty(&result).unwrap_or_default()
        );
    } else {
        print_admin(&result);
    }
    Ok(())
}

fn print_admin(result: &serde_json::Value) {
    let describe = |user: &serde_json::Value| {
        format!(
            "{} ({}{}){}",
            user["name"].as_str().unwrap_or_default(),
            user["role"].as_str().unwrap_or_default(),
            user["team"]
                .as_str()
                .map(|team| format!(", {team}"))
                .unwrap_or_default(),
            if user["disabled"] == true {
                " — disabled"
            } else {
                ""
            }
        )
    };
    if let Some(team) = result.get("team") {
        println!("Created team {}", team["name"].as_str().unwrap_or_default());
    } else if let Some(teams) = result.get("teams").and_then(|t| t.as_array()) {
        for team in teams {
            println!("{}", team["name"].as_str().unwrap_or_default());
        }
    } else if let Some(user) = result.get("user") {
        println!("Saved user {}", describe(user));
    } else if let Some(users) = result.get("users").and_then(|u| u.as_array()) {
        for user in users {
            println!("{}", describe(user));
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
