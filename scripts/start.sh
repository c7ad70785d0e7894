#!/usr/bin/env bash
# `npm start`: install when needed, build, and start on the embedded default (SQLite file in
# ./data, in-process import queue). The server prints the Swagger UI address and a token.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -d node_modules ] || npm ci
npm run -s build
exec node dist/src/main.js
