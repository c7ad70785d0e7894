#!/usr/bin/env bash
# Installs Debian's chromium when missing, for the Swagger UI browser test (test/browser). The test
# drives it with playwright-core; nothing downloads a browser of its own. Idempotent.
set -euo pipefail
if [ -x /usr/bin/chromium ]; then echo "[chromium] $(/usr/bin/chromium --version 2>/dev/null)"; exit 0; fi
as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
    echo "[chromium] need root to run: $*" >&2; return 1; fi
}
echo "[chromium] installing chromium from Debian's packages"
as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
echo "[chromium] $(/usr/bin/chromium --version 2>/dev/null)"
