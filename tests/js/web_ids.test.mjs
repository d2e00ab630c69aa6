import { test } from 'node:test';
import assert from 'node:assert/strict';
import { webcrypto } from 'node:crypto';
import { importWeb } from './web_support.mjs';

const { uuid } = await importWeb('ids');
const V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const crypto = { getRandomValues: (a) => webcrypto.getRandomValues(a) };

test('ids are UUID version 7, unique, from getRandomValues', () => {
  const ids = new Set(Array.from({ length: 500 }, () => uuid(crypto, 1_750_000_000_000)));
  assert.equal(ids.size, 500);
  for (const id of ids) assert.match(id, V7);
});

test('the first 48 bits are the creation time, so ids sort by time', () => {
  const t = Date.UTC(2026, 10, 29, 23, 0, 0, 123);
  const id = uuid(crypto, t);
  assert.equal(parseInt(id.slice(0, 8) + id.slice(9, 13), 16), t);
  const later = uuid(crypto, t + 1);
  const muchLater = uuid(crypto, t + 86_400_000);
  assert.ok(id < later && later < muchLater, `${id} < ${later} < ${muchLater}`);
  // Zero-padded: an early time still gives 12 hex digits.
  assert.match(uuid(crypto, 1), /^00000000-0001-7/);
});

test('without getRandomValues (very old engines) the id is still a well-formed, unique v7', () => {
  const ids = new Set(Array.from({ length: 200 }, () => uuid(undefined, 1_750_000_000_000)));
  assert.equal(ids.size, 200);
  for (const id of ids) assert.match(id, V7);
});

test('the random part really comes from getRandomValues', () => {
  const fixed = { getRandomValues: (a) => a.fill(0xff) };
  assert.equal(uuid(fixed, 0), '00000000-0000-7fff-bfff-ffffffffffff');
});
