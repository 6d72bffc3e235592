//! Signing in, refreshing and signing out.
//!
//! Sign-in registers the device and returns a short-lived access token plus
//! a refresh token bound to that device. Each refresh returns a new refresh
//! token; presenting an old one again ends the device's session, because only
//! a stolen copy would be used twice.

use serde::{Deserialize, Serialize};

use crate::Secret;

/// `POST /v1/session`
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignInRequest {
    pub user: String,
    pub password: Secret,
    pub device: DeviceDescription,
    /// The device's clock when it asked, for the audit log (rfc3339).
    #[serde(default)]
    pub device_time: Option<String>,
}

/// What a device says about itself when it registers.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeviceDescription {
    /// Set when this device signed in before: it keeps its registration.
    #[serde(default)]
    pub id: Option<String>,
    pub hostname: String,
    pub os: String,
    pub app_version: String,
}

/// The answer to a sign-in or a refresh.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SessionTokens {
    pub device_id: String,
    pub user: String,
    pub role: String,
    #[serde(default)]
    pub team: Option<String>,
    pub access_token: Secret,
    /// Seconds until the access token expires.
    pub access_expires_in: u64,
    pub refresh_token: Secret,
    pub refresh_expires_in: u64,
    pub server_time: String,
}

/// `POST /v1/session/refresh`
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RefreshRequest {
    pub refresh_token: Secret,
    #[serde(default)]
    pub device_time: Option<String>,
}
