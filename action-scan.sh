#!/usr/bin/env bash
# The action's Scan step (action.yml runs this file): decides keyaudit's command line from the
# event, runs it, and writes the step's outputs. A file of its own, rather than inline in
# action.yml, so that tests/it/action.rs runs exactly what GitHub runs.
#
# Environment (action.yml maps inputs and contexts onto it):
#   ARGS      input `args`: the whole command line after `keyaudit`, space-separated
#   SARIF     input `sarif-file`
#   IMAGE     input `image`: run this container image instead of a built keyaudit
#   ROOT      where the build step installed keyaudit (ROOT/bin/keyaudit)
#   BASE_REF  the pull request's base branch; empty on any other event
#   HEAD_REPO the pull request's head repository (owner/name), to tell forks apart
#   UPLOAD    input `upload-sarif`
#   CATEGORY  input `category`; EVENT the event's name (github.event_name)
# Outputs: exit-code (keyaudit's), upload (true/false), category.
set -eo pipefail
cd "$GITHUB_WORKSPACE"
if [ -n "$ARGS" ]; then
  read -r -a args <<< "$ARGS"
elif [ -n "$BASE_REF" ]; then
  args=(scan --since "origin/$BASE_REF")
else
  args=(scan --git .)
fi
if [ -z "$ARGS" ] && [ -f .keyaudit-baseline.json ]; then
  args+=(--baseline .keyaudit-baseline.json)
fi
args+=(-o "$SARIF")
set +e
if [ -n "$IMAGE" ]; then
  docker run --rm -u "$(id -u):$(id -g)" -v "$GITHUB_WORKSPACE:/src" -w /src \
    -e KEYAUDIT_FINGERPRINT_KEY "$IMAGE" "${args[@]}"
else
  "$ROOT/bin/keyaudit" "${args[@]}"
fi
rc=$?
set -e
echo "exit-code=$rc" >> "$GITHUB_OUTPUT"

upload=$UPLOAD
if [ "$upload" = true ] && [ -n "$HEAD_REPO" ] && [ "$HEAD_REPO" != "$GITHUB_REPOSITORY" ]; then
  echo "::notice::keyaudit: not uploading SARIF: a pull request from a fork gets a read-only token (security-events: read). Findings are in the log and the job's result."
  upload=false
fi
[ -f "$SARIF" ] || upload=false
echo "upload=$upload" >> "$GITHUB_OUTPUT"

# A pull request's partial scan and a push's full one go under different categories, so code
# scanning never compares them (see docs/github-actions.yml).
category=$CATEGORY
if [ -z "$category" ]; then
  if [ "$EVENT" = pull_request ]; then category=keyaudit-pr; else category=keyaudit-full; fi
fi
echo "category=$category" >> "$GITHUB_OUTPUT"
