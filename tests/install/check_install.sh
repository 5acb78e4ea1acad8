#!/usr/bin/env bash
# Installs a build tree into a temporary prefix, builds and runs a downstream C++ project against
# it with find_package(aucrecall CONFIG), and imports the installed Python module.
#   check_install.sh BUILD_DIR PYTHON CXX_COMPILER "CXX_FLAGS" "LINKER_FLAGS" WITH_PYTHON(0|1)
set -euo pipefail
build=$1 python=$2 compiler=$3 cxx_flags=${4:-} linker_flags=${5:-} with_python=${6:-1}
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/aucrecall-install-XXXXXX")
trap 'rm -rf "$work"' EXIT
prefix=$work/prefix

cmake --install "$build" --prefix "$prefix" >"$work/install.log"
for name in aucrecall.hpp libaucrecall.a aucrecallConfig.cmake aucrecallTargets.cmake aucrecall; do
  [[ -n "$(find "$prefix" -name "$name" -print -quit)" ]] ||
    { echo "check_install: $name not installed" >&2; exit 1; }
done

cmake -S "$here/consumer" -B "$work/consumer" -DCMAKE_PREFIX_PATH="$prefix" \
      -DCMAKE_CXX_COMPILER="$compiler" -DCMAKE_CXX_FLAGS="$cxx_flags" \
      -DCMAKE_EXE_LINKER_FLAGS="$linker_flags" >"$work/configure.log"
cmake --build "$work/consumer" >"$work/build.log" || { cat "$work/build.log" >&2; exit 1; }
got=$("$work/consumer/consumer")
[[ "$got" == "0.80000000000000004" ]] ||
  { echo "check_install: consumer printed '$got'" >&2; exit 1; }
echo "check_install: C++ consumer built against $prefix: $got"

"$prefix/bin/aucrecall" --list-kernels >/dev/null

if [[ "$with_python" != 1 ]]; then
  echo "check_install: Python module not built (AUCRECALL_BUILD_PYTHON=OFF): not checked"
  exit 0
fi
package=$(find "$prefix" -name '_aucrecall*.so' -path '*python3*' -printf '%h\n' | head -n1)
[[ -n "$package" ]] || { echo "check_install: the Python module was not installed" >&2; exit 1; }
site=$(dirname "$package")
[[ -f "$site/aucrecall/__init__.pyi" ]] || { echo "check_install: the type stub aucrecall/__init__.pyi not installed" >&2; exit 1; }
[[ -f "$site/aucrecall/dask.py" ]] || { echo "check_install: aucrecall/dask.py not installed" >&2; exit 1; }
# A sanitizer build's module needs its runtime loaded first (AUCRECALL_PYTHON_PRELOAD, from CTest).
preload=()
[[ -n "${AUCRECALL_PYTHON_PRELOAD:-}" ]] &&
  preload=("LD_PRELOAD=$AUCRECALL_PYTHON_PRELOAD" "ASAN_OPTIONS=detect_leaks=0:abort_on_error=1")
env ${preload[@]+"${preload[@]}"} PYTHONPATH="$site" "$python" -c "
import aucrecall, sys
assert aucrecall.__file__.startswith('$prefix'), aucrecall.__file__
assert aucrecall.auc_recall([1, 0, 1, 1, 0], [0.9, 0.8, 0.7, 0.6, 0.5]) == 0.8
print('check_install: Python module imported from', aucrecall.__file__)
"
