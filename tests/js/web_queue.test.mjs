import { test } from 'node:test';
import assert from 'node:assert/strict';
import { importWeb, FakeStorage, event } from './web_support.mjs';

const { EventQueue, QUEUE_PREFIX } = await importWeb('queue');
const { safeStore, memoryStore } = await importWeb('storage');

let t = 0;
const now = () => ++t;

test('events come back oldest first and survive a new queue on the same storage', () => {
  const ls = new FakeStorage();
  const q = new EventQueue(safeStore(() => ls), 10, now);
  q.add([event('a'), event('b')]);
  q.add([event('c')]);
  const again = new EventQueue(safeStore(() => ls), 10, now);
  assert.deepEqual(again.list().map((e) => e.id), ['a', 'b', 'c']);
  again.remove(['b']);
  assert.deepEqual(q.list().map((e) => e.id), ['a', 'c']);
});

test('a full queue drops the oldest analytics events first and counts them', () => {
  const q = new EventQueue(memoryStore(), 3, now);
  q.add([event('p1', 'purchase'), event('v1'), event('v2')]);
  q.add([event('v3'), event('v4')]);
  assert.deepEqual(q.list().map((e) => e.id), ['p1', 'v3', 'v4']);
  assert.equal(q.lost(), 2);
  q.clearLost(2);
  assert.equal(q.lost(), 0);
});

test('when only priority events are left, the oldest of them goes', () => {
  const q = new EventQueue(memoryStore(), 2, now);
  q.add([event('p1', 'purchase'), event('p2', 'identify'), event('p3', 'optin')]);
  assert.deepEqual(q.list().map((e) => e.id), ['p2', 'p3']);
  assert.equal(q.lost(), 1);
});

test('a corrupt entry is removed and does not block the others', () => {
  const ls = new FakeStorage();
  const q = new EventQueue(safeStore(() => ls), 10, now);
  q.add([event('good')]);
  ls.setItem(QUEUE_PREFIX + 'bad', '{not json');
  ls.setItem(QUEUE_PREFIX + 'other', JSON.stringify({ e: { id: 'mismatch' }, t: 1, n: 1 }));
  assert.deepEqual(q.list().map((e) => e.id), ['good']);
  assert.equal(ls.getItem(QUEUE_PREFIX + 'bad'), null);
  assert.equal(ls.getItem(QUEUE_PREFIX + 'other'), null);
});

test('QuotaExceededError makes room by dropping old analytics events, never throws', () => {
  const ls = new FakeStorage({ quota: 900 });
  const q = new EventQueue(safeStore(() => ls), 100, now);
  let dropped = 0;
  for (let i = 0; i < 20; i++) dropped += q.add([event('e' + i)]);
  const ids = q.list().map((e) => e.id);
  assert.ok(ids.includes('e19'), 'the newest event is kept');
  assert.ok(!ids.includes('e0'), 'the oldest was dropped');
  assert.ok(dropped > 0, 'the loss is reported');
  assert.equal(ids.length + dropped, 20, 'every event is either queued or counted as lost');
});

test('a storage filled by the page never costs a priority event: the new event waits in memory instead', () => {
  const ls = new FakeStorage({ quota: 2000 });
  const q = new EventQueue(safeStore(() => ls), 100, now);
  q.add([event('buy-1', 'purchase')]);
  for (let i = 0; ; i++) { try { ls.setItem('site:' + i, 'x'.repeat(50)); } catch { break; } }
  assert.equal(q.add([event('pv-1', 'page_view'), event('id-1', 'identify')]), 0);
  assert.deepEqual(q.list().map((e) => e.id), ['buy-1', 'pv-1', 'id-1']);
  assert.equal(q.lost(), 0);
  assert.notEqual(ls.getItem(QUEUE_PREFIX + 'buy-1'), null, 'the order stays persisted');
});

test('when storage refuses every write, events are kept in memory', () => {
  const ls = new FakeStorage();
  const store = safeStore(() => ls);
  const q = new EventQueue(store, 10, now);
  ls.failAll = true;
  q.add([event('m1'), event('m2')]);
  assert.deepEqual(q.list().map((e) => e.id), ['m1', 'm2']);
  q.remove(['m1']);
  assert.deepEqual(q.list().map((e) => e.id), ['m2']);
});

test('disabled storage (throwing getter) falls back to memory', () => {
  const store = safeStore(() => { throw Object.assign(new Error('no'), { name: 'SecurityError' }); });
  assert.equal(store.durable, false);
  assert.equal(store.set('k', 'v'), true);
  assert.equal(store.get('k'), 'v');
});

// A Web Storage that records every call that could write.
class SpyStorage extends FakeStorage {
  constructor() { super(); this.writes = []; }
  setItem(k, v) { this.writes.push(['set', k]); super.setItem(k, v); }
  removeItem(k) { this.writes.push(['remove', k]); super.removeItem(k); }
}

test('opening the storage writes nothing (no probe key before consent)', () => {
  const ls = new SpyStorage();
  const store = safeStore(() => ls);
  assert.equal(store.durable, true);
  assert.equal(store.get('rl:state'), null);
  assert.deepEqual(store.keys('rl:'), []);
  assert.deepEqual(ls.writes, [], 'no write at all until the runtime stores something');
  assert.equal(store.set('k', 'v'), true);
  assert.deepEqual(ls.writes, [['set', 'k']], 'the first real write is the only probe');
});

test('a storage that refuses its first write for another reason than quota falls back to memory', () => {
  const failing = new FakeStorage();
  failing.failAll = true;
  const store = safeStore(() => failing);
  assert.equal(store.set('k', 'v'), true);
  assert.equal(store.durable, false);
  assert.equal(store.get('k'), 'v');
  assert.deepEqual(store.keys('k'), ['k']);
  const full = new FakeStorage({ quota: 0 });
  const quota = safeStore(() => full);
  assert.equal(quota.set('k', 'v'), false, 'a full storage is still the storage (the queue makes room)');
  assert.equal(quota.durable, true);
});

test('clear() removes every queued event and the lost count', () => {
  const ls = new FakeStorage();
  const q = new EventQueue(safeStore(() => ls), 2, now);
  q.add([event('c1'), event('c2'), event('c3')]);
  assert.ok(q.lost() > 0);
  q.clear();
  assert.equal(q.size(), 0);
  assert.equal(q.lost(), 0);
  assert.deepEqual(Object.keys(Object.fromEntries(ls.map)), []);
});
