//! The `keyaudit` binary: parse the command line, run the command, map the result to an exit code.
// The wiring on top of the stages (command line, commands, hook, manual) is the binary's own:
// the library's API is the stages and the model, nothing a command line decides.
mod app;
mod cli;
mod hook;
mod manual;

// The stages, under the names the wiring uses (`crate::detect`, ...).
use keyaudit::{
    allowlist, baseline, config, detect, escape, inventory, lifecycle, log, model, policy, report,
    scan, source, store, time,
};

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    match app::run(cli.command) {
        Ok(code) => ExitCode::from(code),
        // Output cut short by its reader (`| head`): the reader has what it wanted; no message.
        Err(e) if broken_pipe(&e) => ExitCode::from(app::exit::CLEAN),
        Err(e) => {
            // Errors quote paths and names from the input: escaped like every terminal line.
            eprintln!("keyaudit: error: {}", escape::escaped(&format!("{e:#}")));
            ExitCode::from(app::exit::ERROR)
        }
    }
}

fn broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}
