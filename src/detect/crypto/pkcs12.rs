//! PKCS#12 (RFC 7292) keystores: the PFX container, its MAC, safe contents and bags.
//!
//! A keystore is opened with the empty password, with no password (OpenSSL and Java differ on
//! which one "no password" means) and with keytool's default `changeit`; if one works, its keys
//! and certificates are listed. If not,
//! what is stored unencrypted (usually the certificate bag in Java stores, the shrouded key bag's
//! existence in OpenSSL ones) is still listed. The encryption schemes are in [`super::pbe`].
//!
//! Work bounds: MAC and bag decryption share the key-derivation budget of [`super::pbe`], and
//! bags nest at most [`MAX_NESTING`] deep.

use super::asn1::{self, OCTET_STRING, OID, SEQUENCE, Tlv, oids};
use super::pbe::{
    Hash, MAX_ITERATIONS, PASSWORDS, Password, decrypt_labelled, describe_scheme, oid_of,
    pkcs12_kdf,
};
use super::{CryptoInfo, KeystoreEntry, KeystoreInfo, Kind, keys, x509};

const MAX_NESTING: u32 = 4;

const BAG_KEY: &str = "1.2.840.113549.1.12.10.1.1";
const BAG_SHROUDED_KEY: &str = "1.2.840.113549.1.12.10.1.2";
const BAG_CERT: &str = "1.2.840.113549.1.12.10.1.3";
const BAG_CRL: &str = "1.2.840.113549.1.12.10.1.4";
const BAG_SECRET: &str = "1.2.840.113549.1.12.10.1.5";
const BAG_SAFE_CONTENTS: &str = "1.2.840.113549.1.12.10.1.6";

/// State while walking a PFX.
struct Walk {
    passwords: Vec<&'static Password>,
    items: Vec<CryptoInfo>,
    entries: Vec<KeystoreEntry>,
    incomplete: bool,
    opened: Option<&'static str>,
    any_encrypted: bool,
    any_locked: bool,
    schemes: Vec<String>,
    weak: bool,
}

impl Walk {
    fn new(passwords: Vec<&'static Password>) -> Walk {
        Walk {
            passwords,
            items: Vec::new(),
            entries: Vec::new(),
            incomplete: false,
            opened: None,
            any_encrypted: false,
            any_locked: false,
            schemes: Vec::new(),
            weak: false,
        }
    }
}

/// A PFX. None if the DER is not one; otherwise the keystore item followed by what it contains.
pub fn parse(der_bytes: &[u8]) -> Option<Vec<CryptoInfo>> {
    let (mut r, _) = asn1::sequence(der_bytes)?;
    if r.expect(asn1::INTEGER)?.uint()? != 3 {
        return None;
    }
    let auth_safe = r.expect(SEQUENCE)?;
    let mac_data = r.optional(SEQUENCE);
    let mut ci = auth_safe.reader();
    let ct_oid = oid_of(&ci.next()?)?;
    let mut info = CryptoInfo::new(Kind::Keystore, "pkcs12");
    let mut ks = KeystoreInfo {
        store_type: "pkcs12".into(),
        opened_with: None,
        mac: None,
        mac_verified: false,
        entries: Vec::new(),
        incomplete: false,
    };
    if ct_oid != oids::DATA {
        // Public-key integrity mode (signedData): not opened here.
        ks.incomplete = true;
        info.encrypted = true;
        info.keystore = Some(ks);
        return Some(vec![info]);
    }
    let content = ci
        .expect(0xa0)
        .and_then(|e| asn1::read(e.value))
        .and_then(|(t, _)| (t.tag & 0x1f == OCTET_STRING).then_some(t))
        .and_then(|t| t.octets());
    let Some(content) = content else {
        info.kind = Kind::Unparseable;
        info.error = Some("PKCS#12: authSafe content missing".into());
        return Some(vec![info]);
    };

    let mut walk = Walk::new(mac_passwords(mac_data, &content, &mut ks));
    match asn1::sequence(&content) {
        Some((mut safes, _)) => {
            while let Some(ci) = safes.next() {
                content_info(ci, &mut walk);
            }
        }
        None => walk.incomplete = true,
    }
    Some(finish(info, ks, walk))
}

/// The keystore item (flags, schemes, entries) followed by the items the walk opened.
fn finish(mut info: CryptoInfo, mut ks: KeystoreInfo, mut walk: Walk) -> Vec<CryptoInfo> {
    ks.incomplete = walk.incomplete || walk.any_locked;
    let opened = if walk.any_locked {
        None
    } else if walk.any_encrypted {
        walk.opened
    } else {
        Some("unencrypted")
    };
    // Encrypted at rest, whether or not a known password opens it (that is `empty_password`).
    info.encrypted = walk.any_encrypted;
    info.empty_password = matches!(
        opened,
        Some("empty-password" | "no-password" | "default-password")
    );
    ks.opened_with = opened.map(str::to_string);
    walk.schemes.dedup();
    if !walk.schemes.is_empty() {
        info.encryption = Some(walk.schemes.join(", "));
    }
    info.weak_protection = walk.weak;
    ks.entries = walk.entries;
    info.keystore = Some(ks);
    let mut out = vec![info];
    out.extend(walk.items.into_iter().map(|mut i| {
        i.container = Some("pkcs12".into());
        i
    }));
    out
}

/// MacData: (digest algorithm OID, digest, salt, iterations).
fn parse_mac(mac: Tlv<'_>) -> Option<(String, &[u8], &[u8], u64)> {
    let mut m = mac.reader();
    let mut digest_info = m.expect(SEQUENCE)?.reader();
    let mut alg = digest_info.expect(SEQUENCE)?.reader();
    let alg_oid = oid_of(&alg.next()?)?;
    let digest = digest_info.expect(OCTET_STRING)?.value;
    let salt = m.expect(OCTET_STRING)?.value;
    let iterations = m
        .optional(asn1::INTEGER)
        .and_then(|t| t.uint())
        .unwrap_or(1);
    Some((alg_oid, digest, salt, iterations))
}

/// The candidate passwords to open the content with, recording in `ks` the MAC's algorithm and
/// whether it verified. The password that verified the MAC opens the content; a MAC that none of
/// ours verifies means the password is someone else's (or the file is corrupt), so decrypting
/// with our candidates would be wasted work; without a MAC we can check, try them all.
fn mac_passwords(
    mac: Option<Tlv<'_>>,
    content: &[u8],
    ks: &mut KeystoreInfo,
) -> Vec<&'static Password> {
    let all = || PASSWORDS.iter().collect();
    let Some(mac) = mac else {
        return all();
    };
    let Some((alg_oid, digest, salt, iterations)) = parse_mac(mac) else {
        ks.mac = Some("unparseable".into());
        return all();
    };
    let Some(hash) = Hash::from_digest_oid(&alg_oid) else {
        ks.mac = Some(alg_oid);
        return all();
    };
    ks.mac = Some(hash.name().into());
    if !(1..=MAX_ITERATIONS).contains(&iterations) {
        return all();
    }
    let it = iterations as u32;
    let verified = PASSWORDS.iter().find(|pw| {
        if !super::budget::charge(iterations) {
            return false;
        }
        let key = pkcs12_kdf(hash, pw.bmp, salt, 3, it, hash.sizes().0);
        hash.hmac_verify(&key, content, digest)
    });
    ks.mac_verified = verified.is_some();
    verified.into_iter().collect()
}

fn content_info(ci: Tlv<'_>, walk: &mut Walk) {
    let mut r = ci.reader();
    let Some(oid) = r.next().and_then(|t| oid_of(&t)) else {
        walk.incomplete = true;
        return;
    };
    let Some(explicit) = r.expect(0xa0) else {
        walk.incomplete = true;
        return;
    };
    match oid.as_str() {
        oids::DATA => {
            let data = asn1::read(explicit.value)
                .filter(|(t, _)| t.tag & 0x1f == OCTET_STRING)
                .and_then(|(t, _)| t.octets());
            match data {
                Some(d) => safe_contents(&d, walk, 0),
                None => walk.incomplete = true,
            }
        }
        oids::ENCRYPTED_DATA => {
            let enc = (|| {
                let (mut ed, _) = asn1::sequence(explicit.value)?;
                ed.expect(asn1::INTEGER)?;
                let mut eci = ed.expect(SEQUENCE)?.reader();
                eci.expect(OID)?;
                let alg = eci.expect(SEQUENCE)?;
                // [0] IMPLICIT OCTET STRING: primitive 0x80 or constructed (BER) 0xa0.
                let ct = eci.next().filter(|t| t.tag & 0xdf == 0x80)?;
                let ct = if ct.constructed() {
                    let mut joined = Vec::new();
                    let mut cr = ct.reader();
                    while let Some(seg) = cr.next() {
                        joined.extend_from_slice(&seg.octets()?);
                    }
                    joined
                } else {
                    ct.value.to_vec()
                };
                Some((alg, ct))
            })();
            let Some((alg, ct)) = enc else {
                walk.incomplete = true;
                return;
            };
            walk.any_encrypted = true;
            if let Some(s) = describe_scheme(alg) {
                walk.weak |= s.weak;
                walk.schemes.push(s.name);
            }
            match decrypt_labelled(alg, &ct, &walk.passwords) {
                Some((clear, label)) if asn1::sequence(&clear).is_some() => {
                    walk.opened = walk.opened.or(Some(label));
                    safe_contents(&clear, walk, 0);
                }
                _ => {
                    walk.any_locked = true;
                    walk.entries.push(KeystoreEntry {
                        alias: None,
                        kind: "encrypted_bag".into(),
                        encrypted: true,
                        algorithm: None,
                        spki_sha256: None,
                        cert_sha256: None,
                        subject: None,
                    });
                }
            }
        }
        _ => walk.incomplete = true,
    }
}

fn friendly_name(attrs: Option<Tlv<'_>>) -> Option<String> {
    let mut r = attrs?.reader();
    while let Some(attr) = r.next() {
        let mut a = attr.reader();
        if a.next().and_then(|t| oid_of(&t)).as_deref() == Some(oids::FRIENDLY_NAME) {
            let set = a.next()?;
            let (bmp, _) = asn1::read(set.value)?;
            if bmp.tag != asn1::BMP_STRING {
                return None;
            }
            let units: Vec<u16> = bmp
                .value
                .chunks_exact(2)
                .map(|c| {
                    u16::from_be_bytes([
                        c.first().copied().unwrap_or(0),
                        c.get(1).copied().unwrap_or(0),
                    ])
                })
                .collect();
            return Some(String::from_utf16_lossy(&units).chars().take(256).collect());
        }
    }
    None
}

fn entry(
    alias: Option<String>,
    kind: &str,
    encrypted: bool,
    info: Option<&CryptoInfo>,
) -> KeystoreEntry {
    KeystoreEntry {
        alias,
        kind: kind.into(),
        encrypted,
        algorithm: info.and_then(|i| i.algorithm.clone()),
        spki_sha256: info.and_then(|i| i.spki_sha256.clone()),
        cert_sha256: info.and_then(|i| i.certificate.as_ref().map(|c| c.cert_sha256.clone())),
        subject: info.and_then(|i| i.certificate.as_ref().map(|c| c.subject.clone())),
    }
}

fn safe_contents(der_bytes: &[u8], walk: &mut Walk, depth: u32) {
    if depth > MAX_NESTING {
        walk.incomplete = true;
        return;
    }
    let Some((mut bags, _)) = asn1::sequence(der_bytes) else {
        walk.incomplete = true;
        return;
    };
    while let Some(bag) = bags.next() {
        let mut b = bag.reader();
        let Some(bag_oid) = b.next().and_then(|t| oid_of(&t)) else {
            walk.incomplete = true;
            continue;
        };
        let Some(value) = b
            .expect(0xa0)
            .and_then(|v| asn1::read(v.value).map(|(t, _)| t))
        else {
            walk.incomplete = true;
            continue;
        };
        let alias = friendly_name(b.optional(asn1::SET));
        match bag_oid.as_str() {
            BAG_KEY => match keys::pkcs8(value.raw) {
                Ok(info) => {
                    walk.entries
                        .push(entry(alias, "private_key", false, Some(&info)));
                    walk.items.push(info);
                }
                Err(_) => walk.incomplete = true,
            },
            BAG_SHROUDED_KEY => shrouded_key_bag(value, alias, walk),
            BAG_CERT => cert_bag(value, alias, walk),
            BAG_SECRET => walk.entries.push(entry(alias, "secret_key", false, None)),
            BAG_CRL => walk.entries.push(entry(alias, "crl", false, None)),
            BAG_SAFE_CONTENTS => safe_contents(value.raw, walk, depth + 1),
            _ => walk.incomplete = true,
        }
    }
}

/// A PKCS8ShroudedKeyBag: an `EncryptedPrivateKeyInfo`, opened with the walk's passwords.
fn shrouded_key_bag(value: Tlv<'_>, alias: Option<String>, walk: &mut Walk) {
    walk.any_encrypted = true;
    let mut r = value.reader();
    let opened = (|| {
        let alg = r.expect(SEQUENCE)?;
        let ct = r
            .next()
            .filter(|t| t.tag & 0x1f == OCTET_STRING)?
            .octets()?;
        if let Some(s) = describe_scheme(alg) {
            walk.weak |= s.weak;
            walk.schemes.push(s.name);
        }
        let (clear, label) = decrypt_labelled(alg, &ct, &walk.passwords)?;
        let info = keys::pkcs8(&clear).ok()?;
        Some((info, label))
    })();
    match opened {
        Some((mut info, label)) => {
            walk.opened = walk.opened.or(Some(label));
            info.encrypted = true;
            info.empty_password = true;
            walk.entries
                .push(entry(alias, "private_key", true, Some(&info)));
            walk.items.push(info);
        }
        None => {
            walk.any_locked = true;
            walk.entries
                .push(entry(alias, "encrypted_private_key", true, None));
        }
    }
}

/// A CertBag: an X.509 certificate is listed; other certificate types only counted.
fn cert_bag(value: Tlv<'_>, alias: Option<String>, walk: &mut Walk) {
    let cert = (|| {
        let mut r = value.reader();
        let kind = oid_of(&r.next()?)?;
        if kind != oids::X509_CERT_BAG {
            return None;
        }
        let (octs, _) = asn1::read(r.expect(0xa0)?.value)?;
        x509::certificate(&octs.octets()?)
    })();
    match cert {
        Some(info) => {
            walk.entries
                .push(entry(alias, "certificate", false, Some(&info)));
            walk.items.push(info);
        }
        None => walk
            .entries
            .push(entry(alias, "certificate_other", false, None)),
    }
}
