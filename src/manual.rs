//! Shell completions and manual pages, both generated from the clap definition of the command
//! line, so that they can never disagree with what `--help` says.

use crate::cli::Cli;
use anyhow::{Context, Result};
use clap::CommandFactory;
use std::io::Write;
use std::path::Path;

/// `keyaudit completions SHELL`: the completion script on stdout.
pub fn completions(shell: clap_complete::Shell) -> Result<()> {
    let mut cmd = Cli::command();
    let mut out = std::io::stdout().lock();
    clap_complete::generate(shell, &mut cmd, "keyaudit", &mut out);
    out.flush()?;
    Ok(())
}

/// `keyaudit man`: the top page on stdout (its SUBCOMMANDS section lists every command), or with
/// `--dir`, one page per command and subcommand (`keyaudit-baseline-create.1`) written there.
pub fn man(dir: Option<&Path>) -> Result<()> {
    let cmd = Cli::command();
    match dir {
        None => {
            let mut out = std::io::stdout().lock();
            clap_mangen::Man::new(cmd).render(&mut out)?;
            out.flush()?;
        }
        Some(dir) => {
            std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
            clap_mangen::generate_to(cmd, dir)
                .with_context(|| format!("writing manual pages to {}", dir.display()))?;
        }
    }
    Ok(())
}
