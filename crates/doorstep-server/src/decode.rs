//! Every decoder that reads bytes from outside the server, each as one
//! function of bytes, so the fuzz targets (`fuzz/`) and the regression
//! replay test exercise exactly what the HTTP handlers run.

use doorstep_protocol::session::{RefreshRequest, SignInRequest};
use doorstep_protocol::sync::{PushedChanges, SyncRequest};

use crate::config::ConfigFile;

/// A `POST /v1/sync` body.
pub fn sync_request(body: &[u8]) -> Result<SyncRequest, String> {
    serde_json::from_slice(body).map_err(|error| error.to_string())
}

/// A `POST /v1/session` body.
pub fn sign_in_request(body: &[u8]) -> Result<SignInRequest, String> {
    serde_json::from_slice(body).map_err(|error| error.to_string())
}

/// A `POST /v1/session/refresh` body.
pub fn refresh_request(body: &[u8]) -> Result<RefreshRequest, String> {
    serde_json::from_slice(body).map_err(|error| error.to_string())
}

/// Pushed automerge bytes, checked and merged onto a stored case as the sync
/// handler does. `stored` is empty for a case new to the server.
pub fn pushed_changes(case_id: &str, stored: &[u8], pushed: &[u8]) -> Result<Vec<String>, String> {
    let push = PushedChanges {
        case_id: case_id.to_owned(),
        changes: doorstep_protocol::Bytes(pushed.to_vec()),
    };
    crate::cases::check_case_id(case_id).map_err(|failure| failure.body.message)?;
    crate::cases::check_change_bytes(&push).map_err(|failure| failure.body.message)?;
    let chunks: Vec<Vec<u8>> = if stored.is_empty() {
        Vec::new()
    } else {
        vec![stored.to_vec()]
    };
    crate::cases::merge(case_id, &chunks, 1, pushed)
        .map(|merged| merged.heads)
        .map_err(|refusal| refusal.rejection(case_id).message)
}

/// The server's TOML config file.
pub fn config_file(text: &[u8]) -> Result<ConfigFile, String> {
    let text = std::str::from_utf8(text).map_err(|error| error.to_string())?;
    toml::from_str(text).map_err(|error| error.to_string())
}

/// A small stored case, the same every time, for fuzzing merges onto an existing document.
pub fn fuzz_stored_case() -> &'static [u8] {
    static STORED: std::sync::OnceLock<Vec<u8>> = std::sync::OnceLock::new();
    STORED.get_or_init(|| {
        let editor = doorstep_core::case::Editor::new(
            "fuzz",
            doorstep_core::dates::Timestamp(1_795_000_000_000),
        );
        doorstep_core::case::CaseDocument::create(
            doorstep_core::case::NewCase {
                id: "FUZZ-1".into(),
                case_type: "housing".into(),
                summary: "A case to fuzz against".into(),
            },
            &editor,
            automerge::ActorId::from(b"fuzz".as_slice()),
        )
        .map(|mut case| case.save())
        .unwrap_or_default()
    })
}
