//! Server settings: command-line flags, then environment variables, then the
//! config file, then defaults. (Clap reads flags and `DOORSTEP_*` variables;
//! this fills what they left empty from the file.)

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use std::time::Duration;

use crate::alerts::{
    AlertSettingsError, EmailSettings, LoneWorkingSettings, SmtpRelay, parse_mailbox,
    parse_webhook_url,
};
use crate::tls::TlsFiles;
use crate::tokens::TokenLifetimes;

pub const DEFAULT_LISTEN: &str = "127.0.0.1:8787";

/// `/etc/doorstep/server.toml` or whatever `--config` names. Unknown keys are
/// refused, so a misspelt setting is caught at start rather than ignored.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfigFile {
    pub listen: Option<SocketAddr>,
    pub data_dir: Option<PathBuf>,
    pub database_url: Option<String>,
    pub tls_cert: Option<PathBuf>,
    pub tls_key: Option<PathBuf>,
    pub insecure: Option<bool>,
    pub access_token_minutes: Option<u64>,
    pub refresh_token_days: Option<u64>,
    pub lone_working: Option<LoneWorkingFile>,
}

/// `[lone_working]`: where alerts about overdue visits go.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LoneWorkingFile {
    /// How often to look for overdue visits (default 30; 1 to 300).
    pub check_seconds: Option<u64>,
    pub webhook_url: Option<String>,
    /// `smtp://relay:587` (STARTTLS required) or `smtps://relay:465`.
    pub smtp_url: Option<String>,
    pub email_from: Option<String>,
    #[serde(default)]
    pub email_to: Vec<String>,
}

impl LoneWorkingFile {
    pub fn resolve(&self) -> Result<LoneWorkingSettings, AlertSettingsError> {
        let email = match &self.smtp_url {
            None => None,
            Some(url) => {
                let from = self
                    .email_from
                    .as_deref()
                    .ok_or(AlertSettingsError::EmailIncomplete)?;
                if self.email_to.is_empty() {
                    return Err(AlertSettingsError::EmailIncomplete);
                }
                Some(EmailSettings {
                    relay: SmtpRelay::parse(url)?,
                    from: parse_mailbox("email_from", from)?,
                    to: self
                        .email_to
                        .iter()
                        .map(|to| parse_mailbox("email_to", to))
                        .collect::<Result<_, _>>()?,
                })
            }
        };
        Ok(LoneWorkingSettings {
            check_every: Duration::from_secs(self.check_seconds.unwrap_or(30).clamp(1, 300)),
            webhook_url: self
                .webhook_url
                .as_deref()
                .map(parse_webhook_url)
                .transpose()?,
            email,
        })
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("Could not read the config file {path}: {source}.")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("The config file {path} is not valid: {message}")]
    Invalid { path: PathBuf, message: String },
    #[error("{0}")]
    Conflict(String),
}

impl ConfigFile {
    pub fn load(path: &Path) -> Result<Self, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_owned(),
            source,
        })?;
        toml::from_str(&text).map_err(|error| ConfigError::Invalid {
            path: path.to_owned(),
            message: error.to_string(),
        })
    }
}

/// What was given on the command line or in the environment.
#[derive(Debug, Clone, Default)]
pub struct GivenSettings {
    pub listen: Option<SocketAddr>,
    pub data_dir: Option<PathBuf>,
    pub database_url: Option<String>,
    pub tls_cert: Option<PathBuf>,
    pub tls_key: Option<PathBuf>,
    pub insecure: bool,
}

/// The settings the server runs with.
#[derive(Debug, Clone)]
pub struct Settings {
    pub listen: SocketAddr,
    pub data_dir: PathBuf,
    pub database_url: Option<String>,
    pub tls: Option<TlsFiles>,
    pub insecure: bool,
    pub tokens: TokenLifetimes,
    pub lone_working: LoneWorkingSettings,
}

impl Settings {
    pub fn resolve(given: GivenSettings, file: ConfigFile) -> Result<Self, ConfigError> {
        let listen = given
            .listen
            .or(file.listen)
            .or_else(|| DEFAULT_LISTEN.parse().ok())
            .ok_or_else(|| ConfigError::Conflict("no listen address".into()))?;
        let data_dir = given.data_dir.or(file.data_dir).ok_or_else(|| {
            ConfigError::Conflict(
                "Say where the server keeps its data: --data-dir DIR, DOORSTEP_DATA_DIR, or data_dir in the config file.".into(),
            )
        })?;
        let tls = match (
            given.tls_cert.or(file.tls_cert),
            given.tls_key.or(file.tls_key),
        ) {
            (Some(certificate), Some(private_key)) => Some(TlsFiles {
                certificate,
                private_key,
            }),
            (None, None) => None,
            _ => {
                return Err(ConfigError::Conflict(
                    "TLS needs both a certificate and a private key: give --tls-cert and --tls-key together.".into(),
                ));
            }
        };
        let insecure = given.insecure || file.insecure.unwrap_or(false);
        if tls.is_none() && !listen.ip().is_loopback() && !insecure {
            return Err(ConfigError::Conflict(format!(
                "Refusing plain HTTP on {listen}: caseworkers' passwords and case data would cross the network unencrypted. Give --tls-cert and --tls-key, listen on 127.0.0.1, or, only if a TLS-terminating load balancer sits in front, pass --insecure."
            )));
        }
        let defaults = TokenLifetimes::default();
        let tokens = TokenLifetimes {
            access_secs: file
                .access_token_minutes
                .map_or(defaults.access_secs, |minutes| minutes.clamp(1, 60) * 60),
            refresh_secs: file
                .refresh_token_days
                .map_or(defaults.refresh_secs, |days| {
                    days.clamp(1, 90) * 24 * 60 * 60
                }),
        };
        let lone_working = match &file.lone_working {
            Some(table) => table
                .resolve()
                .map_err(|error| ConfigError::Conflict(error.to_string()))?,
            None => LoneWorkingSettings::default(),
        };
        Ok(Self {
            listen,
            data_dir,
            database_url: given.database_url.or(file.database_url),
            tls,
            insecure,
            tokens,
            lone_working,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn given(listen: &str) -> GivenSettings {
        GivenSettings {
            listen: Some(listen.parse().unwrap()),
            data_dir: Some("/var/lib/doorstep".into()),
            ..GivenSettings::default()
        }
    }

    #[test]
    fn plain_http_is_allowed_on_loopback_only_unless_insecure_is_given() {
        assert!(Settings::resolve(given("127.0.0.1:8787"), ConfigFile::default()).is_ok());
        let refused = Settings::resolve(given("0.0.0.0:8787"), ConfigFile::default()).unwrap_err();
        assert!(refused.to_string().contains("--tls-cert"), "{refused}");
        let mut insecure = given("0.0.0.0:8787");
        insecure.insecure = true;
        assert!(Settings::resolve(insecure, ConfigFile::default()).is_ok());
    }

    #[test]
    fn flags_win_over_the_file_and_the_file_fills_the_gaps() {
        let file: ConfigFile = toml::from_str(
            "listen = \"127.0.0.1:9000\"\ndatabase_url = \"postgres://doorstep@db/doorstep\"\naccess_token_minutes = 5\n",
        )
        .unwrap();
        let settings = Settings::resolve(given("127.0.0.1:8787"), file).unwrap();
        assert_eq!(settings.listen.port(), 8787);
        assert_eq!(
            settings.database_url.as_deref(),
            Some("postgres://doorstep@db/doorstep")
        );
        assert_eq!(settings.tokens.access_secs, 300);
    }

    #[test]
    fn a_misspelt_key_is_refused_by_name() {
        let error = toml::from_str::<ConfigFile>("listen_adress = \"x\"").unwrap_err();
        assert!(error.to_string().contains("listen_adress"), "{error}");
    }

    #[test]
    fn lone_working_alerts_go_where_the_file_says_and_half_an_email_setup_is_refused() {
        let file: ConfigFile = toml::from_str(
            "[lone_working]\ncheck_seconds = 10\nwebhook_url = \"https://alerts.example-council.gov.uk/doorstep\"\nsmtp_url = \"smtp://mail.example-council.gov.uk\"\nemail_from = \"doorstep@example-council.gov.uk\"\nemail_to = [\"lone-working@example-council.gov.uk\"]\n",
        )
        .unwrap();
        let settings = Settings::resolve(given("127.0.0.1:8787"), file).unwrap();
        assert_eq!(settings.lone_working.check_every, Duration::from_secs(10));
        assert!(settings.lone_working.webhook_url.is_some());
        assert_eq!(settings.lone_working.email.unwrap().to.len(), 1);

        let half: ConfigFile =
            toml::from_str("[lone_working]\nsmtp_url = \"smtp://mail.example-council.gov.uk\"\n")
                .unwrap();
        let error = Settings::resolve(given("127.0.0.1:8787"), half).unwrap_err();
        assert!(error.to_string().contains("email_from"), "{error}");
    }

    #[test]
    fn half_a_tls_setup_is_refused() {
        let mut settings = given("127.0.0.1:8787");
        settings.tls_cert = Some("/etc/doorstep/cert.pem".into());
        let error = Settings::resolve(settings, ConfigFile::default()).unwrap_err();
        assert!(error.to_string().contains("--tls-key"), "{error}");
    }
}
