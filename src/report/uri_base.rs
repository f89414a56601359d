//! Where SARIF results point. GitHub code scanning resolves a result's URI against the top of the
//! repository the file was uploaded for, whatever folder was scanned; so SARIF URIs are relative
//! to the top of the repository that holds each scanned path (see [`RepoPaths`]), and every top
//! is named once in `originalUriBaseIds`. The other reports keep the paths the scan shows
//! (relative to the scanned folder), which is what their readers and the allowlist see.

use crate::model::roots::RepoPaths;
use std::path::Path;

/// The one base of a run with a single top: the name GitHub and most tools know.
pub const SRCROOT: &str = "%SRCROOT%";

/// How the paths a scan reports map onto SARIF bases.
#[derive(Debug, Default)]
pub struct UriBases {
    paths: RepoPaths,
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
    pub fn new(paths: RepoPaths) -> UriBases {
        UriBases { paths }
    }

    /// `originalUriBaseIds`: each base id with its top as a `file://` URI ending in `/`.
    pub fn originals(&self) -> Vec<(String, String)> {
        let tops = self.paths.tops();
        (0..tops.len())
            .map(|i| {
                let mut uri = format!("file://{}", os_uri(&tops[i]));
                if !uri.ends_with('/') {
                    uri.push('/');
                }
                (self.id(i), uri)
            })
            .collect()
    }

    /// Where SARIF should say `path` (as the scan reported it) is. A path under a known top is
    /// confined to it (see [`confined`]): a history tree can hold entries named `..` or `/abs`.
    pub fn locate(&self, path: &str) -> Located {
        if let Some((top, rel)) = self.paths.resolve(path) {
            return Located {
                base: Some(self.id(top)),
                uri: reported_uri(&confined(&rel)),
            };
        }
        // Unknown root: an absolute path named on the command line stays a file URI; relative
        // paths go under the default base, confined like the others.
        if path.starts_with('/') {
            Located {
                base: None,
                uri: format!("file://{}", reported_uri(path)),
            }
        } else {
            Located {
                base: Some(SRCROOT.to_string()),
                uri: reported_uri(&confined(path)),
            }
        }
    }

    /// One top is `%SRCROOT%`; several are `REPO0`, `REPO1`… in the order the roots were given.
    fn id(&self, top: usize) -> String {
        if self.paths.tops().len() == 1 {
            SRCROOT.to_string()
        } else {
            format!("REPO{top}")
        }
    }
}

/// A reported path (encoded by `path_text`) as a percent-encoded URI path.
fn reported_uri(path: &str) -> String {
    uri_path(&crate::model::path_text::to_bytes(path))
}

/// An OS path as a percent-encoded URI path.
pub fn os_uri(path: &Path) -> String {
    reported_uri(&crate::model::path_text::from_os(path.as_os_str()))
}

/// `path` made relative and kept below its base: empty and `.` segments dropped, a `..` takes
/// back the segment before it and is dropped at the top, leading `/` removed. Real sources never
/// report such paths; a crafted tree entry can, and a SARIF consumer would resolve it outside
/// the repository.
pub fn confined(path: &str) -> std::borrow::Cow<'_, str> {
    let clean = |s: &str| !s.is_empty() && s != "." && s != "..";
    if path.split('/').all(clean) {
        return path.into();
    }
    let mut kept: Vec<&str> = Vec::new();
    for seg in path.split('/') {
        match seg {
            ".." => {
                kept.pop();
            }
            s if clean(s) => kept.push(s),
            _ => {}
        }
    }
    kept.join("/").into()
}

/// Percent-encode a path's bytes for use as a URI reference (RFC 3986 path characters kept).
/// Give it the name's bytes (a reported path decoded by `path_text::to_bytes`), so that a byte
/// that is not UTF-8 becomes its own `%XX`, as URIs expect.
pub fn uri_path(path: &[u8]) -> String {
    let mut out = String::with_capacity(path.len());
    for &b in path {
        if b.is_ascii_alphanumeric() || b"-._~/!$&'()*+,;=:@".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
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
        let bases = UriBases::new(RepoPaths::for_tree(std::slice::from_ref(&sub)));
        assert_eq!(
            bases.locate("a b.txt"),
            Located {
                base: Some(SRCROOT.into()),
                uri: "fixtures/crypto/a%20b.txt".into()
            }
        );
        let file = sub.join("k.pem");
        let bases = UriBases::new(RepoPaths::for_tree(std::slice::from_ref(&file)));
        let shown = crate::model::path_text::display_path(&file, &file);
        assert_eq!(bases.locate(&shown).uri, "fixtures/crypto/k.pem");
        assert_eq!(bases.originals()[0].1, format!("file://{}/", top.display()));
    }

    #[test]
    fn unknown_absolute_paths_are_file_uris_without_a_base() {
        let bases = UriBases::default();
        assert_eq!(bases.locate("/etc/x").base, None);
        assert_eq!(bases.locate("/etc/x").uri, "file:///etc/x");
        assert_eq!(bases.locate("a/x").base.as_deref(), Some(SRCROOT));
        assert_eq!(bases.locate("k%FF.env").uri, "k%FF.env");
        assert_eq!(bases.locate("k%25FF.env").uri, "k%25FF.env");
    }

    #[test]
    fn hostile_paths_are_confined_below_the_base() {
        assert_eq!(confined("a/b.txt"), "a/b.txt");
        assert_eq!(confined("../../etc/x"), "etc/x");
        assert_eq!(confined("/abs"), "abs");
        assert_eq!(confined("a/./b/../../../c"), "c");
        assert_eq!(confined("a//b/"), "a/b");
    }
}
