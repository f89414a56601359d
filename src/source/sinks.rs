//! Adapters between sources and the scan stage's sink: path prefixes for multi-repository runs,
//! and work-tree files already covered by a history scan.

use super::git::{GitScanSummary, blob_id_of};
use super::{Blob, BlobSink, Origin, Problem, Step};

/// Prefixes every path with the repository's name, so that several repositories scanned in one
/// run keep their findings apart. A `None` prefix passes everything through untouched.
pub struct Prefixed<'a> {
    inner: &'a dyn BlobSink,
    prefix: Option<&'a str>,
}

impl<'a> Prefixed<'a> {
    pub fn new(inner: &'a dyn BlobSink, prefix: Option<&'a str>) -> Self {
        Prefixed { inner, prefix }
    }
}

impl BlobSink for Prefixed<'_> {
    fn blob(&self, blob: Blob<'_>) {
        let Some(prefix) = self.prefix else {
            return self.inner.blob(blob);
        };
        let path = format!("{prefix}{}", blob.path);
        let origin = match blob.origin {
            Origin::Git(g) => {
                let mut g = g.clone();
                for i in g
                    .introduced
                    .iter_mut()
                    .chain(g.occurrences.iter_mut().flatten())
                {
                    i.path.insert_str(0, prefix);
                }
                Origin::Git(g)
            }
            other => other.clone(),
        };
        self.inner.blob(Blob {
            path: &path,
            data: blob.data,
            origin: &origin,
        });
    }

    fn problem(&self, mut problem: Problem) {
        if let Some(prefix) = self.prefix {
            problem.path.insert_str(0, prefix);
        }
        self.inner.problem(problem);
    }

    fn step(&self, step: Step, total: Option<u64>) {
        self.inner.step(step, total);
    }

    fn advance(&self, n: u64) {
        self.inner.advance(n);
    }
}

/// Drops work-tree files whose exact content the history scan already handed over (same blob
/// id), so that `--git --worktree` reports a committed secret once, with its history, and an
/// uncommitted one from the file.
pub struct SkipKnownBlobs<'a> {
    inner: &'a dyn BlobSink,
    history: &'a GitScanSummary,
}

impl<'a> SkipKnownBlobs<'a> {
    pub fn new(inner: &'a dyn BlobSink, history: &'a GitScanSummary) -> Self {
        SkipKnownBlobs { inner, history }
    }
}

impl BlobSink for SkipKnownBlobs<'_> {
    fn blob(&self, blob: Blob<'_>) {
        if !self.history.history_has_blob(&blob_id_of(blob.data)) {
            self.inner.blob(blob);
        }
    }

    fn problem(&self, problem: Problem) {
        self.inner.problem(problem);
    }

    fn step(&self, step: Step, total: Option<u64>) {
        self.inner.step(step, total);
    }

    fn advance(&self, n: u64) {
        self.inner.advance(n);
    }
}
