// relance: the Relance engine (WebAssembly) for browsers, bundlers and Node.
//
//   import { load } from 'relance';
//   const core = await load();
//   core.evaluateCondition({ 'visitor.score': { $gte: 30 } }, { visitor: { score: 42 } });  // true
//
// See docs/bindings.md. Importing this module does nothing by itself: the
// wasm is fetched or read by load(), never at import time.
import createRelanceCore from 'relance-core-glue';
import { wrapModule } from './core.js';
import { startGlue } from './loader.js';
import type { LoadOptions, RelanceCore } from './types.js';

export * from './types.js';
export { RelanceError } from './errors.js';
export { finalized as finalizedHandleCount } from './handles.js';

/** Loads and starts the engine. Each call makes a fresh, independent instance. */
export async function load(options: LoadOptions = {}): Promise<RelanceCore> {
  return wrapModule(await startGlue(createRelanceCore, options));
}
