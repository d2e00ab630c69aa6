// The npm entry (createRelance): safe to import and call during server-side
// rendering (no window), and the built files expose the same, from the ES
// module entry and the CommonJS one, with types for both.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { importWeb } from './web_support.mjs';

const built = new URL('../../js-bindings/dist/runtime.js', import.meta.url);

async function checkInert(mod) {
  assert.equal(typeof globalThis.window, 'undefined');
  const r = mod.createRelance({ endpoint: 'https://shop.example' });
  for (const m of ['track', 'identify', 'consent', 'showOffer', 'page', 'debug', 'shutdown']) {
    assert.equal(typeof r[m], 'function', m);
  }
  r.track('add_to_cart', { product: { id: 'a' }, quantity: 1, price: 1, currency: 'EUR' });
  r.identify('u1');
  r.consent({ analytics: true });
  await r.ready;
  await r.flush();
  r.shutdown();
}

test('createRelance during SSR: importable without window, returns a do-nothing instance', async () => {
  await checkInert(await importWeb('npm'));
});

test('the built js-bindings/dist/runtime.js behaves the same', { skip: !fs.existsSync(built) && 'not built yet' }, async () => {
  const mod = await import(built.href);
  await checkInert(mod);
  const dts = fs.readFileSync(new URL('../../js-bindings/dist/runtime.d.ts', import.meta.url), 'utf8');
  assert.match(dts, /export declare function createRelance\(options: RelanceOptions\): Relance;/);
});

// ---- CommonJS: require('relance') and TypeScript under node16 resolution

const dist = new URL('../../js-bindings/dist/', import.meta.url);
const cjsMissing = !fs.existsSync(new URL('runtime.cjs', dist)) && 'not built yet';

test('require("relance") exports createRelance too, and it is SSR-safe', { skip: cjsMissing }, async () => {
  const require = createRequire(import.meta.url);
  assert.equal(require.resolve('relance'), fileURLToPath(new URL('index.cjs', dist)));
  const pkg = require('relance');
  assert.equal(typeof pkg.createRelance, 'function');
  assert.equal(typeof pkg.load, 'function');
  await checkInert(pkg);
  // An ES module importing the CommonJS file by name sees the export as well.
  const viaImport = await import(new URL('index.cjs', dist).href);
  assert.equal(typeof viaImport.createRelance, 'function');
});

test('TypeScript (moduleResolution node16) types both import styles from the right declarations', { skip: cjsMissing }, () => {
  // Inside the repository so that 'relance' resolves through node_modules.
  const dir = fs.mkdtempSync(path.join(fileURLToPath(new URL('../../build/', import.meta.url)), 'tsc-node16-'));
  try {
    const use = (style) => `${style}
const relance: Relance = createRelance({ endpoint: 'https://shop.example' });
relance.track('add_to_cart', { product: { id: 'sku-1', name: 'Shoes' }, quantity: 1, price: 59.9, currency: 'EUR' });
relance.consent({ analytics: true });
// @ts-expect-error: endpoint is required
createRelance({});
export const started: Promise<RelanceCore> = load();
`;
    fs.writeFileSync(path.join(dir, 'use_require.cts'),
      use("import { createRelance, load } from 'relance';\nimport type { Relance, RelanceCore } from 'relance';"));
    fs.writeFileSync(path.join(dir, 'use_import.mts'),
      use("import { createRelance, load } from 'relance';\nimport type { Relance, RelanceCore } from 'relance';"));
    fs.writeFileSync(path.join(dir, 'use_plain_require.cts'),
      "import relance = require('relance');\nexport const f: typeof relance.createRelance = relance.createRelance;\n");
    fs.writeFileSync(path.join(dir, 'tsconfig.json'), JSON.stringify({
      compilerOptions: {
        module: 'node16', moduleResolution: 'node16', strict: true, noEmit: true, target: 'es2020',
        lib: ['es2021', 'dom'], types: [], skipLibCheck: false,
      },
      files: ['use_require.cts', 'use_import.mts', 'use_plain_require.cts'],
    }));
    const tsc = fileURLToPath(new URL('../../node_modules/typescript/bin/tsc', import.meta.url));
    let out;
    try {
      out = execFileSync(process.execPath, [tsc, '-p', dir, '--explainFiles'], { encoding: 'utf8' });
    } catch (e) {
      assert.fail(`tsc failed:\n${e.stdout}${e.stderr}`);
    }
    assert.match(out, /js-bindings\/dist\/index\.d\.cts/, 'require() and .cts files read index.d.cts');
    assert.match(out, /js-bindings\/dist\/index\.d\.ts/, 'import reads index.d.ts');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
