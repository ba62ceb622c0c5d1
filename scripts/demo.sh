#!/usr/bin/env bash
# The demo: installs what is missing, brings up a 3-host lab with Redis, the controller and an
# agent per host, drives it through the REST API, shows traffic and isolation, and keeps it
# running until Ctrl-C or `npm run demo -- down` (`--once`: check and remove at once).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
exec node --import tsx scripts/demo.ts "$@"
