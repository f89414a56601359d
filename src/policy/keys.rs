//! Key rules: weak-key, unencrypted-private-key.

use super::{Ctx, Violation, WeakKey, describe, violation};
use crate::inventory::{Entry, EntryKind};

/// weak-key: once per key (SPKI), on the most telling entry (private key first).
pub(super) fn weak_key(ctx: &Ctx<'_>, e: &Entry, out: &mut Vec<Violation>) {
    let cfg = &ctx.cfg.weak_key;
    if !cfg.enabled || weak_rank(e.kind) == 3 {
        return;
    }
    let Some(why) = weakness(e, cfg) else { return };
    // The entry itself and its pairs (same SPKI): one violation, on the first.
    let owner = std::iter::once(e)
        .chain(e.paired.iter().filter_map(|id| ctx.inv.get(id)))
        .filter(|o| weak_rank(o.kind) < 3)
        .min_by_key(|o| (weak_rank(o.kind), o.id.as_str()))
        .map_or(e.id.as_str(), |o| o.id.as_str());
    if owner == e.id {
        let message = format!("{}: {why}", describe(e));
        out.push(violation("weak-key", cfg.severity, e, message));
    }
}

/// unencrypted-private-key: a private key in clear, or a keystore that opens without a password.
pub(super) fn unencrypted_private_key(ctx: &Ctx<'_>, e: &Entry, out: &mut Vec<Violation>) {
    let cfg = &ctx.cfg.unencrypted_private_key;
    let plain_key = e.kind == EntryKind::PrivateKey && !e.encrypted;
    let open_store = e.kind == EntryKind::Keystore && e.open_keystore;
    if !(cfg.enabled && (plain_key || open_store)) {
        return;
    }
    let message = if open_store {
        "keystore opens without a password (empty or the tool's default) and holds a private key"
            .to_string()
    } else {
        format!("{} is stored without a passphrase", describe(e))
    };
    out.push(violation(
        "unencrypted-private-key",
        cfg.severity,
        e,
        message,
    ));
}

/// Which entry of one key carries its weak-key violation: private key, else certificate, else
/// public key; 3 for kinds the rule does not judge.
fn weak_rank(k: EntryKind) -> u8 {
    match k {
        EntryKind::PrivateKey => 0,
        EntryKind::Certificate => 1,
        EntryKind::PublicKey => 2,
        _ => 3,
    }
}

fn weakness(e: &Entry, w: &WeakKey) -> Option<String> {
    let alg = e.algorithm.as_deref()?.to_ascii_uppercase();
    let bits = e.bits.unwrap_or(0);
    if alg.starts_with("RSA") {
        if bits > 0 && bits < w.min_rsa_bits {
            return Some(format!(
                "RSA-{bits} is below the {}-bit minimum",
                w.min_rsa_bits
            ));
        }
        if let Some(x) = e.rsa_exponent {
            if x < w.min_rsa_exponent {
                return Some(format!(
                    "RSA public exponent {x} is below {}",
                    w.min_rsa_exponent
                ));
            }
        }
    } else if alg.starts_with("DSA") && !w.allow_dsa {
        return Some("DSA is no longer approved for signatures (FIPS 186-5)".into());
    } else if (alg.starts_with("EC") || alg.starts_with("ECDSA"))
        && bits > 0
        && bits < w.min_ec_bits
    {
        return Some(format!(
            "EC-{bits} is below the {}-bit minimum",
            w.min_ec_bits
        ));
    }
    None
}
