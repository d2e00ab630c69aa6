#!/usr/bin/env bash
# Builds the npm package js-bindings/ ("relance") around the wasm the CMake
# step left in js-bindings/dist (relance-core.js glue + relance-core.wasm):
#   dist/index.js   ESM, the glue bundled in (no separate .js glue to load)
#   dist/index.cjs  CommonJS, same
#   dist/*.d.ts     types (tsc --emitDeclarationOnly)
# and, for the browser tag (web/build.mjs), not part of the package:
#   build/js-bindings/engine-only.js   ESM, js-bindings/src/engine_only.ts with
#                                      the glue of build/wasm/tag/relance-tag.wasm
#                                      (as an ES module: web/tag_glue.mjs)
# The glue is a CommonJS/UMD script; the package is "type": "module", so it is
# copied to a .cjs name first, which esbuild then bundles as CommonJS.
set -euo pipefail
cd "$(dirname "$0")/../.."
PKG=js-bindings
DIST=$PKG/dist
WORK=build/js-bindings
[ -f "$DIST/relance-core.js" ] || { echo "10-js-bindings: $DIST/relance-core.js missing (wasm build failed?)"; exit 1; }
mkdir -p "$WORK"
cp "$DIST/relance-core.js" "$WORK/relance-core.cjs"

ESBUILD=node_modules/.bin/esbuild
common=(--bundle --minify --platform=neutral --target=es2020 --log-level=warning --legal-comments=none
        --alias:relance-core-glue="./$WORK/relance-core.cjs" --main-fields=module,main)
"$ESBUILD" "$PKG/src/index.ts" "${common[@]}" --format=esm --define:RELANCE_CJS=false --outfile="$DIST/index.js"
"$ESBUILD" "$PKG/src/index.ts" "${common[@]}" --format=cjs --define:RELANCE_CJS=true --outfile="$DIST/index.cjs" \
  --log-override:empty-import-meta=silent
node node_modules/typescript/bin/tsc -p "$PKG/tsconfig.json"
rm -f "$DIST/engine_only.d.ts"  # the tag's entry is not part of the package

TAG_GLUE=build/wasm/tag/relance-tag.js
[ -f "$TAG_GLUE" ] || { echo "10-js-bindings: $TAG_GLUE missing (wasm build failed?)"; exit 1; }
# As an ES module without the loader the tag never runs (web/tag_glue.mjs says what and why).
node web/tag_glue.mjs "$TAG_GLUE" "$WORK/relance-tag.mjs"
"$ESBUILD" "$PKG/src/engine_only.ts" --bundle --minify --platform=neutral --target=es2020 --log-level=warning \
  --legal-comments=none --alias:relance-core-glue="./$WORK/relance-tag.mjs" --format=esm --define:RELANCE_CJS=false \
  --outfile="$WORK/engine-only.js"

raw=$(wc -c <"$DIST/relance-core.wasm"); br=$(brotli -c "$DIST/relance-core.wasm" | wc -c)
js=$(wc -c <"$DIST/index.js"); jsbr=$(brotli -c "$DIST/index.js" | wc -c)
echo "10-js-bindings: relance-core.wasm ${raw} B (${br} B br), index.js ${js} B (${jsbr} B br)"
traw=$(wc -c <build/wasm/tag/relance-tag.wasm); tbr=$(brotli -c build/wasm/tag/relance-tag.wasm | wc -c)
echo "10-js-bindings: tag engine relance-tag.wasm ${traw} B (${tbr} B br)"
