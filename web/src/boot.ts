// Boots the runtime once the engine and the configuration are in: applies
// consent and debug commands queued before loading, then the first page
// view, then every other queued command in order.

import { start, CoreLike, Instance } from './app';
import type { UiPort } from './runtime';

export interface BootOptions {
  window: Window;
  core: CoreLike;
  config: Record<string, unknown>;
  origin: string;
  ui?: UiPort;
  autoCapture?: boolean;
  queued: unknown[][];
}

const EARLY = new Set(['consent', 'debug']);

export function boot(o: BootOptions): Instance {
  const inst = start(o);
  const queued = o.queued.filter((c) => Array.isArray(c) || isArguments(c)).map((c) => Array.prototype.slice.call(c));
  // ?relance_debug=1 turns the explanations on; ?relance_preview=ID shows an
  // offer regardless of its targeting (the engine still knows it is a preview).
  let params: URLSearchParams | null = null;
  try { params = new URL(o.window.location.href).searchParams; } catch { /* no URL: no parameters */ }
  if (params && params.get('relance_debug') === '1') inst.command('debug', [true]);
  for (const c of queued) if (EARLY.has(c[0])) inst.command(c[0], c.slice(1));
  inst.firstPage();
  const preview = params && params.get('relance_preview');
  if (preview) inst.runtime.signal('show_offer', { offer_id: preview, preview: true });
  for (const c of queued) if (!EARLY.has(c[0])) inst.command(c[0], c.slice(1));
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
