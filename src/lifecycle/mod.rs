//! Lifecycle across audits: what changed between two judged audits of the same roots. This is
//! where the key lifecycle becomes visible — a key *rotated* (the place that held it holds
//! another), *gone from HEAD* (still recoverable from history, so not destroyed), *gone*
//! (destroyed), *aged* into violation, or about to expire before the next audit.
//!
//! A place is a root and a path in it; paths of a run over several roots carry the root as
//! their first component (as the inventory shows them), which is taken off again here so that
//! runs over different sets of roots still compare place by place.

mod history;
mod places;
#[cfg(test)]
mod tests;

pub use history::{History, HistoryRun, history};
pub use places::Place;

use crate::inventory::{Entry, EntryKind, Inventory};
use crate::policy::{PolicyConfig, Violation};
use places::Places;
use serde::Serialize;
use std::collections::BTreeSet;

/// Bumped like the report's: major for removals and renames, minor for additions.
pub const SCHEMA_VERSION: &str = "1.0.0";

/// One judged audit, as the diff reads it.
pub struct Side<'a> {
    pub run: &'a str,
    pub as_of: i64,
    pub complete: bool,
    pub roots: &'a [String],
    pub inventory: &'a Inventory,
    pub violations: &'a [Violation],
}

/// A run as the diff names it.
#[derive(Debug, Clone, Serialize)]
pub struct RunRef {
    pub run: String,
    pub as_of: String,
    pub complete: bool,
    pub roots: Vec<String>,
}

/// An entry in brief: what it is and where it is now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EntryRef {
    pub id: String,
    pub kind: EntryKind,
    pub description: String,
    pub fingerprint: String,
    pub present_at_head: bool,
    /// Where it is in the current checkouts (root and path), or, when in none, in history.
    pub places: Vec<Place>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first_seen: Option<String>,
    /// The policy rules it violates in the later audit (the earlier one when it is gone): a
    /// new key's violations are listed here, not under `newly_violating`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub violations: Vec<&'static str>,
}

/// An entry of the earlier audit no longer in the code.
#[derive(Debug, Clone, Serialize)]
pub struct Removed {
    #[serde(flatten)]
    pub entry: EntryRef,
    /// `gone-from-head` (still in history: not destroyed) or `gone` (in no root at all).
    pub state: &'static str,
}

/// A place whose key or secret changed.
#[derive(Debug, Clone, Serialize)]
pub struct Rotation {
    #[serde(flatten)]
    pub place: Place,
    pub old: EntryRef,
    pub new: EntryRef,
    /// The old one is still somewhere in the later audit (another place, or history).
    pub old_still_present: bool,
    /// The old one is still in some current checkout.
    pub old_at_head: bool,
}

/// A violation, as the diff lists it.
#[derive(Debug, Clone, Serialize)]
pub struct ViolationRef {
    pub rule: &'static str,
    pub severity: crate::model::Severity,
    pub entry: String,
    pub message: String,
    /// Where the entry is (at HEAD, else in history) in the audit the verdict is from.
    pub places: Vec<Place>,
}

/// What changed from one audit to the next.
#[derive(Debug, Clone, Serialize)]
pub struct Diff {
    pub schema_version: &'static str,
    pub from: RunRef,
    pub to: RunRef,
    /// The date of the next audit that `expiring_before_next` looks ahead to.
    pub next: String,
    pub new: Vec<EntryRef>,
    pub removed: Vec<Removed>,
    pub rotated: Vec<Rotation>,
    pub newly_violating: Vec<ViolationRef>,
    pub resolved: Vec<ViolationRef>,
    pub expiring_before_next: Vec<ViolationRef>,
}

/// Rules whose verdict changes with the date alone: what the next audit will find that this
/// one does not, without anything changing in the code.
const AGEING_RULES: &[&str] = &["rotation-overdue", "cert-expired", "cert-expiring"];

/// Compare `a` (earlier) with `b` (later); `next` is the next audit's date.
pub fn diff(a: &Side<'_>, b: &Side<'_>, cfg: &PolicyConfig, next: i64) -> Diff {
    let (pa, pb) = (Places::of(a), Places::of(b));
    let rotated = rotations(a, b, &pa, &pb);
    let rotated_new: BTreeSet<&str> = rotated.iter().map(|r| r.new.id.as_str()).collect();
    let rotated_old: BTreeSet<&str> = rotated.iter().map(|r| r.old.id.as_str()).collect();
    let new: Vec<EntryRef> = b
        .inventory
        .entries
        .iter()
        .filter(|e| a.inventory.get(&e.id).is_none() && !rotated_new.contains(e.id.as_str()))
        .map(|e| pb.entry_ref(e))
        .collect();
    let removed = removed(a, b, &pa, &rotated_old);
    let fresh: BTreeSet<&str> = new
        .iter()
        .map(|e| e.id.as_str())
        .chain(rotated_new.iter().copied())
        .collect();
    let (newly_violating, resolved) = violation_changes((a, &pa), (b, &pb), &fresh, &rotated_old);
    let mut d = Diff {
        schema_version: SCHEMA_VERSION,
        from: run_ref(a),
        to: run_ref(b),
        next: crate::time::rfc3339(next),
        new,
        removed,
        rotated,
        newly_violating,
        resolved,
        expiring_before_next: expiring(b, &pb, cfg, next),
    };
    add_verdicts(&mut d, a, b);
    d
}

/// Each listed entry's violations: in `b` when it is there, else in `a`.
fn add_verdicts(d: &mut Diff, a: &Side<'_>, b: &Side<'_>) {
    let rules = |id: &str| -> Vec<&'static str> {
        let in_b = b.inventory.get(id).is_some();
        let side = if in_b { b } else { a };
        side.violations
            .iter()
            .filter(|v| v.entry == id)
            .map(|v| v.rule)
            .collect()
    };
    for e in d
        .new
        .iter_mut()
        .chain(d.removed.iter_mut().map(|r| &mut r.entry))
    {
        e.violations = rules(&e.id);
    }
    for r in &mut d.rotated {
        r.old.violations = rules(&r.old.id);
        r.new.violations = rules(&r.new.id);
    }
}

fn run_ref(s: &Side<'_>) -> RunRef {
    RunRef {
        run: s.run.to_string(),
        as_of: crate::time::rfc3339(s.as_of),
        complete: s.complete,
        roots: s.roots.to_vec(),
    }
}

/// Places whose entries at HEAD changed: each entry that left a place paired with one that
/// arrived there of the same kind (and, for secrets, found by the same rule).
pub(super) fn rotations(a: &Side<'_>, b: &Side<'_>, pa: &Places, pb: &Places) -> Vec<Rotation> {
    let mut out = Vec::new();
    for (place, before) in pa.at_head() {
        let Some(after) = pb.at_head().get(place) else {
            continue;
        };
        let left: Vec<&Entry> = before
            .difference(after)
            .filter_map(|id| a.inventory.get(id))
            .collect();
        let mut arrived: Vec<&Entry> = after
            .difference(before)
            .filter_map(|id| b.inventory.get(id))
            .collect();
        for old in left {
            let Some(i) = arrived.iter().position(|n| same_role(old, n)) else {
                continue;
            };
            let new = arrived.remove(i);
            let still = b.inventory.get(&old.id);
            out.push(Rotation {
                place: place.clone(),
                old: pa.entry_ref(old),
                new: pb.entry_ref(new),
                old_still_present: still.is_some(),
                old_at_head: still.is_some_and(|e| e.present_at_head),
            });
        }
    }
    out
}

/// Whether `new` can stand in for `old`: the same kind of thing, doing the same job.
fn same_role(old: &Entry, new: &Entry) -> bool {
    old.kind == new.kind
        && (old.kind != EntryKind::Secret || !old.rule_ids.is_disjoint(&new.rule_ids))
}

fn removed(a: &Side<'_>, b: &Side<'_>, pa: &Places, rotated_old: &BTreeSet<&str>) -> Vec<Removed> {
    a.inventory
        .entries
        .iter()
        .filter(|e| !rotated_old.contains(e.id.as_str()))
        .filter_map(|e| {
            let state = match b.inventory.get(&e.id) {
                None => "gone",
                Some(later) if e.present_at_head && !later.present_at_head => "gone-from-head",
                Some(_) => return None,
            };
            Some(Removed {
                entry: pa.entry_ref(e),
                state,
            })
        })
        .collect()
}

/// Violations of `b` not in `a` (but not those of entries new in `b`, listed with them, nor
/// the history verdict of a rotated-out key, which its rotation says), and violations of `a`
/// gone from `b`.
fn violation_changes(
    (a, pa): (&Side<'_>, &Places),
    (b, pb): (&Side<'_>, &Places),
    fresh: &BTreeSet<&str>,
    rotated_old: &BTreeSet<&str>,
) -> (Vec<ViolationRef>, Vec<ViolationRef>) {
    let key = |v: &Violation| (v.rule, v.entry.clone());
    let before: BTreeSet<_> = a.violations.iter().map(key).collect();
    let after: BTreeSet<_> = b.violations.iter().map(key).collect();
    let newly = b
        .violations
        .iter()
        .filter(|v| !before.contains(&key(v)) && !fresh.contains(v.entry.as_str()))
        .filter(|v| !(v.rule == "secret-in-history" && rotated_old.contains(v.entry.as_str())))
        .map(|v| violation_ref(v, b, pb))
        .collect();
    let resolved = a
        .violations
        .iter()
        .filter(|v| !after.contains(&key(v)))
        .map(|v| violation_ref(v, a, pa))
        .collect();
    (newly, resolved)
}

/// What the policy will say at `next` about `b`'s inventory that it does not say now.
fn expiring(b: &Side<'_>, pb: &Places, cfg: &PolicyConfig, next: i64) -> Vec<ViolationRef> {
    if next <= b.as_of {
        return Vec::new();
    }
    let now: BTreeSet<_> = b.violations.iter().map(|v| (v.rule, &v.entry)).collect();
    crate::policy::evaluate(b.inventory, cfg, next)
        .iter()
        .filter(|v| AGEING_RULES.contains(&v.rule) && !now.contains(&(v.rule, &v.entry)))
        .map(|v| violation_ref(v, b, pb))
        .collect()
}

fn violation_ref(v: &Violation, side: &Side<'_>, places: &Places) -> ViolationRef {
    ViolationRef {
        rule: v.rule,
        severity: v.severity,
        entry: v.entry.clone(),
        message: v.message.clone(),
        places: side
            .inventory
            .get(&v.entry)
            .map_or_else(Vec::new, |e| places.entry_ref(e).places),
    }
}
