//! Pass 2: read each wanted blob once and hand it to the sink with its provenance.
//!
//! For a scan of many blobs, each pack is streamed in delta-tree order ([`pack::walk_blobs`]):
//! only the delta chains that lead to a wanted blob are inflated, each once, depth-first on all
//! cores, and the sink runs on the walking threads so that decoding and detection overlap.
//! Whatever the walk did not produce (loose objects, damaged entries, or all of a small
//! `since` scan) is then read object by object, which is also where missing, corrupt and
//! too-large blobs get reported.

use super::diff::Catalog;
use super::graph::{Graph, NO_COMMIT};
use super::pack::{self, Lookup, Objects, Packs};
use super::pool;
use super::tree::MAX_ENTRIES;
use super::{
    GitCommit, GitError, GitIntroduction, GitOptions, GitOrigin, problem, rfc3339_utc, shown_path,
};
use crate::source::{Blob, BlobSink, Origin, ProblemKind, Step};
use gix::ObjectId;
use gix::objs::Kind;
use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicU8, AtomicU64, Ordering};

/// Stream whole packs when at least this many blobs are wanted (and at least one packed
/// object in 64); below that, reading them one by one is cheaper than a pass over every
/// entry header.
const WALK_MIN_BLOBS: u64 = 2_000;
const WALK_MIN_FRACTION: u64 = 64;
/// Bytes of one delta chain's decoded levels a pack-walk thread keeps: git's chains reach depth
/// 50, which for a 30 MB file is 1.5 GB held at once; past this the rest is read one by one.
const WALK_HELD_BYTES: u64 = 512 << 20;
/// Per-worker cache of delta bases for one-by-one reads.
const READ_CACHE_BYTES: usize = 32 << 20;
/// One-by-one reads handed to a worker at a time (in pack order, for cache locality).
const CHUNK: usize = 64;

const PENDING: u8 = 0;
/// Looked at but not scanned (too large, missing, corrupt).
const SKIPPED: u8 = 1;
const SCANNED: u8 = 2;

/// What HEAD holds, to tell blobs still in the current tree from history-only ones.
pub(super) struct HeadInfo {
    pub commit: Option<ObjectId>,
    /// Blob id → its paths in HEAD's tree. A set: every introduction of a blob is looked up in
    /// it, and one blob can sit at a million paths of a hostile tree.
    blobs: HashMap<ObjectId, HashSet<Box<[u8]>>>,
}

impl HeadInfo {
    pub fn read(objects: &mut Objects<'_>) -> HeadInfo {
        let mut head = HeadInfo {
            commit: None,
            blobs: HashMap::new(),
        };
        let tree = match objects.repo().head_commit() {
            Ok(commit) => {
                head.commit = Some(commit.id);
                commit.tree_id().map(|t| t.detach())
            }
            Err(_) => return head, // unborn or broken HEAD: nothing is "at HEAD"
        };
        let Ok(tree) = tree else {
            return head;
        };
        let mut stack = vec![(tree, Vec::new())];
        // Bounded like the history walk: trees that name one subtree many times over describe
        // exponentially many paths. Past the bound, blobs are simply not marked as at HEAD (the
        // history pass reports the commit's tree as cut).
        let mut budget = MAX_ENTRIES;
        while let Some((id, prefix)) = stack.pop() {
            // A tree that cannot be read was reported by the history pass, which reads it too.
            let Ok((Kind::Tree, data)) = objects.find(&id) else {
                continue;
            };
            for entry in gix::objs::TreeRefIter::from_bytes(&data, id.kind()).flatten() {
                if budget == 0 {
                    return head;
                }
                budget -= 1;
                let mut path = prefix.clone();
                path.extend_from_slice(entry.filename);
                if entry.mode.is_tree() {
                    path.push(b'/');
                    stack.push((entry.oid.to_owned(), path));
                } else if entry.mode.is_blob_or_symlink() {
                    head.blobs
                        .entry(entry.oid.to_owned())
                        .or_default()
                        .insert(path.into());
                }
            }
        }
        head
    }
}

/// Counters of pass 2.
pub(super) struct Delivered {
    pub scanned: u64,
    pub bytes: u64,
    pub too_large: u64,
    pub unreadable: u64,
    pub lfs_pointers: u64,
    pub scanned_ids: HashSet<ObjectId>,
}

#[allow(clippy::too_many_arguments)]
pub(super) fn deliver(
    repo: &gix::ThreadSafeRepository,
    packs: &Packs,
    graph: &Graph,
    catalog: &Catalog,
    head: &HeadInfo,
    opts: &GitOptions,
    threads: usize,
    sink: &dyn BlobSink,
) -> Result<Delivered, GitError> {
    let emitter = Emitter {
        graph,
        catalog,
        head,
        opts,
        sink,
        state: (0..catalog.len()).map(|_| AtomicU8::new(PENDING)).collect(),
        scanned: AtomicU64::new(0),
        bytes: AtomicU64::new(0),
        too_large: AtomicU64::new(0),
        unreadable: AtomicU64::new(0),
        lfs: AtomicU64::new(0),
    };
    let wanted = catalog.len() as u64;
    sink.step(Step::ScanningBlobs, Some(wanted));
    if wanted >= WALK_MIN_BLOBS && wanted.saturating_mul(WALK_MIN_FRACTION) >= packs.object_count()
    {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .thread_name(|i| format!("keyaudit-git-pack-{i}"))
            .build()
            .map_err(|e| GitError::Threads(e.to_string()))?;
        let wanted = |id: &gix::oid| catalog.index.get(id).copied();
        let emit = |b: u32, data: &[u8]| {
            if emitter.claim(b) {
                emitter.emit(b, data);
            }
        };
        for p in 0..packs.packs.len() {
            // A pack that cannot be walked leaves its blobs pending: they are read one by one.
            let limits = pack::Limits {
                leaf: opts.max_blob_size,
                any: decode_limit(opts.max_blob_size),
                held: WALK_HELD_BYTES,
            };
            let _ = pack::walk_blobs(packs, p, &wanted, &emit, limits, &pool);
        }
    }
    one_by_one(repo, packs, &emitter, threads)?;

    let scanned_ids = emitter
        .state
        .iter()
        .zip(&catalog.ids)
        .filter(|(s, _)| s.load(Ordering::Relaxed) == SCANNED)
        .map(|(_, id)| *id)
        .collect();
    Ok(Delivered {
        scanned: emitter.scanned.into_inner(),
        bytes: emitter.bytes.into_inner(),
        too_large: emitter.too_large.into_inner(),
        unreadable: emitter.unreadable.into_inner(),
        lfs_pointers: emitter.lfs.into_inner(),
        scanned_ids,
    })
}

/// The largest object decoded at all: a blob within the limit can be a delta against a bigger
/// one, which must then be materialised to get it. Sizes come from untrusted headers, hence a cap.
fn decode_limit(max_blob_size: u64) -> u64 {
    max_blob_size.max(1 << 30)
}

/// Read every still-pending blob by id, in pack order, on `threads` workers.
fn one_by_one(
    repo: &gix::ThreadSafeRepository,
    packs: &Packs,
    emitter: &Emitter<'_>,
    threads: usize,
) -> Result<(), GitError> {
    let mut pending: Vec<(usize, u64, u32)> = emitter
        .state
        .iter()
        .enumerate()
        .filter(|(_, s)| s.load(Ordering::Relaxed) == PENDING)
        .map(|(b, _)| {
            let (p, offset) = packs
                .locate(&emitter.catalog.ids[b])
                .unwrap_or((usize::MAX, 0));
            (p, offset, b as u32)
        })
        .collect();
    if pending.is_empty() {
        return Ok(());
    }
    pending.sort_unstable();
    let chunks: Vec<&[(usize, u64, u32)]> = pending.chunks(CHUNK).collect();
    let objects = || {
        Objects::new(
            packs,
            repo.to_thread_local(),
            READ_CACHE_BYTES,
            emitter.opts.max_blob_size,
        )
    };
    let read = |objects: &mut Objects<'_>, chunk: &[(usize, u64, u32)]| {
        for &(_, _, b) in chunk {
            if emitter.claim(b) {
                emitter.read_and_emit(objects, b);
            }
        }
    };
    let threads = threads.clamp(1, chunks.len());
    pool::for_each_chunk(threads, "keyaudit-git-blobs", &chunks, objects, read)
        .map_err(|e| GitError::Threads(e.to_string()))
}

struct Emitter<'a> {
    graph: &'a Graph,
    catalog: &'a Catalog,
    head: &'a HeadInfo,
    opts: &'a GitOptions,
    sink: &'a dyn BlobSink,
    state: Vec<AtomicU8>,
    scanned: AtomicU64,
    bytes: AtomicU64,
    too_large: AtomicU64,
    unreadable: AtomicU64,
    lfs: AtomicU64,
}

impl Emitter<'_> {
    /// True exactly once per blob: the same blob can sit in several packs, or be re-read after a
    /// traversal that already produced it.
    fn claim(&self, b: u32) -> bool {
        let mine = self.state[b as usize]
            .compare_exchange(PENDING, SKIPPED, Ordering::AcqRel, Ordering::Relaxed)
            .is_ok();
        if mine {
            self.sink.advance(1);
        }
        mine
    }

    fn read_and_emit(&self, objects: &mut Objects<'_>, b: u32) {
        let id = self.catalog.ids[b as usize];
        // The header alone tells a blob is too large, without inflating it.
        use gix::objs::FindHeader;
        match objects.repo().objects.try_header(&id) {
            Ok(Some(h)) if h.size > self.opts.max_blob_size => return self.too_large(b, h.size),
            Ok(Some(_)) => {}
            Ok(None) => return self.missing(b),
            Err(e) => return self.unreadable(b, &e.to_string()),
        }
        match objects.find(&id) {
            Ok((Kind::Blob, data)) => self.emit(b, &data),
            Ok((kind, _)) => self.unreadable(b, &format!("expected a blob, found a {kind}")),
            Err(Lookup::Missing) => self.missing(b),
            Err(Lookup::Failed(e)) => self.unreadable(b, &e),
        }
    }

    fn emit(&self, b: u32, data: &[u8]) {
        if data.len() as u64 > self.opts.max_blob_size {
            return self.too_large(b, data.len() as u64);
        }
        let lfs_pointer = is_lfs_pointer(data);
        if lfs_pointer {
            self.lfs.fetch_add(1, Ordering::Relaxed);
        }
        let origin = self.origin(b, lfs_pointer);
        let path = origin
            .introduced
            .first()
            .map(|i| i.path.clone())
            .unwrap_or_default();
        let origin = Origin::Git(Box::new(origin));
        self.sink.blob(Blob {
            path: &path,
            data,
            origin: &origin,
        });
        self.state[b as usize].store(SCANNED, Ordering::Release);
        self.scanned.fetch_add(1, Ordering::Relaxed);
        self.bytes.fetch_add(data.len() as u64, Ordering::Relaxed);
    }

    fn origin(&self, b: u32, lfs_pointer: bool) -> GitOrigin {
        let id = self.catalog.ids[b as usize];
        let intro = |&(p, c): &(u32, u32)| {
            let path = &self.catalog.paths[p as usize];
            GitIntroduction {
                path: shown_path(path),
                commit: self.commit(c),
                at_head: self
                    .head
                    .blobs
                    .get(&id)
                    .is_some_and(|paths| paths.contains(&**path)),
            }
        };
        GitOrigin {
            blob_id: id.to_hex().to_string(),
            introduced: self.catalog.intros(b).iter().map(intro).collect(),
            present_at_head: self.head.blobs.contains_key(&id),
            lfs_pointer,
            occurrences: self
                .catalog
                .occurrences(b)
                .map(|o| o.iter().map(intro).collect()),
        }
    }

    fn commit(&self, c: u32) -> Option<GitCommit> {
        if c == NO_COMMIT {
            return None;
        }
        let n = self.graph.nodes.get(c as usize)?;
        let (name, email) = self
            .graph
            .authors
            .get(n.author as usize)
            .cloned()
            .unwrap_or_default();
        Some(GitCommit {
            id: n.id.to_hex().to_string(),
            author_name: name,
            author_email: email,
            author_time: n.author_time,
            author_date: rfc3339_utc(n.author_time),
            commit_time: n.commit_time,
            commit_date: rfc3339_utc(n.commit_time),
        })
    }

    /// Where to point a problem: the blob's first path, and the commit that introduced it.
    fn describe(&self, b: u32) -> (String, String) {
        let id = self.catalog.ids[b as usize];
        match self.catalog.intros(b).first() {
            Some(&(p, c)) => {
                let by = match self.graph.nodes.get(c as usize) {
                    Some(n) if c != NO_COMMIT => format!(", introduced by commit {}", n.id),
                    _ => String::new(),
                };
                (
                    shown_path(&self.catalog.paths[p as usize]),
                    format!("blob {id}{by}"),
                )
            }
            None => (String::new(), format!("blob {id}")),
        }
    }

    fn too_large(&self, b: u32, size: u64) {
        self.too_large.fetch_add(1, Ordering::Relaxed);
        let (path, what) = self.describe(b);
        problem(
            self.sink,
            ProblemKind::TooLarge,
            path,
            format!(
                "{what}: {size} bytes, over the maximum blob size {}",
                self.opts.max_blob_size
            ),
        );
    }

    fn missing(&self, b: u32) {
        self.unreadable.fetch_add(1, Ordering::Relaxed);
        let (path, what) = self.describe(b);
        problem(
            self.sink,
            ProblemKind::MissingObject,
            path,
            format!(
                "{what}: missing from the object database (partial clone, or a damaged repository)"
            ),
        );
    }

    fn unreadable(&self, b: u32, message: &str) {
        self.unreadable.fetch_add(1, Ordering::Relaxed);
        let (path, what) = self.describe(b);
        problem(
            self.sink,
            ProblemKind::Unreadable,
            path,
            format!("{what}: {message}"),
        );
    }
}

/// A Git LFS pointer: a small text file that stands for content stored outside the repository.
fn is_lfs_pointer(data: &[u8]) -> bool {
    // The spec caps pointer files at 1024 bytes; "hawser" is the pre-1.0 name of the spec URL.
    data.len() < 1024
        && (data.starts_with(b"version https://git-lfs.github.com/spec/v1")
            || data.starts_with(b"version https://hawser.github.com/spec/v1"))
}
