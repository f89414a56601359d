//! Java keystores: JKS (magic `0xFEEDFEED`) and JCEKS (`0xCECECECE`).
//!
//! Certificates are stored in clear and are listed. The store's integrity digest is checked
//! against the empty password and keytool's default `changeit`; when one verifies, JKS private
//! keys (protected by Sun's SHA-1 XOR "key protector", with the same password by default) are
//! recovered too, since anyone can. JCEKS secret-key entries are Java-serialised objects whose
//! length is not stored: parsing resynchronises on the next entry header.

use super::asn1;
use super::{CryptoInfo, Found, KeystoreEntry, KeystoreInfo, Kind, keys, x509};
use sha1::{Digest, Sha1};

const JKS_MAGIC: u32 = 0xfeed_feed;
const JCEKS_MAGIC: u32 = 0xcece_cece;
/// keytool's default store password, and the empty one.
const KNOWN_PASSWORDS: &[&str] = &["", "changeit"];
const MAX_ENTRIES: u32 = 10_000;
/// Sun's JKS key protector algorithm.
const KEY_PROTECTOR_OID: &str = "1.3.6.1.4.1.42.2.17.1.1";

/// Does the blob start with a JKS or JCEKS magic number (and a sane version)? O(1).
pub fn is_keystore(data: &[u8]) -> bool {
    matches!(be32(data, 0), Some(JKS_MAGIC | JCEKS_MAGIC)) && matches!(be32(data, 4), Some(1 | 2))
}

fn be32(d: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_be_bytes(
        d.get(at..at.checked_add(4)?)?.try_into().ok()?,
    ))
}

fn be16(d: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_be_bytes(
        d.get(at..at.checked_add(2)?)?.try_into().ok()?,
    ))
}

struct Cursor<'a> {
    d: &'a [u8],
    pos: usize,
}

impl<'a> Cursor<'a> {
    fn u32(&mut self) -> Option<u32> {
        let v = be32(self.d, self.pos)?;
        self.pos += 4;
        Some(v)
    }

    fn utf(&mut self) -> Option<String> {
        let n = be16(self.d, self.pos)? as usize;
        let s = self.d.get(self.pos + 2..self.pos + 2 + n)?;
        self.pos += 2 + n;
        Some(String::from_utf8_lossy(s).chars().take(256).collect())
    }

    fn bytes(&mut self, n: usize) -> Option<&'a [u8]> {
        let s = self.d.get(self.pos..self.pos.checked_add(n)?)?;
        self.pos += n;
        Some(s)
    }

    fn blob(&mut self) -> Option<&'a [u8]> {
        let n = self.u32()? as usize;
        self.bytes(n)
    }
}

fn utf16be(pw: &str) -> Vec<u8> {
    pw.encode_utf16().flat_map(u16::to_be_bytes).collect()
}

/// The keystore password among [`KNOWN_PASSWORDS`] that verifies the trailing SHA-1 digest.
fn known_password(data: &[u8]) -> Option<&'static str> {
    let split = data.len().checked_sub(20)?;
    let (body, digest) = (data.get(..split)?, data.get(split..)?);
    KNOWN_PASSWORDS.iter().copied().find(|pw| {
        let mut h = Sha1::new();
        h.update(utf16be(pw));
        h.update(b"Mighty Aphrodite");
        h.update(body);
        h.finalize().as_slice() == digest
    })
}

/// Undo Sun's key protector: salt(20) ‖ ciphertext ‖ check(20), keystream SHA-1 chained.
fn unprotect(protected: &[u8], password: &str) -> Option<Vec<u8>> {
    let (mut r, _) = asn1::sequence(protected)?;
    let mut alg = r.expect(asn1::SEQUENCE)?.reader();
    if asn1::oid_string(alg.expect(asn1::OID)?.value) != KEY_PROTECTOR_OID {
        return None;
    }
    let enc = r.expect(asn1::OCTET_STRING)?.value;
    let salt = enc.get(..20)?;
    let check = enc.get(enc.len().checked_sub(20)?..)?;
    let ct = enc.get(20..enc.len() - 20)?;
    let pw = utf16be(password);
    let mut out = Vec::with_capacity(ct.len());
    let mut digest = salt.to_vec();
    for chunk in ct.chunks(20) {
        let mut h = Sha1::new();
        h.update(&pw);
        h.update(&digest);
        digest = h.finalize().to_vec();
        out.extend(chunk.iter().zip(&digest).map(|(c, k)| c ^ k));
    }
    let mut h = Sha1::new();
    h.update(&pw);
    h.update(&out);
    (h.finalize().as_slice() == check).then_some(out)
}

/// A plausible entry header at `at`: tag 1–3, a printable alias, a timestamp between 1995 and
/// 2200 (milliseconds).
fn plausible_entry(d: &[u8], at: usize) -> bool {
    let Some(tag) = be32(d, at) else { return false };
    if !(1..=3).contains(&tag) {
        return false;
    }
    let Some(n) = be16(d, at + 4).map(usize::from) else {
        return false;
    };
    if n == 0 || n > 256 {
        return false;
    }
    let Some(alias) = d.get(at + 6..at + 6 + n) else {
        return false;
    };
    if !alias.iter().all(|b| (0x20..0x7f).contains(b) || *b >= 0x80) {
        return false;
    }
    let Some(ts) = d
        .get(at + 6 + n..at + 14 + n)
        .and_then(|b| <[u8; 8]>::try_from(b).ok())
    else {
        return false;
    };
    (788_918_400_000..7_258_118_400_000).contains(&u64::from_be_bytes(ts))
}

pub fn parse(data: &[u8], out: &mut Vec<Found>) {
    let jceks = be32(data, 0) == Some(JCEKS_MAGIC);
    let store_type = if jceks { "jceks" } else { "jks" };
    let mut info = CryptoInfo::new(Kind::Keystore, store_type);
    info.encoding = "binary".into();
    let password = known_password(data);
    let mut ks = KeystoreInfo {
        store_type: store_type.into(),
        opened_with: None,
        mac: Some("sha1".into()),
        mac_verified: password.is_some(),
        entries: Vec::new(),
        incomplete: false,
    };
    let mut items = Vec::new();
    let mut c = Cursor { d: data, pos: 8 };
    let version = be32(data, 4).unwrap_or(2);
    let count = c.u32().unwrap_or(0).min(MAX_ENTRIES);
    let end = data.len().saturating_sub(20);
    let mut recovered_all = true;
    for _ in 0..count {
        if c.pos >= end {
            ks.incomplete = true;
            break;
        }
        if parse_entry(
            &mut c,
            version,
            password,
            &mut ks,
            &mut items,
            &mut recovered_all,
        )
        .is_none()
        {
            ks.incomplete = true;
            break;
        }
    }
    set_protection(&mut info, &mut ks, password, jceks, recovered_all);
    info.keystore = Some(ks);
    let span = 0..data.len();
    out.push(Found {
        span: span.clone(),
        info,
    });
    for mut item in items {
        item.container = Some(store_type.into());
        item.encoding = "binary".into();
        out.push(Found {
            span: span.clone(),
            info: item,
        });
    }
}

/// Whether the store holds keys (only then is it protected), whether a known password opened
/// all of them, and the (always weak) key protection of the format.
fn set_protection(
    info: &mut CryptoInfo,
    ks: &mut KeystoreInfo,
    password: Option<&'static str>,
    jceks: bool,
    recovered_all: bool,
) {
    let holds_keys = ks.entries.iter().any(|e| {
        matches!(
            e.kind.as_str(),
            "private_key" | "encrypted_private_key" | "secret_key"
        )
    });
    info.encrypted = holds_keys;
    if let Some(pw) = password
        && holds_keys
        && recovered_all
        && !ks.incomplete
    {
        ks.opened_with = Some(
            if pw.is_empty() {
                "empty-password"
            } else {
                "default-password"
            }
            .to_string(),
        );
        info.empty_password = true;
    }
    info.encryption = Some(
        if jceks {
            "PBEWithMD5AndTripleDES"
        } else {
            "JKS key protector (SHA-1 XOR)"
        }
        .into(),
    );
    info.weak_protection = true;
}

fn certificate(c: &mut Cursor<'_>, version: u32) -> Option<Option<CryptoInfo>> {
    if version == 2 {
        c.utf()?; // certificate type, "X.509"
    }
    let der_bytes = c.blob()?;
    Some(x509::certificate(der_bytes))
}

fn cert_entry(alias: &str, kind: &str, info: Option<&CryptoInfo>) -> KeystoreEntry {
    KeystoreEntry {
        alias: Some(alias.to_string()),
        kind: kind.into(),
        encrypted: false,
        algorithm: info.and_then(|i| i.algorithm.clone()),
        spki_sha256: info.and_then(|i| i.spki_sha256.clone()),
        cert_sha256: info.and_then(|i| i.certificate.as_ref().map(|c| c.cert_sha256.clone())),
        subject: info.and_then(|i| i.certificate.as_ref().map(|c| c.subject.clone())),
    }
}

fn parse_entry(
    c: &mut Cursor<'_>,
    version: u32,
    password: Option<&str>,
    ks: &mut KeystoreInfo,
    items: &mut Vec<CryptoInfo>,
    recovered_all: &mut bool,
) -> Option<()> {
    let tag = c.u32()?;
    let alias = c.utf()?;
    c.bytes(8)?; // timestamp
    match tag {
        1 => {
            let protected = c.blob()?;
            let chain = c.u32()?.min(MAX_ENTRIES);
            let mut certs = Vec::new();
            for _ in 0..chain {
                certs.push(certificate(c, version)?);
            }
            // The key's public half is in its certificate: the leaf comes first.
            let leaf = certs.first().and_then(Option::as_ref);
            let clear = password
                .and_then(|pw| unprotect(protected, pw))
                .and_then(|k| keys::pkcs8(&k).ok());
            match clear {
                Some(mut key) => {
                    key.encrypted = true;
                    key.empty_password = true;
                    key.encryption = Some("JKS key protector (SHA-1 XOR)".into());
                    key.weak_protection = true;
                    let mut e = cert_entry(&alias, "private_key", Some(&key));
                    e.encrypted = true;
                    ks.entries.push(e);
                    items.push(key);
                }
                None => {
                    *recovered_all = false;
                    let mut e = cert_entry(&alias, "encrypted_private_key", leaf);
                    e.encrypted = true;
                    e.cert_sha256 = None;
                    e.subject = None;
                    ks.entries.push(e);
                }
            }
            for cert in certs.into_iter().flatten() {
                ks.entries
                    .push(cert_entry(&alias, "certificate", Some(&cert)));
                items.push(cert);
            }
        }
        2 => {
            let cert = certificate(c, version)?;
            ks.entries
                .push(cert_entry(&alias, "certificate", cert.as_ref()));
            items.extend(cert);
        }
        3 => {
            // JCEKS SecretKeyEntry: a serialised SealedObject of unknown length; find the next
            // entry header (or the trailing digest).
            *recovered_all = false;
            let mut e = cert_entry(&alias, "secret_key", None);
            e.encrypted = true;
            ks.entries.push(e);
            let end = c.d.len().saturating_sub(20);
            let window = end.min(c.pos.saturating_add(64 * 1024));
            let next = (c.pos..window).find(|&p| plausible_entry(c.d, p));
            c.pos = next.unwrap_or(end);
        }
        _ => return None,
    }
    Some(())
}
