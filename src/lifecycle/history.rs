//! One entry's life across every stored audit, oldest first: in which audits it was present,
//! where, whether at HEAD, which violations it had, and what replaced it where it was rotated.

use super::places::{Place, Places};
use super::{EntryRef, Side, rotations};
use serde::Serialize;

/// One audit as the entry's history sees it.
#[derive(Debug, Clone, Serialize)]
pub struct HistoryRun {
    pub run: String,
    pub as_of: String,
    pub complete: bool,
    pub present: bool,
    pub at_head: bool,
    pub places: Vec<Place>,
    pub violations: Vec<&'static str>,
}

/// A place where the entry was replaced, and by what.
#[derive(Debug, Clone, Serialize)]
pub struct RotatedBy {
    /// The first audit that saw the replacement.
    pub run: String,
    #[serde(flatten)]
    pub place: Place,
    pub new: EntryRef,
}

#[derive(Debug, Clone, Serialize)]
pub struct History {
    pub schema_version: &'static str,
    pub entry: String,
    /// The entry as its latest audit describes it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub latest: Option<EntryRef>,
    /// The first audit that saw it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first_audit: Option<String>,
    /// The last audit that saw it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_audit: Option<String>,
    pub rotated_by: Vec<RotatedBy>,
    pub runs: Vec<HistoryRun>,
}

/// The life of entry `id` across `sides` (oldest first).
pub fn history(id: &str, sides: &[Side<'_>]) -> History {
    let places: Vec<Places> = sides.iter().map(Places::of).collect();
    let mut out = History {
        schema_version: super::SCHEMA_VERSION,
        entry: id.to_string(),
        latest: None,
        first_audit: None,
        last_audit: None,
        rotated_by: Vec::new(),
        runs: Vec::new(),
    };
    for (i, side) in sides.iter().enumerate() {
        let entry = side.inventory.get(id);
        if let Some(e) = entry {
            out.latest = Some(places[i].entry_ref(e));
            out.first_audit.get_or_insert_with(|| side.run.to_string());
            out.last_audit = Some(side.run.to_string());
        }
        out.runs.push(HistoryRun {
            run: side.run.to_string(),
            as_of: crate::time::rfc3339(side.as_of),
            complete: side.complete,
            present: entry.is_some(),
            at_head: entry.is_some_and(|e| e.present_at_head),
            places: entry.map_or_else(Vec::new, |e| places[i].entry_ref(e).places),
            violations: side
                .violations
                .iter()
                .filter(|v| v.entry == id)
                .map(|v| v.rule)
                .collect(),
        });
        if i > 0 && sides[i - 1].inventory.get(id).is_some() {
            let prev = &sides[i - 1];
            for r in rotations(prev, side, &places[i - 1], &places[i]) {
                if r.old.id == id {
                    out.rotated_by.push(RotatedBy {
                        run: side.run.to_string(),
                        place: r.place,
                        new: r.new,
                    });
                }
            }
        }
    }
    out
}
