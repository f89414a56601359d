//! `keyaudit.toml`: the project's policy and environment names. Read from `--config FILE`, else
//! from `keyaudit.toml` in the current directory when it exists; every setting has a default.

use crate::inventory::environment::Environments;
use crate::policy::PolicyConfig;
use anyhow::{Context, Result};
use serde::Deserialize;
use std::path::Path;

/// The default file name, looked up in the current directory.
pub const FILE_NAME: &str = "keyaudit.toml";

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    pub policy: PolicyConfig,
    /// Environment name → path words (replaces the defaults when given).
    pub environments: Option<Environments>,
}

impl Config {
    /// `explicit` must exist; otherwise `keyaudit.toml` is used when present.
    pub fn load(explicit: Option<&Path>) -> Result<Config> {
        let path = match explicit {
            Some(p) => p.to_path_buf(),
            None => {
                let p = Path::new(FILE_NAME);
                if !p.is_file() {
                    return Ok(Config::default());
                }
                p.to_path_buf()
            }
        };
        let text = std::fs::read_to_string(&path)
            .with_context(|| format!("reading {}", path.display()))?;
        toml::from_str(&text).with_context(|| format!("{}: invalid configuration", path.display()))
    }

    pub fn environments(&self) -> Environments {
        self.environments.clone().unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn config_parses_and_rejects_typos() {
        let c: Config = toml::from_str(
            "[policy.rotation-overdue]\nsecret-days = 365\n[policy.cert-expiring]\ndays = 14\n\
             [environments]\nprod = [\"prod\", \"prd\"]\n",
        )
        .unwrap();
        assert_eq!(c.policy.rotation_overdue.secret_days, 365);
        assert_eq!(c.policy.cert_expiring.days, 14);
        assert_eq!(c.environments().of("deploy/prd/x.env"), Some("prod"));
        assert!(toml::from_str::<Config>("[policy.rotation-overdu]\n").is_err());
    }
}
