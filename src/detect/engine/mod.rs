//! The rule engine: one Aho-Corasick pass over a blob finds every keyword; each rule's regex then
//! runs only in bounded windows around its own keywords' hits. On clean input the cost is the
//! keyword scan alone, whatever the number of rules; a regex is compiled only the first time one
//! of its keywords is seen.
//!
//! One file per job: `compile` builds the automaton and the per-rule tables from the rules,
//! `windows` turns keyword hits into windows and runs the rules' regexes and filters in them,
//! `native` adds the crypto parser's items and the structural detectors' values, `sealed`
//! the ciphertext whose markers the keyword pass saw, and `dedupe` keeps one match per secret.
//! This file holds the types they share and the per-blob loop that calls them in order.

mod compile;
mod dedupe;
mod native;
mod sealed;
mod windows;

use super::ciphertext;
use super::crypto;
use super::k8s;
use super::rule::Rule;
use aho_corasick::AhoCorasick;
use globset::GlobSet;
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
    /// The key a Kubernetes Secret holds the value under (`tls.key`, `password`): with the
    /// file, the place a rotation replaces the value at.
    pub k8s_key: Option<String>,
}

/// Identity of a match's producer, for findings and reports.
#[derive(Debug, Clone, Copy)]
pub struct MatchMeta<'a> {
    pub id: &'a str,
    pub name: &'a str,
    pub category: &'a str,
    pub severity: crate::model::Severity,
    pub proof: Option<crate::model::Proof>,
    /// Ciphertext kinds the secret decrypts (the rule's `unlocks`).
    pub unlocks: &'a [crate::model::ciphertext::CiphertextKind],
    /// The item is a keystore that opens without a real password (the native rule says so).
    pub open_keystore: bool,
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

/// Compiled rules, ready to scan blobs: built once per run and shared by the scanning threads.
pub struct Engine {
    rules: Vec<Rule>,
    ac: AhoCorasick,
    /// For each keyword pattern, who wants its hits.
    slots: Vec<Slot>,
    /// Rules with `paths`: the glob set and, per glob, its rule.
    path_globs: GlobSet,
    path_glob_rule: Vec<usize>,
    /// Rules with `exclude_paths`.
    exclude_globs: GlobSet,
    exclude_glob_rule: Vec<usize>,
    /// Rules that have paths but no keywords: they run over the whole file when the path matches.
    path_only: Vec<bool>,
    path_restricted: Vec<bool>,
    /// How each rule's matches stand against others on the same bytes: see [`dedupe`].
    standing: Vec<Standing>,
    /// Rules whose values a structural detector finds (`detector = "…"`), and which field.
    detectors: Vec<Option<k8s::Field>>,
    /// Run the crypto parser (off when checking one rule's examples on its own).
    crypto_enabled: bool,
}

/// Who wants a keyword's hits: the rules that own it, the crypto parser, ciphertext formats.
/// One keyword is one automaton pattern, whoever asked for it.
#[derive(Debug, Default)]
struct Slot {
    rules: Vec<usize>,
    crypto: bool,
    sealed: ciphertext::Formats,
}

/// What the keyword pass saw besides rule windows: which other detectors have work in the blob.
#[derive(Debug, Default, Clone, Copy)]
struct Prefiltered {
    /// A crypto parser keyword hit.
    crypto: bool,
    /// The ciphertext formats whose marker hit.
    sealed: ciphertext::Formats,
}

/// Everything the engine reports about one blob.
#[derive(Debug, Default)]
pub struct BlobScan {
    /// Rule matches and the crypto parser's items, one per secret.
    pub matches: Vec<RawMatch>,
    pub faults: Vec<RuleFault>,
    /// The ciphertext in the blob, for the key-beside-data policy.
    pub ciphertexts: Vec<crate::model::ciphertext::CiphertextFound>,
}

/// How a rule's matches stand against others that overlap them (see [`dedupe`]).
#[derive(Debug, Clone, Copy, Default)]
struct Standing {
    /// Yields to any specific rule on an overlapping secret.
    generic: bool,
    /// Yields to the crypto parser where it understood the same bytes (generic rules, PEM-text
    /// private keys, and Secret values, which are key material only when the parser says so).
    yields_to_crypto: bool,
    /// Who keeps a secret that two specific rules of equal standing report: the higher.
    tiebreak: u8,
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
                    unlocks: &[],
                    open_keystore: native.is_some_and(|r| r.open_keystore),
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
                    unlocks: &spec.unlocks,
                    open_keystore: false,
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
        self.scan_into(path, data, out, faults, None);
    }

    /// [`Engine::scan`], and the ciphertext in the blob: everything the engine reports about it.
    pub fn scan_blob(&self, path: &str, data: &[u8]) -> BlobScan {
        let mut s = BlobScan::default();
        self.scan_into(
            path,
            data,
            &mut s.matches,
            &mut s.faults,
            Some(&mut s.ciphertexts),
        );
        s
    }

    /// One pass of the keyword automaton decides which detectors run: rules in windows around
    /// their keywords, the crypto parser on its keywords (or binary-looking data), structural
    /// detectors on their rules' keywords, the textual ciphertext formats on their markers (the
    /// whole-file ones on every blob, when `sealed` asks for ciphertext at all).
    fn scan_into(
        &self,
        path: &str,
        data: &[u8],
        out: &mut Vec<RawMatch>,
        faults: &mut Vec<RuleFault>,
        sealed: Option<&mut Vec<crate::model::ciphertext::CiphertextFound>>,
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
            let seen = self.keyword_windows(data, path_ok, excluded, open, windows, detector_hits);
            if let Some(sealed) = sealed {
                sealed::find(path, data, seen.sealed, sealed);
            }
            let before = out.len();
            if self.crypto_enabled && (seen.crypto || crypto::wants_binary(path, data)) {
                native::push_native(crypto::detect(path, data), None, out);
            }
            if !detector_hits.is_empty() {
                self.run_detectors(path, data, detector_hits, before, out);
            }
            if windows.is_empty() && out.len() == before {
                return;
            }
            self.run_windows(data, windows, out, faults);
            dedupe::dedupe_from(before, out, &self.standing);
        });
    }
}

#[cfg(test)]
mod tests;
