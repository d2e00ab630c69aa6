import { test } from 'node:test';
import assert from 'node:assert/strict';
import { importWeb, FakeStorage, FakeClock, event, settle } from './web_support.mjs';

const { Transport, EventQueue, SendLease, safeStore, memoryStore } = await importWeb('transport_test_entry');

// A fake collector: answers with `respond(batch, n)` and records what it got.
function collector(respond = () => ({ status: 200 })) {
  const c = { requests: [], received: new Set(), beacons: [] };
  c.fetch = async (url, init) => {
    const batch = JSON.parse(init.body).events;
    c.requests.push({ url, init, ids: batch.map((e) => e.id) });
    const r = respond(batch, c.requests.length);
    if (r.throw) throw new TypeError('Failed to fetch');
    if (r.status === 200) for (const e of batch) c.received.add(e.id);
    const headers = new Map(Object.entries(r.headers || {}));
    return { status: r.status, headers: { get: (k) => headers.get(k.toLowerCase()) ?? null },
      text: async () => JSON.stringify(r.body || { accepted: batch.length, duplicates: 0, rejected: [] }) };
  };
  c.beacon = (url, body) => { c.beacons.push(JSON.parse(body).events.map((e) => e.id)); return true; };
  return c;
}

function setup(c, { ls = new FakeStorage(), clock = new FakeClock(), tab = 'tab1', batchSize = 3, flushMs = 1000, store = safeStore(() => ls) } = {}) {
  const queue = new EventQueue(store, 100, clock.now);
  const logs = [];
  const t = new Transport({
    queue, lease: new SendLease(store, tab, clock.now), endpoint: '/v1/events', fetch: c.fetch, beacon: c.beacon,
    now: clock.now, random: () => 0.5, setTimeout: clock.setTimeout, clearTimeout: clock.clearTimeout,
    log: (level, m) => logs.push([level, m]), batchSize, flushMs, durable: () => store.durable,
  });
  const add = (...ids) => { queue.add(ids.map((id) => event(id))); t.notify(); };
  return { t, queue, clock, logs, add, ls };
}

test('a full batch goes at once in batches of batch_size, with keepalive and credentials', async () => {
  const c = collector();
  const { add, clock, queue } = setup(c);
  add('a', 'b', 'c', 'd');
  await clock.advance(0);
  assert.equal(c.requests[0].init.keepalive, true);
  assert.equal(c.requests[0].init.credentials, 'include');
  assert.equal(c.requests[0].init.method, 'POST');
  assert.deepEqual(c.requests.map((r) => r.ids), [['a', 'b', 'c'], ['d']]);
  assert.equal(queue.size(), 0);
});

test('a partial batch waits for the delay', async () => {
  const c = collector();
  const { add, clock } = setup(c);
  add('a');
  await clock.advance(999);
  assert.equal(c.requests.length, 0);
  await clock.advance(1);
  assert.equal(c.requests.length, 1);
});

test('503 with Retry-After: kept, retried after the given time, then delivered once', async () => {
  const c = collector((batch, n) => (n <= 2 ? { status: 503, headers: { 'retry-after': '5' } } : { status: 200 }));
  const { add, clock, queue } = setup(c);
  add('a', 'b', 'c');
  await clock.advance(0);
  assert.equal(c.requests.length, 1);
  await clock.advance(4999);
  assert.equal(c.requests.length, 1, 'Retry-After honoured');
  assert.equal(queue.size(), 3, 'nothing lost meanwhile');
  await clock.advance(1);
  assert.equal(c.requests.length, 2);
  await clock.advance(5000);
  assert.equal(c.requests.length, 3);
  assert.deepEqual([...c.received].sort(), ['a', 'b', 'c']);
  assert.equal(queue.size(), 0);
  assert.deepEqual(c.requests.map((r) => r.ids.join()), ['a,b,c', 'a,b,c', 'a,b,c'], 'same ids on every try');
});

test('network errors back off exponentially', async () => {
  const c = collector((b, n) => (n <= 3 ? { throw: true } : { status: 200 }));
  const { add, clock, queue } = setup(c);
  add('a', 'b', 'c');
  await clock.advance(0);
  const times = [clock.now()];
  for (let i = 0; i < 3; i++) {
    const before = c.requests.length;
    while (c.requests.length === before) await clock.advance(50);
    times.push(clock.now());
  }
  const gaps = times.slice(1).map((x, i) => x - times[i]);
  assert.ok(gaps[1] > gaps[0] && gaps[2] > gaps[1], `growing gaps ${gaps}`);
  assert.equal(queue.size(), 0);
});

test('200 with rejected events removes exactly those and says why on the console', async () => {
  const c = collector((batch) => ({ status: 200, body: { accepted: 2, duplicates: 0,
    rejected: [{ index: 1, id: batch[1].id, errors: [{ path: '/properties/quantity', message: 'must be a positive integer' }] }] } }));
  const { add, clock, queue, logs } = setup(c);
  add('a', 'b', 'c');
  await clock.advance(0);
  assert.equal(queue.size(), 0);
  assert.equal(logs.length, 1);
  assert.match(logs[0][1], /b: \/properties\/quantity: must be a positive integer/);
});

test('a 400 for a whole batch is split until the bad event is found and dropped', async () => {
  const c = collector((batch) => (batch.some((e) => e.id === 'bad') ? { status: 400 } : { status: 200 }));
  const { add, clock, queue, logs } = setup(c, { batchSize: 4 });
  add('a', 'bad', 'c', 'd');
  await clock.advance(10);
  await clock.advance(2000);
  assert.deepEqual([...c.received].sort(), ['a', 'c', 'd']);
  assert.equal(queue.size(), 0);
  assert.ok(logs.some(([, m]) => /bad.*HTTP 400/.test(m)));
});

test('two tabs on one storage: only the lease holder sends, the other takes over when it leaves', async () => {
  const c = collector();
  const ls = new FakeStorage();
  const clock = new FakeClock();
  const A = setup(c, { ls, clock, tab: 'A' });
  const B = setup(c, { ls, clock, tab: 'B' });
  A.add('a1');
  B.add('b1');
  await clock.advance(1000);
  await clock.advance(1000);
  const ids = c.requests.flatMap((r) => r.ids);
  assert.deepEqual(ids.sort(), ['a1', 'b1'], 'each event sent once');
  B.add('b2');
  await clock.advance(1000);
  A.t.stop();
  await clock.advance(15000);
  assert.deepEqual([...c.received].sort(), ['a1', 'b1', 'b2']);
  assert.equal(A.queue.size(), 0);
});

test('page hide hands pending events to sendBeacon and keeps them until acknowledged', async () => {
  const c = collector(() => ({ throw: true }));
  const { add, t, clock, queue } = setup(c);
  add('a', 'b');
  t.flushOnHide();
  assert.deepEqual(c.beacons, [['a', 'b']]);
  assert.equal(queue.size(), 2);
  await clock.advance(0);
});

// Session 9: the beacon went even while the collector's Retry-After ran.
test('page hide respects a 429 / 5xx backoff: the events wait in the queue for the next page', async () => {
  for (const status of [429, 503]) {
    const c = collector((batch, n) => (n === 1 ? { status, headers: { 'retry-after': '30' } } : { throw: true }));
    const { add, t, clock, queue } = setup(c);
    add('a', 'b', 'c');
    await clock.advance(0);
    assert.equal(c.requests.length, 1);
    assert.ok(t.backingOff);
    t.flushOnHide();
    assert.deepEqual(c.beacons, [], `no beacon during the collector's wait (${status})`);
    assert.equal(queue.size(), 3, 'kept for the next page');
    await clock.advance(30000); // the retry meets a network error: the browser's own wait, not the server's
    t.flushOnHide();
    assert.equal(c.beacons.length, 1, 'the beacon goes again');
  }
  // A wait after a network error is the browser's own guess: the beacon still tries.
  const offline = collector(() => ({ throw: true }));
  const o = setup(offline);
  o.add('a', 'b', 'c');
  await o.clock.advance(0);
  assert.ok(o.t.backingOff);
  o.t.flushOnHide();
  assert.deepEqual(offline.beacons, [['a', 'b', 'c']]);
  // A queue in memory only dies with the page: the beacon is its only chance.
  const memory = collector(() => ({ status: 429, headers: { 'retry-after': '30' } }));
  const m = setup(memory, { store: memoryStore() });
  m.add('a', 'b', 'c');
  await m.clock.advance(0);
  m.t.flushOnHide();
  assert.deepEqual(memory.beacons, [['a', 'b', 'c']]);
});

test('a reload mid-send: the new page re-sends the same ids', async () => {
  let hang;
  const c = collector();
  const slowFetch = (url, init) => { c.requests.push({ ids: JSON.parse(init.body).events.map((e) => e.id) }); return new Promise((r) => { hang = r; }); };
  const ls = new FakeStorage();
  const clock = new FakeClock();
  const first = setup({ ...c, fetch: slowFetch }, { ls, clock, tab: 'page1' });
  first.add('a', 'b', 'c');
  await clock.advance(0);
  first.t.stop(); // the page is gone; its request never answers
  ls.removeItem('rl:lease'); // released on pagehide
  const second = setup(c, { ls, clock, tab: 'page2' });
  second.t.notify();
  await clock.advance(1000);
  assert.deepEqual(c.requests.map((r) => r.ids.join()), ['a,b,c', 'a,b,c']);
  assert.equal(second.queue.size(), 0);
  assert.ok(hang);
  await settle();
});

test('a batch of non-Latin text stays within the keepalive budget in UTF-8 bytes (64 KiB)', async () => {
  const c = collector();
  const { queue, t, clock } = setup(c, { batchSize: 20 });
  // 12 KB of UTF-8 per event but only 4,100 UTF-16 units: 20 of them made a
  // 240 KB body when the budget was counted in units, refused by keepalive.
  const text = '\u6f22'.repeat(680);
  queue.add(Array.from({ length: 20 }, (_, i) => event('e' + i, 'custom.big', { properties: { a: text, b: text, c: text, d: text, e: text, f: text } })));
  t.flushOnHide(); // the beacon has the same budget
  assert.equal(c.beacons.length, 1);
  assert.ok(c.beacons[0].length >= 1 && c.beacons[0].length <= 5, `${c.beacons[0].length} events in one beacon`);
  t.notify();
  for (let i = 0; i < 10; i++) await clock.advance(0);
  for (const r of c.requests) {
    const bytes = Buffer.byteLength(r.init.body);
    assert.ok(bytes <= 65536, `a body of ${bytes} bytes`);
  }
  assert.equal(c.received.size, 20);
});

test('entering anonymous mode with nothing to send leaves no lease in storage', async () => {
  const c = collector();
  const { t, add, clock, ls } = setup(c);
  add('a');
  await clock.advance(1000);
  assert.equal(c.requests.length, 1);
  assert.deepEqual([...ls.map.keys()], ['rl:lease'], 'the lease stays while sending with consent');
  t.setAnonymous(true);
  assert.deepEqual([...ls.map.keys()], []);
});

test('anonymous mode (no analytics consent): no cookies sent or kept, and no beacon on page hide', async () => {
  const c = collector();
  const { t, add, clock, ls } = setup(c);
  t.setAnonymous(true);
  add('a', 'b', 'c');
  await clock.advance(0);
  assert.equal(c.requests[0].init.credentials, 'omit');
  add('d');
  t.flushOnHide();
  await settle();
  assert.deepEqual(c.beacons, [], 'a beacon always carries cookies');
  const hidden = c.requests[1];
  assert.deepEqual(hidden.ids, ['d']);
  assert.equal(hidden.init.credentials, 'omit');
  assert.equal(hidden.init.keepalive, true);
  assert.equal(hidden.init.headers['content-type'], 'text/plain', 'no preflight on the way out');
  await clock.advance(1000);
  assert.deepEqual(Object.keys(Object.fromEntries(ls.map)), [], 'queue delivered: not even the send lease stays');
  t.setAnonymous(false);
  add('e', 'f', 'g');
  await clock.advance(0);
  assert.equal(c.requests.at(-1).init.credentials, 'include');
});
