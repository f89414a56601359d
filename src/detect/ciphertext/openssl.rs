//! OpenSSL `enc` (and CryptoJS, same format): binary `Salted__` + salt at offset 0, or its base64
//! `U2FsdGVkX1…` where a value starts (file, line, quoted or assigned value), never in prose.

use super::armour::is_b64;
use super::{Ciphertext, CiphertextKind, MAX_HITS, found};
use crate::detect::encoding::decode_std_prefix;
use memchr::memmem;

/// `Salted__` in base64, as a value starts.
pub(super) const BASE64_MAGIC: &[u8] = b"U2FsdGVkX1";

/// Magic, 8-byte salt, then at least one byte of ciphertext.
pub(super) fn binary(data: &[u8]) -> Option<Ciphertext> {
    (data.starts_with(b"Salted__") && data.len() > 16)
        .then(|| found(CiphertextKind::OpensslSalted, 0, Vec::new()))
}

/// Every base64 `Salted__` header where a value starts, long enough for salt and one block.
pub(super) fn base64(data: &[u8], out: &mut Vec<Ciphertext>) {
    for at in memmem::find_iter(data, BASE64_MAGIC).take(MAX_HITS) {
        // Start of file, of a line, or of a value: only blanks back to one of those.
        let before = data.get(..at).unwrap_or_default();
        let blanks = before
            .iter()
            .rev()
            .take_while(|b| matches!(b, b' ' | b'\t'))
            .count();
        let prev = before
            .len()
            .checked_sub(blanks + 1)
            .and_then(|i| before.get(i));
        if !prev.is_none_or(|b| matches!(b, b'\n' | b'\r' | b'"' | b'\'' | b'=' | b':')) {
            continue;
        }
        let token = data.get(at..).unwrap_or_default();
        let len = token
            .iter()
            .take(64)
            .take_while(|b| is_b64(**b) || **b == b'=')
            .count();
        if len < 43 {
            continue;
        }
        let Some(bytes) = decode_std_prefix(token.get(..len).unwrap_or_default()) else {
            continue;
        };
        if bytes.starts_with(b"Salted__") && bytes.len() >= 24 {
            out.push(found(CiphertextKind::OpensslSalted, at, Vec::new()));
        }
    }
}
