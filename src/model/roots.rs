//! Where each path a scan reports sits in its repository. Sources report file-tree paths
//! relative to the scanned folder (or as given, for a file) and history paths relative to the
//! repository's top (prefixed with the repository when there are several). Two later stages need
//! the path from the repository's top instead: the context judgement (`tests/certs` scanned alone
//! is still a test folder, and a checkout under `/tmp/tests/` is not one) and SARIF, whose URIs
//! GitHub resolves against the top of the repository.

use std::borrow::Cow;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// How the paths a scan reports map onto repository tops.
#[derive(Debug, Clone, Default)]
pub struct RepoPaths {
    /// Files given on the command line, by the path the scan shows for them.
    files: HashMap<String, Anchor>,
    /// Directories whose reported paths start with `shown`; longest `shown` first.
    dirs: Vec<(String, Anchor)>,
    /// Distinct tops, absolute, in the order first seen.
    tops: Vec<PathBuf>,
}

#[derive(Debug, Clone)]
struct Anchor {
    /// The root's path from its top: `/`-terminated (or empty) for a directory, the whole path
    /// for a file.
    inner: String,
    top: usize,
}

impl RepoPaths {
    /// A file-tree scan of `roots`. A directory is mapped when it is the only root (with several,
    /// each directory's files are shown relative to it and cannot be told apart); a file always.
    /// Outside a repository the folder scanned (or holding the file) stands for the top.
    pub fn for_tree(roots: &[PathBuf]) -> RepoPaths {
        let mut paths = RepoPaths::default();
        let mut tops = TopCache::default();
        for root in roots {
            let Ok(abs) = std::fs::canonicalize(root) else {
                continue;
            };
            if abs.is_dir() {
                if roots.len() == 1 {
                    let top = tops.top_of(&abs).unwrap_or_else(|| abs.clone());
                    let inner = dir_inner(&abs, &top);
                    let top = paths.top_index(top);
                    paths.dirs.push((String::new(), Anchor { inner, top }));
                }
            } else if let Some(parent) = abs.parent() {
                let top = tops.top_of(parent).unwrap_or_else(|| parent.to_path_buf());
                let inner = slashes(abs.strip_prefix(&top).unwrap_or(&abs));
                let top = paths.top_index(top);
                let shown = super::path_text::display_path(root, root);
                paths.files.insert(shown, Anchor { inner, top });
            }
        }
        paths
    }

    /// A history (or staged) scan of `repos`: each `(prefix, path)` is a repository whose
    /// reported paths are relative to its top and start with `prefix`.
    pub fn for_repositories(repos: &[(String, PathBuf)]) -> RepoPaths {
        let mut paths = RepoPaths::default();
        let mut tops = TopCache::default();
        for (prefix, repo) in repos {
            let Ok(abs) = std::fs::canonicalize(repo) else {
                continue;
            };
            let top = tops.top_of(&abs).unwrap_or(abs);
            let top = paths.top_index(top);
            let anchor = Anchor {
                inner: String::new(),
                top,
            };
            paths.dirs.push((prefix.clone(), anchor));
        }
        paths.dirs.sort_by_key(|d| std::cmp::Reverse(d.0.len()));
        paths
    }

    /// Stored roots (`keyaudit report` of an audit): paths start with each root's name and a
    /// `/` (none when there is one root), and the roots are not on this machine, so each
    /// stands for its own top by name.
    pub fn for_stored_roots(names: &[String]) -> RepoPaths {
        let mut paths = RepoPaths::default();
        for name in names {
            let top = paths.top_index(PathBuf::from(name));
            let prefix = match names.len() {
                1 => String::new(),
                _ => format!("{name}/"),
            };
            let anchor = Anchor {
                inner: String::new(),
                top,
            };
            paths.dirs.push((prefix, anchor));
        }
        paths.dirs.sort_by_key(|d| std::cmp::Reverse(d.0.len()));
        paths
    }

    /// The repository (index into [`RepoPaths::tops`]) and the path from its top of `path` as
    /// the scan reported it; `None` when no root claims it.
    pub fn resolve<'a>(&self, path: &'a str) -> Option<(usize, Cow<'a, str>)> {
        if let Some(a) = self.files.get(path) {
            return Some((a.top, Cow::Owned(a.inner.clone())));
        }
        self.dirs.iter().find_map(|(shown, a)| {
            let rest = path.strip_prefix(shown.as_str())?;
            Some(match a.inner.is_empty() {
                true => (a.top, Cow::Borrowed(rest)),
                false => (a.top, Cow::Owned(format!("{}{rest}", a.inner))),
            })
        })
    }

    /// `path` from its repository's top, or as reported when no root claims it.
    pub fn from_top<'a>(&self, path: &'a str) -> Cow<'a, str> {
        self.resolve(path).map_or(Cow::Borrowed(path), |(_, p)| p)
    }

    /// The repository tops, absolute, in the order the roots were given.
    pub fn tops(&self) -> &[PathBuf] {
        &self.tops
    }

    fn top_index(&mut self, top: PathBuf) -> usize {
        match self.tops.iter().position(|t| *t == top) {
            Some(i) => i,
            None => {
                self.tops.push(top);
                self.tops.len() - 1
            }
        }
    }
}

/// Repository tops found so far: many files given on one command line share a few directories.
#[derive(Default)]
struct TopCache(HashMap<PathBuf, Option<PathBuf>>);

impl TopCache {
    /// The top of the repository holding `dir` (its work tree, or the git directory of a bare
    /// repository), canonical; `None` outside any repository.
    fn top_of(&mut self, dir: &Path) -> Option<PathBuf> {
        self.0
            .entry(dir.to_path_buf())
            .or_insert_with(|| {
                let repo = gix::discover(dir).ok()?;
                let top = repo.workdir().unwrap_or_else(|| repo.git_dir());
                std::fs::canonicalize(top).ok()
            })
            .clone()
    }
}

/// `dir` from `top`, `/`-terminated unless it is the top itself.
fn dir_inner(dir: &Path, top: &Path) -> String {
    let rel = slashes(dir.strip_prefix(top).unwrap_or(Path::new("")));
    if rel.is_empty() { rel } else { rel + "/" }
}

/// `p` as reported paths write it: `/`-separated, encoded like them.
fn slashes(p: &Path) -> String {
    super::path_text::from_os(p.as_os_str()).replace(std::path::MAIN_SEPARATOR, "/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reported_paths_are_mapped_to_their_repository_top() {
        let tmp = tempfile::tempdir().unwrap();
        let top = std::fs::canonicalize(tmp.path()).unwrap();
        gix::init(&top).unwrap();
        let sub = top.join("tests/certs");
        std::fs::create_dir_all(&sub).unwrap();
        std::fs::write(sub.join("k.pem"), "x").unwrap();
        let paths = RepoPaths::for_tree(std::slice::from_ref(&sub));
        assert_eq!(paths.from_top("k.pem"), "tests/certs/k.pem");
        let repos = RepoPaths::for_repositories(&[("one/".into(), top.clone())]);
        assert_eq!(repos.from_top("one/src/a.rs"), "src/a.rs");
        assert_eq!(repos.from_top("elsewhere/a.rs"), "elsewhere/a.rs");
    }
}
