//! JWE compact serialisation: five base64url parts whose first decodes to a JSON header with
//! string `alg` and `enc` (a JWS has three parts and no `enc`).

use super::{Ciphertext, CiphertextKind, MAX_HITS, MAX_JWE_HEADER, found};
use crate::detect::encoding::decode_url_lenient;
use memchr::memmem;

/// A protected header is a JSON object: base64url of `{"`.
pub(super) const HEADER_START: &[u8] = b"eyJ";

fn is_b64url(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'-' || b == b'_'
}

/// Every compact JWE token that starts a token (`eyJ` not inside a longer one); at most
/// [`MAX_HITS`] five-part candidates have their header decoded.
pub(super) fn find(data: &[u8], out: &mut Vec<Ciphertext>) {
    let finder = memmem::Finder::new(HEADER_START);
    let mut from = 0usize;
    let mut parsed = 0usize;
    while parsed < MAX_HITS {
        let Some(rel) = data.get(from..).and_then(|d| finder.find(d)) else {
            break;
        };
        let at = from + rel;
        let token_len = data
            .get(at..)
            .unwrap_or_default()
            .iter()
            .take_while(|b| is_b64url(**b) || **b == b'.')
            .count();
        from = at + token_len.max(1);
        if at > 0
            && data
                .get(at - 1)
                .is_some_and(|b| is_b64url(*b) || *b == b'.')
        {
            continue;
        }
        let token = data.get(at..at + token_len).unwrap_or_default();
        let parts: Vec<&[u8]> = token.split(|b| *b == b'.').collect();
        let [header, _key, iv, ciphertext, tag] = parts.as_slice() else {
            continue;
        };
        if header.len() > MAX_JWE_HEADER || iv.is_empty() || ciphertext.is_empty() || tag.is_empty()
        {
            continue;
        }
        parsed += 1;
        // The header holds base64url characters only, so no padding to be lenient about.
        let Some(json) = std::str::from_utf8(header)
            .ok()
            .and_then(decode_url_lenient)
        else {
            continue;
        };
        let Ok(serde_json::Value::Object(h)) = serde_json::from_slice(&json) else {
            continue;
        };
        if h.get("alg").is_some_and(serde_json::Value::is_string)
            && h.get("enc").is_some_and(serde_json::Value::is_string)
        {
            out.push(found(CiphertextKind::Jwe, at, Vec::new()));
        }
    }
}
