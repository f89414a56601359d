//! The `keyaudit` binary: parse the command line, run the command, map the result to an exit code.
use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = keyaudit::cli::Cli::parse();
    match keyaudit::app::run(cli.command) {
        Ok(code) => ExitCode::from(code),
        // Output cut short by its reader (`| head`): the reader has what it wanted; no message.
        Err(e) if broken_pipe(&e) => ExitCode::from(keyaudit::app::exit::CLEAN),
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

fn broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}
