//! The body of every refusal: a stable code for machines, a sentence for
//! people, and, for a revoked device, the instruction to wipe.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiError {
    /// Stable and snake_case, such as `token_expired` or `device_revoked`.
    pub error: String,
    /// What happened and what to do, in words a caseworker or IT can act on.
    pub message: String,
    /// True only for a revoked device: delete the local data and key now.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub wipe: bool,
}

/// The codes a client acts on.
pub mod codes {
    pub const BAD_REQUEST: &str = "bad_request";
    pub const PAYLOAD_TOO_LARGE: &str = "payload_too_large";
    pub const UNSUPPORTED_MEDIA_TYPE: &str = "unsupported_media_type";
    pub const SIGN_IN_FAILED: &str = "sign_in_failed";
    pub const SIGN_IN_LOCKED: &str = "sign_in_locked";
    pub const TOKEN_MISSING: &str = "token_missing";
    pub const TOKEN_EXPIRED: &str = "token_expired";
    pub const SESSION_ENDED: &str = "session_ended";
    pub const DEVICE_REVOKED: &str = "device_revoked";
    pub const ACCOUNT_DISABLED: &str = "account_disabled";
    pub const FORBIDDEN: &str = "forbidden";
    pub const NOT_FOUND: &str = "not_found";
    pub const UNSUPPORTED_PROTOCOL: &str = "unsupported_protocol";
    pub const UNAVAILABLE: &str = "unavailable";
}
