//! Fuzz target for `.keyaudit.toml`: `Config::parse` on any text, then what the scan does with a
//! configuration (environments, disabling built-in rules). Errors carry a position; nothing may
//! panic.
#![no_main]

use keyaudit::config::Config;
use keyaudit::detect::rule::builtin_rules;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(config) = Config::parse(text, std::path::Path::new("/fuzz/.keyaudit.toml")) else {
        return;
    };
    let _ = config.environments();
    let _ = config.dir();
    // Rules are not `Clone`: load them only when the configuration can disable some.
    if text.contains("disable") {
        let _ = config.apply_disable(builtin_rules().expect("fuzz: built-in rules"));
    }
});
