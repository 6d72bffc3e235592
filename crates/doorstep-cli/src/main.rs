//! `doorstep`: the device side of Doorstep without a window, for council IT
//! scripts, support staff and end-to-end tests. Every subcommand is one call
//! into `doorstep-client`, exactly as the desktop app makes it.
//!
//! Exit codes: 0 success, 1 the operation failed, 2 a usage error.

mod output;

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand, ValueEnum};
use doorstep_client::api::{self, AppInfo, ServerStatus};
use doorstep_client::device::PersonInput;
use doorstep_client::settings::{DeviceSettings, SettingsSource};
use doorstep_client::types::{CaseFilter, CaseStatus, ReviewDecision};
use doorstep_client::{ClientError, Device};
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
    /// Who is using this device, unsynced changes and conflicts.
    Status,
    /// Sign in and register this device; the tokens go to the OS keyring.
    Login {
        /// The council's Doorstep server, such as https://doorstep.example-council.gov.uk
        #[arg(long, env = "DOORSTEP_SERVER_URL")]
        server: String,
        #[arg(long)]
        user: String,
        /// Read the password from the first line of standard input.
        #[arg(long, required = true)]
        password_stdin: bool,
    },
    /// End the session; this device's data and unsynced changes stay, encrypted.
    Logout,
    /// Sync now. Exits 0 only when the server has acknowledged every change made here.
    Sync {
        /// Print progress after each round (to standard error).
        #[arg(long)]
        progress: bool,
    },
    /// Create, find, read and change cases.
    #[command(subcommand)]
    Case(CaseCommand),
    /// People on a case.
    #[command(subcommand)]
    Person(PersonCommand),
    /// Every change made here that the server has not acknowledged yet.
    Outbox,
    /// Unresolved same-field conflicts, on one case or all of them.
    Conflicts {
        /// Only this case.
        id: Option<String>,
    },
    /// Resolve a conflict with the value you choose.
    Resolve {
        id: String,
        /// The field in conflict, as `conflicts` shows it (e.g. summary, people.ID.postcode).
        field: String,
        #[arg(long)]
        value: String,
    },
    /// This device's tamper-evident audit log.
    #[command(subcommand)]
    Audit(AuditCommand),
    /// The derived tables behind lists and search.
    #[command(subcommand)]
    Projections(ProjectionsCommand),
}

#[derive(Debug, Subcommand)]
enum CaseCommand {
    /// Create a case; prints its id.
    New {
        #[arg(long = "type")]
        case_type: String,
        #[arg(long)]
        summary: String,
    },
    /// Cases on this device.
    List {
        /// open, in_progress, awaiting_review or closed.
        #[arg(long)]
        status: Option<String>,
        /// Words to find in summaries, narratives, notes and people's names.
        #[arg(long)]
        search: Option<String>,
        #[arg(long)]
        assigned_to: Option<String>,
        /// At most this many cases.
        #[arg(long, default_value_t = 200)]
        limit: usize,
    },
    /// The whole case, with any conflicts.
    Show { id: String },
    /// Set a field, e.g. summary, status, assigned_to, due_date, people.ID.postcode.
    Set {
        id: String,
        field: String,
        value: String,
    },
    /// Append a note to the case's timeline.
    Note { id: String, text: String },
    /// Submit the case for review by a team lead.
    Submit { id: String },
    /// Team leads: approve a case awaiting review (it closes), or return it
    /// with comments (it goes back to in progress). Works offline; the server
    /// checks the role again when it syncs.
    Review {
        id: String,
        #[arg(
            long,
            conflicts_with = "return_case",
            required_unless_present = "return_case"
        )]
        approve: bool,
        #[arg(long = "return")]
        return_case: bool,
        /// What needs to change (required to return a case).
        #[arg(long, default_value = "")]
        comment: String,
    },
    /// Team leads: the cases awaiting review, oldest submission first.
    Queue,
    /// Replace the assessment narrative; concurrent edits merge character by character.
    Narrative { id: String, text: String },
    /// Attach a photo or document; it is stored encrypted and sent after the case text.
    Attach {
        id: String,
        #[arg(long)]
        file: PathBuf,
        /// Such as image/jpeg or application/pdf.
        #[arg(long = "media-type")]
        media_type: String,
    },
    /// Write an attachment's bytes to a file (checked against its address first).
    Attachment {
        id: String,
        sha256: String,
        #[arg(long)]
        out: PathBuf,
    },
    /// Export a case: JSON (the shape import reads) or the raw automerge bytes.
    Export {
        id: String,
        #[arg(long, value_enum)]
        format: ExportFormat,
    },
    /// Create cases from a JSON-lines file (one case a line, as `case show --json` prints).
    Import {
        #[arg(long)]
        file: PathBuf,
    },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum ExportFormat {
    Json,
    Automerge,
}

#[derive(Debug, Subcommand)]
enum PersonCommand {
    /// Add a person to a case. Identifiers are checked; an invalid one changes nothing.
    Add(PersonArgs),
}

#[derive(Debug, Args)]
struct PersonArgs {
    /// The case.
    id: String,
    #[arg(long)]
    name: String,
    /// Date of birth, YYYY-MM-DD.
    #[arg(long)]
    dob: Option<String>,
    #[arg(long)]
    nhs_number: Option<String>,
    #[arg(long)]
    ni_number: Option<String>,
    #[arg(long)]
    address: Option<String>,
    #[arg(long)]
    postcode: Option<String>,
    #[arg(long)]
    uprn: Option<String>,
    #[arg(long)]
    phone: Option<String>,
    #[arg(long)]
    email: Option<String>,
    #[arg(long)]
    relationship: Option<String>,
}

#[derive(Debug, Subcommand)]
enum AuditCommand {
    /// Check the audit chain; exits 1 if it was altered.
    Verify,
    /// What was done on this device, oldest first.
    Log {
        /// Only this case's events.
        #[arg(long)]
        case: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
enum ProjectionsCommand {
    /// Rebuild every projection from the case documents and check they match.
    Rebuild,
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

fn settings(
    data_dir: Option<PathBuf>,
    server: Option<String>,
) -> Result<DeviceSettings, ClientError> {
    DeviceSettings::resolve(
        SettingsSource::from_environment().overridden_by(SettingsSource {
            data_dir,
            server_url: server,
            ..SettingsSource::default()
        }),
    )
}

fn run(cli: Cli) -> Result<(), ClientError> {
    let json = cli.json;
    if let Command::Diagnostics { server } = cli.command {
        let settings = settings(cli.data_dir, server)?;
        let server = match &settings.server_url {
            Some(url) => Some(block_on(api::check_server(url))?),
            None => None,
        };
        let report = Diagnostics {
            app: api::app_info(&settings),
            server,
        };
        return output::print(json, &report, || output::diagnostics(&report));
    }
    let settings = settings(cli.data_dir, None)?;
    let mut device = Device::open(&settings)?;
    match cli.command {
        Command::Diagnostics { .. } => Ok(()),
        Command::Status => {
            let status = device.status()?;
            output::print(json, &status, || output::status(&status))
        }
        Command::Login {
            server,
            user,
            password_stdin: _,
        } => {
            let url = doorstep_client::settings::parse_server_url(&server)?;
            let password = read_password()?;
            let signed_in = device.sign_in(&url, &user, &password)?;
            output::print(json, &signed_in, || {
                println!(
                    "Signed in to {} as {} ({}{})",
                    signed_in.server,
                    signed_in.user,
                    signed_in.role,
                    signed_in
                        .team
                        .as_deref()
                        .map(|team| format!(", {team}"))
                        .unwrap_or_default()
                )
            })
        }
        Command::Logout => {
            device.sign_out()?;
            let result = serde_json::json!({ "signedOut": true, "dataKept": true });
            output::print(json, &result, || {
                println!("Signed out. This device's data and unsynced changes are kept, encrypted.")
            })
        }
        Command::Sync { progress } => {
            let result = device.sync(&mut |status| {
                if progress && !json {
                    eprintln!(
                        "round {}: received {} cases{}, sent {}, {} bytes up, {} bytes down",
                        status.round,
                        status.cases_received,
                        status
                            .cases_remaining
                            .map(|left| format!(" ({left} to come)"))
                            .unwrap_or_default(),
                        status.cases_sent,
                        status.bytes_sent,
                        status.bytes_received
                    );
                }
            });
            let result = match result {
                Ok(outcome) => outcome,
                Err(ClientError::Wiped) => {
                    // Closing removes any file the open connection kept alive.
                    device.close()?;
                    return Err(ClientError::Wiped);
                }
                Err(error) => return Err(error),
            };
            output::print(json, &result, || output::sync_outcome(&result))?;
            if result.everything_acknowledged {
                Ok(())
            } else {
                Err(ClientError::NotEverythingAcknowledged {
                    waiting: result.unsynced_changes + result.files_to_send,
                    refused: result.refused.len(),
                })
            }
        }
        Command::Case(command) => run_case(&mut device, command, json),
        Command::Person(PersonCommand::Add(person)) => {
            let case_id = person.id.clone();
            let person_id = device.add_person(&case_id, &person.into_input())?;
            let result =
                serde_json::json!({ "caseId": case_id, "personId": person_id, "saved": true });
            output::print(json, &result, || {
                println!("Saved: added person {person_id} to case {case_id}")
            })
        }
        Command::Outbox => {
            let entries = device.outbox()?;
            output::print(json, &entries, || output::outbox(&entries))
        }
        Command::Conflicts { id } => {
            let conflicts = device.conflicts(id.as_deref())?;
            output::print(json, &conflicts, || output::conflicts(&conflicts))
        }
        Command::Resolve { id, field, value } => {
            device.resolve(&id, &field, &value)?;
            let result = serde_json::json!({ "caseId": id, "field": field, "saved": true });
            output::print(json, &result, || {
                println!("Saved: {field} on case {id} is now {value:?}")
            })
        }
        Command::Audit(AuditCommand::Verify) => {
            let report = device.verify_audit()?;
            let summary = serde_json::json!({
                "intact": report.is_intact(),
                "events": report.events,
                "headHash": report.head_hash,
                "broken": report.broken,
            });
            output::print(json, &summary, || output::audit(&report))?;
            match report.first_broken_seq() {
                None => Ok(()),
                Some(seq) => Err(ClientError::AuditBroken(seq)),
            }
        }
        Command::Audit(AuditCommand::Log { case }) => {
            let records = device.audit_log(case.as_deref())?;
            output::print(json, &records, || output::audit_log(&records))
        }
        Command::Projections(ProjectionsCommand::Rebuild) => {
            let report = device.rebuild_projections()?;
            output::print(json, &report, || {
                println!(
                    "Rebuilt {} case projections; {}",
                    report.cases,
                    if report.identical {
                        "identical to the stored ones"
                    } else {
                        "SOME DIFFERED and were corrected"
                    }
                )
            })
        }
    }
}

fn run_case(device: &mut Device, command: CaseCommand, json: bool) -> Result<(), ClientError> {
    match command {
        CaseCommand::New { case_type, summary } => {
            let id = device.create_case(&case_type, &summary)?;
            let result = serde_json::json!({ "id": id, "saved": true });
            output::print(json, &result, || println!("{id}"))
        }
        CaseCommand::List {
            status,
            search,
            assigned_to,
            limit,
        } => {
            let status = match status.as_deref() {
                None => None,
                Some(text) => Some(CaseStatus::parse(text).ok_or_else(|| {
                    ClientError::InvalidFilter(format!(
                        "\"{text}\" is not a status: use open, in_progress, awaiting_review or closed"
                    ))
                })?),
            };
            let cases = device.list_cases(&CaseFilter {
                status,
                text: search,
                assigned_to,
                limit: Some(limit),
                ..CaseFilter::default()
            })?;
            output::print(json, &cases, || output::case_list(&cases))
        }
        CaseCommand::Show { id } => {
            let view = device.show_case(&id)?;
            output::print(json, &view, || output::case_view(&view))
        }
        CaseCommand::Set { id, field, value } => {
            device.set_field(&id, &field, &value)?;
            let result = serde_json::json!({ "caseId": id, "field": field, "saved": true });
            output::print(json, &result, || println!("Saved: {field} on case {id}"))
        }
        CaseCommand::Note { id, text } => {
            let note_id = device.add_note(&id, &text)?;
            let result = serde_json::json!({ "caseId": id, "noteId": note_id, "saved": true });
            output::print(json, &result, || {
                println!("Saved: note {note_id} on case {id}")
            })
        }
        CaseCommand::Submit { id } => {
            device.submit_for_review(&id)?;
            let result =
                serde_json::json!({ "caseId": id, "status": "awaiting_review", "saved": true });
            output::print(json, &result, || {
                println!("Saved: case {id} is awaiting review")
            })
        }
        CaseCommand::Review {
            id,
            approve,
            return_case: _,
            comment,
        } => {
            let decision = if approve {
                ReviewDecision::Approved
            } else {
                ReviewDecision::Returned
            };
            let review_id = device.review_case(&id, decision, &comment)?;
            let result = serde_json::json!({
                "caseId": id,
                "reviewId": review_id,
                "decision": decision,
                "status": decision.resulting_status().as_str(),
                "saved": true,
            });
            output::print(json, &result, || match decision {
                ReviewDecision::Approved => println!("Saved: case {id} approved and closed"),
                ReviewDecision::Returned => {
                    println!("Saved: case {id} returned to the caseworker with your comments")
                }
            })
        }
        CaseCommand::Queue => {
            let queue = device.review_queue()?;
            output::print(json, &queue, || {
                if queue.is_empty() {
                    println!("No cases are awaiting review.");
                }
                for entry in &queue {
                    println!(
                        "{}\t{}\t{}\tsubmitted by {} at {}",
                        entry.case.case_id,
                        entry.case.reference.as_deref().unwrap_or("-"),
                        entry.case.summary,
                        entry.submitted_by,
                        entry.submitted_at.to_rfc3339(),
                    );
                }
            })
        }
        CaseCommand::Attach {
            id,
            file,
            media_type,
        } => {
            let bytes = std::fs::read(&file).map_err(|error| {
                ClientError::Output(format!("could not read {}: {error}", file.display()))
            })?;
            let name = file
                .file_name()
                .map(|name| name.to_string_lossy().into_owned())
                .unwrap_or_else(|| "attachment".to_owned());
            let sha256 = device.attach(&id, &name, &media_type, &bytes)?;
            let result = serde_json::json!({ "caseId": id, "sha256": sha256, "saved": true });
            output::print(json, &result, || {
                println!("Saved: attached {name} to case {id} ({sha256})")
            })
        }
        CaseCommand::Attachment { id, sha256, out } => {
            let bytes = device.attachment(&id, &sha256)?;
            std::fs::write(&out, &bytes).map_err(|error| {
                ClientError::Output(format!("could not write {}: {error}", out.display()))
            })?;
            let result =
                serde_json::json!({ "caseId": id, "sha256": sha256, "bytes": bytes.len() });
            output::print(json, &result, || {
                println!("Wrote {} bytes to {}", bytes.len(), out.display())
            })
        }
        CaseCommand::Narrative { id, text } => {
            device.set_narrative(&id, &text)?;
            let result = serde_json::json!({ "caseId": id, "saved": true });
            output::print(json, &result, || {
                println!("Saved: the narrative of case {id}")
            })
        }
        CaseCommand::Export { id, format } => match format {
            ExportFormat::Json => {
                let view = device.export_json(&id)?;
                // Export JSON is always JSON: it is the import format.
                output::print(true, &view, || {})
            }
            ExportFormat::Automerge => {
                let bytes = device.export_automerge(&id)?;
                let mut stdout = std::io::stdout().lock();
                stdout
                    .write_all(&bytes)
                    .and_then(|()| stdout.flush())
                    .map_err(|error| ClientError::Output(error.to_string()))
            }
        },
        CaseCommand::Import { file } => {
            let text = std::fs::read_to_string(&file).map_err(|error| ClientError::Import {
                line: 0,
                message: format!("could not read {}: {error}", file.display()),
            })?;
            let ids = device.import_jsonl(&text)?;
            let result = serde_json::json!({ "imported": ids.len(), "ids": ids, "saved": true });
            output::print(json, &result, || {
                println!("Saved: imported {} cases", ids.len())
            })
        }
    }
}

impl PersonArgs {
    fn into_input(self) -> PersonInput {
        PersonInput {
            name: self.name,
            date_of_birth: self.dob,
            nhs_number: self.nhs_number,
            ni_number: self.ni_number,
            address: self.address,
            postcode: self.postcode,
            uprn: self.uprn,
            phone: self.phone,
            email: self.email,
            relationship: self.relationship,
        }
    }
}

fn read_password() -> Result<String, ClientError> {
    let mut line = String::new();
    std::io::stdin()
        .read_line(&mut line)
        .map_err(|error| ClientError::SignIn(format!("Could not read the password: {error}")))?;
    let password = line.trim_end_matches(['\n', '\r']).to_owned();
    if password.is_empty() {
        return Err(ClientError::SignIn(
            "No password was given on standard input. Pipe it in, for example from your password manager's command-line tool".into(),
        ));
    }
    Ok(password)
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
