// Boots the runtime once the engine and the configuration are in: compiles
// the configuration, restores the visitor state, applies consent and debug
// commands queued before loading, then the first page view, then every other
// queued command in order.
//
// Each of these steps can cost tens of milliseconds on a slow phone (the
// engine's code is compiled lazily on first use), so the tag and the npm entry
// pass `pause` (nextTask) to run them in separate tasks: none adds up to a
// long task with the others, and the decisions of the first page view still
// come as early as possible. The steps, one task each (their main-thread time
// at 4x CPU throttle is in docs/design/performance.md, "Session 9"): open
// localStorage; compile the configuration; assemble the runtime and restore
// the state; listen to the page; consent, debug and the first page view; the
// other queued commands.

import { assemble, CoreLike, Instance } from './app';
import { retryDelayMs } from './backoff';
import { STATE_KEY, UiPort } from './runtime';

export interface BootOptions {
  window: Window;
  core: CoreLike;
  config: Record<string, unknown>;
  origin: string;
  ui?: UiPort;
  autoCapture?: boolean;
  // The commands queued before loading (the caller's queue itself: commands
  // that arrive while booting are appended to it and replayed too).
  queued: unknown[][];
  // Called with the instance right after the last queued command is replayed,
  // before any other code runs: from then on the caller sends its calls to the
  // instance. (Set after boot() resolved instead, a call made in between, by a
  // page's MutationObserver reacting to a personalization, would join the
  // drained queue and be lost.)
  live?: (inst: Instance) => void;
}

const EARLY = new Set(['consent', 'debug']);
const noPause = () => Promise.resolve();

/** Boots; the returned instance has replayed every queued command, in order. */
export async function boot(o: BootOptions, pause: () => Promise<void> = noPause): Promise<Instance> {
  // A page's first use of localStorage opens it (a few ms, 10 at 4x): done
  // here, in a task of its own, by reading the state that restoring reads
  // anyway (a read, allowed before consent).
  try { o.window.localStorage.getItem(STATE_KEY); } catch { /* no storage: the runtime falls back to memory */ }
  await pause();
  const engine = o.core.createEngine(o.config);
  await pause();
  const started = assemble({ ...o, core: { createEngine: () => engine } });
  await pause();
  started.listen();
  await pause();
  const inst = started.instance;
  const queue = o.queued;
  const run = (c: unknown) => {
    if (!Array.isArray(c) && !isArguments(c)) return; // not a command: ignored
    const args = Array.prototype.slice.call(c) as unknown[];
    inst.command(String(args[0]), args.slice(1));
  };
  // ?relance_debug=1 turns the explanations on; ?relance_preview=ID shows an
  // offer regardless of its targeting (the engine still knows it is a preview).
  let params: URLSearchParams | null = null;
  try { params = new URL(o.window.location.href).searchParams; } catch { /* no URL: no parameters */ }
  if (params && params.get('relance_debug') === '1') inst.command('debug', [true]);
  // Consent and debug commands go before the first page view, taken out of the queue.
  const early = queue.filter((c) => (Array.isArray(c) || isArguments(c)) && EARLY.has((c as unknown[])[0] as string));
  for (const c of early) queue.splice(queue.indexOf(c), 1);
  early.forEach(run);
  inst.firstPage();
  const preview = params && params.get('relance_preview');
  if (preview) inst.runtime.signal('show_offer', { offer_id: preview, preview: true });
  await pause();
  while (queue.length) run(queue.shift());
  if (o.live) o.live(inst);
  return inst;
}

function isArguments(c: unknown): boolean {
  return Object.prototype.toString.call(c) === '[object Arguments]';
}

// GET /v1/config of the collector (public, cacheable).
export async function fetchConfig(w: Window, origin: string): Promise<Record<string, unknown>> {
  return readConfig(await w.fetch(origin + '/v1/config', { credentials: 'omit' }));
}

// The configuration in a /v1/config answer (the tag's own request or the
// one the snippet started).
export async function readConfig(res: Response): Promise<Record<string, unknown>> {
  if (!res.ok) throw new Error(`GET /v1/config answered HTTP ${res.status}`);
  return (await res.json()) as Record<string, unknown>;
}

/**
 * Calls `f` until it resolves, waiting between tries as the transport does
 * (1 s doubling, jittered, at most 60 s), and rejects with the last error after
 * `tries` (about four minutes). A collector restarting while a page loads must
 * not cost that page its events (a thank-you page's purchase): they wait in
 * the command queue until the configuration and the engine are in.
 */
export async function retrying<T>(
  f: () => Promise<T>,
  tries = 10,
  wait: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await f();
    } catch (e) {
      if (attempt + 1 >= tries) throw e;
    }
    await wait(retryDelayMs(attempt, null, Math.random, Date.now()));
  }
}
