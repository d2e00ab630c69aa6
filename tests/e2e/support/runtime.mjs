// Shared end-to-end helpers: the real collector (build/bin/relance-collector)
// on a free 127.0.0.1 port with a temp database, a static folder holding the
// built tag (build/tag) and test pages (tests/e2e/pages, with the snippet put
// in place), headless Chromium (Debian's), and the store read back with
// `relance-collector export`.

import { spawn, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
// Overridable for development (e.g. a collector built in another build dir).
export const collectorBin = process.env.RELANCE_COLLECTOR_BIN || path.join(root, 'build/bin/relance-collector');
const tagDir = process.env.RELANCE_TAG_DIR || path.join(root, 'build/tag');

// Why the end-to-end runtime tests cannot run here (null when they can).
export function missingPrerequisite() {
  if (!fs.existsSync(collectorBin)) return 'build/bin/relance-collector is not built';
  if (!fs.existsSync(path.join(tagDir, 'manifest.json'))) return 'build/tag is not built (js-bindings/dist/index.js missing?)';
  if (!fs.existsSync('/usr/bin/chromium')) return '/usr/bin/chromium is not installed';
  return null;
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.unref();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
  });
}

// A temp folder with the tag files and the test pages (snippet in place).
export function makeSite(pagesDir = path.join(root, 'tests/e2e/pages')) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'relance-e2e-site-'));
  const snippet = fs.readFileSync(path.join(tagDir, 'snippet.min.js'), 'utf8').trim();
  for (const f of fs.readdirSync(tagDir)) fs.copyFileSync(path.join(tagDir, f), path.join(dir, f));
  for (const f of fs.readdirSync(pagesDir)) {
    const text = fs.readFileSync(path.join(pagesDir, f), 'utf8');
    fs.writeFileSync(path.join(dir, f), f.endsWith('.html') ? text.replace('<!--relance-snippet-->', `<script>${snippet}</script>`) : text);
  }
  return dir;
}

// Starts the collector; resolves once it logged "listening". `stop()` sends
// SIGTERM, `kill()` SIGKILL; both resolve when the process is gone.
export async function startCollector({ port, db, site, config, extraArgs = [] }) {
  const args = ['serve', '--listen', `127.0.0.1:${port}`, '--db', db, '--static', site,
    '--allowed-origin', `http://127.0.0.1:${port}`, '--rate-limit', '0', ...extraArgs];
  if (config) args.push('--config', config);
  const proc = spawn(collectorBin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  const exited = new Promise((resolve) => proc.once('exit', (code, signal) => resolve({ code, signal })));
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`collector did not start: ${log}`)), 10000);
    const onData = (d) => {
      log += d;
      if (/"listening"/.test(log)) { clearTimeout(timer); resolve(); }
    };
    proc.stdout.on('data', onData);
    proc.stderr.on('data', (d) => { log += d; });
    exited.then(({ code }) => { clearTimeout(timer); reject(new Error(`collector exited (${code}): ${log}`)); });
  });
  // A collector must stop within seconds of SIGTERM: one that does not is a
  // defect, reported with its log, and killed so that the run goes on.
  const end = async (sig) => {
    if (proc.exitCode === null && proc.signalCode === null) proc.kill(sig);
    const late = setTimeout(() => proc.kill('SIGKILL'), STOP_MS);
    const outcome = await exited;
    clearTimeout(late);
    if (sig === 'SIGTERM' && outcome.signal === 'SIGKILL') {
      throw new Error(`the collector did not stop within ${STOP_MS} ms of SIGTERM (killed): ${log}`);
    }
    return outcome;
  };
  return { url: `http://127.0.0.1:${port}`, proc, log: () => log, stop: () => end('SIGTERM'), kill: () => end('SIGKILL') };
}

const STOP_MS = 15000;

// Rejects with `what` if `promise` has not settled within `ms`: for the
// browser calls that have no timeout of their own (creating and closing a
// context or a page), so that a stuck browser fails one test with a message
// instead of holding the whole run until CI's limit.
export function within(promise, ms, what) {
  let timer;
  const late = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms} ms`)), ms);
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

// The stored events (NDJSON from `export`), optionally of one type.
export function exportEvents(db, type) {
  const args = ['export', '--db', db];
  if (type) args.push('--type', type);
  const out = execFileSync(collectorBin, args, { encoding: 'utf8', maxBuffer: 1 << 26 });
  return out.split('\n').filter(Boolean).map((l) => JSON.parse(l)).map((row) => row.event || row);
}

export async function launchBrowser() {
  const { chromium } = await import('playwright-core');
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
}

// One browser per test file (launching is the slow part): `browser()` starts
// it on first use, `closeBrowser()` (call it in `after`) stops it.
let shared = null;
export function browser() {
  if (!shared) shared = launchBrowser();
  return shared;
}
export async function closeBrowser() {
  if (!shared) return;
  const b = shared;
  shared = null;
  try { await within((await b).close(), BROWSER_MS, 'closing the browser'); } catch { abandon(await b); }
}

// A browser that stopped answering is forgotten (the next test launches
// another instead of waiting on it too) and told to close without waiting;
// Playwright kills what it launched when the test file's process exits.
function abandon(stuck) {
  shared = null;
  stuck.close().catch(() => { /* stuck or gone */ });
}

const BROWSER_MS = 20000;

// A fresh context of the shared browser, whose newPage() and close() fail
// after 20 s instead of waiting forever (Playwright gives these no timeout).
// Whatever the test does in its pages keeps Playwright's own timeouts.
export async function newContext(options) {
  const b = await browser();
  let context;
  try {
    context = await within(b.newContext(options), BROWSER_MS, 'creating a browser context');
  } catch (e) {
    abandon(b);
    throw e;
  }
  const newPage = context.newPage.bind(context);
  const close = context.close.bind(context);
  context.newPage = () => within(newPage(), BROWSER_MS, 'opening a page');
  context.close = () => within(close(), BROWSER_MS, 'closing a browser context').catch((e) => { abandon(b); throw e; });
  return context;
}

// Everything one test needs: a fresh collector and database, and a fresh
// browser context (`env.browser.newPage()`); `close()` stops it all, even
// after a failure, and throws if the collector did not stop on SIGTERM.
export async function environment({ config } = {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'relance-e2e-'));
  const db = path.join(dir, 'events.db');
  const site = makeSite();
  let configPath;
  if (config) {
    configPath = path.join(dir, 'site.json');
    fs.writeFileSync(configPath, JSON.stringify(config));
  }
  const port = await freePort();
  const env = { dir, db, site, port, config: configPath, collector: null, browser: null };
  env.start = async (extraArgs) => { env.collector = await startCollector({ port, db, site, config: configPath, extraArgs }); return env.collector; };
  env.close = () => closeAll(env.browser, env.collector, [dir, site]);
  try {
    await env.start();
    env.browser = await newContext();
  } catch (e) {
    await env.close();
    throw e;
  }
  return env;
}

// Closes a test's browser context, stops its collector and removes its
// folders, all of them whatever fails; then throws the collector's failure
// to stop, if any (a context that is already closed is not one).
export async function closeAll(context, collector, folders) {
  let problem = null;
  try { if (context) await context.close(); } catch (e) { if (/did not finish/.test(e.message)) console.error(e.message); }
  try { if (collector) await collector.stop(); } catch (e) { problem = e; }
  for (const folder of folders) fs.rmSync(folder, { recursive: true, force: true });
  if (problem) throw problem;
}

// Waits until `check()` is truthy (polling), or throws with `what`.
export async function until(check, what, timeoutMs = 15000) {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

// The `properties.n` of stored events of `type`, sorted (to check each once).
export function storedNumbers(db, type) {
  return exportEvents(db, type).map((e) => e.properties && e.properties.n).sort((a, b) => a - b);
}
