#!/usr/bin/env bash
# Builds the benchmark once here and packs it to run the study on a machine that has no Debian
# -dev packages (another distribution, a lab box, a cloud node):
#
#   scripts/bundle.sh DIR          release (GCC) and clang-release builds of aucrecall-bench
#   scripts/bundle.sh DIR --gcc    the GCC build only
#
# DIR then holds <preset>/aucrecall-bench, python/ (the module, for the same Python version only),
# lib/ (every shared library the binaries load except the C library itself: Google Benchmark,
# Highway, libstdc++, libgcc_s) and BUNDLE.txt (git
# revision, compilers, library versions, ldd output). Copy DIR and the source tree (for
# bench/python/study.py and scripts/) to the other machine and run there:
#
#   AUCRECALL_PYTHON=python3 ./scripts/reproduce.sh --prebuilt DIR [--quick | --repetitions N]
#
# The target needs only a glibc at least as new as this machine's (Debian 12: 2.36), x86-64, and
# for the Python half NumPy (pandas and Numba optional: missing ones are skipped and recorded).
# reproduce.sh sets LD_LIBRARY_PATH=DIR/lib for the benchmark process only, so the bundled
# libstdc++ never reaches the target's Python.
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ $# -lt 1 || "$1" == -h || "$1" == --help ]]; then
  awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"
  [[ $# -ge 1 ]] && exit 0 || exit 2
fi
out=$1
presets=(release clang-release)
[[ "${2:-}" == --gcc ]] && presets=(release)

./scripts/deps.sh --study
mkdir -p "$out/lib"
manifest="$out/BUNDLE.txt"
{
  echo "aucrecall benchmark bundle, $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "git $(git rev-parse --short HEAD 2>/dev/null || echo '?')$(git diff --quiet 2>/dev/null || echo ' (with uncommitted changes)')"
  echo "built on: $(. /etc/os-release 2>/dev/null && echo "$PRETTY_NAME"), $(uname -m), glibc $(ldd --version | head -n1 | awk '{print $NF}')"
} >"$manifest"

for preset in "${presets[@]}"; do
  cmake --preset "$preset" >/dev/null
  cmake --build --preset "$preset" --target aucrecall-bench
  mkdir -p "$out/$preset"
  cp "build/$preset/aucrecall-bench" "$out/$preset/"
  if [[ "$preset" == release ]]; then
    # The Python module, for the study's py_aucrecall row: it imports only under the same
    # Python version as here (its file name carries the ABI); elsewhere the row is skipped.
    cmake --build --preset release --target aucrecall_python
    mkdir -p "$out/python"
    cp -r build/release/python/aucrecall "$out/python/"
  fi
  compiler=$(sed -n 's/^CMAKE_CXX_COMPILER:[^=]*=//p' "build/$preset/CMakeCache.txt")
  {
    echo
    echo "== $preset: $("$compiler" --version | head -n1)"
    ldd "build/$preset/aucrecall-bench"
  } >>"$manifest"
  # Everything the binary loads except glibc's own pieces, which must come from the target.
  ldd "build/$preset/aucrecall-bench" | awk '$2 == "=>" && $3 ~ /^\// { print $3 }' |
    grep -Ev '/(libc|libm|libpthread|libdl|librt|ld-linux[^/]*)\.so' |
    while read -r library; do cp -L "$library" "$out/lib/"; done
done
{
  echo
  echo "== Debian packages"
  dpkg-query -W -f='${Package} ${Version}\n' libbenchmark-dev libhwy-dev libxsimd-dev g++ clang 2>/dev/null || true
  echo
  echo "== lib/"
  ls -l "$out/lib"
} >>"$manifest"
echo "bundle.sh: $out ready ($(du -sh "$out" | cut -f1)); see $manifest"
