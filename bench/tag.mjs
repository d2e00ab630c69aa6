// `npm run bench:tag`: what the Relance tag costs a page, next to the npm
// builds of Segment (@segment/analytics-next), Snowplow
// (@snowplow/browser-tracker) and PostHog (posthog-js), each bundled with
// esbuild and pointed at a local sink (nothing leaves the machine).
//
// For each, in headless Chromium with the CPU throttled 4x (CDP
// Emulation.setCPUThrottlingRate): the bytes downloaded (raw, gzip, brotli),
// main-thread time until ready (CDP Performance.getMetrics TaskDuration and
// ScriptDuration, minus the same page without any tag), long tasks (> 50 ms,
// PerformanceObserver), and time from navigation start to the first page view
// queued. Then where Relance's bytes go: wasm sections and largest functions
// (names from the wasm "name" section when the build keeps it), the
// Emscripten glue, js-bindings, the runtime and the UI (esbuild metafile).
// Last, the long tasks of the Relance page next to the empty page (the same
// page without the snippet, observed as long as the Relance load before it):
// LT_RUNS (default 7) untraced cold loads of each, counted by the page's own
// longtask observer, then LT_RUNS traced cold loads of each, every task over
// 50 ms attributed to Relance or to the page, and the largest task of
// Relance's in each load.
// A benchmark prints figures; it asserts nothing.
//
// The bench reads the pages over CDP (Runtime.evaluate), not with Playwright's
// page.evaluate or waitForFunction: those evaluate Playwright's injected
// script in the page, a 40 to 90 ms task at 4x that the long-task figures
// counted as the page's (or Relance's, when it landed during start-up).

import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import http from 'node:http';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
// RELANCE_BUILD_DIR: a tag built elsewhere (web/build.mjs writes it there too),
// to compare two builds with the same bench.
const tagDir = path.join(process.env.RELANCE_BUILD_DIR || path.join(root, 'build'), 'tag');
const RUNS = Number(process.env.RUNS || 3);
const LT_RUNS = Number(process.env.LT_RUNS || 7);
const manifest = JSON.parse(fs.readFileSync(path.join(tagDir, 'manifest.json'), 'utf8'));
// What the collector serves as GET /v1/config: the compiled form
// (docs/design/compiled-config.md), which is all the tag's wasm reads. A
// plain site by default; BENCH_CONFIG=demo/site.json measures a site with
// rules, offers and scoring (the engine's first calls compile more code).
const { load: loadBindings } = await import(path.join(root, 'js-bindings/dist/index.js'));
const siteConfig = process.env.BENCH_CONFIG ? JSON.parse(fs.readFileSync(process.env.BENCH_CONFIG, 'utf8')) : { version: 1, site: { id: 'bench' } };
const compiledConfig = await (async () => {
  const engine = (await loadBindings()).createEngine(siteConfig);
  const text = JSON.stringify(engine.config());
  engine.dispose();
  return text;
})();
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'relance-bench-'));

const sizes = (buf) => ({
  raw: buf.length,
  gzip: zlib.gzipSync(buf, { level: 9 }).length,
  brotli: zlib.brotliCompressSync(buf, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11 } }).length,
});

// ---------------------------------------------------------------- pages
const observer = `<script>window.__lt=[];new PerformanceObserver(function(l){l.getEntries().forEach(function(e){__lt.push([e.startTime,e.duration])})}).observe({type:'longtask',buffered:true});</script>`;
const page = (head, body = '') => `<!doctype html><html><head><meta charset="utf-8"><title>bench</title>${observer}${head}</head><body><h1>Bench</h1><p>Some content.</p>${body}</body></html>`;
const ready = (expr) => `window.__ready=performance.now();window.__firstQueued=window.__firstQueued||${expr};`;

async function bundlePeer(name, source) {
  const entry = path.join(work, name + '.entry.js');
  fs.writeFileSync(entry, source);
  const out = path.join(work, name + '.js');
  await build({ entryPoints: [entry], bundle: true, minify: true, format: 'iife', target: 'es2018', outfile: out,
    nodePaths: [path.join(root, 'node_modules')], logLevel: 'silent', define: { 'process.env.NODE_ENV': '"production"' } });
  return out;
}

const peers = {
  segment: `import { AnalyticsBrowser } from '@segment/analytics-next';
    const a = AnalyticsBrowser.load({ writeKey: 'bench', cdnURL: location.origin + '/sink' });
    a.page().then(() => { ${ready('performance.now()')} });`,
  snowplow: `import { newTracker, trackPageView } from '@snowplow/browser-tracker';
    newTracker('sp', location.origin + '/sink', { appId: 'bench' });
    trackPageView(); ${ready('performance.now()')}`,
  posthog: `import posthog from 'posthog-js';
    posthog.init('phc_bench', { api_host: location.origin + '/sink', loaded: () => { ${ready('performance.now()')} } });`,
};

// ---------------------------------------------------------------- server
const files = new Map(); // url path -> file
// Compressed once per file, as a server serving precompressed files does:
// compressing on every request (quality 11 takes a while on a 200 KB wasm)
// would count the bench server's work as each library's load time.
const brotliCache = new Map(); // file -> compressed bytes
const brotliOf = (f, body) => {
  if (!brotliCache.has(f)) brotliCache.set(f, zlib.brotliCompressSync(body));
  return brotliCache.get(f);
};
function serve() {
  const server = http.createServer((req, res) => {
    const u = req.url.split('?')[0];
    if (req.method === 'POST' || u.startsWith('/sink') || u.startsWith('/v1/events')) {
      req.resume();
      res.setHeader('content-type', 'application/json');
      res.setHeader('access-control-allow-origin', '*');
      return res.end(u.includes('settings') ? JSON.stringify({ integrations: { 'Segment.io': { apiHost: `127.0.0.1:${server.address().port}/sink` } } }) : '{}');
    }
    if (u === '/v1/config') {
      res.setHeader('content-type', 'application/json');
      return res.end(compiledConfig);
    }
    const f = files.get(u);
    if (!f) { res.statusCode = 404; return res.end(); }
    const type = f.endsWith('.html') ? 'text/html' : f.endsWith('.wasm') ? 'application/wasm' : 'text/javascript';
    res.setHeader('content-type', type);
    let body = fs.readFileSync(f);
    if (/\bbr\b/.test(req.headers['accept-encoding'] || '') && !f.endsWith('.html')) {
      body = brotliOf(f, body);
      res.setHeader('content-encoding', 'br');
    }
    res.end(body);
  });
  return new Promise((r) => server.listen(0, '127.0.0.1', () => r(server)));
}

async function measure(browser, url) {
  const context = await browser.newContext();
  const p = await context.newPage();
  const cdp = await context.newCDPSession(p);
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: 4 });
  await cdp.send('Performance.enable');
  let bytes = 0;
  await cdp.send('Network.enable');
  cdp.on('Network.loadingFinished', (e) => { bytes += e.encodedDataLength; });
  await p.goto(url, { waitUntil: 'load' });
  await waitReady(cdp);
  await p.waitForTimeout(300);
  const m = Object.fromEntries((await cdp.send('Performance.getMetrics')).metrics.map((x) => [x.name, x.value]));
  const r = await pageValue(cdp, '({ ready: window.__ready, first: window.__firstQueued, longTasks: window.__lt.filter((t) => t[1] > 50).length })');
  await context.close();
  return { task: m.TaskDuration * 1000, script: m.ScriptDuration * 1000, bytes, ...r };
}

// A value of the page, read over CDP (see the header: not page.evaluate).
async function pageValue(cdp, expression) {
  const r = await cdp.send('Runtime.evaluate', { expression, returnByValue: true });
  return r.result && r.result.value;
}

// Waits until the page has set window.__ready (at most 30 s), polling over CDP.
async function waitReady(cdp) {
  for (const end = Date.now() + 30000; Date.now() < end;) {
    if (await pageValue(cdp, 'window.__ready !== undefined')) return;
    await new Promise((r) => setTimeout(r, 50));
  }
}

// Waits until the page is ready, then 300 ms more, and at least until `until`
// ms from navigation start (the empty page is observed as long as the Relance
// page it is compared with). Returns that end, ms from navigation start.
async function settle(cdp, until = 0) {
  await waitReady(cdp);
  const end = Math.max((await pageValue(cdp, 'window.__ready')) + 300, until);
  for (let now; (now = await pageValue(cdp, 'performance.now()')) < end;) {
    await new Promise((r) => setTimeout(r, Math.min(50, end - now)));
  }
  return end;
}

// One cold load, untraced: the page's long tasks (> 50 ms) until the end of settle().
async function untracedLoad(browser, url, until) {
  const context = await browser.newContext();
  const p = await context.newPage();
  const cdp = await context.newCDPSession(p);
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: 4 });
  await p.goto(url, { waitUntil: 'load' });
  const end = await settle(cdp, until);
  const longTasks = await pageValue(cdp, `window.__lt.filter((t) => t[1] > 50 && t[0] <= ${end}).length`);
  await context.close();
  return { end, longTasks };
}

const median = (xs) => { const s = xs.filter((x) => typeof x === 'number').sort((a, b) => a - b); return s.length ? s[Math.floor(s.length / 2)] : NaN; };

async function main() {
  // Relance: the snippet inline, the tag and wasm from build/tag.
  const snippet = fs.readFileSync(path.join(tagDir, manifest.snippet), 'utf8').trim();
  for (const f of [manifest.tag, manifest.wasm]) files.set('/' + f, path.join(tagDir, f));
  // The empty page is the Relance page without the snippet (the baseline of
  // the main-thread and long-task figures); the snippet is on a line of its
  // own: the traced attribution tells its code from the page's by line.
  const pages = {
    none: page(`<script>${ready('performance.now()')}</script>\n\n`),
    relance: page(`<script>addEventListener('relance:ready',function(){${ready('performance.now()')}});</script>\n<script>${snippet}</script>\n`),
  };
  const libFiles = { relance: [path.join(tagDir, manifest.tag), path.join(tagDir, manifest.wasm)] };
  // PEERS: which peers to load (comma-separated; '' for Relance alone).
  const chosen = process.env.PEERS === undefined ? Object.keys(peers) : process.env.PEERS.split(',').filter(Boolean);
  for (const [name, src] of Object.entries(peers).filter(([n]) => chosen.includes(n))) {
    try {
      const out = await bundlePeer(name, src);
      files.set(`/${name}.js`, out);
      libFiles[name] = [out];
      pages[name] = page('', `<script src="/${name}.js" async></script>`);
    } catch (e) {
      console.log(`(${name}: could not bundle: ${e.message.split('\n')[0]})`);
    }
  }
  for (const [name, html] of Object.entries(pages)) {
    const f = path.join(work, name + '.html');
    fs.writeFileSync(f, html);
    files.set(`/${name}.html`, f);
  }

  const server = await serve();
  const base = `http://127.0.0.1:${server.address().port}`;
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
  const results = {};
  let longTaskReport = '';
  try {
    for (const name of Object.keys(pages)) {
      const runs = [];
      for (let i = 0; i < RUNS; i++) runs.push(await measure(browser, `${base}/${name}.html`));
      results[name] = {
        task: median(runs.map((r) => r.task)), script: median(runs.map((r) => r.script)),
        longTasks: Math.max(...runs.map((r) => r.longTasks)), first: median(runs.map((r) => r.first)),
      };
    }
    longTaskReport = await longTaskAttribution(browser, base, [manifest.tag, manifest.wasm, manifest.offer], 2);
  } finally {
    await browser.close();
    server.close();
  }

  const base0 = results.none;
  console.log(`\nTag cost, headless Chromium, CPU throttled 4x, median of ${RUNS} loads (main thread = TaskDuration minus an empty page)${process.env.BENCH_CONFIG ? `; configuration ${process.env.BENCH_CONFIG}` : ''}\n`);
  console.log('library      raw B   gzip B  brotli B   main-thread ms  script ms  long tasks  first page view queued ms');
  for (const [name, r] of Object.entries(results)) {
    if (name === 'none') continue;
    const s = libFiles[name].map((f) => sizes(fs.readFileSync(f))).reduce((a, b) => ({ raw: a.raw + b.raw, gzip: a.gzip + b.gzip, brotli: a.brotli + b.brotli }));
    const pad = (v, n) => String(v).padStart(n);
    console.log(`${name.padEnd(10)} ${pad(s.raw, 7)} ${pad(s.gzip, 8)} ${pad(s.brotli, 9)} ${pad((r.task - base0.task).toFixed(1), 16)} ${pad((r.script - base0.script).toFixed(1), 10)} ${pad(r.longTasks, 11)} ${pad(Number.isFinite(r.first) ? r.first.toFixed(1) : 'n/a', 26)}`);
  }
  console.log(`(empty page: ${base0.task.toFixed(1)} ms main thread, ${base0.longTasks} long tasks; "first page view queued" is ms from navigation start; Relance loads its tag after the load event)`);
  console.log(`\nRelance on the critical path before load: the inline snippet, ${Buffer.byteLength(snippet)} B raw, ${sizes(Buffer.from(snippet)).brotli} B brotli`);
  await breakdown();
  await stackFloor();
  console.log(longTaskReport);
  fs.rmSync(work, { recursive: true, force: true });
}

// ---------------------------------------------------------------- where the bytes go
function leb(buf, pos) {
  let result = 0; let shift = 0; let b;
  do { b = buf[pos++]; result += (b & 0x7f) * 2 ** shift; shift += 7; } while (b & 0x80);
  return [result, pos];
}

function wasmSections(buf) {
  const names = ['custom', 'type', 'import', 'function', 'table', 'memory', 'global', 'export', 'start', 'element', 'code', 'data', 'datacount'];
  const out = [];
  let pos = 8;
  let code = null;
  let funcNames = new Map();
  let imported = 0;
  while (pos < buf.length) {
    const id = buf[pos++];
    let size; [size, pos] = leb(buf, pos);
    const start = pos;
    let label = names[id] || `id ${id}`;
    if (id === 0) {
      let n; let p; [n, p] = leb(buf, pos);
      const cname = buf.subarray(p, p + n).toString();
      label = `custom "${cname}"`;
      if (cname === 'name') funcNames = parseNames(buf, p + n, start + size);
    }
    if (id === 2) { let count; let p; [count, p] = leb(buf, pos); imported = countFuncImports(buf, p, count); }
    if (id === 10) code = [start, size];
    out.push({ label, size });
    pos = start + size;
  }
  const funcs = [];
  if (code) {
    let [count, p] = leb(buf, code[0]);
    for (let i = 0; i < count; i++) {
      let size; [size, p] = leb(buf, p);
      funcs.push({ index: imported + i, size });
      p += size;
    }
  }
  return { sections: out, funcs: funcs.sort((a, b) => b.size - a.size), funcNames };
}

function countFuncImports(buf, p, count) {
  let n = 0;
  for (let i = 0; i < count; i++) {
    for (let k = 0; k < 2; k++) { let l; [l, p] = leb(buf, p); p += l; }
    const kind = buf[p++];
    if (kind === 0) { [, p] = leb(buf, p); n++; }
    else if (kind === 1) { p++; let f; [f, p] = leb(buf, p); [, p] = leb(buf, p); if (f & 1) [, p] = leb(buf, p); }
    else if (kind === 2) { let f; [f, p] = leb(buf, p); [, p] = leb(buf, p); if (f & 1) [, p] = leb(buf, p); }
    else if (kind === 3) { p += 2; }
    else if (kind === 4) { p++; [, p] = leb(buf, p); }
  }
  return n;
}

function parseNames(buf, p, end) {
  const names = new Map();
  while (p < end) {
    const sub = buf[p++];
    let size; [size, p] = leb(buf, p);
    const next = p + size;
    if (sub === 1) {
      let count; [count, p] = leb(buf, p);
      for (let i = 0; i < count; i++) {
        let idx; let len; [idx, p] = leb(buf, p); [len, p] = leb(buf, p);
        names.set(idx, buf.subarray(p, p + len).toString()); p += len;
      }
    }
    p = next;
  }
  return names;
}

async function breakdown() {
  const wasm = fs.readFileSync(path.join(tagDir, manifest.wasm));
  const w = wasmSections(wasm);
  console.log(`\nWhere Relance's bytes go\n\nwasm ${manifest.wasm}: ${wasm.length} B raw, ${sizes(wasm).brotli} B brotli`);
  for (const s of w.sections.sort((a, b) => b.size - a.size)) console.log(`  section ${s.label.padEnd(24)} ${String(s.size).padStart(8)} B`);
  // Names: the wasm's name section, else an Emscripten symbol map
  // (--emit-symbol-map writes relance-tag.js.symbols, "index:name" lines).
  const symbols = path.join(root, 'build/wasm/tag/relance-tag.js.symbols');
  if (!w.funcNames.size && fs.existsSync(symbols)) {
    for (const line of fs.readFileSync(symbols, 'utf8').split('\n')) {
      const i = line.indexOf(':');
      if (i > 0) w.funcNames.set(Number(line.slice(0, i)), line.slice(i + 1));
    }
  }
  const hasNames = w.funcNames.size > 0;
  console.log(`  largest functions (${w.funcs.length} in all${hasNames ? '' : '; no names: link the wasm with --emit-symbol-map (no size cost) or --profiling-funcs'}):`);
  for (const f of w.funcs.slice(0, 15)) console.log(`    ${String(f.size).padStart(7)} B  ${hasNames ? (w.funcNames.get(f.index) || '?') : 'func ' + f.index}`);

  // The tag's JavaScript, by origin, from esbuild's metafile.
  const r = await build({
    entryPoints: [path.join(root, 'web/src/tag.ts')], bundle: true, minify: true, format: 'iife', target: 'es2018',
    write: false, metafile: true, define: { __RELANCE_WASM__: '"x.wasm"' },
    alias: { relance: path.join(root, 'build/js-bindings/engine-only.js') }, logLevel: 'silent',
    mangleProps: /^_[a-z]/, reserveProps: /^_(malloc|free)$/, // as web/build.mjs builds the tag
    plugins: [{ name: 'ui-fallback', setup(b) {
      b.onResolve({ filter: /^\.\/ui\/index$/ }, (a) => {
        const real = path.join(a.resolveDir, 'ui', 'index.ts');
        return fs.existsSync(real) ? { path: real } : { path: 'ui-stub', namespace: 'stub' };
      });
      b.onLoad({ filter: /.*/, namespace: 'stub' }, () => ({ contents: 'export {}' }));
    } }],
  }).catch(() => null);
  if (!r) { console.log('(tag breakdown unavailable: build/js-bindings/engine-only.js missing)'); return; }
  const groups = {};
  for (const out of Object.values(r.metafile.outputs)) {
    for (const [file, info] of Object.entries(out.inputs)) {
      const g = /engine-only\.js$/.test(file) ? 'js-bindings engine-only (Emscripten glue + wrapper)'
          : /web\/src\/ui\//.test(file) ? 'web UI (web/src/ui)'
            : /web\/src\//.test(file) ? 'runtime (web/src)' : 'other';
      groups[g] = (groups[g] || 0) + info.bytesInOutput;
    }
  }
  console.log(`\ntag ${manifest.tag}: ${manifest.bytes[manifest.tag].raw} B raw, ${manifest.bytes[manifest.tag].brotli} B brotli; minified bytes by origin:`);
  for (const [g, n] of Object.entries(groups).sort((a, b) => b[1] - a[1])) console.log(`  ${g.padEnd(36)} ${String(n).padStart(7)} B`);
  // Each module of the runtime and UI (the tag's JS work: which file to look at next).
  const modules = Object.values(r.metafile.outputs).flatMap((out) => Object.entries(out.inputs))
    .filter(([file, info]) => /web\/src\//.test(file) && info.bytesInOutput >= 400).sort((a, b) => b[1].bytesInOutput - a[1].bytesInOutput);
  console.log(`  web/src modules of 400 B or more: ${modules.map(([file, info]) => `${file.replace(/.*web\/src\//, '')} ${info.bytesInOutput}`).join(', ')}`);
  // The Emscripten glue alone (Embind's runtime and the module start), as the
  // tag bundles it (web/tag_glue.mjs's ES module), minified as the tag minifies it.
  const glue = await build({ entryPoints: [path.join(root, 'build/js-bindings/relance-tag.mjs')], minify: true, write: false,
    target: 'es2018', format: 'esm', logLevel: 'silent' }).catch(() => null);
  if (glue) {
    const g = sizes(Buffer.from(glue.outputFiles[0].contents));
    console.log(`  of which the Emscripten glue (build/js-bindings/relance-tag.mjs): ${g.raw} B minified, ${g.brotli} B brotli alone`);
  }
}

// ---------------------------------------------------------------- the floor of the stack
// What the least module costs that keeps the user's stack (Embind and
// nlohmann/json), built exactly as the tag is (CMake's relance_tag_module)
// with no engine in it: bench/stack_floor/*.cc, targets relance_floor_*,
// built here on demand. Next to it, the tag's JavaScript without the
// Emscripten glue (runtime, UI, bindings), which any engine would need too.
// Their sum is the least Relance could download with this stack before its
// engine decides anything; the issue's goal is 16 KB.
const FLOOR_PROBES = [
  ['embind_only', 'Embind, one std::string function'],
  ['nlohmann_parse_dump', "+ nlohmann's parse and dump"],
  ['tag_reader_dump', "+ the tag's own parser, nlohmann's dump"],
];

async function stackFloor() {
  const wasmBuild = path.join(root, 'build/wasm');
  try {
    execFileSync('cmake', ['--build', wasmBuild, '--target', ...FLOOR_PROBES.map(([p]) => `relance_floor_${p}`)],
      { env: { ...process.env, NODE_PATH: '/usr/share/nodejs' }, stdio: 'pipe' });
  } catch (e) {
    console.log(`\n(the floor of the stack is unavailable: building ${wasmBuild}'s relance_floor_* failed: ${String(e.stderr || e.message).split('\n')[0]})`);
    return;
  }
  const rows = [];
  for (const [probe, label] of FLOOR_PROBES) {
    const glueIn = path.join(wasmBuild, 'stack-floor', `${probe}.js`);
    const glueModule = path.join(work, `${probe}.mjs`);
    execFileSync(process.execPath, [path.join(root, 'web/tag_glue.mjs'), glueIn, glueModule]);
    const glue = await build({ entryPoints: [glueModule], minify: true, write: false, target: 'es2018', format: 'esm', logLevel: 'silent' });
    const wasm = sizes(fs.readFileSync(glueIn.replace(/\.js$/, '.wasm'))).brotli;
    const js = sizes(Buffer.from(glue.outputFiles[0].contents)).brotli;
    rows.push({ label, wasm, js });
  }
  // The tag as web/build.mjs bundles it, the Emscripten glue replaced by nothing.
  const noGlue = await build({
    entryPoints: [path.join(root, 'web/src/tag.ts')], bundle: true, minify: true, format: 'iife', target: 'es2018',
    write: false, define: { __RELANCE_WASM__: '"x.wasm"', __RELANCE_OFFER_UI__: '"x.js"' }, logLevel: 'silent',
    alias: { relance: path.join(root, 'js-bindings/src/engine_only.ts') },
    mangleProps: /^_[a-z]/, reserveProps: /^_(malloc|free)$/, logOverride: { 'empty-import-meta': 'silent' },
    plugins: [{ name: 'no-glue', setup(b) {
      b.onResolve({ filter: /^relance-core-glue$/ }, () => ({ path: 'glue', namespace: 'no-glue' }));
      b.onLoad({ filter: /.*/, namespace: 'no-glue' }, () => ({ contents: 'export default function(){}', loader: 'js' }));
    } }],
  }).catch((e) => { console.log(`(the tag without its glue did not bundle: ${e.message.split('\n')[0]})`); return null; });
  const runtime = noGlue ? sizes(Buffer.from(noGlue.outputFiles[0].contents)).brotli : NaN;
  const pad = (v, n) => String(v).padStart(n);
  console.log('\nThe floor of the stack: modules built as the tag is, with no engine (bench/stack_floor/*.cc), brotli B');
  console.log('module                                       wasm   glue  total');
  for (const r of rows) console.log(`${r.label.padEnd(42)} ${pad(r.wasm, 6)} ${pad(r.js, 6)} ${pad(r.wasm + r.js, 6)}`);
  const least = rows[rows.length - 1];
  console.log(`the tag's JavaScript without the Emscripten glue (runtime, UI, bindings): ${runtime} B brotli`);
  console.log(`least download with Embind + nlohmann/json and this runtime, before any engine logic: ${least.wasm + least.js + runtime} B brotli; the goal is 16 KB (16,384 B)`);
}

// ---------------------------------------------------------------- whose the long tasks are
// Cold loads (a new browser context each), CPU throttled 4x, traced with
// Chromium's timeline and wasm categories (not the heavier v8 one). Every
// main-thread task from navigation start is Relance's when it runs any of
// Relance's work: a script or callback of the tag, the offer chunk or the
// snippet (by URL, or by line for the inline snippet), wasm work (only
// Relance has wasm on the page: streaming compile, lazy compilation,
// instantiation) or a scheduler.yield() continuation (only Relance yields).
// A task whose time is mostly the page's (its layout after the load event,
// with the snippet's load listener in it, say) counts as the page's; long
// ones are listed with Relance's part all the same. The empty page's tasks
// are all the page's and the browser's: the baseline.
const RELANCE_WORK = /^(EvaluateScript|FunctionCall|AnimationFrame::Script::Execute)$/;
const PAGE_WORK = /^(EvaluateScript|FunctionCall|v8\.wasm\.|wasm\.|RunYieldContinuation|TimerFire|EventDispatch|ParseHTML|Layout|UpdateLayoutTree|Paint|Layerize|Commit|MajorGC|MinorGC|RunMicrotasks|LocalWindowProxy::Initialize)/;

async function tracedLoad(browser, url, until) {
  const context = await browser.newContext();
  const p = await context.newPage();
  const cdp = await context.newCDPSession(p);
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: 4 });
  // (blink.user_timing carries navigationStart; RunTask and script evaluation
  // are in disabled-by-default-devtools.timeline, lazy wasm compilation in v8.wasm)
  await browser.startTracing(p, { categories: ['devtools.timeline', 'disabled-by-default-devtools.timeline', 'v8.wasm', 'blink.user_timing'] });
  await p.goto(url, { waitUntil: 'load' });
  const end = await settle(cdp, until);
  const events = JSON.parse((await browser.stopTracing()).toString()).traceEvents;
  await context.close();
  // The page's main thread: the renderer thread that marked the document's navigation start.
  const nav = events.filter((e) => e.name === 'navigationStart' && e.args && e.args.data && /^https?:/.test(e.args.data.documentLoaderURL || '')).pop();
  if (!nav) return null;
  const main = events.filter((e) => e.pid === nav.pid && e.tid === nav.tid && e.ts >= nav.ts && e.ph === 'X');
  // The frame timing's script entries (begin and end events): as complete events.
  const open = new Map();
  for (const e of events.filter((x) => x.pid === nav.pid && x.tid === nav.tid && x.name === 'AnimationFrame::Script::Execute')) {
    const key = JSON.stringify(e.id2 || e.id);
    if (e.ph === 'b') open.set(key, e);
    else if (e.ph === 'e' && open.has(key)) {
      const b = open.get(key);
      open.delete(key);
      if (b.ts >= nav.ts) main.push({ ...b, ph: 'X', dur: e.ts - b.ts });
    }
  }
  // Top-level tasks only (a nested run loop's tasks are part of their parent's).
  const runs = main.filter((e) => e.name === 'RunTask' && e.ph === 'X').sort((a, b) => a.ts - b.ts);
  const tasks = [];
  for (const t of runs) {
    if (t.ts - nav.ts > end * 1000) break; // after the observed span (see settle)
    if (!tasks.length || t.ts >= tasks[tasks.length - 1].ts + tasks[tasks.length - 1].dur) tasks.push(t);
  }
  return { nav, main, tasks, end };
}

// Relance's part of a task (ms), or 0 when none of its work is Relance's.
// `clock`: 'dur' for wall time, 'tdur' for the main thread's CPU time (which
// other processes on the machine do not inflate).
function relancePart(trace, t, isRelance, clock = 'dur') {
  const of = (e) => (e[clock] !== undefined ? e[clock] : e.dur * (t[clock] / t.dur)) / 1000;
  const inside = trace.main.filter((e) => e !== t && e.ts >= t.ts && e.ts <= t.ts + t.dur);
  if (inside.some((e) => /^(v8\.wasm\.|wasm\.)/.test(e.name) || e.name === 'RunYieldContinuation')) return of(t);
  let ms = 0;
  let until = 0;
  for (const e of inside.sort((a, b) => a.ts - b.ts || b.dur - a.dur)) {
    if (!RELANCE_WORK.test(e.name) || e.ts < until) continue;
    const d = (e.args && e.args.data) || {};
    const info = (e.args && e.args.animation_frame_script_timing_info) || {};
    if (!isRelance(d.url || info.source_location_url || '', d.lineNumber)) continue;
    ms += of(e);
    until = e.ts + e.dur;
  }
  return Math.min(ms, of(t));
}

// The tag wasm's functions (size and name), to say what a task compiled
// lazily: the trace's wasm.CompileLazy events carry a function index. Names
// from the symbol map the build writes (--emit-symbol-map), shortened to the
// function's own name ("engineCreate", "serializer::dump").
let wasmFunctions = null;
function wasmFunction(index) {
  if (!wasmFunctions) {
    const w = wasmSections(fs.readFileSync(path.join(tagDir, manifest.wasm)));
    const symbols = path.join(root, 'build/wasm/tag/relance-tag.js.symbols');
    if (!w.funcNames.size && fs.existsSync(symbols)) {
      for (const line of fs.readFileSync(symbols, 'utf8').split('\n')) {
        const i = line.indexOf(':');
        if (i > 0) w.funcNames.set(Number(line.slice(0, i)), line.slice(i + 1));
      }
    }
    wasmFunctions = { sizes: new Map(w.funcs.map((f) => [f.index, f.size])), names: w.funcNames };
  }
  return { size: wasmFunctions.sizes.get(index) || 0, name: shortName(wasmFunctions.names.get(index) || `func ${index}`) };
}

function shortName(symbol) {
  let n = symbol.replace(/\\([0-9a-f]{2})/g, (_, h) => String.fromCharCode(parseInt(h, 16))).replace(/^byn\$mgfn-shared\$/, '');
  for (let before = ''; before !== n;) { before = n; n = n.replace(/<[^<>]*>/g, ''); } // template arguments
  n = n.replace(/\(anonymous namespace\)::/g, '').replace(/\(.*$/, '');
  return n.split('::').slice(-2).join('::').replace(/^(relance|detail|internal)::/, '');
}

// What a task compiled lazily: how many wasm functions, their bytes and the largest.
function compiledIn(trace, t) {
  const lazy = trace.main.filter((e) => /^wasm\.CompileLazy/.test(e.name) && e.ts >= t.ts && e.ts <= t.ts + t.dur && e.args && e.args.func_index !== undefined);
  if (!lazy.length) return '';
  const fns = lazy.map((e) => wasmFunction(e.args.func_index)).sort((a, b) => b.size - a.size);
  const bytes = fns.reduce((a, f) => a + f.size, 0);
  return `; compiled ${fns.length} wasm function${fns.length > 1 ? 's' : ''}, ${(bytes / 1024).toFixed(1)} KB: ${fns.slice(0, 3).map((f) => `${f.name} ${(f.size / 1024).toFixed(1)} KB`).join(', ')}`;
}

// What took the time in a task: the outermost events of interest, by kind.
function whatInside(trace, t) {
  const inside = trace.main.filter((e) => e !== t && e.ph === 'X' && e.ts >= t.ts && e.ts + e.dur <= t.ts + t.dur && PAGE_WORK.test(e.name))
    .sort((a, b) => a.ts - b.ts || b.dur - a.dur);
  const byWhat = new Map();
  let until = 0;
  for (const e of inside) {
    if (e.ts < until && !/^wasm\.CompileLazy/.test(e.name)) continue; // lazy compiles are summed even inside a call
    if (e.ts >= until) until = e.ts + e.dur;
    const data = (e.args && e.args.data) || {};
    const where = data.url ? ' ' + data.url.split('/').pop().slice(0, 28) : data.type ? ' ' + data.type : '';
    const key = e.name + where;
    const v = byWhat.get(key) || { ms: 0, n: 0 };
    v.ms += e.dur / 1000; v.n += 1;
    byWhat.set(key, v);
  }
  return [...byWhat].sort((a, b) => b[1].ms - a[1].ms).slice(0, 4)
    .map(([k, v]) => `${k} ${v.ms.toFixed(0)} ms${v.n > 1 ? ` (x${v.n})` : ''}`).join(', ') + compiledIn(trace, t);
}

async function longTaskAttribution(browser, base, relanceFiles, snippetLine) {
  const fileRe = new RegExp('/(' + relanceFiles.map((f) => f.replace(/[.]/g, '\\.')).join('|') + ')$');
  const isRelance = (url, line) => fileRe.test(url) || (/\/relance\.html$/.test(url) && line === snippetLine);
  const noRelance = () => false;
  // Untraced first (tracing slows the main thread), then traced; in each
  // round the Relance page, then the empty page observed as long as it was.
  const untraced = { none: [], relance: [] };
  for (let i = 0; i < LT_RUNS; i++) {
    const r = await untracedLoad(browser, `${base}/relance.html`, 0);
    const n = await untracedLoad(browser, `${base}/none.html`, r.end);
    untraced.relance.push(r.longTasks);
    untraced.none.push(n.longTasks);
  }
  const rows = { none: [], relance: [] };
  const details = [];
  for (let i = 0; i < LT_RUNS; i++) {
    let until = 0;
    for (const name of ['relance', 'none']) {
      const trace = await tracedLoad(browser, `${base}/${name}.html`, until);
      if (!trace) continue;
      until = trace.end;
      const row = { ours: 0, page: 0, largest: 0, largestCpu: 0, loadTask: NaN, loadPart: NaN, loadCpu: NaN, loadPartCpu: NaN };
      for (const t of trace.tasks) {
        const mine = name === 'relance' ? isRelance : noRelance;
        const part = relancePart(trace, t, mine);
        const ms = t.dur / 1000;
        const cpu = t.tdur / 1000;
        // The page's load-event task (with the end of parsing and, on a small
        // page, its first layout): the task a load listener adds to.
        if (Number.isNaN(row.loadTask) && trace.main.some((e) => e.name === 'EventDispatch' && e.args && e.args.data && e.args.data.type === 'load' && e.ts >= t.ts && e.ts <= t.ts + t.dur)) {
          row.loadTask = ms;
          row.loadPart = part;
          row.loadCpu = cpu;
          row.loadPartCpu = relancePart(trace, t, mine, 'tdur');
        }
        const ours = part >= ms / 2;
        if (ours && ms > row.largest) {
          row.largestTask = `  load ${i + 1} at ${((t.ts - trace.nav.ts) / 1000).toFixed(0).padStart(5)} ms: ${ms.toFixed(0)} ms (CPU ${cpu.toFixed(0)}): ${whatInside(trace, t)}`;
        }
        if (ours) row.largest = Math.max(row.largest, ms);
        if (ours) row.largestCpu = Math.max(row.largestCpu, cpu);
        if (ms <= 50) continue;
        if (ours) row.ours += 1;
        else row.page += 1;
        const whose = name === 'none' ? 'empty page' : ours ? 'Relance\'s' : `the page's, Relance's part ${part.toFixed(0)} ms`;
        details.push(`  load ${i + 1} at ${((t.ts - trace.nav.ts) / 1000).toFixed(0).padStart(5)} ms: ${ms.toFixed(0)} ms (CPU ${cpu.toFixed(0)}), ${whose}: ${whatInside(trace, t)}`);
      }
      rows[name].push(row);
    }
  }
  const sum = (xs) => xs.reduce((a, x) => a + x, 0);
  const line = (label, xs) => `  ${label.padEnd(48)} ${xs.join(' ')}  (${sum(xs)} in ${xs.length} loads, median ${median(xs)})`;
  const figures = (label, xs, digits) =>
    `  ${label.padEnd(48)} ${xs.map((x) => x.toFixed(digits)).join(' ')}  (median ${median(xs).toFixed(digits)}, max ${Math.max(...xs.filter((x) => !Number.isNaN(x))).toFixed(digits)})`;
  const r = rows.relance;
  const largest = r.map((x) => x.largest);
  return [
    `\nLong tasks (> 50 ms) at 4x, cold loads; the empty page is the same page without the snippet, observed as long as the Relance load before it`,
    `${LT_RUNS} loads of each page, untraced (the page's longtask observer), per load:`,
    line('empty page:', untraced.none),
    line('Relance page (Relance\'s tasks and the page\'s):', untraced.relance),
    `${r.length} loads of each page, traced, per load:`,
    line('empty page, the page\'s and the browser\'s:', rows.none.map((x) => x.page)),
    line('Relance page, the page\'s and the browser\'s:', r.map((x) => x.page)),
    line('Relance page, Relance\'s:', r.map((x) => x.ours)),
    figures('the load-event task, empty page, ms:', rows.none.map((x) => x.loadTask), 0),
    figures('the load-event task, Relance page, ms:', r.map((x) => x.loadTask), 0),
    figures('  of which Relance\'s (the snippet), ms:', r.map((x) => x.loadPart), 1),
    figures('Relance\'s largest task, ms:', largest, 0),
    'the main thread\'s CPU time in the same tasks (other processes on the machine do not inflate it):',
    figures('the load-event task, empty page, CPU ms:', rows.none.map((x) => x.loadCpu), 1),
    figures('the load-event task, Relance page, CPU ms:', r.map((x) => x.loadCpu), 1),
    figures('  of which Relance\'s (the snippet), CPU ms:', r.map((x) => x.loadPartCpu), 1),
    figures('Relance\'s largest task, CPU ms:', r.map((x) => x.largestCpu), 1),
    ...(details.length ? ['  each long task, ms from navigation start, and what took its time:', ...details] : []),
    '  Relance\'s largest task in each load, ms from navigation start, and what took its time:',
    ...r.filter((x) => x.largestTask).map((x) => x.largestTask),
  ].join('\n');
}

main().catch((e) => { console.error(e); process.exit(1); });
