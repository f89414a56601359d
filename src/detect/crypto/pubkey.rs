//! Public keys in one canonical shape, and their DER SubjectPublicKeyInfo.
//!
//! Every parser reduces what it found to a [`PubKey`]; the SPKI fingerprint is then computed the
//! same way whatever the source, which is what makes a private key, its `.pub`, its certificate
//! and its JWK pair up. Canonical means: RSA under `rsaEncryption` with NULL parameters and a
//! minimal `RSAPublicKey`; EC under `id-ecPublicKey` with the named-curve OID and the point
//! uncompressed; Ed25519/X25519/Ed448/X448 with absent parameters (RFC 8410); DSA with its
//! `Dss-Parms`. This is the encoding OpenSSL writes for `pkey -pubout`.

use super::asn1::{self, oids};
use der::asn1::{AnyRef, BitString, ObjectIdentifier, UintRef};
use der::{Decode, Encode};
use sha2::{Digest, Sha256};

/// A public key reduced to what the SPKI needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PubKey {
    pub algorithm: String,
    pub curve: Option<String>,
    pub bits: Option<u32>,
    pub rsa_exponent: Option<u64>,
    /// AlgorithmIdentifier OID (dotted).
    oid: String,
    /// DER of the AlgorithmIdentifier parameters, if any.
    params: Option<Vec<u8>>,
    /// Contents of the subjectPublicKey BIT STRING.
    key: Vec<u8>,
}

/// Bound on modulus sizes we accept (bigger is not a real key, and costs time to process).
pub const MAX_MODULUS_BITS: u32 = 16384;

fn der_oid(oid: &str) -> Option<Vec<u8>> {
    ObjectIdentifier::new(oid).ok()?.to_der().ok()
}

impl PubKey {
    /// RSA from big-endian modulus and exponent.
    pub fn rsa(n: &[u8], e: &[u8]) -> Option<PubKey> {
        let n = asn1::strip_zeros(n);
        let e = asn1::strip_zeros(e);
        let bits = asn1::bit_len(n);
        if bits == 0 || bits > MAX_MODULUS_BITS || e.is_empty() {
            return None;
        }
        let key = pkcs1::RsaPublicKey {
            modulus: UintRef::new(n).ok()?,
            public_exponent: UintRef::new(e).ok()?,
        }
        .to_der()
        .ok()?;
        let exponent = if e.len() <= 8 {
            Some(e.iter().fold(0u64, |a, b| (a << 8) | u64::from(*b)))
        } else {
            None
        };
        Some(PubKey {
            algorithm: "RSA".into(),
            curve: None,
            bits: Some(bits),
            rsa_exponent: exponent,
            oid: oids::RSA_ENCRYPTION.into(),
            params: Some(vec![asn1::NULL, 0]),
            key,
        })
    }

    /// RSA from a DER `RSAPublicKey`.
    pub fn rsa_from_pkcs1(der_bytes: &[u8]) -> Option<PubKey> {
        let k = pkcs1::RsaPublicKey::<UintRef<'_>>::from_der(der_bytes).ok()?;
        PubKey::rsa(k.modulus.as_bytes(), k.public_exponent.as_bytes())
    }

    /// EC from a curve OID and a SEC1 point (compressed points are decompressed where the curve
    /// is supported, so that every encoding of a key hashes alike).
    pub fn ec(curve_oid: &str, point: &[u8]) -> Option<PubKey> {
        let (name, bits) = match oids::curve(curve_oid) {
            Some((n, b)) => (Some(n.to_string()), Some(b)),
            None => (None, None),
        };
        if point.is_empty() || point.len() > 1024 {
            return None;
        }
        let point = match name.as_deref() {
            Some(n) => uncompressed(n, point).unwrap_or_else(|| point.to_vec()),
            None => point.to_vec(),
        };
        Some(PubKey {
            algorithm: "EC".into(),
            curve: name.or_else(|| Some(curve_oid.to_string())),
            bits,
            rsa_exponent: None,
            oid: oids::EC_PUBLIC_KEY.into(),
            params: Some(der_oid(curve_oid)?),
            key: point,
        })
    }

    /// EC public key computed from the private scalar, for the curves we can do arithmetic on.
    pub fn ec_from_scalar(curve_oid: &str, scalar: &[u8]) -> Option<PubKey> {
        use p256::elliptic_curve::sec1::ToSec1Point;
        let (name, _) = oids::curve(curve_oid)?;
        let point: Vec<u8> = match name {
            "P-256" => p256::SecretKey::from_slice(scalar)
                .ok()?
                .public_key()
                .to_sec1_point(false)
                .as_bytes()
                .to_vec(),
            "P-384" => p384::SecretKey::from_slice(scalar)
                .ok()?
                .public_key()
                .to_sec1_point(false)
                .as_bytes()
                .to_vec(),
            "P-521" => p521::SecretKey::from_slice(scalar)
                .ok()?
                .public_key()
                .to_sec1_point(false)
                .as_bytes()
                .to_vec(),
            "secp256k1" => k256::SecretKey::from_slice(scalar)
                .ok()?
                .public_key()
                .to_sec1_point(false)
                .as_bytes()
                .to_vec(),
            _ => return None,
        };
        PubKey::ec(curve_oid, &point)
    }

    /// One of the RFC 8410 keys (Ed25519, X25519, Ed448, X448) from its raw public bytes.
    pub fn rfc8410(oid: &str, raw: &[u8]) -> Option<PubKey> {
        let (name, len, bits) = match oid {
            oids::ED25519 => ("Ed25519", 32, 256),
            oids::X25519 => ("X25519", 32, 256),
            oids::ED448 => ("Ed448", 57, 456),
            oids::X448 => ("X448", 56, 448),
            _ => return None,
        };
        if raw.len() != len {
            return None;
        }
        Some(PubKey {
            algorithm: name.into(),
            curve: None,
            bits: Some(bits),
            rsa_exponent: None,
            oid: oid.into(),
            params: None,
            key: raw.to_vec(),
        })
    }

    pub fn ed25519(raw: &[u8]) -> Option<PubKey> {
        PubKey::rfc8410(oids::ED25519, raw)
    }

    pub fn x25519(raw: &[u8]) -> Option<PubKey> {
        PubKey::rfc8410(oids::X25519, raw)
    }

    /// Ed25519 public key from the 32-byte seed.
    pub fn ed25519_from_seed(seed: &[u8]) -> Option<PubKey> {
        let seed: [u8; 32] = seed.try_into().ok()?;
        let vk = ed25519_dalek::SigningKey::from_bytes(&seed).verifying_key();
        PubKey::ed25519(vk.as_bytes())
    }

    /// X25519 public key from the 32-byte private scalar (clamped by the library).
    pub fn x25519_from_scalar(scalar: &[u8]) -> Option<PubKey> {
        let scalar: [u8; 32] = scalar.try_into().ok()?;
        let secret = x25519_dalek::StaticSecret::from(scalar);
        PubKey::x25519(x25519_dalek::PublicKey::from(&secret).as_bytes())
    }

    /// DSA from p, q, g, y (big-endian).
    pub fn dsa(p: &[u8], q: &[u8], g: &[u8], y: &[u8]) -> Option<PubKey> {
        let bits = asn1::bit_len(p);
        if bits == 0 || bits > MAX_MODULUS_BITS {
            return None;
        }
        let params = DssParms {
            p: UintRef::new(asn1::strip_zeros(p)).ok()?,
            q: UintRef::new(asn1::strip_zeros(q)).ok()?,
            g: UintRef::new(asn1::strip_zeros(g)).ok()?,
        }
        .to_der()
        .ok()?;
        let key = UintRef::new(asn1::strip_zeros(y)).ok()?.to_der().ok()?;
        Some(PubKey {
            algorithm: "DSA".into(),
            curve: None,
            bits: Some(bits),
            rsa_exponent: None,
            oid: oids::DSA.into(),
            params: Some(params),
            key,
        })
    }

    /// DSA public key computed from the private x and the domain parameters: y = g^x mod p.
    pub fn dsa_from_private(p: &[u8], q: &[u8], g: &[u8], x: &[u8]) -> Option<PubKey> {
        use num_bigint::BigUint;
        // Bound the work: real DSA has p <= 3072 bits and x < q (<= 256 bits).
        if asn1::bit_len(p) > 4096 || asn1::bit_len(x) > 512 || !super::budget::charge(50_000) {
            return None;
        }
        let (pb, gb, xb) = (
            BigUint::from_bytes_be(p),
            BigUint::from_bytes_be(g),
            BigUint::from_bytes_be(x),
        );
        if pb.bits() < 2 {
            return None;
        }
        let y = gb.modpow(&xb, &pb).to_bytes_be();
        PubKey::dsa(p, q, g, &y)
    }

    /// Any SPKI, re-encoded canonically where the algorithm is known.
    pub fn from_spki(der_bytes: &[u8]) -> Option<PubKey> {
        let spki = spki::SubjectPublicKeyInfoRef::from_der(der_bytes).ok()?;
        let oid = spki.algorithm.oid.to_string();
        let key = spki.subject_public_key.as_bytes()?;
        let params = spki.algorithm.parameters;
        match oid.as_str() {
            oids::RSA_ENCRYPTION => PubKey::rsa_from_pkcs1(key),
            oids::EC_PUBLIC_KEY => {
                let curve = params?.decode_as::<ObjectIdentifier>().ok();
                match curve {
                    Some(c) => PubKey::ec(&c.to_string(), key),
                    // Explicit curve parameters: keep them verbatim.
                    None => Some(PubKey {
                        algorithm: "EC".into(),
                        curve: None,
                        bits: None,
                        rsa_exponent: None,
                        oid,
                        params: params.and_then(|p| p.to_der().ok()),
                        key: key.to_vec(),
                    }),
                }
            }
            oids::ED25519 | oids::X25519 | oids::ED448 | oids::X448 => PubKey::rfc8410(&oid, key),
            oids::DSA => {
                let pd = params?.to_der().ok()?;
                let (mut r, _) = asn1::sequence(&pd)?;
                let (pp, q, g) = (
                    r.expect(asn1::INTEGER)?,
                    r.expect(asn1::INTEGER)?,
                    r.expect(asn1::INTEGER)?,
                );
                let (y, _) = asn1::read(key)?;
                PubKey::dsa(pp.value, q.value, g.value, y.value)
            }
            _ => {
                // RSASSA-PSS, DH, GOST, ...: keep the encoding as found.
                let (algorithm, bits) = match oid.as_str() {
                    oids::RSASSA_PSS => (
                        "RSA",
                        pkcs1::RsaPublicKey::<UintRef<'_>>::from_der(key)
                            .ok()
                            .map(|k| asn1::bit_len(k.modulus.as_bytes())),
                    ),
                    oids::DH | oids::X942_DH => ("DH", params.and_then(dh_bits)),
                    _ => ("", None),
                };
                Some(PubKey {
                    algorithm: if algorithm.is_empty() {
                        oid.clone()
                    } else {
                        algorithm.into()
                    },
                    curve: None,
                    bits,
                    rsa_exponent: None,
                    oid,
                    params: params.and_then(|p| p.to_der().ok()),
                    key: key.to_vec(),
                })
            }
        }
    }

    /// A key under an arbitrary AlgorithmIdentifier (RSASSA-PSS keys keep their parameters).
    pub fn with_algorithm(
        algorithm: &str,
        bits: Option<u32>,
        oid: &str,
        params: Option<Vec<u8>>,
        key: Vec<u8>,
    ) -> PubKey {
        PubKey {
            algorithm: algorithm.into(),
            curve: None,
            bits,
            rsa_exponent: None,
            oid: oid.into(),
            params,
            key,
        }
    }

    /// DER SubjectPublicKeyInfo.
    pub fn spki_der(&self) -> Option<Vec<u8>> {
        let oid = ObjectIdentifier::new(&self.oid).ok()?;
        let params = match &self.params {
            Some(p) => Some(AnyRef::from_der(p).ok()?),
            None => None,
        };
        spki::SubjectPublicKeyInfo {
            algorithm: spki::AlgorithmIdentifier {
                oid,
                parameters: params,
            },
            subject_public_key: BitString::from_bytes(&self.key).ok()?,
        }
        .to_der()
        .ok()
    }

    /// SHA-256 of the DER SPKI, lowercase hex.
    pub fn spki_sha256(&self) -> Option<String> {
        self.spki_der().map(|d| hex::encode(Sha256::digest(&d)))
    }

    /// Raw public key bytes (the BIT STRING contents).
    pub fn raw(&self) -> &[u8] {
        &self.key
    }
}

/// DH group size from `DHParameter`/`DomainParameters` parameters (first INTEGER is p).
fn dh_bits(params: AnyRef<'_>) -> Option<u32> {
    let der_bytes = params.to_der().ok()?;
    let (mut r, _) = asn1::sequence(&der_bytes)?;
    Some(asn1::bit_len(r.expect(asn1::INTEGER)?.value))
}

#[derive(der::Sequence)]
struct DssParms<'a> {
    p: UintRef<'a>,
    q: UintRef<'a>,
    g: UintRef<'a>,
}

/// Uncompressed SEC1 encoding of a point on a supported curve.
fn uncompressed(curve: &str, point: &[u8]) -> Option<Vec<u8>> {
    use p256::elliptic_curve::sec1::ToSec1Point;
    if point.first() == Some(&4) {
        return Some(point.to_vec());
    }
    Some(match curve {
        "P-256" => p256::PublicKey::from_sec1_bytes(point)
            .ok()?
            .to_sec1_point(false)
            .as_bytes()
            .to_vec(),
        "P-384" => p384::PublicKey::from_sec1_bytes(point)
            .ok()?
            .to_sec1_point(false)
            .as_bytes()
            .to_vec(),
        "P-521" => p521::PublicKey::from_sec1_bytes(point)
            .ok()?
            .to_sec1_point(false)
            .as_bytes()
            .to_vec(),
        "secp256k1" => k256::PublicKey::from_sec1_bytes(point)
            .ok()?
            .to_sec1_point(false)
            .as_bytes()
            .to_vec(),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ed25519_spki_has_the_rfc8410_prefix() {
        let k = PubKey::ed25519(&[7u8; 32]).expect("key");
        let der_bytes = k.spki_der().expect("der");
        assert_eq!(
            &der_bytes[..12],
            &hex::decode("302a300506032b6570032100").expect("hex")[..]
        );
    }

    #[test]
    fn rsa_roundtrips_through_spki() {
        let mut n = vec![0xc5u8; 256];
        n[255] = 0x01;
        let k = PubKey::rsa(&n, &[1, 0, 1]).expect("rsa");
        assert_eq!(k.bits, Some(2048));
        assert_eq!(k.rsa_exponent, Some(65537));
        let again = PubKey::from_spki(&k.spki_der().expect("der")).expect("parse");
        assert_eq!(k, again);
    }
}
