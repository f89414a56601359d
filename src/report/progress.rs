//! Progress on stderr while a scan runs, naming its phase (walking files, history of a
//! repository, standard input) and, inside a history scan, the source's step with its count and
//! total (walking commits, diffing trees, scanning blobs): a large history spends minutes in
//! steps that hand over no file, and a bare counter would look stuck. Drawn only when stderr is
//! a terminal (never in CI logs or when piped) and not with `--quiet`.

use crate::scan::{Progress, StepProgress};
use indicatif::{HumanBytes, HumanCount, ProgressBar, ProgressStyle};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

pub struct Display {
    bar: ProgressBar,
    done: AtomicBool,
}

/// One reading of the counters, to be drawn as a line.
pub struct Snapshot {
    pub phase: String,
    pub step: Option<StepProgress>,
    pub files: u64,
    pub bytes: u64,
    pub findings: u64,
    pub bytes_per_sec: u64,
}

impl Snapshot {
    fn read(p: &Progress, elapsed: Duration) -> Snapshot {
        let bytes = p.bytes.load(Ordering::Relaxed);
        let secs = elapsed.as_secs_f64().max(0.001);
        Snapshot {
            phase: p.phase(),
            step: p.step(),
            files: p.blobs.load(Ordering::Relaxed),
            bytes,
            findings: p.findings.load(Ordering::Relaxed),
            bytes_per_sec: (bytes as f64 / secs) as u64,
        }
    }

    /// The line shown: `history of repo: diffing trees 1,204 / 5,000 commits · 12 files, …`.
    pub fn line(&self) -> String {
        let mut line = if self.phase.is_empty() {
            "starting".to_string()
        } else {
            without_controls(&self.phase)
        };
        if let Some(s) = self.step {
            line.push_str(&format!(": {} {}", s.step.label(), HumanCount(s.done)));
            if let Some(total) = s.total {
                line.push_str(&format!(" / {}", HumanCount(total)));
            }
            line.push_str(&format!(" {} ·", s.step.unit()));
        } else {
            line.push(':');
        }
        line.push_str(&format!(
            " {} files, {}, {} findings, {}/s",
            HumanCount(self.files),
            HumanBytes(self.bytes),
            HumanCount(self.findings),
            HumanBytes(self.bytes_per_sec)
        ));
        line
    }
}

/// The phase comes from the driver with paths in it, escaped there (`escape::escaped`, which also
/// doubles backslashes): only control characters are escaped again here, so that none from a
/// hostile name reaches the terminal whoever named the phase, and escaped text shows as it is.
fn without_controls(s: &str) -> String {
    s.chars()
        .map(|c| {
            if crate::escape::is_unsafe(c) {
                c.escape_default().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}

impl Display {
    pub fn start() -> Display {
        let bar = ProgressBar::new_spinner();
        bar.set_style(
            ProgressStyle::with_template("{spinner} {msg}")
                .unwrap_or_else(|_| ProgressStyle::default_spinner()),
        );
        Display {
            bar,
            done: AtomicBool::new(false),
        }
    }

    /// Refresh the line until [`Display::stop`] is called.
    pub fn run(&self, p: &Progress) {
        let t0 = Instant::now();
        while !self.done.load(Ordering::Relaxed) {
            self.bar.set_message(Snapshot::read(p, t0.elapsed()).line());
            self.bar.tick();
            std::thread::sleep(Duration::from_millis(100));
        }
        self.bar.finish_and_clear();
    }

    pub fn stop(&self) {
        self.done.store(true, Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Step;

    fn snapshot(phase: &str, step: Option<StepProgress>) -> Snapshot {
        Snapshot {
            phase: phase.into(),
            step,
            files: 12_000,
            bytes: 3 << 20,
            findings: 2,
            bytes_per_sec: 1 << 20,
        }
    }

    #[test]
    fn a_step_shows_its_count_and_total_once_known() {
        let diffing = StepProgress {
            step: Step::DiffingTrees,
            done: 1204,
            total: Some(5000),
        };
        assert_eq!(
            snapshot("history of repo", Some(diffing)).line(),
            "history of repo: diffing trees 1,204 / 5,000 commits · 12,000 files, 3.00 MiB, \
             2 findings, 1.00 MiB/s"
        );
        let walking = StepProgress {
            step: Step::WalkingCommits,
            done: 7,
            total: None,
        };
        assert_eq!(
            snapshot("history of repo", Some(walking)).line(),
            "history of repo: walking commits 7 commits · 12,000 files, 3.00 MiB, 2 findings, \
             1.00 MiB/s"
        );
        assert_eq!(
            snapshot("walking files", None).line(),
            "walking files: 12,000 files, 3.00 MiB, 2 findings, 1.00 MiB/s"
        );
    }

    #[test]
    fn control_characters_in_a_phase_are_escaped() {
        let line = snapshot("history of evil\x1b[2J\rname", None).line();
        assert!(!line.chars().any(|c| c.is_control()), "{line:?}");
        // What the driver already escaped shows once, not with doubled backslashes.
        let shown = crate::escape::escaped("evil\x1b]0;x\x07");
        let line = snapshot(&format!("history of {shown}"), None).line();
        assert!(
            line.starts_with("history of evil\\u{1b}]0;x\\u{7}: "),
            "{line:?}"
        );
        assert!(
            snapshot("", None)
                .line()
                .starts_with("starting: 12,000 files")
        );
    }
}
