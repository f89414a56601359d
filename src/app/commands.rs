//! The commands that inspect rules and configuration rather than scan.

use super::*;
use crate::cli::{RuleArgs, RulesCommand};
use crate::config::Config;
use crate::detect::{self};
use crate::escape::escaped;
use crate::model::Severity;
use anyhow::{Context, Result, bail};
use std::io::Write;
use std::path::Path;

pub(super) fn rules(command: RulesCommand) -> Result<u8> {
    match command {
        RulesCommand::List {
            rules,
            verbose,
            json,
        } => {
            let rules = load_rules(&rules)?;
            let mut out = std::io::stdout().lock();
            if json {
                let list: Vec<_> = rules.iter().map(|r| rule_summary(r)).collect();
                serde_json::to_writer_pretty(&mut out, &list)?;
                writeln!(out)?;
            } else {
                for r in &rules {
                    writeln!(
                        out,
                        "{:<40} {:<9} {:<12} {}",
                        escaped(&r.spec.id),
                        r.spec.severity,
                        escaped(&r.spec.category),
                        escaped(&r.spec.name)
                    )?;
                    if verbose {
                        writeln!(out, "    {}", escaped(&r.spec.description))?;
                        if let Some(rem) = &r.spec.remediation {
                            writeln!(out, "    fix: {}", escaped(rem))?;
                        }
                        let keywords = r.spec.keywords.join(", ");
                        writeln!(out, "    keywords: {}", escaped(&keywords))?;
                    }
                }
                writeln!(out, "{} rules", rules.len())?;
            }
            Ok(exit::CLEAN)
        }
        RulesCommand::Check { files } => {
            let mut sets = Vec::new();
            if files.is_empty() {
                sets.push(("built-in rules".to_string(), detect::rule::builtin_rules()?));
            }
            for f in &files {
                let mut rules = Vec::new();
                for file in detect::rule::rule_files_at(f)? {
                    let text = std::fs::read_to_string(&file)
                        .with_context(|| format!("reading {}", file.display()))?;
                    rules.extend(detect::rule::parse_rule_file(
                        &text,
                        &file.display().to_string(),
                    )?);
                }
                sets.push((f.display().to_string(), rules));
            }
            let mut failed = 0;
            for (name, rules) in sets {
                let n = rules.len();
                let (failures, checked) =
                    detect::examples::check_examples(rules).map_err(anyhow::Error::msg)?;
                let mut out = std::io::stdout().lock();
                for f in &failures {
                    writeln!(out, "FAIL {}", escaped(&f.to_string()))?;
                }
                writeln!(
                    out,
                    "{}: {n} rules, {checked} examples, {} failed",
                    escaped(&name),
                    failures.len()
                )?;
                failed += failures.len();
            }
            if failed > 0 {
                bail!("{failed} example(s) failed");
            }
            Ok(exit::CLEAN)
        }
    }
}

/// `keyaudit config check [FILE]`: everything a scan would reject, without scanning.
pub(super) fn check_config(file: Option<&Path>) -> Result<u8> {
    let config = match file {
        Some(f) => Config::from_file(f)?,
        None => match crate::config::discover(Path::new(".")) {
            Some(f) => Config::from_file(&f)?,
            None => bail!(
                "no configuration file here (looked for {} up to the repository top)",
                crate::config::FILE_NAMES.join(" and ")
            ),
        },
    };
    let shown = config
        .file
        .as_ref()
        .map_or_else(String::new, |p| p.display().to_string());
    let rules = load_rules_with(
        &RuleArgs {
            rules: Vec::new(),
            no_builtin_rules: false,
        },
        &config,
    )?;
    // The project's own rules must pass their examples, as `rules check` requires.
    let mut own = Vec::new();
    for path in &config.rule_paths {
        own.extend(detect::rule::load_user_rules(path)?);
    }
    let own_count = own.len();
    let (failures, examples) = detect::examples::check_examples(own).map_err(anyhow::Error::msg)?;
    let mut out = std::io::stdout().lock();
    for f in &failures {
        writeln!(out, "FAIL {}", escaped(&f.to_string()))?;
    }
    if !failures.is_empty() {
        bail!("{shown}: {} rule example(s) failed", failures.len());
    }
    writeln!(
        out,
        "{}: ok — {} rules in effect ({own_count} from rule paths, {examples} examples \
         passed; {} disable entries), {} allow entries, {} excluded path patterns, {} service \
         patterns, fail-on {}",
        escaped(&shown),
        rules.len(),
        config.disabled_count(),
        config.allowlist.entries.len(),
        config.exclude.len(),
        config.services.pattern_count(),
        config.fail_on.unwrap_or(Severity::Low),
    )?;
    Ok(exit::CLEAN)
}

/// One rule as `rules list --json` shows it.
#[derive(serde::Serialize)]
pub(super) struct RuleSummary<'a> {
    id: &'a str,
    name: &'a str,
    category: &'a str,
    severity: Severity,
    description: &'a str,
    keywords: &'a [String],
    origin: &'a str,
}

pub(super) fn rule_summary(r: &crate::detect::Rule) -> RuleSummary<'_> {
    RuleSummary {
        id: &r.spec.id,
        name: &r.spec.name,
        category: &r.spec.category,
        severity: r.spec.severity,
        description: &r.spec.description,
        keywords: &r.spec.keywords,
        origin: &r.origin,
    }
}
