#!/usr/bin/env bash
# Installs the Debian packages aucrecall needs, or says exactly what to run.
#   scripts/deps.sh            what the build and the tests need
#   scripts/deps.sh --study    also what only reproduce.sh needs (clang for the compiler comparison)
#   scripts/deps.sh --fuzz     also clang's libFuzzer (the fuzz preset of the test command)
# Installs with apt-get when run as root; otherwise prints the command and exits 1.
set -euo pipefail

packages=(
  cmake make g++                       # the build
  libxsimd-dev libgtest-dev libgmock-dev libbenchmark-dev libhwy-dev
  python3 python3-numpy                # the CLI's cross-check against NumPy
  python3-pandas python3-numba python3-matplotlib   # the study's experiments and charts (tested too)
  libbenchmark-tools python3-scipy     # scripts/compare.sh: Google Benchmark's compare.py + U test
  python3-dev pybind11-dev python3-pytest   # the Python module and its tests
  python3-dask python3-distributed     # aucrecall.dask and its tests (a LocalCluster)
)
for option in "$@"; do
  case "$option" in
    --study) packages+=(clang) ;;                      # the compiler comparison
    --fuzz) packages+=(clang libclang-rt-14-dev) ;;    # libFuzzer and clang's sanitizer runtimes
    *) echo "deps.sh: unknown option '$option' (known: --study, --fuzz)" >&2; exit 2 ;;
  esac
done

missing=()
for pkg in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$pkg")
done
if ((${#missing[@]} == 0)); then
  exit 0
fi

echo "aucrecall: missing Debian packages: ${missing[*]}" >&2
if [[ $(id -u) -ne 0 ]]; then
  echo "run as root: apt-get update && apt-get install -y ${missing[*]}" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -q >&2
apt-get install -y -q --no-install-recommends "${missing[@]}" >&2
