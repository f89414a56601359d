//! Drive the git-history source directly, for benchmarks until the CLI has `--git`.
//!
//! ```text
//! history_scan REPO [--threads N] [--since REV] [--range A B] [--refs R,R] [--null] [--json OUT]
//! ```
//!
//! By default every blob goes through the real detectors (`keyaudit::scan::Scanner`);
//! `--null` swaps in a sink that only counts, to time the source alone.

use keyaudit::detect::Engine;
use keyaudit::scan::{ScanSettings, Scanner};
use keyaudit::source::git::{GitOptions, GitScanSummary, scan_history};
use keyaudit::source::{Blob, BlobSink, Problem};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

struct Null {
    blobs: AtomicU64,
    problems: Mutex<Vec<Problem>>,
}

impl BlobSink for Null {
    fn blob(&self, _: Blob<'_>) {
        self.blobs.fetch_add(1, Ordering::Relaxed);
    }
    fn problem(&self, p: Problem) {
        self.problems
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(p);
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let mut opts = GitOptions::new(".");
    let mut null = false;
    let mut json_out = None;
    let mut repo = None;
    while let Some(a) = args.next() {
        match a.as_str() {
            "--threads" => opts.threads = args.next().ok_or("--threads N")?.parse()?,
            "--since" => opts.since = Some(args.next().ok_or("--since REV")?),
            "--range" => {
                let a = args.next().ok_or("--range A B")?;
                let b = args.next().ok_or("--range A B")?;
                opts.range = Some((a, b));
            }
            "--refs" => {
                opts.refs = Some(
                    args.next()
                        .ok_or("--refs R,R")?
                        .split(',')
                        .map(String::from)
                        .collect(),
                )
            }
            "--all-occurrences" => opts.all_occurrences = true,
            "--null" => null = true,
            "--json" => json_out = Some(args.next().ok_or("--json FILE")?),
            _ => repo = Some(a),
        }
    }
    opts.repo = repo.ok_or("usage: history_scan REPO [options]")?.into();

    let start = Instant::now();
    let (summary, findings, problems) = if null {
        let sink = Null {
            blobs: AtomicU64::new(0),
            problems: Mutex::new(Vec::new()),
        };
        let summary = scan_history(&opts, &sink)?;
        let problems = sink
            .problems
            .into_inner()
            .unwrap_or_else(|e| e.into_inner());
        (summary, Vec::new(), problems)
    } else {
        let rules = keyaudit::detect::rule::builtin_rules()?;
        let engine = Engine::new(rules).map_err(|e| e.to_string())?;
        let scanner = Scanner::new(&engine, ScanSettings::default());
        let summary = scan_history(&opts, &scanner)?;
        let outcome = scanner.finish();
        (summary, outcome.findings, outcome.problems)
    };
    let secs = start.elapsed().as_secs_f64();
    report(&summary, findings.len(), &problems, secs);
    let mut by_rule = std::collections::BTreeMap::new();
    for f in &findings {
        *by_rule.entry(f.rule_id.as_str()).or_insert(0u64) += 1;
    }
    if let Some(path) = json_out {
        let value = serde_json::json!({
            "seconds": secs,
            "summary": summary,
            "findings": findings.len(),
            "findings_by_rule": by_rule,
            "problems": problems.len(),
        });
        std::fs::write(path, serde_json::to_vec_pretty(&value)?)?;
    }
    Ok(())
}

fn report(s: &GitScanSummary, findings: usize, problems: &[Problem], secs: f64) {
    let mb = s.bytes_scanned as f64 / 1e6;
    eprintln!(
        "{:.2} s: {} refs, {} commits, {} blobs seen, {} scanned ({:.0} blobs/s), {:.1} MB ({:.1} MB/s), \
         {} too large, {} unreadable, {} LFS pointers, {} submodules, shallow={}, {} findings, {} problems",
        secs,
        s.refs_walked,
        s.commits_walked,
        s.blobs_seen,
        s.blobs_scanned,
        s.blobs_scanned as f64 / secs,
        mb,
        mb / secs,
        s.blobs_too_large,
        s.blobs_unreadable,
        s.lfs_pointers,
        s.submodules.len(),
        s.shallow,
        findings,
        problems.len()
    );
    for p in problems.iter().take(10) {
        eprintln!("  problem {:?} {}: {}", p.kind, p.path, p.message);
    }
}
