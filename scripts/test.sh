#!/usr/bin/env bash
# Builds allot and runs every test: a Release tree (unit, property, CLI, install and Python
# tests), then the C++ tests under AddressSanitizer and UndefinedBehaviorSanitizer (without
# the Python module: loading an ASan build into python needs LD_PRELOAD). Exits non-zero on
# any failure.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh

jobs=$(nproc)
cmake -S . -B build/release -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build/release -j "$jobs"
ctest --test-dir build/release --output-on-failure -j "$jobs"

cmake -S . -B build/sanitize -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DALLOT_SANITIZE=ON \
      -DALLOT_BUILD_BENCHMARKS=OFF -DALLOT_INSTALL=OFF -DALLOT_BUILD_PYTHON=OFF >/dev/null
cmake --build build/sanitize -j "$jobs"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ctest --test-dir build/sanitize --output-on-failure -j "$jobs"
