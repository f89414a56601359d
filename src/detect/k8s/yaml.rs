//! Secrets in YAML, found by indentation: a mapping is the run of `key:` lines at one column, a
//! `- ` item opens a new one, and a mapping that says `kind: Secret` at its own column owns the
//! `data:` / `stringData:` entries found in it (before or after the `kind` line). Lines YAML
//! cannot parse (Helm's `{{ … }}` directives) are skipped, so templates are read as well.

use super::{Field, SecretValue};
use std::ops::Range;

/// One line of the blob: its bytes, where they start, and the column of the first non-space.
#[derive(Clone, Copy)]
struct Line<'a> {
    start: usize,
    text: &'a [u8],
    indent: usize,
}

impl Line<'_> {
    /// Nothing YAML would read here: blank, a comment, or a template directive.
    fn is_skippable(&self) -> bool {
        let t = self.text.get(self.indent..).unwrap_or_default();
        t.is_empty() || t.starts_with(b"#") || t.starts_with(b"{{")
    }
}

fn lines(data: &[u8]) -> Vec<Line<'_>> {
    let mut out = Vec::new();
    let mut start = 0;
    while start < data.len() {
        let len = memchr::memchr(b'\n', &data[start..]).unwrap_or(data.len() - start);
        let mut text = &data[start..start + len];
        if let Some(t) = text.strip_suffix(b"\r") {
            text = t;
        }
        let indent = text.iter().take_while(|&&b| b == b' ').count();
        out.push(Line {
            start,
            text,
            indent,
        });
        start += len + 1;
    }
    out
}

/// `key: rest` at column `col` of a line: the key (unquoted) and the column where `rest` starts.
fn key_at(text: &[u8], col: usize) -> Option<(String, usize)> {
    let t = text.get(col..)?;
    let (key, after) = match t.first()? {
        q @ (b'"' | b'\'') => {
            let close = memchr::memchr(*q, &t[1..])? + 1;
            (&t[1..close], close + 1)
        }
        _ => {
            let n = t
                .iter()
                .take_while(|&&b| {
                    b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-' | b'/')
                })
                .count();
            (&t[..n], n)
        }
    };
    if key.is_empty() || t.get(after) != Some(&b':') {
        return None;
    }
    if !matches!(t.get(after + 1), None | Some(b' ' | b'\t')) {
        return None;
    }
    let mut rest = after + 1;
    while matches!(t.get(rest), Some(b' ' | b'\t')) {
        rest += 1;
    }
    Some((String::from_utf8_lossy(key).into_owned(), col + rest))
}

/// The end of a plain or quoted inline value that starts at `from`: before a ` #` comment and
/// trailing blanks.
fn inline_end(text: &[u8], from: usize) -> usize {
    let mut end = text.len();
    let mut i = from;
    while i < text.len() {
        if text[i] == b'#' && i > from && matches!(text[i - 1], b' ' | b'\t') {
            end = i;
            break;
        }
        i += 1;
    }
    while end > from && matches!(text[end - 1], b' ' | b'\t') {
        end -= 1;
    }
    end
}

/// A scalar written after `key: `: its byte range within the line and its value (unquoted).
fn scalar(text: &[u8], from: usize) -> (Range<usize>, Vec<u8>) {
    match text.get(from) {
        Some(&q @ (b'"' | b'\'')) => {
            let body = from + 1;
            let mut i = body;
            let mut value = Vec::new();
            while let Some(&b) = text.get(i) {
                if b == q && q == b'\'' && text.get(i + 1) == Some(&b'\'') {
                    value.push(b'\'');
                    i += 2;
                } else if b == q {
                    break;
                } else if b == b'\\' && q == b'"' {
                    value.push(unescape(text.get(i + 1).copied().unwrap_or(b'\\')));
                    i += 2;
                } else {
                    value.push(b);
                    i += 1;
                }
            }
            let end = i.min(text.len());
            (body..end, value)
        }
        _ => {
            let end = inline_end(text, from);
            let from = from.min(end);
            (from..end, text[from..end].to_vec())
        }
    }
}

fn unescape(b: u8) -> u8 {
    match b {
        b'n' => b'\n',
        b't' => b'\t',
        b'r' => b'\r',
        b'0' => 0,
        other => other,
    }
}

/// The body of a block scalar (`|`, `>`) whose key is at `col`, starting at line `from`: its span
/// in the blob, its lines unindented, and the index of the first line after it.
fn block(lines: &[Line<'_>], from: usize, col: usize) -> (Range<usize>, Vec<u8>, usize) {
    let mut j = from;
    let mut body_indent = None;
    let (mut start, mut end) = (None, 0);
    let mut value = Vec::new();
    while let Some(l) = lines.get(j) {
        let blank = l.indent == l.text.len();
        if !blank && l.indent <= col {
            break;
        }
        if !blank {
            let ind = *body_indent.get_or_insert(l.indent);
            if l.indent < ind {
                break;
            }
            start.get_or_insert(l.start + ind);
            end = l.start + l.text.len();
            value.extend_from_slice(l.text.get(ind..).unwrap_or_default());
        }
        value.push(b'\n');
        j += 1;
    }
    let start = start.unwrap_or(end);
    while value.last() == Some(&b'\n') {
        value.pop();
    }
    (start..end.max(start), value, j)
}

/// Skip a block scalar's body so that its lines are not read as keys.
fn skip_block(lines: &[Line<'_>], from: usize, col: usize) -> usize {
    block(lines, from, col).2
}

/// The entries of a `data:` / `stringData:` map whose key is at column `col`.
fn entries(
    lines: &[Line<'_>],
    from: usize,
    col: usize,
    field: Field,
    out: &mut Vec<SecretValue>,
) -> usize {
    let mut j = from;
    let mut child = None;
    while let Some(l) = lines.get(j) {
        if l.is_skippable() {
            j += 1;
            continue;
        }
        if l.indent <= col {
            break;
        }
        let c = *child.get_or_insert(l.indent);
        j += 1;
        let Some((name, rest)) = (l.indent == c).then(|| key_at(l.text, c)).flatten() else {
            continue;
        };
        if matches!(l.text.get(rest), Some(b'|' | b'>')) {
            let (span, value, next) = block(lines, j, c);
            j = next;
            out.push(SecretValue {
                field,
                name,
                span,
                value,
            });
            continue;
        }
        let (range, value) = scalar(l.text, rest);
        out.push(SecretValue {
            field,
            name,
            span: l.start + range.start..l.start + range.end,
            value,
        });
    }
    j
}

/// kustomize `secretGenerator` `literals:` items (`- NAME=value`) under a key at column `col`.
fn literals(lines: &[Line<'_>], from: usize, col: usize, out: &mut Vec<SecretValue>) -> usize {
    let mut j = from;
    while let Some(l) = lines.get(j) {
        if l.is_skippable() {
            j += 1;
            continue;
        }
        let item = l.text.get(l.indent..).unwrap_or_default();
        if l.indent < col || !item.starts_with(b"- ") {
            break;
        }
        j += 1;
        let at = l.indent + 2 + item[2..].iter().take_while(|&&b| b == b' ').count();
        let (range, text) = scalar(l.text, at);
        let Some(eq) = memchr::memchr(b'=', &text) else {
            continue;
        };
        // The value's place in the line: after the `=` (quotes, when present, enclose the item).
        let Some(eq_in_line) = memchr::memchr(b'=', &l.text[range.clone()]) else {
            continue;
        };
        let start = l.start + range.start + eq_in_line + 1;
        out.push(SecretValue {
            field: Field::StringData,
            name: String::from_utf8_lossy(&text[..eq]).into_owned(),
            span: start..l.start + range.end,
            value: text[eq + 1..].to_vec(),
        });
    }
    j
}

/// An open mapping: its column, whether it is a Secret, and the values it holds so far.
struct Map {
    col: usize,
    parent_key: Option<String>,
    last_key: Option<String>,
    secret: bool,
    values: Vec<SecretValue>,
}

/// Close every mapping deeper than `keep` (or at `keep` too, when `inclusive`), keeping the
/// values of those that turned out to be Secrets.
fn close(stack: &mut Vec<Map>, keep: usize, inclusive: bool, out: &mut Vec<SecretValue>) {
    while let Some(top) = stack.last() {
        if top.col < keep || (top.col == keep && !inclusive) {
            break;
        }
        if let Some(m) = stack.pop()
            && m.secret
        {
            out.extend(m.values);
        }
    }
}

pub fn find(data: &[u8]) -> Vec<SecretValue> {
    let lines = lines(data);
    let mut out = Vec::new();
    let mut stack: Vec<Map> = Vec::new();
    let mut i = 0;
    while let Some(l) = lines.get(i) {
        i += 1;
        if l.is_skippable() {
            continue;
        }
        let t = &l.text[l.indent..];
        if l.indent == 0 && (t.starts_with(b"---") || t.starts_with(b"...")) {
            close(&mut stack, 0, true, &mut out);
            continue;
        }
        // `- ` items (possibly nested: `- - key:`) open a new mapping at the key's column.
        let (mut col, mut item) = (l.indent, false);
        while l.text.get(col) == Some(&b'-') && matches!(l.text.get(col + 1), Some(b' ')) {
            col += 1;
            while l.text.get(col) == Some(&b' ') {
                col += 1;
            }
            item = true;
        }
        let Some((key, rest)) = key_at(l.text, col) else {
            continue;
        };
        close(&mut stack, col, item, &mut out);
        if stack.last().is_none_or(|m| m.col != col) {
            let parent_key = stack.last().and_then(|m| m.last_key.clone());
            stack.push(Map {
                col,
                parent_key,
                last_key: None,
                secret: false,
                values: Vec::new(),
            });
        }
        let Some(map) = stack.last_mut() else {
            continue;
        };
        map.last_key = Some(key.clone());
        let value_end = inline_end(l.text, rest);
        let empty = value_end <= rest;
        match key.as_str() {
            "kind" => map.secret = scalar(l.text, rest).1 == b"Secret",
            "data" | "stringData" if empty => {
                let field = if key == "data" {
                    Field::Data
                } else {
                    Field::StringData
                };
                i = entries(&lines, i, col, field, &mut map.values);
            }
            "literals" if empty && map.parent_key.as_deref() == Some("secretGenerator") => {
                i = literals(&lines, i, col, &mut out);
            }
            _ if matches!(l.text.get(rest), Some(b'|' | b'>')) => {
                i = skip_block(&lines, i, col);
            }
            _ => {}
        }
    }
    close(&mut stack, 0, true, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(data: &str) -> Vec<(String, String)> {
        find(data.as_bytes())
            .into_iter()
            .map(|v| (v.name, String::from_utf8_lossy(&v.value).into_owned()))
            .collect()
    }

    #[test]
    fn data_before_kind_and_after() {
        let kubectl = "apiVersion: v1\ndata:\n  tls.crt: AAAA\n  tls.key: BBBB\nkind: Secret\nmetadata:\n  name: t\n";
        assert_eq!(
            names(kubectl),
            [
                ("tls.crt".into(), "AAAA".into()),
                ("tls.key".into(), "BBBB".into())
            ]
        );
        let by_hand = "kind: Secret\nstringData:\n  a: \"x y\"  # c\n  b: 'it''s'\n";
        assert_eq!(
            names(by_hand),
            [("a".into(), "x y".into()), ("b".into(), "it's".into())]
        );
    }

    #[test]
    fn configmap_and_nested_keys_are_not_secrets() {
        let cm = "kind: ConfigMap\ndata:\n  ca.crt: AAAA\n---\nkind: Deployment\nspec:\n  kind: Secret\n  x:\n    data:\n      a: b\n";
        assert!(find(cm.as_bytes()).is_empty());
    }

    #[test]
    fn list_items_and_documents() {
        let list = "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Secret\n  data:\n    a: QQ==\n- kind: ConfigMap\n  data:\n    b: Qg==\n- data:\n    c: Qw==\n  kind: Secret\n";
        let got: Vec<String> = find(list.as_bytes()).into_iter().map(|v| v.name).collect();
        assert_eq!(got, ["a", "c"]);
        let docs = "kind: ConfigMap\ndata:\n  x: y\n---\nkind: Secret\ndata:\n  z: w\n";
        let got: Vec<String> = find(docs.as_bytes()).into_iter().map(|v| v.name).collect();
        assert_eq!(got, ["z"]);
    }

    #[test]
    fn block_scalars_templates_and_literals() {
        let y = "kind: Secret\nstringData:\n{{- if .Values.tls }}\n  tls.key: |\n    line one\n    line two\n{{- end }}\n  other: v\n";
        let got = find(y.as_bytes());
        assert_eq!(got.len(), 2);
        assert_eq!(got[0].value, b"line one\nline two");
        assert_eq!(
            &y.as_bytes()[got[0].span.clone()],
            b"line one\n    line two"
        );
        let k = "secretGenerator:\n- name: app\n  literals:\n  - password=Zq8\n  - \"TOKEN=a=b\"\nconfigMapGenerator:\n- name: c\n  literals:\n  - LEVEL=debug\n";
        let got = find(k.as_bytes());
        let pairs: Vec<(&str, &[u8], &[u8])> = got
            .iter()
            .map(|v| {
                (
                    v.name.as_str(),
                    v.value.as_slice(),
                    &k.as_bytes()[v.span.clone()],
                )
            })
            .collect();
        assert_eq!(
            pairs,
            [
                ("password", &b"Zq8"[..], &b"Zq8"[..]),
                ("TOKEN", b"a=b", b"a=b")
            ]
        );
    }

    #[test]
    fn hostile_input_is_linear_and_safe() {
        let deep: String = (0..20_000)
            .map(|i| format!("{}k{i}:\n", " ".repeat(i % 500)))
            .collect();
        let _ = find(format!("kind: Secret\n{deep}").as_bytes());
        let _ = find(b"kind: Secret\ndata:\n  a: \"unterminated\n  b: '\n- - - \n\"");
    }
}
