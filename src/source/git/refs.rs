//! Which commits to start from (and, for `since`/`range`, which to stop at), and the refs that
//! point at a tree or a blob instead of a commit, whose content is scanned commit-less.

use super::pack::{Lookup, Objects};
use super::{GitError, GitOptions, problem};
use crate::source::{BlobSink, ProblemKind};
use gix::ObjectId;
use gix::objs::Kind;
use std::collections::HashMap;

/// A start point that is a commit.
#[derive(Debug, Clone)]
pub(super) struct Tip {
    pub id: ObjectId,
}

/// A ref that points (possibly through annotated tags) at a tree or a blob instead of a commit,
/// such as git.git's `v2.6.11-tree`. Its content has no introducing commit but is history all
/// the same.
#[derive(Debug, Clone)]
pub(super) struct OtherTip {
    pub name: String,
    pub id: ObjectId,
    pub kind: Kind,
}

#[derive(Debug, Default)]
pub(super) struct Tips {
    pub include: Vec<Tip>,
    pub exclude: Vec<ObjectId>,
    pub others: Vec<OtherTip>,
    pub refs_walked: u64,
}

pub(super) fn select(
    repo: &gix::Repository,
    objects: &mut Objects<'_>,
    opts: &GitOptions,
    sink: &dyn BlobSink,
) -> Result<Tips, GitError> {
    let mut tips = Tips::default();
    let mut kinds = KindCache {
        known: HashMap::new(),
        objects,
    };
    // A bounded scan means what `git log A..B` shows. With `since` and no refs, B is HEAD, the
    // branch under test: every ref would drag in other branches' and tags' commits, which a
    // pull request did not add.
    let (include, exclude) = match (&opts.range, &opts.since) {
        (Some((a, b)), _) => (Some(vec![b.clone()]), Some(a)),
        (None, Some(since)) => (
            Some(opts.refs.clone().unwrap_or_else(|| vec!["HEAD".into()])),
            Some(since),
        ),
        (None, None) => (opts.refs.clone(), None),
    };
    if let Some(rev) = exclude {
        let (id, kind) = resolve(repo, rev)?;
        if kind != Kind::Commit {
            return Err(GitError::UnknownRevision {
                rev: rev.clone(),
                message: format!("names a {kind}, not a commit"),
            });
        }
        tips.exclude.push(id);
    }
    match include {
        Some(specs) => {
            for spec in &specs {
                if is_glob(spec) {
                    by_glob(repo, spec, &mut tips, &mut kinds, sink)?;
                } else {
                    let (id, kind) = resolve(repo, spec)?;
                    tips.add(spec, id, Some(kind));
                }
            }
        }
        None => all_refs(repo, &mut tips, &mut kinds, sink)?,
    }
    if exclude.is_some() {
        // A bounded scan is about commits; a ref to a bare tree or blob has no "since".
        tips.others.clear();
    }
    let mut seen = std::collections::HashSet::new();
    tips.include.retain(|t| seen.insert(t.id));
    tips.others.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(tips)
}

impl Tips {
    fn add(&mut self, name: &str, id: ObjectId, kind: Option<Kind>) {
        self.refs_walked += 1;
        match kind {
            Some(Kind::Commit) => self.include.push(Tip { id }),
            Some(kind @ (Kind::Tree | Kind::Blob)) => self.others.push(OtherTip {
                name: name.to_string(),
                id,
                kind,
            }),
            // Tags were peeled; a missing object was already reported.
            Some(Kind::Tag) | None => self.refs_walked -= 1,
        }
    }
}

/// Object kinds of ref targets, looked up once per distinct id: 10,000 tags on a few hundred
/// commits cost a few hundred lookups.
struct KindCache<'a, 'p> {
    known: HashMap<ObjectId, Option<Kind>>,
    objects: &'a mut Objects<'p>,
}

impl KindCache<'_, '_> {
    fn kind(&mut self, name: &str, id: ObjectId, sink: &dyn BlobSink) -> Option<Kind> {
        let objects = &mut *self.objects;
        *self
            .known
            .entry(id)
            .or_insert_with(|| match objects.find(&id) {
                Ok((kind, _)) => Some(kind),
                Err(Lookup::Missing) => {
                    problem(
                        sink,
                        ProblemKind::MissingObject,
                        "",
                        format!(
                            "ref {name} points at {id}, which is missing from the object database"
                        ),
                    );
                    None
                }
                Err(Lookup::Failed(e)) => {
                    problem(
                        sink,
                        ProblemKind::Unreadable,
                        "",
                        format!("ref {name}: object {id}: {e}"),
                    );
                    None
                }
            })
    }
}

/// A revision to one object, annotated tags peeled.
fn resolve(repo: &gix::Repository, rev: &str) -> Result<(ObjectId, Kind), GitError> {
    let unknown = |message: String| GitError::UnknownRevision {
        rev: rev.to_string(),
        message,
    };
    let id = repo
        .rev_parse_single(rev)
        .map_err(|e| unknown(e.to_string()))?;
    let object = id
        .object()
        .and_then(|o| o.peel_tags_to_end())
        .map_err(|e| unknown(e.to_string()))?;
    Ok((object.id, object.kind))
}

fn is_glob(spec: &str) -> bool {
    spec.contains(['*', '?', '['])
}

fn by_glob(
    repo: &gix::Repository,
    pattern: &str,
    tips: &mut Tips,
    kinds: &mut KindCache<'_, '_>,
    sink: &dyn BlobSink,
) -> Result<(), GitError> {
    let glob = globset::GlobBuilder::new(pattern)
        .literal_separator(false)
        .build()
        .map_err(|e| GitError::UnknownRevision {
            rev: pattern.to_string(),
            message: e.to_string(),
        })?
        .compile_matcher();
    for_each_ref(repo, sink, |name, id| {
        if glob.is_match(name) {
            let kind = kinds.kind(name, id, sink);
            tips.add(name, id, kind);
        }
    })
}

/// Every ref, HEAD, and every stash in the stash reflog (only the newest is a ref).
fn all_refs(
    repo: &gix::Repository,
    tips: &mut Tips,
    kinds: &mut KindCache<'_, '_>,
    sink: &dyn BlobSink,
) -> Result<(), GitError> {
    let mut has_stash = false;
    for_each_ref(repo, sink, |name, id| {
        has_stash |= name == "refs/stash";
        let kind = kinds.kind(name, id, sink);
        tips.add(name, id, kind);
    })?;
    // A detached HEAD is reachable from no ref.
    if let Ok(Some(id)) = repo.head().map(|h| h.id()) {
        let id = id.detach();
        let kind = kinds.kind("HEAD", id, sink);
        tips.add("HEAD", id, kind);
    }
    if has_stash {
        stash_reflog(repo, tips, kinds, sink);
    }
    Ok(())
}

fn for_each_ref(
    repo: &gix::Repository,
    sink: &dyn BlobSink,
    mut f: impl FnMut(&str, ObjectId),
) -> Result<(), GitError> {
    let refs_error = |e: &dyn std::fmt::Display| GitError::Refs(e.to_string());
    let platform = repo.references().map_err(|e| refs_error(&e))?;
    let iter = platform.all().map_err(|e| refs_error(&e))?;
    // Peeling through the iterator reuses packed-refs' `^` lines: no tag object is read for the
    // thousands of annotated tags a large repository has.
    let iter = iter.peeled().map_err(|e| refs_error(&e))?;
    for r in iter {
        match r {
            Ok(r) => {
                let name = r.name().as_bstr().to_string();
                match r.try_id() {
                    Some(id) => f(&name, id.detach()),
                    None => problem(
                        sink,
                        ProblemKind::Unreadable,
                        "",
                        format!("ref {name} could not be resolved"),
                    ),
                }
            }
            Err(e) => problem(
                sink,
                ProblemKind::Unreadable,
                "",
                format!("unreadable ref: {e}"),
            ),
        }
    }
    Ok(())
}

fn stash_reflog(
    repo: &gix::Repository,
    tips: &mut Tips,
    kinds: &mut KindCache<'_, '_>,
    sink: &dyn BlobSink,
) {
    let Ok(Some(stash)) = repo.try_find_reference("refs/stash") else {
        return;
    };
    let mut platform = stash.log_iter();
    let Ok(Some(lines)) = platform.all() else {
        return;
    };
    for (n, line) in lines.enumerate() {
        let Ok(line) = line else { continue };
        let id = line.new_oid();
        if id.is_null() {
            continue;
        }
        let name = format!("refs/stash reflog entry {n}");
        let kind = kinds.kind(&name, id, sink);
        tips.add(&name, id, kind);
    }
}
