#!/usr/bin/env bash
# Builds and runs one printed benchmark with its PyTorch reference: ./benchmarks/run-benchmark.sh ops
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/common.sh

ensure_prerequisites
ensure_apt_packages python3-torch # the reference side: Debian's PyTorch on the same libtorch
dotnet build benchmarks/Tracker.Benchmarks -c Release -nologo -v quiet -clp:NoSummary
exec dotnet benchmarks/Tracker.Benchmarks/bin/Release/net10.0/Tracker.Benchmarks.dll "$@"
