//! Which structure a DER object is: a certificate, CSR, PKCS#12 keystore or one of the key
//! structures of [`super::keys`], by trying each in turn or by its PEM label.
//!
//! A dispatcher above both the key parsers and the PKCS#12 container (which itself reads PKCS#8
//! keys), so that dependencies stay one-way: classify -> pkcs12 -> keys -> pbe.

use super::asn1;
use super::{CryptoInfo, Found, keys, pkcs12, x509};

type Parser = fn(&[u8]) -> Result<CryptoInfo, String>;

/// What a DER object is, by trying each structure in turn. Returns the infos found (a PKCS#12
/// yields the keystore and what it opened to) or None if it is none of them.
pub fn classify_der(der_bytes: &[u8]) -> Option<Vec<CryptoInfo>> {
    let obj = keys::first_tlv(der_bytes)?;
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
        keys::pkcs8,
        keys::pkcs1_private,
        |d| keys::sec1_info(d, None, "sec1"),
        keys::dsa_private,
        keys::spki,
        keys::encrypted_pkcs8,
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
    keys::pkcs1_public(der_bytes).or_else(|_| keys::dh_parameters(der_bytes, false))
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
            one(keys::pkcs1_private(der_bytes).or_else(|e| keys::pkcs8(der_bytes).map_err(|_| e)))
        }
        "PRIVATE KEY" => one(keys::pkcs8(der_bytes).or_else(|e| fallback(der_bytes).ok_or(e))),
        "ENCRYPTED PRIVATE KEY" => one(keys::encrypted_pkcs8(der_bytes)),
        "EC PRIVATE KEY" => one(keys::sec1_info(der_bytes, None, "sec1")),
        "DSA PRIVATE KEY" => one(keys::dsa_private(der_bytes)),
        "PUBLIC KEY" => one(keys::spki(der_bytes)),
        "RSA PUBLIC KEY" => {
            one(keys::pkcs1_public(der_bytes).or_else(|e| keys::spki(der_bytes).map_err(|_| e)))
        }
        "DH PARAMETERS" => one(keys::dh_parameters(der_bytes, false)),
        "X9.42 DH PARAMETERS" => one(keys::dh_parameters(der_bytes, true)),
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
