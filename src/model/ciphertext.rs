//! Ciphertext records: found by `detect`, placed by `scan`, carried by `inventory`, judged by
//! `policy` (key-beside-data). Plain data so that `policy` needs neither `scan` nor `detect`.

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

/// Ciphertext at a path: what kind, and to whom it is encrypted when the format says so.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
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
