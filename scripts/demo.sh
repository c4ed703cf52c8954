#!/usr/bin/env bash
# `make demo`: the stack of `make run` on a fresh in-memory catalog, and the
# demo fleet sending to it. Ctrl-C stops the fleet, then the stack.
set -euo pipefail
cd "$(dirname "$0")/.."
DB=:memory: bash scripts/run.sh &
stack=$!
demo=
stop() {
  trap - INT TERM EXIT
  [ -n "$demo" ] && { kill -TERM "$demo" 2>/dev/null || true; wait "$demo" 2>/dev/null || true; }
  kill -TERM "$stack" 2>/dev/null || true
  wait "$stack" 2>/dev/null || true
}
trap stop INT TERM EXIT
for _ in $(seq 100); do
  (exec 3<>/dev/tcp/127.0.0.1/4317) 2>/dev/null && break
  sleep 0.1
done
echo "Demo fleet sending to :4317; open http://localhost:8080 (cart is upgraded after 30 s)."
./bin/tallycat-demo --endpoint localhost:4317 &
demo=$!
wait "$demo"
