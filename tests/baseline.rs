//! Baselines: accepted findings stay quiet when lines move; a changed or new secret is reported.

mod common;

use common::{github_token, json, run_in, validate_sarif};
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
