//! Streaming one pack's wanted blobs in delta-tree order: each root of the [`Plan`] is decoded
//! and its subtree walked depth first, every level held only until its subtree is done and
//! within a byte budget, big subtrees handed to other threads of the pool. This is how pass 2
//! reads most of a history's blobs with one delta application each.

use super::PackError;
use super::delta::{apply_delta, delta_result_size};
use super::entry::{checked_size, inflate_into, kind_of};
use super::file::{Pack, Packs};
use super::plan::{NONE, Node, Plan};
use std::sync::Arc;

/// Stream the blobs of one pack that `wanted` selects, each to `emit(blob, data)`, resolving
/// every needed delta chain once. Blobs it cannot produce (damaged entries, objects over
/// `limit`) are simply not emitted: the caller reads those another way and reports them.
///
/// `wanted` maps an object id to the caller's blob number.
pub(in crate::source::git) fn walk_blobs(
    packs: &Packs,
    p: usize,
    wanted: &(dyn Fn(&gix::oid) -> Option<u32> + Sync),
    emit: &(dyn Fn(u32, &[u8]) + Sync),
    limits: Limits,
    pool: &rayon::ThreadPool,
) -> Result<(), PackError> {
    let pack = &packs.packs[p];
    let plan = Plan::build(pack, packs.hash, wanted)?;
    if plan.roots.is_empty() {
        return Ok(());
    }
    let walker = Walker {
        pack,
        hash: packs.hash,
        plan: &plan,
        emit,
        limits,
    };
    pool.scope(|s| {
        for &root in &plan.roots {
            let walker = &walker;
            s.spawn(move |s| walker.subtree(root, None, s));
        }
    });
    Ok(())
}

/// Subtrees at least this big are handed to the pool rather than walked in place, so that one
/// long-lived file's thousands of versions do not end up on a single core.
const SPLIT: u32 = 512;

struct Walker<'a> {
    pack: &'a Pack,
    hash: gix::hash::Kind,
    plan: &'a Plan,
    emit: &'a (dyn Fn(u32, &[u8]) + Sync),
    limits: Limits,
}

/// Size limits of a pack walk.
#[derive(Clone, Copy)]
pub(in crate::source::git) struct Limits {
    /// Wanted blobs that are a chain's last link and larger than this are not even inflated;
    /// the caller finds them pending and reports them from their header.
    pub leaf: u64,
    /// Anything else (bases other blobs need) up to this size is decoded.
    pub any: u64,
    /// Bytes a thread keeps of one chain's decoded levels (a base and the deltas applied to it,
    /// each level held until its subtree is done). A node that would go over is not decoded
    /// here: its blobs stay pending and are read one by one, through a bounded cache.
    pub held: u64,
}

/// Per-thread buffers of a walk: one per delta-chain depth, reused from subtree to subtree.
#[derive(Default)]
struct Scratch {
    levels: Vec<Vec<u8>>,
    entry: Vec<u8>,
    delta: Vec<u8>,
    inflate: gix::zlib::Inflate,
}

thread_local! {
    static SCRATCH: std::cell::RefCell<Scratch> = std::cell::RefCell::default();
}

impl Walker<'_> {
    /// Decode `root` (a full object, or a delta against `base`) and everything needed below it,
    /// depth first.
    fn subtree<'s>(&'s self, root: Node, base: Option<Arc<[u8]>>, scope: &rayon::Scope<'s>) {
        let mut scratch = SCRATCH.with(|s| std::mem::take(&mut *s.borrow_mut()));
        let mut stack: Vec<(Node, usize)> = vec![(root, 0)];
        // held[d]: bytes the levels above depth d hold (the shared base counts at depth 0).
        let mut held: Vec<u64> = vec![base.as_ref().map_or(0, |b| b.len() as u64)];
        while let Some((node, depth)) = stack.pop() {
            if scratch.levels.len() <= depth {
                scratch.levels.resize_with(depth + 1, Vec::new);
            }
            let room = self.limits.held.saturating_sub(held[depth]);
            let (below, here) = scratch.levels.split_at_mut(depth);
            let base_data: Option<&[u8]> = match (depth, &base) {
                (0, Some(b)) => Some(b),
                (0, None) => None,
                (d, _) => below.get(d - 1).map(Vec::as_slice),
            };
            let out = &mut here[0];
            let leaf = self.plan.children(node).is_empty();
            let decoded = decode_into(
                self.pack,
                self.hash,
                self.pack.offsets[node as usize],
                base_data,
                room.min(if leaf {
                    self.limits.leaf
                } else {
                    self.limits.any
                }),
                &mut scratch.entry,
                &mut scratch.delta,
                &mut scratch.inflate,
                out,
            );
            if decoded.is_err() {
                continue; // its wanted blobs stay pending and are read (and reported) one by one
            }
            held.truncate(depth + 1);
            held.push(held[depth] + out.len() as u64);
            let blob = self.plan.blob[node as usize];
            if blob != NONE {
                (self.emit)(blob, out);
            }
            let mut shared: Option<Arc<[u8]>> = None;
            for &child in self.plan.children(node) {
                if self.plan.subtree[child as usize] >= SPLIT {
                    let data = shared
                        .get_or_insert_with(|| Arc::from(out.as_slice()))
                        .clone();
                    scope.spawn(move |s| self.subtree(child, Some(data), s));
                } else {
                    stack.push((child, depth + 1));
                }
            }
        }
        // Keep the scratch for the next subtree, but not a huge buffer from one big file.
        for level in &mut scratch.levels {
            if level.capacity() > 8 << 20 {
                *level = Vec::new();
            }
        }
        SCRATCH.with(|s| *s.borrow_mut() = scratch);
    }
}

#[allow(clippy::too_many_arguments)]
fn decode_into(
    pack: &Pack,
    hash: gix::hash::Kind,
    offset: u64,
    base: Option<&[u8]>,
    limit: u64,
    entry_buf: &mut Vec<u8>,
    delta_buf: &mut Vec<u8>,
    inflate: &mut gix::zlib::Inflate,
    out: &mut Vec<u8>,
) -> Result<(), PackError> {
    let (entry, start) = pack.entry(offset, hash, entry_buf)?;
    let size = checked_size(entry.decompressed_size, limit)?;
    let data = &entry_buf[start..];
    match (kind_of(&entry.header), base) {
        (Some(_), _) => inflate_into(inflate, data, size, out).map_err(|m| pack.corrupt(offset, m)),
        (None, Some(base)) => {
            inflate_into(inflate, data, size, delta_buf).map_err(|m| pack.corrupt(offset, m))?;
            checked_size(
                delta_result_size(delta_buf).map_err(|m| pack.corrupt(offset, m))?,
                limit,
            )?;
            apply_delta(base, delta_buf, out).map_err(|m| pack.corrupt(offset, m))
        }
        (None, None) => Err(pack.corrupt(offset, "delta without its base")),
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixture::{chain_pack, temp_dir};
    use super::super::reader::Reader;
    use super::*;

    /// A walk keeps every level of a chain until its subtree is done: with a budget of four
    /// levels, a chain of ten decodes the first four and leaves the rest pending, and what it
    /// emits is right.
    #[test]
    fn a_pack_walk_keeps_no_more_of_a_chain_than_its_budget() {
        let dir = temp_dir("walk-held");
        let size = 4096;
        let (idx, ids) = chain_pack(&dir, size, 9);
        let packs = Packs::at(&[idx], gix::hash::Kind::Sha1);
        let emitted = std::sync::Mutex::new(Vec::new());
        let wanted = |id: &gix::oid| {
            ids.iter()
                .position(|x| x == id.as_bytes())
                .map(|i| i as u32)
        };
        let emit = |b: u32, data: &[u8]| {
            assert_eq!(data, vec![b'a' + b as u8; size], "blob {b}");
            emitted.lock().expect("lock").push(b);
        };
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .expect("pool");
        let limits = Limits {
            leaf: 1 << 20,
            any: 1 << 20,
            held: 4 * size as u64 + 1024, // room for the last level's delta too
        };
        walk_blobs(&packs, 0, &wanted, &emit, limits, &pool).expect("walk");
        let mut got = emitted.into_inner().expect("lock");
        got.sort_unstable();
        assert_eq!(got, vec![0, 1, 2, 3]);
        // The rest are read one by one, and come out whole.
        let mut reader = Reader::new(&packs, 1 << 20, 1 << 20);
        for (i, id) in ids.iter().enumerate() {
            let id = gix::ObjectId::from_bytes_or_panic(id);
            let (_, data) = reader.find(&id).expect("readable").expect("packed");
            assert_eq!(*data, vec![b'a' + i as u8; size], "blob {i}");
        }
        let _ = std::fs::remove_dir_all(&dir);
    }
}
