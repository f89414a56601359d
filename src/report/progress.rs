//! Progress on stderr while a scan runs, naming its phase (walking files, history of a
//! repository, standard input), only when stderr is a terminal (never in CI logs or
//! when piped) and not with `--quiet`.

use crate::scan::Progress;
use indicatif::{HumanBytes, ProgressBar, ProgressStyle};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

pub struct Display {
    bar: ProgressBar,
    done: AtomicBool,
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
            let bytes = p.bytes.load(Ordering::Relaxed);
            let secs = t0.elapsed().as_secs_f64().max(0.001);
            // The phase names a repository as given: a terminal line must not carry control
            // characters from a hostile name.
            self.bar.set_message(format!(
                "{}: {} files, {}, {} findings, {}/s",
                crate::escape::escaped(&p.phase()),
                p.blobs.load(Ordering::Relaxed),
                HumanBytes(bytes),
                p.findings.load(Ordering::Relaxed),
                HumanBytes((bytes as f64 / secs) as u64)
            ));
            self.bar.tick();
            std::thread::sleep(Duration::from_millis(100));
        }
        self.bar.finish_and_clear();
    }

    pub fn stop(&self) {
        self.done.store(true, Ordering::Relaxed);
    }
}
