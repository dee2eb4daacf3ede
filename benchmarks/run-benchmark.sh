#!/usr/bin/env bash
# Builds and runs one printed benchmark: ./benchmarks/run-benchmark.sh ops|train|ingest|python-ingest|remote-ingest|latency|runs-query|compare|long-series
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/common.sh

ensure_prerequisites
ensure_apt_packages python3-torch # the reference side: Debian's PyTorch on the same libtorch
dotnet build benchmarks/Tracker.Benchmarks -c Release -nologo -v quiet -clp:NoSummary
# The ingest benchmark writes into PostgreSQL too: the same throwaway server test.sh uses,
# stopped by its exit trap (so no exec below).
[ "${1:-}" = ingest ] && start_test_postgres
dotnet benchmarks/Tracker.Benchmarks/bin/Release/net10.0/Tracker.Benchmarks.dll "$@"
