//! DER key structures: PKCS#8 (clear and encrypted), PKCS#1, SEC1, OpenSSL DSA, SPKI, PKCS#1
//! public keys, DH parameters; and the classifier that tells which of them (or a certificate, CSR
//! or PKCS#12) a DER blob is.

use super::asn1::{self, oids};
use super::pubkey::PubKey;
use super::{CryptoInfo, Found, Kind, pkcs12, x509};
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
            let k = pkcs1::RsaPrivateKeyRef::from_der(secret)
                .map_err(|e| format!("PKCS#8 RSA: {e}"))?;
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
                key = PubKey::with_algorithm("RSA", key.bits, &oid, params_der, pub_der);
                key.rsa_exponent = exponent;
            }
            info.set_public(&key);
        }
        oids::EC_PUBLIC_KEY => {
            let curve = params
                .and_then(|p| p.decode_as::<ObjectIdentifier>().ok())
                .map(|o| o.to_string());
            let inner = sec1_info(secret, curve.as_deref(), "pkcs8")?;
            info = inner;
        }
        oids::ED25519 | oids::X25519 | oids::ED448 | oids::X448 => {
            // CurvePrivateKey ::= OCTET STRING, inside the privateKey OCTET STRING.
            let (t, _) = asn1::read(secret).ok_or("PKCS#8: bad curve private key")?;
            let seed = t.value;
            let key = match (included_public, oid.as_str()) {
                (Some(p), _) => PubKey::rfc8410(&oid, &p),
                (None, oids::ED25519) => PubKey::ed25519_from_seed(seed),
                (None, oids::X25519) => PubKey::x25519_from_scalar(seed),
                // Ed448/X448 arithmetic is not available in a maintained stable crate.
                _ => None,
            };
            match key {
                Some(k) => info.set_public(&k),
                None => {
                    let (name, bits) = match oid.as_str() {
                        oids::ED448 => ("Ed448", 456),
                        oids::X448 => ("X448", 448),
                        oids::ED25519 => ("Ed25519", 256),
                        _ => ("X25519", 256),
                    };
                    info.algorithm = Some(name.into());
                    info.bits = Some(bits);
                }
            }
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
    let scheme =
        pkcs12::describe_scheme(alg).ok_or("EncryptedPrivateKeyInfo: unknown algorithm")?;
    let ciphertext = data.octets().ok_or("EncryptedPrivateKeyInfo: bad data")?;
    let mut info =
        match pkcs12::decrypt_empty(alg, &ciphertext).and_then(|clear| pkcs8(&clear).ok()) {
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

type Parser = fn(&[u8]) -> Result<CryptoInfo, String>;

/// What a DER object is, by trying each structure in turn. Returns the infos found (a PKCS#12
/// yields the keystore and what it opened to) or None if it is none of them.
pub fn classify_der(der_bytes: &[u8]) -> Option<Vec<CryptoInfo>> {
    let obj = first_tlv(der_bytes)?;
    if let Some(info) = x509::certificate(obj) {
        return Some(vec![info]);
    }
    if let Some(info) = x509::csr(obj) {
        return Some(vec![info]);
    }
    if let Some(infos) = pkcs12::parse(obj) {
        return Some(infos);
    }
    let attempts: [Parser; 7] = [
        pkcs8,
        pkcs1_private,
        |d| sec1_info(d, None, "sec1"),
        dsa_private,
        spki,
        encrypted_pkcs8,
        unlabelled_two_integers,
    ];
    attempts.iter().find_map(|f| f(obj).ok()).map(|i| vec![i])
}

/// SEQUENCE { INTEGER, INTEGER } without a label: an RSA public key or DH parameters only when
/// the numbers look like one (a large modulus and a small second number), since ECDSA
/// signatures and many other structures have the same shape.
fn unlabelled_two_integers(der_bytes: &[u8]) -> Result<CryptoInfo, String> {
    let (mut r, _) = asn1::sequence(der_bytes).ok_or("not a SEQUENCE")?;
    let big = r.expect(asn1::INTEGER).ok_or("first INTEGER")?;
    let small = r.expect(asn1::INTEGER).ok_or("second INTEGER")?;
    if asn1::bit_len(big.value) < 512 || small.uint().is_none_or(|v| v < 2) {
        return Err("not a key".into());
    }
    pkcs1_public(der_bytes).or_else(|_| dh_parameters(der_bytes, false))
}

/// A blob that is one DER object (a `.der`, `.cer`, `.p12`, `.key` by content).
pub fn sniff_der_blob(data: &[u8]) -> Option<Vec<Found>> {
    if !asn1::looks_like_der(data) {
        return None;
    }
    let infos = classify_der(data)?;
    Some(
        infos
            .into_iter()
            .map(|mut info| {
                if info.encoding.is_empty() {
                    info.encoding = "der".into();
                }
                Found {
                    span: 0..data.len(),
                    info,
                }
            })
            .collect(),
    )
}

/// Parse the DER of a PEM block according to its label.
pub fn from_pem_label(label: &str, der_bytes: &[u8]) -> Vec<CryptoInfo> {
    let one = |r: Result<CryptoInfo, String>| match r {
        Ok(i) => vec![i],
        Err(e) => vec![CryptoInfo::unparseable("pem", e)],
    };
    match label {
        "RSA PRIVATE KEY" => {
            one(pkcs1_private(der_bytes).or_else(|e| pkcs8(der_bytes).map_err(|_| e)))
        }
        "PRIVATE KEY" => one(pkcs8(der_bytes).or_else(|e| fallback(der_bytes).ok_or(e))),
        "ENCRYPTED PRIVATE KEY" => one(encrypted_pkcs8(der_bytes)),
        "EC PRIVATE KEY" => one(sec1_info(der_bytes, None, "sec1")),
        "DSA PRIVATE KEY" => one(dsa_private(der_bytes)),
        "PUBLIC KEY" => one(spki(der_bytes)),
        "RSA PUBLIC KEY" => {
            one(pkcs1_public(der_bytes).or_else(|e| spki(der_bytes).map_err(|_| e)))
        }
        "DH PARAMETERS" => one(dh_parameters(der_bytes, false)),
        "X9.42 DH PARAMETERS" => one(dh_parameters(der_bytes, true)),
        "CERTIFICATE" | "X509 CERTIFICATE" | "TRUSTED CERTIFICATE" => {
            one(x509::certificate(der_bytes)
                .ok_or_else(|| "certificate does not parse".to_string()))
        }
        "CERTIFICATE REQUEST" | "NEW CERTIFICATE REQUEST" => {
            one(x509::csr(der_bytes)
                .ok_or_else(|| "certificate request does not parse".to_string()))
        }
        "PKCS12" => pkcs12::parse(der_bytes)
            .unwrap_or_else(|| vec![CryptoInfo::unparseable("pem", "PKCS#12")]),
        _ => Vec::new(),
    }
}

/// A mislabelled block: whatever structure the DER really is.
fn fallback(der_bytes: &[u8]) -> Option<CryptoInfo> {
    classify_der(der_bytes).and_then(|v| v.into_iter().next())
}
