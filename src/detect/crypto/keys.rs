//! DER key structures: PKCS#8 (clear and encrypted), PKCS#1, SEC1, OpenSSL DSA, SPKI, PKCS#1
//! public keys, DH parameters. Telling which structure a blob is lives in [`super::classify`],
//! so PKCS#12 (whose bags hold PKCS#8 keys) can use this module without a cycle.

use super::asn1::{self, oids};
use super::pubkey::PubKey;
use super::{CryptoInfo, Kind, pbe};
use der::Decode;
use der::asn1::ObjectIdentifier;

/// The DER object at the front of `data`, trimmed of anything after it.
pub fn first_tlv(data: &[u8]) -> Option<&[u8]> {
    asn1::read(data).map(|(t, _)| t.raw)
}

fn private(format: &str) -> CryptoInfo {
    CryptoInfo::new(Kind::PrivateKey, format)
}

/// PKCS#8 `PrivateKeyInfo` / `OneAsymmetricKey`.
pub fn pkcs8(der_bytes: &[u8]) -> Result<CryptoInfo, String> {
    let der_bytes = first_tlv(der_bytes).ok_or("not DER")?;
    let pki = pkcs8::PrivateKeyInfoRef::from_der(der_bytes).map_err(|e| format!("PKCS#8: {e}"))?;
    let oid = pki.algorithm.oid.to_string();
    let secret = pki.private_key.as_bytes();
    let params = pki.algorithm.parameters;
    let included_public = pki
        .public_key
        .and_then(|b| b.as_bytes().map(<[u8]>::to_vec));
    let mut info = private("pkcs8");
    match oid.as_str() {
        oids::RSA_ENCRYPTION | oids::RSASSA_PSS => {
            info.set_public(&pkcs8_rsa(secret, &oid, params)?)
        }
        oids::EC_PUBLIC_KEY => {
            let curve = params
                .and_then(|p| p.decode_as::<ObjectIdentifier>().ok())
                .map(|o| o.to_string());
            let inner = sec1_info(secret, curve.as_deref(), "pkcs8")?;
            info = inner;
        }
        oids::ED25519 | oids::X25519 | oids::ED448 | oids::X448 => {
            pkcs8_curve(&mut info, secret, &oid, included_public)?;
        }
        oids::DSA => {
            let pd = params
                .and_then(|p| der::Encode::to_der(&p).ok())
                .ok_or("PKCS#8 DSA: no parameters")?;
            let (mut r, _) = asn1::sequence(&pd).ok_or("PKCS#8 DSA: bad parameters")?;
            let p = r.expect(asn1::INTEGER).ok_or("PKCS#8 DSA: p")?;
            let q = r.expect(asn1::INTEGER).ok_or("PKCS#8 DSA: q")?;
            let g = r.expect(asn1::INTEGER).ok_or("PKCS#8 DSA: g")?;
            let (x, _) = asn1::read(secret).ok_or("PKCS#8 DSA: x")?;
            match PubKey::dsa_from_private(p.value, q.value, g.value, x.value) {
                Some(k) => info.set_public(&k),
                None => {
                    info.algorithm = Some("DSA".into());
                    info.bits = Some(asn1::bit_len(p.value));
                }
            }
        }
        oids::DH | oids::X942_DH => {
            info.algorithm = Some("DH".into());
            if let Some(pd) = params.and_then(|p| der::Encode::to_der(&p).ok())
                && let Some((mut r, _)) = asn1::sequence(&pd)
            {
                info.bits = r.expect(asn1::INTEGER).map(|p| asn1::bit_len(p.value));
            }
        }
        _ => {
            info.algorithm = Some(oid.clone());
        }
    }
    info.format = "pkcs8".into();
    Ok(info)
}

/// The public half of a PKCS#8 RSA or RSASSA-PSS key.
fn pkcs8_rsa(
    secret: &[u8],
    oid: &str,
    params: Option<der::asn1::AnyRef<'_>>,
) -> Result<PubKey, String> {
    let k = pkcs1::RsaPrivateKeyRef::from_der(secret).map_err(|e| format!("PKCS#8 RSA: {e}"))?;
    let mut key = PubKey::rsa(k.modulus.as_bytes(), k.public_exponent.as_bytes())
        .ok_or("PKCS#8 RSA: bad modulus")?;
    if oid == oids::RSASSA_PSS {
        // RSASSA-PSS keys keep their algorithm identifier in the SPKI.
        let exponent = key.rsa_exponent;
        let pkcs1_pub = pkcs1::RsaPublicKey {
            modulus: k.modulus,
            public_exponent: k.public_exponent,
        };
        let pub_der = der::Encode::to_der(&pkcs1_pub).map_err(|e| e.to_string())?;
        let params_der = params.and_then(|p| der::Encode::to_der(&p).ok());
        key = PubKey::with_algorithm("RSA", key.bits, oid, params_der, pub_der);
        key.rsa_exponent = exponent;
    }
    Ok(key)
}

/// A PKCS#8 Ed25519/X25519/Ed448/X448 key: its public half when it is included or derivable,
/// else the algorithm and size alone.
fn pkcs8_curve(
    info: &mut CryptoInfo,
    secret: &[u8],
    oid: &str,
    included_public: Option<Vec<u8>>,
) -> Result<(), String> {
    // CurvePrivateKey ::= OCTET STRING, inside the privateKey OCTET STRING.
    let (t, _) = asn1::read(secret).ok_or("PKCS#8: bad curve private key")?;
    let seed = t.value;
    let key = match (included_public, oid) {
        (Some(p), _) => PubKey::rfc8410(oid, &p),
        (None, oids::ED25519) => PubKey::ed25519_from_seed(seed),
        (None, oids::X25519) => PubKey::x25519_from_scalar(seed),
        // Ed448/X448 arithmetic is not available in a maintained stable crate.
        _ => None,
    };
    match key {
        Some(k) => info.set_public(&k),
        None => {
            let (name, bits) = match oid {
                oids::ED448 => ("Ed448", 456),
                oids::X448 => ("X448", 448),
                oids::ED25519 => ("Ed25519", 256),
                _ => ("X25519", 256),
            };
            info.algorithm = Some(name.into());
            info.bits = Some(bits);
        }
    }
    Ok(())
}

/// PKCS#1 `RSAPrivateKey`.
pub fn pkcs1_private(der_bytes: &[u8]) -> Result<CryptoInfo, String> {
    let der_bytes = first_tlv(der_bytes).ok_or("not DER")?;
    let k = pkcs1::RsaPrivateKeyRef::from_der(der_bytes).map_err(|e| format!("PKCS#1: {e}"))?;
    let key = PubKey::rsa(k.modulus.as_bytes(), k.public_exponent.as_bytes())
        .ok_or("PKCS#1: bad modulus")?;
    let mut info = private("pkcs1");
    info.set_public(&key);
    Ok(info)
}

/// SEC1 `ECPrivateKey`, with the curve from the outer PKCS#8 when the inner one omits it.
pub fn sec1_info(
    der_bytes: &[u8],
    outer_curve: Option<&str>,
    format: &str,
) -> Result<CryptoInfo, String> {
    let der_bytes = first_tlv(der_bytes).ok_or("not DER")?;
    let k = sec1::EcPrivateKey::from_der(der_bytes).map_err(|e| format!("SEC1: {e}"))?;
    let curve = k
        .parameters
        .map(|sec1::EcParameters::NamedCurve(o)| o.to_string())
        .or_else(|| outer_curve.map(str::to_string))
        .ok_or("SEC1: no curve")?;
    let key = match k.public_key {
        Some(point) => PubKey::ec(&curve, point),
        None => PubKey::ec_from_scalar(&curve, k.private_key),
    };
    let mut info = private(format);
    match key {
        Some(key) => info.set_public(&key),
        None => {
            info.algorithm = Some("EC".into());
            let known = oids::curve(&curve);
            info.curve = Some(known.map_or(curve.clone(), |c| c.0.to_string()));
            info.bits = known.map(|c| c.1);
        }
    }
    Ok(info)
}

/// OpenSSL's traditional DSA private key: SEQUENCE { 0, p, q, g, y, x }.
pub fn dsa_private(der_bytes: &[u8]) -> Result<CryptoInfo, String> {
    let (mut r, _) = asn1::sequence(der_bytes).ok_or("DSA: not a SEQUENCE")?;
    let mut ints = Vec::new();
    while let Some(t) = r.expect(asn1::INTEGER) {
        ints.push(t.value);
    }
    let [version, p, q, g, y, _x] = ints[..] else {
        return Err(format!("DSA: expected 6 integers, found {}", ints.len()));
    };
    if version != [0] || !r.is_empty() {
        return Err("DSA: bad version".into());
    }
    let key = PubKey::dsa(p, q, g, y).ok_or("DSA: bad parameters")?;
    let mut info = private("dsa");
    info.set_public(&key);
    Ok(info)
}

/// PKCS#8 `EncryptedPrivateKeyInfo`: the scheme is reported; the key is tried with the empty
/// password (a key "encrypted" with nothing is a key in clear).
pub fn encrypted_pkcs8(der_bytes: &[u8]) -> Result<CryptoInfo, String> {
    let (mut r, _) = asn1::sequence(der_bytes).ok_or("EncryptedPrivateKeyInfo: not a SEQUENCE")?;
    let alg = r
        .expect(asn1::SEQUENCE)
        .ok_or("EncryptedPrivateKeyInfo: algorithm")?;
    let data = r
        .next()
        .filter(|t| t.tag & 0x1f == asn1::OCTET_STRING)
        .ok_or("EncryptedPrivateKeyInfo: data")?;
    if !r.is_empty() {
        return Err("EncryptedPrivateKeyInfo: trailing data".into());
    }
    let scheme = pbe::describe_scheme(alg).ok_or("EncryptedPrivateKeyInfo: unknown algorithm")?;
    let ciphertext = data.octets().ok_or("EncryptedPrivateKeyInfo: bad data")?;
    let mut info = match pbe::decrypt_empty(alg, &ciphertext).and_then(|clear| pkcs8(&clear).ok()) {
        Some(mut clear) => {
            clear.empty_password = true;
            clear
        }
        None => private("pkcs8"),
    };
    info.encrypted = true;
    info.encryption = Some(scheme.name);
    info.weak_protection = scheme.weak;
    Ok(info)
}

/// SubjectPublicKeyInfo.
pub fn spki(der_bytes: &[u8]) -> Result<CryptoInfo, String> {
    let der_bytes = first_tlv(der_bytes).ok_or("not DER")?;
    let key = PubKey::from_spki(der_bytes).ok_or("SubjectPublicKeyInfo: does not parse")?;
    let mut info = CryptoInfo::new(Kind::PublicKey, "spki");
    info.set_public(&key);
    Ok(info)
}

/// PKCS#1 `RSAPublicKey`.
pub fn pkcs1_public(der_bytes: &[u8]) -> Result<CryptoInfo, String> {
    let der_bytes = first_tlv(der_bytes).ok_or("not DER")?;
    let key = PubKey::rsa_from_pkcs1(der_bytes).ok_or("RSAPublicKey: does not parse")?;
    // RSA exponents are odd; SEQUENCE { p, 2 } is DH parameters, not an RSA key.
    if key.rsa_exponent.is_some_and(|e| e % 2 == 0) {
        return Err("RSAPublicKey: even exponent".into());
    }
    let mut info = CryptoInfo::new(Kind::PublicKey, "pkcs1");
    info.set_public(&key);
    Ok(info)
}

/// PKCS#3 `DHParameter` (p, g[, length]) or X9.42 `DomainParameters` (p, g, q, ...).
pub fn dh_parameters(der_bytes: &[u8], x942: bool) -> Result<CryptoInfo, String> {
    let (mut r, _) = asn1::sequence(der_bytes).ok_or("DH parameters: not a SEQUENCE")?;
    let p = r.expect(asn1::INTEGER).ok_or("DH parameters: p")?;
    let g = r.expect(asn1::INTEGER).ok_or("DH parameters: g")?;
    if asn1::bit_len(p.value) < 64 || g.value.is_empty() {
        return Err("DH parameters: implausible group".into());
    }
    let mut info = CryptoInfo::new(Kind::DhParameters, if x942 { "x942" } else { "pkcs3" });
    info.algorithm = Some("DH".into());
    info.bits = Some(asn1::bit_len(p.value));
    Ok(info)
}
