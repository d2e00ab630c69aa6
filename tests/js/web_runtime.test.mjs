import { test } from 'node:test';
import assert from 'node:assert/strict';
import { importWeb, FakeStorage, FakeClock, settle } from './web_support.mjs';

const { Runtime, STATE_KEY, FORGET_KEY, EventQueue, safeStore } = await importWeb('runtime_test_entry');

// A small fake engine following the contract: consent required, buffer.
function fakeEngine() {
  const e = { signals: [], state: { v: 1, consent: { analytics: null } }, restored: null };
  e.restore = (text) => { e.restored = text; return { state: e.state, persist: false }; };
  e.observe = (s) => {
    e.signals.push(s);
    const granted = e.state.consent.analytics;
    if (s.type === 'consent') {
      e.state = { ...e.state, consent: { analytics: s.props.analytics, marketing: false } };
      const a = { state: e.state, persist: !!s.props.analytics };
      if (s.props.analytics) a.release_held = { consent: { analytics: true, marketing: false } };
      return JSON.stringify(a);
    }
    if (s.type === 'track' && s.props.event === 'add_to_cart' && !(s.props.properties.quantity > 0)) {
      return { errors: [{ path: '/properties/quantity', message: 'must be a positive integer' }] };
    }
    const ev = { id: s.id, type: s.type === 'track' ? s.props.event : s.type, ts: 1, anonymous_id: 'a' };
    return { events: [ev], deliver: granted ? 'queue' : granted === false ? 'drop' : 'hold', state: e.state, persist: !!granted };
  };
  return e;
}

function setup(ui = {}, extra = {}) {
  const ls = new FakeStorage();
  const store = safeStore(() => ls);
  const clock = new FakeClock();
  const queue = new EventQueue(store, 100, clock.now);
  const engine = fakeEngine();
  const logs = [];
  let notified = 0;
  let n = 0;
  const rt = new Runtime({
    engine, store, queue, transport: { notify: () => notified++ }, context: () => ({ page: { url: 'u', path: '/', title: '', referrer: '' } }),
    uuid: () => 'id' + ++n, now: clock.now, log: (...a) => logs.push(a), ui, ...extra,
  });
  return { rt, engine, queue, ls, logs, notified: () => notified };
}

test('before consent nothing is stored and events wait in memory; consent releases them stamped', () => {
  const { rt, queue, ls } = setup();
  rt.restore();
  rt.signal('page_view', {});
  rt.track('custom.clicked', {});
  assert.equal(queue.size(), 0);
  assert.equal(rt.heldCount(), 2);
  assert.equal(ls.length, 0, 'nothing written to localStorage');
  rt.consent({ analytics: true });
  const q = queue.list();
  assert.deepEqual(q.map((e) => e.id), ['id1', 'id2']);
  assert.deepEqual(q[0].consent, { analytics: true, marketing: false });
  assert.ok(ls.getItem(STATE_KEY), 'state persisted once allowed');
});

test('consent refused with deliver "drop": nothing queued', () => {
  const { rt, queue } = setup();
  rt.consent({ analytics: false });
  rt.signal('page_view', {});
  assert.equal(queue.size(), 0);
  assert.equal(rt.heldCount(), 0);
});

test('one signal = one id, carried by its event', () => {
  const { rt, engine, queue } = setup();
  rt.consent({ analytics: true });
  rt.signal('page_view', {});
  const sig = engine.signals.at(-1);
  assert.equal(queue.list()[0].id, sig.id);
  assert.ok(sig.context.page, 'context sent with the signal');
});

test('an invalid call gets a console error naming the field, and queues nothing', () => {
  const { rt, queue, logs } = setup();
  rt.consent({ analytics: true });
  rt.track('add_to_cart', { quantity: 0 });
  assert.equal(queue.size(), 0);
  assert.equal(logs.length, 1);
  assert.equal(logs[0][0], 'error');
  assert.match(logs[0][1], /add_to_cart: \/properties\/quantity: must be a positive integer/);
});

test('a consent of the wrong type reaches the engine, which names the field; a non-object is refused', () => {
  const { rt, engine, logs } = setup();
  // As the real engine does (src/core/engine.cc, checkSignal).
  const observe = engine.observe;
  engine.observe = (s) => (s.type === 'consent' && s.props.analytics !== undefined && typeof s.props.analytics !== 'boolean'
    ? { errors: [{ path: '/props/analytics', message: 'must be true or false' }] } : observe(s));
  rt.consent({ analytics: 'true' });
  assert.deepEqual(engine.signals.length, 0);
  assert.deepEqual(logs, [['error', 'relance: consent: /props/analytics: must be true or false']]);
  rt.consent('yes');
  assert.equal(logs.length, 2);
  assert.match(logs[1][1], /consent needs an object/);
  rt.consent({ marketing: false });
  assert.deepEqual(engine.signals.map((x) => x.props), [{ marketing: false }]);
});

test('the stored state is handed to restore; a throwing engine never throws into the page', () => {
  const { rt, engine, ls, logs } = setup();
  ls.setItem(STATE_KEY, '{"v":1}');
  rt.restore();
  assert.equal(engine.restored, '{"v":1}');
  engine.observe = () => { throw new Error('boom'); };
  assert.deepEqual(rt.signal('page_view', {}), {});
  assert.equal(logs.at(-1)[0], 'error');
});

test('offers and personalizations go to the UI; its callbacks become signals', () => {
  const calls = [];
  let callbacks;
  const ui = {
    renderOffer: (m, cb) => { calls.push(['render', m.offer_id]); callbacks = cb; },
    applyPersonalizations: (l) => calls.push(['personalize', l.length]),
    revealSlots: (s) => calls.push(['reveal', s.join()]),
  };
  const { rt, engine } = setup(ui);
  engine.observe = (s) => (s.type === 'exit_intent'
    ? { offer: { show: { offer_id: 'welcome', variant: 'a' } }, personalize: [{ slot: 'hero', op: 'set_text', value: 'Hi' }], reveal: ['hero'] }
    : {});
  rt.signal('exit_intent', {});
  assert.deepEqual(calls, [['personalize', 1], ['reveal', 'hero'], ['render', 'welcome']]);
  const seen = [];
  engine.observe = (s) => { seen.push(s); return {}; };
  callbacks.onDismiss({ offer_id: 'welcome', variant: 'a' });
  assert.deepEqual(seen.map((s) => [s.type, s.props.offer_id, s.props.variant]), [['offer_dismissed', 'welcome', 'a']]);
});

test('consent given in another tab (its saved state) releases the events this tab holds, stamped', () => {
  const { rt, queue, engine } = setup();
  rt.restore();
  rt.signal('page_view', {});
  rt.track('custom.clicked', {});
  assert.equal(rt.heldCount(), 2);
  // As the real engine: restoring takes the other tab's consent, releasing nothing.
  engine.restore = (text) => { engine.state = JSON.parse(text); return { state: engine.state, persist: true }; };
  rt.adoptState(JSON.stringify({ v: 1, consent: { analytics: true, marketing: null } }));
  assert.equal(rt.heldCount(), 0);
  assert.deepEqual(queue.list().map((e) => [e.id, e.consent.analytics]), [['id1', true], ['id2', true]]);
});

test('a state that cannot be saved (storage full) is said once per page, not on every signal', () => {
  const { rt, ls, logs } = setup();
  rt.consent({ analytics: true });
  ls.setItem = () => { throw Object.assign(new Error('full'), { name: 'QuotaExceededError' }); };
  for (let i = 0; i < 5; i++) rt.signal('time', { seconds: 5 * i });
  assert.deepEqual(logs.filter((l) => l[0] === 'warn').length, 1);
});

test('a state saved by another tab is adopted without being written back', () => {
  const { rt, engine, ls } = setup();
  const writes = [];
  const orig = ls.setItem.bind(ls);
  ls.setItem = (k, v) => { writes.push(k); orig(k, v); };
  rt.adoptState('{"v":1,"visits":3}');
  assert.equal(engine.restored, '{"v":1,"visits":3}');
  assert.deepEqual(writes.filter((k) => k === STATE_KEY), []);
});

test('persist false removes a state stored earlier', () => {
  const { rt, ls } = setup();
  ls.setItem(STATE_KEY, '{"v":1}');
  rt.consent({ analytics: false });
  assert.equal(ls.getItem(STATE_KEY), null);
});

test('a GPC browser says so with each signal; others do not', () => {
  const withGpc = setup({}, { gpc: true });
  withGpc.rt.signal('page_view', {});
  assert.equal(withGpc.engine.signals[0].gpc, true);
  const without = setup();
  without.rt.signal('page_view', {});
  assert.equal('gpc' in without.engine.signals[0], false);
});

test('drop_held discards what waited for consent', () => {
  const { rt, engine, queue } = setup();
  rt.signal('page_view', {});
  assert.equal(rt.heldCount(), 1);
  engine.observe = () => ({ drop_held: true, deliver: 'drop' });
  rt.consent({ analytics: false });
  assert.equal(rt.heldCount(), 0);
  assert.equal(queue.size(), 0);
});

// Consent withdrawn after a grant (docs/api.md, "consent"): the collector is
// asked once to forget the browser, the transport goes without cookies, and
// the queued events follow the `queued` policy.
function withForget(respond = () => ({ status: 200 })) {
  const calls = [];
  const timers = [];
  const fetch = (url, init) => {
    calls.push({ url, init });
    const r = respond(calls.length);
    return r.throw ? Promise.reject(new TypeError('Failed to fetch')) : Promise.resolve({ status: r.status });
  };
  const modes = [];
  const s = setup({}, {
    fetch, forgetUrl: 'https://c.example/v1/forget', consentRequired: true,
    setTimeout: (f, ms) => timers.push({ f, ms }),
  });
  s.rt.d.transport.setAnonymous = (on) => modes.push(on);
  return { ...s, calls, timers, modes };
}

test('withdrawing analytics consent after a grant asks the collector to forget the browser, once', async () => {
  const { rt, calls, modes } = withForget();
  rt.restore();
  assert.equal(modes.at(-1), true, 'no cookies before consent');
  rt.consent({ analytics: false });
  rt.signal('page_view', {});
  assert.equal(calls.length, 0, 'a refusal that followed no grant has nothing to forget, and nothing goes before consent');
  rt.consent({ analytics: true });
  assert.equal(modes.at(-1), false, 'cookies once analytics consent is granted');
  rt.track('custom.clicked', {});
  assert.equal(calls.length, 0);
  rt.consent({ analytics: false });
  assert.equal(modes.at(-1), true, 'and none after it is withdrawn');
  rt.consent({ analytics: false });
  await settle();
  assert.equal(calls.length, 1);
  assert.equal(calls[0].url, 'https://c.example/v1/forget');
  assert.equal(calls[0].init.method, 'POST');
  assert.equal(calls[0].init.credentials, 'include', 'the answer must be allowed to clear the cookie');
  assert.equal(calls[0].init.headers['content-type'], 'text/plain', 'a simple request: no preflight');
});

test('a withdrawal the collector could not hear is retried with backoff, and given up if consent comes back', async () => {
  const { rt, calls, timers, logs } = withForget((n) => (n === 1 ? { throw: true } : n === 2 ? { status: 503 } : { status: 200 }));
  rt.restore();
  rt.consent({ analytics: true });
  rt.consent({ analytics: false });
  await settle();
  assert.equal(calls.length, 1);
  assert.equal(timers.length, 1);
  timers.shift().f();
  await settle();
  assert.equal(calls.length, 2);
  timers.shift().f();
  await settle();
  assert.equal(calls.length, 3);
  assert.equal(timers.length, 0, 'answered: no more retries');
  rt.consent({ analytics: true });
  rt.consent({ analytics: false });
  await settle();
  assert.equal(calls.length, 4);
  const down = withForget(() => ({ throw: true }));
  down.rt.restore();
  down.rt.consent({ analytics: true });
  down.rt.consent({ analytics: false });
  await settle();
  down.rt.consent({ analytics: true });
  down.timers.shift().f();
  await settle();
  assert.equal(down.calls.length, 1, 'consent granted again: the new cookie is wanted');
  assert.deepEqual(logs.filter((l) => l[0] === 'error'), []);
});

// Session 9: a failed forget was lost when the page closed before its retry.
test('a forget not delivered is remembered in storage and sent first by the next page', async () => {
  const { rt, calls, timers, ls } = withForget(() => ({ throw: true }));
  rt.restore();
  rt.consent({ analytics: true });
  rt.consent({ analytics: false });
  await settle();
  assert.equal(calls.length, 1);
  assert.equal(timers.length, 1, 'a retry is planned');
  assert.equal(FORGET_KEY, 'rl:forget');
  assert.equal(ls.getItem(FORGET_KEY), '1', 'and remembered, in case the page closes first');
  rt.dispose(); // the page closes before the retry

  // The next page, on the same storage: the forget goes before anything else.
  const store = safeStore(() => ls);
  const calls2 = [];
  const sent = [];
  const next = new Runtime({
    engine: { restore: () => ({ state: { v: 1, consent: { analytics: false } }, persist: false }), observe: () => ({}) },
    store, queue: new EventQueue(store, 100, () => 1), transport: { notify: () => sent.push('events'), setAnonymous: () => {} },
    context: () => ({}), uuid: () => 'x', now: () => 1, log: () => {}, consentRequired: true,
    fetch: (url) => { calls2.push(url); sent.push('forget'); return Promise.resolve({ status: 200 }); },
    forgetUrl: 'https://c.example/v1/forget', setTimeout: () => {},
  });
  next.restore();
  next.resumeForget();
  assert.deepEqual(calls2, ['https://c.example/v1/forget']);
  await settle();
  assert.equal(ls.getItem(FORGET_KEY), null, 'answered: forgotten');
  next.resumeForget();
  assert.equal(calls2.length, 1, 'once');

  // Consent granted again before the next page could send it: dropped, unsent.
  ls.setItem(FORGET_KEY, '1');
  const granted = new Runtime({
    engine: { restore: () => ({ state: { v: 1, consent: { analytics: true } } }), observe: () => ({}) },
    store, queue: new EventQueue(store, 100, () => 1), transport: { notify: () => {}, setAnonymous: () => {} },
    context: () => ({}), uuid: () => 'x', now: () => 1, log: () => {}, consentRequired: true,
    fetch: (url) => { calls2.push(url); return Promise.resolve({ status: 200 }); },
    forgetUrl: 'https://c.example/v1/forget', setTimeout: () => {},
  });
  granted.restore();
  granted.resumeForget();
  assert.equal(calls2.length, 1);
  assert.equal(ls.getItem(FORGET_KEY), null);
});

test('a withdrawal made in another tab is followed here without a second forget', async () => {
  const { rt, calls, modes } = withForget();
  rt.restore();
  rt.consent({ analytics: true });
  rt.consent({ analytics: false }, true);
  await settle();
  assert.equal(calls.length, 0);
  assert.equal(modes.at(-1), true, 'but this tab sends without cookies from now on');
});

test('queued events on withdrawal: sent by default, dropped with queued "drop"; nothing else stays', async () => {
  for (const policy of [undefined, 'send', 'drop']) {
    const { rt, queue, ls } = withForget();
    rt.restore();
    rt.consent({ analytics: true });
    rt.track('custom.clicked', {});
    rt.track('custom.clicked', {});
    assert.equal(queue.size(), 2);
    rt.consent(policy ? { analytics: false, queued: policy } : { analytics: false });
    rt.track('custom.after', {});
    const keys = Object.keys(Object.fromEntries(ls.map)).sort();
    if (policy === 'drop') {
      assert.equal(queue.size(), 0);
      assert.deepEqual(keys, [], 'no queue, no state (consent required, withdrawn)');
    } else {
      assert.deepEqual(queue.list().map((e) => e.type), ['custom.clicked', 'custom.clicked'], 'captured with consent: sent');
      assert.deepEqual(keys, ['rl:q:id2', 'rl:q:id3'], 'only those events, no state');
    }
  }
  const { rt, logs } = withForget();
  rt.consent({ analytics: false, queued: 'later' });
  assert.match(logs.at(-1)[1], /queued: must be "send" or "drop"/);
});
