//! Stage 3: from blobs to findings. Implements the [`BlobSink`] that sources feed: runs the
//! detectors on each blob, turns raw matches into [`Finding`]s (positions, redacted preview,
//! fingerprint, inline `keyaudit:allow`), places the ciphertext the engine reports at the blob's
//! paths, and gathers problems and counters. The outcome is sorted so that reports are identical
//! whatever the thread count.

use crate::detect::{Engine, RawMatch, RuleFault};
use crate::model::ciphertext::CiphertextFound;
use crate::model::{self, Context, Finding, Location};
use crate::source::{Blob, BlobSink, Origin, Problem, ProblemKind, Step};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

mod describe;
mod history;
mod lines;
mod outcome;
mod progress;
mod settings;
mod snippet;

pub use crate::model::ciphertext::CiphertextAt;
use describe::describe_crypto;
use history::{collapse_versions, with_git_provenance};
pub use outcome::{ScanOutcome, Stats};
pub use progress::{Progress, StepProgress};
pub use settings::{DEFAULT_MAX_FINDINGS_PER_FILE, ScanSettings};

use lines::{MarkedLines, Positions};
use snippet::Masks;

/// The marker that, in a comment on the same line, suppresses a finding.
pub const INLINE_ALLOW: &[u8] = b"keyaudit:allow";

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
            k8s_key: m.k8s_key.clone(),
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

#[cfg(test)]
mod tests;
