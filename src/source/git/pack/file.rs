//! The pack files themselves: finding a repository's packs, their entries' extents (from the
//! index, which may lie), and positioned reads of an entry's bytes and header. Everything that
//! touches a pack file's bytes on disk goes through here, so the bounds checks live in one place.

use super::PackError;
use gix::odb::pack::{self, data::entry::Header};
use std::fs::File;
use std::ops::Range;
use std::path::{Path, PathBuf};

/// The repository's packs (its own and its alternates').
pub(in crate::source::git) struct Packs {
    pub packs: Vec<Pack>,
    /// Indexes that could not be used (truncated, bad header, pack file gone): each path with
    /// why. Their packs' objects are unreadable; the scan reports the damage once per index.
    pub broken: Vec<(PathBuf, String)>,
    pub(super) hash: gix::hash::Kind,
}

pub(in crate::source::git) struct Pack {
    pub index: pack::index::File,
    file: File,
    path: PathBuf,
    /// Entry offsets in ascending order, then one more: where the entries end (before the
    /// trailing checksum). `offsets[i]..offsets[i + 1]` is entry `i`'s extent.
    pub(super) offsets: Vec<u64>,
    /// `order[i]`: the index position of the entry at `offsets[i]`, to get its object id.
    pub(super) order: Vec<u32>,
    /// Where the entries end in the pack file: its length less the trailing checksum.
    pub(super) data_end: u64,
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

    pub(super) fn corrupt(&self, offset: u64, message: impl Into<String>) -> PackError {
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

    pub(super) fn read_at(&self, range: Range<u64>, buf: &mut Vec<u8>) -> Result<(), PackError> {
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
    pub(super) fn entry(
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
    pub(super) fn base_offset(
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
