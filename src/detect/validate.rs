//! Named structural checks a rule can require of its secret (`validator = "…"`).
//!
//! These are offline checks of the token's own format — a checksum, an encoding that must decode —
//! which turn "looks like a token" into "is a well-formed token" and remove most false alarms on
//! random strings of the right shape. None of them contacts a service.

use crate::detect::encoding::decode_any;
use crate::detect::filter::{self, ValueKind};
use crate::detect::value_shape::is_uuid;

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
    "generic-password",
    "generic-secret",
    "generic-token",
    "url-password",
    "base64-user-pass",
    "base64-32-bytes",
    "private-key-block",
    "jwt-signed",
    "k8s-secret-data",
    "base64-private-key",
    "k8s-secret-value",
    "not-placeholder",
    "grafana-legacy-key",
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
        "base64" => decode_any(secret).is_some(),
        "base64-64-bytes" => decode_any(secret).is_some_and(|d| d.len() == 64),
        "pypi-macaroon" => pypi_macaroon(secret),
        "not-uuid" => !is_uuid(secret),
        "gitlab-routable-crc32" => gitlab_routable(secret),
        "generic-password" => filter::is_plausible_secret(secret, ValueKind::Password),
        "generic-secret" => filter::is_plausible_secret(secret, ValueKind::Secret),
        "generic-token" => filter::is_plausible_secret(secret, ValueKind::Token),
        "url-password" => filter::is_plausible_secret(secret, ValueKind::UrlPassword),
        "base64-user-pass" => base64_user_pass(secret),
        "base64-32-bytes" => decode_any(secret).is_some_and(|d| d.len() == 32),
        "private-key-block" => private_key_block(secret),
        "jwt-signed" => jwt_signed(secret),
        "k8s-secret-data" => k8s_secret_data(secret),
        "k8s-secret-value" | "not-placeholder" => k8s_secret_value(secret),
        "grafana-legacy-key" => grafana_legacy_key(secret),
        "base64-private-key" => decode_any(secret).is_some_and(|pem| private_key_block(&pem)),
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

/// A JWT: three dot-separated base64url segments whose first two decode to JSON objects, the
/// header naming an `alg`.
fn jwt(secret: &[u8]) -> bool {
    let mut parts = secret.split(|&b| b == b'.');
    let (Some(h), Some(p)) = (parts.next(), parts.next()) else {
        return false;
    };
    let json_object = |seg: &[u8]| -> Option<serde_json::Map<String, serde_json::Value>> {
        let raw = decode_any(seg)?;
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
    const GEN: [u32; 5] = [
        0x3b6a_57b2,
        0x2650_8e6d,
        0x1ea1_19fa,
        0x3d42_33dd,
        0x2a14_62b3,
    ];
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
    decode_any(body).is_some_and(|raw| raw.len() > 32 && raw.windows(8).any(|w| w == b"pypi.org"))
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

/// Docker `config.json` / `.dockercfg` `auth` and npm `_auth`: base64 of `user:password`, both
/// parts present, printable, and the password not a placeholder.
fn base64_user_pass(secret: &[u8]) -> bool {
    let Some(raw) = decode_any(secret) else {
        return false;
    };
    let Ok(text) = std::str::from_utf8(&raw) else {
        return false;
    };
    let Some((user, pass)) = text.split_once(':') else {
        return false;
    };
    !user.is_empty()
        && !pass.is_empty()
        && !filter::is_known_example(secret)
        && !filter::is_known_example(text.as_bytes())
        && text.bytes().all(|c| c.is_ascii_graphic() || c >= 0x80)
        && !filter::is_non_secret(pass.as_bytes())
}

/// A legacy Grafana API key: base64 of `{"k":"<key>","n":"<key name>","id":<org id>}`. Other
/// base64 JSON starting `{"k":` is no Grafana key: Power BI embeds `{"k":"<report uuid>",
/// "t":"<tenant uuid>"}` in its public `?r=` report links.
fn grafana_legacy_key(secret: &[u8]) -> bool {
    let Some(raw) = decode_any(secret) else {
        return false;
    };
    let Ok(serde_json::Value::Object(m)) = serde_json::from_slice::<serde_json::Value>(&raw) else {
        return false;
    };
    m.get("k").is_some_and(serde_json::Value::is_string)
        && (m.get("n").is_some_and(serde_json::Value::is_string)
            || m.get("id").is_some_and(serde_json::Value::is_number))
}

/// A JWT that is a bearer credential: well formed (see [`jwt`]), an algorithm other than `none`
/// and a signature segment of at least 16 bytes.
fn jwt_signed(secret: &[u8]) -> bool {
    if !jwt(secret) {
        return false;
    }
    let parts: Vec<&[u8]> = secret.split(|&b| b == b'.').collect();
    if parts.len() != 3 {
        return false;
    }
    let alg_none = decode_any(parts[0])
        .and_then(|h| serde_json::from_slice::<serde_json::Value>(&h).ok())
        .and_then(|h| {
            h.get("alg")
                .and_then(|a| a.as_str())
                .map(|a| a.eq_ignore_ascii_case("none"))
        })
        .unwrap_or(false);
    !alg_none && decode_any(parts[2]).is_some_and(|sig| sig.len() >= 16)
}

/// A PEM-style private key block (`-----BEGIN … PRIVATE KEY-----` … `-----END …-----`, SSH2
/// `---- BEGIN … ----`), possibly inside a string with `\n` escapes, quotes and `+`
/// concatenation: the body, without armour headers, must hold at least 64 base64 characters of
/// random-looking data. Headers around `...`, `<redacted>` or a stub body are refused.
fn private_key_block(secret: &[u8]) -> bool {
    let text = String::from_utf8_lossy(secret);
    let Some(begin) = text.find("BEGIN") else {
        return false;
    };
    let after_begin = &text[begin..];
    // The BEGIN marker line ends at the first run of dashes after the label.
    let Some(dash) = after_begin.find("--") else {
        return false;
    };
    let rest = after_begin[dash..].trim_start_matches('-');
    let Some(end) = rest.find("--") else {
        return false;
    };
    let body = rest[..end]
        .replace("\\\\r", "\n")
        .replace("\\\\n", "\n")
        .replace("\\r", "\n")
        .replace("\\n", "\n");
    let mut b64 = Vec::new();
    for line in body.lines() {
        let line = line.trim_matches(|c: char| {
            c.is_whitespace() || matches!(c, '"' | '\'' | '+' | ',' | '\\' | '`')
        });
        if line.is_empty() {
            continue;
        }
        // Armour headers (`Proc-Type: 4,ENCRYPTED`, `Version: …`, `Comment: "…"`).
        if line.contains(": ") || line.ends_with(':') && !line.contains(' ') {
            continue;
        }
        // PGP armour checksum `=AbCd`.
        if line.len() == 5 && line.starts_with('=') {
            continue;
        }
        if !line
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'+' | b'/' | b'='))
        {
            return false;
        }
        b64.extend_from_slice(line.trim_end_matches('=').as_bytes());
    }
    if b64.len() < 64 {
        return false;
    }
    let lower = b64.to_ascii_lowercase();
    let placeholder = ["xxxxxx", "redacted", "example", "placeholder", "abcdefgh"]
        .iter()
        .any(|w| memchr::memmem::find(&lower, w.as_bytes()).is_some());
    !placeholder && filter::entropy(&b64) >= 4.5
}

/// A Kubernetes Secret `stringData:` value, or any value whose place says it is a secret (a vault
/// password file): any single-token value but a placeholder, a template, a number or a weak
/// placeholder word.
fn k8s_secret_value(secret: &[u8]) -> bool {
    // The rule's own stopper match (several lines) is refused here: values have no whitespace.
    let t = secret.trim_ascii();
    t.len() >= 3
        && !t.iter().any(u8::is_ascii_whitespace)
        && t.iter().any(u8::is_ascii_alphabetic)
        && !filter::is_non_secret(t)
        && !filter::is_weak_placeholder(t)
}

/// A Kubernetes Secret `data:` value that is a secret of its own: judged by its decoded content,
/// exactly as the Secret detector judges it (key material and dummies are not).
fn k8s_secret_data(secret: &[u8]) -> bool {
    crate::detect::k8s::judge::judge(crate::detect::k8s::Field::Data, secret)
        == crate::detect::k8s::judge::Verdict::Report
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine as _;

    fn make_github(prefix: &str, random: &str) -> String {
        let crc = base62_crc32(random.as_bytes());
        format!(
            "{prefix}_{random}{}",
            std::str::from_utf8(&crc).unwrap_or("")
        )
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
        let tok = format!(
            "{}.{}.c2ln",
            b(r#"{"alg":"HS256","typ":"JWT"}"#),
            b(r#"{"sub":"1"}"#)
        );
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
    fn base64_user_pass_needs_a_real_password() {
        let b = |s: &str| base64::engine::general_purpose::STANDARD.encode(s);
        assert!(check("base64-user-pass", b("ci:Xk9#mQ2pL").as_bytes()));
        assert!(!check("base64-user-pass", b("user:password").as_bytes()));
        assert!(!check("base64-user-pass", b("no colon").as_bytes()));
        assert!(!check("base64-user-pass", b(":empty-user").as_bytes()));
    }

    #[test]
    fn jwt_signed_refuses_alg_none_and_stub_signatures() {
        let b = |s: &[u8]| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s);
        let h = b(br#"{"alg":"HS256","typ":"JWT"}"#);
        let p = b(br#"{"sub":"svc"}"#);
        assert!(check(
            "jwt-signed",
            format!("{h}.{p}.{}", b(&[7u8; 32])).as_bytes()
        ));
        assert!(!check("jwt-signed", format!("{h}.{p}.c2ln").as_bytes()));
        let none = b(br#"{"alg":"none"}"#);
        assert!(!check(
            "jwt-signed",
            format!("{none}.{p}.{}", b(&[7u8; 32])).as_bytes()
        ));
    }

    #[test]
    fn private_key_block_needs_a_real_body() {
        let body = "MHcCAQEEIBkg4LVWM9nuwNSk3yByxZpYRTBnVJk4pQ0Q1fZ9v7cXoAoGCCqGSM49AwEHoUQDQgAEyvq0s1kp6Q5nq8oZ2rJrO8h3wF0Zc9d1KkqS5Vg2u5Hk3XyWq1tQw0gq0S4nYwF6lH2m7b3s4h0w9yZt1eQ";
        let pem = format!("-----BEGIN EC PRIVATE KEY-----\n{body}\n-----END EC PRIVATE KEY-----");
        assert!(check("private-key-block", pem.as_bytes()));
        let escaped = pem.replace('\n', "\\n");
        assert!(check("private-key-block", escaped.as_bytes()));
        assert!(check(
            "private-key-block",
            pem.replace('\n', "\r\n").as_bytes()
        ));
        assert!(!check(
            "private-key-block",
            b"-----BEGIN RSA PRIVATE KEY-----\n...\n-----END RSA PRIVATE KEY-----"
        ));
        let stub = format!(
            "-----BEGIN PRIVATE KEY-----\n{}\n-----END PRIVATE KEY-----",
            "A".repeat(80)
        );
        assert!(!check("private-key-block", stub.as_bytes()));
        let b64 = base64::engine::general_purpose::STANDARD.encode(&pem);
        assert!(check("base64-private-key", b64.as_bytes()));
    }

    #[test]
    fn k8s_secret_value_refuses_placeholders_only() {
        assert!(check("k8s-secret-value", b"mailer"));
        assert!(check("k8s-secret-value", b"Qr7!vLm2#xK9"));
        assert!(!check("k8s-secret-value", b"changeme"));
        assert!(!check("k8s-secret-value", b"${SMTP_PASSWORD}"));
        assert!(!check("k8s-secret-value", b"587"));
        assert!(check("not-placeholder", b"vaultpass"));
        assert!(!check("not-placeholder", b"changeme"));
    }

    #[test]
    fn k8s_secret_data_and_32_bytes() {
        let b = |s: &str| base64::engine::general_purpose::STANDARD.encode(s);
        assert!(check("k8s-secret-data", b("Xk9#mQ2pL").as_bytes()));
        assert!(!check("k8s-secret-data", b("changeme").as_bytes()));
        assert!(!check("k8s-secret-data", b"info"));
        assert!(check(
            "base64-32-bytes",
            base64::engine::general_purpose::STANDARD
                .encode([9u8; 32])
                .as_bytes()
        ));
        assert!(check("generic-password", b"Tr0ub4dor&3"));
        assert!(!check("generic-password", b"changeme"));
        assert!(check("url-password", b"N7kq2Lm9"));
        assert!(check("generic-token", b"a8Fk2Lq9Xz3Vb7Nm1Pw4Rt6Yc0Hs5Jd"));
        assert!(check("generic-secret", b"Xk9mQ2pL"));
    }
}
