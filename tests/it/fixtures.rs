//! Acceptance test over the generated fixture tree `fixtures/project` (written by
//! `fixtures/generate.py`): every planted secret must be reported under the expected rule id at
//! the expected line, nothing else may be reported, and no finding may lie in a decoy file.

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

type Key = (String, u64, String);

fn key(path: &str, line: u64, rule: &str) -> Key {
    (path.to_string(), line, rule.to_string())
}

#[test]
fn fixture_project_findings_match_expected() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let expected: serde_json::Value = serde_json::from_slice(
        &std::fs::read(root.join("fixtures/project.expected.json")).expect("expected.json"),
    )
    .expect("expected.json parses");
    let want: BTreeSet<Key> = expected["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|e| {
            key(
                e["path"].as_str().unwrap(),
                e["line"].as_u64().unwrap(),
                e["rule_id"].as_str().unwrap(),
            )
        })
        .collect();
    let decoys: BTreeSet<&str> = expected["decoy_files"]
        .as_array()
        .expect("decoy_files")
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();

    let out = Command::new(env!("CARGO_BIN_EXE_keyaudit"))
        .current_dir(root)
        .args(["scan", "fixtures/project", "-f", "json", "-q"])
        .output()
        .expect("run keyaudit");
    assert!(
        out.status.code().is_some_and(|c| c == 0 || c == 1),
        "keyaudit failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json report");
    let got: BTreeSet<Key> = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        // Public keys and certificates are inventory items (severity note), not leaks: the
        // tree plants secrets, and tests/crypto.rs covers the inventory side.
        .filter(|f| f["severity"].as_str() != Some("note"))
        .map(|f| {
            let p = f["location"]["path"].as_str().unwrap().replace('\\', "/");
            let p = p
                .trim_start_matches("./")
                .trim_start_matches("fixtures/project/")
                .to_string();
            key(
                &p,
                f["location"]["start"]["line"].as_u64().unwrap(),
                f["rule_id"].as_str().unwrap(),
            )
        })
        .collect();

    let in_decoys: Vec<&Key> = got
        .iter()
        .filter(|k| decoys.contains(k.0.as_str()))
        .collect();
    let missing: Vec<&Key> = want.difference(&got).collect();
    let unexpected: Vec<&Key> = got.difference(&want).collect();
    let mut msg = String::new();
    for (title, list) in [
        ("missing (planted, not reported)", &missing),
        ("unexpected (reported, not planted)", &unexpected),
        ("reported in decoy files", &in_decoys),
    ] {
        if !list.is_empty() {
            msg.push_str(&format!("{title}: {}\n", list.len()));
            for (p, l, r) in list.iter() {
                msg.push_str(&format!("  {p}:{l} {r}\n"));
            }
        }
    }
    assert!(msg.is_empty(), "fixture tree mismatch\n{msg}");
    assert!(want.len() >= 250, "expected.json looks truncated");
}
