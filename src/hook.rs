//! Hooks: the native pre-commit hook `keyaudit hook install` writes, and the advice a hook run
//! prints when it fails. The advice lives here, not in the hook script, so that every way of
//! running keyaudit as a hook (the native script, the `pre-commit` framework's hook ids, a
//! pre-push hook over the files given) tells the developer the same thing.

use anyhow::{Context, Result, bail};
use std::path::Path;

/// Marks a hook as keyaudit's own, so that reinstalling may replace it.
const HOOK_MARKER: &str = "# keyaudit pre-commit hook";

/// What to do about a failing hook run. `staged`: the run looked only at what the commit adds
/// (the secret is not committed yet); otherwise it scanned files given to it, whose secrets may
/// already be in the history.
pub fn advice(staged: bool) -> &'static str {
    if staged {
        "\nkeyaudit: commit blocked: the staged changes add the secrets listed above.\n  \
         Remove them (and rotate any that were real), or, for a false alarm, add\n  \
         'keyaudit:allow' in a comment on that line. Bypass once: git commit --no-verify\n  \
         (with the pre-commit framework: SKIP=<hook id> git commit).\n"
    } else {
        "\nkeyaudit: the files listed above contain secrets.\n  \
         A secret that was ever committed stays in the git history: rotate it (revoke it and\n  \
         issue a new one), then remove it from the file. For a false alarm, add\n  \
         'keyaudit:allow' in a comment on that line, or an [[allow]] entry in .keyaudit.toml.\n"
    }
}

/// Writes `.git/hooks/pre-commit` (or into core.hooksPath) running `keyaudit scan --staged`.
pub fn install(repo_path: &Path, force: bool) -> Result<()> {
    let repo = gix::discover(repo_path)
        .with_context(|| format!("{} is not in a git repository", repo_path.display()))?;
    // core.hooksPath is relative to the work tree when relative (as git reads it).
    let configured = repo
        .config_snapshot()
        .string("core.hooksPath")
        .map(|p| std::path::PathBuf::from(String::from_utf8_lossy(&p).into_owned()));
    let dir = match configured {
        Some(p) if p.is_absolute() => p,
        Some(p) => repo.workdir().unwrap_or_else(|| repo.git_dir()).join(p),
        None => repo.git_dir().join("hooks"),
    };
    let hook = dir.join("pre-commit");
    if let Ok(existing) = std::fs::read_to_string(&hook) {
        if !existing.contains(HOOK_MARKER) && !force {
            bail!(
                "{} exists and is not keyaudit's; pass --force to replace it, or call `keyaudit scan --staged --hook` from it",
                hook.display()
            );
        }
    }
    let exe = std::env::current_exe()
        .ok()
        .map(|p| p.display().to_string())
        .unwrap_or_else(|| "keyaudit".to_string());
    // `--hook` prints the advice on exit 1; the script only picks the binary.
    let script = format!(
        r#"#!/bin/sh
{HOOK_MARKER} (installed by `keyaudit hook install`; reinstalling replaces it)
KEYAUDIT="${{KEYAUDIT:-{exe}}}"
command -v "$KEYAUDIT" >/dev/null 2>&1 || KEYAUDIT=keyaudit
exec "$KEYAUDIT" scan --staged --hook --quiet --color never .
"#
    );
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    std::fs::write(&hook, script).with_context(|| format!("writing {}", hook.display()))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&hook, std::fs::Permissions::from_mode(0o755))?;
    }
    eprintln!(
        "keyaudit: installed {}",
        crate::escape::escaped(&hook.display().to_string())
    );
    Ok(())
}
