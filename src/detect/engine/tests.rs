//! The engine on small rule sets: lazy compilation, precedence between rules, windows, paths.

use super::native::Spans;
use super::*;
use crate::detect::rule::parse_rule_file;

const RULES: &str = r#"
[[rules]]
id = "alpha"
name = "Alpha"
description = "d"
category = "test"
severity = "high"
keywords = ["alpha_"]
pattern = '\b(?P<secret>alpha_[a-z0-9]{10})\b'
examples = ["alpha_0123456789"]

[[rules]]
id = "beta"
name = "Beta"
description = "d"
category = "test"
severity = "high"
keywords = ["beta_"]
pattern = '\b(?P<secret>beta_[a-z0-9]{10})\b'
examples = ["beta_0123456789"]

[[rules]]
id = "generic-thing"
name = "Generic"
description = "d"
category = "generic"
precedence = "generic"
severity = "low"
keywords = ["token"]
pattern = 'token\s*=\s*"(?P<secret>[a-z0-9_]{8,})"'
examples = ["token = \"abcdefgh\""]

[[rules]]
id = "file-only"
name = "File only"
description = "d"
category = "test"
severity = "low"
paths = ["**/.pgpass"]
pattern = '(?m)^[^:\n]+:[0-9]+:[^:\n]+:[^:\n]+:(?P<secret>[^\n]+)$'
examples = ["h:5432:d:u:p"]
"#;

fn engine() -> Engine {
    Engine::new(parse_rule_file(RULES, "test").expect("parse")).expect("engine")
}

fn ids(e: &Engine, path: &str, data: &[u8]) -> Vec<String> {
    let (mut out, mut faults) = (Vec::new(), Vec::new());
    e.scan(path, data, &mut out, &mut faults);
    assert!(faults.is_empty());
    out.iter()
        .map(|m| match &m.crypto {
            Some(c) if m.rule == NATIVE => c.rule_id.to_string(),
            _ => e.rules()[m.rule].spec.id.clone(),
        })
        .collect()
}

#[test]
fn regexes_compile_only_when_their_keyword_hits() {
    let e = engine();
    assert!(ids(&e, "a.txt", b"nothing to see here, no keywords at all").is_empty());
    assert!(e.rules().iter().all(|r| !r.is_compiled()));
    assert_eq!(
        ids(
            &e,
            "a.txt",
            b"x = ALPHA_0123456789 ".to_ascii_lowercase().as_slice()
        ),
        vec!["alpha"]
    );
    let compiled: Vec<&str> = e
        .rules()
        .iter()
        .filter(|r| r.is_compiled())
        .map(|r| r.id())
        .collect();
    assert_eq!(compiled, vec!["alpha"]);
}

#[test]
fn specific_rule_wins_over_generic_on_same_secret() {
    let e = engine();
    assert_eq!(
        ids(&e, "a.py", b"token = \"beta_0123456789\""),
        vec!["beta"]
    );
    assert_eq!(
        ids(&e, "a.py", b"token = \"zzzzzzzz9\""),
        vec!["generic-thing"]
    );
}

#[test]
fn self_identifying_token_beats_context_only_rule() {
    let rules = r#"
[[rules]]
id = "aaa-context"
name = "Context"
description = "d"
category = "saas"
severity = "high"
keywords = ["acme"]
pattern = 'secret\s*=\s*(?P<secret>[a-z0-9_]{20,})'
examples = ["acme secret = abcdefghijklmnopqrstu"]

[[rules]]
id = "zzz-prefixed"
name = "Prefixed"
description = "d"
category = "saas"
severity = "high"
keywords = ["zz_sk_"]
pattern = '\b(?P<secret>zz_sk_[a-z0-9]{16})\b'
examples = ["zz_sk_0123456789abcdef"]
"#;
    let e = Engine::new(parse_rule_file(rules, "t").expect("parse")).expect("engine");
    let data = b"secret = zz_sk_0123456789abcdef\nacme_secret = other\n";
    assert_eq!(ids(&e, "a.env", data), vec!["zzz-prefixed"]);
}

#[test]
fn spans_overlap_by_binary_search() {
    let s = Spans::new([10..20, 12..14, 30..40].into_iter());
    assert!(s.overlaps(&(19..25)));
    assert!(s.overlaps(&(13..13 + 1)));
    assert!(!s.overlaps(&(20..30)));
    assert!(!s.overlaps(&(0..10)));
    assert!(s.overlaps(&(39..50)));
    assert!(!Spans::new(std::iter::empty()).overlaps(&(0..5)));
}

#[test]
fn many_hits_in_one_file_are_each_reported_once() {
    let e = engine();
    let mut data = Vec::new();
    for i in 0..500 {
        data.extend_from_slice(format!("alpha_{i:010}\n").as_bytes());
    }
    assert_eq!(ids(&e, "a.txt", &data).len(), 500);
}

#[test]
fn path_only_rules_run_on_their_paths_only() {
    let e = engine();
    let body = b"db.internal:5432:app:svc:Q9v!x2Lr\n";
    assert_eq!(ids(&e, "home/u/.pgpass", body), vec!["file-only"]);
    assert!(ids(&e, "notes.txt", body).is_empty());
}

#[test]
fn token_cut_by_window_edge_is_not_shortened() {
    // The keyword hit is far from the token's end: the window is extended to the end of the line.
    let e = engine();
    let long = format!("alpha_{}", "a".repeat(600));
    assert!(
        ids(&e, "a.txt", long.as_bytes()).is_empty(),
        "a 606-char run is not a 16-char token"
    );
}

/// Two context-only rules whose secrets overlap without being equal: `wide` (`key = "…"`) and
/// `narrow` (the value's `tok_…` part). `extra` is appended to `wide`.
fn overlapping_rules(extra: &str) -> Engine {
    let rules = format!(
        r#"
[[rules]]
id = "narrow"
name = "Narrow"
description = "d"
category = "test"
severity = "high"
keywords = ["key"]
pattern = 'key = "(?P<secret>tok_[a-z0-9]{{12}})'
examples = ['key = "tok_0123456789ab"']

[[rules]]
id = "wide"
name = "Wide"
description = "d"
category = "generic"
severity = "low"
{extra}
keywords = ["key"]
pattern = 'key = "(?P<secret>[a-z0-9_]{{12,}})"'
examples = ['key = "tok_0123456789ab"']
"#
    );
    Engine::new(parse_rule_file(&rules, "user.toml").expect("parse")).expect("engine")
}

#[test]
fn precedence_is_the_rule_field_not_the_category() {
    let data = b"key = \"tok_0123456789abcdef\"\n";
    // Marked generic: the wide rule yields to the specific one.
    let e = overlapping_rules("precedence = \"generic\"");
    assert_eq!(ids(&e, "a.cfg", data), vec!["narrow"]);
    // The same rule without the field is specific, whatever its category says: both stay.
    let e = overlapping_rules("");
    let mut found = ids(&e, "a.cfg", data);
    found.sort();
    assert_eq!(found, vec!["narrow", "wide"]);
}

#[test]
fn vendor_precedence_wins_a_tie_on_the_same_secret() {
    let rules = |extra: &str| {
        format!(
            r#"
[[rules]]
id = "aaa-file"
name = "File"
description = "d"
category = "credential-file"
severity = "high"
keywords = ["secret"]
pattern = 'secret=(?P<secret>[a-z0-9]{{16}})'
examples = ["secret=0123456789abcdef"]

[[rules]]
id = "zzz-service"
name = "Service"
description = "d"
category = "saas"
severity = "high"
{extra}
keywords = ["secret"]
pattern = 'secret=(?P<secret>[a-z0-9]{{16}})'
examples = ["secret=0123456789abcdef"]
"#
        )
    };
    let data = b"secret=0123456789abcdef\n";
    let vendor =
        Engine::new(parse_rule_file(&rules("precedence = \"vendor\""), "u").expect("parse"))
            .expect("engine");
    assert_eq!(ids(&vendor, "a.env", data), vec!["zzz-service"]);
    // Without the field, equals: the first id keeps the secret.
    let plain = Engine::new(parse_rule_file(&rules(""), "u").expect("parse")).expect("engine");
    assert_eq!(ids(&plain, "a.env", data), vec!["aaa-file"]);
}

#[test]
fn yields_to_crypto_hands_parsed_key_material_to_the_parser() {
    let rules = |extra: &str| {
        format!(
            r#"
[[rules]]
id = "pem-text"
name = "PEM text"
description = "d"
category = "private-key"
severity = "critical"
{extra}
keywords = ["PRIVATE KEY"]
pattern = '-----BEGIN PRIVATE KEY-----[A-Za-z0-9+/=\s]+-----END PRIVATE KEY-----'
examples = ["-----BEGIN PRIVATE KEY-----\nabc\n-----END PRIVATE KEY-----"]
"#
        )
    };
    let key = b"-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEILstnBTHZ53hVY/oRJUSCih8TeOrcmNwXOf1a0zuDfmb\n-----END PRIVATE KEY-----\n";
    let yielding =
        Engine::new(parse_rule_file(&rules("yields_to_crypto = true"), "u").expect("parse"))
            .expect("engine");
    assert_eq!(ids(&yielding, "k.pem", key), vec!["crypto-private-key"]);
    // Without the field the rule keeps the finding and carries the parsed key.
    let keeping = Engine::new(parse_rule_file(&rules(""), "u").expect("parse")).expect("engine");
    let (mut out, mut faults) = (Vec::new(), Vec::new());
    keeping.scan("k.pem", key, &mut out, &mut faults);
    assert_eq!(out.len(), 1);
    assert_eq!(keeping.rules()[out[0].rule].spec.id, "pem-text");
    assert!(
        out[0].crypto.is_some(),
        "the parsed description is taken over"
    );
}

#[test]
fn ciphertext_behind_the_prefilter_finds_what_running_every_format_finds() {
    use crate::detect::ciphertext;
    use base64::Engine as _;
    use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
    let e = Engine::new(crate::detect::rule::builtin_rules().expect("rules")).expect("engine");
    let b64url = |b: &[u8]| URL_SAFE_NO_PAD.encode(b);
    let jwe = format!(
        "token: {}..{}.{}.{}\n",
        b64url(br#"{"alg":"dir","enc":"A128GCM"}"#),
        b64url(&[7; 12]),
        b64url(&[9; 40]),
        b64url(&[3; 16])
    );
    let mut salted = b"Salted__12345678".to_vec();
    salted.extend((0u8..=255).map(|b| b.wrapping_mul(167)));
    let samples: Vec<(&str, Vec<u8>)> =
        vec![
        ("notes.txt", b"no ciphertext, only prose about age and vaults".to_vec()),
        (
            "vault.yml",
            b"$ANSIBLE_VAULT;1.1;AES256\n6231336539666236346139346433616338376437376461363365\n"
                .to_vec(),
        ),
        ("resp.json", jwe.into_bytes()),
        ("x.txt", format!("pw: {}\n", STANDARD.encode(&salted)).into_bytes()),
        ("x.bin", salted.clone()),
        ("data.enc", salted.iter().map(|b| b ^ 0x5a).skip(8).collect()),
        ("mention.md", b"-----BEGIN PGP MESSAGE-----\n\n...\n".to_vec()),
    ];
    let mut seen = 0;
    for (path, data) in &samples {
        let got: Vec<_> = e
            .scan_blob(path, data)
            .ciphertexts
            .into_iter()
            .map(|c| (c.kind, c.recipients))
            .collect();
        let want: Vec<_> = ciphertext::detect(path, data)
            .into_iter()
            .map(|c| (c.kind, c.recipients))
            .collect();
        assert_eq!(got, want, "{path}");
        seen += got.len();
    }
    assert!(seen >= 4, "the samples hold ciphertext: {seen}");
    // The matches-only scan does no ciphertext work and reports the same matches.
    let (mut out, mut faults) = (Vec::new(), Vec::new());
    e.scan("vault.yml", &samples[1].1, &mut out, &mut faults);
    assert_eq!(out, e.scan_blob("vault.yml", &samples[1].1).matches);
}
