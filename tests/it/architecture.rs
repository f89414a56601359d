//! The one-way flow the README draws, checked: source → detect → scan → inventory → policy →
//! report, the shared model and utilities at the bottom, wiring (configuration, CLI, commands)
//! on top. A module may name modules of its own layer or below, never one above; a stage reads
//! `model` and the stages before it but not past the one it follows where [`FORBIDDEN`] says so;
//! and no modules, at any depth (`detect::crypto::pem`), form an import cycle. The `KNOWN_*`
//! lists held the violations while part 9 removed them; they are empty now and must stay so.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Top-level modules by layer, bottom first.
const LAYERS: &[&[&str]] = &[
    &["model", "time", "escape", "toml_error", "log"],
    &["source"],
    &["detect"],
    &["context", "allowlist"],
    &["scan"],
    &["inventory"],
    &["policy"],
    &["baseline", "store", "lifecycle"],
    &["report"],
    &["config", "hook", "manual", "cli", "app"],
];

/// (importer, imported) pairs that break the flow (none).
const KNOWN_UPWARD: &[(&str, &str)] = &[];

/// Stages that must not look past the stage before them to the ones further up: each reads
/// `model` and what the stage before hands it, so that a later stage cannot depend on how an
/// earlier one works.
const FORBIDDEN: &[(&str, &[&str])] = &[
    ("inventory", &["source", "detect"]),
    ("policy", &["source", "detect", "scan"]),
    ("report", &["source", "detect"]),
];

/// (importer, imported) pairs of [`FORBIDDEN`] that still hold today; must only shrink.
const KNOWN_FORBIDDEN: &[(&str, &str)] = &[];

/// Cycles between modules at any depth (files and directory modules, `a::b::c`), each as its
/// sorted member list; must only shrink.
const KNOWN_CYCLES: &[&[&str]] = &[];

/// Pairs of modules that name each other today (each a cycle to cut).
const KNOWN_MUTUAL: &[(&str, &str)] = &[];

fn layer_of(module: &str) -> Option<usize> {
    LAYERS.iter().position(|l| l.contains(&module))
}

/// Every `crate::name` a file refers to, braces of grouped imports included.
fn referenced(text: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for (i, _) in text.match_indices("crate::") {
        let rest = &text[i + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            out.extend(
                group_paths(group)
                    .into_iter()
                    .filter_map(|p| p.split("::").next().map(str::to_string)),
            );
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

/// The full path of each item of a `{…}` import group, nested groups expanded:
/// `{a, b::c, d::{e, f}}` → `a`, `b::c`, `d::e`, `d::f`.
fn group_paths(group: &str) -> Vec<String> {
    let mut items = Vec::new();
    let (mut depth, mut start) = (0usize, 0usize);
    for (i, c) in group.char_indices() {
        match c {
            '{' => depth += 1,
            '}' if depth == 0 => {
                items.push(&group[start..i]);
                break;
            }
            '}' => depth -= 1,
            ',' if depth == 0 => {
                items.push(&group[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    for item in items.iter().map(|s| s.trim()).filter(|s| !s.is_empty()) {
        let path_end = item
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == ':'))
            .unwrap_or(item.len());
        let path = item[..path_end].trim_end_matches(':');
        match item[path_end..].trim_start().strip_prefix('{') {
            Some(inner) => out.extend(group_paths(inner).into_iter().map(|p| {
                if path.is_empty() {
                    p
                } else {
                    format!("{path}::{p}")
                }
            })),
            None if !path.is_empty() => out.push(path.to_string()),
            None => {}
        }
    }
    out
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
        "use crate::{scan::Scanner, model::{Finding, Severity}};\nlet x = crate::time::now();",
    );
    assert_eq!(
        names,
        ["model", "scan", "time"]
            .iter()
            .map(|s| s.to_string())
            .collect()
    );
}

#[test]
fn no_stage_reads_past_the_stage_before_it_beyond_the_known_list() {
    let graph = imports();
    let mut found = BTreeSet::new();
    for (from, banned) in FORBIDDEN {
        for to in graph.get(*from).into_iter().flatten() {
            if banned.contains(&to.as_str()) {
                found.insert((from.to_string(), to.clone()));
            }
        }
    }
    let known: BTreeSet<(String, String)> = KNOWN_FORBIDDEN
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect();
    assert_eq!(
        found, known,
        "stages reading past the stage before them (update KNOWN_FORBIDDEN only by removing pairs)"
    );
}

/// The module path of a file: `src/detect/crypto/keys.rs` → `detect::crypto::keys`,
/// `src/detect/crypto/mod.rs` → `detect::crypto`.
fn module_path(src: &Path, file: &Path) -> Option<String> {
    let rel = file.strip_prefix(src).ok()?.with_extension("");
    let mut parts: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    if parts.last().is_some_and(|p| p == "mod") {
        parts.pop();
    }
    (!parts.is_empty() && parts[0] != "lib" && parts[0] != "main").then(|| parts.join("::"))
}

/// Every path a file names through `crate::`, `super::` or `self::`, made absolute (grouped
/// imports expanded one level), without its last segment's item name resolved: callers take
/// the longest prefix that is a module.
fn named_paths(module: &str, code: &str) -> Vec<String> {
    // `self` is the module itself and `super` its parent, for `a/b.rs` and `a/b/mod.rs` alike.
    let own: Vec<&str> = module.split("::").collect();
    let mut out = Vec::new();
    for (prefix, base) in [
        ("crate::", Vec::new()),
        ("super::", own[..own.len() - 1].to_vec()),
        ("self::", own.clone()),
    ] {
        for (i, _) in code.match_indices(prefix) {
            let before = code[..i].chars().last();
            if before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':') {
                continue;
            }
            let rest = &code[i + prefix.len()..];
            let path: String = rest
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == ':')
                .collect();
            let path = path.trim_end_matches(':');
            let mut heads = vec![path.to_string()];
            if rest[path.len()..].trim_start_matches(':').starts_with('{') {
                let group = &rest[path.len()..].trim_start_matches(':')[1..];
                heads = group_paths(group)
                    .into_iter()
                    .map(|h| {
                        [path, &h]
                            .iter()
                            .filter(|s| !s.is_empty())
                            .cloned()
                            .collect::<Vec<_>>()
                            .join("::")
                    })
                    .collect();
            }
            for h in heads {
                let mut full: Vec<&str> = base.clone();
                full.extend(h.split("::").filter(|s| !s.is_empty()));
                out.push(full.join("::"));
            }
        }
    }
    out
}

/// Module path → the modules (at any depth) its file names, ancestors and descendants left out:
/// a module and its parent naming each other is how Rust modules are built, not a cycle.
fn module_graph() -> BTreeMap<String, BTreeSet<String>> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut texts = BTreeMap::new();
    for file in &files {
        if let Some(m) = module_path(&src, file) {
            let text = std::fs::read_to_string(file).expect("read source");
            let code: String = text
                .lines()
                .filter(|l| !l.trim_start().starts_with("//"))
                .collect::<Vec<_>>()
                .join("\n");
            texts.insert(m, code);
        }
    }
    let modules: BTreeSet<String> = texts.keys().cloned().collect();
    let related = |a: &str, b: &str| {
        a == b || a.starts_with(&format!("{b}::")) || b.starts_with(&format!("{a}::"))
    };
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (m, code) in &texts {
        let entry = graph.entry(m.clone()).or_default();
        for path in named_paths(m, code) {
            let parts: Vec<&str> = path.split("::").collect();
            let target = (1..=parts.len())
                .rev()
                .map(|n| parts[..n].join("::"))
                .find(|p| modules.contains(p));
            if let Some(t) = target.filter(|t| !related(m, t)) {
                entry.insert(t);
            }
        }
    }
    graph
}

/// Strongly connected components of more than one module (Tarjan's algorithm).
fn cycles(graph: &BTreeMap<String, BTreeSet<String>>) -> BTreeSet<Vec<String>> {
    struct T<'g> {
        g: &'g BTreeMap<String, BTreeSet<String>>,
        index: BTreeMap<&'g str, usize>,
        low: BTreeMap<&'g str, usize>,
        stack: Vec<&'g str>,
        out: BTreeSet<Vec<String>>,
    }
    fn visit<'g>(t: &mut T<'g>, v: &'g str) {
        let i = t.index.len();
        t.index.insert(v, i);
        t.low.insert(v, i);
        t.stack.push(v);
        for w in t.g.get(v).into_iter().flatten() {
            let w = w.as_str();
            if !t.index.contains_key(w) {
                visit(t, w);
                let lw = t.low[w];
                let lv = t.low.get_mut(v).expect("visited");
                *lv = (*lv).min(lw);
            } else if t.stack.contains(&w) {
                let iw = t.index[w];
                let lv = t.low.get_mut(v).expect("visited");
                *lv = (*lv).min(iw);
            }
        }
        if t.low[v] == t.index[v] {
            let mut comp = Vec::new();
            while let Some(w) = t.stack.pop() {
                comp.push(w.to_string());
                if w == v {
                    break;
                }
            }
            if comp.len() > 1 {
                comp.sort();
                t.out.insert(comp);
            }
        }
    }
    let mut t = T {
        g: graph,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        out: BTreeSet::new(),
    };
    for v in graph.keys() {
        if !t.index.contains_key(v.as_str()) {
            visit(&mut t, v);
        }
    }
    t.out
}

#[test]
fn no_import_cycle_at_any_depth_beyond_the_known_list() {
    let found = cycles(&module_graph());
    let known: BTreeSet<Vec<String>> = KNOWN_CYCLES
        .iter()
        .map(|c| c.iter().map(|s| s.to_string()).collect())
        .collect();
    assert_eq!(
        found, known,
        "import cycles (update KNOWN_CYCLES only by removing cycles that are gone)"
    );
}

#[test]
fn the_module_graph_sees_sibling_imports() {
    let paths = named_paths(
        "detect::crypto::keys",
        "use super::{pkcs12, asn1::oids};\nlet x = crate::model::Severity::High;",
    );
    assert_eq!(
        paths,
        [
            "model::Severity::High",
            "detect::crypto::pkcs12",
            "detect::crypto::asn1::oids"
        ]
    );
}

#[test]
fn the_module_graph_expands_nested_import_groups() {
    let paths = named_paths(
        "report::sarif",
        "use crate::detect::{crypto::{pem, ssh::public}, engine as e, self};",
    );
    assert_eq!(
        paths,
        [
            "detect::crypto::pem",
            "detect::crypto::ssh::public",
            "detect::engine",
            "detect::self"
        ]
    );
}
