// The engine-only entry that the browser tag bundles (web/build.mjs; not part
// of the npm package's exports). Same load() as index.ts, over a smaller wasm:
// CMake's relance_tag target links only src/wasm/engine_bindings.cc and builds
// the core for size (-Oz), so conditions, events validation and their Embind
// classes are not downloaded by the tag. The build aliases 'relance-core-glue'
// to that wasm's glue (scripts/build.d/10-js-bindings.sh).
//
// The wasm is found with wasm_web.ts, not loader.ts: the tag always says
// where its wasm is (a compiled module, bytes or a URL) and runs in browsers,
// so loader.ts's Node file reading and default URL would be carried unused.
import createRelanceCore from 'relance-core-glue';
import { createEngine, type EngineModule } from './engine.js';
import type { Engine, LoadOptions } from './types.js';
import { instantiateFetched, instantiateGiven, startGlue } from './wasm_web.js';

/** What the tag's engine-only core offers: the decision engine. */
export interface EngineCore {
  createEngine(config: unknown): Engine;
}

/** Loads and starts the engine-only wasm; rejects if the wasm cannot be had. */
export async function load(options: LoadOptions = {}): Promise<EngineCore> {
  const m: EngineModule = await startGlue(createRelanceCore, async (imports) => {
    if (options.wasmBinary) return instantiateGiven(options.wasmBinary as WebAssembly.Module | BufferSource, imports);
    if (!options.wasmUrl) throw new Error('relance: the tag engine needs wasmUrl or wasmBinary');
    return instantiateFetched(String(options.wasmUrl), imports);
  });
  return { createEngine: (config: unknown) => createEngine(m, config) };
}
