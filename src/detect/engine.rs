//! The rule engine: one Aho-Corasick pass over a blob finds every keyword; each rule's regex then
//! runs only in bounded windows around its own keywords' hits. On clean input the cost is the
//! keyword scan alone, whatever the number of rules; a regex is compiled only the first time one
//! of its keywords is seen.

use super::crypto;
use super::filter;
use super::k8s::{self, judge::Verdict};
use super::rule::Rule;
use super::validate;
use aho_corasick::{AhoCorasick, AhoCorasickBuilder, AhoCorasickKind, MatchKind};
use globset::{GlobSet, GlobSetBuilder};
use std::cell::RefCell;
use std::ops::Range;

/// A match in a blob, before it becomes a [`crate::model::Finding`].
#[derive(Debug, Clone, PartialEq)]
pub struct RawMatch {
    /// Index into [`Engine::rules`] for a rule match; [`NATIVE`] for a crypto item.
    pub rule: usize,
    /// The whole match.
    pub span: Range<usize>,
    /// The secret inside it.
    pub secret: Range<usize>,
    /// What the key or certificate is, when the crypto parser recognised it (its own item, or a
    /// vendor rule's match that covers key material, e.g. a cloud service-account key).
    pub crypto: Option<Box<CryptoHit>>,
    /// The secret itself contains one of its rule's keywords (a token prefix such as `ghp_`), so
    /// it identifies its own type; a rule that matched only through nearby context does not.
    pub self_identifying: bool,
}

/// Identity of a match's producer, for findings and reports.
#[derive(Debug, Clone, Copy)]
pub struct MatchMeta<'a> {
    pub id: &'a str,
    pub name: &'a str,
    pub category: &'a str,
    pub severity: crate::model::Severity,
    pub proof: Option<crate::model::Proof>,
}

/// `RawMatch::rule` of a match produced by the crypto parser rather than a rule.
pub const NATIVE: usize = usize::MAX;

/// A crypto item's identity: its native rule, severity and parsed description.
#[derive(Debug, Clone, PartialEq)]
pub struct CryptoHit {
    pub rule_id: &'static str,
    pub severity: crate::model::Severity,
    pub info: crypto::CryptoInfo,
}

/// Problems met while matching (a rule whose regex does not compile): reported, never fatal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleFault {
    pub rule_id: String,
    pub message: String,
}

pub struct Engine {
    rules: Vec<Rule>,
    ac: AhoCorasick,
    /// For each keyword pattern, the rules that own it.
    keyword_rules: Vec<Vec<usize>>,
    /// Rules with `paths`: the glob set and, per glob, its rule.
    path_globs: GlobSet,
    path_glob_rule: Vec<usize>,
    /// Rules with `exclude_paths`.
    exclude_globs: GlobSet,
    exclude_glob_rule: Vec<usize>,
    /// Rules that have paths but no keywords: they run over the whole file when the path matches.
    path_only: Vec<bool>,
    path_restricted: Vec<bool>,
    generic: Vec<bool>,
    /// Rules whose matches the crypto parser supersedes (generic ones, PEM-text private keys, and
    /// Secret values, which are key material only when the parser says so).
    yields_to_crypto: Vec<bool>,
    /// Rules whose values a structural detector finds (`detector = "…"`), and which field.
    detectors: Vec<Option<k8s::Field>>,
    /// Who keeps a secret that two specific rules of equal standing report: see [`dedupe`].
    tiebreak: Vec<u8>,
    /// Keyword patterns from this index on belong to the crypto parser, not to rules.
    crypto_keywords_from: usize,
    /// Run the crypto parser (off when checking one rule's examples on its own).
    crypto_enabled: bool,
}

/// Per-thread scratch buffers, reused across blobs to keep the hot path free of allocation.
#[derive(Default)]
struct Scratch {
    windows: Vec<(usize, usize, usize)>,
    /// Per rule, the window still growing: hits arrive in file order, so overlapping windows
    /// merge as they come and a blob of millions of hits holds a few windows, not millions.
    open: Vec<Option<(usize, usize)>>,
    path_ok: Vec<bool>,
    excluded: Vec<bool>,
    glob_hits: Vec<usize>,
    /// Rules with a detector whose keyword hit: the detector runs once per blob for all of them.
    detector_hits: Vec<usize>,
}

thread_local! {
    static SCRATCH: RefCell<Scratch> = RefCell::new(Scratch::default());
}

/// How far past a window's end we look for the end of the token it may cut, so that a token cut by
/// the window is not mistaken for a shorter one.
const TOKEN_EXTENSION: usize = 1024;

/// Bytes that can continue a token (base64, base64url, hex, and the separators tokens use).
fn is_token_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'+' | b'/' | b'=' | b'.' | b'~' | b'%')
}

/// What the engine will mostly scan: it decides how the keyword automaton is built.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Workload {
    /// Many bytes (trees, history): a DFA, the fastest to search, worth its build time.
    #[default]
    Bulk,
    /// A few kilobytes (a staged change): a contiguous NFA, built in a fraction of the DFA's
    /// time, which on a pre-commit hook is most of the run.
    Small,
}

impl Engine {
    pub fn new(rules: Vec<Rule>) -> Result<Engine, String> {
        Engine::for_workload(rules, Workload::Bulk)
    }

    pub fn for_workload(rules: Vec<Rule>, workload: Workload) -> Result<Engine, String> {
        let mut keywords: Vec<Vec<u8>> = Vec::new();
        let mut keyword_rules: Vec<Vec<usize>> = Vec::new();
        let mut index: std::collections::HashMap<Vec<u8>, usize> = Default::default();
        let mut paths = GlobSetBuilder::new();
        let mut path_glob_rule = Vec::new();
        let mut excludes = GlobSetBuilder::new();
        let mut exclude_glob_rule = Vec::new();
        for (i, rule) in rules.iter().enumerate() {
            for kw in &rule.spec.keywords {
                let k = kw.to_ascii_lowercase().into_bytes();
                let slot = *index.entry(k.clone()).or_insert_with(|| {
                    keywords.push(k);
                    keyword_rules.push(Vec::new());
                    keywords.len() - 1
                });
                keyword_rules[slot].push(i);
            }
            for g in &rule.spec.paths {
                paths.add(glob(g)?);
                path_glob_rule.push(i);
            }
            for g in &rule.spec.exclude_paths {
                excludes.add(glob(g)?);
                exclude_glob_rule.push(i);
            }
        }
        let crypto_keywords_from = keywords.len();
        keywords.extend(
            crypto::KEYWORDS
                .iter()
                .map(|k| k.to_ascii_lowercase().into_bytes()),
        );
        let ac = AhoCorasickBuilder::new()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::Standard)
            .kind(Some(match workload {
                Workload::Bulk => AhoCorasickKind::DFA,
                Workload::Small => AhoCorasickKind::ContiguousNFA,
            }))
            .build(&keywords)
            .map_err(|e| format!("keyword automaton: {e}"))?;
        let path_only = rules.iter().map(|r| r.spec.keywords.is_empty()).collect();
        let path_restricted = rules.iter().map(|r| !r.spec.paths.is_empty()).collect();
        let generic = rules.iter().map(|r| r.spec.category == "generic").collect();
        let (detectors, yields_to_crypto) = detectors_and_yielding(&rules);
        // Two specific rules on the same secret: a vendor rule names the service (an AWS key
        // pair beats "a value in a credentials file"); then a rule scoped to this kind of file
        // (.git-credentials) knows the format better than one that matches anywhere (any URL
        // with a password).
        let tiebreak = rules
            .iter()
            .map(|r| {
                u8::from(matches!(
                    r.spec.category.as_str(),
                    "ai" | "cloud" | "messaging" | "payment" | "saas" | "vcs"
                )) * 2
                    + u8::from(!r.spec.paths.is_empty())
            })
            .collect();
        Ok(Engine {
            rules,
            ac,
            keyword_rules,
            path_globs: paths.build().map_err(|e| e.to_string())?,
            path_glob_rule,
            exclude_globs: excludes.build().map_err(|e| e.to_string())?,
            exclude_glob_rule,
            path_only,
            path_restricted,
            generic,
            yields_to_crypto,
            detectors,
            tiebreak,
            crypto_keywords_from,
            crypto_enabled: true,
        })
    }

    /// Identity of whatever produced a match: its rule, or the crypto parser's native rule.
    /// A crypto item's own severity wins over its rule's default (an encrypted key is less
    /// severe than one in clear).
    pub fn meta<'a>(&'a self, m: &'a RawMatch) -> MatchMeta<'a> {
        match (&m.crypto, m.rule) {
            (Some(c), NATIVE) => {
                let native = crypto::RULES.iter().find(|r| r.id == c.rule_id);
                MatchMeta {
                    id: c.rule_id,
                    name: native.map_or(c.rule_id, |r| r.name),
                    category: native.map_or("private-key", |r| r.category),
                    severity: c.severity,
                    proof: None,
                }
            }
            (_, r) => {
                let spec = &self.rules[r].spec;
                MatchMeta {
                    id: &spec.id,
                    name: &spec.name,
                    category: &spec.category,
                    severity: spec.severity,
                    proof: spec.proof,
                }
            }
        }
    }

    /// Rules only, without the crypto parser (to see what a rule does on its own).
    pub fn without_crypto(mut self) -> Engine {
        self.crypto_enabled = false;
        self
    }

    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    /// Find every rule match in `data` (the content of the file at `path`, `/`-separated).
    pub fn scan(
        &self,
        path: &str,
        data: &[u8],
        out: &mut Vec<RawMatch>,
        faults: &mut Vec<RuleFault>,
    ) {
        SCRATCH.with(|s| {
            let mut s = s.borrow_mut();
            let Scratch {
                windows,
                open,
                path_ok,
                excluded,
                glob_hits,
                detector_hits,
            } = &mut *s;
            let n = self.rules.len();
            path_ok.clear();
            path_ok.resize(n, false);
            excluded.clear();
            excluded.resize(n, false);
            self.mark_paths(path, path_ok, excluded, glob_hits);
            windows.clear();
            open.clear();
            open.resize(n, None);
            detector_hits.clear();
            // Path-only rules: the whole file is the window.
            for i in 0..n {
                if self.path_only[i] && path_ok[i] && !excluded[i] {
                    windows.push((i, 0, data.len()));
                }
            }
            let crypto_hit =
                self.keyword_windows(data, path_ok, excluded, open, windows, detector_hits);
            let before = out.len();
            if self.crypto_enabled && (crypto_hit || crypto::wants_binary(path, data)) {
                push_native(crypto::detect(path, data), None, out);
            }
            if !detector_hits.is_empty() {
                self.run_detectors(path, data, detector_hits, before, out);
            }
            if windows.is_empty() && out.len() == before {
                return;
            }
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
            // Moved, not copied: a blob of millions of hits must not hold them twice.
            let found = if before == 0 {
                std::mem::take(out)
            } else {
                out.split_off(before)
            };
            let kept = dedupe(found, &self.generic, &self.yields_to_crypto, &self.tiebreak);
            if out.is_empty() {
                *out = kept;
            } else {
                out.extend(kept);
            }
        });
    }

    /// Mark the rules whose `paths` globs match `path` and those whose `exclude_paths` do.
    fn mark_paths(
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
    /// whose keyword hit, and say whether a crypto keyword hit.
    fn keyword_windows(
        &self,
        data: &[u8],
        path_ok: &[bool],
        excluded: &[bool],
        open: &mut [Option<(usize, usize)>],
        windows: &mut Vec<(usize, usize, usize)>,
        detector_hits: &mut Vec<usize>,
    ) -> bool {
        let mut crypto_hit = false;
        for hit in self.ac.find_overlapping_iter(data) {
            let pattern = hit.pattern().as_usize();
            if pattern >= self.crypto_keywords_from {
                crypto_hit = true;
                continue;
            }
            for &r in &self.keyword_rules[pattern] {
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
        crypto_hit
    }

    /// Run the structural detector for the rules in `rules` and judge each value it finds: key
    /// material is the crypto parser's (already found at `out[native_from..]`, or parsed here from
    /// the decoded value), dummies are nothing, the rest is a match of the value's rule. Each
    /// value is its own match, so two values of one Secret never merge.
    fn run_detectors(
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
                        push_native(items, encoding, out);
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
            });
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
                });
            }
        }
    }

    /// The rule's filters: length, entropy, validator, allow lists, stop words, placeholders.
    fn accept(&self, rule: &Rule, secret: &[u8], whole: &[u8]) -> bool {
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

/// Byte ranges sorted by start, with the running maximum of their ends: whether any overlaps a
/// given range is a binary search, so checking every Secret value stays linear-logarithmic.
struct Spans {
    starts: Vec<usize>,
    max_end: Vec<usize>,
}

impl Spans {
    fn new(spans: impl Iterator<Item = Range<usize>>) -> Spans {
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

    fn overlaps(&self, r: &Range<usize>) -> bool {
        let before_end = self.starts.partition_point(|&s| s < r.end);
        before_end > 0 && self.max_end[before_end - 1] > r.start
    }
}

/// The crypto parser's items as matches (with `encoding` overriding theirs when given).
fn push_native(
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
        });
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

/// Per rule: the field its structural detector reports, if any, and whether the crypto parser
/// supersedes its matches (generic rules, PEM-text private keys, Secret values).
fn detectors_and_yielding(rules: &[Rule]) -> (Vec<Option<k8s::Field>>, Vec<bool>) {
    let detectors: Vec<Option<k8s::Field>> = rules
        .iter()
        .map(|r| r.spec.detector.as_deref().and_then(k8s::detector_field))
        .collect();
    let yields = rules
        .iter()
        .zip(&detectors)
        .map(|(r, d)| d.is_some() || matches!(r.spec.category.as_str(), "generic" | "private-key"))
        .collect();
    (detectors, yields)
}

fn glob(g: &str) -> Result<globset::Glob, String> {
    globset::GlobBuilder::new(g)
        .literal_separator(false)
        .build()
        .map_err(|e| format!("bad glob {g:?}: {e}"))
}

/// Where matches overlap, keep the most informative:
/// * a crypto item beats a generic rule or a PEM-text private-key rule on the same bytes;
/// * a vendor rule (e.g. a cloud service-account key) keeps its identity but takes over the
///   crypto item's parsed description, so one secret is one finding;
/// * a specific rule beats a generic one, a self-identifying match (token prefix) one found
///   through context only; two rules on exactly the same span: the first by id.
fn dedupe(
    mut found: Vec<RawMatch>,
    generic: &[bool],
    yields_to_crypto: &[bool],
    tiebreak: &[u8],
) -> Vec<RawMatch> {
    if found.len() < 2 {
        return found;
    }
    found.sort_by_key(|m| (m.secret.start, m.secret.end, m.rule));
    let is_generic = |m: &RawMatch| m.rule != NATIVE && generic[m.rule];
    let yields = |m: &RawMatch| m.rule != NATIVE && yields_to_crypto[m.rule];
    let mut drop = vec![false; found.len()];
    // Pass 1: a rule that yields to the parser (a bare PEM-block rule) goes wherever the parser
    // understood the material. Done first so that it cannot, in turn, knock out a vendor rule
    // (a GCP service-account key) that should carry the parsed key instead.
    for i in 0..found.len() {
        let mut j = i + 1;
        while j < found.len() && found[j].secret.start < found[i].secret.end {
            let (a, b) = (&found[i], &found[j]);
            if a.rule == NATIVE && yields(b) {
                drop[j] = true;
            } else if b.rule == NATIVE && yields(a) {
                drop[i] = true;
            }
            j += 1;
        }
    }
    // Pass 2: among what is left, a match that has itself been dropped drops nothing.
    let mut adopt: Vec<(usize, usize)> = Vec::new();
    for i in 0..found.len() {
        let mut j = i + 1;
        while j < found.len() && found[j].secret.start < found[i].secret.end {
            if drop[i] {
                break;
            }
            if drop[j] {
                j += 1;
                continue;
            }
            let (a, b) = (&found[i], &found[j]);
            match (a.rule == NATIVE, b.rule == NATIVE) {
                (true, true) => {}
                (true, false) | (false, true) => {
                    // A vendor rule names what the key is for; it keeps the parsed details.
                    let (native, rule) = if a.rule == NATIVE { (i, j) } else { (j, i) };
                    drop[native] = true;
                    adopt.push((rule, native));
                }
                (false, false) => match (is_generic(a), is_generic(b)) {
                    (true, false) => drop[i] = true,
                    (false, true) => drop[j] = true,
                    // Two specific rules on one secret: the one whose secret names its own type
                    // (a token prefix) beats one that matched only through nearby context.
                    _ if a.self_identifying != b.self_identifying => {
                        drop[if a.self_identifying { j } else { i }] = true;
                    }
                    _ if a.secret == b.secret => {
                        drop[if tiebreak[b.rule] > tiebreak[a.rule] {
                            i
                        } else {
                            j
                        }] = true;
                    }
                    _ => {}
                },
            }
            j += 1;
        }
    }
    for (rule, native) in adopt {
        if found[rule].crypto.is_none() {
            found[rule].crypto = found[native].crypto.clone();
        }
    }
    // In place: the list may hold millions of matches.
    let mut at = 0;
    found.retain(|_| {
        at += 1;
        !drop[at - 1]
    });
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detect::rule::parse_rule_file;

    const RULES: &str = r#"
[[rules]]
id = "alpha"
name = "Alpha"
description = "d"
category = "test"
severity = "high"
keywords = ["alpha_"]
pattern = '\b(?P<secret>alpha_[a-z0-9]{10})\b'
examples = ["alpha_0123456789"]

[[rules]]
id = "beta"
name = "Beta"
description = "d"
category = "test"
severity = "high"
keywords = ["beta_"]
pattern = '\b(?P<secret>beta_[a-z0-9]{10})\b'
examples = ["beta_0123456789"]

[[rules]]
id = "generic-thing"
name = "Generic"
description = "d"
category = "generic"
severity = "low"
keywords = ["token"]
pattern = 'token\s*=\s*"(?P<secret>[a-z0-9_]{8,})"'
examples = ["token = \"abcdefgh\""]

[[rules]]
id = "file-only"
name = "File only"
description = "d"
category = "test"
severity = "low"
paths = ["**/.pgpass"]
pattern = '(?m)^[^:\n]+:[0-9]+:[^:\n]+:[^:\n]+:(?P<secret>[^\n]+)$'
examples = ["h:5432:d:u:p"]
"#;

    fn engine() -> Engine {
        Engine::new(parse_rule_file(RULES, "test").expect("parse")).expect("engine")
    }

    fn ids(e: &Engine, path: &str, data: &[u8]) -> Vec<String> {
        let (mut out, mut faults) = (Vec::new(), Vec::new());
        e.scan(path, data, &mut out, &mut faults);
        assert!(faults.is_empty());
        out.iter()
            .map(|m| match &m.crypto {
                Some(c) if m.rule == NATIVE => c.rule_id.to_string(),
                _ => e.rules()[m.rule].spec.id.clone(),
            })
            .collect()
    }

    #[test]
    fn regexes_compile_only_when_their_keyword_hits() {
        let e = engine();
        assert!(ids(&e, "a.txt", b"nothing to see here, no keywords at all").is_empty());
        assert!(e.rules().iter().all(|r| !r.is_compiled()));
        assert_eq!(
            ids(
                &e,
                "a.txt",
                b"x = ALPHA_0123456789 ".to_ascii_lowercase().as_slice()
            ),
            vec!["alpha"]
        );
        let compiled: Vec<&str> = e
            .rules()
            .iter()
            .filter(|r| r.is_compiled())
            .map(|r| r.id())
            .collect();
        assert_eq!(compiled, vec!["alpha"]);
    }

    #[test]
    fn specific_rule_wins_over_generic_on_same_secret() {
        let e = engine();
        assert_eq!(
            ids(&e, "a.py", b"token = \"beta_0123456789\""),
            vec!["beta"]
        );
        assert_eq!(
            ids(&e, "a.py", b"token = \"zzzzzzzz9\""),
            vec!["generic-thing"]
        );
    }

    #[test]
    fn self_identifying_token_beats_context_only_rule() {
        let rules = r#"
[[rules]]
id = "aaa-context"
name = "Context"
description = "d"
category = "saas"
severity = "high"
keywords = ["acme"]
pattern = 'secret\s*=\s*(?P<secret>[a-z0-9_]{20,})'
examples = ["acme secret = abcdefghijklmnopqrstu"]

[[rules]]
id = "zzz-prefixed"
name = "Prefixed"
description = "d"
category = "saas"
severity = "high"
keywords = ["zz_sk_"]
pattern = '\b(?P<secret>zz_sk_[a-z0-9]{16})\b'
examples = ["zz_sk_0123456789abcdef"]
"#;
        let e = Engine::new(parse_rule_file(rules, "t").expect("parse")).expect("engine");
        let data = b"secret = zz_sk_0123456789abcdef\nacme_secret = other\n";
        assert_eq!(ids(&e, "a.env", data), vec!["zzz-prefixed"]);
    }

    #[test]
    fn spans_overlap_by_binary_search() {
        let s = Spans::new([10..20, 12..14, 30..40].into_iter());
        assert!(s.overlaps(&(19..25)));
        assert!(s.overlaps(&(13..13 + 1)));
        assert!(!s.overlaps(&(20..30)));
        assert!(!s.overlaps(&(0..10)));
        assert!(s.overlaps(&(39..50)));
        assert!(!Spans::new(std::iter::empty()).overlaps(&(0..5)));
    }

    #[test]
    fn many_hits_in_one_file_are_each_reported_once() {
        let e = engine();
        let mut data = Vec::new();
        for i in 0..500 {
            data.extend_from_slice(format!("alpha_{i:010}\n").as_bytes());
        }
        assert_eq!(ids(&e, "a.txt", &data).len(), 500);
    }

    #[test]
    fn path_only_rules_run_on_their_paths_only() {
        let e = engine();
        let body = b"db.internal:5432:app:svc:Q9v!x2Lr\n";
        assert_eq!(ids(&e, "home/u/.pgpass", body), vec!["file-only"]);
        assert!(ids(&e, "notes.txt", body).is_empty());
    }

    #[test]
    fn token_cut_by_window_edge_is_not_shortened() {
        // The keyword hit is far from the token's end: the window is extended to the end of the line.
        let e = engine();
        let long = format!("alpha_{}", "a".repeat(600));
        assert!(
            ids(&e, "a.txt", long.as_bytes()).is_empty(),
            "a 606-char run is not a 16-char token"
        );
    }
}
