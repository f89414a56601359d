//! Certificate rules: cert-expired, cert-expiring, cert-validity-too-long, weak-signature.

use super::{Ctx, DAY, Violation, date, violation};
use crate::inventory::{Entry, EntryKind};

/// Whether cert-expired fires (cert-expiring then stays silent).
fn expired(ctx: &Ctx<'_>, e: &Entry) -> bool {
    let (EntryKind::Certificate, Some(c)) = (e.kind, &e.certificate) else {
        return false;
    };
    e.present_at_head && ctx.cfg.cert_expired.enabled && c.not_after_unix < ctx.now
}

/// cert-expired: a certificate at HEAD past its notAfter.
pub(super) fn cert_expired(ctx: &Ctx<'_>, e: &Entry, out: &mut Vec<Violation>) {
    let (EntryKind::Certificate, Some(c)) = (e.kind, &e.certificate) else {
        return;
    };
    if expired(ctx, e) {
        let message = format!(
            "certificate {} expired on {}",
            c.subject,
            date(c.not_after_unix)
        );
        out.push(violation(
            "cert-expired",
            ctx.cfg.cert_expired.severity,
            e,
            message,
        ));
    }
}

/// cert-expiring: a certificate at HEAD within the warning window of its notAfter.
pub(super) fn cert_expiring(ctx: &Ctx<'_>, e: &Entry, out: &mut Vec<Violation>) {
    let (EntryKind::Certificate, Some(c)) = (e.kind, &e.certificate) else {
        return;
    };
    let cfg = &ctx.cfg.cert_expiring;
    if e.present_at_head
        && !expired(ctx, e)
        && cfg.enabled
        && c.not_after_unix - ctx.now <= cfg.days * DAY
    {
        let message = format!(
            "certificate {} expires on {}, in {} days (warning at {})",
            c.subject,
            date(c.not_after_unix),
            (c.not_after_unix - ctx.now) / DAY,
            cfg.days
        );
        out.push(violation("cert-expiring", cfg.severity, e, message));
    }
}

/// cert-validity-too-long: a leaf certificate valid longer than the CA/B Forum limit.
pub(super) fn cert_validity_too_long(ctx: &Ctx<'_>, e: &Entry, out: &mut Vec<Violation>) {
    let (EntryKind::Certificate, Some(c)) = (e.kind, &e.certificate) else {
        return;
    };
    let cfg = &ctx.cfg.cert_validity_too_long;
    let days = (c.not_after_unix - c.not_before_unix) / DAY;
    if cfg.enabled && !c.is_ca && days > cfg.max_days {
        let message = format!(
            "leaf certificate {} is valid for {days} days; the CA/Browser Forum limit is {}",
            c.subject, cfg.max_days
        );
        out.push(violation(
            "cert-validity-too-long",
            cfg.severity,
            e,
            message,
        ));
    }
}

/// weak-signature: a certificate signed with MD5 or SHA-1.
pub(super) fn weak_signature(ctx: &Ctx<'_>, e: &Entry, out: &mut Vec<Violation>) {
    let (EntryKind::Certificate, Some(c)) = (e.kind, &e.certificate) else {
        return;
    };
    let cfg = &ctx.cfg.weak_signature;
    let sig = c.signature_algorithm.to_ascii_lowercase();
    // Self-signed ones too: a self-signed SHA-1 certificate is usually a server's own.
    if cfg.enabled && (sig.contains("md5") || sig.contains("sha1") || sig.contains("sha-1")) {
        let message = format!(
            "certificate {} is signed with {}",
            c.subject, c.signature_algorithm
        );
        out.push(violation("weak-signature", cfg.severity, e, message));
    }
}
