#!/usr/bin/env bash
# Dependencies (npm ci when the lockfile moved), the TypeScript build, and the tools in .cache/.
# Shared by setup.sh and test.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then npm ci --no-audit --no-fund; fi
npm run -s build
bash scripts/install-tools.sh
