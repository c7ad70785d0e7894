#!/usr/bin/env bash
# `npm run lint:openapi`: starts the built server on the embedded default (a throwaway SQLite
# file), fetches the OpenAPI document it serves at /docs-json and lints it with Redocly's
# recommended rules (redocly.yaml). Needs `npm run build` first. Exits non-zero on any error.
set -euo pipefail
cd "$(dirname "$0")/.."

work=$(mktemp -d)
port=$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
PORT=$port DATABASE_URL="sqlite:$work/lint.sqlite" LOG_LEVEL=warn NODE_ENV=test \
  JWT_SECRET=openapi-lint-secret-that-is-long-enough-for-hs256 \
  node dist/src/main.js >"$work/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true; wait $server 2>/dev/null || true; rm -rf "$work"' EXIT

for _ in $(seq 1 300); do
  if curl -sf "http://127.0.0.1:$port/docs-json" -o "$work/openapi.json"; then break; fi
  if ! kill -0 $server 2>/dev/null; then cat "$work/server.log" >&2; exit 1; fi
  sleep 0.1
done
[ -s "$work/openapi.json" ] || { echo "no /docs-json from the server" >&2; cat "$work/server.log" >&2; exit 1; }
echo "[openapi] linting /docs-json (Node $(node --version))"
npx redocly lint "$work/openapi.json" --config redocly.yaml --format stylish
