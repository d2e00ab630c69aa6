import { test } from 'node:test';
import assert from 'node:assert/strict';
import { importWeb } from './web_support.mjs';

const { isNewPage } = await importWeb('navigation');
const { buildContext, cut, deviceType } = await importWeb('context');

const U = 'https://shop.example';

test('pushState and popstate: a new path or query is a new page, a hash is not', () => {
  for (const kind of ['push', 'pop']) {
    assert.equal(isNewPage(`${U}/a`, `${U}/b`, kind), true);
    assert.equal(isNewPage(`${U}/a`, `${U}/a?page=2`, kind), true);
    assert.equal(isNewPage(`${U}/a`, `${U}/a#reviews`, kind), false);
    assert.equal(isNewPage(`${U}/a`, `${U}/a`, kind), false);
  }
});

test('replaceState counts only a path change', () => {
  assert.equal(isNewPage(`${U}/a`, `${U}/a?sort=price`, 'replace'), false);
  assert.equal(isNewPage(`${U}/a?x=1`, `${U}/a?x=2#top`, 'replace'), false);
  assert.equal(isNewPage(`${U}/a`, `${U}/b`, 'replace'), true);
});

test('context: page, UTM, device, locale', () => {
  const c = buildContext({ href: `${U}/p/1?utm_source=news&utm_campaign=spring&x=1`, title: 'Shoes',
    referrer: 'https://search.example/', width: 390, height: 800, userAgent: 'Mozilla/5.0', language: 'fr-FR' });
  assert.deepEqual(c.page, { url: `${U}/p/1?utm_source=news&utm_campaign=spring&x=1`, path: '/p/1', title: 'Shoes', referrer: 'https://search.example/' });
  assert.deepEqual(c.utm, { source: 'news', campaign: 'spring' });
  assert.deepEqual(c.device, { type: 'mobile', viewport: { w: 390, h: 800 } });
  assert.equal(c.locale, 'fr-FR');
  const plain = buildContext({ href: `${U}/`, title: '', referrer: '', width: 1280, height: 720, userAgent: 'x', language: 'not a locale!' });
  assert.equal(plain.utm, undefined);
  assert.equal(plain.locale, undefined);
  assert.equal(plain.device.type, 'desktop');
  assert.equal(deviceType(800, 'x'), 'tablet');
});

test('long strings are cut to 2048 UTF-8 bytes without splitting a character', () => {
  const long = 'é'.repeat(3000);
  const c = cut(long);
  assert.ok(Buffer.byteLength(c) <= 2048);
  assert.equal(c.length, 1024);
  const emoji = '😀'.repeat(1000);
  const e = cut(emoji);
  assert.ok(Buffer.byteLength(e) <= 2048);
  assert.equal(e.length % 2, 0, 'no lone surrogate');
  assert.equal(cut('short'), 'short');
  const ctx = buildContext({ href: `${U}/?q=${'a'.repeat(5000)}`, title: 't', referrer: '', width: 1, height: 1, userAgent: '' });
  assert.ok(Buffer.byteLength(ctx.page.url) <= 2048);
});

// A window with just what installCapture touches, and the page views it counts.
function fakeWindow(href) {
  const target = () => ({ addEventListener() {}, removeEventListener() {} });
  const w = {
    ...target(), location: { href }, document: { ...target(), visibilityState: 'visible', documentElement: {} },
    setInterval: () => 1, clearInterval() {}, setTimeout: () => 1,
    history: {
      pushState(_s, _t, url) { w.location.href = new URL(url, w.location.href).href; },
      replaceState(_s, _t, url) { w.location.href = new URL(url, w.location.href).href; },
    },
  };
  return w;
}

test('capture: SPA navigations are page views; stopping leaves a wrapper installed after ours in place', async () => {
  const { installCapture } = await importWeb('capture');
  const w = fakeWindow(`${U}/a`);
  let views = 0;
  const stop = installCapture(w, { signal() {}, pageView() { views++; }, onHide() {} });
  w.history.pushState(null, '', '/b');
  w.history.replaceState(null, '', '/b?sort=price');
  assert.equal(views, 1, 'pushState to a new path counts, replaceState of the query does not');
  // A router wraps pushState after Relance started.
  const ours = w.history.pushState;
  let routed = 0;
  w.history.pushState = function (...args) { routed++; return ours.apply(this, args); };
  stop();
  w.history.pushState(null, '', '/c');
  assert.equal(routed, 1, "the router's wrapper is still there");
  assert.equal(views, 1, 'no page view once stopped');
  assert.equal(w.location.href, `${U}/c`, 'the navigation still happens');
  // Nothing wrapped after us: the originals come back.
  const w2 = fakeWindow(`${U}/a`);
  const push2 = w2.history.pushState;
  installCapture(w2, { signal() {}, pageView() {}, onHide() {} })();
  assert.equal(w2.history.pushState, push2);
});
