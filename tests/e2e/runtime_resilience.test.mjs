// End-to-end: the runtime never loses an event and never makes two ids for
// one: offline then online, a collector answering 503 for a while, a reload
// in the middle of sending, two tabs, a collector killed and restarted. Each
// test checks the store holds exactly the events the page made, each once.

import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { closeBrowser, environment, exportEvents, missingPrerequisite, storedNumbers, until } from './support/runtime.mjs';

const skip = missingPrerequisite() || false;
after(closeBrowser);
const config = { version: 1, site: { id: 'e2e', name: 'e2e' }, transport: { flush_ms: 200, batch_size: 5 } };
const range = (a, b) => Array.from({ length: b - a }, (_, i) => a + i);

async function open(env, context) {
  const page = await (context || env.browser).newPage();
  await page.goto(`${env.collector.url}/runtime.html`);
  await page.waitForFunction(() => window.relance && window.relance.loaded === true, null, { timeout: 15000 });
  return page;
}

const track = (page, from, to, type = 'custom.step') =>
  page.evaluate(([a, b, t]) => { for (let i = a; i < b; i++) relance('track', t, { n: i }); }, [from, to, type]);

test('offline then online: everything arrives once', { skip }, async () => {
  const env = await environment({ config });
  try {
    const context = env.browser;
    const page = await open(env, context);
    await context.setOffline(true);
    await track(page, 0, 12);
    await page.waitForTimeout(1500);
    assert.deepEqual(storedNumbers(env.db, 'custom.step'), [], 'nothing can arrive while offline');
    const queued = await page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('rl:q:')).length);
    assert.ok(queued >= 12, `the queue is persisted (${queued})`);
    await context.setOffline(false);
    await until(() => storedNumbers(env.db, 'custom.step').length >= 12, 'delivery after going online', 30000);
    await page.waitForTimeout(500);
    assert.deepEqual(storedNumbers(env.db, 'custom.step'), range(0, 12));
  } finally {
    await env.close();
  }
});

test('a collector answering 503 for a while: retried with backoff, delivered once', { skip }, async () => {
  const env = await environment({ config });
  try {
    const page = await open(env);
    let failures = 0;
    await page.route('**/v1/events', async (route) => {
      if (failures < 3) {
        failures++;
        await route.fulfill({ status: 503, headers: { 'retry-after': '1' }, body: '{"error":"busy"}' });
      } else {
        await route.continue();
      }
    });
    await track(page, 0, 7);
    await until(() => storedNumbers(env.db, 'custom.step').length >= 7, 'delivery after the 503s', 40000);
    assert.equal(failures, 3);
    await page.waitForTimeout(500);
    assert.deepEqual(storedNumbers(env.db, 'custom.step'), range(0, 7));
  } finally {
    await env.close();
  }
});

test('a reload in the middle of sending: the next page sends the rest, nothing twice', { skip }, async () => {
  const env = await environment({ config });
  try {
    const page = await open(env);
    // Hold every send for a while so the reload happens with requests in flight.
    await page.route('**/v1/events', async (route) => { await new Promise((r) => setTimeout(r, 700)); await route.continue().catch(() => {}); });
    await track(page, 0, 15);
    await page.waitForTimeout(300);
    await page.unroute('**/v1/events');
    await page.reload();
    await page.waitForFunction(() => window.relance && window.relance.loaded === true, null, { timeout: 15000 });
    await until(() => storedNumbers(env.db, 'custom.step').length >= 15, 'all steps', 30000);
    await page.waitForTimeout(800);
    assert.deepEqual(storedNumbers(env.db, 'custom.step'), range(0, 15));
    assert.equal(exportEvents(env.db, 'page_view').length, 2, 'one page view per load');
  } finally {
    await env.close();
  }
});

test('two tabs at once: every event of both arrives once', { skip }, async () => {
  const env = await environment({ config });
  try {
    const context = env.browser;
    const a = await open(env, context);
    const b = await open(env, context);
    await Promise.all([track(a, 0, 10), track(b, 100, 110)]);
    await until(() => storedNumbers(env.db, 'custom.step').length >= 20, 'both tabs', 30000);
    await a.waitForTimeout(800);
    assert.deepEqual(storedNumbers(env.db, 'custom.step'), [...range(0, 10), ...range(100, 110)]);
  } finally {
    await env.close();
  }
});

test('a collector killed and restarted: nothing lost, nothing twice', { skip }, async () => {
  const env = await environment({ config });
  try {
    const page = await open(env);
    await track(page, 0, 5);
    await until(() => storedNumbers(env.db, 'custom.step').length >= 5, 'the first events');
    await env.collector.kill();
    await track(page, 5, 12);
    await page.waitForTimeout(1500);
    await env.start();
    await until(() => storedNumbers(env.db, 'custom.step').length >= 12, 'delivery after the restart', 60000);
    await page.waitForTimeout(500);
    assert.deepEqual(storedNumbers(env.db, 'custom.step'), range(0, 12));
  } finally {
    await env.close();
  }
});
