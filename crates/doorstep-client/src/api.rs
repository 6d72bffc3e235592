//! The operations every Doorstep front end calls.

use std::path::PathBuf;
use std::time::Duration;

use doorstep_core::branding::CouncilBranding;
use doorstep_protocol::{HealthReport, ReadinessReport};
use reqwest::Url;
use serde::Serialize;

use crate::{ClientError, DeviceSettings};

/// What the app shows on "About this device" and what support staff ask for.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AppInfo {
    pub version: String,
    pub data_dir: PathBuf,
    pub server_url: Option<String>,
    pub council: CouncilBranding,
}

pub fn app_info(settings: &DeviceSettings) -> AppInfo {
    AppInfo {
        version: doorstep_core::DOORSTEP_VERSION.to_owned(),
        data_dir: settings.data_dir.clone(),
        server_url: settings.server_url.as_ref().map(Url::to_string),
        council: settings.council.clone(),
    }
}

/// How a server answered its health and readiness checks.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ServerStatus {
    pub url: String,
    pub health: HealthReport,
    pub readiness: ReadinessReport,
}

/// Long enough for a server on a poor mobile link, short enough that a
/// caseworker is not left waiting on a dead one.
pub const SERVER_CHECK_TIMEOUT: Duration = Duration::from_secs(10);

pub async fn check_server(url: &Url) -> Result<ServerStatus, ClientError> {
    let http = reqwest::Client::builder()
        .timeout(SERVER_CHECK_TIMEOUT)
        .user_agent(concat!("doorstep/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|error| unreachable(url, &error))?;
    let health: HealthReport = get_json(&http, url, "healthz", false).await?;
    // 503 from /readyz is an answer, not a failure: it carries the reason.
    let readiness: ReadinessReport = get_json(&http, url, "readyz", true).await?;
    Ok(ServerStatus {
        url: url.to_string(),
        health,
        readiness,
    })
}

async fn get_json<T: serde::de::DeserializeOwned>(
    http: &reqwest::Client,
    base: &Url,
    route: &str,
    accept_unavailable: bool,
) -> Result<T, ClientError> {
    let url = base
        .join(route)
        .map_err(|_| ClientError::InvalidServerUrl(base.to_string()))?;
    let response = http
        .get(url)
        .send()
        .await
        .map_err(|error| unreachable(base, &error))?;
    let status = response.status();
    let answered = status.is_success()
        || (accept_unavailable && status == reqwest::StatusCode::SERVICE_UNAVAILABLE);
    if !answered {
        return Err(ClientError::ServerError {
            url: base.to_string(),
            status: status.as_u16(),
        });
    }
    response
        .json()
        .await
        .map_err(|error| unreachable(base, &error))
}

fn unreachable(url: &Url, error: &reqwest::Error) -> ClientError {
    ClientError::ServerUnreachable {
        url: url.to_string(),
        reason: describe(error),
    }
}

/// reqwest's own messages nest their causes; people need the innermost one.
fn describe(error: &reqwest::Error) -> String {
    let mut reason = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        reason = cause.to_string();
        source = cause.source();
    }
    reason
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::settings::{SettingsSource, parse_server_url};

    #[test]
    fn app_info_reports_the_version_folder_server_and_branding_in_camel_case() {
        let settings = DeviceSettings::resolve(SettingsSource {
            data_dir: Some("/data/device-a".into()),
            server_url: Some("http://127.0.0.1:8787".into()),
            ..SettingsSource::default()
        })
        .unwrap();
        let json = serde_json::to_value(app_info(&settings)).unwrap();
        assert_eq!(
            json,
            serde_json::json!({
                "version": doorstep_core::DOORSTEP_VERSION,
                "dataDir": "/data/device-a",
                "serverUrl": "http://127.0.0.1:8787/",
                "council": {"name": "Your council", "colour": "#1d4f91"}
            })
        );
    }

    #[tokio::test]
    async fn a_server_that_is_not_there_is_reported_as_unreachable() {
        // Bind then drop, so the port is (almost certainly) closed.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let url = parse_server_url(&format!("http://127.0.0.1:{port}")).unwrap();
        let error = check_server(&url).await.unwrap_err();
        assert_eq!(error.code(), "server_unreachable");
        assert!(
            error.to_string().contains("your work stays safe"),
            "{error}"
        );
    }
}
