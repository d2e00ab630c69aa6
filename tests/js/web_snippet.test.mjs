import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import vm from 'node:vm';
import { importWeb, FakeStorage } from './web_support.mjs';

const snippetSource = fs.readFileSync(new URL('../../web/snippet/snippet.js', import.meta.url), 'utf8')
  .replace('__RELANCE_BASE__', 'https://collect.example')
  .replace('__RELANCE_TAG__', 'relance.0123456789.js')
  .replace('__RELANCE_WASM__', 'relance.abcdef0123.wasm');

// A fake MessageChannel: a posted message waits in `tasks` (a task of its
// own in a browser) until the test runs it.
function fakeChannel(tasks) {
  return class {
    constructor() {
      this.port1 = { onmessage: null };
      this.port2 = { postMessage: (data) => { tasks.push(() => this.port1.onmessage({ data })); } };
    }
  };
}

// Runs the snippet in a fake page. `browser` adds fetch and WebAssembly
// (recorded in `fetches` and `compiled`); without it, as in an old browser,
// the snippet starts nothing and only the tag is loaded. `fireLoad` dispatches
// the load event; `runTasks` runs the messages posted meanwhile.
function runSnippet(readyState = 'loading', browser = false) {
  const appended = [];
  const listeners = {};
  const fetches = [];
  const compiled = [];
  const document = {
    readyState,
    createElement: (tag) => ({ tag }),
    head: { appendChild: (el) => appended.push(el) },
  };
  const window = { addEventListener: (type, f) => { listeners[type] = f; } };
  const timers = [];
  const tasks = [];
  const globals = { window, document, setTimeout: (f) => { timers.push(f); }, MessageChannel: fakeChannel(tasks) };
  if (browser) {
    globals.fetch = (url, init) => {
      const p = Promise.resolve({ url, ok: true });
      fetches.push({ url, init, promise: p });
      return p;
    };
    globals.WebAssembly = { compileStreaming: (response) => { compiled.push(response); return Promise.resolve('module'); } };
  }
  vm.runInNewContext(snippetSource, globals);
  const runTimer = () => timers.shift()();
  const runTimers = () => { while (timers.length) runTimer(); };
  const runTasks = () => { while (tasks.length) tasks.shift()(); };
  return { window, appended, fetches, compiled, runTimer, runTimers, runTasks, tasks, fireLoad: () => listeners.load && listeners.load() };
}

test('the snippet queues commands in order and loads the tag after the load event, in a task of its own', () => {
  const { window, appended, fireLoad, runTasks, tasks } = runSnippet();
  window.relance('consent', { analytics: true });
  window.relance('track', 'add_to_cart', { quantity: 1 });
  window.relance('identify', 'u1', { plan: 'pro' });
  assert.deepEqual(JSON.parse(JSON.stringify(Array.from(window.relance.q, (a) => Array.from(a)))), [
    ['consent', { analytics: true }],
    ['track', 'add_to_cart', { quantity: 1 }],
    ['identify', 'u1', { plan: 'pro' }],
  ]);
  assert.equal(appended.length, 0, 'nothing loads before the page has');
  fireLoad();
  assert.equal(appended.length, 0, 'not in the load event\'s task: requesting a script takes a few ms');
  assert.equal(tasks.length, 1, 'one message posted');
  runTasks();
  assert.equal(appended.length, 1);
  assert.equal(appended[0].tag, 'script');
  assert.equal(appended[0].async, true);
  assert.equal(appended[0].src, 'https://collect.example/relance.0123456789.js');
});

test('the snippet starts the configuration, the engine and the tag downloads at once, for the tag to pick up', async () => {
  const { window, appended, fetches, compiled, runTimer, runTimers, runTasks, fireLoad } = runSnippet('loading', true);
  assert.equal(fetches.length, 0, 'not in the parser\'s task: a page\'s first fetch() has a set-up cost');
  runTimer();
  assert.deepEqual(fetches.map((f) => f.url), [
    'https://collect.example/v1/config',
    'https://collect.example/relance.abcdef0123.wasm',
  ], 'the tag\'s download in a task of its own: each request costs a few ms');
  runTimers();
  assert.deepEqual(fetches.map((f) => f.url), [
    'https://collect.example/v1/config',
    'https://collect.example/relance.abcdef0123.wasm',
    'https://collect.example/relance.0123456789.js',
  ]);
  assert.equal(fetches[0].init.credentials, 'omit', 'the configuration is public: no cookies');
  // The tag's request matches the script's (no-cors, with credentials), so
  // the script finds it in the HTTP cache.
  assert.deepEqual({ ...fetches[2].init }, { mode: 'no-cors', credentials: 'include' });
  assert.equal(compiled.length, 1);
  assert.equal(compiled[0], fetches[1].promise, 'the engine compiles from the streamed response');
  assert.equal(window.relance.p.config, fetches[0].promise);
  assert.equal(await window.relance.p.wasm, 'module');
  assert.equal(window.relance.p.wasmUrl, 'https://collect.example/relance.abcdef0123.wasm');
  assert.equal(appended.length, 0, 'fetch() does not delay the load event; a script would, so it waits');
  fireLoad();
  runTasks();
  assert.equal(appended[0].src, 'https://collect.example/relance.0123456789.js');
});

test('a snippet run after load loads the tag at once (in the next task)', () => {
  const { appended, runTasks } = runSnippet('complete');
  runTasks();
  assert.equal(appended.length, 1);
});

test('in a browser without fetch or streaming compilation the snippet starts nothing and still loads the tag', () => {
  const { window, appended, runTimers, runTasks, fireLoad } = runSnippet('loading', false);
  runTimers();
  assert.equal(window.relance.p, undefined, 'nothing for the tag to pick up: it fetches everything itself');
  fireLoad();
  runTasks();
  assert.equal(appended.length, 1);
});

test('pasting the snippet twice keeps one queue and loads once', () => {
  const appended = [];
  const document = { readyState: 'complete', createElement: (tag) => ({ tag }), head: { appendChild: (el) => appended.push(el) } };
  const window = { addEventListener: () => {} };
  const tasks = [];
  const globals = { window, document, setTimeout, MessageChannel: fakeChannel(tasks) };
  vm.runInNewContext(snippetSource, globals);
  window.relance('track', 'custom.a');
  vm.runInNewContext(snippetSource, globals);
  while (tasks.length) tasks.shift()();
  assert.equal(appended.length, 1);
  assert.equal(window.relance.q.length, 1);
});

test('the tag replays the queue: consent and debug first, then the page view, then the rest in order', async () => {
  const { boot } = await importWeb('boot');
  const { window: w } = runSnippet();
  w.relance('track', 'custom.first');
  w.relance('consent', { analytics: true });
  w.relance('identify', 'u1');
  const seen = [];
  const core = { createEngine: () => ({
    restore: () => ({}),
    observe: (s) => { seen.push(s.type === 'track' ? s.props.event : s.type); return {}; },
    state: () => ({}),
  }) };
  const listeners = {};
  const fakeWindow = {
    localStorage: new FakeStorage(), fetch: async () => ({ status: 200 }), navigator: { userAgent: 'x', language: 'en' },
    location: { href: 'https://shop.example/' }, document: { title: 't', referrer: '' }, innerWidth: 1000, innerHeight: 800,
    setTimeout, clearTimeout, addEventListener: (t, f) => { listeners[t] = f; }, removeEventListener: () => {},
  };
  const inst = await boot({ window: fakeWindow, core, config: {}, origin: '', queued: w.relance.q, autoCapture: false });
  assert.deepEqual(seen, ['consent', 'custom.first', 'identify']);
  inst.command('page', []);
  assert.equal(seen.at(-1), 'page_view');
  inst.shutdown();
});

test('boot runs in steps; commands made between them are replayed in order, consent still before the page view', async () => {
  const { boot } = await importWeb('boot');
  const seen = [];
  let engines = 0;
  const core = { createEngine: () => {
    engines += 1;
    seen.push('engine');
    return {
      restore: () => { seen.push('restore'); return {}; },
      observe: (s) => { seen.push(s.type === 'track' ? s.props.event : s.type); return {}; },
      state: () => ({}),
    };
  } };
  const fakeWindow = {
    localStorage: new FakeStorage(), fetch: async () => ({ status: 200 }), navigator: { userAgent: 'x', language: 'en' },
    location: { href: 'https://shop.example/' }, document: { title: 't', referrer: '' }, innerWidth: 1000, innerHeight: 800,
    setTimeout, clearTimeout, addEventListener: () => {}, removeEventListener: () => {},
  };
  const queue = [['track', 'custom.first']];
  // The page keeps calling relance() while the runtime boots: the last three
  // pauses each let one more command in.
  const during = [null, null, ['consent', { analytics: true }], ['track', 'custom.second'], ['identify', 'u1']];
  let pauses = 0;
  const pause = async () => {
    pauses += 1;
    seen.push('pause');
    const c = during.shift();
    if (c) queue.push(c);
  };
  const inst = await boot({ window: fakeWindow, core, config: {}, origin: '', queued: queue, autoCapture: false }, pause);
  assert.equal(engines, 1);
  assert.equal(pauses, 5);
  assert.deepEqual(seen, [
    'pause', // localStorage opened
    'engine', 'pause', 'restore', 'pause', // assembled and restored
    'pause', // listening
    'consent', // queued before the first page view: applied first
    'pause', 'custom.first', 'custom.second', 'identify',
  ]);
  assert.equal(queue.length, 0, 'the queue is drained');
  inst.shutdown();
});

test('retrying: tried again with growing waits until it resolves; rejects after the last try', async () => {
  const { retrying } = await importWeb('boot');
  const waits = [];
  const wait = async (ms) => { waits.push(ms); };
  let calls = 0;
  const value = await retrying(async () => { if (++calls < 4) throw new Error('down'); return 'config'; }, 10, wait);
  assert.equal(value, 'config');
  assert.equal(calls, 4);
  assert.equal(waits.length, 3);
  assert.ok(waits[0] >= 500 && waits[0] <= 1000 && waits[2] >= 2000 && waits[2] <= 4000, waits.join(' '));
  calls = 0;
  await assert.rejects(retrying(async () => { calls++; throw new Error('gone'); }, 3, wait), /gone/);
  assert.equal(calls, 3);
});
