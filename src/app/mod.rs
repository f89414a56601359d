//! What each command does: wires the stages together (source → detect → scan → report) and maps
//! outcomes to exit codes. No detection or formatting logic lives here.

use crate::cli::{BaselineCommand, Command, ConfigCommand, Format, HookCommand, RuleArgs};
use crate::config::Config;
use crate::detect::{self, Rule};
use anyhow::{Context, Result, bail};
use std::path::Path;

mod audit;
mod changes;
mod commands;
mod output;
mod pipeline;
mod settings;
mod sources;
mod stored;

use commands::{check_config, rules};
use pipeline::scan;

/// Process exit codes, documented in `--help` and the README.
pub mod exit {
    pub const CLEAN: u8 = 0;
    pub const FINDINGS: u8 = 1;
    pub const ERROR: u8 = 2;
    pub const INCOMPLETE: u8 = 3;
}

pub fn run(command: Command) -> Result<u8> {
    match command {
        Command::Scan(c) => scan(
            &c.scan,
            Run {
                mode: Mode::Scan,
                format: c.format,
                gate_code: c.exit_code,
            },
        ),
        Command::Inventory(c) => scan(
            &c.scan,
            Run {
                mode: Mode::Inventory,
                format: c.format.map(Format::from),
                gate_code: exit::FINDINGS,
            },
        ),
        Command::Baseline {
            command: BaselineCommand::Create(c),
        } => {
            check_baseline_output(c.scan.output.as_deref())?;
            scan(
                &c.scan,
                Run {
                    mode: Mode::Baseline,
                    format: Some(Format::Json),
                    gate_code: exit::FINDINGS,
                },
            )
        }
        Command::Audit(c) => audit::audit(&c),
        Command::Report(c) => stored::report_run(
            &c.store.store,
            c.run.as_deref(),
            c.format,
            c.output.clone(),
            &c.judge,
        ),
        Command::Diff(c) => changes::diff(&c),
        Command::Runs(c) => changes::runs(&c),
        Command::History(c) => changes::history(&c),
        Command::Completions { shell } => crate::manual::completions(shell).map(|()| exit::CLEAN),
        Command::Man { dir } => crate::manual::man(dir.as_deref()).map(|()| exit::CLEAN),
        Command::Rules { command } => rules(command),
        Command::Config {
            command: ConfigCommand::Check { file },
        } => check_config(file.as_deref()),
        Command::Hook {
            command: HookCommand::Install { repo, force },
        } => crate::hook::install(&repo, force).map(|()| exit::CLEAN),
    }
}

/// Built-in rules plus the user's, merged by id.
pub fn load_rules(args: &RuleArgs) -> Result<Vec<Rule>> {
    load_rules_with(args, &Config::default())
}

/// Built-in rules (unless the command line or the configuration turns them off), the
/// configuration's rule paths, then the command line's (a later rule with an id replaces an
/// earlier one), less the rules the configuration disables.
fn load_rules_with(args: &RuleArgs, config: &Config) -> Result<Vec<Rule>> {
    let mut rules = if args.no_builtin_rules || !config.builtin_rules {
        Vec::new()
    } else {
        detect::rule::builtin_rules().context("built-in rules")?
    };
    for path in config.rule_paths.iter().chain(&args.rules) {
        let extra = detect::rule::load_user_rules(path)?;
        rules = detect::rule::merge(rules, extra);
    }
    Ok(config.apply_disable(rules)?)
}

/// What a scan run produces.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    Scan,
    Inventory,
    Baseline,
}

/// What the command adds to the scan options: what to write, and the code of a failed gate.
#[derive(Clone, Copy)]
pub(crate) struct Run {
    pub(crate) mode: Mode,
    /// The format asked for with -f; None: from the extension of -o, else text.
    pub(crate) format: Option<Format>,
    pub(crate) gate_code: u8,
}

/// A baseline is read back as JSON: refuse an -o name that promises another format, rather
/// than write JSON under a `.sarif` name.
fn check_baseline_output(output: Option<&Path>) -> Result<()> {
    let Some(path) = output else { return Ok(()) };
    match path.extension().and_then(|e| e.to_str()) {
        Some(ext) if !ext.eq_ignore_ascii_case("json") => bail!(
            "baseline create writes JSON only, but -o {} names a .{ext} file; use a .json name",
            path.display()
        ),
        _ => Ok(()),
    }
}

fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}
