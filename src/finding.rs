//! The finding model: what every detector produces and every report consumes.
//!
//! A finding never carries the secret in clear unless the user asked for it (`--show-secrets`):
//! it carries a redacted preview and a fingerprint. The fingerprint must be equal wherever the same
//! secret occurs (so the inventory can group occurrences and a baseline can recognise an accepted
//! secret) without letting anyone who reads a report recover the secret.
//!
//! Why PBKDF2 and where its key comes from: a plain SHA-256 of a low-entropy password ("hunter2")
//! is reversed by a dictionary in microseconds. We therefore derive the fingerprint with
//! PBKDF2-HMAC-SHA256 at [`FINGERPRINT_ROUNDS`] rounds (each guess costs thousands of hashes) and
//! salt it with an optional organisation key taken from the `KEYAUDIT_FINGERPRINT_KEY` environment
//! variable. With the key set (as a CI secret and in developers' shells), reports are useless to an
//! outsider for guessing; without it, fingerprints are still comparable everywhere because the salt
//! is then the fixed public string [`FINGERPRINT_DOMAIN`]. Laptop and CI agree as long as they use
//! the same key (or both none).

use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::fmt;
use std::sync::{Mutex, OnceLock};

/// Rounds of PBKDF2 per fingerprint: about 1 ms here, negligible per finding, costly per guess.
pub const FINGERPRINT_ROUNDS: u32 = 4096;
/// Domain-separation salt, versioned so that a change of scheme never collides with old baselines.
pub const FINGERPRINT_DOMAIN: &str = "keyaudit-secret-fingerprint-v1";
/// Environment variable holding the optional organisation key for fingerprints.
pub const FINGERPRINT_KEY_ENV: &str = "KEYAUDIT_FINGERPRINT_KEY";

/// How bad a finding is. Ordered from least to most severe so that `>=` means "at least as bad".
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase", try_from = "String")]
pub enum Severity {
    Note,
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    pub const ALL: [Severity; 5] = [
        Severity::Note,
        Severity::Low,
        Severity::Medium,
        Severity::High,
        Severity::Critical,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Note => "note",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }

    /// GitHub code scanning reads `security-severity` as a CVSS-like score: ≥9 critical, ≥7 high,
    /// ≥4 medium, >0 low.
    pub fn security_severity(self) -> &'static str {
        match self {
            Severity::Note => "0.0",
            Severity::Low => "3.0",
            Severity::Medium => "5.5",
            Severity::High => "8.0",
            Severity::Critical => "9.5",
        }
    }

    /// SARIF `level`.
    pub fn sarif_level(self) -> &'static str {
        match self {
            Severity::Note => "note",
            Severity::Low | Severity::Medium => "warning",
            Severity::High | Severity::Critical => "error",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Severity {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Severity::ALL
            .into_iter()
            .find(|v| v.as_str().eq_ignore_ascii_case(s))
            .ok_or_else(|| {
                format!("unknown severity {s:?} (expected note, low, medium, high or critical)")
            })
    }
}

/// Read through `FromStr` so that rule and configuration files get its message (and any case).
impl TryFrom<String> for Severity {
    type Error = String;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

/// What kind of place a finding sits in, judged from its path (see [`crate::context`]). The gate
/// follows it: by default only `code` fails a run, because keys in tests, documentation, examples
/// and vendored trees are nearly always fixtures, while a key in application code or
/// configuration is the one that ships.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase", try_from = "String")]
pub enum Context {
    /// Application code and configuration: everything no other context claims.
    Code,
    Test,
    Docs,
    Example,
    Vendor,
}

impl Context {
    pub const ALL: [Context; 5] = [
        Context::Code,
        Context::Test,
        Context::Docs,
        Context::Example,
        Context::Vendor,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Context::Code => "code",
            Context::Test => "test",
            Context::Docs => "docs",
            Context::Example => "example",
            Context::Vendor => "vendor",
        }
    }
}

impl fmt::Display for Context {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Context {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Context::ALL
            .into_iter()
            .find(|c| c.as_str().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| {
                format!("unknown context {s:?} (expected code, test, docs, example or vendor)")
            })
    }
}

impl TryFrom<String> for Context {
    type Error = String;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

/// Why a token's format proves that a service issued it (a rule's `proof` field): such a
/// finding is a real credential wherever it sits, so it gates in every context.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Proof {
    /// A checksum over the token's random part (GitHub, npm, GitLab routable tokens).
    Checksum,
    /// A structure only the issuer produces (a PyPI macaroon naming pypi.org).
    Structure,
}

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
    pub fingerprint: String,
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
    pub crypto: Option<crate::detect::crypto::CryptoInfo>,
    /// Modification time of the file (seconds since the epoch), for the inventory's age when
    /// there is no history; not reported (it would make reports change when files are touched).
    #[serde(skip)]
    pub mtime: Option<i64>,
    /// Where in git history this occurrence comes from (history scans only).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub git: Option<GitProvenance>,
}

/// Git provenance of one finding: the blob, the commit that first put it at this path, and
/// whether the secret is still in the current checkout or lives on only in history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GitProvenance {
    /// Object id of the blob holding the secret.
    pub blob_id: String,
    /// The earliest commit (by commit time) that put this blob at this path. `None` only for a
    /// blob reached through a ref to a tree or blob rather than a commit.
    pub commit: Option<crate::source::git::GitCommit>,
    /// The blob is at this path in HEAD's tree.
    pub at_head: bool,
    /// A blob holding this secret at this path (this version or a later edit of the file) is
    /// in HEAD's tree: the secret is still in the current checkout, not only in history.
    pub present_at_head: bool,
    /// With `--all-occurrences`: every commit and path that introduced this blob, oldest first.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub occurrences: Option<Vec<crate::source::git::GitIntroduction>>,
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
            &self.fingerprint,
            time,
            blob,
        )
    }
}

fn yes() -> bool {
    true
}

fn org_key() -> &'static [u8] {
    static KEY: OnceLock<Vec<u8>> = OnceLock::new();
    KEY.get_or_init(|| {
        std::env::var(FINGERPRINT_KEY_ENV)
            .map(String::into_bytes)
            .unwrap_or_default()
    })
}

/// Fingerprint of a secret value: `fp1:` + hex of the first 16 bytes of
/// PBKDF2-HMAC-SHA256(secret, domain ‖ org key, rounds). Memoised, because the same secret recurs
/// across files and commits and each derivation is deliberately slow.
pub fn fingerprint(secret: &[u8]) -> String {
    static CACHE: OnceLock<Mutex<HashMap<Vec<u8>, String>>> = OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    if let Some(fp) = cache.lock().ok().and_then(|c| c.get(secret).cloned()) {
        return fp;
    }
    let mut salt = FINGERPRINT_DOMAIN.as_bytes().to_vec();
    salt.extend_from_slice(org_key());
    let mut out = [0u8; 16];
    pbkdf2::pbkdf2_hmac::<sha2::Sha256>(secret, &salt, FINGERPRINT_ROUNDS, &mut out);
    let fp = format!("fp1:{}", hex::encode(out));
    if let Ok(mut c) = cache.lock() {
        c.insert(secret.to_vec(), fp.clone());
    }
    fp
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
    fn fingerprint_is_stable_and_distinct() {
        let a = fingerprint(b"hunter2");
        assert_eq!(a, fingerprint(b"hunter2"));
        assert_ne!(a, fingerprint(b"hunter3"));
        assert!(a.starts_with("fp1:") && a.len() == 4 + 32);
        // Not a plain hash of the secret.
        use sha2::Digest;
        let plain = hex::encode(sha2::Sha256::digest(b"hunter2"));
        assert!(!plain.starts_with(&a[4..]));
    }

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

    #[test]
    fn severity_parses_and_orders() {
        assert_eq!("HIGH".parse::<Severity>(), Ok(Severity::High));
        assert!(Severity::Critical > Severity::Low);
        assert!("bogus".parse::<Severity>().is_err());
    }
}
