#!/usr/bin/env bash
# All tests: installs what is missing, builds with AddressSanitizer + UndefinedBehaviorSanitizer
# and runs the whole suite, then the release build's suite (optimised code paths and the real
# per-instruction-set code generation). Exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")/.."

./scripts/deps.sh
jobs=$(nproc 2>/dev/null || echo 2)

for preset in sanitize release; do
  echo "== aucrecall tests: $preset build =="
  cmake --preset "$preset" >/dev/null
  cmake --build --preset "$preset" -j "$jobs"
  ctest --preset "$preset" -j "$jobs"
done
echo "== aucrecall tests: all passed =="
