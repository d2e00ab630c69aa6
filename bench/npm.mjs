// `npm run bench:npm`: the bytes a page downloads for Relance when a site's
// app uses the npm package's createRelance, bundled with esbuild as a
// front-end build would (minified), in four ways (VARIANTS below): imported
// (`import { createRelance } from 'relance'`) into ES modules with code
// splitting (the offer dialog and the engine are chunks of their own, the
// offer's fetched only when an offer shows) and into one file; required
// (`require('relance')`, and `require('relance/runtime')`) into a classic
// script.
//
// The app is loaded in headless Chromium from a local server that answers
// GET /v1/config and swallows POST /v1/events; every file the page fetched
// for the app (its JavaScript and the .wasm) is listed with its size raw,
// gzip -9 and brotli -q 11, then the totals of JavaScript and wasm. The
// figures are sizes, not times: they do not depend on the machine's load.
//
// Each package is bundled from a copy installed as node_modules/relance
// (dist/ and package.json), the default being js-bindings/ of this build.
// To compare with another build of the package, name its dist/ folder:
//
//   node bench/npm.mjs                                # this build
//   RELANCE_NPM_BEFORE=/tmp/old-dist node bench/npm.mjs   # another, then this one
//
// The tag's figures (build/tag/manifest.json) are printed last, for reference.
// A benchmark prints figures; it asserts nothing.

import { build } from 'esbuild';
import http from 'node:http';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const packages = [
  ...(process.env.RELANCE_NPM_BEFORE ? [['before', process.env.RELANCE_NPM_BEFORE]] : []),
  [process.env.RELANCE_NPM_BEFORE ? 'after' : 'this build', path.join(root, 'js-bindings/dist')],
];
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'relance-bench-npm-'));

const sizes = (buf) => ({
  raw: buf.length,
  gzip: zlib.gzipSync(buf, { level: 9 }).length,
  brotli: zlib.brotliCompressSync(buf, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11 } }).length,
});
const add = (a, b) => ({ raw: a.raw + b.raw, gzip: a.gzip + b.gzip, brotli: a.brotli + b.brotli });
const zero = { raw: 0, gzip: 0, brotli: 0 };

// GET /v1/config answers the compiled form, which both engines read.
const { load } = await import(path.join(root, 'js-bindings/dist/index.js'));
const compiledConfig = await (async () => {
  const engine = (await load()).createEngine({ version: 1, site: { id: 'bench', name: 'bench' }, transport: { flush_ms: 200 } });
  const text = JSON.stringify(engine.config());
  engine.dispose();
  return text;
})();

const USE = `const relance = createRelance({ endpoint: '' });
relance.track('custom.bench', { n: 1 });
relance.ready.then(() => { window.__ready = true; }, (e) => { window.__ready = String(e); });
`;
// How the app gets createRelance and how it is bundled. 'relance/runtime'
// (the runtime alone) is not measured on a `before` package, which had no
// such export.
const VARIANTS = [
  { name: 'import, code splitting', source: `import { createRelance } from 'relance';\n${USE}`, format: 'esm', splitting: true },
  { name: 'import, one file', source: `import { createRelance } from 'relance';\n${USE}`, format: 'esm', splitting: false },
  { name: "require('relance'), one file", source: `const { createRelance } = require('relance');\n${USE}`, format: 'iife', splitting: false },
  { name: "require('relance/runtime'), one file", source: `const { createRelance } = require('relance/runtime');\n${USE}`, format: 'iife', splitting: false, new: true },
];

// The app bundled against a copy of the package whose dist/ is `distDir`;
// returns the folder served as /app/ (its .wasm files copied next to the
// bundle, as the package's docs say) and the bundle's JavaScript files.
async function bundleApp(label, distDir, variant) {
  const dir = path.join(work, `${label}-${variant.name}`.replace(/\W+/g, '-'));
  const pkg = path.join(dir, 'node_modules', 'relance');
  fs.mkdirSync(pkg, { recursive: true });
  fs.copyFileSync(path.join(root, 'js-bindings/package.json'), path.join(pkg, 'package.json'));
  fs.cpSync(distDir, path.join(pkg, 'dist'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'app.js'), variant.source);
  const out = path.join(dir, 'out');
  await build({
    entryPoints: [path.join(dir, 'app.js')], absWorkingDir: dir, bundle: true, minify: true, splitting: variant.splitting,
    format: variant.format, target: 'es2020', platform: 'browser', outdir: out, logLevel: 'error',
  });
  for (const f of fs.readdirSync(distDir)) if (f.endsWith('.wasm')) fs.copyFileSync(path.join(distDir, f), path.join(out, f));
  return out;
}

const types = { '.js': 'text/javascript', '.wasm': 'application/wasm', '.html': 'text/html' };
function serve(appDir, format) {
  const script = format === 'esm' ? '<script type="module" src="/app/app.js"></script>' : '<script src="/app/app.js"></script>';
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://x');
    if (url.pathname === '/v1/config') { res.writeHead(200, { 'content-type': 'application/json' }); res.end(compiledConfig); return; }
    if (url.pathname === '/v1/events') { res.writeHead(200, { 'content-type': 'application/json' }); res.end('{"accepted":[],"rejected":[]}'); return; }
    if (url.pathname === '/') {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end(`<!doctype html><html><head><meta charset="utf-8"><title>npm</title>${script}</head><body>npm</body></html>`);
      return;
    }
    const file = url.pathname.startsWith('/app/') ? path.join(appDir, path.basename(url.pathname)) : null;
    if (!file || !fs.existsSync(file)) { res.writeHead(404); res.end(); return; }
    res.writeHead(200, { 'content-type': types[path.extname(file)] || 'application/octet-stream' });
    res.end(fs.readFileSync(file));
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

// The /app/ files the page fetched until createRelance's `ready` (and a moment after).
async function fetchedBy(browser, appDir, format) {
  const server = await serve(appDir, format);
  try {
    const page = await browser.newPage();
    const fetched = [];
    page.on('request', (r) => { const p = new URL(r.url()).pathname; if (p.startsWith('/app/')) fetched.push(path.basename(p)); });
    await page.goto(`http://127.0.0.1:${server.address().port}/`);
    await page.waitForFunction(() => window.__ready !== undefined, null, { timeout: 30000 });
    const ready = await page.evaluate(() => window.__ready);
    if (ready !== true) throw new Error(`createRelance did not start: ${ready}`);
    await page.waitForTimeout(300);
    await page.close();
    return [...new Set(fetched)];
  } finally {
    server.close();
  }
}

const kb = (n) => (n / 1024).toFixed(1).padStart(7);
const row = (name, s) => console.log(`  ${name.padEnd(40)} ${String(s.raw).padStart(8)} ${String(s.gzip).padStart(8)} ${String(s.brotli).padStart(8)}   (${kb(s.brotli)} KB br)`);

const browser = await chromium.launch({ executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
const totals = {};
try {
  console.log('An esbuild-bundled app using createRelance: the files the page downloads for Relance (bytes)');
  for (const v of VARIANTS) for (const [label, distDir] of packages) {
    if (v.new && label === 'before') continue;
    const out = await bundleApp(label, distDir, v);
    const variant = v.name;
    console.log(`\n${label}, ${variant} (${distDir})`);
    let fetched;
    try {
      fetched = await fetchedBy(browser, out, v.format);
    } catch (e) {
      // (the package before session 8 could not find its wasm from a
      // CommonJS bundle in a browser without wasmUrl: __dirname)
      console.log(`  not measured: ${e.message}`);
      continue;
    }
    console.log(`  ${'file'.padEnd(40)} ${'raw'.padStart(8)} ${'gzip'.padStart(8)} ${'brotli'.padStart(8)}`);
    let js = zero;
    let wasm = zero;
    for (const f of fetched) {
      const s = sizes(fs.readFileSync(path.join(out, f)));
      row(f, s);
      if (f.endsWith('.wasm')) wasm = add(wasm, s); else js = add(js, s);
    }
    const notFetched = fs.readdirSync(out).filter((f) => f.endsWith('.js') && !fetched.includes(f));
    for (const f of notFetched) row(`${f} (not fetched)`, sizes(fs.readFileSync(path.join(out, f))));
    row('JavaScript fetched', js);
    row('wasm fetched', wasm);
    row('total fetched', add(js, wasm));
    totals[`${label}, ${variant}`] = { js, wasm, all: add(js, wasm) };
  }
} finally {
  await browser.close();
  fs.rmSync(work, { recursive: true, force: true });
}

for (const { name: variant } of VARIANTS) {
  const before = totals[`before, ${variant}`];
  const after = totals[`after, ${variant}`];
  if (!before || !after) continue;
  console.log(`\nbefore -> after, ${variant}`);
  for (const k of ['js', 'wasm', 'all']) {
    const b = before[k];
    const a = after[k];
    const pct = (x, y) => `${(100 * (y - x) / x).toFixed(0)}%`;
    console.log(`  ${k.padEnd(5)} brotli ${b.brotli} -> ${a.brotli} B (${pct(b.brotli, a.brotli)}), gzip ${b.gzip} -> ${a.gzip} B, raw ${b.raw} -> ${a.raw} B`);
  }
}

const manifestFile = path.join(root, 'build/tag/manifest.json');
if (fs.existsSync(manifestFile)) {
  const m = JSON.parse(fs.readFileSync(manifestFile, 'utf8'));
  const tag = m.bytes[m.tag];
  const wasm = m.bytes[m.wasm];
  console.log(`\nfor reference, the script tag: ${m.tag} ${tag.brotli} B br + ${m.wasm} ${wasm.brotli} B br = ${tag.brotli + wasm.brotli} B br (+ snippet ${m.snippet_bytes} B raw)`);
}
