//! Shared filters that tell a real secret value from the many things that only look like one:
//! placeholders, references to variables and CI secrets, template expressions, hashes, ids.
//!
//! Token rules with a fixed prefix or a checksum rarely need these; generic rules (a value
//! assigned to something called `password`) depend on them for their precision. A rule opts in
//! with `placeholder_filter = true`.

/// Shannon entropy in bits per byte.
pub fn entropy(s: &[u8]) -> f64 {
    if s.is_empty() {
        return 0.0;
    }
    let mut counts = [0u32; 256];
    for &b in s {
        counts[b as usize] += 1;
    }
    let n = s.len() as f64;
    counts
        .iter()
        .filter(|&&c| c > 0)
        .map(|&c| {
            let p = f64::from(c) / n;
            -p * p.log2()
        })
        .sum()
}

/// Words that, as the whole value or a clear part of it, mark an example or placeholder.
const PLACEHOLDER_WORDS: &[&str] = &[
    "changeme",
    "change_me",
    "change-me",
    "changeit",
    "placeholder",
    "redacted",
    "example",
    "sample",
    "dummy",
    "your_",
    "your-",
    "yourpassword",
    "yoursecret",
    "yourtoken",
    "yourkey",
    "insert",
    "replace",
    "fixme",
    "todo",
    "notreal",
    "not_real",
    "not-a-real",
    "fake",
    "secret_here",
    "here_",
    "_here",
    "xxxx",
    "****",
    "....",
    "••",
    "<",
    ">",
    "${",
    "{{",
    "}}",
    "%(",
    "#{",
    "$(",
    "enc[",
    "vault:",
    "ref+",
    "arn:aws:secretsmanager",
    "secretsmanager:",
    "ssm:",
    "akv:",
    "@microsoft.keyvault",
];

/// Values that are whole-word non-secrets.
const NON_SECRET_VALUES: &[&str] = &[
    "password", "passwd", "secret", "token", "apikey", "api_key", "none", "null", "nil", "true",
    "false", "undefined", "empty", "string", "str", "required", "optional", "default", "test",
    "testing", "foo", "bar", "foobar", "baz", "value", "hidden", "masked", "unset", "n/a", "na",
    "tbd", "tba", "pass", "secret123", "password123", "mypassword", "mysecret", "abc123",
];

/// Prefixes of values that refer to a secret kept elsewhere rather than containing it.
const REFERENCE_PREFIXES: &[&str] = &[
    "$",
    "%",
    "process.env",
    "os.environ",
    "os.getenv",
    "getenv(",
    "env(",
    "env.",
    "env[",
    "system.getenv",
    "environment.getenvironmentvariable",
    "secrets.",
    "config.",
    "settings.",
    "self.",
    "this.",
    "args.",
    "params.",
    "request.",
    "req.",
    "options.",
    "opts.",
    "!ref",
    "!sub",
    "!getatt",
    "lookup(",
    "var.",
    "local.",
    "data.",
    "module.",
    "file(",
];

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
    if NON_SECRET_VALUES.contains(&lower.as_str()) {
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
    s.windows(2).all(|w| w[1] == w[0].wrapping_add(1)) || s.windows(2).all(|w| w[1] == w[0].wrapping_sub(1))
}

/// Hex digests of the common hash sizes (MD5, SHA-1, SHA-224, SHA-256, SHA-384, SHA-512).
pub fn is_hex_digest(value: &[u8]) -> bool {
    matches!(value.len(), 32 | 40 | 56 | 64 | 96 | 128) && value.iter().all(u8::is_ascii_hexdigit)
}

/// Subresource-integrity and similar digest strings: `sha256-…`, `sha512-…`, `sha1:…`.
pub fn is_sri(value: &[u8]) -> bool {
    let l = value.to_ascii_lowercase();
    ["sha1-", "sha256-", "sha384-", "sha512-", "sha1:", "sha256:", "sha512:", "md5:", "h1:"]
        .iter()
        .any(|p| l.starts_with(p.as_bytes()))
}

/// A value that looks like code rather than data: a call, an attribute access, a type name.
pub fn looks_like_code(value: &[u8]) -> bool {
    let Ok(v) = std::str::from_utf8(value) else {
        return false;
    };
    let v = v.trim();
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
                && p.chars().next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
                && p.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        });
    ident_chain && !v.chars().any(|c| c.is_ascii_digit())
}

/// All the shared non-secret checks at once.
pub fn is_non_secret(value: &[u8]) -> bool {
    is_placeholder(value)
        || is_sri(value)
        || looks_like_code(value)
        || crate::detect::validate::is_uuid(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entropy_orders_random_above_repetitive() {
        assert!(entropy(b"aaaaaaaa") < 0.1);
        assert!(entropy(b"q8Zk2LmN4pR7tV1w") > 3.5);
    }

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
    }

    #[test]
    fn digests() {
        assert!(is_hex_digest(b"da39a3ee5e6b4b0d3255bfef95601890afd80709"));
        assert!(is_sri(b"sha512-abc"));
    }
}
