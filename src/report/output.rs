//! Report files (`-o`, `baseline create`): private, and never written through a planted link.
//!
//! Reports say where secrets are, so they are created 0600. The output path often sits in a
//! shared place (a CI workspace, `/tmp`), where someone else can plant a symbolic link at the
//! name before the run: following it would overwrite (or create) a file of the planter's
//! choosing with the user's rights. So a link at the output path is followed only when its
//! target is a regular file the user owns (replacing your own file through your own link is
//! what a link there means); a link to anything else, a dangling link, a FIFO, a device or a
//! directory is refused. The file itself is then opened with `O_NOFOLLOW` (created with
//! `O_EXCL` when new), so that a link swapped in after the check is not followed either, and
//! with `O_NONBLOCK`, so that a FIFO swapped in cannot block the run.

use std::fs::{File, OpenOptions};
use std::io::{Error, ErrorKind, Result, Write};
use std::path::{Path, PathBuf};

/// Write `data` to the report file `path`, readable by its owner only (0600).
pub fn write_private(path: &Path, data: &[u8]) -> Result<()> {
    let target = target_of(path)?;
    let mut f = open_private(&target)?;
    f.write_all(data)?;
    f.sync_all()
}

fn refuse(path: &Path, why: &str) -> Error {
    Error::new(
        ErrorKind::PermissionDenied,
        format!("refusing to write the report to {}: {why}", path.display()),
    )
}

/// Where a report at `path` goes: `path` itself, or the target of a link there when that is a
/// regular file the user owns.
fn target_of(path: &Path) -> Result<PathBuf> {
    let meta = match std::fs::symlink_metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == ErrorKind::NotFound => return Ok(path.to_path_buf()),
        Err(e) => return Err(e),
    };
    if meta.is_file() {
        return Ok(path.to_path_buf());
    }
    if !meta.file_type().is_symlink() {
        return Err(refuse(path, "it exists and is not a regular file"));
    }
    let followed = std::fs::metadata(path).map_err(|_| {
        refuse(
            path,
            "it is a symbolic link to nothing (a report is not created through a link)",
        )
    })?;
    if !followed.is_file() || !owned_by_user(&followed) {
        return Err(refuse(
            path,
            "it is a symbolic link, and its target is not a regular file you own",
        ));
    }
    std::fs::canonicalize(path)
}

#[cfg(unix)]
fn owned_by_user(meta: &std::fs::Metadata) -> bool {
    use std::os::unix::fs::MetadataExt;
    // SAFETY: geteuid has no preconditions and cannot fail.
    meta.uid() == unsafe { libc::geteuid() }
}

#[cfg(not(unix))]
fn owned_by_user(_: &std::fs::Metadata) -> bool {
    true
}

/// Create `path` (O_EXCL), or truncate the regular file there; never through a link.
fn open_private(path: &Path) -> Result<File> {
    // Twice at most: the file may vanish between the two opens (then it is created).
    for _ in 0..2 {
        let mut create = OpenOptions::new();
        create.write(true).create_new(true);
        no_follow(&mut create);
        match create.open(path) {
            Ok(f) => return Ok(f),
            Err(e) if e.kind() == ErrorKind::AlreadyExists => {}
            Err(e) => return Err(e),
        }
        let mut existing = OpenOptions::new();
        existing.write(true);
        no_follow(&mut existing);
        let f = match existing.open(path) {
            Ok(f) => f,
            Err(e) if e.kind() == ErrorKind::NotFound => continue,
            Err(e) => return Err(e),
        };
        if !f.metadata()?.is_file() {
            return Err(refuse(path, "it is not a regular file"));
        }
        f.set_len(0)?;
        // An existing file keeps its old mode on open; tighten it explicitly.
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            f.set_permissions(std::fs::Permissions::from_mode(0o600))?;
        }
        return Ok(f);
    }
    Err(refuse(path, "it keeps changing while being opened"))
}

#[cfg(unix)]
fn no_follow(opts: &mut OpenOptions) {
    use std::os::unix::fs::OpenOptionsExt;
    opts.mode(0o600)
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK);
}

#[cfg(not(unix))]
fn no_follow(_: &mut OpenOptions) {}
