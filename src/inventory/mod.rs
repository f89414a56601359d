//! Stage 4: the inventory. Groups every finding of a scan by the identity of what it found, so
//! that a key seen in ten files and forty commits is one entry with ten places and one age.
//!
//! Identity: asymmetric material by kind and SPKI hash (a private key, its public key in any
//! encoding, its CSR are each one entry; certificates by their own DER hash, since several
//! certificates can carry one key); everything else by the secret fingerprint of
//! [`crate::model`]. Entries that share an SPKI hash are *paired*: a private key links to its
//! certificates, CSRs and public keys, wherever they are.
//!
//! Age: the first time the item was seen, from the best evidence at hand, in this order: the
//! earliest commit that introduced it (history scans), a certificate's `notBefore`, the file's
//! modification time. Each entry says which source it used.
//!
//! Place: each occurrence's environment ([`environment`]) and, with `[services]` configured, the
//! service of its repository ([`service`]), so the policy can tell a key shared between
//! environments or services from one kept in one place.

pub mod environment;
pub mod service;

use crate::model::crypto::CertInfo;
use crate::model::roots::RepoPaths;
use crate::model::{Context, Finding, Severity};
use environment::Environments;
use serde::Serialize;
use service::Services;
use std::collections::{BTreeMap, BTreeSet};

/// What an inventory entry is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum EntryKind {
    PrivateKey,
    PublicKey,
    Certificate,
    Csr,
    Keystore,
    DhParameters,
    SymmetricKey,
    /// A credential found by a rule (token, password, API key).
    Secret,
    /// Key-shaped material that did not parse.
    Unparseable,
}

impl EntryKind {
    pub fn as_str(self) -> &'static str {
        match self {
            EntryKind::PrivateKey => "private-key",
            EntryKind::PublicKey => "public-key",
            EntryKind::Certificate => "certificate",
            EntryKind::Csr => "csr",
            EntryKind::Keystore => "keystore",
            EntryKind::DhParameters => "dh-parameters",
            EntryKind::SymmetricKey => "symmetric-key",
            EntryKind::Secret => "secret",
            EntryKind::Unparseable => "unparseable",
        }
    }

    /// Whether holding it grants something: private keys, secrets, keystores with keys.
    pub fn is_secret(self) -> bool {
        matches!(
            self,
            EntryKind::PrivateKey
                | EntryKind::SymmetricKey
                | EntryKind::Secret
                | EntryKind::Keystore
        )
    }
}

/// Where the first-seen date came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum AgeSource {
    /// The earliest commit that introduced it.
    Git,
    /// The certificate's notBefore.
    NotBefore,
    /// The modification time of the file it was found in.
    Mtime,
}

/// A point in time with its RFC 3339 form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Seen {
    pub unix: i64,
    pub date: String,
    pub source: AgeSource,
}

/// One place an entry occurs.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Occurrence {
    pub path: String,
    pub line: u32,
    pub rule_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub commit: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub commit_date: Option<String>,
    /// Still in the current checkout (always true for a file-tree scan).
    pub at_head: bool,
    /// The environment this path belongs to, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub environment: Option<String>,
    /// The service of its repository this path belongs to (`[services]`), if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub service: Option<String>,
    /// Code, test, docs, example or vendor.
    pub context: Context,
    /// The finding here can fail the run (see [`crate::model::Finding::gating`]).
    pub gating: bool,
    /// The key of the Kubernetes Secret it sits under, for Secret manifests.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub k8s_key: Option<String>,
    /// The repository it was found in, when one run scanned several (its path then starts
    /// with this name and a `/`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub repo: Option<String>,
}

/// One distinct key, certificate or secret.
#[derive(Debug, Clone, Serialize)]
pub struct Entry {
    /// `<kind>:<identity>`, stable across scans of the same material.
    pub id: String,
    pub kind: EntryKind,
    pub category: String,
    /// The most severe finding's severity.
    pub severity: Severity,
    pub rule_ids: BTreeSet<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub algorithm: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub curve: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bits: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub spki_sha256: Option<String>,
    /// Stored encrypted (passphrase-protected key, encrypted keystore).
    pub encrypted: bool,
    /// Redacted preview or parsed description of the first occurrence.
    pub preview: String,
    pub fingerprint: crate::model::Fingerprint,
    pub occurrences: Vec<Occurrence>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first_seen: Option<Seen>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_seen: Option<Seen>,
    /// Some occurrence is in the current checkout.
    pub present_at_head: bool,
    pub environments: BTreeSet<String>,
    /// The services of its occurrences (only with `[services]` configured).
    #[serde(skip_serializing_if = "BTreeSet::is_empty")]
    pub services: BTreeSet<String>,
    /// The contexts of its occurrences.
    pub contexts: BTreeSet<Context>,
    /// Some occurrence can fail the run: the entry's policy violations gate. A test key that
    /// also sits in application code counts everywhere; one only in fixtures does not.
    pub gating: bool,
    /// Ids of entries with the same public key (private key ↔ certificates, CSRs, public keys).
    pub paired: Vec<String>,
    /// Certificate validity and signature, for the policy.
    #[serde(skip)]
    pub certificate: Option<crate::model::crypto::CertInfo>,
    #[serde(skip)]
    pub rsa_exponent: Option<u64>,
    /// OpenPGP key id and fingerprint (uppercase hex), to match encrypted messages' recipients.
    #[serde(skip)]
    pub pgp_ids: Vec<String>,
    /// Ciphertext kinds its findings' rules say it decrypts (see [`Finding::unlocks`]).
    #[serde(skip)]
    pub unlocks: Vec<crate::model::ciphertext::CiphertextKind>,
    /// A finding's rule says it is a keystore that opens without a real password.
    #[serde(skip)]
    pub open_keystore: bool,
}

/// The inventory of one scan: entries sorted by id.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Inventory {
    pub entries: Vec<Entry>,
    /// Encrypted data the scan saw, for the policy's key-beside-data rule (not reported).
    #[serde(skip)]
    pub ciphertexts: Vec<crate::model::ciphertext::CiphertextAt>,
}

fn kind_of(f: &Finding) -> EntryKind {
    use crate::model::crypto::Kind;
    match f.crypto.as_ref().map(|c| c.kind) {
        Some(Kind::PrivateKey) => EntryKind::PrivateKey,
        Some(Kind::PublicKey) => EntryKind::PublicKey,
        Some(Kind::Certificate) => EntryKind::Certificate,
        Some(Kind::Csr) => EntryKind::Csr,
        Some(Kind::Keystore) => EntryKind::Keystore,
        Some(Kind::DhParameters) => EntryKind::DhParameters,
        Some(Kind::SymmetricKey) => EntryKind::SymmetricKey,
        Some(Kind::Unparseable) => EntryKind::Unparseable,
        None => EntryKind::Secret,
    }
}

/// The identity an entry is keyed by (see the module docs).
fn identity(f: &Finding, kind: EntryKind) -> String {
    let c = f.crypto.as_ref();
    let id = match kind {
        EntryKind::Certificate => c
            .and_then(|c| c.certificate.as_ref())
            .map(|cert| format!("cert-sha256:{}", cert.cert_sha256)),
        _ => c
            .and_then(|c| c.spki_sha256.as_ref())
            .map(|s| format!("spki-sha256:{s}")),
    };
    id.unwrap_or_else(|| f.fingerprint.to_string())
}

/// What names the place of a path: its environment (from the path as reported) and its service
/// (from the path at its repository's top, which `repo_paths` maps reported paths to).
#[derive(Debug, Clone, Default)]
pub struct Places {
    pub envs: Environments,
    pub services: Services,
    pub repo_paths: RepoPaths,
}

fn seen(unix: i64, source: AgeSource) -> Seen {
    Seen {
        unix,
        date: crate::time::rfc3339(unix),
        source,
    }
}

/// The id of the entry `f` belongs to (`<kind>:<identity>`), as [`Inventory::build`] groups.
pub fn entry_id(f: &Finding) -> String {
    let kind = kind_of(f);
    format!("{}:{}", kind.as_str(), identity(f, kind))
}

impl Inventory {
    /// Group `findings` into entries. `places` names the environment and service of a path.
    pub fn build(findings: &[Finding], places: &Places) -> Inventory {
        let mut groups: BTreeMap<String, Vec<&Finding>> = BTreeMap::new();
        for f in findings {
            groups.entry(entry_id(f)).or_default().push(f);
        }
        let mut entries: Vec<Entry> = groups
            .into_iter()
            .map(|(id, fs)| entry(id, &fs, places))
            .collect();
        // Pairing: every entry that shares an SPKI hash with another of a different id.
        let mut by_spki: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for e in &entries {
            if let Some(s) = &e.spki_sha256 {
                by_spki.entry(s.clone()).or_default().push(e.id.clone());
            }
        }
        for e in &mut entries {
            if let Some(ids) = e.spki_sha256.as_ref().and_then(|s| by_spki.get(s)) {
                e.paired = ids.iter().filter(|i| **i != e.id).cloned().collect();
            }
        }
        Inventory {
            entries,
            ciphertexts: Vec::new(),
        }
    }

    /// Name the repository of each occurrence of a run over several repositories, whose paths
    /// are prefixed with the repository as given (`repoA/src/key.pem`). The longest matching
    /// name wins, so `a` and `a/b` can both be scanned.
    pub fn tag_repositories(&mut self, repos: &[String]) {
        let mut prefixes: Vec<(String, &String)> = repos
            .iter()
            .map(|r| (format!("{}/", r.trim_end_matches('/')), r))
            .collect();
        prefixes.sort_by_key(|(p, _)| std::cmp::Reverse(p.len()));
        for o in self
            .entries
            .iter_mut()
            .flat_map(|e| e.occurrences.iter_mut())
        {
            o.repo = prefixes
                .iter()
                .find(|(p, _)| o.path.starts_with(p.as_str()))
                .map(|(_, r)| (*r).clone());
        }
    }

    pub fn get(&self, id: &str) -> Option<&Entry> {
        self.entries
            .binary_search_by(|e| e.id.as_str().cmp(id))
            .ok()
            .map(|i| &self.entries[i])
    }
}

fn entry(id: String, fs: &[&Finding], places: &Places) -> Entry {
    let first = fs[0];
    let crypto = fs.iter().find_map(|f| f.crypto.as_ref());
    let occurrences = occurrences(fs, places);
    let cert = crypto.and_then(|c| c.certificate.clone());
    let (first_seen, last_seen) = first_and_last_seen(fs, cert.as_ref());
    Entry {
        id,
        kind: kind_of(first),
        category: first.category.clone(),
        severity: fs
            .iter()
            .map(|f| f.severity)
            .max()
            .unwrap_or(first.severity),
        rule_ids: fs.iter().map(|f| f.rule_id.clone()).collect(),
        algorithm: crypto.and_then(|c| c.algorithm.clone()),
        curve: crypto.and_then(|c| c.curve.clone()),
        bits: crypto.and_then(|c| c.bits),
        spki_sha256: crypto.and_then(|c| c.spki_sha256.clone()),
        encrypted: crypto.is_some_and(|c| c.encrypted && !c.empty_password),
        preview: first.preview.clone(),
        fingerprint: first.fingerprint.clone(),
        present_at_head: occurrences.iter().any(|o| o.at_head),
        environments: occurrences
            .iter()
            .filter_map(|o| o.environment.clone())
            .collect(),
        services: occurrences
            .iter()
            .filter_map(|o| o.service.clone())
            .collect(),
        contexts: occurrences.iter().map(|o| o.context).collect(),
        gating: occurrences.iter().any(|o| o.gating),
        occurrences,
        first_seen,
        last_seen,
        paired: Vec::new(),
        certificate: cert,
        rsa_exponent: crypto.and_then(|c| c.rsa_exponent),
        pgp_ids: pgp_ids(fs),
        unlocks: unlocks(fs),
        open_keystore: fs.iter().any(|f| f.open_keystore),
    }
}

/// Every place the findings were seen, sorted, each once.
fn occurrences(fs: &[&Finding], places: &Places) -> Vec<Occurrence> {
    let mut occurrences: Vec<Occurrence> = fs
        .iter()
        .map(|f| {
            let commit = f.git.as_ref().and_then(|g| g.commit.as_ref());
            Occurrence {
                path: f.location.path.clone(),
                line: f.location.start.line,
                rule_id: f.rule_id.clone(),
                commit: commit.map(|c| c.id.clone()),
                commit_date: commit.map(|c| c.commit_date.clone()),
                at_head: f.git.as_ref().is_none_or(|g| g.present_at_head),
                environment: places.envs.of(&f.location.path).map(str::to_string),
                service: service_of(&f.location.path, places),
                context: f.context,
                gating: f.gating,
                k8s_key: f.k8s_key.clone(),
                repo: None,
            }
        })
        .collect();
    occurrences.sort();
    occurrences.dedup();
    occurrences
}

fn service_of(path: &str, places: &Places) -> Option<String> {
    if places.services.is_empty() {
        return None;
    }
    places.services.of(&places.repo_paths.from_top(path))
}

/// First and last seen from the best evidence at hand: commit dates where any finding has one,
/// else the certificate's `notBefore`, else file modification times.
fn first_and_last_seen(fs: &[&Finding], cert: Option<&CertInfo>) -> (Option<Seen>, Option<Seen>) {
    let commit_times: Vec<i64> = fs
        .iter()
        .filter_map(|f| f.git.as_ref()?.commit.as_ref().map(|c| c.commit_time))
        .collect();
    let mtimes: Vec<i64> = fs.iter().filter_map(|f| f.mtime).collect();
    let range = |times: &[i64], source: AgeSource| {
        let lo = times.iter().min()?;
        let hi = times.iter().max()?;
        Some((Some(seen(*lo, source)), Some(seen(*hi, source))))
    };
    range(&commit_times, AgeSource::Git)
        .or_else(|| {
            cert.map(|c| {
                let s = seen(c.not_before_unix, AgeSource::NotBefore);
                (Some(s.clone()), Some(s))
            })
        })
        .or_else(|| range(&mtimes, AgeSource::Mtime))
        .unwrap_or((None, None))
}

/// The ciphertext kinds the entry's rules say its secret decrypts, each once, in first-seen order.
fn unlocks(fs: &[&Finding]) -> Vec<crate::model::ciphertext::CiphertextKind> {
    let mut all = Vec::new();
    for k in fs.iter().flat_map(|f| &f.unlocks) {
        if !all.contains(k) {
            all.push(k.clone());
        }
    }
    all
}

/// OpenPGP key ids and fingerprints (uppercase hex), to match messages' recipients.
fn pgp_ids(fs: &[&Finding]) -> Vec<String> {
    fs.iter()
        .filter_map(|f| f.crypto.as_ref()?.openpgp.as_ref())
        .flat_map(|p| {
            [
                p.key_id.to_ascii_uppercase(),
                p.fingerprint.to_ascii_uppercase(),
            ]
        })
        .collect()
}

#[cfg(test)]
mod tests;
