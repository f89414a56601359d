//! Shared filters that tell a real secret value from the many things that only look like one:
//! placeholders, references to variables and CI secrets, template expressions, hashes, ids.
//!
//! Token rules with a fixed prefix or a checksum rarely need these; generic rules (a value
//! assigned to something called `password`) depend on them for their precision. A rule opts in
//! with `placeholder_filter = true`.

use crate::detect::value_shape;

/// Shannon entropy in bits per byte (rules' `entropy` thresholds call it through here).
pub use crate::detect::encoding::entropy;

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
    "password",
    "passwd",
    "secret",
    "token",
    "apikey",
    "api_key",
    "none",
    "null",
    "nil",
    "true",
    "false",
    "undefined",
    "empty",
    "string",
    "str",
    "required",
    "optional",
    "default",
    "test",
    "testing",
    "foo",
    "bar",
    "foobar",
    "baz",
    "value",
    "hidden",
    "masked",
    "unset",
    "n/a",
    "na",
    "tbd",
    "tba",
    "pass",
    "secret123",
    "password123",
    "mypassword",
    "mysecret",
    "abc123",
    // The conventional password of anonymous FTP and of "no account" defaults in C code.
    "anonymous",
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
    // Resource names: an ARN or URN names where a secret is kept (`arn:aws:secretsmanager:…`,
    // `urn:k8s:secret:ns:name:key`), never the secret itself.
    "arn:",
    "urn:",
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
        || crate::detect::validate::is_uuid(value)
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

/// Weak "words" that, with digits or punctuation only, still make a placeholder (`test1234`,
/// `Password1!`, `secret-123`). Compared against the letters of the value, lower-cased.
const WEAK_LETTERS: &[&str] = &[
    "password",
    "passwd",
    "pass",
    "pwd",
    "pw",
    "secret",
    "secrets",
    "token",
    "apikey",
    "key",
    "test",
    "tests",
    "testing",
    "tester",
    "demo",
    "example",
    "sample",
    "dummy",
    "fake",
    "mock",
    "changeme",
    "changeit",
    "change",
    "default",
    "qwerty",
    "asdf",
    "abc",
    "abcd",
    "abcdef",
    "xyz",
    "foo",
    "bar",
    "baz",
    "foobar",
    "mypassword",
    "mypass",
    "mysecret",
    "yourpassword",
    "mytoken",
    "value",
    "string",
    "null",
    "none",
    "temp",
    "tmp",
    "sekret",
    "secretkey",
    "topsecret",
    "supersecret",
    "letmein",
    "hunter",
    "welcome",
    "user",
    "username",
    "login",
    "x",
    "xx",
    "xxx",
    "a",
    "ab",
    "pa",
    "p",
    "s",
    "v",
    "dev",
    "local",
    "localhost",
    "your",
    "my",
    "new",
    "old",
];

/// Values published as examples in specifications and tutorials (OAuth 1.0 RFC 5849, OAuth 2.0
/// RFC 6749, jwt.io): they appear verbatim in libraries, tests and docs and grant nothing.
const KNOWN_EXAMPLE_VALUES: &[&str] = &[
    "2YotnFZFEjr1zCsicMWpAA",
    "tGzv3JOkF0XG5Qx2TlKWIA",
    "SplxlOBeZQQYbYS6WxSbIA",
    "7Fjfp0ZBr1KtDRbnfVdmIw",
    "s6BhdRkqt3",
    "gX1fBat3bV",
    "czZCaGRSa3F0MzpnWDFmQmF0M2JW",
    "mF_9.B5f-4.1JqM",
    "8xLOxBtZp8",
    "ad180jjd733klru7",
    "nnch734d00sl2jdk",
    "hh5s93j4hdidpola",
    "hdk48Djdsa",
    "dh893hdasih9",
    "kd94hf93k423kf44",
    "pfkkdhi9sl3r4s00",
    "j49sk3j29djd",
    "SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c",
    // MD5, SHA-1 and SHA-256 of "", password, test, admin, secret, changeme, 123456
    "d41d8cd98f00b204e9800998ecf8427e",
    "da39a3ee5e6b4b0d3255bfef95601890afd80709",
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "5f4dcc3b5aa765d61d8327deb882cf99",
    "5baa61e4c9b93f3f0682250b6cf8331b7ee68fd8",
    "5e884898da28047151d0e56f8dc6292773603d0d6aabbdd62a11ef721d1542d8",
    "098f6bcd4621d373cade4e832627b4f6",
    "a94a8fe5ccb19ba61c4c0873d391e987982fbbd3",
    "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
    "21232f297a57a5a743894a0e4a801fc3",
    "d033e22ae348aeb5660fc2140aec35850c4da997",
    "8c6976e5b5410415bde908bd4dee15dfb167a9c873fc4bb8a81f6f2ab448a918",
    "5ebe2294ecd0e0f08eab7690d2a6ee69",
    "e5e9fa1ba31ecd1ae84f75caaa474f3a663f05f4",
    "2bb80d537b1da3e38bd30361aa855686bde0eacd7162fef6a25fe97bf527a25b",
    "4cb9c8a8048fd02294477fcb1a41191a",
    "fa9beb99e4029ad5a6615399e7bbae21356086b3",
    "057ba03d6c44104863dc7361fe4578965d1887360f90a0895882e58a6248fc86",
    "e10adc3949ba59abbe56e057f20f883e",
    "7c4a8d09ca3762af61e59520943dc26494f8941b",
    "8d969eef6ecad3c29a3a629280e686cf0c3f5d5a86aff3ca12020c923adc6c92",
    // wg(8) man page
    "yAnz5TF+lXXJte14tji3zlMNq+hd2rYUIgJBgB3fBmk=",
    "xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg=",
    // RFC 8555 (ACME) challenge token: a public nonce, copied into ACME clients' tests
    "evaGxfADs6pSRb2LAv9IZf17Dt3juxGJ-PCt92wr-oA",
];

/// Prefixes of tokens that have a vendor rule with a structural check (checksum, exact shape):
/// when that rule refused the token, a generic rule must not report it instead.
const VENDOR_PREFIXES: &[&str] = &[
    "ghp_",
    "gho_",
    "ghu_",
    "ghs_",
    "ghr_",
    "github_pat_",
    "glpat-",
    "npm_",
    "pypi-",
    "xoxb-",
    "xoxp-",
    "xoxa-",
    "xoxs-",
    "xoxe-",
    "sk_live_",
    "sk_test_",
    "rk_live_",
    "rk_test_",
    "AKIA",
    "ASIA",
    "AIza",
];

/// True if the value contains a value published as an example in a specification or tutorial.
pub fn is_known_example(value: &[u8]) -> bool {
    KNOWN_EXAMPLE_VALUES
        .iter()
        .any(|k| memchr::memmem::find(value, k.as_bytes()).is_some())
}

/// File extensions whose presence at the end of a value makes it a file name, not a secret.
const FILE_EXTENSIONS: &[&str] = &[
    "pem",
    "key",
    "crt",
    "cer",
    "csr",
    "p12",
    "pfx",
    "jks",
    "keystore",
    "truststore",
    "json",
    "yaml",
    "yml",
    "txt",
    "env",
    "ini",
    "cfg",
    "conf",
    "config",
    "properties",
    "xml",
    "gpg",
    "asc",
    "der",
    "pub",
    "ppk",
    "kdbx",
    "csv",
    "log",
    "sh",
    "py",
    "js",
    "ts",
    "rb",
    "go",
    "java",
    "html",
    "md",
    "db",
    "sqlite",
    "toml",
    "secret",
    "secrets",
    "enc",
    "age",
    "bin",
    "dat",
    "jwk",
];

/// Short letter groups that count as words in identifiers although they have no vowel.
const ABBREVIATIONS: &[&str] = &[
    "ctrl", "mgmt", "msg", "pkg", "ptr", "fmt", "btn", "img", "txt", "hdr", "idx", "nbr", "rdr",
    "rsp", "srv", "sys", "usr", "dlg", "lbl", "cnt", "wnd", "bg", "fg", "rx", "tx", "px", "kb",
    "mb", "gb", "ms", "ns", "hz", "hsm", "kms", "ctr", "cbc", "gcm", "ecb", "xts", "dh", "ecdh",
    "ecdsa", "hkdf", "pbkdf", "jwk", "jws", "jwe", "nbf", "crl", "cn", "dn", "ou", "dtls", "mtls",
    "sni", "ocsp", "pkix", "cms", "scm", "vcs", "git", "svn", "npm", "pypi", "gcc", "db", "id",
    "ssl", "tls", "rsa", "dsa", "jwt", "api", "url", "uri", "sql", "xml", "dns", "smtp", "http",
    "https", "tcp", "udp", "ssh", "gpg", "pgp", "mfa", "otp", "pwd", "pw", "cfg", "cnf", "env",
    "dev", "prd", "stg", "qa", "k8s", "aws", "gcp", "crt", "csr", "pk", "sk", "ts", "js", "py",
    "rb", "gh", "ci", "cd", "cli", "cmd", "ctx", "msg", "src", "dst", "tmp", "kv", "hmac", "sha",
    "md", "b", "x", "v", "s", "n", "m", "nt", "ntlm", "krb", "ldap", "vm", "rpc", "grpc", "mq",
    "html", "css", "svc", "pkcs", "pfx", "str", "len", "fn", "cb", "req", "res", "resp", "mgr",
    "pwm", "lb", "ip", "std", "hdr", "xsrf", "csrf", "xhr", "www", "mysql", "pg",
];

/// Two-letter words common in identifiers; other two-letter groups count as random.
const TWO_LETTER_WORDS: &[&str] = &[
    "my", "of", "to", "in", "on", "is", "by", "at", "no", "up", "ui", "io", "os", "ok", "or", "an",
    "as", "be", "do", "if", "it", "me", "we", "us", "go", "so", "re", "un", "de", "al", "el", "la",
    "eu", "ap", "ca", "sa", "af", "uk", "fr", "jp", "cn", "au", "br", "en",
];

fn is_vowel(c: u8) -> bool {
    matches!(
        c.to_ascii_lowercase(),
        b'a' | b'e' | b'i' | b'o' | b'u' | b'y'
    )
}

/// A run of letters that reads like a word: vowels in a normal proportion and no long consonant
/// or vowel clusters. Random letter runs rarely pass ("qzKfWb", "xJ4" split into letters).
pub fn is_pronounceable(word: &[u8]) -> bool {
    let n = word.len();
    if n < 2 || !word.iter().all(u8::is_ascii_alphabetic) {
        return false;
    }
    let lower = word.to_ascii_lowercase();
    let text = std::str::from_utf8(&lower).unwrap_or("");
    if ABBREVIATIONS.contains(&text) || TWO_LETTER_WORDS.contains(&text) {
        return true;
    }
    if n == 2 {
        return false;
    }
    let vowels = lower.iter().filter(|&&c| is_vowel(c)).count();
    // `y` alone carries short words (sync, crypt, rhythm); a longer run needs a true vowel.
    if n >= 6
        && !lower
            .iter()
            .any(|c| matches!(c, b'a' | b'e' | b'i' | b'o' | b'u'))
    {
        return false;
    }
    let ratio = vowels as f64 / n as f64;
    let min_ratio = if n >= 8 { 0.2 } else { 0.12 };
    if !(min_ratio..=0.8).contains(&ratio) {
        return false;
    }
    let (mut cons, mut vow, mut max_cons, mut max_vow) = (0usize, 0usize, 0usize, 0usize);
    for &c in &lower {
        if is_vowel(c) {
            vow += 1;
            cons = 0;
        } else {
            cons += 1;
            vow = 0;
        }
        max_cons = max_cons.max(cons);
        max_vow = max_vow.max(vow);
    }
    let max_cluster = if n >= 8 { 5 } else { 4 };
    max_cons <= max_cluster && max_vow <= 4
}

/// Split a value into its parts: at separators (`_ - . / : | , ` and space), at lower→upper case
/// changes (`myApiKey` → `my`, `Api`, `Key`), at `UPPERWord` boundaries and between letters and
/// digits. Symbols other than separators come out as their own one-byte parts.
pub fn split_parts(value: &[u8]) -> Vec<&[u8]> {
    let mut parts = Vec::new();
    let mut start = 0;
    let kind = |c: u8| -> u8 {
        if c.is_ascii_lowercase() {
            b'l'
        } else if c.is_ascii_uppercase() {
            b'u'
        } else if c.is_ascii_digit() {
            b'd'
        } else {
            b's'
        }
    };
    let is_sep = |c: u8| matches!(c, b'_' | b'-' | b'.' | b'/' | b':' | b'|' | b',' | b' ');
    let mut i = 0;
    while i < value.len() {
        let c = value[i];
        if is_sep(c) {
            if i > start {
                parts.push(&value[start..i]);
            }
            start = i + 1;
            i += 1;
            continue;
        }
        if kind(c) == b's' {
            if i > start {
                parts.push(&value[start..i]);
            }
            parts.push(&value[i..=i]);
            start = i + 1;
            i += 1;
            continue;
        }
        if i > start {
            let p = kind(value[i - 1]);
            let k = kind(c);
            let boundary = match (p, k) {
                (b'l', b'u') => true,
                (b'd', b'l' | b'u') | (b'l' | b'u', b'd') => true,
                // "APIKey": the boundary is before the last upper-case letter of a run.
                (b'u', b'u') => {
                    value.get(i + 1).is_some_and(u8::is_ascii_lowercase) && i - start >= 1
                }
                _ => false,
            };
            if boundary {
                parts.push(&value[start..i]);
                start = i;
            }
        }
        i += 1;
    }
    if start < value.len() {
        parts.push(&value[start..]);
    }
    parts
}

/// True if the value is made of words: an identifier (`user_password`, `SecretManagerClient`,
/// `GITHUB_TOKEN`, `x-api-key`), a label or a sentence-less phrase, possibly with a short number
/// (`secret_v2`). Random tokens split into many short unpronounceable parts and fail.
pub fn is_wordy(value: &[u8]) -> bool {
    let parts = split_parts(value);
    if parts.is_empty() {
        return false;
    }
    let mut letters = 0usize;
    let mut word_letters = 0usize;
    let mut digits = 0usize;
    let mut short_alpha_parts = 0usize;
    for p in &parts {
        if p.iter().all(u8::is_ascii_digit) {
            digits += p.len();
            continue;
        }
        if !p.iter().all(u8::is_ascii_alphabetic) {
            // a symbol other than a separator
            return false;
        }
        letters += p.len();
        if p.len() >= 2 && is_pronounceable(p) {
            word_letters += p.len();
        } else {
            short_alpha_parts += 1;
        }
    }
    // Identifiers change between letters and digits rarely (`oauth2Token`, `sha256sum`) and have
    // at most one stray letter (`x-api-key`); random strings do both often (`P7WxoR`).
    let transitions = value
        .windows(2)
        .filter(|w| {
            w[0].is_ascii_digit() != w[1].is_ascii_digit()
                && w.iter().all(u8::is_ascii_alphanumeric)
        })
        .count();
    let single_letters = parts
        .iter()
        .filter(|p| p.len() == 1 && p[0].is_ascii_alphabetic())
        .count();
    letters >= 3
        && digits <= 6
        && transitions <= 2
        && single_letters <= 1
        && word_letters * 10 >= letters * 8
        && short_alpha_parts <= 2
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

/// Share of the letters of `value` that belong to pronounceable parts of three letters or more
/// (see [`split_parts`]): near 1 for identifiers and prose, low for random strings.
pub fn word_fraction(value: &[u8]) -> f64 {
    let (mut letters, mut words) = (0usize, 0usize);
    for p in split_parts(value) {
        if p.iter().all(u8::is_ascii_alphabetic) {
            letters += p.len();
            if p.len() >= 3 && is_pronounceable(p) {
                words += p.len();
            }
        }
    }
    if letters == 0 {
        0.0
    } else {
        words as f64 / letters as f64
    }
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
    let judged = if encoded {
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
    };
    if is_generic_non_secret(judged, random) {
        return false;
    }
    let lower = v.to_ascii_lowercase();
    if lower.contains("://")
        || lower.starts_with("arn:")
        || lower.starts_with("projects/")
        || (lower.starts_with("base64:") && lower.len() < 16)
        || has_html_entity(b)
        || lower.contains('\\')
        || is_format_string(v)
        || lower.ends_with(':')
    {
        return false;
    }
    if !random
        && (lower.contains("::")
            || lower.contains("->")
            || lower.contains("=>")
            || lower.contains("()")
            || (lower.contains('{') && lower.contains('}'))
            || has_bracket_pair(b)
            || lower.ends_with(';')
            || lower.ends_with('(')
            || lower.starts_with('[')
            || lower.starts_with('('))
    {
        return false;
    }
    // `-flag`, `--option=`: a command-line flag, not a value.
    if b[0] == b'-' && !encoded {
        let rest: Vec<u8> = b.iter().skip_while(|&&c| c == b'-').copied().collect();
        let word: Vec<u8> = rest
            .iter()
            .take_while(|c| c.is_ascii_lowercase() || **c == b'-')
            .copied()
            .collect();
        if word.len() >= 2 && rest.len() <= word.len() + 1 {
            return false;
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
        return false;
    }
    if is_path_like(b) || is_email_like(b) || is_hash_format(b) || is_version_like(b) {
        return false;
    }
    // A value that decodes from base64 to a placeholder is still a placeholder (Kubernetes data).
    if let Some(text) = decode_printable_base64(b) {
        let t = text.trim().as_bytes();
        if is_non_secret(t)
            || is_weak_placeholder(t)
            || (is_wordy(t) && !t.iter().any(u8::is_ascii_digit))
        {
            return false;
        }
    }
    if is_weak_placeholder(b) {
        return false;
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
            return false;
        }
    }
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
fn has_template(b: &[u8]) -> bool {
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
        assert!(looks_like_code(b"!!options.withCredentials"));
        assert!(!looks_like_code(b"!Xk9mQ2pL"));
    }

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

    #[test]
    fn words_and_identifiers() {
        assert!(is_wordy(b"SecretManagerServiceClient"));
        assert!(is_wordy(b"x-api-key"));
        assert!(is_wordy(b"required|string|min:8|confirmed"));
        assert!(!is_wordy(b"P7WxoR_Qmyrh"));
        assert!(!is_wordy(b"kR8vN2pL5xQ9"));
        assert!(is_pronounceable(b"string"));
        assert!(!is_pronounceable(b"qzkfwb"));
        assert_eq!(
            split_parts(b"myAPIKey_v2"),
            vec![&b"my"[..], b"API", b"Key", b"v", b"2"]
        );
        assert!(word_fraction(b"alice_secret.diffie_hellman") > 0.9);
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
