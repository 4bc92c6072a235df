#!/usr/bin/env bash
# npm test: the fast suite (unit, sandbox, chaos), then the Kubernetes suite. On a bare machine
# the test cluster's first build (Kubernetes from source, the image's base layer) takes about
# 15 minutes; it runs meanwhile at the lowest CPU and I/O priority, so it takes the cycles
# the fast suite leaves idle instead of adding its time after it.
set -euo pipefail
cd "$(dirname "$0")/.."
prepare_log="$(mktemp -t ordinal-e2e-prepare.XXXXXX)"
# Its own process group, so that a failed fast suite stops the whole build with it.
setsid -w nice -n 19 ionice -c 3 bash e2e/cluster/cluster.sh prepare >"$prepare_log" 2>&1 &
prepare=$!
trap 'kill -- "-$prepare" 2>/dev/null || true' EXIT
npm run test:fast
if ! wait "$prepare"; then
  tail -n 40 "$prepare_log" >&2
  echo "preparing the test cluster failed (log: $prepare_log)" >&2
  exit 1
fi
grep -h '^\[e2e-cluster\]' "$prepare_log" || true
trap - EXIT
npm run test:e2e
