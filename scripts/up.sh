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

echo "API on $API (logs: .run/api.log, .run/worker.log). Submitting the demo experiments:"
for spec in scripts/demo/*.json; do
  id=$(curl -sf -X POST "$API/v1/experiments" -H 'content-type: application/json' --data @"$spec" \
    | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).id))')
  echo "  $(basename "$spec" .json): $id"
  echo "    curl -s $API/v1/experiments/$id"
  echo "    curl -s $API/v1/experiments/$id/metrics"
done
echo "  all experiments: curl -s '$API/v1/experiments?limit=10'"
echo "  API documentation: curl -s $API/openapi.json"
echo "Press Ctrl-C to stop."
wait $api_pid $worker_pid
