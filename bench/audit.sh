#!/usr/bin/env bash
# bench/audit.sh [LARGE_REPO] — what periodic audits cost (part 10), on this machine:
#
#  1. The store's overhead on one large history: `keyaudit scan --git --worktree REPO -f json -o F`
#     (what an audit scans, written as a report) against `keyaudit audit REPO` into SQLite and into
#     PostgreSQL; hyperfine, REPS runs each, interleaved warm-ups.
#  2. Many repositories: N clones (default 16) of a small real repository plus the large one, in one
#     process (`audit`, two roots at a time on the machine's cores) and as 2 shards run at once as
#     separate processes with one thread each (-j 1: the machine's cores split between them, as
#     two machines would each have their own) into PostgreSQL (SQLite takes one writer at a time,
#     so shards there would queue on its lock).
#  3. Memory: peak RSS of the audit of the large repository alone, and of all N+1 repositories:
#     bounded by the largest repository, not by the number of repositories.
#
# Environment: KEYAUDIT (binary; default: cargo build --release), REPS=5, N=16,
# (the figures of the last run are in bench/README.md),
# SMALL=/tmp/refrepo (any repository; cloned N times), PG_PORT=54331, OUT=bench/out.
# LARGE_REPO defaults to the generated history of bench/git-history.sh (~6,000 commits, ~280 MB).
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
REPS=${REPS:-5}
N=${N:-16}
SMALL=${SMALL:-/tmp/refrepo}
PG_PORT=${PG_PORT:-54331}
OUT=${OUT:-$HERE/out}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
LARGE=${1:-/tmp/keyaudit-bench/history-seed1-c6000-f2500}
if [[ -z "${KEYAUDIT:-}" ]]; then
  (cd "$ROOT" && cargo build --release --quiet)
  KEYAUDIT=${CARGO_TARGET_DIR:-$ROOT/target}/release/keyaudit
fi
[[ -d "$LARGE/.git" || -f "$LARGE/HEAD" ]] || {
  echo "no repository at $LARGE: run bench/git-history.sh once to generate it, or name one" >&2
  exit 1
}
[[ -d "$SMALL" ]] || { echo "no repository at $SMALL (set SMALL=)" >&2; exit 1; }
command -v hyperfine >/dev/null || { echo "needs hyperfine (apt-get install hyperfine)" >&2; exit 1; }

work=$(mktemp -d /tmp/keyaudit-bench-audit.XXXXXX)
pg_dir=$work/pg
trap '"$ROOT/.ci/postgres" --stop "$pg_dir"; rm -rf "$work"' EXIT
mkdir -p "$pg_dir"
chmod 755 "$work"
PG=$("$ROOT/.ci/postgres" "$pg_dir" "$PG_PORT")
pg_db() { # a fresh database, its URL
  psql -q "$PG" -c "DROP DATABASE IF EXISTS $1" -c "CREATE DATABASE $1" >/dev/null
  echo "${PG%/*}/$1"
}

echo "== machine: $(nproc) cores, $(free -g | awk '/Mem/ {print $2}') GiB; $("$KEYAUDIT" --version)"
find "$LARGE" -type f -print0 | xargs -0 cat >/dev/null

# 1. store overhead on one large history
large_pg=$(pg_db bench_large)
# -i: a scan with findings exits 1.
hyperfine -N -i -w 1 -r "$REPS" --export-json "$OUT/audit-overhead.json" \
  -n scan "$KEYAUDIT scan --git --worktree $LARGE -f json -o $work/scan.json -q" \
  -n audit-sqlite "$KEYAUDIT audit $LARGE --store $work/large.db --run r -q" \
  -n audit-postgres "$KEYAUDIT audit $LARGE --store $large_pg --run r -q" |
  grep -E 'Time|±|^Benchmark' || true

# 2. many repositories, 1 process against 2 shards
mkdir -p "$work/org"
for i in $(seq 1 "$N"); do
  git -c advice.detachedHead=false clone -q --no-local "$SMALL" "$work/org/small$i" 2>/dev/null
done
ln -s "$LARGE" "$work/org/large"
(cd "$work/org" && ls) >"$work/repos.txt"
org_pg=$(pg_db bench_org)
one() { (cd "$work/org" && "$KEYAUDIT" audit --repos-from "$work/repos.txt" --store "$org_pg" --run one -q); }
two() {
  (cd "$work/org" &&
    { "$KEYAUDIT" audit --repos-from "$work/repos.txt" --shard 0/2 --run two --store "$org_pg" -q -j 1 &
      "$KEYAUDIT" audit --repos-from "$work/repos.txt" --shard 1/2 --run two --store "$org_pg" -q -j 1
      wait; })
}
export -f one two
export KEYAUDIT work org_pg
hyperfine --shell=bash -w 1 -r "$REPS" --export-json "$OUT/audit-shards.json" \
  -n "1 process, $((N + 1)) repos" one -n "2 shards, $((N + 1)) repos" two |
  grep -E 'Time|±|^Benchmark' || true
(cd "$work/org" && "$KEYAUDIT" report --store "$org_pg" --run one -f json) >"$work/one.json" || true
(cd "$work/org" && "$KEYAUDIT" report --store "$org_pg" --run two -f json) >"$work/two.json" || true
if [[ -s "$work/one.json" ]] && cmp -s "$work/one.json" "$work/two.json"; then echo "reports of run one and run two: identical"; else echo "reports DIFFER"; fi

# 3. memory: the largest repository alone against all of them
rss() { /usr/bin/time -f %M "$@" 2>&1 >/dev/null | tail -1; }
# Also 1 and 4 small repositories, to show the curve is flat.
for n in 1 4; do
  m=$(cd "$work/org" && rss "$KEYAUDIT" audit $(seq -f 'small%g' 1 $n) --store "$work/m$n.db" -q)
  echo "peak RSS: $n small repos $((m / 1024)) MB"
done
alone=$(rss "$KEYAUDIT" audit "$LARGE" --store "$work/m1.db" -q)
all=$(cd "$work/org" && rss "$KEYAUDIT" audit --repos-from "$work/repos.txt" --store "$work/m2.db" -q)
smalls=$(cd "$work/org" && rss "$KEYAUDIT" audit small* --store "$work/m3.db" -q)
echo "peak RSS: large repo alone $((alone / 1024)) MB; $N small repos $((smalls / 1024)) MB; all $((N + 1)) $((all / 1024)) MB"
printf '{"large_alone_kb": %s, "smalls_kb": %s, "all_kb": %s, "n": %s}\n' "$alone" "$smalls" "$all" "$N" >"$OUT/audit-memory.json"
