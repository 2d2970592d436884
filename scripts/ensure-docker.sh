#!/usr/bin/env bash
# Makes sure a Docker engine answers and the gauntlet base image exists. On a machine without
# an engine (a fresh CI box) it installs Debian's docker.io and starts dockerd without a
# bridge: sandboxes run with --network none, so none is needed.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
log=${GAUNTLET_DOCKERD_LOG:-/tmp/gauntlet-dockerd.log}

if ! docker info >/dev/null 2>&1; then
  if ! command -v dockerd >/dev/null 2>&1; then
    if [ "$(id -u)" != 0 ]; then echo "ensure-docker: no Docker engine and not root; install Docker first" >&2; exit 1; fi
    echo "ensure-docker: installing docker.io from Debian's archive" >&2
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker.io >/dev/null
  fi
  if [ "$(id -u)" != 0 ]; then echo "ensure-docker: dockerd is installed but not running; start it (needs root)" >&2; exit 1; fi
  echo "ensure-docker: starting dockerd (log: $log)" >&2
  nohup dockerd --bridge=none --iptables=false >"$log" 2>&1 &
  for _ in $(seq 1 60); do docker info >/dev/null 2>&1 && break; sleep 1; done
  docker info >/dev/null 2>&1 || { echo "ensure-docker: dockerd did not come up; see $log" >&2; tail -20 "$log" >&2; exit 1; }
fi

want=$(sed -n 's/^BASE_VERSION=//p' "$here/images/base/build.sh")
have=$(docker image inspect -f '{{index .Config.Labels "gauntlet.base"}}' gauntlet-base:latest 2>/dev/null || true)
if [ -n "$have" ] && [ "$have" != "$want" ]; then
  echo "ensure-docker: gauntlet-base:latest is version $have, this checkout wants $want: rebuilding" >&2
  docker rmi gauntlet-base:latest >/dev/null 2>&1 || true
fi
if ! docker image inspect gauntlet-base:latest >/dev/null 2>&1; then
  if [ -z "${GAUNTLET_BASE_FROM:-}" ] && ! command -v debootstrap >/dev/null 2>&1; then
    echo "ensure-docker: installing debootstrap to build the base image offline" >&2
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null
  fi
  echo "ensure-docker: building gauntlet-base:latest (about a minute)" >&2
  bash "$here/images/base/build.sh" gauntlet-base:latest >/dev/null
fi
echo "ensure-docker: engine $(docker version --format '{{.Server.Version}}'), base image ready" >&2
