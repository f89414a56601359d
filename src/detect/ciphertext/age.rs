//! age: binary files by their header and first recipient stanza, `AGE ENCRYPTED FILE` armour by
//! the header it decodes to; and the key parser's view of `age1…` recipients, so that policy can
//! match them to identities by SPKI hash.

use super::armour::armour_body;
use super::{Ciphertext, CiphertextKind, MAX_HITS, found};
use crate::detect::encoding::decode_std_prefix;
use memchr::memmem;

const AGE_HEADER: &[u8] = b"age-encryption.org/v1\n";

/// A binary age file: the header line, then a `-> ` stanza (a text file quoting the header line
/// has none).
pub(super) fn binary(data: &[u8]) -> Option<Ciphertext> {
    let rest = data.strip_prefix(AGE_HEADER)?;
    rest.starts_with(b"-> ")
        .then(|| found(CiphertextKind::Age, 0, Vec::new()))
}

/// The armour's BEGIN line.
pub(super) const ARMOUR: &[u8] = b"-----BEGIN AGE ENCRYPTED FILE-----";

/// Every `AGE ENCRYPTED FILE` armour block that decodes to the age header.
pub(super) fn armoured(data: &[u8], out: &mut Vec<Ciphertext>) {
    for at in memmem::find_iter(data, ARMOUR).take(MAX_HITS) {
        let body = armour_body(data, at + ARMOUR.len(), 64);
        let Some(bytes) = decode_std_prefix(&body) else {
            continue;
        };
        if bytes.starts_with(b"age-encryption.org/v1") {
            out.push(found(CiphertextKind::Age, at, Vec::new()));
        }
    }
}

/// The SPKI hashes of the `age1…` recipients, through the key parser itself (the policy matches
/// keys by hash, and only the parser knows how a recipient maps to one).
pub fn recipient_spki(recipients: &[String]) -> Vec<String> {
    recipients
        .iter()
        .filter(|r| r.starts_with("age1"))
        .filter_map(|r| {
            crate::detect::crypto::detect("recipient.txt", r.as_bytes())
                .into_iter()
                .find_map(|i| i.info.spki_sha256)
        })
        .collect()
}
