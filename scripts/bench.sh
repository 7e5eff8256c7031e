#!/usr/bin/env bash
# Builds the Release tree, runs every benchmark of SPEC §7 with its baseline twin in one
# run (build/release/benchmarks/allot_bench), and fills docs/PERFORMANCE.md and
# docs/performance.png from that run. Extra arguments go to allot_bench, e.g.
#   scripts/bench.sh --benchmark_filter='DecideApply'
# (a filtered run leaves the rows it did not run as "—").
# BENCH_JOBS sets the build's parallelism (default: all cores).
set -euo pipefail
cd "$(dirname "$0")/.."

start=$(date +%s)
cmake -S . -B build/release -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build/release -j "${BENCH_JOBS:-$(nproc)}" --target allot_bench

build/release/benchmarks/allot_bench --benchmark_format=json --benchmark_out_format=json \
  --benchmark_out=build/bench.json --benchmark_format=console "$@"
seconds=$(( $(date +%s) - start ))

# Debian's python3 has python3-matplotlib; another python3 earlier on PATH may not.
python=python3
[ -x /usr/bin/python3 ] && python=/usr/bin/python3
"$python" benchmarks/report.py build/bench.json docs/PERFORMANCE.md --seconds "$seconds"
