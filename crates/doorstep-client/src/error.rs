use std::path::PathBuf;

use doorstep_core::case::CaseError;

/// Errors the API reports to a person. Each says what to do next, and carries
/// a stable [`ClientError::code`] so front ends never match on message text.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    #[error(
        "\"{0}\" is not a server address. Write it in full, such as https://doorstep.example-council.gov.uk"
    )]
    InvalidServerUrl(String),
    #[error(
        "No data folder could be found for this user. Pass --data-dir, or set DOORSTEP_DATA_DIR."
    )]
    NoDataDir,
    #[error("The data folder {0} is not an absolute path. Give the full path, starting with /.")]
    RelativeDataDir(PathBuf),
    #[error("The council branding setting is not valid: {0}")]
    Branding(#[from] doorstep_core::branding::BrandingError),
    #[error(
        "Could not reach the Doorstep server at {url}: {reason}. Check the address and your connection; your work stays safe on this device."
    )]
    ServerUnreachable { url: String, reason: String },
    #[error(
        "The server at {url} answered with an error ({status}). Try again later, or ask IT to check the server."
    )]
    ServerError { url: String, status: u16 },
    // Boxed: these errors are large, and every Result in the API carries a ClientError.
    #[error(transparent)]
    Store(Box<doorstep_store::StoreError>),
    #[error(transparent)]
    Case(Box<doorstep_core::case::CaseError>),
    #[error("There is no case {0} on this device. Check the id with `doorstep case list`.")]
    NoSuchCase(String),
    #[error(
        "Line {line}: {message}. Nothing from the file was saved; fix the line and import the file again."
    )]
    Import { line: usize, message: String },
    #[error("{0}")]
    InvalidFilter(String),
    #[error(
        "This case has no attachment {0}. Check the case's attachments with `doorstep case show`."
    )]
    NoSuchAttachment(String),
    #[error(
        "The audit log on this device was altered: the chain breaks at event {0}. Do not use this device for casework; report it to your information governance team."
    )]
    AuditBroken(u64),
    #[error("Could not write the output: {0}")]
    Output(String),
    #[error(
        "\"{0}\" cannot be used as an export's file name. Use lower-case letters, digits and hyphens, ending in .csv"
    )]
    InvalidExportName(String),
    #[error("The export is {bytes} bytes, over the limit of {limit}. Export less at once")]
    ExportTooLarge { bytes: usize, limit: usize },
    #[error(
        "Could not save {path}: {source}. Check there is space on the disk and that you may write to your Downloads folder"
    )]
    Export {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(transparent)]
    Sync(Box<doorstep_sync::SyncError>),
    #[error(
        "IT revoked this device, so its Doorstep data and keys were removed. Contact IT to have the laptop enrolled again"
    )]
    Wiped,
    #[error("{0}")]
    SignIn(String),
    #[error("The setting {name} is not valid: {problem}. Fix it, or remove it to use the default")]
    InvalidSetting { name: &'static str, problem: String },
    #[error(
        "Not everything has reached the server yet: {waiting} changes and files wait{}. Your work is saved on this device; sync again when the connection is better",
        if *refused > 0 { format!(", and the server refused changes to {refused} cases (see `doorstep status` and the outbox)") } else { String::new() }
    )]
    NotEverythingAcknowledged { waiting: usize, refused: usize },
    #[error(
        "This device's data cannot be removed yet: {waiting} changes and files made here have not reached the server, and removing them would lose that work. Connect and sync first, or sign out and keep the data"
    )]
    UnsentWorkWouldBeLost { waiting: usize },
    #[error("That PIN cannot be used. {0}")]
    UnusablePin(String),
    #[error(
        "That PIN is not right. You can try {attempts_left} more {} before you need to sign in with your council password",
        if *attempts_left == 1 { "time" } else { "times" }
    )]
    WrongPin { attempts_left: u32 },
    #[error(
        "The PIN was wrong too many times, so you need to sign in with your council password. Your work is saved on this laptop"
    )]
    PinLockedOut,
    #[error("No PIN is set on this laptop. Sign in with your council password")]
    NoPin,
    #[error("Doorstep is locked. Enter your PIN to unlock it")]
    Locked,
    #[error(
        "Only team leads review cases, and you are signed in as {role}. Ask your team lead to review it"
    )]
    NotATeamLead { role: String },
}

impl ClientError {
    /// A stable, machine-readable code for front ends and `--json` output.
    pub fn code(&self) -> &'static str {
        match self {
            ClientError::InvalidServerUrl(_) => "invalid_server_url",
            ClientError::NoDataDir => "no_data_dir",
            ClientError::RelativeDataDir(_) => "relative_data_dir",
            ClientError::Branding(_) => "invalid_branding",
            ClientError::ServerUnreachable { .. } => "server_unreachable",
            ClientError::ServerError { .. } => "server_error",
            ClientError::Store(_) => "store_error",
            ClientError::Case(error) => match **error {
                CaseError::Field(_) => "invalid_input",
                CaseError::IllegalTransition { .. } => "illegal_transition",
                CaseError::NoConflict(_) => "no_conflict",
                CaseError::NoSuchItem { .. } => "no_such_item",
                CaseError::SetByServer(_) => "set_by_server",
                CaseError::EmptyNote
                | CaseError::TooLong { .. }
                | CaseError::BadId(_)
                | CaseError::CommentRequired => "invalid_input",
                CaseError::NotAwaitingReview(_) => "not_awaiting_review",
                _ => "case_error",
            },
            ClientError::NoSuchCase(_) => "no_such_case",
            ClientError::Import { .. } => "import_failed",
            ClientError::InvalidFilter(_) => "invalid_filter",
            ClientError::NoSuchAttachment(_) => "no_such_attachment",
            ClientError::AuditBroken(_) => "audit_broken",
            ClientError::Output(_) => "output_failed",
            ClientError::InvalidExportName(_) | ClientError::ExportTooLarge { .. } => {
                "invalid_input"
            }
            ClientError::Export { .. } => "export_failed",
            ClientError::Sync(error) => sync_code(error),
            ClientError::Wiped => "device_wiped",
            ClientError::SignIn(_) => "sign_in_refused",
            ClientError::InvalidSetting { .. } => "invalid_setting",
            ClientError::NotEverythingAcknowledged { .. } => "not_everything_acknowledged",
            ClientError::UnsentWorkWouldBeLost { .. } => "unsent_work",
            ClientError::UnusablePin(_) => "unusable_pin",
            ClientError::WrongPin { .. } => "wrong_pin",
            ClientError::PinLockedOut => "pin_locked_out",
            ClientError::NoPin => "no_pin",
            ClientError::Locked => "locked",
            ClientError::NotATeamLead { .. } => "not_a_team_lead",
        }
    }
}

impl From<doorstep_store::StoreError> for ClientError {
    fn from(error: doorstep_store::StoreError) -> Self {
        ClientError::Store(Box::new(error))
    }
}

/// The sync error's code, as a `'static` string for [`ClientError::code`].
fn sync_code(error: &doorstep_sync::SyncError) -> &'static str {
    use doorstep_sync::SyncError;
    match error {
        SyncError::Unreachable { .. } => "server_unreachable",
        SyncError::Unavailable { .. } => "server_unavailable",
        SyncError::SessionEnded { .. } => "session_ended",
        SyncError::NotSignedIn => "not_signed_in",
        SyncError::Revoked { .. } => "device_revoked",
        SyncError::Refused { .. } => "refused",
        SyncError::BadAnswer(_) => "bad_answer",
        SyncError::AlreadySyncing => "already_syncing",
        SyncError::Keyring(_) => "keyring_error",
        SyncError::Store(_) => "store_error",
    }
}

impl From<doorstep_sync::SyncError> for ClientError {
    fn from(error: doorstep_sync::SyncError) -> Self {
        match error {
            doorstep_sync::SyncError::Store(store) => ClientError::Store(store),
            other => ClientError::Sync(Box::new(other)),
        }
    }
}

impl From<CaseError> for ClientError {
    fn from(error: CaseError) -> Self {
        ClientError::Case(Box::new(error))
    }
}
