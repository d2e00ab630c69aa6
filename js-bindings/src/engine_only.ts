// The engine-only entry that the browser tag bundles (web/build.mjs; not part
// of the npm package's exports). Same load() as index.ts, over a smaller wasm:
// CMake's relance_tag target links only src/wasm/engine_bindings.cc and builds
// the core for size (-Oz), so conditions, events validation and their Embind
// classes are not downloaded by the tag. The build aliases 'relance-core-glue'
// to that wasm's glue (scripts/build.d/10-js-bindings.sh).
import createRelanceCore from 'relance-core-glue';
import { createEngine, type EngineModule } from './engine.js';
import { startGlue } from './loader.js';
import type { Engine, LoadOptions } from './types.js';

/** What the tag's engine-only core offers: the decision engine. */
export interface EngineCore {
  createEngine(config: unknown): Engine;
}

/** Loads and starts the engine-only wasm. */
export async function load(options: LoadOptions = {}): Promise<EngineCore> {
  const m: EngineModule = await startGlue(createRelanceCore, options);
  return { createEngine: (config: unknown) => createEngine(m, config) };
}
