//! Secrets in JSON (`kubectl get -o json`, `kind: List` output, generated manifests): a small
//! parser that keeps the byte range of every string, so a value is reported where it is written.
//! Nesting is capped, so hostile input cannot exhaust the stack; malformed input ends the scan
//! with what was found before the error.

use super::{Field, SecretValue};

/// Deeper than this is not a manifest; the scan stops there.
const MAX_DEPTH: usize = 64;

struct Parser<'a> {
    data: &'a [u8],
    pos: usize,
    out: Vec<SecretValue>,
}

/// What an object told us about itself while it was parsed.
#[derive(Default)]
struct Object {
    kind: Option<Vec<u8>>,
    values: Vec<SecretValue>,
}

pub fn find(data: &[u8]) -> Vec<SecretValue> {
    let mut p = Parser {
        data,
        pos: 0,
        out: Vec::new(),
    };
    let _ = p.value(0);
    p.out
}

impl Parser<'_> {
    fn ws(&mut self) {
        while self.data.get(self.pos).is_some_and(u8::is_ascii_whitespace) {
            self.pos += 1;
        }
    }

    fn eat(&mut self, b: u8) -> Option<()> {
        self.ws();
        (self.data.get(self.pos) == Some(&b)).then(|| self.pos += 1)
    }

    /// Any value; objects and arrays are walked for Secrets.
    fn value(&mut self, depth: usize) -> Option<()> {
        if depth > MAX_DEPTH {
            return None;
        }
        self.ws();
        match self.data.get(self.pos)? {
            b'{' => self.object(depth),
            b'[' => self.array(depth),
            b'"' => self.string().map(|_| ()),
            _ => {
                // Numbers, true, false, null: skipped up to the next delimiter.
                let start = self.pos;
                while self
                    .data
                    .get(self.pos)
                    .is_some_and(|b| !matches!(b, b',' | b'}' | b']') && !b.is_ascii_whitespace())
                {
                    self.pos += 1;
                }
                (self.pos > start).then_some(())
            }
        }
    }

    fn array(&mut self, depth: usize) -> Option<()> {
        self.eat(b'[')?;
        if self.eat(b']').is_some() {
            return Some(());
        }
        loop {
            self.value(depth + 1)?;
            if self.eat(b']').is_some() {
                return Some(());
            }
            self.eat(b',')?;
        }
    }

    fn object(&mut self, depth: usize) -> Option<()> {
        self.eat(b'{')?;
        let mut obj = Object::default();
        if self.eat(b'}').is_none() {
            loop {
                self.ws();
                let (_, key) = self.string()?;
                self.eat(b':')?;
                self.ws();
                match key.as_slice() {
                    b"kind" if self.data.get(self.pos) == Some(&b'"') => {
                        obj.kind = Some(self.string()?.1);
                    }
                    b"data" | b"stringData" if self.data.get(self.pos) == Some(&b'{') => {
                        let field = if key == b"data" {
                            Field::Data
                        } else {
                            Field::StringData
                        };
                        self.entries(field, depth + 1, &mut obj.values)?;
                    }
                    _ => self.value(depth + 1)?,
                }
                if self.eat(b'}').is_some() {
                    break;
                }
                self.eat(b',')?;
            }
        }
        if obj.kind.as_deref() == Some(b"Secret") {
            self.out.extend(obj.values);
        }
        Some(())
    }

    /// The members of a `data` / `stringData` object: string values are kept.
    fn entries(&mut self, field: Field, depth: usize, out: &mut Vec<SecretValue>) -> Option<()> {
        self.eat(b'{')?;
        if self.eat(b'}').is_some() {
            return Some(());
        }
        loop {
            self.ws();
            let (_, name) = self.string()?;
            self.eat(b':')?;
            self.ws();
            if self.data.get(self.pos) == Some(&b'"') {
                let (span, value) = self.string()?;
                out.push(SecretValue {
                    field,
                    name: String::from_utf8_lossy(&name).into_owned(),
                    span,
                    value,
                });
            } else {
                self.value(depth + 1)?;
            }
            if self.eat(b'}').is_some() {
                return Some(());
            }
            self.eat(b',')?;
        }
    }

    /// A string at the cursor: the range of its text (inside the quotes) and its value.
    fn string(&mut self) -> Option<(std::ops::Range<usize>, Vec<u8>)> {
        if self.data.get(self.pos) != Some(&b'"') {
            return None;
        }
        let start = self.pos + 1;
        let mut i = start;
        let mut value = Vec::new();
        loop {
            match *self.data.get(i)? {
                b'"' => break,
                b'\\' => {
                    let e = *self.data.get(i + 1)?;
                    i += 2;
                    match e {
                        b'n' => value.push(b'\n'),
                        b'r' => value.push(b'\r'),
                        b't' => value.push(b'\t'),
                        b'b' => value.push(8),
                        b'f' => value.push(12),
                        b'u' => {
                            let hex = self.data.get(i..i + 4)?;
                            let code =
                                u32::from_str_radix(std::str::from_utf8(hex).ok()?, 16).ok()?;
                            let c = char::from_u32(code).unwrap_or('\u{fffd}');
                            value.extend_from_slice(c.encode_utf8(&mut [0; 4]).as_bytes());
                            i += 4;
                        }
                        other => value.push(other),
                    }
                }
                b => {
                    value.push(b);
                    i += 1;
                }
            }
        }
        self.pos = i + 1;
        Some((start..i, value))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_in_lists_not_configmaps() {
        let j = r#"{"kind":"List","items":[
          {"apiVersion":"v1","data":{"tls.crt":"QUJD","tls.key":"REVG"},"kind":"Secret"},
          {"kind":"ConfigMap","data":{"ca.crt":"R0hJ"}},
          {"stringData":{"token":"a\"b\nc","n":1},"kind":"Secret"}]}"#;
        let got = find(j.as_bytes());
        let names: Vec<&str> = got.iter().map(|v| v.name.as_str()).collect();
        assert_eq!(names, ["tls.crt", "tls.key", "token"]);
        assert_eq!(&j.as_bytes()[got[0].span.clone()], b"QUJD");
        assert_eq!(got[2].value, b"a\"b\nc");
        assert_eq!(&j.as_bytes()[got[2].span.clone()], br#"a\"b\nc"#);
    }

    #[test]
    fn hostile_input_is_safe() {
        let deep = "[".repeat(100_000);
        assert!(find(deep.as_bytes()).is_empty());
        assert!(find(br#"{"kind":"Secret","data":{"a":"unterminated"#).is_empty());
        assert!(find(br#"{"kind":"Secret","data":{"a":"\u12"}}"#).is_empty());
    }
}
