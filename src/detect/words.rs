//! The vocabulary of the value filters: word lists (placeholders, non-secret values, reference
//! prefixes, known examples, vendor prefixes, file extensions, abbreviations) and the lexical
//! tests built on them (`is_wordy`, `is_pronounceable`, `split_parts`, `word_fraction`).
//!
//! Data and the word tests sit below both [`super::filter`] and [`super::value_shape`], which each
//! ask whether a value is made of words; keeping them here keeps that dependency one-way.

/// Words that, as the whole value or a clear part of it, mark an example or placeholder.
pub(crate) const PLACEHOLDER_WORDS: &[&str] = &[
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
pub(crate) const NON_SECRET_VALUES: &[&str] = &[
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
pub(crate) const REFERENCE_PREFIXES: &[&str] = &[
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

/// Weak "words" that, with digits or punctuation only, still make a placeholder (`test1234`,
/// `Password1!`, `secret-123`). Compared against the letters of the value, lower-cased.
pub(crate) const WEAK_LETTERS: &[&str] = &[
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
pub(crate) const KNOWN_EXAMPLE_VALUES: &[&str] = &[
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
pub(crate) const VENDOR_PREFIXES: &[&str] = &[
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

/// File extensions whose presence at the end of a value makes it a file name, not a secret.
pub(crate) const FILE_EXTENSIONS: &[&str] = &[
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
pub(crate) const ABBREVIATIONS: &[&str] = &[
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
pub(crate) const TWO_LETTER_WORDS: &[&str] = &[
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

#[cfg(test)]
mod tests {
    use super::*;

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
}
