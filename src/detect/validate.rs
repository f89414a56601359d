//! Named structural checks a rule can require of its secret (`validator = "…"`).
//!
//! These are offline checks of the token's own format — a checksum, an encoding that must decode —
//! which turn "looks like a token" into "is a well-formed token" and remove most false alarms on
//! random strings of the right shape. None of them contacts a service.

use base64::Engine as _;

/// Every validator a rule may name.
pub const NAMES: &[&str] = &[
    "github-crc32",
    "jwt",
    "bech32",
    "base64",
    "base64-64-bytes",
    "pypi-macaroon",
    "not-uuid",
    "gitlab-routable-crc32",
];

pub fn is_known(name: &str) -> bool {
    NAMES.contains(&name)
}

/// Run validator `name` on `secret`. Unknown names fail closed (rules are checked at load time).
pub fn check(name: &str, secret: &[u8]) -> bool {
    match name {
        "github-crc32" => github_crc32(secret),
        "jwt" => jwt(secret),
        "bech32" => bech32(secret),
        "base64" => decode_base64_any(secret).is_some(),
        "base64-64-bytes" => decode_base64_any(secret).is_some_and(|d| d.len() == 64),
        "pypi-macaroon" => pypi_macaroon(secret),
        "not-uuid" => !is_uuid(secret),
        "gitlab-routable-crc32" => gitlab_routable(secret),
        _ => false,
    }
}

const BASE62: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// Base62 of a CRC32, left-padded with '0' to six digits (the GitHub/npm token checksum form).
pub fn base62_crc32(data: &[u8]) -> [u8; 6] {
    let mut n = crc32fast::hash(data);
    let mut out = [b'0'; 6];
    for slot in out.iter_mut().rev() {
        *slot = BASE62[(n % 62) as usize];
        n /= 62;
    }
    out
}

/// GitHub (`ghp_`, `gho_`, `ghu_`, `ghs_`, `ghr_`) and npm (`npm_`) tokens: a prefix, 30 random
/// base62 characters, then the base62 CRC32 of those 30 characters in 6 characters.
fn github_crc32(secret: &[u8]) -> bool {
    let Some(us) = secret.iter().position(|&b| b == b'_') else {
        return false;
    };
    let body = &secret[us + 1..];
    if body.len() != 36 || !body.iter().all(u8::is_ascii_alphanumeric) {
        return false;
    }
    base62_crc32(&body[..30]) == body[30..]
}

pub fn decode_base64_any(s: &[u8]) -> Option<Vec<u8>> {
    use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};
    [STANDARD, URL_SAFE, STANDARD_NO_PAD, URL_SAFE_NO_PAD]
        .iter()
        .find_map(|e| e.decode(s).ok())
}

/// A JWT: three dot-separated base64url segments whose first two decode to JSON objects, the
/// header naming an `alg`.
fn jwt(secret: &[u8]) -> bool {
    let mut parts = secret.split(|&b| b == b'.');
    let (Some(h), Some(p)) = (parts.next(), parts.next()) else {
        return false;
    };
    let json_object = |seg: &[u8]| -> Option<serde_json::Map<String, serde_json::Value>> {
        let raw = decode_base64_any(seg)?;
        match serde_json::from_slice(&raw).ok()? {
            serde_json::Value::Object(m) => Some(m),
            _ => None,
        }
    };
    match (json_object(h), json_object(p)) {
        (Some(header), Some(_)) => header.contains_key("alg") || header.contains_key("typ"),
        _ => false,
    }
}

/// A Bech32 string (BIP 173) with a valid checksum, case-insensitive (age keys are upper case).
fn bech32(secret: &[u8]) -> bool {
    const CHARSET: &[u8] = b"qpzry9x8gf2tvdw0s3jn54khce6mua7l";
    let s = secret.to_ascii_lowercase();
    let Some(sep) = s.iter().rposition(|&b| b == b'1') else {
        return false;
    };
    if sep == 0 || s.len() - sep < 7 {
        return false;
    }
    let (hrp, data) = (&s[..sep], &s[sep + 1..]);
    let mut values = Vec::with_capacity(hrp.len() * 2 + 1 + data.len());
    values.extend(hrp.iter().map(|c| c >> 5));
    values.push(0);
    values.extend(hrp.iter().map(|c| c & 31));
    for c in data {
        match CHARSET.iter().position(|x| x == c) {
            Some(v) => values.push(v as u8),
            None => return false,
        }
    }
    const GEN: [u32; 5] = [0x3b6a_57b2, 0x2650_8e6d, 0x1ea1_19fa, 0x3d42_33dd, 0x2a14_62b3];
    let mut chk: u32 = 1;
    for v in values {
        let top = chk >> 25;
        chk = ((chk & 0x01ff_ffff) << 5) ^ u32::from(v);
        for (i, g) in GEN.iter().enumerate() {
            if (top >> i) & 1 == 1 {
                chk ^= g;
            }
        }
    }
    chk == 1
}

/// PyPI API tokens are macaroons: `pypi-` then base64url of a binary macaroon whose location
/// field names pypi.org (or test.pypi.org).
fn pypi_macaroon(secret: &[u8]) -> bool {
    let Some(body) = secret.strip_prefix(b"pypi-") else {
        return false;
    };
    decode_base64_any(body).is_some_and(|raw| {
        raw.len() > 32 && raw.windows(8).any(|w| w == b"pypi.org")
    })
}

/// GitLab routable tokens end in two base36 digits of the payload's length and seven base36
/// digits of the CRC32 of everything before those seven (prefix, payload, version and length).
fn gitlab_routable(secret: &[u8]) -> bool {
    let Some(body_len) = secret.len().checked_sub(7) else {
        return false;
    };
    let (body, crc) = secret.split_at(body_len);
    let mut n = crc32fast::hash(body);
    let mut want = [b'0'; 7];
    for slot in want.iter_mut().rev() {
        *slot = b"0123456789abcdefghijklmnopqrstuvwxyz"[(n % 36) as usize];
        n /= 36;
    }
    crc == want
}

pub fn is_uuid(s: &[u8]) -> bool {
    s.len() == 36
        && s.iter().enumerate().all(|(i, &c)| match i {
            8 | 13 | 18 | 23 => c == b'-',
            _ => c.is_ascii_hexdigit(),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn make_github(prefix: &str, random: &str) -> String {
        let crc = base62_crc32(random.as_bytes());
        format!("{prefix}_{random}{}", std::str::from_utf8(&crc).unwrap_or(""))
    }

    #[test]
    fn github_checksum_accepts_valid_and_rejects_tampered() {
        let tok = make_github("ghp", "Zx8Kq2Lm9Np4Rt7Vw1Yb3Cd6Fg0Hj5");
        assert!(check("github-crc32", tok.as_bytes()));
        let mut bad = tok.clone().into_bytes();
        bad[10] = if bad[10] == b'a' { b'b' } else { b'a' };
        assert!(!check("github-crc32", &bad));
    }

    #[test]
    fn bech32_checks_checksum() {
        // BIP-173 test vector.
        assert!(bech32(b"A12UEL5L"));
        assert!(bech32(b"abcdef1qpzry9x8gf2tvdw0s3jn54khce6mua7lmqqqxw"));
        assert!(!bech32(b"abcdef1qpzry9x8gf2tvdw0s3jn54khce6mua7lmqqqxx"));
    }

    #[test]
    fn jwt_needs_json_header_and_payload() {
        let b = |s: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s);
        let tok = format!("{}.{}.c2ln", b(r#"{"alg":"HS256","typ":"JWT"}"#), b(r#"{"sub":"1"}"#));
        assert!(check("jwt", tok.as_bytes()));
        let not = format!("{}.{}.c2ln", b("hello"), b("world"));
        assert!(!check("jwt", not.as_bytes()));
    }

    #[test]
    fn gitlab_routable_checksum() {
        // Built with GitLab's scheme; the last seven characters are the base36 CRC32.
        let ok = b"glpat-AyiFiQXxjbiI3x7URlRLJGM6MQpvOm03dDgKdDowCnU6cnFuM2QW.01.1g0ti171q";
        assert!(check("gitlab-routable-crc32", ok));
        let mut bad = ok.to_vec();
        bad[10] ^= 1;
        assert!(!check("gitlab-routable-crc32", &bad));
    }

    #[test]
    fn uuid_shape() {
        assert!(is_uuid(b"123e4567-e89b-12d3-a456-426614174000"));
        assert!(!is_uuid(b"123e4567e89b12d3a456426614174000xxxx"));
    }
}
