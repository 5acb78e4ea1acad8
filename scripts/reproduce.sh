#!/usr/bin/env bash
# The whole study in one command: dependencies, gcc and clang builds, the C++ benchmark, the
# Python experiments, then every chart and results/<machine>/REPORT.md.
#
#   scripts/reproduce.sh            10 repetitions, every row with gcc, 100k and 1M rows with
#                                   clang (about 25 minutes: 10M items, O(n^2) loops at 100k)
#   scripts/reproduce.sh --quick    3 repetitions, no 10M rows, clang only at 100k and 1M
#   scripts/reproduce.sh --baseline-100k   also the O(n^2) pandas baseline at 100k (minutes)
#
# Environment:
#   AUCRECALL_MACHINE      name of the results directory (default: a slug of CPU model + cores)
#   AUCRECALL_PYTHON       interpreter with Debian's numpy/pandas/numba/matplotlib
#                          (default /usr/bin/python3)
#   AUCRECALL_BUILD_ROOT   build the presets under this directory instead of build/<preset>
#   AUCRECALL_SEED         data seed of the C++ benchmark (its default otherwise)
# Raw JSON, charts and the report land in results/<machine>/; rerender them without running
# anything with: /usr/bin/python3 plots/render_all.py results/<machine>
set -euo pipefail
cd "$(dirname "$0")/.."

quick=0
python_flags=()
for arg in "$@"; do
  case "$arg" in
    --quick) quick=1 ;;
    --baseline-100k) python_flags+=(--baseline-100k) ;;
    -h|--help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
    *) echo "reproduce.sh: unknown argument '$arg' (known: --quick, --baseline-100k)" >&2; exit 2 ;;
  esac
done

python=${AUCRECALL_PYTHON:-/usr/bin/python3}

# A name that survives host renames and means the same hardware on every run: CPU model without
# trademark noise or clock, plus the number of logical CPUs, e.g. "amd-epyc-2c".
machine_slug() {
  local model
  model=$(sed -n 's/^model name[[:space:]]*:[[:space:]]*//p' /proc/cpuinfo 2>/dev/null | head -n1)
  [[ -n "$model" ]] || model=$(uname -m)
  model=$(printf '%s' "$model" |
    sed -E 's/\((R|TM|tm|r)\)//g; s/ CPU / /; s/@.*$//; s/[0-9]+-Core Processor//; s/ Processor//')
  model=$(printf '%s' "$model" | tr '[:upper:]' '[:lower:]' | tr -cs 'a-z0-9' '-' |
    sed 's/^-//; s/-$//')
  printf '%s-%sc' "$model" "$(nproc)"
}
machine=${AUCRECALL_MACHINE:-$(machine_slug)}
out="results/$machine"
mkdir -p "$out"

if ((quick)); then
  repetitions=3
  gcc_filter=(--benchmark_filter='-/10000000$' --benchmark_min_time=0.05)
  # Quick mode keeps from clang what the compiler comparison charts use: the two large sizes.
  clang_filter=(--benchmark_filter='/(100000|1000000)$' --benchmark_min_time=0.05)
  python_flags+=(--quick)
else
  repetitions=10
  gcc_filter=()
  # The compiler comparison needs the kernels and instruction sets at sizes where the kernels,
  # not call overhead, dominate; the full size sweep is the gcc run's job (halves the run time).
  clang_filter=(--benchmark_filter='/(100000|1000000)$')
fi

start=$SECONDS
phase_start=$SECONDS
failures=()
run_log="$out/RUN.txt"
revision=$(git rev-parse --short HEAD 2>/dev/null || echo '?')
echo "scripts/reproduce.sh $* ($(date -u +%Y-%m-%dT%H:%M:%SZ), git $revision)" >"$run_log"

phase() {
  echo
  echo "== reproduce [$((SECONDS - start)) s]: $* =="
  phase_start=$SECONDS
}
done_phase() {
  echo "-- $1: $((SECONDS - phase_start)) s"
}
record() {  # the exact command, for RUN.txt and the report
  printf '%q ' "$@" >>"$run_log"
  echo >>"$run_log"
}

phase "dependencies (scripts/deps.sh --study)"
./scripts/deps.sh --study
done_phase dependencies

build_dir() {
  echo "${AUCRECALL_BUILD_ROOT:-build}/$1"
}
for preset in release clang-release; do
  phase "build preset $preset"
  if [[ -n "${AUCRECALL_BUILD_ROOT:-}" ]]; then
    cmake --preset "$preset" -B "$(build_dir "$preset")" >/dev/null
    cmake --build "$(build_dir "$preset")" -j 2 --target aucrecall-bench
  else
    cmake --preset "$preset" >/dev/null
    cmake --build --preset "$preset" --target aucrecall-bench
  fi
  done_phase "build $preset"
done

# Console output shows the aggregates as rows finish; the JSON file keeps every repetition.
run_bench() {
  local preset=$1 file=$2
  shift 2
  local command=("$(build_dir "$preset")/aucrecall-bench" "--benchmark_repetitions=$repetitions"
                 --benchmark_report_aggregates_only=false --benchmark_display_aggregates_only=true
                 --benchmark_out="$out/$file" --benchmark_out_format=json "$@")
  record "${command[@]}"
  if ! "${command[@]}"; then
    failures+=("$preset benchmark (rows failed their check or the run stopped; see $out/$file)")
  fi
}

phase "C++ benchmark, gcc ($repetitions repetitions)"
run_bench release cpp_gcc.json ${gcc_filter[@]+"${gcc_filter[@]}"}
done_phase "gcc benchmark"

phase "C++ benchmark, clang ($repetitions repetitions)"
run_bench clang-release cpp_clang.json ${clang_filter[@]+"${clang_filter[@]}"}
done_phase "clang benchmark"

phase "Python experiments (bench/python/study.py)"
python_command=("$python" bench/python/study.py ${python_flags[@]+"${python_flags[@]}"}
                --out "$out/python.json")
record "${python_command[@]}"
if ! "${python_command[@]}"; then
  failures+=("Python experiments")
fi
done_phase "Python experiments"

phase "charts and report (plots/render_all.py)"
"$python" plots/render_all.py "$out"
done_phase "charts and report"

echo
echo "== reproduce: $((SECONDS - start)) s in total; results in $out/ (REPORT.md) =="
if ((${#failures[@]})); then
  printf 'reproduce: FAILED: %s\n' "${failures[@]}" >&2
  exit 1
fi
