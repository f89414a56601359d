//! Which service of a repository a path belongs to, from `[services]` in `keyaudit.toml`.
//!
//! One repository often holds several services (`services/billing/`, `apps/web/`); a key they
//! share is a shared key as much as one copied between repositories, and rotating it means
//! touching all of them. Only the project knows its layout, so nothing is guessed: with no
//! `[services]` no path has a service.
//!
//! Paths are judged from the repository's top. Folder patterns (`services/*/`) are `/`-separated
//! folder names anchored there, where a `*` component is exactly one folder and names the
//! service (several `*` are joined with `/`); names match whole components, so `services/*/`
//! does not take `servicesX/a/` and `prod/*/` not `product/a/`. The pattern with the most
//! components wins, then the first written. Named services (`billing = ["charts/billing/"]`)
//! are globs over the path's leading folders (`*` stays inside one name, `**` spans several; a
//! glob without a trailing `/` may also match the whole path); they win over folder patterns,
//! the deepest match first, then the name.

use globset::{GlobBuilder, GlobMatcher};

/// A folder pattern's component: a literal folder name, or `*`.
#[derive(Debug, Clone)]
enum Part {
    Name(String),
    Any,
}

#[derive(Debug, Clone)]
struct NamedGlob {
    service: String,
    glob: GlobMatcher,
    /// Written with a trailing `/`: only folders match, never the file itself.
    folders_only: bool,
}

/// The configured services; empty by default.
#[derive(Debug, Clone, Default)]
pub struct Services {
    folders: Vec<Vec<Part>>,
    named: Vec<NamedGlob>,
}

impl Services {
    /// Whether nothing is configured (then no path has a service).
    pub fn is_empty(&self) -> bool {
        self.folders.is_empty() && self.named.is_empty()
    }

    /// How many patterns are configured, folders and named (for `config check`).
    pub fn pattern_count(&self) -> usize {
        self.folders.len() + self.named.len()
    }

    /// Add a folder pattern such as `services/*/`; the error says what is wrong with it.
    pub fn add_folder(&mut self, pattern: &str) -> Result<(), String> {
        let trimmed = pattern.trim_start_matches('/').trim_end_matches('/');
        if trimmed.is_empty() {
            return Err(format!("folder pattern {pattern:?} names no folder"));
        }
        let mut parts = Vec::new();
        for c in trimmed.split('/') {
            parts.push(match c {
                "*" => Part::Any,
                "" | "." | ".." => {
                    return Err(format!(
                        "folder pattern {pattern:?}: empty, `.` or `..` component"
                    ));
                }
                _ if c.contains(['*', '?', '[', ']', '{', '}', '\\']) => {
                    return Err(format!(
                        "folder pattern {pattern:?}: each component is a folder name or `*` \
                         (for globs, use [services.named])"
                    ));
                }
                _ => Part::Name(c.to_string()),
            });
        }
        if !parts.iter().any(|p| matches!(p, Part::Any)) {
            return Err(format!(
                "folder pattern {pattern:?} names no service: put a `*` where the service's \
                 folder is, as in \"services/*/\" (or use [services.named])"
            ));
        }
        self.folders.push(parts);
        Ok(())
    }

    /// Add a glob naming `service`, such as `deploy/billing-*/`.
    pub fn add_named(&mut self, service: &str, pattern: &str) -> Result<(), String> {
        if service.trim().is_empty() {
            return Err("a named service needs a name".to_string());
        }
        let folders_only = pattern.ends_with('/');
        let trimmed = pattern.trim_start_matches('/').trim_end_matches('/');
        if trimmed.is_empty() {
            return Err(format!("{service}: pattern {pattern:?} names no folder"));
        }
        let glob = GlobBuilder::new(trimmed)
            .literal_separator(true)
            .build()
            .map_err(|e| format!("{service}: bad glob {pattern:?}: {}", e.kind()))?
            .compile_matcher();
        self.named.push(NamedGlob {
            service: service.to_string(),
            glob,
            folders_only,
        });
        Ok(())
    }

    /// The service of `path` (relative to its repository's top, `/`-separated), if any.
    pub fn of(&self, path: &str) -> Option<String> {
        if self.is_empty() {
            return None;
        }
        self.named_of(path).or_else(|| self.folder_of(path))
    }

    /// The named service whose glob matches the deepest leading part of `path`.
    fn named_of(&self, path: &str) -> Option<String> {
        let mut best: Option<(usize, &str)> = None;
        for n in &self.named {
            let whole = (!n.folders_only).then_some(path.len());
            let cuts = path.match_indices('/').map(|(i, _)| i).chain(whole);
            let Some(depth) = cuts.filter(|&i| n.glob.is_match(&path[..i])).max() else {
                continue;
            };
            let better = best.is_none_or(|(d, s)| depth > d || (depth == d && *n.service < *s));
            if better {
                best = Some((depth, &n.service));
            }
        }
        best.map(|(_, s)| s.to_string())
    }

    /// The service a folder pattern names: the longest matching pattern, then the first.
    fn folder_of(&self, path: &str) -> Option<String> {
        let comps: Vec<&str> = path.split('/').collect();
        let mut best: Option<(usize, String)> = None;
        for pattern in &self.folders {
            // The matched components are folders: the file name comes after them.
            if comps.len() <= pattern.len() || best.as_ref().is_some_and(|b| b.0 >= pattern.len()) {
                continue;
            }
            let mut names = Vec::new();
            let matched = pattern.iter().zip(&comps).all(|(p, c)| match p {
                Part::Name(n) => n == c,
                Part::Any if c.is_empty() => false,
                Part::Any => {
                    names.push(*c);
                    true
                }
            });
            if matched {
                best = Some((pattern.len(), names.join("/")));
            }
        }
        best.map(|(_, s)| s)
    }
}
