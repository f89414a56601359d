//! SSH keys: OpenSSH private keys (`ssh-key` crate), PuTTY PPK v2/v3, public keys in OpenSSH
//! one-line form (`.pub`, `authorized_keys` with options, `known_hosts`, anywhere in text),
//! RFC 4716 public keys, and OpenSSH certificates.

use super::pubkey::PubKey;
use super::{CertInfo, CryptoInfo, Found, Kind, SK_PROTECTION, asn1::oids};
use crate::detect::encoding::{decode_std_lenient, is_b64_char};
use crate::time::rfc3339;
use memchr::memmem;
use sha2::{Digest, Sha256};
use ssh_key::public::KeyData;
use ssh_key::{Certificate, EcdsaCurve, HashAlg, PublicKey};
use std::ops::Range;

/// The SPKI-equivalent of an SSH public key.
pub fn key_data_pubkey(kd: &KeyData) -> Option<PubKey> {
    match kd {
        KeyData::Rsa(k) => PubKey::rsa(k.n().as_positive_bytes()?, k.e().as_positive_bytes()?),
        KeyData::Dsa(k) => PubKey::dsa(
            k.p().as_positive_bytes()?,
            k.q().as_positive_bytes()?,
            k.g().as_positive_bytes()?,
            k.y().as_positive_bytes()?,
        ),
        KeyData::Ecdsa(k) => PubKey::ec(curve_oid(k.curve())?, k.as_sec1_bytes()),
        KeyData::Ed25519(k) => PubKey::ed25519(&k.0),
        KeyData::SkEd25519(k) => PubKey::ed25519(&k.public_key().0),
        KeyData::SkEcdsaSha2NistP256(k) => {
            oids::curve_oid("P-256").and_then(|c| PubKey::ec(c, k.ec_point().as_bytes()))
        }
        _ => None,
    }
}

fn curve_oid(c: EcdsaCurve) -> Option<&'static str> {
    oids::curve_oid(match c {
        EcdsaCurve::NistP256 => "P-256",
        EcdsaCurve::NistP384 => "P-384",
        EcdsaCurve::NistP521 => "P-521",
    })
}

fn is_sk(kd: &KeyData) -> bool {
    matches!(kd, KeyData::SkEd25519(_) | KeyData::SkEcdsaSha2NistP256(_))
}

/// Fill the public-key fields of `info` from SSH key data.
fn set_key_data(info: &mut CryptoInfo, kd: &KeyData) {
    match key_data_pubkey(kd) {
        Some(k) => info.set_public(&k),
        None => info.algorithm = Some(kd.algorithm().as_str().to_string()),
    }
    info.ssh_sha256 = Some(kd.fingerprint(HashAlg::Sha256).to_string());
}

fn clean_comment(c: &str) -> Option<String> {
    let c = c.trim();
    if c.is_empty() {
        None
    } else {
        Some(c.chars().take(256).collect())
    }
}

/// The binary `openssh-key-v1` structure (the base64 body of an `OPENSSH PRIVATE KEY` block).
pub fn openssh_private(bin: &[u8]) -> CryptoInfo {
    let mut info = CryptoInfo::new(Kind::PrivateKey, "openssh");
    match ssh_key::PrivateKey::from_bytes(bin) {
        Ok(k) => {
            let kd = k.public_key().key_data();
            set_key_data(&mut info, kd);
            info.encrypted = k.is_encrypted();
            if info.encrypted {
                info.encryption = Some(format!(
                    "{}/{}",
                    k.cipher().as_str(),
                    k.kdf().algorithm().as_str()
                ));
            } else {
                info.comment = clean_comment(k.comment().as_str_lossy());
                if is_sk(kd) {
                    info.encryption = Some(SK_PROTECTION.into());
                }
            }
            info
        }
        Err(e) => match openssh_header(bin) {
            // A cipher or layout the crate does not know: the public key is still in clear.
            Some((cipher, kdf, kd)) if cipher != "none" => {
                set_key_data(&mut info, &kd);
                info.encrypted = true;
                info.encryption = Some(format!("{cipher}/{kdf}"));
                info
            }
            Some((_, _, kd)) => {
                let mut bad =
                    CryptoInfo::unparseable("openssh", format!("OpenSSH private key: {e}"));
                set_key_data(&mut bad, &kd);
                bad
            }
            None => CryptoInfo::unparseable("openssh", format!("OpenSSH private key: {e}")),
        },
    }
}

/// Magic, cipher name, KDF name and first public key of an `openssh-key-v1` blob.
fn openssh_header(bin: &[u8]) -> Option<(String, String, KeyData)> {
    let mut r = Wire(bin.strip_prefix(b"openssh-key-v1\0")?);
    let cipher = String::from_utf8(r.string()?.to_vec()).ok()?;
    let kdf = String::from_utf8(r.string()?.to_vec()).ok()?;
    r.string()?; // kdf options
    let n = r.u32()?;
    if n == 0 {
        return None;
    }
    let key = PublicKey::from_bytes(r.string()?).ok()?;
    Some((cipher, kdf, key.key_data().clone()))
}

/// SSH wire-format reader (RFC 4251 `uint32`, `string`).
struct Wire<'a>(&'a [u8]);

impl<'a> Wire<'a> {
    fn u32(&mut self) -> Option<u32> {
        let b: [u8; 4] = self.0.get(..4)?.try_into().ok()?;
        self.0 = self.0.get(4..)?;
        Some(u32::from_be_bytes(b))
    }

    fn string(&mut self) -> Option<&'a [u8]> {
        let n = self.u32()? as usize;
        let s = self.0.get(..n)?;
        self.0 = self.0.get(n..)?;
        Some(s)
    }
}

/// Line iterator with byte offsets; lines exclude the `\n` and a trailing `\r`.
fn lines_from(data: &[u8], start: usize) -> impl Iterator<Item = (Range<usize>, &[u8])> {
    let mut pos = start;
    std::iter::from_fn(move || {
        if pos >= data.len() {
            return None;
        }
        let rest = data.get(pos..)?;
        let len = memchr::memchr(b'\n', rest).unwrap_or(rest.len());
        let line = rest.get(..len)?;
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        let range = pos..pos + line.len();
        pos += len + 1;
        Some((range, line))
    })
}

/// PuTTY `.ppk` files, version 2 and 3 (and 1, reported as weakly protected).
pub fn scan_ppk(data: &[u8], out: &mut Vec<Found>) {
    let finder = memmem::Finder::new(b"PuTTY-User-Key-File-");
    let mut pos = 0;
    while let Some(i) = data.get(pos..).and_then(|d| finder.find(d)) {
        let start = pos + i;
        pos = start + 1;
        let (info, end) = parse_ppk(data, start);
        pos = pos.max(end);
        // Every PPK file's first line names its version ("PuTTY-User-Key-File-3:"); without
        // one the marker is a mention (a constant in a parser), not a key file.
        if info.kind == Kind::Unparseable && info.format == "ppk" {
            continue;
        }
        out.push(Found {
            span: start..end,
            info,
        });
    }
}

fn parse_ppk(data: &[u8], start: usize) -> (CryptoInfo, usize) {
    let mut lines = lines_from(data, start);
    let Some((first_range, first)) = lines.next() else {
        return (CryptoInfo::unparseable("ppk", "empty"), start);
    };
    let mut end = first_range.end;
    let first = String::from_utf8_lossy(first);
    let version = first
        .strip_prefix("PuTTY-User-Key-File-")
        .and_then(|r| r.split(':').next())
        .and_then(|v| v.trim().parse::<u32>().ok())
        .unwrap_or(0);
    let format = match version {
        1 => "ppk1",
        2 => "ppk2",
        3 => "ppk3",
        _ => "ppk",
    };
    let header_alg = first
        .split_once(':')
        .map(|(_, a)| a.trim().to_string())
        .unwrap_or_default();
    let mut fields: Vec<(String, String)> = Vec::new();
    let mut public_b64 = String::new();
    let mut private_ok = false;
    let mut mac = false;
    let mut expect_lines: Option<(bool, usize)> = None;
    let mut private_b64 = String::new();
    for (range, line) in lines.by_ref() {
        let line = String::from_utf8_lossy(line);
        end = range.end;
        if let Some((is_public, n)) = expect_lines {
            if is_public {
                public_b64.push_str(line.trim());
            } else {
                private_b64.push_str(line.trim());
            }
            expect_lines = if n > 1 {
                Some((is_public, n - 1))
            } else {
                None
            };
            if expect_lines.is_none() && !is_public {
                private_ok = decode_std_lenient(&private_b64).is_some_and(|b| !b.is_empty());
            }
            continue;
        }
        let Some((k, v)) = line.split_once(':') else {
            break;
        };
        let (k, v) = (k.trim().to_string(), v.trim().to_string());
        match k.as_str() {
            "Public-Lines" | "Private-Lines" => {
                let n: usize = v.parse().unwrap_or(0);
                if n == 0 || n > 1000 {
                    break;
                }
                expect_lines = Some((k == "Public-Lines", n));
            }
            "Private-MAC" | "Private-Hash" => {
                mac = true;
                fields.push((k, v));
                break;
            }
            _ => fields.push((k, v)),
        }
    }
    let field = |name: &str| {
        fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    let key = decode_std_lenient(&public_b64).and_then(|b| PublicKey::from_bytes(&b).ok());
    let Some(key) = key else {
        return (
            CryptoInfo::unparseable(format, "PPK: public key does not parse"),
            end,
        );
    };
    let mut info = CryptoInfo::new(Kind::PrivateKey, format);
    info.encoding = "text".into();
    set_key_data(&mut info, key.key_data());
    info.comment = field("Comment").and_then(clean_comment);
    if key.algorithm().as_str() != header_alg {
        info.kind = Kind::Unparseable;
        info.error = Some("PPK: public key algorithm differs from the header".into());
        return (info, end);
    }
    if !private_ok || !mac {
        info.kind = Kind::Unparseable;
        info.error = Some("PPK: private part missing or truncated".into());
        return (info, end);
    }
    let encryption = field("Encryption").unwrap_or("none");
    if encryption != "none" {
        info.encrypted = true;
        if version >= 3 {
            info.encryption = Some(format!(
                "{encryption}/{}(m={},t={},p={})",
                field("Key-Derivation").unwrap_or("?"),
                field("Argon2-Memory").unwrap_or("?"),
                field("Argon2-Passes").unwrap_or("?"),
                field("Argon2-Parallelism").unwrap_or("?"),
            ));
        } else {
            // PPK v1/v2 derive the key with plain SHA-1 of the passphrase: no stretching.
            info.encryption = Some(format!("{encryption}/SHA-1 (no key stretching)"));
            info.weak_protection = true;
        }
    }
    if is_sk(key.key_data()) && !info.encrypted {
        info.encryption = Some(SK_PROTECTION.into());
    }
    (info, end)
}

/// RFC 4716 (`---- BEGIN SSH2 PUBLIC KEY ----`) public keys.
pub fn scan_rfc4716(data: &[u8], out: &mut Vec<Found>) {
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
pub fn scan_public_lines(path: &str, data: &[u8], skip: &[Range<usize>], out: &mut Vec<Found>) {
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
