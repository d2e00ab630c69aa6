// The npm package "relance" (js-bindings/dist) as its users meet it: both
// entries load in Node, handles are freed by dispose() or by the finalizer,
// errors carry their paths, a bundled app works, importing needs no window.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const dist = path.join(root, 'js-bindings/dist');
const require = createRequire(import.meta.url);
const run = (file, args = []) => execFileSync(process.execPath, [...args, file], { encoding: 'utf8', cwd: root });

test('importing the package touches no window and starts nothing', () => {
  // A fresh process: importing must not throw without a DOM, nor read the wasm.
  const code = `import('relance').then((m) => console.log(typeof globalThis.window, typeof m.load, typeof m.RelanceError))`;
  for (const args of [['--input-type=module', '-e', code], ['-e', code.replace("import('relance')", "Promise.resolve(require('relance'))")]]) {
    const printed = execFileSync(process.execPath, args, { encoding: 'utf8', cwd: root }).trim();
    assert.equal(printed, 'undefined function function');
  }
});

test('the ESM entry (import "relance") loads and answers', async () => {
  const { load } = await import('relance');
  const core = await load();
  assert.equal(core.version, '0.1.0');
  assert.equal(core.evaluateCondition({ 'visitor.score': { $gte: 30 } }, { visitor: { score: 42 } }), true);
  assert.equal(core.evaluateCondition({ 'visitor.score': { $gte: 30 } }, { visitor: { score: 12 } }), false);
});

test('the CommonJS entry (require("relance")) loads and answers', async () => {
  const { load } = require('relance');
  assert.equal(require.resolve('relance'), path.join(dist, 'index.cjs'));
  const core = await load();
  assert.equal(core.evaluateCondition({ segment: { $in: ['vip', 'regular'] } }, { segment: 'vip' }), true);
  assert.deepEqual(core.validateEvent({ id: 'e', type: 'page_view', ts: 1700000000000, anonymous_id: 'a' }), { ok: true, errors: [] });
});

test('load() takes the wasm bytes, a compiled module or a URL', async () => {
  const { load } = await import('relance');
  const bytes = fs.readFileSync(path.join(dist, 'relance-core.wasm'));
  for (const options of [{ wasmBinary: bytes }, { wasmBinary: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length) },
    { wasmBinary: new WebAssembly.Module(bytes) }, { wasmUrl: new URL('file://' + path.join(dist, 'relance-core.wasm')) }]) {
    const core = await load(options);
    assert.equal(core.evaluateCondition({ a: 1 }, { a: 1 }), true);
  }
  await assert.rejects(load({ wasmUrl: new URL('file:///nonexistent/relance-core.wasm') }));
  await assert.rejects(load({ wasmBinary: new Uint8Array([0, 97, 115, 109, 9, 9, 9, 9]) }));
});

test('an invalid condition throws an Error whose message and .errors carry the paths', async () => {
  const { load, RelanceError } = await import('relance');
  const core = await load();
  const bad = { $and: [{ 'page.path': { $regex: '(' } }, { score: { $bogus: 1 } }] };
  for (const attempt of [() => core.evaluateCondition(bad, {}), () => core.compileCondition(bad)]) {
    assert.throws(attempt, (e) => {
      assert.ok(e instanceof Error && e instanceof RelanceError);
      const paths = e.errors.map((x) => x.path);
      assert.ok(paths.includes('/$and/1/score/$bogus'), JSON.stringify(e.errors));
      assert.match(e.message, /\/\$and\/1\/score\/\$bogus/);
      return true;
    });
  }
  // In a set, each path starts with the condition's index.
  assert.throws(() => core.compileConditions([{ a: 1 }, { b: { $nope: 2 } }]), (e) => e.errors[0].path === '/1/b/$nope');
  // An unreadable context is an error too, not a wrong answer.
  const c = core.compileCondition({ a: 1 });
  assert.throws(() => c.evaluate(undefined), TypeError);
  c.dispose();
});

test('compileCondition and compileConditions answer like evaluateCondition, with saved groups', async () => {
  const { load } = await import('relance');
  const core = await load();
  const conditions = [
    { 'page.path': { $regex: '^/products/' } },
    { 'visitor.score': { $gte: 30 }, segment: { $in: ['vip', 'regular'] } },
    { id: { $inGroup: 'vips' } },
    { $or: [{ 'cart.items': { $size: 0 } }, { 'cart.value': { $gt: 100 } }] },
  ];
  const groups = { vips: ['u1', 'u2'] };
  const contexts = [
    { page: { path: '/products/shoe' }, visitor: { score: 40 }, segment: 'vip', id: 'u1', cart: { items: [], value: 0 } },
    { page: { path: '/' }, visitor: { score: 10 }, segment: 'new', id: 'u9', cart: { items: [1], value: 150 } },
  ];
  const set = core.compileConditions(conditions);
  assert.equal(set.size, 4);
  const handles = conditions.map((c) => core.compileCondition(c));
  for (const ctx of contexts) {
    const one = conditions.map((c) => core.evaluateCondition(c, ctx, groups));
    assert.deepEqual(set.evaluateAll(ctx, groups), one);
    assert.deepEqual(handles.map((h) => h.evaluate(ctx, groups)), one);
  }
  assert.deepEqual(set.evaluateAll(contexts[0], groups), [true, true, true, true]);
  assert.deepEqual(set.evaluateAll(contexts[1], groups), [false, false, false, true]);
  assert.equal(set.evaluateAll(contexts[0])[2], false, 'no groups: $inGroup does not match');
  set.dispose();
  handles.forEach((h) => h.dispose());
});

test('dispose() frees a handle once; using it afterwards throws', async () => {
  const { load } = await import('relance');
  const core = await load();
  const c = core.compileCondition({ a: 1 });
  assert.equal(c.evaluate({ a: 1 }), true);
  c.dispose();
  c.dispose();  // a second dispose is harmless
  assert.throws(() => c.evaluate({ a: 1 }), /disposed/);
  const s = core.compileConditions([{ a: 1 }]);
  s.dispose();
  assert.throws(() => s.evaluateAll({ a: 1 }), /disposed/);
});

test('the FinalizationRegistry frees handles a caller forgets', () => {
  const script = `
    const { load, finalizedHandleCount } = await import('relance');
    const core = await load();
    (() => { for (let i = 0; i < 200; i++) core.compileCondition({ a: i }); })();
    const disposed = core.compileCondition({ a: 1 }); disposed.dispose();
    for (let round = 0; round < 50 && finalizedHandleCount() < 200; round++) {
      globalThis.gc();
      await new Promise((r) => setTimeout(r, 10));
    }
    console.log(finalizedHandleCount());`;
  const out = execFileSync(process.execPath, ['--expose-gc', '--input-type=module', '-e', script], { encoding: 'utf8', cwd: root }).trim();
  assert.equal(Number(out), 200, 'every forgotten handle (and not the disposed one) was freed');
});

test('validateEvent and validateEventText report paths and messages', async () => {
  const { load } = await import('relance');
  const core = await load();
  const r = core.validateEvent({ id: 'e', type: 'add_to_cart', ts: 1700000000000, anonymous_id: 'a',
    properties: { product: { id: 'p' }, quantity: 0, price: 1, currency: 'EUR' } });
  assert.deepEqual(r, { ok: false, errors: [{ path: '/properties/quantity', message: 'must be a positive integer' }] });
  assert.equal(core.validateEvent('page_view').ok, false);
  const broken = core.validateEventText('{"id": "e",');
  assert.equal(broken.ok, false);
  assert.match(broken.errors[0].message, /invalid JSON/);
  // A lone surrogate cannot be UTF-8: refused, not crashed.
  assert.equal(core.validateEventText('{"id":"\uD800","type":"page_view","ts":1700000000000,"anonymous_id":"a"}').ok, false);
  const circular = {}; circular.self = circular;
  assert.match(core.validateEvent(circular).errors[0].message, /not serializable/);
});

test('an app bundled with esbuild (import "relance") runs', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'relance-bundle-'));
  try {
    fs.writeFileSync(path.join(dir, 'app.mjs'), `
      import { load } from 'relance';
      const core = await load();
      const set = core.compileConditions([{ 'page.path': { $regex: '^/p/' } }, { score: { $gt: 5 } }]);
      console.log(JSON.stringify(set.evaluateAll({ page: { path: '/p/1' }, score: 3 })));`);
    await build({ entryPoints: [path.join(dir, 'app.mjs')], bundle: true, platform: 'node', format: 'esm',
      outfile: path.join(dir, 'out/app.mjs'), nodePaths: [path.join(root, 'node_modules')], logLevel: 'error' });
    // Bundlers copy the asset that new URL('./relance-core.wasm', import.meta.url) names.
    const bundled = fs.readFileSync(path.join(dir, 'out/app.mjs'), 'utf8');
    assert.match(bundled, /new URL\("\.\/relance-core\.wasm",\s*import\.meta\.url\)/);
    fs.copyFileSync(path.join(dist, 'relance-core.wasm'), path.join(dir, 'out/relance-core.wasm'));
    assert.equal(run(path.join(dir, 'out/app.mjs')).trim(), '[true,false]');
    // A browser bundle builds too: no Node built-in is pulled in.
    const web = await build({ entryPoints: [path.join(dir, 'app.mjs')], bundle: true, platform: 'browser', format: 'esm',
      write: false, nodePaths: [path.join(root, 'node_modules')], logLevel: 'error' });
    assert.doesNotMatch(web.outputFiles[0].text, /require\("(node:)?fs/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('the type declarations describe the API', () => {
  const dts = fs.readFileSync(path.join(dist, 'index.d.ts'), 'utf8') + fs.readFileSync(path.join(dist, 'types.d.ts'), 'utf8');
  for (const name of ['load', 'RelanceCore', 'evaluateCondition', 'compileCondition', 'compileConditions', 'evaluateAll',
    'validateEvent', 'createEngine', 'dispose', 'LoadOptions', 'wasmUrl', 'wasmBinary', 'PathError']) {
    assert.ok(dts.includes(name), name);
  }
});

test('createEngine: a bad configuration throws with paths; the events it emits pass validateEvent', async () => {
  const { load, RelanceError } = await import('relance');
  const core = await load();
  assert.throws(() => core.createEngine({ version: 1, session: { timeout_minutes: 'x' } }),
    (e) => e instanceof RelanceError && e.errors.some((x) => x.path === '/session/timeout_minutes'));
  const engine = core.createEngine({ version: 1, site: { id: 'demo', currency: 'EUR' } });
  const now = 1700000000000;
  assert.equal(typeof engine.restore('', now), 'object');
  const actions = engine.observe({ type: 'page_view', id: 'sig-1', context: { page: { url: 'https://shop.example/', path: '/' } } }, now);
  assert.ok(Array.isArray(actions.events) && actions.events.length > 0, JSON.stringify(actions));
  for (const ev of actions.events) assert.deepEqual(core.validateEvent(ev), { ok: true, errors: [] }, JSON.stringify(ev));
  assert.equal(typeof engine.state(), 'object');
  engine.dispose();
  assert.throws(() => engine.state(), /disposed/);
});

test('createEngine: a lone surrogate in a signal (a title cut mid-emoji) becomes U+FFFD; the event is kept', async () => {
  const { load } = await import('relance');
  const core = await load();
  const engine = core.createEngine({ version: 1, site: { id: 'demo', currency: 'EUR' } });
  const now = 1700000000000;
  engine.restore('', now);
  const title = 'Caf\u00e9 \ud83d'; // '\u2615\ud83d\ude00'.slice(0, -1) leaves such a half
  const actions = engine.observe({ type: 'page_view', id: 'sig-1', context: { page: { url: 'https://shop.example/', path: '/', title, referrer: '' } } }, now);
  assert.deepEqual(actions.errors || [], []);
  assert.equal(actions.events.length, 1, JSON.stringify(actions));
  assert.equal(actions.events[0].context.page.title, 'Caf\u00e9 \ufffd');
  const props = { '\udc00key': 'lone low \udc00, a pair \ud83d\ude00, a literal \\ud800' };
  const tracked = engine.observe({ type: 'track', id: 'sig-2', props: { event: 'custom.x', properties: props } }, now);
  assert.deepEqual(tracked.errors || [], []);
  assert.deepEqual(tracked.events[0].properties, { '\ufffdkey': 'lone low \ufffd, a pair \ud83d\ude00, a literal \\ud800' });
  engine.dispose();
});

test('createEngine: engines are independent; a disposed engine frees its slot for the next one', async () => {
  const { load } = await import('relance');
  const core = await load();
  const config = { version: 1, site: { id: 'demo', currency: 'EUR' } };
  const now = 1700000000000;
  const page = { type: 'page_view', id: 'sig-1', context: { page: { url: 'https://shop.example/', path: '/' } } };
  const a = core.createEngine(config);
  const b = core.createEngine(config);
  a.restore('', now);
  b.restore('', now);
  const bFresh = JSON.stringify(b.state());
  a.observe(page, now);
  const aSeen = JSON.stringify(a.state());
  assert.notEqual(aSeen, bFresh, 'a page view changes only the engine that saw it');
  assert.equal(JSON.stringify(b.state()), bFresh);
  a.dispose();
  a.dispose(); // harmless
  const c = core.createEngine(config); // takes a's freed slot
  c.restore('', now);
  assert.notEqual(JSON.stringify(c.state()), aSeen, 'a new engine does not inherit the disposed one\'s state');
  assert.equal(JSON.stringify(b.state()), bFresh);
  assert.throws(() => a.observe(page, now), /disposed/);
  b.dispose();
  c.dispose();
});
