//! Rules on how long a secret lives and where: rotation-overdue, env-reuse, secret-in-history.

use super::{Ctx, DAY, RotationOverdue, Violation, date, describe, violation, years};
use crate::inventory::{AgeSource, Entry, EntryKind, Inventory};

/// rotation-overdue: a secret at HEAD first seen longer ago than its cryptoperiod.
pub(super) fn rotation_overdue(ctx: &Ctx<'_>, e: &Entry, out: &mut Vec<Violation>) {
    let r = &ctx.cfg.rotation_overdue;
    if !(r.enabled && e.present_at_head && e.kind.is_secret()) {
        return;
    }
    let Some(first) = &e.first_seen else {
        return;
    };
    let (limit, why) = period(e, ctx.inv, r);
    let age = (ctx.now - first.unix) / DAY;
    if age > limit {
        let message = format!(
            "{} first seen {} ({}), {} ago; policy allows {} for {why}",
            describe(e),
            date(first.unix),
            source_name(first.source),
            years(age),
            years(limit)
        );
        out.push(violation("rotation-overdue", r.severity, e, message));
    }
}

/// env-reuse: one secret used in two environments or more.
pub(super) fn env_reuse(ctx: &Ctx<'_>, e: &Entry, out: &mut Vec<Violation>) {
    let cfg = &ctx.cfg.env_reuse;
    if !(cfg.enabled && e.kind.is_secret() && e.environments.len() >= 2) {
        return;
    }
    let envs: Vec<&str> = e.environments.iter().map(String::as_str).collect();
    let message = format!(
        "{} is used in {} environments: {}",
        describe(e),
        envs.len(),
        envs.join(", ")
    );
    out.push(violation("env-reuse", cfg.severity, e, message));
}

/// secret-in-history: a secret gone from HEAD but still in git history.
pub(super) fn secret_in_history(ctx: &Ctx<'_>, e: &Entry, out: &mut Vec<Violation>) {
    let cfg = &ctx.cfg.secret_in_history;
    if !(cfg.enabled && e.kind.is_secret() && !e.present_at_head) {
        return;
    }
    let last = e.last_seen.as_ref().map_or_else(String::new, |s| {
        format!(", last introduced {}", date(s.unix))
    });
    let message = format!(
        "{} is no longer in the code but is recoverable from git history{last}; rotate it",
        describe(e)
    );
    out.push(violation("secret-in-history", cfg.severity, e, message));
}

fn source_name(s: AgeSource) -> &'static str {
    match s {
        AgeSource::Git => "first commit",
        AgeSource::NotBefore => "certificate notBefore",
        AgeSource::Mtime => "file modification time",
    }
}

/// The allowed age in days of an entry, and the policy row it comes from.
fn period(e: &Entry, inv: &Inventory, r: &RotationOverdue) -> (i64, &'static str) {
    match e.kind {
        EntryKind::PrivateKey | EntryKind::Keystore => {
            // TLS and other certified keys: the cryptoperiod is the certificate's validity.
            let cert_days = e
                .paired
                .iter()
                .filter_map(|id| inv.get(id)?.certificate.as_ref())
                .map(|c| (c.not_after_unix - c.not_before_unix) / DAY)
                .max();
            match cert_days {
                Some(d) => (d, "a key certified for that long"),
                None => (r.private_key_days, "private signature/authentication keys"),
            }
        }
        EntryKind::SymmetricKey => (r.symmetric_key_days, "symmetric keys"),
        _ => (r.secret_days, "API credentials and shared secrets"),
    }
}
