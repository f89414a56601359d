//! `[policy]` in `keyaudit.toml`: which rules run, their severities and thresholds.

use crate::model::Severity;
use serde::Deserialize;

fn yes() -> bool {
    true
}

/// `[policy]` in `keyaudit.toml`. Every field has the default documented in the README.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields, rename_all = "kebab-case")]
pub struct PolicyConfig {
    pub rotation_overdue: RotationOverdue,
    pub env_reuse: Toggle,
    pub repo_reuse: Toggle,
    /// Judges only where `[services]` names services.
    pub service_reuse: Toggle,
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
