#!/usr/bin/env bash
# Builds the browser tag (web/ -> build/tag), the npm runtime entry
# (js-bindings/dist/runtime.js) and assembles the static site (build/site).
set -euo pipefail
cd "$(dirname "$0")/../.."
node web/build.mjs
