//! sops: `ENC[AES256_GCM,data:` values together with sops metadata in any of the formats sops
//! writes (YAML, JSON, dotenv, INI); the recipients are the metadata's age and PGP entries.

use super::{Ciphertext, CiphertextKind, MAX_HITS, found};
use memchr::memmem;

/// How every encrypted value starts; a sops file has at least one, so this is the format's
/// marker, and the metadata keys (`sops:`, `"sops"`, `sops_`, `[sops]`) are looked for only after.
pub(super) const ENC: &[u8] = b"ENC[AES256_GCM,data:";

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

/// The sops file, if `data` holds both encrypted values and sops metadata: one result, at the
/// first of the two, with the metadata's recipients.
pub(super) fn find(data: &[u8]) -> Option<Ciphertext> {
    let enc = memmem::find(data, ENC)?;
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
