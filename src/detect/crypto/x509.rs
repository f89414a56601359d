//! X.509 certificates and PKCS#10 requests, parsed with `x509-parser`.

use super::asn1::oids;
use super::pubkey::PubKey;
use super::{CertInfo, CryptoInfo, CsrInfo, Kind};
use crate::time::rfc3339;
use sha2::{Digest, Sha256};
use x509_parser::certificate::X509Certificate;
use x509_parser::certification_request::X509CertificationRequest;
use x509_parser::extensions::{GeneralName, ParsedExtension};
use x509_parser::prelude::FromDer;

/// A certificate at the front of `der_bytes` (a `TRUSTED CERTIFICATE` has OpenSSL's trust
/// settings after it, which are ignored).
pub fn certificate(der_bytes: &[u8]) -> Option<CryptoInfo> {
    let (rest, cert) = x509_parser::parse_x509_certificate(der_bytes).ok()?;
    let raw = der_bytes.get(..der_bytes.len() - rest.len())?;
    let mut info = CryptoInfo::new(Kind::Certificate, "x509");
    public_key(&mut info, cert.public_key().raw);

    let tbs = &cert.tbs_certificate;
    let mut sans = Vec::new();
    if let Ok(Some(san)) = cert.subject_alternative_name() {
        sans = san.value.general_names.iter().map(general_name).collect();
    }
    let (is_ca, path_len) = match cert.basic_constraints() {
        Ok(Some(bc)) => (bc.value.ca, bc.value.path_len_constraint),
        _ => (false, None),
    };
    let key_usage = key_usage_names(&cert);
    let eku = extended_key_usage_names(&cert);
    let mut ski = None;
    let mut aki = None;
    for ext in cert.extensions() {
        match ext.parsed_extension() {
            ParsedExtension::SubjectKeyIdentifier(k) => ski = Some(hex::encode(k.0)),
            ParsedExtension::AuthorityKeyIdentifier(a) => {
                aki = a.key_identifier.as_ref().map(|k| hex::encode(k.0));
            }
            _ => {}
        }
    }
    let same_name = tbs.subject.as_raw() == tbs.issuer.as_raw();
    let self_signed = same_name && (aki.is_none() || ski.is_none() || aki == ski);
    let sig_oid = cert.signature_algorithm.algorithm.to_id_string();
    let serial = hex::encode(super::asn1::strip_zeros(tbs.raw_serial()));
    let nb = tbs.validity.not_before.timestamp();
    let na = tbs.validity.not_after.timestamp();
    info.certificate = Some(CertInfo {
        subject: tbs.subject.to_string(),
        issuer: tbs.issuer.to_string(),
        serial,
        not_before: rfc3339(nb),
        not_after: rfc3339(na),
        not_before_unix: nb,
        not_after_unix: na,
        signature_algorithm: oids::signature_name(&sig_oid).map_or(sig_oid.clone(), str::to_string),
        sans,
        is_ca,
        path_len,
        key_usage,
        extended_key_usage: eku,
        self_signed,
        cert_sha256: hex::encode(Sha256::digest(raw)),
        subject_key_id: ski,
        authority_key_id: aki,
        version: tbs.version.0 + 1,
    });
    Some(info)
}

/// The key-usage bits set, by their RFC 5280 names.
fn key_usage_names(cert: &X509Certificate<'_>) -> Vec<String> {
    let mut key_usage = Vec::new();
    if let Ok(Some(ku)) = cert.key_usage() {
        let names = [
            "digitalSignature",
            "nonRepudiation",
            "keyEncipherment",
            "dataEncipherment",
            "keyAgreement",
            "keyCertSign",
            "cRLSign",
            "encipherOnly",
            "decipherOnly",
        ];
        for (i, n) in names.iter().enumerate() {
            if ku.value.flags & (1 << i) != 0 {
                key_usage.push((*n).to_string());
            }
        }
    }
    key_usage
}

/// The extended key usages, by name, then any other purposes by OID.
fn extended_key_usage_names(cert: &X509Certificate<'_>) -> Vec<String> {
    let mut eku = Vec::new();
    if let Ok(Some(e)) = cert.extended_key_usage() {
        let e = e.value;
        let flags = [
            (e.any, "anyExtendedKeyUsage"),
            (e.server_auth, "serverAuth"),
            (e.client_auth, "clientAuth"),
            (e.code_signing, "codeSigning"),
            (e.email_protection, "emailProtection"),
            (e.time_stamping, "timeStamping"),
            (e.ocsp_signing, "OCSPSigning"),
        ];
        eku.extend(flags.iter().filter(|f| f.0).map(|f| f.1.to_string()));
        eku.extend(e.other.iter().map(|o| o.to_id_string()));
    }
    eku
}

/// A PKCS#10 certificate request.
pub fn csr(der_bytes: &[u8]) -> Option<CryptoInfo> {
    let (rest, req) = X509CertificationRequest::from_der(der_bytes).ok()?;
    let raw = der_bytes.get(..der_bytes.len() - rest.len())?;
    let mut info = CryptoInfo::new(Kind::Csr, "pkcs10");
    let cri = &req.certification_request_info;
    public_key(&mut info, cri.subject_pki.raw);
    let mut sans = Vec::new();
    if let Some(exts) = req.requested_extensions() {
        for e in exts {
            if let ParsedExtension::SubjectAlternativeName(san) = e {
                sans.extend(san.general_names.iter().map(general_name));
            }
        }
    }
    let sig_oid = req.signature_algorithm.algorithm.to_id_string();
    info.csr = Some(CsrInfo {
        subject: cri.subject.to_string(),
        signature_algorithm: oids::signature_name(&sig_oid).map_or(sig_oid.clone(), str::to_string),
        sans,
        csr_sha256: hex::encode(Sha256::digest(raw)),
    });
    Some(info)
}

fn public_key(info: &mut CryptoInfo, spki_der: &[u8]) {
    match PubKey::from_spki(spki_der) {
        Some(k) => info.set_public(&k),
        None => {
            info.error = Some("public key does not parse".into());
            info.spki_sha256 = Some(hex::encode(Sha256::digest(spki_der)));
        }
    }
}

fn general_name(g: &GeneralName<'_>) -> String {
    match g {
        GeneralName::DNSName(s) => format!("DNS:{s}"),
        GeneralName::RFC822Name(s) => format!("email:{s}"),
        GeneralName::URI(s) => format!("URI:{s}"),
        GeneralName::IPAddress(b) => format!("IP:{}", ip(b)),
        GeneralName::DirectoryName(n) => format!("DirName:{n}"),
        GeneralName::RegisteredID(o) => format!("RID:{}", o.to_id_string()),
        GeneralName::OtherName(o, _) => format!("othername:{}", o.to_id_string()),
        _ => "other".to_string(),
    }
}

fn ip(b: &[u8]) -> String {
    if let Ok(v4) = <[u8; 4]>::try_from(b) {
        std::net::Ipv4Addr::from(v4).to_string()
    } else if let Ok(v6) = <[u8; 16]>::try_from(b) {
        std::net::Ipv6Addr::from(v6).to_string()
    } else {
        hex::encode(b)
    }
}
