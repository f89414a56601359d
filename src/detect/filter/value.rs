//! The decision of the generic rules (a value assigned to something named `password`, `secret`,
//! `token`): is it plausibly the credential itself? Split from the shared checks in the parent
//! module because it is one long chain of judgements that only the generic validators use.

use super::{
    ValueKind, decode_printable_base64, entropy, is_email_like, is_hash_format, is_hex_digest,
    is_known_example, is_non_secret, is_path_like, is_version_like, is_weak_placeholder, is_wordy,
    value_shape, word_fraction,
};
use crate::detect::words::{VENDOR_PREFIXES, is_pronounceable};

/// The decision of the generic rules: is `value`, assigned to something named like a credential,
/// plausibly the credential itself rather than a placeholder, a reference, a name, code, a path,
/// a hash or prose? `kind` sets length and randomness thresholds. The value is first cut to what
/// the key was given: the regex may have run past a closing bracket or into further fields.
pub fn is_plausible_secret(value: &[u8], kind: ValueKind) -> bool {
    let core = value_shape::first_field(
        value_shape::trim_unbalanced_closers(value),
        kind == ValueKind::UrlPassword,
    );
    !value_shape::is_structured_non_secret(core) && is_plausible_value(core, kind)
}

/// [`is_plausible_secret`] on a value already cut to its own extent.
fn is_plausible_value(value: &[u8], kind: ValueKind) -> bool {
    let Ok(v) = std::str::from_utf8(value) else {
        return false;
    };
    let decoded;
    // Percent-encoding is undone for URL passwords, unless the result is not printable ASCII
    // (then the `%` was a character of the password, as in a config file).
    let v = if kind == ValueKind::UrlPassword && v.contains('%') {
        decoded = percent_decode(v);
        if decoded.is_ascii() {
            decoded.as_str()
        } else {
            v
        }
    } else {
        v
    };
    let b = v.as_bytes();
    if b.len() < kind.min_len() || b.len() > kind.max_len() {
        return false;
    }
    // Prose, non-ASCII (translations) and control characters.
    if !b.iter().all(|c| c.is_ascii_graphic()) || !b.iter().any(u8::is_ascii_alphabetic) {
        return false;
    }
    if VENDOR_PREFIXES.iter().any(|p| v.starts_with(p)) {
        return false;
    }
    let ent = entropy(b);
    let wordy = is_wordy(b);
    // Long, high-entropy values (WordPress salts, generated passwords) may contain any
    // punctuation; the bracket, brace and angle-bracket heuristics for code and placeholders
    // would misfire on them.
    let random = b.len() >= 20 && ent >= 4.2 && word_fraction(b) < 0.5;
    // Characters that came out of percent-encoding (`%24…` is `$…`) are literal characters of
    // the password, never the sigil of a reference: leading sigils are not judged then.
    let encoded = kind == ValueKind::UrlPassword && value != b;
    if is_generic_non_secret(without_leading_sigils(b, encoded), random)
        || looks_like_expression(v, random)
        || looks_like_flag_or_sigil(b, encoded)
        || is_named_non_secret(b)
    {
        return false;
    }
    fits_kind(b, kind, wordy, ent)
}

/// The value to judge with [`is_generic_non_secret`]: characters that came out of
/// percent-encoding (`%24…` is `$…`) are literal characters of the password, never the sigil of
/// a reference, so leading sigils are not judged then.
fn without_leading_sigils(b: &[u8], encoded: bool) -> &[u8] {
    if encoded {
        let skip = b
            .iter()
            .take_while(|c| {
                matches!(
                    c,
                    b'$' | b'%' | b'*' | b'&' | b'@' | b'!' | b':' | b'#' | b'-'
                )
            })
            .count();
        if skip < b.len() { &b[skip..] } else { b }
    } else {
        b
    }
}

/// Code, URLs, resource names, escaped or formatted text: `random` (long high-entropy values)
/// exempts the bracket and operator shapes, which such values contain by chance.
fn looks_like_expression(v: &str, random: bool) -> bool {
    let lower = v.to_ascii_lowercase();
    if lower.contains("://")
        || lower.starts_with("arn:")
        || lower.starts_with("projects/")
        || (lower.starts_with("base64:") && lower.len() < 16)
        || has_html_entity(v.as_bytes())
        || lower.contains('\\')
        || is_format_string(v)
        || lower.ends_with(':')
    {
        return true;
    }
    if !random
        && (lower.contains("::")
            || lower.contains("->")
            || lower.contains("=>")
            || lower.contains("()")
            || (lower.contains('{') && lower.contains('}'))
            || has_bracket_pair(v.as_bytes())
            || lower.ends_with(';')
            || lower.ends_with('(')
            || lower.starts_with('[')
            || lower.starts_with('('))
    {
        return true;
    }
    false
}

/// A command-line flag or a sigil in front of an identifier (not for percent-decoded values,
/// whose leading characters are literal).
fn looks_like_flag_or_sigil(b: &[u8], encoded: bool) -> bool {
    // `-flag`, `--option=`: a command-line flag, not a value.
    if b[0] == b'-' && !encoded {
        let rest: Vec<u8> = b.iter().skip_while(|&&c| c == b'-').copied().collect();
        let word: Vec<u8> = rest
            .iter()
            .take_while(|c| c.is_ascii_lowercase() || **c == b'-')
            .copied()
            .collect();
        if word.len() >= 2 && rest.len() <= word.len() + 1 {
            return true;
        }
    }
    // `@Password` (SQL parameter, decorator), `:password` (symbol, bind variable), `*alias`,
    // `&anchor`: a sigil in front of an identifier.
    if !encoded
        && matches!(b[0], b'@' | b':' | b'*' | b'&' | b'!')
        && b[1..]
            .iter()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'.' | b'-'))
        && b.get(1)
            .is_some_and(|c| c.is_ascii_alphabetic() || *c == b'_')
        && (is_wordy(&b[1..])
            || b[1..]
                .iter()
                .all(|c| !c.is_ascii_uppercase() && !c.is_ascii_digit()))
    {
        return true;
    }
    false
}

/// Paths, e-mail addresses, hash formats, versions, base64 of a placeholder, weak placeholders
/// and `key=` stems: things with a name of their own.
fn is_named_non_secret(b: &[u8]) -> bool {
    if is_path_like(b) || is_email_like(b) || is_hash_format(b) || is_version_like(b) {
        return true;
    }
    // A value that decodes from base64 to a placeholder is still a placeholder (Kubernetes data).
    if let Some(text) = decode_printable_base64(b) {
        let t = text.trim().as_bytes();
        if is_non_secret(t)
            || is_weak_placeholder(t)
            || (is_wordy(t) && !t.iter().any(u8::is_ascii_digit))
        {
            return true;
        }
    }
    if is_weak_placeholder(b) {
        return true;
    }
    // `password=`, `token==`: a key with its operator, not a value (base64 padding follows
    // random text, not a word).
    if b.ends_with(b"=") {
        let stem: Vec<u8> = b
            .iter()
            .copied()
            .take(b.iter().rposition(|&c| c != b'=').map_or(0, |i| i + 1))
            .collect();
        if stem.is_empty() || is_wordy(&stem) {
            return true;
        }
    }
    false
}

/// The per-kind thresholds once every shape has been ruled out.
fn fits_kind(b: &[u8], kind: ValueKind, wordy: bool, ent: f64) -> bool {
    let has_digit = b.iter().any(u8::is_ascii_digit);
    let has_symbol = b.iter().any(|c| {
        !c.is_ascii_alphanumeric() && !matches!(c, b'_' | b'-' | b'.' | b'/' | b':' | b'|' | b',')
    });
    match kind {
        ValueKind::Password | ValueKind::UrlPassword => {
            if !has_digit && !has_symbol {
                // Letters (and `_-.`) only: a word or identifier, unless it is random letters.
                return !wordy && b.len() >= 8 && ent >= 2.5;
            }
            if is_multi_part_identifier(b) {
                return false;
            }
            if kind == ValueKind::Password && is_hex_digest(b) {
                return false;
            }
            ent >= 1.9
        }
        ValueKind::Secret => {
            if wordy || is_sha1_hex(b) {
                return false;
            }
            let want = if b.len() >= 16 {
                3.0
            } else {
                (b.len() as f64).log2() * 0.8
            };
            if !has_digit && !has_symbol && b.len() < 16 {
                return false;
            }
            ent >= want
        }
        ValueKind::Token => {
            // 20 upper-case letters and digits: an access key *ID* (AWS style), not its secret.
            let key_id = b.len() == 20
                && b.iter()
                    .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit());
            !wordy && !key_id && !is_sha1_hex(b) && ent >= 3.0
        }
    }
}

/// An identifier made of words and at most a short number, with separators or case changes
/// between the words (`user_id2`, `aes-256-cbc`, `db.password`, `utf-8`): a name, not a value.
fn is_multi_part_identifier(value: &[u8]) -> bool {
    let separated = value
        .split(|c| matches!(c, b'_' | b'-' | b'.' | b'/' | b':' | b'|' | b','))
        .filter(|p| !p.is_empty())
        .count();
    // every segment on its own must read as a word or a number (`aes-256-cbc`, `db.password`)
    separated >= 2
        && is_wordy(value)
        && value
            .split(|c| matches!(c, b'_' | b'-' | b'.' | b'/' | b':' | b'|' | b','))
            .filter(|p| !p.is_empty())
            .all(|p| {
                // a version wildcard (`3.x_password`, `v2.x`) is a one-letter segment
                if p.len() == 1 && p[0].is_ascii_alphabetic() {
                    return true;
                }
                let transitions = p
                    .windows(2)
                    .filter(|w| w[0].is_ascii_digit() != w[1].is_ascii_digit())
                    .count();
                p.iter().all(u8::is_ascii_digit)
                    || (transitions <= 1 && is_wordy(p))
                    || (p.len() <= 3 && is_pronounceable(p))
            })
}

/// 40 hex digits in one case: a SHA-1 digest or a git object id (commit, tree, blob). As the
/// value of something named like a token it is still more often a revision or a fixture checksum
/// than a credential; 32- and 64-digit hex values stay reported (API keys, `openssl rand -hex 32`).
fn is_sha1_hex(b: &[u8]) -> bool {
    b.len() == 40
        && (b
            .iter()
            .all(|c| c.is_ascii_digit() || (b'a'..=b'f').contains(c))
            || b.iter()
                .all(|c| c.is_ascii_digit() || (b'A'..=b'F').contains(c)))
}

/// The shared [`is_non_secret`] filter, adjusted for values of generic rules: a leading `%` or
/// `$` is a reference only when an identifier or a template follows (`%APPDATA%`, `%(x)s`,
/// `$HOME`, `${X}`), not in front of punctuation (`%fB!^*c4`); and a long random value (`random`)
/// is not refused for a stray `<`, `>`, brace or bracket, only for a template or placeholder.
fn is_generic_non_secret(b: &[u8], random: bool) -> bool {
    if is_known_example(b) {
        return true;
    }
    if !is_non_secret(b) {
        return false;
    }
    let percent_ref = || {
        let name = b[1..]
            .iter()
            .take_while(|c| c.is_ascii_alphanumeric() || **c == b'_')
            .count();
        matches!(b.get(1), Some(b'(' | b'{'))
            || (name > 0 && !b[1].is_ascii_digit() && b.get(1 + name) == Some(&b'%'))
            || (b.len() == 2 && b[1].is_ascii_alphabetic())
    };
    let dollar_ref = || {
        b.get(1)
            .is_some_and(|n| n.is_ascii_alphanumeric() || matches!(n, b'_' | b'(' | b'{' | b'$'))
    };
    if (b[0] == b'%' && !percent_ref()) || (b[0] == b'$' && !dollar_ref()) {
        return b.len() > 1 && is_generic_non_secret(&b[1..], random);
    }
    if random && !has_template(b) {
        let stripped: Vec<u8> = b
            .iter()
            .filter(|c| !matches!(c, b'<' | b'>' | b'{' | b'}' | b'(' | b')'))
            .copied()
            .collect();
        return stripped.is_empty() || is_non_secret(&stripped);
    }
    true
}

/// A template or placeholder expression: `${NAME}`, `{{ x }}`, `#{x}`, `%(x)s`, `$(cmd)`,
/// `<your-token>`: an opener, identifier-like text, the closer.
pub(super) fn has_template(b: &[u8]) -> bool {
    let openers: [(&[u8], u8); 6] = [
        (b"${", b'}'),
        (b"{{", b'}'),
        (b"#{", b'}'),
        (b"%(", b')'),
        (b"$(", b')'),
        (b"<", b'>'),
    ];
    openers.iter().any(|(open, close)| {
        let mut i = 0;
        while let Some(p) = memchr::memmem::find(&b[i..], open) {
            let start = i + p + open.len();
            let inner: Vec<u8> = b[start..]
                .iter()
                .take_while(|c| **c != *close)
                .copied()
                .collect();
            if start + inner.len() < b.len()
                && !inner.is_empty()
                && inner.len() <= 64
                && inner.iter().all(|c| {
                    c.is_ascii_alphanumeric()
                        || matches!(c, b'_' | b'-' | b'.' | b' ' | b':' | b'|' | b'\'' | b'"')
                })
            {
                return true;
            }
            i = start;
        }
        false
    })
}

/// `&quot;`, `&lt;`, `&#39;`: HTML-escaped text, not a raw value.
fn has_html_entity(b: &[u8]) -> bool {
    b.iter().enumerate().any(|(i, &c)| {
        if c != b'&' {
            return false;
        }
        let rest = &b[i + 1..];
        let n = rest
            .iter()
            .take_while(|c| c.is_ascii_alphanumeric() || **c == b'#')
            .count();
        (2..=8).contains(&n) && rest.get(n) == Some(&b';')
    })
}

/// `f(x)`, `a[b]`, `cfg[host].pw`: an opening bracket followed later by its closing one.
fn has_bracket_pair(b: &[u8]) -> bool {
    [(b'(', b')'), (b'[', b']')].iter().any(|&(o, c)| {
        b.iter()
            .position(|&x| x == o)
            .is_some_and(|i| b[i..].contains(&c))
    })
}

/// A printf-style format (`user_%s`, `%d.%d`, `%(name)s`): what is left around the directives is
/// empty or made of words.
fn is_format_string(value: &str) -> bool {
    let b = value.as_bytes();
    let strip = |boundary_only: bool| -> (usize, Vec<u8>) {
        let (mut n, mut rest, mut i) = (0, Vec::with_capacity(b.len()), 0);
        while i < b.len() {
            let directive = b[i] == b'%'
                && b.get(i + 1).is_some_and(u8::is_ascii_alphabetic)
                && !(boundary_only && b.get(i + 2).is_some_and(u8::is_ascii_alphanumeric));
            if directive {
                n += 1;
                i += 2;
            } else {
                rest.push(b[i]);
                i += 1;
            }
        }
        (n, rest)
    };
    let alnum = |r: &[u8]| r.iter().filter(|c| c.is_ascii_alphanumeric()).count();
    // strftime / date formats: `%Y-%m-%dT%H:%M:%SZ` (directives and separators only)
    let (n, rest) = strip(false);
    if n >= 2 && alnum(&rest) <= 2 {
        return true;
    }
    // printf formats: `user_%s`, `%s.%s`, `key-%d` (a directive at a boundary, words around it)
    let (n, rest) = strip(true);
    n > 0 && (alnum(&rest) == 0 || is_wordy(&rest))
}

fn percent_decode(v: &str) -> String {
    let b = v.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            let hex = std::str::from_utf8(&b[i + 1..i + 3]).ok();
            if let Some(x) = hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                out.push(x);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generic_password_values() {
        for v in [
            "Tr0ub4dor&3",
            "hunt3r-Q9",
            "S3cureP@ss2024!",
            "P@ssw0rd",
            "xK9#mQ2$vL5@nQ8",
            "qXkzPmRtWv",
            "-le%WvTDuRgR3yNw",
            "%fB!^*c42*hBl409",
            "Password123!",
        ] {
            assert!(
                is_plausible_secret(v.as_bytes(), ValueKind::Password),
                "{v} should be a password"
            );
        }
        for v in [
            "changeme",
            "hunter2",
            "password",
            "password123",
            "test1234",
            "TOKEN123",
            "${DB_PASSWORD}",
            "<your-password>",
            "xxxxxxxx",
            "********",
            "your_password_here",
            "user_password",
            "myPassword",
            "sunshine",
            "Enter your password",
            "required|string|min:8",
            "process.env.DB_PASSWORD",
            "getPassword()",
            "s:netrw_hup[host].passwd",
            "/run/secrets/db_password",
            "postgres",
            "5f4dcc3b5aa765d61d8327deb882cf99",
            "3f2b8c1e-9d4a-4e6b-8a7c-1d2e3f4a5b6c",
            "123456789",
            "true",
            "string;",
            "ENC[AES256_GCM,data:p8Tx,iv:Zm9v,tag:YmFy,type:str]",
            "$2b$12$KIXQJfX5v1Q9p0rLw8n0Xe",
            "id-it-revPassphrase",
            "Passwort",
            "Contrase\u{f1}a",
            "%(password)s",
            "{{ .Values.password }}",
            "@Password",
            ":password",
            "-anonymous@",
            "password=",
            "cGFzc3dvcmQ=",
            "alice.computeSecret(bobKey);",
            "admin@example.com",
            "v1.2.3",
        ] {
            assert!(
                !is_plausible_secret(v.as_bytes(), ValueKind::Password),
                "{v} should not be a password"
            );
        }
    }

    #[test]
    fn generic_token_values() {
        for v in [
            "a8Fk2Lq9Xz3Vb7Nm1Pw4Rt6Yc0Hs5Jd",
            "0x4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318",
            "ouSXs?N&Hz5hdTDs}kWcTOWF*tjcdwBCR<Gj+a3o,3k/V@2-W-+HPSoI&FieCIP<",
        ] {
            assert!(
                is_plausible_secret(v.as_bytes(), ValueKind::Token),
                "{v} should be a token"
            );
        }
        for v in [
            "SecretManagerServiceClient",
            "tokenizer_config_file_name",
            "GITHUB_TOKEN",
            "xxxxxxxxxxxxxxxxxxxxxxxxxxxx",
            "RQ72I938W4P6GIEEKP7I",
            "ghp_BaReFNHE69jvBG1BAXHBhtVLxL83I60vDoQx",
            "2YotnFZFEjr1zCsicMWpAA",
            "aaaaaaaaaaaaaaaabbbbbbbb",
            "projects/p/secrets/s/versions/latest",
        ] {
            assert!(
                !is_plausible_secret(v.as_bytes(), ValueKind::Token),
                "{v} should not be a token"
            );
        }
    }

    #[test]
    fn sha1_hex_is_not_a_token() {
        let sha1 = b"71902d7bfc343b1c1958b86f89cec97e03cd19f9";
        assert!(!is_plausible_secret(sha1, ValueKind::Token));
        assert!(!is_plausible_secret(sha1, ValueKind::Secret));
        assert!(is_plausible_secret(
            b"9cdad8afd778910ce2b6fa831849d018c82c25841376f65297f43a3c9500d4fb",
            ValueKind::Token
        ));
        assert!(is_plausible_secret(
            b"5e2b0c8f9a7d4e13b6c2a9f08d7e6b14",
            ValueKind::Token
        ));
    }

    #[test]
    fn secret_and_url_password_values() {
        assert!(is_plausible_secret(b"Xk9mQ2pL", ValueKind::Secret));
        assert!(!is_plausible_secret(
            b"my-secret-key-123",
            ValueKind::Secret
        ));
        assert!(!is_plausible_secret(b"supersecret", ValueKind::Secret));
        assert!(is_plausible_secret(
            b"p%40ss%21W0rd",
            ValueKind::UrlPassword
        ));
        assert!(!is_plausible_secret(b"guest", ValueKind::UrlPassword));
        assert!(!is_plausible_secret(b"pass%20word", ValueKind::UrlPassword));
    }
}
