// Issue 5 end to end, in Chromium, on the demo shop served by the real
// collector with the demo's configuration: the engine (wasm) decides, the
// runtime carries out, the UI renders, the collector stores.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  shopMissing, demoConfig, openShop, visit, exitThroughTop, exportEvents, exportOptins, storedEventually,
  closeBrowser, until,
} from './support/ui-shop.mjs';

const skip = shopMissing() || false;
after(() => closeBrowser());

const OFFER = '[data-relance-offer]';
const offerShown = (page) => page.locator(OFFER).count();

test('exit intent shows the offer; Escape closes it and the cap holds after a reload', { skip }, async () => {
  const shop = await openShop();
  try {
    const page = await shop.context.newPage();
    await visit(page, shop, '/category.html');
    assert.equal(await offerShown(page), 0, 'no offer before the exit intent');
    const offerChunkLoads = () => page.evaluate(() => performance.getEntriesByType('resource')
      .filter((e) => /\/relance-offer\.[0-9a-f]+\.js$/.test(e.name)).length);
    assert.equal(await offerChunkLoads(), 0, 'the offer dialog\'s code is not loaded before an offer shows');
    await exitThroughTop(page);
    const dialog = page.locator(`${OFFER} [role=dialog]`);
    await dialog.waitFor({ timeout: 10000 });
    assert.equal(await dialog.getAttribute('aria-modal'), 'true');
    assert.equal(await offerChunkLoads(), 1, 'the offer dialog\'s chunk loaded once it was needed');
    assert.equal(await page.locator(`${OFFER} h2`).textContent(), demoConfig().offers.find((o) => o.id === 'welcome').content.title);
    assert.equal(await page.locator(`${OFFER} input[name=email]`).evaluate((el) => el === el.getRootNode().activeElement), true,
      'focus moved into the offer');

    await page.keyboard.press('Escape');
    assert.equal(await offerShown(page), 0, 'Escape closes it');
    const dismissed = await storedEventually(shop.db, 'offer_dismissed');
    assert.equal(dismissed.length, 1);
    assert.equal(dismissed[0].properties.offer_id, 'welcome');
    assert.equal(exportEvents(shop.db, 'offer_shown').length, 1);

    await page.reload();
    await page.waitForFunction(() => window.relance && window.relance.loaded === true);
    await exitThroughTop(page);
    // The runtime sends exit_intent at once; give the engine a moment to (not) answer.
    await page.waitForTimeout(1000);
    assert.equal(await offerShown(page), 0, 'dismissed: not shown again after a reload');
    assert.equal(exportEvents(shop.db, 'offer_shown').length, 1);
  } finally {
    await shop.close();
  }
});

test('submitting the offer stores the contact and its consent proof in the collector', { skip }, async () => {
  const shop = await openShop();
  try {
    const page = await shop.context.newPage();
    await visit(page, shop, '/index.html');
    await exitThroughTop(page);
    await page.locator(`${OFFER} input[name=email]`).waitFor({ timeout: 10000 });

    // A wrong address first: the engine's message shows next to the field.
    await page.locator(`${OFFER} input[name=email]`).fill('ana@');
    await page.locator(`${OFFER} input[type=checkbox]`).check();
    await page.locator(`${OFFER} .submit`).click();
    await until(async () => (await page.locator(`${OFFER} input[name=email]`).getAttribute('aria-invalid')) === 'true',
      'the e-mail marked invalid', 5000);
    assert.notEqual((await page.locator(`${OFFER} #rl-err-email`).textContent()).trim(), '');

    await page.locator(`${OFFER} input[name=email]`).fill('ana@example.com');
    await page.locator(`${OFFER} input[name=first_name]`).fill('Ana');
    await page.locator(`${OFFER} .submit`).click();
    await page.locator(`${OFFER} .success`).waitFor({ state: 'visible', timeout: 5000 });

    const optins = await until(() => { const o = exportOptins(shop.db); return o.length ? o : null; }, 'a stored opt-in');
    assert.equal(optins.length, 1);
    assert.equal(optins[0].email, 'ana@example.com');
    assert.equal(optins[0].offer_id, 'welcome');
    const consentText = demoConfig().offers.find((o) => o.id === 'welcome').content.consent.text;
    assert.equal(optins[0].consent.text, consentText);
    assert.equal(optins[0].consent.checked, true);
    await storedEventually(shop.db, 'offer_converted');
    // No personal data in the events themselves.
    assert.ok(!JSON.stringify(exportEvents(shop.db)).includes('ana@example.com'), 'the e-mail is only in the opt-in store');
  } finally {
    await shop.close();
  }
});

test('a VIP visitor sees the VIP message, and the original never shows (several reloads)', { skip }, async (t) => {
  const shop = await openShop();
  try {
    const page = await shop.context.newPage();
    await visit(page, shop, '/index.html');
    await page.evaluate(() => window.relance('identify', 'demo-vip', { orders_year: 6, last_order_days: 20 }));
    await until(() => page.evaluate(() => (localStorage.getItem('rl:state') || '').includes('demo-vip')), 'the identity persisted');

    // From the first script of each next page on, sample the hero slot on
    // every animation frame (rAF runs right before the browser paints) and
    // record each frame in which the original text is visible. The budget
    // is raised to its 5 s cap: what is tested is that the slot stays hidden
    // until the decision and shows the decided content, not how fast this
    // machine decides (with 4 builds beside it the decision took 844 ms, past
    // the default 300 ms, and the original was rightly revealed). How fast it
    // decides is measured by `npm run bench:tag` (first page_view), and the
    // reveal when the budget runs out by tests/js/ui_personalize.test.mjs.
    await page.addInitScript(() => { window.relanceAntiFlickerMs = 5000; });
    await page.addInitScript(() => {
      window.probe = { originalSeen: 0, hiddenFrames: 0, frames: 0, decidedAt: null };
      const probe = () => {
        const hero = document.querySelector('[data-relance-slot="hero"]');
        if (hero) {
          window.probe.frames += 1;
          const visible = getComputedStyle(hero).visibility === 'visible';
          const original = hero.textContent.includes('New season');
          if (original && visible) window.probe.originalSeen += 1;
          if (!visible) window.probe.hiddenFrames += 1;
          if (!original && window.probe.decidedAt === null) window.probe.decidedAt = performance.now();
        }
        if (!window.probeDone) requestAnimationFrame(probe);
      };
      requestAnimationFrame(probe);
    });
    const hero = page.locator('[data-relance-slot="hero"]');
    for (let reload = 1; reload <= 5; reload++) {
      await page.reload();
      await until(async () => /early access/i.test(await hero.textContent()), 'the VIP message', 10000);
      await page.waitForTimeout(100);
      const seen = await page.evaluate(() => { window.probeDone = true; return { ...window.probe, budget: window.relanceAntiFlickerMs }; });
      assert.equal(seen.budget, 5000, 'the raised budget');
      assert.ok(seen.frames > 0, 'the probe ran');
      t.diagnostic(`reload ${reload}: decided at ${Math.round(seen.decidedAt)} ms`);
      assert.equal(seen.originalSeen, 0,
        `reload ${reload}: the original hero text was painted in ${seen.originalSeen} frame(s) (decided at ${seen.decidedAt} ms)`);
      assert.equal(await hero.evaluate((el) => getComputedStyle(el).visibility), 'visible');
    }
    assert.equal(await page.locator('[data-relance-slot="hero"] script').count(), 0, 'the sanitiser removed the script');
    await storedEventually(shop.db, 'personalization_exposed');
  } finally {
    await shop.close();
  }
});

test('hostile HTML in a configuration is neutralised', { skip }, async () => {
  const config = structuredClone(demoConfig());
  const hostile = '<img src="x" onerror="window.pwned=1"><script>window.pwned=2</script>'
    + '<a href="javascript:window.pwned=3" id="evil">click</a><b onmouseover="window.pwned=4">Hello</b>'
    + '<iframe src="javascript:window.pwned=5"></iframe><svg onload="window.pwned=6"></svg>';
  config.personalization = [{ id: 'hostile', priority: 100, condition: {},
    actions: [{ slot: 'hero', op: 'set_html', value: hostile }] }];
  const welcome = config.offers.find((o) => o.id === 'welcome');
  welcome.content.title = '<img src=x onerror="window.pwned=7">Deal';
  welcome.content.body = '<script>window.pwned=8</script>';
  const shop = await openShop({ config });
  try {
    const page = await shop.context.newPage();
    const dialogs = [];
    page.on('dialog', (d) => { dialogs.push(d.message()); d.dismiss().catch(() => {}); });
    await visit(page, shop, '/index.html');
    const hero = page.locator('[data-relance-slot="hero"]');
    await until(async () => /Hello/.test(await hero.textContent()), 'the hostile rule applied', 10000);
    const inHero = await hero.evaluate((el) => {
      const attrs = [];
      for (const n of el.querySelectorAll('*')) for (const a of n.attributes) attrs.push(a.name + '=' + a.value);
      return { tags: Array.from(el.querySelectorAll('*')).map((n) => n.localName), attrs };
    });
    assert.ok(!inHero.tags.some((t) => ['script', 'iframe', 'svg'].includes(t)), inHero.tags.join(','));
    assert.ok(!inHero.attrs.some((a) => /^on/i.test(a) || /javascript:/i.test(a)), inHero.attrs.join(' '));
    // The sanitizer drops the id, so the link is found inside the slot; a
    // click must not run its former javascript: URL.
    await hero.locator('a').first().click({ timeout: 2000 });

    await exitThroughTop(page);
    await page.locator(`${OFFER} h2`).waitFor({ timeout: 10000 });
    assert.equal(await page.locator(`${OFFER} h2`).textContent(), '<img src=x onerror="window.pwned=7">Deal', 'shown as text');
    assert.equal(await page.locator(`${OFFER} img, ${OFFER} script`).count(), 0);
    await page.waitForTimeout(200);
    assert.equal(await page.evaluate(() => window.pwned), undefined);
    assert.deepEqual(dialogs, []);
  } finally {
    await shop.close();
  }
});

test('three views of a product without adding it to the cart store browse_abandoned', { skip }, async () => {
  const shop = await openShop();
  try {
    const page = await shop.context.newPage();
    for (let i = 0; i < 3; i++) await visit(page, shop, '/product.html?id=jacket-02');
    assert.equal(exportEvents(shop.db, 'add_to_cart').length, 0);
    const events = await storedEventually(shop.db, 'browse_abandoned', 30000);
    assert.equal(events.length, 1);
    assert.match(JSON.stringify(events[0].properties), /jacket-02/);
    await until(() => exportEvents(shop.db, 'product_view').length === 3, 'three stored product views');
  } finally {
    await shop.close();
  }
});
