// Helpers for the web runtime's unit tests: bundles a TypeScript module of
// web/src with esbuild and imports it, plus small fakes (storage, clock).

import { build } from 'esbuild';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

// Imports web/src/<name>.ts (bundled, so its relative imports resolve).
export async function importWeb(name) {
  const out = await build({
    entryPoints: [path.join(root, 'web/src', name + '.ts')],
    bundle: true, format: 'esm', platform: 'neutral', write: false, logLevel: 'silent',
    external: ['relance'],
  });
  const code = out.outputFiles[0].text;
  return import('data:text/javascript;base64,' + Buffer.from(code).toString('base64'));
}

// A Web Storage fake with an optional byte quota and failure switches.
export class FakeStorage {
  constructor({ quota = Infinity } = {}) {
    this.map = new Map();
    this.quota = quota;
    this.failAll = false;
  }
  get length() { return this.map.size; }
  key(i) { return [...this.map.keys()][i] ?? null; }
  getItem(k) { return this.map.has(k) ? this.map.get(k) : null; }
  setItem(k, v) {
    if (this.failAll) throw Object.assign(new Error('denied'), { name: 'SecurityError' });
    const used = [...this.map].reduce((n, [a, b]) => n + (a === k ? 0 : a.length + b.length), 0);
    if (used + k.length + String(v).length > this.quota) {
      throw Object.assign(new Error('full'), { name: 'QuotaExceededError', code: 22 });
    }
    this.map.set(k, String(v));
  }
  removeItem(k) { this.map.delete(k); }
}

// A manual clock with setTimeout/clearTimeout; run() fires due timers.
export class FakeClock {
  constructor(t = 1767225600000) { this.t = t; this.timers = new Map(); this.next = 1; }
  now = () => this.t;
  setTimeout = (f, ms) => { const id = this.next++; this.timers.set(id, { f, at: this.t + ms }); return id; };
  clearTimeout = (id) => { this.timers.delete(id); };
  pending() { return [...this.timers.values()].map((x) => x.at - this.t).sort((a, b) => a - b); }
  // Advances time by ms, firing timers in order; awaits microtasks between.
  async advance(ms) {
    const end = this.t + ms;
    for (;;) {
      const due = [...this.timers.entries()].filter(([, x]) => x.at <= end).sort((a, b) => a[1].at - b[1].at)[0];
      if (!due) break;
      this.timers.delete(due[0]);
      this.t = Math.max(this.t, due[1].at);
      due[1].f();
      await settle();
    }
    this.t = end;
    await settle();
  }
}

export async function settle() {
  for (let i = 0; i < 20; i++) await Promise.resolve();
  await new Promise((r) => setImmediate(r));
}

export function event(id, type = 'page_view', extra = {}) {
  return { id, type, ts: 1767225600000, anonymous_id: 'a1', properties: {}, ...extra };
}
