#!/usr/bin/env bash
# The README's first command: installs what is missing, starts the API and the worker, submits a
# small demo and shows how to watch it. Ctrl-C stops both processes.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-system-deps.sh
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi
bash scripts/ensure-services.sh
npm run --silent db:migrate
mkdir -p .run
# The dashboard the API serves at / (a few seconds; the API serves a "not built" page without it).
npm run --silent build -w @resnet-lab/web > .run/web-build.log 2>&1 || { echo "the dashboard did not build:"; cat .run/web-build.log; exit 1; }

export PORT="${PORT:-3000}"
API="http://127.0.0.1:${PORT}"
node --import tsx apps/api/src/server.ts > .run/api.log 2>&1 &
api_pid=$!
node --import tsx apps/worker/src/main.ts > .run/worker.log 2>&1 &
worker_pid=$!
trap 'kill $api_pid $worker_pid 2>/dev/null; wait 2>/dev/null' EXIT INT TERM

for _ in $(seq 1 60); do
  curl -sf "$API/readyz" >/dev/null && break
  kill -0 $api_pid 2>/dev/null || { echo "the API did not start:"; cat .run/api.log; exit 1; }
  sleep 1
done
curl -sf "$API/readyz" >/dev/null || { echo "the API is not ready:"; tail -50 .run/api.log; exit 1; }

echo "API on $API, dashboard on $API/ (logs: .run/api.log, .run/worker.log). Submitting the demo grid (scripts/demo/grid.json):"
grid=$(curl -sf -X POST "$API/v1/grids" -H 'content-type: application/json' --data @scripts/demo/grid.json \
  | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).grid.id))')
echo "  grid $grid: 4 experiments (plain/residual x depth 8/14). Watch it:"
echo "    Dashboard: $API/grids/$grid   (all grids: $API/)"
echo "    curl -s $API/v1/grids/$grid                      # status counts and progress"
echo "    curl -s $API/v1/grids/$grid/experiments          # each experiment, its status and backend"
echo "    curl -s $API/v1/grids/$grid/summary              # final/best metrics, group means, degradation check"
echo "    curl -N $API/v1/grids/$grid/events               # live progress (Server-Sent Events)"
echo "    npx resnet-lab watch $grid --api $API            # the same from the CLI"
echo "  API documentation: curl -s $API/openapi.json"
echo "Dashboard: $API/"
echo "Press Ctrl-C to stop."
wait $api_pid $worker_pid
