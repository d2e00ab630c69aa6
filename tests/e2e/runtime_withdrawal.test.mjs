// End-to-end: consent withdrawn, all the way to the collector's cookie. The
// visitor grants analytics consent (events go, the collector sets rl_id),
// then withdraws it: the collector's answer to POST /v1/forget removes the
// HttpOnly cookie from Chromium's cookie jar, nothing captured afterwards is
// sent, and localStorage holds what the `queued` policy allows (docs/api.md,
// "consent"). Before consent, nothing at all is written to localStorage.

import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { closeBrowser, environment, exportEvents, missingPrerequisite, until } from './support/runtime.mjs';

const skip = missingPrerequisite() || false;
after(closeBrowser);
const config = {
  version: 1, site: { id: 'e2e', name: 'e2e' },
  consent: { required: true, honor_gpc: true, pending: 'buffer', pending_limit: 50 },
  // Long enough for events to be still queued when the withdrawal comes.
  transport: { flush_ms: 1500, batch_size: 20 },
};

// Opens the test page, recording every write to localStorage and every
// request to the collector's API (with the event types it carried).
async function open(env) {
  const page = await env.browser.newPage();
  await page.addInitScript(() => {
    window.__writes = [];
    const set = Storage.prototype.setItem;
    const remove = Storage.prototype.removeItem;
    Storage.prototype.setItem = function (k, v) { window.__writes.push(['set', k]); return set.call(this, k, v); };
    Storage.prototype.removeItem = function (k) {
      if (this.getItem(k) !== null) window.__writes.push(['remove', k]); // removing nothing writes nothing
      return remove.call(this, k);
    };
  });
  const requests = [];
  page.on('request', (r) => {
    const url = new URL(r.url());
    if (r.method() !== 'POST' || !url.pathname.startsWith('/v1/')) return;
    let types = [];
    try { types = JSON.parse(r.postData() || '{}').events?.map((e) => e.type) || []; } catch { /* not JSON */ }
    requests.push({ path: url.pathname, types });
  });
  await page.goto(`${env.collector.url}/runtime.html`);
  await page.waitForFunction(() => window.relance && window.relance.loaded === true, null, { timeout: 15000 });
  return { page, requests };
}

const rlId = async (env) => (await env.browser.cookies()).find((c) => c.name === 'rl_id');
const keys = (page) => page.evaluate(() => Object.keys(localStorage).sort());

test('withdrawal: the rl_id cookie leaves the browser, events queued before are sent, nothing after', { skip }, async () => {
  const env = await environment({ config });
  try {
    const { page, requests } = await open(env);
    await page.waitForTimeout(500);
    assert.deepEqual(await page.evaluate(() => window.__writes), [], 'not one write to localStorage before consent');
    assert.equal(await rlId(env), undefined);

    await page.evaluate(() => relance('consent', { analytics: true }));
    await until(() => exportEvents(env.db, 'page_view').length === 1, 'the page view after the grant');
    const cookie = await until(() => rlId(env), 'the rl_id cookie');
    assert.ok(cookie.httpOnly);
    const linked = exportEvents(env.db, 'page_view')[0].server.rl_id;
    assert.equal(linked, cookie.value, 'the grant\'s events carry the cookie');

    // Two events still queued (flush_ms) when the visitor withdraws.
    await page.evaluate(() => {
      relance('track', 'custom.before', { n: 1 });
      relance('track', 'custom.before', { n: 2 });
      relance('consent', { analytics: false });
      relance('track', 'custom.after', { n: 3 });
      relance('page');
    });
    const sentAt = requests.length;
    await until(() => exportEvents(env.db, 'custom.before').length === 2, 'the events captured with consent');
    await until(async () => (await rlId(env)) === undefined, 'the cookie cleared by the collector');
    await page.waitForTimeout(2500); // two flush delays: anything else would have gone by now

    assert.equal(requests.filter((r) => r.path === '/v1/forget').length, 1, 'the collector is asked once');
    const after = requests.slice(sentAt).filter((r) => r.path === '/v1/events').flatMap((r) => r.types);
    assert.deepEqual(after, ['custom.before', 'custom.before'], 'only what was captured before the withdrawal');
    assert.equal(exportEvents(env.db, 'custom.after').length, 0);
    assert.equal(exportEvents(env.db, 'page_view').length, 1);
    for (const e of exportEvents(env.db, 'custom.before')) {
      assert.equal(e.consent.analytics, true);
      assert.notEqual(e.server.rl_id, linked, 'sent without the cookie');
    }
    assert.equal(await rlId(env), undefined, 'and no answer set it again');
    assert.deepEqual(await keys(page), [], 'queue sent, no state kept (consent required and withdrawn)');

    await page.reload();
    await page.waitForFunction(() => window.relance && window.relance.loaded === true, null, { timeout: 15000 });
    await page.waitForTimeout(500);
    assert.deepEqual(await keys(page), [], 'the next page stores nothing either');
    assert.equal(await rlId(env), undefined);
  } finally {
    await env.close();
  }
});

test('withdrawal with queued "drop": the waiting events leave localStorage and are never sent', { skip }, async () => {
  const env = await environment({ config });
  try {
    const { page, requests } = await open(env);
    await page.evaluate(() => relance('consent', { analytics: true }));
    await until(() => exportEvents(env.db, 'page_view').length === 1, 'the page view after the grant');
    await until(() => rlId(env), 'the rl_id cookie');
    const left = await page.evaluate(() => {
      relance('track', 'custom.before', { n: 1 });
      const queued = Object.keys(localStorage).filter((k) => k.startsWith('rl:q:')).length;
      relance('consent', { analytics: false, queued: 'drop' });
      return { queued, after: Object.keys(localStorage) };
    });
    assert.equal(left.queued, 1);
    assert.deepEqual(left.after, [], 'nothing left at once');
    await until(async () => (await rlId(env)) === undefined, 'the cookie cleared by the collector');
    await page.waitForTimeout(2500);
    assert.equal(exportEvents(env.db, 'custom.before').length, 0);
    assert.deepEqual(requests.filter((r) => r.path === '/v1/events').flatMap((r) => r.types), ['page_view']);
  } finally {
    await env.close();
  }
});

test('a withdrawal while the collector is down is told once it is back', { skip }, async () => {
  const env = await environment({ config });
  try {
    const { page } = await open(env);
    await page.evaluate(() => relance('consent', { analytics: true }));
    await until(() => rlId(env), 'the rl_id cookie');
    await env.collector.stop();
    await page.evaluate(() => relance('consent', { analytics: false }));
    await page.waitForTimeout(300);
    assert.ok(await rlId(env), 'nobody to clear it yet');
    await env.start();
    await until(async () => (await rlId(env)) === undefined, 'the cookie cleared after a retry', 30000);
  } finally {
    await env.close();
  }
});
