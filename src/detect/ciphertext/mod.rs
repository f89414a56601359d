//! Ciphertext recognised by content: where encrypted data lives, and who it is encrypted to.
//!
//! The `key-beside-data` policy rule needs to know which blobs hold data that a key found nearby
//! might protect. This module answers that question; it does not decrypt anything and reports no
//! secrets. Every format is recognised by its own framing, strictly enough that random bytes,
//! prose that *mentions* a format, and the format's non-encrypted siblings do not match:
//!
//! * **age** — binary files start `age-encryption.org/v1\n` then a `-> ` recipient stanza (the
//!   stanza is required so a text file quoting the header line does not match). Armoured files
//!   (`-----BEGIN AGE ENCRYPTED FILE-----`) must decode to that same header. X25519 stanzas carry
//!   only an ephemeral share, never the recipient, so `recipients` is always empty.
//! * **OpenPGP messages** — `-----BEGIN PGP MESSAGE-----` is also used for signed-only and
//!   compressed messages, so the armour body is decoded and its first packet must be a PKESK
//!   (tag 1) or SKESK (tag 3). Binary messages are only recognised at offset 0 and must be one or
//!   more valid ESK packets (version byte, known algorithm, length that fits) followed by an
//!   encrypted-data packet (tag 9, 18 or 20): five independent checks, so random files do not
//!   match. PKESK v3 packets name their recipient's 8-byte key id (16 uppercase hex, the all-zero
//!   wildcard skipped); v6 PKESK packets give a fingerprint (40 hex for a v4 key, the 16-hex key
//!   id for a v6 key).
//! * **OpenSSL `enc`** (and CryptoJS, which uses the same format) — binary `Salted__` + 8-byte
//!   salt at offset 0, or its base64 `U2FsdGVkX1…` at the start of the file, of a line, or of a
//!   quoted/assigned value, long enough for salt and one cipher block (43+ characters) and
//!   decoding to `Salted__`. The magic in the middle of prose does not match.
//! * **ansible-vault** — a `$ANSIBLE_VAULT;1.x;AES256[;label]` header line followed by a line of
//!   hex, anywhere (whole vault files and inline `!vault |` YAML values, which are indented).
//!   The hex line is required so documentation quoting the header does not match.
//! * **sops** — `ENC[AES256_GCM,data:` values *and* sops metadata (`sops:` map in YAML, `"sops":
//!   {` in JSON, `sops_version=` in dotenv, `[sops]` in INI). One result per file; its
//!   recipients are the age `recipient` and PGP `fp` entries of the metadata. The armoured data
//!   keys inside the metadata are part of the sops file and not reported separately.
//! * **JWE** compact serialisation — a token starting `eyJ` with exactly four dots whose first
//!   part decodes to a JSON object with string `alg` and `enc` (a JWS/JWT has three parts and no
//!   `enc`).
//! * **Encrypted binary** — only with a path hint (`*.enc`, `*.encrypted`, `*.gpg`, `*.aes`) and
//!   only when nothing above matched: at least 64 bytes that look random. AES Crypt files
//!   (`.aes` starting `AES` + version) match by header. Text files that are hex or base64 are
//!   decoded and the decoded bytes are judged. OpenPGP keyrings and signed-only data (`.gpg`) are
//!   excluded by their first packet.
//!
//! **Randomness threshold.** Shannon entropy of the first 4 KiB, in bits per byte, must be at
//! least 7.5 for a full 4 KiB window. Truly random 4 KiB averages 7.955 (standard deviation about
//! 0.005), while text, code and most structured binaries stay well below 7.5; compressed data
//! also passes, which is why a path hint is required. Shorter inputs cannot reach 7.5 (64 bytes
//! have at most 6 bits/byte), so for a window of `n < 4096` bytes the threshold keeps the same
//! distance below the *expected* entropy of `n` random bytes: `E(n) − (E(4096) − 7.5)`, about
//! 0.455 bits, which is more than four standard deviations at every size down to 64 bytes.
//!
//! **Bounded work.** Binary formats are checked at offset 0 only; each text marker is examined
//! at most [`MAX_HITS`] times per blob; armour bodies are decoded up to [`MAX_ARMOUR_B64`]
//! characters; JWE headers longer than [`MAX_JWE_HEADER`] are skipped; entropy reads 4 KiB. The
//! function never panics (all indexing is checked).
//!
//! **When it runs.** The detection engine runs it as one of its detectors: the markers of the
//! textual formats ([`KEYWORDS`]) are patterns of the engine's keyword automaton, so the one pass
//! over a blob that finds rule keywords also says which of these formats to look for
//! ([`detect_formats`]); the whole-file checks, by first bytes and path, run on every blob.
//!
//! **Layout.** One file per format family (`openpgp`, `age`, `openssl`, `vault`, `sops`, `jwe`,
//! and `binary` for the randomness test), the text framing they share in `armour`; this file runs
//! them in order. Base64, entropy and OpenPGP packet headers come from the detectors' shared
//! readers (`detect::encoding`, `detect::openpgp_frame`), so they decode as the key parser does.

mod age;
mod armour;
mod binary;
mod jwe;
mod openpgp;
mod openssl;
mod sops;
mod vault;

pub use crate::model::ciphertext::CiphertextKind;

pub use age::recipient_spki;

/// One piece of ciphertext in a blob.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Ciphertext {
    pub kind: CiphertextKind,
    /// Byte offset where it starts in the blob (0 for whole-file formats).
    pub offset: usize,
    /// Who it is encrypted to, when the format says so, normalised for matching against keys:
    /// age recipients as `age1...` bech32 strings (lowercase); OpenPGP as 16-hex-digit key ids
    /// (uppercase) from PKESK packets, or 40-hex v4 fingerprints when given (sops pgp `fp:`);
    /// empty when unknown.
    pub recipients: Vec<String>,
}

/// Occurrences of one text marker examined per blob at most.
pub const MAX_HITS: usize = 256;
/// Base64 characters of an armour body decoded at most (ESK packets come first and are small).
pub const MAX_ARMOUR_B64: usize = 64 * 1024;
/// Longest JWE protected header (base64url characters) considered.
pub const MAX_JWE_HEADER: usize = 8 * 1024;

/// The textual formats, a set of them. Each is found from one marker ([`KEYWORDS`]); the
/// engine's keyword prefilter sees the markers in its single pass over a blob, so a blob runs
/// only the formats whose marker it holds, and most blobs run none.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Formats(u8);

impl Formats {
    pub const NONE: Formats = Formats(0);
    pub const PGP_ARMOUR: Formats = Formats(1);
    pub const AGE_ARMOUR: Formats = Formats(1 << 1);
    pub const OPENSSL_BASE64: Formats = Formats(1 << 2);
    pub const ANSIBLE_VAULT: Formats = Formats(1 << 3);
    pub const SOPS: Formats = Formats(1 << 4);
    pub const JWE: Formats = Formats(1 << 5);
    pub const ALL: Formats = Formats((1 << 6) - 1);

    #[must_use]
    pub fn with(self, other: Formats) -> Formats {
        Formats(self.0 | other.0)
    }

    pub fn contains(self, other: Formats) -> bool {
        self.0 & other.0 == other.0
    }
}

/// Each textual format's marker: the literal its search starts from (case-sensitive), so a blob
/// without it cannot hold the format. The prefilter matches ASCII-case-insensitively, which only
/// lets more blobs through. The whole-file formats (binary age, OpenPGP, `Salted__`, encrypted
/// binary) are judged by the first bytes and the path, on every blob, and need no marker.
pub const KEYWORDS: &[(&[u8], Formats)] = &[
    (openpgp::ARMOUR, Formats::PGP_ARMOUR),
    (age::ARMOUR, Formats::AGE_ARMOUR),
    (openssl::BASE64_MAGIC, Formats::OPENSSL_BASE64),
    (vault::HEADER, Formats::ANSIBLE_VAULT),
    (sops::ENC, Formats::SOPS),
    (jwe::HEADER_START, Formats::JWE),
];

/// Find ciphertext in `data`; `path` is only a hint for [`CiphertextKind::EncryptedBinary`].
/// Results are ordered by offset.
pub fn detect(path: &str, data: &[u8]) -> Vec<Ciphertext> {
    detect_formats(path, data, Formats::ALL)
}

/// [`detect`], the textual formats limited to `formats`: the same results whenever `formats`
/// holds every format whose marker is in `data`.
pub fn detect_formats(path: &str, data: &[u8], formats: Formats) -> Vec<Ciphertext> {
    let mut out = Vec::new();
    whole_file(data, &mut out);
    let runs = |f| formats.contains(f);
    if runs(Formats::PGP_ARMOUR) {
        openpgp::armoured(data, &mut out);
    }
    if runs(Formats::AGE_ARMOUR) {
        age::armoured(data, &mut out);
    }
    if runs(Formats::OPENSSL_BASE64) {
        openssl::base64(data, &mut out);
    }
    if runs(Formats::ANSIBLE_VAULT) {
        vault::find(data, &mut out);
    }
    if let Some(sops) = runs(Formats::SOPS).then(|| sops::find(data)).flatten() {
        // The armoured data keys in the metadata belong to the sops file.
        out.retain(|c| !matches!(c.kind, CiphertextKind::Age | CiphertextKind::OpenpgpMessage));
        out.push(sops);
    }
    if runs(Formats::JWE) {
        jwe::find(data, &mut out);
    }
    if out.is_empty() && binary::encrypted(path, data) {
        out.push(found(CiphertextKind::EncryptedBinary, 0, Vec::new()));
    }
    out.sort_by_key(|c| c.offset);
    out
}

/// Binary formats that are the whole file, by their magic at offset 0: the first that matches.
fn whole_file(data: &[u8], out: &mut Vec<Ciphertext>) {
    let first = age::binary(data)
        .or_else(|| openssl::binary(data))
        .or_else(|| openpgp::binary(data));
    out.extend(first);
}

fn found(kind: CiphertextKind, offset: usize, recipients: Vec<String>) -> Ciphertext {
    Ciphertext {
        kind,
        offset,
        recipients,
    }
}

#[cfg(test)]
mod tests;
