//! key-beside-data: a key stored in the same scope as ciphertext it can decrypt.

use super::{Ctx, KeyBesideData, Scope, Violation, describe};
use crate::inventory::{Entry, EntryKind, Occurrence};
use crate::model::Severity;
use crate::model::ciphertext::{CiphertextAt, CiphertextKind as C};
use std::collections::BTreeSet;

fn scope_of(path: &str, scope: Scope) -> &str {
    match scope {
        Scope::Repository => "",
        Scope::Directory => path.rsplit_once('/').map_or("", |(d, _)| d),
    }
}

/// A key that decrypts something when found: in clear, or a credential its rule says decrypts
/// ciphertext (`unlocks`: a vault password file, a Rails master key).
fn usable(e: &Entry) -> bool {
    match e.kind {
        EntryKind::PrivateKey | EntryKind::SymmetricKey | EntryKind::Keystore => !e.encrypted,
        EntryKind::Secret => !e.unlocks.is_empty(),
        _ => false,
    }
}

/// Whether `e` can open `c`: by recipient when the format names one (age, OpenPGP, sops), else
/// by kind: a secret whose rule unlocks this kind, a key of the kind's own type (X25519 for age,
/// OpenPGP for a message), and for ciphertext that says nothing of its key (`Salted__`, sops
/// without recipients, JWE, encrypted binary) any usable key. A vault opens only with a
/// secret that unlocks vaults.
fn opens(e: &Entry, c: &CiphertextAt) -> bool {
    if !c.recipients.is_empty() {
        return e
            .spki_sha256
            .as_ref()
            .is_some_and(|s| c.recipient_spki.contains(s))
            || c.recipients.iter().any(|r| e.pgp_ids.contains(r));
    }
    if e.unlocks.contains(&c.kind) {
        return true;
    }
    match c.kind {
        C::AnsibleVault => false,
        C::Age => e.algorithm.as_deref() == Some("X25519"),
        C::OpenpgpMessage => !e.pgp_ids.is_empty(),
        _ => true,
    }
}

/// One violation per (key, ciphertext path): a usable key at HEAD in the scope of ciphertext at
/// HEAD that it opens.
pub(super) fn key_beside_data(ctx: &Ctx<'_>, out: &mut Vec<Violation>) {
    let cfg: &KeyBesideData = &ctx.cfg.key_beside_data;
    let mut done = BTreeSet::new();
    for c in ctx.inv.ciphertexts.iter().filter(|c| c.at_head) {
        let here = scope_of(&c.path, cfg.scope);
        for e in ctx.inv.entries.iter().filter(|e| usable(e)) {
            let beside: Vec<&Occurrence> = e
                .occurrences
                .iter()
                .filter(|o| o.at_head && scope_of(&o.path, cfg.scope) == here)
                .collect();
            if beside.is_empty() || !opens(e, c) || !done.insert((e.id.clone(), c.path.clone())) {
                continue;
            }
            let mut locations: Vec<(String, u32)> =
                beside.iter().map(|o| (o.path.clone(), o.line)).collect();
            locations.push((c.path.clone(), 1));
            out.push(Violation {
                rule: "key-beside-data",
                severity: cfg.severity.unwrap_or(Severity::High),
                entry: e.id.clone(),
                message: format!(
                    "{} is stored beside {} ({:?} ciphertext) that it can decrypt",
                    describe(e),
                    c.path,
                    c.kind
                ),
                locations,
                gating: beside.iter().any(|o| o.gating),
            });
        }
    }
}
