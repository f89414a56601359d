//! Kubernetes Secrets found by structure, not by regex: every value of a Secret's `data:` /
//! `stringData:` map (YAML or JSON, any document of a multi-document file, `kind: List` items,
//! Helm templates) and every kustomize `secretGenerator` literal, each with its exact byte range.
//!
//! Why a structural scan: a Secret's values are only secrets because of the object they sit in
//! (`kind: Secret`, which kubectl writes *after* `data:`), and the same keys in a ConfigMap are
//! configuration. A regex cannot see the object; a strict YAML parser would lose Helm templates
//! (`{{ … }}` is not YAML). The YAML side is a tolerant indentation scan, the JSON side a small
//! span-tracking parser; both are linear and never recurse without bound.
//!
//! What a value *is* is decided in [`judge`]: key material goes to the crypto parser, dummies are
//! nothing, the rest is a finding of the rule that asked for it.

mod json;
pub mod judge;
mod yaml;

use std::ops::Range;

/// Which map of a Secret a value came from; each has its own rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    /// `data:` — base64 of the value.
    Data,
    /// `stringData:` or a kustomize `secretGenerator` literal — the value as text.
    StringData,
}

/// The detectors a rule may name in `detector = "…"`, and the field each one reports.
pub const DETECTORS: &[(&str, Field)] = &[
    ("k8s-secret-data", Field::Data),
    ("k8s-secret-string-data", Field::StringData),
];

/// The field a detector name stands for.
pub fn detector_field(name: &str) -> Option<Field> {
    DETECTORS.iter().find(|(n, _)| *n == name).map(|(_, f)| *f)
}

/// One value of a Secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecretValue {
    pub field: Field,
    /// The key under `data:` / `stringData:` (`tls.key`, `password`).
    pub name: String,
    /// Where the value's text is in the blob (inside quotes; a block scalar's lines).
    pub span: Range<usize>,
    /// The value with its YAML/JSON syntax undone (unquoted, unescaped, block lines unindented);
    /// for `data:` still base64.
    pub value: Vec<u8>,
}

/// Every Secret value in `data`, in input order. Cheap on blobs that cannot hold a Secret.
pub fn find(data: &[u8]) -> Vec<SecretValue> {
    let has = |s: &[u8]| memchr::memmem::find(data, s).is_some();
    if !((has(b"Secret") && has(b"kind")) || has(b"secretGenerator")) {
        return Vec::new();
    }
    let first = data.iter().find(|b| !b.is_ascii_whitespace());
    let mut out = if matches!(first, Some(b'{' | b'[')) {
        json::find(data)
    } else {
        yaml::find(data)
    };
    out.sort_by_key(|v| (v.span.start, v.span.end));
    out
}
