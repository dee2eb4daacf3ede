#!/usr/bin/env bash
# Installs what is missing, builds, and serves Tracker on http://localhost:5080 (SQLite by default).
set -euo pipefail
cd "$(dirname "$0")"
source scripts/common.sh

ensure_prerequisites
build_solution
publish_web artifacts/web --no-build
# The SQLite file and the runs' checkpoints live in the checkout's data/ (git ignores it), not in
# the publish folder, so a rebuild never touches them.
export Database__SqlitePath="${Database__SqlitePath:-$PWD/data/tracker.db}"
export Jobs__RunsDirectory="${Jobs__RunsDirectory:-$PWD/data/runs}"
log "Serving Tracker on ${TRACKER_URLS:-http://localhost:5080} (Ctrl+C stops it)"
cd artifacts/web
exec dotnet Tracker.Web.dll --urls "${TRACKER_URLS:-http://localhost:5080}" "$@"
