//! What a project has declared not worth reporting: `[[allow]]` entries and `[scan] exclude`
//! paths from `.keyaudit.toml`, compiled once and judged by the scan stage on every finding.
//!
//! An `[[allow]]` entry suppresses a finding when **every** criterion it gives matches (any one
//! item of each list): rule ids (globs), paths (gitignore syntax), regexes searched in the secret,
//! secret fingerprints. So `{ paths = ["tests/**"], rules = ["generic-*"] }` means "generic
//! matches under tests/", not "everything under tests/ and every generic match".
//!
//! Paths are matched relative to the configuration file's directory (the scan stage is told how
//! its reported paths relate to it), so the same file works for `scan .`, `scan src/`, `--git`
//! and `--staged`. The judgement happens in the scan stage because the secret itself is needed for
//! regex criteria and never leaves that stage in clear.

use crate::model::Finding;
use globset::GlobSet;
use ignore::gitignore::Gitignore;
use std::collections::BTreeSet;
use std::path::Path;

/// One compiled `[[allow]]` entry. Empty criteria are not checked.
#[derive(Debug, Clone, Default)]
pub struct AllowEntry {
    pub rules: Option<GlobSet>,
    pub paths: Option<Gitignore>,
    pub secrets: Option<regex::bytes::RegexSet>,
    pub fingerprints: BTreeSet<crate::model::Fingerprint>,
}

impl AllowEntry {
    fn matches(&self, f: &Finding, path: &str, secret: Option<&[u8]>) -> bool {
        self.rules.as_ref().is_none_or(|g| g.is_match(&f.rule_id))
            && self.paths.as_ref().is_none_or(|g| path_matches(g, path))
            && (self.fingerprints.is_empty() || self.fingerprints.contains(&f.fingerprint))
            && self
                .secrets
                .as_ref()
                // No secret at hand (a parsed key is judged by its fingerprint): no match.
                .is_none_or(|r| secret.is_some_and(|s| r.is_match(s)))
    }
}

/// Every allowlist criterion of a configuration, plus its excluded paths.
#[derive(Debug, Clone, Default)]
pub struct Allowlist {
    pub entries: Vec<AllowEntry>,
    /// `[scan] exclude`: findings (and ciphertext) at these paths are dropped, whatever the
    /// source; the file-tree walker also skips them when it can.
    pub exclude: Option<Gitignore>,
    /// `--exclude`: the same, but matched against paths as the scan reports them (relative to
    /// the folder scanned, or to the repository's top for `--git` and `--staged`), as the
    /// file-tree walker matches them. One filter for every source.
    pub cli_exclude: Option<Gitignore>,
    /// How reported paths relate to the configuration's directory: `Some("src")` when the scan
    /// root is `<config dir>/src`, `Some("")` when it is the config dir itself, `None` when it is
    /// not known (several roots, or a root outside it): paths are then matched as reported.
    pub base: Option<String>,
}

impl Allowlist {
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty() && self.exclude.is_none() && self.cli_exclude.is_none()
    }

    /// Whether some entry needs the secret in clear to judge a finding.
    pub fn needs_secrets(&self) -> bool {
        self.entries.iter().any(|e| e.secrets.is_some())
    }

    fn config_relative<'p>(&self, path: &'p str) -> std::borrow::Cow<'p, str> {
        match self.base.as_deref() {
            Some(b) if !b.is_empty() => format!("{}/{path}", b.trim_end_matches('/')).into(),
            _ => path.into(),
        }
    }

    /// Is `path` (as reported) excluded?
    pub fn excluded(&self, path: &str) -> bool {
        self.cli_exclude
            .as_ref()
            .is_some_and(|g| path_matches(g, path))
            || self
                .exclude
                .as_ref()
                .is_some_and(|g| path_matches(g, &self.config_relative(path)))
    }

    /// Is `f` (with its secret, when known) allowed by some entry?
    pub fn allows(&self, f: &Finding, secret: Option<&[u8]>) -> bool {
        if self.entries.is_empty() {
            return false;
        }
        let path = self.config_relative(&f.location.path);
        self.entries.iter().any(|e| e.matches(f, &path, secret))
    }
}

/// Gitignore semantics for a file path: the file or any directory above it matches, and the last
/// matching pattern wins (so `!keep/this` re-includes).
fn path_matches(g: &Gitignore, path: &str) -> bool {
    // Reported paths are encoded (`%25`, `%FF`); patterns are written for the names on disk.
    let os = crate::model::path_text::to_os(path.trim_start_matches('/'));
    let path = Path::new(&os);
    for (i, p) in path.ancestors().enumerate() {
        if p.as_os_str().is_empty() {
            break;
        }
        match g.matched(p, i > 0) {
            ignore::Match::Ignore(_) => return true,
            ignore::Match::Whitelist(_) => return false,
            ignore::Match::None => {}
        }
    }
    false
}

/// Compile gitignore-syntax patterns. A bad one is returned by its index (the caller knows where
/// it was written) with the reason.
pub fn gitignore<'a>(
    patterns: impl IntoIterator<Item = &'a str>,
) -> Result<Gitignore, (usize, String)> {
    let mut b = ignore::gitignore::GitignoreBuilder::new("");
    for (i, p) in patterns.into_iter().enumerate() {
        b.add_line(None, p).map_err(|e| (i, e.to_string()))?;
    }
    b.build().map_err(|e| (0, e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn g(p: &[&str]) -> Gitignore {
        gitignore(p.iter().copied()).unwrap()
    }

    #[test]
    fn gitignore_semantics() {
        let ex = g(&[
            "vendor/",
            "*.min.js",
            "/build",
            "docs/**/*.md",
            "!docs/keep.md",
        ]);
        assert!(path_matches(&ex, "vendor/a/b.js"));
        assert!(path_matches(&ex, "src/vendor/x"));
        assert!(path_matches(&ex, "web/app.min.js"));
        assert!(path_matches(&ex, "build/out.txt"));
        assert!(!path_matches(&ex, "src/build/out.txt"));
        assert!(path_matches(&ex, "docs/a/b.md"));
        assert!(!path_matches(&ex, "docs/keep.md"));
        assert!(!path_matches(&ex, "src/app.js"));
    }

    #[test]
    fn base_makes_paths_config_relative() {
        let a = Allowlist {
            exclude: Some(g(&["/src/tests/"])),
            base: Some("src".into()),
            ..Allowlist::default()
        };
        assert!(a.excluded("tests/x.py"));
        assert!(!a.excluded("main.py"));
        let a = Allowlist { base: None, ..a };
        assert!(!a.excluded("tests/x.py"));
    }
}
