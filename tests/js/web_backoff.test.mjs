import { test } from 'node:test';
import assert from 'node:assert/strict';
import { importWeb } from './web_support.mjs';

const { retryDelayMs, parseRetryAfter } = await importWeb('backoff');
const NOW = Date.parse('2026-01-01T00:00:00Z');

test('delays grow exponentially within [d/2, d] and stop at the cap', () => {
  for (const [attempt, d] of [[0, 1000], [1, 2000], [3, 8000], [10, 60000]]) {
    assert.equal(retryDelayMs(attempt, null, () => 0, NOW), d / 2);
    assert.equal(retryDelayMs(attempt, null, () => 0.999999, NOW), d);
  }
});

test('jitter spreads retries', () => {
  const values = new Set([0.1, 0.5, 0.9].map((x) => retryDelayMs(2, null, () => x, NOW)));
  assert.equal(values.size, 3);
});

test('Retry-After in seconds or as a date is a minimum', () => {
  assert.equal(retryDelayMs(0, '30', () => 0, NOW), 30000);
  assert.equal(retryDelayMs(0, new Date(NOW + 12000).toUTCString(), () => 0, NOW), 12000);
  assert.equal(retryDelayMs(5, '1', () => 0, NOW), 16000, 'a short Retry-After does not shorten the backoff');
  assert.equal(retryDelayMs(0, '99999', () => 0, NOW), 600000, 'bounded');
});

test('unreadable Retry-After is ignored', () => {
  assert.equal(parseRetryAfter('soon', NOW), null);
  assert.equal(parseRetryAfter(null, NOW), null);
  assert.equal(retryDelayMs(0, 'soon', () => 0, NOW), 500);
});
