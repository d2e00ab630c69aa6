// Static files: index, media types, precompressed variants, immutable caching
// and path traversal in every spelling.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { brotliCompressSync, gzipSync, brotliDecompressSync } from 'node:zlib';
import { startCollector, request, tempDir } from './collector_support.mjs';

let c;
let dir;

before(async () => {
  dir = tempDir();
  const site = path.join(dir, 'site');
  mkdirSync(path.join(site, 'guide'), { recursive: true });
  writeFileSync(path.join(site, 'index.html'), '<!doctype html><title>home</title>');
  writeFileSync(path.join(site, 'guide', 'index.html'), '<!doctype html><title>guide</title>');
  const js = 'console.log("tag");'.repeat(50);
  writeFileSync(path.join(site, 'relance.0a1b2c3d4e.js'), js);
  writeFileSync(path.join(site, 'relance.0a1b2c3d4e.js.br'), brotliCompressSync(js));
  writeFileSync(path.join(site, 'relance.0a1b2c3d4e.js.gz'), gzipSync(js));
  writeFileSync(path.join(site, 'engine.wasm'), Buffer.from([0, 97, 115, 109, 1, 0, 0, 0]));
  writeFileSync(path.join(site, '.env'), 'SECRET=1');
  writeFileSync(path.join(dir, 'secret.txt'), 'TOP-SECRET outside the root');
  symlinkSync(path.join(dir, 'secret.txt'), path.join(site, 'link.txt'));
  c = await startCollector({ dir, args: ['--static', site] });
});
after(async () => { await c.cleanup(); });

test('collector static: index.html for folders, redirect without the slash', async () => {
  const home = await request(c.port, { path: '/' });
  assert.equal(home.status, 200);
  assert.match(home.headers['content-type'], /^text\/html/);
  assert.match(home.body, /home/);
  const guide = await request(c.port, { path: '/guide/' });
  assert.match(guide.body, /guide/);
  const bare = await request(c.port, { path: '/guide' });
  assert.equal(bare.status, 301);
  assert.equal(bare.headers.location, '/guide/');
  assert.equal((await request(c.port, { path: '/missing.html' })).status, 404);
  const head = await request(c.port, { method: 'HEAD', path: '/' });
  assert.equal(head.status, 200);
  assert.equal(head.body, '');
  assert.equal(Number(head.headers['content-length']), home.buffer.length);
});

test('collector static: wasm media type, immutable caching of hashed names', async () => {
  const wasm = await request(c.port, { path: '/engine.wasm' });
  assert.equal(wasm.headers['content-type'], 'application/wasm');
  assert.doesNotMatch(wasm.headers['cache-control'], /immutable/);
  const tag = await request(c.port, { path: '/relance.0a1b2c3d4e.js' });
  assert.match(tag.headers['cache-control'], /immutable/);
  assert.match(tag.headers['cache-control'], /max-age=31536000/);
  const home = await request(c.port, { path: '/' });
  assert.equal(home.headers['cache-control'], 'no-cache');
});

test('collector static: another origin may fetch the engine (no credentials), so the snippet can compile it early', async () => {
  const wasm = await request(c.port, { path: '/engine.wasm', headers: { origin: 'https://shop.example' } });
  assert.equal(wasm.status, 200);
  assert.equal(wasm.headers['access-control-allow-origin'], '*');
  assert.equal(wasm.headers['access-control-allow-credentials'], undefined);
  // The API stays closed to origins that are not allowed.
  const config = await request(c.port, { path: '/v1/config', headers: { origin: 'https://evil.example' } });
  assert.notEqual(config.headers['access-control-allow-origin'], '*');
  assert.notEqual(config.headers['access-control-allow-origin'], 'https://evil.example');
});

test('collector static: precompressed .br and .gz when accepted', async () => {
  const br = await request(c.port, { path: '/relance.0a1b2c3d4e.js', headers: { 'accept-encoding': 'gzip, deflate, br' } });
  assert.equal(br.headers['content-encoding'], 'br');
  assert.match(br.headers.vary, /Accept-Encoding/);
  assert.match(brotliDecompressSync(br.buffer).toString(), /console\.log/);
  const gz = await request(c.port, { path: '/relance.0a1b2c3d4e.js', headers: { 'accept-encoding': 'gzip' } });
  assert.equal(gz.headers['content-encoding'], 'gzip');
  const plain = await request(c.port, { path: '/relance.0a1b2c3d4e.js' });
  assert.equal(plain.headers['content-encoding'], undefined);
  assert.match(plain.body, /^console\.log/);
  const refused = await request(c.port, { path: '/relance.0a1b2c3d4e.js', headers: { 'accept-encoding': 'br;q=0' } });
  assert.equal(refused.headers['content-encoding'], undefined);
});

test('collector static: no path traversal, in any encoding', async () => {
  const attempts = [
    '/../secret.txt', '/guide/../../secret.txt', '/%2e%2e/secret.txt', '/%2E%2E/secret.txt',
    '/..%2fsecret.txt', '/..%2Fsecret.txt', '/%2e%2e%2fsecret.txt', '/guide/%2e%2e/%2e%2e/secret.txt',
    '/..%5csecret.txt', '/%252e%252e/secret.txt', '/.%2e/secret.txt', '/link.txt', '/.env',
    '/%00/secret.txt', '/%zz', '/..\\secret.txt', '//..//secret.txt', '/./index.html',
  ];
  for (const attempt of attempts) {
    const res = await request(c.port, { path: attempt });
    assert.ok([400, 403, 404].includes(res.status), `${attempt} -> ${res.status}`);
    assert.doesNotMatch(res.body, /TOP-SECRET|SECRET=1/, attempt);
  }
  assert.equal((await request(c.port, { path: '/' })).status, 200, 'still serving');
});

// A mistyped --static would otherwise answer 404 for the tag and the wasm
// while /readyz says ready: refused at start, like a bad --config.
test('collector static: --static that is not a folder refuses to start', async () => {
  const { spawnSync } = await import('node:child_process');
  const { BIN } = await import('./collector_support.mjs');
  for (const target of [path.join(dir, 'no-such-folder'), path.join(dir, 'secret.txt')]) {
    const run = spawnSync(BIN, ['serve', '--listen', '127.0.0.1:0', '--db', path.join(dir, 'x.db'), '--static', target],
      { encoding: 'utf8', timeout: 5000 });
    assert.equal(run.status, 1, `${target}: ${run.stdout}${run.stderr}`);
    assert.match(run.stderr, /--static .* is not a folder/);
  }
});
