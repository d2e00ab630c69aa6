// The npm entry (createRelance): safe to import and call during server-side
// rendering (no window), and the built file exposes the same.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { importWeb } from './web_support.mjs';

const built = new URL('../../js-bindings/dist/runtime.js', import.meta.url);

async function checkInert(mod) {
  assert.equal(typeof globalThis.window, 'undefined');
  const r = mod.createRelance({ endpoint: 'https://shop.example' });
  for (const m of ['track', 'identify', 'consent', 'showOffer', 'page', 'debug', 'shutdown']) {
    assert.equal(typeof r[m], 'function', m);
  }
  r.track('add_to_cart', { product: { id: 'a' }, quantity: 1, price: 1, currency: 'EUR' });
  r.identify('u1');
  r.consent({ analytics: true });
  await r.ready;
  await r.flush();
  r.shutdown();
}

test('createRelance during SSR: importable without window, returns a do-nothing instance', async () => {
  await checkInert(await importWeb('npm'));
});

test('the built js-bindings/dist/runtime.js behaves the same', { skip: !fs.existsSync(built) && 'not built yet' }, async () => {
  const mod = await import(built.href);
  await checkInert(mod);
  const dts = fs.readFileSync(new URL('../../js-bindings/dist/runtime.d.ts', import.meta.url), 'utf8');
  assert.match(dts, /export declare function createRelance\(options: RelanceOptions\): Relance;/);
});
