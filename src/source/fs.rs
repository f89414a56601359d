//! The file-tree source: a parallel walk (the `ignore` crate, as in ripgrep) that reads each
//! regular file and hands it to the sink on the walking thread, so that reading and matching
//! overlap across all cores with no queue in between.
//! Files are read into a buffer, never memory-mapped: a mapping faults (SIGBUS) when another
//! process truncates the file mid-scan, and a file that changes while read is reported instead.
//!
//! Defaults are chosen for finding secrets, not for code search: git-ignored files *are* scanned
//! (secrets live in ignored `.env` files) unless `respect_gitignore` is set, hidden files are
//! scanned, `.git/` internals are not (history is the git source's job), symlinks are not
//! followed, and binary files are scanned as bytes (keys hide in keystores and binaries).

use super::{Blob, BlobSink, Origin, Problem, ProblemKind};
use crate::model::path_text::display_path;
use ignore::{WalkBuilder, WalkState, overrides::OverrideBuilder};
use std::cell::RefCell;
use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone)]
pub struct FsOptions {
    pub roots: Vec<PathBuf>,
    /// Worker threads; 0 = all cores.
    pub threads: usize,
    pub respect_gitignore: bool,
    /// Globs (gitignore syntax) of paths to leave out.
    pub excludes: Vec<String>,
    pub max_file_size: u64,
    pub follow_symlinks: bool,
}

/// Errors that stop a walk before it starts (bad options); everything later is a [`Problem`].
#[derive(Debug, thiserror::Error)]
pub enum FsError {
    #[error("no such file or directory: {0}")]
    MissingRoot(String),
    /// An exclude pattern (gitignore syntax) that does not compile.
    #[error("bad exclude pattern {pattern:?}: {message}")]
    BadExcludePattern { pattern: String, message: String },
}

thread_local! {
    static BUF: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
}

/// Walk every root and feed each file to `sink`.
pub fn walk(opts: &FsOptions, sink: &dyn BlobSink) -> Result<(), FsError> {
    for root in &opts.roots {
        // symlink_metadata: a root that is itself a dangling link still exists as a path.
        if std::fs::symlink_metadata(root).is_err() {
            return Err(FsError::MissingRoot(root.display().to_string()));
        }
    }
    for root in &opts.roots {
        walk_root(root, opts, sink)?;
    }
    Ok(())
}

fn walk_root(root: &Path, opts: &FsOptions, sink: &dyn BlobSink) -> Result<(), FsError> {
    let base = if root.is_dir() {
        root
    } else {
        root.parent().unwrap_or(root)
    };
    let mut overrides = OverrideBuilder::new(base);
    for g in &opts.excludes {
        overrides
            .add(&format!("!{g}"))
            .map_err(|e| FsError::BadExcludePattern {
                pattern: g.clone(),
                message: e.to_string(),
            })?;
    }
    let overrides = overrides.build().map_err(|e| FsError::BadExcludePattern {
        pattern: opts.excludes.join(","),
        message: e.to_string(),
    })?;
    let respect = opts.respect_gitignore;
    let mut builder = WalkBuilder::new(root);
    builder
        .hidden(false)
        .git_ignore(respect)
        .git_global(respect)
        .git_exclude(respect)
        .ignore(respect)
        .parents(respect)
        .require_git(false)
        .follow_links(opts.follow_symlinks)
        .overrides(overrides)
        .threads(opts.threads)
        // `.git` is a directory in a checkout and a file in worktrees and submodules.
        .filter_entry(|e| e.file_name() != ".git");
    builder.build_parallel().run(|| {
        Box::new(move |entry| {
            match entry {
                Ok(entry) => visit(root, &entry, opts, sink),
                Err(err) => sink.problem(Problem {
                    kind: ProblemKind::WalkError,
                    path: walk_error_path(&err)
                        .map_or_else(String::new, |p| display_path(root, &p)),
                    message: err.to_string(),
                }),
            }
            WalkState::Continue
        })
    });
    Ok(())
}

fn walk_error_path(err: &ignore::Error) -> Option<PathBuf> {
    match err {
        ignore::Error::WithPath { path, .. } => Some(path.clone()),
        ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
            walk_error_path(err)
        }
        ignore::Error::Loop { child, .. } => Some(child.clone()),
        _ => None,
    }
}

/// One entry of the walk: a regular file is read and handed to the sink; a special file is a
/// problem; directories and symlinks are passed over.
fn visit(root: &Path, entry: &ignore::DirEntry, opts: &FsOptions, sink: &dyn BlobSink) {
    let Some(ft) = entry.file_type() else {
        return; // stdin; not produced for path roots
    };
    if ft.is_dir() {
        return;
    }
    let path = entry.path();
    let shown = display_path(root, path);
    if ft.is_symlink() {
        // Not following links: a link is neither its target nor an error.
        return;
    }
    if !ft.is_file() {
        sink.problem(Problem {
            kind: ProblemKind::SpecialFile,
            path: shown,
            message: "not a regular file (FIFO, socket or device); not read".into(),
        });
        return;
    }
    match open_regular(path, opts.max_file_size) {
        Ok((file, meta)) => read_and_emit(&shown, &file, &meta, opts.max_file_size, sink),
        Err((kind, message)) => sink.problem(Problem {
            kind,
            path: shown,
            message,
        }),
    }
}

/// Why a file was not read or not read whole: the problem's kind and message.
type Trouble = (ProblemKind, String);

/// Open the file and check, on what was opened, that it is a regular file within the size limit.
fn open_regular(path: &Path, max_file_size: u64) -> Result<(File, std::fs::Metadata), Trouble> {
    let unreadable = |e: std::io::Error| (ProblemKind::Unreadable, e.to_string());
    let file = File::open(path).map_err(unreadable)?;
    let meta = file.metadata().map_err(unreadable)?;
    // Re-check after open: the entry may have been replaced (e.g. by a FIFO) since the walk saw it.
    if !meta.is_file() {
        return Err((
            ProblemKind::SpecialFile,
            "not a regular file; not read".into(),
        ));
    }
    let len = meta.len();
    if len > max_file_size {
        return Err((
            ProblemKind::TooLarge,
            format!("{len} bytes, over --max-file-size {max_file_size}"),
        ));
    }
    Ok((file, meta))
}

/// Read an opened file into this thread's buffer and hand it to the sink, with a problem if it
/// grew past the limit or changed while it was read.
fn read_and_emit(
    shown: &str,
    file: &File,
    meta: &std::fs::Metadata,
    max_file_size: u64,
    sink: &dyn BlobSink,
) {
    let problem = |(kind, message): Trouble| Problem {
        kind,
        path: shown.to_string(),
        message,
    };
    let origin = Origin::File { mtime: mtime(meta) };
    BUF.with(|buf| {
        let mut buf = buf.borrow_mut();
        match read_bounded(file, meta.len(), max_file_size, &mut buf) {
            Ok(()) => {
                if let Some(change) = changed(file, meta, buf.len()) {
                    // What was read is still scanned (a secret seen is a secret), but it may be
                    // neither the old content nor the new: the scan is incomplete.
                    sink.problem(problem((ProblemKind::ChangedDuringScan, change)));
                }
                sink.blob(Blob {
                    path: shown,
                    data: &buf,
                    origin: &origin,
                });
            }
            Err(trouble) => sink.problem(problem(trouble)),
        }
        // Do not let one large file pin a large buffer to this thread for the rest of the scan.
        if buf.capacity() > (8 << 20) {
            *buf = Vec::new();
        }
    });
}

/// Modification time in seconds since the Unix epoch, when the system has one.
fn mtime(meta: &std::fs::Metadata) -> Option<i64> {
    meta.modified()
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .and_then(|d| i64::try_from(d.as_secs()).ok())
}

/// Read all of `file` (`len` bytes when opened) into `buf`, but never more than the limit.
fn read_bounded(
    file: &File,
    len: u64,
    max_file_size: u64,
    buf: &mut Vec<u8>,
) -> Result<(), Trouble> {
    buf.clear();
    // Files are read, never memory-mapped: a mapped file truncated under the scan (logrotate's
    // copytruncate) kills the process with SIGBUS. Reserving the size up front keeps a large
    // file to one allocation.
    buf.reserve(usize::try_from(len).unwrap_or(0).saturating_add(1));
    // Bound the read by the limit: the file may grow after the metadata call.
    match file.take(max_file_size + 1).read_to_end(buf) {
        Ok(_) if buf.len() as u64 > max_file_size => Err((
            ProblemKind::TooLarge,
            format!("grew past --max-file-size {max_file_size} while being read"),
        )),
        Ok(_) => Ok(()),
        Err(e) => Err((ProblemKind::Unreadable, e.to_string())),
    }
}

/// How the file changed while it was read, if it did: fewer or more bytes than its size when
/// opened, or a new size or modification time now.
fn changed(file: &File, before: &std::fs::Metadata, read: usize) -> Option<String> {
    let after = match file.metadata() {
        Ok(m) => m,
        Err(e) => return Some(format!("could not be checked after reading: {e}")),
    };
    if read as u64 != before.len() || after.len() != before.len() {
        return Some(format!(
            "changed while being read: {} bytes when opened, {read} read, {} now",
            before.len(),
            after.len()
        ));
    }
    (after.modified().ok() != before.modified().ok())
        .then(|| "modified while being read (same size, new modification time)".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Nothing;

    impl BlobSink for Nothing {
        fn blob(&self, _blob: Blob<'_>) {}
        fn problem(&self, _problem: Problem) {}
    }

    /// A pattern the walker cannot compile stops the walk, named as an exclude pattern (the
    /// source does not know which option or file it came from).
    #[test]
    fn a_bad_exclude_pattern_is_named_as_one() {
        let opts = FsOptions {
            roots: vec![PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("src")],
            threads: 1,
            respect_gitignore: false,
            excludes: vec!["a[".into()],
            max_file_size: 1 << 20,
            follow_symlinks: false,
        };
        match walk(&opts, &Nothing) {
            Err(e @ FsError::BadExcludePattern { .. }) => {
                assert!(
                    e.to_string().starts_with("bad exclude pattern \"a[\": "),
                    "{e}"
                )
            }
            other => panic!("expected a bad pattern, got {other:?}"),
        }
    }
}
