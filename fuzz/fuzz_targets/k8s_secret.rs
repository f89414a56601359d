//! Fuzz target for the Kubernetes Secret reader: `k8s::find` (tolerant YAML scan, JSON parser)
//! and the judge of every value it returns, key material through the crypto parser. Every span
//! must lie inside the input; nothing may panic, recurse without bound or go quadratic.
#![no_main]

use keyaudit::detect::k8s::{self, judge::Verdict};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    for value in k8s::find(data) {
        assert!(
            data.get(value.span.clone()).is_some(),
            "span {:?} outside an input of {} bytes",
            value.span,
            data.len()
        );
        if let Verdict::Crypto(raw) = k8s::judge::judge(value.field, &value.value) {
            let _ = keyaudit::detect::crypto::detect(&value.name, &raw);
        }
    }
});
