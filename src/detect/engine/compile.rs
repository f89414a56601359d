//! Rule compilation: the rules' keywords (and the crypto parser's and the ciphertext markers)
//! into one Aho-Corasick automaton, their path globs into two glob sets, and the per-rule tables the scan loop reads
//! (path-only, path-restricted, structural detector, standing against other rules). Done once
//! per engine, so the per-blob work is lookups in these tables.

use super::{Engine, Slot, Standing, Workload};
use crate::detect::k8s;
use crate::detect::rule::{Precedence, Rule};
use crate::detect::{ciphertext, crypto};
use aho_corasick::{AhoCorasick, AhoCorasickBuilder, AhoCorasickKind, MatchKind};
use globset::{GlobSet, GlobSetBuilder};
use std::collections::HashMap;

/// Every keyword (rules', the crypto parser's, the ciphertext formats' markers), lowercased
/// once (the automaton matches ASCII-case-insensitively), each once with everyone who wants
/// its hits.
#[derive(Default)]
struct Keywords {
    patterns: Vec<Vec<u8>>,
    slots: Vec<Slot>,
    index: HashMap<Vec<u8>, usize>,
}

impl Keywords {
    fn slot(&mut self, keyword: &[u8]) -> &mut Slot {
        let k = keyword.to_ascii_lowercase();
        let at = match self.index.get(&k) {
            Some(&at) => at,
            None => {
                self.index.insert(k.clone(), self.patterns.len());
                self.patterns.push(k);
                self.slots.push(Slot::default());
                self.patterns.len() - 1
            }
        };
        &mut self.slots[at]
    }
}

/// Path globs of one kind (`paths` or `exclude_paths`) and, per glob, its rule.
struct Globs {
    set: GlobSet,
    rule: Vec<usize>,
}

impl Engine {
    pub fn for_workload(rules: Vec<Rule>, workload: Workload) -> Result<Engine, String> {
        let keywords = keywords(&rules);
        let ac = automaton(&keywords.patterns, workload)?;
        let paths = globs(&rules, |r| &r.spec.paths)?;
        let excludes = globs(&rules, |r| &r.spec.exclude_paths)?;
        let detectors: Vec<Option<k8s::Field>> = rules
            .iter()
            .map(|r| r.spec.detector.as_deref().and_then(k8s::detector_field))
            .collect();
        Ok(Engine {
            ac,
            slots: keywords.slots,
            path_globs: paths.set,
            path_glob_rule: paths.rule,
            exclude_globs: excludes.set,
            exclude_glob_rule: excludes.rule,
            path_only: rules.iter().map(|r| r.spec.keywords.is_empty()).collect(),
            path_restricted: rules.iter().map(|r| !r.spec.paths.is_empty()).collect(),
            standing: rules
                .iter()
                .zip(&detectors)
                .map(|(r, d)| standing(r, d.is_some()))
                .collect(),
            detectors,
            rules,
            crypto_enabled: true,
        })
    }
}

fn keywords(rules: &[Rule]) -> Keywords {
    let mut k = Keywords::default();
    for (i, rule) in rules.iter().enumerate() {
        for kw in &rule.spec.keywords {
            k.slot(kw.as_bytes()).rules.push(i);
        }
    }
    for kw in crypto::KEYWORDS {
        k.slot(kw.as_bytes()).crypto = true;
    }
    for &(kw, format) in ciphertext::KEYWORDS {
        let slot = k.slot(kw);
        slot.sealed = slot.sealed.with(format);
    }
    k
}

fn automaton(patterns: &[Vec<u8>], workload: Workload) -> Result<AhoCorasick, String> {
    AhoCorasickBuilder::new()
        .ascii_case_insensitive(true)
        .match_kind(MatchKind::Standard)
        .kind(Some(match workload {
            Workload::Bulk => AhoCorasickKind::DFA,
            Workload::Small => AhoCorasickKind::ContiguousNFA,
        }))
        .build(patterns)
        .map_err(|e| format!("keyword automaton: {e}"))
}

fn globs(rules: &[Rule], of: impl Fn(&Rule) -> &Vec<String>) -> Result<Globs, String> {
    let mut set = GlobSetBuilder::new();
    let mut rule = Vec::new();
    for (i, r) in rules.iter().enumerate() {
        for g in of(r) {
            set.add(glob(g)?);
            rule.push(i);
        }
    }
    Ok(Globs {
        set: set.build().map_err(|e| e.to_string())?,
        rule,
    })
}

/// A rule's standing against overlapping matches, from its `precedence` and `yields_to_crypto`
/// fields. The crypto parser also supersedes generic rules and Secret values (a detector's values
/// are key material only when the parser says so). Two specific rules on the same secret: a
/// vendor rule names the service; then a rule scoped to this kind of file (.git-credentials)
/// knows the format better than one that matches anywhere (any URL with a password).
fn standing(r: &Rule, has_detector: bool) -> Standing {
    let precedence = r.spec.precedence;
    let generic = precedence == Precedence::Generic;
    Standing {
        generic,
        yields_to_crypto: generic || has_detector || r.spec.yields_to_crypto,
        tiebreak: u8::from(precedence == Precedence::Vendor) * 2
            + u8::from(!r.spec.paths.is_empty()),
    }
}

fn glob(g: &str) -> Result<globset::Glob, String> {
    globset::GlobBuilder::new(g)
        .literal_separator(false)
        .build()
        .map_err(|e| format!("bad glob {g:?}: {e}"))
}
