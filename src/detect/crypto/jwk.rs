//! JSON Web Keys (RFC 7517/7518/8037): RSA, EC, OKP (public, or private with `d`) and `oct`
//! symmetric keys, found as JSON objects with a `"kty"` member anywhere in text (JWK files, JWKS
//! `keys` arrays, keys embedded in larger JSON documents).

use super::asn1::oids;
use super::pubkey::PubKey;
use super::{CryptoInfo, Found, Kind};
use memchr::memmem;
use serde_json::{Map, Value};

/// How far back from `"kty"` we look for the `{` that opens its object.
const LOOK_BACK: usize = 16 * 1024;
/// Largest JWK object parsed (a JWK with an `x5c` chain is a few KiB).
const MAX_OBJECT: usize = 64 * 1024;
/// How many candidate `{` we try (innermost first).
const MAX_CANDIDATES: usize = 4;
/// `"kty"` occurrences examined per blob (bounds the work on adversarial input).
const MAX_HITS: usize = 1024;

pub fn scan(data: &[u8], out: &mut Vec<Found>) {
    let mut done_until = 0;
    for hit in memmem::find_iter(data, b"\"kty\"").take(MAX_HITS) {
        if hit < done_until {
            continue;
        }
        let Some((start, end, obj)) = enclosing_object(data, hit) else {
            continue;
        };
        if let Some(mut info) = parse(&obj) {
            info.encoding = "text".into();
            out.push(Found {
                span: start..end,
                info,
            });
            done_until = end;
        }
    }
}

/// The innermost JSON object around `hit`: its span and members.
fn enclosing_object(data: &[u8], hit: usize) -> Option<(usize, usize, Map<String, Value>)> {
    let floor = hit.saturating_sub(LOOK_BACK);
    let mut pos = hit;
    for _ in 0..MAX_CANDIDATES {
        let start = floor + memchr::memrchr(b'{', data.get(floor..pos)?)?;
        pos = start;
        let object = data.get(start..(start + MAX_OBJECT).min(data.len()))?;
        let mut stream = serde_json::Deserializer::from_slice(object).into_iter::<Value>();
        if let Some(Ok(Value::Object(obj))) = stream.next() {
            let end = start + stream.byte_offset();
            if end > hit && obj.contains_key("kty") {
                return Some((start, end, obj));
            }
        }
    }
    None
}

fn b64url(v: Option<&Value>) -> Option<Vec<u8>> {
    let s = v?.as_str()?;
    crate::detect::encoding::decode_url_lenient(s)
}

fn parse(obj: &Map<String, Value>) -> Option<CryptoInfo> {
    let kty = obj.get("kty")?.as_str()?;
    let has_d = obj
        .get("d")
        .and_then(Value::as_str)
        .is_some_and(|d| !d.is_empty());
    let kind = if has_d {
        Kind::PrivateKey
    } else {
        Kind::PublicKey
    };
    let key = match kty {
        "RSA" => b64url(obj.get("n"))
            .zip(b64url(obj.get("e")))
            .and_then(|(n, e)| PubKey::rsa(&n, &e)),
        "EC" => {
            let crv = obj.get("crv").and_then(Value::as_str).unwrap_or_default();
            let (name, size) = match crv {
                "P-256" => ("P-256", 32),
                "P-384" => ("P-384", 48),
                "P-521" => ("P-521", 66),
                "secp256k1" => ("secp256k1", 32),
                _ => return Some(bad(kind, "JWK: unsupported curve")),
            };
            let oid = oids::curve_oid(name)?;
            match (b64url(obj.get("x")), b64url(obj.get("y"))) {
                (Some(x), Some(y)) if x.len() <= size && y.len() <= size => {
                    let mut point = vec![4u8];
                    point.extend(std::iter::repeat_n(0, size - x.len()));
                    point.extend(&x);
                    point.extend(std::iter::repeat_n(0, size - y.len()));
                    point.extend(&y);
                    PubKey::ec(oid, &point)
                }
                _ => b64url(obj.get("d")).and_then(|d| PubKey::ec_from_scalar(oid, &d)),
            }
        }
        "OKP" => {
            let crv = obj.get("crv").and_then(Value::as_str).unwrap_or_default();
            let oid = match crv {
                "Ed25519" => oids::ED25519,
                "X25519" => oids::X25519,
                "Ed448" => oids::ED448,
                "X448" => oids::X448,
                _ => return Some(bad(kind, "JWK: unsupported OKP curve")),
            };
            match b64url(obj.get("x")) {
                Some(x) => PubKey::rfc8410(oid, &x),
                None => b64url(obj.get("d")).and_then(|d| match oid {
                    oids::ED25519 => PubKey::ed25519_from_seed(&d),
                    oids::X25519 => PubKey::x25519_from_scalar(&d),
                    _ => None,
                }),
            }
        }
        "oct" => {
            let k = b64url(obj.get("k"));
            let mut info = CryptoInfo::new(Kind::SymmetricKey, "jwk");
            match k {
                Some(k) if !k.is_empty() => {
                    info.algorithm = obj.get("alg").and_then(Value::as_str).map(str::to_string);
                    info.bits = u32::try_from(k.len() * 8).ok();
                }
                _ => return Some(bad(Kind::SymmetricKey, "JWK: bad or missing k")),
            }
            info.comment = kid(obj);
            return Some(info);
        }
        _ => return None,
    };
    let Some(key) = key else {
        return Some(bad(kind, "JWK: key members missing or not base64url"));
    };
    let mut info = CryptoInfo::new(kind, "jwk");
    info.set_public(&key);
    info.comment = kid(obj);
    Some(info)
}

fn kid(obj: &Map<String, Value>) -> Option<String> {
    obj.get("kid")
        .and_then(Value::as_str)
        .map(|s| s.chars().take(256).collect())
}

fn bad(kind: Kind, why: &str) -> CryptoInfo {
    let mut info = CryptoInfo::unparseable("jwk", why);
    if kind == Kind::PublicKey {
        // A public JWK that does not parse is not worth a finding of its own.
        info.kind = Kind::PublicKey;
    }
    info
}
