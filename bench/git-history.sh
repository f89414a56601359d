#!/usr/bin/env bash
# bench/git-history.sh [REPO...] — full-history scan benchmark: keyaudit against its peers.
#
# Builds keyaudit (cargo build --release) and runs the real command line,
# `keyaudit scan --git REPO -f json -o FILE -q`, generates the benchmark repository if it is missing (default
# /tmp/keyaudit-bench/history-seed$SEED, ~6,000 commits and ~280 MB of distinct blob content
# with planted secrets, made by bench/make-history-repo.py), warms the page cache, then times a
# full-history scan of each REPO by keyaudit, kingfisher (--git-history full) and gitleaks (git
# log -p), all under /usr/bin/time -v, and prints wall s, CPU s, peak RSS, findings, and for
# keyaudit blobs/s and MB/s of decompressed blob data. Results also go to $OUT/git-history.json.
#
# Any repository works as REPO (a work tree or a bare repository), e.g. a mirror of git/git.
#
# Environment:
#   KEYAUDIT=PATH      use this keyaudit binary instead of building one
#   REPS=1             runs per tool (wall/CPU: median; peak RSS: maximum)
#   SEED=1 COMMITS=6000 FILES=2500   parameters of the generated repository
#   PEERS_LIST="kingfisher gitleaks"  peers to run ("" for none)
#   PEERS=/tmp/peers   where ../shared/tools/peers/setup.sh installs them
#   OUT=bench/out      results directory
#   THREADS=0          keyaudit worker threads (0 = all cores)
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
PEERS_TOOLS=$(cd "$ROOT/.." && pwd)/shared/tools/peers
REPS=${REPS:-1}
SEED=${SEED:-1}
COMMITS=${COMMITS:-6000}
FILES=${FILES:-2500}
THREADS=${THREADS:-0}
OUT=${OUT:-$HERE/out}
PEERS_LIST=${PEERS_LIST-kingfisher gitleaks}
export PEERS=${PEERS:-/tmp/peers}
mkdir -p "$OUT/git-history"
OUT=$(cd "$OUT" && pwd)

command -v /usr/bin/time >/dev/null || { echo "needs GNU time at /usr/bin/time (apt-get install time)" >&2; exit 1; }

# 1. keyaudit
if [[ -z "${KEYAUDIT:-}" ]]; then
  echo "== cargo build --release" >&2
  (cd "$ROOT" && cargo build --release --quiet)
  KEYAUDIT=${CARGO_TARGET_DIR:-$ROOT/target}/release/keyaudit
fi
[[ -x "$KEYAUDIT" ]] || { echo "no keyaudit binary at $KEYAUDIT" >&2; exit 1; }

# 2. repositories
if [[ $# -eq 0 ]]; then
  REPO=/tmp/keyaudit-bench/history-seed$SEED-c$COMMITS-f$FILES
  if [[ ! -d "$REPO/.git" ]]; then
    echo "== generating $REPO" >&2
    mkdir -p "$(dirname "$REPO")"
    python3 "$HERE/make-history-repo.py" "$REPO" --seed "$SEED" --commits "$COMMITS" --files "$FILES" --force
  fi
  set -- "$REPO"
fi

# 3. peers
for p in $PEERS_LIST; do
  if [[ ! -x "$PEERS/bin/$p" ]]; then
    echo "== installing peers ($PEERS_TOOLS/setup.sh)" >&2
    bash "$PEERS_TOOLS/setup.sh" >&2
    break
  fi
done

# `/usr/bin/time -v` output -> "wall cpu rss_mb"
parse_time() {
  python3 - "$1" <<'PY'
import sys
fields = {}
for line in open(sys.argv[1]):
    key, _, value = line.strip().rpartition(": ")
    fields[key] = value
def get(prefix):
    return next((v for k, v in fields.items() if k.startswith(prefix)), "0")
wall = 0.0
for part in get("Elapsed (wall clock) time").split(":"):
    wall = wall * 60 + float(part)
cpu = float(get("User time (seconds)")) + float(get("System time (seconds)"))
print(f"{wall:.2f} {cpu:.2f} {int(get('Maximum resident set size')) / 1024:.0f}")
PY
}

median() { python3 -c 'import statistics,sys; print(statistics.median(float(x) for x in sys.argv[1:]))' "$@"; }
maximum() { python3 -c 'import sys; print(max(float(x) for x in sys.argv[1:]))' "$@"; }

RESULTS=()
for REPO in "$@"; do
  REPO=$(cd "$REPO" && pwd)
  GITDIR=$(git -C "$REPO" rev-parse --absolute-git-dir)
  echo "== $REPO" >&2
  # Warm the page cache: every tool then reads the same cached packs.
  cat "$GITDIR"/objects/pack/*.pack "$GITDIR"/objects/pack/*.idx >/dev/null 2>&1 || true
  name=$(basename "$REPO" .git)
  declare -A wall cpu rss found
  for tool in keyaudit $PEERS_LIST; do wall[$tool]=""; cpu[$tool]=""; rss[$tool]=""; found[$tool]="?"; done
  for ((rep = 1; rep <= REPS; rep++)); do
    for tool in keyaudit $PEERS_LIST; do
      tfile=$OUT/git-history/$name.$tool.time
      if [[ $tool == keyaudit ]]; then
        # exit 1 = findings, 3 = incomplete (snapshots lack a few large blobs); 2 = failure
        code=0
        /usr/bin/time -v -o "$tfile" "$KEYAUDIT" scan --git "$REPO" -j "$THREADS" -q -f json -o "$OUT/git-history/$name.keyaudit.json" \
          2>"$OUT/git-history/$name.keyaudit.log" || code=$?
        if [[ $code -ne 0 && $code -ne 1 && $code -ne 3 ]]; then cat "$OUT/git-history/$name.keyaudit.log" >&2; exit 1; fi
        found[$tool]=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["findings"]))' "$OUT/git-history/$name.keyaudit.json")
      else
        PEER_TIME=$tfile bash "$PEERS_TOOLS/run-peer.sh" "$tool" git "$REPO" "$OUT/git-history/$name.$tool.sarif" \
          2>"$OUT/git-history/$name.$tool.log" || { echo "$tool failed:" >&2; tail -5 "$OUT/git-history/$name.$tool.log" >&2; continue; }
        found[$tool]=$(sed -n 's/.*findings=\([0-9?]*\).*/\1/p' "$OUT/git-history/$name.$tool.log" | tail -1)
      fi
      read -r w c r < <(parse_time "$tfile")
      wall[$tool]+="$w "; cpu[$tool]+="$c "; rss[$tool]+="$r "
      echo "   rep $rep $tool: ${w}s wall, ${c}s CPU, ${r} MB" >&2
    done
  done
  summary=$(python3 -c 'import json,sys; print(json.dumps(json.load(open(sys.argv[1]))["git"][0]))' "$OUT/git-history/$name.keyaudit.json")
  blobs=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["blobs_scanned"])' "$summary")
  bytes=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["bytes_scanned"])' "$summary")
  commits=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["commits_walked"])' "$summary")
  echo
  echo "## $REPO: $commits commits, $blobs distinct blobs, $((bytes / 1000000)) MB decompressed blob data"
  printf "%-11s %9s %9s %12s %9s %10s %9s\n" tool "wall s" "CPU s" "peak RSS MB" findings "blobs/s" "MB/s"
  best_peer=""
  for tool in keyaudit $PEERS_LIST; do
    [[ -n "${wall[$tool]}" ]] || continue
    w=$(median ${wall[$tool]}); c=$(median ${cpu[$tool]}); r=$(maximum ${rss[$tool]})
    bps=$(python3 -c "print(f'{$blobs / max($w, 1e-9):.0f}')"); mbps=$(python3 -c "print(f'{$bytes / 1e6 / max($w, 1e-9):.1f}')")
    printf "%-11s %9.2f %9.2f %12.0f %9s %10s %9s\n" "$tool" "$w" "$c" "$r" "${found[$tool]}" "$bps" "$mbps"
    RESULTS+=("{\"repo\":\"$REPO\",\"tool\":\"$tool\",\"wall_s\":$w,\"cpu_s\":$c,\"peak_rss_mb\":$r,\"findings\":\"${found[$tool]}\",\"blobs\":$blobs,\"bytes\":$bytes,\"commits\":$commits}")
    if [[ $tool != keyaudit ]] && { [[ -z "$best_peer" ]] || python3 -c "import sys; sys.exit(0 if $w < $best_peer else 1)"; }; then best_peer=$w; fi
  done
  if [[ -n "$best_peer" ]]; then
    echo "keyaudit speed-up over the fastest peer: $(python3 -c "print(f'{$best_peer / $(median ${wall[keyaudit]}):.2f}x')")"
  fi
  unset wall cpu rss found
done
(IFS=,; echo "[${RESULTS[*]}]") | python3 -m json.tool >"$OUT/git-history.json"
echo "results: $OUT/git-history.json" >&2
