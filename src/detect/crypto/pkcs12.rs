//! PKCS#12 (RFC 7292) keystores, and the password-based encryption schemes shared with PKCS#8
//! `EncryptedPrivateKeyInfo`: PBES2 (PBKDF2 + AES/3DES-CBC) and the PKCS#12 PBEs
//! (SHA-1 + 3DES / RC2).
//!
//! A keystore is opened with the empty password, with no password (OpenSSL and Java differ on
//! which one "no password" means) and with keytool's default `changeit`; if one works, its keys
//! and certificates are listed. If not,
//! what is stored unencrypted (usually the certificate bag in Java stores, the shrouded key bag's
//! existence in OpenSSL ones) is still listed.
//!
//! Work bounds: iteration counts above [`MAX_ITERATIONS`] are not attempted (real files use
//! 2048–600 000; a hostile file could ask for 2^31), all key derivations of one `detect` call
//! share the budget in [`super::budget`], and bags nest at most [`MAX_NESTING`] deep.

use super::asn1::{self, OCTET_STRING, OID, SEQUENCE, Tlv, oids};
use super::{CryptoInfo, KeystoreEntry, KeystoreInfo, Kind, keys, x509};
use cbc::cipher::block_padding::Pkcs7;
use cbc::cipher::{BlockModeDecrypt, InnerIvInit, KeyIvInit};
use hmac::{KeyInit, Mac};
use sha2::Digest;

pub const MAX_ITERATIONS: u64 = 300_000;
const MAX_NESTING: u32 = 4;

const BAG_KEY: &str = "1.2.840.113549.1.12.10.1.1";
const BAG_SHROUDED_KEY: &str = "1.2.840.113549.1.12.10.1.2";
const BAG_CERT: &str = "1.2.840.113549.1.12.10.1.3";
const BAG_CRL: &str = "1.2.840.113549.1.12.10.1.4";
const BAG_SECRET: &str = "1.2.840.113549.1.12.10.1.5";
const BAG_SAFE_CONTENTS: &str = "1.2.840.113549.1.12.10.1.6";

/// Hash functions used by the KDFs and MACs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Hash {
    Sha1,
    Sha224,
    Sha256,
    Sha384,
    Sha512,
}

impl Hash {
    fn from_digest_oid(oid: &str) -> Option<Hash> {
        Some(match oid {
            "1.3.14.3.2.26" => Hash::Sha1,
            "2.16.840.1.101.3.4.2.4" => Hash::Sha224,
            "2.16.840.1.101.3.4.2.1" => Hash::Sha256,
            "2.16.840.1.101.3.4.2.2" => Hash::Sha384,
            "2.16.840.1.101.3.4.2.3" => Hash::Sha512,
            _ => return None,
        })
    }

    fn from_hmac_oid(oid: &str) -> Option<Hash> {
        Some(match oid {
            "1.2.840.113549.2.7" => Hash::Sha1,
            "1.2.840.113549.2.8" => Hash::Sha224,
            "1.2.840.113549.2.9" => Hash::Sha256,
            "1.2.840.113549.2.10" => Hash::Sha384,
            "1.2.840.113549.2.11" => Hash::Sha512,
            _ => return None,
        })
    }

    fn name(self) -> &'static str {
        match self {
            Hash::Sha1 => "sha1",
            Hash::Sha224 => "sha224",
            Hash::Sha256 => "sha256",
            Hash::Sha384 => "sha384",
            Hash::Sha512 => "sha512",
        }
    }

    /// (output size, block size)
    fn sizes(self) -> (usize, usize) {
        match self {
            Hash::Sha1 => (20, 64),
            Hash::Sha224 => (28, 64),
            Hash::Sha256 => (32, 64),
            Hash::Sha384 => (48, 128),
            Hash::Sha512 => (64, 128),
        }
    }

    fn digest(self, parts: &[&[u8]]) -> Vec<u8> {
        fn run<D: Digest>(parts: &[&[u8]]) -> Vec<u8> {
            let mut h = D::new();
            for p in parts {
                h.update(p);
            }
            h.finalize().to_vec()
        }
        match self {
            Hash::Sha1 => run::<sha1::Sha1>(parts),
            Hash::Sha224 => run::<sha2::Sha224>(parts),
            Hash::Sha256 => run::<sha2::Sha256>(parts),
            Hash::Sha384 => run::<sha2::Sha384>(parts),
            Hash::Sha512 => run::<sha2::Sha512>(parts),
        }
    }

    fn hmac_verify(self, key: &[u8], data: &[u8], expected: &[u8]) -> bool {
        fn run<M: Mac + KeyInit>(key: &[u8], data: &[u8], expected: &[u8]) -> bool {
            match <M as KeyInit>::new_from_slice(key) {
                Ok(mut m) => {
                    m.update(data);
                    m.verify_slice(expected).is_ok()
                }
                Err(_) => false,
            }
        }
        match self {
            Hash::Sha1 => run::<hmac::Hmac<sha1::Sha1>>(key, data, expected),
            Hash::Sha224 => run::<hmac::Hmac<sha2::Sha224>>(key, data, expected),
            Hash::Sha256 => run::<hmac::Hmac<sha2::Sha256>>(key, data, expected),
            Hash::Sha384 => run::<hmac::Hmac<sha2::Sha384>>(key, data, expected),
            Hash::Sha512 => run::<hmac::Hmac<sha2::Sha512>>(key, data, expected),
        }
    }

    fn pbkdf2(self, password: &[u8], salt: &[u8], rounds: u32, out: &mut [u8]) {
        match self {
            Hash::Sha1 => pbkdf2::pbkdf2_hmac::<sha1::Sha1>(password, salt, rounds, out),
            Hash::Sha224 => pbkdf2::pbkdf2_hmac::<sha2::Sha224>(password, salt, rounds, out),
            Hash::Sha256 => pbkdf2::pbkdf2_hmac::<sha2::Sha256>(password, salt, rounds, out),
            Hash::Sha384 => pbkdf2::pbkdf2_hmac::<sha2::Sha384>(password, salt, rounds, out),
            Hash::Sha512 => pbkdf2::pbkdf2_hmac::<sha2::Sha512>(password, salt, rounds, out),
        }
    }
}

/// RFC 7292 Appendix B key derivation. `password` is the BMPString form (UTF-16BE with a
/// terminating NUL; empty for "no password").
fn pkcs12_kdf(
    hash: Hash,
    password: &[u8],
    salt: &[u8],
    id: u8,
    iterations: u32,
    n: usize,
) -> Vec<u8> {
    let (u, v) = hash.sizes();
    let fill = |s: &[u8]| -> Vec<u8> {
        if s.is_empty() {
            Vec::new()
        } else {
            s.iter()
                .copied()
                .cycle()
                .take(v * s.len().div_ceil(v))
                .collect()
        }
    };
    let d = vec![id; v];
    let mut i_buf = fill(salt);
    i_buf.extend(fill(password));
    let mut out = Vec::with_capacity(n + u);
    loop {
        let mut a = hash.digest(&[&d, &i_buf]);
        for _ in 1..iterations {
            a = hash.digest(&[&a]);
        }
        out.extend_from_slice(&a);
        if out.len() >= n {
            break;
        }
        let b: Vec<u8> = a.iter().copied().cycle().take(v).collect();
        for chunk in i_buf.chunks_mut(v) {
            let mut carry = 1u16;
            for (x, y) in chunk.iter_mut().rev().zip(b.iter().rev()) {
                let s = u16::from(*x) + u16::from(*y) + carry;
                *x = (s & 0xff) as u8;
                carry = s >> 8;
            }
        }
    }
    out.truncate(n);
    out
}

/// A password candidate in the two encodings the schemes use.
struct Password {
    label: &'static str,
    /// PBES2: the octets of the password.
    utf8: &'static [u8],
    /// PKCS#12 PBE and MAC: BMPString with terminator.
    bmp: &'static [u8],
}

const PASSWORDS: &[Password] = &[
    Password {
        label: "empty-password",
        utf8: b"",
        bmp: &[0, 0],
    },
    Password {
        label: "no-password",
        utf8: b"",
        bmp: &[],
    },
    // keytool's default (and the JDK cacerts password): a store "protected" by it is open.
    Password {
        label: "default-password",
        utf8: b"changeit",
        bmp: b"\0c\0h\0a\0n\0g\0e\0i\0t\0\0",
    },
];

/// A password-based encryption scheme, described.
pub struct Scheme {
    pub name: String,
    pub weak: bool,
}

enum Cipher {
    Aes128,
    Aes192,
    Aes256,
    Tdes,
    Des,
    Rc2 { key_len: usize, eff_bits: usize },
}

impl Cipher {
    fn key_len(&self) -> usize {
        match self {
            Cipher::Aes128 => 16,
            Cipher::Aes192 => 24,
            Cipher::Aes256 => 32,
            Cipher::Tdes => 24,
            Cipher::Des => 8,
            Cipher::Rc2 { key_len, .. } => *key_len,
        }
    }

    fn decrypt(&self, key: &[u8], iv: &[u8], ct: &[u8]) -> Option<Vec<u8>> {
        let mut buf = ct.to_vec();
        let out = match self {
            Cipher::Aes128 => cbc::Decryptor::<aes::Aes128>::new_from_slices(key, iv)
                .ok()?
                .decrypt_padded::<Pkcs7>(&mut buf)
                .ok()?
                .to_vec(),
            Cipher::Aes192 => cbc::Decryptor::<aes::Aes192>::new_from_slices(key, iv)
                .ok()?
                .decrypt_padded::<Pkcs7>(&mut buf)
                .ok()?
                .to_vec(),
            Cipher::Aes256 => cbc::Decryptor::<aes::Aes256>::new_from_slices(key, iv)
                .ok()?
                .decrypt_padded::<Pkcs7>(&mut buf)
                .ok()?
                .to_vec(),
            Cipher::Tdes => cbc::Decryptor::<des::TdesEde3>::new_from_slices(key, iv)
                .ok()?
                .decrypt_padded::<Pkcs7>(&mut buf)
                .ok()?
                .to_vec(),
            Cipher::Des => cbc::Decryptor::<des::Des>::new_from_slices(key, iv)
                .ok()?
                .decrypt_padded::<Pkcs7>(&mut buf)
                .ok()?
                .to_vec(),
            Cipher::Rc2 { eff_bits, .. } => {
                let inner = rc2::Rc2::new_with_eff_key_len(key, *eff_bits);
                cbc::Decryptor::<rc2::Rc2>::inner_iv_slice_init(inner, iv)
                    .ok()?
                    .decrypt_padded::<Pkcs7>(&mut buf)
                    .ok()?
                    .to_vec()
            }
        };
        Some(out)
    }
}

/// A parsed scheme, ready to decrypt.
enum Pbe<'a> {
    Pbes2 {
        hash: Hash,
        salt: &'a [u8],
        iterations: u64,
        key_len: Option<usize>,
        cipher: Cipher,
        iv: &'a [u8],
    },
    Pkcs12 {
        cipher: Cipher,
        salt: &'a [u8],
        iterations: u64,
    },
}

fn oid_of(t: &Tlv<'_>) -> Option<String> {
    (t.tag == OID).then(|| asn1::oid_string(t.value))
}

/// Parse an AlgorithmIdentifier of a password-based scheme. Err(description) for schemes that
/// are recognised but not decryptable here (PBES1, scrypt, RC4).
fn parse_scheme(alg: Tlv<'_>) -> Option<Result<(Pbe<'_>, Scheme), Scheme>> {
    let mut r = alg.reader();
    let oid = oid_of(&r.next()?)?;
    let params = r.next();
    let weak = |name: String| Scheme { name, weak: true };
    match oid.as_str() {
        oids::PBES2 => {
            let mut p = params?.reader();
            let kdf = p.expect(SEQUENCE)?;
            let enc = p.expect(SEQUENCE)?;
            let mut kr = kdf.reader();
            let kdf_oid = oid_of(&kr.next()?)?;
            let mut er = enc.reader();
            let enc_oid = oid_of(&er.next()?)?;
            let (cipher, cipher_name) = match enc_oid.as_str() {
                "2.16.840.1.101.3.4.1.2" => (Cipher::Aes128, "AES-128-CBC"),
                "2.16.840.1.101.3.4.1.22" => (Cipher::Aes192, "AES-192-CBC"),
                "2.16.840.1.101.3.4.1.42" => (Cipher::Aes256, "AES-256-CBC"),
                "1.2.840.113549.3.7" => (Cipher::Tdes, "DES-EDE3-CBC"),
                "1.3.14.3.2.7" => (Cipher::Des, "DES-CBC"),
                _ => {
                    return Some(Err(Scheme {
                        name: format!("PBES2/{enc_oid}"),
                        weak: false,
                    }));
                }
            };
            let iv = er.expect(OCTET_STRING)?.value;
            if kdf_oid == oids::SCRYPT {
                return Some(Err(Scheme {
                    name: format!("PBES2/scrypt/{cipher_name}"),
                    weak: false,
                }));
            }
            if kdf_oid != oids::PBKDF2 {
                return Some(Err(Scheme {
                    name: format!("PBES2/{kdf_oid}/{cipher_name}"),
                    weak: false,
                }));
            }
            let mut kp = kr.expect(SEQUENCE)?.reader();
            let salt = kp.expect(OCTET_STRING)?.value;
            let iterations = kp.expect(asn1::INTEGER)?.uint()?;
            let key_len = kp
                .optional(asn1::INTEGER)
                .and_then(|t| t.uint())
                .and_then(|n| usize::try_from(n).ok());
            let hash = match kp.optional(SEQUENCE) {
                Some(prf) => Hash::from_hmac_oid(&oid_of(&prf.reader().next()?)?)?,
                None => Hash::Sha1,
            };
            let name = format!(
                "PBES2/PBKDF2-HMAC-{}/{cipher_name} ({iterations} iterations)",
                hash.name().to_uppercase()
            );
            let weak = matches!(cipher, Cipher::Des) || iterations < 1000;
            Some(Ok((
                Pbe::Pbes2 {
                    hash,
                    salt,
                    iterations,
                    key_len,
                    cipher,
                    iv,
                },
                Scheme { name, weak },
            )))
        }
        o if o.starts_with("1.2.840.113549.1.12.1.") => {
            let (cipher, name) = match o.rsplit('.').next()? {
                "3" => (Cipher::Tdes, "pbeWithSHAAnd3-KeyTripleDES-CBC"),
                "5" => (
                    Cipher::Rc2 {
                        key_len: 16,
                        eff_bits: 128,
                    },
                    "pbeWithSHAAnd128BitRC2-CBC",
                ),
                "6" => (
                    Cipher::Rc2 {
                        key_len: 5,
                        eff_bits: 40,
                    },
                    "pbeWithSHAAnd40BitRC2-CBC",
                ),
                "1" | "2" => return Some(Err(weak("pbeWithSHAAndRC4".into()))),
                "4" => return Some(Err(weak("pbeWithSHAAnd2-KeyTripleDES-CBC".into()))),
                _ => return None,
            };
            let mut p = params?.reader();
            let salt = p.expect(OCTET_STRING)?.value;
            let iterations = p.expect(asn1::INTEGER)?.uint()?;
            Some(Ok((
                Pbe::Pkcs12 {
                    cipher,
                    salt,
                    iterations,
                },
                weak(format!("{name} ({iterations} iterations)")),
            )))
        }
        o if o.starts_with("1.2.840.113549.1.5.") => Some(Err(weak(format!("PBES1 ({o})")))),
        _ => None,
    }
}

/// Describe the scheme of an AlgorithmIdentifier (None if it is not a password-based one).
pub fn describe_scheme(alg: Tlv<'_>) -> Option<Scheme> {
    match parse_scheme(alg)? {
        Ok((_, s)) | Err(s) => Some(s),
    }
}

fn decrypt_with(pbe: &Pbe<'_>, ct: &[u8], pw: &Password) -> Option<Vec<u8>> {
    match pbe {
        Pbe::Pbes2 {
            hash,
            salt,
            iterations,
            key_len,
            cipher,
            iv,
        } => {
            if *iterations == 0 || *iterations > MAX_ITERATIONS {
                return None;
            }
            let len = key_len.unwrap_or(cipher.key_len());
            if len != cipher.key_len() {
                return None;
            }
            if !super::budget::charge(*iterations * len.div_ceil(hash.sizes().0) as u64) {
                return None;
            }
            let mut key = vec![0u8; len];
            hash.pbkdf2(pw.utf8, salt, u32::try_from(*iterations).ok()?, &mut key);
            cipher.decrypt(&key, iv, ct)
        }
        Pbe::Pkcs12 {
            cipher,
            salt,
            iterations,
        } => {
            if *iterations == 0 || *iterations > MAX_ITERATIONS {
                return None;
            }
            let it = u32::try_from(*iterations).ok()?;
            // Key (up to 2 blocks) and IV (1 block).
            if !super::budget::charge(*iterations * 3) {
                return None;
            }
            let key = pkcs12_kdf(Hash::Sha1, pw.bmp, salt, 1, it, cipher.key_len());
            let iv = pkcs12_kdf(Hash::Sha1, pw.bmp, salt, 2, it, 8);
            cipher.decrypt(&key, &iv, ct)
        }
    }
}

/// Decrypt with the empty password / no password; None if neither works (or the scheme is not
/// supported). The caller checks that the result parses.
pub fn decrypt_empty(alg: Tlv<'_>, ct: &[u8]) -> Option<Vec<u8>> {
    let empty: Vec<&Password> = PASSWORDS.iter().take(2).collect();
    decrypt_labelled(alg, ct, &empty).map(|(d, _)| d)
}

/// Decrypt with the first of `candidates` that works, saying which.
fn decrypt_labelled(
    alg: Tlv<'_>,
    ct: &[u8],
    candidates: &[&'static Password],
) -> Option<(Vec<u8>, &'static str)> {
    let Ok((pbe, _)) = parse_scheme(alg)? else {
        return None;
    };
    let mut tried: Vec<&[u8]> = Vec::new();
    candidates.iter().find_map(|pw| {
        // PBES2 uses the password octets, equal for "empty" and "none": try them once.
        if matches!(pbe, Pbe::Pbes2 { .. }) {
            if tried.contains(&pw.utf8) {
                return None;
            }
            tried.push(pw.utf8);
        }
        decrypt_with(&pbe, ct, pw).map(|d| (d, pw.label))
    })
}

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

    let mut mac_password: Option<&'static Password> = None;
    // A MAC that none of our passwords verifies means the password is someone else's (or the file
    // is corrupt): decrypting with our candidates would be wasted work.
    let mut mac_rules_out = false;
    if let Some(mac) = mac_data {
        let parsed = (|| {
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
        })();
        match parsed {
            Some((alg_oid, digest, salt, iterations)) => match Hash::from_digest_oid(&alg_oid) {
                Some(hash) => {
                    ks.mac = Some(hash.name().into());
                    if (1..=MAX_ITERATIONS).contains(&iterations) {
                        let it = iterations as u32;
                        mac_password = PASSWORDS.iter().find(|pw| {
                            if !super::budget::charge(iterations) {
                                return false;
                            }
                            let key = pkcs12_kdf(hash, pw.bmp, salt, 3, it, hash.sizes().0);
                            hash.hmac_verify(&key, &content, digest)
                        });
                        ks.mac_verified = mac_password.is_some();
                        mac_rules_out = mac_password.is_none();
                    }
                }
                None => ks.mac = Some(alg_oid),
            },
            None => ks.mac = Some("unparseable".into()),
        }
    }

    let mut walk = Walk {
        // The password that verified the MAC opens the content; without one, try them all.
        passwords: match (mac_password, mac_rules_out) {
            (Some(p), _) => vec![p],
            (None, true) => Vec::new(),
            (None, false) => PASSWORDS.iter().collect(),
        },
        items: Vec::new(),
        entries: Vec::new(),
        incomplete: false,
        opened: None,
        any_encrypted: false,
        any_locked: false,
        schemes: Vec::new(),
        weak: false,
    };
    match asn1::sequence(&content) {
        Some((mut safes, _)) => {
            while let Some(ci) = safes.next() {
                content_info(ci, &mut walk);
            }
        }
        None => walk.incomplete = true,
    }
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
    Some(out)
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
            BAG_SHROUDED_KEY => {
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
            BAG_CERT => {
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
            BAG_SECRET => walk.entries.push(entry(alias, "secret_key", false, None)),
            BAG_CRL => walk.entries.push(entry(alias, "crl", false, None)),
            BAG_SAFE_CONTENTS => safe_contents(value.raw, walk, depth + 1),
            _ => walk.incomplete = true,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pkcs12_kdf_matches_rfc7292_vectors() {
        // Test vector from the PKCS#12 v1.0 test suite (used by OpenSSL and BouncyCastle):
        // password "smeg", salt 0A58CF64530D823F, ID 1, 1 iteration, 24 bytes.
        let pw: Vec<u8> = "smeg"
            .encode_utf16()
            .flat_map(u16::to_be_bytes)
            .chain([0, 0])
            .collect();
        let salt = hex::decode("0A58CF64530D823F").expect("hex");
        let key = pkcs12_kdf(Hash::Sha1, &pw, &salt, 1, 1, 24);
        assert_eq!(
            hex::encode_upper(key),
            "8AAAE6297B6CB04642AB5B077851284EB7128F1A2A7FBCA3"
        );
        let iv = pkcs12_kdf(Hash::Sha1, &pw, &salt, 2, 1, 8);
        assert_eq!(hex::encode_upper(iv), "79993DFE048D3B76");
    }
}
