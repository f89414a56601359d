//! Where entries are, place by place: a root and a path relative to it.

use super::{EntryRef, Side};
use crate::inventory::{Entry, Occurrence};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// A root and a path inside it, and for a Kubernetes Secret the key inside the file: a
/// manifest with `tls.key` and `password` is two places, so rotating one is not read as the
/// other changing.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Place {
    pub root: String,
    pub path: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub k8s_key: Option<String>,
}

/// One side's entries by place.
pub(crate) struct Places {
    /// The single root of a one-root run (its paths carry no prefix).
    only_root: Option<String>,
    at_head: BTreeMap<Place, BTreeSet<String>>,
}

impl Places {
    pub(super) fn of(side: &Side<'_>) -> Places {
        let only_root = match side.roots {
            [one] => Some(one.clone()),
            _ => None,
        };
        let mut p = Places {
            only_root,
            at_head: BTreeMap::new(),
        };
        for e in &side.inventory.entries {
            for o in e.occurrences.iter().filter(|o| o.at_head) {
                let place = p.place(o);
                p.at_head.entry(place).or_default().insert(e.id.clone());
            }
        }
        p
    }

    pub(super) fn at_head(&self) -> &BTreeMap<Place, BTreeSet<String>> {
        &self.at_head
    }

    /// The place of an occurrence: its repository (tagged in a run over several roots) and
    /// its path without that repository's prefix.
    pub(super) fn place(&self, o: &Occurrence) -> Place {
        match &o.repo {
            Some(repo) => {
                let prefix = format!("{}/", repo.trim_end_matches('/'));
                Place {
                    root: repo.clone(),
                    path: o.path.strip_prefix(&prefix).unwrap_or(&o.path).to_string(),
                    k8s_key: o.k8s_key.clone(),
                }
            }
            None => Place {
                root: self.only_root.clone().unwrap_or_default(),
                path: o.path.clone(),
                k8s_key: o.k8s_key.clone(),
            },
        }
    }

    /// `e` in brief: its places at HEAD, or in history when it is at no HEAD.
    pub(super) fn entry_ref(&self, e: &Entry) -> EntryRef {
        let mut places: BTreeSet<Place> = e
            .occurrences
            .iter()
            .filter(|o| o.at_head)
            .map(|o| self.place(o))
            .collect();
        if places.is_empty() {
            places = e.occurrences.iter().map(|o| self.place(o)).collect();
        }
        EntryRef {
            id: e.id.clone(),
            kind: e.kind,
            description: describe(e),
            fingerprint: e.fingerprint.to_string(),
            present_at_head: e.present_at_head,
            places: places.into_iter().collect(),
            first_seen: e.first_seen.as_ref().map(|s| s.date.clone()),
            violations: Vec::new(),
        }
    }
}

/// `RSA-2048 private-key`, or the redacted preview of a secret with its rule.
fn describe(e: &Entry) -> String {
    match (&e.algorithm, e.bits) {
        (Some(a), Some(b)) => format!("{a}-{b} {}", e.kind.as_str()),
        (Some(a), None) => format!("{a} {}", e.kind.as_str()),
        _ => {
            let rule = e.rule_ids.iter().next().map_or("", String::as_str);
            format!("{} ({rule})", e.preview)
        }
    }
}
