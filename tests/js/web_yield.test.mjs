// nextTask() (web/src/yield.ts): resolves after the current task, not as a
// microtask, so start-up steps separated by it run in tasks of their own.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { importWeb } from './web_support.mjs';

const { nextTask } = await importWeb('yield');

test('nextTask resolves after the microtasks of the current task', async () => {
  const order = [];
  const done = nextTask().then(() => order.push('next task'));
  Promise.resolve().then(() => order.push('microtask'));
  await done;
  assert.equal(order[0], 'microtask');
  assert.deepEqual(order, ['microtask', 'next task']);
});

test('without MessageChannel it falls back to a timer', async () => {
  const saved = globalThis.MessageChannel;
  globalThis.MessageChannel = undefined;
  try {
    let resolved = false;
    const p = nextTask().then(() => { resolved = true; });
    await Promise.resolve();
    assert.equal(resolved, false, 'not a microtask');
    await p;
    assert.equal(resolved, true);
  } finally {
    globalThis.MessageChannel = saved;
  }
});
