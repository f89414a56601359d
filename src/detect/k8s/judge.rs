//! What a Secret value is, judged by its content: key material (for the crypto parser), nothing
//! (a dummy, a template, an empty or tiny value), or a secret the Secret rules report.
//!
//! Why by content: measured on real repositories, most Secret values that a rule reported for
//! their place alone were certificates (public), CA bundles, or dummies like `TESTKEY2`.

use super::Field;
use crate::detect::filter;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Not a secret: empty, templated, a placeholder or a dummy.
    Nothing,
    /// PEM or DER: the crypto parser says what it is (these bytes, decoded).
    Crypto(Vec<u8>),
    /// A secret value of its rule.
    Report,
}

/// Values with fewer letters and digits than this hold nothing worth rotating.
const MIN_MEANINGFUL: usize = 6;
/// Binary values shorter than this are not keys or keystores.
const MIN_BINARY: usize = 16;

pub fn judge(field: Field, value: &[u8]) -> Verdict {
    let value = value.trim_ascii();
    if is_template(value) {
        return Verdict::Nothing;
    }
    match field {
        Field::StringData => content(value),
        Field::Data => {
            let compact: Vec<u8> = value
                .iter()
                .copied()
                .filter(|b| !b.is_ascii_whitespace())
                .collect();
            match crate::detect::encoding::decode_std_lenient(&compact) {
                Some(raw) => content(&raw),
                // Not base64, so not a value the API server would accept: not a real Secret.
                None => Verdict::Nothing,
            }
        }
    }
}

/// Helm / kustomize / shell substitutions: the real value lives elsewhere.
fn is_template(v: &[u8]) -> bool {
    let has = |s: &[u8]| memchr::memmem::find(v, s).is_some();
    has(b"{{") || has(b"${") || has(b"$(") || (v.starts_with(b"<") && v.ends_with(b">"))
}

fn content(raw: &[u8]) -> Verdict {
    if memchr::memmem::find(raw, b"-----BEGIN").is_some() || looks_like_der(raw) {
        return Verdict::Crypto(raw.to_vec());
    }
    let text = match std::str::from_utf8(raw) {
        Ok(t) if t.chars().all(|c| !c.is_control() || c.is_whitespace()) => t.trim(),
        // Binary: a keystore or a raw key, judged by size alone.
        _ if raw.len() >= MIN_BINARY => return Verdict::Report,
        _ => return Verdict::Nothing,
    };
    if text.contains(char::is_whitespace) {
        // Structured content (a .dockerconfigjson, a config file): judged by size.
        return if text.len() >= 16 {
            Verdict::Report
        } else {
            Verdict::Nothing
        };
    }
    if is_dummy(text.as_bytes()) {
        Verdict::Nothing
    } else {
        Verdict::Report
    }
}

/// A DER SEQUENCE whose length covers the value: a certificate or key without PEM armour.
fn looks_like_der(raw: &[u8]) -> bool {
    match raw {
        [0x30, 0x82, hi, lo, ..] => (usize::from(*hi) << 8 | usize::from(*lo)) == raw.len() - 4,
        [0x30, 0x81, n, ..] => usize::from(*n) == raw.len() - 3,
        [0x30, n, ..] if *n < 0x80 => usize::from(*n) == raw.len() - 2 && raw.len() >= 40,
        _ => false,
    }
}

/// Words that make up dummy values (`TESTKEY2`, `my-secret-password`, `changeme`).
const DUMMY_WORDS: &[&str] = &[
    "change",
    "changeit",
    "changeme",
    "default",
    "demo",
    "dummy",
    "example",
    "fake",
    "foo",
    "bar",
    "baz",
    "key",
    "me",
    "my",
    "none",
    "pass",
    "passwd",
    "password",
    "placeholder",
    "pwd",
    "qwerty",
    "sample",
    "secret",
    "test",
    "testing",
    "todo",
    "token",
    "value",
    "xxx",
    "your",
    "here",
];

/// Too short, one repeated character, a known placeholder, or made only of dummy words.
fn is_dummy(v: &[u8]) -> bool {
    let meaningful = v.iter().filter(|b| b.is_ascii_alphanumeric()).count();
    if meaningful < MIN_MEANINGFUL || v.iter().all(|&b| b == v[0]) {
        return true;
    }
    if filter::is_non_secret(v) || filter::is_weak_placeholder(v) {
        return true;
    }
    let letters: Vec<u8> = v
        .iter()
        .filter(|b| b.is_ascii_alphabetic())
        .map(u8::to_ascii_lowercase)
        .collect();
    (!letters.is_empty() && letters.len() <= 64 && made_of_words(&letters))
        || is_lone_word(v)
        || is_named_dummy(v)
}

/// Words a test or example puts in a value to say what it stands for (`TESTROOTCAS0`,
/// `CA1-secret`, `admin_password`, `this_is_the_secret`).
const MARKERS: &[&str] = &[
    "admin", "ca", "cert", "certs", "data", "dummy", "example", "fake", "is", "key", "my", "pass",
    "password", "root", "sample", "secret", "test", "the", "this", "token", "user", "value",
];

/// A value spelt like a name: runs of letters of one case (or capitalised) joined by `_`, `-`,
/// `.` or short digit groups, one run being a marker word or an upper-case run starting with
/// TEST/DUMMY/FAKE. Generated secrets mix cases inside their runs; passphrases of ordinary
/// words carry no marker and stay reported.
fn is_named_dummy(v: &[u8]) -> bool {
    let mut marker = false;
    for run in v.split(|c| matches!(c, b'_' | b'-' | b'.')) {
        let letters = run.iter().take_while(|c| c.is_ascii_alphabetic()).count();
        let (word, digits) = run.split_at(letters);
        if digits.len() > 2 || !digits.iter().all(u8::is_ascii_digit) {
            return false;
        }
        let lower = word.to_ascii_lowercase();
        let one_case = word.iter().skip(1).all(u8::is_ascii_lowercase)
            || word.iter().all(u8::is_ascii_uppercase);
        if !one_case {
            return false;
        }
        let upper_prefix = word.iter().all(u8::is_ascii_uppercase)
            && ["test", "dummy", "fake"]
                .iter()
                .any(|p| lower.starts_with(p.as_bytes()));
        marker |= upper_prefix || MARKERS.iter().any(|m| m.as_bytes() == lower.as_slice());
    }
    marker
}

/// One lowercase word with at most two digits after it (`storageos`, `postgresql`, `mpass2`): a
/// product, user or demo name put where a secret goes. A generated secret mixes cases, digits or
/// symbols; a person's weak password of this shape is the price of not drowning examples' and
/// service bindings' names in alarms.
fn is_lone_word(v: &[u8]) -> bool {
    let letters = v.iter().take_while(|b| b.is_ascii_lowercase()).count();
    let digits = v.len() - letters;
    (1..=10).contains(&letters) && digits <= 2 && v[letters..].iter().all(u8::is_ascii_digit)
}

/// The letters split entirely into [`DUMMY_WORDS`] (dynamic programming, linear in the length).
fn made_of_words(letters: &[u8]) -> bool {
    let mut ok = vec![false; letters.len() + 1];
    ok[0] = true;
    for end in 1..=letters.len() {
        ok[end] = DUMMY_WORDS.iter().any(|w| {
            let w = w.as_bytes();
            end >= w.len() && ok[end - w.len()] && &letters[end - w.len()..end] == w
        });
    }
    ok[letters.len()]
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine as _;

    fn b64(s: &[u8]) -> Vec<u8> {
        base64::engine::general_purpose::STANDARD
            .encode(s)
            .into_bytes()
    }

    #[test]
    fn dummies_and_templates_are_nothing() {
        for v in [
            &b"TESTKEY2"[..],
            b"changeme",
            b"",
            b"aaaaaaaaaaaa",
            b"mysecretpassword1",
            b"12345",
            b"dummy-token",
            b"storageos",
            b"postgresql",
            b"mpass2",
            b"TESTROOTCAS0",
            b"TESTALLCERTS",
            b"CA1-secret",
            b"admin_password",
            b"this_is_the_very_deep_secret",
        ] {
            assert_eq!(judge(Field::Data, &b64(v)), Verdict::Nothing, "{v:?}");
            assert_eq!(judge(Field::StringData, v), Verdict::Nothing, "{v:?}");
        }
        for v in [
            &b"{{ .Values.password | b64enc }}"[..],
            b"${DB_PASSWORD}",
            b"<set-me>",
        ] {
            assert_eq!(judge(Field::StringData, v), Verdict::Nothing);
            assert_eq!(judge(Field::Data, v), Verdict::Nothing);
        }
        assert_eq!(judge(Field::Data, b"not base64!"), Verdict::Nothing);
    }

    #[test]
    fn secrets_and_key_material() {
        assert_eq!(judge(Field::Data, &b64(b"Qr7!vLm2#xK9")), Verdict::Report);
        // Longer, mixed or with more digits than a name's suffix: judged a secret.
        for v in [
            &b"sCaleio123"[..],
            b"kubernetesadmin",
            b"orders2024",
            b"correct-horse-battery-staple",
            b"Test_k9Lq2xPz",
        ] {
            assert_eq!(judge(Field::StringData, v), Verdict::Report, "{v:?}");
        }
        assert_eq!(
            judge(Field::StringData, b"wEGtAYrMGoEVyPciPrTH"),
            Verdict::Report
        );
        let pem = b"-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
        assert_eq!(judge(Field::Data, &b64(pem)), Verdict::Crypto(pem.to_vec()));
        let mut der = vec![0x30, 0x82, 0x01, 0x00];
        der.resize(0x104, 7);
        assert_eq!(judge(Field::Data, &b64(&der)), Verdict::Crypto(der.clone()));
        assert_eq!(judge(Field::Data, &b64(&[0xfe; 32])), Verdict::Report);
    }
}
