// npm run bench:observe — the engine's speed through js-bindings: signals per
// second with bench/observe-config.json (50 personalization rules, 10 offers,
// 30 scoring rules), and the time of one page_view observe, JSON crossing
// included. Goal: < 1 ms per page view.
// Three runs of one workload: the npm package's wasm under Node, the browser
// tag's wasm (engine only, compiled for size) under Node, and the tag's wasm
// inside headless Chromium (Debian's), which is what a page runs.
// A benchmark, not a test: it prints figures and asserts nothing.
import { existsSync, readFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { load } from '../js-bindings/dist/index.js';

const here = dirname(fileURLToPath(import.meta.url));
const config = JSON.parse(readFileSync(join(here, 'observe-config.json'), 'utf8'));
const tagBindings = join(here, '..', 'build', 'js-bindings', 'engine-only.js');
const tagWasm = join(here, '..', 'build', 'wasm', 'tag', 'relance-tag.wasm');
// BENCH_SCALE: a fraction of the iterations (tests/js/bench_smoke.test.mjs
// runs 0.01 to check that the bench still runs; its figures mean nothing).
const scale = Number(process.env.BENCH_SCALE || 1);

// The workload. Self-contained (no free variables) so that Chromium can run
// the very same function: it is handed over as source text.
function runObserve(core, config, scale = 1) {
  const engine = core.createEngine(config);
  let now = Date.UTC(2026, 0, 1);
  let n = 0;
  const paths = ['/', '/c/3', '/pricing/4', '/p/sku-7', '/cart', '/c/12', '/blog/x'];
  const context = (path) => ({
    page: { url: `https://shop.example${path}?utm_source=news`, path, title: 'Page', referrer: '' },
    device: { type: 'desktop', viewport: { w: 1280, h: 800 } }, locale: 'fr-FR',
  });
  const pageView = () => ({ type: 'page_view', id: `pv-${++n}`, context: context(paths[n % paths.length]) });
  const mix = () => {
    const k = n % 6;
    if (k === 0) return pageView();
    if (k === 1) return { type: 'scroll', id: `s-${++n}`, props: { depth: (n * 7) % 100 } };
    if (k === 2) return { type: 'time', id: `t-${++n}`, props: { seconds: n % 60 } };
    if (k === 3) return { type: 'track', id: `a-${++n}`, props: { event: 'add_to_cart', properties: { product: { id: `sku-${n % 9}` }, quantity: 1, price: 19.9, currency: 'EUR' } } };
    if (k === 4) return { type: 'track', id: `v-${++n}`, props: { event: 'product_view', properties: { product: { id: `sku-${n % 9}` } } } };
    return { type: 'tick', id: `k-${++n}` };
  };

  engine.restore('', now);
  for (let i = 0; i < 2000 * scale; i++) engine.observe(mix(), (now += 700)); // warm-up

  // Throughput over a mix of signals.
  const count = Math.ceil(20000 * scale);
  const t = performance.now();
  for (let i = 0; i < count; i++) engine.observe(mix(), (now += 700));
  const mixMs = performance.now() - t;

  // page_view alone: per-call latency distribution.
  const samples = [];
  for (let i = 0; i < Math.ceil(5000 * scale); i++) {
    const signal = pageView();
    now += 5000;
    const s = performance.now();
    engine.observe(signal, now);
    samples.push(performance.now() - s);
  }
  samples.sort((a, b) => a - b);
  const pct = (p) => samples[Math.min(samples.length - 1, Math.floor((p / 100) * samples.length))];
  const stateBytes = JSON.stringify(engine.state()).length;
  engine.dispose();
  return {
    signalsPerSecond: count / (mixMs / 1000), mixUs: (mixMs * 1000) / count,
    meanUs: (samples.reduce((a, b) => a + b, 0) / samples.length) * 1000,
    p50Us: pct(50) * 1000, p95Us: pct(95) * 1000, p99Us: pct(99) * 1000, stateBytes,
  };
}

function print(label, r) {
  console.log(`${label}:`);
  console.log(`  mixed signals      : ${Math.round(r.signalsPerSecond)} signals/s (${r.mixUs.toFixed(1)} µs each)`);
  console.log(`  page_view observe  : mean ${r.meanUs.toFixed(1)} µs, p50 ${r.p50Us.toFixed(1)} µs, p95 ${r.p95Us.toFixed(1)} µs, p99 ${r.p99Us.toFixed(1)} µs (goal < 1000 µs)`);
  console.log(`  state after run    : ${r.stateBytes} bytes (limit 16384)`);
}

// The tag's engine inside a page: its bindings imported from a blob URL, the
// wasm handed over as bytes (nothing served, nothing fetched).
async function runInChromium() {
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'] });
  try {
    const page = await browser.newPage();
    await page.setContent('<!doctype html><title>observe</title>');
    return await page.evaluate(async ({ bindings, wasmBase64, config, workload, scale }) => {
      const url = URL.createObjectURL(new Blob([bindings], { type: 'text/javascript' }));
      const { load: loadEngine } = await import(url);
      const wasmBinary = Uint8Array.from(atob(wasmBase64), (c) => c.charCodeAt(0));
      const core = await loadEngine({ wasmBinary });
      return (0, eval)(`(${workload})`)(core, config, scale);
    }, { bindings: readFileSync(tagBindings, 'utf8'), wasmBase64: readFileSync(tagWasm).toString('base64'),
      config: compiled, workload: runObserve.toString(), scale });
  } finally {
    await browser.close();
  }
}

const sections = (c) => `${(c.personalization ?? []).length} personalization rules, ${(c.offers ?? []).length} offers, ${((c.scoring ?? {}).rules ?? []).length} scoring rules`;
console.log(`observe benchmark (WebAssembly through js-bindings), config: ${sections(config)}`);
const npmCore = await load();
print(`npm package wasm, Node ${process.version}`, runObserve(npmCore, config, scale));
// The tag's engine loads the configuration compiled by the collector (what
// GET /v1/config serves); the npm package's compiler makes the same form.
const compiled = (() => {
  const source = npmCore.createEngine(config);
  try {
    return source.config();
  } finally {
    source.dispose();
  }
})();
if (existsSync(tagBindings) && existsSync(tagWasm)) {
  const { load: loadTagEngine } = await import(pathToFileURL(tagBindings).href);
  print(`browser tag wasm (compiled for size), Node ${process.version}`,
    runObserve(await loadTagEngine({ wasmBinary: readFileSync(tagWasm) }), compiled, scale));
  if (existsSync('/usr/bin/chromium')) print('browser tag wasm, headless Chromium (what a page runs)', await runInChromium());
  else console.log('(no /usr/bin/chromium: the in-browser run is skipped)');
} else {
  console.log('(build/wasm/tag is missing: run npm run build for the tag runs)');
}
