//! Entry points for the fuzz targets in `fuzz/`: keyaudit's own pack reader (index lookup,
//! entry headers, inflate, delta chains, the pack walk), its tree walk and what it takes from a
//! commit, driven by bytes a fuzzer makes. Hidden from the documentation and not part of the API:
//! the targets live in their own crate, so these must be `pub`.

use super::graph::CommitFields;
use super::pack::{Limits, Packs, Reader, walk_blobs};
use super::tree::{Cut, Found, TreeDiff, TreeStore};
use gix::ObjectId;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

/// Objects over this size are refused, so that a header claiming gigabytes costs nothing.
const LIMIT: u64 = 1 << 20;

/// Split fuzz input into chunks, each a 4-byte little-endian length and that many bytes (fewer at
/// the end). The format of every target's input and of the seeds `fuzz/seed.sh` writes.
pub fn chunks(mut data: &[u8]) -> Vec<&[u8]> {
    let mut out = Vec::new();
    while let Some((len, rest)) = data.split_first_chunk::<4>() {
        let n = (u32::from_le_bytes(*len) as usize).min(rest.len());
        out.push(&rest[..n]);
        data = &rest[n..];
    }
    out
}

/// Write `(index, pack)` pairs as `dir/N.idx` and `dir/N.pack`, then read every object each
/// index lists, one by one and in one pack walk. Returns how many objects were produced.
pub fn packs(pairs: &[(&[u8], &[u8])], dir: &Path) -> std::io::Result<usize> {
    let mut idx_paths = Vec::new();
    for (i, (idx, pack)) in pairs.iter().enumerate() {
        let path: PathBuf = dir.join(format!("{i}.idx"));
        std::fs::write(&path, idx)?;
        std::fs::write(path.with_extension("pack"), pack)?;
        idx_paths.push(path);
    }
    let packs = Packs::at(&idx_paths, gix::hash::Kind::Sha1);
    let mut produced = 0;
    let mut reader = Reader::new(&packs, 1 << 20, LIMIT);
    for pack in &packs.packs {
        for i in 0..pack.index.num_objects().min(4096) {
            if let Ok(Some(_)) = reader.find(pack.index.oid_at_index(i)) {
                produced += 1;
            }
        }
    }
    let walked = std::sync::atomic::AtomicUsize::new(0);
    for p in 0..packs.packs.len() {
        let index = &packs.packs[p].index;
        let wanted = |id: &gix::oid| index.lookup(id);
        let emit = |_: u32, _: &[u8]| {
            walked.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        };
        let limits = Limits {
            leaf: LIMIT,
            any: LIMIT,
            held: 4 * LIMIT,
        };
        let _ = walk_blobs(&packs, p, &wanted, &emit, limits, pool());
    }
    Ok(produced + walked.into_inner())
}

fn pool() -> &'static rayon::ThreadPool {
    static POOL: OnceLock<rayon::ThreadPool> = OnceLock::new();
    POOL.get_or_init(|| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .unwrap_or_else(|e| panic!("fuzz: no thread pool: {e}"))
    })
}

/// Trees in memory: an id names object `id[0] % n`, so that every entry leads somewhere
/// (cycles and shared subtrees included, which a hostile object database can also produce).
struct Store {
    objects: Vec<Arc<Vec<u8>>>,
    cuts: usize,
}

impl TreeStore for Store {
    fn read_tree(&mut self, id: &gix::oid, _prefix: &[u8]) -> Option<Arc<Vec<u8>>> {
        let n = self.objects.len();
        let first = *id.as_bytes().first()?;
        self.objects.get(usize::from(first) % n.max(1)).cloned()
    }

    fn cut(&mut self, _id: &gix::oid, _prefix: &[u8], _why: Cut) {
        self.cuts += 1;
    }
}

/// Parse every chunk as a commit, then walk chunk 0 as a tree against `parents` (at most 2) of
/// the chunks after it as parent trees. Returns the blobs found plus the commits parsed.
pub fn trees_and_commits(objects: &[&[u8]], parents: usize) -> usize {
    let commits = objects
        .iter()
        .filter(|o| CommitFields::parse(o, gix::hash::Kind::Sha1).is_ok())
        .count();
    if objects.is_empty() {
        return commits;
    }
    let id_of = |i: usize| ObjectId::from_bytes_or_panic(&[i as u8; 20]);
    let parent_ids: Vec<ObjectId> = (1..objects.len()).take(parents.min(2)).map(id_of).collect();
    let mut store = Store {
        objects: objects.iter().map(|o| Arc::new(o.to_vec())).collect(),
        cuts: 0,
    };
    let mut found: Vec<Found> = Vec::new();
    let mut prefix = Vec::new();
    TreeDiff::with_limits(&mut store, 0, 64, 20_000).tree(
        &id_of(0),
        &parent_ids,
        &mut prefix,
        0,
        &mut found,
    );
    found.len() + commits
}
