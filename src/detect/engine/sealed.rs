//! Ciphertext as one of the engine's detectors, for the key-beside-data policy. The keyword pass
//! has already said which textual formats have their marker in the blob; only those run, after
//! the whole-file checks (magic bytes, path hint and randomness) that every blob gets. Recipients
//! are resolved to SPKI hashes here, by the key parser, so later stages match keys by hash.

use crate::detect::ciphertext::{self, Formats};
use crate::model::ciphertext::CiphertextFound;

/// The ciphertext in `data` (at `path`), textual formats limited to `formats`.
pub(super) fn find(path: &str, data: &[u8], formats: Formats, out: &mut Vec<CiphertextFound>) {
    for c in ciphertext::detect_formats(path, data, formats) {
        out.push(CiphertextFound {
            recipient_spki: ciphertext::recipient_spki(&c.recipients),
            kind: c.kind,
            recipients: c.recipients,
        });
    }
}
