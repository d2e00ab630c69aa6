// The npm package "relance" as createRelance's users install it: what
// `npm pack` ships, how its entries reach the runtime's engine
// (runtime-engine.js / .cjs over relance-engine.wasm, the tag's engine-only
// wasm) rather than load() and relance-core.wasm, and that importing it in
// Node, without window, touches no wasm at all.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { execFileSync } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const pkgDir = path.join(root, 'js-bindings');
const dist = path.join(pkgDir, 'dist');
const require = createRequire(import.meta.url);
const skip = !fs.existsSync(path.join(dist, 'runtime.js')) && 'js-bindings/dist/runtime.js is not built';
const read = (f) => fs.readFileSync(path.join(dist, f), 'utf8');

// The files `npm pack` puts in the tarball (paths relative to the package).
function packed() {
  const out = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: pkgDir, encoding: 'utf8' });
  return new Set(JSON.parse(out)[0].files.map((f) => f.path));
}

// The relative modules a built file imports (import("./x") or require("./x")).
function relativeImports(file) {
  const found = [...read(file).matchAll(/(?:import\(|require\(|from\s*)["'](\.\/[\w.-]+)["']/g)].map((m) => m[1].slice(2));
  return [...new Set(found)];
}

test('npm pack ships the runtime, its engine and the engine wasm, each module a runtime imports', { skip }, () => {
  const files = packed();
  for (const f of ['index.js', 'index.cjs', 'bindings.js', 'relance-core.wasm', 'runtime.js', 'runtime.cjs', 'runtime.d.ts',
    'runtime.d.cts', 'runtime-offer.js', 'runtime-offer.cjs', 'runtime-engine.js', 'runtime-engine.cjs', 'relance-engine.wasm']) {
    assert.ok(files.has(`dist/${f}`), `dist/${f} is in the package`);
  }
  // Everything an entry reaches by a relative import is shipped, down to the engine.
  const seen = new Set();
  const visit = (f) => {
    if (seen.has(f)) return;
    seen.add(f);
    assert.ok(files.has(`dist/${f}`), `dist/${f} (imported) is in the package`);
    relativeImports(f).forEach(visit);
  };
  visit('index.js');
  visit('index.cjs');
  for (const f of ['runtime.js', 'runtime-engine.js', 'runtime.cjs', 'runtime-engine.cjs', 'bindings.js']) assert.ok(seen.has(f), `${f} is reached`);
  // The build's by-products are not shipped: the raw glue (bundled into
  // bindings.js and index.cjs) and the symbol map (for bench:tag).
  assert.ok(!files.has('dist/relance-core.js') && !files.has('dist/relance-core.js.symbols'));
});

test('the runtimes import the engine-only entry, never load() or relance-core.wasm', { skip }, () => {
  assert.ok(relativeImports('runtime.js').includes('runtime-engine.js'));
  assert.ok(relativeImports('runtime.cjs').includes('runtime-engine.cjs'));
  for (const f of ['runtime.js', 'runtime.cjs', 'runtime-engine.js', 'runtime-engine.cjs']) {
    assert.ok(!read(f).includes('relance-core.wasm'), `${f} does not name relance-core.wasm`);
    assert.ok(!relativeImports(f).some((m) => /^(index|bindings)\./.test(m)), `${f} does not import the package's load()`);
  }
  // The default location, next to the runtime, named literally for bundlers that copy assets.
  assert.match(read('runtime.js'), /new URL\("\.\/relance-engine\.wasm", import\.meta\.url\)/);
  // The engine wasm is the tag's, copied (the same bytes), not a second build.
  const tagWasm = path.join(root, 'build/wasm/tag/relance-tag.wasm');
  if (fs.existsSync(tagWasm)) assert.ok(fs.readFileSync(tagWasm).equals(fs.readFileSync(path.join(dist, 'relance-engine.wasm'))));
});

test('the package resolves by name: ESM and CJS entries, the engine wasm', { skip }, async () => {
  assert.equal(fileURLToPath(import.meta.resolve('relance')), path.join(dist, 'index.js'));
  assert.equal(require.resolve('relance'), path.join(dist, 'index.cjs'));
  assert.equal(fileURLToPath(import.meta.resolve('relance/relance-engine.wasm')), path.join(dist, 'relance-engine.wasm'));
  assert.equal(require.resolve('relance/relance-engine.wasm'), path.join(dist, 'relance-engine.wasm'));
  const esm = await import('relance');
  const cjs = require('relance');
  for (const m of [esm, cjs]) {
    assert.equal(typeof m.createRelance, 'function');
    assert.equal(typeof m.load, 'function'); // load() stays, for the condition and validation API
  }
});

// The runtime alone, for CommonJS bundles: require('relance') carries load()'s
// glue (a CommonJS module cannot be tree-shaken), require('relance/runtime') not.
test("'relance/runtime' resolves to the runtime alone, ESM and CJS, with its types", { skip }, async () => {
  assert.equal(fileURLToPath(import.meta.resolve('relance/runtime')), path.join(dist, 'runtime.js'));
  assert.equal(require.resolve('relance/runtime'), path.join(dist, 'runtime.cjs'));
  for (const m of [await import('relance/runtime'), require('relance/runtime')]) {
    assert.equal(typeof m.createRelance, 'function');
    assert.equal(m.load, undefined);
    const r = m.createRelance({ endpoint: 'https://shop.example' });
    r.track('custom.ssr', { n: 1 });
    await r.ready;
  }
  // TypeScript under node16 resolution reads runtime.d.ts for import, runtime.d.cts for require.
  const dir = fs.mkdtempSync(path.join(root, 'build', 'tsc-runtime-'));
  try {
    const use = "import { createRelance } from 'relance/runtime';\nimport type { Relance } from 'relance/runtime';\n"
      + "export const r: Relance = createRelance({ endpoint: '' });\n// @ts-expect-error: endpoint is required\ncreateRelance({});\n";
    fs.writeFileSync(path.join(dir, 'a.mts'), use);
    fs.writeFileSync(path.join(dir, 'b.cts'), use);
    fs.writeFileSync(path.join(dir, 'tsconfig.json'), JSON.stringify({
      compilerOptions: { module: 'node16', moduleResolution: 'node16', strict: true, noEmit: true, target: 'es2020', lib: ['es2021', 'dom'], types: [] },
      files: ['a.mts', 'b.cts'],
    }));
    let out;
    try {
      out = execFileSync(process.execPath, [path.join(root, 'node_modules/typescript/bin/tsc'), '-p', dir, '--explainFiles'], { encoding: 'utf8' });
    } catch (e) {
      assert.fail(`tsc failed:\n${e.stdout}${e.stderr}`);
    }
    assert.match(out, /js-bindings\/dist\/runtime\.d\.ts/);
    assert.match(out, /js-bindings\/dist\/runtime\.d\.cts/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('both forms of the runtime engine load relance-engine.wasm and run the engine', { skip }, async () => {
  const bytes = fs.readFileSync(path.join(dist, 'relance-engine.wasm'));
  const { load } = await import('relance');
  const compiled = (await load()).createEngine({ version: 1, site: { id: 's', name: 's' } }).config();
  for (const engineOnly of [await import(pathToFileURL(path.join(dist, 'runtime-engine.js')).href), require(path.join(dist, 'runtime-engine.cjs'))]) {
    const core = await engineOnly.load({ wasmBinary: bytes });
    const engine = core.createEngine(compiled);
    assert.equal(typeof engine.restore('', Date.now()), 'object');
    engine.dispose();
    // It reads only the compiled configuration (GET /v1/config), and says so.
    assert.throws(() => core.createEngine({ version: 1, site: { id: 's', name: 's' } }), /not a compiled configuration/);
  }
});

// A fresh Node process that records every use of WebAssembly and fetch, then
// imports the package (ESM, then CJS) and calls createRelance as SSR does.
test('importing the package in Node (no window) and calling createRelance touches no wasm', { skip }, () => {
  const watch = `
    const used = [];
    for (const k of ['compile', 'compileStreaming', 'instantiate', 'instantiateStreaming', 'validate']) {
      const f = WebAssembly[k];
      WebAssembly[k] = function (...a) { used.push('WebAssembly.' + k); return f.apply(this, a); };
    }
    const M = WebAssembly.Module;
    WebAssembly.Module = function (...a) { used.push('new WebAssembly.Module'); return new M(...a); };
    const fetch0 = globalThis.fetch;
    globalThis.fetch = (...a) => { used.push('fetch ' + a[0]); return fetch0(...a); };
    const fs = require('node:fs');
    for (const k of ['readFile', 'readFileSync', 'createReadStream', 'openSync', 'open']) {
      const f = fs[k];
      fs[k] = function (p, ...a) { if (/\\.wasm/.test(String(p))) used.push('fs.' + k + ' ' + p); return f.call(this, p, ...a); };
    }
    const f2 = fs.promises.readFile;
    fs.promises.readFile = function (p, ...a) { if (/\\.wasm/.test(String(p))) used.push('fs.promises.readFile ' + p); return f2.call(this, p, ...a); };`;
  const use = `
    const r = m.createRelance({ endpoint: 'https://shop.example' });
    r.track('custom.ssr', { n: 1 });
    await r.ready;
    await new Promise((resolve) => setTimeout(resolve, 50));
    console.log(JSON.stringify({ window: typeof globalThis.window, used }));`;
  const esm = `import { createRequire } from 'node:module'; const require = createRequire(${JSON.stringify(path.join(root, 'x.mjs'))});
    ${watch} const m = await import('relance'); ${use}`;
  const cjs = `${watch} (async () => { const m = require('relance'); ${use} })();`;
  const run = (args) => JSON.parse(execFileSync(process.execPath, args, { encoding: 'utf8', cwd: root }).trim());
  for (const [args, what] of [[['--input-type=module', '-e', esm], 'import'], [['-e', cjs], 'require']]) {
    assert.deepEqual(run(args), { window: 'undefined', used: [] }, what);
  }
  // The watch sees a wasm being read: load() in the same process reads relance-core.wasm.
  const control = run(['--input-type=module', '-e', esm.replace('await r.ready;', 'await r.ready; await m.load();')]);
  assert.ok(control.used.some((u) => /relance-core\.wasm/.test(u)) && control.used.some((u) => u.startsWith('WebAssembly.')), control.used.join(', '));
});
