// The demo shop end to end: the real collector serving demo/ (snippet in
// place) and the built tag, with a site configuration, on a free port, and a
// fresh Chromium context. Built on the runtime helpers (support/runtime.mjs).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import {
  root, collectorBin, missingPrerequisite, makeSite, freePort, startCollector, browser, newContext, closeAll,
  exportEvents, until,
} from './runtime.mjs';

export { closeBrowser, exportEvents, until } from './runtime.mjs';

/** The demo configuration: demo/site.json, or the decisions engineer's shop config until that exists. */
export function demoConfig() {
  for (const f of ['demo/site.json', 'tests/scenarios/configs/decisions_shop.json']) {
    const p = path.join(root, f);
    if (fs.existsSync(p)) return JSON.parse(fs.readFileSync(p, 'utf8'));
  }
  return null;
}

/** Why the demo e2e tests cannot run here (null when they can). */
export function shopMissing() {
  return missingPrerequisite() || (demoConfig() ? null : 'no demo configuration (demo/site.json)');
}

/**
 * Starts a collector serving the demo with `config` (default: the demo's) and
 * opens a browser context on it. Consent is pre-answered in the shop's own
 * banner storage so it stays out of the way (the config does not require it).
 * `close()` stops everything, also after a failure.
 */
export async function openShop({ config = demoConfig(), viewport = { width: 1200, height: 800 } } = {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'relance-ui-e2e-'));
  const db = path.join(dir, 'events.db');
  const configPath = path.join(dir, 'site.json');
  fs.writeFileSync(configPath, JSON.stringify(config));
  const site = makeSite(path.join(root, 'demo'));
  const shop = { dir, db, site, collector: null, context: null, url: '' };
  shop.close = () => closeAll(shop.context, shop.collector, [dir, site]);
  try {
    shop.collector = await startCollector({ port: await freePort(), db, site, config: configPath });
    shop.url = shop.collector.url;
    // The demo drops known bots (bots.drop), and headless Chromium says it is
    // one: present the user agent of the same Chromium with a screen.
    const b = await browser();
    const userAgent = `Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/${b.version()} Safari/537.36`;
    shop.context = await newContext({ viewport, userAgent });
    await shop.context.addInitScript(() => {
      if (!localStorage.getItem('demo:consent')) localStorage.setItem('demo:consent', '{"analytics":true,"marketing":true}');
    });
  } catch (e) {
    await shop.close();
    throw e;
  }
  return shop;
}

/** Opens `pagePath` and waits until the Relance tag runs. */
export async function visit(page, shop, pagePath) {
  await page.goto(shop.url + pagePath);
  await page.waitForFunction(() => window.relance && window.relance.loaded === true, null, { timeout: 15000 });
}

/** Moves the pointer out of the page through the top edge (desktop exit intent). */
export async function exitThroughTop(page) {
  await page.mouse.move(600, 300);
  await page.mouse.move(600, 5, { steps: 5 });
  await page.mouse.move(600, -20, { steps: 2 });
}

/** The stored opt-ins (`export --optins`). */
export function exportOptins(db) {
  const out = execFileSync(collectorBin, ['export', '--db', db, '--optins'], { encoding: 'utf8' });
  return out.split('\n').filter(Boolean).map((l) => JSON.parse(l)).map((row) => row.body || row.optin || row);
}

/** Waits until the store holds an event of `type`; returns those events. */
export function storedEventually(db, type, timeoutMs = 20000) {
  return until(() => { const e = exportEvents(db, type); return e.length ? e : null; }, `a stored ${type} event`, timeoutMs);
}
