#!/usr/bin/env bash
# End-to-end benchmarks of Vex against gcc -O2, tokio and Go: builds everything, runs
# every workload (median of >= 3 runs) and prints the tables. See bench/README.md.
# Usage: bench/run.sh [quick] [runs=N] [only=cpu,async,values,channels,io]
set -euo pipefail
exec python3 "$(dirname "$0")/driver.py" "$@"
