//! Fuzz target for user rule files: `parse_rule_file` on any text, then every rule compiled and
//! the rules run as an engine over the same text. A bad rule file is an error with a position;
//! it must never panic, hang (regex size limits) or blow up memory.
#![no_main]

use keyaudit::detect::engine::{Engine, Workload};
use keyaudit::detect::rule::parse_rule_file;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(rules) = parse_rule_file(text, "fuzz.toml") else {
        return;
    };
    for rule in &rules {
        let _ = rule.compile_now();
    }
    if let Ok(engine) = Engine::for_workload(rules, Workload::Small) {
        let (mut out, mut faults) = (Vec::new(), Vec::new());
        engine.scan("fuzz.toml", data, &mut out, &mut faults);
        for m in &out {
            assert!(m.secret.end <= data.len(), "match outside the input");
        }
    }
});
