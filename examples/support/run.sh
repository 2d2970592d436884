#!/usr/bin/env bash
# Runs the support example end to end: starts the carrier's tracking endpoint (the passthrough
# tool's binding) on loopback, runs the suite, stops the endpoint. Extra arguments go to
# `gauntlet run` (e.g. --task refund). Offline: the scripted model plays every part.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
export SHIPPING_PORT="${SHIPPING_PORT:-8931}"
export SHIPPING_TOKEN="${SHIPPING_TOKEN:-dev-token}"
# The tool's endpoint header reads this secret; it stays on the host, never in the sandbox.
export SHIPPING_AUTH="Bearer $SHIPPING_TOKEN"
node "$here/shipping/server.mjs" &
shipping=$!
trap 'kill $shipping 2>/dev/null || true' EXIT
for _ in $(seq 1 50); do
  curl -sf "http://127.0.0.1:$SHIPPING_PORT/health" >/dev/null && break
  sleep 0.1
done
node "$repo/bin/gauntlet.js" run "$here" "$@"
