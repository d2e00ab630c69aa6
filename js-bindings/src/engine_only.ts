// The engine-only entry that the browser tag bundles (web/build.mjs) and that
// the npm package's createRelance imports (dist/runtime-engine.js, over
// dist/relance-engine.wasm; not in the package's exports, nor its types).
// Same load() as index.ts, over a smaller wasm:
// CMake's relance_tag target links only src/wasm/engine_bindings.cc and builds
// the core for size (-Oz), so conditions, events validation and their Embind
// classes are not downloaded by the tag. The build aliases 'relance-core-glue'
// to that wasm's glue (scripts/build.d/10-js-bindings.sh).
//
// The wasm is found with wasm_web.ts, not loader.ts: the tag and
// createRelance (web/src/npm.ts) always say where the wasm is (a compiled
// module, bytes or a URL) and run in browsers, so loader.ts's Node file
// reading and default URL would be carried unused.
import createRelanceCore from 'relance-core-glue';
import { createEngine, type EngineModule } from './engine.js';
import type { Engine, LoadOptions } from './types.js';
import { instantiateFetched, instantiateGiven, startGlue } from './wasm_web.js';

/** What the tag's engine-only core offers: the decision engine. */
export interface EngineCore {
  createEngine(config: unknown): Engine;
  /**
   * Has V8 compile the engine's entry points ahead of the first real calls,
   * one per task: resolves once engineCreate, engineObserve and engineRestore
   * have each run once, with `pause()` awaited before each. Changes nothing
   * (see warmUp below); never rejects.
   */
  warmUp(pause: () => Promise<void>): Promise<void>;
}

/** Loads and starts the engine-only wasm; rejects if the wasm cannot be had. */
export async function load(options: LoadOptions = {}): Promise<EngineCore> {
  const m: EngineModule = await startGlue(createRelanceCore, async (imports) => {
    if (options.wasmBinary) return instantiateGiven(options.wasmBinary as WebAssembly.Module | BufferSource, imports);
    if (!options.wasmUrl) throw new Error('relance: the tag engine needs wasmUrl or wasmBinary');
    return instantiateFetched(String(options.wasmUrl), imports);
  });
  return { createEngine: (config: unknown) => createEngine(m, config), warmUp: (pause) => warmUp(m, pause) };
}

// V8 compiles a wasm function the first time it is called, on the main
// thread and whole. Each Embind entry point of engine_bindings.cc has most of
// its call inlined into it (engineObserve is about 36 KB of code, engineCreate
// 16 KB, engineRestore 4 KB: 40 to 60% of what start-up compiles), so the first
// createEngine and the first observe each paid for a large compilation in one
// task: at 4x CPU throttle, tasks of 50 ms and more on a site configuration
// with rules. Called here on an engine made from an empty text, which the
// engine refuses (not JSON), each entry point is compiled and returns at once
// ('{"errors":...}', nothing kept); the real calls then compile only what
// their own work reaches. Measured in docs/design/performance.md ("Browser
// start-up").
async function warmUp(m: EngineModule, pause: () => Promise<void>): Promise<void> {
  let h = -1;
  try {
    await pause();
    h = m.engineCreate('');
    await pause();
    m.engineObserve(h, '', 0);
    await pause();
    m.engineRestore(h, '', 0);
  } catch {
    // Only a warm-up: the real calls report their own failures.
  } finally {
    if (h >= 0) m.engineDelete(h);
  }
}
