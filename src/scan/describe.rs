//! The preview of parsed key material: what it is and which key, never a byte of the secret.

/// A safe, readable one-line description of key material, used as its preview: what it is and
/// which key it is (SPKI fingerprint prefix), never any of its secret bytes.
pub(super) fn describe_crypto(info: &crate::model::crypto::CryptoInfo) -> String {
    use crate::model::crypto::Kind;
    let alg = match (&info.algorithm, &info.curve, info.bits) {
        (Some(a), Some(c), _) => format!("{a} {c}"),
        (Some(a), None, Some(b)) => format!("{a}-{b}"),
        (Some(a), None, None) => a.clone(),
        (None, _, _) => String::new(),
    };
    let kind = info.kind.as_str().replace('_', " ");
    let mut out = if alg.is_empty() {
        kind
    } else {
        format!("{alg} {kind}")
    };
    out.push_str(&format!(" ({}", info.format));
    if info.kind == Kind::PrivateKey || info.kind == Kind::Keystore {
        out.push_str(if info.encrypted {
            ", encrypted"
        } else {
            ", in clear"
        });
    }
    out.push(')');
    if let Some(c) = &info.certificate {
        out.push_str(&format!(
            " subject {:?}, expires {}",
            c.subject, c.not_after
        ));
    }
    if let Some(fp) = &info.spki_sha256 {
        out.push_str(&format!(" spki {}…", &fp[..fp.len().min(16)]));
    }
    out
}
