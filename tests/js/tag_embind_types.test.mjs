// The tag's Embind glue (web/tag_embind_types.js, the --js-library of CMake's
// relance_tag): it keeps of Embind's JavaScript side what the tag's bindings
// use (free functions over std::string, int, double and void). These tests
// link small probes with em++ and the tag's glue flags and check that those
// types convert as Embind converts them, and that anything else the tag might
// one day bind fails loudly: an unbound type (bool, wide strings, bytes,
// emscripten::val, memory views, 64-bit integers) when called, an overload or
// a class when the module starts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import vm from 'node:vm';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const library = path.join(root, 'web', 'tag_embind_types.js');
// The registrations the tag's wasm defines empty (CMake's relance_tag links it too).
const builtins = path.join(root, 'src', 'wasm', 'tag_embind_builtins.cc');
const emxx = ['/usr/bin/em++', '/usr/lib/emscripten/em++'].find((f) => fs.existsSync(f));
const skip = !emxx && 'em++ is not installed';
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'relance-tag-embind-'));

// The tag's glue settings (CMakeLists.txt: RELANCE_WASM_LINK, then relance_tag's own).
const FLAGS = [
  '-Oz', '-fno-rtti', '-fno-exceptions', '-DEMSCRIPTEN_HAS_UNBOUND_TYPE_NAMES=0', '--bind',
  '-sMODULARIZE=1', '-sEXPORT_NAME=createRelanceCore', '-sENVIRONMENT=web', '-sINCOMING_MODULE_JS_API=[instantiateWasm]',
  '-sALLOW_MEMORY_GROWTH=1', '-sFILESYSTEM=0', '-sDYNAMIC_EXECUTION=0', '-sMALLOC=emmalloc', '-sASSERTIONS=0',
  '--js-library', library,
];

// The module of `bindings` (C++ inside EMSCRIPTEN_BINDINGS), started as
// js-bindings starts the tag's (wasm_web.ts startGlue): resolves to the
// module, or rejects with what failed while it started.
async function probe(name, code, bindings) {
  const src = path.join(work, `${name}.cc`);
  const out = path.join(work, `${name}.js`);
  fs.writeFileSync(src, `#include <emscripten/bind.h>\n#include <emscripten/val.h>\n#include <string>\n#include <cstdint>\n`
    + `using namespace emscripten;\n${code}\nEMSCRIPTEN_BINDINGS(probe) {\n${bindings}\n}\n`);
  execFileSync(emxx, [...FLAGS, src, builtins, '-o', out], { env: { ...process.env, NODE_PATH: '/usr/share/nodejs' }, stdio: 'pipe' });
  const factory = vm.runInThisContext(`${fs.readFileSync(out, 'utf8')}\n;createRelanceCore`, { filename: out });
  const bytes = fs.readFileSync(out.replace(/\.js$/, '.wasm'));
  const { startGlue, instantiateGiven } = await wasmWeb();
  return startGlue(factory, (imports) => instantiateGiven(bytes, imports));
}

let wasmWebModule = null;
async function wasmWeb() {
  if (!wasmWebModule) {
    const r = await build({ entryPoints: [path.join(root, 'js-bindings/src/wasm_web.ts')], bundle: true, format: 'esm', write: false, logLevel: 'silent' });
    wasmWebModule = await import('data:text/javascript;base64,' + Buffer.from(r.outputFiles[0].text).toString('base64'));
  }
  return wasmWebModule;
}

test('the tag glue converts std::string, integers, double and void as Embind does', { skip }, async () => {
  const m = await probe('types', `
    int add(int a, int b) { return a + b; }
    unsigned big(unsigned x) { return x + 1; }
    unsigned char byte(int x) { return (unsigned char)x; }
    short neg(short x) { return -x; }
    double half(double x) { return x / 2; }
    float third(float x) { return x / 3; }
    std::string echo(std::string s) { return "<" + s + ">" + std::to_string(s.size()); }
    std::string nul() { return std::string("a\\0b", 3); }
    int count = 0;
    void bump(int by) { count += by; }
    int counted() { return count; }`, `
    function("add", &add); function("big", &big); function("byte", &byte); function("neg", &neg);
    function("half", &half); function("third", &third); function("echo", &echo); function("nul", &nul);
    function("bump", &bump); function("counted", &counted);`);
  assert.equal(m.add(2, 3), 5);
  assert.equal(m.add(-7, 2), -5);
  assert.equal(m.big(4000000000), 4000000001);
  assert.equal(m.big(-1), 0); // -1 is passed as 4294967295, wraps to 0
  assert.equal(m.byte(300), 44);
  assert.equal(m.neg(5), -5);
  assert.equal(m.half(3), 1.5);
  assert.equal(m.third(3), 1);
  assert.equal(m.echo(''), '<>0');
  assert.equal(m.echo('héllo € 😀'), '<héllo € 😀>15');
  assert.equal(m.echo('x'.repeat(100000)).length, 100000 + 2 + 6);
  assert.equal(m.echo('a\0b'), '<a\0b>3');
  assert.equal(m.nul(), 'a\0b');
  assert.equal(m.bump(2), undefined);
  m.bump(3);
  assert.equal(m.counted(), 5);
  // Misuse fails loudly, as in Embind.
  assert.throws(() => m.add(1), { name: 'BindingError', message: /add called with 1 arguments, expected 2/ });
  assert.throws(() => m.echo(1), { name: 'BindingError', message: /non-string/ });
  assert.throws(() => m.echo(new Uint8Array([65])), { name: 'BindingError', message: /non-string/ });
  assert.ok(new m.BindingError('x') instanceof Error);
  assert.equal(String(new m.BindingError('x')), 'BindingError: x');
});

test('the tag glue leaves the types the tag never binds unbound: calling them throws', { skip }, async () => {
  const m = await probe('unbound', `
    bool flag(int x) { return x > 0; }
    std::wstring wide() { return L"w"; }
    std::u16string utf16() { return u"w"; }
    std::basic_string<unsigned char> bytes() { return {}; }
    val value() { return val::null(); }
    int64_t twice(int64_t x) { return x * 2; }
    memory_view<unsigned char> view() { static unsigned char b[2]; return typed_memory_view(2, b); }
    int fine() { return 1; }`, `
    function("flag", &flag); function("wide", &wide); function("utf16", &utf16); function("bytes", &bytes);
    function("value", &value); function("view", &view); function("twice", &twice); function("fine", &fine);`);
  assert.equal(m.fine(), 1);
  for (const name of ['flag', 'wide', 'utf16', 'bytes', 'value', 'view', 'twice']) {
    assert.throws(() => m[name](1), { name: 'UnboundTypeError', message: new RegExp(`Cannot call ${name} due to unbound types`) }, name);
  }
});

test('the tag glue refuses at start what it does not support: overloads, classes', { skip }, async () => {
  await assert.rejects(probe('overload', `
    int one(int a) { return a; }
    int two(int a, int b) { return a + b; }`, `
    function("f", &one); function("f", &two);`), { name: 'BindingError', message: /Cannot register public name 'f' twice/ });
  await assert.rejects(probe('klass', `
    struct Counter { int n = 0; int next() { return ++n; } };`, `
    class_<Counter>("Counter").constructor<>().function("next", &Counter::next);`), { name: 'BindingError', message: /free functions only/ });
});

test.after(() => fs.rmSync(work, { recursive: true, force: true }));
