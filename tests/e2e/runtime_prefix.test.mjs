// End-to-end: the collector behind a reverse proxy that mounts it under a path
// prefix of the shop's own domain (docs/collector.md, "Deployment behind a
// reverse proxy": https://shop.example/s/ -> the collector). The snippet's
// base URL is '/s'; the tag, the engine, the configuration, the events and the
// opt-ins must all go through /s/. The proxy is played by the browser context's
// request routing: /s/... goes to the collector with the prefix stripped, as
// nginx's `proxy_pass http://relance/;` does, and anything else under /v1/ is
// the shop's own 404. The tag used to take only its origin from its URL, so it
// posted to https://shop.example/v1/events: the shop's 404, kept and retried
// for ever, nothing delivered.

import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { closeBrowser, environment, exportEvents, missingPrerequisite, storedNumbers, until } from './support/runtime.mjs';

const skip = missingPrerequisite() || false;
after(closeBrowser);
const config = { version: 1, site: { id: 'e2e', name: 'e2e' }, transport: { flush_ms: 200, batch_size: 20 } };

test('behind a proxy under /s/: the tag loads, configures, and delivers its events through the prefix', { skip }, async () => {
  const env = await environment({ config });
  try {
    // The runtime page with the snippet's base URL set to '/s'.
    const page0 = fs.readFileSync(path.join(env.site, 'runtime.html'), 'utf8');
    const prefixed = page0.replace(/\(window,document,"",/, '(window,document,"/s",');
    assert.notEqual(prefixed, page0, 'the snippet\'s base URL is in the page');
    fs.writeFileSync(path.join(env.site, 'prefixed.html'), prefixed);

    const seen = [];
    await env.browser.route((url) => url.pathname.startsWith('/s/'), (route) => {
      const url = new URL(route.request().url());
      seen.push(url.pathname);
      url.pathname = url.pathname.slice(2);
      return route.continue({ url: url.href });
    });
    const outside = [];
    await env.browser.route((url) => url.pathname.startsWith('/v1/'), (route) => {
      outside.push(new URL(route.request().url()).pathname);
      return route.fulfill({ status: 404, contentType: 'text/html', body: 'the shop has no such page' });
    });

    const page = await env.browser.newPage();
    await page.goto(`${env.collector.url}/prefixed.html?early=2`);
    await page.waitForFunction(() => window.relance && window.relance.loaded === true, null, { timeout: 15000 });
    await page.evaluate(() => relance('track', 'custom.early', { n: 2 }));
    await until(() => storedNumbers(env.db, 'custom.early').length >= 3, 'the events, through /s/');
    await page.waitForTimeout(400);
    assert.deepEqual(storedNumbers(env.db, 'custom.early'), [0, 1, 2]);
    assert.equal(exportEvents(env.db, 'page_view').length, 1);
    assert.deepEqual(outside, [], 'nothing went around the prefix');
    for (const p of ['/s/v1/config', '/s/v1/events']) assert.ok(seen.includes(p), `${p} among ${seen.join(' ')}`);
    assert.ok(seen.some((p) => /^\/s\/relance\.[0-9a-f]+\.js$/.test(p)) && seen.some((p) => /^\/s\/relance\.[0-9a-f]+\.wasm$/.test(p)),
      `the tag and the engine through /s/: ${seen.join(' ')}`);
  } finally {
    await env.close();
  }
});
