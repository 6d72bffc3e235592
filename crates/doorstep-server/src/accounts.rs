//! Accounts: roles, password hashing and sign-in throttling.
//!
//! Passwords are hashed with Argon2id. Failed sign-ins are counted per account
//! and per network address, so neither guessing one account's password from
//! many places nor many accounts from one place gets far. Refusals never say
//! whether the account exists.

use std::fmt;
use std::net::IpAddr;
use std::time::Duration;

use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};

/// Roles are domain rules, shared with the access checks in `doorstep-core`.
pub use doorstep_core::access::Role;

/// Council password policy: long enough to resist guessing, no composition rules (NCSC guidance).
pub const MINIMUM_PASSWORD_CHARACTERS: usize = 12;
pub const MAXIMUM_PASSWORD_BYTES: usize = 1024;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PasswordError {
    #[error(
        "The password must be at least {MINIMUM_PASSWORD_CHARACTERS} characters. A few random words make a strong one."
    )]
    TooShort,
    #[error("The password is too long: use at most {MAXIMUM_PASSWORD_BYTES} bytes.")]
    TooLong,
    #[error("The password could not be hashed: {0}")]
    Hashing(String),
}

/// A stored Argon2id hash in PHC form (`$argon2id$v=19$...`).
#[derive(Clone, PartialEq, Eq)]
pub struct PasswordDigest(String);

impl fmt::Debug for PasswordDigest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PasswordDigest(<redacted>)")
    }
}

impl PasswordDigest {
    pub fn hash(password: &str) -> Result<Self, PasswordError> {
        if password.chars().count() < MINIMUM_PASSWORD_CHARACTERS {
            return Err(PasswordError::TooShort);
        }
        if password.len() > MAXIMUM_PASSWORD_BYTES {
            return Err(PasswordError::TooLong);
        }
        Argon2::default()
            .hash_password(password.as_bytes())
            .map(|hash| Self(hash.to_string()))
            .map_err(|error| PasswordError::Hashing(error.to_string()))
    }

    pub fn from_stored(phc: String) -> Self {
        Self(phc)
    }

    pub fn as_stored(&self) -> &str {
        &self.0
    }

    /// Constant-time comparison inside argon2; a malformed stored hash never matches.
    pub fn verify(&self, password: &str) -> bool {
        if password.len() > MAXIMUM_PASSWORD_BYTES {
            return false;
        }
        PasswordHash::new(&self.0)
            .map(|parsed| {
                Argon2::default()
                    .verify_password(password.as_bytes(), &parsed)
                    .is_ok()
            })
            .unwrap_or(false)
    }
}

/// A hash of a random password nobody knows: verifying against it when an
/// account does not exist makes that refusal take as long as a real one.
pub fn decoy_digest() -> &'static PasswordDigest {
    static DECOY: std::sync::OnceLock<PasswordDigest> = std::sync::OnceLock::new();
    DECOY.get_or_init(|| {
        PasswordDigest::hash("decoy password that no account uses")
            .unwrap_or_else(|_| PasswordDigest(String::new()))
    })
}

/// Limits on failed sign-ins.
#[derive(Debug, Clone, Copy)]
pub struct ThrottlePolicy {
    /// Failures allowed for one account before it is locked.
    pub account_failures: u32,
    /// Failures allowed from one address (over all accounts) before it is locked.
    pub address_failures: u32,
    /// How long a lock lasts; failures older than this are forgotten.
    pub lockout: Duration,
}

impl Default for ThrottlePolicy {
    fn default() -> Self {
        Self {
            account_failures: 5,
            address_failures: 20,
            lockout: Duration::from_secs(15 * 60),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ThrottleDecision {
    Allowed,
    /// Try again after this many seconds.
    Locked {
        retry_after_secs: u64,
    },
}

/// Recent failed sign-ins, as Unix milliseconds, newest first. They live in
/// the database, so every server node applies the same limits.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RecentFailures {
    pub for_account: Vec<i64>,
    pub from_address: Vec<i64>,
}

impl ThrottlePolicy {
    pub fn window_millis(&self) -> i64 {
        i64::try_from(self.lockout.as_millis()).unwrap_or(i64::MAX)
    }

    /// The most failures of either kind worth reading from storage.
    pub fn failures_to_read(&self) -> usize {
        self.account_failures.max(self.address_failures) as usize
    }

    /// Whether a sign-in attempt may even be checked. A lock lasts until
    /// enough failures have aged out of the window to fall below the limit.
    pub fn decide(&self, recent: &RecentFailures, now_millis: i64) -> ThrottleDecision {
        let window = self.window_millis();
        let unlocks_at = |times: &[i64], limit: u32| -> Option<i64> {
            let limit = limit as usize;
            let in_window: Vec<i64> = times
                .iter()
                .copied()
                .filter(|at| now_millis.saturating_sub(*at) < window)
                .collect();
            // Newest first: the limit-th newest failure is the one that must age out.
            (limit > 0 && in_window.len() >= limit)
                .then(|| in_window[limit - 1].saturating_add(window))
        };
        let until = unlocks_at(&recent.for_account, self.account_failures)
            .max(unlocks_at(&recent.from_address, self.address_failures));
        match until {
            Some(until) if until > now_millis => ThrottleDecision::Locked {
                retry_after_secs: ((until - now_millis) as u64).div_ceil(1000),
            },
            _ => ThrottleDecision::Allowed,
        }
    }
}

impl ThrottlePolicy {
    /// The same limits, applied to counts that already include the attempt
    /// being decided (it is recorded before its password is checked).
    pub fn counting_this_attempt(&self) -> Self {
        Self {
            account_failures: self.account_failures.saturating_add(1),
            address_failures: self.address_failures.saturating_add(1),
            lockout: self.lockout,
        }
    }
}

/// The name sign-in failures are counted under: an account name as typed, ignoring case.
pub fn throttle_key(account: &str) -> String {
    account.trim().to_lowercase()
}

/// The address failures are counted under.
pub fn address_key(address: IpAddr) -> String {
    address.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOME: IpAddr = IpAddr::V4(std::net::Ipv4Addr::new(10, 0, 0, 1));
    const ELSEWHERE: IpAddr = IpAddr::V4(std::net::Ipv4Addr::new(10, 0, 0, 2));

    #[test]
    fn a_password_is_stored_as_argon2id_and_only_the_right_one_verifies() {
        let digest = PasswordDigest::hash("correct horse battery staple").unwrap();
        assert!(digest.as_stored().starts_with("$argon2id$"));
        assert!(digest.verify("correct horse battery staple"));
        assert!(!digest.verify("correct horse battery stapl"));
        assert!(!PasswordDigest::from_stored("not a hash".into()).verify("anything at all"));
        assert_eq!(format!("{digest:?}"), "PasswordDigest(<redacted>)");
    }

    #[test]
    fn short_passwords_are_refused_with_advice() {
        let error = PasswordDigest::hash("short").unwrap_err();
        assert_eq!(error, PasswordError::TooShort);
        assert!(error.to_string().contains("random words"));
    }

    fn policy(account_failures: u32, address_failures: u32) -> ThrottlePolicy {
        ThrottlePolicy {
            account_failures,
            address_failures,
            lockout: Duration::from_secs(60),
        }
    }

    #[test]
    fn an_account_locks_after_repeated_failures_and_unlocks_after_the_lockout() {
        let policy = policy(3, 100);
        let two = RecentFailures {
            for_account: vec![1, 0],
            from_address: vec![],
        };
        assert_eq!(policy.decide(&two, 1_000), ThrottleDecision::Allowed);
        let three = RecentFailures {
            for_account: vec![2, 1, 0],
            from_address: vec![],
        };
        assert_eq!(
            policy.decide(&three, 1_000),
            ThrottleDecision::Locked {
                retry_after_secs: 59
            }
        );
        assert_eq!(policy.decide(&three, 60_001), ThrottleDecision::Allowed);
    }

    #[test]
    fn one_address_guessing_many_accounts_is_locked_out() {
        let policy = policy(100, 4);
        let guessing = RecentFailures {
            for_account: vec![],
            from_address: vec![3, 2, 1, 0],
        };
        assert!(matches!(
            policy.decide(&guessing, 10),
            ThrottleDecision::Locked { .. }
        ));
    }

    #[test]
    fn keys_ignore_case_and_spaces() {
        assert_eq!(throttle_key("  Amira.Khan "), "amira.khan");
        assert_eq!(address_key(HOME), "10.0.0.1");
        let _ = ELSEWHERE;
    }

    #[test]
    fn roles_parse_as_the_admin_cli_writes_them() {
        assert_eq!(Role::parse("team-lead"), Some(Role::TeamLead));
        assert_eq!(Role::parse("Team_Lead"), Some(Role::TeamLead));
        assert_eq!(Role::parse("caseworker"), Some(Role::Caseworker));
        assert_eq!(Role::parse("root"), None);
    }
}
