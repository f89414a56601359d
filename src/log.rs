//! Diagnostics on stderr (`-v`, `--log-level`): what was skipped and why, and how long each
//! phase took. Kept apart from reports, which go to stdout or `-o` and stay byte-identical.
//!
//! Log lines never carry a secret: callers pass paths, counts and reasons only. Every line goes
//! through [`crate::escape::escaped`] here, so that a hostile file name in it cannot forge lines
//! or drive the terminal, whatever the caller passed.

use std::sync::atomic::{AtomicU8, Ordering};
use std::time::Instant;

/// How much to say, least first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, clap::ValueEnum)]
pub enum Level {
    Error,
    Warn,
    Info,
    Debug,
}

static LEVEL: AtomicU8 = AtomicU8::new(Level::Warn as u8);

/// Set the level for the rest of the process.
pub fn set_level(level: Level) {
    LEVEL.store(level as u8, Ordering::Relaxed);
}

/// Whether a message at `level` is printed.
pub fn enabled(level: Level) -> bool {
    level as u8 <= LEVEL.load(Ordering::Relaxed)
}

/// Print `message` at `level` (one line on stderr, prefixed with the level).
pub fn log(level: Level, message: std::fmt::Arguments<'_>) {
    if enabled(level) {
        let name = match level {
            Level::Error => "error",
            Level::Warn => "warn",
            Level::Info => "info",
            Level::Debug => "debug",
        };
        eprintln!(
            "keyaudit: {name}: {}",
            crate::escape::escaped(&message.to_string())
        );
    }
}

/// Times one phase of a run and logs its duration at info level when dropped.
pub struct Phase {
    name: &'static str,
    started: Instant,
}

impl Phase {
    pub fn start(name: &'static str) -> Phase {
        log(Level::Debug, format_args!("{name}: started"));
        Phase {
            name,
            started: Instant::now(),
        }
    }
}

impl Drop for Phase {
    fn drop(&mut self) {
        let ms = self.started.elapsed().as_secs_f64() * 1000.0;
        log(Level::Info, format_args!("{}: {ms:.1} ms", self.name));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_are_ordered_least_first() {
        assert!(Level::Error < Level::Warn && Level::Info < Level::Debug);
    }
}
