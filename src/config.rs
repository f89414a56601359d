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

/// `2024-05-01` or an RFC 3339 instant (`2024-05-01T12:00:00Z`) as seconds since the epoch.
pub fn parse_date(s: &str) -> Result<i64, String> {
    let bad = || format!("bad date {s:?} (expected YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ)");
    let (d, t) = s.split_once('T').unwrap_or((s, "00:00:00Z"));
    let mut ymd = d.split('-').map(|p| p.parse::<i64>().ok());
    let (Some(Some(y)), Some(Some(m)), Some(Some(day)), None) =
        (ymd.next(), ymd.next(), ymd.next(), ymd.next())
    else {
        return Err(bad());
    };
    if !(1..=12).contains(&m) || !(1..=31).contains(&day) {
        return Err(bad());
    }
    let t = t.trim_end_matches('Z');
    let mut hms = t.split(':').map(|p| p.parse::<i64>().ok());
    let (Some(Some(h)), Some(Some(mi)), Some(Some(sec))) = (hms.next(), hms.next(), hms.next())
    else {
        return Err(bad());
    };
    // Days from civil (Howard Hinnant's algorithm).
    let y2 = if m <= 2 { y - 1 } else { y };
    let era = y2.div_euclid(400);
    let yoe = y2 - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Ok(days * 86_400 + h * 3600 + mi * 60 + sec)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        assert_eq!(parse_date("1970-01-01"), Ok(0));
        assert_eq!(parse_date("2020-03-01T12:00:00Z"), Ok(1_583_064_000));
        assert!(parse_date("2020-13-01").is_err());
        assert!(parse_date("yesterday").is_err());
    }

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
