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
//!
//! One job per file: [`file`](mod@file) opens packs and reads their entries, [`entry`] inflates
//! an entry's payload, [`delta`] applies git deltas, [`cache`] keeps decoded objects, [`reader`]
//! reads one object by id through that cache, [`objects`] adds loose objects to it, and [`plan`]
//! and [`walk`] stream a whole pack in delta-tree order.

mod cache;
mod delta;
mod entry;
mod file;
mod objects;
mod plan;
mod reader;
mod walk;

pub(super) use file::Packs;
pub(super) use objects::{Lookup, Objects};
pub(super) use reader::Reader;
pub(super) use walk::{Limits, walk_blobs};

use gix::ObjectId;
use gix::objs::Kind;
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

#[cfg(test)]
mod fixture;
