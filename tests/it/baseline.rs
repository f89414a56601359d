//! Baselines: accepted findings stay quiet when lines move; a changed or new secret is reported.

use crate::common;

use crate::common::{github_token, json, run_in, validate_sarif};
use std::fs;

#[test]
fn baseline_accepts_moved_lines_but_not_changed_or_new_secrets() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let accepted = github_token("ghp", 81);
    fs::write(dir.join("app.env"), format!("A=1\nTOKEN={accepted}\n")).unwrap();
    let r = run_in(dir, &["baseline", "create", ".", "-q", "-o", "bl.json"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let baseline = fs::read_to_string(dir.join("bl.json")).unwrap();
    assert!(!baseline.contains(&accepted), "baseline holds the secret");
    assert!(baseline.contains("fp1:"));
    let scan = |extra: &[&str]| {
        let mut args = vec!["scan", ".", "-f", "json", "-q", "--baseline", "bl.json"];
        args.extend_from_slice(extra);
        let r = run_in(dir, &args);
        (r.code, json(&r))
    };

    // moved and reformatted: still accepted
    fs::write(
        dir.join("app.env"),
        format!("# config\nA=1\nB=2\n\nTOKEN = {accepted}\n"),
    )
    .unwrap();
    let (code, report) = scan(&[]);
    assert_eq!(code, 0, "{report:#}");
    assert_eq!(report["summary"]["baselined"], 1);
    assert!(report["findings"].as_array().unwrap().is_empty());
    common::assert_schema_valid(&report);

    // a changed secret on the same line: new
    let rotated = github_token("ghp", 82);
    fs::write(
        dir.join("app.env"),
        format!("# config\nA=1\nB=2\n\nTOKEN = {rotated}\n"),
    )
    .unwrap();
    let (code, report) = scan(&[]);
    assert_eq!(code, 1);
    assert_eq!(report["findings"].as_array().unwrap().len(), 1);

    // the accepted secret back, plus a new one elsewhere: only the new one
    fs::write(dir.join("app.env"), format!("TOKEN={accepted}\n")).unwrap();
    fs::write(
        dir.join("ci.env"),
        format!("TOKEN={}\n", github_token("ghp", 83)),
    )
    .unwrap();
    let (code, report) = scan(&[]);
    assert_eq!(code, 1);
    let paths: Vec<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["location"]["path"].as_str().unwrap())
        .collect();
    assert_eq!(paths, ["ci.env"]);

    // SARIF keeps the accepted one with a suppression, unless --baseline-drop
    let out = dir.join("r.sarif");
    let sarif_results = |extra: &[&str]| {
        let o = out.to_str().unwrap();
        let mut args = vec!["scan", ".", "-q", "--baseline", "bl.json"];
        args.extend_from_slice(extra);
        args.extend_from_slice(&["--exclude", "*.sarif", "-o", o]);
        run_in(dir, &args);
        validate_sarif(&out);
        let sarif: serde_json::Value =
            serde_json::from_str(&fs::read_to_string(&out).unwrap()).unwrap();
        sarif["runs"][0]["results"].as_array().unwrap().clone()
    };
    let results = sarif_results(&[]);
    assert_eq!(results.len(), 2);
    assert_eq!(
        results
            .iter()
            .filter(|r| r.get("suppressions").is_some())
            .count(),
        1
    );
    assert_eq!(sarif_results(&["--baseline-drop"]).len(), 1);
}

#[test]
fn baseline_accepts_todays_violations_but_not_later_ones() {
    // A leaf certificate valid for ten years: today it breaks the 398-day rule (accepted); years
    // later it is about to expire, a new problem the gate must not hide.
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let cert = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/crypto/server.crt");
    fs::copy(cert, dir.join("server.crt")).unwrap();
    let scan = |now: &str, extra: &[&str]| {
        let mut args = vec!["scan", ".", "-f", "json", "-q", "--now", now];
        args.extend_from_slice(extra);
        args.extend_from_slice(&["--exclude", "*.json", "--exclude", "*.sarif"]);
        let r = run_in(dir, &args);
        (r.code, json(&r))
    };
    let rules = |report: &serde_json::Value| -> Vec<String> {
        report["violations"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v["rule"].as_str().unwrap().to_string())
            .collect()
    };
    let (code, before) = scan("2026-12-01", &[]);
    assert_eq!(code, 1);
    assert_eq!(rules(&before), ["cert-validity-too-long"]);
    let r = run_in(
        dir,
        &[
            "baseline",
            "create",
            ".",
            "-q",
            "-o",
            "bl.json",
            "--now",
            "2026-12-01",
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let (code, today) = scan("2026-12-01", &["--baseline", "bl.json"]);
    assert_eq!(code, 0, "{today:#}");
    assert!(rules(&today).is_empty());
    assert_eq!(today["summary"]["baselined_violations"], 1);
    assert_eq!(today["summary"]["baselined"], 1);
    // The accepted certificate is still in the inventory, so the policy still watches it.
    assert_eq!(today["inventory"].as_array().unwrap().len(), 1);
    common::assert_schema_valid(&today);
    let (code, later) = scan("2036-11-01", &["--baseline", "bl.json"]);
    assert_eq!(code, 1);
    assert_eq!(rules(&later), ["cert-expiring"]);

    // SARIF: the accepted violation stays, suppressed; the validator accepts it.
    let out = dir.join("r.sarif");
    let o = out.to_str().unwrap();
    let r = run_in(
        dir,
        &[
            "scan",
            ".",
            "-q",
            "--now",
            "2026-12-01",
            "--baseline",
            "bl.json",
            "--exclude",
            "*.json",
            "-o",
            o,
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    validate_sarif(&out);
    let sarif: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(&out).unwrap()).unwrap();
    let policy: Vec<&serde_json::Value> = sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["ruleId"] == "policy/cert-validity-too-long")
        .collect();
    assert_eq!(policy.len(), 1);
    assert!(policy[0].get("suppressions").is_some());
}
