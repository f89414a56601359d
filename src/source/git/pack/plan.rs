//! Which entries of one pack a walk decodes, and in what shape: one pass over every entry
//! header links each delta to its base, and only the chains that lead to a wanted blob are kept,
//! as a forest of delta trees (children in CSR layout, subtree sizes, roots biggest first).
//! Nothing is inflated here; [`walk`](super::walk) decodes what the plan names.

use super::PackError;
use super::file::Pack;
use gix::odb::pack::{self, data::entry::Header};

/// Node id in a pack walk: the entry's rank by offset.
pub(super) type Node = u32;
pub(super) const NONE: u32 = u32::MAX;

/// Which entries a pack walk decodes, and in what shape.
pub(super) struct Plan {
    /// The caller's blob number for wanted entries, else `NONE`.
    pub(super) blob: Vec<u32>,
    /// Children of each needed entry that are themselves needed: CSR layout.
    child_start: Vec<u32>,
    children: Vec<Node>,
    /// Needed entries in each subtree, to hand big subtrees to other threads.
    pub(super) subtree: Vec<u32>,
    /// Full objects that lead to a wanted blob, biggest subtree first.
    pub(super) roots: Vec<Node>,
}

impl Plan {
    pub(super) fn build(
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

    pub(super) fn children(&self, node: Node) -> &[Node] {
        let (a, b) = (
            self.child_start[node as usize],
            self.child_start[node as usize + 1],
        );
        &self.children[a as usize..b as usize]
    }
}
