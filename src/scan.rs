//! Stage 3: from blobs to findings. Implements the [`BlobSink`] that sources feed: runs the
//! detectors on each blob, turns raw matches into [`Finding`]s (positions, redacted preview,
//! fingerprint, inline `keyaudit:allow`), places the ciphertext the engine reports at the blob's
//! paths, and gathers problems and counters. The outcome is sorted so that reports are identical
//! whatever the thread count.

use crate::allowlist::Allowlist;
use crate::context::Contexts;
use crate::detect::{Engine, RawMatch, RuleFault};
use crate::model::ciphertext::CiphertextFound;
use crate::model::{self, Context, Finding, Location};
use crate::source::git::GitOrigin;
use crate::source::roots::RepoPaths;
use crate::source::{Blob, BlobSink, Origin, Problem, ProblemKind, Step};
use serde::Serialize;
use std::collections::BTreeMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

mod lines;
mod snippet;

use lines::{MarkedLines, Positions};
use snippet::Masks;

/// The marker that, in a comment on the same line, suppresses a finding.
pub const INLINE_ALLOW: &[u8] = b"keyaudit:allow";

#[derive(Debug, Clone)]
pub struct ScanSettings {
    /// Put secrets in clear into findings (`--show-secrets`).
    pub show_secrets: bool,
    /// The project's allowlist and excluded paths (`.keyaudit.toml`).
    pub allow: Allowlist,
    /// How paths map to contexts (code, test, docs, example, vendor).
    pub contexts: Contexts,
    /// Where reported paths sit in their repositories: contexts are judged from the top.
    pub repo_paths: RepoPaths,
    /// The contexts whose findings gate (`--fail-contexts`; default `code`).
    pub fail_contexts: Vec<Context>,
    /// Findings kept per blob, the first in it; the rest are counted (0: no cap).
    pub max_findings_per_file: usize,
}

/// Default of `--max-findings-per-file`: far more than any real file holds, few enough that a
/// generated file of millions of hits costs seconds, not hours of key derivation.
pub const DEFAULT_MAX_FINDINGS_PER_FILE: usize = 1000;

impl Default for ScanSettings {
    fn default() -> Self {
        ScanSettings::new(false, Allowlist::default())
    }
}

impl ScanSettings {
    /// Defaults for everything but what the caller sets: contexts as documented, `code` gates.
    pub fn new(show_secrets: bool, allow: Allowlist) -> ScanSettings {
        ScanSettings {
            show_secrets,
            allow,
            contexts: Contexts::default(),
            repo_paths: RepoPaths::default(),
            fail_contexts: vec![Context::Code],
            max_findings_per_file: DEFAULT_MAX_FINDINGS_PER_FILE,
        }
    }

    /// Judge where a finding sits and whether it can fail the run.
    fn place(&self, f: &mut Finding) {
        f.context = self
            .contexts
            .of(&self.repo_paths.from_top(&f.location.path));
        f.gating = f.proof.is_some() || self.fail_contexts.contains(&f.context);
    }
}

/// Counters for the whole scan.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct Stats {
    pub blobs_scanned: u64,
    pub bytes_scanned: u64,
    pub findings: u64,
    /// Findings suppressed by an inline `keyaudit:allow`.
    pub suppressed_inline: u64,
    /// Findings suppressed by an `[[allow]]` entry of the configuration.
    pub allowed_by_config: u64,
    /// Findings accepted in the baseline (`--baseline`): not counted in `findings`.
    pub baselined: u64,
    /// Policy violations accepted in the baseline: not reported as violations.
    pub baselined_violations: u64,
}

/// Everything a scan produced, in report order.
#[derive(Debug, Clone, Default)]
pub struct ScanOutcome {
    pub findings: Vec<Finding>,
    pub problems: Vec<Problem>,
    pub stats: Stats,
    /// Findings the baseline accepts: left out of `findings`, kept for SARIF `suppressions`.
    pub baselined: Vec<Finding>,
    /// Encrypted data seen during the scan, for the policy's key-beside-data rule.
    pub ciphertexts: Vec<CiphertextAt>,
}

pub use crate::model::ciphertext::CiphertextAt;

impl ScanOutcome {
    /// True when some requested content was not scanned.
    pub fn incomplete(&self) -> bool {
        self.problems.iter().any(|p| p.kind.makes_incomplete())
    }

    pub fn problem_counts(&self) -> BTreeMap<ProblemKind, u64> {
        let mut m = BTreeMap::new();
        for p in &self.problems {
            *m.entry(p.kind).or_insert(0) += 1;
        }
        m
    }
}

/// Live counters, readable by a progress display while the scan runs.
#[derive(Debug, Default)]
pub struct Progress {
    pub blobs: AtomicU64,
    pub bytes: AtomicU64,
    pub findings: AtomicU64,
    /// What the run is doing now (`walking files`, `history of repo`), named by the driver.
    phase: Mutex<String>,
    /// The source's step within the phase and its total when known, named by the source.
    step: Mutex<Option<(Step, Option<u64>)>>,
    step_done: AtomicU64,
}

/// A source's step as the display shows it: what, how far, out of how many.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StepProgress {
    pub step: Step,
    pub done: u64,
    pub total: Option<u64>,
}

impl Progress {
    /// Name the phase the display shows from now on; the previous phase's step ends with it.
    pub fn set_phase(&self, phase: impl Into<String>) {
        if let Ok(mut p) = self.phase.lock() {
            *p = phase.into();
        }
        self.start_step(None);
    }

    fn start_step(&self, step: Option<(Step, Option<u64>)>) {
        if let Ok(mut s) = self.step.lock() {
            *s = step;
            self.step_done.store(0, Ordering::Relaxed);
        }
    }

    pub fn step(&self) -> Option<StepProgress> {
        let (step, total) = (*self.step.lock().ok()?)?;
        Some(StepProgress {
            step,
            done: self.step_done.load(Ordering::Relaxed),
            total,
        })
    }

    pub fn phase(&self) -> String {
        self.phase.lock().map(|p| p.clone()).unwrap_or_default()
    }
}

/// The sink that runs detection. Build one per scan, feed it from a source, then `finish`.
pub struct Scanner<'e> {
    engine: &'e Engine,
    settings: ScanSettings,
    findings: Mutex<Vec<Finding>>,
    problems: Mutex<Vec<Problem>>,
    ciphertexts: Mutex<Vec<CiphertextAt>>,
    suppressed: AtomicU64,
    allowed: AtomicU64,
    /// Secrets are kept on findings until the allowlist has judged them (regex criteria).
    keep_secrets: bool,
    pub progress: Progress,
}

impl<'e> Scanner<'e> {
    pub fn new(engine: &'e Engine, settings: ScanSettings) -> Self {
        Scanner {
            engine,
            findings: Mutex::new(Vec::new()),
            problems: Mutex::new(Vec::new()),
            ciphertexts: Mutex::new(Vec::new()),
            suppressed: AtomicU64::new(0),
            allowed: AtomicU64::new(0),
            keep_secrets: settings.show_secrets || settings.allow.needs_secrets(),
            settings,
            progress: Progress::default(),
        }
    }

    /// Detect in one blob and return its findings (also used directly by tests and `rules check`).
    /// At most `max_findings_per_file` are built, the first in the blob; the rest are counted in
    /// a `findings_capped` problem. The cap comes before anything costly per finding (the
    /// fingerprint's key derivation, the snippet), so a blob of millions of hits stays linear.
    pub fn detect(&self, blob: Blob<'_>) -> Vec<Finding> {
        let (mut raw, mut faults) = (Vec::new(), Vec::new());
        self.engine
            .scan(blob.path, blob.data, &mut raw, &mut faults);
        self.findings(blob, raw, faults)
    }

    /// The findings of the engine's matches in `blob`; its rule faults become problems.
    fn findings(
        &self,
        blob: Blob<'_>,
        mut raw: Vec<RawMatch>,
        faults: Vec<RuleFault>,
    ) -> Vec<Finding> {
        self.report_faults(faults);
        if raw.is_empty() {
            return Vec::new();
        }
        raw.sort_by_key(|m| (m.secret.start, m.rule));
        let kept = self.select(blob, &raw);
        // Only secrets that can show in a kept finding's snippet need masks: a prefix of `raw`.
        let reach = kept
            .iter()
            .map(|&i| Masks::reach(raw[i].secret.end))
            .max()
            .unwrap_or(0);
        let masks = Masks::new(
            raw.iter()
                .take_while(|m| m.secret.start < reach)
                .map(|m| m.secret.clone()),
        );
        let positions = Positions::new(
            blob.data,
            kept.iter()
                .flat_map(|&i| [raw[i].secret.start, raw[i].secret.end])
                .collect(),
        );
        let mut out: Vec<Finding> = kept
            .iter()
            .map(|&i| self.finding(blob, &raw[i], &positions, &masks))
            .collect();
        // The same key twice in one object (an OpenPGP keyring lists a key in several packets of
        // one block): one finding. The same key at two places (a Secret's tls.crt and ca.crt)
        // stays two findings, one per place.
        let mut seen = std::collections::HashSet::new();
        out.retain(|f| {
            f.crypto.is_none()
                || seen.insert((
                    f.rule_id.clone(),
                    f.fingerprint.clone(),
                    f.location.byte_start,
                    f.location.byte_end,
                ))
        });
        out
    }

    /// Rule faults become problems (once each).
    fn report_faults(&self, faults: Vec<RuleFault>) {
        if !faults.is_empty() {
            let mut problems = lock(&self.problems);
            for f in faults {
                let p = Problem {
                    kind: ProblemKind::RuleError,
                    path: String::new(),
                    message: format!("rule {}: {}", f.rule_id, f.message),
                };
                if !problems.contains(&p) {
                    problems.push(p);
                }
            }
        }
    }

    /// Record the blob's ciphertext at each of its paths (a history blob may live at several),
    /// except the excluded ones.
    fn place_ciphertexts(&self, blob: Blob<'_>, found: &[CiphertextFound]) {
        if found.is_empty() {
            return;
        }
        let places: Vec<(&str, bool)> = match blob.origin {
            Origin::Git(g) => g
                .introduced
                .iter()
                .map(|i| (i.path.as_str(), i.at_head))
                .collect(),
            Origin::File { .. } | Origin::Staged { .. } => vec![(blob.path, true)],
        };
        let allow = &self.settings.allow;
        let mut list = lock(&self.ciphertexts);
        for c in found {
            for &(path, at_head) in places.iter().filter(|(p, _)| !allow.excluded(p)) {
                list.push(c.at(path, at_head));
            }
        }
    }

    /// Which of the sorted matches become findings: not allowed inline, on an added line when
    /// staged, and within the cap. Returns their indices in `raw`.
    fn select(&self, blob: Blob<'_>, raw: &[RawMatch]) -> Vec<usize> {
        let marked = MarkedLines::new(blob.data, INLINE_ALLOW);
        let staged = match blob.origin {
            Origin::Staged { added_lines } => Some((
                added_lines,
                Positions::new(blob.data, raw.iter().map(|m| m.secret.start).collect()),
            )),
            Origin::File { .. } | Origin::Git(_) => None,
        };
        let cap = self.settings.max_findings_per_file;
        let mut kept = Vec::new();
        let mut dropped = 0u64;
        for (i, m) in raw.iter().enumerate() {
            if marked.covers(&m.span) {
                self.suppressed.fetch_add(1, Ordering::Relaxed);
                continue;
            }
            if let Some((added, lines)) = &staged {
                let line = lines.at(m.secret.start).pos.line;
                if added.binary_search(&line).is_err() {
                    continue;
                }
            }
            if cap != 0 && kept.len() >= cap {
                dropped += 1;
                continue;
            }
            kept.push(i);
        }
        if dropped > 0 {
            lock(&self.problems).push(Problem {
                kind: ProblemKind::FindingsCapped,
                path: blob.path.to_string(),
                message: format!(
                    "{dropped} more finding(s) not reported: over --max-findings-per-file {cap}"
                ),
            });
        }
        kept
    }

    fn finding(
        &self,
        blob: Blob<'_>,
        m: &RawMatch,
        positions: &Positions,
        masks: &Masks,
    ) -> Finding {
        let secret_bytes = &blob.data[m.secret.clone()];
        let secret = String::from_utf8_lossy(secret_bytes);
        let meta = self.engine.meta(m);
        let preview = match &m.crypto {
            Some(c) => describe_crypto(&c.info),
            None => model::redact(&secret),
        };
        let start = positions.at(m.secret.start);
        let end = positions.at(m.secret.end);
        Finding {
            rule_id: meta.id.to_string(),
            rule_name: meta.name.to_string(),
            category: meta.category.to_string(),
            severity: meta.severity,
            location: Location {
                path: blob.path.to_string(),
                start: start.pos,
                end: end.pos,
                byte_start: m.secret.start,
                byte_end: m.secret.end,
            },
            snippet: snippet::snippet(
                blob.data,
                m.secret.clone(),
                start.line_start,
                end.line_end,
                &preview,
                masks,
            ),
            // Judged once the finding's final path is known (see `ScanSettings::place`).
            context: Context::Code,
            proof: meta.proof,
            gating: true,
            preview,
            fingerprint: match m
                .crypto
                .as_ref()
                .and_then(|c| c.info.spki_sha256.as_deref())
            {
                // One key, one fingerprint, whatever its encoding (PEM, DER, OpenSSH, JWK, a
                // GCP JSON file): the parsed public key identifies it.
                Some(spki) => model::Fingerprint::of_public_key(spki),
                None => model::Fingerprint::of(secret_bytes),
            },
            secret: self.keep_secrets.then(|| secret.into_owned()),
            crypto: m.crypto.as_ref().map(|c| c.info.clone()),
            mtime: match blob.origin {
                Origin::File { mtime } => *mtime,
                Origin::Git(_) | Origin::Staged { .. } => None,
            },
            git: None,
            unlocks: meta.unlocks.to_vec(),
            open_keystore: meta.open_keystore,
        }
    }

    /// Sort everything into report order and hand it over.
    pub fn finish(self) -> ScanOutcome {
        let findings = self
            .findings
            .into_inner()
            .unwrap_or_else(|e| e.into_inner());
        let mut findings = collapse_versions(findings);
        findings.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
        let mut problems = self
            .problems
            .into_inner()
            .unwrap_or_else(|e| e.into_inner());
        problems.sort();
        problems.dedup();
        let stats = Stats {
            blobs_scanned: self.progress.blobs.load(Ordering::Relaxed),
            bytes_scanned: self.progress.bytes.load(Ordering::Relaxed),
            findings: findings.len() as u64,
            suppressed_inline: self.suppressed.load(Ordering::Relaxed),
            allowed_by_config: self.allowed.load(Ordering::Relaxed),
            baselined: 0,
            baselined_violations: 0,
        };
        let mut ciphertexts = self
            .ciphertexts
            .into_inner()
            .unwrap_or_else(|e| e.into_inner());
        ciphertexts.sort_by_cached_key(|c| {
            (
                c.path.clone(),
                format!("{:?}", c.kind),
                c.recipients.clone(),
                c.at_head,
            )
        });
        ciphertexts.dedup();
        ScanOutcome {
            findings,
            problems,
            stats,
            baselined: Vec::new(),
            ciphertexts,
        }
    }
}

impl BlobSink for Scanner<'_> {
    fn blob(&self, blob: Blob<'_>) {
        let allow = &self.settings.allow;
        // A file or staged blob has one path: an excluded one is not scanned at all. A history
        // blob may live at several paths; those are filtered below, one by one.
        if !matches!(blob.origin, Origin::Git(_)) && allow.excluded(blob.path) {
            return;
        }
        let scanned = self.engine.scan_blob(blob.path, blob.data);
        self.place_ciphertexts(blob, &scanned.ciphertexts);
        let mut found = self.findings(blob, scanned.matches, scanned.faults);
        // (Staged blobs: `findings` keeps only findings on added lines.)
        if let Origin::Git(g) = blob.origin {
            found = with_git_provenance(found, g);
        }
        if !allow.is_empty() {
            found.retain(|f| !allow.excluded(&f.location.path));
            let before = found.len();
            found.retain(|f| !allow.allows(f, f.secret.as_deref().map(str::as_bytes)));
            self.allowed
                .fetch_add((before - found.len()) as u64, Ordering::Relaxed);
        }
        for f in &mut found {
            self.settings.place(f);
            // Kept only for the allowlist's regexes: dropped before the finding leaves this stage.
            if self.keep_secrets && !self.settings.show_secrets {
                f.secret = None;
            }
        }
        self.progress.blobs.fetch_add(1, Ordering::Relaxed);
        self.progress
            .bytes
            .fetch_add(blob.data.len() as u64, Ordering::Relaxed);
        if !found.is_empty() {
            self.progress
                .findings
                .fetch_add(found.len() as u64, Ordering::Relaxed);
            lock(&self.findings).extend(found);
        }
    }

    fn problem(&self, problem: Problem) {
        lock(&self.problems).push(problem);
    }

    fn step(&self, step: Step, total: Option<u64>) {
        self.progress.start_step(Some((step, total)));
    }

    fn advance(&self, n: u64) {
        self.progress.step_done.fetch_add(n, Ordering::Relaxed);
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    // A panic elsewhere must not cost us the findings gathered so far.
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// A safe, readable one-line description of key material, used as its preview: what it is and
/// which key it is (SPKI fingerprint prefix), never any of its secret bytes.
fn describe_crypto(info: &crate::detect::crypto::CryptoInfo) -> String {
    use crate::detect::crypto::Kind;
    let alg = match (&info.algorithm, &info.curve, info.bits) {
        (Some(a), Some(c), _) => format!("{a} {c}"),
        (Some(a), None, Some(b)) => format!("{a}-{b}"),
        (Some(a), None, None) => a.clone(),
        (None, _, _) => String::new(),
    };
    let kind = info.kind.as_str().replace('_', " ");
    let mut out = if alg.is_empty() {
        kind
    } else {
        format!("{alg} {kind}")
    };
    out.push_str(&format!(" ({}", info.format));
    if info.kind == Kind::PrivateKey || info.kind == Kind::Keystore {
        out.push_str(if info.encrypted {
            ", encrypted"
        } else {
            ", in clear"
        });
    }
    out.push(')');
    if let Some(c) = &info.certificate {
        out.push_str(&format!(
            " subject {:?}, expires {}",
            c.subject, c.not_after
        ));
    }
    if let Some(fp) = &info.spki_sha256 {
        out.push_str(&format!(" spki {}…", &fp[..fp.len().min(16)]));
    }
    out
}

/// A history blob is detected once, at its first path; each path it was introduced at then gets
/// its own copy of the findings, credited to the commit that put the blob there.
fn with_git_provenance(found: Vec<Finding>, g: &GitOrigin) -> Vec<Finding> {
    if found.is_empty() {
        return found;
    }
    let mut out = Vec::with_capacity(found.len() * g.introduced.len());
    for intro in &g.introduced {
        for f in &found {
            let mut f = f.clone();
            f.location.path.clone_from(&intro.path);
            f.git = Some(model::GitProvenance {
                blob_id: g.blob_id.clone(),
                commit: intro.commit.clone(),
                at_head: intro.at_head,
                present_at_head: g.present_at_head,
                occurrences: g.occurrences.clone(),
            });
            out.push(f);
        }
    }
    out
}

/// History holds a secret once per version of the file that carries it: each edit of the file
/// makes a new blob. Report it once per path, at its earliest introduction, which is the date
/// that matters (the key's age); `present_at_head` then says whether any version holding it is
/// still in HEAD's tree. Deterministic: the earliest (commit time, blob id, line) wins.
fn collapse_versions(findings: Vec<Finding>) -> Vec<Finding> {
    use std::collections::HashMap;
    type Rank = (i64, String, u32);
    let rank = |f: &Finding| -> Rank {
        let g = f.git.as_ref();
        (
            g.and_then(|g| g.commit.as_ref())
                .map_or(i64::MIN, |c| c.commit_time),
            g.map_or_else(String::new, |g| g.blob_id.clone()),
            f.location.start.line,
        )
    };
    let mut best: HashMap<(String, String, model::Fingerprint), (usize, Rank, bool)> =
        HashMap::new();
    for (i, f) in findings.iter().enumerate() {
        let Some(g) = &f.git else { continue };
        let key = (
            f.location.path.clone(),
            f.rule_id.clone(),
            f.fingerprint.clone(),
        );
        let r = rank(f);
        best.entry(key)
            .and_modify(|(at, br, head)| {
                *head |= g.present_at_head;
                if r < *br {
                    *at = i;
                    *br = r.clone();
                }
            })
            .or_insert((i, r, g.present_at_head));
    }
    let keep: HashMap<usize, bool> = best.into_values().map(|(i, _, h)| (i, h)).collect();
    findings
        .into_iter()
        .enumerate()
        .filter_map(|(i, mut f)| {
            if f.git.is_none() {
                return Some(f);
            }
            let head = *keep.get(&i)?;
            if let Some(g) = f.git.as_mut() {
                g.present_at_head = head;
            }
            Some(f)
        })
        .collect()
}

#[cfg(test)]
mod tests;
