//! age identities (`AGE-SECRET-KEY-1…`) and recipients (`age1…`), and WireGuard keys. Both are
//! X25519: the recipient / public key is derived from the identity / private key, so the pair
//! shares one SPKI fingerprint.

use super::pubkey::PubKey;
use super::{CryptoInfo, Found, Kind};
use crate::detect::encoding::{decode_std, encode_std};
use bech32::{Bech32, Hrp};
use memchr::memmem;

const IDENTITY_HRP: &str = "age-secret-key-";
const RECIPIENT_HRP: &str = "age";

fn is_word(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'-'
}

/// The token starting at `start` made of bytes satisfying `ok`, if it starts at a word boundary.
fn token(data: &[u8], start: usize, ok: impl Fn(u8) -> bool, max: usize) -> Option<&str> {
    if start > 0 && data.get(start - 1).is_some_and(|b| is_word(*b)) {
        return None;
    }
    let rest = data.get(start..)?;
    let len = rest.iter().take(max + 1).take_while(|b| ok(**b)).count();
    if len > max {
        return None;
    }
    std::str::from_utf8(rest.get(..len)?).ok()
}

/// Recipient string of an X25519 public key.
fn recipient(pubkey: &[u8]) -> Option<String> {
    let hrp = Hrp::parse(RECIPIENT_HRP).ok()?;
    bech32::encode::<Bech32>(hrp, pubkey).ok()
}

pub fn scan(data: &[u8], out: &mut Vec<Found>) {
    for start in memmem::find_iter(data, b"AGE-SECRET-KEY-1") {
        let Some(tok) = token(
            data,
            start,
            |b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'-',
            90,
        ) else {
            continue;
        };
        let info = match bech32::decode(tok) {
            Ok((hrp, bytes))
                if hrp.as_str().eq_ignore_ascii_case(IDENTITY_HRP) && bytes.len() == 32 =>
            {
                match PubKey::x25519_from_scalar(&bytes) {
                    Some(k) => {
                        let mut info = CryptoInfo::new(Kind::PrivateKey, "age");
                        info.set_public(&k);
                        info.public_key = recipient(k.raw());
                        info
                    }
                    None => CryptoInfo::unparseable("age", "age identity: bad key"),
                }
            }
            Ok(_) => CryptoInfo::unparseable("age", "age identity: wrong prefix or length"),
            Err(e) => CryptoInfo::unparseable("age", format!("age identity: {e}")),
        };
        let mut info = info;
        info.encoding = "text".into();
        out.push(Found {
            span: start..start + tok.len(),
            info,
        });
    }
    for start in memmem::find_iter(data, b"age1") {
        // Recipients are exactly 62 characters of lowercase bech32; plugin (`age1yubikey1…`) and
        // post-quantum recipients have other prefixes or lengths and are not X25519.
        let Some(tok) = token(
            data,
            start,
            |b| b.is_ascii_lowercase() || b.is_ascii_digit(),
            62,
        ) else {
            continue;
        };
        if tok.len() != 62 {
            continue;
        }
        let Ok((hrp, bytes)) = bech32::decode(tok) else {
            continue;
        };
        if hrp.as_str() != RECIPIENT_HRP {
            continue;
        }
        let Some(k) = PubKey::x25519(&bytes) else {
            continue;
        };
        let mut info = CryptoInfo::new(Kind::PublicKey, "age");
        info.encoding = "text".into();
        info.set_public(&k);
        info.public_key = Some(tok.to_string());
        out.push(Found {
            span: start..start + tok.len(),
            info,
        });
    }
}

/// WireGuard `PrivateKey =`, `PublicKey =` and `PresharedKey =` lines (wg-quick / wg(8) INI).
pub fn scan_wireguard(data: &[u8], out: &mut Vec<Found>) {
    let looks_like_wg =
        memmem::find(data, b"[Interface]").is_some() || memmem::find(data, b"[Peer]").is_some();
    let mut names: Vec<&[u8]> = vec![b"PrivateKey", b"PresharedKey"];
    if looks_like_wg {
        names.push(b"PublicKey");
    }
    for name in names {
        for start in memmem::find_iter(data, name) {
            let Some((key, span)) = wg_value(data, start, name.len()) else {
                continue;
            };
            let mut info = match name {
                b"PrivateKey" => {
                    let Some(k) = PubKey::x25519_from_scalar(&key) else {
                        continue;
                    };
                    let mut info = CryptoInfo::new(Kind::PrivateKey, "wireguard");
                    info.set_public(&k);
                    info.public_key = Some(encode_std(k.raw()));
                    info
                }
                b"PublicKey" => {
                    let Some(k) = PubKey::x25519(&key) else {
                        continue;
                    };
                    let mut info = CryptoInfo::new(Kind::PublicKey, "wireguard");
                    info.set_public(&k);
                    info.public_key = Some(encode_std(k.raw()));
                    info
                }
                _ => {
                    let mut info = CryptoInfo::new(Kind::SymmetricKey, "wireguard");
                    info.algorithm = Some("WireGuard-PSK".into());
                    info.bits = Some(256);
                    info
                }
            };
            info.encoding = "text".into();
            out.push(Found { span, info });
        }
    }
}

/// `Name = <base64 of 32 bytes>` at the start of a line.
fn wg_value(
    data: &[u8],
    start: usize,
    name_len: usize,
) -> Option<(Vec<u8>, std::ops::Range<usize>)> {
    let line_start = data
        .get(..start)
        .and_then(|d| memchr::memrchr(b'\n', d))
        .map_or(0, |p| p + 1);
    if !data
        .get(line_start..start)?
        .iter()
        .all(|b| *b == b' ' || *b == b'\t')
    {
        return None;
    }
    let mut i = start + name_len;
    while matches!(data.get(i), Some(b' ' | b'\t')) {
        i += 1;
    }
    if data.get(i) != Some(&b'=') {
        return None;
    }
    i += 1;
    while matches!(data.get(i), Some(b' ' | b'\t')) {
        i += 1;
    }
    let value = data.get(i..(i + 44).min(data.len()))?;
    if value.len() != 44 || value.get(43) != Some(&b'=') {
        return None;
    }
    if data
        .get(i + 44)
        .is_some_and(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'='))
    {
        return None;
    }
    let key = decode_std(value)?;
    (key.len() == 32).then_some((key, i..i + 44))
}
