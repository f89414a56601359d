//! The one-way flow the README draws, checked: source → detect → scan → inventory → policy →
//! report, shared types at the bottom, wiring (configuration, CLI, commands) on top. A module may
//! name modules of its own layer or below, never one above; and no two modules may name each
//! other. Known violations are listed here and must only shrink: one fixed without being removed
//! from the list fails too, so the list always says where the flow is still broken.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Top-level modules by layer, bottom first.
const LAYERS: &[&[&str]] = &[
    &["time", "escape", "toml_error", "finding", "log"],
    &["source"],
    &["detect"],
    &["context", "allowlist"],
    &["scan"],
    &["inventory"],
    &["policy"],
    &["baseline"],
    &["report"],
    &["config", "hook", "manual", "cli", "app"],
];

/// (importer, imported) pairs that break the flow today; each one is a piece of part 9's work.
const KNOWN_UPWARD: &[(&str, &str)] = &[
    // The shared model lives inside the stages: `Finding` holds detect's `CryptoInfo` and
    // source's `GitCommit`.
    ("finding", "detect"),
    ("finding", "source"),
    // The scan outcome applies a baseline (which knows policy violations).
    ("scan", "baseline"),
];

/// Pairs of modules that name each other today (each a cycle to cut).
const KNOWN_MUTUAL: &[(&str, &str)] = &[
    // `CryptoInfo` and `Severity` go back and forth between the parser and the model.
    ("detect", "finding"),
];

fn layer_of(module: &str) -> Option<usize> {
    LAYERS.iter().position(|l| l.contains(&module))
}

/// Every `crate::name` a file refers to, braces of grouped imports included.
fn referenced(text: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for (i, _) in text.match_indices("crate::") {
        let rest = &text[i + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            out.extend(group_heads(group));
        } else {
            let name: String = rest
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            out.insert(name);
        }
    }
    out
}

/// The first segment of each item of a `{…}` import group (nested groups skipped).
fn group_heads(group: &str) -> Vec<String> {
    let (mut depth, mut heads, mut at_item) = (0usize, Vec::new(), true);
    let mut chars = group.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        match c {
            '{' => depth += 1,
            '}' if depth == 0 => break,
            '}' => depth -= 1,
            ',' if depth == 0 => at_item = true,
            c if at_item && (c.is_ascii_alphanumeric() || c == '_') => {
                let name: String = group[i..]
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect();
                for _ in 1..name.len() {
                    chars.next();
                }
                heads.push(name);
                at_item = false;
            }
            _ => {}
        }
    }
    heads
}

/// The top-level module a file under src/ belongs to.
fn module_of(src: &Path, file: &Path) -> Option<String> {
    let rel = file.strip_prefix(src).ok()?;
    let first = rel.components().next()?.as_os_str().to_str()?;
    Some(first.trim_end_matches(".rs").to_string())
}

fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("read dir") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// Module → the modules its files name (test modules included: they are code of the module).
fn imports() -> BTreeMap<String, BTreeSet<String>> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for file in files {
        let Some(module) = module_of(&src, &file) else {
            continue;
        };
        if module == "lib" || module == "main" {
            continue;
        }
        let text = std::fs::read_to_string(&file).expect("read source");
        // Comments (doc links included) name modules without depending on them.
        let code: String = text
            .lines()
            .filter(|l| !l.trim_start().starts_with("//"))
            .collect::<Vec<_>>()
            .join("\n");
        let names = referenced(&code);
        let entry = graph.entry(module.clone()).or_default();
        entry.extend(names.into_iter().filter(|n| *n != module));
    }
    graph
}

#[test]
fn every_module_has_a_layer() {
    let graph = imports();
    let missing: Vec<&String> = graph.keys().filter(|m| layer_of(m).is_none()).collect();
    assert!(
        missing.is_empty(),
        "modules without a layer in tests/architecture.rs: {missing:?}"
    );
}

#[test]
fn no_module_reaches_upstream_beyond_the_known_list() {
    let graph = imports();
    let mut upward = BTreeSet::new();
    for (from, names) in &graph {
        let Some(lf) = layer_of(from) else { continue };
        for to in names {
            if layer_of(to).is_some_and(|lt| lt > lf) {
                upward.insert((from.clone(), to.clone()));
            }
        }
    }
    let known: BTreeSet<(String, String)> = KNOWN_UPWARD
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect();
    let new: Vec<_> = upward.difference(&known).collect();
    let fixed: Vec<_> = known.difference(&upward).collect();
    assert!(
        new.is_empty(),
        "modules that now name a later stage (importer, imported): {new:?}"
    );
    assert!(
        fixed.is_empty(),
        "fixed, so take them off KNOWN_UPWARD in tests/architecture.rs: {fixed:?}"
    );
}

#[test]
fn no_two_modules_name_each_other_beyond_the_known_list() {
    let graph = imports();
    let mut mutual = BTreeSet::new();
    for (a, names) in &graph {
        for b in names {
            if a < b && graph.get(b).is_some_and(|n| n.contains(a)) {
                mutual.insert((a.clone(), b.clone()));
            }
        }
    }
    let known: BTreeSet<(String, String)> = KNOWN_MUTUAL
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect();
    assert_eq!(
        mutual, known,
        "modules that name each other (update KNOWN_MUTUAL only by removing pairs)"
    );
}

#[test]
fn the_reference_scanner_reads_grouped_imports() {
    let names = referenced(
        "use crate::{scan::Scanner, finding::{Finding, Severity}};\nlet x = crate::time::now();",
    );
    assert_eq!(
        names,
        ["finding", "scan", "time"]
            .iter()
            .map(|s| s.to_string())
            .collect()
    );
}
