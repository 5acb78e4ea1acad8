#!/usr/bin/env bash
# The whole study in one command: dependencies, gcc and clang builds, the C++ benchmark, the
# Python experiments, then every chart and results/<machine>/REPORT.md.
#
#   scripts/reproduce.sh            10 repetitions, every row with gcc, 100k and 1M rows with
#                                   clang (about 35 minutes: 10M items, O(n^2) loops at 100k)
#   scripts/reproduce.sh --quick    3 repetitions, no 10M rows, clang only at 100k and 1M
#   scripts/reproduce.sh --baseline-100k   also the O(n^2) pandas baseline at 100k (minutes)
#   scripts/reproduce.sh --repetitions N   N repetitions per row (with or without --quick)
#   scripts/reproduce.sh --prebuilt DIR    no dependencies, no builds: run the benchmark binaries of
#                                   a bundle made by scripts/bundle.sh DIR on another machine
#                                   (for machines without Debian's packages)
#   scripts/reproduce.sh --no-render       leave the charts and report for later (render_all.py)
#
# Environment:
#   AUCRECALL_MACHINE      name of the results directory (default: a slug of CPU model + cores)
#   AUCRECALL_PYTHON       interpreter with Debian's numpy/pandas/numba/matplotlib
#                          (default /usr/bin/python3)
#   AUCRECALL_BUILD_ROOT   build the presets under this directory instead of build/<preset>
#   AUCRECALL_SEED         data seed of the C++ benchmark (its default otherwise)
#   AUCRECALL_RESULTS      the folder that holds results/<machine>/ (default: results)
# Raw JSON, RUN.txt (commands and the machine: CPU, flags, OS, compilers, libraries), charts and
# the report land in results/<machine>/, and results/MACHINES.md puts every machine side by side;
# rerender them without running anything with: /usr/bin/python3 plots/render_all.py
set -euo pipefail
cd "$(dirname "$0")/.."

original_arguments=("$@")
quick=0
render=1
prebuilt=
repetitions=
python_flags=()
usage_error() {
  echo "reproduce.sh: $1 (known: --quick, --baseline-100k, --repetitions N, --prebuilt DIR," \
       "--no-render, --help)" >&2
  exit 2
}
while (($#)); do
  case "$1" in
    --quick) quick=1 ;;
    --baseline-100k) python_flags+=(--baseline-100k) ;;
    --no-render) render=0 ;;
    --repetitions)
      [[ "${2:-}" =~ ^[1-9][0-9]*$ ]] || usage_error "--repetitions needs a positive integer"
      repetitions=$2; shift ;;
    --prebuilt)
      [[ -n "${2:-}" && -x "${2:-}/release/aucrecall-bench" ]] ||
        usage_error "--prebuilt needs a folder made by scripts/bundle.sh (DIR/release/aucrecall-bench)"
      prebuilt=$(cd "$2" && pwd); shift ;;
    -h|--help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
    *) usage_error "unknown argument '$1'" ;;
  esac
  shift
done

python=${AUCRECALL_PYTHON:-/usr/bin/python3}

# A name that survives host renames and means the same hardware on every run: CPU model without
# trademark noise or clock, "-avx512" where the CPU has AVX-512 (machines sold under one model name
# differ there, and their results must not overwrite each other), plus the number of logical
# CPUs, e.g. "amd-epyc-2c", "amd-epyc-avx512-2c".
machine_slug() {
  local model
  model=$(sed -n 's/^model name[[:space:]]*:[[:space:]]*//p' /proc/cpuinfo 2>/dev/null | head -n1)
  [[ -n "$model" ]] || model=$(uname -m)
  model=$(printf '%s' "$model" |
    sed -E 's/\((R|TM|tm|r)\)//g; s/ CPU / /; s/@.*$//; s/[0-9]+-Core Processor//; s/ Processor//')
  model=$(printf '%s' "$model" | tr '[:upper:]' '[:lower:]' | tr -cs 'a-z0-9' '-' |
    sed 's/^-//; s/-$//')
  if grep -qw avx512f /proc/cpuinfo 2>/dev/null && [[ "$model" != *avx512* ]]; then
    model="$model-avx512"
  fi
  printf '%s-%sc' "$model" "$(nproc)"
}
machine=${AUCRECALL_MACHINE:-$(machine_slug)}
results_root=${AUCRECALL_RESULTS:-results}
out="$results_root/$machine"
mkdir -p "$out"

if ((quick)); then
  repetitions=${repetitions:-3}
  gcc_filter=(--benchmark_filter='-/10000000$' --benchmark_min_time=0.05)
  # Quick mode keeps from clang what the compiler comparison charts use: the two large sizes.
  clang_filter=(--benchmark_filter='/(100000|1000000)$' --benchmark_min_time=0.05)
else
  repetitions=${repetitions:-10}
  gcc_filter=()
  # The compiler comparison needs the kernels and instruction sets at sizes where the kernels,
  # not call overhead, dominate; the full size sweep is the gcc run's job (halves the run time).
  clang_filter=(--benchmark_filter='/(100000|1000000)$')
fi
python_flags+=(--repetitions "$repetitions")

start=$SECONDS
phase_start=$SECONDS
failures=()
run_log="$out/RUN.txt"
revision=$(git rev-parse --short HEAD 2>/dev/null || echo '?')
echo "scripts/reproduce.sh ${original_arguments[*]} ($(date -u +%Y-%m-%dT%H:%M:%SZ), git $revision)" >"$run_log"

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

# The machine and software behind the numbers, for whoever compares this run with another.
describe_machine() {
  echo
  echo "# machine"
  echo "# cpu: $(sed -n 's/^model name[[:space:]]*:[[:space:]]*//p' /proc/cpuinfo 2>/dev/null | head -n1)" \
       "($(nproc) logical CPUs)"
  echo "# simd flags: $(grep -m1 '^flags' /proc/cpuinfo 2>/dev/null | tr ' ' '\n' |
                         grep -E '^(sse4_2|avx|avx2|fma|avx512[a-z_]*)$' | sort -u | tr '\n' ' ')"
  echo "# caches: $(for c in /sys/devices/system/cpu/cpu0/cache/index*; do
                     [[ -r $c/size ]] && printf 'L%s %s %s; ' "$(cat "$c/level")" "$(cat "$c/type")" "$(cat "$c/size")"
                   done)"
  echo "# memory: $(awk '/^MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo 2>/dev/null)"
  echo "# os: $(. /etc/os-release 2>/dev/null && echo "$PRETTY_NAME"); kernel $(uname -sr); glibc $(ldd --version 2>/dev/null | head -n1 | awk '{print $NF}')"
  echo "# python: $("$python" -c 'import sys, platform
try:
    import numpy; n = numpy.__version__
except Exception: n = "absent"
print(platform.python_version(), sys.executable, "numpy", n)' 2>&1)"
  if [[ -n "$prebuilt" ]]; then
    echo "# prebuilt bundle $prebuilt:"
    sed 's/^/#   /' "$prebuilt/BUNDLE.txt"
  else
    echo "# compilers: $(g++ --version | head -n1); $(clang++ --version 2>/dev/null | head -n1)"
    echo "# packages: $(dpkg-query -W -f='${Package} ${Version}, ' libbenchmark-dev libhwy-dev libxsimd-dev python3-numpy python3-pandas python3-numba 2>/dev/null)"
  fi
  echo
}

build_dir() {
  if [[ -n "$prebuilt" ]]; then
    echo "$prebuilt/$1"
  else
    echo "${AUCRECALL_BUILD_ROOT:-build}/$1"
  fi
}
presets=(release clang-release)
if [[ -n "$prebuilt" ]]; then
  # The bundle brings its own Google Benchmark, Highway and libstdc++ for the benchmark alone.
  bench_env=(env "LD_LIBRARY_PATH=$prebuilt/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}")
  [[ -x "$prebuilt/clang-release/aucrecall-bench" ]] || presets=(release)
  echo "reproduce: prebuilt bundle $prebuilt (presets: ${presets[*]}); no dependencies, no builds"
else
  bench_env=()
  phase "dependencies (scripts/deps.sh --study)"
  ./scripts/deps.sh --study
  done_phase dependencies
  for preset in "${presets[@]}"; do
    phase "build preset $preset"
    # The release build also makes the Python module for the study's py_aucrecall row.
    targets=(aucrecall-bench)
    [[ "$preset" == release ]] && targets+=(aucrecall_python)
    if [[ -n "${AUCRECALL_BUILD_ROOT:-}" ]]; then
      cmake --preset "$preset" -B "$(build_dir "$preset")" >/dev/null
      cmake --build "$(build_dir "$preset")" -j 2 --target "${targets[@]}"
    else
      cmake --preset "$preset" >/dev/null
      cmake --build --preset "$preset" --target "${targets[@]}"
    fi
    done_phase "build $preset"
  done
fi
describe_machine >>"$run_log"

# Console output shows the aggregates as rows finish; the JSON file keeps every repetition.
run_bench() {
  local preset=$1 file=$2
  shift 2
  local command=("$(build_dir "$preset")/aucrecall-bench" "--benchmark_repetitions=$repetitions"
                 --benchmark_report_aggregates_only=false --benchmark_display_aggregates_only=true
                 --benchmark_out="$out/$file" --benchmark_out_format=json "$@")
  record ${bench_env[@]+"${bench_env[@]}"} "${command[@]}"
  if ! ${bench_env[@]+"${bench_env[@]}"} "${command[@]}"; then
    failures+=("$preset benchmark (rows failed their check or the run stopped; see $out/$file)")
  fi
}

phase "C++ benchmark, gcc ($repetitions repetitions)"
run_bench release cpp_gcc.json ${gcc_filter[@]+"${gcc_filter[@]}"}
done_phase "gcc benchmark"

if [[ " ${presets[*]} " == *" clang-release "* ]]; then
  phase "C++ benchmark, clang ($repetitions repetitions)"
  run_bench clang-release cpp_clang.json ${clang_filter[@]+"${clang_filter[@]}"}
  done_phase "clang benchmark"
fi

phase "Python experiments (bench/python/study.py)"
# py_aucrecall imports the module of the release build (or of the bundle's python/ folder).
module_dir=$(build_dir release)/python
[[ -n "$prebuilt" ]] && module_dir=$prebuilt/python
python_command=(env "PYTHONPATH=$module_dir${PYTHONPATH:+:$PYTHONPATH}" "$python"
                bench/python/study.py ${python_flags[@]+"${python_flags[@]}"}
                --out "$out/python.json")
record "${python_command[@]}"
if ! "${python_command[@]}"; then
  failures+=("Python experiments")
fi
done_phase "Python experiments"

phase "beyond one machine (bench/python/scale.py: aucrecall.dask on a LocalCluster)"
# Rows dask/<what>/<n> (python_dask*.json, read with the Python rows); 100M rows once each.
scale_runs=("--sizes 1000000 --repetitions 1:python_dask.json")
((quick)) || scale_runs=("--sizes 10000000 --repetitions 3:python_dask.json"
                         "--sizes 100000000 --repetitions 1:python_dask_100M.json")
for run in "${scale_runs[@]}"; do
  read -r -a scale_flags <<<"${run%%:*}"
  scale_command=(env "PYTHONPATH=$module_dir${PYTHONPATH:+:$PYTHONPATH}" "$python" bench/python/scale.py
                 "${scale_flags[@]}" --out "$out/${run##*:}")
  record "${scale_command[@]}"
  if ! "${scale_command[@]}"; then
    failures+=("beyond one machine (${run##*:})")
  fi
done
done_phase "beyond one machine"

if ((render)); then
  phase "charts and report (plots/render_all.py, plots/machines.py)"
  "$python" plots/render_all.py "$out"
  "$python" plots/machines.py "$results_root"
  done_phase "charts and report"
else
  echo "reproduce: charts and report not drawn (--no-render); later: $python plots/render_all.py"
fi

echo
echo "== reproduce: $((SECONDS - start)) s in total; results in $out/$( ((render)) && echo ' (REPORT.md)') =="
if ((${#failures[@]})); then
  printf 'reproduce: FAILED: %s\n' "${failures[@]}" >&2
  exit 1
fi
