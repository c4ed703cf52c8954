#!/usr/bin/env bash
# Starts the catalog and the ingest together (what `make run` does) and stops
# both, gracefully, when either exits or on Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."
DB=${DB:-./data/tallycat.duckdb}

# The catalog runs in its own session so that Ctrl-C, which the terminal
# sends to the whole foreground group, reaches it only through stop() below,
# after the ingest has delivered what it holds.
# Both send their own metrics to the ingest: TallyCat catalogs itself.
setsid ./bin/tallycat-catalog --db "$DB" --listen "${CATALOG_LISTEN:-:8080}" --telemetry-otlp-endpoint localhost:4317 &
catalog=$!
./bin/tallycat-ingest --catalog-url "${CATALOG_URL:-http://127.0.0.1:8080}" --telemetry-otlp-endpoint localhost:4317 &
ingest=$!
stop() {
  trap - INT TERM EXIT
  # The ingest first, so that it delivers what it holds to a catalog that is
  # still up.
  kill -TERM "$ingest" 2>/dev/null || true
  wait "$ingest" 2>/dev/null || true
  kill -TERM "$catalog" 2>/dev/null || true
  wait "$catalog" 2>/dev/null || true
}
# A requested stop is a clean one; if a service died on its own, its status
# is the script's.
trap 'stop; exit 0' INT TERM
trap stop EXIT
echo "TallyCat: UI and API on http://localhost:8080, OTLP on :4317 (gRPC) and :4318 (HTTP). Ctrl-C stops."
wait -n "$catalog" "$ingest"
