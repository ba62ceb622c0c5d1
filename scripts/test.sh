#!/usr/bin/env bash
# The whole test suite, exactly as CI runs it: set-up, type-check, lint, unit specs,
# then the integration and multi-host suites against real daemons and namespaces.
set -uo pipefail
cd "$(dirname "$0")/.."

lock_before=$(git hash-object package-lock.json 2>/dev/null || true)
bash scripts/bootstrap.sh || exit 1
if [ "$(git hash-object package-lock.json 2>/dev/null || true)" != "$lock_before" ]; then
  echo "test: the bootstrap rewrote package-lock.json; the committed lock must be complete (npm ci installs it as is)" >&2
  exit 1
fi

results=$(mktemp -d /tmp/ovs-fleet-test-results.XXXXXX)
trap 'rm -rf "$results"' EXIT
status=0
step() {
  printf '\n== %s\n' "$1"
  shift
  "$@" || status=1
}

step "type-check" npx tsc -p tsconfig.json --noEmit
step "lint" npx eslint .
npx tsx scripts/check-leftovers.ts snapshot "$results/machine-before.json" || status=1
step "unit specs" npx jest --config jest.config.js --json --outputFile="$results/unit.json"
step "integration and end-to-end suites" npx jest --config test/jest-integration.config.js --runInBand --json --outputFile="$results/integration.json"
step "leftovers" npx tsx scripts/check-leftovers.ts compare "$results/machine-before.json"

node scripts/test-summary.js "$results/unit.json" "$results/integration.json" || status=1
exit $status
