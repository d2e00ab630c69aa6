// Turns the tag's Emscripten glue (build/wasm/tag/relance-tag.js, emcc 3.1.6
// with -sMODULARIZE) into the ES module that the tag bundles
// (scripts/build.d/10-js-bindings.sh: build/js-bindings/relance-tag.mjs, then
// engine-only.js), leaving out what the tag never runs:
//
// - the UMD footer (module.exports / define / exports): an ES module exports
//   the factory instead, so esbuild needs no CommonJS wrapper around it;
// - the glue's own ways of getting the wasm (fetch or XMLHttpRequest of
//   "relance-tag.wasm" next to the script, streaming or not) and of finding
//   the script's directory: js-bindings always hands the module
//   `instantiateWasm` (wasm_web.ts startGlue), so the glue takes that branch
//   and returns before any of them;
// - what the glue puts on the module for other callers (the heap views, the
//   file packager's tables, two export wrappers only the wasm's start uses):
//   js-bindings reads only the bound functions.
//
// Each piece is found by name and the result is checked: if emscripten's
// output ever changes shape, this throws (the build stops and says which
// piece), rather than leave a glue that refers to something removed.
// Measured in docs/design/performance.md ("Tag JS, session 7").
//
//   node web/tag_glue.mjs <glue.js> <out.mjs>

import fs from 'node:fs';
import { fileURLToPath } from 'node:url';

const UMD_FOOTER = `if (typeof exports === 'object' && typeof module === 'object')
  module.exports = createRelanceCore;
else if (typeof define === 'function' && define['amd'])
  define([], function() { return createRelanceCore; });
else if (typeof exports === 'object')
  exports["createRelanceCore"] = createRelanceCore;`;

// The glue's fallbacks when no instantiateWasm is given, and how it finds
// the wasm next to its script: blocks removed whole (from the text given to
// the closing brace of the first "{" in or after it), then the statements
// that declare, set or call what they defined.
const LOADER_BLOCKS = [
  'function getBinary(', 'function getBinaryPromise(', 'function receiveInstantiationResult(',
  'function instantiateArrayBuffer(', 'function instantiateAsync(', 'if(ENVIRONMENT_IS_WEB||ENVIRONMENT_IS_WORKER){', 'function locateFile(', 'function isDataURI(',
  'if(!isDataURI(wasmBinaryFile)){',
];
const LOADER_STATEMENTS = [
  'instantiateAsync().catch(readyPromiseReject);', 'else{}',
  'var read_,readAsync,readBinary,setWindowTitle;', 'var scriptDirectory="";',
  'var dataURIPrefix="data:application/octet-stream;base64,";', 'var wasmBinaryFile;',
  /wasmBinaryFile="[\w.-]+";/,
  "var _scriptDir = typeof document !== 'undefined' && document.currentScript ? document.currentScript.src : undefined;",
];
// What the glue puts on the module for other callers than js-bindings, which
// reads only the bound functions: the heap views, the file packager's
// tables (no file system here), and the wrappers of two wasm exports that
// only the wasm's start calls (it reaches them through Module.asm).
const MODULE_EXTRAS = [
  { text: /Module\["HEAP(8|16|32|U8|U16|U32|F32|F64)"\]=/g, times: 8 },
  { text: 'Module["preloadedImages"]={};Module["preloadedAudios"]={};', times: 1 },
  ...['___wasm_call_ctors', '___embind_register_native_and_builtin_types'].map((name) => ({
    text: new RegExp(`var ${name}=Module\\["${name}"\\]=function\\(\\)\\{return\\(${name}=Module\\["${name}"\\]=Module\\["asm"\\]\\["\\w+"\\]\\)\\.apply\\(null,arguments\\)\\};`, 'g'),
    times: 1,
  })),
];
// What must no longer be in the glue once those are gone.
const GONE = ['getBinary', 'instantiateArrayBuffer', 'instantiateAsync', 'receiveInstantiationResult', 'XMLHttpRequest',
  'instantiateStreaming', 'setWindowTitle', 'read_', 'readAsync', 'readBinary', 'scriptDirectory', 'locateFile',
  'isDataURI', 'dataURIPrefix', 'wasmBinaryFile', '_scriptDir', 'currentScript', 'Module["HEAP', 'preloaded',
  '___wasm_call_ctors', '___embind_register_native_and_builtin_types'];

class GlueError extends Error {}

/** The tag's glue as an ES module without its loader; throws if a piece is not where expected. */
export function tagGlue(text) {
  const footerAt = text.lastIndexOf(UMD_FOOTER);
  if (footerAt < 0 || text.slice(footerAt + UMD_FOOTER.length).trim() !== '') throw new GlueError('no UMD footer at the end');
  let s = text.slice(0, footerAt) + 'export default createRelanceCore;\n';
  for (const start of LOADER_BLOCKS) s = cut(s, start);
  for (const statement of LOADER_STATEMENTS) {
    const found = s.split(statement).length - 1;
    if (found !== 1) throw new GlueError(`"${statement}" is there ${found} times, not once`);
    s = s.replace(statement, '');
  }
  for (const { text: extra, times } of MODULE_EXTRAS) {
    const found = typeof extra === 'string' ? s.split(extra).length - 1 : (s.match(extra) || []).length;
    if (found !== times) throw new GlueError(`${extra} is there ${found} times, not ${times}`);
    s = typeof extra === 'string' ? s.split(extra).join('') : s.replace(extra, '');
  }
  for (const word of GONE) if (s.includes(word)) throw new GlueError(`"${word}" is still used`);
  return s;
}

// Removes the text that starts at `start` (found once) and ends at the
// brace closing the first "{" in or after `start`.
function cut(s, start) {
  const at = s.indexOf(start);
  if (at < 0 || s.indexOf(start, at + 1) >= 0) throw new GlueError(`"${start}" is not there once`);
  return s.slice(0, at) + s.slice(closing(s, s.indexOf('{', at)) + 1);
}

// The index of the brace closing the one at `open`, skipping strings and
// regular expression literals (the glue's minified code has both, no comments).
function closing(s, open) {
  let depth = 0;
  for (let i = open; i < s.length; i++) {
    const c = s[i];
    if (c === '"' || c === "'" || c === '`') {
      for (i++; s[i] !== c; i++) if (s[i] === '\\') i++;
    } else if (c === '/' && /[(,=:[!&|?{};]/.test(s[i - 1])) {
      for (i++; s[i] !== '/'; i++) if (s[i] === '\\') i++;
    } else if (c === '{') {
      depth++;
    } else if (c === '}' && --depth === 0) {
      return i;
    }
  }
  throw new GlueError('unbalanced braces');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [input, output] = process.argv.slice(2);
  try {
    fs.writeFileSync(output, tagGlue(fs.readFileSync(input, 'utf8')));
  } catch (e) {
    if (!(e instanceof GlueError)) throw e;
    console.error(`web/tag_glue.mjs: ${input}: ${e.message} (has emscripten's output changed?)`);
    process.exit(1);
  }
}
