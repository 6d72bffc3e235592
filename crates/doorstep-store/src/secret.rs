//! Key material in memory: wiped when dropped, never printed.

use std::fmt;

use zeroize::Zeroizing;

use crate::error::StoreError;

/// Secret bytes, such as the database key as the keyring holds it.
///
/// The bytes are overwritten with zeros when the value is dropped, and
/// `Debug`/`Display` print `[redacted]`, so a secret cannot reach a log by
/// accident. Read the bytes only with [`Secret::expose`], at the point of use.
#[derive(Clone)]
pub struct Secret(Zeroizing<Vec<u8>>);

impl Secret {
    pub fn new(bytes: Vec<u8>) -> Self {
        Self(Zeroizing::new(bytes))
    }

    /// `length` bytes from the operating system's random number generator.
    pub fn random(length: usize) -> Result<Self, StoreError> {
        let mut bytes = Zeroizing::new(vec![0u8; length]);
        getrandom::fill(&mut bytes).map_err(|error| StoreError::Random(error.to_string()))?;
        Ok(Self(bytes))
    }

    pub fn expose(&self) -> &[u8] {
        &self.0
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret([redacted])")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

/// The 256-bit SQLCipher key of one device's database.
///
/// The keyring holds it as 64 lowercase hexadecimal characters rather than raw
/// bytes, because some Secret Service providers (KDE Wallet) store only text.
pub(crate) struct DatabaseKey(Zeroizing<[u8; 32]>);

impl DatabaseKey {
    pub(crate) fn generate() -> Result<Self, StoreError> {
        let mut bytes = Zeroizing::new([0u8; 32]);
        getrandom::fill(bytes.as_mut_slice())
            .map_err(|error| StoreError::Random(error.to_string()))?;
        Ok(Self(bytes))
    }

    /// The form the keyring holds.
    pub(crate) fn to_keyring_text(&self) -> Secret {
        let mut text = Zeroizing::new(vec![0u8; 64]);
        // Cannot fail: the output is exactly twice the input's length.
        let _ = hex::encode_to_slice(self.0.as_slice(), &mut text);
        Secret(text)
    }

    /// Reads the keyring's text back; `None` when it is not 64 hex characters.
    pub(crate) fn from_keyring_text(text: &Secret) -> Option<Self> {
        let trimmed = text.expose().trim_ascii();
        let mut bytes = Zeroizing::new([0u8; 32]);
        hex::decode_to_slice(trimmed, bytes.as_mut_slice()).ok()?;
        Some(Self(bytes))
    }

    /// `PRAGMA key = "x'…'"`: a raw key, so SQLCipher skips its passphrase
    /// derivation and opening takes under a millisecond.
    pub(crate) fn pragma(&self) -> Zeroizing<String> {
        let text = self.to_keyring_text();
        // Sized up front so the string never reallocates and leaves a copy behind.
        let mut pragma = Zeroizing::new(String::with_capacity(64 + 20));
        pragma.push_str("PRAGMA key = \"x'");
        for &byte in text.expose() {
            pragma.push(char::from(byte));
        }
        pragma.push_str("'\";");
        pragma
    }

    pub(crate) fn same_as(&self, other: &DatabaseKey) -> bool {
        self.0.as_slice() == other.0.as_slice()
    }
}

impl fmt::Debug for DatabaseKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("DatabaseKey([redacted])")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_never_print_their_bytes() {
        let secret = Secret::new(b"hunter2-very-secret".to_vec());
        assert_eq!(format!("{secret:?}"), "Secret([redacted])");
        assert_eq!(format!("{secret}"), "[redacted]");
        assert_eq!(secret.expose(), b"hunter2-very-secret");
        let key = DatabaseKey::generate().unwrap();
        let text = key.to_keyring_text();
        let printed = format!("{key:?} {text:?} {text}");
        assert!(!printed.contains(std::str::from_utf8(text.expose()).unwrap()));
    }

    #[test]
    fn a_key_survives_the_keyring_text_form_and_makes_a_raw_key_pragma() {
        let key = DatabaseKey::generate().unwrap();
        let text = key.to_keyring_text();
        assert_eq!(text.len(), 64);
        assert!(text.expose().iter().all(|b| b.is_ascii_hexdigit()));
        let back = DatabaseKey::from_keyring_text(&text).unwrap();
        assert!(back.same_as(&key));
        let pragma = key.pragma();
        assert!(pragma.starts_with("PRAGMA key = \"x'"));
        assert!(pragma.ends_with("'\";"));
        assert_eq!(pragma.len(), 64 + 19);
        assert!(
            DatabaseKey::generate()
                .map(|other| !other.same_as(&key))
                .unwrap()
        );
    }

    #[test]
    fn text_that_is_not_a_key_is_refused() {
        for bad in [&b""[..], b"abc", &[b'g'; 64], &[b'a'; 62], &[b'a'; 66]] {
            assert!(DatabaseKey::from_keyring_text(&Secret::new(bad.to_vec())).is_none());
        }
        let padded = Secret::new(format!(" {}\n", "ab".repeat(32)).into_bytes());
        assert!(DatabaseKey::from_keyring_text(&padded).is_some());
    }
}
