//! Fuzz target for keyaudit's own pack reader: corrupt `.idx` and `.pack` files (one or two
//! packs, so that ref-deltas can point from one pack into the other) must be reported as damage,
//! never panic, recurse without bound, hang or allocate what a header merely claims.
//!
//! Input: chunks as `keyaudit::source::git::fuzz::chunks` reads them: idx, pack[, idx, pack].
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::path::PathBuf;
use std::sync::OnceLock;

/// One directory per fuzzing process, in memory when /dev/shm exists (a pack is written per run).
fn dir() -> &'static PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let base = if std::path::Path::new("/dev/shm").is_dir() {
            PathBuf::from("/dev/shm")
        } else {
            std::env::temp_dir()
        };
        let dir = base.join(format!("keyaudit-fuzz-pack-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("fuzz: cannot create the scratch directory");
        dir
    })
}

fuzz_target!(|data: &[u8]| {
    let chunks = keyaudit::source::git::fuzz::chunks(data);
    let pairs: Vec<(&[u8], &[u8])> = chunks
        .chunks_exact(2)
        .take(2)
        .map(|pair| (pair[0], pair[1]))
        .collect();
    if pairs.is_empty() {
        return;
    }
    keyaudit::source::git::fuzz::packs(&pairs, dir()).expect("fuzz: cannot write the pack");
});
