// End-to-end: the npm entry `createRelance` in Chromium against the real
// collector, bundled by esbuild and from a plain <script type="module">.

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
    await page.goto(`${env.collector.url}/module.html`);
    await page.waitForFunction(() => window.done === true, null, { timeout: 15000 });
    await until(() => storedNumbers(env.db, 'custom.npm').length >= 4, 'the npm events');
    await page.waitForTimeout(400);
    assert.deepEqual(storedNumbers(env.db, 'custom.npm'), [0, 1, 2, 3]);
  } finally {
    await env.close();
  }
});

test('an app bundled with esbuild', { skip }, async () => {
  const env = await environment({ config });
  try {
    addPackage(env.site);
    const entry = path.join(env.dir, 'app.js');
    fs.writeFileSync(entry, `import { createRelance } from ${JSON.stringify(path.join(dist, 'runtime.js'))};
const relance = createRelance({ endpoint: '', wasmUrl: '/npm/relance-core.wasm' });
relance.track('custom.bundled', { n: 1 });
relance.ready.then(() => { window.done = true; });`);
    await build({ entryPoints: [entry], bundle: true, format: 'esm', outfile: path.join(env.site, 'app.js'), logLevel: 'silent' });
    fs.writeFileSync(path.join(env.site, 'bundled.html'), '<!doctype html><html><head><title>b</title><script type="module" src="/app.js"></script></head><body>b</body></html>');
    const page = await env.browser.newPage();
    await page.goto(`${env.collector.url}/bundled.html`);
    await page.waitForFunction(() => window.done === true, null, { timeout: 15000 });
    await until(() => storedNumbers(env.db, 'custom.bundled').length >= 1, 'the bundled event');
    assert.deepEqual(storedNumbers(env.db, 'custom.bundled'), [1]);
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
const relance = createRelance({ endpoint: '', wasmUrl: '/npm/relance-core.wasm' });
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
    const requested = [];
    page.on('request', (r) => requested.push(new URL(r.url()).pathname));
    await page.goto(`${env.collector.url}/split.html`);
    await page.waitForFunction(() => window.done === true, null, { timeout: 15000 });
    await page.waitForTimeout(300);
    assert.ok(!requested.includes(`/split/${offerChunk}`), 'no offer chunk before an offer shows');
    await page.evaluate(() => window.relance.showOffer('welcome'));
    await page.waitForSelector('[data-relance-offer="welcome"]', { state: 'attached', timeout: 10000 });
    const title = await page.evaluate(() => document.querySelector('[data-relance-offer="welcome"]').shadowRoot.textContent);
    assert.match(title, /Welcome offer/);
    assert.equal(requested.filter((p) => p === `/split/${offerChunk}`).length, 1);
  } finally {
    await env.close();
  }
});
