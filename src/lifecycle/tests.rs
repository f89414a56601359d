//! The diff on hand-built inventories: what pairs as a rotation and what does not, places kept
//! apart by root, and the two ways an entry leaves.

use super::*;
use crate::inventory::Places as InventoryPlaces;
use crate::model::{
    Context, Finding, Fingerprint, GitCommit, GitProvenance, Location, Position, Severity,
};

fn finding(rule: &str, path: &str, secret: &str, at_head: bool) -> Finding {
    let at = Position { line: 1, column: 1 };
    Finding {
        rule_id: rule.into(),
        rule_name: rule.into(),
        category: "test".into(),
        severity: Severity::High,
        location: Location {
            path: path.into(),
            start: at,
            end: at,
            byte_start: 0,
            byte_end: 1,
        },
        preview: "x".into(),
        fingerprint: Fingerprint::of(secret.as_bytes()),
        secret: None,
        snippet: String::new(),
        context: Context::Code,
        proof: None,
        gating: true,
        crypto: None,
        mtime: None,
        git: Some(GitProvenance {
            blob_id: "b".repeat(40),
            commit: Some(GitCommit::sample('c', 1_700_000_000)),
            at_head,
            present_at_head: at_head,
            occurrences: None,
        }),
        unlocks: Vec::new(),
        open_keystore: false,
        k8s_key: None,
    }
}

fn inventory(findings: &[Finding], roots: &[String]) -> Inventory {
    let mut inv = Inventory::build(findings, &InventoryPlaces::default());
    if roots.len() > 1 {
        inv.tag_repositories(roots);
    }
    inv
}

fn side<'a>(run: &'a str, roots: &'a [String], inv: &'a Inventory) -> Side<'a> {
    Side {
        run,
        as_of: 1_800_000_000,
        complete: true,
        roots,
        inventory: inv,
        violations: &[],
    }
}

fn roots(names: &[&str]) -> Vec<String> {
    names.iter().map(|s| s.to_string()).collect()
}

#[test]
fn a_secret_replaced_by_another_of_its_rule_is_a_rotation_and_by_another_rule_is_not() {
    let r = roots(&["api"]);
    let a = inventory(&[finding("github-pat", "ci.env", "old", true)], &r);
    let rotated = inventory(
        &[
            finding("github-pat", "ci.env", "old", false),
            finding("github-pat", "ci.env", "new", true),
        ],
        &r,
    );
    let d = diff(
        &side("a", &r, &a),
        &side("b", &r, &rotated),
        &PolicyConfig::default(),
        0,
    );
    assert_eq!(d.rotated.len(), 1);
    assert_eq!(d.rotated[0].place.path, "ci.env");
    assert!(d.rotated[0].old_still_present && !d.rotated[0].old_at_head);
    assert!(d.new.is_empty() && d.removed.is_empty());
    // Another rule's secret at the place is a new secret, and the old one left HEAD.
    let other = inventory(
        &[
            finding("github-pat", "ci.env", "old", false),
            finding("slack-token", "ci.env", "new", true),
        ],
        &r,
    );
    let d = diff(
        &side("a", &r, &a),
        &side("b", &r, &other),
        &PolicyConfig::default(),
        0,
    );
    assert!(d.rotated.is_empty());
    assert_eq!(d.new.len(), 1);
    assert_eq!(d.removed.len(), 1);
    assert_eq!(d.removed[0].state, "gone-from-head");
}

#[test]
fn the_same_path_in_two_roots_is_two_places() {
    let r = roots(&["api", "web"]);
    let a = inventory(
        &[
            finding("github-pat", "api/ci.env", "one", true),
            finding("github-pat", "web/ci.env", "two", true),
        ],
        &r,
    );
    // web's token replaced; api's unchanged.
    let b = inventory(
        &[
            finding("github-pat", "api/ci.env", "one", true),
            finding("github-pat", "web/ci.env", "three", true),
        ],
        &r,
    );
    let d = diff(
        &side("a", &r, &a),
        &side("b", &r, &b),
        &PolicyConfig::default(),
        0,
    );
    assert_eq!(d.rotated.len(), 1, "{d:#?}");
    assert_eq!(d.rotated[0].place.root, "web");
    assert_eq!(d.rotated[0].place.path, "ci.env");
    // Gone entirely: not in history either.
    assert!(!d.rotated[0].old_still_present);
}

#[test]
fn an_entry_in_no_root_any_more_is_gone() {
    let r = roots(&["api"]);
    let a = inventory(&[finding("github-pat", "a.env", "one", true)], &r);
    let b = inventory(&[], &r);
    let d = diff(
        &side("a", &r, &a),
        &side("b", &r, &b),
        &PolicyConfig::default(),
        0,
    );
    assert_eq!(d.removed.len(), 1);
    assert_eq!(d.removed[0].state, "gone");
    assert!(
        d.expiring_before_next.is_empty(),
        "next before as_of looks at nothing"
    );
}
