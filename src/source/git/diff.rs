//! Pass 1: which blobs each in-scope commit introduced, and at which paths.
//!
//! Each commit's tree is compared with its parents' trees, entry by entry in git's tree order. A
//! subtree whose id equals the same-named subtree of any parent is skipped unread: nothing below
//! it can be new. This is what makes a history of 200,000 commits cost seconds, since a commit
//! typically touches a handful of directories out of thousands.

use super::graph::{Graph, NO_COMMIT};
use super::pack::{Lookup, Objects, Packs};
use super::refs::OtherTip;
use super::{GitError, GitOptions, GitSubmodule, problem, shown_path};
use crate::source::{BlobSink, ProblemKind, Step};
use gix::ObjectId;
use gix::hashtable::HashMap;
use gix::objs::Kind;
use gix::objs::tree::name_order;
use std::cmp::Ordering;
use std::collections::BTreeMap;
use std::collections::HashSet;
use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering as AtomicOrdering};

/// Commits handed to a worker at a time. Consecutive commits share most trees, so a worker that
/// diffs a run of them finds the parent's trees in its object cache.
const CHUNK: usize = 128;

/// Per-worker cache of decoded trees and delta bases. Walking newest-first, a tree is usually
/// one delta away from one just read; this keeps those, plus the few hot full trees.
const TREE_CACHE_BYTES: usize = 32 << 20;
/// Trees and commits larger than this are treated as damage, not read.
const MAX_TREE_BYTES: u64 = 1 << 30;

/// Every distinct blob in scope with its introductions, frozen for pass 2.
pub(super) struct Catalog {
    pub ids: Vec<ObjectId>,
    pub index: HashMap<ObjectId, u32>,
    pub paths: Vec<Box<[u8]>>,
    /// `intros[intro_start[b]..intro_start[b + 1]]`: `(path, commit)` for blob `b`, one per path,
    /// earliest first.
    intro_start: Vec<u32>,
    intros: Vec<(u32, u32)>,
    /// Same layout, every introduction (only with `all_occurrences`).
    occ_start: Vec<u32>,
    occurrences: Vec<(u32, u32)>,
    submodules: BTreeMap<Box<[u8]>, std::collections::HashSet<ObjectId>>,
}

impl Catalog {
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    pub fn intros(&self, b: u32) -> &[(u32, u32)] {
        &self.intros
            [self.intro_start[b as usize] as usize..self.intro_start[b as usize + 1] as usize]
    }

    pub fn occurrences(&self, b: u32) -> Option<&[(u32, u32)]> {
        (!self.occ_start.is_empty()).then(|| {
            &self.occurrences
                [self.occ_start[b as usize] as usize..self.occ_start[b as usize + 1] as usize]
        })
    }

    pub fn submodules(&self) -> Vec<GitSubmodule> {
        self.submodules
            .iter()
            .map(|(path, ids)| GitSubmodule {
                path: shown_path(path),
                gitlinks: ids.len() as u64,
            })
            .collect()
    }
}

/// What a worker found in one commit.
struct Found {
    commit: u32,
    path: Vec<u8>,
    id: ObjectId,
    gitlink: bool,
}

/// Mutable state shared by the workers, merged into chunk by chunk.
#[derive(Default)]
struct Aggregate {
    path_ids: std::collections::HashMap<Box<[u8]>, u32>,
    paths: Vec<Box<[u8]>>,
    blob_index: HashMap<ObjectId, u32>,
    ids: Vec<ObjectId>,
    /// `(blob, path)` → earliest commit.
    first: std::collections::HashMap<(u32, u32), u32>,
    /// Every `(blob, path, commit)` (only with `all_occurrences`).
    all: Vec<(u32, u32, u32)>,
    submodules: BTreeMap<Box<[u8]>, std::collections::HashSet<ObjectId>>,
}

impl Aggregate {
    fn path_id(&mut self, path: Vec<u8>) -> u32 {
        if let Some(&p) = self.path_ids.get(path.as_slice()) {
            return p;
        }
        let p = self.paths.len() as u32;
        let path: Box<[u8]> = path.into();
        self.paths.push(path.clone());
        self.path_ids.insert(path, p);
        p
    }

    fn add(&mut self, found: Found, graph: &Graph, all_occurrences: bool) {
        if found.gitlink {
            self.submodules
                .entry(found.path.into())
                .or_default()
                .insert(found.id);
            return;
        }
        let b = match self.blob_index.get(&found.id) {
            Some(&b) => b,
            None => {
                let b = self.ids.len() as u32;
                self.ids.push(found.id);
                self.blob_index.insert(found.id, b);
                b
            }
        };
        let p = self.path_id(found.path);
        let c = found.commit;
        self.first
            .entry((b, p))
            .and_modify(|e| {
                if graph.earlier(c, *e) {
                    *e = c;
                }
            })
            .or_insert(c);
        if all_occurrences {
            self.all.push((b, p, c));
        }
    }

    fn freeze(self, graph: &Graph) -> Catalog {
        let n = self.ids.len();
        let mut firsts: Vec<(u32, u32, u32)> = self
            .first
            .into_iter()
            .map(|((b, p), c)| (b, p, c))
            .collect();
        let by_blob_then_time = |a: &(u32, u32, u32), b: &(u32, u32, u32)| {
            a.0.cmp(&b.0)
                .then_with(|| graph.intro_key(a.2).cmp(&graph.intro_key(b.2)))
                .then_with(|| self.paths[a.1 as usize].cmp(&self.paths[b.1 as usize]))
        };
        firsts.sort_unstable_by(by_blob_then_time);
        let (intro_start, intros) = group(n, &firsts);
        let (occ_start, occurrences) = if self.all.is_empty() {
            (Vec::new(), Vec::new())
        } else {
            let mut all = self.all;
            all.sort_unstable_by(by_blob_then_time);
            all.dedup();
            group(n, &all)
        };
        Catalog {
            ids: self.ids,
            index: self.blob_index,
            paths: self.paths,
            intro_start,
            intros,
            occ_start,
            occurrences,
            submodules: self.submodules,
        }
    }
}

/// CSR layout of `(blob, path, commit)` sorted by blob.
fn group(n: usize, sorted: &[(u32, u32, u32)]) -> (Vec<u32>, Vec<(u32, u32)>) {
    let mut start = vec![0u32; n + 1];
    for &(b, _, _) in sorted {
        start[b as usize + 1] += 1;
    }
    for i in 0..n {
        start[i + 1] += start[i];
    }
    (start, sorted.iter().map(|&(_, p, c)| (p, c)).collect())
}

/// Diff every in-scope commit against its parents on `threads` workers and collect what each
/// introduced. Refs to bare trees and blobs contribute their whole content, commit-less.
#[allow(clippy::too_many_arguments)]
pub(super) fn introductions(
    repo: &gix::ThreadSafeRepository,
    packs: &Packs,
    graph: &Graph,
    in_scope: &[u32],
    others: &[OtherTip],
    opts: &GitOptions,
    threads: usize,
    sink: &dyn BlobSink,
) -> Result<Catalog, GitError> {
    let aggregate = Mutex::new(Aggregate::default());
    let next = AtomicUsize::new(0);
    // Newest first. Packs store the newest version of a tree whole and older ones as deltas
    // against newer ones, and gix's delta cache keeps the last object it resolved: walking from
    // new to old makes each tree one delta away from a cached one, where old-to-new re-resolves
    // whole delta chains for every tree.
    let newest_first: Vec<u32> = in_scope.iter().rev().copied().collect();
    let chunks: Vec<&[u32]> = newest_first.chunks(CHUNK).collect();
    sink.step(Step::DiffingTrees, Some(in_scope.len() as u64));
    let reported = Mutex::new(HashSet::new());
    let work = |differ: &mut Differ<'_>| {
        let mut found = Vec::new();
        loop {
            let i = next.fetch_add(1, AtomicOrdering::Relaxed);
            let Some(chunk) = chunks.get(i) else { break };
            for &c in *chunk {
                differ.commit(graph, c, &mut found);
            }
            sink.advance(chunk.len() as u64);
            let mut agg = aggregate.lock().unwrap_or_else(|e| e.into_inner());
            for f in found.drain(..) {
                agg.add(f, graph, opts.all_occurrences);
            }
        }
    };
    std::thread::scope(|s| -> Result<(), GitError> {
        let mut handles = Vec::new();
        for _ in 0..threads.max(1) {
            let (work, reported) = (&work, &reported);
            let handle = std::thread::Builder::new()
                .name("keyaudit-git-diff".into())
                .spawn_scoped(s, move || {
                    let mut differ = Differ::new(packs, repo.to_thread_local(), sink, reported);
                    work(&mut differ);
                })
                .map_err(|e| GitError::Threads(e.to_string()))?;
            handles.push(handle);
        }
        for h in handles {
            if let Err(panic) = h.join() {
                std::panic::resume_unwind(panic);
            }
        }
        Ok(())
    })?;

    let mut aggregate = aggregate.into_inner().unwrap_or_else(|e| e.into_inner());
    let mut differ = Differ::new(packs, repo.to_thread_local(), sink, &reported);
    for tip in others {
        let mut found = Vec::new();
        match tip.kind {
            Kind::Blob => found.push(Found {
                commit: NO_COMMIT,
                path: tip.name.as_bytes().to_vec(),
                id: tip.id,
                gitlink: false,
            }),
            _ => {
                let mut prefix = format!("{}:", tip.name).into_bytes();
                differ.tree(NO_COMMIT, &tip.id, &[], &mut prefix, &mut found);
            }
        }
        for f in found {
            aggregate.add(f, graph, opts.all_occurrences);
        }
    }
    Ok(aggregate.freeze(graph))
}

/// One worker's object access (its own caches) and where to report trouble.
struct Differ<'a> {
    objects: Objects<'a>,
    sink: &'a dyn BlobSink,
    /// Damaged trees already reported: one is typically shared by many commits.
    reported: &'a Mutex<HashSet<ObjectId>>,
}

impl<'a> Differ<'a> {
    fn new(
        packs: &'a Packs,
        repo: gix::Repository,
        sink: &'a dyn BlobSink,
        reported: &'a Mutex<HashSet<ObjectId>>,
    ) -> Self {
        Differ {
            objects: Objects::new(packs, repo, TREE_CACHE_BYTES, MAX_TREE_BYTES),
            sink,
            reported,
        }
    }

    fn commit(&mut self, graph: &Graph, c: u32, out: &mut Vec<Found>) {
        let node = &graph.nodes[c as usize];
        let parents: Vec<ObjectId> = graph
            .parents(c)
            .map(|p| graph.nodes[p as usize].tree)
            .collect();
        let mut prefix = Vec::new();
        self.tree(c, &node.tree, &parents, &mut prefix, out);
    }

    /// Record what tree `id` (at `prefix`) has that none of the `parents` trees has at the same
    /// path, recursing only into subtrees that differ from every parent's.
    fn tree(
        &mut self,
        commit: u32,
        id: &gix::oid,
        parents: &[ObjectId],
        prefix: &mut Vec<u8>,
        out: &mut Vec<Found>,
    ) {
        if parents.iter().any(|p| p.as_ref() == id) {
            return;
        }
        let Some(child) = self.read_tree(id, prefix) else {
            return;
        };
        let parent_bufs: Vec<Arc<Vec<u8>>> = parents
            .iter()
            .filter_map(|p| self.read_tree(p, prefix))
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
            let Some(entry) = RawEntry::parse(&child, pos, hash_len) else {
                self.corrupt_tree(id, prefix);
                break;
            };
            pos = entry.end;
            sub_parents.clear();
            let mut unchanged = false;
            for cursor in cursors.iter_mut() {
                match cursor.seek(&entry) {
                    Some(p) if p.oid == entry.oid => {
                        unchanged = true;
                        break;
                    }
                    Some(p) if entry.is_tree() => sub_parents.push(p.oid.to_owned()),
                    _ => {}
                }
            }
            if unchanged {
                continue;
            }
            let len = prefix.len();
            prefix.extend_from_slice(entry.name);
            let oid = entry.oid.to_owned();
            if entry.is_tree() {
                prefix.push(b'/');
                let subs = std::mem::take(&mut sub_parents);
                self.tree(commit, entry.oid, &subs, prefix, out);
                sub_parents = subs;
            } else {
                out.push(Found {
                    commit,
                    path: prefix.clone(),
                    id: oid,
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

    /// A tree's bytes, or `None` after reporting why not (once per tree).
    fn read_tree(&mut self, id: &gix::oid, prefix: &[u8]) -> Option<Arc<Vec<u8>>> {
        let (kind, message) = match self.objects.find(id) {
            Ok((Kind::Tree, data)) => return Some(data),
            Ok((kind, _)) => (ProblemKind::Unreadable, format!("tree {id} is a {kind}")),
            Err(Lookup::Missing) => (
                ProblemKind::MissingObject,
                format!(
                    "tree {id} is missing from the object database; nothing below it was scanned"
                ),
            ),
            Err(Lookup::Failed(e)) => (ProblemKind::Unreadable, format!("tree {id}: {e}")),
        };
        if self.first_report(id) {
            let at = if prefix.is_empty() {
                "/".to_string()
            } else {
                shown_path(prefix)
            };
            problem(self.sink, kind, at, message);
        }
        None
    }

    fn first_report(&self, id: &gix::oid) -> bool {
        self.reported
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(id.to_owned())
    }

    fn corrupt_tree(&self, id: &gix::oid, prefix: &[u8]) {
        if !self.first_report(id) {
            return;
        }
        problem(
            self.sink,
            ProblemKind::Unreadable,
            shown_path(prefix),
            format!("tree {id} is corrupt; entries after the damage were not scanned"),
        );
    }
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
