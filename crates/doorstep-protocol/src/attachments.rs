//! Photos and documents: content-addressed by SHA-256 and uploaded in
//! chunks, so a weak signal that drops halfway resumes where it stopped
//! instead of starting again.

use serde::{Deserialize, Serialize};

/// The largest file a case may hold.
pub const MAX_ATTACHMENT_BYTES: u64 = 64 * 1024 * 1024;
/// The largest piece of a file in one request.
pub const MAX_ATTACHMENT_CHUNK_BYTES: usize = 1024 * 1024;

/// `GET /v1/attachments/{sha256}/status` and the answer to each chunk.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttachmentStatus {
    pub sha256: String,
    pub size: u64,
    /// Bytes the server holds: send the next chunk from here.
    pub received: u64,
    /// All bytes arrived and their SHA-256 matched the address.
    pub complete: bool,
}

/// Whether `text` is a SHA-256 address as Doorstep writes them: 64 lowercase hex digits.
pub fn is_sha256_address(text: &str) -> bool {
    text.len() == 64
        && text
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}
