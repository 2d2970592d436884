#!/usr/bin/env bash
# Builds action/dist from the tsc output in build/ (`npm run package` builds first), bundled by ncc
# into one ESM file (main and post share it).
# Some bundled CommonJS (ssh2, via dockerode's modem) reads __dirname, which ESM lacks; the
# bundle gets both names defined at its top.
# The built viewer (viewer/dist, committed) is copied beside the bundle as action/dist/viewer/:
# core/src/viewer/assets.ts looks there first, and the Action writes it into the results branch.
set -euo pipefail
cd "$(dirname "$0")/.."
rm -rf action/dist
npx ncc build build/action/src/index.js -o action/dist --license licenses.txt -q
shim="import { fileURLToPath as __gFileURLToPath } from 'node:url'; import { dirname as __gDirname } from 'node:path'; const __filename = __gFileURLToPath(import.meta.url); const __dirname = __gDirname(__filename);"
{ echo "$shim"; cat action/dist/index.js; } > action/dist/index.js.tmp && mv action/dist/index.js.tmp action/dist/index.js
mkdir -p action/dist/viewer
cp viewer/dist/index.html viewer/dist/viewer.js viewer/dist/viewer.css viewer/dist/.nojekyll action/dist/viewer/
