//! The messages Doorstep devices and servers exchange.
//!
//! Every type here is part of a contract between builds that may be months
//! apart (a laptop that has been in a drawer still has to sync), so fields are
//! only ever added, never renamed, and the protocol carries an explicit version.

use serde::{Deserialize, Serialize};

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

#[cfg(test)]
mod tests {
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
