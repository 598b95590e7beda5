#!/usr/bin/env bash
# The README's test command: typecheck every workspace, lint and check formatting (any ESLint
# problem or unformatted file fails the run), then run every test (unit, integration against the
# real PostgreSQL and Redis, end to end with the real processes).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -d node_modules ]; then npm ci --no-audit --no-fund; fi
bash scripts/ensure-services.sh
export TURBO_TELEMETRY_DISABLED=1 DO_NOT_TRACK=1
npm run --silent typecheck
npm run --silent lint
npx vitest run "$@"
