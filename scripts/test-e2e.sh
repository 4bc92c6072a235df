#!/usr/bin/env bash
# The Kubernetes part of the tests: the client layer against a bare etcd + kube-apiserver
# (test/kube), then the operator end to end on the real test cluster (test/e2e), which this
# brings up (building and caching what is missing) and takes down again.
set -euo pipefail
cd "$(dirname "$0")/.."
npm run build --silent
bash e2e/cluster/cluster.sh up
keep="${ORDINAL_E2E_KEEP:-}"
# Down and purged (etcd, containers, volumes; not the build cache): the next run starts from the
# same empty cluster as a first run does.
trap '[ -n "$keep" ] || bash e2e/cluster/cluster.sh down --purge' EXIT
node --import tsx --test --test-concurrency=1 test/kube/*.test.ts test/e2e/*.test.ts
