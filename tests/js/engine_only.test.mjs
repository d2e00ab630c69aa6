// The tag's engine entry (js-bindings/src/engine_only.ts, built to
// build/js-bindings/engine-only.js): it finds its wasm itself, from a compiled
// module, bytes or a URL, and rejects clearly when it cannot.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import { join, dirname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const entry = join(root, 'build', 'js-bindings', 'engine-only.js');
const wasmFile = join(root, 'build', 'wasm', 'tag', 'relance-tag.wasm');
const skip = (!fs.existsSync(entry) || !fs.existsSync(wasmFile)) && 'the tag engine is not built';
async function works(core) {
  const { compiledForTag } = await import('./tag_support.mjs');  // here: it needs the tag built (see skip)
  const engine = core.createEngine(compiledForTag({ version: 1, site: { id: 's', name: 's' } }));
  const actions = engine.restore('', Date.now());
  assert.equal(typeof actions, 'object');
  assert.equal(typeof engine.state(), 'object');
  engine.dispose();
}

// A server answering the wasm at /ok.wasm (with `type` as Content-Type) and 404 elsewhere.
async function serve(type) {
  const bytes = fs.readFileSync(wasmFile);
  const server = http.createServer((req, res) => {
    if (req.url === '/ok.wasm') res.writeHead(200, { 'content-type': type }).end(bytes);
    else res.writeHead(404).end();
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${server.address().port}`, close: () => server.close() };
}

test('engine-only load(): from bytes, a compiled module, or a URL (any Content-Type)', { skip }, async () => {
  const { load } = await import(pathToFileURL(entry).href);
  const bytes = fs.readFileSync(wasmFile);
  await works(await load({ wasmBinary: bytes }));
  await works(await load({ wasmBinary: await WebAssembly.compile(bytes) }));
  for (const type of ['application/wasm', 'application/octet-stream']) {
    const server = await serve(type);
    try {
      await works(await load({ wasmUrl: `${server.url}/ok.wasm` }));
    } finally {
      server.close();
    }
  }
});

test('engine-only load() rejects when the wasm cannot be had', { skip }, async () => {
  const { load } = await import(pathToFileURL(entry).href);
  await assert.rejects(load(), /needs wasmUrl or wasmBinary/);
  const server = await serve('application/wasm');
  try {
    await assert.rejects(load({ wasmUrl: `${server.url}/missing.wasm` }), /could not fetch .*missing\.wasm \(HTTP 404\)/);
  } finally {
    server.close();
  }
  await assert.rejects(load({ wasmBinary: new Uint8Array([0, 1, 2, 3]) }), WebAssembly.CompileError);
});

test('engine-only warmUp(): one call per pause, then the engine answers as without it', { skip }, async () => {
  const { load } = await import(pathToFileURL(entry).href);
  const { compiledForTag } = await import('./tag_support.mjs');
  const bytes = fs.readFileSync(wasmFile);
  const config = compiledForTag({
    version: 1, site: { id: 's', name: 's' },
    scoring: { rules: [{ id: 'pricing', condition: { 'page.path': { $regex: '^/pricing' } }, points: 10 }] },
  });
  const signal = { type: 'page_view', id: 'e1', context: { page: { url: 'https://s.example/pricing', path: '/pricing', title: 'P', referrer: '' } } };
  const run = (core) => {
    const engine = core.createEngine(config);
    const answers = [engine.restore('', 1767225600000), engine.observe(signal, 1767225601000), engine.state()];
    engine.dispose();
    assert.ok(!answers[1].errors && answers[1].events.length >= 1, JSON.stringify(answers[1]));
    return answers;
  };
  const plain = await load({ wasmBinary: bytes });
  const expected = run(plain);
  // Without the configuration: the three calls that need no engine that works.
  const warmed = await load({ wasmBinary: bytes });
  let pauses = 0;
  await warmed.warmUp(async () => { pauses += 1; });
  assert.equal(pauses, 3);
  assert.deepEqual(run(warmed), expected);
  // With it (a promise, as the tag passes it): four more, on an engine made
  // from it and deleted after.
  const configured = await load({ wasmBinary: bytes });
  pauses = 0;
  await configured.warmUp(async () => { pauses += 1; }, Promise.resolve(config));
  assert.equal(pauses, 7);
  assert.deepEqual(run(configured), expected);
  // A pause that fails, or a configuration that never came, ends the warm-up
  // quietly: the real calls still work.
  await warmed.warmUp(() => Promise.reject(new Error('no more tasks')), config);
  await warmed.warmUp(async () => {}, Promise.reject(new Error('no configuration')));
  assert.deepEqual(run(warmed), expected);
});

// The warm-up's engine that works is made from the configuration without the
// sections of its modules (engine_only.ts): the compiled form must load
// without them, or the warm-up quietly compiles less.
test('engine-only: a compiled configuration without its modules\' sections loads', { skip }, async () => {
  const { load } = await import(pathToFileURL(entry).href);
  const { compiledForTag } = await import('./tag_support.mjs');
  const core = await load({ wasmBinary: fs.readFileSync(wasmFile) });
  const demo = compiledForTag(JSON.parse(fs.readFileSync(join(root, 'demo', 'site.json'), 'utf8')));
  for (const k of ['personalization', 'offers', 'scoring', 'abandonment']) assert.ok(k in demo, k);
  const generic = { ...demo };
  for (const k of ['personalization', 'offers', 'scoring', 'abandonment']) delete generic[k];
  const engine = core.createEngine(generic); // throws when refused
  const a = engine.observe({ type: 'page_view', id: 'w', context: { page: { url: '/', path: '/' } } }, 1767225600000);
  assert.ok(!a.errors && a.events.length === 1, JSON.stringify(a));
  engine.dispose();
});
