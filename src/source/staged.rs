//! The staged source: what `git commit` would record now. Each index entry whose blob differs
//! from HEAD's at that path is handed over with the lines it adds, so that a pre-commit hook
//! reports only what this commit introduces, at its line in the staged file. Unstaged edits in
//! the work tree do not count: the content comes from the index's blob, not from the file.
//!
//! "Added lines" are the staged file's lines that are not in HEAD's version, counted as a
//! multiset: a line that already existed (anywhere in the file) is not new, so moving a line does
//! not re-report it, while every copy beyond the old count is new.

use super::{Blob, BlobSink, Origin, Problem, ProblemKind};
use std::collections::HashMap;
use std::path::Path;

#[derive(Debug, thiserror::Error)]
pub enum StagedError {
    #[error("not a git repository: {path}: {message}")]
    NotARepository { path: String, message: String },
    #[error("cannot read the index of {path}: {message}")]
    Index { path: String, message: String },
}

/// What the staged scan looked at.
#[derive(Debug, Clone, Default)]
pub struct StagedSummary {
    /// Index entries whose content differs from HEAD (new or modified files).
    pub changed_files: u64,
}

/// Hand every staged, changed regular file to `sink` with its added lines.
pub fn scan_staged(
    repo_path: &Path,
    max_file_size: u64,
    sink: &dyn BlobSink,
) -> Result<StagedSummary, StagedError> {
    let shown = repo_path.display().to_string();
    let repo = gix::discover(repo_path).map_err(|e| StagedError::NotARepository {
        path: shown.clone(),
        message: e.to_string(),
    })?;
    let index = repo.index_or_empty().map_err(|e| StagedError::Index {
        path: shown.clone(),
        message: e.to_string(),
    })?;
    // Unborn HEAD (first commit): everything staged is new.
    let head = repo.head_tree().ok();
    let mut summary = StagedSummary::default();
    for entry in index.entries() {
        if entry.stage() != gix::index::entry::Stage::Unconflicted
            || !matches!(
                entry.mode,
                gix::index::entry::Mode::FILE | gix::index::entry::Mode::FILE_EXECUTABLE
            )
        {
            continue;
        }
        let path = entry.path(&index);
        let path_str = super::path_text::from_bytes(path);
        let old_id = head.as_ref().and_then(|t| {
            t.lookup_entry_by_path(gix::path::from_bstr(path))
                .ok()
                .flatten()
                .map(|e| e.object_id())
        });
        if old_id == Some(entry.id) {
            continue;
        }
        summary.changed_files += 1;
        let problem = |kind, message: String| {
            sink.problem(Problem {
                kind,
                path: path_str.clone(),
                message,
            })
        };
        let new = match repo.find_object(entry.id) {
            Ok(o) => o.detach().data,
            Err(e) => {
                problem(ProblemKind::MissingObject, e.to_string());
                continue;
            }
        };
        if new.len() as u64 > max_file_size {
            problem(
                ProblemKind::TooLarge,
                format!("{} bytes, over --max-file-size {max_file_size}", new.len()),
            );
            continue;
        }
        let old = old_id
            .and_then(|id| repo.find_object(id).ok())
            .map(|o| o.detach().data)
            .unwrap_or_default();
        let origin = Origin::Staged {
            added_lines: added_lines(&old, &new),
        };
        sink.blob(Blob {
            path: &path_str,
            data: &new,
            origin: &origin,
        });
    }
    Ok(summary)
}

/// 1-based numbers of the lines of `new` that `old` does not have (as a multiset).
pub fn added_lines(old: &[u8], new: &[u8]) -> Vec<u32> {
    let mut have: HashMap<&[u8], u32> = HashMap::new();
    for l in old.split(|&b| b == b'\n') {
        *have.entry(trim_cr(l)).or_insert(0) += 1;
    }
    let mut out = Vec::new();
    for (i, l) in new.split(|&b| b == b'\n').enumerate() {
        match have.get_mut(trim_cr(l)) {
            Some(n) if *n > 0 => *n -= 1,
            _ => out.push(u32::try_from(i + 1).unwrap_or(u32::MAX)),
        }
    }
    out
}

fn trim_cr(l: &[u8]) -> &[u8] {
    l.strip_suffix(b"\r").unwrap_or(l)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn added_lines_are_the_new_ones_only() {
        assert_eq!(added_lines(b"a\nb\nc\n", b"a\nX\nb\nc\n"), [2]);
        assert_eq!(
            added_lines(b"a\nb\n", b"b\na\n"),
            Vec::<u32>::new(),
            "moved"
        );
        assert_eq!(added_lines(b"a\n", b"a\na\n"), [2], "a second copy is new");
        assert_eq!(added_lines(b"", b"k\n"), [1]);
    }
}
