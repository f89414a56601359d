//! Snippets: the finding's line with its secret replaced by the preview, trimmed around it, and
//! every other secret of the blob that shows in that context masked. Characters that could
//! drive a terminal are blanked: snippets are printed as they are.
//!
//! Why a union of ranges: masking used to visit every secret of the blob for every finding,
//! quadratic in findings per file. The secrets' union, as sorted disjoint ranges, is built once;
//! each snippet then finds the few ranges in its ~120 bytes of context by binary search.

use crate::model::MASK;
use std::ops::Range;

/// Bytes of context shown on each side of the secret.
const CONTEXT: usize = 60;

/// The union of a blob's secret ranges, as sorted disjoint ranges.
pub struct Masks {
    ranges: Vec<Range<usize>>,
}

impl Masks {
    /// From ranges sorted by start (as the scan sorts its matches).
    pub fn new(sorted: impl IntoIterator<Item = Range<usize>>) -> Masks {
        let mut ranges: Vec<Range<usize>> = Vec::new();
        for r in sorted {
            match ranges.last_mut() {
                Some(last) if r.start <= last.end => last.end = last.end.max(r.end),
                _ if r.is_empty() => {}
                _ => ranges.push(r),
            }
        }
        Masks { ranges }
    }

    /// How far a snippet of a secret ending at `end` can reach: the masks it needs start before.
    pub fn reach(end: usize) -> usize {
        end.saturating_add(CONTEXT)
    }

    /// `data[r]` for display: each masked run replaced by the fixed mask (so that not even the
    /// length of a neighbouring secret shows), unsafe characters by spaces.
    fn clean(&self, data: &[u8], r: Range<usize>) -> String {
        let mut out = String::new();
        let mut at = r.start;
        let first = self.ranges.partition_point(|m| m.end <= r.start);
        for m in self.ranges[first..].iter().take_while(|m| m.start < r.end) {
            let (a, b) = (m.start.max(r.start), m.end.min(r.end));
            push_text(&mut out, &data[at..a]);
            out.push_str(MASK);
            at = b;
        }
        push_text(&mut out, &data[at..r.end]);
        out
    }
}

fn push_text(out: &mut String, bytes: &[u8]) {
    out.extend(
        String::from_utf8_lossy(bytes)
            .chars()
            .map(|c| if crate::escape::is_unsafe(c) { ' ' } else { c }),
    );
}

/// The snippet of the secret at `secret`, whose first line starts at `line_start` and whose
/// last line ends at `line_end`. A secret spanning lines (a PEM block) shows the context before
/// it on its first line and after it on its last.
pub fn snippet(
    data: &[u8],
    secret: Range<usize>,
    line_start: usize,
    line_end: usize,
    preview: &str,
    masks: &Masks,
) -> String {
    let end = secret.end.min(data.len());
    let start = secret.start.min(end);
    let before = line_start.clamp(start.saturating_sub(CONTEXT), start)..start;
    let after = end..line_end.min(Masks::reach(end)).clamp(end, data.len());
    let mut shown = masks.clean(data, before).trim_start().to_string();
    push_text(&mut shown, preview.as_bytes());
    shown.push_str(masks.clean(data, after).trim_end());
    shown
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn neighbours_are_masked_with_a_fixed_mask() {
        let data = b"a = \"s1\", b = \"longer-secret-two\", c = \"x\"\nnext";
        let s1 = 5..7;
        let s2 = 15..32;
        let s3 = 40..41;
        let masks = Masks::new([s1.clone(), s2.clone(), s3]);
        let line_end = 43;
        let got = snippet(data, s2, 0, line_end, "PREVIEW", &masks);
        assert_eq!(
            got,
            format!("a = \"{MASK}\", b = \"PREVIEW\", c = \"{MASK}\"")
        );
        let got = snippet(data, s1, 0, line_end, "P", &masks);
        assert!(!got.contains("longer") && !got.contains("next"), "{got}");
    }

    #[test]
    fn overlapping_ranges_merge_and_context_is_bounded() {
        let m = Masks::new([0..4, 2..6, 6..8, 10..10, 12..14]);
        assert_eq!(m.ranges, vec![0..8, 12..14]);
        let long = vec![b'x'; 1000];
        let s = snippet(
            &long,
            500..510,
            0,
            1000,
            "*",
            &Masks::new(std::iter::once(500..510)),
        );
        assert_eq!(s.len(), 2 * CONTEXT + 1);
    }
}
