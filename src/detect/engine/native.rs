//! What the engine adds besides rule matches: the crypto parser's items (keys, certificates,
//! keystores) as native matches, and the values a structural detector finds (Kubernetes Secret
//! data), each judged by content — key material goes to the parser, the rest to its rule.

use super::{CryptoHit, Engine, NATIVE, RawMatch};
use crate::detect::crypto;
use crate::detect::k8s::{self, judge::Verdict};
use std::ops::Range;

impl Engine {
    /// Run the structural detector for the rules in `rules` and judge each value it finds: key
    /// material is the crypto parser's (already found at `out[native_from..]`, or parsed here from
    /// the decoded value), dummies are nothing, the rest is a match of the value's rule. Each
    /// value is its own match, so two values of one Secret never merge.
    pub(super) fn run_detectors(
        &self,
        path: &str,
        data: &[u8],
        rules: &[usize],
        native_from: usize,
        out: &mut Vec<RawMatch>,
    ) {
        let values = k8s::find(data);
        let parsed = Spans::new(
            out[native_from..]
                .iter()
                .filter(|m| m.rule == NATIVE)
                .map(|m| m.span.clone()),
        );
        for v in &values {
            let Some(&r) = rules.iter().find(|&&r| self.detectors[r] == Some(v.field)) else {
                continue;
            };
            match k8s::judge::judge(v.field, &v.value) {
                Verdict::Nothing => {}
                Verdict::Crypto(raw) => {
                    if parsed.overlaps(&v.span) || !self.crypto_enabled {
                        continue;
                    }
                    let items = crypto::detect(path, &raw);
                    if items.is_empty() {
                        // PEM the parser calls a mere mention (a bare BEGIN line, an empty
                        // block) is nothing; DER it cannot read may still be a secret.
                        if memchr::memmem::find(&raw, b"-----BEGIN").is_none() {
                            self.push_value(r, v, out);
                        }
                    } else {
                        let encoding = (v.field == k8s::Field::Data).then_some("base64");
                        let items = items.into_iter().map(|mut i| {
                            i.span = v.span.clone();
                            i
                        });
                        let first = out.len();
                        push_native(items, encoding, out);
                        for m in &mut out[first..] {
                            m.k8s_key = Some(v.name.clone());
                        }
                    }
                }
                Verdict::Report => self.push_value(r, v, out),
            }
        }
    }

    /// A Secret value as a match of rule `r`, if the rule's own filters accept it. The filters see
    /// the decoded value, and `allow_match` sees it as the line `  name: value`.
    fn push_value(&self, r: usize, v: &k8s::SecretValue, out: &mut Vec<RawMatch>) {
        let mut whole = format!("  {}: ", v.name).into_bytes();
        whole.extend_from_slice(&v.value);
        if self.accept(&self.rules[r], &v.value, &whole) {
            out.push(RawMatch {
                rule: r,
                span: v.span.clone(),
                secret: v.span.clone(),
                crypto: None,
                self_identifying: false,
                k8s_key: Some(v.name.clone()),
            });
        }
    }
}

/// Byte ranges sorted by start, with the running maximum of their ends: whether any overlaps a
/// given range is a binary search, so checking every Secret value stays linear-logarithmic.
pub(super) struct Spans {
    starts: Vec<usize>,
    max_end: Vec<usize>,
}

impl Spans {
    pub(super) fn new(spans: impl Iterator<Item = Range<usize>>) -> Spans {
        let mut spans: Vec<Range<usize>> = spans.collect();
        spans.sort_by_key(|s| s.start);
        let mut max = 0;
        let max_end = spans
            .iter()
            .map(|s| {
                max = max.max(s.end);
                max
            })
            .collect();
        Spans {
            starts: spans.iter().map(|s| s.start).collect(),
            max_end,
        }
    }

    pub(super) fn overlaps(&self, r: &Range<usize>) -> bool {
        let before_end = self.starts.partition_point(|&s| s < r.end);
        before_end > 0 && self.max_end[before_end - 1] > r.start
    }
}

/// The crypto parser's items as matches (with `encoding` overriding theirs when given).
pub(super) fn push_native(
    items: impl IntoIterator<Item = crypto::CryptoItem>,
    encoding: Option<&str>,
    out: &mut Vec<RawMatch>,
) {
    for mut item in items {
        if let Some(e) = encoding {
            item.info.encoding = e.to_string();
        }
        out.push(RawMatch {
            rule: NATIVE,
            secret: item.span.clone(),
            span: item.span,
            crypto: Some(Box::new(CryptoHit {
                rule_id: item.rule_id,
                severity: item.severity,
                info: item.info,
            })),
            self_identifying: true,
            k8s_key: None,
        });
    }
}
