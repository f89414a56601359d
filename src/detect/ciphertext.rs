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

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD_NO_PAD, URL_SAFE_NO_PAD};
use memchr::memmem;

pub use crate::model::ciphertext::CiphertextKind;

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
/// Bytes looked at for the randomness test.
const ENTROPY_WINDOW: usize = 4096;
/// Entropy (bits/byte) required of a full [`ENTROPY_WINDOW`].
const ENTROPY_THRESHOLD: f64 = 7.5;
/// Smallest file judged by randomness.
const MIN_RANDOM_LEN: usize = 64;
/// ESK packets read per message at most.
const MAX_ESK: usize = 1024;

/// Find ciphertext in `data`; `path` is only a hint for [`CiphertextKind::EncryptedBinary`].
/// Results are ordered by offset.
pub fn detect(path: &str, data: &[u8]) -> Vec<Ciphertext> {
    let mut out = Vec::new();
    whole_file_binary(data, &mut out);
    armours(data, &mut out);
    openssl_base64(data, &mut out);
    ansible_vault(data, &mut out);
    if let Some(sops) = sops(data) {
        // The armoured data keys in the metadata belong to the sops file.
        out.retain(|c| !matches!(c.kind, CiphertextKind::Age | CiphertextKind::OpenpgpMessage));
        out.push(sops);
    }
    jwe(data, &mut out);
    if out.is_empty() && encrypted_binary(path, data) {
        out.push(found(CiphertextKind::EncryptedBinary, 0, Vec::new()));
    }
    out.sort_by_key(|c| c.offset);
    out
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

fn found(kind: CiphertextKind, offset: usize, recipients: Vec<String>) -> Ciphertext {
    Ciphertext {
        kind,
        offset,
        recipients,
    }
}

// ---------------------------------------------------------------------------------------------
// Whole-file binary formats (offset 0 only).

const AGE_HEADER: &[u8] = b"age-encryption.org/v1\n";

fn whole_file_binary(data: &[u8], out: &mut Vec<Ciphertext>) {
    if let Some(rest) = data.strip_prefix(AGE_HEADER) {
        if rest.starts_with(b"-> ") {
            out.push(found(CiphertextKind::Age, 0, Vec::new()));
        }
    } else if data.starts_with(b"Salted__") && data.len() > 16 {
        // Magic, 8-byte salt, then at least one byte of ciphertext.
        out.push(found(CiphertextKind::OpensslSalted, 0, Vec::new()));
    } else if let Some(ids) = openpgp_esk(data, false) {
        out.push(found(CiphertextKind::OpenpgpMessage, 0, ids));
    }
}

// ---------------------------------------------------------------------------------------------
// OpenPGP packets.

/// Packet header at the front of `data`: (tag, header length, body length). The body length is
/// `None` for partial (new format) and indeterminate (old format) lengths.
fn packet_header(data: &[u8]) -> Option<(u8, usize, Option<usize>)> {
    let b = *data.first()?;
    if b & 0x80 == 0 {
        return None;
    }
    if b & 0x40 == 0 {
        let tag = (b >> 2) & 0x0f;
        match b & 3 {
            0 => Some((tag, 2, Some(usize::from(*data.get(1)?)))),
            1 => {
                let l = data.get(1..3)?;
                Some((tag, 3, Some(usize::from(u16::from_be_bytes([l[0], l[1]])))))
            }
            2 => {
                let l: [u8; 4] = data.get(1..5)?.try_into().ok()?;
                Some((tag, 5, usize::try_from(u32::from_be_bytes(l)).ok()))
            }
            _ => Some((tag, 1, None)),
        }
    } else {
        let tag = b & 0x3f;
        let l0 = usize::from(*data.get(1)?);
        match l0 {
            0..=191 => Some((tag, 2, Some(l0))),
            192..=223 => Some((
                tag,
                3,
                Some(((l0 - 192) << 8) + usize::from(*data.get(2)?) + 192),
            )),
            255 => {
                let l: [u8; 4] = data.get(2..6)?.try_into().ok()?;
                Some((tag, 6, usize::try_from(u32::from_be_bytes(l)).ok()))
            }
            _ => Some((tag, 2, None)),
        }
    }
}

/// Public-key algorithms that can appear in a PKESK (RSA, RSA-E, Elgamal, ECDH, EdDSA as the
/// brief lists it, X25519, X448).
fn pkesk_algo(a: u8) -> bool {
    matches!(a, 1 | 2 | 16 | 18 | 22 | 25 | 26)
}

/// Symmetric algorithms (IDEA … Camellia-256).
fn sym_algo(a: u8) -> bool {
    matches!(a, 1..=4 | 7..=13)
}

/// Recipient named by a PKESK body: `Ok(None)` for a wildcard, `Err` if the body is not a PKESK.
fn pkesk(body: &[u8]) -> Result<Option<String>, ()> {
    match body.first() {
        Some(3) => {
            let id = body.get(1..9).ok_or(())?;
            let algo = *body.get(9).ok_or(())?;
            if !pkesk_algo(algo) || body.len() < 12 {
                return Err(());
            }
            Ok((id.iter().any(|b| *b != 0)).then(|| hex::encode_upper(id)))
        }
        Some(6) => {
            let n = usize::from(*body.get(1).ok_or(())?);
            let algo = *body.get(2 + n).ok_or(())?;
            if !pkesk_algo(algo) || body.len() < 2 + n + 3 {
                return Err(());
            }
            match (n, body.get(2)) {
                (0, _) => Ok(None),
                (21, Some(4)) => Ok(body.get(3..23).map(hex::encode_upper)),
                (33, Some(6)) => Ok(body.get(3..11).map(hex::encode_upper)),
                _ => Err(()),
            }
        }
        _ => Err(()),
    }
}

fn skesk(body: &[u8]) -> bool {
    match body.first() {
        Some(4) => {
            body.len() >= 4
                && body.get(1).is_some_and(|a| sym_algo(*a))
                && body.get(2).is_some_and(|s| matches!(s, 0 | 1 | 3 | 4))
        }
        Some(5 | 6) => {
            body.len() >= 6
                && body.get(2).is_some_and(|a| sym_algo(*a))
                && body.get(3).is_some_and(|a| matches!(a, 1..=3))
        }
        _ => false,
    }
}

/// If `data` starts with ESK packets, the recipients they name. Binary (`lenient == false`)
/// also needs the encrypted-data packet after them; an armour body (whose decoding may be capped)
/// only needs one valid ESK packet.
fn openpgp_esk(data: &[u8], lenient: bool) -> Option<Vec<String>> {
    let mut ids: Vec<String> = Vec::new();
    let mut pos = 0usize;
    for n in 0..MAX_ESK {
        let rest = data.get(pos..)?;
        if rest.is_empty() {
            return (lenient && n > 0).then_some(ids);
        }
        let Some((tag, hlen, blen)) = packet_header(rest) else {
            return (lenient && n > 0).then_some(ids);
        };
        match tag {
            1 | 3 => {
                let blen = blen?;
                let body = rest.get(hlen..hlen.checked_add(blen)?)?;
                if tag == 1 {
                    if let Some(id) = pkesk(body).ok()? {
                        if !ids.contains(&id) {
                            ids.push(id);
                        }
                    }
                } else if !skesk(body) {
                    return None;
                }
                pos = pos.checked_add(hlen + blen)?;
            }
            9 | 18 | 20 if n > 0 => return Some(ids),
            _ => return (lenient && n > 0).then_some(ids),
        }
    }
    lenient.then_some(ids)
}

/// Is `data` an OpenPGP stream of something other than encrypted data (a keyring, a signature,
/// signed or compressed data)? Checks the first packet's tag and version byte.
fn openpgp_not_encrypted(data: &[u8]) -> bool {
    let Some((tag, hlen, _)) = packet_header(data) else {
        return false;
    };
    let Some(&first) = data.get(hlen) else {
        return false;
    };
    match tag {
        2 => matches!(first, 3..=6),
        4 => matches!(first, 3 | 6),
        5 | 6 | 7 | 14 => matches!(first, 3..=6),
        8 => matches!(first, 0..=3),
        11 => matches!(first, b'b' | b't' | b'u' | b'l' | b'1' | b'm'),
        _ => false,
    }
}

// ---------------------------------------------------------------------------------------------
// Text lines, base64.

/// Lines from `start`: split on newlines and on the two characters `\n` (armour inside JSON
/// strings), trimmed of spaces, tabs and carriage returns (also an escaped `\r`).
struct Lines<'a> {
    rest: &'a [u8],
}

impl<'a> Iterator for Lines<'a> {
    type Item = &'a [u8];
    fn next(&mut self) -> Option<&'a [u8]> {
        if self.rest.is_empty() {
            return None;
        }
        let mut from = 0;
        let (line, skip) = loop {
            match memchr::memchr2(b'\n', b'\\', self.rest.get(from..)?) {
                None => break (self.rest, self.rest.len()),
                Some(i) => {
                    let i = from + i;
                    if self.rest.get(i) == Some(&b'\n') {
                        break (self.rest.get(..i)?, i + 1);
                    }
                    if self.rest.get(i + 1) == Some(&b'n') {
                        break (self.rest.get(..i)?, i + 2);
                    }
                    from = i + 1;
                }
            }
        };
        self.rest = self.rest.get(skip..).unwrap_or_default();
        let line = line.strip_suffix(b"\\r").unwrap_or(line);
        Some(line.trim_ascii())
    }
}

fn lines(data: &[u8]) -> Lines<'_> {
    Lines { rest: data }
}

fn is_b64(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'+' || b == b'/'
}

/// Decode base64 text, ignoring everything from the first `=` and a trailing partial group.
fn decode_b64_prefix(text: &[u8]) -> Option<Vec<u8>> {
    let end = memchr::memchr(b'=', text).unwrap_or(text.len());
    let text = text.get(..end)?;
    let text = text.get(..text.len() - text.len() % 4)?;
    STANDARD_NO_PAD.decode(text).ok()
}

/// The base64 body of an armour block whose BEGIN line ends at `after`, up to `cap` characters:
/// header lines and blank lines are skipped, the body stops at the CRC line, the END line or
/// anything else.
fn armour_body(data: &[u8], after: usize, cap: usize) -> Vec<u8> {
    let mut body = Vec::new();
    let mut skipped = 0;
    for line in lines(data.get(after..).unwrap_or_default()) {
        let line = line.get(..cap - body.len()).unwrap_or(line);
        let b64 = !line.is_empty() && line.iter().all(|b| is_b64(*b) || *b == b'=');
        if !b64 || line.starts_with(b"=") {
            if !body.is_empty() || line.starts_with(b"-") || skipped >= 16 {
                break;
            }
            skipped += 1;
            continue;
        }
        body.extend_from_slice(line);
        if body.len() >= cap {
            break;
        }
    }
    body
}

// ---------------------------------------------------------------------------------------------
// Armour: PGP MESSAGE and AGE ENCRYPTED FILE.

fn armours(data: &[u8], out: &mut Vec<Ciphertext>) {
    const PGP: &[u8] = b"-----BEGIN PGP MESSAGE-----";
    const AGE: &[u8] = b"-----BEGIN AGE ENCRYPTED FILE-----";
    for at in memmem::find_iter(data, PGP).take(MAX_HITS) {
        let body = armour_body(data, at + PGP.len(), MAX_ARMOUR_B64);
        let Some(bytes) = decode_b64_prefix(&body) else {
            continue;
        };
        if let Some(ids) = openpgp_esk(&bytes, true) {
            out.push(found(CiphertextKind::OpenpgpMessage, at, ids));
        }
    }
    for at in memmem::find_iter(data, AGE).take(MAX_HITS) {
        let body = armour_body(data, at + AGE.len(), 64);
        let Some(bytes) = decode_b64_prefix(&body) else {
            continue;
        };
        if bytes.starts_with(b"age-encryption.org/v1") {
            out.push(found(CiphertextKind::Age, at, Vec::new()));
        }
    }
}

// ---------------------------------------------------------------------------------------------
// OpenSSL enc, base64.

fn openssl_base64(data: &[u8], out: &mut Vec<Ciphertext>) {
    for at in memmem::find_iter(data, b"U2FsdGVkX1").take(MAX_HITS) {
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
        let Some(bytes) = decode_b64_prefix(token.get(..len).unwrap_or_default()) else {
            continue;
        };
        if bytes.starts_with(b"Salted__") && bytes.len() >= 24 {
            out.push(found(CiphertextKind::OpensslSalted, at, Vec::new()));
        }
    }
}

// ---------------------------------------------------------------------------------------------
// ansible-vault.

fn ansible_vault(data: &[u8], out: &mut Vec<Ciphertext>) {
    for at in memmem::find_iter(data, b"$ANSIBLE_VAULT;").take(MAX_HITS) {
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

// ---------------------------------------------------------------------------------------------
// sops.

fn at_line_start(data: &[u8], at: usize) -> bool {
    at == 0 || data.get(at - 1) == Some(&b'\n')
}

/// Offset of the sops metadata key, in any of the formats sops writes.
fn sops_key(data: &[u8]) -> Option<usize> {
    let mut first_dotenv = None;
    for at in memmem::find_iter(data, b"sops") {
        let before = data.get(..at).unwrap_or_default();
        let after = data.get(at + 4..).unwrap_or_default();
        // YAML: `sops:` at the start of a line, ending the line (a map follows).
        if at_line_start(data, at)
            && let Some(r) = after.strip_prefix(b":")
            && r.iter()
                .find(|b| !matches!(b, b' ' | b'\t'))
                .is_none_or(|b| matches!(b, b'\n' | b'\r'))
        {
            return Some(at);
        }
        // JSON: `"sops": {`.
        if before.ends_with(b"\"")
            && let Some(r) = after.strip_prefix(b"\"")
        {
            let r = r.trim_ascii_start();
            if let Some(r) = r.strip_prefix(b":")
                && r.trim_ascii_start().starts_with(b"{")
            {
                return Some(at - 1);
            }
        }
        // dotenv: `sops_version=` at the start of a line; the metadata is every `sops_` line.
        if at_line_start(data, at) && after.starts_with(b"_") {
            let first = *first_dotenv.get_or_insert(at);
            if after.starts_with(b"_version=") {
                return Some(first);
            }
        }
        // INI: a `[sops]` section.
        if before.ends_with(b"[") && at_line_start(data, at - 1) && after.starts_with(b"]") {
            return Some(at - 1);
        }
    }
    None
}

fn sops(data: &[u8]) -> Option<Ciphertext> {
    let enc = memmem::find(data, b"ENC[AES256_GCM,data:")?;
    let key = sops_key(data)?;
    let mut recipients = Vec::new();
    let meta = data.get(key..).unwrap_or_default();
    for at in memmem::find_iter(meta, b"recipient") {
        if recipients.len() >= MAX_HITS {
            break;
        }
        let Some(v) = value_after(meta, at + 9) else {
            continue;
        };
        let len = v
            .iter()
            .take(4096)
            .take_while(|b| b.is_ascii_alphanumeric())
            .count();
        let tok = v.get(..len).unwrap_or_default().to_ascii_lowercase();
        if tok.starts_with(b"age1")
            && tok.len() >= 8
            && tok
                .iter()
                .all(|b| b"qpzry9x8gf2tvdw0s3jn54khce6mua7l1".contains(b))
            && let Ok(s) = String::from_utf8(tok)
        {
            push_unique(&mut recipients, s);
        }
    }
    for at in memmem::find_iter(meta, b"fp") {
        if recipients.len() >= MAX_HITS {
            break;
        }
        if at > 0 && meta.get(at - 1).is_some_and(|b| b.is_ascii_alphanumeric()) {
            continue;
        }
        let Some(v) = value_after(meta, at + 2) else {
            continue;
        };
        let len = v
            .iter()
            .take(41)
            .take_while(|b| b.is_ascii_hexdigit())
            .count();
        if len == 40
            && let Some(fp) = v.get(..40)
        {
            push_unique(
                &mut recipients,
                String::from_utf8_lossy(fp).to_ascii_uppercase(),
            );
        }
    }
    Some(found(CiphertextKind::Sops, enc.min(key), recipients))
}

fn push_unique(list: &mut Vec<String>, s: String) {
    if !list.contains(&s) {
        list.push(s);
    }
}

/// The value of a key ending at `end`: skips a closing quote, blanks, `:` or `=`, blanks and an
/// opening quote.
fn value_after(data: &[u8], end: usize) -> Option<&[u8]> {
    let mut r = data.get(end..)?;
    r = r.strip_prefix(b"\"").unwrap_or(r);
    r = r.trim_ascii_start();
    r = r.strip_prefix(b":").or_else(|| r.strip_prefix(b"="))?;
    let r = r.trim_ascii_start();
    Some(r.strip_prefix(b"\"").unwrap_or(r))
}

// ---------------------------------------------------------------------------------------------
// JWE compact serialisation.

fn is_b64url(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'-' || b == b'_'
}

fn jwe(data: &[u8], out: &mut Vec<Ciphertext>) {
    let finder = memmem::Finder::new(b"eyJ");
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
        let Ok(json) = URL_SAFE_NO_PAD.decode(header) else {
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

// ---------------------------------------------------------------------------------------------
// Encrypted binary by path hint and randomness.

fn encrypted_binary(path: &str, data: &[u8]) -> bool {
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
        return decode_b64_prefix(&b64).is_some_and(|d| d.len() >= 48 && looks_random(&d));
    }
    looks_random(window)
}

/// Shannon entropy of `data` in bits per byte.
fn entropy(data: &[u8]) -> f64 {
    let mut counts = [0u32; 256];
    for b in data {
        counts[usize::from(*b)] += 1;
    }
    let n = data.len() as f64;
    counts
        .iter()
        .filter(|c| **c > 0)
        .map(|c| {
            let p = f64::from(*c) / n;
            -p * p.log2()
        })
        .sum()
}

/// Expected Shannon entropy of `n` uniformly random bytes: `log2 n − E[Σ c·log2 c] / n` with each
/// byte count `c ~ Binomial(n, 1/256)`.
fn expected_random_entropy(n: usize) -> f64 {
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

/// Entropy threshold for a window of `n` bytes (see the module docs).
fn entropy_threshold(n: usize) -> f64 {
    if n >= ENTROPY_WINDOW {
        ENTROPY_THRESHOLD
    } else {
        expected_random_entropy(n) - (expected_random_entropy(ENTROPY_WINDOW) - ENTROPY_THRESHOLD)
    }
}

fn looks_random(data: &[u8]) -> bool {
    let window = data.get(..ENTROPY_WINDOW).unwrap_or(data);
    !window.is_empty() && entropy(window) >= entropy_threshold(window.len())
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::engine::general_purpose::STANDARD;
    use std::path::Path;
    use std::process::Command;

    const AGE_RECIPIENT: &str = "age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p";
    const PGP_FP: &str = "FBC7B9E2A4F9289AC0C1D4843D16CEE4A27381B4";

    /// Deterministic xorshift64* bytes.
    struct Rng(u64);
    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
        }
        fn bytes(&mut self, n: usize) -> Vec<u8> {
            (0..n).map(|_| (self.next() >> 56) as u8).collect()
        }
        fn below(&mut self, n: usize) -> usize {
            (self.next() % n.max(1) as u64) as usize
        }
    }

    /// Runs a tool; `None` (with a note) when it is not installed.
    fn run(dir: &Path, prog: &str, args: &[&str]) -> Option<std::process::Output> {
        match Command::new(prog).args(args).current_dir(dir).output() {
            Ok(out) => {
                assert!(
                    out.status.success(),
                    "{prog} {args:?} failed: {}",
                    String::from_utf8_lossy(&out.stderr)
                );
                Some(out)
            }
            Err(e) => {
                eprintln!("note: {prog} not available ({e}); skipping this part of the test");
                None
            }
        }
    }

    fn kinds(found: &[Ciphertext]) -> Vec<CiphertextKind> {
        found.iter().map(|c| c.kind.clone()).collect()
    }

    fn one(path: &str, data: &[u8], kind: CiphertextKind) -> Ciphertext {
        let found = detect(path, data);
        assert_eq!(kinds(&found), vec![kind], "{path}: {found:?}");
        found.into_iter().next().expect("one")
    }

    /// Every prefix and some mutations must be handled without panicking.
    fn no_panic_on_damage(sample: &[u8], seed: u64) {
        let step = (sample.len() / 2048).max(1);
        for end in (0..=sample.len()).step_by(step) {
            let cut = sample.get(..end).unwrap_or_default();
            let _ = detect("x.enc", cut);
            let _ = detect("x", sample.get(end..).unwrap_or_default());
        }
        let mut rng = Rng(seed | 1);
        for _ in 0..200 {
            let mut m = sample.to_vec();
            for _ in 0..1 + rng.below(4) {
                let i = rng.below(m.len());
                if let Some(b) = m.get_mut(i) {
                    *b = (rng.next() >> 56) as u8;
                }
            }
            let _ = detect("x.gpg", &m);
        }
    }

    #[test]
    fn age_binary_and_armoured() {
        let dir = tempfile::tempdir().expect("tempdir");
        let d = dir.path();
        let Some(_) = run(d, "age-keygen", &["-o", "key.txt"]) else {
            return;
        };
        let out = run(d, "age-keygen", &["-y", "key.txt"]).expect("age-keygen -y");
        let recipient = String::from_utf8(out.stdout).expect("utf8");
        let recipient = recipient.trim();
        std::fs::write(d.join("plain"), b"attack at dawn\n").expect("write");
        let Some(_) = run(d, "age", &["-r", recipient, "-o", "bin.age", "plain"]) else {
            return;
        };
        run(d, "age", &["-a", "-r", recipient, "-o", "arm.age", "plain"]).expect("age -a");
        let bin = std::fs::read(d.join("bin.age")).expect("read");
        let c = one("secret.age", &bin, CiphertextKind::Age);
        assert_eq!((c.offset, c.recipients.len()), (0, 0));
        // Also named .enc: recognised by content, not reported twice.
        one("secret.enc", &bin, CiphertextKind::Age);

        let arm = std::fs::read(d.join("arm.age")).expect("read");
        let mut doc = b"notes:\n".to_vec();
        doc.extend_from_slice(&arm);
        let c = one("notes.txt", &doc, CiphertextKind::Age);
        assert_eq!(c.offset, 7);
        no_panic_on_damage(&bin, 1);
        no_panic_on_damage(&doc, 2);
    }

    #[test]
    fn openpgp_messages_from_gpg() {
        let dir = tempfile::tempdir().expect("tempdir");
        let home = dir.path().join("gnupg");
        std::fs::create_dir(&home).expect("mkdir");
        let h = home.to_str().expect("utf8 path");
        let d = dir.path();
        let gpg = |args: &[&str]| {
            let mut all = vec!["--homedir", h, "--batch", "--yes", "--quiet"];
            all.extend_from_slice(args);
            run(d, "gpg", &all)
        };
        let gen1 = [
            "--passphrase",
            "",
            "--quick-gen-key",
            "Alice <alice@example.com>",
        ];
        let Some(_) = gpg(&[&gen1[..], &["future-default", "default", "never"]].concat()) else {
            return;
        };
        let gen2 = [
            "--passphrase",
            "",
            "--quick-gen-key",
            "Bob <bob@example.com>",
        ];
        gpg(&[&gen2[..], &["rsa2048", "encr", "never"]].concat()).expect("gpg gen rsa");
        let listing = gpg(&["--list-keys", "--with-colons"]).expect("list");
        // Encryption-capable (sub)keys: field 12 has a lowercase `e`.
        let mut expected: Vec<String> = String::from_utf8_lossy(&listing.stdout)
            .lines()
            .map(|l| l.split(':').collect::<Vec<_>>())
            .filter(|f| matches!(f.first(), Some(&"pub" | &"sub")))
            .filter(|f| f.get(11).is_some_and(|c| c.contains('e')))
            .filter_map(|f| f.get(4).map(|s| s.to_string()))
            .collect();
        expected.sort();
        assert_eq!(expected.len(), 2, "{expected:?}");
        std::fs::write(d.join("plain"), b"attack at dawn\n").expect("write");
        let to = [
            "--trust-model",
            "always",
            "-r",
            "alice@example.com",
            "-r",
            "bob@example.com",
        ];
        gpg(&[&to[..], &["-e", "-o", "msg.gpg", "plain"]].concat()).expect("encrypt");
        gpg(&[&to[..], &["-a", "-e", "-o", "msg.asc", "plain"]].concat()).expect("encrypt -a");
        let sym = ["--pinentry-mode", "loopback", "--passphrase", "x", "-c"];
        gpg(&[&sym[..], &["-o", "sym.gpg", "plain"]].concat()).expect("symmetric");
        gpg(&[&sym[..], &["-a", "-o", "sym.asc", "plain"]].concat()).expect("symmetric -a");
        gpg(&[
            "-a",
            "-u",
            "alice@example.com",
            "-s",
            "-o",
            "signed.asc",
            "plain",
        ])
        .expect("sign");
        gpg(&["-a", "--export", "-o", "pub.asc"]).expect("export -a");
        gpg(&["--export", "-o", "pubring.gpg"]).expect("export");
        let _ = Command::new("gpgconf")
            .args(["--homedir", h, "--kill", "gpg-agent"])
            .output();
        let read = |f: &str| std::fs::read(d.join(f)).expect("read");

        for (file, path) in [("msg.gpg", "backup.tar.gpg"), ("msg.asc", "msg.txt")] {
            let data = read(file);
            let mut c = one(path, &data, CiphertextKind::OpenpgpMessage);
            assert_eq!(c.offset, 0);
            c.recipients.sort();
            assert_eq!(c.recipients, expected, "{file}");
            no_panic_on_damage(&data, 3);
        }
        for file in ["sym.gpg", "sym.asc"] {
            let c = one(file, &read(file), CiphertextKind::OpenpgpMessage);
            assert!(c.recipients.is_empty(), "{file}: {c:?}");
        }
        // Signed-only messages, public keys and keyrings are not ciphertext.
        for (file, path) in [
            ("signed.asc", "signed.asc"),
            ("pub.asc", "pub.asc"),
            ("pubring.gpg", "pubring.gpg"),
        ] {
            assert_eq!(detect(path, &read(file)), vec![], "{file}");
        }
    }

    #[test]
    fn openpgp_hand_made_packets() {
        // New-format PKESK v3 (RSA) then a partial-length SEIPD packet.
        let mut msg = vec![
            0xc1, 13, 3, 0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef, 1, 0, 8, 0xff,
        ];
        msg.extend_from_slice(&[0xd2, 0xe5, 1, 2, 3, 4]);
        let c = one("m", &msg, CiphertextKind::OpenpgpMessage);
        assert_eq!(c.recipients, vec!["0123456789ABCDEF".to_string()]);
        // Wildcard key id: still a message, recipient unknown.
        let mut anon = msg.clone();
        anon[3..11].fill(0);
        assert!(
            one("m", &anon, CiphertextKind::OpenpgpMessage)
                .recipients
                .is_empty()
        );
        // Unknown algorithm, wrong version, no data packet, oversized length: not a message.
        for (i, v) in [(11, 99u8), (2, 4), (15, 0xcb), (1, 200)] {
            let mut bad = msg.clone();
            bad[i] = v;
            assert_eq!(detect("m", &bad), vec![], "byte {i} = {v}");
        }
        // v6 PKESK naming a v4 fingerprint.
        let mut v6 = vec![0xc1, 27, 6, 21, 4];
        v6.extend_from_slice(&hex::decode(PGP_FP).expect("hex"));
        v6.extend_from_slice(&[25, 1, 2, 3]);
        v6.extend_from_slice(&[0xd2, 0x03, 2, 9, 9]);
        let c = one("m", &v6, CiphertextKind::OpenpgpMessage);
        assert_eq!(c.recipients, vec![PGP_FP.to_string()]);
    }

    #[test]
    fn openssl_enc_binary_and_base64() {
        let dir = tempfile::tempdir().expect("tempdir");
        let d = dir.path();
        std::fs::write(d.join("plain"), b"attack at dawn\n").expect("write");
        let args = ["enc", "-aes-256-cbc", "-pbkdf2", "-salt", "-pass", "pass:x"];
        let Some(_) = run(
            d,
            "openssl",
            &[&args[..], &["-in", "plain", "-out", "bin"]].concat(),
        ) else {
            return;
        };
        run(
            d,
            "openssl",
            &[&args[..], &["-a", "-in", "plain", "-out", "b64"]].concat(),
        )
        .expect("openssl -a");
        let bin = std::fs::read(d.join("bin")).expect("read");
        // Named .enc: content wins, reported once.
        assert_eq!(one("x.enc", &bin, CiphertextKind::OpensslSalted).offset, 0);
        let b64 = std::fs::read(d.join("b64")).expect("read");
        assert_eq!(one("x.txt", &b64, CiphertextKind::OpensslSalted).offset, 0);
        let value = String::from_utf8(b64.clone()).expect("utf8");
        let yaml = format!(
            "db:\n  password: {}\n  quoted: \"{}\"\n",
            value.trim(),
            value.trim()
        );
        let found = detect("config.yml", yaml.as_bytes());
        assert_eq!(kinds(&found), vec![CiphertextKind::OpensslSalted; 2]);
        assert_eq!(found[0].offset, yaml.find("U2Fs").expect("in"));
        no_panic_on_damage(&bin, 4);
        no_panic_on_damage(yaml.as_bytes(), 5);
    }

    fn vault_body(rng: &mut Rng) -> String {
        let hex = hex::encode(rng.bytes(200));
        let hex = hex::encode(hex.as_bytes()); // vault bodies are hex of hex-ish text
        hex.as_bytes()
            .chunks(80)
            .map(|c| String::from_utf8_lossy(c).into_owned())
            .collect::<Vec<_>>()
            .join("\n")
    }

    #[test]
    fn ansible_vault_files_and_inline_values() {
        let mut rng = Rng(7);
        let file = format!("$ANSIBLE_VAULT;1.1;AES256\n{}\n", vault_body(&mut rng));
        assert_eq!(
            one("vault.yml", file.as_bytes(), CiphertextKind::AnsibleVault).offset,
            0
        );
        let body: String = vault_body(&mut rng)
            .lines()
            .map(|l| format!("          {l}\n"))
            .collect();
        let yaml = format!(
            "db_user: app\ndb_password: !vault |\n          $ANSIBLE_VAULT;1.2;AES256;prod\n{body}other: 1\n"
        );
        let c = one(
            "group_vars/all.yml",
            yaml.as_bytes(),
            CiphertextKind::AnsibleVault,
        );
        assert_eq!(c.offset, yaml.find('$').expect("$"));
        // Header quoted in prose, bad version, missing label.
        for doc in [
            "Vault files start with `$ANSIBLE_VAULT;1.1;AES256` and then\nhex lines follow.\n",
            "$ANSIBLE_VAULT;2.0;AES256\n616263646566616263646566616263646566\n",
            "$ANSIBLE_VAULT;1.2;AES256;\n616263646566616263646566616263646566\n",
        ] {
            assert_eq!(detect("README.md", doc.as_bytes()), vec![], "{doc}");
        }
        no_panic_on_damage(yaml.as_bytes(), 6);
    }

    fn enc(rng: &mut Rng, n: usize) -> String {
        format!(
            "ENC[AES256_GCM,data:{},iv:{},tag:{},type:str]",
            STANDARD.encode(rng.bytes(n)),
            STANDARD.encode(rng.bytes(32)),
            STANDARD.encode(rng.bytes(16))
        )
    }

    fn age_armour(rng: &mut Rng, indent: &str, nl: &str) -> String {
        let mut raw = b"age-encryption.org/v1\n-> X25519 ".to_vec();
        raw.extend_from_slice(rng.bytes(120).as_slice());
        let b64 = STANDARD.encode(raw);
        let mut s = format!("{indent}-----BEGIN AGE ENCRYPTED FILE-----{nl}");
        for c in b64.as_bytes().chunks(64) {
            s += &format!("{indent}{}{nl}", String::from_utf8_lossy(c));
        }
        s + &format!("{indent}-----END AGE ENCRYPTED FILE-----{nl}")
    }

    fn pgp_armour(indent: &str, nl: &str) -> String {
        let mut pkt = vec![
            0x85, 0x01, 0x0c, 3, 0x3D, 0x16, 0xCE, 0xE4, 0xA2, 0x73, 0x81, 0xB4, 1,
        ];
        pkt.extend_from_slice(&[0x08, 0x00]);
        pkt.extend(std::iter::repeat_n(0x5a, 256));
        pkt.extend_from_slice(&[0xd2, 0x05, 1, 2, 3, 4, 5]);
        let b64 = STANDARD.encode(pkt);
        let mut s = format!("{indent}-----BEGIN PGP MESSAGE-----{nl}{nl}");
        for c in b64.as_bytes().chunks(64) {
            s += &format!("{indent}{}{nl}", String::from_utf8_lossy(c));
        }
        s + &format!("{indent}=abcd{nl}{indent}-----END PGP MESSAGE-----{nl}")
    }

    fn sops_samples() -> Vec<(&'static str, String)> {
        let mut rng = Rng(11);
        let yaml = format!(
            "database:\n    user: {}\n    password: {}\nsops:\n    kms: []\n    age:\n        - recipient: {AGE_RECIPIENT}\n          enc: |\n{}    lastmodified: \"2024-05-01T10:00:00Z\"\n    mac: {}\n    pgp:\n        - created_at: \"2024-05-01T10:00:00Z\"\n          enc: |-\n{}          fp: {}\n    unencrypted_suffix: _unencrypted\n    version: 3.8.1\n",
            enc(&mut rng, 5),
            enc(&mut rng, 20),
            age_armour(&mut rng, "            ", "\n"),
            enc(&mut rng, 32),
            pgp_armour("            ", "\n"),
            PGP_FP.to_ascii_lowercase(),
        );
        let json = format!(
            "{{\n\t\"password\": \"{}\",\n\t\"sops\": {{\n\t\t\"kms\": null,\n\t\t\"age\": [\n\t\t\t{{\n\t\t\t\t\"recipient\": \"{AGE_RECIPIENT}\",\n\t\t\t\t\"enc\": \"{}\"\n\t\t\t}}\n\t\t],\n\t\t\"pgp\": [\n\t\t\t{{\n\t\t\t\t\"created_at\": \"2024-05-01T10:00:00Z\",\n\t\t\t\t\"enc\": \"{}\",\n\t\t\t\t\"fp\": \"{PGP_FP}\"\n\t\t\t}}\n\t\t],\n\t\t\"version\": \"3.8.1\"\n\t}}\n}}\n",
            enc(&mut rng, 20),
            age_armour(&mut rng, "", "\\n"),
            pgp_armour("", "\\n"),
        );
        let env = format!(
            "DB_PASSWORD={}\nAPI_TOKEN={}\nsops_age__list_0__map_enc={}\nsops_age__list_0__map_recipient={AGE_RECIPIENT}\nsops_pgp__list_0__map_fp={PGP_FP}\nsops_lastmodified=2024-05-01T10:00:00Z\nsops_mac={}\nsops_version=3.8.1\n",
            enc(&mut rng, 20),
            enc(&mut rng, 40),
            age_armour(&mut rng, "", "\\n"),
            enc(&mut rng, 32),
        );
        let ini = format!(
            "[database]\npassword = {}\n\n[sops]\nage__list_0__map_recipient = {AGE_RECIPIENT}\npgp__list_0__map_fp = {PGP_FP}\nversion = 3.8.1\n",
            enc(&mut rng, 20),
        );
        vec![
            ("secrets.enc.yaml", yaml),
            ("secrets.json", json),
            ("prod.env", env),
            ("app.ini", ini),
        ]
    }

    #[test]
    fn sops_files_with_recipients() {
        for (path, text) in sops_samples() {
            let c = one(path, text.as_bytes(), CiphertextKind::Sops);
            let first_enc = text.find("ENC[").expect("ENC");
            let key = ["sops:", "\"sops\"", "sops_", "[sops]"]
                .iter()
                .filter_map(|k| text.find(k))
                .min()
                .expect("key");
            assert_eq!(c.offset, first_enc.min(key), "{path}");
            assert_eq!(
                c.recipients,
                vec![AGE_RECIPIENT.to_string(), PGP_FP.to_string()],
                "{path}"
            );
            no_panic_on_damage(text.as_bytes(), 8);
        }
        // ENC[ values without sops metadata, metadata without ENC[ values.
        let mut rng = Rng(3);
        let no_meta = format!("password: {}\n", enc(&mut rng, 10));
        assert_eq!(detect("a.yaml", no_meta.as_bytes()), vec![]);
        let no_enc = "sops:\n    version: 3.8.1\n";
        assert_eq!(detect("a.yaml", no_enc.as_bytes()), vec![]);
        // The armoured data keys alone are ciphertext (JSON-escaped armour too).
        let arm = pgp_armour("", "\\n");
        let c = one(
            "x.json",
            format!("{{\"k\": \"{arm}\"}}").as_bytes(),
            CiphertextKind::OpenpgpMessage,
        );
        assert_eq!(c.recipients, vec!["3D16CEE4A27381B4".to_string()]);
    }

    fn b64url(data: &[u8]) -> String {
        URL_SAFE_NO_PAD.encode(data)
    }

    #[test]
    fn jwe_compact_tokens() {
        let mut rng = Rng(5);
        let header = b64url(br#"{"alg":"RSA-OAEP","enc":"A256GCM"}"#);
        let token = format!(
            "{header}.{}.{}.{}.{}",
            b64url(&rng.bytes(256)),
            b64url(&rng.bytes(12)),
            b64url(&rng.bytes(100)),
            b64url(&rng.bytes(16))
        );
        let json = format!("{{\"id\": 1, \"token\": \"{token}\"}}");
        let c = one("resp.json", json.as_bytes(), CiphertextKind::Jwe);
        assert_eq!(c.offset, json.find("eyJ").expect("eyJ"));
        // `dir` has an empty encrypted key.
        let dir_hdr = b64url(br#"{"alg":"dir","enc":"A128CBC-HS256","kid":"k1"}"#);
        let dir = format!(
            "{dir_hdr}..{}.{}.{}",
            b64url(&rng.bytes(16)),
            b64url(&rng.bytes(48)),
            b64url(&rng.bytes(16))
        );
        one("t.txt", dir.as_bytes(), CiphertextKind::Jwe);
        // A JWS/JWT (three parts), a header without `enc`, five parts inside a longer token.
        let jws_hdr = b64url(br#"{"alg":"HS256","typ":"JWT"}"#);
        let jws = format!(
            "Authorization: Bearer {jws_hdr}.{}.{}\n",
            b64url(br#"{"sub":"1"}"#),
            b64url(&rng.bytes(32))
        );
        assert_eq!(detect("log.txt", jws.as_bytes()), vec![]);
        let no_enc = format!("{jws_hdr}.a.b.c.d");
        assert_eq!(detect("t.txt", no_enc.as_bytes()), vec![]);
        let inner = format!("x{token}");
        assert_eq!(detect("t.txt", inner.as_bytes()), vec![]);
        no_panic_on_damage(json.as_bytes(), 9);
    }

    #[test]
    fn encrypted_binary_by_name_and_randomness() {
        let mut rng = Rng(13);
        let random = rng.bytes(3000);
        assert_eq!(
            one("data/blob.enc", &random, CiphertextKind::EncryptedBinary).offset,
            0
        );
        one("BLOB.ENCRYPTED", &random, CiphertextKind::EncryptedBinary);
        one("x.gpg", &random, CiphertextKind::EncryptedBinary);
        assert_eq!(detect("data/blob.bin", &random), vec![], "no path hint");
        assert_eq!(detect("data/blob.enc", &random[..63]), vec![], "too short");
        // Small files are judged against what random data of that size looks like.
        for n in [64, 100, 256, 1000, 5000] {
            for seed in 0..50 {
                let data = Rng(1000 + seed).bytes(n);
                one("k.enc", &data, CiphertextKind::EncryptedBinary);
            }
        }
        // Text encodings of random data.
        let b64 = STANDARD
            .encode(rng.bytes(600))
            .as_bytes()
            .chunks(76)
            .map(|c| String::from_utf8_lossy(c).into_owned())
            .collect::<Vec<_>>()
            .join("\n");
        one(
            "secret.enc",
            b64.as_bytes(),
            CiphertextKind::EncryptedBinary,
        );
        one(
            "secret.enc",
            hex::encode(rng.bytes(200)).as_bytes(),
            CiphertextKind::EncryptedBinary,
        );
        // Low-entropy text, structured binary, hex of text.
        let text = "# settings\nname = demo\nmode = production\nretries = 3\n".repeat(10);
        assert_eq!(detect("settings.enc", text.as_bytes()), vec![]);
        let counter: Vec<u8> = (0..2000u32).flat_map(|i| i.to_le_bytes()).collect();
        assert_eq!(detect("c.enc", &counter), vec![]);
        assert_eq!(
            detect("t.enc", hex::encode(text.as_bytes()).as_bytes()),
            vec![]
        );
        let b64_text = STANDARD.encode(text.as_bytes());
        assert_eq!(detect("t.enc", b64_text.as_bytes()), vec![]);
        // An OpenPGP keyring with random-looking key material is not ciphertext.
        let mut ring = vec![0x99, 0x01, 0x0d, 4];
        ring.extend_from_slice(&rng.bytes(400));
        assert_eq!(detect("pubring.gpg", &ring), vec![]);
        let armoured = format!(
            "-----BEGIN PGP PUBLIC KEY BLOCK-----\n\n{}\n=abcd\n-----END PGP PUBLIC KEY BLOCK-----\n",
            STANDARD.encode(&ring)
        );
        assert_eq!(detect("key.gpg", armoured.as_bytes()), vec![]);
        // AES Crypt header.
        let mut aes = b"AES\x02\x00\x00\x18CREATED_BY\x00aescrypt 3.10".to_vec();
        aes.extend_from_slice(&[0u8; 128]);
        one("photo.jpg.aes", &aes, CiphertextKind::EncryptedBinary);
    }

    #[test]
    fn entropy_threshold_is_documented_value() {
        assert!((entropy_threshold(4096) - 7.5).abs() < 1e-9);
        assert!((expected_random_entropy(4096) - 7.955).abs() < 0.005);
        let t64 = entropy_threshold(64);
        assert!((5.2..5.4).contains(&t64), "{t64}");
        assert!(entropy_threshold(1000) < 7.5);
    }

    #[test]
    fn mentions_and_other_armour_are_not_ciphertext() {
        let md = "# Encryption\n\nOpenSSL writes `Salted__` then an 8-byte salt; in base64 that is \
                  U2FsdGVkX1 followed by more. age files begin with age-encryption.org/v1 and \
                  vaults with $ANSIBLE_VAULT;1.1;AES256 then hex.\n\n```\n-----BEGIN PGP MESSAGE-----\n\n...\n-----END PGP MESSAGE-----\n-----BEGIN AGE ENCRYPTED FILE-----\n...\n```\nSalted__ at a line start is still text.\n";
        assert_eq!(detect("docs/crypto.md", md.as_bytes()), vec![]);
        let mut key = vec![0x99, 0x00, 0x33, 4, 0, 0, 0, 0, 22, 9];
        key.extend_from_slice(&[0x2b; 40]);
        let block = format!(
            "-----BEGIN PGP PUBLIC KEY BLOCK-----\n\n{}\n-----END PGP PUBLIC KEY BLOCK-----\n",
            STANDARD.encode(&key)
        );
        assert_eq!(detect("key.asc", block.as_bytes()), vec![]);
        // A PGP MESSAGE that is signed (one-pass signature packet), not encrypted.
        let signed = [0x90, 0x0d, 3, 0, 8, 22, 1, 2, 3, 4, 5, 6, 7, 8, 1];
        let block = format!(
            "-----BEGIN PGP MESSAGE-----\n\n{}\n-----END PGP MESSAGE-----\n",
            STANDARD.encode(signed)
        );
        assert_eq!(detect("signed.asc", block.as_bytes()), vec![]);
    }

    #[test]
    fn serialises_kebab_case() {
        let c = Ciphertext {
            kind: CiphertextKind::OpenpgpMessage,
            offset: 3,
            recipients: vec!["0123456789ABCDEF".into()],
        };
        let json = serde_json::to_string(&c).expect("json");
        assert_eq!(
            json,
            r#"{"kind":"openpgp-message","offset":3,"recipients":["0123456789ABCDEF"]}"#
        );
        assert_eq!(serde_json::from_str::<Ciphertext>(&json).expect("back"), c);
        let k = serde_json::to_string(&CiphertextKind::EncryptedBinary).expect("json");
        assert_eq!(k, "\"encrypted-binary\"");
    }

    #[test]
    fn random_and_damaged_input_never_panics() {
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
        let markers: [&[u8]; 12] = [
            b"-----BEGIN PGP MESSAGE-----\n",
            b"-----BEGIN AGE ENCRYPTED FILE-----\n",
            b"$ANSIBLE_VAULT;1.1;AES256\n",
            b"ENC[AES256_GCM,data:",
            b"\nsops:\n",
            b"recipient: age1",
            b"fp: ",
            b"U2FsdGVkX1",
            b"eyJ",
            b".",
            b"\\n",
            b"\n",
        ];
        for i in 0..4000 {
            let n = rng.below(1500);
            let mut buf = rng.bytes(n);
            for _ in 0..rng.below(6) {
                let m = markers[rng.below(markers.len())];
                let at = rng.below(buf.len() + 1);
                buf.splice(at..at, m.iter().copied());
            }
            if i % 3 == 0 {
                // Mostly base64 text, to reach the decoders.
                buf = buf
                    .iter()
                    .map(|b| {
                        b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=.\n"
                            [usize::from(*b) % 66]
                    })
                    .collect();
            }
            let path = ["x.enc", "x.gpg", "x.aes", "x", "a/b.encrypted"][i % 5];
            for c in detect(path, &buf) {
                assert!(c.offset <= buf.len());
            }
        }
        // Binary starts with each packet tag, with random continuations.
        for first in 0x80..=0xffu8 {
            for _ in 0..20 {
                let mut buf = vec![first];
                let n = rng.below(40);
                buf.extend_from_slice(&rng.bytes(n));
                let _ = detect("x.gpg", &buf);
            }
        }
        for (_, text) in sops_samples() {
            no_panic_on_damage(text.as_bytes(), 10);
        }
    }
}
