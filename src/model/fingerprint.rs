//! Fingerprints of secrets: equal wherever the same secret occurs, useless for recovering it.
//!
//! A finding never carries the secret in clear unless the user asked for it (`--show-secrets`):
//! it carries a redacted preview and a fingerprint. The fingerprint must be equal wherever the same
//! secret occurs (so the inventory can group occurrences and a baseline can recognise an accepted
//! secret) without letting anyone who reads a report recover the secret.
//!
//! Why PBKDF2 and where its key comes from: a plain SHA-256 of a low-entropy password ("hunter2")
//! is reversed by a dictionary in microseconds. We therefore derive the fingerprint with
//! PBKDF2-HMAC-SHA256 at [`FINGERPRINT_ROUNDS`] rounds (each guess costs thousands of hashes) and
//! salt it with an optional organisation key taken from the `KEYAUDIT_FINGERPRINT_KEY` environment
//! variable. With the key set (as a CI secret and in developers' shells), reports are useless to an
//! outsider for guessing; without it, fingerprints are still comparable everywhere because the salt
//! is then the fixed public string [`FINGERPRINT_DOMAIN`]. Laptop and CI agree as long as they use
//! the same key (or both none).

use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

/// Rounds of PBKDF2 per fingerprint: about 1 ms here, negligible per finding, costly per guess.
pub const FINGERPRINT_ROUNDS: u32 = 4096;
/// Domain-separation salt, versioned so that a change of scheme never collides with old baselines.
pub const FINGERPRINT_DOMAIN: &str = "keyaudit-secret-fingerprint-v1";
/// Environment variable holding the optional organisation key for fingerprints.
pub const FINGERPRINT_KEY_ENV: &str = "KEYAUDIT_FINGERPRINT_KEY";

fn org_key() -> &'static [u8] {
    static KEY: OnceLock<Vec<u8>> = OnceLock::new();
    KEY.get_or_init(|| {
        std::env::var(FINGERPRINT_KEY_ENV)
            .map(String::into_bytes)
            .unwrap_or_default()
    })
}

/// The prefix naming the scheme; a change of scheme gets a new one, never reusing old values.
const PREFIX: &str = "fp1:";
/// Bytes of the derived key kept (hex-encoded after the prefix).
const LEN: usize = 16;

/// A secret's fingerprint, `fp1:` + 32 lowercase hex digits: the one form in which reports,
/// baselines and allowlists name a secret. Serialised as that string.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Fingerprint(String);

/// A string that is not a fingerprint.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not a keyaudit fingerprint (fp1: and 32 hex digits, as in reports)")]
pub struct NotAFingerprint;

impl Fingerprint {
    /// The fingerprint of a secret value: hex of the first 16 bytes of
    /// PBKDF2-HMAC-SHA256(secret, domain ‖ org key, rounds). Memoised, because the same secret
    /// recurs across files and commits and each derivation is deliberately slow.
    pub fn of(secret: &[u8]) -> Fingerprint {
        static CACHE: OnceLock<Mutex<HashMap<Vec<u8>, Fingerprint>>> = OnceLock::new();
        let cache = CACHE.get_or_init(Default::default);
        if let Some(fp) = cache.lock().ok().and_then(|c| c.get(secret).cloned()) {
            return fp;
        }
        let mut salt = FINGERPRINT_DOMAIN.as_bytes().to_vec();
        salt.extend_from_slice(org_key());
        let mut out = [0u8; LEN];
        pbkdf2::pbkdf2_hmac::<sha2::Sha256>(secret, &salt, FINGERPRINT_ROUNDS, &mut out);
        let fp = Fingerprint(format!("{PREFIX}{}", hex::encode(out)));
        if let Ok(mut c) = cache.lock() {
            c.insert(secret.to_vec(), fp.clone());
        }
        fp
    }

    /// The fingerprint of a public key, by its SPKI hash: one key has one fingerprint in every
    /// encoding and file (private key, public key, certificate, CSR).
    pub fn of_public_key(spki_sha256: &str) -> Fingerprint {
        Fingerprint::of(format!("spki:{spki_sha256}").as_bytes())
    }

    /// Read one as written in a report or configuration (hex digits in either case).
    pub fn parse(text: &str) -> Result<Fingerprint, NotAFingerprint> {
        let hex = text.strip_prefix(PREFIX).ok_or(NotAFingerprint)?;
        if hex.len() != 2 * LEN || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(NotAFingerprint);
        }
        Ok(Fingerprint(format!("{PREFIX}{}", hex.to_ascii_lowercase())))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for Fingerprint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprint_is_stable_and_distinct() {
        let a = Fingerprint::of(b"hunter2");
        assert_eq!(a, Fingerprint::of(b"hunter2"));
        assert_ne!(a, Fingerprint::of(b"hunter3"));
        let text = a.as_str();
        assert!(text.starts_with("fp1:") && text.len() == 4 + 32);
        // Not a plain hash of the secret.
        use sha2::Digest;
        let plain = hex::encode(sha2::Sha256::digest(b"hunter2"));
        assert!(!plain.starts_with(&text[4..]));
    }

    #[test]
    fn a_written_fingerprint_reads_back_and_anything_else_is_refused() {
        let a = Fingerprint::of(b"hunter2");
        assert_eq!(Fingerprint::parse(a.as_str()), Ok(a.clone()));
        assert_eq!(
            Fingerprint::parse(&a.as_str().to_ascii_uppercase().replace("FP1", "fp1")),
            Ok(a.clone())
        );
        for bad in [
            "",
            "fp1:",
            "abc",
            "fp2:00000000000000000000000000000000",
            "fp1:0000000000000000000000000000000g",
            "fp1:000",
        ] {
            assert_eq!(Fingerprint::parse(bad), Err(NotAFingerprint), "{bad:?}");
        }
        assert_ne!(Fingerprint::of_public_key("ab"), Fingerprint::of(b"ab"));
    }
}
