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
   * Has V8 compile the engine's code ahead of the first real calls, a part
   * per task: resolves once the warm-up's calls have run (see warmUp below),
   * with `pause()` awaited before each. `config` (the compiled configuration,
   * or a promise of it) is awaited before the calls that need an engine that
   * works; if it is missing or rejects, those are left out. Changes nothing;
   * never rejects.
   */
  warmUp(pause: () => Promise<void>, config?: unknown): Promise<void>;
}

/** Loads and starts the engine-only wasm; rejects if the wasm cannot be had. */
export async function load(options: LoadOptions = {}): Promise<EngineCore> {
  const m: EngineModule = await startGlue(createRelanceCore, async (imports) => {
    if (options.wasmBinary) return instantiateGiven(options.wasmBinary as WebAssembly.Module | BufferSource, imports);
    if (!options.wasmUrl) throw new Error('relance: the tag engine needs wasmUrl or wasmBinary');
    return instantiateFetched(String(options.wasmUrl), imports);
  });
  return { createEngine: (config: unknown) => createEngine(m, config), warmUp: (pause, config) => warmUp(m, pause, config) };
}

// V8 compiles a wasm function the first time it is called, on the main
// thread and whole (Liftoff, lazily). Left to the first real calls, start-up
// compiled about 60 KB of code in the tasks of createEngine, restore and the
// first page view: at 4x CPU throttle each such task came near or over 50 ms
// on a loaded machine (docs/design/performance.md, "Browser start-up",
// sessions 4 and 9). So the calls below run first, each in a task of its own,
// each compiling a part of what the real calls reach, on engines that are
// then deleted: nothing is kept, and the real engine answers exactly as it
// would have (tests/js/engine_only.test.mjs).
//
// The engine that works is made from the site's configuration without the
// sections of its modules (each left out when nothing is configured,
// core/config_loader.cc): it runs the generic part of restore and observe
// (sessions, events and their validation) at little cost, and leaves the real
// first page view only the code of the site's own rules.
const MODULES = ['personalization', 'offers', 'scoring', 'abandonment'];
const WARM_PAGE_VIEW = '{"type":"page_view","id":"w","context":{"page":{"url":"/","path":"/"}}}';

// Each call compiles a part first (traced, session 9: engineCreate('') alone
// compiled 96 functions in one task, the first page view 34). First on no
// engine (-1) and on `none`, an engine refused as not JSON; then on `warm`.
async function warmUp(m: EngineModule, pause: () => Promise<void>, config?: unknown): Promise<void> {
  let none = -1;
  let warm = -1;
  try {
    await pause();
    m.engineRestore(-1, '', 0); // engineRestore, Embind's strings, malloc: 35 functions
    await pause();
    none = m.engineCreate(''); // engineCreate, the parser, the serializer: 66
    await pause();
    m.engineObserve(none, '', 0); // engineObserve alone, 30 KB
    const c = await config;
    if (!c || typeof c !== 'object') return;
    const generic = { ...(c as Record<string, unknown>) };
    for (const k of MODULES) delete generic[k];
    await pause();
    warm = m.engineCreate(JSON.stringify(generic)); // the compiled form's loader
    await pause();
    m.engineRestore(warm, '', 0); // restoring a state
    await pause();
    m.engineObserve(warm, '{}', 0); // Engine::observe, the signal's checks
    await pause();
    m.engineObserve(warm, WARM_PAGE_VIEW, 0); // a page view: session, events, their validation
  } catch {
    // Only a warm-up: the real calls report their own failures.
  } finally {
    if (warm >= 0) m.engineDelete(warm);
    if (none >= 0) m.engineDelete(none);
  }
}
