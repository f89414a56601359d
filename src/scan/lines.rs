//! Line and column positions, and line bounds, of many offsets in one blob, in one pass.
//!
//! Why a sweep: a file may hold millions of matches, all on one line. Searching line ends or
//! counting columns from the line start per match is quadratic there; sorting the offsets that
//! are needed and walking the blob once between consecutive offsets is linear in the blob plus
//! `k log k` in the offsets, whatever the shape of the lines.

use crate::model::Position;

/// Where one offset sits: its position and the bounds of its line (`line_end` is the offset of
/// the line's `\n`, or the blob's length).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct At {
    pub pos: Position,
    pub line_start: usize,
    pub line_end: usize,
}

/// The positions of a set of offsets, computed together (see module docs).
pub struct Positions {
    offsets: Vec<usize>,
    at: Vec<At>,
}

impl Positions {
    /// Compute every offset in `offsets` (any order, repeats allowed; clamped to the blob).
    pub fn new(data: &[u8], mut offsets: Vec<usize>) -> Positions {
        for o in &mut offsets {
            *o = (*o).min(data.len());
        }
        offsets.sort_unstable();
        offsets.dedup();
        let mut at = Vec::with_capacity(offsets.len());
        let (mut line, mut line_start, mut column, mut cur) = (1u32, 0usize, 1u32, 0usize);
        // Entries whose line end is not known yet: those from `pending` on.
        let mut pending = 0;
        for &o in &offsets {
            let gap = &data[cur..o];
            match (memchr::memchr(b'\n', gap), memchr::memrchr(b'\n', gap)) {
                (Some(first), Some(last)) => {
                    for a in &mut at[pending..] {
                        let a: &mut At = a;
                        a.line_end = cur + first;
                    }
                    pending = at.len();
                    let newlines = memchr::memchr_iter(b'\n', gap).count();
                    line = line.saturating_add(u32::try_from(newlines).unwrap_or(u32::MAX));
                    line_start = cur + last + 1;
                    column = chars(&data[line_start..o]).saturating_add(1);
                }
                _ => column = column.saturating_add(chars(gap)),
            }
            cur = o;
            at.push(At {
                pos: Position { line, column },
                line_start,
                line_end: data.len(),
            });
        }
        let end = memchr::memchr(b'\n', &data[cur..]).map_or(data.len(), |p| cur + p);
        for a in &mut at[pending..] {
            a.line_end = end;
        }
        Positions { offsets, at }
    }

    /// Where `offset` sits. An offset that was not asked for gets the nearest one asked for
    /// before it (never a panic; callers ask only for offsets they gave).
    pub fn at(&self, offset: usize) -> At {
        let i = self.offsets.partition_point(|&o| o <= offset);
        match i.checked_sub(1).and_then(|i| self.at.get(i)) {
            Some(a) => *a,
            None => At {
                pos: Position { line: 1, column: 1 },
                line_start: 0,
                line_end: 0,
            },
        }
    }
}

/// Code points in `bytes`, as a lossy UTF-8 decoding shows them (SARIF `unicodeCodePoints`).
fn chars(bytes: &[u8]) -> u32 {
    let n = match std::str::from_utf8(bytes) {
        Ok(s) => s.chars().count(),
        Err(_) => String::from_utf8_lossy(bytes).chars().count(),
    };
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// The lines that carry an inline `keyaudit:allow` marker, found once per blob so that judging
/// each match is a binary search instead of a search of its lines.
pub struct MarkedLines {
    /// Sorted, disjoint `(line start, line end)` of lines holding a marker.
    lines: Vec<(usize, usize)>,
}

impl MarkedLines {
    pub fn new(data: &[u8], marker: &[u8]) -> MarkedLines {
        let mut lines: Vec<(usize, usize)> = Vec::new();
        for m in memchr::memmem::find_iter(data, marker) {
            let floor = match lines.last() {
                Some(&(_, end)) if m < end => continue, // a second marker on the same line
                Some(&(_, end)) => end,
                None => 0,
            };
            // Searches stay between the previous marked line and the next: linear overall.
            let start = memchr::memrchr(b'\n', &data[floor..m]).map_or(floor, |p| floor + p + 1);
            let end = memchr::memchr(b'\n', &data[m..]).map_or(data.len(), |p| m + p);
            lines.push((start, end));
        }
        MarkedLines { lines }
    }

    /// Whether a marked line lies within the lines that `span` touches.
    pub fn covers(&self, span: &std::ops::Range<usize>) -> bool {
        // The first marked line ending at or after the span's start, if it starts by its end.
        let i = self.lines.partition_point(|&(_, end)| end < span.start);
        self.lines
            .get(i)
            .is_some_and(|&(start, _)| start <= span.end)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The obvious per-offset computation, to check the sweep against.
    fn naive(data: &[u8], o: usize) -> At {
        let line_start = memchr::memrchr(b'\n', &data[..o]).map_or(0, |p| p + 1);
        let line_end = memchr::memchr(b'\n', &data[o..]).map_or(data.len(), |p| o + p);
        let line = 1 + memchr::memchr_iter(b'\n', &data[..o]).count() as u32;
        let column = String::from_utf8_lossy(&data[line_start..o])
            .chars()
            .count() as u32
            + 1;
        At {
            pos: Position { line, column },
            line_start,
            line_end,
        }
    }

    #[test]
    fn sweep_agrees_with_per_offset_search() {
        let data = "héllo wörld\n\nsecond line = ünïcode\nlast line, no newline".as_bytes();
        let offsets: Vec<usize> = (0..=data.len())
            .filter(|&o| std::str::from_utf8(&data[..o]).is_ok())
            .collect();
        // Asked in reverse and with repeats: order must not matter.
        let mut asked: Vec<usize> = offsets.iter().rev().copied().collect();
        asked.extend(offsets.iter().step_by(3));
        let p = Positions::new(data, asked);
        for &o in &offsets {
            assert_eq!(p.at(o), naive(data, o), "offset {o}");
        }
    }

    #[test]
    fn sparse_offsets_get_their_own_line_ends() {
        let data = b"a\nbb\nccc\n";
        let p = Positions::new(data, vec![0, 3, 9]);
        assert_eq!(p.at(0), naive(data, 0));
        assert_eq!(p.at(3), naive(data, 3));
        assert_eq!(p.at(9), naive(data, 9));
        assert_eq!(p.at(100).pos.line, 4, "clamped to the end");
    }

    #[test]
    fn marked_lines_cover_matches_on_their_lines_only() {
        let data = b"k = 1 # keyaudit:allow keyaudit:allow\nk = 2\nx\nk = 3 keyaudit:allow";
        let m = MarkedLines::new(data, b"keyaudit:allow");
        assert!(m.covers(&(4..5)));
        assert!(!m.covers(&(42..43)), "line 2 has no marker");
        assert!(m.covers(&(42..48)), "a span reaching line 4 does");
        assert!(m.covers(&(data.len() - 1..data.len())));
        assert!(!MarkedLines::new(b"k = 1\n", b"keyaudit:allow").covers(&(0..5)));
    }
}
