// The engine-only entry that the browser tag bundles (web/build.mjs; not part
// of the npm package's exports). Same load() as index.ts, over a smaller wasm:
// CMake's relance_tag target links only src/wasm/engine_bindings.cc and builds
// the core for size (-Oz), so conditions, events validation and their Embind
// classes are not downloaded by the tag. The build aliases 'relance-core-glue'
// to that wasm's glue (scripts/build.d/10-js-bindings.sh).
//
// The wasm is found here, not by loader.ts: the tag always says where its
// wasm is (a compiled module, bytes or a URL) and runs in browsers, so
// loader.ts's Node file reading and default URL would be carried unused.
import createRelanceCore from 'relance-core-glue';
import { createEngine, type EngineModule } from './engine.js';
import type { Engine, LoadOptions } from './types.js';

/** What the tag's engine-only core offers: the decision engine. */
export interface EngineCore {
  createEngine(config: unknown): Engine;
}

type Imports = WebAssembly.Imports;

/** Instantiates the engine's wasm given by `options` (a Module, bytes or a URL). */
async function instantiate(options: LoadOptions, imports: Imports): Promise<WebAssembly.Instance> {
  const bin = options.wasmBinary;
  if (bin instanceof WebAssembly.Module) return WebAssembly.instantiate(bin, imports);
  if (bin) return (await WebAssembly.instantiate(bin as BufferSource, imports)).instance;
  if (!options.wasmUrl) throw new Error('relance: the tag engine needs wasmUrl or wasmBinary');
  const href = String(options.wasmUrl);
  const response = await fetch(href);
  if (!response.ok) throw new Error(`relance: could not fetch ${href} (HTTP ${response.status})`);
  if (typeof WebAssembly.instantiateStreaming === 'function') {
    try {
      return (await WebAssembly.instantiateStreaming(response.clone(), imports)).instance;
    } catch (e) {
      // A server answering the wrong Content-Type: compile from the bytes instead.
      if (!/mime|content-type/i.test(String(e))) throw e;
    }
  }
  return (await WebAssembly.instantiate(await response.arrayBuffer(), imports)).instance;
}

/** Loads and starts the engine-only wasm; rejects if the wasm cannot be had. */
export async function load(options: LoadOptions = {}): Promise<EngineCore> {
  let failed: (e: unknown) => void = () => {};
  const failure = new Promise<never>((_, reject) => { failed = reject; });
  const started = createRelanceCore({
    instantiateWasm(imports: Imports, receive: (i: WebAssembly.Instance) => void) {
      instantiate(options, imports).then(receive, failed);
      return {};
    },
  });
  const m: EngineModule = await Promise.race([started, failure]);
  return { createEngine: (config: unknown) => createEngine(m, config) };
}
