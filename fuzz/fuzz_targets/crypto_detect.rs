//! Fuzz target for the cryptographic-material parser: any input must be handled without
//! panicking (libfuzzer-sys turns a panic, even one caught by `detect`'s safety net, into an
//! abort through its panic hook), without hanging and without exhausting memory.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = keyaudit::detect::crypto::wants_binary("x", data);
    let _ = keyaudit::detect::crypto::detect("x", data);
});
