#!/usr/bin/env bash
# The test command (`npm test`): builds the app, then runs the whole e2e suite on each target: the
# embedded default (SQLite + in-process queue), MariaDB + Redis, and the cluster (2 API processes
# behind a round-robin proxy + 2 workers on MariaDB + Redis). TEST_TARGETS="cluster" picks some.
# Without TEST_DATABASE_URL it starts local MariaDB and Redis with scripts/services.sh
# (installing them when missing).
# Extra arguments go to jest, e.g. `npm test -- test/tags`.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -d node_modules ]; then npm ci; fi
npm run -s build
echo "[test] Node $(node --version)"
# The Swagger UI browser test drives Debian's chromium (installed when missing; idempotent).
bash scripts/chromium.sh

if [ -z "${TEST_DATABASE_URL:-}" ]; then
  bash scripts/services.sh
  export TEST_DATABASE_URL="mysql://contacts:contacts@127.0.0.1:3306/contacts_test"
  export TEST_REDIS_URL="${TEST_REDIS_URL:-redis://127.0.0.1:6379/15}"
fi

results=$(mktemp -d)
summary=()
failed=0
files=()
targets=(${TEST_TARGETS:-embedded mariadb cluster})
for target in "${targets[@]}"; do
  echo
  echo "=== e2e suite on ${target} ==="
  files+=("$results/$target.json")
  if ! TEST_TARGET=$target npx jest --config test/jest-e2e.config.js --json \
      --outputFile="$results/$target.json" "$@"; then
    failed=1
  fi
  summary+=("$(node -e '
    const [file, target] = process.argv.slice(1);
    try {
      const r = require(file);
      console.log(`${target}: ${r.numPassedTests} passed, ${r.numFailedTests} failed`);
    } catch {
      console.log(`${target}: the suite did not run to the end`);
    }
  ' "$results/$target.json" "$target")")
done

echo
echo "=== summary ==="
printf '%s\n' "${summary[@]}"
node -e '
  let passed = 0, failed = 0;
  for (const file of process.argv.slice(1)) {
    try {
      const r = require(file);
      passed += r.numPassedTests;
      failed += r.numFailedTests;
    } catch {
      failed += 1;
    }
  }
  console.log(`${passed} passed, ${failed} failed`);
' "${files[@]}"
exit $failed
