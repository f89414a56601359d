//! One detected secret at one place: what the scan stage builds and every later stage reads.
//!
//! A finding never carries the secret in clear unless the user asked for it (`--show-secrets`):
//! it carries a redacted preview ([`redact`]) and a fingerprint ([`super::fingerprint`]).

use super::severity::{Context, Proof, Severity};
use serde::{Deserialize, Serialize};

/// A 1-based line/column position. Columns count Unicode code points (SARIF `unicodeCodePoints`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Position {
    pub line: u32,
    pub column: u32,
}

/// Where in a blob a finding sits.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Location {
    /// Path relative to the scan root (or repository root), with `/` separators.
    pub path: String,
    pub start: Position,
    pub end: Position,
    /// Byte offsets of the secret in the blob.
    pub byte_start: usize,
    pub byte_end: usize,
}

/// One detected secret at one place.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Finding {
    pub rule_id: String,
    pub rule_name: String,
    pub category: String,
    pub severity: Severity,
    pub location: Location,
    /// Redacted form of the secret, safe to print.
    pub preview: String,
    /// `fp1:` + 32 hex digits; equal for equal secrets (see module docs). For a parsed key,
    /// certificate or CSR it is taken over the SPKI hash, so that one key has one fingerprint in
    /// every encoding and file.
    pub fingerprint: super::Fingerprint,
    /// The secret in clear; only filled with `--show-secrets`.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub secret: Option<String>,
    /// The line holding the finding, redacted, trimmed to a readable length.
    pub snippet: String,
    /// The kind of place it sits in: code, test, docs, example or vendor.
    pub context: Context,
    /// Set when the token's format proves a service issued it (checksum, issuer structure).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub proof: Option<Proof>,
    /// Whether this finding can fail the run: its context is one of the gate's contexts
    /// (`--fail-contexts`, default `code`) or its format proves it real. Findings that do not
    /// gate are reported all the same (SARIF level `note`, their severity in properties).
    #[serde(default = "yes")]
    pub gating: bool,
    /// What a key, certificate or keystore is (algorithm, size, SPKI fingerprint, validity…),
    /// when the material was parsed.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub crypto: Option<super::crypto::CryptoInfo>,
    /// Modification time of the file (seconds since the epoch), for the inventory's age when
    /// there is no history; not reported (it would make reports change when files are touched).
    #[serde(skip)]
    pub mtime: Option<i64>,
    /// The key of the Kubernetes Secret the value sits under (`data.tls.key` → `tls.key`).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub k8s_key: Option<String>,
    /// Where in git history this occurrence comes from (history scans only).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub git: Option<GitProvenance>,
    /// Ciphertext kinds the secret decrypts, as its rule says (`unlocks`): for the policy, so
    /// that it never names a detection rule. Not reported.
    #[serde(skip)]
    pub unlocks: Vec<super::ciphertext::CiphertextKind>,
    /// Its rule says it is a keystore that opens without a real password. Not reported.
    #[serde(skip)]
    pub open_keystore: bool,
}

/// Git provenance of one finding: the blob, the commit that first put it at this path, and
/// whether the secret is still in the current checkout or lives on only in history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GitProvenance {
    /// Object id of the blob holding the secret.
    pub blob_id: String,
    /// The earliest commit (by commit time) that put this blob at this path. `None` only for a
    /// blob reached through a ref to a tree or blob rather than a commit.
    pub commit: Option<super::git::GitCommit>,
    /// The blob is at this path in HEAD's tree.
    pub at_head: bool,
    /// A blob holding this secret at this path (this version or a later edit of the file) is
    /// in HEAD's tree: the secret is still in the current checkout, not only in history.
    pub present_at_head: bool,
    /// With `--all-occurrences`: every commit and path that introduced this blob, oldest first.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub occurrences: Option<Vec<super::git::GitIntroduction>>,
}

impl Finding {
    /// Total order used by every report, so that output does not depend on thread scheduling.
    /// Report order: by place, then rule and secret; history findings at the same place (the
    /// same secret in successive versions of a file) oldest commit first, then by blob.
    pub fn sort_key(&self) -> (&str, u32, u32, &str, &str, i64, &str) {
        let (time, blob) = match &self.git {
            Some(g) => (
                g.commit.as_ref().map_or(i64::MIN, |c| c.commit_time),
                g.blob_id.as_str(),
            ),
            None => (i64::MIN, ""),
        };
        (
            &self.location.path,
            self.location.start.line,
            self.location.start.column,
            &self.rule_id,
            self.fingerprint.as_str(),
            time,
            blob,
        )
    }
}

fn yes() -> bool {
    true
}

/// What stands for hidden characters, in previews and snippets: always the same, so that a
/// report does not disclose how long a secret is.
pub const MASK: &str = "********";

/// Redacted preview: enough of the start to recognise the token type and which token it is
/// (a known prefix plus a few characters), never enough to use it, and never its length: the
/// hidden part is the fixed [`MASK`], and how much shows steps only at 16, 24 and 32 characters.
pub fn redact(secret: &str) -> String {
    let chars: Vec<char> = secret.chars().collect();
    let n = chars.len();
    // At most a quarter of the secret shows, never more than 8 characters of it.
    let shown = match n {
        32.. => 8,
        16.. => 4,
        _ => 0,
    };
    let tail = if n >= 24 { 2 } else { 0 };
    let mut out: String = chars[..shown].iter().collect();
    out.push_str(MASK);
    out.extend(&chars[n - tail..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn redaction_hides_most_of_the_secret() {
        let s = "ghp_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789";
        let r = redact(s);
        assert!(r.starts_with("ghp_aBcD"));
        assert!(!r.contains("0123456"));
        assert_eq!(redact("abc"), MASK);
        assert!(!redact("hunter22").contains("hunter"));
    }

    #[test]
    fn redaction_does_not_disclose_length() {
        assert_eq!(redact("hunter2"), redact("correct-horse1"));
        assert_eq!(redact("a"), MASK);
        let (a, b) = (
            "ghp_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789",
            "ghp_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789abcdefghij",
        );
        assert_eq!(redact(a).len(), redact(b).len());
        assert_eq!(redact(a), format!("ghp_aBcD{MASK}89"));
    }
}
