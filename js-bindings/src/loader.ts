// Finds and instantiates relance-core.wasm in Node, browsers and bundlers.
// Nothing here runs at import time (SSR-safe: no `window`, no fetch).
import type { LoadOptions } from './types.js';
import { instantiateFetched, instantiateGiven, startGlue as startGlueWith, type Instantiated } from './wasm_web.js';

declare const RELANCE_CJS: boolean;  // set by the build: true in index.cjs
declare const __dirname: string;

type Imports = WebAssembly.Imports;

function isNode(): boolean {
  const p = (globalThis as { process?: { versions?: { node?: string } } }).process;
  return !!(p && p.versions && p.versions.node) && typeof (globalThis as { window?: unknown }).window === 'undefined';
}

// A variable specifier keeps bundlers from following Node built-ins into a browser build.
async function nodeImport(name: string): Promise<any> {
  return import(/* webpackIgnore: true */ /* @vite-ignore */ name);
}

// The .wasm next to this module. Written literally so bundlers (webpack 5,
// Vite, Parcel, esbuild with a file loader) see and copy the asset.
function defaultWasmUrl(): URL | string {
  if (RELANCE_CJS) return __dirname + '/relance-core.wasm';
  return new URL('./relance-core.wasm', import.meta.url);
}

async function readBytes(url: URL | string): Promise<BufferSource> {
  const href = typeof url === 'string' ? url : url.href;
  if (isNode() && !/^(https?|data|blob):/.test(href)) {
    const fs = await nodeImport('node:fs/promises');
    const target = typeof url === 'string' && !href.startsWith('file:') ? url : new URL(href);
    return new Uint8Array(await fs.readFile(target));
  }
  const response = await fetch(href);
  if (!response.ok) throw new Error(`relance: could not fetch ${href} (HTTP ${response.status})`);
  return response.arrayBuffer();
}

async function fromUrl(url: URL | string, imports: Imports): Promise<Instantiated> {
  const href = typeof url === 'string' ? url : url.href;
  // Node reads a local file itself; anything else is fetched (streaming when the browser can).
  const fetched = (!isNode() || /^https?:/.test(href)) && typeof fetch === 'function';
  if (fetched) return instantiateFetched(href, imports);
  return WebAssembly.instantiate(await readBytes(url), imports);
}

/** Instantiates the engine's wasm with the glue's imports, from the options or the default location. */
export async function instantiate(options: LoadOptions, imports: Imports): Promise<Instantiated> {
  if (options.wasmBinary) return instantiateGiven(options.wasmBinary as WebAssembly.Module | BufferSource, imports);
  return fromUrl(options.wasmUrl ?? defaultWasmUrl(), imports);
}

/**
 * Starts an Emscripten module (the glue's MODULARIZE factory), handing it the
 * wasm that instantiate() finds; rejects if the wasm cannot be had.
 */
export function startGlue<M>(factory: (module: Record<string, unknown>) => Promise<M>, options: LoadOptions): Promise<M> {
  return startGlueWith(factory, (imports) => instantiate(options, imports));
}
