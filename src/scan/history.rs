//! Findings from history blobs: credited to every path and commit that introduced the blob, then
//! collapsed so that a secret edited through many versions of a file is reported once per path,
//! at its first appearance.

use crate::model::{self, Finding};
use crate::source::git::GitOrigin;

/// A history blob is detected once, at its first path; each path it was introduced at then gets
/// its own copy of the findings, credited to the commit that put the blob there.
pub(super) fn with_git_provenance(found: Vec<Finding>, g: &GitOrigin) -> Vec<Finding> {
    if found.is_empty() {
        return found;
    }
    let mut out = Vec::with_capacity(found.len() * g.introduced.len());
    for intro in &g.introduced {
        for f in &found {
            let mut f = f.clone();
            f.location.path.clone_from(&intro.path);
            f.git = Some(model::GitProvenance {
                blob_id: g.blob_id.clone(),
                commit: intro.commit.clone(),
                at_head: intro.at_head,
                // At this path, not anywhere: the same blob kept at another path must not make
                // this path's copy look current once the path holds another version (a key
                // rotated in one of two services). `collapse_versions` then ORs the versions.
                present_at_head: intro.at_head,
                occurrences: g.occurrences.clone(),
            });
            out.push(f);
        }
    }
    out
}

/// History holds a secret once per version of the file that carries it: each edit of the file
/// makes a new blob. Report it once per path, at its earliest introduction, which is the date
/// that matters (the key's age); `present_at_head` then says whether any version holding it is
/// still in HEAD's tree. Deterministic: the earliest (commit time, blob id, line) wins.
pub(super) fn collapse_versions(findings: Vec<Finding>) -> Vec<Finding> {
    use std::collections::HashMap;
    type Rank = (i64, String, u32);
    let rank = |f: &Finding| -> Rank {
        let g = f.git.as_ref();
        (
            g.and_then(|g| g.commit.as_ref())
                .map_or(i64::MIN, |c| c.commit_time),
            g.map_or_else(String::new, |g| g.blob_id.clone()),
            f.location.start.line,
        )
    };
    let mut best: HashMap<(String, String, model::Fingerprint), (usize, Rank, bool)> =
        HashMap::new();
    for (i, f) in findings.iter().enumerate() {
        let Some(g) = &f.git else { continue };
        let key = (
            f.location.path.clone(),
            f.rule_id.clone(),
            f.fingerprint.clone(),
        );
        let r = rank(f);
        best.entry(key)
            .and_modify(|(at, br, head)| {
                *head |= g.present_at_head;
                if r < *br {
                    *at = i;
                    *br = r.clone();
                }
            })
            .or_insert((i, r, g.present_at_head));
    }
    let keep: HashMap<usize, bool> = best.into_values().map(|(i, _, h)| (i, h)).collect();
    findings
        .into_iter()
        .enumerate()
        .filter_map(|(i, mut f)| {
            if f.git.is_none() {
                return Some(f);
            }
            let head = *keep.get(&i)?;
            if let Some(g) = f.git.as_mut() {
                g.present_at_head = head;
            }
            Some(f)
        })
        .collect()
}
