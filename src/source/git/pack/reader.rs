//! Reading one object by id from the packs: the delta chain is walked down to a cached or full
//! base and applied back up, caching every level on the way, so that the next object of a
//! newest-first history walk is usually one delta away from something already decoded. Used for
//! trees and commits (pass 1) and for whatever blob the pack walk did not produce (pass 2).

use super::cache::Cache;
use super::delta::{apply_delta, delta_result_size};
use super::entry::{checked_size, inflate_into, kind_of};
use super::file::Packs;
use super::{Object, PackError};
use gix::ObjectId;
use gix::objs::Kind;
use gix::odb::pack::data::entry::Header;
use std::sync::Arc;

/// Random access to packed objects with a cache of everything decoded. One per thread.
pub(in crate::source::git) struct Reader<'p> {
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

/// Cache key of the entry at `offset` in pack `pack`: the pack number above the offset's 48 bits.
fn pack_key(pack: usize, offset: u64) -> u64 {
    ((pack as u64) << 48) | offset
}

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

    /// Keep an object found elsewhere (a loose one) under its id, like one read here.
    pub(super) fn remember(&mut self, id: &gix::oid, found: Object) {
        self.by_id.insert(id.to_owned(), found);
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

#[cfg(test)]
mod tests {
    use super::super::fixture::{chain_pack, temp_dir};
    use super::*;

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
}
