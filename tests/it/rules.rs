//! Every built-in rule carries its own contract: examples it must find and negative examples it
//! must not. This runs them all, and checks the catalogue's shape.

use keyaudit::detect::{examples, rule};

#[test]
fn every_builtin_rule_passes_its_examples() {
    let rules = rule::builtin_rules().expect("built-in rules load");
    let (failures, checked) = examples::check_examples(rules).expect("rules compile");
    let report: Vec<String> = failures.iter().map(ToString::to_string).collect();
    assert!(
        report.is_empty(),
        "{} of {checked} examples failed:\n{}",
        report.len(),
        report.join("\n")
    );
    assert!(checked > 300, "suspiciously few examples: {checked}");
}

#[test]
fn catalogue_has_60_plus_rules_each_with_positive_and_negative_examples() {
    let rules = rule::builtin_rules().expect("built-in rules load");
    assert!(rules.len() >= 60, "only {} rules", rules.len());
    for r in &rules {
        let s = &r.spec;
        assert!(!s.examples.is_empty(), "{}: no examples", s.id);
        assert!(
            !s.negative_examples.is_empty(),
            "{}: no negative examples",
            s.id
        );
        assert!(!s.description.trim().is_empty(), "{}: no description", s.id);
        for k in &s.keywords {
            assert!(
                k.len() >= 3,
                "{}: keyword {k:?} is too short to prefilter",
                s.id
            );
        }
    }
}

#[test]
fn rule_ids_are_unique_and_sorted() {
    let rules = rule::builtin_rules().expect("built-in rules load");
    let ids: Vec<&str> = rules.iter().map(|r| r.spec.id.as_str()).collect();
    let mut sorted = ids.clone();
    sorted.sort_unstable();
    sorted.dedup();
    assert_eq!(ids, sorted);
}
