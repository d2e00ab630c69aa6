// End-to-end: the snippet's queue before load and SPA navigations, in
// headless Chromium against the real collector; the store must end with
// exactly the events the page made, each once.

import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { closeBrowser, environment, exportEvents, missingPrerequisite, storedNumbers, until } from './support/runtime.mjs';

const skip = missingPrerequisite() || false;
after(closeBrowser);
const config = { version: 1, site: { id: 'e2e', name: 'e2e' }, transport: { flush_ms: 200, batch_size: 20 } };

async function ready(page) {
  await page.waitForFunction(() => window.relance && window.relance.loaded === true, null, { timeout: 15000 });
}

test('commands queued before the tag loads arrive once each, after the page view', { skip }, async () => {
  const env = await environment({ config });
  try {
    const page = await env.browser.newPage();
    await page.goto(`${env.collector.url}/runtime.html?early=5`);
    await ready(page);
    await page.evaluate(() => { for (let i = 5; i < 8; i++) relance('track', 'custom.early', { n: i }); });
    await until(() => storedNumbers(env.db, 'custom.early').length >= 8, 'the 8 events');
    await page.waitForTimeout(500);
    assert.deepEqual(storedNumbers(env.db, 'custom.early'), [0, 1, 2, 3, 4, 5, 6, 7]);
    const views = exportEvents(env.db, 'page_view');
    assert.equal(views.length, 1);
    assert.equal(views[0].context.page.path, '/runtime.html');
  } finally {
    await env.close();
  }
});

test('SPA navigations: pushState and popstate count, replaceState only for a new path', { skip }, async () => {
  const env = await environment({ config });
  try {
    const page = await env.browser.newPage();
    await page.goto(`${env.collector.url}/runtime.html`);
    await ready(page);
    await page.evaluate(() => {
      history.pushState({}, '', '/runtime.html/products');        // page 2
      history.replaceState({}, '', '/runtime.html/products?sort=1'); // query only: no page
      history.replaceState({}, '', '/runtime.html/products#top');    // hash only: no page
      history.pushState({}, '', '/runtime.html/products#reviews');   // hash only: no page
      history.replaceState({}, '', '/runtime.html/cart');            // new path: page 3
    });
    await page.goBack(); // popstate to /products#reviews... same path+query as before: compare below
    await page.evaluate(() => new Promise((r) => setTimeout(r, 100)));
    await until(() => exportEvents(env.db, 'page_view').length >= 3, 'the page views');
    await page.waitForTimeout(600);
    const paths = exportEvents(env.db, 'page_view').map((e) => e.context.page.path);
    // load, push /products, replace -> /cart, back -> /products (a new path again)
    assert.deepEqual(paths.sort(), ['/runtime.html', '/runtime.html/cart', '/runtime.html/products', '/runtime.html/products'].sort());
  } finally {
    await env.close();
  }
});
