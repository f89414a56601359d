//! Which deployment environment a path belongs to, from its directory and file names.
//!
//! A path is split into words at `/`, `.`, `-` and `_`; the first word (from the file name back
//! towards the root, so `deploy/prod/values-staging.yaml` is staging) that names an environment
//! decides. Words, not substrings: `product/` is not prod, `latest` is not test. The names are
//! configurable (`[environments]` in `keyaudit.toml`); the defaults cover the usual spellings.

use serde::Deserialize;
use std::collections::BTreeMap;

/// Environment name → the path words that mean it.
#[derive(Debug, Clone, Deserialize)]
#[serde(transparent)]
pub struct Environments {
    names: BTreeMap<String, Vec<String>>,
}

impl Default for Environments {
    fn default() -> Self {
        let mut names = BTreeMap::new();
        let mut add = |env: &str, words: &[&str]| {
            names.insert(
                env.to_string(),
                words.iter().map(|w| w.to_string()).collect(),
            );
        };
        add("dev", &["dev", "development", "local", "sandbox"]);
        add("test", &["test", "testing", "qa"]);
        add("staging", &["staging", "stage", "stg", "uat", "preprod"]);
        add("prod", &["prod", "production", "prd", "live"]);
        Environments { names }
    }
}

impl Environments {
    /// The environment of `path`, if a word of it names one.
    pub fn of(&self, path: &str) -> Option<&str> {
        let words: Vec<String> = path
            .split(['/', '.', '-', '_'])
            .filter(|w| !w.is_empty())
            .map(str::to_ascii_lowercase)
            .collect();
        words.iter().rev().find_map(|w| {
            self.names
                .iter()
                .find(|(_, ws)| ws.iter().any(|x| x.eq_ignore_ascii_case(w)))
                .map(|(env, _)| env.as_str())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_name_their_environment() {
        let e = Environments::default();
        for (path, env) in [
            ("deploy/prod/app.env", Some("prod")),
            ("k8s/overlays/staging/secret.yaml", Some("staging")),
            ("environments/production/main.tf", Some("prod")),
            (".env.production", Some("prod")),
            ("helm/values-prod.yaml", Some("prod")),
            (
                "src/main/resources/application-prod.properties",
                Some("prod"),
            ),
            ("infra/prod.tfvars", Some("prod")),
            ("docker-compose.prod.yml", Some("prod")),
            (".env.development", Some("dev")),
            ("config/dev/settings.json", Some("dev")),
            ("deploy/prod/values-staging.yaml", Some("staging")),
            ("src/product/catalog.py", None),
            ("src/latest/contest.rs", None),
            ("tests/unit/config.py", None),
        ] {
            assert_eq!(e.of(path), env, "{path}");
        }
    }
}
