//! Comparing one tree with its parents' trees: keyaudit parses tree objects itself (in place,
//! without allocating per entry) because pass 1 reads every changed tree of the history.
//!
//! Trees come from an untrusted object database, so the walk is bounded: a chain of nested trees
//! deeper than [`MAX_DEPTH`] is cut (the recursion would otherwise exhaust the stack), and one
//! commit's walk visits at most [`MAX_ENTRIES`] entries (a few dozen trees that each name the next
//! twice describe 2^n paths). What is cut is reported, never silently dropped.

use gix::ObjectId;
use gix::objs::tree::name_order;
use std::cmp::Ordering;
use std::sync::Arc;

/// Deepest directory nesting walked. Git itself refuses trees deeper than 4096 by default; real
/// repositories stay far below (paths are at most 4096 bytes), and this keeps the recursion well
/// within a thread's stack.
pub(super) const MAX_DEPTH: usize = 1024;
/// Tree entries one commit's walk visits at most. Large real trees hold a few hundred thousand
/// files (chromium about 450,000); every path found costs memory until the scan ends.
pub(super) const MAX_ENTRIES: u64 = 1_000_000;

/// A blob (or gitlink) a commit introduced at a path.
pub(super) struct Found {
    pub commit: u32,
    pub path: Vec<u8>,
    pub id: ObjectId,
    pub gitlink: bool,
}

/// Why a walk stopped short at a tree.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Cut {
    /// The tree's entries stop parsing part-way.
    Corrupt,
    /// Nested deeper than [`MAX_DEPTH`].
    TooDeep,
    /// The commit's walk reached [`MAX_ENTRIES`].
    TooManyEntries,
}

/// Where a walk gets trees and reports trouble.
pub(super) trait TreeStore {
    /// A tree's bytes, or `None` after reporting why not.
    fn read_tree(&mut self, id: &gix::oid, prefix: &[u8]) -> Option<Arc<Vec<u8>>>;
    /// Report that the walk stopped short at tree `id` (at `prefix`).
    fn cut(&mut self, id: &gix::oid, prefix: &[u8], why: Cut);
}

/// One walk: a commit's root tree against its parents', or a ref's tree on its own.
pub(super) struct TreeDiff<'s, S: TreeStore> {
    pub store: &'s mut S,
    pub commit: u32,
    /// Nesting at which the walk stops.
    max_depth: usize,
    /// Entries this walk may still visit.
    budget: u64,
    /// The budget ran out and that was reported: the rest of the walk returns at once.
    exhausted: bool,
}

impl<S: TreeStore> TreeDiff<'_, S> {
    /// A walk for `commit` within [`MAX_DEPTH`] and [`MAX_ENTRIES`].
    pub fn new(store: &mut S, commit: u32) -> TreeDiff<'_, S> {
        TreeDiff::with_limits(store, commit, MAX_DEPTH, MAX_ENTRIES)
    }

    /// A walk with other bounds (the fuzz target's are smaller, to keep each run quick).
    pub fn with_limits(
        store: &mut S,
        commit: u32,
        max_depth: usize,
        max_entries: u64,
    ) -> TreeDiff<'_, S> {
        TreeDiff {
            store,
            commit,
            max_depth,
            budget: max_entries,
            exhausted: false,
        }
    }

    /// Record what tree `id` (at `prefix`) has that none of the `parents` trees has at the same
    /// path, recursing only into subtrees that differ from every parent's.
    pub fn tree(
        &mut self,
        id: &gix::oid,
        parents: &[ObjectId],
        prefix: &mut Vec<u8>,
        depth: usize,
        out: &mut Vec<Found>,
    ) {
        if parents.iter().any(|p| p.as_ref() == id) || self.exhausted {
            return;
        }
        if depth >= self.max_depth {
            return self.store.cut(id, prefix, Cut::TooDeep);
        }
        let Some(child) = self.store.read_tree(id, prefix) else {
            return;
        };
        let parent_bufs: Vec<Arc<Vec<u8>>> = parents
            .iter()
            .filter_map(|p| self.store.read_tree(p, prefix))
            .collect();
        let hash_len = id.kind().len_in_bytes();
        // Entries before the first byte where the child differs from the first parent are
        // byte-identical there (same mode, name and id): unchanged, and not even parsed. Most
        // commits change one entry of a large directory, so this skips most of every tree.
        let skip = parent_bufs
            .first()
            .map_or(0, |p| identical_entries_prefix(&child, p, hash_len));
        let mut cursors: Vec<Cursor<'_>> = parent_bufs
            .iter()
            .enumerate()
            .map(|(i, b)| Cursor::new(b, if i == 0 { skip } else { 0 }, hash_len))
            .collect();
        let mut pos = skip;
        let mut sub_parents = Vec::new();
        while pos < child.len() {
            if !self.spend(id, prefix) {
                return;
            }
            let Some(entry) = RawEntry::parse(&child, pos, hash_len) else {
                self.store.cut(id, prefix, Cut::Corrupt);
                break;
            };
            pos = entry.end;
            if unchanged(&mut cursors, &entry, &mut sub_parents) {
                continue;
            }
            let len = prefix.len();
            prefix.extend_from_slice(entry.name);
            if entry.is_tree() {
                prefix.push(b'/');
                let subs = std::mem::take(&mut sub_parents);
                self.tree(entry.oid, &subs, prefix, depth + 1, out);
                sub_parents = subs;
            } else {
                out.push(Found {
                    commit: self.commit,
                    path: prefix.clone(),
                    id: entry.oid.to_owned(),
                    gitlink: entry.is_gitlink(),
                });
            }
            prefix.truncate(len);
            // After a change the rest of the directory is usually identical to the first parent's.
            if let Some(first) = cursors.first_mut() {
                if first.rest_equals(&child[pos..], &entry) {
                    break;
                }
            }
        }
    }
}

impl<S: TreeStore> TreeDiff<'_, S> {
    /// Take one entry from the budget; `false` (after reporting it once) when none is left.
    fn spend(&mut self, id: &gix::oid, prefix: &[u8]) -> bool {
        if self.exhausted {
            return false;
        }
        if self.budget == 0 {
            self.exhausted = true;
            self.store.cut(id, prefix, Cut::TooManyEntries);
            return false;
        }
        self.budget -= 1;
        true
    }
}

/// Whether some parent has `entry` as it is. If not, `sub_parents` gets the parents' trees of
/// the same name (for a tree entry).
fn unchanged(
    cursors: &mut [Cursor<'_>],
    entry: &RawEntry<'_>,
    sub_parents: &mut Vec<ObjectId>,
) -> bool {
    sub_parents.clear();
    for cursor in cursors.iter_mut() {
        match cursor.seek(entry) {
            Some(p) if p.oid == entry.oid => return true,
            Some(p) if entry.is_tree() => sub_parents.push(p.oid.to_owned()),
            _ => {}
        }
    }
    false
}

/// A tree entry parsed in place: `<octal mode> <name>\0<id>`.
#[derive(Clone, Copy)]
struct RawEntry<'a> {
    mode: u32,
    name: &'a [u8],
    oid: &'a gix::oid,
    /// Offset just past this entry.
    end: usize,
}

impl<'a> RawEntry<'a> {
    fn parse(buf: &'a [u8], pos: usize, hash_len: usize) -> Option<Self> {
        let rest = buf.get(pos..)?;
        let space = memchr::memchr(b' ', rest.get(..8.min(rest.len()))?)?;
        let mut mode = 0u32;
        for &d in &rest[..space] {
            if !d.is_ascii_digit() || d > b'7' {
                return None;
            }
            mode = (mode << 3) | u32::from(d - b'0');
        }
        let nul = space + 1 + memchr::memchr(0, &rest[space + 1..])?;
        let end = nul + 1 + hash_len;
        let oid = gix::oid::try_from_bytes(rest.get(nul + 1..end)?).ok()?;
        Some(RawEntry {
            mode,
            name: &rest[space + 1..nul],
            oid,
            end: pos + end,
        })
    }

    fn is_tree(&self) -> bool {
        self.mode & 0o170000 == 0o040000
    }

    fn is_gitlink(&self) -> bool {
        self.mode & 0o170000 == 0o160000
    }
}

/// A position in a parent tree, advanced in step with the child's entries (both are sorted in
/// git's tree order).
struct Cursor<'a> {
    buf: &'a [u8],
    pos: usize,
    hash_len: usize,
    current: Option<RawEntry<'a>>,
}

impl<'a> Cursor<'a> {
    fn new(buf: &'a [u8], pos: usize, hash_len: usize) -> Self {
        let current = RawEntry::parse(buf, pos, hash_len);
        Cursor {
            buf,
            pos,
            hash_len,
            current,
        }
    }

    /// The parent's entry with the same name and tree-ness as `child`, if any. Entries before it
    /// are passed for good.
    fn seek(&mut self, child: &RawEntry<'_>) -> Option<RawEntry<'a>> {
        while let Some(p) = self.current {
            match name_order(p.name, p.is_tree(), child.name, child.is_tree()) {
                Ordering::Less => self.advance(),
                Ordering::Equal => return Some(p),
                Ordering::Greater => return None,
            }
        }
        None
    }

    fn advance(&mut self) {
        if let Some(p) = self.current {
            self.pos = p.end;
            self.current = RawEntry::parse(self.buf, self.pos, self.hash_len);
        }
    }

    /// Whether everything in the child after `child` is byte-identical to what this parent has
    /// after the same point.
    fn rest_equals(&mut self, child_rest: &[u8], child: &RawEntry<'_>) -> bool {
        let from = match self.current {
            Some(p)
                if name_order(p.name, p.is_tree(), child.name, child.is_tree())
                    == Ordering::Equal =>
            {
                p.end
            }
            Some(_) => self.pos,
            None => self.buf.len(),
        };
        self.buf.get(from..) == Some(child_rest)
    }
}

/// Length of the run of leading entries that `a` and `b` share byte for byte.
fn identical_entries_prefix(a: &[u8], b: &[u8], hash_len: usize) -> usize {
    let common = common_prefix_len(a, b);
    let mut pos = 0;
    while let Some(e) = RawEntry::parse(a, pos, hash_len) {
        if e.end > common {
            break;
        }
        pos = e.end;
    }
    pos
}

fn common_prefix_len(a: &[u8], b: &[u8]) -> usize {
    const BLOCK: usize = 64;
    let n = a.len().min(b.len());
    let mut i = 0;
    // Whole blocks first: slice equality compiles to a vectorised memcmp.
    while i + BLOCK <= n && a[i..i + BLOCK] == b[i..i + BLOCK] {
        i += BLOCK;
    }
    while i < n && a[i] == b[i] {
        i += 1;
    }
    i
}
