// The script tag (built to relance.<hash>.js): added by the snippet once the
// page has loaded. Takes over `window.relance`, starts the engine (the .wasm
// next to this file) with the site configuration, then replays the commands
// queued by the snippet and captures the page. The offer dialog is in a chunk
// next to this file too, loaded when an offer first shows (tag_ui.ts).
//
// The snippet has usually started the configuration's download and the
// engine's compilation already (`relance.p`, see web/snippet/snippet.js):
// those are picked up here, and fetched again only if they failed.

import { load } from 'relance';
import { boot, fetchConfig, readConfig, retrying } from './boot';
import { nextTask } from './yield';
import { loadOfferScript, tagUi } from './tag_ui';
import type { Instance } from './app';

declare const __RELANCE_WASM__: string;
declare const __RELANCE_OFFER_UI__: string;

// What the snippet started (all optional: an older snippet starts nothing).
interface Early {
  wasmUrl?: string;
  config?: Promise<Response>;
  wasm?: Promise<WebAssembly.Module>;
}

type Queue = ((...a: unknown[]) => void) & { q?: unknown[][]; p?: Early; loaded?: boolean };

(() => {
  const w = window as unknown as Window & { relance?: Queue; __relanceTag?: boolean };
  if (w.__relanceTag) return; // loaded twice
  w.__relanceTag = true;
  const script = document.currentScript as HTMLScriptElement | null;
  // The collector's base URL: where this tag is, the file name taken off. Its
  // origin alone would lose the path prefix of a reverse proxy
  // (https://shop.example/s/relance.<hash>.js: the configuration and the
  // events are under /s/ too, docs/collector.md).
  const src = script && script.src ? script.src : location.href;
  const base = script && script.src ? new URL('.', src).href.replace(/\/$/, '') : new URL(src).origin;
  const wasmUrl = new URL(__RELANCE_WASM__, src).href;
  const offerUrl = new URL(__RELANCE_OFFER_UI__, src).href;
  const early: Early = (w.relance && w.relance.p) || {};

  const snippet = w.relance;
  const pending: unknown[][] = (snippet && Array.isArray(snippet.q)) ? snippet.q.slice() : [];
  let inst: Instance | null = null;
  const relance = function (...args: unknown[]) {
    if (inst) inst.command(String(args[0]), args.slice(1));
    else pending.push(args);
  } as Queue;
  relance.q = pending;
  w.relance = relance;
  // Page code that kept the snippet's function (`const r = window.relance` in
  // a script that ran before this tag) still calls it; it pushes to its own
  // queue (`r.q.push(arguments)`), which nothing reads any more: forwarded.
  if (snippet && Array.isArray(snippet.q)) {
    snippet.q = { push: (a: ArrayLike<unknown>) => relance(...Array.prototype.slice.call(a)) } as unknown as unknown[][];
  }

  // Fetched again with backoff, for about four minutes (boot.ts, retrying): a
  // collector that is restarting as the page loads only delays the start.
  const getConfig = () => retrying(() => fetchConfig(w, base));
  const config = early.config ? early.config.then(readConfig).catch(getConfig) : getConfig();
  // The engine compiled by the snippet if it is this tag's engine, else (or
  // if that failed) fetched and compiled here. Instantiated in a task of its
  // own, after this script's evaluation; then its code is compiled a part per
  // task (warmUp, js-bindings engine_only.ts), the last parts once the
  // configuration is in, so that the first calls of boot() compile little.
  const sameEngine = !!early.wasm && !!early.wasmUrl && new URL(early.wasmUrl, location.href).href === wasmUrl;
  const core = nextTask()
    .then(() => (sameEngine ? early.wasm! : Promise.reject(new Error('not started'))))
    .then((module) => load({ wasmBinary: module }), () => retrying(() => load({ wasmUrl })))
    .then((c) => c.warmUp(nextTask, config).then(() => c));

  // Then each step of booting in its own task (see boot.ts). Commands made
  // meanwhile join `pending`, which boot() drains.
  Promise.all([core, config]).then(async ([c, conf]) => {
    await nextTask();
    await boot({
      window: w, core: c as never, config: conf, origin: base, ui: tagUi(() => loadOfferScript(offerUrl)), queued: pending,
      live: (started) => { inst = started; },
    }, nextTask);
    relance.loaded = true;
    w.dispatchEvent(new Event('relance:ready'));
  }).catch((e) => {
    console.error('relance: could not start', e);
  });
})();
