//! Fuzz target for the whole detection of one blob: the built-in rules engine (keywords, regexes,
//! validators, the crypto parser, the Secret reader) and the scanner that turns its matches into
//! findings (positions, redacted previews, snippets, fingerprints, contexts).
//!
//! Input: an optional path (the bytes before a NUL in the first 64), then the blob: rules select
//! by path (`.npmrc`, `id_rsa`, `*.tfstate`…).
#![no_main]

use keyaudit::detect::engine::Engine;
use keyaudit::detect::rule::builtin_rules;
use keyaudit::scan::{ScanSettings, Scanner};
use keyaudit::source::{Blob, Origin};
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

fn engine() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(|| {
        Engine::new(builtin_rules().expect("fuzz: built-in rules")).expect("fuzz: engine")
    })
}

fuzz_target!(|input: &[u8]| {
    let head = &input[..input.len().min(64)];
    let (path, data) = match head.iter().position(|&b| b == 0) {
        Some(nul) => (String::from_utf8_lossy(&input[..nul]), &input[nul + 1..]),
        None => ("fuzz.txt".into(), input),
    };
    let scanner = Scanner::new(engine(), ScanSettings::default());
    let origin = Origin::File { mtime: None };
    let findings = scanner.detect(Blob {
        path: &path,
        data,
        origin: &origin,
    });
    for f in &findings {
        assert!(f.secret.is_none(), "a secret kept without --show-secrets");
    }
});
