// Both wasm builds of the engine, for the tests that compare them: the npm
// package's (relance-core.wasm, which compiles any site configuration) and
// the browser tag's (relance-tag.wasm, CMake target relance_tag), which loads
// only the compiled form that GET /v1/config serves.
import { readFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { load } from '../../js-bindings/dist/index.js';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const tagEntry = join(root, 'build', 'js-bindings', 'engine-only.js');
export const tagWasm = join(root, 'build', 'wasm', 'tag', 'relance-tag.wasm');

export const npmCore = await load();
export const { load: loadTagEngine } = await import(pathToFileURL(tagEntry).href);
export const tagCore = await loadTagEngine({ wasmBinary: readFileSync(tagWasm) });

/** `config` in the compiled form, made as the collector makes it (engine.config()). */
export function compiledForTag(config) {
  const source = npmCore.createEngine(config);
  try {
    return source.config();
  } finally {
    source.dispose();
  }
}
