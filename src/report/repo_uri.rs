//! `versionControlProvenance.repositoryUri` must be an absolute URI (SARIF §3.23.2; GitHub and
//! the SARIF validators reject anything else), but `remote.origin.url` is whatever `git clone`
//! was given: a URL, an scp-like `git@host:owner/repo.git`, or a local path. This turns each into
//! an absolute URI, or says it cannot.

use super::uri_base::uri_path;

/// `url` (credentials already removed) as an absolute URI; `None` for a relative local path,
/// which names no repository outside this machine's current directory.
pub fn absolute(url: &str) -> Option<String> {
    if has_scheme(url) {
        return Some(url.to_string());
    }
    if url.starts_with('/') {
        return Some(format!("file://{}", uri_path(url.as_bytes())));
    }
    // git's rule: a colon before any slash makes `[user@]host:path` an ssh address.
    let colon = url.find(':')?;
    if url[..colon].contains('/') || colon == 0 {
        return None;
    }
    let (authority, path) = (&url[..colon], &url[colon + 1..]);
    let path = path.strip_prefix('/').unwrap_or(path);
    Some(format!(
        "ssh://{}/{}",
        uri_path(authority.as_bytes()),
        uri_path(path.as_bytes())
    ))
}

/// `scheme://…` with an RFC 3986 scheme.
fn has_scheme(url: &str) -> bool {
    let Some((scheme, _)) = url.split_once("://") else {
        return false;
    };
    let mut chars = scheme.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
}

#[cfg(test)]
mod tests {
    use super::absolute;

    #[test]
    fn every_form_git_accepts_becomes_absolute_or_nothing() {
        let cases = [
            (
                "https://github.com/o/r.git",
                Some("https://github.com/o/r.git"),
            ),
            ("ssh://git@host:22/o/r", Some("ssh://git@host:22/o/r")),
            (
                "git@github.com:o/r.git",
                Some("ssh://git@github.com/o/r.git"),
            ),
            ("host:/srv/r", Some("ssh://host/srv/r")),
            ("/srv/git/my repo", Some("file:///srv/git/my%20repo")),
            ("../upstream", None),
            ("upstream", None),
            ("./a:b", None),
            (":x", None),
        ];
        for (url, want) in cases {
            assert_eq!(absolute(url).as_deref(), want, "{url}");
        }
    }
}
