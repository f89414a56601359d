//! ansible-vault: a `$ANSIBLE_VAULT;1.x;AES256[;label]` header line followed by a line of hex,
//! in vault files and inline `!vault |` YAML values alike.

use super::armour::lines;
use super::{Ciphertext, CiphertextKind, MAX_HITS, found};
use memchr::memmem;

/// How every vault header line starts.
pub(super) const HEADER: &[u8] = b"$ANSIBLE_VAULT;";

/// Every vault header with a known version and cipher that a line of hex follows.
pub(super) fn find(data: &[u8], out: &mut Vec<Ciphertext>) {
    for at in memmem::find_iter(data, HEADER).take(MAX_HITS) {
        let mut ls = lines(data.get(at..).unwrap_or_default());
        let Some(header) = ls.next().filter(|h| h.len() <= 256) else {
            continue;
        };
        let fields: Vec<&[u8]> = header.split(|b| *b == b';').collect();
        let ok = match fields.as_slice() {
            [_, b"1.0" | b"1.1", b"AES256" | b"AES"] => true,
            [_, b"1.2", b"AES256", label] => !label.is_empty(),
            _ => false,
        };
        if !ok {
            continue;
        }
        let Some(first) = ls.find(|l| !l.is_empty()) else {
            continue;
        };
        if first.len() >= 32 && first.iter().all(u8::is_ascii_hexdigit) {
            out.push(found(CiphertextKind::AnsibleVault, at, Vec::new()));
        }
    }
}
