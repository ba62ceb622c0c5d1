#!/usr/bin/env bash
# The demo: installs what is missing, brings up a 3-host lab, shows it working, and
# removes it again (pass --keep to leave it running; `npm run lab -- down --name demo` removes it).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
exec npx tsx scripts/demo.ts "$@"
