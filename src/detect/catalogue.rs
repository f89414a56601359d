//! The rule catalogue: metadata of every detector in effect (rule files and the crypto parser's
//! native rules), as [`RuleInfo`] records, so that reports describe rules without reading the
//! detectors' own types.

use crate::model::RuleInfo;

fn from_rule(r: &super::Rule) -> RuleInfo {
    RuleInfo {
        id: r.spec.id.clone(),
        name: r.spec.name.clone(),
        description: r.spec.description.clone(),
        category: r.spec.category.clone(),
        generic: r.spec.precedence == super::rule::Precedence::Generic,
        severity: r.spec.severity,
        remediation: r.spec.remediation.clone(),
        references: r.spec.references.clone(),
    }
}

fn from_native(r: &super::crypto::NativeRule) -> RuleInfo {
    RuleInfo {
        id: r.id.to_string(),
        name: r.name.to_string(),
        description: r.description.to_string(),
        category: r.category.to_string(),
        generic: false,
        severity: r.severity,
        remediation: Some(r.remediation.to_string()),
        references: Vec::new(),
    }
}

/// Metadata of every detector in effect, sorted by id.
pub fn catalogue(rules: &[super::Rule]) -> Vec<RuleInfo> {
    let mut all: Vec<RuleInfo> = rules.iter().map(from_rule).collect();
    all.extend(super::crypto::RULES.iter().map(from_native));
    all.sort_by(|a, b| a.id.cmp(&b.id));
    all
}
