//! Base64 decoding and Shannon entropy, in one place.
//!
//! Detectors each used to call the `base64` crate with their own choice of alphabet and padding
//! rule, and two of them counted entropy separately; a decoding rule that differs by accident
//! changes what is found. Each variant here is named for the rule it applies, so a caller picks a
//! rule rather than re-deriving one. This module depends on nothing else in the crate.

use base64::Engine as _;
use base64::engine::general_purpose::{
    STANDARD, STANDARD_NO_PAD, STANDARD_PAD_INDIFFERENT, URL_SAFE, URL_SAFE_NO_PAD,
    URL_SAFE_NO_PAD_INDIFFERENT,
};

/// Shannon entropy in bits per byte (0 for empty input).
pub fn entropy(s: &[u8]) -> f64 {
    if s.is_empty() {
        return 0.0;
    }
    let mut counts = [0u32; 256];
    for &b in s {
        counts[usize::from(b)] += 1;
    }
    let n = s.len() as f64;
    counts
        .iter()
        .filter(|&&c| c > 0)
        .map(|&c| {
            let p = f64::from(c) / n;
            -p * p.log2()
        })
        .sum()
}

/// A character of the standard base64 alphabet, padding included.
pub(crate) fn is_b64_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'=')
}

/// Standard alphabet, canonical padding required.
pub(crate) fn decode_std(s: impl AsRef<[u8]>) -> Option<Vec<u8>> {
    STANDARD.decode(s).ok()
}

/// Standard alphabet, padding optional (PEM bodies, OpenSSH blobs, Kubernetes `data`).
pub(crate) fn decode_std_lenient(s: impl AsRef<[u8]>) -> Option<Vec<u8>> {
    STANDARD_PAD_INDIFFERENT.decode(s).ok()
}

/// URL-safe alphabet, any trailing `=` ignored (JWK members).
pub(crate) fn decode_url_lenient(s: &str) -> Option<Vec<u8>> {
    URL_SAFE_NO_PAD_INDIFFERENT
        .decode(s.trim_end_matches('='))
        .ok()
}

/// Standard text, ignoring everything from the first `=` and a trailing partial group: the
/// decodable prefix of a run that may be cut short or followed by other text.
pub(crate) fn decode_std_prefix(text: &[u8]) -> Option<Vec<u8>> {
    let end = memchr::memchr(b'=', text).unwrap_or(text.len());
    let text = text.get(..end)?;
    let text = text.get(..text.len() - text.len() % 4)?;
    STANDARD_NO_PAD.decode(text).ok()
}

/// Either alphabet, padded or not: the first of standard, URL-safe, standard unpadded,
/// URL-safe unpadded that decodes (token validators accept what issuers actually emit).
pub(crate) fn decode_any(s: &[u8]) -> Option<Vec<u8>> {
    [STANDARD, URL_SAFE, STANDARD_NO_PAD, URL_SAFE_NO_PAD]
        .iter()
        .find_map(|e| e.decode(s).ok())
}

/// Standard alphabet with padding.
pub(crate) fn encode_std(data: &[u8]) -> String {
    STANDARD.encode(data)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entropy_orders_random_above_repetitive() {
        assert_eq!(entropy(b""), 0.0);
        assert_eq!(entropy(b"aaaa"), 0.0);
        assert!((entropy(b"ab") - 1.0).abs() < 1e-12);
        assert!(entropy(b"kR8vN2pL5xQ9") > entropy(b"passwordpass"));
    }

    #[test]
    fn variants_differ_only_where_named() {
        assert_eq!(decode_std("aGk=").as_deref(), Some(&b"hi"[..]));
        assert_eq!(decode_std("aGk"), None);
        assert_eq!(decode_std_lenient("aGk").as_deref(), Some(&b"hi"[..]));
        assert_eq!(
            decode_url_lenient("-_8=").as_deref(),
            Some(&[0xfb, 0xff][..])
        );
        assert_eq!(
            decode_std_prefix(b"aGVsbG8=rest").as_deref(),
            Some(&b"hel"[..])
        );
        assert_eq!(decode_any(b"-_8").as_deref(), Some(&[0xfb, 0xff][..]));
        assert_eq!(encode_std(b"hi"), "aGk=");
        assert!(is_b64_char(b'=') && !is_b64_char(b'-'));
    }
}
