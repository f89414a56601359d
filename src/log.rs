//! Diagnostics on stderr (`-v`, `--log-level`): what was skipped and why, and how long each
//! phase took. Kept apart from reports, which go to stdout or `-o` and stay byte-identical.
//!
//! Log lines never carry a secret: callers pass paths, counts and reasons only, and every path
//! goes through [`escaped`] so that a hostile file name cannot forge lines or terminal escapes.

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
        eprintln!("keyaudit: {name}: {message}");
    }
}

/// A path or name made safe for one log line: control characters (newlines, ESC) and
/// backslashes escaped, everything else as is.
pub fn escaped(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if c.is_control() || c == '\\' {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out
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
    fn escapes_what_could_forge_a_line() {
        assert_eq!(escaped("a/b.txt"), "a/b.txt");
        assert_eq!(escaped("x\nkeyaudit: error"), "x\\nkeyaudit: error");
        assert_eq!(escaped("\u{1b}[31mred"), "\\u{1b}[31mred");
        assert_eq!(escaped("é"), "é");
    }

    #[test]
    fn levels_are_ordered_least_first() {
        assert!(Level::Error < Level::Warn && Level::Info < Level::Debug);
    }
}
