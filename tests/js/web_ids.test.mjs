import { test } from 'node:test';
import assert from 'node:assert/strict';
import { webcrypto } from 'node:crypto';
import { importWeb } from './web_support.mjs';

const { uuid } = await importWeb('ids');
const V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

test('randomUUID when the browser has it', () => {
  assert.equal(uuid({ randomUUID: () => 'from-random-uuid' }), 'from-random-uuid');
});

test('getRandomValues when randomUUID is missing or refuses (insecure context)', () => {
  const c = { getRandomValues: (a) => webcrypto.getRandomValues(a) };
  const ids = new Set(Array.from({ length: 200 }, () => uuid(c)));
  assert.equal(ids.size, 200);
  for (const id of ids) assert.match(id, V4);
  const refusing = { randomUUID: () => { throw new Error('insecure'); }, getRandomValues: c.getRandomValues };
  assert.match(uuid(refusing), V4);
});
