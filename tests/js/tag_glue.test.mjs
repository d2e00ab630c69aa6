// web/tag_glue.mjs: the tag's Emscripten glue as an ES module without the
// loader the tag never runs; a glue of another shape stops the build.
// (That the result starts the engine: engine_only.test.mjs and the e2e tests.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { tagGlue } from '../../web/tag_glue.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const glueFile = path.join(root, 'build', 'wasm', 'tag', 'relance-tag.js');
const skip = !fs.existsSync(glueFile) && 'the tag engine is not built';

test('the tag glue becomes an ES module without its own wasm loader', { skip }, () => {
  const glue = fs.readFileSync(glueFile, 'utf8');
  const out = tagGlue(glue);
  assert.ok(out.endsWith('export default createRelanceCore;\n'));
  assert.doesNotMatch(out, /module\.exports|define\(|XMLHttpRequest|instantiateStreaming|fetch\(|currentScript|scriptDirectory/);
  assert.match(out, /Module\["instantiateWasm"\]\(info,receiveInstance\)/); // the way js-bindings starts it stays
  assert.doesNotMatch(out, /Module\["HEAP|preloaded|___wasm_call_ctors/);
  assert.match(out, /HEAPU8=new Uint8Array\(buf\)/); // the glue's own views stay
  assert.ok(out.length < glue.length - 2000, `${glue.length} -> ${out.length}`);
});

test('a glue of another shape is refused, naming what is missing', { skip }, () => {
  const glue = fs.readFileSync(glueFile, 'utf8');
  assert.throws(() => tagGlue(glue.replace('module.exports = createRelanceCore;', 'module.exports = other;')), /no UMD footer/);
  assert.throws(() => tagGlue(glue.replace('function getBinaryPromise(', 'function fetchBinary(')), /"function getBinaryPromise\(" is not there once/);
  assert.throws(() => tagGlue(glue.replace('instantiateAsync().catch(readyPromiseReject);', 'instantiateAsync();')), /"instantiateAsync\(\)\.catch\(readyPromiseReject\);" is there 0 times, not once/);
  assert.throws(() => tagGlue(glue.replace('var out=console.log', 'var xhr=new XMLHttpRequest;var out=console.log')), /"XMLHttpRequest" is still used/);
});
