#!/usr/bin/env bash
# Builds the Release tree, runs every benchmark of SPEC §7 with its baseline twin
# (build/release/benchmarks/allot_bench) in BENCH_RUNS separate processes (default 3), and
# fills docs/PERFORMANCE.md and docs/performance.png from the median of each figure over
# them, with each budget row's range. Extra arguments go to allot_bench, e.g.
#   scripts/bench.sh --benchmark_filter='DecideApply'
# (a filtered run leaves the rows it did not run as "—").
# BENCH_JOBS sets the build's parallelism (default: all cores).
set -euo pipefail
cd "$(dirname "$0")/.."

runs=${BENCH_RUNS:-3}
start=$(date +%s)
cmake -S . -B build/release -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build/release -j "${BENCH_JOBS:-$(nproc)}" --target allot_bench

outputs=()
for ((run = 1; run <= runs; ++run)); do
  echo "== run $run of $runs"
  build/release/benchmarks/allot_bench --benchmark_format=console --benchmark_out_format=json \
    --benchmark_out="build/bench-$run.json" "$@"
  outputs+=("build/bench-$run.json")
done
seconds=$(( $(date +%s) - start ))

# Debian's python3 has python3-matplotlib; another python3 earlier on PATH may not.
python=python3
[ -x /usr/bin/python3 ] && python=/usr/bin/python3
"$python" benchmarks/report.py docs/PERFORMANCE.md "${outputs[@]}" --seconds "$seconds"
