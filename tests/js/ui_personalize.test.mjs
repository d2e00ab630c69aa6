// Personalization and anti-flicker of web/src/ui in real Chromium.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launchChromium, openUiPage } from '../e2e/support/ui-browser.mjs';

let browser;
before(async () => { browser = await launchChromium(); });
after(async () => { await browser?.close(); });

const PAGE = `
  <h1 data-relance-slot="hero" class="hero old">Welcome</h1>
  <div data-relance-slot="promo">Promo</div>
  <a id="cta" class="cta" href="/shop">Shop</a>
  <p class="note">one</p><p class="note">two</p>
  <aside data-relance-slot="side" hidden>side</aside>`;

test('each op does what it says on slots and selectors', async () => {
  const page = await openUiPage(browser, PAGE);
  const report = await page.evaluate(() => RelanceUI.applyPersonalizations([
    { rule_id: 'vip', slot: 'hero', op: 'set_text', value: 'Early access for you' },
    { rule_id: 'vip', slot: 'hero', op: 'add_class', value: 'vip gold' },
    { rule_id: 'vip', slot: 'hero', op: 'remove_class', value: 'old' },
    { rule_id: 'r2', selector: '#cta', op: 'set_attr', name: 'href', value: '/sale?from=vip' },
    { rule_id: 'r2', selector: '#cta', op: 'set_attr', value: { name: 'title', value: 'Sale' } },
    { rule_id: 'r3', selector: 'p.note', op: 'hide' },
    { rule_id: 'r4', slot: 'side', op: 'show' },
    { rule_id: 'r5', slot: 'promo', op: 'set_html', value: '<strong>-20%</strong> and <a href="/d">free delivery</a>' },
    { rule_id: 'r6', slot: 'not-on-this-page', op: 'set_text', value: 'x' },
  ]));
  assert.deepEqual(report, { applied: 8, errors: [] });
  const r = await page.evaluate(() => ({
    hero: document.querySelector('h1').textContent,
    heroClass: document.querySelector('h1').className,
    href: document.querySelector('#cta').getAttribute('href'),
    title: document.querySelector('#cta').title,
    notesShown: Array.from(document.querySelectorAll('p.note')).filter((p) => p.offsetParent !== null).length,
    sideShown: document.querySelector('aside').offsetParent !== null,
    promo: document.querySelector('[data-relance-slot=promo]').innerHTML,
  }));
  assert.deepEqual(r, { hero: 'Early access for you', heroClass: 'hero vip gold', href: '/sale?from=vip', title: 'Sale',
    notesShown: 0, sideShown: true, promo: '<strong>-20%</strong> and <a href="/d">free delivery</a>' });
  await page.context().close();
});

test('hostile HTML is neutralised even if it got past the engine', async () => {
  const page = await openUiPage(browser, PAGE);
  await page.evaluate(() => RelanceUI.applyPersonalizations([{ slot: 'promo', op: 'set_html', value:
    '<img src="x" onerror="window.pwned=1">' +
    '<script>window.pwned=2<\/script>' +
    '<a href="javascript:window.pwned=3">a</a>' +
    '<a href=" JaVa\tScRiPt:window.pwned=4">b</a>' +
    '<a href="data:text/html,<script>1</script>">c</a>' +
    '<svg><script>window.pwned=5</script></svg>' +
    '<iframe src="https://evil.example"></iframe>' +
    '<p style="background:url(https://evil.example/t.png)" onclick="window.pwned=6">text</p>' +
    '<form action="https://evil.example"><input name=q></form>' +
    '<img src="data:image/svg+xml,<svg onload=alert(1)>">' +
    '<img src="data:image/png;base64,iVBORw0KGgo=" alt="dot" width="1" height="1px">' +
    '<a href="https://ok.example" target="_blank" rel="opener">ok</a>' }]));
  await page.waitForTimeout(100);
  const r = await page.evaluate(() => {
    const slot = document.querySelector('[data-relance-slot=promo]');
    const attrs = [];
    for (const el of slot.querySelectorAll('*')) for (const a of el.attributes) attrs.push(`${el.localName}.${a.name}=${a.value}`);
    return { tags: Array.from(slot.querySelectorAll('*')).map((e) => e.localName), attrs, pwned: window.pwned ?? null };
  });
  assert.equal(r.pwned, null);
  assert.deepEqual(r.tags, ['img', 'a', 'a', 'a', 'p', 'img', 'img', 'a']);
  assert.deepEqual(r.attrs, ['img.src=x', 'img.src=data:image/png;base64,iVBORw0KGgo=', 'img.alt=dot', 'img.width=1',
    'a.href=https://ok.example', 'a.target=_blank', 'a.rel=noopener noreferrer']);
  // Only the harmless relative image was requested; nothing from evil.example.
  assert.ok(page.relanceRequests.every((u) => !u.includes('evil.example')), page.relanceRequests.join(' '));
  await page.context().close();
});

test('refused actions are reported with why, and the others still apply', async () => {
  const page = await openUiPage(browser, PAGE);
  const report = await page.evaluate(() => RelanceUI.applyPersonalizations([
    { rule_id: 'a', selector: '#cta', op: 'set_attr', attr: 'href', value: 'javascript:alert(1)' },
    { rule_id: 'b', selector: '#cta', op: 'set_attr', attr: 'onclick', value: 'alert(1)' },
    { rule_id: 'c', selector: '##', op: 'hide' },
    { rule_id: 'd', slot: 'hero', op: 'explode' },
    { rule_id: 'e', op: 'hide' },
    { rule_id: 'f', slot: 'hero', op: 'add_class', value: 'x" onclick="y' },
    { rule_id: 'g', slot: 'hero', op: 'set_text', value: '<b>plain</b>' },
  ]));
  assert.equal(report.applied, 1);
  assert.deepEqual(report.errors.map((e) => [e.index, e.rule_id]), [[0, 'a'], [1, 'b'], [2, 'c'], [3, 'd'], [4, 'e'], [5, 'f']]);
  assert.match(report.errors[0].message, /unsafe URL/);
  assert.match(report.errors[1].message, /not allowed/);
  assert.match(report.errors[2].message, /invalid selector/);
  assert.match(report.errors[3].message, /unknown op/);
  assert.match(report.errors[4].message, /slot.*selector/);
  const r = await page.evaluate(() => ({ href: document.querySelector('#cta').getAttribute('href'),
    onclick: document.querySelector('#cta').getAttribute('onclick'), hero: document.querySelector('h1').textContent,
    bold: document.querySelectorAll('h1 b').length }));
  assert.deepEqual(r, { href: '/shop', onclick: null, hero: '<b>plain</b>', bold: 0 });
  await page.context().close();
});

test('anti-flicker hides only slots, reveals per slot, and lets the originals show after the timeout', async () => {
  const page = await openUiPage(browser, PAGE);
  const visible = () => page.evaluate(() => Object.fromEntries(
    ['h1', '[data-relance-slot=promo]', '#cta'].map((s) => [s, getComputedStyle(document.querySelector(s)).visibility])));
  await page.evaluate(() => RelanceUI.installAntiFlicker(document, 60000));
  assert.deepEqual(await visible(), { h1: 'hidden', '[data-relance-slot=promo]': 'hidden', '#cta': 'visible' });
  await page.evaluate(() => RelanceUI.revealSlots(['hero']));
  assert.deepEqual(await visible(), { h1: 'visible', '[data-relance-slot=promo]': 'hidden', '#cta': 'visible' });
  await page.evaluate(() => RelanceUI.endAntiFlicker());
  assert.deepEqual(await visible(), { h1: 'visible', '[data-relance-slot=promo]': 'visible', '#cta': 'visible' });
  await page.evaluate(() => RelanceUI.installAntiFlicker(document, 10));
  assert.equal((await visible())['[data-relance-slot=promo]'], 'visible', 'not installed twice on one page');
  await page.context().close();

  // The snippet's inline version, with its own 300 ms timeout.
  const page2 = await openUiPage(browser, PAGE);
  const hiddenAtOnce = await page2.evaluate(() => {
    eval(RelanceUI.ANTI_FLICKER_SNIPPET_JS);
    return getComputedStyle(document.querySelector('h1')).visibility;
  });
  assert.equal(hiddenAtOnce, 'hidden');
  // Nothing reveals it: the timeout alone must bring the original back.
  await page2.waitForFunction(() => getComputedStyle(document.querySelector('h1')).visibility === 'visible',
    null, { timeout: 5000 });
  assert.equal(await page2.evaluate(() => document.documentElement.getAttribute('data-relance-af')), 'done');
  await page2.context().close();
});
