#!/usr/bin/env python3
"""Time keyaudit and its peers on one corpus, score them against the planted secrets, print a table.

Called by bench/run.sh (which builds keyaudit, generates the corpus and installs the peers); it can
also be run directly:

    python3 bench/harness.py --corpus DIR --keyaudit BIN [--planted DIR.planted.json]
        [--reps 3] [--peers kingfisher,betterleaks,gitleaks] [--out bench/out]
        [--keyaudit-arg ARG ...]

Every scanner runs under `/usr/bin/time -v` (the peers through ../shared/tools/peers/run-peer.sh
with PEER_TIME); wall time is the median over --reps runs, peak RSS the maximum over them. Runs
are interleaved (rep 1 of every tool, then rep 2, ...) so that drift hits all tools alike. The page
cache is warmed first by reading every file; the `cat` baseline is the median of --reps further
`find | xargs cat >/dev/null` passes over the same files.

found/planted: a planted secret counts as found when the tool reports a finding in its file on a
line from `line - 1` to `end_line + 1` (see gen_corpus.py for the manifest). Findings that match
no planted secret are counted as `other` (false alarms, placeholders, or real-looking strings the
generator did not plant on purpose).
"""
import argparse
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import time
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
MB = 1_000_000


def machine():
    info = {"nproc": os.cpu_count(), "kernel": platform.release(), "python": platform.python_version(),
            "loadavg_at_start": [round(x, 2) for x in os.getloadavg()]}
    try:
        with open("/proc/cpuinfo") as fh:
            for line in fh:
                if line.startswith("model name"):
                    info["cpu"] = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    try:
        with open("/proc/meminfo") as fh:
            for line in fh:
                if line.startswith("MemTotal:"):
                    info["ram_gib"] = round(int(line.split()[1]) / 1024 / 1024, 1)
                    break
    except OSError:
        pass
    try:
        info["nproc_online"] = int(subprocess.run(["nproc"], capture_output=True, text=True).stdout.strip())
    except (OSError, ValueError):
        pass
    return info


def corpus_stats(root):
    files = size = 0
    for dp, _, fns in os.walk(root):
        for fn in fns:
            p = os.path.join(dp, fn)
            if os.path.isfile(p) and not os.path.islink(p):
                files += 1
                size += os.path.getsize(p)
    return files, size


def cat_pass(root):
    t0 = time.perf_counter()
    subprocess.run(f"find {sh_quote(root)} -type f -print0 | xargs -0 cat > /dev/null", shell=True, check=True)
    return time.perf_counter() - t0


def sh_quote(s):
    return "'" + s.replace("'", "'\\''") + "'"


def parse_time_v(path):
    """Wall, user, sys seconds and max RSS (KiB) from GNU time -v output."""
    out = {}
    with open(path, errors="replace") as fh:
        for line in fh:
            line = line.strip()
            if line.startswith("Elapsed (wall clock) time"):
                v = line.rsplit(": ", 1)[1]
                secs = 0.0
                for part in v.split(":"):
                    secs = secs * 60 + float(part)
                out["wall"] = secs
            elif line.startswith("User time (seconds):"):
                out["user"] = float(line.split(":")[1])
            elif line.startswith("System time (seconds):"):
                out["sys"] = float(line.split(":")[1])
            elif line.startswith("Maximum resident set size (kbytes):"):
                out["rss_kb"] = int(line.split(":")[1])
            elif line.startswith("Exit status:"):
                out["exit"] = int(line.split(":")[1])
    return out


# ------------------------------------------------------------------------------------------------
# reading findings: (path, line) pairs from any of the report formats involved

def findings_of(path):
    with open(path, encoding="utf-8", errors="replace") as fh:
        text = fh.read()
    if not text.strip():
        return []
    try:
        doc = json.loads(text)
    except json.JSONDecodeError:
        doc = [json.loads(l) for l in text.splitlines() if l.strip()]
    out = []
    if isinstance(doc, dict) and "runs" in doc:  # SARIF (kingfisher, gitleaks, keyaudit -f sarif)
        for run in doc["runs"]:
            for r in run.get("results") or []:
                loc = (r.get("locations") or [{}])[0].get("physicalLocation", {})
                out.append((loc.get("artifactLocation", {}).get("uri", ""), loc.get("region", {}).get("startLine"), r.get("ruleId", "?")))
        return out
    if isinstance(doc, dict) and isinstance(doc.get("findings"), list):
        for f in doc["findings"]:
            loc = f.get("location") or {}
            if "start" in loc:  # keyaudit JSON
                out.append((loc.get("path", ""), loc["start"].get("line"), f.get("rule_id", "?")))
            elif "start_line" in loc:  # betterleaks JSON
                out.append((loc.get("path", ""), loc.get("start_line"), f.get("rule_id", "?")))
            elif "finding" in f:  # kingfisher JSON
                fi = f["finding"]
                out.append((fi.get("path", ""), fi.get("line"), (f.get("rule") or {}).get("id", "?")))
        return out
    if isinstance(doc, list):
        for x in doc:
            if "RuleID" in x:  # gitleaks JSON
                out.append((x.get("File", ""), x.get("StartLine"), x["RuleID"]))
            elif "location" in x and "rule_id" in x:  # betterleaks JSON lines
                out.append((x["location"].get("path", ""), x["location"].get("start_line"), x["rule_id"]))
            elif "path" in x:
                out.append((x["path"], x.get("line"), x.get("rule", "?")))
        return out
    raise SystemExit(f"{path}: unrecognised report format")


class Scorer:
    def __init__(self, corpus, planted):
        self.corpus = os.path.realpath(corpus)
        self.corpus_abs = os.path.abspath(corpus)
        self.planted = planted
        self.by_path = {}
        for i, p in enumerate(planted):
            self.by_path.setdefault(p["path"], []).append(i)

    def rel(self, p):
        p = p or ""
        if p.startswith("file://"):
            p = urllib.parse.unquote(p[7:])
        for base in (self.corpus, self.corpus_abs):
            if p.startswith(base + "/"):
                return p[len(base) + 1:]
        while p.startswith("./"):
            p = p[2:]
        return p

    def planted_in(self, path):
        rel = self.rel(path)
        if rel in self.by_path:
            return self.by_path[rel]
        parts = rel.split("/")
        for i in range(1, len(parts)):
            k = "/".join(parts[i:])
            if k in self.by_path:
                return self.by_path[k]
        return []

    def score(self, findings):
        hit = set()
        other = 0
        for path, line, _rule in findings:
            matched = False
            if isinstance(line, int):
                for i in self.planted_in(path):
                    p = self.planted[i]
                    if p["line"] - 1 <= line <= p["end_line"] + 1:
                        hit.add(i)
                        matched = True
            if not matched:
                other += 1
        by_type = {}
        for i, p in enumerate(self.planted):
            t = by_type.setdefault(p["type"], [0, 0])
            t[1] += 1
            t[0] += i in hit
        return {"found": len(hit), "planted": len(self.planted), "findings": len(findings), "other": other,
                "by_type": {k: {"found": v[0], "planted": v[1]} for k, v in sorted(by_type.items())},
                "missed": sorted(i for i in range(len(self.planted)) if i not in hit)}


# ------------------------------------------------------------------------------------------------

def run_tool(name, cmd, tfile, env=None, timeout=1800):
    if os.path.exists(tfile):
        os.remove(tfile)
    t0 = time.perf_counter()
    try:
        p = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=timeout)
        rc, err = p.returncode, p.stderr.decode(errors="replace")
    except subprocess.TimeoutExpired:
        rc, err = "timeout", ""
    outer = time.perf_counter() - t0
    m = parse_time_v(tfile) if os.path.exists(tfile) else {}
    m["outer_wall"] = outer
    m["rc"] = rc
    m["stderr_tail"] = err.strip().splitlines()[-3:]
    return m


def fmt(x, nd=2):
    if x is None:
        return "-"
    if isinstance(x, float):
        return f"{x:.{nd}f}"
    return str(x)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--corpus", required=True)
    ap.add_argument("--planted", help="manifest (default: CORPUS.planted.json if it exists)")
    ap.add_argument("--keyaudit", required=True, help="keyaudit binary")
    ap.add_argument("--keyaudit-arg", action="append", default=[], help="extra argument for `keyaudit scan` (repeatable)")
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--peers", default="kingfisher,betterleaks,gitleaks")
    ap.add_argument("--peer-runner", default=os.path.normpath(os.path.join(HERE, "..", "..", "shared", "tools", "peers", "run-peer.sh")))
    ap.add_argument("--out", default=os.path.join(HERE, "out"))
    a = ap.parse_args()

    corpus = os.path.abspath(a.corpus.rstrip("/"))
    planted_path = a.planted or corpus + ".planted.json"
    planted = None
    if os.path.exists(planted_path):
        with open(planted_path) as fh:
            planted = json.load(fh)["planted"]
    scorer = Scorer(corpus, planted) if planted is not None else None
    rdir = os.path.join(a.out, "reports")
    os.makedirs(rdir, exist_ok=True)
    peers = [p for p in a.peers.split(",") if p]

    mach = machine()
    files, size = corpus_stats(corpus)
    print(f"machine: {mach.get('nproc')} cores ({mach.get('cpu', '?')}), {mach.get('ram_gib', '?')} GiB RAM, Linux {mach['kernel']}, "
          f"load average {mach['loadavg_at_start'][0]:.1f} at start")
    print(f"corpus:  {corpus}: {files} files, {size / MB:.1f} MB"
          + (f", {len(planted)} planted secrets ({planted_path})" if planted is not None else ", no manifest: found/planted not scored"))

    # warm the page cache, then the `cat` baseline
    first = cat_pass(corpus)
    cats = [cat_pass(corpus) for _ in range(a.reps)]
    cat_wall = statistics.median(cats)
    print(f"cat:     first pass {first:.2f} s, warm {', '.join(f'{c:.2f}' for c in cats)} s (median {cat_wall:.2f} s)")

    tools = {"keyaudit": {}}
    for p in peers:
        tools[p] = {}
    runs = {t: [] for t in tools}
    for rep in range(a.reps):
        for t in tools:
            tfile = os.path.join(a.out, f"time.{t}.txt")
            if t == "keyaudit":
                out = os.path.join(rdir, "keyaudit.json")
                cmd = ["/usr/bin/time", "-v", "-o", tfile, a.keyaudit, "scan", corpus, "-f", "json", "-o", out, "-q"] + a.keyaudit_arg
                m = run_tool(t, cmd, tfile)
                ok = m["rc"] in (0, 1, 3)  # 1 = findings, 3 = some input unreadable (reported)
            else:
                out = os.path.join(rdir, f"{t}.{'json' if t == 'betterleaks' else 'sarif'}")
                env = dict(os.environ, PEER_TIME=tfile)
                m = run_tool(t, ["bash", a.peer_runner, t, "dir", corpus, out], tfile, env=env)
                ok = m["rc"] == 0
            m["ok"] = ok and "wall" in m
            m["report"] = out
            runs[t].append(m)
            status = "" if m["ok"] else f"  FAILED rc={m['rc']} {' | '.join(m['stderr_tail'])}"
            print(f"  rep {rep + 1}/{a.reps} {t:12s} {fmt(m.get('wall'))} s  {fmt((m.get('rss_kb') or 0) / 1024, 0)} MB{status}", flush=True)

    results = {}
    for t, rs in runs.items():
        good = [m for m in rs if m["ok"]]
        r = {"runs": [{k: m.get(k) for k in ("wall", "user", "sys", "rss_kb", "rc", "outer_wall")} for m in rs]}
        if good:
            wall = statistics.median(m["wall"] for m in good)
            r.update(wall=wall, mb_per_s=size / MB / wall if wall else None, files_per_s=files / wall if wall else None,
                     cpu_s=statistics.median(m.get("user", 0) + m.get("sys", 0) for m in good),
                     peak_rss_mb=max(m.get("rss_kb", 0) for m in good) / 1024)
            rep_path = good[-1]["report"]
            if os.path.exists(rep_path):
                fs = findings_of(rep_path)
                r["findings"] = len(fs)
                r["report"] = rep_path
                if scorer:
                    sc = scorer.score(fs)
                    r.update(found=sc["found"], planted=sc["planted"], other=sc["other"], by_type=sc["by_type"],
                             missed=[{k: planted[i][k] for k in ("path", "line", "type")} for i in sc["missed"]])
                rules = {}
                for _, _, rule in fs:
                    rules[rule] = rules.get(rule, 0) + 1
                r["by_rule"] = dict(sorted(rules.items(), key=lambda kv: -kv[1]))
        results[t] = r

    # table
    cols = ["tool", "wall s", "MB/s", "files/s", "CPU s", "peak RSS MB", "found/planted", "findings", "other"]
    rows = [["cat (warm)", fmt(cat_wall), fmt(size / MB / cat_wall, 0), fmt(files / cat_wall, 0), "", "", "", "", ""]]
    for t, r in results.items():
        if "wall" not in r:
            rows.append([t, "failed"] + [""] * 7)
            continue
        fp = f"{r['found']}/{r['planted']}" if "found" in r else "-"
        rows.append([t, fmt(r["wall"]), fmt(r["mb_per_s"], 0), fmt(r["files_per_s"], 0), fmt(r["cpu_s"], 1),
                     fmt(r["peak_rss_mb"], 0), fp, fmt(r.get("findings")), fmt(r.get("other"))])
    widths = [max(len(c), *(len(row[i]) for row in rows)) for i, c in enumerate(cols)]
    print()
    print("| " + " | ".join(c.ljust(widths[i]) if i == 0 else c.rjust(widths[i]) for i, c in enumerate(cols)) + " |")
    print("| " + " | ".join(("-" * widths[i]) if i == 0 else ("-" * (widths[i] - 1) + ":") for i in range(len(cols))) + " |")
    for row in rows:
        print("| " + " | ".join(v.ljust(widths[i]) if i == 0 else v.rjust(widths[i]) for i, v in enumerate(row)) + " |")

    # ratios and goals
    ka = results["keyaudit"]
    ratios = {}
    print()
    if "wall" in ka:
        ratios["keyaudit_wall_over_cat"] = ka["wall"] / cat_wall
        print(f"keyaudit / cat:     {ka['wall'] / cat_wall:.2f}x the wall time of `cat` (goal: at most 3x)")
        ok_peers = {t: r for t, r in results.items() if t != "keyaudit" and "wall" in r}
        for t, r in ok_peers.items():
            ratios[t] = {"throughput_ratio": r["wall"] / ka["wall"], "rss_ratio": ka["peak_rss_mb"] / r["peak_rss_mb"] if r["peak_rss_mb"] else None}
            print(f"keyaudit vs {t + ':':12s} {r['wall'] / ka['wall']:.2f}x its throughput, {ka['peak_rss_mb'] / r['peak_rss_mb']:.2f}x its peak RSS")
        if ok_peers:
            fastest = min(ok_peers, key=lambda t: ok_peers[t]["wall"])
            sp = ok_peers[fastest]["wall"] / ka["wall"]
            lowest = all(ka["peak_rss_mb"] < r["peak_rss_mb"] for r in ok_peers.values())
            ratios["fastest_peer"] = fastest
            goals = {"throughput_vs_fastest_peer": [round(sp, 3), ">= 1.5", sp >= 1.5],
                     "wall_over_cat": [round(ka["wall"] / cat_wall, 3), "<= 3", ka["wall"] / cat_wall <= 3],
                     "lowest_peak_rss": [round(ka["peak_rss_mb"], 1), "< every peer", lowest]}
            ratios["goals"] = goals
            print(f"goals: {sp:.2f}x the fastest peer ({fastest}) [>= 1.5x: {'met' if sp >= 1.5 else 'NOT met'}]; "
                  f"{ka['wall'] / cat_wall:.2f}x cat [<= 3x: {'met' if ka['wall'] / cat_wall <= 3 else 'NOT met'}]; "
                  f"lowest peak RSS: {'yes' if lowest else 'NO'}")
    if scorer:
        types = sorted({p["type"] for p in planted})
        names = [t for t in results if "by_type" in results[t]]
        print()
        print("recall by planted type: " + "  ".join(f"{n}" for n in names))
        for ty in types:
            print(f"  {ty:20s} " + "  ".join(f"{results[n]['by_type'][ty]['found']:>3d}/{results[n]['by_type'][ty]['planted']:<3d}".rjust(len(n)) for n in names))

    mach["loadavg_at_end"] = [round(x, 2) for x in os.getloadavg()]
    print(f"load average at end: {mach['loadavg_at_end'][0]:.1f} (a busy machine inflates every wall time; compare within one run)")
    doc = {"when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "machine": mach,
           "corpus": {"path": corpus, "files": files, "bytes": size, "manifest": planted_path if planted is not None else None},
           "reps": a.reps, "cat": {"first_pass": first, "walls": cats, "wall": cat_wall},
           "keyaudit": {"binary": a.keyaudit, "extra_args": a.keyaudit_arg}, "tools": results, "ratios": ratios}
    out = os.path.join(a.out, "results.json")
    with open(out, "w") as fh:
        json.dump(doc, fh, indent=1)
    print(f"\nwrote {out} (reports in {rdir})")
    if "wall" not in ka:
        sys.exit(1)


if __name__ == "__main__":
    main()
