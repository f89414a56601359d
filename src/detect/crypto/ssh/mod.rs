//! SSH keys: OpenSSH private keys (`ssh-key` crate) here, with the key-data helpers the other
//! SSH formats share; PuTTY PPK files in [`ppk`]; public keys in OpenSSH one-line form (`.pub`,
//! `authorized_keys` with options, `known_hosts`, anywhere in text), RFC 4716 public keys and
//! OpenSSH certificates in [`public`]. One file per format grammar.

use super::pubkey::PubKey;
use super::{CryptoInfo, Kind, SK_PROTECTION, asn1::oids};
use ssh_key::public::KeyData;
use ssh_key::{EcdsaCurve, HashAlg, PublicKey};
use std::ops::Range;

mod ppk;
mod public;

pub(crate) use ppk::scan_ppk;
pub(crate) use public::{scan_public_lines, scan_rfc4716};

/// The SPKI-equivalent of an SSH public key.
pub fn key_data_pubkey(kd: &KeyData) -> Option<PubKey> {
    match kd {
        KeyData::Rsa(k) => PubKey::rsa(k.n().as_positive_bytes()?, k.e().as_positive_bytes()?),
        KeyData::Dsa(k) => PubKey::dsa(
            k.p().as_positive_bytes()?,
            k.q().as_positive_bytes()?,
            k.g().as_positive_bytes()?,
            k.y().as_positive_bytes()?,
        ),
        KeyData::Ecdsa(k) => PubKey::ec(curve_oid(k.curve())?, k.as_sec1_bytes()),
        KeyData::Ed25519(k) => PubKey::ed25519(&k.0),
        KeyData::SkEd25519(k) => PubKey::ed25519(&k.public_key().0),
        KeyData::SkEcdsaSha2NistP256(k) => {
            oids::curve_oid("P-256").and_then(|c| PubKey::ec(c, k.ec_point().as_bytes()))
        }
        _ => None,
    }
}

fn curve_oid(c: EcdsaCurve) -> Option<&'static str> {
    oids::curve_oid(match c {
        EcdsaCurve::NistP256 => "P-256",
        EcdsaCurve::NistP384 => "P-384",
        EcdsaCurve::NistP521 => "P-521",
    })
}

fn is_sk(kd: &KeyData) -> bool {
    matches!(kd, KeyData::SkEd25519(_) | KeyData::SkEcdsaSha2NistP256(_))
}

/// Fill the public-key fields of `info` from SSH key data.
fn set_key_data(info: &mut CryptoInfo, kd: &KeyData) {
    match key_data_pubkey(kd) {
        Some(k) => info.set_public(&k),
        None => info.algorithm = Some(kd.algorithm().as_str().to_string()),
    }
    info.ssh_sha256 = Some(kd.fingerprint(HashAlg::Sha256).to_string());
}

fn clean_comment(c: &str) -> Option<String> {
    let c = c.trim();
    if c.is_empty() {
        None
    } else {
        Some(c.chars().take(256).collect())
    }
}

/// The binary `openssh-key-v1` structure (the base64 body of an `OPENSSH PRIVATE KEY` block).
pub fn openssh_private(bin: &[u8]) -> CryptoInfo {
    let mut info = CryptoInfo::new(Kind::PrivateKey, "openssh");
    match ssh_key::PrivateKey::from_bytes(bin) {
        Ok(k) => {
            let kd = k.public_key().key_data();
            set_key_data(&mut info, kd);
            info.encrypted = k.is_encrypted();
            if info.encrypted {
                info.encryption = Some(format!(
                    "{}/{}",
                    k.cipher().as_str(),
                    k.kdf().algorithm().as_str()
                ));
            } else {
                info.comment = clean_comment(k.comment().as_str_lossy());
                if is_sk(kd) {
                    info.encryption = Some(SK_PROTECTION.into());
                }
            }
            info
        }
        Err(e) => match openssh_header(bin) {
            // A cipher or layout the crate does not know: the public key is still in clear.
            Some((cipher, kdf, kd)) if cipher != "none" => {
                set_key_data(&mut info, &kd);
                info.encrypted = true;
                info.encryption = Some(format!("{cipher}/{kdf}"));
                info
            }
            Some((_, _, kd)) => {
                let mut bad =
                    CryptoInfo::unparseable("openssh", format!("OpenSSH private key: {e}"));
                set_key_data(&mut bad, &kd);
                bad
            }
            None => CryptoInfo::unparseable("openssh", format!("OpenSSH private key: {e}")),
        },
    }
}

/// Magic, cipher name, KDF name and first public key of an `openssh-key-v1` blob.
fn openssh_header(bin: &[u8]) -> Option<(String, String, KeyData)> {
    let mut r = Wire(bin.strip_prefix(b"openssh-key-v1\0")?);
    let cipher = String::from_utf8(r.string()?.to_vec()).ok()?;
    let kdf = String::from_utf8(r.string()?.to_vec()).ok()?;
    r.string()?; // kdf options
    let n = r.u32()?;
    if n == 0 {
        return None;
    }
    let key = PublicKey::from_bytes(r.string()?).ok()?;
    Some((cipher, kdf, key.key_data().clone()))
}

/// SSH wire-format reader (RFC 4251 `uint32`, `string`).
struct Wire<'a>(&'a [u8]);

impl<'a> Wire<'a> {
    fn u32(&mut self) -> Option<u32> {
        let b: [u8; 4] = self.0.get(..4)?.try_into().ok()?;
        self.0 = self.0.get(4..)?;
        Some(u32::from_be_bytes(b))
    }

    fn string(&mut self) -> Option<&'a [u8]> {
        let n = self.u32()? as usize;
        let s = self.0.get(..n)?;
        self.0 = self.0.get(n..)?;
        Some(s)
    }
}

/// Line iterator with byte offsets; lines exclude the `\n` and a trailing `\r`.
fn lines_from(data: &[u8], start: usize) -> impl Iterator<Item = (Range<usize>, &[u8])> {
    let mut pos = start;
    std::iter::from_fn(move || {
        if pos >= data.len() {
            return None;
        }
        let rest = data.get(pos..)?;
        let len = memchr::memchr(b'\n', rest).unwrap_or(rest.len());
        let line = rest.get(..len)?;
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        let range = pos..pos + line.len();
        pos += len + 1;
        Some((range, line))
    })
}
