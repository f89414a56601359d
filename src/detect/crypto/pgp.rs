//! OpenPGP keys: the small subset of RFC 4880 (and RFC 9580 v6 key packets) needed to inventory
//! a key — packet framing, public-key packets (algorithm, size, v4 fingerprint), secret-key
//! packets (S2K usage: protected or not), user IDs.
//!
//! Why not `pgp` (rpgp) or `sequoia-openpgp`: both are full OpenPGP implementations (ciphers,
//! compression, signatures, dozens of crates, MSRV above this project's) to read a dozen bytes of
//! framing; nothing here decrypts or verifies.

use super::asn1::{self, oids};
use super::pubkey::PubKey;
use super::{CryptoInfo, Found, Kind, PgpInfo};
use crate::detect::openpgp_frame::{BodyLen, read_header};
use crate::time::rfc3339;
use sha1::Sha1;
use sha2::{Digest, Sha256};
use std::ops::Range;

const TAG_SECRET_KEY: u8 = 5;
const TAG_PUBLIC_KEY: u8 = 6;
const TAG_SECRET_SUBKEY: u8 = 7;
const TAG_USER_ID: u8 = 13;
const TAG_PUBLIC_SUBKEY: u8 = 14;

/// Packets read per blob at most (keyrings with thousands of signatures exist; this bounds work).
const MAX_PACKETS: usize = 100_000;

/// Packet header at the front of `data`: (tag, header length, body length). An indeterminate
/// length runs to the end of `data`; partial body lengths are not used for key packets.
fn header(data: &[u8]) -> Option<(u8, usize, usize)> {
    match read_header(data)? {
        (tag, hlen, BodyLen::Known(n)) => Some((tag, hlen, n)),
        (tag, 1, BodyLen::Indeterminate) => Some((tag, 1, data.len().checked_sub(1)?)),
        _ => None,
    }
}

/// Does the blob start with an OpenPGP key packet? O(1).
pub fn looks_like_binary_key(data: &[u8]) -> bool {
    match header(data) {
        Some((tag, hlen, blen)) => {
            matches!(tag, TAG_SECRET_KEY | TAG_PUBLIC_KEY)
                && matches!(data.get(hlen), Some(3..=6))
                && blen >= 8
                && hlen + blen <= data.len()
        }
        None => false,
    }
}

pub fn parse_binary(data: &[u8], span: Range<usize>, encoding: &str, out: &mut Vec<Found>) {
    for mut info in parse_packets(data) {
        info.encoding = encoding.into();
        out.push(Found {
            span: span.clone(),
            info,
        });
    }
}

/// Every key packet in a packet sequence, user IDs attached to their primary key.
pub fn parse_packets(mut data: &[u8]) -> Vec<CryptoInfo> {
    let mut infos: Vec<CryptoInfo> = Vec::new();
    let mut primary: Option<usize> = None;
    for _ in 0..MAX_PACKETS {
        let Some((tag, hlen, blen)) = header(data) else {
            break;
        };
        let Some(body) = data.get(hlen..hlen.saturating_add(blen)) else {
            if let Some(i) = infos.last_mut() {
                i.error = Some("truncated OpenPGP packet sequence".into());
            }
            break;
        };
        match tag {
            TAG_SECRET_KEY | TAG_PUBLIC_KEY | TAG_SECRET_SUBKEY | TAG_PUBLIC_SUBKEY => {
                let info = key_packet(tag, body);
                if matches!(tag, TAG_SECRET_KEY | TAG_PUBLIC_KEY) {
                    primary = Some(infos.len());
                }
                infos.push(info);
            }
            TAG_USER_ID => {
                if let Some(pgp) = primary
                    .and_then(|p| infos.get_mut(p))
                    .and_then(|i| i.openpgp.as_mut())
                    && pgp.user_ids.len() < 64
                {
                    pgp.user_ids
                        .push(String::from_utf8_lossy(body).chars().take(256).collect());
                }
            }
            _ => {}
        }
        data = data.get(hlen + blen..).unwrap_or_default();
        if data.is_empty() {
            break;
        }
    }
    infos
}

/// An MPI: 2-byte bit count, then the bytes.
fn mpi<'a>(d: &mut &'a [u8]) -> Option<&'a [u8]> {
    let bits = u16::from_be_bytes(d.get(..2)?.try_into().ok()?) as usize;
    let n = bits.div_ceil(8);
    let v = d.get(2..2 + n)?;
    *d = d.get(2 + n..)?;
    Some(v)
}

/// A curve OID (length-prefixed, without the DER tag).
fn curve(d: &mut &[u8]) -> Option<String> {
    let n = *d.first()? as usize;
    let oid = d.get(1..1 + n)?;
    *d = d.get(1 + n..)?;
    Some(asn1::oid_string(oid))
}

const OID_ED25519_LEGACY: &str = "1.3.6.1.4.1.11591.15.1";
const OID_CURVE25519_LEGACY: &str = "1.3.6.1.4.1.3029.1.5.1";

/// Public key material: the key (if it maps to an SPKI), algorithm name, bits.
fn material(algo: u8, d: &mut &[u8]) -> Option<(Option<PubKey>, String, Option<u32>)> {
    Some(match algo {
        1..=3 => {
            let (n, e) = (mpi(d)?, mpi(d)?);
            (PubKey::rsa(n, e), "RSA".into(), Some(asn1::bit_len(n)))
        }
        17 => {
            let (p, q, g, y) = (mpi(d)?, mpi(d)?, mpi(d)?, mpi(d)?);
            (
                PubKey::dsa(p, q, g, y),
                "DSA".into(),
                Some(asn1::bit_len(p)),
            )
        }
        16 | 20 => {
            let (p, _g, _y) = (mpi(d)?, mpi(d)?, mpi(d)?);
            (None, "ElGamal".into(), Some(asn1::bit_len(p)))
        }
        18 | 19 | 22 => {
            let oid = curve(d)?;
            let point = mpi(d)?;
            if algo == 18 {
                // KDF parameters: length-prefixed.
                let n = *d.first()? as usize;
                *d = d.get(1 + n..)?;
            }
            let stripped = point.strip_prefix(&[0x40]).unwrap_or(point);
            match oid.as_str() {
                OID_ED25519_LEGACY => (PubKey::ed25519(stripped), "Ed25519".into(), Some(256)),
                OID_CURVE25519_LEGACY => (PubKey::x25519(stripped), "X25519".into(), Some(256)),
                oids::ED448 => (
                    PubKey::rfc8410(oids::ED448, stripped),
                    "Ed448".into(),
                    Some(456),
                ),
                oids::X448 => (
                    PubKey::rfc8410(oids::X448, stripped),
                    "X448".into(),
                    Some(448),
                ),
                _ => {
                    let key = PubKey::ec(&oid, point);
                    let bits = key.as_ref().and_then(|k| k.bits);
                    (key, "EC".into(), bits)
                }
            }
        }
        25..=28 => {
            let (oid, len, name, bits) = match algo {
                25 => (oids::X25519, 32, "X25519", 256),
                26 => (oids::X448, 56, "X448", 448),
                27 => (oids::ED25519, 32, "Ed25519", 256),
                _ => (oids::ED448, 57, "Ed448", 456),
            };
            let raw = d.get(..len)?;
            *d = d.get(len..)?;
            (PubKey::rfc8410(oid, raw), name.into(), Some(bits))
        }
        _ => (None, format!("openpgp-algorithm-{algo}"), None),
    })
}

fn sym_name(id: u8) -> String {
    match id {
        1 => "IDEA".into(),
        2 => "3DES".into(),
        3 => "CAST5".into(),
        4 => "Blowfish".into(),
        7 => "AES-128".into(),
        8 => "AES-192".into(),
        9 => "AES-256".into(),
        10 => "Twofish".into(),
        11 => "Camellia-128".into(),
        12 => "Camellia-192".into(),
        13 => "Camellia-256".into(),
        _ => format!("cipher-{id}"),
    }
}

fn key_packet(tag: u8, body: &[u8]) -> CryptoInfo {
    match key_packet_inner(tag, body) {
        Some(info) => info,
        None => CryptoInfo::unparseable("openpgp", "OpenPGP key packet does not parse"),
    }
}

fn key_packet_inner(tag: u8, body: &[u8]) -> Option<CryptoInfo> {
    let version = *body.first()?;
    let created = u32::from_be_bytes(body.get(1..5)?.try_into().ok()?);
    // v5/v6 insert a four-octet key material length before the material.
    let (algo, mut d) = match version {
        2 | 3 => (*body.get(7)?, body.get(8..)?),
        4 => (*body.get(5)?, body.get(6..)?),
        5 | 6 => (*body.get(5)?, body.get(10..)?),
        _ => return None,
    };
    let (key, algorithm, bits) = material(algo, &mut d)?;
    let public_len = body.len() - d.len();
    let public_part = body.get(..public_len)?;
    let fingerprint = match version {
        4 => {
            let mut h = Sha1::new();
            h.update([0x99]);
            h.update(u16::try_from(public_part.len()).ok()?.to_be_bytes());
            h.update(public_part);
            hex::encode(h.finalize())
        }
        5 | 6 => {
            let mut h = Sha256::new();
            h.update([if version == 6 { 0x9b } else { 0x9a }]);
            h.update(u32::try_from(public_part.len()).ok()?.to_be_bytes());
            h.update(public_part);
            hex::encode(h.finalize())
        }
        _ => String::new(),
    };
    let secret = matches!(tag, TAG_SECRET_KEY | TAG_SECRET_SUBKEY);
    let mut info = CryptoInfo::new(
        if secret {
            Kind::PrivateKey
        } else {
            Kind::PublicKey
        },
        "openpgp",
    );
    match &key {
        Some(k) => info.set_public(k),
        None => {
            info.algorithm = Some(algorithm.clone());
            info.bits = bits;
        }
    }
    let mut stub = false;
    if secret {
        let (encrypted, scheme, weak, is_stub) = s2k(version, d)?;
        info.encrypted = encrypted;
        info.encryption = scheme;
        info.weak_protection = weak;
        stub = is_stub;
        if stub {
            // gpg --export-secret-subkeys / smartcard: a secret packet without a secret.
            info.kind = Kind::PublicKey;
            info.encrypted = false;
        }
    }
    let key_id = fingerprint
        .get(fingerprint.len().saturating_sub(16)..)
        .unwrap_or_default()
        .to_string();
    info.openpgp = Some(PgpInfo {
        fingerprint,
        key_id,
        created: rfc3339(i64::from(created)),
        user_ids: Vec::new(),
        subkey: matches!(tag, TAG_SECRET_SUBKEY | TAG_PUBLIC_SUBKEY),
        stub,
    });
    Some(info)
}

/// Secret-key protection: (encrypted, scheme, weak, stub).
fn s2k(version: u8, d: &[u8]) -> Option<(bool, Option<String>, bool, bool)> {
    let usage = *d.first()?;
    if usage == 0 {
        return Some((false, None, false, false));
    }
    // v5/v6 put a length octet after the usage octet.
    let rest = if matches!(version, 5 | 6) {
        d.get(2..)?
    } else {
        d.get(1..)?
    };
    if usage != 254 && usage != 255 && usage != 253 {
        // Legacy: the usage octet is the cipher, the key is MD5(passphrase).
        return Some((
            true,
            Some(format!("{}/MD5 (legacy, no salt)", sym_name(usage))),
            true,
            false,
        ));
    }
    let sym = *rest.first()?;
    if usage == 253 {
        return Some((true, Some(format!("{}/AEAD", sym_name(sym))), false, false));
    }
    let spec = rest.get(1..)?;
    let s2k_type = *spec.first()?;
    Some(match s2k_type {
        0 => (
            true,
            Some(format!("{}/S2K simple", sym_name(sym))),
            true,
            false,
        ),
        1 => (
            true,
            Some(format!("{}/S2K salted", sym_name(sym))),
            true,
            false,
        ),
        3 => (
            true,
            Some(format!("{}/S2K iterated+salted", sym_name(sym))),
            false,
            false,
        ),
        4 => (
            true,
            Some(format!("{}/S2K Argon2", sym_name(sym))),
            false,
            false,
        ),
        101 => {
            // GNU extension: "GNU" then mode 1 (no secret) or 2 (on a smartcard).
            if spec.get(2..5) == Some(b"GNU") {
                (false, Some("gnu-dummy".into()), false, true)
            } else {
                (true, Some("gnu-extension".into()), false, false)
            }
        }
        _ => (
            true,
            Some(format!("{}/S2K type {s2k_type}", sym_name(sym))),
            false,
            false,
        ),
    })
}
