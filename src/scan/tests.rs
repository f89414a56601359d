//! The scan stage on hand-built blobs and findings: what a finding carries out of the stage
//! (no secret unless asked, a masked snippet, its context and gate), inline allows, the
//! per-file cap, and how history versions of one secret collapse to its earliest introduction.

use super::*;
use crate::allowlist::Allowlist;
use crate::model::{GitCommit, GitIntroduction};
use crate::source::git::GitOrigin;

#[test]
fn the_scanner_counts_what_a_source_reports() {
    use crate::source::BlobSink;
    let engine = crate::detect::Engine::new(Vec::new()).expect("an engine without rules");
    let scanner = Scanner::new(&engine, Default::default());
    scanner.progress.set_phase("history of repo");
    scanner.step(Step::ScanningBlobs, Some(48_211));
    scanner.advance(3);
    scanner.advance(4);
    let s = scanner.progress.step().expect("a step");
    assert_eq!(
        (s.step, s.done, s.total),
        (Step::ScanningBlobs, 7, Some(48_211))
    );
    // A new phase (the work tree after the history) ends the step.
    scanner.progress.set_phase("work tree of repo");
    assert_eq!(scanner.progress.step(), None);
}

const RULE: &str = r#"
[[rules]]
id = "test-token"
name = "Test token"
description = "a token for these tests"
category = "test"
severity = "high"
keywords = ["tok_"]
pattern = 'tok_(?P<secret>[a-z0-9]{20})'
examples = ["tok_abcdefghij0123456789"]
"#;

const TOKEN: &str = "tok_q7w3e9r1t5y8u2i4o6p0";

fn engine() -> Engine {
    let rules = crate::detect::rule::parse_rule_file(RULE, "test.toml").expect("rule file");
    Engine::new(rules).expect("engine")
}

fn scan(engine: &Engine, settings: ScanSettings, blobs: &[(&str, &str)]) -> ScanOutcome {
    let scanner = Scanner::new(engine, settings);
    let origin = Origin::File {
        mtime: Some(1_700_000_000),
    };
    for (path, text) in blobs {
        scanner.blob(Blob {
            path,
            data: text.as_bytes(),
            origin: &origin,
        });
    }
    scanner.finish()
}

#[test]
fn a_finding_leaves_the_stage_masked_placed_and_without_its_secret() {
    let engine = engine();
    let text = format!("# config\napi = \"{TOKEN}\"\n");
    let out = scan(
        &engine,
        ScanSettings::default(),
        &[("tests/conf.py", &text), ("src/conf.py", &text)],
    );
    assert_eq!(out.findings.len(), 2);
    for f in &out.findings {
        assert_eq!(f.secret, None);
        assert!(
            !f.snippet.contains(&TOKEN[4..]),
            "snippet masks: {}",
            f.snippet
        );
        assert!(
            !f.preview.contains(&TOKEN[4..]),
            "preview masks: {}",
            f.preview
        );
        assert_eq!((f.location.start.line, f.location.start.column), (2, 12));
        assert_eq!(f.mtime, Some(1_700_000_000));
    }
    let placed: Vec<(&str, Context, bool)> = out
        .findings
        .iter()
        .map(|f| (f.location.path.as_str(), f.context, f.gating))
        .collect();
    assert_eq!(
        placed,
        [
            ("src/conf.py", Context::Code, true),
            ("tests/conf.py", Context::Test, false)
        ]
    );
    assert_eq!(out.findings[0].fingerprint, out.findings[1].fingerprint);
    let shown = scan(
        &engine,
        ScanSettings::new(true, Allowlist::default()),
        &[("a", &text)],
    );
    assert_eq!(shown.findings[0].secret.as_deref(), Some(&TOKEN[4..]));
}

#[test]
fn an_inline_allow_suppresses_its_line_only_and_is_counted() {
    let text = format!("a = \"{TOKEN}\"  # keyaudit:allow\nb = \"{TOKEN}\"\n");
    let out = scan(&engine(), ScanSettings::default(), &[("src/a.py", &text)]);
    let lines: Vec<u32> = out.findings.iter().map(|f| f.location.start.line).collect();
    assert_eq!(lines, [2]);
    assert_eq!(out.stats.suppressed_inline, 1);
}

#[test]
fn past_the_cap_findings_are_counted_not_built() {
    let text = format!("x = \"{TOKEN}\"\n").repeat(5);
    let settings = ScanSettings {
        max_findings_per_file: 3,
        ..Default::default()
    };
    let out = scan(&engine(), settings, &[("src/many.txt", &text)]);
    let lines: Vec<u32> = out.findings.iter().map(|f| f.location.start.line).collect();
    assert_eq!(lines, [1, 2, 3], "the first in the file are kept");
    let capped = out.problem_counts();
    assert_eq!(capped.get(&ProblemKind::FindingsCapped), Some(&1));
    // Every byte was scanned and the gate sees the first findings: reported, not incomplete.
    assert!(!out.incomplete());
}

fn history_blob(blob: char, intros: &[(&str, char, i64, bool)], at_head: bool) -> Origin {
    Origin::Git(Box::new(GitOrigin {
        blob_id: blob.to_string().repeat(40),
        introduced: intros
            .iter()
            .map(|&(path, id, time, head)| GitIntroduction {
                path: path.into(),
                commit: Some(GitCommit::sample(id, time)),
                at_head: head,
            })
            .collect(),
        present_at_head: at_head,
        lfs_pointer: false,
        occurrences: None,
    }))
}

#[test]
fn versions_of_one_secret_in_history_collapse_to_its_earliest_introduction() {
    let engine = engine();
    let scanner = Scanner::new(&engine, ScanSettings::default());
    let v1 = format!("k = \"{TOKEN}\"\n");
    let v2 = format!("# edited\nk = \"{TOKEN}\"\n");
    let v3 = format!("# edited twice\n\nk = \"{TOKEN}\"\n");
    // Delivered out of date order, as a parallel history walk may.
    let blobs = [
        (
            &v2,
            history_blob('b', &[("app/k.py", '2', 2_000, false)], false),
        ),
        (
            &v3,
            history_blob(
                'c',
                &[
                    ("app/k.py", '3', 3_000, true),
                    ("copy/k.py", '3', 3_000, true),
                ],
                true,
            ),
        ),
        (
            &v1,
            history_blob('a', &[("app/k.py", '1', 1_000, false)], false),
        ),
    ];
    for (text, origin) in &blobs {
        let path = match origin {
            Origin::Git(g) => g.introduced[0].path.clone(),
            _ => unreachable!("history blobs"),
        };
        scanner.blob(Blob {
            path: &path,
            data: text.as_bytes(),
            origin,
        });
    }
    let out = scanner.finish();
    let seen: Vec<(&str, u32, char, bool)> = out
        .findings
        .iter()
        .map(|f| {
            let g = f.git.as_ref().expect("history provenance");
            let c = g.commit.as_ref().expect("a commit");
            (
                f.location.path.as_str(),
                f.location.start.line,
                c.id.chars().next().unwrap_or('?'),
                g.present_at_head,
            )
        })
        .collect();
    assert_eq!(
        seen,
        [("app/k.py", 1, '1', true), ("copy/k.py", 3, '3', true)],
        "one per path, at its first commit; still at HEAD through the newest version"
    );
}
