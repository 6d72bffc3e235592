//! Offline unlock after the idle lock. The caseworker sets a PIN after a full
//! sign-in; it is checked here, on the laptop, against an Argon2id hash, so
//! the app opens with no signal. After [`MAXIMUM_FAILED_UNLOCKS`] wrong PINs
//! the PIN is forgotten and the person is signed out (their work stays): only
//! the council password, checked by the server, opens the app again.

use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use doorstep_store::AuditEvent;

use crate::{ClientError, Device};

pub const MAXIMUM_FAILED_UNLOCKS: u32 = 5;
pub const MINIMUM_PIN_DIGITS: usize = 6;
pub const MAXIMUM_PIN_DIGITS: usize = 12;

/// Why a PIN cannot be used, in words for the person choosing it.
pub fn check_new_pin(pin: &str) -> Result<(), ClientError> {
    let refuse = |reason: &str| Err(ClientError::UnusablePin(reason.to_owned()));
    if !pin.bytes().all(|byte| byte.is_ascii_digit()) {
        return refuse("Use digits only");
    }
    if pin.len() < MINIMUM_PIN_DIGITS || pin.len() > MAXIMUM_PIN_DIGITS {
        return refuse(&format!(
            "Use {MINIMUM_PIN_DIGITS} to {MAXIMUM_PIN_DIGITS} digits"
        ));
    }
    let digits: Vec<i16> = pin.bytes().map(|byte| i16::from(byte - b'0')).collect();
    let steps: Vec<i16> = digits.windows(2).map(|pair| pair[1] - pair[0]).collect();
    if steps.iter().all(|step| *step == steps[0]) && steps[0].abs() <= 1 {
        return refuse(
            "Do not use a repeated digit or a run such as 123456: they are the first PINs anyone tries",
        );
    }
    Ok(())
}

/// Where the window's lock stands, for the unlock page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PinState {
    pub pin_set: bool,
    pub attempts_left: u32,
}

impl Device {
    pub fn pin_state(&self) -> Result<PinState, ClientError> {
        let stored = self.store.unlock_pin()?;
        Ok(PinState {
            pin_set: stored.is_some(),
            attempts_left: stored.map_or(0, |pin| {
                MAXIMUM_FAILED_UNLOCKS.saturating_sub(pin.failed_attempts)
            }),
        })
    }

    /// Sets the PIN that unlocks this laptop offline. Only someone signed in
    /// with their council password may set it.
    pub fn set_unlock_pin(&mut self, pin: &str) -> Result<(), ClientError> {
        let signed_in = self
            .store
            .sync_session()?
            .is_some_and(|session| session.signed_in);
        if !signed_in {
            return Err(ClientError::Sync(Box::new(
                doorstep_sync::SyncError::NotSignedIn,
            )));
        }
        check_new_pin(pin)?;
        let hash = Argon2::default()
            .hash_password(pin.as_bytes())
            .map_err(|error| ClientError::UnusablePin(format!("It could not be saved ({error})")))?
            .to_string();
        self.store
            .set_unlock_pin(&hash, doorstep_store::device_now())?;
        Ok(())
    }

    /// Checks a PIN typed at the lock screen. Every wrong one is counted on
    /// disk before the answer, so restarting the app does not reset the limit.
    pub fn unlock_with_pin(&mut self, pin: &str) -> Result<(), ClientError> {
        let Some(stored) = self.store.unlock_pin()? else {
            return Err(ClientError::NoPin);
        };
        if stored.failed_attempts >= MAXIMUM_FAILED_UNLOCKS {
            return self.lock_out();
        }
        let matches = pin.len() <= MAXIMUM_PIN_DIGITS
            && PasswordHash::new(&stored.hash).is_ok_and(|parsed| {
                Argon2::default()
                    .verify_password(pin.as_bytes(), &parsed)
                    .is_ok()
            });
        if matches {
            self.store.record_successful_unlock()?;
            return Ok(());
        }
        let failed = self.store.record_failed_unlock()?;
        if failed >= MAXIMUM_FAILED_UNLOCKS {
            return self.lock_out();
        }
        Err(ClientError::WrongPin {
            attempts_left: MAXIMUM_FAILED_UNLOCKS - failed,
        })
    }

    /// Too many wrong PINs: forget the PIN and end the session, keeping every
    /// change, so only a sign-in the server checks opens the app again.
    fn lock_out(&mut self) -> Result<(), ClientError> {
        self.store.forget_unlock_pin()?;
        let signed_in = self
            .store
            .sync_session()?
            .is_some_and(|session| session.signed_in);
        if signed_in {
            let credentials = doorstep_sync::Credentials::with_os_keyring(self.store.data_dir())?;
            credentials.forget()?;
            self.store.record_sign_out(&AuditEvent {
                user: self.user.clone(),
                action: doorstep_store::AuditAction::SignedOut,
                case_id: None,
                detail: format!(
                    "Signed out after {MAXIMUM_FAILED_UNLOCKS} wrong PINs; this device's data was kept"
                ),
                device_time: doorstep_store::device_now(),
            })?;
        }
        Err(ClientError::PinLockedOut)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guessable_or_malformed_pins_are_refused_with_a_reason() {
        for (pin, reason) in [
            ("12345", "6 to 12"),
            ("1234567890123", "6 to 12"),
            ("12a456", "digits only"),
            ("000000", "repeated digit"),
            ("123456", "run"),
            ("987654", "run"),
        ] {
            let error = check_new_pin(pin).unwrap_err().to_string();
            assert!(error.contains(reason), "{pin}: {error}");
        }
        for good in ["246810", "135792", "90210411"] {
            assert!(check_new_pin(good).is_ok(), "{good}");
        }
    }
}
