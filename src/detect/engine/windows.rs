//! The scan loop: keyword hits become per-rule windows (merged as they come), and each rule's
//! regex runs in its merged windows only, its filters (length, entropy, validator, allow lists,
//! stop words, placeholders, context before the match) judging every candidate.

use super::{Engine, Prefiltered, RawMatch, RuleFault};
use crate::detect::filter;
use crate::detect::rule::Rule;
use crate::detect::validate;

/// How far past a window's end we look for the end of the token it may cut, so that a token cut by
/// the window is not mistaken for a shorter one.
const TOKEN_EXTENSION: usize = 1024;

/// Bytes that can continue a token (base64, base64url, hex, and the separators tokens use).
fn is_token_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'+' | b'/' | b'=' | b'.' | b'~' | b'%')
}

impl Engine {
    /// Mark the rules whose `paths` globs match `path` and those whose `exclude_paths` do.
    pub(super) fn mark_paths(
        &self,
        path: &str,
        path_ok: &mut [bool],
        excluded: &mut [bool],
        glob_hits: &mut Vec<usize>,
    ) {
        if !self.path_glob_rule.is_empty() {
            self.path_globs.matches_into(path, glob_hits);
            for &g in glob_hits.iter() {
                path_ok[self.path_glob_rule[g]] = true;
            }
        }
        if !self.exclude_glob_rule.is_empty() {
            self.exclude_globs.matches_into(path, glob_hits);
            for &g in glob_hits.iter() {
                excluded[self.exclude_glob_rule[g]] = true;
            }
        }
    }

    /// Turn keyword hits into per-rule windows (merged as they come), note the detector rules
    /// whose keyword hit, and say what else hit (crypto keywords, ciphertext markers).
    pub(super) fn keyword_windows(
        &self,
        data: &[u8],
        path_ok: &[bool],
        excluded: &[bool],
        open: &mut [Option<(usize, usize)>],
        windows: &mut Vec<(usize, usize, usize)>,
        detector_hits: &mut Vec<usize>,
    ) -> Prefiltered {
        let mut seen = Prefiltered::default();
        for hit in self.ac.find_overlapping_iter(data) {
            let slot = &self.slots[hit.pattern().as_usize()];
            seen.crypto |= slot.crypto;
            seen.sealed = seen.sealed.with(slot.sealed);
            for &r in &slot.rules {
                if excluded[r] || (self.path_restricted[r] && !path_ok[r]) {
                    continue;
                }
                if self.detectors[r].is_some() {
                    if !detector_hits.contains(&r) {
                        detector_hits.push(r);
                    }
                    continue;
                }
                let rule = &self.rules[r];
                let start = hit.start().saturating_sub(rule.window_before());
                let end = hit
                    .end()
                    .saturating_add(rule.window_after())
                    .min(data.len());
                match &mut open[r] {
                    Some(o) if start <= o.1 && end >= o.0 => {
                        *o = (o.0.min(start), o.1.max(end));
                    }
                    Some(o) if start > o.1 => {
                        windows.push((r, o.0, o.1));
                        *o = (start, end);
                    }
                    // Out of order by a keyword's length: merged by the sort below.
                    Some(_) => windows.push((r, start, end)),
                    None => open[r] = Some((start, end)),
                }
            }
        }
        for (r, o) in open.iter().enumerate() {
            if let Some((start, end)) = *o {
                windows.push((r, start, end));
            }
        }
        seen
    }

    /// Run each rule over its windows, sorted and merged where they touch.
    pub(super) fn run_windows(
        &self,
        data: &[u8],
        windows: &mut [(usize, usize, usize)],
        out: &mut Vec<RawMatch>,
        faults: &mut Vec<RuleFault>,
    ) {
        windows.sort_unstable();
        let mut i = 0;
        while i < windows.len() {
            let (r, start, mut end) = windows[i];
            i += 1;
            while i < windows.len() && windows[i].0 == r && windows[i].1 <= end {
                end = end.max(windows[i].2);
                i += 1;
            }
            self.run_rule(r, data, start, end, out, faults);
        }
    }

    fn run_rule(
        &self,
        r: usize,
        data: &[u8],
        start: usize,
        end: usize,
        out: &mut Vec<RawMatch>,
        faults: &mut Vec<RuleFault>,
    ) {
        let rule = &self.rules[r];
        let re = match rule.regex() {
            Ok(re) => re,
            Err(e) => {
                if !faults.iter().any(|f| f.rule_id == rule.spec.id) {
                    faults.push(RuleFault {
                        rule_id: rule.spec.id.clone(),
                        message: e.to_string(),
                    });
                }
                return;
            }
        };
        // Extend to the end of the token under the window's edge so it is seen whole.
        let limit = (end + TOKEN_EXTENSION).min(data.len());
        let end = data[end..limit]
            .iter()
            .position(|&b| !is_token_byte(b))
            .map_or(limit, |p| end + p);
        let hay = &data[..end];
        let mut pos = start;
        while pos <= end {
            let Some(caps) = re.captures_at(hay, pos) else {
                break;
            };
            let Some(m) = caps.get(0) else { break };
            pos = if m.end() > m.start() {
                m.end()
            } else {
                m.end() + 1
            };
            let secret = caps.name("secret").unwrap_or(m);
            if secret.is_empty() {
                continue;
            }
            if self.accept(rule, secret.as_bytes(), m.as_bytes())
                && !allowed_by_context(rule, data, m.start())
            {
                let lower = secret.as_bytes().to_ascii_lowercase();
                let self_identifying = rule.spec.keywords.iter().any(|k| {
                    memchr::memmem::find(&lower, k.to_ascii_lowercase().as_bytes()).is_some()
                });
                out.push(RawMatch {
                    rule: r,
                    span: m.range(),
                    secret: secret.range(),
                    crypto: None,
                    self_identifying,
                    k8s_key: None,
                });
            }
        }
    }

    /// The rule's filters: length, entropy, validator, allow lists, stop words, placeholders.
    pub(super) fn accept(&self, rule: &Rule, secret: &[u8], whole: &[u8]) -> bool {
        let spec = &rule.spec;
        if spec.min_length.is_some_and(|n| secret.len() < n) {
            return false;
        }
        if spec
            .min_entropy
            .is_some_and(|e| filter::entropy(secret) < e)
        {
            return false;
        }
        if spec
            .validator
            .as_deref()
            .is_some_and(|v| !validate::check(v, secret))
        {
            return false;
        }
        if !spec.stopwords.is_empty() {
            let lower = secret.to_ascii_lowercase();
            if spec
                .stopwords
                .iter()
                .any(|w| memchr::memmem::find(&lower, w.to_ascii_lowercase().as_bytes()).is_some())
            {
                return false;
            }
        }
        if spec.placeholder_filter && filter::is_non_secret(secret) {
            return false;
        }
        if rule
            .allow_regexes()
            .is_ok_and(|a| a.iter().any(|re| re.is_match(secret)))
        {
            return false;
        }
        if rule
            .allow_match_regexes()
            .is_ok_and(|a| a.iter().any(|re| re.is_match(whole)))
        {
            return false;
        }
        true
    }
}

/// How much of the line before a match `allow_before` sees.
const CONTEXT_BEFORE: usize = 256;

/// A rule's `allow_before` regexes on the line's text before the match.
fn allowed_by_context(rule: &Rule, data: &[u8], start: usize) -> bool {
    if rule.spec.allow_before.is_empty() {
        return false;
    }
    let from = start.saturating_sub(CONTEXT_BEFORE);
    let before = data.get(from..start).unwrap_or_default();
    let line = match memchr::memrchr(b'\n', before) {
        Some(nl) => &before[nl + 1..],
        None => before,
    };
    rule.allow_before_regexes()
        .is_ok_and(|a| a.iter().any(|re| re.is_match(line)))
}
