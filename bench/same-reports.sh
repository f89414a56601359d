#!/usr/bin/env bash
# bench/same-reports.sh OLD_BIN NEW_BIN [REPO] — a refactoring changes no report.
#
# Runs both binaries on the fixture project (scan and inventory: JSON, SARIF, GitLab, text)
# and on a full-history scan of REPO (default: a fresh clone of this checkout's HEAD, so the
# history does not move under the comparison), and compares every report byte for byte.
# Exit 0 when all are identical; otherwise names each report that differs.
set -uo pipefail
old=${1:?usage: same-reports.sh OLD_BIN NEW_BIN [REPO]}
new=${2:?usage: same-reports.sh OLD_BIN NEW_BIN [REPO]}
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# Reports that carry the time of the run take it from here.
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-1767225600}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
repo=${3:-}
if [[ -z $repo ]]; then
  repo=$work/repo
  git clone -q --no-local "$root" "$repo"
fi
differ=0
run() { # name, then the keyaudit arguments
  local name=$1
  shift
  # Ages and expiry are judged as of one fixed day, so both runs judge alike.
  (cd "$root" && "$old" "$@" --now 2026-12-01 >"$work/$name.old" 2>/dev/null)
  (cd "$root" && "$new" "$@" --now 2026-12-01 >"$work/$name.new" 2>/dev/null)
  if cmp -s "$work/$name.old" "$work/$name.new"; then
    echo "same    $name ($(wc -c <"$work/$name.new") bytes)"
  else
    echo "DIFFERS $name"
    differ=1
  fi
}
for f in json sarif gitlab text; do
  run "fixtures.scan.$f" scan fixtures/ -f "$f"
done
run fixtures.inventory.json inventory fixtures/ -f json
run fixtures.inventory.text inventory fixtures/ -f text
for f in json sarif text; do
  run "history.scan.$f" scan --git "$repo" -f "$f"
done
run history.inventory.json inventory --git "$repo" -f json
exit $differ
