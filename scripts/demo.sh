#!/usr/bin/env bash
# Builds the allot command and replays one busy day of the retail example with a report.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
cmake -S . -B build/release -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build/release --target allot_cli -j "$(nproc)" >/dev/null
build/release/allot replay --config examples/retail/config.txtpb \
  --events examples/retail/events.jsonl --decisions-out build/retail-decisions.jsonl --report
echo "decisions: build/retail-decisions.jsonl"
