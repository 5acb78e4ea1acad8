#!/usr/bin/env bash
# Compares two benchmark runs with Google Benchmark's own tools/compare.py (Debian package
# libbenchmark-tools; its Mann-Whitney U test needs python3-scipy). Nothing here re-implements it.
#
#   scripts/compare.sh OLD NEW [compare.py options]
#
# OLD and NEW are either two JSON files (cpp_*.json or python*.json from results/<machine>/ or
# from aucrecall-bench --benchmark_out) or two results directories: then every file name the two
# directories share (cpp_gcc.json, cpp_clang.json, python.json) is compared, one after the other.
# Rows are matched by name; the columns are (new - old) / old, so -0.50 means NEW takes half the
# time. With fewer than 9 repetitions per row compare.py says the U test is unreliable.
# Extra options go to compare.py before its mode, e.g. -a (aggregates only) or --no-utest.
#
# Environment: AUCRECALL_PYTHON (default /usr/bin/python3), AUCRECALL_COMPARE_PY (default
# /usr/share/benchmark/compare.py).
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ $# -lt 2 || "$1" == -h || "$1" == --help ]]; then
  awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"
  [[ $# -ge 2 ]] && exit 0 || exit 2
fi
old=$1 new=$2
shift 2

python=${AUCRECALL_PYTHON:-/usr/bin/python3}
compare=${AUCRECALL_COMPARE_PY:-/usr/share/benchmark/compare.py}
if [[ ! -f "$compare" ]] || ! "$python" -c "import scipy" 2>/dev/null; then
  ./scripts/deps.sh
fi

pairs=()
if [[ -d "$old" && -d "$new" ]]; then
  for file in "$old"/*.json; do
    name=$(basename "$file")
    [[ -f "$new/$name" ]] && pairs+=("$file" "$new/$name")
  done
  if ((${#pairs[@]} == 0)); then
    echo "compare.sh: $old and $new share no JSON file name" >&2
    exit 1
  fi
elif [[ -f "$old" && -f "$new" ]]; then
  pairs=("$old" "$new")
else
  echo "compare.sh: give two JSON files or two results directories ('$old', '$new')" >&2
  exit 2
fi

status=0
for ((i = 0; i < ${#pairs[@]}; i += 2)); do
  echo "== ${pairs[i]} -> ${pairs[i + 1]} =="
  "$python" "$compare" "$@" benchmarks "${pairs[i]}" "${pairs[i + 1]}" || status=1
done
exit $status
