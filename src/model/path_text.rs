//! Paths as reports write them, reversibly. File names are bytes (on Unix) and git paths are
//! bytes everywhere; reports are UTF-8. A lossy conversion maps `key\xff` and `key\xfe` to the
//! same `key\u{fffd}`: two files collapse into one path, a finding cannot be located, and
//! SARIF's path hashes and baseline entries collide. So every source names its inputs with
//! this encoding: valid UTF-8 is kept as it is, except `%`, written `%25`; every byte that is
//! not part of valid UTF-8 is written `%XX` (two upper-case hex digits). Decoding `%XX` back to
//! byte XX gives the name on disk or in the tree exactly. Names without `%` and in UTF-8 (all
//! but a handful in real repositories) read as they always did.

use std::borrow::Cow;
use std::ffi::{OsStr, OsString};

/// The report text of a path given as bytes.
pub fn from_bytes(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    for chunk in bytes.utf8_chunks() {
        for c in chunk.valid().chars() {
            match c {
                '%' => out.push_str("%25"),
                c => out.push(c),
            }
        }
        for b in chunk.invalid() {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The report text of an OS path (on Unix its bytes; elsewhere names are Unicode already, and
/// unpaired surrogates, which no real tool writes, are shown lossily).
pub fn from_os(p: &OsStr) -> String {
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        from_bytes(p.as_bytes())
    }
    #[cfg(not(unix))]
    {
        from_bytes(p.to_string_lossy().as_bytes())
    }
}

/// The bytes a report path stands for: `%XX` is byte XX; anything else is itself (a `%`
/// without two hex digits cannot come from [`from_bytes`] and is kept as written).
pub fn to_bytes(text: &str) -> Cow<'_, [u8]> {
    if !text.contains('%') {
        return Cow::Borrowed(text.as_bytes());
    }
    let b = text.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let byte = (b[i] == b'%')
            .then(|| b.get(i + 1..i + 3))
            .flatten()
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match byte {
            Some(v) => {
                out.push(v);
                i += 3;
            }
            None => {
                out.push(b[i]);
                i += 1;
            }
        }
    }
    Cow::Owned(out)
}

/// The OS path a report path stands for (what the allowlist's gitignore patterns match).
pub fn to_os(text: &str) -> OsString {
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStringExt;
        OsString::from_vec(to_bytes(text).into_owned())
    }
    #[cfg(not(unix))]
    {
        OsString::from(String::from_utf8_lossy(&to_bytes(text)).into_owned())
    }
}

/// A walked path as reports show it: relative to its root when the root is a directory, `/`
/// separators, no leading `./`, encoded reversibly.
pub fn display_path(root: &std::path::Path, path: &std::path::Path) -> String {
    let rel = if root.is_dir() {
        path.strip_prefix(root).unwrap_or(path)
    } else {
        path
    };
    let s = from_os(rel.as_os_str());
    let s = s.strip_prefix("./").unwrap_or(&s);
    if std::path::MAIN_SEPARATOR == '/' {
        s.to_string()
    } else {
        s.replace(std::path::MAIN_SEPARATOR, "/")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_names_read_as_they_are() {
        assert_eq!(from_bytes("src/ünï code.rs".as_bytes()), "src/ünï code.rs");
        assert!(matches!(to_bytes("src/a.rs"), Cow::Borrowed(_)));
    }

    #[test]
    fn invalid_bytes_and_percent_are_encoded_reversibly() {
        let names: [&[u8]; 5] = [
            b"k\xff.env",
            b"k\xfe.env",
            b"k%FF.env",
            b"k%.env",
            b"\xe2\x82",
        ];
        let shown: Vec<String> = names.iter().map(|n| from_bytes(n)).collect();
        assert_eq!(shown[0], "k%FF.env");
        assert_eq!(shown[2], "k%25FF.env");
        assert_eq!(
            shown[4], "%E2%82",
            "a truncated sequence is bytes, not a character"
        );
        for (n, s) in names.iter().zip(&shown) {
            assert_eq!(to_bytes(s).as_ref(), *n, "{s}");
        }
        let mut distinct = shown.clone();
        distinct.sort();
        distinct.dedup();
        assert_eq!(distinct.len(), names.len());
    }
}
