//! One finding per secret. Where matches overlap, keep the most informative:
//! * a crypto item beats a rule that yields to it (a generic rule, a PEM-text private-key rule)
//!   on the same bytes;
//! * a rule that does not yield (e.g. a cloud service-account key) keeps its identity but takes
//!   over the crypto item's parsed description, so one secret is one finding;
//! * a specific rule beats a generic one, a self-identifying match (token prefix) one found
//!   through context only; two rules on exactly the same span: the higher tiebreak, else the
//!   first by id.
//!
//! Each pass is its own function; they run in order over matches sorted by secret.

use super::{NATIVE, RawMatch, Standing};

/// Dedupe the matches at `out[from..]` in place of them (the ones before are another blob's).
pub(super) fn dedupe_from(from: usize, out: &mut Vec<RawMatch>, standing: &[Standing]) {
    // Moved, not copied: a blob of millions of hits must not hold them twice.
    let found = if from == 0 {
        std::mem::take(out)
    } else {
        out.split_off(from)
    };
    let kept = dedupe(found, standing);
    if out.is_empty() {
        *out = kept;
    } else {
        out.extend(kept);
    }
}

fn dedupe(mut found: Vec<RawMatch>, standing: &[Standing]) -> Vec<RawMatch> {
    if found.len() < 2 {
        return found;
    }
    found.sort_by_key(|m| (m.secret.start, m.secret.end, m.rule));
    let mut drop = vec![false; found.len()];
    yield_to_parser(&found, standing, &mut drop);
    let adopt = settle_overlaps(&found, standing, &mut drop);
    take_over_parsed(&mut found, &adopt);
    // In place: the list may hold millions of matches.
    let mut at = 0;
    found.retain(|_| {
        at += 1;
        !drop[at - 1]
    });
    found
}

/// Pass 1: a rule that yields to the parser (a bare PEM-block rule) goes wherever the parser
/// understood the material. Done first so that it cannot, in turn, knock out a vendor rule (a
/// GCP service-account key) that should carry the parsed key instead.
fn yield_to_parser(found: &[RawMatch], standing: &[Standing], drop: &mut [bool]) {
    let yields = |m: &RawMatch| m.rule != NATIVE && standing[m.rule].yields_to_crypto;
    for i in 0..found.len() {
        let mut j = i + 1;
        while j < found.len() && found[j].secret.start < found[i].secret.end {
            let (a, b) = (&found[i], &found[j]);
            if a.rule == NATIVE && yields(b) {
                drop[j] = true;
            } else if b.rule == NATIVE && yields(a) {
                drop[i] = true;
            }
            j += 1;
        }
    }
}

/// What to do with two overlapping matches.
enum Outcome {
    KeepBoth,
    DropFirst,
    DropSecond,
    /// One is the parser's, the other a rule's: the rule names what the key is for, so it stays
    /// and takes over the parsed details.
    RuleTakesParsed,
}

/// Pass 2: among what is left, settle each overlapping pair; a match that has itself been
/// dropped drops nothing. Returns the (rule match, parser match) pairs whose parsed details the
/// rule match takes over.
fn settle_overlaps(
    found: &[RawMatch],
    standing: &[Standing],
    drop: &mut [bool],
) -> Vec<(usize, usize)> {
    let mut adopt = Vec::new();
    for i in 0..found.len() {
        let mut j = i + 1;
        while j < found.len() && found[j].secret.start < found[i].secret.end {
            if drop[i] {
                break;
            }
            if !drop[j] {
                match outcome(&found[i], &found[j], standing) {
                    Outcome::KeepBoth => {}
                    Outcome::DropFirst => drop[i] = true,
                    Outcome::DropSecond => drop[j] = true,
                    Outcome::RuleTakesParsed => {
                        let (native, rule) = if found[i].rule == NATIVE {
                            (i, j)
                        } else {
                            (j, i)
                        };
                        drop[native] = true;
                        adopt.push((rule, native));
                    }
                }
            }
            j += 1;
        }
    }
    adopt
}

/// The outcome for `a` and `b`, `a` first in sorted order.
fn outcome(a: &RawMatch, b: &RawMatch, standing: &[Standing]) -> Outcome {
    match (a.rule == NATIVE, b.rule == NATIVE) {
        (true, true) => Outcome::KeepBoth,
        (true, false) | (false, true) => Outcome::RuleTakesParsed,
        (false, false) => between_rules(a, b, standing[a.rule], standing[b.rule]),
    }
}

/// Two rule matches: the specific one beats the generic one; two specific rules on one secret,
/// the one whose secret names its own type (a token prefix) beats one that matched only through
/// nearby context; on exactly the same secret the higher tiebreak wins, else the first.
fn between_rules(a: &RawMatch, b: &RawMatch, sa: Standing, sb: Standing) -> Outcome {
    match (sa.generic, sb.generic) {
        (true, false) => Outcome::DropFirst,
        (false, true) => Outcome::DropSecond,
        _ if a.self_identifying != b.self_identifying => {
            if a.self_identifying {
                Outcome::DropSecond
            } else {
                Outcome::DropFirst
            }
        }
        _ if a.secret == b.secret => {
            if sb.tiebreak > sa.tiebreak {
                Outcome::DropFirst
            } else {
                Outcome::DropSecond
            }
        }
        _ => Outcome::KeepBoth,
    }
}

/// Pass 3: each rule match that beat a parser match carries its parsed description (the first,
/// if several).
fn take_over_parsed(found: &mut [RawMatch], adopt: &[(usize, usize)]) {
    for &(rule, native) in adopt {
        if found[rule].crypto.is_none() {
            found[rule].crypto = found[native].crypto.clone();
        }
    }
}
