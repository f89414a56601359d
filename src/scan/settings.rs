//! What a scan is told: whether secrets may be shown, the project's allowlist, how paths map to
//! contexts and which contexts gate, and the per-file cap on findings.

use crate::allowlist::Allowlist;
use crate::context::Contexts;
use crate::model::{Context, Finding};
use crate::source::roots::RepoPaths;

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
    pub(super) fn place(&self, f: &mut Finding) {
        f.context = self
            .contexts
            .of(&self.repo_paths.from_top(&f.location.path));
        f.gating = f.proof.is_some() || self.fail_contexts.contains(&f.context);
    }
}
