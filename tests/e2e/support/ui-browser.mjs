// Helpers for the web UI's browser tests: bundle web/src/ui into a script that
// sets window.RelanceUI, and launch Debian's Chromium (never a downloaded one).
import { build } from 'esbuild';
import { chromium } from 'playwright-core';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../../', import.meta.url));

let bundled = null;
/** The UI module as one classic script defining window.RelanceUI. */
export async function uiBundle() {
  if (!bundled) {
    const out = await build({
      entryPoints: [`${root}web/src/ui/index.ts`], bundle: true, write: false, format: 'iife',
      globalName: 'RelanceUI', target: 'es2018', logLevel: 'silent',
    });
    bundled = out.outputFiles[0].text;
  }
  return bundled;
}

export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export function launchChromium() {
  return chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
}

/**
 * Opens a page with `html` as its body markup and the UI bundle loaded.
 * Nothing is fetched from the network: any request is aborted and recorded in
 * page.relanceRequests (so a test can prove a hostile fragment loaded nothing).
 */
export async function openUiPage(browser, html = '', { viewport = { width: 1024, height: 768 } } = {}) {
  const context = await browser.newContext({ viewport, reducedMotion: 'reduce' });
  const page = await context.newPage();
  page.relanceRequests = [];
  await page.route('**/*', (route) => {
    const url = route.request().url();
    if (url === 'http://ui.test/') {
      return route.fulfill({ contentType: 'text/html', body: `<!doctype html><html><head><title>t</title></head><body>${html}</body></html>` });
    }
    page.relanceRequests.push(url);
    return route.abort();
  });
  page.relanceErrors = [];
  page.on('pageerror', (e) => page.relanceErrors.push(String(e)));
  await page.goto('http://ui.test/');
  await page.addScriptTag({ content: await uiBundle() });
  return page;
}
