//! Running a rule's own `examples` and `negative_examples`: the contract every rule carries.
//! `cargo test` runs these for every built-in rule; `keyaudit rules check FILE` for a user's file.

use super::engine::Engine;
use super::rule::Rule;

/// One failed expectation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExampleFailure {
    pub rule_id: String,
    pub example: String,
    pub expected_match: bool,
}

impl std::fmt::Display for ExampleFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let what = if self.expected_match {
            "example not matched"
        } else {
            "negative example matched"
        };
        write!(f, "rule {}: {what}: {:?}", self.rule_id, self.example)
    }
}

/// Check every example of every rule in `rules`, each rule on its own (so that the result says
/// what the rule itself does). Returns the failures and the number of examples checked.
pub fn check_examples(rules: Vec<Rule>) -> Result<(Vec<ExampleFailure>, usize), String> {
    let mut failures = Vec::new();
    let mut checked = 0;
    for rule in rules {
        rule.compile_now()
            .map_err(|e| format!("rule {}: {e}", rule.spec.id))?;
        let id = rule.spec.id.clone();
        let path = rule
            .spec
            .example_path
            .clone()
            .unwrap_or_else(|| "example.txt".into());
        let positives = rule.spec.examples.clone();
        let negatives = rule.spec.negative_examples.clone();
        if positives.is_empty() {
            return Err(format!("rule {id}: has no examples"));
        }
        let engine = Engine::new(vec![rule])?.without_crypto();
        for (examples, expected) in [(positives, true), (negatives, false)] {
            for ex in examples {
                checked += 1;
                let mut out = Vec::new();
                let mut faults = Vec::new();
                engine.scan(&path, ex.as_bytes(), &mut out, &mut faults);
                if let Some(f) = faults.first() {
                    return Err(format!("rule {id}: {}", f.message));
                }
                if out.is_empty() == expected {
                    failures.push(ExampleFailure {
                        rule_id: id.clone(),
                        example: ex,
                        expected_match: expected,
                    });
                }
            }
        }
    }
    Ok((failures, checked))
}
