//! The one way untrusted text reaches a terminal or a log: file names, git paths and author
//! names, rule names from user rule files, messages that quote any of them. A file name can hold
//! ESC sequences (set the title, clear the screen), BEL, CR or a newline (forge a CI log line),
//! and bidirectional overrides that reorder what is shown; none of them may reach a terminal as
//! is. Machine formats (JSON, SARIF) escape by their own rules and do not use this.

use std::borrow::Cow;

/// Whether `c` must not reach a terminal as is: control characters (C0 with newline, CR, ESC
/// and BEL; DEL; C1 with the one-byte CSI) and the bidirectional marks, embeddings, overrides
/// and isolates that make a line read differently from what it holds.
pub fn is_unsafe(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{061c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}'
        )
}

/// `s` made safe for one terminal or log line: every unsafe character is written as a Rust
/// escape (`\n`, `\r`, `\u{1b}`) and a backslash as `\\`, so that the text stays readable and
/// two different names never print alike. Everything else is left as is.
pub fn escaped(s: &str) -> Cow<'_, str> {
    if !s.chars().any(|c| c == '\\' || is_unsafe(c)) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if c == '\\' || is_unsafe(c) {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_what_could_forge_a_line_or_drive_a_terminal() {
        assert_eq!(escaped("a/b.txt"), "a/b.txt");
        assert!(matches!(escaped("a/b.txt"), Cow::Borrowed(_)));
        assert_eq!(escaped("x\nkeyaudit: error"), "x\\nkeyaudit: error");
        assert_eq!(escaped("x\r\u{7}"), "x\\r\\u{7}");
        assert_eq!(escaped("\u{1b}[31mred"), "\\u{1b}[31mred");
        assert_eq!(escaped("\u{9b}31m"), "\\u{9b}31m");
        assert_eq!(escaped("abc\u{202e}fdp.exe"), "abc\\u{202e}fdp.exe");
        assert_eq!(
            escaped("a\\nb"),
            "a\\\\nb",
            "a literal backslash-n differs from a newline"
        );
        assert_eq!(escaped("é 日本"), "é 日本");
    }
}
