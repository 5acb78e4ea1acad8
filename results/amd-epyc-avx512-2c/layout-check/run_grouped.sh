#!/bin/bash
# Old (cea0839) and new (4cade7a, the new layout: groups on the thread pool) alternated.
F='^grouped(_mt|_shuffled)?/'
for round in 1 2 3; do
  for which in old new; do
    ./$which-bench --benchmark_filter="$F" --benchmark_repetitions=5 --benchmark_report_aggregates_only=true \
      --benchmark_out=grouped_${which}_$round.json --benchmark_out_format=json > /dev/null 2>grouped_${which}_$round.err
  done
done
echo done
