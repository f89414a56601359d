//! Object access tuned for reading a whole history, built on gix-pack's index lookup, entry
//! header parsing and zlib inflate.
//!
//! Two things gix's general-purpose object database does not do for us:
//!
//! * **Cache delta bases.** Its delta cache keeps only the object that was asked for, not the
//!   base objects and intermediate results of a delta chain, so reading old trees one after the
//!   other re-inflates the same full base tree again and again. [`Reader`] caches every object it
//!   materialises (two-generation LRU), so walking history newest-first costs about one delta
//!   application per tree.
//! * **Stream a pack in delta-tree order while skipping what is not needed.** [`walk_blobs`] reads
//!   every entry header once, keeps only the delta chains that lead to a wanted blob (trees,
//!   commits and unwanted leaves are never inflated), and resolves each chain once, depth-first,
//!   on all cores.
//!
//! Pack data is read with positioned reads rather than memory-mapped: a mapped pack shows up in
//! the process's resident memory page by page as history is read, which for a full scan is the
//! whole pack; with reads it stays in the kernel's page cache where it belongs.

use gix::ObjectId;
use gix::objs::Kind;
use gix::odb::pack::{self, data::entry::Header};
use std::collections::HashMap;
use std::fs::File;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// A decoded object: its kind and content, shared with the cache.
/// Kept as `Arc<Vec<u8>>` rather than `Arc<[u8]>` so that a freshly decoded buffer is shared
/// without being copied.
pub(super) type Object = (Kind, Arc<Vec<u8>>);

/// Why an object could not be read from a pack.
#[derive(Debug, thiserror::Error)]
pub(super) enum PackError {
    #[error("{path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error("{path}: corrupt entry at offset {offset}: {message}")]
    Corrupt {
        path: String,
        offset: u64,
        message: String,
    },
    #[error("object of {size} bytes is over the limit of {limit}")]
    TooLarge { size: u64, limit: u64 },
    #[error("delta base {0} is in no pack")]
    MissingBase(ObjectId),
}

/// The repository's packs (its own and its alternates').
pub(super) struct Packs {
    pub packs: Vec<Pack>,
    /// Indexes that could not be used (truncated, bad header, pack file gone): each path with
    /// why. Their packs' objects are unreadable; the scan reports the damage once per index.
    pub broken: Vec<(PathBuf, String)>,
    hash: gix::hash::Kind,
}

pub(super) struct Pack {
    pub index: pack::index::File,
    file: File,
    path: PathBuf,
    /// Entry offsets in ascending order, then one more: where the entries end (before the
    /// trailing checksum). `offsets[i]..offsets[i + 1]` is entry `i`'s extent.
    offsets: Vec<u64>,
    /// `order[i]`: the index position of the entry at `offsets[i]`, to get its object id.
    order: Vec<u32>,
    /// Where the entries end in the pack file: its length less the trailing checksum.
    data_end: u64,
}

impl Packs {
    /// Every `*.idx` with its `*.pack` in the object directory and its alternates. A pack that
    /// cannot be opened is left out (and listed in `broken`); its objects are then read through
    /// gix's object database, which reports them if they cannot be read there either.
    pub fn open(repo: &gix::Repository) -> Packs {
        let store = repo.objects.store_ref();
        let mut dirs = vec![store.path().to_path_buf()];
        dirs.extend(store.alternate_db_paths().unwrap_or_default());
        let mut idx_paths = Vec::new();
        for dir in dirs {
            if let Ok(entries) = std::fs::read_dir(dir.join("pack")) {
                idx_paths.extend(
                    entries
                        .filter_map(Result::ok)
                        .map(|e| e.path())
                        .filter(|p| p.extension().is_some_and(|x| x == "idx")),
                );
            }
        }
        idx_paths.sort();
        Packs::at(&idx_paths, repo.object_hash())
    }

    /// The packs of these index files (each beside its `.pack`); an index that cannot be
    /// opened is kept aside with the reason, to be reported as one damaged index.
    pub fn at(idx_paths: &[PathBuf], hash: gix::hash::Kind) -> Packs {
        let mut packs = Vec::new();
        let mut broken = Vec::new();
        for p in idx_paths {
            match Pack::open(p, hash) {
                Ok(pack) => packs.push(pack),
                Err(why) => broken.push((p.clone(), why)),
            }
        }
        Packs {
            packs,
            broken,
            hash,
        }
    }

    /// Pack and offset of an object, if it is packed.
    pub fn locate(&self, id: &gix::oid) -> Option<(usize, u64)> {
        self.packs.iter().enumerate().find_map(|(p, pack)| {
            pack.index
                .lookup(id)
                .map(|i| (p, pack.index.pack_offset_at_index(i)))
        })
    }

    pub fn object_count(&self) -> u64 {
        self.packs
            .iter()
            .map(|p| u64::from(p.index.num_objects()))
            .sum()
    }
}

impl Pack {
    fn open(idx_path: &Path, hash: gix::hash::Kind) -> Result<Pack, String> {
        let index = pack::index::File::at(idx_path, hash).map_err(|e| e.to_string())?;
        let path = idx_path.with_extension("pack");
        let file = File::open(&path).map_err(|e| format!("its pack file: {e}"))?;
        let len = file
            .metadata()
            .map_err(|e| format!("its pack file: {e}"))?
            .len();
        let n = index.num_objects();
        let mut by_offset: Vec<(u64, u32)> =
            (0..n).map(|i| (index.pack_offset_at_index(i), i)).collect();
        by_offset.sort_unstable();
        let mut offsets: Vec<u64> = by_offset.iter().map(|&(o, _)| o).collect();
        // Where the entries end. An index may claim offsets past it (a damaged or hostile
        // index): the sentinel stays the largest so that `offsets` stays sorted, and such entries
        // are refused by `extent`.
        let data_end = len.saturating_sub(hash.len_in_bytes() as u64);
        offsets.push(data_end.max(offsets.last().copied().unwrap_or(0)));
        let order = by_offset.into_iter().map(|(_, i)| i).collect();
        Ok(Pack {
            index,
            file,
            path,
            offsets,
            order,
            data_end,
        })
    }

    fn display(&self) -> String {
        self.path.display().to_string()
    }

    fn corrupt(&self, offset: u64, message: impl Into<String>) -> PackError {
        PackError::Corrupt {
            path: self.display(),
            offset,
            message: message.into(),
        }
    }

    /// The byte range of the entry starting at `offset`.
    fn extent(&self, offset: u64) -> Result<Range<u64>, PackError> {
        if offset >= self.data_end {
            return Err(self.corrupt(offset, "entry starts past the end of the pack"));
        }
        let i = self
            .offsets
            .binary_search(&offset)
            .map_err(|_| self.corrupt(offset, "no entry starts here"))?;
        match self.offsets.get(i + 1) {
            // The next entry's offset comes from the index, which may lie: never read past the
            // pack's entries (the allocation would be as large as the lie).
            Some(&end) if end > offset => Ok(offset..end.min(self.data_end)),
            _ => Err(self.corrupt(offset, "entry extends past the end of the pack")),
        }
    }

    fn read_at(&self, range: Range<u64>, buf: &mut Vec<u8>) -> Result<(), PackError> {
        let len = range
            .end
            .checked_sub(range.start)
            .and_then(|n| usize::try_from(n).ok())
            .ok_or_else(|| self.corrupt(range.start, "entry extends past the end of the pack"))?;
        buf.clear();
        buf.resize(len, 0);
        read_exact_at(&self.file, buf, range.start).map_err(|source| PackError::Io {
            path: self.display(),
            source,
        })
    }

    /// Read the entry at `offset` into `buf`: its parsed header and where its zlib data starts.
    fn entry(
        &self,
        offset: u64,
        hash: gix::hash::Kind,
        buf: &mut Vec<u8>,
    ) -> Result<(pack::data::Entry, usize), PackError> {
        self.read_at(self.extent(offset)?, buf)?;
        let entry = pack::data::Entry::from_bytes(buf, offset, hash)
            .map_err(|e| self.corrupt(offset, e.to_string()))?;
        let start = usize::try_from(entry.data_offset - offset)
            .map_err(|_| self.corrupt(offset, "bad header"))?;
        Ok((entry, start))
    }

    /// Base offset of a delta entry in this pack.
    fn base_offset(
        &self,
        entry: &pack::data::Entry,
        offset: u64,
    ) -> Result<Option<u64>, PackError> {
        match &entry.header {
            Header::OfsDelta { base_distance } => offset
                .checked_sub(*base_distance)
                .map(Some)
                .ok_or_else(|| self.corrupt(offset, "delta base before the start of the pack")),
            Header::RefDelta { base_id } => Ok(self
                .index
                .lookup(base_id)
                .map(|i| self.index.pack_offset_at_index(i))),
            _ => Ok(None),
        }
    }
}

#[cfg(unix)]
fn read_exact_at(file: &File, buf: &mut [u8], offset: u64) -> std::io::Result<()> {
    std::os::unix::fs::FileExt::read_exact_at(file, buf, offset)
}

#[cfg(windows)]
fn read_exact_at(file: &File, mut buf: &mut [u8], mut offset: u64) -> std::io::Result<()> {
    use std::os::windows::fs::FileExt;
    while !buf.is_empty() {
        match file.seek_read(buf, offset)? {
            0 => return Err(std::io::ErrorKind::UnexpectedEof.into()),
            n => {
                buf = &mut buf[n..];
                offset += n as u64;
            }
        }
    }
    Ok(())
}

fn kind_of(header: &Header) -> Option<Kind> {
    match header {
        Header::Commit => Some(Kind::Commit),
        Header::Tree => Some(Kind::Tree),
        Header::Blob => Some(Kind::Blob),
        Header::Tag => Some(Kind::Tag),
        Header::OfsDelta { .. } | Header::RefDelta { .. } => None,
    }
}

fn checked_size(size: u64, limit: u64) -> Result<usize, PackError> {
    if size > limit {
        return Err(PackError::TooLarge { size, limit });
    }
    usize::try_from(size).map_err(|_| PackError::TooLarge { size, limit })
}

/// Inflate a complete zlib stream of exactly `size` bytes into `out`.
fn inflate_into(
    inflate: &mut gix::zlib::Inflate,
    input: &[u8],
    size: usize,
    out: &mut Vec<u8>,
) -> Result<(), &'static str> {
    out.clear();
    out.resize(size, 0);
    inflate.reset();
    match inflate.once(input, out) {
        Ok((gix::zlib::Status::StreamEnd, _, n)) if n == size => Ok(()),
        Ok(_) => Err("zlib stream does not match the entry's size"),
        Err(_) => Err("zlib stream is corrupt"),
    }
}

fn delta_varint(d: &[u8], i: &mut usize) -> Result<u64, &'static str> {
    let mut value = 0u64;
    let mut shift = 0;
    loop {
        let b = *d.get(*i).ok_or("truncated delta header")?;
        *i += 1;
        if shift > 63 {
            return Err("delta header overflows");
        }
        value |= u64::from(b & 0x7f) << shift;
        shift += 7;
        if b & 0x80 == 0 {
            return Ok(value);
        }
    }
}

/// The result size a delta announces, to check it against a limit before applying it.
fn delta_result_size(delta: &[u8]) -> Result<u64, &'static str> {
    let mut i = 0;
    delta_varint(delta, &mut i)?;
    delta_varint(delta, &mut i)
}

/// Apply a git delta to `base`, writing the result into `out`.
fn apply_delta(base: &[u8], delta: &[u8], out: &mut Vec<u8>) -> Result<(), &'static str> {
    let mut i = 0;
    let base_size = delta_varint(delta, &mut i)?;
    if base_size != base.len() as u64 {
        return Err("delta base size does not match the base");
    }
    let result_size =
        usize::try_from(delta_varint(delta, &mut i)?).map_err(|_| "delta result too large")?;
    out.clear();
    out.reserve(result_size);
    while let Some(&cmd) = delta.get(i) {
        i += 1;
        if cmd & 0x80 != 0 {
            // Copy from the base: offset and size bytes are present where their bit is set.
            let mut fields = [0u32; 2];
            for (bit, (field, shift)) in
                (0..7).map(|b| (b, if b < 4 { (0, b * 8) } else { (1, (b - 4) * 8) }))
            {
                if cmd & (1 << bit) != 0 {
                    let byte = *delta.get(i).ok_or("truncated delta copy")?;
                    i += 1;
                    fields[field] |= u32::from(byte) << shift;
                }
            }
            let (ofs, size) = (
                fields[0] as usize,
                if fields[1] == 0 {
                    0x10000
                } else {
                    fields[1] as usize
                },
            );
            let src = base
                .get(ofs..ofs.saturating_add(size))
                .ok_or("delta copies outside its base")?;
            out.extend_from_slice(src);
        } else if cmd != 0 {
            let n = usize::from(cmd);
            let src = delta.get(i..i + n).ok_or("truncated delta insert")?;
            out.extend_from_slice(src);
            i += n;
        } else {
            return Err("delta has the reserved command 0");
        }
        if out.len() > result_size {
            return Err("delta produces more than it announced");
        }
    }
    if out.len() != result_size {
        return Err("delta produces less than it announced");
    }
    Ok(())
}

/// Decoded objects by `(pack, offset)`: two generations, so that anything used since the last
/// rotation survives it. Approximates LRU with no per-access bookkeeping.
struct Cache<K> {
    young: HashMap<K, Object>,
    old: HashMap<K, Object>,
    young_bytes: usize,
    budget: usize,
}

fn pack_key(pack: usize, offset: u64) -> u64 {
    ((pack as u64) << 48) | offset
}

impl<K: std::hash::Hash + Eq + Clone> Cache<K> {
    fn new(budget: usize) -> Self {
        Cache {
            young: HashMap::new(),
            old: HashMap::new(),
            young_bytes: 0,
            budget,
        }
    }

    fn get<Q>(&mut self, key: &Q) -> Option<Object>
    where
        K: std::borrow::Borrow<Q>,
        Q: std::hash::Hash + Eq + ?Sized + ToOwned<Owned = K>,
    {
        if let Some(v) = self.young.get(key) {
            return Some(v.clone());
        }
        let v = self.old.remove(key)?;
        self.insert(key.to_owned(), v.clone());
        Some(v)
    }

    fn insert(&mut self, key: K, value: Object) {
        let size = value.1.len() + 64;
        if size > self.budget / 4 {
            return; // one huge object must not flush everything else
        }
        if self.young_bytes + size > self.budget / 2 {
            self.old = std::mem::take(&mut self.young);
            self.young_bytes = 0;
        }
        self.young_bytes += size;
        self.young.insert(key, value);
    }
}

/// Random access to packed objects with a cache of everything decoded. One per thread.
pub(super) struct Reader<'p> {
    packs: &'p Packs,
    /// Everything materialised, by position: delta bases and intermediate results.
    cache: Cache<u64>,
    /// What was asked for, by id: a hit skips the index lookup too.
    by_id: Cache<ObjectId>,
    inflate: gix::zlib::Inflate,
    buf: Vec<u8>,
    limit: u64,
    /// Ref-delta bases being read from other packs, nested: packs whose deltas name each other's
    /// objects would otherwise recurse until the stack overflows.
    hops: u32,
    /// Bytes of deltas one chain may hold while it is walked down to its base.
    chain_bytes: u64,
}

/// The deltas of one chain are held until its base is found. Git's deltas are small (depth 50 of
/// a few kilobytes each); a hostile pack can chain 10,000 deltas of a gigabyte each.
const MAX_CHAIN_DELTA_BYTES: u64 = 256 << 20;

/// Nesting of cross-pack delta bases allowed; git never makes more than one (thin-pack fix-up).
const MAX_HOPS: u32 = 16;

impl<'p> Reader<'p> {
    /// `cache_bytes` of decoded objects; objects over `limit` bytes are refused.
    pub fn new(packs: &'p Packs, cache_bytes: usize, limit: u64) -> Self {
        Reader {
            packs,
            cache: Cache::new(cache_bytes),
            by_id: Cache::new(cache_bytes / 2),
            inflate: gix::zlib::Inflate::default(),
            buf: Vec::new(),
            limit,
            hops: 0,
            chain_bytes: MAX_CHAIN_DELTA_BYTES,
        }
    }

    /// The object, or `None` if no pack has it (it may be loose).
    pub fn find(&mut self, id: &gix::oid) -> Result<Option<Object>, PackError> {
        if let Some(hit) = self.by_id.get(id) {
            return Ok(Some(hit));
        }
        match self.packs.locate(id) {
            Some((p, offset)) => {
                let found = self.decode(p, offset)?;
                self.by_id.insert(id.to_owned(), found.clone());
                Ok(Some(found))
            }
            None => Ok(None),
        }
    }

    fn decode(&mut self, p: usize, offset: u64) -> Result<Object, PackError> {
        let packs = self.packs;
        let pack = &packs.packs[p];
        // Walk down the chain to a cached object or a full one, keeping each delta on the way.
        let mut chain: Vec<(u64, Vec<u8>)> = Vec::new();
        let mut held = 0u64;
        let mut at = offset;
        let (kind, mut base) = loop {
            if let Some(hit) = self.cache.get(&pack_key(p, at)) {
                break hit;
            }
            let (entry, start) = pack.entry(at, packs.hash, &mut self.buf)?;
            let size = checked_size(entry.decompressed_size, self.limit)?;
            let data = &self.buf[start..];
            if let Some(kind) = kind_of(&entry.header) {
                let mut out = Vec::new();
                inflate_into(&mut self.inflate, data, size, &mut out)
                    .map_err(|m| pack.corrupt(at, m))?;
                let value = Arc::new(out);
                self.cache.insert(pack_key(p, at), (kind, value.clone()));
                break (kind, value);
            }
            let mut delta = Vec::new();
            inflate_into(&mut self.inflate, data, size, &mut delta)
                .map_err(|m| pack.corrupt(at, m))?;
            held += delta.len() as u64;
            chain.push((at, delta));
            if chain.len() > 10_000 {
                return Err(pack.corrupt(offset, "delta chain too long (cycle?)"));
            }
            if held > self.chain_bytes {
                let mib = self.chain_bytes >> 20;
                return Err(pack.corrupt(
                    offset,
                    format!("delta chain holds more than {mib} MiB of deltas"),
                ));
            }
            at = match pack.base_offset(&entry, at)? {
                Some(base) => base,
                None => match &entry.header {
                    // A base in another pack: rare (thin packs fixed up by an old git).
                    Header::RefDelta { base_id } => {
                        let base_id = *base_id;
                        if self.hops >= MAX_HOPS {
                            return Err(pack.corrupt(at, "delta bases cross packs in a cycle"));
                        }
                        self.hops += 1;
                        let base = self.find(&base_id);
                        self.hops -= 1;
                        let (kind, base) = base?.ok_or(PackError::MissingBase(base_id))?;
                        return self.apply_chain(p, kind, base, chain);
                    }
                    _ => return Err(pack.corrupt(at, "delta without a base")),
                },
            };
        };
        if chain.is_empty() {
            return Ok((kind, base));
        }
        base = self.apply_chain(p, kind, base, chain)?.1;
        Ok((kind, base))
    }

    fn apply_chain(
        &mut self,
        p: usize,
        kind: Kind,
        mut base: Arc<Vec<u8>>,
        chain: Vec<(u64, Vec<u8>)>,
    ) -> Result<Object, PackError> {
        let pack = &self.packs.packs[p];
        for (at, delta) in chain.into_iter().rev() {
            let size = delta_result_size(&delta).map_err(|m| pack.corrupt(at, m))?;
            checked_size(size, self.limit)?;
            let mut out = Vec::new();
            apply_delta(&base, &delta, &mut out).map_err(|m| pack.corrupt(at, m))?;
            base = Arc::new(out);
            self.cache.insert(pack_key(p, at), (kind, base.clone()));
        }
        Ok((kind, base))
    }
}

/// Objects from the packs through a [`Reader`], and from gix's object database for whatever
/// is not packed (loose objects). One per thread.
pub(super) struct Objects<'a> {
    pub reader: Reader<'a>,
    repo: gix::Repository,
    buf: Vec<u8>,
}

/// Why [`Objects::find`] found nothing usable.
pub(super) enum Lookup {
    Missing,
    Failed(String),
}

impl<'a> Objects<'a> {
    pub fn new(packs: &'a Packs, repo: gix::Repository, cache_bytes: usize, limit: u64) -> Self {
        Objects {
            reader: Reader::new(packs, cache_bytes, limit),
            repo,
            buf: Vec::new(),
        }
    }

    pub fn repo(&self) -> &gix::Repository {
        &self.repo
    }

    pub fn find(&mut self, id: &gix::oid) -> Result<Object, Lookup> {
        match self.reader.find(id) {
            Ok(Some(found)) => return Ok(found),
            Ok(None) => {}
            Err(e) => return Err(Lookup::Failed(e.to_string())),
        }
        use gix::objs::Find;
        match self.repo.objects.try_find(id, &mut self.buf) {
            Ok(Some(data)) => {
                // Cached like packed objects: a hostile history can name one loose tree a million
                // times, and each read through gix cost a file open and an inflate (and, measured,
                // 6 GB of peak memory over such a walk).
                let found = (data.kind, Arc::new(data.data.to_vec()));
                self.reader.by_id.insert(id.to_owned(), found.clone());
                Ok(found)
            }
            Ok(None) => Err(Lookup::Missing),
            Err(e) => Err(Lookup::Failed(e.to_string())),
        }
    }
}

/// Node id in a pack walk: the entry's rank by offset.
type Node = u32;
const NONE: u32 = u32::MAX;

/// Stream the blobs of one pack that `wanted` selects, each to `emit(blob, data)`, resolving
/// every needed delta chain once. Blobs it cannot produce (damaged entries, objects over
/// `limit`) are simply not emitted: the caller reads those another way and reports them.
///
/// `wanted` maps an object id to the caller's blob number.
pub(super) fn walk_blobs(
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

/// Which entries a pack walk decodes, and in what shape.
struct Plan {
    /// The caller's blob number for wanted entries, else `NONE`.
    blob: Vec<u32>,
    /// Children of each needed entry that are themselves needed: CSR layout.
    child_start: Vec<u32>,
    children: Vec<Node>,
    /// Needed entries in each subtree, to hand big subtrees to other threads.
    subtree: Vec<u32>,
    /// Full objects that lead to a wanted blob, biggest subtree first.
    roots: Vec<Node>,
}

impl Plan {
    fn build(
        pack: &Pack,
        hash: gix::hash::Kind,
        wanted: &(dyn Fn(&gix::oid) -> Option<u32> + Sync),
    ) -> Result<Plan, PackError> {
        let n = pack.order.len();
        const BLOB: u8 = 1;
        const OTHER: u8 = 2;
        const DELTA: u8 = 3;
        const BROKEN: u8 = 4;
        let mut kind = vec![0u8; n];
        let mut parent = vec![NONE; n];
        // One sequential pass over the pack's entry headers, through a window of reads.
        let mut window = Vec::new();
        let mut window_start = 0u64;
        const WINDOW: usize = 1 << 20;
        for node in 0..n {
            let offset = pack.offsets[node];
            if offset >= pack.data_end {
                kind[node] = BROKEN; // the index points past the pack's entries
                continue;
            }
            let window_end = window_start + window.len() as u64;
            if offset < window_start || offset + 64 > window_end {
                let end = (offset + WINDOW as u64).min(pack.data_end);
                pack.read_at(offset..end, &mut window)?;
                window_start = offset;
            }
            let at = (offset - window_start) as usize;
            let entry = match pack::data::Entry::from_bytes(&window[at..], offset, hash) {
                Ok(e) => e,
                Err(_) => {
                    kind[node] = BROKEN;
                    continue;
                }
            };
            kind[node] = match &entry.header {
                Header::Blob => BLOB,
                Header::Tree | Header::Commit | Header::Tag => OTHER,
                Header::OfsDelta { .. } | Header::RefDelta { .. } => DELTA,
            };
            if kind[node] == DELTA {
                match pack.base_offset(&entry, offset) {
                    Ok(Some(base)) => match pack.offsets[..n].binary_search(&base) {
                        Ok(b) => parent[node] = b as Node,
                        Err(_) => kind[node] = BROKEN,
                    },
                    _ => kind[node] = BROKEN,
                }
            }
        }
        // The object kind of a delta is its chain's root kind; memoised by rewriting `kind`.
        let mut path = Vec::new();
        for node in 0..n {
            let mut at = node;
            while kind[at] == DELTA {
                path.push(at);
                at = parent[at] as usize;
                if path.len() > n {
                    break; // a cycle in a corrupt pack
                }
            }
            let root_kind = if kind[at] == DELTA { BROKEN } else { kind[at] };
            for &x in &path {
                kind[x] = root_kind | 0x80; // resolved delta: keep the mark, drop the chain walk
            }
            path.clear();
        }
        let mut blob = vec![NONE; n];
        let mut needed = vec![false; n];
        for node in 0..n {
            if kind[node] & 0x7f != BLOB {
                continue;
            }
            let id = pack.index.oid_at_index(pack.order[node]);
            if let Some(b) = wanted(id) {
                blob[node] = b;
                // Mark the chain up to the root; stop at the first node already marked.
                let mut at = node;
                while at != NONE as usize && !needed[at] {
                    needed[at] = true;
                    at = parent[at] as usize;
                    if at == NONE as usize {
                        break;
                    }
                }
            }
        }
        // Deltas whose chain is broken cannot be walked; their blobs stay for the caller.
        for node in 0..n {
            if kind[node] & 0x7f == BROKEN {
                needed[node] = false;
            }
        }
        let mut child_start = vec![0u32; n + 1];
        for node in 0..n {
            if needed[node] && parent[node] != NONE {
                child_start[parent[node] as usize + 1] += 1;
            }
        }
        for i in 0..n {
            child_start[i + 1] += child_start[i];
        }
        let mut fill = child_start.clone();
        let mut children = vec![NONE; child_start[n] as usize];
        for node in 0..n {
            if needed[node] && parent[node] != NONE {
                let slot = &mut fill[parent[node] as usize];
                children[*slot as usize] = node as Node;
                *slot += 1;
            }
        }
        // Bases come before their deltas in a pack, so summing from the back adds every child
        // to its parent after the child's own subtree is complete.
        let mut subtree: Vec<u32> = needed.iter().map(|&x| u32::from(x)).collect();
        for node in (0..n).rev() {
            if needed[node] && parent[node] != NONE && (parent[node] as usize) < node {
                subtree[parent[node] as usize] += subtree[node];
            }
        }
        let mut roots: Vec<Node> = (0..n)
            .filter(|&x| needed[x] && parent[x] == NONE && kind[x] & 0x80 == 0)
            .map(|x| x as Node)
            .collect();
        roots.sort_unstable_by_key(|&r| std::cmp::Reverse(subtree[r as usize]));
        Ok(Plan {
            blob,
            child_start,
            children,
            subtree,
            roots,
        })
    }

    fn children(&self, node: Node) -> &[Node] {
        let (a, b) = (
            self.child_start[node as usize],
            self.child_start[node as usize + 1],
        );
        &self.children[a as usize..b as usize]
    }
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
pub(super) struct Limits {
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
    use super::*;

    #[test]
    fn delta_copy_and_insert() {
        let base = b"hello, world";
        // base size 12, result size 11: copy 7 bytes from 0 ("hello, "), insert "git!"
        let delta = [12, 11, 0x80 | 0x10, 7, 4, b'g', b'i', b't', b'!'];
        let mut out = Vec::new();
        apply_delta(base, &delta, &mut out).expect("valid delta");
        assert_eq!(out, b"hello, git!");
    }

    /// A zlib stream of `data` in stored blocks.
    fn zlib_stored(data: &[u8]) -> Vec<u8> {
        let mut out = vec![0x78, 0x01];
        let blocks: Vec<&[u8]> = data.chunks(0xffff).collect();
        for (i, block) in blocks.iter().enumerate() {
            out.push(u8::from(i + 1 == blocks.len()));
            let len = block.len() as u16;
            out.extend_from_slice(&len.to_le_bytes());
            out.extend_from_slice(&(!len).to_le_bytes());
            out.extend_from_slice(block);
        }
        let (mut a, mut b) = (1u32, 0u32);
        for &x in data {
            a = (a + u32::from(x)) % 65521;
            b = (b + a) % 65521;
        }
        out.extend_from_slice(&((b << 16) | a).to_be_bytes());
        out
    }

    fn varint(mut n: usize, out: &mut Vec<u8>) {
        while n >= 0x80 {
            out.push(0x80 | (n & 0x7f) as u8);
            n >>= 7;
        }
        out.push(n as u8);
    }

    /// An entry header: type, then the size in 4 + 7k bits.
    fn entry_header(kind: u8, size: usize, out: &mut Vec<u8>) {
        let more = if size >> 4 > 0 { 0x80 } else { 0 };
        out.push(more | (kind << 4) | (size & 0x0f) as u8);
        if size >> 4 > 0 {
            varint(size >> 4, out);
        }
    }

    /// A pack of one `size`-byte blob and `depth` OFS deltas, each against the one before and
    /// each inserting `size` fresh bytes, with its version 2 index (object ids made up, sorted).
    /// Returns the directory's index path and the ids in chain order.
    fn chain_pack(dir: &Path, size: usize, depth: usize) -> (PathBuf, Vec<[u8; 20]>) {
        let mut pack = b"PACK".to_vec();
        pack.extend_from_slice(&2u32.to_be_bytes());
        pack.extend_from_slice(&(depth as u32 + 1).to_be_bytes());
        let mut offsets = Vec::new();
        let content = |i: usize| vec![b'a' + (i % 26) as u8; size];
        offsets.push(pack.len() as u64);
        entry_header(3, size, &mut pack);
        pack.extend_from_slice(&zlib_stored(&content(0)));
        for i in 1..=depth {
            let mut delta = Vec::new();
            varint(size, &mut delta);
            varint(size, &mut delta);
            for chunk in content(i).chunks(127) {
                delta.push(chunk.len() as u8);
                delta.extend_from_slice(chunk);
            }
            let at = pack.len() as u64;
            entry_header(6, delta.len(), &mut pack);
            // OFS_DELTA distance: big-endian 7-bit groups, each but the last with +1 folded in.
            let mut distance = at - offsets[i - 1];
            let mut bytes = vec![(distance & 0x7f) as u8];
            distance >>= 7;
            while distance > 0 {
                distance -= 1;
                bytes.push(0x80 | (distance & 0x7f) as u8);
                distance >>= 7;
            }
            bytes.reverse();
            pack.extend_from_slice(&bytes);
            pack.extend_from_slice(&zlib_stored(&delta));
            offsets.push(at);
        }
        pack.extend_from_slice(&[0; 20]);
        let ids: Vec<[u8; 20]> = (0..=depth).map(|i| [i as u8 + 1; 20]).collect();
        let mut idx = vec![0xff, b't', b'O', b'c', 0, 0, 0, 2];
        for byte in 0..=255u8 {
            let count = ids.iter().filter(|id| id[0] <= byte).count() as u32;
            idx.extend_from_slice(&count.to_be_bytes());
        }
        ids.iter().for_each(|id| idx.extend_from_slice(id));
        ids.iter().for_each(|_| idx.extend_from_slice(&[0; 4]));
        offsets
            .iter()
            .for_each(|&o| idx.extend_from_slice(&(o as u32).to_be_bytes()));
        idx.extend_from_slice(&[0; 40]);
        let idx_path = dir.join("chain.idx");
        std::fs::write(&idx_path, idx).expect("write index");
        std::fs::write(dir.join("chain.pack"), pack).expect("write pack");
        (idx_path, ids)
    }

    fn temp_dir(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("keyaudit-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("temp dir");
        dir
    }

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

    /// Reading one object holds its chain's deltas until the base is found: past the budget it
    /// is an error naming the chain, not memory without end.
    #[test]
    fn a_chain_whose_deltas_go_over_the_budget_is_an_error() {
        let dir = temp_dir("reader-chain");
        let (idx, ids) = chain_pack(&dir, 4096, 9);
        let packs = Packs::at(&[idx], gix::hash::Kind::Sha1);
        let mut reader = Reader::new(&packs, 1 << 20, 1 << 20);
        reader.chain_bytes = 16 << 10;
        let last = gix::ObjectId::from_bytes_or_panic(&ids[9]);
        match reader.find(&last) {
            Err(PackError::Corrupt { message, .. }) => {
                assert!(message.contains("delta chain holds more than"), "{message}")
            }
            other => panic!(
                "expected a chain error, got {:?}",
                other.map(|o| o.is_some())
            ),
        }
        // A chain within the budget still reads.
        let third = gix::ObjectId::from_bytes_or_panic(&ids[3]);
        assert!(matches!(reader.find(&third), Ok(Some(_))));
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn corrupt_deltas_are_errors() {
        let mut out = Vec::new();
        assert!(
            apply_delta(b"abc", &[4, 1, 1, b'x'], &mut out).is_err(),
            "wrong base size"
        );
        assert!(
            apply_delta(b"abc", &[3, 5, 0x91, 1, 9], &mut out).is_err(),
            "copy out of range"
        );
        assert!(
            apply_delta(b"abc", &[3, 1, 0], &mut out).is_err(),
            "command 0"
        );
        assert!(
            apply_delta(b"abc", &[3, 2, 1, b'x'], &mut out).is_err(),
            "short result"
        );
    }
}
