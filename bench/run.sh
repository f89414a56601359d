#!/usr/bin/env bash
# bench/run.sh [CORPUS_DIR] — file-tree throughput benchmark: keyaudit against its peers.
#
# Builds keyaudit (cargo build --release), generates the corpus if it is missing (default
# bench/out/corpus, ~300 MB / ~27k files, seed 1; manifest of planted secrets next to it in
# CORPUS_DIR.planted.json), installs the peers if needed, warms the page cache, then times
# keyaudit, kingfisher, betterleaks and gitleaks on the corpus (median of REPS runs each, all
# under /usr/bin/time -v) and prints wall s, MB/s, files/s, CPU s, peak RSS, found/planted and
# total findings, plus the ratios keyaudit/peer and keyaudit/cat. Results also go to
# bench/out/results.json.
#
# Environment:
#   KEYAUDIT=PATH     use this binary instead of building one
#   KEYAUDIT_ARGS=..  extra arguments for `keyaudit scan` (word-split)
#   REPS=3            runs per tool
#   SIZE_MB=300 SEED=1  corpus parameters (a corpus with another size/seed is regenerated,
#                     only for the default corpus directory)
#   PEERS_LIST="kingfisher betterleaks gitleaks"   peers to run ("" for none)
#   PEERS=/tmp/peers  where ../shared/tools/peers/setup.sh installs them
#   OUT=bench/out     results directory
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
PEERS_TOOLS=$(cd "$ROOT/.." && pwd)/shared/tools/peers
REPS=${REPS:-3}
SIZE_MB=${SIZE_MB:-300}
SEED=${SEED:-1}
OUT=${OUT:-$HERE/out}
PEERS_LIST=${PEERS_LIST-kingfisher betterleaks gitleaks}
export PEERS=${PEERS:-/tmp/peers}
DEFAULT_CORPUS=$OUT/corpus
CORPUS=${1:-$DEFAULT_CORPUS}
mkdir -p "$OUT"

command -v /usr/bin/time >/dev/null || { echo "run.sh needs GNU time at /usr/bin/time (apt-get install time)" >&2; exit 1; }

# 1. keyaudit
if [[ -z "${KEYAUDIT:-}" ]]; then
  echo "== cargo build --release" >&2
  (cd "$ROOT" && cargo build --release --quiet)
  KEYAUDIT=${CARGO_TARGET_DIR:-$ROOT/target}/release/keyaudit
fi
[[ -x "$KEYAUDIT" ]] || { echo "no keyaudit binary at $KEYAUDIT" >&2; exit 1; }
echo "keyaudit: $KEYAUDIT ($("$KEYAUDIT" --version 2>/dev/null || echo '?'))" >&2

# 2. corpus
manifest_matches() {
  python3 - "$1.planted.json" "$SIZE_MB" "$SEED" <<'PY'
import json, sys
try:
    m = json.load(open(sys.argv[1]))
except (OSError, ValueError):
    sys.exit(1)
sys.exit(0 if float(m["size_mb"]) == float(sys.argv[2]) and int(m["seed"]) == int(sys.argv[3]) else 1)
PY
}
if [[ "$CORPUS" == "$DEFAULT_CORPUS" ]]; then
  if [[ ! -d "$CORPUS" ]] || ! manifest_matches "$CORPUS"; then
    echo "== generating corpus: $SIZE_MB MB, seed $SEED -> $CORPUS" >&2
    python3 "$HERE/gen_corpus.py" "$CORPUS" --size-mb "$SIZE_MB" --seed "$SEED" --force
  fi
elif [[ ! -d "$CORPUS" ]]; then
  echo "== generating corpus: $SIZE_MB MB, seed $SEED -> $CORPUS" >&2
  python3 "$HERE/gen_corpus.py" "$CORPUS" --size-mb "$SIZE_MB" --seed "$SEED"
fi

# 3. peers
peers=()
for p in $PEERS_LIST; do
  if [[ ! -x "$PEERS/bin/$p" && -f "$PEERS_TOOLS/setup.sh" && -z "${SETUP_DONE:-}" ]]; then
    echo "== installing peers: bash $PEERS_TOOLS/setup.sh" >&2
    bash "$PEERS_TOOLS/setup.sh" >&2 || true
    SETUP_DONE=1
  fi
  if [[ -x "$PEERS/bin/$p" ]]; then peers+=("$p"); else echo "warning: peer $p not installed, skipped" >&2; fi
done

# 4. measure
args=(--corpus "$CORPUS" --keyaudit "$KEYAUDIT" --reps "$REPS" --out "$OUT"
      --peers "$(IFS=,; echo "${peers[*]}")" --peer-runner "$PEERS_TOOLS/run-peer.sh")
for a in ${KEYAUDIT_ARGS:-}; do args+=(--keyaudit-arg="$a"); done
exec python3 "$HERE/harness.py" "${args[@]}"
