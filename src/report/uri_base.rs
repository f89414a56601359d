//! Where SARIF results point. GitHub code scanning resolves a result's URI against the top of the
//! repository the file was uploaded for, whatever folder was scanned; so SARIF URIs are relative
//! to the top of the repository that holds each scanned path, and every top is named once in
//! `originalUriBaseIds`. The other reports keep the paths the scan shows (relative to the scanned
//! folder), which is what their readers and the allowlist see.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// The one base of a run with a single top: the name GitHub and most tools know.
pub const SRCROOT: &str = "%SRCROOT%";

/// How the paths a scan reports map onto repository tops.
#[derive(Debug, Default)]
pub struct UriBases {
    /// Files given on the command line, by the path the scan shows for them.
    files: HashMap<String, Anchor>,
    /// Directories whose reported paths start with `shown`; longest `shown` first.
    dirs: Vec<(String, Anchor)>,
    /// Distinct tops, absolute, in the order first seen.
    tops: Vec<PathBuf>,
}

#[derive(Debug)]
struct Anchor {
    /// The root's path from its top: `/`-terminated (or empty) for a directory, the whole path
    /// for a file.
    inner: String,
    top: usize,
}

/// A reported path as SARIF should name it.
#[derive(Debug, PartialEq, Eq)]
pub struct Located {
    /// The `uriBaseId`; `None` when the path is absolute and no top is known for it.
    pub base: Option<String>,
    /// Percent-encoded: relative to the base, or a `file://` URI.
    pub uri: String,
}

impl UriBases {
    /// A file-tree scan of `roots`. A directory is mapped when it is the only root (with several,
    /// each directory's files are shown relative to it and cannot be told apart); a file always.
    pub fn for_tree(roots: &[PathBuf]) -> UriBases {
        let mut bases = UriBases::default();
        let mut tops = TopCache::default();
        for root in roots {
            let Ok(abs) = std::fs::canonicalize(root) else {
                continue;
            };
            if abs.is_dir() {
                if roots.len() == 1 {
                    let top = tops.top_of(&abs).unwrap_or_else(|| abs.clone());
                    let inner = dir_inner(&abs, &top);
                    let top = bases.top_index(top);
                    bases.dirs.push((String::new(), Anchor { inner, top }));
                }
            } else if let Some(parent) = abs.parent() {
                let top = tops.top_of(parent).unwrap_or_else(|| parent.to_path_buf());
                let inner = slashes(abs.strip_prefix(&top).unwrap_or(&abs));
                let top = bases.top_index(top);
                let shown = crate::source::fs::display_path(root, root);
                bases.files.insert(shown, Anchor { inner, top });
            }
        }
        bases
    }

    /// A history (or staged) scan of `repos`: each `(prefix, path)` is a repository whose
    /// reported paths are relative to its top and start with `prefix`.
    pub fn for_repositories(repos: &[(String, PathBuf)]) -> UriBases {
        let mut bases = UriBases::default();
        let mut tops = TopCache::default();
        for (prefix, repo) in repos {
            let Ok(abs) = std::fs::canonicalize(repo) else {
                continue;
            };
            let top = tops.top_of(&abs).unwrap_or(abs);
            let top = bases.top_index(top);
            let anchor = Anchor {
                inner: String::new(),
                top,
            };
            bases.dirs.push((prefix.clone(), anchor));
        }
        bases.dirs.sort_by_key(|d| std::cmp::Reverse(d.0.len()));
        bases
    }

    /// `originalUriBaseIds`: each base id with its top as a `file://` URI ending in `/`.
    pub fn originals(&self) -> Vec<(String, String)> {
        (0..self.tops.len())
            .map(|i| {
                let mut uri = format!(
                    "file://{}",
                    super::sarif::uri_path(&self.tops[i].to_string_lossy())
                );
                if !uri.ends_with('/') {
                    uri.push('/');
                }
                (self.id(i), uri)
            })
            .collect()
    }

    /// Where SARIF should say `path` (as the scan reported it) is.
    pub fn locate(&self, path: &str) -> Located {
        if let Some(a) = self.files.get(path) {
            return self.at(a, &a.inner);
        }
        for (shown, a) in &self.dirs {
            if let Some(rest) = path.strip_prefix(shown.as_str()) {
                return self.at(a, &format!("{}{rest}", a.inner));
            }
        }
        // Unknown root: as before, relative paths under the default base.
        let encoded = super::sarif::uri_path(path);
        if path.starts_with('/') {
            Located {
                base: None,
                uri: format!("file://{encoded}"),
            }
        } else {
            Located {
                base: Some(SRCROOT.to_string()),
                uri: encoded,
            }
        }
    }

    fn at(&self, a: &Anchor, rel: &str) -> Located {
        Located {
            base: Some(self.id(a.top)),
            uri: super::sarif::uri_path(rel),
        }
    }

    /// One top is `%SRCROOT%`; several are `REPO0`, `REPO1`… in the order the roots were given.
    fn id(&self, top: usize) -> String {
        if self.tops.len() == 1 {
            SRCROOT.to_string()
        } else {
            format!("REPO{top}")
        }
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

fn slashes(p: &Path) -> String {
    p.to_string_lossy().replace(std::path::MAIN_SEPARATOR, "/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_subfolder_of_a_repository_is_named_from_the_top() {
        let tmp = tempfile::tempdir().unwrap();
        let top = std::fs::canonicalize(tmp.path()).unwrap();
        gix::init(&top).unwrap();
        let sub = top.join("fixtures/crypto");
        std::fs::create_dir_all(&sub).unwrap();
        std::fs::write(sub.join("k.pem"), "x").unwrap();
        let bases = UriBases::for_tree(std::slice::from_ref(&sub));
        assert_eq!(
            bases.locate("a b.txt"),
            Located {
                base: Some(SRCROOT.into()),
                uri: "fixtures/crypto/a%20b.txt".into()
            }
        );
        let file = sub.join("k.pem");
        let bases = UriBases::for_tree(std::slice::from_ref(&file));
        let shown = crate::source::fs::display_path(&file, &file);
        assert_eq!(bases.locate(&shown).uri, "fixtures/crypto/k.pem");
        assert_eq!(bases.originals()[0].1, format!("file://{}/", top.display()));
    }

    #[test]
    fn unknown_absolute_paths_are_file_uris_without_a_base() {
        let bases = UriBases::default();
        assert_eq!(bases.locate("/etc/x").base, None);
        assert_eq!(bases.locate("/etc/x").uri, "file:///etc/x");
        assert_eq!(bases.locate("a/x").base.as_deref(), Some(SRCROOT));
    }
}
