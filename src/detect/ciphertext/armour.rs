//! Text framing shared by the textual formats: lines as armour and vault bodies are written
//! (also `\n`-escaped inside JSON strings), and the base64 body of an armour block. One reader,
//! so that PGP and age armour, vaults and the randomness test split text the same way.

/// Lines of a text: split on newlines and on the two characters `\n` (armour inside JSON
/// strings), trimmed of spaces, tabs and carriage returns (also an escaped `\r`).
pub(super) struct Lines<'a> {
    rest: &'a [u8],
}

impl<'a> Iterator for Lines<'a> {
    type Item = &'a [u8];
    fn next(&mut self) -> Option<&'a [u8]> {
        if self.rest.is_empty() {
            return None;
        }
        let mut from = 0;
        let (line, skip) = loop {
            match memchr::memchr2(b'\n', b'\\', self.rest.get(from..)?) {
                None => break (self.rest, self.rest.len()),
                Some(i) => {
                    let i = from + i;
                    if self.rest.get(i) == Some(&b'\n') {
                        break (self.rest.get(..i)?, i + 1);
                    }
                    if self.rest.get(i + 1) == Some(&b'n') {
                        break (self.rest.get(..i)?, i + 2);
                    }
                    from = i + 1;
                }
            }
        };
        self.rest = self.rest.get(skip..).unwrap_or_default();
        let line = line.strip_suffix(b"\\r").unwrap_or(line);
        Some(line.trim_ascii())
    }
}

pub(super) fn lines(data: &[u8]) -> Lines<'_> {
    Lines { rest: data }
}

/// A character of the standard base64 alphabet, padding excluded
/// ([`crate::detect::encoding::is_b64_char`] includes `=`).
pub(super) fn is_b64(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'+' || b == b'/'
}

/// The base64 body of an armour block whose BEGIN line ends at `after`, up to `cap` characters:
/// header lines and blank lines are skipped, the body stops at the CRC line, the END line or
/// anything else.
pub(super) fn armour_body(data: &[u8], after: usize, cap: usize) -> Vec<u8> {
    let mut body = Vec::new();
    let mut skipped = 0;
    for line in lines(data.get(after..).unwrap_or_default()) {
        let line = line.get(..cap - body.len()).unwrap_or(line);
        let b64 = !line.is_empty() && line.iter().all(|b| is_b64(*b) || *b == b'=');
        if !b64 || line.starts_with(b"=") {
            if !body.is_empty() || line.starts_with(b"-") || skipped >= 16 {
                break;
            }
            skipped += 1;
            continue;
        }
        body.extend_from_slice(line);
        if body.len() >= cap {
            break;
        }
    }
    body
}
