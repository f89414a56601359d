//! Pass 1: which blobs each in-scope commit introduced, and at which paths.
//!
//! Each commit's tree is compared with its parents' trees, entry by entry in git's tree order. A
//! subtree whose id equals the same-named subtree of any parent is skipped unread: nothing below
//! it can be new. This is what makes a history of 200,000 commits cost seconds, since a commit
//! typically touches a handful of directories out of thousands.

use super::graph::{Graph, NO_COMMIT};
use super::pack::{Lookup, Objects, Packs};
use super::pool;
use super::refs::OtherTip;
use super::tree::{Cut, Found, MAX_DEPTH, MAX_ENTRIES, TreeDiff, TreeStore};
use super::{GitError, GitOptions, GitSubmodule, problem, shown_path};
use crate::source::{BlobSink, ProblemKind, Step};
use gix::ObjectId;
use gix::hashtable::HashMap;
use gix::objs::Kind;
use std::collections::BTreeMap;
use std::collections::HashSet;
use std::sync::Arc;
use std::sync::Mutex;

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
    let pass = Pass {
        repo,
        packs,
        graph,
        opts,
        sink,
        reported: Mutex::new(HashSet::new()),
    };
    let mut aggregate = pass.diff_commits(in_scope, threads)?;
    pass.add_other_tips(others, &mut aggregate);
    Ok(aggregate.freeze(graph))
}

/// What pass 1 reads from and reports to, shared by its workers.
struct Pass<'a> {
    repo: &'a gix::ThreadSafeRepository,
    packs: &'a Packs,
    graph: &'a Graph,
    opts: &'a GitOptions,
    sink: &'a dyn BlobSink,
    /// Damaged trees already reported, across workers.
    reported: Mutex<HashSet<ObjectId>>,
}

impl Pass<'_> {
    /// Object access of one worker, with caches of its own.
    fn differ(&self) -> Differ<'_> {
        Differ::new(
            self.packs,
            self.repo.to_thread_local(),
            self.sink,
            &self.reported,
        )
    }

    /// What every in-scope commit introduced, diffed on `threads` workers.
    fn diff_commits(&self, in_scope: &[u32], threads: usize) -> Result<Aggregate, GitError> {
        let aggregate = Mutex::new(Aggregate::default());
        // Newest first. Packs store the newest version of a tree whole and older ones as deltas
        // against newer ones, and each worker's reader caches what it decoded: walking from new
        // to old makes each tree one delta away from a cached one, where old-to-new re-resolves
        // whole delta chains for every tree.
        let newest_first: Vec<u32> = in_scope.iter().rev().copied().collect();
        let chunks: Vec<&[u32]> = newest_first.chunks(CHUNK).collect();
        self.sink
            .step(Step::DiffingTrees, Some(in_scope.len() as u64));
        let worker = || (self.differ(), Vec::new());
        let diff = |(differ, found): &mut (Differ<'_>, Vec<Found>), chunk: &[u32]| {
            for &c in chunk {
                differ.commit(self.graph, c, found);
            }
            self.sink.advance(chunk.len() as u64);
            let mut agg = aggregate.lock().unwrap_or_else(|e| e.into_inner());
            for f in found.drain(..) {
                agg.add(f, self.graph, self.opts.all_occurrences);
            }
        };
        pool::for_each_chunk(threads.max(1), "keyaudit-git-diff", &chunks, worker, diff)
            .map_err(|e| GitError::Threads(e.to_string()))?;
        Ok(aggregate.into_inner().unwrap_or_else(|e| e.into_inner()))
    }

    /// Add the whole content of each ref to a tree or a blob, with no introducing commit.
    fn add_other_tips(&self, others: &[OtherTip], aggregate: &mut Aggregate) {
        let mut differ = self.differ();
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
                    TreeDiff::new(&mut differ, NO_COMMIT).tree(
                        &tip.id,
                        &[],
                        &mut prefix,
                        0,
                        &mut found,
                    );
                }
            }
            for f in found {
                aggregate.add(f, self.graph, self.opts.all_occurrences);
            }
        }
    }
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
        TreeDiff::new(self, c).tree(&node.tree, &parents, &mut prefix, 0, out);
    }

    fn first_report(&self, id: &gix::oid) -> bool {
        self.reported
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(id.to_owned())
    }
}

impl TreeStore for Differ<'_> {
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

    fn cut(&mut self, id: &gix::oid, prefix: &[u8], why: Cut) {
        if !self.first_report(id) {
            return;
        }
        let message = match why {
            Cut::Corrupt => {
                format!("tree {id} is corrupt; entries after the damage were not scanned")
            }
            Cut::TooDeep => format!(
                "tree {id} is nested more than {MAX_DEPTH} directories deep; nothing below it was scanned"
            ),
            Cut::TooManyEntries => format!(
                "the commit's trees list more than {MAX_ENTRIES} entries (trees that name the same subtree many times?); tree {id} and the rest were not scanned"
            ),
        };
        problem(
            self.sink,
            ProblemKind::Unreadable,
            shown_path(prefix),
            message,
        );
    }
}
