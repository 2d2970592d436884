#!/usr/bin/env bash
# One-time set-up: dependencies, the TypeScript build, a Docker engine and the base image.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then npm ci --no-audit --no-fund; fi
npm run -s build
bash scripts/install-tools.sh
bash scripts/ensure-docker.sh
