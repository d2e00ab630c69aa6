#!/usr/bin/env bash
# Builds the npm package js-bindings/ ("relance") around the wasm the CMake
# step left in js-bindings/dist (relance-core.js glue + relance-core.wasm):
#   dist/bindings.js  ESM, load() with the glue bundled in (no separate .js
#                     glue to load)
#   dist/index.js   ESM, the package's entry: re-exports bindings.js (and
#                   createRelance, added by web/build.mjs). A bundler drops
#                   bindings.js, glue and all, from an app that imports only
#                   createRelance ("sideEffects": false in package.json): the
#                   glue is code run at import, which it cannot drop by itself.
#   dist/index.cjs  CommonJS, load() and the glue (and createRelance)
#   dist/*.d.ts     types (tsc --emitDeclarationOnly)
# and the engine alone, which the browser tag and the package's createRelance
# run (the decision engine only, built for size: CMake target relance_tag):
#   build/js-bindings/engine-only.js   ESM, js-bindings/src/engine_only.ts with
#                                      the glue of build/wasm/tag/relance-tag.wasm
#                                      (as an ES module: web/tag_glue.mjs); the
#                                      tag bundles it (web/build.mjs)
#   dist/runtime-engine.js             the same file, in the package: the npm
#                                      runtime (dist/runtime.js) imports it
#   dist/runtime-engine.cjs            the same as CommonJS (dist/runtime.cjs)
#   dist/relance-engine.wasm           build/wasm/tag/relance-tag.wasm, the
#                                      wasm both of them load
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
"$ESBUILD" "$PKG/src/index.ts" "${common[@]}" --format=esm --define:RELANCE_CJS=false --outfile="$DIST/bindings.js"
echo "export*from'./bindings.js';" >"$DIST/index.js"
"$ESBUILD" "$PKG/src/index.ts" "${common[@]}" --format=cjs --define:RELANCE_CJS=true --outfile="$DIST/index.cjs" \
  --log-override:empty-import-meta=silent
node node_modules/typescript/bin/tsc -p "$PKG/tsconfig.json"
rm -f "$DIST/engine_only.d.ts"  # shipped only as runtime-engine.js, which the runtime imports (no public types)

TAG_GLUE=build/wasm/tag/relance-tag.js
[ -f "$TAG_GLUE" ] || { echo "10-js-bindings: $TAG_GLUE missing (wasm build failed?)"; exit 1; }
# As an ES module without the loader the tag never runs (web/tag_glue.mjs says what and why).
node web/tag_glue.mjs "$TAG_GLUE" "$WORK/relance-tag.mjs"
"$ESBUILD" "$PKG/src/engine_only.ts" --bundle --minify --platform=neutral --target=es2020 --log-level=warning \
  --legal-comments=none --alias:relance-core-glue="./$WORK/relance-tag.mjs" --format=esm --define:RELANCE_CJS=false \
  --outfile="$WORK/engine-only.js"
# The npm runtime's engine: the same bundle and the same wasm, copied into the
# package (not built again), and the CommonJS form for require('relance').
cp "$WORK/engine-only.js" "$DIST/runtime-engine.js"
"$ESBUILD" "$PKG/src/engine_only.ts" --bundle --minify --platform=neutral --target=es2020 --log-level=warning \
  --legal-comments=none --alias:relance-core-glue="./$WORK/relance-tag.mjs" --format=cjs \
  --outfile="$DIST/runtime-engine.cjs"
cp build/wasm/tag/relance-tag.wasm "$DIST/relance-engine.wasm"

raw=$(wc -c <"$DIST/relance-core.wasm"); br=$(brotli -c "$DIST/relance-core.wasm" | wc -c)
js=$(wc -c <"$DIST/bindings.js"); jsbr=$(brotli -c "$DIST/bindings.js" | wc -c)
echo "10-js-bindings: relance-core.wasm ${raw} B (${br} B br), bindings.js ${js} B (${jsbr} B br)"
traw=$(wc -c <build/wasm/tag/relance-tag.wasm); tbr=$(brotli -c build/wasm/tag/relance-tag.wasm | wc -c)
echo "10-js-bindings: tag engine relance-tag.wasm ${traw} B (${tbr} B br)"
