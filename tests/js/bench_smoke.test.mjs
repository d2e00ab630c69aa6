// The benchmark scripts still run against the current builds. They are not
// tests (their figures are read by people, never asserted), but an API change
// once broke bench:observe unseen: the tag's engine began to refuse a source
// configuration. Each runs here on a fraction of its work (BENCH_SCALE, RUNS)
// and must finish and print its figures; what the figures say is not checked.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const run = promisify(execFile);
const skip = !existsSync(join(root, 'build', 'tag', 'manifest.json')) && 'the tag is not built';
const noBrowser = !existsSync('/usr/bin/chromium') && 'no /usr/bin/chromium';

const noLoadTools = ['/usr/bin/wrk', '/usr/sbin/nginx'].find((p) => !existsSync(p));

// A generous timeout: bench:tag alone takes about 45 s (it also links the
// stack-floor probes the first time), more on a loaded machine.
async function bench(script, env) {
  const command = script.endsWith('.sh') ? 'bash' : process.execPath;
  const { stdout } = await run(command, [join(root, 'bench', script)], {
    cwd: root, env: { ...process.env, ...env }, timeout: 240000, maxBuffer: 16 << 20,
  });
  return stdout;
}

test('bench:conditions runs and compares with GrowthBook', { skip }, async () => {
  const out = await bench('conditions.mjs', { BENCH_SCALE: '0.01' });
  assert.match(out, /^relance +[\d.]+ M evaluations\/s/m);
  assert.match(out, /^ratio relance\/growthbook: [\d.]+x/m);
});

test('bench:observe runs on both wasm builds, in Node and in Chromium', { skip: skip || noBrowser }, async () => {
  const out = await bench('observe.mjs', { BENCH_SCALE: '0.01' });
  assert.equal(out.match(/page_view observe +: mean [\d.]+ µs/g)?.length, 3, out);
});

test('bench:tag loads every library and Relance queues its first page view', { skip: skip || noBrowser }, async () => {
  const out = await bench('tag.mjs', { RUNS: '1', LT_RUNS: '1' });
  for (const name of ['relance', 'segment', 'snowplow', 'posthog']) {
    assert.match(out, new RegExp(`^${name} .* [\\d.]+\\s*$`, 'm'), `${name}: no figures, or no first page view queued\n${out}`);
  }
  assert.match(out, /^wasm relance\.[0-9a-f]+\.wasm: \d+ B raw, \d+ B brotli/m);
  // The long tasks of both pages side by side, untraced, then attributed on
  // a traced cold load of each page, with the snippet's part of the page's
  // load-event task.
  assert.match(out, /^  empty page: +\d+ +\(\d+ in 1 loads, median \d+\)$/m, out);
  assert.match(out, /^  Relance page \(Relance's tasks and the page's\): +\d+ +\(\d+ in 1 loads, median \d+\)$/m, out);
  assert.match(out, /^  Relance page, Relance's: +\d+ +\(\d+ in 1 loads, median \d+\)$/m, out);
  assert.match(out, /^    of which Relance's \(the snippet\), ms: +[\d.]+ /m, out);
  assert.match(out, /^  Relance's largest task, ms: +\d+ /m, out);
  assert.match(out, /^  Relance's largest task, CPU ms: +[\d.]+ /m, out);
  // The floor of the stack: each probe linked and measured, and the sum.
  for (const row of ['Embind, one std::string function', "+ nlohmann's parse and dump", "+ the tag's own parser, nlohmann's dump"]) {
    assert.match(out, new RegExp(`^${row.replace(/[+()]/g, '\\$&')} +\\d+ +\\d+ +\\d+$`, 'm'), `${row}: no figures\n${out}`);
  }
  assert.match(out, /^least download with Embind \+ nlohmann\/json and this runtime, before any engine logic: \d+ B brotli/m, out);
});

test('bench:npm bundles an app with createRelance and lists what its page fetched', { skip: skip || noBrowser }, async () => {
  const out = await bench('npm.mjs', {});
  assert.match(out, /^  relance-engine\.wasm +\d+ +\d+ +\d+ /m, out);
  assert.match(out, /^  total fetched +\d+ +\d+ +\d+ /m, out);
});

test('bench:collector drives the collector and nginx with wrk and checks what was stored', {
  skip: (!existsSync(join(root, 'build', 'bin', 'relance-collector')) && 'the collector is not built') ||
    (noLoadTools && `${noLoadTools} is missing`),
}, async () => {
  const out = await bench('collector.sh', { DURATION: '1' });
  for (const row of ['collector, 1 event/request', 'collector, 50 events/request', 'collector, half rate', 'nginx 204 (ceiling)']) {
    assert.match(out, new RegExp(`^${row.replace(/[(),]/g, '\\$&')}.* req/s .* p99 [\\d.]+ ms`, 'm'), `${row}: no figures\n${out}`);
  }
  assert.match(out, /^single-event ratio to nginx: [\d.]+%/m);
  // The one line the bench itself checks (it exits non-zero when an event is lost).
  assert.match(out, /-> OK, every acknowledged event is stored/);
});
