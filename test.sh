#!/usr/bin/env bash
# Installs what is missing, builds, and runs every test project; ends with one summary line.
set -euo pipefail
cd "$(dirname "$0")"
source scripts/common.sh

ensure_prerequisites
build_solution
# The Dockerfile's publish step, run here so CI exercises it (no Docker engine in CI).
publish_web artifacts/web --no-build
start_test_postgres
start_test_slurm

log "Running tests"
results=$(mktemp -d)
status=0
dotnet test Tracker.sln -c Release --no-build -nologo --logger "trx" --results-directory "$results" "$@" || status=$?

# One line that sums every project's counts, so CI and people read the same verdict.
python3 - "$results" <<'PY' || true
import sys, pathlib, xml.etree.ElementTree as ET
passed = failed = skipped = 0
for trx in pathlib.Path(sys.argv[1]).glob("*.trx"):
    counters = ET.parse(trx).getroot().find(".//{*}Counters")
    if counters is None:
        continue
    passed += int(counters.get("passed", 0))
    failed += int(counters.get("failed", 0)) + int(counters.get("error", 0)) + int(counters.get("timeout", 0))
    # Skipped tests are counted in total but not in executed.
    skipped += int(counters.get("total", 0)) - int(counters.get("executed", 0))
print(f"Tests: {passed} passed, {failed} failed, {skipped} skipped")
PY
rm -rf "$results"
exit $status
