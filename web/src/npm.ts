// The npm entry: `import { createRelance } from 'relance'`.
//
// Safe to import anywhere (nothing touches window at import time); during
// server-side rendering createRelance returns an instance that does nothing.
// Calls made before the engine is loaded are queued and replayed in order.
//
// The engine is the tag's: 'relance' here is js-bindings/src/engine_only.ts
// (web/tsconfig.json), built into the package as runtime-engine.js over
// relance-engine.wasm, the engine-only wasm built for size (web/build.mjs,
// scripts/build.d/10-js-bindings.sh). The package's load() and its
// relance-core.wasm (conditions, event validation) are not downloaded.

import type { Relance, RelanceOptions } from './api';
import type { Instance } from './app';
import { nextTask } from './yield';
import { tagUi } from './tag_ui';

export type {
  Relance, RelanceOptions, EventProperties, Product, LineItem, ConsentChoice, CustomEventType, Command,
} from './api';

// The script that evaluated this module, for the default wasm location of the
// CommonJS build (runtime.cjs), which has no import.meta: read now, as
// document.currentScript is only set while a classic script runs. Null in ES
// modules and on the server.
const loadingScript: string | null = typeof document !== 'undefined' && document.currentScript
  ? (document.currentScript as HTMLScriptElement).src || null : null;

// relance-engine.wasm next to this file: the package's dist/ when it is served
// as is, or next to the bundle that contains this file (copy the wasm there,
// or pass wasmUrl). Written literally so that bundlers that copy assets
// (webpack 5, Vite, Parcel) see it, as js-bindings' loader.ts does.
function defaultWasmUrl(): string {
  if (import.meta.url) return new URL('./relance-engine.wasm', import.meta.url).href;
  return new URL('./relance-engine.wasm', loadingScript || location.href).href;
}

export function createRelance(options: RelanceOptions): Relance {
  if (typeof window === 'undefined' || typeof document === 'undefined') return inert();
  const w = window;
  const pending: unknown[][] = [];
  let inst: Instance | null = null;
  let stopped = false;
  const origin = String(options.endpoint || '').replace(/\/+$/, '');

  const ready = (async () => {
    const [{ load }, { boot, fetchConfig, retrying }] = await Promise.all([import('relance'), import('./boot')]);
    // The UI as in the tag: personalizations now, the offer dialog (about a
    // third of the UI) imported the first time an offer shows. The build keeps
    // './npm_offer' a separate file (runtime-offer.js), so the site's bundler
    // can split it into a chunk of its own.
    const ui = options.ui === false ? undefined : tagUi(() => import('./npm_offer'));
    // As in the tag: the engine's code compiled a part per task (warmUp,
    // engine_only.ts), the last parts once the configuration is in.
    // What is fetched is fetched again with backoff, for about four minutes
    // (boot.ts, retrying), as in the tag: a collector restarting as the page
    // loads only delays the start, and the calls made meanwhile wait in
    // `pending` (a thank-you page's purchase). Given bytes are not retried.
    const configured = options.config ? Promise.resolve(options.config) : retrying(() => fetchConfig(w, origin));
    const engine = (options.wasmBinary ? load({ wasmBinary: options.wasmBinary })
      : retrying(() => load({ wasmUrl: options.wasmUrl || defaultWasmUrl() })))
      .then((c) => c.warmUp(nextTask, configured).then(() => c));
    const [core, config] = await Promise.all([engine, configured]);
    if (stopped) return;
    // Boots in steps, one task each (see boot.ts); calls made meanwhile join
    // `pending`, which boot() drains.
    await boot({
      window: w, core: core as never, config, origin, ui,
      autoCapture: options.autoCapture, queued: pending,
      live: (i) => { if (!stopped) inst = i; else i.shutdown(); },
    }, nextTask);
  })();
  ready.catch((e) => console.error('relance: could not start', e));

  const call = (...args: unknown[]) => {
    if (inst) inst.command(String(args[0]), args.slice(1));
    else pending.push(args);
  };
  return {
    track: (type: string, properties?: Record<string, unknown>) => call('track', type, properties),
    identify: (userId: string, traits?: Record<string, unknown>) => call('identify', userId, traits),
    consent: (choice) => call('consent', choice),
    showOffer: (offerId) => call('showOffer', offerId),
    page: () => call('page'),
    debug: (on) => call('debug', on),
    flush: async () => { await ready; if (inst) await inst.flush(); },
    ready,
    shutdown: () => { stopped = true; if (inst) inst.shutdown(); inst = null; },
  } as Relance;
}

function inert(): Relance {
  const nothing = () => undefined;
  return {
    track: nothing, identify: nothing, consent: nothing, showOffer: nothing, page: nothing, debug: nothing,
    flush: () => Promise.resolve(), ready: Promise.resolve(), shutdown: nothing,
  } as Relance;
}
