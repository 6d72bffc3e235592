//! `doorstep-server`: the council's sync server, and the admin commands IT
//! uses to manage teams and accounts. Exit codes: 0 success, 1 failure, 2 usage.

use std::io::Read;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand, ValueEnum};
use doorstep_server::accounts::Role;
use doorstep_server::admin::{self, AdminAction};
use doorstep_server::config::{ConfigFile, GivenSettings, Settings};
use doorstep_server::serve::{open_sqlite, serve};
use doorstep_server::storage::Storage;
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
    ///
    /// Settings come from flags, then DOORSTEP_* environment variables, then
    /// the config file, then defaults.
    Serve {
        /// Address and port to listen on [default: 127.0.0.1:8787; port 0 picks a free one].
        #[arg(long, env = "DOORSTEP_LISTEN")]
        listen: Option<SocketAddr>,
        /// Folder for the embedded database; created on first start.
        #[arg(long, env = "DOORSTEP_DATA_DIR")]
        data_dir: Option<PathBuf>,
        /// Use PostgreSQL instead of the embedded database: postgres://USER@HOST:PORT/DATABASE
        #[arg(long, env = "DOORSTEP_DATABASE_URL")]
        database_url: Option<String>,
        /// TOML settings file (keys: listen, data_dir, database_url, tls_cert, tls_key, insecure, access_token_minutes, refresh_token_days).
        #[arg(long, env = "DOORSTEP_CONFIG")]
        config: Option<PathBuf>,
        /// PEM certificate chain for HTTPS.
        #[arg(long, env = "DOORSTEP_TLS_CERT")]
        tls_cert: Option<PathBuf>,
        /// PEM private key for HTTPS.
        #[arg(long, env = "DOORSTEP_TLS_KEY")]
        tls_key: Option<PathBuf>,
        /// Allow plain HTTP on a non-loopback address (only behind a TLS-terminating load balancer).
        #[arg(long)]
        insecure: bool,
    },
    /// Seed demo users, a team and invented cases, and print how to sign in.
    Demo {
        #[command(flatten)]
        storage: StorageArgs,
        /// How many invented cases to add.
        #[arg(long, default_value_t = 40)]
        cases: usize,
        /// The same seed invents the same cases, so a second run adds nothing twice.
        #[arg(long, default_value_t = 2026)]
        seed: u64,
        /// Print machine-readable JSON.
        #[arg(long)]
        json: bool,
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
    /// Registered devices: list them, or revoke a lost one.
    #[command(subcommand)]
    Device(DeviceCommand),
    /// The server's tamper-evident audit log.
    #[command(subcommand)]
    Audit(AuditCommand),
    /// Lone-worker alerts: visits past their expected end with no check-out.
    #[command(subcommand)]
    Alert(AlertCommand),
}

#[derive(Debug, Subcommand)]
enum AlertCommand {
    /// List alerts, newest first: who, which case, the expected end, raised and resolved.
    List {
        /// Only alerts not yet resolved by a check-out.
        #[arg(long)]
        open: bool,
    },
}

#[derive(Debug, Subcommand)]
enum DeviceCommand {
    /// List devices: user, hostname, OS, app version, last sync, revoked.
    List,
    /// Revoke a device: its tokens stop working now, and on its next contact it wipes its data.
    Revoke { id: String },
}

#[derive(Debug, Subcommand)]
enum AuditCommand {
    /// Check the hash chain; exits 1 if any event was altered or deleted.
    Verify,
    /// Print the log as JSON lines, oldest first.
    Export,
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
    /// Change a user's role (their team stays). It applies to their next
    /// request: a former team lead's review decisions made offline are then
    /// refused when they sync.
    SetRole {
        name: String,
        /// caseworker, team-lead or admin.
        #[arg(long, value_parser = parse_role)]
        role: Role,
    },
    /// Move a user to another team. It applies to their next request, and
    /// their laptop then removes the cases they may no longer see, after
    /// sending any unsent work on them.
    SetTeam {
        name: String,
        /// The new team's name (see `admin team list`).
        #[arg(long, conflicts_with = "no_team", required_unless_present = "no_team")]
        team: Option<String>,
        /// Take an admin out of every team.
        #[arg(long)]
        no_team: bool,
    },
    /// List users.
    List,
}

/// Opens the backend `args` name (PostgreSQL with a URL, else embedded SQLite)
/// as `$backend`, and evaluates `$body` with it.
macro_rules! with_storage {
    ($args:expr, $backend:ident => $body:expr) => {
        match $args.database_url.clone() {
            Some(url) => {
                let $backend = PostgresStorage::connect(&url)
                    .await
                    .map_err(|error| error.to_string())?;
                $body
            }
            None => {
                let $backend = open_sqlite(&$args.data_dir)
                    .await
                    .map_err(|error| error.to_string())?;
                $body
            }
        }
    };
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
            Command::Serve {
                listen,
                data_dir,
                database_url,
                config,
                tls_cert,
                tls_key,
                insecure,
            } => {
                let file = match &config {
                    Some(path) => ConfigFile::load(path).map_err(|error| error.to_string())?,
                    None => ConfigFile::default(),
                };
                let settings = Settings::resolve(
                    GivenSettings {
                        listen,
                        data_dir,
                        database_url,
                        tls_cert,
                        tls_key,
                        insecure,
                    },
                    file,
                )
                .map_err(|error| error.to_string())?;
                let scheme = if settings.tls.is_some() {
                    "https"
                } else {
                    "http"
                };
                serve(settings, |address| {
                    // One stable line on stdout, so scripts that asked for port 0 learn the port.
                    println!("listening on {scheme}://{address}");
                })
                .await
                .map_err(|error| error.to_string())
            }
            Command::Admin {
                storage,
                json,
                command,
            } => run_admin(storage, json, command).await,
            Command::Demo {
                storage,
                cases,
                seed,
                json,
            } => run_demo(storage, cases, seed, json).await,
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
        AdminCommand::User(UserCommand::SetRole { name, role }) => {
            AdminAction::SetUserRole { name, role }
        }
        AdminCommand::User(UserCommand::SetTeam { name, team, .. }) => {
            AdminAction::SetUserTeam { name, team }
        }
        AdminCommand::User(UserCommand::List) => AdminAction::ListUsers,
        AdminCommand::Device(DeviceCommand::List) => AdminAction::ListDevices,
        AdminCommand::Alert(AlertCommand::List { open }) => {
            AdminAction::ListAlerts { open_only: open }
        }
        AdminCommand::Device(DeviceCommand::Revoke { id }) => AdminAction::RevokeDevice { id },
        AdminCommand::Audit(AuditCommand::Verify) => AdminAction::VerifyAudit,
        AdminCommand::Audit(AuditCommand::Export) => {
            return with_storage!(storage, backend => export_audit(&backend).await);
        }
    };
    let result = with_storage!(
        storage,
        backend => admin::run(&backend, action).await.map_err(|error| error.to_string())
    )?;
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

async fn run_demo(storage: StorageArgs, cases: usize, seed: u64, json: bool) -> Result<(), String> {
    let started = std::time::Instant::now();
    let summary = with_storage!(
        storage,
        backend => doorstep_server::demo::seed(&backend, cases, seed)
            .await
            .map_err(|error| error.to_string())
    )?;
    if json {
        println!(
            "{}",
            serde_json::to_string_pretty(&summary).unwrap_or_default()
        );
        return Ok(());
    }
    println!(
        "Demo ready in {:.1} s: team {}, {} new cases ({} were already there).",
        started.elapsed().as_secs_f64(),
        summary.team,
        summary.cases_created,
        summary.cases_already_there
    );
    println!("Sign in as:");
    for user in &summary.users {
        println!(
            "  {:<16} {:<11} password: {}",
            user.name,
            user.role.as_str(),
            user.password
        );
    }
    Ok(())
}

async fn export_audit<S: Storage>(storage: &S) -> Result<(), String> {
    use std::io::Write;
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let mut failure = None;
    let mut exported = 0usize;
    let mut write_page = |page: Vec<doorstep_server::audit::AuditRecord>| {
        exported += page.len();
        for record in page {
            let line = serde_json::to_string(&record).unwrap_or_default();
            if let Err(error) = writeln!(out, "{line}") {
                failure.get_or_insert(error);
            }
        }
    };
    admin::each_audit_page(storage, &mut write_page)
        .await
        .map_err(|error| error.to_string())?;
    if let Some(error) = failure {
        return Err(format!("could not write the export: {error}"));
    }
    out.flush()
        .map_err(|error| format!("could not write the export: {error}"))?;
    // Exporting the log is itself an event worth a row.
    storage
        .record_audit(vec![
            doorstep_server::audit::AuditEvent::new("admin_audit_exported")
                .by(admin::operator())
                .detail(serde_json::json!({ "events": exported })),
        ])
        .await
        .map_err(|error| error.to_string())
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
    } else if let Some(alerts) = result.get("alerts").and_then(|a| a.as_array()) {
        if alerts.is_empty() {
            println!("No lone-worker alerts.");
        }
        for alert in alerts {
            println!(
                "alert {}: {} on case {}, expected to end {}, raised {}{}",
                alert["id"],
                alert["worker"].as_str().unwrap_or_default(),
                alert["case_id"].as_str().unwrap_or_default(),
                alert["expected_end"].as_str().unwrap_or_default(),
                alert["raised_at"].as_str().unwrap_or_default(),
                alert["resolved_at"]
                    .as_str()
                    .map(|at| format!(", resolved {at}"))
                    .unwrap_or_else(|| " — OPEN".to_owned()),
            );
        }
    } else if let Some(device) = result.get("device") {
        println!(
            "Revoked device {} ({} on {}). Its tokens no longer work; it wipes its data on its next contact.",
            device["id"].as_str().unwrap_or_default(),
            device["user"].as_str().unwrap_or_default(),
            device["hostname"].as_str().unwrap_or_default()
        );
    } else if let Some(devices) = result.get("devices").and_then(|d| d.as_array()) {
        if devices.is_empty() {
            println!("No devices have signed in yet.");
        }
        for device in devices {
            println!(
                "{}  {}  {}  {}  Doorstep {}  last sync {}{}",
                device["id"].as_str().unwrap_or_default(),
                device["user"].as_str().unwrap_or_default(),
                device["hostname"].as_str().unwrap_or_default(),
                device["os"].as_str().unwrap_or_default(),
                device["app_version"].as_str().unwrap_or_default(),
                device["last_sync_at"].as_str().unwrap_or("never"),
                device["revoked_at"]
                    .as_str()
                    .map(|at| format!("  REVOKED {at}"))
                    .unwrap_or_default()
            );
        }
    } else if let Some(audit) = result.get("audit") {
        println!(
            "The audit log is intact: {} events, each chained to the one before.",
            audit["events"]
        );
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
