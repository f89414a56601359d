//! Rules on one secret shared between systems: repo-reuse (several repositories of one run) and
//! service-reuse (several services of one repository, as `[services]` names them). A shared
//! key cannot be rotated or revoked for one system alone, and a leak from any of them exposes
//! all (SP 800-57 Part 1 §5.2: a key serves one purpose).

use super::{Ctx, Violation, describe, violation};
use crate::inventory::Entry;
use std::collections::{BTreeMap, BTreeSet};

/// repo-reuse: one secret in two repositories or more.
pub(super) fn repo_reuse(ctx: &Ctx<'_>, e: &Entry, out: &mut Vec<Violation>) {
    let cfg = &ctx.cfg.repo_reuse;
    if !(cfg.enabled && e.kind.is_secret()) {
        return;
    }
    let repos: BTreeSet<&str> = e
        .occurrences
        .iter()
        .filter_map(|o| o.repo.as_deref())
        .collect();
    if repos.len() < 2 {
        return;
    }
    let message = format!(
        "{} is used in {} repositories: {}",
        describe(e),
        repos.len(),
        list(&repos)
    );
    out.push(violation("repo-reuse", cfg.severity, e, message));
}

/// service-reuse: one secret in two services or more of the same repository. Services of
/// different repositories are repo-reuse's business, not this rule's.
pub(super) fn service_reuse(ctx: &Ctx<'_>, e: &Entry, out: &mut Vec<Violation>) {
    let cfg = &ctx.cfg.service_reuse;
    if !(cfg.enabled && e.kind.is_secret() && e.services.len() >= 2) {
        return;
    }
    let mut by_repo: BTreeMap<Option<&str>, BTreeSet<&str>> = BTreeMap::new();
    for o in &e.occurrences {
        if let Some(s) = &o.service {
            by_repo.entry(o.repo.as_deref()).or_default().insert(s);
        }
    }
    let parts: Vec<String> = by_repo
        .iter()
        .filter(|(_, services)| services.len() >= 2)
        .map(|(repo, services)| match repo {
            Some(r) => format!("{} services of {r}: {}", services.len(), list(services)),
            None => format!("{} services: {}", services.len(), list(services)),
        })
        .collect();
    if parts.is_empty() {
        return;
    }
    let message = format!("{} is used in {}", describe(e), parts.join("; "));
    out.push(violation("service-reuse", cfg.severity, e, message));
}

fn list(names: &BTreeSet<&str>) -> String {
    names.iter().copied().collect::<Vec<_>>().join(", ")
}
