#!/usr/bin/env bash
# Issue 8 on the lent 16-core Xeon (AVX-512), one call:
#  1. the GoogleTest suite in three builds at once (release, ASan+UBSan, TSan on the thread
#     tests), 16 shards each, every instruction set the CPU runs (avx512 included);
#  2. per-ISA, phase, thread-scaling and distribution rows, GCC, then a Clang subset;
#  3. the study's Numba function at 100k.
# Everything comes back as at most 6 files under $OUT.
set -u
B=$PWD/.bundle
O=${OUT:-/tmp/out}; mkdir -p "$O"
L=/tmp/devlogs; rm -rf "$L"; mkdir -p "$L"
tar -C "$B" -xJf "$B/packed.tar.xz"
S="$O/summary.txt"
{ date -u; nproc; lscpu | grep -E "Model name|^CPU\(s\)|L1d|L2|L3|Flags" | cut -c1-2000; python3 --version
  head -3 "$B/BUNDLE.txt"; } > "$O/machine.txt" 2>&1

# GCC 12's ASan/TSan runtimes predate kernels with 32 bits of mmap randomisation; without
# address-space randomisation their shadow layout always fits.
norand=(); setarch "$(uname -m)" -R true 2>/dev/null && norand=(setarch "$(uname -m)" -R)
echo "vm.mmap_rnd_bits=$(cat /proc/sys/vm/mmap_rnd_bits 2>/dev/null); sanitizers run under: ${norand[*]:-(plain)}" >> "$O/machine.txt"
t0=$(date +%s)
shards=16
for i in $(seq 0 $((shards - 1))); do
  ( export LD_LIBRARY_PATH=$B/lib GTEST_TOTAL_SHARDS=$shards GTEST_SHARD_INDEX=$i
    timeout 150 "$B/tests/aucrecall_tests" > "$L/release_$i.log" 2>&1; echo "rc $?" >> "$L/release_$i.log" ) &
  ( export LD_LIBRARY_PATH=$B/sanlib:$B/lib GTEST_TOTAL_SHARDS=$shards GTEST_SHARD_INDEX=$i \
      ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
    timeout 150 "${norand[@]}" "$B/tests/aucrecall_tests_sanitize" > "$L/sanitize_$i.log" 2>&1; echo "rc $?" >> "$L/sanitize_$i.log" ) &
done
( export LD_LIBRARY_PATH=$B/sanlib:$B/lib TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1
  timeout 150 "${norand[@]}" "$B/tests/aucrecall_tests_tsan" --gtest_filter='*Concurrency*:*ThreadCount*:*ThreadPool*' \
    > "$L/tsan.log" 2>&1; echo "rc $?" >> "$L/tsan.log" ) &
wait
{
  echo "tests took $(( $(date +%s) - t0 )) s"
  for b in release sanitize tsan; do
    echo "== $b: exit codes: $(cat "$L"/${b}*.log | grep -E '^rc [0-9]+$' | sort | uniq -c | tr '\n' ' ')"
    cat "$L"/${b}*.log | grep -E '^\[ +(PASSED|FAILED|SKIPPED) +\] [0-9]+ test' | awk '{print $2, $4}' |
      awk '{s[$1]+=$2} END {for (k in s) print "   ", k, s[k]}'
    cat "$L"/${b}*.log | grep -E '^\[  FAILED  \] [A-Za-z]' | sed 's/ (.*)$//' | sort -u | head -20
    cat "$L"/${b}*.log | grep -E '^\[  SKIPPED \] [A-Za-z]' | sed 's/ (.*)$//' | sort -u | head -20
    echo "   avx512 instances run: $(cat "$L"/${b}*.log | grep -cE '^\[       OK \] .*avx512')"
  done
} > "$S" 2>&1
cat "$S"

t0=$(date +%s)
LD_LIBRARY_PATH=$B/lib timeout 270 "$B/release/aucrecall-bench" \
  --benchmark_filter='^(keysort|radix_rank|radix_rank_mt|simd_scan|ranked|ranked_u8|fused|stl)(@[a-z0-9_]+)?/(100000|1000000)$|^(ranked|ranked_u8)@.*/10000000$|^phases/.*/(100000|1000000)$|^threads/|^dist/|^read_inputs/100000$|^read_labels/(100000|10000000)$' \
  --benchmark_repetitions=5 --benchmark_out="$O/cpp_gcc.json" --benchmark_out_format=json \
  > "$L/bench_gcc.txt" 2> "$L/bench_gcc.err"
echo "bench gcc rc $? took $(( $(date +%s) - t0 )) s" | tee -a "$S"

t0=$(date +%s)
LD_LIBRARY_PATH=$B/lib timeout 60 "$B/clang-release/aucrecall-bench" \
  --benchmark_filter='^phases/.*/100000$|^(keysort|radix_rank|ranked_u8)(@[a-z0-9_]+)?/100000$|^radix_rank_mt/100000$' \
  --benchmark_repetitions=5 --benchmark_out="$O/cpp_clang.json" --benchmark_out_format=json \
  > "$L/bench_clang.txt" 2> "$L/bench_clang.err"
echo "bench clang rc $? took $(( $(date +%s) - t0 )) s" | tee -a "$S"

t0=$(date +%s)
PYTHONUNBUFFERED=1 timeout 90 python3 bench/python/study.py --sizes 100000 --experiments py_numba \
  --repetitions 5 --grouped none --out "$O/python.json" > "$L/numba.log" 2>&1
echo "numba rc $? took $(( $(date +%s) - t0 )) s" | tee -a "$S"
tar -C /tmp -czf "$O/logs.tar.gz" devlogs
grep -h median "$L"/bench_gcc.txt | awk '$1 ~ /radix_rank_mt\/100000|^radix_rank\/100000|threads/ {print $1, $2, $3}' | head -30
