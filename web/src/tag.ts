// The script tag (built to relance.<hash>.js): loaded by the snippet from the
// collector's origin. Takes over `window.relance`, loads the engine (the .wasm
// next to this file) and the site configuration, then replays the commands
// queued by the snippet and captures the page.

import { load } from 'relance';
import * as ui from './ui/index';
import { boot, fetchConfig } from './boot';
import type { Instance } from './app';
import type { UiPort } from './runtime';

declare const __RELANCE_WASM__: string;

(() => {
  const w = window as unknown as Window & { relance?: { q?: unknown[][]; (...a: unknown[]): void } };
  if ((w as unknown as { __relanceTag?: boolean }).__relanceTag) return; // loaded twice
  (w as unknown as { __relanceTag?: boolean }).__relanceTag = true;
  const script = document.currentScript as HTMLScriptElement | null;
  const src = script && script.src ? script.src : location.href;
  const origin = new URL(src).origin;
  const wasmUrl = new URL(__RELANCE_WASM__, src).href;

  const pending: unknown[][] = (w.relance && Array.isArray(w.relance.q)) ? w.relance.q.slice() : [];
  let inst: Instance | null = null;
  const relance = function (...args: unknown[]) {
    if (inst) inst.command(String(args[0]), args.slice(1));
    else pending.push(args);
  } as ((...a: unknown[]) => void) & { q?: unknown[][]; loaded?: boolean };
  relance.q = pending;
  w.relance = relance;

  Promise.all([load({ wasmUrl }), fetchConfig(w, origin)]).then(([core, config]) => {
    inst = boot({
      window: w, core: core as never, config, origin, ui: ui as unknown as UiPort, queued: pending.splice(0),
    });
    relance.loaded = true;
    w.dispatchEvent(new Event('relance:ready'));
  }).catch((e) => {
    console.error('relance: could not start', e);
  });
})();
