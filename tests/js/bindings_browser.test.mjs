// The package in a real browser (Debian's Chromium): dist/index.js imported
// as an ES module finds relance-core.wasm next to itself (import.meta.url),
// streams it, and answers; `wasmUrl` points it elsewhere.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const dist = path.join(root, 'js-bindings/dist');
const types = { '.js': 'text/javascript', '.wasm': 'application/wasm', '.html': 'text/html' };

const page = `<!doctype html><script type="module">
  import { load } from '/pkg/index.js';
  const run = async (options) => {
    const core = await load(options);
    const set = core.compileConditions([{ 'page.path': { $regex: '^/p/' } }, { 'visitor.score': { $gte: 30 } }]);
    const answers = set.evaluateAll({ page: { path: location.pathname }, visitor: { score: 31 } });
    set.dispose();
    let error = null;
    try { core.evaluateCondition({ a: { $nope: 1 } }, {}); } catch (e) { error = e.errors[0].path; }
    return { answers, error, valid: core.validateEvent({ id: 'e', type: 'page_view', ts: Date.now(), anonymous_id: 'a' }).ok };
  };
  Promise.all([run(), run({ wasmUrl: '/elsewhere/engine.wasm' })])
    .then((r) => { window.result = r; }, (e) => { window.result = String(e); });
</script>`;

test('dist/index.js loads and answers in Chromium, by default and with wasmUrl', async () => {
  const requests = [];
  const server = http.createServer((req, res) => {
    requests.push(req.url);
    let file = null;
    if (req.url.startsWith('/pkg/')) file = path.join(dist, path.basename(req.url));
    if (req.url === '/elsewhere/engine.wasm') file = path.join(dist, 'relance-core.wasm');
    if (req.url === '/p/shoe') { res.writeHead(200, { 'content-type': 'text/html' }); res.end(page); return; }
    if (!file || !fs.existsSync(file)) { res.writeHead(404); res.end(); return; }
    res.writeHead(200, { 'content-type': types[path.extname(file)] || 'application/octet-stream' });
    res.end(fs.readFileSync(file));
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  let browser;
  try {
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu',
      '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
    const tab = await browser.newPage();
    await tab.goto(`http://127.0.0.1:${server.address().port}/p/shoe`);
    await tab.waitForFunction(() => window.result !== undefined, null, { timeout: 20000 });
    const result = await tab.evaluate(() => window.result);
    const expected = { answers: [true, true], error: '/a/$nope', valid: true };
    assert.deepEqual(result, [expected, expected]);
    assert.ok(requests.includes('/pkg/relance-core.wasm'), 'default: the wasm next to index.js');
    assert.ok(requests.includes('/elsewhere/engine.wasm'), 'wasmUrl honoured');
    assert.ok(!requests.includes('/pkg/relance-core.js'), 'the glue is bundled, not fetched');
  } finally {
    await browser?.close();
    await new Promise((r) => server.close(r));
  }
});
