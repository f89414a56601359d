//! Shared filters that tell a real secret value from the many things that only look like one:
//! placeholders, references to variables and CI secrets, template expressions, hashes, ids.
//!
//! Token rules with a fixed prefix or a checksum rarely need these; generic rules (a value
//! assigned to something called `password`) depend on them for their precision. A rule opts in
//! with `placeholder_filter = true`.

//!
//! Layout: this file holds the shared non-secret checks that every rule with the filter uses;
//! [`value`] holds the decision of the generic rules (`is_plausible_secret`), the word lists and
//! word tests are in [`crate::detect::words`].

mod value;

use crate::detect::value_shape;
use crate::detect::words::{
    FILE_EXTENSIONS, KNOWN_EXAMPLE_VALUES, NON_SECRET_VALUES, PLACEHOLDER_WORDS,
    REFERENCE_PREFIXES, WEAK_LETTERS,
};
pub use crate::detect::words::{is_pronounceable, is_wordy, split_parts, word_fraction};
pub use value::is_plausible_secret;

/// Shannon entropy in bits per byte (rules' `entropy` thresholds call it through here).
pub use crate::detect::encoding::entropy;

/// True if the value is a placeholder, a reference or an obvious non-secret.
pub fn is_placeholder(value: &[u8]) -> bool {
    let Ok(v) = std::str::from_utf8(value) else {
        return false;
    };
    let v = v.trim();
    if v.is_empty() {
        return true;
    }
    let lower = v.to_ascii_lowercase();
    // `anonymous@`: the anonymous-FTP convention of an e-mail address without its domain.
    if NON_SECRET_VALUES.contains(&lower.trim_end_matches('@')) {
        return true;
    }
    if REFERENCE_PREFIXES.iter().any(|p| lower.starts_with(p)) {
        return true;
    }
    if PLACEHOLDER_WORDS.iter().any(|w| lower.contains(w)) {
        return true;
    }
    // One repeated character, or a run that is mostly one character ("aaaaaaa1", "0000000").
    let first = lower.as_bytes()[0];
    let same = lower.bytes().filter(|&b| b == first).count();
    if same * 10 >= lower.len() * 8 {
        return true;
    }
    // Ascending/descending sequences ("123456789", "abcdefgh").
    if lower.len() >= 6 && is_sequence(lower.as_bytes()) {
        return true;
    }
    false
}

fn is_sequence(s: &[u8]) -> bool {
    s.windows(2).all(|w| w[1] == w[0].wrapping_add(1))
        || s.windows(2).all(|w| w[1] == w[0].wrapping_sub(1))
}

/// Hex digests of the common hash sizes (MD5, SHA-1, SHA-224, SHA-256, SHA-384, SHA-512).
pub fn is_hex_digest(value: &[u8]) -> bool {
    matches!(value.len(), 32 | 40 | 56 | 64 | 96 | 128) && value.iter().all(u8::is_ascii_hexdigit)
}

/// Subresource-integrity and similar digest strings: `sha256-…`, `sha512-…`, `sha1:…`.
pub fn is_sri(value: &[u8]) -> bool {
    let l = value.to_ascii_lowercase();
    [
        "sha1-", "sha256-", "sha384-", "sha512-", "sha1:", "sha256:", "sha512:", "md5:", "h1:",
    ]
    .iter()
    .any(|p| l.starts_with(p.as_bytes()))
}

/// A value that looks like code rather than data: a call, an attribute access, a type name.
pub fn looks_like_code(value: &[u8]) -> bool {
    let Ok(v) = std::str::from_utf8(value) else {
        return false;
    };
    // Unary operators in front of an expression (`!!options.withCredentials`, `-x.y`, `&cfg.key`).
    let v = v.trim().trim_start_matches(['!', '~', '&', '*', '-', '+']);
    // function call or index expression
    if v.ends_with(')') && v.contains('(') {
        return true;
    }
    if v.ends_with(']') && v.contains('[') {
        return true;
    }
    // dotted identifier chain like `cfg.db.password` or `Settings.Secret`
    let ident_chain = v.split('.').count() >= 2
        && v.split('.').all(|p| {
            !p.is_empty()
                && p.chars()
                    .next()
                    .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
                && p.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        });
    ident_chain && !v.chars().any(|c| c.is_ascii_digit())
}

/// All the shared non-secret checks at once.
pub fn is_non_secret(value: &[u8]) -> bool {
    is_placeholder(value)
        || is_known_example(value)
        || is_sri(value)
        || looks_like_code(value)
        || value_shape::is_uuid(value)
}

/// What a generic rule expects its value to be; the thresholds differ per kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueKind {
    /// A password or passphrase: chosen by a person, may be short and made of words and digits.
    Password,
    /// A secret / client secret / private value: usually generated, sometimes typed.
    Secret,
    /// An API key, access key or token: generated, long and random.
    Token,
    /// The password part of a URL or connection string (`scheme://user:PASSWORD@host`).
    UrlPassword,
}

impl ValueKind {
    fn min_len(self) -> usize {
        match self {
            ValueKind::Password => 6,
            ValueKind::Secret => 8,
            ValueKind::Token => 16,
            ValueKind::UrlPassword => 4,
        }
    }
    fn max_len(self) -> usize {
        match self {
            ValueKind::Password | ValueKind::UrlPassword => 128,
            ValueKind::Secret => 512,
            ValueKind::Token => 2048,
        }
    }
}

/// True if the value contains a value published as an example in a specification or tutorial.
pub fn is_known_example(value: &[u8]) -> bool {
    KNOWN_EXAMPLE_VALUES
        .iter()
        .any(|k| memchr::memmem::find(value, k.as_bytes()).is_some())
}

/// `test1234`, `password1`, `secret_123`: a placeholder word with a number, all lower case. A
/// value with upper case or punctuation (`Password123!`) was made to pass a policy: reported.
pub fn is_weak_placeholder(value: &[u8]) -> bool {
    let simple = |upper: bool| {
        value.iter().all(|c| {
            (if upper {
                c.is_ascii_uppercase()
            } else {
                c.is_ascii_lowercase()
            }) || c.is_ascii_digit()
                || matches!(c, b'_' | b'-' | b'.')
        })
    };
    (simple(false) || simple(true)) && WEAK_LETTERS.contains(&letters_lower(value).as_str())
}

/// Letters of the value, lower-cased (`P@ssw0rd-123` → `psswrd`).
fn letters_lower(value: &[u8]) -> String {
    value
        .iter()
        .filter(|c| c.is_ascii_alphabetic())
        .map(|c| c.to_ascii_lowercase() as char)
        .collect()
}

/// A file system path or file name (`/etc/ssl/private/server.key`, `./secrets.json`,
/// `C:\keys\id_rsa`, `certs/client.pem`).
pub fn is_path_like(value: &[u8]) -> bool {
    let Ok(v) = std::str::from_utf8(value) else {
        return false;
    };
    let lower = v.to_ascii_lowercase();
    if ["~/", "./", "../", "\\\\", "file:", "classpath:", "@/"]
        .iter()
        .any(|p| lower.starts_with(p))
    {
        return true;
    }
    let b = lower.as_bytes();
    if b.len() > 2 && b[0].is_ascii_alphabetic() && b[1] == b':' && (b[2] == b'\\' || b[2] == b'/')
    {
        return true;
    }
    if let Some((stem, ext)) = lower.rsplit_once('.') {
        if !stem.is_empty() && FILE_EXTENSIONS.contains(&ext) {
            return true;
        }
    }
    if v.contains('/') && !v.contains('+') && !v.contains('=') {
        let segs: Vec<&str> = v.split(['/', '#']).filter(|s| !s.is_empty()).collect();
        let letters: Vec<u8> = v.bytes().filter(u8::is_ascii_alphabetic).collect();
        let lowers = letters.iter().filter(|c| c.is_ascii_lowercase()).count();
        let all_word_segments = segs
            .iter()
            .all(|s| is_wordy(s.as_bytes()) || s.bytes().all(|c| c.is_ascii_digit()));
        if (v.starts_with('/') && lowers * 10 >= letters.len() * 8)
            || (segs.len() >= 2 && all_word_segments)
        {
            return true;
        }
    }
    false
}

/// `name@domain.tld`.
pub fn is_email_like(value: &[u8]) -> bool {
    let Ok(v) = std::str::from_utf8(value) else {
        return false;
    };
    let Some((local, domain)) = v.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && !domain.contains('@')
        && domain.contains('.')
        && domain.rsplit('.').next().is_some_and(|tld| {
            (2..=12).contains(&tld.len())
                && (tld.bytes().all(|c| c.is_ascii_lowercase())
                    || tld.bytes().all(|c| c.is_ascii_uppercase()))
        })
        && domain
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || c == b'.' || c == b'-')
}

/// Password-hash and key-derivation formats (`$2b$…`, `pbkdf2_sha256$…`, `{SSHA}…`) and
/// the `algo:hex` digest notation.
pub fn is_hash_format(value: &[u8]) -> bool {
    let lower = value.to_ascii_lowercase();
    let l = lower.as_slice();
    if l.first() == Some(&b'{') {
        return true;
    }
    [
        "pbkdf2", "bcrypt", "argon2", "scrypt", "sha1$", "sha256$", "md5$", "crypt$", "sha1:",
        "sha256:", "sha512:", "md5:", "blake2", "sha3-", "sha-256", "sha-1",
    ]
    .iter()
    .any(|p| l.starts_with(p.as_bytes()))
}

/// `1.2.3`, `v2.0.1-beta.1`, dates, IP addresses: version-like, no secret.
fn is_version_like(value: &[u8]) -> bool {
    let v = value.strip_prefix(b"v").unwrap_or(value);
    let core_end = v
        .iter()
        .position(|&c| c == b'-' || c == b'+')
        .unwrap_or(v.len());
    let core = &v[..core_end];
    core.contains(&b'.')
        && core.first().is_some_and(u8::is_ascii_digit)
        && core.iter().all(|&c| c.is_ascii_digit() || c == b'.')
}

/// Standard base64 with correct padding, at least 8 characters, that decodes to printable text.
pub fn decode_printable_base64(value: &[u8]) -> Option<String> {
    if value.len() < 8 || value.len() % 4 != 0 {
        return None;
    }
    let raw = crate::detect::encoding::decode_std(value)?;
    let text = String::from_utf8(raw).ok()?;
    (!text.is_empty()
        && text
            .chars()
            .all(|c| !c.is_control() || c == '\n' || c == '\r' || c == '\t'))
    .then_some(text)
}

#[cfg(test)]
mod tests {
    use super::value::has_template;
    use super::*;

    #[test]
    fn placeholders_and_references() {
        for v in [
            "changeme",
            "${DB_PASSWORD}",
            "{{ .Values.password }}",
            "<your-token>",
            "xxxxxxxxxxxx",
            "********",
            "process.env.TOKEN",
            "os.environ['X']",
            "$SECRET",
            "ENC[AES256_GCM,data:abc]",
            "123456789",
            "YOUR_API_KEY",
        ] {
            assert!(is_non_secret(v.as_bytes()), "{v} should be a non-secret");
        }
        for v in ["Tr0ub4dor&3", "hunter2-q8Zk", "s3cr3t-P4ss!"] {
            assert!(!is_non_secret(v.as_bytes()), "{v} should be kept");
        }
    }

    #[test]
    fn code_shapes() {
        assert!(looks_like_code(b"getPassword()"));
        assert!(looks_like_code(b"cfg.db.password"));
        assert!(!looks_like_code(b"p4ss.w0rd"));
        assert!(looks_like_code(b"!!options.withCredentials"));
        assert!(!looks_like_code(b"!Xk9mQ2pL"));
    }

    #[test]
    fn paths_emails_hashes_templates() {
        assert!(is_path_like(b"/etc/ssl/private/server.key"));
        assert!(is_path_like(b"certs/client.pem"));
        assert!(is_path_like(b"C:\\keys\\id_rsa"));
        assert!(!is_path_like(b"wJalrXUtnFEMI/K7MDENG/bPxRfiCY+x"));
        assert!(is_email_like(b"ops@internal.example.org"));
        assert!(!is_email_like(b"P@ssw0rd"));
        assert!(is_hash_format(b"{SSHA}abc"));
        assert!(is_hash_format(b"pbkdf2_sha256$260000$abc"));
        assert!(has_template(b"pre${NAME}post"));
        assert!(!has_template(b"a${b!c"));
        assert!(is_known_example(b"2YotnFZFEjr1zCsicMWpAA"));
        assert_eq!(
            decode_printable_base64(b"cGFzc3dvcmQ=").as_deref(),
            Some("password")
        );
    }

    #[test]
    fn digests() {
        assert!(is_hex_digest(b"da39a3ee5e6b4b0d3255bfef95601890afd80709"));
        assert!(is_sri(b"sha512-abc"));
    }
}
