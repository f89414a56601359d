//! How bad a finding is, what kind of place it sits in, and what proves a token real: the
//! judgements every stage passes along and every report prints. Report formats (SARIF levels,
//! security-severity scores) are the reports' own business, not kept here.

use serde::{Deserialize, Serialize};
use std::fmt;

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn severity_parses_and_orders() {
        assert_eq!("HIGH".parse::<Severity>(), Ok(Severity::High));
        assert!(Severity::Critical > Severity::Low);
        assert!("bogus".parse::<Severity>().is_err());
    }
}
