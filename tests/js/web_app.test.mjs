// The assembled runtime (web/src/app.ts) with a fake window and engine:
// overflow reporting and what reaches fetch.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { importWeb, FakeStorage, settle } from './web_support.mjs';

const { start, assemble } = await importWeb('app');

function fakeWindow(ls = new FakeStorage()) {
  const posts = [];
  const w = {
    localStorage: ls, navigator: { userAgent: 'x', language: 'en' },
    location: { href: 'https://shop.example/' }, document: { title: 't', referrer: '' }, innerWidth: 1000, innerHeight: 800,
    setTimeout: (f, ms) => setTimeout(f, ms), clearTimeout: (h) => clearTimeout(h),
    addEventListener: () => {}, removeEventListener: () => {},
    fetch: async (url, init) => {
      posts.push({ url, events: JSON.parse(init.body).events });
      return { status: 200, headers: { get: () => null }, text: async () => '{"accepted":1,"duplicates":0,"rejected":[]}' };
    },
  };
  return { w, posts };
}

function echoEngine(seen) {
  return { createEngine: () => ({
    restore: () => ({}),
    observe: (s) => {
      seen.push(s);
      const type = s.type === 'track' ? s.props.event : s.type;
      return { events: [{ id: s.id, type, ts: 1, anonymous_id: 'a', properties: s.props?.properties || {} }], deliver: 'queue' };
    },
    state: () => ({}),
  }) };
}

test('an overflowing queue reports the lost count in the next batch as custom.queue_overflow', async () => {
  const { w, posts } = fakeWindow();
  const seen = [];
  const inst = start({ window: w, core: echoEngine(seen), config: { transport: { queue_limit: 3, flush_ms: 50, batch_size: 20, endpoint: '/ev' } },
    origin: 'https://c.example', autoCapture: false });
  for (let i = 0; i < 5; i++) inst.command('track', ['custom.step', { n: i }]);
  await inst.flush();
  await new Promise((r) => setTimeout(r, 150));
  await settle();
  const sent = posts.flatMap((p) => p.events);
  assert.equal(posts[0].url, 'https://c.example/ev');
  const overflow = sent.filter((e) => e.type === 'custom.queue_overflow');
  assert.equal(overflow.length, 1);
  assert.equal(overflow[0].properties.lost, 2);
  assert.deepEqual(sent.filter((e) => e.type === 'custom.step').map((e) => e.properties.n), [2, 3, 4]);
  inst.shutdown();
});

test('events queued on an earlier page are sent on start, with their original ids', async () => {
  const ls = new FakeStorage();
  ls.setItem('rl:q:old-1', JSON.stringify({ e: { id: 'old-1', type: 'page_view', ts: 1, anonymous_id: 'a' }, t: 1, n: 0 }));
  const { w, posts } = fakeWindow(ls);
  const inst = start({ window: w, core: echoEngine([]), config: { transport: { flush_ms: 10 } }, origin: '', autoCapture: false });
  await new Promise((r) => setTimeout(r, 60));
  await settle();
  assert.deepEqual(posts.flatMap((p) => p.events.map((e) => e.id)), ['old-1']);
  assert.equal(ls.getItem('rl:q:old-1'), null);
  inst.shutdown();
});

// What `run` wrote with console.error, a line per call.
function consoleErrorsOf(run) {
  const errors = [];
  const original = console.error;
  console.error = (...a) => errors.push(a.join(' '));
  try {
    run();
  } finally {
    console.error = original;
  }
  return errors;
}

test('showOffer without an offer id gets a console error and reaches no engine', async () => {
  const { w } = fakeWindow();
  const seen = [];
  const inst = start({ window: w, core: echoEngine(seen), config: {}, origin: '', autoCapture: false });
  const errors = consoleErrorsOf(() => {
    inst.command('showOffer', []);
    inst.command('showOffer', [42]);
    inst.command('showOffer', ['welcome']);
  });
  assert.equal(errors.length, 2);
  assert.match(errors[0], /showOffer needs an offer id/);
  assert.deepEqual(seen.map((s) => [s.type, s.props.offer_id]), [['show_offer', 'welcome']]);
  inst.shutdown();
});

// Session 9: relance('debug', 'false') turned debug on (a string is truthy).
test('debug takes a boolean only; anything else is a console error naming the argument', async () => {
  const { w } = fakeWindow();
  const seen = [];
  const inst = start({ window: w, core: echoEngine(seen), config: {}, origin: '', autoCapture: false });
  const errors = consoleErrorsOf(() => {
    inst.command('debug', ['false']);
    inst.command('debug', [1]);
    inst.command('debug', []);
    inst.command('debug', [true]);
    inst.command('debug', [false]);
  });
  assert.equal(errors.length, 3);
  assert.equal(errors[0], 'relance: debug needs true or false (got "false")');
  assert.match(errors[1], /\(got 1\)$/);
  assert.match(errors[2], /\(got undefined\)$/);
  assert.deepEqual(seen.filter((s) => s.type === 'debug').map((s) => s.props.on), [true, false]);
  inst.shutdown();
});

// Session 9: the forget call went to <origin>/v1/forget whatever transport.endpoint said.
test('the forget call goes beside the events endpoint', async () => {
  const { forgetUrlOf } = await importWeb('app');
  assert.equal(forgetUrlOf('https://c.example/s/v1/events'), 'https://c.example/s/v1/forget');
  assert.equal(forgetUrlOf('/v1/events'), '/v1/forget');
  assert.equal(forgetUrlOf('/collect?site=1'), '/forget');
  const { w } = fakeWindow();
  const urls = [];
  w.fetch = async (url) => { urls.push(url); return { status: 200, headers: { get: () => null }, text: async () => '{}' }; };
  let analytics = true;
  const core = { createEngine: () => ({
    restore: () => ({ state: { consent: { analytics } } }),
    observe: (s) => {
      if (s.type === 'consent') analytics = s.props.analytics;
      return { state: { consent: { analytics } } };
    },
  }) };
  const inst = start({ window: w, core, config: { transport: { endpoint: '/s/v1/events' } }, origin: 'https://c.example', autoCapture: false });
  inst.command('consent', [{ analytics: false }]);
  await settle();
  assert.deepEqual(urls, ['https://c.example/s/v1/forget']);
  inst.shutdown();
});

test('back online after a network error, the queue goes at once; a server\'s Retry-After still holds', async () => {
  for (const failure of ['network', '503']) {
    const { w, posts } = fakeWindow();
    const listeners = {};
    w.addEventListener = (type, f) => { listeners[type] = f; };
    const answer = w.fetch;
    let calls = 0;
    w.fetch = async (url, init) => {
      calls++;
      if (calls > 1) return answer(url, init);
      if (failure === 'network') throw new TypeError('Failed to fetch');
      return { status: 503, headers: { get: (k) => (k === 'retry-after' ? '30' : null) }, text: async () => '' };
    };
    const inst = start({ window: w, core: echoEngine([]), config: { transport: { flush_ms: 0 } }, origin: '', autoCapture: false });
    inst.command('track', ['custom.step', { n: 1 }]);
    await inst.flush();
    assert.equal(calls, 1);
    listeners.online();
    await settle();
    // The first retry would wait 0.5 to 1 s (network) or 30 s (Retry-After).
    assert.equal(calls, failure === 'network' ? 2 : 1, failure);
    assert.equal(posts.length, failure === 'network' ? 1 : 0, failure);
    inst.shutdown();
  }
});

// The engine counts the visitor hidden only when every tab is
// (docs/design/engine-contract.md, "Tabs"): it must hear that a tab opened in
// the background starts hidden, that a page going away is hidden for good,
// and that one restored from the back/forward cache shows again.
test('a tab tells the engine when it starts hidden, goes away, or comes back from the back/forward cache', () => {
  const { w } = fakeWindow();
  const listeners = {};
  w.addEventListener = (type, f) => { (listeners[type] ??= []).push(f); };
  w.removeEventListener = () => {};
  w.document = { title: 't', referrer: '', visibilityState: 'hidden', documentElement: {},
    addEventListener: () => {}, removeEventListener: () => {} };
  w.history = { pushState() {}, replaceState() {} };
  w.setInterval = () => 0;
  w.clearInterval = () => {};
  w.navigator.sendBeacon = () => true;
  const seen = [];
  const inst = start({ window: w, core: echoEngine(seen), config: {}, origin: '' });
  inst.firstPage();
  assert.deepEqual(seen.map((s) => [s.type, s.props?.hidden]), [['page_view', undefined], ['visibility', true]]);
  seen.length = 0;
  w.document.visibilityState = 'visible';
  for (const f of listeners.pageshow) f({ persisted: false });  // a first load: visibilitychange tells
  assert.deepEqual(seen, []);
  for (const f of listeners.pagehide) f({ persisted: true });
  for (const f of listeners.pageshow) f({ persisted: true });
  assert.deepEqual(seen.map((s) => [s.type, s.props.hidden]), [['visibility', true], ['visibility', false]]);
  inst.shutdown();
});

// boot() assembles the runtime (restoring the state) and installs its
// listeners in separate tasks (web/src/boot.ts): a state another tab saves in
// between is not heard by a storage listener, so listen() adopts it.
test('assemble() then listen(): listeners come with listen(); a state saved by another tab in between is adopted', () => {
  const ls = new FakeStorage();
  ls.setItem('rl:state', '{"v":"before"}');
  const { w } = fakeWindow(ls);
  const added = [];
  w.addEventListener = (type) => { added.push(type); };
  const restored = [];
  const core = { createEngine: () => ({
    restore: (text) => { restored.push(text); return {}; },
    observe: () => ({}),
    state: () => ({}),
  }) };
  const a = assemble({ window: w, core, config: {}, origin: '', autoCapture: false });
  assert.deepEqual(restored, ['{"v":"before"}']);
  assert.deepEqual(added, [], 'nothing listens before listen()');
  ls.setItem('rl:state', '{"v":"other tab"}');
  a.listen();
  assert.deepEqual(added.sort(), ['online', 'storage']);
  assert.deepEqual(restored, ['{"v":"before"}', '{"v":"other tab"}']);
  a.instance.shutdown();

  // Nothing written in between: nothing adopted again.
  const again = [];
  const b = assemble({ window: w, core: { createEngine: () => ({ restore: (t) => { again.push(t); return {}; }, observe: () => ({}), state: () => ({}) }) },
    config: {}, origin: '', autoCapture: false });
  b.listen();
  assert.equal(again.length, 1);
  b.instance.shutdown();
});
