//! Which kind of place a path is: application code, tests, documentation, examples or vendored
//! code. A gate that fails on every key in a repository's test fixtures is a gate people turn
//! off; one that fails on keys in the code that ships, and only reports the rest, is kept.
//!
//! Each context is a list of globs over the path relative to the repository's top (or the scan
//! root outside a repository), never over the absolute path: a checkout under `/tmp/tests/` is
//! not a test. The first context in the order `code` (explicit exceptions), `vendor`, `test`,
//! `example`, `docs` whose globs match decides; no match is `code`. Globs are case-sensitive
//! (`*Test.java` must not take `Latest.java`); the defaults spell the usual cases out. Lists set in
//! `.keyaudit.toml` (`[contexts]`) replace that context's defaults.

use crate::model::Context;
use globset::{GlobBuilder, GlobSet, GlobSetBuilder};
use serde::Deserialize;
use std::collections::BTreeMap;

/// Default globs per context. Directory globs (`**/tests/**`) match at any depth.
const DEFAULTS: &[(Context, &[&str])] = &[
    (
        Context::Vendor,
        &[
            "**/vendor/**",
            "**/vendors/**",
            "**/third_party/**",
            "**/third-party/**",
            "**/thirdparty/**",
            "**/3rdparty/**",
            "**/3rd_party/**",
            "**/node_modules/**",
            "**/bower_components/**",
            "**/jspm_packages/**",
            "**/site-packages/**",
            "**/.venv/**",
            "**/Pods/**",
            "**/Carthage/**",
            "**/Godeps/**",
        ],
    ),
    (
        Context::Test,
        &[
            // Directories.
            "**/test/**",
            "**/tests/**",
            "**/Test/**",
            "**/Tests/**",
            "**/testing/**",
            "**/spec/**",
            "**/specs/**",
            "**/__tests__/**",
            "**/__test__/**",
            "**/testdata/**",
            "**/test-data/**",
            "**/test_data/**",
            "**/testfixtures/**",
            "**/fixtures/**",
            "**/fixture/**",
            "**/__fixtures__/**",
            "**/__mocks__/**",
            "**/mocks/**",
            "**/e2e/**",
            "**/integration/**",
            "**/integration-test/**",
            "**/testutil/**",
            "**/testutils/**",
            "**/test-utils/**",
            "**/test_utils/**",
            "**/testhelpers/**",
            "**/*-test/**",
            "**/*-tests/**",
            "**/*_test/**",
            "**/*_tests/**",
            "**/*.Test/**",
            "**/*.Tests/**",
            "**/*.UnitTests/**",
            // Helm chart-testing values (`ct` installs the chart once per `ci/*-values.yaml`).
            "**/ci/*-values.yaml",
            "**/ci/*-values.yml",
            // Files.
            "**/*_test.*",
            "**/*_tests.*",
            "**/*-test.*",
            "**/test_*.py",
            "**/tests.py",
            "**/conftest.py",
            "**/*_spec.rb",
            "**/*.spec.*",
            "**/*.test.*",
            "**/*Test.java",
            "**/*Tests.java",
            "**/*IT.java",
            "**/*Test.kt",
            "**/*Tests.kt",
            "**/*Test.scala",
            "**/*Spec.scala",
            "**/*Spec.groovy",
            "**/*Test.groovy",
            "**/*Test.php",
            "**/*Test.cs",
            "**/*Tests.cs",
            "**/*Tests.swift",
            "**/*Test.swift",
            "**/*_test.exs",
        ],
    ),
    (
        Context::Example,
        &[
            "**/example/**",
            "**/examples/**",
            "**/sample/**",
            "**/samples/**",
            "**/demo/**",
            "**/demos/**",
            "**/*.example",
            "**/*.example.*",
            "**/*-example.*",
            "**/*_example.*",
            "**/example.*",
            "**/*.sample",
            "**/*.sample.*",
            "**/*-sample.*",
            "**/*_sample.*",
            "**/*.dist",
            "**/*.dist.*",
            "**/*.template",
            "**/*.tpl.example",
        ],
    ),
    (
        Context::Docs,
        &[
            "**/docs/**",
            "**/doc/**",
            // Sources of documentation examples (`docs_src/`, `docs-src/`).
            "**/docs[_-]src/**",
            "**/doc[_-]src/**",
            "**/Documentation/**",
            "**/documentation/**",
            "**/man/**",
            "**/guides/**",
            "**/guide/**",
            "**/wiki/**",
            "**/*.md",
            "**/*.markdown",
            "**/*.mdx",
            "**/*.rst",
            "**/*.adoc",
            "**/*.asciidoc",
            "**/*.textile",
            "**/*.pod",
            "**/*.texi",
            "**/*.[1-9]",
        ],
    ),
];

/// The order in which contexts are tried: explicit `code` exceptions first, then the most
/// specific kinds of place (vendored code may hold its own tests and docs).
const ORDER: [Context; 5] = [
    Context::Code,
    Context::Vendor,
    Context::Test,
    Context::Example,
    Context::Docs,
];

/// `[contexts]` as written: a context name → its globs (replacing that context's defaults).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(transparent)]
pub struct ContextConfig {
    pub globs: BTreeMap<Context, Vec<String>>,
}

/// The compiled classifier.
#[derive(Debug, Clone)]
pub struct Contexts {
    sets: Vec<(Context, GlobSet)>,
}

impl Default for Contexts {
    fn default() -> Self {
        Contexts::new(&ContextConfig::default()).unwrap_or(Contexts { sets: Vec::new() })
    }
}

impl Contexts {
    /// The defaults with `config`'s lists in place of theirs. A bad glob is an error naming it.
    pub fn new(config: &ContextConfig) -> Result<Contexts, String> {
        let mut sets = Vec::new();
        for ctx in ORDER {
            let globs: Vec<&str> = match config.globs.get(&ctx) {
                Some(list) => list.iter().map(String::as_str).collect(),
                None => default_globs(ctx).to_vec(),
            };
            let mut b = GlobSetBuilder::new();
            for g in globs {
                let glob = GlobBuilder::new(g)
                    .literal_separator(true)
                    .build()
                    .map_err(|e| format!("[contexts] {ctx}: bad glob {g:?}: {e}"))?;
                b.add(glob);
            }
            let set = b.build().map_err(|e| format!("[contexts] {ctx}: {e}"))?;
            sets.push((ctx, set));
        }
        Ok(Contexts { sets })
    }

    /// The context of `path` (relative to the repository top, `/`-separated).
    pub fn of(&self, path: &str) -> Context {
        let path = path.trim_start_matches("./").trim_start_matches('/');
        self.sets
            .iter()
            .find(|(_, set)| set.is_match(path))
            .map_or(Context::Code, |(ctx, _)| *ctx)
    }
}

fn default_globs(ctx: Context) -> &'static [&'static str] {
    DEFAULTS
        .iter()
        .find(|(c, _)| *c == ctx)
        .map_or(&[], |(_, g)| g)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_contexts_follow_the_usual_layouts() {
        let c = Contexts::default();
        for (path, want) in [
            ("src/main.rs", Context::Code),
            ("config/production.yml", Context::Code),
            ("internal/tls/server_test.go", Context::Test),
            ("tests/certs/server.key", Context::Test),
            ("src/test/java/com/acme/AuthTest.java", Context::Test),
            ("app/AuthTest.java", Context::Test),
            ("app/Latest.java", Context::Code),
            ("pkg/foo/testdata/key.pem", Context::Test),
            ("test_client.py", Context::Test),
            ("web/login.spec.ts", Context::Test),
            ("spec/models/user_spec.rb", Context::Test),
            ("docs/setup.md", Context::Docs),
            ("docs_src/security/tutorial004.py", Context::Docs),
            ("README.md", Context::Docs),
            ("man/keyaudit.1", Context::Docs),
            ("examples/client/main.go", Context::Example),
            (".env.example", Context::Example),
            ("config/database.yml.sample", Context::Example),
            ("app/config.dist.php", Context::Example),
            ("vendor/github.com/x/y/testdata/k.pem", Context::Vendor),
            ("node_modules/pkg/README.md", Context::Vendor),
            ("src/contest/entry.rs", Context::Code),
            ("src/latest/build.rs", Context::Code),
            ("charts/app/ci/tls-values.yaml", Context::Test),
            ("integration/resources/tls/local.key", Context::Test),
            ("charts/app/values.yaml", Context::Code),
            (".github/workflows/ci.yml", Context::Code),
        ] {
            assert_eq!(c.of(path), want, "{path}");
        }
    }

    #[test]
    fn configured_lists_replace_defaults_and_code_wins() {
        let mut cfg = ContextConfig::default();
        cfg.globs
            .insert(Context::Code, vec!["**/tests/live/**".to_string()]);
        cfg.globs
            .insert(Context::Docs, vec!["handbook/**".to_string()]);
        let c = Contexts::new(&cfg).expect("globs compile");
        assert_eq!(c.of("tests/live/prod.env"), Context::Code);
        assert_eq!(c.of("tests/unit/a.py"), Context::Test);
        assert_eq!(c.of("handbook/keys.txt"), Context::Docs);
        // The docs defaults were replaced.
        assert_eq!(c.of("docs/setup.md"), Context::Code);
        let mut bad = ContextConfig::default();
        bad.globs.insert(Context::Test, vec!["a/[b".to_string()]);
        assert!(Contexts::new(&bad).is_err());
    }
}
