//! Fuzz target for the tree and commit objects keyaudit reads itself: its in-place tree parser
//! and parent-diff walk (chunk 0 against up to two parent trees; every id names some chunk, so
//! cycles and trees shared many times over are in reach), and what it takes from a commit that
//! gix parsed. Nothing may panic, recurse without bound or walk without bound.
//!
//! Input: one byte (number of parent trees), then chunks as `fuzz::chunks` reads them.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&parents, rest)) = data.split_first() else {
        return;
    };
    let objects = keyaudit::source::git::fuzz::chunks(rest);
    keyaudit::source::git::fuzz::trees_and_commits(&objects, usize::from(parents % 3));
});
