//! Where this device keeps its data, which server it talks to, and whose
//! council branding it shows.
//!
//! Until machine-wide policy exists, settings come from the environment:
//! `DOORSTEP_DATA_DIR`, `DOORSTEP_SERVER_URL`, `DOORSTEP_COUNCIL_NAME`,
//! `DOORSTEP_COUNCIL_COLOUR` and `DOORSTEP_ATTACHMENT_BUDGET_MIB`. Explicit
//! arguments beat the environment.

use std::path::{Path, PathBuf};

use doorstep_core::branding::{CouncilBranding, DEFAULT_COUNCIL_COLOUR, DEFAULT_COUNCIL_NAME};
use reqwest::Url;

use crate::ClientError;

/// The desktop app's bundle identifier; the CLI uses the same folder so that
/// both see one device store.
pub const APP_IDENTIFIER: &str = "uk.org.doorstep.desktop";

#[derive(Debug, Clone, PartialEq)]
pub struct DeviceSettings {
    pub data_dir: PathBuf,
    /// Who uses this device before anyone has signed in on it (from
    /// `DOORSTEP_USER` or the operating-system account). Once someone signs
    /// in, the device records changes under the signed-in account instead.
    pub user: String,
    pub server_url: Option<Url>,
    pub council: CouncilBranding,
    /// Files held on this device stay under this many bytes (downloads wait).
    pub attachment_budget_bytes: u64,
    /// The window locks after this long without use; a PIN opens it again.
    pub idle_lock_minutes: u32,
}

/// How long the window may sit unused before it locks, unless set: the
/// usual screen-lock time in council laptop builds.
pub const DEFAULT_IDLE_LOCK_MINUTES: u32 = 15;
/// A longer idle lock would leave case data open on an unattended screen.
pub const MAXIMUM_IDLE_LOCK_MINUTES: u32 = 240;

/// The raw values, before validation, from wherever they were found.
#[derive(Debug, Clone, Default)]
pub struct SettingsSource {
    pub data_dir: Option<PathBuf>,
    pub server_url: Option<String>,
    pub council_name: Option<String>,
    pub council_colour: Option<String>,
    pub user: Option<String>,
    /// `DOORSTEP_ATTACHMENT_BUDGET_MIB`: the storage budget for files, in MiB.
    pub attachment_budget_mib: Option<String>,
    /// `DOORSTEP_IDLE_LOCK_MINUTES`: minutes without use before the window locks.
    pub idle_lock_minutes: Option<String>,
}

impl SettingsSource {
    pub fn from_environment() -> Self {
        let var = |name: &str| {
            std::env::var(name)
                .ok()
                .filter(|value| !value.trim().is_empty())
        };
        Self {
            data_dir: var("DOORSTEP_DATA_DIR").map(PathBuf::from),
            server_url: var("DOORSTEP_SERVER_URL"),
            council_name: var("DOORSTEP_COUNCIL_NAME"),
            council_colour: var("DOORSTEP_COUNCIL_COLOUR"),
            user: var("DOORSTEP_USER").or_else(|| var("USER")),
            attachment_budget_mib: var("DOORSTEP_ATTACHMENT_BUDGET_MIB"),
            idle_lock_minutes: var("DOORSTEP_IDLE_LOCK_MINUTES"),
        }
    }

    /// Values set here replace those in `self`.
    pub fn overridden_by(self, overrides: SettingsSource) -> Self {
        Self {
            data_dir: overrides.data_dir.or(self.data_dir),
            server_url: overrides.server_url.or(self.server_url),
            council_name: overrides.council_name.or(self.council_name),
            council_colour: overrides.council_colour.or(self.council_colour),
            user: overrides.user.or(self.user),
            attachment_budget_mib: overrides
                .attachment_budget_mib
                .or(self.attachment_budget_mib),
            idle_lock_minutes: overrides.idle_lock_minutes.or(self.idle_lock_minutes),
        }
    }
}

impl DeviceSettings {
    pub fn resolve(source: SettingsSource) -> Result<Self, ClientError> {
        let data_dir = match source.data_dir {
            Some(dir) => dir,
            None => default_data_dir()?,
        };
        if !data_dir.is_absolute() {
            return Err(ClientError::RelativeDataDir(data_dir));
        }
        let server_url = source
            .server_url
            .as_deref()
            .map(parse_server_url)
            .transpose()?;
        let council = CouncilBranding::new(
            source
                .council_name
                .as_deref()
                .unwrap_or(DEFAULT_COUNCIL_NAME),
            source
                .council_colour
                .as_deref()
                .unwrap_or(DEFAULT_COUNCIL_COLOUR),
        )?;
        let attachment_budget_bytes = match source.attachment_budget_mib.as_deref() {
            None => doorstep_sync::engine::DEFAULT_ATTACHMENT_BUDGET_BYTES,
            Some(text) => text
                .trim()
                .parse::<u64>()
                .ok()
                .filter(|mib| *mib > 0)
                .map(|mib| mib.saturating_mul(1024 * 1024))
                .ok_or_else(|| ClientError::InvalidSetting {
                    name: "DOORSTEP_ATTACHMENT_BUDGET_MIB",
                    problem: format!("\"{text}\" is not a whole number of MiB above 0"),
                })?,
        };
        let idle_lock_minutes = match source.idle_lock_minutes.as_deref() {
            None => DEFAULT_IDLE_LOCK_MINUTES,
            Some(text) => text
                .trim()
                .parse::<u32>()
                .ok()
                .filter(|minutes| (1..=MAXIMUM_IDLE_LOCK_MINUTES).contains(minutes))
                .ok_or_else(|| ClientError::InvalidSetting {
                    name: "DOORSTEP_IDLE_LOCK_MINUTES",
                    problem: format!(
                        "\"{text}\" is not a whole number of minutes from 1 to {MAXIMUM_IDLE_LOCK_MINUTES}"
                    ),
                })?,
        };
        Ok(Self {
            data_dir,
            idle_lock_minutes,
            server_url,
            council,
            attachment_budget_bytes,
            user: source
                .user
                .map(|user| user.trim().to_owned())
                .filter(|user| !user.is_empty())
                .unwrap_or_else(|| "caseworker".to_owned()),
        })
    }

    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }
}

/// `$XDG_DATA_HOME/uk.org.doorstep.desktop` on Linux, and the platform's
/// equivalent elsewhere: the same folder Tauri gives the desktop app.
pub fn default_data_dir() -> Result<PathBuf, ClientError> {
    dirs::data_dir()
        .map(|dir| dir.join(APP_IDENTIFIER))
        .ok_or(ClientError::NoDataDir)
}

/// Accepts only http(s) addresses with a host, and drops a trailing path
/// slash so that joined routes are predictable.
pub fn parse_server_url(text: &str) -> Result<Url, ClientError> {
    let invalid = || ClientError::InvalidServerUrl(text.to_owned());
    let url = Url::parse(text.trim()).map_err(|_| invalid())?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return Err(invalid());
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(invalid());
    }
    Ok(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn source(data_dir: &str) -> SettingsSource {
        SettingsSource {
            data_dir: Some(PathBuf::from(data_dir)),
            ..SettingsSource::default()
        }
    }

    #[test]
    fn a_fresh_device_gets_default_branding_and_no_server() {
        let settings = DeviceSettings::resolve(source("/var/lib/doorstep-test")).unwrap();
        assert_eq!(settings.data_dir(), Path::new("/var/lib/doorstep-test"));
        assert_eq!(settings.server_url, None);
        assert_eq!(settings.council, CouncilBranding::default());
    }

    #[test]
    fn the_council_sets_its_server_and_branding() {
        let settings = DeviceSettings::resolve(SettingsSource {
            server_url: Some("https://doorstep.example.gov.uk/".into()),
            council_name: Some("Example Borough Council".into()),
            council_colour: Some("#00703c".into()),
            ..source("/data")
        })
        .unwrap();
        assert_eq!(
            settings.server_url.unwrap().as_str(),
            "https://doorstep.example.gov.uk/"
        );
        assert_eq!(settings.council.name(), "Example Borough Council");
    }

    #[test]
    fn explicit_values_beat_the_environment() {
        let environment = SettingsSource {
            server_url: Some("http://from-env:1".into()),
            council_name: Some("Env Council".into()),
            ..source("/env")
        };
        let merged = environment.overridden_by(SettingsSource {
            server_url: Some("http://from-flag:2".into()),
            ..source("/flag")
        });
        assert_eq!(merged.data_dir, Some(PathBuf::from("/flag")));
        assert_eq!(merged.server_url.as_deref(), Some("http://from-flag:2"));
        assert_eq!(merged.council_name.as_deref(), Some("Env Council"));
    }

    #[test]
    fn bad_settings_are_refused_with_a_code_and_advice() {
        for bad in [
            "doorstep.example.gov.uk",
            "ftp://doorstep.example.gov.uk",
            "https://",
            "https://x.gov.uk/?token=1",
        ] {
            let error = DeviceSettings::resolve(SettingsSource {
                server_url: Some(bad.into()),
                ..source("/data")
            })
            .unwrap_err();
            assert_eq!(error.code(), "invalid_server_url", "{bad}");
            assert!(error.to_string().contains("Write it in full"));
        }
        let relative = DeviceSettings::resolve(source("relative/dir")).unwrap_err();
        assert_eq!(relative.code(), "relative_data_dir");
        let pale = DeviceSettings::resolve(SettingsSource {
            council_colour: Some("#eeeeee".into()),
            ..source("/data")
        })
        .unwrap_err();
        assert_eq!(pale.code(), "invalid_branding");
    }
}
