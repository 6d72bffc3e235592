use std::path::PathBuf;

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
        }
    }
}
