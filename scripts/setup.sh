#!/usr/bin/env bash
# One-time set-up: dependencies, the TypeScript build, a Docker engine and the base image.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh
bash scripts/ensure-docker.sh
