//! A damaged pack index (truncated by a full disk or an interrupted copy, or crafted) makes
//! every object of its pack unreadable. Reported object by object, that is a list of hundreds
//! of "missing objects" that hides the cause; reported once as `corrupt_index`, it names the
//! file to repair (`git index-pack`). So while an index is broken, missing-object problems are
//! counted into that one problem instead of listed. The scan is incomplete either way.

use crate::source::{Blob, BlobSink, Problem, ProblemKind};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// Passes everything to `inner`, but folds missing objects into one problem per broken index,
/// reported when the scan is done (dropped), also when it stopped early.
pub(super) struct FoldMissing<'a> {
    inner: &'a dyn BlobSink,
    /// Broken indexes as reported (relative to the repository), with why.
    broken: Vec<(String, String)>,
    missing: AtomicU64,
}

impl<'a> FoldMissing<'a> {
    /// `top`: the repository's work tree (or git directory), which index paths are shown from.
    pub fn new(inner: &'a dyn BlobSink, broken: &[(PathBuf, String)], top: &Path) -> Self {
        let top = std::fs::canonicalize(top).unwrap_or_else(|_| top.to_path_buf());
        let broken = broken
            .iter()
            .map(|(p, why)| {
                let abs = std::fs::canonicalize(p).unwrap_or_else(|_| p.clone());
                let shown = abs.strip_prefix(&top).unwrap_or(&abs);
                let shown = crate::source::path_text::from_os(shown.as_os_str());
                (shown, why.clone())
            })
            .collect();
        FoldMissing {
            inner,
            broken,
            missing: AtomicU64::new(0),
        }
    }
}

impl BlobSink for FoldMissing<'_> {
    fn blob(&self, blob: Blob<'_>) {
        self.inner.blob(blob);
    }

    fn step(&self, step: crate::source::Step, total: Option<u64>) {
        self.inner.step(step, total);
    }

    fn advance(&self, n: u64) {
        self.inner.advance(n);
    }

    fn problem(&self, problem: Problem) {
        if !self.broken.is_empty() && problem.kind == ProblemKind::MissingObject {
            self.missing.fetch_add(1, Ordering::Relaxed);
        } else {
            self.inner.problem(problem);
        }
    }
}

impl Drop for FoldMissing<'_> {
    fn drop(&mut self) {
        let missing = self.missing.load(Ordering::Relaxed);
        for (path, why) in &self.broken {
            self.inner.problem(Problem {
                kind: ProblemKind::CorruptIndex,
                path: path.clone(),
                message: format!(
                    "pack index unusable ({why}): the objects of its pack cannot be read; \
                     {missing} missing object(s) counted here"
                ),
            });
        }
    }
}
