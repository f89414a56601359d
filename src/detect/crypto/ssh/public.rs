//! SSH public keys as text: RFC 4716 blocks, OpenSSH one-line keys (`.pub`, `authorized_keys`
//! with options, `known_hosts`, anywhere in text) and OpenSSH certificates. Apart from the
//! private-key formats in the parent module: these are line grammars, not key containers.

use super::{Wire, clean_comment, lines_from, set_key_data};
use crate::detect::crypto::{CertInfo, CryptoInfo, Found, Kind};
use crate::detect::encoding::{decode_std_lenient, is_b64_char};
use crate::time::rfc3339;
use memchr::memmem;
use sha2::{Digest, Sha256};
use ssh_key::{Certificate, HashAlg, PublicKey};
use std::ops::Range;

/// RFC 4716 (`---- BEGIN SSH2 PUBLIC KEY ----`) public keys.
pub(crate) fn scan_rfc4716(data: &[u8], out: &mut Vec<Found>) {
    let finder = memmem::Finder::new(b"---- BEGIN SSH2 PUBLIC KEY ----");
    let mut pos = 0;
    while let Some(i) = data.get(pos..).and_then(|d| finder.find(d)) {
        let start = pos + i;
        pos = start + 1;
        let mut comment = None;
        let mut b64 = String::new();
        let mut end = None;
        let mut continued = false;
        for (range, line) in lines_from(data, start).skip(1) {
            let line = String::from_utf8_lossy(line);
            let line = line.trim();
            if line.starts_with("---- END SSH2 PUBLIC KEY ----") {
                end = Some(range.end);
                break;
            }
            if continued {
                continued = line.ends_with('\\');
                continue;
            }
            if let Some((k, v)) = line.split_once(':') {
                continued = v.ends_with('\\');
                if k.trim().eq_ignore_ascii_case("Comment") {
                    comment = clean_comment(v.trim().trim_matches('"'));
                }
                continue;
            }
            // Another BEGIN, or more than any key needs: this block has no END.
            if line.starts_with("---- BEGIN") || b64.len() > 64 * 1024 {
                break;
            }
            b64.push_str(line);
        }
        let Some(end) = end else { continue };
        pos = end;
        let info = match decode_std_lenient(&b64).and_then(|b| PublicKey::from_bytes(&b).ok()) {
            Some(k) => {
                let mut info = CryptoInfo::new(Kind::PublicKey, "rfc4716");
                set_key_data(&mut info, k.key_data());
                info.comment = comment;
                info
            }
            None => CryptoInfo::unparseable("rfc4716", "SSH2 public key does not parse"),
        };
        let mut info = info;
        info.encoding = "text".into();
        out.push(Found {
            span: start..end,
            info,
        });
    }
}

/// Key types of the one-line OpenSSH public-key form.
const KEY_TYPES: &[&str] = &[
    "ssh-rsa",
    "ssh-dss",
    "ssh-ed25519",
    "ssh-ed448",
    "ecdsa-sha2-nistp256",
    "ecdsa-sha2-nistp384",
    "ecdsa-sha2-nistp521",
    "sk-ssh-ed25519@openssh.com",
    "sk-ecdsa-sha2-nistp256@openssh.com",
];
const CERT_SUFFIX: &str = "-cert-v01@openssh.com";

fn known_type(t: &str) -> bool {
    // Certificate types drop the key type's own "@openssh.com" (sk-ssh-ed25519-cert-v01@...).
    let base = t.strip_suffix(CERT_SUFFIX).unwrap_or(t);
    KEY_TYPES.contains(&t)
        || KEY_TYPES.contains(&base)
        || KEY_TYPES
            .iter()
            .any(|k| k.strip_suffix("@openssh.com") == Some(base))
}

/// `authorized_keys` option names (sshd(8)).
const AUTHORIZED_KEYS_OPTIONS: &[&str] = &[
    "agent-forwarding",
    "cert-authority",
    "command=",
    "environment=",
    "expiry-time=",
    "from=",
    "no-agent-forwarding",
    "no-port-forwarding",
    "no-pty",
    "no-user-rc",
    "no-x11-forwarding",
    "no-touch-required",
    "permitlisten=",
    "permitopen=",
    "port-forwarding",
    "principals=",
    "pty",
    "restrict",
    "tunnel=",
    "user-rc",
    "verify-required",
    "x11-forwarding",
];

fn token_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'@' | b'.' | b'/')
}

/// One-line public keys anywhere in text, with what precedes them on the line telling apart
/// `authorized_keys` (options), `known_hosts` (host patterns) and plain public keys.
pub(crate) fn scan_public_lines(
    path: &str,
    data: &[u8],
    skip: &[Range<usize>],
    out: &mut Vec<Found>,
) {
    let name = path.rsplit('/').next().unwrap_or(path);
    let file_kind = if name.starts_with("authorized_keys") {
        Some("authorized_keys")
    } else if name.contains("known_hosts") {
        Some("known_hosts")
    } else {
        None
    };
    let mut hits: Vec<usize> = Vec::new();
    for needle in [&b"ssh-"[..], b"ecdsa-sha2-", b"sk-ssh-", b"sk-ecdsa-"] {
        hits.extend(memmem::find_iter(data, needle));
    }
    hits.sort_unstable();
    hits.dedup();
    let mut done_until = 0;
    for start in hits {
        if start < done_until || skip.iter().any(|s| s.contains(&start)) {
            continue;
        }
        if start > 0 && data.get(start - 1).is_some_and(|b| token_char(*b)) {
            continue;
        }
        let Some(found) = parse_public_line(data, start, file_kind) else {
            continue;
        };
        done_until = found.span.end;
        out.push(found);
    }
}

fn parse_public_line(data: &[u8], start: usize, file_kind: Option<&'static str>) -> Option<Found> {
    let rest = data.get(start..)?;
    let tlen = rest.iter().take(64).take_while(|b| token_char(**b)).count();
    let key_type = std::str::from_utf8(rest.get(..tlen)?).ok()?;
    if !known_type(key_type) {
        return None;
    }
    let after = rest.get(tlen..)?;
    let ws = after
        .iter()
        .take_while(|b| **b == b' ' || **b == b'\t')
        .count();
    if ws == 0 {
        return None;
    }
    let blob_start = tlen + ws;
    // 60: the shortest blob (Ed25519); 64 KiB: far above the largest (16384-bit RSA, certs).
    let blen = rest
        .get(blob_start..)?
        .iter()
        .take(64 * 1024 + 1)
        .take_while(|b| is_b64_char(**b))
        .count();
    if !(60..=64 * 1024).contains(&blen) {
        return None;
    }
    let blob_b64 = std::str::from_utf8(rest.get(blob_start..blob_start + blen)?).ok()?;
    let blob = decode_std_lenient(blob_b64)?;
    // The blob names its own type; it must agree with the text.
    let inner = Wire(&blob).string()?;
    if inner != key_type.as_bytes() {
        return None;
    }
    let blob_end = start + blob_start + blen;
    let line_start = data
        .get(..start)
        .and_then(|d| memchr::memrchr(b'\n', d))
        .map_or(0, |p| p + 1);
    let prefix = String::from_utf8_lossy(data.get(line_start..start)?).to_string();
    let comment = comment_after(data, blob_end, &prefix);
    let mut info = if key_type.ends_with(CERT_SUFFIX) {
        let cert = Certificate::from_bytes(&blob).ok()?;
        ssh_certificate(&cert, &blob)
    } else {
        let key = PublicKey::from_bytes(&blob).ok()?;
        let mut info = CryptoInfo::new(Kind::PublicKey, "ssh-public");
        set_key_data(&mut info, key.key_data());
        info
    };
    info.encoding = "text".into();
    info.comment = comment;
    if info.kind == Kind::PublicKey {
        let (format, options) = line_context(prefix.trim(), file_kind);
        info.format = format.into();
        info.ssh_options = options;
    }
    Some(Found {
        span: start..blob_end,
        info,
    })
}

/// The comment after the key, stopping where an enclosing string literal ends.
fn comment_after(data: &[u8], blob_end: usize, prefix: &str) -> Option<String> {
    let rest = data.get(blob_end..)?;
    if !matches!(rest.first(), Some(b' ' | b'\t')) {
        return None;
    }
    let line_len = memchr::memchr(b'\n', rest).unwrap_or(rest.len()).min(512);
    let mut line = String::from_utf8_lossy(rest.get(..line_len)?).to_string();
    if let Some(q) = prefix
        .chars()
        .rev()
        .find(|c| !c.is_whitespace())
        .filter(|c| matches!(c, '"' | '\'' | '`'))
        && let Some(p) = line.find(q)
    {
        line.truncate(p);
    }
    if let Some(p) = line.find("\\n") {
        line.truncate(p);
    }
    clean_comment(line.trim_end_matches('\r'))
}

/// `(format, options)` from what precedes the key type on its line.
fn line_context(prefix: &str, file_kind: Option<&'static str>) -> (&'static str, Option<String>) {
    let options = if prefix.is_empty() {
        None
    } else {
        Some(prefix.to_string())
    };
    if let Some(k) = file_kind {
        return (k, options);
    }
    if prefix.is_empty() {
        return ("ssh-public", None);
    }
    if prefix.starts_with("|1|")
        || prefix.starts_with("@cert-authority")
        || prefix.starts_with("@revoked")
    {
        return ("known_hosts", options);
    }
    let lower = prefix.to_ascii_lowercase();
    let opt_like = lower
        .split(',')
        .map(str::trim)
        .all(|o| AUTHORIZED_KEYS_OPTIONS.iter().any(|k| o.starts_with(k)));
    if opt_like {
        return ("authorized_keys", options);
    }
    let host_like = !prefix.contains(' ')
        && prefix.bytes().all(|b| {
            b.is_ascii_alphanumeric()
                || matches!(
                    b,
                    b'.' | b'-' | b',' | b'[' | b']' | b':' | b'*' | b'?' | b'!' | b'_'
                )
        });
    if host_like {
        return ("known_hosts", options);
    }
    ("ssh-public", None)
}

/// An OpenSSH certificate, mapped onto [`CertInfo`]: subject = key id, issuer = CA key
/// fingerprint, SANs = `principal:` names, key usage = `user` or `host`.
fn ssh_certificate(cert: &Certificate, blob: &[u8]) -> CryptoInfo {
    let mut info = CryptoInfo::new(Kind::Certificate, "openssh-cert");
    set_key_data(&mut info, cert.public_key());
    // 9999-12-31T23:59:59Z bounds "forever" (u64::MAX) for display.
    let clamp = |t: u64| i64::try_from(t).unwrap_or(i64::MAX).min(253_402_300_799);
    let (nb, na) = (clamp(cert.valid_after()), clamp(cert.valid_before()));
    let ca = cert.signature_key();
    info.certificate = Some(CertInfo {
        subject: cert.key_id().to_string(),
        issuer: ca.fingerprint(HashAlg::Sha256).to_string(),
        serial: format!("{:x}", cert.serial()),
        not_before: rfc3339(nb),
        not_after: rfc3339(na),
        not_before_unix: nb,
        not_after_unix: na,
        signature_algorithm: cert.signature().algorithm().as_str().to_string(),
        sans: cert
            .valid_principals()
            .iter()
            .map(|p| format!("principal:{p}"))
            .collect(),
        is_ca: false,
        path_len: None,
        key_usage: vec![
            if cert.cert_type().is_host() {
                "host"
            } else {
                "user"
            }
            .to_string(),
        ],
        extended_key_usage: cert.extensions().keys().cloned().collect(),
        self_signed: ca == cert.public_key(),
        cert_sha256: hex::encode(Sha256::digest(blob)),
        subject_key_id: None,
        authority_key_id: None,
        version: 1,
    });
    info
}
