//! An entry's payload: its object kind, its announced size checked against a limit before
//! anything is allocated (sizes come from untrusted headers), and its zlib stream inflated to
//! exactly that size. Shared by the one-object reader and the pack walk.

use super::PackError;
use gix::objs::Kind;
use gix::odb::pack::data::entry::Header;

/// The object kind of a full entry; `None` for a delta, whose kind is its base's.
pub(super) fn kind_of(header: &Header) -> Option<Kind> {
    match header {
        Header::Commit => Some(Kind::Commit),
        Header::Tree => Some(Kind::Tree),
        Header::Blob => Some(Kind::Blob),
        Header::Tag => Some(Kind::Tag),
        Header::OfsDelta { .. } | Header::RefDelta { .. } => None,
    }
}

/// `size` as a buffer length, or an error if it is over `limit`.
pub(super) fn checked_size(size: u64, limit: u64) -> Result<usize, PackError> {
    if size > limit {
        return Err(PackError::TooLarge { size, limit });
    }
    usize::try_from(size).map_err(|_| PackError::TooLarge { size, limit })
}

/// Inflate a complete zlib stream of exactly `size` bytes into `out`.
pub(super) fn inflate_into(
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
