#!/usr/bin/env bash
# Builds the browser tag (web/ -> build/tag), the npm runtime entry
# (js-bindings/dist/runtime.js) and assembles the static site (build/site).
set -euo pipefail
cd "$(dirname "$0")/../.."
# esbuild strips types without checking them: the runtime is type-checked here.
node node_modules/typescript/bin/tsc -p web/tsconfig.json
node web/build.mjs
