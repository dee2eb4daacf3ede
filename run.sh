#!/usr/bin/env bash
# Installs what is missing, builds, and serves Tracker on http://localhost:5080 (SQLite by default).
set -euo pipefail
cd "$(dirname "$0")"
source scripts/common.sh

ensure_prerequisites
build_solution
log "Serving Tracker on http://localhost:5080 (Ctrl+C stops it)"
exec dotnet src/Web/bin/Release/net10.0/Tracker.Web.dll --urls "${TRACKER_URLS:-http://localhost:5080}" --contentRoot src/Web "$@"
