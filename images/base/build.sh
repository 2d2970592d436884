#!/usr/bin/env bash
# Builds the gauntlet base image: Debian trixie, Python 3.13, git, ripgrep, unzip, pytest, strace (exec capture of unknown CLIs),
# socat (the gateway forwarder) and a passwordless-sudo user 1000.
# Offline path: debootstrap from Debian's archive + docker import. With
# GAUNTLET_BASE_FROM=debian:trixie-slim (e.g. on a GitHub runner) it builds from that image.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
tag=${1:-gauntlet-base:latest}
mirror=${GAUNTLET_DEBIAN_MIRROR:-http://deb.debian.org/debian}
pkgs=python3,python3-pip,python3-venv,python3-pytest,git,ripgrep,unzip,socat,ca-certificates,sudo,procps,curl,jq,strace
# Bump BASE_VERSION when the package list or the layout changes: ensure-docker rebuilds older bases.
BASE_VERSION=2
rootfs_tag=gauntlet-rootfs:trixie-v$BASE_VERSION
# A hosted GitHub runner can pull images but cannot debootstrap (not root): use the registry.
if [ -z "${GAUNTLET_BASE_FROM:-}" ] && [ "${GITHUB_ACTIONS:-}" = "true" ] && { [ "$(id -u)" != 0 ] || ! command -v debootstrap >/dev/null; }; then
  GAUNTLET_BASE_FROM=debian:trixie-slim
fi
if [ -n "${GAUNTLET_BASE_FROM:-}" ]; then
  from=$GAUNTLET_BASE_FROM
  apt_line="RUN apt-get update && apt-get install -y --no-install-recommends ${pkgs//,/ } && rm -rf /var/lib/apt/lists/*"
else
  from=$rootfs_tag
  apt_line=""
  if ! docker image inspect "$rootfs_tag" >/dev/null 2>&1; then
    tmp=$(mktemp -d)
    trap 'rm -rf "$tmp"' EXIT
    echo "[base] debootstrap trixie from $mirror (about a minute)" >&2
    debootstrap --variant=minbase --include="$pkgs" trixie "$tmp/rootfs" "$mirror" >&2
    rm -rf "$tmp/rootfs/var/cache/apt/archives/"*.deb "$tmp/rootfs/var/lib/apt/lists/"*
    tar -C "$tmp/rootfs" -c . | docker import - "$rootfs_tag" >&2
  fi
fi
ctx=$(mktemp -d)
cat > "$ctx/Dockerfile" <<DOCKERFILE
FROM $from
$apt_line
RUN (getent passwd 1000 && userdel -r \$(getent passwd 1000 | cut -d: -f1) || true) \
 && useradd -m -u 1000 -s /bin/bash user \
 && echo 'user ALL=(ALL) NOPASSWD:ALL' > /etc/sudoers.d/user && chmod 0440 /etc/sudoers.d/user \
 && mkdir -p /home/user/agent /home/user/workspace /gauntlet/run && chown -R user:user /home/user
ENV HOME=/home/user PYTHONUNBUFFERED=1 PIP_BREAK_SYSTEM_PACKAGES=1 PATH=/home/user/.local/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
LABEL gauntlet.base=$BASE_VERSION
USER user
WORKDIR /home/user
DOCKERFILE
docker build --network host -q -t "$tag" "$ctx" >&2
rm -rf "$ctx"
echo "$tag"
