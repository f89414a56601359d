//! Encrypted binary without a format of its own: a path hint (`*.enc`, `*.encrypted`, `*.gpg`,
//! `*.aes`) and bytes that look random (after undoing a hex or base64 text encoding). The
//! threshold is explained in the parent module's docs.

use super::armour::is_b64;
use super::openpgp::openpgp_not_encrypted;
use crate::detect::encoding::{decode_std_prefix, entropy};
use memchr::memmem;

/// Bytes looked at for the randomness test.
const ENTROPY_WINDOW: usize = 4096;
/// Entropy (bits/byte) required of a full [`ENTROPY_WINDOW`].
const ENTROPY_THRESHOLD: f64 = 7.5;
/// Smallest file judged by randomness.
const MIN_RANDOM_LEN: usize = 64;

/// Whether the file is encrypted binary: a path hint, no other format, bytes that look random.
pub(super) fn encrypted(path: &str, data: &[u8]) -> bool {
    let name = path.rsplit(['/', '\\']).next().unwrap_or(path);
    let Some((_, ext)) = name.rsplit_once('.') else {
        return false;
    };
    let ext = ext.to_ascii_lowercase();
    if !matches!(ext.as_str(), "enc" | "encrypted" | "gpg" | "aes") || data.len() < MIN_RANDOM_LEN {
        return false;
    }
    // AES Crypt: "AES", version 0-3.
    if ext == "aes" && data.starts_with(b"AES") && data.get(3).is_some_and(|v| *v <= 3) {
        return true;
    }
    if openpgp_not_encrypted(data) {
        return false;
    }
    let window = data.get(..ENTROPY_WINDOW).unwrap_or(data);
    if memmem::find(window, b"-----BEGIN ").is_some() {
        // Armour of something not recognised above (a key, a signature): its text is base64-ish.
        return false;
    }
    let text = window.trim_ascii();
    if !text.is_empty()
        && text
            .iter()
            .all(|b| b.is_ascii_hexdigit() || b.is_ascii_whitespace())
    {
        let hex: Vec<u8> = text.iter().copied().filter(u8::is_ascii_hexdigit).collect();
        let hex = hex.get(..hex.len() & !1).unwrap_or_default();
        return hex::decode(hex).is_ok_and(|d| d.len() >= 32 && looks_random(&d));
    }
    let b64ish = |b: u8| is_b64(b) || matches!(b, b'-' | b'_' | b'=') || b.is_ascii_whitespace();
    if !text.is_empty() && text.iter().all(|b| b64ish(*b)) {
        let b64: Vec<u8> = text
            .iter()
            .filter(|b| !b.is_ascii_whitespace())
            .map(|b| match b {
                b'-' => b'+',
                b'_' => b'/',
                b => *b,
            })
            .collect();
        return decode_std_prefix(&b64).is_some_and(|d| d.len() >= 48 && looks_random(&d));
    }
    looks_random(window)
}

/// Expected Shannon entropy of `n` uniformly random bytes: `log2 n − E[Σ c·log2 c] / n` with each
/// byte count `c ~ Binomial(n, 1/256)`.
pub(super) fn expected_random_entropy(n: usize) -> f64 {
    if n == 0 {
        return 0.0;
    }
    let nf = n as f64;
    let p: f64 = 1.0 / 256.0;
    let mut pmf = (1.0 - p).powf(nf);
    let mut sum = 0.0;
    for c in 0..n.min(400) {
        let cf = c as f64;
        if c > 0 {
            sum += pmf * cf * cf.log2();
        }
        pmf *= (nf - cf) / (cf + 1.0) * p / (1.0 - p);
    }
    nf.log2() - 256.0 * sum / nf
}

/// Entropy threshold for a window of `n` bytes (see the parent module's docs).
pub(super) fn entropy_threshold(n: usize) -> f64 {
    if n >= ENTROPY_WINDOW {
        ENTROPY_THRESHOLD
    } else {
        expected_random_entropy(n) - (expected_random_entropy(ENTROPY_WINDOW) - ENTROPY_THRESHOLD)
    }
}

/// Entropy of the first window at or above the threshold for its size.
fn looks_random(data: &[u8]) -> bool {
    let window = data.get(..ENTROPY_WINDOW).unwrap_or(data);
    !window.is_empty() && entropy(window) >= entropy_threshold(window.len())
}
