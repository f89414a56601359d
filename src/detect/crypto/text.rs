//! Base64 inside text: Kubernetes Secret `data:` values and kubeconfig `*-data:` fields (base64 of
//! a PEM file), certificates in XML/JSON (`<X509Certificate>MII…`, JWK `x5c`), bare DER keys in
//! environment files. Each run is decoded once and scanned again (PEM) or classified (DER).

use super::{Found, classify, keys, scan};
use crate::detect::encoding::{decode_std_lenient, is_b64_char};
use memchr::memmem;
use std::ops::Range;

/// Prefixes that start a base64 run worth decoding: `-----BEGIN` and DER SEQUENCEs.
const PREFIXES: &[&[u8]] = &[b"LS0tLS1CRUdJTi", b"MII", b"MC4CAQAwBQYDK2", b"MCowBQYDK2"];

/// Shortest run considered (an Ed25519 SPKI is 60 base64 characters).
const MIN_RUN: usize = 60;
/// Longest run decoded.
const MAX_RUN: usize = 4 << 20;
/// At most this many runs per blob are decoded (bounds the work on base64-heavy files).
const MAX_RUNS: usize = 4096;

pub fn scan_base64(
    path: &str,
    data: &[u8],
    depth: u8,
    skip: &[Range<usize>],
    out: &mut Vec<Found>,
) {
    let mut starts: Vec<usize> = PREFIXES
        .iter()
        .flat_map(|p| memmem::find_iter(data, p))
        .collect();
    starts.sort_unstable();
    let mut done_until = 0;
    let mut runs = 0;
    for start in starts {
        if start < done_until || skip.iter().any(|s| s.contains(&start)) {
            continue;
        }
        if start > 0 && data.get(start - 1).is_some_and(|b| is_b64_char(*b)) {
            continue;
        }
        let Some((run, end)) = run_at(data, start) else {
            continue;
        };
        if run.len() < MIN_RUN {
            continue;
        }
        runs += 1;
        if runs > MAX_RUNS {
            break;
        }
        done_until = end;
        let Some(bytes) = decode_std_lenient(&run) else {
            continue;
        };
        let span = start..end;
        if bytes.starts_with(b"-----BEGIN") {
            let mut inner = Vec::new();
            scan(path, &bytes, depth + 1, &mut inner);
            for f in inner {
                let mut info = f.info;
                info.encoding = "base64".into();
                out.push(Found {
                    span: span.clone(),
                    info,
                });
            }
        } else if let Some(infos) = keys::first_tlv(&bytes).and_then(classify::classify_der) {
            for mut info in infos {
                info.encoding = "base64".into();
                out.push(Found {
                    span: span.clone(),
                    info,
                });
            }
        }
    }
}

/// The base64 run starting at `start`, continuing over line breaks (and the indentation after
/// them) when a line is full-width, as wrapped base64 in XML and PEM-less files is.
fn run_at(data: &[u8], start: usize) -> Option<(String, usize)> {
    let mut out = String::new();
    let mut pos = start;
    loop {
        let rest = data.get(pos..)?;
        let len = rest.iter().take_while(|b| is_b64_char(**b)).count();
        out.push_str(std::str::from_utf8(rest.get(..len)?).ok()?);
        pos += len;
        if out.len() > MAX_RUN {
            return None;
        }
        // Continue onto the next line only after a full-width line (64 or 76 characters) that
        // did not end in padding.
        if !(len == 64 || len == 76) || out.ends_with('=') {
            break;
        }
        let mut next = pos;
        if data.get(next) == Some(&b'\r') {
            next += 1;
        }
        if data.get(next) != Some(&b'\n') {
            break;
        }
        next += 1;
        while matches!(data.get(next), Some(b' ' | b'\t')) {
            next += 1;
        }
        if !data.get(next).is_some_and(|b| is_b64_char(*b)) {
            break;
        }
        pos = next;
    }
    Some((out, pos))
}
