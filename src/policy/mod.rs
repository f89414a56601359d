//! Stage 6: the policy. Judges each inventory entry against key-management rules (NIST SP 800-57
//! Part 1 Rev. 5 cryptoperiods, CA/Browser Forum Baseline Requirements for certificates) and
//! produces [`Violation`]s. Rule ids are fixed; in SARIF a violation's rule is `policy/<id>`.
//!
//! Everything is judged "as of" a given instant (`--now`), so results are reproducible.

use crate::finding::Severity;
use crate::inventory::{Entry, EntryKind, Inventory};
use crate::scan::CiphertextAt;
use serde::{Deserialize, Serialize};

const DAY: i64 = 86_400;

fn yes() -> bool {
    true
}

/// `[policy]` in `keyaudit.toml`. Every field has the default documented in the README.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields, rename_all = "kebab-case")]
pub struct PolicyConfig {
    pub rotation_overdue: RotationOverdue,
    pub env_reuse: Toggle,
    pub cert_expired: Toggle,
    pub cert_expiring: CertExpiring,
    pub cert_validity_too_long: CertValidity,
    pub weak_key: WeakKey,
    pub weak_signature: Toggle,
    pub unencrypted_private_key: Toggle,
    pub secret_in_history: Toggle,
    pub key_beside_data: KeyBesideData,
}

/// Where a key counts as "beside" ciphertext.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Scope {
    Directory,
    Repository,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct KeyBesideData {
    pub enabled: bool,
    pub severity: Option<Severity>,
    pub scope: Scope,
}

impl Default for KeyBesideData {
    fn default() -> Self {
        KeyBesideData {
            enabled: true,
            severity: None,
            scope: Scope::Directory,
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Toggle {
    #[serde(default = "yes")]
    pub enabled: bool,
    pub severity: Option<Severity>,
}

impl Toggle {
    fn on() -> Self {
        Toggle {
            enabled: true,
            severity: None,
        }
    }
}

impl Default for Toggle {
    fn default() -> Self {
        Toggle::on()
    }
}

/// Cryptoperiods in days (NIST SP 800-57 Part 1 Rev. 5, Table 1).
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields, rename_all = "kebab-case")]
pub struct RotationOverdue {
    pub enabled: bool,
    pub severity: Option<Severity>,
    /// API tokens, passwords and other shared secrets: symmetric authentication key, ≤ 2 years.
    pub secret_days: i64,
    /// Symmetric data-encryption and key-wrapping keys: ≤ 2 years (originator-usage period).
    pub symmetric_key_days: i64,
    /// Private signature and authentication keys: 1–3 and 1–2 years; 2 years by default.
    /// A private key paired with a certificate gets that certificate's validity instead.
    pub private_key_days: i64,
}

impl Default for RotationOverdue {
    fn default() -> Self {
        RotationOverdue {
            enabled: true,
            severity: None,
            secret_days: 730,
            symmetric_key_days: 730,
            private_key_days: 730,
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CertExpiring {
    pub enabled: bool,
    pub severity: Option<Severity>,
    pub days: i64,
}

impl Default for CertExpiring {
    fn default() -> Self {
        CertExpiring {
            enabled: true,
            severity: None,
            days: 30,
        }
    }
}

/// CA/Browser Forum Baseline Requirements §6.3.2: subscriber certificates at most 398 days.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields, rename_all = "kebab-case")]
pub struct CertValidity {
    pub enabled: bool,
    pub severity: Option<Severity>,
    pub max_days: i64,
}

impl Default for CertValidity {
    fn default() -> Self {
        CertValidity {
            enabled: true,
            severity: None,
            max_days: 398,
        }
    }
}

/// NIST SP 800-57 Part 1 Rev. 5 §5.6.1/5.6.2 and SP 800-131A: 112-bit security strength at least.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields, rename_all = "kebab-case")]
pub struct WeakKey {
    pub enabled: bool,
    pub severity: Option<Severity>,
    pub min_rsa_bits: u32,
    pub min_ec_bits: u32,
    pub min_rsa_exponent: u64,
    /// DSA is disallowed for signing by FIPS 186-5.
    pub allow_dsa: bool,
}

impl Default for WeakKey {
    fn default() -> Self {
        WeakKey {
            enabled: true,
            severity: None,
            min_rsa_bits: 2048,
            min_ec_bits: 256,
            min_rsa_exponent: 65537,
            allow_dsa: false,
        }
    }
}

/// One breach of the policy by one inventory entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Violation {
    /// `rotation-overdue`, `env-reuse`, … (SARIF rule id: `policy/<rule>`).
    pub rule: &'static str,
    pub severity: Severity,
    pub entry: String,
    /// One line a developer understands.
    pub message: String,
    /// Evidence: every occurrence of the entry (path, line).
    pub locations: Vec<(String, u32)>,
    /// Can fail the run: the entry occurs in a gating place (see [`Entry::gating`]).
    pub gating: bool,
}

/// The fixed rule ids with their default severities and one-line descriptions.
pub const RULES: &[(&str, Severity, &str)] = &[
    (
        "rotation-overdue",
        Severity::High,
        "A key or secret older than its cryptoperiod is still in use",
    ),
    (
        "env-reuse",
        Severity::High,
        "The same private key or secret is used in several environments",
    ),
    (
        "cert-expired",
        Severity::High,
        "A certificate is past its notAfter",
    ),
    (
        "cert-expiring",
        Severity::Medium,
        "A certificate expires soon",
    ),
    (
        "cert-validity-too-long",
        Severity::Low,
        "A leaf certificate is valid for longer than the CA/Browser Forum limit",
    ),
    (
        "weak-key",
        Severity::High,
        "A key is too small or of a disallowed algorithm",
    ),
    (
        "weak-signature",
        Severity::Medium,
        "A certificate is signed with MD5 or SHA-1",
    ),
    (
        "unencrypted-private-key",
        Severity::High,
        "A private key is stored without a passphrase",
    ),
    (
        "key-beside-data",
        Severity::High,
        "A key is stored beside the data it encrypts",
    ),
    (
        "secret-in-history",
        Severity::High,
        "A secret removed from the code is still recoverable from git history",
    ),
];

fn default_severity(rule: &str) -> Severity {
    RULES
        .iter()
        .find(|r| r.0 == rule)
        .map_or(Severity::Medium, |r| r.1)
}

fn years(days: i64) -> String {
    format!("{:.1} years", days as f64 / 365.25)
}

fn date(unix: i64) -> String {
    let d = crate::time::rfc3339(unix);
    d.get(..10).unwrap_or(&d).to_string()
}

/// Judge every entry; violations sorted by rule, then entry.
pub fn evaluate(
    inv: &Inventory,
    cfg: &PolicyConfig,
    now: i64,
    ciphertexts: &[CiphertextAt],
) -> Vec<Violation> {
    let mut out = Vec::new();
    let mut push = |rule: &'static str, sev: Option<Severity>, e: &Entry, message: String| {
        out.push(Violation {
            rule,
            severity: sev.unwrap_or_else(|| default_severity(rule)),
            entry: e.id.clone(),
            message,
            locations: e
                .occurrences
                .iter()
                .map(|o| (o.path.clone(), o.line))
                .collect(),
            gating: e.gating,
        });
    };
    for e in &inv.entries {
        let what = describe(e);
        // rotation-overdue
        let r = &cfg.rotation_overdue;
        if r.enabled && e.present_at_head && e.kind.is_secret() {
            if let Some(first) = &e.first_seen {
                let (limit, why) = period(e, inv, r);
                let age = (now - first.unix) / DAY;
                if age > limit {
                    push(
                        "rotation-overdue",
                        r.severity,
                        e,
                        format!(
                            "{what} first seen {} ({}), {} ago; policy allows {} for {why}",
                            date(first.unix),
                            source_name(first.source),
                            years(age),
                            years(limit)
                        ),
                    );
                }
            }
        }
        // env-reuse
        if cfg.env_reuse.enabled && e.kind.is_secret() && e.environments.len() >= 2 {
            let envs: Vec<&str> = e.environments.iter().map(String::as_str).collect();
            push(
                "env-reuse",
                cfg.env_reuse.severity,
                e,
                format!(
                    "{what} is used in {} environments: {}",
                    envs.len(),
                    envs.join(", ")
                ),
            );
        }
        // certificates
        if let (EntryKind::Certificate, Some(c)) = (e.kind, &e.certificate) {
            if e.present_at_head {
                if cfg.cert_expired.enabled && c.not_after_unix < now {
                    push(
                        "cert-expired",
                        cfg.cert_expired.severity,
                        e,
                        format!(
                            "certificate {} expired on {}",
                            c.subject,
                            date(c.not_after_unix)
                        ),
                    );
                } else if cfg.cert_expiring.enabled
                    && c.not_after_unix - now <= cfg.cert_expiring.days * DAY
                {
                    push(
                        "cert-expiring",
                        cfg.cert_expiring.severity,
                        e,
                        format!(
                            "certificate {} expires on {}, in {} days (warning at {})",
                            c.subject,
                            date(c.not_after_unix),
                            (c.not_after_unix - now) / DAY,
                            cfg.cert_expiring.days
                        ),
                    );
                }
            }
            let days = (c.not_after_unix - c.not_before_unix) / DAY;
            if cfg.cert_validity_too_long.enabled
                && !c.is_ca
                && days > cfg.cert_validity_too_long.max_days
            {
                push(
                    "cert-validity-too-long",
                    cfg.cert_validity_too_long.severity,
                    e,
                    format!(
                        "leaf certificate {} is valid for {days} days; the CA/Browser Forum limit is {}",
                        c.subject, cfg.cert_validity_too_long.max_days
                    ),
                );
            }
            let sig = c.signature_algorithm.to_ascii_lowercase();
            // Self-signed ones too: a self-signed SHA-1 certificate is usually a server's own.
            if cfg.weak_signature.enabled
                && (sig.contains("md5") || sig.contains("sha1") || sig.contains("sha-1"))
            {
                push(
                    "weak-signature",
                    cfg.weak_signature.severity,
                    e,
                    format!(
                        "certificate {} is signed with {}",
                        c.subject, c.signature_algorithm
                    ),
                );
            }
        }
        // weak-key: once per key (SPKI), on the most telling entry (private key first).
        if cfg.weak_key.enabled
            && matches!(
                e.kind,
                EntryKind::PrivateKey | EntryKind::Certificate | EntryKind::PublicKey
            )
        {
            if let Some(why) = weakness(e, &cfg.weak_key) {
                // The entry itself and its pairs (same SPKI): one violation, on the first.
                let owner = std::iter::once(e)
                    .chain(e.paired.iter().filter_map(|id| inv.get(id)))
                    .filter(|o| weak_rank(o.kind) < 3)
                    .min_by_key(|o| (weak_rank(o.kind), o.id.as_str()))
                    .map_or(e.id.as_str(), |o| o.id.as_str());
                if owner == e.id {
                    push(
                        "weak-key",
                        cfg.weak_key.severity,
                        e,
                        format!("{what}: {why}"),
                    );
                }
            }
        }
        // unencrypted-private-key
        let plain_key = e.kind == EntryKind::PrivateKey && !e.encrypted;
        let open_store =
            e.kind == EntryKind::Keystore && e.rule_ids.contains("crypto-keystore-passwordless");
        if cfg.unencrypted_private_key.enabled && (plain_key || open_store) {
            let message = if open_store {
                "keystore opens without a password (empty or the tool's default) and holds a private key".to_string()
            } else {
                format!("{what} is stored without a passphrase")
            };
            push(
                "unencrypted-private-key",
                cfg.unencrypted_private_key.severity,
                e,
                message,
            );
        }
        // secret-in-history
        if cfg.secret_in_history.enabled && e.kind.is_secret() && !e.present_at_head {
            let last = e.last_seen.as_ref().map_or_else(String::new, |s| {
                format!(", last introduced {}", date(s.unix))
            });
            push(
                "secret-in-history",
                cfg.secret_in_history.severity,
                e,
                format!(
                    "{what} is no longer in the code but is recoverable from git history{last}; rotate it"
                ),
            );
        }
    }
    if cfg.key_beside_data.enabled {
        out.extend(key_beside_data(inv, &cfg.key_beside_data, ciphertexts));
    }
    out.sort_by(|a, b| (a.rule, &a.entry).cmp(&(b.rule, &b.entry)));
    out
}

/// Rule ids of credentials that are themselves decryption passphrases.
const PASSPHRASE_RULES: &[&str] = &["ansible-vault-password-file", "rails-master-key"];

fn scope_of(path: &str, scope: Scope) -> &str {
    match scope {
        Scope::Repository => "",
        Scope::Directory => path.rsplit_once('/').map_or("", |(d, _)| d),
    }
}

/// The public-key hash of an `age1…` recipient, through the key parser itself.
fn age_recipient_spki(recipient: &str) -> Option<String> {
    crate::detect::crypto::detect("recipient.txt", recipient.as_bytes())
        .into_iter()
        .find_map(|i| i.info.spki_sha256)
}

/// A key at HEAD in the same scope as ciphertext at HEAD that it can decrypt: by recipient when
/// the format names one (age, OpenPGP, sops), else by kind (a vault password file beside a vault,
/// any usable private or secret key beside anonymous ciphertext).
fn key_beside_data(
    inv: &Inventory,
    cfg: &KeyBesideData,
    ciphertexts: &[CiphertextAt],
) -> Vec<Violation> {
    use crate::detect::ciphertext::CiphertextKind as C;
    let mut out = Vec::new();
    let mut done = std::collections::BTreeSet::new();
    for c in ciphertexts.iter().filter(|c| c.at_head) {
        let here = scope_of(&c.path, cfg.scope);
        let wanted_spki: Vec<String> = c
            .recipients
            .iter()
            .filter(|r| r.starts_with("age1"))
            .filter_map(|r| age_recipient_spki(r))
            .collect();
        for e in &inv.entries {
            let usable = match e.kind {
                EntryKind::PrivateKey | EntryKind::SymmetricKey | EntryKind::Keystore => {
                    !e.encrypted
                }
                EntryKind::Secret => e
                    .rule_ids
                    .iter()
                    .any(|r| PASSPHRASE_RULES.contains(&r.as_str())),
                _ => false,
            };
            if !usable {
                continue;
            }
            let beside: Vec<&crate::inventory::Occurrence> = e
                .occurrences
                .iter()
                .filter(|o| o.at_head && scope_of(&o.path, cfg.scope) == here)
                .collect();
            if beside.is_empty() {
                continue;
            }
            let opens = if !c.recipients.is_empty() {
                e.spki_sha256
                    .as_ref()
                    .is_some_and(|s| wanted_spki.contains(s))
                    || c.recipients.iter().any(|r| e.pgp_ids.contains(r))
            } else {
                match c.kind {
                    C::AnsibleVault => e.rule_ids.contains("ansible-vault-password-file"),
                    C::Age => e.algorithm.as_deref() == Some("X25519"),
                    C::OpenpgpMessage => !e.pgp_ids.is_empty(),
                    _ => true,
                }
            };
            if opens && done.insert((e.id.clone(), c.path.clone())) {
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
    out
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

fn source_name(s: crate::inventory::AgeSource) -> &'static str {
    match s {
        crate::inventory::AgeSource::Git => "first commit",
        crate::inventory::AgeSource::NotBefore => "certificate notBefore",
        crate::inventory::AgeSource::Mtime => "file modification time",
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

fn describe(e: &Entry) -> String {
    match (&e.algorithm, e.bits) {
        (Some(a), Some(b)) => format!("{a}-{b} {}", e.kind.as_str().replace('-', " ")),
        (Some(a), None) => format!("{a} {}", e.kind.as_str().replace('-', " ")),
        _ => format!(
            "{} ({})",
            e.preview,
            e.rule_ids.iter().next().map_or("", |s| s)
        ),
    }
}
