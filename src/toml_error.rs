//! Where a TOML file (a rule file, `.keyaudit.toml`) is wrong, said without quoting it. The toml
//! crate's own `Display` prints the offending line, and serde's messages quote the offending
//! value (`invalid type: string "…"`): a credentials file passed by mistake as `--rules`, or a
//! password typed into the wrong key, would end up on the terminal and in CI logs. Errors are
//! `file:line:col: message` instead, with whatever the message quotes from the file hidden.

use std::ops::Range;

/// A problem at a place in a file's text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Located {
    /// 1-based.
    pub line: usize,
    /// 1-based, in characters.
    pub column: usize,
    /// One line, quoting nothing from the file at the error's place.
    pub message: String,
}

/// Locate a parse error of `text` and clean its message.
pub fn locate(text: &str, err: &toml::de::Error) -> Located {
    let span = err.span().unwrap_or(0..0);
    let (line, column) = line_col(text, span.start);
    Located {
        line,
        column,
        message: without_content(err.message(), text, span),
    }
}

/// 1-based line and column (in characters) of byte `offset` in `text`.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}

/// `message` on one line, every quoted part (`"…"` or `` `…` ``) that comes from the file's
/// value at `span` replaced by `…`. Quotes of the schema (`expected one of \`low\`, …`) stay,
/// and so does a key the error is about (`unknown field \`exlude\``): a typo must stay
/// visible, and a key names a setting, not a secret.
pub fn without_content(message: &str, text: &str, span: Range<usize>) -> String {
    let one_line = message.split_whitespace().collect::<Vec<_>>().join(" ");
    let after = text
        .get(span.end..)
        .unwrap_or("")
        .trim_start_matches([' ', '\t']);
    if after.starts_with(['=', ']', '.']) {
        return one_line;
    }
    let at = text.get(span).unwrap_or("");
    let mut out = String::with_capacity(one_line.len());
    let mut rest = one_line.as_str();
    while let Some(open) = rest.find(['"', '`']) {
        let quote = &rest[open..=open];
        out.push_str(&rest[..=open]);
        rest = &rest[open + 1..];
        let Some(close) = rest.find(quote) else {
            break;
        };
        let quoted = &rest[..close];
        let from_file = !quoted.is_empty() && (at.contains(quoted) || at_unescaped(at, quoted));
        out.push_str(if from_file { "…" } else { quoted });
        out.push_str(quote);
        rest = &rest[close + 1..];
    }
    out.push_str(rest);
    out
}

/// serde quotes a string with Rust escapes (`\"`, `\\`): compare without them too.
fn at_unescaped(at: &str, quoted: &str) -> bool {
    quoted.contains('\\') && at.contains(&quoted.replace("\\\\", "\\").replace("\\\"", "\""))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_and_columns_count_characters() {
        assert_eq!(line_col("ab\ncd", 0), (1, 1));
        assert_eq!(line_col("ab\ncd", 4), (2, 2));
        assert_eq!(line_col("ab", 99), (1, 3));
        assert_eq!(line_col("é=1", 2), (1, 2));
    }

    #[test]
    fn quoted_content_from_the_file_is_hidden_and_the_schema_kept() {
        let text = "fail-on = \"hunter2\"\n";
        let m = without_content(
            "unknown variant `hunter2`, expected `low` or `high`",
            text,
            10..19,
        );
        assert_eq!(m, "unknown variant `…`, expected `low` or `high`");
        let m = without_content(
            "invalid type: string \"hunter2\",\n expected a sequence",
            text,
            10..19,
        );
        assert_eq!(m, "invalid type: string \"…\", expected a sequence");
        let m = without_content("unknown field `exlude`", "exlude = 1", 0..6);
        assert_eq!(m, "unknown field `exlude`", "a key is named");
    }

    #[test]
    fn a_parse_error_names_line_and_column_only() {
        let text = "[db]\npassword = hunter2-secret\n";
        let err = toml::from_str::<toml::Table>(text).expect_err("not TOML");
        let at = locate(text, &err);
        assert_eq!(at.line, 2);
        assert!(!at.message.contains("hunter2"), "{}", at.message);
        assert!(!at.message.contains('\n'));
    }
}
