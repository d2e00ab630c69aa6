// npm run bench:observe — the engine's speed through js-bindings (WebAssembly
// under Node): signals per second with bench/observe-config.json (50
// personalization rules, 10 offers, 30 scoring rules), and the time of one
// page_view observe, JSON crossing included. Goal: < 1 ms per page view.
// Both builds: the npm package's wasm and the browser tag's (engine only,
// compiled for size), which is what a page runs.
// A benchmark, not a test: it prints figures and asserts nothing.
import { existsSync, readFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { performance } from 'node:perf_hooks';
import { load } from '../js-bindings/dist/index.js';

const here = dirname(fileURLToPath(import.meta.url));
const config = JSON.parse(readFileSync(join(here, 'observe-config.json'), 'utf8'));
const T0 = Date.UTC(2026, 0, 1);
let now = T0;
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

const sections = (c) => `${(c.personalization ?? []).length} personalization rules, ${(c.offers ?? []).length} offers, ${((c.scoring ?? {}).rules ?? []).length} scoring rules`;
console.log(`observe benchmark (WebAssembly, Node ${process.version}), config: ${sections(config)}`);
function measure(label, core) {
  let engine;
  try {
    engine = core.createEngine(config);
  } catch (e) {
    // A decisions section that does not compile yet: run on what does.
    console.log(`config refused (${(e.errors ?? []).length} errors); benchmarking the top-level sections only`);
    for (const err of (e.errors ?? []).slice(0, 5)) console.log(`  ${err.path}: ${err.message}`);
    const { personalization, offers, scoring, abandonment, ...rest } = config;
    engine = core.createEngine(rest);
  }

  let stateBytes = 0;
  engine.restore('', now);
  for (let i = 0; i < 2000; i++) engine.observe(mix(), (now += 700)); // warm-up

  // Throughput over a mix of signals.
  const count = 20000;
  let t = performance.now();
  for (let i = 0; i < count; i++) engine.observe(mix(), (now += 700));
  const mixMs = performance.now() - t;

  // page_view alone: per-call latency distribution.
  const samples = [];
  for (let i = 0; i < 5000; i++) {
    const signal = pageView();
    now += 5000;
    const s = performance.now();
    engine.observe(signal, now);
    samples.push(performance.now() - s);
  }
  samples.sort((a, b) => a - b);
  const pct = (p) => samples[Math.min(samples.length - 1, Math.floor((p / 100) * samples.length))];
  const mean = samples.reduce((a, b) => a + b, 0) / samples.length;
  stateBytes = JSON.stringify(engine.state()).length;

  engine.dispose();
  console.log(`${label}:`);
  console.log(`  mixed signals      : ${Math.round(count / (mixMs / 1000))} signals/s (${((mixMs * 1000) / count).toFixed(1)} µs each)`);
  console.log(`  page_view observe  : mean ${(mean * 1000).toFixed(1)} µs, p50 ${(pct(50) * 1000).toFixed(1)} µs, p95 ${(pct(95) * 1000).toFixed(1)} µs, p99 ${(pct(99) * 1000).toFixed(1)} µs (goal < 1000 µs)`);
  console.log(`  state after run    : ${stateBytes} bytes (limit 16384)`);
}

measure('npm package (js-bindings/dist/relance-core.wasm)', await load());
const tagBindings = join(here, '..', 'build', 'js-bindings', 'engine-only.js');
const tagWasm = join(here, '..', 'build', 'wasm', 'tag', 'relance-tag.wasm');
if (existsSync(tagBindings) && existsSync(tagWasm)) {
  const { load: loadTagEngine } = await import(pathToFileURL(tagBindings).href);
  measure('browser tag (build/wasm/tag/relance-tag.wasm, compiled for size)', await loadTagEngine({ wasmBinary: readFileSync(tagWasm) }));
}
