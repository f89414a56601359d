//! PEM blocks (RFC 7468 and OpenSSL's legacy `Proc-Type` form), wherever they sit: plain files,
//! CRLF, YAML block scalars (indented), JSON / Terraform / HCL strings (`\n` escapes, `\/`),
//! source-code string concatenation (quotes at line ends).

use super::{CryptoInfo, Found, Kind, classify, pgp, ssh};
use crate::detect::encoding::decode_std_lenient;
use memchr::memmem;
use std::ops::Range;

/// Labels we parse. Other labels (`AGE ENCRYPTED FILE`, `PGP MESSAGE`, `X509 CRL`, ...) are not
/// key material and are skipped silently.
const LABELS: &[&str] = &[
    "RSA PRIVATE KEY",
    "PRIVATE KEY",
    "ENCRYPTED PRIVATE KEY",
    "EC PRIVATE KEY",
    "DSA PRIVATE KEY",
    "OPENSSH PRIVATE KEY",
    "PGP PRIVATE KEY BLOCK",
    "PGP SECRET KEY BLOCK",
    "PGP PUBLIC KEY BLOCK",
    "CERTIFICATE",
    "X509 CERTIFICATE",
    "TRUSTED CERTIFICATE",
    "CERTIFICATE REQUEST",
    "NEW CERTIFICATE REQUEST",
    "PUBLIC KEY",
    "RSA PUBLIC KEY",
    "DH PARAMETERS",
    "X9.42 DH PARAMETERS",
    "PKCS12",
];

/// A block larger than this is not a key (the largest real ones are OpenPGP keys with many
/// signatures); its END marker is not searched further.
const MAX_BLOCK: usize = 8 << 20;

const BEGIN: &[u8] = b"-----BEGIN ";
const END: &[u8] = b"-----END ";

/// Find and parse every PEM block. Returns the spans of all blocks with a known label (parsed or
/// not), so that other scanners skip their insides.
pub fn scan(data: &[u8], out: &mut Vec<Found>) -> Vec<Range<usize>> {
    let mut spans = Vec::new();
    let mut pos = 0;
    let begin_finder = memmem::Finder::new(BEGIN);
    let end_finder = memmem::Finder::new(END);
    while let Some(i) = data.get(pos..).and_then(|d| begin_finder.find(d)) {
        let start = pos + i;
        pos = start + 1;
        let Some((label, header_end)) = marker_label(data, start + BEGIN.len()) else {
            continue;
        };
        if !LABELS.contains(&label) {
            continue;
        }
        let rest = data.get(header_end..).unwrap_or_default();
        let limit = rest.len().min(MAX_BLOCK);
        let window = rest.get(..limit).unwrap_or_default();
        // The END line is only searched up to the next BEGIN: each stretch of text is searched
        // once, whatever the number of unterminated markers.
        let next_begin = begin_finder.find(window);
        let end_at = end_finder.find(
            window
                .get(..next_begin.unwrap_or(window.len()))
                .unwrap_or_default(),
        );
        let block = match end_at {
            Some(e) if next_begin.is_none_or(|b| e < b) => {
                let end_marker = header_end + e;
                match marker_label(data, end_marker + END.len()) {
                    Some((end_label, after)) if end_label == label => Some((end_marker, after)),
                    _ => None,
                }
            }
            _ => None,
        };
        let Some((body_end, block_end)) = block else {
            // No END line: the body runs to the next marker or the first line that is not part
            // of it. A complete body still parses (and is reported, it is a whole key); a cut one
            // does not.
            let body_len = truncated_body_len(window, next_begin.into_iter().chain(end_at).min());
            let span = start..header_end + body_len;
            let body = data
                .get(header_end..header_end + body_len)
                .unwrap_or_default();
            report_unterminated(label, body, &span, out);
            spans.push(span);
            pos = pos.max(header_end + body_len);
            continue;
        };
        let span = start..block_end;
        spans.push(span.clone());
        pos = block_end;
        let body = data.get(header_end..body_end).unwrap_or_default();
        let body = uncommented(data, start, body);
        for info in parse_block(label, &body) {
            out.push(Found {
                span: span.clone(),
                info,
            });
        }
    }
    spans
}

/// A block without its END line: reported when what there is parses (a whole key whose END
/// line is missing), as unparseable when it does not, not at all when it is a bare BEGIN line.
fn report_unterminated(label: &str, body: &[u8], span: &Range<usize>, out: &mut Vec<Found>) {
    let parsed = parse_block(label, body);
    if parsed.iter().all(|i| i.placeholder) {
        // A BEGIN line alone ("files start with -----BEGIN PRIVATE KEY-----"): a
        // mention in prose or code, not a block. Its span still keeps the text rules off.
        return;
    }
    if parsed.iter().any(|i| i.kind != Kind::Unparseable) {
        for mut info in parsed {
            info.error = Some("no END line".into());
            out.push(Found {
                span: span.clone(),
                info,
            });
        }
    } else {
        out.push(Found {
            span: span.clone(),
            info: pem_unparseable(label, "no matching END line (truncated block?)"),
        });
    }
}

/// The comment marker (`#`, `//`) written before the BEGIN marker at `start` on its line, when
/// that is all there is before it: a block commented out line by line, which still holds the key.
fn comment_marker(data: &[u8], start: usize) -> Option<&'static [u8]> {
    let from = start.saturating_sub(64);
    let before = data.get(from..start)?;
    let line = match memchr::memrchr(b'\n', before) {
        Some(nl) => &before[nl + 1..],
        None if from == 0 => before,
        None => return None,
    };
    match line.trim_ascii() {
        b"#" => Some(b"#"),
        b"//" => Some(b"//"),
        _ => None,
    }
}

/// The body of the block that starts at `start`, uncommented when the block is commented out.
fn uncommented<'a>(data: &[u8], start: usize, body: &'a [u8]) -> std::borrow::Cow<'a, [u8]> {
    match comment_marker(data, start) {
        Some(marker) => std::borrow::Cow::Owned(uncomment(body, marker)),
        None => std::borrow::Cow::Borrowed(body),
    }
}

/// A commented-out body with each line's leading blanks and comment marker removed.
fn uncomment(body: &[u8], marker: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(body.len());
    for line in body.split(|&b| b == b'\n') {
        let t = line.trim_ascii_start();
        out.extend_from_slice(t.strip_prefix(marker).unwrap_or(line));
        out.push(b'\n');
    }
    out
}

/// Length of a body without END line: up to `stop` (the next marker), a blank line after some
/// content, or a line that cannot belong to a PEM body.
fn truncated_body_len(window: &[u8], stop: Option<usize>) -> usize {
    let limit = stop
        .unwrap_or(window.len())
        .min(window.len())
        .min(64 * 1024);
    let mut pos = 0;
    let mut seen = false;
    while pos < limit {
        let rest = window.get(pos..limit).unwrap_or_default();
        let len = memchr::memchr(b'\n', rest).map_or(rest.len(), |p| p + 1);
        let line = rest.get(..len).unwrap_or_default();
        let trimmed = line.trim_ascii();
        let bodyish = trimmed.iter().all(|b| {
            b.is_ascii_alphanumeric()
                || matches!(
                    b,
                    b'+' | b'/' | b'=' | b':' | b'-' | b',' | b' ' | b'"' | b'\\'
                )
        });
        if !bodyish || (trimmed.is_empty() && seen) {
            break;
        }
        seen |= !trimmed.is_empty();
        pos += len;
    }
    pos
}

fn pem_unparseable(label: &str, why: &str) -> CryptoInfo {
    let mut info = CryptoInfo::unparseable("pem", why);
    info.label = Some(label.to_string());
    info.encoding = "pem".into();
    info
}

/// The label after `-----BEGIN ` / `-----END ` at `at`, and the offset after its closing dashes.
fn marker_label(data: &[u8], at: usize) -> Option<(&str, usize)> {
    let window = data.get(at..(at + 64).min(data.len()))?;
    let close = memmem::find(window, b"-----")?;
    let label = std::str::from_utf8(window.get(..close)?).ok()?;
    if label.is_empty()
        || !label
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b' ' || b == b'.')
    {
        return None;
    }
    Some((label, at + close + 5))
}

/// A decoded PEM body: headers and the base64 payload.
pub struct Body {
    pub headers: Vec<(String, String)>,
    pub base64: String,
    /// Characters that are not base64 (a placeholder, prose, a template).
    pub foreign: bool,
}

/// Split a block body into logical lines, undoing the ways PEM gets embedded in other text.
pub fn body_lines(body: &[u8]) -> Vec<String> {
    let mut lines = Vec::new();
    let mut cur = String::new();
    let mut i = 0;
    while let Some(&b) = body.get(i) {
        match b {
            b'\n' => {
                lines.push(std::mem::take(&mut cur));
                i += 1;
            }
            b'\\' => {
                // One or more backslashes then n/r: an escaped line break (JSON, doubly escaped
                // JSON-in-JSON). `\/` is JSON's optional escape of `/`.
                let mut j = i;
                while body.get(j) == Some(&b'\\') {
                    j += 1;
                }
                match body.get(j) {
                    Some(b'n') | Some(b'r') => {
                        if body.get(j) == Some(&b'n') {
                            lines.push(std::mem::take(&mut cur));
                        }
                        i = j + 1;
                    }
                    Some(b'/') => {
                        cur.push('/');
                        i = j + 1;
                    }
                    _ => {
                        cur.push('\\');
                        i += 1;
                    }
                }
            }
            _ => {
                cur.push(if b.is_ascii() { b as char } else { '\u{fffd}' });
                i += 1;
            }
        }
    }
    lines.push(cur);
    lines
        .iter()
        .map(|l| clean_line(l))
        .filter(|l| !l.is_empty())
        .collect()
}

/// Strip what surrounds base64 in source code and config: quotes, `+` concatenation operators
/// (only when they sit outside a quote, since `+` is also a base64 character), commas,
/// semicolons, line-continuation backslashes.
fn clean_line(line: &str) -> String {
    let junk =
        |c: char| c.is_ascii_whitespace() || matches!(c, '"' | '\'' | '`' | ',' | ';' | '\\');
    let mut l = line.trim();
    loop {
        let before = l;
        l = l.trim_matches(junk);
        // `"…" +` / `+ "…"`: an operator is only stripped when a quote or space separated it.
        if let Some(rest) = l.strip_prefix('+')
            && rest.starts_with(|c: char| c.is_ascii_whitespace() || matches!(c, '"' | '\''))
        {
            l = rest;
        }
        if let Some(rest) = l.strip_suffix('+')
            && rest.ends_with(|c: char| c.is_ascii_whitespace() || matches!(c, '"' | '\''))
        {
            l = rest;
        }
        if l == "+" {
            l = "";
        }
        if l.len() == before.len() {
            break;
        }
    }
    l.to_string()
}

pub fn split_body(body: &[u8]) -> Body {
    let lines = body_lines(body);
    let mut headers = Vec::new();
    let mut idx = 0;
    while let Some(line) = lines.get(idx) {
        match line.split_once(':') {
            Some((k, v))
                if !k.is_empty() && k.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') =>
            {
                headers.push((k.to_string(), v.trim().to_string()));
                idx += 1;
            }
            _ => break,
        }
    }
    let mut payload: Vec<&str> = lines.iter().skip(idx).map(String::as_str).collect();
    // OpenPGP armor checksum: a last line "=XXXX".
    if payload
        .last()
        .is_some_and(|l| l.len() == 5 && l.starts_with('='))
    {
        payload.pop();
    }
    let mut base64 = String::new();
    let mut foreign = false;
    for line in payload {
        for c in line.chars() {
            if c.is_ascii_alphanumeric() || matches!(c, '+' | '/' | '=') {
                base64.push(c);
            } else if !c.is_ascii_whitespace() {
                foreign = true;
            }
        }
    }
    Body {
        headers,
        base64,
        foreign,
    }
}

/// Fewer base64 characters than the smallest real key body (an Ed25519 PKCS#8 key is 64): what is
/// there is a placeholder, not a cut key.
const PLACEHOLDER_BASE64: usize = 40;

/// `XXXX…`, `AAAA…=`: a body of at most three distinct characters is a placeholder, whatever
/// its length (a real key's base64 uses most of the alphabet within a line).
fn low_variety(base64: &str) -> bool {
    let mut seen = [false; 256];
    for b in base64.bytes() {
        seen[usize::from(b)] = true;
    }
    seen.iter().filter(|s| **s).count() <= 3
}

fn parse_block(label: &str, body: &[u8]) -> Vec<CryptoInfo> {
    let parsed = split_body(body);
    let placeholder = parsed.base64.len() < PLACEHOLDER_BASE64 || low_variety(&parsed.base64);
    let mut infos = if parsed.foreign {
        vec![CryptoInfo::unparseable(
            "pem",
            "body is not base64 (placeholder or redacted?)",
        )]
    } else if parsed.base64.is_empty() {
        vec![CryptoInfo::unparseable("pem", "empty body")]
    } else {
        match decode_std_lenient(&parsed.base64) {
            None => vec![CryptoInfo::unparseable(
                "pem",
                "body is not valid base64 (truncated?)",
            )],
            Some(der_bytes) => parse_der(label, &parsed.headers, &der_bytes),
        }
    };
    for info in &mut infos {
        info.placeholder = placeholder && info.kind == Kind::Unparseable;
        info.label = Some(label.to_string());
        if info.encoding.is_empty() {
            info.encoding = "pem".into();
        }
    }
    infos
}

fn parse_der(label: &str, headers: &[(String, String)], der_bytes: &[u8]) -> Vec<CryptoInfo> {
    let header = |name: &str| {
        headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    };
    if header("Proc-Type").is_some_and(|v| v.contains("ENCRYPTED")) {
        return vec![legacy_encrypted(label, header("DEK-Info"), der_bytes)];
    }
    match label {
        "PGP PRIVATE KEY BLOCK" | "PGP SECRET KEY BLOCK" | "PGP PUBLIC KEY BLOCK" => {
            let infos = pgp::parse_packets(der_bytes);
            if infos.is_empty() {
                vec![CryptoInfo::unparseable("pem", "no OpenPGP key packet")]
            } else {
                infos
            }
        }
        "OPENSSH PRIVATE KEY" => vec![ssh::openssh_private(der_bytes)],
        _ => classify::from_pem_label(label, der_bytes),
    }
}

/// `Proc-Type: 4,ENCRYPTED` PEM: the key is encrypted with a key derived by one round of MD5
/// (`EVP_BytesToKey`), which is why it counts as weak protection.
fn legacy_encrypted(label: &str, dek_info: Option<&str>, der_bytes: &[u8]) -> CryptoInfo {
    let Some(cipher) = dek_info
        .and_then(|d| d.split(',').next())
        .filter(|c| !c.is_empty())
    else {
        return CryptoInfo::unparseable(
            "pem-legacy-encrypted",
            "Proc-Type ENCRYPTED without DEK-Info",
        );
    };
    if der_bytes.len() < 16 || der_bytes.len() % 8 != 0 {
        return CryptoInfo::unparseable(
            "pem-legacy-encrypted",
            "ciphertext length is not a whole number of blocks",
        );
    }
    let mut info = CryptoInfo::new(Kind::PrivateKey, "pem-legacy-encrypted");
    info.algorithm = match label {
        "RSA PRIVATE KEY" => Some("RSA".into()),
        "EC PRIVATE KEY" => Some("EC".into()),
        "DSA PRIVATE KEY" => Some("DSA".into()),
        _ => None,
    };
    info.encrypted = true;
    info.weak_protection = true;
    info.encryption = Some(format!("{cipher} (legacy PEM, EVP_BytesToKey MD5)"));
    info
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaped_and_indented_bodies() {
        let lines = body_lines(b"\\nMIIB\\nAAAA\\/BB\\n");
        assert_eq!(lines, vec!["MIIB", "AAAA/BB"]);
        let lines = body_lines(b"\n    MIIB\r\n    \"CCCC\\n\" +\n");
        assert_eq!(lines, vec!["MIIB", "CCCC"]);
        let b = split_body(b"\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00\n\nQUJD\n");
        assert_eq!(b.headers.len(), 2);
        assert_eq!(b.base64, "QUJD");
        assert!(split_body(b"\n<paste key here>\n").foreign);
    }
}
