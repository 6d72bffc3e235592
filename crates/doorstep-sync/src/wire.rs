//! One HTTP exchange with the Doorstep server.
//!
//! Bodies are JSON, gzip-compressed in both directions. The device counts the
//! bytes that actually cross the wire, and refuses an answer larger than
//! [`MAX_ANSWER_BYTES`] (compressed or not) before decoding it, so a broken
//! or hostile server cannot exhaust the laptop's memory.

use std::io::{Read, Write};
use std::time::Duration;

use doorstep_protocol::ApiError;
use doorstep_protocol::attachments::AttachmentStatus;
use doorstep_protocol::error::codes;
use doorstep_protocol::session::{RefreshRequest, SessionTokens, SignInRequest};
use doorstep_protocol::sync::{SyncRequest, SyncResponse};
use doorstep_protocol::team::{AccessRecord, DeviceAuditReceipt, DeviceAuditUpload, TeamOverview};
use flate2::Compression;
use flate2::read::GzDecoder;
use flate2::write::GzEncoder;
use reqwest::Url;
use reqwest::blocking::{Client, RequestBuilder, Response};
use reqwest::header::{ACCEPT_ENCODING, AUTHORIZATION, CONTENT_ENCODING, CONTENT_TYPE};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::SyncError;

/// The largest answer the device reads. A single case may be up to 16 MiB
/// on the server; as base64 inside JSON that is about 22 MiB.
pub const MAX_ANSWER_BYTES: u64 = 24 * 1024 * 1024;

/// How long one exchange may take before the device gives up and tries again
/// later. The server's own limit is 30 s.
pub const EXCHANGE_TIMEOUT: Duration = Duration::from_secs(45);

/// Bytes that crossed the network in one exchange (compressed, bodies only).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Traffic {
    pub sent: u64,
    pub received: u64,
}

/// A connection to one Doorstep server.
/// Whose access record to read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AccessSubject {
    Case(String),
    Worker(String),
}

#[derive(Debug, Clone)]
pub struct ServerConnection {
    base: Url,
    http: Client,
}

impl ServerConnection {
    pub fn new(base: &Url) -> Result<Self, SyncError> {
        let http = Client::builder()
            .timeout(EXCHANGE_TIMEOUT)
            .connect_timeout(Duration::from_secs(10))
            .user_agent(concat!("doorstep/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|error| unreachable(base, &error))?;
        Ok(Self {
            base: base.clone(),
            http,
        })
    }

    pub fn url(&self) -> &Url {
        &self.base
    }

    pub fn sign_in(&self, request: &SignInRequest) -> Result<SessionTokens, SyncError> {
        let (tokens, _) = self.post_json("v1/session", None, request)?;
        Ok(tokens)
    }

    pub fn refresh(&self, request: &RefreshRequest) -> Result<SessionTokens, SyncError> {
        let (tokens, _) = self.post_json("v1/session/refresh", None, request)?;
        Ok(tokens)
    }

    /// Ends the session on the server. The caller forgets its tokens whatever
    /// the answer, so a failed sign-out still signs this device out.
    pub fn sign_out(&self, access_token: &str) -> Result<(), SyncError> {
        let url = self.route("v1/session")?;
        let response = self
            .http
            .delete(url)
            .header(AUTHORIZATION, format!("Bearer {access_token}"))
            .send()
            .map_err(|error| unreachable(&self.base, &error))?;
        let status = response.status();
        if status.is_success() {
            return Ok(());
        }
        let (body, _) = read_body(response)?;
        Err(refusal(status.as_u16(), &body))
    }

    /// Tells the server this revoked device destroyed its key and data.
    pub fn confirm_wipe(&self, access_token: &str) -> Result<(), SyncError> {
        let request = self.http.post(self.route("v1/device/wiped")?);
        self.send(request, access_token).map(|_| ())
    }

    pub fn sync(
        &self,
        access_token: &str,
        request: &SyncRequest,
    ) -> Result<(SyncResponse, Traffic), SyncError> {
        self.post_json("v1/sync", Some(access_token), request)
    }

    /// Sends events from this device's audit log.
    pub fn upload_audit(
        &self,
        access_token: &str,
        upload: &DeviceAuditUpload,
    ) -> Result<(DeviceAuditReceipt, Traffic), SyncError> {
        self.post_json("v1/audit", Some(access_token), upload)
    }

    /// A team lead's view of the team: laptops and lone-worker alerts.
    pub fn team_overview(&self, access_token: &str) -> Result<(String, Traffic), SyncError> {
        let request = self.http.get(self.route("v1/team")?);
        let (body, received) = self.send(request, access_token)?;
        // Checked here, kept as the server's own words.
        decode::<TeamOverview>(&body)?;
        let text = String::from_utf8(body)
            .map_err(|error| SyncError::BadAnswer(format!("the answer is not text: {error}")))?;
        Ok((text, Traffic { sent: 0, received }))
    }

    /// Who accessed a case of the team, or what a worker in it did.
    pub fn team_access_record(
        &self,
        access_token: &str,
        subject: &AccessSubject,
    ) -> Result<AccessRecord, SyncError> {
        let mut url = self.route("v1/team/audit")?;
        match subject {
            AccessSubject::Case(case_id) => url.query_pairs_mut().append_pair("case_id", case_id),
            AccessSubject::Worker(worker) => url.query_pairs_mut().append_pair("worker", worker),
        };
        let (body, _) = self.send(self.http.get(url), access_token)?;
        decode(&body)
    }

    /// Where an upload of `sha256` for `case_id` stands; `None` if the
    /// server has none of it yet.
    pub fn upload_status(
        &self,
        access_token: &str,
        sha256: &str,
        case_id: &str,
    ) -> Result<Option<AttachmentStatus>, SyncError> {
        let mut url = self.route(&format!("v1/attachments/{sha256}/status"))?;
        url.query_pairs_mut().append_pair("case_id", case_id);
        let request = self.http.get(url);
        match self.send(request, access_token) {
            Ok((body, _)) => Ok(Some(decode(&body)?)),
            Err(SyncError::Refused { status: 404, .. }) => Ok(None),
            Err(error) => Err(error),
        }
    }

    /// Sends one piece of a file for a case.
    pub fn upload_piece(
        &self,
        access_token: &str,
        sha256: &str,
        case_id: &str,
        size: u64,
        offset: u64,
        piece: Vec<u8>,
    ) -> Result<(AttachmentStatus, Traffic), SyncError> {
        let mut url = self.route(&format!("v1/attachments/{sha256}"))?;
        url.query_pairs_mut()
            .append_pair("case_id", case_id)
            .append_pair("size", &size.to_string())
            .append_pair("offset", &offset.to_string());
        let sent = piece.len() as u64;
        let request = self
            .http
            .put(url)
            .header(CONTENT_TYPE, "application/octet-stream")
            .body(piece);
        let (body, received) = self.send(request, access_token)?;
        Ok((decode(&body)?, Traffic { sent, received }))
    }

    /// Fetches one piece of a file: its bytes and the whole file's size.
    pub fn download_piece(
        &self,
        access_token: &str,
        sha256: &str,
        offset: u64,
        length: u64,
    ) -> Result<(Vec<u8>, u64, Traffic), SyncError> {
        let mut url = self.route(&format!("v1/attachments/{sha256}"))?;
        url.query_pairs_mut()
            .append_pair("offset", &offset.to_string())
            .append_pair("length", &length.to_string());
        let response = self
            .http
            .get(url)
            .header(AUTHORIZATION, format!("Bearer {access_token}"))
            .header("x-doorstep-device-time", now_rfc3339())
            .send()
            .map_err(|error| unreachable(&self.base, &error))?;
        let status = response.status();
        let size = response
            .headers()
            .get("x-doorstep-size")
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.parse::<u64>().ok());
        let (body, received) = read_body(response)?;
        if !status.is_success() {
            return Err(refusal(status.as_u16(), &body));
        }
        let size = size.ok_or_else(|| {
            SyncError::BadAnswer("the file's size was missing from the answer".into())
        })?;
        Ok((body, size, Traffic { sent: 0, received }))
    }

    /// Sends a request with the access token; returns the answer's body and
    /// the bytes received.
    fn send(
        &self,
        request: RequestBuilder,
        access_token: &str,
    ) -> Result<(Vec<u8>, u64), SyncError> {
        let response = request
            .header(AUTHORIZATION, format!("Bearer {access_token}"))
            .header("x-doorstep-device-time", now_rfc3339())
            .send()
            .map_err(|error| unreachable(&self.base, &error))?;
        let status = response.status();
        let (body, received) = read_body(response)?;
        if !status.is_success() {
            return Err(refusal(status.as_u16(), &body));
        }
        Ok((body, received))
    }

    fn route(&self, path: &str) -> Result<Url, SyncError> {
        self.base
            .join(path)
            .map_err(|error| SyncError::BadAnswer(format!("the server address: {error}")))
    }

    fn post_json<B: Serialize, T: DeserializeOwned>(
        &self,
        path: &str,
        access_token: Option<&str>,
        body: &B,
    ) -> Result<(T, Traffic), SyncError> {
        let json = serde_json::to_vec(body).map_err(|error| {
            SyncError::BadAnswer(format!("could not write the request: {error}"))
        })?;
        let compressed = gzip(&json);
        let sent = compressed.len() as u64;
        let mut request: RequestBuilder = self
            .http
            .post(self.route(path)?)
            .header(CONTENT_TYPE, "application/json")
            .header(CONTENT_ENCODING, "gzip")
            .header(ACCEPT_ENCODING, "gzip")
            .header("x-doorstep-device-time", now_rfc3339())
            .body(compressed);
        if let Some(token) = access_token {
            request = request.header(AUTHORIZATION, format!("Bearer {token}"));
        }
        let response = request
            .send()
            .map_err(|error| unreachable(&self.base, &error))?;
        let status = response.status();
        let (body, received) = read_body(response)?;
        let traffic = Traffic { sent, received };
        if !status.is_success() {
            return Err(refusal(status.as_u16(), &body));
        }
        let value = serde_json::from_slice(&body).map_err(|error| {
            SyncError::BadAnswer(format!("the answer is not the JSON expected: {error}"))
        })?;
        Ok((value, traffic))
    }
}

fn decode<T: DeserializeOwned>(body: &[u8]) -> Result<T, SyncError> {
    serde_json::from_slice(body).map_err(|error| {
        SyncError::BadAnswer(format!("the answer is not the JSON expected: {error}"))
    })
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    // Level 6 (the default) costs little CPU and gains most of the size.
    let mut encoder = GzEncoder::new(Vec::with_capacity(bytes.len() / 2), Compression::default());
    // Writing to a Vec cannot fail.
    let _ = encoder.write_all(bytes);
    encoder.finish().unwrap_or_default()
}

/// Reads an answer's body within [`MAX_ANSWER_BYTES`], decompressing gzip.
/// Returns the body and how many bytes crossed the wire.
fn read_body(response: Response) -> Result<(Vec<u8>, u64), SyncError> {
    let gzipped = response
        .headers()
        .get(CONTENT_ENCODING)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.eq_ignore_ascii_case("gzip"));
    let mut wire = Vec::new();
    response
        .take(MAX_ANSWER_BYTES + 1)
        .read_to_end(&mut wire)
        .map_err(|error| SyncError::Unreachable {
            url: String::new(),
            reason: format!("the connection broke while reading the answer ({error})"),
        })?;
    let too_large = || {
        SyncError::BadAnswer(format!(
            "it is larger than {} MiB",
            MAX_ANSWER_BYTES / (1024 * 1024)
        ))
    };
    if wire.len() as u64 > MAX_ANSWER_BYTES {
        return Err(too_large());
    }
    let received = wire.len() as u64;
    if !gzipped {
        return Ok((wire, received));
    }
    let mut body = Vec::new();
    GzDecoder::new(wire.as_slice())
        .take(MAX_ANSWER_BYTES + 1)
        .read_to_end(&mut body)
        .map_err(|error| SyncError::BadAnswer(format!("its compression is broken ({error})")))?;
    if body.len() as u64 > MAX_ANSWER_BYTES {
        return Err(too_large());
    }
    Ok((body, received))
}

/// Turns a refusal into the error the device acts on.
fn refusal(status: u16, body: &[u8]) -> SyncError {
    let Ok(error) = serde_json::from_slice::<ApiError>(body) else {
        return if status >= 500 || status == 408 || status == 429 {
            SyncError::Unavailable {
                status,
                message: format!("HTTP {status}"),
            }
        } else {
            SyncError::BadAnswer(format!("HTTP {status} without an explanation"))
        };
    };
    if error.wipe || error.error == codes::DEVICE_REVOKED {
        return SyncError::Revoked {
            message: error.message,
        };
    }
    match error.error.as_str() {
        codes::SESSION_ENDED | codes::TOKEN_MISSING | codes::ACCOUNT_DISABLED => {
            SyncError::SessionEnded {
                message: error.message,
            }
        }
        codes::UNAVAILABLE => SyncError::Unavailable {
            status,
            message: error.message,
        },
        _ if status >= 500 || status == 408 || status == 429 => SyncError::Unavailable {
            status,
            message: error.message,
        },
        code => SyncError::Refused {
            status,
            code: code.to_owned(),
            message: error.message,
        },
    }
}

fn unreachable(url: &Url, error: &reqwest::Error) -> SyncError {
    let mut reason = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        reason = cause.to_string();
        source = cause.source();
    }
    if error.is_timeout() {
        reason = format!("no answer within {} s", EXCHANGE_TIMEOUT.as_secs());
    }
    SyncError::Unreachable {
        url: url.to_string(),
        reason,
    }
}

/// The device's clock for the server's audit log, RFC 3339 in UTC.
pub fn now_rfc3339() -> String {
    doorstep_store::device_now().to_rfc3339()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_revoked_device_is_told_to_wipe_whatever_else_the_refusal_says() {
        let body = br#"{"error":"device_revoked","message":"IT revoked it","wipe":true}"#;
        assert!(matches!(refusal(403, body), SyncError::Revoked { .. }));
    }

    #[test]
    fn refusals_map_to_what_the_device_does_next() {
        let ended = br#"{"error":"session_ended","message":"sign in again"}"#;
        assert!(matches!(
            refusal(401, ended),
            SyncError::SessionEnded { .. }
        ));
        let busy = br#"{"error":"unavailable","message":"later"}"#;
        assert!(refusal(503, busy).is_transient());
        assert!(refusal(502, b"<html>bad gateway</html>").is_transient());
        let expired = br#"{"error":"token_expired","message":"refresh"}"#;
        assert_eq!(refusal(401, expired).code(), "token_expired");
        let bad = br#"{"error":"bad_request","message":"no"}"#;
        assert!(!refusal(400, bad).is_transient());
    }

    #[test]
    fn gzip_round_trips() {
        let text = b"the same words again and again and again".repeat(100);
        let packed = gzip(&text);
        assert!(packed.len() < text.len() / 10);
        let mut back = Vec::new();
        GzDecoder::new(packed.as_slice())
            .read_to_end(&mut back)
            .unwrap();
        assert_eq!(back, text);
    }
}
