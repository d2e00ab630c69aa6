// Two tabs of one visitor in real Chromium against the real collector
// (docs/design/engine-contract.md, "Tabs"): the tab with the cart goes hidden
// while the visitor shops on in another tab. That visible tab adopts the
// hidden tab's saved state; before, it then reported cart_abandoned (reason
// "hidden") while the visitor was active in it, which starts follow-up
// e-mails. Now nothing is reported while a tab is visible, and exactly one
// cart_abandoned once every tab is hidden.
//
// Headless tabs are all visible: a tab is hidden here the way the page sees
// it, document.visibilityState then a visibilitychange event. hidden_minutes
// is at its minimum (1), so the test waits in real time, about two minutes.

import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { closeBrowser, environment, exportEvents, missingPrerequisite, until } from './support/runtime.mjs';

const skip = missingPrerequisite() || false;
after(closeBrowser);
const config = {
  version: 1, site: { id: 'e2e', name: 'e2e', currency: 'EUR' }, transport: { flush_ms: 200, batch_size: 20 },
  abandonment: { cart: { enabled: true, idle_minutes: 30, hidden_minutes: 1 } },
};

async function open(env) {
  const page = await env.browser.newPage();
  await page.goto(`${env.collector.url}/runtime.html`);
  await page.waitForFunction(() => window.relance && window.relance.loaded === true, null, { timeout: 15000 });
  return page;
}

function hide(page) {
  return page.evaluate(() => {
    Object.defineProperty(document, 'visibilityState', { get: () => 'hidden', configurable: true });
    Object.defineProperty(document, 'hidden', { get: () => true, configurable: true });
    document.dispatchEvent(new Event('visibilitychange'));
  });
}

test('a visible tab that adopts a hidden tab\'s state reports no cart_abandoned; all tabs hidden, one does', { skip }, async () => {
  const env = await environment({ config });
  try {
    const cartTab = await open(env);
    await cartTab.evaluate(() => relance('track', 'add_to_cart',
      { product: { id: 'sku-1', name: 'Mug' }, quantity: 1, price: 10, currency: 'EUR' }));
    await until(() => exportEvents(env.db, 'add_to_cart').length === 1, 'the add_to_cart');
    const shopTab = await open(env);
    // The visitor switches to the other tab: the cart's tab goes hidden and
    // saves its state; the visible tab adopts it (storage event).
    await hide(cartTab);
    await shopTab.waitForTimeout(300);
    // More than hidden_minutes, both tabs ticking every 5 s; the visitor is
    // active in the visible one.
    for (let i = 0; i < 15; i++) {
      await shopTab.mouse.move(10 + i, 10);
      await shopTab.waitForTimeout(5000);
    }
    await shopTab.evaluate(() => relance('track', 'custom.still_here', { n: 1 }));
    await until(() => exportEvents(env.db, 'custom.still_here').length === 1, 'the visible tab\'s event');
    assert.deepEqual(exportEvents(env.db, 'cart_abandoned'), [], 'no cart_abandoned while a tab is visible');
    // The visitor leaves the last tab: a minute later, one report.
    await hide(shopTab);
    await until(() => exportEvents(env.db, 'cart_abandoned').length >= 1, 'the cart_abandoned', 90000);
    await shopTab.waitForTimeout(6000);  // both tabs tick again: still one
    const reports = exportEvents(env.db, 'cart_abandoned');
    assert.equal(reports.length, 1, JSON.stringify(reports));
    assert.equal(reports[0].properties.reason, 'hidden');
    assert.deepEqual(reports[0].properties.items, [{ id: 'sku-1', quantity: 1, price: 10 }]);
  } finally {
    await env.close();
  }
});
