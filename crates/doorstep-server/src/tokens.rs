//! Session tokens: random, opaque, and stored only as SHA-256 digests, so a
//! copy of the database gives nobody a working token.

use base64::Engine;
use doorstep_protocol::Secret;
use sha2::{Digest, Sha256};

use crate::storage::TokenDigests;

/// How long tokens last. Access tokens are short so revocation needs no
/// list; refresh tokens last long enough for weeks of offline fieldwork.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TokenLifetimes {
    pub access_secs: u64,
    pub refresh_secs: u64,
}

impl Default for TokenLifetimes {
    fn default() -> Self {
        Self {
            access_secs: 15 * 60,
            refresh_secs: 30 * 24 * 60 * 60,
        }
    }
}

/// A fresh token pair, and what the database keeps of it.
#[derive(Debug)]
pub struct IssuedTokens {
    pub access: Secret,
    pub refresh: Secret,
    pub digests: TokenDigests,
}

#[derive(Debug, thiserror::Error)]
#[error(
    "The server could not draw random numbers for a token: {0}. Check the operating system's entropy source."
)]
pub struct TokenError(String);

fn random_token(prefix: &str) -> Result<Secret, TokenError> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|error| TokenError(error.to_string()))?;
    Ok(Secret::new(format!(
        "{prefix}{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
    )))
}

/// The digest stored for a token.
pub fn digest(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// A random device id, for a device registering for the first time.
pub fn new_device_id() -> Result<String, TokenError> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).map_err(|error| TokenError(error.to_string()))?;
    Ok(format!("dev_{}", hex::encode(bytes)))
}

/// A new pair. `session` is the sign-in being refreshed, or `None` for a new sign-in.
pub fn issue(
    lifetimes: TokenLifetimes,
    now_millis: i64,
    session: Option<&str>,
) -> Result<IssuedTokens, TokenError> {
    let session = match session {
        Some(session) => session.to_owned(),
        None => {
            let mut bytes = [0u8; 16];
            getrandom::fill(&mut bytes).map_err(|error| TokenError(error.to_string()))?;
            format!("ses_{}", hex::encode(bytes))
        }
    };
    let access = random_token("dsa_")?;
    let refresh = random_token("dsr_")?;
    let after =
        |secs: u64| now_millis.saturating_add(i64::try_from(secs * 1000).unwrap_or(i64::MAX));
    let digests = TokenDigests {
        session,
        access: digest(access.expose()),
        access_expires_at: after(lifetimes.access_secs),
        refresh: digest(refresh.expose()),
        refresh_expires_at: after(lifetimes.refresh_secs),
    };
    Ok(IssuedTokens {
        access,
        refresh,
        digests,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_unique_and_only_their_digests_are_kept() {
        let first = issue(TokenLifetimes::default(), 0, None).unwrap();
        let second = issue(TokenLifetimes::default(), 0, None).unwrap();
        assert_ne!(first.access, second.access);
        assert!(first.access.expose().starts_with("dsa_"));
        assert!(first.refresh.expose().starts_with("dsr_"));
        assert_eq!(first.digests.access, digest(first.access.expose()));
        assert!(!first.digests.access.contains(first.access.expose()));
        assert_eq!(first.digests.access_expires_at, 15 * 60 * 1000);
    }
}
