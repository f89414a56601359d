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

/// Fingerprint of a secret value: `fp1:` + hex of the first 16 bytes of
/// PBKDF2-HMAC-SHA256(secret, domain ‖ org key, rounds). Memoised, because the same secret recurs
/// across files and commits and each derivation is deliberately slow.
pub fn fingerprint(secret: &[u8]) -> String {
    static CACHE: OnceLock<Mutex<HashMap<Vec<u8>, String>>> = OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    if let Some(fp) = cache.lock().ok().and_then(|c| c.get(secret).cloned()) {
        return fp;
    }
    let mut salt = FINGERPRINT_DOMAIN.as_bytes().to_vec();
    salt.extend_from_slice(org_key());
    let mut out = [0u8; 16];
    pbkdf2::pbkdf2_hmac::<sha2::Sha256>(secret, &salt, FINGERPRINT_ROUNDS, &mut out);
    let fp = format!("fp1:{}", hex::encode(out));
    if let Ok(mut c) = cache.lock() {
        c.insert(secret.to_vec(), fp.clone());
    }
    fp
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprint_is_stable_and_distinct() {
        let a = fingerprint(b"hunter2");
        assert_eq!(a, fingerprint(b"hunter2"));
        assert_ne!(a, fingerprint(b"hunter3"));
        assert!(a.starts_with("fp1:") && a.len() == 4 + 32);
        // Not a plain hash of the secret.
        use sha2::Digest;
        let plain = hex::encode(sha2::Sha256::digest(b"hunter2"));
        assert!(!plain.starts_with(&a[4..]));
    }
}
