// End-to-end: consent gating. With consent required, nothing is stored in
// the browser and nothing is sent until relance('consent', {analytics: true});
// then the held events go, stamped with the consent, each once.

import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { closeBrowser, newContext, environment, exportEvents, missingPrerequisite, storedNumbers, until } from './support/runtime.mjs';

const skip = missingPrerequisite() || false;
after(closeBrowser);
const config = {
  version: 1, site: { id: 'e2e', name: 'e2e' },
  consent: { required: true, honor_gpc: true, pending: 'buffer', pending_limit: 50 },
  transport: { flush_ms: 200, batch_size: 20 },
};

test('consent required: nothing stored or sent before consent, held events released after', { skip }, async () => {
  const env = await environment({ config });
  try {
    const page = await env.browser.newPage();
    let posts = 0;
    page.on('request', (r) => { if (r.url().endsWith('/v1/events')) posts++; });
    await page.goto(`${env.collector.url}/runtime.html?early=3`);
    await page.waitForFunction(() => window.relance && window.relance.loaded === true, null, { timeout: 15000 });
    await page.waitForTimeout(1000);
    assert.equal(posts, 0, 'nothing sent before consent');
    const keys = await page.evaluate(() => Object.keys(localStorage));
    assert.deepEqual(keys, [], 'nothing stored before consent');
    await page.evaluate(() => relance('consent', { analytics: true, marketing: false }));
    await until(() => storedNumbers(env.db, 'custom.early').length >= 3, 'the held events');
    await page.waitForTimeout(500);
    assert.deepEqual(storedNumbers(env.db, 'custom.early'), [0, 1, 2]);
    const views = exportEvents(env.db, 'page_view');
    assert.equal(views.length, 1);
    assert.equal(views[0].consent.analytics, true);
  } finally {
    await env.close();
  }
});

test('consent refused: nothing is sent', { skip }, async () => {
  const env = await environment({ config });
  try {
    const page = await env.browser.newPage();
    let posts = 0;
    page.on('request', (r) => { if (r.url().endsWith('/v1/events')) posts++; });
    await page.goto(`${env.collector.url}/runtime.html?early=2`);
    await page.waitForFunction(() => window.relance && window.relance.loaded === true, null, { timeout: 15000 });
    await page.evaluate(() => { relance('consent', { analytics: false }); relance('track', 'custom.early', { n: 9 }); });
    await page.waitForTimeout(1200);
    assert.equal(posts, 0);
    assert.equal(exportEvents(env.db).length, 0);
  } finally {
    await env.close();
  }
});

test('Global Privacy Control: marketing consent is off for a GPC browser, on for another', { skip }, async () => {
  const env = await environment({ config: { ...config, consent: { required: false, honor_gpc: true } } });
  const other = await newContext();
  try {
    const gpcPage = await env.browser.newPage();
    await gpcPage.addInitScript(() => Object.defineProperty(Navigator.prototype, 'globalPrivacyControl', { get: () => true }));
    await gpcPage.goto(`${env.collector.url}/runtime.html?early=1`);
    const plain = await other.newPage();
    await plain.goto(`${env.collector.url}/runtime.html?early=1`);
    await until(() => exportEvents(env.db, 'page_view').length >= 2, 'both page views');
    const byMarketing = exportEvents(env.db, 'page_view').map((e) => e.consent && e.consent.marketing).sort();
    assert.deepEqual(byMarketing, [false, true]);
  } finally {
    await other.close();
    await env.close();
  }
});
