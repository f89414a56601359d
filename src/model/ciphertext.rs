//! Ciphertext records: found by `detect` ([`CiphertextFound`], one blob's), placed by `scan`
//! ([`CiphertextAt`], at each of the blob's paths), carried by `inventory`, judged by `policy`
//! (key-beside-data). Plain data so that `policy` needs neither `scan` nor `detect`.

use serde::Serialize;

/// What kind of ciphertext was found.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CiphertextKind {
    Age,
    OpenpgpMessage,
    OpensslSalted,
    AnsibleVault,
    Sops,
    Jwe,
    EncryptedBinary,
}

/// Ciphertext in one blob, as the detection engine reports it next to the blob's findings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CiphertextFound {
    pub kind: CiphertextKind,
    /// As the format names them (see [`CiphertextAt::recipients`]).
    pub recipients: Vec<String>,
    /// SPKI hashes of the recipients the key parser resolves (see
    /// [`CiphertextAt::recipient_spki`]).
    pub recipient_spki: Vec<String>,
}

impl CiphertextFound {
    /// The record at one of the blob's paths.
    pub fn at(&self, path: &str, at_head: bool) -> CiphertextAt {
        CiphertextAt {
            path: path.to_string(),
            kind: self.kind.clone(),
            recipients: self.recipients.clone(),
            recipient_spki: self.recipient_spki.clone(),
            at_head,
        }
    }
}

/// Ciphertext at a path: what kind, and to whom it is encrypted when the format says so.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct CiphertextAt {
    pub path: String,
    pub kind: CiphertextKind,
    /// As the format names them (see `detect::ciphertext::Ciphertext::recipients`).
    pub recipients: Vec<String>,
    /// SPKI hashes of the recipients the key parser resolves (age X25519 recipients), resolved
    /// by `detect` so the policy matches by hash alone.
    pub recipient_spki: Vec<String>,
    /// In the current checkout (always true for a file-tree scan).
    pub at_head: bool,
}
