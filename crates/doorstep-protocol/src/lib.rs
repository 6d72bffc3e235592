//! The messages Doorstep devices and servers exchange.
//!
//! Every type here is part of a contract between builds that may be months
//! apart (a laptop that has been in a drawer still has to sync), so fields are
//! only ever added, never renamed, and the protocol carries an explicit version.

use serde::{Deserialize, Deserializer, Serialize, Serializer};

pub mod attachments;
pub mod error;
pub mod session;
pub mod sync;
pub mod team;

pub use error::ApiError;

/// Bumped when a message changes in a way an older peer cannot read.
pub const PROTOCOL_VERSION: u32 = 1;

/// `GET /healthz`: the process is up and serving HTTP. It says nothing about
/// storage, so a load balancer can tell a hung process from a busy database.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HealthReport {
    pub status: HealthStatus,
    pub version: String,
    pub protocol: u32,
}

impl HealthReport {
    pub fn ok() -> Self {
        Self {
            status: HealthStatus::Ok,
            version: doorstep_core::DOORSTEP_VERSION.to_owned(),
            protocol: PROTOCOL_VERSION,
        }
    }
}

/// `GET /readyz`: the server can take traffic, because its storage answers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReadinessReport {
    pub status: HealthStatus,
    pub storage: StorageReadiness,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StorageReadiness {
    /// `sqlite` or `postgres`.
    pub backend: String,
    pub ready: bool,
    /// Why storage is not ready, in words an administrator can act on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub problem: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HealthStatus {
    Ok,
    Unavailable,
}

/// A password or token. It prints as `[redacted]`, so it cannot reach a log
/// by accident, and serialises as the plain string only on the wire.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The secret itself: for hashing, verifying or sending, never for display.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("[redacted]")
    }
}

/// Binary data inside a JSON message, as standard base64.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct Bytes(pub Vec<u8>);

impl std::fmt::Debug for Bytes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Bytes({} bytes)", self.0.len())
    }
}

impl Serialize for Bytes {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use base64::Engine;
        serializer.serialize_str(&base64::engine::general_purpose::STANDARD.encode(&self.0))
    }
}

impl<'de> Deserialize<'de> for Bytes {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        use base64::Engine;
        let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        base64::engine::general_purpose::STANDARD
            .decode(text.as_bytes())
            .map(Bytes)
            .map_err(|error| serde::de::Error::custom(format!("not valid base64: {error}")))
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn secrets_never_print() {
        let secret = Secret::new("correct horse battery staple");
        assert_eq!(format!("{secret:?}"), "[redacted]");
        assert_eq!(
            serde_json::to_string(&secret).unwrap(),
            "\"correct horse battery staple\""
        );
    }

    #[test]
    fn bytes_travel_as_base64_and_bad_base64_is_a_clear_error() {
        let json = serde_json::to_string(&Bytes(vec![0, 1, 2, 255])).unwrap();
        assert_eq!(json, "\"AAEC/w==\"");
        let back: Bytes = serde_json::from_str(&json).unwrap();
        assert_eq!(back.0, vec![0, 1, 2, 255]);
        let error = serde_json::from_str::<Bytes>("\"not base64!\"").unwrap_err();
        assert!(error.to_string().contains("not valid base64"), "{error}");
    }

    use super::*;

    #[test]
    fn a_health_report_names_the_build_and_protocol_it_speaks() {
        let json = serde_json::to_value(HealthReport::ok()).unwrap();
        assert_eq!(json["status"], "ok");
        assert_eq!(json["version"], doorstep_core::DOORSTEP_VERSION);
        assert_eq!(json["protocol"], PROTOCOL_VERSION);
    }

    #[test]
    fn a_readiness_report_explains_a_storage_problem_only_when_there_is_one() {
        let ready = ReadinessReport {
            status: HealthStatus::Ok,
            storage: StorageReadiness {
                backend: "sqlite".into(),
                ready: true,
                problem: None,
            },
        };
        let json = serde_json::to_string(&ready).unwrap();
        assert!(!json.contains("problem"), "{json}");
        let back: ReadinessReport = serde_json::from_str(&json).unwrap();
        assert_eq!(back, ready);
    }
}
