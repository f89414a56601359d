//! Password-based encryption: PBES2 (PBKDF2 + AES/3DES/DES-CBC), the PKCS#12 PBEs (SHA-1 +
//! 3DES / RC2) and the PKCS#12 key derivation, with the few passwords a scanner may try.
//!
//! Kept apart from the PKCS#12 container because PKCS#8 `EncryptedPrivateKeyInfo` (in
//! [`super::keys`]) uses the same schemes: both depend on this module, neither on the other.
//!
//! Work bounds: iteration counts above [`MAX_ITERATIONS`] are not attempted (real files use
//! 2048–600 000; a hostile file could ask for 2^31), and all key derivations of one `detect` call
//! share the budget in [`super::budget`].

use super::asn1::{self, OCTET_STRING, OID, SEQUENCE, Tlv, oids};
use cbc::cipher::block_padding::Pkcs7;
use cbc::cipher::{BlockModeDecrypt, InnerIvInit, KeyIvInit};
use hmac::{KeyInit, Mac};
use sha2::Digest;

pub const MAX_ITERATIONS: u64 = 300_000;

/// Hash functions used by the KDFs and MACs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Hash {
    Sha1,
    Sha224,
    Sha256,
    Sha384,
    Sha512,
}

impl Hash {
    pub(super) fn from_digest_oid(oid: &str) -> Option<Hash> {
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

    pub(super) fn name(self) -> &'static str {
        match self {
            Hash::Sha1 => "sha1",
            Hash::Sha224 => "sha224",
            Hash::Sha256 => "sha256",
            Hash::Sha384 => "sha384",
            Hash::Sha512 => "sha512",
        }
    }

    /// (output size, block size)
    pub(super) fn sizes(self) -> (usize, usize) {
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

    pub(super) fn hmac_verify(self, key: &[u8], data: &[u8], expected: &[u8]) -> bool {
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
pub(super) fn pkcs12_kdf(
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
pub(super) struct Password {
    pub(super) label: &'static str,
    /// PBES2: the octets of the password.
    pub(super) utf8: &'static [u8],
    /// PKCS#12 PBE and MAC: BMPString with terminator.
    pub(super) bmp: &'static [u8],
}

pub(super) const PASSWORDS: &[Password] = &[
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
            Cipher::Aes128 => cbc_decrypt::<aes::Aes128>(key, iv, &mut buf)?,
            Cipher::Aes192 => cbc_decrypt::<aes::Aes192>(key, iv, &mut buf)?,
            Cipher::Aes256 => cbc_decrypt::<aes::Aes256>(key, iv, &mut buf)?,
            Cipher::Tdes => cbc_decrypt::<des::TdesEde3>(key, iv, &mut buf)?,
            Cipher::Des => cbc_decrypt::<des::Des>(key, iv, &mut buf)?,
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

pub(super) fn oid_of(t: &Tlv<'_>) -> Option<String> {
    (t.tag == OID).then(|| asn1::oid_string(t.value))
}

/// Parse an AlgorithmIdentifier of a password-based scheme. Err(description) for schemes that
/// are recognised but not decryptable here (PBES1, scrypt, RC4).
fn parse_scheme(alg: Tlv<'_>) -> Parsed<'_> {
    let mut r = alg.reader();
    let oid = oid_of(&r.next()?)?;
    let params = r.next();
    let weak = |name: String| Scheme { name, weak: true };
    match oid.as_str() {
        oids::PBES2 => parse_pbes2(params?),
        o if o.starts_with("1.2.840.113549.1.12.1.") => parse_pkcs12_pbe(o, params),
        o if o.starts_with("1.2.840.113549.1.5.") => Some(Err(weak(format!("PBES1 ({o})")))),
        _ => None,
    }
}

type Parsed<'a> = Option<Result<(Pbe<'a>, Scheme), Scheme>>;

/// PBES2 parameters (RFC 8018 §A.4): a KDF (PBKDF2 here; scrypt only described) and a cipher.
fn parse_pbes2(params: Tlv<'_>) -> Parsed<'_> {
    let mut p = params.reader();
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

/// PKCS#12 PBE parameters (RFC 7292 Appendix C): salt and iterations; `oid` names the cipher.
fn parse_pkcs12_pbe<'a>(oid: &str, params: Option<Tlv<'a>>) -> Parsed<'a> {
    let weak = |name: String| Scheme { name, weak: true };
    let (cipher, name) = match oid.rsplit('.').next()? {
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
            if !crate::detect::crypto::budget::charge(
                *iterations * len.div_ceil(hash.sizes().0) as u64,
            ) {
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
            if !crate::detect::crypto::budget::charge(*iterations * 3) {
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
pub(super) fn decrypt_labelled(
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

/// CBC decryption with PKCS#7 padding under any of the block ciphers the schemes name.
fn cbc_decrypt<C>(key: &[u8], iv: &[u8], buf: &mut [u8]) -> Option<Vec<u8>>
where
    cbc::Decryptor<C>: KeyIvInit + BlockModeDecrypt,
    C: cbc::cipher::BlockCipherDecrypt,
{
    Some(
        cbc::Decryptor::<C>::new_from_slices(key, iv)
            .ok()?
            .decrypt_padded::<Pkcs7>(buf)
            .ok()?
            .to_vec(),
    )
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
