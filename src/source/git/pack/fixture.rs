//! Test packs built by hand: a blob and a chain of deltas on it, with its index, for the reader's
//! and the walk's tests of how much of a chain they hold.

use std::path::{Path, PathBuf};

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
pub(super) fn chain_pack(dir: &Path, size: usize, depth: usize) -> (PathBuf, Vec<[u8; 20]>) {
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

pub(super) fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("keyaudit-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}
