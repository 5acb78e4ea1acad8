#!/bin/bash
# Old (cea0839) and new (4cade7a, the new layout) benchmark binaries alternated, same rows.
F='^(stl|simd_scan|fused|keysort|radix_rank|radix_rank_mt)/(100000|10000000)$|^grouped/100000x100$|^cutoff/.*100/10000000$'
for round in 1 2 3; do
  for which in old new; do
    ./$which-bench --benchmark_filter="$F" --benchmark_repetitions=5 --benchmark_report_aggregates_only=true \
      --benchmark_min_time=0.1 --benchmark_out=${which}_$round.json --benchmark_out_format=json > /dev/null 2>${which}_$round.err
  done
done
echo done
