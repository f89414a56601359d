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

/// Entry kinds while a plan is built: what the header says, then (see [`resolve_kinds`]) every
/// delta marked with [`RESOLVED`] and its chain root's kind.
const BLOB: u8 = 1;
const OTHER: u8 = 2;
const DELTA: u8 = 3;
const BROKEN: u8 = 4;
/// Set on a delta once its kind is its chain root's: keeps the mark, drops the chain walk.
const RESOLVED: u8 = 0x80;
/// The kind bits of a resolved entry.
const KIND: u8 = 0x7f;

/// Bytes of entry headers read at a time in the header pass.
const WINDOW: usize = 1 << 20;

impl Plan {
    /// The plan of the entries of `pack` that lead to a blob `wanted` selects. Stages: link every
    /// entry to its base, give each delta its root's kind, mark the chains of wanted blobs, and
    /// shape what is marked into delta trees.
    pub(super) fn build(
        pack: &Pack,
        hash: gix::hash::Kind,
        wanted: &(dyn Fn(&gix::oid) -> Option<u32> + Sync),
    ) -> Result<Plan, PackError> {
        let (mut kind, parent) = link_entries(pack, hash)?;
        resolve_kinds(&mut kind, &parent);
        let (blob, needed) = mark_wanted(pack, &kind, &parent, wanted);
        let (child_start, children) = children_of(&needed, &parent);
        let subtree = subtree_sizes(&needed, &parent);
        let roots = roots_biggest_first(&needed, &parent, &kind, &subtree);
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

/// Each entry's kind and, for a delta, its base's node: one sequential pass over the pack's
/// entry headers, through a window of reads. An entry that cannot be parsed, or whose base is no
/// entry of this pack, is `BROKEN`.
fn link_entries(pack: &Pack, hash: gix::hash::Kind) -> Result<(Vec<u8>, Vec<Node>), PackError> {
    let n = pack.order.len();
    let mut kind = vec![0u8; n];
    let mut parent = vec![NONE; n];
    let mut window = Window::default();
    for node in 0..n {
        let offset = pack.offsets[node];
        if offset >= pack.data_end {
            kind[node] = BROKEN; // the index points past the pack's entries
            continue;
        }
        let bytes = window.at(pack, offset)?;
        match pack::data::Entry::from_bytes(bytes, offset, hash) {
            Ok(entry) => (kind[node], parent[node]) = link(pack, &entry, offset),
            Err(_) => kind[node] = BROKEN,
        }
    }
    Ok((kind, parent))
}

/// An entry's kind and, for a delta whose base is an entry of this pack, the base's node.
fn link(pack: &Pack, entry: &pack::data::Entry, offset: u64) -> (u8, Node) {
    match &entry.header {
        Header::Blob => (BLOB, NONE),
        Header::Tree | Header::Commit | Header::Tag => (OTHER, NONE),
        Header::OfsDelta { .. } | Header::RefDelta { .. } => {
            let n = pack.order.len();
            match pack.base_offset(entry, offset) {
                Ok(Some(base)) => match pack.offsets[..n].binary_search(&base) {
                    Ok(b) => (DELTA, b as Node),
                    Err(_) => (BROKEN, NONE),
                },
                _ => (BROKEN, NONE),
            }
        }
    }
}

/// Pack bytes read ahead for the header pass, so that it reads the pack in large sequential
/// reads rather than one small read per entry.
#[derive(Default)]
struct Window {
    buf: Vec<u8>,
    start: u64,
}

impl Window {
    /// The pack's bytes from `offset` on: at least the 64 a header can take, unless the entries
    /// end first.
    fn at(&mut self, pack: &Pack, offset: u64) -> Result<&[u8], PackError> {
        let end = self.start + self.buf.len() as u64;
        if offset < self.start || offset + 64 > end {
            let new_end = (offset + WINDOW as u64).min(pack.data_end);
            pack.read_at(offset..new_end, &mut self.buf)?;
            self.start = offset;
        }
        Ok(&self.buf[(offset - self.start) as usize..])
    }
}

/// The object kind of a delta is its chain's root kind; memoised by rewriting `kind`. A chain
/// that does not end in a full object (a cycle in a corrupt pack) is `BROKEN`.
fn resolve_kinds(kind: &mut [u8], parent: &[Node]) {
    let n = kind.len();
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
            kind[x] = root_kind | RESOLVED;
        }
        path.clear();
    }
}

/// The caller's blob number of each wanted blob (else `NONE`), and which entries must be
/// decoded to get them: each wanted blob's chain up to its root.
fn mark_wanted(
    pack: &Pack,
    kind: &[u8],
    parent: &[Node],
    wanted: &(dyn Fn(&gix::oid) -> Option<u32> + Sync),
) -> (Vec<u32>, Vec<bool>) {
    let n = kind.len();
    let mut blob = vec![NONE; n];
    let mut needed = vec![false; n];
    for node in 0..n {
        if kind[node] & KIND != BLOB {
            continue;
        }
        let id = pack.index.oid_at_index(pack.order[node]);
        if let Some(b) = wanted(id) {
            blob[node] = b;
            mark_chain(node, parent, &mut needed);
        }
    }
    // Deltas whose chain is broken cannot be walked; their blobs stay for the caller.
    for node in 0..n {
        if kind[node] & KIND == BROKEN {
            needed[node] = false;
        }
    }
    (blob, needed)
}

/// Mark the chain from `node` up to the root; stop at the first node already marked.
fn mark_chain(node: usize, parent: &[Node], needed: &mut [bool]) {
    let mut at = node;
    while at != NONE as usize && !needed[at] {
        needed[at] = true;
        at = parent[at] as usize;
        if at == NONE as usize {
            break;
        }
    }
}

/// The needed children of each needed entry, in CSR layout: the children of `p` are
/// `children[child_start[p]..child_start[p + 1]]`, in pack order.
fn children_of(needed: &[bool], parent: &[Node]) -> (Vec<u32>, Vec<Node>) {
    let n = needed.len();
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
    (child_start, children)
}

/// Needed entries in each entry's subtree (itself included).
fn subtree_sizes(needed: &[bool], parent: &[Node]) -> Vec<u32> {
    // Bases come before their deltas in a pack, so summing from the back adds every child
    // to its parent after the child's own subtree is complete.
    let mut subtree: Vec<u32> = needed.iter().map(|&x| u32::from(x)).collect();
    for node in (0..needed.len()).rev() {
        if needed[node] && parent[node] != NONE && (parent[node] as usize) < node {
            subtree[parent[node] as usize] += subtree[node];
        }
    }
    subtree
}

/// The needed full objects (chain roots), biggest subtree first so that the longest work starts
/// first.
fn roots_biggest_first(
    needed: &[bool],
    parent: &[Node],
    kind: &[u8],
    subtree: &[u32],
) -> Vec<Node> {
    let mut roots: Vec<Node> = (0..needed.len())
        .filter(|&x| needed[x] && parent[x] == NONE && kind[x] & RESOLVED == 0)
        .map(|x| x as Node)
        .collect();
    roots.sort_unstable_by_key(|&r| std::cmp::Reverse(subtree[r as usize]));
    roots
}

#[cfg(test)]
mod tests {
    use super::super::file::Packs;
    use super::super::fixture::{chain_pack, temp_dir};
    use super::*;

    /// Wanting the blob at depth 5 of a chain of ten needs its chain down to the root and
    /// nothing below it: one root, a subtree of six, each level the child of the one before.
    #[test]
    fn a_plan_keeps_only_the_chain_to_a_wanted_blob() {
        let dir = temp_dir("plan-chain");
        let (idx, ids) = chain_pack(&dir, 256, 9);
        let packs = Packs::at(&[idx], gix::hash::Kind::Sha1);
        let pack = &packs.packs[0];
        let wanted = |id: &gix::oid| (id.as_bytes() == ids[5]).then_some(7);
        let plan = Plan::build(pack, gix::hash::Kind::Sha1, &wanted).expect("plan");
        assert_eq!(plan.roots, vec![0]);
        assert_eq!(plan.subtree[0], 6);
        for node in 0..5 {
            assert_eq!(plan.children(node), [node + 1], "children of {node}");
        }
        assert!(plan.children(5).is_empty());
        let blobs: Vec<(usize, u32)> = (plan.blob.iter().enumerate())
            .filter(|&(_, &b)| b != NONE)
            .map(|(i, &b)| (i, b))
            .collect();
        assert_eq!(blobs, vec![(5, 7)]);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
