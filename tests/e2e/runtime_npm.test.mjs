// End-to-end: the npm entry `createRelance` in Chromium against the real
// collector, bundled by esbuild (ES module and CommonJS entries) and from a
// plain <script type="module">. Each page runs the tag's engine
// (relance-engine.wasm, found next to the package's files or the bundle by
// default), never the package's full relance-core.wasm, and its events arrive
// once each.

import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';
import { closeBrowser, environment, missingPrerequisite, root, storedNumbers, until } from './support/runtime.mjs';

const dist = process.env.RELANCE_NPM_DIST || path.join(root, 'js-bindings/dist'); // overridable for development
const skip = missingPrerequisite() || (!fs.existsSync(path.join(dist, 'runtime.js')) && 'js-bindings/dist/runtime.js is not built') || false;
after(closeBrowser);
const config = { version: 1, site: { id: 'e2e', name: 'e2e' }, transport: { flush_ms: 200, batch_size: 20 } };

// The npm package's files, served under /npm/ by the collector.
function addPackage(site) {
  fs.mkdirSync(path.join(site, 'npm'), { recursive: true });
  for (const f of fs.readdirSync(dist)) {
    if (/\.(js|wasm)$/.test(f)) fs.copyFileSync(path.join(dist, f), path.join(site, 'npm', f));
  }
}

// The paths the page requests, from now on.
function recordRequests(page) {
  const requested = [];
  page.on('request', (r) => requested.push(new URL(r.url()).pathname));
  return requested;
}

// The page fetched the engine wasm at `engine`, once, and no other wasm.
function fetchedEngineOnly(requested, engine) {
  const wasm = requested.filter((p) => p.endsWith('.wasm'));
  assert.deepEqual(wasm, [engine], `the page fetched ${wasm.join(', ') || 'no wasm'}`);
}

// An app that imports the package by name, as its users do.
const bundleOptions = { bundle: true, nodePaths: [path.join(root, 'node_modules')], logLevel: 'silent' };
const byName = !process.env.RELANCE_NPM_DIST;

test('a plain <script type="module"> page: createRelance sends its events once each', { skip }, async () => {
  const env = await environment({ config });
  try {
    addPackage(env.site);
    fs.writeFileSync(path.join(env.site, 'module.html'), `<!doctype html><html><head><title>module</title>
<script type="module">
  import { createRelance } from '/npm/runtime.js';
  const relance = createRelance({ endpoint: '' });
  for (let i = 0; i < 4; i++) relance.track('custom.npm', { n: i });
  relance.ready.then(() => { window.done = true; });
</script></head><body>npm</body></html>`);
    const page = await env.browser.newPage();
    const requested = recordRequests(page);
    await page.goto(`${env.collector.url}/module.html`);
    await page.waitForFunction(() => window.done === true, null, { timeout: 15000 });
    await until(() => storedNumbers(env.db, 'custom.npm').length >= 4, 'the npm events');
    await page.waitForTimeout(400);
    assert.deepEqual(storedNumbers(env.db, 'custom.npm'), [0, 1, 2, 3]);
    // By default, the wasm next to runtime.js; neither the package's load() nor its glue.
    fetchedEngineOnly(requested, '/npm/relance-engine.wasm');
    assert.ok(requested.includes('/npm/runtime-engine.js'));
    assert.ok(!requested.includes('/npm/bindings.js') && !requested.includes('/npm/index.js'), requested.join(' '));
  } finally {
    await env.close();
  }
});

// `import { createRelance } from 'relance'` bundled: the app carries neither
// load() nor the full glue (index.js re-exports them from bindings.js, which
// esbuild leaves out), and finds relance-engine.wasm next to itself.
test('an app bundled with esbuild (import)', { skip }, async () => {
  const env = await environment({ config });
  try {
    const entry = path.join(env.dir, 'app.js');
    const from = byName ? 'relance' : path.join(dist, 'index.js');
    fs.writeFileSync(entry, `import { createRelance } from ${JSON.stringify(from)};
const relance = createRelance({ endpoint: '' });
relance.track('custom.bundled', { n: 1 });
relance.track('custom.bundled', { n: 2 });
relance.ready.then(() => { window.done = true; });`);
    const out = path.join(env.site, 'app');
    await build({ ...bundleOptions, entryPoints: [entry], format: 'esm', outfile: path.join(out, 'app.js') });
    const app = fs.readFileSync(path.join(out, 'app.js'), 'utf8');
    assert.ok(!app.includes('relance-core.wasm') && !app.includes('evaluateCondition'), 'load() and its glue are not bundled');
    fs.copyFileSync(path.join(dist, 'relance-engine.wasm'), path.join(out, 'relance-engine.wasm'));
    fs.writeFileSync(path.join(env.site, 'bundled.html'), '<!doctype html><html><head><title>b</title><script type="module" src="/app/app.js"></script></head><body>b</body></html>');
    const page = await env.browser.newPage();
    const requested = recordRequests(page);
    await page.goto(`${env.collector.url}/bundled.html`);
    await page.waitForFunction(() => window.done === true, null, { timeout: 15000 });
    await until(() => storedNumbers(env.db, 'custom.bundled').length >= 2, 'the bundled events');
    await page.waitForTimeout(400);
    assert.deepEqual(storedNumbers(env.db, 'custom.bundled'), [1, 2]);
    fetchedEngineOnly(requested, '/app/relance-engine.wasm');
  } finally {
    await env.close();
  }
});

// `require('relance').createRelance` bundled into a classic script: the
// CommonJS runtime finds relance-engine.wasm next to that script.
test('an app bundled with esbuild (require, classic script)', { skip }, async () => {
  const env = await environment({ config });
  try {
    const entry = path.join(env.dir, 'app.cjs');
    const from = byName ? 'relance' : path.join(dist, 'index.cjs');
    fs.writeFileSync(entry, `const { createRelance } = require(${JSON.stringify(from)});
const relance = createRelance({ endpoint: '' });
relance.track('custom.required', { n: 7 });
relance.ready.then(() => { window.done = true; });`);
    const out = path.join(env.site, 'cjs');
    await build({ ...bundleOptions, entryPoints: [entry], format: 'iife', platform: 'browser', outfile: path.join(out, 'app.js') });
    fs.copyFileSync(path.join(dist, 'relance-engine.wasm'), path.join(out, 'relance-engine.wasm'));
    fs.writeFileSync(path.join(env.site, 'required.html'), '<!doctype html><html><head><title>c</title><script src="/cjs/app.js"></script></head><body>c</body></html>');
    const page = await env.browser.newPage();
    const requested = recordRequests(page);
    await page.goto(`${env.collector.url}/required.html`);
    await page.waitForFunction(() => window.done === true, null, { timeout: 15000 });
    await until(() => storedNumbers(env.db, 'custom.required').length >= 1, 'the event');
    await page.waitForTimeout(400);
    assert.deepEqual(storedNumbers(env.db, 'custom.required'), [7]);
    fetchedEngineOnly(requested, '/cjs/relance-engine.wasm');
  } finally {
    await env.close();
  }
});

// The offer dialog is not in runtime.js: it is imported from runtime-offer.js
// the first time an offer shows, so a bundler that splits (esbuild here) puts
// it in a chunk of its own that pages without an offer never download.
test('bundled with splitting: the offer dialog is a chunk loaded only when an offer shows', { skip }, async () => {
  const offer = {
    id: 'welcome', priority: 10, triggers: [{ type: 'exit_intent' }],
    content: { title: 'Welcome offer', body: 'Join us.', fields: [{ name: 'email', required: true, label: 'E-mail' }], button: 'Join' },
  };
  const env = await environment({ config: { ...config, offers: [offer] } });
  try {
    addPackage(env.site);
    const entry = path.join(env.dir, 'app.js');
    fs.writeFileSync(entry, `import { createRelance } from ${JSON.stringify(path.join(dist, 'runtime.js'))};
const relance = createRelance({ endpoint: '', wasmUrl: '/npm/relance-engine.wasm' });
window.relance = relance;
relance.ready.then(() => { window.done = true; });`);
    const out = path.join(env.site, 'split');
    await build({ entryPoints: [entry], bundle: true, splitting: true, format: 'esm', outdir: out, logLevel: 'silent' });
    const chunks = fs.readdirSync(out).filter((f) => f !== 'app.js');
    const offerChunk = chunks.find((f) => fs.readFileSync(path.join(out, f), 'utf8').includes('aria-modal'));
    assert.ok(offerChunk, `a chunk with the offer dialog among ${chunks.join(', ')}`);
    assert.ok(!fs.readFileSync(path.join(out, 'app.js'), 'utf8').includes('aria-modal'), 'the dialog is not in the app');
    fs.writeFileSync(path.join(env.site, 'split.html'), '<!doctype html><html><head><title>s</title><script type="module" src="/split/app.js"></script></head><body>s</body></html>');
    const page = await env.browser.newPage();
    const requested = recordRequests(page);
    await page.goto(`${env.collector.url}/split.html`);
    await page.waitForFunction(() => window.done === true, null, { timeout: 15000 });
    await page.waitForTimeout(300);
    assert.ok(!requested.includes(`/split/${offerChunk}`), 'no offer chunk before an offer shows');
    await page.evaluate(() => window.relance.showOffer('welcome'));
    await page.waitForSelector('[data-relance-offer="welcome"]', { state: 'attached', timeout: 10000 });
    const title = await page.evaluate(() => document.querySelector('[data-relance-offer="welcome"]').shadowRoot.textContent);
    assert.match(title, /Welcome offer/);
    assert.equal(requested.filter((p) => p === `/split/${offerChunk}`).length, 1);
    fetchedEngineOnly(requested, '/npm/relance-engine.wasm'); // wasmUrl honoured
  } finally {
    await env.close();
  }
});

// A module page whose script is `body`, served at /<name>.html, the package under /npm/.
function modulePage(env, name, body) {
  addPackage(env.site);
  fs.writeFileSync(path.join(env.site, `${name}.html`), `<!doctype html><html><head><title>${name}</title>
<script type="module">
  import { createRelance } from '/npm/runtime.js';
  ${body}
</script></head><body><div data-relance-slot="hero">Original</div></body></html>`);
  return `${env.collector.url}/${name}.html`;
}

// As the tag (tests/e2e/runtime_review.test.mjs): a collector restarting as
// the page loads only delays the start. It used to be "relance: could not
// start" and every call of the page lost.
test('createRelance: a collector unreachable as the page loads: the runtime starts once it answers, nothing lost', { skip }, async () => {
  const env = await environment({ config });
  try {
    const url = modulePage(env, 'restart', `
  const relance = createRelance({ endpoint: '' });
  for (let i = 0; i < 3; i++) relance.track('custom.restart', { n: i });
  relance.ready.then(() => { window.done = true; });`);
    const page = await env.browser.newPage();
    const t0 = Date.now();
    await page.route('**/v1/config', (route) => (Date.now() - t0 < 2500 ? route.abort('connectionrefused') : route.continue()));
    await page.goto(url);
    await page.waitForFunction(() => window.done === true, null, { timeout: 20000 });
    await until(() => storedNumbers(env.db, 'custom.restart').length >= 3, 'the events of the page');
    await page.waitForTimeout(400);
    assert.deepEqual(storedNumbers(env.db, 'custom.restart'), [0, 1, 2]);
  } finally {
    await env.close();
  }
});

// A page's MutationObserver reacting to a personalization calls createRelance's
// instance in a microtask after boot's last replay: that call used to stay in
// the drained queue, lost.
test('createRelance: a call made in a microtask at the very end of the start is not lost', { skip }, async () => {
  const env = await environment({
    config: { ...config, personalization: [{ id: 'hello', actions: [{ slot: 'hero', op: 'set_text', value: 'Hello' }] }] },
  });
  try {
    const url = modulePage(env, 'observer', `
  const relance = createRelance({ endpoint: '', autoCapture: false });
  let n = 0;
  new MutationObserver(() => { relance.track('custom.seen', { n: n++ }); })
    .observe(document.querySelector('[data-relance-slot="hero"]'), { childList: true, characterData: true, subtree: true });
  relance.page();
  relance.ready.then(() => { window.done = true; });`);
    const page = await env.browser.newPage();
    await page.goto(url);
    await page.waitForFunction(() => window.done === true, null, { timeout: 15000 });
    await until(() => storedNumbers(env.db, 'custom.seen').length >= 1, 'the observer\'s call');
    await page.waitForTimeout(500);
    assert.equal(await page.evaluate(() => document.querySelector('[data-relance-slot="hero"]').textContent), 'Hello');
    const seen = storedNumbers(env.db, 'custom.seen');
    assert.ok(seen.length >= 1 && seen.every((v, i) => v === i), `each observer call once, in order: ${seen}`);
  } finally {
    await env.close();
  }
});
