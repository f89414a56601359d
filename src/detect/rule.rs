//! Detection rules as data.
//!
//! Rules live in TOML files (`rules/*.toml` in the repository, embedded into the binary at build
//! time; more with `--rules DIR_OR_FILE`). A file holds `[[rules]]` tables; see `rules/README.md`
//! for every field. Loading only parses and checks the data: a rule's regex is compiled lazily, the
//! first time one of its keywords hits, so start-up cost does not grow with the rule count.

use crate::model::Severity;
use serde::Deserialize;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// The built-in rule files (`rules/*.toml`) as JSON, embedded at build time (see `build.rs`).
pub const BUILTIN_RULE_FILES: &[(&str, &str)] =
    include!(concat!(env!("OUT_DIR"), "/builtin_rules.rs"));

/// Errors while loading rules. Each names the file (and rule) at fault.
#[derive(Debug, thiserror::Error)]
pub enum RuleError {
    #[error("{file}: cannot read: {source}")]
    Io {
        file: String,
        #[source]
        source: std::io::Error,
    },
    /// Where the file is not a rule file; the message quotes nothing from it (it may not be a
    /// rule file at all, but credentials passed by mistake).
    #[error("{file}:{line}:{column}: {message}")]
    Toml {
        file: String,
        line: usize,
        column: usize,
        message: String,
    },
    #[error("{file}: rule {id:?}: {message}")]
    Invalid {
        file: String,
        id: String,
        message: String,
    },
}

/// On-disk form of a rule file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleFile {
    #[serde(default)]
    rules: Vec<RuleSpec>,
}

/// On-disk form of one rule. Field meanings are documented in `rules/README.md`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleSpec {
    pub id: String,
    pub name: String,
    pub description: String,
    pub category: String,
    pub severity: Severity,
    /// Literals (matched ASCII-case-insensitively) whose presence makes the rule worth running.
    #[serde(default)]
    pub keywords: Vec<String>,
    /// Regex over bytes. A named group `secret` marks the secret; without it the whole match is.
    /// Empty when a `detector` finds the rule's values instead.
    #[serde(default)]
    pub pattern: String,
    /// A built-in structural detector that finds the rule's values instead of `pattern` (see
    /// `detect::k8s`): for formats whose meaning a regex cannot see (a value is a secret because
    /// of the object it sits in). The rule's keywords and paths still decide when it runs, and
    /// its filters still judge each value.
    #[serde(default)]
    pub detector: Option<String>,
    /// How the rule's matches stand against other rules' matches on an overlapping secret
    /// (see [`Precedence`]).
    #[serde(default)]
    pub precedence: Precedence,
    /// Where the crypto parser understood the same bytes, its item replaces this rule's match
    /// (a rule for PEM-text private keys). Implied by `precedence = "generic"` and by `detector`.
    #[serde(default)]
    pub yields_to_crypto: bool,
    /// Ciphertext kinds the rule's secret decrypts (a vault password file: `ansible-vault`): it
    /// is then a decryption key to the key-beside-data policy. Empty: not one.
    #[serde(default)]
    pub unlocks: Vec<crate::model::ciphertext::CiphertextKind>,
    #[serde(default)]
    pub min_entropy: Option<f64>,
    /// Minimum secret length in bytes (after the regex).
    #[serde(default)]
    pub min_length: Option<usize>,
    /// Name of a structural check the secret must pass (see `validate.rs`).
    #[serde(default)]
    pub validator: Option<String>,
    /// The token's format proves a service issued it (`checksum`, `structure`): its findings
    /// gate in every context, a test file's included.
    #[serde(default)]
    pub proof: Option<crate::model::Proof>,
    /// Regexes on the secret: a match means "not a finding".
    #[serde(default)]
    pub allow: Vec<String>,
    /// Regexes on the whole matched text (key name included): a match means "not a finding".
    #[serde(default)]
    pub allow_match: Vec<String>,
    /// Regexes on the text of the line before the match (at most 256 bytes): a match means "not
    /// a finding". For context the match itself does not include, such as the namespace that
    /// qualifies a key name (`"AWS::SecretsManager::Secret": "…"` names a resource type).
    #[serde(default)]
    pub allow_before: Vec<String>,
    /// Case-insensitive substrings of the secret that mark it as a placeholder.
    #[serde(default)]
    pub stopwords: Vec<String>,
    /// Apply the shared placeholder and non-secret filters (see `filter`).
    #[serde(default)]
    pub placeholder_filter: bool,
    /// Only files whose path matches one of these globs.
    #[serde(default)]
    pub paths: Vec<String>,
    /// Never files whose path matches one of these globs.
    #[serde(default)]
    pub exclude_paths: Vec<String>,
    /// Bytes searched before a keyword hit (default 256).
    #[serde(default)]
    pub window_before: Option<usize>,
    /// Bytes searched after a keyword hit (default 512).
    #[serde(default)]
    pub window_after: Option<usize>,
    /// Help text shown in SARIF `help` and `rules list --verbose`: what to do about a finding.
    #[serde(default)]
    pub remediation: Option<String>,
    #[serde(default)]
    pub references: Vec<String>,
    /// Inputs the rule must find (each yields at least one finding of this rule).
    #[serde(default)]
    pub examples: Vec<String>,
    /// Inputs the rule must not find.
    #[serde(default)]
    pub negative_examples: Vec<String>,
    /// Path used when running the examples (for path-restricted rules).
    #[serde(default)]
    pub example_path: Option<String>,
}

/// A rule's standing when another rule reports an overlapping secret: one secret is one finding,
/// and this says whose. Data rather than a reading of `category`, which is a label only.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Precedence {
    /// Matches by shape or key name only (`password = …`): yields to any other rule, and to the
    /// crypto parser, on an overlapping secret.
    Generic,
    /// Knows the format it matches.
    #[default]
    Specific,
    /// Names the service that issued the secret: on exactly the same secret, beats a specific
    /// rule that does not (an AWS key pair beats "a value in a credentials file").
    Vendor,
}

/// A loaded rule: its data plus the lazily compiled regexes.
#[derive(Debug)]
pub struct Rule {
    pub spec: RuleSpec,
    /// Where the rule came from (`builtin:aws.toml` or a path).
    pub origin: String,
    regex: OnceLock<Result<regex::bytes::Regex, String>>,
    allow: OnceLock<Result<Vec<regex::bytes::Regex>, String>>,
    allow_match: OnceLock<Result<Vec<regex::bytes::Regex>, String>>,
    allow_before: OnceLock<Result<Vec<regex::bytes::Regex>, String>>,
}

pub const DEFAULT_WINDOW_BEFORE: usize = 256;
pub const DEFAULT_WINDOW_AFTER: usize = 512;
/// Regex size limit: generous enough for long alternations, small enough to refuse a blow-up.
const REGEX_SIZE_LIMIT: usize = 16 << 20;

/// Patterns run over bytes in byte mode (`\w`, `\s`, `.` and classes are ASCII/byte classes,
/// `(?i)` folds ASCII only): secrets are ASCII, and Unicode classes under bounded repetition
/// (`[^}]{0,300}`) build automata tens of times larger — 3 s and 250 MB to compile the built-in
/// set, against 0.1 s in byte mode. A rule that needs Unicode says `(?u)` in its pattern.
fn compile(pattern: &str) -> Result<regex::bytes::Regex, String> {
    regex::bytes::RegexBuilder::new(pattern)
        .unicode(false)
        .size_limit(REGEX_SIZE_LIMIT)
        .build()
        .map_err(|e| e.to_string())
}

fn compile_all(patterns: &[String]) -> Result<Vec<regex::bytes::Regex>, String> {
    patterns.iter().map(|p| compile(p)).collect()
}

impl Rule {
    fn new(spec: RuleSpec, origin: String) -> Result<Self, String> {
        // No regex work here: built-in patterns are checked by the test suite, user rules are
        // compiled eagerly by `load_user_rules`, and parsing every pattern at start-up would cost
        // a pre-commit run most of its time (Unicode case folding in particular).
        if spec.id.is_empty()
            || !spec
                .id
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '.')
        {
            return Err("id must be lowercase letters, digits, '-' and '.'".into());
        }
        if spec.keywords.is_empty() && spec.paths.is_empty() {
            return Err(
                "a rule needs keywords or paths, else it would run its regex on every byte".into(),
            );
        }
        if spec.keywords.iter().any(|k| k.len() < 2) {
            return Err("keywords must be at least 2 bytes long".into());
        }
        match &spec.detector {
            Some(d) if crate::detect::k8s::detector_field(d).is_none() => {
                let known: Vec<&str> = crate::detect::k8s::DETECTORS.iter().map(|d| d.0).collect();
                return Err(format!(
                    "unknown detector {d:?} (known: {})",
                    known.join(", ")
                ));
            }
            None if spec.pattern.is_empty() => {
                return Err("a rule needs a pattern (or a detector)".into());
            }
            _ => {}
        }
        if let Some(v) = &spec.validator {
            if !crate::detect::validate::is_known(v) {
                return Err(format!(
                    "unknown validator {v:?} (known: {})",
                    crate::detect::validate::NAMES.join(", ")
                ));
            }
        }
        for g in spec.paths.iter().chain(&spec.exclude_paths) {
            globset::Glob::new(g).map_err(|e| format!("bad path glob {g:?}: {e}"))?;
        }
        Ok(Rule {
            spec,
            origin,
            regex: OnceLock::new(),
            allow: OnceLock::new(),
            allow_match: OnceLock::new(),
            allow_before: OnceLock::new(),
        })
    }

    pub fn id(&self) -> &str {
        &self.spec.id
    }

    /// The rule's regex, compiled on first use.
    pub fn regex(&self) -> Result<&regex::bytes::Regex, &str> {
        self.regex
            .get_or_init(|| compile(&self.spec.pattern))
            .as_ref()
            .map_err(String::as_str)
    }

    pub fn allow_regexes(&self) -> Result<&[regex::bytes::Regex], &str> {
        self.allow
            .get_or_init(|| compile_all(&self.spec.allow))
            .as_deref()
            .map_err(String::as_str)
    }

    pub fn allow_match_regexes(&self) -> Result<&[regex::bytes::Regex], &str> {
        self.allow_match
            .get_or_init(|| compile_all(&self.spec.allow_match))
            .as_deref()
            .map_err(String::as_str)
    }

    pub fn allow_before_regexes(&self) -> Result<&[regex::bytes::Regex], &str> {
        self.allow_before
            .get_or_init(|| compile_all(&self.spec.allow_before))
            .as_deref()
            .map_err(String::as_str)
    }

    /// Whether the regex has been compiled yet (it is compiled on the first keyword hit).
    pub fn is_compiled(&self) -> bool {
        self.regex.get().is_some()
    }

    /// Compile every regex now; used by `rules check`, by tests and for user-supplied rules.
    pub fn compile_now(&self) -> Result<(), String> {
        self.regex().map_err(str::to_string)?;
        self.allow_regexes().map_err(str::to_string)?;
        self.allow_match_regexes().map_err(str::to_string)?;
        self.allow_before_regexes().map_err(str::to_string)?;
        Ok(())
    }

    pub fn window_before(&self) -> usize {
        self.spec.window_before.unwrap_or(DEFAULT_WINDOW_BEFORE)
    }

    pub fn window_after(&self) -> usize {
        self.spec.window_after.unwrap_or(DEFAULT_WINDOW_AFTER)
    }
}

/// Parse one rule file's text.
pub fn parse_rule_file(text: &str, origin: &str) -> Result<Vec<Rule>, RuleError> {
    let file: RuleFile = toml::from_str(text).map_err(|e| {
        let at = crate::toml_error::locate(text, &e);
        RuleError::Toml {
            file: origin.to_string(),
            line: at.line,
            column: at.column,
            message: at.message,
        }
    })?;
    build_rules(file, origin)
}

/// A built-in rule file, as `build.rs` converted it.
fn parse_builtin(json: &str, origin: &str) -> Result<Vec<Rule>, RuleError> {
    let file: RuleFile = serde_json::from_str(json).map_err(|e| RuleError::Toml {
        file: origin.to_string(),
        line: e.line(),
        column: e.column(),
        message: e.to_string(),
    })?;
    build_rules(file, origin)
}

fn build_rules(file: RuleFile, origin: &str) -> Result<Vec<Rule>, RuleError> {
    file.rules
        .into_iter()
        .map(|spec| {
            let id = spec.id.clone();
            Rule::new(spec, origin.to_string()).map_err(|message| RuleError::Invalid {
                file: origin.to_string(),
                id,
                message,
            })
        })
        .collect()
}

/// The built-in rules.
pub fn builtin_rules() -> Result<Vec<Rule>, RuleError> {
    let mut out: Vec<Rule> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for (name, text) in BUILTIN_RULE_FILES {
        let origin = format!("builtin:{name}");
        for rule in parse_builtin(text, &origin)? {
            if !seen.insert(rule.spec.id.clone()) {
                return Err(RuleError::Invalid {
                    file: origin,
                    id: rule.spec.id.clone(),
                    message: "duplicate rule id".into(),
                });
            }
            out.push(rule);
        }
    }
    out.sort_by(|a, b| a.spec.id.cmp(&b.spec.id));
    Ok(out)
}

/// Rule files named by a user: a file, or every `*.toml` in a directory (sorted, not recursive).
pub fn rule_files_at(path: &Path) -> Result<Vec<PathBuf>, RuleError> {
    let io = |source| RuleError::Io {
        file: path.display().to_string(),
        source,
    };
    if path.is_dir() {
        let mut files: Vec<PathBuf> = std::fs::read_dir(path)
            .map_err(io)?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "toml"))
            .collect();
        files.sort();
        Ok(files)
    } else {
        std::fs::metadata(path).map_err(io)?;
        Ok(vec![path.to_path_buf()])
    }
}

/// Load user rule files, compiling them eagerly so that mistakes surface before the scan starts.
pub fn load_user_rules(path: &Path) -> Result<Vec<Rule>, RuleError> {
    let mut out = Vec::new();
    for file in rule_files_at(path)? {
        let origin = file.display().to_string();
        let text = std::fs::read_to_string(&file).map_err(|source| RuleError::Io {
            file: origin.clone(),
            source,
        })?;
        for rule in parse_rule_file(&text, &origin)? {
            rule.compile_now().map_err(|message| RuleError::Invalid {
                file: origin.clone(),
                id: rule.spec.id.clone(),
                message,
            })?;
            out.push(rule);
        }
    }
    Ok(out)
}

/// Merge user rules into a base set: same id replaces, new id adds. Order stays deterministic
/// (sorted by id) so that reports do not depend on file order.
pub fn merge(base: Vec<Rule>, extra: Vec<Rule>) -> Vec<Rule> {
    let mut by_id: std::collections::BTreeMap<String, Rule> =
        base.into_iter().map(|r| (r.spec.id.clone(), r)).collect();
    for r in extra {
        by_id.insert(r.spec.id.clone(), r);
    }
    by_id.into_values().collect()
}
