//! Accounts: roles, password hashing and sign-in throttling.
//!
//! Passwords are hashed with Argon2id. Failed sign-ins are counted per account
//! and per network address, so neither guessing one account's password from
//! many places nor many accounts from one place gets far. Refusals never say
//! whether the account exists.

use std::collections::HashMap;
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

#[derive(Debug, Default, Clone)]
struct Failures {
    count: u32,
    first_at_millis: i64,
}

/// Counts failed sign-ins in memory. Each server node keeps its own counts;
/// with several nodes an attacker gets at most N times the allowance, which
/// the lockout still makes useless for guessing.
#[derive(Debug, Default)]
pub struct SignInThrottle {
    policy: ThrottlePolicy,
    accounts: HashMap<String, Failures>,
    addresses: HashMap<IpAddr, Failures>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ThrottleDecision {
    Allowed,
    /// Try again after this many seconds.
    Locked {
        retry_after_secs: u64,
    },
}

impl SignInThrottle {
    pub fn new(policy: ThrottlePolicy) -> Self {
        Self {
            policy,
            ..Self::default()
        }
    }

    fn window_millis(&self) -> i64 {
        i64::try_from(self.policy.lockout.as_millis()).unwrap_or(i64::MAX)
    }

    fn locked(&self, failures: Option<&Failures>, limit: u32, now_millis: i64) -> Option<u64> {
        let failures = failures?;
        let ends = failures
            .first_at_millis
            .saturating_add(self.window_millis());
        (failures.count >= limit && now_millis < ends)
            .then(|| ((ends - now_millis) as u64).div_ceil(1000))
    }

    /// Whether a sign-in attempt may even be checked.
    pub fn check(&self, account: &str, address: IpAddr, now_millis: i64) -> ThrottleDecision {
        let account = account.to_lowercase();
        let by_account = self.locked(
            self.accounts.get(&account),
            self.policy.account_failures,
            now_millis,
        );
        let by_address = self.locked(
            self.addresses.get(&address),
            self.policy.address_failures,
            now_millis,
        );
        match by_account.max(by_address) {
            Some(retry_after_secs) => ThrottleDecision::Locked { retry_after_secs },
            None => ThrottleDecision::Allowed,
        }
    }

    pub fn record_failure(&mut self, account: &str, address: IpAddr, now_millis: i64) {
        let window = self.window_millis();
        let bump = |failures: &mut Failures| {
            if now_millis.saturating_sub(failures.first_at_millis) >= window {
                *failures = Failures {
                    count: 0,
                    first_at_millis: now_millis,
                };
            }
            failures.count += 1;
        };
        bump(self.accounts.entry(account.to_lowercase()).or_default());
        bump(self.addresses.entry(address).or_default());
    }

    /// A correct password clears the account's count (not the address's).
    pub fn record_success(&mut self, account: &str) {
        self.accounts.remove(&account.to_lowercase());
    }
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

    #[test]
    fn an_account_locks_after_repeated_failures_and_unlocks_after_the_lockout() {
        let mut throttle = SignInThrottle::new(ThrottlePolicy {
            account_failures: 3,
            address_failures: 100,
            lockout: Duration::from_secs(60),
        });
        for attempt in 0..3 {
            assert_eq!(
                throttle.check("Amira", HOME, attempt),
                ThrottleDecision::Allowed
            );
            throttle.record_failure("amira", HOME, attempt);
        }
        assert_eq!(
            throttle.check("amira", ELSEWHERE, 1_000),
            ThrottleDecision::Locked {
                retry_after_secs: 59
            },
            "the lock follows the account to any address"
        );
        assert_eq!(
            throttle.check("ben", HOME, 1_000),
            ThrottleDecision::Allowed
        );
        assert_eq!(
            throttle.check("amira", HOME, 60_001),
            ThrottleDecision::Allowed
        );
    }

    #[test]
    fn one_address_guessing_many_accounts_is_locked_out() {
        let mut throttle = SignInThrottle::new(ThrottlePolicy {
            account_failures: 100,
            address_failures: 4,
            lockout: Duration::from_secs(60),
        });
        for (n, account) in ["a", "b", "c", "d"].iter().enumerate() {
            throttle.record_failure(account, HOME, n as i64);
        }
        assert!(matches!(
            throttle.check("e", HOME, 10),
            ThrottleDecision::Locked { .. }
        ));
        assert_eq!(
            throttle.check("e", ELSEWHERE, 10),
            ThrottleDecision::Allowed
        );
    }

    #[test]
    fn roles_parse_as_the_admin_cli_writes_them() {
        assert_eq!(Role::parse("team-lead"), Some(Role::TeamLead));
        assert_eq!(Role::parse("Team_Lead"), Some(Role::TeamLead));
        assert_eq!(Role::parse("caseworker"), Some(Role::Caseworker));
        assert_eq!(Role::parse("root"), None);
    }
}
