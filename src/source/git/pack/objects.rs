//! Every object of the repository, packed or loose: the packs through a [`Reader`], and gix's
//! object database for the rest, with loose objects cached alongside packed ones. This is what
//! the history walk, the tree diffs and the one-by-one blob reads ask for objects.

use super::Object;
use super::file::Packs;
use super::reader::Reader;
use std::sync::Arc;

/// Objects from the packs through a [`Reader`], and from gix's object database for whatever
/// is not packed (loose objects). One per thread.
pub(in crate::source::git) struct Objects<'a> {
    pub reader: Reader<'a>,
    repo: gix::Repository,
    buf: Vec<u8>,
}

/// Why [`Objects::find`] found nothing usable.
pub(in crate::source::git) enum Lookup {
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
                self.reader.remember(id, found.clone());
                Ok(found)
            }
            Ok(None) => Err(Lookup::Missing),
            Err(e) => Err(Lookup::Failed(e.to_string())),
        }
    }
}
