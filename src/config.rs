//! `.keyaudit.toml`: a project's settings — extra rule directories, disabled rules, excluded
//! paths, allowlists, the exit threshold, policy parameters, environment names and services.
//!
//! Found by `--config FILE`, else by looking for `.keyaudit.toml` (or `keyaudit.toml`) in the
//! scanned root and each directory above it up to the top of its git repository; outside a
//! repository only the root itself is looked at, so a stray file in `/tmp` or `$HOME` never
//! applies. Every setting has a default, so no file is needed.
//!
//! A configuration is strict: an unknown key, a wrong type, a bad glob or regex, a rule id that
//! names no rule, a path that does not exist is an error naming the file, line and column (exit 2),
//! because a silently ignored typo in an allowlist or a disabled rule changes what gets reported.
//! Relative paths in the file are relative to the file's directory.

use crate::allowlist::{AllowEntry, Allowlist};
use crate::context::{ContextConfig, Contexts};
use crate::detect::Rule;
use crate::inventory::environment::Environments;
use crate::inventory::service::Services;
use crate::model::{Context, Severity};
use crate::policy::PolicyConfig;
use serde::Deserialize;
use std::ops::Range;
use std::path::{Path, PathBuf};
use toml::Spanned;

/// The file names looked for, in order of preference.
pub const FILE_NAMES: [&str; 2] = [".keyaudit.toml", "keyaudit.toml"];

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{path}: {message}")]
    Read { path: String, message: String },
    #[error("{path}:{line}:{column}: {message}")]
    Invalid {
        path: String,
        line: usize,
        column: usize,
        message: String,
    },
}

/// The file as written. Field names are the file's keys (kebab-case).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
struct File {
    scan: ScanSection,
    rules: RulesSection,
    allow: Vec<AllowSection>,
    policy: PolicyConfig,
    environments: Option<Environments>,
    audit: AuditSection,
    services: ServicesSection,
    /// Context name → globs replacing that context's defaults.
    contexts: std::collections::BTreeMap<Context, Vec<Spanned<String>>>,
}

/// `[audit]`: the cadence of periodic audits, for what `diff` sees coming before the next one.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields, rename_all = "kebab-case")]
struct AuditSection {
    every: Option<Spanned<String>>,
}

/// The time between audits when `[audit] every` is not set: monthly.
pub const DEFAULT_AUDIT_EVERY: i64 = 30 * 86_400;

/// `30d`, `2w`, `12h`: a duration in seconds.
pub fn parse_duration(s: &str) -> Result<i64, String> {
    let s = s.trim();
    let (n, unit) = s.split_at(s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len()));
    let n: i64 = n
        .parse()
        .map_err(|_| format!("{s:?}: expected a number and a unit, such as 30d, 2w or 12h"))?;
    let unit_secs = match unit {
        "h" => 3_600,
        "d" => 86_400,
        "w" => 7 * 86_400,
        _ => return Err(format!("{s:?}: the unit is h, d or w (30d, 2w, 12h)")),
    };
    match n.checked_mul(unit_secs) {
        Some(v) if v > 0 => Ok(v),
        _ => Err(format!(
            "{s:?}: must be more than zero and less than forever"
        )),
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields, rename_all = "kebab-case")]
struct ScanSection {
    exclude: Vec<Spanned<String>>,
    fail_on: Option<Severity>,
    fail_contexts: Option<Vec<Context>>,
    max_file_size: Option<Size>,
    max_findings_per_file: Option<usize>,
    respect_gitignore: bool,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
struct RulesSection {
    paths: Vec<Spanned<String>>,
    disable: Vec<Spanned<String>>,
    builtin: bool,
}

impl Default for RulesSection {
    fn default() -> Self {
        RulesSection {
            paths: Vec::new(),
            disable: Vec::new(),
            builtin: true,
        }
    }
}

/// `[services]`: folder patterns (`services/*/`) and named services (`[services.named]`).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
struct ServicesSection {
    folders: Vec<Spanned<String>>,
    named: std::collections::BTreeMap<String, Vec<Spanned<String>>>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct AllowSection {
    /// Why the entry exists; for the reader of the file.
    #[serde(default)]
    #[allow(dead_code)]
    description: Option<String>,
    #[serde(default)]
    rules: Vec<Spanned<String>>,
    #[serde(default)]
    paths: Vec<Spanned<String>>,
    #[serde(default)]
    secrets: Vec<Spanned<String>>,
    #[serde(default)]
    fingerprints: Vec<Spanned<String>>,
}

/// A size: a number of bytes, or a string with a K/M/G suffix like the CLI's.
#[derive(Debug, Clone, Copy)]
struct Size(u64);

impl<'de> Deserialize<'de> for Size {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            N(u64),
            S(String),
        }
        match Raw::deserialize(d) {
            Ok(Raw::N(n)) => Ok(Size(n)),
            Ok(Raw::S(s)) => parse_size(&s).map(Size).map_err(serde::de::Error::custom),
            Err(_) => Err(serde::de::Error::custom(
                "expected a size: bytes, or a string such as \"64M\"",
            )),
        }
    }
}

/// A loaded, checked configuration.
#[derive(Debug, Clone)]
pub struct Config {
    /// The file it came from (`None`: defaults only).
    pub file: Option<PathBuf>,
    pub exclude: Vec<String>,
    pub fail_on: Option<Severity>,
    /// `[scan] fail-contexts`: the contexts whose findings fail the run.
    pub fail_contexts: Option<Vec<Context>>,
    /// The path classifier, with `[contexts]` applied.
    pub contexts: Contexts,
    pub max_file_size: Option<u64>,
    /// `[scan] max-findings-per-file`: findings reported per file (0: no cap).
    pub max_findings_per_file: Option<usize>,
    /// Skip git-ignored files (`--respect-gitignore` turns it on too).
    pub respect_gitignore: bool,
    /// Extra rule files and directories, resolved against the file's directory.
    pub rule_paths: Vec<PathBuf>,
    pub builtin_rules: bool,
    pub policy: PolicyConfig,
    environments: Option<Environments>,
    /// `[audit] every`, in seconds.
    pub audit_every: Option<i64>,
    /// `[services]`, compiled (empty: no path has a service).
    pub services: Services,
    /// Compiled `[[allow]]` entries and `[scan] exclude` (its `base` is set by the caller).
    pub allowlist: Allowlist,
    /// For errors found after the rules are loaded: the text and the disable entries' spans.
    text: String,
    disable: Vec<Spanned<String>>,
}

impl Default for Config {
    /// No file: every default.
    fn default() -> Self {
        Config {
            file: None,
            exclude: Vec::new(),
            fail_on: None,
            fail_contexts: None,
            contexts: Contexts::default(),
            max_file_size: None,
            max_findings_per_file: None,
            respect_gitignore: false,
            rule_paths: Vec::new(),
            builtin_rules: true,
            policy: PolicyConfig::default(),
            environments: None,
            audit_every: None,
            services: Services::default(),
            allowlist: Allowlist::default(),
            text: String::new(),
            disable: Vec::new(),
        }
    }
}

impl Config {
    /// The configuration for a scan of `roots`: `explicit` when given (it must exist), else the
    /// discovered file, else defaults.
    pub fn load(explicit: Option<&Path>, roots: &[PathBuf]) -> Result<Config, ConfigError> {
        let path = match explicit {
            Some(p) => p.to_path_buf(),
            None => match roots.first().and_then(|r| discover(r)) {
                Some(p) => p,
                None => return Ok(Config::default()),
            },
        };
        Config::from_file(&path)
    }

    /// Read and check one file.
    pub fn from_file(path: &Path) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|e| ConfigError::Read {
            path: path.display().to_string(),
            message: e.to_string(),
        })?;
        Config::parse(&text, path)
    }

    /// Check `text` as if read from `path` (relative paths in it are relative to its directory).
    pub fn parse(text: &str, path: &Path) -> Result<Config, ConfigError> {
        let at = |span: Option<Range<usize>>, message: String| {
            invalid(path, text, span.map_or(0, |s| s.start), &message)
        };
        let file: File = toml::from_str(text).map_err(|e| syntax_error(path, text, &e))?;
        let dir = path
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
            .unwrap_or(Path::new("."));

        let rule_paths = resolve_rule_paths(&file, dir, &at)?;
        let exclude = match file.scan.exclude.is_empty() {
            true => None,
            false => Some(compile_paths(&file.scan.exclude).map_err(|(s, m)| at(Some(s), m))?),
        };
        let entries = compile_allows(&file, text, &at)?;
        let contexts = compile_contexts(&file.contexts).map_err(|(s, m)| at(Some(s), m))?;
        let audit_every = match &file.audit.every {
            Some(e) => Some(
                parse_duration(e.get_ref())
                    .map_err(|m| at(Some(e.span()), format!("[audit] every: {m}")))?,
            ),
            None => None,
        };
        let services = compile_services(&file.services).map_err(|(s, m)| at(s, m))?;
        Ok(Config {
            file: Some(path.to_path_buf()),
            exclude: file
                .scan
                .exclude
                .iter()
                .map(|s| s.get_ref().clone())
                .collect(),
            fail_on: file.scan.fail_on,
            fail_contexts: file.scan.fail_contexts,
            contexts,
            max_file_size: file.scan.max_file_size.map(|s| s.0),
            max_findings_per_file: file.scan.max_findings_per_file,
            respect_gitignore: file.scan.respect_gitignore,
            rule_paths,
            builtin_rules: file.rules.builtin,
            policy: file.policy,
            environments: file.environments,
            audit_every,
            services,
            allowlist: Allowlist {
                entries,
                exclude,
                cli_exclude: None,
                base: None,
            },
            text: text.to_string(),
            disable: file.rules.disable,
        })
    }

    pub fn environments(&self) -> Environments {
        self.environments.clone().unwrap_or_default()
    }

    /// Remove the rules `[rules] disable` names. Each entry (an id or a glob over ids) must name
    /// at least one rule: a typo would otherwise silently keep the rule on.
    pub fn apply_disable(&self, rules: Vec<Rule>) -> Result<Vec<Rule>, ConfigError> {
        if self.disable.is_empty() {
            return Ok(rules);
        }
        let mut globs = Vec::new();
        for d in &self.disable {
            let g = globset::Glob::new(d.get_ref())
                .map_err(|e| self.error_at(d.span(), format!("bad rule glob: {e}")))?
                .compile_matcher();
            if !rules.iter().any(|r| g.is_match(&r.spec.id)) {
                return Err(self.error_at(
                    d.span(),
                    format!(
                        "[rules] disable: no rule matches {:?} (see `keyaudit rules list`)",
                        d.get_ref()
                    ),
                ));
            }
            globs.push(g);
        }
        Ok(rules
            .into_iter()
            .filter(|r| !globs.iter().any(|g| g.is_match(&r.spec.id)))
            .collect())
    }

    /// How many `[rules] disable` entries there are (for `config check`).
    pub fn disabled_count(&self) -> usize {
        self.disable.len()
    }

    fn error_at(&self, span: Range<usize>, message: String) -> ConfigError {
        let file = self.file.as_deref().unwrap_or(Path::new(""));
        invalid(file, &self.text, span.start, &message)
    }

    /// The directory relative paths in the file refer to (and allowlist paths are matched from).
    pub fn dir(&self) -> Option<PathBuf> {
        let f = self.file.as_ref()?;
        let d = f.parent().filter(|d| !d.as_os_str().is_empty());
        std::fs::canonicalize(d.unwrap_or(Path::new("."))).ok()
    }
}

/// The configuration file for a scan rooted at `root`, if any (see the module docs).
pub fn discover(root: &Path) -> Option<PathBuf> {
    let start = std::fs::canonicalize(root).ok()?;
    let start = if start.is_dir() {
        start
    } else {
        start.parent()?.to_path_buf()
    };
    let top = start.ancestors().find(|d| d.join(".git").exists());
    let dirs: Vec<&Path> = match top {
        Some(top) => start
            .ancestors()
            .take_while(|d| d.starts_with(top))
            .collect(),
        None => vec![start.as_path()],
    };
    dirs.into_iter()
        .flat_map(|d| FILE_NAMES.iter().map(move |n| d.join(n)))
        .find(|p| p.is_file())
}

type SpanError = (Option<Range<usize>>, String);

fn compile_allow(a: &AllowSection) -> Result<AllowEntry, SpanError> {
    let mut e = AllowEntry::default();
    if !a.rules.is_empty() {
        let mut b = globset::GlobSetBuilder::new();
        for r in &a.rules {
            let g = globset::Glob::new(r.get_ref())
                .map_err(|err| (Some(r.span()), format!("bad rule glob: {err}")))?;
            b.add(g);
        }
        e.rules = Some(
            b.build()
                .map_err(|err| (a.rules.first().map(Spanned::span), format!("rules: {err}")))?,
        );
    }
    if !a.paths.is_empty() {
        e.paths = Some(compile_paths(&a.paths).map_err(|(s, m)| (Some(s), m))?);
    }
    if !a.secrets.is_empty() {
        for s in &a.secrets {
            regex::bytes::Regex::new(s.get_ref()).map_err(|err| {
                (
                    Some(s.span()),
                    format!("bad secret regex: {}", reason(&err)),
                )
            })?;
        }
        let set = regex::bytes::RegexSet::new(a.secrets.iter().map(|s| s.get_ref().as_str()))
            .map_err(|err| (a.secrets.first().map(Spanned::span), reason(&err)))?;
        e.secrets = Some(set);
    }
    for f in &a.fingerprints {
        let v = f.get_ref().trim();
        let fp = crate::model::Fingerprint::parse(v)
            .map_err(|err| (Some(f.span()), format!("{v:?} is {err}")))?;
        e.fingerprints.insert(fp);
    }
    Ok(e)
}

/// `[contexts]`: each glob checked where it is written, then the classifier built.
fn compile_contexts(
    written: &std::collections::BTreeMap<Context, Vec<Spanned<String>>>,
) -> Result<Contexts, (Range<usize>, String)> {
    let mut config = ContextConfig::default();
    for (ctx, globs) in written {
        for g in globs {
            globset::Glob::new(g.get_ref())
                .map_err(|e| (g.span(), format!("[contexts] {ctx}: bad glob: {e}")))?;
        }
        let list = globs.iter().map(|g| g.get_ref().clone()).collect();
        config.globs.insert(*ctx, list);
    }
    let at = written
        .values()
        .flatten()
        .next()
        .map_or(0..0, Spanned::span);
    Contexts::new(&config).map_err(|m| (at, m))
}

/// `[services]`: each pattern checked where it is written.
fn compile_services(written: &ServicesSection) -> Result<Services, SpanError> {
    let mut services = Services::default();
    for f in &written.folders {
        services
            .add_folder(f.get_ref())
            .map_err(|m| (Some(f.span()), format!("[services] folders: {m}")))?;
    }
    for (name, patterns) in &written.named {
        for p in patterns {
            services
                .add_named(name, p.get_ref())
                .map_err(|m| (Some(p.span()), format!("[services.named] {m}")))?;
        }
    }
    Ok(services)
}

fn compile_paths(
    patterns: &[Spanned<String>],
) -> Result<ignore::gitignore::Gitignore, (Range<usize>, String)> {
    crate::allowlist::gitignore(patterns.iter().map(|p| p.get_ref().as_str())).map_err(|(i, m)| {
        let span = patterns.get(i).map_or(0..0, Spanned::span);
        (span, format!("bad path pattern: {m}"))
    })
}

/// The error for a file toml or serde rejects: its place, quoting no value from it.
fn syntax_error(path: &Path, text: &str, e: &toml::de::Error) -> ConfigError {
    let at = crate::toml_error::locate(text, e);
    ConfigError::Invalid {
        path: path.display().to_string(),
        line: at.line,
        column: at.column,
        message: at.message,
    }
}

/// The error for something wrong at byte `offset` of the file `path` holding `text`.
fn invalid(path: &Path, text: &str, offset: usize, message: &str) -> ConfigError {
    let (line, column) = crate::toml_error::line_col(text, offset);
    ConfigError::Invalid {
        path: path.display().to_string(),
        line,
        column,
        message: clean(message),
    }
}

/// Why a regex does not compile, without the pattern: regex's message quotes it, and a secret
/// regex often holds the very secret it allows.
fn reason(err: &regex::Error) -> String {
    let text = err.to_string();
    text.lines()
        .find_map(|l| l.trim().strip_prefix("error: "))
        .map_or_else(|| "invalid regex".to_string(), str::to_string)
}

/// One line per error: toml's and regex's messages span several.
fn clean(message: &str) -> String {
    message.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// `64M`, `512K`, `1G` or plain bytes.
pub fn parse_size(s: &str) -> Result<u64, String> {
    let s = s.trim();
    let (num, mult) = match s.char_indices().last() {
        Some((i, c)) if c.is_ascii_alphabetic() => {
            let m = match c.to_ascii_uppercase() {
                'K' => 1u64 << 10,
                'M' => 1 << 20,
                'G' => 1 << 30,
                _ => return Err(format!("bad size suffix in {s:?} (use K, M or G)")),
            };
            (&s[..i], m)
        }
        _ => (s, 1),
    };
    num.trim()
        .parse::<u64>()
        .ok()
        .and_then(|n| n.checked_mul(mult))
        .ok_or_else(|| format!("bad size {s:?}"))
}

/// The configuration's rule paths, relative to its directory; each must exist.
fn resolve_rule_paths(
    file: &File,
    dir: &Path,
    at: &dyn Fn(Option<Range<usize>>, String) -> ConfigError,
) -> Result<Vec<PathBuf>, ConfigError> {
    let mut rule_paths = Vec::new();
    for p in &file.rules.paths {
        let resolved = dir.join(p.get_ref());
        if !resolved.exists() {
            return Err(at(
                Some(p.span()),
                format!(
                    "rule path {:?} does not exist (looked for {})",
                    p.get_ref(),
                    resolved.display()
                ),
            ));
        }
        rule_paths.push(resolved);
    }
    Ok(rule_paths)
}

/// The `[[allow]]` entries, compiled; an entry with no criterion is an error.
fn compile_allows(
    file: &File,
    text: &str,
    at: &dyn Fn(Option<Range<usize>>, String) -> ConfigError,
) -> Result<Vec<AllowEntry>, ConfigError> {
    let mut entries = Vec::new();
    for (i, a) in file.allow.iter().enumerate() {
        entries.push(compile_allow(a).map_err(|(span, m)| {
            at(
                Some(span.unwrap_or(0..0)),
                format!("[[allow]] #{}: {m}", i + 1),
            )
        })?);
    }
    // An entry with no criterion at all would allow everything: that is never meant.
    if let Some(i) = file
        .allow
        .iter()
        .position(|a| a.paths.is_empty() && a.secrets.is_empty() && a.fingerprints.is_empty())
    {
        // Point at the entry's own header (a table has no span of its own here).
        let span = text
            .match_indices("[[allow]]")
            .nth(i)
            .map(|(at, _)| at..at)
            .or_else(|| file.allow[i].rules.first().map(Spanned::span));
        return Err(at(
            span,
            format!(
                "[[allow]] #{}: give paths, secrets or fingerprints (to turn a rule off \
                 everywhere, list it under [rules] disable)",
                i + 1
            ),
        ));
    }
    Ok(entries)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Config, ConfigError> {
        Config::parse(text, Path::new("/nonexistent/.keyaudit.toml"))
    }

    fn err_line(text: &str) -> (usize, String) {
        match parse(text) {
            Err(ConfigError::Invalid { line, message, .. }) => (line, message),
            other => panic!("expected an error, got {other:?}"),
        }
    }

    #[test]
    fn config_parses() {
        let c = parse(
            "[scan]\nexclude = [\"vendor/\"]\nfail-on = \"high\"\nmax-file-size = \"1M\"\n\
             [policy.rotation-overdue]\nsecret-days = 365\n[policy.cert-expiring]\ndays = 14\n\
             [environments]\nprod = [\"prod\", \"prd\"]\n\
             [[allow]]\ndescription = \"x\"\npaths = [\"tests/**\"]\nrules = [\"generic-*\"]\n",
        )
        .unwrap();
        assert_eq!(c.policy.rotation_overdue.secret_days, 365);
        assert_eq!(c.policy.cert_expiring.days, 14);
        assert_eq!(c.fail_on, Some(Severity::High));
        assert_eq!(c.max_file_size, Some(1 << 20));
        assert_eq!(c.environments().of("deploy/prd/x.env"), Some("prod"));
        assert_eq!(c.allowlist.entries.len(), 1);
        assert!(c.allowlist.excluded("vendor/x.js"));
    }

    #[test]
    fn errors_name_the_line() {
        assert_eq!(err_line("[scan]\nexclud = []\n").0, 2);
        assert_eq!(err_line("\n\n[policy.rotation-overdu]\n").0, 3);
        let (line, msg) = err_line("[scan]\nfail-on = \"urgent\"\n");
        assert_eq!(line, 2, "{msg}");
        let (line, msg) = err_line("[scan]\nmax-file-size = \"5X\"\n");
        assert_eq!(line, 2, "{msg}");
        assert_eq!(err_line("[rules]\nbuiltin = \"yes\"\n").0, 2);
        let (line, msg) = err_line("[[allow]]\npaths = [\"a\"]\nsecrets = [\"(\"]\n");
        assert_eq!(line, 3);
        assert!(msg.contains("regex"), "{msg}");
        let (line, msg) = err_line("[[allow]]\n\nfingerprints = [\"abc\"]\n");
        assert_eq!(line, 3);
        assert!(msg.contains("fingerprint"), "{msg}");
        let (line, msg) = err_line("[scan]\n[[allow]]\nrules = [\"aws-*\"]\n");
        assert_eq!(line, 2, "{msg}");
        let (line, msg) = err_line("[scan]\nexclude = [\"vendor/\",\n  \"[z-a]\"]\n");
        assert_eq!(line, 3, "{msg}");
        assert!(msg.contains("bad path pattern"), "{msg}");
        let (line, msg) = err_line("[rules]\npaths = [\"no/such/dir\"]\n");
        assert_eq!(line, 2);
        assert!(msg.contains("does not exist"), "{msg}");
    }

    #[test]
    fn services_and_the_sharing_rules_parse_and_bad_patterns_name_their_line() {
        let c = parse(
            "[services]\nfolders = [\"services/*/\", \"apps/*/\"]\n\
             [services.named]\nbilling = [\"charts/billing/\", \"deploy/billing-*/\"]\n\
             [policy.repo-reuse]\nenabled = false\n\
             [policy.service-reuse]\nseverity = \"low\"\n",
        )
        .unwrap();
        assert_eq!(c.services.of("apps/web/k.pem").as_deref(), Some("web"));
        assert_eq!(
            c.services.of("deploy/billing-eu/s.yaml").as_deref(),
            Some("billing")
        );
        assert!(!c.policy.repo_reuse.enabled);
        assert!(c.policy.service_reuse.enabled);
        assert_eq!(c.policy.service_reuse.severity, Some(Severity::Low));
        assert!(parse("").unwrap().services.is_empty());
        let (line, msg) = err_line("[services]\nfolders = [\"apps/*/\",\n  \"services/\"]\n");
        assert_eq!(line, 3, "{msg}");
        assert!(
            msg.contains("\"services/\"") && msg.contains("names no service"),
            "{msg}"
        );
        let (line, msg) = err_line("[services.named]\n\nbilling = [\"deploy/[z-a/\"]\n");
        assert_eq!(line, 3, "{msg}");
        assert!(msg.contains("bad glob \"deploy/[z-a/\""), "{msg}");
        assert_eq!(err_line("[services]\nfolder = [\"apps/*/\"]\n").0, 2);
        assert_eq!(err_line("[policy.service-reuse]\nscope = \"x\"\n").0, 2);
    }

    #[test]
    fn disable_must_name_a_rule() {
        let rules = crate::detect::rule::builtin_rules().unwrap();
        let n = rules.len();
        let c = parse("[rules]\ndisable = [\"jwt\", \"generic-*\"]\n").unwrap();
        let left = c.apply_disable(rules).unwrap();
        assert!(left.len() < n - 1);
        assert!(!left.iter().any(|r| r.spec.id.starts_with("generic-")));
        let c = parse("[rules]\n\ndisable = [\"no-such-rule\"]\n").unwrap();
        match c.apply_disable(crate::detect::rule::builtin_rules().unwrap()) {
            Err(ConfigError::Invalid { line: 3, .. }) => {}
            other => panic!("{other:?}"),
        }
    }
}
