//! The commit graph of the scanned history: which commits are in scope, their trees, parents and
//! dates. Built by one newest-first walk; only the commits touched are parsed.

use super::pack::{Lookup, Objects};
use super::problem;
use crate::source::{BlobSink, ProblemKind, Step};
use gix::ObjectId;
use gix::hashtable::HashMap;
use gix::objs::{CommitRef, Kind};
use std::collections::{BinaryHeap, HashSet};

/// Commit index of a blob reached through a ref to a tree or blob (no commit).
pub(super) const NO_COMMIT: u32 = u32::MAX;

const PARSED: u8 = 1;
/// Missing, not a commit, or corrupt: treated as having no tree and no parents.
const BROKEN: u8 = 2;
const UNINTERESTING: u8 = 4;
const QUEUED: u8 = 8;
const SEEN: u8 = 16;
const IN_SCOPE: u8 = 32;

/// A commit that is in the scanned history may still be reachable from the excluded side through
/// a path not yet explored if commit dates are skewed. Walking the excluded side this much further
/// back than the oldest in-scope commit (as git does with its SLOP) settles all realistic cases.
const CLOCK_SKEW_SLACK: i64 = 86_400;

pub(super) struct Node {
    pub id: ObjectId,
    /// Null until parsed, and for broken commits.
    pub tree: ObjectId,
    pub commit_time: i64,
    pub author_time: i64,
    pub author: u32,
    parents_start: u32,
    parents_len: u32,
    flags: u8,
}

/// What the walk keeps of a commit object.
pub(super) struct CommitFields {
    pub tree: ObjectId,
    pub commit_time: i64,
    /// `(name, email)`; `None` if the author line does not parse.
    pub author: Option<(Vec<u8>, Vec<u8>)>,
    /// The committer time if the author line does not parse.
    pub author_time: i64,
    pub parents: Vec<ObjectId>,
}

impl CommitFields {
    /// Parse a commit object's bytes (gix parses; this decides what a damaged line means).
    pub fn parse(data: &[u8], hash: gix::hash::Kind) -> Result<CommitFields, String> {
        let commit = CommitRef::from_bytes(data, hash).map_err(|e| e.to_string())?;
        let commit_time = commit.committer().map_or(0, |s| s.seconds());
        let (author, author_time) = match commit.author() {
            Ok(s) => (Some((s.name.to_vec(), s.email.to_vec())), s.seconds()),
            Err(_) => (None, commit_time),
        };
        Ok(CommitFields {
            tree: commit.tree(),
            commit_time,
            author,
            author_time,
            parents: commit.parents().collect(),
        })
    }
}

pub(super) struct Graph {
    pub nodes: Vec<Node>,
    index: HashMap<ObjectId, u32>,
    parent_list: Vec<u32>,
    /// `(name, email)`, interned: a few thousand authors write hundreds of thousands of commits.
    pub authors: Vec<(String, String)>,
    author_index: std::collections::HashMap<(Vec<u8>, Vec<u8>), u32>,
    shallow: HashSet<ObjectId>,
    is_shallow: bool,
}

/// What parsing commits needs; kept out of [`Graph`] so that the graph can be shared by the
/// worker threads of the later passes.
pub(super) struct Loader<'r, 'p> {
    pub objects: &'r mut Objects<'p>,
    pub sink: &'r dyn BlobSink,
}

impl Graph {
    pub fn new(repo: &gix::Repository, sink: &dyn BlobSink) -> Self {
        let shallow = match repo.shallow_commits() {
            Ok(Some(commits)) => commits.iter().copied().collect(),
            Ok(None) => HashSet::new(),
            Err(e) => {
                problem(
                    sink,
                    ProblemKind::Unreadable,
                    "",
                    format!("cannot read the shallow file: {e}"),
                );
                HashSet::new()
            }
        };
        Graph {
            is_shallow: !shallow.is_empty() || repo.is_shallow(),
            nodes: Vec::new(),
            index: HashMap::default(),
            parent_list: Vec::new(),
            authors: Vec::new(),
            author_index: Default::default(),
            shallow,
        }
    }

    pub fn is_shallow(&self) -> bool {
        self.is_shallow
    }

    /// Parents of a commit that could be parsed (missing ones are left out, after a problem).
    pub fn parents(&self, c: u32) -> impl Iterator<Item = u32> + '_ {
        let n = &self.nodes[c as usize];
        self.parent_list[n.parents_start as usize..(n.parents_start + n.parents_len) as usize]
            .iter()
            .copied()
            .filter(|&p| self.nodes[p as usize].flags & PARSED != 0)
    }

    /// Commits reachable from `include` and not from `exclude`, oldest first.
    ///
    /// A newest-first walk with git's interesting/uninteresting marking: the excluded side is
    /// walked only as far back as the included side needs, so `since main` on a feature branch
    /// costs the branch, not the repository.
    pub fn walk(
        &mut self,
        ld: &mut Loader<'_, '_>,
        include: &[ObjectId],
        exclude: &[ObjectId],
    ) -> Vec<u32> {
        ld.sink.step(Step::WalkingCommits, None);
        let mut heap = BinaryHeap::new();
        let mut interesting_queued = 0usize;
        for (ids, uninteresting) in [(exclude, true), (include, false)] {
            for id in ids {
                let c = self.node(*id);
                if uninteresting {
                    self.mark_uninteresting(c, &mut interesting_queued);
                }
                self.parse(ld, c, None);
                self.push(c, &mut heap, &mut interesting_queued);
            }
        }
        let bounded = !exclude.is_empty();
        let mut oldest_in_scope = i64::MAX;
        let mut in_scope = Vec::new();
        while let Some((time, c)) = heap.pop() {
            let flags = &mut self.nodes[c as usize].flags;
            *flags &= !QUEUED;
            let uninteresting = *flags & UNINTERESTING != 0;
            if !uninteresting {
                interesting_queued -= 1;
                *flags |= IN_SCOPE;
                in_scope.push(c);
                ld.sink.advance(1);
                oldest_in_scope = oldest_in_scope.min(time);
            }
            let n = &self.nodes[c as usize];
            let parents = n.parents_start as usize..(n.parents_start + n.parents_len) as usize;
            for i in parents {
                let p = self.parent_list[i];
                self.parse(ld, p, Some(c));
                if uninteresting {
                    self.mark_uninteresting(p, &mut interesting_queued);
                }
                self.push(p, &mut heap, &mut interesting_queued);
            }
            if bounded && interesting_queued == 0 {
                match heap.peek() {
                    Some(&(next, _))
                        if next >= oldest_in_scope.saturating_sub(CLOCK_SKEW_SLACK) => {}
                    _ => break,
                }
            }
        }
        // A commit taken as in scope can later turn out to be reachable from the excluded side.
        in_scope.retain(|&c| self.nodes[c as usize].flags & UNINTERESTING == 0);
        in_scope.sort_by_key(|&c| (self.nodes[c as usize].commit_time, c));
        in_scope
    }

    fn node(&mut self, id: ObjectId) -> u32 {
        if let Some(&c) = self.index.get(&id) {
            return c;
        }
        let c = self.nodes.len() as u32;
        self.nodes.push(Node {
            id,
            tree: ObjectId::null(id.kind()),
            commit_time: 0,
            author_time: 0,
            author: 0,
            parents_start: 0,
            parents_len: 0,
            flags: 0,
        });
        self.index.insert(id, c);
        c
    }

    fn push(&mut self, c: u32, heap: &mut BinaryHeap<(i64, u32)>, interesting_queued: &mut usize) {
        let n = &mut self.nodes[c as usize];
        if n.flags & (SEEN | BROKEN) != 0 || n.flags & PARSED == 0 {
            return;
        }
        n.flags |= SEEN | QUEUED;
        if n.flags & UNINTERESTING == 0 {
            *interesting_queued += 1;
        }
        heap.push((n.commit_time, c));
    }

    /// Mark `c` and everything already known below it as reachable from the excluded side.
    fn mark_uninteresting(&mut self, c: u32, interesting_queued: &mut usize) {
        let mut stack = vec![c];
        while let Some(c) = stack.pop() {
            let n = &mut self.nodes[c as usize];
            if n.flags & UNINTERESTING != 0 {
                continue;
            }
            n.flags |= UNINTERESTING;
            if n.flags & QUEUED != 0 {
                *interesting_queued -= 1;
            }
            let range = n.parents_start as usize..(n.parents_start + n.parents_len) as usize;
            stack.extend_from_slice(&self.parent_list[range]);
        }
    }

    fn parse(&mut self, ld: &mut Loader<'_, '_>, c: u32, child: Option<u32>) {
        if self.nodes[c as usize].flags & (PARSED | BROKEN) != 0 {
            return;
        }
        let id = self.nodes[c as usize].id;
        let context = || match child {
            Some(child) => format!(" (parent of {})", self.nodes[child as usize].id),
            None => String::new(),
        };
        let data = match ld.objects.find(&id) {
            Ok((Kind::Commit, data)) => data,
            Ok((kind, _)) => {
                let message = format!("{id}{} is a {kind}, not a commit", context());
                return self.broken(ld.sink, c, ProblemKind::Unreadable, message);
            }
            Err(Lookup::Missing) => {
                let message = format!(
                    "commit {id}{} is missing from the object database",
                    context()
                );
                return self.broken(ld.sink, c, ProblemKind::MissingObject, message);
            }
            Err(Lookup::Failed(e)) => {
                let message = format!("commit {id}{}: {e}", context());
                return self.broken(ld.sink, c, ProblemKind::Unreadable, message);
            }
        };
        let fields = match CommitFields::parse(&data, id.kind()) {
            Ok(fields) => fields,
            Err(e) => {
                let message = format!("commit {id}{}: cannot parse: {e}", context());
                return self.broken(ld.sink, c, ProblemKind::Unreadable, message);
            }
        };
        let CommitFields {
            tree,
            commit_time,
            author,
            author_time,
            parents,
        } = fields;
        // History stops at a shallow boundary: its parents are named but absent on purpose.
        let parent_ids = if self.shallow.contains(&id) {
            Vec::new()
        } else {
            parents
        };
        let author = author.map_or(0, |a| self.author(a));
        let parents_start = self.parent_list.len() as u32;
        for p in parent_ids {
            let p = self.node(p);
            self.parent_list.push(p);
        }
        let n = &mut self.nodes[c as usize];
        n.tree = tree;
        n.commit_time = commit_time;
        n.author_time = author_time;
        n.author = author;
        n.parents_start = parents_start;
        n.parents_len = self.parent_list.len() as u32 - parents_start;
        n.flags |= PARSED;
    }

    fn broken(&mut self, sink: &dyn BlobSink, c: u32, kind: ProblemKind, message: String) {
        self.nodes[c as usize].flags |= BROKEN;
        problem(sink, kind, "", message);
    }

    fn author(&mut self, key: (Vec<u8>, Vec<u8>)) -> u32 {
        if self.authors.is_empty() {
            // Index 0 stands for an unparsable author line.
            self.authors.push((String::new(), String::new()));
        }
        if let Some(&a) = self.author_index.get(&key) {
            return a;
        }
        let a = self.authors.len() as u32;
        self.authors.push((
            String::from_utf8_lossy(&key.0).into_owned(),
            String::from_utf8_lossy(&key.1).into_owned(),
        ));
        self.author_index.insert(key, a);
        a
    }

    /// Order of "earlier" for introductions: committer time, then author time, then id, so that
    /// the result does not depend on which thread saw what first. Commit-less introductions (refs
    /// to trees or blobs) come last.
    pub fn earlier(&self, a: u32, b: u32) -> bool {
        self.intro_key(a) < self.intro_key(b)
    }

    pub fn intro_key(&self, c: u32) -> (i64, i64, &[u8]) {
        match self.nodes.get(c as usize) {
            Some(n) if c != NO_COMMIT => (n.commit_time, n.author_time, n.id.as_bytes()),
            _ => (i64::MAX, i64::MAX, &[]),
        }
    }
}
