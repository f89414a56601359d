//! Text forms of `diff` and `history`. Every string from a scanned repository (paths, root
//! names, previews) is escaped, as in every terminal report.

use crate::escape::escaped;
use crate::lifecycle::{Diff, EntryRef, History, RunRef, ViolationRef};
use std::io::{self, Write};

fn run_line(label: &str, r: &RunRef) -> String {
    let state = if r.complete {
        String::new()
    } else {
        " — INCOMPLETE: some input was not read, so what looks removed may only be unread".into()
    };
    format!(
        "{label} {} ({}, {} roots){state}",
        escaped(&r.run),
        r.as_of.get(..10).unwrap_or(&r.as_of),
        r.roots.len()
    )
}

/// `root:path`, and `[key]` for a value of a Kubernetes Secret.
fn place(p: &crate::lifecycle::Place) -> String {
    match &p.k8s_key {
        Some(k) => format!("{}:{} [{k}]", p.root, p.path),
        None => format!("{}:{}", p.root, p.path),
    }
}

fn places(e: &EntryRef) -> String {
    let list: Vec<String> = e
        .places
        .iter()
        .map(|p| escaped(&place(p)).into_owned())
        .collect();
    list.join(", ")
}

fn entry(e: &EntryRef) -> String {
    let verdicts = match e.violations.as_slice() {
        [] => String::new(),
        v => format!(" — violates {}", v.join(", ")),
    };
    format!(
        "{} [{}] at {}{verdicts}",
        escaped(&e.description),
        escaped(&e.id),
        places(e)
    )
}

fn violations(out: &mut dyn Write, title: &str, list: &[ViolationRef]) -> io::Result<()> {
    writeln!(out, "\n{title} ({})", list.len())?;
    for v in list {
        let at: Vec<String> = v
            .places
            .iter()
            .map(|p| escaped(&place(p)).into_owned())
            .collect();
        writeln!(
            out,
            "  {} {}: {} — at {}",
            v.severity,
            v.rule,
            escaped(&v.message),
            at.join(", ")
        )?;
    }
    Ok(())
}

pub fn write_diff(out: &mut dyn Write, d: &Diff) -> io::Result<()> {
    writeln!(out, "{}", run_line("from", &d.from))?;
    writeln!(out, "{}", run_line("to  ", &d.to))?;
    writeln!(out, "\nnew ({})", d.new.len())?;
    for e in &d.new {
        writeln!(out, "  + {}", entry(e))?;
    }
    writeln!(out, "\nremoved ({})", d.removed.len())?;
    for r in &d.removed {
        let state = match r.state {
            "gone-from-head" => "gone from HEAD, still in history: not destroyed",
            _ => "gone from every root and its history",
        };
        writeln!(out, "  - {} — {state}", entry(&r.entry))?;
    }
    writeln!(out, "\nrotated ({})", d.rotated.len())?;
    for r in &d.rotated {
        let old_state = match (r.old_at_head, r.old_still_present) {
            (true, _) => "old one still in use elsewhere",
            (false, true) => "old one still in history: purge or revoke it",
            (false, false) => "old one gone",
        };
        let verdicts = match r.new.violations.as_slice() {
            [] => String::new(),
            v => format!("; the new one violates {}", v.join(", ")),
        };
        writeln!(
            out,
            "  ~ {}: {} → {} ({old_state}{verdicts})",
            escaped(&place(&r.place)),
            escaped(&r.old.description),
            escaped(&r.new.description)
        )?;
    }
    violations(out, "newly violating", &d.newly_violating)?;
    violations(out, "resolved", &d.resolved)?;
    let next = d.next.get(..10).unwrap_or(&d.next);
    violations(
        out,
        &format!("expiring before the next audit ({next})"),
        &d.expiring_before_next,
    )
}

pub fn write_history(out: &mut dyn Write, h: &History) -> io::Result<()> {
    match &h.latest {
        Some(e) => writeln!(out, "{}", entry(e))?,
        None => writeln!(out, "{}", escaped(&h.entry))?,
    }
    if let Some(first) = h.latest.as_ref().and_then(|e| e.first_seen.as_ref()) {
        writeln!(out, "first introduced {}", first.get(..10).unwrap_or(first))?;
    }
    if let (Some(a), Some(b)) = (&h.first_audit, &h.last_audit) {
        writeln!(
            out,
            "first audited in {}, last seen in {}",
            escaped(a),
            escaped(b)
        )?;
    }
    for r in &h.rotated_by {
        writeln!(
            out,
            "rotated at {} by {} (seen in {})",
            escaped(&place(&r.place)),
            entry(&r.new),
            escaped(&r.run)
        )?;
    }
    for r in &h.runs {
        let state = match (r.present, r.at_head) {
            (false, _) => "absent".to_string(),
            (true, true) => "at HEAD".to_string(),
            (true, false) => "in history only".to_string(),
        };
        let incomplete = if r.complete {
            ""
        } else {
            " (INCOMPLETE audit)"
        };
        let rules = if r.violations.is_empty() {
            String::new()
        } else {
            format!("; violates {}", r.violations.join(", "))
        };
        writeln!(
            out,
            "  {} {}: {state}{rules}{incomplete}",
            r.as_of.get(..10).unwrap_or(&r.as_of),
            escaped(&r.run)
        )?;
    }
    Ok(())
}
