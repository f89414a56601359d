//! PuTTY `.ppk` private key files (versions 1–3): the text header, the public blob, whether the
//! private part and MAC are present, and how the file is encrypted. Apart from the OpenSSH
//! formats in the parent module because it is a different file format with its own grammar.

use super::{clean_comment, is_sk, lines_from, set_key_data};
use crate::detect::crypto::{CryptoInfo, Found, Kind, SK_PROTECTION};
use crate::detect::encoding::decode_std_lenient;
use memchr::memmem;
use ssh_key::PublicKey;

/// PuTTY `.ppk` files, version 2 and 3 (and 1, reported as weakly protected).
pub(crate) fn scan_ppk(data: &[u8], out: &mut Vec<Found>) {
    let finder = memmem::Finder::new(b"PuTTY-User-Key-File-");
    let mut pos = 0;
    while let Some(i) = data.get(pos..).and_then(|d| finder.find(d)) {
        let start = pos + i;
        pos = start + 1;
        let (info, end) = parse_ppk(data, start);
        pos = pos.max(end);
        // Every PPK file's first line names its version ("PuTTY-User-Key-File-3:"); without
        // one the marker is a mention (a constant in a parser), not a key file.
        if info.kind == Kind::Unparseable && info.format == "ppk" {
            continue;
        }
        out.push(Found {
            span: start..end,
            info,
        });
    }
}

/// The `Key: value` lines of a PPK file and its base64 sections, as read.
struct PpkText {
    fields: Vec<(String, String)>,
    public_b64: String,
    private_ok: bool,
    mac: bool,
    end: usize,
}

impl PpkText {
    fn field(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Read the lines after the first: fields, the public and private base64 sections, up to the MAC.
fn read_ppk_text<'a>(
    lines: impl Iterator<Item = (std::ops::Range<usize>, &'a [u8])>,
    mut end: usize,
) -> PpkText {
    let mut fields: Vec<(String, String)> = Vec::new();
    let mut public_b64 = String::new();
    let mut private_ok = false;
    let mut mac = false;
    let mut expect_lines: Option<(bool, usize)> = None;
    let mut private_b64 = String::new();
    for (range, line) in lines {
        let line = String::from_utf8_lossy(line);
        end = range.end;
        if let Some((is_public, n)) = expect_lines {
            if is_public {
                public_b64.push_str(line.trim());
            } else {
                private_b64.push_str(line.trim());
            }
            expect_lines = if n > 1 {
                Some((is_public, n - 1))
            } else {
                None
            };
            if expect_lines.is_none() && !is_public {
                private_ok = decode_std_lenient(&private_b64).is_some_and(|b| !b.is_empty());
            }
            continue;
        }
        let Some((k, v)) = line.split_once(':') else {
            break;
        };
        let (k, v) = (k.trim().to_string(), v.trim().to_string());
        match k.as_str() {
            "Public-Lines" | "Private-Lines" => {
                let n: usize = v.parse().unwrap_or(0);
                if n == 0 || n > 1000 {
                    break;
                }
                expect_lines = Some((k == "Public-Lines", n));
            }
            "Private-MAC" | "Private-Hash" => {
                mac = true;
                fields.push((k, v));
                break;
            }
            _ => fields.push((k, v)),
        }
    }
    PpkText {
        fields,
        public_b64,
        private_ok,
        mac,
        end,
    }
}

fn parse_ppk(data: &[u8], start: usize) -> (CryptoInfo, usize) {
    let mut lines = lines_from(data, start);
    let Some((first_range, first)) = lines.next() else {
        return (CryptoInfo::unparseable("ppk", "empty"), start);
    };
    let first = String::from_utf8_lossy(first);
    let version = first
        .strip_prefix("PuTTY-User-Key-File-")
        .and_then(|r| r.split(':').next())
        .and_then(|v| v.trim().parse::<u32>().ok())
        .unwrap_or(0);
    let format = match version {
        1 => "ppk1",
        2 => "ppk2",
        3 => "ppk3",
        _ => "ppk",
    };
    let header_alg = first
        .split_once(':')
        .map(|(_, a)| a.trim().to_string())
        .unwrap_or_default();
    let text = read_ppk_text(lines, first_range.end);
    let end = text.end;
    let key = decode_std_lenient(&text.public_b64).and_then(|b| PublicKey::from_bytes(&b).ok());
    let Some(key) = key else {
        return (
            CryptoInfo::unparseable(format, "PPK: public key does not parse"),
            end,
        );
    };
    let mut info = CryptoInfo::new(Kind::PrivateKey, format);
    info.encoding = "text".into();
    set_key_data(&mut info, key.key_data());
    info.comment = text.field("Comment").and_then(clean_comment);
    if key.algorithm().as_str() != header_alg {
        info.kind = Kind::Unparseable;
        info.error = Some("PPK: public key algorithm differs from the header".into());
        return (info, end);
    }
    if !text.private_ok || !text.mac {
        info.kind = Kind::Unparseable;
        info.error = Some("PPK: private part missing or truncated".into());
        return (info, end);
    }
    set_encryption(&mut info, &text, version);
    if is_sk(key.key_data()) && !info.encrypted {
        info.encryption = Some(SK_PROTECTION.into());
    }
    (info, end)
}

/// How the private part is encrypted: v3 names its Argon2 parameters; v1/v2 derive the key with
/// plain SHA-1 of the passphrase.
fn set_encryption(info: &mut CryptoInfo, text: &PpkText, version: u32) {
    let encryption = text.field("Encryption").unwrap_or("none");
    if encryption != "none" {
        info.encrypted = true;
        if version >= 3 {
            info.encryption = Some(format!(
                "{encryption}/{}(m={},t={},p={})",
                text.field("Key-Derivation").unwrap_or("?"),
                text.field("Argon2-Memory").unwrap_or("?"),
                text.field("Argon2-Passes").unwrap_or("?"),
                text.field("Argon2-Parallelism").unwrap_or("?"),
            ));
        } else {
            // PPK v1/v2 derive the key with plain SHA-1 of the passphrase: no stretching.
            info.encryption = Some(format!("{encryption}/SHA-1 (no key stretching)"));
            info.weak_protection = true;
        }
    }
}
