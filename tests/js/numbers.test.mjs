// Number texts that are hard to read right, through both wasm builds of the
// engine: the npm package's (the C library's strtod) and the browser tag's
// (the browser's Number(), src/wasm/browser_strtod.cc). The same texts are
// read natively in tests/native/json_test.cc (ReadsTrickyNumbersToTheNearestDouble).
//
// Each text goes in through the visitor state's traits (restore), is read by
// nlohmann's lexer (strtod), written back by nlohmann's dump and read by
// JSON.parse; expected doubles are given by their bits, so nothing here
// trusts the strtod under test. Then the tag's condition evaluator turns the
// number into a string (js::numberToString, whose shortest-digits search
// reads its candidates back with strtod) for a $regex.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compiledForTag, npmCore, tagCore } from './tag_support.mjs';

// [name, createEngine(source configuration)] for each build.
const builds = [
  ['wasm', (config) => npmCore.createEngine(config)],
  ['tag wasm', (config) => tagCore.createEngine(compiledForTag(config))],
];

// The double whose IEEE 754 bits are `hex` (16 hex digits).
function bits(hex) {
  const view = new DataView(new ArrayBuffer(8));
  view.setBigUint64(0, BigInt(`0x${hex}`));
  return view.getFloat64(0);
}

const cases = [
  ['0.1', bits('3fb999999999999a'), '0.1'],
  ['1e21', bits('444b1ae4d6e2ef50'), '1e+21'],
  ['1E+2', 100, '100'],
  ['12.5e-1', 1.25, '1.25'],
  ['5e-324', bits('0000000000000001'), '5e-324'],
  ['1.7976931348623157e308', bits('7fefffffffffffff'), '1.7976931348623157e+308'],
  ['-0.0', -0, '0'],
  ['9007199254740993.0', 2 ** 53, '9007199254740992'], // 2^53 + 1: a tie, to even
  ['9007199254740995.0', 2 ** 53 + 4, '9007199254740996'], // a tie, to even (up)
  ['2.2250738585072011e-308', bits('000fffffffffffff'), '2.225073858507201e-308'],
  ['2.4703282292062327e-324', 0, '0'], // just under half the smallest subnormal
  ['2.4703282292062328e-324', bits('0000000000000001'), '5e-324'], // just over
  ['1e-400', 0, '0'],
  ['-1e-400', -0, '0'],
  // 55 digits: exactly halfway between 1 and the next double, then just past it.
  ['1.00000000000000011102230246251565404236316680908203125', 1, '1'],
  ['1.00000000000000011102230246251565404236316680908203126', bits('3ff0000000000001'), '1.0000000000000002'],
  ['0.1000000000000000055511151231257827021181583404541015625', bits('3fb999999999999a'), '0.1'],
  ['123456789012345678', 123456789012345678, '123456789012345680'], // an integer: not strtod
  ['-0', 0, '0'], // nlohmann reads "-0" as the integer 0 (JSON.parse would say -0)
];

const at = 1767225600000;
const escapeRegex = (s) => s.replace(/[.+\\^$]/g, '\\$&');

// An engine whose one rule shows when String(visitor.traits.x) is `text`.
function engineMatching(createEngine, text) {
  return createEngine({
    version: 1,
    site: { id: 'numbers' },
    personalization: [{
      id: 'as-text',
      condition: { 'visitor.traits.x': { $regex: `^${escapeRegex(text)}$` } },
      actions: [{ slot: 's', op: 'set_text', value: 'matched' }],
    }],
  });
}

for (const [build, createEngine] of builds) {
  test(`numbers (${build}): tricky number texts read to the nearest double, and String() them as JavaScript does`, () => {
    for (const [text, expected, asString] of cases) {
      const engine = engineMatching(createEngine, asString);
      try {
        const restored = engine.restore(`{"v":1,"traits":{"x":${text}}}`, at);
        assert.deepEqual(restored.notes ?? [], [], `${text}: ${JSON.stringify(restored.notes)}`);
        const got = engine.state().traits.x;
        assert.ok(Object.is(got, expected), `${text} read as ${got}, expected ${expected}`);
        const actions = engine.observe({ type: 'page_view', id: 'p1', ts: at, context: { page: { url: 'https://n.example/', path: '/' } } }, at);
        assert.equal(actions.personalize?.[0]?.rule_id, 'as-text', `${text}: String() is not ${asString}: ${JSON.stringify(actions)}`);
      } finally {
        engine.dispose();
      }
    }
  });

  test(`numbers (${build}): a number beyond double's range makes the state corrupt, as natively`, () => {
    const engine = createEngine({});
    try {
      const restored = engine.restore('{"v":1,"traits":{"x":1e400}}', at);
      assert.equal(restored.notes.length, 1, JSON.stringify(restored));
      assert.match(restored.notes[0], /^visitor state was corrupt \(.*number overflow.*\): reset$/);
      assert.deepEqual(engine.state().traits, {});
    } finally {
      engine.dispose();
    }
  });
}
