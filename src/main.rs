//! The `keyaudit` binary: parse the command line, run the command, map the result to an exit code.
use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = keyaudit::cli::Cli::parse();
    match keyaudit::app::run(cli.command) {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            // Errors quote paths and names from the input: escaped like every terminal line.
            eprintln!(
                "keyaudit: error: {}",
                keyaudit::escape::escaped(&format!("{e:#}"))
            );
            ExitCode::from(keyaudit::app::exit::ERROR)
        }
    }
}
