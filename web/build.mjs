// Builds the browser tag, the snippet and the npm runtime entry, then
// assembles the static site. Run by scripts/build.d/20-tag.sh after the
// js-bindings step (it needs js-bindings/dist).
//
//   build/tag/relance.<hash>.wasm   the engine (build/wasm/tag/relance-tag.wasm: engine only, for size)
//   build/tag/relance.<hash>.js     the tag (esbuild, minified, ES2018)
//   build/tag/relance-offer.<hash>.js  the offer dialog, loaded by the tag when an offer shows
//   build/tag/*.br, *.gz            precompressed (brotli CLI, gzip -9)
//   build/tag/snippet.min.js        the snippet pointing at the hashed tag and wasm
//   build/tag/manifest.json         names, sizes
//   js-bindings/dist/runtime.js     createRelance (ESM), runtime.d.ts, api.d.ts; it runs
//                                   the tag's engine (runtime-engine.js and
//                                   relance-engine.wasm, from the js-bindings step)
//   js-bindings/dist/runtime.cjs    the same for require('relance'), and *.d.cts types
//   build/site/                     demo/ with the snippet in place + build/tag/*

import { build, transform } from 'esbuild';
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const r = (...p) => path.join(root, ...p);
// RELANCE_BUILD_DIR: write tag/ and site/ elsewhere (development only).
const outRoot = process.env.RELANCE_BUILD_DIR || r('build');
const tagDir = path.join(outRoot, 'tag');
const siteDir = path.join(outRoot, 'site');
const distDir = r('js-bindings/dist');

// The npm runtime's private members (named _x, as in the tag) get short
// names: an app's bundler minifies identifiers but never properties, so they
// would otherwise ship whole (bench:npm's split app: 13,560 -> 13,372 B
// brotli of JavaScript, session 9).
// Each file is mangled on its own, as the tag and its offer chunk are: no
// file reads another's private members.
const NPM_MANGLE = { mangleProps: /^_[a-z]/, reserveProps: /^_(malloc|free)$/ };

const RUNTIME_EXPORT = "export{createRelance}from'./runtime.js';";
const hash = (buf) => createHash('sha256').update(buf).digest('hex').slice(0, 10);

// './ui/index' when the UI module is not there yet: a stub, so the runtime
// still builds (offers and personalizations are then ignored).
const uiFallback = {
  name: 'ui-fallback',
  setup(b) {
    b.onResolve({ filter: /^\.\/ui\/index$/ }, (args) => {
      const real = path.join(args.resolveDir, 'ui', 'index.ts');
      if (fs.existsSync(real)) return { path: real };
      return { path: 'ui-stub', namespace: 'ui-stub' };
    });
    b.onLoad({ filter: /.*/, namespace: 'ui-stub' }, () => ({ contents: 'export {};', loader: 'js' }));
  },
};

function clean(dir, keep) {
  fs.mkdirSync(dir, { recursive: true });
  for (const f of fs.readdirSync(dir)) if (!keep(f)) fs.rmSync(path.join(dir, f), { recursive: true, force: true });
}

function compress(file) {
  fs.writeFileSync(file + '.gz', execFileSync('gzip', ['-9', '-n', '-c', file], { maxBuffer: 1 << 26 }));
  fs.writeFileSync(file + '.br', execFileSync('brotli', ['-q', '11', '-c', file], { maxBuffer: 1 << 26 }));
}

async function main() {
  // RELANCE_BINDINGS_ENTRY: another js-bindings entry (development only; the
  // package's own load() is in dist/bindings.js, which dist/index.js re-exports).
  const bindingsEntry = process.env.RELANCE_BINDINGS_ENTRY || path.join(distDir, 'index.js');
  // The tag's engine: the engine-only wasm built for size (CMake target
  // relance_tag) and its bindings (scripts/build.d/10-js-bindings.sh); with
  // RELANCE_BINDINGS_ENTRY, that entry and the package's wasm instead.
  const tagBindings = process.env.RELANCE_BINDINGS_ENTRY ? null : r('build/js-bindings/engine-only.js');
  const wasmSrc = tagBindings ? r('build/wasm/tag/relance-tag.wasm') : path.join(distDir, 'relance-core.wasm');
  if (!fs.existsSync(bindingsEntry) || !fs.existsSync(wasmSrc) || (tagBindings && !fs.existsSync(tagBindings))) {
    console.error(`20-tag: ${path.relative(root, bindingsEntry)}, the tag's bindings or the wasm is missing; the tag is not built`);
    assembleSite(null);
    return;
  }
  clean(tagDir, () => false);

  // 1. the engine, content-hashed
  const wasm = fs.readFileSync(wasmSrc);
  const wasmName = `relance.${hash(wasm)}.wasm`;
  fs.writeFileSync(path.join(tagDir, wasmName), wasm);

  // 2. the tag (over the engine-only bindings, or over a copy of the
  // RELANCE_BINDINGS_ENTRY without the createRelance re-export that step 4
  // adds, so the tag never pulls the npm runtime in)
  let bindingsCopy = tagBindings;
  if (!bindingsCopy) {
    const tagWork = path.join(outRoot, 'tag-work');
    fs.mkdirSync(tagWork, { recursive: true });
    bindingsCopy = path.join(tagWork, 'bindings.js');
    fs.writeFileSync(bindingsCopy, fs.readFileSync(bindingsEntry, 'utf8').replace(RUNTIME_EXPORT, ''));
  }
  // The offer dialog's chunk first: the tag carries its name.
  const offerChunk = await build({
    entryPoints: [r('web/src/offer_chunk.ts')],
    bundle: true, minify: true, format: 'iife', target: 'es2018', platform: 'browser',
    write: false, legalComments: 'none', logLevel: 'warning',
    mangleProps: /^_[a-z]/, // the offer's private members (web/src/ui/offer.ts), as in the tag
  });
  const offerCode = offerChunk.outputFiles[0].contents;
  const offerName = `relance-offer.${hash(offerCode)}.js`;
  fs.writeFileSync(path.join(tagDir, offerName), offerCode);
  const tag = await build({
    entryPoints: [r('web/src/tag.ts')],
    bundle: true, minify: true, format: 'iife', target: 'es2018', platform: 'browser',
    write: false, legalComments: 'none',
    // V8's explicit compile hint (Chromium 136+; a comment elsewhere): every
    // function of the tag is compiled with the script, on the thread that
    // streams it, instead of lazily on its first call during start-up (1 to
    // 21 ms of each start-up task at 4x CPU throttle, docs/design/performance.md).
    banner: { js: '//# allFunctionsCalledOnLoad' },
    define: { __RELANCE_WASM__: JSON.stringify(wasmName), __RELANCE_OFFER_UI__: JSON.stringify(offerName) },
    alias: { relance: bindingsCopy },
    // Private members of the runtime's classes are named _x (web/src/runtime.ts,
    // transport.ts, queue.ts, lease.ts) and get short names in the tag. Nothing
    // reads them by a string; `__x` globals and the glue's exports stay.
    mangleProps: /^_[a-z]/, reserveProps: /^_(malloc|free)$/,
    // The default wasm URL (import.meta.url) is never used: the tag passes wasmUrl.
    logOverride: { 'empty-import-meta': 'silent' },
    plugins: [uiFallback], logLevel: 'warning',
  });
  const tagCode = tag.outputFiles[0].contents;
  const tagName = `relance.${hash(tagCode)}.js`;
  fs.writeFileSync(path.join(tagDir, tagName), tagCode);
  for (const f of [tagName, wasmName, offerName]) compress(path.join(tagDir, f));

  // 3. the snippet, with the UI's anti-flicker rule inlined when it exists
  // ('' = the page's own origin: the collector serves the site, as in the demo)
  let snippetSrc = fs.readFileSync(r('web/snippet/snippet.js'), 'utf8')
    .replace('__RELANCE_BASE__', '').replace('__RELANCE_TAG__', tagName).replace('__RELANCE_WASM__', wasmName);
  const af = r('web/src/ui/anti_flicker_snippet.ts');
  if (fs.existsSync(af)) {
    const m = await build({ entryPoints: [af], bundle: true, format: 'esm', write: false, platform: 'neutral', logLevel: 'silent' });
    const mod = await import('data:text/javascript;base64,' + Buffer.from(m.outputFiles[0].text).toString('base64'));
    if (typeof mod.ANTI_FLICKER_SNIPPET_JS === 'string') snippetSrc = mod.ANTI_FLICKER_SNIPPET_JS + '\n' + snippetSrc;
  }
  const snippet = (await transform(snippetSrc, { minify: true, target: 'es5', legalComments: 'none' })).code.trim();
  fs.writeFileSync(path.join(tagDir, 'snippet.min.js'), snippet + '\n');

  const size = (f) => fs.statSync(path.join(tagDir, f)).size;
  const manifest = {
    tag: tagName, wasm: wasmName, offer: offerName, snippet: 'snippet.min.js',
    bytes: Object.fromEntries([tagName, wasmName, offerName].map((f) => [f, { raw: size(f), gzip: size(f + '.gz'), brotli: size(f + '.br') }])),
    snippet_bytes: Buffer.byteLength(snippet),
  };
  fs.writeFileSync(path.join(tagDir, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');

  // 4. the npm runtime entry (ESM next to js-bindings' index.js), and its
  // offer chunk (runtime-offer.js, imported dynamically by runtime.js); the
  // engine it imports dynamically is the tag's (runtime-engine.js).
  if (!process.env.RELANCE_BINDINGS_ENTRY) await build({
    entryPoints: [r('web/src/npm.ts')],
    bundle: true, format: 'esm', target: 'es2018', platform: 'neutral', outfile: path.join(distDir, 'runtime.js'),
    // ES2018 but import.meta.url, where the wasm is (npm.ts): an ES module has it.
    supported: { 'import-meta': true },
    legalComments: 'none', logLevel: 'warning', ...NPM_MANGLE,
    plugins: [uiFallback, npmExternals('js')],
  });
  if (!process.env.RELANCE_BINDINGS_ENTRY) await build({
    entryPoints: [r('web/src/npm_offer.ts')],
    bundle: true, format: 'esm', target: 'es2018', platform: 'neutral', outfile: path.join(distDir, 'runtime-offer.js'),
    legalComments: 'none', logLevel: 'warning', ...NPM_MANGLE,
  });
  if (!process.env.RELANCE_BINDINGS_ENTRY) execFileSync(process.execPath, [r('node_modules/typescript/bin/tsc'), '--declaration', '--emitDeclarationOnly',
    '--skipLibCheck', '--target', 'es2018', '--outDir', distDir, r('web/src/api.ts')], { stdio: 'inherit' });
  if (!process.env.RELANCE_BINDINGS_ENTRY) fs.writeFileSync(path.join(distDir, 'runtime.d.ts'),
    "export * from './api.js';\nimport type { Relance, RelanceOptions } from './api.js';\n"
    + '/** Starts the Relance runtime in this page (a no-op instance during SSR). */\n'
    + 'export declare function createRelance(options: RelanceOptions): Relance;\n');
  // `import { createRelance } from 'relance'`: the package's ESM entry
  // re-exports the runtime (index.js is rewritten by the js-bindings step on
  // every build, so this is added again each time). It re-exports load() from
  // bindings.js too, which a bundler leaves out of an app that does not use it.
  if (!process.env.RELANCE_BINDINGS_ENTRY) {
    appendOnce(path.join(distDir, 'index.js'), RUNTIME_EXPORT);
    appendOnce(path.join(distDir, 'index.d.ts'), "export { createRelance } from './runtime.js';\nexport type { Relance, RelanceOptions, EventProperties, Product, LineItem, ConsentChoice, CustomEventType, Command } from './api.js';");
    await buildCommonJsRuntime();
  }

  assembleSite(manifest);
  console.log(`20-tag: ${tagName} ${manifest.bytes[tagName].brotli} B br, ${wasmName} ${manifest.bytes[wasmName].brotli} B br, `
    + `${offerName} ${manifest.bytes[offerName].brotli} B br (when an offer shows), snippet ${manifest.snippet_bytes} B`);
}

// `require('relance').createRelance`: the same runtime as CommonJS
// (runtime.cjs, loading runtime-engine.cjs lazily), exported from index.cjs; and
// CommonJS type declarations (*.d.cts, the .d.ts with './x.cjs' imports) for
// TypeScript under node16/nodenext resolution, which reads the "require"
// condition's types for require() and for .cts files.
async function buildCommonJsRuntime() {
  await build({
    entryPoints: [r('web/src/npm.ts')],
    bundle: true, format: 'cjs', target: 'es2018', platform: 'neutral', outfile: path.join(distDir, 'runtime.cjs'),
    legalComments: 'none', logLevel: 'warning', ...NPM_MANGLE,
    supported: { 'dynamic-import': false }, // import('relance') becomes a lazy require('./runtime-engine.cjs')
    // No import.meta in CommonJS: npm.ts then finds its wasm from the script that ran it.
    logOverride: { 'empty-import-meta': 'silent' },
    plugins: [uiFallback, npmExternals('cjs')],
  });
  await build({
    entryPoints: [r('web/src/npm_offer.ts')],
    bundle: true, format: 'cjs', target: 'es2018', platform: 'neutral', outfile: path.join(distDir, 'runtime-offer.cjs'),
    legalComments: 'none', logLevel: 'warning', ...NPM_MANGLE,
  });
  // Appended as `module.exports.x = ...` so that Node's CommonJS export
  // detection also offers it to `import { createRelance } from './index.cjs'`.
  appendOnce(path.join(distDir, 'index.cjs'), "module.exports.createRelance=require('./runtime.cjs').createRelance;");
  for (const f of fs.readdirSync(distDir)) {
    if (!f.endsWith('.d.ts')) continue;
    const text = fs.readFileSync(path.join(distDir, f), 'utf8').replace(/(from\s+'\.\/[\w-]+)\.js'/g, "$1.cjs'");
    fs.writeFileSync(path.join(distDir, f.replace(/\.d\.ts$/, '.d.cts')), text);
  }
}

// What the npm runtime (runtime.js / runtime.cjs) imports from files next to
// it rather than bundling: the engine ('relance', which npm.ts imports as the
// tag does, and web/tsconfig.json types as js-bindings/src/engine_only.ts: the
// same module built to runtime-engine.js, over relance-engine.wasm) and the
// offer chunk ('./npm_offer': runtime-offer.js).
function npmExternals(ext) {
  return {
    name: 'relance-npm-externals',
    setup(b) {
      b.onResolve({ filter: /^relance$/ }, () => ({ path: `./runtime-engine.${ext}`, external: true }));
      b.onResolve({ filter: /^\.\/npm_offer$/ }, () => ({ path: `./runtime-offer.${ext}`, external: true }));
    },
  };
}

function appendOnce(file, line) {
  if (!fs.existsSync(file)) return;
  const text = fs.readFileSync(file, 'utf8');
  if (!text.includes(line)) fs.writeFileSync(file, text.replace(/\n?$/, '\n') + line + '\n');
}

// build/site = demo/ (snippet placeholder replaced) + build/tag/*
function assembleSite(manifest) {
  clean(siteDir, () => false);
  const demo = r('demo');
  const snippet = manifest ? fs.readFileSync(path.join(tagDir, 'snippet.min.js'), 'utf8').trim() : '';
  // The header every demo page shares, kept once in demo/_header.html.
  const headerFile = path.join(demo, '_header.html');
  const header = fs.existsSync(headerFile) ? fs.readFileSync(headerFile, 'utf8').replace(/^<!--[\s\S]*?-->\n/, '') : '';
  const copy = (from, to) => {
    for (const f of fs.readdirSync(from)) {
      if (f.startsWith('_')) continue;  // partials, not pages
      const a = path.join(from, f);
      const b = path.join(to, f);
      if (fs.statSync(a).isDirectory()) { fs.mkdirSync(b, { recursive: true }); copy(a, b); continue; }
      if (f.endsWith('.html')) {
        const html = fs.readFileSync(a, 'utf8')
          .replace('<!--relance-snippet-->', snippet ? `<script>${snippet}</script>` : '')
          .replace('<!--demo-header-->\n', header);
        fs.writeFileSync(b, html);
      } else {
        fs.copyFileSync(a, b);
      }
    }
  };
  if (fs.existsSync(demo)) copy(demo, siteDir);
  if (manifest) for (const f of fs.readdirSync(tagDir)) fs.copyFileSync(path.join(tagDir, f), path.join(siteDir, f));
}

main().catch((e) => { console.error(e); process.exit(1); });
