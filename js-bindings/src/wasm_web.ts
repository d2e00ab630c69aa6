// Instantiating the engine's wasm from what a browser can hand it: a compiled
// WebAssembly.Module, the bytes, or a URL to fetch. Shared by loader.ts (the
// npm package, which adds Node's file reading and the default location) and
// engine_only.ts (the browser tag, which always says where its wasm is and
// must not carry the Node parts). Nothing here runs at import time.

type Imports = WebAssembly.Imports;

/** An instance, and its module when known (Emscripten's glue keeps it). */
export type Instantiated = { instance: WebAssembly.Instance; module?: WebAssembly.Module };

/** Instantiates a compiled module or wasm bytes. */
export async function instantiateGiven(bin: WebAssembly.Module | BufferSource, imports: Imports): Promise<Instantiated> {
  if (bin instanceof WebAssembly.Module) return { instance: await WebAssembly.instantiate(bin, imports), module: bin };
  return WebAssembly.instantiate(bin, imports);
}

/**
 * Fetches `href` and instantiates it, compiling while it downloads when the
 * browser can; a server answering the wrong Content-Type still works (the
 * bytes are compiled instead). Rejects on an HTTP error, naming the URL.
 */
export async function instantiateFetched(href: string, imports: Imports): Promise<Instantiated> {
  const response = await fetch(href);
  if (!response.ok) throw new Error(`relance: could not fetch ${href} (HTTP ${response.status})`);
  if (typeof WebAssembly.instantiateStreaming === 'function') {
    try {
      return await WebAssembly.instantiateStreaming(response.clone(), imports);
    } catch (e) {
      if (!/mime|content-type/i.test(String(e))) throw e;
    }
  }
  return WebAssembly.instantiate(await response.arrayBuffer(), imports);
}

/**
 * Starts an Emscripten module (the glue's MODULARIZE factory), handing it the
 * instance that `instantiate` makes; rejects if that fails or if starting the
 * module throws (an Embind registration refused: the glue alone would leave
 * its promise pending in both cases).
 */
export async function startGlue<M>(
  factory: (module: Record<string, unknown>) => Promise<M>,
  instantiate: (imports: Imports) => Promise<Instantiated>,
): Promise<M> {
  let failed: (e: unknown) => void = () => {};
  const failure = new Promise<never>((_, reject) => {
    failed = reject;
  });
  const started = factory({
    instantiateWasm(imports: Imports, receive: (i: WebAssembly.Instance, m?: WebAssembly.Module) => void) {
      instantiate(imports).then((r) => receive(r.instance, r.module)).catch(failed);
      return {};
    },
  });
  return Promise.race([started, failure]);
}
