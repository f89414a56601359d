#!/usr/bin/env python3
"""Precision of the default gate on real repositories, labelled by hand.

Runs keyaudit with its defaults on each repository tree given, lists every *gating* finding and
policy violation (what would fail a CI run: `gating` and at or above the default `--fail-on low`),
and joins them with hand labels kept in a TSV file:

    repo <TAB> rule_id <TAB> path <TAB> line <TAB> label <TAB> note

Labels, as a user judges a red build:
    live  a live-looking credential (it would be right to fail the build)
    test  a test or documentation credential (real key material, but a fixture)
    not   not a credential at all (noise)

Findings without a label are printed as TSV lines ending in `?`, ready to be judged and appended
to the labels file. Nothing here stores a secret: labels name rule, path and line only (run
keyaudit with --show-secrets yourself to judge a value).

    bench/precision.py --keyaudit target/release/keyaudit --labels bench/precision-labels.tsv \
        /work/corpus/*           # the repositories' HEAD trees, unpacked
    bench/precision.py ... --all  # every finding (not only gating), for recall checks

The output ends with a Markdown table: per repository, findings, gating findings and violations,
and how the gating ones are labelled.
"""

import argparse
import collections
import json
import os
import subprocess
import sys

LABELS = ("live", "test", "not")


def scan(keyaudit, repo):
    out = subprocess.run(
        [keyaudit, "scan", repo, "-f", "json", "-q", "--no-config"],
        capture_output=True,
        text=True,
        check=False,
    )
    if out.returncode not in (0, 1, 3):
        sys.exit(f"keyaudit failed on {repo} ({out.returncode}): {out.stderr}")
    return out.returncode, json.loads(out.stdout)


def load_labels(path):
    labels = {}
    if not path or not os.path.exists(path):
        return labels
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if not line.strip() or line.startswith("#"):
                continue
            cols = line.rstrip("\n").split("\t")
            if len(cols) < 5 or cols[4] not in LABELS:
                sys.exit(f"{path}:{n}: expected repo, rule, path, line, label ({'/'.join(LABELS)})")
            labels[tuple(cols[:4])] = cols[4]
    return labels


def gating_items(report, everything):
    """(rule, path, line) of each finding or violation that fails the default gate."""
    items = []
    for f in report["findings"]:
        if everything or (f.get("gating", True) and f["severity"] != "note"):
            loc = f["location"]
            items.append((f["rule_id"], loc["path"], str(loc["start"]["line"]), f.get("context", "?")))
    for v in report["violations"]:
        if everything or (v.get("gating", True) and v["severity"] != "note"):
            path, line = v["locations"][0] if v["locations"] else ("", 0)
            items.append(("policy/" + v["rule"], path, str(line), "-"))
    return items


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--keyaudit", default="target/release/keyaudit")
    ap.add_argument("--labels", default=os.path.join(os.path.dirname(__file__), "precision-labels.tsv"))
    ap.add_argument("--all", action="store_true", help="every finding, not only gating ones")
    ap.add_argument("repos", nargs="+")
    args = ap.parse_args()
    labels = load_labels(args.labels)
    rows, unlabelled = [], []
    for repo in args.repos:
        name = os.path.basename(os.path.normpath(repo))
        code, report = scan(args.keyaudit, repo)
        items = gating_items(report, args.all)
        counts = collections.Counter()
        for rule, path, line, ctx in items:
            label = labels.get((name, rule, path, line))
            if label is None:
                unlabelled.append(f"{name}\t{rule}\t{path}\t{line}\t?\t{ctx}")
                label = "?"
            counts[label] += 1
        rows.append((name, len(report["findings"]), len(items), code, counts))
    if unlabelled:
        print("# unlabelled (judge each, then append to the labels file):")
        print("\n".join(unlabelled))
        print()
    kind = "all findings" if args.all else "gating"
    print(f"| repository | findings | {kind} | exit | live | test/docs | not a credential | unlabelled |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    total = collections.Counter()
    for name, n, g, code, c in rows:
        print(f"| {name} | {n} | {g} | {code} | {c['live']} | {c['test']} | {c['not']} | {c['?']} |")
        total.update(c)
    judged = total["live"] + total["test"] + total["not"]
    if judged:
        print(f"\nprecision (credential / judged): {(total['live'] + total['test']) / judged:.3f}")
    return 1 if total["not"] else 0


if __name__ == "__main__":
    sys.exit(main())
