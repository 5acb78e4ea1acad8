#!/usr/bin/env bash
# All tests: installs what is missing, builds with AddressSanitizer + UndefinedBehaviorSanitizer
# and runs the whole suite, then the release build's suite (optimised code paths and the real
# per-instruction-set code generation), the ThreadSanitizer run and the short fuzz runs. Exits
# non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")/.."

./scripts/deps.sh --fuzz
jobs=$(nproc 2>/dev/null || echo 2)

# sanitize: everything under ASan + UBSan; release: the optimised code paths and real per-ISA
# code; tsan: the concurrency and thread-count tests under ThreadSanitizer; fuzz: each libFuzzer
# target for a fixed number of executions from its seed corpus (ASan + UBSan).
for preset in sanitize release tsan fuzz; do
  echo "== aucrecall tests: $preset build =="
  cmake --preset "$preset" >/dev/null
  cmake --build --preset "$preset" -j "$jobs"
  ctest --preset "$preset" -j "$jobs"
done
echo "== aucrecall tests: all passed =="
