//! Live counters of a running scan, for a progress display that reads them from another thread:
//! atomics and short locks, so reading never slows the scan.

use crate::model::Step;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

/// Live counters, readable by a progress display while the scan runs.
#[derive(Debug, Default)]
pub struct Progress {
    pub blobs: AtomicU64,
    pub bytes: AtomicU64,
    pub findings: AtomicU64,
    /// What the run is doing now (`walking files`, `history of repo`), named by the driver.
    phase: Mutex<String>,
    /// The source's step within the phase and its total when known, named by the source.
    step: Mutex<Option<(Step, Option<u64>)>>,
    pub(super) step_done: AtomicU64,
}

/// A source's step as the display shows it: what, how far, out of how many.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StepProgress {
    pub step: Step,
    pub done: u64,
    pub total: Option<u64>,
}

impl Progress {
    /// Name the phase the display shows from now on; the previous phase's step ends with it.
    pub fn set_phase(&self, phase: impl Into<String>) {
        if let Ok(mut p) = self.phase.lock() {
            *p = phase.into();
        }
        self.start_step(None);
    }

    pub(super) fn start_step(&self, step: Option<(Step, Option<u64>)>) {
        if let Ok(mut s) = self.step.lock() {
            *s = step;
            self.step_done.store(0, Ordering::Relaxed);
        }
    }

    pub fn step(&self) -> Option<StepProgress> {
        let (step, total) = (*self.step.lock().ok()?)?;
        Some(StepProgress {
            step,
            done: self.step_done.load(Ordering::Relaxed),
            total,
        })
    }

    pub fn phase(&self) -> String {
        self.phase.lock().map(|p| p.clone()).unwrap_or_default()
    }
}
